//! JSON Lines: one return per line, read one line at a time.

use crate::error::{Problem, ReturnError};
use crate::limits::MAX_LINE_BYTES;
use crate::model::CensusReturn;
use crate::Numbered;
use std::io::{BufRead, Write};

/// The returns of a JSON Lines file, one at a time, each with its line; blank lines are
/// skipped, a UTF-8 byte-order mark is allowed. A bad line is an error naming the line and
/// the JSON path of the field; reading goes on with the next line, so a caller can list
/// every bad line. Memory holds one line (at most [`MAX_LINE_BYTES`]).
pub struct JsonLinesReader<R> {
    file: String,
    reader: R,
    line: u64,
    buf: Vec<u8>,
    failed: bool,
}

impl<R: BufRead> JsonLinesReader<R> {
    /// Reads `reader`; `file` names it in errors.
    pub fn new(file: impl Into<String>, reader: R) -> JsonLinesReader<R> {
        JsonLinesReader {
            file: file.into(),
            reader,
            line: 0,
            buf: Vec::new(),
            failed: false,
        }
    }

    fn error(&self, field: &str, message: String) -> ReturnError {
        ReturnError::at(&self.file, self.line, None, Problem::new(field, message))
    }

    /// The next line into `buf` (without its line feed), at most `MAX_LINE_BYTES` of it, the
    /// rest skipped: `None` at the end, else whether the line was too long.
    fn next_line(&mut self) -> std::io::Result<Option<bool>> {
        self.buf.clear();
        let mut read_any = false;
        let mut too_long = false;
        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                break;
            }
            read_any = true;
            let (take, done) = match memchr(available) {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            let content = if done { take - 1 } else { take };
            let room = MAX_LINE_BYTES.saturating_sub(self.buf.len());
            too_long |= content > room;
            self.buf.extend_from_slice(&available[..content.min(room)]);
            self.reader.consume(take);
            if done {
                break;
            }
        }
        Ok(read_any.then_some(too_long))
    }
}

fn memchr(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

impl<R: BufRead> Iterator for JsonLinesReader<R> {
    type Item = Result<Numbered, ReturnError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        loop {
            let too_long = match self.next_line() {
                Ok(Some(too_long)) => too_long,
                Ok(None) => return None,
                Err(e) => {
                    self.failed = true;
                    self.line += 1;
                    return Some(Err(self.error("file", format!("cannot be read: {e}"))));
                }
            };
            self.line += 1;
            if too_long {
                return Some(Err(self.error(
                    "line",
                    format!(
                        "is longer than {MAX_LINE_BYTES} bytes; one return is much shorter: \
                         is the file JSON Lines (one return per line)?"
                    ),
                )));
            }
            let mut text: &[u8] = &self.buf;
            if self.line == 1 {
                text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
            }
            if text.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let mut de = serde_json::Deserializer::from_slice(text);
            let parsed: Result<CensusReturn, _> = serde_path_to_error::deserialize(&mut de);
            let result = match parsed {
                Ok(census_return) => match de.end() {
                    Ok(()) => Ok(Numbered {
                        line: self.line,
                        census_return,
                    }),
                    Err(e) => Err(self.error(
                        "json",
                        format!("{e}: one return per line, nothing after it"),
                    )),
                },
                Err(e) => {
                    let path = e.path().to_string();
                    let field = if path == "." || path == "?" {
                        "json".to_string()
                    } else {
                        path
                    };
                    let message = e.into_inner().to_string();
                    Err(self.error(
                        &field,
                        format!("{message}; see docs/census.md for the format"),
                    ))
                }
            };
            return Some(result);
        }
    }
}

/// Writes one return as a line of JSON Lines (its canonical JSON and a line feed).
pub fn write_jsonl(w: &mut impl Write, census_return: &CensusReturn) -> std::io::Result<()> {
    serde_json::to_writer(&mut *w, census_return)?;
    w.write_all(b"\n")
}
