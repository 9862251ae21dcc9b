//! Reading a filled workbook into visit records: the public entry ([`read_filled`],
//! [`is_workbook`], [`FilledVisit`]) over three steps, one module each:
//! - `load`: the workbook's bytes into the template sheets' typed cells;
//! - `row`: a sheet's header, and one row's cells into typed fields, each problem placed by
//!   sheet, row and column;
//! - `assemble`: the rows of every sheet into visit records joined by `household_id`, with
//!   the checks across sheets and each record's own checks.
//!
//! Cells are read with calamine's streaming cell reader (a sheet is never expanded into a
//! dense grid, so a stray cell at XFD1048576 costs nothing). Every sheet is read whole and
//! every problem collected; records are returned only when there is none.
//!
//! Not for: the template's sheets and columns (`columns`) or writing workbooks (`write`).

mod assemble;
pub(crate) mod load;
pub(crate) mod row;

use crate::FormsError;
use assemble::Assembler;
use assess_inspection::VisitRecord;

/// The offset given to a date-time typed into an Excel date-time cell (Excel stores no time
/// zone): Beijing time, where the visits take place.
pub const EXCEL_TIME_OFFSET: &str = "+08:00";

/// One visit read from a workbook, with the row of sheet `visits` it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct FilledVisit {
    /// Its row in sheet `visits`, 1-based as Excel shows it.
    pub row: u32,
    /// The record, with its household record, members and notes gathered from the other
    /// sheets.
    pub visit: VisitRecord,
}

/// Whether a file is to be read as a workbook: its content starts like a ZIP archive (every
/// XLSX file does), or its name ends in `.xlsx`.
pub fn is_workbook(file_name: &str, bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || file_name.to_ascii_lowercase().ends_with(".xlsx")
}

/// Reads the visit records of a filled template. `file` names the workbook in messages;
/// `bytes` is its content. A workbook with any problem gives every problem found and no
/// record.
pub fn read_filled(file: &str, bytes: &[u8]) -> Result<Vec<FilledVisit>, FormsError> {
    let loaded = load::load(file, bytes)?;
    Assembler::new(file, loaded).run()
}
