//! The CSV layout's columns: one table that both the writer and the reader use. Column names
//! are the JSON names of the fields, flattened where the JSON nests (`enumerator_id`,
//! `gps_lat`, `approval_exit`), as the XLSX template names them.

/// What a cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Free text.
    Text,
    /// A decimal number.
    Number,
    /// A whole number from 0 to the bound.
    Whole(u64),
    /// `true` or `false` (also `yes`/`no`, `1`/`0`, `是`/`否`).
    Bool,
    /// One of a fixed list of words.
    Choice(&'static [&'static str]),
    /// A date `YYYY-MM-DD` (a member's birth date).
    Date,
    /// A resident identity number (checked, upper-case X).
    IdNumber,
}

/// Where a column's value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The return (and its household section): the same on every row of the return.
    Return,
    /// One member: one per row.
    Member,
}

/// One column: its name, the JSON path of its value (from the return, or from the member),
/// what it holds and whether a return must have it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    pub name: &'static str,
    pub path: &'static [&'static str],
    pub kind: Kind,
    pub part: Part,
    pub required: bool,
}

const fn ret(name: &'static str, path: &'static [&'static str], kind: Kind) -> Column {
    Column {
        name,
        path,
        kind,
        part: Part::Return,
        required: false,
    }
}

const fn req(name: &'static str, path: &'static [&'static str], kind: Kind) -> Column {
    Column {
        name,
        path,
        kind,
        part: Part::Return,
        required: true,
    }
}

const fn mem(name: &'static str, path: &'static [&'static str], kind: Kind) -> Column {
    Column {
        name,
        path,
        kind,
        part: Part::Member,
        required: false,
    }
}

const STATUS: &[&str] = &["exited", "poor", "non_registered"];
const OUTCOME: &[&str] = &["enumerated", "dissolved", "moved_out"];
const COMPONENT: &[&str] = &["a", "b", "c", "d", "not_present"];
const GRADE: &[&str] = &["A", "B", "C", "D"];
const RENOVATION: &[&str] = &["none", "reinforced", "rebuilt", "relocated"];
const OPINION: &[&str] = &[
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
    "dont_know",
];
const SEX: &[&str] = &["male", "female"];
const SCHOOLING: &[&str] = &[
    "in_school",
    "home_teaching",
    "exempt_health",
    "out_of_school",
];

use Kind::*;

/// Every column, in file order: the return's, then the member's.
pub(crate) const COLUMNS: &[Column] = &[
    req("return_id", &["return_id"], Text),
    req("household_id", &["household_id"], Text),
    req("county_code", &["county_code"], Text),
    req("village_code", &["village_code"], Text),
    req("enumerator_id", &["enumerator", "id"], Text),
    req(
        "enumerator_home_county",
        &["enumerator", "home_county"],
        Text,
    ),
    req("outcome", &["outcome"], Choice(OUTCOME)),
    req("start", &["start"], Text),
    req("end", &["end"], Text),
    ret("gps_lat", &["gps", "lat"], Number),
    ret("gps_lon", &["gps", "lon"], Number),
    ret("status", &["household", "status"], Choice(STATUS)),
    ret(
        "register_members",
        &["household", "register_members"],
        Whole(u32::MAX as u64),
    ),
    ret(
        "income_year",
        &["household", "income_year"],
        Whole(u16::MAX as u64),
    ),
    ret("wages", &["household", "income", "wages"], Number),
    ret(
        "business_net",
        &["household", "income", "business_net"],
        Number,
    ),
    ret("property", &["household", "income", "property"], Number),
    ret("transfers", &["household", "income", "transfers"], Number),
    ret("in_kind", &["household", "income", "in_kind"], Number),
    ret(
        "income_per_person_stated",
        &["household", "income_per_person_stated"],
        Number,
    ),
    ret("food_adequate", &["household", "food_adequate"], Bool),
    ret(
        "clothing_adequate",
        &["household", "clothing_adequate"],
        Bool,
    ),
    ret(
        "protein_available",
        &["household", "protein_available"],
        Bool,
    ),
    ret(
        "site_dangerous",
        &["household", "housing", "site_dangerous"],
        Bool,
    ),
    ret(
        "load_bearing_walls",
        &["household", "housing", "components", "load_bearing_walls"],
        Choice(COMPONENT),
    ),
    ret(
        "foundation",
        &["household", "housing", "components", "foundation"],
        Choice(COMPONENT),
    ),
    ret(
        "roof_truss",
        &["household", "housing", "components", "roof_truss"],
        Choice(COMPONENT),
    ),
    ret(
        "wood_members",
        &["household", "housing", "components", "wood_members"],
        Choice(COMPONENT),
    ),
    ret(
        "inspector_grade",
        &["household", "housing", "inspector_grade"],
        Choice(GRADE),
    ),
    ret(
        "renovation",
        &["household", "housing", "renovation"],
        Choice(RENOVATION),
    ),
    ret(
        "litres_per_person_day",
        &["household", "water", "litres_per_person_day"],
        Number,
    ),
    ret(
        "water_scarce_area",
        &["household", "water", "water_scarce_area"],
        Bool,
    ),
    ret(
        "piped_to_yard",
        &["household", "water", "piped_to_yard"],
        Bool,
    ),
    ret(
        "fetch_minutes",
        &["household", "water", "fetch_minutes"],
        Number,
    ),
    ret(
        "horizontal_m",
        &["household", "water", "horizontal_m"],
        Number,
    ),
    ret("vertical_m", &["household", "water", "vertical_m"], Number),
    ret(
        "outage_days",
        &["household", "water", "outage_days"],
        Whole(u32::MAX as u64),
    ),
    ret("quality_ok", &["household", "water", "quality_ok"], Bool),
    ret(
        "approval_exit",
        &["household", "approval", "exit"],
        Choice(OPINION),
    ),
    ret(
        "approval_policies",
        &["household", "approval", "policies"],
        Choice(OPINION),
    ),
    ret(
        "approval_help_received",
        &["household", "approval", "help_received"],
        Choice(OPINION),
    ),
    ret(
        "approval_cadres_work",
        &["household", "approval", "cadres_work"],
        Choice(OPINION),
    ),
    ret(
        "owns_vehicle",
        &["household", "identification", "owns_vehicle"],
        Bool,
    ),
    ret(
        "vehicle_value_yuan",
        &["household", "identification", "vehicle_value_yuan"],
        Number,
    ),
    ret(
        "urban_flat_or_shop",
        &["household", "identification", "urban_flat_or_shop"],
        Bool,
    ),
    ret(
        "registered_company",
        &["household", "identification", "registered_company"],
        Bool,
    ),
    ret(
        "public_payroll",
        &["household", "identification", "public_payroll"],
        Bool,
    ),
    ret(
        "village_cadre",
        &["household", "identification", "village_cadre"],
        Bool,
    ),
    ret(
        "industrial_support_yuan",
        &["assistance", "industrial_support_yuan"],
        Number,
    ),
    ret(
        "employment_support",
        &["assistance", "employment_support"],
        Bool,
    ),
    ret(
        "public_welfare_post",
        &["assistance", "public_welfare_post"],
        Bool,
    ),
    ret("relocated", &["assistance", "relocated"], Bool),
    ret(
        "housing_renovation_yuan",
        &["assistance", "housing_renovation_yuan"],
        Number,
    ),
    ret(
        "education_aid_yuan",
        &["assistance", "education_aid_yuan"],
        Number,
    ),
    ret(
        "medical_aid_yuan",
        &["assistance", "medical_aid_yuan"],
        Number,
    ),
    ret(
        "minimum_living_allowance_yuan",
        &["assistance", "minimum_living_allowance_yuan"],
        Number,
    ),
    ret(
        "extreme_poverty_support",
        &["assistance", "extreme_poverty_support"],
        Bool,
    ),
    ret("microcredit", &["assistance", "microcredit"], Bool),
    mem("member_id", &["id"], Text),
    mem("birth_date", &["birth_date"], Date),
    mem("age", &["age"], Whole(u32::MAX as u64)),
    mem("sex", &["sex"], Choice(SEX)),
    mem("schooling", &["schooling"], Choice(SCHOOLING)),
    mem(
        "basic_medical_insurance",
        &["cover", "basic_medical_insurance"],
        Bool,
    ),
    mem(
        "serious_illness_insurance",
        &["cover", "serious_illness_insurance"],
        Bool,
    ),
    mem("medical_assistance", &["cover", "medical_assistance"], Bool),
    mem("id_number", &["id_number"], IdNumber),
];

/// The column names, in file order: the header of a CSV file of returns.
pub fn csv_columns() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.name).collect()
}

/// The Chinese header of every column (docs/census.md, "CSV"): a file may name a column by
/// either; [`CsvWriter::chinese`](crate::CsvWriter::chinese) and the XLSX template write them.
/// Words are those of the visit-record template's Chinese descriptions (docs/forms.md) and
/// the census's own (assistance, from docs/census.md).
pub const CSV_ALIASES: &[(&str, &str)] = &[
    ("return_id", "普查表编号"),
    ("household_id", "户编号"),
    ("county_code", "县代码"),
    ("village_code", "村代码"),
    ("enumerator_id", "普查员编号"),
    ("enumerator_home_county", "普查员所属县代码"),
    ("outcome", "普查结果"),
    ("start", "开始时间"),
    ("end", "结束时间"),
    ("gps_lat", "纬度"),
    ("gps_lon", "经度"),
    ("status", "建档立卡状态"),
    ("register_members", "登记人口数"),
    ("income_year", "收入年度"),
    ("wages", "工资性收入"),
    ("business_net", "家庭经营净收入"),
    ("property", "财产性收入"),
    ("transfers", "转移性收入"),
    ("in_kind", "自产自用实物折价收入"),
    ("income_per_person_stated", "自报人均纯收入"),
    ("food_adequate", "不愁吃"),
    ("clothing_adequate", "不愁穿"),
    ("protein_available", "能吃上肉蛋奶豆"),
    ("site_dangerous", "场地危险"),
    ("load_bearing_walls", "承重墙等级"),
    ("foundation", "地基基础等级"),
    ("roof_truss", "屋架等级"),
    ("wood_members", "木构件等级"),
    ("inspector_grade", "房屋整体等级"),
    ("renovation", "危房处置"),
    ("litres_per_person_day", "人均日用水量（升）"),
    ("water_scarce_area", "严重缺水地区"),
    ("piped_to_yard", "自来水入户"),
    ("fetch_minutes", "取水往返时间（分钟）"),
    ("horizontal_m", "取水水平距离（米）"),
    ("vertical_m", "取水垂直高差（米）"),
    ("outage_days", "年停水天数"),
    ("quality_ok", "水质达标"),
    ("approval_exit", "对脱贫的评价"),
    ("approval_policies", "对扶贫政策的评价"),
    ("approval_help_received", "对所获帮扶的评价"),
    ("approval_cadres_work", "对干部工作的评价"),
    ("owns_vehicle", "拥有汽车"),
    ("vehicle_value_yuan", "车辆价值（元）"),
    ("urban_flat_or_shop", "城镇住房或商铺"),
    ("registered_company", "开办注册公司"),
    ("public_payroll", "财政供养人员"),
    ("village_cadre", "村干部"),
    ("industrial_support_yuan", "产业扶持（元）"),
    ("employment_support", "就业扶持"),
    ("public_welfare_post", "公益岗位"),
    ("relocated", "易地扶贫搬迁"),
    ("housing_renovation_yuan", "危房改造补助（元）"),
    ("education_aid_yuan", "教育资助（元）"),
    ("medical_aid_yuan", "医疗救助（元）"),
    ("minimum_living_allowance_yuan", "低保金（元）"),
    ("extreme_poverty_support", "特困供养"),
    ("microcredit", "扶贫小额信贷"),
    ("member_id", "成员编号"),
    ("birth_date", "出生日期"),
    ("age", "年龄"),
    ("sex", "性别"),
    ("schooling", "就学情况"),
    ("basic_medical_insurance", "基本医疗保险"),
    ("serious_illness_insurance", "大病保险"),
    ("medical_assistance", "医疗救助"),
    ("id_number", "身份证号"),
];

/// A column of the CSV layout as another layout (the XLSX template) needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnInfo {
    /// The name (the JSON name, flattened).
    pub name: &'static str,
    /// The Chinese header.
    pub zh: &'static str,
    /// A member's column (one per member row), else the return's.
    pub member: bool,
    /// Every return has it.
    pub required: bool,
    /// A number (decimal or whole).
    pub numeric: bool,
    /// A date `YYYY-MM-DD`.
    pub date: bool,
    /// The words a cell may hold, for a listed or yes/no column.
    pub values: Option<&'static [&'static str]>,
}

const BOOL_WORDS: &[&str] = &["true", "false"];

/// Every column of the CSV layout, in file order.
pub fn column_info() -> Vec<ColumnInfo> {
    COLUMNS
        .iter()
        .zip(CSV_ALIASES)
        .map(|(c, (_, zh))| ColumnInfo {
            name: c.name,
            zh,
            member: c.part == Part::Member,
            required: c.required,
            numeric: matches!(c.kind, Number | Whole(_)),
            date: c.kind == Date,
            values: match c.kind {
                Bool => Some(BOOL_WORDS),
                Choice(list) => Some(list),
                _ => None,
            },
        })
        .collect()
}

/// The Chinese header of a column, by its name.
pub fn column_alias(name: &str) -> Option<&'static str> {
    CSV_ALIASES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, zh)| *zh)
}

/// The column a header names: its English name (any case) or its Chinese alias (full-width
/// or ASCII brackets, spaces ignored); `None` for an unknown header.
pub fn column_named(header: &str) -> Option<&'static str> {
    let header = header.trim().trim_start_matches('\u{feff}');
    if let Some(c) = COLUMNS.iter().find(|c| c.name.eq_ignore_ascii_case(header)) {
        return Some(c.name);
    }
    let key = alias_key(header);
    CSV_ALIASES
        .iter()
        .find(|(_, zh)| alias_key(zh) == key)
        .map(|(name, _)| *name)
}

/// An alias compared without spaces and with brackets made ASCII.
fn alias_key(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            other => other,
        })
        .collect()
}

/// Where the member's columns start in [`COLUMNS`]: all before are the return's, all from it
/// on the member's (tested). A member's cells are kept from here on only, so that a member's
/// row of cells is a fifth of a return's.
pub(crate) const FIRST_MEMBER: usize = {
    let mut k = 0;
    while k < COLUMNS.len() && matches!(COLUMNS[k].part, Part::Return) {
        k += 1;
    }
    k
};

/// How many columns a member has.
pub(crate) const MEMBER_COLUMNS: usize = COLUMNS.len() - FIRST_MEMBER;

const _: () = assert!(FIRST_MEMBER > 0 && MEMBER_COLUMNS > 0);

/// The index of a column in [`COLUMNS`] (at compile time; a name not in the table does not
/// compile).
pub(crate) const fn column_index(name: &str) -> usize {
    let mut k = 0;
    while k < COLUMNS.len() {
        if same(COLUMNS[k].name, name) {
            return k;
        }
        k += 1;
    }
    panic!("not a census column")
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut k = 0;
    while k < a.len() {
        if a[k] != b[k] {
            return false;
        }
        k += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_return_columns_come_first_then_the_member_columns() {
        for (k, c) in COLUMNS.iter().enumerate() {
            let member = k >= FIRST_MEMBER;
            assert_eq!(c.part == Part::Member, member, "{}", c.name);
        }
    }

    #[test]
    fn every_column_has_one_alias_and_no_alias_names_two() {
        assert_eq!(CSV_ALIASES.len(), COLUMNS.len());
        for (c, (name, zh)) in COLUMNS.iter().zip(CSV_ALIASES) {
            assert_eq!(c.name, *name, "the aliases are in column order");
            assert_eq!(column_named(zh), Some(c.name));
            assert_eq!(column_named(&c.name.to_uppercase()), Some(c.name));
        }
        let mut keys: Vec<String> = CSV_ALIASES.iter().map(|(_, zh)| alias_key(zh)).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), CSV_ALIASES.len());
        assert_eq!(
            column_named("人均日用水量(升)"),
            Some("litres_per_person_day")
        );
        assert_eq!(column_named("no such column"), None);
    }
}
