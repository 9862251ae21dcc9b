//! The census on PostgreSQL (issue 15, docs/census.md "PostgreSQL"): when many offices load
//! returns at once, the census store's rows go to PostgreSQL instead of the Parquet dataset.
//!
//! For:
//! - the layout ([`CensusDb::ensure_census_schema`]): `census_returns`, `census_members`,
//!   `census_register` (the columns of [`ReturnRow`], [`MemberRow`], [`RegisterRow`]),
//!   partitioned by LIST on `province_code` (a partition per province, made on demand), every
//!   key led by `county_code` so that Citus can distribute the same tables by county; and
//!   `census_ingest_checkpoints` (how far each input has been loaded);
//! - loads through `COPY ... FROM STDIN` ([`CensusDb::begin_batch`], [`Batch`]): a batch's
//!   returns, members and register rows and its checkpoint commit together or not at all;
//!   [`CensusDb::held_returns`] for an ingest to skip what it holds;
//! - [`PgSink`], the census ingest's `CensusSink` on these tables (returns and members by
//!   COPY, the refusals in `census_ingest_rejects`, the checkpoint in the same transaction),
//!   and [`PgRegisterLoad`] (a county's register rows replaced whole);
//! - reading back ([`CensusDb::returns`], [`CensusDb::members`], [`CensusDb::register`], as
//!   the Parquet dataset's read API) and the coverage and attainment counts in SQL
//!   ([`CensusDb::coverage`], [`CensusDb::attainment`]).
//!
//! Not for: SQLite (partitioning is PostgreSQL syntax, so these tables are not in the
//! portable migrations and are made only by [`CensusDb::ensure_census_schema`]); reading or
//! judging returns (the caller hands over rows `assess-census` made); the audit log (a
//! census load is recorded by its checkpoint, not entry by entry).

mod copy;
mod queries;
mod schema;
mod sink;

pub use assess_census::{MemberRow, RegisterRow, ReturnRow};
pub use copy::Batch;
pub use queries::{attainment_sql, coverage_sql, Attainment, Coverage, Level, Scope, Tally};
pub use sink::{input_key, PgRegisterLoad, PgSink};

use crate::url::{Backend, DbUrl};
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Why a census load or query failed.
#[derive(Debug, thiserror::Error)]
pub enum CensusDbError {
    /// The census tables are PostgreSQL only.
    #[error(
        "{0} is not a PostgreSQL database: the census tables are kept in PostgreSQL only (the \
         embedded census store is the Parquet dataset); give a postgres:// URL"
    )]
    NotPostgres(String),
    /// The URL is neither SQLite nor PostgreSQL.
    #[error(transparent)]
    Url(#[from] crate::StoreError),
    /// The server could not be reached or refused a statement.
    #[error("database {url}")]
    Database {
        /// The database URL, without password.
        url: String,
        /// The driver's message.
        #[source]
        cause: sqlx::Error,
    },
    /// A row's province is not two digits or not its county's first two.
    #[error(
        "{table}, row {key}: province code {province:?} is not the first two digits of county \
         code {county:?}; nothing of the batch was written"
    )]
    BadProvince {
        /// The table.
        table: &'static str,
        /// The row's key (return or household id).
        key: String,
        /// The province code given.
        province: String,
        /// The county code given.
        county: String,
    },
    /// A province code that is not two digits.
    #[error("{0:?} is not a province code (two digits)")]
    NotAProvince(String),
    /// A text holds a NUL character, which PostgreSQL text cannot hold.
    #[error(
        "{table}, row {key}, column {column}: the text holds a NUL character, which PostgreSQL \
         cannot store; nothing of the batch was written"
    )]
    Nul {
        /// The table.
        table: &'static str,
        /// The row's key.
        key: String,
        /// The column.
        column: &'static str,
    },
    /// A batch would move an input's checkpoint back.
    #[error(
        "input {input}: its load is recorded up to offset {stored}, and this batch ends at \
         {given}; nothing of the batch was written (is another load of the same input running?)"
    )]
    CheckpointBehind {
        /// The input's identity.
        input: String,
        /// The offset recorded.
        stored: u64,
        /// The offset of the batch.
        given: u64,
    },
    /// A batch whose copy failed cannot be committed.
    #[error(
        "a copy of this batch failed, so the batch was rolled back; nothing of it was written"
    )]
    BatchFailed,
    /// The async runtime a synchronous caller needs could not be started.
    #[error("starting the async runtime")]
    Runtime(#[source] std::io::Error),
    /// A stored value is not one a census row can hold.
    #[error("{table}, row {key}: {column} is {value:?}, which no census row holds")]
    BadValue {
        /// The table.
        table: &'static str,
        /// The row's key.
        key: String,
        /// The column.
        column: &'static str,
        /// The value found.
        value: String,
    },
}

impl CensusDbError {
    fn sqlstate(&self) -> Option<String> {
        match self {
            CensusDbError::Database { cause, .. } => cause
                .as_database_error()
                .and_then(|d| d.code())
                .map(|c| c.into_owned()),
            _ => None,
        }
    }

    /// The server aborted the batch because of a concurrent writer (serialisation failure,
    /// deadlock): repeating the whole batch may succeed.
    pub fn is_conflict(&self) -> bool {
        matches!(self.sqlstate().as_deref(), Some("40001" | "40P01"))
    }

    /// A row's key is already held (a return id loaded before, or twice in the batch):
    /// repeating will not help; skip what [`CensusDb::held_returns`] lists.
    pub fn is_duplicate(&self) -> bool {
        self.sqlstate().as_deref() == Some("23505")
    }
}

/// How far one input (a file, an upload) has been loaded: what a resumed load starts from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Checkpoint {
    /// The input's identity, as the loader names it (e.g. the file's SHA-256).
    pub input: String,
    /// The offset reached (bytes or lines, as the loader counts): everything before it is in
    /// the database.
    pub offset: u64,
    /// Returns loaded from this input, all batches together.
    pub returns: u64,
    /// Member rows loaded.
    pub members: u64,
    /// Register rows loaded.
    pub register: u64,
    /// When the last batch committed, RFC 3339 UTC.
    pub updated_at: String,
}

/// A batch's rows with those already held taken out ([`unheld`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Unheld {
    /// Returns to copy: not held.
    pub returns: Vec<ReturnRow>,
    /// The members of those returns.
    pub members: Vec<MemberRow>,
    /// Returns held with the same content hash: skipped (a resumed or repeated load).
    pub skipped: u64,
    /// Returns whose id is held with another content hash: not copied, for the caller to
    /// report (return id, hash held, hash given). A return is never silently replaced.
    pub conflicts: Vec<(String, String, String)>,
}

/// Takes out of a batch the returns `held` already has (by id; see
/// [`CensusDb::held_returns`]) and their members, and adds the others to `held`, so that an
/// id repeated later in the same load is seen too. No I/O.
pub fn unheld(
    returns: Vec<ReturnRow>,
    members: Vec<MemberRow>,
    held: &mut HashMap<String, String>,
) -> Unheld {
    let mut out = Unheld::default();
    let mut dropped = std::collections::HashSet::new();
    for r in returns {
        match held.get(&r.return_id) {
            Some(hash) if *hash == r.content_sha256 => {
                out.skipped += 1;
                dropped.insert(r.return_id);
            }
            Some(hash) => {
                out.conflicts
                    .push((r.return_id.clone(), hash.clone(), r.content_sha256));
                dropped.insert(r.return_id);
            }
            None => {
                held.insert(r.return_id.clone(), r.content_sha256.clone());
                out.returns.push(r);
            }
        }
    }
    // A return kept here keeps its members, even when its id came again later in the batch
    // (that later return is skipped or a conflict: its members, under the same return id, are
    // told from the first's only by being repeats, and go).
    let kept: std::collections::HashSet<&str> =
        out.returns.iter().map(|r| r.return_id.as_str()).collect();
    let mut seen = std::collections::HashSet::new();
    let members = members
        .into_iter()
        .filter(|m| {
            (kept.contains(&*m.return_id) || !dropped.contains(&*m.return_id))
                && seen.insert((m.return_id.clone(), m.member_id.clone()))
        })
        .collect();
    out.members = members;
    out
}

/// A connection pool to the census tables of a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct CensusDb {
    pool: PgPool,
    url: DbUrl,
    /// Provinces whose partitions are known to exist.
    partitions: Arc<Mutex<std::collections::HashSet<String>>>,
}

impl CensusDb {
    /// Connects to a PostgreSQL database (a SQLite path is refused: the census tables are
    /// PostgreSQL only). Nothing is created: see [`CensusDb::ensure_census_schema`].
    pub async fn connect(url: &str) -> Result<CensusDb, CensusDbError> {
        let url = DbUrl::parse(url)?;
        if url.backend != Backend::Postgres {
            return Err(CensusDbError::NotPostgres(url.display()));
        }
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(30))
            .connect(&url.connect_string())
            .await
            .map_err(|cause| CensusDbError::Database {
                url: url.display(),
                cause,
            })?;
        Ok(CensusDb {
            pool,
            url,
            partitions: Arc::default(),
        })
    }

    pub(crate) fn db_error(&self, cause: sqlx::Error) -> CensusDbError {
        CensusDbError::Database {
            url: self.url.display(),
            cause,
        }
    }

    /// The return id and content hash of every return of a county held: what an ingest
    /// skips (the same id and hash) or refuses (the same id, another hash).
    pub async fn held_returns(
        &self,
        county: &str,
    ) -> Result<HashMap<String, String>, CensusDbError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT return_id, content_sha256 FROM census_returns \
             WHERE county_code = $1 AND province_code = left($1, 2)",
        )
        .bind(county)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.db_error(e))?;
        Ok(rows.into_iter().collect())
    }

    /// The checkpoint of an input, if any batch of it has been loaded.
    pub async fn checkpoint(&self, input: &str) -> Result<Option<Checkpoint>, CensusDbError> {
        let row = sqlx::query_as::<_, copy::CheckpointRow>(copy::SELECT_CHECKPOINT)
            .bind(input)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.db_error(e))?;
        Ok(row.map(|r| r.into_checkpoint(input)))
    }

    /// Closes the connections.
    pub async fn close(self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, hash: &str) -> ReturnRow {
        ReturnRow {
            return_id: id.into(),
            household_id: "h".into(),
            province_code: "53".into(),
            county_code: "530128".into(),
            village_code: "530128100001".into(),
            enumerator_id: "e".into(),
            enumerator_home_county: "530129".into(),
            outcome: "dissolved",
            content_sha256: hash.into(),
            ..Default::default()
        }
    }

    fn member(return_id: &str) -> MemberRow {
        MemberRow {
            return_id: return_id.into(),
            household_id: "h".into(),
            county_code: "530128".into(),
            village_code: "530128100001".into(),
            member_id: "1".into(),
            id_number: None,
            age: None,
            sex: None,
        }
    }

    /// Held with the same hash: skipped with its members; with another hash: a conflict;
    /// new: kept, and an id repeated later in the load is then held.
    #[test]
    fn held_returns_are_skipped_and_changed_ones_reported() {
        let mut held = HashMap::from([
            ("r1".to_string(), "a".to_string()),
            ("r2".to_string(), "b".to_string()),
        ]);
        let out = unheld(
            vec![
                row("r1", "a"),
                row("r2", "x"),
                row("r3", "c"),
                row("r3", "c"),
            ],
            vec![member("r1"), member("r2"), member("r3"), member("r3")],
            &mut held,
        );
        assert_eq!(out.returns, [row("r3", "c")]);
        assert_eq!(out.members, [member("r3")]);
        assert_eq!(out.skipped, 2);
        assert_eq!(out.conflicts, [("r2".into(), "b".into(), "x".into())]);
        assert_eq!(held["r3"], "c");
    }
}
