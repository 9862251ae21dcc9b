//! The verdict's input from a draw's sample rows and its visit records: what the store and
//! `assess verdict` build from the database (src/cmd/verdict.rs, `drawn_households`), here
//! from values in memory.

use assess_inspection::VisitRecord;
use assess_sampling::SampleRow;
use assess_standards::Standards;
use assess_verdict::{CountyInput, DrawnHousehold, RegisterPeople, Visit};
use std::collections::HashMap;

/// The [`CountyInput`] of one county from its sample rows (primaries and reserves, as in
/// `sample.csv`) and the visit records, each record judged with `standards`.
///
/// A cell's register count `N_hv` is recovered from the sample as the store does it: the
/// primaries' `1 / pi_household` summed (`n_hv · N_hv / n_hv`), rounded. So the verdict sees
/// exactly what `assess verdict` would see after `assess import-sample` and
/// `assess import-records`.
pub fn county_input(
    county: &str,
    name: &str,
    rows: &[SampleRow],
    records: &[VisitRecord],
    standards: &Standards,
    register: RegisterPeople,
) -> CountyInput {
    let rows: Vec<&SampleRow> = rows.iter().filter(|r| r.county_code == county).collect();
    let mut population: HashMap<(&str, &str), f64> = HashMap::new();
    for r in rows.iter().filter(|r| r.role == "primary") {
        if let Some(p) = r.pi_household.filter(|p| *p > 0.0) {
            *population
                .entry((r.village_code.as_str(), r.stratum.as_str()))
                .or_default() += 1.0 / p;
        }
    }
    let households = rows
        .iter()
        .map(|r| DrawnHousehold {
            household_id: r.household_id.to_string(),
            township: r.township_code.to_string(),
            village: r.village_code.to_string(),
            village_stratum: r.village_stratum.to_string(),
            stratum: r.stratum.to_string(),
            primary: r.role == "primary",
            pi_village: r.pi_village,
            certainty: r.certainty,
            cell_population: population
                .get(&(r.village_code.as_str(), r.stratum.as_str()))
                .map_or(0.0, |n| n.round()),
            register_members: r.members,
        })
        .collect();
    CountyInput {
        county: county.to_string(),
        name: name.to_string(),
        households,
        visits: records
            .iter()
            .map(|r| Visit::judged(r, standards))
            .collect(),
        register,
    }
}
