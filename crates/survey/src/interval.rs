//! Confidence intervals: symmetric t intervals for means, totals and ratios, and four methods
//! for proportions (Korn-Graubard, Wilson, logit, Wald), two-sided or one-sided. Quantiles of
//! the t and beta distributions come from `statrs`. Formulas and sources: `docs/estimation.md`.

use crate::error::EstimateError;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
use statrs::function::beta::beta_reg;

/// How an interval is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum CiMethod {
    /// `estimate ± t_df · se` (R's `confint`, and `svyciprop(method = "mean")`); for a
    /// proportion clipped to [0, 1].
    #[cfg_attr(feature = "clap", value(alias = "mean", alias = "t"))]
    Wald,
    /// Korn & Graubard (1998): Clopper-Pearson at the effective sample size
    /// `n* = min(n, p(1−p)/V) · (t_{n−1}/t_df)²` (R's `svyciprop(method = "beta")`, with `n*`
    /// truncated at n); its upper bound is above 0 even when the estimate is 0.
    #[cfg_attr(feature = "clap", value(alias = "kg", alias = "beta"))]
    KornGraubard,
    /// Wilson's score interval at the effective sample size `min(n, p(1−p)/V)` with a
    /// t_df quantile.
    Wilson,
    /// `expit(logit(p) ± t_df · se / (p(1−p)))` (R's `svyciprop` default, samplics).
    Logit,
}

/// `korn-graubard`, `wilson`, `logit` or `wald` (as JSON and settings spell them).
impl std::str::FromStr for CiMethod {
    type Err = String;
    fn from_str(name: &str) -> Result<CiMethod, String> {
        [
            CiMethod::KornGraubard,
            CiMethod::Wilson,
            CiMethod::Logit,
            CiMethod::Wald,
        ]
        .into_iter()
        .find(|m| m.name() == name)
        .ok_or_else(|| {
            format!("interval method {name:?} is not korn-graubard, wilson, logit or wald")
        })
    }
}

impl CiMethod {
    /// The method's name as the command line and JSON spell it.
    pub fn name(self) -> &'static str {
        match self {
            CiMethod::Wald => "wald",
            CiMethod::KornGraubard => "korn-graubard",
            CiMethod::Wilson => "wilson",
            CiMethod::Logit => "logit",
        }
    }
}

/// Which bounds an interval has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Sided {
    /// Both bounds, each with tail (1 − confidence)/2.
    #[default]
    Two,
    /// An upper bound only, with tail 1 − confidence; the lower bound is the least possible
    /// value (0 for a proportion, −∞ otherwise).
    #[cfg_attr(feature = "clap", value(alias = "one"))]
    Upper,
    /// A lower bound only; the upper bound is the largest possible value (1 or +∞).
    Lower,
}

/// Quantile `p` of Student's t with `df` degrees of freedom: NaN when `df <= 0`, the normal
/// quantile when `df` is infinite.
///
/// statrs 0.19's `StudentsT::inverse_cdf` is accurate up to df = 1000 (see the tests) but
/// drifts beyond (1.959848 instead of 1.959966 at df = 10⁶) and does not return near
/// df = 10⁸; there the Cornish-Fisher expansion of Abramowitz & Stegun 26.7.5 is used, whose
/// first omitted term is below 1e-13 for df > 1000 and p within (1e-4, 1 − 1e-4).
pub fn t_quantile(df: f64, p: f64) -> f64 {
    if df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if df > LARGE_DF {
        return t_expansion(df, p);
    }
    StudentsT::new(0.0, 1.0, df).map_or(f64::NAN, |t| t.inverse_cdf(p))
}

/// Above this many degrees of freedom the t quantile comes from the expansion.
const LARGE_DF: f64 = 1000.0;

/// Abramowitz & Stegun 26.7.5: t_p ≈ z + g1/ν + g2/ν² + g3/ν³ + g4/ν⁴ (z the normal quantile).
fn t_expansion(df: f64, p: f64) -> f64 {
    let z = Normal::standard().inverse_cdf(p);
    if df.is_infinite() {
        return z;
    }
    let z2 = z * z;
    let g1 = z * (z2 + 1.0) / 4.0;
    let g2 = z * ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0;
    let g3 = z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0;
    let g4 = z * ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) / 92160.0;
    z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df
}

/// Quantile `q` of the beta distribution with shapes `a`, `b`, by bisection on statrs's
/// regularised incomplete beta function. statrs 0.19's `Beta::inverse_cdf` (AS 64 with
/// Newton steps) stops early for large shapes (its 0.975 quantile of Beta(1, 10⁶) has
/// probability 0.974988) and does not return for Beta(1, 10⁸); its `beta_reg` is accurate
/// there, and 200 halvings give the quantile to a relative 1e-15.
fn beta_quantile(a: f64, b: f64, q: f64) -> f64 {
    if !(a > 0.0 && b > 0.0 && (0.0..=1.0).contains(&q)) {
        return f64::NAN;
    }
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if beta_reg(a, b, mid) < q {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 4.0 * f64::EPSILON * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// Tail probability beyond each computed bound.
fn tail(confidence: f64, sided: Sided) -> Result<f64, EstimateError> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(EstimateError::Confidence(confidence));
    }
    Ok(match sided {
        Sided::Two => (1.0 - confidence) / 2.0,
        Sided::Upper | Sided::Lower => 1.0 - confidence,
    })
}

/// Keeps the bounds that `sided` asks for, replacing the other by the limit `min` or `max`.
fn keep(sided: Sided, (lo, hi): (f64, f64), min: f64, max: f64) -> (f64, f64) {
    match sided {
        Sided::Two => (lo, hi),
        Sided::Upper => (min, hi),
        Sided::Lower => (lo, max),
    }
}

/// Symmetric t interval `estimate ± t_df · se`.
pub fn t_interval(
    estimate: f64,
    se: f64,
    df: f64,
    confidence: f64,
    sided: Sided,
) -> Result<(f64, f64), EstimateError> {
    let q = t_quantile(df, 1.0 - tail(confidence, sided)?);
    let bounds = (estimate - q * se, estimate + q * se);
    Ok(keep(sided, bounds, f64::NEG_INFINITY, f64::INFINITY))
}

/// Interval for a proportion `p` with design variance `variance`, from `n` observations
/// (rows used) and `df` design degrees of freedom.
pub fn proportion_interval(
    p: f64,
    variance: f64,
    n: f64,
    df: f64,
    method: CiMethod,
    confidence: f64,
    sided: Sided,
) -> Result<(f64, f64), EstimateError> {
    if !(0.0..=1.0).contains(&p) {
        return Err(EstimateError::NotAProportion {
            method: method.name(),
            estimate: p,
        });
    }
    let a = tail(confidence, sided)?;
    let bounds = match method {
        CiMethod::Wald => {
            let q = t_quantile(df, 1.0 - a) * variance.sqrt();
            ((p - q).max(0.0), (p + q).min(1.0))
        }
        CiMethod::Logit => logit(p, variance, df, a),
        CiMethod::Wilson => wilson(p, variance, n, df, a),
        CiMethod::KornGraubard => korn_graubard(p, variance, n, df, a),
    };
    Ok(keep(sided, bounds, 0.0, 1.0))
}

/// Effective sample size `min(n, p(1−p)/V)`; `n` when V = 0 (as when p is 0 or 1).
fn effective_n(p: f64, variance: f64, n: f64) -> f64 {
    if variance > 0.0 {
        (p * (1.0 - p) / variance).min(n)
    } else {
        n
    }
}

/// Logit interval; it collapses to `[p, p]` at p = 0 or 1, where the logit is infinite.
fn logit(p: f64, variance: f64, df: f64, a: f64) -> (f64, f64) {
    if p <= 0.0 || p >= 1.0 {
        return (p, p);
    }
    let centre = (p / (1.0 - p)).ln();
    let half = t_quantile(df, 1.0 - a) * variance.sqrt() / (p * (1.0 - p));
    let expit = |x: f64| 1.0 / (1.0 + (-x).exp());
    (expit(centre - half), expit(centre + half))
}

/// Wilson score interval with `n` replaced by the effective sample size and z by t_df.
fn wilson(p: f64, variance: f64, n: f64, df: f64, a: f64) -> (f64, f64) {
    let ne = effective_n(p, variance, n);
    let q2 = t_quantile(df, 1.0 - a).powi(2);
    let centre = (p + q2 / (2.0 * ne)) / (1.0 + q2 / ne);
    let half = (q2 * (p * (1.0 - p) / ne + q2 / (4.0 * ne * ne))).sqrt() / (1.0 + q2 / ne);
    // At p = 0 the lower bound is centre − half = 0 exactly, which rounding would leave a
    // hair above 0 (about 1e-18) and so "excluding" 0; likewise the upper bound at p = 1.
    let lower = if p <= 0.0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let upper = if p >= 1.0 {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (lower, upper)
}

/// Korn-Graubard: Clopper-Pearson bounds with x = n*·p successes out of n*.
fn korn_graubard(p: f64, variance: f64, n: f64, df: f64, a: f64) -> (f64, f64) {
    let ratio = t_quantile(n - 1.0, 1.0 - a) / t_quantile(df, 1.0 - a);
    let n_star = effective_n(p, variance, n) * ratio * ratio;
    if !n_star.is_finite() || n_star <= 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let x = n_star * p;
    let lower = if x <= 0.0 {
        0.0
    } else {
        beta_quantile(x, n_star - x + 1.0, a)
    };
    let upper = if x >= n_star {
        1.0
    } else {
        beta_quantile(x + 1.0, n_star - x, 1.0 - a)
    };
    (lower, upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-300)
    }

    #[test]
    fn t_quantiles_match_published_values() {
        // qt(0.975, 31) = 2.039513446396408, qt(0.95, 10) = 1.812461122811676 (checked by
        // integrating the t density: 0.975, 0.95 to 1e-14); qnorm(0.975) = 1.959963984540054.
        assert!(close(t_quantile(31.0, 0.975), 2.039513446396408, 1e-12));
        assert!(close(t_quantile(10.0, 0.95), 1.812461122811676, 1e-12));
        assert!(close(t_quantile(1.0, 0.975), 12.706204736174707, 1e-12));
        assert!(close(t_quantile(2.0, 0.975), 4.302652729749464, 1e-12));
        assert!(close(
            t_quantile(f64::INFINITY, 0.975),
            1.959963984540054,
            1e-12
        ));
        // At df = 1000 statrs and the expansion agree.
        let (a, b) = (t_quantile(1000.0, 0.975), t_expansion(1000.0, 0.975));
        assert!(close(a, b, 1e-12), "{a} {b}");
        let (a, b) = (t_quantile(1000.0, 0.9995), t_expansion(1000.0, 0.9995));
        assert!(close(a, b, 1e-12), "{a} {b}");
        // Large df: monotone towards the normal quantile, and fast.
        let big = [1e4, 1e6, 1e8, 1e12].map(|df| t_quantile(df, 0.975));
        assert!(big
            .windows(2)
            .all(|w| w[0] > w[1] && w[1] > 1.959963984540054));
        assert!(close(big[1], 1.959963984540054 + 2.3722e-6, 1e-9));
        assert!(t_quantile(0.0, 0.975).is_nan());
    }

    #[test]
    fn beta_quantiles_hold_for_large_shapes() {
        // Beta(1, b) has the closed form 1 − (1 − q)^(1/b); statrs's beta_reg loses digits
        // as b grows (5e-10 in probability at b = 10⁸).
        for (b, tol) in [(10.0, 1e-12), (1e6, 1e-9), (1e8, 1e-8)] {
            let want = -(0.025f64.ln() / b).exp_m1();
            assert!(close(beta_quantile(1.0, b, 0.975), want, tol), "b = {b}");
        }
        // Beta(a, 1) has the closed form q^(1/a).
        assert!(close(
            beta_quantile(7.5, 1.0, 0.025),
            0.025f64.powf(1.0 / 7.5),
            1e-12
        ));
        let x = beta_quantile(2000.0, 98001.0, 0.025);
        assert!(close(beta_reg(2000.0, 98001.0, x), 0.025, 1e-9));
    }

    #[test]
    fn korn_graubard_upper_bound_is_positive_at_zero() {
        // p = 0, V = 0, n = 200 households, df = 19: n* = 200 · (t_199/t_19)², x = 0, so the
        // upper bound is the Clopper-Pearson bound 1 − (α/2)^(1/n*).
        let (lo, hi) = proportion_interval(
            0.0,
            0.0,
            200.0,
            19.0,
            CiMethod::KornGraubard,
            0.95,
            Sided::Two,
        )
        .unwrap();
        let r = t_quantile(199.0, 0.975) / t_quantile(19.0, 0.975);
        let n_star = 200.0 * r * r;
        assert_eq!(lo, 0.0);
        assert!(hi > 0.0);
        assert!(close(hi, 1.0 - 0.025f64.powf(1.0 / n_star), 1e-9), "{hi}");
        // One-sided 95% upper bound: tail 0.05.
        let (lo, hi1) = proportion_interval(
            0.0,
            0.0,
            200.0,
            19.0,
            CiMethod::KornGraubard,
            0.95,
            Sided::Upper,
        )
        .unwrap();
        assert_eq!(lo, 0.0);
        assert!(hi1 > 0.0 && hi1 < hi);
    }

    #[test]
    fn korn_graubard_is_clopper_pearson_under_srs() {
        // V = p(1−p)/n and df = n − 1 give n* = n: Clopper-Pearson for 3 of 20, the p solving
        // P(X >= 3) = 0.025 and P(X <= 3) = 0.025 (binomial sums, bisection):
        // 0.032070937185, 0.378926826545.
        let p = 0.15;
        let (lo, hi) = proportion_interval(
            p,
            p * (1.0 - p) / 20.0,
            20.0,
            19.0,
            CiMethod::KornGraubard,
            0.95,
            Sided::Two,
        )
        .unwrap();
        assert!(close(lo, 0.032070937185, 1e-9), "{lo}");
        assert!(close(hi, 0.378926826545, 1e-9), "{hi}");
    }

    #[test]
    fn wilson_bounds_are_exactly_0_and_1_at_the_ends() {
        for (p, variance) in [(0.0, 0.0), (1.0, 0.0), (0.0, 1e-4)] {
            let (lo, hi) =
                proportion_interval(p, variance, 700.0, 24.0, CiMethod::Wilson, 0.95, Sided::Two)
                    .unwrap();
            assert!(lo >= 0.0 && hi <= 1.0 && lo < hi, "{p}: {lo} {hi}");
            if p == 0.0 {
                assert_eq!(lo, 0.0);
            } else {
                assert_eq!(hi, 1.0);
            }
        }
    }

    #[test]
    fn wilson_with_infinite_df_is_the_classical_score_interval() {
        // 3 of 20 under SRS with z = 1.959963984540054, from the closed form (Wilson 1927):
        // 0.052368745896, 0.360418864741.
        let p = 0.15;
        let (lo, hi) = proportion_interval(
            p,
            p * (1.0 - p) / 20.0,
            20.0,
            f64::INFINITY,
            CiMethod::Wilson,
            0.95,
            Sided::Two,
        )
        .unwrap();
        assert!(close(lo, 0.052368745896, 1e-9), "{lo}");
        assert!(close(hi, 0.360418864741, 1e-9), "{hi}");
        let (_, hi0) =
            proportion_interval(0.0, 0.0, 50.0, 30.0, CiMethod::Wilson, 0.95, Sided::Two).unwrap();
        assert!(hi0 > 0.0);
    }

    #[test]
    fn logit_interval_matches_samplics() {
        // nhanes2 highbp = 1 (samplics 0.6.1): p = 0.3687432983, se = 0.01432012275, df 31 →
        // 0.3400474413, 0.3983988808.
        let (lo, hi) = proportion_interval(
            0.3687432983,
            0.01432012275f64.powi(2),
            10337.0,
            31.0,
            CiMethod::Logit,
            0.95,
            Sided::Two,
        )
        .unwrap();
        assert!(close(lo, 0.3400474413, 1e-9), "{lo}");
        assert!(close(hi, 0.3983988808, 1e-9), "{hi}");
    }

    #[test]
    fn one_sided_bounds_keep_the_natural_limit() {
        let (lo, hi) = t_interval(10.0, 1.0, 30.0, 0.95, Sided::Upper).unwrap();
        assert_eq!(lo, f64::NEG_INFINITY);
        assert!(close(hi, 10.0 + t_quantile(30.0, 0.95), 1e-12));
        let (lo, hi) =
            proportion_interval(0.5, 0.01, 100.0, 30.0, CiMethod::Wald, 0.9, Sided::Lower).unwrap();
        assert!(close(lo, 0.5 - 0.1 * t_quantile(30.0, 0.9), 1e-12));
        assert_eq!(hi, 1.0);
    }

    #[test]
    fn proportion_methods_refuse_a_value_outside_0_1() {
        let e = proportion_interval(1.5, 0.1, 10.0, 9.0, CiMethod::Logit, 0.95, Sided::Two);
        assert!(matches!(e, Err(EstimateError::NotAProportion { .. })));
        let e = t_interval(1.0, 0.1, 9.0, 1.5, Sided::Two);
        assert!(matches!(e, Err(EstimateError::Confidence(_))));
    }
}
