//! `assess census ingest --db postgres://...` (issue 15, section 2) on synthetic censuses made
//! by the real `assess synth`, against the tests' PostgreSQL server (never skipped): the
//! returns, members, register and refusals are those of the Parquet store for the same
//! files; a second run adds nothing; a run killed with SIGKILL in the middle and run again
//! equals a clean run; a register replaces its counties' rows whole and a refused one
//! changes nothing.

use crate::census_ingest::{census, ingest};
use crate::util::{assess, fresh_pg_database};
use assess_census::{MemberRow, RegisterRow, ReturnRow};
use assess_census_store::Dataset;
use assess_store::census::CensusDb;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// `assess census ingest --db URL ARGS...`, which must succeed; its stdout.
fn ingest_pg(url: &str, args: &[&str]) -> String {
    let out = assess()
        .args(["census", "ingest", "--db", url])
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

/// One county's rows, sorted the same way whatever the engine's collation.
#[derive(Debug, PartialEq)]
struct County {
    returns: Vec<ReturnRow>,
    members: Vec<MemberRow>,
    register: Vec<RegisterRow>,
}

impl County {
    fn sorted(
        mut returns: Vec<ReturnRow>,
        mut members: Vec<MemberRow>,
        mut register: Vec<RegisterRow>,
    ) -> County {
        returns.sort_by(|a, b| a.return_id.cmp(&b.return_id));
        members.sort_by(|a, b| (&a.return_id, &a.member_id).cmp(&(&b.return_id, &b.member_id)));
        register.sort_by(|a, b| a.household_id.cmp(&b.household_id));
        County {
            returns,
            members,
            register,
        }
    }
}

fn from_parquet(store: &Path, county: &str) -> County {
    let ds = Dataset::open(store).unwrap();
    County::sorted(
        ds.returns(county).unwrap(),
        ds.members(county).unwrap(),
        ds.register(county).unwrap(),
    )
}

fn from_pg(url: &str, county: &str) -> County {
    runtime().block_on(async {
        let db = CensusDb::connect(url).await.unwrap();
        let county = County::sorted(
            db.returns(county).await.unwrap(),
            db.members(county).await.unwrap(),
            db.register(county).await.unwrap(),
        );
        db.close().await;
        county
    })
}

/// The rows of a PostgreSQL table's count.
fn count(url: &str, sql: &str) -> i64 {
    let out = Command::new("psql")
        .args([url, "-At", "-c", sql])
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn rejects_csv(path: &Path) -> Vec<Vec<String>> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn census_ingest_into_postgres_equals_the_parquet_store_and_adds_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let (register, returns) = census(dir.path(), "530128,450223", 6000, "jsonl");
    // Two bad returns after the good ones: not JSON, an unknown field.
    let text = std::fs::read_to_string(&returns).unwrap();
    let mut unknown: serde_json::Value =
        serde_json::from_str(text.lines().next().unwrap()).unwrap();
    unknown["return_id"] = "530128-9999998".into();
    unknown["colour"] = "red".into();
    let input = dir.path().join("with-bad.jsonl");
    std::fs::write(&input, format!("{text}not json\n{unknown}\n")).unwrap();
    let good = text.lines().count();
    let (input, register) = (input.to_str().unwrap(), register.to_str().unwrap());
    let pg = fresh_pg_database();
    let store = dir.path().join("store");
    let (parquet_rejects, pg_rejects) = (dir.path().join("pq.csv"), dir.path().join("pg.csv"));
    let args = |rejects: &Path| {
        [
            input.to_string(),
            "--register".into(),
            register.into(),
            "--checkpoint-every".into(),
            "250".into(),
            "--rejects".into(),
            rejects.to_str().unwrap().into(),
        ]
    };
    let a = args(&parquet_rejects);
    let parquet_out = ingest(&store, &a.iter().map(String::as_str).collect::<Vec<_>>());
    let a = args(&pg_rejects);
    let pg_out = ingest_pg(&pg, &a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(pg_out, parquet_out.replace("pq.csv", "pg.csv"));
    assert!(pg_out.contains("6000 households of 2 counties"), "{pg_out}");
    assert!(
        pg_out.contains(&format!("{} returns read, {good} stored (", good + 2))
            && pg_out.contains(", 0 already held, 2 refused"),
        "{pg_out}"
    );
    // The same rows, column for column (ids, content hashes, findings, members, register),
    // and the same refusals by file, line and field.
    let mut registered = 0;
    for county in ["530128", "450223"] {
        let (ours, theirs) = (from_pg(&pg, county), from_parquet(&store, county));
        assert!(
            ours.returns.len() > 300 && ours.register.len() > 1000,
            "{county}"
        );
        registered += ours.register.len();
        assert_eq!(ours, theirs, "{county}");
    }
    assert_eq!(registered, 6000);
    let rejects = rejects_csv(&pg_rejects);
    assert_eq!(rejects, rejects_csv(&parquet_rejects));
    assert_eq!(
        rejects
            .iter()
            .map(|r| (r[1].as_str(), r[3].as_str()))
            .collect::<Vec<_>>(),
        [
            ((good + 1).to_string().as_str(), "json"),
            ((good + 2).to_string().as_str(), "colour")
        ]
    );
    let tables = "SELECT (SELECT count(*) FROM census_returns) * 1000000 \
                  + (SELECT count(*) FROM census_members)";
    let before = count(&pg, tables);

    // Again: nothing read, nothing added, the refusals listed again.
    let stdout = ingest_pg(&pg, &[input, "--rejects", pg_rejects.to_str().unwrap()]);
    assert!(stdout.contains("ingested by an earlier run"), "{stdout}");
    assert_eq!(rejects_csv(&pg_rejects), rejects);
    assert_eq!(count(&pg, tables), before);
    assert_eq!(count(&pg, "SELECT count(*) FROM census_ingest_rejects"), 2);

    // The same census as CSV: every return already held, nothing added.
    let csv_dir = dir.path().join("csv");
    std::fs::create_dir_all(&csv_dir).unwrap();
    let (_, csv_returns) = census(&csv_dir, "530128,450223", 6000, "csv");
    let stdout = ingest_pg(&pg, &[csv_returns.to_str().unwrap()]);
    assert!(
        stdout.contains(&format!(
            "{good} returns read, 0 stored (0 members), {good} already held, 0 refused"
        )),
        "{stdout}"
    );
    assert_eq!(count(&pg, tables), before);
}

/// Kills an ingest into PostgreSQL with SIGKILL once two checkpoints are committed, then runs
/// it again; the second run's stdout.
fn killed_then_resumed(url: &str, input: &Path) -> String {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("assess"))
        .args(["census", "ingest", "--checkpoint-every", "300", "--db", url])
        .arg(input)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let input_path = std::fs::canonicalize(input).unwrap().display().to_string();
    let items = format!(
        "SELECT coalesce(max((state->>'items')::bigint), 0) FROM census_ingest_checkpoints \
         WHERE state->'input'->>'path' = '{input_path}'"
    );
    let start = Instant::now();
    loop {
        let ready = count(
            url,
            "SELECT count(*) FROM pg_tables WHERE tablename = 'census_ingest_checkpoints'",
        ) == 1;
        if ready && count(url, &items) >= 600 {
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
    let done = format!(
        "SELECT count(*) FROM census_ingest_checkpoints \
         WHERE state->'input'->>'path' = '{input_path}' AND (state->>'done')::boolean"
    );
    assert!(
        status.code().is_none() && count(url, &done) == 0,
        "the ingest finished before the kill: make the census bigger"
    );
    ingest_pg(url, &[input.to_str().unwrap()])
}

#[test]
fn census_ingest_into_postgres_killed_mid_run_then_run_again_equals_a_clean_run() {
    let dir = tempfile::tempdir().unwrap();
    let (_, jsonl) = census(dir.path(), "530128", 40_000, "jsonl");
    let csv_dir = dir.path().join("csv");
    std::fs::create_dir_all(&csv_dir).unwrap();
    let (_, csv) = census(&csv_dir, "530128", 40_000, "csv");
    let clean = dir.path().join("clean");
    ingest(&clean, &[jsonl.to_str().unwrap()]);
    let clean = from_parquet(&clean, "530128");
    assert!(clean.returns.len() > 9000);
    for input in [&jsonl, &csv] {
        let pg = fresh_pg_database();
        let stdout = killed_then_resumed(&pg, input);
        assert!(stdout.contains("(resumed after "), "{stdout}");
        assert!(
            stdout.contains(&format!(
                "{n} returns read, {n} stored",
                n = clean.returns.len()
            )),
            "{stdout}"
        );
        let ours = from_pg(&pg, "530128");
        assert_eq!(ours.returns.len(), clean.returns.len());
        assert_eq!(ours, clean, "{}", input.display());
    }
}

#[test]
fn census_register_into_postgres_replaces_a_county_whole_and_a_refused_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (both, _) = census(dir.path(), "530128,450223", 4000, "jsonl");
    let pg = fresh_pg_database();
    let stdout = ingest_pg(&pg, &["--register", both.to_str().unwrap()]);
    assert!(stdout.contains("4000 households of 2 counties"), "{stdout}");
    let first_450223 = from_pg(&pg, "450223").register;
    assert_eq!(
        first_450223.len() + from_pg(&pg, "530128").register.len(),
        4000
    );
    // A smaller register of one county: that county's rows are the new file's, whole; the
    // other county keeps its rows.
    let one_dir = dir.path().join("one");
    std::fs::create_dir_all(&one_dir).unwrap();
    let (one, _) = census(&one_dir, "530128", 700, "jsonl");
    let stdout = ingest_pg(&pg, &["--register", one.to_str().unwrap()]);
    assert!(stdout.contains("700 households of 1 county"), "{stdout}");
    let store = dir.path().join("store");
    ingest(&store, &["--register", one.to_str().unwrap()]);
    assert_eq!(
        from_pg(&pg, "530128").register,
        from_parquet(&store, "530128").register
    );
    assert_eq!(from_pg(&pg, "530128").register.len(), 700);
    assert_eq!(from_pg(&pg, "450223").register, first_450223);
    // A register with a bad last row: refused whole, nothing replaced.
    let text = std::fs::read_to_string(&both).unwrap();
    let header = text.lines().next().unwrap();
    let status = header.split(',').position(|c| c == "status").unwrap();
    let mut last: Vec<&str> = text.lines().last().unwrap().split(',').collect();
    last[status] = "gone";
    let bad = dir.path().join("bad-register.csv");
    std::fs::write(&bad, format!("{text}{}\n", last.join(","))).unwrap();
    let out = assess()
        .args(["census", "ingest", "--db", &pg, "--register"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("status \"gone\""),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(from_pg(&pg, "530128").register.len(), 700);
    assert_eq!(from_pg(&pg, "450223").register, first_450223);
}

/// Two offices loading at once: two ingests of different provinces' returns started together
/// on a fresh database (both making the tables and their partitions) both succeed, with the
/// rows each gives alone.
#[test]
fn census_ingest_into_postgres_two_offices_at_once_both_commit() {
    let dir = tempfile::tempdir().unwrap();
    let mut inputs = Vec::new();
    for county in ["530128", "450223"] {
        let sub = dir.path().join(county);
        std::fs::create_dir_all(&sub).unwrap();
        inputs.push((county, census(&sub, county, 3000, "jsonl").1));
    }
    let pg = fresh_pg_database();
    let children: Vec<_> = inputs
        .iter()
        .map(|(_, input)| {
            Command::new(assert_cmd::cargo::cargo_bin("assess"))
                .args(["census", "ingest", "--checkpoint-every", "100", "--db", &pg])
                .arg(input)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for (county, input) in &inputs {
        let store = dir.path().join(format!("store-{county}"));
        ingest(&store, &[input.to_str().unwrap()]);
        let (ours, theirs) = (from_pg(&pg, county), from_parquet(&store, county));
        assert!(ours.returns.len() > 300, "{county}");
        assert_eq!(ours, theirs, "{county}");
    }
}
