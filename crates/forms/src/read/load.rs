//! Opening a filled workbook: its bytes read with calamine, behind a guard that turns a
//! panic of the XLSX reader into [`FormsError::Workbook`]; the template's sheets found by
//! name (any case, spaces trimmed); and their non-empty cells turned into typed [`Cell`]s.
//!
//! Not for: what a cell means in its column (`row`) or which visit it belongs to
//! (`assemble`). The only problems found here are about whole sheets: no `visits` sheet, a
//! second sheet of a name, a sheet that is not the template's.

use crate::columns::{README, SHEETS, VISITS};
use crate::{CellProblem, FormsError};
use calamine::{DataRef, Reader, Xlsx};
use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;
use std::panic::AssertUnwindSafe;

/// Reads the template sheets of a workbook; a damaged file (or one the XLSX reader panics
/// on) is a [`FormsError::Workbook`].
pub(super) fn load(file: &str, bytes: &[u8]) -> Result<Loaded, FormsError> {
    // The XLSX reader is not ours: should it panic on some damaged file, report the file as
    // unreadable rather than abort.
    std::panic::catch_unwind(AssertUnwindSafe(|| load_sheets(file, bytes))).unwrap_or_else(|_| {
        Err(FormsError::Workbook {
            file: file.to_string(),
            cause: "the XLSX reader failed on its content".to_string(),
        })
    })
}

/// A cell's value, as the reader needs it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Text(String),
    Number(f64),
    Bool(bool),
    /// An Excel date-time cell: (year, month, day, hour, minute, second, millisecond).
    Date((u16, u8, u8, u8, u8, u8, u16)),
    Error(String),
}

pub(crate) type Rows = BTreeMap<u32, BTreeMap<u32, Cell>>;

/// A template sheet as found: its name in the workbook and its non-empty cells by 0-based row
/// and column.
pub(super) struct Sheet {
    pub(super) name: String,
    pub(super) rows: Rows,
}

/// The template sheets found in a workbook, by template name, and the problems with its
/// sheets.
pub(super) struct Loaded {
    pub(super) sheets: HashMap<&'static str, Sheet>,
    pub(super) problems: Vec<CellProblem>,
}

pub(crate) fn unreadable(file: &str, cause: impl std::fmt::Display) -> FormsError {
    FormsError::Workbook {
        file: file.to_string(),
        cause: cause.to_string(),
    }
}

fn load_sheets(file: &str, bytes: &[u8]) -> Result<Loaded, FormsError> {
    // The same guard the register reader applies, with the template's own limits.
    assess_register::xlsx_within_limits(
        Cursor::new(bytes),
        crate::limits::MAX_UNCOMPRESSED,
        crate::limits::MAX_SHARED_STRINGS_BYTES,
        crate::limits::MAX_SHARED_STRINGS,
    )
    .map_err(|reason| FormsError::Limits {
        file: file.to_string(),
        reason,
    })?;
    let mut xlsx: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(file, e))?;
    let names = xlsx.sheet_names();
    let mut sheets: HashMap<&'static str, Sheet> = HashMap::new();
    let mut problems = Vec::new();
    let mut sheet_problem = |sheet: &str, message: String| {
        problems.push(CellProblem {
            file: file.to_string(),
            sheet: sheet.to_string(),
            row: None,
            household_id: None,
            column: None,
            message,
        })
    };
    if !names
        .iter()
        .any(|n| n.trim().eq_ignore_ascii_case(VISITS.name))
    {
        return Err(FormsError::NoVisitsSheet {
            file: file.to_string(),
            found: names,
        });
    }
    for name in &names {
        let key = name.trim();
        if key.eq_ignore_ascii_case(README) {
            continue;
        }
        let rows = read_cells(file, &mut xlsx, name)?;
        match SHEETS.iter().find(|d| d.name.eq_ignore_ascii_case(key)) {
            Some(def) => {
                if let Some(first) = sheets.get(def.name) {
                    sheet_problem(
                        name,
                        format!(
                            "is a second sheet `{}` (the first is `{}`); keep one and move its rows there",
                            def.name, first.name
                        ),
                    );
                } else {
                    sheets.insert(
                        def.name,
                        Sheet {
                            name: name.clone(),
                            rows,
                        },
                    );
                }
            }
            None if rows.is_empty() => {}
            None => sheet_problem(
                name,
                format!(
                    "is not a sheet of the template (its sheets are {}); move its rows to the right sheet, or delete the sheet",
                    SHEETS.map(|d| d.name).join(", ")
                ),
            ),
        }
    }
    Ok(Loaded { sheets, problems })
}

pub(crate) fn read_cells(
    file: &str,
    xlsx: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
) -> Result<Rows, FormsError> {
    let damaged = |e: calamine::XlsxError| unreadable(file, format!("sheet {name}: {e}"));
    let mut cells = xlsx.worksheet_cells_reader(name).map_err(damaged)?;
    let mut rows = Rows::new();
    while let Some(cell) = cells.next_cell().map_err(damaged)? {
        let (r, c) = cell.get_position();
        if let Some(value) = convert(cell.get_value()) {
            rows.entry(r).or_default().insert(c, value);
        }
    }
    Ok(rows)
}

fn convert(value: &DataRef<'_>) -> Option<Cell> {
    let text = |s: &str| {
        let t = s.trim();
        (!t.is_empty()).then(|| Cell::Text(t.to_string()))
    };
    match value {
        DataRef::Empty => None,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => text(s),
        DataRef::SharedString(s) => text(s),
        DataRef::Int(i) => Some(Cell::Number(*i as f64)),
        DataRef::Float(f) => Some(Cell::Number(*f)),
        DataRef::Bool(b) => Some(Cell::Bool(*b)),
        DataRef::DateTime(d) if d.is_datetime() => Some(Cell::Date(d.to_ymd_hms_milli())),
        DataRef::DateTime(d) => Some(Cell::Number(d.as_f64())),
        DataRef::Error(e) => Some(Cell::Error(e.to_string())),
    }
}
