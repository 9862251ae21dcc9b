//! `assess plan check`.

use super::draw::InputArgs;
use assess_sampling::Severity;
use clap::Subcommand;
use std::path::PathBuf;

/// Plan subcommands.
#[derive(Subcommand, Debug)]
pub enum PlanCmd {
    /// Validate a plan against a register; every problem names its line in the plan.
    Check {
        /// Sampling plan (TOML).
        plan: PathBuf,
        #[command(flatten)]
        input: InputArgs,
    },
}

pub fn run(cmd: PlanCmd) -> anyhow::Result<()> {
    let PlanCmd::Check { plan, input } = cmd;
    let inputs = input.inputs(plan.clone())?;
    let check = assess_draw::check_plan(&inputs)?;
    let (review, review_warnings) = super::draw::design_review(&check.reviews)?;
    let problems = [check.problems, review_warnings].concat();
    for p in &problems {
        println!("{}: {}", plan.display(), p.worded(crate::hints::remedy));
    }
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    if errors > 0 {
        anyhow::bail!(
            "{}: {errors} errors; the plan cannot be drawn on this register",
            plan.display()
        );
    }
    review.iter().for_each(|line| println!("{line}"));
    println!(
        "{}: fits the register ({} warnings)",
        plan.display(),
        problems.len()
    );
    Ok(())
}
