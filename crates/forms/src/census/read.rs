//! Reading a filled census workbook: the sheets found by name, each header row mapped to the
//! census columns (English names or Chinese aliases), the rows of every sheet joined to their
//! return by `return_id`, every cell turned into the census CSV layout's text and checked by
//! `assess-census`, and each return assembled by it. Every problem is a
//! [`ReturnError`] naming the sheet, row and column.

use super::{sheet_of, CensusSheet, CENSUS_SHEETS, RETURNS};
use crate::columns::README;
use crate::read::load::{read_cells, unreadable, Cell, Rows};
use crate::read::row::{letters, number_text};
use crate::read::EXCEL_TIME_OFFSET;
use crate::FormsError;
use assess_census::{column_named, csv_columns, Numbered, Problem, ReturnError};
use calamine::{Reader, Xlsx};
use std::collections::HashMap;
use std::io::Cursor;
use std::panic::AssertUnwindSafe;

/// Reads the returns of a filled census workbook, in the order of sheet `returns`, each with
/// its row there (1-based, as Excel shows it) or the error that refuses it (naming sheet,
/// row and column); a row of another sheet that belongs to no return is an error of its own.
/// A header that cannot be used (an unknown, doubled or missing column, a sheet that is not
/// the template's) gives those errors and no return. `file` names the workbook in messages.
/// A damaged file, one over the limits or one without a `returns` sheet is a
/// [`FormsError`].
pub fn read_census(
    file: &str,
    bytes: &[u8],
) -> Result<Vec<Result<Numbered, ReturnError>>, FormsError> {
    std::panic::catch_unwind(AssertUnwindSafe(|| read(file, bytes)))
        .unwrap_or_else(|_| Err(unreadable(file, "the XLSX reader failed on its content")))
}

/// A cell of a return, with where it came from.
#[derive(Clone)]
struct Placed {
    text: String,
    sheet: &'static str,
    row: u32,
}

/// A return being gathered from the sheets.
struct Gathered {
    id: String,
    row: u32,
    cells: HashMap<&'static str, Placed>,
    /// Rows of sheet `members`: each member's cells.
    members: Vec<HashMap<&'static str, Placed>>,
    /// The return's row in each sheet that has one (the first, for `members`).
    sheet_rows: HashMap<&'static str, u32>,
    /// The first problem found: the return is refused with it.
    error: Option<ReturnError>,
}

fn read(file: &str, bytes: &[u8]) -> Result<Vec<Result<Numbered, ReturnError>>, FormsError> {
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
    if !names
        .iter()
        .any(|n| n.trim().eq_ignore_ascii_case(RETURNS.name))
    {
        return Err(FormsError::NoReturnsSheet {
            file: file.to_string(),
            found: names,
        });
    }
    let mut errors = Vec::new();
    let mut sheets: Vec<(&'static CensusSheet, String, Rows)> = Vec::new();
    for name in &names {
        let key = name.trim();
        if key.eq_ignore_ascii_case(README) {
            continue;
        }
        let rows = read_cells(file, &mut xlsx, name)?;
        match CENSUS_SHEETS
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(key))
        {
            Some(def) if sheets.iter().any(|(d, _, _)| d.name == def.name) => {
                errors.push(at(
                    file,
                    name,
                    1,
                    None,
                    "sheet",
                    format!(
                        "is a second sheet `{}`; keep one and move its rows there",
                        def.name
                    ),
                ));
            }
            Some(def) => sheets.push((def, name.clone(), rows)),
            None if rows.is_empty() => {}
            None => errors.push(at(
                file,
                name,
                1,
                None,
                "sheet",
                format!(
                    "is not a sheet of the census template (its sheets are {}); move its rows to \
                 the right sheet, or delete the sheet",
                    CENSUS_SHEETS.map(|s| s.name).join(", ")
                ),
            )),
        }
    }
    let mut headers = Vec::new();
    for (def, name, rows) in &sheets {
        headers.push(header(file, def, name, rows, &mut errors));
    }
    if !errors.is_empty() {
        return Ok(errors.into_iter().map(Err).collect());
    }
    // Sheet `returns` first: it makes the returns the other sheets join.
    let order = {
        let mut order: Vec<usize> = (0..sheets.len()).collect();
        order.sort_by_key(|&k| sheets[k].0.name != RETURNS.name);
        order
    };
    let mut returns: Vec<Gathered> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut orphans = Vec::new();
    for k in order {
        let (def, name, rows) = &sheets[k];
        let columns = &headers[k];
        let mut seen: HashMap<usize, u32> = HashMap::new();
        for (&r, cells) in rows.iter().filter(|(r, _)| **r > 0) {
            let row = r + 1;
            let mut placed: HashMap<&'static str, Placed> = HashMap::new();
            let mut problem = None;
            for (&c, cell) in cells {
                let Some(column) = columns.get(&c) else {
                    problem.get_or_insert(Problem::new(
                        letters(c),
                        "holds a value but its column has no name in row 1; name the column \
                         or clear the cell",
                    ));
                    continue;
                };
                match cell_text(column, cell) {
                    Ok(text) => {
                        placed.insert(
                            column,
                            Placed {
                                text,
                                sheet: def.name,
                                row,
                            },
                        );
                    }
                    Err(p) => {
                        problem.get_or_insert(p);
                    }
                }
            }
            let id = placed.get("return_id").map(|p| p.text.clone());
            let error =
                |p: Problem| ReturnError::in_sheet(file, name, u64::from(row), id.as_deref(), p);
            if def.name == RETURNS.name {
                let Some(id_text) = id.clone() else {
                    orphans.push(error(Problem::new(
                        "return_id",
                        "is empty; every return has an id",
                    )));
                    continue;
                };
                if let Some(&first) = by_id.get(&id_text) {
                    orphans.push(error(Problem::new(
                        "return_id",
                        format!(
                            "is also the id of row {} of sheet returns; a return id is unique, and \
                             the other sheets' rows join their return by it",
                            returns[first].row
                        ),
                    )));
                    continue;
                }
                by_id.insert(id_text.clone(), returns.len());
                returns.push(Gathered {
                    id: id_text,
                    row,
                    cells: placed,
                    members: Vec::new(),
                    sheet_rows: HashMap::from([(RETURNS.name, row)]),
                    error: problem.map(error),
                });
                continue;
            }
            let Some(&target) = id.as_ref().and_then(|id| by_id.get(id)) else {
                let why = match &id {
                    None => "is empty; every row belongs to a return of sheet returns by its id"
                        .to_string(),
                    Some(id) => format!(
                        "{id:?} is the id of no row of sheet returns; correct it, or add the return"
                    ),
                };
                orphans.push(error(Problem::new("return_id", why)));
                continue;
            };
            let g = &mut returns[target];
            g.sheet_rows.entry(def.name).or_insert(row);
            if let Some(p) = problem {
                g.error.get_or_insert(error(p));
            }
            if def.one_per_return {
                if let Some(first) = seen.insert(target, row) {
                    g.error.get_or_insert(error(Problem::new(
                        "return_id",
                        format!(
                            "the return already has row {first} in this sheet; one row per return"
                        ),
                    )));
                    continue;
                }
                placed.remove("return_id");
                g.cells.extend(placed);
            } else {
                g.members.push(placed);
            }
        }
    }
    let sheet_names: HashMap<&str, &str> = sheets
        .iter()
        .map(|(d, name, _)| (d.name, name.as_str()))
        .collect();
    let mut out: Vec<Result<Numbered, ReturnError>> = returns
        .into_iter()
        .map(|g| assemble(file, &sheet_names, g))
        .collect();
    out.extend(orphans.into_iter().map(Err));
    Ok(out)
}

fn at(
    file: &str,
    sheet: &str,
    row: u64,
    id: Option<&str>,
    field: &str,
    message: String,
) -> ReturnError {
    ReturnError::in_sheet(file, sheet, row, id, Problem::new(field, message))
}

/// Row 1 of a sheet: the census column of each named 0-based column.
fn header(
    file: &str,
    def: &CensusSheet,
    name: &str,
    rows: &Rows,
    errors: &mut Vec<ReturnError>,
) -> HashMap<u32, &'static str> {
    let mut found: HashMap<u32, &'static str> = HashMap::new();
    let mut problem =
        |field: &str, message: String| errors.push(at(file, name, 1, None, field, message));
    let listed = def.columns.join(", ");
    for (&c, cell) in rows.get(&0).into_iter().flatten() {
        let text = match cell {
            Cell::Text(s) => s.clone(),
            Cell::Number(x) => number_text(*x),
            other => format!("{other:?}"),
        };
        match column_named(&text).filter(|n| def.columns.contains(n)) {
            None => problem(
                &text,
                format!(
                    "is not a column of sheet {} (its columns are {listed}, or their Chinese \
                     headers); correct the name or delete the column",
                    def.name
                ),
            ),
            Some(column) => {
                if let Some((&first, _)) = found.iter().find(|(_, n)| **n == column) {
                    problem(
                        column,
                        format!(
                            "appears twice (columns {} and {}); delete one",
                            letters(first),
                            letters(c)
                        ),
                    );
                } else {
                    found.insert(c, column);
                }
            }
        }
    }
    let has_rows = rows.keys().any(|r| *r > 0);
    if has_rows || def.name == RETURNS.name {
        let info = assess_census::column_info();
        for column in def.columns {
            let required =
                *column == "return_id" || info.iter().any(|c| c.name == *column && c.required);
            if required && !found.values().any(|n| n == column) {
                problem(
                    column,
                    "the column is missing; add it to row 1 (a new template has every column)"
                        .to_string(),
                );
            }
        }
    }
    found
}

/// A cell as the census CSV layout's text for its column.
fn cell_text(column: &str, cell: &Cell) -> Result<String, Problem> {
    let bad = |message: String| Err(Problem::new(column, message));
    let info = assess_census::column_info();
    let numeric = info.iter().any(|c| c.name == column && c.numeric);
    let date = info.iter().any(|c| c.name == column && c.date);
    match cell {
        Cell::Text(s) => Ok(s.clone()),
        Cell::Bool(b) => Ok(b.to_string()),
        Cell::Number(x) if numeric => Ok(number_text(*x)),
        Cell::Number(x) if column == "id_number" || x.abs() >= 1e15 => bad(format!(
            "is stored as a number ({x}), which loses digits; format the column as text and \
             type the value again"
        )),
        Cell::Number(x) => Ok(number_text(*x)),
        Cell::Date((y, mo, d, h, mi, s, _)) if column == "start" || column == "end" => Ok(format!(
            "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{EXCEL_TIME_OFFSET}"
        )),
        Cell::Date((y, mo, d, ..)) if date => Ok(format!("{y:04}-{mo:02}-{d:02}")),
        Cell::Date(_) => bad(
            "is a date cell, which the column does not hold; format the column as text and type \
             the value again"
                .to_string(),
        ),
        Cell::Error(e) => bad(format!("holds the Excel error {e}; correct the cell")),
    }
}

/// The return from its gathered cells, through the census CSV layout's rows.
fn assemble(
    file: &str,
    sheet_names: &HashMap<&str, &str>,
    g: Gathered,
) -> Result<Numbered, ReturnError> {
    if let Some(e) = g.error {
        return Err(e);
    }
    let id = g.id.as_str();
    let shown = |sheet: &str| sheet_names.get(sheet).copied().unwrap_or(sheet).to_string();
    let located = |p: Problem, place: Option<&Placed>| {
        let (sheet, row) = match place {
            Some(p) => (p.sheet, p.row),
            None => {
                // A column with no cell: the return's row of the column's sheet, else its row
                // of sheet returns.
                let sheet = sheet_of(&p.field).name;
                match g.sheet_rows.get(sheet) {
                    Some(&row) => (sheet, row),
                    None => (RETURNS.name, g.row),
                }
            }
        };
        ReturnError::in_sheet(file, &shown(sheet), u64::from(row), Some(id), p)
    };
    let columns = csv_columns();
    let mut base = vec![String::new(); columns.len()];
    for (k, name) in columns.iter().enumerate() {
        if let Some(p) = g.cells.get(name) {
            assess_census::check_cell(name, &p.text).map_err(|e| located(e, Some(p)))?;
            base[k].clone_from(&p.text);
        }
    }
    let mut rows = Vec::with_capacity(g.members.len().max(1));
    for member in &g.members {
        let mut row = base.clone();
        for (k, name) in columns.iter().enumerate() {
            if let Some(p) = member.get(name) {
                if *name == "return_id" {
                    continue;
                }
                assess_census::check_cell(name, &p.text).map_err(|e| located(e, Some(p)))?;
                row[k].clone_from(&p.text);
            }
        }
        rows.push(row);
    }
    if rows.is_empty() {
        rows.push(base);
    }
    let census_return = assess_census::return_from_rows(&rows).map_err(|p| {
        let place = g
            .cells
            .get(p.field.as_str())
            .or_else(|| g.members.iter().find_map(|m| m.get(p.field.as_str())));
        located(p, place)
    })?;
    Ok(Numbered {
        line: u64::from(g.row),
        census_return,
    })
}
