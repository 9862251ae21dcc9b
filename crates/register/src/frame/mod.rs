//! `scan_frame`: stream a household register once, validate every row, hand each valid
//! household to the caller, and report totals, summary and fingerprint. In two parts:
//! - `pipeline`: the scan itself (the public entry points and [`ReadOptions`], the reading,
//!   checking, totalling and hashing threads, file order, totals and the report);
//! - `check`: what one row or one run of rows must satisfy (header layout, field rules,
//!   ids for the uniqueness check, the canonical line), with each problem reported per row.

mod check;
mod pipeline;

pub(crate) use check::{row_id, CODE, ID};
pub use pipeline::{scan_frame, scan_frame_in_memory, ReadOptions};
