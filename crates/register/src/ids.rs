//! Household-id uniqueness in bounded memory: one 64-bit hash per household (240 MB for 30
//! million), sorted once at the end. Only hashes that occur twice send us back to the file,
//! which is re-read for just those ids to confirm real duplicates and name their first line.

use crate::error::{ErrorList, Problem, RegisterError};
use crate::frame::row_id;
use crate::source::{Layout, Source};
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hasher};
use std::ops::ControlFlow;

/// The hashes of the ids seen, in file order until sorted.
#[derive(Debug, Default)]
pub(crate) struct IdHashes {
    hashes: Vec<u64>,
}

/// A fixed-key hash: the same id gives the same value in the scan and in the re-check.
fn hash_id(id: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    hasher.write(id.as_bytes());
    hasher.finish()
}

impl IdHashes {
    pub fn add(&mut self, id: &str) {
        self.hashes.push(hash_id(id));
    }

    /// Hashes seen more than once: real duplicates or (rarely) two ids with one hash.
    fn repeated(&mut self) -> HashSet<u64> {
        self.hashes.sort_unstable();
        let repeated = self
            .hashes
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        // The hashes are not needed any more; give the memory back before re-reading.
        self.hashes = Vec::new();
        repeated
    }

    /// Pushes a [`Problem::DuplicateId`] for every repeat of an id, naming its first line.
    pub fn report_duplicates(
        &mut self,
        source: &Source,
        layout: &Layout,
        errors: &mut ErrorList,
    ) -> Result<(), RegisterError> {
        let repeated = self.repeated();
        if repeated.is_empty() {
            return Ok(());
        }
        tracing::debug!(
            hashes = repeated.len(),
            "re-reading the register to confirm duplicate ids"
        );
        let mut first_lines: HashMap<String, u64> = HashMap::new();
        let mut header = true;
        source.for_each_row(|row| {
            if std::mem::take(&mut header) {
                return ControlFlow::Continue(());
            }
            let Some(id) = row_id(row, layout) else {
                return ControlFlow::Continue(());
            };
            if repeated.contains(&hash_id(&id)) {
                match first_lines.get(id.as_ref()) {
                    Some(&first_line) => {
                        let problem = Problem::DuplicateId {
                            id: id.into_owned(),
                            first_line,
                        };
                        errors.push(row.line, Some("household_id"), problem);
                    }
                    None => {
                        first_lines.insert(id.into_owned(), row.line);
                    }
                }
            }
            ControlFlow::Continue(())
        })
    }
}
