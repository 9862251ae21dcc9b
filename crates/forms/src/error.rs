//! What can go wrong reading or writing a workbook.

/// One problem in a filled workbook, where Excel shows it: the sheet, the row (1-based, as in
/// Excel's margin) and the column by its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    /// The file, as given.
    pub file: String,
    /// The sheet.
    pub sheet: String,
    /// The row, 1-based as Excel numbers it (row 1 holds the headers); `None` for the sheet
    /// as a whole.
    pub row: Option<u32>,
    /// The household the row belongs to, when it could be read.
    pub household_id: Option<String>,
    /// The column's header (or its letter when it has none), when the problem is in a cell.
    pub column: Option<String>,
    /// What is wrong and what to do.
    pub message: String,
}

impl std::fmt::Display for CellProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, sheet {}", self.file, self.sheet)?;
        if let Some(r) = self.row {
            write!(f, ", row {r}")?;
        }
        if let Some(h) = &self.household_id {
            write!(f, ", household {h}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column {c}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Why a workbook could not be read or written. When reading fails, no record is returned.
#[derive(Debug, thiserror::Error)]
pub enum FormsError {
    /// The file is not an XLSX workbook, or is damaged (truncated, not a ZIP, bad XML).
    #[error(
        "{file}: not a readable XLSX workbook ({cause}); if the file was copied or downloaded, \
         copy it again; otherwise open it in Excel or WPS and save it as an Excel workbook \
         (.xlsx), or fill a new template from `assess template`"
    )]
    Workbook {
        /// The file, as given.
        file: String,
        /// What the XLSX reader reported.
        cause: String,
    },
    /// The workbook is over a limit (docs/forms.md, Limits): refused before it is read.
    #[error(
        "{file}: the workbook is refused before it is read: {reason}; a filled template is \
         far smaller: fill a new template from `assess template` (docs/forms.md, Limits)"
    )]
    Limits {
        /// The file, as given.
        file: String,
        /// What is over which limit.
        reason: String,
    },
    /// The workbook has no `visits` sheet: not a filled template.
    #[error(
        "{file}: the workbook has no sheet `visits` ({}); it is not a filled visit-record \
         template: fill the workbook made by `assess template` (one sheet per section, \
         keeping the sheet names)",
        sheets_text(found)
    )]
    NoVisitsSheet {
        /// The file, as given.
        file: String,
        /// The sheets it has.
        found: Vec<String>,
    },
    /// The workbook has no `returns` sheet: not a filled census template.
    #[error(
        "{file}: the workbook has no sheet `returns` ({}); it is not a filled census \
         template: fill the workbook made by `assess census template` (keeping the sheet names)",
        sheets_text(found)
    )]
    NoReturnsSheet {
        /// The file, as given.
        file: String,
        /// The sheets it has.
        found: Vec<String>,
    },
    /// Cells are wrong; every problem found is listed.
    #[error("{}", problems_text(.0))]
    Invalid(Vec<CellProblem>),
    /// A value for a column the sheet does not have (a bug).
    #[error("internal error, please report it: no column {column} in sheet {sheet}")]
    NoColumn {
        /// The column.
        column: String,
        /// The sheet.
        sheet: String,
    },
    /// Building the workbook failed (a limit of the XLSX format).
    #[error("writing the workbook")]
    Write(#[from] rust_xlsxwriter::XlsxError),
}

fn sheets_text(found: &[String]) -> String {
    if found.is_empty() {
        "it has no sheet at all".to_string()
    } else {
        format!("its sheets: {}", found.join(", "))
    }
}

const SHOWN: usize = 50;

fn problems_text(problems: &[CellProblem]) -> String {
    let mut text = format!(
        "{} problem{} found; nothing was imported",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    // A cell may echo an identity number (a type error on it, a value in the wrong column):
    // never in full in a message.
    for p in problems.iter().take(SHOWN) {
        let line = assess_inspection::mask_identity_numbers(&p.to_string());
        text.push_str(&format!("\n  {line}"));
    }
    if problems.len() > SHOWN {
        text.push_str(&format!("\n  ... and {} more", problems.len() - SHOWN));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identity_number_in_a_cell_message_is_masked() {
        let problem = CellProblem {
            file: "visits.xlsx".into(),
            sheet: "members".into(),
            row: Some(4),
            household_id: Some("530128001202-0001".into()),
            column: Some("age".into()),
            message: "\"110101199003077777\" is not a whole number of years".into(),
        };
        let text = FormsError::Invalid(vec![problem]).to_string();
        assert!(!text.contains("110101199003077777"), "{text}");
        assert!(text.contains("530128001202-0001"), "{text}");
    }
}
