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

/// A resident identity number (居民身份证号码, GB 11643-1999): 17 digits and a check character
/// (0-9 or X, ISO 7064 MOD 11-2). Its `Debug` and `Display` show only the first 3 and last 4
/// characters, so a record printed by mistake or in a report never shows a number in full;
/// serialising (for storage) keeps it whole.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

impl IdNumber {
    /// Checks the form and the check character; lower-case `x` is accepted and stored as `X`.
    pub fn parse(text: &str) -> Result<IdNumber, String> {
        let t = text.trim().to_ascii_uppercase();
        let bytes = t.as_bytes();
        let digits_ok = bytes.len() == 18 && bytes[..17].iter().all(u8::is_ascii_digit);
        if !digits_ok || !(bytes[17].is_ascii_digit() || bytes[17] == b'X') {
            return Err(
                "an identity number has 18 characters: 17 digits and a digit or X".to_string(),
            );
        }
        // ISO 7064 MOD 11-2 as specified by GB 11643-1999: weights 2^(17-i) mod 11.
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        const CHECK: &[u8; 11] = b"10X98765432";
        let sum: u32 = bytes[..17]
            .iter()
            .zip(WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        if CHECK[(sum % 11) as usize] != bytes[17] {
            return Err(format!(
                "identity number {} has a wrong check character; re-read it from the card",
                mask(&t)
            ));
        }
        Ok(IdNumber(t))
    }

    /// The number with all but its first 3 and last 4 characters hidden.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }

    /// The whole number, for the cross-checks that need it.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

/// `text` with every run of 15 or more digits (and a check character X right after it)
/// masked like an identity number: an old 15-digit or a new 18-digit number, or one given
/// as a JSON number (`110105194912310021`, `1.1010519491231002e17`), shows only its first
/// 3 and last 4 characters. Messages that may quote a record's values go through this.
pub fn mask_identity_numbers(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            let next = i + text[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&text[i..next]);
            i = next;
            continue;
        }
        let mut end = i;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
        if end - i >= 15 {
            if end < bytes.len() && matches!(bytes[end], b'X' | b'x') {
                end += 1;
            }
            out.push_str(&mask(&text[i..end]));
        } else {
            out.push_str(&text[i..end]);
        }
        i = end;
    }
    out
}

fn mask(t: &str) -> String {
    let chars: Vec<char> = t.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let hidden = chars.len() - 7;
    format!(
        "{}{}{}",
        chars[..3].iter().collect::<String>(),
        "*".repeat(hidden),
        chars[chars.len() - 4..].iter().collect::<String>()
    )
}

impl TryFrom<String> for IdNumber {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        IdNumber::parse(&s)
    }
}

impl From<IdNumber> for String {
    fn from(id: IdNumber) -> String {
        id.0
    }
}

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl std::fmt::Display for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked())
    }
}

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
