//! Review and appeal (`assess finding`) on both engines: the steps in their order with who,
//! when, why and evidence; field imports refused once a finding is reviewed; records before
//! and after the appeals.

use crate::util::{
    assess, databases, household_record, import_records, luquan_draw, visit_after_draw,
};
use assess_store::{Appeals, Store};
use serde_json::{json, Value};
use std::path::Path;

pub(crate) fn record(draw_id: &str, id: &str, wages: f64) -> Value {
    let mut household = household_record(id);
    household["income"]["wages"] = json!(wages);
    visit_after_draw(draw_id, id, "team-1", household)
}

pub(crate) fn write(dir: &Path, name: &str, value: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
    path.display().to_string()
}

/// `assess finding ARGS` on one household, at the night after its visit.
pub(crate) fn finding(
    db: &str,
    draw_id: &str,
    household: &str,
    args: &[&str],
) -> assert_cmd::assert::Assert {
    finding_at(db, draw_id, household, "2099-06-12T21:30:00+08:00", args)
}

/// `assess finding ARGS` on one household, taken `at`.
pub(crate) fn finding_at(
    db: &str,
    draw_id: &str,
    household: &str,
    at: &str,
    args: &[&str],
) -> assert_cmd::assert::Assert {
    assess()
        .arg("finding")
        .args(args)
        .args(["--db", db, "--draw", draw_id, "--household", household])
        .args(["--at", at])
        .assert()
}

pub(crate) fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).to_string()
}

fn wages(v: &assess_inspection::VisitRecord) -> Option<f64> {
    v.household.as_ref().and_then(|h| h.income.wages)
}

#[test]
fn findings_go_through_review_and_appeal_with_their_history() {
    let dir = tempfile::tempdir().unwrap();
    let (out, draw_id, ids) = luquan_draw(dir.path(), 1);
    let h = ids[0].as_str();
    // Income 1,500 yuan per person in wages alone: the team found the household poor.
    let field = write(
        dir.path(),
        "field.json",
        &json!([record(&draw_id, h, 1500.0)]),
    );
    let edited = write(
        dir.path(),
        "edited.json",
        &json!([record(&draw_id, h, 1600.0)]),
    );
    let corrected = write(dir.path(), "corrected.json", &record(&draw_id, h, 9000.0));
    let evidence = dir.path().join("wage-slips.pdf");
    std::fs::write(&evidence, b"%PDF-1.4 wage slips").unwrap();

    for (engine, db) in databases(dir.path()) {
        assess()
            .arg("import-sample")
            .arg(&out)
            .args(["--db", &db])
            .assert()
            .success();
        import_records(&field, &db);

        // Out of order: a contest before the review.
        let early = assess()
            .args([
                "finding",
                "contest",
                "--by",
                "county office",
                "--reason",
                "wages were under-reported",
            ])
            .arg("--evidence")
            .arg(&evidence)
            .args(["--db", &db, "--draw", &draw_id, "--household", h])
            .assert()
            .code(1);
        assert!(
            stderr(&early).contains("review it first"),
            "{engine}: {}",
            stderr(&early)
        );

        // Before the review the team may still replace its record; the review upholds it.
        finding(
            &db,
            &draw_id,
            h,
            &[
                "review",
                "--decision",
                "upheld",
                "--by",
                "expert Wang",
                "--reason",
                "photos and answers agree",
            ],
        )
        .success();
        // A changed field record is now refused, and nothing is written.
        let refused = assess()
            .arg("import-records")
            .arg(&edited)
            .args(["--db", &db])
            .assert()
            .code(1);
        assert!(
            stderr(&refused).contains(
                "its finding is reviewed: upheld: after review a record changes only through"
            ),
            "{engine}: {}",
            stderr(&refused)
        );
        // A corrected review cannot follow an upheld one.
        let twice = finding(
            &db,
            &draw_id,
            h,
            &[
                "review",
                "--decision",
                "corrected",
                "--by",
                "x",
                "--reason",
                "y",
                "--record",
                &corrected,
            ],
        )
        .code(1);
        assert!(stderr(&twice).contains("already reviewed"), "{engine}");
        // The county contests with evidence; the appeal overturns with the corrected record.
        assess()
            .args([
                "finding",
                "contest",
                "--by",
                "county office",
                "--reason",
                "wages were under-reported",
            ])
            .arg("--evidence")
            .arg(&evidence)
            .args(["--db", &db, "--draw", &draw_id, "--household", h])
            .args(["--at", "2099-06-13T10:00:00+08:00"])
            .assert()
            .success();
        let no_record = finding(
            &db,
            &draw_id,
            h,
            &[
                "decide",
                "--decision",
                "overturned",
                "--by",
                "panel",
                "--reason",
                "slips verified",
            ],
        )
        .code(1);
        assert!(
            stderr(&no_record).contains("needs the corrected record (--record FILE.json)"),
            "{engine}"
        );
        finding_at(
            &db,
            &draw_id,
            h,
            "2099-06-20T15:00:00+08:00",
            &[
                "decide",
                "--decision",
                "overturned",
                "--by",
                "provincial panel",
                "--reason",
                "wage slips verified with the employer",
                "--record",
                &corrected,
            ],
        )
        .success();
        let closed = finding(
            &db,
            &draw_id,
            h,
            &[
                "decide",
                "--decision",
                "upheld",
                "--by",
                "x",
                "--reason",
                "y",
            ],
        )
        .code(1);
        assert!(stderr(&closed).contains("history is closed"), "{engine}");

        // The history, with who, when, why and the evidence's hash.
        let listed = assess()
            .args([
                "finding",
                "list",
                "--json",
                "--stepped",
                "--db",
                &db,
                "--draw",
                &draw_id,
            ])
            .assert()
            .success();
        let list: Value = serde_json::from_slice(&listed.get_output().stdout).unwrap();
        let f = &list[0];
        assert_eq!(f["household_id"], h);
        assert_eq!(f["state"], "overturned");
        assert_eq!(f["current_version"], 2);
        let steps: Vec<&str> = f["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["step"].as_str().unwrap())
            .collect();
        assert_eq!(
            steps,
            ["review_upheld", "contested", "appeal_overturned"],
            "{engine}"
        );
        assert_eq!(f["steps"][0]["actor"], "expert Wang");
        assert_eq!(f["steps"][1]["acted_at"], "2099-06-13T10:00:00+08:00");
        let evidence_ref = f["steps"][1]["evidence"][0].as_str().unwrap();
        assert!(
            evidence_ref.starts_with("wage-slips.pdf sha256:"),
            "{evidence_ref}"
        );
        assert_eq!(f["steps"][2]["record_version"], 2);

        // Verdicts before the appeals see the field record; after them, the corrected one.
        let (before, after) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async {
                let store = Store::open(&db).await.unwrap();
                let before = store.visits_as_of(&draw_id, Appeals::Before).await.unwrap();
                let after = store.visits_as_of(&draw_id, Appeals::After).await.unwrap();
                store.close().await;
                (before, after)
            });
        assert_eq!(wages(&before[0]), Some(1500.0), "{engine}");
        assert_eq!(wages(&after[0]), Some(9000.0), "{engine}");
    }
}

#[test]
fn a_finding_sent_back_takes_the_teams_new_record() {
    let dir = tempfile::tempdir().unwrap();
    let (out, draw_id, ids) = luquan_draw(dir.path(), 1);
    let h = ids[0].as_str();
    let field = write(
        dir.path(),
        "field.json",
        &json!([record(&draw_id, h, 1500.0)]),
    );
    let revisit = write(
        dir.path(),
        "revisit.json",
        &json!([record(&draw_id, h, 1700.0)]),
    );
    for (engine, db) in databases(dir.path()) {
        assess()
            .arg("import-sample")
            .arg(&out)
            .args(["--db", &db])
            .assert()
            .success();
        import_records(&field, &db);
        finding(
            &db,
            &draw_id,
            h,
            &[
                "review",
                "--decision",
                "sent-back",
                "--by",
                "expert Wang",
                "--reason",
                "income sources missing a pension",
            ],
        )
        .success();
        let waiting = finding(
            &db,
            &draw_id,
            h,
            &[
                "review",
                "--decision",
                "upheld",
                "--by",
                "x",
                "--reason",
                "y",
            ],
        )
        .code(1);
        assert!(
            stderr(&waiting).contains("import the team's new record first"),
            "{engine}"
        );
        import_records(&revisit, &db);
        finding(
            &db,
            &draw_id,
            h,
            &[
                "review",
                "--decision",
                "upheld",
                "--by",
                "expert Wang",
                "--reason",
                "pension added",
            ],
        )
        .success();
        let listed = assess()
            .args(["finding", "list", "--db", &db, "--draw", &draw_id])
            .assert()
            .success();
        let text = String::from_utf8_lossy(&listed.get_output().stdout).to_string();
        assert!(
            text.contains(h)
                && text.contains("reviewed: upheld")
                && text.contains("record version 2"),
            "{engine}: {text}"
        );
        assert!(text.contains("1. sent_back by expert Wang at 2099-06-12T21:30:00+08:00: income sources missing a pension"), "{engine}: {text}");
        // Steps need who and why.
        let anonymous = finding(
            &db,
            &draw_id,
            h,
            &[
                "contest",
                "--by",
                " ",
                "--reason",
                "y",
                "--evidence",
                "0000000000000000000000000000000000000000000000000000000000000000",
            ],
        )
        .code(1);
        assert!(
            stderr(&anonymous).contains("who (--by) is empty"),
            "{engine}: {}",
            stderr(&anonymous)
        );
    }
}
