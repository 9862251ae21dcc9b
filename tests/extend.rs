//! `assess draw --extend` (issue 11 part 8): a second phase of villages when an indicator is
//! inconclusive. Driven end to end on the bundled Luquan register: the first phase's draw,
//! its records and the database stay as they were; the extension is verifiable, takes two
//! more villages per stratum, and its verdict reads the records of both phases.

use crate::util::{assess, draw, import_records, read, repo_file, sample_rows};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const SEED: &str = "35216645123362514246";
const HSEED: &str = "61524433251646152433";

fn inputs() -> (PathBuf, PathBuf, PathBuf, PathBuf) {
    (
        repo_file("sample-plans/luquan-530128.toml"),
        repo_file("examples/luquan/register.csv"),
        repo_file("examples/luquan/villages.csv"),
        repo_file("examples/luquan/truth.csv"),
    )
}

fn extend(from: &Path, add: &str, seed: &str, out: &Path) -> assert_cmd::assert::Assert {
    let (plan, register, villages, _) = inputs();
    crate::util::draw_command(&plan, &register, &villages, seed, HSEED, out)
        .arg("--extend")
        .arg(from)
        .args(["--add-villages", add])
        .assert()
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_str(&read(&dir.join("manifest.json"))).unwrap()
}

/// Simulated visits of every household of a draw, as JSON Lines.
fn visits(dir: &Path, out: &Path) -> Vec<Value> {
    let (_, register, _, truth) = inputs();
    crate::util::simulate_visits(dir, &register, &truth, out);
    read(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn write_jsonl(path: &Path, records: &[&Value]) {
    let text: Vec<String> = records.iter().map(|r| r.to_string()).collect();
    std::fs::write(path, text.join("\n") + "\n").unwrap();
}

#[test]
fn an_extension_adds_the_next_villages_and_its_verdict_reads_both_phases() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, register, villages, _) = inputs();
    let first = dir.path().join("first");
    draw(&plan, &register, &villages, SEED, HSEED, &first).success();
    let first_id = manifest(&first)["sample_sha256"]
        .as_str()
        .unwrap()
        .to_string();

    // Refused: nothing to add, another seed, the same output twice.
    let second = dir.path().join("second");
    extend(&first, "0", SEED, &second)
        .failure()
        .stderr(predicates::str::contains(
            "invalid value '0' for '--add-villages",
        ));
    extend(&first, "2", "1", &second)
        .failure()
        .stderr(predicates::str::contains(
            "the village seed given is not the one this draw was made from",
        ));
    assert!(!second.exists());

    let run = extend(&first, "2", SEED, &second).success();
    let stdout = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    assert!(
        stdout.contains(&format!("extends draw {first_id}")),
        "{stdout}"
    );

    // The extension names its first phase and takes 2 more villages in each stratum.
    let m = manifest(&second);
    assert_eq!(m["extension"]["extends"], first_id.as_str());
    assert_eq!(m["extension"]["villages"], 2);
    let before = manifest(&first);
    for (a, b) in before["village_strata"]
        .as_array()
        .unwrap()
        .iter()
        .zip(m["village_strata"].as_array().unwrap())
    {
        assert_eq!(b["drawn"].as_u64(), a["drawn"].as_u64().map(|d| d + 2));
        assert_eq!(b["extended_by"], 2);
    }
    // The first phase's households are all there, drawn the same way.
    let key = |r: &std::collections::BTreeMap<String, String>| {
        (
            r["household_id"].clone(),
            r["role"].clone(),
            r["reserve_rank"].clone(),
            r["ticket"].clone(),
        )
    };
    let old: BTreeSet<_> = sample_rows(&first).iter().map(key).collect();
    let new: BTreeSet<_> = sample_rows(&second).iter().map(key).collect();
    assert!(old.is_subset(&new));
    assert!(new.len() > old.len());
    // The added villages are marked `+` in the village list; the first phase's `*`.
    let list = read(&second.join("sample_villages.csv"));
    let added: BTreeSet<String> = list
        .lines()
        .skip(1)
        .filter(|l| l.ends_with('+') && !l.contains('*'))
        .map(|l| l.split(',').nth(2).unwrap().to_string())
        .collect();
    assert_eq!(added.len(), 4, "{list}");

    // Anyone re-derives the extension from the same inputs and seeds.
    assess()
        .arg("verify")
        .arg(&second)
        .arg("--plan")
        .arg(&plan)
        .arg("--frame")
        .arg(&register)
        .arg("--villages")
        .arg(&villages)
        .args(["--seed", SEED, "--household-seed", HSEED])
        .assert()
        .success();

    // The extension cannot go into a database without its first phase.
    let lone = dir.path().join("lone.db").display().to_string();
    crate::util::init_db(&lone);
    assess()
        .arg("import-sample")
        .arg(&second)
        .args(["--db", &lone])
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "import the first phase's draw first",
        ));

    // On the embedded SQLite file and on PostgreSQL alike.
    for (backend, db) in crate::util::databases(dir.path()) {
        both_phases(dir.path(), &db, backend, &first, &second, &first_id, &added);
    }
}

/// The two phases' draws and records in one database, and the extension's verdict.
fn both_phases(
    dir: &Path,
    db: &str,
    backend: &str,
    first: &Path,
    second: &Path,
    first_id: &str,
    added: &BTreeSet<String>,
) {
    let m = manifest(second);
    // First phase: draw and records into the database.
    for d in [first, second] {
        assess()
            .arg("import-sample")
            .arg(d)
            .args(["--db", db])
            .assert()
            .success();
    }
    let first_visits = visits(first, &dir.join("first.jsonl"));
    import_records(dir.join("first.jsonl"), db);

    // Second phase: records of the first phase's households under the extension are refused
    // (they live under the first draw), and nothing of the file is kept.
    let second_visits = visits(second, &dir.join("second.jsonl"));
    let village_of = |v: &Value| v["household_id"].as_str().unwrap()[..12].to_string();
    assess()
        .arg("import-records")
        .arg(dir.join("second.jsonl"))
        .args(["--db", db])
        .assert()
        .failure()
        .stderr(predicates::str::contains(format!(
            "was drawn in the first phase of draw {}, by draw {first_id}",
            m["sample_sha256"].as_str().unwrap()
        )));
    let added_visits: Vec<&Value> = second_visits
        .iter()
        .filter(|v| added.contains(&village_of(v)))
        .collect();
    assert!(!added_visits.is_empty());
    let added_file = dir.join("added.jsonl");
    write_jsonl(&added_file, &added_visits);
    import_records(&added_file, db);

    // The extension's verdict reads both phases' records.
    let out = dir.join(format!("verdict-{backend}"));
    assess()
        .args(["verdict", "--db", db, "--county", "530128", "--draw"])
        .arg(m["sample_sha256"].as_str().unwrap())
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let v: Value = serde_json::from_str(&read(&out.join("verdict.json"))).unwrap();
    assert_eq!(
        v["provenance"]["records"].as_u64().unwrap() as usize,
        first_visits.len() + added_visits.len(),
        "{:#}",
        v["provenance"]
    );
    assert_eq!(
        v["provenance"]["sample_sha256"],
        m["sample_sha256"].as_str().unwrap()
    );
    assert_eq!(
        v["provenance"]["earlier_phases"],
        serde_json::json!([first_id])
    );
}
