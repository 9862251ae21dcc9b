//! Exact sample quantiles, Hyndman and Fan's definition 7 (R's default `quantile(type = 7)`,
//! NumPy's default `linear`, Excel's `PERCENTILE.INC`).
//!
//! For sorted values x₁ ≤ … ≤ xₙ and 0 ≤ p ≤ 1: h = (n − 1)·p, j = ⌊h⌋, and
//! Q(p) = x₍ⱼ₊₁₎ + (h − j)·(x₍ⱼ₊₂₎ − x₍ⱼ₊₁₎) (1-based; x₍ₙ₊₁₎ read as xₙ). Source: R. J. Hyndman
//! and Y. Fan, "Sample quantiles in statistical packages", The American Statistician 50(4),
//! 1996, 361-365, definition 7.

/// The probabilities every income table shows: p10, p25, the median, p75, p90.
pub const PROBABILITIES: [f64; 5] = [0.10, 0.25, 0.50, 0.75, 0.90];

/// The type-7 quantile of `sorted` (ascending, finite) at `p` in [0, 1]; `None` for no
/// values.
pub fn type7(sorted: &[f64], p: f64) -> Option<f64> {
    type7_by(sorted.len(), p, |i| sorted[i])
}

/// The type-7 quantile at `p` of the values of sorted `runs` put together, as [`type7`] of
/// their merged values gives it, without merging them: a province's or the nation's quantiles
/// over its counties' sorted incomes (30 million values nationally) cost a few selections
/// instead of a copy and a sort.
pub fn type7_of_runs(runs: &[&[f64]], p: f64) -> Option<f64> {
    match runs {
        [one] => type7(one, p),
        _ => type7_by(runs.iter().map(|r| r.len()).sum(), p, |i| {
            kth_of_runs(runs, i)
        }),
    }
}

/// Definition 7 on `n` values, the `i`-th smallest (0-based) given by `at`.
fn type7_by(n: usize, p: f64, at: impl Fn(usize) -> f64) -> Option<f64> {
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let j = h.floor() as usize;
    let lo = at(j);
    let hi = if j + 1 < n { at(j + 1) } else { lo };
    // Written so that equal neighbours give exactly their value.
    Some(if hi == lo {
        lo
    } else {
        lo + (h - j as f64) * (hi - lo)
    })
}

/// The `k`-th smallest (0-based, `k` < the number of values) of the values of sorted `runs`
/// put together, in `f64::total_cmp` order: the least value with more than `k` values at or
/// below it, found by bisecting the 64-bit keys of that order (64 steps, each a binary search
/// of every run), so it is exact and always one of the values.
fn kth_of_runs(runs: &[&[f64]], k: usize) -> f64 {
    let at_or_below = |key: u64| -> usize {
        runs.iter()
            .map(|r| r.partition_point(|&x| order_key(x) <= key))
            .sum()
    };
    let (mut lo, mut hi) = (0u64, u64::MAX);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if at_or_below(mid) > k {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    from_order_key(lo)
}

/// A key whose unsigned order is `f64::total_cmp`'s (the sign bit flipped for positives, every
/// bit for negatives).
fn order_key(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

fn from_order_key(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 {
        key & !(1 << 63)
    } else {
        !key
    })
}

/// Sorts values ascending (total order; the values are finite).
pub fn sort(values: &mut [f64]) {
    values.sort_unstable_by(f64::total_cmp);
}

/// The sum of `runs`' values with Neumaier's compensation (A. Neumaier, "Rundungsfehleranalyse
/// einiger Verfahren zur Summation endlicher Summen", ZAMM 54, 1974, 39-51): accurate to about
/// one rounding whatever the order, so a province's or the nation's mean is the same whether
/// its values are added sorted or county by county. Written here, not taken from a crate: it
/// is four lines of arithmetic.
pub fn sum_of_runs(runs: &[&[f64]]) -> f64 {
    let (mut sum, mut compensation) = (0.0f64, 0.0f64);
    for &x in runs.iter().flat_map(|r| r.iter()) {
        let t = sum + x;
        compensation += if sum.abs() >= x.abs() {
            (sum - t) + x
        } else {
            (x - t) + sum
        };
        sum = t;
    }
    sum + compensation
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_interpolates_between_the_closest_ranks() {
        // n = 4: h = 3p. p = 0.5: h = 1.5, between 2 and 3.
        let x = [1.0, 2.0, 3.0, 10.0];
        assert_eq!(type7(&x, 0.5), Some(2.5));
        assert_eq!(type7(&x, 0.0), Some(1.0));
        assert_eq!(type7(&x, 1.0), Some(10.0));
        // p = 0.9: h = 2.7, 3 + 0.7 * 7 = 7.9.
        assert!((type7(&x, 0.9).unwrap() - 7.9).abs() < 1e-12);
        assert_eq!(type7(&[], 0.5), None);
        assert_eq!(type7(&[4.0], 0.25), Some(4.0));
    }

    /// The quantiles of runs equal those of the runs merged and sorted, on values with ties,
    /// negatives, zeros of both signs and runs of every length (empty too).
    #[test]
    fn type7_of_runs_equals_type7_of_the_merged_values() {
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed >> 33
        };
        for case in 0..200 {
            let mut runs: Vec<Vec<f64>> = (0..1 + case % 9)
                .map(|_| {
                    let len = (next() % 40) as usize;
                    let mut run: Vec<f64> = (0..len)
                        .map(|_| match next() % 6 {
                            0 => 0.0,
                            1 => -0.0,
                            2 => -((next() % 1000) as f64) / 7.0,
                            _ => ((next() % 50) * 100) as f64,
                        })
                        .collect();
                    sort(&mut run);
                    run
                })
                .collect();
            if case % 5 == 0 {
                runs.push(Vec::new());
            }
            let refs: Vec<&[f64]> = runs.iter().map(Vec::as_slice).collect();
            let mut merged: Vec<f64> = runs.concat();
            sort(&mut merged);
            for p in [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0, 0.333] {
                let (a, b) = (type7_of_runs(&refs, p), type7(&merged, p));
                assert_eq!(
                    a.map(f64::to_bits),
                    b.map(f64::to_bits),
                    "case {case} p {p}"
                );
            }
        }
    }

    #[test]
    fn the_compensated_sum_keeps_what_a_plain_sum_loses() {
        // 1 + 1e-16 ten times: a plain sum stays at 1.0.
        let small = [1e-16; 10];
        let runs: [&[f64]; 2] = [&[1.0], &small];
        assert_eq!(sum_of_runs(&runs), 1.000000000000001);
        assert_eq!(runs.concat().iter().sum::<f64>(), 1.0);
        assert_eq!(sum_of_runs(&[]), 0.0);
        assert_eq!(sum_of_runs(&[&[2.5, -1.0], &[0.25]]), 1.75);
    }
}
