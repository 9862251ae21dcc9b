//! One log line per request, through tracing: its id (also sent back as `x-request-id`), the
//! method, the path, the account, the status and the time taken. Bodies and query strings are
//! never logged (a record holds identity numbers); a path holds draw, household and photo ids
//! only.

use crate::auth::CallerSlot;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Request ids, unique within one run of the server.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

pub(crate) async fn log_request(mut request: Request, next: Next) -> Response {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let slot = CallerSlot::default();
    request.extensions_mut().insert(slot.clone());
    let mut response = next.run(request).await;
    let status = response.status().as_u16();
    let micros = started.elapsed().as_micros() as u64;
    let account = slot.0.get().map_or("-", String::as_str);
    if status >= 500 {
        tracing::error!(request = id, %method, path, account, status, micros, "request");
    } else {
        tracing::info!(request = id, %method, path, account, status, micros, "request");
    }
    if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}
