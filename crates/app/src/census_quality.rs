//! The quality checks over the census store's counties (docs/census.md, "Quality checks"):
//! counties checked on all cores, a few at a time, and handed back in the order asked.

use assess_census_checks::{check_county, ChecksError, CountyChecks, Quality};
use assess_census_store::{Dataset, StoreError};
use rayon::prelude::*;

/// Counties checked at once: enough to keep every core busy, few enough that memory holds
/// only their rows (every column of their returns).
const COUNTIES_AT_ONCE: usize = 8;

/// Why a county could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum QualityError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A county's checks failed.
    #[error("checking county {county}")]
    Check {
        /// The county.
        county: String,
        /// Why.
        #[source]
        source: ChecksError,
    },
}

/// Checks `counties` of the store, several at a time on all cores; `each` is given each
/// county's code, its checks and its number of returns, in the order of `counties`, on this
/// thread.
pub fn check_counties<E: From<QualityError>>(
    ds: &Dataset,
    counties: &[String],
    quality: &Quality,
    mut each: impl FnMut(&str, CountyChecks, usize) -> Result<(), E>,
) -> Result<(), E> {
    for group in counties.chunks(COUNTIES_AT_ONCE) {
        let checked: Vec<Result<(CountyChecks, usize), QualityError>> = group
            .par_iter()
            .map(|county| {
                let returns = ds.returns(county)?;
                let register = ds.register(county)?;
                let checks = check_county(&returns, &register, quality).map_err(|source| {
                    QualityError::Check {
                        county: county.clone(),
                        source,
                    }
                })?;
                Ok((checks, returns.len()))
            })
            .collect();
        for (county, one) in group.iter().zip(checked) {
            let (checks, returns) = one?;
            each(county, checks, returns)?;
        }
    }
    Ok(())
}
