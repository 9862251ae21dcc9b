//! Within a county: the sampled villages split among a team's interviewer pairs, each pair's
//! workload (primary households) within a tolerance of the mean, at the least travel.
//!
//! The rules: every village goes to exactly one pair; each pair's households lie within
//! `mean ± tolerance` (rounded inward to whole households), `mean` being the county's primary
//! households over the pairs and the tolerance by default the largest village's households
//! (a bound every instance meets: see [`balance_bounds`]). The travel is the sum over villages
//! of the great-circle distance from its pair's base (geo's haversine, whole metres).
//!
//! What is exact and what is not (`docs/assign.md`, "Villages among interviewer pairs"):
//! - **Given the bases**, the split is an exact optimum (the problem is a generalised
//!   assignment problem with household capacities, NP-hard in general): branch and bound whose
//!   every node is relaxed to an assignment of villages to *slots* (a pair's slots are the
//!   fewest and most villages of the remaining ones its household bounds allow) and solved by
//!   pathfinding's Kuhn–Munkres. When the villages have equal households, as a plan's fixed
//!   take per village makes them, the root relaxation is already the problem itself. The
//!   search stops after a number of relaxations and then says the result is not proved optimal.
//! - **A pair without a start location** has its base chosen among the villages: the capacitated
//!   k-medoids problem, solved by alternating an exact split with moving each such base to the
//!   medoid of its villages. Each round cannot travel more than the one before, so it stops, at
//!   a local optimum: a heuristic.
//! - **Without coordinates for every village**, the split balances workload only: the
//!   largest villages first, each to the least loaded pair (list scheduling), which always keeps
//!   the default bounds; a tighter tolerance goes to the exact search with no travel to count.
//!
//! Not for: reading files (the caller does), the assignment of teams to counties ([`crate::assign`]),
//! or the order of visits within a pair's villages.

use crate::metres;
use pathfinding::prelude::{kuhn_munkres_min, Matrix};
use std::collections::BTreeSet;

/// A (longitude, latitude) in degrees.
pub type LonLat = (f64, f64);

/// A sampled village of the county.
#[derive(Debug, Clone, PartialEq)]
pub struct Village {
    /// Its twelve-digit code.
    pub code: String,
    /// Its name (may be empty).
    pub name: String,
    /// Primary households to visit: the workload.
    pub households: u32,
    /// Reserve households (shown, not counted in the workload).
    pub reserves: u32,
    /// Its centre, when known.
    pub location: Option<LonLat>,
}

/// An interviewer pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// The pair's identifier, e.g. `"P1"`.
    pub id: String,
    /// The two interviewers' account names.
    pub interviewers: [String; 2],
    /// Where the pair starts from, when given; else a base is chosen among the villages.
    pub start: Option<LonLat>,
}

/// What the split must respect and how long it may search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitOptions {
    /// Households a pair's load may differ from the mean; `None`: the largest village's.
    pub tolerance: Option<u32>,
    /// The most relaxations (one Kuhn–Munkres run each) one exact split may solve before it
    /// returns the best split found, marked not proved optimal.
    pub max_solves: usize,
}

/// The default of [`SplitOptions::max_solves`].
pub const DEFAULT_MAX_SOLVES: usize = 20_000;

impl Default for SplitOptions {
    fn default() -> SplitOptions {
        SplitOptions {
            tolerance: None,
            max_solves: DEFAULT_MAX_SOLVES,
        }
    }
}

/// Where a pair's travel is counted from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Base {
    /// The start location given for the pair.
    Start(LonLat),
    /// The village of this index, chosen as the medoid of the pair's villages.
    Village(usize),
    /// No location (workload-only split).
    None,
}

/// How the split was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// Travel minimised, exactly given the bases (see [`Split::bases_chosen`]).
    Travel {
        /// Every exact split finished its search (else: the best found when it stopped).
        proved_optimal: bool,
    },
    /// Some villages have no coordinates: workload balanced only.
    WorkloadOnly {
        /// The codes of the villages without coordinates.
        without_location: Vec<String>,
    },
}

/// The split.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// Each village's pair (index into the pairs), in the order of the input villages.
    pub pair_of: Vec<usize>,
    /// Each village's distance from its pair's base, whole metres (`None`: workload only).
    pub metres: Vec<Option<i64>>,
    /// Each pair's base, in the order of the input pairs.
    pub bases: Vec<Base>,
    /// Whether some base was chosen among the villages (the heuristic part).
    pub bases_chosen: bool,
    /// The households each pair may take: (least, most).
    pub bounds: (u32, u32),
    /// How it was made.
    pub method: Method,
}

impl Split {
    /// Households (primaries) each pair takes, in the order of the pairs.
    pub fn loads(&self, villages: &[Village], pairs: usize) -> Vec<u32> {
        let mut loads = vec![0; pairs];
        for (v, &p) in villages.iter().zip(&self.pair_of) {
            loads[p] += v.households;
        }
        loads
    }

    /// The total travel, metres (`None`: workload only).
    pub fn total_metres(&self) -> Option<i64> {
        self.metres.iter().copied().sum()
    }
}

/// Why no split was made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SplitError {
    /// No pair is given.
    #[error("no interviewer pair is given")]
    NoPairs,
    /// No village is given.
    #[error("the county has no sampled village")]
    NoVillages,
    /// More pairs than villages: a pair would be idle.
    #[error(
        "{pairs} interviewer pairs for {villages} sampled villages: a pair would have no village; \
         list at most {villages} pairs"
    )]
    MorePairsThanVillages {
        /// Pairs given.
        pairs: usize,
        /// Villages of the county.
        villages: usize,
    },
    /// No split keeps every pair within the tolerance.
    #[error(
        "no split keeps every pair between {lo} and {hi} households (the mean {mean:.1} ± \
         {tolerance}); the villages' households cannot be shared so evenly: allow a larger \
         tolerance"
    )]
    Unbalanceable {
        /// The tolerance asked for.
        tolerance: u32,
        /// The mean load.
        mean: f64,
        /// Least households per pair.
        lo: u32,
        /// Most households per pair.
        hi: u32,
    },
    /// The search stopped before finding any split within the tolerance.
    #[error(
        "the search for a split within {tolerance} households of the mean solved {solved} \
         relaxations without finding one; allow a larger tolerance or more solves"
    )]
    SearchTooLarge {
        /// The tolerance asked for.
        tolerance: u32,
        /// Relaxations solved.
        solved: usize,
    },
}

/// The least and most households a pair may take: `mean ± tolerance` rounded inward, with
/// `mean = total / pairs` (`pairs` ≥ 1).
///
/// With the tolerance the largest village's households, a split within these bounds always
/// exists: assigning villages one by one to the least loaded pair keeps the most and least
/// loaded pairs within one village's households of each other (adding `w` to the least loaded
/// raises the new maximum to at most the old least plus `w`), so every load is within
/// the largest village of the mean.
pub fn balance_bounds(total: u32, pairs: usize, tolerance: u32) -> (u32, u32) {
    let (w, k, t) = (u64::from(total), pairs.max(1) as u64, u64::from(tolerance));
    let lo = w.saturating_sub(t * k).div_ceil(k);
    let hi = (w + t * k) / k;
    (lo as u32, hi.min(u64::from(u32::MAX)) as u32)
}

/// The split of least travel within the workload bounds, or why there is none.
pub fn split(
    villages: &[Village],
    pairs: &[Pair],
    options: SplitOptions,
) -> Result<Split, SplitError> {
    if pairs.is_empty() {
        return Err(SplitError::NoPairs);
    }
    if villages.is_empty() {
        return Err(SplitError::NoVillages);
    }
    if pairs.len() > villages.len() {
        return Err(SplitError::MorePairsThanVillages {
            pairs: pairs.len(),
            villages: villages.len(),
        });
    }
    let weights: Vec<u32> = villages.iter().map(|v| v.households).collect();
    let total: u32 = weights.iter().sum();
    let largest = weights.iter().copied().max().unwrap_or(0);
    let tolerance = options.tolerance.unwrap_or(largest);
    let bounds = balance_bounds(total, pairs.len(), tolerance);
    let unbalanceable = || SplitError::Unbalanceable {
        tolerance,
        mean: f64::from(total) / pairs.len() as f64,
        lo: bounds.0,
        hi: bounds.1,
    };
    if bounds.0 > bounds.1 {
        return Err(unbalanceable());
    }
    let list = list_scheduling(&weights, pairs.len());
    let list = within(&weights, pairs.len(), bounds, &list).then_some(list);
    let located: Option<Vec<LonLat>> = villages.iter().map(|v| v.location).collect();
    let solver = |costs: &[Vec<i64>], incumbent: Option<Vec<usize>>| {
        let mut search = Search::new(costs, &weights, bounds, options.max_solves);
        if let Some(start) = incumbent {
            search.offer(start);
        }
        search.run();
        match search.best {
            Some((_, best)) => Ok((best, search.proved)),
            None if search.proved => Err(unbalanceable()),
            None => Err(SplitError::SearchTooLarge {
                tolerance,
                solved: search.solved,
            }),
        }
    };
    let Some(at) = located else {
        let without_location = villages
            .iter()
            .filter(|v| v.location.is_none())
            .map(|v| v.code.clone())
            .collect();
        let zero = vec![vec![0; pairs.len()]; villages.len()];
        let (pair_of, _) = solver(&zero, list)?;
        return Ok(Split {
            metres: vec![None; villages.len()],
            pair_of,
            bases: vec![Base::None; pairs.len()],
            bases_chosen: false,
            bounds,
            method: Method::WorkloadOnly { without_location },
        });
    };
    let mut bases = first_bases(&at, pairs);
    let bases_chosen = pairs.iter().any(|p| p.start.is_none());
    let mut incumbent = list;
    let mut proved_optimal = true;
    let mut rounds = 0;
    let pair_of = loop {
        rounds += 1;
        let costs = cost_matrix(&at, &bases);
        let (pair_of, proved) = solver(&costs, incumbent.take())?;
        proved_optimal &= proved;
        let moved = medoids(&at, &bases, &pair_of);
        if moved == bases || rounds >= MAX_ROUNDS {
            break pair_of;
        }
        bases = moved;
        incumbent = Some(pair_of);
    };
    let metres = pair_of
        .iter()
        .enumerate()
        .map(|(v, &p)| Some(metres(base_at(&at, bases[p]), at[v])))
        .collect();
    Ok(Split {
        pair_of,
        metres,
        bases,
        bases_chosen,
        bounds,
        method: Method::Travel { proved_optimal },
    })
}

/// The most rounds of moving chosen bases (each round travels no more than the last; the
/// limit only guards against a cycle of equal totals, which the strict medoid rule prevents).
const MAX_ROUNDS: usize = 50;

fn base_at(at: &[LonLat], base: Base) -> LonLat {
    match base {
        Base::Start(p) => p,
        Base::Village(v) => at[v],
        Base::None => (0.0, 0.0),
    }
}

fn cost_matrix(at: &[LonLat], bases: &[Base]) -> Vec<Vec<i64>> {
    at.iter()
        .map(|&v| bases.iter().map(|&b| metres(base_at(at, b), v)).collect())
        .collect()
}

/// The pairs' first bases: a given start, else villages chosen farthest first from the bases
/// so far (the starts given; when none is, the first chosen is the village farthest from the
/// villages' mean position).
fn first_bases(at: &[LonLat], pairs: &[Pair]) -> Vec<Base> {
    let mut centres: Vec<LonLat> = pairs.iter().filter_map(|p| p.start).collect();
    let mut taken = BTreeSet::new();
    let mut seed = None;
    if centres.is_empty() {
        let n = at.len() as f64;
        let mean = (
            at.iter().map(|p| p.0).sum::<f64>() / n,
            at.iter().map(|p| p.1).sum::<f64>() / n,
        );
        seed = Some(farthest(at, &[mean], &taken));
    }
    let mut bases = Vec::with_capacity(pairs.len());
    for p in pairs {
        let base = match p.start {
            Some(s) => Base::Start(s),
            None => {
                let v = seed
                    .take()
                    .unwrap_or_else(|| farthest(at, &centres, &taken));
                taken.insert(v);
                centres.push(at[v]);
                Base::Village(v)
            }
        };
        bases.push(base);
    }
    bases
}

/// The village not yet taken farthest from its nearest centre (the first of equals).
fn farthest(at: &[LonLat], centres: &[LonLat], taken: &BTreeSet<usize>) -> usize {
    let mut best = (None, -1i64);
    for (v, &p) in at.iter().enumerate() {
        if taken.contains(&v) {
            continue;
        }
        let d = centres.iter().map(|&c| metres(c, p)).min().unwrap_or(0);
        if d > best.1 {
            best = (Some(v), d);
        }
    }
    best.0.unwrap_or(0)
}

/// Each chosen base moved to the medoid of its pair's villages (the village of the pair
/// nearest to all the others in sum), only when that travels strictly less.
fn medoids(at: &[LonLat], bases: &[Base], pair_of: &[usize]) -> Vec<Base> {
    bases
        .iter()
        .enumerate()
        .map(|(p, &base)| {
            let Base::Village(_) = base else { return base };
            let mine: Vec<usize> = (0..at.len()).filter(|&v| pair_of[v] == p).collect();
            let sum = |from: LonLat| mine.iter().map(|&v| metres(from, at[v])).sum::<i64>();
            let mut best = (base, sum(base_at(at, base)));
            for &v in &mine {
                let s = sum(at[v]);
                if s < best.1 {
                    best = (Base::Village(v), s);
                }
            }
            best.0
        })
        .collect()
}

/// Largest villages first, each to the least loaded pair (the first of equals).
fn list_scheduling(weights: &[u32], pairs: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by_key(|&v| std::cmp::Reverse(weights[v]));
    let mut loads = vec![0u64; pairs];
    let mut pair_of = vec![0; weights.len()];
    for v in order {
        let p = (0..pairs).min_by_key(|&p| loads[p]).unwrap_or(0);
        loads[p] += u64::from(weights[v]);
        pair_of[v] = p;
    }
    pair_of
}

fn within(weights: &[u32], pairs: usize, (lo, hi): (u32, u32), pair_of: &[usize]) -> bool {
    let mut loads = vec![0u32; pairs];
    for (v, &p) in pair_of.iter().enumerate() {
        loads[p] += weights[v];
    }
    loads.iter().all(|&l| (lo..=hi).contains(&l))
}

/// Branch and bound over (village, pair) decisions: a node fixes some villages to pairs and
/// forbids some pairs to some villages; its relaxation is an assignment over slots, solved
/// exactly, whose cost bounds every split below the node.
struct Search<'a> {
    costs: &'a [Vec<i64>],
    weights: &'a [u32],
    bounds: (u32, u32),
    /// Above the cost of any split (every village at its farthest pair).
    big: i64,
    max_solves: usize,
    solved: usize,
    /// The search finished: the best is optimal, or none exists.
    proved: bool,
    best: Option<(i64, Vec<usize>)>,
}

/// A node: each village fixed to a pair or free, and the (village, pair) choices forbidden.
#[derive(Clone)]
struct Node {
    fixed: Vec<Option<usize>>,
    forbidden: BTreeSet<(usize, usize)>,
}

/// What a node's relaxation found.
enum Relaxed {
    /// No split below this node.
    Empty,
    /// Its least cost, and each village's pair in it (fixed or relaxed).
    Bound(i64, Vec<usize>),
}

impl<'a> Search<'a> {
    fn new(
        costs: &'a [Vec<i64>],
        weights: &'a [u32],
        bounds: (u32, u32),
        max_solves: usize,
    ) -> Search<'a> {
        let big = 1 + costs
            .iter()
            .map(|row| row.iter().copied().max().unwrap_or(0))
            .sum::<i64>();
        Search {
            costs,
            weights,
            bounds,
            big,
            max_solves,
            solved: 0,
            proved: true,
            best: None,
        }
    }

    fn pairs(&self) -> usize {
        self.costs.first().map_or(0, Vec::len)
    }

    fn cost(&self, pair_of: &[usize]) -> i64 {
        pair_of
            .iter()
            .enumerate()
            .map(|(v, &p)| self.costs[v][p])
            .sum()
    }

    /// A split known to keep the bounds, as the first incumbent.
    fn offer(&mut self, pair_of: Vec<usize>) {
        let cost = self.cost(&pair_of);
        if self.best.as_ref().is_none_or(|(b, _)| cost < *b) {
            self.best = Some((cost, pair_of));
        }
    }

    fn run(&mut self) {
        let root = Node {
            fixed: vec![None; self.weights.len()],
            forbidden: BTreeSet::new(),
        };
        self.branch(root);
    }

    fn branch(&mut self, node: Node) {
        if self.solved >= self.max_solves {
            self.proved = false;
            return;
        }
        self.solved += 1;
        let Relaxed::Bound(bound, pair_of) = self.relax(&node) else {
            return;
        };
        if self.best.as_ref().is_some_and(|(b, _)| *b <= bound) {
            return;
        }
        let k = self.pairs();
        let mut loads = vec![0u32; k];
        for (v, &p) in pair_of.iter().enumerate() {
            loads[p] += self.weights[v];
        }
        let (lo, hi) = self.bounds;
        let Some(p) = (0..k).find(|&p| !(lo..=hi).contains(&loads[p])) else {
            self.best = Some((bound, pair_of));
            return;
        };
        if let Some(repaired) = self.repair(&node, pair_of.clone(), loads.clone()) {
            self.offer(repaired);
        }
        let free = |v: usize| node.fixed[v].is_none();
        // Over: its largest free village, kept out first. Under: the largest free village of
        // another pair, brought in first.
        let over = loads[p] > hi;
        // (A village outside the pair is never one already forbidden to it, so that both
        // branches narrow the node.)
        let pick = (0..pair_of.len())
            .filter(|&v| free(v) && (pair_of[v] == p) == over && !node.forbidden.contains(&(v, p)))
            .max_by_key(|&v| (self.weights[v], std::cmp::Reverse(v)))
            .or_else(|| (0..pair_of.len()).find(|&v| free(v) && pair_of[v] == p));
        let Some(v) = pick else { return }; // cannot happen: a violated pair has a free choice
        let mut fix = node.clone();
        fix.fixed[v] = Some(p);
        let mut forbid = node;
        forbid.forbidden.insert((v, p));
        if over {
            self.branch(forbid);
            self.branch(fix);
        } else {
            self.branch(fix);
            self.branch(forbid);
        }
    }

    /// A split near the relaxed one that keeps the bounds, when moves of free villages find
    /// one: while a pair is over, its free village cheapest to move goes to a pair it fits;
    /// while one is under, the cheapest free village another pair can spare comes to it. Only
    /// an incumbent for pruning; it decides nothing.
    fn repair(
        &self,
        node: &Node,
        mut pair_of: Vec<usize>,
        mut loads: Vec<u32>,
    ) -> Option<Vec<usize>> {
        let (lo, hi) = self.bounds;
        let k = self.pairs();
        let allowed =
            |v: usize, p: usize| node.fixed[v].is_none() && !node.forbidden.contains(&(v, p));
        for _ in 0..2 * pair_of.len() * k {
            let over = (0..k).find(|&p| loads[p] > hi);
            let under = (0..k).find(|&p| loads[p] < lo);
            let mut best: Option<(i64, usize, usize)> = None;
            for (v, &from) in pair_of.iter().enumerate() {
                let w = self.weights[v];
                let targets: Vec<usize> = match (over, under) {
                    (Some(o), _) if from == o => {
                        (0..k).filter(|&t| t != o && loads[t] + w <= hi).collect()
                    }
                    (None, Some(u)) if from != u && loads[from] >= lo + w && loads[u] + w <= hi => {
                        vec![u]
                    }
                    _ => continue,
                };
                for t in targets {
                    let delta = self.costs[v][t] - self.costs[v][from];
                    if allowed(v, t) && best.is_none_or(|(d, _, _)| delta < d) {
                        best = Some((delta, v, t));
                    }
                }
            }
            if over.is_none() && under.is_none() {
                return Some(pair_of);
            }
            let (_, v, t) = best?;
            loads[pair_of[v]] -= self.weights[v];
            loads[t] += self.weights[v];
            pair_of[v] = t;
        }
        None
    }

    /// The node's relaxation: each pair may take between the fewest and the most of the free
    /// villages that its remaining household bounds allow (counts, not households), solved as
    /// an assignment of villages (and dummy rows for unused slots) to slots.
    fn relax(&self, node: &Node) -> Relaxed {
        let k = self.pairs();
        let (lo, hi) = self.bounds;
        let mut load = vec![0u32; k];
        let mut fixed_cost = 0;
        for (v, f) in node.fixed.iter().enumerate() {
            if let Some(p) = *f {
                load[p] += self.weights[v];
                fixed_cost += self.costs[v][p];
            }
        }
        if load.iter().any(|&l| l > hi) {
            return Relaxed::Empty;
        }
        let free: Vec<usize> = (0..node.fixed.len())
            .filter(|&v| node.fixed[v].is_none())
            .collect();
        let room: Vec<u32> = load.iter().map(|&l| hi - l).collect();
        let need: Vec<u32> = load.iter().map(|&l| lo.saturating_sub(l)).collect();
        let done = |pair_of: Vec<usize>| Relaxed::Bound(fixed_cost, pair_of);
        if free.is_empty() {
            return match need.iter().all(|&n| n == 0) {
                true => done(node.fixed.iter().map(|f| f.unwrap_or(0)).collect()),
                false => Relaxed::Empty,
            };
        }
        let mut ascending: Vec<u32> = free.iter().map(|&v| self.weights[v]).collect();
        ascending.sort_unstable();
        let free_total: u32 = ascending.iter().sum();
        let most = |room: u32| {
            let mut sum = 0;
            ascending
                .iter()
                .take_while(|&&w| {
                    sum += w;
                    sum <= room
                })
                .count()
        };
        let fewest = |need: u32| -> Option<usize> {
            if need == 0 {
                return Some(0);
            }
            let mut sum = 0;
            let n = ascending.iter().rev().take_while(|&&w| {
                let short = sum < need;
                sum += w;
                short
            });
            let n = n.count();
            (free_total >= need).then_some(n)
        };
        let mut min_count = Vec::with_capacity(k);
        for &n in &need {
            match fewest(n) {
                Some(c) => min_count.push(c),
                None => return Relaxed::Empty,
            }
        }
        let n = free.len();
        let sum_min: usize = min_count.iter().sum();
        if sum_min > n {
            return Relaxed::Empty;
        }
        let mut max_count = Vec::with_capacity(k);
        for p in 0..k {
            let m = most(room[p]).min(n - (sum_min - min_count[p]));
            if m < min_count[p] {
                return Relaxed::Empty;
            }
            max_count.push(m);
        }
        // Slots: (pair, mandatory).
        let slots: Vec<(usize, bool)> = (0..k)
            .flat_map(|p| {
                (0..max_count[p])
                    .map(|i| (p, i < min_count[p]))
                    .collect::<Vec<_>>()
            })
            .collect();
        let s = slots.len();
        if s < n {
            return Relaxed::Empty;
        }
        let big = self.big;
        let matrix = Matrix::from_fn(s, s, |(r, c)| {
            let (p, mandatory) = slots[c];
            match free.get(r) {
                Some(&v) if self.weights[v] > room[p] || node.forbidden.contains(&(v, p)) => big,
                Some(&v) => self.costs[v][p],
                None if mandatory => big,
                None => 0,
            }
        });
        let (total, slot_of) = kuhn_munkres_min(&matrix);
        if total >= big {
            return Relaxed::Empty;
        }
        let mut pair_of: Vec<usize> = node.fixed.iter().map(|f| f.unwrap_or(0)).collect();
        for (r, &v) in free.iter().enumerate() {
            pair_of[v] = slots[slot_of[r]].0;
        }
        Relaxed::Bound(fixed_cost + total, pair_of)
    }
}

#[cfg(test)]
mod tests;
