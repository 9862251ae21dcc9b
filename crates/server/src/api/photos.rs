//! Housing-crack photos, uploaded streamed and content-addressed: the path names the photo's
//! SHA-256, the body is counted against the size limit as it arrives and hashed, and a photo
//! whose bytes do not hash to its name is refused. A retry after a broken connection is safe:
//! nothing is stored until the whole photo has arrived and matched its hash, and a photo
//! already stored and linked is answered `unchanged`.

use super::household_in_scope;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::ServerState;
use assess_access::Access;
use assess_app::photos::{PhotoAdd, PhotoPlace};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::Json;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use utoipa::ToSchema;

/// What happened to an uploaded photo.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PhotoAnswer {
    /// The photo's SHA-256.
    pub sha256: String,
    /// `stored` (new bytes or a new link) or `unchanged` (stored and linked before).
    pub status: String,
    /// Width, px.
    pub width: u32,
    /// Height, px.
    pub height: u32,
    /// Flags for review (no GPS, outside the county, far from the household, out of dates).
    #[schema(value_type = Vec<Object>)]
    pub flags: Vec<serde_json::Value>,
    /// Checks that could not be made, and why.
    pub notes: Vec<String>,
}

/// Uploads a photo of a household's house (JPEG or PNG), named by its SHA-256.
#[utoipa::path(put, path = "/api/v1/draws/{draw}/households/{household}/photos/{sha256}",
    tag = "photos", security(("token" = [])),
    params(("draw" = String, Path, description = "draw id"),
        ("household" = String, Path, description = "household id"),
        ("sha256" = String, Path, description = "SHA-256 of the photo's bytes, lowercase hex")),
    request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 200, body = PhotoAnswer), (status = 403, body = crate::error::ErrorBody),
        (status = 413, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn upload(
    State(state): State<Arc<ServerState>>,
    caller: Caller,
    Path((draw, household, sha256)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<PhotoAnswer>, ApiError> {
    let sha256 = checked_hash(&sha256)?;
    household_in_scope(&state, &caller, Access::Write, &draw, &household).await?;
    let limit = state.settings.max_photo_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let content = receive(body, limit, &sha256).await?;
    let name = format!("{sha256}.photo");
    // Decoding is CPU work: off the async workers, so other requests keep being answered.
    // The refusal is worded there, so only a message crosses back.
    let add = tokio::task::spawn_blocking(move || {
        PhotoAdd::from_bytes(&name, content, None).map_err(|e| crate::error::full_chain(&e))
    })
    .await
    .map_err(|e| ApiError::internal(&e))?
    .map_err(|message| ApiError::unprocessable(message).field("body"))?;
    let stored = assess_app::photos::add(
        &caller.writer(&state),
        &add,
        &draw,
        &household,
        &PhotoPlace::default(),
    )
    .await?;
    let status = if stored.done.stored || stored.done.linked {
        "stored"
    } else {
        "unchanged"
    };
    Ok(Json(PhotoAnswer {
        sha256,
        status: status.into(),
        width: add.photo.width,
        height: add.photo.height,
        flags: stored
            .flags
            .iter()
            .filter_map(|f| serde_json::to_value(f).ok())
            .collect(),
        notes: stored.notes,
    }))
}

fn too_large(limit: usize) -> ApiError {
    ApiError::too_large(format!(
        "the photo is over the server's limit of {limit} bytes; send the camera's original, not a \
         bigger export"
    ))
    .field("body")
}

fn checked_hash(sha256: &str) -> Result<String, ApiError> {
    if sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(sha256.to_ascii_lowercase())
    } else {
        Err(
            ApiError::bad_request("the photo's path must end in the 64 hex digits of its SHA-256")
                .field("sha256"),
        )
    }
}

/// Reads the body as it arrives, refusing it at the first byte over the limit, and checks that
/// it hashes to the name it was sent under.
async fn receive(body: Body, limit: usize, sha256: &str) -> Result<Vec<u8>, ApiError> {
    let mut stream = body.into_data_stream();
    let mut content = Vec::new();
    let mut hasher = Sha256::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request(format!(
                "the photo did not arrive whole ({e}); nothing was stored: send it again"
            ))
        })?;
        if content.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        hasher.update(&chunk);
        content.extend_from_slice(&chunk);
    }
    let got = hex::encode(hasher.finalize());
    if got != sha256 {
        return Err(ApiError::unprocessable(format!(
            "the photo's bytes hash to {got}, not to {sha256} named in the path; it was changed \
             or cut short on the way: send it again"
        ))
        .field("sha256"));
    }
    Ok(content)
}

/// Whether a photo is stored and linked to the household.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PhotoStatus {
    /// The photo's SHA-256.
    pub sha256: String,
    /// Stored and linked to this household.
    pub linked: bool,
}

/// Whether the server holds a photo for a household (so a client knows what to send again).
#[utoipa::path(get, path = "/api/v1/draws/{draw}/households/{household}/photos/{sha256}",
    tag = "photos", security(("token" = [])),
    params(("draw" = String, Path, description = "draw id"),
        ("household" = String, Path, description = "household id"),
        ("sha256" = String, Path, description = "SHA-256 of the photo's bytes")),
    responses((status = 200, body = PhotoStatus), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn status(
    State(state): State<Arc<ServerState>>,
    caller: Caller,
    Path((draw, household, sha256)): Path<(String, String, String)>,
) -> Result<Json<PhotoStatus>, ApiError> {
    let sha256 = checked_hash(&sha256)?;
    household_in_scope(&state, &caller, Access::Read, &draw, &household).await?;
    if !state.store.photo_linked(&draw, &household, &sha256).await? {
        return Err(ApiError::not_found(format!(
            "photo {sha256} is not stored for household {household}; upload it"
        )));
    }
    Ok(Json(PhotoStatus {
        sha256,
        linked: true,
    }))
}
