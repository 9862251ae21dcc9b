//! The use cases as a library (`assess-app`), called in-process as the coming field server
//! will call them, on SQLite and on PostgreSQL: a draw imported, visit records simulated and
//! imported, the draw checked, the verdict computed and written. What the library writes is
//! byte for byte what the binary writes from the same inputs: both front ends run the same
//! use cases.

use crate::util::{assess, databases, draw, luquan_draw, read, repo_file};
use assess_app::draws::{self, DrawImport};
use assess_app::field::{self, VisitPlan};
use assess_app::verdict::{self, AppealStages, VerdictRequest};
use assess_app::{checks, records, AppError};
use assess_inspection::{CheckConfig, NumberedVisit};
use assess_report::Lang;
use assess_standards::Standards;
use assess_store::{ImportOutcome, Store};
use assess_synth::visits::VisitSettings;
use sha2::Digest;
use std::path::{Path, PathBuf};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The bundled Luquan register, its village file and its truth (examples/luquan).
fn bundled() -> [PathBuf; 3] {
    ["register.csv", "villages.csv", "truth.csv"]
        .map(|f| repo_file(&format!("examples/luquan/{f}")))
}

/// A draw of the bundled register by the bundled plan, in `dir/draw`: its directory and id.
fn bundled_draw(dir: &Path) -> (PathBuf, String) {
    let [register, villages, _] = bundled();
    let out = dir.join("draw");
    draw(
        &repo_file("sample-plans/luquan-530128.toml"),
        &register,
        &villages,
        "35216645123362514246",
        "61524433251646152433",
        &out,
    )
    .success();
    let id = hex::encode(sha2::Sha256::digest(
        std::fs::read(out.join("sample.csv")).unwrap(),
    ));
    (out, id)
}

/// Simulated visits of a draw of the bundled register, by the library.
fn simulated(drawn: &Path, standards: &Standards) -> field::SimulatedVisits {
    let [register, _, truth] = bundled();
    field::simulate(&VisitPlan {
        draw: drawn,
        register: &register,
        truth: &truth,
        seed: 7,
        start: None, // the day after the draw, from its receipt
        settings: VisitSettings::new(""),
        standards,
    })
    .unwrap()
}

#[test]
fn the_library_runs_the_main_job_and_writes_what_the_binary_writes() {
    let dir = tempfile::tempdir().unwrap();
    let [register, villages, truth] = bundled();
    let (drawn, draw_id) = bundled_draw(dir.path());
    let standards = Standards::builtin();

    // Visits simulated by the library are the binary's, byte for byte.
    let visits = simulated(&drawn, &standards);
    let from_library = dir.path().join("library.jsonl");
    visits.write_jsonl(&from_library).unwrap();
    let from_binary = dir.path().join("binary.jsonl");
    crate::util::simulate_visits(&drawn, &register, &truth, &from_binary);
    assert_eq!(read(&from_library), read(&from_binary));
    let numbered: Vec<NumberedVisit> = visits
        .records
        .iter()
        .enumerate()
        .map(|(i, v)| NumberedVisit {
            number: i + 1,
            line: i + 1,
            visit: v.clone(),
        })
        .collect();

    for (kind, db) in databases(dir.path()) {
        let out = dir.path().join(format!("library-{kind}"));
        runtime().block_on(async {
            let store = Store::create(&db).await.unwrap();
            let import = DrawImport::read(&drawn, Some(&villages), None).unwrap();
            let first = draws::import(&store, &import).await.unwrap();
            assert_eq!(first.draw_id, draw_id);
            assert!(
                matches!(first.outcome, ImportOutcome::Imported { .. }),
                "{kind}"
            );
            let again = draws::import(&store, &import).await.unwrap();
            assert_eq!(
                again.outcome,
                ImportOutcome::AlreadyPresent { facts_added: 0 }
            );

            let done = records::import(&store, "simulated.jsonl", &numbered)
                .await
                .unwrap();
            assert_eq!((done.new, done.changed), (numbered.len(), 0), "{kind}");

            let checked = checks::check_draws(&store, None, &standards, &CheckConfig::default())
                .await
                .unwrap();
            assert_eq!(checked.len(), 1);
            assert_eq!(checked[0].report.errors(), 0, "{kind}");

            let request = VerdictRequest {
                counties: verdict::counties_of_draw(&store, &draw_id).await.unwrap(),
                draw: None,
                appeals: AppealStages::After,
                settings: Default::default(),
                region: None,
                register: None,
                standards: &standards,
            };
            assert_eq!(request.counties, ["530128"]);
            let found = verdict::county_verdicts(&store, &request).await.unwrap();
            assert_eq!(found[0].file.provenance.records, numbered.len());
            let batch = verdict::Batch {
                asked: request.counties.clone(),
                decided: found,
                unfinished: Vec::new(),
            };
            verdict::write_verdicts(&out, &batch, Lang::En, false).unwrap();
            store.close().await;
        });
        let binary = dir.path().join(format!("binary-{kind}"));
        assess()
            .args(["verdict", "--db", &db, "--county", "530128", "--out"])
            .arg(&binary)
            .assert()
            .success();
        for file in ["verdict.json", "verdict.md", "report.html"] {
            assert_eq!(
                read(&out.join(file)),
                read(&binary.join(file)),
                "{kind}: {file}"
            );
        }
    }
}

#[test]
fn library_errors_are_typed_and_name_no_option() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, _, _) = luquan_draw(dir.path(), 0);
    let standards = Standards::builtin();
    let db = dir.path().join("assess.db").display().to_string();
    runtime().block_on(async {
        let store = Store::create(&db).await.unwrap();
        let import = DrawImport::read(&drawn, None, None).unwrap();
        draws::import(&store, &import).await.unwrap();
        let mut request = VerdictRequest {
            counties: vec!["110101".to_string()],
            draw: None,
            appeals: AppealStages::Both,
            settings: Default::default(),
            region: None,
            register: None,
            standards: &standards,
        };
        let e = verdict::county_verdicts(&store, &request)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, AppError::NoDrawOfCounty { county, .. } if county == "110101"),
            "{e}"
        );
        // No record yet: the indicators have no interviewed household.
        request.counties = vec!["530128".to_string()];
        let e = verdict::county_verdicts(&store, &request)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, AppError::Verdict { county, .. } if county == "530128"),
            "{e}"
        );
        store.close().await;
    });
    // A time that is not RFC 3339, a village file for a draw made with one that differs.
    let e = DrawImport::read(&drawn, None, Some("yesterday")).unwrap_err();
    assert!(matches!(&e, AppError::NotATime(t) if t == "yesterday"));
    assert!(!e.to_string().contains("--"), "{e}");
    let other = dir.path().join("villages.csv");
    std::fs::write(&other, "village_code\n530128102201\n").unwrap();
    let e = DrawImport::read(&drawn, Some(&other), None).unwrap_err();
    assert!(matches!(e, AppError::VillagesNotOfDraw { .. }), "{e}");
}
