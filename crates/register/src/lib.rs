//! Household register (sampling frame) import for third-party poverty-exit assessment.
//!
//! Reads the register a county or province hands the assessor (one row per household:
//! id, village code, register status, exit year, members, and optional income, position
//! and display columns: head's name, villager group, address, phone) from CSV in UTF-8 or
//! GB18030, or from XLSX, with English or Chinese headers and status words; checks every row
//! and the village codes against the national division-code list of the right vintage; and
//! reports households and people by county, township and stratum with a fingerprint that
//! identifies the register's content whatever its encoding, format, column order or header
//! language (the display columns have a fingerprint of their own).
//! The file format, every error and the canonical form are in `docs/register.md`.
//!
//! Main items:
//! - [`scan_frame`]: stream a register once (it may have 30 million rows), calling back for
//!   each valid [`Household`](assess_household::Household); returns a [`FrameReport`] or a [`RegisterError`] listing
//!   every bad row with file, line, column, reason and what to do.
//! - [`read_villages`]: the optional village file (poverty village, remote, position).
//!
//! Not for: drawing samples (the draw crate scans the register through [`scan_frame`]),
//! storing households (nothing here keeps them), or judging exits.
//!
//! ```
//! use assess_register::{scan_frame, ReadOptions};
//! use assess_household::Status;
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("register.csv");
//! std::fs::write(&path, "household_id,village_code,status,exit_year,members\n\
//!     H1,530128102201,exited,2018,4\n\
//!     H2,530128102202,non_registered,,3\n").unwrap();
//! let mut exited = 0;
//! let report = scan_frame(&path, &ReadOptions::default(), |h| {
//!     if h.status == Status::Exited { exited += 1 }
//! }).unwrap();
//! assert_eq!((report.households, report.people, exited), (2, 7, 1));
//! assert_eq!(report.vintage.as_str(), "2023");
//! ```
#![deny(missing_docs)]

mod canonical;
mod error;
mod frame;
mod ids;
pub mod limits;
mod report;
mod source;
mod values;
mod villages;
mod vintage;

pub use canonical::{FRAME_TAG, VILLAGES_TAG};
pub use error::{Problem, RegisterError, RowError};
pub use frame::{scan_frame, scan_frame_in_memory, ReadOptions};
pub use report::{CountySummary, FrameReport, StratumSummary, TownshipSummary};
pub use source::{xlsx_within_limits, EncodingChoice, FileFormat, TextEncoding};
pub use villages::{read_villages, read_villages_in_memory, VillageFile};
