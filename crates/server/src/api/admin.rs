//! Accounts and assignments, for administrators; and who holds which county and village, for
//! adding up progress.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::ServerState;
use assess_access::{Access, Target};
use assess_app::uploads::Holders;
use axum::extract::State;
use axum::Json;
use std::sync::Arc;

/// Every account with its role, team and province (administrators only). Tokens are never
/// shown: only their hashes are stored.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "admin", security(("token" = [])),
    responses((status = 200, description = "accounts", body = Vec<Object>),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn accounts(
    State(state): State<Arc<ServerState>>,
    caller: Caller,
) -> Result<Json<Vec<assess_store::accounts::AccountRow>>, ApiError> {
    caller.may(Access::Read, Target::Accounts)?;
    Ok(Json(assess_app::accounts::list_users(&state.store).await?))
}

/// Who holds which county and village.
pub(crate) async fn holders(state: &ServerState) -> Result<Holders, ApiError> {
    let assigned = state.store.assignments().await?;
    let mut holders = Holders::default();
    for c in assigned.counties {
        holders
            .county_teams
            .entry(c.county_code)
            .or_default()
            .push(c.team);
    }
    for v in assigned.villages {
        holders
            .village_interviewers
            .entry((v.draw_id, v.village_code))
            .or_default()
            .push(v.account);
    }
    Ok(holders)
}
