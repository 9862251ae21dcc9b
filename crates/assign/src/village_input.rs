//! The interviewer pairs file and a village locations file as bytes (the caller reads them),
//! parsed with every problem located by line and column; and the split as CSV bytes.
//!
//! - Pairs: columns `pair`, `interviewer_1`, `interviewer_2` (account names), and optionally
//!   `lon`, `lat` (degrees) of the pair's start. A pair is listed once; each interviewer is in
//!   one pair only; a pair has two different interviewers.
//! - Locations: columns `village_code`, `lon`, `lat`; rows of villages not sampled are
//!   ignored.

use crate::input::{digits, problem, table, InputError, Problem};
use crate::villages::{LonLat, Pair, Split, Village};
use std::collections::BTreeMap;

/// An account name as the split's `interviewers` column may carry it: not empty, and no
/// space, comma, semicolon (the column's separator) or control character.
fn account_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some(
            "the interviewer is missing: a pair is two interviewers (give both account names)"
                .into(),
        );
    }
    name.chars()
        .find(|c| c.is_whitespace() || c.is_control() || *c == ';' || *c == ',')
        .map(|c| {
            format!(
                "{:?} is not an account name: it holds {:?} (no spaces, commas, semicolons or \
                 control characters)",
                name.escape_default().to_string(),
                c.escape_default().to_string()
            )
        })
}

/// The pairs file: every row a pair; refused whole with every problem located.
pub fn pairs(file: &str, bytes: &[u8]) -> Result<Vec<Pair>, InputError> {
    let mut problems = Vec::new();
    let refuse = |problems| InputError {
        file: file.to_string(),
        problems,
    };
    let columns = ["pair", "interviewer_1", "interviewer_2"];
    let Some(table) = table(bytes, &columns, &mut problems) else {
        return Err(refuse(problems));
    };
    let mut pairs = Vec::new();
    let mut seen_pair: BTreeMap<String, u64> = BTreeMap::new();
    // account → (pair, line)
    let mut seen_account: BTreeMap<String, (String, u64)> = BTreeMap::new();
    for (line, row) in &table.rows {
        let line = *line;
        let before = problems.len();
        let id = table.get(row, "pair").unwrap_or("");
        if id.is_empty() {
            problems.push(problem(line, "pair", "the pair has no identifier".into()));
        } else if let Some(first) = seen_pair.insert(id.to_string(), line) {
            problems.push(problem(
                line,
                "pair",
                format!("pair {id} is listed twice (first on line {first})"),
            ));
        }
        let names = ["interviewer_1", "interviewer_2"].map(|c| table.get(row, c).unwrap_or(""));
        for (column, name) in ["interviewer_1", "interviewer_2"].iter().zip(names) {
            if let Some(reason) = account_problem(name) {
                problems.push(problem(line, column, reason));
            }
        }
        if !names[0].is_empty() && names[0] == names[1] {
            problems.push(problem(
                line,
                "interviewer_2",
                format!(
                    "{} is both interviewers of pair {id}: a pair is two people",
                    names[1]
                ),
            ));
        } else {
            for (column, name) in ["interviewer_1", "interviewer_2"].iter().zip(names) {
                if name.is_empty() {
                    continue;
                }
                if let Some((other, first)) = seen_account.get(name) {
                    problems.push(problem(
                        line,
                        column,
                        format!(
                            "{name} is already in pair {other} (line {first}); an interviewer \
                             is in one pair only"
                        ),
                    ));
                } else {
                    seen_account.insert(name.to_string(), (id.to_string(), line));
                }
            }
        }
        let start = table.location(line, row, &mut problems);
        if problems.len() > before {
            continue;
        }
        pairs.push(Pair {
            id: id.to_string(),
            interviewers: names.map(str::to_string),
            start: start.flatten(),
        });
    }
    if problems.is_empty() && pairs.is_empty() {
        problems.push(Problem {
            line: 1,
            column: String::new(),
            reason: "the file lists no pair; give one row per interviewer pair".into(),
        });
    }
    if problems.is_empty() {
        Ok(pairs)
    } else {
        Err(refuse(problems))
    }
}

/// The locations file: village code → (lon, lat); refused whole with every problem located.
pub fn locations(file: &str, bytes: &[u8]) -> Result<BTreeMap<String, LonLat>, InputError> {
    let mut problems = Vec::new();
    let refuse = |problems| InputError {
        file: file.to_string(),
        problems,
    };
    let Some(table) = table(bytes, &["village_code", "lon", "lat"], &mut problems) else {
        return Err(refuse(problems));
    };
    let mut at = BTreeMap::new();
    let mut seen = BTreeMap::new();
    for (line, row) in &table.rows {
        let line = *line;
        let code = table.get(row, "village_code").unwrap_or("");
        let location = table.location(line, row, &mut problems);
        if !digits(code, 12) {
            problems.push(problem(
                line,
                "village_code",
                format!("{code:?} is not a village code: twelve digits, e.g. 530128001202"),
            ));
            continue;
        }
        if let Some(first) = seen.insert(code.to_string(), line) {
            problems.push(problem(
                line,
                "village_code",
                format!("village {code} is listed twice (first on line {first})"),
            ));
            continue;
        }
        match location {
            Some(Some(lonlat)) => {
                at.insert(code.to_string(), lonlat);
            }
            Some(None) => problems.push(problem(
                line,
                "lon",
                format!("village {code} has no lon and lat; give both, or leave the row out"),
            )),
            None => {}
        }
    }
    if problems.is_empty() {
        Ok(at)
    } else {
        Err(refuse(problems))
    }
}

/// The columns of the split's CSV, in order. The first four are what loading the split as
/// assignments reads.
pub const SPLIT_COLUMNS: [&str; 9] = [
    "draw_id",
    "county_code",
    "village_code",
    "interviewers",
    "pair",
    "village_name",
    "households",
    "reserves",
    "distance_km",
];

/// The split as CSV ([`SPLIT_COLUMNS`]), one row per village in input order: the pair's two
/// account names joined by `;`, distances in km to the metre (empty without coordinates).
pub fn split_csv(
    draw_id: &str,
    county: &str,
    villages: &[Village],
    pairs: &[Pair],
    split: &Split,
) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    w.write_record(SPLIT_COLUMNS).expect("write to memory");
    for (v, village) in villages.iter().enumerate() {
        let pair = &pairs[split.pair_of[v]];
        let km = split.metres[v].map_or(String::new(), |m| format!("{:.3}", m as f64 / 1000.0));
        w.write_record([
            draw_id,
            county,
            &village.code,
            &pair.interviewers.join(";"),
            &pair.id,
            &village.name,
            &village.households.to_string(),
            &village.reserves.to_string(),
            &km,
        ])
        .expect("write to memory");
    }
    w.into_inner().expect("write to memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(e: &InputError) -> Vec<(u64, &str)> {
        e.problems
            .iter()
            .map(|p| (p.line, p.column.as_str()))
            .collect()
    }

    #[test]
    fn pairs_parse_with_and_without_starts() {
        let text = "pair,interviewer_1,interviewer_2,lon,lat\nP1,zhang-san,li-si,102.5,25.6\nP2,wang-wu,zhao-liu,,\n";
        let pairs = pairs("pairs.csv", text.as_bytes()).unwrap();
        assert_eq!(pairs[0].interviewers, ["zhang-san", "li-si"]);
        assert_eq!(pairs[0].start, Some((102.5, 25.6)));
        assert_eq!(pairs[1].start, None);
    }

    #[test]
    fn bad_pairs_are_located() {
        let text = "pair,interviewer_1,interviewer_2\n\
                    P1,zhang-san,li-si\n\
                    P1,wang-wu,zhao-liu\n\
                    P3,li-si,qian-qi\n\
                    P4,sun-ba,\n\
                    P5,zhou-jiu,zhou-jiu\n\
                    P6,wu shi,zheng;yi\n";
        let e = pairs("pairs.csv", text.as_bytes()).unwrap_err();
        assert_eq!(
            lines(&e),
            [
                (3, "pair"),
                (4, "interviewer_1"),
                (5, "interviewer_2"),
                (6, "interviewer_2"),
                (7, "interviewer_1"),
                (7, "interviewer_2")
            ]
        );
        let text = e.to_string();
        assert!(
            text.contains("pair P1 is listed twice (first on line 2)"),
            "{text}"
        );
        assert!(
            text.contains("li-si is already in pair P1 (line 2)"),
            "{text}"
        );
        assert!(text.contains("a pair is two interviewers"), "{text}");
        let e = pairs("p.csv", b"pair,interviewer_1\nP1,a\n").unwrap_err();
        assert_eq!(lines(&e), [(1, "interviewer_2")]);
        let e = pairs("p.csv", b"pair,interviewer_1,interviewer_2\n").unwrap_err();
        assert!(e.to_string().contains("lists no pair"), "{e}");
    }

    #[test]
    fn locations_parse_and_refuse() {
        let at = locations("l.csv", b"village_code,lon,lat\n530128001202,102.4,25.5\n").unwrap();
        assert_eq!(at["530128001202"], (102.4, 25.5));
        let e = locations(
            "l.csv",
            b"village_code,lon,lat\n5301280012,102.4,25.5\n530128001202,402.4,25.5\n530128001203,,\n",
        )
        .unwrap_err();
        assert_eq!(lines(&e), [(2, "village_code"), (3, "lon"), (4, "lon")]);
    }
}
