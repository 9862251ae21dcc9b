//! `assess census coverage` and `assess census tables` on a synthetic census ingested by the
//! real `assess census ingest`: the follow-up lists are exactly the truth's `not_enumerated`
//! households, the coverage CSV and the tables workbook agree with them, the summary shows
//! every county; the tables made with a quality run's counts are the tables made with the
//! checks; an output directory holding other files is refused and left as it was.

use crate::util::assess;
use calamine::{Data, Reader, Xlsx};
use std::collections::BTreeSet;
use std::path::Path;

fn truth_missing(truth: &Path) -> BTreeSet<(String, String)> {
    let mut r = csv::Reader::from_path(truth).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (f, c, id) = (col("fault"), col("county_code"), col("household_id"));
    r.records()
        .map(|x| x.unwrap())
        .filter(|x| &x[f] == "not_enumerated")
        .map(|x| (x[c].to_string(), x[id].to_string()))
        .collect()
}

#[test]
fn coverage_and_tables_of_an_ingested_synthetic_census() {
    let dir = tempfile::tempdir().unwrap();
    let p = |s: &str| dir.path().join(s);
    crate::util::synth_census(
        dir.path(),
        "530128,530129",
        3000,
        3,
        &["--census-not-enumerated-rate", "0.05"],
    );
    crate::util::ingest_census(dir.path(), true);

    let out = assess()
        .args(["census", "coverage", "--store"])
        .arg(p("store"))
        .arg("--out")
        .arg(p("coverage"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = truth_missing(&p("truth.csv"));
    assert!(expected.len() > 20, "{}", expected.len());
    let mut found = BTreeSet::new();
    for county in ["530128", "530129"] {
        let mut r = csv::Reader::from_path(p(&format!("coverage/missing/{county}.csv"))).unwrap();
        for row in r.records() {
            found.insert((county.to_string(), row.unwrap()[0].to_string()));
        }
        let bytes = std::fs::read(p(&format!("coverage/missing/{county}.xlsx"))).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = wb.worksheet_range("未普查 Missing").unwrap();
        let n = expected.iter().filter(|(c, _)| c == county).count();
        assert_eq!(range.height(), 2 + n, "{county}");
    }
    assert_eq!(found, expected);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(&format!("missing {}", expected.len())),
        "{stdout}"
    );
    let coverage = std::fs::read_to_string(p("coverage/coverage.csv")).unwrap();
    let national = coverage.lines().nth(1).unwrap();
    assert!(national.starts_with("national,,全国,"), "{national}");
    assert_eq!(
        national.split(',').nth(7).unwrap(),
        expected.len().to_string()
    );

    assess()
        .args(["census", "tables", "--store"])
        .arg(p("store"))
        .arg("--out")
        .arg(p("tables"))
        .assert()
        .success();
    // Coverage read six columns, the tables every column: the same coverage.
    assert_eq!(
        std::fs::read_to_string(p("tables/coverage.csv")).unwrap(),
        coverage
    );
    let bytes = std::fs::read(p("tables/tables.xlsx")).unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let counties = wb.worksheet_range("县 Counties").unwrap();
    assert_eq!(counties.height(), 2 + 2);
    assert_eq!(counties.get((2, 0)), Some(&Data::String("530128".into())));
    let html = std::fs::read_to_string(p("tables/summary.html")).unwrap();
    for county in ["530128", "530129"] {
        assert!(html.contains(&format!(r#"<tr data-code="{county}">"#)));
        assert_eq!(
            html.matches(&format!(r#"data-county="{county}""#)).count(),
            2
        );
    }
    duckdb_reads_the_tables_with_the_same_totals(&p("tables"));
    // The quality checks' counts are in the tables: every planted duplicate is counted.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p("tables/tables.json")).unwrap()).unwrap();
    let planted_duplicates = std::fs::read_to_string(p("truth.csv"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("duplicate,"))
        .count() as u64;
    assert_eq!(
        json["national"]["quality"]["duplicate"].as_u64(),
        Some(planted_duplicates)
    );
    // The same tables with the counts of a quality run instead of checks run again.
    assess()
        .args(["census", "quality", "--store"])
        .arg(p("store"))
        .arg("--out")
        .arg(p("quality"))
        .assert()
        .success();
    let tables_from = |out: &str| {
        let mut cmd = assess();
        cmd.args(["census", "tables", "--store"])
            .arg(p("store"))
            .arg("--quality-from")
            .arg(p("quality"))
            .arg("--out")
            .arg(p(out));
        cmd
    };
    tables_from("tables-q").assert().success();
    assert_eq!(
        std::fs::read_to_string(p("tables-q/tables.json")).unwrap(),
        std::fs::read_to_string(p("tables/tables.json")).unwrap()
    );
    // The register loaded again: the counts are of an earlier store, refused.
    assess()
        .args(["census", "ingest", "--store"])
        .arg(p("store"))
        .arg("--register")
        .arg(p("register.csv"))
        .assert()
        .success();
    tables_from("tables-stale")
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "the census store has changed since these quality checks ran",
        ));
    assert!(!p("tables-stale").exists());
    // Again without --force: refused, the tables left as they were.
    assess()
        .args(["census", "tables", "--store"])
        .arg(p("store"))
        .arg("--out")
        .arg(p("tables"))
        .assert()
        .failure()
        .stderr(predicates::str::contains("give --force to replace them"));
    // A directory with other files is never replaced.
    std::fs::write(p("coverage/notes.txt"), "mine").unwrap();
    assess()
        .args(["census", "coverage", "--force", "--store"])
        .arg(p("store"))
        .arg("--out")
        .arg(p("coverage"))
        .assert()
        .failure()
        .stderr(predicates::str::contains("holds files that are not"));
    assert_eq!(
        std::fs::read_to_string(p("coverage/notes.txt")).unwrap(),
        "mine"
    );
    assert!(p("coverage/coverage.csv").exists());

    // Returns without their register: refused, nothing written.
    assess()
        .args(["census", "ingest", "--store"])
        .arg(p("store2"))
        .arg(p("returns.jsonl"))
        .assert()
        .success();
    assess()
        .args(["census", "tables", "--store"])
        .arg(p("store2"))
        .arg("--out")
        .arg(p("tables2"))
        .assert()
        .failure()
        .stderr(predicates::str::contains("has returns in the census store"))
        .stderr(predicates::str::contains("but no register"));
    assert!(!p("tables2").exists());
}

/// DuckDB, an independent reader, reads the Parquet tables as a hive-partitioned dataset: the
/// counties add up to the national row and to tables.json, and the partition columns name
/// each county's own code.
fn duckdb_reads_the_tables_with_the_same_totals(tables: &Path) {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tables.join("tables.json")).unwrap())
            .unwrap();
    let script = r#"
import sys, duckdb, json
d = sys.argv[1]
cols = "registered, enumerated, missing, duplicated, households, guarantees_met, guarantees_unmet, income_known"
counties = duckdb.sql(f"select sum(registered), sum(enumerated), sum(missing), sum(duplicated), sum(households), sum(guarantees_met), sum(guarantees_unmet), sum(income_known), count(*) filter (where cast(county as varchar) <> code) from read_parquet('{d}/parquet/counties/**/*.parquet', hive_partitioning=true)").fetchall()[0]
national = duckdb.sql(f"select {cols} from read_parquet('{d}/parquet/national/*.parquet')").fetchall()[0]
print(json.dumps({"counties": [int(x) for x in counties], "national": [int(x) for x in national]}))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(tables)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python3 with duckdb (pip install duckdb) failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let counties = read["counties"].as_array().unwrap();
    assert_eq!(counties[8], 0, "a county's partition names another code");
    assert_eq!(
        &counties[..8],
        read["national"].as_array().unwrap().as_slice()
    );
    let n = &json["national"];
    let c = &n["coverage"];
    assert_eq!(counties[0], c["registered"]);
    assert_eq!(counties[1], c["enumerated"]);
    assert_eq!(counties[2], c["missing"]);
    assert_eq!(counties[4], n["households"]);
    assert_eq!(counties[5], n["attainment"][6]["met"]);
}
