//! The reference cases of `assess estimate`, shared by the library's own tests
//! (crates/table/tests/reference.rs) and the command line's (tests/estimate.rs): the R survey
//! package's saved outputs (r-survey/expected.json) and samplics on NHANES II
//! (nhanes2_expected.json), in tests/data/reference (see its README.md,
//! docs/sources.md#reference-r-survey and docs/sources.md#reference-nhanes2). A runner
//! estimates one design and statistic as JSON result rows (the library directly, or the
//! binary); the checks compare them with the reference to its printed digits.

#![allow(dead_code)] // each test crate uses its own part

use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A reference data file.
pub fn reference(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|p| p.join("tests/data/reference").is_dir())
        .expect("the repository's tests/data/reference")
        .join("tests/data/reference")
        .join(rel)
}

/// A design as R's `svydesign` names its columns.
#[derive(Clone, Debug, Default)]
pub struct DesignSpec {
    /// The data file (in the directory of [`r_data`]).
    pub file: &'static str,
    pub weight: Option<&'static str>,
    pub strata: Option<&'static str>,
    pub psu: Option<&'static str>,
    pub ssu: Option<&'static str>,
    pub fpc: Option<&'static str>,
    pub fpc2: Option<&'static str>,
    pub pps_brewer: bool,
}

/// A statistic: `mean`, `prop`, `total` or `ratio` of columns (`NUM/DEN` for a ratio).
#[derive(Clone, Debug)]
pub struct StatSpec {
    pub param: &'static str,
    pub columns: Vec<String>,
    pub domain: Option<&'static str>,
}

/// One estimate asked of a runner: data, design, statistics, lonely-PSU rule (`None`: fail).
pub struct Run<'a> {
    pub data: &'a Path,
    pub design: &'a DesignSpec,
    pub stats: &'a [StatSpec],
    pub lonely_psu_remove: bool,
}

/// Estimates `run`, returning the result rows as JSON, or the error message.
pub type Runner<'a> = &'a dyn Fn(&Run<'_>) -> Result<Vec<Value>, String>;

/// The design of one R call (text before any "  [" comment).
fn r_design(design: &str) -> DesignSpec {
    let call = design.split("  [").next().unwrap().trim();
    let d = DesignSpec::default;
    match call {
        "svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat, fpc=~fpc)" => DesignSpec {
            file: "apistrat.csv",
            strata: Some("stype"),
            weight: Some("pw"),
            fpc: Some("fpc"),
            ..d()
        },
        "svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc)" => DesignSpec {
            file: "apiclus1.csv",
            psu: Some("dnum"),
            weight: Some("pw"),
            fpc: Some("fpc"),
            ..d()
        },
        "svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2)" => DesignSpec {
            file: "apiclus2.csv",
            psu: Some("dnum"),
            ssu: Some("snum"),
            fpc: Some("fpc1"),
            fpc2: Some("fpc2"),
            ..d()
        },
        "svydesign(id=~dnum+snum, weights=~pw, data=apiclus2)" => DesignSpec {
            file: "apiclus2.csv",
            psu: Some("dnum"),
            weight: Some("pw"),
            ..d()
        },
        "svydesign(id=~id1+id2, fpc=~n1+n2, data=mu284)" => DesignSpec {
            file: "mu284.csv",
            psu: Some("id1"),
            ssu: Some("id2"),
            fpc: Some("n1"),
            fpc2: Some("n2"),
            ..d()
        },
        "svydesign(weights=~weight, ids=~psuid, strata=~stratid, data=fpc, nest=TRUE)" => {
            DesignSpec {
                file: "fpc.csv",
                weight: Some("weight"),
                psu: Some("psuid"),
                strata: Some("stratid"),
                ..d()
            }
        }
        "svydesign(weights=~weight, ids=~psuid, strata=~stratid, fpc=~Nh, data=fpc, nest=TRUE)" => {
            DesignSpec {
                file: "fpc.csv",
                weight: Some("weight"),
                psu: Some("psuid"),
                strata: Some("stratid"),
                fpc: Some("Nh"),
                ..d()
            }
        }
        "svydesign(id=~psuid, strat=~stratid, weight=~weight, data=fpc, nest=TRUE)" => DesignSpec {
            file: "fpc_domain.csv",
            weight: Some("weight"),
            psu: Some("psuid"),
            strata: Some("stratid"),
            ..d()
        },
        "svydesign(id=~1, weights=~wt, fpc=~p, data=election_pps, pps=\"brewer\")" => DesignSpec {
            file: "election_pps.csv",
            weight: Some("wt"),
            fpc: Some("p"),
            pps_brewer: true,
            ..d()
        },
        "svydesign(id=~1, weights=~wt, data=election_pps)" => DesignSpec {
            file: "election_pps.csv",
            weight: Some("wt"),
            ..d()
        },
        "svydesign(id=~1, weights=~pw, strata=~dnum, data=apiclus1)" => DesignSpec {
            file: "apiclus1.csv",
            weight: Some("pw"),
            strata: Some("dnum"),
            ..d()
        },
        other => panic!("r-survey/expected.json has a design this test does not map: {other}"),
    }
}

/// The statistic of one R call.
fn r_stat(stat: &str) -> StatSpec {
    let s = |param, columns: &[&'static str], domain| StatSpec {
        param,
        columns: columns.iter().map(|c| c.to_string()).collect(),
        domain,
    };
    match stat {
        "svymean(~api00)" => s("mean", &["api00"], None),
        "svytotal(~enroll, na.rm=TRUE)" => s("total", &["enroll"], None),
        "svytotal(~y1)" => s("total", &["y1"], None),
        "svymean(~x)" => s("mean", &["x"], None),
        "domain x>4: svyby(~x, ~I(x>4), svymean)" => s("mean", &["x"], Some("x_gt_4")),
        "svytotal(~Bush+Kerry+Nader)" => s("total", &["Bush", "Kerry", "Nader"], None),
        other => panic!("r-survey/expected.json has a statistic this test does not map: {other}"),
    }
}

/// A copy of the R data directory with fpc_domain.csv added: fpc.csv with the domain column
/// x_gt_4 = I(x > 4), and x_in = x·I(x > 4), in = I(x > 4) for its ratio form.
pub fn r_data() -> tempfile::TempDir {
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
pub fn derive_columns(
    from: &Path,
    to: &Path,
    names: &[&str],
    f: impl Fn(&HashMap<String, String>) -> Vec<String>,
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

/// nhanes2.csv with the reference's derived columns: black = (race == 2), one = 1.
pub fn nhanes() -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    derive_columns(
        &reference("nhanes2.csv"),
        file.path(),
        &["black", "one"],
        |row| vec![u8::from(row["race"] == "2").to_string(), "1".into()],
    );
    file
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
pub fn same(what: &str, actual: &Value, expected: &Value, sig: Option<i32>) {
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
pub fn same_r(what: &str, actual: &Value, expected: &Value) {
    let (a, e) = (actual.as_f64().unwrap(), expected.as_f64().unwrap());
    let scale = 10f64.powi(a.abs().log10().floor() as i32 - 4);
    if (a / scale).round() * scale == e {
        return;
    }
    same(what, actual, expected, None);
}

pub fn by_variable<'a>(results: &'a [Value], variable: &str) -> &'a Value {
    results
        .iter()
        .find(|r| r["variable"] == variable)
        .unwrap_or_else(|| panic!("no result for {variable}"))
}

fn json_file(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every case of the R survey package's saved outputs, to the printed digits.
pub fn check_every_r_survey_case(runner: Runner<'_>) {
    let expected = json_file(&reference("r-survey/expected.json"));
    let dir = r_data();
    let cases = expected["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 15, "the reference has 15 cases");
    for case in cases {
        let (design, stat) = (
            case["design"].as_str().unwrap(),
            case["stat"].as_str().unwrap(),
        );
        let spec = r_design(design);
        let data = dir.path().join(spec.file);
        let stats = [r_stat(stat)];
        let mut run = Run {
            data: &data,
            design: &spec,
            stats: &stats,
            lonely_psu_remove: false,
        };
        let what = format!("{design} {stat}");
        if let Some(message) = case.get("lonely_psu_fail") {
            // R: "Stratum (413) has only one PSU at stage 1".
            assert!(message.as_str().unwrap().contains("Stratum (413)"));
            let refused = runner(&run).expect_err("a lonely PSU is refused by default");
            assert!(
                refused.contains("stratum 413 has only one PSU at stage 1"),
                "{refused}"
            );
            run.lonely_psu_remove = true;
            let r = &runner(&run).unwrap()[0];
            let want = &case["lonely_psu_remove"];
            same_r(&what, &r["estimate"], &want["estimate"]);
            same_r(&what, &r["se"], &want["se"]);
            continue;
        }
        let res = runner(&run).unwrap_or_else(|e| panic!("{what}: {e}"));
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
pub fn check_a_domain_mean_is_a_ratio(runner: Runner<'_>) {
    let dir = r_data();
    let data = dir.path().join("fpc_domain.csv");
    let design = DesignSpec {
        file: "fpc_domain.csv",
        weight: Some("weight"),
        psu: Some("psuid"),
        strata: Some("stratid"),
        ..DesignSpec::default()
    };
    let stats = [StatSpec {
        param: "ratio",
        columns: vec!["x_in/in".to_string()],
        domain: None,
    }];
    let ratio = runner(&Run {
        data: &data,
        design: &design,
        stats: &stats,
        lonely_psu_remove: false,
    })
    .unwrap();
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

/// Every NHANES II result of samplics 0.6.1 (10 significant digits): means with t intervals,
/// proportions of every level with logit intervals, totals; df 31; rows used and weights.
pub fn check_every_nhanes2_result(runner: Runner<'_>) {
    let expected = json_file(&reference("nhanes2_expected.json"));
    let data = nhanes();
    let design = DesignSpec {
        weight: Some("finalwgt"),
        strata: Some("stratid"),
        psu: Some("psuid"),
        ..DesignSpec::default()
    };
    let wanted = expected["results"].as_array().unwrap();
    assert_eq!(wanted.len(), 18);
    for param in ["mean", "prop", "total"] {
        let mut vars: Vec<String> = wanted
            .iter()
            .filter(|w| w["param"] == param)
            .map(|w| w["variable"].as_str().unwrap().to_string())
            .collect();
        vars.dedup();
        let stats = [StatSpec {
            param: match param {
                "mean" => "mean",
                "prop" => "prop",
                _ => "total",
            },
            columns: vars,
            domain: None,
        }];
        let got = runner(&Run {
            data: data.path(),
            design: &design,
            stats: &stats,
            lonely_psu_remove: false,
        })
        .unwrap();
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
