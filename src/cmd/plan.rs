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
            "{}: {}; the plan cannot be drawn on this register",
            plan.display(),
            counted(errors, "error")
        );
    }
    review.iter().for_each(|line| println!("{line}"));
    println!(
        "{}: fits the register ({})",
        plan.display(),
        counted(problems.len(), "warning")
    );
    Ok(())
}

/// "1 error", "2 errors": a count with its noun in the right number.
fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_have_the_right_plural() {
        assert_eq!(super::counted(0, "warning"), "0 warnings");
        assert_eq!(super::counted(1, "error"), "1 error");
        assert_eq!(super::counted(2, "error"), "2 errors");
    }
}
