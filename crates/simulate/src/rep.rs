//! One replication: the village draw, the household draw, the field visits and the verdict,
//! all in memory, and what the study keeps of them.

use crate::population::Population;
use crate::study::{Varied, CI_METHODS};
use crate::SimulateError;
use assess_inspection::{Answer, Outcome};
use assess_sampling::{draw_villages, HouseholdSelector, Plan, SampleRow};
use assess_standards::CountyThresholds;
use assess_standards::Standards;
use assess_synth::visits::{simulate_visits, VisitSettings};
use assess_verdict::{county_verdict, Indicator, RateBasis, Settings, Verdict};
use std::collections::HashMap;

/// Everything a replication needs that does not change between replications.
pub(crate) struct Context<'a> {
    pub plan: &'a Plan,
    pub county: &'a str,
    pub county_name: &'a str,
    pub population: &'a Population,
    pub standards: &'a Standards,
    pub thresholds: &'a CountyThresholds,
    pub visits: &'a VisitSettings,
    pub varied: Varied,
    pub seed: u64,
    /// The verdict's design-effect floor.
    pub deff_floor: f64,
    /// The nominal true rate (for error messages).
    pub rate: f64,
    /// Probability that a visited household's judgment of the varied indicator is flipped
    /// (0: the judge finds exactly the truth).
    pub misclassification: f64,
}

/// A weighted total and the weighted base it is a share of (people).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Totals {
    /// People in households found truly poor (wrongly exited, or missed).
    pub found: f64,
    /// People in the indicator's households (exited, or non-registered).
    pub base: f64,
}

/// What one interval method gave for the varied indicator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Interval {
    pub lci: f64,
    pub uci: f64,
    pub upper_bound: f64,
}

/// What the study keeps of one replication.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RepOutcome {
    /// The county approved by the official rule (every indicator's official value).
    pub approved_official: bool,
    /// ... and on the design basis (every indicator's weighted estimate).
    pub approved_design: bool,
    /// The varied indicator alone passes, official value.
    pub passes_official: bool,
    /// ... weighted estimate.
    pub passes_design: bool,
    /// The varied indicator's official and weighted values.
    pub official: f64,
    pub design: f64,
    /// Its interval by each method of [`CI_METHODS`], in that order.
    pub intervals: Vec<Interval>,
    /// Respondents whose judgment found the varied indicator (wrongly exited, or missed),
    /// after any misclassification: the count the press's "counties with zero wrong exits"
    /// is about.
    pub found_households: usize,
    /// Horvitz-Thompson totals of the primaries at full response (1/π, the truth).
    pub ht_design: Totals,
    /// Totals with the verdict's final weights and what the visits found.
    pub ht_final: Totals,
}

/// The seeds of replication `rep`: village and household seeds as text (as an evaluation team
/// would publish them) and the field-work seed. They do not depend on the true rate, so every
/// rate sees the same sequence of draws (common random numbers: the approval curve is then
/// smoother than with independent draws at each rate).
pub(crate) fn seeds(seed: u64, rep: usize) -> (String, String, u64) {
    (
        format!("simulation-{seed}-{rep}-village"),
        format!("simulation-{seed}-{rep}-household"),
        crate::mix(seed ^ crate::mix(rep as u64)),
    )
}

/// Runs replication `rep`.
pub(crate) fn run(ctx: &Context<'_>, rep: usize) -> Result<RepOutcome, SimulateError> {
    let (village_seed, household_seed, visit_seed) = seeds(ctx.seed, rep);
    let (rows, frame_parts) = draw(ctx, &village_seed, &household_seed)?;
    let pop = ctx.population;
    // Only the sampled households' rows: simulate_visits indexes what it is given.
    let register: Vec<_> = rows
        .iter()
        .filter_map(|r| pop.register.get(r.household_id.as_str()).cloned())
        .collect();
    let truth: Vec<_> = rows
        .iter()
        .filter_map(|r| pop.truth.get(r.household_id.as_str()).cloned())
        .collect();
    let records = simulate_visits(
        "simulation",
        &rows,
        &register,
        &truth,
        ctx.standards,
        visit_seed,
        ctx.visits,
    )
    .map_err(|source| SimulateError::Visits {
        rate: ctx.rate,
        rep,
        source: Box::new(source),
    })?;
    let mut input = assess_verdict::CountyInput::from_sample(
        ctx.county,
        ctx.county_name,
        &rows,
        &assess_verdict::DesignFacts {
            frame_parts,
            collapse_with: ctx
                .plan
                .village_groups()
                .into_iter()
                .filter_map(|(_, g)| g.collapse_with.map(|partner| (g.name, partner)))
                .collect(),
        },
        &records,
        ctx.standards,
        pop.people,
    );
    // The judge errs here, where the visit is judged, so every estimate, interval and
    // decision downstream sees the wrong finding as a real team's would.
    misjudge(
        &mut input,
        ctx.varied,
        ctx.misclassification,
        crate::mix(visit_seed ^ MISJUDGE_STREAM),
    );
    let found_households = found_households(&input, ctx.varied);
    let mut intervals = Vec::with_capacity(CI_METHODS.len());
    let mut first: Option<Verdict> = None;
    for method in CI_METHODS {
        // The design estimate's intervals (their coverage of the true rate is what the study
        // measures); the official decision is read off the official values below.
        let settings = Settings {
            ci: method,
            deff_floor: ctx.deff_floor,
            rate_basis: RateBasis::Design,
            ..Settings::default()
        };
        let verdict = county_verdict(&input, ctx.thresholds, &settings).map_err(|source| {
            SimulateError::Verdict {
                rate: ctx.rate,
                rep,
                source: Box::new(source),
            }
        })?;
        let i = &verdict.indicators[ctx.varied.indicator()];
        intervals.push(Interval {
            lci: i.lci,
            uci: i.uci,
            upper_bound: i.upper_bound,
        });
        first.get_or_insert(verdict);
    }
    let verdict = first.expect("at least one interval method");
    let indicator = &verdict.indicators[ctx.varied.indicator()];
    Ok(RepOutcome {
        approved_official: verdict.indicators.values().all(passes_on_official),
        approved_design: verdict.indicators.values().all(passes_on_design),
        passes_official: passes_on_official(indicator),
        passes_design: passes_on_design(indicator),
        official: indicator.official,
        design: indicator.design,
        intervals,
        found_households,
        ht_design: ht_design(ctx, &rows),
        ht_final: ht_final(ctx, &input),
    })
}

/// The village stage and the household stage, as `assess draw` runs them, over the
/// households held in memory (only the sampled villages' households are offered: the
/// selector would ignore the others, and their tickets are the main cost).
/// Also each sampled village's part of the frame (the verdict's variance strata).
fn draw(
    ctx: &Context<'_>,
    village_seed: &str,
    household_seed: &str,
) -> Result<(Vec<SampleRow>, HashMap<String, String>), SimulateError> {
    let pop = ctx.population;
    let (villages, _) = draw_villages(ctx.plan, ctx.county, &pop.frame, village_seed);
    let frame_parts = villages
        .iter()
        .map(|v| (v.code.to_string(), v.frame_part()))
        .collect();
    let mut selector = HouseholdSelector::new(ctx.plan, &villages, household_seed);
    for v in &villages {
        for h in pop.by_village.get(&v.code).into_iter().flatten() {
            selector.offer(h);
        }
    }
    let rows = selector
        .finish(&villages, &pop.frame_map)
        .map_err(SimulateError::HouseholdStage)?;
    Ok((rows, frame_parts))
}

/// The rule of the official decision applied to the weighted estimate (what
/// `--rate-basis design` decides on).
fn passes_on_design(i: &Indicator) -> bool {
    passes_at(i, i.design)
}

/// The official rule on the official value (what `assess verdict` decides on by default).
fn passes_on_official(i: &Indicator) -> bool {
    passes_at(i, i.official)
}

fn passes_at(i: &Indicator, value: f64) -> bool {
    if i.kind.passes_above() {
        value >= i.threshold
    } else {
        value < i.threshold
    }
}

/// Σ y/π over the primaries of probability villages, with y the truth: the Horvitz-Thompson
/// estimator of the sampling design alone (every primary interviewed, no judgment).
fn ht_design(ctx: &Context<'_>, rows: &[SampleRow]) -> Totals {
    let status = ctx.varied.status();
    let mut t = Totals::default();
    for r in rows.iter().filter(|r| r.stratum == status.as_str()) {
        let (Some(w), Some(truth)) = (r.weight, ctx.population.truth.get(r.household_id.as_str()))
        else {
            continue;
        };
        let people = f64::from(r.members);
        t.base += w * people;
        if truth.finding(status) {
            t.found += w * people;
        }
    }
    t
}

/// Σ w y over the respondents with the verdict's final weights (non-response adjusted by
/// cell, collapsed cells spread) and y what the visit found: the totals behind the verdict's
/// weighted rate.
fn ht_final(ctx: &Context<'_>, input: &assess_verdict::CountyInput) -> Totals {
    let status = ctx.varied.status();
    let (respondents, _) = assess_verdict::weigh(input);
    let mut t = Totals::default();
    for r in respondents
        .iter()
        .filter(|r| r.household.stratum == status.as_str())
    {
        let (Some(w), Some(j)) = (r.weight, r.visit.judgment.as_ref()) else {
            continue;
        };
        let people = j
            .people
            .map_or(f64::from(r.household.register_members), f64::from);
        t.base += w * people;
        let found = matches!(
            j.outcome,
            Outcome::WronglyExited(Answer::Yes) | Outcome::Missed(Answer::Yes)
        );
        if found {
            t.found += w * people;
        }
    }
    t
}

/// Separates the misjudgment stream from the field work's (both derive from the visit seed).
const MISJUDGE_STREAM: u64 = 0x6d69_736a_7564_6765; // "misjudge"

/// Flips each judged household's finding of the varied indicator (wrongly exited, or missed)
/// with probability `rate`, independently, symmetrically: a truly poor household is judged
/// not poor and a household that is not poor is judged poor at the same rate. An answer that
/// cannot be told stays unknown; the other indicator's findings are untouched. Whether a
/// household is flipped depends only on `seed` and its id, not on the order of the visits.
pub(crate) fn misjudge(
    input: &mut assess_verdict::CountyInput,
    varied: Varied,
    rate: f64,
    seed: u64,
) {
    if rate <= 0.0 {
        return;
    }
    for visit in &mut input.visits {
        let Some(j) = visit.judgment.as_mut() else {
            continue;
        };
        let answer = match (&mut j.outcome, varied) {
            (Outcome::WronglyExited(a), Varied::WrongExit)
            | (Outcome::Missed(a), Varied::Missed) => a,
            _ => continue,
        };
        if flips(seed, &visit.household_id, rate) {
            *answer = match *answer {
                Answer::Yes => Answer::No,
                Answer::No => Answer::Yes,
                Answer::Unknown => Answer::Unknown,
            };
        }
    }
}

/// Whether household `id` is misjudged: a uniform number in [0, 1) from SplitMix64 of the
/// seed and the id's FNV-1a hash (53 bits, as rand does), below `rate`.
pub(crate) fn flips(seed: u64, id: &str, rate: f64) -> bool {
    // FNV-1a, 64 bits (Fowler, Noll & Vo): a fixed, well-spread hash of the id.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let u = (crate::mix(seed ^ h) >> 11) as f64 / (1u64 << 53) as f64;
    u < rate
}

/// Respondents judged positive for the varied indicator.
fn found_households(input: &assess_verdict::CountyInput, varied: Varied) -> usize {
    input
        .visits
        .iter()
        .filter_map(|v| v.judgment.as_ref())
        .filter(|j| {
            matches!(
                (j.outcome, varied),
                (Outcome::WronglyExited(Answer::Yes), Varied::WrongExit)
                    | (Outcome::Missed(Answer::Yes), Varied::Missed)
            )
        })
        .count()
}
