//! Typed errors: IO and workbook failures that stop reading, and the per-row problems that
//! make a register invalid. Every message names the file and place and says what to do.

use assess_divisions::{CodeError, Vintage};
use std::fmt;
use std::path::{Path, PathBuf};

/// Why a register or village file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// The file could not be opened or read.
    #[error("{}: cannot read the file", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The XLSX workbook could not be opened or its first sheet read.
    #[error("{}: cannot read the workbook: {message}; save it again from the spreadsheet program, or export the first sheet as CSV", path.display())]
    Workbook {
        /// The file.
        path: PathBuf,
        /// What calamine reported.
        message: String,
    },
    /// A file kind this reader does not take (UTF-16 text, legacy .xls).
    #[error("{}: {reason}", path.display())]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What is wrong and what to do.
        reason: String,
    },
    /// The file was read but rows are wrong; the whole file is refused.
    #[error("{}", InvalidDisplay { file, errors, total: *total, undecodable_more: *undecodable_more })]
    Invalid {
        /// The file.
        file: PathBuf,
        /// The first `max_errors` problems, by line.
        errors: Vec<RowError>,
        /// How many problems there are in all.
        total: usize,
        /// Further fields with bytes that are not text in the file's encoding, after the
        /// first (which is in `errors`): not listed, nor counted in `total`.
        #[doc(hidden)]
        undecodable_more: usize,
    },
}

impl RegisterError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> RegisterError {
        RegisterError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

struct InvalidDisplay<'a> {
    file: &'a Path,
    errors: &'a [RowError],
    total: usize,
    undecodable_more: usize,
}

impl fmt::Display for InvalidDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let noun = if self.total == 1 { "error" } else { "errors" };
        write!(
            f,
            "{}: refused, {} {noun}; fix them and check again:",
            self.file.display(),
            self.total
        )?;
        for e in self.errors {
            write!(f, "\n{e}")?;
        }
        let more = self.total.saturating_sub(self.errors.len());
        if more > 0 {
            write!(f, "\n... and {more} more errors")?;
        }
        if self.undecodable_more > 0 {
            write!(
                f,
                "\n... and {} more fields with bytes that are not text in this encoding, not \
                 listed: the file is read in the wrong encoding, or is not text; fix that first",
                self.undecodable_more
            )?;
        }
        Ok(())
    }
}

/// One problem at one place of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    /// The file.
    pub file: PathBuf,
    /// For CSV the 1-based physical line (header = 1); for XLSX the sheet row.
    pub line: u64,
    /// The sheet, for XLSX files.
    pub sheet: Option<String>,
    /// The column concerned, when one is.
    pub column: Option<String>,
    /// What is wrong.
    pub problem: Problem,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sheet {
            Some(sheet) => write!(
                f,
                "{}: sheet {sheet:?} row {}",
                self.file.display(),
                self.line
            )?,
            None => write!(f, "{}: line {}", self.file.display(), self.line)?,
        }
        if let Some(column) = &self.column {
            // A header name is the file's text: its control characters are shown escaped.
            let shown: String = column
                .chars()
                .flat_map(|c| match c.is_control() {
                    true => c.escape_default().collect::<Vec<_>>(),
                    false => vec![c],
                })
                .collect();
            write!(f, ", column {shown}")?;
        }
        write!(f, ": {}", self.problem)
    }
}

/// The kinds of problem a row or header can have, each with what to do about it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    /// The file has no header row at all.
    #[error("the file is empty; a register starts with a header row naming the columns {}", .required.join(", "))]
    Empty {
        /// The required columns.
        required: Vec<String>,
    },
    /// The header lacks required columns.
    #[error("missing required column(s) {}; the header must name {} (any order, extra columns allowed){also}", .missing.join(", "), .required.join(", "))]
    MissingColumns {
        /// Required columns not found.
        missing: Vec<String>,
        /// All required columns.
        required: Vec<String>,
        /// The other names the missing columns may have (`; exit_year may also be named
        /// 脱贫年度 or 脱贫年份`), or empty.
        also: String,
    },
    /// A known column is named twice in the header.
    #[error("the column is named twice (fields {first} and {second}); keep one of them")]
    DuplicateColumn {
        /// 1-based field of the first.
        first: usize,
        /// 1-based field of the second.
        second: usize,
    },
    /// Two header fields with different names give one known column (a name and its
    /// alias, or two aliases): which one holds the values cannot be told.
    #[error(
        "the columns {} (field {first}) and {} (field {second}) both give {column}; keep one of \
         them, or rename the other to a name that is not a register column",
        crate::limits::quoted(.first_name),
        crate::limits::quoted(.second_name)
    )]
    AmbiguousColumns {
        /// The register column both name.
        column: &'static str,
        /// The first field's header name.
        first_name: String,
        /// 1-based field of the first.
        first: usize,
        /// The second field's header name.
        second_name: String,
        /// 1-based field of the second.
        second: usize,
    },
    /// Header present but no data rows.
    #[error("the file has a header but no rows; export the register with its rows")]
    NoRows,
    /// A row with a different number of fields than the header.
    #[error("the row has {found} fields but the header has {expected}; look for an unquoted comma or a missing field")]
    FieldCount {
        /// Fields in the row.
        found: usize,
        /// Fields in the header.
        expected: usize,
    },
    /// A control character (C0, DEL or C1) in a field.
    #[error("the field holds the control character U+{code:04X} at character {at}; remove it (NUL, ESC and the other control characters are not text: they break terminals, CSV and XML)")]
    ControlCharacter {
        /// The character's code point.
        code: u32,
        /// Its 1-based position in the field (in characters).
        at: usize,
    },
    /// A record longer than [`crate::limits::MAX_RECORD_BYTES`].
    #[error("the row starting here runs past {limit} bytes without ending; a register row is a few hundred bytes at most: the file has no line ends (is it a CSV register?) or a field opens a quote that never closes")]
    RecordTooLong {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A quoted field that is never closed.
    #[error("a quote (\") opened in this row is never closed, so the rest of the file{} is read as one field; close the quote, or remove it", if *.rows > 0 { format!(" ({} more lines)", .rows) } else { String::new() })]
    UnterminatedQuote {
        /// Lines swallowed after the row's first.
        rows: u64,
    },
    /// Bytes that are not text in the encoding the file is read with.
    #[error("the bytes are not valid {encoding}; {help}")]
    Undecodable {
        /// `UTF-8` or `GB18030`.
        encoding: &'static str,
        /// What to do.
        help: &'static str,
    },
    /// A required field is empty.
    #[error("{column} is empty; {help}")]
    Required {
        /// The column.
        column: &'static str,
        /// What to do.
        help: &'static str,
    },
    /// The same household id twice.
    #[error("household_id {} appears again (first at line {first_line}); each household must have a unique id: remove the duplicate row or correct the id", crate::limits::quoted(.id))]
    DuplicateId {
        /// The id.
        id: String,
        /// Where it first appears.
        first_line: u64,
    },
    /// The same village code twice in a village file.
    #[error(
        "village_code {code} appears again (first at line {first_line}); list each village once"
    )]
    DuplicateVillage {
        /// The code.
        code: String,
        /// Where it first appears.
        first_line: u64,
    },
    /// Not a 12-digit code.
    #[error("{} is not a village code: {reason}; give the 12-digit statistical division code (a code stored as a number may have lost leading digits or gained a decimal point)", crate::limits::quoted(.text))]
    MalformedCode {
        /// The text.
        text: String,
        /// Why.
        reason: CodeError,
    },
    /// A code not in the division list used.
    #[error(
        "village code {code} is not in the {vintage} division-code list (used by {rows} row(s)); \
         correct the code, or choose the list the register was coded with (2016, 2021 or 2023)"
    )]
    UnknownCode {
        /// The code.
        code: String,
        /// The list it was checked against.
        vintage: Vintage,
        /// How many rows use it.
        rows: u64,
    },
    /// Status text not recognised.
    #[error(
        "status {} is not one of exited, poor, non_registered; use one of these three words (or \
         their Chinese labels 已脱贫, 未脱贫, 非建档立卡)",
        crate::limits::quoted(.text)
    )]
    BadStatus {
        /// The text.
        text: String,
    },
    /// Exited household without exit year.
    #[error(
        "status is exited but exit_year is empty; give the year the household exited (2014-2030)"
    )]
    ExitYearMissing,
    /// Exit year on a household that did not exit.
    #[error("exit_year {} is given but status is {status}; leave exit_year empty unless the household exited", crate::limits::quoted(.text))]
    ExitYearNotAllowed {
        /// The text.
        text: String,
        /// The row's status.
        status: assess_household::Status,
    },
    /// Exit year text not a plausible year.
    #[error("exit_year {} is not a year from 2014 to 2030; give the four-digit year", crate::limits::quoted(.text))]
    NotAYear {
        /// The text.
        text: String,
    },
    /// Members not an integer.
    #[error(
        "members {} is not a whole number; give the number of registered members (1 or more)", crate::limits::quoted(.text))]
    MembersNotInteger {
        /// The text.
        text: String,
    },
    /// Members zero or negative.
    #[error("members {} is below 1; a registered household has at least one member", crate::limits::quoted(.text))]
    MembersBelowOne {
        /// The text.
        text: String,
    },
    /// Not a number where one is needed.
    #[error("{} is not a number; give a decimal number with a point (e.g. 4321.5) or leave it empty", crate::limits::quoted(.text))]
    NotANumber {
        /// The text.
        text: String,
    },
    /// A negative amount.
    #[error("{} is negative; income per capita is zero or more yuan", crate::limits::quoted(.text))]
    Negative {
        /// The text.
        text: String,
    },
    /// A coordinate outside its range.
    #[error("{} is outside {min} to {max} degrees; give WGS-84 decimal degrees (longitude east, latitude north; are lon and lat swapped?)", crate::limits::quoted(.text))]
    OutOfRange {
        /// The text.
        text: String,
        /// Lowest allowed.
        min: f64,
        /// Highest allowed.
        max: f64,
    },
    /// Not a yes/no value.
    #[error("{} is not true/false; use true, false, 1, 0, yes or no, or leave it empty", crate::limits::quoted(.text))]
    NotABool {
        /// The text.
        text: String,
    },
}

/// Collects problems up to a limit and counts the rest.
#[derive(Debug)]
pub(crate) struct ErrorList {
    file: PathBuf,
    sheet: Option<String>,
    max: usize,
    listed: Vec<RowError>,
    total: usize,
    /// Undecodable fields pushed (all counted in `total`).
    undecodable: usize,
}

impl ErrorList {
    pub(crate) fn new(file: &Path, sheet: Option<String>, max: usize) -> ErrorList {
        ErrorList {
            file: file.to_path_buf(),
            sheet,
            max,
            listed: Vec::new(),
            total: 0,
            undecodable: 0,
        }
    }

    pub(crate) fn push(&mut self, line: u64, column: Option<&str>, problem: Problem) {
        self.total += 1;
        if matches!(problem, Problem::Undecodable { .. }) {
            self.undecodable += 1;
        }
        if self.listed.len() < self.max {
            let column = column.map(str::to_string);
            let (file, sheet) = (self.file.clone(), self.sheet.clone());
            self.listed.push(RowError {
                file,
                line,
                sheet,
                column,
                problem,
            });
        }
    }

    pub(crate) fn total(&self) -> usize {
        self.total
    }

    /// An empty list for the same file and limit.
    pub(crate) fn fresh(&self) -> ErrorList {
        ErrorList::new(&self.file, self.sheet.clone(), self.max)
    }

    /// The problems so far, leaving this list empty.
    pub(crate) fn take(&mut self) -> ErrorList {
        let fresh = self.fresh();
        std::mem::replace(self, fresh)
    }

    /// Appends the problems of `later` (found after these in file order), as if they had
    /// been pushed here one by one.
    pub(crate) fn merge(&mut self, later: ErrorList) {
        self.total += later.total;
        self.undecodable += later.undecodable;
        let room = self.max.saturating_sub(self.listed.len());
        self.listed.extend(later.listed.into_iter().take(room));
    }

    /// `Ok(())` when nothing was pushed, else the whole file refused.
    pub(crate) fn into_result(mut self) -> Result<(), RegisterError> {
        if self.total == 0 {
            return Ok(());
        }
        // Problems found after the scan (duplicates, unknown codes) go in line order.
        self.listed.sort_by_key(|e| e.line);
        // Bytes a wrong encoding cannot decode are usually on every other row: only the
        // first is listed (issue 12: the first offending line, not thousands after it).
        let undecodable_more = self.undecodable.saturating_sub(1);
        let mut seen = false;
        self.listed.retain(|e| {
            let undecodable = matches!(e.problem, Problem::Undecodable { .. });
            let keep = !(undecodable && seen);
            seen |= undecodable;
            keep
        });
        Err(RegisterError::Invalid {
            file: self.file,
            errors: self.listed,
            total: self.total - undecodable_more,
            undecodable_more,
        })
    }
}
