//! Visit records from a file: a JSON array, JSON Lines, or a filled XLSX template (told by
//! content, or by its .xlsx name), each record numbered in order with the line (or the row of
//! sheet `visits`) where it starts; then imported all or nothing.

use crate::error::{io, AppError};
use assess_inspection::{NumberedVisit, VisitRecord};
use assess_store::{Store, VisitImport};
use std::path::Path;

/// Reads every record of a file; `name` names it in messages. A file with any problem is
/// refused whole, with every problem listed.
pub fn read_visit_file(name: &str, bytes: Vec<u8>) -> Result<Vec<NumberedVisit>, AppError> {
    if assess_forms::is_workbook(name, &bytes) {
        // docs/forms.md: a record's "line" is its row of sheet `visits`.
        return Ok(assess_forms::read_filled(name, &bytes)?
            .into_iter()
            .enumerate()
            .map(|(i, f)| NumberedVisit {
                number: i + 1,
                line: f.row as usize,
                visit: f.visit,
            })
            .collect());
    }
    // Bytes that are not UTF-8 are refused with the record and line they are in.
    Ok(assess_inspection::parse_visit_bytes(name, &bytes)?)
}

/// Reads the file at `path` ([`read_visit_file`]).
pub fn read_visit_path(path: &Path) -> Result<Vec<NumberedVisit>, AppError> {
    let bytes = std::fs::read(path).map_err(io("reading", path))?;
    read_visit_file(&path.display().to_string(), bytes)
}

/// The one visit record of a JSON file (an object, or an array or JSON Lines of exactly one),
/// as a review or appeal step takes it.
pub fn read_one_record(path: &Path) -> Result<VisitRecord, AppError> {
    let bytes = std::fs::read(path).map_err(io("reading", path))?;
    let name = path.display().to_string();
    let mut records = assess_inspection::parse_visit_bytes(&name, &bytes)?;
    if records.len() != 1 {
        return Err(AppError::NotOneRecord {
            file: name,
            records: records.len(),
        });
    }
    Ok(records.remove(0).visit)
}

/// Imports the records read from `file`, in one transaction: versioned (a changed record
/// adds a version), idempotent (an identical one changes nothing), all or nothing.
pub async fn import(
    store: &Store,
    file: &str,
    visits: &[NumberedVisit],
) -> Result<VisitImport, AppError> {
    Ok(store.import_visits(file, visits).await?)
}
