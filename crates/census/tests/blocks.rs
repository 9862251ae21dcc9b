//! A CSV file read in blocks (each parsed on its own core) gives exactly what reading it
//! row by row gives: the same returns, the same refusals, the same lines; whatever the block
//! size, with quoted newlines, CRLF, GB18030, bad rows and quoting that blocks cannot follow.

use assess_census::{
    example_return, CensusReturn, CsvReader, CsvSource, CsvWriter, Numbered, Piece, ReturnError,
    ReturnOutcome,
};
use assess_register::EncodingChoice;

type Items = Vec<Result<Numbered, ReturnError>>;

/// Forty returns: most with three members, every seventh dissolved (one row, no member),
/// one with a member id holding a comma, a quote and a newline (a quoted field).
fn returns() -> Vec<CensusReturn> {
    (1..=40)
        .map(|k| {
            let mut r = example_return();
            r.return_id = format!("530128-{k:07}");
            r.household_id = format!("530128105201-{k:04}");
            if k % 7 == 0 {
                r.outcome = ReturnOutcome::Dissolved;
                r.household = None;
                r.assistance = Default::default();
            } else {
                let h = r.household.as_mut().unwrap();
                h.household_id = r.household_id.clone();
                if k == 12 {
                    h.members[1].id = "张,\"三\"\n二".into();
                }
            }
            r
        })
        .collect()
}

fn csv_of(returns: impl IntoIterator<Item = CensusReturn>) -> Vec<u8> {
    let mut w = CsvWriter::new(Vec::new()).unwrap();
    for r in returns {
        w.write(&r).unwrap();
    }
    w.into_inner().unwrap()
}

fn csv_text() -> String {
    String::from_utf8(csv_of(returns())).unwrap()
}

/// The lines of the forty returns' file, each with its newline, to spoil one by one.
fn csv_lines() -> Vec<String> {
    csv_text().split_inclusive('\n').map(String::from).collect()
}

fn by_rows(bytes: &[u8]) -> Items {
    CsvReader::new("r.csv", bytes, EncodingChoice::Auto)
        .unwrap()
        .collect()
}

/// The items read in blocks of about `size` bytes, the blocks made, and whether the rest
/// of the file was read row by row.
fn by_blocks(bytes: &[u8], size: usize) -> (Items, usize, bool) {
    match CsvSource::open("r.csv", bytes, EncodingChoice::Auto).unwrap() {
        CsvSource::Rows(rows) => (rows.collect(), 0, true),
        CsvSource::Blocks(blocks) => {
            let mut blocks = blocks.with_block_bytes(size);
            let (mut items, mut made, mut rest) = (Vec::new(), 0, false);
            while let Some(piece) = blocks.next_piece().unwrap() {
                match piece {
                    Piece::Block(block) => {
                        made += 1;
                        items.extend(block.returns());
                    }
                    Piece::Rest(rows) => {
                        assert!(!rest, "the rest is handed on once");
                        rest = true;
                        items.extend(rows);
                    }
                }
            }
            (items, made, rest)
        }
    }
}

/// Reads `text` both ways at several block sizes; returns the blocks made at the smallest.
fn same_both_ways(text: &[u8]) -> (usize, bool) {
    let rows = by_rows(text);
    assert!(!rows.is_empty());
    let mut smallest = None;
    for size in [1 << 20, 4096, 1000, 300, 1] {
        let (items, made, rest) = by_blocks(text, size);
        assert_eq!(items.len(), rows.len(), "block size {size}");
        for (k, (a, b)) in items.iter().zip(&rows).enumerate() {
            assert_eq!(a, b, "item {k}, block size {size}");
        }
        smallest = Some((made, rest));
    }
    smallest.unwrap()
}

#[test]
fn clean_files_are_cut_at_returns_and_read_alike() {
    let text = csv_text();
    let rows = by_rows(text.as_bytes());
    assert_eq!(rows.len(), 40);
    assert!(rows.iter().all(Result::is_ok));
    let (made, rest) = same_both_ways(text.as_bytes());
    // Every return (but the one whose member id holds a newline, cut around) its own block.
    assert!(made >= 35, "{made} blocks");
    assert!(!rest);
    // CRLF line ends, inside the quoted field too.
    let crlf = text.replace('\n', "\r\n");
    assert_eq!(same_both_ways(crlf.as_bytes()), (made, false));
    // The same returns on the same lines as with LF alone (a member id holding a newline
    // keeps its CR: it was inside the quotes).
    let lf = by_rows(text.as_bytes());
    let lines = |items: &Items| {
        items
            .iter()
            .map(|i| i.as_ref().unwrap().line)
            .collect::<Vec<_>>()
    };
    assert_eq!(lines(&by_rows(crlf.as_bytes())), lines(&lf));
    assert_eq!(lines(&lf)[..3], [2, 5, 8]);
}

#[test]
fn gb18030_files_are_read_alike() {
    let text = csv_text();
    let (gb, _, bad) = encoding_rs::GB18030.encode(&text);
    assert!(!bad);
    let rows = by_rows(&gb);
    assert!(rows.iter().all(Result::is_ok));
    let (made, rest) = same_both_ways(&gb);
    assert!(made > 1 && !rest);
}

#[test]
fn bad_rows_are_refused_alike_with_their_lines() {
    let mut lines = csv_lines();
    // Too few fields; a return's later row differing; an id padded with spaces on a later
    // row (the same return once trimmed); a blank line; bytes that are not UTF-8.
    lines[5] = "530128-0000002,x\n".into();
    lines[9] = lines[9].replacen(",enumerated,", ",dissolved,", 1);
    lines[14] = lines[14].replacen("530128-0000005,", " 530128-0000005 ,", 1);
    lines.insert(20, "   \n".into());
    let mut bytes = lines.concat().into_bytes();
    let at = bytes.len() / 2 + 40;
    bytes[at] = 0xff;
    let rows = by_rows(&bytes);
    let refused = rows.iter().filter(|r| r.is_err()).count();
    assert!(refused >= 4, "{refused} refused");
    let (made, rest) = same_both_ways(&bytes);
    assert!(made > 1 && !rest);
}

#[test]
fn quoting_that_blocks_cannot_follow_is_read_row_by_row() {
    let mut lines = csv_lines();
    // A quote inside an unquoted field (csv reads it as a character); from here on the rest
    // is read row by row.
    lines[30] = lines[30].replacen("530128105201,", "5301\"28105201,", 1);
    let bytes = lines.concat().into_bytes();
    let (made, rest) = same_both_ways(&bytes);
    assert!(made > 1 && rest, "{made} blocks, rest {rest}");
}

#[test]
fn files_blocks_cannot_cut_are_read_row_by_row() {
    let text = csv_text();
    // The return id not the first column.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut w = csv::Writer::from_writer(Vec::new());
    for record in reader.records() {
        let record = record.unwrap();
        let mut fields: Vec<&str> = record.iter().collect();
        fields.swap(0, 1);
        w.write_record(&fields).unwrap();
    }
    let swapped = w.into_inner().unwrap();
    assert!(matches!(
        CsvSource::open("r.csv", &swapped[..], EncodingChoice::Auto).unwrap(),
        CsvSource::Rows(_)
    ));
    assert_eq!(same_both_ways(&swapped), (0, true));
    // A bad header: refused alike.
    let bad = text.replacen("return_id", "return_idd", 1);
    assert_eq!(same_both_ways(bad.as_bytes()), (0, true));
    assert!(by_rows(bad.as_bytes())[0].is_err());
}

/// A file that cannot be read further (a disk error, a network file cut short): the blocks
/// handed on before are whole, and the error names the file and the first line not read.
#[test]
fn a_file_that_cannot_be_read_further_is_an_error_after_the_last_whole_block() {
    struct Failing<'t> {
        text: &'t [u8],
    }
    impl std::io::Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.text.is_empty() {
                return Err(std::io::Error::other("the disk went away"));
            }
            let n = buf.len().min(self.text.len()).min(500);
            buf[..n].copy_from_slice(&self.text[..n]);
            self.text = &self.text[n..];
            Ok(n)
        }
    }
    // More than the first MiB that opening the file reads, then the error.
    let text = csv_of((1..=3000).map(|k| {
        let mut r = example_return();
        r.return_id = format!("530128-{k:07}");
        r
    }));
    assert!(text.len() > 2 << 20, "{} bytes", text.len());
    let CsvSource::Blocks(blocks) = CsvSource::open(
        "r.csv",
        Failing {
            text: &text[..2 << 20],
        },
        EncodingChoice::Auto,
    )
    .unwrap() else {
        panic!("a clean file is read in blocks");
    };
    let mut blocks = blocks.with_block_bytes(64 << 10);
    let mut lines_read = 1;
    let error = loop {
        match blocks.next_piece() {
            Ok(Some(Piece::Block(block))) => {
                for item in block.returns() {
                    let item = item.expect("the blocks handed on are whole returns");
                    assert!(item.line > lines_read);
                    lines_read = item.line;
                }
            }
            Ok(other) => panic!("the read error is reported, not {:?}", other.is_some()),
            Err(e) => break e,
        }
    };
    assert_eq!(error.file, "r.csv");
    assert!(error.line > lines_read, "{} after {lines_read}", error.line);
    assert!(
        error
            .to_string()
            .contains("cannot be read: the disk went away"),
        "{error}"
    );
}
