//! The rows as Arrow columns and back: one column per field, with the field's name; an
//! `Option` is a nullable column. Strings are UTF-8, counts unsigned 32-bit, times 64-bit
//! seconds, amounts and coordinates 64-bit floats, yes/no booleans.

use crate::error::StoreError;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray, UInt32Array,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use assess_census::{MemberRow, RegisterRow, ReturnRow};
use std::path::Path;
use std::sync::{Arc, LazyLock};

fn field(name: &str, t: DataType, nullable: bool) -> Field {
    Field::new(name, t, nullable)
}

use DataType::{Boolean as B, Float64 as F, Int64 as I, UInt32 as U, Utf8 as S};

/// The returns' columns, in [`ReturnRow`]'s field order.
pub static RETURN_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let f = |n, t| field(n, t, false);
    let o = |n, t| field(n, t, true);
    Arc::new(Schema::new(vec![
        f("return_id", S),
        f("household_id", S),
        f("province_code", S),
        f("county_code", S),
        f("village_code", S),
        f("enumerator_id", S),
        f("enumerator_home_county", S),
        f("outcome", S),
        f("start_unix", I),
        f("end_unix", I),
        o("gps_lat", F),
        o("gps_lon", F),
        f("content_sha256", S),
        o("answers_sha256", S),
        o("status", S),
        f("members", U),
        o("poverty_line", F),
        o("income_per_person", F),
        o("income_ok", B),
        o("food_clothing", B),
        o("education", B),
        o("medical", B),
        o("housing", B),
        o("water", B),
        o("guarantees", B),
        o("poor", B),
        o("approval_exit", B),
        o("industrial_support_yuan", F),
        o("housing_renovation_yuan", F),
        o("education_aid_yuan", F),
        o("medical_aid_yuan", F),
        o("minimum_living_allowance_yuan", F),
        o("employment_support", B),
        o("public_welfare_post", B),
        o("relocated", B),
        o("extreme_poverty_support", B),
        o("microcredit", B),
    ]))
});

/// The members' columns, in [`MemberRow`]'s field order.
pub static MEMBER_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        field("return_id", S, false),
        field("household_id", S, false),
        field("county_code", S, false),
        field("village_code", S, false),
        field("member_id", S, false),
        field("id_number", S, true),
        field("age", U, true),
        field("sex", S, true),
    ]))
});

/// The register's columns, in [`RegisterRow`]'s field order.
pub static REGISTER_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        field("household_id", S, false),
        field("province_code", S, false),
        field("county_code", S, false),
        field("township_code", S, false),
        field("village_code", S, false),
        field("status", S, false),
        field("members", U, false),
        field("lat", F, true),
        field("lon", F, true),
    ]))
});

fn s<'a, T: 'a>(rows: &'a [T], f: impl Fn(&'a T) -> &'a str) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(rows.iter().map(f)))
}
fn os<'a, T: 'a>(rows: &'a [T], f: impl Fn(&'a T) -> Option<&'a str>) -> ArrayRef {
    Arc::new(rows.iter().map(f).collect::<StringArray>())
}
fn i<T>(rows: &[T], f: impl Fn(&T) -> i64) -> ArrayRef {
    Arc::new(Int64Array::from_iter_values(rows.iter().map(f)))
}
fn u<T>(rows: &[T], f: impl Fn(&T) -> Option<u32>) -> ArrayRef {
    Arc::new(rows.iter().map(f).collect::<UInt32Array>())
}
fn fl<T>(rows: &[T], f: impl Fn(&T) -> Option<f64>) -> ArrayRef {
    Arc::new(rows.iter().map(f).collect::<Float64Array>())
}
fn b<T>(rows: &[T], f: impl Fn(&T) -> Option<bool>) -> ArrayRef {
    Arc::new(rows.iter().map(f).collect::<BooleanArray>())
}

fn batch(schema: &SchemaRef, columns: Vec<ArrayRef>) -> RecordBatch {
    RecordBatch::try_new(schema.clone(), columns).expect("the columns follow the schema")
}

/// Returns as a record batch.
pub fn returns_batch(rows: &[ReturnRow]) -> RecordBatch {
    batch(
        &RETURN_SCHEMA,
        vec![
            s(rows, |r| &r.return_id),
            s(rows, |r| &r.household_id),
            s(rows, |r| &r.province_code),
            s(rows, |r| &r.county_code),
            s(rows, |r| &r.village_code),
            s(rows, |r| &r.enumerator_id),
            s(rows, |r| &r.enumerator_home_county),
            s(rows, |r| r.outcome),
            i(rows, |r| r.start_unix),
            i(rows, |r| r.end_unix),
            fl(rows, |r| r.gps_lat),
            fl(rows, |r| r.gps_lon),
            s(rows, |r| &r.content_sha256),
            os(rows, |r| r.answers_sha256.as_deref()),
            os(rows, |r| r.status),
            u(rows, |r| Some(r.members)),
            fl(rows, |r| r.poverty_line),
            fl(rows, |r| r.income_per_person),
            b(rows, |r| r.income_ok),
            b(rows, |r| r.food_clothing),
            b(rows, |r| r.education),
            b(rows, |r| r.medical),
            b(rows, |r| r.housing),
            b(rows, |r| r.water),
            b(rows, |r| r.guarantees),
            b(rows, |r| r.poor),
            b(rows, |r| r.approval_exit),
            fl(rows, |r| r.industrial_support_yuan),
            fl(rows, |r| r.housing_renovation_yuan),
            fl(rows, |r| r.education_aid_yuan),
            fl(rows, |r| r.medical_aid_yuan),
            fl(rows, |r| r.minimum_living_allowance_yuan),
            b(rows, |r| r.employment_support),
            b(rows, |r| r.public_welfare_post),
            b(rows, |r| r.relocated),
            b(rows, |r| r.extreme_poverty_support),
            b(rows, |r| r.microcredit),
        ],
    )
}

/// Members as a record batch.
pub fn members_batch(rows: &[MemberRow]) -> RecordBatch {
    batch(
        &MEMBER_SCHEMA,
        vec![
            s(rows, |r| &r.return_id),
            s(rows, |r| &r.household_id),
            s(rows, |r| &r.county_code),
            s(rows, |r| &r.village_code),
            s(rows, |r| &r.member_id),
            os(rows, |r| r.id_number.as_deref()),
            u(rows, |r| r.age),
            os(rows, |r| r.sex),
        ],
    )
}

/// Register households as a record batch.
pub fn register_batch(rows: &[RegisterRow]) -> RecordBatch {
    batch(
        &REGISTER_SCHEMA,
        vec![
            s(rows, |r| &r.household_id),
            s(rows, |r| &r.province_code),
            s(rows, |r| &r.county_code),
            s(rows, |r| &r.township_code),
            s(rows, |r| &r.village_code),
            s(rows, |r| r.status),
            u(rows, |r| Some(r.members)),
            fl(rows, |r| r.lat),
            fl(rows, |r| r.lon),
        ],
    )
}

/// A batch read from a part, its columns found by name and checked.
pub(crate) struct Read<'a> {
    path: &'a Path,
    batch: &'a RecordBatch,
}

impl<'a> Read<'a> {
    pub(crate) fn new(path: &'a Path, batch: &'a RecordBatch) -> Read<'a> {
        Read { path, batch }
    }

    fn column<T: 'static>(&self, name: &str) -> Result<&'a T, StoreError> {
        let column = self
            .batch
            .column_by_name(name)
            .ok_or_else(|| StoreError::corrupt(self.path, format!("no column {name}")))?;
        column.as_any().downcast_ref::<T>().ok_or_else(|| {
            StoreError::corrupt(
                self.path,
                format!("column {name} has type {}", column.data_type()),
            )
        })
    }

    fn null(&self, name: &str) -> StoreError {
        StoreError::corrupt(self.path, format!("column {name} has an empty cell"))
    }

    pub(crate) fn strings(&self, name: &str) -> Result<Vec<String>, StoreError> {
        let a: &StringArray = self.column(name)?;
        if a.null_count() > 0 {
            return Err(self.null(name));
        }
        Ok(a.iter()
            .map(|v| v.unwrap_or_default().to_string())
            .collect())
    }

    pub(crate) fn opt_strings(&self, name: &str) -> Result<Vec<Option<String>>, StoreError> {
        let a: &StringArray = self.column(name)?;
        Ok(a.iter().map(|v| v.map(str::to_string)).collect())
    }

    /// A column of words, each one of `words` (the `&'static str` of the row).
    pub(crate) fn words(
        &self,
        name: &str,
        words: &[&'static str],
    ) -> Result<Vec<Option<&'static str>>, StoreError> {
        let a: &StringArray = self.column(name)?;
        a.iter()
            .map(|v| match v {
                None => Ok(None),
                Some(v) => words
                    .iter()
                    .find(|w| **w == v)
                    .map(|w| Some(*w))
                    .ok_or_else(|| {
                        StoreError::corrupt(self.path, format!("column {name} holds {v:?}"))
                    }),
            })
            .collect()
    }

    pub(crate) fn required_words(
        &self,
        name: &str,
        words: &[&'static str],
    ) -> Result<Vec<&'static str>, StoreError> {
        self.words(name, words)?
            .into_iter()
            .map(|w| w.ok_or_else(|| self.null(name)))
            .collect()
    }

    pub(crate) fn i64s(&self, name: &str) -> Result<Vec<i64>, StoreError> {
        let a: &Int64Array = self.column(name)?;
        if a.null_count() > 0 {
            return Err(self.null(name));
        }
        Ok(a.values().to_vec())
    }

    pub(crate) fn opt_u32s(&self, name: &str) -> Result<Vec<Option<u32>>, StoreError> {
        let a: &UInt32Array = self.column(name)?;
        Ok(a.iter().collect())
    }

    pub(crate) fn u32s(&self, name: &str) -> Result<Vec<u32>, StoreError> {
        self.opt_u32s(name)?
            .into_iter()
            .map(|v| v.ok_or_else(|| self.null(name)))
            .collect()
    }

    pub(crate) fn f64s(&self, name: &str) -> Result<Vec<Option<f64>>, StoreError> {
        let a: &Float64Array = self.column(name)?;
        Ok(a.iter().collect())
    }

    pub(crate) fn bools(&self, name: &str) -> Result<Vec<Option<bool>>, StoreError> {
        let a: &BooleanArray = self.column(name)?;
        Ok(a.iter().collect())
    }
}

const OUTCOMES: &[&str] = &["enumerated", "dissolved", "moved_out"];
const STATUSES: &[&str] = &["exited", "poor", "non_registered"];
const SEXES: &[&str] = &["male", "female"];

/// The returns of a batch read from `path`.
pub(crate) fn returns_of(path: &Path, batch: &RecordBatch) -> Result<Vec<ReturnRow>, StoreError> {
    let r = Read::new(path, batch);
    let mut return_id = r.strings("return_id")?.into_iter();
    let mut household_id = r.strings("household_id")?.into_iter();
    let mut province_code = r.strings("province_code")?.into_iter();
    let mut county_code = r.strings("county_code")?.into_iter();
    let mut village_code = r.strings("village_code")?.into_iter();
    let mut enumerator_id = r.strings("enumerator_id")?.into_iter();
    let mut home = r.strings("enumerator_home_county")?.into_iter();
    let outcome = r.required_words("outcome", OUTCOMES)?;
    let start = r.i64s("start_unix")?;
    let end = r.i64s("end_unix")?;
    let gps_lat = r.f64s("gps_lat")?;
    let gps_lon = r.f64s("gps_lon")?;
    let mut content = r.strings("content_sha256")?.into_iter();
    let mut answers = r.opt_strings("answers_sha256")?.into_iter();
    let status = r.words("status", STATUSES)?;
    let members = r.u32s("members")?;
    let poverty_line = r.f64s("poverty_line")?;
    let income_per_person = r.f64s("income_per_person")?;
    let [income_ok, food_clothing, education, medical, housing, water, guarantees, poor, approval_exit, employment_support, public_welfare_post, relocated, extreme_poverty_support, microcredit] =
        [
            "income_ok",
            "food_clothing",
            "education",
            "medical",
            "housing",
            "water",
            "guarantees",
            "poor",
            "approval_exit",
            "employment_support",
            "public_welfare_post",
            "relocated",
            "extreme_poverty_support",
            "microcredit",
        ]
        .map(|n| r.bools(n));
    let (income_ok, food_clothing, education, medical, housing, water, guarantees, poor) = (
        income_ok?,
        food_clothing?,
        education?,
        medical?,
        housing?,
        water?,
        guarantees?,
        poor?,
    );
    let (approval_exit, employment_support, public_welfare_post, relocated, extreme, microcredit) = (
        approval_exit?,
        employment_support?,
        public_welfare_post?,
        relocated?,
        extreme_poverty_support?,
        microcredit?,
    );
    let industrial = r.f64s("industrial_support_yuan")?;
    let renovation = r.f64s("housing_renovation_yuan")?;
    let education_aid = r.f64s("education_aid_yuan")?;
    let medical_aid = r.f64s("medical_aid_yuan")?;
    let allowance = r.f64s("minimum_living_allowance_yuan")?;
    let mut rows = Vec::with_capacity(batch.num_rows());
    for k in 0..batch.num_rows() {
        let next = |it: &mut std::vec::IntoIter<String>| it.next().unwrap_or_default();
        rows.push(ReturnRow {
            return_id: next(&mut return_id),
            household_id: next(&mut household_id),
            province_code: next(&mut province_code),
            county_code: next(&mut county_code),
            village_code: next(&mut village_code),
            enumerator_id: next(&mut enumerator_id),
            enumerator_home_county: next(&mut home),
            outcome: outcome[k],
            start_unix: start[k],
            end_unix: end[k],
            gps_lat: gps_lat[k],
            gps_lon: gps_lon[k],
            content_sha256: next(&mut content),
            answers_sha256: answers.next().flatten(),
            status: status[k],
            members: members[k],
            poverty_line: poverty_line[k],
            income_per_person: income_per_person[k],
            income_ok: income_ok[k],
            food_clothing: food_clothing[k],
            education: education[k],
            medical: medical[k],
            housing: housing[k],
            water: water[k],
            guarantees: guarantees[k],
            poor: poor[k],
            approval_exit: approval_exit[k],
            industrial_support_yuan: industrial[k],
            housing_renovation_yuan: renovation[k],
            education_aid_yuan: education_aid[k],
            medical_aid_yuan: medical_aid[k],
            minimum_living_allowance_yuan: allowance[k],
            employment_support: employment_support[k],
            public_welfare_post: public_welfare_post[k],
            relocated: relocated[k],
            extreme_poverty_support: extreme[k],
            microcredit: microcredit[k],
        });
    }
    Ok(rows)
}

/// The members of a batch read from `path`.
pub(crate) fn members_of(path: &Path, batch: &RecordBatch) -> Result<Vec<MemberRow>, StoreError> {
    let r = Read::new(path, batch);
    let return_id = r.strings("return_id")?;
    let household_id = r.strings("household_id")?;
    let county_code = r.strings("county_code")?;
    let village_code = r.strings("village_code")?;
    let member_id = r.strings("member_id")?;
    let id_number = r.opt_strings("id_number")?;
    let age = r.opt_u32s("age")?;
    let sex = r.words("sex", SEXES)?;
    Ok(itertools_zip(
        return_id,
        household_id,
        county_code,
        village_code,
        member_id,
        id_number,
        age,
        sex,
    ))
}

#[allow(clippy::too_many_arguments)]
fn itertools_zip(
    return_id: Vec<String>,
    household_id: Vec<String>,
    county_code: Vec<String>,
    village_code: Vec<String>,
    member_id: Vec<String>,
    id_number: Vec<Option<String>>,
    age: Vec<Option<u32>>,
    sex: Vec<Option<&'static str>>,
) -> Vec<MemberRow> {
    let mut out = Vec::with_capacity(return_id.len());
    let mut it = (
        return_id.into_iter(),
        household_id.into_iter(),
        county_code.into_iter(),
        village_code.into_iter(),
        member_id.into_iter(),
        id_number.into_iter(),
    );
    for (age, sex) in age.into_iter().zip(sex) {
        out.push(MemberRow {
            return_id: it.0.next().unwrap_or_default().into(),
            household_id: it.1.next().unwrap_or_default().into(),
            county_code: it.2.next().unwrap_or_default().into(),
            village_code: it.3.next().unwrap_or_default().into(),
            member_id: it.4.next().unwrap_or_default(),
            id_number: it.5.next().flatten(),
            age,
            sex,
        });
    }
    out
}

/// The register households of a batch read from `path`.
pub(crate) fn register_of(
    path: &Path,
    batch: &RecordBatch,
) -> Result<Vec<RegisterRow>, StoreError> {
    let r = Read::new(path, batch);
    let household_id = r.strings("household_id")?;
    let mut province = r.strings("province_code")?.into_iter();
    let mut county = r.strings("county_code")?.into_iter();
    let mut township = r.strings("township_code")?.into_iter();
    let mut village = r.strings("village_code")?.into_iter();
    let status = r.required_words("status", STATUSES)?;
    let members = r.u32s("members")?;
    let lat = r.f64s("lat")?;
    let lon = r.f64s("lon")?;
    Ok(household_id
        .into_iter()
        .enumerate()
        .map(|(k, household_id)| RegisterRow {
            household_id,
            province_code: province.next().unwrap_or_default(),
            county_code: county.next().unwrap_or_default(),
            township_code: township.next().unwrap_or_default(),
            village_code: village.next().unwrap_or_default(),
            status: status[k],
            members: members[k],
            lat: lat[k],
            lon: lon[k],
        })
        .collect())
}
