//! `assess census sampled` end to end: a synthetic census of five non-poverty counties,
//! ingested by the real `assess census ingest`, estimated under a two-stratum county sample;
//! the estimate of every indicator equals the weighted share computed here from the returns
//! file (judged by `assess_census::judge_return`, the registered households' first returns)
//! and the register. A design naming a county the store does not hold is refused and nothing
//! is written.

use crate::util::assess;
use assess_census::{judge_return, JsonLinesReader, ReturnRow};
use std::collections::{BTreeMap, BTreeSet};
use std::io::BufReader;
use std::path::Path;

/// An indicator of a return.
type Value = fn(&ReturnRow) -> Option<bool>;

/// Stratum A: 5 counties, 2 drawn; stratum B: 4 counties, 3 drawn.
const DESIGN: &str = "county_code,stratum,stratum_counties\n\
                      530115,A,5\n530124,A,5\n530125,B,4\n530127,B,4\n530181,B,4\n";

fn weight(county: &str) -> f64 {
    match county {
        "530115" | "530124" => 5.0 / 2.0,
        _ => 4.0 / 3.0,
    }
}

/// The registered households (exited or poor) of the register file.
fn registered(register: &Path) -> BTreeSet<String> {
    let mut r = csv::Reader::from_path(register).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (id, status) = (col("household_id"), col("status"));
    r.records()
        .map(|x| x.unwrap())
        .filter(|x| matches!(&x[status], "exited" | "poor"))
        .map(|x| x[id].to_string())
        .collect()
}

/// Each registered household's first enumerated return (by start, then return id).
fn first_returns(returns: &Path, registered: &BTreeSet<String>) -> Vec<ReturnRow> {
    let standards = assess_standards::Standards::builtin();
    let file = std::fs::File::open(returns).unwrap();
    let mut first: BTreeMap<String, ReturnRow> = BTreeMap::new();
    for n in JsonLinesReader::new("returns.jsonl", BufReader::new(file)) {
        let j = judge_return(n.unwrap().census_return, &standards).unwrap();
        let row = ReturnRow::of(&j);
        if row.outcome != "enumerated" || !registered.contains(&row.household_id) {
            continue;
        }
        let e = first.entry(row.household_id.clone()).or_insert(row.clone());
        if (row.start_unix, &row.return_id) < (e.start_unix, &e.return_id) {
            *e = row;
        }
    }
    first.into_values().collect()
}

#[test]
fn sampled_estimates_equal_the_weighted_shares_of_the_returns() {
    let dir = tempfile::tempdir().unwrap();
    let p = |s: &str| dir.path().join(s);
    crate::util::synth_census(
        dir.path(),
        "530115,530124,530125,530127,530181",
        1500,
        5,
        &[],
    );
    crate::util::ingest_census(dir.path(), true);
    std::fs::write(p("design.csv"), DESIGN).unwrap();
    let out = assess()
        .args(["census", "sampled", "--store"])
        .arg(p("store"))
        .arg("--design")
        .arg(p("design.csv"))
        .arg("--out")
        .arg(p("out"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let rows = first_returns(&p("returns.jsonl"), &registered(&p("register.csv")));
    assert!(rows.len() > 200, "{}", rows.len());
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p("out/estimates.json")).unwrap()).unwrap();
    assert_eq!(json["design"]["strata"], 2);
    assert_eq!(json["design"]["counties_drawn"], 5);
    assert_eq!(json["design"]["households"], rows.len());
    let mut csv = csv::Reader::from_path(p("out/estimates.csv")).unwrap();
    let records: Vec<csv::StringRecord> = csv.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), 8);
    let values: [(&str, Value); 3] = [
        ("income", |r| r.income_ok),
        ("guarantees", |r| r.guarantees),
        ("poor", |r| r.poor),
    ];
    for (name, value) in values {
        let (mut y, mut x, mut n) = (0.0, 0.0, 0);
        for r in &rows {
            if let Some(v) = value(r) {
                let w = weight(&r.county_code);
                x += w;
                y += w * f64::from(u8::from(v));
                n += 1;
            }
        }
        let rec = records.iter().find(|r| &r[0] == name).unwrap();
        assert_eq!(rec[1].parse::<usize>().unwrap(), n, "{name}");
        let got: f64 = rec[2].parse().unwrap();
        assert!(
            (got - y / x).abs() < 1e-12,
            "{name}: {got} against {}",
            y / x
        );
        let (lci, uci): (f64, f64) = (rec[4].parse().unwrap(), rec[5].parse().unwrap());
        assert!(lci <= got && got <= uci, "{name}: {lci} {got} {uci}");
        let j = json["estimates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["indicator"] == name)
            .unwrap();
        assert_eq!(j["estimate"].as_f64().unwrap(), got);
    }
    // Some households are poor in this census: the estimate is not trivially 0.
    let poor: f64 = records.iter().find(|r| &r[0] == "poor").unwrap()[2]
        .parse()
        .unwrap();
    assert!(poor > 0.0 && poor < 1.0, "{poor}");

    // A county of the design that the store does not hold: refused, nothing written.
    std::fs::write(
        p("design2.csv"),
        format!("{DESIGN}530421,B,4\n").replace(",4\n", ",5\n"),
    )
    .unwrap();
    let out = assess()
        .args(["census", "sampled", "--store"])
        .arg(p("store"))
        .arg("--design")
        .arg(p("design2.csv"))
        .arg("--out")
        .arg(p("out2"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("county 530421 of the county sample is not in the census store"),
        "{stderr}"
    );
    assert!(!p("out2").exists());
}
