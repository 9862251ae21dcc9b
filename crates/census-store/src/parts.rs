//! Where parts go, and writing and reading one part.

use crate::error::StoreError;
use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::{ArrowWriter, ProjectionMask};
use parquet::basic::Compression;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The file that marks a directory as a census store.
pub(crate) const MARKER: &str = "_census-store.json";
/// The store format's version. 2: the content and answers hashes are taken of the hash
/// encoding (docs/census.md, "Content hash"), not of JSON text as in version 1, so a version-1
/// store's hashes would not match the same returns again.
pub(crate) const STORE_VERSION: u64 = 2;
/// The marker's content.
pub(crate) const MARKER_TEXT: &str = "{\"format\":\"assess-census-store\",\"version\":2}\n";
/// The ingest journal: one line per checkpoint.
pub(crate) const JOURNAL: &str = "_journal.jsonl";
/// The lock an ingest holds.
pub(crate) const LOCK: &str = "_lock";
/// Parts being written (never inside the partition trees, so no reader sees them).
pub(crate) const TMP: &str = "_tmp";
/// Refused returns, one JSON Lines file per checkpoint.
pub(crate) const REJECTS: &str = "_rejects";

/// Rows per row group: 128 Ki (docs/ARCHITECTURE.md, "census store").
pub const ROW_GROUP_ROWS: usize = 128 * 1024;

/// The three tables of the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    Returns,
    Members,
    Register,
}

impl Table {
    pub(crate) fn dir(self) -> &'static str {
        match self {
            Table::Returns => "returns",
            Table::Members => "members",
            Table::Register => "register",
        }
    }
}

/// Checks a county code (six ASCII digits), which becomes part of a path.
pub(crate) fn check_county(county: &str) -> Result<(), StoreError> {
    if county.len() == 6 && county.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(StoreError::BadCounty {
            code: county.to_string(),
        })
    }
}

/// `table/province=PP/county=CCCCCC`, relative to the store.
pub(crate) fn partition(table: Table, county: &str) -> String {
    format!("{}/province={}/county={county}", table.dir(), &county[..2])
}

/// A part's path relative to the store: `table/province=PP/county=CCCCCC/part-NNNNNN.parquet`.
pub(crate) fn part_name(table: Table, county: &str, seq: u64) -> String {
    format!("{}/part-{seq:06}.parquet", partition(table, county))
}

/// The county of a part's relative path, and its table.
pub(crate) fn parse_part_name(name: &str) -> Option<(Table, String)> {
    let mut it = name.split('/');
    let table = match it.next()? {
        "returns" => Table::Returns,
        "members" => Table::Members,
        "register" => Table::Register,
        _ => return None,
    };
    let _province = it.next()?.strip_prefix("province=")?;
    let county = it.next()?.strip_prefix("county=")?;
    let file = it.next()?;
    (check_county(county).is_ok()
        && file.starts_with("part-")
        && file.ends_with(".parquet")
        && it.next().is_none())
    .then(|| (table, county.to_string()))
}

/// Columns whose values are (nearly) all different: stored plain, not as a dictionary, which
/// would hold every value once more and cost a hash lookup per value to build.
const UNIQUE_COLUMNS: [&str; 6] = [
    "return_id",
    "household_id",
    "member_id",
    "id_number",
    "content_sha256",
    "answers_sha256",
];

fn properties() -> WriterProperties {
    UNIQUE_COLUMNS
        .iter()
        .fold(WriterProperties::builder(), |b, column| {
            b.set_column_dictionary_enabled(ColumnPath::from(*column), false)
                .set_column_statistics_enabled(ColumnPath::from(*column), EnabledStatistics::None)
        })
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_compression(Compression::LZ4_RAW)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .build()
}

/// Syncs a directory, so that a rename in it survives a crash.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(StoreError::io(dir))
}

/// Writes `bytes` to `store/rel` atomically: a temporary file in `_tmp`, synced, renamed.
pub(crate) fn write_file_atomic(store: &Path, rel: &str, bytes: &[u8]) -> Result<(), StoreError> {
    let tmp = tmp_path(store, rel);
    let mut file = File::create(&tmp).map_err(StoreError::io(&tmp))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(StoreError::io(&tmp))?;
    rename_into(store, &tmp, rel)
}

fn tmp_path(store: &Path, rel: &str) -> PathBuf {
    store
        .join(TMP)
        .join(format!("{}.tmp", rel.replace('/', "~")))
}

fn rename_into(store: &Path, tmp: &Path, rel: &str) -> Result<(), StoreError> {
    let target = store.join(rel);
    let parent = target.parent().expect("a part has a directory");
    std::fs::create_dir_all(parent).map_err(StoreError::io(parent))?;
    std::fs::rename(tmp, &target).map_err(StoreError::io(&target))?;
    sync_dir(parent)
}

/// Writes a checkpoint's parts (a part's path in the store, and what makes its batch): each
/// encoded to its temporary file and renamed into place, not synced: the checkpoint syncs
/// them all at once with [`sync_parts`] before the journal names them (a crash before leaves
/// parts that no journal line names, which the next open deletes).
///
/// One after another, on the committing thread: the ingest commits in the background while
/// its workers judge the next returns on every core, and parts written on those workers'
/// pool queued behind the judging (a commit then took seconds instead of a fraction of one).
pub(crate) fn write_parts<T>(
    store: &Path,
    parts: &[(String, T)],
    batch_of: impl Fn(&T) -> RecordBatch,
) -> Result<(), StoreError> {
    parts.iter().try_for_each(|(rel, rows)| {
        let tmp = tmp_path(store, rel);
        write_parquet_unsynced(&tmp, std::slice::from_ref(&batch_of(rows)))?;
        let target = store.join(rel);
        let parent = target.parent().expect("a part has a directory");
        std::fs::create_dir_all(parent).map_err(StoreError::io(parent))?;
        std::fs::rename(&tmp, &target).map_err(StoreError::io(&target))
    })
}

/// Makes the parts written under `store` durable: one `syncfs` on Linux (the files and
/// directories of the whole file system); elsewhere each part and its directory synced.
/// Not each file synced in turn: a checkpoint of the whole country writes two parts for each
/// of 832 counties, and a sync of each file and of its directory is a journal commit each.
pub(crate) fn sync_parts<'a>(
    store: &Path,
    #[allow(unused_variables)] parts: impl Iterator<Item = &'a str>,
) -> Result<(), StoreError> {
    #[cfg(target_os = "linux")]
    {
        let dir = File::open(store).map_err(StoreError::io(store))?;
        rustix::fs::syncfs(&dir).map_err(|e| StoreError::io(store)(e.into()))
    }
    #[cfg(not(target_os = "linux"))]
    {
        for rel in parts {
            let path = store.join(rel);
            File::open(&path)
                .and_then(|f| f.sync_all())
                .map_err(StoreError::io(&path))?;
            sync_dir(path.parent().expect("a part has a directory"))?;
        }
        Ok(())
    }
}

/// Writes batches (of one schema) to a new Parquet file at `path`, synced.
pub(crate) fn write_parquet(path: &Path, batches: &[RecordBatch]) -> Result<(), StoreError> {
    write_parquet_unsynced(path, batches)?
        .sync_all()
        .map_err(StoreError::io(path))
}

/// Writes batches (of one schema) to a new Parquet file at `path`, not synced.
pub(crate) fn write_parquet_unsynced(
    path: &Path,
    batches: &[RecordBatch],
) -> Result<File, StoreError> {
    let Some(first) = batches.first() else {
        return Err(StoreError::corrupt(path, "nothing to write"));
    };
    let file = File::create(path).map_err(StoreError::io(path))?;
    let mut writer = ArrowWriter::try_new(file, first.schema(), Some(properties()))
        .map_err(StoreError::parquet(path))?;
    for batch in batches {
        writer.write(batch).map_err(StoreError::parquet(path))?;
    }
    writer.into_inner().map_err(StoreError::parquet(path))
}

/// How a part's text columns are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Text {
    /// As `StringArray`s: each value copied into one buffer of the batch, what the row
    /// readers and the exports take.
    Strings,
    /// As `StringViewArray`s: each value a 16-byte view into the page it was decoded from
    /// (or held inline up to 12 bytes), no value copied. What the counting reads: copying
    /// every household, return and village id out of its page (and growing the buffer that
    /// holds them) was a third of the CPU of reading the store for coverage.
    Views,
}

/// Reads a part, every column or those named.
pub(crate) fn read_part(
    path: &Path,
    columns: Option<&[usize]>,
    text: Text,
) -> Result<Vec<RecordBatch>, StoreError> {
    let file = File::open(path).map_err(StoreError::io(path))?;
    let options = ArrowReaderOptions::new();
    let mut metadata =
        ArrowReaderMetadata::load(&file, options.clone()).map_err(StoreError::parquet(path))?;
    if text == Text::Views {
        let schema = Arc::new(text_as_views(metadata.schema()));
        metadata =
            ArrowReaderMetadata::try_new(metadata.metadata().clone(), options.with_schema(schema))
                .map_err(StoreError::parquet(path))?;
    }
    let mut builder = ParquetRecordBatchReaderBuilder::new_with_metadata(file, metadata);
    if let Some(columns) = columns {
        let mask = ProjectionMask::roots(builder.parquet_schema(), columns.iter().copied());
        builder = builder.with_projection(mask);
    }
    let reader = builder
        .with_batch_size(64 * 1024)
        .build()
        .map_err(StoreError::parquet(path))?;
    reader
        .map(|b| {
            b.map_err(|e| StoreError::Parquet {
                path: path.to_path_buf(),
                source: e.into(),
            })
        })
        .collect()
}

/// `schema` with every text column (`Utf8`) read as string views (`Utf8View`).
fn text_as_views(schema: &Schema) -> Schema {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Utf8 => f.as_ref().clone().with_data_type(DataType::Utf8View),
            _ => f.as_ref().clone(),
        })
        .collect();
    Schema::new_with_metadata(fields, schema.metadata().clone())
}

/// The part files under `store/table`, as relative paths (`/`-separated), sorted.
pub(crate) fn list_parts(store: &Path, table: Table) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    let root = store.join(table.dir());
    if !root.exists() {
        return Ok(out);
    }
    for province in read_dir(&root)? {
        for county in read_dir(&root.join(&province))? {
            for file in read_dir(&root.join(&province).join(&county))? {
                out.push(format!("{}/{province}/{county}/{file}", table.dir()));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The names in a directory (which must be one).
pub(crate) fn read_dir(dir: &Path) -> Result<Vec<String>, StoreError> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(StoreError::io(dir))? {
        let entry = entry.map_err(StoreError::io(dir))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names)
}
