//! Writing the template: the sheets with their bold, frozen header rows, text-formatted
//! columns, drop-down lists, the README sheet; optionally a draw's households pre-filled in
//! `visits`, or (for examples and tests) whole records in every sheet.

use crate::columns::{Column, Kind, Label, ListLanguage, SheetDef, README, SHEETS, VISITS};
use crate::FormsError;
use assess_household::{DisplayColumn, HouseholdDisplay};
use assess_inspection::{SampleUnit, VisitRecord};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, Format, FormatAlign, ProtectionOptions,
    Workbook, Worksheet,
};
use serde::Serialize;
use std::collections::HashMap;

/// The last row a drop-down list covers (0-based; Excel's last row).
const LAST_ROW: u32 = 1_048_575;
const HEADER_BLUE: u32 = 0xDDEBF7;
const INFO_GREY: u32 = 0xE7E6E6;

/// A draw's households to pre-fill in sheet `visits`, so that a team gets its assignment: one
/// row per household with `draw_id` and `household_id` filled and the draw's information
/// (role, reserve rank, village, stratum, and what the register says to find it by: head's
/// name, group, address, phone) beside them, all locked.
#[derive(Debug, Clone, Copy)]
pub struct Prefill<'a> {
    /// The draw's id (its `sample_sha256`).
    pub draw_id: &'a str,
    /// The households, in the order the rows should have.
    pub households: &'a [SampleUnit],
    /// The register's display values of the households that have any, by household id.
    pub display: &'a HashMap<String, HouseholdDisplay>,
}

/// The empty template, or with `prefill` the template listing a draw's households: the bytes
/// of an XLSX file. `language` chooses the words of the drop-down lists; a cell may hold
/// either language's word whichever it is.
pub fn template(
    prefill: Option<Prefill<'_>>,
    language: ListLanguage,
) -> Result<Vec<u8>, FormsError> {
    let mut workbook = book(prefill.is_some(), language)?;
    let ws = workbook.worksheet_from_name(VISITS.name)?;
    let formats = column_formats(&VISITS, prefill.is_some());
    let no_display = HashMap::new();
    let display = prefill.map_or(&no_display, |p| p.display);
    for (i, unit) in prefill.iter().flat_map(|p| p.households).enumerate() {
        let draw_id = prefill.map_or("", |p| p.draw_id);
        let row = i as u32 + 1;
        let rank = unit.reserve_rank.map(|k| k.to_string()).unwrap_or_default();
        let role = unit.role.as_str();
        let mut cells = vec![
            ("draw_id", V::text(draw_id)),
            ("household_id", V::text(&unit.household_id)),
            ("role", V::text(role)),
            ("reserve_rank", V::text(&rank)),
            ("village_code", V::text(&unit.village)),
            ("stratum", V::text(&unit.stratum)),
        ];
        if let Some(values) = display.get(&unit.household_id) {
            for column in DisplayColumn::ALL {
                let value = values.get(column).map_or(V::Nil, V::text);
                cells.push((column.as_str(), value));
            }
        }
        put_row(ws, &VISITS, &formats, row, &cells)?;
    }
    // A display column the register does not have (or none of these households has a value
    // in) would only be an empty grey column in a team's way.
    for column in DisplayColumn::ALL {
        let shown = prefill.iter().flat_map(|p| p.households).any(|unit| {
            display
                .get(&unit.household_id)
                .is_some_and(|d| d.get(column).is_some())
        });
        let index = VISITS
            .columns
            .iter()
            .position(|c| c.name == column.as_str());
        if let (false, Some(c)) = (shown, index) {
            ws.set_column_hidden(c as u16)?;
        }
    }
    Ok(workbook.save_to_buffer()?)
}

/// A filled workbook holding `records`: what a team would hand in. For examples, tests and
/// demonstrations; reading it back with [`crate::read_filled`] gives the same records.
pub fn write_filled(records: &[VisitRecord]) -> Result<Vec<u8>, FormsError> {
    let mut workbook = book(false, ListLanguage::English)?;
    let mut rows = [1u32; SHEETS.len()];
    for v in records {
        let h = v.household_id.as_str();
        let reason = match v.disposition {
            assess_inspection::Disposition::Ineligible(r) => V::Text(name(&r)),
            _ => V::Nil,
        };
        let gps = |g: Option<assess_inspection::Gps>| {
            (V::num(g.map(|g| g.lat)), V::num(g.map(|g| g.lon)))
        };
        let (start_lat, start_lon) = gps(v.gps_start);
        let (end_lat, end_lon) = gps(v.gps_end);
        let mut cells: Vec<(usize, Vec<(&str, V)>)> = vec![(
            0,
            vec![
                ("draw_id", V::text(&v.draw_id)),
                ("household_id", V::text(h)),
                ("disposition", V::text(v.disposition.code())),
                ("ineligible_reason", reason),
                ("mode", V::opt(v.mode.as_ref())),
                ("team", V::text(&v.team)),
                ("interviewer_1", V::text(&v.interviewers[0])),
                ("interviewer_2", V::text(&v.interviewers[1])),
                ("start", V::text(&v.start)),
                ("end", V::text(&v.end)),
                ("gps_start_lat", start_lat),
                ("gps_start_lon", start_lon),
                ("gps_end_lat", end_lat),
                ("gps_end_lon", end_lon),
            ],
        )];
        if let Some(r) = &v.household {
            let mut household = vec![
                ("household_id", V::text(h)),
                ("status", V::text(r.status.as_str())),
                (
                    "register_members",
                    V::num(r.register_members.map(f64::from)),
                ),
                ("income_year", V::Num(f64::from(r.income_year))),
            ];
            household.extend(r.income.sources().map(|(n, x)| (n, V::num(x))));
            household.extend([
                (
                    "income_per_person_stated",
                    V::num(r.income_per_person_stated),
                ),
                ("food_adequate", V::flag(r.food_adequate)),
                ("clothing_adequate", V::flag(r.clothing_adequate)),
                ("protein_available", V::flag(r.protein_available)),
            ]);
            cells.push((1, household));
            for m in &r.members {
                let birth = m
                    .birth_date
                    .map(|b| V::Text(format!("{:04}-{:02}-{:02}", b.year, b.month, b.day)));
                cells.push((
                    2,
                    vec![
                        ("household_id", V::text(h)),
                        ("member_id", V::text(&m.id)),
                        ("birth_date", birth.unwrap_or(V::Nil)),
                        ("age", V::num(m.age.map(f64::from))),
                        ("sex", V::opt(m.sex.as_ref())),
                        ("schooling", V::opt(m.schooling.as_ref())),
                        (
                            "basic_medical_insurance",
                            V::flag(m.cover.basic_medical_insurance),
                        ),
                        (
                            "serious_illness_insurance",
                            V::flag(m.cover.serious_illness_insurance),
                        ),
                        ("medical_assistance", V::flag(m.cover.medical_assistance)),
                        (
                            "id_number",
                            m.id_number.as_ref().map_or(V::Nil, |n| V::text(n.reveal())),
                        ),
                    ],
                ));
            }
            let mut housing = vec![
                ("household_id", V::text(h)),
                ("site_dangerous", V::flag(r.housing.site_dangerous)),
            ];
            housing.extend(
                r.housing
                    .components
                    .named()
                    .map(|(n, g)| (n, V::opt(g.as_ref()))),
            );
            housing.extend([
                (
                    "inspector_grade",
                    V::opt(r.housing.inspector_grade.as_ref()),
                ),
                ("renovation", V::opt(r.housing.renovation.as_ref())),
            ]);
            cells.push((3, housing));
            let w = &r.water;
            cells.push((
                4,
                vec![
                    ("household_id", V::text(h)),
                    ("litres_per_person_day", V::num(w.litres_per_person_day)),
                    ("water_scarce_area", V::flag(w.water_scarce_area)),
                    ("piped_to_yard", V::flag(w.piped_to_yard)),
                    ("fetch_minutes", V::num(w.fetch_minutes)),
                    ("horizontal_m", V::num(w.horizontal_m)),
                    ("vertical_m", V::num(w.vertical_m)),
                    ("outage_days", V::num(w.outage_days.map(f64::from))),
                    ("quality_ok", V::flag(w.quality_ok)),
                ],
            ));
            if let Some(a) = &r.approval {
                let mut approval = vec![("household_id", V::text(h))];
                approval.extend(a.answers().map(|(n, o)| (n, V::opt(o.as_ref()))));
                cells.push((5, approval));
            }
            if let Some(i) = &r.identification {
                cells.push((
                    6,
                    vec![
                        ("household_id", V::text(h)),
                        ("owns_vehicle", V::flag(i.owns_vehicle)),
                        ("vehicle_value_yuan", V::num(i.vehicle_value_yuan)),
                        ("urban_flat_or_shop", V::flag(i.urban_flat_or_shop)),
                        ("registered_company", V::flag(i.registered_company)),
                        ("public_payroll", V::flag(i.public_payroll)),
                        ("village_cadre", V::flag(i.village_cadre)),
                    ],
                ));
            }
        }
        for n in &v.notes {
            cells.push((
                7,
                vec![
                    ("household_id", V::text(h)),
                    ("rule", V::text(&n.rule)),
                    ("text", V::text(&n.text)),
                ],
            ));
        }
        for (sheet, values) in cells {
            let def = SHEETS[sheet];
            let formats = column_formats(def, false);
            let ws = workbook.worksheet_from_name(def.name)?;
            put_row(ws, def, &formats, rows[sheet], &values)?;
            rows[sheet] += 1;
        }
    }
    Ok(workbook.save_to_buffer()?)
}

/// A cell value to write.
enum V {
    Text(String),
    Num(f64),
    Nil,
}

impl V {
    fn text(s: &str) -> V {
        V::Text(s.to_string())
    }
    fn num(x: Option<f64>) -> V {
        x.map_or(V::Nil, V::Num)
    }
    fn flag(b: Option<bool>) -> V {
        b.map_or(V::Nil, |b| V::Text(b.to_string()))
    }
    fn opt<T: Serialize>(value: Option<&T>) -> V {
        value.map_or(V::Nil, |v| V::Text(name(v)))
    }
}

/// The JSON name of an enumerated value (`in_person`, `not_present`, `A`).
fn name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    }
}

fn put_row(
    ws: &mut Worksheet,
    def: &SheetDef,
    formats: &[Format],
    row: u32,
    values: &[(&str, V)],
) -> Result<(), FormsError> {
    for (column, value) in values {
        let c = def
            .columns
            .iter()
            .position(|c| c.name == *column)
            .ok_or_else(|| FormsError::NoColumn {
                column: column.to_string(),
                sheet: def.name.to_string(),
            })?;
        let col = c as u16;
        match value {
            V::Text(s) if !s.is_empty() => {
                ws.write_string_with_format(row, col, s, &formats[c])?;
            }
            V::Num(x) => {
                ws.write_number_with_format(row, col, *x, &formats[c])?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Each column's cell format: text columns as text ("@"); information columns grey; in a
/// locked (pre-filled) sheet, every column the team fills unlocked.
fn column_formats(def: &SheetDef, locked: bool) -> Vec<Format> {
    def.columns
        .iter()
        .map(|c| {
            let mut f = Format::new();
            if c.kind.is_text() {
                f = f.set_num_format("@");
            }
            if c.kind == Kind::Info {
                f = f.set_background_color(Color::RGB(INFO_GREY));
            }
            if !(locked && is_locked(def, c)) {
                f = f.set_unlocked();
            }
            f
        })
        .collect()
}

/// In a pre-filled template, the draw's columns of `visits` are locked.
fn is_locked(def: &SheetDef, c: &Column) -> bool {
    def.name == VISITS.name && c.is_prefilled()
}

fn width(c: &Column) -> f64 {
    let w = match (c.name, c.kind) {
        ("draw_id", _) => 16,
        ("household_id", _) => 22,
        (_, Kind::Time) => 27,
        ("text", _) => 50,
        (_, Kind::Text) => 16,
        // Chinese characters are two columns wide.
        (_, Kind::Choice(list)) => {
            let widest = |l: &Label| l.value.len().max(2 * l.zh.chars().count());
            list.iter().map(widest).max().unwrap_or(8) + 4
        }
        _ => 12,
    };
    w.max(c.name.len() + 3) as f64
}

/// The workbook with every sheet's header, formats and lists, and the README sheet.
fn book(locked: bool, language: ListLanguage) -> Result<Workbook, FormsError> {
    let mut workbook = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(HEADER_BLUE));
    let info_header = Format::new()
        .set_bold()
        .set_italic()
        .set_background_color(Color::RGB(INFO_GREY));
    for def in SHEETS {
        let ws = workbook.add_worksheet();
        ws.set_name(def.name)?;
        let formats = column_formats(def, locked);
        for (i, c) in def.columns.iter().enumerate() {
            let col = i as u16;
            ws.set_column_width(col, width(c))?;
            ws.set_column_format(col, &formats[i])?;
            let h = if c.kind == Kind::Info {
                &info_header
            } else {
                &header
            };
            ws.write_string_with_format(0, col, c.name, h)?;
            if let Some(list) = c.kind.list() {
                let shown: Vec<&str> = list.iter().map(|l| l.shown(language)).collect();
                let validation = DataValidation::new()
                    .allow_list_strings(&shown)?
                    .set_error_style(DataValidationErrorStyle::Warning)
                    .set_error_title("Not in the list / 不在列表中")?
                    .set_error_message(format!(
                        "{}: one of {}. 请从下拉列表中选择。",
                        c.name,
                        shown.join(", ")
                    ))?;
                ws.add_data_validation(1, col, LAST_ROW, col, &validation)?;
            }
        }
        ws.set_freeze_panes(1, if def.name == VISITS.name { 2 } else { 1 })?;
        if locked && def.name == VISITS.name {
            let options = ProtectionOptions {
                format_cells: true,
                format_columns: true,
                format_rows: true,
                ..ProtectionOptions::default()
            };
            ws.protect_with_options(&options);
        }
    }
    readme(workbook.add_worksheet(), locked)?;
    workbook.worksheet_from_name(VISITS.name)?.set_active(true);
    Ok(workbook)
}

const GENERAL: &[(&str, &str)] = &[
    (
        "Visit-record template made by `assess template`: one sheet per section of the visit record. Row 1 of each sheet holds the column names: do not rename, move or delete them, and keep the sheet names.",
        "入户核查记录表（由 `assess template` 生成）：每个部分一个工作表。各表第 1 行为列名，请勿修改或删除列名，也不要修改工作表名称。",
    ),
    (
        "Every row of household, members, housing, water, approval, identification and notes belongs to a household of sheet visits by its household_id.",
        "household、members、housing、water、approval、identification、notes 各表的每一行通过 household_id 对应 visits 表中的一户。",
    ),
    (
        "Leave a cell blank when the answer was not recorded: the rules judge it unknown, never met. Do not write 0 or a dash for \"not asked\".",
        "未记录的内容请留空：判定规则视为“未知”，不会视为达标。未询问的内容不要填 0 或横线。",
    ),
    (
        "Sheet visits: a row whose disposition and every later column is blank is a household not visited (an unused reserve) and is skipped on import.",
        "visits 表：走访结果及其后各列均为空的行视为未走访（如未使用的备选户），导入时跳过。",
    ),
    (
        "Times are RFC 3339 with their offset, e.g. 2020-06-12T09:30:00+08:00 (an Excel date-time cell is read as Beijing time, +08:00); birth dates as 2009-03-14. Yes/no answers: true or false (or 是, 否). Choices: pick from the drop-down list; each value's Chinese label (in the values column below) is read as the value.",
        "时间采用 RFC 3339 格式并带时区，如 2020-06-12T09:30:00+08:00（Excel 日期时间单元格按北京时间 +08:00 读取）；出生日期如 2009-03-14。是/否题填 true 或 false（也可填“是”“否”）。选择题请从下拉列表中选择；下表 values 列中各选项的中文名称与英文值等同。",
    ),
    (
        "Import it as visit records (`assess import-records FILE.xlsx`): all or nothing; every problem is listed with its sheet, row and column, and nothing is imported until all are corrected.",
        "作为访问记录导入（`assess import-records 文件.xlsx`）：全部成功才写入；每个问题都会列出所在工作表、行和列，全部更正后才会导入。",
    ),
    (
        "In a pre-filled workbook the draw's columns of sheet visits (draw_id, household_id, role, reserve_rank, village_code, stratum, and head_name, group, address, phone from the register, to find the household by) are locked; the other cells are open (Review > Unprotect Sheet, no password).",
        "预填的工作簿中，visits 表的抽样信息列（draw_id、household_id、role、reserve_rank、village_code、stratum，以及来自登记册、便于找到农户的 head_name 户主姓名、group 村民小组、address 地址、phone 联系电话）已锁定，其余单元格可填写（如需修改：审阅 > 撤销工作表保护，无密码）。",
    ),
];

fn readme(ws: &mut Worksheet, locked: bool) -> Result<(), FormsError> {
    ws.set_name(README)?;
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(HEADER_BLUE));
    for (c, w) in [14.0, 26.0, 16.0, 36.0, 70.0, 60.0].into_iter().enumerate() {
        ws.set_column_width(c as u16, w)?;
    }
    ws.write_string_with_format(0, 0, "Visit-record template / 入户核查记录表", &bold)?;
    let mut row = 1;
    for (en, zh) in GENERAL {
        if !locked && en.starts_with("In a pre-filled") {
            continue;
        }
        ws.merge_range(row, 0, row, 3, en, &wrap)?;
        ws.merge_range(row, 4, row, 5, zh, &wrap)?;
        ws.set_row_height(row, 48)?;
        row += 1;
    }
    row += 1;
    for (c, h) in [
        "sheet",
        "column",
        "required",
        "values",
        "description",
        "说明",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(row, c as u16, *h, &header)?;
    }
    ws.set_freeze_panes(row + 1, 0)?;
    row += 1;
    for def in SHEETS {
        ws.write_string_with_format(row, 0, def.name, &bold)?;
        ws.write_string_with_format(row, 4, def.en, &wrap)?;
        ws.write_string_with_format(row, 5, def.zh, &wrap)?;
        row += 1;
        for c in def.columns {
            ws.write_string_with_format(row, 0, def.name, &wrap)?;
            ws.write_string_with_format(row, 1, c.name, &wrap)?;
            ws.write_string_with_format(row, 2, c.req.text(), &wrap)?;
            ws.write_string_with_format(row, 3, c.kind.values(), &wrap)?;
            ws.write_string_with_format(row, 4, c.en, &wrap)?;
            ws.write_string_with_format(row, 5, c.zh, &wrap)?;
            row += 1;
        }
    }
    Ok(())
}
