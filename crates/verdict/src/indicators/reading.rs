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
    /// Of those, the households drawn at random; 0 when every one was taken with certainty
    /// and whole (a census of the rate's households: no sampling error).
    pub(super) sampled: usize,
    pub(super) unknown: usize,
    /// The non-response bounds of the official value.
    pub(super) bounds: (f64, f64),
    /// The part of the indicator known without sampling (the incidence's registered poor,
    /// `c = N_poor / N_rural`; 0 for the rates): the interval is the random part's.
    pub(super) known: f64,
    /// How its sample is shaped, for the decision risk.
    pub(super) shape: super::risk::Shape,
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
        interval_of: super::IntervalOf::Design,
        se: v.variance.sqrt(),
        lci,
        uci,
        design_interval: (lci, uci),
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
        decision_risk: super::risk::decision_risk(
            v.kind,
            v.shape,
            threshold,
            v.deff,
            settings.deff_floor,
            v.known,
        ),
        notes: Vec::new(),
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
    random_part_interval(
        v,
        ctx.settings.ci,
        ctx.settings.deff_floor,
        confidence,
        sided,
    )
}

/// The interval of `v` from its random part only. An indicator `P = c + R` whose part `c` is
/// known (the registered poor's share of the incidence) is not a proportion with sampling
/// error of its own: only `R` is estimated. So the interval is the proportion interval of
/// `q = R / (1 − c)`, which lies in [0, 1], with variance `V / (1 − c)²` (the same households
/// and degrees of freedom), mapped back as `c + (1 − c) q`: no bound falls below `c` or above
/// 1. With `c = 0` (the rates) this is the plain proportion interval, to the bit.
///
/// The effective sample size is at most `n / deff_floor`: the interval never assumes the
/// sample is worth more than that many independent households, even when few positives make
/// the estimated variance small or nothing found makes it 0.
fn random_part_interval(
    v: &Values,
    method: assess_survey::CiMethod,
    deff_floor: f64,
    confidence: f64,
    sided: Sided,
) -> Result<(f64, f64), crate::VerdictError> {
    let c = v.known;
    let scale = 1.0 - c;
    if scale <= 0.0 {
        // Everyone counted poor is known: nothing is estimated.
        return Ok((c, c));
    }
    let q = ((v.design - c) / scale).clamp(0.0, 1.0);
    if v.sampled == 0 && v.variance == 0.0 {
        // Every household of the rate was taken whole (a census of it): the value has no
        // sampling error, and the design-effect floor, which guards estimated variances
        // against looking too small, has nothing to guard.
        return Ok((c + scale * q, c + scale * q));
    }
    let (lo, hi) = proportion_interval(
        q,
        v.variance / (scale * scale),
        v.households as f64 / deff_floor.max(1.0),
        v.df as f64,
        method,
        confidence,
        sided,
    )
    .map_err(|source| crate::VerdictError::Estimate {
        indicator: v.kind.name(),
        source,
    })?;
    Ok((c + scale * lo, c + scale * hi))
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

#[cfg(test)]
mod tests {
    use super::*;
    use assess_survey::CiMethod;

    fn incidence(design: f64, se: f64, known: f64) -> Values {
        Values {
            kind: Kind::PovertyIncidence,
            official: design,
            design,
            variance: se * se,
            df: 23,
            deff: 1.0,
            weighting_effect: 1.0,
            numerator: 0.0,
            denominator: 1.0,
            households: 600,
            sampled: 600,
            unknown: 0,
            bounds: (design, design),
            known,
            shape: super::super::risk::Shape {
                villages: 25,
                households: 600,
                kappa2: 0.0,
            },
        }
    }

    /// Nothing found among 600 households (23 df): without the floor the Korn-Graubard upper
    /// bound takes all 600 as independent, with deff 2 as 300. scipy, apart from this crate:
    /// n* = n·(t.ppf(.95, n − 1)/t.ppf(.95, 23))², bound beta.ppf(.95, 1, n*) = 1 − .05^(1/n*):
    /// 0.005389351026217293 (n = 600) and 0.0107164489258047 (n = 300).
    #[test]
    fn the_design_effect_floor_halves_the_effective_size_also_when_nothing_is_found() {
        let v = incidence(0.0, 0.0, 0.0);
        let kg = CiMethod::KornGraubard;
        let (_, unfloored) = random_part_interval(&v, kg, 1.0, 0.95, Sided::Upper).unwrap();
        let (_, floored) = random_part_interval(&v, kg, 2.0, 0.95, Sided::Upper).unwrap();
        assert!(
            (unfloored - 0.005389351026217293).abs() < 1e-12,
            "{unfloored}"
        );
        assert!((floored - 0.0107164489258047).abs() < 1e-12, "{floored}");
        // A floor below 1 is no floor: the sample is never worth more than its households.
        let (_, below_one) = random_part_interval(&v, kg, 0.5, 0.95, Sided::Upper).unwrap();
        assert_eq!(below_one, unfloored);
    }

    /// The review's example: 1.2% of the rural population registered poor (known, c), one
    /// missed household found: P̂ = 1.33%, SE 0.14 points, 23 df, 600 households. Korn-Graubard
    /// on P itself gives a lower bound of 0.54% (two-sided) or 0.64% (one-sided), below the
    /// 1.2% known to be poor, and an upper bound of 2.44% that leaves a 2% county
    /// inconclusive. On the random part only the bounds are those of `q = (P − c)/(1 − c)`,
    /// mapped back. Known answers from scipy 1.x, independently of this crate:
    /// `beta.ppf` at the effective size `min(n, q(1−q)/V_q)·(t.ppf(.., n−1)/t.ppf(.., 23))²`.
    #[test]
    fn the_incidence_interval_is_the_random_parts_and_never_below_the_known_part() {
        let v = incidence(0.0133, 0.0014, 0.012);
        let kg = CiMethod::KornGraubard;
        let (lo, hi) = random_part_interval(&v, kg, 1.0, 0.95, Sided::Two).unwrap();
        assert!((lo - 0.012009003792677914).abs() < 1e-9, "{lo}");
        assert!((hi - 0.021210926996785708).abs() < 1e-9, "{hi}");
        let (_, upper) = random_part_interval(&v, kg, 1.0, 0.95, Sided::Upper).unwrap();
        let (lower, _) = random_part_interval(&v, kg, 1.0, 0.95, Sided::Lower).unwrap();
        assert!((lower - 0.012026164122050882).abs() < 1e-9, "{lower}");
        assert!((upper - 0.01963565011279423).abs() < 1e-9, "{upper}");
        // The reading follows from the corrected bound: below 2% with 95% confidence.
        assert_eq!(
            reading(Kind::PovertyIncidence, (lower, upper), 0.02),
            Reading::PassesWithConfidence
        );
        // The old interval, Korn-Graubard on P as if all of it were random, went below c.
        let (old_lo, _) =
            random_part_interval(&incidence(0.0133, 0.0014, 0.0), kg, 1.0, 0.95, Sided::Two)
                .unwrap();
        assert!((old_lo - 0.005444673210559519).abs() < 1e-9, "{old_lo}");
    }

    #[test]
    fn no_method_gives_a_bound_below_the_known_part() {
        for method in [
            CiMethod::KornGraubard,
            CiMethod::Wilson,
            CiMethod::Logit,
            CiMethod::Wald,
        ] {
            for (p, se) in [(0.0121, 0.003), (0.012, 0.0), (0.03, 0.01), (0.5, 0.2)] {
                let v = incidence(p, se, 0.012);
                for sided in [Sided::Two, Sided::Upper, Sided::Lower] {
                    let (lo, hi) = random_part_interval(&v, method, 1.0, 0.95, sided).unwrap();
                    assert!(
                        lo >= 0.012 && hi <= 1.0 && lo <= hi,
                        "{method:?} {p} {lo} {hi}"
                    );
                }
            }
        }
    }

    /// A census of the rate's households (every one taken with certainty and whole) has no
    /// sampling error: its interval is its value, with the floor or without; the same value
    /// from 600 households drawn at random keeps the floored interval.
    #[test]
    fn a_census_of_the_households_has_its_value_for_interval() {
        let kg = CiMethod::KornGraubard;
        let mut census = incidence(0.01, 0.0, 0.0);
        census.sampled = 0;
        for sided in [Sided::Two, Sided::Upper, Sided::Lower] {
            let (lo, hi) = random_part_interval(&census, kg, 2.5, 0.95, sided).unwrap();
            assert_eq!((lo, hi), (0.01, 0.01), "{sided:?}");
        }
        let drawn = incidence(0.01, 0.0, 0.0);
        let (_, hi) = random_part_interval(&drawn, kg, 2.5, 0.95, Sided::Upper).unwrap();
        assert!(hi > 0.02, "{hi}");
    }
}
