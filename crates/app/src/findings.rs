//! Review and appeal of findings: each step (who, when, why, evidence) recorded by the store
//! through the state machine of `assess-inspection`; evidence files recorded by name and
//! SHA-256 so that they cannot later be swapped.

use crate::error::{io, AppError};
use assess_inspection::FindingState;
use assess_inspection::StepRequest;
use assess_store::{FindingStatus, Store};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Records one step; returns the finding's state after it.
pub async fn take_step(store: &Store, request: &StepRequest) -> Result<FindingState, AppError> {
    Ok(store.record_step(request).await?)
}

/// The findings of a draw with their state and the history of each.
pub async fn list(store: &Store, draw: &str) -> Result<Vec<FindingStatus>, AppError> {
    Ok(store.findings(draw).await?)
}

/// How a piece of evidence is recorded: a file by its name and SHA-256, anything else must be
/// a stored photo's SHA-256.
pub fn evidence_reference(text: &str) -> Result<String, AppError> {
    let path = Path::new(text);
    if path.is_file() {
        let bytes = std::fs::read(path).map_err(io("reading", path))?;
        return Ok(format!(
            "{} sha256:{}",
            path.file_name()
                .map_or(text.into(), |n| n.to_string_lossy()),
            hex::encode(Sha256::digest(&bytes))
        ));
    }
    let t = text.trim().to_ascii_lowercase();
    if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(format!("photo sha256:{t}"));
    }
    Err(AppError::NotEvidence(text.to_string()))
}
