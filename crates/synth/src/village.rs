//! Village-level attributes: remote and poverty villages, the share of registered
//! households, and the clustered true rates of each register stratum.

use crate::geography::{distance_m, CountyFrame};
use crate::{RegisterShape, TruthRates};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, LogNormal};

/// Poverty villages are drawn with this weight in remote villages against 1 elsewhere: the
/// 贫困村 were concentrated in the far, mountainous parts of a county.
const POVERTY_WEIGHT_REMOTE: f64 = 2.5;
/// A poverty village registers this many times the county's share of households.
const REGISTERED_RATIO_POVERTY_VILLAGE: f64 = 1.8;
/// A remote village registers this many times the share (on top of the above).
const REGISTERED_RATIO_REMOTE: f64 = 1.3;
/// Log-scale spread of the registered share between otherwise alike villages.
const REGISTERED_SHARE_SIGMA: f64 = 0.3;
/// No village registers more than this share of its households.
const REGISTERED_SHARE_MAX: f64 = 0.9;

/// What a village is, beyond its code.
#[derive(Debug, Clone)]
pub(crate) struct VillageTraits {
    pub households: u64,
    pub remote: bool,
    pub poverty_village: bool,
    /// Probability that a household is registered (exited or poor).
    pub registered_share: f64,
    /// Probability that an exited household is truly poor (wrong exit).
    pub wrong_exit: f64,
    /// Probability that a non-registered household is truly poor (missed).
    pub missed: f64,
    /// Probability that a registered-poor household is truly poor (still poor).
    pub still_poor: f64,
}

/// Draws every village's traits; `sizes` are households per village in frame order.
pub(crate) fn draw_traits(
    frame: &CountyFrame,
    sizes: &[u64],
    shape: &RegisterShape,
    rates: &TruthRates,
    rng: &mut ChaCha8Rng,
) -> Vec<VillageTraits> {
    let remote = pick_remote(frame, shape.remote_share, rng);
    let poverty = pick_poverty(&remote, shape.poverty_village_share, rng);
    let shares = registered_shares(sizes, &remote, &poverty, shape.registered_share, rng);
    let exited: Vec<f64> = sizes
        .iter()
        .zip(&shares)
        .map(|(&n, r)| n as f64 * r * (1.0 - shape.poor_share_of_registered))
        .collect();
    let outside: Vec<f64> = sizes
        .iter()
        .zip(&shares)
        .map(|(&n, r)| n as f64 * (1.0 - r))
        .collect();
    // Wrong exits and missed households lean towards remote villages, or (`remote_only`)
    // happen only there.
    let tilt = if rates.remote_only {
        Tilt::RemoteOnly
    } else {
        Tilt::Ratio(rates.remote_risk_ratio)
    };
    let wrong_exit = clustered_rates(rates.wrong_exit, rates.icc, &remote, &exited, tilt, rng);
    let missed = clustered_rates(rates.missed, rates.icc, &remote, &outside, tilt, rng);
    let still_poor = clustered_rates(
        rates.still_poor,
        rates.icc,
        &remote,
        &exited,
        Tilt::Ratio(1.0),
        rng,
    );
    (0..sizes.len())
        .map(|i| VillageTraits {
            households: sizes[i],
            remote: remote[i],
            poverty_village: poverty[i],
            registered_share: shares[i],
            wrong_exit: wrong_exit[i],
            missed: missed[i],
            still_poor: still_poor[i],
        })
        .collect()
}

/// The `share` of villages farthest from the county centroid. Where positions are unknown,
/// whole townships are ranked at random instead, so remote villages still cluster the way
/// remote areas do.
fn pick_remote(frame: &CountyFrame, share: f64, rng: &mut ChaCha8Rng) -> Vec<bool> {
    let n = frame.villages.len();
    let mut township_key = std::collections::BTreeMap::new();
    let keys: Vec<f64> = frame
        .villages
        .iter()
        .map(|v| match (v.centre, frame.centroid) {
            (Some(c), Some(o)) => distance_m(c, o),
            _ => *township_key
                .entry(v.township.clone())
                .or_insert_with(|| rng.random::<f64>()),
        })
        .collect();
    top_k(&keys, (share * n as f64).round() as usize)
}

/// `share` of the villages as poverty villages, weighted towards remote ones
/// (Efraimidis-Spirakis weighted sampling without replacement: key = u^(1/w)).
fn pick_poverty(remote: &[bool], share: f64, rng: &mut ChaCha8Rng) -> Vec<bool> {
    let keys: Vec<f64> = remote
        .iter()
        .map(|&r| {
            let w = if r { POVERTY_WEIGHT_REMOTE } else { 1.0 };
            rng.random::<f64>().powf(1.0 / w)
        })
        .collect();
    top_k(&keys, (share * remote.len() as f64).round() as usize)
}

/// Marks the `k` largest keys (ties to the lower index).
fn top_k(keys: &[f64], k: usize) -> Vec<bool> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| keys[b].total_cmp(&keys[a]).then(a.cmp(&b)));
    let mut chosen = vec![false; keys.len()];
    for &i in order.iter().take(k) {
        chosen[i] = true;
    }
    chosen
}

/// Registered shares per village: higher in poverty and remote villages, with lognormal
/// noise, then scaled so the county's household-weighted share is `target` (rescaled a few
/// times because of the cap).
fn registered_shares(
    sizes: &[u64],
    remote: &[bool],
    poverty: &[bool],
    target: f64,
    rng: &mut ChaCha8Rng,
) -> Vec<f64> {
    let noise = LogNormal::new(0.0, REGISTERED_SHARE_SIGMA).expect("constant sigma is valid");
    let mut shares: Vec<f64> = (0..sizes.len())
        .map(|i| {
            let mut s = noise.sample(rng);
            if poverty[i] {
                s *= REGISTERED_RATIO_POVERTY_VILLAGE;
            }
            if remote[i] {
                s *= REGISTERED_RATIO_REMOTE;
            }
            s
        })
        .collect();
    let total: f64 = sizes.iter().map(|&n| n as f64).sum();
    for _ in 0..8 {
        let mean = sizes
            .iter()
            .zip(&shares)
            .map(|(&n, s)| n as f64 * s)
            .sum::<f64>()
            / total;
        if mean <= 0.0 {
            break;
        }
        for s in &mut shares {
            *s = (*s * target / mean).min(REGISTERED_SHARE_MAX);
        }
    }
    shares
}

/// How a stratum's rate is spread between remote and other villages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Tilt {
    /// Remote villages' mean rate is this many times the others'.
    Ratio(f64),
    /// Only remote villages have any (others 0). A county without remote households of the
    /// stratum falls back to the same rate everywhere (with a warning), so its mean stays `p`.
    RemoteOnly,
}

/// Village-level true rates of one stratum: mean `p` (tilted towards remote villages by
/// `tilt`, renormalised over the stratum's expected households so the county mean stays
/// `p`), each drawn from Beta(α, β) with α = m(1-ρ)/ρ, β = (1-m)(1-ρ)/ρ, whose intra-village
/// correlation of the 0/1 outcome is exactly ρ. ρ = 0 means no clustering.
fn clustered_rates(
    p: f64,
    icc: f64,
    remote: &[bool],
    households: &[f64],
    tilt: Tilt,
    rng: &mut ChaCha8Rng,
) -> Vec<f64> {
    let total: f64 = households.iter().sum();
    let weighted_by = |weight: &dyn Fn(bool) -> f64| -> f64 {
        remote
            .iter()
            .zip(households)
            .map(|(&r, h)| weight(r) * h)
            .sum()
    };
    let mut weight: Box<dyn Fn(bool) -> f64> = match tilt {
        Tilt::Ratio(ratio) => Box::new(move |r: bool| if r { ratio } else { 1.0 }),
        Tilt::RemoteOnly => Box::new(|r: bool| if r { 1.0 } else { 0.0 }),
    };
    let mut weighted = weighted_by(&*weight);
    if tilt == Tilt::RemoteOnly && p > 0.0 && total > 0.0 && weighted <= 0.0 {
        tracing::warn!(
            "no remote village has households of this stratum: its true rate is spread over every village"
        );
        weight = Box::new(|_| 1.0);
        weighted = total;
    }
    let norm = if total > 0.0 && weighted > 0.0 {
        total / weighted
    } else {
        1.0
    };
    if p * norm > 1.0 && remote.iter().any(|&r| weight(r) > 0.0) {
        tracing::warn!(
            rate = p,
            remote_mean = p * norm,
            "the rate concentrated on remote villages exceeds 1 there: capped, so the county's rate falls short of its target"
        );
    }
    remote
        .iter()
        .map(|&r| {
            let mean = (p * weight(r) * norm).clamp(0.0, 1.0);
            draw_beta(mean, icc, rng)
        })
        .collect()
}

/// One draw from the Beta with this mean and intra-cluster correlation (degenerate cases
/// return the mean itself).
fn draw_beta(mean: f64, icc: f64, rng: &mut ChaCha8Rng) -> f64 {
    if icc <= 0.0 || mean <= 0.0 || mean >= 1.0 {
        return mean;
    }
    let scale = (1.0 - icc) / icc;
    match Beta::new(mean * scale, (1.0 - mean) * scale) {
        Ok(beta) => beta.sample(rng),
        // Parameters are positive and finite here; fall back to the mean rather than panic.
        Err(_) => mean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn beta_draws_have_the_mean_and_icc_asked_for() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let (p, rho) = (0.2, 0.3);
        let draws: Vec<f64> = (0..200_000).map(|_| draw_beta(p, rho, &mut rng)).collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let var = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / draws.len() as f64;
        // Var of a Beta with this parameterisation is rho p (1-p) = 0.048.
        assert!((mean - p).abs() < 0.003, "mean {mean}");
        assert!(
            (var / (p * (1.0 - p)) - rho).abs() < 0.01,
            "icc {}",
            var / (p * (1.0 - p))
        );
        assert_eq!(draw_beta(0.2, 0.0, &mut rng), 0.2);
    }

    #[test]
    fn remote_tilt_keeps_the_stratum_mean() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let remote = [true, false, false, true];
        let households = [100.0, 300.0, 400.0, 200.0];
        let rates = clustered_rates(0.01, 0.0, &remote, &households, Tilt::Ratio(2.0), &mut rng);
        let mean: f64 = rates
            .iter()
            .zip(&households)
            .map(|(r, h)| r * h)
            .sum::<f64>()
            / 1000.0;
        assert!((mean - 0.01).abs() < 1e-12);
        assert!((rates[0] / rates[1] - 2.0).abs() < 1e-9);
    }

    #[test]
    fn remote_only_puts_the_whole_stratum_mean_on_remote_villages() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let remote = [true, false, false, true];
        let households = [100.0, 300.0, 400.0, 200.0];
        let rates = clustered_rates(0.01, 0.0, &remote, &households, Tilt::RemoteOnly, &mut rng);
        assert_eq!((rates[1], rates[2]), (0.0, 0.0));
        // 0.01 × 1000 / 300 in each remote village.
        assert!((rates[0] - 0.01 * 1000.0 / 300.0).abs() < 1e-12);
        assert_eq!(rates[0], rates[3]);
        // Clustered: still nothing outside remote villages, and the mean is kept on average.
        let mut sum = 0.0;
        for _ in 0..20_000 {
            let r = clustered_rates(0.01, 0.2, &remote, &households, Tilt::RemoteOnly, &mut rng);
            assert_eq!((r[1], r[2]), (0.0, 0.0));
            sum += (r[0] * 100.0 + r[3] * 200.0) / 1000.0;
        }
        assert!((sum / 20_000.0 - 0.01).abs() < 0.0005, "{}", sum / 20_000.0);
        // No remote village: the rate is spread evenly rather than lost.
        let none = clustered_rates(
            0.01,
            0.0,
            &[false, false],
            &[10.0, 30.0],
            Tilt::RemoteOnly,
            &mut rng,
        );
        assert_eq!(none, vec![0.01, 0.01]);
    }

    #[test]
    fn top_k_marks_the_largest() {
        assert_eq!(
            top_k(&[0.1, 0.9, 0.5, 0.9], 2),
            vec![false, true, false, true]
        );
    }
}
