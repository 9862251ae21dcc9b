//! The study: for each true rate, one synthetic county and R replications on both cores, then
//! coverage, Horvitz-Thompson bias and the probability of approval with their Monte Carlo
//! standard errors.

use crate::population::{Population, TrueTotals};
use crate::rep::{self, Context, RepOutcome, Totals};
use crate::{bad, SimulateError};
use assess_divisions::Region;
use assess_household::Status;
use assess_sampling::Severity;
use assess_sampling::{check_county, Plan};
use assess_standards::CountyThresholds;
use assess_standards::Standards;
use assess_survey::CiMethod;
use assess_synth::visits::VisitSettings;
use assess_synth::SynthConfig;
use serde::Serialize;
use std::time::Instant;

/// The interval methods compared, in the order of every per-method list.
pub const CI_METHODS: [CiMethod; 4] = [
    CiMethod::KornGraubard,
    CiMethod::Wilson,
    CiMethod::Logit,
    CiMethod::Wald,
];

/// A synthetic population is regenerated (with the next seed) until its realised rate is
/// within this share of the nominal one, at most [`StudyConfig::population_tries`] times
/// (default [`POPULATION_TRIES`]), keeping the
/// closest. With a planted intra-village correlation a county's realised rate scatters
/// widely around the target (docs/synth.md: ±0.2 points at 0.5% and ρ = 0.1), and a curve
/// over "true 3%" should be about a county whose rate is 3%. Choosing among populations is
/// conditioning on the finite population, which a design-based study does anyway.
const POPULATION_TOLERANCE: f64 = 0.03;
/// See [`POPULATION_TOLERANCE`].
const POPULATION_TRIES: u64 = 30;

/// The indicator whose true rate varies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Varied {
    /// Wrong exits among exited households.
    #[cfg_attr(feature = "clap", value(name = "wrong_exit", alias = "wrong-exit"))]
    WrongExit,
    /// Missed households among non-registered ones.
    Missed,
}

impl Varied {
    /// The verdict's name of the indicator.
    pub fn indicator(self) -> &'static str {
        match self {
            Varied::WrongExit => "wrong_exit_rate",
            Varied::Missed => "missed_rate",
        }
    }

    /// The register stratum the indicator is a rate of.
    pub fn status(self) -> Status {
        match self {
            Varied::WrongExit => Status::Exited,
            Varied::Missed => Status::NonRegistered,
        }
    }
}

/// What a study is run with.
#[derive(Debug, Clone)]
pub struct StudyConfig {
    /// The county (6 digits): its real villages carry the synthetic households.
    pub county: String,
    /// Households of the synthetic county.
    pub households: u64,
    /// The true rates, in (0, 1) (0 allowed).
    pub rates: Vec<f64>,
    /// Which indicator's true rate varies (the other keeps `assess synth`'s default).
    pub varied: Varied,
    /// Intra-village correlation of being truly poor (`assess synth --icc`).
    pub icc: f64,
    /// Replications per rate.
    pub reps: usize,
    /// The study seed: populations, draws and field work are all derived from it.
    pub seed: u64,
    /// Probability that a visited household is interviewed.
    pub response_rate: f64,
    /// Worker threads.
    pub threads: usize,
    /// Region for a county that is not one of the 832 (its incidence threshold).
    pub region: Option<Region>,
    /// Synthetic populations generated at most per rate, to find one whose realised rate is
    /// within 3% of the nominal one (default 30); 1 keeps the first.
    pub population_tries: u64,
    /// The verdict's design-effect floor for the intervals (`assess verdict --deff-floor`).
    pub deff_floor: f64,
    /// Vary the population as well as the sample (issue 11, part 7): many synthetic counties
    /// per true rate over a grid of ICC and remote tilt, with misclassification. `None`: the
    /// single-county study (one population per rate, chosen near its nominal rate).
    pub grid: Option<GridConfig>,
}

/// The population study's settings (`assess simulate --populations --icc-grid --remote-tilt
/// --misclassification`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GridConfig {
    /// Synthetic counties per true rate and grid point, each with its own seed and
    /// [`StudyConfig::reps`] replications.
    pub populations: usize,
    /// The intra-village correlations ρ (`assess synth --icc`).
    pub iccs: Vec<f64>,
    /// The remote tilts (`assess synth --remote-risk-ratio`).
    pub remote_tilts: Vec<f64>,
    /// Probability that a visited household's judgment of the varied indicator is flipped
    /// (symmetric: truly poor judged not poor and the reverse at the same rate).
    pub misclassification: f64,
}

impl GridConfig {
    /// One county, the single ICC `icc`, `assess synth`'s tilt, no misclassification.
    pub fn new(icc: f64) -> GridConfig {
        GridConfig {
            populations: 1,
            iccs: vec![icc],
            remote_tilts: vec![assess_synth::TruthRates::default().remote_risk_ratio],
            misclassification: 0.0,
        }
    }

    fn validate(&self) -> Result<(), SimulateError> {
        if self.populations == 0 {
            return Err(bad(
                "populations",
                0,
                "at least one synthetic county per rate (20 or more for a study)",
            ));
        }
        if self.iccs.is_empty() {
            return Err(bad("icc-grid", "(none)", "give at least one ICC"));
        }
        for &icc in &self.iccs {
            if !(0.0..1.0).contains(&icc) {
                return Err(bad("icc-grid", icc, "an ICC is in [0, 1), e.g. 0.05"));
            }
        }
        if self.remote_tilts.is_empty() {
            return Err(bad("remote-tilt", "(none)", "give at least one tilt"));
        }
        for &t in &self.remote_tilts {
            if !(t.is_finite() && t > 0.0) {
                return Err(bad(
                    "remote-tilt",
                    t,
                    "remote villages' rate ÷ the others' is above 0, e.g. 1 (no tilt) or 1.5",
                ));
            }
        }
        if !(0.0..0.5).contains(&self.misclassification) {
            return Err(bad(
                "misclassification",
                self.misclassification,
                "a share of judgments flipped in [0, 0.5) (at 0.5 a judgment says nothing)",
            ));
        }
        Ok(())
    }
}

impl StudyConfig {
    /// A study of `county` with the defaults of `assess simulate`.
    pub fn new(county: impl Into<String>) -> StudyConfig {
        StudyConfig {
            county: county.into(),
            households: 60_000,
            rates: vec![0.005, 0.01, 0.02, 0.03, 0.05],
            varied: Varied::WrongExit,
            icc: 0.1,
            reps: 2000,
            seed: 1,
            response_rate: 0.95,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            region: None,
            population_tries: POPULATION_TRIES,
            deff_floor: assess_verdict::DEFAULT_DEFF_FLOOR,
            grid: None,
        }
    }

    fn validate(&self) -> Result<(), SimulateError> {
        if self.rates.is_empty() {
            return Err(bad("rates", "(none)", "give at least one true rate"));
        }
        for &r in &self.rates {
            if !(0.0..1.0).contains(&r) {
                return Err(bad(
                    "rates",
                    r,
                    "a true rate is a share in [0, 1), e.g. 0.03",
                ));
            }
        }
        if !(0.0..1.0).contains(&self.icc) {
            return Err(bad("icc", self.icc, "must be in [0, 1)"));
        }
        if self.reps < 2 {
            return Err(bad(
                "reps",
                self.reps,
                "at least 2 replications (2,000 for a study)",
            ));
        }
        if !(self.response_rate > 0.0 && self.response_rate <= 1.0) {
            return Err(bad(
                "response-rate",
                self.response_rate,
                "must be above 0 and at most 1",
            ));
        }
        if !(self.deff_floor >= 1.0 && self.deff_floor.is_finite()) {
            return Err(bad(
                "deff-floor",
                self.deff_floor,
                "a design effect of at least 1 (1 turns the floor off)",
            ));
        }
        if self.population_tries == 0 {
            return Err(bad("population-tries", 0, "at least one"));
        }
        if self.threads == 0 {
            return Err(bad("threads", 0, "at least one"));
        }
        if let Some(grid) = &self.grid {
            grid.validate()?;
        }
        Ok(())
    }
}

/// A share of replications with its Monte Carlo standard error `sqrt(p(1 − p)/R)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Probability {
    /// The share.
    pub p: f64,
    /// Its Monte Carlo standard error.
    pub mc_se: f64,
}

impl Probability {
    pub(crate) fn of(hits: usize, reps: usize) -> Probability {
        let p = hits as f64 / reps as f64;
        Probability {
            p,
            mc_se: (p * (1.0 - p) / reps as f64).sqrt(),
        }
    }
}

/// Coverage of one interval method.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    /// The method.
    pub method: String,
    /// Share of replications whose two-sided interval contains the true rate.
    pub two_sided: Probability,
    /// Share whose one-sided upper bound is at or above the true rate (the bound the
    /// statistical reading uses to say "passes with confidence").
    pub upper_bound: Probability,
    /// Mean width of the two-sided interval.
    pub mean_width: f64,
}

/// A weighted total against the population's true total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TotalCheck {
    /// What is totalled.
    pub total: String,
    /// Which weights: `design` (1/π of the primaries, every one interviewed, the truth) or
    /// `final` (the verdict's weights, the respondents, what the visits found).
    pub weights: String,
    /// The population's true total.
    pub truth: f64,
    /// The mean of the estimates over the replications.
    pub mean: f64,
    /// Their standard deviation.
    pub sd: f64,
    /// Monte Carlo standard error of the mean: sd / √R.
    pub mc_se: f64,
    /// (mean − truth) / mc_se.
    pub z: f64,
    /// Relative bias, (mean − truth) / truth.
    pub relative_bias: f64,
    /// |z| ≤ 3.
    pub within_3_se: bool,
}

/// The results at one true rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateResult {
    /// The nominal true rate (`assess synth`'s target).
    pub nominal_rate: f64,
    /// The population's realised rate, in people (what the indicator estimates).
    pub true_rate: f64,
    /// The realised rate in households.
    pub true_rate_households: f64,
    /// The seed of the population.
    pub synth_seed: u64,
    /// The population's true totals.
    pub totals: TrueTotals,
    /// Replications.
    pub reps: usize,
    /// Approved by the official rule (all four indicators' official values).
    pub approved_official: Probability,
    /// Approved on the design basis (all four weighted estimates).
    pub approved_design: Probability,
    /// The varied indicator alone passes (official value).
    pub indicator_passes_official: Probability,
    /// The varied indicator alone passes (weighted estimate).
    pub indicator_passes_design: Probability,
    /// Mean official and weighted values of the varied indicator.
    pub mean_official: f64,
    /// See `mean_official`.
    pub mean_design: f64,
    /// Coverage by interval method.
    pub coverage: Vec<Coverage>,
    /// Weighted totals against the truth.
    pub total_checks: Vec<TotalCheck>,
    /// Wall-clock seconds of the replications at this rate.
    pub seconds: f64,
    /// With populations varied (`--populations` etc.): the grid point and the spread across
    /// the cell's counties. The fields above are then pooled over the counties (see
    /// docs/simulation.md, "Populations").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<crate::grid::CellSpread>,
}

/// A whole study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Study {
    /// The plan's name.
    pub plan: String,
    /// County code and name.
    pub county: String,
    /// See `county`.
    pub county_name: String,
    /// The varied indicator.
    pub varied: Varied,
    /// Its threshold (passes strictly below).
    pub threshold: f64,
    /// All four thresholds.
    pub thresholds: CountyThresholds,
    /// Households of each synthetic county.
    pub households: u64,
    /// Intra-village correlation planted.
    pub icc: f64,
    /// Response rate of the simulated field work.
    pub response_rate: f64,
    /// The verdict's design-effect floor for the intervals.
    pub deff_floor: f64,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// Study seed.
    pub seed: u64,
    /// Replications per rate.
    pub reps: usize,
    /// Worker threads.
    pub threads: usize,
    /// Results by true rate, in the order given (with a grid: every cell, by ICC, then tilt,
    /// then rate).
    pub rates: Vec<RateResult>,
    /// The population study's settings, when populations were varied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grid: Option<GridConfig>,
    /// Wall-clock seconds of all replications (populations excluded).
    pub seconds: f64,
    /// Core-seconds per replication: wall-clock seconds × threads / replications. The CPU time
    /// of a replication when each thread has a core to itself; more when the machine is
    /// shared with other work.
    pub core_seconds_per_rep: f64,
}

/// What [`run_study`] reports as it goes.
#[derive(Debug, Clone, Copy)]
pub enum Progress {
    /// The population of a rate is being generated.
    Population {
        /// The nominal rate.
        rate: f64,
    },
    /// One replication finished.
    Rep,
    /// A cell of the population grid starts.
    Cell {
        /// The nominal rate.
        rate: f64,
        /// Its ICC.
        icc: f64,
        /// Its remote tilt.
        remote_tilt: f64,
    },
}

/// Runs the study of `plan` for `config`; `progress` is called from the worker threads.
pub fn run_study(
    plan: &Plan,
    config: &StudyConfig,
    standards: &Standards,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Study, SimulateError> {
    config.validate()?;
    let region = config
        .region
        .or_else(|| plan.header.region.region_of(&config.county))
        .ok_or_else(|| {
            bad(
                "county",
                &config.county,
                "is not one of the 832 poverty counties, so its region (which sets the incidence threshold) is not known: give the region",
            )
        })?;
    let thresholds = standards.thresholds_for(region);
    let county_name = assess_divisions::poverty_county(&config.county)
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let visits = visit_settings(config);
    if let Some(grid) = &config.grid {
        let base = StudyBase {
            plan,
            config,
            standards,
            thresholds: &thresholds,
            county_name: &county_name,
            visits: &visits,
        };
        let (rates, seconds) = crate::grid::run_grid(&base, grid, progress)?;
        let total_reps = (config.reps * rates.len() * grid.populations) as f64;
        return Ok(study_of(
            plan,
            config,
            thresholds,
            county_name,
            rates,
            seconds,
            total_reps,
        ));
    }
    let mut rates = Vec::with_capacity(config.rates.len());
    let mut seconds = 0.0;
    for &rate in &config.rates {
        progress(Progress::Population { rate });
        let population = population_for(config, standards, rate)?;
        check_plan(plan, &config.county, &population)?;
        let ctx = Context {
            plan,
            county: &config.county,
            county_name: &county_name,
            population: &population,
            standards,
            thresholds: &thresholds,
            visits: &visits,
            varied: config.varied,
            seed: config.seed,
            deff_floor: config.deff_floor,
            rate,
            misclassification: 0.0,
        };
        let started = Instant::now();
        let outcomes = replicate(&ctx, config.reps, config.threads, progress)?;
        let elapsed = started.elapsed().as_secs_f64();
        seconds += elapsed;
        rates.push(summarise(
            rate,
            &population,
            config.varied,
            &outcomes,
            elapsed,
        ));
    }
    let total_reps = (config.reps * config.rates.len()) as f64;
    Ok(study_of(
        plan,
        config,
        thresholds,
        county_name,
        rates,
        seconds,
        total_reps,
    ))
}

/// What the single-county study and the grid share.
pub(crate) struct StudyBase<'a> {
    pub plan: &'a Plan,
    pub config: &'a StudyConfig,
    pub standards: &'a Standards,
    pub thresholds: &'a CountyThresholds,
    pub county_name: &'a str,
    pub visits: &'a VisitSettings,
}

fn study_of(
    plan: &Plan,
    config: &StudyConfig,
    thresholds: CountyThresholds,
    county_name: String,
    rates: Vec<RateResult>,
    seconds: f64,
    total_reps: f64,
) -> Study {
    Study {
        plan: plan.header.name.clone(),
        county: config.county.clone(),
        county_name,
        varied: config.varied,
        threshold: match config.varied {
            Varied::WrongExit => thresholds.wrong_exit_rate,
            Varied::Missed => thresholds.missed_rate,
        },
        thresholds,
        households: config.households,
        icc: config.icc,
        response_rate: config.response_rate,
        deff_floor: config.deff_floor,
        confidence: assess_verdict::Settings::default().confidence,
        seed: config.seed,
        reps: config.reps,
        threads: config.threads,
        rates,
        grid: config.grid.clone(),
        seconds,
        core_seconds_per_rep: seconds * config.threads as f64 / total_reps,
    }
}

/// The field work: the settings of `assess simulate-visits` with the study's response rate.
/// The start date only places the visits in time (the verdict does not use it).
fn visit_settings(config: &StudyConfig) -> VisitSettings {
    VisitSettings {
        response_rate: config.response_rate,
        ..VisitSettings::new("2019-06-12T08:30:00+08:00")
    }
}

/// The synthetic county of one true rate: `assess synth`'s defaults, the varied rate set, the
/// study's ICC; regenerated with the next seed until its realised rate is near the nominal
/// one (see [`POPULATION_TOLERANCE`]).
fn population_for(
    config: &StudyConfig,
    standards: &Standards,
    rate: f64,
) -> Result<Population, SimulateError> {
    let mut best: Option<(f64, Population)> = None;
    for attempt in 0..config.population_tries {
        let mut synth = SynthConfig::new(
            vec![config.county.clone()],
            config.households,
            crate::mix(config.seed.wrapping_add(attempt)),
        );
        synth.standards = standards.clone();
        synth.rates.icc = config.icc;
        match config.varied {
            Varied::WrongExit => synth.rates.wrong_exit = rate,
            Varied::Missed => synth.rates.missed = rate,
        }
        let population = Population::generate(&synth)?;
        let realised = realised_rate(&population.totals, config.varied);
        let distance = (realised - rate).abs();
        let close = distance <= POPULATION_TOLERANCE * rate;
        if best.as_ref().is_none_or(|(d, _)| distance < *d) {
            best = Some((distance, population));
        }
        if close {
            break;
        }
    }
    Ok(best.expect("at least one attempt").1)
}

pub(crate) fn realised_rate(totals: &TrueTotals, varied: Varied) -> f64 {
    match varied {
        Varied::WrongExit => totals.wrong_exit_rate(),
        Varied::Missed => totals.missed_rate(),
    }
}

/// The plan checked against the synthetic county, as `assess draw` does before drawing.
pub(crate) fn check_plan(
    plan: &Plan,
    county: &str,
    population: &Population,
) -> Result<(), SimulateError> {
    let problems: Vec<_> = check_county(plan, county, &population.frame, 0)
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    Err(SimulateError::PlanVsCounty {
        county: county.to_string(),
        problems: assess_sampling::render(&problems),
    })
}

/// Runs the replications on `threads` workers, each taking the next replication number; the
/// outcomes come back in replication order, so the study does not depend on the scheduling.
fn replicate(
    ctx: &Context<'_>,
    reps: usize,
    threads: usize,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Vec<RepOutcome>, SimulateError> {
    crate::parallel::in_order(reps, threads, |rep| {
        let outcome = rep::run(ctx, rep)?;
        progress(Progress::Rep);
        Ok(outcome)
    })
}

pub(crate) fn summarise(
    rate: f64,
    population: &Population,
    varied: Varied,
    outcomes: &[RepOutcome],
    seconds: f64,
) -> RateResult {
    let reps = outcomes.len();
    let share = |f: &dyn Fn(&RepOutcome) -> bool| {
        Probability::of(outcomes.iter().filter(|o| f(o)).count(), reps)
    };
    let mean = |f: &dyn Fn(&RepOutcome) -> f64| outcomes.iter().map(f).sum::<f64>() / reps as f64;
    let t = &population.totals;
    let true_rate = realised_rate(t, varied);
    let (households, found_households) = match varied {
        Varied::WrongExit => (t.exited_households, t.wrong_exit_households),
        Varied::Missed => (t.non_registered_households, t.missed_households),
    };
    let coverage = CI_METHODS
        .iter()
        .enumerate()
        .map(|(k, method)| Coverage {
            method: method.name().to_string(),
            two_sided: share(&|o| {
                let i = &o.intervals[k];
                i.lci <= true_rate && true_rate <= i.uci
            }),
            upper_bound: share(&|o| true_rate <= o.intervals[k].upper_bound),
            mean_width: mean(&|o| o.intervals[k].uci - o.intervals[k].lci),
        })
        .collect();
    RateResult {
        nominal_rate: rate,
        true_rate,
        true_rate_households: if households > 0 {
            found_households as f64 / households as f64
        } else {
            0.0
        },
        synth_seed: population.synth_seed,
        totals: *t,
        reps,
        approved_official: share(&|o| o.approved_official),
        approved_design: share(&|o| o.approved_design),
        indicator_passes_official: share(&|o| o.passes_official),
        indicator_passes_design: share(&|o| o.passes_design),
        mean_official: mean(&|o| o.official),
        mean_design: mean(&|o| o.design),
        coverage,
        total_checks: total_checks(population, varied, outcomes),
        seconds,
        cell: None,
    }
}

/// The four totals checked: found people and base people, with the design weights and the
/// final weights.
fn total_checks(
    population: &Population,
    varied: Varied,
    outcomes: &[RepOutcome],
) -> Vec<TotalCheck> {
    let t = &population.totals;
    let (found_name, base_name, found, base) = match varied {
        Varied::WrongExit => (
            "people in wrongly exited households",
            "people in exited households",
            t.wrong_exit_people,
            t.exited_people,
        ),
        Varied::Missed => (
            "people in missed households",
            "people in non-registered households",
            t.missed_people,
            t.non_registered_people,
        ),
    };
    type Pick = fn(&RepOutcome) -> Totals;
    let weights: [(&str, Pick); 2] = [("design", |o| o.ht_design), ("final", |o| o.ht_final)];
    let mut out = Vec::new();
    for (name, truth, part) in [
        (
            found_name,
            found,
            (|x: Totals| x.found) as fn(Totals) -> f64,
        ),
        (base_name, base, |x: Totals| x.base),
    ] {
        for (w, pick) in weights {
            let values: Vec<f64> = outcomes.iter().map(|o| part(pick(o))).collect();
            out.push(check_total(name, w, truth, &values));
        }
    }
    out
}

/// The mean of `values` against `truth`: z = (mean − truth) / (sd / √R). When every estimate
/// equals the truth exactly (sd 0, e.g. no wrong exit anywhere), z is 0.
pub(crate) fn check_total(name: &str, weights: &str, truth: f64, values: &[f64]) -> TotalCheck {
    let r = values.len() as f64;
    let mean = values.iter().sum::<f64>() / r;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (r - 1.0)).sqrt();
    let mc_se = sd / r.sqrt();
    let diff = mean - truth;
    let z = if mc_se > 0.0 {
        diff / mc_se
    } else if diff.abs() <= 1e-9 * truth.abs().max(1.0) {
        0.0
    } else {
        f64::INFINITY.copysign(diff)
    };
    TotalCheck {
        total: name.to_string(),
        weights: weights.to_string(),
        truth,
        mean,
        sd,
        mc_se,
        z,
        relative_bias: if truth != 0.0 { diff / truth } else { 0.0 },
        within_3_se: z.abs() <= 3.0,
    }
}
