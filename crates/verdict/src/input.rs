//! What a county's verdict is computed from: every drawn household (primaries and reserves,
//! with the design facts of its village and cell), what the visit found, and the register's
//! population counts. The store builds these; this crate reads nothing.

use assess_inspection::{Disposition, Judgment};
use serde::Serialize;

/// One household of the draw, with the design facts the weights need.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrawnHousehold {
    /// Household id.
    pub household_id: String,
    /// Township code (9 digits).
    pub township: String,
    /// Village code (12 digits).
    pub village: String,
    /// The village's stratum in the plan (e.g. `remote`, `other`).
    pub village_stratum: String,
    /// Register status: `exited`, `poor`, `non_registered`.
    pub stratum: String,
    /// Primary (drawn to be visited) or reserve.
    pub primary: bool,
    /// The village's inclusion probability; `None` for a village taken by hand.
    pub pi_village: Option<f64>,
    /// The village was taken with certainty.
    pub certainty: bool,
    /// Households of this status in the village (N_hv in the register).
    pub cell_population: f64,
    /// Members in the register.
    pub register_members: u32,
}

/// What the visit to one household found (its current record, or the one before appeals).
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    /// Household id.
    pub household_id: String,
    /// The disposition.
    pub disposition: Disposition,
    /// The field team.
    pub team: String,
    /// The interviewer pair, joined (`A / B`).
    pub interviewers: String,
    /// The judgment of the household record, for an interview whose record could be judged.
    pub judgment: Option<Judgment>,
    /// Approval answers, when asked.
    pub approval: Option<assess_inspection::Approval>,
}

/// Register population of the county, in people, by status (from the draw's manifest).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RegisterPeople {
    /// People in exited households.
    pub exited: f64,
    /// People in registered households not yet exited.
    pub poor: f64,
    /// People in non-registered households.
    pub non_registered: f64,
}

impl RegisterPeople {
    /// The rural population the incidence divides by, when no other source is given.
    pub fn total(&self) -> f64 {
        self.exited + self.poor + self.non_registered
    }
}

/// One county's input.
#[derive(Debug, Clone, PartialEq)]
pub struct CountyInput {
    /// County code (6 digits).
    pub county: String,
    /// County name, when known.
    pub name: String,
    /// Every household of the county's sample.
    pub households: Vec<DrawnHousehold>,
    /// The visits made (one per visited household).
    pub visits: Vec<Visit>,
    /// Register population in people.
    pub register: RegisterPeople,
}

/// The non-registered people of one sampled village in the register, for the missed rate
/// over the sampled villages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VillageNonRegistered {
    /// Village code.
    pub village: String,
    /// People of its non-registered households in the register.
    pub people: f64,
    /// The village's inclusion probability (1 when taken with certainty); `None` for a village
    /// taken by hand.
    pub pi: Option<f64>,
}

impl Visit {
    /// A stored visit record, judged with `standards`. A household record that cannot be
    /// judged (e.g. an income year without a poverty line; `assess check` reports it as an
    /// error) leaves `judgment` empty, so the household counts as a non-respondent.
    pub fn judged(
        record: &assess_inspection::VisitRecord,
        standards: &assess_standards::Standards,
    ) -> Visit {
        let household = record.household.as_ref();
        Visit {
            household_id: record.household_id.clone(),
            disposition: record.disposition,
            team: record.team.clone(),
            interviewers: record.interviewers.join(" / "),
            judgment: household.and_then(|h| assess_inspection::judge(h, standards).ok()),
            approval: household.and_then(|h| h.approval),
        }
    }
}
