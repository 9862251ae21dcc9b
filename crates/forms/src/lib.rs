//! The spreadsheet (XLSX) form of the visit record (issue 3, part 7): the template field teams
//! fill instead of JSON, and reading a filled workbook back into
//! [`assess_inspection::VisitRecord`]s.
//!
//! For:
//! - **the template** ([`template`]): one sheet per section of the record (`visits`,
//!   `household`, `members`, `housing`, `water`, `approval`, `identification`, `notes`) and a
//!   `README` sheet explaining every column in English and Chinese; bold, frozen header rows;
//!   drop-down lists for every enumerated field; text-formatted id, name and time columns (so
//!   Excel keeps `530128001203-0012` and 18-digit identity numbers as typed). Optionally
//!   pre-filled with a draw's households ([`Prefill`]: primaries and reserves with role,
//!   reserve rank, village and stratum as locked information columns), so that a team gets
//!   its assignment;
//! - **reading** a filled workbook ([`read_filled`]): every field of the record, cells as text
//!   or numbers (a whole number stored as 4.0 is fine; an id Excel turned into a date or a
//!   15+-digit number is refused), times as RFC 3339 text or Excel date-time cells (read as
//!   Beijing time, [`EXCEL_TIME_OFFSET`]); rows of the other sheets joined to their visit by
//!   `household_id`; each record's own checks ([`VisitRecord::validate`](assess_inspection::VisitRecord::validate)).
//!   Every problem is collected and reported with the file, sheet, row (1-based, as Excel
//!   shows it), column header and what to do ([`CellProblem`]); a damaged file is a
//!   [`FormsError::Workbook`], never a panic;
//! - **writing records** as a filled workbook ([`write_filled`]), for examples and tests.
//!
//! Column names are the record's JSON names (`docs/records.md`), flattened where the JSON
//! nests; `docs/forms.md` lists them with a filled example.
//!
//! Not for: storing records, versions or idempotency (the store crate; a workbook's records go
//! through the same import as JSON), checks across records (`assess check`), the household
//! register's XLSX (the register crate), or any file I/O: workbooks come and go as bytes.
//!
//! ```
//! use assess_forms::{read_filled, write_filled};
//! let visit = assess_inspection::fixtures::example_visit();
//! let bytes = write_filled(std::slice::from_ref(&visit)).unwrap();
//! let read = read_filled("visits.xlsx", &bytes).unwrap();
//! assert_eq!(read[0].visit, visit);
//! assert_eq!(read[0].row, 2); // row 1 holds the headers
//! ```
#![deny(missing_docs)]

pub mod census;
mod columns;
mod error;
pub mod limits;
mod read;
mod write;

pub use columns::ListLanguage;
pub use error::{CellProblem, FormsError};
pub use read::{is_workbook, read_filled, FilledVisit, EXCEL_TIME_OFFSET};
pub use write::{template, write_filled, Prefill};

/// The names of the template's sheets, in order (the `README` sheet last).
pub fn sheet_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = columns::SHEETS.iter().map(|d| d.name).collect();
    names.push(columns::README);
    names
}

/// The column names of one sheet of the template, in order; `None` for an unknown sheet.
pub fn column_names(sheet: &str) -> Option<Vec<&'static str>> {
    columns::SHEETS
        .iter()
        .find(|d| d.name == sheet)
        .map(|d| d.columns.iter().map(|c| c.name).collect())
}

#[cfg(test)]
mod tests;
