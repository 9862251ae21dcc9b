//! An account: its name, role, team and (for a cross-assessor) province, checked when made.

use crate::is_province_code;

/// What an account may do ([`crate::decide`] has the rules).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[cfg_attr(feature = "clap", value(rename_all = "snake_case"))]
pub enum Role {
    /// Reads and writes the households of the villages assigned to them.
    Interviewer,
    /// Reads and writes their team's counties.
    #[cfg_attr(feature = "clap", value(alias = "team-leader"))]
    TeamLeader,
    /// A provincial cross-assessor: like a team leader, but never a county of their own
    /// province.
    #[cfg_attr(feature = "clap", value(alias = "cross-assessor"))]
    CrossAssessor,
    /// A national coordinator: reads every county, writes nothing.
    Coordinator,
    /// Everything, including accounts and assignments.
    Admin,
}

impl Role {
    /// Every role, in the order above.
    pub const ALL: [Role; 5] = [
        Role::Interviewer,
        Role::TeamLeader,
        Role::CrossAssessor,
        Role::Coordinator,
        Role::Admin,
    ];

    /// The role's name as stored and typed: `interviewer`, `team_leader`, `cross_assessor`,
    /// `coordinator`, `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Interviewer => "interviewer",
            Role::TeamLeader => "team_leader",
            Role::CrossAssessor => "cross_assessor",
            Role::Coordinator => "coordinator",
            Role::Admin => "admin",
        }
    }

    /// The role in words ("a team leader").
    pub fn words(self) -> &'static str {
        match self {
            Role::Interviewer => "an interviewer",
            Role::TeamLeader => "a team leader",
            Role::CrossAssessor => "a provincial cross-assessor",
            Role::Coordinator => "a national coordinator",
            Role::Admin => "an administrator",
        }
    }

    /// Whether accounts of this role belong to a team (interviewers, team leaders,
    /// cross-assessors); coordinators and administrators do not.
    pub fn has_team(self) -> bool {
        matches!(
            self,
            Role::Interviewer | Role::TeamLeader | Role::CrossAssessor
        )
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is none of the five.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a role: interviewer, team_leader, cross_assessor, coordinator or admin")]
pub struct UnknownRole(pub String);

impl std::str::FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Role, UnknownRole> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s || r.as_str().replace('_', "-") == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

/// Someone who signs in: what the store keeps of an account that is not revoked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Account {
    /// The account's name, unique for ever (a revoked name is not given again).
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Its team (interviewers, team leaders and cross-assessors have one).
    pub team: Option<String>,
    /// A cross-assessor's own province (two digits), whose counties it never assesses.
    pub province: Option<String>,
}

/// Why an account cannot be made as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// The name is empty, too long, or has characters that cannot be told apart or listed.
    #[error(
        "account name {0:?}: give 1 to {MAX_NAME} characters, without ';', control characters \
         or spaces at either end"
    )]
    BadName(String),
    /// The team name is empty, too long, or has such characters.
    #[error(
        "team name {0:?}: give 1 to {MAX_NAME} characters, without ';', control characters or \
         spaces at either end"
    )]
    BadTeam(String),
    /// A role that belongs to a team was given none.
    #[error("{name}: {} belongs to a team; give the team", role.words())]
    TeamMissing {
        /// The account.
        name: String,
        /// Its role.
        role: Role,
    },
    /// A coordinator or administrator was given a team.
    #[error(
        "{name}: {} has no team (they see every county); leave the team out",
        role.words()
    )]
    TeamNotTaken {
        /// The account.
        name: String,
        /// Its role.
        role: Role,
    },
    /// A cross-assessor was given no province.
    #[error(
        "{0}: a provincial cross-assessor needs their own province (two digits, e.g. 53), \
         whose counties they may never assess"
    )]
    ProvinceMissing(String),
    /// A province given to a role other than cross-assessor.
    #[error(
        "{name}: a province is recorded only for provincial cross-assessors (whose own \
         province is out of bounds), not for {}; leave it out",
        role.words()
    )]
    ProvinceNotTaken {
        /// The account.
        name: String,
        /// Its role.
        role: Role,
    },
    /// The province is not two digits.
    #[error("{0:?} is not a province code: give two digits, e.g. 53")]
    BadProvince(String),
}

/// The longest account or team name, in characters.
pub const MAX_NAME: usize = 64;

/// Whether `s` may name an account or a team: it is listed in CSV files and separated by ';'
/// in a village split, so neither ';' nor control characters nor outer spaces, and at most
/// [`MAX_NAME`] characters.
pub fn good_name(s: &str) -> bool {
    let n = s.chars().count();
    (1..=MAX_NAME).contains(&n) && s.trim() == s && !s.chars().any(|c| c == ';' || c.is_control())
}

impl Account {
    /// An account, checked: a name (and team) that can be listed and told apart; a team for
    /// interviewers, team leaders and cross-assessors and none for coordinators and
    /// administrators; a two-digit province for a cross-assessor and for no one else.
    pub fn new(
        name: &str,
        role: Role,
        team: Option<&str>,
        province: Option<&str>,
    ) -> Result<Account, AccountError> {
        if !good_name(name) {
            return Err(AccountError::BadName(name.to_string()));
        }
        let named = || name.to_string();
        match (role.has_team(), team) {
            (true, None) => {
                return Err(AccountError::TeamMissing {
                    name: named(),
                    role,
                })
            }
            (false, Some(_)) => {
                return Err(AccountError::TeamNotTaken {
                    name: named(),
                    role,
                })
            }
            (true, Some(t)) if !good_name(t) => return Err(AccountError::BadTeam(t.to_string())),
            _ => {}
        }
        match (role, province) {
            (Role::CrossAssessor, None) => return Err(AccountError::ProvinceMissing(named())),
            (_, Some(p)) if !is_province_code(p) => {
                return Err(AccountError::BadProvince(p.to_string()))
            }
            (Role::CrossAssessor, Some(_)) | (_, None) => {}
            (_, Some(_)) => {
                return Err(AccountError::ProvinceNotTaken {
                    name: named(),
                    role,
                })
            }
        }
        Ok(Account {
            name: name.to_string(),
            role,
            team: team.map(str::to_string),
            province: province.map(str::to_string),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names_and_serde() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(role.to_string(), role.as_str());
            assert_eq!(
                serde_json::to_string(&role).unwrap(),
                format!("\"{}\"", role.as_str())
            );
        }
        assert_eq!("team-leader".parse::<Role>(), Ok(Role::TeamLeader));
        let e = "chief".parse::<Role>().unwrap_err().to_string();
        assert!(e.contains("\"chief\" is not a role"), "{e}");
    }

    #[test]
    fn an_account_is_checked_when_made() {
        use AccountError::*;
        let ok = Account::new("李伟", Role::Interviewer, Some("YN-1"), None).unwrap();
        assert_eq!(ok.team.as_deref(), Some("YN-1"));
        assert!(Account::new("x", Role::CrossAssessor, Some("T"), Some("53")).is_ok());
        assert!(Account::new("x", Role::Coordinator, None, None).is_ok());
        type Case<'a> = (
            &'a str,
            Role,
            Option<&'a str>,
            Option<&'a str>,
            AccountError,
        );
        let cases: [Case; 9] = [
            ("", Role::Admin, None, None, BadName("".into())),
            (" a", Role::Admin, None, None, BadName(" a".into())),
            ("a;b", Role::Admin, None, None, BadName("a;b".into())),
            (
                "a",
                Role::Interviewer,
                None,
                None,
                TeamMissing {
                    name: "a".into(),
                    role: Role::Interviewer,
                },
            ),
            (
                "a",
                Role::Coordinator,
                Some("T"),
                None,
                TeamNotTaken {
                    name: "a".into(),
                    role: Role::Coordinator,
                },
            ),
            (
                "a",
                Role::TeamLeader,
                Some("T\n"),
                None,
                BadTeam("T\n".into()),
            ),
            (
                "a",
                Role::CrossAssessor,
                Some("T"),
                None,
                ProvinceMissing("a".into()),
            ),
            (
                "a",
                Role::CrossAssessor,
                Some("T"),
                Some("5"),
                BadProvince("5".into()),
            ),
            (
                "a",
                Role::TeamLeader,
                Some("T"),
                Some("53"),
                ProvinceNotTaken {
                    name: "a".into(),
                    role: Role::TeamLeader,
                },
            ),
        ];
        for (name, role, team, province, expected) in cases {
            assert_eq!(
                Account::new(name, role, team, province),
                Err(expected),
                "{name:?} {role} {team:?} {province:?}"
            );
        }
        let long = "名".repeat(MAX_NAME + 1);
        assert!(Account::new(&long, Role::Admin, None, None).is_err());
        assert!(Account::new(&long[..MAX_NAME * 3], Role::Admin, None, None).is_ok());
    }
}
