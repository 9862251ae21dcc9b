//! The teams and counties files as bytes (the caller reads them), parsed into [`Team`]s and
//! [`County`]s with every problem located by line and column; and the assignment as CSV
//! bytes.
//!
//! - Teams: columns `team`, `province` (two digits), `capacity` (≥ 1), and optionally `lon`,
//!   `lat` (degrees) for the team's home; a row without them starts from its provincial
//!   capital (the first district of the province's first prefecture, `PP01xx`, in the 2016
//!   division list, which holds coordinates).
//! - Counties: a column `county` (six-digit codes) and optionally `lon`, `lat`; without them
//!   a county's centroid is that of the 832 poverty counties' list, else that of the 2016
//!   division list. Other columns are ignored.
//!
//! Coordinates from the embedded data are GCJ-02; the shift from WGS-84 (a few hundred
//! metres) does not matter for travel between provinces.

use crate::{Assignment, County, Team};
use assess_divisions::{poverty_county, Divisions, Vintage};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A (longitude, latitude) in degrees.
type LonLat = (f64, f64);

/// One problem of an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Line in the file (1 is the header).
    pub line: u64,
    /// The column's name (empty for the whole row or file).
    pub column: String,
    /// What is wrong, and what to do.
    pub reason: String,
}

/// An input file refused, with every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InputError {
    /// The file's name as the caller gave it.
    pub file: String,
    /// The problems, in file order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "{} refused, {n} problem{}:",
            self.file,
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            write!(f, "\n  {}: line {}", self.file, p.line)?;
            if !p.column.is_empty() {
                write!(f, ", column {}", p.column)?;
            }
            write!(f, ": {}", p.reason)?;
        }
        Ok(())
    }
}

/// A CSV read with its header's columns found by name.
pub(crate) struct Table {
    pub(crate) rows: Vec<(u64, csv::StringRecord)>,
    columns: BTreeMap<String, usize>,
}

pub(crate) fn table(bytes: &[u8], required: &[&str], problems: &mut Vec<Problem>) -> Option<Table> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            problems.push(csv_problem(&e));
            return None;
        }
    };
    let columns: BTreeMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim_start_matches('\u{feff}').to_lowercase(), i))
        .collect();
    for name in required {
        if !columns.contains_key(*name) {
            problems.push(Problem {
                line: 1,
                column: (*name).to_string(),
                reason: format!("the header has no column {name}"),
            });
        }
    }
    if columns.contains_key("lon") != columns.contains_key("lat") {
        problems.push(Problem {
            line: 1,
            column: if columns.contains_key("lon") {
                "lat"
            } else {
                "lon"
            }
            .into(),
            reason: "give both lon and lat, or neither".into(),
        });
    }
    if !problems.is_empty() {
        return None;
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => rows.push((r.position().map_or(0, |p| p.line()), r)),
            Err(e) => problems.push(csv_problem(&e)),
        }
    }
    Some(Table { rows, columns })
}

fn csv_problem(e: &csv::Error) -> Problem {
    Problem {
        line: e.position().map_or(0, |p| p.line()),
        column: String::new(),
        reason: format!("not readable as CSV: {e}"),
    }
}

impl Table {
    pub(crate) fn get<'r>(&self, row: &'r csv::StringRecord, column: &str) -> Option<&'r str> {
        self.columns.get(column).map(|&i| row.get(i).unwrap_or(""))
    }

    /// The row's location: `Ok(None)` when both cells are empty or the columns are absent.
    pub(crate) fn location(
        &self,
        line: u64,
        row: &csv::StringRecord,
        problems: &mut Vec<Problem>,
    ) -> Option<Option<(f64, f64)>> {
        let (Some(lon), Some(lat)) = (self.get(row, "lon"), self.get(row, "lat")) else {
            return Some(None);
        };
        if lon.is_empty() && lat.is_empty() {
            return Some(None);
        }
        let lon_ok = lon
            .parse::<f64>()
            .ok()
            .filter(|v| (-180.0..=180.0).contains(v));
        let lat_ok = lat
            .parse::<f64>()
            .ok()
            .filter(|v| (-90.0..=90.0).contains(v));
        if lon_ok.is_none() {
            problems.push(Problem {
                line,
                column: "lon".into(),
                reason: format!("{lon:?} is not a longitude in degrees (-180 to 180)"),
            });
        }
        if lat_ok.is_none() {
            problems.push(Problem {
                line,
                column: "lat".into(),
                reason: format!("{lat:?} is not a latitude in degrees (-90 to 90)"),
            });
        }
        Some(Some((lon_ok?, lat_ok?)))
    }
}

pub(crate) fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// The teams file: every row a team; refused whole with every problem located.
pub fn teams(file: &str, bytes: &[u8]) -> Result<Vec<Team>, InputError> {
    let mut problems = Vec::new();
    let refuse = |problems| InputError {
        file: file.to_string(),
        problems,
    };
    let Some(table) = table(bytes, &["team", "province", "capacity"], &mut problems) else {
        return Err(refuse(problems));
    };
    let mut teams = Vec::new();
    let mut need_capital: Vec<(u64, usize)> = Vec::new();
    let mut seen = BTreeMap::new();
    for (line, row) in &table.rows {
        let line = *line;
        let id = table.get(row, "team").unwrap_or("");
        let province = table.get(row, "province").unwrap_or("");
        let capacity = table.get(row, "capacity").unwrap_or("");
        let mut ok = true;
        if id.is_empty() {
            problems.push(problem(line, "team", "the team has no identifier".into()));
            ok = false;
        } else if let Some(first) = seen.insert(id.to_string(), line) {
            problems.push(problem(
                line,
                "team",
                format!("team {id} is listed twice (first on line {first})"),
            ));
            ok = false;
        }
        if !digits(province, 2) {
            problems.push(problem(
                line,
                "province",
                format!("{province:?} is not a province code: two digits, e.g. 52"),
            ));
            ok = false;
        }
        let capacity = match capacity.parse::<usize>() {
            Ok(c) if c >= 1 => c,
            _ => {
                problems.push(problem(
                    line,
                    "capacity",
                    format!(
                        "{capacity:?} is not a capacity: a whole number of counties, 1 or more"
                    ),
                ));
                ok = false;
                0
            }
        };
        let home = table.location(line, row, &mut problems);
        if !ok {
            continue;
        }
        let Some(home) = home else { continue };
        if home.is_none() {
            need_capital.push((line, teams.len()));
        }
        teams.push(Team {
            id: id.to_string(),
            province: province.to_string(),
            home: home.unwrap_or((0.0, 0.0)),
            capacity,
        });
    }
    if problems.is_empty() && !need_capital.is_empty() {
        let provinces: BTreeSet<&str> = need_capital
            .iter()
            .map(|&(_, i)| teams[i].province.as_str())
            .collect();
        let capitals = capitals(&provinces);
        for (line, i) in need_capital {
            match capitals.get(teams[i].province.as_str()) {
                Some(&home) => teams[i].home = home,
                None => problems.push(problem(
                    line,
                    "province",
                    format!(
                        "province {} has no capital in the division list; give the team's lon and lat",
                        teams[i].province
                    ),
                )),
            }
        }
    }
    if problems.is_empty() {
        Ok(teams)
    } else {
        Err(refuse(problems))
    }
}

pub(crate) fn problem(line: u64, column: &str, reason: String) -> Problem {
    Problem {
        line,
        column: column.to_string(),
        reason,
    }
}

/// The home of a team without coordinates: the first district with coordinates of the
/// province's first prefecture (`PP01`, the provincial capital in every province), 2016 list.
fn capitals(provinces: &BTreeSet<&str>) -> BTreeMap<String, (f64, f64)> {
    let candidates: Vec<String> = provinces
        .iter()
        .flat_map(|p| (1..100).map(move |i| format!("{p}01{i:02}")))
        .collect();
    let list = Divisions::load_counties(Vintage::V2016, &candidates);
    provinces
        .iter()
        .filter_map(|p| {
            (1..100)
                .find_map(|i| list.unit(&format!("{p}01{i:02}"))?.gcj02)
                .map(|at| (p.to_string(), at))
        })
        .collect()
}

/// The counties file: every row a county, named and placed from the embedded division data
/// unless the row gives lon and lat; refused whole with every problem located.
pub fn counties(file: &str, bytes: &[u8]) -> Result<Vec<County>, InputError> {
    let mut problems = Vec::new();
    let refuse = |problems| InputError {
        file: file.to_string(),
        problems,
    };
    let Some(table) = table(bytes, &["county"], &mut problems) else {
        return Err(refuse(problems));
    };
    // (line, code, coordinates given in the row)
    let mut rows: Vec<(u64, String, Option<LonLat>)> = Vec::new();
    let mut seen = BTreeMap::new();
    for (line, row) in &table.rows {
        let line = *line;
        let code = table.get(row, "county").unwrap_or("");
        let at = table.location(line, row, &mut problems);
        if !digits(code, 6) {
            problems.push(problem(
                line,
                "county",
                format!("{code:?} is not a county code: six digits, e.g. 530128"),
            ));
            continue;
        }
        if let Some(first) = seen.insert(code.to_string(), line) {
            problems.push(problem(
                line,
                "county",
                format!("county {code} is listed twice (first on line {first})"),
            ));
            continue;
        }
        if let Some(at) = at {
            rows.push((line, code.to_string(), at));
        }
    }
    if !problems.is_empty() {
        return Err(refuse(problems));
    }
    // The 2016 list only for the counties the poverty list does not place.
    let others: Vec<&str> = rows
        .iter()
        .filter(|(_, code, _)| {
            poverty_county(code)
                .and_then(|c| c.centroid_gcj02)
                .is_none()
        })
        .map(|(_, code, _)| code.as_str())
        .collect();
    let list = (!others.is_empty()).then(|| Divisions::load_counties(Vintage::V2016, &others));
    let mut counties = Vec::new();
    for (line, code, at) in rows {
        let poor = poverty_county(&code);
        let unit = list.as_ref().and_then(|l| l.unit(&code));
        let name = poor
            .map(|c| c.name.clone())
            .or_else(|| unit.map(|u| u.name.clone()));
        let centroid = at
            .or_else(|| poor.and_then(|c| c.centroid_gcj02))
            .or_else(|| unit.and_then(|u| u.gcj02));
        match (name, centroid) {
            (Some(name), Some(centroid)) => counties.push(County {
                name,
                code,
                centroid,
            }),
            (None, Some(centroid)) if at.is_some() => counties.push(County {
                name: String::new(),
                code,
                centroid,
            }),
            (None, _) => problems.push(problem(
                line,
                "county",
                format!("county {code} is in neither the 832 poverty counties nor the 2016 division list"),
            )),
            (Some(_), _) => problems.push(problem(
                line,
                "county",
                format!("county {code} has no centroid in the division data; give its lon and lat"),
            )),
        }
    }
    if problems.is_empty() {
        Ok(counties)
    } else {
        Err(refuse(problems))
    }
}

/// The counties of the 832 poverty counties' list in these provinces (two-digit codes; every
/// province when none is given), once each, in code order, named and placed from the list.
pub fn poverty_counties(provinces: &[String]) -> Vec<County> {
    let mut counties: BTreeMap<&str, County> = BTreeMap::new();
    for c in assess_divisions::poverty_counties() {
        let wanted =
            provinces.is_empty() || provinces.iter().any(|p| c.code.starts_with(p.as_str()));
        if let (true, Some(centroid)) = (wanted, c.centroid_gcj02) {
            counties.entry(c.code.as_str()).or_insert_with(|| County {
                code: c.code.clone(),
                name: c.name.clone(),
                centroid,
            });
        }
    }
    counties.into_values().collect()
}

/// The assignment as CSV: `county,county_name,team,team_province,distance_km`, one row per
/// county in input order, distances in km to the metre.
pub fn assignment_csv(teams: &[Team], counties: &[County], a: &Assignment) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "county",
        "county_name",
        "team",
        "team_province",
        "distance_km",
    ];
    // Writing to a Vec cannot fail.
    w.write_record(header).expect("write to memory");
    for p in &a.placements {
        let (c, t) = (&counties[p.county], &teams[p.team]);
        let km = format!("{:.3}", p.metres as f64 / 1000.0);
        w.write_record([&c.code, &c.name, &t.id, &t.province, &km])
            .expect("write to memory");
    }
    w.into_inner().expect("write to memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teams_parse_with_and_without_homes() {
        let text = "team,province,capacity,lon,lat\nGZ-1,52,2,106.7,26.6\nYN-1,53,1,,\n";
        let teams = teams("teams.csv", text.as_bytes()).unwrap();
        assert_eq!(teams[0].home, (106.7, 26.6));
        assert_eq!(teams[1].capacity, 1);
        // Kunming's first district.
        let (lon, lat) = teams[1].home;
        assert!(
            (102.0..103.5).contains(&lon) && (24.5..25.5).contains(&lat),
            "{lon},{lat}"
        );
    }

    #[test]
    fn bad_teams_are_located() {
        let text = "team,province,capacity\nA,520,1\nB,52,0\nA,53,1\n";
        let e = teams("t.csv", text.as_bytes()).unwrap_err();
        let where_: Vec<(u64, &str)> = e
            .problems
            .iter()
            .map(|p| (p.line, p.column.as_str()))
            .collect();
        assert_eq!(where_, [(2, "province"), (3, "capacity"), (4, "team")]);
        let e = teams("t.csv", b"team,capacity\nA,1\n").unwrap_err();
        assert_eq!(e.problems[0].column, "province");
        assert!(
            e.to_string().contains("t.csv: line 1, column province"),
            "{e}"
        );
    }

    #[test]
    fn counties_are_named_and_placed_from_the_embedded_data() {
        let text = "county\n530128\n110101\n";
        let c = counties("c.csv", text.as_bytes()).unwrap();
        assert_eq!(c[0].name, "禄劝彝族苗族自治县");
        assert_eq!(c[1].name, "东城区");
        assert_eq!(c[1].centroid, (116.41649, 39.928341));
        let e = counties("c.csv", b"county\n530128\n999999\n53012\n530128\n").unwrap_err();
        let lines: Vec<u64> = e.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [4, 5]);
        let e = counties("c.csv", b"county\n999999\n").unwrap_err();
        assert!(e.problems[0].reason.contains("neither"), "{e}");
    }

    #[test]
    fn poverty_counties_by_province() {
        // 88 in Yunnan; 831 codes in all (two source entries became one county, 632803).
        let yunnan = poverty_counties(&["53".to_string()]);
        assert_eq!(yunnan.len(), 88);
        assert!(yunnan.iter().all(|c| c.province() == "53"));
        assert_eq!(poverty_counties(&[]).len(), 831);
        assert!(poverty_counties(&["11".to_string()]).is_empty());
    }
}
