//! Household-id uniqueness in bounded memory: one 64-bit hash per household (240 MB for 30
//! million). Each checking thread files its hashes into 256 parts by their top byte as it
//! goes; at the end each part (of every thread) is sorted on its own, the parts shared among
//! the cores, and fit in cache. Only hashes that occur twice send us back to the file, which
//! is re-read for just those ids to confirm real duplicates and name their first line.

use crate::error::{ErrorList, Problem, RegisterError};
use crate::frame::row_id;
use crate::source::{Layout, Source};
use foldhash::fast::FixedState;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::ops::ControlFlow;

/// Parts by the top byte of a hash.
const PARTS: usize = 256;

/// Hashes per block of a part: parts grow by whole blocks, never copied. 512 KiB: memory
/// that large comes straight from the operating system (glibc maps it), so an unfilled
/// block's tail costs nothing and freed blocks go back at once; blocks of 32 KiB stayed in
/// the checking threads' heaps after use and raised a national draw's peak by 250 MB.
const BLOCK: usize = if cfg!(test) { 4 } else { 1 << 16 };

/// The hashes of the ids seen, in blocks of one part each.
#[derive(Debug, Default)]
pub(crate) struct IdHashes {
    /// The block being filled, for each part (empty until the first hash).
    filling: Vec<Vec<u64>>,
    /// Blocks no longer filled here, with their part.
    done: Vec<(usize, Vec<u64>)>,
}

/// A fixed-key hash: the same id gives the same value in the scan and in the re-check.
/// foldhash is several times faster than SipHash on short ids; hash quality only decides
/// how often the file is re-read for ids that merely share a hash.
fn hash_id(id: &str) -> u64 {
    let mut hasher = FixedState::with_seed(0x05EE_D1D5).build_hasher();
    hasher.write(id.as_bytes());
    hasher.finish()
}

impl IdHashes {
    pub fn add(&mut self, id: &str) {
        let hash = hash_id(id);
        if self.filling.is_empty() {
            self.filling = vec![Vec::new(); PARTS];
        }
        let part = (hash >> 56) as usize;
        let block = &mut self.filling[part];
        if block.len() == block.capacity() {
            let full = std::mem::replace(block, Vec::with_capacity(BLOCK));
            if !full.is_empty() {
                self.done.push((part, full));
            }
        }
        block.push(hash);
    }

    /// Adds the hashes another thread collected.
    pub fn merge(&mut self, mut other: IdHashes) {
        other.retire();
        self.done.append(&mut other.done);
    }

    /// Moves the blocks being filled to the done ones.
    fn retire(&mut self) {
        for (part, block) in std::mem::take(&mut self.filling).into_iter().enumerate() {
            if !block.is_empty() {
                self.done.push((part, block));
            }
        }
    }

    /// Hashes seen more than once: real duplicates or (rarely) two ids with one hash.
    fn repeated(&mut self) -> HashSet<u64> {
        // The hashes are not needed after this; their memory goes back before re-reading.
        self.retire();
        let mut parts: Vec<Vec<Vec<u64>>> = vec![Vec::new(); PARTS];
        for (part, block) in std::mem::take(&mut self.done) {
            parts[part].push(block);
        }
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let per_core = parts.len().div_ceil(cores).max(1);
        std::thread::scope(|scope| {
            let handles: Vec<_> = parts
                .chunks_mut(per_core)
                .map(|some| {
                    scope.spawn(move || some.iter_mut().flat_map(repeats).collect::<Vec<u64>>())
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| {
                    h.join()
                        .unwrap_or_else(|p| std::panic::resume_unwind(p))
                        .into_iter()
                })
                .collect::<HashSet<u64>>()
        })
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
            let Some((id, key)) = row_id(row, layout) else {
                return ControlFlow::Continue(());
            };
            if repeated.contains(&hash_id(&key)) {
                match first_lines.get(&key) {
                    Some(&first_line) => {
                        let problem = Problem::DuplicateId {
                            id: id.into_owned(),
                            first_line,
                        };
                        errors.push(row.line, Some(layout.label(crate::frame::ID)), problem);
                    }
                    None => {
                        first_lines.insert(key, row.line);
                    }
                }
            }
            ControlFlow::Continue(())
        })
    }
}

/// The repeated hashes of one part: its blocks joined and sorted (and freed after).
fn repeats(blocks: &mut Vec<Vec<u64>>) -> Vec<u64> {
    let mut all = std::mem::take(blocks).concat();
    all.sort_unstable();
    let mut repeated: Vec<u64> = all
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    repeated.dedup();
    repeated
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_found_within_and_across_threads() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut random = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let a: Vec<String> = (0..5000).map(|_| random().to_string()).collect();
        let mut b: Vec<String> = (0..3000).map(|_| random().to_string()).collect();
        b.extend_from_slice(&a[10..13]); // across threads
        let twice_in_a = a[100].clone();
        let (mut first, mut second) = (IdHashes::default(), IdHashes::default());
        a.iter().for_each(|id| first.add(id));
        first.add(&twice_in_a); // within one thread
        b.iter().for_each(|id| second.add(id));
        first.merge(second);
        let mut found: Vec<u64> = first.repeated().into_iter().collect();
        found.sort_unstable();
        let mut expected: Vec<u64> = [&a[10], &a[11], &a[12], &twice_in_a]
            .iter()
            .map(|id| hash_id(id))
            .collect();
        expected.sort_unstable();
        assert_eq!(found, expected);
        assert!(
            first.filling.is_empty() && first.done.is_empty(),
            "memory handed back"
        );
        assert!(IdHashes::default().repeated().is_empty());
    }
}
