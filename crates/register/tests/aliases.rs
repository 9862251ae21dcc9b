//! Issue 13.1: the display columns (head's name, villager group, address, phone) and the
//! Chinese headers and status labels of registers exported by Chinese offices. Known answers:
//! a Chinese copy reads exactly as its English copy; display columns never touch the
//! identity fingerprint.

use assess_household::{DisplayColumn, Household, Status};
use assess_register::{scan_frame, EncodingChoice, FrameReport, ReadOptions, RegisterError};
use std::path::{Path, PathBuf};

const ENGLISH: &str = "\
household_id,village_code,status,exit_year,members,income_per_capita,lon,lat,head_name,group,address,phone
H001,530128102201,exited,2018,4,1234.50,102.5,25.5,张三,一组,撒营盘村12号,13800000001
H002,530128102202,poor,,3,,,,李四,二组,,
H003,530128001001,non_registered,,2,800,,,王五,,屏山街道5号,0871-1234567
";

/// The same register as a county office exports it: Chinese headers in another order,
/// Chinese status words.
const CHINESE: &str = "\
户编号,户主姓名,村代码,村民小组,脱贫状态,脱贫年度,家庭人口数,人均纯收入,经度,纬度,门牌号,联系电话
H001,张三,530128102201,一组,已脱贫,2018,4,1234.50,102.5,25.5,撒营盘村12号,13800000001
H002,李四,530128102202,二组,未脱贫,,3,,,,,
H003,王五,530128001001,,非建档立卡,,2,800,,,屏山街道5号,0871-1234567
";

/// The English register without its display columns.
const BARE: &str = "\
household_id,village_code,status,exit_year,members,income_per_capita,lon,lat
H001,530128102201,exited,2018,4,1234.50,102.5,25.5
H002,530128102202,poor,,3,,,
H003,530128001001,non_registered,,2,800,,
";

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn scan(path: &Path, opts: &ReadOptions) -> Result<(FrameReport, Vec<Household>), RegisterError> {
    let mut seen = Vec::new();
    let report = scan_frame(path, opts, |h| seen.push(h.clone()))?;
    Ok((report, seen))
}

fn refused(path: &Path) -> String {
    match scan_frame(path, &ReadOptions::default(), |_| {}) {
        Err(e @ RegisterError::Invalid { .. }) => e.to_string(),
        other => panic!("expected a refused file, got {other:?}"),
    }
}

#[test]
fn display_columns_never_enter_the_identity_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let (with, seen) = scan(
        &write(dir.path(), "with.csv", ENGLISH),
        &ReadOptions::default(),
    )
    .unwrap();
    let (bare, bare_seen) = scan(
        &write(dir.path(), "bare.csv", BARE),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(with.fingerprint, bare.fingerprint);
    assert_eq!(bare.display_fingerprint, None);
    assert!(bare.display_columns.is_empty());
    assert_eq!(with.display_columns, DisplayColumn::ALL);
    // python3: hashlib.sha256(b'assess-display-v1\n' + b''.join('\x1f'.join(r).encode() +
    //   b'\n' for r in [["H001","张三","一组","撒营盘村12号","13800000001"],
    //   ["H002","李四","二组","",""], ["H003","王五","","屏山街道5号","0871-1234567"]])).hexdigest()
    assert_eq!(
        with.display_fingerprint.as_deref(),
        Some("b0f5c49cf6f1666a59441cd0060b59c27489348d77f54464dee81836eefb72ce")
    );
    let h = &seen[0];
    assert_eq!(h.display.get(DisplayColumn::HeadName), Some("张三"));
    assert_eq!(h.display.group(), Some("一组"));
    assert_eq!(h.display.get(DisplayColumn::Address), Some("撒营盘村12号"));
    assert_eq!(h.display.get(DisplayColumn::Phone), Some("13800000001"));
    assert_eq!(seen[1].display.get(DisplayColumn::Phone), None);
    // Everything but the display values is the bare register's.
    for (a, b) in seen.iter().zip(&bare_seen) {
        assert!(b.display.is_empty());
        let a = Household {
            display: Default::default(),
            ..a.clone()
        };
        assert_eq!(&a, b);
    }
    // A changed phone changes the display fingerprint only.
    let edited = ENGLISH.replace("13800000001", "13800000002");
    let (changed, _) = scan(
        &write(dir.path(), "edited.csv", edited),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(changed.fingerprint, with.fingerprint);
    assert_ne!(changed.display_fingerprint, with.display_fingerprint);
}

#[test]
fn a_chinese_register_reads_as_its_english_copy_in_utf8_gb18030_and_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let (english, english_seen) = scan(
        &write(dir.path(), "english.csv", ENGLISH),
        &ReadOptions::default(),
    )
    .unwrap();
    let (utf8, utf8_seen) = scan(
        &write(dir.path(), "chinese.csv", CHINESE),
        &ReadOptions::default(),
    )
    .unwrap();
    let gb_bytes = encoding_rs::GB18030.encode(CHINESE).0;
    let gb_path = write(dir.path(), "chinese-gb.csv", gb_bytes);
    let (gb, gb_seen) = scan(&gb_path, &ReadOptions::default()).unwrap();
    let forced = ReadOptions {
        encoding: EncodingChoice::Gb18030,
        ..ReadOptions::default()
    };
    let (gb_forced, _) = scan(&gb_path, &forced).unwrap();
    let xlsx = write_xlsx(dir.path(), "chinese.xlsx", CHINESE);
    let (book, book_seen) = scan(&xlsx, &ReadOptions::default()).unwrap();
    for (report, seen) in [
        (&utf8, &utf8_seen),
        (&gb, &gb_seen),
        (&gb_forced, &gb_seen),
        (&book, &book_seen),
    ] {
        assert_eq!(report.fingerprint, english.fingerprint, "{:?}", report.path);
        assert_eq!(report.display_fingerprint, english.display_fingerprint);
        // 地址 is not in the Chinese copy, 门牌号 is: both give the address.
        assert_eq!(report.display_columns, DisplayColumn::ALL);
        assert_eq!(seen, &english_seen);
    }
    assert_eq!(utf8_seen[2].status, Status::NonRegistered);
}

/// The rows of a CSV text as an XLSX sheet of text cells (numbers as numbers, as an office's
/// export has them).
fn write_xlsx(dir: &Path, name: &str, text: &str) -> PathBuf {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, line) in text.lines().enumerate() {
        for (c, field) in line.split(',').enumerate() {
            let (r, c) = (r as u32, c as u16);
            match field.parse::<f64>() {
                Ok(x) if r > 0 && !field.contains('-') => sheet.write_number(r, c, x).unwrap(),
                _ => sheet.write_string(r, c, field).unwrap(),
            };
        }
    }
    let path = dir.join(name);
    book.save(&path).unwrap();
    path
}

#[test]
fn aliases_match_after_trimming() {
    let dir = tempfile::tempdir().unwrap();
    // Spaces around an alias (an ideographic space too) are trimmed like any header name's.
    let text = CHINESE.replacen("户编号", " 户编号\u{3000}", 1);
    let (report, _) = scan(&write(dir.path(), "r.csv", text), &ReadOptions::default()).unwrap();
    let (english, _) = scan(
        &write(dir.path(), "e.csv", ENGLISH),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(report.fingerprint, english.fingerprint);
}

#[test]
fn two_columns_giving_one_field_are_refused_with_both_names() {
    let dir = tempfile::tempdir().unwrap();
    let text = "户编号,村代码,脱贫状态,脱贫年度,家庭人口数,地址,门牌号\n\
                H1,530128102201,已脱贫,2018,4,撒营盘村,12号\n";
    let message = refused(&write(dir.path(), "two.csv", text));
    assert!(
        message.contains(
            "two.csv: line 1, column address: the columns \"地址\" (field 6) and \"门牌号\" \
             (field 7) both give address; keep one of them, or rename the other"
        ),
        "{message}"
    );
    let text = "household_id,village_code,status,exit_year,members,户编号\n\
                H1,530128102201,exited,2018,4,0001\n";
    let message = refused(&write(dir.path(), "id.csv", text));
    assert!(
        message.contains(
            "id.csv: line 1, column household_id: the columns \"household_id\" (field 1) and \
             \"户编号\" (field 6) both give household_id"
        ),
        "{message}"
    );
    // One name twice is still "named twice".
    let text = "household_id,village_code,status,exit_year,members,members\n\
                H1,530128102201,exited,2018,4,4\n";
    let message = refused(&write(dir.path(), "twice.csv", text));
    assert!(
        message.contains("column members: the column is named twice (fields 5 and 6)"),
        "{message}"
    );
}

#[test]
fn errors_name_a_column_by_the_header_it_has() {
    let dir = tempfile::tempdir().unwrap();
    let text = "户编号,村代码,脱贫状态,脱贫年度,家庭人口数\n\
                H1,530128102201,已脱贫,2018,0\n\
                H2,530128102201,脱贫,,2\n\
                H1,530128102299,未脱贫,,2\n";
    let message = refused(&write(dir.path(), "zh.csv", text));
    for expected in [
        "zh.csv: line 2, column 家庭人口数 (members): members \"0\" is below 1",
        "zh.csv: line 3, column 脱贫状态 (status): status \"脱贫\" is not one of exited, poor, \
         non_registered; use one of these three words (or their Chinese labels 已脱贫, 未脱贫, \
         非建档立卡)",
        "zh.csv: line 4, column 户编号 (household_id): household_id \"H1\" appears again",
        "zh.csv: line 4, column 村代码 (village_code): village code 530128102299 is not in",
    ] {
        assert!(message.contains(expected), "{expected}\n{message}");
    }
    // A missing required column is named by its English name, with its Chinese names.
    let text = "户编号,村代码,脱贫状态\nH1,530128102201,已脱贫\n";
    let message = refused(&write(dir.path(), "missing.csv", text));
    assert!(
        message.contains(
            "missing.csv: line 1: missing required column(s) exit_year, members; the header \
             must name household_id, village_code, status, exit_year, members (any order, extra \
             columns allowed); exit_year may also be named 脱贫年度 or 脱贫年份, members \
             家庭人口数 or 人口数"
        ),
        "{message}"
    );
}
