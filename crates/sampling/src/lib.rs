//! Verifiable two-stage sampling of villages and households, as third-party evaluation teams
//! draw them: villages with probability proportional to size (sequential Poisson sampling,
//! strata or independent draws, certainty villages), then households inside each sampled
//! village by register status, with reserves in ticket order. Every random number is a
//! [`ticket`](ticket::ticket): SHA-256 of public text and a seed, so anyone with the seed can
//! re-check every selection.
//!
//! Layout:
//! - [`ticket`]: the ticket scheme and seed commitments.
//! - `plan`: the TOML plan format, parsed with line numbers ([`Plan`], [`Problem`]).
//! - `plan_check`: plan checks against a county's villages ([`check_county`]).
//! - `design_review`: what a design does to the official unweighted rate, from the
//!   register's counts ([`review_county`]).
//! - `village`: the village stage ([`draw_villages`]).
//! - `household`: the household stage and the rows of `sample.csv` ([`HouseholdSelector`],
//!   [`SampleRow`]).
//! - `compact`: the register kept compactly during a scan, for the household stage
//!   ([`CompactRegister`]).
//! - [`size`]: sample sizes for rates near a threshold.
//!
//! ```
//! use assess_sampling::ticket::{ticket, Stage};
//! let t = ticket("12345", Stage::Household, "530128", "exited", "H-1");
//! assert!(t.value > 0.0 && t.value < 1.0);
//! ```
//!
//! Not for: reading or writing files (the `assess-draw` crate runs a draw over files), or
//! estimation (the verdict crate). This crate does no I/O and is deterministic given a seed.
#![deny(missing_docs)]

mod compact;
mod county;
mod design_review;
mod household;
mod plan;
mod plan_check;
pub mod size;
pub mod ticket;
mod village;

pub use compact::{select_runs, CompactRegister, StoredRun};
pub use county::{CountyDesign, GroupFrame};
pub use design_review::{
    review_county, review_report, CellReview, CountyReview, PartShare, ReviewCell, ReviewLimits,
};
pub use household::{HouseholdSelector, Role, SampleRow};
pub use plan::{
    group_alike, render, render_worded, Allocation, Counties, Plan, PlanError, Problem, Remedy,
    Severity, SizeMeasure, Take,
};
pub use plan_check::{check_by_hand_counties, check_county};
pub use village::{
    capped_probabilities, draw_villages, draw_villages_extended, frame_part_of_tickets, pps_group,
    pps_group_extended, sps_exact_inclusion, sps_inclusion, village_chances, FrameVillage,
    GroupDraw, GroupSummary, SelectedVillage, VillageChance,
};
