//! Reading one sheet row into typed fields: row 1 as the sheet's header (the position of
//! each known column; unknown, doubled, missing and unnamed columns refused), then a data
//! row's cells as text, numbers, whole numbers, flags, listed choices, times and dates, each
//! problem recorded with its file, sheet, row, column and what to do.
//!
//! Not for: which column fills which field of the record, or which visit a row belongs to
//! (`assemble`); opening the workbook or finding its sheets (`load`).

use super::load::{Cell, Sheet};
use super::EXCEL_TIME_OFFSET;
use crate::columns::{labels_zh, values, Kind, Label, Req, SheetDef, BOOLS, VISITS};
use crate::CellProblem;
use assess_inspection::{parse_rfc3339, BirthDate};
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A number as it would be typed: integral values without ".0".
pub(crate) fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Excel's column letters of a 0-based column index.
pub(crate) fn letters(mut c: u32) -> String {
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
pub(super) type Header = HashMap<&'static str, u32>;

/// Reads row 1 of a sheet; `None` (with the problems recorded) when it cannot be used.
pub(super) fn header(
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
pub(super) struct RowReader<'a> {
    pub(super) file: &'a str,
    pub(super) def: &'static SheetDef,
    pub(super) sheet: &'a str,
    pub(super) row: u32,
    pub(super) household: Option<String>,
    pub(super) cells: &'a BTreeMap<u32, Cell>,
    pub(super) header: &'a Header,
    pub(super) problems: &'a mut Vec<CellProblem>,
}

impl RowReader<'_> {
    pub(super) fn get(&self, column: &str) -> Option<&Cell> {
        self.header.get(column).and_then(|c| self.cells.get(c))
    }

    pub(super) fn fail(&mut self, column: &str, message: String) {
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
    pub(super) fn blank_except(&self, except: impl Fn(&str) -> bool) -> bool {
        !self
            .header
            .iter()
            .any(|(name, c)| !except(name) && self.cells.contains_key(c))
    }

    /// A problem common to every kind: an Excel error value.
    fn error_cell(&mut self, column: &str, e: &str) {
        self.fail(
            column,
            format!("holds the Excel error {e}; replace it with a value or clear the cell"),
        );
    }

    pub(super) fn text(&mut self, column: &str) -> Option<String> {
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
    pub(super) fn required(&mut self, column: &str, what_to_do: &str) -> String {
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

    pub(super) fn number(&mut self, column: &str) -> Option<f64> {
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

    pub(super) fn whole<T: TryFrom<u64>>(&mut self, column: &str, max: u64) -> Option<T> {
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

    pub(super) fn flag(&mut self, column: &str) -> Option<bool> {
        let cell = self.get(column)?.clone();
        match cell {
            Cell::Bool(b) => Some(b),
            Cell::Text(s) => match BOOLS.iter().find(|b| b.matches(&s)) {
                Some(b) => Some(b.value == "true"),
                None => {
                    self.fail(
                        column,
                        format!("{s:?} is not true or false; pick true or false (是 or 否) from the list (leave it blank when not asked)"),
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

    /// One of the column's listed values (case does not matter) or its Chinese label, as
    /// its JSON name.
    pub(super) fn choice_name(&mut self, column: &str, list: &[Label]) -> Option<&'static str> {
        let s = self.text(column)?;
        match list.iter().find(|v| v.matches(&s)) {
            Some(v) => Some(v.value),
            None => {
                self.fail(
                    column,
                    format!(
                        "{s:?} is not one of {} (in Chinese {}); pick a value from the list",
                        values(list, ", "),
                        labels_zh(list, ", ")
                    ),
                );
                None
            }
        }
    }

    pub(super) fn choice<T: DeserializeOwned>(&mut self, column: &str) -> Option<T> {
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
    pub(super) fn time(&mut self, column: &str) -> String {
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

    pub(super) fn date(&mut self, column: &str) -> Option<BirthDate> {
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
