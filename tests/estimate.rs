//! Integration tests: `assess estimate` on the real binary against the reference results in
//! tests/data/reference (copies of shared/reference; see its README.md): the R survey
//! package's saved test outputs (r-survey/expected.json) and samplics on NHANES II
//! (nhanes2_expected.json), each compared to the digits printed there; then bad input.

use crate::util::{assess, read, repo_file};
use predicates::prelude::*;
use predicates::str::contains;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Runs `assess estimate ARGS` (JSON output) and returns its results array.
fn results(args: &[&str]) -> Vec<Value> {
    let out = assess()
        .arg("estimate")
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).expect("estimate prints JSON");
    v["results"].as_array().expect("a results array").clone()
}

/// Runs `assess estimate ARGS`, expects exit code 1 and a message containing `needle`.
fn refused(args: &[&str], needle: &str) {
    assess().arg("estimate").args(args).assert().code(1).stderr(
        contains("error:")
            .and(contains(needle))
            .and(contains("panicked").not()),
    );
}

fn reference(rel: &str) -> PathBuf {
    repo_file(&format!("tests/data/reference/{rel}"))
}

fn json_file(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap()
}

/// Half a unit in the last digit printed for `expected` (as JSON writes it back: "0.616",
/// "3687178", "8.245308863e16"), widened to `sig` significant digits when given.
fn tolerance(expected: &Value, sig: Option<i32>) -> f64 {
    let text = expected.to_string();
    let (mantissa, exp) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m.to_string(), e.parse::<i32>().unwrap()),
        None => (text.clone(), 0),
    };
    let decimals = mantissa.split_once('.').map_or(0, |(_, d)| d.len() as i32);
    let printed = 0.5 * 10f64.powi(exp - decimals);
    let x = expected.as_f64().unwrap().abs();
    let significant = sig.map_or(0.0, |s| 0.5 * 10f64.powi(x.log10().floor() as i32 - s + 1));
    printed.max(significant)
}

/// Asserts that `actual` equals `expected` to the digits printed (or `sig` significant digits).
fn same(what: &str, actual: &Value, expected: &Value, sig: Option<i32>) {
    let a = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: no value, expected {expected}"));
    let e = expected.as_f64().unwrap();
    let tol = tolerance(expected, sig) * (1.0 + 1e-12);
    assert!(
        (a - e).abs() <= tol,
        "{what}: {a} differs from the reference {e} by more than {tol}"
    );
}

/// Asserts that `actual` prints as R printed `expected`: equal to its last printed digit, or
/// equal when rounded to 5 significant digits (R's `printCoefmat` default,
/// `max(3, getOption("digits") - 2)`, which the reference names: "about 5 significant
/// digits"). Only one value needs the second reading: the Brewer total of Nader, 478530.52
/// here (Σ wt·Nader over the 40 rows, the same sum however the weights are taken), printed
/// "478530" by R.
fn same_r(what: &str, actual: &Value, expected: &Value) {
    let (a, e) = (actual.as_f64().unwrap(), expected.as_f64().unwrap());
    let scale = 10f64.powi(a.abs().log10().floor() as i32 - 4);
    if (a / scale).round() * scale == e {
        return;
    }
    same(what, actual, expected, None);
}

/// The command-line arguments reproducing one design of r-survey/expected.json, keyed by the
/// R call (text before any "  [" comment).
fn r_design(design: &str) -> Vec<&'static str> {
    let call = design.split("  [").next().unwrap().trim();
    match call {
        "svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat, fpc=~fpc)" => {
            vec![
                "apistrat.csv",
                "--strata",
                "stype",
                "--weight",
                "pw",
                "--fpc",
                "fpc",
            ]
        }
        "svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc)" => {
            vec![
                "apiclus1.csv",
                "--psu",
                "dnum",
                "--weight",
                "pw",
                "--fpc",
                "fpc",
            ]
        }
        "svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2)" => vec![
            "apiclus2.csv",
            "--psu",
            "dnum",
            "--ssu",
            "snum",
            "--fpc",
            "fpc1",
            "--fpc2",
            "fpc2",
        ],
        "svydesign(id=~dnum+snum, weights=~pw, data=apiclus2)" => {
            vec!["apiclus2.csv", "--psu", "dnum", "--weight", "pw"]
        }
        "svydesign(id=~id1+id2, fpc=~n1+n2, data=mu284)" => {
            vec![
                "mu284.csv",
                "--psu",
                "id1",
                "--ssu",
                "id2",
                "--fpc",
                "n1",
                "--fpc2",
                "n2",
            ]
        }
        "svydesign(weights=~weight, ids=~psuid, strata=~stratid, data=fpc, nest=TRUE)" => {
            vec![
                "fpc.csv", "--weight", "weight", "--psu", "psuid", "--strata", "stratid",
            ]
        }
        "svydesign(weights=~weight, ids=~psuid, strata=~stratid, fpc=~Nh, data=fpc, nest=TRUE)" => {
            vec![
                "fpc.csv", "--weight", "weight", "--psu", "psuid", "--strata", "stratid", "--fpc",
                "Nh",
            ]
        }
        "svydesign(id=~psuid, strat=~stratid, weight=~weight, data=fpc, nest=TRUE)" => vec![
            "fpc_domain.csv",
            "--weight",
            "weight",
            "--psu",
            "psuid",
            "--strata",
            "stratid",
        ],
        "svydesign(id=~1, weights=~wt, fpc=~p, data=election_pps, pps=\"brewer\")" => {
            vec![
                "election_pps.csv",
                "--weight",
                "wt",
                "--fpc",
                "p",
                "--pps",
                "brewer",
            ]
        }
        "svydesign(id=~1, weights=~wt, data=election_pps)" => {
            vec!["election_pps.csv", "--weight", "wt"]
        }
        "svydesign(id=~1, weights=~pw, strata=~dnum, data=apiclus1)" => {
            vec!["apiclus1.csv", "--weight", "pw", "--strata", "dnum"]
        }
        other => panic!("r-survey/expected.json has a design this test does not map: {other}"),
    }
}

/// The statistic of one case as command-line arguments.
fn r_stat(stat: &str) -> Vec<&'static str> {
    match stat {
        "svymean(~api00)" => vec!["--mean", "api00"],
        "svytotal(~enroll, na.rm=TRUE)" => vec!["--total", "enroll"],
        "svytotal(~y1)" => vec!["--total", "y1"],
        "svymean(~x)" => vec!["--mean", "x"],
        "domain x>4: svyby(~x, ~I(x>4), svymean)" => vec!["--mean", "x", "--domain", "x_gt_4"],
        "svytotal(~Bush+Kerry+Nader)" => vec!["--total", "Bush,Kerry,Nader"],
        other => panic!("r-survey/expected.json has a statistic this test does not map: {other}"),
    }
}

/// A copy of the R data directory with fpc_domain.csv added: fpc.csv with the domain column
/// x_gt_4 = I(x > 4).
fn r_data() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(reference("r-survey")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    derive_columns(
        &reference("r-survey/fpc.csv"),
        &dir.path().join("fpc_domain.csv"),
        &["x_gt_4", "x_in", "in"],
        |row| {
            let x: f64 = row["x"].parse().unwrap();
            let d = x > 4.0;
            vec![
                d.to_string().to_uppercase(),
                if d { row["x"].clone() } else { "0".into() },
                u8::from(d).to_string(),
            ]
        },
    );
    dir
}

/// Writes `from` with extra columns computed from every row (as a map column → text).
fn derive_columns(
    from: &Path,
    to: &Path,
    names: &[&str],
    f: impl Fn(&std::collections::HashMap<String, String>) -> Vec<String>,
) {
    let mut reader = csv::Reader::from_path(from).unwrap();
    let header = reader.headers().unwrap().clone();
    let mut writer = csv::Writer::from_path(to).unwrap();
    let mut head: Vec<String> = header.iter().map(String::from).collect();
    head.extend(names.iter().map(|s| s.to_string()));
    writer.write_record(&head).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        let row = header
            .iter()
            .map(String::from)
            .zip(record.iter().map(String::from))
            .collect();
        let mut out: Vec<String> = record.iter().map(String::from).collect();
        out.extend(f(&row));
        writer.write_record(&out).unwrap();
    }
    writer.flush().unwrap();
}

fn by_variable<'a>(results: &'a [Value], variable: &str) -> &'a Value {
    results
        .iter()
        .find(|r| r["variable"] == variable)
        .unwrap_or_else(|| panic!("no result for {variable}"))
}

/// Every case of the R survey package's saved outputs, to the printed digits.
#[test]
fn reproduces_every_r_survey_case() {
    let expected = json_file(&reference("r-survey/expected.json"));
    let dir = r_data();
    let cases = expected["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 15, "the reference has 15 cases");
    for case in cases {
        let (design, stat) = (
            case["design"].as_str().unwrap(),
            case["stat"].as_str().unwrap(),
        );
        let mut args = r_design(design);
        let data = dir.path().join(args.remove(0));
        let mut all = vec!["--data", data.to_str().unwrap()];
        all.extend(args);
        all.extend(r_stat(stat));
        let what = format!("{design} {stat}");
        if let Some(message) = case.get("lonely_psu_fail") {
            // R: "Stratum (413) has only one PSU at stage 1".
            assert!(message.as_str().unwrap().contains("Stratum (413)"));
            refused(&all, "stratum 413 has only one PSU at stage 1");
            let mut remove = all.clone();
            remove.extend(["--lonely-psu", "remove"]);
            let r = &results(&remove)[0];
            let want = &case["lonely_psu_remove"];
            same_r(&what, &r["estimate"], &want["estimate"]);
            same_r(&what, &r["se"], &want["se"]);
            continue;
        }
        let res = results(&all);
        if let Some(e) = case.get("estimate") {
            same_r(&what, &res[0]["estimate"], e);
            same_r(&what, &res[0]["se"], &case["se"]);
        }
        if let Some(v) = case.get("variance") {
            same_r(&what, &res[0]["variance"], v);
        }
        for (key, level) in [("domain_false", "FALSE"), ("domain_true", "TRUE")] {
            let Some(want) = case.get(key) else { continue };
            let r = res.iter().find(|r| r["domain_level"] == level).unwrap();
            assert_eq!(r["domain"], "x_gt_4");
            same_r(&what, &r["estimate"], &want["estimate"]);
            same_r(&what, &r["se"], &want["se"]);
        }
        if let Some(estimates) = case.get("estimates").and_then(Value::as_object) {
            for (var, e) in estimates {
                same_r(&what, &by_variable(&res, var)["estimate"], e);
            }
        }
        if let Some(ses) = case["se"].as_object() {
            for (var, se) in ses {
                same_r(&what, &by_variable(&res, var)["se"], se);
            }
        }
    }
}

/// A domain mean is the ratio of the domain total of x to the domain size (the note of the
/// domain case: `svyratio(~I(x*(x>4)), ~as.numeric(x>4))`).
#[test]
fn a_domain_mean_is_a_ratio() {
    let dir = r_data();
    let data = dir.path().join("fpc_domain.csv");
    let design = [
        "--data",
        data.to_str().unwrap(),
        "--weight",
        "weight",
        "--psu",
        "psuid",
        "--strata",
        "stratid",
    ];
    let ratio = results(&[&design[..], &["--ratio", "x_in/in"]].concat());
    assert_eq!(ratio[0]["variable"], "x_in/in");
    assert_eq!(ratio[0]["param"], "ratio");
    same(
        "ratio",
        &ratio[0]["estimate"],
        &serde_json::json!(6.195),
        None,
    );
    same(
        "ratio",
        &ratio[0]["se"],
        &serde_json::json!(0.7555129),
        None,
    );
}

/// nhanes2.csv with the reference's derived columns: black = (race == 2), one = 1.
fn nhanes() -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    derive_columns(
        &reference("nhanes2.csv"),
        file.path(),
        &["black", "one"],
        |row| vec![u8::from(row["race"] == "2").to_string(), "1".into()],
    );
    file
}

/// Every NHANES II result of samplics 0.6.1 (10 significant digits): means with t intervals,
/// proportions of every level with logit intervals, totals; df 31; rows used and weights.
#[test]
fn reproduces_every_nhanes2_result() {
    let expected = json_file(&reference("nhanes2_expected.json"));
    let data = nhanes();
    let design = [
        "--data",
        data.path().to_str().unwrap(),
        "--weight",
        "finalwgt",
        "--strata",
        "stratid",
        "--psu",
        "psuid",
    ];
    let wanted = expected["results"].as_array().unwrap();
    assert_eq!(wanted.len(), 18);
    for param in ["mean", "prop", "total"] {
        let mut vars: Vec<&str> = wanted
            .iter()
            .filter(|w| w["param"] == param)
            .map(|w| w["variable"].as_str().unwrap())
            .collect();
        vars.dedup();
        let list = vars.join(",");
        let got = results(&[&design[..], &[&format!("--{param}"), &list]].concat());
        for w in wanted.iter().filter(|w| w["param"] == param) {
            let r = got
                .iter()
                .find(|r| r["variable"] == w["variable"] && r["level"] == w["level"])
                .unwrap_or_else(|| panic!("no result for {w}"));
            let what = format!("{} {} {}", w["variable"], param, w["level"]);
            for (ours, theirs) in [
                ("estimate", "estimate"),
                ("se", "stderror"),
                ("variance", "variance"),
                ("lci", "lci"),
                ("uci", "uci"),
                ("sum_weights", "sum_weights"),
            ] {
                same(&format!("{what} {ours}"), &r[ours], &w[theirs], Some(10));
            }
            assert_eq!(r["df"], w["df"], "{what} df");
            assert_eq!(r["n"], w["n_obs"], "{what} n");
            let ci = if param == "prop" { "logit" } else { "wald" };
            assert_eq!(r["ci"], ci);
        }
    }
}

/// A rate with no event at all: the Korn-Graubard upper bound is still above 0, both
/// two-sided and one-sided (the one-sided bound is the tighter one).
#[test]
fn korn_graubard_bound_above_zero_when_nothing_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("none.csv");
    let mut text = String::from("village,w,wrong\n");
    for i in 0..60 {
        text.push_str(&format!("v{},{},0\n", i % 12, 10 + i % 3));
    }
    std::fs::write(&data, text).unwrap();
    let base = [
        "--data",
        data.to_str().unwrap(),
        "--psu",
        "village",
        "--weight",
        "w",
    ];
    let two = results(&[&base[..], &["--mean", "wrong", "--ci", "korn-graubard"]].concat());
    let one = results(
        &[
            &base[..],
            &["--mean", "wrong", "--ci", "kg", "--sided", "upper"],
        ]
        .concat(),
    );
    assert_eq!(two[0]["estimate"], 0.0);
    assert_eq!(two[0]["df"], 11);
    let (u2, u1) = (
        two[0]["uci"].as_f64().unwrap(),
        one[0]["uci"].as_f64().unwrap(),
    );
    assert!(u2 > 0.0 && u1 > 0.0 && u1 < u2, "{u2} {u1}");
    assert_eq!(one[0]["lci"], 0.0);
    assert_eq!(one[0]["sided"], "upper");
}

/// Every interval method runs on a proportion and brackets the estimate.
#[test]
fn every_proportion_interval_method_brackets_the_estimate() {
    let data = nhanes();
    for method in ["korn-graubard", "wilson", "logit", "wald"] {
        let r = results(&[
            "--data",
            data.path().to_str().unwrap(),
            "--weight",
            "finalwgt",
            "--strata",
            "stratid",
            "--psu",
            "psuid",
            "--prop",
            "highlead",
            "--ci",
            method,
            "--domain",
            "region",
        ]);
        assert_eq!(r.len(), 8, "2 levels x 4 regions");
        for x in &r {
            let (e, lo, hi) = (
                x["estimate"].as_f64().unwrap(),
                x["lci"].as_f64().unwrap(),
                x["uci"].as_f64().unwrap(),
            );
            assert!(lo < e && e < hi && lo >= 0.0 && hi <= 1.0, "{method}: {x}");
            assert_eq!(x["ci"], method);
            assert_eq!(x["domain"], "region");
        }
    }
}

#[test]
fn table_format_prints_one_line_per_result() {
    let data = reference("r-survey/apistrat.csv");
    assess()
        .args(["estimate", "--data"])
        .arg(&data)
        .args(["--strata", "stype", "--weight", "pw", "--fpc", "fpc"])
        .args(["--mean", "api00", "--format", "table"])
        .assert()
        .success()
        .stdout(
            contains("api00")
                .and(contains("662.287"))
                .and(contains("9.40894")),
        );
}

/// Writes a small CSV for the bad-input tests.
fn small(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn bad_input_is_refused_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("absent.csv");
    refused(
        &["--data", missing.to_str().unwrap(), "--mean", "y"],
        "absent.csv",
    );
    let good = small(
        dir.path(),
        "good.csv",
        "s,p,w,y\na,1,2,3\na,2,2,4\nb,1,1,5\nb,2,1,6\n",
    );
    refused(&["--data", &good, "--mean", "nope"], "no column \"nope\"");
    let text = small(dir.path(), "text.csv", "s,p,w,y\na,1,2,3\na,2,2,abc\n");
    refused(
        &["--data", &text, "--mean", "y"],
        "text.csv line 3, column \"y\": \"abc\" is not a number",
    );
    let inf = small(dir.path(), "inf.csv", "s,p,w,y\na,1,2,3\na,2,2,inf\n");
    refused(&["--data", &inf, "--total", "y"], "line 3, column \"y\"");
    let negative = small(dir.path(), "neg.csv", "s,p,w,y\na,1,2,3\na,2,-1,4\n");
    refused(
        &["--data", &negative, "--weight", "w", "--mean", "y"],
        "neg.csv line 3, column \"w\": weight -1 is negative",
    );
    let lonely = small(
        dir.path(),
        "lonely.csv",
        "s,p,w,y\na,1,2,3\na,2,2,4\nb,1,1,5\n",
    );
    refused(
        &[
            "--data", &lonely, "--strata", "s", "--psu", "p", "--mean", "y",
        ],
        "lonely.csv line 4, column \"s\": stratum b has only one PSU at stage 1",
    );
    let lonely2 = small(
        dir.path(),
        "lonely2.csv",
        "p,s,f1,f2,y\n1,1,10,5,3\n1,2,10,5,4\n2,1,10,5,5\n",
    );
    let two_stage = [
        "--psu", "p", "--ssu", "s", "--fpc", "f1", "--fpc2", "f2", "--mean", "y",
    ];
    refused(
        &[&["--data", lonely2.as_str()][..], &two_stage[..]].concat(),
        "lonely2.csv line 4, column \"s\": PSU 2 has only one SSU at stage 2",
    );
    let varies = small(dir.path(), "varies.csv", "s,f,y\na,10,3\na,12,4\n");
    refused(
        &[
            "--data", &varies, "--strata", "s", "--fpc", "f", "--mean", "y",
        ],
        "varies.csv line 3, column \"f\": fpc 12 differs from 10 on line 2 in the same stratum",
    );
    let small_pop = small(dir.path(), "pop.csv", "f,y\n1.5,3\n1.5,4\n");
    refused(
        &["--data", &small_pop, "--fpc", "f", "--mean", "y"],
        "smaller than the 2 units sampled",
    );
    let no_psu = small(dir.path(), "nopsu.csv", "p,y\n,3\n2,4\n");
    refused(
        &["--data", &no_psu, "--psu", "p", "--mean", "y"],
        "nopsu.csv line 2, column \"p\": the PSU is missing",
    );
    let ragged = small(dir.path(), "ragged.csv", "p,y\n1,3\n2,4,5\n");
    refused(&["--data", &ragged, "--mean", "y"], "ragged.csv");
    refused(&["--data", &good, "--ratio", "y"], "NUM_COL/DEN_COL");
    let zero = small(dir.path(), "zero.csv", "x,y\n0,3\n0,4\n");
    refused(&["--data", &zero, "--ratio", "y/x"], "denominator");
    // A missing statistic is a command-line error (exit 2).
    assess()
        .args(["estimate", "--data", &good])
        .assert()
        .code(2);
}

/// Rows missing the analysed value leave that analysis only: n and the estimate change, the
/// design does not (the PSU count in the design summary stays).
#[test]
fn missing_values_leave_the_analysis_not_the_design() {
    let dir = tempfile::tempdir().unwrap();
    let data = small(
        dir.path(),
        "na.csv",
        "p,y,z\n1,1,1\n1,2,NA\n2,3,\n2,4,4\n3,5,5\n3,6,6\n",
    );
    let r = results(&["--data", &data, "--psu", "p", "--mean", "y,z"]);
    assert_eq!(by_variable(&r, "y")["n"], 6);
    assert_eq!(by_variable(&r, "z")["n"], 4);
    assert_eq!(by_variable(&r, "z")["estimate"], 4.0);
}

/// Several kinds of analysis in one run (repeated options, by domain) give exactly the
/// results of separate runs, in the order mean, prop, total, ratio, each analysis domain by
/// domain (and level by level within a domain for a proportion).
#[test]
fn several_analyses_in_one_run_equal_separate_runs() {
    let data = nhanes();
    let design = [
        "--data",
        data.path().to_str().unwrap(),
        "--weight",
        "finalwgt",
        "--strata",
        "stratid",
        "--psu",
        "psuid",
        "--domain",
        "region",
    ];
    let analyses: [&[&str]; 5] = [
        &["--mean", "zinc"],
        &["--mean", "highbp"],
        &["--prop", "race"],
        &["--total", "diabetes"],
        &["--ratio", "highlead/one"],
    ];
    let together = results(&[&design[..], &analyses.concat()].concat());
    let separate: Vec<Value> = analyses
        .iter()
        .flat_map(|a| results(&[&design[..], a].concat()))
        .collect();
    assert_eq!(together, separate);
    // 4 regions: 2 means, 3 race levels, 1 total, 1 ratio in each.
    assert_eq!(together.len(), 4 * (2 + 3 + 1 + 1));
    let first: Vec<(&str, &Value)> = together[..3]
        .iter()
        .map(|r| (r["variable"].as_str().unwrap(), &r["domain_level"]))
        .collect();
    assert_eq!(
        first,
        [
            ("zinc", &json!(1)),
            ("zinc", &json!(2)),
            ("zinc", &json!(3))
        ]
    );
    let race: Vec<&Value> = together
        .iter()
        .filter(|r| r["variable"] == "race")
        .take(4)
        .map(|r| &r["level"])
        .collect();
    assert_eq!(race, [&json!(1), &json!(2), &json!(3), &json!(1)]);
}

/// A domain estimate from the one-pass domain run equals the same estimate over a 0/1 mask
/// column (the domain mean as a ratio, as R's `svyby`): the run over all domains changes
/// nothing in a domain's numbers.
#[test]
fn every_domain_of_a_one_pass_run_equals_its_ratio_form() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("domains.csv");
    let mut text = String::from("county,stratum,village,w,y,in2\n");
    for i in 0..600u32 {
        let county = i % 3;
        let stratum = format!("{county}{}", (i / 3) % 2);
        let village = format!("v{}", i % 60);
        let y = f64::from((i * 7919) % 13) / 4.0;
        let w = 1.0 + f64::from(i % 5);
        let in2 = u8::from(county == 2);
        text.push_str(&format!("{county},{stratum},{village},{w},{y},{in2}\n"));
    }
    std::fs::write(&path, text).unwrap();
    let design = [
        "--data",
        path.to_str().unwrap(),
        "--weight",
        "w",
        "--strata",
        "stratum",
        "--psu",
        "village",
    ];
    let by = results(&[&design[..], &["--mean", "y", "--domain", "county"]].concat());
    assert_eq!(by.len(), 3);
    let y2 = small(
        dir.path(),
        "y2.csv",
        &std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .enumerate()
            .map(|(k, l)| {
                if k == 0 {
                    return format!("{l},y_in2");
                }
                let f: Vec<&str> = l.split(',').collect();
                let y_in2 = if f[5] == "1" { f[4] } else { "0" };
                format!("{l},{y_in2}")
            })
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let mut ratio_design = design;
    ratio_design[1] = &y2;
    let ratio = results(&[&ratio_design[..], &["--ratio", "y_in2/in2"]].concat());
    let d2 = &by[2];
    assert_eq!(d2["domain_level"], 2);
    for field in ["estimate", "se"] {
        let (a, b) = (
            d2[field].as_f64().unwrap(),
            ratio[0][field].as_f64().unwrap(),
        );
        assert!((a - b).abs() <= 1e-12 * b.abs(), "{field}: {a} vs {b}");
    }
}
