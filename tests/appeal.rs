//! Review and appeal steps (issue 13 part 5), on both engines: a step before its visit or the
//! step it follows refused with nothing written; times kept with their offsets; evidence files
//! kept in the database once by SHA-256 and read back; `finding list` with each finding's
//! outcome and a filter on it; the verdict's warning while appeals are pending.

use crate::finding::{finding, finding_at, record, stderr, write};
use crate::util::{
    assess, databases, db_digest, import_records, luquan_draw, repo_file, sample_rows,
    two_villages_per_stratum,
};
use assess_store::Store;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).to_string()
}

fn import_sample(out: &Path, db: &str) {
    assess()
        .arg("import-sample")
        .arg(out)
        .args(["--db", db])
        .assert()
        .success();
}

const UPHOLD: [&str; 6] = [
    "review",
    "--decision",
    "upheld",
    "--by",
    "expert Wang",
    "--reason",
];

fn uphold(db: &str, draw: &str, h: &str, at: &str) -> assert_cmd::assert::Assert {
    let mut args = UPHOLD.to_vec();
    args.push("photos and answers agree");
    finding_at(db, draw, h, at, &args)
}

fn contest(db: &str, draw: &str, h: &str, at: &str, evidence: &str) -> assert_cmd::assert::Assert {
    finding_at(
        db,
        draw,
        h,
        at,
        &[
            "contest",
            "--by",
            "county office",
            "--reason",
            "wages were under-reported",
            "--evidence",
            evidence,
        ],
    )
}

fn list_json(db: &str, draw: &str, extra: &[&str]) -> Value {
    let listed = assess()
        .args(["finding", "list", "--json", "--db", db, "--draw", draw])
        .args(extra)
        .assert()
        .success();
    serde_json::from_slice(&listed.get_output().stdout).unwrap()
}

/// One drawn household with a field record found poor (income 1,500) and an evidence file.
struct Case {
    out: PathBuf,
    draw_id: String,
    h: String,
    field: String,
    evidence: String,
}

fn one_household(dir: &Path) -> Case {
    let (out, draw_id, ids) = luquan_draw(dir, 1);
    let h = ids[0].clone();
    let field = write(dir, "f.json", &json!([record(&draw_id, &h, 1500.0)]));
    let evidence = dir.join("slips.pdf");
    std::fs::write(&evidence, b"%PDF wage slips").unwrap();
    Case {
        out,
        draw_id,
        h,
        field,
        evidence: evidence.display().to_string(),
    }
}

fn evidence_files(db: &str) -> i64 {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let store = Store::open(db).await.unwrap();
            let n = store.evidence_file_count().await.unwrap();
            store.close().await;
            n
        })
}

/// The team's visit ended at 2099-06-12T10:00:00+08:00 (02:00 UTC). A review before it, in
/// any offset, is refused naming the finding, both times and what to do; at the same instant
/// written in UTC it is taken. A contest before the visit is refused too (a step before the
/// step it follows: `step_times_keep_their_offsets_and_compare_as_instants`). A refusal
/// writes nothing.
#[test]
fn a_step_before_its_visit_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let Case {
        out,
        draw_id,
        h,
        field,
        evidence,
    } = one_household(dir.path());
    let h = h.as_str();
    for (engine, db) in databases(dir.path()) {
        import_sample(&out, &db);
        import_records(&field, &db);
        let before = db_digest(&db);
        for at in ["2099-06-12T09:30:00+08:00", "2099-06-12T01:59:00Z"] {
            let refused = uphold(&db, &draw_id, h, at).code(1);
            let e = stderr(&refused);
            assert!(
                e.contains(&format!(
                    "household {h} of draw {draw_id}: the review_upheld step's time {at} is"
                )) && e
                    .contains("before the end of the visit it reviews (2099-06-12T10:00:00+08:00)")
                    && e.contains("give the time it was taken, with its offset")
                    && e.contains("; pass it with --at (without --at the step is taken now)"),
                "{engine}: {e}"
            );
        }
        let e = stderr(&uphold(&db, &draw_id, h, "2099-06-12T09:30:00+08:00").code(1));
        assert!(e.contains("is 30 min before the end of the visit"), "{e}");
        // Without --at the step is taken now, years before this visit of 2099.
        let mut now = UPHOLD.to_vec();
        now.push("y");
        let e = stderr(
            &assess()
                .arg("finding")
                .args(&now)
                .args(["--db", &db, "--draw", &draw_id, "--household", h])
                .assert()
                .code(1),
        );
        assert!(e.contains("before the end of the visit it reviews"), "{e}");
        assert_eq!(db_digest(&db), before, "{engine}: a refused step wrote");

        // The same instant as the visit's end, written in UTC: taken.
        uphold(&db, &draw_id, h, "2099-06-12T02:00:00Z").success();
        let after_review = db_digest(&db);
        let early = contest(&db, &draw_id, h, "2099-06-12T09:59:00+08:00", &evidence).code(1);
        assert!(
            stderr(&early).contains("is 1 min before the end of the visit it reviews"),
            "{engine}: {}",
            stderr(&early)
        );
        assert_eq!(
            db_digest(&db),
            after_review,
            "{engine}: a refused step wrote"
        );
        assert_eq!(evidence_files(&db), 0, "{engine}");
    }
}

/// Times are kept with the offset they were given: listed in text and JSON as written, and
/// compared as instants (07:30Z is before 03:00-05:00 although it sorts after it as text).
#[test]
fn step_times_keep_their_offsets_and_compare_as_instants() {
    let dir = tempfile::tempdir().unwrap();
    let Case {
        out,
        draw_id,
        h,
        field,
        evidence,
    } = one_household(dir.path());
    let h = h.as_str();
    for (engine, db) in databases(dir.path()) {
        import_sample(&out, &db);
        import_records(&field, &db);
        uphold(&db, &draw_id, h, "2099-07-03T09:15:00+08:00").success();
        contest(&db, &draw_id, h, "2099-07-03T03:00:00-05:00", &evidence).success();
        let decide = [
            "decide",
            "--decision",
            "upheld",
            "--by",
            "panel",
            "--reason",
            "the slips are not the household's",
        ];
        let refused = finding_at(&db, &draw_id, h, "2099-07-03T07:30:00Z", &decide).code(1);
        assert!(
            stderr(&refused).contains("is 30 min before the contested step it follows"),
            "{engine}: {}",
            stderr(&refused)
        );
        finding_at(&db, &draw_id, h, "2099-07-03T08:00:00Z", &decide).success();
        let list = list_json(&db, &draw_id, &[]);
        let times: Vec<&str> = list[0]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["acted_at"].as_str().unwrap())
            .collect();
        assert_eq!(
            times,
            [
                "2099-07-03T09:15:00+08:00",
                "2099-07-03T03:00:00-05:00",
                "2099-07-03T08:00:00Z"
            ],
            "{engine}"
        );
        let text = stdout(
            &assess()
                .args(["finding", "list", "--db", &db, "--draw", &draw_id])
                .assert()
                .success(),
        );
        assert!(
            text.contains("1. review_upheld by expert Wang at 2099-07-03T09:15:00+08:00")
                && text.contains("2. contested by county office at 2099-07-03T03:00:00-05:00"),
            "{engine}: {text}"
        );
    }
}

/// An evidence file is stored in the database once by its SHA-256 (the same bytes given again,
/// for another household, store nothing new), each step links to what it names (a file, a
/// stored evidence file by hash, a stored photo), and `finding evidence` writes the bytes back.
/// A missing file, a directory, or a hash of nothing stored is refused with nothing written.
#[test]
fn evidence_files_are_kept_once_by_hash_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let (out, draw_id, ids) = luquan_draw(dir.path(), 3);
    let records: Vec<Value> = ids.iter().map(|h| record(&draw_id, h, 1500.0)).collect();
    let field = write(dir.path(), "f.json", &json!(records));
    let slips = dir.path().join("wage-slips.pdf");
    let bytes = b"%PDF-1.4 wage slips of 2019\n\x00\xff binary too".to_vec();
    std::fs::write(&slips, &bytes).unwrap();
    let sha = {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(&bytes))
    };
    let copy = dir.path().join("copy-of-slips.pdf");
    std::fs::write(&copy, &bytes).unwrap();
    let photo = repo_file("tests/bad-input/files/wall-64x48.jpg");
    let at = "2099-06-13T10:00:00+08:00";
    for (engine, db) in databases(dir.path()) {
        import_sample(&out, &db);
        import_records(&field, &db);
        for h in &ids {
            uphold(&db, &draw_id, h, "2099-06-12T21:30:00+08:00").success();
        }
        // Refused before the database is touched.
        let before = db_digest(&db);
        let missing = dir.path().join("no-such-slips.pdf").display().to_string();
        let e = stderr(&contest(&db, &draw_id, &ids[0], at, &missing).code(1));
        assert!(
            e.contains(&format!("--evidence {missing}: no such file"))
                && e.contains("nothing was recorded"),
            "{engine}: {e}"
        );
        let folder = dir.path().display().to_string();
        let e = stderr(&contest(&db, &draw_id, &ids[0], at, &folder).code(1));
        assert!(
            e.contains(": not a regular file (a directory or a device)"),
            "{engine}: {e}"
        );
        let nothing = "ab".repeat(32);
        let e = stderr(&contest(&db, &draw_id, &ids[0], at, &nothing).code(1));
        assert!(
            e.contains(&format!(
                "evidence sha256:{nothing} is neither a stored photo nor a stored evidence file"
            )),
            "{engine}: {e}"
        );
        assert_eq!(db_digest(&db), before, "{engine}: a refused contest wrote");

        let first = contest(&db, &draw_id, &ids[0], at, &slips.display().to_string()).success();
        assert!(
            stdout(&first).contains(&format!("evidence wage-slips.pdf sha256:{sha}: stored")),
            "{engine}: {}",
            stdout(&first)
        );
        // The same bytes under another name, for another household: nothing new is stored.
        let again = contest(&db, &draw_id, &ids[1], at, &copy.display().to_string()).success();
        assert!(
            stdout(&again).contains(&format!(
                "evidence copy-of-slips.pdf sha256:{sha}: already stored"
            )),
            "{engine}: {}",
            stdout(&again)
        );
        assert_eq!(evidence_files(&db), 1, "{engine}");
        // A stored photo, and the stored file named by its hash.
        let added = assess()
            .args(["photo", "add"])
            .arg(&photo)
            .args(["--draw", &draw_id, "--household", &ids[2], "--db", &db])
            .assert()
            .success();
        let photo_sha = {
            use sha2::{Digest, Sha256};
            hex::encode(Sha256::digest(std::fs::read(&photo).unwrap()))
        };
        assert!(stdout(&added).contains(&photo_sha), "{}", stdout(&added));
        assess()
            .args([
                "finding",
                "contest",
                "--by",
                "county office",
                "--reason",
                "see the photo",
            ])
            .args(["--evidence", &photo_sha, "--evidence", &sha.to_uppercase()])
            .args([
                "--db",
                &db,
                "--draw",
                &draw_id,
                "--household",
                &ids[2],
                "--at",
                at,
            ])
            .assert()
            .success();
        assert_eq!(evidence_files(&db), 1, "{engine}");
        let list = list_json(&db, &draw_id, &["--stepped"]);
        let refs: std::collections::BTreeMap<String, Vec<String>> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["household_id"].as_str().unwrap().to_string(),
                    serde_json::from_value(f["steps"][1]["evidence"].clone()).unwrap(),
                )
            })
            .collect();
        assert_eq!(
            refs[&ids[0]],
            [format!("wage-slips.pdf sha256:{sha}")],
            "{engine}"
        );
        assert_eq!(refs[&ids[1]], [format!("copy-of-slips.pdf sha256:{sha}")]);
        assert_eq!(
            refs[&ids[2]],
            [
                format!("photo sha256:{photo_sha}"),
                format!("wage-slips.pdf sha256:{sha}")
            ]
        );

        // Read back, byte for byte; an existing file is kept; a bad or unknown hash refused.
        let back = dir.path().join(format!("{engine}-back.pdf"));
        let written = assess()
            .args(["finding", "evidence", &sha, "--db", &db])
            .arg("--out")
            .arg(&back)
            .assert()
            .success();
        assert_eq!(std::fs::read(&back).unwrap(), bytes, "{engine}");
        assert!(
            stdout(&written).contains("wage-slips.pdf"),
            "{}",
            stdout(&written)
        );
        let kept = assess()
            .args(["finding", "evidence", &sha, "--db", &db])
            .arg("--out")
            .arg(&back)
            .assert()
            .code(1);
        assert!(
            stderr(&kept).contains("exists; it is kept"),
            "{}",
            stderr(&kept)
        );
        let photo_back = dir.path().join(format!("{engine}-photo.jpg"));
        assess()
            .args(["finding", "evidence", &photo_sha, "--db", &db])
            .arg("--out")
            .arg(&photo_back)
            .assert()
            .success();
        assert_eq!(
            std::fs::read(&photo_back).unwrap(),
            std::fs::read(&photo).unwrap()
        );
        let unknown = dir.path().join("unknown.pdf");
        let e = stderr(
            &assess()
                .args(["finding", "evidence", &nothing, "--db", &db])
                .arg("--out")
                .arg(&unknown)
                .assert()
                .code(1),
        );
        assert!(e.contains("no evidence file and no photo is stored"), "{e}");
        assert!(!unknown.exists());
        let e = stderr(
            &assess()
                .args(["finding", "evidence", "wage-slips.pdf", "--db", &db])
                .arg("--out")
                .arg(&unknown)
                .assert()
                .code(1),
        );
        assert!(e.contains("is not a SHA-256 (64 hex digits)"), "{e}");
    }
}

/// Each finding's outcome is its current record's, as the verdict counts it: income below
/// the line makes an exited household wrongly exited and a non-registered one missed; a
/// refusal is not interviewed; an overturned appeal's corrected record is none. The list
/// filters by it, in text and JSON.
#[test]
fn finding_list_shows_each_outcome_and_filters_by_it() {
    let dir = tempfile::tempdir().unwrap();
    let (out, draw_id, _) = luquan_draw(dir.path(), 0);
    let rows = sample_rows(&out);
    let of = |stratum: &str, n: usize| -> Vec<String> {
        rows.iter()
            .filter(|r| r["stratum"] == stratum && r["role"] == "primary")
            .take(n)
            .map(|r| r["household_id"].clone())
            .collect()
    };
    let (exited, non_registered) = (of("exited", 2), of("non_registered", 1));
    let poor_record = |id: &str, status: &str| {
        let mut r = record(&draw_id, id, 1500.0);
        r["household"]["status"] = json!(status);
        r
    };
    let mut refused = record(&draw_id, &exited[1], 1500.0);
    refused["disposition"] = json!("refused");
    refused.as_object_mut().unwrap().remove("household");
    refused.as_object_mut().unwrap().remove("mode");
    let field = write(
        dir.path(),
        "f.json",
        &json!([
            poor_record(&exited[0], "exited"),
            refused,
            poor_record(&non_registered[0], "non_registered"),
        ]),
    );
    let corrected = write(
        dir.path(),
        "corrected.json",
        &record(&draw_id, &exited[0], 9000.0),
    );
    let slips = dir.path().join("slips.pdf");
    std::fs::write(&slips, b"slips").unwrap();
    for (engine, db) in databases(dir.path()) {
        import_sample(&out, &db);
        import_records(&field, &db);
        let outcomes = |extra: &[&str]| -> Vec<(String, String)> {
            list_json(&db, &draw_id, extra)
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    (
                        f["household_id"].as_str().unwrap().to_string(),
                        f["outcome"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        };
        let mut all = outcomes(&[]);
        all.sort();
        let mut expected = vec![
            (exited[0].clone(), "wrongly_exited".to_string()),
            (exited[1].clone(), "not_interviewed".to_string()),
            (non_registered[0].clone(), "missed".to_string()),
        ];
        expected.sort();
        assert_eq!(all, expected, "{engine}");
        assert_eq!(
            outcomes(&["--outcome", "wrongly-exited"]),
            [(exited[0].clone(), "wrongly_exited".to_string())],
            "{engine}"
        );
        let text = stdout(
            &assess()
                .args(["finding", "list", "--outcome", "missed", "--db", &db])
                .args(["--draw", &draw_id])
                .assert()
                .success(),
        );
        assert!(
            text.starts_with(&format!("1 finding of draw {draw_id}"))
                && text.contains(&non_registered[0])
                && text.contains("missed")
                && !text.contains(&exited[0]),
            "{engine}: {text}"
        );
        // The appeal overturns the wrong exit with the corrected record: none, after appeals.
        finding(
            &db,
            &draw_id,
            &exited[0],
            &[&UPHOLD[..], &["wages checked"][..]].concat(),
        )
        .success();
        contest(
            &db,
            &draw_id,
            &exited[0],
            "2099-06-13T10:00:00+08:00",
            &slips.display().to_string(),
        )
        .success();
        finding_at(
            &db,
            &draw_id,
            &exited[0],
            "2099-06-14T10:00:00+08:00",
            &[
                "decide",
                "--decision",
                "overturned",
                "--by",
                "panel",
                "--reason",
                "slips verified",
                "--record",
                &corrected,
            ],
        )
        .success();
        assert!(
            outcomes(&["--outcome", "wrongly-exited"]).is_empty(),
            "{engine}"
        );
        assert_eq!(
            outcomes(&["--outcome", "none"]),
            [(exited[0].clone(), "none".to_string())],
            "{engine}"
        );
        let bad = assess()
            .args(["finding", "list", "--outcome", "wrong", "--db", &db])
            .args(["--draw", &draw_id])
            .assert()
            .code(2);
        assert!(stderr(&bad).contains("wrongly-exited"), "{}", stderr(&bad));
    }
}

/// While an appeal is pending the verdict says so first among its reasons and in every
/// report, in English and Chinese; once decided, the warning is gone.
#[test]
fn the_verdict_warns_while_appeals_are_pending() {
    let dir = tempfile::tempdir().unwrap();
    let (out, draw_id, _) = luquan_draw(dir.path(), 0);
    let rows = sample_rows(&out);
    let chosen = two_villages_per_stratum(&rows);
    let mut missed = false;
    let records: Vec<Value> = rows
        .iter()
        .filter(|r| r["role"] == "primary" && chosen.contains(&r["village_code"]))
        .map(|r| {
            // One missed household, as in the verdict tests' fixture.
            let miss = r["stratum"] == "non_registered" && !missed;
            missed |= miss;
            crate::verdict::visit(&draw_id, &r["household_id"], &r["stratum"], "team-1", miss)
        })
        .collect();
    let field = write(dir.path(), "f.json", &json!(records));
    let h = records[0]["household_id"].as_str().unwrap().to_string();
    let slips = dir.path().join("slips.pdf");
    std::fs::write(&slips, b"slips").unwrap();
    for (engine, db) in databases(dir.path()) {
        import_sample(&out, &db);
        import_records(&field, &db);
        finding(&db, &draw_id, &h, &[&UPHOLD[..], &["agreed"][..]].concat()).success();
        contest(
            &db,
            &draw_id,
            &h,
            "2099-06-13T10:00:00+08:00",
            &slips.display().to_string(),
        )
        .success();
        for lang in ["en", "zh"] {
            let dir_out = dir.path().join(format!("{engine}-{lang}"));
            let run = assess()
                .args(["verdict", "--db", &db, "--county", "530128", "--lang", lang])
                .arg("--out")
                .arg(&dir_out)
                .assert()
                .success();
            let json: Value = serde_json::from_str(
                &std::fs::read_to_string(dir_out.join("verdict.json")).unwrap(),
            )
            .unwrap();
            assert_eq!(json["pending_appeals"], json!([h]), "{engine}");
            let warning = format!(
                "1 appeal is still pending (household {h}): the verdict after the appeals may \
                 change when it is decided"
            );
            assert!(
                json["reasons"][0].as_str().unwrap().starts_with(&warning),
                "{engine}: {}",
                json["reasons"][0]
            );
            assert!(
                stdout(&run).contains(&warning),
                "{engine}: {}",
                stdout(&run)
            );
            let (md, page) = (
                std::fs::read_to_string(dir_out.join("verdict.md")).unwrap(),
                std::fs::read_to_string(dir_out.join("report.html")).unwrap(),
            );
            let shown = match lang {
                "en" => warning.clone(),
                _ => format!("尚有 1 起申诉未裁决（农户 {h}）"),
            };
            assert!(
                md.contains(&format!("> **{shown}")),
                "{engine} {lang}: {md}"
            );
            assert!(
                page.contains(&format!(r#"<p class="warning">{shown}"#)),
                "{engine} {lang}"
            );
            let mut book: calamine::Xlsx<_> =
                calamine::open_workbook(dir_out.join("verdict.xlsx")).unwrap();
            use calamine::Reader;
            let summary = book.worksheet_range("Summary").unwrap();
            assert!(
                summary.rows().any(|r| r[0].to_string().starts_with(&shown)),
                "{engine} {lang}"
            );
        }
        finding_at(
            &db,
            &draw_id,
            &h,
            "2099-06-14T10:00:00+08:00",
            &[
                "decide",
                "--decision",
                "upheld",
                "--by",
                "panel",
                "--reason",
                "no new fact",
            ],
        )
        .success();
        let dir_out = dir.path().join(format!("{engine}-decided"));
        assess()
            .args(["verdict", "--db", &db, "--county", "530128"])
            .arg("--out")
            .arg(&dir_out)
            .assert()
            .success();
        let json: Value =
            serde_json::from_str(&std::fs::read_to_string(dir_out.join("verdict.json")).unwrap())
                .unwrap();
        assert!(json.get("pending_appeals").is_none(), "{engine}");
        assert!(
            !json["reasons"][0].as_str().unwrap().contains("pending"),
            "{engine}"
        );
    }
}

/// Runs SQL statements on the database directly, as an older version or an intruder would.
fn execute(db: &str, statements: &[&str]) {
    let (runtime, pool) = crate::util::db_pool(db);
    runtime.block_on(async {
        for s in statements {
            sqlx::query(sqlx::AssertSqlSafe(s.to_string()))
                .execute(&pool)
                .await
                .unwrap_or_else(|e| panic!("{s}: {e}"));
        }
        pool.close().await;
    });
}

/// A database made before evidence files were kept (its contest names a file by name and
/// hash only) is brought up to date when opened and keeps working: the old step is listed,
/// its file is said not to be stored, the appeal is decided. Evidence bytes changed in the
/// database behind assess's back are refused when read back.
#[test]
fn a_database_from_before_evidence_files_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    let (out, draw_id, ids) = luquan_draw(dir.path(), 2);
    let records: Vec<Value> = ids.iter().map(|h| record(&draw_id, h, 1500.0)).collect();
    let field = write(dir.path(), "f.json", &json!(records));
    let slips = dir.path().join("slips.pdf");
    std::fs::write(&slips, b"%PDF slips").unwrap();
    let old_sha = "cd".repeat(32);
    for (engine, db) in databases(dir.path()) {
        import_sample(&out, &db);
        import_records(&field, &db);
        uphold(&db, &draw_id, &ids[0], "2099-06-12T21:30:00+08:00").success();
        // Back to the schema before migration 20261205100000, with a contest as it was kept.
        let old_step = format!(
            "INSERT INTO finding_steps (draw_id, household_id, seq, step, actor, acted_at, \
             reason, evidence_json, record_version, recorded_at) VALUES ('{draw_id}', '{}', 2, \
             'contested', 'county office', '2099-06-13T10:00:00+08:00', 'wages', \
             '[\"old-slips.pdf sha256:{old_sha}\"]', 1, '2099-06-13T02:00:05Z')",
            ids[0]
        );
        execute(
            &db,
            &[
                "DROP TABLE finding_step_evidence",
                "DROP TABLE evidence_files",
                "DELETE FROM _sqlx_migrations WHERE version = 20261205100000",
                &old_step,
            ],
        );
        let list = list_json(&db, &draw_id, &["--stepped"]);
        assert_eq!(list[0]["state"], "contested", "{engine}");
        assert_eq!(
            list[0]["steps"][1]["evidence"],
            json!([format!("old-slips.pdf sha256:{old_sha}")]),
            "{engine}"
        );
        assert_eq!(evidence_files(&db), 0, "{engine}: the table is back");
        let e = stderr(
            &assess()
                .args(["finding", "evidence", &old_sha, "--db", &db])
                .arg("--out")
                .arg(dir.path().join("old.pdf"))
                .assert()
                .code(1),
        );
        assert!(
            e.contains("steps recorded before evidence files were kept in the database"),
            "{engine}: {e}"
        );
        finding_at(
            &db,
            &draw_id,
            &ids[0],
            "2099-06-14T10:00:00+08:00",
            &[
                "decide",
                "--decision",
                "upheld",
                "--by",
                "panel",
                "--reason",
                "no slips",
            ],
        )
        .success();

        // Stored bytes changed behind assess's back are refused, and nothing is written.
        uphold(&db, &draw_id, &ids[1], "2099-06-12T21:30:00+08:00").success();
        contest(
            &db,
            &draw_id,
            &ids[1],
            "2099-06-13T10:00:00+08:00",
            &slips.display().to_string(),
        )
        .success();
        let (runtime, pool) = crate::util::db_pool(&db);
        runtime.block_on(async {
            sqlx::query("UPDATE evidence_files SET content = $1")
                .bind(b"%PDF other slips".to_vec())
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        });
        let sha = {
            use sha2::{Digest, Sha256};
            hex::encode(Sha256::digest(b"%PDF slips"))
        };
        let back = dir.path().join(format!("{engine}-altered.pdf"));
        let e = stderr(
            &assess()
                .args(["finding", "evidence", &sha, "--db", &db])
                .arg("--out")
                .arg(&back)
                .assert()
                .code(1),
        );
        assert!(
            e.contains(&format!(
                "the evidence stored under SHA-256 {sha} now hashes to"
            )) && e.contains("it was changed in the database outside assess"),
            "{engine}: {e}"
        );
        assert!(!back.exists(), "{engine}");
    }
}
