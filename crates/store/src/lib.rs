//! The survey database. A SQLite file is the embedded default (no server); a `postgres://`
//! URL selects PostgreSQL for national scale. Both run the same migrations
//! (`crates/store/migrations`, portable SQL) through sqlx's `Any` driver, so every command
//! and every test runs unchanged on either.
//!
//! Main items: [`Store::open`] (connect and migrate), [`Store::import_draw`] (load a checked
//! draw directory, idempotently and atomically), [`Store::draws`], [`Store::sample`].
//!
//! Not for: deciding anything. This crate is the only one that knows SQL, and it knows
//! nothing else: it stores values that the other crates have parsed and checked.
#![deny(missing_docs)]

mod check_input;
mod import;
mod lineage;
pub mod photos;
mod records;
mod review;
mod url;
mod verdict;

pub use check_input::DrawForCheck;
pub use import::{DrawFacts, ImportOutcome};
pub use records::{RecordsError, VisitImport, VisitRow};
pub use review::{Appeals, FindingStatus, ReviewError, StepRow};
pub use url::{Backend, DbUrl};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use std::time::Duration;

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
    /// A fact about a draw (its time, a village centre) is stored with another value.
    #[error("{0}; a recorded fact is never silently replaced")]
    FactConflict(String),
}

/// A connected, migrated store.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    url: DbUrl,
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
    /// Connects (creating a SQLite file if needed) and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let url = DbUrl::parse(url)?;
        let pool = connect(&url).await?;
        let store = Store { pool, url };
        sqlx::migrate!("./migrations")
            .run(&store.pool)
            .await
            .map_err(|cause| StoreError::Migrate {
                url: store.url.display(),
                cause,
            })?;
        Ok(store)
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.url.backend
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
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

async fn connect(url: &DbUrl) -> Result<AnyPool, StoreError> {
    let sqlite = url.backend == Backend::Sqlite;
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
                    sqlx::query("PRAGMA busy_timeout = 10000")
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
