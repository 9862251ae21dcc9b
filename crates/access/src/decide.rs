//! The rules: who may read or write what, and what may be assigned to whom
//! (`docs/server.md`, "Roles and scopes").

use crate::{is_county_code, province_of, Account, Grants, Role};

/// Reading or changing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Reading: lists, progress, records, verdicts.
    Read,
    /// Changing: uploading records and photos, review steps, assignments.
    Write,
}

/// What is read or written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target<'a> {
    /// Every county at once: lists of all draws and counties, national progress.
    All,
    /// One county (six-digit code): its progress, verdict, findings.
    County(&'a str),
    /// The households of one sampled village of a draw.
    Village {
        /// The draw's id.
        draw: &'a str,
        /// The village's county (six digits).
        county: &'a str,
        /// The village's code (its first six digits are the county's).
        village: &'a str,
    },
    /// The accounts and the assignments of counties and villages.
    Accounts,
    /// A census return of one county (six-digit code), uploaded by its enumerator.
    CensusReturn(&'a str),
}

/// Which rule refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// The target is outside what is assigned to the account (or its role's reach).
    OutOfScope,
    /// A cross-assessor and a county of their own province.
    OwnProvince,
    /// A role that reads but never writes.
    ReadOnly,
    /// The target itself is malformed (not a county code, a village outside its county).
    BadTarget,
}

/// Why access was refused, in words the person refused understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Refusal {
    /// Which rule refused.
    pub rule: Rule,
    /// Why, in a sentence.
    pub reason: String,
}

fn refuse(rule: Rule, reason: String) -> Result<(), Refusal> {
    Err(Refusal { rule, reason })
}

/// Whether `account`, with what is assigned to it (`grants`), may read or write `target`.
///
/// - interviewer: read and write only the households of the villages assigned to them; no
///   county as a whole, not every county, not the accounts; as a census enumerator, write the
///   census returns of the counties assigned to their team;
/// - team leader: read and write the counties assigned to their team, and their villages;
/// - provincial cross-assessor: as a team leader, but never a county of their own province,
///   even when one is assigned to their team;
/// - national coordinator: read every county and village; write nothing;
/// - administrator: everything, the accounts and assignments included.
pub fn decide(
    account: &Account,
    grants: &Grants,
    access: Access,
    target: Target<'_>,
) -> Result<(), Refusal> {
    check_target(target)?;
    let role = account.role;
    match (role, target) {
        (Role::Admin, _) => Ok(()),
        (_, Target::Accounts) => refuse(
            Rule::OutOfScope,
            format!(
                "only an administrator manages accounts and assignments; {} is {}",
                account.name,
                role.words()
            ),
        ),
        (Role::Coordinator, _) => match access {
            Access::Read => Ok(()),
            Access::Write => refuse(
                Rule::ReadOnly,
                format!(
                    "{} is a national coordinator, who reads every county but changes nothing",
                    account.name
                ),
            ),
        },
        (Role::Interviewer, Target::Village { draw, village, .. }) => {
            if grants
                .villages
                .contains(&(draw.to_string(), village.to_string()))
            {
                Ok(())
            } else {
                refuse(
                    Rule::OutOfScope,
                    format!(
                        "village {village} of draw {draw} is not assigned to {}: an interviewer \
                         sees and changes only the households of the villages assigned to them",
                        account.name
                    ),
                )
            }
        }
        (Role::Interviewer, Target::County(county)) => refuse(
            Rule::OutOfScope,
            format!(
                "an interviewer sees and changes only the households of the villages assigned \
                 to them, not county {county} as a whole"
            ),
        ),
        (Role::Interviewer | Role::TeamLeader | Role::CrossAssessor, Target::All) => refuse(
            Rule::OutOfScope,
            format!(
                "{} sees only {}, not every county",
                role.words(),
                match role {
                    Role::Interviewer => "the villages assigned to them",
                    _ => "their team's counties",
                }
            ),
        ),
        // A census enumerator is an interviewer posted with a team: the counties of the team
        // are the counties whose returns they upload.
        (Role::TeamLeader | Role::CrossAssessor, Target::County(county))
        | (
            Role::Interviewer | Role::TeamLeader | Role::CrossAssessor,
            Target::CensusReturn(county),
        )
        | (Role::TeamLeader | Role::CrossAssessor, Target::Village { county, .. }) => {
            if role == Role::CrossAssessor {
                own_province(account, county)?;
            }
            if grants.counties.contains(county) {
                Ok(())
            } else {
                refuse(
                    Rule::OutOfScope,
                    format!(
                        "county {county} is not assigned to team {}: {} sees and changes only \
                         their team's counties",
                        account.team.as_deref().unwrap_or("(none)"),
                        role.words()
                    ),
                )
            }
        }
    }
}

/// A malformed target is refused before any rule (a server built it from a request).
fn check_target(target: Target<'_>) -> Result<(), Refusal> {
    let county = match target {
        Target::County(c) | Target::CensusReturn(c) => c,
        Target::Village {
            county, village, ..
        } => {
            if !village.starts_with(county) || village.len() <= county.len() {
                return refuse(
                    Rule::BadTarget,
                    format!("village {village:?} is not a village of county {county:?}"),
                );
            }
            county
        }
        Target::All | Target::Accounts => return Ok(()),
    };
    if is_county_code(county) {
        Ok(())
    } else {
        refuse(
            Rule::BadTarget,
            format!("{county:?} is not a county code (six digits, e.g. 530128)"),
        )
    }
}

/// A cross-assessor and a county of their own province: refused whatever the grants say.
fn own_province(account: &Account, county: &str) -> Result<(), Refusal> {
    let Some(province) = account.province.as_deref() else {
        return refuse(
            Rule::OwnProvince,
            format!(
                "{} is a provincial cross-assessor without a recorded province, so no county can \
                 be shown to be outside it; an administrator must record it",
                account.name
            ),
        );
    };
    if province_of(county) == Some(province) {
        return refuse(
            Rule::OwnProvince,
            format!(
                "county {county} is in province {province}, the own province of {}: a \
                 provincial cross-assessor never assesses, reads or changes a county of their \
                 own province, even one assigned to their team",
                account.name
            ),
        );
    }
    Ok(())
}

/// Whether `county` may be assigned to `account`'s team with the account in it: team leaders
/// and cross-assessors are assigned counties through their team, never a cross-assessor's own
/// province; interviewers are assigned villages, and coordinators and administrators nothing.
pub fn may_assign(account: &Account, county: &str) -> Result<(), Refusal> {
    check_target(Target::County(county))?;
    match account.role {
        Role::TeamLeader | Role::CrossAssessor if account.team.is_none() => refuse(
            Rule::OutOfScope,
            format!(
                "{} has no team, and counties are assigned to teams",
                account.name
            ),
        ),
        Role::TeamLeader => Ok(()),
        Role::CrossAssessor => own_province(account, county),
        Role::Interviewer => refuse(
            Rule::OutOfScope,
            format!(
                "{} is an interviewer, who is assigned villages, not counties",
                account.name
            ),
        ),
        Role::Coordinator | Role::Admin => refuse(
            Rule::OutOfScope,
            format!(
                "{} is {}, who sees every county and is assigned none",
                account.name,
                account.role.words()
            ),
        ),
    }
}

/// Whether a sampled village (of `county`) may be assigned to `account`: only to an
/// interviewer, and only in a county assigned to the interviewer's team (`team_counties`), so
/// that an interviewer never reaches beyond the team (nor, through it, into a cross-assessor's
/// own province).
pub fn may_assign_village(
    account: &Account,
    team_counties: &std::collections::BTreeSet<String>,
    county: &str,
    village: &str,
) -> Result<(), Refusal> {
    check_target(Target::Village {
        draw: "",
        county,
        village,
    })?;
    if account.role != Role::Interviewer {
        return refuse(
            Rule::OutOfScope,
            format!(
                "{} is {}; villages are assigned to interviewers only",
                account.name,
                account.role.words()
            ),
        );
    }
    if !team_counties.contains(county) {
        return refuse(
            Rule::OutOfScope,
            format!(
                "village {village} is in county {county}, which is not assigned to team {} of \
                 interviewer {}; assign the county to the team first",
                account.team.as_deref().unwrap_or("(none)"),
                account.name
            ),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use Access::{Read, Write};

    const DRAW: &str = "d1";
    /// Assigned to the team: a Yunnan county (53) and a Guizhou county (52).
    const YUNNAN: &str = "530128";
    const GUIZHOU: &str = "522327";
    /// Not assigned to anyone.
    const OTHER: &str = "450000";
    const V_ASSIGNED: &str = "530128101001";
    const V_OTHER: &str = "530128101002";

    fn account(role: Role) -> Account {
        let team = role.has_team().then_some("T");
        let province = (role == Role::CrossAssessor).then_some("53");
        Account::new("someone", role, team, province).unwrap()
    }

    fn grants(role: Role) -> Grants {
        let mut g = Grants::default();
        if role.has_team() {
            // A cross-assessor of Yunnan whose team was (wrongly) given a Yunnan county too.
            g.counties = BTreeSet::from([YUNNAN.to_string(), GUIZHOU.to_string()]);
        }
        if role == Role::Interviewer {
            g.villages
                .insert((DRAW.to_string(), V_ASSIGNED.to_string()));
        }
        g
    }

    fn village(county: &'static str, village: &'static str) -> Target<'static> {
        Target::Village {
            draw: DRAW,
            county,
            village,
        }
    }

    /// The table of docs/server.md, "Roles and scopes": role × access × target → allowed, or
    /// the rule that refuses.
    #[test]
    fn the_table_of_roles_and_scopes() {
        use Role::*;
        let ok = None;
        let out = Some(Rule::OutOfScope);
        let own = Some(Rule::OwnProvince);
        let ro = Some(Rule::ReadOnly);
        let guizhou_village = village(GUIZHOU, "522327100200");
        #[rustfmt::skip]
        let table: Vec<(Role, Access, Target, Option<Rule>)> = vec![
            // Interviewer: their villages only.
            (Interviewer, Read, village(YUNNAN, V_ASSIGNED), ok),
            (Interviewer, Write, village(YUNNAN, V_ASSIGNED), ok),
            (Interviewer, Read, village(YUNNAN, V_OTHER), out),
            (Interviewer, Write, village(YUNNAN, V_OTHER), out),
            (Interviewer, Read, Target::County(YUNNAN), out),
            (Interviewer, Write, Target::County(YUNNAN), out),
            (Interviewer, Read, Target::All, out),
            // Interviewer as census enumerator: returns of their team's counties.
            (Interviewer, Write, Target::CensusReturn(YUNNAN), ok),
            (Interviewer, Write, Target::CensusReturn(OTHER), out),
            (TeamLeader, Write, Target::CensusReturn(GUIZHOU), ok),
            (TeamLeader, Write, Target::CensusReturn(OTHER), out),
            (CrossAssessor, Write, Target::CensusReturn(YUNNAN), own),
            (Coordinator, Write, Target::CensusReturn(OTHER), ro),
            (Admin, Write, Target::CensusReturn(OTHER), ok),
            (Interviewer, Read, Target::Accounts, out),
            (Interviewer, Write, Target::Accounts, out),
            // Team leader: their team's counties and their villages.
            (TeamLeader, Read, Target::County(YUNNAN), ok),
            (TeamLeader, Write, Target::County(GUIZHOU), ok),
            (TeamLeader, Write, village(YUNNAN, V_OTHER), ok),
            (TeamLeader, Read, Target::County(OTHER), out),
            (TeamLeader, Write, village(OTHER, "450000100100"), out),
            (TeamLeader, Read, Target::All, out),
            (TeamLeader, Read, Target::Accounts, out),
            // Cross-assessor of 53: the team's counties but never one of 53, granted or not.
            (CrossAssessor, Read, Target::County(GUIZHOU), ok),
            (CrossAssessor, Write, Target::County(GUIZHOU), ok),
            (CrossAssessor, Write, guizhou_village, ok),
            (CrossAssessor, Read, Target::County(YUNNAN), own),
            (CrossAssessor, Write, Target::County(YUNNAN), own),
            (CrossAssessor, Read, village(YUNNAN, V_ASSIGNED), own),
            (CrossAssessor, Write, village(YUNNAN, V_OTHER), own),
            (CrossAssessor, Read, Target::County(OTHER), out),
            (CrossAssessor, Read, Target::All, out),
            (CrossAssessor, Write, Target::Accounts, out),
            // Coordinator: reads everything, writes nothing, no accounts.
            (Coordinator, Read, Target::All, ok),
            (Coordinator, Read, Target::County(OTHER), ok),
            (Coordinator, Read, village(YUNNAN, V_OTHER), ok),
            (Coordinator, Write, Target::County(OTHER), ro),
            (Coordinator, Write, village(YUNNAN, V_OTHER), ro),
            (Coordinator, Write, Target::All, ro),
            (Coordinator, Read, Target::Accounts, out),
            // Admin: everything.
            (Admin, Read, Target::All, ok),
            (Admin, Write, Target::All, ok),
            (Admin, Write, Target::County(OTHER), ok),
            (Admin, Write, village(YUNNAN, V_OTHER), ok),
            (Admin, Read, Target::Accounts, ok),
            (Admin, Write, Target::Accounts, ok),
        ];
        // A new role must be added to the table (and to docs/server.md).
        let covered: BTreeSet<Role> = table.iter().map(|row| row.0).collect();
        assert_eq!(covered, BTreeSet::from(Role::ALL));
        for (role, access, target, expected) in table {
            let got = decide(&account(role), &grants(role), access, target);
            assert_eq!(
                got.as_ref().err().map(|r| r.rule),
                expected,
                "{role} {access:?} {target:?}: {got:?}"
            );
        }
    }

    #[test]
    fn refusals_say_why_in_words() {
        let cross = account(Role::CrossAssessor);
        let r = decide(
            &cross,
            &grants(Role::CrossAssessor),
            Read,
            Target::County(YUNNAN),
        )
        .unwrap_err();
        assert_eq!(
            r.reason,
            "county 530128 is in province 53, the own province of someone: a provincial \
             cross-assessor never assesses, reads or changes a county of their own province, \
             even one assigned to their team"
        );
        let interviewer = account(Role::Interviewer);
        let r = decide(
            &interviewer,
            &grants(Role::Interviewer),
            Write,
            village(YUNNAN, V_OTHER),
        )
        .unwrap_err();
        assert_eq!(
            r.to_string(),
            "village 530128101002 of draw d1 is not assigned to someone: an interviewer sees and \
             changes only the households of the villages assigned to them"
        );
        let r = decide(
            &account(Role::Coordinator),
            &Grants::default(),
            Write,
            Target::County(YUNNAN),
        )
        .unwrap_err();
        assert!(r.reason.contains("changes nothing"), "{}", r.reason);
    }

    #[test]
    fn malformed_targets_are_refused_for_everyone() {
        for role in Role::ALL {
            let a = account(role);
            let g = grants(role);
            for target in [
                Target::County("53012"),
                Target::County("5301280"),
                // A granted village claimed to be in a granted county it is not in.
                village(GUIZHOU, V_ASSIGNED),
                village(YUNNAN, YUNNAN),
            ] {
                let r = decide(&a, &g, Read, target).unwrap_err();
                assert_eq!(r.rule, Rule::BadTarget, "{role} {target:?}");
            }
        }
    }

    #[test]
    fn a_cross_assessor_without_a_province_is_refused_every_county() {
        let mut a = account(Role::CrossAssessor);
        a.province = None;
        let r = decide(
            &a,
            &grants(Role::CrossAssessor),
            Read,
            Target::County(GUIZHOU),
        )
        .unwrap_err();
        assert_eq!(r.rule, Rule::OwnProvince);
    }

    #[test]
    fn what_may_be_assigned() {
        use Role::*;
        let ok = None;
        let out = Some(Rule::OutOfScope);
        let table = [
            (TeamLeader, YUNNAN, ok),
            (CrossAssessor, GUIZHOU, ok),
            (CrossAssessor, YUNNAN, Some(Rule::OwnProvince)),
            (CrossAssessor, "53012", Some(Rule::BadTarget)),
            (Interviewer, GUIZHOU, out),
            (Coordinator, GUIZHOU, out),
            (Admin, GUIZHOU, out),
        ];
        for (role, county, expected) in table {
            let got = may_assign(&account(role), county);
            assert_eq!(got.err().map(|r| r.rule), expected, "{role} {county}");
        }
        let team = BTreeSet::from([GUIZHOU.to_string()]);
        let interviewer = account(Interviewer);
        assert_eq!(
            may_assign_village(&interviewer, &team, GUIZHOU, "522327100200"),
            Ok(())
        );
        // Not a county of the interviewer's team.
        let r = may_assign_village(&interviewer, &team, YUNNAN, V_ASSIGNED).unwrap_err();
        assert_eq!(r.rule, Rule::OutOfScope);
        assert!(
            r.reason.contains("assign the county to the team first"),
            "{}",
            r.reason
        );
        // Not an interviewer.
        for role in [TeamLeader, CrossAssessor, Coordinator, Admin] {
            let r = may_assign_village(&account(role), &team, GUIZHOU, "522327100200");
            assert_eq!(r.unwrap_err().rule, Rule::OutOfScope, "{role}");
        }
        // Not a village of that county.
        let r = may_assign_village(&interviewer, &team, GUIZHOU, V_ASSIGNED).unwrap_err();
        assert_eq!(r.rule, Rule::BadTarget);
    }
}
