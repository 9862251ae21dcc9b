//! Linking households to the registries: every member's normalised identity number probed in
//! each registry's index; each row a rule hits becomes a [`Hit`] with its evidence. A name
//! that differs on an identity-number match is a note, never a reason to drop the hit.

use crate::households::HouseholdMembers;
use crate::registry::Registries;
use crate::rules::{Basis, RegistryKind};
use crate::text::normalise_name;
use assess_household::{mask_identity_numbers, IdWritten};
use std::collections::{BTreeMap, HashSet};

/// One piece of evidence: a member of a household found in a registry row that a rule hits.
/// It holds the member's identity number only masked.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The household.
    pub household_id: String,
    /// Its county.
    pub county_code: String,
    /// Its village.
    pub village_code: String,
    /// The rule's id.
    pub rule: String,
    /// What the hit means, in English.
    pub rule_label_en: String,
    /// What the hit means, in Chinese.
    pub rule_label_zh: String,
    /// Document or local practice.
    pub basis: Basis,
    /// The member's identity number, masked (`110***********002X`).
    pub member_id_masked: String,
    /// The member's name as the household source gives it.
    pub member_name: String,
    /// How the household source wrote the number.
    pub member_id_written: IdWritten,
    /// The registry.
    pub registry: RegistryKind,
    /// The registry's file.
    pub registry_file: String,
    /// The row's line in it.
    pub registry_line: u64,
    /// How the registry wrote the number.
    pub registry_id_written: IdWritten,
    /// A vehicle's value in yuan.
    pub value_yuan: Option<f64>,
    /// Kind, role or employer, as the registry gives it.
    pub what: String,
    /// Plate, address or company, as the registry gives it.
    pub detail: String,
    /// The name the registry gives.
    pub registry_name: String,
    /// A note for whoever follows the case up (a name that differs), or empty.
    pub note: String,
}

impl Registries {
    /// Every hit of one household, member by member, registry by registry.
    pub fn link(&self, household: &HouseholdMembers) -> Vec<Hit> {
        let mut hits = Vec::new();
        for m in &household.members {
            for row in self.rows_for(&m.id) {
                let rule = &self.rules().rules()[row.rule];
                let note = if !m.name.is_empty()
                    && !row.name.is_empty()
                    && normalise_name(&m.name) != normalise_name(row.name)
                {
                    format!(
                        "name differs: the registry gives {}, the household {}",
                        row.name, m.name
                    )
                } else {
                    String::new()
                };
                let safe = |s: &str| mask_identity_numbers(s);
                hits.push(Hit {
                    household_id: household.household_id.clone(),
                    county_code: household.county_code.clone(),
                    village_code: household.village_code.clone(),
                    rule: rule.id.clone(),
                    rule_label_en: rule.label_en.clone(),
                    rule_label_zh: rule.label_zh.clone(),
                    basis: rule.basis,
                    member_id_masked: m.id.masked(),
                    member_name: safe(&m.name),
                    member_id_written: m.written,
                    registry: row.registry,
                    registry_file: row.file.to_string(),
                    registry_line: row.line,
                    registry_id_written: row.written,
                    value_yuan: row.value_yuan,
                    what: safe(row.what),
                    detail: safe(row.detail),
                    registry_name: safe(row.name),
                    note: safe(&note),
                });
            }
        }
        hits
    }
}

/// Counts over a run: households and members checked, households flagged, hits by rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Households checked.
    pub households: u64,
    /// Members checked.
    pub members: u64,
    /// Distinct households with at least one hit.
    pub flagged: HashSet<String>,
    /// Hits by rule id.
    pub hits_by_rule: BTreeMap<String, u64>,
    /// Hits whose names differ.
    pub name_notes: u64,
}

impl Tally {
    /// Adds one household and its hits.
    pub fn add(&mut self, household: &HouseholdMembers, hits: &[Hit]) {
        self.households += 1;
        self.members += household.members.len() as u64;
        if !hits.is_empty() {
            self.flagged.insert(household.household_id.clone());
        }
        for h in hits {
            *self.hits_by_rule.entry(h.rule.clone()).or_default() += 1;
            if !h.note.is_empty() {
                self.name_notes += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::households::Member;
    use crate::rules::Rules;
    use assess_household::IdNumber;

    #[test]
    fn a_name_mismatch_is_a_note_not_a_drop() {
        let mut r = Registries::new(Rules::built_in());
        r.read(
            RegistryKind::Payroll,
            "pay.csv",
            "person_id,person_name,employer\n11010519491231002x,张山,县财政局\n".as_bytes(),
        )
        .unwrap();
        let (id, written) = IdNumber::normalise("110105491231002").unwrap();
        let h = HouseholdMembers {
            household_id: "h1".into(),
            county_code: "450124".into(),
            village_code: "450124100201".into(),
            members: vec![Member {
                id,
                name: "张 三".into(),
                written,
            }],
        };
        let hits = r.link(&h);
        assert_eq!(hits.len(), 1);
        let hit = &hits[0];
        assert_eq!(hit.rule, "public_payroll");
        assert_eq!(hit.member_id_masked, "110***********002X");
        assert_eq!((hit.registry_line, hit.what.as_str()), (2, "县财政局"));
        assert!(hit.member_id_written.old_15_digit && hit.registry_id_written.lower_case_x);
        assert!(
            hit.note.contains("张山") && hit.note.contains("张 三"),
            "{}",
            hit.note
        );
        let mut t = Tally::default();
        t.add(&h, &hits);
        assert_eq!(
            (t.households, t.members, t.flagged.len(), t.name_notes),
            (1, 1, 1, 1)
        );
    }
}
