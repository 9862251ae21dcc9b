//! `assess check` on both engines: records imported with `assess import-records`, then the
//! report (problems by county, village and household; rates by village and team) and the
//! exit code (0 with warnings only, 1 with errors).

use crate::util::{assess, databases, draw, luquan, read, repo_file, sample_rows};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

fn visit(draw_id: &str, id: &str, disposition: &str, team: &str, minutes: u32) -> Value {
    let mut v = json!({
        "draw_id": draw_id,
        "household_id": id,
        "disposition": disposition,
        "team": team,
        "interviewers": ["Li Wei", "Zhang Min"],
        "start": "2020-06-12T09:00:00+08:00",
        "end": format!("2020-06-12T{:02}:{:02}:00+08:00", 9 + minutes / 60, minutes % 60),
    });
    if disposition == "complete" {
        v["mode"] = json!("in_person");
        v["household"] = crate::util::household_record(id);
    }
    v
}

fn import(dir: &Path, name: &str, records: &[Value], db: &str) {
    let file = dir.join(name);
    std::fs::write(&file, serde_json::to_string_pretty(records).unwrap()).unwrap();
    assess()
        .arg("import-records")
        .arg(&file)
        .args(["--db", db])
        .assert()
        .success();
}

/// The whitespace-separated fields of the first report line starting with `first`.
fn tokens(report: &str, first: &[&str]) -> Vec<String> {
    report
        .lines()
        .map(|l| l.split_whitespace().map(String::from).collect::<Vec<_>>())
        .find(|t| t.len() >= first.len() && t.iter().zip(first).all(|(a, b)| a == b))
        .unwrap_or_else(|| panic!("no line for {first:?} in\n{report}"))
}

#[test]
fn check_lists_problems_and_rates_and_fails_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (register, villages) = luquan();
    let out = dir.path().join("draw");
    draw(
        &repo_file("sample-plans/luquan-530128.toml"),
        &register,
        &villages,
        "4242",
        "2424",
        &out,
    )
    .success();
    let manifest: Value = serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    let draw_id = manifest["sample_sha256"].as_str().unwrap().to_string();
    // A (village, stratum) cell with two primaries and three reserves.
    let mut cells: BTreeMap<(String, String), Vec<BTreeMap<String, String>>> = BTreeMap::new();
    for row in sample_rows(&out) {
        cells
            .entry((row["village_code"].clone(), row["stratum"].clone()))
            .or_default()
            .push(row);
    }
    let cell = cells
        .values()
        .find(|rows| {
            rows.iter().filter(|r| r["role"] == "primary").count() >= 2
                && rows.iter().filter(|r| r["role"] == "reserve").count() >= 3
        })
        .expect("a cell with 2 primaries and 3 reserves");
    let primary: Vec<&str> = cell
        .iter()
        .filter(|r| r["role"] == "primary")
        .map(|r| r["household_id"].as_str())
        .collect();
    let reserve = |k: &str| {
        cell.iter()
            .find(|r| r["role"] == "reserve" && r["reserve_rank"] == k)
            .map(|r| r["household_id"].clone())
            .unwrap()
    };
    let (county, village) = (
        cell[0]["county_code"].clone(),
        cell[0]["village_code"].clone(),
    );

    for (engine, db) in databases(dir.path()) {
        assess()
            .arg("import-sample")
            .arg(&out)
            .args(["--db", &db])
            .assert()
            .success();
        // A refused primary replaced by reserve 1: fine; a 10-minute interview: a warning.
        import(
            dir.path(),
            &format!("{engine}-1.json"),
            &[
                visit(&draw_id, primary[0], "refused", "team-2", 5),
                visit(&draw_id, &reserve("1"), "complete", "team-1", 75),
                visit(&draw_id, primary[1], "complete", "team-1", 10),
            ],
            &db,
        );
        let ok = assess()
            .args(["check", "--db", &db, "--draw", &draw_id])
            .assert()
            .success();
        let report = String::from_utf8_lossy(&ok.get_output().stdout).to_string();
        assert!(
            report.contains("no errors, 1 warning"),
            "{engine}: {report}"
        );
        assert!(
            report.contains(&format!(
                "warning [short-interview] county {county}, village {village}, household {}",
                primary[1]
            )),
            "{engine}: {report}"
        );
        assert!(report.contains("lasted 10 min"), "{engine}: {report}");
        // team, primaries, reserves, replacement, visited, ineligible, eligible, responded, response
        assert_eq!(
            tokens(&report, &["team-1"]),
            ["team-1", "1", "1", "100.0%", "2", "0", "2", "2", "100.0%"],
            "{engine}"
        );
        assert_eq!(
            tokens(&report, &["team-2"]),
            ["team-2", "1", "0", "0.0%", "1", "0", "1", "0", "0.0%"],
            "{engine}"
        );
        // county, village, primaries, reserves, replacement, visited, ineligible, eligible, responded, response
        let v = tokens(&report, &[&county, &village]);
        assert_eq!(v[3], "1", "{engine}: {report}");
        assert_eq!(&v[5..], ["3", "0", "3", "2", "66.7%"], "{engine}: {report}");

        // Reserve 3 used while reserve 2 is unvisited, and with no failure left to replace.
        import(
            dir.path(),
            &format!("{engine}-2.json"),
            &[visit(&draw_id, &reserve("3"), "complete", "team-1", 60)],
            &db,
        );
        let failed = assess().args(["check", "--db", &db]).assert().code(1);
        let report = String::from_utf8_lossy(&failed.get_output().stdout).to_string();
        let stderr = String::from_utf8_lossy(&failed.get_output().stderr).to_string();
        let at = format!(
            "county {county}, village {village}, household {}",
            reserve("3")
        );
        assert!(
            report.contains(&format!("error [reserve-order] {at}"))
                && report.contains(&format!("reserve 2 ({}) has no visit record", reserve("2"))),
            "{engine}: {report}"
        );
        assert!(
            report.contains(&format!("error [reserve-not-needed] {at}")),
            "{engine}: {report}"
        );
        assert!(
            stderr.contains("2 errors and 1 warning found"),
            "{engine}: {stderr}"
        );

        let unknown = assess()
            .args(["check", "--db", &db, "--draw", "nope"])
            .assert()
            .code(1);
        let stderr = String::from_utf8_lossy(&unknown.get_output().stderr).to_string();
        assert!(
            stderr.contains("draw nope is not in the database"),
            "{engine}: {stderr}"
        );
    }
}
