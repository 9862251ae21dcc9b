//! Review and appeal of a finding (the judged visit record of one household): recorded in the
//! field; reviewed that night by the national experts (upheld, corrected, or sent back to the
//! team); contested by the county with evidence; then upheld or overturned. Each step names who,
//! when and why; the store keeps every step and every record version, so a verdict can be
//! computed on the records as they stood before the appeals and after them.
//!
//! This module only says which step may follow which ([`FindingState::after`]); the store
//! applies it inside the transaction that records the step.

use crate::{parse_rfc3339, VisitRecord};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One step to record, as a front end asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRequest {
    /// The draw.
    pub draw_id: String,
    /// The household whose finding it is.
    pub household_id: String,
    /// The step.
    pub step: Step,
    /// Who takes it (reviewer, county official, appeal panel).
    pub actor: String,
    /// When, RFC 3339 with its offset, kept as given (`2020-07-03T09:15:00+08:00` stays
    /// +08:00); compared with other times as the instant it names.
    pub acted_at: String,
    /// Why.
    pub reason: String,
    /// The evidence the step names, in the order given.
    pub evidence: Vec<Evidence>,
    /// The corrected record, for `review_corrected` and `appeal_overturned`.
    pub record: Option<VisitRecord>,
    /// Where the corrected record came from (a file name), for the version's `source_file`.
    pub record_source: String,
}

/// One piece of evidence a step names: a file given with the step, kept by the store once by
/// its SHA-256 (so it cannot be swapped later and can be read back), or something already
/// stored, named by its SHA-256 (a photo added with `assess photo add`, or an evidence file of
/// an earlier step).
#[derive(Clone, PartialEq, Eq)]
pub enum Evidence {
    /// A file's name (without its directories) and bytes.
    File {
        /// The name it was given under, e.g. `wage-slips.pdf`.
        name: String,
        /// Its bytes.
        content: Vec<u8>,
    },
    /// A stored photo or evidence file, by its SHA-256 (lowercase hex).
    Stored(String),
}

impl Evidence {
    /// The SHA-256 the evidence is kept under (lowercase hex).
    pub fn sha256(&self) -> String {
        match self {
            Evidence::File { content, .. } => hex::encode(Sha256::digest(content)),
            Evidence::Stored(sha256) => sha256.clone(),
        }
    }
}

impl std::fmt::Debug for Evidence {
    // The bytes are not printed: a scan is megabytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Evidence::File { name, content } => f
                .debug_struct("File")
                .field("name", name)
                .field("bytes", &content.len())
                .field("sha256", &self.sha256())
                .finish(),
            Evidence::Stored(sha256) => f.debug_tuple("Stored").field(sha256).finish(),
        }
    }
}

/// Why a step's request cannot be recorded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StepProblem {
    /// Nobody is named.
    #[error("who is empty; every step says who took it and why")]
    NoActor,
    /// No reason is given.
    #[error("why is empty; every step says who took it and why")]
    NoReason,
    /// The time is not RFC 3339.
    #[error("{0:?} is not an RFC 3339 time such as 2020-06-12T21:30:00+08:00")]
    BadTime(String),
    /// A contest without evidence.
    #[error("a contest needs evidence (a file or a stored photo's SHA-256)")]
    NoEvidence,
    /// A step that corrects the record, without one.
    #[error("a {} step needs the corrected record", .0.code())]
    NeedsRecord(Step),
    /// A record given to a step that takes none.
    #[error("a {} step takes no record; leave it out", .0.code())]
    TakesNoRecord(Step),
    /// The corrected record is another household's.
    #[error(
        "the corrected record is for household {household_id} of draw {draw_id}, not this one"
    )]
    RecordOfAnother {
        /// Its draw.
        draw_id: String,
        /// Its household.
        household_id: String,
    },
    /// The corrected record is invalid.
    #[error("the corrected record is invalid: {0}")]
    InvalidRecord(crate::VisitProblem),
    /// The step's time is before the end of the visit it reviews.
    #[error(
        "the {} step's time {at} is {} before the end of the visit it reviews ({visit_end}); a \
         step is taken after the visit: give the time it was taken, with its offset (e.g. \
         2020-06-12T21:30:00+08:00)",
        step.code(),
        span(*seconds)
    )]
    BeforeVisit {
        /// The step.
        step: Step,
        /// Its time, as given.
        at: String,
        /// The end of the visit, as recorded.
        visit_end: String,
        /// How many seconds earlier the step is.
        seconds: f64,
    },
    /// The step's time is before the step it follows.
    #[error(
        "the {} step's time {at} is {} before the {} step it follows ({previous_at}); steps \
         are recorded in the order they were taken: give the time this one was taken, with its \
         offset",
        step.code(),
        span(*seconds),
        previous.code()
    )]
    BeforePreviousStep {
        /// The step.
        step: Step,
        /// Its time, as given.
        at: String,
        /// The step it follows.
        previous: Step,
        /// That step's time, as recorded.
        previous_at: String,
        /// How many seconds earlier the step is.
        seconds: f64,
    },
}

/// A duration for a message: "45 s", "2 h 45 min", "3 days 2 h".
fn span(seconds: f64) -> String {
    let s = seconds.abs().round() as u64;
    let (days, hours, minutes) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (1, 0, _) => "1 day".to_string(),
        (1, h, _) => format!("1 day {h} h"),
        (d, 0, _) => format!("{d} days"),
        (d, h, _) => format!("{d} days {h} h"),
    }
}

impl StepRequest {
    /// Every step says who took it, when and why; a contest has evidence; a step that
    /// corrects the record has a valid one of this household, and only such a step has one.
    pub fn check(&self) -> Result<(), StepProblem> {
        if self.actor.trim().is_empty() {
            return Err(StepProblem::NoActor);
        }
        if self.reason.trim().is_empty() {
            return Err(StepProblem::NoReason);
        }
        if parse_rfc3339(&self.acted_at).is_none() {
            return Err(StepProblem::BadTime(self.acted_at.clone()));
        }
        if self.step.needs_evidence() && self.evidence.is_empty() {
            return Err(StepProblem::NoEvidence);
        }
        match (&self.record, self.step.needs_record()) {
            (None, true) => Err(StepProblem::NeedsRecord(self.step)),
            (Some(_), false) => Err(StepProblem::TakesNoRecord(self.step)),
            (Some(r), true) => {
                if r.draw_id != self.draw_id || r.household_id != self.household_id {
                    return Err(StepProblem::RecordOfAnother {
                        draw_id: r.draw_id.clone(),
                        household_id: r.household_id.clone(),
                    });
                }
                match r.validate().into_iter().next() {
                    Some(p) => Err(StepProblem::InvalidRecord(p)),
                    None => Ok(()),
                }
            }
            (None, false) => Ok(()),
        }
    }

    /// A step comes after the visit it reviews and after the step it follows: its time is not
    /// before the end of `reviewed` (the record current when the step is taken), nor before the
    /// end of the corrected record it brings, nor before `previous` (the finding's last step
    /// and its time). Times are compared as instants, whatever their offsets; a time that does
    /// not read (none does: records and steps are checked when stored) is not compared.
    pub fn check_times(
        &self,
        reviewed: &VisitRecord,
        previous: Option<(Step, &str)>,
    ) -> Result<(), StepProblem> {
        let Some(at) = parse_rfc3339(&self.acted_at) else {
            return Err(StepProblem::BadTime(self.acted_at.clone()));
        };
        for visit in std::iter::once(reviewed).chain(self.record.as_ref()) {
            match parse_rfc3339(&visit.end) {
                Some(end) if at < end => {
                    return Err(StepProblem::BeforeVisit {
                        step: self.step,
                        at: self.acted_at.clone(),
                        visit_end: visit.end.clone(),
                        seconds: end - at,
                    })
                }
                _ => {}
            }
        }
        if let Some((previous, previous_at)) = previous {
            match parse_rfc3339(previous_at) {
                Some(before) if at < before => {
                    return Err(StepProblem::BeforePreviousStep {
                        step: self.step,
                        at: self.acted_at.clone(),
                        previous,
                        previous_at: previous_at.to_string(),
                        seconds: before - at,
                    })
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// One step of review or appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Night review: the finding stands as recorded.
    ReviewUpheld,
    /// Night review: the reviewer corrects the record (a new version, kept beside the old).
    ReviewCorrected,
    /// Night review: sent back to the team, who must revisit and import a new record.
    SentBack,
    /// The county contests the reviewed finding, with evidence.
    Contested,
    /// The appeal is decided against the county: the finding stands.
    AppealUpheld,
    /// The appeal is decided for the county: the record is corrected by its evidence (a new
    /// version, used only by verdicts "after appeals").
    AppealOverturned,
}

impl Step {
    /// The step's name as stored and printed.
    pub fn code(self) -> &'static str {
        match self {
            Step::ReviewUpheld => "review_upheld",
            Step::ReviewCorrected => "review_corrected",
            Step::SentBack => "sent_back",
            Step::Contested => "contested",
            Step::AppealUpheld => "appeal_upheld",
            Step::AppealOverturned => "appeal_overturned",
        }
    }

    /// Reads a stored step name.
    pub fn from_code(code: &str) -> Option<Step> {
        [
            Step::ReviewUpheld,
            Step::ReviewCorrected,
            Step::SentBack,
            Step::Contested,
            Step::AppealUpheld,
            Step::AppealOverturned,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    /// Whether the step comes with a corrected record, stored as a new version.
    pub fn needs_record(self) -> bool {
        matches!(self, Step::ReviewCorrected | Step::AppealOverturned)
    }

    /// Whether the step must name its evidence.
    pub fn needs_evidence(self) -> bool {
        matches!(self, Step::Contested)
    }

    /// The stage label of the record version a step writes: `review` or `appeal`.
    pub fn record_stage(self) -> Option<&'static str> {
        match self {
            Step::ReviewCorrected => Some("review"),
            Step::AppealOverturned => Some("appeal"),
            _ => None,
        }
    }
}

/// Where a finding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingState {
    /// Recorded in the field, not yet reviewed (or re-recorded after being sent back).
    Recorded,
    /// Reviewed and upheld.
    Upheld,
    /// Reviewed and corrected by the reviewer.
    Corrected,
    /// Sent back to the team; waiting for a new record.
    SentBack,
    /// Contested by the county.
    Contested,
    /// Appeal decided: the finding stands. Final.
    AppealUpheld,
    /// Appeal decided: the finding is overturned. Final.
    Overturned,
}

impl FindingState {
    /// The state's name as printed.
    pub fn code(self) -> &'static str {
        match self {
            FindingState::Recorded => "recorded",
            FindingState::Upheld => "reviewed: upheld",
            FindingState::Corrected => "reviewed: corrected",
            FindingState::SentBack => "sent back",
            FindingState::Contested => "contested",
            FindingState::AppealUpheld => "appeal: upheld",
            FindingState::Overturned => "appeal: overturned",
        }
    }

    /// The state after `step`, or why the step may not be taken now.
    pub fn after(self, step: Step) -> Result<FindingState, String> {
        use FindingState as S;
        match (self, step) {
            (S::Recorded, Step::ReviewUpheld) => Ok(S::Upheld),
            (S::Recorded, Step::ReviewCorrected) => Ok(S::Corrected),
            (S::Recorded, Step::SentBack) => Ok(S::SentBack),
            (S::Upheld | S::Corrected, Step::Contested) => Ok(S::Contested),
            (S::Contested, Step::AppealUpheld) => Ok(S::AppealUpheld),
            (S::Contested, Step::AppealOverturned) => Ok(S::Overturned),
            (S::SentBack, _) => Err(
                "the finding was sent back to the team: import the team's new record first (`assess import-records`)"
                    .to_string(),
            ),
            (S::Recorded, _) => Err(
                "the finding has not been reviewed: review it first (`assess finding review`)"
                    .to_string(),
            ),
            (S::Upheld | S::Corrected, _) => Err(
                "the finding is already reviewed: the county may contest it (`assess finding contest`)"
                    .to_string(),
            ),
            (S::Contested, _) => Err(
                "the finding is contested: decide the appeal (`assess finding decide`)".to_string(),
            ),
            (S::AppealUpheld | S::Overturned, _) => {
                Err("the appeal is decided; the finding's history is closed".to_string())
            }
        }
    }

    /// Whether the field team may still replace the record by importing a new version: only
    /// before the review, or after it was sent back. Afterwards a record changes only through a
    /// review or appeal step, so that no finding is quietly rewritten.
    pub fn field_may_change(self) -> bool {
        matches!(self, FindingState::Recorded | FindingState::SentBack)
    }
}

/// The state after a history of steps. `record_changed_after_send_back` tells whether the team
/// imported a new version after the last `sent_back` step, which returns the finding to
/// `Recorded`. A history that breaks the rules (impossible through the store) gives its error.
pub fn state_of(
    steps: &[Step],
    record_changed_after_send_back: bool,
) -> Result<FindingState, String> {
    let mut state = FindingState::Recorded;
    for (i, step) in steps.iter().enumerate() {
        if state == FindingState::SentBack {
            // A later step is only allowed because a new record came in between.
            state = FindingState::Recorded;
        }
        state = state
            .after(*step)
            .map_err(|e| format!("step {} ({}): {e}", i + 1, step.code()))?;
    }
    if state == FindingState::SentBack && record_changed_after_send_back {
        state = FindingState::Recorded;
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use FindingState as S;

    #[test]
    fn the_path_through_review_and_appeal() {
        assert_eq!(state_of(&[], false), Ok(S::Recorded));
        assert_eq!(state_of(&[Step::ReviewUpheld], false), Ok(S::Upheld));
        assert_eq!(
            state_of(&[Step::ReviewCorrected, Step::Contested], false),
            Ok(S::Contested)
        );
        assert_eq!(
            state_of(
                &[Step::ReviewUpheld, Step::Contested, Step::AppealOverturned],
                false
            ),
            Ok(S::Overturned)
        );
        assert_eq!(state_of(&[Step::SentBack], false), Ok(S::SentBack));
        assert_eq!(state_of(&[Step::SentBack], true), Ok(S::Recorded));
        assert_eq!(
            state_of(&[Step::SentBack, Step::ReviewUpheld], false),
            Ok(S::Upheld)
        );
    }

    #[test]
    fn steps_out_of_order_are_refused_with_what_to_do() {
        let e = S::Recorded.after(Step::Contested).unwrap_err();
        assert!(e.contains("review it first"), "{e}");
        let e = S::Upheld.after(Step::ReviewCorrected).unwrap_err();
        assert!(e.contains("already reviewed"), "{e}");
        let e = S::Upheld.after(Step::AppealUpheld).unwrap_err();
        assert!(e.contains("already reviewed"), "{e}");
        let e = S::AppealUpheld.after(Step::Contested).unwrap_err();
        assert!(e.contains("closed"), "{e}");
        let e = S::SentBack.after(Step::ReviewUpheld).unwrap_err();
        assert!(e.contains("import the team's new record"), "{e}");
        assert!(state_of(&[Step::Contested], false).is_err());
    }

    #[test]
    fn only_unreviewed_or_sent_back_records_may_change_in_the_field() {
        for (s, may) in [
            (S::Recorded, true),
            (S::SentBack, true),
            (S::Upheld, false),
            (S::Corrected, false),
            (S::Contested, false),
            (S::AppealUpheld, false),
            (S::Overturned, false),
        ] {
            assert_eq!(s.field_may_change(), may, "{s:?}");
        }
        for step in [Step::ReviewCorrected, Step::AppealOverturned] {
            assert!(step.needs_record());
            assert_eq!(Step::from_code(step.code()), Some(step));
        }
        assert_eq!(Step::from_code("appealed"), None);
    }

    fn request(step: Step, at: &str) -> StepRequest {
        let visit = crate::fixtures::example_visit();
        StepRequest {
            draw_id: visit.draw_id,
            household_id: visit.household_id,
            step,
            actor: "expert Wang".into(),
            acted_at: at.into(),
            reason: "photos and answers agree".into(),
            evidence: Vec::new(),
            record: None,
            record_source: String::new(),
        }
    }

    /// The example visit ends at 2020-06-12T10:45:00+08:00, which is 02:45 UTC: a step is
    /// compared with it as an instant, whatever offset either is written in.
    #[test]
    fn a_step_before_the_end_of_its_visit_is_refused_whatever_the_offsets() {
        let visit = crate::fixtures::example_visit();
        assert_eq!(visit.end, "2020-06-12T10:45:00+08:00");
        for at in [
            "2020-06-12T10:45:00+08:00",
            "2020-06-12T02:45:00Z",
            "2020-06-12T21:30:00+08:00",
        ] {
            assert_eq!(
                request(Step::ReviewUpheld, at).check_times(&visit, None),
                Ok(()),
                "{at}"
            );
        }
        let e = request(Step::ReviewUpheld, "2020-06-12T02:44:00Z")
            .check_times(&visit, None)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the review_upheld step's time 2020-06-12T02:44:00Z is 1 min before the end of the \
             visit it reviews (2020-06-12T10:45:00+08:00); a step is taken after the visit: give \
             the time it was taken, with its offset (e.g. 2020-06-12T21:30:00+08:00)"
        );
        // The message says by how much, so a wrong offset or date stands out.
        assert!(request(Step::ReviewUpheld, "2020-06-12T08:00:00+08:00")
            .check_times(&visit, None)
            .unwrap_err()
            .to_string()
            .contains("is 2 h 45 min before the end of the visit"));
    }

    #[test]
    fn a_corrected_record_whose_visit_ends_after_the_step_is_refused() {
        let visit = crate::fixtures::example_visit();
        let mut corrected = visit.clone();
        corrected.end = "2020-06-14T10:45:00+08:00".into();
        let mut req = request(Step::ReviewCorrected, "2020-06-12T21:30:00+08:00");
        req.record = Some(corrected);
        let e = req.check_times(&visit, None).unwrap_err();
        assert!(
            matches!(&e, StepProblem::BeforeVisit { visit_end, .. } if visit_end == "2020-06-14T10:45:00+08:00"),
            "{e}"
        );
        assert!(e.to_string().contains("1 day 13 h before"), "{e}");
    }

    #[test]
    fn a_step_before_the_step_it_follows_is_refused() {
        let visit = crate::fixtures::example_visit();
        let contest = request(Step::Contested, "2020-06-13T09:00:00+08:00");
        let reviewed = Some((Step::ReviewUpheld, "2020-06-12T21:30:00+08:00"));
        assert_eq!(contest.check_times(&visit, reviewed), Ok(()));
        // The same instant as the review is not before it.
        let same = request(Step::Contested, "2020-06-12T13:30:00Z");
        assert_eq!(same.check_times(&visit, reviewed), Ok(()));
        let early = request(Step::Contested, "2020-06-12T20:30:00+08:00");
        assert_eq!(
            early.check_times(&visit, reviewed).unwrap_err().to_string(),
            "the contested step's time 2020-06-12T20:30:00+08:00 is 1 h before the review_upheld \
             step it follows (2020-06-12T21:30:00+08:00); steps are recorded in the order they \
             were taken: give the time this one was taken, with its offset"
        );
    }

    #[test]
    fn durations_in_messages_read_as_people_write_them() {
        assert_eq!(span(45.0), "45 s");
        assert_eq!(span(60.0), "1 min");
        assert_eq!(span(3600.0), "1 h");
        assert_eq!(span(9900.0), "2 h 45 min");
        assert_eq!(span(86_400.0 + 7_200.0), "1 day 2 h");
        assert_eq!(span(3.0 * 86_400.0), "3 days");
    }

    #[test]
    fn evidence_is_kept_by_the_sha256_of_its_bytes() {
        let file = Evidence::File {
            name: "wage-slips.pdf".into(),
            content: b"abc".to_vec(),
        };
        assert_eq!(
            file.sha256(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(format!("{file:?}").contains("bytes: 3"));
        assert_eq!(Evidence::Stored("ab".repeat(32)).sha256(), "ab".repeat(32));
    }
}
