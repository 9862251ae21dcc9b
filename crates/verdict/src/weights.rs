//! Final weights of the interviewed households (docs/verdict.md, "Weights").
//!
//! For a respondent in village v and register stratum h (a *cell*):
//! `w = (1/π_v) · N'_hv / r_hv`, where `N'_hv = N_hv · (1 − ineligible share of the cell's
//! visited units whose eligibility was established)` (ineligible households reduce N and are
//! never weighted up; units whose eligibility is unknown take the share of the resolved ones)
//! and `r_hv` counts
//! the cell's interviewed households, primary or reserve (a replaced primary is a
//! non-respondent). A cell without a respondent is collapsed: its `N'_hv/π_v` is spread over the
//! respondent cells of the same village stratum, township and status, else of the same village
//! stratum and status, else (stratified designs only) of the county's status, in proportion to
//! theirs.

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
    /// Variance stratum: the village's part of the frame, or, in a village taken with
    /// certainty, its status cell.
    pub variance_stratum: String,
    /// Primary unit: the village, or the household in a certainty village.
    pub psu: String,
    /// The cell's within-village sampling fraction `r_hv / N'_hv` (at most 1): its respondents
    /// over the eligible households they stand for, for the without-replacement variance.
    pub cell_fraction: f64,
}

impl Respondent<'_> {
    /// Taken with certainty and whole: its village was drawn with certainty and every
    /// household of its status cell was taken (and interviewed), so it adds no sampling
    /// variance (finite population correction 0).
    pub fn taken_whole(&self) -> bool {
        self.household.certainty && self.cell_fraction >= 1.0
    }
}

/// How cells without a respondent were absorbed.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Collapses {
    /// Cells absorbed by their township and status within their village stratum.
    pub into_township: usize,
    /// Cells absorbed by their village stratum and status.
    pub into_village_stratum: usize,
    /// Cells absorbed by the county's status (stratified designs only: never across
    /// independent draws).
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
    /// The village's part of the frame (its stratum).
    part: String,
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
    let mut respondents: Vec<Respondent> = input
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
            // A certainty village is not sampled: only its households are, by status cell, so
            // each cell is a stratum of its own with the households as primary units.
            let (variance_stratum, psu) = if h.certainty {
                (
                    format!("certain:{}:{}", h.village, h.stratum),
                    h.household_id.clone(),
                )
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
    pool_lonely_strata(&mut respondents, &input.collapse_with);
    (respondents, collapses)
}

/// The plan's `collapse_with`: a variance stratum left with one village among the weighted
/// respondents is pooled with its named partner (collapsed strata, Wolter 2007 §2.5), which
/// the plan fixed before the draw, instead of failing as a lonely PSU or being dropped. Not
/// for the parts of independent draws (their names join draws with `+`): the plan check
/// allows `collapse_with` for strata only.
fn pool_lonely_strata(respondents: &mut [Respondent], collapse_with: &BTreeMap<String, String>) {
    if collapse_with.is_empty() || respondents.iter().any(|r| r.variance_stratum.contains('+')) {
        return;
    }
    let mut villages: BTreeMap<&str, std::collections::BTreeSet<&str>> = BTreeMap::new();
    for r in respondents
        .iter()
        .filter(|r| r.weight.is_some() && !r.household.certainty)
    {
        villages
            .entry(r.variance_stratum.as_str())
            .or_default()
            .insert(r.household.village.as_str());
    }
    let pooled: BTreeMap<String, String> = villages
        .iter()
        .filter(|(_, v)| v.len() == 1)
        .filter_map(|(stratum, _)| {
            let partner = collapse_with.get(*stratum)?;
            Some((stratum.to_string(), partner.clone()))
        })
        .collect();
    for r in respondents.iter_mut() {
        if let Some(partner) = pooled.get(&r.variance_stratum) {
            r.variance_stratum = partner.clone();
        }
    }
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
        cell.part = h.frame_part.clone();
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
/// within (village stratum, township, status), else (village stratum, status), else the
/// county's status; never across the parts of independent draws (their parts' names join the
/// draws with `+`), whose villages had different chances.
fn collapse_factors(cells: &BTreeMap<CellKey, Cell>) -> (HashMap<CellKey, f64>, Collapses) {
    let mut factors: HashMap<CellKey, f64> = HashMap::new();
    let mut collapses = Collapses::default();
    let independent = cells.values().any(|c| c.part.contains('+'));
    let levels: [(GroupOf, Level); 3] = [
        (
            |k, c| format!("{}\u{1f}{}\u{1f}{}", c.part, c.township, k.1),
            Level::Township,
        ),
        (
            |k, c| format!("{}\u{1f}{}", c.part, k.1),
            Level::VillageStratum,
        ),
        (|k, _| k.1.clone(), Level::County),
    ];
    // Each cell's total left to place, in the group of the level reached.
    let mut lost: BTreeMap<CellKey, f64> = cells
        .iter()
        .filter(|(_, c)| c.respondents == 0)
        .filter_map(|(k, c)| c.total().map(|t| (k.clone(), t)))
        .collect();
    for (group_of, level) in levels {
        if level == Level::County && independent {
            break;
        }
        let mut by_group: BTreeMap<String, Vec<CellKey>> = BTreeMap::new();
        for k in lost.keys() {
            by_group
                .entry(group_of(k, &cells[k]))
                .or_default()
                .push(k.clone());
        }
        for (group, empty) in by_group {
            let full: Vec<(&CellKey, f64)> = cells
                .iter()
                .filter(|(k, c)| c.respondents > 0 && group_of(k, c) == group)
                .filter_map(|(k, c)| {
                    c.total()
                        .map(|t| (k, t * factors.get(k).copied().unwrap_or(1.0)))
                })
                .collect();
            let kept: f64 = full.iter().map(|f| f.1).sum();
            if kept <= 0.0 {
                continue;
            }
            let placed: f64 = empty.iter().map(|k| lost[k]).sum();
            for (k, _) in full {
                *factors.entry(k.clone()).or_insert(1.0) *= (kept + placed) / kept;
            }
            for k in &empty {
                lost.remove(k);
            }
            *level.count(&mut collapses) += empty.len();
        }
    }
    let without: std::collections::BTreeSet<String> = lost.keys().map(|k| k.1.clone()).collect();
    collapses.strata_without_respondents = without.into_iter().collect();
    (factors, collapses)
}

/// A cell's group at one collapsing level.
type GroupOf = fn(&CellKey, &Cell) -> String;

/// How far a cell without a respondent was collapsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Township,
    VillageStratum,
    County,
}

impl Level {
    fn count(self, c: &mut Collapses) -> &mut usize {
        match self {
            Level::Township => &mut c.into_township,
            Level::VillageStratum => &mut c.into_village_stratum,
            Level::County => &mut c.into_county,
        }
    }
}
