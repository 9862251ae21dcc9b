//! `assess draw` and `assess verify`: placeholder.
#[derive(clap::Args)]
pub struct DrawArgs {}
#[derive(clap::Args)]
pub struct VerifyArgs {}
pub fn run_draw(_a: DrawArgs) -> anyhow::Result<()> {
    anyhow::bail!("draw is not built yet")
}
pub fn run_verify(_a: VerifyArgs) -> anyhow::Result<()> {
    anyhow::bail!("verify is not built yet")
}
