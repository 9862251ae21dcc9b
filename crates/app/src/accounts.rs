//! Accounts, API tokens and assignments (docs/server.md, "Accounts, tokens, roles"): add an
//! account with its first token, add a token, revoke an account, list them; authenticate a
//! token to its account and what is assigned to it; load assignments from the CSV that
//! `assess assign` writes (counties to teams) and from a village split (villages to
//! interviewers).
//!
//! A token is [`TOKEN_PREFIX`] followed by 32 random bytes from the operating system in hex. It
//! is returned once, when made; the store keeps only its SHA-256 ([`token_sha256`]).

mod assignments;

pub use assignments::{
    assign_counties_from_csv, assign_villages_from_csv, list_assignments, load_assignments,
    AssignmentFile,
};

use crate::error::AppError;
use assess_access::{may_assign, Account, Grants, Role};
use assess_store::accounts::{AccountRow, Revocation};
use assess_store::Store;
use rand::TryRng;
use sha2::{Digest, Sha256};

/// What every token begins with, so that a token pasted in the wrong place is recognisable
/// (and findable by secret scanners).
pub const TOKEN_PREFIX: &str = "assess_";

/// Random bytes in a token.
pub const TOKEN_BYTES: usize = 32;

/// A new token: [`TOKEN_PREFIX`] and [`TOKEN_BYTES`] bytes from the operating system's random
/// source, in hex.
pub fn new_token() -> Result<String, AppError> {
    let mut bytes = [0u8; TOKEN_BYTES];
    rand::rngs::SysRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| AppError::Entropy(e.to_string()))?;
    Ok(format!("{TOKEN_PREFIX}{}", hex::encode(bytes)))
}

/// The SHA-256 (hex) of a token's whole text: what the store keeps instead of the token.
pub fn token_sha256(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether `token` has the form of one (prefix and 64 hex digits): anything else is refused
/// without asking the database.
fn well_formed(token: &str) -> bool {
    token
        .strip_prefix(TOKEN_PREFIX)
        .is_some_and(|h| h.len() == 2 * TOKEN_BYTES && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// An account just made, with its token (shown once, stored nowhere).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The account.
    pub account: Account,
    /// Its new token.
    pub token: String,
}

/// Adds an account with a first token. Refused: a name already used (even by a revoked
/// account), a team missing for a role that has one or given to one that has none, a
/// province missing for a cross-assessor or not two digits, and a cross-assessor joining a team
/// already assigned a county of their own province.
pub async fn add_user(
    store: &Store,
    name: &str,
    role: Role,
    team: Option<&str>,
    province: Option<&str>,
) -> Result<Issued, AppError> {
    let account = Account::new(name, role, team, province)?;
    if let (Role::CrossAssessor, Some(team)) = (role, &account.team) {
        for county in store.team_counties(team).await? {
            may_assign(&account, &county).map_err(|source| AppError::JoinRefused {
                name: name.to_string(),
                team: team.clone(),
                county: county.clone(),
                source,
            })?;
        }
    }
    let token = new_token()?;
    store.add_account(&account, &token_sha256(&token)).await?;
    Ok(Issued { account, token })
}

/// A new token for an active account (its other tokens keep working).
pub async fn add_token(store: &Store, name: &str) -> Result<String, AppError> {
    let token = new_token()?;
    store.add_token(name, &token_sha256(&token)).await?;
    Ok(token)
}

/// Revokes an account and all its tokens; its name is never given again.
pub async fn revoke_user(store: &Store, name: &str) -> Result<Revocation, AppError> {
    Ok(store.revoke_account(name).await?)
}

/// Every account, revoked ones included, by name.
pub async fn list_users(store: &Store) -> Result<Vec<AccountRow>, AppError> {
    Ok(store.accounts().await?)
}

/// The active account a token opens, and what is assigned to it. A malformed, unknown or
/// revoked token, or one of a revoked account, is [`AppError::BadToken`] (which of these is
/// not said).
pub async fn authenticate(store: &Store, token: &str) -> Result<(Account, Grants), AppError> {
    if !well_formed(token) {
        return Err(AppError::BadToken);
    }
    let account = store
        .account_by_token_hash(&token_sha256(token))
        .await?
        .ok_or(AppError::BadToken)?;
    let grants = store.grants(&account).await?;
    Ok((account, grants))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_prefixed_hex_and_hashed_whole() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_ne!(a, b);
        assert!(well_formed(&a), "{a}");
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 64);
        // The hash is of the whole text, prefix included (known answer: sha256("assess_")).
        assert_eq!(
            token_sha256("assess_"),
            "4fe34dc527b27eca588bb11ed327ccd0bd4a95a0909e4842a8d10b042e403acd"
        );
        assert!(!well_formed("assess_xyz"));
        assert!(!well_formed(&a[TOKEN_PREFIX.len()..]));
        assert!(!well_formed(&format!("{a}0")));
    }
}
