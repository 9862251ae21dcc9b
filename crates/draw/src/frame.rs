//! Pass 1 over the register: every village-level unit with its household and people counts
//! by status, merged with the optional village file's attributes.

use assess_divisions::VillageCode;
use assess_register::{Household, VillageRecord};
use assess_sampling::FrameVillage;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The village frame of a whole register.
#[derive(Debug, Default)]
pub struct VillageFrame {
    /// Every village-level unit that has households.
    pub villages: HashMap<VillageCode, FrameVillage>,
    /// Households in urban units (residents' committees), by county.
    pub urban_households: BTreeMap<String, u64>,
}

impl VillageFrame {
    /// Counts one household.
    pub fn add(&mut self, household: &Household) {
        if !household.village.kind().is_rural() {
            *self
                .urban_households
                .entry(household.village.county().to_string())
                .or_default() += 1;
        }
        self.villages
            .entry(household.village.clone())
            .or_insert_with(|| FrameVillage::new(household.village.clone()))
            .add(household.status, household.members);
    }

    /// Sets remote and poverty-village flags from the village file.
    pub fn merge_attributes(&mut self, records: &[VillageRecord]) {
        for record in records {
            if let Some(v) = self.villages.get_mut(&record.village) {
                v.remote = record.remote;
                v.poverty_village = record.poverty_village;
            }
        }
    }

    /// The counties present, sorted.
    pub fn counties(&self) -> BTreeSet<String> {
        self.villages
            .keys()
            .map(|c| c.county().to_string())
            .collect()
    }

    /// The villages of the given counties, each list sorted by code, in one pass.
    pub fn by_county(&self, counties: &[String]) -> BTreeMap<String, Vec<FrameVillage>> {
        let mut out: BTreeMap<String, Vec<FrameVillage>> =
            counties.iter().map(|c| (c.clone(), Vec::new())).collect();
        for v in self.villages.values() {
            if let Some(list) = out.get_mut(v.code.county()) {
                list.push(v.clone());
            }
        }
        out.values_mut()
            .for_each(|list| list.sort_by(|a, b| a.code.cmp(&b.code)));
        out
    }
}
