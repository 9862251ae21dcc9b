//! Tables exported as a hive-partitioned Parquet dataset
//! (`DIR/counties/province=PP/county=CCCCCC/part-0.parquet`), which DuckDB, Spark and Trino
//! read as they are: the census tables of `assess census tables`, county by county.

use crate::error::StoreError;
use crate::parts::write_parquet_unsynced;
use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use std::path::Path;
use std::sync::Arc;

/// A cell of an exported row.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportCell {
    /// Text.
    Text(String),
    /// A count.
    Int(i64),
    /// A number; `None` is a null.
    Num(Option<f64>),
}

/// Writes `rows` (cells in the order of `columns`) as one Parquet file at `path`; each
/// column's type is its first row's (text, 64-bit integer or nullable double). Not synced:
/// the caller writes into a staged directory and commits it whole
/// (`assess_output::StagedDir::commit` makes every file durable at once, where a sync per file
/// was most of the time of writing a table per county).
pub fn write_rows(
    path: &Path,
    columns: &[String],
    rows: &[Vec<ExportCell>],
) -> Result<(), StoreError> {
    let Some(first) = rows.first() else {
        return Err(StoreError::Export {
            path: path.to_path_buf(),
            reason: "no rows".into(),
        });
    };
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (i, name) in columns.iter().enumerate() {
        let cell = |r: &Vec<ExportCell>| r.get(i).cloned();
        match first.get(i) {
            Some(ExportCell::Text(_)) => {
                fields.push(Field::new(name, DataType::Utf8, false));
                arrays.push(Arc::new(StringArray::from_iter_values(rows.iter().map(
                    |r| match cell(r) {
                        Some(ExportCell::Text(s)) => s,
                        _ => String::new(),
                    },
                ))));
            }
            Some(ExportCell::Int(_)) => {
                fields.push(Field::new(name, DataType::Int64, false));
                arrays.push(Arc::new(Int64Array::from_iter_values(rows.iter().map(
                    |r| match cell(r) {
                        Some(ExportCell::Int(n)) => n,
                        _ => 0,
                    },
                ))));
            }
            _ => {
                fields.push(Field::new(name, DataType::Float64, true));
                arrays.push(Arc::new(Float64Array::from_iter(rows.iter().map(
                    |r| match cell(r) {
                        Some(ExportCell::Num(x)) => x,
                        _ => None,
                    },
                ))));
            }
        }
    }
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(|e| {
        StoreError::Export {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    })?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
    }
    write_parquet_unsynced(path, &[batch]).map(drop)
}
