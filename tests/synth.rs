//! Integration tests: `assess synth` writes realistic, deterministic synthetic registers
//! whose true rates are what was asked for.

use crate::util::{assess, read};
use assess_divisions::{Divisions, VillageCode, Vintage};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

const LUQUAN: &str = "530128";
const XUNDIAN: &str = "530129";
const ZHANGBEI: &str = "130722";

/// Runs `assess synth` into `dir` with the given extra arguments; returns (register, truth).
fn synth(dir: &Path, tag: &str, args: &[&str]) -> (PathBuf, PathBuf) {
    let out = dir.join(format!("{tag}.csv"));
    let truth = dir.join(format!("{tag}.truth.csv"));
    let mut cmd = assess();
    cmd.arg("synth")
        .arg("--out")
        .arg(&out)
        .arg("--truth")
        .arg(&truth)
        .args(args);
    cmd.assert().success();
    (out, truth)
}

fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).expect("readable CSV");
    let headers = reader.headers().expect("header").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("valid row");
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn body(text: &str) -> &str {
    text.split_once('\n').map(|(_, rest)| rest).unwrap_or("")
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let common = ["--county", LUQUAN, "--households", "3000"];
    let (a, at) = synth(dir.path(), "a", &[&common[..], &["--seed", "7"]].concat());
    let (b, bt) = synth(dir.path(), "b", &[&common[..], &["--seed", "7"]].concat());
    let (c, _) = synth(dir.path(), "c", &[&common[..], &["--seed", "8"]].concat());
    assert_eq!(read(&a), read(&b));
    assert_eq!(read(&at), read(&bt));
    assert_ne!(read(&a), read(&c));
}

#[test]
fn luquan_villages_are_real_rural_units_covering_every_rural_township() {
    let dir = tempfile::tempdir().unwrap();
    let villages = dir.path().join("villages.csv");
    let (out, _) = synth(
        dir.path(),
        "luquan",
        &[
            "--county",
            LUQUAN,
            "--households",
            "20000",
            "--seed",
            "1",
            "--villages",
            villages.to_str().unwrap(),
        ],
    );
    let divisions = Divisions::load_counties(Vintage::V2023, &[LUQUAN]);
    let register = rows(&out);
    assert_eq!(register.len(), 20_000, "households sum to N");
    let ids: HashSet<&str> = register
        .iter()
        .map(|r| r["household_id"].as_str())
        .collect();
    assert_eq!(ids.len(), register.len(), "household ids are unique");
    let mut townships = BTreeSet::new();
    for r in &register {
        let code = VillageCode::parse(&r["village_code"]).expect("12-digit code");
        assert!(
            divisions.village(&code).is_some(),
            "{code} is in the 2023 list"
        );
        assert!(code.kind().is_rural(), "{code} is rural");
        townships.insert(code.township().to_string());
    }
    // Luquan has 18 township-level units in 2023; 17 hold rural villages, the 18th is the
    // industrial park (530128401) with one urban unit only. Every one of the 17 appears.
    let all: Vec<String> = divisions
        .townships_of(LUQUAN)
        .iter()
        .map(|u| u.code.clone())
        .collect();
    assert_eq!(all.len(), 18);
    let with_rural: BTreeSet<String> = all
        .iter()
        .filter(|t| {
            divisions
                .villages_of(t)
                .iter()
                .any(|v| VillageCode::parse(&v.code).unwrap().kind().is_rural())
        })
        .cloned()
        .collect();
    assert_eq!(with_rural.len(), 17);
    assert_eq!(townships, with_rural);
    // The village file lists exactly the villages of the register, with real names.
    let village_rows = rows(&villages);
    let listed: BTreeSet<&str> = village_rows
        .iter()
        .map(|v| v["village_code"].as_str())
        .collect();
    let used: BTreeSet<&str> = register
        .iter()
        .map(|r| r["village_code"].as_str())
        .collect();
    assert_eq!(listed, used);
    for v in &village_rows {
        let code = VillageCode::parse(&v["village_code"]).unwrap();
        assert_eq!(v["name"], divisions.village(&code).unwrap().name);
        // Luquan lies near 102.5 E, 25.9 N; every village centre is in the county's box.
        let (lon, lat): (f64, f64) = (v["lon"].parse().unwrap(), v["lat"].parse().unwrap());
        assert!(
            (102.0..103.2).contains(&lon) && (25.3..26.6).contains(&lat),
            "{lon},{lat}"
        );
    }
}

#[test]
fn register_rows_follow_the_register_rules() {
    let dir = tempfile::tempdir().unwrap();
    let (out, truth) = synth(
        dir.path(),
        "rules",
        &["--county", XUNDIAN, "--households", "10000", "--seed", "3"],
    );
    let text = read(&out);
    assert!(text.starts_with(
        "household_id,village_code,status,exit_year,members,income_per_capita,lon,lat,group\n"
    ));
    let register = rows(&out);
    let mut registered = 0;
    for r in &register {
        let exited = r["status"] == "exited";
        assert!(["exited", "poor", "non_registered"].contains(&r["status"].as_str()));
        assert_eq!(
            !r["exit_year"].is_empty(),
            exited,
            "exit_year iff exited: {r:?}"
        );
        if exited {
            // Xundian exited with the 2017 batch: households exit 2014-2017.
            let year: u16 = r["exit_year"].parse().unwrap();
            assert!((2014..=2017).contains(&year), "{r:?}");
        }
        let members: u32 = r["members"].parse().unwrap();
        assert!((1..=8).contains(&members));
        assert!(r["income_per_capita"].parse::<f64>().unwrap() > 0.0);
        assert_eq!(
            r["lon"].split('.').nth(1).map(str::len),
            Some(6),
            "6 decimals"
        );
        assert!(r["group"].ends_with('组'));
        registered += usize::from(r["status"] != "non_registered");
    }
    // About a quarter registered (20-30%).
    let share = registered as f64 / register.len() as f64;
    assert!((0.20..0.30).contains(&share), "registered share {share}");
    // The truth follows the register row by row and is self-consistent (line 2,952 for 2017).
    let truth = rows(&truth);
    assert_eq!(truth.len(), register.len());
    for (r, t) in register.iter().zip(&truth) {
        assert_eq!(r["household_id"], t["household_id"]);
        let income: f64 = t["true_income_per_capita"].parse().unwrap();
        let unmet = [
            "food_ok",
            "clothing_ok",
            "education_ok",
            "medical_ok",
            "housing_ok",
            "water_ok",
        ]
        .iter()
        .any(|c| t[*c] == "false");
        let poor = income < 2952.0 || unmet;
        assert_eq!(t["truly_poor"], poor.to_string(), "{t:?}");
        assert_eq!(
            t["housing_ok"] == "true",
            ["A", "B"].contains(&t["housing_grade"].as_str())
        );
        assert_eq!(t["wrong_exit"] == "true", poor && r["status"] == "exited");
        assert_eq!(
            t["missed"] == "true",
            poor && r["status"] == "non_registered"
        );
        assert_eq!(t["still_poor"] == "true", poor && r["status"] == "poor");
    }
}

/// Households per county code in a register.
fn per_county(register: &[BTreeMap<String, String>]) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for r in register {
        *counts
            .entry(r["village_code"][..6].to_string())
            .or_insert(0) += 1;
    }
    counts
}

#[test]
fn several_counties_split_exactly_and_stream_as_single_runs_concatenated() {
    let dir = tempfile::tempdir().unwrap();
    let villages = dir.path().join("all.villages.csv");
    let (all, all_truth) = synth(
        dir.path(),
        "all",
        &[
            "--county",
            &format!("{LUQUAN},{XUNDIAN}"),
            "--county",
            ZHANGBEI,
            "--households",
            "30001",
            "--seed",
            "11",
            "--villages",
            villages.to_str().unwrap(),
        ],
    );
    let counts = per_county(&rows(&all));
    assert_eq!(counts.values().sum::<u64>(), 30_001);
    // Split in proportion to rural villages (after one household per village), so the
    // households per village differ by at most one household between counties' quotas.
    let divisions = Divisions::load_counties(Vintage::V2023, &[LUQUAN, XUNDIAN, ZHANGBEI]);
    let rural = |c: &str| {
        divisions
            .villages_of(c)
            .iter()
            .filter(|v| VillageCode::parse(&v.code).unwrap().kind().is_rural())
            .count() as f64
    };
    let total_villages: f64 = [LUQUAN, XUNDIAN, ZHANGBEI].iter().map(|c| rural(c)).sum();
    for c in [LUQUAN, XUNDIAN, ZHANGBEI] {
        let quota = 30_001.0 * rural(c) / total_villages;
        assert!(
            (counts[c] as f64 - quota).abs() <= 1.0,
            "{c}: {} vs quota {quota}",
            counts[c]
        );
    }
    // Each county alone, with the households it got, gives exactly its rows of the joint run.
    let (mut register, mut truth, mut village_file) = (String::new(), String::new(), String::new());
    for c in [LUQUAN, XUNDIAN, ZHANGBEI] {
        let v = dir.path().join(format!("{c}.villages.csv"));
        let n = counts[c].to_string();
        let (out, t) = synth(
            dir.path(),
            c,
            &[
                "--county",
                c,
                "--households",
                &n,
                "--seed",
                "11",
                "--villages",
                v.to_str().unwrap(),
            ],
        );
        register.push_str(body(&read(&out)));
        truth.push_str(body(&read(&t)));
        village_file.push_str(body(&read(&v)));
    }
    assert_eq!(body(&read(&all)), register);
    assert_eq!(body(&read(&all_truth)), truth);
    assert_eq!(body(&read(&villages)), village_file);
    assert_eq!(read(&all).matches("household_id,").count(), 1, "one header");
}

/// Exited households per village, and how many of them are wrong exits.
fn wrong_exits_by_village(register: &Path, truth: &Path) -> Vec<(f64, f64)> {
    let mut by_village: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for (r, t) in rows(register).iter().zip(rows(truth)) {
        if r["status"] == "exited" {
            let entry = by_village.entry(r["village_code"].clone()).or_default();
            entry.0 += 1.0;
            entry.1 += f64::from(u8::from(t["wrong_exit"] == "true"));
        }
    }
    by_village.into_values().filter(|(n, _)| *n > 0.0).collect()
}

/// One-way ANOVA estimator of the intra-cluster correlation for unequal cluster sizes:
/// (MSB - MSW) / (MSB + (n0 - 1) MSW), n0 = (N - Σn²/N) / (k - 1).
fn anova_icc(groups: &[(f64, f64)]) -> f64 {
    let k = groups.len() as f64;
    let n: f64 = groups.iter().map(|g| g.0).sum();
    let mean = groups.iter().map(|g| g.1).sum::<f64>() / n;
    // For 0/1 outcomes the within-group sum of squares of a group is y - y²/m.
    let ssb: f64 = groups.iter().map(|(m, y)| m * (y / m - mean).powi(2)).sum();
    let ssw: f64 = groups.iter().map(|(m, y)| y - y * y / m).sum();
    let (msb, msw) = (ssb / (k - 1.0), ssw / (n - k));
    let n0 = (n - groups.iter().map(|g| g.0 * g.0).sum::<f64>() / n) / (k - 1.0);
    (msb - msw) / (msb + (n0 - 1.0) * msw)
}

#[test]
fn realised_wrong_exit_share_is_near_the_target_within_the_clustered_error() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.json");
    let (out, truth) = synth(
        dir.path(),
        "rates",
        &[
            "--county",
            LUQUAN,
            "--households",
            "200000",
            "--seed",
            "5",
            "--summary-json",
            summary.to_str().unwrap(),
        ],
    );
    let groups = wrong_exits_by_village(&out, &truth);
    let exited: f64 = groups.iter().map(|g| g.0).sum();
    let wrong: f64 = groups.iter().map(|g| g.1).sum();
    let (p, rho) = (0.005, 0.1);
    // Binomial SE inflated by the design effect 1 + (m - 1)ρ, m the size-weighted mean number
    // of exited households per village (Σm²/Σm, the right average for unequal clusters).
    // The village rates are Beta draws with variance exactly ρp(1-p), so this is the SE of
    // the realised share; 4 SE keeps a false failure below 1/16 even by Chebyshev, while a
    // With 180 villages and ρ = 0.1 that SE is about 0.002 (design effect near 40), so one
    // county only catches gross errors (a rate 3x off); the province test below is tight.
    let m = groups.iter().map(|g| g.0 * g.0).sum::<f64>() / exited;
    let se = (p * (1.0 - p) / exited * (1.0 + (m - 1.0) * rho)).sqrt();
    let realised = wrong / exited;
    assert!(
        (realised - p).abs() < 4.0 * se,
        "realised {realised}, target {p}, se {se}"
    );
    // The summary reports the same realised rate, and still-poor is exactly its target 1.0.
    let json: serde_json::Value = serde_json::from_str(&read(&summary)).unwrap();
    let reported = json["rates"]["wrong_exit"]["households"].as_f64().unwrap();
    assert!((reported - realised).abs() < 1e-12);
    assert_eq!(
        json["rates"]["still_poor"]["households"].as_f64(),
        Some(1.0)
    );
    assert_eq!(json["total"]["all"]["households"].as_u64(), Some(200_000));
}

#[test]
fn realised_wrong_exit_share_over_a_province_is_tight() {
    // All 88 poverty counties of Yunnan: thousands of villages with a few exited households
    // each, so the design effect is small and 4 SE is about 0.0015 (a 30% relative error).
    let dir = tempfile::tempdir().unwrap();
    let (out, truth) = synth(
        dir.path(),
        "yunnan",
        &["--province", "53", "--households", "200000", "--seed", "5"],
    );
    let groups = wrong_exits_by_village(&out, &truth);
    let exited: f64 = groups.iter().map(|g| g.0).sum();
    let wrong: f64 = groups.iter().map(|g| g.1).sum();
    let (p, rho) = (0.005, 0.1);
    let m = groups.iter().map(|g| g.0 * g.0).sum::<f64>() / exited;
    let se = (p * (1.0 - p) / exited * (1.0 + (m - 1.0) * rho)).sqrt();
    let realised = wrong / exited;
    assert!(
        (realised - p).abs() < 4.0 * se,
        "realised {realised}, target {p}, se {se}"
    );
    assert!(
        4.0 * se < 0.4 * p,
        "tight enough to catch a 40% error: se {se}"
    );
}

#[test]
fn icc_setting_controls_between_village_variance() {
    let dir = tempfile::tempdir().unwrap();
    // p = 0.5 makes each household most informative and the Beta symmetric (light tails), and
    // remote villages get no extra risk so the only between-village variance is the ICC's.
    let run = |tag: &str, icc: &str| {
        let args = [
            "--county",
            LUQUAN,
            "--households",
            "200000",
            "--seed",
            "9",
            "--wrong-exit-rate",
            "0.5",
            "--remote-risk-ratio",
            "1",
            "--icc",
            icc,
        ];
        let (out, truth) = synth(dir.path(), tag, &args);
        wrong_exits_by_village(&out, &truth)
    };
    let flat = run("flat", "0");
    let clustered = run("clustered", "0.3");
    let (k, n): (f64, f64) = (flat.len() as f64, flat.iter().map(|g| g.0).sum());
    let m = n / k;
    // Realised share with no clustering: binomial, SE = sqrt(p(1-p)/n); 4 SE.
    let share = flat.iter().map(|g| g.1).sum::<f64>() / n;
    assert!(
        (share - 0.5).abs() < 4.0 * (0.25 / n).sqrt(),
        "share {share}"
    );
    // ρ = 0: the ANOVA estimate has SE ≈ sqrt(2 / (m (m-1) (k-1))) (Fisher's large-sample
    // variance at ρ = 0, about 0.0007 here); allow 4 SE.
    let se0 = (2.0 / (m * (m - 1.0) * (k - 1.0))).sqrt();
    let icc0 = anova_icc(&flat);
    assert!(icc0.abs() < 4.0 * se0, "icc {icc0}, se {se0}");
    // ρ = 0.3: two parts. Within villages, Fisher's normal-theory variance
    // 2(1-ρ)²(1+(m-1)ρ)² / (m(m-1)(k-1)); between villages, the sample variance of k Beta
    // draws, relative variance 2/(k-1) + κ/k with κ the Beta's excess kurtosis (-6/(α+β+3)
    // for a symmetric Beta: lighter tails than normal). Allow 4 combined SE (about 0.09).
    let rho: f64 = 0.3;
    let within =
        2.0 * (1.0 - rho).powi(2) * (1.0 + (m - 1.0) * rho).powi(2) / (m * (m - 1.0) * (k - 1.0));
    let kurtosis = -6.0 / ((1.0 - rho) / rho + 3.0);
    let between = rho * rho * (2.0 / (k - 1.0) + kurtosis / k);
    let se = (within + between).sqrt();
    let icc = anova_icc(&clustered);
    assert!(
        (icc - rho).abs() < 4.0 * se,
        "icc {icc}, target {rho}, se {se}"
    );
    assert!(
        icc > 10.0 * icc0.abs().max(se0),
        "clustering is visible: {icc} vs {icc0}"
    );
}

#[test]
fn bad_arguments_are_refused_and_leave_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let refuse = |args: &[&str], says: &str| {
        assess()
            .arg("synth")
            .arg("--out")
            .arg(&out)
            .args(args)
            .assert()
            .code(1)
            .stderr(predicates::str::contains(says));
        assert!(!out.exists(), "no output after {args:?}");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "no temporary file left: {left:?}");
    };
    refuse(
        &["--county", "999999", "--households", "1000", "--seed", "1"],
        "not in the 2023",
    );
    refuse(
        &["--county", "53012", "--households", "1000", "--seed", "1"],
        "6 digits",
    );
    refuse(
        &["--county", LUQUAN, "--households", "100", "--seed", "1"],
        "too few",
    );
    refuse(
        &[
            "--county",
            LUQUAN,
            "--households",
            "1000",
            "--seed",
            "1",
            "--wrong-exit-rate",
            "1.5",
        ],
        "outside [0, 1]",
    );
    refuse(
        &[
            "--county",
            LUQUAN,
            "--households",
            "1000",
            "--seed",
            "1",
            "--icc=-0.1",
        ],
        "outside [0, 1]",
    );
    refuse(
        &[
            "--county",
            LUQUAN,
            "--households",
            "1000",
            "--seed",
            "1",
            "--income-year",
            "2009",
        ],
        "no poverty line",
    );
    // 110101 (Dongcheng, Beijing) is all residents' committees.
    refuse(
        &["--county", "110101", "--households", "1000", "--seed", "1"],
        "no rural village",
    );
}

/// `--incidence` sets the true comprehensive incidence: the realised share of truly poor
/// households lands near the target. Most of it comes from the registered-poor share (still
/// poor with rate 1, a binomial share of 200,000 households, SE ≈ 0.0003); wrong exits and
/// missed add clustered noise of about 0.001 (their SEs above, weighted by their strata), so
/// 0.004 is about 4 SE.
#[test]
fn incidence_is_settable_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.json");
    let (out, truth) = synth(
        dir.path(),
        "incidence",
        &[
            "--county",
            LUQUAN,
            "--households",
            "200000",
            "--seed",
            "8",
            "--incidence",
            "0.02",
            "--summary-json",
            summary.to_str().unwrap(),
        ],
    );
    let truly_poor = rows(&truth)
        .iter()
        .filter(|r| r["truly_poor"] == "true")
        .count() as f64;
    let households = rows(&out).len() as f64;
    let realised = truly_poor / households;
    assert!(
        (realised - 0.02).abs() < 0.004,
        "realised incidence {realised}"
    );
    let json: serde_json::Value = serde_json::from_str(&read(&summary)).unwrap();
    let reported = json["rates"]["incidence"]["households"].as_f64().unwrap();
    assert!((reported - realised).abs() < 1e-12);
    // An unreachable incidence is refused with the reachable range, and nothing is written.
    let bad = dir.path().join("bad.csv");
    assess()
        .args([
            "synth",
            "--county",
            LUQUAN,
            "--households",
            "500",
            "--seed",
            "1",
            "--incidence",
            "0.6",
            "--out",
        ])
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("cannot be reached"));
    assert!(!bad.exists());
}
