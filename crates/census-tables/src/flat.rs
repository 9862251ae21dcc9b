//! A unit's table as one flat row of typed cells, for columnar exports (the Parquet dataset
//! of `assess census tables`): the workbook's columns ([`crate::columns`]), plus the met and
//! unmet counts behind each share, so that a reader can add counties up exactly.

use crate::columns::{unit_columns, Value};
use crate::tables::{UnitTable, ITEMS};

/// A cell of a flat row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (codes, names).
    Text(String),
    /// A count.
    Int(u64),
    /// A share or an amount; `None` when it has no denominator.
    Num(Option<f64>),
}

/// The flat columns' names, in order, and each row's cells in that order.
pub fn flat_table<'a>(
    units: impl IntoIterator<Item = &'a UnitTable>,
    quality: &[String],
) -> (Vec<String>, Vec<Vec<Cell>>) {
    let cols = unit_columns(quality);
    let mut names: Vec<String> = cols.iter().map(|c| c.key.clone()).collect();
    for (key, _, _) in ITEMS {
        names.push(format!("{key}_met"));
        names.push(format!("{key}_unmet"));
    }
    let rows = units
        .into_iter()
        .map(|t| {
            let mut row: Vec<Cell> = cols
                .iter()
                .map(|c| match (c.value)(t) {
                    Value::Text(s) | Value::Code(s) => Cell::Text(s),
                    Value::Int(n) => Cell::Int(n),
                    Value::Pct(x) | Value::Yuan(x) => Cell::Num(x),
                })
                .collect();
            for tally in &t.attainment {
                row.push(Cell::Int(tally.met));
                row.push(Cell::Int(tally.unmet));
            }
            row
        })
        .collect();
    (names, rows)
}
