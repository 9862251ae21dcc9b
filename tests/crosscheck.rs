//! `assess census crosscheck` (issue 15, section 5) against a planted truth: households and
//! four registries generated here, deterministically, with planted hits, decoys (people in
//! registries who are in no household), near misses (a vehicle at or under the value or of an
//! excluded kind, a rural house, a supervisor) and identity numbers written as registries
//! write them (15-digit, full-width, lower-case x, spaces). Every planted hit must be found
//! and nothing else (recall = precision = 1), and no identity number may appear whole in any
//! output.

use crate::util::assess;
use std::collections::{BTreeSet, HashSet};
use std::fmt::Write as _;
use std::path::Path;

/// splitmix64: a deterministic stream of numbers for the generator.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// A person: their 18-character number and its old 15-digit form.
#[derive(Clone)]
struct Person {
    id: String,
    old: String,
    name: String,
}

fn person(mix: &mut Mix, used: &mut HashSet<String>, n: usize) -> Person {
    loop {
        let (yy, mm, dd, seq) = (
            30 + mix.below(70),
            1 + mix.below(12),
            1 + mix.below(28),
            mix.below(1000),
        );
        let seventeen = format!("450124{}{yy:02}{mm:02}{dd:02}{seq:03}", 19);
        let sum: u32 = seventeen
            .bytes()
            .zip(WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        let id = format!(
            "{seventeen}{}",
            char::from(b"10X98765432"[(sum % 11) as usize])
        );
        if used.insert(id.clone()) {
            let old = format!("{}{}", &id[..6], &id[8..17]);
            return Person {
                id,
                old,
                name: format!("成员{n}"),
            };
        }
    }
}

/// The number as a registry might write it.
fn written(mix: &mut Mix, p: &Person) -> String {
    match mix.below(6) {
        0 => p.old.clone(),
        1 => {
            p.id.chars()
                .map(|c| match c {
                    '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap(),
                    _ => 'Ｘ',
                })
                .collect()
        }
        2 => p.id.to_lowercase(),
        3 => format!(" {} ", p.id),
        _ => p.id.clone(),
    }
}

fn masked(id: &str) -> String {
    format!("{}***********{}", &id[..3], &id[14..])
}

/// The generated files, and the truth: (household, rule, masked member id, registry, line).
struct Planted {
    truth: BTreeSet<(String, String, String, String, u64)>,
    everyone: Vec<Person>,
    near_misses: usize,
    decoys: usize,
    renamed: usize,
}

fn plant(dir: &Path) -> Planted {
    let mut mix = Mix(20_151_015);
    let mut used = HashSet::new();
    let mut truth = BTreeSet::new();
    let mut households =
        String::from("household_id,county_code,village_code,member_id,member_name\n");
    let mut vehicles = String::from("owner_id,owner_name,value_yuan,plate,kind\n");
    let mut property = String::from("权利人身份证号,权利人,房屋类型,坐落\n");
    let mut business = String::from("person_id,person_name,role,company\n");
    let mut payroll = String::from("person_id,person_name,employer\n");
    let mut lines = [1u64; 4];
    let (mut near_misses, mut decoys, mut renamed) = (0, 0, 0);
    let mut everyone = Vec::new();
    let mut n = 0;
    for h in 0..400 {
        let hid = format!("450124100{:03}-{h:04}", 201 + h % 9);
        let village = format!("450124100{:03}", 201 + h % 9);
        for _ in 0..1 + mix.below(5) {
            n += 1;
            let p = person(&mut mix, &mut used, n);
            let id_text = written(&mut mix, &p);
            writeln!(households, "{hid},450124,{village},{id_text},{}", p.name).unwrap();
            everyone.push(p.clone());
            let mut hit = |registry: usize, rule: &str, lines: &[u64; 4]| {
                let reg = ["vehicles", "property", "business", "payroll"][registry];
                truth.insert((
                    hid.clone(),
                    rule.to_string(),
                    masked(&p.id),
                    reg.to_string(),
                    lines[registry] + 1,
                ));
            };
            // Names: mostly as in the household, sometimes with spaces or differing.
            let mut reg_name = |mix: &mut Mix| match mix.below(10) {
                0 => {
                    renamed += 1;
                    format!("别名{n}")
                }
                1 => p.name.replace("成员", "成 员"),
                _ => p.name.clone(),
            };
            if mix.chance(12) {
                let value = 30_001 + mix.below(300_000);
                hit(0, "vehicle", &lines);
                let name = reg_name(&mut mix);
                writeln!(
                    vehicles,
                    "{},{name},{value},桂A{n:05},car",
                    written(&mut mix, &p)
                )
                .unwrap();
                lines[0] += 1;
            }
            if mix.chance(10) {
                // Near misses: at or under the value, or a tractor worth more.
                let (value, kind) = if mix.chance(50) {
                    (1_000 + mix.below(29_001), "car")
                } else {
                    (40_000 + mix.below(100_000), "拖拉机")
                };
                writeln!(vehicles, "{},,{value},,{kind}", written(&mut mix, &p)).unwrap();
                lines[0] += 1;
                near_misses += 1;
            }
            if mix.chance(8) {
                let kind = ["urban flat", "商铺", "Shop"][mix.below(3) as usize];
                hit(1, "urban_property", &lines);
                let name = reg_name(&mut mix);
                writeln!(
                    property,
                    "{},{name},{kind},县城某小区",
                    written(&mut mix, &p)
                )
                .unwrap();
                lines[1] += 1;
            }
            if mix.chance(8) {
                writeln!(property, "{},,农村自建房,村里", written(&mut mix, &p)).unwrap();
                lines[1] += 1;
                near_misses += 1;
            }
            if mix.chance(6) {
                let role = ["legal representative", "股东"][mix.below(2) as usize];
                hit(2, "company", &lines);
                writeln!(business, "{},,{role},某某有限公司", written(&mut mix, &p)).unwrap();
                lines[2] += 1;
            }
            if mix.chance(5) {
                writeln!(business, "{},,监事,某某有限公司", written(&mut mix, &p)).unwrap();
                lines[2] += 1;
                near_misses += 1;
            }
            if mix.chance(4) {
                hit(3, "public_payroll", &lines);
                let name = reg_name(&mut mix);
                writeln!(payroll, "{},{name},县财政局", written(&mut mix, &p)).unwrap();
                lines[3] += 1;
            }
        }
    }
    // Decoys: people in every registry, with values that would hit, in no household.
    for _ in 0..300 {
        n += 1;
        let p = person(&mut mix, &mut used, n);
        let id = written(&mut mix, &p);
        writeln!(vehicles, "{id},{},90000,桂B{n:05},car", p.name).unwrap();
        writeln!(property, "{id},{},urban flat,市区", p.name).unwrap();
        writeln!(business, "{id},{},股东,某公司", p.name).unwrap();
        writeln!(payroll, "{id},{},乡政府", p.name).unwrap();
        everyone.push(p);
        decoys += 1;
    }
    for (name, text) in [
        ("households.csv", households),
        ("vehicles.csv", vehicles),
        ("property.csv", property),
        ("business.csv", business),
        ("payroll.csv", payroll),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
    }
    Planted {
        truth,
        everyone,
        near_misses,
        decoys,
        renamed,
    }
}

#[test]
fn crosscheck_finds_every_planted_hit_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let planted = plant(dir);
    assert!(planted.truth.len() > 50 && planted.near_misses > 50 && planted.decoys > 0);
    for rule in ["vehicle", "urban_property", "company", "public_payroll"] {
        assert!(planted.truth.iter().any(|t| t.1 == rule), "{rule} planted");
    }
    let out = assess()
        .current_dir(dir)
        .args([
            "census",
            "crosscheck",
            "--households",
            "households.csv",
            "--vehicles",
            "vehicles.csv",
            "--property",
            "property.csv",
            "--business",
            "business.csv",
            "--payroll",
            "payroll.csv",
            "--out",
            "flagged.csv",
            "--xlsx",
            "flagged.xlsx",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");

    let mut found = BTreeSet::new();
    let mut notes = 0;
    let mut reader = csv::Reader::from_path(dir.join("flagged.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (h, r, m, g, l, note) = (
        col("household_id"),
        col("rule"),
        col("member_id"),
        col("registry"),
        col("registry_line"),
        col("note"),
    );
    for row in reader.records() {
        let row = row.unwrap();
        found.insert((
            row[h].to_string(),
            row[r].to_string(),
            row[m].to_string(),
            row[g].to_string(),
            row[l].parse::<u64>().unwrap(),
        ));
        notes += usize::from(!row[note].is_empty());
    }
    let right = found.intersection(&planted.truth).count();
    let recall = right as f64 / planted.truth.len() as f64;
    let precision = right as f64 / found.len() as f64;
    let missed: Vec<_> = planted.truth.difference(&found).take(5).collect();
    let extra: Vec<_> = found.difference(&planted.truth).take(5).collect();
    assert_eq!(recall, 1.0, "missed {missed:?}");
    assert_eq!(precision, 1.0, "extra {extra:?}");
    // A name that differs is a note on a hit that is kept, not a drop.
    assert_eq!(notes, planted.renamed, "one note per renamed registry row");
    assert!(planted.renamed > 0);
    let flagged: BTreeSet<_> = planted.truth.iter().map(|t| &t.0).collect();
    assert!(
        stdout.contains(&format!("flagged households: {}\n", flagged.len())),
        "{stdout}"
    );

    // No identity number whole, in any form, in any output.
    let csv_text = std::fs::read_to_string(dir.join("flagged.csv")).unwrap();
    let mut cells = String::new();
    {
        use calamine::{Data, Reader};
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook(dir.join("flagged.xlsx")).unwrap();
        let sheets = book.sheet_names().to_vec();
        assert_eq!(sheets, ["Flagged 疑似不符", "Rules 规则"]);
        for sheet in sheets {
            let range = book.worksheet_range(&sheet).unwrap();
            for c in range.used_cells() {
                if let Data::String(s) = c.2 {
                    cells.push_str(s);
                    cells.push('\n');
                }
            }
        }
        let flagged_rows = book.worksheet_range("Flagged 疑似不符").unwrap().height();
        assert_eq!(
            flagged_rows,
            found.len() + 2,
            "two header rows and one per hit"
        );
    }
    for p in &planted.everyone {
        for text in [&csv_text, &cells, &stdout, &stderr] {
            assert!(!text.contains(&p.id), "{} shown whole", masked(&p.id));
            assert!(!text.contains(&p.old), "{} shown whole", masked(&p.id));
            assert!(!text.contains(&p.id[..17]), "{} shown whole", masked(&p.id));
        }
    }
}
