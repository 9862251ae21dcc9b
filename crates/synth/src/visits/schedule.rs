//! When each visit happens and which team makes it: villages are shared among the teams in
//! turn, and a team visits its villages' households one after another on consecutive field
//! days, with interview, contact and travel times drawn from each team's own generator.

use super::keyed_rng;
use super::plan::Planned;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, HashMap};
use time::{Duration, OffsetDateTime};

/// An interview lasts this many minutes (uniform), a failed contact this many.
const INTERVIEW_MINUTES: (i64, i64) = (35, 95);
const CONTACT_MINUTES: (i64, i64) = (3, 10);
/// Walking between households of a village, and driving between villages (minutes).
const WALK_MINUTES: (i64, i64) = (10, 35);
const DRIVE_MINUTES: (i64, i64) = (40, 120);
/// A field day: no visit starts more than this many minutes after the day's start.
const DAY_MINUTES: i64 = 9 * 60;

/// Gives every planned visit its team and times. Villages (in order of first appearance) go
/// to the teams in turn; a team visits its villages' households one after another (each
/// cell's primaries, then its reserves), on consecutive field days.
pub(super) fn schedule(
    planned: &mut [Planned<'_>],
    start: OffsetDateTime,
    seed: u64,
    teams: usize,
) {
    let (villages, index) = villages_in_order(planned);
    let mut clocks: Vec<TeamClock> = (0..teams).map(|t| TeamClock::new(start, seed, t)).collect();
    for (v, indices) in visits_by_village(planned, &index) {
        // Villages go to the teams in turn, in order of first appearance.
        let team = v % teams;
        debug_assert!(v < villages.len());
        let clock = &mut clocks[team];
        for i in indices {
            let p = &mut planned[i];
            let (begin, end) = clock.visit(v, p.disposition.is_interview());
            p.team = team;
            p.start = begin;
            p.end = end;
        }
    }
}

/// The villages of the plan, in order of first appearance, and each one's place in that
/// order (a hash lookup per visit: a national draw has 25,000 villages, and a linear search
/// per visit made the whole quadratic).
fn villages_in_order<'a>(planned: &[Planned<'a>]) -> (Vec<&'a str>, HashMap<&'a str, usize>) {
    let mut villages: Vec<&'a str> = Vec::new();
    let mut index: HashMap<&'a str, usize> = HashMap::new();
    for p in planned {
        let code: &'a str = &p.unit.village_code;
        index.entry(code).or_insert_with(|| {
            villages.push(code);
            villages.len() - 1
        });
    }
    (villages, index)
}

/// The visits (indices into `planned`) of each village (its place in the order of first
/// appearance): a team works village by village, in that order.
fn visits_by_village(
    planned: &[Planned<'_>],
    index: &HashMap<&str, usize>,
) -> BTreeMap<usize, Vec<usize>> {
    let mut by_village: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, p) in planned.iter().enumerate() {
        let v = index[p.unit.village_code.as_str()];
        by_village.entry(v).or_default().push(i);
    }
    by_village
}

/// Where a team is in its field work.
struct TeamClock {
    day_start: OffsetDateTime,
    now: OffsetDateTime,
    /// The village of the team's last visit (an index into the villages in order).
    village: Option<usize>,
    rng: ChaCha8Rng,
}

impl TeamClock {
    fn new(start: OffsetDateTime, seed: u64, team: usize) -> TeamClock {
        TeamClock {
            day_start: start,
            now: start,
            village: None,
            rng: keyed_rng(seed, &["team", &team.to_string()]),
        }
    }

    /// The begin and end of the team's next visit, in `village`: after the travel from the
    /// last one, or at the start of the next field day when this one is over.
    fn visit(&mut self, village: usize, interview: bool) -> (OffsetDateTime, OffsetDateTime) {
        // The visit's length is drawn before the travel: the order of draws fixes the times
        // a seed gives.
        let minutes = self.visit_minutes(interview);
        let travel = self.travel_minutes(village);
        self.village = Some(village);
        let mut begin = self.now + Duration::minutes(travel);
        if begin > self.day_start + Duration::minutes(DAY_MINUTES) {
            self.day_start += Duration::days(1);
            begin = self.day_start;
        }
        let end = begin + Duration::minutes(minutes);
        self.now = end;
        (begin, end)
    }

    fn visit_minutes(&mut self, interview: bool) -> i64 {
        let (low, high) = if interview {
            INTERVIEW_MINUTES
        } else {
            CONTACT_MINUTES
        };
        self.rng.random_range(low..=high)
    }

    /// A walk within the village, a drive from another one, nothing for the first visit.
    fn travel_minutes(&mut self, village: usize) -> i64 {
        match self.village {
            Some(last) if last == village => self.rng.random_range(WALK_MINUTES.0..=WALK_MINUTES.1),
            None => 0,
            Some(_) => self.rng.random_range(DRIVE_MINUTES.0..=DRIVE_MINUTES.1),
        }
    }
}
