//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The `assess` binary built for this test run.
pub fn assess() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("assess").expect("the assess binary is built")
}

/// A file shipped in the repository (sample plans, fixtures), by path from the root.
pub fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Text of a file, panicking with its path when unreadable.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A synthetic Luquan register (6,000 households) and village file, made once per test run
/// by the real `assess synth`, under cargo's per-target temporary directory.
pub fn luquan() -> (PathBuf, PathBuf) {
    static MADE: std::sync::OnceLock<(PathBuf, PathBuf)> = std::sync::OnceLock::new();
    MADE.get_or_init(|| synth("luquan", "530128", 6000)).clone()
}

/// A synthetic register for `counties` (comma-separated) with its village file.
pub fn synth(name: &str, counties: &str, households: u64) -> (PathBuf, PathBuf) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("fixture-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (register, villages) = (dir.join("register.csv"), dir.join("villages.csv"));
    assess()
        .args([
            "synth",
            "--county",
            counties,
            "--households",
            &households.to_string(),
            "--seed",
            "3",
        ])
        .arg("--out")
        .arg(&register)
        .arg("--villages")
        .arg(&villages)
        .assert()
        .success();
    (register, villages)
}

/// Runs `assess draw` with a plan from sample-plans/ into `out`, returning the command's assertion.
pub fn draw(
    plan: &Path,
    register: &Path,
    villages: &Path,
    seed: &str,
    household_seed: &str,
    out: &Path,
) -> assert_cmd::assert::Assert {
    draw_command(plan, register, villages, seed, household_seed, out).assert()
}

/// The `assess draw` command of [`draw`], for a caller that adds options before running it.
pub fn draw_command(
    plan: &Path,
    register: &Path,
    villages: &Path,
    seed: &str,
    household_seed: &str,
    out: &Path,
) -> assert_cmd::Command {
    let mut cmd = assess();
    cmd.arg("draw")
        .arg("--plan")
        .arg(plan)
        .arg("--frame")
        .arg(register)
        .arg("--villages")
        .arg(villages)
        .args(["--seed", seed, "--household-seed", household_seed])
        // The tests' seeds are short on purpose (readable, fixed); real ones are refused so.
        .arg("--allow-weak-seed")
        .arg("--out")
        .arg(out);
    cmd
}

/// sample.csv rows as maps from column to value.
pub fn sample_rows(dir: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(dir.join("sample.csv")).unwrap();
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

/// Household ids of each (village, stratum) cell, in file order (primaries then reserves).
pub fn cells(dir: &Path) -> std::collections::BTreeMap<(String, String), Vec<String>> {
    let mut out: std::collections::BTreeMap<(String, String), Vec<String>> = Default::default();
    for row in sample_rows(dir) {
        out.entry((row["village_code"].clone(), row["stratum"].clone()))
            .or_default()
            .push(row["household_id"].clone());
    }
    out
}

/// The PostgreSQL server for tests: `ASSESS_TEST_PG` (set by .ci/run), or a throwaway server
/// started once per test run with tests/support/pg-throwaway.sh (stop it with `tests/support/pg-throwaway.sh stop`).
pub fn pg_admin_url() -> String {
    static URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("ASSESS_TEST_PG") {
            return url;
        }
        let out = std::process::Command::new("bash")
            .arg(repo_file("tests/support/pg-throwaway.sh"))
            .arg("start")
            .output()
            .expect("tests/support/pg-throwaway.sh runs");
        assert!(
            out.status.success(),
            "starting PostgreSQL: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        text.trim()
            .trim_start_matches("export ASSESS_TEST_PG=")
            .to_string()
    })
    .clone()
}

/// A test's database, as its `--db` value. A PostgreSQL database is dropped when the guard
/// goes, so that a test run does not leave hundreds of databases (and their disk) behind.
pub struct TestDb {
    url: String,
    pg_name: Option<String>,
}

impl TestDb {
    /// A SQLite file (removed with the test's temporary directory).
    pub fn sqlite(path: &Path) -> TestDb {
        TestDb {
            url: path.display().to_string(),
            pg_name: None,
        }
    }
}

impl std::ops::Deref for TestDb {
    type Target = str;
    fn deref(&self) -> &str {
        &self.url
    }
}

impl AsRef<std::ffi::OsStr> for TestDb {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.url.as_ref()
    }
}

impl std::fmt::Display for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.url)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            // Best effort: a failed drop only leaves a database in the throwaway server.
            let _ = std::process::Command::new("psql")
                .args([
                    pg_admin_url().as_str(),
                    "-q",
                    "-c",
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                ])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status();
        }
    }
}

/// A new, empty PostgreSQL database for one test, dropped with the guard.
pub fn fresh_pg_database() -> TestDb {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let admin = pg_admin_url();
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let name = format!("assess_test_{}_{n}", std::process::id());
    // FILE_COPY: the default strategy (WAL_LOG) writes the whole template into the WAL.
    let status = std::process::Command::new("psql")
        .args([
            admin.as_str(),
            "-q",
            "-c",
            &format!("CREATE DATABASE {name} STRATEGY FILE_COPY"),
        ])
        .status()
        .expect("psql runs");
    assert!(status.success(), "creating database {name}");
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    TestDb {
        url: format!("{base}/{name}"),
        pg_name: Some(name),
    }
}

/// One database of each engine, fresh: (engine name, --db value). The SQLite file lives in `dir`.
pub fn databases(dir: &Path) -> Vec<(&'static str, TestDb)> {
    let out = vec![
        ("sqlite", TestDb::sqlite(&dir.join("assess.db"))),
        ("postgres", fresh_pg_database()),
    ];
    out.iter().for_each(|(_, db)| init_db(db));
    out
}

/// `assess init --db DB`: every other command refuses a database that does not exist.
pub fn init_db(db: &str) {
    assess().args(["init", "--db", db]).assert().success();
}

/// A fresh draw of the bundled Luquan plan on the synthetic Luquan register, written to
/// `dir/draw`: (directory, draw id, the first `n` household ids of its sample).
pub fn luquan_draw(dir: &Path, n: usize) -> (PathBuf, String, Vec<String>) {
    let (register, villages) = luquan();
    let out = dir.join("draw");
    draw(
        &repo_file("sample-plans/luquan-530128.toml"),
        &register,
        &villages,
        "4242",
        "2424",
        &out,
    )
    .success();
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    let id = manifest["sample_sha256"].as_str().unwrap().to_string();
    let households = sample_rows(&out)
        .into_iter()
        .take(n)
        .map(|r| r["household_id"].clone())
        .collect();
    (out, id, households)
}

/// A household record (two members, every guarantee met) for visit-record fixtures.
pub fn household_record(id: &str) -> serde_json::Value {
    let cover = serde_json::json!({"basic_medical_insurance": true, "serious_illness_insurance": true, "medical_assistance": false});
    serde_json::json!({
        "household_id": id,
        "status": "exited",
        "register_members": 2,
        "members": [
            {"id": "1", "age": 40, "sex": "male", "cover": cover},
            {"id": "2", "age": 11, "sex": "female", "schooling": "in_school", "cover": cover}
        ],
        "income_year": 2019,
        "income": {"wages": 9000.0, "business_net": 2000.0, "property": 0.0, "transfers": 1000.0, "in_kind": 500.0},
        "food_adequate": true,
        "clothing_adequate": true,
        "protein_available": true,
        "housing": {
            "site_dangerous": false,
            "components": {"load_bearing_walls": "a", "foundation": "a", "roof_truss": "a", "wood_members": "not_present"},
            "inspector_grade": "A",
            "renovation": "none"
        },
        "water": {"litres_per_person_day": 60.0, "water_scarce_area": false, "piped_to_yard": true, "outage_days": 0, "quality_ok": true}
    })
}

/// Imports the draw directory `drawn` into the database `db`.
pub fn with_draw(drawn: &Path, db: &str) {
    init_db(db);
    assess()
        .arg("import-sample")
        .arg(drawn)
        .args(["--db", db])
        .assert()
        .success();
}

/// `assess simulate-visits --seed 7` of the draw `drawn` from `register` and its `truth` into
/// `out`, expecting success.
pub fn simulate_visits(drawn: &Path, register: &Path, truth: &Path, out: &Path) {
    assess()
        .args(["simulate-visits", "--seed", "7"])
        .arg("--draw")
        .arg(drawn)
        .arg("--register")
        .arg(register)
        .arg("--truth")
        .arg(truth)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

/// Imports the visit records in `file` into the database `db`, expecting success.
pub fn import_records(file: impl AsRef<std::ffi::OsStr>, db: &str) {
    assess()
        .arg("import-records")
        .arg(file)
        .args(["--db", db])
        .assert()
        .success();
}

/// A new SQLite database in `dir` holding the draw `drawn`, its village file and the visit
/// `records`, each imported by the real binary; the database's path.
pub fn database_with(
    dir: &Path,
    drawn: &Path,
    villages: &Path,
    records: &[serde_json::Value],
) -> String {
    let file = dir.join("visits.json");
    std::fs::write(&file, serde_json::to_string(records).unwrap()).unwrap();
    let db = dir.join("assess.db").display().to_string();
    init_db(&db);
    assess()
        .arg("import-sample")
        .arg(drawn)
        .arg("--villages")
        .arg(villages)
        .args(["--db", &db])
        .assert()
        .success();
    import_records(&file, &db);
    db
}

/// A complete visit with its household record ([`household_record`]).
pub fn complete_visit(draw_id: &str, id: &str) -> serde_json::Value {
    serde_json::json!({
        "draw_id": draw_id,
        "household_id": id,
        "disposition": "complete",
        "mode": "in_person",
        "team": "team-1",
        "interviewers": ["Li Wei", "Zhang Min"],
        "start": "2020-06-12T09:30:00+08:00",
        "end": "2020-06-12T10:45:00+08:00",
        "gps_start": {"lat": 25.55, "lon": 102.47},
        "household": household_record(id)
    })
}

/// A complete visit in 2099, after any draw (visits dated before their draw are refused),
/// by `team`, with `household` as its record.
pub fn visit_after_draw(
    draw_id: &str,
    id: &str,
    team: &str,
    household: serde_json::Value,
) -> serde_json::Value {
    serde_json::json!({
        "draw_id": draw_id,
        "household_id": id,
        "disposition": "complete",
        "mode": "in_person",
        "team": team,
        "interviewers": ["Li Wei", "Zhang Min"],
        "start": "2099-06-12T09:00:00+08:00",
        "end": "2099-06-12T10:00:00+08:00",
        "household": household
    })
}

/// The first two villages (by code) of each village stratum of a sample: every variance
/// stratum then has two villages.
pub fn two_villages_per_stratum(
    rows: &[std::collections::BTreeMap<String, String>],
) -> std::collections::BTreeSet<String> {
    let mut chosen: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
        std::collections::BTreeMap::new();
    for r in rows {
        chosen
            .entry(&r["village_stratum"])
            .or_default()
            .insert(&r["village_code"]);
    }
    chosen
        .values()
        .flat_map(|codes| codes.iter().take(2).map(|c| c.to_string()))
        .collect()
}

/// A refused visit: no household record.
pub fn refused_visit(draw_id: &str, id: &str) -> serde_json::Value {
    serde_json::json!({
        "draw_id": draw_id,
        "household_id": id,
        "disposition": "refused",
        "team": "team-2",
        "interviewers": ["Wang Fang", "Zhao Lei"],
        "start": "2020-06-12T14:00:00+08:00",
        "end": "2020-06-12T14:10:00+08:00"
    })
}

/// A runtime and a one-connection pool on the database at `url` (a SQLite path or a
/// postgres:// URL), for tests that read the database directly.
pub fn db_pool(url: &str) -> (tokio::runtime::Runtime, sqlx::AnyPool) {
    sqlx::any::install_default_drivers();
    let url = if url.starts_with("postgres://") || url.starts_with("sqlite:") {
        url.to_string()
    } else {
        format!("sqlite://{url}")
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let pool = runtime.block_on(async {
        sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .unwrap()
    });
    (runtime, pool)
}

/// A digest of every table's rows in the database at `url` (SQLite path or postgres:// URL),
/// to show that a refused command changed nothing. Each row is rendered as text by the
/// database itself (PostgreSQL's row-to-text cast, SQLite's `quote()` of every column), and
/// rows are sorted, so the digest does not depend on storage order.
pub fn db_digest(url: &str) -> String {
    use sha2::{Digest, Sha256};
    use sqlx::Row;
    let postgres = url.starts_with("postgres://");
    let (runtime, pool) = db_pool(url);
    runtime.block_on(async {
        let list = if postgres {
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        } else {
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        };
        let tables: Vec<String> = sqlx::query(list)
            .fetch_all(&pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>(0))
            .filter(|t| !t.starts_with("_sqlx") && !t.starts_with("sqlite_"))
            .collect();
        let mut hash = Sha256::new();
        for table in tables {
            // The table and column names come from the database's own catalogue.
            let row_text = if postgres {
                "t::text".to_string()
            } else {
                let columns: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT name FROM pragma_table_info('{table}')"
                )))
                .fetch_all(&pool)
                .await
                .unwrap()
                .iter()
                .map(|r| format!("quote(\"{}\")", r.get::<String, _>(0)))
                .collect();
                columns.join(" || '|' || ")
            };
            let sql = sqlx::AssertSqlSafe(format!("SELECT {row_text} FROM {table} t"));
            let mut lines: Vec<String> = sqlx::query(sql)
                .fetch_all(&pool)
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<String, _>(0))
                .collect();
            lines.sort();
            hash.update(format!("{table}:{}\n", lines.len()));
            for line in lines {
                hash.update(line);
                hash.update("\n");
            }
        }
        pool.close().await;
        hex::encode(hash.finalize())
    })
}

/// A synthetic census made by the real `assess synth` in `dir`: `register.csv`,
/// `returns.jsonl`, the census truth `truth.csv` and the registries in `registries/`; `extra`
/// are more synth options (fault rates).
pub fn synth_census(dir: &Path, counties: &str, households: u64, seed: u64, extra: &[&str]) {
    assess()
        .args(["synth", "--county", counties])
        .args([
            "--households",
            &households.to_string(),
            "--seed",
            &seed.to_string(),
        ])
        .args(extra)
        .arg("--out")
        .arg(dir.join("register.csv"))
        .arg("--census-out")
        .arg(dir.join("returns.jsonl"))
        .arg("--census-truth")
        .arg(dir.join("truth.csv"))
        .arg("--census-registries")
        .arg(dir.join("registries"))
        .assert()
        .success();
}

/// `assess census ingest` of `dir/returns.jsonl` into the store `dir/store`, with the
/// register `dir/register.csv` when `register` is true.
pub fn ingest_census(dir: &Path, register: bool) {
    let mut cmd = assess();
    cmd.args(["census", "ingest", "--store"])
        .arg(dir.join("store"));
    if register {
        cmd.arg("--register").arg(dir.join("register.csv"));
    }
    cmd.arg(dir.join("returns.jsonl")).assert().success();
}
