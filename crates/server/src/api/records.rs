//! Inspection records: uploaded in batches (each record answered on its own: accepted,
//! unchanged, conflict or refused), read back by village, and the conflicts kept.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::ServerState;
use assess_access::{Access, Target};
use assess_app::uploads::UploadItem;
use assess_store::{UploadAnswer, UploadOutcome};
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use utoipa::ToSchema;

/// One record of a batch.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct UploadRecord {
    /// The client's id for this household's record (a UUID, say), kept across its edits:
    /// a retry with the same id and content is answered `unchanged`.
    pub record_id: String,
    /// The content hash of the stored version the edit started from (from an earlier answer
    /// or a download); absent for a household never uploaded.
    #[serde(default)]
    pub base_sha256: Option<String>,
    /// The visit record (docs/records.md).
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
}

/// A batch of records.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct UploadBatch {
    /// The records, at most the server's batch limit (1,000 by default).
    pub records: Vec<UploadRecord>,
}

/// The answer for one record.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct RecordAnswer {
    /// The client's record id.
    pub record_id: String,
    /// The household.
    pub household_id: String,
    /// The record's content hash (empty when it could not be read).
    pub content_sha256: String,
    /// `accepted`, `unchanged`, `conflict` or `refused`.
    pub status: String,
    /// The version stored (accepted) or found (unchanged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// Conflicts this version resolved (accepted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_conflicts: Option<usize>,
    /// The current version (conflict).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// The current version's content hash (conflict): edit it and upload with this base.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_sha256: Option<String>,
    /// The field concerned (refused).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Why (refused).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl From<UploadAnswer> for RecordAnswer {
    fn from(a: UploadAnswer) -> RecordAnswer {
        let mut out = RecordAnswer {
            record_id: a.record_id,
            household_id: a.household_id,
            content_sha256: a.content_sha256,
            status: String::new(),
            version: None,
            resolved_conflicts: None,
            current_version: None,
            current_sha256: None,
            field: None,
            message: None,
        };
        match a.outcome {
            UploadOutcome::Accepted {
                version,
                resolved_conflicts,
            } => {
                out.status = "accepted".into();
                out.version = Some(version);
                out.resolved_conflicts = Some(resolved_conflicts);
            }
            UploadOutcome::Unchanged { version } => {
                out.status = "unchanged".into();
                out.version = version;
            }
            UploadOutcome::Conflict {
                current_version,
                current_sha256,
            } => {
                out.status = "conflict".into();
                out.current_version = Some(current_version);
                out.current_sha256 = Some(current_sha256);
            }
            UploadOutcome::Refused { field, message } => {
                out.status = "refused".into();
                out.field = Some(field);
                out.message = Some(message);
            }
        }
        out
    }
}

/// The answers to a batch, in the order sent, and their counts.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct UploadResult {
    /// One answer per record.
    pub results: Vec<RecordAnswer>,
    /// Count by status.
    pub counts: BTreeMap<String, usize>,
}

/// Uploads a batch of records. Each record is answered on its own; a batch with a household
/// outside the caller's scope is refused whole (403) and writes nothing.
#[utoipa::path(post, path = "/api/v1/records", tag = "records", security(("token" = [])),
    request_body = UploadBatch,
    responses((status = 200, body = UploadResult),
        (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody)))]
pub async fn upload(
    State(state): State<Arc<ServerState>>,
    caller: Caller,
    Json(batch): Json<UploadBatch>,
) -> Result<Json<UploadResult>, ApiError> {
    let limit = state.settings.max_batch_records;
    if batch.records.len() > limit {
        return Err(ApiError::too_large(format!(
            "{} records in one batch; the server takes at most {limit}: split the batch",
            batch.records.len()
        ))
        .field("records"));
    }
    let items: Vec<UploadItem> = batch
        .records
        .into_iter()
        .map(|r| UploadItem {
            record_id: r.record_id,
            base_sha256: r.base_sha256,
            record: r.record,
        })
        .collect();
    let parsed = assess_app::uploads::parse(&items);
    let uploads: Vec<_> = parsed
        .iter()
        .filter_map(|p| p.as_ref().ok())
        .cloned()
        .collect();
    check_scope(&state, &caller, &uploads).await?;
    let mut stored =
        assess_app::uploads::store(&caller.writer(&state), &caller.account.name, &uploads)
            .await?
            .into_iter();
    let mut results = Vec::with_capacity(parsed.len());
    for p in parsed {
        let answer = match p {
            Ok(_) => stored.next().ok_or_else(|| {
                ApiError::internal(&std::io::Error::other("an upload without an answer"))
            })?,
            Err(refused) => refused,
        };
        results.push(RecordAnswer::from(answer));
    }
    let mut counts = BTreeMap::new();
    for r in &results {
        *counts.entry(r.status.clone()).or_insert(0) += 1;
    }
    Ok(Json(UploadResult { results, counts }))
}

/// Refuses the batch when any sampled household in it is outside the caller's scope.
/// Households not in the sample are left to the store, which refuses each on its own.
async fn check_scope(
    state: &ServerState,
    caller: &Caller,
    uploads: &[assess_store::Upload],
) -> Result<(), ApiError> {
    let mut by_draw: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for u in uploads {
        by_draw
            .entry(&u.visit.draw_id)
            .or_default()
            .insert(&u.visit.household_id);
    }
    for (draw, households) in by_draw {
        let list: Vec<&str> = households.into_iter().collect();
        let places = state.store.household_places(draw, &list).await?;
        for household in list {
            let Some((county, village)) = places.get(household) else {
                continue;
            };
            let target = Target::Village {
                draw,
                county,
                village,
            };
            caller.may(Access::Write, target).map_err(|e| {
                ApiError {
                    message: format!(
                        "household {household}: {}; nothing in the batch was stored",
                        e.message
                    ),
                    ..e
                }
                .field("records")
            })?;
        }
    }
    Ok(())
}

/// A household's current record.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct StoredRecord {
    /// The household.
    pub household_id: String,
    /// Its current version.
    pub version: i64,
    /// The version's content hash: the base of the next edit.
    pub content_sha256: String,
    /// The record.
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
}

/// The current records of a sampled village (for a team to pull what others uploaded).
#[utoipa::path(get, path = "/api/v1/draws/{draw}/villages/{village}/records", tag = "records",
    security(("token" = [])),
    params(("draw" = String, Path, description = "draw id"), ("village" = String, Path, description = "village code")),
    responses((status = 200, body = Vec<StoredRecord>), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn village_records(
    State(state): State<Arc<ServerState>>,
    caller: Caller,
    Path((draw, village)): Path<(String, String)>,
) -> Result<Json<Vec<StoredRecord>>, ApiError> {
    super::village_in_scope(&state, &caller, Access::Read, &draw, &village).await?;
    let rows = state.store.village_records(&draw, &village).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (household_id, version, content_sha256, json) in rows {
        let record = serde_json::from_str(&json).map_err(|e| ApiError::internal(&e))?;
        out.push(StoredRecord {
            household_id,
            version,
            content_sha256,
            record,
        });
    }
    Ok(Json(out))
}

/// Which conflicts to list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ConflictQuery {
    /// Only this draw's.
    pub draw: Option<String>,
}

/// An unresolved conflict: a version kept beside the current one.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ConflictRow {
    /// The draw.
    pub draw_id: String,
    /// The household.
    pub household_id: String,
    /// The county.
    pub county_code: String,
    /// The village.
    pub village_code: String,
    /// The kept version's content hash.
    pub content_sha256: String,
    /// What its author had seen.
    pub base_sha256: Option<String>,
    /// The version current when it arrived.
    pub current_version: i64,
    /// The client's record id.
    pub record_id: String,
    /// Who uploaded it.
    pub account: String,
    /// When.
    pub received_at: String,
    /// The kept record.
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
}

/// Unresolved conflicts the caller may read: resolve one by uploading an edit whose base is
/// the current version's hash.
#[utoipa::path(get, path = "/api/v1/conflicts", tag = "records", security(("token" = [])),
    params(ConflictQuery),
    responses((status = 200, body = Vec<ConflictRow>), (status = 401, body = crate::error::ErrorBody)))]
pub async fn conflicts(
    State(state): State<Arc<ServerState>>,
    caller: Caller,
    Query(query): Query<ConflictQuery>,
) -> Result<Json<Vec<ConflictRow>>, ApiError> {
    let all = state.store.conflicts(query.draw.as_deref()).await?;
    let mut out = Vec::new();
    for c in all {
        let places = state
            .store
            .household_places(&c.draw_id, &[c.household_id.as_str()])
            .await?;
        let Some((county, village)) = places.get(&c.household_id).cloned() else {
            continue;
        };
        let target = Target::Village {
            draw: &c.draw_id,
            county: &county,
            village: &village,
        };
        if !caller.covers(Access::Read, target) {
            continue;
        }
        out.push(ConflictRow {
            record: serde_json::from_str(&c.record_json).map_err(|e| ApiError::internal(&e))?,
            draw_id: c.draw_id,
            household_id: c.household_id,
            county_code: county,
            village_code: village,
            content_sha256: c.content_sha256,
            base_sha256: c.base_sha256,
            current_version: c.current_version,
            record_id: c.record_id,
            account: c.account,
            received_at: c.received_at,
        });
    }
    Ok(Json(out))
}
