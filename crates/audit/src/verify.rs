//! Verification: the chain itself (every entry still hashes to its hash, follows the one
//! before it, and none is missing or out of place), then the stored objects against what the
//! log says was written.

use crate::entry::{Entry, ObjectKind, ObjectRef, GENESIS};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Past this many entries that fail their own hash, they are not searched for a reordering
/// (the search compares each with each).
const REORDER_SEARCH_LIMIT: usize = 2_000;

/// The stored objects as they are now, each with its content hash recomputed from its content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectView {
    /// The kinds the view covers: an entry of another kind (say an account) is checked as part
    /// of the chain only.
    pub kinds: BTreeSet<ObjectKind>,
    /// Every stored object of those kinds with its content hash.
    pub objects: BTreeMap<ObjectRef, String>,
}

/// One thing found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The entry's fields no longer give its hash.
    EntryChanged {
        /// Its sequence number.
        sequence: i64,
    },
    /// Entries missing from the sequence.
    EntriesDeleted {
        /// The first missing.
        from: i64,
        /// The last missing.
        to: i64,
    },
    /// The entry now at `at` hashes as the entry logged at `logged_as`: entries were
    /// reordered.
    EntryMoved {
        /// Where it is now.
        at: i64,
        /// Where it was logged.
        logged_as: i64,
    },
    /// The entry hashes correctly but does not name the entry before it: that one was
    /// replaced by one with a consistent hash of its own (or the first entry does not start
    /// the chain).
    ChainBroken {
        /// The entry whose previous-entry hash does not match.
        sequence: i64,
    },
    /// An object's content is not what the log says was written.
    ObjectChanged {
        /// The object.
        object: ObjectRef,
        /// The entry that last logged it.
        entry: i64,
    },
    /// An object the log says was written is not stored.
    ObjectDeleted {
        /// The object.
        object: ObjectRef,
        /// The entry that last logged it.
        entry: i64,
    },
    /// A stored object that no entry logs.
    ObjectNotLogged {
        /// The object.
        object: ObjectRef,
    },
    /// The signed head's signature does not verify with its key.
    HeadSignatureInvalid,
    /// The signed head was signed by another key than the one trusted.
    HeadKeyNotTrusted {
        /// The head's public key.
        signed_by: String,
        /// The key trusted.
        trusted: String,
    },
    /// The signed head's entry is not in the log any more.
    HeadEntryMissing {
        /// The head's sequence number.
        sequence: i64,
    },
    /// The entry at the signed head's sequence is not the one that was signed.
    HeadEntryDiffers {
        /// The head's sequence number.
        sequence: i64,
        /// The hash signed.
        signed: String,
        /// The hash in the log now.
        now: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::EntryChanged { sequence } => write!(
                f,
                "entry {sequence} changed (its fields no longer give its hash)"
            ),
            Problem::EntriesDeleted { from, to } if from == to => {
                write!(f, "entry {from} deleted (the sequence skips it)")
            }
            Problem::EntriesDeleted { from, to } => {
                write!(
                    f,
                    "entries {from} to {to} deleted (the sequence skips them)"
                )
            }
            Problem::EntryMoved { at, logged_as } => write!(
                f,
                "entry {logged_as} moved to position {at}: entries were reordered"
            ),
            Problem::ChainBroken { sequence: 1 } => write!(
                f,
                "entry 1 does not start the chain (its previous-entry hash is not the genesis \
                 hash): entries before it were deleted, or it was replaced"
            ),
            Problem::ChainBroken { sequence } => write!(
                f,
                "entry {} was replaced: entry {sequence} was chained to another entry {}",
                sequence - 1,
                sequence - 1
            ),
            Problem::ObjectChanged { object, entry } => {
                write!(f, "{object} changed after it was logged (entry {entry})")
            }
            Problem::ObjectDeleted { object, entry } => {
                write!(f, "{object} deleted (logged by entry {entry})")
            }
            Problem::ObjectNotLogged { object } => write!(
                f,
                "{object} is stored but no entry logs it: it was written outside assess"
            ),
            Problem::HeadSignatureInvalid => write!(
                f,
                "the signed head's signature does not verify: the head file was changed or \
                 was not signed by its key"
            ),
            Problem::HeadKeyNotTrusted { signed_by, trusted } => write!(
                f,
                "the head was signed by key {signed_by}, not by the trusted key {trusted}"
            ),
            Problem::HeadEntryMissing { sequence } => write!(
                f,
                "the signed head's entry {sequence} is no longer in the log: the log was cut \
                 back or rewritten after the head was signed"
            ),
            Problem::HeadEntryDiffers {
                sequence,
                signed,
                now,
            } => write!(
                f,
                "entry {sequence} is not the one the head signed (hash {now}, signed {signed}): \
                 the log was rewritten after the head was signed"
            ),
        }
    }
}

/// What verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Entries read.
    pub entries: usize,
    /// The last entry's sequence number and hash, as stored (0 and [`GENESIS`] when empty).
    pub last: (i64, String),
    /// Stored objects checked.
    pub objects: usize,
    /// Entries that log objects made before the log began (baseline entries).
    pub baseline: usize,
    /// Every problem found: the chain's in sequence order, then the objects'.
    pub problems: Vec<Problem>,
}

impl Report {
    /// Whether nothing was found wrong.
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks `entries` (as stored, in ascending sequence order) and the stored objects in `view`
/// against them, and returns every problem found.
pub fn verify(entries: &[Entry], view: &ObjectView) -> Report {
    let mut problems = chain_problems(entries);
    // The last entry that logs each object of a covered kind.
    let mut logged: BTreeMap<ObjectRef, (&str, i64)> = BTreeMap::new();
    let mut baseline = 0;
    for e in entries {
        let object = e.object();
        if e.action.ends_with(&format!(".{}", crate::action::BASELINE)) {
            baseline += 1;
        }
        if view.kinds.contains(&object.kind) {
            logged.insert(object, (&e.content_sha256, e.sequence));
        }
    }
    for (object, (hash, entry)) in &logged {
        match view.objects.get(object) {
            None => problems.push(Problem::ObjectDeleted {
                object: object.clone(),
                entry: *entry,
            }),
            Some(now) if now != hash => problems.push(Problem::ObjectChanged {
                object: object.clone(),
                entry: *entry,
            }),
            Some(_) => {}
        }
    }
    for object in view.objects.keys() {
        if !logged.contains_key(object) {
            problems.push(Problem::ObjectNotLogged {
                object: object.clone(),
            });
        }
    }
    Report {
        entries: entries.len(),
        last: entries.last().map_or((0, GENESIS.to_string()), |e| {
            (e.sequence, e.entry_hash.clone())
        }),
        objects: view.objects.len(),
        baseline,
        problems,
    }
}

/// The chain's problems, in sequence order.
fn chain_problems(entries: &[Entry]) -> Vec<Problem> {
    let failing: Vec<usize> = (0..entries.len())
        .filter(|&i| entries[i].recomputed_hash() != entries[i].entry_hash)
        .collect();
    let bad: BTreeSet<i64> = failing.iter().map(|&i| entries[i].sequence).collect();
    let mut found: Vec<(i64, Problem)> = Vec::new();
    for &i in &failing {
        let e = &entries[i];
        // An entry that hashes as logged at another failing position was moved there.
        let moved_from = (failing.len() <= REORDER_SEARCH_LIMIT)
            .then(|| {
                bad.iter()
                    .copied()
                    .find(|&k| k != e.sequence && e.hash_at(k) == e.entry_hash)
            })
            .flatten();
        let problem = match moved_from {
            Some(k) => Problem::EntryMoved {
                at: e.sequence,
                logged_as: k,
            },
            None => Problem::EntryChanged {
                sequence: e.sequence,
            },
        };
        found.push((e.sequence, problem));
    }
    let mut expected = 1;
    let mut prev: Option<&Entry> = None;
    for e in entries {
        if e.sequence > expected {
            found.push((
                expected,
                Problem::EntriesDeleted {
                    from: expected,
                    to: e.sequence - 1,
                },
            ));
        } else if e.sequence == expected {
            let want = prev.map_or(GENESIS, |p| p.entry_hash.as_str());
            let prev_bad = prev.is_some_and(|p| bad.contains(&p.sequence));
            if e.prev_hash != want && !bad.contains(&e.sequence) && !prev_bad {
                found.push((
                    e.sequence,
                    Problem::ChainBroken {
                        sequence: e.sequence,
                    },
                ));
            }
        }
        // A sequence below 1 fails its own hash (it was changed) and is reported as such.
        expected = expected.max(e.sequence + 1);
        prev = Some(e);
    }
    found.sort_by_key(|(s, _)| *s);
    found.into_iter().map(|(_, p)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{action, NewEntry};

    /// A chain of `n` record entries, one per household H1, H2, ..., and the view of their
    /// objects as written.
    fn chain(n: usize) -> (Vec<Entry>, ObjectView) {
        let mut entries: Vec<Entry> = Vec::new();
        let mut view = ObjectView {
            kinds: [ObjectKind::Record, ObjectKind::Photo].into(),
            objects: BTreeMap::new(),
        };
        for i in 1..=n {
            let object = ObjectRef::record("D", &format!("H{i}"), 1);
            let hash = crate::sha256_hex(format!("content {i}").as_bytes());
            let prev = entries.last().map(|e| (e.sequence, e.entry_hash.as_str()));
            let e = Entry::next(
                prev,
                &format!("2026-12-06T08:00:{i:02}Z"),
                "cli:test",
                NewEntry::new(action::RECORD_VERSION, &object, hash.clone()),
            );
            entries.push(e);
            view.objects.insert(object, hash);
        }
        (entries, view)
    }

    fn problems(entries: &[Entry], view: &ObjectView) -> Vec<String> {
        verify(entries, view)
            .problems
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// Recomputes every hash from `from` on, as a forger who rewrites the rest of the log.
    fn rehash_from(entries: &mut [Entry], from: usize) {
        for i in from..entries.len() {
            if i > 0 {
                entries[i].prev_hash = entries[i - 1].entry_hash.clone();
            }
            entries[i].entry_hash = entries[i].recomputed_hash();
        }
    }

    #[test]
    fn an_intact_chain_and_its_objects_verify() {
        let (entries, view) = chain(5);
        let report = verify(&entries, &view);
        assert!(report.intact(), "{:?}", report.problems);
        assert_eq!((report.entries, report.objects), (5, 5));
        assert_eq!(report.last, (5, entries[4].entry_hash.clone()));
        let empty = verify(&[], &ObjectView::default());
        assert!(empty.intact());
        assert_eq!(empty.last, (0, GENESIS.to_string()));
    }

    #[test]
    fn a_changed_entry_is_named() {
        let (mut entries, view) = chain(5);
        entries[2].actor = "someone else".into();
        assert_eq!(
            problems(&entries, &view),
            ["entry 3 changed (its fields no longer give its hash)"]
        );
    }

    /// Changed and rehashed: the entry itself verifies, but the next one was chained to
    /// another entry 3.
    #[test]
    fn a_replaced_entry_with_a_consistent_hash_breaks_the_link_to_the_next() {
        let (mut entries, view) = chain(5);
        entries[2].time = "2026-12-07T00:00:00Z".into();
        entries[2].entry_hash = entries[2].recomputed_hash();
        assert_eq!(
            problems(&entries, &view),
            ["entry 3 was replaced: entry 4 was chained to another entry 3"]
        );
    }

    #[test]
    fn deleted_entries_are_named_and_their_objects_reported_unlogged() {
        let (mut entries, view) = chain(6);
        entries.remove(3);
        entries.remove(3);
        assert_eq!(
            problems(&entries, &view),
            [
                "entries 4 to 5 deleted (the sequence skips them)",
                "record D/H4 version 1 is stored but no entry logs it: it was written outside assess",
                "record D/H5 version 1 is stored but no entry logs it: it was written outside assess",
            ]
        );
        let (mut entries, view) = chain(3);
        entries.remove(0);
        let found = problems(&entries, &view);
        assert_eq!(found[0], "entry 1 deleted (the sequence skips it)");
    }

    /// Two entries swapped in place (their sequence numbers exchanged).
    #[test]
    fn swapped_entries_are_named_as_reordered() {
        let (mut entries, view) = chain(5);
        let (a, b) = (entries[1].clone(), entries[2].clone());
        entries[1] = Entry { sequence: 2, ..b };
        entries[2] = Entry { sequence: 3, ..a };
        assert_eq!(
            problems(&entries, &view),
            [
                "entry 3 moved to position 2: entries were reordered",
                "entry 2 moved to position 3: entries were reordered",
            ]
        );
    }

    #[test]
    fn objects_changed_deleted_or_unlogged_are_named_with_their_entry() {
        let (entries, mut view) = chain(4);
        view.objects
            .insert(ObjectRef::record("D", "H2", 1), "f".repeat(64));
        view.objects.remove(&ObjectRef::record("D", "H3", 1));
        view.objects
            .insert(ObjectRef::record("D", "H9", 1), "e".repeat(64));
        view.objects.insert(ObjectRef::photo("abc"), "abc".into());
        assert_eq!(
            problems(&entries, &view),
            [
                "record D/H2 version 1 changed after it was logged (entry 2)",
                "record D/H3 version 1 deleted (logged by entry 3)",
                "record D/H9 version 1 is stored but no entry logs it: it was written outside assess",
                "photo abc is stored but no entry logs it: it was written outside assess",
            ]
        );
    }

    /// The last entry for an object wins (a replaced photo link, a draw's added facts), and
    /// entries of kinds the view does not cover are checked as chain only.
    #[test]
    fn the_latest_entry_of_an_object_is_the_one_checked() {
        let (mut entries, mut view) = chain(2);
        let object = ObjectRef::record("D", "H1", 1);
        let prev = (entries[1].sequence, entries[1].entry_hash.clone());
        entries.push(Entry::next(
            Some((prev.0, &prev.1)),
            "2026-12-06T09:00:00Z",
            "cli:test",
            NewEntry::new("record.version", &object, "1".repeat(64)),
        ));
        let prev = (entries[2].sequence, entries[2].entry_hash.clone());
        entries.push(Entry::next(
            Some((prev.0, &prev.1)),
            "2026-12-06T09:00:01Z",
            "admin",
            NewEntry {
                action: "account.add".into(),
                key: "interviewer-1".into(),
                content_sha256: "2".repeat(64),
            },
        ));
        assert_eq!(
            problems(&entries, &view),
            ["record D/H1 version 1 changed after it was logged (entry 3)"]
        );
        view.objects.insert(object, "1".repeat(64));
        assert!(verify(&entries, &view).intact());
    }

    /// A forger who rewrites an entry and every later hash passes the chain check: only a
    /// signed head held elsewhere catches that (see head.rs), but the objects still do when
    /// the forger did not change them to match.
    #[test]
    fn a_consistently_rewritten_tail_passes_the_chain_but_not_the_objects() {
        let (mut entries, view) = chain(5);
        entries[1].content_sha256 = "9".repeat(64);
        rehash_from(&mut entries, 1);
        assert_eq!(
            problems(&entries, &view),
            ["record D/H2 version 1 changed after it was logged (entry 2)"]
        );
    }
}
