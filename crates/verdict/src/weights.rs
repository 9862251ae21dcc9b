//! Final weights of the interviewed households (docs/verdict.md, "Weights").
//!
//! For a respondent in village v and register stratum h (a *cell*):
//! `w = (1/π_v) · N'_hv / r_hv`, where `N'_hv = N_hv · (1 − ineligible share of the cell's
//! visited units whose eligibility was established)` (ineligible households reduce N and are
//! never weighted up; units whose eligibility is unknown take the share of the resolved ones)
//! and `r_hv` counts
//! the cell's interviewed households, primary or reserve (a replaced primary is a
//! non-respondent). A cell without a respondent is collapsed: its `N'_hv/π_v` is spread over the
//! respondent cells of the same township and stratum, else of the county's stratum, in
//! proportion to theirs.

use crate::input::{CountyInput, DrawnHousehold, Visit};
use assess_inspection::Disposition;
use std::collections::{BTreeMap, HashMap};

/// An interviewed household with its weight and its place in the design.
#[derive(Debug, Clone, PartialEq)]
pub struct Respondent<'a> {
    /// The drawn household.
    pub household: &'a DrawnHousehold,
    /// Its visit.
    pub visit: &'a Visit,
    /// Final weight; `None` in a village taken by hand (no inclusion probability).
    pub weight: Option<f64>,
    /// Variance stratum: the village stratum, or the village itself when taken with certainty.
    pub variance_stratum: String,
    /// Primary unit: the village, or the household in a certainty village.
    pub psu: String,
    /// The cell's within-village sampling fraction `r_hv / N'_hv` (at most 1): its respondents
    /// over the eligible households they stand for, for the without-replacement variance.
    pub cell_fraction: f64,
}

/// How cells without a respondent were absorbed.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Collapses {
    /// Cells absorbed by their township and stratum.
    pub into_township: usize,
    /// Cells absorbed by the county's stratum.
    pub into_county: usize,
    /// Strata with no respondent at all (no estimate possible): their names.
    pub strata_without_respondents: Vec<String>,
}

/// An interview with a household record: the visit counts as a response.
pub fn is_respondent(v: &Visit) -> bool {
    v.judgment.is_some()
        && (v.disposition.is_interview() || v.disposition == Disposition::Relocated)
}

type CellKey = (String, String); // (village, stratum)

#[derive(Default)]
struct Cell {
    population: f64,
    inverse_pi: Option<f64>,
    township: String,
    visited: usize,
    ineligible: usize,
    /// Visited units whose eligibility could not be established (nobody reached, or
    /// eligibility unknown).
    unknown: usize,
    respondents: usize,
}

impl Cell {
    /// The share of the cell's units that are eligible, estimated from the visited units
    /// whose eligibility was established (interviewed, refused, relocated, or found
    /// ineligible): a unit nobody reached is eligible with that same probability, not surely
    /// (the unknown-eligibility adjustment: AAPOR's `e`, Valliant, Dever & Kreuter 2018,
    /// ch. 13). 1 before any resolved visit.
    fn eligible_share(&self) -> f64 {
        let resolved = self.visited - self.unknown;
        if resolved == 0 {
            1.0
        } else {
            1.0 - self.ineligible as f64 / resolved as f64
        }
    }

    /// `N'_hv / π_v`: the eligible households the cell stands for.
    fn total(&self) -> Option<f64> {
        let share = self.eligible_share();
        self.inverse_pi.map(|ip| ip * self.population * share)
    }

    /// `r_hv / N'_hv`, at most 1 (1 when the cell's size is not known).
    fn fraction(&self) -> f64 {
        let eligible = self.population * self.eligible_share();
        if eligible > 0.0 {
            (self.respondents as f64 / eligible).min(1.0)
        } else {
            1.0
        }
    }
}

/// The respondents of a county with their final weights.
pub fn weigh(input: &CountyInput) -> (Vec<Respondent<'_>>, Collapses) {
    let visit_of: HashMap<&str, &Visit> = input
        .visits
        .iter()
        .map(|v| (v.household_id.as_str(), v))
        .collect();
    let cells = tally_cells(input, &visit_of);
    let (factors, collapses) = collapse_factors(&cells);
    let respondents = input
        .households
        .iter()
        .filter_map(|h| {
            let visit = visit_of.get(h.household_id.as_str()).copied()?;
            if !is_respondent(visit) {
                return None;
            }
            let key = (h.village.clone(), h.stratum.clone());
            let cell = &cells[&key];
            let weight = cell
                .total()
                .map(|t| t * factors.get(&key).copied().unwrap_or(1.0) / cell.respondents as f64);
            let (variance_stratum, psu) = if h.certainty {
                (format!("certain:{}", h.village), h.household_id.clone())
            } else {
                // The frame's part, not the label of the draws that took the village: with
                // independent draws that label is an outcome of the sample, not a stratum.
                (h.frame_part.clone(), h.village.clone())
            };
            Some(Respondent {
                household: h,
                visit,
                weight,
                variance_stratum,
                psu,
                cell_fraction: cell.fraction(),
            })
        })
        .collect();
    (respondents, collapses)
}

fn tally_cells(input: &CountyInput, visit_of: &HashMap<&str, &Visit>) -> BTreeMap<CellKey, Cell> {
    let mut cells: BTreeMap<CellKey, Cell> = BTreeMap::new();
    for h in &input.households {
        let cell = cells
            .entry((h.village.clone(), h.stratum.clone()))
            .or_default();
        cell.population = h.cell_population;
        cell.inverse_pi = h.pi_village.filter(|p| *p > 0.0).map(|p| 1.0 / p);
        cell.township = h.township.clone();
        if let Some(v) = visit_of.get(h.household_id.as_str()) {
            cell.visited += 1;
            match v.disposition {
                Disposition::Ineligible(_) => cell.ineligible += 1,
                Disposition::NonContact | Disposition::EligibilityUnknown => cell.unknown += 1,
                _ => {}
            }
            if is_respondent(v) {
                cell.respondents += 1;
            }
        }
    }
    cells
}

/// Factors by which respondent cells are scaled to cover the cells without a respondent:
/// first within (township, stratum), then within the county's stratum.
fn collapse_factors(cells: &BTreeMap<CellKey, Cell>) -> (HashMap<CellKey, f64>, Collapses) {
    let mut factors: HashMap<CellKey, f64> = HashMap::new();
    let mut collapses = Collapses::default();
    let with_total = |pred: &dyn Fn(&CellKey, &Cell) -> bool| -> Vec<(&CellKey, f64)> {
        cells
            .iter()
            .filter(|(k, c)| pred(k, c))
            .filter_map(|(k, c)| c.total().map(|t| (k, t)))
            .collect()
    };
    let mut orphans: BTreeMap<String, f64> = BTreeMap::new(); // stratum -> total left over
    let mut groups: BTreeMap<(String, String), ()> = BTreeMap::new();
    for ((_, stratum), c) in cells {
        groups.insert((c.township.clone(), stratum.clone()), ());
    }
    for (township, stratum) in groups.keys() {
        let in_group = |k: &CellKey, c: &Cell| &k.1 == stratum && &c.township == township;
        let empty = with_total(&|k, c| in_group(k, c) && c.respondents == 0);
        if empty.is_empty() {
            continue;
        }
        let full = with_total(&|k, c| in_group(k, c) && c.respondents > 0);
        let lost: f64 = empty.iter().map(|e| e.1).sum();
        let kept: f64 = full.iter().map(|f| f.1).sum();
        if kept > 0.0 {
            collapses.into_township += empty.len();
            for (k, _) in full {
                *factors.entry(k.clone()).or_insert(1.0) *= (kept + lost) / kept;
            }
        } else {
            collapses.into_county += empty.len();
            *orphans.entry(stratum.clone()).or_default() += lost;
        }
    }
    for (stratum, lost) in orphans {
        let full = with_total(&|k, c| k.1 == stratum && c.respondents > 0);
        let kept: f64 = full
            .iter()
            .map(|(k, t)| t * factors.get(*k).copied().unwrap_or(1.0))
            .sum();
        if kept > 0.0 {
            for (k, _) in full {
                *factors.entry(k.clone()).or_insert(1.0) *= (kept + lost) / kept;
            }
        } else {
            collapses.strata_without_respondents.push(stratum);
        }
    }
    (factors, collapses)
}
