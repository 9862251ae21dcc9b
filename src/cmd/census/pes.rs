//! `assess census pes draw|simulate|estimate`: the census's post-enumeration survey
//! (docs/census.md, "Post-enumeration survey"). Thin: each verb calls
//! `assess_app::census_pes` and writes its files whole or not at all.

use anyhow::Context;
use assess_app::census_ingest::Format;
use assess_app::census_pes::{self, EstimateRequest, PesUseError};
use assess_census::write_jsonl;
use assess_output::{write_atomic, AtomicFile};
use assess_register::EncodingChoice;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum PesCmd {
    /// Draw each county's re-interview sample from the census store: the households with the
    /// lowest tickets of the seed (anyone with the seed can re-draw it).
    Draw(DrawArgs),
    /// SIMULATE re-interviews of a sample from the census returns, each answer changed at a
    /// rate (for tests and training; the truth file lists the changes).
    Simulate(SimulateArgs),
    /// Estimate each county's census error rate by item (disagreement between the census and
    /// the re-interview) with its interval.
    Estimate(EstimateArgs),
}

#[derive(clap::Args)]
pub struct DrawArgs {
    /// The census store.
    #[arg(long, value_name = "DIR")]
    store: PathBuf,
    /// The PES seed (at least 64 bits: 25 dice rolls, 16 random hex digits).
    #[arg(long)]
    seed: String,
    /// Households drawn per county.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    per_county: u32,
    /// Only these counties (6 digits; repeat the option); every county of the store when absent.
    #[arg(long = "county", value_name = "CODE")]
    counties: Vec<String>,
    /// The sample (CSV).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

#[derive(clap::Args)]
pub struct SimulateArgs {
    /// The census returns files the sample was drawn from (CSV, JSON Lines or XLSX).
    #[arg(long = "returns", value_name = "FILE", required = true)]
    returns: Vec<PathBuf>,
    /// The sample that `pes draw` wrote.
    #[arg(long, value_name = "FILE")]
    sample: PathBuf,
    /// Chance that a re-interview gives another answer, per answer.
    #[arg(long, value_parser = rate)]
    rate: f64,
    /// The simulation's seed.
    #[arg(long)]
    seed: u64,
    /// The re-interviews (JSON Lines).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The answers changed (CSV: county_code, household_id, return_id, changed).
    #[arg(long, value_name = "FILE")]
    truth: PathBuf,
}

#[derive(clap::Args)]
pub struct EstimateArgs {
    /// The census store.
    #[arg(long, value_name = "DIR")]
    store: PathBuf,
    /// The PES seed the sample was drawn with.
    #[arg(long)]
    seed: String,
    /// Households drawn per county, as in the draw.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    per_county: u32,
    /// The re-interviews (CSV, JSON Lines or XLSX; repeat the option).
    #[arg(long = "reinterviews", value_name = "FILE", required = true)]
    reinterviews: Vec<PathBuf>,
    /// Confidence of the intervals.
    #[arg(long, default_value_t = 0.95, value_parser = rate)]
    confidence: f64,
    /// The rates (CSV: one row per county and item, then all counties).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The report as JSON as well.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

fn rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("{s:?}: give a number from 0 to 1")),
    }
}

pub fn run(cmd: PesCmd) -> anyhow::Result<()> {
    match cmd {
        PesCmd::Draw(a) => draw(a),
        PesCmd::Simulate(a) => simulate(a),
        PesCmd::Estimate(a) => estimate(a),
    }
}

fn draw(a: DrawArgs) -> anyhow::Result<()> {
    let sample =
        census_pes::draw_sample(&a.store, &a.seed, a.per_county, &a.counties).map_err(hint)?;
    let mut w = csv::Writer::from_writer(Vec::new());
    for s in &sample {
        w.serialize(s)?;
    }
    write_atomic(&a.out, &w.into_inner()?)?;
    let counties = sample
        .iter()
        .map(|s| &s.county_code)
        .collect::<std::collections::BTreeSet<_>>();
    println!(
        "drew {} households in {} counties; wrote {}",
        sample.len(),
        counties.len(),
        a.out.display()
    );
    Ok(())
}

fn simulate(a: SimulateArgs) -> anyhow::Result<()> {
    let sample = census_pes::read_sample(&a.sample)?;
    let sims = census_pes::simulate(
        &a.returns,
        Format::Auto,
        EncodingChoice::Auto,
        &sample,
        a.rate,
        a.seed,
    )
    .map_err(hint)?;
    let mut out = AtomicFile::create(&a.out)?;
    let mut truth = csv::Writer::from_writer(Vec::new());
    truth.write_record(["county_code", "household_id", "return_id", "changed"])?;
    let mut changed = 0;
    for (d, s) in sample.iter().zip(&sims) {
        write_jsonl(&mut out, &s.reinterview).context("writing the re-interviews")?;
        for c in &s.changed {
            truth.write_record([&d.county_code, &d.household_id, &d.return_id, *c])?;
            changed += 1;
        }
    }
    write_atomic(&a.truth, &truth.into_inner()?)?;
    out.commit()?;
    println!(
        "SIMULATED {} re-interviews, {changed} answers changed; wrote {} and {}",
        sims.len(),
        a.out.display(),
        a.truth.display()
    );
    Ok(())
}

fn estimate(a: EstimateArgs) -> anyhow::Result<()> {
    let standards = assess_standards::Standards::builtin();
    let req = EstimateRequest {
        store: &a.store,
        seed: &a.seed,
        per_county: a.per_county,
        reinterviews: &a.reinterviews,
        format: Format::Auto,
        encoding: EncodingChoice::Auto,
        confidence: a.confidence,
    };
    let report = census_pes::estimate(&req, &standards).map_err(hint)?;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "county_code",
        "frame_size",
        "drawn",
        "reinterviewed",
        "item",
        "compared",
        "disagreements",
        "estimate",
        "lci",
        "uci",
    ])?;
    let levels = report
        .counties
        .iter()
        .map(|c| &c.rates)
        .chain([&report.all]);
    for c in levels {
        for r in std::iter::once(&c.any).chain(&c.items) {
            w.write_record([
                c.county_code.clone(),
                c.frame_size.to_string(),
                c.drawn.to_string(),
                c.reinterviewed.to_string(),
                r.item.to_string(),
                r.compared.to_string(),
                r.disagreements.to_string(),
                format!("{:.6}", r.estimate),
                format!("{:.6}", r.lci),
                format!("{:.6}", r.uci),
            ])?;
        }
    }
    if let Some(path) = &a.json {
        write_atomic(path, &serde_json::to_vec_pretty(&report)?)?;
    }
    write_atomic(&a.out, &w.into_inner()?)?;
    let all = &report.all;
    println!(
        "{} counties, {} of {} drawn households re-interviewed; any item disagreeing: {:.2}% ({:.2}%-{:.2}%, {:.0}% interval)",
        report.counties.len(),
        all.reinterviewed,
        all.drawn,
        100.0 * all.any.estimate,
        100.0 * all.any.lci,
        100.0 * all.any.uci,
        100.0 * report.confidence
    );
    for c in report
        .counties
        .iter()
        .filter(|c| !c.not_reinterviewed.is_empty())
    {
        println!(
            "county {}: {} drawn households not re-interviewed (taken as missing at random)",
            c.rates.county_code,
            c.not_reinterviewed.len()
        );
    }
    println!("wrote {}", a.out.display());
    Ok(())
}

/// Every refused re-interview is listed, not only the first.
fn hint(e: PesUseError) -> anyhow::Error {
    match e {
        PesUseError::Refused(list) => {
            let mut text = format!("{} re-interview(s) or return(s) refused:", list.len());
            for e in list.iter().take(20) {
                text.push_str(&format!("\n  {e}"));
            }
            if list.len() > 20 {
                text.push_str(&format!("\n  ... and {} more", list.len() - 20));
            }
            anyhow::anyhow!(text)
        }
        PesUseError::WeakSeed { .. } => anyhow::Error::new(e).context("--seed is too weak"),
        other => other.into(),
    }
}
