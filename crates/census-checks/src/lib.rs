//! Census quality checks (docs/census.md, "Quality checks"), one county at a time, over the
//! flat rows of the census store (`assess_census::ReturnRow`, and `RegisterRow` for the
//! houses' positions):
//!
//! - per return ([`Flag`]): the end before the start, an interview too short, a GPS fix far
//!   from the house, an enumerator in their own county, a household enumerated twice (the
//!   later return is the duplicate, naming the original) and another household's answers
//!   copied (the later return, naming its source);
//! - per enumerator ([`EnumeratorResult`]) and per village ([`VillageResult`]): answers far
//!   from the rest of the county's (a chi-square test with Holm's correction, so that the
//!   chance of any false alarm in a county is at most alpha), and modified z-scores of the
//!   median interview length and of the share of repeated returns.
//!
//! The thresholds are data with their sources ([`Quality`], data/census/quality.toml).
//!
//! **No I/O**: rows in, findings out; the caller reads the store and writes the reports.
//! Not for: judging a household (assess-inspection), coverage, the register cross-checks
//! (assess-registries). A flag is a lead for the county to follow up, never a decision.

mod error;
mod outliers;
mod quality;
mod returns;
pub mod stats;

pub use error::ChecksError;
pub use outliers::UnitTests;
pub use quality::{Distribution, FarPlace, Quality, RobustZ, ShortInterview, BUILT_IN_QUALITY};
pub use returns::{Flag, FlagKind};

use assess_census::{RegisterRow, ReturnRow};
use serde::Serialize;

/// The outlier tests of one enumerator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnumeratorResult {
    /// The county.
    pub county_code: String,
    /// The enumerator.
    pub enumerator_id: String,
    /// Their home county (of their first return).
    pub home_county: String,
    /// Posted to their own county.
    pub own_county: bool,
    /// Returns taken (duplicates included).
    pub returns: u32,
    /// Returns in the distribution test.
    pub tested_returns: u32,
    /// The chi-square statistic.
    pub chi_square: Option<f64>,
    /// Its degrees of freedom.
    pub df: Option<u32>,
    /// Its p-value.
    pub p_value: Option<f64>,
    /// After Holm's adjustment over the county's enumerators.
    pub p_adjusted: Option<f64>,
    /// The distribution test flagged the enumerator.
    pub distribution_flagged: bool,
    /// Median interview length, minutes.
    pub median_interview_minutes: Option<f64>,
    /// Its modified z-score among the county's enumerators.
    pub interview_z: Option<f64>,
    /// Interviews much shorter than the county's.
    pub interview_flagged: bool,
    /// Share of returns flagged duplicate or copied.
    pub repeat_share: f64,
    /// Its modified z-score.
    pub repeat_z: Option<f64>,
    /// Many more repeated returns than the county's enumerators.
    pub repeat_flagged: bool,
    /// Any of the three outlier tests flagged the enumerator (own county is its own column).
    pub flagged: bool,
}

/// The outlier tests of one village (the same tests among the county's villages).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VillageResult {
    /// The county.
    pub county_code: String,
    /// The village.
    pub village_code: String,
    /// Returns taken (duplicates included).
    pub returns: u32,
    /// Returns in the distribution test.
    pub tested_returns: u32,
    /// The chi-square statistic.
    pub chi_square: Option<f64>,
    /// Its degrees of freedom.
    pub df: Option<u32>,
    /// Its p-value.
    pub p_value: Option<f64>,
    /// After Holm's adjustment over the county's villages.
    pub p_adjusted: Option<f64>,
    /// The distribution test flagged the village.
    pub distribution_flagged: bool,
    /// Median interview length, minutes.
    pub median_interview_minutes: Option<f64>,
    /// Its modified z-score among the county's villages.
    pub interview_z: Option<f64>,
    /// Interviews much shorter than the county's.
    pub interview_flagged: bool,
    /// Share of returns flagged duplicate or copied.
    pub repeat_share: f64,
    /// Its modified z-score.
    pub repeat_z: Option<f64>,
    /// Many more repeated returns than the county's villages.
    pub repeat_flagged: bool,
    /// Any of the three tests flagged the village.
    pub flagged: bool,
}

/// The checks of one county.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountyChecks {
    /// The county (empty when there were no returns).
    pub county_code: String,
    /// Per-return findings, by return id and kind.
    pub flags: Vec<Flag>,
    /// Per-enumerator tests, by enumerator id.
    pub enumerators: Vec<EnumeratorResult>,
    /// Per-village tests, by village code.
    pub villages: Vec<VillageResult>,
}

impl CountyChecks {
    /// The findings counted by kind (the kind's name), with `outlier_enumerators`: the
    /// enumerators an outlier test flagged. What the census tables' quality columns hold.
    pub fn counts_by_kind(&self) -> std::collections::BTreeMap<String, u64> {
        let mut counts = std::collections::BTreeMap::new();
        for f in &self.flags {
            *counts.entry(f.kind.as_str().to_string()).or_default() += 1;
        }
        let outliers = self.enumerators.iter().filter(|e| e.flagged).count() as u64;
        counts.insert("outlier_enumerators".to_string(), outliers);
        counts
    }
}

/// Checks one county's returns. `register` gives the houses' positions (rows of other
/// counties are ignored; a household not in it is not checked for its place). Refuses
/// returns of more than one county.
pub fn check_county(
    returns: &[ReturnRow],
    register: &[RegisterRow],
    q: &Quality,
) -> Result<CountyChecks, ChecksError> {
    let county = returns
        .first()
        .map(|r| r.county_code.clone())
        .unwrap_or_default();
    if let Some(other) = returns.iter().find(|r| r.county_code != county) {
        return Err(ChecksError::MixedCounties {
            expected: county,
            found: other.county_code.clone(),
            return_id: other.return_id.clone(),
        });
    }
    let (mut flags, duplicate) = returns::return_flags(returns, register, q);
    let index: std::collections::HashMap<&str, usize> = returns
        .iter()
        .enumerate()
        .map(|(i, r)| (r.return_id.as_str(), i))
        .collect();
    let mut repeated = vec![false; returns.len()];
    for f in &flags {
        if matches!(f.kind, FlagKind::Duplicate | FlagKind::Copied) {
            if let Some(&i) = index.get(f.return_id.as_str()) {
                repeated[i] = true;
            }
        }
    }
    flags.sort_by(|a, b| (&a.return_id, a.kind).cmp(&(&b.return_id, b.kind)));

    let mut home: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for r in returns {
        home.entry(&r.enumerator_id)
            .or_insert(&r.enumerator_home_county);
    }
    let enumerators = outliers::unit_tests(returns, &duplicate, &repeated, |r| &r.enumerator_id, q)
        .into_iter()
        .map(|(id, t)| {
            let home_county = home.get(id).copied().unwrap_or_default().to_string();
            EnumeratorResult {
                county_code: county.clone(),
                enumerator_id: id.to_string(),
                own_county: home_county == county,
                home_county,
                flagged: t.flagged(),
                returns: t.returns,
                tested_returns: t.tested_returns,
                chi_square: t.chi_square,
                df: t.df,
                p_value: t.p_value,
                p_adjusted: t.p_adjusted,
                distribution_flagged: t.distribution_flagged,
                median_interview_minutes: t.median_interview_minutes,
                interview_z: t.interview_z,
                interview_flagged: t.interview_flagged,
                repeat_share: t.repeat_share,
                repeat_z: t.repeat_z,
                repeat_flagged: t.repeat_flagged,
            }
        })
        .collect();
    let villages = outliers::unit_tests(returns, &duplicate, &repeated, |r| &r.village_code, q)
        .into_iter()
        .map(|(id, t)| VillageResult {
            county_code: county.clone(),
            village_code: id.to_string(),
            flagged: t.flagged(),
            returns: t.returns,
            tested_returns: t.tested_returns,
            chi_square: t.chi_square,
            df: t.df,
            p_value: t.p_value,
            p_adjusted: t.p_adjusted,
            distribution_flagged: t.distribution_flagged,
            median_interview_minutes: t.median_interview_minutes,
            interview_z: t.interview_z,
            interview_flagged: t.interview_flagged,
            repeat_share: t.repeat_share,
            repeat_z: t.repeat_z,
            repeat_flagged: t.repeat_flagged,
        })
        .collect();
    Ok(CountyChecks {
        county_code: county,
        flags,
        enumerators,
        villages,
    })
}
