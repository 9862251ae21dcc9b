//! `assess census ingest` (issue 15, section 2) on synthetic censuses made by the real
//! `assess synth`: one stored row per return and the refused ones listed by file, line and
//! field; a second run adds nothing; the CSV form of the same census is all "already held";
//! a run killed with SIGKILL in the middle and run again gives the dataset a clean run gives;
//! and DuckDB, an independent reader, reads the hive-partitioned dataset with the same counts.

use crate::util::assess;
use assess_census_store::Dataset;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A synthetic census of `counties` in `dir`: (register, returns) in `format` (jsonl or csv).
pub(crate) fn census(
    dir: &Path,
    counties: &str,
    households: u64,
    format: &str,
) -> (PathBuf, PathBuf) {
    let register = dir.join("register.csv");
    let returns = dir.join(format!("returns.{format}"));
    assess()
        .args([
            "synth",
            "--county",
            counties,
            "--households",
            &households.to_string(),
        ])
        .args(["--seed", "7", "--census-format", format])
        .arg("--out")
        .arg(&register)
        .arg("--census-out")
        .arg(&returns)
        .arg("--census-truth")
        .arg(dir.join(format!("census-truth-{format}.csv")))
        .arg("--census-registries")
        .arg(dir.join(format!("registries-{format}")))
        .assert()
        .success();
    (register, returns)
}

/// Return id → its members, from a JSON Lines census.
fn members_by_return(returns: &Path) -> BTreeMap<String, usize> {
    std::fs::read_to_string(returns)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let members = v["household"]["members"].as_array().map_or(0, Vec::len);
            (v["return_id"].as_str().unwrap().to_string(), members)
        })
        .collect()
}

pub(crate) fn ingest(store: &Path, args: &[&str]) -> String {
    let out = assess()
        .args(["census", "ingest", "--store"])
        .arg(store)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ingest failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Every file under a directory with its bytes' length, relative.
fn tree(dir: &Path) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.insert(rel, p.metadata().unwrap().len());
            }
        }
    }
    out
}

#[test]
fn census_ingest_stores_one_row_per_return_lists_the_refused_and_adds_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let (register, returns) = census(dir.path(), "530128", 3000, "jsonl");
    let expected = members_by_return(&returns);
    let good = expected.len();
    assert!(good > 600, "{good} returns");
    // Three bad returns after the good ones: not JSON, an unknown field, an end that is not a
    // time (refused by the return's own rules). The planted faults of the synthetic census
    // (duplicates under another id, copied answers, impossible times, far places, own-county
    // enumerators) are quality findings, stored like any return.
    let text = std::fs::read_to_string(&returns).unwrap();
    let first = text.lines().next().unwrap();
    let mut bad_end: serde_json::Value = serde_json::from_str(first).unwrap();
    bad_end["return_id"] = "530128-9999999".into();
    bad_end["end"] = "yesterday".into();
    let mut unknown: serde_json::Value = serde_json::from_str(first).unwrap();
    unknown["return_id"] = "530128-9999998".into();
    unknown["colour"] = "red".into();
    let input = dir.path().join("with-bad.jsonl");
    std::fs::write(&input, format!("{text}not json\n{unknown}\n{bad_end}\n")).unwrap();
    let store = dir.path().join("store");
    let rejects = dir.path().join("rejects.csv");
    let stdout = ingest(
        &store,
        &[
            input.to_str().unwrap(),
            "--register",
            register.to_str().unwrap(),
            "--rejects",
            rejects.to_str().unwrap(),
            "--checkpoint-every",
            "250",
        ],
    );
    let members: usize = expected.values().sum();
    assert!(stdout.contains("register"), "{stdout}");
    assert!(stdout.contains("3000 households of 1 county"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "{} returns read, {good} stored ({members} members), 0 already held, 3 refused",
            good + 3
        )),
        "{stdout}"
    );
    let mut rows = csv::Reader::from_path(&rejects).unwrap();
    let rows: Vec<Vec<String>> = rows
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let located: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r[1].clone(), r[2].clone(), r[3].clone()))
        .collect();
    let (n1, n2, n3) = (good + 1, good + 2, good + 3);
    assert_eq!(
        located,
        vec![
            (n1.to_string(), String::new(), "json".to_string()),
            (n2.to_string(), String::new(), "colour".to_string()),
            (
                n3.to_string(),
                "530128-9999999".to_string(),
                "end".to_string()
            ),
        ],
        "{rows:?}"
    );
    assert!(rows[1][4].contains("unknown field"), "{rows:?}");
    assert!(rows[2][4].contains("is not an RFC 3339 time"), "{rows:?}");

    // The dataset: one row per good return, its members, the register.
    let ds = Dataset::open(&store).unwrap();
    assert_eq!(ds.counties(), vec!["530128".to_string()]);
    let stored = ds.returns("530128").unwrap();
    let ids: BTreeSet<&str> = stored.iter().map(|r| r.return_id.as_str()).collect();
    assert_eq!(stored.len(), good);
    assert_eq!(ids, expected.keys().map(String::as_str).collect());
    let mut stored_members: BTreeMap<String, usize> = BTreeMap::new();
    for m in ds.members("530128").unwrap() {
        *stored_members.entry(m.return_id.to_string()).or_default() += 1;
    }
    let expected_members: BTreeMap<String, usize> = expected
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| (k.clone(), *n))
        .collect();
    assert_eq!(stored_members, expected_members);
    assert_eq!(ds.register("530128").unwrap().len(), 3000);

    // Again: nothing read, nothing added; the refusals listed again.
    let before = tree(&store);
    let stdout = ingest(
        &store,
        &[
            input.to_str().unwrap(),
            "--rejects",
            rejects.to_str().unwrap(),
        ],
    );
    assert!(stdout.contains("ingested by an earlier run"), "{stdout}");
    assert_eq!(
        csv::Reader::from_path(&rejects).unwrap().records().count(),
        3
    );
    let mut after = tree(&store);
    after.remove("_journal.jsonl");
    let mut before_no_journal = before.clone();
    before_no_journal.remove("_journal.jsonl");
    assert_eq!(after, before_no_journal);

    // The same census as CSV (one row per member): every return already held.
    let csv_dir = dir.path().join("csv");
    std::fs::create_dir_all(&csv_dir).unwrap();
    let (_, csv_returns) = census(&csv_dir, "530128", 3000, "csv");
    let stdout = ingest(&store, &[csv_returns.to_str().unwrap()]);
    assert!(
        stdout.contains(&format!(
            "{good} returns read, 0 stored (0 members), {good} already held, 0 refused"
        )),
        "{stdout}"
    );
    assert_eq!(
        Dataset::open(&store).unwrap().returns("530128").unwrap(),
        stored
    );

    // --strict: the same refusals make the exit status 1, nothing else changes.
    let out = assess()
        .args(["census", "ingest", "--strict", "--store"])
        .arg(&store)
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refused returns: 3 (--strict)"));
}

/// Kills an ingest with SIGKILL once its journal has two checkpoints, then runs it again.
fn killed_then_resumed(store: &Path, input: &Path) -> String {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("assess"))
        .args(["census", "ingest", "--checkpoint-every", "300", "--store"])
        .arg(store)
        .arg(input)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let journal = store.join("_journal.jsonl");
    let start = Instant::now();
    loop {
        let lines = std::fs::read_to_string(&journal).map_or(0, |t| t.matches('\n').count());
        if lines >= 2 {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the ingest ended before it was killed"
        );
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no checkpoint in 2 minutes"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    let journal_text = std::fs::read_to_string(&journal).unwrap();
    assert!(
        status.code().is_none() && !journal_text.contains("\"done\":true"),
        "the ingest finished before the kill: make the census bigger"
    );
    ingest(store, &[input.to_str().unwrap()])
}

#[test]
fn census_ingest_killed_mid_run_then_run_again_equals_a_clean_run() {
    let dir = tempfile::tempdir().unwrap();
    let (_, jsonl) = census(dir.path(), "530128", 40_000, "jsonl");
    let csv_dir = dir.path().join("csv");
    std::fs::create_dir_all(&csv_dir).unwrap();
    let (_, csv) = census(&csv_dir, "530128", 40_000, "csv");
    let clean = dir.path().join("clean");
    ingest(&clean, &[jsonl.to_str().unwrap()]);
    let clean = Dataset::open(&clean).unwrap();
    let mut clean_returns = clean.returns("530128").unwrap();
    clean_returns.sort_by(|a, b| a.return_id.cmp(&b.return_id));
    let mut clean_members = clean.members("530128").unwrap();
    clean_members.sort_by(|a, b| (&a.return_id, &a.member_id).cmp(&(&b.return_id, &b.member_id)));
    assert!(clean_returns.len() > 9000);
    for input in [&jsonl, &csv] {
        let store = dir.path().join(format!(
            "killed-{}",
            input.extension().unwrap().to_str().unwrap()
        ));
        let stdout = killed_then_resumed(&store, input);
        assert!(stdout.contains("(resumed after "), "{stdout}");
        assert!(
            stdout.contains(&format!("{} returns read", clean_returns.len())),
            "{stdout}"
        );
        let ds = Dataset::open(&store).unwrap();
        let mut returns = ds.returns("530128").unwrap();
        let ids: BTreeSet<&str> = returns.iter().map(|r| r.return_id.as_str()).collect();
        assert_eq!(ids.len(), returns.len(), "a return stored twice");
        returns.sort_by(|a, b| a.return_id.cmp(&b.return_id));
        assert_eq!(returns, clean_returns, "{}", input.display());
        let mut members = ds.members("530128").unwrap();
        members.sort_by(|a, b| (&a.return_id, &a.member_id).cmp(&(&b.return_id, &b.member_id)));
        assert_eq!(members, clean_members, "{}", input.display());
        // Nothing but committed parts is left in the partitions.
        let journal = std::fs::read_to_string(store.join("_journal.jsonl")).unwrap();
        for part in tree(&store).keys().filter(|p| p.ends_with(".parquet")) {
            assert!(journal.contains(part.as_str()), "orphan {part}");
        }
    }
}

#[test]
fn duckdb_reads_the_census_store_as_a_hive_partitioned_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let (register, returns) = census(dir.path(), "530128,450223", 4000, "jsonl");
    let store = dir.path().join("store");
    ingest(
        &store,
        &[
            returns.to_str().unwrap(),
            "--register",
            register.to_str().unwrap(),
            "--checkpoint-every",
            "400",
        ],
    );
    let ds = Dataset::open(&store).unwrap();
    assert_eq!(
        ds.counties(),
        vec!["450223".to_string(), "530128".to_string()]
    );
    let mut ours = String::new();
    for county in ds.counties() {
        let r = ds.returns(&county).unwrap();
        let enumerated = r.iter().filter(|r| r.outcome == "enumerated").count();
        let income: f64 = r.iter().filter_map(|r| r.income_per_person).sum();
        ours.push_str(&format!(
            "{county} {} {} {} {enumerated} {income:.0}\n",
            r.len(),
            ds.members(&county).unwrap().len(),
            ds.register(&county).unwrap().len(),
        ));
    }
    let script = r#"
import sys, duckdb
store = sys.argv[1]
def counts(table):
    q = f"select county::varchar, count(*) from read_parquet('{store}/{table}/**/*.parquet', hive_partitioning = true) group by all"
    return dict(duckdb.sql(q).fetchall())
returns, members, register = counts("returns"), counts("members"), counts("register")
q = f"""select county::varchar, count(*) filter (where outcome = 'enumerated'), round(sum(income_per_person))
        from read_parquet('{store}/returns/**/*.parquet', hive_partitioning = true) group by all"""
extra = {c: (e, s) for c, e, s in duckdb.sql(q).fetchall()}
for county in sorted(returns):
    e, s = extra[county]
    print(county, returns[county], members[county], register[county], e, f"{s:.0f}")
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&store)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python3 with duckdb (pip install duckdb) failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), ours);
}
