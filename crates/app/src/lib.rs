//! The use cases of `assess`, as a library that every front end calls: the command line
//! (`src/cmd/*` parses, calls one of these, prints), the coming field server, and the tests.
//! Typed requests in, typed results out; nothing here prints or parses arguments.
//!
//! Layout (one module per use case):
//! - [`accounts`]: accounts, API tokens (hashes only) and authentication; counties
//!   assigned to teams and villages to interviewers, loaded from files.
//! - [`audit`]: verify the audit log and the stored objects, take and sign its head, make a
//!   signing key.
//! - [`census_crosscheck`]: the census store's households with their members' identity
//!   numbers, as the register cross-checks take them.
//! - [`census_ingest`]: census returns read, judged and written to the census store (or any
//!   `CensusSink`) in checkpoints, resumable and idempotent; a register loaded into it.
//! - [`census_pes`]: the census's post-enumeration survey: the re-interview sample drawn from
//!   the census store, re-interviews simulated, disagreement rates estimated.
//! - [`draws`]: import a draw directory into the database, after checking it against its
//!   manifest (and the village file against its hash).
//! - [`records`]: read visit records from a file (JSON, JSON Lines, a filled XLSX template)
//!   and import them.
//! - [`checks`]: the checks across a draw's records.
//! - [`verdict`]: the verdict of a county or a batch, and writing verdict.json with its
//!   reports.
//! - [`findings`]: review and appeal steps, and the list of findings.
//! - [`photos`]: store a housing-crack photo with its measurements and location flags.
//! - [`template`]: the XLSX visit-record template, optionally listing a draw's households.
//! - [`field`]: visit records simulated from a synthetic truth.
//! - [`standards`]: the built-in standards or a standards file.
//! - [`uploads`]: records uploaded from the field in batches, each answered on its own, and
//!   the field progress by village, county, team and interviewer.
//! - [`split`]: a county's sampled villages split among interviewer pairs (read from the draw
//!   directory, the village file and the pairs file).
//! - `error`: [`AppError`], whose causes are kept as sources and whose messages name no
//!   command-line option (the front end adds its own hint).
//!
//! Estimating from a survey file is the other use case; it needs no database and lives in
//! `assess-table`.
//!
//! The database use cases are `async` (the store is sqlx); a front end runs them on its
//! runtime (the command line on a small current-thread one, the server on its own).
//!
//! Not for: rules (`assess-inspection`, `assess-verdict`, `assess-standards` decide), SQL (only
//! `assess-store` knows it), HTTP (only the server will), or printing.
#![deny(missing_docs)]
// An error is returned once per use case, on a cold path, and its variants keep their causes
// whole (a register's every row error, a driver's error); boxing them to shrink `Result` would
// buy nothing a user could measure.
#![allow(clippy::result_large_err)]

pub mod accounts;
pub mod audit;
pub mod census_crosscheck;
pub mod census_ingest;
pub mod census_pes;
pub mod census_quality;
pub mod census_tables;
pub mod census_uploads;
pub mod checks;
pub mod draws;
mod error;
pub mod field;
pub mod findings;
pub mod photos;
pub mod records;
pub mod split;
pub mod standards;
pub mod template;
pub mod uploads;
pub mod verdict;

pub use error::AppError;
