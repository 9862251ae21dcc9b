//! Where an ingest writes: the [`CensusSink`] trait and the values it is handed.
//!
//! The ingest pipeline (`assess-app`'s `census_ingest`) reads, judges and deduplicates
//! returns; a sink stores them. The census store's Parquet dataset
//! (`assess-census-store`) is one sink; a PostgreSQL sink (loaded with COPY) is another. A
//! sink commits a [`Batch`] and its [`Checkpoint`] together or not at all, so that an ingest
//! killed at any moment resumes from the last checkpoint with nothing lost and nothing twice.

use crate::row::{MemberRow, ReturnRow};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What identifies an input file across runs: its path as given, its size and the SHA-256 of
/// its first MiB. A file that grew, shrank or changed at its head is a new input (read from
/// its start, the returns already held skipped).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InputId {
    /// The path as the command line gave it.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 (hex) of the first MiB (the whole file when smaller).
    pub head_sha256: String,
}

/// Counts of one input, cumulative from its start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Returns read (valid or not).
    pub read: u64,
    /// Returns stored.
    pub stored: u64,
    /// Members stored.
    pub members: u64,
    /// Returns skipped: the same return (id and content) was already held.
    pub already_held: u64,
    /// Returns refused.
    pub rejected: u64,
}

impl Counts {
    /// The sum of two counts.
    pub fn plus(self, o: Counts) -> Counts {
        Counts {
            read: self.read + o.read,
            stored: self.stored + o.stored,
            members: self.members + o.members,
            already_held: self.already_held + o.already_held,
            rejected: self.rejected + o.rejected,
        }
    }
}

/// How far an input has been read and stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The input.
    pub input: InputId,
    /// Items the reader yielded so far (returns and refusals), in the reader's order.
    pub items: u64,
    /// Byte offset just after the last item (JSON Lines; 0 when not known).
    pub offset: u64,
    /// The last line read.
    pub line: u64,
    /// The whole input has been read.
    pub done: bool,
    /// Counts so far.
    pub counts: Counts,
}

/// A refused return: where it is and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reject {
    /// The file, as given.
    pub file: String,
    /// Its line (CSV: of the return's first row).
    pub line: u64,
    /// The return id, when it could be read.
    pub return_id: Option<String>,
    /// The field concerned.
    pub field: String,
    /// What is wrong and what to do (identity numbers masked).
    pub reason: String,
}

/// The rows of one checkpoint: returns and members of any counties, and the refusals.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// Returns to store.
    pub returns: Vec<ReturnRow>,
    /// Their members.
    pub members: Vec<MemberRow>,
    /// Returns refused since the last checkpoint.
    pub rejects: Vec<Reject>,
}

/// A store an ingest writes to.
pub trait CensusSink {
    /// The sink's error.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The returns held for a county: return id → content hash (hex). Called when the
    /// ingest first meets the county (and again after it dropped the map to bound memory).
    fn held(&mut self, county: &str) -> Result<HashMap<String, String>, Self::Error>;

    /// Stores a batch and its checkpoint, together or not at all. A sink may write in the
    /// background and return before the batch is durable: then an error of that commit is
    /// given by the next call of any method, and [`flush`](CensusSink::flush) waits for it.
    fn commit(&mut self, batch: Batch, checkpoint: &Checkpoint) -> Result<(), Self::Error>;

    /// Returns once every batch committed is durable (or gives the error that stopped one).
    /// The ingest calls it at the end of each input and after each upload, before it reports
    /// anything stored. A sink that commits at once has nothing to wait for.
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }

    /// An empty batch with room already made, when the sink has one (the batch of a commit it
    /// has finished, emptied): the ingest fills it next instead of a new one.
    fn spare(&mut self) -> Option<Batch> {
        None
    }

    /// The last checkpoint of an input, when it has one (a sink that must ask a server can
    /// fail to tell).
    fn checkpoint(&mut self, input: &InputId) -> Result<Option<Checkpoint>, Self::Error>;

    /// Every return of an input refused so far (in every run), in order.
    fn rejects(&mut self, input: &InputId) -> Result<Vec<Reject>, Self::Error>;
}
