//! `assess census tables`: the national, provincial and county tables of the census store
//! (tables.xlsx, summary.html, tables.json, coverage.csv), written as a directory, whole or
//! not at all (docs/census.md, "Tables").

use crate::cmd::progress;
use anyhow::{bail, Context};
use assess_census_checks::{check_county, Quality};
use assess_census_store::{write_rows, Dataset, ExportCell};
use assess_census_tables::{
    coverage_csv, flat_table, summary_html, tables_xlsx, Cell, CensusTables, CountyCoverage, Tables,
};
use assess_output::{write_atomic, StagedDir};
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
    /// Replace an earlier output in --out.
    #[arg(long)]
    force: bool,
}

/// Every county of the store counted (and checked, with `quality`: the flags by kind go into
/// the tables); `each` is given each county's coverage as it is made.
pub fn tabulate(
    store: &Path,
    quality: Option<&Quality>,
    mut each: impl FnMut(&CountyCoverage) -> anyhow::Result<()>,
) -> anyhow::Result<Tables> {
    let ds = Dataset::open(store)?;
    let counties = ds.counties();
    if counties.is_empty() {
        bail!("the census store {} holds no county yet", store.display());
    }
    let bar = progress::counter("counties");
    let mut tables = CensusTables::new();
    for county in &counties {
        let register = ds.register(county)?;
        if register.is_empty() {
            bail!(
                "county {county} has returns in the census store {} but no register: load \
                 its register with `assess census ingest --store DIR --register FILE` first \
                 (coverage is counted against it)",
                store.display()
            );
        }
        let returns = ds.returns(county)?;
        let coverage = tables
            .add_county(county, &register, &returns)
            .with_context(|| format!("counting county {county}"))?;
        each(&coverage)?;
        // The quality checks' counts by kind, for the tables' quality columns.
        let Some(quality) = quality else {
            bar.inc(1);
            continue;
        };
        let checks = check_county(&returns, &register, quality)
            .with_context(|| format!("checking county {county}"))?;
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for f in &checks.flags {
            *counts.entry(f.kind.as_str().to_string()).or_default() += 1;
        }
        let outliers = checks.enumerators.iter().filter(|e| e.flagged).count() as u64;
        counts.insert("outlier_enumerators".into(), outliers);
        tables.add_quality(county, counts)?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(tables.finish())
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
    let t = tabulate(&a.store, Some(&Quality::builtin()), |_| Ok(()))?;
    let staged = StagedDir::create(&a.out)?;
    let dir = staged.path();
    write_atomic(&dir.join("tables.xlsx"), &tables_xlsx(&t)?)?;
    let json = serde_json::to_vec_pretty(&t)?;
    write_atomic(&dir.join("tables.json"), &json)?;
    write_atomic(&dir.join("coverage.csv"), &coverage_csv(Vec::new(), &t)?)?;
    write_parquet_tables(&dir.join("parquet"), &t)?;
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
    write_atomic(
        &dir.join("summary.html"),
        summary_html(&t, &shapes, a.lang).as_bytes(),
    )?;
    staged.commit()?;
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
