//! `assess census crosscheck --store` (issue 15, section 5) on a synthetic census with its
//! planted truth: every household the truth plants in a registry is flagged, with evidence
//! from that registry (recall 1), and no other household is (precision 1: the near misses of
//! exactly 30,000 yuan or less and the decoys outside the census are not).

use crate::util::assess;
use std::collections::BTreeSet;

#[test]
fn census_crosscheck_of_the_store_finds_the_planted_households_and_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    crate::util::synth_census(
        d,
        "530128,522728",
        12000,
        15,
        &[
            "--census-vehicle-rate",
            "0.03",
            "--census-near-miss-rate",
            "0.03",
        ],
    );
    crate::util::ingest_census(d, false);
    let reg = |f: &str| d.join("registries").join(f);
    assess()
        .args(["census", "crosscheck", "--store"])
        .arg(d.join("store"))
        .arg("--vehicles")
        .arg(reg("vehicles.csv"))
        .arg("--property")
        .arg(reg("property.csv"))
        .arg("--business")
        .arg(reg("business.csv"))
        .arg("--payroll")
        .arg(reg("payroll.csv"))
        .arg("--out")
        .arg(d.join("flagged.csv"))
        .assert()
        .success();

    let mut truth = csv::Reader::from_path(d.join("truth.csv")).unwrap();
    let mut planted = BTreeSet::new();
    let mut near_misses = BTreeSet::new();
    for row in truth.records() {
        let row = row.unwrap();
        let registry = match &row[1] {
            "vehicle" => "vehicles",
            other => other,
        }
        .to_string();
        match &row[0] {
            "registry" => {
                planted.insert((row[4].to_string(), registry));
            }
            "near_miss" => {
                near_misses.insert(row[4].to_string());
            }
            _ => {}
        }
    }
    assert!(
        planted.len() > 50 && near_misses.len() > 20,
        "too few planted to test"
    );
    let mut flagged = csv::Reader::from_path(d.join("flagged.csv")).unwrap();
    let headers = flagged.headers().unwrap().clone();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let (h, r) = (col("household_id"), col("registry"));
    let evidence: BTreeSet<(String, String)> = flagged
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[h].to_string(), rec[r].to_string())
        })
        .collect();
    assert_eq!(
        evidence, planted,
        "evidence by household and registry equals the truth"
    );
    let flagged_households: BTreeSet<_> = evidence.iter().map(|e| &e.0).collect();
    let planted_households: BTreeSet<_> = planted.iter().map(|p| &p.0).collect();
    for miss in &near_misses {
        assert_eq!(
            flagged_households.contains(miss),
            planted_households.contains(miss),
            "near miss {miss}"
        );
    }
}
