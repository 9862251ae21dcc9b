//! Issue 13.1, "Teams must find the households": the register's display columns (head's name,
//! villager group, address, phone) reach sample.csv and the template, never the tickets or
//! the identity fingerprint; a register exported with Chinese headers and status words (in
//! GB18030) draws exactly what its English copy draws; a template filled with Chinese labels
//! stores exactly what JSON stores.

use crate::util::{assess, databases, draw, luquan, read, repo_file, sample_rows};
use calamine::{Data, Reader, Xlsx};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const SEED: &str = "find-the-households";
const HOUSEHOLD_SEED: &str = "team-13";

/// The columns of sample.csv every draw has (docs/sampling.md, section 5).
const SAMPLE_HEADER: &str = "household_id,county_code,township_code,village_code,\
village_stratum,stratum,role,reserve_rank,ticket,pi_village,pi_household,pi,weight,certainty,\
selection,members";

/// One register row of the synthetic Luquan register, with display values made up for it.
struct Row {
    fields: Vec<String>,
    display: [String; 4],
}

/// The synthetic Luquan register's rows (its columns: the eight data columns and `group`),
/// each with a head's name, its group, an address and a phone (every seventh household has
/// none).
fn luquan_rows() -> Vec<Row> {
    let (register, _) = luquan();
    let mut reader = csv::Reader::from_path(&register).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header.last().map(String::as_str), Some("group"));
    reader
        .records()
        .enumerate()
        .map(|(n, r)| {
            let r = r.unwrap();
            let fields: Vec<String> = r.iter().take(8).map(String::from).collect();
            let group = r.get(8).unwrap_or_default().to_string();
            let phone = match n % 7 {
                0 => String::new(),
                _ => format!("138{n:08}"),
            };
            let display = [
                format!("户主{n}"),
                group.clone(),
                format!("{group}{n}号"),
                phone,
            ];
            Row { fields, display }
        })
        .collect()
}

fn csv_text(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).unwrap();
    for row in rows {
        writer.write_record(row).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

const DATA: [&str; 8] = [
    "household_id",
    "village_code",
    "status",
    "exit_year",
    "members",
    "income_per_capita",
    "lon",
    "lat",
];

/// Three copies of one register: without display columns, with all four, and with them as a
/// county office exports it (Chinese headers in another order, Chinese status words,
/// GB18030).
struct Registers {
    bare: PathBuf,
    full: PathBuf,
    chinese: PathBuf,
    rows: Vec<Row>,
}

fn registers(dir: &Path) -> Registers {
    let rows = luquan_rows();
    let bare = csv_text(&DATA, rows.iter().map(|r| r.fields.clone()));
    let mut full_header = DATA.to_vec();
    full_header.extend(["head_name", "group", "address", "phone"]);
    let full = csv_text(
        &full_header,
        rows.iter()
            .map(|r| r.fields.iter().chain(&r.display).cloned().collect()),
    );
    let chinese_header = [
        "户主姓名",
        "户编号",
        "村民小组",
        "村代码",
        "脱贫状态",
        "脱贫年度",
        "家庭人口数",
        "人均纯收入",
        "经度",
        "纬度",
        "门牌号",
        "联系电话",
    ];
    let label = |status: &str| match status {
        "exited" => "已脱贫",
        "poor" => "未脱贫",
        _ => "非建档立卡",
    };
    let chinese = csv_text(
        &chinese_header,
        rows.iter().map(|r| {
            let f = &r.fields;
            let d = &r.display;
            vec![
                d[0].clone(),
                f[0].clone(),
                d[1].clone(),
                f[1].clone(),
                label(&f[2]).to_string(),
                f[3].clone(),
                f[4].clone(),
                f[5].clone(),
                f[6].clone(),
                f[7].clone(),
                d[2].clone(),
                d[3].clone(),
            ]
        }),
    );
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    Registers {
        bare: write("bare.csv", bare.as_bytes()),
        full: write("full.csv", full.as_bytes()),
        chinese: write("chinese.csv", &encoding_rs::GB18030.encode(&chinese).0),
        rows,
    }
}

fn plan() -> PathBuf {
    repo_file("sample-plans/luquan-530128.toml")
}

fn draw_from(register: &Path, out: &Path) {
    let (_, villages) = luquan();
    draw(&plan(), register, &villages, SEED, HOUSEHOLD_SEED, out).success();
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&read(&dir.join("manifest.json"))).unwrap()
}

fn verify(dir: &Path, register: &Path) -> assert_cmd::assert::Assert {
    let (_, villages) = luquan();
    assess()
        .arg("verify")
        .arg(dir)
        .arg("--plan")
        .arg(plan())
        .arg("--frame")
        .arg(register)
        .arg("--villages")
        .arg(&villages)
        .args(["--seed", SEED, "--household-seed", HOUSEHOLD_SEED])
        .assert()
}

#[test]
fn display_columns_reach_the_sample_and_a_chinese_register_draws_what_its_english_copy_draws() {
    let dir = tempfile::tempdir().unwrap();
    let registers = registers(dir.path());
    let (bare, full, chinese) = (
        dir.path().join("bare"),
        dir.path().join("full"),
        dir.path().join("chinese"),
    );
    draw_from(&registers.bare, &bare);
    draw_from(&registers.full, &full);
    draw_from(&registers.chinese, &chinese);
    // One register identity; the display fingerprint only where there are display columns.
    let (m_bare, m_full, m_chinese) = (manifest(&bare), manifest(&full), manifest(&chinese));
    assert_eq!(m_bare["frame_fingerprint"], m_full["frame_fingerprint"]);
    assert!(m_bare.get("frame_display_fingerprint").is_none());
    assert!(m_full["frame_display_fingerprint"].is_string());
    // Without display columns sample.csv has the scheme's columns only; with them, they follow.
    let bare_csv = read(&bare.join("sample.csv"));
    let full_csv = read(&full.join("sample.csv"));
    assert_eq!(bare_csv.lines().next(), Some(SAMPLE_HEADER));
    assert_eq!(
        full_csv.lines().next().unwrap(),
        format!("{SAMPLE_HEADER},head_name,group,address,phone")
    );
    // The same households with the same tickets, roles and weights.
    let (bare_rows, full_rows) = (sample_rows(&bare), sample_rows(&full));
    assert!(bare_rows.len() > 100, "{} rows", bare_rows.len());
    assert_eq!(bare_rows.len(), full_rows.len());
    let display: BTreeMap<&str, &[String; 4]> = registers
        .rows
        .iter()
        .map(|r| (r.fields[0].as_str(), &r.display))
        .collect();
    for (b, f) in bare_rows.iter().zip(&full_rows) {
        for (column, value) in b {
            assert_eq!(&f[column], value, "{column} of {}", b["household_id"]);
        }
        let expected = display[b["household_id"].as_str()];
        let got = ["head_name", "group", "address", "phone"].map(|c| f[c].clone());
        assert_eq!(&got, expected, "{}", b["household_id"]);
    }
    assert!(full_rows.iter().any(|r| r["phone"].is_empty()));
    // The Chinese GB18030 copy: the same draw, byte for byte.
    assert_eq!(m_chinese, m_full);
    assert_eq!(read(&chinese.join("sample.csv")), full_csv);
    assert_eq!(
        read(&chinese.join("sample_villages.csv")),
        read(&bare.join("sample_villages.csv"))
    );
    // Each verifies with its register, and with any copy of it.
    verify(&bare, &registers.bare).success();
    verify(&full, &registers.full).success();
    verify(&full, &registers.chinese).success();
    verify(&chinese, &registers.full).success();
    // A phone changed in the register after the draw: the display columns are the finding.
    let phone = &full_rows.iter().find(|r| !r["phone"].is_empty()).unwrap()["phone"];
    let edited_text = read(&registers.full).replacen(&format!(",{phone}\n"), ",13900000000\n", 1);
    let edited = dir.path().join("edited.csv");
    std::fs::write(&edited, &edited_text).unwrap();
    let out = verify(&full, &edited).code(1);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        stdout.contains(
            "another register's display columns: the register given has the same households"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("sample.csv: row of household"), "{stdout}");
    // The bare draw against the full register: its display columns are the finding too.
    let out = verify(&bare, &registers.full).code(1);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        stdout.contains("the draw was made with none (no display columns)"),
        "{stdout}"
    );
    // The standard-library re-derivation reads the Chinese GB18030 register too.
    let python = std::process::Command::new("python3")
        .arg(repo_file("scripts/verify_sample.py"))
        .arg(&registers.chinese)
        .arg(chinese.join("sample.csv"))
        .arg(HOUSEHOLD_SEED)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&python.stdout).to_string();
    assert!(python.status.success(), "{said}");
    assert!(
        said.contains(&format!(
            "{} sample rows checked, 0 differences",
            full_rows.len()
        )),
        "{said}"
    );
}

#[test]
fn frame_check_shows_the_display_columns_and_their_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let registers = registers(dir.path());
    let json = |path: &Path| -> serde_json::Value {
        let out = assess()
            .args(["frame", "check", "--json"])
            .arg(path)
            .assert()
            .success();
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    };
    let (bare, full, chinese) = (
        json(&registers.bare),
        json(&registers.full),
        json(&registers.chinese),
    );
    assert_eq!(bare["fingerprint"], full["fingerprint"]);
    assert!(bare.get("display_fingerprint").is_none() && bare.get("display_columns").is_none());
    assert_eq!(
        full["display_columns"],
        serde_json::json!(["head_name", "group", "address", "phone"])
    );
    assert_eq!(chinese["fingerprint"], full["fingerprint"]);
    assert_eq!(chinese["display_fingerprint"], full["display_fingerprint"]);
    assert_eq!(chinese["encoding"], "gb18030");
    let text = assess()
        .args(["frame", "check"])
        .arg(&registers.chinese)
        .assert()
        .success();
    let text = String::from_utf8_lossy(&text.get_output().stdout).to_string();
    let display = full["display_fingerprint"].as_str().unwrap();
    assert!(
        text.contains(&format!(
            "display      {display} (head_name, group, address, phone)"
        )),
        "{text}"
    );
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut xlsx: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = xlsx.worksheet_range(name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

#[test]
fn the_template_shows_the_registers_display_values_beside_the_same_households() {
    let dir = tempfile::tempdir().unwrap();
    let registers = registers(dir.path());
    let (bare, full) = (dir.path().join("bare"), dir.path().join("full"));
    draw_from(&registers.bare, &bare);
    draw_from(&registers.full, &full);
    let sample = sample_rows(&full);
    let ids = |dir: &Path| manifest(dir)["sample_sha256"].as_str().unwrap().to_string();
    for (engine, db) in databases(dir.path()) {
        let mut listed = Vec::new();
        for (drawn, name) in [(&bare, "bare"), (&full, "full")] {
            assess()
                .arg("import-sample")
                .arg(drawn)
                .args(["--db", &db])
                .assert()
                .success();
            let out = dir.path().join(format!("{engine}-{name}.xlsx"));
            let said = assess()
                .args(["template", "--db", &db, "--draw", &ids(drawn)])
                .arg("--out")
                .arg(&out)
                .assert()
                .success();
            let said = String::from_utf8_lossy(&said.get_output().stdout).to_string();
            let described = sample.iter().filter(|r| !r["head_name"].is_empty()).count();
            assert_eq!(
                said.contains(&format!(
                    ", {described} with the register's name, group, address or phone"
                )),
                name == "full",
                "{engine} {name}: {said}"
            );
            let rows = sheet(&out, "visits");
            let header: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
            let col = |name: &str| header.iter().position(|h| h == name).unwrap();
            let cell = |r: &[Data], name: &str| {
                r.get(col(name)).map(|d| d.to_string()).unwrap_or_default()
            };
            let households: Vec<(String, String, String)> = rows[1..]
                .iter()
                .map(|r| {
                    (
                        cell(r, "household_id"),
                        cell(r, "role"),
                        cell(r, "reserve_rank"),
                    )
                })
                .collect();
            listed.push(households);
            if name == "full" {
                let by_id: BTreeMap<&str, &BTreeMap<String, String>> = sample
                    .iter()
                    .map(|r| (r["household_id"].as_str(), r))
                    .collect();
                for r in &rows[1..] {
                    let s = by_id[cell(r, "household_id").as_str()];
                    for c in ["head_name", "group", "address", "phone"] {
                        assert_eq!(cell(r, c), s[c], "{engine}: {c}");
                    }
                }
            }
        }
        // The same households, in the same order, with the same roles and ranks.
        assert_eq!(listed[0], listed[1], "{engine}");
    }
}
