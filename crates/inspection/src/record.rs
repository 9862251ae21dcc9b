//! What an inspector found at one household: the record the rules judge.
//!
//! Every answer that can be missing is an `Option`; `None` means "not recorded" and is judged
//! `Unknown`, never "met".

use assess_household::Status;
use assess_standards::{ComponentGrade, HouseGrade};
use serde::{Deserialize, Serialize};

/// One household visit, as found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdRecord {
    /// The household's id in the register (or the inspector's id for a household not in it).
    pub household_id: String,
    /// Register status at the time of the visit.
    pub status: Status,
    /// Members in the register, when known.
    pub register_members: Option<u32>,
    /// Members as found at the visit.
    pub members: Vec<Member>,
    /// Income year the income refers to; its poverty line must be in the standards.
    pub income_year: u16,
    /// Net income of the whole household in the income year, by source.
    pub income: IncomeBySource,
    /// Stable, sufficient food.
    pub food_adequate: Option<bool>,
    /// Seasonal clothes and bedding for all four seasons.
    pub clothing_adequate: Option<bool>,
    /// Protein (meat, eggs, milk or soy) available.
    pub protein_available: Option<bool>,
    /// Housing safety as found.
    pub housing: Housing,
    /// Drinking water as found.
    pub water: Water,
    /// Net income per person as stated on the household's card (明白卡) or by the household,
    /// when recorded; checked against the sources by `assess check`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub income_per_person_stated: Option<f64>,
    /// The household's answers to the approval questions, when asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Approval>,
    /// For registered households: the identification questions, when asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identification: Option<Identification>,
}

/// The approval questions (群众认可度): one answer each; a question not asked is `None`,
/// distinct from an explicit "don't know".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// The household's exit from poverty (or, for others, the village's exit work).
    pub exit: Option<Opinion>,
    /// The poverty-alleviation policies.
    pub policies: Option<Opinion>,
    /// The help the household received.
    pub help_received: Option<Opinion>,
    /// The work of the village cadres and the resident team.
    pub cadres_work: Option<Opinion>,
}

impl Approval {
    /// The questions with their names, in canonical order.
    pub fn answers(&self) -> [(&'static str, Option<Opinion>); 4] {
        [
            ("exit", self.exit),
            ("policies", self.policies),
            ("help_received", self.help_received),
            ("cadres_work", self.cadres_work),
        ]
    }
}

/// One answer to an approval question, on the scale the evaluation forms used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Opinion {
    /// Satisfied (满意).
    Satisfied,
    /// Basically satisfied (基本满意).
    BasicallySatisfied,
    /// Not satisfied (不满意).
    Dissatisfied,
    /// Does not know (不知道 / 说不清): kept apart; the verdict's setting says how it counts.
    DontKnow,
}

/// Identification answers for a registered household: what typical local rules treat as
/// grounds for removal from the register (docs/sources.md#removal-rules). `None`: not asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identification {
    /// The household owns a vehicle (other than a farm vehicle or motorcycle).
    pub owns_vehicle: Option<bool>,
    /// Its value in yuan, when one is owned.
    pub vehicle_value_yuan: Option<f64>,
    /// Owns a flat or a shop in a town or city.
    pub urban_flat_or_shop: Option<bool>,
    /// A member runs a registered company.
    pub registered_company: Option<bool>,
    /// A member or a close relative is on the public payroll (civil servant, public
    /// institution staff).
    pub public_payroll: Option<bool>,
    /// A member is a village cadre.
    pub village_cadre: Option<bool>,
}

/// One member as found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// How the inspector identifies the member (a name or a number); used in reasons.
    pub id: String,
    /// Date of birth, when known: gives the exact age at the reference date.
    pub birth_date: Option<BirthDate>,
    /// Age in years at the reference date, as stated, used when no birth date is known.
    pub age: Option<u32>,
    /// Sex, when recorded.
    pub sex: Option<Sex>,
    /// For members of compulsory-school age: their schooling.
    pub schooling: Option<Schooling>,
    /// Medical cover, as found.
    pub cover: MedicalCover,
    /// Resident identity number, only where a cross-check needs it (payroll, vehicle and
    /// company registers); stored with the record, never printed in full.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<IdNumber>,
}

/// A resident identity number: moved to `assess-household` (where the cross-checks of the
/// census use it too) and re-exported here, its home for the visit record.
pub use assess_household::{mask_identity_numbers, IdNumber};

/// A date of birth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BirthDate {
    /// Year.
    pub year: u16,
    /// Month, 1-12.
    pub month: u8,
    /// Day, 1-31.
    pub day: u8,
}

/// Sex of a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Male.
    Male,
    /// Female.
    Female,
}

/// Schooling of a child of compulsory-school age.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Schooling {
    /// Enrolled and attending.
    InSchool,
    /// Home-delivered teaching (送教上门): counts as met.
    HomeTeaching,
    /// Unable to study for health reasons: exempt, counts as met.
    ExemptHealth,
    /// Not in school: the guarantee is unmet.
    OutOfSchool,
}

/// Medical cover flags of one member.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MedicalCover {
    /// Basic medical insurance (基本医疗保险).
    pub basic_medical_insurance: Option<bool>,
    /// Serious-illness insurance (大病保险).
    pub serious_illness_insurance: Option<bool>,
    /// Medical assistance (医疗救助).
    pub medical_assistance: Option<bool>,
}

impl MedicalCover {
    /// The flag of one cover.
    pub fn get(&self, cover: assess_standards::Cover) -> Option<bool> {
        use assess_standards::Cover;
        match cover {
            Cover::BasicMedicalInsurance => self.basic_medical_insurance,
            Cover::SeriousIllnessInsurance => self.serious_illness_insurance,
            Cover::MedicalAssistance => self.medical_assistance,
        }
    }
}

/// Household net income in the income year (yuan), by source. Any source not recorded makes
/// the total unknown. Business income may be negative (a loss).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomeBySource {
    /// Wages and salaries.
    pub wages: Option<f64>,
    /// Net business income: farming and other business receipts after production costs.
    pub business_net: Option<f64>,
    /// Property income (rent, land transfer, dividends).
    pub property: Option<f64>,
    /// Transfer income (pensions, subsidies, minimum living allowance, remittances).
    pub transfers: Option<f64>,
    /// Own-produced goods consumed, valued in yuan.
    pub in_kind: Option<f64>,
}

impl IncomeBySource {
    /// The sources with their names, in canonical order.
    pub fn sources(&self) -> [(&'static str, Option<f64>); 5] {
        [
            ("wages", self.wages),
            ("business_net", self.business_net),
            ("property", self.property),
            ("transfers", self.transfers),
            ("in_kind", self.in_kind),
        ]
    }

    /// Total net income, when every source is recorded.
    pub fn total(&self) -> Option<f64> {
        self.sources().iter().map(|(_, v)| *v).sum()
    }
}

/// The structural components graded under the 2019 guideline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Components {
    /// Load-bearing walls.
    pub load_bearing_walls: Option<ComponentGrade>,
    /// Foundation.
    pub foundation: Option<ComponentGrade>,
    /// Roof truss.
    pub roof_truss: Option<ComponentGrade>,
    /// Wood members.
    pub wood_members: Option<ComponentGrade>,
}

impl Components {
    /// The components with their names, in canonical order.
    pub fn named(&self) -> [(&'static str, Option<ComponentGrade>); 4] {
        [
            ("load_bearing_walls", self.load_bearing_walls),
            ("foundation", self.foundation),
            ("roof_truss", self.roof_truss),
            ("wood_members", self.wood_members),
        ]
    }
}

/// What was done about an unsafe house.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Renovation {
    /// Nothing done.
    None,
    /// Reinforced (加固).
    Reinforced,
    /// Rebuilt (拆除重建).
    Rebuilt,
    /// Household relocated (搬迁).
    Relocated,
}

impl Renovation {
    /// Reinforced, rebuilt or relocated: an unsafe grade no longer counts.
    pub fn makes_safe(self) -> bool {
        !matches!(self, Renovation::None)
    }
}

/// Housing safety as found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Housing {
    /// The site is dangerous (2019 guideline: straight to D).
    pub site_dangerous: Option<bool>,
    /// Component grades as judged.
    pub components: Components,
    /// The inspector's own whole-house grade, kept beside the computed roll-up.
    pub inspector_grade: Option<HouseGrade>,
    /// What was done about an unsafe house.
    pub renovation: Option<Renovation>,
}

/// Drinking water as found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Water {
    /// Litres per person per day.
    pub litres_per_person_day: Option<f64>,
    /// The household is in a water-scarce area.
    pub water_scarce_area: Option<bool>,
    /// Water piped to the yard.
    pub piped_to_yard: Option<bool>,
    /// Minutes one fetch takes.
    pub fetch_minutes: Option<f64>,
    /// Horizontal distance to the source, metres.
    pub horizontal_m: Option<f64>,
    /// Vertical distance to the source, metres.
    pub vertical_m: Option<f64>,
    /// Days of outage in a year.
    pub outage_days: Option<u32>,
    /// Quality meets the local standard.
    pub quality_ok: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    // 11010519491231002X is the worked example of GB 11643-1999's check character.
    #[test]
    fn identity_numbers_are_checked_and_never_shown_whole() {
        let id = IdNumber::parse("11010519491231002x").unwrap();
        assert_eq!(id.reveal(), "11010519491231002X");
        assert_eq!(id.to_string(), "110***********002X");
        assert_eq!(format!("{id:?}"), "IdNumber(110***********002X)");
        let err = IdNumber::parse("110105194912310021").unwrap_err();
        assert!(
            err.contains("check character") && !err.contains("1949"),
            "{err}"
        );
        assert!(IdNumber::parse("1101051949123100").is_err());
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"11010519491231002X\"");
        assert!(serde_json::from_str::<IdNumber>("\"110105194912310021\"").is_err());
    }

    #[test]
    fn long_digit_runs_are_masked_in_messages() {
        let m = mask_identity_numbers;
        assert_eq!(
            m("invalid type: integer `11010519491231002`"),
            "invalid type: integer `110**********1002`"
        );
        assert_eq!(m("id 11010519491231002X."), "id 110***********002X.");
        assert_eq!(m("1.1010519491231002e17"), "1.101*********1002e17");
        assert_eq!(
            m("household 530128001203-0012"),
            "household 530128001203-0012"
        );
        assert_eq!(m("撒营盘 110105194912310"), "撒营盘 110********2310");
    }
}
