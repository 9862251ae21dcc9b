//! The embedded census store: judged returns ([`ReturnRow`]), their members ([`MemberRow`])
//! and the register ([`RegisterRow`]) as a Parquet dataset partitioned by province and
//! county, which DuckDB, Spark and Trino read as it is:
//!
//! ```text
//! DIR/_census-store.json                                   marks the store
//! DIR/returns/province=53/county=530128/part-000001.parquet one row per return
//! DIR/members/province=53/county=530128/part-000001.parquet one row per member
//! DIR/register/province=53/county=530128/part-000000.parquet one row per household
//! DIR/_journal.jsonl                                        the ingest's checkpoints
//! DIR/_rejects/part-000001.jsonl                            returns refused at a checkpoint
//! ```
//!
//! For:
//! - [`Dataset`]: reading a county's returns, members or register back as rows, or a
//!   column-projected scan of its returns as Arrow batches;
//! - [`ParquetSink`]: the census ingest's [`assess_census::CensusSink`]: each checkpoint's
//!   parts written atomically (temporary name, fsync, rename), then one journal line, so that
//!   a killed ingest loses nothing and stores nothing twice; the held return ids of a county
//!   read from its parts' `return_id` and `content_sha256` columns;
//! - [`RegisterLoad`]: a register's households, each county's partition replaced whole.
//!
//! Not for: reading return files, judging returns or deciding what is a duplicate (the
//! ingest pipeline in `assess-app` does), SQL (the survey database is `assess-store`),
//! coverage, checks or tables (they read rows through [`Dataset`]).
//! Why Parquet, and the row-group size and compression: docs/ARCHITECTURE.md, "census store".
//!
//! ```
//! use assess_census::{judge_return, Batch, CensusSink, Checkpoint, Counts, InputId, MemberRow, ReturnRow};
//! use assess_census_store::{Dataset, ParquetSink};
//! let dir = tempfile::tempdir().unwrap();
//! let judged = judge_return(assess_census::example_return(), &assess_standards::Standards::builtin()).unwrap();
//! let (mut sink, _) = ParquetSink::open(dir.path().join("store")).unwrap();
//! let input = InputId { path: "returns.jsonl".into(), size: 1, head_sha256: "00".into() };
//! let checkpoint = Checkpoint { input, items: 1, offset: 1, line: 1, done: true, counts: Counts::default() };
//! let batch = Batch { returns: vec![ReturnRow::of(&judged)], members: MemberRow::of(&judged), rejects: vec![] };
//! sink.commit(batch, &checkpoint).unwrap();
//! drop(sink);
//! let ds = Dataset::open(dir.path().join("store")).unwrap();
//! assert_eq!(ds.counties(), vec!["530128".to_string()]);
//! assert_eq!(ds.returns("530128").unwrap(), vec![ReturnRow::of(&judged)]);
//! assert_eq!(ds.members("530128").unwrap().len(), 3);
//! ```
#![deny(missing_docs)]

mod columns;
mod dataset;
mod error;
mod export;
mod journal;
mod parts;
mod sink;
mod view;

pub use arrow_array::RecordBatch;
pub use assess_census::{MemberRow, RegisterRow, ReturnRow};
pub use columns::{
    members_batch, register_batch, returns_batch, MEMBER_SCHEMA, REGISTER_SCHEMA, RETURN_SCHEMA,
};
pub use dataset::Dataset;
pub use error::StoreError;
pub use export::{write_rows, ExportCell};
pub use parts::ROW_GROUP_ROWS;
pub use sink::{Cleaned, ParquetSink, RegisterLoad};
pub use view::{
    RegisterColumns, RegisterView, ReturnColumns, ReturnView, REGISTER_VIEW_COLUMNS, VIEW_COLUMNS,
};
