//! Visit records in the survey database, on both engines: `assess import-records` (JSON and
//! JSON Lines; idempotent, versioned, all or nothing) and `assess records`.

use crate::util::{assess, complete_visit, databases, read, refused_visit, with_draw};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn a_draw(dir: &Path) -> (PathBuf, String, Vec<String>) {
    crate::util::luquan_draw(dir, 5)
}

fn write_array(path: &Path, records: &[Value]) -> String {
    std::fs::write(path, serde_json::to_string_pretty(records).unwrap()).unwrap();
    path.display().to_string()
}

fn write_lines(path: &Path, records: &[Value]) -> String {
    let text: String = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect();
    std::fs::write(path, text).unwrap();
    path.display().to_string()
}

fn import(file: &str, db: &str) -> assert_cmd::assert::Assert {
    assess().args(["import-records", file, "--db", db]).assert()
}

fn stdout(assert: assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).to_string()
}

fn stderr(assert: assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).to_string()
}

/// Every stored version (with its hash, time and source file).
fn listing(db: &str) -> String {
    stdout(
        assess()
            .args(["records", "--all-versions", "--db", db])
            .assert()
            .success(),
    )
}

fn three(draw_id: &str, h: &[String]) -> Vec<Value> {
    vec![
        complete_visit(draw_id, &h[0]),
        refused_visit(draw_id, &h[1]),
        complete_visit(draw_id, &h[2]),
    ]
}

#[test]
fn importing_twice_changes_nothing_and_a_change_adds_one_version() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, id, h) = a_draw(dir.path());
    let mut records = three(&id, &h);
    let file = write_array(&dir.path().join("visits.json"), &records);
    for (engine, db) in databases(dir.path()) {
        with_draw(&drawn, &db);
        let first = stdout(import(&file, &db).success());
        assert_eq!(
            first.trim(),
            "3 new, 0 changed (new version), 0 unchanged",
            "{engine}"
        );
        let before = listing(&db);
        assert!(
            before.contains("3 record versions listed, 3 current"),
            "{engine}: {before}"
        );
        let again = stdout(import(&file, &db).success());
        assert_eq!(
            again.trim(),
            "0 new, 0 changed (new version), 3 unchanged",
            "{engine}"
        );
        assert_eq!(
            listing(&db),
            before,
            "{engine}: a repeated import changed the tables"
        );
    }
    // One field changed in one record.
    records[1]["team"] = json!("team-3");
    let changed = write_array(&dir.path().join("visits-2.json"), &records);
    std::fs::create_dir_all(dir.path().join("again")).unwrap();
    for (engine, db) in databases(&dir.path().join("again")) {
        with_draw(&drawn, &db);
        import(&file, &db).success();
        let before = listing(&db);
        let out = stdout(import(&changed, &db).success());
        assert_eq!(
            out.trim(),
            "0 new, 1 changed (new version), 2 unchanged",
            "{engine}"
        );
        let after = listing(&db);
        assert!(
            after.contains("4 record versions listed, 3 current"),
            "{engine}: {after}"
        );
        let versions: Vec<&str> = after.lines().filter(|l| l.contains(&h[1])).collect();
        assert_eq!(versions.len(), 2, "{engine}: {after}");
        assert!(
            versions[0].contains(" v1  ") && versions[1].contains(" v2 current "),
            "{engine}: {after}"
        );
        // The predecessor is kept exactly as it was.
        let old = before.lines().find(|l| l.contains(&h[1])).unwrap();
        assert!(
            versions[0] == old.replace(" v1 current ", " v1 "),
            "{engine}: {old} / {}",
            versions[0]
        );
        // Importing the changed file again changes nothing.
        let again = stdout(import(&changed, &db).success());
        assert!(
            again.contains("0 new, 0 changed (new version), 3 unchanged"),
            "{engine}: {again}"
        );
        assert_eq!(listing(&db), after, "{engine}");
    }
}

#[test]
fn a_bad_record_at_position_k_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, id, h) = a_draw(dir.path());
    let good = write_lines(&dir.path().join("good.jsonl"), &three(&id, &h));
    // Record 1 changed, record 4 new, record 5 ends before it starts.
    let mut records = three(&id, &h);
    records[0]["team"] = json!("team-9");
    records.push(refused_visit(&id, &h[3]));
    let mut bad = refused_visit(&id, &h[4]);
    bad["end"] = json!("2020-06-12T13:00:00+08:00");
    records.push(bad);
    let bad_file = write_lines(&dir.path().join("bad.jsonl"), &records);
    // A complete visit without its household record, and an unknown disposition.
    let mut more = three(&id, &h);
    more[2].as_object_mut().unwrap().remove("household");
    more[1]["disposition"] = json!("absent");
    let more_file = write_array(&dir.path().join("more.json"), &more);
    for (engine, db) in databases(dir.path()) {
        with_draw(&drawn, &db);
        import(&good, &db).success();
        let before = listing(&db);
        let err = stderr(import(&bad_file, &db).code(1));
        assert!(
            err.contains(&format!(
                "bad.jsonl, record 5 (line 5), household {}, field end: 2020-06-12T13:00:00+08:00 is before the start",
                h[4]
            )) && err.contains("nothing was imported"),
            "{engine}: {err}"
        );
        let err = stderr(import(&more_file, &db).code(1));
        // Pretty-printed: record 2 starts on the second line that opens a top-level object.
        let line = read(Path::new(&more_file))
            .lines()
            .enumerate()
            .filter(|(_, l)| *l == "  {")
            .nth(1)
            .unwrap()
            .0
            + 1;
        assert!(
            err.contains("2 problems found; nothing was imported")
                && err.contains(&format!(
                    "more.json, record 2 (line {line}), household {}, field disposition: unknown variant `absent`",
                    h[1]
                ))
                && err.contains(&format!("household {}, field household: is missing", h[2])),
            "{engine}: {err}"
        );
        assert_eq!(
            listing(&db),
            before,
            "{engine}: a refused file wrote something"
        );
    }
}

#[test]
fn a_household_outside_the_draw_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, id, h) = a_draw(dir.path());
    let mut records = three(&id, &h);
    records.insert(1, refused_visit(&id, "530128999999999999"));
    let file = write_lines(&dir.path().join("outside.jsonl"), &records);
    let mut other = three(&id, &h);
    other[2]["draw_id"] = json!("0".repeat(64));
    let other_file = write_lines(&dir.path().join("other-draw.jsonl"), &other);
    for (engine, db) in databases(dir.path()) {
        with_draw(&drawn, &db);
        let err = stderr(import(&file, &db).code(1));
        assert!(
            err.contains("outside.jsonl, record 2 (line 2), household 530128999999999999, field household_id: household 530128999999999999 is not in the sample of draw"),
            "{engine}: {err}"
        );
        let err = stderr(import(&other_file, &db).code(1));
        assert!(
            err.contains("record 3 (line 3)")
                && err.contains("is not in the database; import it first"),
            "{engine}: {err}"
        );
        let list = listing(&db);
        assert!(
            list.contains("0 record versions listed"),
            "{engine}: {list}"
        );
    }
}

#[test]
fn json_and_json_lines_give_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, id, h) = a_draw(dir.path());
    let records = three(&id, &h);
    let array = write_array(&dir.path().join("v.json"), &records);
    let lines = write_lines(&dir.path().join("v.jsonl"), &records);
    for (engine, db) in databases(dir.path()) {
        with_draw(&drawn, &db);
        let out = stdout(import(&lines, &db).success());
        assert!(out.contains("3 new"), "{engine}: {out}");
        let before = listing(&db);
        let out = stdout(import(&array, &db).success());
        assert_eq!(
            out.trim(),
            "0 new, 0 changed (new version), 3 unchanged",
            "{engine}"
        );
        assert_eq!(listing(&db), before, "{engine}");
        let current = stdout(
            assess()
                .args(["records", "--draw", &id, "--db", &db])
                .assert()
                .success(),
        );
        assert!(
            current.contains("3 record versions listed, 3 current"),
            "{engine}: {current}"
        );
    }
}

#[test]
fn malformed_json_names_the_record_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, id, h) = a_draw(dir.path());
    let lines = write_lines(&dir.path().join("broken.jsonl"), &three(&id, &h));
    let text = read(Path::new(&lines));
    let third = text.lines().nth(2).unwrap();
    std::fs::write(&lines, text.replace(third, &third[..third.len() / 2])).unwrap();
    let array = dir.path().join("broken.json");
    std::fs::write(
        &array,
        "[\n  {\"draw_id\": \"x\"},\n  {\"draw_id\" \"y\"}\n]\n",
    )
    .unwrap();
    for (engine, db) in databases(dir.path()) {
        with_draw(&drawn, &db);
        let err = stderr(import(&lines, &db).code(1));
        assert!(
            err.contains("broken.jsonl, record 3 (line 3): malformed JSON"),
            "{engine}: {err}"
        );
        let err = stderr(import(&array.display().to_string(), &db).code(1));
        assert!(
            err.contains("broken.json, record 2 (line 3): malformed JSON"),
            "{engine}: {err}"
        );
        assert!(
            listing(&db).contains("0 record versions listed"),
            "{engine}"
        );
    }
}

/// `assess import-records --help` names every format it takes, the XLSX template included
/// (issue 13 part 6).
#[test]
fn import_records_help_names_the_xlsx_template() {
    let help = stdout(
        assess()
            .args(["import-records", "--help"])
            .assert()
            .success(),
    );
    assert!(help.contains("XLSX"), "{help}");
    let list = stdout(assess().arg("--help").assert().success());
    let line = list
        .lines()
        .find(|l| l.trim_start().starts_with("import-records"))
        .unwrap();
    assert!(line.contains("XLSX"), "{line}");
}
