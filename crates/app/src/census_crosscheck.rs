//! The census store's households as the register cross-checks take them
//! (`assess_registries::HouseholdMembers`): each enumerated household once (its first return,
//! by return id: a duplicate upload is the same people), with its members' identity numbers.

use assess_census::MemberRow;
use assess_census_store::{Dataset, StoreError};
use assess_household::{IdNumber, IdWritten};
use assess_registries::{HouseholdMembers, Member};
use std::collections::BTreeMap;

/// One county's households with their members, in household order. Members without an
/// identity number cannot be linked and are left out (a household with none is kept, with
/// no members, so that it is counted).
pub fn county_households(ds: &Dataset, county: &str) -> Result<Vec<HouseholdMembers>, StoreError> {
    let mut first: BTreeMap<String, String> = BTreeMap::new();
    for r in ds
        .returns(county)?
        .iter()
        .filter(|r| r.outcome == "enumerated")
    {
        let held = first
            .entry(r.household_id.clone())
            .or_insert_with(|| r.return_id.clone());
        if r.return_id < *held {
            *held = r.return_id.clone();
        }
    }
    let mut members: BTreeMap<String, Vec<MemberRow>> = BTreeMap::new();
    for m in ds.members(county)? {
        if first.get(&*m.household_id).map(String::as_str) == Some(&*m.return_id) {
            members
                .entry(m.household_id.to_string())
                .or_default()
                .push(m);
        }
    }
    Ok(first
        .into_keys()
        .map(|household_id| {
            let rows = members.remove(&household_id).unwrap_or_default();
            HouseholdMembers {
                county_code: county.to_string(),
                village_code: rows
                    .first()
                    .map(|m| m.village_code.to_string())
                    .unwrap_or_default(),
                members: rows
                    .into_iter()
                    .filter_map(|m| {
                        Some(Member {
                            // The store holds numbers as judged: 18 characters, checked.
                            id: IdNumber::parse(m.id_number.as_deref()?).ok()?,
                            name: m.member_id,
                            written: IdWritten::default(),
                        })
                    })
                    .collect(),
                household_id,
            }
        })
        .collect())
}
