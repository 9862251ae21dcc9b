//! What a county's verdict is computed from: every drawn household (primaries and reserves,
//! with the design facts of its village and cell), what the visit found, and the register's
//! population counts. The store builds these; this crate reads nothing.

use assess_inspection::{Disposition, Judgment};
use serde::Serialize;
use std::collections::HashMap;

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

/// A row of a draw's `sample.csv`, as the verdict reads it (from the store, or from memory in
/// a simulation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleFacts<'a> {
    /// Household id.
    pub household_id: &'a str,
    /// Township code.
    pub township: &'a str,
    /// Village code.
    pub village: &'a str,
    /// The village's stratum in the plan.
    pub village_stratum: &'a str,
    /// Register status.
    pub stratum: &'a str,
    /// Role `primary` (else a reserve).
    pub primary: bool,
    /// The village's inclusion probability.
    pub pi_village: Option<f64>,
    /// The household's inclusion probability given its village (primaries only).
    pub pi_household: Option<f64>,
    /// The village was taken with certainty.
    pub certainty: bool,
    /// Registered members.
    pub members: u32,
}

impl DrawnHousehold {
    /// The drawn households of a sample's rows. A cell's register count `N_hv` is not a
    /// column of `sample.csv`: it is its primaries divided by their within-village inclusion
    /// probability (`n_hv / N_hv`), summed as `1 / pi_household` over the primaries and
    /// rounded.
    pub fn from_sample(rows: &[SampleFacts<'_>]) -> Vec<DrawnHousehold> {
        let mut population: HashMap<(&str, &str), f64> = HashMap::new();
        for r in rows.iter().filter(|r| r.primary) {
            if let Some(p) = r.pi_household.filter(|p| *p > 0.0) {
                *population.entry((r.village, r.stratum)).or_default() += 1.0 / p;
            }
        }
        rows.iter()
            .map(|r| DrawnHousehold {
                household_id: r.household_id.to_string(),
                township: r.township.to_string(),
                village: r.village.to_string(),
                village_stratum: r.village_stratum.to_string(),
                stratum: r.stratum.to_string(),
                primary: r.primary,
                pi_village: r.pi_village,
                certainty: r.certainty,
                cell_population: population
                    .get(&(r.village, r.stratum))
                    .map_or(0.0, |n| n.round()),
                register_members: r.members,
            })
            .collect()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>(id: &'a str, stratum: &'a str, primary: bool, pi_h: Option<f64>) -> SampleFacts<'a> {
        SampleFacts {
            household_id: id,
            township: "530128102",
            village: "530128102201",
            village_stratum: "remote",
            stratum,
            primary,
            pi_village: Some(0.4),
            pi_household: pi_h,
            certainty: false,
            members: 3,
        }
    }

    #[test]
    fn a_cells_register_count_is_its_primaries_over_their_probability() {
        // 2 of 8 exited households drawn (pi 1/4), a reserve, and 3 of 7 poor (pi 3/7,
        // whose reciprocal sums to 7 only after rounding away the float error).
        let rows = [
            row("e1", "exited", true, Some(0.25)),
            row("e2", "exited", true, Some(0.25)),
            row("e3", "exited", false, None),
            row("p1", "poor", true, Some(3.0 / 7.0)),
            row("p2", "poor", true, Some(3.0 / 7.0)),
            row("p3", "poor", true, Some(3.0 / 7.0)),
            row("n1", "non_registered", false, None),
        ];
        let drawn = DrawnHousehold::from_sample(&rows);
        let population: Vec<f64> = drawn.iter().map(|h| h.cell_population).collect();
        assert_eq!(population, [8.0, 8.0, 8.0, 7.0, 7.0, 7.0, 0.0]);
        assert!(drawn[0].primary && !drawn[2].primary);
        assert_eq!(drawn[0].pi_village, Some(0.4));
        assert_eq!(drawn[0].register_members, 3);
    }
}
