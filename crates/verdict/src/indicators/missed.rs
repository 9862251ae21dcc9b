//! The missed-assessment rate over one of its two denominators (a setting): the people of the
//! sampled non-registered households, as the other rates, or the register's non-registered
//! people of the sampled villages, with its variance linearised over villages
//! (docs/verdict.md, "The missed rate's two denominators").

use super::design::Context;
use super::finding::Rate;
use super::official::Official;

use super::ratio::{self, Linearised};
use super::reading::{self, Values};
use super::Kind;
use crate::input::VillageNonRegistered;
use crate::settings::MissedDenominator;
use crate::VerdictError;
use std::collections::HashMap;

/// The missed rate over the denominator the settings name.
pub(super) fn rate(ctx: &Context) -> Result<Linearised, VerdictError> {
    match (ctx.settings.missed_denominator, ctx.villages) {
        (MissedDenominator::SampledHouseholds, _) => ratio::rate(ctx, Rate::Missed),
        (MissedDenominator::SampledVillages, Some(villages)) => over_villages(ctx, villages),
        (MissedDenominator::SampledVillages, None) => Err(VerdictError::NoVillagePopulation),
    }
}

/// The missed rate over the non-registered people of the sampled villages. Official: the
/// rule's words, missed people found / `D = Σ_v NR_v`, when the plan took every
/// non-registered household of the sampled villages; otherwise extrapolated from each
/// village's sampled households ([`OfficialOverVillages`]). Design:
/// `R̂ = Σ w y / X̂`, `X̂ = Σ_v NR_v / π_v` over the sampled villages with an inclusion
/// probability: the estimated missed people of the county over its non-registered people
/// estimated from the register's known village counts.
fn over_villages(
    ctx: &Context,
    villages: &[VillageNonRegistered],
) -> Result<Linearised, VerdictError> {
    let kind = Kind::MissedRate;
    let o = Official::sums(&ctx.rows, Rate::Missed).nonempty(Rate::Missed)?;
    let people = VillagePeople::of(villages)?;
    let numerator = ctx.columns(Rate::Missed).numerator;
    let w = ctx.design.weights();
    let y_hat: f64 = (0..ctx.design.n_rows())
        .map(|i| w[i] * numerator[i].unwrap_or(0.0))
        .sum();
    let r_hat = y_hat / people.x_hat;
    let z = linearise(ctx, &numerator, &people, r_hat);
    let zs: Vec<Option<f64>> = z.iter().copied().map(Some).collect();
    let v = ctx.variance_of_total(kind, &zs)?;
    let n = o.households as f64;
    let srs = r_hat * (1.0 - r_hat) / n;
    let missing = ctx.nonresponse.non_registered_people + o.unknown_units;
    let official = OfficialOverVillages::of(ctx, villages, &o, missing);
    let mut indicator = reading::indicator(
        ctx,
        Values {
            kind,
            official: official.value,
            design: r_hat,
            variance: v.variance,
            df: ctx.df(v.df, |row| numerator[row].is_some()),
            deff: v.variance / srs,
            weighting_effect: assess_survey::kish(
                (0..ctx.design.n_rows())
                    .filter(|&i| numerator[i].is_some())
                    .map(|i| w[i]),
            ),
            numerator: official.numerator,
            denominator: official.denominator,
            households: o.households,
            sampled: o.sampled,
            unknown: o.unknown,
            bounds: official.bounds,
            known: 0.0,
            shape: ctx.shape(|r| Rate::Missed.counted(r).map(|_| Rate::Missed.unit(r))),
        },
    )?;
    indicator.notes.extend(official.note);
    Ok(Linearised {
        indicator,
        z,
        sampled: o.sampled,
    })
}

/// The official missed rate over the villages' non-registered people.
///
/// The rule divides the missed people found by all the non-registered people of the sampled
/// villages. That is the rate only when the plan visits every non-registered household of
/// those villages. When it samples some (about 25 of hundreds), the same division gives the
/// rate times the sampled share, about a tenth of it: a county with 18% missed would show
/// under 2%. So the rule's literal value is kept only for take-all villages; otherwise each
/// village's rate among its sampled households is applied to its people and summed,
/// `Σ_v NR_v · y_v / m_v / Σ_v NR_v` over the villages with a sampled non-registered household
/// (a village without one has no rate to apply), and a note says so.
struct OfficialOverVillages {
    value: f64,
    numerator: f64,
    denominator: f64,
    bounds: (f64, f64),
    note: Option<String>,
}

impl OfficialOverVillages {
    fn of(
        ctx: &Context,
        villages: &[VillageNonRegistered],
        o: &Official,
        missing: f64,
    ) -> OfficialOverVillages {
        let literal_d: f64 = villages.iter().map(|v| v.people).sum();
        if villages.iter().all(|v| v.take_all) {
            // D counts every sampled village's people already: the missing add to y only.
            return OfficialOverVillages {
                value: o.y / literal_d,
                numerator: o.y,
                denominator: literal_d,
                bounds: o.bounds(literal_d, missing),
                note: None,
            };
        }
        // (y_v, m_v): missed and all people of the village's sampled households with a finding.
        let mut found: HashMap<&str, (f64, f64)> = HashMap::new();
        for (r, row) in ctx.respondents.iter().zip(&ctx.rows) {
            if let Some(missed) = Rate::Missed.counted(row).filter(|_| row.official) {
                let cell = found.entry(r.household.village.as_str()).or_default();
                cell.1 += row.people;
                if missed {
                    cell.0 += row.people;
                }
            }
        }
        let (mut numerator, mut denominator) = (0.0, 0.0);
        for v in villages {
            if let Some(&(y, m)) = found.get(v.village.as_str()).filter(|c| c.1 > 0.0) {
                numerator += v.people * y / m;
                denominator += v.people;
            }
        }
        let value = if denominator > 0.0 {
            numerator / denominator
        } else {
            0.0
        };
        // Non-response: the missing people counted missed, at the sample's people.
        let upper = (value + missing / o.m).min(1.0);
        let literal = o.y / literal_d;
        OfficialOverVillages {
            value,
            numerator,
            denominator,
            bounds: (value, upper),
            note: Some(format!(
                "official value extrapolated: the plan does not visit every non-registered \
                 household of the sampled villages, so each village's rate among its sampled \
                 households is applied to its non-registered people ({:.1} missed of {:.0}); \
                 the rule's literal division of the {:.0} missed people found by all {:.0} \
                 would give {:.2}%, the rate times the sampled share",
                numerator,
                denominator,
                o.y,
                literal_d,
                100.0 * literal
            )),
        }
    }
}

/// The register's non-registered people of the sampled villages.
struct VillagePeople<'v> {
    /// `NR_v / π_v` of each sampled village with an inclusion probability.
    expanded: Vec<(&'v str, f64)>,
    /// `X̂ = Σ_v NR_v / π_v`: the design denominator.
    x_hat: f64,
}

impl<'v> VillagePeople<'v> {
    /// The design's denominator, or an error when it (or the official one, `D = Σ_v NR_v`)
    /// is empty.
    fn of(villages: &'v [VillageNonRegistered]) -> Result<VillagePeople<'v>, VerdictError> {
        let d: f64 = villages.iter().map(|v| v.people).sum();
        let expanded: Vec<(&str, f64)> = villages
            .iter()
            .filter_map(|v| {
                v.pi.filter(|p| *p > 0.0)
                    .map(|p| (v.village.as_str(), v.people / p))
            })
            .collect();
        let x_hat: f64 = expanded.iter().map(|e| e.1).sum();
        if d <= 0.0 || x_hat <= 0.0 {
            return Err(VerdictError::NoNonRegisteredPeople);
        }
        Ok(VillagePeople { expanded, x_hat })
    }
}

/// The linearised variable of `R̂ = Ŷ / X̂`: `w_i z_i = (w_i y_i − R̂ c_i) / X̂`, with the
/// village's `NR_v / π_v` spread evenly over its weighted rows as `c_i`. `c_i` is a known
/// constant of the village: it moves the village total, never a deviation inside a village
/// (so it adds no within-village term). Returns `z` (the engine's totals weight it).
fn linearise(
    ctx: &Context,
    numerator: &[Option<f64>],
    people: &VillagePeople,
    r_hat: f64,
) -> Vec<f64> {
    let w = ctx.design.weights();
    let row_village = ctx.villages_of_rows();
    let mut rows_of: HashMap<&str, usize> = Default::default();
    for (i, v) in row_village.iter().enumerate() {
        if w[i] > 0.0 {
            *rows_of.entry(v).or_default() += 1;
        }
    }
    let share: HashMap<&str, f64> = people
        .expanded
        .iter()
        .map(|&(v, x)| (v, x / rows_of.get(v).copied().unwrap_or(1) as f64))
        .collect();
    // The engine's total is Σ w_i z_i: z_i = (y_i − R̂ c_i / w_i) / X̂.
    (0..ctx.design.n_rows())
        .map(|i| {
            let c = share.get(row_village[i]).copied().unwrap_or(0.0);
            let spread = if w[i] > 0.0 { c / w[i] } else { 0.0 };
            (numerator[i].unwrap_or(0.0) - r_hat * spread) / people.x_hat
        })
        .collect()
}
