//! Per-enumerator and per-village outliers: the answer-distribution test and the robust
//! z-scores of interview length and of the share of repeated (duplicate or copied) returns.

use crate::quality::Quality;
use crate::stats::{chi_square_p, holm, median, modified_z, pearson_two_rows, pool};
use assess_census::ReturnRow;
use serde::Serialize;
use std::collections::BTreeMap;

/// Answer cells: income at or above the line, all guarantees met, approval of the exit, each
/// yes, no or unknown (3 × 3 × 3).
const CELLS: usize = 27;

/// The outlier tests of one unit (an enumerator or a village).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitTests {
    /// Returns taken by the unit (duplicates included).
    pub returns: u32,
    /// Returns in the distribution test: enumerated households' first returns with a register
    /// status.
    pub tested_returns: u32,
    /// The chi-square statistic (summed over register statuses), when there was a table to
    /// test.
    pub chi_square: Option<f64>,
    /// Its degrees of freedom.
    pub df: Option<u32>,
    /// Its p-value.
    pub p_value: Option<f64>,
    /// The p-value after Holm's adjustment over the county's units.
    pub p_adjusted: Option<f64>,
    /// Adjusted p-value at most alpha.
    pub distribution_flagged: bool,
    /// Median interview length of the unit's first returns, minutes.
    pub median_interview_minutes: Option<f64>,
    /// Its modified z-score among the county's units.
    pub interview_z: Option<f64>,
    /// z below minus the threshold: interviews much shorter than the county's.
    pub interview_flagged: bool,
    /// Share of the unit's returns flagged duplicate or copied.
    pub repeat_share: f64,
    /// Its modified z-score among the county's units.
    pub repeat_z: Option<f64>,
    /// z above the threshold.
    pub repeat_flagged: bool,
}

impl UnitTests {
    /// Any of the three tests flagged the unit.
    pub fn flagged(&self) -> bool {
        self.distribution_flagged || self.interview_flagged || self.repeat_flagged
    }
}

#[derive(Default)]
struct Tally<'a> {
    returns: u32,
    repeats: u32,
    tested: u32,
    seconds: Vec<f64>,
    cells: BTreeMap<&'a str, [u64; CELLS]>,
}

/// Runs the tests over the units `unit` gives each return, sorted by unit id.
pub(crate) fn unit_tests<'a>(
    returns: &'a [ReturnRow],
    duplicate: &[bool],
    repeated: &[bool],
    unit: impl Fn(&'a ReturnRow) -> &'a str,
    q: &Quality,
) -> Vec<(&'a str, UnitTests)> {
    let mut units: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut county: BTreeMap<&str, [u64; CELLS]> = BTreeMap::new();
    for (i, r) in returns.iter().enumerate() {
        let t = units.entry(unit(r)).or_default();
        t.returns += 1;
        t.repeats += u32::from(repeated[i]);
        if duplicate[i] {
            continue;
        }
        t.seconds.push(r.interview_seconds() as f64);
        if let (Some(status), "enumerated") = (r.status, r.outcome) {
            let c = cell(r);
            t.tested += 1;
            t.cells.entry(status).or_insert([0; CELLS])[c] += 1;
            county.entry(status).or_insert([0; CELLS])[c] += 1;
        }
    }
    let seconds_counts: Vec<usize> = units.values().map(|t| t.seconds.len()).collect();
    let mut out: Vec<(&str, UnitTests)> = units
        .iter()
        .map(|(id, t)| {
            let test = distribution(&t.cells, &county, q.distribution.min_expected);
            let median_seconds = median(&t.seconds);
            (
                *id,
                UnitTests {
                    returns: t.returns,
                    tested_returns: t.tested,
                    chi_square: test.map(|t| t.0),
                    df: test.map(|t| t.1),
                    p_value: test.map(|t| chi_square_p(t.0, t.1)),
                    p_adjusted: None,
                    distribution_flagged: false,
                    median_interview_minutes: median_seconds.map(|s| s / 60.0),
                    interview_z: None,
                    interview_flagged: false,
                    repeat_share: f64::from(t.repeats) / f64::from(t.returns.max(1)),
                    repeat_z: None,
                    repeat_flagged: false,
                },
            )
        })
        .collect();

    // Holm over the units with a test.
    let tested: Vec<usize> = (0..out.len())
        .filter(|&i| out[i].1.p_value.is_some())
        .collect();
    let p: Vec<f64> = tested.iter().filter_map(|&i| out[i].1.p_value).collect();
    for (&i, adj) in tested.iter().zip(holm(&p)) {
        out[i].1.p_adjusted = Some(adj);
        out[i].1.distribution_flagged = adj <= q.distribution.alpha;
    }

    // Robust z-scores among the units with enough returns, when the county has enough of them.
    let threshold = q.robust_z.threshold;
    let scored: Vec<usize> = (0..out.len())
        .filter(|&i| seconds_counts[i] >= q.robust_z.min_returns as usize)
        .collect();
    if scored.len() >= q.robust_z.min_units {
        let x: Vec<f64> = scored
            .iter()
            .map(|&i| out[i].1.median_interview_minutes.unwrap_or_default())
            .collect();
        if let Some(z) = modified_z(&x, q.robust_z.interview_min_scale_minutes) {
            for (&i, z) in scored.iter().zip(z) {
                out[i].1.interview_z = Some(z);
                out[i].1.interview_flagged = z < -threshold;
            }
        }
        let x: Vec<f64> = scored.iter().map(|&i| out[i].1.repeat_share).collect();
        if let Some(z) = modified_z(&x, q.robust_z.repeat_min_scale_share) {
            for (&i, z) in scored.iter().zip(z) {
                out[i].1.repeat_z = Some(z);
                out[i].1.repeat_flagged = z > threshold;
            }
        }
    }
    out
}

/// The answer cell of a return: income, guarantees and approval, each yes, no or unknown.
fn cell(r: &ReturnRow) -> usize {
    let three = |v: Option<bool>| match v {
        Some(true) => 0,
        Some(false) => 1,
        None => 2,
    };
    three(r.income_ok) * 9 + three(r.guarantees) * 3 + three(r.approval_exit)
}

/// The stratified test of homogeneity: for each register status, the unit's answer cells
/// against the rest of the county's (a 2 × k table, sparse cells pooled); statistics and
/// degrees of freedom summed over the statuses. `None` when no status leaves two cells.
fn distribution(
    unit: &BTreeMap<&str, [u64; CELLS]>,
    county: &BTreeMap<&str, [u64; CELLS]>,
    min_expected: f64,
) -> Option<(f64, u32)> {
    let mut statistic = 0.0;
    let mut df = 0;
    for (status, mine) in unit {
        let all = &county[status];
        let rest: Vec<u64> = all.iter().zip(mine).map(|(a, m)| a - m).collect();
        if rest.iter().sum::<u64>() == 0 {
            continue;
        }
        let (a, b) = pool(mine, &rest, min_expected);
        let (s, d) = pearson_two_rows(&a, &b);
        if d > 0 {
            statistic += s;
            df += d;
        }
    }
    (df > 0).then_some((statistic, df))
}
