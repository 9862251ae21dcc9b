//! The flagged households as files: CSV (one row per piece of evidence, English headers) to
//! any writer, and an XLSX workbook for officials (Chinese and English headers, a sheet of
//! the rules with their sources). Identity numbers appear only masked.

use crate::error::CrosscheckError;
use crate::link::Hit;
use crate::rules::Rules;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook};
use std::io::Write;

/// The evidence columns: name (CSV header), Chinese header, and what the column holds.
pub const HIT_COLUMNS: &[(&str, &str, &str)] = &[
    ("household_id", "户编号", "the household, as the households file gives it"),
    ("county_code", "县代码", "its county"),
    ("village_code", "村代码", "its village"),
    ("rule", "规则", "the rule's id in the rules file"),
    ("rule_label", "规则说明(英)", "what the hit means (English)"),
    ("rule_label_zh", "规则说明", "what the hit means (Chinese)"),
    ("basis", "依据", "document or local practice"),
    ("member_id", "成员身份证号(脱敏)", "the member's identity number, masked to its first 3 and last 4 characters"),
    ("member_name", "成员姓名", "the member's name in the households file"),
    ("member_id_written", "成员证号写法", "how the households file wrote the number when not standard: 15-digit, full-width, lower-case x, spaces"),
    ("registry", "登记库", "vehicles, property, business or payroll"),
    ("registry_file", "登记库文件", "the registry's file"),
    ("registry_line", "行号", "the row's line in that file (the header is line 1)"),
    ("registry_id_written", "登记库证号写法", "how the registry wrote the number when not standard"),
    ("value_yuan", "价值(元)", "a vehicle's value in yuan"),
    ("what", "类型/职务/单位", "the vehicle's or property's kind, the business role, or the employer"),
    ("detail", "详情", "plate, address or company"),
    ("registry_name", "登记库姓名", "the name the registry gives"),
    ("note", "备注", "a name that differs on a matching identity number"),
];

fn fields(h: &Hit) -> [String; 19] {
    [
        h.household_id.clone(),
        h.county_code.clone(),
        h.village_code.clone(),
        h.rule.clone(),
        h.rule_label_en.clone(),
        h.rule_label_zh.clone(),
        h.basis.as_str().to_string(),
        h.member_id_masked.clone(),
        h.member_name.clone(),
        h.member_id_written.describe(),
        h.registry.as_str().to_string(),
        h.registry_file.clone(),
        h.registry_line.to_string(),
        h.registry_id_written.describe(),
        h.value_yuan.map(|v| v.to_string()).unwrap_or_default(),
        h.what.clone(),
        h.detail.clone(),
        h.registry_name.clone(),
        h.note.clone(),
    ]
}

/// Writes hits as CSV rows, the header first.
pub struct HitWriter<W: Write> {
    csv: csv::Writer<W>,
}

impl<W: Write> HitWriter<W> {
    /// Starts the file: writes the header.
    pub fn new(out: W) -> Result<HitWriter<W>, CrosscheckError> {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(HIT_COLUMNS.iter().map(|c| c.0))
            .map_err(write_error)?;
        Ok(HitWriter { csv })
    }

    /// Writes one row per hit.
    pub fn write(&mut self, hits: &[Hit]) -> Result<(), CrosscheckError> {
        for h in hits {
            self.csv.write_record(fields(h)).map_err(write_error)?;
        }
        Ok(())
    }

    /// Flushes and hands back the writer.
    pub fn finish(self) -> Result<W, CrosscheckError> {
        self.csv
            .into_inner()
            .map_err(|e| CrosscheckError::Write(e.into_error()))
    }
}

fn write_error(e: csv::Error) -> CrosscheckError {
    CrosscheckError::Write(std::io::Error::other(e))
}

/// A worksheet's rows less the two header rows.
pub const XLSX_MAX_HITS: usize = 1_048_576 - 2;

/// The workbook for officials: sheet "Flagged 疑似不符" (a Chinese and an English header row,
/// one row per hit) and sheet "Rules 规则" (each rule, its basis and source).
pub fn flagged_xlsx(hits: &[Hit], rules: &Rules) -> Result<Vec<u8>, CrosscheckError> {
    if hits.len() > XLSX_MAX_HITS {
        return Err(CrosscheckError::TooManyForXlsx {
            rows: hits.len(),
            max: XLSX_MAX_HITS,
        });
    }
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title("Register cross-checks 登记信息比对")
            .set_creation_datetime(&ExcelDateTime::from_ymd(1980, 1, 1)?),
    );
    let header = Format::new().set_bold().set_align(FormatAlign::Top);
    let ws = wb.add_worksheet().set_name("Flagged 疑似不符")?;
    for (c, (en, zh, _)) in HIT_COLUMNS.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, *zh, &header)?;
        ws.write_string_with_format(1, c, *en, &header)?;
    }
    for (r, h) in hits.iter().enumerate() {
        let row = r as u32 + 2;
        for (c, text) in fields(h).iter().enumerate() {
            let c = c as u16;
            match (HIT_COLUMNS[c as usize].0, h.value_yuan) {
                ("value_yuan", Some(v)) => ws.write_number(row, c, v)?,
                ("registry_line", _) => ws.write_number(row, c, h.registry_line as f64)?,
                _ => ws.write_string(row, c, text)?,
            };
        }
    }
    ws.set_freeze_panes(2, 0)?;
    ws.autofit();
    let ws = wb.add_worksheet().set_name("Rules 规则")?;
    let cols = [
        ("规则", "rule"),
        ("登记库", "registry"),
        ("规则说明", "label_zh"),
        ("规则说明(英)", "label_en"),
        ("依据", "basis"),
        ("来源", "source"),
    ];
    for (c, (zh, en)) in cols.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *zh, &header)?;
        ws.write_string_with_format(1, c as u16, *en, &header)?;
    }
    for (r, rule) in rules.rules().iter().enumerate() {
        let row = r as u32 + 2;
        let cells = [
            rule.id.as_str(),
            rule.registry.as_str(),
            rule.label_zh.as_str(),
            rule.label_en.as_str(),
            rule.basis.as_str(),
            rule.source.as_str(),
        ];
        for (c, text) in cells.iter().enumerate() {
            ws.write_string(row, c as u16, *text)?;
        }
    }
    ws.set_freeze_panes(2, 0)?;
    ws.autofit();
    Ok(wb.save_to_buffer()?)
}
