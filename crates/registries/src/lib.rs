//! Register cross-checks (the Mashan lesson): households, with their members' identity
//! numbers, linked to external registries (vehicles, property, business registrations, the
//! public payroll) under rules that are data with their sources; every household a rule hits
//! is handed out with its evidence (which member, which registry row, the value), identity
//! numbers masked (docs/census.md, "Register cross-checks").
//!
//! Identity numbers are normalised by `assess_household::IdNumber::normalise` (check
//! character verified, old 15-digit numbers converted, full-width and lower-case x
//! accepted) and joined on their 17 digits; names are normalised ([`normalise_name`]) and
//! compared only as a second key: a name that differs is a note on the evidence.
//!
//! ```
//! use assess_registries::{HouseholdsReader, Registries, RegistryKind, Rules};
//! let mut registries = Registries::new(Rules::built_in());
//! let vehicles = "owner_id,value_yuan,plate\n11010519491231002X,56000,桂A12345\n";
//! registries.read(RegistryKind::Vehicles, "vehicles.csv", vehicles.as_bytes()).unwrap();
//! let households = "household_id,county_code,village_code,member_id,member_name\n\
//!                   h1,450124,450124100201,110105491231002,张三\n";
//! for household in HouseholdsReader::new("households.csv", households.as_bytes()).unwrap() {
//!     let hits = registries.link(&household.unwrap());
//!     assert_eq!(hits[0].rule, "vehicle");
//!     assert_eq!(hits[0].member_id_masked, "110***********002X");
//! }
//! ```
//!
//! Scale: a registry keeps only the rows some rule hits, about 40 bytes each plus their
//! texts, in a hash index; households stream through one at a time.
//!
//! Not for: reading files or writing them (the caller opens the files and hands readers and
//! writers in: **no I/O** here), deciding anything about a household (a hit is a lead for
//! the county to re-examine), or the visit record's own identification flags
//! (`assess-inspection`).
#![deny(missing_docs)]

mod error;
mod households;
mod link;
mod output;
mod registry;
mod rules;
mod text;

pub use error::{CrosscheckError, RowError, LISTED_ROWS};
pub use households::{
    HouseholdMembers, HouseholdsReader, HouseholdsSummary, Member, HOUSEHOLD_COLUMNS,
};
pub use link::{Hit, Tally};
pub use output::{flagged_xlsx, HitWriter, HIT_COLUMNS, XLSX_MAX_HITS};
pub use registry::{registry_columns, Registries, RegistryRow, RegistrySummary};
pub use rules::{Basis, RegistryKind, Rule, Rules, BUILT_IN_RULES};
pub use text::{normalise_name, Column};
