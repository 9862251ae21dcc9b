//! Checks across the visit records of one draw: reserves used in their drawn order and only to
//! replace failed units (errors), implausibly short interviews and replacements still owed
//! (warnings), and response and replacement rates by village and by team.
//!
//! [`check_draw`] takes the draw's sample (as [`SampleUnit`]s) and the current visit record of
//! each visited household, and returns a [`CheckReport`]. Every [`Finding`] names the county,
//! village and household and says what to fix. The rules and the rate definitions are in
//! `docs/checks.md`. No I/O; deterministic (findings are sorted).

mod visits;

use crate::{mask_identity_numbers, Disposition, FlaggedHousehold, Gps, VisitRecord};
use assess_sampling::Role;
use assess_standards::Standards;
use std::collections::{BTreeMap, HashMap};

/// One household of a draw's sample.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SampleUnit {
    /// The household's id.
    pub household_id: String,
    /// County division code.
    pub county: String,
    /// Village division code.
    pub village: String,
    /// Household stratum (`exited`, `poor`, ...): reserves replace within (village, stratum).
    pub stratum: String,
    /// Primary or reserve.
    pub role: Role,
    /// 1, 2, ... for reserves (the drawn order); `None` for primaries.
    pub reserve_rank: Option<u32>,
}

/// Settings of the checks. [`CheckConfig::default`] gives the documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckConfig {
    /// Disposition codes ([`Disposition::code`]) for which a unit may be replaced by the next
    /// reserve. Default: the plan's default replaceable set, `refused` and `non_contact`.
    /// `ineligible` and `relocated` are never replaceable, even if listed here.
    pub replaceable: Vec<String>,
    /// An interview (complete or partial) shorter than this many minutes is warned about.
    /// Default 15.
    pub min_interview_minutes: f64,
    /// A visit GPS fix farther than this from the village centre is warned about. Default 5 km:
    /// mountain villages spread their hamlets over a few kilometres.
    pub max_km_from_village: f64,
    /// Stated per-person income may differ from its sources by this share of the computed
    /// value (default 0.05, for rounding on the household's card) ...
    pub income_tolerance_share: f64,
    /// ... or by this many yuan, whichever is larger (default 100).
    pub income_tolerance_yuan: f64,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            replaceable: vec!["refused".to_string(), "non_contact".to_string()],
            min_interview_minutes: 15.0,
            max_km_from_village: 5.0,
            income_tolerance_share: 0.05,
            income_tolerance_yuan: 100.0,
        }
    }
}

impl CheckConfig {
    /// Whether a unit with this disposition is to be replaced by the next reserve.
    pub fn is_replaceable(&self, d: &Disposition) -> bool {
        !matches!(d, Disposition::Ineligible(_) | Disposition::Relocated)
            && self.replaceable.iter().any(|c| c == d.code())
    }
}

/// A disposition is *final* when the unit's fate is settled: every recorded disposition except
/// `eligibility_unknown` (which says the visit is still open). A unit with no record is not
/// final either.
pub fn is_final(d: &Disposition) -> bool {
    *d != Disposition::EligibilityUnknown
}

/// Error (blocks: fix before estimating) or warning (needs a note or a correction).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Blocks the draw's estimates until fixed.
    Error,
    /// Needs a note or a correction.
    Warning,
}

/// Which rule a finding comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Reserve k used before reserves 1..k-1 have final dispositions.
    ReserveOrder,
    /// More reserves used than failed units to replace.
    ReserveNotNeeded,
    /// Failed units not (yet) replaced.
    ReplacementOwed,
    /// An interview shorter than the plausible minimum.
    ShortInterview,
    /// A visit longer than the plausible maximum (standards `field_checks`).
    LongVisit,
    /// A visit record whose times cannot be read.
    UnreadableTimes,
    /// A visit that starts before the draw was made.
    VisitBeforeDraw,
    /// A visit GPS fix far from the village centre.
    FarFromVillage,
    /// Stated per-person income inconsistent with the income sources.
    IncomeInconsistent,
    /// A child of compulsory-school age out of school with no exemption.
    ChildOutOfSchool,
    /// A record the standards cannot judge (e.g. an income year with no poverty line).
    Unjudgeable,
    /// A stored photo whose bytes no longer hash to its name.
    PhotoHashMismatch,
}

impl Rule {
    /// The rule's name as printed.
    pub fn name(&self) -> &'static str {
        match self {
            Rule::ReserveOrder => "reserve-order",
            Rule::ReserveNotNeeded => "reserve-not-needed",
            Rule::ReplacementOwed => "replacement-owed",
            Rule::ShortInterview => "short-interview",
            Rule::LongVisit => "long-visit",
            Rule::UnreadableTimes => "unreadable-times",
            Rule::VisitBeforeDraw => "visit-before-draw",
            Rule::FarFromVillage => "far-from-village",
            Rule::IncomeInconsistent => "income-inconsistent",
            Rule::ChildOutOfSchool => "child-out-of-school",
            Rule::Unjudgeable => "unjudgeable",
            Rule::PhotoHashMismatch => "photo-hash-mismatch",
        }
    }
}

/// One problem, located by county, village and household.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// The rule.
    pub rule: Rule,
    /// County code.
    pub county: String,
    /// Village code.
    pub village: String,
    /// Household stratum.
    pub stratum: String,
    /// The household concerned.
    pub household_id: String,
    /// What is wrong and what to fix.
    pub message: String,
    /// For a warning: the visit record's note answering this rule, if it has one.
    pub note: Option<String>,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} [{}] county {}, village {}, household {} ({}): {}",
            match self.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            self.rule.name(),
            self.county,
            self.village,
            self.household_id,
            self.stratum,
            self.message
        )?;
        if let Some(note) = &self.note {
            write!(f, " [noted: {note}]")?;
        }
        Ok(())
    }
}

/// Counts and rates of one village or one team.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Rates {
    /// Village code, or team name.
    pub key: String,
    /// The village's county (empty for a team).
    pub county: String,
    /// Primaries: in the sample (by village) or visited by the team (by team).
    pub primaries: usize,
    /// Reserves with a visit record.
    pub reserves_used: usize,
    /// Units (primaries and reserves) with a visit record.
    pub visited: usize,
    /// Visited units found ineligible.
    pub ineligible: usize,
    /// Visited units not ineligible: the response rate's denominator.
    pub eligible: usize,
    /// Complete or partial interviews: the response rate's numerator.
    pub responded: usize,
}

impl Rates {
    /// responded / eligible, when there is an eligible visited unit.
    pub fn response_rate(&self) -> Option<f64> {
        (self.eligible > 0).then(|| self.responded as f64 / self.eligible as f64)
    }

    /// reserves used / primaries, when there is a primary.
    pub fn replacement_rate(&self) -> Option<f64> {
        (self.primaries > 0).then(|| self.reserves_used as f64 / self.primaries as f64)
    }

    fn add_visit(&mut self, role: Role, d: &Disposition) {
        self.visited += 1;
        if role == Role::Reserve {
            self.reserves_used += 1;
        }
        if matches!(d, Disposition::Ineligible(_)) {
            self.ineligible += 1;
        } else {
            self.eligible += 1;
        }
        if d.is_interview() {
            self.responded += 1;
        }
    }
}

/// Everything the checks found in one draw.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct CheckReport {
    /// Errors and warnings, by county, village, stratum, household.
    pub findings: Vec<Finding>,
    /// Rates by village (sorted by county and village).
    pub by_village: Vec<Rates>,
    /// Rates by team (sorted by team).
    pub by_team: Vec<Rates>,
    /// Households whose current record carries identification flags, by county, village and
    /// household: leads for the county to re-examine identification, neither errors nor
    /// warnings, and outside the four rates.
    pub identification_flags: Vec<FlaggedHousehold>,
}

impl CheckReport {
    /// Number of errors.
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.findings.len() - self.errors()
    }

    /// Number of warnings without a note answering them.
    pub fn open_warnings(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning && f.note.is_none())
            .count()
    }
}

/// What the checks of one draw look at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckInput {
    /// Every household of the draw's sample.
    pub sample: Vec<SampleUnit>,
    /// The current visit record of each visited household.
    pub visits: Vec<VisitRecord>,
    /// When the draw was made (RFC 3339), when known: no visit may start before it.
    pub drawn_at: Option<String>,
    /// Centre of each sampled village (WGS-84), where the village file gave one.
    pub village_centres: HashMap<String, Gps>,
    /// The draw's photos, with the SHA-256 of their stored bytes recomputed.
    pub photos: Vec<PhotoHash>,
}

/// A stored photo's name (its SHA-256 when added) beside the SHA-256 of its bytes now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoHash {
    /// The household the photo is linked to.
    pub household_id: String,
    /// The SHA-256 it was stored under.
    pub stored_sha256: String,
    /// The SHA-256 of the bytes stored now.
    pub content_sha256: String,
}

/// Checks the current visit records of one draw against its sample, its date, its villages'
/// centres, its photos and the standards. Records for households not in the sample are
/// ignored (the store refuses them anyway).
pub fn check_draw(input: &CheckInput, standards: &Standards, config: &CheckConfig) -> CheckReport {
    let sample = &input.sample;
    let visit_of: HashMap<&str, &VisitRecord> = input
        .visits
        .iter()
        .map(|v| (v.household_id.as_str(), v))
        .collect();
    let mut report = CheckReport::default();

    // Cells: (county, village, stratum) -> units.
    let mut cells: BTreeMap<(&str, &str, &str), Vec<&SampleUnit>> = BTreeMap::new();
    for u in sample {
        cells
            .entry((&u.county, &u.village, &u.stratum))
            .or_default()
            .push(u);
    }
    for units in cells.values() {
        check_cell(units, &visit_of, config, &mut report.findings);
    }

    visits::check_visits(
        input,
        standards,
        config,
        &mut report.findings,
        &mut report.identification_flags,
    );
    FlaggedHousehold::sort(&mut report.identification_flags);
    attach_notes(&mut report.findings, &visit_of);
    report.findings.sort_by(|a, b| {
        (
            &a.county,
            &a.village,
            &a.stratum,
            &a.household_id,
            a.severity,
            a.rule,
        )
            .cmp(&(
                &b.county,
                &b.village,
                &b.stratum,
                &b.household_id,
                b.severity,
                b.rule,
            ))
    });

    // Rates.
    let mut by_village: BTreeMap<(&str, &str), Rates> = BTreeMap::new();
    let mut by_team: BTreeMap<&str, Rates> = BTreeMap::new();
    for u in sample {
        let village = by_village
            .entry((&u.county, &u.village))
            .or_insert_with(|| Rates {
                key: u.village.clone(),
                county: u.county.clone(),
                ..Rates::default()
            });
        if u.role == Role::Primary {
            village.primaries += 1;
        }
        if let Some(v) = visit_of.get(u.household_id.as_str()) {
            village.add_visit(u.role, &v.disposition);
            let team = by_team.entry(&v.team).or_insert_with(|| Rates {
                key: v.team.clone(),
                ..Rates::default()
            });
            if u.role == Role::Primary {
                team.primaries += 1;
            }
            team.add_visit(u.role, &v.disposition);
        }
    }
    report.by_village = by_village.into_values().collect();
    report.by_team = by_team.into_values().collect();
    report
}

/// The reserve rules of one (village, stratum) cell.
fn check_cell(
    units: &[&SampleUnit],
    visit_of: &HashMap<&str, &VisitRecord>,
    config: &CheckConfig,
    out: &mut Vec<Finding>,
) {
    let disposition = |u: &SampleUnit| visit_of.get(u.household_id.as_str()).map(|v| v.disposition);
    let primaries: Vec<&SampleUnit> = units
        .iter()
        .copied()
        .filter(|u| u.role == Role::Primary)
        .collect();
    let mut reserves: Vec<&SampleUnit> = units
        .iter()
        .copied()
        .filter(|u| u.role == Role::Reserve)
        .collect();
    reserves.sort_by_key(|u| (u.reserve_rank.unwrap_or(u32::MAX), u.household_id.clone()));
    let Some(first) = units.first() else {
        return;
    };
    let finding = |severity, rule, u: &SampleUnit, message: String| Finding {
        severity,
        rule,
        county: u.county.clone(),
        village: u.village.clone(),
        stratum: u.stratum.clone(),
        household_id: u.household_id.clone(),
        message,
        note: None,
    };
    let replaceable_names = config.replaceable.join(", ");
    let failed_primaries: Vec<&SampleUnit> = primaries
        .iter()
        .copied()
        .filter(|u| disposition(u).is_some_and(|d| config.is_replaceable(&d)))
        .collect();
    let never_replaced: Vec<String> = primaries
        .iter()
        .filter_map(|u| match disposition(u) {
            Some(d @ (Disposition::Ineligible(_) | Disposition::Relocated)) => {
                Some(format!("{} is {}", u.household_id, d.code()))
            }
            _ => None,
        })
        .collect();

    // Failures to replace, counted as the reserves are walked in their drawn order: each
    // primary that failed with a replaceable disposition opens one replacement, and so does
    // each used reserve that failed the same way; each used reserve fills one.
    let mut owed = failed_primaries.len();
    let mut used = 0usize;
    for (i, r) in reserves.iter().enumerate() {
        let Some(d) = disposition(r) else {
            continue;
        };
        let rank = r.reserve_rank.unwrap_or(i as u32 + 1);
        let unsettled: Vec<String> = reserves[..i]
            .iter()
            .filter_map(|earlier| {
                let k = earlier.reserve_rank.unwrap_or(0);
                match disposition(earlier) {
                    None => Some(format!(
                        "reserve {k} ({}) has no visit record",
                        earlier.household_id
                    )),
                    Some(d) if !is_final(&d) => Some(format!(
                        "reserve {k} ({}) is {}, not a final disposition",
                        earlier.household_id,
                        d.code()
                    )),
                    _ => None,
                }
            })
            .collect();
        if !unsettled.is_empty() {
            out.push(finding(
                Severity::Error,
                Rule::ReserveOrder,
                r,
                format!(
                    "reserve {rank} was used but {}; reserves are used strictly in their drawn order: \
                     visit the earlier reserves first and record their final dispositions, or correct this record",
                    unsettled.join(", ")
                ),
            ));
        }
        used += 1;
        if used > owed {
            let why = if failed_primaries.is_empty() && never_replaced.is_empty() {
                format!("no primary of this village and stratum failed with a replaceable disposition ({replaceable_names})")
            } else if failed_primaries.is_empty() {
                format!(
                    "no primary failed with a replaceable disposition ({replaceable_names}); {} and is never replaced",
                    never_replaced.join(", ")
                )
            } else {
                format!(
                    "{} failure{} to replace ({} primar{} with a replaceable disposition ({replaceable_names}){})",
                    owed,
                    if owed == 1 { "" } else { "s" },
                    failed_primaries.len(),
                    if failed_primaries.len() == 1 { "y" } else { "ies" },
                    if never_replaced.is_empty() {
                        String::new()
                    } else {
                        format!("; {}, never replaced", never_replaced.join(", "))
                    }
                )
            };
            out.push(finding(
                Severity::Error,
                Rule::ReserveNotNeeded,
                r,
                format!(
                    "reserve {rank} was used but {why}; {used} reserve{} used in all; \
                     remove this reserve's record or correct the primaries' dispositions",
                    if used == 1 { " is" } else { "s are" }
                ),
            ));
        }
        if config.is_replaceable(&d) {
            owed += 1;
        }
    }
    // A cell drawn without reserves (a plan with `reserves = 0`) owes no replacement: its
    // non-response is left to the weights, and nothing can be done in the field.
    if used < owed && !reserves.is_empty() {
        let next = reserves.iter().find(|r| disposition(r).is_none());
        let missing = owed - used;
        let subject = next.copied().unwrap_or(first);
        let message = match next {
            Some(r) => format!(
                "{missing} failed unit{} of this village and stratum not yet replaced; visit reserve {} ({}) next",
                if missing == 1 { " is" } else { "s are" },
                r.reserve_rank.unwrap_or(0),
                r.household_id
            ),
            None => format!(
                "{missing} failed unit{} of this village and stratum cannot be replaced: every reserve is used; note it for the estimates",
                if missing == 1 { "" } else { "s" }
            ),
        };
        out.push(finding(
            Severity::Warning,
            Rule::ReplacementOwed,
            subject,
            message,
        ));
    }
}

/// A warning is answered by a note of its visit record naming its rule; errors are never
/// answered by a note, only by a correction.
fn attach_notes(findings: &mut [Finding], visit_of: &HashMap<&str, &VisitRecord>) {
    for f in findings
        .iter_mut()
        .filter(|f| f.severity == Severity::Warning)
    {
        let Some(v) = visit_of.get(f.household_id.as_str()) else {
            continue;
        };
        f.note = v
            .notes
            .iter()
            .find(|n| n.rule.trim() == f.rule.name())
            .map(|n| mask_identity_numbers(&n.text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::example_visit;
    use crate::IneligibleReason;

    fn unit(id: &str, village: &str, rank: Option<u32>) -> SampleUnit {
        SampleUnit {
            household_id: id.to_string(),
            county: "530128".to_string(),
            village: village.to_string(),
            stratum: "exited".to_string(),
            role: if rank.is_some() {
                Role::Reserve
            } else {
                Role::Primary
            },
            reserve_rank: rank,
        }
    }

    /// Village V: primaries P1, P2; reserves R1, R2, R3.
    fn cell() -> Vec<SampleUnit> {
        vec![
            unit("P1", "V", None),
            unit("P2", "V", None),
            unit("R1", "V", Some(1)),
            unit("R2", "V", Some(2)),
            unit("R3", "V", Some(3)),
        ]
    }

    fn visit(id: &str, d: Disposition, team: &str) -> VisitRecord {
        let mut v = example_visit();
        v.household_id = id.to_string();
        v.team = team.to_string();
        v.disposition = d;
        if !d.is_interview() {
            v.mode = None;
            v.household = None;
        } else if let Some(h) = &mut v.household {
            h.household_id = id.to_string();
        }
        v
    }

    fn errors(r: &CheckReport) -> Vec<(Rule, &str)> {
        r.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| (f.rule, f.household_id.as_str()))
            .collect()
    }

    fn check(sample: &[SampleUnit], visits: &[VisitRecord], config: &CheckConfig) -> CheckReport {
        let input = CheckInput {
            sample: sample.to_vec(),
            visits: visits.to_vec(),
            ..CheckInput::default()
        };
        check_draw(&input, &Standards::builtin(), config)
    }

    fn run(visits: &[VisitRecord]) -> CheckReport {
        check(&cell(), visits, &CheckConfig::default())
    }

    #[test]
    fn refused_primary_replaced_by_reserve_1_is_fine() {
        let r = run(&[
            visit("P1", Disposition::Refused, "t1"),
            visit("P2", Disposition::Complete, "t1"),
            visit("R1", Disposition::Complete, "t1"),
        ]);
        assert_eq!(r.findings, vec![]);
        assert_eq!(r.errors(), 0);
    }

    #[test]
    fn reserve_2_used_while_reserve_1_unvisited_is_an_error() {
        let r = run(&[
            visit("P1", Disposition::NonContact, "t1"),
            visit("P2", Disposition::Complete, "t1"),
            visit("R2", Disposition::Complete, "t1"),
        ]);
        assert_eq!(errors(&r), vec![(Rule::ReserveOrder, "R2")]);
        let f = &r.findings[0];
        assert!(
            f.message
                .contains("reserve 2 was used but reserve 1 (R1) has no visit record"),
            "{}",
            f.message
        );
        assert!(f.to_string().starts_with(
            "error [reserve-order] county 530128, village V, household R2 (exited): "
        ));
        // eligibility_unknown is not final either.
        let r = run(&[
            visit("P1", Disposition::Refused, "t1"),
            visit("R1", Disposition::EligibilityUnknown, "t1"),
            visit("R2", Disposition::Complete, "t1"),
        ]);
        assert!(errors(&r).contains(&(Rule::ReserveOrder, "R2")), "{r:?}");
    }

    #[test]
    fn a_reserve_with_no_failed_primary_is_an_error() {
        let r = run(&[
            visit("P1", Disposition::Complete, "t1"),
            visit("P2", Disposition::Complete, "t1"),
            visit("R1", Disposition::Complete, "t1"),
        ]);
        assert_eq!(errors(&r), vec![(Rule::ReserveNotNeeded, "R1")]);
        assert!(r.findings[0]
            .message
            .contains("no primary of this village and stratum failed"));
    }

    #[test]
    fn ineligible_or_relocated_primaries_are_never_replaced() {
        let r = run(&[
            visit(
                "P1",
                Disposition::Ineligible(IneligibleReason::Dissolved),
                "t1",
            ),
            visit("P2", Disposition::Complete, "t1"),
            visit("R1", Disposition::Complete, "t1"),
        ]);
        assert_eq!(errors(&r), vec![(Rule::ReserveNotNeeded, "R1")]);
        assert!(
            r.findings[0]
                .message
                .contains("P1 is ineligible and is never replaced"),
            "{}",
            r.findings[0].message
        );
        // Even when the configuration lists them as replaceable.
        let mut config = CheckConfig::default();
        config.replaceable.push("relocated".to_string());
        let r = check(
            &cell(),
            &[
                visit("P1", Disposition::Relocated, "t1"),
                visit("R1", Disposition::Complete, "t1"),
            ],
            &config,
        );
        assert_eq!(errors(&r), vec![(Rule::ReserveNotNeeded, "R1")]);
    }

    #[test]
    fn a_failed_reserve_is_replaced_by_the_next_and_owed_replacements_are_warned() {
        let r = run(&[
            visit("P1", Disposition::Refused, "t1"),
            visit("P2", Disposition::Complete, "t1"),
            visit("R1", Disposition::NonContact, "t1"),
            visit("R2", Disposition::Complete, "t1"),
        ]);
        assert_eq!(r.findings, vec![]);
        let r = run(&[
            visit("P1", Disposition::Refused, "t1"),
            visit("P2", Disposition::Refused, "t1"),
            visit("R1", Disposition::Complete, "t1"),
        ]);
        assert_eq!(r.errors(), 0);
        assert_eq!(r.warnings(), 1);
        assert_eq!(r.findings[0].rule, Rule::ReplacementOwed);
        assert_eq!(r.findings[0].household_id, "R2");
        assert!(r.findings[0].message.contains("visit reserve 2 (R2) next"));
        // The replaceable set is a parameter.
        let config = CheckConfig {
            replaceable: vec!["refused".to_string()],
            ..CheckConfig::default()
        };
        let r = check(
            &cell(),
            &[
                visit("P1", Disposition::NonContact, "t1"),
                visit("R1", Disposition::Complete, "t1"),
            ],
            &config,
        );
        assert_eq!(errors(&r), vec![(Rule::ReserveNotNeeded, "R1")]);
    }

    #[test]
    fn short_interviews_are_warnings() {
        let mut v = visit("P1", Disposition::Complete, "t1");
        v.start = "2020-06-12T09:30:00+08:00".to_string();
        v.end = "2020-06-12T09:38:00+08:00".to_string();
        let r = run(&[v.clone()]);
        assert_eq!(r.errors(), 0);
        assert_eq!(r.findings.len(), 1);
        assert_eq!(r.findings[0].rule, Rule::ShortInterview);
        assert!(
            r.findings[0].message.contains("lasted 8 min"),
            "{}",
            r.findings[0].message
        );
        assert!(r.findings[0]
            .message
            .contains("plausible minimum of 15 min"));
        let config = CheckConfig {
            min_interview_minutes: 5.0,
            ..CheckConfig::default()
        };
        assert_eq!(check(&cell(), &[v.clone()], &config).findings, vec![]);
        // A refusal is not an interview: no warning however short.
        let mut refused = visit("P1", Disposition::Refused, "t1");
        refused.end = v.end.clone();
        assert!(run(&[refused, visit("R1", Disposition::Complete, "t1")])
            .findings
            .iter()
            .all(|f| f.rule != Rule::ShortInterview));
    }

    /// The built-in maximum is 240 minutes: a visit of 241 minutes is warned about (any
    /// disposition), one of exactly 240 is not.
    /// A cell drawn without reserves: a refusal is left to the weights, no replacement owed.
    #[test]
    fn a_cell_without_reserves_owes_no_replacement() {
        let sample = vec![unit("P1", "V", None), unit("P2", "V", None)];
        let visits = [
            visit("P1", Disposition::Refused, "t1"),
            visit("P2", Disposition::Complete, "t1"),
        ];
        let r = check(&sample, &visits, &CheckConfig::default());
        assert!(
            r.findings.iter().all(|f| f.rule != Rule::ReplacementOwed),
            "{:?}",
            r.findings
        );
        // With reserves in the cell, the same refusal is owed a replacement.
        let r = run(&visits);
        assert!(r.findings.iter().any(|f| f.rule == Rule::ReplacementOwed));
    }

    #[test]
    fn visits_longer_than_the_standards_maximum_are_warnings() {
        let mut long = visit("P1", Disposition::Complete, "t1");
        long.start = "2020-06-12T09:00:00+08:00".to_string();
        long.end = "2020-06-12T13:01:00+08:00".to_string();
        let r = run(&[long.clone()]);
        assert_eq!(r.errors(), 0);
        let found: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.rule == Rule::LongVisit)
            .collect();
        assert_eq!(found.len(), 1, "{:?}", r.findings);
        assert!(
            found[0].message.contains("lasted 241 min"),
            "{}",
            found[0].message
        );
        assert!(found[0].message.contains("plausible maximum of 240 min"));
        long.end = "2020-06-12T13:00:00+08:00".to_string();
        assert!(run(&[long])
            .findings
            .iter()
            .all(|f| f.rule != Rule::LongVisit));
    }

    #[test]
    fn rates_by_village_and_team() {
        // Village V: P1 refused (t1), P2 complete (t2), R1 complete (t1).
        // Village W: P3 ineligible (t2), P4 partial (t2), P5 not visited.
        let mut sample = cell();
        sample.extend([
            unit("P3", "W", None),
            unit("P4", "W", None),
            unit("P5", "W", None),
        ]);
        let visits = [
            visit("P1", Disposition::Refused, "t1"),
            visit("P2", Disposition::Complete, "t2"),
            visit("R1", Disposition::Complete, "t1"),
            visit(
                "P3",
                Disposition::Ineligible(IneligibleReason::Duplicate),
                "t2",
            ),
            visit("P4", Disposition::Partial, "t2"),
        ];
        let r = check(&sample, &visits, &CheckConfig::default());
        assert_eq!(r.errors(), 0, "{:?}", r.findings);
        let v = &r.by_village[0];
        assert_eq!(
            (
                v.key.as_str(),
                v.primaries,
                v.reserves_used,
                v.visited,
                v.ineligible,
                v.eligible,
                v.responded
            ),
            ("V", 2, 1, 3, 0, 3, 2)
        );
        assert_eq!(v.response_rate(), Some(2.0 / 3.0));
        assert_eq!(v.replacement_rate(), Some(0.5));
        let w = &r.by_village[1];
        assert_eq!(
            (
                w.key.as_str(),
                w.primaries,
                w.reserves_used,
                w.visited,
                w.ineligible,
                w.eligible,
                w.responded
            ),
            ("W", 3, 0, 2, 1, 1, 1)
        );
        assert_eq!(w.response_rate(), Some(1.0));
        assert_eq!(w.replacement_rate(), Some(0.0));
        let t1 = &r.by_team[0];
        assert_eq!(
            (
                t1.key.as_str(),
                t1.primaries,
                t1.reserves_used,
                t1.visited,
                t1.eligible,
                t1.responded
            ),
            ("t1", 1, 1, 2, 2, 1)
        );
        assert_eq!(t1.response_rate(), Some(0.5));
        assert_eq!(t1.replacement_rate(), Some(1.0));
        let t2 = &r.by_team[1];
        assert_eq!(
            (
                t2.key.as_str(),
                t2.primaries,
                t2.reserves_used,
                t2.visited,
                t2.eligible,
                t2.responded
            ),
            ("t2", 3, 0, 3, 2, 2)
        );
        assert_eq!(t2.response_rate(), Some(1.0));
        assert_eq!(t2.replacement_rate(), Some(0.0));
        assert_eq!(Rates::default().response_rate(), None);
    }

    fn findings_of(input: CheckInput, config: &CheckConfig) -> Vec<(Severity, Rule, String)> {
        check_draw(&input, &Standards::builtin(), config)
            .findings
            .into_iter()
            .map(|f| (f.severity, f.rule, f.message))
            .collect()
    }

    fn one_visit(v: VisitRecord) -> CheckInput {
        CheckInput {
            sample: cell(),
            visits: vec![v],
            ..CheckInput::default()
        }
    }

    #[test]
    fn a_visit_before_the_draw_is_an_error() {
        let v = visit("P1", Disposition::Complete, "t1"); // starts 2020-06-12T09:30:00+08:00
        let mut input = one_visit(v);
        input.drawn_at = Some("2020-06-12T02:00:00Z".to_string()); // 10:00 at +08:00
        let f = findings_of(input.clone(), &CheckConfig::default());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].0, f[0].1), (Severity::Error, Rule::VisitBeforeDraw));
        assert!(
            f[0].2.contains("the draw was made 2020-06-12T02:00:00Z"),
            "{}",
            f[0].2
        );
        input.drawn_at = Some("2020-06-12T01:30:00Z".to_string()); // exactly the start
        assert_eq!(findings_of(input, &CheckConfig::default()), vec![]);
    }

    #[test]
    fn gps_far_from_the_village_centre_is_a_warning_except_for_relocated_households() {
        // The example's gps_start is (25.55, 102.47). 0.05 degrees of latitude is 5.54 km.
        let mut input = one_visit(visit("P1", Disposition::Complete, "t1"));
        input.village_centres.insert(
            "V".to_string(),
            Gps {
                lat: 25.60,
                lon: 102.47,
            },
        );
        let f = findings_of(input.clone(), &CheckConfig::default());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].0, f[0].1), (Severity::Warning, Rule::FarFromVillage));
        assert!(
            f[0].2.contains("is 5.5 km from the village centre"),
            "{}",
            f[0].2
        );
        let wider = CheckConfig {
            max_km_from_village: 6.0,
            ..CheckConfig::default()
        };
        assert_eq!(findings_of(input.clone(), &wider), vec![]);
        input.visits[0].disposition = Disposition::Relocated;
        assert_eq!(findings_of(input, &CheckConfig::default()), vec![]);
    }

    #[test]
    fn stated_income_is_checked_against_its_sources() {
        // Sources 12,500 yuan for 3 people: 4,166.67 per person; the tolerance is
        // max(5% of 4,166.67 = 208.33, 100) yuan.
        let with_stated = |stated: f64| {
            let mut v = visit("P1", Disposition::Complete, "t1");
            v.household.as_mut().unwrap().income_per_person_stated = Some(stated);
            findings_of(one_visit(v), &CheckConfig::default())
        };
        assert_eq!(with_stated(4166.67 + 208.0), vec![]);
        let f = with_stated(4166.67 + 209.0);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            (f[0].0, f[0].1),
            (Severity::Warning, Rule::IncomeInconsistent)
        );
        assert!(
            f[0].2
                .contains("(12500.00 yuan / 3 people = 4166.67 yuan) by more than 208.33 yuan"),
            "{}",
            f[0].2
        );
    }

    #[test]
    fn a_child_out_of_school_is_a_warning_and_an_unjudgeable_record_an_error() {
        use crate::Schooling;
        let mut v = visit("P1", Disposition::Complete, "t1");
        v.household.as_mut().unwrap().members[2].schooling = Some(Schooling::OutOfSchool);
        let f = findings_of(one_visit(v.clone()), &CheckConfig::default());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            (f[0].0, f[0].1),
            (Severity::Warning, Rule::ChildOutOfSchool)
        );
        assert!(f[0].2.starts_with("member 3, aged 10"), "{}", f[0].2);
        v.household.as_mut().unwrap().members[2].schooling = Some(Schooling::HomeTeaching);
        assert_eq!(
            findings_of(one_visit(v.clone()), &CheckConfig::default()),
            vec![]
        );
        v.household.as_mut().unwrap().income_year = 1990;
        let f = findings_of(one_visit(v), &CheckConfig::default());
        assert_eq!((f[0].0, f[0].1), (Severity::Error, Rule::Unjudgeable));
        assert!(
            f[0].2.contains("income year 1990 has no poverty line"),
            "{}",
            f[0].2
        );
    }

    #[test]
    fn a_photo_whose_bytes_changed_is_an_error() {
        let mut input = one_visit(visit("P1", Disposition::Complete, "t1"));
        input.photos = vec![
            PhotoHash {
                household_id: "P1".to_string(),
                stored_sha256: "aa".to_string(),
                content_sha256: "aa".to_string(),
            },
            PhotoHash {
                household_id: "P1".to_string(),
                stored_sha256: "bb".to_string(),
                content_sha256: "cc".to_string(),
            },
        ];
        let f = findings_of(input, &CheckConfig::default());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].0, f[0].1), (Severity::Error, Rule::PhotoHashMismatch));
        assert!(f[0]
            .2
            .starts_with("photo bb is stored with bytes whose SHA-256 is cc"));
    }

    /// Identification flags are listed apart from the findings, by village and household, with
    /// their evidence; a household without flags, a non-interview and a non-registered
    /// household with a "yes" are not listed; and no finding is added or removed.
    #[test]
    fn identification_flags_are_listed_apart_from_the_findings() {
        use crate::IdentificationFlag;
        let flagged = |id: &str, edit: fn(&mut crate::Identification)| {
            let mut v = visit(id, Disposition::Complete, "t1");
            let h = v.household.as_mut().unwrap();
            edit(h.identification.as_mut().unwrap());
            h.members[0].id_number = Some(crate::IdNumber::parse("11010519491231002X").unwrap());
            v
        };
        let mut sample = cell();
        sample.push(unit("P3", "W", None));
        sample.push(unit("P4", "W", None));
        let mut p4 = flagged("P4", |i| i.registered_company = Some(true));
        p4.household.as_mut().unwrap().status = assess_household::Status::NonRegistered;
        let visits = [
            flagged("P3", |i| {
                i.owns_vehicle = Some(true);
                i.vehicle_value_yuan = Some(45000.0);
            }),
            flagged("P1", |i| i.public_payroll = Some(true)),
            visit("P2", Disposition::Complete, "t1"),
            p4,
        ];
        let plain: Vec<VisitRecord> = visits
            .iter()
            .map(|v| visit(&v.household_id, Disposition::Complete, "t1"))
            .collect();
        let r = check(&sample, &visits, &CheckConfig::default());
        let listed: Vec<(&str, &str, &[IdentificationFlag])> = r
            .identification_flags
            .iter()
            .map(|f| (f.village.as_str(), f.household_id.as_str(), &f.flags[..]))
            .collect();
        assert_eq!(
            listed,
            [
                ("V", "P1", &[IdentificationFlag::PublicPayroll][..]),
                (
                    "W",
                    "P3",
                    &[IdentificationFlag::Vehicle {
                        value_yuan: Some(45000.0),
                        limit_yuan: 30000.0
                    }][..]
                ),
            ]
        );
        assert_eq!(
            r.identification_flags[1].to_string(),
            "county 530128, village W, household P3 (exited): owns a vehicle worth 45000 yuan, \
             over the standards' limit of 30000 yuan [identity numbers: member 1 110***********002X]"
        );
        let without = check(&sample, &plain, &CheckConfig::default());
        assert_eq!(without.identification_flags, []);
        assert_eq!(
            (r.findings, r.by_village),
            (without.findings, without.by_village)
        );
    }

    #[test]
    fn a_note_naming_the_rule_answers_a_warning() {
        let mut v = visit("P1", Disposition::Complete, "t1");
        v.end = "2020-06-12T09:38:00+08:00".to_string();
        v.notes = vec![crate::Note {
            rule: "far-from-village".to_string(),
            text: "irrelevant".to_string(),
        }];
        let r = run(&[v.clone()]);
        assert_eq!((r.warnings(), r.open_warnings()), (1, 1));
        v.notes.push(crate::Note {
            rule: "short-interview".to_string(),
            text: "the household had already answered the township's survey".to_string(),
        });
        let r = run(&[v]);
        assert_eq!((r.warnings(), r.open_warnings()), (1, 0));
        assert!(r.findings[0]
            .to_string()
            .ends_with("[noted: the household had already answered the township's survey]"));
    }
}
