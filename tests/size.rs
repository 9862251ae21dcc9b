//! Integration tests: `assess size precision` and `assess size pass-rule` on the real binary.

use crate::util::assess;
use predicates::prelude::*;
use predicates::str::contains;

/// Runs `assess size ARGS --json` and returns the parsed output.
fn size_json(args: &[&str]) -> serde_json::Value {
    let out = assess()
        .arg("size")
        .args(args)
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("size --json prints JSON")
}

/// Runs `assess size ARGS`, expects exit code 1 and a message containing `needle`.
fn refused(args: &[&str], needle: &str) {
    assess().arg("size").args(args).assert().code(1).stderr(
        contains("error:")
            .and(contains(needle))
            .and(contains("panicked").not()),
    );
}

#[test]
fn precision_reproduces_cochran() {
    // p = 0.5, e = 0.05, 95%: n0 = 384.15 → 385; with N = 1000: 277.73 → 278 (Cochran 1977).
    let v = size_json(&["precision", "--rate", "0.5", "--margin", "0.05"]);
    assert_eq!(v["method"], "precision");
    assert_eq!(v["result"]["completed"], 385);
    let v = size_json(&[
        "precision",
        "--rate",
        "0.5",
        "--margin",
        "0.05",
        "--population",
        "1000",
    ]);
    assert_eq!(v["result"]["completed"], 278);
    assert_eq!(v["result"]["to_visit"], 278);
}

#[test]
fn precision_with_clusters_and_response() {
    // python3 -c "from statistics import NormalDist as N; z=N().inv_cdf(0.975); d=1+(20-1)*0.05;
    //   n0=d*z*z*0.02*0.98/0.01**2; n=n0/(1+(n0-1)/40000); print(n0, n, n/0.9)"
    // → 1468.2055612692939 1416.2570555664447 1573.6189506293829
    let args = [
        "precision",
        "--margin",
        "0.01",
        "--cluster-size",
        "20",
        "--icc",
        "0.05",
        "--population",
        "40000",
        "--response-rate",
        "0.9",
    ];
    let v = size_json(&args);
    let r = &v["result"];
    assert!(
        (r["n0"].as_f64().unwrap() - 1468.2055613).abs() < 1e-6,
        "{r}"
    );
    assert_eq!(
        r["spec"]["rate"], 0.02,
        "the default rate is the wrong-exit threshold"
    );
    assert_eq!(r["completed"], 1417);
    assert_eq!(r["to_visit"], 1574);
}

#[test]
fn precision_table_shows_the_substituted_formula() {
    let args = [
        "size",
        "precision",
        "--rate",
        "0.02",
        "--margin",
        "0.01",
        "--confidence",
        "0.95",
        "--deff",
        "1.5",
        "--population",
        "40000",
        "--response-rate",
        "0.9",
    ];
    // python3 -c "from statistics import NormalDist as N; z=N().inv_cdf(0.975);
    //   n0=1.5*z*z*0.02*0.98/0.01**2; n=n0/(1+(n0-1)/40000); print(n0, n, n/0.9)"
    // → 1129.3888932840723 1098.4049... 1220.4499...
    assess()
        .args(args)
        .assert()
        .success()
        .stdout(contains(
            "n0   = deff × z² × p × (1 − p) / e² = 1.5 × 1.960² × 0.02 × 0.98 / 0.01² = 1129.39",
        ))
        .stdout(contains("1129.39 / (1 + 1128.39 / 40000) = 1098.40"))
        .stdout(contains(
            "answer: visit 1221 units for 1099 completed interviews",
        ));
}

#[test]
fn pass_rule_exact_and_normal() {
    // Independent values (python3 with math.comb, see crates/sampling/src/size/pass_rule.rs tests):
    // smallest n = 645 (n = 644 fails: P(pass | 0.03) = 0.050228 > 0.05), stable from 806.
    let args = [
        "pass-rule",
        "--threshold",
        "0.02",
        "--bad-rate",
        "0.03",
        "--good-rate",
        "0.01",
        "--alpha",
        "0.05",
        "--beta",
        "0.05",
    ];
    let v = size_json(&args);
    let r = &v["result"];
    assert_eq!(r["smallest"]["n"], 645);
    assert!((r["smallest"]["pass_if_bad"].as_f64().unwrap() - 0.04956175758551101).abs() < 1e-9);
    assert!((r["smallest"]["pass_if_good"].as_f64().unwrap() - 0.9853204756525856).abs() < 1e-9);
    assert!(
        (r["below_smallest"]["pass_if_bad"].as_f64().unwrap() - 0.050228303473351554).abs() < 1e-9
    );
    assert_eq!(r["stable_from"]["n"], 806);
    assert_eq!(r["normal"]["classic_ceil"], 494);
    assert_eq!(r["normal"]["fixed_ceil"], 788);
}

#[test]
fn pass_rule_defaults_and_households_to_visit() {
    // Defaults t = 0.02 (standards), p_bad = 1.5t = 0.03, p_good = 0.5t = 0.01: same answer.
    // Visit 806 × 1.5 / 0.9 = 1343.3 → 1344.
    let v = size_json(&["oc", "--deff", "1.5", "--response-rate", "0.9"]);
    assert_eq!(v["result"]["stable_from"]["n"], 806);
    assert_eq!(v["result"]["stable_from"]["to_visit"], 1344);
    assess()
        .args([
            "size",
            "pass-rule",
            "--deff",
            "1.5",
            "--response-rate",
            "0.9",
        ])
        .assert()
        .success()
        .stdout(contains("806 × 1.5 / 0.9 = 1343.33 → 1344"))
        .stdout(contains(
            "answer: visit 1344 units (effective n = 806, stable)",
        ));
}

#[test]
fn bad_arguments_are_refused_with_exit_1() {
    refused(
        &["precision", "--rate", "1.5", "--margin", "0.01"],
        "expected rate = 1.5",
    );
    refused(
        &["precision", "--rate", "0", "--margin", "0.01"],
        "expected rate = 0",
    );
    refused(&["precision", "--margin", "0"], "margin = 0");
    refused(&["precision", "--margin=-0.01"], "margin = -0.01");
    refused(
        &["precision", "--margin", "0.01", "--confidence", "1"],
        "confidence = 1",
    );
    refused(
        &["precision", "--margin", "0.01", "--response-rate", "0"],
        "response rate = 0",
    );
    refused(
        &[
            "precision",
            "--margin",
            "0.01",
            "--cluster-size",
            "20",
            "--icc",
            "1.5",
        ],
        "ICC = 1.5",
    );
    refused(
        &["pass-rule", "--bad-rate", "0.02"],
        "bad rate 0.02 must be above the threshold 0.02",
    );
    refused(
        &["pass-rule", "--good-rate", "0.025"],
        "good rate 0.025 must be below the threshold 0.02",
    );
    refused(&["pass-rule", "--threshold", "1.2"], "threshold = 1.2");
    refused(
        &["pass-rule", "--max-n", "600"],
        "no n from 1 to 600 meets both risks",
    );
}

#[test]
fn contradictory_design_flags_are_usage_errors() {
    // --deff and --cluster-size/--icc are two ways to say one thing: clap refuses (exit 2).
    assess()
        .args([
            "size",
            "precision",
            "--margin",
            "0.01",
            "--deff",
            "2",
            "--icc",
            "0.1",
        ])
        .assert()
        .code(2);
    assess()
        .args([
            "size",
            "precision",
            "--margin",
            "0.01",
            "--cluster-size",
            "20",
        ])
        .assert()
        .code(2);
}

#[test]
fn pass_rule_shows_what_given_households_buy() {
    // 500 visited × 0.9 / 20 = 22.5 → 22 villages of 20 (n = 440), pass when X ≤ 8; each
    // village's positives beta-binomial at ρ = 0.05, convolved (scipy, apart from this crate:
    // betabinom.pmf(range(21), 20, p·19, (1 − p)·19) 22 times): 0.1738672905345991 at 3%,
    // 1 − 0.9076420472490427 = 0.0924 at 1%.
    let args = [
        "oc",
        "--cluster-size",
        "20",
        "--icc",
        "0.05",
        "--response-rate",
        "0.9",
        "--households",
        "500,1600",
    ];
    let v = size_json(&args);
    let at = &v["result"]["at_households"][0];
    assert_eq!(at["households"], 500);
    assert_eq!(at["oc"]["n"], 440);
    assert_eq!(at["oc"]["villages"], 22);
    assert!((at["oc"]["pass_if_bad"].as_f64().unwrap() - 0.1738672905345991).abs() < 1e-9);
    assessed_line(&args, "at 500 visited: villages = ⌊500 × 0.9 / 20⌋ = 22, n = 440; pass when X ≤ 8; P(pass | 0.03) = 0.1739, P(fail | 0.01) = 0.0924");
}

#[test]
fn pass_rule_spreads_a_people_ratio_by_weights_and_household_sizes() {
    // κ² = 1.3 × (1 + 0.4²) − 1 = 0.508; 25 villages of 32: scipy's full convolution weighted
    // by betainc(x/κ², (n − x)/κ², 0.02) gives 0.1718926748280078 at 3% (the count rule alone:
    // 0.1281).
    let args = [
        "oc",
        "--cluster-size",
        "32",
        "--icc",
        "0.05",
        "--weighting-effect",
        "1.3",
        "--household-size-cv",
        "0.4",
        "--households",
        "800",
    ];
    let v = size_json(&args);
    let at = &v["result"]["at_households"][0]["oc"];
    assert!((at["pass_if_bad"].as_f64().unwrap() - 0.1718926748280078).abs() < 1e-9);
    assert_eq!(
        v["result"]["spec"]["contributions"]["weighting_effect"],
        1.3
    );
    assessed_line(&args, "κ² = 1.3 × (1 + 0.4²) − 1 = 0.5080");
    refused(
        &[
            "oc",
            "--cluster-size",
            "32",
            "--icc",
            "0.05",
            "--weighting-effect",
            "0.8",
        ],
        "weighting effect",
    );
}

fn assessed_line(args: &[&str], line: &str) {
    assess()
        .arg("size")
        .args(args)
        .assert()
        .success()
        .stdout(contains(line));
}
