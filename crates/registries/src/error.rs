//! What can go wrong: a file's header, its rows (each located by file, line and field), the
//! rules, the workbook. Messages never show an identity number whole and name no
//! command-line option.

use std::fmt;

/// How many bad rows a refusal lists (the count is of all of them).
pub const LISTED_ROWS: usize = 50;

/// One bad row: where, which field, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The file as the caller named it.
    pub file: String,
    /// Line of the record's first byte (the header is line 1).
    pub line: u64,
    /// The column, when one is at fault.
    pub field: Option<&'static str>,
    /// What is wrong and what to do (identity numbers masked).
    pub problem: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: line {}", self.file, self.line)?;
        if let Some(field) = self.field {
            write!(f, ", column {field}")?;
        }
        write!(f, ": {}", self.problem)
    }
}

impl std::error::Error for RowError {}

/// Why a cross-check could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CrosscheckError {
    /// The header row is missing, lacks a column or gives one twice.
    #[error("{file}: {problem}")]
    Header {
        /// The file.
        file: String,
        /// What is wrong.
        problem: String,
    },
    /// The file could not be read as CSV at all.
    #[error("{file}: {problem}")]
    Read {
        /// The file.
        file: String,
        /// The CSV reader's message (identity numbers masked).
        problem: String,
    },
    /// Some rows are bad: the file is refused whole.
    #[error("{}", rows_message(.file, .rows, *.total))]
    Rows {
        /// The file.
        file: String,
        /// The first bad rows (at most [`LISTED_ROWS`]).
        rows: Vec<RowError>,
        /// How many bad rows there are in all.
        total: usize,
    },
    /// The rules file is not valid.
    #[error("the cross-check rules ({origin}): {problem}")]
    Rules {
        /// `built-in` or the file's name.
        origin: String,
        /// What is wrong.
        problem: String,
    },
    /// Too many flagged rows for one worksheet.
    #[error("{rows} flagged rows do not fit in one worksheet (at most {max}); use the CSV")]
    TooManyForXlsx {
        /// Rows to write.
        rows: usize,
        /// A worksheet's limit less the header.
        max: usize,
    },
    /// The workbook could not be made.
    #[error("making the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// Writing the output failed.
    #[error("writing the flagged households: {0}")]
    Write(#[source] std::io::Error),
}

fn rows_message(file: &str, rows: &[RowError], total: usize) -> String {
    let mut m = format!(
        "{file}: {total} bad row{} (the file is refused whole: correct them and run again):",
        if total == 1 { "" } else { "s" }
    );
    for r in rows {
        m.push_str("\n  ");
        m.push_str(&r.to_string());
    }
    if total > rows.len() {
        m.push_str(&format!("\n  ... and {} more", total - rows.len()));
    }
    m
}

/// Bad rows of one file, gathered as the file is read.
#[derive(Debug, Default)]
pub(crate) struct BadRows {
    rows: Vec<RowError>,
    total: usize,
}

impl BadRows {
    pub fn push(&mut self, e: RowError) {
        self.total += 1;
        if self.rows.len() < LISTED_ROWS {
            self.rows.push(e);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// `Ok` when there were none, else the refusal of `file`.
    pub fn into_result(self, file: &str) -> Result<(), CrosscheckError> {
        if self.total == 0 {
            Ok(())
        } else {
            Err(CrosscheckError::Rows {
                file: file.to_string(),
                rows: self.rows,
                total: self.total,
            })
        }
    }
}
