//! The ingest journal, `_journal.jsonl`: one line per committed checkpoint, appended and
//! synced after the checkpoint's parts were renamed into place. A part no line names is an
//! orphan of a killed run.

use crate::error::StoreError;
use crate::parts::JOURNAL;
use assess_census::Checkpoint;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One committed checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// 1, 2, ...: also the number of the parts it names.
    pub seq: u64,
    /// The input and how far it was read.
    pub checkpoint: Checkpoint,
    /// The parts written, relative to the store.
    pub parts: Vec<String>,
    /// The refused returns' file, relative to the store, when any was refused.
    pub rejects: Option<String>,
}

/// The committed entries, and the length of the journal they take (a last line cut short by
/// a kill is not committed; the writer truncates it).
pub(crate) fn read(store: &Path) -> Result<(Vec<Entry>, u64), StoreError> {
    let path = store.join(JOURNAL);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(StoreError::io(&path)(e)),
    };
    let mut entries = Vec::new();
    let mut at = 0usize;
    while at < bytes.len() {
        let Some(end) = bytes[at..].iter().position(|&b| b == b'\n') else {
            break; // cut short: not committed
        };
        let line = &bytes[at..at + end];
        let entry: Entry = serde_json::from_slice(line)
            .map_err(|e| StoreError::corrupt(&path, format!("line {}: {e}", entries.len() + 1)))?;
        if entry.seq != entries.len() as u64 + 1 {
            return Err(StoreError::corrupt(
                &path,
                format!("line {} has number {}", entries.len() + 1, entry.seq),
            ));
        }
        entries.push(entry);
        at += end + 1;
    }
    Ok((entries, at as u64))
}
