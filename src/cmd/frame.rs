//! `assess frame check`: placeholder until the register helper lands.
use clap::Subcommand;
/// Register subcommands.
#[derive(Subcommand)]
pub enum FrameCmd {
    /// Check a register.
    Check,
}
pub fn run(_c: FrameCmd) -> anyhow::Result<()> {
    anyhow::bail!("frame check is not built yet")
}
