//! Syncing a team's records file with the server (`assess push`, `assess pull`), for teams
//! without a browser and with a poor connection.
//!
//! Each household's record has a stable record id, `DRAW/HOUSEHOLD`, so a push sent twice (or
//! resumed after a cut connection) is answered `unchanged` for what already arrived. A small
//! state file beside the records file keeps, per household, the content hash the server last
//! acknowledged (or that a pull brought): a record with that content is not sent again, and an
//! edit is sent with it as its base, so that the server can tell an edit of the current
//! version from one made without having seen it (a conflict).

use crate::api::records::{RecordAnswer, UploadBatch, UploadRecord};
use crate::client::{Client, ClientError};
use assess_inspection::VisitRecord;
use std::collections::BTreeMap;
use std::time::Duration;

/// What the server last acknowledged, per household (`DRAW/HOUSEHOLD` → content hash).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SyncState {
    /// The server the hashes came from.
    pub server: String,
    /// Household key → the content hash the server holds as current.
    pub acknowledged: BTreeMap<String, String>,
}

/// The record id (and state key) of a household's record.
pub fn record_id(draw: &str, household: &str) -> String {
    format!("{draw}/{household}")
}

/// How often and how long to retry a batch the network lost.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Attempts per batch.
    pub attempts: u32,
    /// First pause; doubled after each failure, up to `max_pause`.
    pub first_pause: Duration,
    /// Longest pause.
    pub max_pause: Duration,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            attempts: 8,
            first_pause: Duration::from_millis(500),
            max_pause: Duration::from_secs(30),
        }
    }
}

/// Where a push stands, for its progress bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PushProgress {
    /// Records to send.
    pub total: usize,
    /// Records sent (including retries' first sending).
    pub sent: usize,
    /// Records the server answered (accepted, unchanged, conflict or refused).
    pub acknowledged: usize,
}

/// What a push did.
#[derive(Debug, Default)]
pub struct PushReport {
    /// Records in the file.
    pub records: usize,
    /// Not sent: the server already holds them as current (from the state file).
    pub skipped: usize,
    /// Stored as a new version.
    pub accepted: usize,
    /// Already there.
    pub unchanged: usize,
    /// Kept beside a newer version: pull, merge by hand, push again.
    pub conflicts: Vec<RecordAnswer>,
    /// Refused, with the field and why.
    pub refused: Vec<RecordAnswer>,
    /// Network failures retried.
    pub retries: u32,
}

/// Why a push stopped before the end.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The server could not be reached often enough; what was acknowledged is in the state.
    #[error("{acknowledged} of {total} records acknowledged; then the server could not be reached ({cause}); run the same push again to resume")]
    Unreachable {
        /// Acknowledged so far.
        acknowledged: usize,
        /// To send.
        total: usize,
        /// The last failure.
        cause: String,
    },
    /// The server refused a whole batch (a token, scope or size problem).
    #[error(transparent)]
    Refused(ClientError),
    /// The state file could not be saved.
    #[error("saving the sync state")]
    State(#[source] std::io::Error),
}

/// Sends `visits` in batches of `batch`, retrying what the network loses, and keeps `state`
/// (saved with `save` after every batch) up to date.
pub async fn push(
    client: &Client,
    visits: &[VisitRecord],
    state: &mut SyncState,
    batch: usize,
    retry: Retry,
    progress: &dyn Fn(PushProgress),
    save: &mut dyn FnMut(&SyncState) -> std::io::Result<()>,
) -> Result<PushReport, PushError> {
    let mut report = PushReport {
        records: visits.len(),
        ..PushReport::default()
    };
    let to_send: Vec<&VisitRecord> = visits
        .iter()
        .filter(|v| {
            let key = record_id(&v.draw_id, &v.household_id);
            state.acknowledged.get(&key) != Some(&v.content_sha256())
        })
        .collect();
    report.skipped = visits.len() - to_send.len();
    let mut at = PushProgress {
        total: to_send.len(),
        ..PushProgress::default()
    };
    progress(at);
    for chunk in to_send.chunks(batch.max(1)) {
        let upload = UploadBatch {
            records: chunk
                .iter()
                .map(|v| {
                    let key = record_id(&v.draw_id, &v.household_id);
                    UploadRecord {
                        base_sha256: state.acknowledged.get(&key).cloned(),
                        record_id: key,
                        record: serde_json::from_str(&v.canonical_json())
                            .expect("a record's canonical JSON is JSON"),
                    }
                })
                .collect(),
        };
        at.sent += chunk.len();
        progress(at);
        let result = send_with_retry(client, &upload, retry, &mut report.retries)
            .await
            .map_err(|e| match e {
                ClientError::Retryable(cause) => PushError::Unreachable {
                    acknowledged: at.acknowledged,
                    total: at.total,
                    cause,
                },
                refused => PushError::Refused(refused),
            })?;
        // The answers come in the order sent.
        for (v, answer) in chunk.iter().zip(result.results) {
            let key = record_id(&v.draw_id, &v.household_id);
            match answer.status.as_str() {
                "accepted" | "unchanged" => {
                    if answer.status == "accepted" {
                        report.accepted += 1;
                    } else {
                        report.unchanged += 1;
                    }
                    state
                        .acknowledged
                        .insert(key, answer.content_sha256.clone());
                }
                "conflict" => report.conflicts.push(answer),
                _ => report.refused.push(answer),
            }
        }
        at.acknowledged += chunk.len();
        save(state).map_err(PushError::State)?;
        progress(at);
    }
    Ok(report)
}

async fn send_with_retry(
    client: &Client,
    batch: &UploadBatch,
    retry: Retry,
    retries: &mut u32,
) -> Result<crate::api::records::UploadResult, ClientError> {
    let mut pause = retry.first_pause;
    let mut attempt = 1;
    loop {
        match client.upload(batch).await {
            Err(ClientError::Retryable(cause)) if attempt < retry.attempts => {
                tracing::warn!(attempt, %cause, "upload failed; retrying");
                *retries += 1;
                attempt += 1;
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(retry.max_pause);
            }
            other => return other,
        }
    }
}

/// The current records of every village assigned to the caller, and the state that says the
/// server holds them.
pub async fn pull(client: &Client) -> Result<(Vec<serde_json::Value>, SyncState), ClientError> {
    let assignments = client.assignments().await?;
    let mut records = Vec::new();
    let mut state = SyncState::default();
    for village in &assignments.villages {
        for stored in client
            .village_records(&village.draw_id, &village.village_code)
            .await?
        {
            state.acknowledged.insert(
                record_id(&village.draw_id, &stored.household_id),
                stored.content_sha256,
            );
            records.push(stored.record);
        }
    }
    Ok((records, state))
}
