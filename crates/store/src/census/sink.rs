//! [`PgSink`]: the census ingest's [`CensusSink`] on PostgreSQL, and [`PgRegisterLoad`].
//!
//! The ingest pipeline is synchronous and the database calls are async: the sink owns a
//! current-thread runtime and blocks on each call, as the command line's other synchronous
//! callers do. It must therefore be made and used outside any async runtime.

use super::copy::{check_provinces, copy_rows};
use super::schema::{self, is_province};
use super::{CensusDb, CensusDbError, RegisterRow};
use assess_census::{Batch, CensusSink, Checkpoint, InputId, Reject};
use sqlx::pool::PoolConnection;
use sqlx::Postgres;
use std::collections::{BTreeMap, HashMap};

/// Attempts of a batch that a concurrent loader aborted (serialisation failure, deadlock).
const ATTEMPTS: u32 = 8;

/// The pause before attempt `n + 1`: 20 ms, doubled each time, at most 2 s.
async fn pause(n: u32) {
    let ms = (20u64 << n.saturating_sub(1).min(7)).min(2000);
    tracing::info!(
        attempt = n,
        "a concurrent load conflicted; repeating the batch"
    );
    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
}

/// The census tables of a PostgreSQL database as an ingest's sink: `held` from
/// [`CensusDb::held_returns`], each batch's returns and members copied (COPY), its refusals
/// and its checkpoint written, in one transaction (repeated when a concurrent loader aborted
/// it), the checkpoint read back by input.
#[derive(Debug)]
pub struct PgSink {
    runtime: tokio::runtime::Runtime,
    db: CensusDb,
}

/// The key of an input in `census_ingest_checkpoints` and `census_ingest_rejects`: its head's
/// SHA-256, size and path (a file that changed is a new input, as in the Parquet store).
pub fn input_key(input: &InputId) -> String {
    format!("{}:{}:{}", input.head_sha256, input.size, input.path)
}

impl PgSink {
    /// Connects to a PostgreSQL database and makes the census tables if missing (a SQLite
    /// path is refused). Not from inside an async runtime: the sink runs its own.
    pub fn connect(url: &str) -> Result<PgSink, CensusDbError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(CensusDbError::Runtime)?;
        let db = runtime.block_on(async {
            let db = CensusDb::connect(url).await?;
            db.ensure_census_schema().await?;
            Ok::<_, CensusDbError>(db)
        })?;
        Ok(PgSink { runtime, db })
    }

    /// The database, for reading back (through [`PgSink::block_on`]).
    pub fn db(&self) -> &CensusDb {
        &self.db
    }

    /// Runs an async call of [`PgSink::db`] on the sink's runtime.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Starts loading a register: its households are copied to a staging table as they come,
    /// and [`PgRegisterLoad::finish`] replaces each county's register rows whole, one
    /// transaction a county. Dropped unfinished, it changes nothing.
    pub fn register_load(&mut self) -> Result<PgRegisterLoad<'_>, CensusDbError> {
        let db = self.db.clone();
        let conn = self.runtime.block_on(async {
            let mut conn = db.pool.acquire().await.map_err(|e| db.db_error(e))?;
            for sql in [
                "DROP TABLE IF EXISTS pg_temp.census_register_stage".to_string(),
                format!(
                    "CREATE TEMP TABLE census_register_stage ({})",
                    schema::REGISTER
                        .iter()
                        .map(|(name, ty)| format!("{name} {ty}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ] {
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut *conn)
                    .await
                    .map_err(|e| db.db_error(e))?;
            }
            Ok::<_, CensusDbError>(conn)
        })?;
        Ok(PgRegisterLoad {
            sink: self,
            conn: Some(conn),
            buffered: Vec::new(),
        })
    }

    /// Makes the partitions of a county's province, unless known to exist, so that no batch
    /// holds the table lock of a partition's creation.
    async fn ensure_province_of(&self, county: &str) -> Result<(), CensusDbError> {
        let province = county.get(..2).unwrap_or(county);
        let known = self
            .db
            .partitions
            .lock()
            .expect("the partition set is never poisoned")
            .contains(province);
        if known || !is_province(province) {
            // A bad code is refused with its row by the batch.
            return Ok(());
        }
        self.db.ensure_province(province).await
    }

    async fn commit_once(
        &self,
        batch: &Batch,
        key: &str,
        checkpoint: &Checkpoint,
        state: &str,
    ) -> Result<(), CensusDbError> {
        let mut tx = self.db.begin_batch().await?;
        tx.copy_returns(&batch.returns).await?;
        tx.copy_members(&batch.members).await?;
        tx.insert_rejects(key, &batch.rejects).await?;
        tx.commit_with(key, checkpoint.items, Some(state)).await?;
        Ok(())
    }
}

impl CensusSink for PgSink {
    type Error = CensusDbError;

    fn held(&mut self, county: &str) -> Result<HashMap<String, String>, CensusDbError> {
        self.runtime.block_on(async {
            self.ensure_province_of(county).await?;
            self.db.held_returns(county).await
        })
    }

    /// The batch's returns and members (COPY), its refusals and the checkpoint (its `items`
    /// as the offset, which never goes back) in one transaction, repeated when a concurrent
    /// loader aborted it.
    fn commit(&mut self, batch: Batch, checkpoint: &Checkpoint) -> Result<(), CensusDbError> {
        let key = input_key(&checkpoint.input);
        let state = serde_json::to_string(checkpoint).expect("a checkpoint serialises");
        self.runtime.block_on(async {
            let mut attempt = 1;
            loop {
                match self.commit_once(&batch, &key, checkpoint, &state).await {
                    Err(e) if e.is_conflict() && attempt < ATTEMPTS => {
                        pause(attempt).await;
                        attempt += 1;
                    }
                    other => return other,
                }
            }
        })
    }

    fn checkpoint(&mut self, input: &InputId) -> Result<Option<Checkpoint>, CensusDbError> {
        let key = input_key(input);
        let state: Option<(Option<String>,)> = self
            .runtime
            .block_on(
                sqlx::query_as(
                    "SELECT state::text FROM census_ingest_checkpoints WHERE input_id = $1",
                )
                .bind(&key)
                .fetch_optional(&self.db.pool),
            )
            .map_err(|e| self.db.db_error(e))?;
        let Some((Some(state),)) = state else {
            return Ok(None);
        };
        serde_json::from_str(&state)
            .map(Some)
            .map_err(|e| CensusDbError::BadValue {
                table: "census_ingest_checkpoints",
                key,
                column: "state",
                value: e.to_string(),
            })
    }

    fn rejects(&mut self, input: &InputId) -> Result<Vec<Reject>, CensusDbError> {
        let key = input_key(input);
        let rows: Vec<(String, i64, Option<String>, String, String)> = self
            .runtime
            .block_on(
                sqlx::query_as(
                    "SELECT file, line, return_id, field, reason FROM census_ingest_rejects \
                     WHERE input_id = $1 ORDER BY seq",
                )
                .bind(&key)
                .fetch_all(&self.db.pool),
            )
            .map_err(|e| self.db.db_error(e))?;
        Ok(rows
            .into_iter()
            .map(|(file, line, return_id, field, reason)| Reject {
                file,
                line: u64::try_from(line).unwrap_or(0),
                return_id,
                field,
                reason,
            })
            .collect())
    }
}

/// Rows copied to the staging table at a time.
const REGISTER_BUFFER_ROWS: usize = 50_000;

/// A register being loaded into PostgreSQL: households copied (COPY) to a temporary staging
/// table of the sink's connection as they come, then [`PgRegisterLoad::finish`] replaces each
/// county's rows of `census_register` whole, in one transaction a county. Dropped unfinished
/// (a register refused while read), `census_register` is unchanged.
pub struct PgRegisterLoad<'a> {
    sink: &'a mut PgSink,
    conn: Option<PoolConnection<Postgres>>,
    buffered: Vec<RegisterRow>,
}

impl std::fmt::Debug for PgRegisterLoad<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgRegisterLoad")
            .field("buffered", &self.buffered.len())
            .finish()
    }
}

impl PgRegisterLoad<'_> {
    /// Adds a household.
    pub fn push(&mut self, row: RegisterRow) -> Result<(), CensusDbError> {
        self.buffered.push(row);
        if self.buffered.len() >= REGISTER_BUFFER_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), CensusDbError> {
        let rows = std::mem::take(&mut self.buffered);
        check_provinces(&rows)?;
        let db = self.sink.db.clone();
        let conn = self
            .conn
            .as_mut()
            .expect("the connection is held until finish");
        self.sink
            .runtime
            .block_on(async { copy_rows(&db, &mut *conn, "census_register_stage", &rows).await })?;
        Ok(())
    }

    /// Replaces the register rows of every county staged, one transaction a county (its rows
    /// deleted, the staged ones inserted); counties not in this register keep theirs. Returns
    /// the households by county.
    pub fn finish(mut self) -> Result<BTreeMap<String, u64>, CensusDbError> {
        self.flush()?;
        let sink = &*self.sink;
        let db = sink.db.clone();
        let mut conn = self
            .conn
            .take()
            .expect("the connection is held until finish");
        let columns = schema::names(schema::REGISTER);
        // The connection goes back to the pool inside the runtime (its drop spawns a task).
        sink.runtime.block_on(async move {
            let counties: Vec<(String, i64)> = sqlx::query_as(
                "SELECT county_code, count(*) FROM census_register_stage GROUP BY 1 ORDER BY 1",
            )
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| db.db_error(e))?;
            let mut counts = BTreeMap::new();
            for (county, n) in counties {
                sink.ensure_province_of(&county).await?;
                let mut attempt = 1;
                loop {
                    match replace_county(&db, &mut conn, &county, &columns).await {
                        Err(e) if e.is_conflict() && attempt < ATTEMPTS => {
                            pause(attempt).await;
                            attempt += 1;
                        }
                        Err(e) => return Err(e),
                        Ok(()) => break,
                    }
                }
                counts.insert(county, u64::try_from(n).unwrap_or(0));
            }
            sqlx::query("DROP TABLE census_register_stage")
                .execute(&mut *conn)
                .await
                .map_err(|e| db.db_error(e))?;
            Ok(counts)
        })
    }
}

/// One county's register rows replaced by the staged ones, in one transaction.
async fn replace_county(
    db: &CensusDb,
    conn: &mut PoolConnection<Postgres>,
    county: &str,
    columns: &str,
) -> Result<(), CensusDbError> {
    use sqlx::Connection;
    let mut tx = conn.begin().await.map_err(|e| db.db_error(e))?;
    sqlx::query(
        "DELETE FROM census_register WHERE county_code = $1 AND province_code = left($1, 2)",
    )
    .bind(county)
    .execute(&mut *tx)
    .await
    .map_err(|e| db.db_error(e))?;
    let insert = format!(
        "INSERT INTO census_register ({columns}) SELECT {columns} FROM census_register_stage \
         WHERE county_code = $1"
    );
    sqlx::query(sqlx::AssertSqlSafe(insert))
        .bind(county)
        .execute(&mut *tx)
        .await
        .map_err(|e| db.db_error(e))?;
    tx.commit().await.map_err(|e| db.db_error(e))
}

impl Drop for PgRegisterLoad<'_> {
    fn drop(&mut self) {
        // An unfinished load: its connection (and the staging table with it) is closed
        // rather than returned to the pool.
        if let Some(conn) = self.conn.take() {
            let _ = self.sink.runtime.block_on(conn.close());
        }
    }
}
