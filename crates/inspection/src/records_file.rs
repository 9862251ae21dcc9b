//! Visit records read from a file's text: a JSON array of records, or JSON Lines (one record
//! after another). Every record is parsed and validated, and all problems of a file are
//! returned together, each with the file, record number, line, household and field, so that
//! a file is refused whole (nothing half-imported) with everything to fix.

use crate::limits::quoted;
use crate::{mask_identity_numbers, Disposition, Gps, HouseholdRecord, InterviewMode, VisitRecord};
use serde::de::{DeserializeOwned, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::HashMap;

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

/// Every problem found in a file of visit records (nothing of it may be imported).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", problems_text(.0))]
pub struct RecordProblems(pub Vec<RecordProblem>);

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

/// [`parse_visits`] on a file's bytes: bytes that are not UTF-8 are refused with the record
/// and line they are in (and UTF-16 or UTF-32 text is named as such).
pub fn parse_visit_bytes(file: &str, bytes: &[u8]) -> Result<Vec<NumberedVisit>, RecordProblems> {
    let problem = |record: Option<usize>, line: Option<usize>, message: String| {
        RecordProblems(vec![RecordProblem {
            file: file.to_string(),
            record,
            line,
            household_id: None,
            field: None,
            message,
        }])
    };
    if let Some(name) = wide_encoding(bytes) {
        return Err(problem(
            None,
            None,
            format!("the file is {name} text, not UTF-8; save it as UTF-8"),
        ));
    }
    let error = match std::str::from_utf8(bytes) {
        Ok(text) => return parse_visits(file, text),
        Err(e) => e,
    };
    let at = error.valid_up_to();
    let valid = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
    let line = line_of(valid, valid.len());
    let column = valid[valid.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    let before = valid.strip_prefix('\u{feff}').unwrap_or(valid);
    let record = if before.trim_start().starts_with('[') {
        array_element_starts(before).len().max(1)
    } else {
        serde_json::Deserializer::from_str(before)
            .into_iter::<serde::de::IgnoredAny>()
            .take_while(Result::is_ok)
            .count()
            + 1
    };
    Err(problem(
        Some(record),
        Some(line),
        format!(
            "the byte 0x{:02X} at line {line} column {column} (byte {} of the file) is not UTF-8; \
             save the file as UTF-8 (a file saved as GBK or GB18030 must be converted)",
            bytes[at],
            at + 1
        ),
    ))
}

/// The name of a UTF-16 or UTF-32 encoding the bytes start with (a byte-order mark, or the
/// zero bytes ASCII text has in them), if any.
pub(crate) fn wide_encoding(bytes: &[u8]) -> Option<&'static str> {
    let head = &bytes[..bytes.len().min(4)];
    match head {
        [0xFF, 0xFE, 0, 0] => Some("UTF-32 (little-endian)"),
        [0, 0, 0xFE, 0xFF] => Some("UTF-32 (big-endian)"),
        [0xFF, 0xFE, ..] => Some("UTF-16 (little-endian)"),
        [0xFE, 0xFF, ..] => Some("UTF-16 (big-endian)"),
        [a, 0, 0, 0] if *a != 0 => Some("UTF-32 (little-endian)"),
        [0, 0, 0, a] if *a != 0 => Some("UTF-32 (big-endian)"),
        [a, 0, b, 0] if *a != 0 && *b != 0 => Some("UTF-16 (little-endian)"),
        [0, a, 0, b] if *a != 0 && *b != 0 => Some("UTF-16 (big-endian)"),
        _ => None,
    }
}

/// A JSON value read like [`Value`], but refusing an object that holds a key twice
/// (serde_json would keep the last one silently).
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

/// The prefix of the error [`Strict`] gives for a key given twice.
const DUPLICATE_KEY: &str = "duplicate key ";

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Strict::deserialize(d).map(|s| s.0)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(A::Error::custom(format!(
                    "{DUPLICATE_KEY}{} in one object; a key may be given once: keep the right one",
                    quoted(&key)
                )));
            }
            let Strict(value) = map.next_value()?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// The message for a JSON syntax error (or a key given twice).
fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if text.starts_with(DUPLICATE_KEY) {
        text
    } else {
        format!("malformed JSON: {text}")
    }
}

/// Reads visit records from the text of `file`: a JSON array of records, or JSON Lines
/// (records one after another), told apart by the first character. Every record is parsed
/// and validated; all problems are returned together.
pub fn parse_visits(file: &str, text: &str) -> Result<Vec<NumberedVisit>, RecordProblems> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file_problem = |record: Option<usize>, line: Option<usize>, message: String| {
        RecordProblems(vec![RecordProblem {
            file: file.to_string(),
            record,
            line,
            household_id: None,
            field: None,
            message: mask_identity_numbers(&message),
        }])
    };
    if let Some(name) = wide_encoding(text.as_bytes()) {
        return Err(file_problem(
            None,
            None,
            format!("the file is {name} text, not UTF-8; save it as UTF-8"),
        ));
    }
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
        match serde_json::from_str::<Vec<Strict>>(text) {
            Ok(values) => {
                let mut lines = Lines::new(text);
                for (i, Strict(v)) in values.into_iter().enumerate() {
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
                    json_message(&e),
                ));
            }
        }
    } else {
        let mut lines = Lines::new(text);
        let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Strict>();
        loop {
            let start = skip_whitespace(text, stream.byte_offset());
            match stream.next() {
                None => break,
                Some(Ok(Strict(v))) => collector.add(lines.at(start), v),
                Some(Err(e)) => {
                    return Err(file_problem(
                        Some(collector.records + 1),
                        Some(line_of(text, start).min(e.line())),
                        json_message(&e),
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
        Err(RecordProblems(collector.problems))
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
        // Quoted in every problem of the record: cut short, control characters escaped.
        let household_id = value
            .get("household_id")
            .and_then(Value::as_str)
            .map(printable_id);
        let file = self.file;
        let problems = &mut self.problems;
        let mut problem = |field: Option<String>, message: String| {
            problems.push(RecordProblem {
                file: file.to_string(),
                record: Some(number),
                line: Some(line),
                household_id: household_id.clone(),
                field,
                message: mask_identity_numbers(&message),
            })
        };
        if !value.is_object() {
            problem(None, "is not a JSON object (a visit record)".to_string());
            return;
        }
        // From a reference: no copy of the record's JSON tree.
        let visit = match VisitRecord::deserialize(&value) {
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

/// A household id as messages show it: as given when it is short printable text, else
/// quoted and cut short.
fn printable_id(id: &str) -> String {
    let plain = id.chars().count() <= crate::limits::HOUSEHOLD_ID_CHARS
        && !id.chars().any(crate::limits::is_control);
    if plain {
        id.to_string()
    } else {
        quoted(id)
    }
}

/// The path (`household.housing.colour`, `household.members[2].cover.x`) of the first key
/// named `name` in the record, breadth first (the outermost).
fn path_of_key(value: &Value, name: &str) -> Option<String> {
    let mut queue = std::collections::VecDeque::from([(String::new(), value)]);
    while let Some((path, v)) = queue.pop_front() {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    let here = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    if k == name {
                        return Some(here);
                    }
                    queue.push_back((here, child));
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    queue.push_back((format!("{path}[{i}]"), child));
                }
            }
            _ => {}
        }
    }
    None
}

/// The field a deserialisation error concerns, and the message.
fn explain(value: &Value, message: &str) -> (Option<String>, String) {
    // serde names the field itself for missing and unknown fields.
    if let Some(rest) = message.split_once("unknown field `").map(|(_, r)| r) {
        if let Some((name, _)) = rest.split_once('`') {
            let field = path_of_key(value, name).unwrap_or_else(|| name.to_string());
            return (
                Some(field),
                format!(
                    "{message}; the record format has no such field (docs/records.md): correct \
                     its name or remove it"
                ),
            );
        }
    }
    if let Some(rest) = message.split_once("missing field `").map(|(_, r)| r) {
        if let Some((name, _)) = rest.split_once('`') {
            return (Some(name.to_string()), message.to_string());
        }
    }
    fn fails<T: DeserializeOwned>(value: &Value, key: &str) -> Option<String> {
        let v = value.get(key)?;
        serde_json::from_value::<T>(v.clone())
            .err()
            .map(|e| e.to_string())
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::example_visit;
    use crate::Disposition;

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
        assert_eq!(a[1].visit.content_sha256(), b[1].visit.content_sha256());
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
    fn unknown_fields_are_refused_at_every_level_with_their_path() {
        let (_, lines) = two();
        let first = lines.lines().next().unwrap();
        for (from, to, path) in [
            (
                "\"renovation\"",
                "\"colour\": 1, \"renovation\"",
                "household.housing.colour",
            ),
            (
                "\"wages\"",
                "\"tips\": 1, \"wages\"",
                "household.income.tips",
            ),
            (
                "\"quality_ok\"",
                "\"taste\": 1, \"quality_ok\"",
                "household.water.taste",
            ),
            (
                "\"basic_medical_insurance\"",
                "\"dental\": true, \"basic_medical_insurance\"",
                "household.members[0].cover.dental",
            ),
            (
                "\"income_year\"",
                "\"pets\": 2, \"income_year\"",
                "household.pets",
            ),
        ] {
            let bad = first.replacen(from, to, 1);
            assert_ne!(bad, first, "{from}");
            let err = parse_visits("v.jsonl", &bad).unwrap_err().to_string();
            assert!(
                err.contains(&format!("field {path}: unknown field")),
                "{err}"
            );
        }
    }

    #[test]
    fn a_key_twice_in_an_object_is_refused() {
        let (array, lines) = two();
        let first = lines.lines().next().unwrap();
        let bad = format!(
            "{}\n{}",
            first,
            first.replacen("\"team\":", "\"team\": \"x\", \"team\":", 1)
        );
        let err = parse_visits("v.jsonl", &bad).unwrap_err().to_string();
        assert!(
            err.contains("record 2 (line 2): duplicate key \"team\""),
            "{err}"
        );
        let bad = array.replacen("\"wages\":", "\"wages\": 1, \"wages\":", 1);
        let err = parse_visits("v.json", &bad).unwrap_err().to_string();
        assert!(err.contains("record 1 (line "), "{err}");
        assert!(err.contains("duplicate key \"wages\""), "{err}");
    }

    #[test]
    fn bytes_that_are_not_utf8_name_record_and_line() {
        let (_, lines) = two();
        let mut bytes = lines.clone().into_bytes();
        let second = lines.find('\n').unwrap() + 20;
        bytes[second] = 0xFF;
        let err = parse_visit_bytes("v.jsonl", &bytes)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("record 2 (line 2): the byte 0xFF at line 2 column 20"),
            "{err}"
        );
        let utf16: Vec<u8> = "[{}]".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let err = parse_visit_bytes("v.json", &utf16).unwrap_err().to_string();
        assert!(err.contains("UTF-16 (little-endian)"), "{err}");
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
}
