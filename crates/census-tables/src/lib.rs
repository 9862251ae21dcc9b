//! Census coverage and tables (issue 15, sections 3 and 6; docs/census.md, "Coverage" and
//! "Tables").
//!
//! For:
//! - coverage against the register, one county at a time ([`county_coverage`],
//!   [`CensusTables::add_county`]): registered, enumerated, dissolved, moved out, missing,
//!   duplicated and not registered, by village, township and county, merged into provinces
//!   and the nation; the county's follow-up list of the missing ([`MissingHousehold`]);
//! - the tables of the nation, each province and each county ([`Tables`]): guarantee
//!   attainment, the income distribution (exact type-7 quantiles, [`quantile`]), assistance
//!   received, coverage, and a place for quality counts that the quality checks fill;
//! - their renderings, as bytes or to a writer: coverage at every level as CSV
//!   ([`coverage_csv`]), the follow-up list as CSV ([`missing_csv`])
//!   and XLSX ([`missing_xlsx`]), the tables as a workbook for officials ([`tables_xlsx`]),
//!   and an HTML summary with national maps of the counties coloured by coverage and by
//!   attainment ([`summary_html`], drawn by `assess-report`'s map of counties);
//! - weighted estimates for all non-poverty counties from the stratified cluster sample of
//!   them that the census enumerated ([`SampledEstimator`], [`sampled_csv`]).
//!
//! Not for: reading the census store or the register (the caller hands over each county's
//! rows, `assess_census::ReturnRow` and `RegisterRow`), judging returns (`assess-census`),
//! quality checks, or writing files. No I/O.
//!
//! ```
//! use assess_census::{RegisterRow, ReturnRow};
//! use assess_census_tables::CensusTables;
//! # fn rows(_: &str) -> (Vec<RegisterRow>, Vec<ReturnRow>) { (vec![], vec![]) }
//! let mut tables = CensusTables::new();
//! for county in ["530128", "530129"] {
//!     let (register, returns) = rows(county);
//!     let coverage = tables.add_county(county, &register, &returns).unwrap();
//!     assert_eq!(coverage.missing.len() as u64, coverage.total.missing);
//! }
//! let t = tables.finish();
//! assert_eq!(t.counties.len(), 2);
//! ```
#![deny(missing_docs)]

mod columns;
mod coverage;
mod error;
mod flat;
mod html;
pub mod quantile;
mod sampled;
mod tables;
mod xlsx;

pub use coverage::{CountyCoverage, Coverage, MissingHousehold};
pub use error::TablesError;
pub use flat::{flat_table, Cell};
pub use html::summary_html;
pub use sampled::{
    parse_design, sampled_csv, DesignRowError, SampledCounty, SampledError, SampledEstimate,
    SampledEstimates, SampledEstimator, SampledSummary, DESIGN_COLUMNS, SAMPLED_COLUMNS,
    SAMPLED_INDICATORS,
};
pub use tables::{
    county_coverage, table_columns, CensusTables, CountedCounty, CoverageRow, Income, Level,
    Received, Tables, Tally, UnitTable, COVERAGE_COLUMNS, ITEMS, KINDS,
};
pub use xlsx::{
    coverage_csv, missing_csv, missing_xlsx, tables_xlsx, MISSING_COLUMNS, TABLE_SHEETS,
    XLSX_MAX_ROWS,
};
