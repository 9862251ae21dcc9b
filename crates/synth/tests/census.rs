//! The synthetic census: its returns read back through assess-census and judge as the truth
//! says, every planted fault is in the truth file and in the files exactly as counted, the
//! rates are what was asked, identity numbers pass their check, and a seed gives the same
//! bytes.

use assess_census::{judge_return, CensusReturn, CsvReader, JsonLinesReader};
use assess_synth::census::{CensusFormat, CensusSettings, CensusSummary, CensusWriters};
use assess_synth::SynthConfig;
use std::collections::{HashMap, HashSet};

struct Run {
    register: Vec<u8>,
    returns: Vec<u8>,
    truth: Vec<u8>,
    registries: [Vec<u8>; 4],
    summary: CensusSummary,
}

fn run(households: u64, seed: u64, settings: &CensusSettings) -> Run {
    let config = SynthConfig::new(vec!["530128".into()], households, seed);
    let (mut register, mut returns, mut truth) = (Vec::new(), Vec::new(), Vec::new());
    let mut regs: [Vec<u8>; 4] = Default::default();
    let [a, b, c, d] = &mut regs;
    let writers = CensusWriters {
        returns: &mut returns,
        truth: &mut truth,
        registries: [a, b, c, d],
    };
    let (_, summary) = assess_synth::generate_census_with_progress(
        &config,
        &mut register,
        None::<std::io::Sink>,
        None::<std::io::Sink>,
        settings,
        writers,
        |_| {},
    )
    .unwrap();
    Run {
        register,
        returns,
        truth,
        registries: regs,
        summary,
    }
}

fn truth_rows(run: &Run) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_reader(&run.truth[..]);
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn returns_of(run: &Run) -> Vec<CensusReturn> {
    JsonLinesReader::new("returns.jsonl", &run.returns[..])
        .map(|r| r.unwrap().census_return)
        .collect()
}

/// An identity number as a registry wrote it, made canonical independently of the
/// generator: full-width characters to ASCII, x to X, a 15-digit number given its century
/// (19) and check character.
fn canonical(text: &str) -> String {
    let ascii: String = text
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - 0xFF10 + '0' as u32).unwrap(),
            'Ｘ' | 'x' => 'X',
            other => other,
        })
        .collect();
    if ascii.len() == 15 {
        let first17 = format!("{}19{}", &ascii[..6], &ascii[6..]);
        let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = first17
            .bytes()
            .zip(w)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        let check = b"10X98765432"[(sum % 11) as usize] as char;
        return format!("{first17}{check}");
    }
    ascii
}

fn registry_ids(run: &Run, k: usize) -> Vec<(String, String)> {
    let mut r = csv::Reader::from_reader(&run.registries[k][..]);
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (
                rec[0].to_string(),
                rec.iter().next_back().unwrap().to_string(),
            )
        })
        .collect()
}

fn high_rates() -> CensusSettings {
    CensusSettings {
        not_enumerated: 0.05,
        dissolved: 0.02,
        moved_out: 0.02,
        not_registered: 0.02,
        duplicate: 0.04,
        copied: 0.03,
        impossible_time: 0.03,
        far_place: 0.03,
        own_county: 0.1,
        vehicle: 0.03,
        property: 0.02,
        business: 0.02,
        payroll: 0.02,
        near_miss_vehicle: 0.03,
        decoys: 0.05,
        id_variants: 0.3,
        households_per_enumerator: 50,
        ..CensusSettings::default()
    }
}

#[test]
fn planted_faults_match_the_truth_file_and_the_files_exactly() {
    let run = run(20_000, 11, &high_rates());
    let s = &run.summary;
    let rows = truth_rows(&run);
    let count = |fault: &str| rows.iter().filter(|r| r["fault"] == fault).count() as u64;
    assert_eq!(count("not_enumerated"), s.not_enumerated);
    assert_eq!(count("dissolved"), s.dissolved);
    assert_eq!(count("moved_out"), s.moved_out);
    assert_eq!(count("not_registered"), s.not_registered);
    assert_eq!(count("duplicate"), s.duplicate);
    assert_eq!(count("copied"), s.copied);
    assert_eq!(count("end_before_start"), s.end_before_start);
    assert_eq!(count("short_interview"), s.short_interview);
    assert_eq!(count("far_place"), s.far_place);
    assert_eq!(count("own_county"), s.own_county);
    assert_eq!(count("registry"), s.registry.iter().sum::<u64>());
    assert_eq!(count("near_miss"), s.near_miss_vehicle);
    assert_eq!(count("decoy"), s.decoys);
    for n in [
        s.not_enumerated,
        s.dissolved,
        s.moved_out,
        s.not_registered,
        s.duplicate,
        s.copied,
        s.far_place,
        s.own_county,
        s.decoys,
    ] {
        assert!(n > 0, "{s:?}");
    }

    let returns = returns_of(&run);
    assert_eq!(returns.len() as u64, s.returns);
    assert_eq!(
        s.returns,
        s.registered - s.not_enumerated + s.duplicate + s.not_registered
    );
    let by_id: HashMap<&str, &CensusReturn> =
        returns.iter().map(|r| (r.return_id.as_str(), r)).collect();
    assert_eq!(by_id.len(), returns.len(), "return ids are unique");
    // Households: each enumerated once, plus the duplicates; none of the missing.
    let mut per_household: HashMap<&str, u32> = HashMap::new();
    for r in &returns {
        *per_household.entry(&r.household_id).or_default() += 1;
    }
    let twice: HashSet<&str> = per_household
        .iter()
        .filter(|(_, n)| **n == 2)
        .map(|(h, _)| *h)
        .collect();
    let duplicated: HashSet<&str> = rows
        .iter()
        .filter(|r| r["fault"] == "duplicate")
        .map(|r| r["household_id"].as_str())
        .collect();
    assert_eq!(twice, duplicated);
    assert!(per_household.values().all(|n| *n <= 2));
    for r in rows.iter().filter(|r| r["fault"] == "not_enumerated") {
        assert!(!per_household.contains_key(r["household_id"].as_str()));
    }
    // Dissolved and moved out: one return each, of a registered household, with that
    // outcome and no household section; every other return is enumerated with one.
    let register: HashSet<String> = csv::Reader::from_reader(&run.register[..])
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    let gone: HashMap<&str, &str> = rows
        .iter()
        .filter(|r| r["fault"] == "dissolved" || r["fault"] == "moved_out")
        .map(|r| (r["return_id"].as_str(), r["fault"].as_str()))
        .collect();
    for r in &returns {
        match gone.get(r.return_id.as_str()) {
            Some(outcome) => {
                assert_eq!(r.outcome.as_str(), *outcome);
                assert!(r.household.is_none());
                assert!(register.contains(&r.household_id));
                assert_eq!(per_household[r.household_id.as_str()], 1);
            }
            None => {
                assert_eq!(r.outcome, assess_census::ReturnOutcome::Enumerated);
                assert!(r.household.is_some());
            }
        }
    }
    // Not registered: exactly the returns whose household is not in the register, each in
    // a village of the county, once, with valid numbers given to no one else.
    let unregistered: HashSet<&str> = rows
        .iter()
        .filter(|r| r["fault"] == "not_registered")
        .map(|r| r["household_id"].as_str())
        .collect();
    let outside: HashSet<&str> = returns
        .iter()
        .filter(|r| !register.contains(&r.household_id))
        .map(|r| r.household_id.as_str())
        .collect();
    assert_eq!(outside, unregistered);
    let villages: HashSet<String> = csv::Reader::from_reader(&run.register[..])
        .records()
        .map(|r| r.unwrap()[1].to_string())
        .collect();
    let mut numbers: HashMap<String, &str> = HashMap::new();
    for r in &returns {
        if gone.contains_key(r.return_id.as_str())
            || rows
                .iter()
                .any(|t| t["fault"] == "duplicate" && t["return_id"] == r.return_id)
        {
            continue;
        }
        for m in &r.household.as_ref().unwrap().members {
            let n = m.id_number.as_ref().unwrap().reveal().to_string();
            assert!(assess_inspection::IdNumber::parse(&n).is_ok());
            if let Some(other) = numbers.insert(n, r.household_id.as_str()) {
                assert!(
                    !unregistered.contains(other)
                        && !unregistered.contains(r.household_id.as_str()),
                    "a number of a household not in the register is given twice"
                );
            }
        }
        if unregistered.contains(r.household_id.as_str()) {
            assert!(villages.contains(&r.village_code));
            assert_eq!(per_household[r.household_id.as_str()], 1);
            let h = r.household.as_ref().unwrap();
            assert_eq!(h.status, assess_household::Status::NonRegistered);
        }
    }
    // Each fabrication is in its return as the truth says.
    let time = |t: &str| assess_inspection::parse_rfc3339(t).unwrap();
    for row in &rows {
        let Some(r) = by_id.get(row["return_id"].as_str()) else {
            continue;
        };
        let seconds = (time(&r.end) - time(&r.start)).round() as i64;
        match row["fault"].as_str() {
            "end_before_start" => assert!(seconds < 0, "{row:?}"),
            "short_interview" => assert!((120..=180).contains(&seconds), "{row:?}"),
            "copied" => {
                let source = by_id[&row["detail"]["from ".len()..]];
                let (mut a, mut b) = (
                    r.household.clone().unwrap(),
                    source.household.clone().unwrap(),
                );
                for h in [&mut a, &mut b] {
                    h.household_id.clear();
                    h.members.clear();
                    h.register_members = None;
                }
                b.status = a.status;
                assert_eq!(r.assistance, source.assistance);
                assert_eq!(a, b, "copied answers");
                assert_eq!(r.enumerator, source.enumerator);
            }
            "duplicate" => {
                let original = by_id[&row["detail"]["of ".len()..]];
                assert_eq!(original.household, r.household);
                assert_ne!(original.return_id, r.return_id);
            }
            _ => {}
        }
    }
    // Every other return lasts 20-45 minutes.
    let mut timed: HashSet<&str> = rows
        .iter()
        .filter(|r| r["fault"] == "end_before_start" || r["fault"] == "short_interview")
        .map(|r| r["return_id"].as_str())
        .collect();
    // A duplicate repeats its original's times.
    for row in rows.iter().filter(|r| r["fault"] == "duplicate") {
        if timed.contains(&row["detail"]["of ".len()..]) {
            timed.insert(row["return_id"].as_str());
        }
    }
    for r in returns
        .iter()
        .filter(|r| !timed.contains(r.return_id.as_str()))
    {
        let seconds = (time(&r.end) - time(&r.start)).round() as i64;
        assert!(
            (20 * 60..46 * 60).contains(&seconds),
            "{seconds} s: {}",
            r.return_id
        );
    }
    // Enumerators in their own county are exactly those of the truth.
    let own: HashSet<&str> = returns
        .iter()
        .filter(|r| r.enumerator.home_county == r.county_code)
        .map(|r| r.enumerator.id.as_str())
        .collect();
    let planted: HashSet<&str> = rows
        .iter()
        .filter(|r| r["fault"] == "own_county")
        .map(|r| r["enumerator_id"].as_str())
        .collect();
    assert_eq!(own, planted);
}

#[test]
fn registries_hold_the_planted_members_decoys_and_near_misses() {
    let run = run(20_000, 12, &high_rates());
    let rows = truth_rows(&run);
    let returns = returns_of(&run);
    let census_ids: HashMap<String, (&str, &str)> = returns
        .iter()
        .flat_map(|r| {
            r.household.iter().flat_map(move |h| {
                h.members.iter().filter_map(move |m| {
                    Some((
                        m.id_number.as_ref()?.reveal().to_string(),
                        (r.household_id.as_str(), m.id.as_str()),
                    ))
                })
            })
        })
        .collect();
    let names = ["vehicle", "property", "business", "payroll"];
    let mut written = 0;
    for (k, name) in names.iter().enumerate() {
        let ids = registry_ids(&run, k);
        written += ids.len();
        let normalised: Vec<String> = ids.iter().map(|(id, _)| canonical(id)).collect();
        for id in &normalised {
            assert!(assess_inspection::IdNumber::parse(id).is_ok(), "{id}");
        }
        for row in rows.iter().filter(|r| r["registry"] == *name) {
            let id = &row["id_number"];
            assert!(normalised.contains(id), "{row:?} not in {name}");
            match row["fault"].as_str() {
                "registry" | "near_miss" => {
                    let (household, member) = census_ids[id.as_str()];
                    assert_eq!(
                        (household, member),
                        (row["household_id"].as_str(), row["member_id"].as_str())
                    );
                }
                "decoy" => assert!(!census_ids.contains_key(id.as_str()), "decoy in the census"),
                other => panic!("{other}"),
            }
        }
        if k == 0 {
            // Vehicles: the planted are over 30,000 yuan, the near misses at or under it.
            let mut values: HashMap<String, Vec<f64>> = HashMap::new();
            for (id, v) in &ids {
                values
                    .entry(canonical(id))
                    .or_default()
                    .push(v.parse().unwrap());
            }
            for row in rows.iter().filter(|r| r["registry"] == "vehicle") {
                let v = &values[&row["id_number"]];
                match row["fault"].as_str() {
                    "near_miss" => assert!(v.iter().any(|v| *v <= 30_000.0), "{v:?}"),
                    _ => assert!(v.iter().any(|v| *v > 30_000.0), "{v:?}"),
                }
            }
        }
    }
    let registry_rows = rows.iter().filter(|r| !r["registry"].is_empty()).count();
    assert_eq!(written, registry_rows, "every registry row is in the truth");
    // Every form was planted, and the truth says which.
    let variants = rows
        .iter()
        .filter(|r| r["detail"].contains("id_form=") && !r["detail"].ends_with("canonical"))
        .count() as u64;
    assert_eq!(variants, run.summary.id_variants);
    for form in ["old15", "fullwidth", "lower_x"] {
        assert!(rows.iter().any(|r| r["detail"].ends_with(form)), "{form}");
    }
    // Every member of every return has a valid number, and no number is given twice.
    let all: usize = returns
        .iter()
        .filter(|r| {
            !rows
                .iter()
                .any(|t| t["fault"] == "duplicate" && t["return_id"] == r.return_id)
        })
        .filter_map(|r| r.household.as_ref())
        .map(|h| h.members.len())
        .sum();
    assert!(
        census_ids.len() * 100 >= all * 99,
        "{} of {all}",
        census_ids.len()
    );
}

/// Rates within a binomial tolerance. The count of a fault planted with probability p on n
/// independent units is Binomial(n, p); we accept |count − np| ≤ 4·sqrt(np(1 − p)) + 1. A
/// correct generator falls outside with probability about 6e-5 per check (normal tail beyond
/// 4 sd), so across the ten checks a false failure is rarer than 1 in 1,000 seeds; a rate off
/// by a quarter (e.g. 0.0375 for 0.03 on ~4,700 returns, a shift of 5.6 sd) fails almost
/// surely. The seed is fixed, so the test is deterministic.
#[test]
fn planted_rates_are_the_settings_within_binomial_tolerance() {
    let settings = high_rates();
    let run = run(20_000, 13, &settings);
    let s = &run.summary;
    let visited = s.registered - s.not_enumerated;
    // Registered households enumerated with a household section.
    let enumerated = visited - s.dissolved - s.moved_out;
    let within = |name: &str, count: u64, n: u64, p: f64| {
        let mean = n as f64 * p;
        let sd = (mean * (1.0 - p)).sqrt();
        assert!(
            (count as f64 - mean).abs() <= 4.0 * sd + 1.0,
            "{name}: {count} of {n}, expected {mean:.1} ± {:.1}",
            4.0 * sd
        );
    };
    within(
        "not enumerated",
        s.not_enumerated,
        s.registered,
        settings.not_enumerated,
    );
    within("dissolved", s.dissolved, visited, settings.dissolved);
    within("moved out", s.moved_out, visited, settings.moved_out);
    within(
        "not registered",
        s.not_registered,
        enumerated,
        settings.not_registered,
    );
    within("duplicate", s.duplicate, enumerated, settings.duplicate);
    // A copy needs an earlier return of the same enumerator: the first return of each
    // enumerator cannot be one.
    within(
        "copied",
        s.copied,
        enumerated - s.enumerators,
        settings.copied,
    );
    within(
        "impossible time",
        s.end_before_start + s.short_interview,
        enumerated,
        settings.impossible_time,
    );
    within("far place", s.far_place, enumerated, settings.far_place);
    within(
        "own county",
        s.own_county,
        s.enumerators,
        settings.own_county,
    );
    within("vehicle", s.registry[0], enumerated, settings.vehicle);
    within("payroll", s.registry[3], enumerated, settings.payroll);
    within("decoys", s.decoys, enumerated, settings.decoys);
    let registry_rows = s.registry.iter().sum::<u64>() + s.near_miss_vehicle + s.decoys;
    within(
        "id variants",
        s.id_variants,
        registry_rows,
        settings.id_variants,
    );
}

#[test]
fn returns_read_back_in_both_formats_and_judge_as_the_truth_says() {
    let json = run(4_000, 14, &CensusSettings::default());
    let csv = run(
        4_000,
        14,
        &CensusSettings {
            format: CensusFormat::Csv,
            ..CensusSettings::default()
        },
    );
    let from_json = returns_of(&json);
    let from_csv: Vec<CensusReturn> = CsvReader::new(
        "returns.csv",
        &csv.returns[..],
        assess_register::EncodingChoice::Auto,
    )
    .unwrap()
    .map(|r| r.unwrap().census_return)
    .collect();
    assert_eq!(from_json, from_csv);
    assert_eq!(json.truth, csv.truth);
    // Judged: a return that is not copied is poor exactly when the household truly is.
    let config = SynthConfig::new(vec!["530128".into()], 4_000, 14);
    let mut truth = Vec::new();
    assess_synth::generate(
        &config,
        std::io::sink(),
        None::<std::io::Sink>,
        Some(&mut truth),
    )
    .unwrap();
    let truth: HashMap<String, bool> = assess_synth::visits::read_truth(&truth[..], None)
        .unwrap()
        .into_iter()
        .map(|t| (t.household_id, t.truly_poor))
        .collect();
    let rows = truth_rows(&json);
    let copied: HashSet<String> = rows
        .iter()
        .filter(|r| r["fault"] == "copied")
        .map(|r| r["return_id"].clone())
        .collect();
    // Households not in the register: judged missed exactly when truly poor.
    let unregistered: HashMap<String, bool> = rows
        .iter()
        .filter(|r| r["fault"] == "not_registered")
        .map(|r| (r["household_id"].clone(), r["detail"] == "truly_poor=true"))
        .collect();
    assert!(!unregistered.is_empty());
    let mut gone = 0;
    let standards = assess_standards::Standards::builtin();
    let mut poor = 0;
    for r in from_json {
        let id = r.return_id.clone();
        let household = r.household_id.clone();
        let judged = judge_return(r, &standards).unwrap();
        if copied.contains(&id) {
            continue;
        }
        let Some(f) = judged.findings() else {
            assert!(judged.census_return.household.is_none());
            gone += 1;
            continue;
        };
        let truly_poor = unregistered
            .get(&household)
            .copied()
            .unwrap_or_else(|| truth[&household]);
        assert_eq!(
            f.poor == assess_inspection::Answer::Yes,
            truly_poor,
            "{household}"
        );
        poor += u32::from(truly_poor);
    }
    assert!(poor > 0);
    let planted = rows
        .iter()
        .filter(|r| r["fault"] == "dissolved" || r["fault"] == "moved_out")
        .count();
    assert!(gone > 0);
    assert_eq!(gone, planted);
}

#[test]
fn a_seed_gives_the_same_bytes_and_the_register_is_unchanged_by_the_census() {
    let a = run(3_000, 21, &high_rates());
    let b = run(3_000, 21, &high_rates());
    assert_eq!(a.returns, b.returns);
    assert_eq!(a.truth, b.truth);
    assert_eq!(a.registries, b.registries);
    let c = run(3_000, 22, &high_rates());
    assert_ne!(a.returns, c.returns);
    let config = SynthConfig::new(vec!["530128".into()], 3_000, 21);
    let mut register = Vec::new();
    assess_synth::generate(
        &config,
        &mut register,
        None::<std::io::Sink>,
        None::<std::io::Sink>,
    )
    .unwrap();
    assert_eq!(register, a.register);
}
