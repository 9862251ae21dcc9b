//! The draw's receipt: when it was made and by which tool version. It sits beside the sealed
//! files but is not one of them (no hash covers it, `verify` ignores it), because the same
//! inputs and seeds must give byte-identical sealed files whenever the draw is re-made. The
//! store reads it so that `assess check` can refuse a visit dated before its draw.

use crate::DrawError;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The receipt's file name inside a draw directory.
pub const RECEIPT_FILE: &str = "receipt.json";

/// When and by what a draw was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// RFC 3339 time, UTC, at which the draw was written.
    pub drawn_at: String,
    /// Version of the tool that wrote it.
    pub tool_version: String,
}

impl Receipt {
    /// A receipt for a draw made now.
    pub fn now() -> Receipt {
        Receipt {
            drawn_at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// Writes `dir/receipt.json`.
pub(crate) fn write_receipt(dir: &Path, receipt: &Receipt) -> Result<(), DrawError> {
    let path = dir.join(RECEIPT_FILE);
    let text = serde_json::to_string_pretty(receipt).expect("receipt serialises") + "\n";
    assess_output::write_atomic(&path, text.as_bytes()).map_err(|e| DrawError::Io {
        path: e.path,
        cause: e.source,
    })
}

/// Reads `dir/receipt.json`; `None` when the directory has none (a draw made by an older
/// tool, or copied without it).
pub fn read_receipt(dir: &Path) -> Result<Option<Receipt>, DrawError> {
    let path = dir.join(RECEIPT_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(cause) => return Err(DrawError::Io { path, cause }),
    };
    let receipt: Receipt = serde_json::from_str(&text).map_err(|e| DrawError::BadDrawFile {
        path: path.clone(),
        reason: format!("{e}; expected {{\"drawn_at\": RFC 3339 time, \"tool_version\": ...}}"),
    })?;
    if humantime::parse_rfc3339(&receipt.drawn_at).is_err() {
        return Err(DrawError::BadDrawFile {
            path,
            reason: format!(
                "drawn_at {:?} is not an RFC 3339 UTC time such as 2020-06-10T08:00:00Z",
                receipt.drawn_at
            ),
        });
    }
    Ok(Some(receipt))
}
