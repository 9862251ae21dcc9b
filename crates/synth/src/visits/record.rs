//! The visit record of one planned visit: the register's row checked against the sample, GPS
//! fixes near the house, the notes, and for an interview the household record as the truth
//! says; the record is checked to be valid before it is returned.

use super::household::record_as_truth_says;
use super::plan::Planned;
use super::{
    keyed_rng, TruthRow, VisitError, VisitSettings, SIMULATED_INTERVIEWERS, SIMULATED_RULE,
    SIMULATED_TEAM_PREFIX, SIMULATED_TEXT,
};
use assess_household::{Household, Status};
use assess_inspection::{Gps, InterviewMode, Note, VisitRecord};
use assess_sampling::SampleRow;
use assess_standards::Standards;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A phone's GPS fix lands within this many metres (per axis, uniform) of the house.
const GPS_SCATTER_M: f64 = 15.0;

/// The record of a planned visit. Its household's generator is keyed by the household id, so
/// the record does not depend on the rest of the sample.
pub(super) fn build_visit(
    draw_id: &str,
    p: Planned<'_>,
    register: &HashMap<&str, &Household>,
    truth: &HashMap<&str, &TruthRow>,
    standards: &Standards,
    seed: u64,
    settings: &VisitSettings,
) -> Result<VisitRecord, VisitError> {
    let id = p.unit.household_id.as_str();
    let (reg, status) = register_row(p.unit, register)?;
    let mut rng = keyed_rng(seed, &["household", id]);
    // The fixes are drawn first, whatever the disposition: the order of draws fixes the
    // record a seed gives.
    let gps = gps_fixes(reg, &mut rng);
    let mut notes = vec![Note {
        rule: SIMULATED_RULE.to_string(),
        text: SIMULATED_TEXT.to_string(),
    }];
    notes.extend(p.notes);
    let household = if p.disposition.is_interview() {
        let t = *truth.get(id).ok_or_else(|| VisitError::Missing {
            household_id: id.to_string(),
            file: "truth file",
        })?;
        let record =
            record_as_truth_says(id, status, reg.members, t, standards, settings, &mut rng)?;
        if !t.education_ok {
            notes.push(out_of_school_note());
        }
        Some(record)
    } else {
        None
    };
    let visit = VisitRecord {
        draw_id: draw_id.to_string(),
        household_id: id.to_string(),
        disposition: p.disposition,
        mode: p
            .disposition
            .is_interview()
            .then_some(InterviewMode::InPerson),
        team: format!("{SIMULATED_TEAM_PREFIX}{}", p.team + 1),
        interviewers: SIMULATED_INTERVIEWERS.map(String::from),
        start: format_time(p.start),
        end: format_time(p.end),
        gps_start: gps.map(|g| g.0),
        gps_end: gps.filter(|_| p.disposition.is_interview()).map(|g| g.1),
        household,
        notes,
    };
    valid(id, visit)
}

/// The register's row of a sampled household and its status, refused when the register
/// lacks it or disagrees with the sample (a register other than the draw's).
fn register_row<'r>(
    unit: &SampleRow,
    register: &HashMap<&str, &'r Household>,
) -> Result<(&'r Household, Status), VisitError> {
    let id = unit.household_id.as_str();
    let reg = *register.get(id).ok_or_else(|| VisitError::Missing {
        household_id: id.to_string(),
        file: "register",
    })?;
    let status: Status = unit.stratum.parse().map_err(|_| VisitError::BadTruth {
        household_id: id.to_string(),
        why: format!(
            "the sample's stratum {:?} is not a register status",
            unit.stratum
        ),
    })?;
    for (field, sample, found) in [
        (
            "stratum",
            status.as_str().to_string(),
            reg.status.as_str().to_string(),
        ),
        ("members", unit.members.to_string(), reg.members.to_string()),
    ] {
        if sample != found {
            return Err(VisitError::Disagrees {
                household_id: id.to_string(),
                field,
                sample,
                register: found,
            });
        }
    }
    Ok((reg, status))
}

/// Two phone fixes (visit start and end) scattered around the registered position, when
/// the register has one.
fn gps_fixes(reg: &Household, rng: &mut ChaCha8Rng) -> Option<(Gps, Gps)> {
    let (lon, lat) = (reg.lon?, reg.lat?);
    let fix = |rng: &mut ChaCha8Rng| {
        let (dx, dy) = (
            rng.random_range(-GPS_SCATTER_M..=GPS_SCATTER_M),
            rng.random_range(-GPS_SCATTER_M..=GPS_SCATTER_M),
        );
        Gps {
            lat: round6(lat + dy / 111_320.0),
            lon: round6(lon + dx / (111_320.0 * lat.to_radians().cos().max(0.01))),
        }
    };
    Some((fix(rng), fix(rng)))
}

/// The note `assess check` expects when a child of compulsory-school age is out of school.
fn out_of_school_note() -> Note {
    Note {
        rule: "child-out-of-school".to_string(),
        text: "simulated: the synthetic truth has a child of compulsory-school age out of school"
            .to_string(),
    }
}

/// The visit, unless it breaks a rule of [`VisitRecord::validate`] (a bug here).
fn valid(id: &str, visit: VisitRecord) -> Result<VisitRecord, VisitError> {
    let problems = visit.validate();
    if !problems.is_empty() {
        return Err(VisitError::Invalid {
            household_id: id.to_string(),
            problems: problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        });
    }
    Ok(visit)
}

fn format_time(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).expect("a date-time in range formats")
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
