//! `scan_frame`: stream a household register once, validate every row, hand each valid
//! household to the caller, and report totals, summary and fingerprint.

use crate::canonical::{Canonical, FRAME_TAG};
use crate::error::{ErrorList, Problem, RegisterError};
use crate::ids::IdHashes;
use crate::report::{CountySummary, FrameReport, StratumSummary, TownshipSummary};
use crate::source::{EncodingChoice, Layout, Row, Source};
use crate::values;
use crate::vintage::{self, CodeUses};
use crate::{Household, Status};
use assess_divisions::{Divisions, VillageCode, Vintage};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::mpsc;

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

/// Register columns, in canonical order.
pub const FRAME_COLUMNS: [&str; 9] = [
    "household_id",
    "village_code",
    "status",
    "exit_year",
    "members",
    "income_per_capita",
    "lon",
    "lat",
    "group",
];
/// The columns every register must have.
pub const FRAME_REQUIRED: [&str; 5] = [
    "household_id",
    "village_code",
    "status",
    "exit_year",
    "members",
];

const ID: usize = 0;
const CODE: usize = 1;
const STATUS: usize = 2;
const EXIT_YEAR: usize = 3;
const MEMBERS: usize = 4;
const INCOME: usize = 5;
const LON: usize = 6;
const LAT: usize = 7;
const GROUP: usize = 8;

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
    let source = Source::open(path, opts.encoding)?;
    tracing::info!(path = %path.display(), format = source.format.as_str(), "scanning register");
    let mut scan = Scan::new(&source, opts.max_errors);
    // Two threads, one per core: this one reads and validates rows; the other fingerprints
    // and tallies the valid households and hands them to `each`, in file order, in batches.
    let (full, to_totals) = mpsc::sync_channel::<Batch>(8);
    let (recycle, returned) = mpsc::channel::<Batch>();
    let (read, totals) = std::thread::scope(|threads| {
        let consumer = threads.spawn(move || {
            let mut totals = Totals::new();
            let mut each = each;
            for batch in to_totals {
                for household in batch.households.iter().take(batch.len).flatten() {
                    totals.add(household);
                    each(household);
                }
                // The reader may have finished; a batch nobody reuses is simply dropped.
                let _ = recycle.send(batch);
            }
            totals
        });
        scan.sink = Some(Sink {
            full,
            returned,
            batch: Batch::default(),
        });
        let read = source.for_each_row(|row| scan.row(row));
        scan.send_batch();
        scan.sink = None; // closes the channel: the consumer finishes
        let totals = consumer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (read, totals)
    });
    read?;
    scan.finish(&source, opts, totals)
}

/// Households passed from the reading thread to the totalling thread. Slots are reused
/// (their strings keep their capacity), so a row costs no allocation in the common case.
#[derive(Default)]
struct Batch {
    households: Vec<Option<Household>>,
    len: usize,
}

const BATCH: usize = 4096;

struct Sink {
    full: mpsc::SyncSender<Batch>,
    returned: mpsc::Receiver<Batch>,
    batch: Batch,
}

/// What the totalling thread computes: the fingerprint and the summaries.
struct Totals {
    canonical: Canonical,
    counties: Tallies,
    townships: Tallies,
    strata: [Tally; 3],
    total: Tally,
}

impl Totals {
    fn new() -> Totals {
        Totals {
            canonical: Canonical::new(FRAME_TAG),
            counties: Tallies::default(),
            townships: Tallies::default(),
            strata: [Tally::default(); 3],
            total: Tally::default(),
        }
    }

    fn add(&mut self, household: &Household) {
        self.canonical.household(household);
        let village = &household.village;
        self.counties
            .add(village.county(), household.members, village);
        self.townships
            .add(village.township(), household.members, village);
        self.strata[stratum_index(household.status)].add(household.members, village);
        self.total.add(household.members, village);
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

    fn add(&mut self, members: u32, village: &VillageCode) {
        self.households += 1;
        self.people += u64::from(members);
        let kind = village.kind();
        match kind {
            assess_divisions::UnitKind::Unassigned => self.unassigned += 1,
            _ if kind.is_rural() => self.rural += 1,
            _ => self.urban += 1,
        }
    }
}

struct Scan {
    errors: ErrorList,
    layout: Option<Layout>,
    header_seen: bool,
    rows: u64,
    /// Where valid households go (see [`scan_frame`]).
    sink: Option<Sink>,
    ids: IdHashes,
    codes: CodeUses,
}

/// A row's values before they go into the reused [`Household`].
struct Parsed<'r> {
    id: Cow<'r, str>,
    code: &'r str,
    status: Status,
    exit_year: Option<u16>,
    members: u32,
    income: Option<f64>,
    lon: Option<f64>,
    lat: Option<f64>,
    group: Option<Cow<'r, str>>,
}

impl Scan {
    fn new(source: &Source, max_errors: usize) -> Scan {
        Scan {
            errors: ErrorList::new(&source.path, source.sheet.clone(), max_errors),
            layout: None,
            header_seen: false,
            rows: 0,
            sink: None,
            ids: IdHashes::default(),
            codes: CodeUses::default(),
        }
    }

    fn row(&mut self, row: &Row) -> ControlFlow<()> {
        let Some(layout) = self.layout.take() else {
            return self.header(row);
        };
        if !row.is_blank() {
            self.rows += 1;
            self.data_row(row, &layout);
        }
        self.layout = Some(layout);
        ControlFlow::Continue(())
    }

    fn header(&mut self, row: &Row) -> ControlFlow<()> {
        self.header_seen = true;
        report_undecodable(&mut self.errors, row, None);
        match Layout::from_header(row, &FRAME_COLUMNS, &FRAME_REQUIRED) {
            Ok(layout) => {
                self.layout = Some(layout);
                ControlFlow::Continue(())
            }
            Err(problems) => {
                for (column, problem) in problems {
                    self.errors.push(row.line, column.as_deref(), problem);
                }
                ControlFlow::Break(())
            }
        }
    }

    fn data_row(&mut self, row: &Row, layout: &Layout) {
        let before = self.errors_total();
        if !width_ok(row, layout) {
            let problem = Problem::FieldCount {
                found: row.len(),
                expected: layout.names.len(),
            };
            self.errors.push(row.line, None, problem);
            return;
        }
        report_undecodable(&mut self.errors, row, Some(layout));
        if let Some(id) = row_id(row, layout) {
            self.ids.add(&id);
        }
        let parsed = self.parse(row, layout);
        if let (Some(parsed), true) = (parsed, self.errors_total() == before) {
            self.accept(parsed);
        }
    }

    fn errors_total(&self) -> usize {
        self.errors.total()
    }

    /// Checks every field, reporting each problem; `None` when a required value is unusable.
    fn parse<'r>(&mut self, row: &'r Row, layout: &Layout) -> Option<Parsed<'r>> {
        let line = row.line;
        let text = |k: usize| {
            layout
                .get(k)
                .filter(|i| !row.undecodable().contains(i))
                .map(|i| row.field(i))
        };
        let errors = &mut self.errors;
        let mut check = |k: usize, result: Result<(), Problem>| {
            if let Err(problem) = result {
                errors.push(line, Some(FRAME_COLUMNS[k]), problem);
            }
        };
        let id = text(ID).map(values::nfc);
        if id.as_deref() == Some("") {
            check(ID, Err(required(ID)));
        }
        let code = text(CODE);
        match code {
            Some("") => check(CODE, Err(required(CODE))),
            Some(c) => match VillageCode::parse(c) {
                Ok(_) => self.codes.add(c, line),
                Err(reason) => check(
                    CODE,
                    Err(Problem::MalformedCode {
                        text: c.to_string(),
                        reason,
                    }),
                ),
            },
            None => {}
        }
        let status = match text(STATUS) {
            Some("") => Err(required(STATUS)),
            Some(s) => values::status(s).map(Some),
            None => Ok(None),
        };
        let status = status.map_err(|p| check(STATUS, Err(p))).ok().flatten();
        let exit_year = take(
            &mut check,
            EXIT_YEAR,
            text(EXIT_YEAR).map(|t| values::exit_year(t, status)),
        );
        let members = match text(MEMBERS) {
            Some("") => Err(required(MEMBERS)),
            Some(m) => values::members(m).map(Some),
            None => Ok(None),
        };
        let members = members.map_err(|p| check(MEMBERS, Err(p))).ok().flatten();
        let income = take(&mut check, INCOME, text(INCOME).map(values::income));
        let lon = take(
            &mut check,
            LON,
            text(LON).map(|t| values::degrees(t, 180.0)),
        );
        let lat = take(&mut check, LAT, text(LAT).map(|t| values::degrees(t, 90.0)));
        let group = text(GROUP).filter(|g| !g.is_empty()).map(values::nfc);
        Some(Parsed {
            id: id?,
            code: code?,
            status: status?,
            exit_year: exit_year.flatten(),
            members: members?,
            income: income.flatten(),
            lon: lon.flatten(),
            lat: lat.flatten(),
            group,
        })
    }

    /// Puts a valid household into the batch for the totalling thread.
    fn accept(&mut self, parsed: Parsed<'_>) {
        let Some(sink) = self.sink.as_mut() else {
            return;
        };
        let batch = &mut sink.batch;
        if batch.households.len() == batch.len {
            batch.households.push(None);
        }
        if fill(&mut batch.households[batch.len], parsed).is_some() {
            batch.len += 1;
        }
        if batch.len == BATCH {
            self.send_batch();
        }
    }

    /// Hands the filled batch over and takes a returned one (or a new one) to fill next.
    fn send_batch(&mut self) {
        let Some(sink) = self.sink.as_mut() else {
            return;
        };
        if sink.batch.len == 0 {
            return;
        }
        let mut next = sink.returned.try_recv().unwrap_or_default();
        next.len = 0;
        let full = std::mem::replace(&mut sink.batch, next);
        // The totalling thread ends only when the sink is dropped, so it is there to receive.
        let _ = sink.full.send(full);
    }

    fn finish(
        mut self,
        source: &Source,
        opts: &ReadOptions,
        mut totals: Totals,
    ) -> Result<FrameReport, RegisterError> {
        if !self.header_seen {
            let required = FRAME_REQUIRED.iter().map(|r| r.to_string()).collect();
            self.errors.push(1, None, Problem::Empty { required });
        } else if self.layout.is_some() && self.rows == 0 {
            self.errors.push(2, None, Problem::NoRows);
        }
        let resolved = vintage::resolve(&mut self.codes, opts.vintage);
        for (code, usage) in &resolved.unknown {
            let problem = Problem::UnknownCode {
                code: code.clone(),
                vintage: resolved.vintage,
                rows: usage.rows,
            };
            self.errors
                .push(usage.first_line, Some("village_code"), problem);
        }
        if let Some(layout) = &self.layout {
            self.ids
                .report_duplicates(source, layout, &mut self.errors)?;
        }
        self.errors.into_result()?;
        let divisions = resolved.divisions.as_ref();
        Ok(FrameReport {
            path: source.path.clone(),
            format: source.format,
            encoding: source.encoding,
            encoding_detected: opts.encoding == EncodingChoice::Auto,
            fingerprint: totals.canonical.finish(),
            vintage: resolved.vintage,
            vintage_detected: resolved.detected,
            households: totals.total.households,
            people: totals.total.people,
            counties: county_summaries(&totals.counties.finished(), divisions),
            townships: township_summaries(&totals.townships.finished(), divisions),
            strata: Status::ALL
                .iter()
                .map(|&status| {
                    let t = totals.strata[stratum_index(status)];
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

/// CSV rows must have the header's width; XLSX rows may stop early (empty trailing cells
/// are not stored) but may not run past it.
fn width_ok(row: &Row, layout: &Layout) -> bool {
    let expected = layout.names.len();
    match row.is_sparse() {
        true => row.len() <= expected,
        false => row.len() == expected,
    }
}

/// The normalised household id of a row that counts for uniqueness: the same rule in the
/// scan and in the duplicate re-check.
pub(crate) fn row_id<'r>(row: &'r Row, layout: &Layout) -> Option<Cow<'r, str>> {
    let index = layout.get(ID)?;
    if row.is_blank() || !width_ok(row, layout) || row.undecodable().contains(&index) {
        return None;
    }
    Some(values::nfc(row.field(index))).filter(|id| !id.is_empty())
}

fn report_undecodable(errors: &mut ErrorList, row: &Row, layout: Option<&Layout>) {
    for &index in row.undecodable() {
        let name = match layout {
            Some(layout) => layout.name(index),
            None => format!("#{} (header)", index + 1),
        };
        let problem = undecodable_problem(row.encoding_name());
        errors.push(row.line, Some(&name), problem);
    }
}

fn undecodable_problem(encoding: &'static str) -> Problem {
    let help = match encoding {
        "UTF-8" => "the file is read as UTF-8; save it as UTF-8, or read it with --encoding gb18030 (or auto)",
        _ => "the file is read as GB18030; save it as UTF-8 or GB18030, or choose --encoding utf-8",
    };
    Problem::Undecodable { encoding, help }
}

fn required(k: usize) -> Problem {
    let help = match k {
        ID => "every household needs a unique id",
        CODE => "give the 12-digit code of the household's village",
        STATUS => "give exited, poor or non_registered",
        _ => "give the number of registered members (1 or more)",
    };
    Problem::Required {
        column: FRAME_COLUMNS[k],
        help,
    }
}

/// Reports the problem of an optional field and yields its value.
fn take<T>(
    check: &mut impl FnMut(usize, Result<(), Problem>),
    k: usize,
    value: Option<Result<Option<T>, Problem>>,
) -> Option<Option<T>> {
    match value? {
        Ok(v) => Some(v),
        Err(p) => {
            check(k, Err(p));
            None
        }
    }
}

/// Writes `parsed` into the reused household; a new village code is parsed (and
/// allocated) only when it differs from the previous row's.
fn fill<'h>(current: &'h mut Option<Household>, p: Parsed<'_>) -> Option<&'h Household> {
    let village = match current {
        Some(h) if h.village.as_str() == p.code => None,
        _ => Some(VillageCode::parse(p.code).ok()?),
    };
    let group = p.group.as_deref();
    let household = match current {
        Some(h) => {
            h.household_id.clear();
            h.household_id.push_str(&p.id);
            if let Some(v) = village {
                h.village = v;
            }
            match (&mut h.group, group) {
                (Some(g), Some(new)) => {
                    g.clear();
                    g.push_str(new);
                }
                (slot, new) => *slot = new.map(str::to_string),
            }
            h
        }
        None => current.insert(Household {
            household_id: p.id.into_owned(),
            village: village?,
            status: p.status,
            exit_year: None,
            members: 0,
            income_per_capita: None,
            lon: None,
            lat: None,
            group: group.map(str::to_string),
        }),
    };
    household.status = p.status;
    household.exit_year = p.exit_year;
    household.members = p.members;
    household.income_per_capita = p.income;
    household.lon = p.lon;
    household.lat = p.lat;
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
    fn add(&mut self, key: &str, members: u32, village: &VillageCode) {
        if key != self.key {
            self.flush();
            self.key.clear();
            self.key.push_str(key);
        }
        self.pending.add(members, village);
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
