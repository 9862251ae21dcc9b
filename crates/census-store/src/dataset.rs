//! Reading the store: [`Dataset`].

use crate::columns::{self, RETURN_SCHEMA};
use crate::error::StoreError;
use crate::journal;
use crate::parts::{self, check_county, parse_part_name, Table, Text, MARKER, STORE_VERSION};
use arrow_array::RecordBatch;
use assess_census::{MemberRow, RegisterRow, ReturnRow};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A census store opened for reading: the parts committed when it was opened (returns and
/// members named by the journal, whatever an ingest running at the same time adds later;
/// the register's partitions as they are).
#[derive(Debug, Clone)]
pub struct Dataset {
    dir: PathBuf,
    /// Table → county → parts (relative paths), in order.
    parts: BTreeMap<(u8, String), Vec<String>>,
}

fn key(table: Table) -> u8 {
    table as u8
}

impl Dataset {
    /// Opens the store in `dir` (made by an ingest).
    pub fn open(dir: impl AsRef<Path>) -> Result<Dataset, StoreError> {
        let dir = dir.as_ref().to_path_buf();
        check_store(&dir)?;
        let (entries, _) = journal::read(&dir)?;
        let mut parts: BTreeMap<(u8, String), Vec<String>> = BTreeMap::new();
        for entry in &entries {
            for part in &entry.parts {
                let (table, county) = parse_part_name(part).ok_or_else(|| {
                    StoreError::corrupt(dir.join(parts::JOURNAL), format!("names {part:?}"))
                })?;
                parts
                    .entry((key(table), county))
                    .or_default()
                    .push(part.clone());
            }
        }
        for part in parts::list_parts(&dir, Table::Register)? {
            if let Some((table, county)) = parse_part_name(&part) {
                parts.entry((key(table), county)).or_default().push(part);
            }
        }
        Ok(Dataset { dir, parts })
    }

    /// What the store held when opened, as a SHA-256 hex digest of every part's path, length
    /// and modification time: two openings with the same fingerprint read the same rows. An
    /// output made from the store (the quality counts) records it, so that what reads that
    /// output later can tell that the store has changed since (a checkpoint committed, a
    /// register loaded again).
    pub fn fingerprint(&self) -> Result<String, StoreError> {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        for part in self.parts.values().flatten() {
            let path = self.dir.join(part);
            let meta = std::fs::metadata(&path).map_err(StoreError::io(&path))?;
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            hash.update(format!("{part}\t{}\t{modified}\n", meta.len()).as_bytes());
        }
        Ok(hex::encode(hash.finalize()))
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The county codes held (with returns, members or a register), sorted.
    pub fn counties(&self) -> Vec<String> {
        let set: BTreeSet<&String> = self.parts.keys().map(|(_, c)| c).collect();
        set.into_iter().cloned().collect()
    }

    fn parts_of(&self, table: Table, county: &str) -> Result<&[String], StoreError> {
        check_county(county)?;
        Ok(self
            .parts
            .get(&(key(table), county.to_string()))
            .map_or(&[], Vec::as_slice))
    }

    /// Every batch of a county's parts of `table` (the columns at `indices`, or all), in
    /// order, with the part it came from.
    fn each_batch(
        &self,
        table: Table,
        county: &str,
        indices: Option<&[usize]>,
        text: Text,
        mut take: impl FnMut(&Path, RecordBatch) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        for part in self.parts_of(table, county)? {
            let path = self.dir.join(part);
            for batch in parts::read_part(&path, indices, text)? {
                take(&path, batch)?;
            }
        }
        Ok(())
    }

    fn rows<T>(
        &self,
        table: Table,
        county: &str,
        of: impl Fn(&Path, &RecordBatch) -> Result<Vec<T>, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let mut rows = Vec::new();
        self.each_batch(table, county, None, Text::Strings, |path, batch| {
            rows.extend(of(path, &batch)?);
            Ok(())
        })?;
        Ok(rows)
    }

    /// A county's returns (none for a county not held).
    pub fn returns(&self, county: &str) -> Result<Vec<ReturnRow>, StoreError> {
        self.rows(Table::Returns, county, columns::returns_of)
    }

    /// A county's returns as columns, read through
    /// [`ReturnFields`](assess_census::ReturnFields) without a row each: the
    /// [`VIEW_COLUMNS`](crate::VIEW_COLUMNS) and the other columns named (a column not named
    /// reads as unknown).
    pub fn return_columns(
        &self,
        county: &str,
        names: &[&str],
    ) -> Result<crate::ReturnColumns, StoreError> {
        let mut wanted: Vec<&str> = crate::VIEW_COLUMNS.to_vec();
        wanted.extend(names.iter().filter(|n| !crate::VIEW_COLUMNS.contains(n)));
        let indices = column_indices(&wanted)?;
        let mut columns = crate::ReturnColumns::default();
        self.each_batch(
            Table::Returns,
            county,
            Some(&indices),
            Text::Views,
            |path, batch| columns.push(path, &batch),
        )?;
        Ok(columns)
    }

    /// A county's register as columns, read through
    /// [`RegisterFields`](assess_census::RegisterFields) without a row per household: the
    /// [`REGISTER_VIEW_COLUMNS`](crate::REGISTER_VIEW_COLUMNS) only.
    pub fn registered_columns(&self, county: &str) -> Result<crate::RegisterColumns, StoreError> {
        let indices: Vec<usize> = crate::REGISTER_VIEW_COLUMNS
            .iter()
            .map(|name| {
                crate::REGISTER_SCHEMA
                    .index_of(name)
                    .expect("the view's columns are the register's")
            })
            .collect();
        let mut columns = crate::RegisterColumns::default();
        self.each_batch(
            Table::Register,
            county,
            Some(&indices),
            Text::Views,
            |path, batch| columns.push(path, &batch),
        )?;
        Ok(columns)
    }

    /// A county's members.
    pub fn members(&self, county: &str) -> Result<Vec<MemberRow>, StoreError> {
        self.rows(Table::Members, county, columns::members_of)
    }

    /// A county's register: every household its register file gave.
    pub fn register(&self, county: &str) -> Result<Vec<RegisterRow>, StoreError> {
        self.rows(Table::Register, county, columns::register_of)
    }

    /// A county's returns, only the columns named (in the order of the schema), as Arrow
    /// record batches: what a scan over a few columns of millions of returns reads.
    pub fn scan_returns(
        &self,
        county: &str,
        columns: &[&str],
    ) -> Result<Vec<RecordBatch>, StoreError> {
        let indices = column_indices(columns)?;
        let mut out = Vec::new();
        self.each_batch(
            Table::Returns,
            county,
            Some(&indices),
            Text::Strings,
            |_, batch| {
                out.push(batch);
                Ok(())
            },
        )?;
        Ok(out)
    }
}

/// The schema positions of the returns' columns named.
pub(crate) fn column_indices(columns: &[&str]) -> Result<Vec<usize>, StoreError> {
    columns
        .iter()
        .map(|name| {
            RETURN_SCHEMA
                .index_of(name)
                .map_err(|_| StoreError::UnknownColumn {
                    name: name.to_string(),
                })
        })
        .collect()
}

/// Checks that `dir` is a census store.
pub(crate) fn check_store(dir: &Path) -> Result<(), StoreError> {
    let not = |reason: &str| StoreError::NotAStore {
        dir: dir.to_path_buf(),
        reason: reason.to_string(),
    };
    if !dir.is_dir() {
        return Err(not(
            "no such directory; a census store is made by the census ingest",
        ));
    }
    match std::fs::read_to_string(dir.join(MARKER)) {
        Ok(text) if text.contains("\"assess-census-store\"") => {
            let version = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v["version"].as_u64());
            match version {
                Some(STORE_VERSION) => Ok(()),
                Some(v) => Err(not(&format!(
                    "a census store of format version {v}, this assess reads version \
                     {STORE_VERSION} (the returns' hashes are taken differently); ingest the \
                     returns again into a new directory"
                ))),
                None => Err(not("its _census-store.json has no format version")),
            }
        }
        Ok(_) => Err(not("its _census-store.json is not a census store's")),
        Err(_) => Err(not(
            "not a census store (it has no _census-store.json); give the directory an ingest wrote",
        )),
    }
}
