//! The population study (issue 11, part 7): the population varies as well as the sample. For
//! each true rate and each grid point (ICC ρ, remote tilt) K synthetic counties are generated,
//! each with its own seed, and each is assessed R times; the judge may err at a stated rate.
//! Results are pooled over the K × R assessments and, because a real cohort is many counties
//! and not one, spread across the counties: quartiles of the per-county probability of
//! approval and coverage, and the between-county standard deviation beside the within-county
//! Monte Carlo error. Formulas: docs/simulation.md, "Populations".

use crate::population::{Population, TrueTotals};
use crate::rep::{self, Context, RepOutcome};
use crate::study::{
    check_plan, check_total, realised_rate, summarise, Coverage, GridConfig, Probability, Progress,
    RateResult, StudyBase, TotalCheck,
};
use crate::SimulateError;
use assess_synth::SynthConfig;
use serde::Serialize;
use std::time::Instant;

/// Separates the county seeds from the single-county study's population seeds.
const COUNTY_STREAM: u64 = 0x636f_756e_7479_0000; // "county"

/// The seed of synthetic county `k` of a study: the same at every rate and grid point, so the
/// cells differ by the rate, ρ and tilt, not by an unrelated generator stream (common random
/// numbers, as the replications' seeds).
pub(crate) fn county_seed(seed: u64, k: usize) -> u64 {
    crate::mix(seed ^ crate::mix(COUNTY_STREAM.wrapping_add(k as u64)))
}

/// Five-number summary: minimum, quartiles (linear interpolation between order statistics,
/// Hyndman & Fan 1996 definition 7, as R's and numpy's defaults), maximum.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quartiles {
    /// Smallest.
    pub min: f64,
    /// First quartile.
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// Third quartile.
    pub q3: f64,
    /// Largest.
    pub max: f64,
}

impl Quartiles {
    /// The summary of `values` (NaN everywhere when there are none).
    pub fn of(values: &[f64]) -> Quartiles {
        let mut v: Vec<f64> = values.to_vec();
        v.sort_by(f64::total_cmp);
        let q = |p: f64| -> f64 {
            if v.is_empty() {
                return f64::NAN;
            }
            // Definition 7: h = (n − 1)p, between the ⌊h⌋-th and ⌈h⌉-th (from 0).
            let h = (v.len() - 1) as f64 * p;
            let lo = h.floor() as usize;
            let hi = h.ceil() as usize;
            v[lo] + (h - lo as f64) * (v[hi] - v[lo])
        };
        Quartiles {
            min: q(0.0),
            q1: q(0.25),
            median: q(0.5),
            q3: q(0.75),
            max: q(1.0),
        }
    }
}

/// A probability (of approval, of coverage) across the counties of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AcrossCounties {
    /// Over every county and replication: with the same replications in every county, the
    /// mean of the per-county shares exactly.
    pub pooled: f64,
    /// Standard error of `pooled` as an estimate for counties like these: the observed
    /// between-county SD / √K (the counties are the sampling units); with one county, the
    /// binomial `sqrt(p(1 − p)/R)`.
    pub pooled_se: f64,
    /// The per-county shares' minimum, quartiles and maximum.
    pub spread: Quartiles,
    /// Standard deviation of the per-county shares (divisor K − 1; 0 with one county).
    pub sd_observed: f64,
    /// The spread of the counties' own probabilities, with the Monte Carlo noise removed:
    /// `sqrt(max(0, sd_observed² − mean_k p̂_k(1 − p̂_k)/(R − 1)))`, as p̂(1 − p̂)/(R − 1) is
    /// unbiased for the binomial variance p(1 − p)/R of a county's share.
    pub sd_between: f64,
    /// Within-county Monte Carlo standard error, root mean square over the counties:
    /// `sqrt(mean_k p̂_k(1 − p̂_k)/R)`.
    pub mc_se_within: f64,
}

impl AcrossCounties {
    /// The summary of per-county shares, each from `reps` replications.
    pub fn of(shares: &[f64], reps: usize) -> AcrossCounties {
        let k = shares.len() as f64;
        let r = reps as f64;
        let pooled = shares.iter().sum::<f64>() / k;
        let var = if shares.len() > 1 {
            shares.iter().map(|p| (p - pooled).powi(2)).sum::<f64>() / (k - 1.0)
        } else {
            0.0
        };
        let binomial = shares.iter().map(|p| p * (1.0 - p)).sum::<f64>() / k;
        AcrossCounties {
            pooled,
            pooled_se: if shares.len() > 1 {
                (var / k).sqrt()
            } else {
                (pooled * (1.0 - pooled) / r).sqrt()
            },
            spread: Quartiles::of(shares),
            sd_observed: var.sqrt(),
            sd_between: (var - binomial / (r - 1.0)).max(0.0).sqrt(),
            mc_se_within: (binomial / r).sqrt(),
        }
    }

    fn probability(&self) -> Probability {
        Probability {
            p: self.pooled,
            mc_se: self.pooled_se,
        }
    }
}

/// One synthetic county of a cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountySummary {
    /// `assess synth`'s seed for it.
    pub synth_seed: u64,
    /// Its realised rate, in people.
    pub true_rate: f64,
    /// Approved by the official rule.
    pub approved_official: Probability,
    /// Approved on the design basis.
    pub approved_design: Probability,
    /// Korn-Graubard two-sided coverage of its rate.
    pub kg_two_sided: Probability,
    /// Korn-Graubard one-sided upper bound's coverage.
    pub kg_upper_bound: Probability,
    /// No respondent judged positive for the varied indicator (the cohort figure's event).
    pub zero_found: Probability,
    /// Mean respondents judged positive.
    pub mean_found_households: f64,
}

/// A cell's grid point and its spread across counties.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellSpread {
    /// Intra-village correlation ρ.
    pub icc: f64,
    /// Remote villages' rate ÷ the others'.
    pub remote_tilt: f64,
    /// Share of judgments of the varied indicator flipped.
    pub misclassification: f64,
    /// Counties.
    pub populations: usize,
    /// Replications of each.
    pub reps_per_county: usize,
    /// The counties' realised rates (people).
    pub true_rate: Quartiles,
    /// Approval by the official rule.
    pub approved_official: AcrossCounties,
    /// Approval on the design basis.
    pub approved_design: AcrossCounties,
    /// Korn-Graubard two-sided coverage.
    pub kg_two_sided: AcrossCounties,
    /// Korn-Graubard one-sided upper bound's coverage.
    pub kg_upper_bound: AcrossCounties,
    /// Probability that the sample finds no positive household.
    pub zero_found: AcrossCounties,
    /// Every county.
    pub counties: Vec<CountySummary>,
}

/// Runs every cell: by ICC, then tilt, then rate. Returns the pooled results (each with its
/// spread) and the wall-clock seconds of the cells.
pub(crate) fn run_grid(
    base: &StudyBase<'_>,
    grid: &GridConfig,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<(Vec<RateResult>, f64), SimulateError> {
    let mut out = Vec::new();
    let mut seconds = 0.0;
    for &icc in &grid.iccs {
        for &remote_tilt in &grid.remote_tilts {
            for &rate in &base.config.rates {
                progress(Progress::Cell {
                    rate,
                    icc,
                    remote_tilt,
                });
                let started = Instant::now();
                let counties = run_cell(base, grid, rate, icc, remote_tilt, progress)?;
                let elapsed = started.elapsed().as_secs_f64();
                seconds += elapsed;
                out.push(pool(
                    rate,
                    icc,
                    remote_tilt,
                    grid,
                    base.config.reps,
                    counties,
                    elapsed,
                ));
            }
        }
    }
    Ok((out, seconds))
}

/// The K counties of one cell, shared among the threads county by county (each worker
/// generates its county and runs its replications), put back in county order.
fn run_cell(
    base: &StudyBase<'_>,
    grid: &GridConfig,
    rate: f64,
    icc: f64,
    remote_tilt: f64,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Vec<(RateResult, CountySummary)>, SimulateError> {
    crate::parallel::in_order(grid.populations, base.config.threads, |k| {
        run_county(base, grid, rate, icc, remote_tilt, k, progress)
    })
}

/// County `k` of a cell: generated as it comes (no search for one near the nominal rate: the
/// scatter of realised rates is part of what the study varies), then its replications,
/// numbered `k·R + r` so that no two counties share draws.
fn run_county(
    base: &StudyBase<'_>,
    grid: &GridConfig,
    rate: f64,
    icc: f64,
    remote_tilt: f64,
    k: usize,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<(RateResult, CountySummary), SimulateError> {
    let config = base.config;
    let mut synth = SynthConfig::new(
        vec![config.county.clone()],
        config.households,
        county_seed(config.seed, k),
    );
    synth.standards = base.standards.clone();
    synth.rates.icc = icc;
    synth.rates.remote_risk_ratio = remote_tilt;
    match config.varied {
        crate::Varied::WrongExit => synth.rates.wrong_exit = rate,
        crate::Varied::Missed => synth.rates.missed = rate,
    }
    let population = Population::generate(&synth)?;
    check_plan(base.plan, &config.county, &population)?;
    let ctx = Context {
        plan: base.plan,
        county: &config.county,
        county_name: base.county_name,
        population: &population,
        standards: base.standards,
        thresholds: base.thresholds,
        visits: base.visits,
        varied: config.varied,
        seed: config.seed,
        deff_floor: config.deff_floor,
        rate,
        misclassification: grid.misclassification,
    };
    let started = Instant::now();
    let mut outcomes = Vec::with_capacity(config.reps);
    for r in 0..config.reps {
        outcomes.push(rep::run(&ctx, k * config.reps + r)?);
        progress(Progress::Rep);
    }
    let result = summarise(
        rate,
        &population,
        config.varied,
        &outcomes,
        started.elapsed().as_secs_f64(),
    );
    let summary = county_summary(&population, config.varied, &result, &outcomes);
    Ok((result, summary))
}

fn county_summary(
    population: &Population,
    varied: crate::Varied,
    result: &RateResult,
    outcomes: &[RepOutcome],
) -> CountySummary {
    let reps = outcomes.len();
    let kg: &Coverage = &result.coverage[0];
    CountySummary {
        synth_seed: population.synth_seed,
        true_rate: realised_rate(&population.totals, varied),
        approved_official: result.approved_official,
        approved_design: result.approved_design,
        kg_two_sided: kg.two_sided,
        kg_upper_bound: kg.upper_bound,
        zero_found: Probability::of(
            outcomes.iter().filter(|o| o.found_households == 0).count(),
            reps,
        ),
        mean_found_households: outcomes
            .iter()
            .map(|o| o.found_households as f64)
            .sum::<f64>()
            / reps as f64,
    }
}

/// The cell's results pooled over its counties (each has the same replications, so a pooled
/// share is the mean of the per-county shares), with the spread across them.
pub(crate) fn pool(
    rate: f64,
    icc: f64,
    remote_tilt: f64,
    grid: &GridConfig,
    reps: usize,
    counties: Vec<(RateResult, CountySummary)>,
    seconds: f64,
) -> RateResult {
    let (results, summaries): (Vec<RateResult>, Vec<CountySummary>) = counties.into_iter().unzip();
    let k = results.len() as f64;
    let mean = |f: &dyn Fn(&RateResult) -> f64| results.iter().map(f).sum::<f64>() / k;
    let across = |f: &dyn Fn(&RateResult) -> f64| {
        AcrossCounties::of(&results.iter().map(f).collect::<Vec<_>>(), reps)
    };
    let approved_official = across(&|r| r.approved_official.p);
    let approved_design = across(&|r| r.approved_design.p);
    let kg_two_sided = across(&|r| r.coverage[0].two_sided.p);
    let kg_upper_bound = across(&|r| r.coverage[0].upper_bound.p);
    let zero_found = AcrossCounties::of(
        &summaries.iter().map(|s| s.zero_found.p).collect::<Vec<_>>(),
        reps,
    );
    let coverage = results[0]
        .coverage
        .iter()
        .enumerate()
        .map(|(m, c)| Coverage {
            method: c.method.clone(),
            two_sided: across(&|r| r.coverage[m].two_sided.p).probability(),
            upper_bound: across(&|r| r.coverage[m].upper_bound.p).probability(),
            mean_width: mean(&|r| r.coverage[m].mean_width),
        })
        .collect();
    let total_checks = (0..results[0].total_checks.len())
        .map(|t| {
            pool_totals(
                &results
                    .iter()
                    .map(|r| &r.total_checks[t])
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let mut totals = TrueTotals::default();
    for r in &results {
        totals = add(totals, r.totals);
    }
    RateResult {
        nominal_rate: rate,
        true_rate: mean(&|r| r.true_rate),
        true_rate_households: mean(&|r| r.true_rate_households),
        synth_seed: results[0].synth_seed,
        totals,
        reps: reps * results.len(),
        approved_official: approved_official.probability(),
        approved_design: approved_design.probability(),
        indicator_passes_official: across(&|r| r.indicator_passes_official.p).probability(),
        indicator_passes_design: across(&|r| r.indicator_passes_design.p).probability(),
        mean_official: mean(&|r| r.mean_official),
        mean_design: mean(&|r| r.mean_design),
        coverage,
        total_checks,
        seconds,
        cell: Some(CellSpread {
            icc,
            remote_tilt,
            misclassification: grid.misclassification,
            populations: results.len(),
            reps_per_county: reps,
            true_rate: Quartiles::of(&results.iter().map(|r| r.true_rate).collect::<Vec<_>>()),
            approved_official,
            approved_design,
            kg_two_sided,
            kg_upper_bound,
            zero_found,
            counties: summaries,
        }),
    }
}

/// The counties' checks of one total, pooled: each county's bias is estimated independently,
/// so the mean bias `(1/K) Σ (mean_k − T_k)` has standard error `sqrt(Σ MC SE_k²)/K`; `truth`
/// and `mean` are the means over the counties, `sd` the root mean square of theirs.
fn pool_totals(checks: &[&TotalCheck]) -> TotalCheck {
    let k = checks.len() as f64;
    let truth = checks.iter().map(|c| c.truth).sum::<f64>() / k;
    let mean = checks.iter().map(|c| c.mean).sum::<f64>() / k;
    let mc_se = checks.iter().map(|c| c.mc_se.powi(2)).sum::<f64>().sqrt() / k;
    let sd = (checks.iter().map(|c| c.sd.powi(2)).sum::<f64>() / k).sqrt();
    // check_total's z rule (0 when every estimate is the truth) with the pooled SE.
    let mut pooled = check_total(&checks[0].total, &checks[0].weights, truth, &[mean, mean]);
    let diff = mean - truth;
    pooled.sd = sd;
    pooled.mc_se = mc_se;
    pooled.z = if mc_se > 0.0 { diff / mc_se } else { pooled.z };
    pooled.within_3_se = pooled.z.abs() <= 3.0;
    pooled
}

fn add(a: TrueTotals, b: TrueTotals) -> TrueTotals {
    TrueTotals {
        exited_people: a.exited_people + b.exited_people,
        wrong_exit_people: a.wrong_exit_people + b.wrong_exit_people,
        non_registered_people: a.non_registered_people + b.non_registered_people,
        missed_people: a.missed_people + b.missed_people,
        exited_households: a.exited_households + b.exited_households,
        wrong_exit_households: a.wrong_exit_households + b.wrong_exit_households,
        non_registered_households: a.non_registered_households + b.non_registered_households,
        missed_households: a.missed_households + b.missed_households,
    }
}
