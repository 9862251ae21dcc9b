//! Library tests with known answers: fingerprints across encodings and formats, vintage
//! detection, summary counts, and every kind of bad input.

use assess_divisions::Vintage;
use assess_household::{DisplayColumn, Household, Status};
use assess_register::{
    read_villages, scan_frame, EncodingChoice, FileFormat, Problem, ReadOptions, RegisterError,
    RowError, TextEncoding,
};
use std::path::{Path, PathBuf};

const HEADER: &str =
    "household_id,village_code,status,exit_year,members,income_per_capita,lon,lat,group";
/// Real Luquan (530128) codes: three village committees of 撒营盘镇 and a residents'
/// committee of 屏山街道, all in the 2023 list.
const SMALL: &[&str] = &[
    "H001,530128102201,exited,2018,4,1234.50,102.5,25.5,一组",
    "H002,530128102202,poor,,3,,,,",
    "H003,530128001001,non_registered,,2,800,,,",
];

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn csv(header: &str, rows: &[&str]) -> String {
    let mut text = format!("{header}\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    text
}

fn scan(path: &Path) -> Result<(assess_register::FrameReport, Vec<Household>), RegisterError> {
    scan_with(path, &ReadOptions::default())
}

fn scan_with(
    path: &Path,
    opts: &ReadOptions,
) -> Result<(assess_register::FrameReport, Vec<Household>), RegisterError> {
    let mut seen = Vec::new();
    let report = scan_frame(path, opts, |h| seen.push(h.clone()))?;
    Ok((report, seen))
}

/// The errors of a refused file.
fn errors_of(path: &Path, opts: &ReadOptions) -> (Vec<RowError>, usize, String) {
    match scan_frame(path, opts, |_| {}) {
        Err(e @ RegisterError::Invalid { .. }) => {
            let text = e.to_string();
            let RegisterError::Invalid { errors, total, .. } = e else {
                unreachable!()
            };
            (errors, total, text)
        }
        other => panic!("expected an invalid file, got {other:?}"),
    }
}

/// Writes a register with one bad row (line 3) and returns its single error.
fn one_error(row: &str) -> (RowError, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "bad.csv", csv(HEADER, &[SMALL[1], row]));
    let (errors, total, text) = errors_of(&path, &ReadOptions::default());
    assert_eq!(total, 1, "{text}");
    assert!(text.contains("bad.csv: line 3"), "{text}");
    (errors.into_iter().next().unwrap(), text)
}

#[test]
fn small_register_fingerprint_is_the_known_value() {
    // python3: rows = [[H001,530128102201,exited,2018,4,1234.5,102.5,25.5,""],
    //   [H002,530128102202,poor,,3,,,,], [H003,530128001001,non_registered,,2,800,,,]]
    // hashlib.sha256(b'assess-frame-v1\n' + b''.join('\x1f'.join(r).encode() + b'\n'
    //   for r in rows)).hexdigest()
    // The group 一组 is a display column: it enters the display fingerprint, over
    // [[H001,"",一组,"",""], [H002,"","","",""], [H003,"","","",""]] after
    // b'assess-display-v1\n'.
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "small.csv", csv(HEADER, SMALL));
    let (report, seen) = scan(&path).unwrap();
    assert_eq!(
        report.fingerprint,
        "bb3117b58d18843fe634ed2b8da8f8152b1df5ffd4f4e8a0dd54010ba9311c8c"
    );
    assert_eq!(
        report.display_fingerprint.as_deref(),
        Some("ce8e9955a6a6a73feaf855ea7519ebf32571282039e137a2f5da71983dad438b")
    );
    assert_eq!(report.display_columns, [DisplayColumn::Group]);
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].income_per_capita, Some(1234.5));
    assert_eq!(seen[0].display.group(), Some("一组"));
    assert_eq!(seen[1].display.group(), None);
    assert_eq!(report.encoding, Some(TextEncoding::Utf8));
    assert_eq!(report.format, FileFormat::Csv);
}

#[test]
fn summary_counts_by_county_township_stratum_and_kind() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        SMALL[0],
        SMALL[1],
        SMALL[2],
        "H004,530128102201,exited,2019,5,,,,",
    ];
    let path = write(dir.path(), "sum.csv", csv(HEADER, &rows));
    let (report, _) = scan(&path).unwrap();
    assert_eq!((report.households, report.people), (4, 14));
    assert_eq!(report.counties.len(), 1);
    let county = &report.counties[0];
    assert_eq!(county.code, "530128");
    assert_eq!(county.name.as_deref(), Some("禄劝彝族苗族自治县"));
    assert_eq!((county.households, county.people), (4, 14));
    assert_eq!((county.rural_households, county.urban_households), (3, 1));
    let towns: Vec<_> = report
        .townships
        .iter()
        .map(|t| (t.code.as_str(), t.households, t.people))
        .collect();
    assert_eq!(towns, [("530128001", 1, 2), ("530128102", 3, 12)]);
    assert_eq!(report.townships[1].name.as_deref(), Some("撒营盘镇"));
    let strata: Vec<_> = report
        .strata
        .iter()
        .map(|s| (s.status, s.households, s.people))
        .collect();
    assert_eq!(
        strata,
        [
            (Status::Exited, 2, 9),
            (Status::Poor, 1, 3),
            (Status::NonRegistered, 1, 2)
        ]
    );
    assert_eq!(report.vintage, Vintage::V2023);
    assert!(report.vintage_detected);
}

/// The small register with columns permuted and an extra column, as text rows.
fn permuted_rows() -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        "note".to_string(),
        "members".into(),
        "group".into(),
        "status".into(),
        "village_code".into(),
        "lat".into(),
        "lon".into(),
        "exit_year".into(),
        "income_per_capita".into(),
        "household_id".into(),
    ]];
    for r in SMALL {
        let f: Vec<&str> = r.split(',').collect();
        let order = [4, 8, 2, 1, 7, 6, 3, 5, 0];
        let mut row = vec!["备注".to_string()];
        row.extend(order.iter().map(|&i| f[i].to_string()));
        rows.push(row);
    }
    rows
}

fn write_xlsx(path: &Path, rows: &[Vec<String>]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            // Numbers go in as numbers, the way spreadsheets store codes and counts.
            match cell.parse::<f64>() {
                Ok(n) => sheet.write_number(r, c, n).map(|_| ()),
                Err(_) if cell.is_empty() => Ok(()),
                Err(_) => sheet.write_string(r, c, cell).map(|_| ()),
            }
            .unwrap();
        }
    }
    book.save(path).unwrap();
}

#[test]
fn fingerprint_is_the_same_across_encodings_formats_and_column_orders() {
    let dir = tempfile::tempdir().unwrap();
    let plain = write(dir.path(), "plain.csv", csv(HEADER, SMALL));
    let rows = permuted_rows();
    let lines: Vec<String> = rows.iter().map(|r| r.join(",")).collect();
    let bom = format!("\u{feff}{}\r\n", lines.join("\r\n"));
    let bom = write(dir.path(), "bom.csv", bom);
    let gb_text = format!("{}\n", lines.join("\n"));
    let gb = write(
        dir.path(),
        "gb.csv",
        encoding_rs::GB18030.encode(&gb_text).0,
    );
    let xlsx = dir.path().join("book.xlsx");
    write_xlsx(&xlsx, &rows);

    let expected = scan(&plain).unwrap().0.fingerprint;
    let bom = scan(&bom).unwrap().0;
    assert_eq!(bom.encoding, Some(TextEncoding::Utf8Bom));
    let gb = scan(&gb).unwrap().0;
    assert_eq!(gb.encoding, Some(TextEncoding::Gb18030));
    let book = scan(&xlsx).unwrap().0;
    assert_eq!(book.format, FileFormat::Xlsx);
    for report in [&bom, &gb, &book] {
        assert_eq!(report.fingerprint, expected, "{}", report.path.display());
        assert_eq!(report.households, 3);
    }

    let changed = csv(
        HEADER,
        &[SMALL[0], "H002,530128102202,poor,,4,,,,", SMALL[2]],
    );
    let changed = write(dir.path(), "changed.csv", changed);
    assert_ne!(scan(&changed).unwrap().0.fingerprint, expected);
}

#[test]
fn scanning_twice_gives_identical_results() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "twice.csv", csv(HEADER, SMALL));
    let first = scan(&path).unwrap();
    let second = scan(&path).unwrap();
    assert_eq!(first.0, second.0);
    assert_eq!(first.1, second.1);
}

#[test]
fn a_register_in_memory_reads_as_the_same_file_would() {
    // The simulation reads the synthetic registers it makes without writing them: the same
    // reader, on bytes. Every encoding and format, households, errors and village files alike.
    let dir = tempfile::tempdir().unwrap();
    let rows = permuted_rows();
    let lines: Vec<String> = rows.iter().map(|r| r.join(",")).collect();
    let gb = encoding_rs::GB18030
        .encode(&format!("{}\n", lines.join("\n")))
        .0
        .into_owned();
    let xlsx = dir.path().join("book.xlsx");
    write_xlsx(&xlsx, &rows);
    let bad = csv(HEADER, &[SMALL[0], "H002,530128102202,poor,2017,x,,,,"]);
    for (name, bytes) in [
        ("plain.csv", csv(HEADER, SMALL).into_bytes()),
        ("gb.csv", gb),
        ("book.xlsx", std::fs::read(&xlsx).unwrap()),
        ("bad.csv", bad.into_bytes()),
    ] {
        let path = write(dir.path(), name, &bytes);
        let mut from_file = Vec::new();
        let file = scan_frame(&path, &ReadOptions::default(), |h| {
            from_file.push(h.clone())
        });
        let mut in_memory = Vec::new();
        let memory =
            assess_register::scan_frame_in_memory(&path, bytes, &ReadOptions::default(), |h| {
                in_memory.push(h.clone())
            });
        match (file, memory) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{name}"),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{name}"),
            (a, b) => panic!("{name}: {a:?} from the file, {b:?} in memory"),
        }
        assert_eq!(from_file, in_memory, "{name}");
    }
    let villages = "village_code,name,poverty_village,remote,lon,lat\n\
                    530128102201,一村,true,false,102.5,25.5\n";
    let path = write(dir.path(), "villages.csv", villages);
    let opts = ReadOptions::default();
    let file = read_villages(&path, &opts).unwrap();
    let memory =
        assess_register::read_villages_in_memory(&path, villages.as_bytes().to_vec(), &opts)
            .unwrap();
    assert_eq!(file, memory);
}

#[test]
fn forced_gb18030_and_forced_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let text = csv(HEADER, SMALL);
    let gb = write(dir.path(), "gb.csv", encoding_rs::GB18030.encode(&text).0);
    let opts = ReadOptions {
        encoding: EncodingChoice::Gb18030,
        ..ReadOptions::default()
    };
    let (report, seen) = scan_with(&gb, &opts).unwrap();
    assert_eq!(report.encoding, Some(TextEncoding::Gb18030));
    assert!(!report.encoding_detected);
    assert_eq!(seen[0].display.group(), Some("一组"));
    // The same GB18030 bytes forced to UTF-8: the group field of line 2 is refused.
    let opts = ReadOptions {
        encoding: EncodingChoice::Utf8,
        ..ReadOptions::default()
    };
    let (errors, total, text) = errors_of(&gb, &opts);
    assert_eq!(total, 1, "{text}");
    assert_eq!(
        (errors[0].line, errors[0].column.as_deref()),
        (2, Some("group"))
    );
    assert!(matches!(
        errors[0].problem,
        Problem::Undecodable {
            encoding: "UTF-8",
            ..
        }
    ));
    assert!(
        text.contains("gb.csv: line 2, column group: the bytes are not valid UTF-8"),
        "{text}"
    );
}

#[test]
fn a_code_only_in_the_2016_list_detects_2016() {
    // 530128001003 is in the 2016 list and in neither 2021 nor 2023.
    let dir = tempfile::tempdir().unwrap();
    let rows = [SMALL[0], "H009,530128001003,poor,,2,,,,"];
    let path = write(dir.path(), "old.csv", csv(HEADER, &rows));
    let (report, _) = scan(&path).unwrap();
    assert_eq!(report.vintage, Vintage::V2016);
    assert!(report.vintage_detected);

    let opts = ReadOptions {
        vintage: Some(Vintage::V2023),
        ..ReadOptions::default()
    };
    let (errors, total, text) = errors_of(&path, &opts);
    assert_eq!(total, 1, "{text}");
    assert_eq!(
        (errors[0].line, errors[0].column.as_deref()),
        (3, Some("village_code"))
    );
    assert_eq!(
        errors[0].problem,
        Problem::UnknownCode {
            code: "530128001003".into(),
            vintage: Vintage::V2023,
            rows: 1
        }
    );
    assert!(
        text.contains("not in the 2023 division-code list"),
        "{text}"
    );
}

#[test]
fn when_no_list_knows_all_codes_the_best_is_used_and_unknown_codes_reported_once() {
    // 530128001011 is in the 2023 list but not the 2016 one; 530128001003 only in 2016;
    // 530128999201 in none. 2023 and 2016 each miss two codes: the tie goes to the newer.
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        "Z,530128001011,poor,,2,,,,",
        "A,530128999201,poor,,2,,,,",
        "B,530128999201,poor,,2,,,,",
        "C,530128001003,poor,,2,,,,",
    ];
    let path = write(dir.path(), "mixed.csv", csv(HEADER, &rows));
    let (errors, total, text) = errors_of(&path, &ReadOptions::default());
    assert_eq!(total, 2, "{text}");
    assert_eq!(
        errors[0].problem,
        Problem::UnknownCode {
            code: "530128999201".into(),
            vintage: Vintage::V2023,
            rows: 2
        }
    );
    assert_eq!(errors[0].line, 3);
    assert_eq!(errors[1].line, 5);
    assert!(text.contains("(used by 2 row(s))"), "{text}");
}

#[test]
fn every_bad_field_names_line_column_and_reason() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "H9,53012810220,poor,,3,,,,",
            "village_code",
            "is not a village code",
        ),
        ("H9,5301281022AB,poor,,3,,,,", "village_code", "12-digit"),
        (
            "H9,530128102201,rich,,3,,,,",
            "status",
            "not one of exited, poor, non_registered",
        ),
        (
            "H9,530128102201,exited,,3,,,,",
            "exit_year",
            "exit_year is empty",
        ),
        (
            "H9,530128102201,poor,2018,3,,,,",
            "exit_year",
            "leave exit_year empty",
        ),
        (
            "H9,530128102201,exited,2010,3,,,,",
            "exit_year",
            "not a year from 2014 to 2030",
        ),
        (
            "H9,530128102201,exited,soon,3,,,,",
            "exit_year",
            "not a year",
        ),
        ("H9,530128102201,poor,,,,,,", "members", "members is empty"),
        ("H9,530128102201,poor,,0,,,,", "members", "below 1"),
        ("H9,530128102201,poor,,-2,,,,", "members", "below 1"),
        (
            "H9,530128102201,poor,,2.5,,,,",
            "members",
            "not a whole number",
        ),
        (
            "H9,530128102201,poor,,3,abc,,,",
            "income_per_capita",
            "not a number",
        ),
        (
            "H9,530128102201,poor,,3,-5,,,",
            "income_per_capita",
            "negative",
        ),
        ("H9,530128102201,poor,,3,,east,,", "lon", "not a number"),
        (
            "H9,530128102201,poor,,3,,190,,",
            "lon",
            "outside -180 to 180",
        ),
        ("H9,530128102201,poor,,3,,,95,", "lat", "outside -90 to 90"),
        (
            ",530128102201,poor,,3,,,,",
            "household_id",
            "household_id is empty",
        ),
        ("H9,,poor,,3,,,,", "village_code", "village_code is empty"),
    ];
    for (row, column, reason) in cases {
        let (error, text) = one_error(row);
        assert_eq!(error.line, 3, "{row}");
        assert_eq!(error.column.as_deref(), Some(*column), "{row}: {text}");
        assert!(
            text.contains(&format!("line 3, column {column}: ")),
            "{row}: {text}"
        );
        assert!(text.contains(reason), "{row}: {text}");
    }
}

#[test]
fn wrong_field_count_is_an_error() {
    let (error, text) = one_error("H9,530128102201,poor,,3");
    assert_eq!(
        error.problem,
        Problem::FieldCount {
            found: 5,
            expected: 9
        }
    );
    assert!(text.contains("has 5 fields but the header has 9"), "{text}");
}

#[test]
fn duplicate_ids_name_the_first_line() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        SMALL[0],
        SMALL[1],
        SMALL[2],
        "H002,530128102203,poor,,1,,,,",
    ];
    let path = write(dir.path(), "dup.csv", csv(HEADER, &rows));
    let mut called = 0;
    let result = scan_frame(&path, &ReadOptions::default(), |_| called += 1);
    let err = result.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("dup.csv: line 5, column household_id: household_id \"H002\" appears again (first at line 3)"), "{text}");
    assert!(
        called > 0,
        "each saw rows before the duplicate was known; the caller discards them"
    );
}

#[test]
fn ids_equal_after_trimming_and_nfc_are_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        "caf\u{e9},530128102201,poor,,3,,,,",
        " cafe\u{301} ,530128102202,poor,,3,,,,",
    ];
    let path = write(dir.path(), "nfc.csv", csv(HEADER, &rows));
    let (errors, total, _) = errors_of(&path, &ReadOptions::default());
    assert_eq!(total, 1);
    assert!(matches!(
        &errors[0].problem,
        Problem::DuplicateId { first_line: 2, .. }
    ));
}

#[test]
fn missing_columns_are_listed_with_the_required_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "cols.csv",
        "household_id,village_code,status\nH1,530128102201,poor\n",
    );
    let (errors, total, text) = errors_of(&path, &ReadOptions::default());
    assert_eq!(total, 1);
    assert_eq!(errors[0].line, 1);
    assert!(
        text.contains("cols.csv: line 1: missing required column(s) exit_year, members; the header must name household_id, village_code, status, exit_year, members"),
        "{text}"
    );
}

#[test]
fn error_list_is_capped_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<String> = (0..7)
        .map(|i| format!("X{i},530128102201,poor,,0,,,,"))
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let path = write(dir.path(), "many.csv", csv(HEADER, &rows));
    let opts = ReadOptions {
        max_errors: 3,
        ..ReadOptions::default()
    };
    let (errors, total, text) = errors_of(&path, &opts);
    assert_eq!((errors.len(), total), (3, 7));
    assert!(text.ends_with("... and 4 more errors"), "{text}");
}

#[test]
fn empty_files_and_header_only_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.csv", "");
    assert!(errors_of(&empty, &ReadOptions::default())
        .2
        .contains("the file is empty"));
    let header = write(dir.path(), "header.csv", format!("{HEADER}\n"));
    assert!(errors_of(&header, &ReadOptions::default())
        .2
        .contains("no rows"));
}

#[test]
fn io_errors_name_the_file() {
    let err = scan_frame(
        Path::new("/nonexistent/reg.csv"),
        &ReadOptions::default(),
        |_| {},
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("/nonexistent/reg.csv: cannot read the file"),
        "{err}"
    );
}

#[test]
fn xlsx_errors_name_the_sheet_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = permuted_rows();
    rows[2][1] = "0".into(); // members of H002
    let path = dir.path().join("bad.xlsx");
    write_xlsx(&path, &rows);
    let (errors, _, text) = errors_of(&path, &ReadOptions::default());
    assert_eq!(
        (errors[0].line, errors[0].column.as_deref()),
        (3, Some("members"))
    );
    assert!(
        text.contains("bad.xlsx: sheet \"Sheet1\" row 3, column members"),
        "{text}"
    );
}

#[test]
fn village_file_reads_flags_and_has_a_stable_sha256() {
    let dir = tempfile::tempdir().unwrap();
    let text = "name,village_code,remote,poverty_village,extra\n尚德村,530128102201,YES,1,x\n,530128102202,no,False,\n";
    let path = write(dir.path(), "villages.csv", text);
    let file = read_villages(&path, &ReadOptions::default()).unwrap();
    assert_eq!(file.villages.len(), 2);
    assert_eq!(file.villages[0].remote, Some(true));
    assert_eq!(file.villages[1].poverty_village, Some(false));
    // python3: hashlib.sha256(b'assess-villages-v1\n' + '\x1f'.join(['530128102201','尚德村',
    //   'true','true','','']).encode() + b'\n' + '\x1f'.join(['530128102202','','false',
    //   'false','','']).encode() + b'\n').hexdigest()
    assert_eq!(file.sha256, VILLAGES_SHA);
    let bad = write(
        dir.path(),
        "bad.csv",
        "village_code,remote\n530128102201,maybe\n530128102201,\n",
    );
    let err = read_villages(&bad, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("bad.csv: line 2, column remote: \"maybe\" is not true/false"),
        "{err}"
    );
    assert!(err.contains("bad.csv: line 3, column village_code: village_code 530128102201 appears again (first at line 2)"), "{err}");
}

const VILLAGES_SHA: &str = "569e2bf2905e288f8ca4407b19a20325e3ccab4805c5c907b074ee1b207b648d";

mod no_panic {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let dir = tempfile::tempdir().unwrap();
            let path = write(dir.path(), "random.csv", &bytes);
            let _ = scan_frame(&path, &ReadOptions::default(), |_| {});
            let _ = read_villages(&path, &ReadOptions::default());
        }

        #[test]
        fn random_rows_never_panic(rows in proptest::collection::vec(
            proptest::collection::vec("[ -~\u{4e00}-\u{4e10}\"]{0,14}", 0..11), 0..6)) {
            let dir = tempfile::tempdir().unwrap();
            let mut text = format!("{HEADER}\n");
            for r in &rows {
                text.push_str(&r.join(","));
                text.push('\n');
            }
            let path = write(dir.path(), "rows.csv", text);
            let _ = scan_frame(&path, &ReadOptions::default(), |_| {});
            let junk = write(dir.path(), "rows.xlsx", bytes_of(&rows));
            let _ = scan_frame(&junk, &ReadOptions::default(), |_| {});
        }
    }

    fn bytes_of(rows: &[Vec<String>]) -> Vec<u8> {
        rows.iter().flatten().flat_map(|s| s.bytes()).collect()
    }
}
