//! Rows of text from a register file, one at a time: CSV in UTF-8 (with or without BOM) or
//! GB18030, or the first sheet of an XLSX workbook. Nothing here knows what the columns mean.

use crate::error::{Problem, RegisterError};
use calamine::{DataRef, Reader, Xlsx};
use encoding_rs::{DecoderResult, GB18030};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// How to decode a CSV file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EncodingChoice {
    /// A UTF-8 BOM means UTF-8; otherwise UTF-8 if every byte sequence is valid UTF-8,
    /// else GB18030 (what spreadsheet programs in China export).
    #[default]
    Auto,
    /// Always UTF-8 (a BOM is skipped); invalid bytes are errors.
    #[serde(rename = "utf-8")]
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
#[derive(Debug, Default)]
pub(crate) struct Row {
    /// CSV: 1-based physical line where the record starts. XLSX: 1-based sheet row.
    pub line: u64,
    fields: Vec<String>,
    len: usize,
    undecodable: Vec<usize>,
    /// XLSX rows omit empty trailing cells, so they may be shorter than the header.
    sparse: bool,
    /// The encoding's name for messages.
    encoding: &'static str,
}

impl Row {
    /// Number of fields in this row.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The field, trimmed; empty past the end of the row.
    pub fn field(&self, index: usize) -> &str {
        if index < self.len {
            self.fields[index].trim()
        } else {
            ""
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
        self.undecodable.is_empty() && (0..self.len).all(|i| self.field(i).is_empty())
    }

    fn reset(&mut self, line: u64) {
        self.line = line;
        self.len = 0;
        self.undecodable.clear();
    }

    /// The buffer for field `index`, cleared, extending the row with empty fields.
    fn slot(&mut self, index: usize) -> &mut String {
        while self.fields.len() <= index {
            self.fields.push(String::new());
        }
        while self.len <= index {
            self.fields[self.len].clear();
            self.len += 1;
        }
        let slot = &mut self.fields[index];
        slot.clear();
        slot
    }
}

/// An opened register file: its format, encoding and where errors point.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    pub path: PathBuf,
    pub format: FileFormat,
    pub encoding: Option<TextEncoding>,
    /// The sheet read, for XLSX.
    pub sheet: Option<String>,
}

impl Source {
    /// Decides the format by extension and, for CSV, the encoding.
    pub fn open(path: &Path, choice: EncodingChoice) -> Result<Source, RegisterError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("xlsx") => {
                let sheet = first_sheet(path)?;
                Ok(Source {
                    path: path.to_path_buf(),
                    format: FileFormat::Xlsx,
                    encoding: None,
                    sheet: Some(sheet),
                })
            }
            Some("xls") => Err(RegisterError::Unsupported {
                path: path.to_path_buf(),
                reason: "legacy .xls workbooks are not read; save the sheet as .xlsx or CSV".into(),
            }),
            _ => {
                let encoding = detect_encoding(path, choice)?;
                Ok(Source {
                    path: path.to_path_buf(),
                    format: FileFormat::Csv,
                    encoding: Some(encoding),
                    sheet: None,
                })
            }
        }
    }

    /// Calls `each` for every row in file order (the header first) until it breaks.
    pub fn for_each_row(
        &self,
        each: impl FnMut(&Row) -> ControlFlow<()>,
    ) -> Result<(), RegisterError> {
        match self.encoding {
            Some(encoding) => csv_rows(&self.path, encoding, each),
            None => xlsx_rows(&self.path, each),
        }
    }
}

fn detect_encoding(path: &Path, choice: EncodingChoice) -> Result<TextEncoding, RegisterError> {
    let mut file = File::open(path).map_err(|e| RegisterError::io(path, e))?;
    let mut head = [0u8; 3];
    let n = read_up_to(&mut file, &mut head).map_err(|e| RegisterError::io(path, e))?;
    let head = &head[..n];
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Err(RegisterError::Unsupported {
            path: path.to_path_buf(),
            reason: "the file is UTF-16 text; save it as CSV UTF-8 (or GB18030) instead".into(),
        });
    }
    let bom = head == UTF8_BOM;
    Ok(match choice {
        EncodingChoice::Gb18030 => TextEncoding::Gb18030,
        _ if bom => TextEncoding::Utf8Bom,
        EncodingChoice::Utf8 => TextEncoding::Utf8,
        EncodingChoice::Auto => {
            let file = File::open(path).map_err(|e| RegisterError::io(path, e))?;
            match is_utf8(file).map_err(|e| RegisterError::io(path, e))? {
                true => TextEncoding::Utf8,
                false => TextEncoding::Gb18030,
            }
        }
    })
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
        match std::str::from_utf8(&buf[..end]) {
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
    path: &Path,
    encoding: TextEncoding,
    mut each: impl FnMut(&Row) -> ControlFlow<()>,
) -> Result<(), RegisterError> {
    let file = File::open(path).map_err(|e| RegisterError::io(path, e))?;
    let mut input = BufReader::with_capacity(1 << 16, file);
    if encoding != TextEncoding::Gb18030 {
        skip_bom(&mut input).map_err(|e| RegisterError::io(path, e))?;
    }
    // GB18030 never uses the bytes of `,` `"` CR or LF inside a multi-byte character, so
    // the CSV structure can be parsed on raw bytes and each field decoded afterwards.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut record = csv::ByteRecord::new();
    let mut row = Row {
        encoding: encoding_name(encoding),
        ..Row::default()
    };
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(e) => return Err(csv_error(path, e)),
        }
        row.reset(record.position().map_or(0, |p| p.line()));
        // One UTF-8 check for the whole record instead of one per field; fields split at
        // ASCII delimiters, so each field of a valid record is valid text on its own.
        let whole = match encoding {
            TextEncoding::Gb18030 => None,
            _ => std::str::from_utf8(record.as_slice()).ok(),
        };
        for (index, bytes) in record.iter().enumerate() {
            match (whole, record.range(index)) {
                (Some(text), Some(range)) => row.slot(index).push_str(&text[range]),
                _ => {
                    if !decode(encoding, bytes, row.slot(index)) {
                        row.undecodable.push(index);
                    }
                }
            }
        }
        if each(&row).is_break() {
            return Ok(());
        }
    }
}

fn encoding_name(encoding: TextEncoding) -> &'static str {
    match encoding {
        TextEncoding::Gb18030 => "GB18030",
        _ => "UTF-8",
    }
}

fn skip_bom(input: &mut BufReader<File>) -> std::io::Result<()> {
    // A fresh reader's first fill from a regular file holds at least the 3 BOM bytes.
    if input.fill_buf()?.starts_with(UTF8_BOM) {
        input.consume(UTF8_BOM.len());
    }
    Ok(())
}

fn csv_error(path: &Path, error: csv::Error) -> RegisterError {
    match error.into_kind() {
        csv::ErrorKind::Io(source) => RegisterError::io(path, source),
        other => RegisterError::io(path, std::io::Error::other(format!("{other:?}"))),
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

fn open_xlsx(path: &Path) -> Result<Xlsx<BufReader<File>>, RegisterError> {
    let file = File::open(path).map_err(|e| RegisterError::io(path, e))?;
    Xlsx::new(BufReader::new(file)).map_err(|e| workbook_error(path, e))
}

fn first_sheet(path: &Path) -> Result<String, RegisterError> {
    let workbook = open_xlsx(path)?;
    workbook
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| workbook_error(path, "the workbook has no sheet"))
}

/// Streams the first sheet's cells (calamine's cell reader) so that a large sheet is never
/// held whole; cells arrive row by row.
fn xlsx_rows(
    path: &Path,
    mut each: impl FnMut(&Row) -> ControlFlow<()>,
) -> Result<(), RegisterError> {
    let mut workbook = open_xlsx(path)?;
    let sheet = first_sheet(path)?;
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
            render_cell(cell.get_value(), row.slot(c as usize));
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
    /// All header names, for naming the column of an undecodable field.
    pub names: Vec<String>,
}

impl Layout {
    /// Maps the header's names (trimmed, case-insensitive) to `known`; problems for
    /// duplicated known columns and missing `required` ones.
    pub fn from_header(
        header: &Row,
        known: &[&str],
        required: &[&str],
    ) -> Result<Layout, Vec<(Option<String>, Problem)>> {
        let mut index = vec![None; known.len()];
        let mut names = Vec::with_capacity(header.len());
        let mut problems = Vec::new();
        for field in 0..header.len() {
            let name = header.field(field).to_string();
            if let Some(k) = known.iter().position(|k| k.eq_ignore_ascii_case(&name)) {
                match index[k] {
                    Some(first) => problems.push((
                        Some(known[k].to_string()),
                        Problem::DuplicateColumn {
                            first: first + 1,
                            second: field + 1,
                        },
                    )),
                    None => index[k] = Some(field),
                }
            }
            names.push(name);
        }
        let missing: Vec<String> = required
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
            let required = required.iter().map(|r| r.to_string()).collect();
            problems.push((None, Problem::MissingColumns { missing, required }));
        }
        if problems.is_empty() {
            Ok(Layout { index, names })
        } else {
            Err(problems)
        }
    }

    /// The field index of known column `k`.
    pub fn get(&self, k: usize) -> Option<usize> {
        self.index[k]
    }

    /// The header name of field `index`, or its number when the header is shorter.
    pub fn name(&self, index: usize) -> String {
        match self.names.get(index) {
            Some(name) if !name.is_empty() => name.clone(),
            _ => format!("#{}", index + 1),
        }
    }
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
