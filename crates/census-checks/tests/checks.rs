//! The checks on synthetic censuses with known answers: every planted fault is found (a
//! recall of 1) and nothing else (a precision of 1), the distribution test's county-wide
//! false-alarm rate on censuses without faults is at most alpha, and an enumerator whose
//! answers or interviews differ is caught.

use assess_census::{judge_return, JsonLinesReader, RegisterRow, ReturnRow};
use assess_census_checks::{check_county, CountyChecks, FlagKind, Quality};
use assess_register::{scan_frame_in_memory, ReadOptions};
use assess_standards::Standards;
use assess_synth::census::{CensusSettings, CensusWriters};
use assess_synth::SynthConfig;
use std::collections::{HashMap, HashSet};
use std::path::Path;

const COUNTY: &str = "530128";

/// A county's census as the store would hold it: its register rows, its judged returns'
/// rows, and the census truth file's rows.
struct Census {
    register: Vec<RegisterRow>,
    returns: Vec<ReturnRow>,
    truth: Vec<HashMap<String, String>>,
}

fn census(households: u64, seed: u64, settings: &CensusSettings) -> Census {
    censuses(&[COUNTY], households, seed, settings).remove(0)
}

/// The censuses of several counties made in one run (each county's census depends only on the
/// seed and its code), county by county in the order given.
fn censuses(
    counties: &[&str],
    households: u64,
    seed: u64,
    settings: &CensusSettings,
) -> Vec<Census> {
    let mut config = SynthConfig::new(
        counties.iter().map(|c| c.to_string()).collect(),
        households,
        seed,
    );
    if let Some(icc) = settings_icc(settings) {
        config.rates.icc = icc;
    }
    let (mut register, mut returns, mut truth) = (Vec::new(), Vec::new(), Vec::new());
    let mut regs: [Vec<u8>; 4] = Default::default();
    let [a, b, c, d] = &mut regs;
    let writers = CensusWriters {
        returns: &mut returns,
        truth: &mut truth,
        registries: [a, b, c, d],
    };
    assess_synth::generate_census_with_progress(
        &config,
        &mut register,
        None::<std::io::Sink>,
        None::<std::io::Sink>,
        settings,
        writers,
        |_| {},
    )
    .unwrap();
    // The register read back by its one reader, as the store's register rows are made.
    let opts = ReadOptions {
        vintage: Some(config.vintage),
        ..ReadOptions::default()
    };
    let mut rows = Vec::new();
    scan_frame_in_memory(Path::new("register.csv"), register, &opts, |h| {
        if h.status.is_registered() {
            rows.push(RegisterRow::of(h))
        }
    })
    .unwrap();
    // The returns read and judged as the ingest does.
    let standards = Standards::builtin();
    let returns = JsonLinesReader::new("returns.jsonl", &returns[..])
        .map(|r| ReturnRow::of(&judge_return(r.unwrap().census_return, &standards).unwrap()))
        .collect();
    let mut t = csv::Reader::from_reader(&truth[..]);
    let headers = t.headers().unwrap().clone();
    let truth: Vec<HashMap<String, String>> = t
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect();
    let returns: Vec<ReturnRow> = returns;
    counties
        .iter()
        .map(|county| Census {
            register: rows
                .iter()
                .filter(|r| r.county_code == *county)
                .cloned()
                .collect(),
            returns: returns
                .iter()
                .filter(|r| r.county_code == *county)
                .cloned()
                .collect(),
            truth: truth
                .iter()
                .filter(|r| r["county_code"] == *county)
                .cloned()
                .collect(),
        })
        .collect()
}

fn high_rates() -> CensusSettings {
    CensusSettings {
        not_enumerated: 0.03,
        duplicate: 0.04,
        copied: 0.04,
        impossible_time: 0.04,
        far_place: 0.04,
        own_county: 0.15,
        households_per_enumerator: 50,
        ..CensusSettings::default()
    }
}

fn no_faults() -> CensusSettings {
    CensusSettings {
        not_enumerated: 0.0,
        duplicate: 0.0,
        copied: 0.0,
        impossible_time: 0.0,
        far_place: 0.0,
        own_county: 0.0,
        vehicle: 0.0,
        property: 0.0,
        business: 0.0,
        payroll: 0.0,
        near_miss_vehicle: 0.0,
        decoys: 0.0,
        ..CensusSettings::default()
    }
}

fn kind(word: &str) -> Option<FlagKind> {
    FlagKind::ALL.into_iter().find(|k| k.as_str() == word)
}

#[test]
fn every_planted_fault_is_found_and_nothing_else() {
    for seed in [3, 4] {
        let c = census(12_000, seed, &high_rates());
        let checks = check_county(&c.returns, &c.register, &Quality::builtin()).unwrap();
        recall_and_precision(&c, &checks, seed);
    }
}

fn recall_and_precision(c: &Census, checks: &CountyChecks, seed: u64) {
    // The truth: per-return faults (kind, return) with the return named in `detail`, and the
    // own-county enumerators.
    let mut planted: HashMap<(FlagKind, &str), &str> = HashMap::new();
    let mut own: HashSet<&str> = HashSet::new();
    let mut original_of: HashMap<&str, &str> = HashMap::new();
    for row in &c.truth {
        let Some(k) = kind(&row["fault"]) else {
            continue;
        };
        if k == FlagKind::OwnCounty {
            own.insert(&row["enumerator_id"]);
            continue;
        }
        let related = row["detail"]
            .strip_prefix("of ")
            .or_else(|| row["detail"].strip_prefix("from "))
            .unwrap_or("");
        planted.insert((k, &row["return_id"]), related);
        if k == FlagKind::Duplicate {
            original_of.insert(&row["return_id"], related);
        }
    }
    for k in FlagKind::ALL {
        let n = planted.keys().filter(|(pk, _)| *pk == k).count();
        assert!(
            n >= 5 || (k == FlagKind::OwnCounty && own.len() >= 2),
            "seed {seed}: too few planted {k:?} ({n}) for the test to mean anything"
        );
    }

    // Recall: every planted per-return fault is flagged, naming the same other return.
    let found: HashMap<(FlagKind, &str), Option<&str>> = checks
        .flags
        .iter()
        .map(|f| {
            (
                (f.kind, f.return_id.as_str()),
                f.related_return_id.as_deref(),
            )
        })
        .collect();
    for ((k, id), related) in &planted {
        let got = found.get(&(*k, *id));
        assert!(got.is_some(), "seed {seed}: planted {k:?} {id} not found");
        if matches!(k, FlagKind::Duplicate | FlagKind::Copied) {
            assert_eq!(got.unwrap(), &Some(*related), "seed {seed}: {k:?} {id}");
        }
    }
    // ... and every own-county enumerator: each of their returns, and their result.
    let own_found: HashSet<&str> = checks
        .enumerators
        .iter()
        .filter(|e| e.own_county)
        .map(|e| e.enumerator_id.as_str())
        .collect();
    assert_eq!(own_found, own, "seed {seed}");

    // Precision. A duplicate repeats its original, fabrication included (docs/census.md,
    // "Synthetic census"): a time or place finding on a duplicate of a return planted with
    // that fault is a true finding, which the truth file lists under the original only.
    let mut false_positives = Vec::new();
    let mut per_kind: HashMap<FlagKind, (u32, u32)> = HashMap::new();
    for f in &checks.flags {
        let truly = match f.kind {
            FlagKind::OwnCounty => own.contains(f.enumerator_id.as_str()),
            FlagKind::EndBeforeStart | FlagKind::ShortInterview | FlagKind::FarPlace => {
                planted.contains_key(&(f.kind, f.return_id.as_str()))
                    || original_of
                        .get(f.return_id.as_str())
                        .is_some_and(|o| planted.contains_key(&(f.kind, *o)))
            }
            FlagKind::Duplicate | FlagKind::Copied => {
                planted.contains_key(&(f.kind, f.return_id.as_str()))
            }
        };
        let e = per_kind.entry(f.kind).or_default();
        e.0 += 1;
        if truly {
            e.1 += 1;
        } else {
            false_positives.push(f.clone());
        }
    }
    // Precision 1 for every kind: the synthetic census has no near misses for these checks
    // (honest interviews last 20-45 minutes, honest fixes are within 20 m of the house,
    // answers include incomes drawn to the yuan, so two honest households do not share
    // them), so any false positive is a bug, not noise.
    assert!(
        false_positives.is_empty(),
        "seed {seed}: {} false positives, e.g. {:?}; by kind (flags, true): {per_kind:?}",
        false_positives.len(),
        &false_positives[..false_positives.len().min(5)]
    );
    for k in FlagKind::ALL {
        let (flags, truly) = per_kind.get(&k).copied().unwrap_or_default();
        assert!(
            flags > 0 && flags == truly,
            "seed {seed}: {k:?} {flags} {truly}"
        );
    }
}

/// Yunnan's poverty counties (data/counties/poverty_counties_832.csv), the replicates of the
/// false-alarm check: each county's census is independent of the others'.
const YUNNAN: [&str; 40] = [
    "530113", "530128", "530129", "530323", "530324", "530325", "530326", "530381", "530502",
    "530521", "530523", "530524", "530602", "530621", "530622", "530623", "530624", "530625",
    "530626", "530627", "530628", "530629", "530721", "530722", "530724", "530821", "530822",
    "530823", "530824", "530825", "530826", "530827", "530828", "530829", "530902", "530921",
    "530922", "530923", "530924", "530925",
];

/// The false-alarm runs set the villages' intra-cluster correlation of the true rates to 0
/// (see `the_distribution_test_alarms_in_at_most_alpha_of_counties_without_faults`); the
/// marker is a households-per-enumerator of 70, used by no other test.
fn settings_icc(settings: &CensusSettings) -> Option<f64> {
    (settings.households_per_enumerator == 70 && settings.duplicate == 0.0).then_some(0.0)
}

/// Counties with any alarm, on censuses without faults: the distribution test among
/// enumerators, among villages; the z-scores among enumerators, among villages.
fn false_alarms(seeds: std::ops::Range<u64>, households: u64) -> ([u32; 4], u32) {
    // Two threads (this machine's cores), each with every other seed.
    let seeds: Vec<u64> = seeds.collect();
    let parts: Vec<([u32; 4], u32)> = std::thread::scope(|scope| {
        let handles: Vec<_> = [0, 1]
            .map(|k| {
                let mine: Vec<u64> = seeds.iter().copied().skip(k).step_by(2).collect();
                scope.spawn(move || false_alarms_of(&mine, households))
            })
            .into_iter()
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    parts.iter().fold(([0; 4], 0), |(mut a, n), (b, m)| {
        for (x, y) in a.iter_mut().zip(b) {
            *x += y;
        }
        (a, n + m)
    })
}

fn false_alarms_of(seeds: &[u64], households: u64) -> ([u32; 4], u32) {
    let q = Quality::builtin();
    let settings = CensusSettings {
        households_per_enumerator: 70,
        ..no_faults()
    };
    let mut out = [0u32; 4];
    let mut counties = 0;
    for &seed in seeds {
        for c in censuses(&YUNNAN, households, seed, &settings) {
            let checks = check_county(&c.returns, &c.register, &q).unwrap();
            assert!(
                checks.flags.is_empty(),
                "seed {seed}: {:?}",
                &checks.flags[..1]
            );
            counties += 1;
            let alarms = [
                checks.enumerators.iter().any(|e| e.distribution_flagged),
                checks.villages.iter().any(|v| v.distribution_flagged),
                checks
                    .enumerators
                    .iter()
                    .any(|e| e.interview_flagged || e.repeat_flagged),
                checks
                    .villages
                    .iter()
                    .any(|e| e.interview_flagged || e.repeat_flagged),
            ];
            for (i, b) in alarms.into_iter().enumerate() {
                out[i] += u32::from(b);
            }
        }
    }
    (out, counties)
}

/// The distribution test is built so that the chance of any alarm among a county's
/// enumerators (and, separately, among its villages) is at most alpha = 0.01 when nothing is
/// wrong (Holm's correction keeps the family-wise rate whatever the dependence; each test is
/// the chi-square approximation, with cells pooled to an expected count of 5).
///
/// "Nothing wrong" is the test's null hypothesis: every household answers as the county's
/// households of its register status do. The synth's true rates (wrong exits) are clustered
/// by village (intra-cluster correlation 0.1 by default), and an enumerator takes whole
/// villages, so with clustering an enumerator's households really do differ from the rest of
/// the county, and the test rightly finds it (docs/census.md, "Quality checks", measured
/// there); here the correlation is 0, so that the census meets the null hypothesis.
///
/// 5 seeds x 40 Yunnan counties = 200 independent counties. If the chance of an alarm were
/// exactly 0.01, the number of counties alarmed would be Binomial(200, 0.01), mean 2, and
/// P(X > 7) = 0.0011: a count over 7 says the rate is above alpha, with a 0.1% chance of
/// blaming a test that keeps it. The runs are deterministic (fixed seeds), so the test does
/// not flicker. The z-scores are held to the same bound (their per-unit rate under normality
/// is P(Z < -3.5) = 0.00023, and their floors keep whole-minute medians from alarming).
#[test]
fn the_distribution_test_alarms_in_at_most_alpha_of_counties_without_faults() {
    let (alarms, counties) = false_alarms(100..105, 40 * 3_000);
    assert_eq!(counties, 200);
    eprintln!("counties alarmed of {counties}: {alarms:?}");
    let [enumerators, villages, enumerator_z, village_z] = alarms;
    for (what, n) in [
        ("distribution among enumerators", enumerators),
        ("distribution among villages", villages),
        ("z-scores among enumerators", enumerator_z),
        ("z-scores among villages", village_z),
    ] {
        assert!(n <= 7, "{what}: {n} of {counties} counties alarmed");
    }
}

/// The tests find what they are for: an enumerator whose households approve of nothing, and
/// one whose interviews are short, in an otherwise clean county.
#[test]
fn an_enumerator_with_other_answers_or_short_interviews_is_caught() {
    let mut c = census(12_000, 21, &no_faults());
    let q = Quality::builtin();
    let clean = check_county(&c.returns, &c.register, &q).unwrap();
    assert!(clean.enumerators.len() >= 15, "{}", clean.enumerators.len());
    let ids: Vec<String> = clean
        .enumerators
        .iter()
        .map(|e| e.enumerator_id.clone())
        .collect();
    let (odd, quick) = (&ids[2], &ids[5]);
    // 40% of the odd enumerator's households dissatisfied, against about 3% in the county
    // (the synth's approval share is 0.97): about 56 of 140 where 4 are expected.
    for (k, r) in c
        .returns
        .iter_mut()
        .filter(|r| &r.enumerator_id == odd)
        .enumerate()
    {
        if k % 5 < 2 {
            r.approval_exit = Some(false);
        }
    }
    // The quick enumerator's interviews last 12 minutes (honest ones 20-45): not short enough
    // for a per-return flag (15 minutes), but far below the county's median of about 32.
    for r in c.returns.iter_mut().filter(|r| &r.enumerator_id == quick) {
        r.end_unix = r.start_unix + 12 * 60;
    }
    let checks = check_county(&c.returns, &c.register, &q).unwrap();
    for e in &checks.enumerators {
        let is_odd = &e.enumerator_id == odd;
        let is_quick = &e.enumerator_id == quick;
        assert_eq!(e.distribution_flagged, is_odd, "{e:?}");
        assert_eq!(e.interview_flagged, is_quick, "{e:?}");
        assert!(!e.repeat_flagged, "{e:?}");
        if is_odd {
            assert!(e.p_adjusted.unwrap() < 1e-6, "{e:?}");
        }
        if is_quick {
            assert_eq!(e.median_interview_minutes, Some(12.0));
            assert!(e.interview_z.unwrap() < -3.5, "{e:?}");
        }
    }
    assert!(checks
        .flags
        .iter()
        .all(|f| f.kind == FlagKind::ShortInterview && &f.enumerator_id == quick));
}

/// The results are flat rows: the csv crate writes them as they are (the lead's reports).
#[test]
fn findings_write_as_csv_rows() {
    let c = census(12_000, 3, &high_rates());
    let checks = check_county(&c.returns, &c.register, &Quality::builtin()).unwrap();
    let mut w = csv::Writer::from_writer(Vec::new());
    for f in &checks.flags {
        w.serialize(f).unwrap();
    }
    let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("return_id,household_id,county_code,village_code,enumerator_id,kind,related_return_id,evidence")
    );
    assert_eq!(lines.count(), checks.flags.len());
    assert!(text.contains(",copied,") && text.contains(",far_place,"));
    let mut w = csv::Writer::from_writer(Vec::new());
    for e in &checks.enumerators {
        w.serialize(e).unwrap();
    }
    for v in &checks.villages {
        csv::Writer::from_writer(Vec::new()).serialize(v).unwrap();
    }
    let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
    assert!(text.starts_with("county_code,enumerator_id,home_county,own_county,returns,"));
    assert_eq!(text.lines().count(), checks.enumerators.len() + 1);
}

#[test]
fn returns_of_two_counties_are_refused() {
    let mut c = census(4_000, 5, &no_faults());
    c.returns[3].county_code = "530129".into();
    let e = check_county(&c.returns, &c.register, &Quality::builtin())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("530129") && e.contains(&c.returns[3].return_id),
        "{e}"
    );
}
