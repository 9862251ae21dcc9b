//! The rules that judge one household visit: per-person income against the poverty line of
//! the income year, and the "two no worries and three guarantees" (food and clothing,
//! compulsory education, basic medical cover, housing safety, with drinking-water safety
//! checked alongside housing). From these, by register status: an exited household wrongly
//! exited, a registered poor household still poor, a non-registered household missed.
//!
//! Every threshold and setting comes from [`assess_standards::Standards`] (no rule value is
//! written here); every result carries its reasons; an answer not recorded makes a rule
//! [`Tri::Unknown`], never silently met. The rules, their sources and boundaries are listed in
//! `docs/inspection-rules.md`.
//!
//! ```
//! use assess_inspection::{judge, HouseholdRecord, Outcome, Answer};
//! use assess_standards::Standards;
//! # fn record() -> HouseholdRecord { assess_inspection::example_record() }
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
mod judge;
mod record;
mod records_file;
mod review;
mod visit;

pub use draw_check::{
    check_draw, is_final, CheckConfig, CheckInput, CheckReport, Finding, PhotoHash, Rates, Rule,
    SampleUnit, Severity,
};
pub use judge::{
    age_at, judge, roll_up, Answer, Check, HousingJudgment, IncomeJudgment, Judgment, Outcome,
    Reason,
};
pub use record::{
    Approval, BirthDate, Components, HouseholdRecord, Housing, IdNumber, Identification,
    IncomeBySource, MedicalCover, Member, Opinion, Renovation, Schooling, Sex, Water,
};

pub use records_file::{parse_visits, NumberedVisit, RecordProblem, RecordProblems};
pub use review::{state_of, FindingState, Step, StepProblem, StepRequest};

pub use visit::{
    example_visit, parse_rfc3339, records_sha256, Disposition, Gps, IneligibleReason,
    InterviewMode, Note, VisitProblem, VisitRecord,
};

use assess_household::Status;
use assess_standards::{ComponentGrade, HouseGrade};

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

/// An exited household of three, income year 2019, meeting every rule with the built-in
/// standards: a starting point for examples and tests.
pub fn example_record() -> HouseholdRecord {
    let adult = |id: &str, age: u32, sex: Sex| Member {
        id: id.to_string(),
        birth_date: None,
        age: Some(age),
        sex: Some(sex),
        schooling: None,
        cover: MedicalCover {
            basic_medical_insurance: Some(true),
            serious_illness_insurance: Some(true),
            medical_assistance: Some(false),
        },
        id_number: None,
    };
    let mut child = adult("3", 10, Sex::Female);
    child.schooling = Some(Schooling::InSchool);
    HouseholdRecord {
        household_id: "H001".to_string(),
        status: Status::Exited,
        register_members: Some(3),
        members: vec![
            adult("1", 40, Sex::Male),
            adult("2", 38, Sex::Female),
            child,
        ],
        income_year: 2019,
        income: IncomeBySource {
            wages: Some(9000.0),
            business_net: Some(2000.0),
            property: Some(0.0),
            transfers: Some(1000.0),
            in_kind: Some(500.0),
        },
        food_adequate: Some(true),
        clothing_adequate: Some(true),
        protein_available: Some(true),
        housing: Housing {
            site_dangerous: Some(false),
            components: Components {
                load_bearing_walls: Some(ComponentGrade::A),
                foundation: Some(ComponentGrade::A),
                roof_truss: Some(ComponentGrade::A),
                wood_members: Some(ComponentGrade::NotPresent),
            },
            inspector_grade: Some(HouseGrade::A),
            renovation: Some(Renovation::None),
        },
        water: Water {
            litres_per_person_day: Some(60.0),
            water_scarce_area: Some(false),
            piped_to_yard: Some(true),
            fetch_minutes: None,
            horizontal_m: None,
            vertical_m: None,
            outage_days: Some(0),
            quality_ok: Some(true),
        },
        income_per_person_stated: Some(4166.67),
        approval: Some(Approval {
            exit: Some(Opinion::Satisfied),
            policies: Some(Opinion::Satisfied),
            help_received: Some(Opinion::BasicallySatisfied),
            cadres_work: Some(Opinion::Satisfied),
        }),
        identification: Some(Identification {
            owns_vehicle: Some(false),
            vehicle_value_yuan: None,
            urban_flat_or_shop: Some(false),
            registered_company: Some(false),
            public_payroll: Some(false),
            village_cadre: Some(false),
        }),
    }
}
