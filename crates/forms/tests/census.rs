//! The census workbook: returns written into it read back to the same returns and content
//! hashes as JSON Lines (headers in English or Chinese), and every bad cell, row and header
//! refused with its sheet, row and column.

use assess_census::{
    example_return, write_jsonl, CensusReturn, JsonLinesReader, ReturnError, ReturnOutcome,
};
use assess_forms::census::{census_sheet_names, census_template, read_census, write_census_filled};
use assess_forms::{FormsError, ListLanguage};
use assess_inspection::BirthDate;
use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{ExcelDateTime, Workbook};
use std::io::Cursor;

/// Returns exercising every sheet: members with Chinese names and a birth date, approval and
/// identification, a dissolved household, a household without members, and a duplicate (the
/// same household twice, under another return id).
fn returns() -> Vec<CensusReturn> {
    let a = example_return();
    let mut b = example_return();
    b.return_id = "530128-0000002".into();
    b.household_id = "530128105201-0002".into();
    b.enumerator.id = "普查员-李四".into();
    b.gps = None;
    let h = b.household.as_mut().unwrap();
    h.household_id = b.household_id.clone();
    h.members[0].id = "张三".into();
    h.members[1].birth_date = Some(BirthDate {
        year: 1981,
        month: 7,
        day: 22,
    });
    h.approval = Some(assess_inspection::Approval {
        exit: Some(assess_inspection::Opinion::Satisfied),
        ..Default::default()
    });
    h.identification = Some(assess_inspection::Identification {
        owns_vehicle: Some(true),
        vehicle_value_yuan: Some(25_000.5),
        ..Default::default()
    });
    h.income.business_net = Some(-350.25);
    let mut c = example_return();
    c.return_id = "530128-0000003".into();
    c.household_id = "530128105201-0003".into();
    c.outcome = ReturnOutcome::Dissolved;
    c.household = None;
    c.assistance = Default::default();
    let mut d = example_return();
    d.return_id = "530128-0000004".into();
    d.household_id = "530128105201-0004".into();
    d.assistance = Default::default();
    let h = d.household.as_mut().unwrap();
    h.household_id = d.household_id.clone();
    h.members.clear();
    let mut e = a.clone();
    e.return_id = "530128-0000005".into();
    e.start = "2020-07-05T09:30:00+08:00".into();
    e.end = "2020-07-05T10:05:00+08:00".into();
    vec![a, b, c, d, e]
}

fn from_jsonl(rs: &[CensusReturn]) -> Vec<CensusReturn> {
    let mut bytes = Vec::new();
    for r in rs {
        write_jsonl(&mut bytes, r).unwrap();
    }
    JsonLinesReader::new("r.jsonl", &bytes[..])
        .map(|r| r.unwrap().census_return)
        .collect()
}

fn read_ok(bytes: &[u8]) -> Vec<(u64, CensusReturn)> {
    read_census("returns.xlsx", bytes)
        .unwrap()
        .into_iter()
        .map(|r| {
            let n = r.unwrap_or_else(|e| panic!("{e}"));
            (n.line, n.census_return)
        })
        .collect()
}

#[test]
fn a_workbook_of_returns_reads_back_to_the_same_returns_and_hashes_as_json_lines() {
    let rs = returns();
    let jsonl = from_jsonl(&rs);
    for language in [ListLanguage::English, ListLanguage::Chinese] {
        let bytes = write_census_filled(&rs, language).unwrap();
        let read = read_ok(&bytes);
        let lines: Vec<u64> = read.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 3, 4, 5, 6], "rows of sheet returns");
        let read: Vec<CensusReturn> = read.into_iter().map(|(_, r)| r).collect();
        assert_eq!(read, jsonl);
        for (a, b) in read.iter().zip(&jsonl) {
            assert_eq!(a.content_sha256(), b.content_sha256());
        }
    }
    // The sheets, and the Chinese headers.
    let bytes = write_census_filled(&rs, ListLanguage::Chinese).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(&bytes[..])).unwrap();
    assert_eq!(book.sheet_names(), census_sheet_names());
    let returns = book.worksheet_range("returns").unwrap();
    assert_eq!(
        returns.get((0, 0)),
        Some(&Data::String("普查表编号".into()))
    );
    let members = book.worksheet_range("members").unwrap();
    assert_eq!(
        members.height(),
        1 + 3 + 3 + 3,
        "a header and one row per member"
    );
    let assistance = book.worksheet_range("assistance").unwrap();
    assert_eq!(
        assistance.height(),
        1 + 3,
        "no row for returns without assistance"
    );
}

#[test]
fn the_empty_template_has_every_sheet_and_reads_to_no_return() {
    for language in [ListLanguage::English, ListLanguage::Chinese] {
        let bytes = census_template(language).unwrap();
        assert!(read_census("t.xlsx", &bytes).unwrap().is_empty());
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(&bytes[..])).unwrap();
        assert_eq!(book.sheet_names(), census_sheet_names());
        let header = book.worksheet_range("assistance").unwrap();
        let first = if language == ListLanguage::English {
            "return_id"
        } else {
            "普查表编号"
        };
        assert_eq!(header.get((0, 0)), Some(&Data::String(first.into())));
        assert_eq!(header.width(), 11);
    }
}

/// A workbook as cells, to change one and write it again.
#[derive(Clone)]
struct Book(Vec<(String, Vec<Vec<Data>>)>);

impl Book {
    fn of(bytes: &[u8]) -> Book {
        let mut xlsx: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let names = xlsx.sheet_names();
        Book(
            names
                .into_iter()
                .map(|n| {
                    let range = xlsx.worksheet_range(&n).unwrap();
                    let rows = range.rows().map(<[Data]>::to_vec).collect();
                    (n, rows)
                })
                .collect(),
        )
    }

    /// Sets the cell of `column` (its header) in 1-based `row` of `sheet`.
    fn set(mut self, sheet: &str, row: usize, column: &str, value: Data) -> Book {
        let rows = &mut self.0.iter_mut().find(|(n, _)| n == sheet).unwrap().1;
        let c = rows[0]
            .iter()
            .position(|h| h == &Data::String(column.into()))
            .unwrap_or_else(|| panic!("{column}"));
        rows[row - 1][c] = value;
        self
    }

    fn push_row(mut self, sheet: &str, row: Vec<Data>) -> Book {
        self.0
            .iter_mut()
            .find(|(n, _)| n == sheet)
            .unwrap()
            .1
            .push(row);
        self
    }

    fn bytes(&self) -> Vec<u8> {
        let mut wb = Workbook::new();
        for (name, rows) in &self.0 {
            let ws = wb.add_worksheet();
            ws.set_name(name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    let (r, c) = (r as u32, c as u16);
                    match cell {
                        Data::String(s) => {
                            ws.write_string(r, c, s).unwrap();
                        }
                        Data::Float(x) => {
                            ws.write_number(r, c, *x).unwrap();
                        }
                        Data::Int(x) => {
                            ws.write_number(r, c, *x as f64).unwrap();
                        }
                        Data::Bool(b) => {
                            ws.write_boolean(r, c, *b).unwrap();
                        }
                        Data::DateTime(d) => {
                            let t = ExcelDateTime::from_serial_datetime(d.as_f64()).unwrap();
                            let f = rust_xlsxwriter::Format::new()
                                .set_num_format("yyyy-mm-dd hh:mm:ss");
                            ws.write_datetime_with_format(r, c, &t, &f).unwrap();
                        }
                        _ => {}
                    }
                }
            }
        }
        wb.save_to_buffer().unwrap()
    }
}

fn good() -> Book {
    Book::of(&write_census_filled(&returns(), ListLanguage::English).unwrap())
}

/// The errors of a workbook, as (sheet, row, column, return id) and the message.
fn errors(book: &Book) -> Vec<(String, u64, String, Option<String>, String)> {
    read_census("returns.xlsx", &book.bytes())
        .unwrap()
        .into_iter()
        .filter_map(Result::err)
        .map(|e: ReturnError| {
            (
                e.sheet.as_deref().unwrap().to_string(),
                e.line,
                e.problem.field.clone(),
                e.return_id.clone(),
                e.to_string(),
            )
        })
        .collect()
}

fn one_error(book: &Book) -> (String, u64, String, Option<String>, String) {
    let mut e = errors(book);
    assert_eq!(e.len(), 1, "{e:?}");
    e.remove(0)
}

#[test]
fn bad_cells_are_refused_with_their_sheet_row_and_column_and_the_others_read() {
    let s = |t: &str| Data::String(t.into());
    // A member's age that is not a number: sheet members, row 3 (the second member of the
    // first return).
    let (sheet, row, column, id, text) = one_error(&good().set("members", 3, "age", s("forty")));
    assert_eq!(
        (sheet.as_str(), row, column.as_str()),
        ("members", 3, "age"),
        "{text}"
    );
    assert_eq!(id.as_deref(), Some("530128-0000001"));
    assert!(
        text.starts_with("returns.xlsx, sheet members, row 3: return 530128-0000001: age:"),
        "{text}"
    );
    let read = read_census(
        "returns.xlsx",
        &good().set("members", 3, "age", s("forty")).bytes(),
    )
    .unwrap();
    assert_eq!(
        read.iter().filter(|r| r.is_ok()).count(),
        4,
        "the other returns are read"
    );
    // A word not in the list.
    let e = one_error(&good().set("returns", 4, "outcome", s("gone")));
    assert_eq!(
        (e.0.as_str(), e.1, e.2.as_str()),
        ("returns", 4, "outcome"),
        "{}",
        e.4
    );
    // An identity number stored as a number loses digits.
    let e = one_error(&good().set("members", 2, "id_number", Data::Float(530128197903150016.0)));
    assert_eq!(
        (e.0.as_str(), e.1, e.2.as_str()),
        ("members", 2, "id_number"),
        "{}",
        e.4
    );
    assert!(e.4.contains("loses digits"), "{}", e.4);
    // A wrong check character, masked in the message.
    let e = one_error(&good().set("members", 2, "id_number", s("530128197903150017")));
    assert_eq!(
        (e.0.as_str(), e.1, e.2.as_str()),
        ("members", 2, "id_number"),
        "{}",
        e.4
    );
    assert!(!e.4.contains("530128197903150017"), "{}", e.4);
    // A yes/no that is neither, in sheet assistance.
    let e = one_error(&good().set("assistance", 2, "microcredit", s("maybe")));
    assert_eq!(
        (e.0.as_str(), e.1, e.2.as_str()),
        ("assistance", 2, "microcredit"),
        "{}",
        e.4
    );
    // A household section without its status: the household sheet's row.
    let e = one_error(&good().set("household", 3, "status", Data::Empty));
    assert_eq!(
        (e.0.as_str(), e.1, e.2.as_str()),
        ("household", 3, "status"),
        "{}",
        e.4
    );
    assert_eq!(e.3.as_deref(), Some("530128-0000002"));
    // Half a GPS fix.
    let e = one_error(&good().set("returns", 2, "gps_lon", Data::Empty));
    assert_eq!(
        (e.0.as_str(), e.1, e.2.as_str()),
        ("returns", 2, "gps_lon"),
        "{}",
        e.4
    );
    // A row of another sheet that belongs to no return.
    let orphan = good().set("water", 2, "return_id", s("530128-0009999"));
    let e = errors(&orphan);
    assert!(
        e.iter()
            .any(|e| (e.0.as_str(), e.1, e.2.as_str()) == ("water", 2, "return_id")),
        "{e:?}"
    );
    // Two rows of one return in a one-row sheet.
    let twice = good().push_row("housing", vec![s("530128-0000001"), s("false")]);
    let e = one_error(&twice);
    assert_eq!(
        (e.0.as_str(), e.2.as_str()),
        ("housing", "return_id"),
        "{}",
        e.4
    );
    assert!(e.4.contains("already has row 2"), "{}", e.4);
    // A return id given twice in sheet returns: the second row is refused, and the rows of
    // the other sheets that belonged to it are rows of no return.
    let e = errors(&good().set("returns", 3, "return_id", s("530128-0000001")));
    assert_eq!(
        (e[0].0.as_str(), e[0].1, e[0].2.as_str()),
        ("returns", 3, "return_id"),
        "{}",
        e[0].4
    );
    assert!(e[0].4.contains("also the id of row 2"), "{}", e[0].4);
    assert!(
        e[1..]
            .iter()
            .all(|e| e.2 == "return_id" && e.4.contains("530128-0000002")),
        "{e:?}"
    );
}

#[test]
fn cells_as_excel_types_them_are_read() {
    let rs = returns();
    // Times typed as Excel date-times are Beijing time; yes/no as booleans or 是/否.
    let start = ExcelDateTime::parse_from_str("2020-07-03 09:30:00").unwrap();
    let book = good()
        .set(
            "returns",
            2,
            "start",
            Data::DateTime(calamine::ExcelDateTime::new(
                start.to_excel(),
                calamine::ExcelDateTimeType::DateTime,
                false,
            )),
        )
        .set("household", 2, "food_adequate", Data::Bool(true))
        .set(
            "household",
            2,
            "clothing_adequate",
            Data::String("是".into()),
        );
    let read: Vec<CensusReturn> = read_ok(&book.bytes()).into_iter().map(|(_, r)| r).collect();
    assert_eq!(read, from_jsonl(&rs));
}

#[test]
fn headers_that_cannot_be_used_refuse_the_workbook_with_their_sheet_and_column() {
    let s = |t: &str| Data::String(t.into());
    // An unknown column.
    let e = errors(&good().set("water", 1, "quality_ok", s("quality")));
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(
        (e[0].0.as_str(), e[0].1, e[0].2.as_str()),
        ("water", 1, "quality")
    );
    // A column of another sheet.
    let e = errors(&good().set("water", 1, "quality_ok", s("wages")));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].4.contains("is not a column of sheet water"),
        "{}",
        e[0].4
    );
    // A required column missing, named in Chinese or English alike.
    let e = errors(&good().set("returns", 1, "end", s("")));
    assert_eq!(
        (e[0].0.as_str(), e[0].2.as_str()),
        ("returns", "end"),
        "{e:?}"
    );
    let chinese = good().set("returns", 1, "end", s("结束时间"));
    assert_eq!(read_ok(&chinese.bytes()).len(), 5);
    // A sheet that is not the template's.
    let mut other = good();
    other.0.push(("notes".into(), vec![vec![s("x")]]));
    let e = errors(&other);
    assert_eq!(
        (e[0].0.as_str(), e[0].2.as_str()),
        ("notes", "sheet"),
        "{e:?}"
    );
    // No sheet returns: not a census workbook.
    let mut none = good();
    none.0.remove(0);
    assert!(matches!(
        read_census("x.xlsx", &none.bytes()),
        Err(FormsError::NoReturnsSheet { .. })
    ));
    assert!(matches!(
        read_census("x.xlsx", b"not a workbook"),
        Err(FormsError::Workbook { .. })
    ));
}
