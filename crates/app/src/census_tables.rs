//! Counting the census store: every county's coverage against its register and its tables
//! (and, when asked, its quality checks), counties counted on all cores, the tables put
//! together in county order (docs/census.md, "Coverage" and "Tables").
//!
//! What is read: only the returns' columns the counting needs
//! ([`COVERAGE_COLUMNS`], [`table_columns`]), counted as the store's Arrow columns without a
//! row per return (`Dataset::return_columns`), and only the registered households of the
//! register; unless the quality checks run, which read every column into rows.

use assess_census_checks::{check_county, ChecksError, Quality};
use assess_census_store::{Dataset, StoreError};
use assess_census_tables::{
    table_columns, CensusTables, CountedCounty, CountyCoverage, Tables, TablesError,
    COVERAGE_COLUMNS,
};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why the store could not be counted.
#[derive(Debug, thiserror::Error)]
pub enum TabulateError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store holds no county.
    #[error("the census store {} holds no county yet", .0.display())]
    Empty(PathBuf),
    /// A county has returns but no register.
    #[error(
        "county {county} has returns in the census store {} but no register: load its register \
         first (coverage is counted against it)",
        store.display()
    )]
    NoRegister {
        /// The county (6 digits).
        county: String,
        /// The store.
        store: PathBuf,
    },
    /// A county's rows could not be counted.
    #[error("counting county {county}")]
    Count {
        /// The county.
        county: String,
        /// Why.
        #[source]
        source: TablesError,
    },
    /// A county's quality checks failed.
    #[error("checking county {county}")]
    Check {
        /// The county.
        county: String,
        /// Why.
        #[source]
        source: ChecksError,
    },
    /// The quality counts lack a county of the store.
    #[error(
        "the quality counts give nothing for county {0}: run `assess census quality` again on \
         every county of the store"
    )]
    NoQualityCounts(String),
    /// What the caller's `each` refused with.
    #[error("{0}")]
    Each(String),
}

/// What to count.
#[derive(Clone, Copy)]
pub enum Counting<'a> {
    /// Coverage only (the tables' attainment and income are left empty): the coverage
    /// command.
    Coverage,
    /// Coverage and the tables.
    Tables,
    /// Coverage, the tables, and the quality checks' counts by kind in the tables' quality
    /// columns.
    TablesWithQuality(&'a Quality),
    /// Coverage, the tables, and quality counts by county and kind made earlier (by a quality
    /// run of the same store: [`QualityCounts`]).
    TablesWithCounts(&'a BTreeMap<String, BTreeMap<String, u64>>),
}

/// Every county of the store counted. `each` is given each county's coverage (with its
/// follow-up list of the missing) as it is made, on whichever thread made it; `done` is
/// called once per county counted (a progress bar).
pub fn tabulate(
    store: &Path,
    counting: Counting,
    each: &(dyn Fn(&CountyCoverage) -> Result<(), String> + Sync),
    done: &(dyn Fn() + Sync),
) -> Result<Tables, TabulateError> {
    let ds = Dataset::open(store)?;
    let counties = ds.counties();
    if counties.is_empty() {
        return Err(TabulateError::Empty(store.to_path_buf()));
    }
    let count_all = || -> Vec<_> {
        counties
            .par_iter()
            .map(|county| {
                let one = count_county(&ds, county, counting, each);
                done();
                one
            })
            .collect()
    };
    let counted = match reading_pool() {
        Some(pool) => pool.install(count_all),
        None => count_all(),
    };
    let mut tables = CensusTables::new();
    for one in counted {
        let (county, coverage) = one?;
        tables
            .insert(county, &coverage)
            .map_err(|source| TabulateError::Count {
                county: coverage.county_code.clone(),
                source,
            })?;
    }
    Ok(tables.finish())
}

/// Threads for counting counties: two per core. A county's parts are read from disk (a cold
/// store, as after an ingest of 30 million returns) with plain blocking reads, and one thread
/// per core left each core idle while its county's columns were read: coverage of the national
/// store kept 1.5 of the 2 cores busy. A second thread per core counts while the other waits.
/// `None` (count on the global pool) when the threads cannot be made.
fn reading_pool() -> Option<rayon::ThreadPool> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    rayon::ThreadPoolBuilder::new()
        .num_threads(2 * cores)
        .build()
        .ok()
}

/// One county read and counted. The coverage is handed back without its follow-up list
/// (given to `each`), which the tables do not keep.
fn count_county(
    ds: &Dataset,
    county: &str,
    counting: Counting,
    each: &(dyn Fn(&CountyCoverage) -> Result<(), String> + Sync),
) -> Result<(CountedCounty, CountyCoverage), TabulateError> {
    let count_error = |source| TabulateError::Count {
        county: county.to_string(),
        source,
    };
    let no_register = || TabulateError::NoRegister {
        county: county.to_string(),
        store: ds.dir().to_path_buf(),
    };
    let (mut coverage, mut counted) = match counting {
        // The quality checks need whole rows (and the place of any household with a return).
        Counting::TablesWithQuality(quality) => {
            let register = ds.register(county)?;
            if register.is_empty() {
                return Err(no_register());
            }
            let rows = ds.returns(county)?;
            let (coverage, mut counted) =
                CensusTables::count(county, &register, &rows).map_err(count_error)?;
            let checks =
                check_county(&rows, &register, quality).map_err(|source| TabulateError::Check {
                    county: county.to_string(),
                    source,
                })?;
            counted.add_quality(checks.counts_by_kind());
            (coverage, counted)
        }
        // The counting alone reads the columns as they are, and only the registered
        // households of the register.
        Counting::Coverage | Counting::Tables | Counting::TablesWithCounts(_) => {
            let register = ds.registered_columns(county)?;
            if register.is_empty() {
                return Err(no_register());
            }
            let names = match counting {
                Counting::Coverage => COVERAGE_COLUMNS.to_vec(),
                _ => table_columns(),
            };
            let returns = ds.return_columns(county, &names)?;
            CensusTables::count(county, &register.registered(), &returns.views())
                .map_err(count_error)?
        }
    };
    each(&coverage).map_err(TabulateError::Each)?;
    coverage.missing = Vec::new();
    if let Counting::TablesWithCounts(counts) = counting {
        let of_county = counts
            .get(county)
            .ok_or_else(|| TabulateError::NoQualityCounts(county.to_string()))?;
        counted.add_quality(of_county.clone());
    }
    Ok((counted, coverage))
}

/// The quality run's counts, `counts.json` in its output: the findings by county and kind,
/// with the store's fingerprint when the checks ran, so that the tables can take them
/// instead of running every check again, and refuse them once the store has changed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QualityCounts {
    /// `assess-census-quality-counts-1`.
    pub schema: String,
    /// [`Dataset::fingerprint`] of the store checked.
    pub store_fingerprint: String,
    /// County → check's name → returns flagged (and `outlier_enumerators`).
    pub counties: BTreeMap<String, BTreeMap<String, u64>>,
}

/// The name of the quality counts' file in a quality run's output.
pub const QUALITY_COUNTS: &str = "counts.json";
const COUNTS_SCHEMA: &str = "assess-census-quality-counts-1";

/// Why quality counts cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CountsError {
    /// The counts' file cannot be read.
    #[error("cannot read {}: give the output of a quality run", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not quality counts.
    #[error("{}: not the quality counts of `assess census quality` ({reason})", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The store has changed since the counts were made.
    #[error(
        "{}: the census store has changed since these quality checks ran (a checkpoint \
         committed or a register loaded); run the quality checks again, or let the tables run \
         them",
        path.display()
    )]
    Stale {
        /// The file.
        path: PathBuf,
    },
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl QualityCounts {
    /// Counts of the store `ds` as it is now.
    pub fn new(ds: &Dataset) -> Result<QualityCounts, StoreError> {
        Ok(QualityCounts {
            schema: COUNTS_SCHEMA.to_string(),
            store_fingerprint: ds.fingerprint()?,
            counties: BTreeMap::new(),
        })
    }

    /// Reads `dir/counts.json` and checks that it was made from the store `ds` as it is now.
    pub fn read(dir: &Path, ds: &Dataset) -> Result<QualityCounts, CountsError> {
        let path = dir.join(QUALITY_COUNTS);
        let bytes = std::fs::read(&path).map_err(|source| CountsError::Read {
            path: path.clone(),
            source,
        })?;
        let malformed = |reason: String| CountsError::Malformed {
            path: path.clone(),
            reason,
        };
        let counts: QualityCounts =
            serde_json::from_slice(&bytes).map_err(|e| malformed(e.to_string()))?;
        if counts.schema != COUNTS_SCHEMA {
            return Err(malformed(format!("schema {:?}", counts.schema)));
        }
        if counts.store_fingerprint != ds.fingerprint()? {
            return Err(CountsError::Stale { path });
        }
        Ok(counts)
    }
}
