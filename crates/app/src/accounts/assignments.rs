//! Assignments loaded from files: counties to teams from the CSV `assess assign` writes
//! (`county,county_name,team,team_province,distance_km`; `county`, `team` and
//! `team_province` are read), and sampled villages to interviewers from a village split
//! (`draw_id,county_code,village_code,interviewers`, the names separated by `;`; other
//! columns are ignored). Every problem of a file is listed with its line and column, and
//! nothing is assigned unless both files are accepted whole.

use crate::error::AppError;
use assess_access::{
    good_name, is_county_code, is_province_code, may_assign, may_assign_village, province_of,
    Account, Role,
};
use assess_assign::input::{InputError, Problem};
use assess_store::accounts::{Assigned, Assignments, InterviewerVillage, TeamCounty};
use assess_store::Store;
use std::collections::{BTreeMap, BTreeSet};

/// A file given to load: its name as the user knows it (for messages) and its bytes.
#[derive(Debug, Clone, Copy)]
pub struct AssignmentFile<'a> {
    /// The file's name.
    pub name: &'a str,
    /// Its content.
    pub bytes: &'a [u8],
}

/// Loads counties to teams (`counties`) and villages to interviewers (`villages`) in one
/// transaction, after checking both whole; what is already assigned stays. A village's county
/// must be assigned to its interviewer's team, in the database or in `counties`.
pub async fn load_assignments(
    store: &Store,
    counties: Option<AssignmentFile<'_>>,
    villages: Option<AssignmentFile<'_>>,
) -> Result<Assigned, AppError> {
    let accounts: BTreeMap<String, (Account, bool)> = store
        .accounts()
        .await?
        .into_iter()
        .map(|r| (r.account.name.clone(), (r.account, r.revoked_at.is_some())))
        .collect();
    let team_counties = match counties {
        Some(file) => read_counties(file, &accounts)?,
        None => Vec::new(),
    };
    let team_villages = match villages {
        Some(file) => read_villages(store, file, &accounts, &team_counties).await?,
        None => Vec::new(),
    };
    Ok(store.assign(&team_counties, &team_villages).await?)
}

/// Loads the CSV `assess assign` writes: each county to its team.
pub async fn assign_counties_from_csv(
    store: &Store,
    file: &str,
    bytes: &[u8],
) -> Result<Assigned, AppError> {
    load_assignments(store, Some(AssignmentFile { name: file, bytes }), None).await
}

/// Loads a village split: each sampled village to its interviewers.
pub async fn assign_villages_from_csv(
    store: &Store,
    file: &str,
    bytes: &[u8],
) -> Result<Assigned, AppError> {
    load_assignments(store, None, Some(AssignmentFile { name: file, bytes })).await
}

/// Every assignment in the database.
pub async fn list_assignments(store: &Store) -> Result<Assignments, AppError> {
    Ok(store.assignments().await?)
}

/// A CSV file's rows (with their line numbers) and its columns by lower-case name.
struct Table {
    rows: Vec<(u64, csv::StringRecord)>,
    columns: BTreeMap<String, usize>,
}

impl Table {
    fn get<'r>(&self, row: &'r csv::StringRecord, column: &str) -> &'r str {
        self.columns
            .get(column)
            .and_then(|&i| row.get(i))
            .unwrap_or("")
    }
}

fn problem(line: u64, column: &str, reason: String) -> Problem {
    Problem {
        line,
        column: column.to_string(),
        reason,
    }
}

fn refused(file: AssignmentFile<'_>, problems: Vec<Problem>) -> AppError {
    AppError::AssignInput(InputError {
        file: file.name.to_string(),
        problems,
    })
}

/// Reads the CSV; a missing column or an unreadable row is every problem there is to say.
fn table(file: AssignmentFile<'_>, required: &[&str]) -> Result<Table, AppError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(file.bytes);
    let csv_problem = |e: csv::Error| {
        let line = e.position().map_or(0, |p| p.line());
        problem(line, "", format!("not readable as CSV (UTF-8): {e}"))
    };
    let headers = reader
        .headers()
        .map_err(|e| refused(file, vec![csv_problem(e)]))?
        .clone();
    let columns: BTreeMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim_start_matches('\u{feff}').to_lowercase(), i))
        .collect();
    let missing: Vec<Problem> = required
        .iter()
        .filter(|c| !columns.contains_key(**c))
        .map(|c| problem(1, c, format!("the header has no column {c}")))
        .collect();
    if !missing.is_empty() {
        return Err(refused(file, missing));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| refused(file, vec![csv_problem(e)]))?;
        let line = record.position().map_or(0, |p| p.line());
        rows.push((line, record));
    }
    if rows.is_empty() {
        return Err(refused(
            file,
            vec![problem(
                1,
                "",
                "the file has no rows after its header".into(),
            )],
        ));
    }
    Ok(Table { rows, columns })
}

/// The counties file: each row a county to a team, checked against the teams' province and
/// the accounts already in the team (a cross-assessor's own province).
fn read_counties(
    file: AssignmentFile<'_>,
    accounts: &BTreeMap<String, (Account, bool)>,
) -> Result<Vec<TeamCounty>, AppError> {
    let table = table(file, &["county", "team", "team_province"])?;
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    for (line, row) in &table.rows {
        let line = *line;
        let county = table.get(row, "county");
        let team = table.get(row, "team");
        let team_province = table.get(row, "team_province");
        let before = problems.len();
        if !is_county_code(county) {
            problems.push(problem(
                line,
                "county",
                format!("{county:?} is not a county code (six digits, e.g. 530128)"),
            ));
        } else if let Some(first) = seen.insert(county.to_string(), line) {
            problems.push(problem(
                line,
                "county",
                format!(
                    "county {county} is listed twice (first on line {first}); a county has \
                     one team"
                ),
            ));
        }
        if !good_name(team) {
            problems.push(problem(
                line,
                "team",
                format!("{team:?} is not a team name (1 to 64 characters, no ';')"),
            ));
        }
        if !is_province_code(team_province) {
            problems.push(problem(
                line,
                "team_province",
                format!("{team_province:?} is not a province code (two digits, e.g. 52)"),
            ));
        }
        if problems.len() > before {
            continue;
        }
        if province_of(county) == Some(team_province) {
            problems.push(problem(
                line,
                "county",
                format!(
                    "county {county} is in province {team_province}, the province of team \
                     {team}: no team assesses a county of its own province"
                ),
            ));
            continue;
        }
        for (account, _) in accounts
            .values()
            .filter(|(a, revoked)| !revoked && a.team.as_deref() == Some(team))
            .filter(|(a, _)| matches!(a.role, Role::TeamLeader | Role::CrossAssessor))
        {
            if let Err(refusal) = may_assign(account, county) {
                problems.push(problem(
                    line,
                    "team",
                    format!("team {team} has {}: {refusal}", account.name),
                ));
            }
        }
        out.push(TeamCounty {
            team: team.to_string(),
            county_code: county.to_string(),
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(refused(file, problems))
    }
}

/// The village split: each sampled village to one or more interviewers of the team its county
/// is assigned to.
async fn read_villages(
    store: &Store,
    file: AssignmentFile<'_>,
    accounts: &BTreeMap<String, (Account, bool)>,
    loading: &[TeamCounty],
) -> Result<Vec<InterviewerVillage>, AppError> {
    let table = table(
        file,
        &["draw_id", "county_code", "village_code", "interviewers"],
    )?;
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let mut draws: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    // Each team's counties: in the database, and in the counties file loaded with this one.
    let mut teams: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut seen: BTreeMap<(String, String), u64> = BTreeMap::new();
    for (line, row) in &table.rows {
        let line = *line;
        let draw = table.get(row, "draw_id");
        let county = table.get(row, "county_code");
        let village = table.get(row, "village_code");
        let names = table.get(row, "interviewers");
        if !draws.contains_key(draw) {
            let sampled = store.sampled_villages(draw).await?;
            draws.insert(draw.to_string(), sampled);
        }
        let sampled = &draws[draw];
        if sampled.is_empty() {
            problems.push(problem(
                line,
                "draw_id",
                format!("draw {draw:?} is not in the database; import it first"),
            ));
            continue;
        }
        match sampled.get(village) {
            None => {
                problems.push(problem(
                    line,
                    "village_code",
                    format!("village {village:?} is not in the sample of draw {draw}"),
                ));
                continue;
            }
            Some(c) if c != county => {
                problems.push(problem(
                    line,
                    "county_code",
                    format!("village {village} is in county {c}, not {county:?}"),
                ));
                continue;
            }
            Some(_) => {}
        }
        if let Some(first) = seen.insert((draw.to_string(), village.to_string()), line) {
            problems.push(problem(
                line,
                "village_code",
                format!(
                    "village {village} of draw {draw} is listed twice (first on line \
                     {first}); give all its interviewers on one line"
                ),
            ));
            continue;
        }
        let names: Vec<&str> = names.split(';').map(str::trim).collect();
        if names.iter().all(|n| n.is_empty()) {
            problems.push(problem(
                line,
                "interviewers",
                "no interviewer is named; give account names separated by ';'".into(),
            ));
            continue;
        }
        for name in names {
            let account = match accounts.get(name) {
                None => {
                    problems.push(problem(
                        line,
                        "interviewers",
                        format!("no account is named {name:?}; add it first"),
                    ));
                    continue;
                }
                Some((_, true)) => {
                    problems.push(problem(
                        line,
                        "interviewers",
                        format!("account {name:?} is revoked"),
                    ));
                    continue;
                }
                Some((account, false)) => account,
            };
            let team = account.team.clone().unwrap_or_default();
            if !teams.contains_key(&team) {
                let mut held = store.team_counties(&team).await?;
                held.extend(
                    loading
                        .iter()
                        .filter(|c| c.team == team)
                        .map(|c| c.county_code.clone()),
                );
                teams.insert(team.clone(), held);
            }
            if let Err(refusal) = may_assign_village(account, &teams[&team], county, village) {
                problems.push(problem(line, "interviewers", refusal.reason));
                continue;
            }
            out.push(InterviewerVillage {
                account: name.to_string(),
                draw_id: draw.to_string(),
                village_code: village.to_string(),
            });
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(refused(file, problems))
    }
}
