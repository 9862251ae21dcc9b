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
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let j = h.floor() as usize;
    let lo = sorted[j];
    let hi = sorted[(j + 1).min(n - 1)];
    // Written so that equal neighbours give exactly their value.
    Some(if hi == lo {
        lo
    } else {
        lo + (h - j as f64) * (hi - lo)
    })
}

/// Sorts values ascending (total order; the values are finite).
pub fn sort(values: &mut [f64]) {
    // Stable on purpose: a province's or the nation's values are its counties' sorted runs
    // put end to end, which the standard library's stable sort finds and merges (about
    // log2(831) passes instead of a whole sort of 30 million). `total_cmp` ties only equal
    // bits, so stable or not, the order is the same.
    values.sort_by(f64::total_cmp);
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
}
