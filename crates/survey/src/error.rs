//! Typed errors. Rows are 0-based indices into the columns the caller gave; the caller maps
//! them to file lines and column names.

use thiserror::Error;

/// A design that cannot be built.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum DesignError {
    /// The design has no rows.
    #[error("the design has no rows")]
    Empty,
    /// A column does not have one value per row.
    #[error("column {column} has {got} values, expected {expected} (one per row)")]
    Length {
        /// Which design column.
        column: &'static str,
        /// Rows of the design.
        expected: usize,
        /// Values given.
        got: usize,
    },
    /// A weight is negative or not finite.
    #[error("row {row}: weight {value} is not a finite number >= 0")]
    BadWeight {
        /// Row index.
        row: usize,
        /// The weight.
        value: f64,
    },
    /// An fpc value is not a positive number.
    #[error("row {row}: stage-{stage} fpc {value} is not a positive number")]
    FpcInvalid {
        /// Row index.
        row: usize,
        /// 1 or 2.
        stage: u8,
        /// The value.
        value: f64,
    },
    /// An fpc differs within a stratum (stage 1) or a PSU (stage 2, and stage 1 under PPS).
    #[error(
        "row {row}: stage-{stage} fpc {value} differs from {first} (row {first_row}) in the \
         same {}", if *stage == 1 { "stratum (or PSU, with PPS)" } else { "PSU" }
    )]
    FpcVaries {
        /// Row index of the differing value.
        row: usize,
        /// Row index of the first value of the group.
        first_row: usize,
        /// 1 or 2.
        stage: u8,
        /// The differing value.
        value: f64,
        /// The group's first value.
        first: f64,
    },
    /// A population count is smaller than the number of units sampled from it.
    #[error(
        "row {row}: stage-{stage} fpc {population} (a population count) is smaller than the \
         {sampled} units sampled"
    )]
    FpcBelowSample {
        /// First row of the group.
        row: usize,
        /// 1 or 2.
        stage: u8,
        /// The count given.
        population: f64,
        /// Units in the sample.
        sampled: usize,
    },
    /// A coded label column has a code without a name.
    #[error("row {row}: {column} code {code} has no label (there are {names})")]
    BadCode {
        /// Which design column.
        column: &'static str,
        /// Row index.
        row: usize,
        /// The code.
        code: u32,
        /// Number of labels given.
        names: usize,
    },
    /// Collapsing strata is for with-replacement designs.
    #[error(
        "collapsing the strata of lonely PSUs merges strata, which with finite-population \
         corrections would describe neither design: collapse only without them (with \
         replacement), or remove or centre the lonely PSUs"
    )]
    CollapseWithFpc,
    /// PPS needs the inclusion probabilities from the stage-1 fpc.
    #[error("PPS (Brewer) needs the inclusion probabilities as the stage-1 fpc")]
    PpsWithoutFpc,
    /// A stratum with one PSU (stage 1), or a PSU with one SSU (stage 2), under the `fail` rule.
    #[error("{}", lonely_message(*stage, unit, *row))]
    LonelyPsu {
        /// 1 or 2.
        stage: u8,
        /// Stratum label (stage 1) or PSU label (stage 2).
        unit: String,
        /// First row of the unit.
        row: usize,
    },
}

/// An estimate that cannot be made.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum EstimateError {
    /// A value column does not have one value per design row.
    #[error("{column} has {got} values, expected {expected} (one per design row)")]
    Length {
        /// Which argument.
        column: &'static str,
        /// Rows of the design.
        expected: usize,
        /// Values given.
        got: usize,
    },
    /// A value is NaN or infinite.
    #[error("row {row}: value {value} is not finite")]
    NotFinite {
        /// Row index.
        row: usize,
        /// The value.
        value: f64,
    },
    /// No row with positive weight has a value in the domain.
    #[error("no observation (no row with a value and a positive weight in the domain)")]
    NoObservations,
    /// The denominator (of a mean: the sum of weights; of a ratio: its estimated total) is 0.
    #[error("the denominator of the estimate is 0")]
    ZeroDenominator,
    /// A proportion interval was asked for an estimate outside [0, 1].
    #[error("{method} intervals are for proportions; the estimate {estimate} is outside [0, 1]")]
    NotAProportion {
        /// The interval method.
        method: &'static str,
        /// The estimate.
        estimate: f64,
    },
    /// A domain index is neither below the number of domains nor `NO_DOMAIN`.
    #[error("row {row}: domain index {index} is not below the number of domains {count}")]
    DomainIndex {
        /// Row index.
        row: usize,
        /// The index.
        index: u32,
        /// Number of domains.
        count: usize,
    },
    /// A single estimate was asked of several domains.
    #[error("{0} domains were estimated where one was asked for")]
    NotOneDomain(usize),
    /// The confidence level is not in (0, 1).
    #[error("confidence level {0} is not between 0 and 1")]
    Confidence(f64),
}

fn lonely_message(stage: u8, unit: &str, row: usize) -> String {
    let what = if stage == 1 {
        format!("stratum {unit} has only one PSU at stage 1 (row {row})")
    } else {
        format!(
            "PSU {unit} has only one SSU at stage 2 (row {row}) and its stage-2 fpc says not all \
             of its units were taken"
        )
    };
    format!("{what}; choose remove or centre for lonely PSUs, or merge it with a similar unit")
}
