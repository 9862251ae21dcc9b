//! Rows of text from a register file, one at a time: CSV in UTF-8 (with or without BOM) or
//! GB18030, or the first sheet of an XLSX workbook. Nothing here knows what the columns mean.

use crate::error::{Problem, RegisterError, RowError};
use crate::limits::MAX_RECORD_BYTES;
use calamine::{DataRef, Reader, Xlsx};
use encoding_rs::{DecoderResult, GB18030};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek, SeekFrom};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// How to decode a CSV file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum EncodingChoice {
    /// A UTF-8 BOM means UTF-8; otherwise UTF-8 if every byte sequence is valid UTF-8,
    /// else GB18030 (what spreadsheet programs in China export).
    #[default]
    Auto,
    /// Always UTF-8 (a BOM is skipped); invalid bytes are errors.
    #[serde(rename = "utf-8")]
    #[cfg_attr(feature = "clap", value(name = "utf-8", alias = "utf8"))]
    Utf8,
    /// Always GB18030 (which includes GBK and GB2312).
    Gb18030,
}

impl std::str::FromStr for EncodingChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(EncodingChoice::Auto),
            "utf-8" | "utf8" => Ok(EncodingChoice::Utf8),
            "gb18030" | "gbk" | "gb2312" => Ok(EncodingChoice::Gb18030),
            other => Err(format!(
                "unknown encoding {other:?}: use auto, utf-8 or gb18030"
            )),
        }
    }
}

/// The encoding a CSV file was read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark.
    #[serde(rename = "utf-8")]
    Utf8,
    /// UTF-8 starting with a byte-order mark.
    #[serde(rename = "utf-8-bom")]
    Utf8Bom,
    /// GB18030.
    #[serde(rename = "gb18030")]
    Gb18030,
}

impl TextEncoding {
    /// `utf-8`, `utf-8-bom` or `gb18030`.
    pub fn as_str(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf8Bom => "utf-8-bom",
            TextEncoding::Gb18030 => "gb18030",
        }
    }
}

/// The kind of file read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    /// Comma-separated text.
    Csv,
    /// Excel workbook (first sheet).
    Xlsx,
}

impl FileFormat {
    /// `csv` or `xlsx`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Xlsx => "xlsx",
        }
    }
}

/// One row of a file as text. Buffers are reused from row to row.
///
/// A CSV record of a chunk that is valid UTF-8 and has no double quote (almost every
/// record of a register) is not copied: its fields are spans of the chunk's text. Other
/// records (quoted, GB18030, XLSX cells) are decoded into the row's own buffer.
#[derive(Debug, Default)]
pub(crate) struct Row<'a> {
    /// The line of the record's first byte (one plus the line feeds before it). XLSX:
    /// 1-based sheet row.
    pub line: u64,
    /// The fields' text, one after another (one buffer per row, not one per field).
    text: String,
    /// Where each field ends in `text`.
    ends: Vec<usize>,
    /// A record read in place: its chunk's text and each field's span in it.
    borrowed: Option<&'a str>,
    spans: Vec<(usize, usize)>,
    undecodable: Vec<usize>,
    /// XLSX rows omit empty trailing cells, so they may be shorter than the header.
    sparse: bool,
    /// The encoding's name for messages.
    encoding: &'static str,
    /// CSV: the record's bytes and field ends as csv-core writes them (sized buffers).
    raw: Vec<u8>,
    raw_ends: Vec<usize>,
}

impl<'a> Row<'a> {
    /// An empty row for a CSV file read with `encoding`.
    pub fn csv(encoding: TextEncoding) -> Row<'a> {
        Row {
            encoding: encoding_name(encoding),
            ..Row::default()
        }
    }

    /// Number of fields in this row.
    pub fn len(&self) -> usize {
        match self.borrowed {
            Some(_) => self.spans.len(),
            None => self.ends.len(),
        }
    }

    /// The field, trimmed; empty past the end of the row.
    pub fn field(&self, index: usize) -> &str {
        if let Some(text) = self.borrowed {
            return match self.spans.get(index) {
                Some(&(start, end)) => trim(&text[start..end]),
                None => "",
            };
        }
        match self.ends.get(index) {
            Some(&end) => {
                let start = match index {
                    0 => 0,
                    _ => self.ends[index - 1],
                };
                trim(&self.text[start..end])
            }
            None => "",
        }
    }

    /// True for XLSX rows, which may stop before the header's last column.
    pub fn is_sparse(&self) -> bool {
        self.sparse
    }

    /// `UTF-8` or `GB18030`: what undecodable fields failed to be.
    pub fn encoding_name(&self) -> &'static str {
        self.encoding
    }

    /// Fields whose bytes were not valid in the file's encoding.
    pub fn undecodable(&self) -> &[usize] {
        &self.undecodable
    }

    /// A row with no text in any field (spreadsheet exports end with such rows).
    pub fn is_blank(&self) -> bool {
        // A printable ASCII character anywhere is text (white space is ASCII 0x20 or below,
        // or not ASCII); only rows without one need the field-by-field look.
        let printable = |b: &u8| (0x21..0x7f).contains(b) && *b != b',';
        let text = match (self.borrowed, self.spans.first(), self.spans.last()) {
            (Some(text), Some(first), Some(last)) => &text.as_bytes()[first.0..last.1],
            (Some(_), _, _) => &[],
            (None, _, _) => self.text.as_bytes(),
        };
        self.undecodable.is_empty()
            && !text.iter().any(printable)
            && (0..self.len()).all(|i| self.field(i).is_empty())
    }

    /// The first control character (C0, DEL or C1) in a field, trimmed: the field's index,
    /// the character's code point and its 1-based position in the field.
    pub fn control_character(&self) -> Option<(usize, u32, usize)> {
        let bytes = match (self.borrowed, self.spans.first(), self.spans.last()) {
            (Some(text), Some(first), Some(last)) => &text.as_bytes()[first.0..last.1],
            (Some(_), _, _) => &[],
            (None, _, _) => self.text.as_bytes(),
        };
        // One pass over the bytes (C1 characters are 0xC2 0x80-0x9F in UTF-8); the fields
        // are looked at only when it finds one.
        let suspect = bytes.iter().enumerate().any(|(i, &b)| {
            b < 0x20
                || b == 0x7F
                || (b == 0xC2 && bytes.get(i + 1).is_some_and(|n| (0x80..0xA0).contains(n)))
        });
        if !suspect {
            return None;
        }
        (0..self.len()).find_map(|index| {
            let (at, c) = self
                .field(index)
                .chars()
                .enumerate()
                .find(|(_, c)| c.is_control())?;
            Some((index, u32::from(c), at + 1))
        })
    }

    fn reset(&mut self, line: u64) {
        self.line = line;
        self.text.clear();
        self.ends.clear();
        self.borrowed = None;
        self.spans.clear();
        self.undecodable.clear();
    }

    /// Writes field `index` (cells arrive in column order), extending the row with empty
    /// fields up to it.
    fn push_field(&mut self, index: usize, write: impl FnOnce(&mut String)) {
        while self.ends.len() < index {
            self.ends.push(self.text.len());
        }
        write(&mut self.text);
        self.ends.push(self.text.len());
    }

    /// A field's bytes as read, untrimmed (tests compare them with the `csv` crate's).
    #[cfg(test)]
    fn raw_field(&self, index: usize) -> &[u8] {
        match self.borrowed {
            Some(text) => &text.as_bytes()[self.spans[index].0..self.spans[index].1],
            None => {
                let start = index.checked_sub(1).map_or(0, |i| self.raw_ends[i]);
                &self.raw[start..self.raw_ends[index]]
            }
        }
    }

    /// Decodes the record csv-core wrote into `raw` (`len` bytes, `fields` ends).
    fn decode_raw(&mut self, len: usize, fields: usize, encoding: TextEncoding) {
        let raw = &self.raw[..len];
        let ends = &self.raw_ends[..fields];
        // One UTF-8 check for the whole record instead of one per field. The fields are
        // concatenated without their delimiters, so a field boundary may still cut a
        // character of invalid input in two: then every field is checked on its own.
        if encoding != TextEncoding::Gb18030 {
            // simdutf8 gives std's answer, several times faster on non-ASCII text.
            if let Ok(text) = simdutf8::basic::from_utf8(raw) {
                if ends.iter().all(|&end| text.is_char_boundary(end)) {
                    self.text.push_str(text);
                    self.ends.extend_from_slice(ends);
                    return;
                }
            }
        }
        let mut start = 0;
        for (index, &end) in ends.iter().enumerate() {
            if !decode(encoding, &raw[start..end], &mut self.text) {
                self.undecodable.push(index);
            }
            self.ends.push(self.text.len());
            start = end;
        }
    }
}

/// `str::trim`, skipping the Unicode scan for the usual field that starts and ends with a
/// printable ASCII character (every Unicode white space is either ASCII at most 0x20 or
/// starts with a byte of 0x80 or more in UTF-8).
fn trim(text: &str) -> &str {
    let printable = |b: Option<&u8>| b.is_some_and(|&b| (0x21..0x7f).contains(&b));
    let bytes = text.as_bytes();
    if bytes.is_empty() || (printable(bytes.first()) && printable(bytes.last())) {
        text
    } else {
        text.trim()
    }
}

/// Records of CSV bytes that start at a record boundary, as the `csv` crate reads them with
/// the settings used here (comma, double quotes, CR, LF or CRLF ending a record, empty lines
/// skipped), so that a chunk of the file can be parsed on its own. A record's line is one
/// plus the line feeds before its first byte.
///
/// Input that is valid UTF-8 without a double quote (almost every chunk of a register: ids,
/// codes and numbers need no quotes) is split here, in place: a record is the text up to the
/// next CR or LF, its fields the text between commas, exactly what csv-core gives for such
/// input. Copying every field out of the chunk, as csv-core must, cost a fifth of a national
/// scan. Other input goes through csv-core. Tests below check both ways against the `csv`
/// crate on random input.
pub(crate) struct Records<'a> {
    core: csv_core::Reader,
    input: &'a [u8],
    /// The line at the start of `input`.
    line: u64,
    encoding: TextEncoding,
    /// The whole input as text, when it is UTF-8 without a double quote; `input` is then
    /// its tail.
    plain: Option<&'a str>,
    /// The positions of every comma, CR and LF of `plain`, found with SIMD a block at a time
    /// (one look at each byte took some 1.2 ns a byte, 8% of a national scan).
    delimiters: memchr::Memchr3<'a>,
}

impl<'a> Records<'a> {
    pub fn new(input: &'a [u8], first_line: u64, encoding: TextEncoding) -> Records<'a> {
        let plain = match encoding {
            TextEncoding::Gb18030 => None,
            _ if memchr::memchr(b'"', input).is_some() => None,
            _ => simdutf8::basic::from_utf8(input).ok(),
        };
        Records {
            core: csv_core::Reader::new(),
            input,
            line: first_line,
            encoding,
            plain,
            delimiters: memchr::memchr3_iter(b',', b'\n', b'\r', plain.unwrap_or("").as_bytes()),
        }
    }

    /// The line the next record gets (when no empty line comes first).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// How many bytes of the input are still unread.
    pub fn unread(&self) -> usize {
        self.input.len()
    }

    fn consume(&mut self, n: usize) {
        let consumed = &self.input[..n];
        // Usually the one LF after a record: a plain count beats setting up a SIMD search.
        self.line += match n {
            0..=16 => consumed.iter().filter(|&&b| b == b'\n').count(),
            _ => memchr::memchr_iter(b'\n', consumed).count(),
        } as u64;
        self.input = &self.input[n..];
    }

    /// Skips the line ends before a record (empty lines, and the LF of a CRLF that ended the
    /// record before), so that the record's line is that of its first byte.
    fn skip_line_ends(&mut self) {
        let n = self
            .input
            .iter()
            .position(|&b| b != b'\n' && b != b'\r')
            .unwrap_or(self.input.len());
        self.consume(n);
    }

    /// Reads the next record into `row`; false at the end of the input.
    pub fn next_into(&mut self, row: &mut Row<'a>) -> bool {
        self.skip_line_ends();
        row.reset(self.line);
        match self.plain {
            Some(text) => self.next_in_place(text, row),
            None => self.next_quoted(row),
        }
    }

    fn next_in_place(&mut self, text: &'a str, row: &mut Row<'a>) -> bool {
        if self.input.is_empty() {
            return false;
        }
        let offset = text.len() - self.input.len();
        let bytes = text.as_bytes();
        let mut start = offset;
        let mut end = text.len();
        // Line ends before `offset` were skipped already.
        for at in self.delimiters.by_ref().skip_while(|&at| at < offset) {
            if bytes[at] == b',' {
                row.spans.push((start, at));
                start = at + 1;
            } else {
                end = at;
                break;
            }
        }
        row.spans.push((start, end));
        row.borrowed = Some(text);
        // The record holds no line feed: only the position moves.
        self.input = &self.input[end - offset..];
        true
    }

    fn next_quoted(&mut self, row: &mut Row<'a>) -> bool {
        use csv_core::ReadRecordResult::*;
        if row.raw.len() < 256 {
            row.raw.resize(256, 0);
        }
        if row.raw_ends.len() < 16 {
            row.raw_ends.resize(16, 0);
        }
        let (mut len, mut fields) = (0, 0);
        loop {
            // An empty input tells csv-core that the data ended.
            let (result, nin, nout, nend) =
                self.core
                    .read_record(self.input, &mut row.raw[len..], &mut row.raw_ends[fields..]);
            self.consume(nin);
            len += nout;
            fields += nend;
            match result {
                InputEmpty => {}
                OutputFull => row.raw.resize(row.raw.len() * 2, 0),
                OutputEndsFull => row.raw_ends.resize(row.raw_ends.len() * 2, 0),
                Record => {
                    row.decode_raw(len, fields, self.encoding);
                    return true;
                }
                End => return false,
            }
        }
    }
}

/// Where a file's bytes are: on disk, or already in memory (a synthetic register made for a
/// simulation, which writes no file). `path` names it in messages either way.
#[derive(Debug, Clone)]
pub(crate) struct Input {
    pub path: PathBuf,
    memory: Option<Arc<[u8]>>,
}

/// A reader that can also seek (calamine reads a workbook's ZIP directory from its end).
pub(crate) trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

impl Input {
    /// The file at `path`.
    pub fn file(path: &Path) -> Input {
        Input {
            path: path.to_path_buf(),
            memory: None,
        }
    }

    /// Bytes in memory, named `name`.
    pub fn memory(name: &Path, bytes: Arc<[u8]>) -> Input {
        Input {
            path: name.to_path_buf(),
            memory: Some(bytes),
        }
    }

    /// A reader at the start.
    pub fn open(&self) -> std::io::Result<Box<dyn ReadSeek>> {
        Ok(match &self.memory {
            Some(bytes) => Box::new(Cursor::new(bytes.clone())),
            None => Box::new(File::open(&self.path)?),
        })
    }

    /// The length in bytes.
    pub fn len(&self) -> std::io::Result<u64> {
        match &self.memory {
            Some(bytes) => Ok(bytes.len() as u64),
            None => Ok(std::fs::metadata(&self.path)?.len()),
        }
    }
}

/// Splits a CSV file into chunks of whole records, each with the line of its first record,
/// so that chunks can be parsed apart (on several threads) into the same records with the
/// same line numbers as one pass over the file.
pub(crate) struct Chunker {
    file: Box<dyn ReadSeek>,
    path: PathBuf,
    /// Bytes read and not handed out yet; they start at a record boundary.
    pending: Vec<u8>,
    /// The line of the first record in `pending`.
    line: u64,
    eof: bool,
    block: usize,
}

/// Bytes read from the file at a time, about the size of a chunk.
pub(crate) const BLOCK: usize = 1 << 20;

impl Chunker {
    pub fn open(
        input: &Input,
        encoding: TextEncoding,
        block: usize,
    ) -> Result<Chunker, RegisterError> {
        let path = &input.path;
        let file = input.open().map_err(|e| RegisterError::io(path, e))?;
        let mut chunker = Chunker {
            file,
            path: path.to_path_buf(),
            pending: Vec::new(),
            line: 1,
            eof: false,
            block: block.max(1),
        };
        chunker.fill()?;
        if encoding != TextEncoding::Gb18030 && chunker.pending.starts_with(UTF8_BOM) {
            chunker.pending.drain(..UTF8_BOM.len());
        }
        Ok(chunker)
    }

    /// Reads up to one more block; notes when the file ends.
    fn fill(&mut self) -> Result<(), RegisterError> {
        let before = self.pending.len();
        let want = self.block as u64;
        (&mut self.file)
            .take(want)
            .read_to_end(&mut self.pending)
            .map_err(|e| RegisterError::io(&self.path, e))?;
        if ((self.pending.len() - before) as u64) < want {
            self.eof = true;
        }
        Ok(())
    }

    /// Puts the next chunk of whole records into `chunk` (replacing its content) and returns
    /// the line of its first record; `None` once the file is exhausted.
    pub fn next_chunk(&mut self, chunk: &mut Vec<u8>) -> Result<Option<u64>, RegisterError> {
        loop {
            if self.pending.len() < self.block && !self.eof {
                self.fill()?;
            }
            let split = match self.eof {
                true => self.pending.len(),
                false => boundary(&self.pending),
            };
            if split == 0 && !self.eof {
                // Not one whole record yet (a long quoted field): read more, up to the
                // longest record taken (`/dev/zero` would never end, and each look at the
                // pending bytes is a pass over them).
                if self.pending.len() > MAX_RECORD_BYTES {
                    return Err(self.refuse_record(0));
                }
                self.fill()?;
                continue;
            }
            if self.eof && split > 0 {
                // The file's last record: whole at the end of the file, unless a quote is
                // left open (or it is too long).
                let last = boundary(&self.pending);
                if self.pending.len() - last > MAX_RECORD_BYTES || open_quote(&self.pending[last..])
                {
                    return Err(self.refuse_record(last));
                }
            }
            if split == 0 {
                return Ok(None);
            }
            // The chunk takes the buffer; the few bytes after the split start the next one.
            std::mem::swap(chunk, &mut self.pending);
            self.pending.clear();
            self.pending.extend_from_slice(&chunk[split..]);
            chunk.truncate(split);
            let line = self.line;
            self.line += memchr::memchr_iter(b'\n', chunk).count() as u64;
            return Ok(Some(line));
        }
    }
}

impl Chunker {
    /// The refusal of the record at `pending[start..]`: a quote never closed, or a record
    /// past [`MAX_RECORD_BYTES`].
    fn refuse_record(&self, start: usize) -> RegisterError {
        let record = &self.pending[start..];
        let ends = record
            .iter()
            .position(|&b| b != b'\n' && b != b'\r')
            .unwrap_or(record.len());
        let line = self.line
            + memchr::memchr_iter(b'\n', &self.pending[..start]).count() as u64
            + memchr::memchr_iter(b'\n', &record[..ends]).count() as u64;
        let problem = match open_quote(&record[ends..]) {
            true => Problem::UnterminatedQuote {
                rows: memchr::memchr_iter(b'\n', &record[ends..]).count() as u64,
            },
            false => Problem::RecordTooLong {
                limit: MAX_RECORD_BYTES,
            },
        };
        RegisterError::Invalid {
            file: self.path.clone(),
            errors: vec![RowError {
                file: self.path.clone(),
                line,
                sheet: None,
                column: None,
                problem,
            }],
            total: 1,
            undecodable_more: 0,
        }
    }
}

/// Whether CSV bytes that start a record end inside a quoted field.
fn open_quote(record: &[u8]) -> bool {
    let (mut quoted, mut field_start, mut i) = (false, true, 0);
    while i < record.len() {
        let b = record[i];
        if quoted {
            if b == b'"' {
                if record.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
        } else if b == b'"' && field_start {
            quoted = true;
        } else {
            field_start = matches!(b, b',' | b'\n' | b'\r');
            i += 1;
            continue;
        }
        field_start = false;
        i += 1;
    }
    quoted
}

/// The end of the last whole record in `data`, which starts at a record boundary and is
/// not the end of the file; 0 when there is none. The split is where a continuous parse
/// returns that record (right after the CR or LF ending it), so that the next chunk starts
/// in the same state and its records get the same line numbers.
fn boundary(data: &[u8]) -> usize {
    let terminator = |b: u8| b == b'\n' || b == b'\r';
    if memchr::memchr(b'"', data).is_none() {
        // No quotes: every CR or LF ends a record or an empty line.
        let Some(mut run) = data.iter().rposition(|&b| terminator(b)) else {
            return 0;
        };
        while run > 0 && terminator(data[run - 1]) {
            run -= 1;
        }
        // A run at the start holds only empty lines; the record after it is not whole yet.
        return if run == 0 { 0 } else { run + 1 };
    }
    // Quotes may hide line breaks inside fields: let csv-core find where records end.
    let mut core = csv_core::Reader::new();
    let (mut out, mut ends) = ([0u8; 1024], [0usize; 64]);
    let (mut at, mut last) = (0, 0);
    loop {
        let (result, nin, _, _) = core.read_record(&data[at..], &mut out, &mut ends);
        at += nin;
        match result {
            csv_core::ReadRecordResult::Record => last = at,
            csv_core::ReadRecordResult::InputEmpty | csv_core::ReadRecordResult::End => {
                return last
            }
            // The scratch buffers need not hold the record: keep going.
            _ => {}
        }
    }
}

/// An opened register file: its format, encoding and where errors point.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    pub input: Input,
    pub format: FileFormat,
    pub encoding: Option<TextEncoding>,
    /// The sheet read, for XLSX.
    pub sheet: Option<String>,
}

impl Source {
    /// Decides the format by extension and, for CSV, the encoding.
    pub fn open(input: Input, choice: EncodingChoice) -> Result<Source, RegisterError> {
        let ext = input
            .path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("xlsx") => {
                let path = &input.path;
                let reader = input.open().map_err(|e| RegisterError::io(path, e))?;
                xlsx_within_limits(
                    BufReader::new(reader),
                    crate::limits::XLSX_MAX_UNCOMPRESSED,
                    crate::limits::XLSX_MAX_SHARED_STRINGS_BYTES,
                    crate::limits::XLSX_MAX_SHARED_STRINGS,
                )
                .map_err(|reason| RegisterError::Unsupported {
                    path: path.clone(),
                    reason: format!(
                        "the workbook is refused before it is read: {reason}; save the \
                         register again from the spreadsheet program, or export its first \
                         sheet as CSV (docs/register.md, Limits)"
                    ),
                })?;
                let sheet = first_sheet(&input)?;
                Ok(Source {
                    input,
                    format: FileFormat::Xlsx,
                    encoding: None,
                    sheet: Some(sheet),
                })
            }
            Some("xls") => Err(RegisterError::Unsupported {
                path: input.path,
                reason: "legacy .xls workbooks are not read; save the sheet as .xlsx or CSV".into(),
            }),
            _ => {
                let encoding = detect_encoding(&input, choice)?;
                Ok(Source {
                    input,
                    format: FileFormat::Csv,
                    encoding: Some(encoding),
                    sheet: None,
                })
            }
        }
    }

    /// The file's name in messages.
    pub fn path(&self) -> &Path {
        &self.input.path
    }

    /// Calls `each` for every row in file order (the header first) until it breaks.
    pub fn for_each_row(
        &self,
        each: impl FnMut(&Row) -> ControlFlow<()>,
    ) -> Result<(), RegisterError> {
        match self.encoding {
            Some(encoding) => csv_rows(&self.input, encoding, each),
            None => xlsx_rows(&self.input, each),
        }
    }
}

fn detect_encoding(input: &Input, choice: EncodingChoice) -> Result<TextEncoding, RegisterError> {
    let path = &input.path;
    let mut file = input.open().map_err(|e| RegisterError::io(path, e))?;
    let mut head = [0u8; 4];
    let n = read_up_to(&mut file, &mut head).map_err(|e| RegisterError::io(path, e))?;
    let head = &head[..n];
    if let Some(wide) = wide_encoding(head) {
        return Err(RegisterError::Unsupported {
            path: path.to_path_buf(),
            reason: format!(
                "line 1: the file is {wide} text; save it as CSV UTF-8 (or GB18030) instead"
            ),
        });
    }
    if head.first() == Some(&0) {
        return Err(RegisterError::Unsupported {
            path: path.to_path_buf(),
            reason: "line 1: the file starts with NUL bytes: it is not a CSV text file (a binary \
                     file or a device?); give the register as CSV or XLSX"
                .into(),
        });
    }
    let bom = head.starts_with(UTF8_BOM);
    Ok(match choice {
        EncodingChoice::Gb18030 => TextEncoding::Gb18030,
        _ if bom => TextEncoding::Utf8Bom,
        EncodingChoice::Utf8 => TextEncoding::Utf8,
        EncodingChoice::Auto => {
            match file_is_utf8(input).map_err(|e| RegisterError::io(path, e))? {
                true => TextEncoding::Utf8,
                false => TextEncoding::Gb18030,
            }
        }
    })
}

/// The UTF-16 or UTF-32 encoding the first bytes of a file show: a byte-order mark, or the
/// zero bytes that ASCII text has in those encodings.
fn wide_encoding(head: &[u8]) -> Option<&'static str> {
    match head {
        [0xFF, 0xFE, 0, 0] => Some("UTF-32 (little-endian)"),
        [0, 0, 0xFE, 0xFF] => Some("UTF-32 (big-endian)"),
        [0xFF, 0xFE, ..] => Some("UTF-16 (little-endian)"),
        [0xFE, 0xFF, ..] => Some("UTF-16 (big-endian)"),
        [a, 0, 0, 0] if *a != 0 => Some("UTF-32 (little-endian)"),
        [0, 0, 0, a] if *a != 0 => Some("UTF-32 (big-endian)"),
        [a, 0, b, 0] if *a != 0 && *b != 0 => Some("UTF-16 (little-endian)"),
        [0, a, 0, b] if *a != 0 && *b != 0 => Some("UTF-16 (big-endian)"),
        _ => None,
    }
}

fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Whether the whole file is valid UTF-8, its parts checked on all cores. Each part but the
/// first starts after the continuation bytes (at most three) at its nominal start, so that
/// in a valid file every part is whole characters; valid parts make a valid whole.
fn file_is_utf8(input: &Input) -> std::io::Result<bool> {
    let len = input.len()?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8));
    let parts = if len < (16 << 20) { 1 } else { cores as u64 };
    let mut starts = vec![0];
    for i in 1..parts {
        let mut file = input.open()?;
        let nominal = len * i / parts;
        file.seek(SeekFrom::Start(nominal))?;
        let mut head = [0u8; 3];
        let n = read_up_to(&mut file, &mut head)?;
        let continuation = head[..n]
            .iter()
            .take_while(|&&b| (0x80..0xC0).contains(&b))
            .count();
        starts.push(nominal + continuation as u64);
    }
    starts.push(len);
    std::thread::scope(|scope| {
        let checks: Vec<_> = starts
            .windows(2)
            .map(|part| {
                let (start, end) = (part[0], part[1]);
                scope.spawn(move || -> std::io::Result<bool> {
                    let mut file = input.open()?;
                    file.seek(SeekFrom::Start(start))?;
                    is_utf8(file.take(end.saturating_sub(start)))
                })
            })
            .collect();
        let mut valid = true;
        for check in checks {
            let result = check
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            valid &= result?;
        }
        Ok(valid)
    })
}

/// Whether the file's first MiB is valid UTF-8 (a character cut off at the MiB counts as
/// invalid); false when it cannot be read.
pub(crate) fn starts_as_utf8(path: &Path) -> bool {
    File::open(path).is_ok_and(|file| is_utf8(file.take(1 << 20)).unwrap_or(false))
}

/// Whether the whole stream is valid UTF-8, in 1 MiB chunks: a pass costs far less than
/// parsing, and deciding on a prefix would misread a GB18030 file whose first MiB is ASCII.
fn is_utf8(mut reader: impl Read) -> std::io::Result<bool> {
    let mut buf = vec![0u8; 1 << 20];
    let mut carry = 0;
    loop {
        let n = read_up_to(&mut reader, &mut buf[carry..])?;
        if n == 0 {
            // A sequence cut off by the end of the file is invalid.
            return Ok(carry == 0);
        }
        let end = carry + n;
        match simdutf8::compat::from_utf8(&buf[..end]) {
            Ok(_) => carry = 0,
            Err(e) if e.error_len().is_some() => return Ok(false),
            Err(e) => {
                // An incomplete sequence at the chunk end: keep it for the next chunk.
                let valid = e.valid_up_to();
                buf.copy_within(valid..end, 0);
                carry = end - valid;
            }
        }
    }
}

fn csv_rows(
    input: &Input,
    encoding: TextEncoding,
    mut each: impl FnMut(&Row) -> ControlFlow<()>,
) -> Result<(), RegisterError> {
    let mut chunker = Chunker::open(input, encoding, BLOCK)?;
    let mut chunk = Vec::new();
    while let Some(line) = chunker.next_chunk(&mut chunk)? {
        let mut row = Row::csv(encoding);
        let mut records = Records::new(&chunk, line, encoding);
        while records.next_into(&mut row) {
            if each(&row).is_break() {
                return Ok(());
            }
        }
    }
    Ok(())
}

fn encoding_name(encoding: TextEncoding) -> &'static str {
    match encoding {
        TextEncoding::Gb18030 => "GB18030",
        _ => "UTF-8",
    }
}

/// Decodes `bytes` into `out`; false when they are not valid in the encoding.
fn decode(encoding: TextEncoding, bytes: &[u8], out: &mut String) -> bool {
    if encoding != TextEncoding::Gb18030 || bytes.is_ascii() {
        return match std::str::from_utf8(bytes) {
            Ok(text) => {
                out.push_str(text);
                true
            }
            Err(_) => false,
        };
    }
    let mut decoder = GB18030.new_decoder_without_bom_handling();
    let Some(needed) = decoder.max_utf8_buffer_length_without_replacement(bytes.len()) else {
        return false;
    };
    out.reserve(needed);
    let (result, _) = decoder.decode_to_string_without_replacement(bytes, out, true);
    matches!(result, DecoderResult::InputEmpty)
}

fn workbook_error(path: &Path, error: impl std::fmt::Display) -> RegisterError {
    RegisterError::Workbook {
        path: path.to_path_buf(),
        message: error.to_string(),
    }
}

fn open_xlsx(input: &Input) -> Result<Xlsx<BufReader<Box<dyn ReadSeek>>>, RegisterError> {
    let path = &input.path;
    let file = input.open().map_err(|e| RegisterError::io(path, e))?;
    Xlsx::new(BufReader::new(file)).map_err(|e| workbook_error(path, e))
}

fn first_sheet(input: &Input) -> Result<String, RegisterError> {
    let path = &input.path;
    let workbook = open_xlsx(input)?;
    workbook
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| workbook_error(path, "the workbook has no sheet"))
}

/// Streams the first sheet's cells (calamine's cell reader) so that a large sheet is never
/// held whole; cells arrive row by row.
fn xlsx_rows(
    input: &Input,
    mut each: impl FnMut(&Row) -> ControlFlow<()>,
) -> Result<(), RegisterError> {
    let path = &input.path;
    let mut workbook = open_xlsx(input)?;
    let sheet = first_sheet(input)?;
    let mut cells = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|e| workbook_error(path, e))?;
    let mut row = Row {
        sparse: true,
        ..Row::default()
    };
    let mut current: Option<u32> = None;
    while let Some(cell) = cells.next_cell().map_err(|e| workbook_error(path, e))? {
        let (r, c) = cell.get_position();
        if current != Some(r) {
            if current.is_some() && each(&row).is_break() {
                return Ok(());
            }
            row.reset(u64::from(r) + 1);
            current = Some(r);
        }
        if !matches!(cell.get_value(), DataRef::Empty) {
            row.push_field(c as usize, |out| render_cell(cell.get_value(), out));
        }
    }
    if current.is_some() {
        let _ = each(&row);
    }
    Ok(())
}

/// Cell text as a CSV export would show it: integral numbers without ".0", so that a
/// village code or id stored as a number reads as its digits.
fn render_cell(value: &DataRef<'_>, out: &mut String) {
    // Writing into a String cannot fail.
    let _ = match value {
        DataRef::Int(i) => write!(out, "{i}"),
        DataRef::Float(f) => write_number(*f, out),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => out.write_str(s),
        DataRef::SharedString(s) => out.write_str(s),
        DataRef::Bool(b) => write!(out, "{b}"),
        DataRef::DateTime(d) => write_number(d.as_f64(), out),
        DataRef::Error(e) => write!(out, "{e}"),
        DataRef::Empty => Ok(()),
    };
}

fn write_number(f: f64, out: &mut String) -> std::fmt::Result {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        write!(out, "{}", f as i64)
    } else {
        write!(out, "{f}")
    }
}

/// Where each known column is in a file, from its header row.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// For each known column, its field index.
    pub index: Vec<Option<usize>>,
    /// For each known column, how messages name it: its canonical name, or the header's
    /// alias with the canonical name (`家庭人口数 (members)`).
    pub labels: Vec<String>,
    /// All header names, for naming the column of an undecodable field.
    pub names: Vec<String>,
}

/// The known columns of a file: their canonical names, the other names a header may give
/// them (`assess_household::FRAME_ALIASES`), and which are required.
pub(crate) struct Columns {
    pub known: &'static [&'static str],
    pub aliases: &'static [(&'static str, &'static [&'static str])],
    pub required: &'static [&'static str],
}

impl Columns {
    /// The aliases of `missing` columns, as a message's tail: `; exit_year may also be named
    /// 脱贫年度 or 脱贫年份, members 家庭人口数 or 人口数`.
    fn other_names(&self, missing: &[String]) -> String {
        let named: Vec<String> = missing
            .iter()
            .filter_map(|m| {
                let (_, aliases) = self.aliases.iter().find(|(c, _)| c == m)?;
                let (last, first) = aliases.split_last()?;
                let names = match first.is_empty() {
                    true => last.to_string(),
                    false => format!("{} or {last}", first.join(", ")),
                };
                Some(format!("{m} {names}"))
            })
            .collect();
        match named.split_first() {
            None => String::new(),
            Some((first, rest)) => {
                let mut text = format!("; {}", first.replacen(' ', " may also be named ", 1));
                for n in rest {
                    text.push_str(", ");
                    text.push_str(n);
                }
                text
            }
        }
    }

    /// The known column a header name (trimmed) gives: its canonical name in any ASCII case,
    /// or one of its aliases exactly.
    fn column_of(&self, name: &str) -> Option<(usize, bool)> {
        if let Some(k) = self.known.iter().position(|k| k.eq_ignore_ascii_case(name)) {
            return Some((k, false));
        }
        let (column, _) = self
            .aliases
            .iter()
            .find(|(_, aliases)| aliases.contains(&name))?;
        let k = self.known.iter().position(|k| k == column)?;
        Some((k, true))
    }
}

impl Layout {
    /// Maps the header's names (trimmed; canonical names case-insensitive, aliases exactly)
    /// to the known columns; problems for a known column given twice (by one name or
    /// by two) and for missing required ones.
    pub fn from_header(
        header: &Row,
        columns: &Columns,
    ) -> Result<Layout, Vec<(Option<String>, Problem)>> {
        let known = columns.known;
        let mut index = vec![None; known.len()];
        let mut labels: Vec<String> = known.iter().map(|k| k.to_string()).collect();
        let mut names = Vec::with_capacity(header.len());
        let mut problems = Vec::new();
        for field in 0..header.len() {
            let name = header.field(field).to_string();
            if let Some((k, alias)) = columns.column_of(&name) {
                match index[k] {
                    Some(first) => {
                        let first_name: &String = &names[first];
                        let problem = match first_name == &name {
                            true => Problem::DuplicateColumn {
                                first: first + 1,
                                second: field + 1,
                            },
                            false => Problem::AmbiguousColumns {
                                column: known[k],
                                first_name: first_name.clone(),
                                first: first + 1,
                                second_name: name.clone(),
                                second: field + 1,
                            },
                        };
                        problems.push((Some(known[k].to_string()), problem));
                    }
                    None => {
                        index[k] = Some(field);
                        if alias {
                            labels[k] = format!("{name} ({})", known[k]);
                        }
                    }
                }
            }
            names.push(name);
        }
        let missing: Vec<String> = columns
            .required
            .iter()
            .filter(|r| {
                known
                    .iter()
                    .position(|k| k == *r)
                    .is_none_or(|k| index[k].is_none())
            })
            .map(|r| r.to_string())
            .collect();
        if !missing.is_empty() {
            let required = columns.required.iter().map(|r| r.to_string()).collect();
            let also = columns.other_names(&missing);
            problems.push((
                None,
                Problem::MissingColumns {
                    missing,
                    required,
                    also,
                },
            ));
        }
        if problems.is_empty() {
            Ok(Layout {
                index,
                labels,
                names,
            })
        } else {
            Err(problems)
        }
    }

    /// The field index of known column `k`.
    pub fn get(&self, k: usize) -> Option<usize> {
        self.index[k]
    }

    /// How messages name known column `k`.
    pub fn label(&self, k: usize) -> &str {
        &self.labels[k]
    }

    /// The header name of field `index`, or its number when the header is shorter.
    pub fn name(&self, index: usize) -> String {
        match self.names.get(index) {
            Some(name) if !name.is_empty() => name.clone(),
            _ => format!("#{}", index + 1),
        }
    }
}

/// Checks a workbook's ZIP central directory against the limits before the XLSX reader
/// decompresses or allocates anything: the parts' sizes decompressed (as the directory
/// states them), the shared-string table's size (read, not believed: the reader keeps it
/// whole) and the number of strings it declares (the reader reserves room for them).
/// `Err` says what is over which limit.
pub fn xlsx_within_limits(
    reader: impl Read + Seek,
    max_total: u64,
    max_shared_bytes: u64,
    max_shared_strings: u64,
) -> Result<(), String> {
    // Not a ZIP archive: the XLSX reader says what is wrong with it.
    let Ok(mut zip) = zip::ZipArchive::new(reader) else {
        return Ok(());
    };
    let mut total: u64 = 0;
    let mut shared = None;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|e| e.to_string())?;
        total = total.saturating_add(part.size());
        let is_shared = part
            .name()
            .is_ok_and(|n| n.eq_ignore_ascii_case("xl/sharedStrings.xml"));
        if is_shared {
            shared = Some(i);
        }
    }
    if total > max_total {
        return Err(format!(
            "its parts decompress to {total} bytes, more than the {max_total} bytes allowed \
             (a small file that inflates this much is damaged or a ZIP bomb)"
        ));
    }
    let Some(index) = shared else { return Ok(()) };
    let part = zip.by_index(index).map_err(|e| e.to_string())?;
    // Read at most one byte past the limit, whatever size the directory states.
    let mut head = Vec::new();
    let mut size: u64 = 0;
    let mut buf = vec![0u8; 64 << 10];
    let mut limited = part.take(max_shared_bytes + 1);
    loop {
        let n = limited.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        if head.len() < 4096 {
            head.extend_from_slice(&buf[..n.min(4096 - head.len())]);
        }
        size += n as u64;
    }
    if size > max_shared_bytes {
        return Err(format!(
            "its shared-string table decompresses to more than the {max_shared_bytes} bytes allowed"
        ));
    }
    // `<sst ... uniqueCount="N">`: the reader reserves N strings; each takes at least
    // `<si><t/></si>` (11 bytes) of the table.
    let declared = String::from_utf8_lossy(&head)
        .split("uniqueCount=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|n| n.trim().parse::<u64>().unwrap_or(u64::MAX));
    if let Some(n) = declared {
        if n > max_shared_strings || n > size / 11 + 1 {
            return Err(format!(
                "its shared-string table declares {n} strings, more than the {} allowed for its \
                 size and the {max_shared_strings} allowed in all",
                (size / 11 + 1).min(max_shared_strings)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_check_spans_chunk_boundaries() {
        // "中" is 3 bytes; place it across the 1 MiB boundary.
        let mut bytes = vec![b'a'; (1 << 20) - 1];
        bytes.extend_from_slice("中".as_bytes());
        assert!(is_utf8(&bytes[..]).unwrap());
        let gb = GB18030.encode("中文").0.into_owned();
        assert!(!is_utf8(&gb[..]).unwrap());
        assert!(!is_utf8(&"中".as_bytes()[..2]).unwrap());
    }

    #[test]
    fn a_file_is_checked_in_parts_split_inside_characters() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        // 17 MiB of three-byte characters: the parts start inside characters.
        let text = "中".repeat((17 << 20) / 3 + 1);
        std::fs::write(&path, &text).unwrap();
        assert!(file_is_utf8(&Input::file(&path)).unwrap());
        let mut bytes = text.into_bytes();
        let at = bytes.len() / 2 + 1;
        bytes[at] = b'a'; // a continuation byte replaced: invalid
        std::fs::write(&path, &bytes).unwrap();
        assert!(!file_is_utf8(&Input::file(&path)).unwrap());
        bytes.truncate(bytes.len() - 1); // and cut off at the end
        bytes[at] = 0x80;
        std::fs::write(&path, &bytes).unwrap();
        assert!(!file_is_utf8(&Input::file(&path)).unwrap());
    }

    #[test]
    fn gb18030_fields_decode_and_bad_bytes_are_caught() {
        let mut out = String::new();
        assert!(decode(
            TextEncoding::Gb18030,
            &GB18030.encode("撒营盘镇").0,
            &mut out
        ));
        assert_eq!(out, "撒营盘镇");
        out.clear();
        assert!(!decode(TextEncoding::Gb18030, b"\x81", &mut out));
        out.clear();
        assert!(!decode(TextEncoding::Utf8, b"\xD6\xD0", &mut out));
    }

    /// Records and line numbers as the `csv` crate reads the whole input at once.
    fn with_csv_crate(bytes: &[u8]) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut record = csv::ByteRecord::new();
        let mut out = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            // The line of the record's first byte: `csv` positions a record before the
            // line ends it skips, and numbers lines by the line feeds its parser has
            // consumed, which is one too few after a CRLF.
            let mut at = record.position().unwrap().byte() as usize;
            while at < bytes.len() && matches!(bytes[at], b'\n' | b'\r') {
                at += 1;
            }
            let line = 1 + memchr::memchr_iter(b'\n', &bytes[..at]).count() as u64;
            out.push((line, record.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    /// Records and line numbers read chunk by chunk, each chunk parsed on its own.
    fn by_chunks(bytes: &[u8], block: usize) -> Vec<(u64, Vec<Vec<u8>>)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("register.csv");
        std::fs::write(&path, bytes).unwrap();
        let mut chunker = Chunker::open(&Input::file(&path), TextEncoding::Gb18030, block).unwrap();
        let mut chunk = Vec::new();
        let mut out = Vec::new();
        loop {
            let line = match chunker.next_chunk(&mut chunk) {
                Ok(Some(line)) => line,
                Ok(None) => break,
                // A quote left open at the end: the csv crate reads it to the end of the
                // file; the reader refuses it, naming the row.
                Err(RegisterError::Invalid { errors, .. })
                    if matches!(errors[0].problem, Problem::UnterminatedQuote { .. }) =>
                {
                    assert!(open_quote(bytes), "{bytes:?}");
                    return with_csv_crate(bytes);
                }
                Err(e) => panic!("{e}"),
            };
            let mut row = Row::csv(TextEncoding::Utf8);
            let mut records = Records::new(&chunk, line, TextEncoding::Utf8);
            while records.next_into(&mut row) {
                let fields = (0..row.len()).map(|i| row.raw_field(i).to_vec()).collect();
                out.push((row.line, fields));
            }
        }
        out
    }

    #[test]
    fn workbooks_over_the_limits_are_refused_from_the_directory() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "household_id").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let check = |total, shared_bytes, shared| {
            xlsx_within_limits(Cursor::new(&bytes), total, shared_bytes, shared)
        };
        assert_eq!(check(1 << 30, 1 << 20, 1000), Ok(()));
        assert!(check(100, 1 << 20, 1000)
            .unwrap_err()
            .contains("more than the 100 bytes"));
        assert!(check(1 << 30, 10, 1000)
            .unwrap_err()
            .contains("shared-string table"));
        assert!(check(1 << 30, 1 << 20, 0)
            .unwrap_err()
            .contains("declares 1 strings"));
        // Not a ZIP: left to the XLSX reader, which names what is wrong.
        assert_eq!(
            xlsx_within_limits(Cursor::new(b"not a zip"), 1, 1, 1),
            Ok(())
        );
    }

    #[test]
    fn a_record_without_end_is_refused_after_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("register.csv");
        let refusal = |bytes: &[u8]| {
            std::fs::write(&path, bytes).unwrap();
            let mut chunker =
                Chunker::open(&Input::file(&path), TextEncoding::Utf8, BLOCK).unwrap();
            let mut chunk = Vec::new();
            loop {
                match chunker.next_chunk(&mut chunk) {
                    Ok(Some(_)) => {}
                    Ok(None) => return None,
                    Err(RegisterError::Invalid { errors, .. }) => {
                        return Some((errors[0].line, errors[0].problem.clone()))
                    }
                    Err(e) => panic!("{e}"),
                }
            }
        };
        let long = [&b"h\nx\n"[..], &vec![b'y'; MAX_RECORD_BYTES + 10]].concat();
        assert_eq!(
            refusal(&long),
            Some((
                3,
                Problem::RecordTooLong {
                    limit: MAX_RECORD_BYTES
                }
            ))
        );
        let zeros = vec![0u8; 3 * BLOCK];
        assert!(matches!(
            refusal(&zeros),
            Some((1, Problem::RecordTooLong { .. }))
        ));
        let open = b"h\nx\n\r\n\"y,1\nz,2\n";
        assert_eq!(
            refusal(open),
            Some((4, Problem::UnterminatedQuote { rows: 2 }))
        );
        assert_eq!(refusal(b"h\n\"x\"\"\",1\n\"y\"\n"), None);
    }

    #[test]
    fn chunks_read_like_one_pass_with_line_numbers() {
        let long = [
            &b"x"[..],
            &[b'y'; 300],
            &b",1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,\r\nz"[..],
        ]
        .concat();
        let cases: [&[u8]; 8] = [
            &long,
            b"h,i\nx,1\r\ny,2\r\n\r\n\nz,3",
            b"h\r\r\nx\ry\n\n",
            b"h,\"a\nb\",c\n\"q\"\"\r\n\",d\n\n\"\"\ne",
            b"\n\n\r\nh\n",
            b"a\"b,c\nd\n",
            b"",
            b"\r\n\r\n",
        ];
        for bytes in cases {
            for block in [1, 2, 3, 5, 8, 64] {
                assert_eq!(
                    by_chunks(bytes, block),
                    with_csv_crate(bytes),
                    "{bytes:?} {block}"
                );
            }
        }
    }

    #[test]
    fn blank_rows_are_blank_read_in_place_or_decoded() {
        // In place (UTF-8, no quote), decoded (a quote in the chunk), and GB18030.
        let cases: [(&[u8], TextEncoding); 3] = [
            (",, ,\u{3000}\nx,\n".as_bytes(), TextEncoding::Utf8),
            (b",\"\", ,\nx,\n", TextEncoding::Utf8),
            (b",, ,\nx,\n", TextEncoding::Gb18030),
        ];
        for (bytes, encoding) in cases {
            let mut records = Records::new(bytes, 1, encoding);
            let mut row = Row::csv(encoding);
            assert!(records.next_into(&mut row));
            assert!(row.is_blank(), "{bytes:?}");
            assert!(records.next_into(&mut row));
            assert!(!row.is_blank(), "{bytes:?}");
            assert_eq!((row.len(), row.field(0), row.line), (2, "x", 2));
            assert!(!records.next_into(&mut row));
        }
    }

    #[test]
    fn crlf_lines_are_numbered_by_their_first_byte() {
        for block in [1, 4, 64] {
            let lines: Vec<u64> = by_chunks(b"h\r\nx\r\n\r\ny\r\n\"q\",\"\r\n\"\r\nz", block)
                .iter()
                .map(|record| record.0)
                .collect();
            assert_eq!(lines, [1, 2, 4, 5, 7], "block {block}");
        }
    }

    proptest::proptest! {
        #[test]
        fn random_csv_reads_like_one_pass(
            bytes in proptest::collection::vec(proptest::sample::select(b"ab,\"\r\n\xe4".to_vec()), 0..120),
            block in 1usize..40,
        ) {
            proptest::prop_assert_eq!(by_chunks(&bytes, block), with_csv_crate(&bytes));
        }
    }

    #[test]
    fn numbers_render_like_a_csv_export() {
        let mut out = String::new();
        render_cell(&DataRef::Float(530128102201.0), &mut out);
        assert_eq!(out, "530128102201");
        out.clear();
        render_cell(&DataRef::Float(1234.5), &mut out);
        assert_eq!(out, "1234.5");
    }
}
