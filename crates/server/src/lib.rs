//! The field server (`assess serve`): the use cases of `assess-app` over versioned JSON HTTP
//! (`/api/v1/...`), for evaluation teams uploading from villages, cross-assessors and national
//! coordinators. Every endpoint is one row of [`endpoints::ENDPOINTS`], which builds the router,
//! names the scope each endpoint checks, and is compared with the OpenAPI document
//! ([`openapi::document`]) by the tests, so that no endpoint escapes the scope checks.
//!
//! What a request goes through, outside in: a request id and one log line (`log`), every error
//! as a JSON body (`error`), a time limit, a body-size limit, then the handler, which reads its
//! caller from the bearer token (`auth`, with a per-account rate limit), asks
//! [`auth::Caller::may`] about each county, village or household it touches, and calls one use
//! case.
//!
//! Not for: rules (the libraries decide; this crate only carries requests to them), SQL (only
//! `assess-store` knows it), files on disk, or the command line. This is the only crate that
//! knows HTTP.
#![deny(missing_docs)]

pub mod api;
pub mod auth;
pub mod client;
pub mod endpoints;
pub mod error;
mod log;
pub mod openapi;
pub mod sync;

use assess_standards::Standards;
use assess_store::Store;
use axum::Router;
use error::ApiError;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// The server's limits; each is a setting of `assess serve`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Largest JSON request body, bytes (a batch of records).
    pub max_body_bytes: usize,
    /// Most records in one upload batch.
    pub max_batch_records: usize,
    /// Largest photo, bytes.
    pub max_photo_bytes: usize,
    /// Requests per second each account may make on average (None: no limit).
    pub requests_per_second: Option<NonZeroU32>,
    /// Requests an account may make at once above the average.
    pub burst: NonZeroU32,
    /// Longest a request may take before it is answered 408.
    pub request_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            // A batch of 1,000 full records is about 3 MB of JSON.
            max_body_bytes: 16 * 1024 * 1024,
            max_batch_records: 1000,
            // The photo ingest's own limit (assess-photo).
            max_photo_bytes: 64 * 1024 * 1024,
            requests_per_second: NonZeroU32::new(50),
            burst: NonZeroU32::new(100).expect("100 > 0"),
            request_timeout: Duration::from_secs(120),
        }
    }
}

/// What every handler shares.
pub struct ServerState {
    /// The database.
    pub store: Store,
    /// The limits.
    pub settings: Settings,
    /// The standards records are judged by.
    pub standards: Standards,
    /// Their TOML text, as served to clients.
    pub standards_toml: String,
    /// Where census returns are written, when the server keeps a census store.
    pub census: Option<assess_app::census_uploads::CensusWriter>,
    limiter: Option<DefaultKeyedRateLimiter<String>>,
    tokens: auth::TokenCache,
}

impl std::fmt::Debug for ServerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerState")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl ServerState {
    /// The state of a server over `store`, judging records by `standards` (read from
    /// `standards_toml`).
    pub fn new(
        store: Store,
        settings: Settings,
        standards: Standards,
        standards_toml: String,
    ) -> ServerState {
        let limiter = settings
            .requests_per_second
            .map(|rate| RateLimiter::keyed(Quota::per_second(rate).allow_burst(settings.burst)));
        ServerState {
            store,
            settings,
            standards,
            standards_toml,
            census: None,
            limiter,
            tokens: Default::default(),
        }
    }

    /// The same state, writing census returns uploaded to `writer`.
    pub fn with_census(mut self, writer: assess_app::census_uploads::CensusWriter) -> ServerState {
        self.census = Some(writer);
        self
    }

    /// Refuses a request over the account's rate (429).
    pub(crate) fn limit(&self, account: &str) -> Result<(), ApiError> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter.check_key(&account.to_string()).map_err(|_| {
            ApiError::new(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!(
                    "account {account} sent more than {} requests a second; wait a moment and \
                     send fewer, larger batches",
                    self.settings.requests_per_second.map_or(0, NonZeroU32::get)
                ),
            )
        })
    }
}

/// The whole HTTP application over `state`.
pub fn router(state: Arc<ServerState>) -> Router {
    let timeout = state.settings.request_timeout;
    let body_limit = state.settings.max_body_bytes;
    endpoints::ENDPOINTS
        .iter()
        .fold(Router::new(), |r, e| r.route(e.path, (e.handler)()))
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(axum::middleware::map_response(error::json_errors))
        .layer(axum::middleware::from_fn(log::log_request))
        .with_state(state)
}

/// Serves `router(state)` on `listener` until `shutdown` completes; then stops accepting,
/// finishes the requests in flight, and returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<ServerState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Completes on SIGTERM or Ctrl-C (SIGINT).
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: no new connections; finishing the requests in flight");
}
