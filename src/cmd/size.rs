//! `assess size`: placeholder until the size helper lands.
#[derive(clap::Args)]
pub struct SizeArgs {}
pub fn run(_a: SizeArgs) -> anyhow::Result<()> {
    anyhow::bail!("size is not built yet")
}
