//! The Taylor-linearisation variance of a total of a linearised variable `z` (one value per
//! row, zero outside the analysis), as R's `svyrecvar` computes it:
//!
//! ```text
//! V = Σ_h Σ_{i∈h} (1 − f_hi) · n_h/(n_h − 1) · (t_hi − t̄_h)²              stage 1
//!   + Σ_i f_i · (1 − f2_i) · m_i/(m_i − 1) · Σ_{j∈i} (t_ij − t̄_i)²        stage 2
//! ```
//!
//! `t_hi` are PSU totals of `z`, `t̄_h` their stratum mean over the `n_h` PSUs of the design
//! (PSUs without analysed rows count with total 0), `f_hi` the stage-1 sampling fraction
//! (`n_h/N_h`, or `pi_i` under Brewer's approximation; 0 with replacement). The stage-2 term
//! (SSU totals `t_ij`, `m_i` SSUs, fraction `f2_i`) enters only with a stage-2 fpc, scaled by
//! the PSU's stage-1 fraction `f_i` (so a with-replacement first stage adds nothing, and a
//! certainty PSU, `f_i = 1`, adds exactly its within-PSU variance). Formulas and sources:
//! `docs/estimation.md`.

use crate::design::{Design, LonelyPsu, CERTAINTY_TOLERANCE};

/// Variance of `Σ z` under the design.
pub(crate) fn variance(d: &Design, z: &[f64]) -> f64 {
    let psu_totals = unit_totals(z, &d.row_psu, d.n_psus());
    let mut v = stage1(d, &psu_totals);
    if let Some(row_ssu) = &d.row_ssu {
        v += stage2(d, z, row_ssu);
    }
    v
}

fn unit_totals(z: &[f64], row_unit: &[u32], units: usize) -> Vec<f64> {
    let mut totals = vec![0.0; units];
    for (&x, &u) in z.iter().zip(row_unit) {
        totals[u as usize] += x;
    }
    totals
}

/// Between-PSU term. A lonely stratum (one PSU, not taken with certainty) contributes nothing
/// under `Remove`, and its total's squared deviation from the grand mean of all PSU totals
/// under `Centre` (the design builder refuses it under `Fail`).
fn stage1(d: &Design, totals: &[f64]) -> f64 {
    let strata = d.n_strata();
    let mut mean = vec![0.0; strata];
    for (t, &h) in totals.iter().zip(&d.psu_stratum) {
        mean[h as usize] += t;
    }
    for (m, &n) in mean.iter_mut().zip(&d.stratum_psus) {
        *m /= n as f64;
    }
    let grand = totals.iter().sum::<f64>() / totals.len() as f64;
    let mut v = 0.0;
    for ((t, &h), f) in totals.iter().zip(&d.psu_stratum).zip(&d.psu_fraction) {
        let scale = 1.0 - f;
        if scale < CERTAINTY_TOLERANCE {
            continue;
        }
        let n = d.stratum_psus[h as usize] as f64;
        v += if n > 1.0 {
            scale * n / (n - 1.0) * (t - mean[h as usize]).powi(2)
        } else {
            lonely(d.lonely, scale, t - grand)
        };
    }
    v
}

/// Within-PSU term, each PSU's SSU-level variance scaled by its stage-1 fraction. A PSU with a
/// single SSU has nothing to centre against: it adds nothing under `Remove` and `Centre`.
fn stage2(d: &Design, z: &[f64], row_ssu: &[u32]) -> f64 {
    let totals = unit_totals(z, row_ssu, d.ssu_psu.len());
    let psus = d.n_psus();
    let mut mean = vec![0.0; psus];
    for (t, &p) in totals.iter().zip(&d.ssu_psu) {
        mean[p as usize] += t;
    }
    for (m, &k) in mean.iter_mut().zip(&d.psu_ssus) {
        *m /= k as f64;
    }
    let mut within = vec![0.0; psus];
    for (t, &p) in totals.iter().zip(&d.ssu_psu) {
        within[p as usize] += (t - mean[p as usize]).powi(2);
    }
    (0..psus)
        .map(|p| {
            let (f1, scale, m) = (
                d.psu_fraction[p],
                1.0 - d.psu_fraction2[p],
                d.psu_ssus[p] as f64,
            );
            if f1 == 0.0 || scale < CERTAINTY_TOLERANCE || m < 2.0 {
                return 0.0;
            }
            f1 * scale * m / (m - 1.0) * within[p]
        })
        .sum()
}

fn lonely(rule: LonelyPsu, scale: f64, deviation: f64) -> f64 {
    match rule {
        // The builder refuses such a design; nothing to add if one is built anyway.
        LonelyPsu::Fail | LonelyPsu::Remove => 0.0,
        LonelyPsu::Centre => scale * deviation * deviation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two strata of two and three PSUs, with replacement: by hand,
    /// stratum a totals 1, 3 (mean 2): 2/1 · (1 + 1) = 4;
    /// stratum b totals 0, 2, 4 (mean 2): 3/2 · (4 + 0 + 4) = 12.
    #[test]
    fn between_psu_variance_by_hand() {
        let d = Design::builder(6)
            .strata(["a", "a", "a", "b", "b", "b"])
            .psu(["1", "1", "2", "1", "2", "3"])
            .build()
            .unwrap();
        let z = [0.5, 0.5, 3.0, 0.0, 2.0, 4.0];
        assert!((variance(&d, &z) - 16.0).abs() < 1e-12);
    }

    /// One stratum of 2 PSUs out of 4, each with 2 SSUs out of 5:
    /// stage 1: PSU totals 3, 7 (mean 5): (1 − 2/4) · 2/1 · (4 + 4) = 8;
    /// stage 2: PSU p SSU totals 1, 2 → Σdev² = 0.5, PSU q 3, 4 → 0.5; each
    /// f1 · (1 − 2/5) · 2/1 · 0.5 = 0.5 · 0.6 · 1 = 0.3, so 0.6 in all.
    #[test]
    fn two_stage_variance_by_hand() {
        let d = Design::builder(4)
            .psu(["p", "p", "q", "q"])
            .ssu(["1", "2", "1", "2"])
            .fpc(vec![4.0; 4])
            .fpc2(vec![5.0; 4])
            .build()
            .unwrap();
        let z = [1.0, 2.0, 3.0, 4.0];
        assert!((variance(&d, &z) - 8.6).abs() < 1e-12);
        assert_eq!(d.weights(), &[5.0; 4]);
    }

    /// Stratum c: PSU X taken with certainty (fpc 1), 2 of its 4 SSUs; stratum d: 2 of 4
    /// PSUs, each a single SSU taken whole (fpc2 1). Stage 1: c adds nothing, d adds
    /// (1 − 2/4) · 2 · ((2 − 4)² + (6 − 4)²) = 8. Stage 2: X adds
    /// 1 · (1 − 2/4) · 2 · ((1 − 2)² + (3 − 2)²) = 2; Y and Z nothing.
    #[test]
    fn a_certainty_psu_contributes_only_its_within_psu_term() {
        let d = Design::builder(4)
            .strata(["c", "c", "d", "d"])
            .psu(["X", "X", "Y", "Z"])
            .ssu(["1", "2", "1", "1"])
            .fpc(vec![1.0, 1.0, 4.0, 4.0])
            .fpc2(vec![4.0, 4.0, 1.0, 1.0])
            .build()
            .unwrap();
        let z = [1.0, 3.0, 2.0, 6.0];
        assert!((variance(&d, &z) - 10.0).abs() < 1e-12);
    }

    /// Stratum a: PSU totals 1, 3 → 2 · (1 + 1) = 4; stratum b: one PSU, total 10. Remove: 4.
    /// Centre: grand mean of PSU totals 14/3, so 4 + (10 − 14/3)² = 4 + 256/9.
    #[test]
    fn lonely_psus_removed_or_centred_at_the_grand_mean() {
        let build = |rule| {
            Design::builder(3)
                .strata(["a", "a", "b"])
                .lonely_psu(rule)
                .build()
                .unwrap()
        };
        let z = [1.0, 3.0, 10.0];
        assert!((variance(&build(LonelyPsu::Remove), &z) - 4.0).abs() < 1e-12);
        let centred = variance(&build(LonelyPsu::Centre), &z);
        assert!((centred - (4.0 + 256.0 / 9.0)).abs() < 1e-12);
    }
}
