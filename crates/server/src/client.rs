//! A client of the API, for `assess push` and `assess pull` and the load benchmark: the same
//! request and answer types as the server, so the two cannot drift apart.
//!
//! A network failure (no route, a connection cut, a 5xx, 429) is [`ClientError::Retryable`]:
//! repeating the request is safe, because uploads are idempotent (records by record id and
//! content, photos by hash). A 4xx other than 429 is [`ClientError::Refused`], with the
//! server's JSON error.

use crate::api::field::Assignments;
use crate::api::records::{StoredRecord, UploadBatch, UploadResult};
use crate::error::ErrorBody;
use reqwest::StatusCode;
use std::time::Duration;

/// Why a request did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server could not be reached, cut the connection, failed or was busy: the same
    /// request may be sent again.
    #[error("{0}")]
    Retryable(String),
    /// The server refused the request (4xx): sending it again will not help.
    #[error("the server refused the request ({status}): {message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The server's error code.
        code: String,
        /// The server's message.
        message: String,
    },
}

/// A client for one server and one token.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    /// A client of the server at `base` (e.g. `http://127.0.0.1:8080`), with `token`.
    pub fn new(base: &str, token: &str, timeout: Duration) -> Result<Client, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| ClientError::Retryable(format!("making an HTTP client: {e}")))?;
        Ok(Client {
            http,
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn answer<T: serde::de::DeserializeOwned>(
        &self,
        sent: Result<reqwest::Response, reqwest::Error>,
    ) -> Result<T, ClientError> {
        let response = sent
            .map_err(|e| ClientError::Retryable(format!("the server could not be reached: {e}")))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| ClientError::Retryable(format!("the answer was cut short: {e}")))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| ClientError::Refused {
                status: status.as_u16(),
                code: "unreadable".into(),
                message: format!("the server's answer could not be read: {e}"),
            });
        }
        let (code, message) = match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(body) => (body.error.code, body.error.message),
            Err(_) => ("error".into(), String::from_utf8_lossy(&bytes).into_owned()),
        };
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return Err(ClientError::Retryable(format!("{status}: {message}")));
        }
        Err(ClientError::Refused {
            status: status.as_u16(),
            code,
            message,
        })
    }

    /// `GET path` with the token.
    pub async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let sent = self
            .http
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await;
        self.answer(sent).await
    }

    /// The caller's assignments.
    pub async fn assignments(&self) -> Result<Assignments, ClientError> {
        self.get("/api/v1/assignments").await
    }

    /// The current records of a village.
    pub async fn village_records(
        &self,
        draw: &str,
        village: &str,
    ) -> Result<Vec<StoredRecord>, ClientError> {
        self.get(&format!("/api/v1/draws/{draw}/villages/{village}/records"))
            .await
    }

    /// Uploads a batch of records.
    pub async fn upload(&self, batch: &UploadBatch) -> Result<UploadResult, ClientError> {
        let sent = self
            .http
            .post(self.url("/api/v1/records"))
            .bearer_auth(&self.token)
            .json(batch)
            .send()
            .await;
        self.answer(sent).await
    }

    /// Uploads a photo of a household, named by its SHA-256.
    pub async fn upload_photo(
        &self,
        draw: &str,
        household: &str,
        sha256: &str,
        content: Vec<u8>,
    ) -> Result<crate::api::photos::PhotoAnswer, ClientError> {
        let sent = self
            .http
            .put(self.url(&format!(
                "/api/v1/draws/{draw}/households/{household}/photos/{sha256}"
            )))
            .bearer_auth(&self.token)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(content)
            .send()
            .await;
        self.answer(sent).await
    }
}
