//! Design-based estimation for complex samples, as R's `survey` package does it: a
//! [`Design`] (weights, strata, primary and secondary units, strata of secondary units inside
//! the primary ones, finite population corrections,
//! Brewer's approximation for PPS without replacement, the lonely-PSU rule) is built once,
//! then small estimators ([`estimate_total`], [`estimate_mean`], [`estimate_ratio`],
//! [`estimate_prop`]) return an [`Estimate`]: the point estimate, its Taylor-linearised
//! variance and standard error, degrees of freedom (PSUs − strata), design effects, Kish's
//! weighting effect, and a confidence interval (t for means, totals and ratios;
//! Korn-Graubard, Wilson, logit or Wald for proportions; two-sided or one-sided). The
//! `*_by_domain` estimators ([`estimate_ratio_by_domain`] …) give every domain of a column
//! ([`Domains`]) in one pass over the rows, with the numbers each domain gets alone.
//!
//! Layout:
//! - [`design`]: the design and its checks.
//! - `variance`: the multistage Taylor variance of a linearised variable.
//! - [`estimate`]: the estimators, domains, design effects.
//! - [`interval`]: confidence intervals and t quantiles.
//! - [`error`]: typed errors (rows as 0-based indices; the caller names files and lines).
//!
//! Every formula, its source and its R equivalent: `docs/estimation.md`.
//!
//! ```
//! use assess_survey::{estimate_mean, estimate_prop, Design, EstimateOptions, CiMethod};
//! // Two strata, PSUs nested in them, with replacement.
//! let design = Design::builder(6)
//!     .weights(vec![10.0, 10.0, 20.0, 5.0, 5.0, 5.0])
//!     .strata(["a", "a", "a", "b", "b", "b"])
//!     .psu(["1", "1", "2", "1", "2", "3"])
//!     .build()?;
//! let y = [Some(3.0), Some(5.0), None, Some(2.0), Some(4.0), Some(6.0)];
//! let m = estimate_mean(&design, &y, None, &EstimateOptions::default())?;
//! assert_eq!(m.n, 5); // the row without a value is left out, the design is not
//! assert!((m.estimate - 4.0).abs() < 1e-12); // (30 + 50 + 10 + 20 + 30) / 35
//! assert_eq!(m.df, 2); // 4 PSUs with values − 2 strata
//!
//! // No wrong exit found: a Korn-Graubard upper bound is still above 0.
//! let none = [Some(false); 6];
//! let opts = EstimateOptions { ci: Some(CiMethod::KornGraubard), ..Default::default() };
//! let p = estimate_prop(&design, &none, None, &opts)?;
//! assert!(p.estimate == 0.0 && p.uci > 0.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Not for: reading files or data frames (the `assess estimate` command reads CSV; the
//! verdict builds columns from the store), computing weights from response (non-response
//! adjustment, calibration), replicate-weight variances, or quantiles. No I/O; deterministic.
#![deny(missing_docs)]

pub mod design;
pub mod error;
pub mod estimate;
pub mod interval;
mod variance;

pub use design::{kish, Design, DesignBuilder, LonelyPsu, Pps};
pub use error::{DesignError, EstimateError};
pub use estimate::{
    estimate_mean, estimate_mean_by_domain, estimate_prop, estimate_prop_by_domain, estimate_ratio,
    estimate_ratio_by_domain, estimate_total, estimate_total_by_domain, DomainEstimates, Domains,
    Estimate, EstimateOptions, NO_DOMAIN,
};
pub use interval::{proportion_interval, t_interval, t_quantile, CiMethod, Sided};
