//! Checks of each visit record against its household, its draw and the standards: the visit's
//! times (unreadable, shorter than plausible, before the draw), its place (GPS far from the
//! village centre), its content (per-person income against its sources, a child out of school
//! with no exemption, a record the standards cannot judge) and its photos (stored bytes whose
//! hash is not their name). The rules across a (village, stratum) cell, reserve order and
//! use, are in `mod.rs`.

use super::{CheckConfig, CheckInput, Finding, Rule, SampleUnit, Severity};
use crate::{
    judge, mask_identity_numbers, parse_rfc3339, Disposition, FlaggedHousehold, Gps, Judgment,
    Reason, VisitRecord,
};
use assess_standards::Standards;
use geo::{Distance, Geodesic, Point};
use std::collections::HashMap;

/// All record-level findings of one draw, in sample order, and the households whose records
/// carry identification flags (not findings: leads for the county, outside the four rates).
pub(crate) fn check_visits(
    input: &CheckInput,
    standards: &Standards,
    config: &CheckConfig,
    out: &mut Vec<Finding>,
    flagged: &mut Vec<FlaggedHousehold>,
) {
    let visit_of: HashMap<&str, &VisitRecord> = input
        .visits
        .iter()
        .map(|v| (v.household_id.as_str(), v))
        .collect();
    let drawn_at = input.drawn_at.as_deref().and_then(parse_rfc3339);
    for unit in &input.sample {
        let Some(visit) = visit_of.get(unit.household_id.as_str()) else {
            continue;
        };
        let mut push = |severity, rule, message| out.push(finding(unit, severity, rule, message));
        check_times(
            visit,
            drawn_at,
            input.drawn_at.as_deref(),
            config,
            standards.field_checks.max_visit_minutes,
            &mut push,
        );
        if let Some(centre) = input.village_centres.get(&unit.village) {
            check_place(visit, *centre, config, &mut push);
        }
        let judgment = check_content(visit, standards, config, &mut push);
        let at = [
            &*unit.county,
            &unit.village,
            &unit.stratum,
            &unit.household_id,
        ];
        flagged.extend(judgment.and_then(|j| FlaggedHousehold::of(&j, at)));
    }
    let unit_of: HashMap<&str, &SampleUnit> = input
        .sample
        .iter()
        .map(|u| (u.household_id.as_str(), u))
        .collect();
    for photo in &input.photos {
        if photo.stored_sha256 == photo.content_sha256 {
            continue;
        }
        if let Some(unit) = unit_of.get(photo.household_id.as_str()) {
            out.push(finding(
                unit,
                Severity::Error,
                Rule::PhotoHashMismatch,
                format!(
                    "photo {} is stored with bytes whose SHA-256 is {}: the file was changed or damaged after it was added; \
                     add the original photo again (`assess photo add`) and have the change investigated",
                    photo.stored_sha256, photo.content_sha256
                ),
            ));
        }
    }
}

fn finding(unit: &SampleUnit, severity: Severity, rule: Rule, message: String) -> Finding {
    Finding {
        severity,
        rule,
        county: unit.county.clone(),
        village: unit.village.clone(),
        stratum: unit.stratum.clone(),
        household_id: unit.household_id.clone(),
        message,
        note: None,
    }
}

fn check_times(
    visit: &VisitRecord,
    drawn_at: Option<f64>,
    drawn_at_text: Option<&str>,
    config: &CheckConfig,
    max_visit_minutes: f64,
    push: &mut impl FnMut(Severity, Rule, String),
) {
    let (Some(start), Some(end)) = (parse_rfc3339(&visit.start), parse_rfc3339(&visit.end)) else {
        push(
            Severity::Error,
            Rule::UnreadableTimes,
            format!(
                "start {:?} or end {:?} is not an RFC 3339 date-time; correct the record and import it again",
                visit.start, visit.end
            ),
        );
        return;
    };
    if let (Some(drawn), Some(text)) = (drawn_at, drawn_at_text) {
        if start < drawn {
            push(
                Severity::Error,
                Rule::VisitBeforeDraw,
                format!(
                    "the visit starts {} but the draw was made {text}: a household cannot be visited before it is drawn; \
                     correct the date (a wrong clock or time zone?) or the household id",
                    visit.start
                ),
            );
        }
    }
    let minutes = (end - start) / 60.0;
    if visit.disposition.is_interview() && minutes < config.min_interview_minutes {
        push(
            Severity::Warning,
            Rule::ShortInterview,
            format!(
                "the {} interview lasted {} min ({} to {}), shorter than the plausible minimum of {} min; \
                 check the start and end times, or add a note saying why it was so short",
                visit.disposition.code(),
                fmt_num(minutes),
                visit.start,
                visit.end,
                fmt_num(config.min_interview_minutes)
            ),
        );
    }
    if minutes > max_visit_minutes {
        push(
            Severity::Warning,
            Rule::LongVisit,
            format!(
                "the visit lasted {} min ({} to {}), longer than the plausible maximum of {} min \
                 (standards: field_checks.max_visit_minutes); check the clock, the time zone and \
                 the end time, or add a note saying why it took so long",
                fmt_num(minutes),
                visit.start,
                visit.end,
                fmt_num(max_visit_minutes)
            ),
        );
    }
}

/// A visit is made at the household, in its village; a household relocated by the programme
/// is followed to its resettlement site, so its GPS is not compared with the village.
fn check_place(
    visit: &VisitRecord,
    centre: Gps,
    config: &CheckConfig,
    push: &mut impl FnMut(Severity, Rule, String),
) {
    if visit.disposition == Disposition::Relocated {
        return;
    }
    let centre_point = Point::new(centre.lon, centre.lat);
    for (field, gps) in [("gps_start", visit.gps_start), ("gps_end", visit.gps_end)] {
        let Some(g) = gps else { continue };
        let km = Geodesic.distance(Point::new(g.lon, g.lat), centre_point) / 1000.0;
        if km > config.max_km_from_village {
            push(
                Severity::Warning,
                Rule::FarFromVillage,
                format!(
                    "{field} ({}, {}) is {km:.1} km from the village centre ({}, {}), farther than {} km; \
                     check the household id and the GPS, or add a note (e.g. the household lives at a distant hamlet)",
                    g.lat,
                    g.lon,
                    centre.lat,
                    centre.lon,
                    fmt_num(config.max_km_from_village)
                ),
            );
            return;
        }
    }
}

/// The content rules of one record; its judgment, when it has a household record that the
/// standards can judge.
fn check_content(
    visit: &VisitRecord,
    standards: &Standards,
    config: &CheckConfig,
    push: &mut impl FnMut(Severity, Rule, String),
) -> Option<Judgment> {
    let record = visit.household.as_ref()?;
    let judgment = match judge(record, standards) {
        Ok(j) => j,
        Err(e) => {
            // The error may quote a member's id, which may be an identity number.
            push(
                Severity::Error,
                Rule::Unjudgeable,
                mask_identity_numbers(&format!("the record cannot be judged: {e}")),
            );
            return None;
        }
    };
    if let (Some(stated), Some(computed)) =
        (record.income_per_person_stated, judgment.income.per_person)
    {
        let allowed =
            (config.income_tolerance_share * computed.abs()).max(config.income_tolerance_yuan);
        if (stated - computed).abs() > allowed {
            push(
                Severity::Warning,
                Rule::IncomeInconsistent,
                format!(
                    "the stated per-person income {} yuan differs from its sources ({} yuan / {} people = {} yuan) by more than {} yuan; \
                     re-check the sources and the member count, or add a note",
                    fmt_money(stated),
                    fmt_money(judgment.income.total.unwrap_or(f64::NAN)),
                    judgment.people.unwrap_or(0),
                    fmt_money(computed),
                    fmt_money(allowed)
                ),
            );
        }
    }
    for reason in &judgment.education.reasons {
        if let Reason::ChildOutOfSchool { member, age } = reason {
            let member = mask_identity_numbers(member);
            push(
                Severity::Warning,
                Rule::ChildOutOfSchool,
                format!(
                    "member {member}, aged {age} at the education reference date, is out of school with no exemption \
                     (home teaching or health): compulsory education is unmet; confirm it with the school and add a note, \
                     or correct the schooling answer"
                ),
            );
        }
    }
    Some(judgment)
}

fn fmt_num(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.1}")
    }
}

fn fmt_money(x: f64) -> String {
    format!("{x:.2}")
}
