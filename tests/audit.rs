//! The hash-chained audit log (issue 14 section 2, docs/audit.md) on both engines: after real
//! imports, photos and review steps `assess audit verify` passes; each kind of tampering done
//! directly in SQL afterwards is found and named; a signed head verifies with its key, fails
//! with another, and fails once the log is rewritten; concurrent writers leave a chain that
//! verifies; a database made before the log gets its objects logged once, by baseline entries.

use crate::finding::{finding, finding_at, record, write};
use crate::util::{assess, databases, db_pool, import_records, luquan_draw, with_draw};
use serde_json::json;
use sqlx::Row;
use std::path::Path;

/// Runs SQL statements on the database directly, as someone with access to it would.
fn sql(db: &str, statements: &[String]) {
    let (runtime, pool) = db_pool(db);
    runtime.block_on(async {
        for s in statements {
            sqlx::query(sqlx::AssertSqlSafe(s.clone()))
                .execute(&pool)
                .await
                .unwrap_or_else(|e| panic!("{s}: {e}"));
        }
        pool.close().await;
    });
}

/// `assess audit verify --db DB [ARGS]`: success, and stdout with stderr.
fn verify(db: &str, args: &[&str]) -> (bool, String) {
    let out = assess()
        .args(["audit", "verify", "--db", db])
        .args(args)
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(101), "a panic");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// Verification must fail and name `expected`.
fn fails_naming(db: &str, engine: &str, expected: &str) {
    let (ok, text) = verify(db, &[]);
    assert!(!ok, "{engine}: verify passed after tampering: {text}");
    assert!(
        text.contains(expected),
        "{engine}: expected {expected:?} in:\n{text}"
    );
}

fn add_photo(dir: &Path, db: &str, draw: &str, household: &str) -> String {
    let photo = dir.join("crack.jpg");
    let bytes = crate::photo::jpeg();
    std::fs::write(&photo, &bytes).unwrap();
    assess()
        .args(["photo", "add"])
        .arg(&photo)
        .args(["--db", db, "--draw", draw, "--household", household])
        .assert()
        .success();
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(&bytes))
}

/// Entries in the log.
fn entry_count(db: &str) -> i64 {
    let (runtime, pool) = db_pool(db);
    runtime.block_on(async {
        let n = sqlx::query("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&pool)
            .await
            .unwrap()
            .get::<i64, _>(0);
        pool.close().await;
        n
    })
}

#[test]
fn verify_passes_after_real_writes_and_names_every_kind_of_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, draw, h) = luquan_draw(dir.path(), 6);
    let records = write(
        dir.path(),
        "field.json",
        &json!(h[..4]
            .iter()
            .map(|id| record(&draw, id, 1500.0))
            .collect::<Vec<_>>()),
    );
    let corrected = write(dir.path(), "corrected.json", &record(&draw, &h[0], 9000.0));
    let evidence = dir.path().join("wage-slips.pdf");
    std::fs::write(&evidence, b"%PDF-1.4 wage slips").unwrap();
    for (engine, db) in databases(dir.path()) {
        with_draw(&drawn, &db);
        import_records(&records, &db);
        let photo = add_photo(dir.path(), &db, &draw, &h[0]);
        // A review, a contest with an evidence file, an appeal that corrects the record.
        let by = [
            "--by",
            "expert Wang",
            "--reason",
            "photos and answers agree",
        ];
        let review = [&["review", "--decision", "upheld"][..], &by[..]].concat();
        finding(&db, &draw, &h[0], &review).success();
        let contest = [
            "contest",
            "--by",
            "county office",
            "--reason",
            "wages under-reported",
            "--evidence",
            evidence.to_str().unwrap(),
        ];
        finding_at(&db, &draw, &h[0], "2099-06-13T10:00:00+08:00", &contest).success();
        let decide = [
            "decide",
            "--decision",
            "overturned",
            "--by",
            "appeal board",
            "--reason",
            "wage slips",
            "--record",
            &corrected,
        ];
        finding_at(&db, &draw, &h[0], "2099-06-14T10:00:00+08:00", &decide).success();
        // draw 1, records 2-5, photo 6, link 7, review 8, evidence 9 and contest 10,
        // corrected record 11 and decision 12.
        assert_eq!(entry_count(&db), 12, "{engine}");
        let (ok, text) = verify(&db, &[]);
        assert!(ok, "{engine}: {text}");
        assert!(
            text.contains("audit log intact: 12 entries, 12 stored objects match it"),
            "{engine}: {text}"
        );

        let d = &draw;
        // A record's content changed.
        sql(
            &db,
            &[format!(
                "UPDATE visits SET record_json = REPLACE(record_json, 'team-1', 'team-9') \
                 WHERE household_id = '{}' AND version = 1",
                h[1]
            )],
        );
        fails_naming(
            &db,
            engine,
            &format!(
                "record {d}/{} version 1 changed after it was logged (entry 3)",
                h[1]
            ),
        );
        // A visit row deleted.
        sql(
            &db,
            &[format!(
                "DELETE FROM visits WHERE household_id = '{}'",
                h[2]
            )],
        );
        fails_naming(
            &db,
            engine,
            &format!("record {d}/{} version 1 deleted (logged by entry 4)", h[2]),
        );
        // A photo's bytes changed.
        let (runtime, pool) = db_pool(&db);
        runtime.block_on(async {
            let mut other = crate::photo::jpeg();
            let at = other.len() / 2;
            other[at] ^= 0xff;
            sqlx::query("UPDATE photos SET content = $1")
                .bind(other)
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        });
        fails_naming(
            &db,
            engine,
            &format!("photo {photo} changed after it was logged (entry 6)"),
        );
        // A step's reason rewritten, and a draw's household weight.
        sql(
            &db,
            &[
                format!("UPDATE finding_steps SET reason = 'none' WHERE seq = 1 AND household_id = '{}'", h[0]),
                format!("UPDATE sample_households SET weight = 1 WHERE household_id = '{}'", h[5]),
            ],
        );
        fails_naming(
            &db,
            engine,
            &format!(
                "step 1 of {d}/{} changed after it was logged (entry 8)",
                h[0]
            ),
        );
        fails_naming(
            &db,
            engine,
            &format!("draw {d} changed after it was logged (entry 1)"),
        );
        // An entry changed.
        sql(
            &db,
            &["UPDATE audit_log SET actor = 'someone else' WHERE sequence = 2".to_string()],
        );
        fails_naming(
            &db,
            engine,
            "entry 2 changed (its fields no longer give its hash)",
        );
        // An entry deleted: its record is then stored but logged by no entry.
        sql(
            &db,
            &["DELETE FROM audit_log WHERE sequence = 5".to_string()],
        );
        fails_naming(&db, engine, "entry 5 deleted (the sequence skips it)");
        fails_naming(
            &db,
            engine,
            &format!(
                "record {d}/{} version 1 is stored but no entry logs it: it was written outside assess",
                h[3]
            ),
        );
        // Two entries swapped.
        sql(
            &db,
            &[
                "UPDATE audit_log SET sequence = -9 WHERE sequence = 9".to_string(),
                "UPDATE audit_log SET sequence = 9 WHERE sequence = 10".to_string(),
                "UPDATE audit_log SET sequence = 10 WHERE sequence = -9".to_string(),
            ],
        );
        fails_naming(
            &db,
            engine,
            "entry 10 moved to position 9: entries were reordered",
        );
        fails_naming(
            &db,
            engine,
            "entry 9 moved to position 10: entries were reordered",
        );
        // An object inserted without an entry: a version 9 of a record.
        sql(
            &db,
            &[format!(
                "INSERT INTO visits (draw_id, household_id, version, disposition, record_json, \
                 content_sha256, is_current, imported_at, source_file, stage) \
                 SELECT draw_id, household_id, 9, disposition, record_json, content_sha256, FALSE, \
                 imported_at, source_file, stage FROM visits WHERE household_id = '{}'",
                h[3]
            )],
        );
        fails_naming(
            &db,
            engine,
            &format!(
                "record {d}/{} version 9 is stored but no entry logs it: it was written outside assess",
                h[3]
            ),
        );
        // Everything found is still named together, and the summary counts it.
        let (_, text) = verify(&db, &[]);
        assert!(
            text.contains("does not verify: 11 problems"),
            "{engine}: {text}"
        );
    }
}

/// Every entry as stored, by sequence.
fn entries(db: &str) -> Vec<assess_audit::Entry> {
    let (runtime, pool) = db_pool(db);
    runtime.block_on(async {
        let rows = sqlx::query(
            "SELECT sequence, logged_at, actor, action, object_key, content_sha256, prev_hash, \
             entry_hash FROM audit_log ORDER BY sequence",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        pool.close().await;
        rows.iter()
            .map(|r| assess_audit::Entry {
                sequence: r.get(0),
                time: r.get(1),
                actor: r.get(2),
                action: r.get(3),
                key: r.get(4),
                content_sha256: r.get(5),
                prev_hash: r.get(6),
                entry_hash: r.get(7),
            })
            .collect()
    })
}

#[test]
fn a_signed_head_verifies_with_its_key_and_fails_with_another_or_after_a_rewrite() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, draw, h) = luquan_draw(dir.path(), 3);
    let first = write(
        dir.path(),
        "first.json",
        &json!([record(&draw, &h[0], 1500.0), record(&draw, &h[1], 1500.0)]),
    );
    let later = write(
        dir.path(),
        "later.json",
        &json!([record(&draw, &h[2], 1500.0)]),
    );
    let keygen = |name: &str| {
        let key = dir.path().join(name);
        let out = assess()
            .args(["audit", "keygen", "--out"])
            .arg(&key)
            .assert()
            .success();
        let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
        let public = std::fs::read_to_string(dir.path().join(format!("{name}.pub"))).unwrap();
        assert!(text.contains(public.trim()), "{text}");
        key
    };
    let national = keygen("national.key");
    let other = keygen("other.key");
    let path = |p: &Path| p.display().to_string();
    for (engine, db) in databases(dir.path()) {
        with_draw(&drawn, &db);
        import_records(&first, &db);
        let head = dir.path().join(format!("{engine}-head.json"));
        assess()
            .args(["audit", "head", "--db", &db, "--sign"])
            .arg(&national)
            .arg("--out")
            .arg(&head)
            .assert()
            .success();
        let signed: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&head).unwrap()).unwrap();
        assert_eq!(signed["sequence"], 3, "{engine}: {signed}");
        assert_eq!(signed["entries"], 3, "{engine}: {signed}");
        assert_eq!(signed["signature"].as_str().unwrap().len(), 128, "{engine}");
        let with_key = |key: &Path| {
            let public = format!("{}.pub", key.display());
            verify(&db, &["--head", &path(&head), "--public-key", &public])
        };
        let (ok, text) = with_key(&national);
        assert!(ok, "{engine}: {text}");
        assert!(
            text.contains("signed head of") && text.contains("with the trusted public key"),
            "{engine}: {text}"
        );
        let (ok, text) = with_key(&other);
        assert!(!ok, "{engine}: a head verified with another key");
        assert!(text.contains("not by the trusted key"), "{engine}: {text}");
        // Writes after the head do not disturb it.
        import_records(&later, &db);
        let (ok, text) = with_key(&national);
        assert!(ok, "{engine}: {text}");
        // The log rewritten from the head's entry on, every hash recomputed: the chain and
        // the objects still verify (only the actor changed), but the signed head does not.
        let mut log = entries(&db);
        log[2].actor = "forger".into();
        for i in 2..log.len() {
            log[i].prev_hash = log[i - 1].entry_hash.clone();
            log[i].entry_hash = log[i].recomputed_hash();
        }
        sql(
            &db,
            &log[2..]
                .iter()
                .map(|e| {
                    format!(
                        "UPDATE audit_log SET actor = '{}', prev_hash = '{}', entry_hash = '{}' \
                         WHERE sequence = {}",
                        e.actor, e.prev_hash, e.entry_hash, e.sequence
                    )
                })
                .collect::<Vec<_>>(),
        );
        let (ok, text) = verify(&db, &[]);
        assert!(
            ok,
            "{engine}: a consistent rewrite passes the chain alone: {text}"
        );
        let (ok, text) = with_key(&national);
        assert!(!ok, "{engine}: the rewritten log verified against the head");
        assert!(
            text.contains("entry 3 is not the one the head signed"),
            "{engine}: {text}"
        );
        // Cut back below the head: its entry is gone.
        sql(
            &db,
            &["DELETE FROM audit_log WHERE sequence >= 3".to_string()],
        );
        let (ok, text) = with_key(&national);
        assert!(
            !ok && text.contains("entry 3 is no longer in the log"),
            "{engine}: {text}"
        );
    }
}

#[test]
fn concurrent_writers_leave_a_chain_that_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, draw, h) = luquan_draw(dir.path(), 24);
    let photo = dir.path().join("crack.jpg");
    std::fs::write(&photo, crate::photo::jpeg()).unwrap();
    for (engine, db) in databases(dir.path()) {
        with_draw(&drawn, &db);
        let bin = assert_cmd::cargo::cargo_bin("assess");
        let mut children = Vec::new();
        for k in 0..6 {
            let file = write(
                dir.path(),
                &format!("{engine}-{k}.json"),
                &json!(h[k * 3..k * 3 + 3]
                    .iter()
                    .map(|id| record(&draw, id, 1500.0))
                    .collect::<Vec<_>>()),
            );
            let mut cmd = std::process::Command::new(&bin);
            cmd.args(["import-records", &file, "--db", &db]);
            children.push(cmd);
        }
        for id in &h[18..20] {
            let mut cmd = std::process::Command::new(&bin);
            cmd.args(["photo", "add"]).arg(&photo).args([
                "--db",
                &db,
                "--draw",
                &draw,
                "--household",
                id,
            ]);
            children.push(cmd);
        }
        let running: Vec<_> = children
            .iter_mut()
            .map(|c| {
                c.stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in running {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{engine}: a writer failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        // The draw, 18 records, the photo stored once and linked twice.
        let (ok, text) = verify(&db, &[]);
        assert!(ok, "{engine}: {text}");
        assert!(
            text.contains("audit log intact: 22 entries, 22 stored objects match it"),
            "{engine}: {text}"
        );
    }
}

#[test]
fn a_database_made_before_the_log_is_baselined_once_and_never_again() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, draw, h) = luquan_draw(dir.path(), 3);
    let first = write(
        dir.path(),
        "first.json",
        &json!([record(&draw, &h[0], 1500.0), record(&draw, &h[1], 1500.0)]),
    );
    let later = write(
        dir.path(),
        "later.json",
        &json!([record(&draw, &h[2], 1500.0)]),
    );
    for (engine, db) in databases(dir.path()) {
        with_draw(&drawn, &db);
        import_records(&first, &db);
        // As the database was before the audit log's migration.
        sql(
            &db,
            &[
                "DROP TABLE audit_log".to_string(),
                "DROP TABLE audit_state".to_string(),
                "DELETE FROM _sqlx_migrations WHERE version = 20261206000000".to_string(),
            ],
        );
        // Any command that opens it migrates it and logs what it holds.
        assess().args(["draws", "--db", &db]).assert().success();
        let log = entries(&db);
        assert_eq!(log.len(), 3, "{engine}: {log:?}");
        assert!(
            log.iter().all(|e| e.action.ends_with(".baseline")
                && e.actor == assess_store::audit::BASELINE_ACTOR),
            "{engine}: {log:?}"
        );
        let (ok, text) = verify(&db, &[]);
        assert!(ok, "{engine}: {text}");
        assert!(
            text.contains(
                "3 entries, 3 of them logging objects made before the log, 3 stored objects"
            ),
            "{engine}: {text}"
        );
        import_records(&later, &db);
        let (ok, text) = verify(&db, &[]);
        assert!(ok && text.contains("4 entries"), "{engine}: {text}");
        // A log emptied later is not baselined again: every object is then unlogged.
        sql(&db, &["DELETE FROM audit_log".to_string()]);
        assess().args(["draws", "--db", &db]).assert().success();
        assert_eq!(entry_count(&db), 0, "{engine}");
        fails_naming(
            &db,
            engine,
            &format!("draw {draw} is stored but no entry logs it"),
        );
    }
}
