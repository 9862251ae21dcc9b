//! The scan of a register: the public entry points ([`scan_frame`],
//! [`scan_frame_in_memory`], [`ReadOptions`]) and the threads that run it. For CSV this
//! thread splits the file into chunks of whole records, checking threads check the chunks in
//! any order, and a totalling thread puts the checked runs back in file order, hands each
//! valid household to the caller, tallies it by county, township and stratum, and has the
//! canonical lines hashed on a thread of its own; for XLSX one thread reads and checks, and
//! the totalling thread is the same. At the end the village codes are resolved against the
//! division-code list, duplicate ids confirmed and the [`FrameReport`] made.
//!
//! Not for: what makes a row valid or how its problems are reported (`check`), splitting or
//! decoding the file (`source`).

use super::check::{display_columns, has_display, header, Checked, Checker, Compact};
use crate::canonical::{Canonical, DISPLAY_TAG, FRAME_TAG};
use crate::error::{ErrorList, Problem, RegisterError};
use crate::ids::IdHashes;
use crate::report::{CountySummary, FrameReport, StratumSummary, TownshipSummary};
use crate::source::{
    Chunker, EncodingChoice, Input, Layout, Records, Row, Source, TextEncoding, BLOCK,
};
use crate::vintage::{self, CodeUses};
use assess_divisions::{Divisions, UnitKind, VillageCode, Vintage};
use assess_household::{DisplayColumn, Household, HouseholdDisplay, Status, FRAME_REQUIRED};
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::{mpsc, Mutex, PoisonError};

/// How to read a register or village file.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadOptions {
    /// Text encoding of CSV files.
    pub encoding: EncodingChoice,
    /// The division-code list to check against; `None` detects it from the codes.
    pub vintage: Option<Vintage>,
    /// How many errors to list (all are counted). Default 50.
    pub max_errors: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            encoding: EncodingChoice::Auto,
            vintage: None,
            max_errors: 50,
        }
    }
}

impl ReadOptions {
    /// Options for a quicker first read of a CSV file, or `None` when there is no quicker
    /// way. Detecting the encoding ("auto") reads the whole file once to see whether every
    /// byte is UTF-8, before the scan reads it again; a file whose first MiB is UTF-8 can
    /// instead be scanned as UTF-8 at once, the scan checking the rest as it goes. A caller
    /// must read again with `self` when the quicker read refuses the file: a GB18030 file
    /// whose first MiB is ASCII is then detected as before, and errors are reported as
    /// with `self`.
    pub fn quick_for(&self, path: &Path) -> Option<ReadOptions> {
        let csv = !path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xls"));
        let utf8 =
            csv && self.encoding == EncodingChoice::Auto && crate::source::starts_as_utf8(path);
        utf8.then(|| ReadOptions {
            encoding: EncodingChoice::Utf8,
            ..self.clone()
        })
    }
}

/// Reads and validates the whole register at `path`, calling `each` for every valid
/// household in file order. The file is streamed: memory grows with the number of
/// villages and 8 bytes per household (the id hashes), never with the rows themselves.
///
/// On `Err` the file is refused as a whole and whatever `each` saw must be discarded.
/// Two calls on the same file give identical results.
pub fn scan_frame(
    path: &Path,
    opts: &ReadOptions,
    each: impl FnMut(&Household) + Send,
) -> Result<FrameReport, RegisterError> {
    scan(Input::file(path), opts, each)
}

/// [`scan_frame`] on a register already in memory (a synthetic one that `assess-synth` made
/// for a simulation, which writes no file); `name` names it in messages and tells CSV from
/// XLSX by its extension.
pub fn scan_frame_in_memory(
    name: &Path,
    bytes: Vec<u8>,
    opts: &ReadOptions,
    each: impl FnMut(&Household) + Send,
) -> Result<FrameReport, RegisterError> {
    scan(Input::memory(name, bytes.into()), opts, each)
}

fn scan(
    input: Input,
    opts: &ReadOptions,
    each: impl FnMut(&Household) + Send,
) -> Result<FrameReport, RegisterError> {
    let source = Source::open(input, opts.encoding)?;
    tracing::info!(path = %source.path().display(), format = source.format.as_str(), "scanning register");
    let errors = ErrorList::new(source.path(), source.sheet.clone(), opts.max_errors);
    let scanned = match source.encoding {
        Some(encoding) => scan_csv(&source, encoding, opts, errors, each)?,
        None => scan_xlsx(&source, opts, errors, each)?,
    };
    scanned.finish(&source, opts)
}

/// Rows per run when one thread reads and checks (XLSX).
const BATCH: usize = 4096;

/// A chunk of whole CSV records to check: `bytes[start..]`, whose first record is at `line`.
struct Job {
    seq: u64,
    bytes: Vec<u8>,
    start: usize,
    line: u64,
}

enum Message {
    /// A checked run and the chunk buffer it came from, to be reused.
    Checked(Box<Checked>, Vec<u8>),
    /// A checking thread panicked: nobody should wait for its runs.
    Failed,
}

/// Sends [`Message::Failed`] when the thread holding it unwinds.
struct FailGuard(mpsc::Sender<Message>);

impl Drop for FailGuard {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let _ = self.0.send(Message::Failed);
        }
    }
}

/// The end of a scan, before the codes are resolved and duplicates confirmed.
struct Scanned {
    header_seen: bool,
    layout: Option<Layout>,
    /// Problems of the header row; those of the data rows are in `totals`.
    errors: ErrorList,
    totals: Totals,
    ids: IdHashes,
}

impl Scanned {
    /// A file that ended before its header, or whose header is refused.
    fn without_rows(header_seen: bool, errors: ErrorList) -> Scanned {
        Scanned {
            header_seen,
            layout: None,
            totals: Totals::new(errors.fresh()),
            errors,
            ids: IdHashes::default(),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// How many chunks may be read ahead of the totalling thread per checking thread.
const AHEAD: usize = 3;

/// The totalling thread: takes checked runs, puts them in file order, fingerprints and
/// tallies them, hands each valid household to `each`, and sends the buffers back (a chunk
/// buffer coming back is the reading thread's permission to read another chunk).
fn totalling(
    done: mpsc::Receiver<Message>,
    free: mpsc::Sender<Vec<u8>>,
    spare: mpsc::Sender<Box<Checked>>,
    errors: ErrorList,
    mut each: impl FnMut(&Household),
) -> Totals {
    let mut totals = Totals::new(errors);
    let mut household = None;
    let mut waiting: BTreeMap<u64, (Box<Checked>, Vec<u8>)> = BTreeMap::new();
    let mut next = 0;
    // The canonical lines (and display lines) are hashed on a thread of their own, in the
    // same order: SHA-256 of the whole register is the largest serial cost, and this thread
    // is the one every row goes through.
    let (lines_tx, lines) = mpsc::sync_channel::<Lines>(AHEAD * 2);
    let (emptied, returned) = mpsc::channel::<Lines>();
    std::thread::scope(|scope| {
        let hashing = scope.spawn(move || {
            let mut canonical = Canonical::new(FRAME_TAG);
            let mut display = Canonical::new(DISPLAY_TAG);
            for chunk in lines {
                canonical.lines(&chunk.canonical);
                display.lines(&chunk.display);
                let _ = emptied.send(chunk);
            }
            (canonical, display)
        });
        for message in done {
            let Message::Checked(checked, bytes) = message else {
                break;
            };
            waiting.insert(checked.seq, (checked, bytes));
            while let Some((mut checked, bytes)) = waiting.remove(&next) {
                totals.take(&mut checked, &mut household, &mut each);
                let empty = returned.try_recv().unwrap_or_default();
                let chunk = Lines {
                    canonical: std::mem::replace(&mut checked.canonical, empty.canonical),
                    display: std::mem::replace(&mut checked.display, empty.display),
                };
                if lines_tx.send(chunk).is_err() {
                    break;
                }
                next += 1;
                // The reader may have finished; a buffer nobody reuses is simply dropped.
                let _ = free.send(bytes);
                let _ = spare.send(checked);
            }
        }
        drop(lines_tx);
        (totals.canonical, totals.display) = join(hashing);
    });
    totals
}

/// A run's canonical lines and display lines, on their way to be hashed.
#[derive(Default)]
struct Lines {
    canonical: Vec<u8>,
    display: Vec<u8>,
}

/// CSV: this thread splits the file into chunks of whole records (about 1 MiB), checking
/// threads (one per core) parse and check chunks in any order, and the totalling thread
/// takes their results in file order. Records, line numbers, errors and the fingerprint are
/// those of one pass over the file (`Chunker` splits where a continuous parse would be).
fn scan_csv(
    source: &Source,
    encoding: TextEncoding,
    opts: &ReadOptions,
    mut errors: ErrorList,
    each: impl FnMut(&Household) + Send,
) -> Result<Scanned, RegisterError> {
    let mut chunker = Chunker::open(&source.input, encoding, BLOCK)?;
    let mut first = Vec::new();
    let Some(line) = chunker.next_chunk(&mut first)? else {
        return Ok(Scanned::without_rows(false, errors));
    };
    let mut row = Row::csv(encoding);
    let mut records = Records::new(&first, line, encoding);
    if !records.next_into(&mut row) {
        return Ok(Scanned::without_rows(false, errors));
    }
    let Some(layout) = header(&row, &mut errors) else {
        return Ok(Scanned::without_rows(true, errors));
    };
    let first_job = Job {
        seq: 0,
        start: first.len() - records.unread(),
        line: records.line(),
        bytes: first,
    };
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8));
    let in_flight = threads * AHEAD;
    let (done_tx, done) = mpsc::channel::<Message>();
    let (free_tx, free) = mpsc::channel::<Vec<u8>>();
    let (spare_tx, spare) = mpsc::channel::<Box<Checked>>();
    // One more than the buffers: the first chunk is sent without taking one, so a send
    // never waits.
    let (jobs_tx, jobs) = mpsc::sync_channel::<Job>(in_flight + 1);
    for _ in 0..in_flight {
        let _ = free_tx.send(Vec::new());
    }
    let (jobs, spare) = (Mutex::new(jobs), Mutex::new(spare));
    let data_errors = errors.fresh();
    let (read, totals, ids) = std::thread::scope(|scope| {
        let totals = scope.spawn(move || totalling(done, free_tx, spare_tx, data_errors, each));
        let checkers: Vec<_> = (0..threads)
            .map(|_| {
                let done_tx = done_tx.clone();
                let (jobs, spare, layout) = (&jobs, &spare, &layout);
                scope.spawn(move || {
                    let _guard = FailGuard(done_tx.clone());
                    let mut checker = Checker::new(layout.clone(), source, opts.max_errors);
                    loop {
                        let Ok(job) = lock(jobs).recv() else { break };
                        // A row borrows its chunk's text, so it lives for one chunk.
                        let mut row = Row::csv(encoding);
                        let mut checked = checker.start(lock(spare).try_recv().ok(), job.seq);
                        let chunk = &job.bytes[job.start..];
                        let mut records = Records::new(chunk, job.line, encoding);
                        while records.next_into(&mut row) {
                            checker.row(&row, &mut checked);
                        }
                        let message = Message::Checked(checked, job.bytes);
                        if done_tx.send(message).is_err() {
                            break;
                        }
                    }
                    checker.ids
                })
            })
            .collect();
        drop(done_tx);
        // Moved here, so that it is dropped (and the checking threads stop) even if this
        // thread unwinds.
        let jobs_tx = jobs_tx;
        let read = (|| {
            if jobs_tx.send(first_job).is_err() {
                return Ok(());
            }
            let mut seq = 1;
            // No buffer comes back once the totalling thread has stopped.
            while let Ok(mut buffer) = free.recv() {
                let Some(line) = chunker.next_chunk(&mut buffer)? else {
                    break;
                };
                let job = Job {
                    seq,
                    bytes: buffer,
                    start: 0,
                    line,
                };
                if jobs_tx.send(job).is_err() {
                    break;
                }
                seq += 1;
            }
            Ok(())
        })();
        drop(jobs_tx);
        let mut ids = IdHashes::default();
        for checker in checkers {
            ids.merge(join(checker));
        }
        (read, join(totals), ids)
    });
    read?;
    Ok(Scanned {
        header_seen: true,
        layout: Some(layout),
        errors,
        totals,
        ids,
    })
}

/// XLSX: calamine reads rows on this thread, which also checks them in runs; the totalling
/// thread takes the runs as for CSV.
fn scan_xlsx(
    source: &Source,
    opts: &ReadOptions,
    mut errors: ErrorList,
    each: impl FnMut(&Household) + Send,
) -> Result<Scanned, RegisterError> {
    let (done_tx, done) = mpsc::channel::<Message>();
    let (free_tx, free) = mpsc::channel::<Vec<u8>>();
    let (spare_tx, spare) = mpsc::channel::<Box<Checked>>();
    for _ in 0..AHEAD {
        let _ = free_tx.send(Vec::new());
    }
    let data_errors = errors.fresh();
    let mut header_seen = false;
    let mut checker: Option<Checker> = None;
    let (read, totals) = std::thread::scope(|scope| {
        let totals = scope.spawn(move || totalling(done, free_tx, spare_tx, data_errors, each));
        let done_tx = done_tx;
        let mut checked: Option<Box<Checked>> = None;
        let mut seq = 0;
        // A buffer coming back is the permission to send another run; none once the
        // totalling thread has stopped.
        let send = |checked: Box<Checked>| -> ControlFlow<()> {
            let sent = free
                .recv()
                .is_ok_and(|buffer| done_tx.send(Message::Checked(checked, buffer)).is_ok());
            match sent {
                true => ControlFlow::Continue(()),
                false => ControlFlow::Break(()),
            }
        };
        let read = source.for_each_row(|row| {
            let Some(checker) = checker.as_mut() else {
                header_seen = true;
                checker = header(row, &mut errors)
                    .map(|layout| Checker::new(layout, source, opts.max_errors));
                return match checker {
                    Some(_) => ControlFlow::Continue(()),
                    None => ControlFlow::Break(()),
                };
            };
            let run = checked.get_or_insert_with(|| {
                seq += 1;
                checker.start(spare.try_recv().ok(), seq - 1)
            });
            checker.row(row, run);
            match run.rows >= BATCH as u64 {
                true => send(checked.take().expect("a run is being filled")),
                false => ControlFlow::Continue(()),
            }
        });
        if let Some(run) = checked.take() {
            let _ = send(run);
        }
        drop(done_tx); // closes the channel: the totalling thread finishes
        (read, join(totals))
    });
    read?;
    let (layout, ids) = match checker {
        Some(checker) => (Some(checker.layout), checker.ids),
        None => (None, IdHashes::default()),
    };
    Ok(Scanned {
        header_seen,
        layout,
        errors,
        totals,
        ids,
    })
}

/// What the totalling thread computes: the fingerprint and the summaries, with the data
/// rows' problems and codes gathered in file order.
struct Totals {
    canonical: Canonical,
    display: Canonical,
    counties: Tallies,
    townships: Tallies,
    strata: [Tally; 3],
    total: Tally,
    errors: ErrorList,
    codes: CodeUses,
    rows: u64,
}

impl Totals {
    fn new(errors: ErrorList) -> Totals {
        Totals {
            canonical: Canonical::new(FRAME_TAG),
            display: Canonical::new(DISPLAY_TAG),
            counties: Tallies::default(),
            townships: Tallies::default(),
            strata: [Tally::default(); 3],
            total: Tally::default(),
            errors,
            codes: CodeUses::default(),
            rows: 0,
        }
    }

    /// Takes the next run in file order, but for its canonical lines (hashed by the caller);
    /// `current` is the household reused for every row.
    fn take(
        &mut self,
        checked: &mut Checked,
        current: &mut Option<Household>,
        each: &mut impl FnMut(&Household),
    ) {
        for compact in &checked.households {
            if let Some(household) = fill(current, compact, &checked.text) {
                self.add(household);
                each(household);
            }
        }
        self.errors.merge(checked.errors.take());
        self.codes.merge(std::mem::take(&mut checked.codes));
        self.rows += checked.rows;
    }

    fn add(&mut self, household: &Household) {
        let village = &household.village;
        let kind = village.kind();
        let members = household.members;
        self.counties.add(village.county(), members, kind);
        self.townships.add(village.township(), members, kind);
        self.strata[stratum_index(household.status)].add(members, kind);
        self.total.add(members, kind);
    }
}

/// Per-unit running totals.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    households: u64,
    people: u64,
    rural: u64,
    urban: u64,
    unassigned: u64,
}

impl Tally {
    fn merge(&mut self, other: &Tally) {
        self.households += other.households;
        self.people += other.people;
        self.rural += other.rural;
        self.urban += other.urban;
        self.unassigned += other.unassigned;
    }

    fn add(&mut self, members: u32, kind: UnitKind) {
        self.households += 1;
        self.people += u64::from(members);
        match kind {
            UnitKind::Unassigned => self.unassigned += 1,
            _ if kind.is_rural() => self.rural += 1,
            _ => self.urban += 1,
        }
    }
}

impl Scanned {
    fn finish(self, source: &Source, opts: &ReadOptions) -> Result<FrameReport, RegisterError> {
        let Scanned {
            header_seen,
            layout,
            mut errors,
            totals,
            mut ids,
        } = self;
        let Totals {
            canonical,
            display,
            mut counties,
            mut townships,
            strata,
            total,
            errors: data_errors,
            mut codes,
            rows,
        } = totals;
        errors.merge(data_errors);
        if !header_seen {
            let required = FRAME_REQUIRED.iter().map(|r| r.to_string()).collect();
            errors.push(1, None, Problem::Empty { required });
        } else if layout.is_some() && rows == 0 {
            errors.push(2, None, Problem::NoRows);
        }
        let resolved = vintage::resolve(&mut codes, opts.vintage);
        let code_label = layout
            .as_ref()
            .map_or("village_code", |l| l.label(super::CODE));
        for (code, usage) in &resolved.unknown {
            let problem = Problem::UnknownCode {
                code: code.clone(),
                vintage: resolved.vintage,
                rows: usage.rows,
            };
            errors.push(usage.first_line, Some(code_label), problem);
        }
        if let Some(layout) = &layout {
            ids.report_duplicates(source, layout, &mut errors)?;
        }
        errors.into_result()?;
        let divisions = resolved.divisions.as_deref();
        let display_columns = layout.as_ref().map(display_columns).unwrap_or_default();
        let display_fingerprint = layout
            .as_ref()
            .filter(|l| has_display(l))
            .map(|_| display.finish());
        Ok(FrameReport {
            path: source.path().to_path_buf(),
            format: source.format,
            encoding: source.encoding,
            encoding_detected: opts.encoding == EncodingChoice::Auto,
            fingerprint: canonical.finish(),
            display_columns,
            display_fingerprint,
            vintage: resolved.vintage,
            vintage_detected: resolved.detected,
            households: total.households,
            people: total.people,
            counties: county_summaries(&counties.finished(), divisions),
            townships: township_summaries(&townships.finished(), divisions),
            strata: Status::ALL
                .iter()
                .map(|&status| {
                    let t = strata[stratum_index(status)];
                    StratumSummary {
                        status,
                        households: t.households,
                        people: t.people,
                    }
                })
                .collect(),
        })
    }
}

/// Writes a run's household into the reused one; a new village code is parsed (and
/// allocated) only when it differs from the previous row's.
fn fill<'h>(current: &'h mut Option<Household>, c: &Compact, text: &str) -> Option<&'h Household> {
    let code = &text[c.code.clone()];
    let village = match current {
        Some(h) if h.village.as_str() == code => None,
        _ => Some(VillageCode::parse(code).ok()?),
    };
    let id = &text[c.id.clone()];
    let household = match current {
        Some(h) => {
            h.household_id.clear();
            h.household_id.push_str(id);
            if let Some(v) = village {
                h.village = v;
            }
            h
        }
        None => current.insert(Household {
            household_id: id.to_string(),
            village: village?,
            status: c.status,
            exit_year: None,
            members: 0,
            income_per_capita: None,
            lon: None,
            lat: None,
            display: HouseholdDisplay::default(),
        }),
    };
    for (column, range) in DisplayColumn::ALL.into_iter().zip(&c.display) {
        let value = range.clone().map(|r| &text[r]);
        household.display.set(column, value);
    }
    household.status = c.status;
    household.exit_year = c.exit_year;
    household.members = c.members;
    household.income_per_capita = c.income;
    household.lon = c.lon;
    household.lat = c.lat;
    Some(household)
}

/// Totals by county or township. Registers list a village's households together, so the
/// current key's totals are kept aside and merged into the map only when the key changes.
#[derive(Debug, Default)]
struct Tallies {
    map: BTreeMap<String, Tally>,
    key: String,
    pending: Tally,
}

impl Tallies {
    fn add(&mut self, key: &str, members: u32, kind: UnitKind) {
        if key != self.key {
            self.flush();
            self.key.clear();
            self.key.push_str(key);
        }
        self.pending.add(members, kind);
    }

    fn flush(&mut self) {
        if self.pending.households > 0 {
            let t = self.map.entry(self.key.clone()).or_default();
            t.merge(&self.pending);
            self.pending = Tally::default();
        }
    }

    fn finished(&mut self) -> BTreeMap<String, Tally> {
        self.flush();
        std::mem::take(&mut self.map)
    }
}

fn stratum_index(status: Status) -> usize {
    match status {
        Status::Exited => 0,
        Status::Poor => 1,
        Status::NonRegistered => 2,
    }
}

fn unit_name(divisions: Option<&Divisions>, code: &str) -> Option<String> {
    divisions?.unit(code).map(|u| u.name.clone())
}

fn county_summaries(
    map: &BTreeMap<String, Tally>,
    divisions: Option<&Divisions>,
) -> Vec<CountySummary> {
    map.iter()
        .map(|(code, t)| CountySummary {
            code: code.clone(),
            name: unit_name(divisions, code),
            households: t.households,
            people: t.people,
            rural_households: t.rural,
            urban_households: t.urban,
            unassigned_households: t.unassigned,
        })
        .collect()
}

fn township_summaries(
    map: &BTreeMap<String, Tally>,
    divisions: Option<&Divisions>,
) -> Vec<TownshipSummary> {
    map.iter()
        .map(|(code, t)| TownshipSummary {
            code: code.clone(),
            name: unit_name(divisions, code),
            households: t.households,
            people: t.people,
        })
        .collect()
}
