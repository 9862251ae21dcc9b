//! The household stage: inside each sampled village and register status, equal probability.
//! The households with the smallest tickets are the primaries; the next ones are reserves,
//! in ticket order. Households arrive one at a time (or a run of one village at a time from
//! a [`CompactRegister`](crate::compact::CompactRegister)), and each (village, status) cell
//! keeps only its n + reserves smallest tickets in a heap.

use crate::plan::{Plan, Take};
use crate::ticket::{Stage, TicketStream};
use crate::village::{status_index, FrameVillage, SelectedVillage};
use assess_divisions::VillageCode;
use assess_household::{Household, Status};
use compact_str::CompactString;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

/// A household's role in the sample: `primary` (drawn to be visited) or `reserve` (drawn to
/// replace a primary that could not be interviewed, in the order of its rank).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Drawn to be interviewed.
    #[default]
    Primary,
    /// Drawn to replace a failed unit, in the order of its rank.
    Reserve,
}

impl Role {
    /// `primary` or `reserve`, as in `sample.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Primary => "primary",
            Role::Reserve => "reserve",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        match s {
            "primary" => Ok(Role::Primary),
            "reserve" => Ok(Role::Reserve),
            other => Err(format!("role {other:?} is neither primary nor reserve")),
        }
    }
}

/// One row of `sample.csv`. Its texts are stored inline when short (all of them are, but
/// for unusually long household ids or stratum names): a national sample has a million rows,
/// and eight heap strings each took half a second to make and to free.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SampleRow {
    /// Household id from the register.
    pub household_id: CompactString,
    /// 6-digit county code.
    pub county_code: CompactString,
    /// 9-digit township code.
    pub township_code: CompactString,
    /// 12-digit village code.
    pub village_code: CompactString,
    /// Village stratum (or independent draws joined by `+`, or `by_hand`).
    pub village_stratum: CompactString,
    /// Household stratum: the register status.
    pub stratum: CompactString,
    /// Primary or reserve.
    pub role: Role,
    /// Empty for primaries; 1, 2, ... for reserves, the order in which they are used.
    pub reserve_rank: Option<u32>,
    /// The household's ticket.
    pub ticket: f64,
    /// Village inclusion probability (empty for villages chosen by hand).
    pub pi_village: Option<f64>,
    /// Household inclusion probability given the village (primaries only).
    pub pi_household: Option<f64>,
    /// Overall inclusion probability (primaries of probability villages only).
    pub pi: Option<f64>,
    /// Design weight 1/pi (primaries of probability villages only).
    pub weight: Option<f64>,
    /// The village was drawn with certainty.
    pub certainty: bool,
    /// `probability` or `by_hand` (a non-probability village: never in estimates).
    pub selection: CompactString,
    /// Registered members.
    pub members: u32,
    /// The register's display values (head's name, group, address, phone), when it has
    /// display columns: written after the other columns of `sample.csv` (docs/sampling.md),
    /// never used by the draw. Boxed: most registers have none, and a national sample has a
    /// million rows.
    #[serde(skip)]
    pub display: Option<Box<assess_household::HouseholdDisplay>>,
}

/// A household in a cell. The id is stored inline when short (household ids are): a national
/// draw's cells take in about six million households, and a heap allocation each would cost
/// seconds to make and to free.
#[derive(Debug, Clone)]
struct Candidate {
    ticket: f64,
    id: CompactString,
    members: u32,
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Candidate {}
impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        crate::ticket::by_ticket((self.ticket, &self.id), (other.ticket, &other.id))
    }
}

/// One (village, status) cell: a max-heap of the smallest tickets seen so far.
#[derive(Debug, Default)]
struct Cell {
    keep: Option<usize>,
    primaries: Option<usize>,
    heap: BinaryHeap<Candidate>,
    population: u64,
}

impl Cell {
    /// Takes in another cell of the same village and status (another part of the register).
    fn absorb(&mut self, other: Cell) {
        let population = self.population + other.population;
        for c in other.heap {
            self.offer(c.ticket, &c.id, c.members);
        }
        self.population = population;
    }

    /// Offers a household; its id is copied only if it enters the cell.
    fn offer(&mut self, ticket: f64, id: &str, members: u32) {
        self.population += 1;
        let full = self.keep.is_some_and(|k| self.heap.len() >= k);
        if self.keep == Some(0) {
            return;
        }
        if full {
            let beats = self.heap.peek().is_some_and(|top| {
                crate::ticket::by_ticket((ticket, id), (top.ticket, &top.id)).is_lt()
            });
            if !beats {
                return;
            }
            self.heap.pop();
        }
        self.heap.push(Candidate {
            ticket,
            id: CompactString::new(id),
            members,
        });
    }
}

/// Households a cell keeps (primaries and reserves) and its primaries; None: all.
type Bound = (Option<usize>, Option<usize>);

/// Collects the household sample of the sampled villages while their households stream past.
///
/// Made after the village stage with the sampled villages; households of other villages are
/// ignored. A national draw offers them from a [`CompactRegister`](crate::compact::CompactRegister)
/// kept during the register scan, on several threads, and joins the parts with
/// [`HouseholdSelector::merge`]: a cell keeps its smallest tickets whichever way its
/// households arrive.
pub struct HouseholdSelector {
    stream: TicketStream,
    /// Per sampled village and status: households kept (primaries and reserves) and
    /// primaries; None takes all.
    bounds: HashMap<VillageCode, [Bound; 3]>,
    cells: HashMap<VillageCode, [Cell; 3]>,
    current: Option<(VillageCode, [Cell; 3])>,
}

impl HouseholdSelector {
    /// Keeps the households of the sampled villages only, as many of each status as the
    /// village gives ([`SelectedVillage::take`]) plus the plan's reserves.
    pub fn new(plan: &Plan, sampled: &[SelectedVillage], seed: &str) -> HouseholdSelector {
        let reserves = plan.reserves();
        let bounds = |take: &[Take; 3]| {
            std::array::from_fn(|i| match take[i] {
                Take::All(_) => (None, None),
                Take::Count(n) => (Some((n + reserves[i]) as usize), Some(n as usize)),
            })
        };
        HouseholdSelector {
            stream: TicketStream::new(seed, Stage::Household),
            bounds: sampled
                .iter()
                .map(|v| (v.code.clone(), bounds(&v.take)))
                .collect(),
            cells: HashMap::new(),
            current: None,
        }
    }

    /// Offers one household; it is kept while its ticket is among its cell's smallest.
    pub fn offer(&mut self, household: &Household) {
        self.offer_parts(
            &household.village,
            household.status,
            &household.household_id,
            household.members,
        );
    }

    /// [`HouseholdSelector::offer`] for a household given by its parts.
    pub fn offer_parts(&mut self, village: &VillageCode, status: Status, id: &str, members: u32) {
        if !self.bounds.contains_key(village) {
            return;
        }
        let t = self.stream.ticket(village.county(), status.as_str(), id);
        // Households of a village come together: switch cells only when the village changes.
        if self
            .current
            .as_ref()
            .is_none_or(|(code, _)| code != village)
        {
            self.park();
            let cells = self
                .cells
                .remove(village)
                .unwrap_or_else(|| self.empty_cells(village));
            self.current = Some((village.clone(), cells));
        }
        if let Some((_, cells)) = self.current.as_mut() {
            cells[status_index(status)].offer(t.value, id, members);
        }
    }

    /// Offers the households of a run of one village (see
    /// [`CompactRegister`](crate::compact::CompactRegister)): the village is looked up and
    /// the tickets' common prefix hashed once for the run.
    pub fn offer_run(&mut self, run: &crate::compact::StoredRun<'_>) {
        let village = run.village();
        if !self.bounds.contains_key(village) {
            return;
        }
        let streams = Status::ALL.map(|s| self.stream.within(village.county(), s.as_str()));
        self.park();
        let mut cells = self
            .cells
            .remove(village)
            .unwrap_or_else(|| self.empty_cells(village));
        for h in run.households() {
            let i = status_index(h.status);
            cells[i].offer(streams[i].ticket(h.id).value, h.id, h.members);
        }
        self.current = Some((village.clone(), cells));
    }

    fn empty_cells(&self, village: &VillageCode) -> [Cell; 3] {
        let bounds = self.bounds.get(village).copied().unwrap_or_default();
        std::array::from_fn(|k| Cell {
            keep: bounds[k].0,
            primaries: bounds[k].1,
            ..Cell::default()
        })
    }

    /// Joins the selector of another part of the same register (same plan, villages and
    /// seed): every cell keeps the smallest tickets of both.
    pub fn merge(&mut self, mut other: HouseholdSelector) {
        self.park();
        other.park();
        for (village, theirs) in other.cells {
            match self.cells.get_mut(&village) {
                None => {
                    self.cells.insert(village, theirs);
                }
                Some(ours) => {
                    for (mine, their) in ours.iter_mut().zip(theirs) {
                        mine.absorb(their);
                    }
                }
            }
        }
    }

    fn park(&mut self) {
        if let Some((code, cells)) = self.current.take() {
            self.cells.insert(code, cells);
        }
    }

    /// The sample rows of the sampled villages, sorted by village, status, then primaries and
    /// reserves in ticket order. `frame` gives each village's population counts, which must
    /// equal what was offered.
    pub fn finish(
        mut self,
        sampled: &[SelectedVillage],
        frame: &HashMap<VillageCode, FrameVillage>,
    ) -> Result<Vec<SampleRow>, String> {
        self.park();
        let mut villages: Vec<&SelectedVillage> = sampled.iter().collect();
        villages.sort_by(|a, b| a.code.cmp(&b.code));
        let mut taken = Vec::with_capacity(villages.len());
        for village in villages {
            let counts = frame
                .get(&village.code)
                .map(|f| f.households)
                .unwrap_or([0; 3]);
            let cells = self
                .cells
                .remove(&village.code)
                .unwrap_or_else(|| std::array::from_fn(|_| Cell::default()));
            for (cell, count) in cells.iter().zip(counts) {
                if cell.population != count {
                    return Err(format!(
                        "village {}: {} households seen, {} counted before",
                        village.code, cell.population, count
                    ));
                }
            }
            taken.push((village, cells));
        }
        Ok(rows_of(&taken))
    }
}

/// The rows of the taken villages, in order, built on every core into one vector sized in
/// advance (a national sample has a million rows; parts joined afterwards would need twice
/// their memory for a moment).
fn rows_of(taken: &[(&SelectedVillage, [Cell; 3])]) -> Vec<SampleRow> {
    let count = |(_, cells): &(&SelectedVillage, [Cell; 3])| -> usize {
        cells.iter().map(|c| c.heap.len()).sum()
    };
    let mut rows = Vec::new();
    rows.resize_with(taken.iter().map(count).sum(), SampleRow::default);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_part = taken.len().div_ceil(cores).max(1);
    std::thread::scope(|scope| {
        let mut rest: &mut [SampleRow] = &mut rows;
        for part in taken.chunks(per_part) {
            let (mine, tail) = std::mem::take(&mut rest).split_at_mut(part.iter().map(count).sum());
            rest = tail;
            scope.spawn(move || {
                let built = part.iter().flat_map(|(village, cells)| {
                    Status::ALL
                        .iter()
                        .zip(cells)
                        .flat_map(|(status, cell)| cell_rows(village, *status, cell))
                });
                for (slot, row) in mine.iter_mut().zip(built) {
                    *slot = row;
                }
            });
        }
    });
    rows
}

fn cell_rows(village: &SelectedVillage, status: Status, cell: &Cell) -> Vec<SampleRow> {
    let population = cell.population;
    let primaries = cell.primaries.map_or(usize::MAX, |n| n);
    let mut chosen: Vec<&Candidate> = cell.heap.iter().collect();
    chosen.sort_unstable();
    let n_primary = chosen.len().min(primaries);
    let pi_household = if population == 0 {
        0.0
    } else {
        n_primary as f64 / population as f64
    };
    chosen
        .into_iter()
        .enumerate()
        .map(|(k, c)| {
            let primary = k < n_primary;
            let pi_h = primary.then_some(pi_household);
            let pi = match (primary, village.pi) {
                (true, Some(pv)) => Some(pv * pi_household),
                _ => None,
            };
            SampleRow {
                household_id: c.id.clone(),
                county_code: CompactString::new(village.code.county()),
                township_code: CompactString::new(village.code.township()),
                village_code: CompactString::new(village.code.as_str()),
                village_stratum: CompactString::new(&village.group),
                stratum: CompactString::const_new(status.as_str()),
                role: if primary {
                    Role::Primary
                } else {
                    Role::Reserve
                },
                reserve_rank: (!primary).then(|| (k - n_primary + 1) as u32),
                ticket: c.ticket,
                pi_village: village.pi,
                pi_household: pi_h,
                pi,
                weight: pi.map(|p| 1.0 / p),
                certainty: village.certainty,
                selection: CompactString::const_new(if village.by_hand {
                    "by_hand"
                } else {
                    "probability"
                }),
                members: c.members,
                display: None,
            }
        })
        .collect()
}
