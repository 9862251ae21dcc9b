//! Review and appeal of a finding (the judged visit record of one household): recorded in the
//! field; reviewed that night by the national experts (upheld, corrected, or sent back to the
//! team); contested by the county with evidence; then upheld or overturned. Each step names who,
//! when and why; the store keeps every step and every record version, so a verdict can be
//! computed on the records as they stood before the appeals and after them.
//!
//! This module only says which step may follow which ([`FindingState::after`]); the store
//! applies it inside the transaction that records the step.

use crate::VisitRecord;
use serde::{Deserialize, Serialize};

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
    /// When, RFC 3339.
    pub acted_at: String,
    /// Why.
    pub reason: String,
    /// Evidence references: stored photo SHA-256s, or "file name sha256:...".
    pub evidence: Vec<String>,
    /// The corrected record, for `review_corrected` and `appeal_overturned`.
    pub record: Option<VisitRecord>,
    /// Where the corrected record came from (a file name), for the version's `source_file`.
    pub record_source: String,
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
        if crate::parse_rfc3339(&self.acted_at).is_none() {
            return Err(StepProblem::BadTime(self.acted_at.clone()));
        }
        if self.step.needs_evidence() && self.evidence.iter().all(|e| e.trim().is_empty()) {
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
}
