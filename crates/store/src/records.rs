//! Visit records: read from JSON (an array of records) or JSON Lines (one record after
//! another), checked whole, then stored in one transaction with versions.
//!
//! Rules: every record of a file is parsed and validated, and every household checked
//! against its draw, before anything is written; a file with any problem is refused whole
//! with every problem listed (file, record number, line, household, field). Importing the
//! same content again changes nothing; a record whose content changed adds exactly one new
//! version (the new one current) and keeps its predecessor.

use crate::{Store, StoreError};
use assess_inspection::{FindingState, VisitRecord};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::{BTreeSet, HashMap, HashSet};

/// One record of a file, with where it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberedVisit {
    /// 1-based position of the record in the file.
    pub number: usize,
    /// 1-based line where the record starts.
    pub line: usize,
    /// The record.
    pub visit: VisitRecord,
}

/// One problem with one record (or with the file as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordProblem {
    /// The file, as given.
    pub file: String,
    /// 1-based record number, when the problem is in a record.
    pub record: Option<usize>,
    /// 1-based line.
    pub line: Option<usize>,
    /// The record's household id, when it could be read.
    pub household_id: Option<String>,
    /// The field concerned, when known.
    pub field: Option<String>,
    /// What is wrong and what to do.
    pub message: String,
}

impl std::fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(r) = self.record {
            write!(f, ", record {r}")?;
        }
        if let Some(l) = self.line {
            write!(f, " (line {l})")?;
        }
        if let Some(h) = &self.household_id {
            write!(f, ", household {h}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Why visit records were not imported. In every case nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    /// The file or some records are invalid; every problem found is listed.
    #[error("{}", problems_text(.0))]
    Invalid(Vec<RecordProblem>),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

const SHOWN: usize = 50;

fn problems_text(problems: &[RecordProblem]) -> String {
    let mut text = format!(
        "{} problem{} found; nothing was imported",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for p in problems.iter().take(SHOWN) {
        text.push_str(&format!("\n  {p}"));
    }
    if problems.len() > SHOWN {
        text.push_str(&format!("\n  ... and {} more", problems.len() - SHOWN));
    }
    text
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct VisitImport {
    /// Households with no record before: version 1 added.
    pub new: usize,
    /// Households whose record changed: one new version added, the old one kept.
    pub changed: usize,
    /// Households whose current record is identical: nothing written.
    pub unchanged: usize,
}

/// One stored version of a household's visit record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VisitRow {
    /// The draw.
    pub draw_id: String,
    /// The household.
    pub household_id: String,
    /// 1, 2, ...
    pub version: i64,
    /// The disposition code.
    pub disposition: String,
    /// SHA-256 of the canonical record JSON.
    pub content_sha256: String,
    /// Whether this is the household's current version.
    pub is_current: bool,
    /// When it was imported (RFC 3339, UTC).
    pub imported_at: String,
    /// The file it came from.
    pub source_file: String,
}

/// Reads visit records from the text of `file`: a JSON array of records, or JSON Lines
/// (records one after another), told apart by the first character. Every record is parsed
/// and validated; all problems are returned together.
pub fn parse_visits(file: &str, text: &str) -> Result<Vec<NumberedVisit>, RecordsError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file_problem = |record: Option<usize>, line: Option<usize>, message: String| {
        RecordsError::Invalid(vec![RecordProblem {
            file: file.to_string(),
            record,
            line,
            household_id: None,
            field: None,
            message,
        }])
    };
    let Some(first) = text.trim_start().chars().next() else {
        return Err(file_problem(
            None,
            None,
            "the file holds no records".to_string(),
        ));
    };
    // Each record is turned into a `VisitRecord` as soon as it is read, so that a JSON Lines
    // file holds one JSON tree at a time (all of them at once took ten times the file's size:
    // 1.9 GB for 100,000 records, docs/benchmarks.md).
    let mut collector = Collector::new(file);
    if first == '[' {
        let starts = array_element_starts(text);
        match serde_json::from_str::<Vec<Value>>(text) {
            Ok(values) => {
                let mut lines = Lines::new(text);
                for (i, v) in values.into_iter().enumerate() {
                    collector.add(starts.get(i).map_or(1, |&o| lines.at(o)), v);
                }
            }
            Err(e) => {
                let offset = offset_of(text, e.line(), e.column());
                let record = starts.iter().filter(|&&s| s < offset).count().max(1);
                let line = starts
                    .get(record - 1)
                    .map_or(e.line(), |&o| line_of(text, o));
                return Err(file_problem(
                    Some(record),
                    Some(line.min(e.line())),
                    format!("malformed JSON: {e}"),
                ));
            }
        }
    } else {
        let mut lines = Lines::new(text);
        let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
        loop {
            let start = skip_whitespace(text, stream.byte_offset());
            match stream.next() {
                None => break,
                Some(Ok(v)) => collector.add(lines.at(start), v),
                Some(Err(e)) => {
                    return Err(file_problem(
                        Some(collector.records + 1),
                        Some(line_of(text, start).min(e.line())),
                        format!("malformed JSON: {e}"),
                    ))
                }
            }
        }
    }
    if collector.records == 0 {
        return Err(file_problem(
            None,
            None,
            "the file holds no records".to_string(),
        ));
    }
    if collector.problems.is_empty() {
        Ok(collector.visits)
    } else {
        Err(RecordsError::Invalid(collector.problems))
    }
}

/// The records of a file as they are read: each parsed and validated, its problems kept.
struct Collector<'f> {
    file: &'f str,
    /// Records read so far.
    records: usize,
    problems: Vec<RecordProblem>,
    visits: Vec<NumberedVisit>,
    seen: HashMap<(String, String), usize>,
}

impl<'f> Collector<'f> {
    fn new(file: &'f str) -> Collector<'f> {
        Collector {
            file,
            records: 0,
            problems: Vec::new(),
            visits: Vec::new(),
            seen: HashMap::new(),
        }
    }

    /// The next record, which starts at `line`.
    fn add(&mut self, line: usize, value: Value) {
        self.records += 1;
        let number = self.records;
        let household_id = value
            .get("household_id")
            .and_then(Value::as_str)
            .map(String::from);
        let file = self.file;
        let problems = &mut self.problems;
        let mut problem = |field: Option<String>, message: String| {
            problems.push(RecordProblem {
                file: file.to_string(),
                record: Some(number),
                line: Some(line),
                household_id: household_id.clone(),
                field,
                message,
            })
        };
        if !value.is_object() {
            problem(None, "is not a JSON object (a visit record)".to_string());
            return;
        }
        // From a reference: no copy of the record's JSON tree.
        let visit = match <VisitRecord as serde::Deserialize>::deserialize(&value) {
            Ok(v) => v,
            Err(e) => {
                let (field, message) = explain(&value, &e.to_string());
                problem(field, message);
                return;
            }
        };
        for p in visit.validate() {
            problem(Some(p.field), p.message);
        }
        let key = (visit.draw_id.clone(), visit.household_id.clone());
        if let Some(first) = self.seen.get(&key) {
            problem(
                Some("household_id".to_string()),
                format!("appears again (first at record {first}); give one record per household"),
            );
        } else {
            self.seen.insert(key, number);
        }
        self.visits.push(NumberedVisit {
            number,
            line,
            visit,
        });
    }
}

/// The field a deserialisation error concerns, and the message.
fn explain(value: &Value, message: &str) -> (Option<String>, String) {
    // serde names the field itself for missing and unknown fields.
    for marker in ["missing field `", "unknown field `"] {
        if let Some(rest) = message.split_once(marker).map(|(_, r)| r) {
            if let Some((name, _)) = rest.split_once('`') {
                return (Some(name.to_string()), message.to_string());
            }
        }
    }
    fn fails<T: DeserializeOwned>(value: &Value, key: &str) -> Option<String> {
        let v = value.get(key)?;
        serde_json::from_value::<T>(v.clone())
            .err()
            .map(|e| e.to_string())
    }
    use assess_inspection::{Disposition, Gps, HouseholdRecord, InterviewMode};
    let probes: [(&str, Option<String>); 10] = [
        ("draw_id", fails::<String>(value, "draw_id")),
        ("household_id", fails::<String>(value, "household_id")),
        ("disposition", fails::<Disposition>(value, "disposition")),
        ("mode", fails::<Option<InterviewMode>>(value, "mode")),
        ("team", fails::<String>(value, "team")),
        ("interviewers", fails::<[String; 2]>(value, "interviewers")),
        ("start", fails::<String>(value, "start")),
        ("end", fails::<String>(value, "end")),
        ("gps_start", fails::<Option<Gps>>(value, "gps_start")),
        (
            "household",
            fails::<Option<HouseholdRecord>>(value, "household"),
        ),
    ];
    for (field, err) in probes {
        if let Some(err) = err {
            return (Some(field.to_string()), err);
        }
    }
    if let Some(err) = fails::<Option<Gps>>(value, "gps_end") {
        return (Some("gps_end".to_string()), err);
    }
    (None, message.to_string())
}

/// Byte offsets where the top-level elements of a JSON array start (best effort on
/// malformed text: used to name the record an error is in).
fn array_element_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let (mut depth, mut in_string, mut escaped, mut expecting) = (0usize, false, false, false);
    for (i, c) in text.char_indices() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        if expecting && !c.is_whitespace() && c != ']' {
            starts.push(i);
            expecting = false;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                if depth == 1 {
                    expecting = true;
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 1 => expecting = true,
            _ => {}
        }
    }
    starts
}

/// Line numbers of increasing byte offsets, counted forward from the previous one, so a file
/// of n records is scanned once, not n times (an offset before the previous one restarts).
struct Lines<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    fn at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            (self.offset, self.line) = (0, 1);
        }
        self.line += self.text[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = offset;
        self.line
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

fn skip_whitespace(text: &str, offset: usize) -> usize {
    offset
        + text[offset..]
            .bytes()
            .take_while(|b| b.is_ascii_whitespace())
            .count()
}

/// The canonical JSON of a record (field order of the type, no whitespace) and its SHA-256.
pub fn canonical(visit: &VisitRecord) -> (String, String) {
    let json = serde_json::to_string(visit).expect("a visit record serialises");
    let hash = hex::encode(Sha256::digest(json.as_bytes()));
    (json, hash)
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

impl Store {
    /// Stores parsed records from `file` in one transaction: a record for a draw not in the
    /// database or a household outside its draw's sample refuses the whole file; identical
    /// records change nothing; a changed record adds one version.
    pub async fn import_visits(
        &self,
        file: &str,
        visits: &[NumberedVisit],
    ) -> Result<VisitImport, RecordsError> {
        let db = |e| RecordsError::Store(self.db_error(e));
        let mut tx = self.pool().begin().await.map_err(db)?;
        let draws: BTreeSet<&str> = visits.iter().map(|v| v.visit.draw_id.as_str()).collect();
        let mut sampled: HashMap<&str, Option<HashSet<String>>> = HashMap::new();
        let mut current: HashMap<(String, String), (i64, String)> = HashMap::new();
        for &draw in &draws {
            let known = sqlx::query("SELECT draw_id FROM draws WHERE draw_id = $1")
                .bind(draw)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?
                .is_some();
            if !known {
                sampled.insert(draw, None);
                continue;
            }
            let ids = sqlx::query("SELECT household_id FROM sample_households WHERE draw_id = $1")
                .bind(draw)
                .fetch_all(&mut *tx)
                .await
                .map_err(db)?
                .iter()
                .map(|r| r.try_get::<String, _>(0))
                .collect::<Result<HashSet<String>, _>>()
                .map_err(db)?;
            sampled.insert(draw, Some(ids));
            let rows = sqlx::query(
                "SELECT household_id, version, content_sha256 FROM visits \
                 WHERE draw_id = $1 AND is_current",
            )
            .bind(draw)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
            for r in rows {
                let household: String = r.try_get(0).map_err(db)?;
                current.insert(
                    (draw.to_string(), household),
                    (r.try_get(1).map_err(db)?, r.try_get(2).map_err(db)?),
                );
            }
        }
        let mut problems = Vec::new();
        for n in visits {
            let v = &n.visit;
            let message = match &sampled[v.draw_id.as_str()] {
                None => format!(
                    "draw {} is not in the database; import it first with `assess import-sample`",
                    v.draw_id
                ),
                Some(ids) if !ids.contains(&v.household_id) => format!(
                    "household {} is not in the sample of draw {} (neither a primary nor a reserve); \
                     records are taken only for sampled households",
                    v.household_id, v.draw_id
                ),
                Some(_) => continue,
            };
            problems.push(RecordProblem {
                file: file.to_string(),
                record: Some(n.number),
                line: Some(n.line),
                household_id: Some(v.household_id.clone()),
                field: Some(
                    if sampled[v.draw_id.as_str()].is_none() {
                        "draw_id"
                    } else {
                        "household_id"
                    }
                    .to_string(),
                ),
                message,
            });
        }
        // A record already reviewed changes only through review or appeal steps.
        let mut histories = HashMap::new();
        for &draw in sampled.iter().filter(|(_, s)| s.is_some()).map(|(d, _)| d) {
            let history = crate::review::load_history(&mut tx, draw, None)
                .await
                .map_err(db)?;
            histories.insert(draw, history);
        }
        for n in visits {
            let v = &n.visit;
            let key = (v.draw_id.clone(), v.household_id.clone());
            let changed = current
                .get(&key)
                .is_some_and(|(_, old)| *old != canonical(v).1);
            let history = histories
                .get(v.draw_id.as_str())
                .and_then(|h| h.get(&v.household_id));
            let Some((steps, versions)) = history.filter(|_| changed) else {
                continue;
            };
            let state =
                crate::review::state_from(steps, versions).unwrap_or(FindingState::Recorded);
            if !state.field_may_change() {
                problems.push(RecordProblem {
                    file: file.to_string(),
                    record: Some(n.number),
                    line: Some(n.line),
                    household_id: Some(v.household_id.clone()),
                    field: None,
                    message: format!(
                        "the record differs from the stored one, but its finding is {}: after review a record changes \
                         only through `assess finding review` or an appeal, never by a new field import",
                        state.code()
                    ),
                });
            }
        }
        if !problems.is_empty() {
            tx.rollback().await.map_err(db)?;
            return Err(RecordsError::Invalid(problems));
        }
        let imported_at = crate::now_rfc3339();
        let mut outcome = VisitImport::default();
        for n in visits {
            let v = &n.visit;
            let (json, hash) = canonical(v);
            let key = (v.draw_id.clone(), v.household_id.clone());
            let version = match current.get(&key) {
                Some((_, old)) if *old == hash => {
                    outcome.unchanged += 1;
                    continue;
                }
                Some((version, _)) => {
                    sqlx::query(
                        "UPDATE visits SET is_current = $1 \
                         WHERE draw_id = $2 AND household_id = $3 AND version = $4",
                    )
                    .bind(false)
                    .bind(&v.draw_id)
                    .bind(&v.household_id)
                    .bind(*version)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                    outcome.changed += 1;
                    version + 1
                }
                None => {
                    outcome.new += 1;
                    1
                }
            };
            insert_visit(
                &mut tx,
                v,
                version,
                &json,
                &hash,
                &imported_at,
                file,
                "field",
            )
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        tracing::info!(file, ?outcome, "visit records imported");
        Ok(outcome)
    }

    /// Stored visit records of one draw (or of every draw), by household and version: only
    /// the current versions, or every version.
    pub async fn visits(
        &self,
        draw_id: Option<&str>,
        all_versions: bool,
    ) -> Result<Vec<VisitRow>, StoreError> {
        macro_rules! select {
            () => {
                "SELECT draw_id, household_id, version, disposition, content_sha256, \
             CAST(CASE WHEN is_current THEN 1 ELSE 0 END AS BIGINT), imported_at, source_file \
                 FROM visits"
            };
        }
        macro_rules! order {
            () => {
                " ORDER BY draw_id, household_id, version"
            };
        }
        let query = match (draw_id, all_versions) {
            (Some(d), true) => {
                sqlx::query(concat!(select!(), " WHERE draw_id = $1", order!())).bind(d)
            }
            (Some(d), false) => sqlx::query(concat!(
                select!(),
                " WHERE draw_id = $1 AND is_current",
                order!()
            ))
            .bind(d),
            (None, true) => sqlx::query(concat!(select!(), "", order!())),
            (None, false) => sqlx::query(concat!(select!(), " WHERE is_current", order!())),
        };
        let rows = query
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.db_error(e))?;
        rows.iter()
            .map(|r| {
                Ok(VisitRow {
                    draw_id: r.try_get(0)?,
                    household_id: r.try_get(1)?,
                    version: r.try_get(2)?,
                    disposition: r.try_get(3)?,
                    content_sha256: r.try_get(4)?,
                    is_current: r.try_get::<i64, _>(5)? == 1,
                    imported_at: r.try_get(6)?,
                    source_file: r.try_get(7)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.db_error(e))
    }
}

/// Adds one version of a household's record, current; `stage` is `field`, `review` or `appeal`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_visit(
    tx: &mut Tx<'_>,
    v: &VisitRecord,
    version: i64,
    json: &str,
    hash: &str,
    imported_at: &str,
    file: &str,
    stage: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO visits (draw_id, household_id, version, disposition, record_json, content_sha256, \
         is_current, imported_at, source_file, stage) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&v.draw_id)
    .bind(&v.household_id)
    .bind(version)
    .bind(v.disposition.code())
    .bind(json)
    .bind(hash)
    .bind(true)
    .bind(imported_at)
    .bind(file)
    .bind(stage)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use assess_inspection::{example_visit, Disposition};

    fn two() -> (String, String) {
        let a = example_visit();
        let mut b = example_visit();
        b.household_id = "H002".to_string();
        b.disposition = Disposition::Refused;
        b.mode = None;
        b.household = None;
        let array = serde_json::to_string_pretty(&vec![&a, &b]).unwrap();
        let lines = format!(
            "{}\n{}\n",
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        (array, lines)
    }

    #[test]
    fn json_and_json_lines_read_the_same_records() {
        let (array, lines) = two();
        let a = parse_visits("a.json", &array).unwrap();
        let b = parse_visits("b.jsonl", &lines).unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(
            a.iter().map(|n| &n.visit).collect::<Vec<_>>(),
            b.iter().map(|n| &n.visit).collect::<Vec<_>>()
        );
        assert_eq!(
            (a[0].line, a[1].line),
            (2, line_of(&array, array_element_starts(&array)[1]))
        );
        assert_eq!((b[0].line, b[1].line), (1, 2));
        assert_eq!(canonical(&a[1].visit), canonical(&b[1].visit));
    }

    #[test]
    fn problems_name_file_record_line_household_and_field() {
        let (_, lines) = two();
        let bad = lines.replacen("\"refused\"", "\"absent\"", 1);
        let err = parse_visits("v.jsonl", &bad).unwrap_err().to_string();
        assert!(
            err.contains("v.jsonl, record 2 (line 2), household H002, field disposition: unknown variant `absent`"),
            "{err}"
        );
        let bad = lines.replacen("10:45:00", "08:45:00", 1);
        let err = parse_visits("v.jsonl", &bad).unwrap_err().to_string();
        assert!(
            err.contains("record 1 (line 1), household H001, field end:"),
            "{err}"
        );
        let broken = format!("{}{{\"draw_id\": \n", lines);
        let err = parse_visits("v.jsonl", &broken).unwrap_err().to_string();
        assert!(err.contains("record 3 (line 3): malformed JSON"), "{err}");
        let dup = format!("{lines}{}", lines.lines().next().unwrap());
        let err = parse_visits("v.jsonl", &dup).unwrap_err().to_string();
        assert!(err.contains("record 3 (line 3), household H001, field household_id: appears again (first at record 1)"), "{err}");
        assert!(parse_visits("e.json", " \n").is_err());
    }

    #[test]
    fn line_numbers_are_counted_forward_and_agree_with_a_full_count() {
        let text = "a\nbb\n\nccc\nd";
        let mut lines = Lines::new(text);
        for offset in [0, 1, 2, 5, 6, 6, 10, 11, 99] {
            assert_eq!(lines.at(offset), line_of(text, offset), "offset {offset}");
        }
        assert_eq!(lines.at(3), line_of(text, 3), "a smaller offset restarts");
        let (_, jsonl) = two();
        let first = jsonl.lines().next().unwrap();
        let many: String = (0..500)
            .map(|k| first.replace("H001", &format!("H{k:04}")) + "\n")
            .collect();
        let visits = parse_visits("m.jsonl", &many).unwrap();
        assert_eq!((visits[499].number, visits[499].line), (500, 500));
    }

    #[test]
    fn timestamps_are_rfc3339() {
        let t = crate::now_rfc3339();
        assert!(assess_inspection::parse_rfc3339(&t).is_some(), "{t}");
    }
}
