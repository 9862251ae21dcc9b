//! Household-id uniqueness in bounded memory: one 64-bit hash per household (240 MB for 30
//! million). Each checking thread keeps its own list; at the end each list is sorted on its
//! own core by a radix pass on the top byte (in place) and a sort of each of the 256 parts,
//! which fit in cache. Only hashes that occur twice send us back to the file, which is
//! re-read for just those ids to confirm real duplicates and name their first line.

use crate::error::{ErrorList, Problem, RegisterError};
use crate::frame::row_id;
use crate::source::{Layout, Source};
use foldhash::fast::FixedState;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::ops::ControlFlow;

/// The hashes of the ids seen, one list per checking thread.
#[derive(Debug, Default)]
pub(crate) struct IdHashes {
    lists: Vec<Vec<u64>>,
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
        match self.lists.last_mut() {
            Some(list) => list.push(hash),
            None => self.lists.push(vec![hash]),
        }
    }

    /// Adds the hashes another thread collected.
    pub fn merge(&mut self, other: IdHashes) {
        self.lists
            .extend(other.lists.into_iter().filter(|l| !l.is_empty()));
    }

    /// Hashes seen more than once: real duplicates or (rarely) two ids with one hash.
    fn repeated(&mut self) -> HashSet<u64> {
        // The hashes are not needed after this; their memory goes back before re-reading.
        let mut lists = std::mem::take(&mut self.lists);
        let parts: Vec<[usize; 257]> = std::thread::scope(|scope| {
            let handles: Vec<_> = lists
                .iter_mut()
                .map(|list| scope.spawn(move || sort(list)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        // A hash repeated within one list is adjacent there; across lists, it is in the
        // same part of each (same top byte).
        let mut repeated = HashSet::new();
        let (mut part, mut merged) = (Vec::new(), Vec::new());
        for byte in 0..256 {
            part.clear();
            for (list, starts) in lists.iter().zip(&parts) {
                merge(&part, &list[starts[byte]..starts[byte + 1]], &mut merged);
                std::mem::swap(&mut part, &mut merged);
            }
            repeated.extend(part.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]));
        }
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

/// Merges two sorted slices into `out`.
fn merge(a: &[u64], b: &[u64], out: &mut Vec<u64>) {
    out.clear();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
}

/// Sorts `list`: one radix pass on the top byte, in place (American flag sort), then each
/// of the 256 parts on its own. Returns where each part starts (and the end).
fn sort(list: &mut [u64]) -> [usize; 257] {
    let top = |h: u64| (h >> 56) as usize;
    let mut starts = [0usize; 257];
    for &h in list.iter() {
        starts[top(h) + 1] += 1;
    }
    for byte in 0..256 {
        starts[byte + 1] += starts[byte];
    }
    // Swap each hash into the next free place of its part until every part is full.
    let mut next = starts;
    for byte in 0..256 {
        while next[byte] < starts[byte + 1] {
            let mut h = list[next[byte]];
            while top(h) != byte {
                let home = top(h);
                std::mem::swap(&mut h, &mut list[next[home]]);
                next[home] += 1;
            }
            list[next[byte]] = h;
            next[byte] += 1;
        }
    }
    for byte in 0..256 {
        list[starts[byte]..starts[byte + 1]].sort_unstable();
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_sort_sorts_and_finds_repeats_across_lists() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut random = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut a: Vec<u64> = (0..5000).map(|_| random()).collect();
        let mut b: Vec<u64> = (0..3000).map(|_| random() >> (random() % 64)).collect();
        b.extend_from_slice(&a[10..13]);
        a.push(a[100]);
        let mut expected: Vec<u64> = a.iter().chain(&b).copied().collect();
        expected.sort_unstable();
        let mut repeats: Vec<u64> = expected
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        repeats.dedup();
        let mut sorted = a.clone();
        let starts = sort(&mut sorted);
        let mut check = a.clone();
        check.sort_unstable();
        assert_eq!(sorted, check);
        assert_eq!(starts[256], a.len());
        let mut ids = IdHashes { lists: vec![a, b] };
        let mut found: Vec<u64> = ids.repeated().into_iter().collect();
        found.sort_unstable();
        assert_eq!(found, repeats);
    }
}
