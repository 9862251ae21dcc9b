//! Temporary stand-in for the roles and scopes crate (being written on the `access` branch).
#![allow(missing_docs)]
use std::collections::BTreeSet;
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role { Interviewer, TeamLeader, CrossAssessor, Coordinator, Admin }
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Account { pub name: String, pub role: Role, pub team: Option<String>, pub province: Option<String> }
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Grants { pub counties: BTreeSet<String>, pub villages: BTreeSet<(String, String)> }
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access { Read, Write }
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> { All, County(&'a str), Village { draw: &'a str, county: &'a str, village: &'a str }, Accounts }
#[derive(Debug, Clone, thiserror::Error)]
#[error("{reason}")]
pub struct Refusal { pub reason: String }
pub fn decide(account: &Account, grants: &Grants, access: Access, target: Target) -> Result<(), Refusal> {
    let no = |r: &str| Err(Refusal { reason: r.to_string() });
    match (account.role, target) {
        (Role::Admin, _) => Ok(()),
        (Role::Coordinator, Target::Accounts) => no("accounts"),
        (Role::Coordinator, _) if access == Access::Read => Ok(()),
        (Role::Coordinator, _) => no("coordinator reads only"),
        (Role::Interviewer, Target::Village { draw, village, .. }) if grants.villages.contains(&(draw.to_string(), village.to_string())) => Ok(()),
        (Role::Interviewer, _) => no("interviewer: not your village"),
        (Role::TeamLeader | Role::CrossAssessor, Target::County(c) | Target::Village { county: c, .. }) => {
            if account.role == Role::CrossAssessor && account.province.as_deref() == c.get(..2) { return no("own province"); }
            if grants.counties.contains(c) { Ok(()) } else { no("not your team's county") }
        }
        _ => no("not allowed"),
    }
}
