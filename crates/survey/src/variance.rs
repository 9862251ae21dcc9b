//! The Taylor-linearisation variance of a total of a linearised variable `z` (one value per
//! row, zero outside the analysis), as R's `svyrecvar` computes it:
//!
//! ```text
//! V = Σ_h Σ_{i∈h} (1 − f_hi) · n_h/(n_h − 1) · (t_hi − t̄_h)²              stage 1
//!   + Σ_i f_i · Σ_{c∈i} (1 − f2_c) · m_c/(m_c − 1) · Σ_{j∈c} (t_j − t̄_c)²  stage 2
//! ```
//!
//! At stage 2, `c` runs over the stage-2 cells of PSU `i`: the PSU itself, or, when stage 2
//! is stratified inside PSUs (`DesignBuilder::stage2_strata`), each stage-2 stratum of it,
//! a separate simple random sample without replacement of `m_c` of its `M_c` SSUs
//! (`f2_c = m_c/M_c`), as stage 1 is stratified (Cochran 1977, ch. 5, applied within the PSU).
//!
//! `t_hi` are PSU totals of `z`, `t̄_h` their stratum mean over the `n_h` PSUs of the design
//! (PSUs without analysed rows count with total 0), `f_hi` the stage-1 sampling fraction
//! (`n_h/N_h`, or `pi_i` under Brewer's approximation; 0 with replacement). The stage-2 term
//! (SSU totals `t_j`, their cell mean `t̄_c`) enters only with a stage-2 fpc, scaled by
//! the PSU's stage-1 fraction `f_i` (so a with-replacement first stage adds nothing, and a
//! certainty PSU, `f_i = 1`, adds exactly its within-PSU variance). Formulas and sources:
//! `docs/estimation.md`.
//!
//! Only the units that hold analysis rows are given (sparse totals, sorted by unit); the sums
//! run over the PSUs of the strata they touch (and, under `Centre`, the lonely PSUs), in index
//! order, so that a domain costs its own units, not the whole design, and the result is the
//! same, to the last bit, as the dense sum over every unit.

use crate::design::{Design, LonelyPsu, CERTAINTY_TOLERANCE};

/// Reusable dense scratch space for [`domain_variance`] (all zero between calls).
pub(crate) struct Scratch {
    psu: Vec<f64>,
    ssu: Vec<f64>,
    stratum_mean: Vec<f64>,
    stratum_seen: Vec<bool>,
    visit: Vec<u32>,
    strata: Vec<u32>,
}

impl Scratch {
    pub(crate) fn new(d: &Design) -> Scratch {
        Scratch {
            psu: vec![0.0; d.n_psus()],
            ssu: vec![0.0; d.ssu_cell.len()],
            stratum_mean: vec![0.0; d.n_strata()],
            stratum_seen: vec![false; d.n_strata()],
            visit: Vec::new(),
            strata: Vec::new(),
        }
    }
}

/// Variance of `Σ z` from the PSU totals of `z` (`(psu, total)`, sorted by PSU, only PSUs that
/// hold analysis rows) and, with a stage-2 term, its SSU totals (the same way). Also returns
/// the number of strata those PSUs lie in.
pub(crate) fn domain_variance(
    d: &Design,
    psu_totals: &[(u32, f64)],
    ssu_totals: &[(u32, f64)],
    s: &mut Scratch,
) -> (f64, usize) {
    let (mut v, strata) = stage1(d, psu_totals, s);
    if d.row_ssu.is_some() {
        v += stage2(d, psu_totals, ssu_totals, s);
    }
    (v, strata)
}

/// Variance of `Σ z` under the design, `z` given for every row (dense).
#[cfg(test)]
pub(crate) fn variance(d: &Design, z: &[f64]) -> f64 {
    let dense = |row_unit: &[u32], units: usize| {
        let mut totals = vec![0.0; units];
        for (&x, &u) in z.iter().zip(row_unit) {
            totals[u as usize] += x;
        }
        totals
            .into_iter()
            .enumerate()
            .map(|(u, t)| (u as u32, t))
            .collect::<Vec<_>>()
    };
    let psu = dense(&d.row_psu, d.n_psus());
    let ssu = d
        .row_ssu
        .as_ref()
        .map_or(Vec::new(), |r| dense(r, d.ssu_cell.len()));
    domain_variance(d, &psu, &ssu, &mut Scratch::new(d)).0
}

/// Between-PSU term. A lonely stratum (one PSU, not taken with certainty) contributes nothing
/// under `Remove`, and its total's squared deviation from the grand mean of all PSU totals
/// under `Centre` (the design builder refuses it under `Fail`). PSUs of untouched strata have
/// total 0 and stratum mean 0, so they add exactly 0 unless lonely and centred.
fn stage1(d: &Design, totals: &[(u32, f64)], s: &mut Scratch) -> (f64, usize) {
    s.visit.clear();
    s.strata.clear();
    for &(p, t) in totals {
        s.psu[p as usize] = t;
        let h = d.psu_stratum[p as usize];
        if !s.stratum_seen[h as usize] {
            s.stratum_seen[h as usize] = true;
            s.strata.push(h);
            s.visit.extend_from_slice(d.psus_of(h as usize));
        }
    }
    let centre = d.lonely == LonelyPsu::Centre;
    if centre {
        let untouched = |&&p: &&u32| !s.stratum_seen[d.psu_stratum[p as usize] as usize];
        let lonely: Vec<u32> = d.lonely_psus.iter().filter(untouched).copied().collect();
        s.visit.extend(lonely);
    }
    s.visit.sort_unstable();
    for &p in &s.visit {
        s.stratum_mean[d.psu_stratum[p as usize] as usize] += s.psu[p as usize];
    }
    for &h in &s.strata {
        s.stratum_mean[h as usize] /= d.stratum_psus[h as usize] as f64;
    }
    let grand = totals.iter().map(|&(_, t)| t).sum::<f64>() / d.n_psus() as f64;
    let mut v = 0.0;
    for &p in &s.visit {
        let (t, h, f) = (
            s.psu[p as usize],
            d.psu_stratum[p as usize] as usize,
            d.psu_fraction[p as usize],
        );
        let scale = 1.0 - f;
        if scale < CERTAINTY_TOLERANCE {
            continue;
        }
        let n = d.stratum_psus[h] as f64;
        v += if n > 1.0 {
            scale * n / (n - 1.0) * (t - s.stratum_mean[h]).powi(2)
        } else {
            lonely(d.lonely, scale, t - grand)
        };
    }
    for &(p, _) in totals {
        s.psu[p as usize] = 0.0;
    }
    for &h in &s.strata {
        s.stratum_mean[h as usize] = 0.0;
        s.stratum_seen[h as usize] = false;
    }
    (v, s.strata.len())
}

/// Within-PSU term, each PSU's SSU-level variance scaled by its stage-1 fraction. A PSU with a
/// single SSU has nothing to centre against: it adds nothing under `Remove` and `Centre`. A
/// PSU without analysis rows has SSU totals 0 and adds nothing.
fn stage2(
    d: &Design,
    psu_totals: &[(u32, f64)],
    ssu_totals: &[(u32, f64)],
    s: &mut Scratch,
) -> f64 {
    for &(u, t) in ssu_totals {
        s.ssu[u as usize] = t;
    }
    let mut v = 0.0;
    for &(p, _) in psu_totals {
        let f1 = d.psu_fraction[p as usize];
        if f1 == 0.0 {
            continue;
        }
        for &c in d.cells_of(p as usize) {
            let c = c as usize;
            let (scale, m) = (1.0 - d.cell_fraction2[c], d.cell_ssus[c] as f64);
            if scale < CERTAINTY_TOLERANCE || m < 2.0 {
                continue;
            }
            let ssus = d.ssus_of(c);
            let mean = ssus
                .iter()
                .map(|&u| s.ssu[u as usize])
                .fold(0.0, |a, t| a + t)
                / m;
            let within = ssus
                .iter()
                .map(|&u| (s.ssu[u as usize] - mean).powi(2))
                .fold(0.0, |a, x| a + x);
            v += f1 * scale * m / (m - 1.0) * within;
        }
    }
    for &(u, _) in ssu_totals {
        s.ssu[u as usize] = 0.0;
    }
    v
}

fn lonely(rule: LonelyPsu, scale: f64, deviation: f64) -> f64 {
    match rule {
        // The builder refuses such a design; nothing to add if one is built anyway.
        // Collapsed strata leave no stratum alone but a design of one stratum, refused.
        LonelyPsu::Fail | LonelyPsu::Remove | LonelyPsu::Collapse => 0.0,
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
        // One stage-2 stratum per PSU is the unstratified design, to the last bit.
        let one = Design::builder(4)
            .psu(["p", "p", "q", "q"])
            .ssu(["1", "2", "1", "2"])
            .stage2_strata(["s"; 4])
            .fpc(vec![4.0; 4])
            .fpc2(vec![5.0; 4])
            .build()
            .unwrap();
        assert_eq!(variance(&one, &z).to_bits(), variance(&d, &z).to_bits());
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

    /// Stage 2 stratified inside the PSUs (households by status inside villages). One stratum
    /// of 2 PSUs out of 5 (f1 = 0.4). PSU p: stage-2 stratum e, 2 of 4 SSUs, z = 1, 3;
    /// stratum n, 3 of 6, z = 2, 2, 5. PSU q: e, 2 of 2 (taken whole), z = 4, 6; n, 2 of 8,
    /// z = 0, 2.
    /// Stage 1: PSU totals 13, 12 (mean 12.5): (1 − 0.4) · 2 · (0.25 + 0.25) = 0.6.
    /// Stage 2, each cell (1 − f2) · m/(m − 1) · Σ(z − z̄)², times f1 = 0.4:
    /// p/e (1 − 1/2) · 2 · 2 = 2; p/n (1 − 1/2) · 3/2 · (1 + 1 + 4) = 4.5; q/e 0;
    /// q/n (1 − 1/4) · 2 · 2 = 3; so 0.4 · 9.5 = 3.8. In all 4.4.
    /// Unstratified, PSU p would be one sample of 5 z values (mean 2.6), a different number.
    #[test]
    fn stratified_stage2_sums_the_within_stratum_terms() {
        let psu = ["p", "p", "p", "p", "p", "q", "q", "q", "q"];
        let st2 = ["e", "e", "n", "n", "n", "e", "e", "n", "n"];
        let fpc2 = vec![4.0, 4.0, 6.0, 6.0, 6.0, 2.0, 2.0, 8.0, 8.0];
        let d = Design::builder(9)
            .psu(psu)
            .stage2_strata(st2)
            .fpc(vec![5.0; 9])
            .fpc2(fpc2.clone())
            .build()
            .unwrap();
        let z = [1.0, 3.0, 2.0, 2.0, 5.0, 4.0, 6.0, 0.0, 2.0];
        assert!((variance(&d, &z) - 4.4).abs() < 1e-12);
        assert!(d.stage2_stratified());
        // Implied weights: 1/f1 · M_c/m_c.
        assert!((d.weights()[0] - 2.5 * 2.0).abs() < 1e-12);
        assert!((d.weights()[7] - 2.5 * 4.0).abs() < 1e-12);
        // The fpc2 must be constant in a cell, not in a PSU.
        let mut bad = fpc2;
        bad[1] = 5.0;
        let e = Design::builder(9)
            .psu(psu)
            .stage2_strata(st2)
            .fpc(vec![5.0; 9])
            .fpc2(bad)
            .build()
            .unwrap_err();
        assert!(matches!(
            e,
            crate::DesignError::FpcVaries {
                row: 1,
                first_row: 0,
                stage: 2,
                ..
            }
        ));
    }

    /// A certainty PSU (fpc 1) in its own stratum with stratified stage 2 adds only its
    /// within-PSU term: cells e (2 of 3, z = 1, 5) and n (2 of 4, z = 3, 3):
    /// (1 − 2/3) · 2 · 8 + 0 = 16/3. The other stratum (2 of 4 PSUs, one SSU each taken whole)
    /// adds (1 − 1/2) · 2 · ((2 − 4)² + (6 − 4)²) = 8.
    #[test]
    fn a_certainty_psu_with_stratified_stage2_adds_its_within_term_only() {
        let d = Design::builder(6)
            .strata(["c", "c", "c", "c", "d", "d"])
            .psu(["X", "X", "X", "X", "Y", "Z"])
            .stage2_strata(["e", "e", "n", "n", "e", "e"])
            .fpc(vec![1.0, 1.0, 1.0, 1.0, 4.0, 4.0])
            .fpc2(vec![3.0, 3.0, 4.0, 4.0, 1.0, 1.0])
            .build()
            .unwrap();
        let certain_only = [1.0, 5.0, 3.0, 3.0, 0.0, 0.0];
        assert!((variance(&d, &certain_only) - 16.0 / 3.0).abs() < 1e-12);
        let z = [1.0, 5.0, 3.0, 3.0, 2.0, 6.0];
        assert!((variance(&d, &z) - (16.0 / 3.0 + 8.0)).abs() < 1e-12);
    }

    /// A stage-2 stratum with a single SSU, not taken whole, is lonely: refused under `Fail`
    /// (named by its PSU and stage-2 stratum), adding nothing under `Remove`.
    #[test]
    fn a_lonely_stage2_stratum_is_refused_or_removed() {
        let build = |rule| {
            Design::builder(5)
                .psu(["p", "p", "p", "q", "q"])
                .stage2_strata(["e", "e", "n", "e", "e"])
                .fpc(vec![4.0; 5])
                .fpc2(vec![3.0, 3.0, 5.0, 3.0, 3.0])
                .lonely_psu(rule)
                .build()
        };
        let e = build(LonelyPsu::Fail).unwrap_err();
        assert!(e.to_string().contains("p (stage-2 stratum n)"), "{e}");
        let d = build(LonelyPsu::Remove).unwrap();
        // Stage 1: totals 6, 3 (mean 4.5): (1 − 1/2) · 2 · 4.5 = 4.5. Stage 2 (f1 = 1/2):
        // p/e (1/3) · 2 · 2 = 4/3; p/n nothing; q/e (1/3) · 2 · 0.5 = 1/3: 0.5 · 5/3 = 5/6.
        let z = [1.0, 3.0, 2.0, 1.0, 2.0];
        assert!((variance(&d, &z) - (4.5 + 5.0 / 6.0)).abs() < 1e-12);
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

    /// Collapse: the lonely stratum b joins the next label, c. Stratum a: totals 1, 3 → 4;
    /// b+c: totals 10, 2, 6 (mean 6) → (3/2) · (16 + 16 + 0) = 48. The last stratum, alone,
    /// joins the one before it instead.
    #[test]
    fn lonely_strata_collapse_with_their_neighbour() {
        let build =
            |strata: [&str; 5], rule| Design::builder(5).strata(strata).lonely_psu(rule).build();
        let z = [1.0, 3.0, 10.0, 2.0, 6.0];
        let d = build(["a", "a", "b", "c", "c"], LonelyPsu::Collapse).unwrap();
        assert!((variance(&d, &z) - 52.0).abs() < 1e-12);
        assert_eq!((d.n_strata(), d.df()), (2, 3));
        // The same as naming the merged stratum by hand.
        let by_hand = build(["a", "a", "b+c", "b+c", "b+c"], LonelyPsu::Fail).unwrap();
        assert!((variance(&d, &z) - variance(&by_hand, &z)).abs() < 1e-12);
        // c alone, last in label order: it joins b.
        let d = build(["a", "a", "b", "b", "c"], LonelyPsu::Collapse).unwrap();
        let by_hand = build(["a", "a", "b+c", "b+c", "b+c"], LonelyPsu::Fail).unwrap();
        assert!((variance(&d, &z) - variance(&by_hand, &z)).abs() < 1e-12);
        // Nothing to collapse into, and finite-population corrections: refused.
        let alone = Design::builder(1)
            .strata(["a"])
            .lonely_psu(LonelyPsu::Collapse)
            .build();
        assert!(
            matches!(alone, Err(crate::DesignError::LonelyPsu { .. })),
            "{alone:?}"
        );
        let with_fpc = Design::builder(3)
            .strata(["a", "a", "b"])
            .fpc(vec![10.0; 3])
            .lonely_psu(LonelyPsu::Collapse)
            .build();
        assert!(
            matches!(with_fpc, Err(crate::DesignError::CollapseWithFpc)),
            "{with_fpc:?}"
        );
    }
}
