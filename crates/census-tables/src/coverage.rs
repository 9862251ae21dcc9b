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
#[derive(Default)]
struct Seen<'a> {
    returns: u64,
    enumerated: bool,
    dissolved: bool,
    moved_out: bool,
    /// The village of its first return (by return id), for a household not in the register.
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
    // household is kept by its number (a hash lookup per row, not one per question asked).
    let mut number: IdMap<u32> =
        IdMap::with_capacity_and_hasher(register.len(), Default::default());
    let mut households: Vec<&G> = Vec::with_capacity(register.len());
    for r in register.iter().filter(|r| is_registered(r.status())) {
        if number
            .insert(r.household_id(), households.len() as u32)
            .is_some()
        {
            return Err(TablesError::RegisterTwice {
                county: county.to_string(),
                household_id: r.household_id().to_string(),
            });
        }
        households.push(r);
    }
    let mut seen: Vec<Seen<'a>> = households.iter().map(|_| Seen::default()).collect();
    let mut chosen: Vec<Option<&'a R>> = vec![None; households.len()];
    let mut unregistered: IdMap<Seen<'a>> = IdMap::default();
    for r in returns {
        let k = number.get(r.household_id()).map(|&k| k as usize);
        let s = match k {
            Some(k) => &mut seen[k],
            None => unregistered.entry(r.household_id()).or_default(),
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
        let place = (r.village_code(), r.return_id());
        if s.first.is_none_or(|f| place.1 < f.1) {
            s.first = Some(place);
        }
        if let (Some(k), "enumerated") = (k, r.outcome()) {
            let e = chosen[k].get_or_insert(r);
            if (r.start_unix(), r.return_id()) < (e.start_unix(), e.return_id()) {
                *e = r;
            }
        }
    }
    // Keyed by the rows' own strings while counting; owned once per village at the end.
    let mut villages: IdMap<Coverage> = IdMap::default();
    let mut missing = Vec::new();
    for (reg, s) in households.iter().zip(&seen) {
        let c = villages.entry(reg.village_code()).or_default();
        c.registered += 1;
        if s.returns == 0 {
            c.missing += 1;
            missing.push(MissingHousehold {
                household_id: reg.household_id().to_string(),
                village_code: reg.village_code().to_string(),
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
    for s in unregistered.values() {
        let village = s.first.map_or("", |f| f.0);
        let c = villages.entry(village).or_default();
        c.not_registered += 1;
        add_returns(c, s);
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
    let mut counted: Counted<R> = chosen.into_iter().flatten().collect();
    // Household ids are unique here, so an unstable sort gives one order.
    counted.sort_unstable_by(|a, b| a.household_id().cmp(b.household_id()));
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
