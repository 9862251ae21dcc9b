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
