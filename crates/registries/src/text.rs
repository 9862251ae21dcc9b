//! Rows of a CSV file as text, one at a time, from any reader: UTF-8 (with or without BOM) or
//! GB18030, told apart as the rows come (the first row with a non-ASCII byte decides: valid
//! UTF-8 means UTF-8, anything else GB18030; a later row that breaks the choice is an error).
//! Columns are found by name (English or a Chinese alias), in any order; others are ignored.

use crate::error::{CrosscheckError, RowError};
use assess_household::mask_identity_numbers;
use encoding_rs::GB18030;
use std::io::Read;

/// A column a file must (or may) have: its name and the other names it is known by.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The name as documented (docs/census.md).
    pub name: &'static str,
    /// Other headers that mean the same (Chinese).
    pub aliases: &'static [&'static str],
    /// Whether the file is refused without it.
    pub required: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Undecided,
    Utf8,
    Gb18030,
}

/// A reader that remembers where the line feeds it passed on are, until asked how many lie
/// before a byte offset (asked in increasing order, so it keeps only those of the CSV
/// reader's buffer). The csv crate's own line numbers skip blank lines and count CR LF
/// oddly; its byte offsets are exact.
struct Counted<R> {
    inner: R,
    offset: u64,
    ahead: std::collections::VecDeque<u64>,
    before: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'\n' {
                self.ahead.push_back(self.offset + i as u64);
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

impl<R> Counted<R> {
    /// Line feeds strictly before byte `at`.
    fn newlines_before(&mut self, at: u64) -> u64 {
        while self.ahead.front().is_some_and(|&o| o < at) {
            self.ahead.pop_front();
            self.before += 1;
        }
        self.before
    }
}

/// The rows of one CSV file, with the wanted columns' positions.
pub(crate) struct Rows<R: Read> {
    file: String,
    reader: csv::Reader<Counted<R>>,
    record: csv::ByteRecord,
    /// For each wanted column, its position in the file's records.
    positions: Vec<Option<usize>>,
    encoding: Encoding,
    /// Decoded fields of the current row, for the wanted columns.
    fields: Vec<String>,
    line: u64,
}

/// One row's wanted fields (empty text for a column the file does not have).
pub(crate) struct Row<'a> {
    pub line: u64,
    pub fields: &'a [String],
}

impl<R: Read> Rows<R> {
    /// Reads the header and finds `columns` in it.
    pub fn new(file: &str, input: R, columns: &[Column]) -> Result<Rows<R>, CrosscheckError> {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(Counted {
                inner: input,
                offset: 0,
                ahead: Default::default(),
                before: 0,
            });
        let mut rows = Rows {
            file: file.to_string(),
            reader,
            record: csv::ByteRecord::new(),
            positions: vec![None; columns.len()],
            encoding: Encoding::Undecided,
            fields: vec![String::new(); columns.len()],
            line: 0,
        };
        let header_problem = |problem: String| CrosscheckError::Header {
            file: file.to_string(),
            problem,
        };
        let header: Vec<String> = match rows.next_record()? {
            Some(line) => {
                rows.line = line;
                rows.decode_all()?
            }
            None => {
                return Err(header_problem(
                    "the file is empty: it needs a header row".into(),
                ))
            }
        };
        for (i, h) in header.iter().enumerate() {
            let h = h.trim_start_matches('\u{feff}').trim();
            let lower = h.to_ascii_lowercase();
            let Some(c) = columns
                .iter()
                .position(|c| c.name == lower || c.aliases.contains(&h))
            else {
                continue;
            };
            if let Some(first) = rows.positions[c] {
                return Err(header_problem(format!(
                    "columns {} and {} both give {}; keep one",
                    first + 1,
                    i + 1,
                    columns[c].name
                )));
            }
            rows.positions[c] = Some(i);
        }
        let missing: Vec<&str> = columns
            .iter()
            .zip(&rows.positions)
            .filter(|(c, p)| c.required && p.is_none())
            .map(|(c, _)| c.name)
            .collect();
        if !missing.is_empty() {
            return Err(header_problem(format!(
                "the header has no column {}; the columns are described in docs/census.md",
                missing.join(", ")
            )));
        }
        Ok(rows)
    }

    fn next_record(&mut self) -> Result<Option<u64>, CrosscheckError> {
        match self.reader.read_byte_record(&mut self.record) {
            Ok(true) => {
                // The record ends just before the reader's position (its terminator's last
                // byte, or its CR when a LF follows); its last line is one more than the line
                // feeds before that, and it starts as many lines up as its fields hold.
                let end = self.reader.position().byte().saturating_sub(1);
                let last = self.reader.get_mut().newlines_before(end) + 1;
                let inside: usize = self
                    .record
                    .iter()
                    .map(|f| f.iter().filter(|&&b| b == b'\n').count())
                    .sum();
                Ok(Some(last.saturating_sub(inside as u64).max(1)))
            }
            Ok(false) => Ok(None),
            Err(e) => Err(CrosscheckError::Read {
                file: self.file.clone(),
                problem: mask_identity_numbers(&e.to_string()),
            }),
        }
    }

    /// The next row, or `None` at the end; a row that cannot be decoded is an error of its
    /// own (the caller goes on to the next).
    pub fn next_row(&mut self) -> Result<Option<Result<Row<'_>, RowError>>, CrosscheckError> {
        loop {
            let Some(line) = self.next_record()? else {
                return Ok(None);
            };
            self.line = line;
            if self
                .record
                .iter()
                .all(|f| f.iter().all(u8::is_ascii_whitespace))
            {
                continue; // a blank line
            }
            if let Err(e) = self.choose_encoding() {
                return Ok(Some(Err(e)));
            }
            for (slot, p) in self.fields.iter_mut().zip(&self.positions) {
                slot.clear();
                if let Some(bytes) = p.and_then(|p| self.record.get(p)) {
                    decode_into(self.encoding, bytes, slot);
                }
            }
            return Ok(Some(Ok(Row {
                line,
                fields: &self.fields,
            })));
        }
    }

    fn choose_encoding(&mut self) -> Result<(), RowError> {
        let bytes = self.record.as_slice();
        if bytes.is_ascii() {
            return Ok(());
        }
        let utf8 = std::str::from_utf8(bytes).is_ok();
        match (self.encoding, utf8) {
            (Encoding::Undecided, true) => self.encoding = Encoding::Utf8,
            (Encoding::Undecided, false) => self.encoding = Encoding::Gb18030,
            (Encoding::Utf8, false) => {
                return Err(RowError {
                    file: self.file.clone(),
                    line: self.line,
                    field: None,
                    problem: "this line is not UTF-8, though the lines before it are: save the \
                              file in one encoding (UTF-8 or GB18030)"
                        .into(),
                })
            }
            _ => {}
        }
        Ok(())
    }

    fn decode_all(&mut self) -> Result<Vec<String>, CrosscheckError> {
        self.choose_encoding()
            .map_err(|e| CrosscheckError::Header {
                file: self.file.clone(),
                problem: e.problem,
            })?;
        Ok(self
            .record
            .iter()
            .map(|f| {
                let mut s = String::new();
                decode_into(self.encoding, f, &mut s);
                s
            })
            .collect())
    }
}

fn decode_into(encoding: Encoding, bytes: &[u8], out: &mut String) {
    match encoding {
        Encoding::Gb18030 if !bytes.is_ascii() => {
            let (text, _) = GB18030.decode_without_bom_handling(bytes);
            out.push_str(&text);
        }
        // Undecided means every row so far was ASCII; Utf8 rows were checked whole.
        _ => out.push_str(&String::from_utf8_lossy(bytes)),
    }
}

/// Text compared with a rule's list: trimmed, full-width made half-width (NFKC), lower-case,
/// underscores read as spaces (registries exported as codes write `urban_flat`), runs of
/// spaces made one.
pub fn fold(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let nfkc: String = text
        .nfkc()
        .map(|c| if c == '_' { ' ' } else { c })
        .collect();
    nfkc.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A person's name as it is compared (only ever as a second key, after the identity number):
/// NFKC (full-width to half-width), every space removed (`张 三` is `张三`), the middle dots of
/// minority names made one (`·`), lower-case.
///
/// ```
/// use assess_registries::normalise_name;
/// assert_eq!(normalise_name(" 张　三 "), normalise_name("张三"));
/// assert_eq!(normalise_name("买买提•艾力"), normalise_name("买买提·艾力"));
/// assert_ne!(normalise_name("张三"), normalise_name("张山"));
/// ```
pub fn normalise_name(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfkc()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{2022}' | '\u{30FB}' | '\u{FF65}' | '\u{2027}' | '\u{2219}' | '.' => '·',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[Column] = &[
        Column {
            name: "person_id",
            aliases: &["身份证号"],
            required: true,
        },
        Column {
            name: "employer",
            aliases: &["工作单位"],
            required: false,
        },
    ];

    fn rows_of(bytes: &[u8]) -> Result<Vec<(u64, Vec<String>)>, String> {
        let mut rows = Rows::new("f.csv", bytes, COLUMNS).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        while let Some(row) = rows.next_row().map_err(|e| e.to_string())? {
            let row = row.map_err(|e| e.to_string())?;
            out.push((row.line, row.fields.to_vec()));
        }
        Ok(out)
    }

    #[test]
    fn utf8_gb18030_and_chinese_headers_read_alike() {
        let text = "工作单位,其他,身份证号\n县财政局,x,1\n\n\"乡政府\",y,2\n";
        let expect = vec![
            (2, vec!["1".to_string(), "县财政局".to_string()]),
            (4, vec!["2".to_string(), "乡政府".to_string()]),
        ];
        assert_eq!(rows_of(text.as_bytes()).unwrap(), expect);
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        assert_eq!(rows_of(&bom).unwrap(), expect);
        let (gb, _, _) = GB18030.encode(text);
        assert_eq!(rows_of(&gb).unwrap(), expect);
    }

    #[test]
    fn lines_are_counted_as_an_editor_shows_them() {
        let lines = |text: &str| -> Vec<u64> {
            rows_of(text.as_bytes())
                .unwrap()
                .into_iter()
                .map(|(l, _)| l)
                .collect()
        };
        assert_eq!(lines("person_id\n1\n\n2\n"), [2, 4]);
        assert_eq!(lines("person_id\r\n1\r\n\r\n\r\n2\r\n"), [2, 5]);
        assert_eq!(lines("person_id,employer\n1,\"a\nb\"\n2,c"), [2, 4]);
        assert_eq!(lines("\n\nperson_id\n1\n"), [4]);
        let big: String = std::iter::once("person_id\n".to_string())
            .chain((0..5000).map(|i| format!("{i}\n\n")))
            .collect();
        assert_eq!(lines(&big).last(), Some(&(2 + 2 * 4999)));
    }

    #[test]
    fn header_problems_are_named() {
        let e = rows_of(b"name,employer\nx,y\n").unwrap_err();
        assert!(e.contains("no column person_id"), "{e}");
        let e = rows_of("person_id,身份证号\n1,2\n".as_bytes()).unwrap_err();
        assert!(e.contains("columns 1 and 2 both give person_id"), "{e}");
        let e = rows_of(b"").unwrap_err();
        assert!(e.contains("empty"), "{e}");
    }

    #[test]
    fn a_file_that_changes_encoding_is_refused_at_the_line() {
        let mut bytes = "person_id,employer\n1,县财政局\n".as_bytes().to_vec();
        bytes.extend_from_slice(&GB18030.encode("2,乡政府\n").0);
        let e = rows_of(&bytes).unwrap_err();
        assert!(e.contains("line 3") && e.contains("not UTF-8"), "{e}");
    }

    #[test]
    fn folding_makes_spellings_meet() {
        assert_eq!(fold("  Urban   Flat "), "urban flat");
        assert_eq!(fold("ＳＨＯＰ"), "shop");
        assert_eq!(fold("urban_flat"), "urban flat");
        assert_eq!(fold("legal__representative"), "legal representative");
        assert_eq!(fold("商铺\u{3000}"), "商铺");
    }
}
