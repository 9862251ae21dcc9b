//! Checking a register's rows: the header row's layout, then each data row's width and
//! fields (id, village code, status, exit year, members, income, lon/lat, and the display
//! columns) by the register's rules, every problem reported with its line and column. A valid
//! row goes into its run ([`Checked`]) compactly, with its canonical line (and display line,
//! when the register has display columns); each [`Checker`] (one per checking thread) also
//! keeps the ids it saw for the uniqueness check.
//!
//! Not for: threads, file order or totals (`pipeline`), confirming duplicate ids (`ids`),
//! or resolving village codes against the division-code list (`vintage`).

use crate::canonical::{self, HouseholdLine, PlainDecimal};
use crate::error::{ErrorList, Problem};
use crate::ids::IdHashes;
use crate::source::Columns;
use crate::source::{Layout, Row, Source};
use crate::values;
use crate::vintage::CodeUses;
use assess_divisions::VillageCode;
use assess_household::{Status, FRAME_ALIASES, FRAME_COLUMNS, FRAME_REQUIRED};
use std::borrow::Cow;
use std::ops::Range;

/// Known column indices in `FRAME_COLUMNS`.
pub(crate) const ID: usize = 0;
pub(crate) const CODE: usize = 1;
const STATUS: usize = 2;
const EXIT_YEAR: usize = 3;
const MEMBERS: usize = 4;
const INCOME: usize = 5;
const LON: usize = 6;
const LAT: usize = 7;
/// The first display column (head_name, group, address, phone follow in that order).
const DISPLAY: usize = 8;

/// A run of rows checked, in file order: what the checking threads hand the totalling
/// thread. Buffers are reused (household strings keep their capacity), so a row costs
/// little allocation in the common case.
pub(super) struct Checked {
    /// Position in the file: runs are totalled in this order.
    pub(super) seq: u64,
    /// The valid households, their texts in `text`.
    pub(super) households: Vec<Compact>,
    pub(super) text: String,
    /// The valid households' canonical lines.
    pub(super) canonical: Vec<u8>,
    /// Their display lines, when the register has display columns.
    pub(super) display: Vec<u8>,
    pub(super) errors: ErrorList,
    pub(super) codes: CodeUses,
    /// Rows that are not blank.
    pub(super) rows: u64,
}

/// A valid household in a run: its values, and where its texts are in the run's text.
/// The totalling thread turns it into the one [`Household`] it reuses, so that a row costs
/// no allocation (a village code is parsed and allocated once per village).
pub(super) struct Compact {
    pub(super) id: Range<usize>,
    pub(super) code: Range<usize>,
    pub(super) display: [Option<Range<usize>>; 4],
    pub(super) status: Status,
    pub(super) exit_year: Option<u16>,
    pub(super) members: u32,
    pub(super) income: Option<f64>,
    pub(super) lon: Option<f64>,
    pub(super) lat: Option<f64>,
}

/// The header row's layout, or `None` with its problems reported.
pub(super) fn header(row: &Row, errors: &mut ErrorList) -> Option<Layout> {
    report_undecodable(errors, row, None);
    if let Some((index, code, at)) = row.control_character() {
        let column = format!("#{} (header)", index + 1);
        errors.push(
            row.line,
            Some(&column),
            Problem::ControlCharacter { code, at },
        );
        return None;
    }
    let columns = Columns {
        known: &FRAME_COLUMNS,
        aliases: FRAME_ALIASES,
        required: &FRAME_REQUIRED,
    };
    match Layout::from_header(row, &columns) {
        Ok(layout) => Some(layout),
        Err(problems) => {
            for (column, problem) in problems {
                errors.push(row.line, column.as_deref(), problem);
            }
            None
        }
    }
}

/// Checks rows against the header layout; one per checking thread.
pub(super) struct Checker<'s> {
    pub(super) layout: Layout,
    source: &'s Source,
    max_errors: usize,
    /// The ids this checker saw, for the uniqueness check.
    pub(super) ids: IdHashes,
}

/// A row's values before they go into a reused [`Household`].
struct Parsed<'r> {
    id: Cow<'r, str>,
    code: &'r str,
    status: Status,
    exit_year: Option<u16>,
    members: u32,
    income: Option<f64>,
    lon: Option<f64>,
    lat: Option<f64>,
    display: [Option<Cow<'r, str>>; 4],
    /// Income, lon and lat when their texts are short plain decimals (the canonical form
    /// is then read off the text).
    decimals: [Option<PlainDecimal<'r>>; 3],
}

impl<'s> Checker<'s> {
    pub(super) fn new(layout: Layout, source: &'s Source, max_errors: usize) -> Checker<'s> {
        Checker {
            layout,
            source,
            max_errors,
            ids: IdHashes::default(),
        }
    }

    /// A run to fill (`reused` if there is one), starting at position `seq`.
    pub(super) fn start(&self, reused: Option<Box<Checked>>, seq: u64) -> Box<Checked> {
        let errors = ErrorList::new(
            self.source.path(),
            self.source.sheet.clone(),
            self.max_errors,
        );
        match reused {
            Some(mut checked) => {
                checked.seq = seq;
                checked.households.clear();
                checked.text.clear();
                checked.canonical.clear();
                checked.display.clear();
                checked.errors = errors;
                checked.codes = CodeUses::default();
                checked.rows = 0;
                checked
            }
            None => Box::new(Checked {
                seq,
                households: Vec::new(),
                text: String::new(),
                canonical: Vec::new(),
                display: Vec::new(),
                errors,
                codes: CodeUses::default(),
                rows: 0,
            }),
        }
    }

    pub(super) fn row(&mut self, row: &Row, checked: &mut Checked) {
        if row.is_blank() {
            return;
        }
        checked.rows += 1;
        let layout = &self.layout;
        let errors = &mut checked.errors;
        let before = errors.total();
        if !width_ok(row, layout) {
            let problem = Problem::FieldCount {
                found: row.len(),
                expected: layout.names.len(),
            };
            errors.push(row.line, None, problem);
            return;
        }
        report_undecodable(errors, row, Some(layout));
        if let Some((index, code, at)) = row.control_character() {
            let column = layout.name(index);
            errors.push(
                row.line,
                Some(&column),
                Problem::ControlCharacter { code, at },
            );
            return;
        }
        // Normalised once, for the record (NFC) and the uniqueness check (NFKC: an id in
        // full-width digits and letters is the same id as in ASCII).
        let id = id_field(row, layout);
        if let Some(id) = id.as_deref().filter(|id| !id.is_empty()) {
            self.ids.add(&values::nfkc(id));
        }
        let parsed = parse(row, id, layout, errors, &mut checked.codes);
        if let (Some(parsed), true) = (parsed, checked.errors.total() == before) {
            accept(checked, parsed, has_display(layout));
        }
    }
}

/// Checks every field, reporting each problem; `None` when a required value is unusable.
fn parse<'r>(
    row: &'r Row,
    id: Option<Cow<'r, str>>,
    layout: &Layout,
    errors: &mut ErrorList,
    codes: &mut CodeUses,
) -> Option<Parsed<'r>> {
    let line = row.line;
    let text = |k: usize| {
        layout
            .get(k)
            .filter(|i| !row.undecodable().contains(i))
            .map(|i| row.field(i))
    };
    let mut check = |k: usize, result: Result<(), Problem>| {
        if let Err(problem) = result {
            errors.push(line, Some(layout.label(k)), problem);
        }
    };
    if id.as_deref() == Some("") {
        check(ID, Err(required(ID)));
    }
    let code = text(CODE);
    match code {
        Some("") => check(CODE, Err(required(CODE))),
        // A code is 12 ASCII digits (already trimmed): checked here without the allocation
        // of a `VillageCode`, which is made only for the reason of a bad one.
        Some(c) if c.len() == 12 && c.bytes().all(|b| b.is_ascii_digit()) => codes.add(c, line),
        Some(c) => match VillageCode::parse(c) {
            Ok(_) => codes.add(c, line),
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
    let plain = |k: usize| text(k).and_then(PlainDecimal::short);
    let decimals = [plain(INCOME), plain(LON), plain(LAT)];
    let [income_plain, lon_plain, lat_plain] = decimals.each_ref();
    let income = take(
        &mut check,
        INCOME,
        text(INCOME).map(|t| values::income(t, income_plain.as_ref())),
    );
    let lon = take(
        &mut check,
        LON,
        text(LON).map(|t| values::degrees(t, 180.0, lon_plain.as_ref())),
    );
    let lat = take(
        &mut check,
        LAT,
        text(LAT).map(|t| values::degrees(t, 90.0, lat_plain.as_ref())),
    );
    let display =
        std::array::from_fn(|i| text(DISPLAY + i).filter(|v| !v.is_empty()).map(values::nfc));
    Some(Parsed {
        id: id?,
        code: code?,
        status: status?,
        exit_year: exit_year.flatten(),
        members: members?,
        income: income.flatten(),
        lon: lon.flatten(),
        lat: lat.flatten(),
        display,
        decimals,
    })
}

/// Puts a valid household into the run, with its canonical line (and its display line when
/// the register has display columns).
fn accept(checked: &mut Checked, p: Parsed<'_>, has_display: bool) {
    let [income, lon, lat] = p.decimals;
    let line = HouseholdLine {
        id: &p.id,
        village: p.code,
        status: p.status,
        exit_year: p.exit_year,
        members: p.members,
        decimals: [(p.income, income), (p.lon, lon), (p.lat, lat)],
    };
    canonical::household_line(&mut checked.canonical, &line);
    let display = p.display.each_ref().map(|v| v.as_deref());
    if has_display {
        canonical::display_line(&mut checked.display, &p.id, display);
    }
    let text = &mut checked.text;
    let mut keep = |s: &str| {
        let start = text.len();
        text.push_str(s);
        start..text.len()
    };
    let compact = Compact {
        id: keep(&p.id),
        code: keep(p.code),
        display: display.map(|v| v.map(&mut keep)),
        status: p.status,
        exit_year: p.exit_year,
        members: p.members,
        income: p.income,
        lon: p.lon,
        lat: p.lat,
    };
    checked.households.push(compact);
}

/// Whether the header names any display column.
pub(super) fn has_display(layout: &Layout) -> bool {
    (DISPLAY..FRAME_COLUMNS.len()).any(|k| layout.get(k).is_some())
}

/// The display columns the header names, in canonical order.
pub(super) fn display_columns(layout: &Layout) -> Vec<assess_household::DisplayColumn> {
    assess_household::DisplayColumn::ALL
        .into_iter()
        .filter(|c| layout.get(DISPLAY + *c as usize).is_some())
        .collect()
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

/// The household id of a row that counts for uniqueness, as the record holds it (NFC) and
/// as ids are compared (NFKC): the same rule in the scan and in the duplicate re-check.
pub(crate) fn row_id<'r>(row: &'r Row, layout: &Layout) -> Option<(Cow<'r, str>, String)> {
    if row.is_blank() || !width_ok(row, layout) || row.control_character().is_some() {
        return None;
    }
    let id = id_field(row, layout).filter(|id| !id.is_empty())?;
    let key = values::nfkc(&id).into_owned();
    Some((id, key))
}

/// The id field of a row of the right width, NFC-normalised (`None` when undecodable).
fn id_field<'r>(row: &'r Row, layout: &Layout) -> Option<Cow<'r, str>> {
    let index = layout.get(ID)?;
    if row.undecodable().contains(&index) {
        return None;
    }
    Some(values::nfc(row.field(index)))
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
        "UTF-8" => "the file is read as UTF-8; save it as UTF-8, or read it as GB18030 (or let the encoding be detected)",
        _ => "the file is read as GB18030; save it as UTF-8 or GB18030, or read it as UTF-8",
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
