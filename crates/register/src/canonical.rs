//! The canonical form behind fingerprints (docs/register.md, "Fingerprint"): one line per
//! record, fields joined by 0x1F, so that any copy of one register hashes alike whatever
//! its encoding, format, column order or extra columns.

use crate::{Household, VillageRecord};
use sha2::{Digest, Sha256};
use std::fmt::{Display, Write as _};

/// Tag starting the canonical form of a register.
pub const FRAME_TAG: &str = "assess-frame-v1\n";
/// Tag starting the canonical form of a village file.
pub const VILLAGES_TAG: &str = "assess-villages-v1\n";
const SEPARATOR: char = '\u{1F}';

/// A running SHA-256 over canonical lines, with one reused line buffer.
pub(crate) struct Canonical {
    hasher: Sha256,
    line: String,
}

impl Canonical {
    pub fn new(tag: &str) -> Canonical {
        let mut hasher = Sha256::new();
        hasher.update(tag.as_bytes());
        Canonical {
            hasher,
            line: String::with_capacity(128),
        }
    }

    pub fn household(&mut self, h: &Household) {
        self.line.clear();
        self.text(&h.household_id);
        self.text(h.village.as_str());
        self.text(h.status.as_str());
        self.opt(h.exit_year);
        self.value(h.members);
        self.opt(h.income_per_capita);
        self.opt(h.lon);
        self.opt(h.lat);
        self.text(h.group.as_deref().unwrap_or(""));
        self.end();
    }

    pub fn village(&mut self, v: &VillageRecord) {
        self.line.clear();
        self.text(v.village.as_str());
        self.text(v.name.as_deref().unwrap_or(""));
        self.opt(v.poverty_village);
        self.opt(v.remote);
        self.opt(v.lon);
        self.opt(v.lat);
        self.end();
    }

    /// Lowercase hex SHA-256 of everything so far.
    pub fn finish(self) -> String {
        hex::encode(self.hasher.finalize())
    }

    fn text(&mut self, text: &str) {
        self.line.push_str(text);
        self.line.push(SEPARATOR);
    }

    fn value(&mut self, value: impl Display) {
        // Writing into a String cannot fail.
        let _ = write!(self.line, "{value}{SEPARATOR}");
    }

    fn opt<T: Display>(&mut self, value: Option<T>) {
        if let Some(value) = value {
            let _ = write!(self.line, "{value}");
        }
        self.line.push(SEPARATOR);
    }

    /// Ends the line: the last separator becomes the newline.
    fn end(&mut self) {
        self.line.pop();
        self.line.push('\n');
        self.hasher.update(self.line.as_bytes());
    }
}
