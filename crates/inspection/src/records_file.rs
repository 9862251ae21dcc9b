//! Visit records read from a file's text: a JSON array of records, or JSON Lines (one record
//! after another). Every record is parsed and validated, and all problems of a file are
//! returned together, each with the file, record number, line, household and field, so that
//! a file is refused whole (nothing half-imported) with everything to fix.

use crate::{Disposition, Gps, HouseholdRecord, InterviewMode, VisitRecord};
use serde::de::DeserializeOwned;
use serde_json::Value;
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
