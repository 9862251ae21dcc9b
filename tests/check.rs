//! `assess check` on both engines: records imported with `assess import-records`, then the
//! report (problems by county, village and household; rates by village and team) and the
//! exit code (0 with warnings only, 1 with errors).

use crate::util::{assess, databases, draw, import_records, luquan, read, repo_file, sample_rows};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

fn visit(draw_id: &str, id: &str, disposition: &str, team: &str, minutes: u32) -> Value {
    let mut v = json!({
        "draw_id": draw_id,
        "household_id": id,
        "disposition": disposition,
        "team": team,
        "interviewers": ["Li Wei", "Zhang Min"],
        "start": "2020-06-12T09:00:00+08:00",
        "end": format!("2020-06-12T{:02}:{:02}:00+08:00", 9 + minutes / 60, minutes % 60),
    });
    if disposition == "complete" {
        v["mode"] = json!("in_person");
        v["household"] = crate::util::household_record(id);
    }
    v
}

fn import(dir: &Path, name: &str, records: &[Value], db: &str) {
    let file = dir.join(name);
    std::fs::write(&file, serde_json::to_string_pretty(records).unwrap()).unwrap();
    import_records(&file, db);
}

/// The whitespace-separated fields of the first report line starting with `first`.
fn tokens(report: &str, first: &[&str]) -> Vec<String> {
    report
        .lines()
        .map(|l| l.split_whitespace().map(String::from).collect::<Vec<_>>())
        .find(|t| t.len() >= first.len() && t.iter().zip(first).all(|(a, b)| a == b))
        .unwrap_or_else(|| panic!("no line for {first:?} in\n{report}"))
}

#[test]
fn check_lists_problems_and_rates_and_fails_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (register, villages) = luquan();
    let out = dir.path().join("draw");
    draw(
        &repo_file("sample-plans/luquan-530128.toml"),
        &register,
        &villages,
        "4242",
        "2424",
        &out,
    )
    .success();
    let manifest: Value = serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    let draw_id = manifest["sample_sha256"].as_str().unwrap().to_string();
    // A (village, stratum) cell with two primaries and three reserves.
    let mut cells: BTreeMap<(String, String), Vec<BTreeMap<String, String>>> = BTreeMap::new();
    for row in sample_rows(&out) {
        cells
            .entry((row["village_code"].clone(), row["stratum"].clone()))
            .or_default()
            .push(row);
    }
    let cell = cells
        .values()
        .find(|rows| {
            rows.iter().filter(|r| r["role"] == "primary").count() >= 2
                && rows.iter().filter(|r| r["role"] == "reserve").count() >= 3
        })
        .expect("a cell with 2 primaries and 3 reserves");
    let primary: Vec<&str> = cell
        .iter()
        .filter(|r| r["role"] == "primary")
        .map(|r| r["household_id"].as_str())
        .collect();
    let reserve = |k: &str| {
        cell.iter()
            .find(|r| r["role"] == "reserve" && r["reserve_rank"] == k)
            .map(|r| r["household_id"].clone())
            .unwrap()
    };
    let (county, village) = (
        cell[0]["county_code"].clone(),
        cell[0]["village_code"].clone(),
    );

    for (engine, db) in databases(dir.path()) {
        // The visits below are dated 2020: the draw is recorded as made before them.
        assess()
            .arg("import-sample")
            .arg(&out)
            .args(["--db", &db, "--drawn-at", "2020-06-01T08:00:00+08:00"])
            .assert()
            .success();
        // A refused primary replaced by reserve 1: fine; a 10-minute interview: a warning.
        import(
            dir.path(),
            &format!("{engine}-1.json"),
            &[
                visit(&draw_id, primary[0], "refused", "team-2", 5),
                visit(&draw_id, &reserve("1"), "complete", "team-1", 75),
                visit(&draw_id, primary[1], "complete", "team-1", 10),
            ],
            &db,
        );
        let ok = assess()
            .args(["check", "--db", &db, "--draw", &draw_id])
            .assert()
            .success();
        let report = String::from_utf8_lossy(&ok.get_output().stdout).to_string();
        assert!(
            report.contains("no errors, 1 warning"),
            "{engine}: {report}"
        );
        assert!(
            report.contains(&format!(
                "warning [short-interview] county {county}, village {village}, household {}",
                primary[1]
            )),
            "{engine}: {report}"
        );
        assert!(report.contains("lasted 10 min"), "{engine}: {report}");
        // team, primaries, reserves, replacement, visited, ineligible, eligible, responded, response
        assert_eq!(
            tokens(&report, &["team-1"]),
            ["team-1", "1", "1", "100.0%", "2", "0", "2", "2", "100.0%"],
            "{engine}"
        );
        assert_eq!(
            tokens(&report, &["team-2"]),
            ["team-2", "1", "0", "0.0%", "1", "0", "1", "0", "0.0%"],
            "{engine}"
        );
        // county, village, primaries, reserves, replacement, visited, ineligible, eligible, responded, response
        let v = tokens(&report, &[&county, &village]);
        assert_eq!(v[3], "1", "{engine}: {report}");
        assert_eq!(&v[5..], ["3", "0", "3", "2", "66.7%"], "{engine}: {report}");

        // Reserve 3 used while reserve 2 is unvisited, and with no failure left to replace.
        import(
            dir.path(),
            &format!("{engine}-2.json"),
            &[visit(&draw_id, &reserve("3"), "complete", "team-1", 60)],
            &db,
        );
        let failed = assess().args(["check", "--db", &db]).assert().code(1);
        let report = String::from_utf8_lossy(&failed.get_output().stdout).to_string();
        let stderr = String::from_utf8_lossy(&failed.get_output().stderr).to_string();
        let at = format!(
            "county {county}, village {village}, household {}",
            reserve("3")
        );
        assert!(
            report.contains(&format!("error [reserve-order] {at}"))
                && report.contains(&format!("reserve 2 ({}) has no visit record", reserve("2"))),
            "{engine}: {report}"
        );
        assert!(
            report.contains(&format!("error [reserve-not-needed] {at}")),
            "{engine}: {report}"
        );
        assert!(
            stderr.contains("2 errors and 1 warning found"),
            "{engine}: {stderr}"
        );

        let unknown = assess()
            .args(["check", "--db", &db, "--draw", "nope"])
            .assert()
            .code(1);
        let stderr = String::from_utf8_lossy(&unknown.get_output().stderr).to_string();
        assert!(
            stderr.contains("draw nope is not in the database"),
            "{engine}: {stderr}"
        );
    }
}

/// A complete visit on a given day (RFC 3339 date) with a GPS fix.
fn dated_visit(draw_id: &str, id: &str, day: &str, lat: f64, lon: f64) -> Value {
    let mut v = visit(draw_id, id, "complete", "team-1", 60);
    v["start"] = json!(format!("{day}T09:00:00+08:00"));
    v["end"] = json!(format!("{day}T10:00:00+08:00"));
    v["gps_start"] = json!({"lat": lat, "lon": lon});
    v
}

/// The (lon, lat) of a village in the bundled Luquan village file.
fn village_centre(villages: &Path, code: &str) -> (f64, f64) {
    let mut reader = csv::Reader::from_path(villages).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        if &row[col("village_code")] == code {
            return (
                row[col("lon")].parse().unwrap(),
                row[col("lat")].parse().unwrap(),
            );
        }
    }
    panic!("village {code} not in {}", villages.display())
}

#[test]
fn check_uses_the_draw_time_the_village_centres_and_the_photo_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (out, draw_id, _) = crate::util::luquan_draw(dir.path(), 0);
    let (_, villages) = luquan();
    let receipt: Value = serde_json::from_str(&read(&out.join("receipt.json"))).unwrap();
    let drawn_at = receipt["drawn_at"].as_str().unwrap().to_string();
    let rows = sample_rows(&out);
    let (a, b) = (&rows[0], &rows[1]);
    let (lon, lat) = village_centre(&villages, &a["village_code"]);

    // A village file other than the draw's is refused, naming both hashes.
    let other = dir.path().join("other-villages.csv");
    std::fs::write(&other, read(&villages).replacen("true", "false", 1)).unwrap();
    let refused = assess()
        .arg("import-sample")
        .arg(&out)
        .args(["--villages"])
        .arg(&other)
        .args(["--db", &dir.path().join("x.db").display().to_string()])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(
        stderr.contains("this is not the village file the draw used"),
        "{stderr}"
    );

    for (engine, db) in databases(dir.path()) {
        // Imported first without village centres: the check says what it cannot check.
        assess()
            .arg("import-sample")
            .arg(&out)
            .args(["--db", &db])
            .assert()
            .success();
        let ok = assess().args(["check", "--db", &db]).assert().success();
        let report = String::from_utf8_lossy(&ok.get_output().stdout).to_string();
        assert!(
            report.contains("no village centres (import the draw with --villages FILE)"),
            "{engine}: {report}"
        );
        // Importing again with the village file adds the centres.
        let again = assess()
            .arg("import-sample")
            .arg(&out)
            .arg("--villages")
            .arg(&villages)
            .args(["--db", &db])
            .assert()
            .success();
        let said = String::from_utf8_lossy(&again.get_output().stdout).to_string();
        assert!(
            said.contains("missing facts (draw time, village centres) added"),
            "{engine}: {said}"
        );

        // Household a: visited in 2020, before the draw (made today): an error.
        // Household b: visited after the draw, 0.1 degree of latitude (11 km) north of its
        // village: a warning.
        let (lon_b, lat_b) = village_centre(&villages, &b["village_code"]);
        import(
            dir.path(),
            &format!("{engine}-dated.json"),
            &[
                dated_visit(&draw_id, &a["household_id"], "2020-06-12", lat, lon),
                dated_visit(
                    &draw_id,
                    &b["household_id"],
                    "2099-06-12",
                    lat_b + 0.1,
                    lon_b,
                ),
            ],
            &db,
        );
        let failed = assess().args(["check", "--db", &db]).assert().code(1);
        let report = String::from_utf8_lossy(&failed.get_output().stdout).to_string();
        assert!(
            report.contains(&format!(
                "error [visit-before-draw] county {}, village {}, household {}",
                a["county_code"], a["village_code"], a["household_id"]
            )) && report.contains(&format!("but the draw was made {drawn_at}")),
            "{engine}: {report}"
        );
        assert!(
            report.contains(&format!(
                "warning [far-from-village] county {}, village {}, household {}",
                b["county_code"], b["village_code"], b["household_id"]
            )) && report.contains("is 11.1 km from the village centre"),
            "{engine}: {report}"
        );

        // A photo whose stored bytes are changed behind the tool's back.
        let photo = dir.path().join(format!("{engine}.jpg"));
        std::fs::write(&photo, crate::photo::jpeg()).unwrap();
        assess()
            .args(["photo", "add"])
            .arg(&photo)
            .args([
                "--db",
                &db,
                "--draw",
                &draw_id,
                "--household",
                &b["household_id"],
            ])
            .assert()
            .success();
        tamper_with_photos(&db);
        let failed = assess().args(["check", "--db", &db]).assert().code(1);
        let report = String::from_utf8_lossy(&failed.get_output().stdout).to_string();
        assert!(
            report.contains(&format!(
                "error [photo-hash-mismatch] county {}, village {}, household {}",
                b["county_code"], b["village_code"], b["household_id"]
            )) && report.contains("the file was changed or damaged after it was added"),
            "{engine}: {report}"
        );
    }
}

/// Overwrites every stored photo's bytes directly in the database, as an intruder might.
fn tamper_with_photos(db: &str) {
    sqlx::any::install_default_drivers();
    let url = if db.contains("://") {
        db.to_string()
    } else {
        format!("sqlite://{db}")
    };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let pool = sqlx::AnyPool::connect(&url).await.unwrap();
            sqlx::query("UPDATE photos SET content = $1")
                .bind(b"not the photo".to_vec())
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        });
}

/// `assess check` rolls up by county, and `--json` gives the same as JSON alone on stdout
/// (issue 13 part 2): three visits of one county, one of them a refusal.
#[test]
fn check_rolls_up_by_county_and_speaks_json() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, id, h) = crate::util::luquan_draw(dir.path(), 3);
    let (_, villages) = luquan();
    let records = vec![
        crate::util::complete_visit(&id, &h[0]),
        crate::util::complete_visit(&id, &h[1]),
        crate::util::refused_visit(&id, &h[2]),
    ];
    let db = crate::util::database_with(dir.path(), &drawn, &villages, &records);
    let text = String::from_utf8_lossy(
        &assess()
            .args(["check", "--db", &db])
            .assert()
            .get_output()
            .stdout,
    )
    .to_string();
    assert!(text.contains("by county"), "{text}");
    let out = assess().args(["check", "--db", &db, "--json"]).assert();
    let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let draw = &json["draws"][0];
    assert_eq!(draw["draw_id"], id.as_str());
    assert_eq!(draw["visit_records"], 3);
    let counties = draw["counties"].as_array().unwrap();
    assert_eq!(counties.len(), 1);
    assert_eq!(counties[0]["county"], "530128");
    assert_eq!(counties[0]["visited"], 3);
    assert_eq!(counties[0]["responded"], 2);
    let findings = draw["findings"].as_array().unwrap().len();
    assert_eq!(
        counties[0]["errors"].as_u64().unwrap() + counties[0]["warnings"].as_u64().unwrap(),
        findings as u64
    );
}
