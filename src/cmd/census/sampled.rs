//! `assess census sampled`: weighted estimates for all non-poverty counties from the
//! stratified cluster sample of them that the census enumerated (estimates.csv and
//! estimates.json, written as a directory, whole or not at all; docs/census.md, "Sampled
//! non-poverty counties").

use crate::cmd::progress;
use anyhow::{bail, Context};
use assess_census_store::Dataset;
use assess_census_tables::{parse_design, sampled_csv, SampledEstimator};
use assess_output::{write_atomic, StagedDir};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct SampledArgs {
    /// The census store: the directory the census ingest writes, holding the drawn counties'
    /// returns and registers.
    #[arg(long, value_name = "DIR")]
    store: PathBuf,
    /// The county sample (CSV): county_code,stratum,stratum_counties (or 县代码,层,层内县数),
    /// one drawn county a line; stratum_counties counts the stratum's counties, drawn or not.
    #[arg(long, value_name = "FILE")]
    design: PathBuf,
    /// The directory to write: estimates.csv and estimates.json.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Confidence level of the Korn-Graubard intervals.
    #[arg(long, default_value_t = 0.95, value_parser = confidence)]
    confidence: f64,
    /// Replace an earlier output in --out.
    #[arg(long)]
    force: bool,
}

fn confidence(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(c) if c > 0.0 && c < 1.0 => Ok(c),
        _ => Err(format!(
            "{s:?} is not a confidence level; give a number between 0 and 1, such as 0.95"
        )),
    }
}

const FILES: [&str; 2] = ["estimates.csv", "estimates.json"];

/// Refuses an output directory that holds anything but our files, or our files without
/// `force`.
fn check_out(out: &Path, force: bool) -> anyhow::Result<()> {
    if !out.exists() {
        return Ok(());
    }
    let cannot = || format!("cannot read {}", out.display());
    if std::fs::read_dir(out)
        .with_context(cannot)?
        .next()
        .is_none()
    {
        return Ok(());
    }
    let ours = |p: &Path| p.to_str().is_some_and(|name| FILES.contains(&name));
    if !assess_output::holds_only(out, &ours).with_context(cannot)? {
        bail!(
            "{} holds files that are not sampled-county estimates; give an empty or new directory",
            out.display()
        );
    }
    if !force {
        bail!(
            "{} holds earlier sampled-county estimates; give --force to replace them, or another directory",
            out.display()
        );
    }
    Ok(())
}

pub fn run(a: SampledArgs) -> anyhow::Result<()> {
    check_out(&a.out, a.force)?;
    let text = std::fs::read(&a.design)
        .with_context(|| format!("cannot read the design file {}", a.design.display()))?;
    let design = parse_design(&text).with_context(|| a.design.display().to_string())?;
    let mut est = SampledEstimator::new(&design)
        .with_context(|| format!("{}: the county sample", a.design.display()))?;
    let ds = Dataset::open(&a.store)?;
    let held = ds.counties();
    let drawn: Vec<String> = est.counties().map(str::to_string).collect();
    if let Some(c) = drawn.iter().find(|c| held.binary_search(c).is_err()) {
        bail!(
            "{}: county {c} of the county sample is not in the census store {}; ingest its \
             returns and register with `assess census ingest`, or correct the design file",
            a.design.display(),
            a.store.display()
        );
    }
    let bar = progress::counter("counties");
    for county in &drawn {
        let register = ds.register(county)?;
        if register.is_empty() {
            bail!(
                "county {county} has returns in the census store {} but no register: load \
                 its register with `assess census ingest --store DIR --register FILE` first \
                 (the registered households are the ones estimated)",
                a.store.display()
            );
        }
        let returns = ds.returns(county)?;
        est.add_county(county, &register, &returns)?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    let e = est.finish(a.confidence)?;
    let staged = StagedDir::create(&a.out)?;
    let dir = staged.path();
    write_atomic(&dir.join("estimates.csv"), &sampled_csv(&e)?)?;
    write_atomic(&dir.join("estimates.json"), &serde_json::to_vec_pretty(&e)?)?;
    staged.commit()?;
    let d = &e.design;
    println!(
        "strata: {}, counties drawn: {} of {}, registered households enumerated: {}",
        d.strata, d.counties_drawn, d.counties_in_strata, d.households
    );
    for r in &e.estimates {
        if let (Some(p), Some(lci), Some(uci)) = (r.estimate, r.lci, r.uci) {
            println!(
                "{}: {:.2}% [{:.2}%, {:.2}%] of {} households",
                r.indicator,
                p * 100.0,
                lci * 100.0,
                uci * 100.0,
                r.n
            );
        }
    }
    for f in FILES {
        println!("wrote {}", a.out.join(f).display());
    }
    Ok(())
}
