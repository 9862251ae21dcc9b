//! The four exit indicators of one county, each official (the unweighted sample ratio the
//! rules describe) and design-based (weighted, with a Taylor-linearised variance over the
//! villages), with intervals, against its threshold (docs/verdict.md, "Indicators").
//!
//! [`compute`] builds the county's context (`design`: its respondents, their findings and the
//! sample design) once and hands it to each estimator: `ratio` (wrong-exit rate, approval, the
//! missed rate over households), `missed` (the missed rate over either denominator),
//! `incidence` (the poverty incidence from the two rates) and `domains` (the rates by
//! township, team, ...). `finding` says what each respondent counts for, `official` sums the
//! unweighted ratios, and `reading` turns an estimate into an [`Indicator`] with its intervals
//! and reading.

mod design;
mod domains;
mod finding;
mod incidence;
mod missed;
mod official;
mod ratio;
mod reading;
mod risk;

use crate::input::{RegisterPeople, VillageNonRegistered};
use crate::settings::{ByHandVillages, MissedDenominator, RateBasis, Settings};
use crate::weights::Respondent;
use assess_standards::CountyThresholds;
use design::Context;
use finding::Rate;
pub use risk::DecisionRisk;
use serde::Serialize;

/// Which indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Comprehensive poverty incidence (passes below its threshold).
    PovertyIncidence,
    /// Wrong-exit rate (passes below).
    WrongExitRate,
    /// Missed-assessment rate (passes below).
    MissedRate,
    /// Public approval (passes at or above).
    ApprovalRate,
}

impl Kind {
    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::PovertyIncidence => "poverty_incidence",
            Kind::WrongExitRate => "wrong_exit_rate",
            Kind::MissedRate => "missed_rate",
            Kind::ApprovalRate => "approval_rate",
        }
    }

    /// True when the indicator passes at or above its threshold (approval), false when it
    /// passes strictly below (the three rates).
    pub fn passes_above(self) -> bool {
        self == Kind::ApprovalRate
    }
}

/// The statistical reading of an indicator against its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reading {
    /// The one-sided bound on the passing side clears the threshold.
    PassesWithConfidence,
    /// The one-sided bound on the failing side is beyond the threshold.
    FailsWithConfidence,
    /// Neither bound excludes the threshold.
    Inconclusive,
}

/// One indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    /// Which one.
    pub kind: Kind,
    /// The value the decision uses (official or design, per the setting).
    pub estimate: f64,
    /// Unweighted sample ratio.
    pub official: f64,
    /// Weighted (design-based) estimate.
    pub design: f64,
    /// Which value the standard error, intervals, bounds and reading below are of: the one
    /// the decision uses (`estimate`), so that "passes with confidence" is about the value
    /// that decides.
    pub interval_of: IntervalOf,
    /// Design-based standard error of that value.
    pub se: f64,
    /// Two-sided design-based interval of that value at the settings' confidence.
    pub lci: f64,
    /// Upper end of it.
    pub uci: f64,
    /// One-sided upper bound at the settings' confidence.
    pub upper_bound: f64,
    /// One-sided lower bound.
    pub lower_bound: f64,
    /// The design estimate's two-sided interval (the same as `lci`–`uci` when the decision
    /// uses the design estimate).
    pub design_interval: (f64, f64),
    /// Degrees of freedom (primary units − strata of the domain).
    pub df: usize,
    /// Design effect (against simple random sampling with replacement).
    pub deff: f64,
    /// Kish's weighting effect `n Σw² / (Σw)²` of the indicator's respondents: the part of
    /// the design effect due to unequal weights alone (for the incidence, over every
    /// respondent).
    pub weighting_effect: f64,
    /// Interval method.
    pub ci: String,
    /// Households in the official ratio's denominator.
    pub households: usize,
    /// Official numerator (people, or households for approval).
    pub numerator: f64,
    /// Official denominator.
    pub denominator: f64,
    /// The threshold.
    pub threshold: f64,
    /// Official rule on `estimate` (approval compared unrounded).
    pub passes: bool,
    /// The statistical reading.
    pub reading: Reading,
    /// The largest confidence level at which a one-sided bound excludes the threshold, and on
    /// which side; `None` when even a 50% bound does not.
    pub confidence_excluding: Option<f64>,
    /// Households whose finding could not be told (an unknown answer): left out of both
    /// ratios, counted in the non-response bounds.
    pub unknown: usize,
    /// Official value if every non-respondent (and unknown) passed / failed.
    pub bounds_if_nonrespondents: (f64, f64),
    /// The probability that this design passes a county exactly on the threshold, beside
    /// `confidence_excluding` (the observed reading's own risk); absent without a sample to
    /// model.
    pub decision_risk: Option<DecisionRisk>,
    /// What a reader must know about how this indicator was computed (also in the verdict's
    /// reasons); absent when there is nothing to say.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Which value an indicator's intervals are of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IntervalOf {
    /// The weighted estimate.
    Design,
    /// The official unweighted ratio, its design-based variance from the same villages and
    /// strata with every interviewed household counted once.
    Official,
}

/// The county's indicators.
pub struct Computed {
    /// The indicators that could be estimated (all four, unless a domain is empty).
    pub indicators: Vec<Indicator>,
    /// The indicators that could not be, each with its reason.
    pub not_estimable: Vec<NotEstimable>,
    /// The two rates by township, village stratum, team and interviewer pair.
    pub domains: Vec<DomainEstimate>,
}

/// An indicator the sample cannot estimate, and why (e.g. a census-shaped plan that takes no
/// non-registered household has no missed rate).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotEstimable {
    /// The indicator's name (`missed_rate`, ...).
    pub indicator: String,
    /// Why, in words.
    pub reason: String,
}

/// A rate in one domain (issue 4 part 2: township, village type, team, interviewer).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainEstimate {
    /// `wrong_exit_rate`, `missed_rate` or `approval_rate`.
    pub indicator: String,
    /// `township`, `village_stratum`, `team`, `interviewers`, or (approval only)
    /// `register_stratum`.
    pub domain: String,
    /// The domain's level (a township code, `remote`, a team name, ...).
    pub level: String,
    /// Interviewed households of the indicator in the domain.
    pub households: usize,
    /// Official ratio.
    pub official: f64,
    /// Design estimate.
    pub design: f64,
    /// Its standard error.
    pub se: f64,
    /// Two-sided interval.
    pub lci: f64,
    /// Upper end.
    pub uci: f64,
    /// Degrees of freedom of the domain: villages with respondents in it minus strata.
    pub df: usize,
    /// Fewer than 8 degrees of freedom: the interval is unreliable.
    pub few_df: bool,
}

/// Non-response counts of a domain, in people (or households for approval).
#[derive(Debug, Clone, Copy, Default)]
pub struct NonResponse {
    /// Exited people not interviewed (non-respondents and unvisited primaries).
    pub exited_people: f64,
    /// Non-registered people not interviewed.
    pub non_registered_people: f64,
    /// Households not interviewed.
    pub households: f64,
}

impl NonResponse {
    /// The units of a rate (people of its register stratum, or households for approval) that
    /// were not interviewed: the `M` of its non-response bounds.
    fn of(&self, rate: Rate) -> f64 {
        match rate {
            Rate::WrongExit => self.exited_people,
            Rate::Missed => self.non_registered_people,
            Rate::Approval => self.households,
        }
    }
}

/// Computes the four indicators. `respondents` with no weight (villages taken by hand) count in
/// the official ratios only. `villages`: the non-registered people of every sampled village,
/// needed when the missed rate divides by them.
pub fn compute(
    respondents: &[Respondent],
    register: &RegisterPeople,
    thresholds: &CountyThresholds,
    settings: &Settings,
    nonresponse: NonResponse,
    villages: Option<&[VillageNonRegistered]>,
) -> Result<Computed, crate::VerdictError> {
    let ctx = Context::new(
        respondents,
        register,
        thresholds,
        settings,
        nonresponse,
        villages,
    )?;
    let (mut indicators, not_estimable) = four(&ctx)?;
    let domains = domains::estimates(&ctx);
    if settings.rate_basis == RateBasis::Official {
        let unit = official_respondents(respondents, settings);
        let official = Context::new(&unit, register, thresholds, settings, nonresponse, villages)
            .and_then(|ctx| four(&ctx));
        match official {
            Ok((official, _)) => {
                for indicator in indicators.iter_mut() {
                    if let Some(of_official) = official.iter().find(|o| o.kind == indicator.kind) {
                        indicator.read_on_official(of_official, settings);
                    }
                }
            }
            // Only the villages taken by hand, which the weighted design leaves out, can make
            // it fail (a lone one is a lonely PSU).
            Err(e) => {
                for indicator in &mut indicators {
                    indicator.notes.push(format!(
                        "its interval and reading are the design estimate's: the official \
                         value's variance could not be computed ({e})"
                    ));
                }
            }
        }
    }
    Ok(Computed {
        indicators,
        not_estimable,
        domains,
    })
}

/// The four indicators in `ctx`, in the order incidence, wrong-exit, missed, approval, and
/// those whose domain holds no interviewed household (not estimable, with the reason; the
/// incidence too when a rate it is computed from is). Computed in the order wrong exits,
/// missed, incidence, approval, so that a county failing several ways reports the same
/// first error.
fn four(ctx: &Context) -> Result<(Vec<Indicator>, Vec<NotEstimable>), crate::VerdictError> {
    let mut missing = Vec::new();
    let wrong = estimable(ratio::rate(ctx, Rate::WrongExit), &mut missing)?;
    let missed = estimable(missed::rate(ctx), &mut missing)?;
    let incidence = match (&wrong, &missed) {
        (Some(w), Some(m)) => estimable(incidence::incidence(ctx, w, m), &mut missing)?,
        _ => {
            missing.push(NotEstimable {
                indicator: Kind::PovertyIncidence.name().to_string(),
                reason: "it is computed from the wrong-exit and missed rates, and one of them \
                         cannot be estimated"
                    .to_string(),
            });
            None
        }
    };
    let approval = estimable(ratio::rate(ctx, Rate::Approval), &mut missing)?;
    // The order of the report: incidence first.
    let order = |n: &NotEstimable| {
        [
            "poverty_incidence",
            "wrong_exit_rate",
            "missed_rate",
            "approval_rate",
        ]
        .iter()
        .position(|k| *k == n.indicator)
    };
    missing.sort_by_key(order);
    let indicators = [
        incidence,
        wrong.map(|w| w.indicator),
        missed.map(|m| m.indicator),
        approval.map(|a| a.indicator),
    ];
    Ok((indicators.into_iter().flatten().collect(), missing))
}

/// An indicator, or None when its domain is empty (recorded in `missing`); other errors pass.
fn estimable<T>(
    result: Result<T, crate::VerdictError>,
    missing: &mut Vec<NotEstimable>,
) -> Result<Option<T>, crate::VerdictError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(crate::VerdictError::EmptyDomain(name)) => {
            missing.push(NotEstimable {
                indicator: name.to_string(),
                reason: "no interviewed household in its domain: the plan samples none of its \
                         households, or none was interviewed"
                    .to_string(),
            });
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The respondents of the official values, each counted once (weight 1), the others left out:
/// a design whose estimates are the official ratios, in the same villages and variance strata.
/// Villages taken by hand (counted when the settings say so) form a stratum of their own.
fn official_respondents<'a>(
    respondents: &[Respondent<'a>],
    settings: &Settings,
) -> Vec<Respondent<'a>> {
    respondents
        .iter()
        .map(|r| {
            let by_hand = r.household.pi_village.is_none();
            let counted = !by_hand || settings.by_hand_villages == ByHandVillages::Include;
            let mut unit = r.clone();
            unit.weight = counted.then_some(1.0);
            if by_hand {
                unit.variance_stratum = "by_hand".to_string();
                unit.psu = r.household.village.clone();
            }
            unit
        })
        .collect()
}

impl Indicator {
    /// Takes the standard error, intervals, bounds and reading of `official`, the same
    /// indicator computed with every official respondent counted once. The missed rate over
    /// the sampled villages (and the incidence built on it) has an official value of its own
    /// (extrapolated by village) that no such design reproduces: it keeps the design
    /// estimate's reading, and says so.
    fn read_on_official(&mut self, official: &Indicator, settings: &Settings) {
        let over_villages = settings.missed_denominator == MissedDenominator::SampledVillages;
        if over_villages && matches!(self.kind, Kind::MissedRate | Kind::PovertyIncidence) {
            self.notes.push(
                "its interval and reading are the design estimate's: the official value over the \
                 sampled villages' people has no design-based variance of its own here"
                    .to_string(),
            );
            return;
        }
        self.interval_of = IntervalOf::Official;
        self.se = official.se;
        self.lci = official.lci;
        self.uci = official.uci;
        self.upper_bound = official.upper_bound;
        self.lower_bound = official.lower_bound;
        self.df = official.df;
        self.deff = official.deff;
        self.reading = official.reading;
        self.confidence_excluding = official.confidence_excluding;
        self.decision_risk = official.decision_risk.clone();
    }
}
