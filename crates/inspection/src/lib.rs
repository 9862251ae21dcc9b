//! The rules that judge one household visit: per-person income against the poverty line of
//! the income year, and the "two no worries and three guarantees" (food and clothing,
//! compulsory education, basic medical cover, housing safety, with drinking-water safety
//! checked alongside housing). From these, by register status: an exited household wrongly
//! exited, a registered poor household still poor, a non-registered household missed.
//!
//! Every threshold and setting comes from [`assess_standards::Standards`] (no rule value is
//! written here); every result carries its reasons; an answer not recorded makes a rule
//! [`Tri::Unknown`](assess_standards::Tri::Unknown), never silently met. The rules, their sources and boundaries are listed in
//! `docs/inspection-rules.md`.
//!
//! ```
//! use assess_inspection::{judge, HouseholdRecord, Outcome, Answer};
//! use assess_standards::Standards;
//! # fn record() -> HouseholdRecord { assess_inspection::fixtures::example_record() }
//! let s = Standards::builtin();
//! let mut r = record(); // an exited household meeting every rule
//! r.water.outage_days = Some(37);
//! let j = judge(&r, &s).unwrap();
//! assert_eq!(j.outcome, Outcome::WronglyExited(Answer::Yes));
//! assert_eq!(j.water.reasons[0].to_string(), "37 outage days a year exceed 36");
//! ```
//!
//! Not for: reading or writing records (the store crate), photos and measurements of cracks,
//! sampling, or estimating county rates from judged households (the verdict crate). No I/O,
//! no printing; deterministic.
#![deny(missing_docs)]

mod draw_check;
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
mod identification;
mod judge;
pub mod limits;
mod record;
mod records_file;
mod review;
mod visit;

pub use draw_check::{
    check_draw, is_final, CheckConfig, CheckInput, CheckReport, Finding, PhotoHash, Rates, Rule,
    SampleUnit, Severity,
};
pub use identification::{FlaggedHousehold, IdentificationFlag, MaskedIdentity};
pub use judge::{
    age_at, judge, roll_up, Answer, Check, HousingJudgment, IncomeJudgment, Judgment, Outcome,
    Reason,
};
pub use record::mask_identity_numbers;
pub use record::{
    Approval, BirthDate, Components, HouseholdRecord, Housing, IdNumber, Identification,
    IncomeBySource, MedicalCover, Member, Opinion, Renovation, Schooling, Sex, Water,
};

pub use records_file::{
    parse_visit_bytes, parse_visits, NumberedVisit, RecordProblem, RecordProblems,
};
pub use review::{state_of, Evidence, FindingState, Step, StepProblem, StepRequest};

pub use visit::{
    parse_rfc3339, records_sha256, Disposition, Gps, IneligibleReason, InterviewMode, Note,
    VisitProblem, VisitRecord,
};

/// A household visit could not be judged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InspectionError {
    /// The standards have no poverty line for the record's income year.
    #[error(
        "income year {year} has no poverty line in the standards (they have {}); add \
         `{year} = <yuan>` with its source under [poverty_line] in a copy of \
         data/standards/standards.toml and load that file",
        years(known)
    )]
    UnknownIncomeYear {
        /// The income year asked for.
        year: u16,
        /// The income years the standards have.
        known: Vec<u16>,
    },
    /// A recorded value is impossible.
    #[error("household {household_id}: {field} = {value} is not {expected}; correct the record")]
    InvalidRecord {
        /// The household.
        household_id: String,
        /// The record field.
        field: String,
        /// The value found.
        value: String,
        /// What was expected.
        expected: String,
    },
}

fn years(known: &[u16]) -> String {
    match (known.first(), known.last()) {
        (Some(a), Some(b)) if a != b => format!("{a}-{b}"),
        (Some(a), _) => a.to_string(),
        _ => "none".to_string(),
    }
}
