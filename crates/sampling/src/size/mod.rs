//! Sample sizes for a rate near an exit threshold (the wrong-exit rate, the missed rate, the
//! poverty incidence; all pass when the estimate is strictly below a threshold such as 2%).
//!
//! Two questions, two answers:
//!
//! - [`precision_size`]: how many units estimate the rate to within ±e (Cochran 1977, eqs 4.2
//!   and 4.3; Lohr 2019, section 2.7), inflated by a design effect (Kish 1965) and by
//!   non-response.
//! - [`pass_rule_size`]: how many units make the official point-estimate rule ("pass when
//!   p̂ < t") pass a county whose true rate is good and fail one whose true rate is bad, with
//!   stated risks. Computed exactly with the binomial distribution (the operating
//!   characteristic saw-tooths in n, so both the smallest n and the n from which it stays met
//!   are reported) and by two normal approximations.
//!
//! Sizes are in effective units (people or households, whatever the rate counts); household
//! counts to visit are `n × deff / response rate`, rounded up. See `docs/sample-size.md`.
//!
//! Layout: this module holds what both answers share (the design effect, the errors, the
//! normal quantiles, the input checks and the number format); `precision` computes the
//! precision-based size and `pass_rule` the pass-rule size, each with its explanation.

mod clustered;
mod pass_rule;
mod precision;

pub use clustered::{clustered_cdf, clustered_pass_probability};
pub use pass_rule::{
    binomial_cdf, max_pass_count, oc_for_visits, oc_point, pass_probability, pass_rule_size,
    Contributions, NormalApprox, OcPoint, PassRuleSize, PassRuleSpec, DEFAULT_MAX_N,
    MAX_SEARCH_LIMIT,
};
pub use precision::{precision_size, PrecisionSize, PrecisionSpec};

use assess_survey::Sided;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

/// Why a size could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SizeError {
    /// An input outside its allowed range.
    #[error("{name} = {value} is not allowed: it must be {expected}")]
    OutOfRange {
        /// What the input is.
        name: &'static str,
        /// The value given.
        value: f64,
        /// The allowed range, in words.
        expected: &'static str,
    },
    /// Two inputs that contradict each other.
    #[error("{0}")]
    Inconsistent(String),
    /// No sample size up to the search limit meets both risks.
    #[error(
        "no n from 1 to {max_n} meets both risks (the normal approximation with the cutoff at \
         the threshold suggests about {approx}); raise the search limit or widen the gap between \
         the good and the bad rate"
    )]
    NotFound {
        /// The largest n searched.
        max_n: u64,
        /// The fixed-cutoff normal approximation, as a hint.
        approx: u64,
    },
}

/// The design effect of a clustered sample: the variance ratio against simple random sampling.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DesignEffect {
    /// A value the user supplies (from a previous survey, say).
    Given {
        /// The design effect, > 0.
        deff: f64,
    },
    /// Kish (1965, section 5.4): deff = 1 + (m − 1)·ρ for clusters of m units with intraclass
    /// correlation ρ.
    Clusters {
        /// Average number of sampled units per cluster (village), ≥ 1.
        cluster_size: f64,
        /// Intraclass correlation of the indicator within clusters, in [0, 1].
        icc: f64,
    },
}

impl DesignEffect {
    /// The numeric design effect.
    pub fn value(&self) -> f64 {
        match *self {
            DesignEffect::Given { deff } => deff,
            DesignEffect::Clusters { cluster_size, icc } => 1.0 + (cluster_size - 1.0) * icc,
        }
    }

    fn validate(&self) -> Result<(), SizeError> {
        match *self {
            DesignEffect::Given { deff } => {
                check(deff > 0.0 && deff.is_finite(), "deff", deff, "> 0")
            }
            DesignEffect::Clusters { cluster_size, icc } => {
                check(
                    cluster_size >= 1.0 && cluster_size.is_finite(),
                    "cluster size",
                    cluster_size,
                    ">= 1",
                )?;
                check((0.0..=1.0).contains(&icc), "ICC", icc, "between 0 and 1")
            }
        }
    }

    /// One line showing where the value comes from, with numbers substituted.
    pub fn explain(&self) -> String {
        match *self {
            DesignEffect::Given { deff } => format!("deff = {} (given)", num(deff)),
            DesignEffect::Clusters { cluster_size, icc } => format!(
                "deff = 1 + (m − 1) × ρ = 1 + ({} − 1) × {} = {}   (Kish 1965)",
                num(cluster_size),
                num(icc),
                num(self.value())
            ),
        }
    }
}

/// The normal quantile for a confidence level, two- or one-sided.
pub fn z_for(confidence: f64, sided: Sided) -> f64 {
    match sided {
        Sided::Two => z_upper((1.0 - confidence) / 2.0),
        Sided::Upper | Sided::Lower => z_upper(1.0 - confidence),
    }
}

/// z_{1−tail}: the standard normal quantile leaving `tail` above it. `tail` must be in (0, 1).
fn z_upper(tail: f64) -> f64 {
    Normal::standard().inverse_cdf(1.0 - tail)
}

/// Rounds a size up, forgiving floating noise: 0.25 × 1.96² / 0.05² is meant to be an exact
/// integer in some textbook cases and must not become one more because of a 1e-13 excess.
fn ceil_count(x: f64) -> u64 {
    (x - 1e-9).ceil().max(0.0) as u64
}

fn check(
    ok: bool,
    name: &'static str,
    value: f64,
    expected: &'static str,
) -> Result<(), SizeError> {
    if ok {
        Ok(())
    } else {
        Err(SizeError::OutOfRange {
            name,
            value,
            expected,
        })
    }
}

fn check_open_unit(name: &'static str, value: f64) -> Result<(), SizeError> {
    check(
        value > 0.0 && value < 1.0,
        name,
        value,
        "strictly between 0 and 1",
    )
}

fn check_response(value: f64) -> Result<(), SizeError> {
    check(
        value > 0.0 && value <= 1.0,
        "response rate",
        value,
        "above 0 and at most 1",
    )
}

/// A number with up to four decimals and no trailing zeros: 0.02, 1.5, 40000.
fn num(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}
