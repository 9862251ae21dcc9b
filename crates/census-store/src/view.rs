//! A county's returns as the store's Arrow columns, read field by field through
//! [`ReturnFields`] without making a [`ReturnRow`](assess_census::ReturnRow) each: what the
//! coverage and the tables count, where a row per return (an owned string per id, a few
//! hundred bytes moved) was most of the time of counting millions of returns.

use crate::error::StoreError;
use arrow_array::{
    Array, BooleanArray, Float64Array, Int64Array, RecordBatch, StringViewArray, UInt32Array,
};
use assess_census::{
    RegisterFields, ReturnFields, AMOUNT_COLUMNS, ATTAINMENT_COLUMNS, INCOME_COLUMN,
    RETURN_ID_COLUMNS, YES_NO_COLUMNS,
};
use std::path::Path;

/// The columns every view reads: what identifies a return and its household.
pub const VIEW_COLUMNS: [&str; 6] = RETURN_ID_COLUMNS;

/// One batch's columns, found by name and checked once. A column not read gives `None`
/// for every return.
#[derive(Debug)]
struct Columns {
    ids: [StringViewArray; 5],
    start: Int64Array,
    attainment: [Option<BooleanArray>; 7],
    income: Option<Float64Array>,
    amounts: [Option<Float64Array>; 5],
    yes_no: [Option<BooleanArray>; 5],
}

/// A county's returns as columns ([`Dataset::return_columns`](crate::Dataset::return_columns)).
#[derive(Debug, Default)]
pub struct ReturnColumns {
    batches: Vec<Columns>,
}

/// One return of a [`ReturnColumns`].
#[derive(Debug, Clone, Copy)]
pub struct ReturnView<'a> {
    columns: &'a Columns,
    row: usize,
}

impl ReturnColumns {
    /// Takes the batches read from `path`: the [`VIEW_COLUMNS`] must be there, whole.
    pub(crate) fn push(&mut self, path: &Path, batch: &RecordBatch) -> Result<(), StoreError> {
        let column = |name: &str| batch.column_by_name(name);
        let cast = |name: &str, what: &str| {
            StoreError::corrupt(path, format!("column {name} is not {what}"))
        };
        let text = |name: &str| -> Result<StringViewArray, StoreError> {
            let a = column(name)
                .ok_or_else(|| StoreError::corrupt(path, format!("no column {name}")))?
                .as_any()
                .downcast_ref::<StringViewArray>()
                .ok_or_else(|| cast(name, "text"))?
                .clone();
            if a.null_count() > 0 {
                return Err(StoreError::corrupt(
                    path,
                    format!("column {name} has an empty cell"),
                ));
            }
            Ok(a)
        };
        let flags = |name: &str| -> Result<Option<BooleanArray>, StoreError> {
            column(name)
                .map(|c| {
                    c.as_any()
                        .downcast_ref::<BooleanArray>()
                        .cloned()
                        .ok_or_else(|| cast(name, "yes/no"))
                })
                .transpose()
        };
        let numbers = |name: &str| -> Result<Option<Float64Array>, StoreError> {
            column(name)
                .map(|c| {
                    c.as_any()
                        .downcast_ref::<Float64Array>()
                        .cloned()
                        .ok_or_else(|| cast(name, "a number"))
                })
                .transpose()
        };
        let start = column("start_unix")
            .and_then(|c| c.as_any().downcast_ref::<Int64Array>().cloned())
            .filter(|a| a.null_count() == 0)
            .ok_or_else(|| cast("start_unix", "a whole time"))?;
        let [a, b, c, d, e] = [0, 1, 2, 3, 4].map(|k| text(VIEW_COLUMNS[k]));
        self.batches.push(Columns {
            ids: [a?, b?, c?, d?, e?],
            start,
            attainment: ATTAINMENT_COLUMNS
                .map(flags)
                .into_iter()
                .collect::<Result<Vec<_>, _>>()?
                .try_into()
                .expect("seven columns"),
            income: numbers(INCOME_COLUMN)?,
            amounts: AMOUNT_COLUMNS
                .map(numbers)
                .into_iter()
                .collect::<Result<Vec<_>, _>>()?
                .try_into()
                .expect("five columns"),
            yes_no: YES_NO_COLUMNS
                .map(flags)
                .into_iter()
                .collect::<Result<Vec<_>, _>>()?
                .try_into()
                .expect("five columns"),
        });
        Ok(())
    }

    /// Every return, in the order of the store.
    pub fn views(&self) -> Vec<ReturnView<'_>> {
        self.batches
            .iter()
            .flat_map(|columns| {
                (0..columns.start.len()).map(move |row| ReturnView { columns, row })
            })
            .collect()
    }
}

fn flag(a: &Option<BooleanArray>, row: usize) -> Option<bool> {
    a.as_ref().filter(|a| a.is_valid(row)).map(|a| a.value(row))
}

fn number(a: &Option<Float64Array>, row: usize) -> Option<f64> {
    a.as_ref().filter(|a| a.is_valid(row)).map(|a| a.value(row))
}

impl ReturnFields for ReturnView<'_> {
    fn return_id(&self) -> &str {
        self.columns.ids[0].value(self.row)
    }
    fn household_id(&self) -> &str {
        self.columns.ids[1].value(self.row)
    }
    fn county_code(&self) -> &str {
        self.columns.ids[2].value(self.row)
    }
    fn village_code(&self) -> &str {
        self.columns.ids[3].value(self.row)
    }
    fn outcome(&self) -> &str {
        self.columns.ids[4].value(self.row)
    }
    fn start_unix(&self) -> i64 {
        self.columns.start.value(self.row)
    }
    fn attainment(&self) -> [Option<bool>; 7] {
        each(&self.columns.attainment, |a| flag(a, self.row))
    }
    fn income_per_person(&self) -> Option<f64> {
        number(&self.columns.income, self.row)
    }
    fn amounts(&self) -> [Option<f64>; 5] {
        each(&self.columns.amounts, |a| number(a, self.row))
    }
    fn yes_no(&self) -> [Option<bool>; 5] {
        each(&self.columns.yes_no, |a| flag(a, self.row))
    }
}

/// `columns.each_ref().map(value)` as a plain loop: the array `map` was not inlined and its
/// drain machinery was a tenth of the tables' CPU (29 million rows, 17 columns a row).
fn each<C, T: Copy + Default, const N: usize>(columns: &[C; N], value: impl Fn(&C) -> T) -> [T; N] {
    let mut out = [T::default(); N];
    for (o, c) in out.iter_mut().zip(columns) {
        *o = value(c);
    }
    out
}

/// The register columns a [`RegisterView`] reads.
pub const REGISTER_VIEW_COLUMNS: [&str; 6] = [
    "household_id",
    "county_code",
    "township_code",
    "village_code",
    "status",
    "members",
];

/// One batch of the register: its columns, and the statuses checked once.
#[derive(Debug)]
struct RegisterBatch {
    ids: [StringViewArray; 4],
    status: Vec<&'static str>,
    members: UInt32Array,
}

/// A county's register as columns
/// ([`Dataset::registered_columns`](crate::Dataset::registered_columns)).
#[derive(Debug, Default)]
pub struct RegisterColumns {
    batches: Vec<RegisterBatch>,
}

/// One registered household of a [`RegisterColumns`].
#[derive(Debug, Clone, Copy)]
pub struct RegisterView<'a> {
    batch: &'a RegisterBatch,
    row: usize,
}

const STATUSES: [&str; 3] = ["exited", "poor", "non_registered"];

impl RegisterColumns {
    /// Takes a batch read from `path` with the [`REGISTER_VIEW_COLUMNS`], whole.
    pub(crate) fn push(&mut self, path: &Path, batch: &RecordBatch) -> Result<(), StoreError> {
        let corrupt =
            |name: &str, what: &str| StoreError::corrupt(path, format!("column {name} {what}"));
        let text = |name: &str| -> Result<StringViewArray, StoreError> {
            batch
                .column_by_name(name)
                .and_then(|c| c.as_any().downcast_ref::<StringViewArray>().cloned())
                .filter(|a| a.null_count() == 0)
                .ok_or_else(|| corrupt(name, "is missing, not text or has an empty cell"))
        };
        let status_text = text("status")?;
        let status = (0..status_text.len())
            .map(|k| {
                let v = status_text.value(k);
                STATUSES
                    .iter()
                    .find(|s| **s == v)
                    .copied()
                    .ok_or_else(|| corrupt("status", &format!("holds {v:?}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let members = batch
            .column_by_name("members")
            .and_then(|c| c.as_any().downcast_ref::<UInt32Array>().cloned())
            .filter(|a| a.null_count() == 0)
            .ok_or_else(|| corrupt("members", "is missing, not a count or has an empty cell"))?;
        let [a, b, c, d] = [0, 1, 2, 3].map(|k| text(REGISTER_VIEW_COLUMNS[k]));
        self.batches.push(RegisterBatch {
            ids: [a?, b?, c?, d?],
            status,
            members,
        });
        Ok(())
    }

    /// The registered households (status `exited` or `poor`), in the order of the store.
    pub fn registered(&self) -> Vec<RegisterView<'_>> {
        self.batches
            .iter()
            .flat_map(|batch| {
                (0..batch.status.len())
                    .filter(|&row| matches!(batch.status[row], "exited" | "poor"))
                    .map(move |row| RegisterView { batch, row })
            })
            .collect()
    }

    /// Whether the county's register holds no household at all.
    pub fn is_empty(&self) -> bool {
        self.batches.iter().all(|b| b.status.is_empty())
    }
}

impl RegisterFields for RegisterView<'_> {
    fn household_id(&self) -> &str {
        self.batch.ids[0].value(self.row)
    }
    fn county_code(&self) -> &str {
        self.batch.ids[1].value(self.row)
    }
    fn township_code(&self) -> &str {
        self.batch.ids[2].value(self.row)
    }
    fn village_code(&self) -> &str {
        self.batch.ids[3].value(self.row)
    }
    fn status(&self) -> &'static str {
        self.batch.status[self.row]
    }
    fn members(&self) -> u32 {
        self.batch.members.value(self.row)
    }
}
