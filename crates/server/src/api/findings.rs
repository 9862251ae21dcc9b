//! Findings: listed with their state, history and outcome, and the review and appeal steps
//! taken on them, through the same state machine as `assess finding`.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::ServerState;
use assess_access::{Access, Target};
use assess_inspection::{Evidence, Step, StepRequest};
use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

/// The findings of a draw that the caller may read, with their state, steps and outcome.
#[utoipa::path(get, path = "/api/v1/draws/{draw}/findings", tag = "findings",
    security(("token" = [])),
    params(("draw" = String, Path, description = "draw id")),
    responses((status = 200, description = "findings", body = Vec<Object>),
        (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<Arc<ServerState>>,
    caller: Caller,
    Path(draw): Path<String>,
) -> Result<Json<Vec<assess_app::findings::Finding>>, ApiError> {
    let findings =
        assess_app::findings::list(&state.store, &draw, &state.standards, Default::default())
            .await?;
    let ids: Vec<&str> = findings
        .iter()
        .map(|f| f.status.household_id.as_str())
        .collect();
    let places = state.store.household_places(&draw, &ids).await?;
    let visible = findings
        .into_iter()
        .filter(|f| {
            places
                .get(&f.status.household_id)
                .is_some_and(|(county, village)| {
                    caller.covers(
                        Access::Read,
                        Target::Village {
                            draw: &draw,
                            county,
                            village,
                        },
                    )
                })
        })
        .collect();
    Ok(Json(visible))
}

/// A review or appeal step.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct StepBody {
    /// review_upheld, review_corrected, sent_back, contested, appeal_upheld or
    /// appeal_overturned.
    pub step: String,
    /// When, RFC 3339 with its offset (kept as given).
    pub acted_at: String,
    /// Why.
    pub reason: String,
    /// Evidence already stored (photos or evidence files), by SHA-256.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// The corrected record, for review_corrected and appeal_overturned.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub record: Option<serde_json::Value>,
}

/// Takes a step on a household's finding; the actor is the caller's account.
#[utoipa::path(post, path = "/api/v1/draws/{draw}/households/{household}/steps", tag = "findings",
    security(("token" = [])),
    params(("draw" = String, Path, description = "draw id"),
        ("household" = String, Path, description = "household id")),
    request_body = StepBody,
    responses((status = 200, description = "the finding's state after the step", body = Object),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn step(
    State(state): State<Arc<ServerState>>,
    caller: Caller,
    Path((draw, household)): Path<(String, String)>,
    Json(body): Json<StepBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (county, _) =
        super::household_in_scope(&state, &caller, Access::Read, &draw, &household).await?;
    caller.may(Access::Write, Target::County(&county))?;
    let step = Step::from_code(&body.step).ok_or_else(|| {
        ApiError::bad_request(format!(
            "step {:?} is not one of review_upheld, review_corrected, sent_back, contested, \
             appeal_upheld, appeal_overturned",
            body.step
        ))
        .field("step")
    })?;
    let record = match body.record {
        Some(value) => {
            let text = value.to_string();
            let mut parsed = assess_inspection::parse_visits("step record", &text)
                .map_err(|p| ApiError::unprocessable(p.to_string()).field("record"))?;
            if parsed.len() != 1 {
                return Err(
                    ApiError::unprocessable("record must be one JSON object").field("record")
                );
            }
            Some(parsed.remove(0).visit)
        }
        None => None,
    };
    let request = StepRequest {
        draw_id: draw,
        household_id: household,
        step,
        actor: caller.account.name.clone(),
        acted_at: body.acted_at,
        reason: body.reason,
        evidence: body.evidence.into_iter().map(Evidence::Stored).collect(),
        record,
        record_source: format!("step by {}", caller.account.name),
    };
    let recorded = assess_app::findings::take_step(&caller.writer(&state), &request)
        .await
        .map_err(|e| match e {
            assess_app::AppError::Store(_) => ApiError::from(e),
            other => ApiError::unprocessable(crate::error::full_chain(&other)),
        })?;
    Ok(Json(serde_json::json!({
        "draw_id": request.draw_id,
        "household_id": request.household_id,
        "state": recorded.state.code(),
    })))
}
