//! `assess census pes` (issue 15, section 4): the re-interview sample is the lowest tickets
//! of the seed, recomputed here from the published formula with SHA-256 alone; the rates are
//! the shares of the re-interviews disagreeing, with the members item equal to the answers
//! the simulation changed; re-interviews of households not drawn are refused by file and
//! line.

use crate::util::assess;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

const SEED: &str = "3521664512336251424661524";

/// A census of two counties ingested into a store; the returns file.
fn stored_census(dir: &Path) -> std::path::PathBuf {
    crate::util::synth_census(dir, "530128,530129", 6000, 11, &[]);
    crate::util::ingest_census(dir, false);
    dir.join("returns.jsonl")
}

fn csv_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .map(String::from)
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// The ticket of docs/sampling.md: SHA-256 of seed, stage, county, stratum and id joined by
/// 0x1F; the first 8 bytes big-endian.
fn ticket(county: &str, household: &str) -> u64 {
    let input = [SEED, "household", county, "pes", household].join("\u{1f}");
    let d = Sha256::digest(input.as_bytes());
    u64::from_be_bytes(d[..8].try_into().unwrap())
}

#[test]
fn census_pes_draws_the_lowest_tickets_and_estimates_the_disagreements() {
    let dir = tempfile::tempdir().unwrap();
    let returns = stored_census(dir.path());
    let (sample, reint, truth, rates) = (
        dir.path().join("pes-sample.csv"),
        dir.path().join("reint.jsonl"),
        dir.path().join("pes-truth.csv"),
        dir.path().join("pes.csv"),
    );
    assess()
        .args([
            "census",
            "pes",
            "draw",
            "--seed",
            SEED,
            "--per-county",
            "60",
            "--store",
        ])
        .arg(dir.path().join("store"))
        .arg("--out")
        .arg(&sample)
        .assert()
        .success();

    // The frame, from the returns file: enumerated households, first return of each.
    let mut frame: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for line in std::fs::read_to_string(&returns).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["outcome"] != "enumerated" {
            continue;
        }
        let county = v["county_code"].as_str().unwrap().to_string();
        let (h, r) = (
            v["household_id"].as_str().unwrap(),
            v["return_id"].as_str().unwrap(),
        );
        let e = frame
            .entry(county)
            .or_default()
            .entry(h.to_string())
            .or_insert(r.to_string());
        if r < e.as_str() {
            *e = r.to_string();
        }
    }
    let drawn = csv_rows(&sample);
    for (county, households) in &frame {
        let mut by_ticket: Vec<(u64, &String)> =
            households.keys().map(|h| (ticket(county, h), h)).collect();
        by_ticket.sort();
        let expected: Vec<&str> = by_ticket.iter().take(60).map(|t| t.1.as_str()).collect();
        let got: Vec<&str> = drawn
            .iter()
            .filter(|r| &r["county_code"] == county)
            .map(|r| r["household_id"].as_str())
            .collect();
        assert_eq!(got, expected, "county {county}");
        for r in drawn.iter().filter(|r| &r["county_code"] == county) {
            assert_eq!(r["return_id"], households[&r["household_id"]]);
            assert_eq!(r["frame_size"], households.len().to_string());
        }
    }

    assess()
        .args([
            "census",
            "pes",
            "simulate",
            "--rate",
            "0.1",
            "--seed",
            "5",
            "--returns",
        ])
        .arg(&returns)
        .arg("--sample")
        .arg(&sample)
        .arg("--out")
        .arg(&reint)
        .arg("--truth")
        .arg(&truth)
        .assert()
        .success();
    assess()
        .args([
            "census",
            "pes",
            "estimate",
            "--seed",
            SEED,
            "--per-county",
            "60",
            "--store",
        ])
        .arg(dir.path().join("store"))
        .arg("--reinterviews")
        .arg(&reint)
        .arg("--out")
        .arg(&rates)
        .assert()
        .success();

    let changed = csv_rows(&truth);
    let rows = csv_rows(&rates);
    let row = |county: &str, item: &str| {
        rows.iter()
            .find(|r| r["county_code"] == county && r["item"] == item)
            .unwrap_or_else(|| panic!("no row {county} {item}"))
    };
    let num = |r: &HashMap<String, String>, k: &str| r[k].parse::<f64>().unwrap();
    let mut weighted = 0.0;
    for (county, households) in &frame {
        // Members disagree exactly where the simulation left a member out.
        let members_changed = changed
            .iter()
            .filter(|c| &c["county_code"] == county && c["changed"] == "members")
            .count();
        let m = row(county, "members");
        assert_eq!(
            m["disagreements"],
            members_changed.to_string(),
            "county {county}"
        );
        // A simple random sample with equal weights: the estimate is the share.
        for item in ["any", "members", "food_clothing", "medical", "approval"] {
            let r = row(county, item);
            let share = num(r, "disagreements") / num(r, "compared");
            assert!((num(r, "estimate") - share).abs() < 1e-6, "{county} {item}");
            assert!(num(r, "lci") <= share && share <= num(r, "uci"));
        }
        // Any item disagrees only in households with a changed answer.
        let households_changed: std::collections::BTreeSet<_> = changed
            .iter()
            .filter(|c| &c["county_code"] == county)
            .map(|c| c["household_id"].clone())
            .collect();
        assert!(num(row(county, "any"), "disagreements") <= households_changed.len() as f64);
        assert!(num(row(county, "any"), "disagreements") >= members_changed as f64);
        weighted += households.len() as f64 * num(row(county, "any"), "estimate");
    }
    // All counties: each county's rate weighted by its frame.
    let total: usize = frame.values().map(BTreeMap::len).sum();
    assert!((num(row("all", "any"), "estimate") - weighted / total as f64).abs() < 1e-5);
}

#[test]
fn census_pes_refuses_a_reinterview_of_a_household_not_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let returns = stored_census(dir.path());
    let sample = dir.path().join("pes-sample.csv");
    assess()
        .args([
            "census",
            "pes",
            "draw",
            "--seed",
            SEED,
            "--per-county",
            "5",
            "--county",
            "530128",
            "--store",
        ])
        .arg(dir.path().join("store"))
        .arg("--out")
        .arg(&sample)
        .assert()
        .success();
    let drawn: Vec<String> = csv_rows(&sample)
        .iter()
        .map(|r| r["return_id"].clone())
        .collect();
    // A re-interview of a household of county 530128 that was not drawn: its own census
    // return, as a re-interview would be.
    let stray = std::fs::read_to_string(&returns)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| {
            v["county_code"] == "530128"
                && v["outcome"] == "enumerated"
                && !drawn.contains(&v["return_id"].as_str().unwrap().to_string())
        })
        .unwrap();
    let reint = dir.path().join("reint.jsonl");
    std::fs::write(&reint, format!("{stray}\n")).unwrap();
    let out = dir.path().join("pes.csv");
    let run = assess()
        .args([
            "census",
            "pes",
            "estimate",
            "--seed",
            SEED,
            "--per-county",
            "5",
            "--store",
        ])
        .arg(dir.path().join("store"))
        .arg("--reinterviews")
        .arg(&reint)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("reint.jsonl:1: return 530128-"), "{err}");
    assert!(err.contains("was not drawn for re-interview"), "{err}");
    assert!(!out.exists());
}
