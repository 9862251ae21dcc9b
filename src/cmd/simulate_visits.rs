//! `assess simulate-visits`: visit records for a draw of a synthetic register, simulated from
//! its truth file (labelled as simulated), written as JSON Lines that `assess import-records`
//! takes (`assess_app::field`). The file is written whole or not at all.

use assess_app::field::{self, SimulatedVisits, VisitPlan};
use assess_inspection::Disposition;
use assess_sampling::Role;
use assess_standards::Standards;
use assess_synth::visits::VisitSettings;
use std::collections::HashSet;
use std::path::PathBuf;

/// `assess simulate-visits`
#[derive(clap::Args, Debug)]
pub struct SimulateVisitsArgs {
    /// The draw directory written by `assess draw`.
    #[arg(long)]
    draw: PathBuf,
    /// The synthetic register the draw was made from (`assess synth --out`).
    #[arg(long)]
    register: PathBuf,
    /// Its truth file (`assess synth --truth`).
    #[arg(long)]
    truth: PathBuf,
    /// Seed: the same inputs and seed give the same records.
    #[arg(long)]
    seed: u64,
    /// JSON Lines file to write (replaced if it exists).
    #[arg(long)]
    out: PathBuf,
    /// Probability that a visited household is interviewed (the others refuse or are not
    /// contacted and are replaced by reserves in order).
    #[arg(long, default_value_t = 0.95)]
    response_rate: f64,
    /// Probability that an interviewed household approves (all answers satisfied or
    /// basically satisfied).
    #[arg(long, default_value_t = 0.97)]
    approval_share: f64,
    /// Start of the field work (RFC 3339) [default: 08:30 Beijing time the day after the draw,
    /// from its receipt.json].
    #[arg(long)]
    start: Option<String>,
    /// Income year of the synthetic run (its --income-year; by default the year before
    /// --year, 2017).
    #[arg(long, default_value_t = 2017)]
    income_year: u16,
    /// Field teams sharing the villages.
    #[arg(long, default_value_t = 4)]
    teams: usize,
    /// Standards file (TOML, the layout of data/standards/standards.toml); built-in when absent.
    #[arg(long)]
    standards: Option<PathBuf>,
}

pub fn run(args: SimulateVisitsArgs) -> anyhow::Result<()> {
    let standards = crate::cmd::load_standards(args.standards.as_deref())?;
    let plan = VisitPlan {
        draw: &args.draw,
        register: &args.register,
        truth: &args.truth,
        seed: args.seed,
        start: args.start.clone(),
        settings: VisitSettings {
            response_rate: args.response_rate,
            approval_share: args.approval_share,
            income_year: args.income_year,
            teams: args.teams,
            ..VisitSettings::new("")
        },
        standards: &standards,
    };
    let simulated = field::simulate(&plan)?;
    simulated.write_jsonl(&args.out)?;
    print_summary(&args, &simulated, &standards);
    Ok(())
}

fn print_summary(args: &SimulateVisitsArgs, s: &SimulatedVisits, standards: &Standards) {
    let records = &s.records;
    let count = |d: Disposition| records.iter().filter(|r| r.disposition == d).count();
    let reserve_ids: HashSet<&str> = s
        .draw
        .households
        .iter()
        .filter(|h| h.role == Role::Reserve)
        .map(|h| h.household_id.as_str())
        .collect();
    let reserves = records
        .iter()
        .filter(|r| reserve_ids.contains(r.household_id.as_str()))
        .count();
    println!(
        "simulated {} visits to draw {}: {} complete, {} refused, {} non-contact, {reserves} reserves used; field work from {}",
        records.len(),
        s.draw.manifest.sample_sha256,
        count(Disposition::Complete),
        count(Disposition::Refused),
        count(Disposition::NonContact),
        s.start,
    );
    let f = s.findings(standards);
    println!(
        "findings as the truth has them: wrong exit {} of {}, missed {} of {}, still poor {} of {}",
        f.wrong_exit.0, f.wrong_exit.1, f.missed.0, f.missed.1, f.still_poor.0, f.still_poor.1
    );
    println!("wrote {}", args.out.display());
    println!(
        "these records are SIMULATED from the synthetic truth (teams simulated-1.., interviewers \"simulated A\"/\"simulated B\", note \"simulated\"): they are not field visits"
    );
}
