//! What a county's verdict is computed from: every drawn household (primaries and reserves,
//! with the design facts of its village and cell), what the visit found, and the register's
//! population counts. The store builds these; this crate reads nothing.

use assess_inspection::{Answer, Disposition, Judgment, Outcome, VisitRecord};
use assess_sampling::{Role, SampleRow};
use assess_standards::Standards;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// One household of the draw, with the design facts the weights need.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrawnHousehold {
    /// Household id.
    pub household_id: String,
    /// Township code (9 digits).
    pub township: String,
    /// Village code (12 digits).
    pub village: String,
    /// The village's stratum in the plan (e.g. `remote`, `other`); with independent draws the
    /// draws that took it.
    pub village_stratum: String,
    /// The village's part of the frame, fixed before the draw (its stratum; with independent
    /// draws every draw whose frame holds it): the variance stratum.
    pub frame_part: String,
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

impl DrawnHousehold {
    /// The drawn households of a sample's rows. A cell's register count `N_hv` is not a
    /// column of `sample.csv`: it is its primaries divided by their within-village inclusion
    /// probability (`n_hv / N_hv`), summed as `1 / pi_household` over the primaries and
    /// rounded.
    fn from_sample(
        rows: &[&SampleRow],
        frame_parts: &HashMap<String, String>,
    ) -> Vec<DrawnHousehold> {
        let mut population: HashMap<(&str, &str), f64> = HashMap::new();
        for r in rows.iter().filter(|r| r.role == Role::Primary) {
            if let Some(p) = r.pi_household.filter(|p| *p > 0.0) {
                *population
                    .entry((r.village_code.as_str(), r.stratum.as_str()))
                    .or_default() += 1.0 / p;
            }
        }
        rows.iter()
            .map(|r| DrawnHousehold {
                household_id: r.household_id.to_string(),
                township: r.township_code.to_string(),
                village: r.village_code.to_string(),
                village_stratum: r.village_stratum.to_string(),
                frame_part: frame_parts
                    .get(r.village_code.as_str())
                    .cloned()
                    .unwrap_or_else(|| r.village_stratum.to_string()),
                stratum: r.stratum.to_string(),
                primary: r.role == Role::Primary,
                pi_village: r.pi_village,
                certainty: r.certainty,
                cell_population: population
                    .get(&(r.village_code.as_str(), r.stratum.as_str()))
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
    /// Variance strata the plan pools with another when left with one village
    /// (`collapse_with`: stratum → partner).
    pub collapse_with: BTreeMap<String, String>,
    /// Households of the county whose findings are contested and whose appeals are not yet
    /// decided: the records after the appeals may still change.
    pub pending_appeals: Vec<String>,
}

/// What the draw says of its design beyond the sample's rows: each sampled village's part of
/// the frame (from the village list's tickets, `assess_sampling::frame_part_of_tickets`) and
/// the plan's variance partners (`collapse_with`, from the manifest's village strata).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DesignFacts {
    /// Village code → its part of the frame. A village not in it keeps its sample label,
    /// which is the same for stratified plans.
    pub frame_parts: HashMap<String, String>,
    /// Stratum → the stratum it is pooled with for the variance when left with one village.
    pub collapse_with: BTreeMap<String, String>,
}

impl CountyInput {
    /// The input of one county's verdict, built in one place for every front end (the
    /// command line and a server from the store, the simulation from memory): the county's
    /// rows of the draw's sample (primaries and reserves, as in `sample.csv`; rows of other
    /// counties are left out), the visit records of its households (records of other
    /// households are left out), each judged with `standards`, and the register's people.
    ///
    /// A cell's register count `N_hv` is recovered from the sample: the primaries'
    /// `1 / pi_household` summed (`n_hv · N_hv / n_hv`), rounded. `design` gives the villages'
    /// parts of the frame and the plan's variance partners.
    pub fn from_sample(
        county: &str,
        name: &str,
        rows: &[SampleRow],
        design: &DesignFacts,
        records: &[VisitRecord],
        standards: &Standards,
        register: RegisterPeople,
    ) -> CountyInput {
        let rows: Vec<&SampleRow> = rows.iter().filter(|r| r.county_code == county).collect();
        let ids: HashSet<&str> = rows.iter().map(|r| r.household_id.as_str()).collect();
        CountyInput {
            county: county.to_string(),
            name: name.to_string(),
            households: DrawnHousehold::from_sample(&rows, &design.frame_parts),
            visits: records
                .iter()
                .filter(|r| ids.contains(r.household_id.as_str()))
                .map(|r| Visit::judged(r, standards))
                .collect(),
            register,
            collapse_with: design.collapse_with.clone(),
            pending_appeals: Vec::new(),
        }
    }

    /// The input with the county's households whose appeals are still pending (the store
    /// knows them; the verdict warns of them).
    pub fn with_pending_appeals(mut self, households: Vec<String>) -> CountyInput {
        self.pending_appeals = households;
        self
    }
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
    /// Every non-registered household of the village was drawn as a primary (or it has none):
    /// the missed people found there are all there are, up to non-response.
    pub take_all: bool,
}

impl Visit {
    /// A stored visit record, judged with `standards`. A household record that cannot be
    /// judged (e.g. an income year without a poverty line; `assess check` reports it as an
    /// error) leaves `judgment` empty, so the household counts as a non-respondent.
    pub fn judged(record: &VisitRecord, standards: &Standards) -> Visit {
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

    /// What the visit counts as in the verdict: the finding of a respondent's judged record
    /// (wrongly exited, missed or still poor when the rules say yes; none when they say no;
    /// unknown when an answer they need is missing), or why it counts for nothing. The one
    /// rule the failing-household list and `assess finding list` both follow.
    pub fn outcome(&self) -> HouseholdOutcome {
        let judged = self
            .judgment
            .as_ref()
            .filter(|_| crate::weights::is_respondent(self));
        let Some(j) = judged else {
            return if self.disposition.is_interview() {
                HouseholdOutcome::NotJudged
            } else {
                HouseholdOutcome::NotInterviewed
            };
        };
        let (Outcome::WronglyExited(answer) | Outcome::StillPoor(answer) | Outcome::Missed(answer)) =
            j.outcome;
        match (answer, j.outcome) {
            (Answer::No, _) => HouseholdOutcome::None,
            (Answer::Unknown, _) => HouseholdOutcome::Unknown,
            (Answer::Yes, Outcome::WronglyExited(_)) => HouseholdOutcome::WronglyExited,
            (Answer::Yes, Outcome::Missed(_)) => HouseholdOutcome::Missed,
            (Answer::Yes, Outcome::StillPoor(_)) => HouseholdOutcome::StillPoor,
        }
    }
}

/// What one visited household counts as: its finding, or why it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum HouseholdOutcome {
    /// An exited household failing the income line or a guarantee.
    WronglyExited,
    /// A non-registered household that should have been registered.
    Missed,
    /// A registered household not yet exited that is still poor.
    StillPoor,
    /// Judged, and none of these.
    None,
    /// Judged, but an answer the rules need was not recorded.
    Unknown,
    /// No interview (refused, not contacted, ineligible, ...): no household record.
    NotInterviewed,
    /// Interviewed, but the record cannot be judged (e.g. an income year without a poverty
    /// line; `assess check` says why): counted as a non-respondent.
    NotJudged,
}

impl HouseholdOutcome {
    /// The outcome as printed and filtered: `wrongly-exited`, `missed`, ...
    pub fn code(self) -> &'static str {
        match self {
            HouseholdOutcome::WronglyExited => "wrongly-exited",
            HouseholdOutcome::Missed => "missed",
            HouseholdOutcome::StillPoor => "still-poor",
            HouseholdOutcome::None => "none",
            HouseholdOutcome::Unknown => "unknown",
            HouseholdOutcome::NotInterviewed => "not-interviewed",
            HouseholdOutcome::NotJudged => "not-judged",
        }
    }

    /// Whether the county's exit fails on it: the households of the failing list.
    pub fn is_failing(self) -> bool {
        matches!(
            self,
            HouseholdOutcome::WronglyExited | HouseholdOutcome::Missed
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use assess_inspection::fixtures::example_visit;

    fn row(id: &str, stratum: &str, primary: bool, pi_h: Option<f64>) -> SampleRow {
        SampleRow {
            household_id: id.into(),
            county_code: "530128".into(),
            township_code: "530128102".into(),
            village_code: "530128102201".into(),
            village_stratum: "remote".into(),
            stratum: stratum.into(),
            role: if primary {
                Role::Primary
            } else {
                Role::Reserve
            },
            pi_village: Some(0.4),
            pi_household: pi_h,
            members: 3,
            ..SampleRow::default()
        }
    }

    fn people() -> RegisterPeople {
        RegisterPeople {
            exited: 1.0,
            poor: 2.0,
            non_registered: 3.0,
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
        let s = Standards::builtin();
        let input = CountyInput::from_sample(
            "530128",
            "Luquan",
            &rows,
            &DesignFacts::default(),
            &[],
            &s,
            people(),
        );
        let drawn = &input.households;
        let population: Vec<f64> = drawn.iter().map(|h| h.cell_population).collect();
        assert_eq!(population, [8.0, 8.0, 8.0, 7.0, 7.0, 7.0, 0.0]);
        assert!(drawn[0].primary && !drawn[2].primary);
        assert_eq!(drawn[0].pi_village, Some(0.4));
        assert_eq!(drawn[0].register_members, 3);
    }

    #[test]
    fn only_the_countys_rows_and_their_households_records_enter() {
        let mut other = row("x1", "exited", true, Some(0.5));
        other.county_code = "530129".into();
        let rows = [row("e1", "exited", true, Some(0.25)), other];
        let mut visit = example_visit();
        visit.household_id = "e1".to_string();
        let mut stray = example_visit();
        stray.household_id = "x1".to_string();
        let s = Standards::builtin();
        let input = CountyInput::from_sample(
            "530128",
            "Luquan",
            &rows,
            &DesignFacts::default(),
            &[visit, stray],
            &s,
            people(),
        );
        assert_eq!(input.households.len(), 1);
        assert_eq!(input.visits.len(), 1);
        assert_eq!(input.visits[0].household_id, "e1");
        assert!(
            input.visits[0].judgment.is_some(),
            "judged with the standards"
        );
        assert_eq!(
            (input.county.as_str(), input.name.as_str()),
            ("530128", "Luquan")
        );
    }
}
