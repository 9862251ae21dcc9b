//! A hand-made verdict for the unit tests: Luquan deferred over housing safety, with the
//! villages and a square boundary around them.

use crate::{Report, SampledVillage, VerdictFile};
use assess_verdict::{
    Collapses, Counts, Decision, Driver, FailingHousehold, FlaggedHousehold, IdentificationFlag,
    Indicator, Kind, MaskedIdentity, Provenance, Reading, Settings, Verdict,
};
use std::collections::BTreeMap;

fn indicator(kind: Kind, official: f64, lci: f64, uci: f64, threshold: f64) -> Indicator {
    let passes = if kind.passes_above() {
        official >= threshold
    } else {
        official < threshold
    };
    Indicator {
        kind,
        estimate: official,
        official,
        design: official * 1.02,
        interval_of: assess_verdict::IntervalOf::Official,
        se: (uci - lci) / 4.0,
        lci,
        uci,
        design_interval: (lci, uci),
        upper_bound: uci * 0.95,
        lower_bound: lci * 1.05,
        df: 23,
        deff: 1.8,
        weighting_effect: 1.3,
        ci: "korn-graubard".to_string(),
        households: 550,
        numerator: 60.0,
        denominator: 1900.0,
        threshold,
        passes,
        reading: if passes {
            Reading::PassesWithConfidence
        } else {
            Reading::FailsWithConfidence
        },
        confidence_excluding: Some(0.9987),
        unknown: 0,
        bounds_if_nonrespondents: (official * 0.97, official * 1.2),
        decision_risk: None,
        notes: Vec::new(),
    }
}

fn failing(id: &str, stratum: &str, village: &str, fails: &[&str]) -> FailingHousehold {
    FailingHousehold {
        household_id: id.to_string(),
        stratum: stratum.to_string(),
        township: village[..9].to_string(),
        village: village.to_string(),
        village_stratum: "remote".to_string(),
        people: 4,
        fails: fails.iter().map(|s| s.to_string()).collect(),
        reasons: vec![],
    }
}

/// Two households with identification flags: H005 (exited) a vehicle of 45,000 yuan and the
/// public payroll, with a member's identity number (masked, as the inspection crate gives
/// it); H006 (registered poor) a vehicle of unrecorded value.
fn flagged() -> Vec<FlaggedHousehold> {
    let vehicle = |value_yuan| IdentificationFlag::Vehicle {
        value_yuan,
        limit_yuan: 30000.0,
    };
    vec![
        FlaggedHousehold {
            county: "530128".to_string(),
            village: VILLAGES[0].0.to_string(),
            stratum: "exited".to_string(),
            household_id: "H005".to_string(),
            flags: vec![vehicle(Some(45000.0)), IdentificationFlag::PublicPayroll],
            identity_numbers: vec![MaskedIdentity {
                member: "1".to_string(),
                id_number: "110***********002X".to_string(),
            }],
        },
        FlaggedHousehold {
            county: "530128".to_string(),
            village: VILLAGES[2].0.to_string(),
            stratum: "poor".to_string(),
            household_id: "H006".to_string(),
            flags: vec![vehicle(None)],
            identity_numbers: vec![],
        },
    ]
}

/// Three villages of Luquan; two with findings.
pub(crate) const VILLAGES: [(&str, f64, f64, usize); 3] = [
    ("530128101201", 102.47, 25.55, 50),
    ("530128102203", 102.60, 25.70, 48),
    ("530128103205", 102.35, 25.80, 20),
];

/// Response counts (primaries, visited, reserves used, ineligible, interviewed) and the rates
/// they give, computed here by hand.
fn response(
    by: &str,
    key: &str,
    township: &str,
    (primaries, visited, reserves_used, ineligible, interviewed): (
        usize,
        usize,
        usize,
        usize,
        usize,
    ),
) -> assess_verdict::ResponseRates {
    let eligible = visited - ineligible;
    assess_verdict::ResponseRates {
        by: by.to_string(),
        key: key.to_string(),
        township: township.to_string(),
        primaries,
        visited,
        reserves_used,
        ineligible,
        interviewed,
        response_rate: (eligible > 0).then(|| interviewed as f64 / eligible as f64),
        replacement_rate: Some(reserves_used as f64 / primaries as f64),
    }
}

pub(crate) fn verdict_file() -> VerdictFile {
    let mut indicators = BTreeMap::new();
    for i in [
        indicator(Kind::PovertyIncidence, 0.0121, 0.006, 0.021, 0.03),
        indicator(Kind::WrongExitRate, 0.0316, 0.021, 0.046, 0.02),
        indicator(Kind::MissedRate, 0.0040, 0.001, 0.013, 0.02),
        indicator(Kind::ApprovalRate, 0.962, 0.941, 0.977, 0.90),
    ] {
        indicators.insert(i.kind.name().to_string(), i);
    }
    let failing_households = vec![
        failing("H001", "exited", VILLAGES[0].0, &["housing"]),
        failing("H002", "exited", VILLAGES[0].0, &["housing", "water"]),
        failing("H003", "non_registered", VILLAGES[1].0, &["income"]),
    ];
    let drivers = vec![Driver {
        indicator: "wrong_exit_rate".to_string(),
        standard: "housing".to_string(),
        households: 2,
        people: 8,
        townships: vec![("530128101".to_string(), 2)],
        village_strata: vec![("remote".to_string(), 2)],
        villages: 1,
    }];
    let verdict = Verdict {
        county_code: "530128".to_string(),
        county_name: "禄劝彝族苗族自治县".to_string(),
        decision: Decision::Defer,
        indicators,
        not_estimable: vec![],
        reasons: vec![
            "wrong_exit_rate is 3.16% (official), at or above the threshold 2.00%".into(),
        ],
        pending_appeals: vec![],
        drivers,
        failing_households,
        identification_flags: flagged(),
        domains: vec![assess_verdict::DomainEstimate {
            indicator: "wrong_exit_rate".to_string(),
            domain: "township".to_string(),
            level: "530128101".to_string(),
            households: 120,
            official: 0.05,
            design: 0.052,
            se: 0.01,
            lci: 0.03,
            uci: 0.08,
            df: 5,
            few_df: true,
        }],
        collapses: Collapses::default(),
        counts: Counts {
            sampled: 1375,
            primaries: 1250,
            visited: 1262,
            reserves_used: 12,
            ineligible: 4,
            interviewed: 1240,
            weighted: 1240,
            response_rate: 1240.0 / 1258.0,
            replacement_rate: 12.0 / 1250.0,
        },
        response_rates: vec![
            response("village", VILLAGES[0].0, "530128101", (50, 52, 2, 1, 50)),
            response("village", VILLAGES[2].0, "530128103", (2, 2, 0, 2, 0)),
            response("team", "Team 1", "", (100, 104, 4, 2, 98)),
        ],
        thresholds: assess_standards::CountyThresholds {
            poverty_incidence: 0.03,
            wrong_exit_rate: 0.02,
            missed_rate: 0.02,
            approval_rate: 0.9,
            source: "exit rules".to_string(),
            standards_version: "test".to_string(),
        },
        settings: Settings::default(),
    };
    let provenance = |stage: &str| Provenance {
        sample_sha256: "ab".repeat(32),
        records_sha256: "cd".repeat(32),
        records: 1262,
        appeals: stage.to_string(),
        standards_version: "test".to_string(),
        frame_fingerprint: "ef".repeat(32),
        tool_version: "0.1.0".to_string(),
        earlier_phases: vec![],
    };
    let mut before = verdict.clone();
    before
        .failing_households
        .push(failing("H004", "exited", VILLAGES[2].0, &["income"]));
    VerdictFile {
        verdict,
        provenance: provenance("after"),
        before_appeals: Some(Box::new(VerdictFile {
            verdict: before,
            provenance: provenance("before"),
            before_appeals: None,
        })),
    }
}

pub(crate) fn villages() -> Vec<SampledVillage> {
    VILLAGES
        .iter()
        .map(|(code, lon, lat, n)| SampledVillage {
            code: code.to_string(),
            township: code[..9].to_string(),
            village_stratum: "remote".to_string(),
            centre: Some((*lon, *lat)),
            interviewed: *n,
        })
        .collect()
}

/// A square around the villages, in GCJ-02.
pub(crate) fn boundary() -> geo::MultiPolygon<f64> {
    let ring = vec![
        (102.2, 25.4),
        (102.8, 25.4),
        (102.8, 26.0),
        (102.2, 26.0),
        (102.2, 25.4),
    ];
    geo::MultiPolygon(vec![geo::Polygon::new(ring.into(), vec![])])
}

pub(crate) fn names() -> BTreeMap<String, String> {
    [("530128101", "屏山街道"), ("530128101201", "云龙村")]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// Runs `f` on a report of the fixture.
pub(crate) fn with_report<T>(f: impl FnOnce(&Report) -> T) -> T {
    let file = verdict_file();
    let villages = villages();
    let boundary = boundary();
    let names = names();
    f(&Report {
        file: &file,
        villages: &villages,
        boundary_gcj02: Some(&boundary),
        names: &names,
    })
}
