//! Integration tests: `assess estimate` on the real binary against the reference results in
//! tests/data/reference (see its README.md, docs/sources.md#reference-r-survey and
//! docs/sources.md#reference-nhanes2): the R survey package's saved test outputs
//! (r-survey/expected.json) and samplics on NHANES II (nhanes2_expected.json), each compared
//! to the digits printed there; then bad input.

use crate::util::assess;
use predicates::prelude::*;
use predicates::str::contains;
use serde_json::{json, Value};
use std::path::Path;

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

#[path = "../crates/table/tests/cases/mod.rs"]
mod cases;

use cases::{by_variable, nhanes, reference, Run};

/// Runs one reference case through the binary: its JSON result rows, or its error message.
fn cli(run: &Run<'_>) -> Result<Vec<Value>, String> {
    let d = run.design;
    let mut args: Vec<String> = vec!["--data".into(), run.data.display().to_string()];
    for (flag, column) in [
        ("--weight", d.weight),
        ("--strata", d.strata),
        ("--psu", d.psu),
        ("--ssu", d.ssu),
        ("--fpc", d.fpc),
        ("--fpc2", d.fpc2),
    ] {
        if let Some(c) = column {
            args.extend([flag.to_string(), c.to_string()]);
        }
    }
    if d.pps_brewer {
        args.extend(["--pps".into(), "brewer".into()]);
    }
    for s in run.stats {
        args.extend([format!("--{}", s.param), s.columns.join(",")]);
        if let Some(domain) = s.domain {
            args.extend(["--domain".into(), domain.into()]);
        }
    }
    if run.lonely_psu_remove {
        args.extend(["--lonely-psu".into(), "remove".into()]);
    }
    let out = assess().arg("estimate").args(&args).output().unwrap();
    if out.status.success() {
        let v: Value = serde_json::from_slice(&out.stdout).expect("estimate prints JSON");
        return Ok(v["results"].as_array().expect("a results array").clone());
    }
    assert_eq!(out.status.code(), Some(1), "refused input exits 1");
    Err(String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Every case of the R survey package's saved outputs, to the printed digits.
#[test]
fn reproduces_every_r_survey_case() {
    cases::check_every_r_survey_case(&cli);
}

/// A domain mean is the ratio of the domain total of x to the domain size.
#[test]
fn a_domain_mean_is_a_ratio() {
    cases::check_a_domain_mean_is_a_ratio(&cli);
}

/// Every NHANES II result of samplics 0.6.1 (10 significant digits).
#[test]
fn reproduces_every_nhanes2_result() {
    cases::check_every_nhanes2_result(&cli);
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
