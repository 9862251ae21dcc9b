//! The two layouts give the same returns, GB18030 gives what UTF-8 gives, and every kind of
//! bad row is refused with its file, line, field and reason.

use assess_census::{
    csv_columns, example_return, judge_return, write_jsonl, CensusReturn, CsvReader, CsvWriter,
    JsonLinesReader, MemberRow, ReturnError, ReturnOutcome, ReturnRow,
};
use assess_inspection::{Answer, BirthDate, Outcome};
use assess_register::EncodingChoice;
use assess_standards::{Standards, Tri};

/// Returns that exercise every part of the layout: members with Chinese names and a birth
/// date, a household without members, a dissolved household, approval and identification.
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
    let h = d.household.as_mut().unwrap();
    h.household_id = d.household_id.clone();
    h.members.clear();
    vec![a, b, c, d]
}

fn jsonl_bytes(rs: &[CensusReturn]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in rs {
        write_jsonl(&mut out, r).unwrap();
    }
    out
}

fn csv_bytes(rs: &[CensusReturn]) -> Vec<u8> {
    let mut w = CsvWriter::new(Vec::new()).unwrap();
    for r in rs {
        w.write(r).unwrap();
    }
    w.into_inner().unwrap()
}

fn read_csv(
    bytes: &[u8],
    enc: EncodingChoice,
) -> Vec<Result<assess_census::Numbered, ReturnError>> {
    CsvReader::new("returns.csv", bytes, enc).unwrap().collect()
}

fn ok(items: Vec<Result<assess_census::Numbered, ReturnError>>) -> Vec<CensusReturn> {
    items
        .into_iter()
        .map(|r| r.unwrap().census_return)
        .collect()
}

#[test]
fn json_lines_and_csv_give_the_same_returns() {
    let rs = returns();
    let from_jsonl: Vec<CensusReturn> =
        ok(JsonLinesReader::new("r.jsonl", &jsonl_bytes(&rs)[..]).collect());
    let csv = csv_bytes(&rs);
    let from_csv = ok(read_csv(&csv, EncodingChoice::Auto));
    assert_eq!(from_jsonl, rs);
    assert_eq!(from_csv, rs);
    for (a, b) in from_csv.iter().zip(&rs) {
        assert_eq!(a.content_sha256(), b.content_sha256());
        // The hash is that of the content bytes held whole.
        use sha2::Digest;
        let whole = sha2::Sha256::digest(a.content_bytes());
        assert_eq!(a.content_sha256(), hex::encode(whole));
    }
    // One row per member (3 + 3 + 1 + 1) and the header; each return's first line.
    let text = String::from_utf8(csv.clone()).unwrap();
    assert_eq!(text.lines().count(), 9);
    assert!(text.starts_with(&csv_columns().join(",")));
    let lines: Vec<u64> = read_csv(&csv, EncodingChoice::Auto)
        .into_iter()
        .map(|r| r.unwrap().line)
        .collect();
    assert_eq!(lines, [2, 5, 8, 9]);
}

#[test]
fn gb18030_reads_as_utf8_does() {
    let rs = returns();
    let utf8 = csv_bytes(&rs);
    let (gb, _, unmappable) = encoding_rs::GB18030.encode(std::str::from_utf8(&utf8).unwrap());
    assert!(!unmappable);
    assert_ne!(&gb[..], &utf8[..], "the file has Chinese text");
    let reader = CsvReader::new("gb.csv", &gb[..], EncodingChoice::Auto).unwrap();
    assert_eq!(reader.encoding(), assess_register::TextEncoding::Gb18030);
    assert_eq!(ok(reader.collect()), rs);
    assert_eq!(ok(read_csv(&gb, EncodingChoice::Gb18030)), rs);
    // A byte-order mark is UTF-8.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(&utf8);
    assert_eq!(ok(read_csv(&bom, EncodingChoice::Auto)), rs);
}

#[test]
fn chinese_headers_read_to_the_same_returns_and_hashes() {
    let rs = returns();
    let mut w = CsvWriter::chinese(Vec::new()).unwrap();
    for r in &rs {
        w.write(r).unwrap();
    }
    let chinese = w.into_inner().unwrap();
    let english = csv_bytes(&rs);
    let text = String::from_utf8(chinese.clone()).unwrap();
    let header = text.lines().next().unwrap();
    assert!(
        header.starts_with("普查表编号,户编号,县代码,村代码,"),
        "{header}"
    );
    assert!(header.ends_with(",医疗救助,身份证号"), "{header}");
    assert!(!header.contains("return_id"));
    // The rows are the English file's.
    let rows = |t: &str| t.lines().skip(1).map(str::to_string).collect::<Vec<_>>();
    assert_eq!(rows(&text), rows(std::str::from_utf8(&english).unwrap()));
    let from_chinese = ok(read_csv(&chinese, EncodingChoice::Auto));
    assert_eq!(from_chinese, rs);
    for (a, b) in from_chinese.iter().zip(&rs) {
        assert_eq!(a.content_sha256(), b.content_sha256());
    }
    // In GB18030, with ASCII brackets, mixed with English names and in another order.
    let (gb, _, _) = encoding_rs::GB18030.encode(&text);
    assert_eq!(ok(read_csv(&gb, EncodingChoice::Auto)), rs);
    let mixed = text
        .replacen("人均日用水量（升）", "人均日用水量(升)", 1)
        .replacen("户编号", "household_id", 1);
    assert_eq!(ok(read_csv(mixed.as_bytes(), EncodingChoice::Auto)), rs);
    // A column named twice, once by its alias, is refused.
    let twice = text
        .replacen("县代码", "household_id", 1)
        .replacen("户编号", "household_id", 1);
    let e = first_error(twice.as_bytes());
    assert_eq!(
        (e.line, e.problem.field.as_str()),
        (1, "household_id"),
        "{e}"
    );
    assert!(e.problem.message.contains("appears twice"), "{e}");
    let e = first_error(
        text.replacen("户编号", "household_id", 1)
            .replacen("县代码", "户编号", 1)
            .as_bytes(),
    );
    assert_eq!(e.problem.field, "household_id", "{e}");
}

#[test]
fn judging_keeps_the_inspection_outcome() {
    let s = Standards::builtin();
    let j = judge_return(example_return(), &s).unwrap();
    let f = j.findings().unwrap();
    assert_eq!(f.guarantees, Tri::Met);
    assert_eq!(f.poor, Answer::No);
    // 12,500 yuan for 3 people against the 2019 line.
    assert_eq!(f.income_per_person, Some(12_500.0 / 3.0));
    assert_eq!(f.poverty_line, s.poverty_line(2019).unwrap());
    let mut unsafe_house = example_return();
    unsafe_house.household.as_mut().unwrap().water.outage_days = Some(40);
    let j = judge_return(unsafe_house, &s).unwrap();
    assert_eq!(j.findings().unwrap().water, Tri::Unmet);
    assert_eq!(
        j.judgment.unwrap().outcome,
        Outcome::WronglyExited(Answer::Yes)
    );
    let mut dissolved = example_return();
    dissolved.outcome = ReturnOutcome::Dissolved;
    dissolved.household = None;
    assert!(judge_return(dissolved, &s).unwrap().judgment.is_none());
}

/// The rows the ingest makes by moving a return's texts are the rows copied from it, for
/// every return of the layout's examples (with members, without, dissolved).
#[test]
fn rows_moved_out_of_a_return_are_the_rows_copied_from_it() {
    let s = Standards::builtin();
    for r in returns() {
        let j = judge_return(r, &s).unwrap();
        let (row, members) = (ReturnRow::of(&j), MemberRow::of(&j));
        assert_eq!(j.into_rows(), (row, members));
    }
}

/// The CSV of the returns with one cell replaced: (return index's first row, column, text).
fn csv_with(column: &str, text: &str) -> Vec<u8> {
    let csv = String::from_utf8(csv_bytes(&returns())).unwrap();
    let k = csv_columns().iter().position(|c| *c == column).unwrap();
    let mut lines: Vec<String> = csv.lines().map(str::to_string).collect();
    // Member columns: the first member's row (line 2); the return's columns: the
    // memberless return's only row (line 9).
    let target = if MEMBER_COLUMNS.contains(&column) {
        1
    } else {
        8
    };
    let mut cells: Vec<String> = lines[target].split(',').map(str::to_string).collect();
    cells[k] = text.to_string();
    lines[target] = cells.join(",");
    (lines.join("\n") + "\n").into_bytes()
}

const MEMBER_COLUMNS: &[&str] = &["age", "id_number", "birth_date", "sex"];

fn line_of(column: &str) -> u64 {
    if MEMBER_COLUMNS.contains(&column) {
        2
    } else {
        9
    }
}

fn first_error(bytes: &[u8]) -> ReturnError {
    read_csv(bytes, EncodingChoice::Auto)
        .into_iter()
        .find_map(Result::err)
        .expect("an error")
}

fn judged_error(bytes: &[u8]) -> (u64, String, String) {
    let s = Standards::builtin();
    for item in read_csv(bytes, EncodingChoice::Auto) {
        let n = item.unwrap();
        if let Err(p) = judge_return(n.census_return, &s) {
            return (n.line, p[0].field.clone(), p[0].message.clone());
        }
    }
    panic!("no problem found");
}

#[test]
fn every_bad_cell_is_refused_with_its_line_and_column() {
    for (column, text, says) in [
        ("wages", "12k", "is not a number"),
        ("food_adequate", "maybe", "is not true or false"),
        (
            "status",
            "rich",
            "is not one of exited, poor, non_registered",
        ),
        ("outcome", "gone", "is not one of enumerated"),
        ("income_year", "-1", "is not a whole number"),
        ("age", "-3", "is not a whole number"),
        ("age", "200000000000", "is not a whole number"),
        ("id_number", "530128197903150015", "wrong check character"),
        ("birth_date", "1979-13-01", "is not a date"),
        ("start", "", "is empty"),
        ("gps_lat", "", "is empty but gps_lon is given"),
    ] {
        let e = first_error(&csv_with(column, text));
        assert_eq!(
            (e.line, e.problem.field.as_str()),
            (line_of(column), column),
            "{e}"
        );
        assert!(e.problem.message.contains(says), "{column}: {e}");
        assert_eq!(e.file, "returns.csv");
        assert!(!e.to_string().contains("197903150015"), "masked: {e}");
    }
}

#[test]
fn returns_that_break_their_own_rules_are_refused_with_the_field() {
    for (column, text, field, says) in [
        (
            "village_code",
            "530129105201",
            "village_code",
            "is not a village of county 530128",
        ),
        (
            "county_code",
            "5301",
            "county_code",
            "is not a 6-digit county code",
        ),
        ("end", "2020-07-03 10:05", "end", "is not an RFC 3339 time"),
        ("outage_days", "400", "outage_days", "outage"),
        ("income_year", "1999", "income_year", "has no poverty line"),
        (
            "industrial_support_yuan",
            "-5",
            "industrial_support_yuan",
            "is not an amount",
        ),
        (
            "enumerator_home_county",
            "x",
            "enumerator_home_county",
            "6-digit",
        ),
    ] {
        let (line, f, message) = judged_error(&csv_with(column, text));
        assert_eq!(
            (line, f.as_str()),
            (line_of(column), field),
            "{column}: {message}"
        );
        assert!(message.contains(says), "{column}: {message}");
    }
}

#[test]
fn bad_rows_and_headers_are_refused_with_their_line() {
    let csv = String::from_utf8(csv_bytes(&returns())).unwrap();
    let mut lines: Vec<&str> = csv.lines().collect();
    // A member row whose return columns differ from the return's first row.
    let changed = lines[2].replacen("530128105201,", "530128105202,", 1);
    lines[2] = &changed;
    let e = first_error((lines.join("\n") + "\n").as_bytes());
    assert_eq!(
        (e.line, e.problem.field.as_str()),
        (3, "village_code"),
        "{e}"
    );
    assert!(e
        .problem
        .message
        .contains("differs from the return's first row (line 2)"));
    assert_eq!(e.return_id.as_deref(), Some("530128-0000001"));
    // Too few fields.
    let mut lines: Vec<&str> = csv.lines().collect();
    lines[4] = "530128-0000002,x";
    let e = first_error((lines.join("\n") + "\n").as_bytes());
    assert_eq!((e.line, e.problem.field.as_str()), (5, "row"), "{e}");
    assert!(e
        .problem
        .message
        .contains("has 2 fields but the header has"));
    // Unknown and missing columns.
    let e = first_error(csv.replacen("wages,", "wage,", 1).as_bytes());
    assert_eq!((e.line, e.problem.field.as_str()), (1, "header"));
    assert!(e.problem.message.contains("unknown columns wage"), "{e}");
    let header_without_end = csv.replacen(",end,", ",,", 1);
    let e = first_error(header_without_end.as_bytes());
    assert!(
        e.problem
            .message
            .contains("required columns end are missing"),
        "{e}"
    );
    // Bytes that are neither UTF-8 nor GB18030 in a GB18030 file.
    let mut bytes = encoding_rs::GB18030.encode(&csv).0.into_owned();
    let at = bytes.len() - 40;
    bytes[at] = 0xFF;
    let e = read_csv(&bytes, EncodingChoice::Gb18030)
        .into_iter()
        .find_map(Result::err)
        .unwrap();
    assert_eq!(e.line, 9, "{e}");
    assert!(e.problem.message.contains("not GB18030"), "{e}");
    // In a file read as UTF-8.
    let mut bytes = csv.clone().into_bytes();
    let at = bytes.len() - 40;
    bytes[at] = 0xFF;
    let e = read_csv(&bytes, EncodingChoice::Utf8)
        .into_iter()
        .find_map(Result::err)
        .unwrap();
    assert_eq!(e.line, 9, "{e}");
    assert!(e.problem.message.contains("not UTF-8"), "{e}");
    // A character split by a comma: each cell is not UTF-8, though the row's cells end to
    // end (as a reader holds them, without the commas) would read as "a中b".
    let k = csv_columns()
        .iter()
        .position(|c| *c == "enumerator_id")
        .unwrap();
    let mut lines: Vec<String> = csv.lines().map(str::to_string).collect();
    let mut cells: Vec<String> = lines[8].split(',').map(str::to_string).collect();
    (cells[k], cells[k + 1]) = ("a@1".into(), "@2b".into());
    lines[8] = cells.join(",");
    let text = lines.join("\n") + "\n";
    let (before, after) = text.split_once("@1,@2").unwrap();
    let mut split = before.as_bytes().to_vec();
    split.extend_from_slice(&[0xE4, b',', 0xB8, 0xAD]);
    split.extend_from_slice(after.as_bytes());
    let e = read_csv(&split, EncodingChoice::Utf8)
        .into_iter()
        .find_map(Result::err)
        .unwrap();
    assert_eq!(
        (e.line, e.problem.field.as_str()),
        (9, "enumerator_id"),
        "{e}"
    );
    assert!(e.problem.message.contains("not UTF-8"), "{e}");
    // Reading goes on after a bad return: the others are read.
    let good = read_csv(&bytes, EncodingChoice::Utf8)
        .into_iter()
        .filter(Result::is_ok)
        .count();
    assert_eq!(good, 3);
}

#[test]
fn bad_json_lines_are_refused_with_their_line_and_path() {
    let rs = returns();
    let text = String::from_utf8(jsonl_bytes(&rs)).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[1] = lines[1].replacen("\"age\":40", "\"age\":\"forty\"", 1);
    lines[2] = lines[2].replacen("\"return_id\"", "\"retrun_id\"", 1);
    lines.insert(3, "{not json".to_string());
    lines.insert(0, String::new());
    let bytes = lines.join("\n").into_bytes();
    let items: Vec<_> = JsonLinesReader::new("r.jsonl", &bytes[..]).collect();
    let errors: Vec<(u64, String)> = items
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(|e| (e.line, e.problem.field.clone()))
        .collect();
    assert_eq!(
        errors,
        [
            (3, "household.members[0].age".to_string()),
            (4, "retrun_id".to_string()),
            (5, "json".to_string())
        ],
        "{items:?}"
    );
    assert_eq!(items.iter().filter(|r| r.is_ok()).count(), 2);
    let first_ok = items[0].as_ref().unwrap();
    assert_eq!(first_ok.line, 2);
    let e = items[1].as_ref().unwrap_err();
    assert!(
        e.to_string()
            .starts_with("r.jsonl:3: household.members[0].age: invalid type"),
        "{e}"
    );
}

/// A member row is read for its member cells only when its return columns are the very bytes
/// of the row before it; rows that agree only once trimmed are still one return, and a
/// difference after such a row is still found and named.
#[test]
fn rows_agreeing_up_to_spaces_are_one_return_and_a_later_difference_is_found() {
    let rs = returns();
    let csv = String::from_utf8(csv_bytes(&rs)).unwrap();
    let mut lines: Vec<String> = csv.lines().map(String::from).collect();
    assert!(lines[1..=3]
        .iter()
        .all(|l| l.starts_with("530128-0000001,")));
    lines[2] = lines[2].replacen("530128105201,", " 530128105201 ,", 1);
    let padded = lines.join("\n") + "\n";
    assert_eq!(ok(read_csv(padded.as_bytes(), EncodingChoice::Auto)), rs);
    lines[3] = lines[3].replacen("530128105201,", "530128105202,", 1);
    let e = first_error((lines.join("\n") + "\n").as_bytes());
    assert_eq!(
        (e.line, e.problem.field.as_str()),
        (4, "village_code"),
        "{e}"
    );
    // A difference on the third row after two identical rows, too.
    let mut lines: Vec<String> = csv.lines().map(String::from).collect();
    let changed = lines[3].replacen(",enumerated,", ",dissolved,", 1);
    assert_ne!(changed, lines[3]);
    lines[3] = changed;
    let e = first_error((lines.join("\n") + "\n").as_bytes());
    assert_eq!(e.line, 4, "{e}");
    assert!(
        e.problem
            .message
            .contains("differs from the return's first row (line 2)"),
        "{e}"
    );
}
