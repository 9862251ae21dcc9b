//! Estimators: totals, means, ratios and proportions, over the whole population or a domain,
//! each with its linearised variance, degrees of freedom, design effects and interval.
//!
//! Analysis rows: a row enters when it is in the domain, has a value (both values, for a ratio)
//! and a positive weight. Other rows stay in the design with a linearised value of 0 (R's
//! `svyby` and `na.rm = TRUE` on a `survey.design2`): the PSUs and SSUs of the design, and the
//! weights implied by its fpcs, do not change with the analysis.

use crate::design::Design;
use crate::error::EstimateError;
use crate::interval::{proportion_interval, t_interval, CiMethod, Sided};
use crate::variance::{domain_variance, Scratch};
use serde::Serialize;
use std::collections::HashMap;

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

/// What to estimate, over the rows of a design: R's `svytotal`, `svymean`, `svyciprop` and
/// `svyratio`. Each column has one value per row; `None` is a missing value (the row is left
/// out of the analysis, not of the design).
#[derive(Clone, Copy, Debug)]
pub enum Statistic<'a> {
    /// The population total `Σ w y`; linearised variable `w y`.
    Total(&'a [Option<f64>]),
    /// The population mean `Σ w y / Σ w`; linearised variable `w (y − ȳ) / Σw`.
    Mean(&'a [Option<f64>]),
    /// The proportion of rows with `true` (default interval logit, as `svyciprop`).
    Proportion(&'a [Option<bool>]),
    /// The ratio of totals `Σ w y / Σ w x`; linearised variable `w (y − R x) / Σ w x`. Rows
    /// enter when both values are present.
    Ratio {
        /// `y`.
        numerator: &'a [Option<f64>],
        /// `x`.
        denominator: &'a [Option<f64>],
    },
}

/// Which rows an estimate is over. Domains subset the analysis, never the design (R's
/// `subset(design, ...)` and `svyby`): a row outside keeps its PSU, SSU and weight in the
/// variance with a linearised value of 0.
#[derive(Clone, Copy, Debug)]
pub enum Domains<'a> {
    /// Every row: one estimate.
    All,
    /// The rows marked `true`: one estimate.
    Subset(&'a [bool]),
    /// Every domain of a column at once, in one pass over the rows (two, counting the
    /// linearisation), not one per domain: `of_row` is each row's domain index (below
    /// `count`), or [`NO_DOMAIN`] for a row in none.
    Each {
        /// Domain index of every row.
        of_row: &'a [u32],
        /// Number of domains.
        count: usize,
    },
}

/// The domain index of a row in no domain.
pub const NO_DOMAIN: u32 = u32::MAX;

/// One estimate per domain, in index order (one for [`Domains::All`] and
/// [`Domains::Subset`]); a domain without analysis rows has
/// [`EstimateError::NoObservations`].
#[derive(Clone, Debug, PartialEq)]
pub struct DomainEstimates(pub Vec<Result<Estimate, EstimateError>>);

impl DomainEstimates {
    /// The estimate of the only domain ([`Domains::All`] or [`Domains::Subset`]).
    pub fn single(self) -> Result<Estimate, EstimateError> {
        let mut all = self.0;
        match all.len() {
            1 => all.remove(0),
            n => Err(EstimateError::NotOneDomain(n)),
        }
    }
}

/// Estimates `stat` in each of `domains` of `design`, with its Taylor-linearised variance,
/// degrees of freedom, design effects and interval ([`EstimateOptions`]).
///
/// ```
/// use assess_survey::{estimate, Design, Domains, EstimateOptions, Statistic};
/// let design = Design::builder(4).weights(vec![1.0, 1.0, 2.0, 2.0]).build()?;
/// let y = [Some(1.0), Some(3.0), Some(5.0), None];
/// let opts = EstimateOptions::default();
/// let total = estimate(&design, Statistic::Total(&y), Domains::All, &opts)?.single()?;
/// assert_eq!(total.estimate, 14.0);
/// let by = estimate(&design, Statistic::Mean(&y), Domains::Each { of_row: &[0, 0, 1, 1], count: 2 }, &opts)?;
/// assert_eq!(by.0[0].as_ref().unwrap().estimate, 2.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn estimate(
    design: &Design,
    stat: Statistic<'_>,
    domains: Domains<'_>,
    opts: &EstimateOptions,
) -> Result<DomainEstimates, EstimateError> {
    let dom = membership(design, domains)?;
    let estimates = match stat {
        Statistic::Total(y) => {
            let y = values(design, y, "y")?;
            by_domain(
                design,
                |i| y[i].map(|v| (v, 1.0)),
                Linear::Total,
                Kind::Other,
                dom,
                opts,
            )
        }
        Statistic::Mean(y) => {
            let y = values(design, y, "y")?;
            by_domain(
                design,
                |i| y[i].map(|v| (v, 1.0)),
                Linear::Mean,
                Kind::Other,
                dom,
                opts,
            )
        }
        Statistic::Proportion(y) => {
            check_len(design, y.len(), "y")?;
            let value = |i: usize| y[i].map(|v| (f64::from(v), 1.0));
            by_domain(design, value, Linear::Mean, Kind::Proportion, dom, opts)
        }
        Statistic::Ratio {
            numerator,
            denominator,
        } => {
            let y = values(design, numerator, "numerator")?;
            let x = values(design, denominator, "denominator")?;
            let pair = |i: usize| y[i].zip(x[i]);
            by_domain(design, pair, Linear::Ratio, Kind::Other, dom, opts)
        }
    };
    Ok(DomainEstimates(estimates))
}

/// Whether proportion conventions apply (default logit interval, Wald clipped to [0, 1]).
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Proportion,
    Other,
}

/// The estimator: a total `Σ w y`, a mean `Σ w y / Σ w` (`x = 1`), or a ratio `Σ w y / Σ w x`.
#[derive(Clone, Copy, PartialEq)]
enum Linear {
    Total,
    Mean,
    Ratio,
}

/// Membership of rows in domains, checked.
#[derive(Clone, Copy)]
enum Membership<'a> {
    /// Every row in domain 0.
    All,
    /// A mask: rows with `true` in domain 0.
    Mask(&'a [bool]),
    /// Indices.
    Index(&'a [u32], usize),
}

impl Membership<'_> {
    fn count(&self) -> usize {
        match self {
            Membership::All | Membership::Mask(_) => 1,
            Membership::Index(_, c) => *c,
        }
    }

    #[inline]
    fn of(&self, row: usize) -> Option<usize> {
        match self {
            Membership::All => Some(0),
            Membership::Mask(m) => m[row].then_some(0),
            Membership::Index(ix, _) => (ix[row] != NO_DOMAIN).then_some(ix[row] as usize),
        }
    }
}

/// The rows of each domain, checked against the design.
fn membership<'a>(design: &Design, d: Domains<'a>) -> Result<Membership<'a>, EstimateError> {
    match d {
        Domains::All => Ok(Membership::All),
        Domains::Subset(mask) => {
            check_len(design, mask.len(), "domain")?;
            Ok(Membership::Mask(mask))
        }
        Domains::Each { of_row, count } => {
            check_len(design, of_row.len(), "domain")?;
            let bad = |&i: &u32| i != NO_DOMAIN && i as usize >= count;
            match of_row.iter().position(bad) {
                Some(row) => Err(EstimateError::DomainIndex {
                    row,
                    index: of_row[row],
                    count,
                }),
                None => Ok(Membership::Index(of_row, count)),
            }
        }
    }
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

/// Sums over the analysis rows of one domain.
#[derive(Clone, Copy, Default)]
struct Sums {
    n: usize,
    sum_w: f64,
    sum_w2: f64,
    ty: f64,
    tx: f64,
    /// `Σ w d²` of the deviations (second pass).
    ss: f64,
}

/// Totals of the linearised variable per (domain, unit), for the units holding analysis rows.
#[derive(Default)]
struct UnitTotals {
    index: HashMap<(u32, u32), u32>,
    /// (domain, unit, total).
    slots: Vec<(u32, u32, f64)>,
    last: Option<((u32, u32), u32)>,
}

impl UnitTotals {
    #[inline]
    fn slot(&mut self, domain: usize, unit: u32) -> u32 {
        let key = (domain as u32, unit);
        if let Some((k, s)) = self.last {
            if k == key {
                return s;
            }
        }
        let slots = &mut self.slots;
        let s = *self.index.entry(key).or_insert_with(|| {
            slots.push((key.0, key.1, 0.0));
            slots.len() as u32 - 1
        });
        self.last = Some((key, s));
        s
    }

    /// The (unit, total) lists of every domain, sorted by unit.
    fn by_domain(self, count: usize) -> Vec<Vec<(u32, f64)>> {
        let mut out = vec![Vec::new(); count];
        for (d, u, t) in self.slots {
            out[d as usize].push((u, t));
        }
        for list in &mut out {
            list.sort_unstable_by_key(|&(u, _)| u);
        }
        out
    }
}

/// One estimate per domain. `pair(i)` is `(y, x)` of row `i` when present (`x` is 1 for a
/// total, a mean or a proportion). Analysis rows are those in a domain, with a value and a
/// positive weight; the sums, the unit totals of the linearised variable and the variance
/// follow, in row order, exactly as if each domain were estimated alone over a 0/1 mask.
fn by_domain(
    design: &Design,
    pair: impl Fn(usize) -> Option<(f64, f64)>,
    linear: Linear,
    kind: Kind,
    dom: Membership,
    opts: &EstimateOptions,
) -> Vec<Result<Estimate, EstimateError>> {
    let w = design.weights();
    let count = dom.count();
    let mut sums = vec![Sums::default(); count];
    // Pass 1: sums per domain.
    for (i, &wi) in w.iter().enumerate() {
        let Some(d) = dom.of(i) else { continue };
        let Some((y, x)) = pair(i) else { continue };
        if wi > 0.0 {
            let s = &mut sums[d];
            s.n += 1;
            s.sum_w += wi;
            s.sum_w2 += wi * wi;
            s.ty += wi * y;
            s.tx += wi * x;
        }
    }
    // Each domain's estimate, and the factors of its linearised variable
    // z = w (y − r x) / scale and of its deviation y − c x.
    let setup: Vec<Result<(f64, f64, f64, f64), EstimateError>> = sums
        .iter()
        .map(|s| {
            if s.n == 0 {
                return Err(EstimateError::NoObservations);
            }
            Ok(match linear {
                Linear::Total => (s.ty, 0.0, 1.0, s.ty / s.sum_w),
                Linear::Mean => {
                    let m = s.ty / s.sum_w;
                    (m, m, s.sum_w, m)
                }
                Linear::Ratio => {
                    if s.tx == 0.0 {
                        return Err(EstimateError::ZeroDenominator);
                    }
                    let r = s.ty / s.tx;
                    (r, r, s.tx, r)
                }
            })
        })
        .collect();
    let factors: Vec<(f64, f64, f64)> = setup
        .iter()
        .map(|f| {
            f.as_ref()
                .map_or((0.0, 1.0, 0.0), |&(_, r, sc, c)| (r, sc, c))
        })
        .collect();
    // Pass 2: unit totals of the linearised variable and squared deviations.
    let mut psus = UnitTotals::default();
    let mut ssus = UnitTotals::default();
    let row_ssu = design.row_ssu.as_deref();
    for (i, &wi) in w.iter().enumerate() {
        let Some(d) = dom.of(i) else { continue };
        let Some((y, x)) = pair(i) else { continue };
        if wi <= 0.0 || setup[d].is_err() {
            continue;
        }
        let (r, scale, c) = factors[d];
        let z = match linear {
            Linear::Total => wi * y,
            Linear::Mean | Linear::Ratio => wi * (y - r * x) / scale,
        };
        let slot = psus.slot(d, design.row_psu[i]);
        psus.slots[slot as usize].2 += z;
        if let Some(row_ssu) = row_ssu {
            let slot = ssus.slot(d, row_ssu[i]);
            ssus.slots[slot as usize].2 += z;
        }
        let dev = match linear {
            Linear::Total => y - c,
            Linear::Mean | Linear::Ratio => y - c * x,
        };
        sums[d].ss += wi * dev.powi(2);
    }
    let psu_lists = psus.by_domain(count);
    let ssu_lists = ssus.by_domain(count);
    let mut scratch = Scratch::new(design);
    setup
        .into_iter()
        .enumerate()
        .map(|(d, f)| {
            let (estimate, ..) = f?;
            let s = &sums[d];
            let (v, n_strata) = domain_variance(design, &psu_lists[d], &ssu_lists[d], &mut scratch);
            let n = s.n as f64;
            // SRS variance of a mean: s²/n with s² = n/(n−1) · Σ w d² / Σw (R's `svyvar`).
            let srs_mean = n / (n - 1.0) * s.ss / s.sum_w / n;
            let srs = match linear {
                Linear::Total => srs_mean * s.sum_w * s.sum_w,
                Linear::Mean => srs_mean,
                Linear::Ratio => {
                    let xbar = s.tx / s.sum_w;
                    srs_mean / (xbar * xbar)
                }
            };
            let n_psu = psu_lists[d].len();
            let counts = Counts {
                n: s.n,
                sum_w: s.sum_w,
                n_psu,
                n_strata,
                weighting_effect: n * s.sum_w2 / (s.sum_w * s.sum_w),
            };
            counts.finish(estimate, v, srs, kind, opts)
        })
        .collect()
}

/// What is counted over the analysis rows of one estimate.
struct Counts {
    n: usize,
    sum_w: f64,
    n_psu: usize,
    n_strata: usize,
    weighting_effect: f64,
}

impl Counts {
    fn finish(
        self,
        estimate: f64,
        variance: f64,
        srs: f64,
        kind: Kind,
        opts: &EstimateOptions,
    ) -> Result<Estimate, EstimateError> {
        let se = variance.sqrt();
        let df = (self.n_psu - self.n_strata) as f64;
        let n = self.n as f64;
        let default = match kind {
            Kind::Proportion => CiMethod::Logit,
            Kind::Other => CiMethod::Wald,
        };
        let ci = opts.ci.unwrap_or(default);
        let (lci, uci) = if ci == CiMethod::Wald && kind == Kind::Other {
            t_interval(estimate, se, df, opts.confidence, opts.sided)?
        } else {
            let (c, s) = (opts.confidence, opts.sided);
            proportion_interval(estimate, variance, n, df, ci, c, s)?
        };
        Ok(Estimate {
            estimate,
            se,
            variance,
            lci,
            uci,
            df: self.n_psu - self.n_strata,
            deff: variance / srs,
            deff_wor: variance / (srs * (1.0 - n / self.sum_w)),
            weighting_effect: self.weighting_effect,
            n: self.n,
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

    // One statistic over every row or a mask, as the tests below ask for it.
    fn one(
        d: &Design,
        stat: Statistic<'_>,
        mask: Option<&[bool]>,
        opts: &EstimateOptions,
    ) -> Result<Estimate, EstimateError> {
        let domains = mask.map_or(Domains::All, Domains::Subset);
        estimate(d, stat, domains, opts)?.single()
    }

    type Opts = EstimateOptions;
    type Ys<'a> = &'a [Option<f64>];

    fn estimate_total(
        d: &Design,
        y: Ys,
        m: Option<&[bool]>,
        o: &Opts,
    ) -> Result<Estimate, EstimateError> {
        one(d, Statistic::Total(y), m, o)
    }

    fn estimate_mean(
        d: &Design,
        y: Ys,
        m: Option<&[bool]>,
        o: &Opts,
    ) -> Result<Estimate, EstimateError> {
        one(d, Statistic::Mean(y), m, o)
    }

    fn estimate_prop(
        d: &Design,
        y: &[Option<bool>],
        m: Option<&[bool]>,
        o: &Opts,
    ) -> Result<Estimate, EstimateError> {
        one(d, Statistic::Proportion(y), m, o)
    }

    fn estimate_ratio(
        d: &Design,
        numerator: Ys,
        denominator: Ys,
        m: Option<&[bool]>,
        o: &Opts,
    ) -> Result<Estimate, EstimateError> {
        one(
            d,
            Statistic::Ratio {
                numerator,
                denominator,
            },
            m,
            o,
        )
    }

    /// Every domain of `of_row` at once.
    fn by(
        d: &Design,
        stat: Statistic<'_>,
        of_row: &[u32],
        count: usize,
        o: &Opts,
    ) -> Result<Vec<Result<Estimate, EstimateError>>, EstimateError> {
        Ok(estimate(d, stat, Domains::Each { of_row, count }, o)?.0)
    }

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

    /// A pseudo-random design (strata, PSUs, SSUs, both fpcs or none, a lonely stratum under
    /// `Centre`, zero weights, missing values) and a domain column with rows in no domain;
    /// with stage 2 stratified inside the PSUs (two strata) when `stratified2`.
    fn random_design(
        two_stage: bool,
        stratified2: bool,
        seed: u64,
    ) -> (Design, Column, Column, Vec<u32>) {
        let mut state = seed;
        let mut next = move |m: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        let rows = 400;
        let (mut strata, mut psu, mut ssu, mut fpc, mut fpc2) =
            (vec![], vec![], vec![], vec![], vec![]);
        let (mut w, mut y, mut x, mut dom) = (vec![], vec![], vec![], vec![]);
        let mut strata2 = vec![];
        for i in 0..rows {
            if stratified2 {
                strata2.push(next(2).to_string());
            }
            // Stratum 9 holds a single PSU (lonely); others 2-4 PSUs.
            let h = if i < 5 { 9 } else { next(6) };
            let p = if h == 9 { 0 } else { next(2 + h % 3) };
            strata.push(h.to_string());
            psu.push(p.to_string());
            ssu.push(next(3).to_string());
            fpc.push(10.0 + h as f64);
            fpc2.push(50.0);
            w.push(if next(20) == 0 {
                0.0
            } else {
                1.0 + next(7) as f64
            });
            y.push((next(10) != 0).then(|| next(5) as f64));
            x.push(Some(1.0 + next(3) as f64));
            dom.push(if next(15) == 0 {
                NO_DOMAIN
            } else {
                next(4) as u32
            });
        }
        let mut b = Design::builder(rows)
            .strata(strata)
            .psu(psu)
            .weights(w)
            .lonely_psu(crate::LonelyPsu::Centre);
        if two_stage {
            b = b.ssu(ssu).fpc(fpc).fpc2(fpc2);
        }
        if stratified2 {
            b = b.stage2_strata(strata2);
        }
        (b.build().unwrap(), y, x, dom)
    }

    /// Every domain estimated at once equals the same domain estimated alone over a mask, to
    /// the last bit, for every estimator, with and without a stage-2 term.
    #[test]
    fn all_domains_at_once_equal_each_domain_alone() {
        let opts = EstimateOptions::default();
        for (two_stage, stratified2, seed) in [
            (false, false, 1),
            (true, false, 2),
            (false, false, 3),
            (true, false, 4),
            (true, true, 5),
        ] {
            let (d, y, x, dom) = random_design(two_stage, stratified2, seed);
            let b: Vec<Option<bool>> = y.iter().map(|v| v.map(|v| v >= 2.0)).collect();
            let all = [
                by(&d, Statistic::Total(&y), &dom, 5, &opts).unwrap(),
                by(&d, Statistic::Mean(&y), &dom, 5, &opts).unwrap(),
                by(
                    &d,
                    Statistic::Ratio {
                        numerator: &y,
                        denominator: &x,
                    },
                    &dom,
                    5,
                    &opts,
                )
                .unwrap(),
                by(&d, Statistic::Proportion(&b), &dom, 5, &opts).unwrap(),
            ];
            for k in 0..5u32 {
                let mask: Vec<bool> = dom.iter().map(|&g| g == k).collect();
                let m = Some(mask.as_slice());
                let alone = [
                    estimate_total(&d, &y, m, &opts),
                    estimate_mean(&d, &y, m, &opts),
                    estimate_ratio(&d, &y, &x, m, &opts),
                    estimate_prop(&d, &b, m, &opts),
                ];
                for (a, one) in all.iter().zip(alone) {
                    assert_eq!(a[k as usize], one, "domain {k}");
                }
            }
            // Domain 4 is empty.
            assert_eq!(all[1][4], Err(EstimateError::NoObservations));
            assert!(all[1][0].as_ref().unwrap().variance > 0.0);
        }
    }

    /// A design-level dense computation of the linearised variance agrees with the sparse one
    /// through the public estimators (a domain mean), including the lonely centred stratum.
    #[test]
    fn sparse_domain_variance_equals_the_dense_sum() {
        for stratified2 in [false, true] {
            sparse_equals_dense(stratified2);
        }
    }

    fn sparse_equals_dense(stratified2: bool) {
        let (d, y, _, dom) = random_design(true, stratified2, 7);
        let mask: Vec<bool> = dom.iter().map(|&g| g == 1).collect();
        let m = estimate_mean(&d, &y, Some(&mask), &EstimateOptions::default()).unwrap();
        let w = d.weights();
        let rows: Vec<usize> = (0..d.n_rows())
            .filter(|&i| mask[i] && y[i].is_some() && w[i] > 0.0)
            .collect();
        let sw: f64 = rows.iter().map(|&i| w[i]).sum();
        let ybar = rows.iter().map(|&i| w[i] * y[i].unwrap()).sum::<f64>() / sw;
        let mut z = vec![0.0; d.n_rows()];
        for &i in &rows {
            z[i] = w[i] * (y[i].unwrap() - ybar) / sw;
        }
        let dense = crate::variance::variance(&d, &z);
        assert!(close(m.variance, dense), "{} {dense}", m.variance);
    }

    #[test]
    fn bad_domain_indices_are_refused() {
        let (d, y, _, _) = example();
        let of_row = [0, 1, 2, NO_DOMAIN, 0, 0];
        let e = by(
            &d,
            Statistic::Mean(&y),
            &of_row,
            2,
            &EstimateOptions::default(),
        );
        assert!(matches!(
            e,
            Err(EstimateError::DomainIndex {
                row: 2,
                index: 2,
                count: 2
            })
        ));
    }
}
