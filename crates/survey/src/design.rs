//! The sampling design: weights, strata, primary units (PSUs), secondary units (SSUs), finite
//! population corrections and the lonely-PSU rule. Built and checked once by
//! [`DesignBuilder::build`], then shared by every estimate.
//!
//! Conventions (those of R's `survey` package, `docs/estimation.md`):
//! - PSUs are nested in strata (R's `nest = TRUE`): the same PSU label in two strata is two
//!   PSUs. SSUs are nested in PSUs the same way.
//! - An fpc value > 1 is a population count of units at that stage (PSUs in the stratum, SSUs
//!   in the PSU); a value <= 1 is a sampling fraction. Without an fpc a stage is with
//!   replacement.
//! - Without weights, the weights are implied by the fpcs (1 / product of the stage sampling
//!   fractions), or 1 when there is no fpc either.

use crate::error::DesignError;
use serde::Serialize;
use std::collections::HashMap;

/// A sampling fraction this close to 1 marks a certainty (self-representing) unit, as in R's
/// `survey` (`f < 1e-7` there, with `f = 1 - fraction`).
pub(crate) const CERTAINTY_TOLERANCE: f64 = 1e-7;

/// What to do with a stratum holding a single PSU (or a PSU holding a single SSU when the
/// stage-2 term enters), whose variance cannot be estimated from within.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum LonelyPsu {
    /// Refuse the design (R's default `options(survey.lonely.psu = "fail")`).
    #[default]
    Fail,
    /// The lonely unit contributes no variance (R's `"remove"`).
    Remove,
    /// The lonely unit's total is centred at the grand mean of all PSU totals instead of its
    /// stratum mean (R's `"adjust"`).
    #[cfg_attr(feature = "clap", value(alias = "adjust"))]
    Centre,
    /// The lonely unit's stratum is merged with the next stratum in the order of the labels
    /// (the previous one, for the last): the collapsed-strata estimator (Wolter 2007, §2.5),
    /// which overstates the variance somewhat. With-replacement designs only: merged strata
    /// with their own finite-population corrections would be neither design.
    Collapse,
}

/// How unequal first-stage probabilities without replacement enter the variance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Pps {
    /// Brewer's approximation as R's `pps = "brewer"` computes it (Brewer 2002, ch. 9): the
    /// with-replacement formula with each PSU's deviation weighted by `1 - pi_i`, where
    /// `pi_i` is the PSU's inclusion probability from the stage-1 fpc.
    Brewer,
}

/// Collects the columns of a design; [`build`](Self::build) checks them.
///
/// Every column has one value per row of the data; all are optional. Labels are compared as
/// text.
#[derive(Clone, Debug, Default)]
pub struct DesignBuilder {
    rows: usize,
    weights: Option<Vec<f64>>,
    strata: Option<Labels>,
    psu: Option<Labels>,
    ssu: Option<Labels>,
    stage2_strata: Option<Labels>,
    fpc: Option<Vec<f64>>,
    fpc2: Option<Vec<f64>>,
    pps: Option<Pps>,
    lonely: LonelyPsu,
}

/// A label column as codes: `names[codes[row]]` is the label of a row.
#[derive(Clone, Debug, Default)]
struct Labels {
    codes: Vec<u32>,
    names: Vec<String>,
}

impl Labels {
    /// Codes labels in order of first appearance.
    fn from_text<S: Into<String>>(labels: impl IntoIterator<Item = S>) -> Labels {
        let mut index: HashMap<String, u32> = HashMap::new();
        let mut names = Vec::new();
        let codes = labels
            .into_iter()
            .map(|l| {
                let l: String = l.into();
                *index.entry(l).or_insert_with_key(|l| {
                    names.push(l.clone());
                    names.len() as u32 - 1
                })
            })
            .collect();
        Labels { codes, names }
    }

    fn name(&self, row: usize) -> &str {
        &self.names[self.codes[row] as usize]
    }
}

/// A checked sampling design over `n_rows` rows. Estimators take it with one value per row.
#[derive(Clone, Debug)]
pub struct Design {
    weights: Vec<f64>,
    /// PSU index of every row.
    pub(crate) row_psu: Vec<u32>,
    /// SSU index of every row, when the stage-2 term enters (a stage-2 fpc was given).
    pub(crate) row_ssu: Option<Vec<u32>>,
    /// Stratum index of every PSU.
    pub(crate) psu_stratum: Vec<u32>,
    /// Stage-1 sampling fraction of every PSU (n_h / N_h, or pi_i under PPS); 0 when the first
    /// stage is with replacement.
    pub(crate) psu_fraction: Vec<f64>,
    /// Stage-2 cells (when a stage-2 fpc was given): a PSU, or, with stage-2 strata, one
    /// stage-2 stratum inside a PSU. The PSU of every cell.
    pub(crate) cell_psu: Vec<u32>,
    /// Stage-2 sampling fraction of every cell (m_c / M_c).
    pub(crate) cell_fraction2: Vec<f64>,
    /// Cell index of every SSU.
    pub(crate) ssu_cell: Vec<u32>,
    /// Number of PSUs of every stratum.
    pub(crate) stratum_psus: Vec<u32>,
    /// Number of SSUs of every cell.
    pub(crate) cell_ssus: Vec<u32>,
    /// The PSUs of every stratum, in index order: those of stratum `h` are
    /// `stratum_psu_list[stratum_psu_start[h]..stratum_psu_start[h + 1]]`.
    pub(crate) stratum_psu_start: Vec<usize>,
    pub(crate) stratum_psu_list: Vec<u32>,
    /// The cells of every PSU and the SSUs of every cell, in index order (empty without a
    /// stage-2 term), laid out as the PSUs of a stratum.
    pub(crate) psu_cell_start: Vec<usize>,
    pub(crate) psu_cell_list: Vec<u32>,
    pub(crate) cell_ssu_start: Vec<usize>,
    pub(crate) cell_ssu_list: Vec<u32>,
    /// Whether stage 2 is stratified inside PSUs.
    stage2_stratified: bool,
    /// PSUs alone in their stratum (in index order).
    pub(crate) lonely_psus: Vec<u32>,
    strata_labels: Vec<String>,
    pub(crate) lonely: LonelyPsu,
    pps: Option<Pps>,
}

impl Design {
    /// Starts a design over `rows` rows (every column given later must have `rows` values).
    pub fn builder(rows: usize) -> DesignBuilder {
        DesignBuilder {
            rows,
            ..DesignBuilder::default()
        }
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.weights.len()
    }

    /// The final weight of every row (given, or implied by the fpcs).
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Number of strata (1 when the design has none).
    pub fn n_strata(&self) -> usize {
        self.strata_labels.len()
    }

    /// Number of PSUs (rows, when the design names none).
    pub fn n_psus(&self) -> usize {
        self.psu_stratum.len()
    }

    /// Degrees of freedom of the whole design: PSUs − strata.
    pub fn df(&self) -> usize {
        self.n_psus() - self.n_strata()
    }

    /// The lonely-PSU rule the variance applies.
    pub fn lonely_psu(&self) -> LonelyPsu {
        self.lonely
    }

    /// The PPS variance approximation, if any.
    pub fn pps(&self) -> Option<Pps> {
        self.pps
    }

    /// Whether a stage-2 (within-PSU) variance term enters (a stage-2 fpc was given).
    pub fn has_stage2(&self) -> bool {
        self.row_ssu.is_some()
    }

    /// Kish's weighting effect over all rows: `n Σw² / (Σw)²` (Kish 1965, 11.7).
    pub fn kish_weighting_effect(&self) -> f64 {
        kish(self.weights.iter().copied())
    }

    /// Label of stratum `h` (as given; empty when the design has no strata).
    pub(crate) fn stratum_label(&self, h: usize) -> &str {
        &self.strata_labels[h]
    }

    /// The PSUs of stratum `h`, in index order.
    pub(crate) fn psus_of(&self, h: usize) -> &[u32] {
        &self.stratum_psu_list[self.stratum_psu_start[h]..self.stratum_psu_start[h + 1]]
    }

    /// The stage-2 cells of PSU `p`, in index order (empty without a stage-2 term).
    pub(crate) fn cells_of(&self, p: usize) -> &[u32] {
        match self.psu_cell_start.get(p + 1) {
            Some(&end) => &self.psu_cell_list[self.psu_cell_start[p]..end],
            None => &[],
        }
    }

    /// The SSUs of stage-2 cell `c`, in index order (empty without a stage-2 term).
    pub(crate) fn ssus_of(&self, c: usize) -> &[u32] {
        match self.cell_ssu_start.get(c + 1) {
            Some(&end) => &self.cell_ssu_list[self.cell_ssu_start[c]..end],
            None => &[],
        }
    }

    /// Whether stage 2 is stratified inside the PSUs ([`DesignBuilder::stage2_strata`]).
    pub fn stage2_stratified(&self) -> bool {
        self.stage2_stratified
    }
}

/// Members of every group as one list ordered by group, then by member index: the start of
/// every group's run (one more entry than groups) and the list.
fn members(member_group: &[u32], groups: usize) -> (Vec<usize>, Vec<u32>) {
    let mut start = vec![0usize; groups + 1];
    for &g in member_group {
        start[g as usize + 1] += 1;
    }
    for g in 0..groups {
        start[g + 1] += start[g];
    }
    let mut next = start.clone();
    let mut list = vec![0u32; member_group.len()];
    for (m, &g) in member_group.iter().enumerate() {
        list[next[g as usize]] = m as u32;
        next[g as usize] += 1;
    }
    (start, list)
}

/// Kish's weighting effect `n Σw² / (Σw)²` of the given weights (Kish 1965, 11.7): the
/// variance inflation from unequal weights alone.
pub fn kish(weights: impl Iterator<Item = f64>) -> f64 {
    let (mut n, mut s1, mut s2) = (0usize, 0.0, 0.0);
    for w in weights {
        n += 1;
        s1 += w;
        s2 += w * w;
    }
    n as f64 * s2 / (s1 * s1)
}

impl DesignBuilder {
    /// Final weights, one per row (>= 0). Without them the weights are implied by the fpcs.
    pub fn weights(mut self, weights: Vec<f64>) -> Self {
        self.weights = Some(weights);
        self
    }

    /// Stratum labels. Without them the design has one stratum.
    pub fn strata<S: Into<String>>(mut self, labels: impl IntoIterator<Item = S>) -> Self {
        self.strata = Some(Labels::from_text(labels));
        self
    }

    /// PSU labels, nested in strata. Without them every row is its own PSU.
    pub fn psu<S: Into<String>>(mut self, labels: impl IntoIterator<Item = S>) -> Self {
        self.psu = Some(Labels::from_text(labels));
        self
    }

    /// SSU labels, nested in PSUs; used by the stage-2 term only. Without them (and with a
    /// stage-2 fpc) every row is its own SSU.
    pub fn ssu<S: Into<String>>(mut self, labels: impl IntoIterator<Item = S>) -> Self {
        self.ssu = Some(Labels::from_text(labels));
        self
    }

    /// Stage-2 stratum labels, nested in PSUs: inside every PSU, the SSUs of each stage-2
    /// stratum are a separate sample (e.g. households drawn by register status inside a
    /// village), with their own stage-2 fpc. Used by the stage-2 term only; without them a
    /// PSU is one stage-2 stratum.
    pub fn stage2_strata<S: Into<String>>(mut self, labels: impl IntoIterator<Item = S>) -> Self {
        self.stage2_strata = Some(Labels::from_text(labels));
        self
    }

    /// Stratum labels already coded: row `i` is in stratum `names[codes[i]]` (so a large file
    /// need not hold one string per row). Equivalent to [`strata`](Self::strata) with those
    /// labels.
    pub fn strata_coded(mut self, codes: Vec<u32>, names: Vec<String>) -> Self {
        self.strata = Some(Labels { codes, names });
        self
    }

    /// PSU labels already coded (see [`strata_coded`](Self::strata_coded)).
    pub fn psu_coded(mut self, codes: Vec<u32>, names: Vec<String>) -> Self {
        self.psu = Some(Labels { codes, names });
        self
    }

    /// SSU labels already coded (see [`strata_coded`](Self::strata_coded)).
    pub fn ssu_coded(mut self, codes: Vec<u32>, names: Vec<String>) -> Self {
        self.ssu = Some(Labels { codes, names });
        self
    }

    /// Stage-1 fpc per row (R convention: > 1 a count of PSUs in the stratum, <= 1 a sampling
    /// fraction), constant within a stratum (within a PSU under PPS).
    pub fn fpc(mut self, fpc: Vec<f64>) -> Self {
        self.fpc = Some(fpc);
        self
    }

    /// Stage-2 fpc per row (> 1 a count of SSUs in the PSU, <= 1 a fraction), constant
    /// within a PSU (within a stage-2 stratum of a PSU, when stage-2 strata are given). With a
    /// stage-1 fpc it adds the stage-2 variance term.
    pub fn fpc2(mut self, fpc: Vec<f64>) -> Self {
        self.fpc2 = Some(fpc);
        self
    }

    /// PPS without replacement at stage 1: the stage-1 fpc gives each PSU's inclusion
    /// probability and may differ between PSUs of a stratum.
    pub fn pps(mut self, pps: Pps) -> Self {
        self.pps = Some(pps);
        self
    }

    /// The lonely-PSU rule (default: fail).
    pub fn lonely_psu(mut self, rule: LonelyPsu) -> Self {
        self.lonely = rule;
        self
    }

    /// Checks the columns and builds the design.
    pub fn build(self) -> Result<Design, DesignError> {
        let n = self.rows;
        if n == 0 {
            return Err(DesignError::Empty);
        }
        self.check_lengths()?;
        if self.pps.is_some() && self.fpc.is_none() {
            return Err(DesignError::PpsWithoutFpc);
        }
        let collapsed = match self.lonely {
            LonelyPsu::Collapse => self.collapsed_strata()?,
            _ => None,
        };
        let (row_stratum, strata_labels) = intern(n, collapsed.as_ref().or(self.strata.as_ref()));
        let (row_psu, psu_stratum) = nest(n, &row_stratum, self.psu.as_ref());
        let mut stratum_psus = vec![0u32; strata_labels.len()];
        for &h in &psu_stratum {
            stratum_psus[h as usize] += 1;
        }
        let psu_fraction = match &self.fpc {
            None => vec![0.0; psu_stratum.len()],
            Some(fpc) => stage1_fractions(fpc, &row_psu, &psu_stratum, &stratum_psus, self.pps)?,
        };
        let stage2 = match &self.fpc2 {
            None => Stage2::default(),
            Some(fpc2) => Stage2::build(
                fpc2,
                &row_psu,
                psu_stratum.len(),
                self.ssu.as_ref(),
                self.stage2_strata.as_ref(),
            )?,
        };
        let weights = match self.weights {
            Some(w) => check_weights(w)?,
            None => implied_weights(n, &row_psu, &psu_fraction, &stage2, &self.fpc),
        };
        let (stratum_psu_start, stratum_psu_list) = members(&psu_stratum, strata_labels.len());
        let (psu_cell_start, psu_cell_list) = match &stage2.row_ssu {
            Some(_) => members(&stage2.cell_psu, psu_stratum.len()),
            None => (Vec::new(), Vec::new()),
        };
        let (cell_ssu_start, cell_ssu_list) = match &stage2.row_ssu {
            Some(_) => members(&stage2.ssu_cell, stage2.cell_psu.len()),
            None => (Vec::new(), Vec::new()),
        };
        let lonely_psus = (0..psu_stratum.len() as u32)
            .filter(|&p| stratum_psus[psu_stratum[p as usize] as usize] == 1)
            .collect();
        let design = Design {
            weights,
            row_psu,
            row_ssu: stage2.row_ssu,
            psu_stratum,
            psu_fraction,
            cell_psu: stage2.cell_psu,
            cell_fraction2: stage2.cell_fraction2,
            ssu_cell: stage2.ssu_cell,
            stratum_psus,
            cell_ssus: stage2.cell_ssus,
            stratum_psu_start,
            stratum_psu_list,
            psu_cell_start,
            psu_cell_list,
            cell_ssu_start,
            cell_ssu_list,
            stage2_stratified: self.stage2_strata.is_some(),
            lonely_psus,
            strata_labels,
            lonely: self.lonely,
            pps: self.pps,
        };
        // After collapsing, a stratum can still be alone (a design of one stratum).
        if matches!(design.lonely, LonelyPsu::Fail | LonelyPsu::Collapse) {
            check_lonely(&design, self.psu.as_ref(), self.stage2_strata.as_ref())?;
        }
        Ok(design)
    }

    /// The strata with every single-PSU stratum merged into its neighbour in label order
    /// (see [`LonelyPsu::Collapse`]); `None` when no stratum is alone.
    fn collapsed_strata(&self) -> Result<Option<Labels>, DesignError> {
        let Some(strata) = &self.strata else {
            return Ok(None);
        };
        if self.fpc.is_some() {
            return Err(DesignError::CollapseWithFpc);
        }
        // PSUs per stratum, in one pass (every row its own PSU without PSU labels).
        let mut units: std::collections::HashSet<(u32, usize)> = Default::default();
        for (r, &h) in strata.codes.iter().enumerate() {
            units.insert((h, self.psu.as_ref().map_or(r, |p| p.codes[r] as usize)));
        }
        let mut psus = vec![0usize; strata.names.len()];
        for (h, _) in units {
            psus[h as usize] += 1;
        }
        let lonely: Vec<bool> = psus.iter().map(|&n| n == 1).collect();
        let mut order: Vec<u32> = (0..strata.names.len() as u32).collect();
        order.sort_by(|&a, &b| strata.names[a as usize].cmp(&strata.names[b as usize]));
        if order.len() < 2 || !lonely.iter().any(|&l| l) {
            return Ok(None);
        }
        // Each lonely stratum joins its next neighbour in label order, the last its previous.
        let mut target: Vec<u32> = (0..strata.names.len() as u32).collect();
        for (k, &h) in order.iter().enumerate() {
            if lonely[h as usize] {
                let partner = order.get(k + 1).copied().unwrap_or_else(|| order[k - 1]);
                target[h as usize] = partner;
            }
        }
        let names: Vec<String> = (0..strata.names.len())
            .map(|h| {
                let merged: Vec<&str> = (0..strata.names.len())
                    .filter(|&g| root(&target, g as u32) == root(&target, h as u32))
                    .map(|g| strata.names[g].as_str())
                    .collect();
                merged.join("+")
            })
            .collect();
        Ok(Some(Labels::from_text(
            strata.codes.iter().map(|&h| names[h as usize].clone()),
        )))
    }

    fn check_lengths(&self) -> Result<(), DesignError> {
        let n = self.rows;
        let lens = [
            ("weights", self.weights.as_ref().map(Vec::len)),
            ("strata", self.strata.as_ref().map(|l| l.codes.len())),
            ("psu", self.psu.as_ref().map(|l| l.codes.len())),
            ("ssu", self.ssu.as_ref().map(|l| l.codes.len())),
            (
                "stage2_strata",
                self.stage2_strata.as_ref().map(|l| l.codes.len()),
            ),
            ("fpc", self.fpc.as_ref().map(Vec::len)),
            ("fpc2", self.fpc2.as_ref().map(Vec::len)),
        ];
        for (column, len) in lens {
            if let Some(len) = len.filter(|&l| l != n) {
                return Err(DesignError::Length {
                    column,
                    expected: n,
                    got: len,
                });
            }
        }
        let coded = [
            ("strata", &self.strata),
            ("psu", &self.psu),
            ("ssu", &self.ssu),
            ("stage2_strata", &self.stage2_strata),
        ];
        for (column, labels) in coded {
            let Some(l) = labels else { continue };
            if let Some(row) = l.codes.iter().position(|&c| c as usize >= l.names.len()) {
                return Err(DesignError::BadCode {
                    column,
                    row,
                    code: l.codes[row],
                    names: l.names.len(),
                });
            }
        }
        Ok(())
    }
}

/// Interns labels (or a single unnamed group when absent): per-row index and the labels.
/// Indices follow the order of first appearance.
fn intern(n: usize, labels: Option<&Labels>) -> (Vec<u32>, Vec<String>) {
    let Some(labels) = labels else {
        return (vec![0; n], vec![String::new()]);
    };
    let mut index = vec![u32::MAX; labels.names.len()];
    let mut names = Vec::new();
    let rows = labels
        .codes
        .iter()
        .map(|&c| {
            let i = &mut index[c as usize];
            if *i == u32::MAX {
                *i = names.len() as u32;
                names.push(labels.names[c as usize].clone());
            }
            *i
        })
        .collect();
    (rows, names)
}

/// Units nested in parents: per-row unit index and each unit's parent. Without labels every
/// row is its own unit.
/// Indices follow the order of first appearance.
fn nest(n: usize, row_parent: &[u32], labels: Option<&Labels>) -> (Vec<u32>, Vec<u32>) {
    let Some(labels) = labels else {
        return ((0..n as u32).collect(), row_parent.to_vec());
    };
    let mut index: HashMap<(u32, u32), u32> = HashMap::new();
    let mut parent = Vec::new();
    // Rows of a unit usually come together: remember the last one.
    let mut last: Option<((u32, u32), u32)> = None;
    let rows = labels
        .codes
        .iter()
        .zip(row_parent)
        .map(|(&l, &p)| {
            let key = (p, l);
            if let Some((k, u)) = last {
                if k == key {
                    return u;
                }
            }
            let u = *index.entry(key).or_insert_with(|| {
                parent.push(p);
                parent.len() as u32 - 1
            });
            last = Some((key, u));
            u
        })
        .collect();
    (rows, parent)
}

/// Stage-1 sampling fraction of every PSU. Without PPS the fpc is a stratum property (one
/// value per stratum); with PPS a PSU property.
fn stage1_fractions(
    fpc: &[f64],
    row_psu: &[u32],
    psu_stratum: &[u32],
    stratum_psus: &[u32],
    pps: Option<Pps>,
) -> Result<Vec<f64>, DesignError> {
    if pps.is_some() {
        // Sample size of the PSU's stratum for every PSU, so that a count converts to n_h / N.
        let sizes: Vec<u32> = psu_stratum
            .iter()
            .map(|&h| stratum_psus[h as usize])
            .collect();
        return stage_fractions(fpc, row_psu, &sizes, 1);
    }
    let row_stratum: Vec<u32> = row_psu.iter().map(|&p| psu_stratum[p as usize]).collect();
    let per_stratum = stage_fractions(fpc, &row_stratum, stratum_psus, 1)?;
    Ok(psu_stratum
        .iter()
        .map(|&h| per_stratum[h as usize])
        .collect())
}

/// Sampling fraction of every group (stratum or PSU) from a per-row fpc that must be constant
/// within the group: `sampled / fpc` when fpc > 1, else the fpc itself.
fn stage_fractions(
    fpc: &[f64],
    row_group: &[u32],
    sampled: &[u32],
    stage: u8,
) -> Result<Vec<f64>, DesignError> {
    let mut first: Vec<Option<(usize, f64)>> = vec![None; sampled.len()];
    for (row, (&v, &g)) in fpc.iter().zip(row_group).enumerate() {
        if !(v.is_finite() && v > 0.0) {
            return Err(DesignError::FpcInvalid {
                row,
                stage,
                value: v,
            });
        }
        match first[g as usize] {
            None => first[g as usize] = Some((row, v)),
            Some((first_row, f)) if f != v => {
                return Err(DesignError::FpcVaries {
                    row,
                    first_row,
                    stage,
                    value: v,
                    first: f,
                })
            }
            Some(_) => {}
        }
    }
    first
        .iter()
        .zip(sampled)
        .map(|(f, &n)| {
            let (row, v) = f.expect("every group has a row");
            if v <= 1.0 {
                return Ok(v);
            }
            if v < n as f64 {
                return Err(DesignError::FpcBelowSample {
                    row,
                    stage,
                    population: v,
                    sampled: n as usize,
                });
            }
            Ok(n as f64 / v)
        })
        .collect()
}

fn check_weights(weights: Vec<f64>) -> Result<Vec<f64>, DesignError> {
    match weights.iter().position(|w| !(w.is_finite() && *w >= 0.0)) {
        Some(row) => Err(DesignError::BadWeight {
            row,
            value: weights[row],
        }),
        None => Ok(weights),
    }
}

/// Weights implied by the stage sampling fractions (R's `svydesign` without `weights`).
fn implied_weights(
    n: usize,
    row_psu: &[u32],
    f1: &[f64],
    stage2: &Stage2,
    fpc: &Option<Vec<f64>>,
) -> Vec<f64> {
    (0..n)
        .map(|r| {
            let p = row_psu[r] as usize;
            let w1 = if fpc.is_some() { 1.0 / f1[p] } else { 1.0 };
            let w2 = stage2.row_ssu.as_ref().map_or(1.0, |row_ssu| {
                let c = stage2.ssu_cell[row_ssu[r] as usize] as usize;
                1.0 / stage2.cell_fraction2[c]
            });
            w1 * w2
        })
        .collect()
}

/// The stage-2 structure: SSUs nested in cells (a PSU, or a stage-2 stratum of a PSU), and
/// every cell's sampling fraction.
#[derive(Default)]
struct Stage2 {
    row_ssu: Option<Vec<u32>>,
    cell_psu: Vec<u32>,
    cell_fraction2: Vec<f64>,
    ssu_cell: Vec<u32>,
    cell_ssus: Vec<u32>,
}

impl Stage2 {
    fn build(
        fpc2: &[f64],
        row_psu: &[u32],
        psus: usize,
        ssu: Option<&Labels>,
        strata: Option<&Labels>,
    ) -> Result<Stage2, DesignError> {
        let (row_cell, cell_psu) = match strata {
            Some(labels) => nest(row_psu.len(), row_psu, Some(labels)),
            None => (row_psu.to_vec(), (0..psus as u32).collect()),
        };
        let (row_ssu, ssu_cell) = nest(row_psu.len(), &row_cell, ssu);
        let mut cell_ssus = vec![0u32; cell_psu.len()];
        for &c in &ssu_cell {
            cell_ssus[c as usize] += 1;
        }
        let cell_fraction2 = stage_fractions(fpc2, &row_cell, &cell_ssus, 2)?;
        Ok(Stage2 {
            row_ssu: Some(row_ssu),
            cell_psu,
            cell_fraction2,
            ssu_cell,
            cell_ssus,
        })
    }
}

/// Where stratum `h` ends up after following the merges (two lonely neighbours may point at
/// each other: the smaller label is the root).
fn root(target: &[u32], h: u32) -> u32 {
    let (mut at, mut steps) = (h, 0);
    while target[at as usize] != at && steps < target.len() {
        let next = target[at as usize];
        if target[next as usize] == at {
            return at.min(next);
        }
        at = next;
        steps += 1;
    }
    at
}

/// Refuses a stratum with one non-certainty PSU, or (when the stage-2 term enters) a PSU (a
/// stage-2 stratum of a PSU) with one SSU not taken with certainty. `psu_labels` and
/// `stage2_labels` name the unit in the error.
fn check_lonely(
    d: &Design,
    psu_labels: Option<&Labels>,
    stage2_labels: Option<&Labels>,
) -> Result<(), DesignError> {
    let mut first_psu = vec![None; d.n_strata()];
    for (p, &h) in d.psu_stratum.iter().enumerate() {
        first_psu[h as usize].get_or_insert(p);
    }
    for (h, &count) in d.stratum_psus.iter().enumerate() {
        let p = first_psu[h].expect("a stratum has a PSU");
        if count == 1 && 1.0 - d.psu_fraction[p] >= CERTAINTY_TOLERANCE {
            return Err(DesignError::LonelyPsu {
                stage: 1,
                unit: d.stratum_label(h).to_string(),
                row: first_row(d, p),
            });
        }
    }
    let Some(row_ssu) = &d.row_ssu else {
        return Ok(());
    };
    for (c, &m) in d.cell_ssus.iter().enumerate() {
        let enters = d.psu_fraction[d.cell_psu[c] as usize] > 0.0;
        if enters && m == 1 && 1.0 - d.cell_fraction2[c] >= CERTAINTY_TOLERANCE {
            let row = row_ssu
                .iter()
                .position(|&u| d.ssu_cell[u as usize] as usize == c)
                .expect("a cell has a row");
            let mut unit = psu_labels.map_or(format!("on row {row}"), |l| l.name(row).to_string());
            if let Some(l) = stage2_labels {
                unit.push_str(&format!(" (stage-2 stratum {})", l.name(row)));
            }
            return Err(DesignError::LonelyPsu {
                stage: 2,
                unit,
                row,
            });
        }
    }
    Ok(())
}

/// First row of PSU `p` (for error messages only).
fn first_row(d: &Design, p: usize) -> usize {
    d.row_psu
        .iter()
        .position(|&q| q as usize == p)
        .expect("a PSU has a row")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psus_nest_in_strata_and_df_is_psus_minus_strata() {
        let d = Design::builder(6)
            .strata(["a", "a", "a", "b", "b", "b"])
            .psu(["1", "1", "2", "1", "2", "3"])
            .build()
            .unwrap();
        assert_eq!((d.n_strata(), d.n_psus(), d.df()), (2, 5, 3));
        assert_eq!(d.weights(), &[1.0; 6]);
    }

    #[test]
    fn fpc_as_count_or_fraction_gives_the_same_fraction_and_weights() {
        let count = Design::builder(4)
            .strata(["a", "a", "b", "b"])
            .fpc(vec![10.0, 10.0, 4.0, 4.0])
            .build()
            .unwrap();
        let fraction = Design::builder(4)
            .strata(["a", "a", "b", "b"])
            .fpc(vec![0.2, 0.2, 0.5, 0.5])
            .build()
            .unwrap();
        assert_eq!(count.psu_fraction, fraction.psu_fraction);
        assert_eq!(count.weights(), &[5.0, 5.0, 2.0, 2.0]);
    }

    #[test]
    fn bad_columns_are_refused_with_their_row() {
        let e = Design::builder(2)
            .weights(vec![1.0, -1.0])
            .build()
            .unwrap_err();
        assert!(matches!(e, DesignError::BadWeight { row: 1, .. }));
        let e = Design::builder(2).fpc(vec![5.0, 6.0]).build().unwrap_err();
        assert!(matches!(
            e,
            DesignError::FpcVaries {
                row: 1,
                first_row: 0,
                ..
            }
        ));
        let e = Design::builder(3).fpc(vec![2.0; 3]).build().unwrap_err();
        assert!(matches!(e, DesignError::FpcBelowSample { sampled: 3, .. }));
        let e = Design::builder(2).weights(vec![1.0]).build().unwrap_err();
        assert!(matches!(
            e,
            DesignError::Length {
                column: "weights",
                ..
            }
        ));
    }

    #[test]
    fn a_lonely_psu_fails_unless_taken_with_certainty_or_allowed() {
        let strata = ["a", "a", "b"];
        let e = Design::builder(3).strata(strata).build().unwrap_err();
        assert!(matches!(e, DesignError::LonelyPsu { stage: 1, ref unit, row: 2 } if unit == "b"));
        let certain = Design::builder(3)
            .strata(strata)
            .fpc(vec![4.0, 4.0, 1.0])
            .build();
        assert!(certain.is_ok());
        let removed = Design::builder(3)
            .strata(strata)
            .lonely_psu(LonelyPsu::Remove)
            .build();
        assert!(removed.is_ok());
    }

    #[test]
    fn coded_labels_give_the_design_of_text_labels() {
        let text = Design::builder(4)
            .strata(["b", "b", "a", "a"])
            .psu(["2", "1", "1", "2"])
            .build()
            .unwrap();
        // Codes in another order, with an unused name.
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let coded = Design::builder(4)
            .strata_coded(vec![1, 1, 0, 0], names(&["a", "b", "unused"]))
            .psu_coded(vec![0, 1, 1, 0], names(&["2", "1"]))
            .build()
            .unwrap();
        assert_eq!(text.row_psu, coded.row_psu);
        assert_eq!(text.psu_stratum, coded.psu_stratum);
        assert_eq!(text.strata_labels, coded.strata_labels);
        let e = Design::builder(2)
            .psu_coded(vec![0, 3], names(&["x"]))
            .build()
            .unwrap_err();
        assert!(matches!(
            e,
            DesignError::BadCode {
                column: "psu",
                row: 1,
                ..
            }
        ));
    }
}
