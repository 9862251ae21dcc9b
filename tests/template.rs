//! The XLSX visit-record template on both engines: `assess template` lists a draw's
//! households; `assess import-records FILE.xlsx` stores exactly what the same visits in JSON
//! store (same hashes, "unchanged"), idempotently, all or nothing; a damaged workbook is a
//! clear error naming the file, and nothing is written.

use crate::util::{assess, complete_visit, databases, refused_visit, sample_rows, with_draw};
use assess_inspection::VisitRecord;
use calamine::{Data, Reader, Xlsx};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// Three visits; the second complete one with approval, identification, an identity number
/// and a note, so that every sheet is used.
fn three(draw_id: &str, h: &[String]) -> Vec<Value> {
    let mut third = complete_visit(draw_id, &h[2]);
    third["household"]["approval"] = json!({"exit": "satisfied", "policies": "dont_know", "help_received": null, "cadres_work": "basically_satisfied"});
    third["household"]["identification"] = json!({"owns_vehicle": false, "vehicle_value_yuan": null, "urban_flat_or_shop": false, "registered_company": null, "public_payroll": false, "village_cadre": true});
    third["household"]["members"][0]["id_number"] = json!("11010519491231002X");
    third["household"]["income_per_person_stated"] = json!(6250.5);
    third["notes"] =
        json!([{"rule": "short-interview", "text": "answered quickly; every section asked"}]);
    vec![
        complete_visit(draw_id, &h[0]),
        refused_visit(draw_id, &h[1]),
        third,
    ]
}

fn records(values: &[Value]) -> Vec<VisitRecord> {
    values
        .iter()
        .map(|v| serde_json::from_value(v.clone()).unwrap())
        .collect()
}

fn write_xlsx(path: &Path, values: &[Value]) -> String {
    std::fs::write(path, assess_forms::write_filled(&records(values)).unwrap()).unwrap();
    path.display().to_string()
}

fn write_json(path: &Path, values: &[Value]) -> String {
    std::fs::write(path, serde_json::to_string_pretty(values).unwrap()).unwrap();
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

fn listing(db: &str) -> String {
    stdout(
        assess()
            .args(["records", "--all-versions", "--db", db])
            .assert()
            .success(),
    )
}

/// Household → (version, content SHA-256 prefix) from a listing.
fn hashes(listing: &str) -> BTreeMap<String, (String, String)> {
    listing
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<&str>>())
        .filter(|f| f.len() >= 7 && f[2].starts_with('v') && f[2][1..].parse::<u32>().is_ok())
        .map(|f| {
            let sha = if f[3] == "current" { f[5] } else { f[4] };
            (f[1].to_string(), (f[2].to_string(), sha.to_string()))
        })
        .collect()
}

/// A sheet of a workbook as rows of cells.
fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut xlsx: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = xlsx.worksheet_range(name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

#[test]
fn template_lists_the_draws_households() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, id, _) = crate::util::luquan_draw(dir.path(), 0);
    let sample = sample_rows(&drawn);
    for (engine, db) in databases(dir.path()) {
        with_draw(&drawn, &db);
        let out = dir.path().join(format!("{engine}-team.xlsx"));
        let said = stdout(
            assess()
                .args(["template", "--db", &db, "--draw", &id])
                .arg("--out")
                .arg(&out)
                .assert()
                .success(),
        );
        let primaries = sample.iter().filter(|r| r["role"] == "primary").count();
        assert!(
            said.contains(&format!(
                "{} households ({primaries} primaries, {} reserves)",
                sample.len(),
                sample.len() - primaries
            )),
            "{engine}: {said}"
        );
        let rows = sheet(&out, "visits");
        let header: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
        assert_eq!(header, assess_forms::column_names("visits").unwrap());
        assert_eq!(rows.len(), sample.len() + 1, "{engine}");
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let listed: BTreeMap<String, (String, String, String)> = rows[1..]
            .iter()
            .map(|r| {
                assert_eq!(r[col("draw_id")], Data::String(id.clone()));
                assert_eq!(r[col("disposition")], Data::Empty);
                (
                    r[col("household_id")].to_string(),
                    (
                        r[col("role")].to_string(),
                        r[col("reserve_rank")].to_string(),
                        r[col("village_code")].to_string(),
                    ),
                )
            })
            .collect();
        let expected: BTreeMap<String, (String, String, String)> = sample
            .iter()
            .map(|r| {
                (
                    r["household_id"].clone(),
                    (
                        r["role"].clone(),
                        r["reserve_rank"].clone(),
                        r["village_code"].clone(),
                    ),
                )
            })
            .collect();
        assert_eq!(listed, expected, "{engine}");
        // Unfilled, it imports nothing, with the reason.
        let err = stderr(import(&out.display().to_string(), &db).code(1));
        assert!(
            err.contains("team.xlsx, sheet visits: holds no visit"),
            "{engine}: {err}"
        );
        // One village only.
        let village = &sample[0]["village_code"];
        let one = dir.path().join(format!("{engine}-village.xlsx"));
        assess()
            .args(["template", "--db", &db, "--draw", &id, "--village", village])
            .arg("--out")
            .arg(&one)
            .assert()
            .success();
        let in_village = sample
            .iter()
            .filter(|r| &r["village_code"] == village)
            .count();
        assert_eq!(sheet(&one, "visits").len(), in_village + 1, "{engine}");
        // One county: the draw's only county gives every household; another is refused with
        // the counties the draw holds, and no file.
        let county = dir.path().join(format!("{engine}-county.xlsx"));
        assess()
            .args(["template", "--db", &db, "--draw", &id, "--county", "530128"])
            .arg("--out")
            .arg(&county)
            .assert()
            .success();
        assert_eq!(sheet(&county, "visits").len(), sample.len() + 1, "{engine}");
        let elsewhere = dir.path().join(format!("{engine}-elsewhere.xlsx"));
        let err = stderr(
            assess()
                .args(["template", "--db", &db, "--draw", &id, "--county", "110101"])
                .arg("--out")
                .arg(&elsewhere)
                .assert()
                .code(1),
        );
        assert!(
            err.contains("county 110101 not in the sample of draw")
                && err.contains("its counties: 530128"),
            "{engine}: {err}"
        );
        assert!(!elsewhere.exists());
        // A draw not in the database: an error, and no file.
        let none = dir.path().join(format!("{engine}-none.xlsx"));
        let err = stderr(
            assess()
                .args(["template", "--db", &db, "--draw", &"0".repeat(64)])
                .arg("--out")
                .arg(&none)
                .assert()
                .code(1),
        );
        assert!(err.contains("is not in the database"), "{engine}: {err}");
        assert!(!none.exists());
    }
    // Without a draw: the empty template; an existing file is kept unless --force.
    let empty = dir.path().join("empty.xlsx");
    assess()
        .arg("template")
        .arg("--out")
        .arg(&empty)
        .assert()
        .success();
    assert_eq!(sheet(&empty, "visits").len(), 1);
    let before = std::fs::read(&empty).unwrap();
    let err = stderr(
        assess()
            .arg("template")
            .arg("--out")
            .arg(&empty)
            .assert()
            .code(1),
    );
    assert!(err.contains("exists") && err.contains("--force"), "{err}");
    assert_eq!(std::fs::read(&empty).unwrap(), before);
    assess()
        .args(["template", "--force"])
        .arg("--out")
        .arg(&empty)
        .assert()
        .success();
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_filled_workbook_stores_exactly_what_the_same_json_stores() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, id, h) = crate::util::luquan_draw(dir.path(), 5);
    let values = three(&id, &h);
    let xlsx = write_xlsx(&dir.path().join("visits.xlsx"), &values);
    let json = write_json(&dir.path().join("visits.json"), &values);
    // Told by content: the same workbook under another name.
    let renamed = dir.path().join("visits.dat");
    std::fs::copy(&xlsx, &renamed).unwrap();
    let renamed = renamed.display().to_string();
    for (engine, db) in databases(dir.path()) {
        with_draw(&drawn, &db);
        let out = stdout(import(&json, &db).success());
        assert_eq!(out.trim(), "3 new, 0 changed (new version), 0 unchanged");
        let before = listing(&db);
        for file in [&xlsx, &renamed, &xlsx] {
            let out = stdout(import(file, &db).success());
            assert_eq!(
                out.trim(),
                "0 new, 0 changed (new version), 3 unchanged",
                "{engine} {file}"
            );
            assert_eq!(listing(&db), before, "{engine}: the tables changed");
        }
    }
    // Workbook first, on fresh databases: the same hashes as JSON first.
    let json_hashes = {
        let d = dir.path().join("json-first");
        std::fs::create_dir_all(&d).unwrap();
        let db = d.join("assess.db").display().to_string();
        with_draw(&drawn, &db);
        import(&json, &db).success();
        hashes(&listing(&db))
    };
    assert_eq!(json_hashes.len(), 3);
    std::fs::create_dir_all(dir.path().join("xlsx-first")).unwrap();
    for (engine, db) in databases(&dir.path().join("xlsx-first")) {
        with_draw(&drawn, &db);
        let out = stdout(import(&xlsx, &db).success());
        assert_eq!(out.trim(), "3 new, 0 changed (new version), 0 unchanged");
        let first = listing(&db);
        assert_eq!(hashes(&first), json_hashes, "{engine}");
        assert!(first.contains("visits.xlsx"), "{engine}: {first}");
        let again = stdout(import(&xlsx, &db).success());
        assert_eq!(again.trim(), "0 new, 0 changed (new version), 3 unchanged");
        let json_again = stdout(import(&json, &db).success());
        assert_eq!(
            json_again.trim(),
            "0 new, 0 changed (new version), 3 unchanged"
        );
        assert_eq!(listing(&db), first, "{engine}");
        // One field changed in the workbook: exactly one new version.
        let mut changed = values.clone();
        changed[1]["team"] = json!("team-3");
        let changed = write_xlsx(&dir.path().join("visits-2.xlsx"), &changed);
        let out = stdout(import(&changed, &db).success());
        assert_eq!(out.trim(), "0 new, 1 changed (new version), 2 unchanged");
        assert!(listing(&db).contains("4 record versions listed, 3 current"));
    }
}

/// A workbook whose cell (sheet, Excel row, column header) is replaced by `text`.
fn with_cell(bytes: &[u8], sheet: &str, row: usize, column: &str, text: &str) -> Vec<u8> {
    let mut xlsx: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    for name in xlsx.sheet_names() {
        let mut rows: Vec<Vec<Data>> = xlsx
            .worksheet_range(&name)
            .unwrap()
            .rows()
            .map(|r| r.to_vec())
            .collect();
        if name == sheet {
            let c = rows[0]
                .iter()
                .position(|d| *d == Data::String(column.to_string()))
                .unwrap();
            rows[row - 1][c] = Data::String(text.to_string());
        }
        let ws = book.add_worksheet();
        ws.set_name(&name).unwrap();
        for (r, cells) in rows.iter().enumerate() {
            for (c, d) in cells.iter().enumerate() {
                match d {
                    Data::String(s) => {
                        ws.write_string(r as u32, c as u16, s).unwrap();
                    }
                    Data::Float(x) => {
                        ws.write_number(r as u32, c as u16, *x).unwrap();
                    }
                    _ => {}
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn a_bad_cell_in_record_k_of_n_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, id, h) = crate::util::luquan_draw(dir.path(), 5);
    let good = write_xlsx(&dir.path().join("good.xlsx"), &three(&id, &h));
    // Record 1 changed, record 4 new, record 5 ends before it starts.
    let mut values = three(&id, &h);
    values[0]["team"] = json!("team-9");
    values.push(refused_visit(&id, &h[3]));
    let mut bad = refused_visit(&id, &h[4]);
    bad["end"] = json!("2020-06-12T13:00:00+08:00");
    values.push(bad);
    let late = write_xlsx(&dir.path().join("late.xlsx"), &values);
    // A member's age that is not a number, in the last record's rows of sheet members.
    values.pop();
    values.push(complete_visit(&id, &h[4]));
    let members = 1 + 2 * 3; // the header, then two members of each complete visit: the last
    let aged = dir.path().join("aged.xlsx");
    let bytes = assess_forms::write_filled(&records(&values)).unwrap();
    std::fs::write(
        &aged,
        with_cell(&bytes, "members", members, "age", "eleven"),
    )
    .unwrap();
    let aged = aged.display().to_string();
    // A household outside the draw (the database refuses it, record 2, row 3 of visits).
    let mut outside = three(&id, &h);
    outside.insert(1, refused_visit(&id, "530128999999999999"));
    let outside = write_xlsx(&dir.path().join("outside.xlsx"), &outside);
    for (engine, db) in databases(dir.path()) {
        with_draw(&drawn, &db);
        import(&good, &db).success();
        let before = listing(&db);
        let err = stderr(import(&late, &db).code(1));
        assert!(
            err.contains(&format!(
                "late.xlsx, sheet visits, row 6, household {}, column end: 2020-06-12T13:00:00+08:00 is before the start",
                h[4]
            )) && err.contains("1 problem found; nothing was imported"),
            "{engine}: {err}"
        );
        let err = stderr(import(&aged, &db).code(1));
        assert!(
            err.contains(&format!(
                "aged.xlsx, sheet members, row {members}, household {}, column age: \"eleven\" is not a number",
                h[4]
            )),
            "{engine}: {err}"
        );
        let err = stderr(import(&outside, &db).code(1));
        assert!(
            err.contains("outside.xlsx, record 2 (line 3), household 530128999999999999, field household_id: household 530128999999999999 is not in the sample of draw"),
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
fn a_corrupt_workbook_is_a_clear_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, id, h) = crate::util::luquan_draw(dir.path(), 5);
    let good = assess_forms::write_filled(&records(&three(&id, &h))).unwrap();
    let truncated = dir.path().join("truncated.xlsx");
    std::fs::write(&truncated, &good[..good.len() * 2 / 3]).unwrap();
    let random = dir.path().join("random.xlsx");
    let noise: Vec<u8> = (0..20_000u64)
        .map(|i| {
            (i.wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407)
                >> 33) as u8
        })
        .collect();
    std::fs::write(&random, noise).unwrap();
    let foreign = dir.path().join("foreign.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet()
        .set_name("Sheet1")
        .unwrap()
        .write_string(0, 0, "household_id")
        .unwrap();
    book.save(&foreign).unwrap();
    let cases = [
        (&truncated, "truncated.xlsx: not a readable XLSX workbook ("),
        (&random, "random.xlsx: not a readable XLSX workbook ("),
        (
            &foreign,
            "foreign.xlsx: the workbook has no sheet `visits` (its sheets: Sheet1)",
        ),
    ];
    for (engine, db) in databases(dir.path()) {
        with_draw(&drawn, &db);
        let before = listing(&db);
        for (file, message) in &cases {
            let err = stderr(import(&file.display().to_string(), &db).code(1));
            assert!(
                err.contains(message) && !err.contains("panicked"),
                "{engine}: {err}"
            );
        }
        assert_eq!(listing(&db), before, "{engine}");
        assert!(before.contains("0 record versions listed"), "{engine}");
    }
}

/// A workbook with every cell of an enumerated column replaced by its Chinese label, as a
/// team working from a Chinese template types them (an independent table: the labels of
/// docs/forms.md).
fn in_chinese(bytes: &[u8]) -> Vec<u8> {
    const LABELS: &[(&str, &str)] = &[
        ("complete", "完成"),
        ("refused", "拒访"),
        ("in_person", "入户面访"),
        ("exited", "已脱贫"),
        ("male", "男"),
        ("female", "女"),
        ("in_school", "在校"),
        ("true", "是"),
        ("false", "否"),
        ("a", "a级"),
        ("not_present", "无此构件"),
        ("A", "A级"),
        ("none", "未处置"),
        ("satisfied", "满意"),
        ("basically_satisfied", "基本满意"),
        ("dont_know", "不知道"),
    ];
    let free_text = [
        "draw_id",
        "household_id",
        "team",
        "interviewer_1",
        "interviewer_2",
        "member_id",
        "rule",
        "text",
    ];
    let mut xlsx: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let mut replaced = 0;
    for name in xlsx.sheet_names() {
        let rows: Vec<Vec<Data>> = xlsx
            .worksheet_range(&name)
            .unwrap()
            .rows()
            .map(|r| r.to_vec())
            .collect();
        let ws = book.add_worksheet();
        ws.set_name(&name).unwrap();
        for (r, cells) in rows.iter().enumerate() {
            for (c, d) in cells.iter().enumerate() {
                let (row, col) = (r as u32, c as u16);
                let column = rows[0][c].to_string();
                match d {
                    Data::String(s) => {
                        let label = LABELS.iter().find(|(v, _)| v == s);
                        let text = match label {
                            Some((_, zh)) if r > 0 && !free_text.contains(&column.as_str()) => {
                                replaced += 1;
                                *zh
                            }
                            _ => s.as_str(),
                        };
                        ws.write_string(row, col, text).unwrap();
                    }
                    Data::Float(x) => {
                        ws.write_number(row, col, *x).unwrap();
                    }
                    _ => {}
                }
            }
        }
    }
    assert!(replaced > 30, "{replaced} cells in Chinese");
    book.save_to_buffer().unwrap()
}

#[test]
fn a_workbook_filled_with_chinese_labels_stores_exactly_what_the_json_stores() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, id, h) = crate::util::luquan_draw(dir.path(), 5);
    let values = three(&id, &h);
    let english = std::fs::read(write_xlsx(&dir.path().join("visits.xlsx"), &values)).unwrap();
    let chinese = dir.path().join("visits-zh.xlsx");
    std::fs::write(&chinese, in_chinese(&english)).unwrap();
    let chinese = chinese.display().to_string();
    let json = write_json(&dir.path().join("visits.json"), &values);
    for (engine, db) in databases(dir.path()) {
        with_draw(&drawn, &db);
        let out = stdout(import(&chinese, &db).success());
        assert_eq!(
            out.trim(),
            "3 new, 0 changed (new version), 0 unchanged",
            "{engine}"
        );
        let out = stdout(import(&json, &db).success());
        assert_eq!(
            out.trim(),
            "0 new, 0 changed (new version), 3 unchanged",
            "{engine}"
        );
        // The template's lists in Chinese: written, and (unfilled) holding no visit.
        let template = dir.path().join(format!("{engine}-zh.xlsx"));
        assess()
            .args(["template", "--lang", "zh", "--db", &db, "--draw", &id])
            .arg("--out")
            .arg(&template)
            .assert()
            .success();
        let err = stderr(import(&template.display().to_string(), &db).code(1));
        assert!(err.contains("holds no visit"), "{engine}: {err}");
    }
}
