//! Weighted estimates for the sampled non-poverty counties (issue 15, section 6;
//! docs/census.md, "Sampled non-poverty counties").
//!
//! Beside the 832 poverty counties, the 2020 census enumerated every registered household of
//! a stratified cluster sample of 100 other counties (docs/sources.md#census-2020): counties
//! are the clusters, drawn within strata, and every registered household of a drawn county was
//! enumerated. Their results are therefore estimates for all non-poverty counties, with
//! sampling error: each drawn county of stratum h stands for `N_h / n_h` counties (`N_h`
//! counties in the stratum, `n_h` drawn), and the survey engine gives the Taylor variance of a
//! stratified single-stage cluster sample without replacement (finite population correction
//! `N_h`; Cochran 1977, ch. 6 and 9; docs/estimation.md). No I/O.

use crate::coverage;
use crate::error::TablesError;
use assess_census::{RegisterRow, ReturnRow};
use assess_survey::{
    estimate, CiMethod, Design, Domains, EstimateError, EstimateOptions, LonelyPsu, Statistic,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// A drawn county of the sample of non-poverty counties (one row of the design file).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampledCounty {
    /// The county (6 digits).
    pub county_code: String,
    /// Its stratum in the county sample.
    pub stratum: String,
    /// Counties in that stratum (drawn or not), `N_h`.
    pub stratum_counties: u32,
}

/// One weighted estimate: the share of registered households, among those enumerated with a
/// known value, for whom the indicator holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampledEstimate {
    /// What is estimated (one of [`SAMPLED_INDICATORS`]).
    pub indicator: &'static str,
    /// Households with a known value.
    pub n: usize,
    /// The estimate (`None` when no household has a known value).
    pub estimate: Option<f64>,
    /// Standard error.
    pub se: Option<f64>,
    /// Lower bound (Korn-Graubard).
    pub lci: Option<f64>,
    /// Upper bound (Korn-Graubard).
    pub uci: Option<f64>,
    /// Design effect against simple random sampling of `n` households with replacement
    /// (`None` when it cannot be told: no variance under simple random sampling).
    pub deff: Option<f64>,
}

/// The design as it was used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampledSummary {
    /// Strata of the county sample.
    pub strata: usize,
    /// Counties drawn.
    pub counties_drawn: usize,
    /// Counties in all strata (`Σ N_h`).
    pub counties_in_strata: u64,
    /// Registered households enumerated in the drawn counties, each once.
    pub households: usize,
    /// Confidence level of the intervals.
    pub confidence: f64,
}

/// The estimates and the design summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampledEstimates {
    /// The design.
    pub design: SampledSummary,
    /// One estimate per indicator, in the order of [`SAMPLED_INDICATORS`].
    pub estimates: Vec<SampledEstimate>,
}

/// A problem with the design, or with what was handed over for it.
#[derive(Debug, thiserror::Error)]
pub enum SampledError {
    /// A stratum with more drawn counties than it has.
    #[error("stratum {stratum} has {drawn} drawn counties but says it has {counties}: the count of counties in a stratum includes those drawn")]
    StratumTooSmall {
        /// The stratum.
        stratum: String,
        /// Counties drawn in it.
        drawn: u32,
        /// Counties it says it has.
        counties: u32,
    },
    /// The rows of one stratum disagree on its count of counties.
    #[error("stratum {stratum} is said to have {first} counties and also {second}: give one count for every county of a stratum")]
    StratumCountsDiffer {
        /// The stratum.
        stratum: String,
        /// The first count.
        first: u32,
        /// Another count.
        second: u32,
    },
    /// A stratum of no counties.
    #[error("stratum {0} is said to have 0 counties")]
    NoCounties(String),
    /// A county given twice.
    #[error("county {0} is listed twice in the county sample: list each drawn county once")]
    Twice(String),
    /// An empty design.
    #[error("the county sample lists no county")]
    NoDesign,
    /// A county added that the design does not list.
    #[error("county {0} is not in the county sample")]
    NotDrawn(String),
    /// A county added twice.
    #[error("county {0} was added twice")]
    AddedTwice(String),
    /// A drawn county never added.
    #[error("county {0} of the county sample was not added")]
    NotAdded(String),
    /// No enumerated registered household in the drawn counties.
    #[error("the drawn counties have no enumerated registered household")]
    Empty,
    /// The county's rows could not be counted.
    #[error("counting county {county}")]
    County {
        /// The county.
        county: String,
        /// Why.
        #[source]
        source: TablesError,
    },
    /// The survey engine refused.
    #[error("the survey engine refused the design")]
    Survey(#[source] Box<dyn std::error::Error + Send + Sync>),
}

type Value = fn(&ReturnRow) -> Option<bool>;

/// The indicators estimated, each a share of enumerated registered households: income at or
/// above the line, each of the five guarantees, all five, and poor (below the line or a
/// guarantee unmet).
pub const SAMPLED_INDICATORS: [&str; 8] = [
    "income",
    "food_clothing",
    "education",
    "medical",
    "housing",
    "water",
    "guarantees",
    "poor",
];

const VALUES: [Value; 8] = [
    |r| r.income_ok,
    |r| r.food_clothing,
    |r| r.education,
    |r| r.medical,
    |r| r.housing,
    |r| r.water,
    |r| r.guarantees,
    |r| r.poor,
];

/// The estimator, fed one drawn county at a time: [`new`](Self::new) with the design, then
/// [`add_county`](Self::add_county) for every drawn county, then [`finish`](Self::finish).
///
/// Memory: 8 bytes per counted household.
#[derive(Debug)]
pub struct SampledEstimator {
    design: BTreeMap<String, SampledCounty>,
    /// Per stratum: counties drawn `n_h` and counties `N_h`.
    strata: BTreeMap<String, (u32, u32)>,
    /// Each added county's households: one byte per indicator (0 no, 1 yes, 2 unknown).
    households: BTreeMap<String, Vec<[u8; 8]>>,
}

impl SampledEstimator {
    /// Checks the design: each county once, every stratum with one count of counties, at
    /// least as many as are drawn from it.
    pub fn new(design: &[SampledCounty]) -> Result<SampledEstimator, SampledError> {
        if design.is_empty() {
            return Err(SampledError::NoDesign);
        }
        let mut counties = BTreeMap::new();
        let mut strata: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
        for c in design {
            if counties.insert(c.county_code.clone(), c.clone()).is_some() {
                return Err(SampledError::Twice(c.county_code.clone()));
            }
            if c.stratum_counties == 0 {
                return Err(SampledError::NoCounties(c.stratum.clone()));
            }
            let e = strata
                .entry(c.stratum.as_str())
                .or_insert((0, c.stratum_counties));
            if e.1 != c.stratum_counties {
                return Err(SampledError::StratumCountsDiffer {
                    stratum: c.stratum.clone(),
                    first: e.1,
                    second: c.stratum_counties,
                });
            }
            e.0 += 1;
        }
        for (stratum, (n, big_n)) in &strata {
            if n > big_n {
                return Err(SampledError::StratumTooSmall {
                    stratum: stratum.to_string(),
                    drawn: *n,
                    counties: *big_n,
                });
            }
        }
        Ok(SampledEstimator {
            design: counties,
            strata: strata
                .into_iter()
                .map(|(s, counts)| (s.to_string(), counts))
                .collect(),
            households: BTreeMap::new(),
        })
    }

    /// The drawn counties, sorted.
    pub fn counties(&self) -> impl Iterator<Item = &str> {
        self.design.keys().map(String::as_str)
    }

    /// Adds a drawn county from its register rows and returns (of this county only). Its
    /// registered households (exited or poor) with an `enumerated` return count, each once,
    /// by the return the tables count (the earliest by start time, then by return id).
    pub fn add_county(
        &mut self,
        county: &str,
        register: &[RegisterRow],
        returns: &[ReturnRow],
    ) -> Result<(), SampledError> {
        if !self.design.contains_key(county) {
            return Err(SampledError::NotDrawn(county.to_string()));
        }
        if self.households.contains_key(county) {
            return Err(SampledError::AddedTwice(county.to_string()));
        }
        let (_, counted) =
            coverage::county(county, register, returns).map_err(|source| SampledError::County {
                county: county.to_string(),
                source,
            })?;
        let rows = counted
            .iter()
            .map(|r| VALUES.map(|v| v(r).map_or(2, u8::from)))
            .collect();
        self.households.insert(county.to_string(), rows);
        Ok(())
    }

    /// The estimates, with Korn-Graubard intervals at `confidence`. Every drawn county must
    /// have been added. A drawn county without counted households stays in the design as a
    /// cluster of zero totals; a stratum with one drawn county of several gives no variance
    /// of its own (it is left out of the variance, R's `survey.lonely.psu = "remove"`), and
    /// one drawn with certainty (`n_h = N_h`) none at all.
    pub fn finish(self, confidence: f64) -> Result<SampledEstimates, SampledError> {
        if let Some(c) = self
            .design
            .keys()
            .find(|c| !self.households.contains_key(*c))
        {
            return Err(SampledError::NotAdded(c.clone()));
        }
        let households: usize = self.households.values().map(Vec::len).sum();
        if households == 0 {
            return Err(SampledError::Empty);
        }
        // One design row per household; a county without households gets one row with no
        // values, so that it stays a cluster of the design.
        let mut county_of: Vec<&SampledCounty> = Vec::new();
        let mut values: Vec<[u8; 8]> = Vec::new();
        for (code, rows) in &self.households {
            let c = &self.design[code];
            if rows.is_empty() {
                county_of.push(c);
                values.push([2; 8]);
            }
            for r in rows {
                county_of.push(c);
                values.push(*r);
            }
        }
        let design = Design::builder(values.len())
            .weights(
                county_of
                    .iter()
                    .map(|c| f64::from(c.stratum_counties) / f64::from(self.strata[&c.stratum].0))
                    .collect(),
            )
            .strata(county_of.iter().map(|c| c.stratum.clone()))
            .psu(county_of.iter().map(|c| c.county_code.clone()))
            .fpc(
                county_of
                    .iter()
                    .map(|c| f64::from(c.stratum_counties))
                    .collect(),
            )
            .lonely_psu(LonelyPsu::Remove)
            .build()
            .map_err(|e| SampledError::Survey(Box::new(e)))?;
        let options = EstimateOptions {
            confidence,
            ci: Some(CiMethod::KornGraubard),
            ..Default::default()
        };
        let mut estimates = Vec::with_capacity(SAMPLED_INDICATORS.len());
        for (k, indicator) in SAMPLED_INDICATORS.iter().enumerate() {
            let column: Vec<Option<bool>> = values
                .iter()
                .map(|v| match v[k] {
                    2 => None,
                    b => Some(b == 1),
                })
                .collect();
            let e = estimate(
                &design,
                Statistic::Proportion(&column),
                Domains::All,
                &options,
            )
            .and_then(|e| e.single());
            estimates.push(match e {
                Ok(e) => SampledEstimate {
                    indicator,
                    n: e.n,
                    estimate: Some(e.estimate),
                    se: Some(e.se),
                    lci: Some(e.lci),
                    uci: Some(e.uci),
                    deff: e.deff.is_finite().then_some(e.deff),
                },
                Err(EstimateError::NoObservations) => SampledEstimate {
                    indicator,
                    n: 0,
                    estimate: None,
                    se: None,
                    lci: None,
                    uci: None,
                    deff: None,
                },
                Err(e) => return Err(SampledError::Survey(Box::new(e))),
            });
        }
        Ok(SampledEstimates {
            design: SampledSummary {
                strata: self.strata.len(),
                counties_drawn: self.design.len(),
                counties_in_strata: self.strata.values().map(|s| u64::from(s.1)).sum(),
                households,
                confidence,
            },
            estimates,
        })
    }
}

/// The columns of [`sampled_csv`].
pub const SAMPLED_COLUMNS: [&str; 10] = [
    "indicator",
    "n",
    "estimate",
    "se",
    "lci",
    "uci",
    "deff",
    "strata",
    "counties_drawn",
    "households",
];

/// The estimates as CSV ([`SAMPLED_COLUMNS`]), one row per indicator, an unknown value
/// empty; the last three columns repeat the design summary on every row.
pub fn sampled_csv(e: &SampledEstimates) -> Result<Vec<u8>, TablesError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let cell = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    w.write_record(SAMPLED_COLUMNS).map_err(TablesError::Csv)?;
    let d = &e.design;
    for r in &e.estimates {
        w.write_record([
            r.indicator.to_string(),
            r.n.to_string(),
            cell(r.estimate),
            cell(r.se),
            cell(r.lci),
            cell(r.uci),
            cell(r.deff),
            d.strata.to_string(),
            d.counties_drawn.to_string(),
            d.households.to_string(),
        ])
        .map_err(TablesError::Csv)?;
    }
    w.into_inner()
        .map_err(|e| TablesError::Csv(e.into_error().into()))
}

/// A bad row of the design file: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}{}: {message}", column.as_ref().map(|c| format!(", column {c}")).unwrap_or_default())]
pub struct DesignRowError {
    /// The line (1 is the header).
    pub line: u64,
    /// The column, by its name in the file's header.
    pub column: Option<String>,
    /// What is wrong and what to do.
    pub message: String,
}

/// The design file's columns, each with the Chinese header also accepted.
pub const DESIGN_COLUMNS: [(&str, &str); 3] = [
    ("county_code", "县代码"),
    ("stratum", "层"),
    ("stratum_counties", "层内县数"),
];

/// Reads the design file (CSV, UTF-8 with or without a byte-order mark): columns
/// `county_code,stratum,stratum_counties` by name, in any order, or their Chinese headers
/// `县代码,层,层内县数` ([`DESIGN_COLUMNS`]); other columns are ignored. Refuses a county
/// code that is not 6 digits, an empty stratum, a count of counties that is not a whole
/// number above 0, and a county listed twice, each with its line and column; the checks
/// across rows are [`SampledEstimator::new`]'s.
pub fn parse_design(text: &[u8]) -> Result<Vec<SampledCounty>, DesignRowError> {
    let text = text.strip_prefix("\u{feff}".as_bytes()).unwrap_or(text);
    let bad = |line: u64, column: Option<&str>, message: String| DesignRowError {
        line,
        column: column.map(str::to_string),
        message,
    };
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text);
    let headers = reader
        .headers()
        .map_err(|e| bad(1, None, e.to_string()))?
        .clone();
    let mut at = [0usize; 3];
    for (k, (en, zh)) in DESIGN_COLUMNS.iter().enumerate() {
        at[k] = headers
            .iter()
            .position(|h| h.trim() == *en || h.trim() == *zh)
            .ok_or_else(|| {
                bad(
                    1,
                    None,
                    format!(
                        "no column {en} ({zh}); the design file has the columns county_code,stratum,stratum_counties"
                    ),
                )
            })?;
    }
    let mut out: Vec<SampledCounty> = Vec::new();
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    for rec in reader.records() {
        let line = |e: &csv::Error| e.position().map_or(0, |p| p.line());
        let rec = rec.map_err(|e| bad(line(&e), None, e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let field = |k: usize| rec.get(at[k]).unwrap_or("").trim();
        let name = |k: usize| Some(headers.get(at[k]).unwrap_or(DESIGN_COLUMNS[k].0).trim());
        let county = field(0);
        if county.len() != 6 || !county.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(
                line,
                name(0),
                format!("{county:?} is not a county code; give the county's 6 digits"),
            ));
        }
        let stratum = field(1);
        if stratum.is_empty() {
            return Err(bad(
                line,
                name(1),
                "no stratum; name the county's stratum".into(),
            ));
        }
        let counties: u32 = match field(2).parse() {
            Ok(n) if n > 0 => n,
            _ => {
                return Err(bad(
                    line,
                    name(2),
                    format!(
                        "{:?} is not a count of counties; give the number of counties in the stratum (drawn or not), a whole number above 0",
                        field(2)
                    ),
                ))
            }
        };
        if let Some(first) = seen.insert(county.to_string(), line) {
            return Err(bad(
                line,
                name(0),
                format!("county {county} is already on line {first}; list each drawn county once"),
            ));
        }
        out.push(SampledCounty {
            county_code: county.to_string(),
            stratum: stratum.to_string(),
            stratum_counties: counties,
        });
    }
    if out.is_empty() {
        return Err(bad(
            1,
            None,
            "no county; list the drawn counties, one a line".into(),
        ));
    }
    Ok(out)
}
