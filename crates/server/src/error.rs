//! Every refusal and failure is a 4xx or 5xx answer with one JSON body:
//! `{"error": {"code": "...", "message": "...", "field": "..."}}`. The code is stable for
//! machines; the message says what is wrong and what to do, for people.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An answer other than success.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable machine code, e.g. `unauthenticated`, `out_of_scope`, `too_large`.
    pub code: &'static str,
    /// What is wrong, and what to do.
    pub message: String,
    /// The request field concerned, when there is one.
    pub field: Option<String>,
}

/// The JSON body of an error answer.
#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine code.
    pub code: String,
    /// For people: what is wrong and what to do.
    pub message: String,
    /// The request field concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// The same error, naming the request field concerned.
    pub fn field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    /// 400: the request cannot be read.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 401: no valid token.
    pub fn unauthenticated(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
    }

    /// 403: the caller's role or assignments do not cover what was asked.
    pub fn out_of_scope(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "out_of_scope", message)
    }

    /// 404: nothing there.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 413: the body is over a limit.
    pub fn too_large(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
    }

    /// 422: the request was read but its content is refused.
    pub fn unprocessable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "refused", message)
    }

    /// 500: the server failed; the cause is logged, not shown.
    pub fn internal(cause: &dyn std::error::Error) -> ApiError {
        tracing::error!(error = %full_chain(cause), "request failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed to answer; the failure is in its log. Try again later",
        )
    }

    fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message.clone(),
                field: self.field.clone(),
            },
        }
    }
}

/// A cause and its sources, one after another.
pub(crate) fn full_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// A use case's error as an answer: what the caller can fix is a 4xx with the library's
/// message; the database failing is a 500 (or 503 when it is busy).
impl From<assess_app::AppError> for ApiError {
    fn from(e: assess_app::AppError) -> ApiError {
        use assess_app::AppError as E;
        match &e {
            E::Store(assess_store::StoreError::Busy { .. }) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", format!("{e}"))
            }
            E::Store(_) | E::Io { .. } | E::Output(_) => ApiError::internal(&e),
            E::DrawNotFound(_) | E::DrawEmpty(_) | E::NoDrawOfCounty { .. } => {
                ApiError::not_found(full_chain(&e))
            }
            _ => ApiError::unprocessable(full_chain(&e)),
        }
    }
}

impl From<assess_store::StoreError> for ApiError {
    fn from(e: assess_store::StoreError) -> ApiError {
        ApiError::from(assess_app::AppError::from(e))
    }
}

/// Makes every error answer a JSON error body, including those made by layers that answer
/// in plain text (a body over the limit, a request timed out, a path that does not exist, a
/// method not allowed, a JSON body axum could not read).
pub(crate) async fn json_errors(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "too_large",
            "the request body is over the server's limit; send smaller batches".to_string(),
        ),
        StatusCode::NOT_FOUND => (
            "not_found",
            "no such endpoint; the API is described at /api/v1/openapi.json".to_string(),
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this endpoint does not take that method; see /api/v1/openapi.json".to_string(),
        ),
        StatusCode::REQUEST_TIMEOUT => (
            "timeout",
            "the request took longer than the server's limit".to_string(),
        ),
        _ if text.is_empty() => ("error", status.to_string()),
        _ => ("bad_request", text),
    };
    let error = ApiError {
        status,
        code,
        message,
        field: None,
    };
    let mut response = error.into_response();
    *response.status_mut() = parts.status;
    response
}
