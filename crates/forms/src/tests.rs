//! Round trips (records → filled workbook → records) and every bad-cell case, each checked
//! for its sheet, row, column and message.

use crate::{read_filled, template, write_filled, CellProblem, FormsError, ListLanguage, Prefill};
use assess_household::{DisplayColumn, HouseholdDisplay};
use assess_inspection::{
    Approval, Disposition, IdNumber, Identification, IneligibleReason, InterviewMode, Note,
    Opinion, SampleUnit, VisitRecord,
};
use assess_sampling::Role;
use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::collections::HashMap;
use std::io::Cursor;

const DRAW: &str = "8dce24c3983445b09babc41ea8b012c7c9807b025e9f41ba4d27396f8582287f";

/// The two example records of docs/records.md.
pub(crate) fn doc_examples() -> Vec<VisitRecord> {
    let json = format!(
        r#"[
  {{
    "draw_id": "{DRAW}",
    "household_id": "530128001203-0012",
    "disposition": "complete",
    "mode": "in_person",
    "team": "team-1",
    "interviewers": ["Li Wei", "Zhang Min"],
    "start": "2020-06-12T09:30:00+08:00",
    "end": "2020-06-12T10:45:00+08:00",
    "gps_start": {{"lat": 25.5512, "lon": 102.4698}},
    "gps_end": {{"lat": 25.5513, "lon": 102.4697}},
    "household": {{
      "household_id": "530128001203-0012",
      "status": "exited",
      "register_members": 4,
      "members": [
        {{"id": "1", "age": 44, "sex": "male",
         "cover": {{"basic_medical_insurance": true, "serious_illness_insurance": true, "medical_assistance": false}}}},
        {{"id": "2", "age": 41, "sex": "female",
         "cover": {{"basic_medical_insurance": true, "serious_illness_insurance": true, "medical_assistance": false}}}},
        {{"id": "3", "birth_date": {{"year": 2009, "month": 3, "day": 14}}, "sex": "female", "schooling": "in_school",
         "cover": {{"basic_medical_insurance": true, "serious_illness_insurance": true, "medical_assistance": false}}}},
        {{"id": "4", "age": 70, "sex": "male",
         "cover": {{"basic_medical_insurance": true, "serious_illness_insurance": true, "medical_assistance": true}}}}
      ],
      "income_year": 2019,
      "income": {{"wages": 18000.0, "business_net": 3500.0, "property": 0.0, "transfers": 2400.0, "in_kind": 1200.0}},
      "food_adequate": true,
      "clothing_adequate": true,
      "protein_available": true,
      "housing": {{
        "site_dangerous": false,
        "components": {{"load_bearing_walls": "b", "foundation": "a", "roof_truss": "a", "wood_members": "not_present"}},
        "inspector_grade": "B",
        "renovation": "none"
      }},
      "water": {{"litres_per_person_day": 55.0, "water_scarce_area": false, "piped_to_yard": true,
                "outage_days": 4, "quality_ok": true}}
    }}
  }},
  {{
    "draw_id": "{DRAW}",
    "household_id": "530128001203-0042",
    "disposition": "refused",
    "team": "team-1",
    "interviewers": ["Li Wei", "Zhang Min"],
    "start": "2020-06-12T11:05:00+08:00",
    "end": "2020-06-12T11:12:00+08:00",
    "gps_start": {{"lat": 25.5531, "lon": 102.4712}}
  }}
]"#
    );
    serde_json::from_str(&json).unwrap()
}

/// Every part of the record used at least once: identity numbers, approval with a blank and a
/// "don't know", identification, notes, every disposition kind, negative and fractional
/// income, numeric-looking ids.
fn all_fields() -> Vec<VisitRecord> {
    let mut out = doc_examples();
    let mut full = assess_inspection::fixtures::example_visit();
    full.draw_id = DRAW.to_string();
    full.household_id = "530128001203001".to_string(); // looks like a number
    full.mode = Some(InterviewMode::Phone);
    full.disposition = Disposition::Partial;
    full.start = "2020-06-13T08:00:00.5+08:00".to_string();
    full.end = "2020-06-13T09:00:00Z".to_string();
    full.gps_start = None;
    full.gps_end = Some(assess_inspection::Gps {
        lat: -25.123456789012,
        lon: 102.0,
    });
    let h = full.household.as_mut().unwrap();
    h.household_id = full.household_id.clone();
    h.members[0].id_number = Some(IdNumber::parse("11010519491231002X").unwrap());
    h.members[0].id = "Wang Fang 王芳".to_string();
    h.income.business_net = Some(-1250.75);
    h.income.property = None;
    h.income_per_person_stated = Some(5123.4);
    h.register_members = None;
    h.water.fetch_minutes = Some(12.5);
    h.water.horizontal_m = Some(800.0);
    h.water.vertical_m = Some(0.1 + 0.2);
    h.approval = Some(Approval {
        exit: Some(Opinion::Satisfied),
        policies: Some(Opinion::DontKnow),
        help_received: None,
        cadres_work: Some(Opinion::BasicallySatisfied),
    });
    h.identification = Some(Identification {
        owns_vehicle: Some(true),
        vehicle_value_yuan: Some(45000.0),
        urban_flat_or_shop: Some(false),
        registered_company: None,
        public_payroll: Some(false),
        village_cadre: Some(true),
    });
    full.notes = vec![
        Note {
            rule: "short-interview".to_string(),
            text: "the household answered quickly; all sections checked".to_string(),
        },
        Note {
            rule: "gps-far".to_string(),
            text: "visited at the field, 6 km from the village".to_string(),
        },
    ];
    out.push(full);
    let mut asked_nothing = doc_examples()[0].clone();
    asked_nothing.household_id = "H-empty-approval".to_string();
    let h = asked_nothing.household.as_mut().unwrap();
    h.household_id = asked_nothing.household_id.clone();
    h.approval = Some(Approval::default());
    h.identification = Some(Identification::default());
    h.members.clear();
    out.push(asked_nothing);
    let mut ineligible = doc_examples()[1].clone();
    ineligible.household_id = "H-ineligible".to_string();
    ineligible.disposition = Disposition::Ineligible(IneligibleReason::MovedOutOfCounty);
    ineligible.gps_start = None;
    out.push(ineligible);
    let mut relocated = doc_examples()[1].clone();
    relocated.household_id = "H-relocated".to_string();
    relocated.disposition = Disposition::Relocated;
    relocated.notes = vec![Note {
        rule: "r".to_string(),
        text: "followed to the resettlement site".to_string(),
    }];
    out.push(relocated);
    out
}

fn read_ok(bytes: &[u8]) -> Vec<VisitRecord> {
    match read_filled("visits.xlsx", bytes) {
        Ok(v) => v.into_iter().map(|f| f.visit).collect(),
        Err(e) => panic!("{e}"),
    }
}

fn problems(bytes: &[u8]) -> Vec<CellProblem> {
    match read_filled("visits.xlsx", bytes) {
        Err(FormsError::Invalid(p)) => p,
        Err(e) => panic!("not a cell problem: {e}"),
        Ok(v) => panic!("read {} records", v.len()),
    }
}

/// The one problem of a workbook, as (sheet, row, column, message).
fn one_problem(bytes: &[u8]) -> (String, Option<u32>, Option<String>, String) {
    let p = problems(bytes);
    assert_eq!(p.len(), 1, "{p:#?}");
    let p = p.into_iter().next().unwrap();
    (p.sheet, p.row, p.column, p.message)
}

#[test]
fn records_round_trip_through_a_filled_workbook() {
    for records in [doc_examples(), all_fields()] {
        let bytes = write_filled(&records).unwrap();
        assert_eq!(read_ok(&bytes), records);
        // The canonical JSON (what the store hashes) is the same too.
        let json = |r: &[VisitRecord]| serde_json::to_string(r).unwrap();
        assert_eq!(json(&read_ok(&bytes)), json(&records));
    }
    let read = read_filled("v.xlsx", &write_filled(&all_fields()).unwrap()).unwrap();
    let rows: Vec<u32> = read.iter().map(|f| f.row).collect();
    assert_eq!(rows, [2, 3, 4, 5, 6, 7]);
}

/// A workbook as a grid per sheet, to edit cells and write it again.
#[derive(Clone, Debug, PartialEq)]
enum X {
    S(&'static str),
    N(f64),
    B(bool),
    /// An Excel date-time cell.
    T(&'static str),
    Blank,
}

struct Book {
    sheets: Vec<(String, Vec<Vec<Data>>)>,
    edits: Vec<(String, u32, u32, X)>,
}

impl Book {
    fn of(bytes: &[u8]) -> Book {
        let mut xlsx: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let sheets = xlsx
            .sheet_names()
            .into_iter()
            .map(|name| {
                let range = xlsx.worksheet_range(&name).unwrap();
                let rows = range.rows().map(|r| r.to_vec()).collect();
                (name, rows)
            })
            .collect();
        Book {
            sheets,
            edits: Vec::new(),
        }
    }

    fn filled(records: &[VisitRecord]) -> Book {
        Book::of(&write_filled(records).unwrap())
    }

    fn col(&self, sheet: &str, column: &str) -> u32 {
        let (_, rows) = self.sheets.iter().find(|(n, _)| n == sheet).unwrap();
        rows[0]
            .iter()
            .position(|d| *d == Data::String(column.to_string()))
            .unwrap_or_else(|| panic!("{sheet}.{column}")) as u32
    }

    /// Sets the cell of `column` in Excel row `row` (1-based).
    fn set(mut self, sheet: &str, row: u32, column: &str, value: X) -> Book {
        let c = self.col(sheet, column);
        self.edits.push((sheet.to_string(), row - 1, c, value));
        self
    }

    /// Sets a cell by position (0-based column), e.g. a header.
    fn set_at(mut self, sheet: &str, row: u32, col: u32, value: X) -> Book {
        self.edits.push((sheet.to_string(), row - 1, col, value));
        self
    }

    fn without_sheet(mut self, sheet: &str) -> Book {
        self.sheets.retain(|(n, _)| n != sheet);
        self
    }

    fn with_sheet(mut self, sheet: &str, rows: Vec<Vec<Data>>) -> Book {
        self.sheets.push((sheet.to_string(), rows));
        self
    }

    fn bytes(&self) -> Vec<u8> {
        let mut wb = Workbook::new();
        let date = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        for (name, rows) in &self.sheets {
            let ws = wb.add_worksheet();
            ws.set_name(name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, d) in row.iter().enumerate() {
                    let (r, c) = (r as u32, c as u16);
                    match d {
                        Data::String(s) => {
                            ws.write_string(r, c, s).unwrap();
                        }
                        Data::Float(x) => {
                            ws.write_number(r, c, *x).unwrap();
                        }
                        Data::Int(i) => {
                            ws.write_number(r, c, *i as f64).unwrap();
                        }
                        Data::Bool(b) => {
                            ws.write_boolean(r, c, *b).unwrap();
                        }
                        Data::Empty => {}
                        other => panic!("{other:?}"),
                    }
                }
            }
            for (sheet, r, c, x) in &self.edits {
                if sheet != name {
                    continue;
                }
                let (r, c) = (*r, *c as u16);
                match x {
                    X::S(s) => {
                        ws.write_string(r, c, *s).unwrap();
                    }
                    X::N(n) => {
                        ws.write_number(r, c, *n).unwrap();
                    }
                    X::B(b) => {
                        ws.write_boolean(r, c, *b).unwrap();
                    }
                    X::T(t) => {
                        let dt = ExcelDateTime::parse_from_str(t).unwrap();
                        ws.write_datetime_with_format(r, c, &dt, &date).unwrap();
                    }
                    X::Blank => {
                        ws.write_blank(r, c, &Format::new()).unwrap();
                        ws.write_string(r, c, "").unwrap();
                    }
                }
            }
        }
        wb.save_to_buffer().unwrap()
    }
}

#[test]
fn numbers_dates_and_booleans_are_read_where_text_is_expected() {
    let records = doc_examples();
    let book = Book::filled(&records)
        // An age written as 44.0, a member id as the number 2, true as a boolean cell, an
        // income as text, a birth date as an Excel date, times as Excel date-times.
        .set("members", 2, "age", X::N(44.0))
        .set("members", 3, "member_id", X::N(2.0))
        .set("members", 2, "basic_medical_insurance", X::B(true))
        .set("members", 3, "serious_illness_insurance", X::S("TRUE"))
        .set("household", 2, "wages", X::S(" 18000 "))
        .set("members", 4, "birth_date", X::T("2009-03-14"))
        .set("visits", 2, "start", X::T("2020-06-12 09:30:00"))
        .set("visits", 2, "end", X::T("2020-06-12 10:45:00"))
        .set("visits", 2, "mode", X::S("In_Person"))
        .set("housing", 2, "inspector_grade", X::S("b"));
    assert_eq!(read_ok(&book.bytes()), records);
    // A numeric household id stays text, without ".0".
    let mut numeric = doc_examples();
    numeric[1].household_id = "530128001203".to_string();
    let book = Book::filled(&numeric).set("visits", 3, "household_id", X::N(530128001203.0));
    assert_eq!(read_ok(&book.bytes()), numeric);
}

#[test]
fn each_bad_cell_names_its_sheet_row_and_column() {
    let records = doc_examples();
    let cases: Vec<(Book, &str, u32, &str, &str)> = vec![
        (
            Book::filled(&records).set("members", 3, "age", X::S("forty")),
            "members",
            3,
            "age",
            "\"forty\" is not a number",
        ),
        (
            Book::filled(&records).set("members", 3, "age", X::N(41.5)),
            "members",
            3,
            "age",
            "41.5 is not a whole number",
        ),
        (
            Book::filled(&records).set("members", 3, "age", X::N(-1.0)),
            "members",
            3,
            "age",
            "is negative",
        ),
        (
            Book::filled(&records).set("visits", 3, "start", X::S("12/06/2020")),
            "visits",
            3,
            "start",
            "\"12/06/2020\" is not an RFC 3339 date-time; write e.g. 2020-06-12T09:30:00+08:00",
        ),
        (
            Book::filled(&records).set("visits", 2, "end", X::S("2020-06-12T08:45:00+08:00")),
            "visits",
            2,
            "end",
            "2020-06-12T08:45:00+08:00 is before the start 2020-06-12T09:30:00+08:00",
        ),
        (
            Book::filled(&records).set("visits", 3, "disposition", X::S("refusal")),
            "visits",
            3,
            "disposition",
            "\"refusal\" is not one of complete, partial, refused, non_contact, ineligible, relocated, eligibility_unknown (in Chinese 完成, 部分完成, 拒访, 未能接触, 不属调查对象, 易地扶贫搬迁, 无法确定); pick a value from the list",
        ),
        (
            Book::filled(&records).set("visits", 3, "disposition", X::S("ineligible")),
            "visits",
            3,
            "ineligible_reason",
            "is empty; an ineligible household needs the reason",
        ),
        (
            Book::filled(&records).set("visits", 3, "ineligible_reason", X::S("duplicate")),
            "visits",
            3,
            "ineligible_reason",
            "is given for a refused visit",
        ),
        (
            Book::filled(&records).set("visits", 2, "team", X::T("2020-01-02")),
            "visits",
            2,
            "team",
            "Excel turned this value into the date 2020-01-02; format the cell as text",
        ),
        (
            Book::filled(&records).set("visits", 2, "interviewer_2", X::S("Li Wei")),
            "visits",
            2,
            "interviewer_2",
            "names \"Li Wei\" twice",
        ),
        (
            Book::filled(&records).set("visits", 2, "interviewer_1", X::Blank),
            "visits",
            2,
            "interviewer_1",
            "is empty; name both interviewers",
        ),
        (
            Book::filled(&records).set("visits", 3, "gps_start_lon", X::Blank),
            "visits",
            3,
            "gps_start_lon",
            "is empty while gps_start_lat is given; give both or neither",
        ),
        (
            Book::filled(&records).set("visits", 3, "gps_start_lat", X::N(125.0)),
            "visits",
            3,
            "gps_start_lat",
            "125 is not a latitude",
        ),
        (
            Book::filled(&records).set("members", 5, "household_id", X::S("530128001203-9999")),
            "members",
            5,
            "household_id",
            "household 530128001203-9999 is not in sheet visits; every row here must belong to a household listed there",
        ),
        (
            Book::filled(&records).set("water", 2, "household_id", X::S("530128001203-0042")),
            "water",
            2,
            "household_id",
            "household 530128001203-0042 has no row in sheet household",
        ),
        (
            Book::filled(&records)
                .set("household", 3, "household_id", X::S("530128001203-0042"))
                .set("household", 3, "status", X::S("poor"))
                .set("household", 3, "income_year", X::N(2019.0)),
            "household",
            3,
            "household_id",
            "the visit's disposition is refused, and a non-interview has no household record",
        ),
        (
            Book::filled(&records).set("members", 2, "sex", X::S("m")),
            "members",
            2,
            "sex",
            "\"m\" is not one of male, female",
        ),
        (
            Book::filled(&records).set("members", 2, "medical_assistance", X::S("yes")),
            "members",
            2,
            "medical_assistance",
            "\"yes\" is not true or false",
        ),
        (
            Book::filled(&records).set("members", 2, "birth_date", X::S("2009-02-30")),
            "members",
            2,
            "birth_date",
            "2009-02-30 is not a valid date",
        ),
        (
            Book::filled(&records).set("members", 2, "id_number", X::N(110105194912310020.0)),
            "members",
            2,
            "id_number",
            "is stored as a number, and Excel keeps only 15 digits",
        ),
        (
            Book::filled(&records).set("members", 2, "id_number", X::S("110105194912310021")),
            "members",
            2,
            "id_number",
            "identity number 110***********0021 has a wrong check character",
        ),
        (
            Book::filled(&records).set("household", 2, "income_year", X::Blank),
            "household",
            2,
            "income_year",
            "is empty; write the year the income refers to",
        ),
        (
            Book::filled(&records).set("water", 2, "outage_days", X::N(400.0)),
            "water",
            2,
            "outage_days",
            "400 is too large (at most 366)",
        ),
        (
            Book::filled(&records).set("housing", 2, "wood_members", X::S("e")),
            "housing",
            2,
            "wood_members",
            "\"e\" is not one of a, b, c, d, not_present",
        ),
        (
            Book::filled(&records).set("visits", 1, "team", X::S("teem")),
            "visits",
            1,
            "teem",
            "is not a column of sheet visits",
        ),
        (
            Book::filled(&records).set_at("members", 7, 20, X::S("stray")),
            "members",
            7,
            "U",
            "holds a value but the column has no name in row 1",
        ),
        (
            Book::filled(&records).set("visits", 3, "household_id", X::S("530128001203-0012")),
            "visits",
            3,
            "household_id",
            "appears again (first at row 2); give one row per household",
        ),
        (
            Book::filled(&records)
                .set("notes", 2, "household_id", X::S("530128001203-0042"))
                .set("notes", 2, "text", X::S("asked twice")),
            "notes",
            2,
            "rule",
            "is empty; name the rule the note answers",
        ),
    ];
    for (book, sheet, row, column, message) in cases {
        // The problem itself, first, and no cascade into other rows or sheets (a renamed
        // header may also leave a required column missing).
        let p = problems(&book.bytes());
        let first = &p[0];
        assert_eq!(
            (first.sheet.as_str(), first.row, first.column.as_deref()),
            (sheet, Some(row), Some(column)),
            "{p:#?}"
        );
        assert!(
            first.message.contains(message),
            "{sheet} {row} {column}: {}",
            first.message
        );
        assert!(
            p.len() == 1 || (row == 1 && p.len() == 2 && p[1].row == Some(1)),
            "{p:#?}"
        );
    }
}

#[test]
fn every_problem_is_listed_and_displayed_with_its_place() {
    let book = Book::filled(&doc_examples())
        .set("visits", 2, "mode", X::S("walk"))
        .set("members", 3, "age", X::S("?"))
        .set("members", 4, "household_id", X::S("nobody"))
        .set("visits", 3, "end", X::S("soon"));
    let p = problems(&book.bytes());
    let text: Vec<String> = p.iter().map(|p| p.to_string()).collect();
    assert_eq!(p.len(), 4, "{text:#?}");
    assert!(text[0].starts_with(
        "visits.xlsx, sheet visits, row 2, household 530128001203-0012, column mode: \"walk\" is not one of in_person, phone, proxy"
    ), "{text:#?}");
    assert!(text[1]
        .starts_with("visits.xlsx, sheet visits, row 3, household 530128001203-0042, column end:"));
    assert!(text[2].starts_with(
        "visits.xlsx, sheet members, row 3, household 530128001203-0012, column age:"
    ));
    assert!(text[3]
        .starts_with("visits.xlsx, sheet members, row 4, household nobody, column household_id:"));
    let err = read_filled("visits.xlsx", &book.bytes())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(
            "4 problems found; nothing was imported\n  visits.xlsx, sheet visits, row 2"
        ),
        "{err}"
    );
}

#[test]
fn a_complete_visit_without_its_household_row_is_refused() {
    let book = Book::filled(&doc_examples())
        .without_sheet("household")
        .without_sheet("members")
        .without_sheet("housing")
        .without_sheet("water");
    let (s, r, c, m) = one_problem(&book.bytes());
    assert_eq!(
        (s.as_str(), r, c.as_deref()),
        ("visits", Some(2), Some("disposition"))
    );
    assert!(m.contains("a complete interview needs the household record: add a row for household 530128001203-0012 in sheet household"), "{m}");
}

#[test]
fn damaged_files_and_foreign_workbooks_are_clear_errors() {
    let good = write_filled(&doc_examples()).unwrap();
    let truncated = &good[..good.len() / 2];
    let random: Vec<u8> = (0..4000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    for bytes in [truncated, &random[..], b"", b"PK\x03\x04 not really"] {
        match read_filled("field/visits.xlsx", bytes) {
            Err(e @ FormsError::Workbook { .. }) => {
                let t = e.to_string();
                assert!(
                    t.starts_with("field/visits.xlsx: not a readable XLSX workbook ("),
                    "{t}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
    let no_visits = Book::of(&good).without_sheet("visits").bytes();
    let err = read_filled("other.xlsx", &no_visits).unwrap_err();
    assert!(matches!(err, FormsError::NoVisitsSheet { .. }));
    assert!(
        err.to_string().starts_with(
            "other.xlsx: the workbook has no sheet `visits` (its sheets: household, members"
        ),
        "{err}"
    );
    // A sheet that is not the template's, holding data, is refused (its rows would be lost).
    let extra = Book::of(&good)
        .with_sheet("Sheet1", vec![vec![Data::String("x".into())]])
        .with_sheet("Sheet2", vec![])
        .bytes();
    let (s, r, _, m) = one_problem(&extra);
    assert_eq!((s.as_str(), r), ("Sheet1", None));
    assert!(m.starts_with("is not a sheet of the template"), "{m}");
}

fn units() -> Vec<SampleUnit> {
    let unit = |id: &str, role, rank| SampleUnit {
        household_id: id.to_string(),
        county: "530128".to_string(),
        village: "530128001203".to_string(),
        stratum: "exited".to_string(),
        role,
        reserve_rank: rank,
    };
    vec![
        unit("530128001203-0012", Role::Primary, None),
        unit("530128001203-0042", Role::Primary, None),
        unit("530128001203-0077", Role::Reserve, Some(1)),
    ]
}

#[test]
fn the_template_has_every_sheet_and_column_and_lists_the_draw() {
    let units = units();
    let bytes = template(
        Some(Prefill {
            draw_id: DRAW,
            households: &units,
            display: &HashMap::new(),
        }),
        ListLanguage::English,
    )
    .unwrap();
    let book = Book::of(&bytes);
    let names: Vec<&str> = book.sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, crate::sheet_names());
    for (name, rows) in &book.sheets[..8] {
        let header: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
        assert_eq!(header, crate::column_names(name).unwrap(), "{name}");
    }
    let visits = &book.sheets[0].1;
    assert_eq!(visits.len(), 4);
    assert_eq!(visits[1][0], Data::String(DRAW.to_string()));
    assert_eq!(visits[3][1], Data::String("530128001203-0077".to_string()));
    assert_eq!(visits[3][2], Data::String("reserve".to_string()));
    assert_eq!(visits[3][3], Data::String("1".to_string()));
    // The README explains every column, in English and Chinese.
    let readme = &book.sheets[8].1;
    let text: String = readme
        .iter()
        .flatten()
        .map(|d| d.to_string() + "\n")
        .collect();
    for sheet in &names[..8] {
        for c in crate::column_names(sheet).unwrap() {
            assert!(
                readme.iter().any(|r| r.len() > 5
                    && r[0] == Data::String(sheet.to_string())
                    && r[1] == Data::String(c.to_string())),
                "{sheet}.{c}"
            );
        }
    }
    assert!(text.contains("走访结果") && text.contains("Unprotect"));
    // Unfilled, the workbook holds no visit; with two rows filled, those two are read and
    // the unused reserve's row is skipped.
    let (s, r, _, m) = one_problem(&bytes);
    assert_eq!((s.as_str(), r), ("visits", None));
    assert!(m.starts_with("holds no visit"), "{m}");
    let filled = Book::filled(&doc_examples());
    let mut book = Book::of(&bytes);
    for (name, rows) in &filled.sheets {
        let target = book.sheets.iter_mut().find(|(n, _)| n == name).unwrap();
        if name == "visits" {
            let disposition = crate::column_names("visits")
                .unwrap()
                .iter()
                .position(|c| *c == "disposition")
                .unwrap();
            for (r, row) in rows.iter().enumerate().skip(1) {
                for (c, d) in row.iter().enumerate().skip(disposition) {
                    target.1[r][c] = d.clone();
                }
            }
        } else if name != "README" {
            target.1 = rows.clone();
        }
    }
    assert_eq!(read_ok(&book.bytes()), doc_examples());
    // A members row for the unused reserve names the blank row.
    let book = book.set("members", 3, "household_id", X::S("530128001203-0077"));
    let (_, _, _, m) = one_problem(&book.bytes());
    assert!(
        m.contains("its row 4 in sheet visits has no disposition"),
        "{m}"
    );
    // The empty template is readable too, and holds no visit.
    assert!(
        matches!(read_filled("t.xlsx", &template(None, ListLanguage::English).unwrap()), Err(FormsError::Invalid(p)) if p.len() == 1)
    );
}

#[test]
fn the_template_shows_the_registers_display_values_locked_beside_the_draws_columns() {
    let units = units();
    let display = HashMap::from([
        (
            "530128001203-0012".to_string(),
            HouseholdDisplay::default()
                .with(DisplayColumn::HeadName, "张三")
                .with(DisplayColumn::Group, "一组")
                .with(DisplayColumn::Address, "撒营盘村12号")
                .with(DisplayColumn::Phone, "13800000001"),
        ),
        (
            "530128001203-0077".to_string(),
            HouseholdDisplay::default().with(DisplayColumn::Group, "三组"),
        ),
    ]);
    let bytes = template(
        Some(Prefill {
            draw_id: DRAW,
            households: &units,
            display: &display,
        }),
        ListLanguage::English,
    )
    .unwrap();
    let book = Book::of(&bytes);
    let cell = |row: usize, column: &str| {
        let c = book.col("visits", column) as usize;
        book.sheets[0].1[row].get(c).cloned().unwrap_or(Data::Empty)
    };
    assert_eq!(cell(1, "head_name"), Data::String("张三".into()));
    assert_eq!(cell(1, "group"), Data::String("一组".into()));
    assert_eq!(cell(1, "address"), Data::String("撒营盘村12号".into()));
    // A phone number stays text (the column is formatted as text).
    assert_eq!(cell(1, "phone"), Data::String("13800000001".into()));
    assert_eq!(cell(2, "head_name"), Data::Empty);
    assert_eq!(cell(3, "group"), Data::String("三组".into()));
    // Filled in, the display columns are information: the records read are the same as
    // from the template without them, and the unfilled rows are households not visited.
    let visits = Book::filled(&doc_examples());
    let mut book = Book::of(&bytes);
    let columns = crate::column_names("visits").unwrap();
    let disposition = columns.iter().position(|c| *c == "disposition").unwrap();
    for (name, rows) in &visits.sheets {
        let target = book.sheets.iter_mut().find(|(n, _)| n == name).unwrap();
        if name == "visits" {
            for (r, row) in rows.iter().enumerate().skip(1) {
                target.1[r].resize(row.len(), Data::Empty);
                for (c, d) in row.iter().enumerate().skip(disposition) {
                    target.1[r][c] = d.clone();
                }
            }
        } else if name != "README" {
            target.1 = rows.clone();
        }
    }
    assert_eq!(read_ok(&book.bytes()), doc_examples());
    // The display columns are locked with the draw's.
    let sheet = sheet_xml(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<sheetProtection"), "the sheet is protected");
}

/// The XML of one part of a workbook.
fn sheet_xml(bytes: &[u8], part: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(part).unwrap(), &mut text).unwrap();
    text
}

#[test]
fn display_columns_without_values_are_hidden() {
    let bytes = template(None, ListLanguage::English).unwrap();
    let sheet = sheet_xml(&bytes, "xl/worksheets/sheet1.xml");
    let columns = crate::column_names("visits").unwrap();
    let hidden = hidden_columns(&sheet);
    for (n, name) in columns.iter().enumerate() {
        let display = ["head_name", "group", "address", "phone"].contains(name);
        assert_eq!(hidden.contains(&(n + 1)), display, "{name}: {sheet}");
    }
    // A register with groups only: the group shows, the other three stay hidden.
    let units = units();
    let display = HashMap::from([(
        "530128001203-0042".to_string(),
        HouseholdDisplay::default().with(DisplayColumn::Group, "二组"),
    )]);
    let prefill = Prefill {
        draw_id: DRAW,
        households: &units,
        display: &display,
    };
    let bytes = template(Some(prefill), ListLanguage::English).unwrap();
    let hidden = hidden_columns(&sheet_xml(&bytes, "xl/worksheets/sheet1.xml"));
    for (n, name) in columns.iter().enumerate() {
        let display = ["head_name", "address", "phone"].contains(name);
        assert_eq!(hidden.contains(&(n + 1)), display, "{name}");
    }
}

/// The 1-based numbers of the hidden columns of a sheet's XML (`<col min max hidden="1">`).
fn hidden_columns(sheet: &str) -> Vec<usize> {
    let attribute = |col: &str, name: &str| -> Option<usize> {
        let start = col.find(&format!(" {name}=\""))? + name.len() + 3;
        col[start..].split('"').next()?.parse().ok()
    };
    sheet
        .split("<col ")
        .skip(1)
        .map(|c| format!(" {}", c.split('>').next().unwrap_or("")))
        .filter(|c| c.contains(r#"hidden="1""#))
        .flat_map(|c| attribute(&c, "min").unwrap()..=attribute(&c, "max").unwrap())
        .collect()
}

/// Every cell of a choice or yes/no column of `book` replaced by its Chinese label.
fn in_chinese(book: &Book) -> Book {
    let mut out = Book {
        sheets: book.sheets.clone(),
        edits: Vec::new(),
    };
    for (name, rows) in &mut out.sheets {
        let Some(def) = crate::columns::SHEETS.iter().find(|d| d.name == name) else {
            continue;
        };
        let header: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
        for row in rows.iter_mut().skip(1) {
            for (c, cell) in row.iter_mut().enumerate() {
                let Some(list) = def.column(&header[c]).and_then(|k| k.kind.list()) else {
                    continue;
                };
                let text = match cell {
                    Data::String(s) => s.clone(),
                    Data::Bool(b) => b.to_string(),
                    _ => continue,
                };
                let label = list.iter().find(|l| l.value == text).unwrap();
                *cell = Data::String(label.zh.to_string());
            }
        }
    }
    out
}

#[test]
fn chinese_labels_store_exactly_what_the_json_stores() {
    // Every enumerated field filled, with values from every list.
    let mut records = doc_examples();
    let mut refused = records[1].clone();
    refused.household_id = "530128001203-0077".into();
    refused.disposition = Disposition::Ineligible(IneligibleReason::MovedOutOfCounty);
    records.push(refused);
    let h = records[0].household.as_mut().unwrap();
    h.approval = Some(Approval {
        exit: Some(Opinion::Satisfied),
        policies: Some(Opinion::BasicallySatisfied),
        help_received: Some(Opinion::Dissatisfied),
        cadres_work: Some(Opinion::DontKnow),
    });
    let english = Book::filled(&records);
    let chinese = in_chinese(&english);
    assert_ne!(chinese.sheets, english.sheets);
    let text: String = chinese.sheets[0].1[1]
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert!(text.contains("完成") && text.contains("入户面访"), "{text}");
    let members: Vec<String> = chinese.sheets[2].1[1]
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert!(members.contains(&"男".to_string()) && members.contains(&"是".to_string()));
    let read = read_ok(&chinese.bytes());
    assert_eq!(read, records);
    for (a, b) in read.iter().zip(&records) {
        assert_eq!(a.content_sha256(), b.content_sha256());
    }
}

#[test]
fn a_chinese_template_lists_the_chinese_labels_and_reads_both() {
    let bytes = template(None, ListLanguage::Chinese).unwrap();
    let visits = sheet_xml(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        visits
            .contains("&quot;完成,部分完成,拒访,未能接触,不属调查对象,易地扶贫搬迁,无法确定&quot;")
            || visits
                .contains("\"完成,部分完成,拒访,未能接触,不属调查对象,易地扶贫搬迁,无法确定\""),
        "{visits}"
    );
    let members = sheet_xml(&bytes, "xl/worksheets/sheet3.xml");
    assert!(
        members.contains("男,女") && members.contains("是,否"),
        "{members}"
    );
    let english = sheet_xml(
        &template(None, ListLanguage::English).unwrap(),
        "xl/worksheets/sheet3.xml",
    );
    assert!(english.contains("male,female") && !english.contains("男,女"));
    // A label not in a list is refused with both lists.
    let book = Book::filled(&doc_examples()).set("members", 2, "sex", X::S("男性"));
    let (_, _, column, m) = one_problem(&book.bytes());
    assert_eq!(column.as_deref(), Some("sex"));
    assert_eq!(
        m,
        "\"男性\" is not one of male, female (in Chinese 男, 女); pick a value from the list"
    );
}
