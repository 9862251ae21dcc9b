//! Review and appeal of findings: each step (who, when, why, evidence) recorded by the store
//! through the state machine of `assess-inspection`; evidence files read here and kept in the
//! database by their SHA-256 (stored once, so they cannot later be swapped, and read back with
//! [`save_evidence`]); the findings listed with the outcome each household's current record
//! yields, as the verdict counts it.

use crate::error::AppError;
use assess_inspection::{Evidence, StepRequest};
use assess_standards::Standards;
use assess_store::{Appeals, FindingStatus, StepRecorded, Store, StoredEvidence};
use assess_verdict::{HouseholdOutcome, Visit};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// The largest evidence file kept (the photos' limit): a scan or a PDF of wage slips is far
/// smaller; a larger file is refused rather than read whole into memory.
pub const MAX_EVIDENCE_BYTES: u64 = 64 * 1024 * 1024;

/// Records one step; returns the finding's state after it and the evidence kept.
pub async fn take_step(store: &Store, request: &StepRequest) -> Result<StepRecorded, AppError> {
    Ok(store.record_step(request).await?)
}

/// A finding with its state, history and outcome.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Finding {
    /// State and history.
    #[serde(flatten)]
    pub status: FindingStatus,
    /// What the current record (after any appeal) yields, as the verdict counts it.
    pub outcome: HouseholdOutcome,
}

/// Which findings to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Only findings with at least one review or appeal step.
    pub stepped: bool,
    /// Only findings with this outcome.
    pub outcome: Option<HouseholdOutcome>,
}

/// The findings of a draw with their state, history and outcome (each current record judged
/// with `standards`, as the verdict judges it), as `filter` keeps them.
pub async fn list(
    store: &Store,
    draw: &str,
    standards: &Standards,
    filter: ListFilter,
) -> Result<Vec<Finding>, AppError> {
    let statuses = store.findings(draw).await?;
    let current: HashMap<String, Visit> = store
        .visits_as_of(draw, Appeals::After)
        .await?
        .iter()
        .map(|r| (r.household_id.clone(), Visit::judged(r, standards)))
        .collect();
    Ok(statuses
        .into_iter()
        .filter(|s| !filter.stepped || !s.steps.is_empty())
        .filter_map(|status| {
            // Every finding is a stored record's, so each has its visit.
            let outcome = current.get(&status.household_id)?.outcome();
            Some(Finding { status, outcome })
        })
        .filter(|f| filter.outcome.is_none_or(|o| o == f.outcome))
        .collect())
}

/// A piece of evidence as given: a file (read whole now, so that a missing or unreadable file
/// is refused before anything is written), else the SHA-256 of a stored photo or evidence file.
pub fn read_evidence(text: &str) -> Result<Evidence, AppError> {
    let path = Path::new(text);
    let unreadable = |source| AppError::EvidenceUnreadable {
        path: path.to_path_buf(),
        source,
    };
    match std::fs::metadata(path) {
        Ok(meta) => read_evidence_file(path, &meta),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let hash = text.trim().to_ascii_lowercase();
            if is_sha256(&hash) {
                Ok(Evidence::Stored(hash))
            } else {
                Err(AppError::EvidenceMissing(path.to_path_buf()))
            }
        }
        Err(e) => Err(unreadable(e)),
    }
}

fn read_evidence_file(path: &Path, meta: &std::fs::Metadata) -> Result<Evidence, AppError> {
    let unreadable = |source| AppError::EvidenceUnreadable {
        path: path.to_path_buf(),
        source,
    };
    // A directory or a device (/dev/zero) is not evidence, and would never end.
    if !meta.is_file() {
        return Err(AppError::EvidenceNotAFile(path.to_path_buf()));
    }
    let too_large = || AppError::EvidenceTooLarge {
        path: path.to_path_buf(),
        limit: MAX_EVIDENCE_BYTES,
    };
    if meta.len() > MAX_EVIDENCE_BYTES {
        return Err(too_large());
    }
    let mut content = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_EVIDENCE_BYTES + 1).read_to_end(&mut content))
        .map_err(unreadable)?;
    // The file may have grown since its size was read.
    if content.len() as u64 > MAX_EVIDENCE_BYTES {
        return Err(too_large());
    }
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    );
    Ok(Evidence::File { name, content })
}

/// 64 lowercase hex digits.
fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Stored evidence by its SHA-256 (an evidence file or a photo), its bytes checked against
/// the hash they are stored under.
pub async fn evidence(store: &Store, sha256: &str) -> Result<StoredEvidence, AppError> {
    let hash = sha256.trim().to_ascii_lowercase();
    if !is_sha256(&hash) {
        return Err(AppError::NotASha256(sha256.to_string()));
    }
    let stored = store
        .evidence_content(&hash)
        .await?
        .ok_or_else(|| AppError::EvidenceNotFound(hash.clone()))?;
    let actual = hex::encode(Sha256::digest(&stored.content));
    if actual != hash {
        return Err(AppError::EvidenceAltered {
            sha256: hash,
            actual,
        });
    }
    Ok(stored)
}

/// Writes stored evidence to `out` (whole or not at all), never over an existing file.
/// Returns what was written.
pub async fn save_evidence(
    store: &Store,
    sha256: &str,
    out: &Path,
) -> Result<StoredEvidence, AppError> {
    if out.exists() {
        return Err(AppError::OutputExists(out.to_path_buf()));
    }
    let stored = evidence(store, sha256).await?;
    assess_output::write_atomic(out, &stored.content)?;
    Ok(stored)
}
