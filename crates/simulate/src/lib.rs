//! Planning by simulation (issue 4, part 6): the whole assessment (village draw, household
//! draw, field visits, judgment, weights, indicators, decision) repeated thousands of times on
//! a synthetic county whose truth is known, to tell planners what a sampling plan delivers:
//!
//! - the **coverage** of each interval method (Korn-Graubard, Wilson, logit, Wald) for the
//!   indicator whose true rate varies, with its Monte Carlo standard error;
//! - whether the **Horvitz-Thompson totals** are unbiased (the mean over replications against
//!   the population's true total, within 3 Monte Carlo standard errors);
//! - the **probability of approval** over the true rate (the operating characteristic), by
//!   the official rule and on the design basis, drawn as a chart.
//!
//! The study is *design-based*: for each true rate one synthetic county is generated
//! (`assess-synth`, with its planted intra-village correlation) and held fixed; only the draw
//! and the field work are repeated, with seeds derived from one study seed. Coverage is thus
//! the coverage of the county's own realised rate, which is what an assessment estimates.
//! With a [`GridConfig`] (issue 11, part 7) the population varies too: K synthetic counties
//! per true rate over a grid of ICC and remote tilt, the judge erring at a stated rate, and
//! the results pooled with their spread across counties ([`grid`]).
//! Formulas, choices and a study of the shipped national plan: `docs/simulation.md`.
//!
//! Every replication runs in memory through the same library code the commands use:
//! `assess_sampling::draw_villages` and `HouseholdSelector` (as `assess draw`),
//! `assess_synth::visits::simulate_visits` (as `assess simulate-visits`), the visit judged by
//! `assess_inspection` and the verdict by `assess_verdict::county_verdict` (as `assess
//! verdict`, with the same [`CountyInput::from_sample`](assess_verdict::CountyInput::from_sample)).
//!
//! Not for: real counties or real visits (the truth is synthetic by construction), nor for
//! reading or writing files: the caller parses the plan and writes the outputs this crate
//! renders ([`render`], [`chart`]).
#![deny(missing_docs)]

pub mod chart;
pub mod grid;
mod parallel;
mod population;
pub mod render;
mod rep;
mod study;

pub use grid::{AcrossCounties, CellSpread, CountySummary, Quartiles};
pub use population::{Population, TrueTotals};
pub use study::{
    run_study, Coverage, GridConfig, Probability, Progress, RateResult, Study, StudyConfig,
    TotalCheck, Varied, CI_METHODS,
};

/// Why a study could not be run.
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    /// A setting is out of range.
    #[error("{name} = {value}: {why}")]
    BadSetting {
        /// The setting (as the command line spells it).
        name: &'static str,
        /// Its value.
        value: String,
        /// What is allowed.
        why: String,
    },
    /// The synthetic county could not be generated.
    #[error("generating the synthetic county")]
    Synth(#[source] Box<assess_synth::SynthError>),
    /// The synthetic county could not be read back (a bug).
    #[error("reading the synthetic county back")]
    Register(#[from] assess_register::RegisterError),
    /// A synthetic household has no truth (a bug).
    #[error("household {0} of the synthetic county has no truth row")]
    NoTruth(String),
    /// The synthetic truth could not be read back (a bug).
    #[error("reading the synthetic truth back")]
    Truth(#[source] assess_synth::visits::VisitError),
    /// The plan does not fit the synthetic county.
    #[error("the plan does not fit the synthetic county {county}:\n{problems}")]
    PlanVsCounty {
        /// The county.
        county: String,
        /// The plan's errors against it.
        problems: String,
    },
    /// The household stage saw other households than the frame counted (a bug).
    #[error("household stage: {0}")]
    HouseholdStage(String),
    /// The visits could not be simulated.
    #[error("true rate {rate}, replication {rep}: simulating the visits")]
    Visits {
        /// The nominal true rate.
        rate: f64,
        /// The replication (from 0).
        rep: usize,
        /// Why.
        source: Box<assess_synth::visits::VisitError>,
    },
    /// The verdict could not be computed.
    #[error("true rate {rate}, replication {rep}: the verdict")]
    Verdict {
        /// The nominal true rate.
        rate: f64,
        /// The replication (from 0).
        rep: usize,
        /// Why.
        source: Box<assess_verdict::VerdictError>,
    },
    /// The chart could not be drawn.
    #[error("drawing the chart")]
    Chart(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<assess_synth::SynthError> for SimulateError {
    fn from(e: assess_synth::SynthError) -> Self {
        SimulateError::Synth(Box::new(e))
    }
}

/// A setting out of range.
pub(crate) fn bad(
    name: &'static str,
    value: impl ToString,
    why: impl Into<String>,
) -> SimulateError {
    SimulateError::BadSetting {
        name,
        value: value.to_string(),
        why: why.into(),
    }
}

/// SplitMix64: one well-mixed 64-bit number from another (Steele, Lea & Flood 2014). Seeds of
/// the synthetic populations and of the field work are derived with it from the study seed.
pub(crate) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests;
