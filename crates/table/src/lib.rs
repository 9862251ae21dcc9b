//! Design-based estimates from any survey file, as R's survey package gives them: the file is
//! read once into the columns its design and analyses need ([`Table`]), the design is built
//! from named columns ([`DesignColumns`], R's `svydesign`), and each [`Analysis`] (mean,
//! proportion of every level, total, ratio) is estimated in every domain of a column in one
//! pass ([`estimate_file`]); the results are rows with their uncertainty ([`TableEstimates`],
//! the JSON of `assess estimate`).
//!
//! A cell that is empty or `NA` is missing: a row missing the analysed variable is left out
//! of that analysis (the design keeps it); a row missing the domain is in no domain; design
//! columns may not be missing. Every problem names the file, line and column. Formulas and
//! conventions: `docs/estimation.md`.
//!
//! ```
//! use assess_table::{estimate_file, Analysis, DesignColumns, TableRequest};
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("survey.csv");
//! std::fs::write(&path, "village,w,poor\nv1,10,1\nv1,10,0\nv2,20,0\nv2,20,0\n")?;
//! let request = TableRequest {
//!     design: DesignColumns {
//!         weight: Some("w".into()),
//!         psu: Some("village".into()),
//!         ..DesignColumns::default()
//!     },
//!     analyses: vec![Analysis::Mean("poor".into())],
//!     domain: None,
//!     options: Default::default(),
//! };
//! let found = estimate_file(&path, &request)?;
//! assert_eq!(found.results[0].estimate, Some(10.0 / 60.0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Layout: `read` (the table and its columns, [`TableError`]), `design` (the design from
//! named columns, its errors located), `analyse` (levels, domains, result rows).
//!
//! Not for: the estimators themselves (`assess-survey`, which does no I/O), or the verdict's
//! indicators (`assess-verdict` builds its columns from the store).
#![deny(missing_docs)]

mod analyse;
mod design;
mod read;

pub use analyse::{estimate_file, Analysis, Level, ResultRow, TableEstimates, TableRequest};
pub use design::{DesignColumns, DesignSummary};
pub use read::{Table, TableError};
