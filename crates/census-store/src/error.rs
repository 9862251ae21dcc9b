//! The store's errors.

use std::path::PathBuf;

/// What went wrong with a census store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The directory is not a census store.
    #[error("{}: {reason}", .dir.display())]
    NotAStore {
        /// The directory.
        dir: PathBuf,
        /// Why.
        reason: String,
    },
    /// Another ingest holds the store.
    #[error("{}: another ingest is writing to this census store; wait for it to finish", .dir.display())]
    Busy {
        /// The directory.
        dir: PathBuf,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A Parquet part could not be read or written.
    #[error("{}: {source}", .path.display())]
    Parquet {
        /// The part.
        path: PathBuf,
        /// The cause.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// A part or the journal holds something this store never writes.
    #[error("{}: {reason}; the census store was changed by something else than assess (re-ingest into a new directory)", .path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Rows that cannot be exported (none, or columns that do not fit together).
    #[error("{}: cannot export the rows: {reason}", .path.display())]
    Export {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A county code that is not six digits.
    #[error("{code:?} is not a county code (six digits)")]
    BadCounty {
        /// The code.
        code: String,
    },
    /// A scan named a column the returns do not have.
    #[error("the returns have no column {name:?}; the columns are listed in docs/census.md")]
    UnknownColumn {
        /// The column.
        name: String,
    },
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> StoreError {
        let path = path.into();
        move |source| StoreError::Io { path, source }
    }

    pub(crate) fn parquet(
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(parquet::errors::ParquetError) -> StoreError {
        let path = path.into();
        move |source| StoreError::Parquet { path, source }
    }

    pub(crate) fn corrupt(path: impl Into<PathBuf>, reason: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            path: path.into(),
            reason: reason.into(),
        }
    }
}
