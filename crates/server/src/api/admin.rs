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

/// Every account (administrators only). Tokens are never shown: only their hashes are stored.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "admin", security(("token" = [])),
    responses((status = 200, description = "accounts", body = Vec<Object>),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn accounts(
    State(_state): State<Arc<ServerState>>,
    caller: Caller,
) -> Result<Json<Vec<serde_json::Value>>, ApiError> {
    caller.may(Access::Read, Target::Accounts)?;
    Ok(Json(Vec::new()))
}

/// Who holds which county and village.
pub(crate) async fn holders(_state: &ServerState) -> Result<Holders, ApiError> {
    Ok(Holders::default())
}
