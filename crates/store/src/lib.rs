//! The survey database. A SQLite file is the embedded default (no server); a `postgres://`
//! URL selects PostgreSQL for national scale. Both run the same migrations
//! (`crates/store/migrations`, portable SQL) through sqlx's `Any` driver, so every command
//! and every test runs unchanged on either.
//!
//! Main items: [`Store::open`] (connect and migrate), [`Store::import_draw`] (load a checked
//! draw directory, idempotently and atomically), [`Store::draws`], [`Store::sample`].
//!
//! Every write transaction also appends its entries to the hash-chained audit log, in the
//! same transaction, under the store's actor ([`Store::as_actor`]); [`Store::audit_snapshot`]
//! reads the log and the stored objects' content hashes for verification (`audit`,
//! docs/audit.md).
//!
//! [`census`]: the census store on PostgreSQL (tables partitioned by province and keyed by
//! county, loads through `COPY` with checkpoints, coverage and attainment in SQL), for when
//! many offices load at once; PostgreSQL only, outside the portable migrations.
//!
//! Not for: deciding anything. This crate is the only one that knows SQL, and it knows
//! nothing else: it stores values that the other crates have parsed and checked.
#![deny(missing_docs)]

pub mod accounts;
pub mod audit;
pub mod census;
mod check_input;
mod evidence;
mod import;
mod lineage;
pub mod photos;
mod progress;
mod records;
mod review;
mod uploads;
mod url;
mod verdict;

pub use accounts::AccountsError;
pub use check_input::DrawForCheck;
pub use evidence::{EvidenceKept, EvidenceKind, StoredEvidence};
pub use import::{DrawFacts, ImportOutcome};
pub use progress::{Progress, ProgressRow};
pub use records::{RecordsError, VisitImport, VisitRow};
pub use review::{Appeals, FindingStatus, ReviewError, StepRecorded, StepRow};
pub use uploads::{Conflict, Upload, UploadAnswer, UploadOutcome};
pub use url::{Backend, DbUrl};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use std::time::Duration;

/// How long a SQLite writer waits for another writer's transaction to end before giving up
/// (`PRAGMA busy_timeout`): an import of a national draw's records takes well under this.
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// Attempts of a write transaction that PostgreSQL aborted because a concurrent writer
/// touched the same rows (serialisation failure, deadlock, or the same key inserted first).
const WRITE_ATTEMPTS: u32 = 8;

/// An error that a repeat of the whole transaction can resolve.
pub(crate) trait Retryable {
    /// The database aborted the transaction because of a concurrent writer.
    fn is_conflict(&self) -> bool;
}

impl Retryable for sqlx::Error {
    fn is_conflict(&self) -> bool {
        // PostgreSQL SQLSTATEs: 40001 serialization_failure, 40P01 deadlock_detected,
        // 23505 unique_violation (another writer inserted the same key first). SQLite
        // serialises writers (BEGIN IMMEDIATE), so none of these arise there.
        let code = self.as_database_error().and_then(|d| d.code());
        matches!(code.as_deref(), Some("40001" | "40P01" | "23505"))
    }
}

impl Retryable for StoreError {
    fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Database { cause, .. } if cause.is_conflict())
    }
}

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database named is not a SQLite path or a PostgreSQL URL.
    #[error(
        "{0:?} is neither a SQLite file path (e.g. assess.db or sqlite://assess.db) nor a \
         postgres:// URL"
    )]
    BadUrl(String),
    /// The database could not be reached or refused a statement.
    #[error("database {url}")]
    Database {
        /// The database URL, without password.
        url: String,
        /// The driver's message.
        #[source]
        cause: sqlx::Error,
    },
    /// A migration failed.
    #[error("database {url}: migrating the schema failed")]
    Migrate {
        /// The database URL, without password.
        url: String,
        /// The migrator's message.
        #[source]
        cause: sqlx::migrate::MigrateError,
    },
    /// A draw with the same id but different content is already in the database.
    #[error("draw {0} is already in the database with different content; a draw is never silently replaced")]
    DrawConflict(String),
    /// An extension of a draw is imported before the draw it extends.
    #[error(
        "draw {draw} extends draw {base}, which is not in the database: import the first \
         phase's draw first (its records are kept under it)"
    )]
    BaseNotImported {
        /// The extension.
        draw: String,
        /// The draw it extends.
        base: String,
    },
    /// The SQLite file named does not exist (only `create` makes one).
    #[error(
        "{0} does not exist: no database was created (a mistyped path would otherwise start an \
         empty one); create it first"
    )]
    NoDatabase(String),
    /// Other writers kept the database busy: nothing was written.
    #[error(
        "database {url}: other assess commands kept writing the same data ({attempts} attempts \
         over {waited_s} s); nothing was written: run the command again"
    )]
    Busy {
        /// The database URL, without password.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// Seconds waited in all.
        waited_s: u64,
    },
    /// A fact about a draw (its time, a village centre) is stored with another value.
    #[error("{0}; a recorded fact is never silently replaced")]
    FactConflict(String),
}

/// A connected, migrated store.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    url: DbUrl,
    /// Who writes: the actor of the audit entries this store appends.
    actor: std::sync::Arc<str>,
}

/// The actor of stores opened in this process until [`Store::as_actor`] names another (the
/// command line sets `cli:USER` once at start); `unattributed` when never set.
static DEFAULT_ACTOR: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Sets the actor of every store this process opens from now on (the first call wins); a
/// server names each request's account with [`Store::as_actor`] instead.
pub fn set_default_actor(actor: &str) {
    let _ = DEFAULT_ACTOR.set(actor.to_string());
}

fn default_actor() -> std::sync::Arc<str> {
    DEFAULT_ACTOR
        .get()
        .map_or("unattributed", String::as_str)
        .into()
}

/// A draw in the store.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DrawSummary {
    /// The draw's id: its sample.csv SHA-256.
    pub draw_id: String,
    /// Plan name.
    pub plan_name: String,
    /// Register fingerprint.
    pub frame_fingerprint: String,
    /// Households in the sample (primaries and reserves).
    pub households: i64,
    /// Villages in the sample.
    pub villages: i64,
}

impl Store {
    /// Connects to an existing database and brings the schema up to date. A SQLite file that
    /// does not exist is refused ([`StoreError::NoDatabase`]): only [`Store::create`] makes
    /// one, so that a mistyped path never starts an empty database.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let parsed = DbUrl::parse(url)?;
        if let Some(path) = parsed.sqlite_path() {
            if !path.exists() {
                return Err(StoreError::NoDatabase(parsed.display()));
            }
        }
        Store::create(url).await
    }

    /// Connects, creating a SQLite file (mode 0600) if there is none, and brings the schema up
    /// to date (`assess init`).
    pub async fn create(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let url = DbUrl::parse(url)?;
        let pool = connect(&url).await?;
        let store = Store {
            pool,
            url,
            actor: default_actor(),
        };
        sqlx::migrate!("./migrations")
            .run(&store.pool)
            .await
            .map_err(|cause| StoreError::Migrate {
                url: store.url.display(),
                cause,
            })?;
        store.audit_baseline().await?;
        Ok(store)
    }

    /// The same store (the connections are shared) writing as `actor`: its writes' audit
    /// entries name it (a server calls this per request with the account's name).
    pub fn as_actor(&self, actor: &str) -> Store {
        Store {
            pool: self.pool.clone(),
            url: self.url.clone(),
            actor: actor.into(),
        }
    }

    /// Who this store's writes are logged as.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.url.backend
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Begins a transaction that writes. SQLite: `BEGIN IMMEDIATE` takes the write lock at
    /// once, so a second writer waits (busy timeout) instead of failing when it first writes
    /// after reading. PostgreSQL: SERIALIZABLE, so that a concurrent import of the same
    /// records fails as a conflict and is repeated ([`Store::retrying`]) rather than
    /// interleaving. Every write appends to the audit log, whose entries form one chain, so
    /// on PostgreSQL the transaction first locks `audit_log` against other writers (readers
    /// go on): taken before the first query, the lock precedes the transaction's snapshot,
    /// which therefore sees the entries of every writer before it.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.url.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => {
                let mut tx = self
                    .pool
                    .begin_with("BEGIN ISOLATION LEVEL SERIALIZABLE")
                    .await?;
                sqlx::query("LOCK TABLE audit_log IN EXCLUSIVE MODE")
                    .execute(&mut *tx)
                    .await?;
                Ok(tx)
            }
        }
    }

    /// Runs a write transaction, repeating it (with a growing pause) when the database aborted
    /// it because of a concurrent writer; after [`WRITE_ATTEMPTS`] the error is
    /// [`StoreError::Busy`], which tells the user to run the command again.
    pub(crate) async fn retrying<T, E, F, Fut>(&self, mut attempt: F) -> Result<T, E>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, E>>,
        E: Retryable + From<StoreError>,
    {
        let started = std::time::Instant::now();
        let mut pause = Duration::from_millis(20);
        for n in 1..=WRITE_ATTEMPTS {
            match attempt().await {
                Err(e) if e.is_conflict() && n < WRITE_ATTEMPTS => {
                    tracing::info!(attempt = n, "a concurrent writer conflicted; repeating");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(2));
                }
                Err(e) if e.is_conflict() => {
                    return Err(StoreError::Busy {
                        url: self.url.display(),
                        attempts: WRITE_ATTEMPTS,
                        waited_s: started.elapsed().as_secs(),
                    }
                    .into())
                }
                other => return other,
            }
        }
        unreachable!("the last attempt returns")
    }

    pub(crate) fn db_error(&self, cause: sqlx::Error) -> StoreError {
        StoreError::Database {
            url: self.url.display(),
            cause,
        }
    }

    /// Every draw in the store, by id.
    pub async fn draws(&self) -> Result<Vec<DrawSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.draw_id, d.plan_name, d.frame_fingerprint, \
               (SELECT COUNT(*) FROM sample_households h WHERE h.draw_id = d.draw_id), \
               (SELECT COUNT(*) FROM sample_villages v WHERE v.draw_id = d.draw_id) \
             FROM draws d ORDER BY d.draw_id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.db_error(e))?;
        rows.iter()
            .map(|r| summary(r).map_err(|e| self.db_error(e)))
            .collect()
    }

    /// The household ids of a draw's sample, in the order of its sample.csv.
    pub async fn sample(
        &self,
        draw_id: &str,
    ) -> Result<Vec<(String, String, Option<i64>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT household_id, role, reserve_rank FROM sample_households WHERE draw_id = $1 \
             ORDER BY village_code, CASE stratum WHEN 'exited' THEN 0 WHEN 'poor' THEN 1 ELSE 2 END, \
             CASE role WHEN 'primary' THEN 0 ELSE 1 END, ticket",
        )
        .bind(draw_id)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.db_error(e))?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.db_error(e))
    }

    /// Closes the connections.
    pub async fn close(self) {
        self.pool.close().await;
    }
}

fn summary(r: &AnyRow) -> Result<DrawSummary, sqlx::Error> {
    Ok(DrawSummary {
        draw_id: r.try_get(0)?,
        plan_name: r.try_get(1)?,
        frame_fingerprint: r.try_get(2)?,
        households: r.try_get(3)?,
        villages: r.try_get(4)?,
    })
}

/// Creates a new SQLite file readable and writable by its owner only (0600): the database
/// holds identity numbers. SQLite gives its WAL and SHM files the database file's mode. An
/// existing file keeps its mode.
fn create_private(path: &std::path::Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

async fn connect(url: &DbUrl) -> Result<AnyPool, StoreError> {
    let sqlite = url.backend == Backend::Sqlite;
    if let Some(path) = url.sqlite_path() {
        create_private(path).map_err(|e| StoreError::Database {
            url: url.display(),
            cause: sqlx::Error::Io(e),
        })?;
    }
    let pool = AnyPoolOptions::new()
        .max_connections(if sqlite { 4 } else { 8 })
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if sqlite {
                    // Per-connection settings: referential integrity on, and wait for a busy
                    // writer instead of failing at once (field laptops run several commands).
                    sqlx::query("PRAGMA foreign_keys = ON")
                        .execute(&mut *conn)
                        .await?;
                    let busy = format!("PRAGMA busy_timeout = {}", SQLITE_BUSY_TIMEOUT.as_millis());
                    sqlx::query(sqlx::AssertSqlSafe(busy))
                        .execute(&mut *conn)
                        .await?;
                    // A 32 MiB page cache a connection (SQLite's default is 2 MiB): a server's
                    // uploads otherwise read the same index pages from the OS again and again.
                    sqlx::query("PRAGMA cache_size = -32768")
                        .execute(&mut *conn)
                        .await?;
                }
                Ok(())
            })
        })
        .acquire_timeout(Duration::from_secs(30))
        .connect(&url.connect_string())
        .await
        .map_err(|cause| StoreError::Database {
            url: url.display(),
            cause,
        })?;
    if sqlite {
        // WAL is a property of the file: readers never block the writer.
        sqlx::query("PRAGMA journal_mode = WAL")
            .execute(&pool)
            .await
            .map_err(|cause| StoreError::Database {
                url: url.display(),
                cause,
            })?;
    }
    Ok(pool)
}

/// The current time, RFC 3339 in UTC, to the second (when a record or photo was stored).
pub(crate) fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

#[cfg(test)]
mod retry_tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A database error with a given SQLSTATE, as PostgreSQL reports a conflict.
    #[derive(Debug)]
    struct Conflict(&'static str);

    impl std::fmt::Display for Conflict {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "conflict {}", self.0)
        }
    }

    impl std::error::Error for Conflict {}

    impl sqlx::error::DatabaseError for Conflict {
        fn message(&self) -> &str {
            "could not serialize access"
        }
        fn code(&self) -> Option<std::borrow::Cow<'_, str>> {
            Some(self.0.into())
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> sqlx::error::ErrorKind {
            sqlx::error::ErrorKind::Other
        }
    }

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("t.db").display().to_string();
        let store = Store::create(&url).await.unwrap();
        (dir, store)
    }

    /// A conflict twice, then success: the third attempt's result is returned.
    #[tokio::test]
    async fn a_conflicting_transaction_is_repeated_until_it_succeeds() {
        let (_dir, store) = store().await;
        let calls = AtomicU32::new(0);
        let result: Result<u32, StoreError> = store
            .retrying(|| async {
                let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
                if n < 3 {
                    Err(store.db_error(sqlx::Error::Database(Box::new(Conflict("40001")))))
                } else {
                    Ok(n)
                }
            })
            .await;
        assert_eq!(result.unwrap(), 3);
    }

    /// A conflict every time ends, after the stated attempts, in the "run it again" message;
    /// any other error is returned at once.
    #[tokio::test]
    async fn endless_conflicts_end_in_a_clear_retry_message_and_other_errors_at_once() {
        let (_dir, store) = store().await;
        let calls = AtomicU32::new(0);
        let result: Result<(), StoreError> = store
            .retrying(|| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(store.db_error(sqlx::Error::Database(Box::new(Conflict("23505")))))
            })
            .await;
        assert_eq!(calls.load(Ordering::SeqCst), WRITE_ATTEMPTS);
        let message = result.unwrap_err().to_string();
        assert!(message.contains("run the command again"), "{message}");
        assert!(message.contains("nothing was written"), "{message}");
        let calls = AtomicU32::new(0);
        let result: Result<(), StoreError> = store
            .retrying(|| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(store.db_error(sqlx::Error::Database(Box::new(Conflict("23503")))))
            })
            .await;
        assert!(matches!(result, Err(StoreError::Database { .. })));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}

#[cfg(all(test, unix))]
mod permission_tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// The database, its WAL and its SHM file are the owner's alone: they hold identity
    /// numbers. (Under the usual umask 022 SQLite alone would make them 0644.)
    #[tokio::test]
    async fn a_new_database_and_its_wal_and_shm_files_are_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("assess.db");
        let store = Store::create(&path.display().to_string()).await.unwrap();
        // The schema is written by now, so the WAL and SHM files exist while the pool is open.
        for suffix in ["", "-wal", "-shm"] {
            let file = dir.path().join(format!("assess.db{suffix}"));
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", file.display());
        }
        store.close().await;
    }
}
