//! The village frame of the register scan: every village-level unit with its household and people counts
//! by status, merged with the optional village file's attributes.

use assess_divisions::VillageCode;
use assess_household::{Household, VillageRecord};
use assess_sampling::FrameVillage;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The village frame of a whole register.
#[derive(Debug, Default)]
pub struct VillageFrame {
    /// Every village-level unit that has households.
    pub villages: HashMap<VillageCode, FrameVillage>,
    /// Households in urban units (residents' committees), by county.
    pub urban_households: BTreeMap<String, u64>,
    /// The village whose households are being counted (see [`VillageFrame::add`]).
    last: Option<FrameVillage>,
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
        // Registers list a village's households together: look the village up (and copy its
        // code) only when it changes.
        let same = self
            .last
            .as_ref()
            .is_some_and(|v| v.code == household.village);
        if !same {
            self.flush();
            let village = self
                .villages
                .remove(&household.village)
                .unwrap_or_else(|| FrameVillage::new(household.village.clone()));
            self.last = Some(village);
        }
        if let Some(v) = self.last.as_mut() {
            v.add(household.status, household.members);
        }
    }

    /// Puts the village being counted back into the map; call once the register is read.
    pub fn flush(&mut self) {
        if let Some(v) = self.last.take() {
            self.villages.insert(v.code.clone(), v);
        }
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
