//! Integration tests: `assess frame check` on registers written by the tests.

use crate::util::assess;
use std::path::{Path, PathBuf};

const HEADER: &str =
    "household_id,village_code,status,exit_year,members,income_per_capita,lon,lat,group";
/// Real Luquan (530128) codes from the 2023 list; the fingerprint is computed in
/// crates/register/tests/register.rs with Python's hashlib.
const SMALL: &str =
    "household_id,village_code,status,exit_year,members,income_per_capita,lon,lat,group\n\
H001,530128102201,exited,2018,4,1234.50,102.5,25.5,一组\n\
H002,530128102202,poor,,3,,,,\n\
H003,530128001001,non_registered,,2,800,,,\n";
const SMALL_FINGERPRINT: &str = "bb3117b58d18843fe634ed2b8da8f8152b1df5ffd4f4e8a0dd54010ba9311c8c";

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Files in `dir`, to show that a check writes nothing.
fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

/// Runs `frame check` on a register with one bad row at line 3; returns stderr.
fn refused(row: &str, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "reg.csv",
        format!("{HEADER}\nH002,530128102202,poor,,3,,,,\n{row}\n"),
    );
    let before = listing(dir.path());
    let out = assess()
        .current_dir(dir.path())
        .args(["frame", "check"])
        .arg(&path)
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing on stdout when refused");
    assert_eq!(listing(dir.path()), before, "nothing written");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn valid_register_prints_tables_fingerprint_vintage_and_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "reg.csv", SMALL);
    let out = assess()
        .args(["frame", "check"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!("fingerprint  {SMALL_FINGERPRINT}")),
        "{text}"
    );
    assert!(text.contains("vintage      2023 (detected)"), "{text}");
    assert!(text.contains("encoding utf-8, detected"), "{text}");
    assert!(
        text.contains("530128            3          9          2          1  禄劝彝族苗族自治县"),
        "{text}"
    );
    assert!(
        text.contains("530128102           2          7  撒营盘镇"),
        "{text}"
    );
    assert!(
        text.contains("exited                   1          4"),
        "{text}"
    );
}

#[test]
fn json_report_has_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "reg.csv", SMALL);
    let villages = write(
        dir.path(),
        "v.csv",
        "village_code,poverty_village\n530128102201,yes\n",
    );
    let out = assess()
        .args(["frame", "check", "--json", "--villages"])
        .arg(&villages)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["fingerprint"], SMALL_FINGERPRINT);
    assert_eq!(json["households"], 3);
    assert_eq!(json["people"], 9);
    assert_eq!(json["vintage"], "2023");
    assert_eq!(json["encoding"], "utf-8");
    assert_eq!(json["counties"][0]["rural_households"], 2);
    assert_eq!(json["strata"][2]["status"], "non_registered");
    assert_eq!(json["villages"]["poverty_villages"], 1);
}

#[test]
fn gb18030_file_is_detected_and_forced_utf8_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "gb.csv", encoding_rs::GB18030.encode(SMALL).0);
    let out = assess()
        .args(["frame", "check", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["encoding"], "gb18030");
    assert_eq!(json["fingerprint"], SMALL_FINGERPRINT);
    let out = assess()
        .args(["frame", "check", "--encoding", "utf-8"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("gb.csv: line 2, column group: the bytes are not valid UTF-8"),
        "{err}"
    );
}

#[test]
fn xlsx_register_has_the_same_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reg.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, line) in SMALL.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let (r, c) = (r as u32, c as u16);
            if let Ok(n) = cell.parse::<f64>() {
                sheet.write_number(r, c, n).unwrap();
            } else if !cell.is_empty() {
                sheet.write_string(r, c, cell).unwrap();
            }
        }
    }
    book.save(&path).unwrap();
    let out = assess()
        .args(["frame", "check"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains(SMALL_FINGERPRINT));
}

#[test]
fn bad_rows_are_refused_with_file_line_column_and_reason() {
    let cases: &[(&str, &str)] = &[
        ("H9,53012810220,poor,,3,,,,", "reg.csv: line 3, column village_code: \"53012810220\" is not a village code"),
        ("H9,530128102299,poor,,3,,,,", "reg.csv: line 3, column village_code: village code 530128102299 is not in the 2023 division-code list"),
        ("H9,530128102201,rich,,3,,,,", "reg.csv: line 3, column status: status \"rich\" is not one of exited, poor, non_registered"),
        ("H9,530128102201,exited,,3,,,,", "reg.csv: line 3, column exit_year: status is exited but exit_year is empty"),
        ("H9,530128102201,non_registered,2018,3,,,,", "reg.csv: line 3, column exit_year: exit_year \"2018\" is given but status is non_registered"),
        ("H9,530128102201,exited,18,3,,,,", "reg.csv: line 3, column exit_year: exit_year \"18\" is not a year"),
        ("H9,530128102201,poor,,,,,,", "reg.csv: line 3, column members: members is empty"),
        ("H9,530128102201,poor,,0,,,,", "reg.csv: line 3, column members: members \"0\" is below 1"),
        ("H9,530128102201,poor,,-1,,,,", "reg.csv: line 3, column members: members \"-1\" is below 1"),
        ("H9,530128102201,poor,,three,,,,", "reg.csv: line 3, column members: members \"three\" is not a whole number"),
        ("H9,530128102201,poor,,3,12k,,,", "reg.csv: line 3, column income_per_capita: \"12k\" is not a number"),
        ("H9,530128102201,poor,,3,-100,,,", "reg.csv: line 3, column income_per_capita: \"-100\" is negative"),
        ("H9,530128102201,poor,,3,,x,,", "reg.csv: line 3, column lon: \"x\" is not a number"),
        ("H9,530128102201,poor,,3,,,-91,", "reg.csv: line 3, column lat: \"-91\" is outside -90 to 90 degrees"),
        ("H9,530128102201,poor,,3,,200,,", "reg.csv: line 3, column lon: \"200\" is outside -180 to 180 degrees"),
        ("H9,530128102201,poor,,3,,,", "reg.csv: line 3: the row has 8 fields but the header has 9"),
        ("H002,530128102203,poor,,3,,,,", "reg.csv: line 3, column household_id: household_id \"H002\" appears again (first at line 2)"),
    ];
    for (row, expected) in cases {
        let err = refused(row, &[]);
        assert!(err.contains(expected), "{row}\n{err}");
        assert!(err.starts_with("error: "), "{err}");
    }
}

#[test]
fn missing_column_is_refused_with_the_required_list() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "reg.csv",
        "household_id,village_code,status,members\nH1,530128102201,poor,2\n",
    );
    let out = assess()
        .args(["frame", "check"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("reg.csv: line 1: missing required column(s) exit_year; the header must name household_id, village_code, status, exit_year, members"), "{err}");
}

#[test]
fn vintage_is_detected_as_2016_and_a_forced_vintage_rejects_unknown_codes() {
    // 530128001003 is only in the 2016 list.
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{HEADER}\nH1,530128001003,poor,,2,,,,\nH2,530128102201,poor,,2,,,,\n");
    let path = write(dir.path(), "old.csv", text);
    let out = assess()
        .args(["frame", "check", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["vintage"], "2016");
    assert_eq!(json["vintage_detected"], true);
    let out = assess()
        .args(["frame", "check", "--vintage", "2023"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("old.csv: line 2, column village_code: village code 530128001003 is not in the 2023 division-code list (used by 1 row(s))"), "{err}");
}

#[test]
fn max_errors_caps_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!("{HEADER}\n");
    for i in 0..5 {
        text.push_str(&format!("H{i},530128102201,poor,,0,,,,\n"));
    }
    let path = write(dir.path(), "reg.csv", text);
    let out = assess()
        .args(["frame", "check", "--max-errors", "2"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("refused, 5 errors"), "{err}");
    assert!(err.trim_end().ends_with("... and 3 more errors"), "{err}");
}
