//! Identification flags (issue 13 part 4): `assess check` (text and `--json`) and the verdict's
//! reports list exactly the households whose records carry a flag, with the evidence; the
//! flags change none of the four rates; no output shows an identity number in full.

use crate::util::{
    assess, database_with, household_record, luquan, luquan_draw, sample_rows,
    two_villages_per_stratum, visit_after_draw,
};
use calamine::Reader;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A valid resident identity number (GB 11643-1999 check character) for a sequence number.
fn identity_number(seq: u32) -> String {
    let body = format!("53012819850101{seq:03}");
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// The shown form: first 3 and last 4 characters.
fn masked(number: &str) -> String {
    format!("{}{}{}", &number[..3], "*".repeat(11), &number[14..])
}

/// The identification answers of each flag case, by name.
fn answers(case: &str) -> Value {
    let no = json!({"owns_vehicle": false, "vehicle_value_yuan": null, "urban_flat_or_shop": false,
        "registered_company": false, "public_payroll": false, "village_cadre": false});
    let mut a = no;
    match case {
        "vehicle" => {
            a["owns_vehicle"] = json!(true);
            a["vehicle_value_yuan"] = json!(45000.0);
        }
        // Exactly at the standards' limit: not over it, not flagged.
        "vehicle_at_limit" => {
            a["owns_vehicle"] = json!(true);
            a["vehicle_value_yuan"] = json!(30000.0);
        }
        "payroll_and_cadre" => {
            a["public_payroll"] = json!(true);
            a["village_cadre"] = json!(true);
        }
        "none" => {}
        flag => a[flag] = json!(true),
    }
    a
}

/// The cases: (answers, the flags expected in the output, the household's register status).
const CASES: [(&str, &[&str], &str); 6] = [
    ("vehicle", &["vehicle"], "exited"),
    ("urban_flat_or_shop", &["urban_flat_or_shop"], "exited"),
    ("registered_company", &["registered_company"], "poor"),
    (
        "payroll_and_cadre",
        &["public_payroll", "village_cadre"],
        "exited",
    ),
    ("vehicle_at_limit", &[], "exited"),
    // The rules are about removal from the register: a non-registered household's "yes" is
    // not a flag.
    ("public_payroll", &[], "non_registered"),
];

struct Fixture {
    /// household id → (village, expected flag codes), for the households that must be listed.
    expected: BTreeMap<String, (String, Vec<String>)>,
    /// Every identity number the records carry, in full.
    numbers: Vec<String>,
    /// The records with the flags, and the same records without them.
    flagged: Vec<Value>,
    plain: Vec<Value>,
}

/// The primaries of two villages of each village stratum (so that every variance stratum has
/// two villages), every guarantee met; the first household of each case's status takes the
/// case's answers. Every case household has a member with an identity number; in one the
/// member's id is the identity number itself.
fn fixture(draw_id: &str, rows: &[BTreeMap<String, String>]) -> Fixture {
    let chosen = two_villages_per_stratum(rows);
    let mut out = Fixture {
        expected: BTreeMap::new(),
        numbers: Vec::new(),
        flagged: Vec::new(),
        plain: Vec::new(),
    };
    let mut pending: Vec<&(&str, &[&str], &str)> = CASES.iter().collect();
    for r in rows
        .iter()
        .filter(|r| r["role"] == "primary" && chosen.contains(&r["village_code"]))
    {
        let id = r["household_id"].as_str();
        let mut household = household_record(id);
        household["status"] = json!(r["stratum"]);
        household["approval"] = json!({"exit": "satisfied", "policies": "satisfied", "help_received": "satisfied", "cadres_work": "satisfied"});
        let case = pending.iter().position(|c| c.2 == r["stratum"]);
        let mut plain = household.clone();
        if let Some(at) = case {
            let (name, flags, _) = *pending.remove(at);
            let number = identity_number(out.numbers.len() as u32 + 1);
            for h in [&mut household, &mut plain] {
                h["members"][0]["id_number"] = json!(number);
                if name == "urban_flat_or_shop" {
                    h["members"][0]["id"] = json!(number);
                }
            }
            out.numbers.push(number);
            household["identification"] = answers(name);
            plain["identification"] = answers("none");
            if !flags.is_empty() {
                out.expected.insert(
                    id.to_string(),
                    (
                        r["village_code"].clone(),
                        flags.iter().map(|f| f.to_string()).collect(),
                    ),
                );
            }
        }
        out.flagged
            .push(visit_after_draw(draw_id, id, "team-1", household));
        out.plain
            .push(visit_after_draw(draw_id, id, "team-1", plain));
    }
    assert!(
        pending.is_empty(),
        "every case has a household: {pending:?}"
    );
    assert_eq!(out.expected.len(), 4);
    out
}

fn stdout(args: &[&str]) -> String {
    let run = assess().args(args).assert().success();
    String::from_utf8_lossy(&run.get_output().stdout).to_string()
}

/// Every text a verdict directory holds: the three text files and every cell of the workbook.
fn verdict_texts(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = ["verdict.json", "verdict.md", "report.html"]
        .iter()
        .map(|f| (f.to_string(), crate::util::read(&dir.join(f))))
        .collect();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(dir.join("verdict.xlsx")).unwrap();
    for sheet in book.sheet_names() {
        let range = book.worksheet_range(&sheet).unwrap();
        let cells: Vec<String> = range.cells().map(|(_, _, c)| c.to_string()).collect();
        out.push((format!("verdict.xlsx {sheet}"), cells.join("\n")));
    }
    out
}

fn verdict(db: &str, out: &Path, lang: &str) -> Value {
    let run = assess()
        .args(["verdict", "--db", db, "--county", "530128", "--lang", lang])
        .arg("--out")
        .arg(out)
        .assert()
        .success();
    let value: Value = serde_json::from_str(&crate::util::read(&out.join("verdict.json"))).unwrap();
    // The terminal counts the flagged households (the reports list them).
    let shown = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    let flagged = value["identification_flags"].as_array().unwrap().len();
    let line = match (lang, flagged) {
        (_, 0) => None,
        ("zh", n) => Some(format!("识别疑点：{n} 户")),
        (_, 1) => Some("identification flags: 1 household (".to_string()),
        (_, n) => Some(format!("identification flags: {n} households (")),
    };
    match line {
        Some(line) => assert!(shown.contains(&line), "{shown}"),
        None => assert!(!shown.contains("identification flags"), "{shown}"),
    }
    value
}

/// household id → flag codes, from a list of flagged households as JSON.
fn listed(list: &Value) -> BTreeMap<String, (String, Vec<String>)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let flags = h["flags"].as_array().unwrap();
            (
                h["household_id"].as_str().unwrap().to_string(),
                (
                    h["village"].as_str().unwrap().to_string(),
                    flags
                        .iter()
                        .map(|f| f["flag"].as_str().unwrap().to_string())
                        .collect(),
                ),
            )
        })
        .collect()
}

#[test]
fn identification_flags_are_listed_by_check_and_the_reports_and_change_no_rate() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, draw_id, _) = luquan_draw(dir.path(), 0);
    let (_, villages) = luquan();
    let f = fixture(&draw_id, &sample_rows(&drawn));
    let (flagged_dir, plain_dir) = (dir.path().join("flagged"), dir.path().join("plain"));
    std::fs::create_dir_all(&flagged_dir).unwrap();
    std::fs::create_dir_all(&plain_dir).unwrap();
    let db = database_with(&flagged_dir, &drawn, &villages, &f.flagged);
    let plain_db = database_with(&plain_dir, &drawn, &villages, &f.plain);
    let vehicle = f.expected.iter().find(|(_, v)| v.1 == ["vehicle"]).unwrap();
    let mut outputs: Vec<(String, String)> = Vec::new();

    // check --json: exactly the expected households, with the evidence; one per county.
    let json_text = stdout(&["check", "--db", &db, "--json"]);
    let check: Value = serde_json::from_str(&json_text).unwrap();
    let draw = &check["draws"][0];
    assert_eq!(listed(&draw["identification_flags"]), f.expected);
    let v = draw["identification_flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["household_id"] == vehicle.0.as_str())
        .unwrap();
    assert_eq!(
        v["flags"][0],
        json!({"flag": "vehicle", "value_yuan": 45000.0, "limit_yuan": 30000.0})
    );
    assert_eq!(v["identity_numbers"][0]["id_number"], masked(&f.numbers[0]));
    assert_eq!(draw["counties"][0]["identification_flagged"], 4);
    outputs.push(("check --json".into(), json_text));

    // check (text): a section of its own, one line per flagged household.
    let text = stdout(&["check", "--db", &db]);
    let section: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("identification flags:"))
        .take_while(|l| !l.starts_with("rates by village"))
        .collect();
    assert_eq!(
        section[0],
        "identification flags: 4 households (leads for the county to re-examine \
         identification; they enter none of the four rates)"
    );
    assert_eq!(section.len(), 5, "{text}");
    for (id, (village, _)) in &f.expected {
        assert!(
            section
                .iter()
                .any(|l| l.contains(&format!("village {village}, household {id} ("))),
            "{id}: {text}"
        );
    }
    assert!(
        text.contains(&format!(
            "household {} (exited): owns a vehicle worth 45000 yuan, over the standards' limit \
             of 30000 yuan [identity numbers: member 1 {}]",
            vehicle.0,
            masked(&f.numbers[0])
        )),
        "{text}"
    );
    outputs.push(("check".into(), text));

    // The verdict's reports: the same households, in a section (a sheet) of their own.
    let out = dir.path().join("verdict");
    let with = verdict(&db, &out, "en");
    assert_eq!(listed(&with["identification_flags"]), f.expected);
    let md = crate::util::read(&out.join("verdict.md"));
    let md_section = &md[md.find("## Identification flags").unwrap()..];
    let md_section = &md_section[..md_section.find("\n## ").unwrap()];
    assert!(md_section.contains("They enter none of the four rates."));
    let md_ids: BTreeSet<&str> = md_section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .map(|l| &l[..l.find('`').unwrap()])
        .collect();
    assert_eq!(md_ids, f.expected.keys().map(String::as_str).collect());
    let page = crate::util::read(&out.join("report.html"));
    let table = &page[page.find(r#"<table class="identification">"#).unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    for id in f.expected.keys() {
        assert!(
            table.contains(&format!("<td><code>{id}</code></td>")),
            "{id}"
        );
    }
    assert_eq!(
        table.matches("<tr>").count(),
        1 + 5,
        "a header and one row per flag"
    );
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(out.join("verdict.xlsx")).unwrap();
    let sheet = book.worksheet_range("Identification").unwrap();
    let sheet_ids: BTreeSet<String> = sheet
        .rows()
        .skip(1)
        .map(|r| r[0].to_string())
        .filter(|s| f.expected.contains_key(s))
        .collect();
    assert_eq!(sheet_ids, f.expected.keys().cloned().collect());
    outputs.extend(verdict_texts(&out));
    let zh = dir.path().join("verdict-zh");
    verdict(&db, &zh, "zh");
    let zh_md = crate::util::read(&zh.join("verdict.md"));
    assert!(zh_md.contains("## 精准识别疑点") && zh_md.contains("不计入四项指标"));
    outputs.extend(verdict_texts(&zh));

    // The four rates, the decision and the failing list are those of the same records without
    // the flags; so are the check's findings and rates.
    let without = verdict(&plain_db, &dir.path().join("verdict-plain"), "en");
    assert_eq!(without["identification_flags"], json!([]));
    for key in [
        "indicators",
        "decision",
        "failing_households",
        "counts",
        "drivers",
    ] {
        assert_eq!(with[key], without[key], "{key}");
    }
    let plain_check: Value =
        serde_json::from_str(&stdout(&["check", "--db", &plain_db, "--json"])).unwrap();
    for key in ["findings", "by_village", "by_team"] {
        assert_eq!(draw[key], plain_check["draws"][0][key], "{key}");
    }

    // No identity number in full anywhere.
    for (name, text) in &outputs {
        for number in &f.numbers {
            assert!(!text.contains(number.as_str()), "{name} shows {number}");
        }
    }
    let shown = outputs
        .iter()
        .filter(|(_, t)| t.contains(&masked(&f.numbers[0])))
        .count();
    assert!(shown >= 6, "the masked number is shown in the outputs");
}
