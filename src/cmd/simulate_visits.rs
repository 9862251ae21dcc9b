//! `assess simulate-visits`: visit records for a draw of a synthetic register, simulated from
//! its truth file (labelled as simulated), written as JSON Lines that `assess import-records`
//! takes. The file is written under a temporary name next to its target and renamed at the
//! end, so an error never leaves a half-written file behind.

use anyhow::{bail, Context};
use assess_inspection::{Answer, Disposition, Outcome, VisitRecord};
use assess_sampling::Role;
use assess_synth::visits::{self, VisitSettings};
use std::collections::HashSet;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

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
    let draw = assess_draw::load_draw_dir(&args.draw)?;
    let drawn_at = assess_draw::read_receipt(&args.draw)?.map(|r| r.drawn_at);
    let start = match (&args.start, &drawn_at) {
        (Some(s), _) => s.clone(),
        (None, Some(d)) => visits::start_after(d)
            .with_context(|| format!("the draw's receipt time {d:?} is not RFC 3339"))?,
        (None, None) => bail!(
            "{} has no receipt.json saying when the draw was made: give the start of the field work with --start",
            args.draw.display()
        ),
    };
    if let Some(d) = &drawn_at {
        let (s, t) = (
            assess_inspection::parse_rfc3339(&start),
            assess_inspection::parse_rfc3339(d),
        );
        if let (Some(s), Some(t)) = (s, t) {
            if s < t {
                bail!("--start {start} is before the draw was made ({d}): a household cannot be visited before it is drawn");
            }
        }
    }
    let wanted: HashSet<String> = draw
        .households
        .iter()
        .map(|h| h.household_id.to_string())
        .collect();
    let open = |path: &Path| {
        std::fs::File::open(path)
            .map(BufReader::new)
            .with_context(|| format!("cannot open {}", path.display()))
    };
    let register = visits::read_register(open(&args.register)?, Some(&wanted))
        .with_context(|| format!("in {}", args.register.display()))?;
    let truth = visits::read_truth(open(&args.truth)?, Some(&wanted))
        .with_context(|| format!("in {}", args.truth.display()))?;
    let settings = VisitSettings {
        response_rate: args.response_rate,
        approval_share: args.approval_share,
        start: start.clone(),
        income_year: args.income_year,
        teams: args.teams,
    };
    let records = visits::simulate_visits(
        &draw.manifest.sample_sha256,
        &draw.households,
        &register,
        &truth,
        &standards,
        args.seed,
        &settings,
    )?;
    write_atomically(&args.out, &records)?;
    print_summary(&args, &draw, &standards, &start, &records);
    Ok(())
}

/// One record per line, to `.NAME.PID.tmp` next to `path`, then renamed over it.
fn write_atomically(path: &Path, records: &[VisitRecord]) -> anyhow::Result<()> {
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file path", path.display()))?;
    let tmp = path.with_file_name(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> anyhow::Result<()> {
        let file = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        let mut w = BufWriter::new(file);
        for r in records {
            serde_json::to_writer(&mut w, r).context("writing a visit record")?;
            w.write_all(b"\n")?;
        }
        w.into_inner()
            .map_err(|e| e.into_error())?
            .sync_all()
            .with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path)
            .with_context(|| format!("cannot move {} to {}", tmp.display(), path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn print_summary(
    args: &SimulateVisitsArgs,
    draw: &assess_draw::DrawDir,
    standards: &assess_standards::Standards,
    start: &str,
    records: &[VisitRecord],
) {
    let count = |d: Disposition| records.iter().filter(|r| r.disposition == d).count();
    let reserve_ids: HashSet<&str> = draw
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
        "simulated {} visits to draw {}: {} complete, {} refused, {} non-contact, {reserves} reserves used; field work from {start}",
        records.len(),
        draw.manifest.sample_sha256,
        count(Disposition::Complete),
        count(Disposition::Refused),
        count(Disposition::NonContact),
    );
    let mut tally = [("wrong exit", 0, 0), ("missed", 0, 0), ("still poor", 0, 0)];
    for r in records {
        let Some(h) = &r.household else { continue };
        let Ok(j) = assess_inspection::judge(h, standards) else {
            continue;
        };
        let (i, a) = match j.outcome {
            Outcome::WronglyExited(a) => (0, a),
            Outcome::Missed(a) => (1, a),
            Outcome::StillPoor(a) => (2, a),
        };
        tally[i].2 += 1;
        if a == Answer::Yes {
            tally[i].1 += 1;
        }
    }
    let found: Vec<String> = tally
        .iter()
        .map(|(name, yes, of)| format!("{name} {yes} of {of}"))
        .collect();
    println!("findings as the truth has them: {}", found.join(", "));
    println!("wrote {}", args.out.display());
    println!(
        "these records are SIMULATED from the synthetic truth (teams simulated-1.., interviewers \"simulated A\"/\"simulated B\", note \"simulated\"): they are not field visits"
    );
}
