//! `assess plan check`: placeholder.
use clap::Subcommand;
/// Plan subcommands.
#[derive(Subcommand)]
pub enum PlanCmd {
    /// Check a plan.
    Check,
}
pub fn run(_c: PlanCmd) -> anyhow::Result<()> {
    anyhow::bail!("plan check is not built yet")
}
