//! Concurrent writers (issue 12 part 1): eight `assess import-records` at once on one
//! database, with disjoint and with overlapping records, on SQLite (writers wait for each
//! other) and PostgreSQL (conflicting transactions are repeated). Nothing is lost, nothing is
//! stored twice, and every importer succeeds.

use crate::util::{complete_visit, databases, luquan_draw, with_draw};
use sqlx::Row;
use std::collections::BTreeMap;
use std::path::Path;

/// Stored versions per household, read from the database itself.
fn versions(url: &str) -> BTreeMap<String, i64> {
    let (runtime, pool) = crate::util::db_pool(url);
    runtime.block_on(async {
        let rows = sqlx::query("SELECT household_id, COUNT(*) FROM visits GROUP BY household_id")
            .fetch_all(&pool)
            .await
            .unwrap();
        pool.close().await;
        rows.iter()
            .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1)))
            .collect()
    })
}

/// Runs one importer per file at once; every one must succeed.
fn import_all_at_once(files: &[std::path::PathBuf], db: &str) {
    let bin = assert_cmd::cargo::cargo_bin("assess");
    let children: Vec<_> = files
        .iter()
        .map(|f| {
            std::process::Command::new(&bin)
                .arg("import-records")
                .arg(f)
                .args(["--db", db])
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
            "an importer failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn write(dir: &Path, name: &str, draw: &str, households: &[String]) -> std::path::PathBuf {
    let records: Vec<_> = households.iter().map(|h| complete_visit(draw, h)).collect();
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string(&records).unwrap()).unwrap();
    path
}

fn writers(importers: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, draw, households) = luquan_draw(dir.path(), 40);
    for (backend, db) in databases(dir.path()) {
        with_draw(&drawn, &db);
        // Disjoint: each importer its own five households.
        let disjoint: Vec<_> = (0..importers)
            .map(|k| {
                let name = format!("{backend}-disjoint-{k}.json");
                write(dir.path(), &name, &draw, &households[k * 5..k * 5 + 5])
            })
            .collect();
        import_all_at_once(&disjoint, &db);
        let stored = versions(&db);
        assert_eq!(stored.len(), importers * 5, "{backend}: {stored:?}");
        assert!(stored.values().all(|v| *v == 1), "{backend}: {stored:?}");
        // Overlapping: each importer ten households, half shared with the next, the first
        // five already stored; identical records are never stored twice.
        let overlapping: Vec<_> = (0..importers)
            .map(|k| {
                let name = format!("{backend}-overlap-{k}.json");
                let from = (k * 5 + 5).min(households.len() - 10);
                let mut some = households[from..from + 10].to_vec();
                some.extend_from_slice(&households[..5]);
                write(dir.path(), &name, &draw, &some)
            })
            .collect();
        import_all_at_once(&overlapping, &db);
        let stored = versions(&db);
        let expected = (importers * 5 + 10).min(households.len());
        assert_eq!(stored.len(), expected, "{backend}: {stored:?}");
        assert!(stored.values().all(|v| *v == 1), "{backend}: {stored:?}");
    }
}

#[test]
fn two_concurrent_importers_both_succeed_and_nothing_is_lost_or_doubled() {
    writers(2);
}

#[test]
fn eight_concurrent_importers_all_succeed_and_nothing_is_lost_or_doubled() {
    writers(8);
}
