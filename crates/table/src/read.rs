//! A survey file read once into the columns an analysis needs, each parsed as it is read:
//! numbers into `f64` (missing as NaN), labels into codes over one list of distinct labels;
//! no cell text is kept.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Why a survey file could not be estimated from. Each names the file, and a cell's line and
/// column when one is at fault.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The file could not be opened.
    #[error("cannot read {}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: csv::Error,
    },
    /// The header row could not be read.
    #[error("{}: cannot read the header row", path.display())]
    Header {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: csv::Error,
    },
    /// A column named is not in the header.
    #[error("{}: no column {name:?} (the columns are: {})", path.display(), columns.join(", "))]
    NoColumn {
        /// The file.
        path: PathBuf,
        /// The column asked for.
        name: String,
        /// The header's columns.
        columns: Vec<String>,
    },
    /// The file is not valid CSV.
    #[error("{}: unreadable CSV", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// Where and why.
        #[source]
        source: csv::Error,
    },
    /// The file has a header only.
    #[error("{}: no data rows", .0.display())]
    NoRows(PathBuf),
    /// A cell of a numeric column is not a number.
    #[error("{at}: {cell:?} is not a number")]
    NotANumber {
        /// File, line and column.
        at: String,
        /// The cell.
        cell: String,
    },
    /// A cell of a numeric design column is not a number.
    #[error("{at}: {what} {cell:?} is not a number")]
    DesignNotANumber {
        /// File, line and column.
        at: String,
        /// What the column holds (weight, fpc).
        what: &'static str,
        /// The cell.
        cell: String,
    },
    /// A design cell is empty.
    #[error("{at}: the {what} is missing")]
    Missing {
        /// File, line and column.
        at: String,
        /// What the column holds (weight, stratum, PSU, ...).
        what: &'static str,
    },
    /// A weight is negative.
    #[error("{at}: weight {value} is negative")]
    NegativeWeight {
        /// File, line and column.
        at: String,
        /// The weight.
        value: f64,
    },
    /// An fpc is not positive.
    #[error("{at}: fpc {value} must be > 0 (a population count > 1, or a sampling fraction <= 1)")]
    FpcInvalid {
        /// File, line and column.
        at: String,
        /// The fpc.
        value: f64,
    },
    /// An fpc differs within its stratum or PSU.
    #[error("{at}: fpc {value} differs from {first} on line {first_line} in the same {group}")]
    FpcVaries {
        /// File, line and column.
        at: String,
        /// The fpc.
        value: f64,
        /// The group's first fpc.
        first: f64,
        /// Its line.
        first_line: u64,
        /// The stratum or PSU.
        group: String,
    },
    /// A population count below the units sampled.
    #[error(
        "{at}: fpc {population} (a population count) is smaller than the {sampled} units \
         sampled in the {group}"
    )]
    FpcBelowSample {
        /// File, line and column.
        at: String,
        /// The count.
        population: f64,
        /// Units sampled.
        sampled: usize,
        /// The stratum or PSU.
        group: String,
    },
    /// A stratum has one PSU.
    #[error("{at}: stratum {unit} has only one PSU at stage 1")]
    LonelyStratum {
        /// File, line and column.
        at: String,
        /// The stratum.
        unit: String,
    },
    /// The whole design has one PSU.
    #[error("{}: the design has only one PSU, so no variance can be estimated", .0.display())]
    OnePsu(PathBuf),
    /// A PSU has one SSU but its fpc2 says it was sampled.
    #[error(
        "{at}: PSU {unit} has only one SSU at stage 2 but its fpc2 says not all of its units \
         were taken"
    )]
    LonelySsu {
        /// File, line and column.
        at: String,
        /// The PSU.
        unit: String,
    },
    /// Another design error.
    #[error("{}", path.display())]
    Design {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        #[source]
        source: assess_survey::DesignError,
    },
    /// An analysis could not be estimated.
    #[error("{}: {param} of {variable}", path.display())]
    Estimate {
        /// The file.
        path: PathBuf,
        /// `mean`, `prop`, `total` or `ratio`.
        param: &'static str,
        /// The variable (`NUM/DEN` for a ratio).
        variable: String,
        /// Why.
        #[source]
        source: assess_survey::EstimateError,
    },
}

/// How a column is read: as labels (design labels, domains, proportion levels) and/or as
/// numbers (weights, fpcs, analysed values).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Want {
    pub label: bool,
    pub number: bool,
}

/// Code of an empty cell in a label column.
pub(crate) const EMPTY: u32 = u32::MAX;

/// A column read as labels: one code per row (`EMPTY` for an empty cell) over the distinct
/// labels in order of first appearance.
#[derive(Debug, Default)]
pub(crate) struct LabelColumn {
    pub codes: Vec<u32>,
    pub names: Vec<String>,
    index: HashMap<String, u32>,
    /// First row with an empty cell.
    first_empty: Option<usize>,
}

impl LabelColumn {
    fn push(&mut self, row: usize, cell: &str) {
        if cell.is_empty() {
            self.first_empty.get_or_insert(row);
            self.codes.push(EMPTY);
            return;
        }
        // Rows of a village come together: try the previous row's label first.
        if let Some(&last) = self.codes.last() {
            if last != EMPTY && self.names[last as usize] == cell {
                self.codes.push(last);
                return;
            }
        }
        let code = match self.index.get(cell) {
            Some(&c) => c,
            None => {
                let c = self.names.len() as u32;
                self.names.push(cell.to_string());
                self.index.insert(cell.to_string(), c);
                c
            }
        };
        self.codes.push(code);
    }

    /// The label of a row ("" when empty).
    pub fn text(&self, row: usize) -> &str {
        match self.codes[row] {
            EMPTY => "",
            c => &self.names[c as usize],
        }
    }
}

/// A column read as numbers: missing cells (empty, NA) as NaN; the first missing and the first
/// unreadable cell remembered for the error messages.
#[derive(Debug, Default)]
struct NumberColumn {
    values: Vec<f64>,
    first_missing: Option<usize>,
    first_bad: Option<(usize, String)>,
}

impl NumberColumn {
    fn push(&mut self, row: usize, cell: &str) {
        if is_missing(cell) {
            self.first_missing.get_or_insert(row);
            self.values.push(f64::NAN);
            return;
        }
        match number(cell) {
            Some(v) => self.values.push(v),
            None => {
                if self.first_bad.is_none() {
                    self.first_bad = Some((row, cell.to_string()));
                }
                self.values.push(f64::NAN);
            }
        }
    }
}

/// The columns of a CSV file that an analysis needs, parsed while reading.
#[derive(Debug)]
pub struct Table {
    path: PathBuf,
    rows: usize,
    labels: HashMap<String, LabelColumn>,
    numbers: HashMap<String, NumberColumn>,
}

impl Table {
    /// Reads the columns `wanted` of the CSV file at `path` (UTF-8, a header row).
    pub(crate) fn read(path: &Path, wanted: &[(String, Want)]) -> Result<Table, TableError> {
        let at = || path.to_path_buf();
        let mut reader = csv::ReaderBuilder::new()
            .buffer_capacity(1 << 20)
            .from_path(path)
            .map_err(|source| TableError::Open { path: at(), source })?;
        let headers = reader
            .headers()
            .map_err(|source| TableError::Header { path: at(), source })?
            .clone();
        let mut labels: Vec<(usize, LabelColumn)> = Vec::new();
        let mut numbers: Vec<(usize, NumberColumn)> = Vec::new();
        for (name, want) in wanted {
            let Some(i) = headers.iter().position(|h| h.trim() == name) else {
                return Err(TableError::NoColumn {
                    path: at(),
                    name: name.clone(),
                    columns: headers.iter().map(String::from).collect(),
                });
            };
            if want.label {
                labels.push((i, LabelColumn::default()));
            }
            if want.number {
                numbers.push((i, NumberColumn::default()));
            }
        }
        let mut record = csv::StringRecord::new();
        let mut rows = 0;
        while reader
            .read_record(&mut record)
            .map_err(|source| TableError::Csv { path: at(), source })?
        {
            for (i, col) in &mut labels {
                col.push(rows, record.get(*i).unwrap_or("").trim());
            }
            for (i, col) in &mut numbers {
                col.push(rows, record.get(*i).unwrap_or("").trim());
            }
            rows += 1;
        }
        if rows == 0 {
            return Err(TableError::NoRows(at()));
        }
        let name = |i: usize| headers[i].trim().to_string();
        Ok(Table {
            path: at(),
            rows,
            labels: labels.into_iter().map(|(i, c)| (name(i), c)).collect(),
            numbers: numbers.into_iter().map(|(i, c)| (name(i), c)).collect(),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Data rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    pub(crate) fn label(&self, name: &str) -> &LabelColumn {
        &self.labels[name]
    }

    /// The line of the file where row `row` starts (read again: needed for messages only).
    pub(crate) fn line(&self, row: usize) -> u64 {
        let reader = csv::ReaderBuilder::new().from_path(&self.path);
        let mut record = csv::ByteRecord::new();
        let Ok(mut reader) = reader else { return 0 };
        for _ in 0..=row {
            if !reader.read_byte_record(&mut record).unwrap_or(false) {
                return 0;
            }
        }
        record.position().map_or(0, |p| p.line())
    }

    /// "FILE line N, column C" for row `row`.
    pub(crate) fn at(&self, row: usize, column: &str) -> String {
        format!(
            "{} line {}, column {column:?}",
            self.path.display(),
            self.line(row)
        )
    }

    /// A numeric column with missing cells (empty or NA) as `None`.
    pub(crate) fn values(&self, column: &str) -> Result<Vec<Option<f64>>, TableError> {
        let col = &self.numbers[column];
        if let Some((row, cell)) = &col.first_bad {
            return Err(TableError::NotANumber {
                at: self.at(*row, column),
                cell: cell.clone(),
            });
        }
        Ok(col
            .values
            .iter()
            .map(|&v| (!v.is_nan()).then_some(v))
            .collect())
    }

    /// A numeric design column: every cell must hold a number.
    pub(crate) fn required_numbers(
        &self,
        column: &str,
        what: &'static str,
    ) -> Result<Vec<f64>, TableError> {
        let col = &self.numbers[column];
        let bad = col.first_bad.as_ref().map(|(r, _)| *r);
        match (col.first_missing, bad) {
            (Some(m), b) if b.is_none_or(|b| m < b) => Err(TableError::Missing {
                at: self.at(m, column),
                what,
            }),
            (_, Some(_)) => {
                let (row, cell) = col.first_bad.as_ref().expect("a bad cell");
                Err(TableError::DesignNotANumber {
                    at: self.at(*row, column),
                    what,
                    cell: cell.clone(),
                })
            }
            _ => Ok(col.values.clone()),
        }
    }

    /// A label column of the design (strata, PSU, SSU) as codes and labels: no cell may be
    /// empty.
    pub(crate) fn labels(
        &self,
        column: &str,
        what: &'static str,
    ) -> Result<(Vec<u32>, Vec<String>), TableError> {
        let col = self.label(column);
        match col.first_empty {
            Some(row) => Err(TableError::Missing {
                at: self.at(row, column),
                what,
            }),
            None => Ok((col.codes.clone(), col.names.clone())),
        }
    }
}

/// An empty cell or `NA` (R's missing value).
pub(crate) fn is_missing(cell: &str) -> bool {
    cell.is_empty() || cell == "NA"
}

/// A finite number (Rust also parses "inf" and "NaN", which are not data).
pub(crate) fn number(cell: &str) -> Option<f64> {
    cell.parse::<f64>().ok().filter(|v| v.is_finite())
}
