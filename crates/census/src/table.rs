//! The CSV layout: one row per member, the return's columns repeated on each of its rows
//! (docs/census.md, "CSV"). A return is the run of consecutive rows with the same
//! `return_id`; a return without members is one row with the member columns empty.

use crate::cells::{census_return, no_cells, scalar};
use crate::columns::{
    column_index, column_named, Column, Kind, Part, COLUMNS, CSV_ALIASES, FIRST_MEMBER,
    MEMBER_COLUMNS,
};
use crate::error::{Problem, ReturnError};
use crate::limits::{MAX_MEMBERS, MAX_ROW_BYTES};
use crate::model::CensusReturn;
use crate::Numbered;
use assess_register::{EncodingChoice, TextEncoding};
use csv::StringRecord;
use serde_json::Value;
use std::io::{Read, Write};
use std::sync::Arc;

/// Writes returns as CSV (UTF-8): the header, then each return's rows.
pub struct CsvWriter<W: Write> {
    inner: csv::Writer<W>,
    cells: Vec<String>,
}

impl<W: Write> CsvWriter<W> {
    /// A writer that writes the header (the English column names) first.
    pub fn new(w: W) -> std::io::Result<CsvWriter<W>> {
        Self::with_header(w, COLUMNS.iter().map(|c| c.name))
    }

    /// A writer that writes the Chinese header ([`crate::CSV_ALIASES`]) first; the rows are
    /// the same as [`CsvWriter::new`]'s (cells keep the JSON words: `true`, `exited`).
    pub fn chinese(w: W) -> std::io::Result<CsvWriter<W>> {
        Self::with_header(w, CSV_ALIASES.iter().map(|(_, zh)| *zh))
    }

    fn with_header<'h>(
        w: W,
        header: impl Iterator<Item = &'h str>,
    ) -> std::io::Result<CsvWriter<W>> {
        let mut inner = csv::WriterBuilder::new().flexible(false).from_writer(w);
        inner.write_record(header).map_err(csv_io)?;
        Ok(CsvWriter {
            inner,
            cells: Vec::with_capacity(COLUMNS.len()),
        })
    }

    /// Writes one return: one row per member (one row when it has none).
    pub fn write(&mut self, census_return: &CensusReturn) -> std::io::Result<()> {
        let value = serde_json::to_value(census_return).map_err(std::io::Error::other)?;
        for_each_row(&value, &mut self.cells, |cells| {
            self.inner.write_record(cells).map_err(csv_io)
        })
    }
}

/// Calls `row` with the cells of each row of a return (as JSON) in turn.
fn for_each_row(
    value: &Value,
    cells: &mut Vec<String>,
    mut row: impl FnMut(&[String]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let members = value
        .pointer("/household/members")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let none = [Value::Null];
    let rows: &[Value] = if members.is_empty() { &none } else { members };
    for member in rows {
        cells.clear();
        for c in COLUMNS {
            let from = match c.part {
                Part::Return => value,
                Part::Member => member,
            };
            cells.push(cell_text(c, lookup(from, c.path)));
        }
        row(cells)?;
    }
    Ok(())
}

/// A return's rows as the CSV layout has them: one per member (one when it has none), each
/// with a cell per column of [`crate::csv_columns`] (empty: not recorded). For other layouts
/// of the same columns (the XLSX template).
pub fn return_rows(census_return: &CensusReturn) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let Ok(value) = serde_json::to_value(census_return) else {
        return out;
    };
    let mut cells = Vec::with_capacity(COLUMNS.len());
    let _ = for_each_row(&value, &mut cells, |cells| {
        out.push(cells.to_vec());
        Ok(())
    });
    out
}

/// One return from its rows, cells in the order of [`crate::csv_columns`], trimmed (the
/// reverse of [`return_rows`]): the return's columns are taken from the first row, a member
/// from each row with any member cell. The problem names the column.
pub fn return_from_rows(rows: &[Vec<String>]) -> Result<CensusReturn, Problem> {
    if rows.is_empty() || rows.iter().any(|r| r.len() != COLUMNS.len()) {
        return Err(Problem::new(
            "row",
            format!("a row has {} cells, one per column", COLUMNS.len()),
        ));
    }
    assemble(rows)
}

/// Whether a cell's (trimmed) text is a value of its column: a number, a whole number, a
/// yes/no, a listed word, a date or a valid identity number; the problem names the column.
/// An empty cell is "not recorded" and always fine here.
pub fn check_cell(column: &str, text: &str) -> Result<(), Problem> {
    let Some(c) = COLUMNS.iter().find(|c| c.name == column) else {
        return Err(Problem::new(column, "is not a column of the census return"));
    };
    if text.is_empty() {
        return Ok(());
    }
    scalar(c, text).map(|_| ())
}

impl<W: Write> CsvWriter<W> {
    /// Flushes and returns the writer.
    pub fn into_inner(self) -> std::io::Result<W> {
        self.inner
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))
    }

    /// Flushes the rows written so far.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn csv_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

fn lookup<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(key))
}

fn cell_text(c: &Column, v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) if c.kind == Kind::Date => {
            let part = |k: &str| o.get(k).and_then(Value::as_u64).unwrap_or(0);
            format!(
                "{:04}-{:02}-{:02}",
                part("year"),
                part("month"),
                part("day")
            )
        }
        Some(other) => other.to_string(),
    }
}

/// What a file's header told: where each column is and how wide a row is. The blocks of a
/// file (`blocks.rs`) are each read with its header's layout.
#[derive(Debug)]
pub(crate) struct Layout {
    file: Arc<str>,
    shared_index: Arc<[Option<usize>]>,
    return_prefix: Option<usize>,
    width: usize,
    encoding: TextEncoding,
}

impl Layout {
    /// The file, as errors name it.
    pub(crate) fn file(&self) -> &str {
        &self.file
    }
}

/// The returns of a CSV file, one at a time (each is one or more consecutive rows), each with
/// the line of its first row. A bad return is an error naming the file, line, column and
/// reason; reading goes on with the next return. Memory holds one return.
pub struct CsvReader<'a> {
    file: Arc<str>,
    rows: csv::Reader<Box<dyn Read + Send + 'a>>,
    /// For each column of the table, its index in the file (None: absent).
    index: Vec<Option<usize>>,
    width: usize,
    encoding: TextEncoding,
    /// Lines of the file before `rows` (a block's reader starts after the file's first line).
    line_base: u64,
    /// `index`, shared by the rows read (a row's cells are found through it).
    shared_index: Arc<[Option<usize>]>,
    /// Column k at place k: for a row rebuilt cell by cell.
    identity: Arc<[Option<usize>]>,
    /// The return's columns are the file's first fields, this many (see [`same_prefix`]).
    return_prefix: Option<usize>,
    /// A row read ahead: the first row of the next return.
    pending: Option<(u64, Row)>,
    /// An error read ahead, of a row of the next return, with its return id.
    pending_error: Option<(Option<String>, ReturnError)>,
    /// Rows of this return id are skipped: it was refused on an earlier row.
    skip: Option<String>,
    record: csv::ByteRecord,
    header_error: Option<ReturnError>,
    done: bool,
}

impl<'a> CsvReader<'a> {
    /// Reads `reader` in the encoding chosen (auto: a UTF-8 byte-order mark, or the first
    /// 64 KiB being valid UTF-8, means UTF-8; otherwise GB18030); `file` names it in errors.
    pub fn new<R: Read + Send + 'a>(
        file: impl Into<String>,
        reader: R,
        encoding: EncodingChoice,
    ) -> std::io::Result<CsvReader<'a>> {
        let (encoding, text) = decoded(reader, encoding)?;
        Ok(CsvReader::over_text(file.into().into(), text, encoding))
    }

    /// Reads decoded `text` (its header first) that was in `encoding`.
    pub(crate) fn over_text(
        file: Arc<str>,
        text: Box<dyn Read + Send + 'a>,
        encoding: TextEncoding,
    ) -> CsvReader<'a> {
        let mut reader = CsvReader::headless(file, text, encoding);
        let mut header = csv::ByteRecord::new();
        let first = reader.rows.read_byte_record(&mut header);
        reader.header_error = match first {
            Ok(true) => reader.take_header(&header).err(),
            Ok(false) => Some(reader.error(
                1,
                None,
                Problem::new("header", "the file is empty; it starts with the header row"),
            )),
            Err(e) => Some(reader.error(1, None, csv_problem(&e))),
        };
        reader.shared_index = reader.index.clone().into();
        reader.return_prefix = return_prefix(&reader.index);
        reader
    }

    /// A reader of decoded `text` without its header, not yet told where the columns are.
    fn headless(file: Arc<str>, text: Box<dyn Read + Send + 'a>, encoding: TextEncoding) -> Self {
        CsvReader {
            file,
            // Rows end at a newline only: with CRLF as the terminator, csv gives each row after
            // the first the line before its own (its '\n' is read with the next row). The
            // '\r' left at a row's end is trimmed with the cell, as any space is.
            rows: csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .terminator(csv::Terminator::Any(b'\n'))
                .from_reader(text),
            index: vec![None; COLUMNS.len()],
            shared_index: Arc::from([]),
            identity: (0..COLUMNS.len()).map(Some).collect(),
            return_prefix: None,
            width: 0,
            encoding,
            line_base: 0,
            pending: None,
            pending_error: None,
            skip: None,
            record: csv::ByteRecord::new(),
            header_error: None,
            done: false,
        }
    }

    /// The rows of the same file after line `line_base`, in `text` (decoded), read with the
    /// `layout` of its header: a block of the file, or the rest of it (`blocks.rs`).
    pub(crate) fn continuing(
        layout: &Layout,
        text: Box<dyn Read + Send + 'a>,
        line_base: u64,
    ) -> CsvReader<'a> {
        CsvReader {
            index: layout.shared_index.to_vec(),
            shared_index: layout.shared_index.clone(),
            return_prefix: layout.return_prefix,
            width: layout.width,
            line_base,
            ..CsvReader::headless(layout.file.clone(), text, layout.encoding)
        }
    }

    /// The layout its header gave, when it was read with no error and the return id is the
    /// first field of a row: returns then start where that field changes, which
    /// `blocks.rs` finds without parsing.
    pub(crate) fn layout_with_return_id_first(&self) -> Option<Layout> {
        (self.header_error.is_none() && self.index[0] == Some(0)).then(|| Layout {
            file: self.file.clone(),
            shared_index: self.shared_index.clone(),
            return_prefix: self.return_prefix,
            width: self.width,
            encoding: self.encoding,
        })
    }

    /// The encoding the file is read in.
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    fn error(&self, line: u64, id: Option<&str>, problem: Problem) -> ReturnError {
        ReturnError::at(&self.file, line, id, problem)
    }

    fn take_header(&mut self, header: &csv::ByteRecord) -> Result<(), ReturnError> {
        self.width = header.len();
        let mut unknown = Vec::new();
        for (i, raw) in header.iter().enumerate() {
            let name = self.text(raw).map_err(|p| self.error(1, None, p))?;
            let name = name.trim().trim_start_matches('\u{feff}');
            let known = column_named(name);
            match COLUMNS.iter().position(|c| Some(c.name) == known) {
                Some(k) if self.index[k].is_some() => {
                    return Err(self.error(
                        1,
                        None,
                        Problem::new(
                            COLUMNS[k].name,
                            "appears twice in the header (by its name or its Chinese alias); \
                             keep one",
                        ),
                    ))
                }
                Some(k) => self.index[k] = Some(i),
                None if name.is_empty() => {}
                None => unknown.push(name.to_string()),
            }
        }
        if !unknown.is_empty() {
            return Err(self.error(
                1,
                None,
                Problem::new(
                    "header",
                    format!(
                        "unknown columns {}; the columns are listed in docs/census.md",
                        unknown.join(", ")
                    ),
                ),
            ));
        }
        let missing: Vec<&str> = COLUMNS
            .iter()
            .zip(&self.index)
            .filter(|(c, i)| c.required && i.is_none())
            .map(|(c, _)| c.name)
            .collect();
        if !missing.is_empty() {
            return Err(self.error(
                1,
                None,
                Problem::new(
                    "header",
                    format!("the required columns {} are missing", missing.join(", ")),
                ),
            ));
        }
        Ok(())
    }

    /// A field's text in the file's encoding (GB18030 has been decoded already; a field
    /// with a replacement character held bytes that are not GB18030).
    fn text<'t>(&self, raw: &'t [u8]) -> Result<&'t str, Problem> {
        let text = std::str::from_utf8(raw).map_err(|_| {
            Problem::new(
                "encoding",
                "holds bytes that are not UTF-8; save the file as UTF-8, or give its encoding \
                 (gb18030)",
            )
        })?;
        if self.encoding == TextEncoding::Gb18030 && text.contains('\u{fffd}') {
            return Err(Problem::new(
                "encoding",
                "holds bytes that are not GB18030; save the file as UTF-8 or GB18030",
            ));
        }
        Ok(text)
    }

    /// The next row as cells in table order, with its line; `None` at the end. An error
    /// comes with the row's return id when it could be read.
    fn next_row(&mut self) -> Option<Result<(u64, Row), RowError>> {
        loop {
            match self.rows.read_byte_record(&mut self.record) {
                Ok(false) => return None,
                Err(e) => {
                    let line = self.line_base + e.position().map_or(0, |p| p.line());
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        self.done = true;
                    }
                    return Some(Err((None, self.error(line, None, csv_problem(&e)))));
                }
                Ok(true) => {}
            }
            let line = self.line_base + self.record.position().map_or(0, |p| p.line());
            // The fields end to end: a blank row is blank in every field.
            if self.record.as_slice().iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let fail = |me: &Self, problem: Problem| {
                let id = me.index[0]
                    .and_then(|i| me.record.get(i))
                    .and_then(|raw| std::str::from_utf8(raw).ok())
                    .map(|t| t.trim().to_string());
                let e = me.error(line, id.as_deref(), problem);
                Some(Err((id, e)))
            };
            if self.record.as_slice().len() > MAX_ROW_BYTES {
                return fail(
                    self,
                    Problem::new("row", format!("is longer than {MAX_ROW_BYTES} bytes")),
                );
            }
            if self.record.len() != self.width {
                return fail(
                    self,
                    Problem::new(
                        "row",
                        format!(
                            "has {} fields but the header has {}; quote text that holds commas",
                            self.record.len(),
                            self.width
                        ),
                    ),
                );
            }
            // The record whole when all of it is text in the file's encoding: handed on, not
            // copied (the next row is read into a new record of the same size).
            let size = (self.record.as_slice().len(), self.record.len());
            let fresh = csv::ByteRecord::with_capacity(size.0, size.1);
            match StringRecord::from_byte_record(std::mem::replace(&mut self.record, fresh)) {
                Ok(record)
                    if self.encoding != TextEncoding::Gb18030
                        || !record.as_slice().contains('\u{fffd}') =>
                {
                    let index = self.shared_index.clone();
                    return Some(Ok((line, Row { record, index })));
                }
                Ok(record) => self.record = record.into_byte_record(),
                Err(e) => self.record = e.into_byte_record(),
            }
            // Otherwise cell by cell, to name the column that is not (a field outside the
            // table's columns may hold anything).
            let mut cells =
                StringRecord::with_capacity(self.record.as_slice().len(), COLUMNS.len());
            for (c, i) in COLUMNS.iter().zip(&self.index) {
                let raw = i.and_then(|i| self.record.get(i)).unwrap_or_default();
                match self.text(raw) {
                    Ok(t) => cells.push_field(t),
                    Err(p) => return fail(self, Problem::new(c.name, p.message)),
                }
            }
            let index = self.identity.clone();
            return Some(Ok((
                line,
                Row {
                    record: cells,
                    index,
                },
            )));
        }
    }

    /// The first row of the next return, skipping the rows of a return refused earlier.
    fn first_row(&mut self) -> Option<Result<(u64, Row), ReturnError>> {
        loop {
            if let Some((id, e)) = self.pending_error.take() {
                self.skip = id;
                return Some(Err(e));
            }
            let row = match self.pending.take() {
                Some(row) => row,
                None => match self.next_row()? {
                    Ok(row) => row,
                    Err(e) => {
                        self.pending_error = Some(e);
                        continue;
                    }
                },
            };
            if self.skip.as_deref() == Some(row.1.cell(0)) {
                continue;
            }
            self.skip = None;
            return Some(Ok(row));
        }
    }

    /// The rows of the next return: its first row and the rows after it with the same
    /// return id. A bad row of the return refuses the whole return (never a return with a
    /// member missing); its other rows are read and dropped.
    fn next_return(&mut self) -> Option<Result<Numbered, ReturnError>> {
        Some(self.next_raw()?.and_then(RawReturn::assemble))
    }

    /// The rows of the next return, read and checked against each other but not yet
    /// assembled into a [`CensusReturn`] (what [`RawReturn::assemble`] does, on any thread):
    /// the reading is sequential, the assembling can run on other cores. `None` at the end;
    /// the same returns and errors, in the same order, as the iterator.
    pub fn next_raw(&mut self) -> Option<Result<RawReturn, ReturnError>> {
        if let Some(e) = self.header_error.take() {
            self.done = true;
            return Some(Err(e));
        }
        if self.done {
            return None;
        }
        self.next_raw_return()
    }

    fn next_raw_return(&mut self) -> Option<Result<RawReturn, ReturnError>> {
        let (line, first) = match self.first_row()? {
            Ok(row) => row,
            Err(e) => return Some(Err(e)),
        };
        let id = first.cell(0).to_string();
        let mut rows = vec![first];
        let mut problem: Option<ReturnError> = None;
        loop {
            match self.next_row() {
                None => break,
                Some(Err((row_id, e))) => {
                    if row_id.is_none() || row_id.as_ref() == Some(&id) {
                        problem.get_or_insert(e);
                    } else {
                        self.pending_error = Some((row_id, e));
                        break;
                    }
                }
                Some(Ok((l, cells))) => {
                    if cells.cell(0) != id {
                        self.pending = Some((l, cells));
                        break;
                    }
                    if let Some(k) = self.differing(&rows[0], &cells) {
                        problem.get_or_insert(self.error(
                            l,
                            Some(&id),
                            Problem::new(
                                COLUMNS[k].name,
                                format!(
                                    "{:?} differs from the return's first row (line {line}), \
                                     which says {:?}; a return's columns are the same on each \
                                     of its rows",
                                    cells.cell(k),
                                    rows[0].cell(k)
                                ),
                            ),
                        ));
                    }
                    if rows.len() >= MAX_MEMBERS {
                        problem.get_or_insert(self.error(
                            l,
                            Some(&id),
                            Problem::new(
                                "member_id",
                                format!("the return has more than {MAX_MEMBERS} members"),
                            ),
                        ));
                    } else {
                        rows.push(cells);
                    }
                }
            }
        }
        if let Some(e) = problem {
            return Some(Err(e));
        }
        Some(Ok(RawReturn {
            file: self.file.clone(),
            line,
            rows,
        }))
    }
}

/// One return's CSV rows (cells in table order), read by [`CsvReader::next_raw`].
#[derive(Debug, Clone)]
pub struct RawReturn {
    file: Arc<str>,
    line: u64,
    rows: Vec<Row>,
}

impl RawReturn {
    /// The line of its first row.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The return assembled from its rows, or the error the reader would have given.
    pub fn assemble(self) -> Result<Numbered, ReturnError> {
        match assemble(&self.rows) {
            Ok(census_return) => Ok(Numbered {
                line: self.line,
                census_return,
            }),
            Err(p) => Err(ReturnError::at(
                &self.file,
                self.line,
                Some(self.rows[0].cell(0)),
                p,
            )),
        }
    }
}

/// A bad row: its return id, when it could be read, and the error.
type RowError = (Option<String>, ReturnError);

impl Iterator for CsvReader<'_> {
    type Item = Result<Numbered, ReturnError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_return()
    }
}

impl CsvReader<'_> {
    /// The first return column that differs between two rows of a return.
    fn differing(&self, first: &Row, row: &Row) -> Option<usize> {
        let as_read = |r: &Row| Arc::ptr_eq(&r.index, &self.shared_index);
        match self.return_prefix {
            Some(n) if as_read(first) && as_read(row) && same_prefix(first, row, n) => None,
            _ => differing(first, row),
        }
    }
}

/// Where the return's columns are the file's first `n` fields (in any order), the `n` of
/// them. Why: a return's later rows repeat its first row's return cells, and comparing them
/// as one run of bytes was cheaper than column by column, a tenth of the reading thread's
/// work (docs/benchmarks.md).
fn return_prefix(index: &[Option<usize>]) -> Option<usize> {
    let mut places: Vec<usize> = COLUMNS
        .iter()
        .zip(index)
        .filter(|(c, _)| c.part == Part::Return)
        .filter_map(|(_, i)| *i)
        .collect();
    places.sort_unstable();
    let n = places.len();
    (n > 0 && places.iter().copied().eq(0..n)).then_some(n)
}

/// The first `n` fields of two records are the same, byte for byte (each field's bounds,
/// then the bytes end to end).
fn same_prefix(a: &Row, b: &Row, n: usize) -> bool {
    let (a, b) = (&a.record, &b.record);
    if a.len() < n || b.len() < n || (0..n).any(|i| a.range(i) != b.range(i)) {
        return false;
    }
    let end = a.range(n - 1).map_or(0, |r| r.end);
    a.as_slice().as_bytes()[..end] == b.as_slice().as_bytes()[..end]
}

/// The first return column (other than the id) that differs between two rows.
fn differing(first: &Row, row: &Row) -> Option<usize> {
    COLUMNS
        .iter()
        .enumerate()
        .find(|(k, c)| {
            // Nearly always the same bytes: trimmed only when not.
            let (a, b) = (first.raw(*k), row.raw(*k));
            c.part == Part::Return && a != b && trimmed(a) != trimmed(b)
        })
        .map(|(k, _)| k)
}

/// The text decoded to UTF-8, and the encoding it was read in.
pub(crate) fn decoded<'a, R: Read + Send + 'a>(
    mut reader: R,
    choice: EncodingChoice,
) -> std::io::Result<(TextEncoding, Box<dyn Read + Send + 'a>)> {
    let mut head = Vec::with_capacity(64 << 10);
    (&mut reader).take(64 << 10).read_to_end(&mut head)?;
    let bom = head.starts_with(b"\xEF\xBB\xBF");
    let encoding = match choice {
        EncodingChoice::Utf8 if bom => TextEncoding::Utf8Bom,
        EncodingChoice::Utf8 => TextEncoding::Utf8,
        EncodingChoice::Gb18030 => TextEncoding::Gb18030,
        EncodingChoice::Auto if bom => TextEncoding::Utf8Bom,
        EncodingChoice::Auto => match std::str::from_utf8(&head) {
            Ok(_) => TextEncoding::Utf8,
            // A sequence cut at the end of the head is still UTF-8.
            Err(e) if e.error_len().is_none() => TextEncoding::Utf8,
            Err(_) => TextEncoding::Gb18030,
        },
    };
    if bom {
        head.drain(..3);
    }
    let all = std::io::Cursor::new(head).chain(reader);
    Ok(match encoding {
        TextEncoding::Gb18030 => (
            encoding,
            Box::new(
                encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .encoding(Some(encoding_rs::GB18030))
                    .build(all),
            ),
        ),
        _ => (encoding, Box::new(all)),
    })
}

/// The file could not be read further (a disk error, a file cut short by the network).
pub(crate) fn unreadable(e: &std::io::Error) -> Problem {
    Problem::new("file", format!("cannot be read: {e}"))
}

fn csv_problem(e: &csv::Error) -> Problem {
    match e.kind() {
        csv::ErrorKind::Io(io) => unreadable(io),
        _ => Problem::new("row", format!("is not CSV: {e}")),
    }
}

/// A row's cells in table order: the CSV reader's records, or the template's strings.
trait Cells {
    fn cell(&self, k: usize) -> &str;
}

impl Cells for Vec<String> {
    fn cell(&self, k: usize) -> &str {
        self.get(k).map_or("", String::as_str)
    }
}

/// A CSV row as read: the file's fields, and where each column of the table is among them.
/// Why not the cells copied out in table order: a row is read on one thread and assembled on
/// others; taking the record whole (one copy) and trimming a cell when it is read left the
/// reading thread, which the others wait on, with a third of its work (docs/benchmarks.md).
#[derive(Debug, Clone)]
struct Row {
    record: StringRecord,
    index: Arc<[Option<usize>]>,
}

impl Row {
    /// Column k's text as in the file, untrimmed.
    fn raw(&self, k: usize) -> &str {
        self.index[k]
            .and_then(|i| self.record.get(i))
            .unwrap_or_default()
    }
}

impl Cells for Row {
    fn cell(&self, k: usize) -> &str {
        trimmed(self.raw(k))
    }
}

/// `text` without surrounding whitespace. Why not `str::trim` alone: it decodes a character
/// at each end to ask Unicode; a cell that starts and ends with a visible ASCII character
/// (almost all) is returned as it is.
fn trimmed(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

/// One return from its rows (cells in table order): every cell checked against its column,
/// then the return deserialised from the checked cells (`cells.rs`).
fn assemble<R: Cells>(rows: &[R]) -> Result<CensusReturn, Problem> {
    let first = &rows[0];
    let mut cells = no_cells();
    let mut household_cells = false;
    for (k, c) in COLUMNS.iter().enumerate() {
        if c.part != Part::Return {
            continue;
        }
        let text = first.cell(k);
        if text.is_empty() {
            if c.required {
                return Err(Problem::new(c.name, "is empty; every return has it"));
            }
            continue;
        }
        household_cells |= c.path[0] == "household";
        cells[k] = Some(scalar(c, text)?);
    }
    match (first.cell(GPS_LAT), first.cell(GPS_LON)) {
        ("", "") => {}
        ("", _) => {
            return Err(Problem::new(
                "gps_lat",
                "is empty but gps_lon is given; give both or neither",
            ))
        }
        (_, "") => {
            return Err(Problem::new(
                "gps_lon",
                "is empty but gps_lat is given; give both or neither",
            ))
        }
        _ => {}
    }
    // The members' cells end to end, a row of the member's columns each (from
    // FIRST_MEMBER on): one vector a return.
    let mut members = Vec::new();
    for row in rows {
        let start = members.len();
        members.resize(start + MEMBER_COLUMNS, None);
        let member = &mut members[start..];
        let mut any = false;
        for (k, c) in COLUMNS.iter().enumerate().skip(FIRST_MEMBER) {
            let text = row.cell(k);
            if !text.is_empty() {
                member[k - FIRST_MEMBER] = Some(scalar(c, text)?);
                any = true;
            }
        }
        if !any {
            members.truncate(start);
            if rows.len() > 1 {
                return Err(Problem::new(
                    "member_id",
                    "a row of a return with several rows has no member; one row per member",
                ));
            }
            continue;
        }
        if member[MEMBER_ID - FIRST_MEMBER].is_none() {
            return Err(Problem::new(
                "member_id",
                "is empty but the row has a member's answers; give the member's id (1, 2, ...)",
            ));
        }
    }
    if household_cells || !members.is_empty() {
        for (key, k) in [("status", STATUS), ("income_year", INCOME_YEAR)] {
            if cells[k].is_none() {
                return Err(Problem::new(
                    key,
                    "is empty but the return has a household section; an enumerated \
                     household's return has it",
                ));
            }
        }
    }
    census_return(&cells, first.cell(HOUSEHOLD_ID), &members).map_err(|e| Problem::new("row", e))
}

/// Column indices the assembly looks at by name.
const HOUSEHOLD_ID: usize = column_index("household_id");
const GPS_LAT: usize = column_index("gps_lat");
const GPS_LON: usize = column_index("gps_lon");
const STATUS: usize = column_index("status");
const INCOME_YEAR: usize = column_index("income_year");
const MEMBER_ID: usize = column_index("member_id");

#[cfg(test)]
mod tests {
    use super::{return_prefix, same_prefix, trimmed, Row};
    use crate::columns::{Part, COLUMNS};
    use csv::StringRecord;
    use std::sync::Arc;

    fn row(fields: &[&str]) -> Row {
        Row {
            record: StringRecord::from(fields.to_vec()),
            index: Arc::from([]),
        }
    }

    #[test]
    fn files_written_here_have_the_return_columns_first() {
        let identity: Vec<_> = (0..COLUMNS.len()).map(Some).collect();
        let returns = COLUMNS.iter().filter(|c| c.part == Part::Return).count();
        assert_eq!(return_prefix(&identity), Some(returns));
        // A member column among the return's: no prefix, column by column.
        let mut shuffled = identity.clone();
        let member = COLUMNS.iter().position(|c| c.part == Part::Member).unwrap();
        shuffled.swap(0, member);
        assert_eq!(return_prefix(&shuffled), None);
    }

    #[test]
    fn the_same_prefix_needs_the_same_fields_not_only_the_same_bytes() {
        assert!(same_prefix(
            &row(&["ab", "c", "1"]),
            &row(&["ab", "c", "2"]),
            2
        ));
        assert!(!same_prefix(
            &row(&["ab", "c", "1"]),
            &row(&["a", "bc", "1"]),
            2
        ));
        assert!(!same_prefix(
            &row(&["ab", "c", "1"]),
            &row(&["ab", "d", "1"]),
            2
        ));
        assert!(!same_prefix(&row(&["ab"]), &row(&["ab", "c"]), 2));
    }

    #[test]
    fn trimmed_is_str_trim() {
        for text in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\n",
            "x y",
            "\u{3000}字\u{3000}",
            "字",
            "a\u{a0}",
            "\u{feff}a",
        ] {
            assert_eq!(trimmed(text), text.trim(), "{text:?}");
        }
    }
}
