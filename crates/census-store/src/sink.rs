//! Writing the store: [`ParquetSink`], the census ingest's sink, and [`RegisterLoad`].

use crate::columns::{members_batch, register_batch, returns_batch};
use crate::dataset::{check_store, column_indices};
use crate::error::StoreError;
use crate::journal::{self, Entry};
use crate::parts::{
    self, check_county, part_name, read_dir, sync_dir, write_file_atomic, Table, JOURNAL, LOCK,
    MARKER, MARKER_TEXT, REJECTS, TMP,
};
use arrow_array::{Array, StringArray};
use assess_census::{Batch, CensusSink, Checkpoint, InputId, RegisterRow, Reject};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The census store opened for writing by one ingest (it holds the store's lock). Opening
/// creates the store in an empty or new directory, deletes what a killed run left (parts
/// and refusals no journal line names, temporary files) and cuts a journal line a kill cut
/// short.
#[derive(Debug)]
pub struct ParquetSink {
    dir: PathBuf,
    _lock: File,
    entries: Vec<Entry>,
    journal: File,
    /// Returns parts by county, from the journal.
    returns_parts: HashMap<String, Vec<String>>,
    /// The commit being written in the background, if any: its journal entry once durable.
    in_flight: Option<std::thread::JoinHandle<Result<(Entry, Batch), StoreError>>>,
    /// The counties of the commit in flight: only their held ids wait for it.
    in_flight_counties: HashSet<String>,
    /// The last commit's batch, emptied with its room kept, for the ingest to fill next.
    spare: Option<Batch>,
}

/// What opening found and cleaned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cleaned {
    /// Parts and refusal files of a killed run, deleted.
    pub orphans: Vec<String>,
    /// Whether the journal's last line was cut short (and was cut off).
    pub torn_journal: bool,
}

impl ParquetSink {
    /// Opens (or creates) the store in `dir`, and cleans what a killed run left.
    pub fn open(dir: impl AsRef<Path>) -> Result<(ParquetSink, Cleaned), StoreError> {
        let dir = dir.as_ref().to_path_buf();
        create(&dir)?;
        check_store(&dir)?;
        let lock_path = dir.join(LOCK);
        let lock = File::create(&lock_path).map_err(StoreError::io(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(StoreError::Busy { dir }),
            Err(std::fs::TryLockError::Error(e)) => return Err(StoreError::io(&lock_path)(e)),
        }
        let (entries, committed) = journal::read(&dir)?;
        let journal_path = dir.join(JOURNAL);
        let journal = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&journal_path)
            .map_err(StoreError::io(&journal_path))?;
        let len = journal
            .metadata()
            .map_err(StoreError::io(&journal_path))?
            .len();
        let mut cleaned = Cleaned::default();
        if len > committed {
            journal
                .set_len(committed)
                .and_then(|()| journal.sync_all())
                .map_err(StoreError::io(&journal_path))?;
            cleaned.torn_journal = true;
        }
        let named: BTreeSet<&str> = entries
            .iter()
            .flat_map(|e| e.parts.iter().chain(&e.rejects).map(String::as_str))
            .collect();
        for table in [Table::Returns, Table::Members] {
            for part in parts::list_parts(&dir, table)? {
                if !named.contains(part.as_str()) {
                    remove(&dir.join(&part))?;
                    cleaned.orphans.push(part);
                }
            }
        }
        let rejects = dir.join(REJECTS);
        std::fs::create_dir_all(&rejects).map_err(StoreError::io(&rejects))?;
        for name in read_dir(&rejects)? {
            let rel = format!("{REJECTS}/{name}");
            if !named.contains(rel.as_str()) {
                remove(&dir.join(&rel))?;
                cleaned.orphans.push(rel);
            }
        }
        let tmp = dir.join(TMP);
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(StoreError::io(&tmp))?;
        }
        std::fs::create_dir_all(&tmp).map_err(StoreError::io(&tmp))?;
        let mut returns_parts = HashMap::new();
        for entry in &entries {
            add_returns_parts(&mut returns_parts, entry);
        }
        let sink = ParquetSink {
            dir,
            _lock: lock,
            entries,
            journal,
            returns_parts,
            in_flight: None,
            in_flight_counties: HashSet::new(),
            spare: None,
        };
        Ok((sink, cleaned))
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Starts loading a register: its households are staged, and each county's register
    /// partition is replaced whole when [`RegisterLoad::finish`] is called.
    pub fn register_load(&mut self) -> Result<RegisterLoad<'_>, StoreError> {
        self.settle()?;
        let staging = self.dir.join(TMP).join("register");
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(StoreError::io(&staging))?;
        }
        std::fs::create_dir_all(&staging).map_err(StoreError::io(&staging))?;
        Ok(RegisterLoad {
            sink: self,
            staging,
            buffered: BTreeMap::new(),
            buffered_rows: 0,
            chunks: BTreeMap::new(),
        })
    }
}

impl ParquetSink {
    /// Waits for the commit in flight and takes its journal entry in.
    fn settle(&mut self) -> Result<(), StoreError> {
        self.in_flight_counties.clear();
        let Some(commit) = self.in_flight.take() else {
            return Ok(());
        };
        let (entry, spare) = commit
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))?;
        add_returns_parts(&mut self.returns_parts, &entry);
        self.entries.push(entry);
        self.spare = Some(spare);
        Ok(())
    }
}

/// Files the returns parts a journal entry names under their counties.
fn add_returns_parts(returns_parts: &mut HashMap<String, Vec<String>>, entry: &Entry) {
    for part in &entry.parts {
        if let Some((Table::Returns, county)) = parts::parse_part_name(part) {
            returns_parts.entry(county).or_default().push(part.clone());
        }
    }
}

/// A store dropped with a commit in flight waits for it: the batch is durable, or (when it
/// failed) not in the store at all, as a killed run's would be.
impl Drop for ParquetSink {
    fn drop(&mut self) {
        if let Err(e) = self.settle() {
            tracing::error!(error = %e, "the last checkpoint was not stored");
        }
    }
}

/// One commit: each county's returns and members as Parquet parts, made durable, then the
/// refusals, then the journal line that makes them part of the store. Gives the entry, and
/// the batch emptied with its room kept.
fn write_commit(
    dir: &Path,
    mut journal: File,
    seq: u64,
    batch: Batch,
    checkpoint: Checkpoint,
) -> Result<(Entry, Batch), StoreError> {
    let returns_by_county = by_county(batch.returns, |r| r.county_code.as_str())?;
    let members_by_county = by_county(batch.members, |m| &*m.county_code)?;
    let returns = returns_by_county.parts(Table::Returns, seq);
    let members = members_by_county.parts(Table::Members, seq);
    parts::write_parts(dir, &returns, |rows| returns_batch(rows))?;
    parts::write_parts(dir, &members, |rows| members_batch(rows))?;
    let names = returns
        .iter()
        .map(|(n, _)| n)
        .chain(members.iter().map(|(n, _)| n));
    parts::sync_parts(dir, names.map(String::as_str))?;
    let parts: Vec<String> = returns
        .into_iter()
        .map(|(name, _)| name)
        .chain(members.into_iter().map(|(name, _)| name))
        .collect();
    let rejects = if batch.rejects.is_empty() {
        None
    } else {
        let name = format!("{REJECTS}/part-{seq:06}.jsonl");
        let mut bytes = Vec::new();
        for r in &batch.rejects {
            serde_json::to_writer(&mut bytes, r).expect("a refusal serialises");
            bytes.push(b'\n');
        }
        write_file_atomic(dir, &name, &bytes)?;
        Some(name)
    };
    let entry = Entry {
        seq,
        checkpoint,
        parts,
        rejects,
    };
    let mut line = serde_json::to_vec(&entry).expect("an entry serialises");
    line.push(b'\n');
    let journal_path = dir.join(JOURNAL);
    journal
        .write_all(&line)
        .and_then(|()| journal.sync_data())
        .map_err(StoreError::io(&journal_path))?;
    let spare = Batch {
        returns: emptied(returns_by_county.rows),
        members: emptied(members_by_county.rows),
        rejects: emptied(batch.rejects),
    };
    Ok((entry, spare))
}

fn emptied<T>(mut rows: Vec<T>) -> Vec<T> {
    rows.clear();
    rows
}

fn remove(path: &Path) -> Result<(), StoreError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StoreError::io(path)(e)),
    }
}

/// Makes `dir` a census store when it is new or empty.
fn create(dir: &Path) -> Result<(), StoreError> {
    if dir.join(MARKER).exists() {
        return Ok(());
    }
    if dir.exists() {
        let names = read_dir(dir)?;
        if !names.is_empty() {
            return Err(StoreError::NotAStore {
                dir: dir.to_path_buf(),
                reason: "is not empty and not a census store (it has no _census-store.json); \
                         give a new or empty directory"
                    .into(),
            });
        }
    }
    std::fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
    let marker = dir.join(MARKER);
    let mut file = File::create(&marker).map_err(StoreError::io(&marker))?;
    file.write_all(MARKER_TEXT.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(StoreError::io(&marker))?;
    sync_dir(dir)
}

impl CensusSink for ParquetSink {
    type Error = StoreError;

    /// Waits for the commit in flight only when it holds returns of `county`: the ingest
    /// asks at each county it meets, about three times a checkpoint in the national census,
    /// and waiting each time for the commit (its Parquet and its sync) left a core idle
    /// for a tenth of the ingest (docs/benchmarks.md).
    fn held(&mut self, county: &str) -> Result<HashMap<String, String>, StoreError> {
        if self.in_flight_counties.contains(county) {
            self.settle()?;
        }
        check_county(county)?;
        let indices = column_indices(&["return_id", "content_sha256"])?;
        let mut held = HashMap::new();
        for part in self
            .returns_parts
            .get(county)
            .map_or(&[][..], Vec::as_slice)
        {
            let path = self.dir.join(part);
            for batch in parts::read_part(&path, Some(&indices), parts::Text::Strings)? {
                let ids = string_column(&path, &batch, 0)?;
                let hashes = string_column(&path, &batch, 1)?;
                for (id, hash) in ids.iter().zip(hashes.iter()) {
                    if let (Some(id), Some(hash)) = (id, hash) {
                        held.insert(id.to_string(), hash.to_string());
                    }
                }
            }
        }
        Ok(held)
    }

    /// Writes the batch's parts, the refusals and the journal line on a thread of their own,
    /// after the commit before it is durable: the ingest reads and judges the next batch
    /// meanwhile (the commits had held it up for a quarter of the wall time, mostly waiting
    /// for the disk). One commit at most is in flight.
    fn commit(&mut self, batch: Batch, checkpoint: &Checkpoint) -> Result<(), StoreError> {
        self.settle()?;
        let seq = self.entries.len() as u64 + 1;
        let dir = self.dir.clone();
        let journal = self
            .journal
            .try_clone()
            .map_err(StoreError::io(&dir.join(JOURNAL)))?;
        let checkpoint = checkpoint.clone();
        self.in_flight_counties.clear();
        let mut last: Option<&str> = None;
        for r in &batch.returns {
            // Returns come county by county: a county's code is copied once a run of them.
            if last != Some(r.county_code.as_str()) {
                self.in_flight_counties.insert(r.county_code.clone());
                last = Some(&r.county_code);
            }
        }
        self.in_flight = Some(std::thread::spawn(move || {
            write_commit(&dir, journal, seq, batch, checkpoint)
        }));
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        self.settle()
    }

    /// The batch of the last commit that is durable, emptied: filling it again, the ingest
    /// writes into pages it has already touched instead of new ones the kernel must zero
    /// (a fresh batch each checkpoint was about 3% of the ingest's CPU, docs/benchmarks.md).
    fn spare(&mut self) -> Option<Batch> {
        self.spare.take()
    }

    fn checkpoint(&mut self, input: &InputId) -> Result<Option<Checkpoint>, StoreError> {
        self.settle()?;
        Ok(self
            .entries
            .iter()
            .rev()
            .find(|e| &e.checkpoint.input == input)
            .map(|e| e.checkpoint.clone()))
    }

    fn rejects(&mut self, input: &InputId) -> Result<Vec<Reject>, StoreError> {
        self.settle()?;
        let mut out = Vec::new();
        for entry in self.entries.iter().filter(|e| &e.checkpoint.input == input) {
            let Some(name) = &entry.rejects else { continue };
            let path = self.dir.join(name);
            let text = std::fs::read_to_string(&path).map_err(StoreError::io(&path))?;
            for (k, line) in text.lines().enumerate() {
                out.push(
                    serde_json::from_str(line)
                        .map_err(|e| StoreError::corrupt(&path, format!("line {}: {e}", k + 1)))?,
                );
            }
        }
        Ok(out)
    }
}

fn string_column<'a>(
    path: &Path,
    batch: &'a arrow_array::RecordBatch,
    k: usize,
) -> Result<&'a StringArray, StoreError> {
    batch
        .column(k)
        .as_any()
        .downcast_ref::<StringArray>()
        .ok_or_else(|| StoreError::corrupt(path, format!("column {k} is not text")))
}

/// Register households buffered in memory per county before a county's rows are staged.
const REGISTER_BUFFER_ROWS: usize = 1 << 20;

/// A register being loaded: households staged in `_tmp/register` (at most
/// [`REGISTER_BUFFER_ROWS`] in memory), then each county's partition replaced whole by
/// [`RegisterLoad::finish`]; dropped unfinished, it changes nothing.
pub struct RegisterLoad<'a> {
    sink: &'a mut ParquetSink,
    staging: PathBuf,
    buffered: BTreeMap<String, Vec<RegisterRow>>,
    buffered_rows: usize,
    /// County → staged chunk files.
    chunks: BTreeMap<String, Vec<PathBuf>>,
}

impl RegisterLoad<'_> {
    /// Adds a household.
    pub fn push(&mut self, row: RegisterRow) -> Result<(), StoreError> {
        check_county(&row.county_code)?;
        self.buffered
            .entry(row.county_code.clone())
            .or_default()
            .push(row);
        self.buffered_rows += 1;
        if self.buffered_rows >= REGISTER_BUFFER_ROWS {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> Result<(), StoreError> {
        for (county, rows) in std::mem::take(&mut self.buffered) {
            let chunks = self.chunks.entry(county.clone()).or_default();
            let path = self
                .staging
                .join(format!("{county}-{:06}.parquet", chunks.len()));
            parts::write_parquet(&path, &[register_batch(&rows)])?;
            chunks.push(path);
        }
        self.buffered_rows = 0;
        Ok(())
    }

    /// Replaces the register partition of every county loaded (one part each, renamed over
    /// the old one); counties not in this register keep theirs. Returns the households by
    /// county.
    pub fn finish(mut self) -> Result<BTreeMap<String, u64>, StoreError> {
        self.spill()?;
        let mut counts = BTreeMap::new();
        let dir = self.sink.dir.clone();
        for (county, chunks) in std::mem::take(&mut self.chunks) {
            let mut batches = Vec::new();
            for chunk in &chunks {
                batches.extend(parts::read_part(chunk, None, parts::Text::Strings)?);
            }
            let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
            let name = part_name(Table::Register, &county, 0);
            let tmp = self.staging.join(format!("{county}.parquet"));
            parts::write_parquet(&tmp, &batches)?;
            let target = dir.join(&name);
            let parent = target.parent().expect("a part has a directory");
            std::fs::create_dir_all(parent).map_err(StoreError::io(parent))?;
            // Parts of another name in the partition (none are written) would be read with it.
            for other in read_dir(parent)? {
                if other != "part-000000.parquet" {
                    remove(&parent.join(other))?;
                }
            }
            std::fs::rename(&tmp, &target).map_err(StoreError::io(&target))?;
            sync_dir(parent)?;
            for chunk in chunks {
                remove(&chunk)?;
            }
            counts.insert(county, rows as u64);
        }
        Ok(counts)
    }
}

impl Drop for RegisterLoad<'_> {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

/// A batch's rows of each county, in county order: `rows[range]` of each run.
struct ByCounty<T> {
    rows: Vec<T>,
    runs: Vec<(String, Range<usize>)>,
}

impl<T> ByCounty<T> {
    /// Each county's part of `table` written at checkpoint `seq`, with its rows.
    fn parts(&self, table: Table, seq: u64) -> Vec<(String, &[T])> {
        self.runs
            .iter()
            .map(|(county, rows)| (part_name(table, county, seq), &self.rows[rows.clone()]))
            .collect()
    }
}

/// Rows grouped by county, each county's rows in their order. A file in county order gives
/// each county's rows as one run, and the runs are then slices of the batch as it is (no
/// row moved; moving them into a vector per county was a tenth of a commit's time);
/// otherwise the rows are sorted by county first (stable, so each county's keep their order).
fn by_county<T>(mut rows: Vec<T>, county: impl Fn(&T) -> &str) -> Result<ByCounty<T>, StoreError> {
    let runs = runs(&rows, &county)?;
    if runs.windows(2).all(|w| w[0].0 != w[1].0) {
        return Ok(ByCounty { rows, runs });
    }
    rows.sort_by(|a, b| county(a).cmp(county(b)));
    let runs = self::runs(&rows, &county)?;
    Ok(ByCounty { rows, runs })
}

/// The runs of rows of one county, sorted by county (a county may have several).
fn runs<T>(
    rows: &[T],
    county: impl Fn(&T) -> &str,
) -> Result<Vec<(String, Range<usize>)>, StoreError> {
    let mut runs: Vec<(String, Range<usize>)> = Vec::new();
    for (k, row) in rows.iter().enumerate() {
        let code = county(row);
        match runs.last_mut() {
            Some((last, range)) if last == code => range.end = k + 1,
            _ => {
                check_county(code)?;
                runs.push((code.to_string(), k..k + 1));
            }
        }
    }
    runs.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grouped(rows: &[(&str, u32)]) -> Vec<(String, Vec<u32>)> {
        let rows: Vec<(String, u32)> = rows.iter().map(|(c, k)| (c.to_string(), *k)).collect();
        let by = by_county(rows, |r| r.0.as_str()).unwrap();
        by.runs
            .iter()
            .map(|(c, range)| {
                (
                    c.clone(),
                    by.rows[range.clone()].iter().map(|r| r.1).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn rows_are_grouped_by_county_in_county_order_keeping_their_order() {
        let one_run_each = [("530128", 1), ("530128", 2), ("450223", 3), ("450223", 4)];
        assert_eq!(
            grouped(&one_run_each),
            vec![("450223".into(), vec![3, 4]), ("530128".into(), vec![1, 2])]
        );
        let interleaved = [("530128", 1), ("450223", 2), ("530128", 3), ("450223", 4)];
        assert_eq!(
            grouped(&interleaved),
            vec![("450223".into(), vec![2, 4]), ("530128".into(), vec![1, 3])]
        );
        let rows = vec![("53012".to_string(), 1)];
        assert!(by_county(rows, |r| r.0.as_str()).is_err());
    }
}
