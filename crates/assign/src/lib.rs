//! Cross-assessment assignment: assessor teams placed on the counties of other provinces at
//! the least total travel, exactly.
//!
//! Each county gets exactly one team; a team takes at most its capacity; no team assesses a
//! county of its own province (a county's province is the first two digits of its code);
//! optionally, no two provinces assess each other (if teams of A assess counties of B, no
//! team of B assesses a county of A). The total travel is the sum of great-circle distances
//! (geo's haversine, in whole metres) from each team's home to each of its counties.
//!
//! How, and why the result is an optimum and not a guess ([`assign`]; `docs/assign.md`):
//! each team is expanded into as many slots as its capacity, and pathfinding's Kuhn–Munkres
//! solves the counties × slots assignment with a forbidden pair at a cost higher than any
//! allowed assignment, so that the optimum uses one only when no allowed assignment exists.
//! The rule against mutual assessment is enforced by branch and bound over the direction each
//! pair of provinces may take: every branch is solved exactly, and its cost is a lower bound
//! for all assignments below it.
//!
//! Main items: [`Team`], [`County`], [`assign`] → [`Assignment`], [`AssignError`]; [`input`]
//! parses the teams and counties files (bytes in, located problems out) and gives counties
//! their names and centroids from the embedded division data.
//!
//! Within a county, [`villages::split`] shares the sampled villages among a team's
//! interviewer pairs (workload within a tolerance of the mean, least travel; exact given the
//! pairs' bases), and [`village_input`] parses the pairs file and writes the split as CSV.
//!
//! Not for: reading or writing files (the caller does), or the schedule of visits.
#![deny(missing_docs)]

pub mod input;
pub mod village_input;
pub mod villages;

use geo::{Distance, Haversine, Point};
use pathfinding::prelude::{kuhn_munkres_min, Matrix};
use std::collections::BTreeSet;

/// An assessor team.
#[derive(Debug, Clone, PartialEq)]
pub struct Team {
    /// The team's identifier, e.g. `"GZ-1"`.
    pub id: String,
    /// The team's home province: the first two digits of its division codes, e.g. `"52"`.
    pub province: String,
    /// Where its travel starts, (longitude, latitude) in degrees.
    pub home: (f64, f64),
    /// The most counties it may take (at least 1).
    pub capacity: usize,
}

/// A county to be assessed.
#[derive(Debug, Clone, PartialEq)]
pub struct County {
    /// Its six-digit code; the first two digits are its province.
    pub code: String,
    /// Its name (for the output; may be empty).
    pub name: String,
    /// Its centroid, (longitude, latitude) in degrees.
    pub centroid: (f64, f64),
}

impl County {
    /// The county's province: the first two digits of its code.
    pub fn province(&self) -> &str {
        self.code.get(..2).unwrap_or("")
    }
}

/// What the assignment must respect beyond the rules every assignment keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// No two provinces assess each other in the same round.
    pub no_mutual: bool,
    /// With `no_mutual`: the most assignment problems the search may solve before it gives up
    /// with [`AssignError::SearchTooLarge`] (each is one Kuhn–Munkres run over every county).
    pub max_solves: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            no_mutual: false,
            max_solves: DEFAULT_MAX_SOLVES,
        }
    }
}

/// One county and the team placed on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// Index of the county in the input.
    pub county: usize,
    /// Index of the team in the input.
    pub team: usize,
    /// Great-circle distance from the team's home to the county's centroid, whole metres.
    pub metres: i64,
}

/// The optimal assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// One placement per county, in the order of the input counties.
    pub placements: Vec<Placement>,
    /// The sum of the placements' distances, metres; no assignment keeping the rules has less.
    pub total_metres: i64,
}

impl Assignment {
    /// How many counties each team takes, in the order of the input teams.
    pub fn loads(&self, teams: usize) -> Vec<usize> {
        let mut loads = vec![0; teams];
        for p in &self.placements {
            loads[p.team] += 1;
        }
        loads
    }
}

/// Why no assignment was made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AssignError {
    /// A team's capacity is 0.
    #[error("team {team}: capacity is 0; a team takes at least one county")]
    ZeroCapacity {
        /// The team.
        team: String,
    },
    /// A team's province is not two digits.
    #[error("team {team}: province {province:?} is not a province code (two digits, e.g. 52)")]
    BadProvince {
        /// The team.
        team: String,
        /// What was given.
        province: String,
    },
    /// A county code is not six digits.
    #[error("county {code:?} is not a county code (six digits, e.g. 530128)")]
    BadCounty {
        /// What was given.
        code: String,
    },
    /// Two teams share an identifier.
    #[error("team {team} is listed twice")]
    DuplicateTeam {
        /// The identifier.
        team: String,
    },
    /// A county is listed twice.
    #[error("county {county} is listed twice")]
    DuplicateCounty {
        /// The county code.
        county: String,
    },
    /// A coordinate is not a longitude and latitude.
    #[error("{what}: ({lon}, {lat}) is not a longitude in [-180, 180] and latitude in [-90, 90]")]
    BadLocation {
        /// Which team or county.
        what: String,
        /// Longitude given.
        lon: f64,
        /// Latitude given.
        lat: f64,
    },
    /// The teams together cannot take every county.
    #[error("{counties} counties but the teams take {capacity} in all; add teams or capacity")]
    NotEnoughCapacity {
        /// Counties to assess.
        counties: usize,
        /// Sum of the capacities.
        capacity: usize,
    },
    /// The teams of other provinces cannot take every county of one province.
    #[error(
        "county {county} cannot be placed: the {counties} counties of province {province} need \
         teams of other provinces, whose capacity is {capacity} in all; add teams from other \
         provinces or capacity"
    )]
    ProvinceShort {
        /// The first county of the province that finds no team.
        county: String,
        /// Its province.
        province: String,
        /// Counties of the province.
        counties: usize,
        /// Capacity of the teams of other provinces.
        capacity: usize,
    },
    /// Every assignment has two provinces assessing each other.
    #[error(
        "no assignment keeps provinces from assessing each other: every one places teams of \
         some pair of provinces on each other's counties; allow it, or add teams or capacity"
    )]
    MutualUnavoidable,
    /// The search against mutual assessment grew too large to finish.
    #[error(
        "the search for an assignment without mutual assessment solved {solved} assignment \
         problems without finishing; allow more, split the round into groups of fewer \
         provinces, or allow mutual assessment"
    )]
    SearchTooLarge {
        /// Problems solved before stopping.
        solved: usize,
    },
}

/// The default of [`Options::max_solves`].
pub const DEFAULT_MAX_SOLVES: usize = 2_000;

/// Great-circle distance in whole metres between two (longitude, latitude) points.
pub fn metres(from: (f64, f64), to: (f64, f64)) -> i64 {
    let d = Haversine.distance(Point::new(from.0, from.1), Point::new(to.0, to.1));
    d.round() as i64
}

/// The assignment of least total travel keeping the rules, or why there is none.
///
/// Exact: the same inputs always give the same assignment, and no assignment keeping the rules
/// travels less (ties are broken by the order of the inputs, deterministically).
pub fn assign(
    teams: &[Team],
    counties: &[County],
    options: Options,
) -> Result<Assignment, AssignError> {
    check(teams, counties)?;
    if counties.is_empty() {
        return Ok(Assignment {
            placements: Vec::new(),
            total_metres: 0,
        });
    }
    let problem = Problem::new(teams, counties);
    if !options.no_mutual {
        return problem
            .solve(&BTreeSet::new())
            .ok_or(AssignError::MutualUnavoidable); // unreachable: `check` proved feasibility
    }
    let mut search = Search {
        problem: &problem,
        best: None,
        solved: 0,
        max_solves: options.max_solves,
    };
    search.branch(&BTreeSet::new())?;
    search.best.ok_or(AssignError::MutualUnavoidable)
}

/// The inputs' own checks, and Hall's condition, which here is exactly: the capacity covers
/// all counties, and for each province, the teams of the other provinces cover its counties.
/// (A set of counties from two provinces or more can take any team, so no other set binds.)
fn check(teams: &[Team], counties: &[County]) -> Result<(), AssignError> {
    let mut ids = BTreeSet::new();
    for t in teams {
        if t.capacity == 0 {
            return Err(AssignError::ZeroCapacity { team: t.id.clone() });
        }
        if t.province.len() != 2 || !t.province.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AssignError::BadProvince {
                team: t.id.clone(),
                province: t.province.clone(),
            });
        }
        check_location(&format!("team {}", t.id), t.home)?;
        if !ids.insert(t.id.as_str()) {
            return Err(AssignError::DuplicateTeam { team: t.id.clone() });
        }
    }
    let mut codes = BTreeSet::new();
    for c in counties {
        if c.code.len() != 6 || !c.code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AssignError::BadCounty {
                code: c.code.clone(),
            });
        }
        check_location(&format!("county {}", c.code), c.centroid)?;
        if !codes.insert(c.code.as_str()) {
            return Err(AssignError::DuplicateCounty {
                county: c.code.clone(),
            });
        }
    }
    let capacity: usize = teams.iter().map(|t| t.capacity).sum();
    if capacity < counties.len() {
        return Err(AssignError::NotEnoughCapacity {
            counties: counties.len(),
            capacity,
        });
    }
    let provinces: BTreeSet<&str> = counties.iter().map(County::province).collect();
    for province in provinces {
        let mine: Vec<&County> = counties
            .iter()
            .filter(|c| c.province() == province)
            .collect();
        let outside: usize = teams
            .iter()
            .filter(|t| t.province != province)
            .map(|t| t.capacity)
            .sum();
        if mine.len() > outside {
            return Err(AssignError::ProvinceShort {
                county: mine[outside].code.clone(),
                province: province.to_string(),
                counties: mine.len(),
                capacity: outside,
            });
        }
    }
    Ok(())
}

fn check_location(what: &str, (lon, lat): (f64, f64)) -> Result<(), AssignError> {
    if (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) {
        Ok(())
    } else {
        Err(AssignError::BadLocation {
            what: what.to_string(),
            lon,
            lat,
        })
    }
}

/// Provinces as numbers (the two digits), for the forbidden directions.
fn province_number(code: &str) -> u8 {
    code.bytes()
        .take(2)
        .fold(0u8, |n, d| n.wrapping_mul(10).wrapping_add(d - b'0'))
}

/// A direction between provinces: teams of the first on counties of the second.
type Direction = (u8, u8);

/// The distances and slots of one set of inputs, solved under sets of forbidden directions.
struct Problem {
    /// `distance[county][team]`, metres.
    distance: Vec<Vec<i64>>,
    /// The team of each slot (a team has min(capacity, counties) slots).
    slots: Vec<usize>,
    team_province: Vec<u8>,
    county_province: Vec<u8>,
    /// Above the cost of any assignment using allowed pairs only.
    forbidden_cost: i64,
}

impl Problem {
    fn new(teams: &[Team], counties: &[County]) -> Problem {
        let distance: Vec<Vec<i64>> = counties
            .iter()
            .map(|c| teams.iter().map(|t| metres(t.home, c.centroid)).collect())
            .collect();
        let slots = teams
            .iter()
            .enumerate()
            .flat_map(|(i, t)| std::iter::repeat_n(i, t.capacity.min(counties.len())))
            .collect();
        let forbidden_cost = 1 + distance
            .iter()
            .map(|row| row.iter().copied().max().unwrap_or(0))
            .sum::<i64>();
        Problem {
            distance,
            slots,
            team_province: teams.iter().map(|t| province_number(&t.province)).collect(),
            county_province: counties.iter().map(|c| province_number(&c.code)).collect(),
            forbidden_cost,
        }
    }

    fn allowed(&self, county: usize, team: usize, forbidden: &BTreeSet<Direction>) -> bool {
        let (from, to) = (self.team_province[team], self.county_province[county]);
        from != to && !forbidden.contains(&(from, to))
    }

    /// The optimum with these directions forbidden, or `None` when every assignment uses one
    /// (or a team's own province).
    fn solve(&self, forbidden: &BTreeSet<Direction>) -> Option<Assignment> {
        let matrix = Matrix::from_fn(self.distance.len(), self.slots.len(), |(c, s)| {
            let team = self.slots[s];
            if self.allowed(c, team, forbidden) {
                self.distance[c][team]
            } else {
                self.forbidden_cost
            }
        });
        let (_, slot_of) = kuhn_munkres_min(&matrix);
        let mut placements = Vec::with_capacity(slot_of.len());
        for (county, slot) in slot_of.into_iter().enumerate() {
            let team = self.slots[slot];
            if !self.allowed(county, team, forbidden) {
                return None;
            }
            placements.push(Placement {
                county,
                team,
                metres: self.distance[county][team],
            });
        }
        let total_metres = placements.iter().map(|p| p.metres).sum();
        Some(Assignment {
            placements,
            total_metres,
        })
    }

    /// The first pair of provinces (in county order) assessing each other in `a`, as the
    /// direction seen first and its reverse.
    fn mutual_pair(&self, a: &Assignment) -> Option<Direction> {
        let used: BTreeSet<Direction> = a
            .placements
            .iter()
            .map(|p| (self.team_province[p.team], self.county_province[p.county]))
            .collect();
        a.placements
            .iter()
            .map(|p| (self.team_province[p.team], self.county_province[p.county]))
            .find(|&(from, to)| used.contains(&(to, from)))
    }
}

/// Branch and bound over directions: a branch's optimum bounds every assignment below it,
/// and an assignment with a mutual pair (A, B) is split into "no team of A on B" and "no team
/// of B on A", one of which every assignment without mutual assessment keeps.
struct Search<'a> {
    problem: &'a Problem,
    best: Option<Assignment>,
    solved: usize,
    max_solves: usize,
}

impl Search<'_> {
    fn branch(&mut self, forbidden: &BTreeSet<Direction>) -> Result<(), AssignError> {
        if self.solved >= self.max_solves {
            return Err(AssignError::SearchTooLarge {
                solved: self.solved,
            });
        }
        self.solved += 1;
        let Some(found) = self.problem.solve(forbidden) else {
            return Ok(());
        };
        if self
            .best
            .as_ref()
            .is_some_and(|b| b.total_metres <= found.total_metres)
        {
            return Ok(());
        }
        let Some((a, b)) = self.problem.mutual_pair(&found) else {
            self.best = Some(found);
            return Ok(());
        };
        for direction in [(a, b), (b, a)] {
            let mut narrower = forbidden.clone();
            narrower.insert(direction);
            self.branch(&narrower)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod test_rng;
#[cfg(test)]
mod tests;
