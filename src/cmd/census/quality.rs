//! `assess census quality`: the quality checks of the census store's counties, county by
//! county; flags.csv, enumerators.csv and villages.csv written as one directory, whole or not
//! at all.

use anyhow::Context;
use assess_app::census_quality::check_counties;
use assess_app::census_tables::{QualityCounts, QUALITY_COUNTS};
use assess_census_checks::Quality;
use assess_census_store::Dataset;
use assess_output::{holds_only, StagedDir};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct QualityArgs {
    /// The census store (the directory the ingest writes).
    #[arg(long, value_name = "DIR")]
    store: PathBuf,
    /// Only these counties (6 digits; repeat the option or separate by commas); by default
    /// every county the store holds.
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    county: Vec<String>,
    /// Quality settings (TOML, the form of data/census/quality.toml) instead of the built-in
    /// ones.
    #[arg(long, value_name = "FILE")]
    quality: Option<PathBuf>,
    /// Where to write flags.csv (one row per finding), enumerators.csv and villages.csv (one
    /// row per enumerator and per village): a directory, created if needed.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

pub fn run(a: QualityArgs) -> anyhow::Result<()> {
    let quality = match &a.quality {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Quality::parse(&text, &path.display().to_string())?
        }
        None => Quality::builtin(),
    };
    const FILES: [&str; 4] = [
        "flags.csv",
        "enumerators.csv",
        "villages.csv",
        QUALITY_COUNTS,
    ];
    let ours = |p: &std::path::Path| {
        p.file_name()
            .is_some_and(|n| FILES.iter().any(|f| n == std::ffi::OsStr::new(f)))
    };
    if a.out.exists()
        && !holds_only(&a.out, &ours).with_context(|| format!("cannot read {}", a.out.display()))?
    {
        anyhow::bail!(
            "{} holds other files than a quality run's ({}): give a new or empty directory",
            a.out.display(),
            FILES.join(", ")
        );
    }
    let store = Dataset::open(&a.store)?;
    let held = store.counties();
    let counties = if a.county.is_empty() {
        held
    } else {
        for c in &a.county {
            if !held.contains(c) {
                anyhow::bail!(
                    "county {c} is not in the store {}; it holds {} counties ({})",
                    a.store.display(),
                    held.len(),
                    held.iter().take(10).cloned().collect::<Vec<_>>().join(", ")
                );
            }
        }
        a.county.clone()
    };
    let staged = StagedDir::create(&a.out)?;
    let create = |name: &str| -> anyhow::Result<csv::Writer<std::fs::File>> {
        let path = staged.path().join(name);
        let file = std::fs::File::create(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(csv::Writer::from_writer(file))
    };
    let mut counts = QualityCounts::new(&store)?;
    let (mut flags, mut enumerators, mut villages) =
        (create(FILES[0])?, create(FILES[1])?, create(FILES[2])?);
    let (mut returns_n, mut flags_n, mut flagged_e, mut flagged_v) = (0, 0, 0, 0);
    let mut by_kind = std::collections::BTreeMap::new();
    let bar = crate::cmd::progress::counter("counties");
    check_counties(&store, &counties, &quality, |county, checks, returns| {
        counts
            .counties
            .insert(county.to_string(), checks.counts_by_kind());
        returns_n += returns;
        for f in &checks.flags {
            *by_kind.entry(f.kind.as_str()).or_insert(0) += 1;
            flags.serialize(f)?;
        }
        flags_n += checks.flags.len();
        for e in &checks.enumerators {
            flagged_e += usize::from(e.flagged);
            enumerators.serialize(e)?;
        }
        for v in &checks.villages {
            flagged_v += usize::from(v.flagged);
            villages.serialize(v)?;
        }
        bar.inc(1);
        anyhow::Ok(())
    })?;
    bar.finish_and_clear();
    for w in [flags, enumerators, villages] {
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    }
    assess_output::write_atomic(
        &staged.path().join(QUALITY_COUNTS),
        &serde_json::to_vec_pretty(&counts)?,
    )?;
    staged.commit()?;
    println!(
        "counties: {}, returns: {returns_n}; findings: {flags_n}",
        counties.len()
    );
    for (kind, n) in by_kind {
        println!("  {kind}: {n}");
    }
    println!(
        "enumerators flagged by an outlier test: {flagged_e}; villages: {flagged_v} \
         (alpha {} per county)",
        quality.distribution.alpha
    );
    println!("wrote {}", a.out.display());
    Ok(())
}
