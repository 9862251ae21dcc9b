//! `assess assign villages`: the real binary on a real draw of the bundled Luquan plan,
//! checked against the draw's own files; a known split from given coordinates; the
//! workload-only fallback. Refusals are in the bad-input corpus
//! (tests/bad-input/counties-and-assignment.toml).

use crate::util::{assess, luquan, luquan_draw, read, sample_rows};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("assign-villages-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

const PAIRS: &str = "pair,interviewer_1,interviewer_2\n\
                     P1,zhang-san,li-si\nP2,wang-wu,zhao-liu\nP3,sun-qi,zhou-ba\nP4,wu-jiu,zheng-shi\n";

/// The split CSV as rows of column → value.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .map(String::from)
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

/// Each sampled village's (primaries, reserves), from the draw's sample.csv.
fn counts(draw: &Path) -> BTreeMap<String, (u32, u32)> {
    let mut out: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    for r in sample_rows(draw) {
        let c = out.entry(r["village_code"].clone()).or_default();
        match r["role"].as_str() {
            "primary" => c.0 += 1,
            _ => c.1 += 1,
        }
    }
    out
}

#[test]
fn assign_villages_splits_a_real_draw() {
    let d = dir("real");
    let (draw, draw_id, _) = luquan_draw(&d, 0);
    let (_, villages) = luquan();
    std::fs::write(d.join("pairs.csv"), PAIRS).unwrap();
    let out = d.join("split.csv");
    let run = assess()
        .args(["assign", "villages", "--draw"])
        .arg(&draw)
        .args(["--county", "530128", "--pairs"])
        .arg(d.join("pairs.csv"))
        .arg("--villages")
        .arg(&villages)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    let text = read(&out);
    assert!(text.starts_with(
        "draw_id,county_code,village_code,interviewers,pair,village_name,households,reserves,distance_km\n"
    ));
    let split = rows(&out);
    // One row per sampled village, in the order of sample_villages.csv.
    let mut list = csv::Reader::from_path(draw.join("sample_villages.csv")).unwrap();
    let sampled: Vec<String> = list.records().map(|r| r.unwrap()[2].to_string()).collect();
    let order: Vec<&str> = split.iter().map(|r| r["village_code"].as_str()).collect();
    assert_eq!(order, sampled);
    let counts = counts(&draw);
    let mut loads: BTreeMap<String, u32> = BTreeMap::new();
    let interviewers: BTreeMap<&str, &str> = [
        ("P1", "zhang-san;li-si"),
        ("P2", "wang-wu;zhao-liu"),
        ("P3", "sun-qi;zhou-ba"),
        ("P4", "wu-jiu;zheng-shi"),
    ]
    .into();
    for r in &split {
        assert_eq!(r["draw_id"], draw_id);
        assert_eq!(r["county_code"], "530128");
        assert_eq!(r["interviewers"], interviewers[r["pair"].as_str()]);
        let (primaries, reserves) = counts[&r["village_code"]];
        assert_eq!(r["households"], primaries.to_string());
        assert_eq!(r["reserves"], reserves.to_string());
        assert!(!r["village_name"].is_empty(), "{r:?}");
        assert!(r["distance_km"].parse::<f64>().unwrap() >= 0.0);
        *loads.entry(r["pair"].clone()).or_default() += primaries;
    }
    // Every pair within the largest village of the mean.
    let total: u32 = counts.values().map(|c| c.0).sum();
    let largest = counts.values().map(|c| c.0).max().unwrap();
    assert_eq!(loads.len(), 4);
    for (pair, load) in &loads {
        let gap = (f64::from(*load) - f64::from(total) / 4.0).abs();
        assert!(gap <= f64::from(largest), "{pair}: {load} of {total}");
        assert!(
            stdout.contains(&format!("{pair} ({}): ", interviewers[pair.as_str()])),
            "{stdout}"
        );
        assert!(stdout.contains(&format!("{load} households")), "{stdout}");
    }
    assert!(stdout.contains("the least possible"), "{stdout}");
    // The same inputs give the same file.
    let again = d.join("again.csv");
    assess()
        .args(["assign", "villages", "--draw"])
        .arg(&draw)
        .arg("--pairs")
        .arg(d.join("pairs.csv"))
        .arg("--villages")
        .arg(&villages)
        .arg("--out")
        .arg(&again)
        .assert()
        .success();
    assert_eq!(read(&again), text);
}

#[test]
fn assign_villages_from_given_locations_and_starts() {
    let d = dir("known");
    let (draw, _, _) = luquan_draw(&d, 0);
    let counts = counts(&draw);
    let codes: Vec<&String> = counts.keys().collect();
    // The first five villages at the west start, the rest at the east start, 50 km apart;
    // with room to spare every village goes to the pair at its door, at 0 km.
    let (west, east) = ((102.3, 25.6), (102.8, 25.6));
    let mut locations = String::from("village_code,lon,lat\n");
    for (i, code) in codes.iter().enumerate() {
        let (lon, lat) = if i < 5 { west } else { east };
        locations.push_str(&format!("{code},{lon},{lat}\n"));
    }
    std::fs::write(d.join("locations.csv"), locations).unwrap();
    std::fs::write(
        d.join("pairs.csv"),
        format!(
            "pair,interviewer_1,interviewer_2,lon,lat\nE,a-1,a-2,{},{}\nW,b-1,b-2,{},{}\n",
            east.0, east.1, west.0, west.1
        ),
    )
    .unwrap();
    let out = d.join("split.csv");
    assess()
        .args(["assign", "villages", "--draw"])
        .arg(&draw)
        .arg("--pairs")
        .arg(d.join("pairs.csv"))
        .arg("--locations")
        .arg(d.join("locations.csv"))
        .args(["--tolerance", "100000", "--out"])
        .arg(&out)
        .assert()
        .success();
    let split = rows(&out);
    let west_codes: BTreeSet<&str> = codes[..5].iter().map(|c| c.as_str()).collect();
    for r in &split {
        let expected = if west_codes.contains(r["village_code"].as_str()) {
            ("W", "b-1;b-2")
        } else {
            ("E", "a-1;a-2")
        };
        assert_eq!((r["pair"].as_str(), r["interviewers"].as_str()), expected);
        assert_eq!(r["distance_km"], "0.000");
        // No village file: no names.
        assert_eq!(r["village_name"], "");
    }
}

#[test]
fn assign_villages_without_coordinates_balances_workload_only() {
    let d = dir("workload");
    let (draw, _, _) = luquan_draw(&d, 0);
    std::fs::write(d.join("pairs.csv"), PAIRS).unwrap();
    let out = d.join("split.csv");
    let run = assess()
        .args(["assign", "villages", "--draw"])
        .arg(&draw)
        .arg("--pairs")
        .arg(d.join("pairs.csv"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    assert!(
        stdout.contains(
            "workload balanced only, travel not counted: 25 of the villages have no coordinates"
        ),
        "{stdout}"
    );
    let split = rows(&out);
    assert_eq!(split.len(), 25);
    assert!(split.iter().all(|r| r["distance_km"].is_empty()));
    // List scheduling: loads within the largest village of each other.
    let mut loads: BTreeMap<String, u32> = BTreeMap::new();
    for r in &split {
        *loads.entry(r["pair"].clone()).or_default() += r["households"].parse::<u32>().unwrap();
    }
    let largest = split
        .iter()
        .map(|r| r["households"].parse::<u32>().unwrap())
        .max()
        .unwrap();
    let (lo, hi) = (loads.values().min().unwrap(), loads.values().max().unwrap());
    assert!(hi - lo <= largest, "{loads:?}");
}
