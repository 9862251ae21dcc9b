//! Field progress by village, county, team and interviewer, and a county's verdict computed on
//! demand by the same use case as `assess verdict` (never a stored copy).

use crate::auth::Caller;
use crate::error::ApiError;
use crate::ServerState;
use assess_access::{Access, Target};
use assess_app::uploads::ProgressReport;
use assess_app::verdict::{AppealStages, VerdictRequest};
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use std::sync::Arc;

/// Which progress to show.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ProgressQuery {
    /// Only this draw.
    pub draw: Option<String>,
    /// Only this county.
    pub county: Option<String>,
}

/// Progress of what the caller may read: sampled primaries and reserves, households with a
/// record, complete interviews, households with photos and open conflicts, by village, county,
/// team and interviewer.
#[utoipa::path(get, path = "/api/v1/progress", tag = "progress", security(("token" = [])),
    params(ProgressQuery),
    responses((status = 200, description = "progress by village, county, team and interviewer",
        body = Object), (status = 401, body = crate::error::ErrorBody)))]
pub async fn progress(
    State(state): State<Arc<ServerState>>,
    caller: Caller,
    Query(query): Query<ProgressQuery>,
) -> Result<Json<ProgressReport>, ApiError> {
    let rows: Vec<_> = state
        .store
        .progress(query.draw.as_deref())
        .await?
        .into_iter()
        .filter(|r| query.county.as_ref().is_none_or(|c| *c == r.county_code))
        .filter(|r| {
            caller.covers(
                Access::Read,
                Target::Village {
                    draw: &r.draw_id,
                    county: &r.county_code,
                    village: &r.village_code,
                },
            )
        })
        .collect();
    let holders = crate::api::admin::holders(&state).await?;
    Ok(Json(assess_app::uploads::progress_report(rows, &holders)))
}

/// Which verdict to compute.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct VerdictQuery {
    /// The draw, when the county is in several.
    pub draw: Option<String>,
    /// `after` (default) or `before` the appeals, or `both`.
    pub appeals: Option<String>,
}

/// A county's verdict now, from the records stored so far (verdict.json's content).
#[utoipa::path(get, path = "/api/v1/counties/{county}/verdict", tag = "progress",
    security(("token" = [])),
    params(("county" = String, Path, description = "six-digit county code"), VerdictQuery),
    responses((status = 200, description = "verdict.json", body = Object),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn verdict(
    State(state): State<Arc<ServerState>>,
    caller: Caller,
    Path(county): Path<String>,
    Query(query): Query<VerdictQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    if county.len() != 6 || !county.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad_request("a county code is six digits").field("county"));
    }
    caller.may(Access::Read, Target::County(&county))?;
    let appeals = match query.appeals.as_deref() {
        None | Some("after") => AppealStages::After,
        Some("before") => AppealStages::Before,
        Some("both") => AppealStages::Both,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "appeals={other:?}: give after, before or both"
            ))
            .field("appeals"))
        }
    };
    let request = VerdictRequest {
        counties: vec![county],
        draw: query.draw,
        appeals,
        settings: Default::default(),
        region: None,
        register: None,
        standards: &state.standards,
    };
    let mut results = assess_app::verdict::county_verdicts(&state.store, &request).await?;
    let result = results
        .pop()
        .ok_or_else(|| ApiError::internal(&std::io::Error::other("no verdict for one county")))?;
    Ok(Json(
        serde_json::to_value(&result.file).map_err(|e| ApiError::internal(&e))?,
    ))
}
