//! Problems of one return, and where they are.

use std::fmt;

/// One problem of one return: the field (its CSV column name, which is also its JSON name)
/// and what is wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field concerned (`end`, `village_code`, `wages`, `id_number`, ...).
    pub field: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl Problem {
    /// A problem of `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// A refused row: the file, the line (in a workbook: the sheet and row), the return (when its
/// id could be read), the field and the reason. Identity numbers in the reason are masked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {}{problem}", location(.file, .sheet, *.line), return_label(.return_id))]
pub struct ReturnError {
    /// The file's name, as the caller gave it.
    pub file: String,
    /// In a workbook, the sheet of the row; `None` for CSV and JSON Lines (boxed: the error
    /// stays small).
    pub sheet: Option<Box<str>>,
    /// 1-based line of the row (CSV: the return's first row; JSON Lines: its line; a
    /// workbook: the row as Excel numbers it).
    pub line: u64,
    /// The return's id, when it could be read.
    pub return_id: Option<String>,
    /// The field and the reason.
    pub problem: Problem,
}

fn location(file: &str, sheet: &Option<Box<str>>, line: u64) -> String {
    match sheet {
        Some(sheet) => format!("{file}, sheet {sheet}, row {line}"),
        None => format!("{file}:{line}"),
    }
}

fn return_label(id: &Option<String>) -> String {
    match id {
        Some(id) => format!("return {id}: "),
        None => String::new(),
    }
}

impl ReturnError {
    /// A problem located at `file`:`line`. Identity numbers in the message are masked.
    pub fn at(file: &str, line: u64, return_id: Option<&str>, problem: Problem) -> ReturnError {
        ReturnError {
            file: file.to_string(),
            sheet: None,
            line,
            return_id: return_id.map(str::to_string),
            problem: Problem {
                field: problem.field,
                message: assess_inspection::mask_identity_numbers(&problem.message),
            },
        }
    }

    /// A problem located at a row of a workbook's sheet; the problem's field is the column.
    pub fn in_sheet(
        file: &str,
        sheet: &str,
        row: u64,
        return_id: Option<&str>,
        problem: Problem,
    ) -> ReturnError {
        ReturnError {
            sheet: Some(sheet.into()),
            ..ReturnError::at(file, row, return_id, problem)
        }
    }
}
