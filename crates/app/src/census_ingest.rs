//! The census ingest (`assess census ingest`): returns read from CSV or JSON Lines files,
//! each judged by the inspection rules, and written to a [`CensusSink`] (the Parquet census
//! store, or the census tables of PostgreSQL) in checkpoints, so that a run killed at any moment, run again
//! the same way, loses nothing and stores nothing twice.
//!
//! Why here and not in the store's crate: the pipeline is the same for every sink (the
//! Parquet store here, a PostgreSQL store loaded with COPY in `assess-store`), needs the
//! standards and the register reader, and opens files: a use case.
//!
//! What it does with each return (docs/census.md, "Store and ingest"):
//! - unreadable, or refused by its own rules or the inspection rules: a [`Reject`] (file,
//!   line, field, reason), its rows and members never stored;
//! - its return id already held with the same content hash: skipped, counted as already held;
//! - its return id held with another content: refused ("return id held with other answers");
//! - otherwise its [`ReturnRow`] and [`MemberRow`]s are stored together at the next checkpoint.
//!
//! Memory: one return, the rows since the last checkpoint, and the held ids (return id and
//! content hash) of the counties met; after a checkpoint the held ids are dropped when more
//! than [`IngestSettings::held_ids_limit`] are kept, and read again from the store when their
//! county comes back.

use assess_census::{
    judge_return, Batch, Block, CensusReturn, CensusSink, Checkpoint, Counts, CsvBlocks, CsvReader,
    CsvSource, InputId, JsonLinesReader, MemberRow, Numbered, Piece, RawReturn, RegisterRow,
    Reject, ReturnError, ReturnRow,
};
use assess_census_store::{ParquetSink, StoreError};
use assess_register::{EncodingChoice, ReadOptions, RegisterError};
use assess_standards::Standards;
use assess_store::census::{CensusDbError, PgSink};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

/// The layout of a returns file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// By the file's extension: `.csv` is CSV; `.jsonl`, `.ndjson`, `.json` are JSON Lines;
    /// `.xlsx` is the XLSX template.
    Auto,
    /// CSV, one row per member (docs/census.md, "CSV").
    Csv,
    /// JSON Lines, one return per line.
    JsonLines,
    /// A filled XLSX census template (docs/census.md, "XLSX"); read whole (a workbook is a
    /// zip archive, not a stream), so meant for a team's returns, not a province's.
    Xlsx,
}

/// How an ingest runs.
#[derive(Debug, Clone)]
pub struct IngestSettings {
    /// The returns files' layout.
    pub format: Format,
    /// The text encoding of CSV files.
    pub encoding: EncodingChoice,
    /// A checkpoint after this many returns read (and at the end of each file).
    pub checkpoint_every: u64,
    /// Held ids kept in memory across checkpoints at most (about 150 bytes each).
    pub held_ids_limit: usize,
}

impl Default for IngestSettings {
    fn default() -> Self {
        IngestSettings {
            format: Format::Auto,
            encoding: EncodingChoice::Auto,
            checkpoint_every: 100_000,
            held_ids_limit: 1_000_000,
        }
    }
}

/// Progress, for a front end's bar.
#[derive(Debug, Clone)]
pub enum Progress<'a> {
    /// A file starts (or resumes) at `from` of its `size` bytes.
    File {
        /// The file.
        path: &'a Path,
        /// Its size.
        size: u64,
        /// Where reading resumes (0: from the start).
        from: u64,
    },
    /// Bytes of the current file read so far.
    Bytes(u64),
}

/// What became of one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputReport {
    /// The file.
    pub path: PathBuf,
    /// Counts over every run that read it.
    pub counts: Counts,
    /// This run resumed it from a checkpoint (items already read then).
    pub resumed_at: Option<u64>,
    /// An earlier run read it whole; this one read nothing of it.
    pub already_done: bool,
}

/// What an ingest did.
#[derive(Debug, Clone, Default)]
pub struct IngestReport {
    /// Each input, in the order given.
    pub inputs: Vec<InputReport>,
    /// Every return of these inputs refused (in any run), in order.
    pub rejects: Vec<Reject>,
}

impl IngestReport {
    /// The counts of every input added up.
    pub fn total(&self) -> Counts {
        self.inputs
            .iter()
            .fold(Counts::default(), |t, i| t.plus(i.counts))
    }
}

/// Why an ingest stopped. What was committed before stays (a run again resumes).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The store failed.
    #[error(transparent)]
    Sink(Box<dyn std::error::Error + Send + Sync>),
    /// A file could not be read.
    #[error("{what} {}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// An input is not a regular file.
    #[error(
        "{} is not a regular file; an ingest resumes by reading its inputs again from a \
         checkpoint, so give a file (save a pipe's output to one first)",
        .0.display()
    )]
    NotAFile(PathBuf),
    /// An input's layout cannot be told from its name.
    #[error(
        "{} has no .csv, .jsonl, .ndjson or .xlsx name; say whether it is CSV, JSON Lines or XLSX",
        .0.display()
    )]
    UnknownFormat(PathBuf),
    /// An input is refused whole (its header, or it cannot be read).
    #[error("{0}")]
    File(ReturnError),
    /// The register was refused (nothing of it was stored).
    #[error(transparent)]
    Register(#[from] RegisterError),
    /// The store refused the register.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn sink_error(e: impl std::error::Error + Send + Sync + 'static) -> IngestError {
    IngestError::Sink(Box::new(e))
}

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> IngestError {
    let path = path.to_path_buf();
    move |source| IngestError::Io { what, path, source }
}

/// An input's identity: its canonical path, size and the SHA-256 of its first MiB.
pub fn input_id(path: &Path) -> Result<InputId, IngestError> {
    let meta = std::fs::metadata(path).map_err(io("reading", path))?;
    if !meta.is_file() {
        return Err(IngestError::NotAFile(path.to_path_buf()));
    }
    let canonical = std::fs::canonicalize(path).map_err(io("reading", path))?;
    let mut head = Vec::with_capacity(1 << 20);
    File::open(path)
        .and_then(|f| f.take(1 << 20).read_to_end(&mut head))
        .map_err(io("reading", path))?;
    Ok(InputId {
        path: canonical.display().to_string(),
        size: meta.len(),
        head_sha256: hex::encode(Sha256::digest(&head)),
    })
}

/// The layout of `path` under `format`.
pub fn format_of(path: &Path, format: Format) -> Result<Format, IngestError> {
    if format != Format::Auto {
        return Ok(format);
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") => Ok(Format::Csv),
        Some("jsonl" | "ndjson" | "json") => Ok(Format::JsonLines),
        Some("xlsx") => Ok(Format::Xlsx),
        _ => Err(IngestError::UnknownFormat(path.to_path_buf())),
    }
}

/// A reader that counts the bytes handed on (`Read`) or consumed (`BufRead`).
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        self.inner.consume(n);
    }
}

/// Ingests `inputs` into `sink`, each from its last checkpoint.
pub fn ingest<S: CensusSink>(
    sink: &mut S,
    inputs: &[PathBuf],
    standards: &Standards,
    settings: &IngestSettings,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<IngestReport, IngestError> {
    // Everything that can be refused before reading is refused first.
    let mut planned = Vec::new();
    for path in inputs {
        let format = format_of(path, settings.format)?;
        planned.push((path, format, input_id(path)?));
    }
    let mut held = Held::default();
    let mut report = IngestReport::default();
    for (path, format, id) in planned {
        let checkpoint = sink.checkpoint(&id).map_err(sink_error)?;
        let input = match &checkpoint {
            Some(cp) if cp.done => InputReport {
                path: path.clone(),
                counts: cp.counts,
                resumed_at: None,
                already_done: true,
            },
            _ => {
                let mut run = Run {
                    sink: &mut *sink,
                    standards,
                    settings,
                    held: &mut held,
                    id: id.clone(),
                    file_name: path.display().to_string(),
                    batch: batch_for(settings),
                    since_checkpoint: 0,
                    answers: None,
                    out_of_scope: false,
                    at: checkpoint.clone().unwrap_or(Checkpoint {
                        input: id.clone(),
                        items: 0,
                        offset: 0,
                        line: 0,
                        done: false,
                        counts: Counts::default(),
                    }),
                };
                run.file(path, format, progress)?;
                InputReport {
                    path: path.clone(),
                    counts: run.at.counts,
                    resumed_at: checkpoint.map(|cp| cp.items),
                    already_done: false,
                }
            }
        };
        report.inputs.push(input);
        report
            .rejects
            .extend(sink.rejects(&id).map_err(sink_error)?);
    }
    Ok(report)
}

/// Who may send a return: `Err(reason)` refuses it (unjudged, not stored), named.
pub type Admit<'a> = dyn Fn(&CensusReturn) -> Result<(), String> + 'a;

/// What became of one return of an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Its line in the upload (1-based).
    pub line: u64,
    /// Its return id, when it could be read.
    pub return_id: Option<String>,
    /// What became of it.
    pub outcome: Outcome,
}

/// Stored, already held, or refused (with every reason, as the ingest reports them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Judged and stored (at the upload's checkpoint).
    Stored,
    /// The same return (id and content) was already held: nothing stored.
    AlreadyHeld,
    /// Refused by its own rules, the inspection rules, or as another return's id.
    Refused(Vec<Reject>),
    /// Refused unjudged: the caller may not send returns of its county.
    OutOfScope(Vec<Reject>),
}

/// Writes uploads of JSON Lines returns to one sink, each return judged and deduplicated
/// exactly as [`ingest`] does, each upload committed as one checkpoint (all its stored
/// returns, or none when the sink fails). It keeps the held ids of the counties met between
/// uploads when it is the store's only writer (the Parquet store, whose lock it holds).
pub struct Uploads<S: CensusSink> {
    sink: S,
    held: Held,
    keep_held: bool,
    settings: IngestSettings,
}

impl<S: CensusSink> Uploads<S> {
    /// Uploads into `sink`; `only_writer`: nobody else writes the sink while this lives (the
    /// held ids are then kept between uploads).
    pub fn new(sink: S, only_writer: bool) -> Uploads<S> {
        Uploads {
            sink,
            held: Held::default(),
            keep_held: only_writer,
            // The upload is one checkpoint.
            settings: IngestSettings {
                checkpoint_every: u64::MAX,
                ..IngestSettings::default()
            },
        }
    }

    /// The sink.
    pub fn sink(&self) -> &S {
        &self.sink
    }

    /// Reads `body` (JSON Lines, one return a line) as the input `input` (named `name` in
    /// refusals), and answers each return in order. A body that is not text at all is refused
    /// whole ([`IngestError::File`]).
    pub fn upload(
        &mut self,
        input: InputId,
        name: &str,
        body: &[u8],
        standards: &Standards,
        admit: &Admit<'_>,
    ) -> Result<Vec<Answer>, IngestError> {
        if !self.keep_held {
            self.held = Held::default();
        }
        let mut run = Run {
            sink: &mut self.sink,
            standards,
            settings: &self.settings,
            held: &mut self.held,
            id: input.clone(),
            file_name: name.to_string(),
            batch: Batch::default(),
            since_checkpoint: 0,
            answers: Some(Vec::new()),
            out_of_scope: false,
            at: Checkpoint {
                input,
                items: 0,
                offset: 0,
                line: 0,
                done: false,
                counts: Counts::default(),
            },
        };
        for item in JsonLinesReader::new(name.to_string(), body) {
            if let Err(e) = &item {
                if e.problem.field == "file" {
                    return Err(IngestError::File(e.clone()));
                }
            }
            // Who may send each return is decided before it is judged: a return out of the
            // caller's scope is refused unjudged.
            let worked = match item {
                Ok(n) => match admit(&n.census_return) {
                    Err(reason) => Worked::OutOfScope {
                        line: n.line,
                        return_id: n.census_return.return_id,
                        reason,
                    },
                    Ok(()) => work(Ok(n), standards),
                },
                Err(e) => Worked::Unreadable(e),
            };
            run.item(worked, 0)?;
        }
        run.at.done = true;
        run.checkpoint(body.len() as u64)?;
        Ok(run.answers.take().unwrap_or_default())
    }
}

/// The held ids of the counties met: county → return id → content hash.
#[derive(Default)]
struct Held {
    counties: HashMap<String, HashMap<String, String>>,
    ids: usize,
}

/// One input being read.
struct Run<'a, S: CensusSink> {
    sink: &'a mut S,
    standards: &'a Standards,
    settings: &'a IngestSettings,
    held: &'a mut Held,
    id: InputId,
    /// The file as the command line gave it, for refusals.
    file_name: String,
    batch: Batch,
    since_checkpoint: u64,
    /// What became of each return, when the caller wants each answered (an upload).
    answers: Option<Vec<Answer>>,
    /// The current return was refused by `admit`.
    out_of_scope: bool,
    /// Where the input is (a checkpoint once committed).
    at: Checkpoint,
}

/// Returns a chunk: the reading thread hands them on in chunks, and a judging thread judges
/// a chunk whole.
const CHUNK: usize = 1024;

/// Chunks in flight between two stages (memory: some tens of MB of returns). Four left the
/// cores idle a fifth of the time (`perf sched`): the reader, the judging threads, this one
/// and a commit share two cores, and a short queue ran dry or full whenever one of them was
/// held back; sixteen halved the idle time.
const CHUNKS_IN_FLIGHT: usize = 16;

/// An item as read: a CSV return's rows (assembled by a worker), a parsed JSON Lines return,
/// or why it could not be read; with the offset a JSON Lines checkpoint resumes at (0 for
/// CSV) and the bytes read so far (for progress).
struct Read1 {
    item: Result<Raw, ReturnError>,
    offset: u64,
    read: u64,
}

// Items travel in chunks of a Vec, moved once each; boxing the larger variant would add an
// allocation per return on the ingest's hot path for no saving.
#[allow(clippy::large_enum_variant)]
enum Raw {
    Csv(RawReturn),
    Parsed(Numbered),
    /// Whole returns of a CSV file, parsed and assembled on the judging thread.
    Block(Block),
}

/// A chunk as read, or the error that refuses the file whole.
type ReadChunk = Result<Vec<Read1>, ReturnError>;

/// A chunk as judged (each item with the offset and bytes read after it), or the error that
/// refuses the file whole.
type WorkedChunk = Result<Vec<(Worked, u64, u64)>, ReturnError>;

/// What a worker made of one item (not boxed: see [`Raw`]).
#[allow(clippy::large_enum_variant)]
enum Worked {
    /// Unreadable, or refused by its own rules.
    Unreadable(ReturnError),
    /// Out of the uploading caller's scope: refused unjudged.
    OutOfScope {
        line: u64,
        return_id: String,
        reason: String,
    },
    /// Refused by the inspection rules (field, reason masked).
    Refused {
        line: u64,
        return_id: String,
        problems: Vec<(String, String)>,
    },
    /// Judged; stored unless held.
    Judged {
        line: u64,
        return_id: String,
        county: String,
        content_sha256: String,
        row: ReturnRow,
        members: Vec<MemberRow>,
    },
}

/// Assembles (CSV) and works each return of an item as read, in order.
fn work_read(item: Result<Raw, ReturnError>, standards: &Standards, mut out: impl FnMut(Worked)) {
    match item {
        Err(e) => out(Worked::Unreadable(e)),
        Ok(Raw::Parsed(n)) => out(work(Ok(n), standards)),
        Ok(Raw::Csv(raw)) => out(work(raw.assemble(), standards)),
        Ok(Raw::Block(block)) => block.returns().for_each(|n| out(work(n, standards))),
    }
}

/// Judges and flattens one return: the part of the ingest that runs on every core.
fn work(item: Result<Numbered, ReturnError>, standards: &Standards) -> Worked {
    let n = match item {
        Err(e) => return Worked::Unreadable(e),
        Ok(n) => n,
    };
    let line = n.line;
    let return_id = n.census_return.return_id.clone();
    let county = n.census_return.county_code.clone();
    match judge_return(n.census_return, standards) {
        Ok(judged) => {
            let (row, members) = judged.into_rows();
            Worked::Judged {
                line,
                return_id,
                county,
                content_sha256: row.content_sha256.clone(),
                row,
                members,
            }
        }
        Err(problems) => Worked::Refused {
            line,
            return_id,
            problems: problems
                .into_iter()
                .map(|p| {
                    (
                        p.field,
                        assess_inspection::mask_identity_numbers(&p.message),
                    )
                })
                .collect(),
        },
    }
}

/// Sends `item` into the chunk being filled, and the chunk on when full; false when the
/// receiver is gone (the ingest stopped).
fn push_read(chunk: &mut Vec<Read1>, item: Read1, tx: &SyncSender<ReadChunk>) -> bool {
    chunk.push(item);
    if chunk.len() >= CHUNK {
        let full = std::mem::replace(chunk, Vec::with_capacity(CHUNK));
        return tx.send(Ok(full)).is_ok();
    }
    true
}

/// Reads a CSV file on its own thread, skipping the `skip` items already checkpointed
/// (read, not assembled nor judged).
fn read_csv(mut reader: CsvReader<'_>, count: &AtomicU64, skip: u64, tx: SyncSender<ReadChunk>) {
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut k = 0u64;
    while let Some(item) = reader.next_raw() {
        if k == 0 {
            if let Err(e) = &item {
                if e.line <= 1 && matches!(e.problem.field.as_str(), "header" | "encoding" | "file")
                {
                    let _ = tx.send(Err(e.clone()));
                    return;
                }
            }
        }
        k += 1;
        if k <= skip {
            continue;
        }
        let read = Read1 {
            item: item.map(Raw::Csv),
            offset: 0,
            read: count.load(Ordering::Relaxed),
        };
        if !push_read(&mut chunk, read, &tx) {
            return;
        }
    }
    if !chunk.is_empty() {
        let _ = tx.send(Ok(chunk));
    }
}

/// Reads a CSV file on its own thread in blocks of whole returns, each parsed by a judging
/// thread; the rest of the file row by row when blocks cannot follow it (`blocks.rs` in
/// `assess-census`).
fn read_blocks(mut blocks: CsvBlocks<'_>, count: &AtomicU64, tx: SyncSender<ReadChunk>) {
    loop {
        let item = match blocks.next_piece() {
            Ok(None) => return,
            Ok(Some(Piece::Block(block))) => Ok(Raw::Block(block)),
            Ok(Some(Piece::Rest(rows))) => return read_csv(*rows, count, 0, tx),
            Err(e) => Err(e),
        };
        let stop = item.is_err();
        let read = Read1 {
            item,
            offset: 0,
            read: count.load(Ordering::Relaxed),
        };
        if tx.send(Ok(vec![read])).is_err() || stop {
            return;
        }
    }
}

/// Reads a JSON Lines file on its own thread; lines counted from `base_line`.
fn read_jsonl<R: BufRead>(
    reader: JsonLinesReader<R>,
    count: &AtomicU64,
    base_line: u64,
    tx: SyncSender<ReadChunk>,
) {
    let mut chunk = Vec::with_capacity(CHUNK);
    for item in reader {
        let item = item
            .map(|mut n| {
                n.line += base_line;
                n
            })
            .map_err(|mut e| {
                e.line += base_line;
                e
            });
        if let Err(e) = &item {
            if e.problem.field == "file" {
                // The returns before it are stored as a single-threaded read would.
                if !chunk.is_empty() && tx.send(Ok(std::mem::take(&mut chunk))).is_err() {
                    return;
                }
                let _ = tx.send(Err(e.clone()));
                return;
            }
        }
        let offset = count.load(Ordering::Relaxed);
        let read = Read1 {
            item: item.map(Raw::Parsed),
            offset,
            read: offset,
        };
        if !push_read(&mut chunk, read, &tx) {
            return;
        }
    }
    if !chunk.is_empty() {
        let _ = tx.send(Ok(chunk));
    }
}

/// Hands on a workbook's returns, read whole, skipping the first `skip` (checkpointed).
fn read_items(
    items: Vec<Result<Numbered, ReturnError>>,
    skip: u64,
    size: u64,
    tx: SyncSender<ReadChunk>,
) {
    let mut chunk = Vec::with_capacity(CHUNK);
    for item in items.into_iter().skip(skip as usize) {
        let read = Read1 {
            item: item.map(Raw::Parsed),
            offset: 0,
            read: size,
        };
        if !push_read(&mut chunk, read, &tx) {
            return;
        }
    }
    if !chunk.is_empty() {
        let _ = tx.send(Ok(chunk));
    }
}

/// Threads that judge: one a core.
fn judging_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Judges chunks as they come, each whole on this thread, numbered in the order read so
/// that the caller can put them back in order. Several run at once, one a core: a chunk
/// split across the cores (rayon) left a core waiting at the end of each chunk.
fn judge_chunks(
    rx: Arc<Mutex<(Receiver<ReadChunk>, u64)>>,
    standards: &Standards,
    tx: SyncSender<(u64, WorkedChunk)>,
) {
    loop {
        let (k, chunk) = {
            let mut read = rx.lock().unwrap_or_else(|e| e.into_inner());
            let Ok(chunk) = read.0.recv() else { return };
            read.1 += 1;
            (read.1 - 1, chunk)
        };
        let worked = chunk.map(|chunk| {
            let mut worked = Vec::with_capacity(chunk.len());
            for r in chunk {
                work_read(r.item, standards, |w| worked.push((w, r.offset, r.read)));
            }
            worked
        });
        if tx.send((k, worked)).is_err() {
            return;
        }
    }
}

impl<S: CensusSink> Run<'_, S> {
    /// Reads, judges and stores one file in three stages at once: a thread reads (CSV
    /// records grouped into returns, or JSON Lines parsed), a thread a core assembles and
    /// judges chunks of returns, and this thread checks held ids, gathers the rows and
    /// commits them at checkpoints (a sink may write them while the others go on), in the
    /// file's order.
    fn file(
        &mut self,
        path: &Path,
        format: Format,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<(), IngestError> {
        let mut file = File::open(path).map_err(io("reading", path))?;
        let name = path.display().to_string();
        let count = Arc::new(AtomicU64::new(0));
        let (read_tx, read_rx) = sync_channel::<ReadChunk>(CHUNKS_IN_FLIGHT);
        let (judged_tx, judged_rx) = sync_channel(CHUNKS_IN_FLIGHT);
        let standards = self.standards;
        std::thread::scope(|scope| -> Result<(), IngestError> {
            match format {
                Format::JsonLines => {
                    // JSON Lines resumes at the byte after the checkpoint's last line.
                    file.seek(SeekFrom::Start(self.at.offset))
                        .map_err(io("reading", path))?;
                    count.store(self.at.offset, Ordering::Relaxed);
                    progress(Progress::File {
                        path,
                        size: self.id.size,
                        from: self.at.offset,
                    });
                    let reader = Counting {
                        inner: BufReader::with_capacity(1 << 20, file),
                        count: count.clone(),
                    };
                    let base_line = self.at.line;
                    let count = &count;
                    scope.spawn(move || {
                        read_jsonl(
                            JsonLinesReader::new(name, reader),
                            count,
                            base_line,
                            read_tx,
                        )
                    });
                }
                Format::Csv => {
                    // A CSV return spans rows and the text may be GB18030: it resumes by
                    // reading the file again from its start, skipping the items already
                    // checkpointed (read, not judged).
                    progress(Progress::File {
                        path,
                        size: self.id.size,
                        from: 0,
                    });
                    let reader = Counting {
                        inner: file,
                        count: count.clone(),
                    };
                    let reader = BufReader::with_capacity(1 << 20, reader);
                    let (skip, count) = (self.at.items, &count);
                    // A file started afresh is read in blocks (each parsed on a judging
                    // thread); one resumed row by row, to skip what is checkpointed unjudged.
                    let source = if skip == 0 {
                        CsvSource::open(name.clone(), reader, self.settings.encoding)
                    } else {
                        CsvReader::new(name.clone(), reader, self.settings.encoding)
                            .map(|rows| CsvSource::Rows(Box::new(rows)))
                    };
                    match source.map_err(io("reading", path))? {
                        CsvSource::Blocks(blocks) => {
                            scope.spawn(move || read_blocks(blocks, count, read_tx))
                        }
                        CsvSource::Rows(rows) => {
                            scope.spawn(move || read_csv(*rows, count, skip, read_tx))
                        }
                    };
                }
                Format::Xlsx => {
                    // A workbook resumes as CSV does: read again, the items already
                    // checkpointed skipped.
                    progress(Progress::File {
                        path,
                        size: self.id.size,
                        from: 0,
                    });
                    let mut bytes = Vec::new();
                    file.read_to_end(&mut bytes).map_err(io("reading", path))?;
                    let items = assess_forms::census::read_census(&name, &bytes).map_err(|e| {
                        IngestError::File(ReturnError::at(
                            &name,
                            0,
                            None,
                            assess_census::Problem::new("file", e.to_string()),
                        ))
                    })?;
                    let (skip, size) = (self.at.items, self.id.size);
                    scope.spawn(move || read_items(items, skip, size, read_tx));
                }
                Format::Auto => unreachable!("format_of decides"),
            }
            // The last judging thread to stop drops the receiver: the reader stops too.
            let read_rx = Arc::new(Mutex::new((read_rx, 0u64)));
            for _ in 0..judging_threads() {
                let (read_rx, judged_tx) = (read_rx.clone(), judged_tx.clone());
                scope.spawn(move || judge_chunks(read_rx, standards, judged_tx));
            }
            drop(read_rx);
            drop(judged_tx);
            // Chunks come back in any order and are taken in the order read. Returning early
            // drops the receiver: the other stages stop at their next send.
            let mut next = 0u64;
            let mut waiting = BTreeMap::new();
            for (k, chunk) in judged_rx {
                waiting.insert(k, chunk);
                while let Some(chunk) = waiting.remove(&next) {
                    next += 1;
                    for (worked, offset, read) in chunk.map_err(IngestError::File)? {
                        self.item(worked, offset)?;
                        progress(Progress::Bytes(read));
                    }
                }
            }
            Ok(())
        })?;
        self.at.done = true;
        self.checkpoint(self.at.offset.max(count.load(Ordering::Relaxed)))
    }

    fn reject(
        &mut self,
        file: &str,
        line: u64,
        return_id: Option<String>,
        field: String,
        reason: String,
    ) {
        self.batch.rejects.push(Reject {
            file: file.to_string(),
            line,
            return_id,
            field,
            reason,
        });
    }

    fn item(&mut self, item: Worked, offset: u64) -> Result<(), IngestError> {
        self.at.items += 1;
        self.at.counts.read += 1;
        let (before, rejects_before) = (self.at.counts, self.batch.rejects.len());
        let (line, return_id) = match &item {
            Worked::Unreadable(e) => (e.line, e.return_id.clone()),
            Worked::OutOfScope {
                line, return_id, ..
            }
            | Worked::Refused {
                line, return_id, ..
            }
            | Worked::Judged {
                line, return_id, ..
            } => (*line, Some(return_id.clone())),
        };
        self.out_of_scope = false;
        match item {
            Worked::Unreadable(e) => {
                self.at.line = self.at.line.max(e.line);
                self.at.counts.rejected += 1;
                self.reject(
                    &e.file.clone(),
                    e.line,
                    e.return_id,
                    e.problem.field,
                    e.problem.message,
                );
            }
            Worked::OutOfScope {
                line,
                return_id,
                reason,
            } => {
                self.at.line = self.at.line.max(line);
                self.at.counts.rejected += 1;
                self.out_of_scope = true;
                let file = self.current_file();
                self.reject(&file, line, Some(return_id), "county_code".into(), reason);
            }
            Worked::Refused {
                line,
                return_id,
                problems,
            } => {
                self.at.line = self.at.line.max(line);
                self.at.counts.rejected += 1;
                let file = self.current_file();
                for (field, reason) in problems {
                    self.reject(&file, line, Some(return_id.clone()), field, reason);
                }
            }
            Worked::Judged {
                line,
                return_id,
                county,
                content_sha256,
                row,
                members,
            } => {
                self.at.line = self.at.line.max(line);
                self.judged(line, return_id, county, content_sha256, row, members)?;
            }
        }
        if let Some(answers) = &mut self.answers {
            let refused = &self.batch.rejects[rejects_before..];
            answers.push(Answer {
                line,
                return_id,
                outcome: if self.at.counts.stored > before.stored {
                    Outcome::Stored
                } else if self.at.counts.already_held > before.already_held {
                    Outcome::AlreadyHeld
                } else if self.out_of_scope {
                    Outcome::OutOfScope(refused.to_vec())
                } else {
                    Outcome::Refused(refused.to_vec())
                },
            });
        }
        self.since_checkpoint += 1;
        if self.since_checkpoint >= self.settings.checkpoint_every {
            self.checkpoint(offset)?;
        }
        Ok(())
    }

    fn judged(
        &mut self,
        line: u64,
        return_id: String,
        county: String,
        content_sha256: String,
        row: ReturnRow,
        members: Vec<MemberRow>,
    ) -> Result<(), IngestError> {
        if !self.held.counties.contains_key(&county) {
            let ids = self.sink.held(&county).map_err(sink_error)?;
            self.held.ids += ids.len();
            self.held.counties.insert(county.clone(), ids);
        }
        let ids = self.held.counties.get_mut(&county).expect("loaded above");
        match ids.get(&return_id) {
            Some(hash) if *hash == content_sha256 => {
                self.at.counts.already_held += 1;
            }
            Some(_) => {
                self.at.counts.rejected += 1;
                let file = self.current_file();
                self.reject(
                    &file,
                    line,
                    Some(return_id),
                    "return_id".into(),
                    "return id held with other answers: the store holds a return of this id \
                     with other content; give a corrected return a new id, or check which of \
                     the two is right"
                        .into(),
                );
            }
            None => {
                ids.insert(return_id, content_sha256);
                self.held.ids += 1;
                self.at.counts.stored += 1;
                self.at.counts.members += members.len() as u64;
                self.batch.returns.push(row);
                self.batch.members.extend(members);
            }
        }
        Ok(())
    }

    /// The file's name as errors give it (as the command line gave it).
    fn current_file(&self) -> String {
        self.file_name.clone()
    }

    fn checkpoint(&mut self, offset: u64) -> Result<(), IngestError> {
        if offset > 0 {
            self.at.offset = offset;
        }
        let batch = std::mem::take(&mut self.batch);
        let (returns, rejects) = (batch.returns.len(), batch.rejects.len());
        let started = std::time::Instant::now();
        self.sink.commit(batch, &self.at).map_err(sink_error)?;
        // An upload's batch is small: only a file's is made room for, in the batch of an
        // earlier commit when the sink hands one back.
        if self.answers.is_none() {
            self.batch = match self.sink.spare() {
                Some(spare) => spare,
                None => batch_for(self.settings),
            };
        }
        // The sink may write in the background: an input's end and an upload are durable
        // before anything says they are stored.
        if self.at.done || self.answers.is_some() {
            self.sink.flush().map_err(sink_error)?;
        }
        tracing::debug!(
            seconds = started.elapsed().as_secs_f64(),
            file = %self.file_name,
            items = self.at.items,
            line = self.at.line,
            returns,
            rejects,
            done = self.at.done,
            "checkpoint"
        );
        self.since_checkpoint = 0;
        if self.held.ids > self.settings.held_ids_limit {
            self.held.counties.clear();
            self.held.ids = 0;
        }
        Ok(())
    }
}

/// An empty batch with room for a file's checkpoint of rows (at most 100,000 returns, four
/// members each): grown a row at a time, the batch was copied at each doubling into pages the
/// kernel had to zero (about 8% of the ingest's CPU, measured on 498,330 returns).
fn batch_for(settings: &IngestSettings) -> Batch {
    let returns = settings.checkpoint_every.min(100_000) as usize;
    Batch {
        returns: Vec::with_capacity(returns),
        members: Vec::with_capacity(4 * returns),
        rejects: Vec::new(),
    }
}

/// Loads a register into the store: every household (as [`RegisterRow`]), each county's
/// register partition replaced whole; nothing is replaced when the register is refused.
/// Returns the households by county.
pub fn load_register(
    sink: &mut ParquetSink,
    path: &Path,
    opts: &ReadOptions,
) -> Result<BTreeMap<String, u64>, IngestError> {
    let mut load = sink.register_load()?;
    scan_register(path, opts, |row| load.push(row))?;
    Ok(load.finish()?)
}

/// Loads a register into the census tables of PostgreSQL: every household copied to a
/// staging table, then each county's register rows replaced whole (one transaction a
/// county); nothing is replaced when the register is refused. Returns the households by
/// county.
pub fn load_register_pg(
    sink: &mut PgSink,
    path: &Path,
    opts: &ReadOptions,
) -> Result<BTreeMap<String, u64>, IngestError> {
    let mut load = sink.register_load()?;
    scan_register(path, opts, |row| load.push(row))?;
    Ok(load.finish()?)
}

/// Reads and checks a register, handing each household to `push`; the first error of
/// `push` stops the handing and is returned once the file is read.
fn scan_register<E: Into<IngestError> + Send>(
    path: &Path,
    opts: &ReadOptions,
    mut push: impl FnMut(RegisterRow) -> Result<(), E> + Send,
) -> Result<(), IngestError> {
    let mut failed: Option<E> = None;
    assess_register::scan_frame(path, opts, |h| {
        if failed.is_none() {
            if let Err(e) = push(RegisterRow::of(h)) {
                failed = Some(e);
            }
        }
    })?;
    match failed {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

impl From<CensusDbError> for IngestError {
    fn from(e: CensusDbError) -> IngestError {
        sink_error(e)
    }
}
