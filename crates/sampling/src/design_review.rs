//! What a design does to the official rate before anything is drawn. The official rule divides
//! the sample's counts without weights; that is an unbiased estimate only when every household
//! of the cell had the same chance (a self-weighting design). The practice plans take half of
//! the villages from remote areas and a fixed number of households per status per village,
//! so they are not: a household of a small remote village counts for fewer households of the
//! county than one of a large village elsewhere.
//!
//! From the register's counts alone, for each cell an indicator rests on:
//! - the expected weighting effect, Kish's `1 + CV²` of the design weights over the expected
//!   sample: with π_v the village's inclusion probability, k_vs the households taken of the
//!   N_vs of status s and weight `w = N_vs / (π_v k_vs)`,
//!   `deff_w = (Σ π_v k_vs)(Σ N_vs² / (π_v k_vs)) / (Σ N_vs)²` (Kish 1992);
//! - each part of the frame's expected share of the sample's people against its share of the
//!   county's: if a part's rate differs from the rest's by d, the official ratio is off the
//!   design estimate by about `(sample share − population share) × d`.

use crate::plan::{warning, Plan, Problem, Take};
use crate::village::{village_chances, FrameVillage, VillageChance};
use serde::Serialize;

/// A cell of households an indicator rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewCell {
    /// Exited households: the wrong-exit rate.
    Exited,
    /// Non-registered households: the missed rate.
    NonRegistered,
    /// Every sampled household: the approval rate.
    AllStatuses,
}

impl ReviewCell {
    /// Every cell, in report order.
    pub const ALL: [ReviewCell; 3] = [
        ReviewCell::Exited,
        ReviewCell::NonRegistered,
        ReviewCell::AllStatuses,
    ];

    /// Positions in the per-status arrays (exited, poor, non-registered).
    fn statuses(self) -> &'static [usize] {
        match self {
            ReviewCell::Exited => &[0],
            ReviewCell::NonRegistered => &[2],
            ReviewCell::AllStatuses => &[0, 1, 2],
        }
    }

    /// The cell and the indicator it carries, in words.
    pub fn label(self) -> &'static str {
        match self {
            ReviewCell::Exited => "exited households (wrong-exit rate)",
            ReviewCell::NonRegistered => "non-registered households (missed rate)",
            ReviewCell::AllStatuses => "all households (approval rate)",
        }
    }
}

/// One part of the frame's expected share of a cell's sampled people.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartShare {
    /// The stratum, or the independent draws that consider its villages joined by `+`.
    pub part: String,
    /// Its expected share of the cell's sampled people.
    pub sample_share: f64,
    /// Its share of the cell's people in the county.
    pub population_share: f64,
}

impl PartShare {
    /// Sample minus population share: the official ratio moves by this times the part's
    /// rate gap to the rest.
    pub fn drift_per_gap(&self) -> f64 {
        self.sample_share - self.population_share
    }
}

/// What the design does to one cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellReview {
    /// The cell.
    pub cell: ReviewCell,
    /// Households of the cell in the county.
    pub population: u64,
    /// Expected households sampled (primaries, full response).
    pub expected_households: f64,
    /// Kish's 1 + CV² of the weights over the expected sample (1 when self-weighting).
    pub weighting_effect: f64,
    /// Each part of the frame's shares (one part: no drift between parts).
    pub parts: Vec<PartShare>,
}

/// What the design does to one county's cells.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountyReview {
    /// County code.
    pub county: String,
    /// One review per cell with households in the county.
    pub cells: Vec<CellReview>,
}

/// When a design counts as far from self-weighting (from the standards file).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ReviewLimits {
    /// Warn at a weighting effect at or above this.
    pub weighting_effect: f64,
    /// Warn when a part's sample share is off its population share by this or more.
    pub share_gap: f64,
}

/// The design review of one county: its villages' chances from the plan, households taken
/// per village from the plan's takes.
pub fn review_county(plan: &Plan, county: &str, frame: &[FrameVillage]) -> CountyReview {
    let chances = village_chances(plan, frame);
    let cells = ReviewCell::ALL
        .iter()
        .filter_map(|&cell| review_cell(cell, &chances))
        .collect();
    CountyReview {
        county: county.to_string(),
        cells,
    }
}

/// One village-status unit of the expected sample.
struct Unit<'a> {
    part: &'a str,
    /// π_v k_vs: expected households sampled.
    households: f64,
    /// N_vs.
    population: f64,
    /// Expected people sampled: π_v k_vs × mean members.
    sampled_people: f64,
    /// People of the unit.
    people: f64,
}

fn units<'a>(cell: ReviewCell, chances: &'a [VillageChance<'a>]) -> Vec<Unit<'a>> {
    let mut out = Vec::new();
    for chance in chances {
        for &s in cell.statuses() {
            let n = chance.village.households[s];
            if n == 0 || chance.pi <= 0.0 {
                continue;
            }
            let k = match chance.take[s] {
                Take::Count(k) => u64::from(k).min(n),
                Take::All(_) => n,
            };
            let people = chance.village.people[s] as f64;
            let households = chance.pi * k as f64;
            out.push(Unit {
                part: &chance.part,
                households,
                population: n as f64,
                sampled_people: households * people / n as f64,
                people,
            });
        }
    }
    out
}

fn review_cell(cell: ReviewCell, chances: &[VillageChance<'_>]) -> Option<CellReview> {
    let units = units(cell, chances);
    let population: f64 = units.iter().map(|u| u.population).sum();
    let expected: f64 = units.iter().map(|u| u.households).sum();
    if population == 0.0 || expected == 0.0 {
        return None;
    }
    let squares: f64 = units
        .iter()
        .filter(|u| u.households > 0.0)
        .map(|u| u.population * u.population / u.households)
        .sum();
    Some(CellReview {
        cell,
        population: population as u64,
        expected_households: expected,
        weighting_effect: expected * squares / (population * population),
        parts: part_shares(&units),
    })
}

fn part_shares(units: &[Unit<'_>]) -> Vec<PartShare> {
    let mut parts: Vec<&str> = units.iter().map(|u| u.part).collect();
    parts.sort_unstable();
    parts.dedup();
    let sampled: f64 = units.iter().map(|u| u.sampled_people).sum();
    let people: f64 = units.iter().map(|u| u.people).sum();
    parts
        .into_iter()
        .map(|part| {
            let of = |f: fn(&Unit<'_>) -> f64| -> f64 {
                units.iter().filter(|u| u.part == part).map(f).sum()
            };
            PartShare {
                part: part.to_string(),
                sample_share: share(of(|u| u.sampled_people), sampled),
                population_share: share(of(|u| u.people), people),
            }
        })
        .collect()
}

fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        part / whole
    } else {
        0.0
    }
}

impl CountyReview {
    /// Warnings for the cells far from self-weighting.
    pub fn warnings(&self, limits: &ReviewLimits) -> Vec<Problem> {
        let mut out = Vec::new();
        for c in &self.cells {
            let worst = c
                .parts
                .iter()
                .max_by(|a, b| a.drift_per_gap().abs().total_cmp(&b.drift_per_gap().abs()));
            let far_share = worst.filter(|p| p.drift_per_gap().abs() >= limits.share_gap);
            if c.weighting_effect < limits.weighting_effect && far_share.is_none() {
                continue;
            }
            let mut why = format!("weighting effect {:.2}", c.weighting_effect);
            if let Some(p) = far_share {
                why.push_str(&format!(
                    "; `{}` is {:.0}% of the sampled people but {:.0}% of the county's",
                    p.part,
                    100.0 * p.sample_share,
                    100.0 * p.population_share
                ));
            }
            out.push(warning(
                None,
                format!(
                    "county {}: {}: the design is far from self-weighting ({why}), so the \
                     official unweighted rate can drift from the design estimate; decide on \
                     the design estimate, or use an equal-probability plan (docs/verdict.md)",
                    self.county,
                    c.cell.label()
                ),
            ));
        }
        out
    }

    /// The review as readable lines; `gaps` gives, per cell, the rate gap between a part and
    /// the rest at which the drift is shown (the indicator's threshold, say).
    pub fn lines(&self, gap: impl Fn(ReviewCell) -> f64) -> Vec<String> {
        let mut lines = vec![format!("county {}: design review", self.county)];
        for c in &self.cells {
            lines.push(format!(
                "  {}: {} in the county, {:.1} expected in the sample; weighting effect {:.3}",
                c.cell.label(),
                c.population,
                c.expected_households,
                c.weighting_effect
            ));
            let d = gap(c.cell);
            for p in c.parts.iter().filter(|_| c.parts.len() > 1) {
                lines.push(format!(
                    "    {:<24} {:>5.1}% of sampled people, {:>5.1}% of the county's: a rate {:.1} \
                     points higher there moves the official rate by {:+.2} points",
                    p.part,
                    100.0 * p.sample_share,
                    100.0 * p.population_share,
                    100.0 * d,
                    100.0 * d * p.drift_per_gap()
                ));
            }
        }
        lines
    }
}

/// Counties reviewed one by one; a plan over more is summarised per cell.
const COUNTIES_IN_FULL: usize = 5;

/// The review of a plan's counties as lines and warnings: each county in full for a few
/// counties, per cell over all counties for a national plan (800 counties would bury the
/// reader). `gap` as for [`CountyReview::lines`].
pub fn review_report(
    reviews: &[CountyReview],
    limits: &ReviewLimits,
    gap: impl Fn(ReviewCell) -> f64,
) -> (Vec<String>, Vec<Problem>) {
    if reviews.len() <= COUNTIES_IN_FULL {
        let lines = reviews.iter().flat_map(|r| r.lines(&gap)).collect();
        let warnings = reviews.iter().flat_map(|r| r.warnings(limits)).collect();
        return (lines, warnings);
    }
    let mut lines = vec![format!("design review over {} counties", reviews.len())];
    let mut warnings = Vec::new();
    for cell in ReviewCell::ALL {
        let mut effects: Vec<(f64, &str)> = reviews
            .iter()
            .flat_map(|r| {
                r.cells
                    .iter()
                    .filter(|c| c.cell == cell)
                    .map(|c| (c.weighting_effect, r.county.as_str()))
            })
            .collect();
        if effects.is_empty() {
            continue;
        }
        effects.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (largest, county) = effects[effects.len() - 1];
        let warned = reviews
            .iter()
            .filter(|r| {
                r.warnings(limits)
                    .iter()
                    .any(|w| w.message.contains(cell.label()))
            })
            .count();
        lines.push(format!(
            "  {}: weighting effect median {:.3}, largest {largest:.3} (county {county}); {warned} \
             counties far from self-weighting",
            cell.label(),
            effects[effects.len() / 2].0
        ));
        if warned > 0 {
            warnings.push(warning(
                None,
                format!(
                    "{warned} of {} counties: {}: the design is far from self-weighting \
                     (weighting effect up to {largest:.2}, county {county}), so the official \
                     unweighted rate can drift from the design estimate; decide on the design \
                     estimate, or use an equal-probability plan (docs/verdict.md)",
                    reviews.len(),
                    cell.label()
                ),
            ));
        }
    }
    (lines, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use assess_divisions::VillageCode;

    /// Four villages by hand: remote A (10 exited, 30 people) and B (20, 40); other C (30, 90)
    /// and D (40, 120); 30 non-registered households of 3 people in each. One village per
    /// stratum by households, 5 exited taken per village.
    fn county() -> Vec<FrameVillage> {
        [
            (10, 30, true),
            (20, 40, true),
            (30, 90, false),
            (40, 120, false),
        ]
        .iter()
        .enumerate()
        .map(|(i, &(exited, people, remote))| {
            let code = VillageCode::parse(&format!("530128102{:03}", 201 + i)).unwrap();
            let mut v = FrameVillage::new(code);
            v.households = [exited, 0, 30];
            v.people = [people, 0, 90];
            v.remote = Some(remote);
            v
        })
        .collect()
    }

    fn plan(per_village: &str) -> Plan {
        Plan::parse(&format!(
            r#"
[plan]
name = "by hand"
year = 2018
counties = ["530128"]
[villages]
n = 2
[[villages.strata]]
name = "remote"
where = {{ remote = true }}
n = 1
[[villages.strata]]
name = "other"
where = {{ remote = false }}
n = 1
[households]
per_village = {per_village}
"#
        ))
        .unwrap()
    }

    /// Sizes 40, 50 (remote) and 60, 70 (other): λ = 4/9, 5/9, 6/13, 7/13, one village per
    /// stratum. With n = 1 sequential Poisson sampling takes the smaller key: for λ = (a, b),
    /// a + b = 1, a < b, P(U_1/a < U_2/b) = a/(2b), so π = 0.4, 0.6, 3/7, 4/7. Exited, 5 taken:
    /// π k = 2, 3, 15/7, 20/7 (Σ = 10); Σ N²/(π k) = 100/2 + 400/3 + 900·7/15 + 1600·7/20 =
    /// 50 + 133.333 + 420 + 560 = 1163.333; deff = 10 × 1163.333 / 100² = 1.163333. People:
    /// sampled 2·3 + 3·2 + (15/7)·3 + (20/7)·3 = 27, remote 12 → 0.4444; county 70/280 = 0.25.
    #[test]
    fn weighting_effect_and_shares_by_hand() {
        let frame = county();
        let review = review_county(
            &plan("{ exited = 5, non_registered = 30 }"),
            "530128",
            &frame,
        );
        let exited = &review.cells[0];
        assert_eq!(exited.cell, ReviewCell::Exited);
        assert_eq!(exited.population, 100);
        assert!((exited.expected_households - 10.0).abs() < 1e-9);
        let squares = 50.0 + 400.0 / 3.0 + 900.0 * 7.0 / 15.0 + 1600.0 * 7.0 / 20.0;
        assert!((exited.weighting_effect - 10.0 * squares / 1e4).abs() < 1e-9);
        let remote = exited.parts.iter().find(|p| p.part == "remote").unwrap();
        assert!((remote.sample_share - 12.0 / 27.0).abs() < 1e-9);
        assert!((remote.population_share - 0.25).abs() < 1e-12);
        // All 30 non-registered taken in every drawn village: weights 1/π_v, not equal.
        let nr = &review.cells[1];
        assert!((nr.expected_households - 60.0).abs() < 1e-9);
        let pi = [0.4, 0.6, 3.0 / 7.0, 4.0 / 7.0];
        let nr_squares: f64 = pi.iter().map(|p| 900.0 / (30.0 * p)).sum();
        assert!((nr.weighting_effect - 60.0 * nr_squares / 120f64.powi(2)).abs() < 1e-9);
    }

    #[test]
    fn warnings_name_the_cell_and_the_part() {
        let frame = county();
        let review = review_county(
            &plan("{ exited = 5, non_registered = 30 }"),
            "530128",
            &frame,
        );
        let strict = ReviewLimits {
            weighting_effect: 1.1,
            share_gap: 0.1,
        };
        let warnings = review.warnings(&strict);
        assert!(warnings[0].message.contains("wrong-exit rate"));
        assert!(warnings[0]
            .message
            .contains("`remote` is 44% of the sampled people but 25%"));
        let lax = ReviewLimits {
            weighting_effect: 3.0,
            share_gap: 0.5,
        };
        assert!(
            review.warnings(&lax).is_empty(),
            "{:?}",
            review.warnings(&lax)
        );
        let lines = review.lines(|_| 0.02);
        assert!(lines
            .iter()
            .any(|l| l.contains("moves the official rate by +0.39 points")));
    }
}
