//! The national census return (issue 15): one household's return, as enumerators upload it,
//! read from JSON Lines or CSV (UTF-8 or GB18030) one return at a time, checked, judged by
//! the same inspection rules as a visit record, and hashed for idempotent ingest.
//!
//! For:
//! - [`CensusReturn`]: the return id, the household, its county and village, the enumerator
//!   (with their home county), times, GPS, the household section (exactly the visit record's
//!   [`assess_inspection::HouseholdRecord`]) and the assistance received
//!   (docs/census.md, "Returns");
//! - reading, streaming: [`JsonLinesReader`] (one return per line) and [`CsvReader`] (one row
//!   per member); each yields `Result<Numbered, ReturnError>`, the error naming file, line,
//!   field and reason, and goes on after a bad return so every one can be listed; memory
//!   holds one return, so 30 million returns never sit in memory at once;
//! - [`CsvSource`]: a CSV file cut into [`Block`]s of whole returns, so that each core
//!   parses its own (the census ingest); the same returns and errors as [`CsvReader`];
//! - writing: [`write_jsonl`] and [`CsvWriter`], the layouts the readers read;
//! - [`judge_return`]: a return's own checks, then [`assess_inspection::judge`] on its
//!   household section ([`JudgedReturn`], with flat [`Findings`]), and its content hash.
//!
//! - [`CensusSink`]: what an ingest writes to (a batch of rows with its checkpoint), so that
//!   the Parquet census store and a PostgreSQL store plug into one pipeline.
//!
//! Not for: files (callers open them and hand over readers and writers), storage, coverage,
//! quality checks across returns, cross-checks against other registries or tables. A return
//! whose end is before its start, whose interview took three minutes, whose fix is far from
//! its village or whose enumerator works in their own county is valid here: those are quality
//! findings, for the checks. No I/O.
//!
//! ```
//! use assess_census::{judge_return, write_jsonl, JsonLinesReader};
//! use assess_standards::Standards;
//! let r = assess_census::example_return();
//! let mut bytes = Vec::new();
//! write_jsonl(&mut bytes, &r).unwrap();
//! let read: Vec<_> = JsonLinesReader::new("returns.jsonl", &bytes[..]).collect();
//! let first = read.into_iter().next().unwrap().unwrap();
//! assert_eq!(first.line, 1);
//! let judged = judge_return(first.census_return, &Standards::builtin()).unwrap();
//! assert_eq!(judged.content_sha256, r.content_sha256());
//! ```
#![deny(missing_docs)]

mod blocks;
mod cells;
mod columns;
mod digest;
mod error;
mod jsonl;
mod judged;
pub mod limits;
mod model;
mod row;
mod sink;
mod table;

pub use blocks::{Block, CsvBlocks, CsvSource, Piece};
pub use columns::{column_alias, column_info, column_named, csv_columns, ColumnInfo, CSV_ALIASES};
pub use error::{Problem, ReturnError};
pub use jsonl::{write_jsonl, JsonLinesReader};
pub use judged::{judge_return, Findings, JudgedReturn};
pub use model::{Assistance, CensusReturn, Enumerator, ReturnOutcome, MAX_ID_CHARS};
pub use row::{
    answers_sha256, return_fields_columns, MemberRow, RegisterFields, RegisterRow, ReturnFields,
    ReturnRow, AMOUNT_COLUMNS, ATTAINMENT_COLUMNS, INCOME_COLUMN, RETURN_ID_COLUMNS,
    YES_NO_COLUMNS,
};
pub use sink::{Batch, CensusSink, Checkpoint, Counts, InputId, Reject};
pub use table::{check_cell, return_from_rows, return_rows, CsvReader, CsvWriter, RawReturn};

/// A return read from a file, with the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Numbered {
    /// 1-based line of the return (CSV: of its first row).
    pub line: u64,
    /// The return.
    pub census_return: CensusReturn,
}

/// An example return (an exited household of three meeting every rule), for documentation
/// and tests.
pub fn example_return() -> CensusReturn {
    use assess_household::Status;
    use assess_inspection::{
        Components, Gps, HouseholdRecord, Housing, IdNumber, IncomeBySource, MedicalCover, Member,
        Schooling, Sex, Water,
    };
    use assess_standards::ComponentGrade;
    let cover = MedicalCover {
        basic_medical_insurance: Some(true),
        serious_illness_insurance: Some(true),
        medical_assistance: Some(false),
    };
    let member = |id: &str, age: u32, sex: Sex, number: &str| Member {
        id: id.to_string(),
        birth_date: None,
        age: Some(age),
        sex: Some(sex),
        schooling: None,
        cover,
        id_number: IdNumber::parse(number).ok(),
    };
    let mut child = member("3", 10, Sex::Female, "530128200905120026");
    child.schooling = Some(Schooling::InSchool);
    let grade = Some(ComponentGrade::A);
    CensusReturn {
        return_id: "530128-0000001".to_string(),
        household_id: "530128105201-0001".to_string(),
        county_code: "530128".to_string(),
        village_code: "530128105201".to_string(),
        enumerator: Enumerator {
            id: "E530181-0001".to_string(),
            home_county: "530181".to_string(),
        },
        outcome: ReturnOutcome::Enumerated,
        start: "2020-07-03T09:30:00+08:00".to_string(),
        end: "2020-07-03T10:05:00+08:00".to_string(),
        gps: Some(Gps {
            lat: 25.55,
            lon: 102.47,
        }),
        household: Some(HouseholdRecord {
            household_id: "530128105201-0001".to_string(),
            status: Status::Exited,
            register_members: Some(3),
            members: vec![
                member("1", 40, Sex::Male, "530128197903150016"),
                member("2", 38, Sex::Female, "530128198107220022"),
                child,
            ],
            income_year: 2019,
            income: IncomeBySource {
                wages: Some(9000.0),
                business_net: Some(2000.0),
                property: Some(0.0),
                transfers: Some(1000.0),
                in_kind: Some(500.0),
            },
            food_adequate: Some(true),
            clothing_adequate: Some(true),
            protein_available: Some(true),
            housing: Housing {
                site_dangerous: Some(false),
                components: Components {
                    load_bearing_walls: grade,
                    foundation: grade,
                    roof_truss: grade,
                    wood_members: grade,
                },
                inspector_grade: None,
                renovation: None,
            },
            water: Water {
                litres_per_person_day: Some(60.0),
                water_scarce_area: Some(false),
                piped_to_yard: Some(true),
                fetch_minutes: None,
                horizontal_m: None,
                vertical_m: None,
                outage_days: Some(0),
                quality_ok: Some(true),
            },
            income_per_person_stated: None,
            approval: None,
            identification: None,
        }),
        assistance: Assistance {
            industrial_support_yuan: Some(1500.0),
            employment_support: Some(true),
            public_welfare_post: Some(false),
            relocated: Some(false),
            housing_renovation_yuan: None,
            education_aid_yuan: Some(500.0),
            medical_aid_yuan: Some(0.0),
            minimum_living_allowance_yuan: Some(0.0),
            extreme_poverty_support: Some(false),
            microcredit: Some(true),
        },
    }
}
