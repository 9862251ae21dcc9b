//! Health, the API description, the caller, and the form and standards records must satisfy.

use crate::auth::Caller;
use crate::ServerState;
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use utoipa::ToSchema;

/// The server is up.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
    /// The server's version.
    pub version: String,
    /// The API version in the paths.
    pub api: String,
}

/// Whether the server answers (no token needed).
#[utoipa::path(get, path = "/api/v1/health", tag = "meta",
    responses((status = 200, body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        api: "v1".into(),
    })
}

/// The OpenAPI document of this API (no token needed); the same as docs/openapi.json.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "OpenAPI 3.1 document")))]
pub async fn openapi_json() -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        crate::openapi::json(),
    )
        .into_response()
}

/// The caller's account and assignments.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct Me {
    /// Account name.
    pub name: String,
    /// Role: interviewer, team_leader, cross_assessor, coordinator or admin.
    pub role: String,
    /// Team, when the role has one.
    pub team: Option<String>,
    /// Province (two digits), for a cross-assessor.
    pub province: Option<String>,
    /// Counties assigned to the caller's team.
    pub counties: Vec<String>,
    /// Villages assigned to the caller, as `[draw, village]`.
    pub villages: Vec<[String; 2]>,
}

/// Who the token belongs to, and what is assigned to them.
#[utoipa::path(get, path = "/api/v1/me", tag = "meta", security(("token" = [])),
    responses((status = 200, body = Me), (status = 401, body = crate::error::ErrorBody)))]
pub async fn me(caller: Caller) -> Json<Me> {
    let role = serde_json::to_value(caller.account.role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    Json(Me {
        name: caller.account.name,
        role,
        team: caller.account.team,
        province: caller.account.province,
        counties: caller.grants.counties.into_iter().collect(),
        villages: caller
            .grants
            .villages
            .into_iter()
            .map(|(d, v)| [d, v])
            .collect(),
    })
}

/// What a record must satisfy: the standards (as their TOML text) and the form's sheets and
/// columns; the record format itself is docs/records.md.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct Form {
    /// The standards' version label.
    pub standards_version: String,
    /// The standards, TOML, as the server judges records by them.
    pub standards_toml: String,
    /// The XLSX template's sheets and their columns, in order.
    pub sheets: BTreeMap<String, Vec<String>>,
    /// The record format's documentation, in the repository.
    pub record_format: String,
}

/// The standards and the form definition records must satisfy.
#[utoipa::path(get, path = "/api/v1/form", tag = "meta", security(("token" = [])),
    responses((status = 200, body = Form), (status = 401, body = crate::error::ErrorBody)))]
pub async fn form(State(state): State<Arc<ServerState>>, _caller: Caller) -> Json<Form> {
    let sheets = assess_forms::sheet_names()
        .into_iter()
        .map(|s| {
            let columns = assess_forms::column_names(s).unwrap_or_default();
            (
                s.to_string(),
                columns.into_iter().map(str::to_string).collect(),
            )
        })
        .collect();
    Json(Form {
        standards_version: state.standards.version.clone(),
        standards_toml: state.standards_toml.clone(),
        sheets,
        record_format: "docs/records.md".into(),
    })
}
