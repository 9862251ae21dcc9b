//! The census return: one household's return, as the enumerator uploads it.

use crate::error::Problem;
use assess_inspection::{parse_rfc3339, Gps, HouseholdRecord};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Longest id or code a return may carry (return, household, enumerator ids).
pub const MAX_ID_CHARS: usize = 64;

/// One household's census return (docs/census.md, "Returns").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CensusReturn {
    /// The return's own id, unique across the census (a household enumerated twice has two).
    pub return_id: String,
    /// The household's id in the register (or the enumerator's id for a household not in it).
    pub household_id: String,
    /// The county (6 digits) the household lives in.
    pub county_code: String,
    /// The village (12 digits, starting with the county code).
    pub village_code: String,
    /// Who enumerated the household.
    pub enumerator: Enumerator,
    /// Enumerated, or why not (the household dissolved or moved away).
    pub outcome: ReturnOutcome,
    /// Start of the interview, RFC 3339 with offset (`2020-07-03T09:30:00+08:00`).
    pub start: String,
    /// End of the interview, RFC 3339 with offset. An end before the start is not refused
    /// here: it is a quality finding, kept for the checks.
    pub end: String,
    /// The terminal's GPS fix (WGS-84) at the household, when it had one.
    #[serde(default)]
    pub gps: Option<Gps>,
    /// The household section: exactly the visit record's (`docs/records.md`), judged by the
    /// same rules. Present for an enumerated household, absent otherwise.
    #[serde(default)]
    pub household: Option<HouseholdRecord>,
    /// Assistance the household received.
    #[serde(default)]
    pub assistance: Assistance,
}

/// The census staff member who took the return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enumerator {
    /// The enumerator's id.
    pub id: String,
    /// The county (6 digits) the enumerator comes from: enumerators were posted away from
    /// their own county, so one equal to the return's county is a finding.
    pub home_county: String,
}

/// What the enumerator found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnOutcome {
    /// The household was enumerated: the household section is filled.
    Enumerated,
    /// The household no longer exists (members died or joined other households).
    Dissolved,
    /// The household moved out of the county.
    MovedOut,
}

impl ReturnOutcome {
    /// The name as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ReturnOutcome::Enumerated => "enumerated",
            ReturnOutcome::Dissolved => "dissolved",
            ReturnOutcome::MovedOut => "moved_out",
        }
    }
}

/// Assistance received during the poverty-alleviation campaign, as the census form asked it:
/// amounts in yuan received in the income year, or whether the household took part. Every
/// field may be left out (not asked or not answered).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assistance {
    /// Industrial support (产业扶持): seedlings, livestock, dividends of a support project; yuan.
    pub industrial_support_yuan: Option<f64>,
    /// Employment support (就业扶持): job placement, labour transfer or vocational training.
    pub employment_support: Option<bool>,
    /// A public-welfare post (公益岗位: forest ranger, cleaner, road keeper).
    pub public_welfare_post: Option<bool>,
    /// Relocated from an inhospitable area (易地扶贫搬迁).
    pub relocated: Option<bool>,
    /// Housing renovation subsidy for a dangerous house (危房改造补助); yuan.
    pub housing_renovation_yuan: Option<f64>,
    /// Education aid (教育资助: fee waivers, living allowances of pupils and students); yuan.
    pub education_aid_yuan: Option<f64>,
    /// Medical aid (医疗救助 and health-poverty reimbursements beyond insurance); yuan.
    pub medical_aid_yuan: Option<f64>,
    /// Minimum living allowance (低保金) received; yuan.
    pub minimum_living_allowance_yuan: Option<f64>,
    /// Support for the extremely poor (特困供养, 五保).
    pub extreme_poverty_support: Option<bool>,
    /// A poverty-alleviation microcredit loan (扶贫小额信贷).
    pub microcredit: Option<bool>,
}

impl Assistance {
    /// The amounts with their field names, in canonical order.
    pub fn amounts(&self) -> [(&'static str, Option<f64>); 5] {
        [
            ("industrial_support_yuan", self.industrial_support_yuan),
            ("housing_renovation_yuan", self.housing_renovation_yuan),
            ("education_aid_yuan", self.education_aid_yuan),
            ("medical_aid_yuan", self.medical_aid_yuan),
            (
                "minimum_living_allowance_yuan",
                self.minimum_living_allowance_yuan,
            ),
        ]
    }
}

impl CensusReturn {
    /// The return's canonical JSON: fields in the order of the type, no whitespace. A return
    /// read from JSON Lines or CSV gives the same canonical JSON whatever the file's layout.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).expect("a census return serialises")
    }

    /// SHA-256 (hex) of [`Self::content_bytes`]: the same return uploaded twice has the same
    /// hash, so an ingest that meets it again can skip it (idempotent ingest).
    pub fn content_sha256(&self) -> String {
        sha256_hex_of(self)
    }

    /// The bytes the content hash is taken of: the return in the hash encoding of
    /// docs/census.md ("Content hash"), every value tagged and every field in its place. A return
    /// read from JSON Lines, CSV or the template gives the same bytes.
    pub fn content_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        crate::digest::encode(&mut out, self).expect("a census return encodes");
        out
    }

    /// Every problem of this return on its own (empty when it is valid). Quality findings
    /// (an end before the start, a short interview, a fix far from the village, an
    /// enumerator in their own county) are not problems: such a return is taken and the
    /// checks flag it.
    pub fn validate(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut problem = |field: &str, message: String| out.push(Problem::new(field, message));
        for (field, value) in [
            ("return_id", &self.return_id),
            ("household_id", &self.household_id),
            ("enumerator_id", &self.enumerator.id),
        ] {
            if value.trim().is_empty() {
                problem(field, "is empty; every return names it".to_string());
            } else if value.chars().count() > MAX_ID_CHARS || value.chars().any(char::is_control) {
                problem(
                    field,
                    format!("must be at most {MAX_ID_CHARS} characters without control characters"),
                );
            }
        }
        if !digits(&self.county_code, 6) {
            problem(
                "county_code",
                format!("{:?} is not a 6-digit county code", self.county_code),
            );
        }
        if !digits(&self.enumerator.home_county, 6) {
            problem(
                "enumerator_home_county",
                format!(
                    "{:?} is not a 6-digit county code",
                    self.enumerator.home_county
                ),
            );
        }
        if !digits(&self.village_code, 12) {
            problem(
                "village_code",
                format!("{:?} is not a 12-digit village code", self.village_code),
            );
        } else if digits(&self.county_code, 6) && !self.village_code.starts_with(&self.county_code)
        {
            problem(
                "village_code",
                format!(
                    "{} is not a village of county {}; check both codes",
                    self.village_code, self.county_code
                ),
            );
        }
        for (field, value) in [("start", &self.start), ("end", &self.end)] {
            if parse_rfc3339(value).is_none() {
                problem(
                    field,
                    format!(
                        "{value:?} is not an RFC 3339 time with offset, e.g. \
                         2020-07-03T09:30:00+08:00"
                    ),
                );
            }
        }
        if let Some(g) = self.gps {
            if !(g.lat.is_finite() && (-90.0..=90.0).contains(&g.lat)) {
                problem("gps_lat", format!("{} is not a latitude (-90..90)", g.lat));
            }
            if !(g.lon.is_finite() && (-180.0..=180.0).contains(&g.lon)) {
                problem(
                    "gps_lon",
                    format!("{} is not a longitude (-180..180)", g.lon),
                );
            }
        }
        match (&self.household, self.outcome) {
            (None, ReturnOutcome::Enumerated) => problem(
                "household",
                "is missing: an enumerated household's return has the household section"
                    .to_string(),
            ),
            (Some(_), outcome) if outcome != ReturnOutcome::Enumerated => problem(
                "household",
                format!(
                    "is filled but the outcome is {}: only an enumerated household has one",
                    outcome.as_str()
                ),
            ),
            (Some(h), _) if h.household_id != self.household_id => problem(
                "household_id",
                format!(
                    "{:?} differs from the return's household_id {:?}",
                    h.household_id, self.household_id
                ),
            ),
            _ => {}
        }
        for (field, value) in self.assistance.amounts() {
            if let Some(v) = value {
                if !(v.is_finite() && v >= 0.0) {
                    problem(field, format!("{v} is not an amount in yuan (0 or more)"));
                }
            }
        }
        out
    }
}

fn digits(text: &str, n: usize) -> bool {
    text.len() == n && text.bytes().all(|b| b.is_ascii_digit())
}

/// SHA-256 (hex) of `value` in the hash encoding (`digest.rs`), written into this thread's
/// buffer and hashed at once (the encoder writes a return in many small pieces).
pub(crate) fn sha256_hex_of<T: Serialize + ?Sized>(value: &T) -> String {
    thread_local! {
        static BYTES: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BYTES.with_borrow_mut(|bytes| {
        bytes.clear();
        crate::digest::encode(bytes, value).expect("a derived Serialize encodes");
        // `hex::encode` goes a character at a time through an iterator; this writes the 64.
        let mut hex = [0u8; 64];
        hex::encode_to_slice(Sha256::digest(bytes.as_slice()), &mut hex)
            .expect("64 hex digits for 32 bytes");
        String::from_utf8_lossy(&hex).into_owned()
    })
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    #[test]
    fn the_content_hash_is_that_of_the_content_bytes() {
        let r = crate::example_return();
        let bytes = r.content_bytes();
        assert_eq!(r.content_sha256(), hex::encode(Sha256::digest(&bytes)));
        // Twice on one thread: the buffer is emptied between returns.
        let mut other = r.clone();
        other.return_id.push('x');
        assert_ne!(other.content_sha256(), r.content_sha256());
        assert_eq!(r.content_sha256(), hex::encode(Sha256::digest(&bytes)));
    }

    /// Stores hold content hashes: the encoding must not drift. A change here is a new store
    /// format (`census-store` MARKER_TEXT) and a note in docs/census.md.
    #[test]
    fn the_example_returns_content_hash_is_pinned() {
        assert_eq!(
            crate::example_return().content_sha256(),
            "2ef6e46024806e8ad67c422b7fa42ae1ecbbe2f65bb9d9344e8ca25c0d2c8e98"
        );
    }
}
