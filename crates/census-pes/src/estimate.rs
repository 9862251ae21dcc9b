//! Disagreement rates with their intervals, through the survey engine.
//!
//! Per county the re-interview sample is a simple random sample without replacement of the
//! county's N enumerated households (the n lowest tickets, [`crate::draw`]); the households
//! re-interviewed are taken as a random subsample of those drawn (missing at random within
//! the county), so each has weight N / m (m re-interviewed) and the finite population
//! correction is N. The rate of an item is the proportion of households whose two interviews
//! disagree, among those where both tell; its interval is Korn and Graubard's (Clopper-Pearson
//! at the effective sample size), which stays above 0 when no disagreement was seen
//! (docs/census.md, "Post-enumeration survey"). Across counties, the counties are strata.

use crate::compare::{Comparison, ITEMS};
use crate::draw::{PesError, Selection};
use assess_survey::{estimate, CiMethod, Design, Domains, EstimateOptions, Statistic};
use serde::Serialize;

/// One item's disagreement rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemRate {
    /// The item's name ([`Item::as_str`]), or `any` for any item disagreeing.
    pub item: &'static str,
    /// Households where both interviews tell.
    pub compared: usize,
    /// Of those, households whose interviews disagree.
    pub disagreements: usize,
    /// Estimated share of the county's (or all counties') households whose census answer
    /// disagrees with a re-interview.
    pub estimate: f64,
    /// Lower bound of the interval.
    pub lci: f64,
    /// Upper bound of the interval.
    pub uci: f64,
}

/// A county's PES (or, from [`estimate_all`], all counties').
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PesCounty {
    /// The county (`all` for every county together).
    pub county_code: String,
    /// Enumerated households (N).
    pub frame_size: u64,
    /// Households drawn.
    pub drawn: usize,
    /// Households re-interviewed (m).
    pub reinterviewed: usize,
    /// Any item disagreeing.
    pub any: ItemRate,
    /// Each item, in [`ITEMS`] order.
    pub items: Vec<ItemRate>,
}

/// A county's rates from its draw and the comparisons of the households re-interviewed
/// (`comparisons` of households not drawn are refused).
pub fn estimate_county(
    drawn: &[Selection],
    comparisons: &[Comparison],
    confidence: f64,
) -> Result<PesCounty, PesError> {
    let county = drawn
        .first()
        .map(|s| s.county_code.clone())
        .unwrap_or_default();
    let rows = responded(drawn, comparisons, &county)?;
    let frame_size = drawn.first().map_or(0, |s| s.frame_size);
    let groups = [(county.as_str(), frame_size, rows)];
    rates(&county, frame_size, drawn.len(), &groups, confidence)
}

/// All counties together: strata are counties, each weighted to its frame.
pub fn estimate_all(
    counties: &[(Vec<Selection>, Vec<Comparison>)],
    confidence: f64,
) -> Result<PesCounty, PesError> {
    let mut groups = Vec::new();
    for (drawn, comparisons) in counties {
        let county = drawn.first().map(|s| s.county_code.as_str()).unwrap_or("");
        let rows = responded(drawn, comparisons, county)?;
        groups.push((county, drawn.first().map_or(0, |s| s.frame_size), rows));
    }
    let frame = groups.iter().map(|g| g.1).sum();
    let drawn = counties.iter().map(|c| c.0.len()).sum();
    rates("all", frame, drawn, &groups, confidence)
}

/// The comparisons of households drawn, refusing any other.
fn responded<'a>(
    drawn: &[Selection],
    comparisons: &'a [Comparison],
    county: &str,
) -> Result<Vec<&'a Comparison>, PesError> {
    let ids: std::collections::HashSet<&str> =
        drawn.iter().map(|s| s.household_id.as_str()).collect();
    comparisons
        .iter()
        .map(|c| {
            if ids.contains(c.household_id.as_str()) {
                Ok(c)
            } else {
                Err(PesError::NotDrawn {
                    county: county.to_string(),
                    household_id: c.household_id.clone(),
                })
            }
        })
        .collect()
}

fn rates(
    county: &str,
    frame_size: u64,
    drawn: usize,
    groups: &[(&str, u64, Vec<&Comparison>)],
    confidence: f64,
) -> Result<PesCounty, PesError> {
    let mut weights = Vec::new();
    let mut strata = Vec::new();
    let mut psus = Vec::new();
    let mut fpc = Vec::new();
    let mut rows: Vec<&Comparison> = Vec::new();
    for (stratum, n_frame, comps) in groups {
        let m = comps.len() as f64;
        for c in comps {
            weights.push(*n_frame as f64 / m);
            strata.push(stratum.to_string());
            psus.push(c.household_id.clone());
            fpc.push(*n_frame as f64);
            rows.push(c);
        }
    }
    let reinterviewed = rows.len();
    let design = (!rows.is_empty())
        .then(|| {
            Design::builder(rows.len())
                .weights(weights)
                .strata(strata)
                .psu(psus)
                .fpc(fpc)
                .build()
                .map_err(|e| PesError::Survey(e.to_string()))
        })
        .transpose()?;
    let rate = |item: &'static str, values: Vec<Option<bool>>| -> Result<ItemRate, PesError> {
        let compared = values.iter().flatten().count();
        let disagreements = values.iter().flatten().filter(|d| **d).count();
        let (estimate_, lci, uci) = match (&design, compared) {
            (Some(design), 1..) => {
                let options = EstimateOptions {
                    confidence,
                    ci: Some(CiMethod::KornGraubard),
                    ..Default::default()
                };
                let e = estimate(
                    design,
                    Statistic::Proportion(&values),
                    Domains::All,
                    &options,
                )
                .and_then(|e| e.single())
                .map_err(|e| PesError::Survey(e.to_string()))?;
                (e.estimate, e.lci, e.uci)
            }
            _ => (f64::NAN, 0.0, 1.0),
        };
        Ok(ItemRate {
            item,
            compared,
            disagreements,
            estimate: estimate_,
            lci,
            uci,
        })
    };
    let any = rate("any", rows.iter().map(|c| c.any()).collect())?;
    let items = ITEMS
        .iter()
        .enumerate()
        .map(|(i, item)| rate(item.as_str(), rows.iter().map(|c| c.disagrees[i]).collect()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PesCounty {
        county_code: county.to_string(),
        frame_size,
        drawn,
        reinterviewed,
        any,
        items,
    })
}
