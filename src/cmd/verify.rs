//! `assess verify`: a draw recomputed from its inputs and seeds, every difference named.

use super::draw::{InputArgs, SeedArgs};
use anyhow::{bail, Context};
use assess_draw::Seeds;
use std::path::PathBuf;

/// `assess verify`
#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// Directory written by `assess draw`.
    dir: PathBuf,
    /// Sampling plan (TOML).
    #[arg(long)]
    plan: PathBuf,
    #[command(flatten)]
    input: InputArgs,
    /// The seeds, as published after fieldwork.
    #[command(flatten)]
    seeds: SeedArgs,
}

pub fn run_verify(args: VerifyArgs) -> anyhow::Result<()> {
    let inputs = args.input.inputs(args.plan.clone())?;
    let seeds = Seeds {
        village: args.seeds.seed,
        household: args.seeds.household_seed,
        publish: false,
    };
    let diffs = assess_draw::verify(&args.dir, &inputs, &seeds)
        .with_context(|| format!("verifying {}", args.dir.display()))?;
    if diffs.is_empty() {
        println!(
            "verified: {} is exactly the draw these inputs and seeds give",
            args.dir.display()
        );
        return Ok(());
    }
    for d in &diffs {
        println!("{d}");
    }
    bail!(
        "{} differs from its recomputation in {} ways (listed above)",
        args.dir.display(),
        diffs.len()
    )
}
