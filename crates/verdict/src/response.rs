//! Response and replacement rates by village and by team (docs/verdict.md, "Response and
//! replacement by village and team"), with the county's definitions (`Counts`): response rate =
//! interviewed / (visited − ineligible), replacement rate = reserves used / primaries.

use crate::input::{CountyInput, Visit};
use crate::weights::is_respondent;
use assess_inspection::Disposition;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Counts and rates of one village or one team.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ResponseRates {
    /// `village` or `team`.
    pub by: String,
    /// The village code, or the team's name.
    pub key: String,
    /// The village's township (empty for a team).
    pub township: String,
    /// Primaries: in the village's sample (by village), or visited by the team (by team).
    pub primaries: usize,
    /// Households with a visit record (primaries and reserves).
    pub visited: usize,
    /// Reserves visited.
    pub reserves_used: usize,
    /// Visited households found ineligible.
    pub ineligible: usize,
    /// Interviewed households with a judged record (the county's `interviewed`).
    pub interviewed: usize,
    /// interviewed / (visited − ineligible); `None` without an eligible visited household.
    pub response_rate: Option<f64>,
    /// reserves used / primaries; `None` without a primary.
    pub replacement_rate: Option<f64>,
}

impl ResponseRates {
    fn new(by: &str, key: &str, township: &str) -> ResponseRates {
        ResponseRates {
            by: by.to_string(),
            key: key.to_string(),
            township: township.to_string(),
            ..ResponseRates::default()
        }
    }

    fn add_visit(&mut self, primary: bool, visit: &Visit) {
        self.visited += 1;
        self.reserves_used += usize::from(!primary);
        if matches!(visit.disposition, Disposition::Ineligible(_)) {
            self.ineligible += 1;
        } else if is_respondent(visit) {
            self.interviewed += 1;
        }
    }

    fn finish(mut self) -> ResponseRates {
        let eligible = self.visited - self.ineligible;
        self.response_rate = (eligible > 0).then(|| self.interviewed as f64 / eligible as f64);
        self.replacement_rate =
            (self.primaries > 0).then(|| self.reserves_used as f64 / self.primaries as f64);
        self
    }
}

/// The rates of every sampled village (by code), then of every team that visited (by name).
pub fn by_village_and_team(input: &CountyInput) -> Vec<ResponseRates> {
    let visit_of: HashMap<&str, &Visit> = input
        .visits
        .iter()
        .map(|v| (v.household_id.as_str(), v))
        .collect();
    let mut villages: BTreeMap<&str, ResponseRates> = BTreeMap::new();
    let mut teams: BTreeMap<&str, ResponseRates> = BTreeMap::new();
    for h in &input.households {
        let village = villages
            .entry(&h.village)
            .or_insert_with(|| ResponseRates::new("village", &h.village, &h.township));
        village.primaries += usize::from(h.primary);
        let Some(visit) = visit_of.get(h.household_id.as_str()) else {
            continue;
        };
        village.add_visit(h.primary, visit);
        let team = teams
            .entry(&visit.team)
            .or_insert_with(|| ResponseRates::new("team", &visit.team, ""));
        team.primaries += usize::from(h.primary);
        team.add_visit(h.primary, visit);
    }
    villages
        .into_values()
        .chain(teams.into_values())
        .map(ResponseRates::finish)
        .collect()
}
