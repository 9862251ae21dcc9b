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
pub(super) enum Cell {
    Text(String),
    Number(f64),
    Bool(bool),
    /// An Excel date-time cell: (year, month, day, hour, minute, second, millisecond).
    Date((u16, u8, u8, u8, u8, u8, u16)),
    Error(String),
}

pub(super) type Rows = BTreeMap<u32, BTreeMap<u32, Cell>>;

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

fn unreadable(file: &str, cause: impl std::fmt::Display) -> FormsError {
    FormsError::Workbook {
        file: file.to_string(),
        cause: cause.to_string(),
    }
}

fn load_sheets(file: &str, bytes: &[u8]) -> Result<Loaded, FormsError> {
    xlsx_within_limits(
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

fn read_cells(file: &str, xlsx: &mut Xlsx<Cursor<&[u8]>>, name: &str) -> Result<Rows, FormsError> {
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
/// Checks a workbook's ZIP central directory against the limits before the XLSX reader
/// decompresses or allocates anything: the parts' sizes decompressed (as the directory
/// states them), the shared-string table's size (read, not believed: the reader keeps it
/// whole) and the number of strings it declares (the reader reserves room for them).
/// `Err` says what is over which limit.
pub(crate) fn xlsx_within_limits(
    reader: impl std::io::Read + std::io::Seek,
    max_total: u64,
    max_shared_bytes: u64,
    max_shared_strings: u64,
) -> Result<(), String> {
    use std::io::Read as _;
    // Not a ZIP archive: the XLSX reader says what is wrong with it.
    let Ok(mut zip) = zip::ZipArchive::new(reader) else {
        return Ok(());
    };
    let mut total: u64 = 0;
    let mut shared = None;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|e| e.to_string())?;
        total = total.saturating_add(part.size());
        let is_shared = part
            .name()
            .is_ok_and(|n| n.eq_ignore_ascii_case("xl/sharedStrings.xml"));
        if is_shared {
            shared = Some(i);
        }
    }
    if total > max_total {
        return Err(format!(
            "its parts decompress to {total} bytes, more than the {max_total} bytes allowed \
             (a small file that inflates this much is damaged or a ZIP bomb)"
        ));
    }
    let Some(index) = shared else { return Ok(()) };
    let part = zip.by_index(index).map_err(|e| e.to_string())?;
    // Read at most one byte past the limit, whatever size the directory states.
    let mut head = Vec::new();
    let mut size: u64 = 0;
    let mut buf = vec![0u8; 64 << 10];
    let mut limited = part.take(max_shared_bytes + 1);
    loop {
        let n = limited.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        if head.len() < 4096 {
            head.extend_from_slice(&buf[..n.min(4096 - head.len())]);
        }
        size += n as u64;
    }
    if size > max_shared_bytes {
        return Err(format!(
            "its shared-string table decompresses to more than the {max_shared_bytes} bytes allowed"
        ));
    }
    // `<sst ... uniqueCount="N">`: the reader reserves N strings; each takes at least
    // `<si><t/></si>` (11 bytes) of the table.
    let declared = String::from_utf8_lossy(&head)
        .split("uniqueCount=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|n| n.trim().parse::<u64>().unwrap_or(u64::MAX));
    if let Some(n) = declared {
        if n > max_shared_strings || n > size / 11 + 1 {
            return Err(format!(
                "its shared-string table declares {n} strings, more than the {} allowed for its \
                 size and the {max_shared_strings} allowed in all",
                (size / 11 + 1).min(max_shared_strings)
            ));
        }
    }
    Ok(())
}
