//! Temporary stand-in (being written on the `access` branch).
#![allow(missing_docs)]
use crate::error::AppError;
use assess_access::{Account, Grants};
use assess_store::Store;
pub async fn authenticate(_store: &Store, _token: &str) -> Result<Option<(Account, Grants)>, AppError> {
    Ok(None)
}
