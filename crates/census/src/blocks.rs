//! A CSV file of returns cut into blocks of whole returns, so that each core parses,
//! assembles and judges its own block ([`CsvBlocks`]).
//!
//! Why: with one thread parsing every row and others assembling them, each row was written
//! on one core and read on another, and the cache misses and cross-thread frees of that
//! hand-over were about a tenth of the census ingest's CPU (docs/benchmarks.md, "National
//! census"). Here the reading thread only reads bytes and finds where a return starts; the
//! block's rows are parsed by the same [`CsvReader`] code, on the core that assembles them.
//!
//! Where a block may end: at a row whose return id (the first field) differs, byte for
//! byte, from the row before's, both written plainly (no quotes, nothing to trim). Rows are
//! told apart by newlines outside quoted fields; quotes are counted from the header on,
//! which is exact while every quote that opens a field stands at the field's start (as
//! RFC 4180 writes them). At the first quote elsewhere, or when the return id is not the
//! first column, or a block finds no place to end, the rest of the file is read row by row
//! on the reading thread as before ([`Piece::Rest`]): the same returns, errors and lines
//! either way (tested).

use crate::table::{decoded, unreadable, CsvReader, Layout};
use crate::{Numbered, ReturnError};
use assess_register::{EncodingChoice, TextEncoding};
use std::io::{Cursor, Read};
use std::sync::Arc;

/// A block's size to aim at: a thousand-odd returns, a judging thread's chunk of work.
const BLOCK_BYTES: usize = 1 << 20;

/// A block that has found no return boundary by this size is read row by row instead.
const MAX_BLOCK_BYTES: usize = 64 << 20;

/// Rows looked back from a block's end for a return boundary (a return has at most
/// [`crate::limits::MAX_MEMBERS`] rows).
const ROWS_LOOKED_BACK: usize = 2 * crate::limits::MAX_MEMBERS + 8;

/// A CSV returns file being cut into blocks, or read row by row when it cannot be.
pub enum CsvSource<'a> {
    /// Cut into blocks.
    Blocks(CsvBlocks<'a>),
    /// Read row by row from its start (the header included).
    Rows(Box<CsvReader<'a>>),
}

impl<'a> CsvSource<'a> {
    /// Opens `reader` as [`CsvReader::new`] does, in blocks when its header allows.
    pub fn open<R: Read + Send + 'a>(
        file: impl Into<String>,
        reader: R,
        encoding: EncodingChoice,
    ) -> std::io::Result<CsvSource<'a>> {
        let file: Arc<str> = file.into().into();
        let (encoding, mut text) = decoded(reader, encoding)?;
        let mut buf = Vec::new();
        let eof = fill(&mut text, &mut buf, BLOCK_BYTES)?;
        let header_end = first_row_end(&buf);
        let Some(end) = header_end else {
            return Ok(CsvSource::Rows(Box::new(rows_from_start(
                file, encoding, buf, text,
            ))));
        };
        let header_text: Box<dyn Read + Send> = Box::new(Cursor::new(buf[..end].to_vec()));
        let header = CsvReader::over_text(file.clone(), header_text, encoding);
        let Some(layout) = header.layout_with_return_id_first() else {
            return Ok(CsvSource::Rows(Box::new(rows_from_start(
                file, encoding, buf, text,
            ))));
        };
        let line_base = newlines(&buf[..end]);
        buf.drain(..end);
        Ok(CsvSource::Blocks(CsvBlocks {
            layout: Arc::new(layout),
            text,
            buf,
            quotes: Quotes::default(),
            line_base,
            eof,
            block_bytes: BLOCK_BYTES,
        }))
    }
}

/// The whole text, read row by row: `buf` (read first) and the rest of `text`.
fn rows_from_start<'a>(
    file: Arc<str>,
    encoding: TextEncoding,
    buf: Vec<u8>,
    text: Box<dyn Read + Send + 'a>,
) -> CsvReader<'a> {
    CsvReader::over_text(file, Box::new(Cursor::new(buf).chain(text)), encoding)
}

/// What [`CsvBlocks::next_piece`] hands on.
pub enum Piece<'a> {
    /// A block of whole returns.
    Block(Block),
    /// The rest of the file, to read row by row (its lines numbered on from the blocks').
    Rest(Box<CsvReader<'a>>),
}

/// A CSV file after its header, cut into blocks of whole returns.
pub struct CsvBlocks<'a> {
    /// What the header told: every block is read with it.
    layout: Arc<Layout>,
    text: Box<dyn Read + Send + 'a>,
    /// Text read and not handed on; it starts at a row's start.
    buf: Vec<u8>,
    quotes: Quotes,
    /// Lines of the file before `buf`.
    line_base: u64,
    eof: bool,
    /// The size a block aims at.
    block_bytes: usize,
}

impl<'a> CsvBlocks<'a> {
    /// The next block, the rest of the file to read row by row, or `None` at the end. An
    /// error is the file's: it could not be read further, after the line it names.
    pub fn next_piece(&mut self) -> Result<Option<Piece<'a>>, ReturnError> {
        self.next_piece_read().map_err(|e| {
            ReturnError::at(self.layout.file(), self.line_base + 1, None, unreadable(&e))
        })
    }

    fn next_piece_read(&mut self) -> std::io::Result<Option<Piece<'a>>> {
        loop {
            if self.buf.len() < self.block_bytes && !self.eof {
                self.eof = fill(&mut self.text, &mut self.buf, self.block_bytes)?;
                continue;
            }
            let cut = match self.find_cut() {
                Cut::Irregular => return Ok(Some(self.rest())),
                Cut::At(cut) => cut,
                Cut::None if self.eof && self.buf.is_empty() => return Ok(None),
                Cut::None if self.eof => self.buf.len(),
                Cut::None if self.buf.len() >= MAX_BLOCK_BYTES => return Ok(Some(self.rest())),
                Cut::None => {
                    let more = self.buf.len() + self.block_bytes;
                    self.eof = fill(&mut self.text, &mut self.buf, more)?;
                    continue;
                }
            };
            // The rest moves to a buffer with room for the next block (grown from its few
            // bytes, it would be copied at each doubling).
            let mut after = Vec::with_capacity(self.block_bytes.max(self.buf.len() - cut));
            after.extend_from_slice(&self.buf[cut..]);
            self.buf.truncate(cut);
            let bytes = std::mem::replace(&mut self.buf, after);
            self.quotes.cut(cut);
            let line_base = self.line_base;
            self.line_base += newlines(&bytes);
            return Ok(Some(Piece::Block(Block {
                layout: self.layout.clone(),
                bytes,
                line_base,
            })));
        }
    }

    /// The start of a return about `block_bytes` in: the last one before it, or the first
    /// one found in twice, four times ... as much (the quotes scanned as far as looked).
    fn find_cut(&mut self) -> Cut {
        let mut size = self.block_bytes;
        loop {
            let end = self.buf.len().min(size);
            if !self.quotes.scan(&self.buf[..end]) {
                return Cut::Irregular;
            }
            if let Some(cut) = return_start(&self.buf[..end], &self.quotes) {
                return Cut::At(cut);
            }
            if end == self.buf.len() {
                return Cut::None;
            }
            size = size.saturating_mul(2);
        }
    }

    /// Blocks of about `n` bytes instead of a MiB (tests cut small files into many).
    pub fn with_block_bytes(mut self, n: usize) -> Self {
        self.block_bytes = n.max(1);
        self
    }

    /// The text not handed on and the rest of the file, read row by row.
    fn rest(&mut self) -> Piece<'a> {
        let buf = std::mem::take(&mut self.buf);
        self.quotes = Quotes::default();
        let text = std::mem::replace(&mut self.text, Box::new(std::io::empty()));
        self.eof = true;
        let all: Box<dyn Read + Send + 'a> = Box::new(Cursor::new(buf).chain(text));
        Piece::Rest(Box::new(CsvReader::continuing(
            &self.layout,
            all,
            self.line_base,
        )))
    }
}

/// Where the text read may be cut.
enum Cut {
    /// Here: a return starts.
    At(usize),
    /// Nowhere yet.
    None,
    /// A quote blocks cannot follow: the rest is read row by row.
    Irregular,
}

/// Whole returns of a CSV file, with the lines before them.
pub struct Block {
    layout: Arc<Layout>,
    bytes: Vec<u8>,
    line_base: u64,
}

impl Block {
    /// The block's returns, read as the file's reader reads them (lines are the file's).
    pub fn returns(&self) -> impl Iterator<Item = Result<Numbered, ReturnError>> + '_ {
        CsvReader::continuing(&self.layout, Box::new(&self.bytes[..]), self.line_base)
    }
}

/// Reads into `buf` until it holds `target` bytes; true at the end of the text. Why
/// `read_to_end` on a `take`: it reads into the spare room without zeroing it first.
fn fill(text: &mut dyn Read, buf: &mut Vec<u8>, target: usize) -> std::io::Result<bool> {
    let want = target.saturating_sub(buf.len());
    let got = text.take(want as u64).read_to_end(buf)?;
    Ok(got < want)
}

fn newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// The places of the quotes in a buffer that starts at a row's start, scanned so far.
#[derive(Default)]
struct Quotes {
    at: Vec<usize>,
    scanned: usize,
}

impl Quotes {
    /// Scans the bytes not scanned yet; false at a quote that would open a quoted field
    /// anywhere but at a field's start or as the second of an escaped pair `""` (where
    /// counting quotes stops telling rows apart).
    fn scan(&mut self, buf: &[u8]) -> bool {
        if buf.len() <= self.scanned {
            return true;
        }
        for q in memchr::memchr_iter(b'"', &buf[self.scanned..]).map(|q| q + self.scanned) {
            let opens = self.at.len().is_multiple_of(2);
            // A quote right after the one that closed is the second of an escaped pair.
            let escaped = q > 0 && self.at.last() == Some(&(q - 1));
            if opens && q > 0 && !escaped && !matches!(buf[q - 1], b',' | b'\n' | b'\r') {
                return false;
            }
            self.at.push(q);
        }
        self.scanned = buf.len();
        true
    }

    /// Whether the byte at `k` is inside a quoted field.
    fn inside(&self, k: usize) -> bool {
        self.at.partition_point(|&q| q < k) % 2 == 1
    }

    /// The buffer's first `n` bytes are handed on.
    fn cut(&mut self, n: usize) {
        self.at.retain(|&q| q >= n);
        self.at.iter_mut().for_each(|q| *q -= n);
        self.scanned -= n;
    }
}

/// The end of the first row (after its newline), when it is in `buf` and quoted as blocks
/// can follow.
fn first_row_end(buf: &[u8]) -> Option<usize> {
    let mut quotes = Quotes::default();
    let mut from = 0;
    loop {
        let nl = from + memchr::memchr(b'\n', &buf[from..])?;
        if !quotes.scan(&buf[..nl]) {
            return None;
        }
        if !quotes.inside(nl) {
            return Some(nl + 1);
        }
        from = nl + 1;
    }
}

/// The start of the last row of `buf` that starts a return: its return id and the row
/// before's are both plain and differ (looking back at most [`ROWS_LOOKED_BACK`] rows).
fn return_start(buf: &[u8], quotes: &Quotes) -> Option<usize> {
    let starts = memchr::memrchr_iter(b'\n', buf)
        .filter(|&nl| !quotes.inside(nl))
        .map(|nl| nl + 1)
        .chain([0])
        .take(ROWS_LOOKED_BACK);
    let mut later: Option<usize> = None;
    for start in starts {
        if let Some(s) = later {
            if let (Some(a), Some(b)) = (plain_id(&buf[start..s]), plain_id(&buf[s..])) {
                if a != b {
                    return Some(s);
                }
            }
        }
        later = Some(start);
    }
    None
}

/// A row's first field when it is plain: ended by a comma, not empty, no quote, starting and
/// ending with a visible ASCII character (so the reader's trimmed id is these bytes).
fn plain_id(row: &[u8]) -> Option<&[u8]> {
    let end = memchr::memchr3(b',', b'\n', b'"', row)?;
    let id = &row[..end];
    let plain = row[end] == b','
        && id.first().is_some_and(u8::is_ascii_graphic)
        && id.last().is_some_and(u8::is_ascii_graphic);
    plain.then_some(id)
}
