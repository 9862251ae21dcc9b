//! `assess census tables`: the national, provincial and county tables of the census store
//! (tables.xlsx, summary.html, tables.json, coverage.csv), written as a directory, whole or
//! not at all (docs/census.md, "Tables").

use crate::cmd::progress;
use anyhow::{bail, Context};
use assess_app::census_tables::{Counting, QualityCounts};
use assess_census_checks::Quality;
use assess_census_store::{write_rows, Dataset, ExportCell};
use assess_census_tables::{
    coverage_csv, flat_table, summary_html, tables_xlsx, Cell, CountyCoverage, Tables,
};
use assess_output::StagedDir;
use assess_report::Lang;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct TablesArgs {
    /// The census store: the directory the census ingest writes.
    #[arg(long, value_name = "DIR")]
    store: PathBuf,
    /// The directory to write: tables.xlsx, summary.html, tables.json and coverage.csv.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Language of the summary page (the workbook has both).
    #[arg(long, value_enum, default_value = "zh")]
    lang: Lang,
    /// Take the quality columns from a quality run of the same store (the directory
    /// `assess census quality --out` wrote) instead of running the checks again; refused if
    /// the store has changed since.
    #[arg(long, value_name = "DIR")]
    quality_from: Option<PathBuf>,
    /// Replace an earlier output in --out.
    #[arg(long)]
    force: bool,
}

/// Every county of the store counted (see [`assess_app::census_tables::tabulate`]), with a
/// progress bar; `each` is given each county's coverage as it is made, on any thread.
pub fn tabulate(
    store: &Path,
    counting: Counting,
    each: &(dyn Fn(&CountyCoverage) -> anyhow::Result<()> + Sync),
) -> anyhow::Result<Tables> {
    let bar = progress::counter("counties");
    let started = std::time::Instant::now();
    let each = |c: &CountyCoverage| each(c).map_err(|e| format!("{e:#}"));
    let tables = assess_app::census_tables::tabulate(store, counting, &each, &|| bar.inc(1))?;
    bar.finish_and_clear();
    // Where the time goes (docs/benchmarks.md): the counting apart from the writing.
    tracing::info!(
        counties = tables.counties.len(),
        seconds = started.elapsed().as_secs_f64(),
        "read and counted the store"
    );
    Ok(tables)
}

/// Refuses an output directory that holds anything but `ours`, or an earlier output without
/// `force`.
pub fn check_out(out: &Path, force: bool, ours: &dyn Fn(&Path) -> bool) -> anyhow::Result<()> {
    if !out.exists() {
        return Ok(());
    }
    let empty = std::fs::read_dir(out)
        .with_context(|| format!("cannot read {}", out.display()))?
        .next()
        .is_none();
    if empty {
        return Ok(());
    }
    if !assess_output::holds_only(out, ours)
        .with_context(|| format!("cannot read {}", out.display()))?
    {
        bail!(
            "{} holds files that are not census tables; give an empty or new directory",
            out.display()
        );
    }
    if !force {
        bail!(
            "{} holds earlier census tables; give --force to replace them, or another directory",
            out.display()
        );
    }
    Ok(())
}

const FILES: [&str; 5] = [
    "tables.xlsx",
    "summary.html",
    "tables.json",
    "coverage.csv",
    "parquet",
];

pub fn run(a: TablesArgs) -> anyhow::Result<()> {
    check_out(&a.out, a.force, &|p| {
        // The Parquet dataset's own tree: parquet/{counties,provinces,national}/...
        p.starts_with("parquet") || p.to_str().is_some_and(|name| FILES.contains(&name))
    })?;
    let builtin = Quality::builtin();
    let counts = match &a.quality_from {
        Some(dir) => Some(QualityCounts::read(dir, &Dataset::open(&a.store)?)?),
        None => None,
    };
    let counting = match &counts {
        Some(counts) => Counting::TablesWithCounts(&counts.counties),
        None => Counting::TablesWithQuality(&builtin),
    };
    let t = tabulate(&a.store, counting, &|_| Ok(()))?;
    let started = std::time::Instant::now();
    let staged = StagedDir::create(&a.out)?;
    // The workbook (its zip compression the most of the writing) on one core, the rest on
    // the other.
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let workbook = scope.spawn(|| -> anyhow::Result<()> {
            staged.write("tables.xlsx", &tables_xlsx(&t)?)?;
            Ok(())
        });
        staged.write("tables.json", &serde_json::to_vec(&t)?)?;
        staged.write("coverage.csv", &coverage_csv(Vec::new(), &t)?)?;
        write_parquet_tables(&staged.path().join("parquet"), &t)?;
        staged.write("summary.html", summary(&t, a.lang)?.as_bytes())?;
        workbook
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })?;
    staged.commit()?;
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "wrote the tables"
    );
    let n = &t.national;
    let c = &n.coverage;
    println!(
        "counties: {}, provinces: {}; registered {}, enumerated {}, dissolved {}, moved out {}, missing {}, duplicated {}, not registered {}",
        t.counties.len(),
        t.provinces.len(),
        c.registered,
        c.enumerated,
        c.dissolved,
        c.moved_out,
        c.missing,
        c.duplicated,
        c.not_registered
    );
    if let Some(share) = n.attainment[6].share() {
        println!(
            "all five guarantees met: {:.2}% of {} households counted",
            share * 100.0,
            n.households
        );
    }
    if let Some(m) = n.income.median {
        println!("median income per person: {m:.2} yuan");
    }
    println!("wrote {}", a.out.join("tables.xlsx").display());
    println!("wrote {}", a.out.join("summary.html").display());
    println!(
        "wrote {} (counties by province and county, provinces, national)",
        a.out.join("parquet").display()
    );
    Ok(())
}

/// The summary page: the tables and the counties' boundaries (embedded) on its maps.
fn summary(t: &Tables, lang: Lang) -> anyhow::Result<String> {
    let (focus, poverty) = (
        assess_photo::Boundaries::focus_shared()?,
        assess_photo::Boundaries::poverty_shared()?,
    );
    let shapes: BTreeMap<String, _> = t
        .counties
        .iter()
        .filter_map(|c| {
            let b = focus
                .county(&c.code)
                .or_else(|_| poverty.county(&c.code))
                .ok()?;
            Some((c.code.clone(), &b.shape))
        })
        .collect();
    Ok(summary_html(t, &shapes, lang))
}

/// The tables as a Parquet dataset that DuckDB, Spark and Trino read as they are:
/// `counties/province=PP/county=CCCCCC/part-0.parquet`, `provinces/province=PP/part-0.parquet`
/// and `national/part-0.parquet` (docs/census.md, "Tables").
fn write_parquet_tables(dir: &Path, t: &Tables) -> anyhow::Result<()> {
    let quality: Vec<String> = {
        let mut kinds: Vec<String> = t.national.quality.keys().cloned().collect();
        kinds.sort();
        kinds
    };
    let export = |cells: Vec<Cell>| -> Vec<ExportCell> {
        cells
            .into_iter()
            .map(|c| match c {
                Cell::Text(s) => ExportCell::Text(s),
                Cell::Int(n) => ExportCell::Int(i64::try_from(n).unwrap_or(i64::MAX)),
                Cell::Num(x) => ExportCell::Num(x),
            })
            .collect()
    };
    for c in &t.counties {
        let (names, mut rows) = flat_table([c], &quality);
        let part = dir
            .join("counties")
            .join(format!("province={}", &c.code[..2]))
            .join(format!("county={}", c.code))
            .join("part-0.parquet");
        write_rows(&part, &names, &[export(rows.remove(0))])?;
    }
    for p in &t.provinces {
        let (names, mut rows) = flat_table([p], &quality);
        let part = dir
            .join("provinces")
            .join(format!("province={}", p.code))
            .join("part-0.parquet");
        write_rows(&part, &names, &[export(rows.remove(0))])?;
    }
    let (names, mut rows) = flat_table([&t.national], &quality);
    write_rows(
        &dir.join("national").join("part-0.parquet"),
        &names,
        &[export(rows.remove(0))],
    )?;
    Ok(())
}
