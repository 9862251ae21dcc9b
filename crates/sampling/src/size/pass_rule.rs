//! The size for the official pass rule "pass when p̂ = X/n < t": the rule's operating
//! characteristic (exact: a binomial at the effective size for a given design effect, the
//! beta-binomial convolution over villages for villages of m households with an intraclass
//! correlation), the exact search for the smallest and the stable size that meet both risks,
//! the normal approximations, and its explanation.

use super::clustered::{Counts, PassGivenCount};
use super::{
    ceil_count, check, check_open_unit, check_response, num, z_upper, DesignEffect, SizeError,
};
use serde::Serialize;
use statrs::distribution::{Binomial, DiscreteCDF};

/// Inputs of the size for the official pass rule "pass when p̂ = X/n < threshold".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassRuleSpec {
    /// The threshold t: a county passes when the estimate is strictly below it.
    pub threshold: f64,
    /// A true rate that should fail (p_bad > t).
    pub bad_rate: f64,
    /// A true rate that should pass (p_good < t).
    pub good_rate: f64,
    /// Largest acceptable P(fail | p_good): the risk of failing a good county.
    pub alpha: f64,
    /// Largest acceptable P(pass | p_bad): the risk of passing a bad county.
    pub beta: f64,
    /// Design effect, to turn effective n into units to visit.
    pub design: DesignEffect,
    /// Expected response rate, in (0, 1].
    pub response_rate: f64,
    /// Largest n searched by the exact method.
    pub max_n: u64,
    /// How unequally the households add to the people ratio (modelled with villages only).
    pub contributions: Contributions,
}

/// How unequally the counted households add to a people ratio: each adds its weight × its
/// people, so unequal weights and household sizes spread the ratio beyond the count's spread.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Contributions {
    /// Kish's weighting effect 1 + CV² of the weights, ≥ 1 (1 when self-weighting; `assess
    /// plan check` reports it per indicator).
    pub weighting_effect: f64,
    /// The coefficient of variation of the people per counted household, ≥ 0.
    pub household_size_cv: f64,
}

impl Default for Contributions {
    /// Equal weights, equal households: the count rule itself.
    fn default() -> Contributions {
        Contributions {
            weighting_effect: 1.0,
            household_size_cv: 0.0,
        }
    }
}

impl Contributions {
    /// The squared CV of a contribution, weight and size independent:
    /// `κ² = (1 + CV_w²)(1 + CV_s²) − 1`.
    pub fn kappa2(&self) -> f64 {
        (self.weighting_effect * (1.0 + self.household_size_cv.powi(2)) - 1.0).max(0.0)
    }

    fn validate(&self) -> Result<(), SizeError> {
        check(
            self.weighting_effect >= 1.0 && self.weighting_effect.is_finite(),
            "weighting effect",
            self.weighting_effect,
            ">= 1 (Kish's 1 + CV² of the weights)",
        )?;
        check(
            self.household_size_cv >= 0.0 && self.household_size_cv.is_finite(),
            "household size CV",
            self.household_size_cv,
            ">= 0",
        )
    }
}

/// The default search limit of the exact method. Large enough for gaps of half a percentage
/// point around 2% (about 10,000 needed) and fast (two incomplete-beta calls per n).
pub const DEFAULT_MAX_N: u64 = 50_000;

/// The largest search limit accepted: far above any county's population, and about ten
/// seconds of search.
pub const MAX_SEARCH_LIMIT: u64 = 10_000_000;

/// The operating characteristic of the rule at one sample size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OcPoint {
    /// Effective sample size; with villages, the households interviewed (villages × m).
    pub n: u64,
    /// Villages of m households, when the design gives a cluster size and an intraclass
    /// correlation (the probabilities are then the beta-binomial convolution's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub villages: Option<u64>,
    /// The rule passes when X ≤ this count (= ⌈t·n⌉ − 1).
    pub max_pass_count: u64,
    /// P(pass | true rate = bad rate).
    pub pass_if_bad: f64,
    /// P(pass | true rate = good rate).
    pub pass_if_good: f64,
    /// Whether both risks are met at this n.
    pub meets: bool,
    /// Units to visit: n × deff / response rate (with villages, n / response rate), rounded
    /// up.
    pub to_visit: u64,
}

/// How the rule's count X is distributed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum CountModel {
    /// Independent units at the effective size n / deff (a design effect given as a number).
    Binomial,
    /// Villages of `m` households whose positives are beta-binomial with correlation `icc`,
    /// each household adding to the people ratio with squared CV `kappa2`.
    Villages { m: u64, icc: f64, kappa2: f64 },
}

impl CountModel {
    fn of(spec: &PassRuleSpec) -> CountModel {
        match spec.design {
            DesignEffect::Given { .. } => CountModel::Binomial,
            // Villages of equal size: an average cluster size is rounded.
            DesignEffect::Clusters { cluster_size, icc } => CountModel::Villages {
                m: (cluster_size.round() as u64).max(1),
                icc,
                kappa2: spec.contributions.kappa2(),
            },
        }
    }

    /// The largest size searched: `max_n` units, in villages when the model has them.
    fn limit(self, max_n: u64) -> u64 {
        match self {
            CountModel::Binomial => max_n,
            CountModel::Villages { m, .. } => max_n / m,
        }
    }
}

/// The normal approximations, for comparison with the exact search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NormalApprox {
    /// z_{1−α}.
    pub z_alpha: f64,
    /// z_{1−β}.
    pub z_beta: f64,
    /// Classic one-sample test size (Lemeshow et al. 1990), unrounded.
    pub classic_n: f64,
    /// The classic size rounded up.
    pub classic_ceil: u64,
    /// The cutoff the classic size implicitly uses: fail when p̂ ≥ this.
    pub classic_cutoff: f64,
    /// Size so that P(p̂ < t | p_good) ≥ 1 − α, with the cutoff fixed at t.
    pub fixed_good_n: f64,
    /// Size so that P(p̂ < t | p_bad) ≤ β, with the cutoff fixed at t.
    pub fixed_bad_n: f64,
    /// The larger of the two fixed-cutoff sizes, rounded up.
    pub fixed_ceil: u64,
}

/// The pass-rule size, exact and approximate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassRuleSize {
    /// The inputs.
    pub spec: PassRuleSpec,
    /// Design effect used.
    pub deff: f64,
    /// The smallest n meeting both risks.
    pub smallest: OcPoint,
    /// The n just below `smallest` (absent when `smallest` is 1), which fails.
    pub below_smallest: Option<OcPoint>,
    /// The smallest n from which every n up to `max_n` meets both risks; absent when `max_n`
    /// itself fails.
    pub stable_from: Option<OcPoint>,
    /// The largest n up to `max_n` that fails (absent when none fails from `smallest` on).
    pub last_failing: Option<OcPoint>,
    /// Normal approximations.
    pub normal: NormalApprox,
}

/// The largest count X with X/n strictly below the threshold: the rule passes when X ≤ it.
/// Computed on p̂ = X/n as a float, as a spreadsheet would, and not from ⌈t·n⌉ − 1 directly,
/// because t·n carries rounding error (0.02 × 50 = 1.0000000000000002 would wrongly let X = 1
/// pass at n = 50).
pub fn max_pass_count(n: u64, threshold: f64) -> u64 {
    let nf = n as f64;
    let mut x = ((threshold * nf).floor().max(0.0) as u64).min(n);
    while x > 0 && x as f64 / nf >= threshold {
        x -= 1;
    }
    while x < n && (x + 1) as f64 / nf < threshold {
        x += 1;
    }
    x
}

/// P(X ≤ c) for X ~ Binomial(n, p).
pub fn binomial_cdf(c: u64, n: u64, p: f64) -> f64 {
    // p is validated in (0, 1) and n ≥ 1 by every caller, so construction cannot fail.
    Binomial::new(p, n).map(|b| b.cdf(c)).unwrap_or(f64::NAN)
}

/// P(the county passes | true rate p) with n effective units under "pass when X/n < t".
pub fn pass_probability(n: u64, threshold: f64, p: f64) -> f64 {
    binomial_cdf(max_pass_count(n, threshold), n, p)
}

/// The operating characteristic of the rule at `size`, with the units to visit: `size` is the
/// effective n for a given design effect, and the number of villages when the design gives a
/// cluster size and an intraclass correlation.
pub fn oc_point(spec: &PassRuleSpec, size: u64) -> OcPoint {
    match CountModel::of(spec) {
        CountModel::Binomial => {
            let c = max_pass_count(size, spec.threshold);
            let bad = binomial_cdf(c, size, spec.bad_rate);
            let good = binomial_cdf(c, size, spec.good_rate);
            point(spec, size, None, c, (bad, good))
        }
        CountModel::Villages { m, icc, kappa2 } => {
            let n = size * m;
            let pass =
                |p| super::clustered_pass_probability(size, m, spec.threshold, p, icc, kappa2);
            point(
                spec,
                n,
                Some(size),
                max_pass_count(n, spec.threshold),
                (pass(spec.bad_rate), pass(spec.good_rate)),
            )
        }
    }
}

/// An OC point from its pass probabilities at the bad and the good rate.
fn point(
    spec: &PassRuleSpec,
    n: u64,
    villages: Option<u64>,
    max_pass_count: u64,
    (pass_if_bad, pass_if_good): (f64, f64),
) -> OcPoint {
    let deff = match villages {
        // The villages' correlation is in the probabilities: n households are n interviews.
        Some(_) => 1.0,
        None => spec.design.value(),
    };
    OcPoint {
        n,
        villages,
        max_pass_count,
        pass_if_bad,
        pass_if_good,
        meets: pass_if_bad <= spec.beta && pass_if_good >= 1.0 - spec.alpha,
        to_visit: ceil_count(n as f64 * deff / spec.response_rate),
    }
}

/// Sample size for the official pass rule: exact binomial search plus normal approximations.
pub fn pass_rule_size(spec: &PassRuleSpec) -> Result<PassRuleSize, SizeError> {
    validate_pass_rule(spec)?;
    let normal = normal_approx(spec);
    let scan = scan(spec).ok_or(SizeError::NotFound {
        max_n: spec.max_n,
        approx: normal.fixed_ceil,
    })?;
    let size_of = |p: &OcPoint| p.villages.unwrap_or(p.n);
    let limit = CountModel::of(spec).limit(spec.max_n);
    let stable_from = match &scan.last_failing {
        Some(p) if size_of(p) == limit => None,
        Some(p) => Some(oc_point(spec, size_of(p) + 1)),
        None => Some(scan.smallest.clone()),
    };
    Ok(PassRuleSize {
        spec: spec.clone(),
        deff: spec.design.value(),
        smallest: scan.smallest,
        below_smallest: scan.below_smallest,
        stable_from,
        last_failing: scan.last_failing,
        normal,
    })
}

/// What one pass over n = 1..=max_n keeps: O(1) memory, so a large limit costs only time.
struct Scan {
    smallest: OcPoint,
    below_smallest: Option<OcPoint>,
    last_failing: Option<OcPoint>,
}

fn scan(spec: &PassRuleSpec) -> Option<Scan> {
    let model = CountModel::of(spec);
    let limit = model.limit(spec.max_n);
    // Villages: the counts at the two rates grow a village at a time (one convolution step
    // each), kept up to the largest pass count of the search.
    let mut counts = match model {
        CountModel::Villages { m, icc, kappa2 } => {
            let cap = PassGivenCount::new(limit * m, spec.threshold, kappa2).top();
            Some((
                Counts::new(m, spec.bad_rate, icc, cap),
                Counts::new(m, spec.good_rate, icc, cap),
            ))
        }
        CountModel::Binomial => None,
    };
    let mut found: Option<Scan> = None;
    let mut previous: Option<OcPoint> = None;
    for size in 1..=limit {
        let point = match (&mut counts, model) {
            (Some((bad, good)), CountModel::Villages { m, kappa2, .. }) => {
                bad.add_village();
                good.add_village();
                let n = size * m;
                let pass = PassGivenCount::new(n, spec.threshold, kappa2);
                let c = max_pass_count(n, spec.threshold);
                point(spec, n, Some(size), c, (bad.pass(&pass), good.pass(&pass)))
            }
            _ => oc_point(spec, size),
        };
        match found.as_mut() {
            None if point.meets => {
                found = Some(Scan {
                    smallest: point,
                    below_smallest: previous.take(),
                    last_failing: None,
                });
            }
            None => previous = Some(point),
            Some(scan) if !point.meets => scan.last_failing = Some(point),
            Some(_) => {}
        }
    }
    found
}

/// The operating characteristic when `visits` units are visited: effective n = ⌊visits × r /
/// deff⌋, or with villages of m households ⌊visits × r / m⌋ villages (rounded down so that
/// the risks shown are not flattered).
pub fn oc_for_visits(spec: &PassRuleSpec, visits: u64) -> Result<OcPoint, SizeError> {
    validate_pass_rule(spec)?;
    let per_unit = match CountModel::of(spec) {
        CountModel::Binomial => spec.design.value(),
        CountModel::Villages { m, .. } => m as f64,
    };
    let n = (visits as f64 * spec.response_rate / per_unit + 1e-9).floor() as u64;
    check(
        n >= 1,
        "units visited",
        visits as f64,
        "enough for an effective sample of at least 1",
    )?;
    Ok(oc_point(spec, n))
}

fn validate_pass_rule(spec: &PassRuleSpec) -> Result<(), SizeError> {
    check_open_unit("threshold", spec.threshold)?;
    check_open_unit("bad rate", spec.bad_rate)?;
    check_open_unit("good rate", spec.good_rate)?;
    check(
        spec.alpha > 0.0 && spec.alpha < 0.5,
        "alpha",
        spec.alpha,
        "strictly between 0 and 0.5",
    )?;
    check(
        spec.beta > 0.0 && spec.beta < 0.5,
        "beta",
        spec.beta,
        "strictly between 0 and 0.5",
    )?;
    check_response(spec.response_rate)?;
    let max_n_ok = (1..=MAX_SEARCH_LIMIT).contains(&spec.max_n);
    check(
        max_n_ok,
        "search limit",
        spec.max_n as f64,
        "between 1 and 10,000,000",
    )?;
    spec.design.validate()?;
    spec.contributions.validate()?;
    if spec.contributions != Contributions::default()
        && matches!(spec.design, DesignEffect::Given { .. })
    {
        return Err(SizeError::Inconsistent(
            "a design effect given as a number already includes unequal weights and household \
             sizes; to model them apart, give the villages (cluster size and ICC)"
                .to_string(),
        ));
    }
    if spec.bad_rate <= spec.threshold {
        return Err(SizeError::Inconsistent(format!(
            "bad rate {} must be above the threshold {}: a county at the bad rate should fail",
            num(spec.bad_rate),
            num(spec.threshold)
        )));
    }
    if spec.good_rate >= spec.threshold {
        return Err(SizeError::Inconsistent(format!(
            "good rate {} must be below the threshold {}: a county at the good rate should pass",
            num(spec.good_rate),
            num(spec.threshold)
        )));
    }
    Ok(())
}

/// Lemeshow et al. (1990), one-sample test of a proportion, one-sided:
/// n = ((z_{1−α}√(p0 q0) + z_{1−β}√(p1 q1)) / (p1 − p0))², with p0 = p_good and p1 = p_bad. It
/// lets the cutoff fall where it must; the "fixed" variant pins the cutoff at t as the official
/// rule does, each side needing n ≥ (z √(p q) / |t − p|)².
fn normal_approx(spec: &PassRuleSpec) -> NormalApprox {
    let (z_alpha, z_beta) = (z_upper(spec.alpha), z_upper(spec.beta));
    let sd_good = (spec.good_rate * (1.0 - spec.good_rate)).sqrt();
    let sd_bad = (spec.bad_rate * (1.0 - spec.bad_rate)).sqrt();
    let classic_n =
        ((z_alpha * sd_good + z_beta * sd_bad) / (spec.bad_rate - spec.good_rate)).powi(2);
    let fixed_good_n = (z_alpha * sd_good / (spec.threshold - spec.good_rate)).powi(2);
    let fixed_bad_n = (z_beta * sd_bad / (spec.bad_rate - spec.threshold)).powi(2);
    NormalApprox {
        z_alpha,
        z_beta,
        classic_n,
        classic_ceil: ceil_count(classic_n),
        classic_cutoff: spec.good_rate + z_alpha * sd_good / classic_n.sqrt(),
        fixed_good_n,
        fixed_bad_n,
        fixed_ceil: ceil_count(fixed_good_n.max(fixed_bad_n)),
    }
}

impl PassRuleSize {
    /// The computation as readable lines, each formula with its numbers substituted.
    pub fn explain(&self) -> Vec<String> {
        let s = &self.spec;
        let mut lines = vec![
            format!(
                "rule: pass when p̂ = X/n < t = {}, i.e. X ≤ ⌈t·n⌉ − 1 (X counted units; n the effective sample size, or the households interviewed when villages are modelled)",
                num(s.threshold)
            ),
            format!(
                "risks wanted: P(pass | p_bad = {}) ≤ β = {};  P(pass | p_good = {}) ≥ 1 − α = {}",
                num(s.bad_rate),
                num(s.beta),
                num(s.good_rate),
                num(1.0 - s.alpha)
            ),
            match CountModel::of(s) {
                CountModel::Binomial => {
                    format!("exact (binomial), n searched from 1 to {}:", s.max_n)
                }
                CountModel::Villages { m, icc, kappa2 } => format!(
                    "exact (beta-binomial convolution over villages of {m} households, ρ = {}{}), \
                     villages searched from 1 to {}:",
                    num(icc),
                    self.contribution_note(kappa2),
                    s.max_n / m
                ),
            },
            format!("  smallest n meeting both:   {}", self.oc_line(&self.smallest)),
        ];
        if let Some(p) = &self.below_smallest {
            lines.push(format!("  one less fails:            {}", self.oc_line(p)));
        }
        lines.extend(self.stability_lines());
        lines.extend(self.normal_lines());
        lines.push(s.design.explain());
        lines.extend(self.visit_lines());
        lines
    }

    /// One line: what `visits` units visited buy (`p` from [`oc_for_visits`]), with the
    /// deflation to effective n shown.
    pub fn explain_visits(&self, visits: u64, p: &OcPoint) -> String {
        let s = &self.spec;
        let size = match (CountModel::of(s), p.villages) {
            (CountModel::Villages { m, .. }, Some(k)) => format!(
                "villages = ⌊{visits} × {} / {m}⌋ = {k}, n = {}",
                num(s.response_rate),
                p.n
            ),
            _ => format!(
                "effective n = ⌊{visits} × {} / {}⌋ = {}",
                num(s.response_rate),
                num(self.deff),
                p.n
            ),
        };
        format!(
            "at {visits} visited: {size}; pass when X ≤ {}; P(pass | {}) = {:.4}, P(fail | {}) = \
             {:.4}",
            p.max_pass_count,
            num(s.bad_rate),
            p.pass_if_bad,
            num(s.good_rate),
            1.0 - p.pass_if_good
        )
    }

    /// How the contributions enter, when they vary.
    fn contribution_note(&self, kappa2: f64) -> String {
        let c = &self.spec.contributions;
        if kappa2 <= 0.0 {
            return String::new();
        }
        format!(
            "; people ratio with household contributions of κ² = {} × (1 + {}²) − 1 = {:.4}, \
             P(pass | x positive) = I_t(x/κ², (n − x)/κ²), so X ≤ the count below is a guide only",
            num(c.weighting_effect),
            num(c.household_size_cv),
            kappa2
        )
    }

    fn oc_line(&self, p: &OcPoint) -> String {
        let villages = p
            .villages
            .map_or(String::new(), |k| format!(" ({k} villages)"));
        format!(
            "n = {}{villages}: pass when X ≤ {}; P(pass | {}) = {:.4}, P(pass | {}) = {:.4}",
            p.n,
            p.max_pass_count,
            num(self.spec.bad_rate),
            p.pass_if_bad,
            num(self.spec.good_rate),
            p.pass_if_good
        )
    }

    fn stability_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        match &self.stable_from {
            Some(p) => lines.push(format!(
                "  met for every n from {} to {}: {}",
                p.n,
                self.spec.max_n,
                self.oc_line(p)
            )),
            None => lines.push(format!(
                "  not met for every larger n: n = {} fails again",
                self.spec.max_n
            )),
        }
        if let Some(p) = self
            .last_failing
            .as_ref()
            .filter(|_| self.stable_from.is_some())
        {
            lines.push(format!("  last n that fails:         {}", self.oc_line(p)));
        }
        lines.push(
            "  (the probabilities saw-tooth in n because the pass count ⌈t·n⌉ − 1 moves in whole steps; \
             plan on the stable n so that a few lost interviews cannot break the guarantee)"
                .to_string(),
        );
        lines
    }

    fn normal_lines(&self) -> Vec<String> {
        let (s, a) = (&self.spec, &self.normal);
        vec![
            "normal approximation, classic one-sample test (Lemeshow et al. 1990):".to_string(),
            format!(
                "  n = ((z_(1−α) × √(p_good(1 − p_good)) + z_(1−β) × √(p_bad(1 − p_bad))) / (p_bad − p_good))² \
                 = (({:.3} × √({} × {}) + {:.3} × √({} × {})) / ({} − {}))² = {:.2} → {}",
                a.z_alpha,
                num(s.good_rate),
                num(1.0 - s.good_rate),
                a.z_beta,
                num(s.bad_rate),
                num(1.0 - s.bad_rate),
                num(s.bad_rate),
                num(s.good_rate),
                a.classic_n,
                a.classic_ceil
            ),
            format!(
                "  (it assumes a county fails when p̂ ≥ {:.4}; the official rule fails it only when p̂ ≥ {})",
                a.classic_cutoff,
                num(s.threshold)
            ),
            "normal approximation, cutoff fixed at t (as the official rule):".to_string(),
            format!(
                "  n = max((z_(1−α) × √(p_good(1 − p_good)) / (t − p_good))², (z_(1−β) × √(p_bad(1 − p_bad)) / (p_bad − t))²) \
                 = max({:.2}, {:.2}) → {}",
                a.fixed_good_n, a.fixed_bad_n, a.fixed_ceil
            ),
        ]
    }

    fn visit_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let mut add = |label: &str, p: &OcPoint| {
            lines.push(match p.villages {
                // The villages' correlation is already in the probabilities.
                Some(_) => format!(
                    "to visit ({label}) = n / r = {} / {} = {:.2} → {}",
                    p.n,
                    num(self.spec.response_rate),
                    p.n as f64 / self.spec.response_rate,
                    p.to_visit
                ),
                None => format!(
                    "to visit ({label}) = n × deff / r = {} × {} / {} = {:.2} → {}",
                    p.n,
                    num(self.deff),
                    num(self.spec.response_rate),
                    p.n as f64 * self.deff / self.spec.response_rate,
                    p.to_visit
                ),
            })
        };
        if let Some(p) = &self.stable_from {
            add("stable n", p);
        }
        add("smallest n", &self.smallest);
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn official_rule() -> PassRuleSpec {
        PassRuleSpec {
            threshold: 0.02,
            bad_rate: 0.03,
            good_rate: 0.01,
            alpha: 0.05,
            beta: 0.05,
            design: DesignEffect::Given { deff: 1.0 },
            response_rate: 1.0,
            max_n: 5_000,
            contributions: Contributions::default(),
        }
    }

    #[test]
    fn pass_count_is_strictly_below_the_threshold() {
        // At n = 50, X = 1 gives p̂ = 0.02 exactly, which does not pass.
        assert_eq!(max_pass_count(50, 0.02), 0);
        assert_eq!(max_pass_count(51, 0.02), 1);
        assert_eq!(max_pass_count(100, 0.02), 1);
        assert_eq!(max_pass_count(645, 0.02), 12);
        assert_eq!(max_pass_count(1, 0.02), 0);
    }

    #[test]
    fn exact_oc_matches_an_independent_binomial_sum() {
        // python3 -c "import math
        // def cdf(c,n,p): return sum(math.comb(n,k)*p**k*(1-p)**(n-k) for k in range(c+1))
        // for n in (644,645,805,806): c=math.ceil(0.02*n)-1; print(n,c,cdf(c,n,0.03),cdf(c,n,0.01))"
        // (0.02*n is not an integer for these n, so ceil is safe there.)
        let expect = [
            (644, 12, 0.050228303473351554, 0.9854875695817621),
            (645, 12, 0.04956175758551101, 0.9853204756525856),
            (805, 16, 0.05052119303584485, 0.9962370829287218),
            (806, 16, 0.04991736252607846, 0.9961910441362709),
        ];
        let spec = official_rule();
        for (n, c, bad, good) in expect {
            let p = oc_point(&spec, n);
            assert_eq!(p.max_pass_count, c, "n = {n}");
            assert!(
                (p.pass_if_bad - bad).abs() < 1e-9,
                "n = {n}: {} vs {bad}",
                p.pass_if_bad
            );
            assert!(
                (p.pass_if_good - good).abs() < 1e-9,
                "n = {n}: {} vs {good}",
                p.pass_if_good
            );
        }
    }

    #[test]
    fn exact_search_finds_smallest_and_stable_n() {
        // Independent search over n = 1..5000 with an exact rational cutoff:
        // python3 -c "import math; from fractions import Fraction as F
        // cdf=lambda c,n,p: sum(math.comb(n,k)*p**k*(1-p)**(n-k) for k in range(c+1))
        // ok=[n for n in range(1,5001) if (lambda c: cdf(c,n,.03)<=.05 and cdf(c,n,.01)>=.95)(math.ceil(F(2,100)*n)-1)]
        // print(ok[0], max(n for n in range(1,5001) if n not in set(ok)))"  → 645 805
        let r = pass_rule_size(&official_rule()).unwrap();
        assert_eq!(r.smallest.n, 645);
        assert!(r.smallest.pass_if_bad <= 0.05 && r.smallest.pass_if_good >= 0.95);
        let below = r.below_smallest.as_ref().unwrap();
        assert_eq!(below.n, 644);
        assert!(!below.meets && below.pass_if_bad > 0.05);
        assert_eq!(r.stable_from.as_ref().unwrap().n, 806);
        assert_eq!(r.last_failing.as_ref().unwrap().n, 805);
    }

    #[test]
    fn normal_approximations_match_hand_values() {
        // python3 -c "from statistics import NormalDist as N; import math; z=N().inv_cdf(0.95)
        // g=math.sqrt(0.01*0.99); b=math.sqrt(0.03*0.97)
        // print(((z*g+z*b)/0.02)**2, (z*g/0.01)**2, (z*b/0.01)**2)"
        // → 493.39932953193437 267.84880195544577 787.3131451417646
        let a = pass_rule_size(&official_rule()).unwrap().normal;
        assert!((a.classic_n - 493.39933).abs() < 1e-3, "{}", a.classic_n);
        assert!(
            (a.fixed_good_n - 267.84880).abs() < 1e-3,
            "{}",
            a.fixed_good_n
        );
        assert!(
            (a.fixed_bad_n - 787.31315).abs() < 1e-3,
            "{}",
            a.fixed_bad_n
        );
        assert_eq!(a.fixed_ceil, 788);
    }

    #[test]
    fn households_to_visit_apply_deff_and_response() {
        let spec = PassRuleSpec {
            design: DesignEffect::Given { deff: 1.5 },
            response_rate: 0.9,
            ..official_rule()
        };
        let r = pass_rule_size(&spec).unwrap();
        // 806 × 1.5 / 0.9 = 1343.33 → 1344; 645 × 1.5 / 0.9 = 1075 exactly.
        assert_eq!(r.stable_from.unwrap().to_visit, 1344);
        assert_eq!(r.smallest.to_visit, 1075);
    }

    /// The search in villages of 32 at ρ = 0.05 for the official rule (t = 2%, fail 3% with
    /// β = 5%, pass 1% with α = 5%), against the same search written in scipy (betabinom
    /// convolved, apart from this crate): first met at 53 villages (n = 1696, pass when
    /// X ≤ 33: 0.04943 at 3%, 0.98527 at 1%), last failing at 58 (0.05003 at 3%).
    #[test]
    fn the_search_in_villages_matches_an_independent_one() {
        let spec = PassRuleSpec {
            design: DesignEffect::Clusters {
                cluster_size: 32.0,
                icc: 0.05,
            },
            ..official_rule()
        };
        let r = pass_rule_size(&spec).unwrap();
        let s = &r.smallest;
        assert_eq!((s.villages, s.n, s.max_pass_count), (Some(53), 1696, 33));
        assert!((s.pass_if_bad - 0.049428852663319554).abs() < 1e-9);
        assert!((s.pass_if_good - 0.9852734889271892).abs() < 1e-9);
        assert_eq!(r.below_smallest.as_ref().unwrap().villages, Some(52));
        let last = r.last_failing.as_ref().unwrap();
        assert_eq!(last.villages, Some(58));
        assert!((last.pass_if_bad - 0.05003321258454378).abs() < 1e-9);
        assert_eq!(r.stable_from.unwrap().villages, Some(59));
    }

    #[test]
    fn oc_for_visits_in_villages_is_the_beta_binomial_convolution() {
        // 500 visited × 0.9 / 20 = 22.5 → 22 villages of 20, n = 440; pass when X ≤ 8.
        // scipy, apart from this crate: betabinom.pmf(range(21), 20, a, b) with
        // a = p·0.95/0.05, b = (1 − p)·0.95/0.05, convolved 22 times, summed to 8:
        // 0.1738672905345991 at p = 0.03, 0.9076420472490427 at p = 0.01. (The binomial at
        // the effective 500 × 0.9 / 1.95 = 230 gave 0.178 and 0.917.)
        let spec = PassRuleSpec {
            design: DesignEffect::Clusters {
                cluster_size: 20.0,
                icc: 0.05,
            },
            response_rate: 0.9,
            ..official_rule()
        };
        let p = oc_for_visits(&spec, 500).unwrap();
        assert_eq!((p.n, p.villages, p.max_pass_count), (440, Some(22), 8));
        assert!(
            (p.pass_if_bad - 0.1738672905345991).abs() < 1e-9,
            "{}",
            p.pass_if_bad
        );
        assert!(
            (p.pass_if_good - 0.9076420472490427).abs() < 1e-9,
            "{}",
            p.pass_if_good
        );
        assert_eq!(p.to_visit, 489); // 440 / 0.9 = 488.9
        assert!(oc_for_visits(&spec, 1).is_err());
        // The scan by villages finds the same point when it reaches 22 villages.
        assert_eq!(oc_point(&spec, 22), p);
    }

    #[test]
    fn inconsistent_rates_and_exhausted_search_are_errors() {
        let spec = PassRuleSpec {
            bad_rate: 0.02,
            ..official_rule()
        };
        assert!(matches!(
            pass_rule_size(&spec),
            Err(SizeError::Inconsistent(_))
        ));
        let spec = PassRuleSpec {
            good_rate: 0.025,
            ..official_rule()
        };
        assert!(matches!(
            pass_rule_size(&spec),
            Err(SizeError::Inconsistent(_))
        ));
        let spec = PassRuleSpec {
            max_n: 600,
            ..official_rule()
        };
        assert_eq!(
            pass_rule_size(&spec),
            Err(SizeError::NotFound {
                max_n: 600,
                approx: 788
            })
        );
        let spec = PassRuleSpec {
            max_n: MAX_SEARCH_LIMIT + 1,
            ..official_rule()
        };
        assert!(matches!(
            pass_rule_size(&spec),
            Err(SizeError::OutOfRange {
                name: "search limit",
                ..
            })
        ));
    }

    #[test]
    fn contributions_need_villages_and_sane_values() {
        let spread = Contributions {
            weighting_effect: 1.3,
            household_size_cv: 0.4,
        };
        let given = PassRuleSpec {
            contributions: spread,
            ..official_rule()
        };
        assert!(matches!(
            pass_rule_size(&given),
            Err(SizeError::Inconsistent(m)) if m.contains("already includes")
        ));
        let villages = DesignEffect::Clusters {
            cluster_size: 32.0,
            icc: 0.05,
        };
        for bad in [(0.9, 0.0), (1.0, -0.1), (f64::NAN, 0.0)] {
            let spec = PassRuleSpec {
                design: villages,
                contributions: Contributions {
                    weighting_effect: bad.0,
                    household_size_cv: bad.1,
                },
                ..official_rule()
            };
            assert!(pass_rule_size(&spec).is_err(), "{bad:?}");
        }
        // 25 villages of 32: the scan and the single point agree with the scipy value.
        let spec = PassRuleSpec {
            design: villages,
            contributions: spread,
            ..official_rule()
        };
        let at = oc_for_visits(&spec, 800).unwrap();
        assert!((at.pass_if_bad - 0.1718926748280078).abs() < 1e-10);
        let size = pass_rule_size(&spec).unwrap();
        let smallest = size.smallest.villages.unwrap();
        let again = oc_point(&spec, smallest);
        assert_eq!(again, size.smallest);
        assert!(
            smallest > 53,
            "spread needs more villages than the count rule's 53"
        );
    }

    #[test]
    fn stable_is_absent_when_the_limit_itself_fails() {
        // 700 meets? No: between 645 and 805 the OC saw-tooths; find a failing n in that range.
        let spec = official_rule();
        let failing = (646..805).find(|&n| !oc_point(&spec, n).meets).unwrap();
        let r = pass_rule_size(&PassRuleSpec {
            max_n: failing,
            ..spec
        })
        .unwrap();
        assert_eq!(r.smallest.n, 645);
        assert!(r.stable_from.is_none());
    }
}
