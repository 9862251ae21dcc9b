//! Design-based estimation for complex samples, as R's `survey` package does it: a
//! [`Design`] (weights, strata, primary and secondary units, strata of secondary units inside
//! the primary ones, finite population corrections,
//! Brewer's approximation for PPS without replacement, the lonely-PSU rule) is built once,
//! then one verb, `estimate``(design, statistic, domains, options)`, as R's `svyby(~y,
//! ~domain, design, svymean)`: a [`Statistic`] (total, mean, proportion, ratio) over
//! [`Domains`] (all rows, a subset, or every domain of a column in one pass over the rows),
//! each an [`Estimate`]: the point estimate, its Taylor-linearised variance and standard
//! error, degrees of freedom (PSUs − strata), design effects, Kish's weighting effect, and a
//! confidence interval (t for means, totals and ratios; Korn-Graubard, Wilson, logit or Wald
//! for proportions; two-sided or one-sided). A domain alone and the same domain among all
//! others get the same numbers.
//!
//! Layout:
//! - `design`: the design and its checks.
//! - `variance`: the multistage Taylor variance of a linearised variable.
//! - `estimate`: the estimators, domains, design effects.
//! - `interval`: confidence intervals and t quantiles.
//! - `error`: typed errors (rows as 0-based indices; the caller names files and lines).
//!
//! Every formula, its source and its R equivalent: `docs/estimation.md`.
//!
//! ```
//! use assess_survey::{estimate, CiMethod, Design, Domains, EstimateOptions, Statistic};
//! // Two strata, PSUs nested in them, with replacement.
//! let design = Design::builder(6)
//!     .weights(vec![10.0, 10.0, 20.0, 5.0, 5.0, 5.0])
//!     .strata(["a", "a", "a", "b", "b", "b"])
//!     .psu(["1", "1", "2", "1", "2", "3"])
//!     .build()?;
//! let y = [Some(3.0), Some(5.0), None, Some(2.0), Some(4.0), Some(6.0)];
//! let m = estimate(&design, Statistic::Mean(&y), Domains::All, &EstimateOptions::default())?
//!     .single()?;
//! assert_eq!(m.n, 5); // the row without a value is left out, the design is not
//! assert!((m.estimate - 4.0).abs() < 1e-12); // (30 + 50 + 10 + 20 + 30) / 35
//! assert_eq!(m.df, 2); // 4 PSUs with values − 2 strata
//!
//! // No wrong exit found: a Korn-Graubard upper bound is still above 0.
//! let none = [Some(false); 6];
//! let opts = EstimateOptions { ci: Some(CiMethod::KornGraubard), ..Default::default() };
//! let p = estimate(&design, Statistic::Proportion(&none), Domains::All, &opts)?.single()?;
//! assert!(p.estimate == 0.0 && p.uci > 0.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Not for: reading files or data frames (`assess-table` reads a survey file into columns;
//! the verdict builds columns from the store), computing weights from response (non-response
//! adjustment, calibration), replicate-weight variances, or quantiles. No I/O; deterministic.
#![deny(missing_docs)]

mod design;
mod error;
mod estimate;
mod interval;
mod variance;

pub use design::{kish, Design, DesignBuilder, LonelyPsu, Pps};
pub use error::{DesignError, EstimateError};
pub use estimate::{
    estimate, DomainEstimates, Domains, Estimate, EstimateOptions, Statistic, NO_DOMAIN,
};
pub use interval::{proportion_interval, t_interval, t_quantile, CiMethod, Sided};
