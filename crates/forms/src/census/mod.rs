//! The census return's XLSX template (docs/census.md, "XLSX"): sheet `returns` (one row per
//! return: ids, enumerator, outcome, times, GPS) and, beside it, the household, members,
//! housing, water, approval, identification and assistance sheets, every row joined to its
//! return by `return_id` (a household may have two returns, so its id cannot be the key).
//! The columns are the census CSV layout's ([`assess_census::csv_columns`]), named in English
//! or by their Chinese alias ([`assess_census::CSV_ALIASES`]), so a workbook and a CSV file
//! convert column for column; every cell is checked and the returns assembled by
//! `assess-census` itself ([`assess_census::check_cell`], [`assess_census::return_from_rows`]).
//!
//! Not for: the visit-record template (the rest of this crate), judging returns or storing
//! them (the ingest), or any file I/O: workbooks come and go as bytes.

mod read;
mod write;

pub use read::read_census;
pub use write::{census_template, write_census_filled};

/// One sheet of the census workbook: its name, what a row is, and its columns (census CSV
/// column names; `return_id` first).
#[derive(Debug)]
pub(crate) struct CensusSheet {
    pub name: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
    pub columns: &'static [&'static str],
    /// At most one row per return (every sheet but `members`).
    pub one_per_return: bool,
}

const fn sheet(
    name: &'static str,
    en: &'static str,
    zh: &'static str,
    columns: &'static [&'static str],
) -> CensusSheet {
    CensusSheet {
        name,
        en,
        zh,
        columns,
        one_per_return: true,
    }
}

pub(crate) const RETURNS: CensusSheet = sheet(
    "returns",
    "One row per return: its id, the household (its register id), county, village, enumerator and their home county, outcome (enumerated, dissolved, moved_out), start and end (RFC 3339 with offset), GPS.",
    "每份普查表一行：普查表编号、户编号、县、村、普查员及其所属县、普查结果（enumerated 已普查、dissolved 户已消亡、moved_out 已迁出）、开始和结束时间、GPS。",
    &[
        "return_id",
        "household_id",
        "county_code",
        "village_code",
        "enumerator_id",
        "enumerator_home_county",
        "outcome",
        "start",
        "end",
        "gps_lat",
        "gps_lon",
    ],
);

pub(crate) const HOUSEHOLD: CensusSheet = sheet(
    "household",
    "One row per enumerated household's return: status, income by source, food and clothing. No row for a dissolved or moved-out household.",
    "每个已普查户的普查表一行：建档立卡状态、分项收入、吃穿情况。户已消亡或已迁出的不填。",
    &[
        "return_id",
        "status",
        "register_members",
        "income_year",
        "wages",
        "business_net",
        "property",
        "transfers",
        "in_kind",
        "income_per_person_stated",
        "food_adequate",
        "clothing_adequate",
        "protein_available",
    ],
);

pub(crate) const MEMBERS: CensusSheet = CensusSheet {
    one_per_return: false,
    ..sheet(
        "members",
        "One row per member, in the household's order, with their identity number.",
        "家庭成员每人一行，按户内顺序填写，含身份证号。",
        &[
            "return_id",
            "member_id",
            "birth_date",
            "age",
            "sex",
            "schooling",
            "basic_medical_insurance",
            "serious_illness_insurance",
            "medical_assistance",
            "id_number",
        ],
    )
};

pub(crate) const HOUSING: CensusSheet = sheet(
    "housing",
    "One row per enumerated household: housing safety as found.",
    "每个已普查户一行：住房安全情况。",
    &[
        "return_id",
        "site_dangerous",
        "load_bearing_walls",
        "foundation",
        "roof_truss",
        "wood_members",
        "inspector_grade",
        "renovation",
    ],
);

pub(crate) const WATER: CensusSheet = sheet(
    "water",
    "One row per enumerated household: drinking water as found.",
    "每个已普查户一行：饮水安全情况。",
    &[
        "return_id",
        "litres_per_person_day",
        "water_scarce_area",
        "piped_to_yard",
        "fetch_minutes",
        "horizontal_m",
        "vertical_m",
        "outage_days",
        "quality_ok",
    ],
);

pub(crate) const APPROVAL: CensusSheet = sheet(
    "approval",
    "One row per household asked the approval questions; no row when not asked.",
    "询问了群众认可度问题的户每户一行；未询问的不填。",
    &[
        "return_id",
        "approval_exit",
        "approval_policies",
        "approval_help_received",
        "approval_cadres_work",
    ],
);

pub(crate) const IDENTIFICATION: CensusSheet = sheet(
    "identification",
    "One row per household asked the identification questions; no row when not asked.",
    "询问了识别准确性问题的户每户一行；未询问的不填。",
    &[
        "return_id",
        "owns_vehicle",
        "vehicle_value_yuan",
        "urban_flat_or_shop",
        "registered_company",
        "public_payroll",
        "village_cadre",
    ],
);

pub(crate) const ASSISTANCE: CensusSheet = sheet(
    "assistance",
    "One row per return that records assistance received (amounts in yuan in the income year; blank: not asked).",
    "记录了所获帮扶的普查表每份一行（金额为收入年度的元数；空白表示未询问）。",
    &[
        "return_id",
        "industrial_support_yuan",
        "employment_support",
        "public_welfare_post",
        "relocated",
        "housing_renovation_yuan",
        "education_aid_yuan",
        "medical_aid_yuan",
        "minimum_living_allowance_yuan",
        "extreme_poverty_support",
        "microcredit",
    ],
);

/// Every sheet, in the workbook's order (the README sheet follows).
pub(crate) const CENSUS_SHEETS: [&CensusSheet; 8] = [
    &RETURNS,
    &HOUSEHOLD,
    &MEMBERS,
    &HOUSING,
    &WATER,
    &APPROVAL,
    &IDENTIFICATION,
    &ASSISTANCE,
];

/// The sheet that holds a column (other than `return_id`).
pub(crate) fn sheet_of(column: &str) -> &'static CensusSheet {
    CENSUS_SHEETS
        .iter()
        .copied()
        .find(|s| {
            s.columns[1..].contains(&column) || (s.name == "returns" && column == "return_id")
        })
        .unwrap_or(&RETURNS)
}

/// The names of the census workbook's sheets, in order (the `README` sheet last).
pub fn census_sheet_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = CENSUS_SHEETS.iter().map(|s| s.name).collect();
    names.push(crate::columns::README);
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sheets_hold_every_csv_column_once() {
        // In the CSV layout's order: the return's sheets, then the member's.
        let order = [
            &RETURNS,
            &HOUSEHOLD,
            &HOUSING,
            &WATER,
            &APPROVAL,
            &IDENTIFICATION,
            &ASSISTANCE,
            &MEMBERS,
        ];
        let mut columns: Vec<&str> = RETURNS.columns.to_vec();
        for s in &order[1..] {
            assert_eq!(s.columns[0], "return_id", "{}", s.name);
            columns.extend(&s.columns[1..]);
        }
        assert_eq!(columns, assess_census::csv_columns());
        for c in assess_census::csv_columns() {
            assert!(sheet_of(c).columns.contains(&c), "{c}");
        }
        assert_eq!(sheet_of("age").name, "members");
        assert_eq!(sheet_of("return_id").name, "returns");
    }
}
