//! Whole-number splits that sum exactly: households across counties and across villages.

use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal};

/// Fewest households a village gets when the county has enough: real village committees
/// rarely have fewer, and a sampled village needs households to interview.
pub(crate) const MIN_HOUSEHOLDS_PER_VILLAGE: u64 = 20;

/// Coefficient of variation of households per village. Village committees of one county
/// differ a lot in size (merged villages, mountain hamlets); 0.55 sits in the 0.5-0.6 seen in
/// county rosters, and a lognormal keeps the right skew of real size lists.
pub(crate) const VILLAGE_SIZE_CV: f64 = 0.55;

/// Splits `total` into parts proportional to `weights` by the largest-remainder (Hamilton)
/// method: floors first, then one more to the largest fractional parts, ties to the lower
/// index. The parts sum exactly to `total`. All-zero weights split evenly.
pub(crate) fn largest_remainder(total: u64, weights: &[f64]) -> Vec<u64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let sum: f64 = weights.iter().sum();
    let even = vec![1.0; weights.len()];
    let (weights, sum) = if sum > 0.0 {
        (weights, sum)
    } else {
        (&even[..], even.len() as f64)
    };
    let quotas: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<u64> = quotas.iter().map(|q| q.floor() as u64).collect();
    let given: u64 = parts.iter().sum();
    // Rounding in the quotas can leave the floors one or two above or below the total.
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| {
        let fa = quotas[a] - quotas[a].floor();
        let fb = quotas[b] - quotas[b].floor();
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    if given <= total {
        for &i in order.iter().cycle().take((total - given) as usize) {
            parts[i] += 1;
        }
    } else {
        let mut excess = given - total;
        for &i in order.iter().rev().cycle() {
            if excess == 0 {
                break;
            }
            if parts[i] > 0 {
                parts[i] -= 1;
                excess -= 1;
            }
        }
    }
    parts
}

/// Households per county: each county first gets one household per rural village (the
/// least a village can have), the rest goes in proportion to the number of villages.
pub(crate) fn split_across_counties(total: u64, villages: &[usize]) -> Vec<u64> {
    let floor: u64 = villages.iter().map(|&v| v as u64).sum();
    let weights: Vec<f64> = villages.iter().map(|&v| v as f64).collect();
    let rest = largest_remainder(total.saturating_sub(floor), &weights);
    villages
        .iter()
        .zip(rest)
        .map(|(&v, r)| v as u64 + r)
        .collect()
}

/// Households per village: a floor of [`MIN_HOUSEHOLDS_PER_VILLAGE`] (less when the county
/// is small), the rest by lognormal weights with [`VILLAGE_SIZE_CV`].
pub(crate) fn village_sizes(total: u64, villages: usize, rng: &mut ChaCha8Rng) -> Vec<u64> {
    let floor = MIN_HOUSEHOLDS_PER_VILLAGE.min(total / villages as u64);
    // The floor narrows the spread; widen the weights so the sizes keep the target CV.
    let mean = total as f64 / villages as f64;
    let cv = (VILLAGE_SIZE_CV * mean / (mean - floor as f64).max(1.0)).min(1.5);
    let sigma = (1.0 + cv * cv).ln().sqrt();
    let dist = LogNormal::new(0.0, sigma).expect("sigma is finite and positive");
    let weights: Vec<f64> = (0..villages).map(|_| dist.sample(rng)).collect();
    let rest = largest_remainder(total - floor * villages as u64, &weights);
    rest.into_iter().map(|r| floor + r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn largest_remainder_is_exact_and_fair() {
        assert_eq!(largest_remainder(10, &[1.0, 1.0, 1.0]), vec![4, 3, 3]);
        assert_eq!(largest_remainder(7, &[0.5, 0.25, 0.25]), vec![3, 2, 2]);
        assert_eq!(largest_remainder(5, &[0.0, 0.0]), vec![3, 2]);
        let parts = largest_remainder(1_000_003, &[0.1, 3.7, 2.2, 9.9, 1e-9]);
        assert_eq!(parts.iter().sum::<u64>(), 1_000_003);
    }

    #[test]
    fn counties_get_at_least_one_household_per_village() {
        let parts = split_across_counties(100, &[90, 5, 5]);
        assert_eq!(parts.iter().sum::<u64>(), 100);
        assert!(parts[1] >= 5 && parts[2] >= 5);
        assert_eq!(split_across_counties(1000, &[100, 300]), vec![250, 750]);
    }

    #[test]
    fn village_sizes_sum_and_vary_like_real_ones() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let sizes = village_sizes(200_000, 400, &mut rng);
        assert_eq!(sizes.iter().sum::<u64>(), 200_000);
        assert!(sizes.iter().all(|&s| s >= MIN_HOUSEHOLDS_PER_VILLAGE));
        let mean = 500.0;
        let var = sizes
            .iter()
            .map(|&s| (s as f64 - mean).powi(2))
            .sum::<f64>()
            / 399.0;
        let cv = var.sqrt() / mean;
        assert!((0.45..0.65).contains(&cv), "cv {cv}");
        // Near the floor (mean 60, floor 20) the spread is kept too.
        let sizes = village_sizes(24_000, 400, &mut rng);
        let var = sizes
            .iter()
            .map(|&s| (s as f64 - 60.0).powi(2))
            .sum::<f64>()
            / 399.0;
        assert!(
            (0.45..0.65).contains(&(var.sqrt() / 60.0)),
            "cv {}",
            var.sqrt() / 60.0
        );
        // A small county: every village still gets a household.
        let small = village_sizes(50, 40, &mut rng);
        assert_eq!(small.iter().sum::<u64>(), 50);
        assert!(small.iter().all(|&s| s >= 1));
    }
}
