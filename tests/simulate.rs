//! `assess simulate` end to end: the shipped national plan on a small synthetic Huayuan, a
//! few replications at a true wrong-exit rate of 0 and of 20%, the three files written and
//! their numbers sane; bad input refused with exit 1 (or 2 for the command line).

use crate::util::{assess, read, repo_file};
use serde_json::Value;

const PLAN: &str = "sample-plans/national-special-evaluation.toml";
const REPS: usize = 8;

#[test]
fn a_small_study_writes_its_files_with_sane_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sim");
    let run = assess()
        .arg("simulate")
        .arg("--plan")
        .arg(repo_file(PLAN))
        .args(["--county", "433124", "--households", "8000"])
        .args([
            "--reps",
            &REPS.to_string(),
            "--rates",
            "0,0.2",
            "--seed",
            "3",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    assert!(stdout.contains("花垣县 (433124)"), "{stdout}");
    for name in [
        "simulation.json",
        "simulation.md",
        "simulation.html",
        "approval.svg",
    ] {
        assert!(out.join(name).is_file(), "{name} missing");
    }
    let html = read(&out.join("simulation.html"));
    assert!(html.contains("<svg") && html.contains("korn-graubard"));
    let md = read(&out.join("simulation.md"));
    assert!(md.contains("## Coverage"), "{md}");

    let study: Value = serde_json::from_str(&read(&out.join("simulation.json"))).unwrap();
    assert_eq!(study["reps"], REPS);
    assert_eq!(study["varied"], "wrong_exit");
    assert_eq!(study["threshold"], 0.02);
    let rates = study["rates"].as_array().unwrap();
    assert_eq!(rates.len(), 2);
    // Without the population options the files are the single-county study's as before:
    // no grid, no cells (docs/simulation.md).
    assert!(study.get("grid").is_none(), "{study}");
    assert!(rates.iter().all(|r| r.get("cell").is_none()));
    assert!(!md.contains("across counties"), "{md}");
    let p = |r: &Value, key: &str| r[key]["p"].as_f64().unwrap();
    let (none, many) = (&rates[0], &rates[1]);
    assert_eq!(none["true_rate"], 0.0);
    // The realised rate of the chosen population is within 3% of the nominal 20%.
    let true_rate = many["true_rate"].as_f64().unwrap();
    assert!((true_rate - 0.2).abs() <= 0.006, "{true_rate}");

    // With no wrong exit nothing is found, so the rate always passes and every interval
    // (each starts at 0) holds the true 0; at 20% (ten times the threshold, about 110
    // exited households per replication) finding under 2% has probability far below 1e-6,
    // so the rate never passes and the county is never approved.
    assert_eq!(p(none, "indicator_passes_official"), 1.0);
    assert_eq!(p(many, "indicator_passes_official"), 0.0);
    assert_eq!(p(many, "approved_official"), 0.0);
    assert!(p(none, "approved_official") >= p(many, "approved_official"));
    for c in none["coverage"].as_array().unwrap() {
        assert_eq!(c["two_sided"]["p"], 1.0, "{c}");
    }
    // Coverage at 20%: the study of the shipped plan (docs/simulation.md) puts the
    // Korn-Graubard interval's coverage near 0.9; if it were even 0.75, 8 replications would
    // cover 4 or fewer times with probability 0.027, so ≥ 5 of 8 is a loose sanity bound
    // that a broken interval (or a wrong truth) fails.
    let kg = &many["coverage"][0];
    assert_eq!(kg["method"], "korn-graubard");
    assert!(kg["two_sided"]["p"].as_f64().unwrap() >= 5.0 / 8.0, "{kg}");
    let mc_se = kg["two_sided"]["mc_se"].as_f64().unwrap();
    let c = kg["two_sided"]["p"].as_f64().unwrap();
    assert!((mc_se - (c * (1.0 - c) / REPS as f64).sqrt()).abs() < 1e-12);

    // The weighted totals: exactly the truth when there is nothing to find; otherwise a
    // finite z with its Monte Carlo standard error (8 replications cannot test the bias:
    // crates/simulate's tests and the study do).
    for t in none["total_checks"].as_array().unwrap() {
        if t["total"] == "people in wrongly exited households" {
            assert_eq!(t["mean"], 0.0, "{t}");
            assert_eq!(t["z"], 0.0, "{t}");
        }
    }
    for t in many["total_checks"].as_array().unwrap() {
        assert!(t["z"].as_f64().unwrap().is_finite(), "{t}");
        assert!(t["mc_se"].as_f64().unwrap() > 0.0, "{t}");
    }
}

#[test]
fn bad_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sim");
    let plan = repo_file(PLAN);
    let base = |extra: &[&str]| {
        let mut cmd = assess();
        cmd.arg("simulate")
            .arg("--plan")
            .arg(&plan)
            .arg("--out")
            .arg(&out)
            .args(extra);
        cmd
    };
    for (extra, says) in [
        (&["--rates", "1.5"][..], "rates = 1.5"),
        (&["--icc", "1"][..], "icc = 1"),
        (&["--reps", "1"][..], "reps = 1"),
        (&["--response-rate", "0"][..], "response-rate = 0"),
        (&["--county", "4331"][..], "a county code has 6 digits"),
        (
            &["--county", "110101", "--region", "east"][..],
            "no rural village",
        ),
    ] {
        base(extra)
            .assert()
            .code(1)
            .stderr(predicates::str::contains(says));
    }
    base(&["--which", "approval"]).assert().code(2);
    assess()
        .args(["simulate", "--plan", "no-such-plan.toml", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("no-such-plan.toml"));
    assert!(!out.exists(), "nothing is written on refused input");
}

/// The population study through the binary: two synthetic counties per cell over a grid of two
/// ICCs and two tilts, with misclassification; the tables across counties written, every cell
/// pooled from its counties.
#[test]
fn a_small_population_grid_writes_its_tables() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("grid");
    let run = assess()
        .arg("simulate")
        .arg("--plan")
        .arg(repo_file(PLAN))
        .args(["--county", "433124", "--households", "6000"])
        .args(["--reps", "2", "--rates", "0.2", "--seed", "5"])
        .args(["--populations", "2", "--icc-grid", "0.02,0.2"])
        .args(["--remote-tilt", "1,3", "--misclassification", "0.01"])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    assert!(stdout.contains("between SD"), "{stdout}");
    let md = read(&out.join("simulation.md"));
    for title in [
        "## Probability of approval, official rule, across counties",
        "## Probability of approval, design basis, across counties",
        "## Coverage of the Korn–Graubard one-sided upper bound, across counties",
        "## Probability that the sample finds no positive household, across counties",
    ] {
        assert!(md.contains(title), "{title}\n{md}");
    }
    assert!(md.contains("| ρ 0.2, tilt 3 |"), "{md}");
    let html = read(&out.join("simulation.html"));
    assert!(html.contains("<svg") && html.contains("across counties"));
    let study: Value = serde_json::from_str(&read(&out.join("simulation.json"))).unwrap();
    assert_eq!(study["grid"]["populations"], 2);
    assert_eq!(study["grid"]["misclassification"], 0.01);
    let cells = study["rates"].as_array().unwrap();
    // 2 ICCs × 2 tilts × 1 rate, by ICC then tilt.
    assert_eq!(cells.len(), 4);
    let points: Vec<(f64, f64)> = cells
        .iter()
        .map(|c| {
            (
                c["cell"]["icc"].as_f64().unwrap(),
                c["cell"]["remote_tilt"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(points, [(0.02, 1.0), (0.02, 3.0), (0.2, 1.0), (0.2, 3.0)]);
    for c in cells {
        assert_eq!(c["reps"], 4, "2 counties × 2 replications");
        let counties = c["cell"]["counties"].as_array().unwrap();
        assert_eq!(counties.len(), 2);
        // The pooled share is the mean of the two counties' shares.
        let mean = (counties[0]["approved_official"]["p"].as_f64().unwrap()
            + counties[1]["approved_official"]["p"].as_f64().unwrap())
            / 2.0;
        assert!((c["approved_official"]["p"].as_f64().unwrap() - mean).abs() < 1e-12);
        // At 20% wrong exits (ten times the threshold, about 110 of the 550 exited households
        // found wrong), a 1% misjudgment cannot bring the rate under 2%: never approved.
        assert_eq!(c["approved_official"]["p"], 0.0, "{c}");
        assert_eq!(c["cell"]["zero_found"]["pooled"], 0.0, "{c}");
    }
}

#[test]
fn bad_grid_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sim");
    let plan = repo_file(PLAN);
    for (extra, says) in [
        (&["--populations", "0"][..], "populations = 0"),
        (&["--icc-grid", "0.1,1.2"][..], "icc-grid = 1.2"),
        (&["--remote-tilt", "0"][..], "remote-tilt = 0"),
        (&["--remote-tilt=-2"][..], "remote-tilt = -2"),
        (
            &["--misclassification", "0.5"][..],
            "misclassification = 0.5",
        ),
        (
            &["--misclassification=-0.1"][..],
            "misclassification = -0.1",
        ),
    ] {
        assess()
            .arg("simulate")
            .arg("--plan")
            .arg(&plan)
            .arg("--out")
            .arg(&out)
            .args(extra)
            .assert()
            .code(1)
            .stderr(predicates::str::contains(says));
    }
    // Not a number, or both --icc and --icc-grid: the command line's own errors (exit 2).
    for extra in [
        &["--icc-grid", "0.1,abc"][..],
        &["--icc", "0.1", "--icc-grid", "0.2"][..],
        &["--populations=-1"][..],
    ] {
        assess()
            .arg("simulate")
            .arg("--plan")
            .arg(&plan)
            .arg("--out")
            .arg(&out)
            .args(extra)
            .assert()
            .code(2);
    }
    assert!(!out.exists(), "nothing is written on refused input");
}
