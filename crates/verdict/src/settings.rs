//! The verdict's settings (each with its documented default) and the thresholds of a county's
//! region, taken from the standards (`data/standards/standards.toml`, `[exit_thresholds]`).

use assess_survey::{CiMethod, LonelyPsu};
use serde::Serialize;

/// Which value of a rate the decision compares with its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum RateBasis {
    /// The unweighted sample ratio the rules describe (default).
    Official,
    /// The weighted estimate.
    Design,
}

/// What makes a household "approving".
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalDefinition {
    /// Satisfied or basically satisfied on every question answered (default).
    AllQuestions,
    /// Satisfied or basically satisfied on at least this share of the questions answered.
    Score {
        /// Share of questions, in (0, 1].
        min_share: f64,
    },
}

/// How "don't know" answers count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum DontKnow {
    /// Left out: the question counts as not answered (default); a household answering only
    /// "don't know" is left out of the approval rate.
    Exclude,
    /// Counted as not approving.
    NotApproving,
}

/// What the missed-assessment rate divides by (docs/verdict.md, "Indicators").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum MissedDenominator {
    /// The people of the sampled non-registered households (default).
    SampledHouseholds,
    /// The non-registered people of the sampled villages, from the register.
    SampledVillages,
}

/// How the village stage enters the variance (docs/verdict.md, "Variance").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum VarianceMethod {
    /// Villages with replacement: ultimate clusters (default).
    #[serde(rename = "wr")]
    #[cfg_attr(feature = "clap", value(name = "wr"))]
    WithReplacement,
    /// Villages without replacement: stage-1 finite-population corrections from the
    /// villages' inclusion probabilities (Brewer's approximation) plus the within-village
    /// term of the household samples, stratified by register status.
    #[serde(rename = "wor")]
    #[cfg_attr(feature = "clap", value(name = "wor"))]
    WithoutReplacement,
}

/// Whether villages taken by hand (in the plan, not drawn: no inclusion probability) count in
/// the official values. The design estimates never count them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum ByHandVillages {
    /// Left out (default): a village nobody drew says nothing of the county by chance, and
    /// the rule's ratio is meant to be the sample's.
    #[default]
    Exclude,
    /// Counted, as practice counts every household visited; the verdict says so.
    Include,
}

/// Settings of one verdict run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    /// Which value the decision uses (default official).
    pub rate_basis: RateBasis,
    /// Approval definition (default all questions).
    pub approval: ApprovalDefinition,
    /// "Don't know" (default excluded).
    pub dont_know: DontKnow,
    /// Confidence level of the intervals and one-sided bounds (default 0.95).
    pub confidence: f64,
    /// Interval method (default Korn-Graubard: never a zero upper bound).
    #[serde(serialize_with = "ser_ci")]
    pub ci: CiMethod,
    /// A variance stratum with a single village (default: an error).
    #[serde(serialize_with = "ser_lonely")]
    pub lonely_psu: LonelyPsu,
    /// The rural population the incidence divides by; the register's total when `None`.
    pub rural_population: Option<f64>,
    /// The missed rate's denominator (default: the sampled households' people).
    pub missed_denominator: MissedDenominator,
    /// With or without replacement at the village stage (default with).
    pub variance: VarianceMethod,
    /// Villages taken by hand in the official values (default left out).
    pub by_hand_villages: ByHandVillages,
    /// The least design effect an interval assumes: its effective sample size is at most
    /// `n / deff_floor`, also when nothing is found (docs/verdict.md, "Intervals"; default
    /// [`DEFAULT_DEFF_FLOOR`], from simulation). 1 turns it off.
    pub deff_floor: f64,
}

/// The default design-effect floor of the intervals: the smallest of 1, 1.5, 2, 2.5 and 3 with
/// which the one-sided 95% bound of the shipped national plan covers the true rate at least
/// 95% of the time at every true rate from 0.5% to 3% (docs/simulation.md, "The
/// design-effect floor").
pub const DEFAULT_DEFF_FLOOR: f64 = 2.5;

fn ser_ci<S: serde::Serializer>(ci: &CiMethod, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(ci.name())
}

fn ser_lonely<S: serde::Serializer>(l: &LonelyPsu, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(match l {
        LonelyPsu::Fail => "fail",
        LonelyPsu::Remove => "remove",
        LonelyPsu::Centre => "centre",
        LonelyPsu::Collapse => "collapse",
    })
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rate_basis: RateBasis::Official,
            approval: ApprovalDefinition::AllQuestions,
            dont_know: DontKnow::Exclude,
            confidence: 0.95,
            ci: CiMethod::KornGraubard,
            lonely_psu: LonelyPsu::Fail,
            rural_population: None,
            missed_denominator: MissedDenominator::SampledHouseholds,
            variance: VarianceMethod::WithReplacement,
            by_hand_villages: ByHandVillages::Exclude,
            deff_floor: DEFAULT_DEFF_FLOOR,
        }
    }
}
