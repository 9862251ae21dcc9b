//! Identification flags: answers of a registered household that typical local rules treat as
//! grounds for removal from the register (a vehicle over the standards' value, a flat or shop
//! in town, a registered company, the public payroll, a village cadre). They do not enter the
//! four rates: they are leads for the county to re-examine the household's identification,
//! listed by `assess check` and in the verdict's reports with their evidence.

use crate::record::{mask_identity_numbers, HouseholdRecord};
use assess_standards::IdentificationRule;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One identification flag with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "flag")]
pub enum IdentificationFlag {
    /// Owns a vehicle (other than a farm vehicle or motorcycle) worth more than the standards'
    /// limit, or of unrecorded value (which cannot be cleared).
    Vehicle {
        /// Its value in yuan, when recorded.
        value_yuan: Option<f64>,
        /// The standards' limit (`household.identification.vehicle_value_yuan_over`).
        limit_yuan: f64,
    },
    /// Owns a flat or a shop in a town or city.
    UrbanFlatOrShop,
    /// A member runs a registered company.
    RegisteredCompany,
    /// A member or a close relative is on the public payroll.
    PublicPayroll,
    /// A member is a village cadre.
    VillageCadre,
}

impl IdentificationFlag {
    /// The flag's name as written in JSON (`vehicle`, `urban_flat_or_shop`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            IdentificationFlag::Vehicle { .. } => "vehicle",
            IdentificationFlag::UrbanFlatOrShop => "urban_flat_or_shop",
            IdentificationFlag::RegisteredCompany => "registered_company",
            IdentificationFlag::PublicPayroll => "public_payroll",
            IdentificationFlag::VillageCadre => "village_cadre",
        }
    }
}

impl fmt::Display for IdentificationFlag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdentificationFlag::Vehicle {
                value_yuan: Some(v),
                limit_yuan,
            } => write!(
                f,
                "owns a vehicle worth {v} yuan, over the standards' limit of {limit_yuan} yuan"
            ),
            IdentificationFlag::Vehicle {
                value_yuan: None,
                limit_yuan,
            } => write!(
                f,
                "owns a vehicle of unrecorded value (the standards' limit is {limit_yuan} yuan)"
            ),
            IdentificationFlag::UrbanFlatOrShop => {
                f.write_str("owns a flat or shop in a town or city")
            }
            IdentificationFlag::RegisteredCompany => {
                f.write_str("a member runs a registered company")
            }
            IdentificationFlag::PublicPayroll => {
                f.write_str("a member or close relative is on the public payroll")
            }
            IdentificationFlag::VillageCadre => f.write_str("a member is a village cadre"),
        }
    }
}

/// A member's identity number as it may be shown: both the member's id and the number masked
/// to their first 3 and last 4 characters (the member id too, since inspectors sometimes
/// identify members by their identity number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaskedIdentity {
    /// The member's id in the record, masked where it holds a long digit run.
    pub member: String,
    /// The identity number, masked (`110***********002X`).
    pub id_number: String,
}

impl fmt::Display for MaskedIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "member {} {}", self.member, self.id_number)
    }
}

/// A household with at least one identification flag, where it was sampled, and its members'
/// identity numbers (masked) for finding them in the registers the flags are checked against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlaggedHousehold {
    /// County code.
    pub county: String,
    /// Village code.
    pub village: String,
    /// Household stratum (register status: `exited`, `poor`).
    pub stratum: String,
    /// The household.
    pub household_id: String,
    /// Its flags, in the order of [`crate::Identification`]'s answers.
    pub flags: Vec<IdentificationFlag>,
    /// Its members' identity numbers, masked; empty when none was recorded.
    pub identity_numbers: Vec<MaskedIdentity>,
}

impl FlaggedHousehold {
    /// The entry of a sampled household (`unit`: its county, village, stratum and id in the
    /// sample), when the judgment of its record carries a flag.
    pub fn of(judgment: &crate::Judgment, unit: [&str; 4]) -> Option<FlaggedHousehold> {
        let [county, village, stratum, household_id] = unit;
        (!judgment.identification_flags.is_empty()).then(|| FlaggedHousehold {
            county: county.to_string(),
            village: village.to_string(),
            stratum: stratum.to_string(),
            household_id: household_id.to_string(),
            flags: judgment.identification_flags.clone(),
            identity_numbers: judgment.identity_numbers.clone(),
        })
    }

    /// Sorts a list by county, village and household, as every front end shows it.
    pub fn sort(list: &mut [FlaggedHousehold]) {
        list.sort_by(|a, b| {
            (&a.county, &a.village, &a.household_id).cmp(&(&b.county, &b.village, &b.household_id))
        });
    }
}

impl fmt::Display for FlaggedHousehold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flags: Vec<String> = self.flags.iter().map(ToString::to_string).collect();
        write!(
            f,
            "county {}, village {}, household {} ({}): {}",
            self.county,
            self.village,
            self.household_id,
            self.stratum,
            flags.join("; ")
        )?;
        if !self.identity_numbers.is_empty() {
            let ids: Vec<String> = self
                .identity_numbers
                .iter()
                .map(ToString::to_string)
                .collect();
            write!(f, " [identity numbers: {}]", ids.join(", "))?;
        }
        Ok(())
    }
}

/// The flags of a record: none for a non-registered household (the rules are about removal
/// from the register) or when the questions were not asked. A vehicle exactly at the limit is
/// not over it; a vehicle of unrecorded value is flagged, since nothing clears it.
pub(crate) fn flags_of(
    record: &HouseholdRecord,
    rule: &IdentificationRule,
) -> Vec<IdentificationFlag> {
    let Some(id) = record
        .identification
        .filter(|_| record.status.is_registered())
    else {
        return Vec::new();
    };
    let mut flags = Vec::new();
    if id.owns_vehicle == Some(true) {
        let limit_yuan = rule.vehicle_value_yuan_over;
        if id.vehicle_value_yuan.is_none_or(|v| v > limit_yuan) {
            flags.push(IdentificationFlag::Vehicle {
                value_yuan: id.vehicle_value_yuan,
                limit_yuan,
            });
        }
    }
    for (answer, flag) in [
        (id.urban_flat_or_shop, IdentificationFlag::UrbanFlatOrShop),
        (id.registered_company, IdentificationFlag::RegisteredCompany),
        (id.public_payroll, IdentificationFlag::PublicPayroll),
        (id.village_cadre, IdentificationFlag::VillageCadre),
    ] {
        if answer == Some(true) {
            flags.push(flag);
        }
    }
    flags
}

/// The members' identity numbers, masked, in member order.
pub(crate) fn masked_identities(record: &HouseholdRecord) -> Vec<MaskedIdentity> {
    record
        .members
        .iter()
        .filter_map(|m| {
            let number = m.id_number.as_ref()?;
            Some(MaskedIdentity {
                member: mask_identity_numbers(&m.id),
                id_number: number.masked(),
            })
        })
        .collect()
}
