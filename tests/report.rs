//! `assess verdict ... --lang zh` writes the reports people read beside verdict.json:
//! verdict.md, a self-contained report.html with the interval charts and the village map, and
//! verdict.xlsx; and prints the page's path.

use crate::util::{
    assess, database_with, household_record, luquan, luquan_draw, sample_rows,
    two_villages_per_stratum, visit_after_draw,
};
use calamine::Reader;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// A complete visit in 2099 (after the draw) with the household's own register status.
fn visit(draw_id: &str, id: &str, status: &str) -> Value {
    let mut household = household_record(id);
    household["status"] = json!(status);
    household["approval"] = json!({"exit": "satisfied", "policies": "satisfied", "help_received": "basically_satisfied", "cadres_work": "satisfied"});
    visit_after_draw(draw_id, id, "team-1", household)
}

#[test]
fn verdict_writes_the_reports_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let (draw, draw_id, _) = luquan_draw(dir.path(), 0);
    let (_, villages) = luquan();
    let rows = sample_rows(&draw);
    // The primaries of two villages of each village stratum (so every variance stratum has
    // two villages), two exited households in the first with unsafe housing (wrong exits) and
    // one non-registered household below the poverty line (missed).
    let chosen = two_villages_per_stratum(&rows);
    assert_eq!(chosen.len(), 4);
    let first = chosen.iter().next().unwrap();
    let mut records = Vec::new();
    let (mut unsafe_houses, mut missed) = (Vec::new(), None);
    for r in rows
        .iter()
        .filter(|r| r["role"] == "primary" && chosen.contains(&r["village_code"]))
    {
        let id = r["household_id"].as_str();
        let mut v = visit(&draw_id, id, &r["stratum"]);
        if &r["village_code"] == first && r["stratum"] == "exited" && unsafe_houses.len() < 2 {
            v["household"]["housing"]["components"]["load_bearing_walls"] = json!("d");
            v["household"]["housing"]["inspector_grade"] = json!("D");
            unsafe_houses.push(id.to_string());
        }
        if r["stratum"] == "non_registered" && missed.is_none() {
            v["household"]["income"] = json!({"wages": 600.0, "business_net": 0.0, "property": 0.0, "transfers": 0.0, "in_kind": 0.0});
            missed = Some(id.to_string());
        }
        records.push(v);
    }
    assert_eq!(unsafe_houses.len(), 2);
    let missed = missed.expect("a non-registered household");
    let db = database_with(dir.path(), &draw, &villages, &records);
    let out = dir.path().join("verdict");
    let run = assess()
        .args(["verdict", "--db", &db, "--county", "530128", "--lang", "zh"])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    let page_path = out.join("report.html");
    assert!(
        stdout.contains(&page_path.display().to_string()),
        "the HTML path is printed: {stdout}"
    );

    // Four files, no temporary left.
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["report.html", "verdict.json", "verdict.md", "verdict.xlsx"]
    );

    let verdict: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("verdict.json")).unwrap()).unwrap();
    assert_eq!(verdict["decision"], "defer");
    let failing: BTreeSet<&str> = verdict["failing_households"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["household_id"].as_str().unwrap())
        .collect();
    assert!(failing.contains(unsafe_houses[0].as_str()) && failing.contains(missed.as_str()));

    let md = std::fs::read_to_string(out.join("verdict.md")).unwrap();
    for label in [
        "暂缓退出",
        "错退率",
        "漏评率",
        "住房安全有保障",
        "错退、漏评户名单",
    ] {
        assert!(md.contains(label), "verdict.md lacks {label}");
    }
    for id in &unsafe_houses {
        assert!(md.contains(id.as_str()), "verdict.md lists {id}");
    }

    let page = std::fs::read_to_string(&page_path).unwrap();
    assert!(page.contains(r#"<html lang="zh-CN">"#));
    assert!(!page.contains("src=") && !page.contains("href=\"http") && !page.contains("<link"));
    assert_eq!(page.matches(r#"<figure class="interval""#).count(), 4);
    // The map: one circle per sampled village (the draw has 25), the two with findings
    // coloured, inside the Luquan boundary's box.
    let start = page.find(r#"<svg class="map""#).expect("a map");
    let map = &page[start..start + page[start..].find("</svg>").unwrap()];
    assert!(map.contains(r#"class="boundary""#));
    let sampled: BTreeSet<&String> = rows.iter().map(|r| &r["village_code"]).collect();
    assert_eq!(
        map.matches(r#"<circle class="village"#).count(),
        sampled.len()
    );
    assert!(
        map.contains(&format!(
            r#"<circle class="village wrong" data-village="{first}""#
        )) || map.contains(&format!(
            r#"<circle class="village both" data-village="{first}""#
        ))
    );

    let mut book: calamine::Xlsx<_> = calamine::open_workbook(out.join("verdict.xlsx")).unwrap();
    for sheet in ["Summary", "Indicators", "Drivers", "Households", "Villages"] {
        assert!(book.sheet_names().contains(&sheet.to_string()), "{sheet}");
    }
    let households = book.worksheet_range("Households").unwrap();
    let listed: BTreeSet<String> = households
        .rows()
        .skip(1)
        .map(|r| r[0].to_string())
        .filter(|s| !s.is_empty())
        .collect();
    for id in &failing {
        assert!(listed.contains(*id), "the workbook lists {id}");
    }
    let indicators = book.worksheet_range("Indicators").unwrap();
    let wrong = indicators
        .rows()
        .find(|r| r[0] == "错退率")
        .expect("the wrong-exit row");
    assert_eq!(
        wrong[1],
        calamine::Data::Float(
            verdict["indicators"]["wrong_exit_rate"]["official"]
                .as_f64()
                .unwrap()
        )
    );
}
