//! Choosing the division-code list a file's village codes are checked against.

use assess_divisions::{Divisions, VillageCode, Vintage};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Above this many counties one full load (~0.5 s) beats filtering by a county list.
const FILTER_LIMIT: usize = 64;

/// Where a village code is first used and how often.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CodeUse {
    pub first_line: u64,
    pub rows: u64,
}

/// The distinct village codes of a file.
#[derive(Debug, Default)]
pub(crate) struct CodeUses(HashMap<String, CodeUse>, Option<(String, CodeUse)>);

impl CodeUses {
    pub fn add(&mut self, code: &str, line: u64) {
        // Registers list a village's households together: count repeats of the last code
        // without hashing, and allocate only for a code not seen before.
        if let Some((last, u)) = &mut self.1 {
            if last == code {
                u.rows += 1;
                return;
            }
        }
        self.flush();
        let usage = match self.0.remove(code) {
            Some(u) => CodeUse {
                rows: u.rows + 1,
                ..u
            },
            None => CodeUse {
                first_line: line,
                rows: 1,
            },
        };
        self.1 = Some((code.to_string(), usage));
    }

    /// Adds the uses counted in a later part of the file.
    pub fn merge(&mut self, mut later: CodeUses) {
        later.flush();
        if later.0.is_empty() {
            return;
        }
        self.flush();
        for (code, usage) in later.0 {
            self.0
                .entry(code)
                .and_modify(|u| u.rows += usage.rows)
                .or_insert(usage);
        }
    }

    /// Puts the code being counted into the map.
    pub fn flush(&mut self) {
        if let Some((code, u)) = self.1.take() {
            self.0.insert(code, u);
        }
    }
}

/// The chosen list, whether it was detected, and the codes it does not know.
pub(crate) struct Resolved {
    pub vintage: Vintage,
    pub detected: bool,
    /// The loaded units of the file's counties; `None` when the file has no valid code.
    pub divisions: Option<Arc<Divisions>>,
    /// Unknown codes with their use, by first line.
    pub unknown: Vec<(String, CodeUse)>,
}

/// Uses the forced vintage, or the newest that knows every code; failing that, the one
/// knowing the most (ties to the newer), whose unknown codes are then errors.
pub(crate) fn resolve(codes: &mut CodeUses, forced: Option<Vintage>) -> Resolved {
    codes.flush();
    let codes = &*codes;
    if codes.0.is_empty() {
        // Nothing to check: skip decompressing the lists.
        let vintage = forced.unwrap_or(Vintage::NEWEST_FIRST[0]);
        return Resolved {
            vintage,
            detected: forced.is_none(),
            divisions: None,
            unknown: Vec::new(),
        };
    }
    let counties = counties(codes);
    let candidates: &[Vintage] = match forced {
        Some(ref v) => std::slice::from_ref(v),
        None => &Vintage::NEWEST_FIRST,
    };
    let mut best: Option<Resolved> = None;
    for &vintage in candidates {
        let divisions = load(vintage, &counties);
        let unknown = unknown_codes(codes, &divisions);
        let done = unknown.is_empty();
        if best
            .as_ref()
            .is_none_or(|b| unknown.len() < b.unknown.len())
        {
            best = Some(Resolved {
                vintage,
                detected: forced.is_none(),
                divisions: Some(divisions),
                unknown,
            });
        }
        if done {
            break;
        }
    }
    // `candidates` is never empty, so `best` is set; the fallback only satisfies the types.
    best.unwrap_or_else(|| Resolved {
        vintage: Vintage::V2023,
        detected: true,
        divisions: None,
        unknown: Vec::new(),
    })
}

fn counties(codes: &CodeUses) -> Vec<String> {
    let mut counties: Vec<String> = codes.0.keys().map(|c| c[..6].to_string()).collect();
    counties.sort();
    counties.dedup();
    counties
}

/// The last whole list loaded, kept for the next file only: a draw checks the village file
/// and then the register against the same list, and loading it takes about a second. The
/// next file takes it out of here, so that it is freed with that file's result and is not
/// held for the rest of the run.
static NEXT_FILE: Mutex<Option<(Vintage, Arc<Divisions>)>> = Mutex::new(None);

fn load(vintage: Vintage, counties: &[String]) -> Arc<Divisions> {
    if counties.len() <= FILTER_LIMIT {
        tracing::debug!(%vintage, counties = counties.len(), "loading division codes");
        return Arc::new(Divisions::load_counties(vintage, counties));
    }
    let mut kept = NEXT_FILE.lock().unwrap_or_else(PoisonError::into_inner);
    match kept.take() {
        Some((v, divisions)) if v == vintage => divisions,
        _ => {
            tracing::debug!(%vintage, counties = counties.len(), "loading division codes");
            let divisions = Arc::new(Divisions::load(vintage));
            *kept = Some((vintage, divisions.clone()));
            divisions
        }
    }
}

fn unknown_codes(codes: &CodeUses, divisions: &Divisions) -> Vec<(String, CodeUse)> {
    let mut unknown: Vec<(String, CodeUse)> = codes
        .0
        .iter()
        .filter(|(code, _)| {
            // Codes were checked for 12 digits before being added.
            VillageCode::parse(code).map_or(true, |c| divisions.village(&c).is_none())
        })
        .map(|(code, u)| (code.clone(), *u))
        .collect();
    // By first line, then by code: two codes can share a first line (line numbers count
    // line feeds, so a file ending its lines with CR alone has only line 1).
    unknown.sort_by(|(a, u), (b, v)| (u.first_line, a).cmp(&(v.first_line, b)));
    unknown
}
