//! One visit to a sampled household: what happened (the disposition, kept apart from
//! non-response), how (mode, team, interviewers, times, GPS) and, for an interview, the
//! household record that [`crate::judge`] judges.
//!
//! [`VisitRecord::validate`] checks one record on its own and lists every problem with the
//! field it concerns; the caller adds the file and record number.

use crate::limits::{self, quoted};
use crate::HouseholdRecord;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One visit to one household of a draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitRecord {
    /// The draw the household was sampled in (its `sample_sha256`).
    pub draw_id: String,
    /// The household's id in the draw's sample.
    pub household_id: String,
    /// What happened at the visit.
    pub disposition: Disposition,
    /// How the interview was held; required for complete and partial interviews.
    #[serde(default)]
    pub mode: Option<InterviewMode>,
    /// The field team.
    pub team: String,
    /// The two interviewers who made the visit.
    pub interviewers: [String; 2],
    /// Start of the visit, RFC 3339 (e.g. `2020-06-12T09:30:00+08:00`).
    pub start: String,
    /// End of the visit, RFC 3339; not before the start.
    pub end: String,
    /// GPS (WGS-84) at the start, when recorded.
    #[serde(default)]
    pub gps_start: Option<Gps>,
    /// GPS (WGS-84) at the end, when recorded.
    #[serde(default)]
    pub gps_end: Option<Gps>,
    /// What was found: present for complete and partial interviews (and a relocated household
    /// followed to its resettlement site), absent for non-interviews.
    #[serde(default)]
    pub household: Option<HouseholdRecord>,
    /// Notes answering warnings of `assess check`: a warning whose rule has a note here is
    /// listed as noted, not open.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
}

/// An interviewer's or reviewer's note on a visit, answering one check rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// The rule the note answers, as `assess check` prints it (e.g. `short-interview`).
    pub rule: String,
    /// What happened: why the warning does not call for a correction.
    pub text: String,
}

/// What happened at a visit. Non-response (refused, non-contact, eligibility unknown) is kept
/// apart from ineligibility; ineligible households are neither replaced nor weighted up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// Interview completed.
    Complete,
    /// Interview broken off or partly answered.
    Partial,
    /// The household refused.
    Refused,
    /// Nobody could be reached.
    NonContact,
    /// Not an eligible household, with the reason: written `{"ineligible": "dissolved"}`.
    Ineligible(IneligibleReason),
    /// Moved by the relocation programme: followed to the resettlement site, never replaced.
    Relocated,
    /// Whether the household is eligible could not be established.
    EligibilityUnknown,
}

impl Disposition {
    /// The disposition's name as stored (`ineligible` for every ineligible reason).
    pub fn code(&self) -> &'static str {
        match self {
            Disposition::Complete => "complete",
            Disposition::Partial => "partial",
            Disposition::Refused => "refused",
            Disposition::NonContact => "non_contact",
            Disposition::Ineligible(_) => "ineligible",
            Disposition::Relocated => "relocated",
            Disposition::EligibilityUnknown => "eligibility_unknown",
        }
    }

    /// Complete or partial: an interview took place and a household record is required.
    pub fn is_interview(&self) -> bool {
        matches!(self, Disposition::Complete | Disposition::Partial)
    }

    /// Refused, non-contact, ineligible or eligibility unknown: no household record.
    pub fn is_non_interview(&self) -> bool {
        !self.is_interview() && *self != Disposition::Relocated
    }
}

/// Why a household is ineligible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IneligibleReason {
    /// The household no longer exists.
    Dissolved,
    /// Moved out of the county.
    MovedOutOfCounty,
    /// A duplicate of another register entry.
    Duplicate,
}

/// How the interview was held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterviewMode {
    /// Face to face at the household.
    InPerson,
    /// By telephone.
    Phone,
    /// A proxy answered for a household working away.
    Proxy,
}

/// A GPS fix, WGS-84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gps {
    /// Latitude, -90..90.
    pub lat: f64,
    /// Longitude, -180..180.
    pub lon: f64,
}

/// One problem in one visit record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitProblem {
    /// The field concerned (`end`, `household`, `gps_start.lat`, ...).
    pub field: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl std::fmt::Display for VisitProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// The records hash of a verdict's provenance: the SHA-256 (hex) of the records' content
/// hashes ([`VisitRecord::content_sha256`]), sorted and joined by newlines. It names the set of
/// records a verdict was computed from, whatever their order; anyone holding the records can
/// recompute it (docs/verdict.md, "Provenance").
pub fn records_sha256<'a>(records: impl IntoIterator<Item = &'a VisitRecord>) -> String {
    let mut hashes: Vec<String> = records
        .into_iter()
        .map(VisitRecord::content_sha256)
        .collect();
    hashes.sort();
    hex::encode(Sha256::digest(hashes.join("\n").as_bytes()))
}

impl VisitRecord {
    /// The record's canonical JSON: the fields in the order of the type, no whitespace. Two
    /// files that hold the same record (JSON, JSON Lines or a filled workbook) give the same
    /// canonical JSON, whatever their layout, key order or spacing.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).expect("a visit record serialises")
    }

    /// SHA-256 (hex) of [`Self::canonical_json`]: the content hash the store versions records
    /// by, and what a verdict's records hash is made of ([`records_sha256`]).
    pub fn content_sha256(&self) -> String {
        hex::encode(Sha256::digest(self.canonical_json().as_bytes()))
    }

    /// Every problem of this record on its own (empty when it is valid).
    pub fn validate(&self) -> Vec<VisitProblem> {
        let mut out = Vec::new();
        let mut problem = |field: &str, message: String| {
            out.push(VisitProblem {
                field: field.to_string(),
                message,
            })
        };
        for (field, value, limit) in self.texts() {
            if let Some(message) = text_problem(value, limit) {
                problem(&field, message);
            }
        }
        if self.notes.len() > limits::NOTES_PER_VISIT {
            problem(
                "notes",
                format!(
                    "holds {} notes, more than {}; keep one note per check rule",
                    self.notes.len(),
                    limits::NOTES_PER_VISIT
                ),
            );
        }
        if let Some(h) = &self.household {
            if h.members.len() > limits::MEMBERS_PER_HOUSEHOLD {
                problem(
                    "household.members",
                    format!(
                        "lists {} members, more than {}; check the record",
                        h.members.len(),
                        limits::MEMBERS_PER_HOUSEHOLD
                    ),
                );
            }
        }
        for (field, value) in [
            ("draw_id", &self.draw_id),
            ("household_id", &self.household_id),
            ("team", &self.team),
        ] {
            if value.trim().is_empty() {
                problem(field, "is empty; fill it in".to_string());
            }
        }
        for (i, name) in self.interviewers.iter().enumerate() {
            if name.trim().is_empty() {
                problem(
                    &format!("interviewers[{i}]"),
                    "is empty; name both interviewers".to_string(),
                );
            }
        }
        if !self.interviewers[0].trim().is_empty()
            && self.interviewers[0].trim() == self.interviewers[1].trim()
        {
            problem(
                "interviewers",
                format!(
                    "names {} twice; a visit is made by two different interviewers",
                    quoted(&self.interviewers[0])
                ),
            );
        }
        let start = parse_time("start", &self.start);
        let end = parse_time("end", &self.end);
        match (&start, &end) {
            (Ok(s), Ok(e)) if e < s => problem(
                "end",
                format!(
                    "{} is before the start {}; correct the times",
                    self.end, self.start
                ),
            ),
            _ => {}
        }
        for p in [start.err(), end.err()].into_iter().flatten() {
            out_push(&mut problem, p);
        }
        for (field, gps) in [("gps_start", self.gps_start), ("gps_end", self.gps_end)] {
            if let Some(g) = gps {
                if !(g.lat.is_finite() && (-90.0..=90.0).contains(&g.lat)) {
                    problem(
                        &format!("{field}.lat"),
                        format!("{} is not a latitude (-90 to 90)", g.lat),
                    );
                }
                if !(g.lon.is_finite() && (-180.0..=180.0).contains(&g.lon)) {
                    problem(
                        &format!("{field}.lon"),
                        format!("{} is not a longitude (-180 to 180)", g.lon),
                    );
                }
            }
        }
        let d = self.disposition.code();
        if self.disposition.is_interview() {
            if self.mode.is_none() {
                problem(
                    "mode",
                    format!("is missing; a {d} interview needs in_person, phone or proxy"),
                );
            }
            if self.household.is_none() {
                problem(
                    "household",
                    format!("is missing; a {d} interview needs the household record"),
                );
            }
        }
        if self.disposition.is_non_interview() && self.household.is_some() {
            problem(
                "household",
                format!("is given for a {d} visit; a non-interview has no household record (remove it or correct the disposition)"),
            );
        }
        for (i, note) in self.notes.iter().enumerate() {
            if note.rule.trim().is_empty() || note.text.trim().is_empty() {
                problem(
                    &format!("notes[{i}]"),
                    "needs both the rule it answers and a text".to_string(),
                );
            }
        }
        if let Some(h) = &self.household {
            if h.household_id != self.household_id {
                problem(
                    "household.household_id",
                    format!(
                        "{} differs from the visit's household_id {}",
                        quoted(&h.household_id),
                        quoted(&self.household_id)
                    ),
                );
            }
        }
        out
    }
}

/// A text field's limit: how many characters, and whether line feeds and tabs are allowed.
#[derive(Debug, Clone, Copy)]
struct Limit {
    chars: usize,
    lines: bool,
}

impl VisitRecord {
    /// Every text field of the record with its name and limit.
    fn texts(&self) -> Vec<(String, &str, Limit)> {
        let one = |chars| Limit {
            chars,
            lines: false,
        };
        let mut out = vec![
            (
                "draw_id".to_string(),
                self.draw_id.as_str(),
                one(limits::DRAW_ID_CHARS),
            ),
            (
                "household_id".to_string(),
                self.household_id.as_str(),
                one(limits::HOUSEHOLD_ID_CHARS),
            ),
            (
                "team".to_string(),
                self.team.as_str(),
                one(limits::TEAM_CHARS),
            ),
            (
                "start".to_string(),
                self.start.as_str(),
                one(limits::TIME_CHARS),
            ),
            (
                "end".to_string(),
                self.end.as_str(),
                one(limits::TIME_CHARS),
            ),
        ];
        for (i, name) in self.interviewers.iter().enumerate() {
            out.push((
                format!("interviewers[{i}]"),
                name.as_str(),
                one(limits::INTERVIEWER_CHARS),
            ));
        }
        for (i, note) in self.notes.iter().enumerate() {
            out.push((
                format!("notes[{i}].rule"),
                note.rule.as_str(),
                one(limits::NOTE_RULE_CHARS),
            ));
            out.push((
                format!("notes[{i}].text"),
                note.text.as_str(),
                Limit {
                    chars: limits::NOTE_TEXT_CHARS,
                    lines: true,
                },
            ));
        }
        if let Some(h) = &self.household {
            out.push((
                "household.household_id".to_string(),
                h.household_id.as_str(),
                one(limits::HOUSEHOLD_ID_CHARS),
            ));
            for (i, m) in h.members.iter().enumerate() {
                out.push((
                    format!("household.members[{i}].id"),
                    m.id.as_str(),
                    one(limits::MEMBER_ID_CHARS),
                ));
            }
        }
        out
    }
}

/// What is wrong with a text field, if anything: too long, or a control character.
fn text_problem(value: &str, limit: Limit) -> Option<String> {
    let count = value.chars().count();
    if count > limit.chars {
        return Some(format!(
            "is {count} characters long, more than the {} allowed; shorten it (docs/records.md, Limits)",
            limit.chars
        ));
    }
    let allowed = |c: char| limit.lines && (c == '\n' || c == '\t');
    let (at, c) = value
        .chars()
        .enumerate()
        .find(|&(_, c)| limits::is_control(c) && !allowed(c))?;
    Some(format!(
        "holds the control character U+{:04X} at character {}; remove it (control characters break terminals, workbooks and reports)",
        u32::from(c),
        at + 1
    ))
}

fn out_push(problem: &mut impl FnMut(&str, String), p: VisitProblem) {
    problem(&p.field, p.message);
}

/// Seconds since 1970-01-01T00:00:00Z (with the fraction) of an RFC 3339 date-time such as
/// `2020-06-12T09:30:00+08:00` or `2020-06-12T01:30:00.5Z`. The offset is required: a
/// visit time without one could be any of 25 hours.
pub fn parse_rfc3339(text: &str) -> Option<f64> {
    let t =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    Some(t.unix_timestamp_nanos() as f64 / 1e9)
}

fn parse_time(field: &str, text: &str) -> Result<f64, VisitProblem> {
    parse_rfc3339(text).ok_or_else(|| VisitProblem {
        field: field.to_string(),
        message: format!(
            "{} is not an RFC 3339 date-time; write e.g. 2020-06-12T09:30:00+08:00",
            quoted(text)
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::example_visit;

    #[test]
    fn times_are_rfc3339_with_offsets() {
        let a = parse_rfc3339("2020-06-12T09:30:00+08:00").unwrap();
        let b = parse_rfc3339("2020-06-12T01:30:00Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(parse_rfc3339("2000-03-01T00:00:00.5Z"), Some(951868800.5));
        for bad in [
            "2020-06-12",
            "2020-02-30T00:00:00Z",
            "2020-06-12T09:30:00",
            "2020-06-12T24:00:00Z",
            "12/06/2020 09:30",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_example_is_valid_and_problems_name_their_field() {
        let v = example_visit();
        assert_eq!(v.validate(), vec![]);
        let mut bad = v.clone();
        bad.end = "2020-06-12T09:00:00+08:00".to_string();
        bad.household = None;
        let fields: Vec<String> = bad.validate().into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["end", "household"]);
        let mut refused = v;
        refused.disposition = Disposition::Refused;
        assert_eq!(refused.validate()[0].field, "household");
        refused.household = None;
        refused.mode = None;
        assert_eq!(refused.validate(), vec![]);
    }

    #[test]
    fn dispositions_read_from_json() {
        let d: Disposition =
            serde_json::from_str(r#"{"ineligible": "moved_out_of_county"}"#).unwrap();
        assert_eq!(
            d,
            Disposition::Ineligible(IneligibleReason::MovedOutOfCounty)
        );
        let d: Disposition = serde_json::from_str(r#""non_contact""#).unwrap();
        assert_eq!(d, Disposition::NonContact);
        assert!(serde_json::from_str::<Disposition>(r#""absent""#).is_err());
    }
}
