//! Census returns uploaded by enumerators: a body of JSON Lines returns (docs/census.md), each
//! judged as `assess census ingest` judges it and answered on its own (stored, already held,
//! refused with line, field and reason, or out of scope), into the census store the server was
//! started with. The upload is one checkpoint of the store.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::ServerState;
use assess_access::{Access, Target};
use assess_app::census_ingest::{IngestError, Outcome};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

/// Why a return was refused.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ReturnProblem {
    /// The field concerned.
    pub field: String,
    /// What is wrong and what to do (identity numbers masked).
    pub reason: String,
}

/// The answer for one return.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ReturnAnswer {
    /// Its line in the body (1-based).
    pub line: u64,
    /// Its return id, when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_id: Option<String>,
    /// `stored`, `already_held`, `refused` (by the rules) or `out_of_scope` (the caller may not
    /// send returns of its county).
    pub status: String,
    /// Why it was refused (refused, out_of_scope).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ReturnProblem>,
}

/// The answers of an upload, and their counts.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ReturnsResult {
    /// Returns stored.
    pub stored: usize,
    /// Returns already held (the same id and content).
    pub already_held: usize,
    /// Returns refused (by the rules or out of scope).
    pub refused: usize,
    /// One answer a return, in the body's order.
    pub returns: Vec<ReturnAnswer>,
}

/// Uploads census returns (JSON Lines, one return a line).
#[utoipa::path(post, path = "/api/v1/census/returns", tag = "census", security(("token" = [])),
    request_body(content = String, content_type = "application/x-ndjson",
        description = "census returns, JSON Lines (docs/census.md)"),
    responses((status = 200, body = ReturnsResult),
        (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 413, body = crate::error::ErrorBody)))]
pub async fn upload(
    State(state): State<Arc<ServerState>>,
    caller: Caller,
    body: Bytes,
) -> Result<Json<ReturnsResult>, ApiError> {
    let Some(writer) = &state.census else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "no_census_store",
            "this server keeps no census store: census returns are taken only by a server \
             started with a census store (or over a PostgreSQL database)",
        ));
    };
    // A role that can write no census return at all is refused whole.
    if caller.account.role == assess_access::Role::Coordinator {
        caller.may(Access::Write, Target::All)?;
    }
    let (account, grants) = (caller.account.clone(), caller.grants.clone());
    let admit = Box::new(move |r: &assess_census::CensusReturn| {
        assess_access::decide(
            &account,
            &grants,
            Access::Write,
            Target::CensusReturn(&r.county_code),
        )
        .map_err(|refusal| refusal.to_string())
    });
    let answers = writer.send(&caller.account.name, body.to_vec(), admit);
    let answers = tokio::task::spawn_blocking(move || answers.recv())
        .await
        .map_err(|e| ApiError::internal(&e))?
        .map_err(|e| ApiError::internal(&e))?;
    let answers = match answers {
        Ok(a) => a,
        Err(IngestError::File(e)) => {
            return Err(
                ApiError::bad_request(format!("line {}: {}", e.line, e.problem.message))
                    .field(e.problem.field),
            )
        }
        Err(e) => return Err(ApiError::internal(&e)),
    };
    let mut out = ReturnsResult {
        stored: 0,
        already_held: 0,
        refused: 0,
        returns: Vec::with_capacity(answers.len()),
    };
    for a in answers {
        let (status, rejects) = match a.outcome {
            Outcome::Stored => {
                out.stored += 1;
                ("stored", Vec::new())
            }
            Outcome::AlreadyHeld => {
                out.already_held += 1;
                ("already_held", Vec::new())
            }
            Outcome::Refused(r) => {
                out.refused += 1;
                ("refused", r)
            }
            Outcome::OutOfScope(r) => {
                out.refused += 1;
                ("out_of_scope", r)
            }
        };
        out.returns.push(ReturnAnswer {
            line: a.line,
            return_id: a.return_id,
            status: status.into(),
            problems: rejects
                .into_iter()
                .map(|r| ReturnProblem {
                    field: r.field,
                    reason: r.reason,
                })
                .collect(),
        });
    }
    Ok(Json(out))
}
