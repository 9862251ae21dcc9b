//! An indicator against its threshold: the value the decision uses, the official rule, the
//! design-based intervals and one-sided bounds, the statistical reading and the largest
//! confidence at which a bound excludes the threshold (docs/verdict.md, "Intervals and the
//! statistical reading").

use super::design::Context;
use super::{Indicator, Kind, Reading};
use crate::settings::RateBasis;
use assess_survey::{proportion_interval, Sided};

/// An indicator's values before its intervals and reading: what its estimator computed.
pub(super) struct Values {
    pub(super) kind: Kind,
    /// The official value.
    pub(super) official: f64,
    /// The design estimate.
    pub(super) design: f64,
    /// Its variance.
    pub(super) variance: f64,
    pub(super) df: usize,
    pub(super) deff: f64,
    pub(super) weighting_effect: f64,
    /// The official numerator and denominator.
    pub(super) numerator: f64,
    pub(super) denominator: f64,
    /// Households with a known finding: the `n` of the intervals too.
    pub(super) households: usize,
    pub(super) unknown: usize,
    /// The non-response bounds of the official value.
    pub(super) bounds: (f64, f64),
}

/// The indicator: `v` read against its threshold.
pub(super) fn indicator(ctx: &Context, v: Values) -> Result<Indicator, crate::VerdictError> {
    let settings = ctx.settings;
    let threshold = ctx.threshold(v.kind);
    let estimate = match settings.rate_basis {
        RateBasis::Official => v.official,
        RateBasis::Design => v.design,
    };
    let interval = |confidence: f64, sided: Sided| interval(ctx, &v, confidence, sided);
    let (lci, uci) = interval(settings.confidence, Sided::Two)?;
    let (_, upper_bound) = interval(settings.confidence, Sided::Upper)?;
    let (lower_bound, _) = interval(settings.confidence, Sided::Lower)?;
    let confidence_excluding = largest_confidence(|c| {
        let (_, up) = interval(c, Sided::Upper).ok()?;
        let (lo, _) = interval(c, Sided::Lower).ok()?;
        Some(up < threshold || lo >= threshold)
    });
    Ok(Indicator {
        kind: v.kind,
        estimate,
        official: v.official,
        design: v.design,
        se: v.variance.sqrt(),
        lci,
        uci,
        upper_bound,
        lower_bound,
        df: v.df,
        deff: v.deff,
        weighting_effect: v.weighting_effect,
        ci: settings.ci.name().to_string(),
        households: v.households,
        numerator: v.numerator,
        denominator: v.denominator,
        threshold,
        passes: passes(v.kind, estimate, threshold),
        reading: reading(v.kind, (lower_bound, upper_bound), threshold),
        confidence_excluding,
        unknown: v.unknown,
        bounds_if_nonrespondents: v.bounds,
    })
}

/// The design-based interval of `v` at `confidence`, as a proportion's (the estimate clamped
/// to [0, 1]) from its households and degrees of freedom.
fn interval(
    ctx: &Context,
    v: &Values,
    confidence: f64,
    sided: Sided,
) -> Result<(f64, f64), crate::VerdictError> {
    proportion_interval(
        v.design.clamp(0.0, 1.0),
        v.variance,
        v.households as f64,
        v.df as f64,
        ctx.settings.ci,
        confidence,
        sided,
    )
    .map_err(|source| crate::VerdictError::Estimate {
        indicator: v.kind.name(),
        source,
    })
}

/// The official rule: approval passes at or above its threshold (compared unrounded), the
/// rates strictly below.
fn passes(kind: Kind, estimate: f64, threshold: f64) -> bool {
    if kind.passes_above() {
        estimate >= threshold
    } else {
        estimate < threshold
    }
}

/// The reading from the one-sided bounds: passing when the bound on the passing side clears
/// the threshold, failing when the bound on the failing side is beyond it.
fn reading(kind: Kind, (lower_bound, upper_bound): (f64, f64), threshold: f64) -> Reading {
    let (pass_bound, fail_bound) = if kind.passes_above() {
        (lower_bound >= threshold, upper_bound < threshold)
    } else {
        (upper_bound < threshold, lower_bound >= threshold)
    };
    match (pass_bound, fail_bound) {
        (true, _) => Reading::PassesWithConfidence,
        (_, true) => Reading::FailsWithConfidence,
        _ => Reading::Inconclusive,
    }
}

/// The largest confidence level in [0.501, 0.9999] at which `excludes` holds (bounds widen
/// with the level, so it holds on an interval starting at the bottom), to 4 decimals; `None`
/// if not even at the bottom. The bottom is not 0.5 itself: there the t quantiles in
/// Korn-Graubard's effective sample size are both 0 and their ratio is undefined.
fn largest_confidence(excludes: impl Fn(f64) -> Option<bool>) -> Option<f64> {
    const LOW: f64 = 0.501;
    const HIGH: f64 = 0.9999;
    if excludes(LOW) != Some(true) {
        return None;
    }
    if excludes(HIGH) == Some(true) {
        return Some(HIGH);
    }
    let (mut lo, mut hi) = (LOW, HIGH);
    while hi - lo > 1e-6 {
        let mid = (lo + hi) / 2.0;
        if excludes(mid) == Some(true) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some((lo * 1e4).floor() / 1e4)
}
