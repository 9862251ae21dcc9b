//! The four external registries, read from CSV into compact indexes keyed by identity number.
//!
//! Only the rows some rule hits are kept (a vehicle under the value, a rural house, a
//! supervisor are counted and dropped), each as about 40 bytes plus its texts, sorted by the
//! number's 17 digits with a hash map from a number to its first row: a hash join, probed
//! once per household member.

use crate::error::{BadRows, CrosscheckError, RowError};
use crate::rules::{RegistryKind, Rules};
use crate::text::{fold, Column, Rows};
use assess_household::{mask_identity_numbers, IdNumber, IdWritten};
use std::collections::HashMap;
use std::io::Read;

/// Where each meaning sits among a registry's wanted columns.
struct Layout {
    columns: &'static [Column],
    /// What the rule compares: the kind (vehicles, property), role or employer.
    what: usize,
    /// A vehicle's value.
    value: Option<usize>,
    /// Shown with the evidence: plate (and kind), address, company.
    detail: Option<usize>,
}

const fn col(name: &'static str, aliases: &'static [&'static str], required: bool) -> Column {
    Column {
        name,
        aliases,
        required,
    }
}

// Column 0 is always the identity number and column 1 the name.
const VEHICLES: &[Column] = &[
    col(
        "owner_id",
        &["owner_id_number", "车主身份证号", "身份证号", "身份证号码"],
        true,
    ),
    col("owner_name", &["车主姓名", "姓名"], false),
    col("kind", &["车辆类型", "类型"], false),
    col(
        "value_yuan",
        &["价值", "车辆价值", "价值（元）", "价值(元)"],
        true,
    ),
    col("plate", &["号牌号码", "车牌号", "车牌号码"], false),
];
const PROPERTY: &[Column] = &[
    col(
        "owner_id",
        &[
            "owner_id_number",
            "权利人身份证号",
            "身份证号",
            "身份证号码",
        ],
        true,
    ),
    col("owner_name", &["权利人", "姓名"], false),
    col("kind", &["房屋类型", "类型", "用途"], true),
    col("address", &["location", "坐落", "地址"], false),
];
const BUSINESS: &[Column] = &[
    col("person_id", &["id_number", "身份证号", "身份证号码"], true),
    col("person_name", &["姓名"], false),
    col("role", &["职务", "角色", "身份"], true),
    col("company", &["企业名称", "名称"], false),
];
const PAYROLL: &[Column] = &[
    col("person_id", &["id_number", "身份证号", "身份证号码"], true),
    col("person_name", &["姓名"], false),
    col("employer", &["工作单位", "单位"], true),
];

fn layout(kind: RegistryKind) -> Layout {
    match kind {
        RegistryKind::Vehicles => Layout {
            columns: VEHICLES,
            what: 2,
            value: Some(3),
            detail: Some(4),
        },
        RegistryKind::Property => Layout {
            columns: PROPERTY,
            what: 2,
            value: None,
            detail: Some(3),
        },
        RegistryKind::Business => Layout {
            columns: BUSINESS,
            what: 2,
            value: None,
            detail: Some(3),
        },
        RegistryKind::Payroll => Layout {
            columns: PAYROLL,
            what: 2,
            value: None,
            detail: None,
        },
    }
}

/// The columns of a registry file, as documented (name, Chinese aliases, required).
pub fn registry_columns(kind: RegistryKind) -> &'static [Column] {
    layout(kind).columns
}

/// A piece of text kept in an index's arena.
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    start: u32,
    len: u32,
}

/// One kept row (and one rule it hits).
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: u64,
    line: u64,
    /// A vehicle's value in yuan (NaN for other registries).
    value: f64,
    rule: u16,
    written: IdWritten,
    what: Span,
    detail: Span,
    name: Span,
}

/// One registry's kept rows.
#[derive(Debug, Default)]
struct Index {
    file: String,
    entries: Vec<Entry>,
    first: HashMap<u64, u32>,
    arena: String,
}

impl Index {
    fn keep(&mut self, text: &str) -> Result<Span, ()> {
        let start = u32::try_from(self.arena.len()).map_err(|_| ())?;
        let len = u32::try_from(text.len()).map_err(|_| ())?;
        start.checked_add(len).ok_or(())?;
        self.arena.push_str(text);
        Ok(Span { start, len })
    }

    fn text(&self, span: Span) -> &str {
        &self.arena[span.start as usize..(span.start + span.len) as usize]
    }

    fn finish(&mut self) {
        self.entries.sort_by_key(|e| (e.key, e.line, e.rule));
        self.first.clear();
        self.first.reserve(self.entries.len());
        for (i, e) in self.entries.iter().enumerate().rev() {
            self.first.insert(e.key, i as u32);
        }
        self.entries.shrink_to_fit();
        self.arena.shrink_to_fit();
    }

    fn rows_of(&self, key: u64) -> &[Entry] {
        let Some(&start) = self.first.get(&key) else {
            return &[];
        };
        let start = start as usize;
        let len = self.entries[start..]
            .iter()
            .take_while(|e| e.key == key)
            .count();
        &self.entries[start..start + len]
    }
}

/// What reading one registry file found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RegistrySummary {
    /// Data rows read.
    pub rows: u64,
    /// Rows some rule hits, kept for linking.
    pub kept: u64,
    /// Rows whose identity number was not in the standard form (15-digit, full-width, ...).
    pub ids_normalised: u64,
}

/// A registry row that a rule hits, as linking hands it out.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryRow<'a> {
    /// The registry.
    pub registry: RegistryKind,
    /// Its file, as the caller named it.
    pub file: &'a str,
    /// The row's line in that file.
    pub line: u64,
    /// The position of the rule it hits in [`Rules::rules`].
    pub rule: usize,
    /// How the file wrote the identity number.
    pub written: IdWritten,
    /// A vehicle's value in yuan.
    pub value_yuan: Option<f64>,
    /// Kind, role or employer, as written.
    pub what: &'a str,
    /// Plate, address or company, as written (empty when not given).
    pub detail: &'a str,
    /// The name the registry gives (empty when not given).
    pub name: &'a str,
}

/// The external registries, each read once into a compact index, and the rules.
#[derive(Debug)]
pub struct Registries {
    rules: Rules,
    indexes: [Index; 4],
}

impl Registries {
    /// No registry read yet.
    pub fn new(rules: Rules) -> Registries {
        Registries {
            rules,
            indexes: Default::default(),
        }
    }

    /// The rules.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Reads one registry's CSV (UTF-8 or GB18030) from `input`; `file` names it in messages
    /// and evidence. A file with any bad row is refused whole, every bad row located (up to
    /// [`crate::LISTED_ROWS`] listed). Reading a registry again replaces it.
    pub fn read<R: Read>(
        &mut self,
        kind: RegistryKind,
        file: &str,
        input: R,
    ) -> Result<RegistrySummary, CrosscheckError> {
        let layout = layout(kind);
        let mut rows = Rows::new(file, input, layout.columns)?;
        let mut index = Index {
            file: file.to_string(),
            ..Index::default()
        };
        let mut bad = BadRows::default();
        let mut summary = RegistrySummary::default();
        let mut hit_rules = Vec::new();
        while let Some(row) = rows.next_row()? {
            summary.rows += 1;
            let row = match row {
                Ok(row) => row,
                Err(e) => {
                    bad.push(e);
                    continue;
                }
            };
            let line = row.line;
            let at = |i: usize, problem: String| RowError {
                file: file.to_string(),
                line,
                field: Some(layout.columns[i].name),
                problem,
            };
            let f = row.fields;
            let (id, written) = match IdNumber::normalise(&f[0]) {
                Ok(v) => v,
                Err(e) => {
                    bad.push(at(0, e.to_string()));
                    continue;
                }
            };
            let value = match layout.value {
                None => None,
                Some(i) => match parse_yuan(&f[i]) {
                    Ok(v) => Some(v),
                    Err(problem) => {
                        bad.push(at(i, problem));
                        continue;
                    }
                },
            };
            let what = f[layout.what].trim();
            if layout.columns[layout.what].required && what.is_empty() {
                bad.push(at(layout.what, "is empty".into()));
                continue;
            }
            if !written.is_standard() {
                summary.ids_normalised += 1;
            }
            if !bad.is_empty() {
                continue; // the file is refused: keep nothing more
            }
            hit_rules.clear();
            hit_rules.extend(self.rules.hits(kind, value, &fold(what)));
            if hit_rules.is_empty() {
                continue;
            }
            summary.kept += 1;
            let mut keep = |text: &str| {
                index.keep(text).map_err(|()| CrosscheckError::Read {
                    file: file.to_string(),
                    problem: "the rows the rules hit hold more than 4 GB of text; split the \
                              registry by province"
                        .into(),
                })
            };
            let what = keep(what)?;
            let detail = match layout.detail {
                Some(i) => keep(f[i].trim())?,
                None => Span::default(),
            };
            let name = keep(f[1].trim())?;
            for &rule in &hit_rules {
                index.entries.push(Entry {
                    key: id.key(),
                    line,
                    value: value.unwrap_or(f64::NAN),
                    rule,
                    written,
                    what,
                    detail,
                    name,
                });
            }
        }
        bad.into_result(file)?;
        index.finish();
        self.indexes[kind.index()] = index;
        Ok(summary)
    }

    /// The kept rows of every registry for one identity number, registry by registry, each
    /// in file order.
    pub fn rows_for(&self, id: &IdNumber) -> impl Iterator<Item = RegistryRow<'_>> + '_ {
        let key = id.key();
        RegistryKind::ALL.into_iter().flat_map(move |kind| {
            let index = &self.indexes[kind.index()];
            index.rows_of(key).iter().map(move |e| RegistryRow {
                registry: kind,
                file: &index.file,
                line: e.line,
                rule: usize::from(e.rule),
                written: e.written,
                value_yuan: (!e.value.is_nan()).then_some(e.value),
                what: index.text(e.what),
                detail: index.text(e.detail),
                name: index.text(e.name),
            })
        })
    }
}

/// A value in yuan: a number, 0 or more (spaces and thousands separators allowed).
fn parse_yuan(text: &str) -> Result<f64, String> {
    let t: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' '))
        .collect();
    if t.is_empty() {
        return Err("is empty: give the value in yuan".into());
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!(
            "{:?} is not a value in yuan (a number, 0 or more)",
            mask_identity_numbers(text.trim())
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "11010519491231002X";

    fn registries() -> Registries {
        Registries::new(Rules::built_in())
    }

    #[test]
    fn only_rows_a_rule_hits_are_kept() {
        let mut r = registries();
        let csv = format!(
            "owner_id,owner_name,value_yuan,plate,kind\n\
             {A},张三,56000,桂A12345,car\n\
             {A},张三,12000,桂A00001,car\n\
             {A},张三,90000,,tractor\n\
             110105491231002,张三,30000.01,桂A99999,car\n"
        );
        let s = r
            .read(RegistryKind::Vehicles, "v.csv", csv.as_bytes())
            .unwrap();
        assert_eq!(
            s,
            RegistrySummary {
                rows: 4,
                kept: 2,
                ids_normalised: 1
            }
        );
        let id = IdNumber::parse(A).unwrap();
        let rows: Vec<_> = r.rows_for(&id).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].line, rows[0].value_yuan), (2, Some(56000.0)));
        assert_eq!(
            (rows[0].detail, rows[0].what, rows[0].name),
            ("桂A12345", "car", "张三")
        );
        assert_eq!(rows[1].line, 5);
        assert!(rows[1].written.old_15_digit);
        let other = IdNumber::from_key(id.key() + 1).unwrap();
        assert_eq!(r.rows_for(&other).count(), 0);
    }

    #[test]
    fn every_bad_row_is_located_and_the_file_refused() {
        let mut r = registries();
        let csv = format!(
            "person_id,employer\n\
             {A},county finance bureau\n\
             110105194912310021,x\n\
             {A},\n\
             1101051949,y\n"
        );
        let e = r
            .read(RegistryKind::Payroll, "pay.csv", csv.as_bytes())
            .unwrap_err();
        let CrosscheckError::Rows { rows, total, .. } = &e else {
            panic!("{e}")
        };
        assert_eq!(*total, 3);
        let at: Vec<_> = rows.iter().map(|r| (r.line, r.field)).collect();
        assert_eq!(
            at,
            [
                (3, Some("person_id")),
                (4, Some("employer")),
                (5, Some("person_id"))
            ]
        );
        let text = e.to_string();
        assert!(
            text.contains("pay.csv: line 3, column person_id: identity number 110"),
            "{text}"
        );
        assert!(!text.contains("110105194912310021"), "{text}");
        let id = IdNumber::parse(A).unwrap();
        assert_eq!(r.rows_for(&id).count(), 0, "a refused file keeps nothing");
    }

    #[test]
    fn values_must_be_yuan() {
        assert_eq!(parse_yuan(" 56,000 "), Ok(56000.0));
        assert!(parse_yuan("-1").is_err());
        assert!(parse_yuan("五万").is_err());
        assert!(parse_yuan("").unwrap_err().contains("empty"));
    }
}
