//! Who is calling: the account behind the bearer token, with its assignments, and the one
//! place every handler asks whether the caller may read or write what it names
//! ([`Caller::may`]). The rules themselves are `assess-access`'s.

use crate::error::ApiError;
use crate::ServerState;
use assess_access::{Access, Account, Grants, Target};
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use std::sync::Arc;

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The account.
    pub account: Account,
    /// Its counties and villages.
    pub grants: Grants,
}

impl Caller {
    /// Refuses, with the rule's reason, what the caller's role and assignments do not cover.
    pub fn may(&self, access: Access, target: Target<'_>) -> Result<(), ApiError> {
        assess_access::decide(&self.account, &self.grants, access, target)
            .map_err(|refusal| ApiError::out_of_scope(refusal.to_string()))
    }

    /// The store writing as this caller: every audit entry of a write names the account.
    pub fn writer(&self, state: &ServerState) -> assess_store::Store {
        state
            .store
            .as_actor(&format!("account:{}", self.account.name))
    }

    /// Whether the caller may read or write the target (for filtering lists).
    pub fn covers(&self, access: Access, target: Target<'_>) -> bool {
        self.may(access, target).is_ok()
    }
}

/// Where the caller's account name is left for the request's log line.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallerSlot(pub Arc<std::sync::OnceLock<String>>);

impl FromRequestParts<Arc<ServerState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<ServerState>,
    ) -> Result<Caller, ApiError> {
        let value = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| {
            ApiError::unauthenticated(
                "no token: send `Authorization: Bearer <token>` (an administrator makes \
                     tokens with `assess user add`)",
            )
        })?;
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::unauthenticated("the Authorization header must be `Bearer <token>`")
            })?;
        let (account, grants) = match assess_app::accounts::authenticate(&state.store, token).await
        {
            Ok(found) => found,
            Err(assess_app::AppError::BadToken) => {
                return Err(ApiError::unauthenticated(
                    "the token is unknown or revoked; ask an administrator for a new one",
                ))
            }
            Err(e) => return Err(e.into()),
        };
        state.limit(&account.name)?;
        if let Some(slot) = parts.extensions.get::<CallerSlot>() {
            let _ = slot.0.set(account.name.clone());
        }
        Ok(Caller { account, grants })
    }
}
