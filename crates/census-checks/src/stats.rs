//! The statistics of the outlier tests, each with its textbook source (docs/census.md,
//! "Quality checks"): Pearson's chi-square test of homogeneity with Cochran's pooling, Holm's
//! step-down adjustment, and Iglewicz and Hoaglin's modified z-score.

use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Pearson's chi-square statistic of a 2 x k table: the sum over cells of
/// (observed - expected)² / expected, expected = row total × column total / grand total
/// (Agresti 2013, section 3.2.1). Columns with a zero total are skipped (they add nothing and
/// their expected count is 0). Degrees of freedom: columns with a count, minus 1.
pub fn pearson_two_rows(a: &[u64], b: &[u64]) -> (f64, u32) {
    let (na, nb): (u64, u64) = (a.iter().sum(), b.iter().sum());
    let n = (na + nb) as f64;
    let mut statistic = 0.0;
    let mut columns = 0u32;
    for (&x, &y) in a.iter().zip(b) {
        let c = (x + y) as f64;
        if c == 0.0 {
            continue;
        }
        columns += 1;
        let (ea, eb) = (na as f64 * c / n, nb as f64 * c / n);
        if ea > 0.0 {
            statistic += (x as f64 - ea).powi(2) / ea;
        }
        if eb > 0.0 {
            statistic += (y as f64 - eb).powi(2) / eb;
        }
    }
    (statistic, columns.saturating_sub(1))
}

/// Pools the columns of a 2 x k table so that every expected count is at least
/// `min_expected` (Cochran 1954): the two columns with the smallest totals are merged until
/// the smallest expected count (smaller row's total × column total / grand total) reaches the
/// minimum or one column is left. Returns the pooled rows.
pub fn pool(a: &[u64], b: &[u64], min_expected: f64) -> (Vec<u64>, Vec<u64>) {
    let (na, nb): (u64, u64) = (a.iter().sum(), b.iter().sum());
    let n = (na + nb) as f64;
    let smaller = na.min(nb) as f64;
    let mut cols: Vec<(u64, u64)> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| **x + **y > 0)
        .map(|(x, y)| (*x, *y))
        .collect();
    loop {
        cols.sort_by_key(|(x, y)| std::cmp::Reverse(x + y));
        if cols.len() < 2 {
            break;
        }
        let (x, y) = cols[cols.len() - 1];
        if n > 0.0 && smaller * (x + y) as f64 / n >= min_expected {
            break;
        }
        cols.pop();
        let last = cols.len() - 1;
        cols[last].0 += x;
        cols[last].1 += y;
    }
    cols.into_iter().unzip()
}

/// The upper tail of the chi-square distribution: P(X ≥ statistic) for `df` degrees of
/// freedom (statrs).
pub fn chi_square_p(statistic: f64, df: u32) -> f64 {
    match ChiSquared::new(f64::from(df)) {
        Ok(d) => d.sf(statistic),
        Err(_) => 1.0,
    }
}

/// Holm's step-down adjusted p-values (Holm 1979): with the m p-values sorted ascending, the
/// i-th (from 0) becomes max over j ≤ i of min(1, (m - j) p_(j)). Rejecting every hypothesis
/// whose adjusted p-value is at most alpha keeps the chance of any false rejection at most
/// alpha, whatever the dependence between the tests. Returned in the input's order.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&i, &j| p[i].total_cmp(&p[j]));
    let mut out = vec![0.0; m];
    let mut running: f64 = 0.0;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        out[i] = running;
    }
    out
}

/// The median (the mean of the two middle values for an even count); `None` when empty.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    })
}

/// Iglewicz and Hoaglin's modified z-scores: M = 0.6745 (x - median) / MAD, MAD the median
/// absolute deviation from the median (Iglewicz and Hoaglin 1993, section 3.1.3; 0.6745 makes
/// MAD / 0.6745 estimate the standard deviation of a normal sample). When more than half the
/// values are equal the MAD is 0; then the mean absolute deviation from the median stands in
/// for it, scaled by √(π/2) ≈ 1.2533 (for a normal sample E|X - μ| = σ √(2/π)):
/// M = (x - median) / (1.2533 MeanAD). The scale (the denominator) is at least `min_scale`,
/// the least spread worth measuring in (a floor against values that cluster on a few
/// numbers, where the MAD of a handful of units can be tiny by chance). `None` when the
/// scale is 0 (every value the same and no floor) or no value is given.
pub fn modified_z(values: &[f64], min_scale: f64) -> Option<Vec<f64>> {
    let med = median(values)?;
    let deviations: Vec<f64> = values.iter().map(|x| (x - med).abs()).collect();
    let mad = median(&deviations)?;
    let scale = if mad > 0.0 {
        mad / 0.6745
    } else {
        let mean_ad = deviations.iter().sum::<f64>() / deviations.len() as f64;
        mean_ad * (std::f64::consts::PI / 2.0).sqrt()
    };
    let scale = scale.max(min_scale);
    (scale > 0.0).then(|| values.iter().map(|x| (x - med) / scale).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn chi_square_p_values_match_the_printed_table() {
        // Critical values of the chi-square distribution at the 0.05, 0.01 and 0.001 levels,
        // as printed in the standard tables (Pearson and Hartley, Biometrika Tables for
        // Statisticians, vol. 1, table 8; NIST/SEMATECH e-Handbook of Statistical Methods,
        // section 1.3.6.7.4): df 1: 3.841, 6.635, 10.828; df 2: 5.991, 9.210,
        // 13.816; df 5: 11.070, 15.086, 20.515; df 10: 18.307, 23.209, 29.588.
        for (df, x, p) in [
            (1, 3.841, 0.05),
            (1, 6.635, 0.01),
            (1, 10.828, 0.001),
            (2, 5.991, 0.05),
            (2, 9.210, 0.01),
            (2, 13.816, 0.001),
            (5, 11.070, 0.05),
            (5, 15.086, 0.01),
            (5, 20.515, 0.001),
            (10, 18.307, 0.05),
            (10, 23.209, 0.01),
            (10, 29.588, 0.001),
        ] {
            let got = chi_square_p(x, df);
            assert!(close(got, p, p * 0.002), "df {df}, {x}: {got} vs {p}");
        }
        // df 2 has a closed form: P(X ≥ x) = exp(-x / 2).
        assert!(close(chi_square_p(4.0, 2), (-2.0f64).exp(), 1e-12));
    }

    #[test]
    fn pearson_statistic_of_a_hand_computed_table() {
        // Rows (10, 20, 30) and (20, 20, 20): totals 60 and 60, columns 30, 40, 50, n 120.
        // Expected in both rows: 15, 20, 25. Statistic: 2 (25/15) + 0 + 0 + 2 (25/25)... by
        // cell: (10-15)²/15 + (20-20)²/20 + (30-25)²/25 + (20-15)²/15 + 0 + (20-25)²/25
        // = 5/3 + 1 + 5/3 + 1 = 16/3 = 5.3333, on 2 degrees of freedom: p = exp(-8/3) = 0.0695.
        let (s, df) = pearson_two_rows(&[10, 20, 30], &[20, 20, 20]);
        assert!(close(s, 16.0 / 3.0, 1e-12), "{s}");
        assert_eq!(df, 2);
        assert!(close(chi_square_p(s, df), (-8.0f64 / 3.0).exp(), 1e-12));
        // A column empty in both rows adds nothing and no degree of freedom.
        assert_eq!(pearson_two_rows(&[10, 0, 20, 30], &[20, 0, 20, 20]), (s, 2));
        // Identical proportions: statistic 0.
        assert_eq!(pearson_two_rows(&[1, 2, 3], &[10, 20, 30]).0, 0.0);
    }

    #[test]
    fn sparse_columns_are_pooled_until_every_expected_count_is_five() {
        // Unit row 100, rest 900, column totals 900, 50, 30, 20: the column of 20 expects 2
        // in the unit's row (100 × 20 / 1000) and is pooled with the column of 30 (3), giving
        // 50, which expects 5, as the other column of 50 does: kept.
        let unit = [88, 5, 4, 3];
        let rest = [812, 45, 26, 17];
        let (a, b) = pool(&unit, &rest, 5.0);
        assert_eq!(a, vec![88, 5, 7]);
        assert_eq!(b, vec![812, 45, 43]);
        // Nothing to pool when every column is large enough.
        assert_eq!(
            pool(&[10, 20], &[10, 20], 5.0),
            (vec![20, 10], vec![20, 10])
        );
        // Too little data: one column left.
        assert_eq!(pool(&[1, 1], &[1, 1], 5.0).0.len(), 1);
    }

    #[test]
    fn holm_adjustment_by_hand() {
        // p = 0.01, 0.04, 0.03, 0.005 (m = 4). Sorted: 0.005, 0.01, 0.03, 0.04; times 4, 3,
        // 2, 1: 0.02, 0.03, 0.06, 0.04; running maximum: 0.02, 0.03, 0.06, 0.06.
        let adj = holm(&[0.01, 0.04, 0.03, 0.005]);
        for (got, want) in adj.iter().zip([0.03, 0.06, 0.06, 0.02]) {
            assert!(close(*got, want, 1e-12), "{adj:?}");
        }
        assert_eq!(holm(&[0.6, 0.9]), vec![1.0, 1.0]);
        assert!(holm(&[]).is_empty());
    }

    #[test]
    fn modified_z_scores_by_hand() {
        // 2, 3, 3, 4, 4, 5, 20: median 4; absolute deviations 2, 1, 1, 0, 0, 1, 16, whose
        // median is 1; M(20) = 0.6745 × 16 / 1 = 10.792 (an outlier), M(2) = -1.349.
        let z = modified_z(&[2.0, 3.0, 3.0, 4.0, 4.0, 5.0, 20.0], 0.0).unwrap();
        assert!(close(z[6], 10.792, 1e-9), "{z:?}");
        assert!(close(z[0], -1.349, 1e-9), "{z:?}");
        // MAD 0 (0, 0, 0, 0, 0.5): median 0, MeanAD 0.1, M(0.5) = 0.5 / (1.2533 × 0.1) = 3.989.
        let z = modified_z(&[0.0, 0.0, 0.0, 0.0, 0.5], 0.0).unwrap();
        assert!(close(
            z[4],
            0.5 / (0.1 * (std::f64::consts::PI / 2.0).sqrt()),
            1e-12
        ));
        assert!(close(z[4], 3.989, 1e-3), "{z:?}");
        // A floor above the spread: M(0.5) = 0.5 / 0.2 = 2.5; M(20) = 16 / 2 = 8.
        assert_eq!(modified_z(&[0.0, 0.0, 0.0, 0.0, 0.5], 0.2).unwrap()[4], 2.5);
        let z = modified_z(&[2.0, 3.0, 3.0, 4.0, 4.0, 5.0, 20.0], 2.0).unwrap();
        assert_eq!(z[6], 8.0);
        // All equal: no scores without a floor, zeros with one.
        assert_eq!(modified_z(&[1.0, 1.0, 1.0], 0.0), None);
        assert_eq!(modified_z(&[1.0, 1.0, 1.0], 0.5), Some(vec![0.0; 3]));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }
}
