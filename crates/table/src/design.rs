//! The design of a survey table from named columns (R's `svydesign`), and its errors located
//! at a file, line and column.

use crate::read::{Table, TableError, Want};
use assess_survey::{Design, DesignError, LonelyPsu, Pps};
use serde::Serialize;

/// Which columns carry the design; every one optional (R's `svydesign` arguments).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DesignColumns {
    /// Final weights [default: implied by the fpcs, else 1].
    pub weight: Option<String>,
    /// Strata.
    pub strata: Option<String>,
    /// Primary sampling units, nested in strata [default: every row is one].
    pub psu: Option<String>,
    /// Secondary units, nested in PSUs (for the stage-2 variance term).
    pub ssu: Option<String>,
    /// Stage-1 finite population correction: PSUs in the stratum's population (> 1) or the
    /// fraction sampled (<= 1), R's convention.
    pub fpc: Option<String>,
    /// Stage-2 finite population correction.
    pub fpc2: Option<String>,
    /// PPS without replacement at stage 1, with the inclusion probabilities in `fpc`.
    pub pps: Option<Pps>,
    /// A stratum with a single PSU.
    pub lonely_psu: LonelyPsu,
}

/// The design as the results report it. Fields in alphabetical order: the JSON of
/// `assess estimate` has always listed its keys so.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DesignSummary {
    /// Degrees of freedom: PSUs − strata.
    pub df: usize,
    /// The stage-1 fpc column.
    pub fpc: Option<String>,
    /// The stage-2 fpc column.
    pub fpc2: Option<String>,
    /// The lonely-PSU rule.
    pub lonely_psu: LonelyPsu,
    /// PPS without replacement at stage 1.
    pub pps: Option<Pps>,
    /// The PSU column.
    pub psu: Option<String>,
    /// PSUs.
    pub psu_count: usize,
    /// The SSU column.
    pub ssu: Option<String>,
    /// Whether the stage-2 term enters the variance.
    pub stage2_term: bool,
    /// The strata column.
    pub strata: Option<String>,
    /// Strata.
    pub strata_count: usize,
    /// The weight column.
    pub weight: Option<String>,
    /// Kish's weighting effect of all rows.
    pub weighting_effect: f64,
}

impl DesignColumns {
    /// The design columns to read, in the order they are checked (the first missing one is
    /// named), with how: labels or numbers.
    pub(crate) fn wanted(&self) -> [(&Option<String>, Want); 6] {
        let label = Want {
            label: true,
            number: false,
        };
        let number = Want {
            label: false,
            number: true,
        };
        [
            (&self.weight, number),
            (&self.strata, label),
            (&self.psu, label),
            (&self.ssu, label),
            (&self.fpc, number),
            (&self.fpc2, number),
        ]
    }

    /// The design of table `t`.
    pub(crate) fn build(&self, t: &Table) -> Result<Design, TableError> {
        let mut b = Design::builder(t.rows()).lonely_psu(self.lonely_psu);
        if let Some(c) = &self.weight {
            b = b.weights(t.required_numbers(c, "weight")?);
        }
        if let Some(c) = &self.strata {
            let (codes, names) = t.labels(c, "stratum")?;
            b = b.strata_coded(codes, names);
        }
        if let Some(c) = &self.psu {
            let (codes, names) = t.labels(c, "PSU")?;
            b = b.psu_coded(codes, names);
        }
        if let Some(c) = &self.ssu {
            let (codes, names) = t.labels(c, "SSU")?;
            b = b.ssu_coded(codes, names);
        }
        if let Some(c) = &self.fpc {
            b = b.fpc(t.required_numbers(c, "fpc")?);
        }
        if let Some(c) = &self.fpc2 {
            b = b.fpc2(t.required_numbers(c, "fpc2")?);
        }
        if let Some(pps) = self.pps {
            b = b.pps(pps);
        }
        b.build().map_err(|e| self.located(e, t))
    }

    /// The design as reported.
    pub(crate) fn summary(&self, d: &Design) -> DesignSummary {
        DesignSummary {
            df: d.df(),
            fpc: self.fpc.clone(),
            fpc2: self.fpc2.clone(),
            lonely_psu: d.lonely_psu(),
            pps: d.pps(),
            psu: self.psu.clone(),
            psu_count: d.n_psus(),
            ssu: self.ssu.clone(),
            stage2_term: d.has_stage2(),
            strata: self.strata.clone(),
            strata_count: d.n_strata(),
            weight: self.weight.clone(),
            weighting_effect: d.kish_weighting_effect(),
        }
    }

    /// A design error with the file, line and column it is at.
    fn located(&self, e: DesignError, t: &Table) -> TableError {
        let col = |c: &Option<String>| c.clone().unwrap_or_default();
        let fpc_col = |stage: u8| col(if stage == 1 { &self.fpc } else { &self.fpc2 });
        let group = |stage: u8, row: usize| match (stage, &self.strata, self.pps) {
            (1, Some(s), None) => format!("stratum {:?}", t.label(s).text(row)),
            (1, None, None) => "design (no strata)".to_string(),
            _ => match &self.psu {
                Some(p) => format!("PSU {:?}", t.label(p).text(row)),
                None => format!("PSU on line {}", t.line(row)),
            },
        };
        match e {
            DesignError::BadWeight { row, value } => TableError::NegativeWeight {
                at: t.at(row, &col(&self.weight)),
                value,
            },
            DesignError::FpcInvalid { row, stage, value } => TableError::FpcInvalid {
                at: t.at(row, &fpc_col(stage)),
                value,
            },
            DesignError::FpcVaries {
                row,
                first_row,
                stage,
                value,
                first,
            } => TableError::FpcVaries {
                at: t.at(row, &fpc_col(stage)),
                value,
                first,
                first_line: t.line(first_row),
                group: group(stage, row),
            },
            DesignError::FpcBelowSample {
                row,
                stage,
                population,
                sampled,
            } => TableError::FpcBelowSample {
                at: t.at(row, &fpc_col(stage)),
                population,
                sampled,
                group: group(stage, row),
            },
            DesignError::LonelyPsu {
                stage: 1,
                unit,
                row,
            } => match &self.strata {
                Some(s) => TableError::LonelyStratum {
                    at: t.at(row, s),
                    unit,
                },
                None => TableError::OnePsu(t.path().to_path_buf()),
            },
            DesignError::LonelyPsu { unit, row, .. } => TableError::LonelySsu {
                at: t.at(row, &col(&self.ssu)),
                unit,
            },
            source => TableError::Design {
                path: t.path().to_path_buf(),
                source,
            },
        }
    }
}
