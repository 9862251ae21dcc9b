//! What one respondent counts for in the indicators: its people, its register stratum and its
//! findings (wrongly exited, missed, approving), as the standards judged them
//! (docs/verdict.md, "Indicators").

use super::Kind;
use crate::settings::ByHandVillages;
use crate::settings::{ApprovalDefinition, DontKnow, Settings};
use crate::weights::Respondent;
use assess_inspection::{Answer, Opinion, Outcome};

/// One respondent's values for the indicators.
pub(super) struct Row {
    /// Counts in the official values: drawn (weighted), or taken by hand when the settings
    /// count those.
    pub(super) official: bool,
    /// Taken with certainty and whole: no sampling error ([`Respondent::taken_whole`]).
    pub(super) taken_whole: bool,
    pub(super) people: f64,
    pub(super) exited: bool,
    pub(super) non_registered: bool,
    pub(super) wrong: Option<bool>,
    pub(super) missed: Option<bool>,
    pub(super) approves: Option<bool>,
}

impl Row {
    /// The respondent's values; `None` findings are answers that could not be told.
    pub(super) fn of(r: &Respondent, settings: &Settings) -> Row {
        let j = r.visit.judgment.as_ref().expect("respondents are judged");
        let people = j
            .people
            .map_or(f64::from(r.household.register_members), f64::from);
        let answer = |a: Answer| match a {
            Answer::Yes => Some(true),
            Answer::No => Some(false),
            Answer::Unknown => None,
        };
        // A household has one outcome, so at most one of the two findings.
        let (wrong, missed) = match j.outcome {
            Outcome::WronglyExited(a) => (answer(a), None),
            Outcome::Missed(a) => (None, answer(a)),
            Outcome::StillPoor(_) => (None, None),
        };
        Row {
            official: r.weight.is_some() || settings.by_hand_villages == ByHandVillages::Include,
            taken_whole: r.taken_whole(),
            people,
            exited: r.household.stratum == "exited",
            non_registered: r.household.stratum == "non_registered",
            wrong,
            missed,
            approves: r.visit.approval.and_then(|a| approves(&a, settings)),
        }
    }
}

/// The three indicators that are rates over respondents (the incidence is computed from two
/// of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rate {
    /// Wrongly exited people over the people of interviewed exited households.
    WrongExit,
    /// Missed people over the people of interviewed non-registered households.
    Missed,
    /// Approving households over the households with an approval answer.
    Approval,
}

impl Rate {
    /// The indicator.
    pub(super) fn kind(self) -> Kind {
        match self {
            Rate::WrongExit => Kind::WrongExitRate,
            Rate::Missed => Kind::MissedRate,
            Rate::Approval => Kind::ApprovalRate,
        }
    }

    /// Whether the respondent is of the register stratum the rate is asked of: the two rates
    /// each belong to one stratum; approval is asked of every household.
    pub(super) fn in_domain(self, r: &Row) -> bool {
        match self {
            Rate::WrongExit => r.exited,
            Rate::Missed => r.non_registered,
            Rate::Approval => true,
        }
    }

    /// The respondent's finding for the rate, whatever its stratum.
    pub(super) fn finding(self, r: &Row) -> Option<bool> {
        match self {
            Rate::WrongExit => r.wrong,
            Rate::Missed => r.missed,
            Rate::Approval => r.approves,
        }
    }

    /// The finding of a respondent in the rate's stratum; `None` outside it or when unknown.
    pub(super) fn counted(self, r: &Row) -> Option<bool> {
        self.finding(r).filter(|_| self.in_domain(r))
    }

    /// What a respondent counts as: its people for the two rates, one household for approval.
    pub(super) fn unit(self, r: &Row) -> f64 {
        match self {
            Rate::Approval => 1.0,
            Rate::WrongExit | Rate::Missed => r.people,
        }
    }
}

/// Whether a household approves, per the settings; `None` when it cannot be told (not asked,
/// or only "don't know" answers when those are excluded).
pub fn approves(a: &assess_inspection::Approval, settings: &Settings) -> Option<bool> {
    let answers: Vec<Opinion> = a.answers().iter().filter_map(|(_, o)| *o).collect();
    let known: Vec<Opinion> = match settings.dont_know {
        DontKnow::Exclude => answers
            .iter()
            .copied()
            .filter(|o| *o != Opinion::DontKnow)
            .collect(),
        DontKnow::NotApproving => answers.clone(),
    };
    if known.is_empty() {
        return None;
    }
    let approving = |o: &Opinion| matches!(o, Opinion::Satisfied | Opinion::BasicallySatisfied);
    Some(match settings.approval {
        ApprovalDefinition::AllQuestions => known.iter().all(approving),
        ApprovalDefinition::Score { min_share } => {
            known.iter().filter(|o| approving(o)).count() as f64 / known.len() as f64 >= min_share
        }
    })
}
