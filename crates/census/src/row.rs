//! A judged return as flat values: the columns of the census store, the quality checks and
//! the tables. One [`ReturnRow`] per return and one [`MemberRow`] per member.
//!
//! Why flat rows: 30 million returns are stored and scanned by column (docs/ARCHITECTURE.md,
//! "census store"); the checks and tables read a handful of columns each, never the nested
//! return, so they are written against these rows and the store fills them from its columns.

use crate::judged::JudgedReturn;
use assess_inspection::{parse_rfc3339, Answer, Opinion};
use assess_standards::Tri;
use serde::Serialize;
use std::sync::Arc;

/// One return as the census store holds it (docs/census.md, "The store"). `Default` is an
/// empty row (no outcome, nothing known), for tests and builders to fill.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReturnRow {
    /// The return's own id.
    pub return_id: String,
    /// The household's id in the register.
    pub household_id: String,
    /// The province: the first two digits of the county code.
    pub province_code: String,
    /// The county, 6 digits.
    pub county_code: String,
    /// The village, 12 digits.
    pub village_code: String,
    /// The enumerator's id.
    pub enumerator_id: String,
    /// The enumerator's home county.
    pub enumerator_home_county: String,
    /// `enumerated`, `dissolved` or `moved_out`.
    pub outcome: &'static str,
    /// Start of the interview, seconds since 1970 (UTC).
    pub start_unix: i64,
    /// End of the interview, seconds since 1970 (UTC).
    pub end_unix: i64,
    /// GPS latitude, when the terminal had a fix.
    pub gps_lat: Option<f64>,
    /// GPS longitude, when the terminal had a fix.
    pub gps_lon: Option<f64>,
    /// SHA-256 (hex) of the whole return ([`crate::CensusReturn::content_sha256`]).
    pub content_sha256: String,
    /// SHA-256 (hex) of the household's answers without who answered them
    /// ([`answers_sha256`]); `None` for a household not enumerated.
    pub answers_sha256: Option<String>,
    /// Register status (`exited`, `poor`, `non_registered`), for an enumerated household.
    pub status: Option<&'static str>,
    /// Members found.
    pub members: u32,
    /// Poverty line of the income year, yuan per person.
    pub poverty_line: Option<f64>,
    /// Net income per person, when every source is known.
    pub income_per_person: Option<f64>,
    /// Income at or above the line (`None`: cannot be told).
    pub income_ok: Option<bool>,
    /// Food and clothing.
    pub food_clothing: Option<bool>,
    /// Compulsory education.
    pub education: Option<bool>,
    /// Basic medical cover.
    pub medical: Option<bool>,
    /// Housing safety.
    pub housing: Option<bool>,
    /// Drinking-water safety.
    pub water: Option<bool>,
    /// All five guarantees.
    pub guarantees: Option<bool>,
    /// Below the line or a guarantee unmet.
    pub poor: Option<bool>,
    /// Approval of the exit: satisfied or basically satisfied (`None`: not asked or don't
    /// know).
    pub approval_exit: Option<bool>,
    /// Industrial support, yuan.
    pub industrial_support_yuan: Option<f64>,
    /// Housing renovation subsidy, yuan.
    pub housing_renovation_yuan: Option<f64>,
    /// Education aid, yuan.
    pub education_aid_yuan: Option<f64>,
    /// Medical aid, yuan.
    pub medical_aid_yuan: Option<f64>,
    /// Minimum living allowance, yuan.
    pub minimum_living_allowance_yuan: Option<f64>,
    /// Employment support.
    pub employment_support: Option<bool>,
    /// A public-welfare post.
    pub public_welfare_post: Option<bool>,
    /// Relocated.
    pub relocated: Option<bool>,
    /// Extreme-poverty support.
    pub extreme_poverty_support: Option<bool>,
    /// Microcredit.
    pub microcredit: Option<bool>,
}

/// One member of an enumerated household's return.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberRow {
    /// The return. This and the next three are the return's own texts, shared by its
    /// members (a return has three or four): four allocations a member fewer, which were a
    /// twentieth of the ingest's CPU with their frees on another thread.
    pub return_id: Arc<str>,
    /// The household.
    pub household_id: Arc<str>,
    /// The county.
    pub county_code: Arc<str>,
    /// The village.
    pub village_code: Arc<str>,
    /// The member's id within the return.
    pub member_id: String,
    /// The identity number (canonical 18 characters), when recorded. The store keeps it
    /// whole; every report masks it.
    pub id_number: Option<String>,
    /// Age at the reference date, when known.
    pub age: Option<u32>,
    /// `male` or `female`, when recorded.
    pub sex: Option<&'static str>,
}

/// One registered household as the census store holds it: the census population that
/// coverage is counted against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegisterRow {
    /// The household's id in the register.
    pub household_id: String,
    /// The province (2 digits).
    pub province_code: String,
    /// The county (6 digits).
    pub county_code: String,
    /// The township (9 digits).
    pub township_code: String,
    /// The village (12 digits).
    pub village_code: String,
    /// Register status: `exited`, `poor` or `non_registered`.
    pub status: &'static str,
    /// Registered members.
    pub members: u32,
    /// WGS-84 latitude of the house, when the register has it.
    pub lat: Option<f64>,
    /// WGS-84 longitude of the house, when the register has it.
    pub lon: Option<f64>,
}

impl RegisterRow {
    /// The row of a register household.
    pub fn of(h: &assess_household::Household) -> RegisterRow {
        RegisterRow {
            household_id: h.household_id.clone(),
            province_code: h.village.province().to_string(),
            county_code: h.village.county().to_string(),
            township_code: h.village.township().to_string(),
            village_code: h.village.as_str().to_string(),
            status: h.status.as_str(),
            members: h.members,
            lat: h.lat,
            lon: h.lon,
        }
    }
}

/// The store's columns behind [`ReturnFields`]' ids: return, household, county, village,
/// outcome and start.
pub const RETURN_ID_COLUMNS: [&str; 6] = [
    "return_id",
    "household_id",
    "county_code",
    "village_code",
    "outcome",
    "start_unix",
];
/// The columns behind [`ReturnFields::attainment`], in its order.
pub const ATTAINMENT_COLUMNS: [&str; 7] = [
    "income_ok",
    "food_clothing",
    "education",
    "medical",
    "housing",
    "water",
    "guarantees",
];
/// The column behind [`ReturnFields::income_per_person`].
pub const INCOME_COLUMN: &str = "income_per_person";
/// The columns behind [`ReturnFields::amounts`], in its order.
pub const AMOUNT_COLUMNS: [&str; 5] = [
    "industrial_support_yuan",
    "housing_renovation_yuan",
    "education_aid_yuan",
    "medical_aid_yuan",
    "minimum_living_allowance_yuan",
];
/// The columns behind [`ReturnFields::yes_no`], in its order.
pub const YES_NO_COLUMNS: [&str; 5] = [
    "employment_support",
    "public_welfare_post",
    "relocated",
    "extreme_poverty_support",
    "microcredit",
];

/// Every column [`ReturnFields`] reads: the ids, the attainment, the income and the
/// assistance.
pub fn return_fields_columns() -> Vec<&'static str> {
    let mut all = RETURN_ID_COLUMNS.to_vec();
    all.extend(ATTAINMENT_COLUMNS);
    all.push(INCOME_COLUMN);
    all.extend(AMOUNT_COLUMNS);
    all.extend(YES_NO_COLUMNS);
    all
}

/// What the coverage and the tables read of a return: a [`ReturnRow`] has it, and so has a
/// view of the census store's columns, which makes no row (`assess_census_store`'s
/// `ReturnColumns`: counting 30 million returns should not allocate 30 million rows).
pub trait ReturnFields {
    /// The return's own id.
    fn return_id(&self) -> &str;
    /// The household's id in the register.
    fn household_id(&self) -> &str;
    /// The county (6 digits).
    fn county_code(&self) -> &str;
    /// The village (12 digits).
    fn village_code(&self) -> &str;
    /// `enumerated`, `dissolved` or `moved_out`.
    fn outcome(&self) -> &str;
    /// The interview's start, Unix seconds.
    fn start_unix(&self) -> i64;
    /// Income at or above the line, food and clothing, education, medical cover, housing,
    /// water, and all five guarantees.
    fn attainment(&self) -> [Option<bool>; 7];
    /// Income per person, yuan.
    fn income_per_person(&self) -> Option<f64>;
    /// Industrial support, housing renovation, education aid, medical aid and the minimum
    /// living allowance, yuan.
    fn amounts(&self) -> [Option<f64>; 5];
    /// Employment support, a public-welfare post, relocation, extreme-poverty support and
    /// microcredit.
    fn yes_no(&self) -> [Option<bool>; 5];
}

impl ReturnFields for ReturnRow {
    fn return_id(&self) -> &str {
        &self.return_id
    }
    fn household_id(&self) -> &str {
        &self.household_id
    }
    fn county_code(&self) -> &str {
        &self.county_code
    }
    fn village_code(&self) -> &str {
        &self.village_code
    }
    fn outcome(&self) -> &str {
        self.outcome
    }
    fn start_unix(&self) -> i64 {
        self.start_unix
    }
    fn attainment(&self) -> [Option<bool>; 7] {
        [
            self.income_ok,
            self.food_clothing,
            self.education,
            self.medical,
            self.housing,
            self.water,
            self.guarantees,
        ]
    }
    fn income_per_person(&self) -> Option<f64> {
        self.income_per_person
    }
    fn amounts(&self) -> [Option<f64>; 5] {
        [
            self.industrial_support_yuan,
            self.housing_renovation_yuan,
            self.education_aid_yuan,
            self.medical_aid_yuan,
            self.minimum_living_allowance_yuan,
        ]
    }
    fn yes_no(&self) -> [Option<bool>; 5] {
        [
            self.employment_support,
            self.public_welfare_post,
            self.relocated,
            self.extreme_poverty_support,
            self.microcredit,
        ]
    }
}

/// What the coverage reads of a registered household: a [`RegisterRow`] has it, and so has a
/// view of the census store's register columns (`assess_census_store`'s `RegisterColumns`).
pub trait RegisterFields {
    /// The household's id in the register.
    fn household_id(&self) -> &str;
    /// The county (6 digits).
    fn county_code(&self) -> &str;
    /// The township (9 digits).
    fn township_code(&self) -> &str;
    /// The village (12 digits).
    fn village_code(&self) -> &str;
    /// `exited`, `poor` or `non_registered`.
    fn status(&self) -> &'static str;
    /// Registered members.
    fn members(&self) -> u32;
}

impl RegisterFields for RegisterRow {
    fn household_id(&self) -> &str {
        &self.household_id
    }
    fn county_code(&self) -> &str {
        &self.county_code
    }
    fn township_code(&self) -> &str {
        &self.township_code
    }
    fn village_code(&self) -> &str {
        &self.village_code
    }
    fn status(&self) -> &'static str {
        self.status
    }
    fn members(&self) -> u32 {
        self.members
    }
}

/// The texts a [`ReturnRow`] takes from its return: copied ([`ReturnRow::of`]) or moved out
/// ([`JudgedReturn::into_rows`]).
struct Texts {
    return_id: String,
    household_id: String,
    county_code: String,
    village_code: String,
    enumerator_id: String,
    enumerator_home_county: String,
    content_sha256: String,
}

impl Texts {
    fn copied(j: &JudgedReturn) -> Texts {
        let r = &j.census_return;
        Texts {
            return_id: r.return_id.clone(),
            household_id: r.household_id.clone(),
            county_code: r.county_code.clone(),
            village_code: r.village_code.clone(),
            enumerator_id: r.enumerator.id.clone(),
            enumerator_home_county: r.enumerator.home_county.clone(),
            content_sha256: j.content_sha256.clone(),
        }
    }

    /// The texts, left empty in `j`.
    fn taken(j: &mut JudgedReturn) -> Texts {
        let r = &mut j.census_return;
        let take = std::mem::take::<String>;
        Texts {
            return_id: take(&mut r.return_id),
            household_id: take(&mut r.household_id),
            county_code: take(&mut r.county_code),
            village_code: take(&mut r.village_code),
            enumerator_id: take(&mut r.enumerator.id),
            enumerator_home_county: take(&mut r.enumerator.home_county),
            content_sha256: take(&mut j.content_sha256),
        }
    }
}

impl JudgedReturn {
    /// Its [`ReturnRow`] and [`MemberRow`]s, the texts moved rather than copied: the census
    /// ingest makes the rows of every return, and copying its texts was a tenth of the
    /// judging threads' work (docs/benchmarks.md). The same rows as [`ReturnRow::of`] and
    /// [`MemberRow::of`] (tested).
    pub fn into_rows(mut self) -> (ReturnRow, Vec<MemberRow>) {
        let keys = ReturnKeys::of(&self.census_return);
        let members = self
            .census_return
            .household
            .as_mut()
            .map_or_else(Vec::new, |h| {
                h.members
                    .iter_mut()
                    .map(|m| {
                        let id_number = m.id_number.take().map(String::from);
                        keys.member_row(std::mem::take(&mut m.id), id_number, m)
                    })
                    .collect()
            });
        let texts = Texts::taken(&mut self);
        (ReturnRow::with(&self, texts), members)
    }
}

/// The return's texts every member row repeats, made once for all its members.
struct ReturnKeys {
    return_id: Arc<str>,
    household_id: Arc<str>,
    county_code: Arc<str>,
    village_code: Arc<str>,
}

impl ReturnKeys {
    fn of(r: &crate::model::CensusReturn) -> ReturnKeys {
        ReturnKeys {
            return_id: r.return_id.as_str().into(),
            household_id: r.household_id.as_str().into(),
            county_code: r.county_code.as_str().into(),
            village_code: r.village_code.as_str().into(),
        }
    }

    /// A member's row, with its id and identity number given (copied or moved out).
    fn member_row(
        &self,
        member_id: String,
        id_number: Option<String>,
        m: &assess_inspection::Member,
    ) -> MemberRow {
        MemberRow {
            return_id: Arc::clone(&self.return_id),
            household_id: Arc::clone(&self.household_id),
            county_code: Arc::clone(&self.county_code),
            village_code: Arc::clone(&self.village_code),
            member_id,
            id_number,
            age: m.age,
            sex: m.sex.map(|s| match s {
                assess_inspection::Sex::Male => "male",
                assess_inspection::Sex::Female => "female",
            }),
        }
    }
}

impl ReturnRow {
    /// The flat row of a judged return. A valid return's times parse (validation checked).
    pub fn of(j: &JudgedReturn) -> ReturnRow {
        ReturnRow::with(j, Texts::copied(j))
    }

    fn with(j: &JudgedReturn, t: Texts) -> ReturnRow {
        let r = &j.census_return;
        let f = j.findings();
        let h = r.household.as_ref();
        let a = &r.assistance;
        ReturnRow {
            province_code: t.county_code.get(..2).unwrap_or("").to_string(),
            return_id: t.return_id,
            household_id: t.household_id,
            county_code: t.county_code,
            village_code: t.village_code,
            enumerator_id: t.enumerator_id,
            enumerator_home_county: t.enumerator_home_county,
            outcome: r.outcome.as_str(),
            start_unix: unix(&r.start),
            end_unix: unix(&r.end),
            gps_lat: r.gps.map(|g| g.lat),
            gps_lon: r.gps.map(|g| g.lon),
            content_sha256: t.content_sha256,
            answers_sha256: answers_sha256(j),
            status: h.map(|h| h.status.as_str()),
            members: h.map_or(0, |h| h.members.len() as u32),
            poverty_line: f.map(|f| f.poverty_line),
            income_per_person: f.and_then(|f| f.income_per_person),
            income_ok: f.and_then(|f| tri(f.income)),
            food_clothing: f.and_then(|f| tri(f.food_clothing)),
            education: f.and_then(|f| tri(f.education)),
            medical: f.and_then(|f| tri(f.medical)),
            housing: f.and_then(|f| tri(f.housing)),
            water: f.and_then(|f| tri(f.water)),
            guarantees: f.and_then(|f| tri(f.guarantees)),
            poor: f.and_then(|f| answer(f.poor)),
            approval_exit: h.and_then(|h| h.approval?.exit).and_then(approves),
            industrial_support_yuan: a.industrial_support_yuan,
            housing_renovation_yuan: a.housing_renovation_yuan,
            education_aid_yuan: a.education_aid_yuan,
            medical_aid_yuan: a.medical_aid_yuan,
            minimum_living_allowance_yuan: a.minimum_living_allowance_yuan,
            employment_support: a.employment_support,
            public_welfare_post: a.public_welfare_post,
            relocated: a.relocated,
            extreme_poverty_support: a.extreme_poverty_support,
            microcredit: a.microcredit,
        }
    }

    /// Interview length in seconds (negative when the end is before the start).
    pub fn interview_seconds(&self) -> i64 {
        self.end_unix - self.start_unix
    }
}

impl MemberRow {
    /// The member rows of a return (none for a household not enumerated).
    pub fn of(j: &JudgedReturn) -> Vec<MemberRow> {
        let r = &j.census_return;
        let Some(h) = &r.household else {
            return Vec::new();
        };
        let keys = ReturnKeys::of(r);
        h.members
            .iter()
            .map(|m| keys.member_row(m.id.clone(), m.id_number.clone().map(String::from), m))
            .collect()
    }
}

/// SHA-256 (hex) of what a household answered, without who answered it: the household
/// section's income, food and clothing, housing, water, approval and identification answers
/// and the assistance, but not the return, household or member ids, the members, the
/// enumerator, the times or the place. Two returns with the same answers hash alike, which
/// is how a copied return (one enumerator filling in another household's answers) shows.
pub fn answers_sha256(j: &JudgedReturn) -> Option<String> {
    let h = j.census_return.household.as_ref()?;
    let answers = (
        &h.income,
        h.income_per_person_stated,
        h.food_adequate,
        h.clothing_adequate,
        h.protein_available,
        &h.housing,
        &h.water,
        &h.approval,
        &h.identification,
        &j.census_return.assistance,
    );
    Some(crate::model::sha256_hex_of(&answers))
}

fn unix(text: &str) -> i64 {
    parse_rfc3339(text).map_or(0, |s| s.floor() as i64)
}

fn tri(t: Tri) -> Option<bool> {
    match t {
        Tri::Met => Some(true),
        Tri::Unmet => Some(false),
        Tri::Unknown => None,
    }
}

fn answer(a: Answer) -> Option<bool> {
    match a {
        Answer::Yes => Some(true),
        Answer::No => Some(false),
        Answer::Unknown => None,
    }
}

fn approves(o: Opinion) -> Option<bool> {
    match o {
        Opinion::Satisfied | Opinion::BasicallySatisfied => Some(true),
        Opinion::Dissatisfied => Some(false),
        Opinion::DontKnow => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge_return;
    use assess_standards::Standards;
    use sha2::{Digest, Sha256};

    #[test]
    fn the_answers_hash_is_that_of_the_answers_encoded() {
        let mut r = crate::example_return();
        let j = judge_return(r.clone(), &Standards::builtin()).unwrap();
        let h = j.census_return.household.as_ref().unwrap();
        let mut bytes = Vec::new();
        let answers = (
            &h.income,
            h.income_per_person_stated,
            h.food_adequate,
            h.clothing_adequate,
            h.protein_available,
            &h.housing,
            &h.water,
            &h.approval,
            &h.identification,
            &j.census_return.assistance,
        );
        crate::digest::encode(&mut bytes, &answers).unwrap();
        let want = hex::encode(Sha256::digest(&bytes));
        assert_eq!(answers_sha256(&j).as_deref(), Some(want.as_str()));
        // An answer given or absent (null, or a skipped field) changes it.
        let h = r.household.as_mut().unwrap();
        h.income_per_person_stated = match h.income_per_person_stated {
            Some(_) => None,
            None => Some(1234.5),
        };
        let j = judge_return(r.clone(), &Standards::builtin()).unwrap();
        assert_ne!(answers_sha256(&j).as_deref(), Some(want.as_str()));
        let seen = answers_sha256(&j);
        let h = r.household.as_mut().unwrap();
        h.food_adequate = match h.food_adequate {
            Some(_) => None,
            None => Some(true),
        };
        let j = judge_return(r, &Standards::builtin()).unwrap();
        assert_ne!(answers_sha256(&j), seen);
    }

    #[test]
    fn an_example_return_flattens_to_its_findings() {
        let j = judge_return(crate::example_return(), &Standards::builtin()).unwrap();
        let row = ReturnRow::of(&j);
        assert_eq!(row.province_code, &j.census_return.county_code[..2]);
        assert_eq!(row.outcome, "enumerated");
        assert!(row.interview_seconds() > 0);
        assert_eq!(row.guarantees, Some(true));
        assert_eq!(row.poor, Some(false));
        let members = MemberRow::of(&j);
        assert_eq!(members.len(), row.members as usize);
    }

    #[test]
    fn rows_moved_out_are_the_rows_copied() {
        let standards = Standards::builtin();
        let mut dissolved = crate::example_return();
        dissolved.outcome = crate::model::ReturnOutcome::Dissolved;
        dissolved.household = None;
        for r in [crate::example_return(), dissolved] {
            let j = judge_return(r, &standards).unwrap();
            let copied = (ReturnRow::of(&j), MemberRow::of(&j));
            assert!(copied.1.iter().any(|m| m.id_number.is_some()) || j.judgment.is_none());
            assert_eq!(j.into_rows(), copied);
        }
    }

    #[test]
    fn answers_hash_ignores_who_answered_but_not_what() {
        let standards = Standards::builtin();
        let a = judge_return(crate::example_return(), &standards).unwrap();
        let mut other = crate::example_return();
        other.return_id = "530128-9999999".into();
        other.enumerator.id = "E530128-9999".into();
        other.start = "2020-07-09T10:00:00+08:00".into();
        other.end = "2020-07-09T10:30:00+08:00".into();
        let b = judge_return(other.clone(), &standards).unwrap();
        assert_eq!(answers_sha256(&a), answers_sha256(&b));
        assert_ne!(a.content_sha256, b.content_sha256);
        other.assistance.microcredit = Some(!other.assistance.microcredit.unwrap_or(false));
        let c = judge_return(other, &standards).unwrap();
        assert_ne!(answers_sha256(&a), answers_sha256(&c));
    }
}
