//! `assess census coverage`: the census store counted against its register, by village,
//! township, county, province and nation (coverage.csv), and each county's follow-up list of
//! the missing (missing/COUNTY.csv and .xlsx), written as a directory, whole or not at all
//! (docs/census.md, "Coverage").

use crate::cmd::census::tables::{check_out, tabulate};
use assess_app::census_tables::Counting;
use assess_census_tables::{coverage_csv, missing_csv, missing_xlsx};
use assess_output::StagedDir;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(clap::Args)]
pub struct CoverageArgs {
    /// The census store: the directory the census ingest writes.
    #[arg(long, value_name = "DIR")]
    store: PathBuf,
    /// The directory to write: coverage.csv, and missing/COUNTY.csv and missing/COUNTY.xlsx
    /// for each county with households missing.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Replace an earlier output in --out.
    #[arg(long)]
    force: bool,
}

/// What this command writes: coverage.csv, missing/, missing/CCCCCC.csv|xlsx.
fn ours(p: &Path) -> bool {
    let parts: Vec<_> = p.components().collect();
    let name = |c: &Component| c.as_os_str().to_str().unwrap_or("").to_string();
    match parts.as_slice() {
        [one] => matches!(name(one).as_str(), "coverage.csv" | "missing"),
        [dir, file] if name(dir) == "missing" => {
            let f = name(file);
            let (stem, ext) = f.rsplit_once('.').unwrap_or(("", ""));
            stem.len() == 6
                && stem.bytes().all(|b| b.is_ascii_digit())
                && matches!(ext, "csv" | "xlsx")
        }
        _ => false,
    }
}

pub fn run(a: CoverageArgs) -> anyhow::Result<()> {
    check_out(&a.out, a.force, &ours)?;
    let staged = StagedDir::create(&a.out)?;
    std::fs::create_dir_all(staged.path().join("missing"))?;
    let lists = AtomicUsize::new(0);
    let t = tabulate(&a.store, Counting::Coverage, &|c| {
        if c.missing.is_empty() {
            return Ok(());
        }
        // The county code is six digits (the store checks its partitions' names).
        let list = |ext: &str| format!("missing/{}.{ext}", c.county_code);
        staged.write(list("csv"), &missing_csv(Vec::new(), &c.missing)?)?;
        if c.missing.len() <= assess_census_tables::XLSX_MAX_ROWS {
            staged.write(list("xlsx"), &missing_xlsx(&c.county_code, &c.missing)?)?;
        }
        lists.fetch_add(1, Ordering::Relaxed);
        Ok(())
    })?;
    let lists = lists.into_inner();
    staged.write("coverage.csv", &coverage_csv(Vec::new(), &t)?)?;
    staged.commit()?;
    let c = &t.national.coverage;
    println!(
        "registered {}: enumerated {}, dissolved {}, moved out {}, missing {}",
        c.registered, c.enumerated, c.dissolved, c.moved_out, c.missing
    );
    if let Some(rate) = c.coverage_rate() {
        println!("coverage: {:.2}%", rate * 100.0);
    }
    println!(
        "duplicated households: {} ({} extra returns); households not in the register: {}",
        c.duplicated, c.extra_returns, c.not_registered
    );
    println!("follow-up lists: {lists} counties with households missing");
    println!("wrote {}", a.out.join("coverage.csv").display());
    Ok(())
}
