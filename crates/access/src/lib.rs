//! Who may read or write what. An [`Account`] has a [`Role`] (interviewer, team leader,
//! provincial cross-assessor, national coordinator, administrator), a team and, for a
//! cross-assessor, a province; its [`Grants`] are the counties assigned to its team and the
//! villages assigned to it. [`decide`] says whether the account may [`Access`] a [`Target`]
//! (every county, one county, one village's households, or the accounts themselves), and when
//! not, a [`Refusal`] says why in words the person refused understands. [`may_assign`] and
//! [`may_assign_village`] say whether a county or a village may be assigned at all (a
//! cross-assessor's team never gets a county of its own province).
//!
//! The rules are in `docs/server.md`, section "Roles and scopes", as a table; the unit tests
//! below run that table.
//!
//! Not for: storing accounts or tokens (`assess-store`), making or checking tokens
//! (`assess-app`), HTTP (the server crate). **No I/O**: the store hands in the account and its
//! grants, this crate decides.
#![deny(missing_docs)]

mod account;
mod decide;

pub use account::{good_name, Account, AccountError, Role, UnknownRole, MAX_NAME};
pub use decide::{decide, may_assign, may_assign_village, Access, Refusal, Rule, Target};

use std::collections::BTreeSet;

/// What has been assigned to an account, as the store reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Grants {
    /// Six-digit codes of the counties assigned to the account's team.
    pub counties: BTreeSet<String>,
    /// `(draw_id, village_code)` of the villages assigned to the account (an interviewer's).
    pub villages: BTreeSet<(String, String)>,
}

/// Whether `s` is a county code: six ASCII digits.
pub fn is_county_code(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `s` is a province code: two ASCII digits (the first two of its counties' codes).
pub fn is_province_code(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The province of a county or village code: its first two digits.
pub fn province_of(code: &str) -> Option<&str> {
    code.get(..2).filter(|p| is_province_code(p))
}
