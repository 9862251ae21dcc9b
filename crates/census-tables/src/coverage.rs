//! Coverage of one county against its register (docs/census.md, "Coverage"): who was
//! enumerated, who is missing, who has more than one return, whose return is of a household
//! the register does not hold, and who was found dissolved or moved out; counted by village,
//! township and county, with the follow-up list of the missing.

use crate::error::TablesError;
use assess_census::{RegisterFields, ReturnFields};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The hash maps of household ids and village codes: foldhash, not the standard SipHash, which guards against
/// keys chosen to collide (ids come from the county's own register and returns, already
/// validated) and was a tenth of the counting's time.
type IdMap<'a, V> = HashMap<&'a str, V, foldhash::fast::RandomState>;
use std::ops::AddAssign;

/// Coverage counts of one unit (a village, township, county, province or the nation).
///
/// Every registered household is exactly one of enumerated, dissolved, moved out or missing:
/// `registered = enumerated + dissolved + moved_out + missing`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Households in the register of poor households (status `exited` or `poor`).
    pub registered: u64,
    /// Registered households with a return whose outcome is `enumerated`.
    pub enumerated: u64,
    /// Registered households whose returns say `dissolved` (and none `enumerated`).
    pub dissolved: u64,
    /// Registered households whose returns say `moved_out` (and none `enumerated` or
    /// `dissolved`).
    pub moved_out: u64,
    /// Registered households with no return: the follow-up list.
    pub missing: u64,
    /// Households (registered or not) with more than one return.
    pub duplicated: u64,
    /// Returns beyond the first of those households.
    pub extra_returns: u64,
    /// Households with a return whose household id is not in the register (or is there with
    /// the status `non_registered`).
    pub not_registered: u64,
    /// All returns of the unit's households.
    pub returns: u64,
}

impl Coverage {
    /// Share of the registered households with a return of any outcome:
    /// `(registered − missing) / registered`; `None` when nothing is registered.
    pub fn coverage_rate(&self) -> Option<f64> {
        (self.registered > 0)
            .then(|| (self.registered - self.missing) as f64 / self.registered as f64)
    }
}

impl AddAssign<&Coverage> for Coverage {
    fn add_assign(&mut self, o: &Coverage) {
        self.registered += o.registered;
        self.enumerated += o.enumerated;
        self.dissolved += o.dissolved;
        self.moved_out += o.moved_out;
        self.missing += o.missing;
        self.duplicated += o.duplicated;
        self.extra_returns += o.extra_returns;
        self.not_registered += o.not_registered;
        self.returns += o.returns;
    }
}

/// A registered household with no return: one row of the county's follow-up list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingHousehold {
    /// The household's id in the register.
    pub household_id: String,
    /// Its village (12 digits).
    pub village_code: String,
    /// Its township (9 digits).
    pub township_code: String,
    /// Its register status: `exited` or `poor`.
    pub status: &'static str,
    /// Registered members.
    pub members: u32,
}

/// A county's coverage: the county's counts, by township and by village, and the missing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountyCoverage {
    /// The county (6 digits).
    pub county_code: String,
    /// The county's counts.
    pub total: Coverage,
    /// By township (9 digits), in code order.
    pub townships: BTreeMap<String, Coverage>,
    /// By village (12 digits), in code order.
    pub villages: BTreeMap<String, Coverage>,
    /// The registered households with no return, by village then household id.
    pub missing: Vec<MissingHousehold>,
}

/// What the returns say of one household.
#[derive(Default, Clone, Copy)]
struct Seen {
    returns: u64,
    enumerated: bool,
    dissolved: bool,
    moved_out: bool,
}

/// What the returns say of a household the register does not hold, and where its first
/// return (by return id) places it: that return's village and id.
#[derive(Default)]
struct Unregistered<'a> {
    seen: Seen,
    first: Option<(&'a str, &'a str)>,
}

/// The county's registered households with an `enumerated` return, each with the one return
/// that stands for it in the tables: the earliest by start time, then by return id.
pub(crate) type Counted<'a, R> = Vec<&'a R>;

/// Coverage of `county` from its register rows and its returns (both of this county only),
/// and the returns the tables count.
pub(crate) fn county<'a, R: ReturnFields, G: RegisterFields>(
    county: &str,
    register: &[G],
    returns: &'a [R],
) -> Result<(CountyCoverage, Counted<'a, R>), TablesError> {
    if let Some(r) = register.iter().find(|r| r.county_code() != county) {
        return Err(TablesError::RegisterOfAnotherCounty {
            county: county.to_string(),
            household_id: r.household_id().to_string(),
            found: r.county_code().to_string(),
        });
    }
    if let Some(r) = returns.iter().find(|r| r.county_code() != county) {
        return Err(TablesError::ReturnOfAnotherCounty {
            county: county.to_string(),
            return_id: r.return_id().to_string(),
            found: r.county_code().to_string(),
        });
    }
    // The census population: registered households (exited or poor), each once, numbered in
    // register order. A return looks its household up once; what is seen of a registered
    // household is kept by its number (one lookup per row, not one per question asked).
    let households: Vec<&G> = register
        .iter()
        .filter(|r| is_registered(r.status()))
        .collect();
    let mut lookup = Lookup::new(county, &households)?;
    let mut seen = vec![Seen::default(); households.len()];
    let mut chosen: Vec<Option<&'a R>> = vec![None; households.len()];
    let mut unregistered: IdMap<Unregistered<'a>> = IdMap::default();
    for r in returns {
        let k = lookup.find(r.household_id());
        let s = match k {
            Some(k) => &mut seen[k],
            None => {
                // The village of its first return (by return id) places a household the
                // register does not hold.
                let u = unregistered.entry(r.household_id()).or_default();
                let place = (r.village_code(), r.return_id());
                if u.first.is_none_or(|f| place.1 < f.1) {
                    u.first = Some(place);
                }
                &mut u.seen
            }
        };
        s.returns += 1;
        match r.outcome() {
            "enumerated" => s.enumerated = true,
            "dissolved" => s.dissolved = true,
            "moved_out" => s.moved_out = true,
            other => {
                return Err(TablesError::UnknownOutcome {
                    return_id: r.return_id().to_string(),
                    outcome: other.to_string(),
                })
            }
        }
        if let (Some(k), "enumerated") = (k, r.outcome()) {
            let e = chosen[k].get_or_insert(r);
            if (r.start_unix(), r.return_id()) < (e.start_unix(), e.return_id()) {
                *e = r;
            }
        }
    }
    // Keyed by the rows' own strings while counting; owned once per village at the end. A
    // register lists a village's households together, so each run of one village is
    // counted apart and added to the map once.
    let mut villages: IdMap<Coverage> = IdMap::default();
    let mut run: Option<(&str, Coverage)> = None;
    let mut missing = Vec::new();
    for (reg, s) in households.iter().zip(&seen) {
        let village = reg.village_code();
        let c = match &mut run {
            Some((code, c)) if *code == village => c,
            _ => {
                if let Some((code, c)) = run.take() {
                    *villages.entry(code).or_default() += &c;
                }
                &mut run.insert((village, Coverage::default())).1
            }
        };
        c.registered += 1;
        if s.returns == 0 {
            c.missing += 1;
            missing.push(MissingHousehold {
                household_id: reg.household_id().to_string(),
                village_code: village.to_string(),
                township_code: reg.township_code().to_string(),
                status: reg.status(),
                members: reg.members(),
            });
            continue;
        }
        if s.enumerated {
            c.enumerated += 1;
        } else if s.dissolved {
            c.dissolved += 1;
        } else {
            c.moved_out += 1;
        }
        add_returns(c, s);
    }
    if let Some((code, c)) = run {
        *villages.entry(code).or_default() += &c;
    }
    for u in unregistered.values() {
        let village = u.first.map_or("", |f| f.0);
        let c = villages.entry(village).or_default();
        c.not_registered += 1;
        add_returns(c, &u.seen);
    }
    missing.sort_by(|a, b| {
        (&a.village_code, &a.household_id).cmp(&(&b.village_code, &b.household_id))
    });
    let mut townships: BTreeMap<String, Coverage> = BTreeMap::new();
    let mut total = Coverage::default();
    let villages: BTreeMap<&str, Coverage> = villages.into_iter().collect();
    for (&code, c) in &villages {
        let township = code.get(..9).unwrap_or(code);
        *townships.entry(township.to_string()).or_default() += c;
        total += c;
    }
    // In household id order: the lookup's order.
    let counted: Counted<R> = lookup
        .sorted
        .iter()
        .filter_map(|&(_, k)| chosen[k as usize])
        .collect();
    Ok((
        CountyCoverage {
            county_code: county.to_string(),
            total,
            townships,
            villages: villages
                .into_iter()
                .map(|(code, c)| (code.to_string(), c))
                .collect(),
            missing,
        },
        counted,
    ))
}

/// The registered households of a county by household id: a merge join of the register and
/// the returns when both come in household order, as a census store holds them, that stays
/// right in any order.
///
/// The households are sorted by id once (a register usually is already; two equal
/// neighbours are a household registered twice). A return's household is looked for first
/// where the previous return's was, and at the next one (a duplicate return, or the next
/// household), and only then by binary search. Hashing every id instead, on both sides, was
/// two fifths of counting a county.
struct Lookup<'r> {
    /// Household ids in ascending order, each with its number (its place in register order).
    sorted: Vec<(&'r str, u32)>,
    /// Where the next return's household is expected in `sorted`.
    next: usize,
}

impl<'r> Lookup<'r> {
    fn new<G: RegisterFields>(county: &str, households: &[&'r G]) -> Result<Self, TablesError> {
        let mut sorted: Vec<(&'r str, u32)> = households
            .iter()
            .enumerate()
            .map(|(k, r)| (r.household_id(), k as u32))
            .collect();
        if !sorted.is_sorted_by(|a, b| a.0 <= b.0) {
            sorted.sort_unstable();
        }
        if let Some(twice) = sorted.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(TablesError::RegisterTwice {
                county: county.to_string(),
                household_id: twice[0].0.to_string(),
            });
        }
        Ok(Lookup { sorted, next: 0 })
    }

    /// The number of the registered household `id`, if the register holds it.
    fn find(&mut self, id: &str) -> Option<usize> {
        let guesses = [self.next.wrapping_sub(1), self.next];
        let k = match guesses
            .into_iter()
            .find(|&k| self.sorted.get(k).is_some_and(|h| h.0 == id))
        {
            Some(k) => k,
            None => self.sorted.binary_search_by(|h| h.0.cmp(id)).ok()?,
        };
        self.next = k + 1;
        Some(self.sorted[k].1 as usize)
    }
}

fn add_returns(c: &mut Coverage, s: &Seen) {
    c.returns += s.returns;
    if s.returns > 1 {
        c.duplicated += 1;
        c.extra_returns += s.returns - 1;
    }
}

/// Exited and poor households are in the register of poor households; `non_registered` rows
/// (a register file may carry them) are not in the census population.
fn is_registered(status: &str) -> bool {
    matches!(status, "exited" | "poor")
}
