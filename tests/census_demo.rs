//! The README's census main job, `scripts/census.sh`, end to end with the binary under test:
//! every step succeeds, every output is written, and the numbers agree with the synthetic
//! census's truth (missing households, duplicates) and with each other.

use std::collections::HashMap;
use std::process::Command;

#[test]
fn the_census_main_job_runs_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("census");
    let run = Command::new("bash")
        .arg(crate::util::repo_file("scripts/census.sh"))
        .arg(&out)
        .env("ASSESS", env!("CARGO_BIN_EXE_assess"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for file in [
        "store/_census-store.json",
        "coverage/coverage.csv",
        "quality/flags.csv",
        "flagged.csv",
        "flagged.xlsx",
        "pes-sample.csv",
        "pes.csv",
        "tables/tables.xlsx",
        "tables/summary.html",
        "tables/parquet/national/part-0.parquet",
    ] {
        assert!(out.join(file).exists(), "{file} missing\n{stdout}");
    }
    assert!(
        stdout.contains("nothing read now"),
        "the rerun stored nothing: {stdout}"
    );

    let truth = std::fs::read_to_string(out.join("census-truth.csv")).unwrap();
    let planted = |fault: &str| {
        truth
            .lines()
            .filter(|l| l.starts_with(&format!("{fault},")))
            .count()
    };
    let tables: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("tables/tables.json")).unwrap())
            .unwrap();
    let coverage = &tables["national"]["coverage"];
    assert_eq!(
        coverage["missing"].as_u64(),
        Some(planted("not_enumerated") as u64)
    );
    assert_eq!(
        coverage["duplicated"].as_u64(),
        Some(planted("duplicate") as u64)
    );
    assert_eq!(
        coverage["dissolved"].as_u64(),
        Some(planted("dissolved") as u64)
    );
    let quality = &tables["national"]["quality"];
    assert_eq!(
        quality["duplicate"].as_u64(),
        Some(planted("duplicate") as u64)
    );

    // The PES: three counties of 100 re-interviews each, the members item as the simulation
    // changed it.
    let mut pes = csv::Reader::from_path(out.join("pes.csv")).unwrap();
    let rows: Vec<HashMap<String, String>> = pes.deserialize().map(Result::unwrap).collect();
    let all_members = rows
        .iter()
        .find(|r| r["county_code"] == "all" && r["item"] == "members")
        .unwrap();
    assert_eq!(all_members["reinterviewed"], "300");
    let changed = std::fs::read_to_string(out.join("pes-truth.csv")).unwrap();
    let members_changed = changed.lines().filter(|l| l.ends_with(",members")).count();
    assert_eq!(all_members["disagreements"], members_changed.to_string());
}
