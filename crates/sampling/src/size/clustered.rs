//! The rule's count when households come in villages: each village's positives are
//! beta-binomial with the indicator's intraclass correlation, and the county's count is their
//! sum, computed exactly by convolution. A binomial at the "effective" size `n / deff` has the
//! right variance but the wrong shape: it saw-tooths and misstates the probability of passing
//! (25 villages × 32 households, p = 3%, ρ = 0.05: 0.169 where the exact value is 0.128).
//!
//! The model (Kish's `deff = 1 + (m − 1)ρ` is its variance): a village's rate is
//! Beta(α, β) with mean p and `ρ = 1 / (α + β + 1)`, so `α = p(1 − ρ)/ρ`,
//! `β = (1 − p)(1 − ρ)/ρ`, and its m households are then independent. `ρ = 0` is the binomial;
//! `ρ = 1` makes a village all or nothing.
//!
//! The rates count people, and a weighted estimate adds each household's weight × people: the
//! county passes when `Σ c_i y_i / Σ c_i < t`, with `c_i` that contribution. Model the
//! contributions as independent of status and village, gamma with mean 1 and squared CV `κ²`.
//! Given x positive households among n, the ratio is then `A / (A + B)` with
//! `A ~ Gamma(x/κ², κ²)` and `B ~ Gamma((n − x)/κ², κ²)` independent, which is
//! `Beta(x/κ², (n − x)/κ²)`: P(pass | x) is a regularized incomplete beta, and
//! P(pass) = Σ_x P(X = x) · I_t(x/κ², (n − x)/κ²). At `κ² = 0` it is the count rule.

use statrs::function::beta::beta_reg;
use statrs::function::gamma::ln_gamma;

/// One village's distribution of positives among `m` households: `f(x)`, x = 0..=m.
pub(super) fn village_pmf(m: u64, p: f64, icc: f64) -> Vec<f64> {
    let m_us = m as usize;
    if icc <= 0.0 {
        return binomial_pmf(m, p);
    }
    if icc >= 1.0 {
        let mut f = vec![0.0; m_us + 1];
        f[0] = 1.0 - p;
        f[m_us] += p;
        return f;
    }
    let a = p * (1.0 - icc) / icc;
    let b = (1.0 - p) * (1.0 - icc) / icc;
    let mf = m as f64;
    // f(0) = B(a, m + b) / B(a, b); f(x + 1) / f(x) = (m − x)(x + a) / ((x + 1)(m − x − 1 + b)).
    let mut f = Vec::with_capacity(m_us + 1);
    f.push((ln_gamma(mf + b) + ln_gamma(a + b) - ln_gamma(b) - ln_gamma(mf + a + b)).exp());
    for x in 0..m_us {
        let xf = x as f64;
        let next = f[x] * (mf - xf) * (xf + a) / ((xf + 1.0) * (mf - xf - 1.0 + b));
        f.push(next);
    }
    f
}

fn binomial_pmf(m: u64, p: f64) -> Vec<f64> {
    let mut f = vec![0.0; m as usize + 1];
    f[0] = (1.0 - p).powf(m as f64);
    for x in 0..m as usize {
        f[x + 1] = f[x] * (m as f64 - x as f64) / (x as f64 + 1.0) * p / (1.0 - p);
    }
    f
}

/// The county's count distribution as villages are added, kept only up to the largest count
/// asked for (the pass counts are near t·n, far below n): adding a village costs
/// `O(cap × m)`, so a scan over every number of villages stays fast.
pub(super) struct Counts {
    village: Vec<f64>,
    dist: Vec<f64>,
    villages: u64,
}

impl Counts {
    /// No village yet; counts up to `cap` kept.
    pub(super) fn new(m: u64, p: f64, icc: f64, cap: u64) -> Counts {
        let mut dist = vec![0.0; cap as usize + 1];
        dist[0] = 1.0;
        Counts {
            village: village_pmf(m, p, icc),
            dist,
            villages: 0,
        }
    }

    /// One more village.
    pub(super) fn add_village(&mut self) {
        let cap = self.dist.len();
        let mut next = vec![0.0; cap];
        for (s, &ps) in self.dist.iter().enumerate().filter(|(_, p)| **p > 0.0) {
            for (x, &fx) in self.village.iter().enumerate().take(cap - s) {
                next[s + x] += ps * fx;
            }
        }
        self.dist = next;
        self.villages += 1;
    }

    /// P(count ≤ c), `c` at most the cap.
    pub(super) fn cdf(&self, c: u64) -> f64 {
        self.dist[..=c as usize].iter().sum::<f64>().min(1.0)
    }

    /// P(pass) = Σ_x P(X = x) · P(pass | x), the conditional pass probabilities from `pass`
    /// (its top count at most the cap).
    pub(super) fn pass(&self, pass: &PassGivenCount) -> f64 {
        let sure = pass.sure as usize;
        let certain: f64 = self.dist[..sure.min(self.dist.len())].iter().sum();
        let partial: f64 = (pass.sure..=pass.top)
            .zip(&pass.probability)
            .map(|(x, q)| self.dist.get(x as usize).copied().unwrap_or(0.0) * q)
            .sum();
        (certain + partial).min(1.0)
    }
}

/// Below this a conditional pass probability counts as 0, and within it of 1 as 1: far below
/// the four decimals shown, and it bounds the counts the convolution must keep.
const NEGLIGIBLE: f64 = 1e-15;

/// P(pass | x of n households positive) under the people ratio with contributions of squared
/// CV `kappa2`: 1 for x < `sure`, `probability[x − sure]` up to `top`, 0 above.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PassGivenCount {
    sure: u64,
    top: u64,
    probability: Vec<f64>,
}

impl PassGivenCount {
    pub(super) fn new(n: u64, threshold: f64, kappa2: f64) -> PassGivenCount {
        let c = super::max_pass_count(n, threshold);
        if kappa2 <= 0.0 {
            return PassGivenCount {
                sure: c + 1,
                top: c,
                probability: Vec::new(),
            };
        }
        let given = |x: u64| match x {
            0 => 1.0,
            x if x >= n => 0.0,
            x => beta_reg(x as f64 / kappa2, (n - x) as f64 / kappa2, threshold),
        };
        // The probabilities fall with x; walk out from the count rule's cutoff both ways.
        let mut sure = c;
        while sure > 0 && 1.0 - given(sure) > NEGLIGIBLE {
            sure -= 1;
        }
        let mut top = c;
        while top < n && given(top + 1) > NEGLIGIBLE {
            top += 1;
        }
        PassGivenCount {
            sure,
            top,
            probability: (sure..=top).map(given).collect(),
        }
    }

    /// The largest count with a pass probability that is not negligible: the cap the
    /// convolution needs.
    pub(super) fn top(&self) -> u64 {
        self.top
    }
}

/// P(X ≤ c) for X the positives of `villages` villages of `m` households.
pub fn clustered_cdf(c: u64, villages: u64, m: u64, p: f64, icc: f64) -> f64 {
    counts_after(villages, m, p, icc, c).cdf(c)
}

/// P(the people ratio < t) over `villages` villages of `m` households at true rate `p`, with
/// household contributions (weight × people) of squared CV `kappa2`.
pub fn clustered_pass_probability(
    villages: u64,
    m: u64,
    threshold: f64,
    p: f64,
    icc: f64,
    kappa2: f64,
) -> f64 {
    let pass = PassGivenCount::new(villages * m, threshold, kappa2);
    counts_after(villages, m, p, icc, pass.top()).pass(&pass)
}

fn counts_after(villages: u64, m: u64, p: f64, icc: f64, cap: u64) -> Counts {
    let mut counts = Counts::new(m, p, icc, cap);
    for _ in 0..villages {
        counts.add_village();
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The review's example, against scipy's `betabinom` convolved 25 times (computed apart
    /// from this crate): `stats.betabinom.pmf(range(33), 32, a, b)`, a = 0.03·0.95/0.05.
    #[test]
    fn twenty_five_villages_of_thirty_two_at_three_percent() {
        let p = clustered_cdf(15, 25, 32, 0.03, 0.05);
        assert!((p - 0.1280779161516953).abs() < 1e-12, "{p}");
    }

    /// Exact enumeration (to the log-gamma function's 1e-13): 2 villages of 2 households under
    /// the Pólya urn, every pattern of
    /// the 4 households written out. A village's P(k positives of 2) with α, β:
    /// f(0) = β(β+1)/((α+β)(α+β+1)), f(1) = 2αβ/((α+β)(α+β+1)), f(2) = α(α+1)/(...).
    #[test]
    fn two_villages_of_two_households_by_enumeration() {
        let (p, icc) = (0.2, 0.25);
        let (a, b) = (p * (1.0 - icc) / icc, (1.0 - p) * (1.0 - icc) / icc);
        let d = (a + b) * (a + b + 1.0);
        let f = [b * (b + 1.0) / d, 2.0 * a * b / d, a * (a + 1.0) / d];
        let mut by_count = [0.0; 5];
        for x in 0..3 {
            for y in 0..3 {
                by_count[x + y] += f[x] * f[y];
            }
        }
        let mut cumulative = 0.0;
        for (c, q) in by_count.iter().enumerate() {
            cumulative += q;
            let ours = clustered_cdf(c as u64, 2, 2, p, icc);
            assert!(
                (ours - cumulative).abs() < 1e-12,
                "c = {c}: {ours} vs {cumulative}"
            );
        }
        assert!((cumulative - 1.0).abs() < 1e-14);
    }

    /// The people ratio with unequal contributions (weighting effect 1.3, household-size CV
    /// 0.4: κ² = 0.508), against scipy apart from this crate: the full 25-fold `betabinom`
    /// convolution, each count weighted by `special.betainc(x/κ², (n − x)/κ², 0.02)`.
    /// A Monte Carlo of the model itself (200,000 counties of gamma contributions) gave
    /// 0.1712 ± 0.0008 at 3%.
    #[test]
    fn people_ratio_with_unequal_contributions() {
        let kappa2 = 1.3 * (1.0 + 0.4f64.powi(2)) - 1.0;
        let bad = clustered_pass_probability(25, 32, 0.02, 0.03, 0.05, kappa2);
        let good = clustered_pass_probability(25, 32, 0.02, 0.01, 0.05, kappa2);
        assert!((bad - 0.1718926748280078).abs() < 1e-10, "{bad}");
        assert!((1.0 - good - 0.06988045595048586).abs() < 1e-10, "{good}");
        // Without spread the ratio rule is the count rule.
        let count_rule = clustered_pass_probability(25, 32, 0.02, 0.03, 0.05, 0.0);
        assert!((count_rule - clustered_cdf(15, 25, 32, 0.03, 0.05)).abs() < 1e-15);
    }

    /// P(pass | x) falls from 1 to 0 around t·n and is the incomplete beta in between.
    #[test]
    fn pass_given_count_is_one_then_the_incomplete_beta_then_zero() {
        let pass = PassGivenCount::new(800, 0.02, 0.5);
        // With κ² = 0.5 even one positive household leaves P(pass) short of 1 by 3e-13.
        assert_eq!((pass.sure, pass.top), (0, 42));
        assert_eq!(pass.probability[0], 1.0);
        let at_16 = pass.probability[(16 - pass.sure) as usize];
        assert!((at_16 - beta_reg(32.0, 1568.0, 0.02)).abs() < 1e-15);
        assert!(pass.probability.windows(2).all(|w| w[0] >= w[1]));
    }

    #[test]
    fn no_correlation_is_the_binomial_and_full_correlation_all_or_nothing() {
        let binomial = super::super::binomial_cdf(4, 60, 0.03);
        assert!((clustered_cdf(4, 3, 20, 0.03, 0.0) - binomial).abs() < 1e-12);
        // ρ = 1: each of 3 villages of 20 is all positive with probability 0.1.
        assert!((clustered_cdf(19, 3, 20, 0.1, 1.0) - 0.9f64.powi(3)).abs() < 1e-12);
        // The pmf of one village sums to 1 at any ρ.
        for icc in [0.01, 0.05, 0.2, 0.7] {
            let s: f64 = village_pmf(32, 0.03, icc).iter().sum();
            assert!((s - 1.0).abs() < 1e-12, "{icc}: {s}");
        }
    }
}
