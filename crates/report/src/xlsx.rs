//! `verdict.xlsx`: the tables for officials, one sheet each (Summary, Indicators, Drivers,
//! Households, Villages, Domains, Response, Identification), with formatted headers and
//! percentages stored as numbers with a percentage format (so a spreadsheet can compute with
//! them).

use crate::tables::{self, Cell, Table};
use crate::text::{self, Lang};
use crate::{Report, ReportError};
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
};

/// The sheet names: English in both languages, so scripts can find them.
pub(crate) const SHEETS: [&str; 8] = [
    "Summary",
    "Indicators",
    "Drivers",
    "Households",
    "Villages",
    "Domains",
    "Response",
    "Identification",
];

struct Formats {
    title: Format,
    heading: Format,
    header: Format,
    text: Format,
    code: Format,
    int: Format,
    pct: Format,
    num: [Format; 6],
    pass: Format,
    fail: Format,
    note: Format,
}

impl Formats {
    fn new() -> Formats {
        let body = Format::new().set_align(FormatAlign::Top);
        Formats {
            title: Format::new().set_bold().set_font_size(15),
            heading: Format::new()
                .set_bold()
                .set_font_size(12)
                .set_font_color(Color::RGB(0x1F4E79)),
            header: Format::new()
                .set_bold()
                .set_font_color(Color::White)
                .set_background_color(Color::RGB(0x1F4E79))
                .set_border(FormatBorder::Thin)
                .set_border_color(Color::RGB(0xBFC7CF))
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            text: body.clone().set_text_wrap(),
            code: body.clone().set_font_name("Consolas"),
            int: body.clone().set_num_format("#,##0"),
            pct: body.clone().set_num_format("0.00%"),
            num: std::array::from_fn(|d| {
                let f = if d == 0 {
                    "#,##0".to_string()
                } else {
                    format!("0.{}", "0".repeat(d))
                };
                body.clone().set_num_format(f)
            }),
            pass: body.clone().set_bold().set_font_color(Color::RGB(0x1E7B34)),
            fail: body.set_bold().set_font_color(Color::RGB(0xB3261E)),
            note: Format::new()
                .set_italic()
                .set_font_color(Color::RGB(0x5F6B73)),
        }
    }
}

/// Display width of text in spreadsheet characters (CJK counts double).
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 })
        .sum()
}

/// Writes a table from `row`, returning the next free row and widening `widths`.
fn write_table(
    ws: &mut Worksheet,
    f: &Formats,
    row: u32,
    t: &Table,
    widths: &mut Vec<usize>,
) -> Result<u32, ReportError> {
    if widths.len() < t.headers.len() {
        widths.resize(t.headers.len(), 8);
    }
    for (c, h) in t.headers.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, h, &f.header)?;
        widths[c] = widths[c].max(width(h).min(24));
    }
    let mut r = row + 1;
    for cells in &t.rows {
        for (c, cell) in cells.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(s) => ws.write_string_with_format(r, col, s, &f.text)?,
                Cell::Code(s) => ws.write_string_with_format(r, col, s, &f.code)?,
                Cell::Int(n) => ws.write_number_with_format(r, col, *n as f64, &f.int)?,
                Cell::Num(x, d) => ws.write_number_with_format(r, col, *x, &f.num[(*d).min(5)])?,
                Cell::Pct(x) => ws.write_number_with_format(r, col, *x, &f.pct)?,
                Cell::Pass(ok, s) => {
                    ws.write_string_with_format(r, col, s, if *ok { &f.pass } else { &f.fail })?
                }
                Cell::Empty => ws,
            };
            let shown = match cell {
                Cell::Pct(_) | Cell::Num(..) | Cell::Int(_) => cell.text().len() + 2,
                other => width(&other.text()),
            };
            widths[c] = widths[c].max(shown.min(60));
        }
        r += 1;
    }
    Ok(r + 1)
}

fn set_widths(ws: &mut Worksheet, widths: &[usize]) -> Result<(), ReportError> {
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w as f64 + 2.0).min(62.0))?;
    }
    Ok(())
}

/// A sheet holding one table from the top, with the header row frozen and a filter.
fn data_sheet(
    wb: &mut Workbook,
    f: &Formats,
    name: &str,
    t: &Table,
    after: &[String],
) -> Result<(), ReportError> {
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    let mut widths = Vec::new();
    let next = write_table(ws, f, 0, t, &mut widths)?;
    ws.set_freeze_panes(1, 0)?;
    if !t.rows.is_empty() {
        ws.autofilter(0, 0, t.rows.len() as u32, (t.headers.len() - 1) as u16)?;
    }
    for (i, line) in after.iter().enumerate() {
        ws.write_string_with_format(next + i as u32, 0, line, &f.note)?;
    }
    set_widths(ws, &widths)
}

pub(crate) fn render(r: &Report, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let w = lang.words();
    let file = r.file;
    let v = &file.verdict;
    let f = Formats::new();
    let mut wb = Workbook::new();
    // A fixed creation time: the workbook's bytes depend on the verdict only.
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("{} — {} {}", w.title, v.county_code, v.county_name))
            .set_author("assess")
            .set_creation_datetime(&ExcelDateTime::from_ymd(1980, 1, 1)?),
    );

    // Summary: the decision, counts, appeals, reasons, provenance and settings.
    {
        let ws = wb.add_worksheet();
        ws.set_name(SHEETS[0])?;
        let mut widths = vec![30, 40];
        ws.write_string_with_format(
            0,
            0,
            format!("{} — {} {}", w.title, v.county_code, v.county_name),
            &f.title,
        )?;
        let mut row = 2;
        row = write_table(ws, &f, row, &tables::summary(r, lang), &mut widths)?;
        ws.write_string_with_format(row, 0, w.reasons, &f.heading)?;
        row += 1;
        for reason in text::reasons(lang, v, r.names) {
            ws.write_string_with_format(row, 0, &reason, &f.text)?;
            row += 1;
        }
        row += 1;
        let mut blocks = vec![tables::counts(v, lang)];
        blocks.extend(tables::appeals(file, lang));
        blocks.push(tables::provenance(file, lang));
        blocks.push(tables::settings(v, lang));
        for t in &blocks {
            ws.write_string_with_format(row, 0, &t.title, &f.heading)?;
            row = write_table(ws, &f, row + 1, t, &mut widths)?;
        }
        ws.write_string_with_format(row, 0, w.footer, &f.note)?;
        widths[0] = widths[0].min(40);
        set_widths(ws, &widths)?;
    }

    data_sheet(
        &mut wb,
        &f,
        SHEETS[1],
        &tables::indicators_wide(v, lang),
        &[w.decision_rule.to_string()],
    )?;
    let sentences: Vec<String> = v
        .drivers
        .iter()
        .map(|d| {
            format!(
                "{}: {}",
                w.indicator_name(&d.indicator),
                text::driver_sentence(lang, d, r.names)
            )
        })
        .collect();
    data_sheet(
        &mut wb,
        &f,
        SHEETS[2],
        &tables::drivers(r, lang),
        &sentences,
    )?;
    data_sheet(
        &mut wb,
        &f,
        SHEETS[3],
        &tables::failing(r, lang, &v.failing_households),
        &[w.failing_note.replace('`', "")],
    )?;
    data_sheet(&mut wb, &f, SHEETS[4], &tables::villages(r, lang), &[])?;
    data_sheet(&mut wb, &f, SHEETS[5], &tables::domains(r, lang), &[])?;
    data_sheet(
        &mut wb,
        &f,
        SHEETS[6],
        &tables::response_rates(r, lang),
        &[w.response_rate_note.to_string()],
    )?;
    // Last, so that the earlier sheets keep their places for scripts.
    data_sheet(
        &mut wb,
        &f,
        SHEETS[7],
        &crate::identification::table(r, lang),
        &[w.identification_note.to_string()],
    )?;
    Ok(wb.save_to_buffer()?)
}
