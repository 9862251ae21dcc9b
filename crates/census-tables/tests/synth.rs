//! Coverage of a synthetic census against its truth file: the missing are exactly the
//! truth's `not_enumerated` households, the duplicated exactly its `duplicate` households,
//! the dissolved, moved out and not registered its `dissolved`, `moved_out` and
//! `not_registered` households, village by village, in two counties merged into their province.

use assess_census::{judge_return, JsonLinesReader, RegisterRow, ReturnRow};
use assess_census_tables::CensusTables;
use assess_standards::Standards;
use assess_synth::census::{CensusSettings, CensusWriters};
use assess_synth::SynthConfig;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[test]
fn coverage_finds_exactly_the_truths_planted_households() {
    let counties = ["530128", "530129"];
    let config = SynthConfig::new(counties.iter().map(|c| c.to_string()).collect(), 6_000, 5);
    let settings = CensusSettings {
        not_enumerated: 0.04,
        duplicate: 0.03,
        dissolved: 0.02,
        moved_out: 0.02,
        not_registered: 0.02,
        ..CensusSettings::default()
    };
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
        &settings,
        writers,
        |_| {},
    )
    .unwrap();

    let mut register_rows: BTreeMap<String, Vec<RegisterRow>> = BTreeMap::new();
    assess_register::scan_frame_in_memory(
        Path::new("register.csv"),
        register,
        &assess_register::ReadOptions::default(),
        |h| {
            let row = RegisterRow::of(h);
            register_rows
                .entry(row.county_code.clone())
                .or_default()
                .push(row);
        },
    )
    .unwrap();
    let standards = Standards::builtin();
    let mut return_rows: BTreeMap<String, Vec<ReturnRow>> = BTreeMap::new();
    for r in JsonLinesReader::new("returns.jsonl", &returns[..]) {
        let judged = judge_return(r.unwrap().census_return, &standards).unwrap();
        let row = ReturnRow::of(&judged);
        return_rows
            .entry(row.county_code.clone())
            .or_default()
            .push(row);
    }

    // The truth, by fault: (village, household) pairs.
    let mut planted: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    let mut duplicate_rows = 0u64;
    let mut reader = csv::Reader::from_reader(&truth[..]);
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (fault, village, household) = (col("fault"), col("village_code"), col("household_id"));
    for rec in reader.records() {
        let rec = rec.unwrap();
        if rec[fault] == *"duplicate" {
            duplicate_rows += 1;
        }
        planted
            .entry(rec[fault].to_string())
            .or_default()
            .insert((rec[village].to_string(), rec[household].to_string()));
    }
    let not_enumerated = &planted["not_enumerated"];
    let duplicate = &planted["duplicate"];
    assert!(
        not_enumerated.len() > 30 && duplicate.len() > 30,
        "{} {}",
        not_enumerated.len(),
        duplicate.len()
    );

    let mut tables = CensusTables::new();
    let mut missing = BTreeSet::new();
    let mut dup_by_village: BTreeMap<String, u64> = BTreeMap::new();
    let mut found_by_village: BTreeMap<(&str, String), u64> = BTreeMap::new();
    for county in counties {
        let c = tables
            .add_county(county, &register_rows[county], &return_rows[county])
            .unwrap();
        missing.extend(
            c.missing
                .iter()
                .map(|m| (m.village_code.clone(), m.household_id.clone())),
        );
        assert_eq!(c.missing.len() as u64, c.total.missing);
        for (v, cov) in &c.villages {
            if cov.duplicated > 0 {
                dup_by_village.insert(v.clone(), cov.duplicated);
            }
            assert_eq!(
                cov.registered,
                cov.enumerated + cov.dissolved + cov.moved_out + cov.missing
            );
        }
        for (v, cov) in &c.villages {
            for (kind, n) in [
                ("dissolved", cov.dissolved),
                ("moved_out", cov.moved_out),
                ("not_registered", cov.not_registered),
            ] {
                if n > 0 {
                    *found_by_village.entry((kind, v.clone())).or_default() += n;
                }
            }
        }
    }
    assert_eq!(&missing, not_enumerated);
    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    for (v, _) in duplicate {
        *expected.entry(v.clone()).or_default() += 1;
    }
    assert_eq!(dup_by_village, expected);
    // Dissolved, moved out and not registered: exactly the truth's households, village by
    // village.
    let mut expected: BTreeMap<(&str, String), u64> = BTreeMap::new();
    for kind in ["dissolved", "moved_out", "not_registered"] {
        assert!(planted.get(kind).is_some_and(|p| p.len() > 5), "{kind}");
        for (v, _) in &planted[kind] {
            *expected.entry((kind, v.clone())).or_default() += 1;
        }
    }
    assert_eq!(found_by_village, expected);

    let t = tables.finish();
    // The same tables whatever the order of the register and of the returns: the store
    // holds both in household order, which the counting takes as a merge join, but any
    // order must give the same counts, lists and representative returns.
    let mut shuffled_tables = CensusTables::new();
    for county in counties {
        let c = shuffled_tables
            .add_county(
                county,
                &shuffled(&register_rows[county]),
                &shuffled(&return_rows[county]),
            )
            .unwrap();
        assert_eq!(
            c.missing.len(),
            not_enumerated
                .iter()
                .filter(|(v, _)| v.starts_with(county))
                .count()
        );
    }
    assert_eq!(shuffled_tables.finish(), t);
    let n = &t.national;
    assert_eq!(t.provinces.len(), 1);
    assert_eq!(t.provinces[0].coverage, n.coverage);
    let registered: u64 = counties
        .iter()
        .map(|c| {
            register_rows[*c]
                .iter()
                .filter(|r| r.status != "non_registered")
                .count() as u64
        })
        .sum();
    assert_eq!(n.coverage.registered, registered);
    assert_eq!(n.coverage.missing, not_enumerated.len() as u64);
    assert_eq!(n.coverage.duplicated, duplicate.len() as u64);
    assert_eq!(n.coverage.extra_returns, duplicate_rows);
    assert_eq!(
        n.coverage.returns,
        return_rows.values().map(|r| r.len() as u64).sum::<u64>()
    );
    // Each enumerated household counted once by the tables.
    assert_eq!(n.households, n.coverage.enumerated);
    assert_eq!(n.income.known + n.income.unknown, n.households);
}

/// `rows` in another order: the k-th row moved to place k * 7919 mod n (7919 is prime, so
/// every place is taken once unless n is a multiple of it).
fn shuffled<T: Clone>(rows: &[T]) -> Vec<T> {
    let n = rows.len();
    assert_ne!(n % 7919, 0);
    let mut out = rows.to_vec();
    for (k, row) in rows.iter().enumerate() {
        out[k * 7919 % n] = row.clone();
    }
    out
}
