//! Writing the census workbook: the empty template (headers in English or Chinese, text
//! formats, drop-down lists, the README sheet), and (for examples and tests) returns filled
//! in, through the census CSV layout's rows ([`assess_census::return_rows`]).

use super::{CensusSheet, CENSUS_SHEETS, RETURNS};
use crate::columns::{ListLanguage, README};
use crate::FormsError;
use assess_census::{column_info, CensusReturn, ColumnInfo};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, Format, FormatAlign, Workbook, Worksheet,
};
use std::collections::HashMap;

const LAST_ROW: u32 = 1_048_575;
const HEADER_BLUE: u32 = 0xDDEBF7;

/// The empty census template: the bytes of an XLSX file. `headers` chooses the header row's
/// language (the column names, or their Chinese aliases); the reader takes either.
pub fn census_template(headers: ListLanguage) -> Result<Vec<u8>, FormsError> {
    Ok(book(headers)?.0.save_to_buffer()?)
}

/// A filled census workbook holding `returns`, with headers in `headers`' language; reading it
/// back with [`super::read_census`] gives the same returns. For examples and tests.
pub fn write_census_filled(
    returns: &[CensusReturn],
    headers: ListLanguage,
) -> Result<Vec<u8>, FormsError> {
    let (mut workbook, info) = book(headers)?;
    let index: HashMap<&str, usize> = info.iter().enumerate().map(|(i, c)| (c.name, i)).collect();
    let mut next = [1u32; CENSUS_SHEETS.len()];
    for r in returns {
        let rows = assess_census::return_rows(r);
        let Some(first) = rows.first() else { continue };
        for (k, sheet) in CENSUS_SHEETS.iter().enumerate() {
            let data = &sheet.columns[1..];
            let filled = |row: &[String]| data.iter().any(|c| !row[index[c]].is_empty());
            let lines: Vec<&Vec<String>> = if sheet.one_per_return {
                let wanted = sheet.name == RETURNS.name
                    || filled(first)
                    || (r.household.is_some()
                        && matches!(sheet.name, "household" | "housing" | "water"));
                if wanted {
                    vec![first]
                } else {
                    vec![]
                }
            } else {
                rows.iter().filter(|row| filled(row)).collect()
            };
            let ws = workbook.worksheet_from_name(sheet.name)?;
            for row in lines {
                put_row(ws, sheet, &info, &index, next[k], row)?;
                next[k] += 1;
            }
        }
    }
    Ok(workbook.save_to_buffer()?)
}

fn put_row(
    ws: &mut Worksheet,
    sheet: &CensusSheet,
    info: &[ColumnInfo],
    index: &HashMap<&str, usize>,
    row: u32,
    cells: &[String],
) -> Result<(), FormsError> {
    let text = Format::new().set_num_format("@");
    for (col, name) in sheet.columns.iter().enumerate() {
        let k = index[name];
        let value = &cells[k];
        if value.is_empty() {
            continue;
        }
        match value.parse::<f64>() {
            Ok(x) if info[k].numeric => {
                ws.write_number(row, col as u16, x)?;
            }
            _ => {
                ws.write_string_with_format(row, col as u16, value, &text)?;
            }
        }
    }
    Ok(())
}

/// The workbook with every sheet's header, formats and lists, and the README sheet; and the
/// columns.
fn book(headers: ListLanguage) -> Result<(Workbook, Vec<ColumnInfo>), FormsError> {
    let info = column_info();
    let by_name: HashMap<&str, &ColumnInfo> = info.iter().map(|c| (c.name, c)).collect();
    let mut workbook = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(HEADER_BLUE));
    let text = Format::new().set_num_format("@");
    for sheet in CENSUS_SHEETS {
        let ws = workbook.add_worksheet();
        ws.set_name(sheet.name)?;
        for (i, name) in sheet.columns.iter().enumerate() {
            let c = by_name[name];
            let col = i as u16;
            let shown = match headers {
                ListLanguage::English => c.name,
                ListLanguage::Chinese => c.zh,
            };
            ws.set_column_width(col, (c.name.len().max(2 * c.zh.chars().count()) + 3) as f64)?;
            if !c.numeric {
                ws.set_column_format(col, &text)?;
            }
            ws.write_string_with_format(0, col, shown, &header)?;
            if let Some(values) = c.values {
                let validation = DataValidation::new()
                    .allow_list_strings(values)?
                    .set_error_style(DataValidationErrorStyle::Warning)
                    .set_error_title("Not in the list / 不在列表中")?
                    .set_error_message(format!(
                        "{}: one of {}. 请从下拉列表中选择。",
                        c.name,
                        values.join(", ")
                    ))?;
                ws.add_data_validation(1, col, LAST_ROW, col, &validation)?;
            }
        }
        ws.set_freeze_panes(1, 1)?;
    }
    readme(workbook.add_worksheet(), &by_name)?;
    workbook.worksheet_from_name(RETURNS.name)?.set_active(true);
    Ok((workbook, info))
}

const GENERAL: &[(&str, &str)] = &[
    (
        "Census return template made by `assess census template`: one row per return in sheet returns; every row of the other sheets belongs to a return by its return_id. Row 1 of each sheet holds the column names (in English or Chinese, either is read): keep them and the sheet names.",
        "普查表模板（由 `assess census template` 生成）：returns 表每份普查表一行；其他各表的每一行通过 return_id（普查表编号）对应一份普查表。各表第 1 行为列名（中文或英文均可），请勿修改列名和工作表名称。",
    ),
    (
        "Leave a cell blank when the answer was not recorded. Times are RFC 3339 with their offset, e.g. 2020-07-03T09:30:00+08:00 (an Excel date-time cell is read as Beijing time, +08:00); birth dates as 2009-03-14; yes/no as true or false (or 是, 否); identity numbers as text, 18 characters.",
        "未记录的内容请留空。时间采用 RFC 3339 格式并带时区，如 2020-07-03T09:30:00+08:00（Excel 日期时间单元格按北京时间 +08:00 读取）；出生日期如 2009-03-14；是/否题填 true 或 false（也可填“是”“否”）；身份证号以文本填写，18 位。",
    ),
    (
        "A return is refused, with its sheet, row and column, when a cell is not a value of its column or the return breaks its own rules; the other returns are read (docs/census.md).",
        "单元格取值不符或普查表不符合自身规则时，该份普查表被拒绝，并指出工作表、行和列；其他普查表照常读取（见 docs/census.md）。",
    ),
];

fn readme(ws: &mut Worksheet, by_name: &HashMap<&str, &ColumnInfo>) -> Result<(), FormsError> {
    ws.set_name(README)?;
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(HEADER_BLUE));
    for (c, w) in [16.0, 30.0, 24.0, 10.0, 60.0, 60.0].into_iter().enumerate() {
        ws.set_column_width(c as u16, w)?;
    }
    ws.write_string_with_format(0, 0, "Census return template / 普查表模板", &bold)?;
    let mut row = 1;
    for (en, zh) in GENERAL {
        ws.merge_range(row, 0, row, 3, en, &wrap)?;
        ws.merge_range(row, 4, row, 5, zh, &wrap)?;
        ws.set_row_height(row, 60)?;
        row += 1;
    }
    row += 1;
    for (c, h) in ["sheet", "column", "列名", "required", "values", "说明"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(row, c as u16, *h, &header)?;
    }
    row += 1;
    for sheet in CENSUS_SHEETS {
        ws.write_string_with_format(row, 0, sheet.name, &bold)?;
        ws.write_string_with_format(row, 4, sheet.en, &wrap)?;
        ws.write_string_with_format(row, 5, sheet.zh, &wrap)?;
        row += 1;
        for name in sheet.columns {
            let c = by_name[name];
            let values = match (c.values, c.numeric, c.date) {
                (Some(v), _, _) => v.join(" / "),
                (None, true, _) => "number".to_string(),
                (None, _, true) => "2009-03-14".to_string(),
                _ => "text".to_string(),
            };
            let required = if c.required || *name == "return_id" {
                "yes"
            } else {
                "no"
            };
            ws.write_string(row, 0, sheet.name)?;
            ws.write_string(row, 1, c.name)?;
            ws.write_string(row, 2, c.zh)?;
            ws.write_string(row, 3, required)?;
            ws.write_string_with_format(row, 4, values, &wrap)?;
            row += 1;
        }
    }
    Ok(())
}
