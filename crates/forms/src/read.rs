//! Reading a filled workbook into visit records.
//!
//! Cells are read with calamine's streaming cell reader (a sheet is never expanded into a
//! dense grid, so a stray cell at XFD1048576 costs nothing). Every sheet is read whole and
//! every problem collected; records are returned only when there is none.

use crate::columns::{
    Kind, Req, SheetDef, APPROVAL, HOUSEHOLD, HOUSING, IDENTIFICATION, MEMBERS, NOTES, README,
    SHEETS, VISITS, WATER,
};
use crate::{CellProblem, FormsError};
use assess_inspection::{
    parse_rfc3339, Approval, BirthDate, Components, Disposition, Gps, HouseholdRecord, Housing,
    IdNumber, Identification, IncomeBySource, MedicalCover, Member, Note, VisitRecord, Water,
};
use calamine::{DataRef, Reader, Xlsx};
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Cursor;
use std::panic::AssertUnwindSafe;

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
    // The XLSX reader is not ours: should it panic on some damaged file, report the file as
    // unreadable rather than abort.
    let loaded =
        std::panic::catch_unwind(AssertUnwindSafe(|| load(file, bytes))).unwrap_or_else(|_| {
            Err(FormsError::Workbook {
                file: file.to_string(),
                cause: "the XLSX reader failed on its content".to_string(),
            })
        })?;
    Assembler::new(file, loaded).run()
}

/// A cell's value, as the reader needs it.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Text(String),
    Number(f64),
    Bool(bool),
    /// An Excel date-time cell: (year, month, day, hour, minute, second, millisecond).
    Date((u16, u8, u8, u8, u8, u8, u16)),
    Error(String),
}

type Rows = BTreeMap<u32, BTreeMap<u32, Cell>>;

/// A template sheet as found: its name in the workbook and its non-empty cells by 0-based row
/// and column.
struct Sheet {
    name: String,
    rows: Rows,
}

struct Loaded {
    sheets: HashMap<&'static str, Sheet>,
    problems: Vec<CellProblem>,
}

fn unreadable(file: &str, cause: impl std::fmt::Display) -> FormsError {
    FormsError::Workbook {
        file: file.to_string(),
        cause: cause.to_string(),
    }
}

fn load(file: &str, bytes: &[u8]) -> Result<Loaded, FormsError> {
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

/// A number as it would be typed: integral values without ".0".
fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Excel's column letters of a 0-based column index.
fn letters(mut c: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A sheet's header: the 0-based column of each known column name.
type Header = HashMap<&'static str, u32>;

/// Reads row 1 of a sheet; `None` (with the problems recorded) when it cannot be used.
fn header(
    file: &str,
    def: &'static SheetDef,
    sheet: &Sheet,
    out: &mut Vec<CellProblem>,
) -> Option<Header> {
    let before = out.len();
    let mut problem = |row: u32, column: String, message: String| {
        out.push(CellProblem {
            file: file.to_string(),
            sheet: sheet.name.clone(),
            row: Some(row),
            household_id: None,
            column: Some(column),
            message,
        })
    };
    let names = def
        .columns
        .iter()
        .map(|c| c.name)
        .collect::<Vec<_>>()
        .join(", ");
    let mut found = Header::new();
    if let Some(cells) = sheet.rows.get(&0) {
        for (&c, cell) in cells {
            let name = match cell {
                Cell::Text(s) => s.clone(),
                Cell::Number(x) => number_text(*x),
                other => format!("{other:?}"),
            };
            match def.columns.iter().find(|k| k.name.eq_ignore_ascii_case(&name)) {
                None => problem(
                    1,
                    name.clone(),
                    format!(
                        "is not a column of sheet {}; correct the name (the columns are {names}) or delete the column",
                        def.name
                    ),
                ),
                Some(k) => {
                    if let Some(&first) = found.get(k.name) {
                        problem(
                            1,
                            k.name.to_string(),
                            format!(
                                "appears twice (columns {} and {}); delete one",
                                letters(first),
                                letters(c)
                            ),
                        );
                    } else {
                        found.insert(k.name, c);
                    }
                }
            }
        }
    } else if sheet.rows.is_empty() {
        return Some(found);
    } else {
        problem(
            1,
            "A".to_string(),
            format!(
                "row 1 is empty; it must hold the column names ({names}): copy them from a new `assess template`"
            ),
        );
        return None;
    }
    if sheet.rows.len() > 1 || def.name == VISITS.name {
        for c in def.columns.iter().filter(|c| c.req == Req::Yes) {
            if !found.contains_key(c.name) {
                problem(
                    1,
                    c.name.to_string(),
                    "the column is missing; add it to row 1 (a new `assess template` has every column)"
                        .to_string(),
                );
            }
        }
    }
    // Values under no header would be silently lost: refuse them, once per column.
    let known: HashSet<u32> = sheet
        .rows
        .get(&0)
        .map(|cells| cells.keys().copied().collect())
        .unwrap_or_default();
    let mut reported = HashSet::new();
    for (&r, cells) in sheet.rows.range(1..) {
        for &c in cells.keys() {
            if !known.contains(&c) && reported.insert(c) {
                problem(
                    r + 1,
                    letters(c),
                    "holds a value but the column has no name in row 1; name the column or delete the value"
                        .to_string(),
                );
            }
        }
    }
    (out.len() == before).then_some(found)
}

/// Reads the cells of one row, recording each problem with its place.
struct RowReader<'a> {
    file: &'a str,
    def: &'static SheetDef,
    sheet: &'a str,
    row: u32,
    household: Option<String>,
    cells: &'a BTreeMap<u32, Cell>,
    header: &'a Header,
    problems: &'a mut Vec<CellProblem>,
}

impl RowReader<'_> {
    fn get(&self, column: &str) -> Option<&Cell> {
        self.header.get(column).and_then(|c| self.cells.get(c))
    }

    fn fail(&mut self, column: &str, message: String) {
        self.problems.push(CellProblem {
            file: self.file.to_string(),
            sheet: self.sheet.to_string(),
            row: Some(self.row),
            household_id: self.household.clone(),
            column: Some(column.to_string()),
            message,
        });
    }

    /// Whether every cell of the row outside `except` is blank.
    fn blank_except(&self, except: &[&str]) -> bool {
        !self
            .header
            .iter()
            .any(|(name, c)| !except.contains(name) && self.cells.contains_key(c))
    }

    /// A problem common to every kind: an Excel error value.
    fn error_cell(&mut self, column: &str, e: &str) {
        self.fail(
            column,
            format!("holds the Excel error {e}; replace it with a value or clear the cell"),
        );
    }

    fn text(&mut self, column: &str) -> Option<String> {
        let cell = self.get(column)?.clone();
        match cell {
            Cell::Text(s) => Some(s),
            Cell::Number(x) if x.fract() == 0.0 && x.abs() < 1e15 => Some(number_text(x)),
            Cell::Number(x) if x.abs() >= 1e15 => {
                self.fail(
                    column,
                    format!(
                        "{x:e} is stored as a number, and Excel keeps only 15 digits of a number; \
                         format the cell as text and type the value again"
                    ),
                );
                None
            }
            Cell::Number(x) => Some(number_text(x)),
            Cell::Bool(b) => Some(b.to_string()),
            Cell::Date(d) => {
                self.fail(
                    column,
                    format!(
                        "Excel turned this value into the date {:04}-{:02}-{:02}; format the cell as text and type the value again",
                        d.0, d.1, d.2
                    ),
                );
                None
            }
            Cell::Error(e) => {
                self.error_cell(column, &e);
                None
            }
        }
    }

    /// Text that must be there; empty (with a problem recorded) when blank.
    fn required(&mut self, column: &str, what_to_do: &str) -> String {
        let blank = self.get(column).is_none();
        match self.text(column) {
            Some(s) => s,
            None => {
                if blank {
                    self.fail(column, format!("is empty; {what_to_do}"));
                }
                String::new()
            }
        }
    }

    fn number(&mut self, column: &str) -> Option<f64> {
        let cell = self.get(column)?.clone();
        let value = match cell {
            Cell::Number(x) => Some(x),
            Cell::Text(s) => s.parse::<f64>().ok().filter(|x| x.is_finite()).or_else(|| {
                self.fail(
                    column,
                    format!("{s:?} is not a number; write digits only, e.g. 18000 or 25.5512"),
                );
                None
            }),
            Cell::Bool(b) => {
                self.fail(
                    column,
                    format!("{b} is not a number; write a number or clear the cell"),
                );
                None
            }
            Cell::Date(_) => {
                self.fail(
                    column,
                    "is a date, not a number; format the cell as a number and type the value again"
                        .to_string(),
                );
                None
            }
            Cell::Error(e) => {
                self.error_cell(column, &e);
                None
            }
        };
        value
    }

    fn whole<T: TryFrom<u64>>(&mut self, column: &str, max: u64) -> Option<T> {
        let x = self.number(column)?;
        let message = if x.fract() != 0.0 {
            format!(
                "{} is not a whole number; write e.g. {}",
                number_text(x),
                x.round().abs()
            )
        } else if x < 0.0 {
            format!("{} is negative; write 0 or more", number_text(x))
        } else if x > max as f64 {
            format!(
                "{} is too large (at most {max}); correct it",
                number_text(x)
            )
        } else if let Ok(v) = T::try_from(x as u64) {
            return Some(v);
        } else {
            format!("{} is out of range", number_text(x))
        };
        self.fail(column, message);
        None
    }

    fn flag(&mut self, column: &str) -> Option<bool> {
        let cell = self.get(column)?.clone();
        match cell {
            Cell::Bool(b) => Some(b),
            Cell::Text(s) => match s.to_lowercase().as_str() {
                "true" | "是" => Some(true),
                "false" | "否" => Some(false),
                _ => {
                    self.fail(
                        column,
                        format!("{s:?} is not true or false; pick true or false from the list (leave it blank when not asked)"),
                    );
                    None
                }
            },
            Cell::Error(e) => {
                self.error_cell(column, &e);
                None
            }
            Cell::Number(x) => {
                self.fail(
                    column,
                    format!(
                        "{} is not true or false; pick true or false from the list",
                        number_text(x)
                    ),
                );
                None
            }
            Cell::Date(_) => {
                self.fail(
                    column,
                    "is a date, not true or false; pick true or false from the list".to_string(),
                );
                None
            }
        }
    }

    /// One of the column's listed values (case does not matter), as its JSON name.
    fn choice_name(&mut self, column: &str, list: &[&'static str]) -> Option<&'static str> {
        let s = self.text(column)?;
        match list.iter().find(|v| v.eq_ignore_ascii_case(&s)) {
            Some(v) => Some(v),
            None => {
                self.fail(
                    column,
                    format!(
                        "{s:?} is not one of {}; pick a value from the list",
                        list.join(", ")
                    ),
                );
                None
            }
        }
    }

    fn choice<T: DeserializeOwned>(&mut self, column: &str) -> Option<T> {
        let Some(Kind::Choice(list)) = self.def.column(column).map(|c| c.kind) else {
            return None;
        };
        let name = self.choice_name(column, list)?;
        match serde_json::from_value(serde_json::Value::String(name.to_string())) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(column, format!("{name}: {e}"));
                None
            }
        }
    }

    /// An RFC 3339 date-time (required): text as written, or an Excel date-time cell in
    /// Beijing time.
    fn time(&mut self, column: &str) -> String {
        let Some(cell) = self.get(column).cloned() else {
            self.fail(
                column,
                "is empty; write the time, e.g. 2020-06-12T09:30:00+08:00".to_string(),
            );
            return String::new();
        };
        match cell {
            Cell::Text(s) => {
                if parse_rfc3339(&s).is_none() {
                    self.fail(
                        column,
                        format!("{s:?} is not an RFC 3339 date-time; write e.g. 2020-06-12T09:30:00+08:00"),
                    );
                }
                s
            }
            Cell::Date((y, mo, d, h, mi, s, ms)) => {
                if y < 1901 {
                    self.fail(
                        column,
                        "holds a time without its date; write the date and time, e.g. 2020-06-12T09:30:00+08:00"
                            .to_string(),
                    );
                    return String::new();
                }
                let fraction = if ms == 0 {
                    String::new()
                } else {
                    format!(".{ms:03}")
                };
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{fraction}{EXCEL_TIME_OFFSET}")
            }
            Cell::Error(e) => {
                self.error_cell(column, &e);
                String::new()
            }
            Cell::Number(_) | Cell::Bool(_) => {
                self.fail(
                    column,
                    "is not a date-time; write e.g. 2020-06-12T09:30:00+08:00".to_string(),
                );
                String::new()
            }
        }
    }

    fn date(&mut self, column: &str) -> Option<BirthDate> {
        let cell = self.get(column)?.clone();
        let (year, month, day) = match cell {
            Cell::Date((y, m, d, ..)) => (i64::from(y), i64::from(m), i64::from(d)),
            Cell::Text(s) => {
                let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
                let nums: Vec<i64> = parts.iter().filter_map(|p| p.trim().parse().ok()).collect();
                if parts.len() != 3 || nums.len() != 3 || parts[0].trim().len() != 4 {
                    self.fail(
                        column,
                        format!("{s:?} is not a date; write it as 2009-03-14"),
                    );
                    return None;
                }
                (nums[0], nums[1], nums[2])
            }
            Cell::Error(e) => {
                self.error_cell(column, &e);
                return None;
            }
            Cell::Number(_) | Cell::Bool(_) => {
                self.fail(column, "is not a date; write it as 2009-03-14".to_string());
                return None;
            }
        };
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => 0,
        };
        if !(1900..=2100).contains(&year) || day < 1 || day > days {
            self.fail(
                column,
                format!(
                    "{year:04}-{month:02}-{day:02} is not a valid date; correct it (2009-03-14)"
                ),
            );
            return None;
        }
        Some(BirthDate {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        })
    }
}

/// The columns of `visits` that a pre-filled template fills: a row with nothing else is a
/// household not visited.
const PREFILLED: &[&str] = &[
    "draw_id",
    "household_id",
    "role",
    "reserve_rank",
    "village_code",
    "stratum",
];

/// Where each visit's parts were found.
struct Found {
    row: u32,
    visit: VisitRecord,
    household: Option<(u32, HouseholdRecord)>,
    note_rows: Vec<u32>,
    /// Whether the record's own checks apply (not when its disposition could not be read).
    checked: bool,
}

struct Assembler<'a> {
    file: &'a str,
    sheets: HashMap<&'static str, Sheet>,
    problems: Vec<CellProblem>,
    found: Vec<Found>,
    /// Household id → index in `found`.
    visited: HashMap<String, usize>,
    /// Household id → its blank row in `visits` (not visited).
    skipped: HashMap<String, u32>,
    /// The header of sheet `visits` has problems.
    visits_unusable: bool,
}

impl<'a> Assembler<'a> {
    fn new(file: &'a str, loaded: Loaded) -> Self {
        Assembler {
            file,
            sheets: loaded.sheets,
            problems: loaded.problems,
            found: Vec::new(),
            visited: HashMap::new(),
            skipped: HashMap::new(),
            visits_unusable: false,
        }
    }

    fn sheet_name(&self, def: &SheetDef) -> String {
        self.sheets
            .get(def.name)
            .map_or(def.name.to_string(), |s| s.name.clone())
    }

    /// Calls `each` for every data row of the sheet, with a reader for the row.
    fn rows(
        &mut self,
        def: &'static SheetDef,
        mut each: impl FnMut(&mut RowReader<'_>, &mut Ctx<'_>),
    ) {
        let Some(sheet) = self.sheets.remove(def.name) else {
            return;
        };
        let header = header(self.file, def, &sheet, &mut self.problems);
        // Without a usable visits sheet, the other sheets' rows would all be reported as
        // belonging to no visit: only their headers are checked.
        if def.name == VISITS.name && header.is_none() {
            self.visits_unusable = true;
        }
        let header = header.filter(|_| !self.visits_unusable);
        if let Some(header) = header {
            let mut ctx = Ctx {
                found: &mut self.found,
                visited: &mut self.visited,
                skipped: &mut self.skipped,
            };
            for (&r, cells) in sheet.rows.range(1..) {
                let mut reader = RowReader {
                    file: self.file,
                    def,
                    sheet: &sheet.name,
                    row: r + 1,
                    household: None,
                    cells,
                    header: &header,
                    problems: &mut self.problems,
                };
                each(&mut reader, &mut ctx);
            }
        }
        self.sheets.insert(def.name, sheet);
    }

    fn run(mut self) -> Result<Vec<FilledVisit>, FormsError> {
        self.rows(&VISITS, read_visit);
        self.rows(&HOUSEHOLD, read_household);
        self.rows(&MEMBERS, |r, ctx| {
            if let Some(h) = ctx.household_of(r) {
                let member = read_member(r);
                h.members.push(member);
            }
        });
        let mut once: HashMap<&'static str, HashMap<usize, u32>> = HashMap::new();
        self.rows(&HOUSING, |r, ctx| {
            if let Some(i) = ctx.once(r, once.entry("housing").or_default()) {
                let housing = read_housing(r);
                if let Some((_, h)) = &mut ctx.found[i].household {
                    h.housing = housing;
                }
            }
        });
        self.rows(&WATER, |r, ctx| {
            if let Some(i) = ctx.once(r, once.entry("water").or_default()) {
                let water = read_water(r);
                if let Some((_, h)) = &mut ctx.found[i].household {
                    h.water = water;
                }
            }
        });
        self.rows(&APPROVAL, |r, ctx| {
            if let Some(i) = ctx.once(r, once.entry("approval").or_default()) {
                let approval = Approval {
                    exit: r.choice("exit"),
                    policies: r.choice("policies"),
                    help_received: r.choice("help_received"),
                    cadres_work: r.choice("cadres_work"),
                };
                if let Some((_, h)) = &mut ctx.found[i].household {
                    h.approval = Some(approval);
                }
            }
        });
        self.rows(&IDENTIFICATION, |r, ctx| {
            if let Some(i) = ctx.once(r, once.entry("identification").or_default()) {
                let identification = Identification {
                    owns_vehicle: r.flag("owns_vehicle"),
                    vehicle_value_yuan: r.number("vehicle_value_yuan"),
                    urban_flat_or_shop: r.flag("urban_flat_or_shop"),
                    registered_company: r.flag("registered_company"),
                    public_payroll: r.flag("public_payroll"),
                    village_cadre: r.flag("village_cadre"),
                };
                if let Some((_, h)) = &mut ctx.found[i].household {
                    h.identification = Some(identification);
                }
            }
        });
        self.rows(&NOTES, |r, ctx| {
            if let Some(i) = ctx.visit_of(r) {
                let note = Note {
                    rule: r.required(
                        "rule",
                        "name the rule the note answers, as `assess check` prints it",
                    ),
                    text: r.required("text", "say why the warning needs no correction"),
                };
                ctx.found[i].visit.notes.push(note);
                ctx.found[i].note_rows.push(r.row);
            }
        });
        self.validate();
        if self.found.is_empty() && self.problems.is_empty() && !self.visits_unusable {
            let sheet = self.sheet_name(&VISITS);
            self.problems.push(CellProblem {
                file: self.file.to_string(),
                sheet,
                row: None,
                household_id: None,
                column: None,
                message: "holds no visit (no row has a disposition); fill in a row for each household visited".to_string(),
            });
        }
        if !self.problems.is_empty() {
            let order = |p: &CellProblem| {
                SHEETS
                    .iter()
                    .position(|d| d.name.eq_ignore_ascii_case(p.sheet.trim()))
                    .unwrap_or(SHEETS.len())
            };
            self.problems
                .sort_by_key(|p| (order(p), p.row.unwrap_or(0)));
            return Err(FormsError::Invalid(self.problems));
        }
        Ok(self
            .found
            .into_iter()
            .map(|f| {
                let mut visit = f.visit;
                visit.household = f.household.map(|(_, h)| h);
                FilledVisit { row: f.row, visit }
            })
            .collect())
    }

    /// Each record's own checks ([`VisitRecord::validate`]), placed in the sheets; a cell that
    /// already has a problem is not reported twice.
    fn validate(&mut self) {
        let taken: HashSet<(String, Option<u32>, Option<String>)> = self
            .problems
            .iter()
            .map(|p| (p.sheet.clone(), p.row, p.column.clone()))
            .collect();
        let visits = self.sheet_name(&VISITS);
        let households = self.sheet_name(&HOUSEHOLD);
        let notes = self.sheet_name(&NOTES);
        let mut out = Vec::new();
        for f in self.found.iter().filter(|f| f.checked) {
            let mut visit = f.visit.clone();
            visit.household = f.household.as_ref().map(|(_, h)| h.clone());
            for p in visit.validate() {
                let d = visit.disposition.code();
                let (sheet, row, column, message) = match p.field.as_str() {
                    "household" => match &f.household {
                        None => (
                            visits.clone(),
                            f.row,
                            "disposition".to_string(),
                            format!(
                                "a {d} interview needs the household record: add a row for household {} in sheet household (and its members, housing and water)",
                                visit.household_id
                            ),
                        ),
                        Some((row, _)) => (
                            households.clone(),
                            *row,
                            "household_id".to_string(),
                            format!(
                                "the visit's disposition is {d}, and a non-interview has no household record: delete the household's rows in sheets household, members, housing, water, approval and identification, or correct the disposition"
                            ),
                        ),
                    },
                    "interviewers[0]" => (visits.clone(), f.row, "interviewer_1".to_string(), p.message),
                    "interviewers[1]" | "interviewers" => {
                        (visits.clone(), f.row, "interviewer_2".to_string(), p.message)
                    }
                    field if field.starts_with("notes[") => {
                        let i: usize = field
                            .trim_start_matches("notes[")
                            .trim_end_matches(']')
                            .parse()
                            .unwrap_or(0);
                        let row = f.note_rows.get(i).copied().unwrap_or(f.row);
                        let rule_empty = visit.notes.get(i).is_some_and(|n| n.rule.trim().is_empty());
                        let column = if rule_empty { "rule" } else { "text" };
                        (notes.clone(), row, column.to_string(), p.message)
                    }
                    field => (visits.clone(), f.row, field.replace('.', "_"), p.message),
                };
                if !taken.contains(&(sheet.clone(), Some(row), Some(column.clone()))) {
                    out.push(CellProblem {
                        file: self.file.to_string(),
                        sheet,
                        row: Some(row),
                        household_id: Some(visit.household_id.clone()),
                        column: Some(column),
                        message,
                    });
                }
            }
        }
        self.problems.extend(out);
    }
}

/// What the row readers may change: the visits found so far.
struct Ctx<'a> {
    found: &'a mut Vec<Found>,
    visited: &'a mut HashMap<String, usize>,
    skipped: &'a mut HashMap<String, u32>,
}

impl Ctx<'_> {
    /// The visit a row of a child sheet belongs to, by its `household_id`.
    fn visit_of(&mut self, r: &mut RowReader<'_>) -> Option<usize> {
        let id = r.required(
            "household_id",
            "copy the household's id from sheet visits (every row here belongs to a visit there)",
        );
        if id.is_empty() {
            return None;
        }
        r.household = Some(id.clone());
        if let Some(&i) = self.visited.get(&id) {
            return Some(i);
        }
        let message = match self.skipped.get(&id) {
            Some(row) => format!(
                "household {id} has no visit: its row {row} in sheet visits has no disposition; fill in the visit there, or delete this row"
            ),
            None => format!(
                "household {id} is not in sheet visits; every row here must belong to a household listed there: correct the id or add the visit"
            ),
        };
        r.fail("household_id", message);
        None
    }

    /// The household record a row belongs to (it needs a row in sheet household).
    fn household_of(&mut self, r: &mut RowReader<'_>) -> Option<&mut HouseholdRecord> {
        let i = self.visit_of(r)?;
        if self.found[i].household.is_none() {
            let id = self.found[i].visit.household_id.clone();
            r.fail(
                "household_id",
                format!(
                    "household {id} has no row in sheet household; add it there (status, income_year, ...) or delete this row"
                ),
            );
            return None;
        }
        self.found[i].household.as_mut().map(|(_, h)| h)
    }

    /// For the sheets with one row per household: the visit, once.
    fn once(&mut self, r: &mut RowReader<'_>, seen: &mut HashMap<usize, u32>) -> Option<usize> {
        self.household_of(r)?;
        let i = self.visit_of_known(r)?;
        if let Some(first) = seen.get(&i) {
            r.fail(
                "household_id",
                format!("appears again (first at row {first}); give one row per household, or delete this one"),
            );
            return None;
        }
        seen.insert(i, r.row);
        Some(i)
    }

    fn visit_of_known(&self, r: &RowReader<'_>) -> Option<usize> {
        r.household
            .as_ref()
            .and_then(|id| self.visited.get(id).copied())
    }
}

fn read_visit(r: &mut RowReader<'_>, ctx: &mut Ctx<'_>) {
    let household_id = r.text("household_id").unwrap_or_default();
    if r.blank_except(PREFILLED) {
        if !household_id.is_empty() {
            ctx.skipped.entry(household_id).or_insert(r.row);
        }
        return;
    }
    if !household_id.is_empty() {
        r.household = Some(household_id.clone());
    }
    let draw_id = r.required(
        "draw_id",
        "copy the draw's id (sample_sha256) from `assess draws`",
    );
    let household_id = r.required(
        "household_id",
        "copy the household's id from the draw's sample.csv",
    );
    let disposition = match r.choice_name("disposition", crate::columns::DISPOSITIONS) {
        None => {
            if r.get("disposition").is_none() {
                r.fail(
                    "disposition",
                    "is empty; write what happened (complete, partial, refused, non_contact, ineligible, relocated, eligibility_unknown)".to_string(),
                );
            }
            None
        }
        Some("ineligible") => match r.choice("ineligible_reason") {
            Some(reason) => Some(Disposition::Ineligible(reason)),
            None => {
                if r.get("ineligible_reason").is_none() {
                    r.fail(
                        "ineligible_reason",
                        "is empty; an ineligible household needs the reason: dissolved, moved_out_of_county or duplicate".to_string(),
                    );
                }
                None
            }
        },
        Some(code) => {
            if r.get("ineligible_reason").is_some() {
                r.fail(
                    "ineligible_reason",
                    format!("is given for a {code} visit; only an ineligible visit has a reason: clear it, or set the disposition to ineligible"),
                );
            }
            serde_json::from_value(serde_json::Value::String(code.to_string())).ok()
        }
    };
    let mode = r.choice("mode");
    let team = r.required("team", "name the field team");
    let interviewers = [
        r.required("interviewer_1", "name both interviewers"),
        r.required("interviewer_2", "name both interviewers"),
    ];
    let start = r.time("start");
    let end = r.time("end");
    let gps_start = gps(r, "gps_start");
    let gps_end = gps(r, "gps_end");
    if household_id.is_empty() {
        return;
    }
    if let Some(&i) = ctx.visited.get(&household_id) {
        let first = ctx.found[i].row;
        r.fail(
            "household_id",
            format!("appears again (first at row {first}); give one row per household"),
        );
        return;
    }
    // A row with problems still counts as the household's visit, so that the rows of the
    // other sheets are checked against it; no record is returned while any problem remains.
    let checked = disposition.is_some();
    let disposition = disposition.unwrap_or(Disposition::EligibilityUnknown);
    ctx.visited.insert(household_id.clone(), ctx.found.len());
    ctx.found.push(Found {
        row: r.row,
        visit: VisitRecord {
            draw_id,
            household_id,
            disposition,
            mode,
            team,
            interviewers,
            start,
            end,
            gps_start,
            gps_end,
            household: None,
            notes: Vec::new(),
        },
        household: None,
        note_rows: Vec::new(),
        checked,
    });
}

fn gps(r: &mut RowReader<'_>, prefix: &str) -> Option<Gps> {
    let (lat_col, lon_col) = (format!("{prefix}_lat"), format!("{prefix}_lon"));
    let lat = r.number(&lat_col);
    let lon = r.number(&lon_col);
    match (lat, lon) {
        (Some(lat), Some(lon)) => Some(Gps { lat, lon }),
        (None, None) => None,
        (Some(_), None) if r.get(&lon_col).is_none() => {
            r.fail(
                &lon_col,
                format!("is empty while {lat_col} is given; give both or neither"),
            );
            None
        }
        (None, Some(_)) if r.get(&lat_col).is_none() => {
            r.fail(
                &lat_col,
                format!("is empty while {lon_col} is given; give both or neither"),
            );
            None
        }
        _ => None,
    }
}

fn read_household(r: &mut RowReader<'_>, ctx: &mut Ctx<'_>) {
    let Some(i) = ctx.visit_of(r) else {
        return;
    };
    let status = r.choice("status");
    if r.get("status").is_none() {
        r.fail(
            "status",
            "is empty; write the register status: exited, poor or non_registered".to_string(),
        );
    }
    let income_year = r.whole::<u16>("income_year", u64::from(u16::MAX));
    if r.get("income_year").is_none() {
        r.fail(
            "income_year",
            "is empty; write the year the income refers to, e.g. 2019".to_string(),
        );
    }
    let record = HouseholdRecord {
        household_id: r.household.clone().unwrap_or_default(),
        status: status.unwrap_or(assess_household::Status::NonRegistered),
        register_members: r.whole("register_members", u64::from(u32::MAX)),
        members: Vec::new(),
        income_year: income_year.unwrap_or_default(),
        income: IncomeBySource {
            wages: r.number("wages"),
            business_net: r.number("business_net"),
            property: r.number("property"),
            transfers: r.number("transfers"),
            in_kind: r.number("in_kind"),
        },
        food_adequate: r.flag("food_adequate"),
        clothing_adequate: r.flag("clothing_adequate"),
        protein_available: r.flag("protein_available"),
        housing: Housing::default(),
        water: Water::default(),
        income_per_person_stated: r.number("income_per_person_stated"),
        approval: None,
        identification: None,
    };
    let f = &mut ctx.found[i];
    if let Some((first, _)) = &f.household {
        r.fail(
            "household_id",
            format!("appears again (first at row {first}); give one row per household, or delete this one"),
        );
        return;
    }
    f.household = Some((r.row, record));
}

fn read_member(r: &mut RowReader<'_>) -> Member {
    let id = r.required("member_id", "number the members 1, 2, ... or write a name");
    let id_number = r
        .text("id_number")
        .and_then(|text| match IdNumber::parse(&text) {
            Ok(n) => Some(n),
            Err(e) => {
                r.fail("id_number", format!("{e}; correct it (or clear the cell)"));
                None
            }
        });
    Member {
        id,
        birth_date: r.date("birth_date"),
        age: r.whole("age", 150),
        sex: r.choice("sex"),
        schooling: r.choice("schooling"),
        cover: MedicalCover {
            basic_medical_insurance: r.flag("basic_medical_insurance"),
            serious_illness_insurance: r.flag("serious_illness_insurance"),
            medical_assistance: r.flag("medical_assistance"),
        },
        id_number,
    }
}

fn read_housing(r: &mut RowReader<'_>) -> Housing {
    Housing {
        site_dangerous: r.flag("site_dangerous"),
        components: Components {
            load_bearing_walls: r.choice("load_bearing_walls"),
            foundation: r.choice("foundation"),
            roof_truss: r.choice("roof_truss"),
            wood_members: r.choice("wood_members"),
        },
        inspector_grade: r.choice("inspector_grade"),
        renovation: r.choice("renovation"),
    }
}

fn read_water(r: &mut RowReader<'_>) -> Water {
    Water {
        litres_per_person_day: r.number("litres_per_person_day"),
        water_scarce_area: r.flag("water_scarce_area"),
        piped_to_yard: r.flag("piped_to_yard"),
        fetch_minutes: r.number("fetch_minutes"),
        horizontal_m: r.number("horizontal_m"),
        vertical_m: r.number("vertical_m"),
        outage_days: r.whole("outage_days", 366),
        quality_ok: r.flag("quality_ok"),
    }
}
