//! The files for officials: a county's follow-up list of the missing as CSV (to any writer)
//! and XLSX, and the tables as one workbook (a sheet per level, Chinese and English header
//! rows, number formats, frozen headers, a sheet of definitions). Bytes out; the caller writes
//! them.

use crate::columns::{coverage_columns, unit_columns, Column, Value};
use crate::coverage::MissingHousehold;
use crate::error::TablesError;
use crate::tables::{CoverageRow, Tables, UnitTable};
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
};
use std::io::Write;

/// The follow-up list's columns: CSV header (English), Chinese header, what it holds.
pub const MISSING_COLUMNS: [(&str, &str, &str); 5] = [
    (
        "household_id",
        "户编号",
        "the household's id in the register",
    ),
    ("village_code", "村代码", "its village (12 digits)"),
    ("township_code", "乡镇代码", "its township (9 digits)"),
    (
        "status",
        "户状态",
        "register status: exited (已脱贫) or poor (未脱贫)",
    ),
    ("members", "人口数", "registered members"),
];

/// A worksheet's rows less the two header rows.
pub const XLSX_MAX_ROWS: usize = 1_048_576 - 2;

fn status_zh(status: &str) -> &'static str {
    match status {
        "exited" => "已脱贫",
        "poor" => "未脱贫",
        _ => "",
    }
}

/// Writes a county's follow-up list as CSV (UTF-8, the English header of
/// [`MISSING_COLUMNS`]), one row per missing household; hands the writer back.
pub fn missing_csv<W: Write>(out: W, missing: &[MissingHousehold]) -> Result<W, TablesError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(MISSING_COLUMNS.iter().map(|c| c.0))
        .map_err(TablesError::Csv)?;
    for m in missing {
        w.write_record([
            m.household_id.as_str(),
            &m.village_code,
            &m.township_code,
            m.status,
            &m.members.to_string(),
        ])
        .map_err(TablesError::Csv)?;
    }
    w.into_inner()
        .map_err(|e| TablesError::Csv(csv::Error::from(e.into_error())))
}

/// Writes coverage at every level as one CSV (UTF-8): `level` (national, province, county,
/// township, village), `code`, `name`, then the coverage columns by their keys
/// (`registered`, …, `coverage_rate` as a proportion); the nation, the provinces, the
/// counties, the townships and the villages, each in code order. Hands the writer back.
pub fn coverage_csv<W: Write>(out: W, t: &Tables) -> Result<W, TablesError> {
    let cols = coverage_columns();
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["level", "code", "name"];
    header.extend(cols.iter().map(|c| c.0));
    w.write_record(&header).map_err(TablesError::Csv)?;
    let units = std::iter::once(&t.national)
        .chain(&t.provinces)
        .chain(&t.counties)
        .map(|u| {
            let level = match u.level {
                crate::Level::National => "national",
                crate::Level::Province => "province",
                crate::Level::County => "county",
            };
            (level, u.code.as_str(), u.name.as_str(), &u.coverage)
        });
    let below = [("township", &t.townships), ("village", &t.villages)]
        .into_iter()
        .flat_map(|(level, rows)| {
            rows.iter()
                .map(move |r| (level, r.code.as_str(), "", &r.coverage))
        });
    for (level, code, name, c) in units.chain(below) {
        let mut record = vec![level.to_string(), code.to_string(), name.to_string()];
        record.extend(cols.iter().map(|col| match (col.4)(c) {
            Value::Int(n) => n.to_string(),
            Value::Pct(Some(x)) => x.to_string(),
            _ => String::new(),
        }));
        w.write_record(&record).map_err(TablesError::Csv)?;
    }
    w.into_inner()
        .map_err(|e| TablesError::Csv(csv::Error::from(e.into_error())))
}

struct Formats {
    header: Format,
    code: Format,
    int: Format,
    pct: Format,
    yuan: Format,
    text: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new()
                .set_bold()
                .set_font_color(Color::White)
                .set_background_color(Color::RGB(0x1F4E79))
                .set_border(FormatBorder::Thin)
                .set_border_color(Color::RGB(0xBFC7CF))
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            code: Format::new().set_font_name("Consolas"),
            int: Format::new().set_num_format("#,##0"),
            pct: Format::new().set_num_format("0.00%"),
            yuan: Format::new().set_num_format("#,##0.00"),
            text: Format::new(),
        }
    }
}

fn workbook(title: &str) -> Result<Workbook, TablesError> {
    let mut wb = Workbook::new();
    // The fastest deflate: the national workbook's village sheet made its compression at the
    // default level 6 the largest cost of `census tables` (docs/benchmarks.md), for a file
    // about a fifth smaller.
    wb.set_zip_compression_level(1);
    // A fixed date: the same tables give the same bytes.
    wb.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_creation_datetime(&ExcelDateTime::from_ymd(1980, 1, 1)?),
    );
    Ok(wb)
}

/// Writes the two header rows (Chinese, then English) and freezes them (and `frozen_cols`).
fn headers(
    ws: &mut Worksheet,
    f: &Formats,
    cols: &[(&str, &str)],
    frozen_cols: u16,
) -> Result<(), TablesError> {
    for (c, (zh, en)) in cols.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, *zh, &f.header)?;
        ws.write_string_with_format(1, c, *en, &f.header)?;
        ws.set_column_width(c, 14)?;
    }
    ws.set_freeze_panes(2, frozen_cols)?;
    Ok(())
}

fn write_value(
    ws: &mut Worksheet,
    f: &Formats,
    row: u32,
    col: u16,
    v: &Value,
) -> Result<(), TablesError> {
    match v {
        Value::Text(s) => ws.write_string_with_format(row, col, s, &f.text)?,
        Value::Code(s) => ws.write_string_with_format(row, col, s, &f.code)?,
        Value::Int(n) => ws.write_number_with_format(row, col, *n as f64, &f.int)?,
        Value::Pct(Some(x)) => ws.write_number_with_format(row, col, *x, &f.pct)?,
        Value::Yuan(Some(x)) => ws.write_number_with_format(row, col, *x, &f.yuan)?,
        Value::Pct(None) | Value::Yuan(None) => ws,
    };
    Ok(())
}

fn check_rows(sheet: &str, rows: usize) -> Result<(), TablesError> {
    if rows > XLSX_MAX_ROWS {
        return Err(TablesError::TooManyRows {
            sheet: sheet.to_string(),
            rows,
            max: XLSX_MAX_ROWS,
        });
    }
    Ok(())
}

/// A county's follow-up list as a workbook: sheet "未普查 Missing", a Chinese and an English
/// header row, one row per missing household.
pub fn missing_xlsx(county: &str, missing: &[MissingHousehold]) -> Result<Vec<u8>, TablesError> {
    let sheet = "未普查 Missing";
    check_rows(sheet, missing.len())?;
    let f = Formats::new();
    let mut wb = workbook(&format!("未普查户 Missing households {county}"))?;
    let ws = wb.add_worksheet().set_name(sheet)?;
    let cols: Vec<(&str, &str)> = MISSING_COLUMNS.iter().map(|c| (c.1, c.0)).collect();
    headers(ws, &f, &cols, 1)?;
    ws.set_column_width(0, 22)?;
    for (i, m) in missing.iter().enumerate() {
        let r = i as u32 + 2;
        ws.write_string_with_format(r, 0, &m.household_id, &f.code)?;
        ws.write_string_with_format(r, 1, &m.village_code, &f.code)?;
        ws.write_string_with_format(r, 2, &m.township_code, &f.code)?;
        ws.write_string(r, 3, format!("{} {}", status_zh(m.status), m.status))?;
        ws.write_number_with_format(r, 4, m.members as f64, &f.int)?;
    }
    Ok(wb.save_to_buffer()?)
}

/// The sheet names of the tables workbook, in order.
pub const TABLE_SHEETS: [&str; 6] = [
    "全国 National",
    "省 Provinces",
    "县 Counties",
    "乡镇 Townships",
    "村 Villages",
    "说明 Definitions",
];

/// The quality kinds any table has, sorted.
pub(crate) fn quality_kinds(t: &Tables) -> Vec<String> {
    let mut kinds: Vec<String> = std::iter::once(&t.national)
        .chain(&t.provinces)
        .chain(&t.counties)
        .flat_map(|u| u.quality.keys().cloned())
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

/// The tables as one workbook for officials: a sheet for the nation, the provinces and the
/// counties (one row per unit, every column of the tables), coverage by township and by
/// village, and the definitions of the columns ([`TABLE_SHEETS`]). Every sheet has a Chinese
/// and an English header row, frozen with the code column; counts, percentages and yuan are
/// numbers with number formats.
pub fn tables_xlsx(t: &Tables) -> Result<Vec<u8>, TablesError> {
    check_rows(TABLE_SHEETS[4], t.villages.len())?;
    let f = Formats::new();
    let cols = unit_columns(&quality_kinds(t));
    let mut wb = workbook("脱贫攻坚普查汇总表 Census tables")?;
    let national = std::slice::from_ref(&t.national);
    for (sheet, units) in TABLE_SHEETS[..3]
        .iter()
        .zip([national, &t.provinces, &t.counties])
    {
        let ws = wb.add_worksheet().set_name(*sheet)?;
        unit_sheet(ws, &f, &cols, units)?;
    }
    for (sheet, rows) in TABLE_SHEETS[3..5].iter().zip([&t.townships, &t.villages]) {
        let ws = wb.add_worksheet().set_name(*sheet)?;
        coverage_sheet(ws, &f, rows)?;
    }
    let ws = wb.add_worksheet().set_name(TABLE_SHEETS[5])?;
    let heads = [
        ("列", "column"),
        ("中文", "Chinese"),
        ("英文", "English"),
        ("含义", "meaning"),
    ];
    headers(ws, &f, &heads, 0)?;
    ws.set_column_width(3, 80)?;
    for (i, c) in cols.iter().enumerate() {
        let r = i as u32 + 2;
        ws.write_string_with_format(r, 0, &c.key, &f.code)?;
        ws.write_string(r, 1, &c.zh)?;
        ws.write_string(r, 2, &c.en)?;
        ws.write_string(r, 3, &c.means)?;
    }
    Ok(wb.save_to_buffer()?)
}

fn unit_sheet(
    ws: &mut Worksheet,
    f: &Formats,
    cols: &[Column],
    units: &[UnitTable],
) -> Result<(), TablesError> {
    let heads: Vec<(&str, &str)> = cols
        .iter()
        .map(|c| (c.zh.as_str(), c.en.as_str()))
        .collect();
    headers(ws, f, &heads, 2)?;
    for (i, u) in units.iter().enumerate() {
        let r = i as u32 + 2;
        for (c, col) in cols.iter().enumerate() {
            write_value(ws, f, r, c as u16, &(col.value)(u))?;
        }
    }
    Ok(())
}

fn coverage_sheet(
    ws: &mut Worksheet,
    f: &Formats,
    rows: &[CoverageRow],
) -> Result<(), TablesError> {
    let cols = coverage_columns();
    let mut heads: Vec<(&str, &str)> = vec![("代码", "Code")];
    heads.extend(cols.iter().map(|c| (c.1, c.2)));
    headers(ws, f, &heads, 1)?;
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 2;
        ws.write_string_with_format(r, 0, &row.code, &f.code)?;
        for (c, col) in cols.iter().enumerate() {
            write_value(ws, f, r, c as u16 + 1, &(col.4)(&row.coverage))?;
        }
    }
    Ok(())
}
