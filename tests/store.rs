//! The survey database, on both engines: `assess init`, `assess import-sample`, `assess draws`.
//! Every test runs against a SQLite file and a real PostgreSQL server (never skipped).

use crate::util::{assess, databases, read};
use predicates::prelude::PredicateBooleanExt;
use std::path::{Path, PathBuf};

fn a_draw(dir: &Path) -> PathBuf {
    crate::util::luquan_draw(dir, 0).0
}

fn stdout(assert: assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).to_string()
}

#[test]
fn init_creates_the_schema_and_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    for (engine, db) in databases(dir.path()) {
        let first = stdout(assess().args(["init", "--db", &db]).assert().success());
        assert!(first.contains("schema up to date"), "{engine}: {first}");
        assess().args(["init", "--db", &db]).assert().success();
    }
}

#[test]
fn a_draw_is_imported_once_and_again_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let drawn = a_draw(dir.path());
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&drawn.join("manifest.json"))).unwrap();
    let id = manifest["sample_sha256"].as_str().unwrap().to_string();
    let rows = crate::util::sample_rows(&drawn).len();
    for (engine, db) in databases(dir.path()) {
        let out = stdout(
            assess()
                .arg("import-sample")
                .arg(&drawn)
                .args(["--db", &db])
                .assert()
                .success(),
        );
        assert!(
            out.contains(&format!("imported draw {id}"))
                && out.contains(&format!("25 villages, {rows} households")),
            "{engine}: {out}"
        );
        let again = stdout(
            assess()
                .arg("import-sample")
                .arg(&drawn)
                .args(["--db", &db])
                .assert()
                .success(),
        );
        assert!(
            again.contains("already in the database; nothing changed"),
            "{engine}: {again}"
        );
        let list = stdout(assess().args(["draws", "--db", &db]).assert().success());
        assert!(
            list.contains(&id) && list.contains(&format!("{rows} households")),
            "{engine}: {list}"
        );
        assert_eq!(
            list.lines().filter(|l| l.contains(&id)).count(),
            1,
            "{engine}: {list}"
        );
    }
}

#[test]
fn a_tampered_sample_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let drawn = a_draw(dir.path());
    let sample = drawn.join("sample.csv");
    let text = read(&sample);
    let line = text.lines().nth(1).unwrap().to_string();
    std::fs::write(
        &sample,
        text.replacen(&line, &line.replace(",primary,", ",reserve,"), 1),
    )
    .unwrap();
    for (engine, db) in databases(dir.path()) {
        let err = String::from_utf8_lossy(
            &assess()
                .arg("import-sample")
                .arg(&drawn)
                .args(["--db", &db])
                .assert()
                .code(1)
                .get_output()
                .stderr,
        )
        .to_string();
        assert!(
            err.contains("sample.csv") && err.contains("changed after the draw"),
            "{engine}: {err}"
        );
        let list = stdout(assess().args(["draws", "--db", &db]).assert().success());
        assert!(list.contains("no draws"), "{engine}: {list}");
    }
}

#[test]
fn a_directory_that_is_not_a_draw_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("manifest.json"), "{\"hello\": 1}").unwrap();
    let db = dir.path().join("x.db").display().to_string();
    assess()
        .arg("import-sample")
        .arg(dir.path())
        .args(["--db", &db])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("not a draw manifest"));
}

#[test]
fn bad_and_unreachable_databases_are_clear_errors() {
    assess()
        .args(["init", "--db", "mysql://somewhere/x"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("give a SQLite file path"));
    // A port nobody listens on (reserved, never assigned); the password must not be echoed.
    assess()
        .args([
            "init",
            "--db",
            "postgres://census:secret@127.0.0.1:9/assess",
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("census:***@127.0.0.1:9"))
        .stderr(predicates::str::contains("secret").not());
}

/// A draw time given on import keeps the offset it was given in; the same instant given again
/// in another offset is the same fact, another instant is refused.
#[test]
fn a_draw_time_keeps_its_offset_and_is_compared_as_an_instant() {
    let dir = tempfile::tempdir().unwrap();
    let drawn = a_draw(dir.path());
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&drawn.join("manifest.json"))).unwrap();
    let id = manifest["sample_sha256"].as_str().unwrap().to_string();
    let import = |db: &str, at: &str| {
        assess()
            .arg("import-sample")
            .arg(&drawn)
            .args(["--db", db, "--drawn-at", at])
            .assert()
    };
    for (engine, db) in databases(dir.path()) {
        import(&db, "2020-06-01T08:00:00+08:00").success();
        let again = stdout(import(&db, "2020-06-01T00:00:00Z").success());
        assert!(
            again.contains("already in the database; nothing changed"),
            "{engine}: {again}"
        );
        let other = import(&db, "2020-06-01T09:00:00+08:00").code(1);
        let e = String::from_utf8_lossy(&other.get_output().stderr).to_string();
        assert!(
            e.contains(&format!(
                "draw {id} is recorded as drawn at 2020-06-01T08:00:00+08:00, not \
                 2020-06-01T09:00:00+08:00"
            )),
            "{engine}: {e}"
        );
        let stored = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async {
                let store = assess_store::Store::open(&db).await.unwrap();
                let at = store.drawn_at(&id).await.unwrap();
                store.close().await;
                at
            });
        assert_eq!(
            stored.as_deref(),
            Some("2020-06-01T08:00:00+08:00"),
            "{engine}"
        );
    }
}
