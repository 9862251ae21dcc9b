//! `assess census ...`: the national census's verbs, one module each.

use clap::Subcommand;

pub mod crosscheck;

#[derive(Subcommand)]
pub enum CensusCmd {
    /// Register cross-checks (the Mashan lesson): households whose members appear in the
    /// vehicle, property, business or payroll registries under the cross-check rules, each
    /// with its evidence, identity numbers masked (docs/census.md).
    Crosscheck(crosscheck::CrosscheckArgs),
}

pub fn run(cmd: CensusCmd) -> anyhow::Result<()> {
    match cmd {
        CensusCmd::Crosscheck(a) => crosscheck::run(a),
    }
}
