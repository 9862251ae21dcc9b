//! `assess simulate-visits` end to end: a synthetic county with a planted scenario
//! (`assess synth --shortfall housing --remote-only`), a draw, simulated visits, and the
//! records imported and checked on both engines with no error.

use crate::util::{assess, databases, draw, read, repo_file};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::Path;

fn csv_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .map(String::from)
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn simulated_visits_import_and_pass_the_checks() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    // 5% of exited households, all in remote villages, all in unsafe houses.
    let synth = assess()
        .args([
            "synth",
            "--county",
            "530128",
            "--households",
            "6000",
            "--seed",
            "3",
        ])
        .args([
            "--wrong-exit-rate",
            "0.05",
            "--shortfall",
            "housing",
            "--remote-only",
        ])
        .arg("--out")
        .arg(p("register.csv"))
        .arg("--villages")
        .arg(p("villages.csv"))
        .arg("--truth")
        .arg(p("truth.csv"))
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&synth.get_output().stdout).to_string();
    assert!(
        stdout.contains("planted: every truly poor household fails housing; wrong exits and missed households only in remote villages"),
        "{stdout}"
    );
    let remote: HashSet<String> = csv_rows(&p("villages.csv"))
        .into_iter()
        .filter(|v| v["remote"] == "true")
        .map(|v| v["village_code"].clone())
        .collect();
    let truth: HashMap<String, HashMap<String, String>> = csv_rows(&p("truth.csv"))
        .into_iter()
        .map(|t| (t["household_id"].clone(), t))
        .collect();
    for t in truth.values() {
        if t["truly_poor"] == "true" {
            assert_eq!(t["housing_ok"], "false", "{t:?}");
        }
        if t["wrong_exit"] == "true" || t["missed"] == "true" {
            assert!(remote.contains(&t["household_id"][..12]), "{t:?}");
        }
    }

    let out = p("draw");
    draw(
        &repo_file("sample-plans/luquan-530128.toml"),
        &p("register.csv"),
        &p("villages.csv"),
        "4242",
        "2424",
        &out,
    )
    .success();
    let manifest: Value = serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    let draw_id = manifest["sample_sha256"].as_str().unwrap().to_string();

    let simulate = |seed: &str, file: &str| {
        assess()
            .args(["simulate-visits", "--draw"])
            .arg(&out)
            .arg("--register")
            .arg(p("register.csv"))
            .arg("--truth")
            .arg(p("truth.csv"))
            .args(["--seed", seed, "--out"])
            .arg(p(file))
            .assert()
    };
    let done = simulate("5", "visits.jsonl").success();
    let stdout = String::from_utf8_lossy(&done.get_output().stdout).to_string();
    assert!(stdout.contains("SIMULATED"), "{stdout}");
    assert!(stdout.contains(&format!("draw {draw_id}")), "{stdout}");
    assert!(stdout.contains("visits.jsonl"), "{stdout}");
    // Deterministic for a seed; no temporary file left behind.
    simulate("5", "again.jsonl").success();
    assert_eq!(read(&p("visits.jsonl")), read(&p("again.jsonl")));
    assert!(std::fs::read_dir(dir.path()).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .ends_with(".tmp")));

    // Labelled as simulated; each wrong exit found is an unsafe house in a remote village.
    let text = read(&p("visits.jsonl"));
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Every primary is visited.
    let visited: HashSet<&str> = records
        .iter()
        .map(|r| r["household_id"].as_str().unwrap())
        .collect();
    let sample = crate::util::sample_rows(&out);
    for row in sample.iter().filter(|r| r["role"] == "primary") {
        assert!(visited.contains(row["household_id"].as_str()), "{row:?}");
    }
    let mut unsafe_found = 0;
    for r in &records {
        assert_eq!(r["draw_id"], draw_id.as_str());
        assert!(r["team"].as_str().unwrap().starts_with("simulated-"));
        assert_eq!(
            r["interviewers"],
            serde_json::json!(["simulated A", "simulated B"])
        );
        assert!(r["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["rule"] == "simulated"
                && n["text"] == "simulated from the synthetic truth; not a field visit"));
        let id = r["household_id"].as_str().unwrap();
        let h = &r["household"];
        if h.is_null() {
            continue;
        }
        let grade = h["housing"]["inspector_grade"].as_str().unwrap();
        assert_eq!(grade, truth[id]["housing_grade"]);
        if truth[id]["wrong_exit"] == "true" {
            assert!(grade == "C" || grade == "D", "{r}");
            assert!(remote.contains(&id[..12]), "{id}");
            unsafe_found += 1;
        }
    }
    assert!(unsafe_found > 0, "the sample found no wrong exit");

    // Starting before the draw is refused, and nothing is written.
    let early = simulate_with_start(&out, dir.path(), "2001-01-01T08:00:00+08:00");
    let stderr = String::from_utf8_lossy(&early.get_output().stderr).to_string();
    assert!(stderr.contains("before the draw was made"), "{stderr}");
    assert!(!p("early.jsonl").exists());

    for (engine, db) in databases(dir.path()) {
        // The draw's receipt gives its time: the visits are checked against it.
        assess()
            .arg("import-sample")
            .arg(&out)
            .arg("--villages")
            .arg(p("villages.csv"))
            .args(["--db", &db])
            .assert()
            .success();
        let imported = assess()
            .arg("import-records")
            .arg(p("visits.jsonl"))
            .args(["--db", &db])
            .assert()
            .success();
        let said = String::from_utf8_lossy(&imported.get_output().stdout).to_string();
        assert!(
            said.contains(&format!("{} new", records.len())),
            "{engine}: {said}"
        );
        let checked = assess()
            .args(["check", "--db", &db, "--draw", &draw_id])
            .assert()
            .success();
        let report = String::from_utf8_lossy(&checked.get_output().stdout).to_string();
        assert!(report.contains("no errors"), "{engine}: {report}");
        // Every warning (a cell whose reserves ran out) is answered by a note.
        assert!(report.contains("(0 without a note)"), "{engine}: {report}");
        assert!(!report.contains("error ["), "{engine}: {report}");
        assert!(
            !report.contains("draw's time is not known"),
            "{engine}: {report}"
        );
        assert!(report.contains("simulated-1"), "{engine}: {report}");
    }
}

fn simulate_with_start(out: &Path, dir: &Path, start: &str) -> assert_cmd::assert::Assert {
    assess()
        .args(["simulate-visits", "--draw"])
        .arg(out)
        .arg("--register")
        .arg(dir.join("register.csv"))
        .arg("--truth")
        .arg(dir.join("truth.csv"))
        .args(["--seed", "5", "--start", start, "--out"])
        .arg(dir.join("early.jsonl"))
        .assert()
        .code(1)
}
