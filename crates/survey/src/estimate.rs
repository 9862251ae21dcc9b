//! Estimators: totals, means, ratios and proportions, over the whole population or a domain,
//! each with its linearised variance, degrees of freedom, design effects and interval.
//!
//! Analysis rows: a row enters when it is in the domain, has a value (both values, for a ratio)
//! and a positive weight. Other rows stay in the design with a linearised value of 0 (R's
//! `svyby` and `na.rm = TRUE` on a `survey.design2`): the PSUs and SSUs of the design, and the
//! weights implied by its fpcs, do not change with the analysis.

use crate::design::{kish, Design};
use crate::error::EstimateError;
use crate::interval::{proportion_interval, t_interval, CiMethod, Sided};
use crate::variance::variance;
use serde::Serialize;

/// Interval settings of an estimate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EstimateOptions {
    /// Confidence level, in (0, 1).
    pub confidence: f64,
    /// Two-sided or one bound.
    pub sided: Sided,
    /// Interval method; `None` means logit for proportions and Wald (t) otherwise. A proportion
    /// method (Korn-Graubard, Wilson, logit) on a mean or ratio needs an estimate in [0, 1].
    pub ci: Option<CiMethod>,
}

impl Default for EstimateOptions {
    fn default() -> Self {
        EstimateOptions {
            confidence: 0.95,
            sided: Sided::Two,
            ci: None,
        }
    }
}

/// One estimate with its uncertainty.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// The point estimate.
    pub estimate: f64,
    /// Standard error (square root of `variance`).
    pub se: f64,
    /// Linearised design variance.
    pub variance: f64,
    /// Lower bound (the least possible value for a one-sided upper bound: 0 for a proportion
    /// method, −∞ for Wald on a mean, total or ratio).
    pub lci: f64,
    /// Upper bound (1 or +∞ for a one-sided lower bound).
    pub uci: f64,
    /// Degrees of freedom: PSUs − strata among the PSUs holding analysis rows.
    pub df: usize,
    /// Design effect against simple random sampling with replacement of `n` units (R's
    /// `deff = "replace"`): `variance / (s² / n)` for a mean.
    pub deff: f64,
    /// Design effect against simple random sampling without replacement (R's `deff = TRUE`):
    /// the SRS variance times `1 − n / Σw`.
    pub deff_wor: f64,
    /// Kish's weighting effect of the analysis rows: `n Σw² / (Σw)²`.
    pub weighting_effect: f64,
    /// Analysis rows (in the domain, with a value and a positive weight).
    pub n: usize,
    /// PSUs holding analysis rows.
    pub n_psu: usize,
    /// Strata holding analysis rows.
    pub n_strata: usize,
    /// Sum of the weights of the analysis rows (the estimated domain size).
    pub sum_weights: f64,
    /// Interval method used.
    pub ci: CiMethod,
    /// Confidence level.
    pub confidence: f64,
    /// Sidedness of the interval.
    pub sided: Sided,
}

/// Estimated population total `Σ w y` (R's `svytotal`); linearised variable `w y`.
pub fn estimate_total(
    design: &Design,
    y: &[Option<f64>],
    domain: Option<&[bool]>,
    opts: &EstimateOptions,
) -> Result<Estimate, EstimateError> {
    let y = values(design, y, "y")?;
    let s = Sample::new(design, domain, |i| y[i].is_some())?;
    let w = design.weights();
    let val = |i: usize| y[i].unwrap_or(0.0);
    let total: f64 = s.rows.iter().map(|&i| w[i] * val(i)).sum();
    let z = s.linearised(design, |i| w[i] * val(i));
    let ybar = total / s.sum_w;
    let srs = s.srs_variance(design, |i| val(i) - ybar) * s.sum_w * s.sum_w;
    s.finish(total, variance(design, &z), srs, Kind::Other, opts)
}

/// Estimated population mean `Σ w y / Σ w` (R's `svymean`); linearised variable
/// `w (y − ȳ) / Σw`.
pub fn estimate_mean(
    design: &Design,
    y: &[Option<f64>],
    domain: Option<&[bool]>,
    opts: &EstimateOptions,
) -> Result<Estimate, EstimateError> {
    let y = values(design, y, "y")?;
    mean(design, y, domain, Kind::Other, opts)
}

/// Estimated proportion of rows with `y = true` (R's `svyciprop`; default interval logit).
pub fn estimate_prop(
    design: &Design,
    y: &[Option<bool>],
    domain: Option<&[bool]>,
    opts: &EstimateOptions,
) -> Result<Estimate, EstimateError> {
    check_len(design, y.len(), "y")?;
    let y: Vec<Option<f64>> = y.iter().map(|v| v.map(f64::from)).collect();
    mean(design, &y, domain, Kind::Proportion, opts)
}

/// Estimated ratio of totals `Σ w y / Σ w x` (R's `svyratio`); linearised variable
/// `w (y − R x) / Σ w x`. Rows enter when both values are present.
pub fn estimate_ratio(
    design: &Design,
    numerator: &[Option<f64>],
    denominator: &[Option<f64>],
    domain: Option<&[bool]>,
    opts: &EstimateOptions,
) -> Result<Estimate, EstimateError> {
    let y = values(design, numerator, "numerator")?;
    let x = values(design, denominator, "denominator")?;
    let s = Sample::new(design, domain, |i| y[i].is_some() && x[i].is_some())?;
    let w = design.weights();
    let (yv, xv) = (
        |i: usize| y[i].unwrap_or(0.0),
        |i: usize| x[i].unwrap_or(0.0),
    );
    let ty: f64 = s.rows.iter().map(|&i| w[i] * yv(i)).sum();
    let tx: f64 = s.rows.iter().map(|&i| w[i] * xv(i)).sum();
    if tx == 0.0 {
        return Err(EstimateError::ZeroDenominator);
    }
    let r = ty / tx;
    let z = s.linearised(design, |i| w[i] * (yv(i) - r * xv(i)) / tx);
    let xbar = tx / s.sum_w;
    let srs = s.srs_variance(design, |i| yv(i) - r * xv(i)) / (xbar * xbar);
    s.finish(r, variance(design, &z), srs, Kind::Other, opts)
}

/// Whether proportion conventions apply (default logit interval, Wald clipped to [0, 1]).
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Proportion,
    Other,
}

fn mean(
    design: &Design,
    y: &[Option<f64>],
    domain: Option<&[bool]>,
    kind: Kind,
    opts: &EstimateOptions,
) -> Result<Estimate, EstimateError> {
    let s = Sample::new(design, domain, |i| y[i].is_some())?;
    let w = design.weights();
    let val = |i: usize| y[i].unwrap_or(0.0);
    let ybar = s.rows.iter().map(|&i| w[i] * val(i)).sum::<f64>() / s.sum_w;
    let z = s.linearised(design, |i| w[i] * (val(i) - ybar) / s.sum_w);
    let srs = s.srs_variance(design, |i| val(i) - ybar);
    s.finish(ybar, variance(design, &z), srs, kind, opts)
}

fn check_len(design: &Design, len: usize, column: &'static str) -> Result<(), EstimateError> {
    if len == design.n_rows() {
        return Ok(());
    }
    Err(EstimateError::Length {
        column,
        expected: design.n_rows(),
        got: len,
    })
}

/// Checks a value column: one value per row, every present value finite.
fn values<'a>(
    design: &Design,
    y: &'a [Option<f64>],
    column: &'static str,
) -> Result<&'a [Option<f64>], EstimateError> {
    check_len(design, y.len(), column)?;
    match y.iter().position(|v| v.is_some_and(|v| !v.is_finite())) {
        Some(row) => Err(EstimateError::NotFinite {
            row,
            value: y[row].unwrap_or(f64::NAN),
        }),
        None => Ok(y),
    }
}

/// The analysis rows of one estimate and what is counted over them.
struct Sample {
    rows: Vec<usize>,
    sum_w: f64,
    df: usize,
    n_psu: usize,
    n_strata: usize,
    weighting_effect: f64,
}

impl Sample {
    /// Rows in the domain, with a value (`present`) and a positive weight.
    fn new(
        design: &Design,
        domain: Option<&[bool]>,
        present: impl Fn(usize) -> bool,
    ) -> Result<Sample, EstimateError> {
        if let Some(d) = domain {
            check_len(design, d.len(), "domain")?;
        }
        let w = design.weights();
        let rows: Vec<usize> = (0..design.n_rows())
            .filter(|&i| domain.is_none_or(|d| d[i]) && present(i) && w[i] > 0.0)
            .collect();
        if rows.is_empty() {
            return Err(EstimateError::NoObservations);
        }
        let sum_w = rows.iter().map(|&i| w[i]).sum();
        let mut psu_seen = vec![false; design.n_psus()];
        let mut stratum_seen = vec![false; design.n_strata()];
        for &i in &rows {
            let p = design.row_psu[i] as usize;
            psu_seen[p] = true;
            stratum_seen[design.psu_stratum[p] as usize] = true;
        }
        let n_psu = psu_seen.iter().filter(|&&b| b).count();
        let n_strata = stratum_seen.iter().filter(|&&b| b).count();
        Ok(Sample {
            weighting_effect: kish(rows.iter().map(|&i| w[i])),
            rows,
            sum_w,
            df: n_psu - n_strata,
            n_psu,
            n_strata,
        })
    }

    fn n(&self) -> f64 {
        self.rows.len() as f64
    }

    /// The linearised variable: `value(i)` on analysis rows, 0 elsewhere.
    fn linearised(&self, design: &Design, value: impl Fn(usize) -> f64) -> Vec<f64> {
        let mut z = vec![0.0; design.n_rows()];
        for &i in &self.rows {
            z[i] = value(i);
        }
        z
    }

    /// Variance of a mean under SRS with replacement: `s² / n` with
    /// `s² = n/(n−1) · Σ w d² / Σw` over the analysis rows (R's `svyvar`), `d` the deviation.
    fn srs_variance(&self, design: &Design, deviation: impl Fn(usize) -> f64) -> f64 {
        let w = design.weights();
        let n = self.n();
        let ss: f64 = self.rows.iter().map(|&i| w[i] * deviation(i).powi(2)).sum();
        n / (n - 1.0) * ss / self.sum_w / n
    }

    fn finish(
        self,
        estimate: f64,
        variance: f64,
        srs: f64,
        kind: Kind,
        opts: &EstimateOptions,
    ) -> Result<Estimate, EstimateError> {
        let se = variance.sqrt();
        let df = self.df as f64;
        let default = match kind {
            Kind::Proportion => CiMethod::Logit,
            Kind::Other => CiMethod::Wald,
        };
        let ci = opts.ci.unwrap_or(default);
        let (lci, uci) = if ci == CiMethod::Wald && kind == Kind::Other {
            t_interval(estimate, se, df, opts.confidence, opts.sided)?
        } else {
            let (n, c, s) = (self.n(), opts.confidence, opts.sided);
            proportion_interval(estimate, variance, n, df, ci, c, s)?
        };
        Ok(Estimate {
            estimate,
            se,
            variance,
            lci,
            uci,
            df: self.df,
            deff: variance / srs,
            deff_wor: variance / (srs * (1.0 - self.n() / self.sum_w)),
            weighting_effect: self.weighting_effect,
            n: self.rows.len(),
            n_psu: self.n_psu,
            n_strata: self.n_strata,
            sum_weights: self.sum_w,
            ci,
            confidence: opts.confidence,
            sided: opts.sided,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two strata with replacement: a = PSUs 1, 2; b = PSUs 3, 4, 5 (PSU 5's only row has no
    /// y, so it stays in the design with total 0). Columns: weight, y, x, in domain.
    type Column = Vec<Option<f64>>;

    fn example() -> (Design, Column, Column, Vec<bool>) {
        let design = Design::builder(6)
            .weights(vec![2.0, 2.0, 4.0, 1.0, 1.0, 2.0])
            .strata(["a", "a", "a", "b", "b", "b"])
            .psu(["1", "1", "2", "3", "4", "5"])
            .build()
            .unwrap();
        let y = vec![Some(1.0), Some(3.0), Some(2.0), Some(4.0), Some(6.0), None];
        let x = [1.0, 1.0, 2.0, 1.0, 2.0, 1.0].map(Some).to_vec();
        let domain = vec![true, false, true, true, false, true];
        (design, y, x, domain)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1.0)
    }

    /// By hand: W = 10, Σwy = 26, ȳ = 2.6; z = w(y − ȳ)/W gives PSU totals −0.24, −0.24 (a)
    /// and 0.14, 0.34, 0 (b): V = 0 + 3/2 · (0.02² + 0.18² + 0.16²) = 0.0876. SRS:
    /// s² = 5/4 · Σw(y − ȳ)²/W = 5/4 · 20.4/10 = 2.55, so deff = 0.0876/(2.55/5) and
    /// deff_wor = 0.0876/(0.51 · (1 − 5/10)); Kish = 5 · 26/10² = 1.3; df = 4 PSUs − 2.
    #[test]
    fn mean_by_hand() {
        let (d, y, _, _) = example();
        let m = estimate_mean(&d, &y, None, &EstimateOptions::default()).unwrap();
        assert!(close(m.estimate, 2.6));
        assert!(close(m.variance, 0.0876));
        assert!(close(m.deff, 0.0876 / 0.51));
        assert!(close(m.deff_wor, 0.0876 / 0.255));
        assert!(close(m.weighting_effect, 1.3));
        assert_eq!((m.n, m.n_psu, m.n_strata, m.df), (5, 4, 2, 2));
        let q = crate::t_quantile(2.0, 0.975) * 0.0876f64.sqrt();
        assert!(close(m.lci, 2.6 - q) && close(m.uci, 2.6 + q));
        assert_eq!(m.ci, CiMethod::Wald);
    }

    /// PSU totals of w·y: 8, 8 (a) and 4, 6, 0 (b): V = 0 + 3/2 · 168/9 = 28. Had the row
    /// without y been dropped with its PSU, stratum b would have 2 PSUs and V = 2 · 2 = 4.
    #[test]
    fn total_keeps_the_design_of_rows_without_a_value() {
        let (d, y, _, _) = example();
        let t = estimate_total(&d, &y, None, &EstimateOptions::default()).unwrap();
        assert!(close(t.estimate, 26.0));
        assert!(close(t.variance, 28.0));
    }

    /// Domain (rows 1, 3, 4; row 6 has no y): W = 7, ȳ = 2; PSU totals −2/7, 0 (a) and 2/7,
    /// 0, 0 (b): V = 2 · 2/49 + 3/2 · 24/441 = 8/49; df = 3 PSUs − 2 strata.
    #[test]
    fn domain_mean_by_hand() {
        let (d, y, _, dom) = example();
        let m = estimate_mean(&d, &y, Some(&dom), &EstimateOptions::default()).unwrap();
        assert!(close(m.estimate, 2.0));
        assert!(close(m.variance, 8.0 / 49.0));
        assert_eq!((m.n, m.df), (3, 1));
        assert!(close(m.sum_weights, 7.0));
    }

    /// R = 26/15; z = w(y − R x)/15 gives V = 12124/50625 (exact fractions).
    #[test]
    fn ratio_by_hand() {
        let (d, y, x, _) = example();
        let r = estimate_ratio(&d, &y, &x, None, &EstimateOptions::default()).unwrap();
        assert!(close(r.estimate, 26.0 / 15.0));
        assert!(close(r.variance, 12124.0 / 50625.0));
    }

    #[test]
    fn a_proportion_is_the_mean_of_its_indicator_with_a_logit_interval() {
        let (d, y, _, _) = example();
        let b: Vec<Option<bool>> = y.iter().map(|v| v.map(|v| v > 2.5)).collect();
        let p = estimate_prop(&d, &b, None, &EstimateOptions::default()).unwrap();
        let f: Vec<Option<f64>> = b.iter().map(|v| v.map(f64::from)).collect();
        let m = estimate_mean(&d, &f, None, &EstimateOptions::default()).unwrap();
        assert_eq!((p.estimate, p.variance), (m.estimate, m.variance));
        assert_eq!(p.ci, CiMethod::Logit);
        assert!(p.lci > 0.0 && p.uci < 1.0);
    }

    #[test]
    fn empty_domains_and_bad_values_are_errors() {
        let (d, y, x, _) = example();
        let none = vec![false; 6];
        let opts = EstimateOptions::default();
        assert_eq!(
            estimate_mean(&d, &y, Some(&none), &opts),
            Err(EstimateError::NoObservations)
        );
        let zero = vec![Some(0.0); 6];
        assert_eq!(
            estimate_ratio(&d, &y, &zero, None, &opts),
            Err(EstimateError::ZeroDenominator)
        );
        let nan = vec![Some(f64::NAN); 6];
        assert!(matches!(
            estimate_total(&d, &nan, None, &opts),
            Err(EstimateError::NotFinite { row: 0, .. })
        ));
        let kg = EstimateOptions {
            ci: Some(CiMethod::KornGraubard),
            ..opts
        };
        assert!(matches!(
            estimate_ratio(&d, &y, &x, None, &kg),
            Err(EstimateError::NotAProportion { .. })
        ));
        assert!(matches!(
            estimate_mean(&d, &y[..3], None, &opts),
            Err(EstimateError::Length { .. })
        ));
    }
}
