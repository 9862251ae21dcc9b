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

/// `verbose` (`-v`, `--verbose`) lists every warning; without it, warnings alike but for their
/// numbers (a plan over many counties) are counted by kind with the first few in full.
pub fn run(cmd: PlanCmd, verbose: bool) -> anyhow::Result<()> {
    let PlanCmd::Check { plan, input } = cmd;
    let inputs = input.inputs(plan.clone())?;
    let check = assess_draw::check_plan(&inputs)?;
    let (review, review_warnings) = super::draw::design_review(&check.reviews)?;
    let problems = [check.problems, review_warnings].concat();
    for line in problem_lines(&problems, verbose, "`--verbose` lists them all") {
        // A problem names the plan (as a compiler names its file); the counts below need not.
        if line.starts_with("error") || line.starts_with("warning") {
            println!("{}: {line}", plan.display());
        } else {
            println!("{line}");
        }
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

/// Warnings alike shown in full before the rest of their kind is counted.
const ALIKE_SHOWN: usize = 3;

/// The problems as lines: every error; warnings in full when `verbose`, else each kind's
/// first few in full and the rest counted, then the count of every kind that was cut short.
pub fn problem_lines(
    problems: &[assess_sampling::Problem],
    verbose: bool,
    all_of_them: &str,
) -> Vec<String> {
    let word = |p: &assess_sampling::Problem| p.worded(crate::hints::remedy);
    if verbose {
        return problems.iter().map(word).collect();
    }
    let groups = assess_sampling::group_alike(problems);
    let mut lines = Vec::new();
    let mut cut = Vec::new();
    for group in &groups {
        let shown = match group[0].severity {
            Severity::Error => group.len(),
            Severity::Warning => group.len().min(ALIKE_SHOWN),
        };
        lines.extend(group[..shown].iter().map(|p| word(p)));
        if group.len() > shown {
            let more = group.len() - shown;
            let like = if more == 1 {
                "warning like it"
            } else {
                "warnings like these"
            };
            lines.push(format!("... and {more} more {like}"));
            cut.push(group);
        }
    }
    if !cut.is_empty() {
        lines.push(format!("warnings by kind ({all_of_them}):"));
        for group in cut {
            let (_, line, text) = group[0].kind();
            let at = line.map(|l| format!("line {l}: ")).unwrap_or_default();
            lines.push(format!("  {:>5} × {at}{text}", group.len()));
        }
    }
    lines
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
