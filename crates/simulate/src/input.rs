//! The verdict's input from a draw's sample rows and its visit records: what `assess verdict`
//! builds from the database (src/cmd/verdict.rs), here from values in memory; both through
//! [`DrawnHousehold::from_sample`].

use assess_inspection::VisitRecord;
use assess_sampling::Role;
use assess_sampling::SampleRow;
use assess_standards::Standards;
use assess_verdict::{CountyInput, DrawnHousehold, RegisterPeople, SampleFacts, Visit};

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
    let facts: Vec<SampleFacts> = rows
        .iter()
        .filter(|r| r.county_code == county)
        .map(|r| SampleFacts {
            household_id: &r.household_id,
            township: &r.township_code,
            village: &r.village_code,
            village_stratum: &r.village_stratum,
            stratum: &r.stratum,
            primary: r.role == Role::Primary,
            pi_village: r.pi_village,
            pi_household: r.pi_household,
            certainty: r.certainty,
            members: r.members,
        })
        .collect();
    let households = DrawnHousehold::from_sample(&facts);
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
