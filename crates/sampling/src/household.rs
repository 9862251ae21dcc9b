//! The household stage: inside each sampled village and register status, equal probability.
//! The households with the smallest tickets are the primaries; the next ones are reserves,
//! in ticket order. Households arrive one at a time (a national register is streamed), and
//! each (village, status) cell keeps only its n + reserves smallest tickets in a heap.

use crate::plan::{Plan, Take};
use crate::ticket::{ticket, Stage};
use crate::village::{status_index, FrameVillage, SelectedVillage};
use assess_divisions::VillageCode;
use assess_register::{Household, Status};
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

/// One row of `sample.csv`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SampleRow {
    /// Household id from the register.
    pub household_id: String,
    /// 6-digit county code.
    pub county_code: String,
    /// 9-digit township code.
    pub township_code: String,
    /// 12-digit village code.
    pub village_code: String,
    /// Village stratum (or independent draws joined by `+`, or `by_hand`).
    pub village_stratum: String,
    /// Household stratum: the register status.
    pub stratum: String,
    /// `primary` or `reserve`.
    pub role: String,
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
    pub selection: String,
    /// Registered members.
    pub members: u32,
}

#[derive(Debug, Clone)]
struct Candidate {
    ticket: f64,
    id: String,
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
    fn offer(&mut self, candidate: Candidate) {
        self.population += 1;
        match self.keep {
            Some(0) => {}
            Some(k) if self.heap.len() == k => {
                if let Some(top) = self.heap.peek() {
                    if candidate < *top {
                        self.heap.pop();
                        self.heap.push(candidate);
                    }
                }
            }
            _ => self.heap.push(candidate),
        }
    }
}

struct VillageCells {
    village: SelectedVillage,
    cells: [Cell; 3],
}

/// Collects the household sample while a register streams past.
pub struct HouseholdSelector {
    seed: String,
    villages: HashMap<VillageCode, VillageCells>,
}

impl HouseholdSelector {
    /// Prepares the cells of every sampled village of every county.
    pub fn new(plan: &Plan, sampled: &[SelectedVillage], seed: &str) -> HouseholdSelector {
        let takes = plan.takes();
        let reserves = plan.reserves();
        let villages = sampled
            .iter()
            .map(|v| {
                let cells = std::array::from_fn(|i| {
                    let (keep, primaries) = match takes[i] {
                        Take::All(_) => (None, None),
                        Take::Count(n) => (Some((n + reserves[i]) as usize), Some(n as usize)),
                    };
                    Cell {
                        keep,
                        primaries,
                        ..Cell::default()
                    }
                });
                (
                    v.code.clone(),
                    VillageCells {
                        village: v.clone(),
                        cells,
                    },
                )
            })
            .collect();
        HouseholdSelector {
            seed: seed.to_string(),
            villages,
        }
    }

    /// Offers one household; it is kept if its village was sampled and its ticket is small enough.
    pub fn offer(&mut self, household: &Household) {
        let Some(v) = self.villages.get_mut(&household.village) else {
            return;
        };
        let status = household.status.as_str();
        let t = ticket(
            &self.seed,
            Stage::Household,
            household.village.county(),
            status,
            &household.household_id,
        );
        let candidate = Candidate {
            ticket: t.value,
            id: household.household_id.clone(),
            members: household.members,
        };
        v.cells[status_index(household.status)].offer(candidate);
    }

    /// The sample rows, sorted by county, village, status, then primaries and reserves in
    /// ticket order. `frame` gives each village's population counts, which are checked against
    /// what was offered (a register that changed between the two passes is refused upstream).
    pub fn finish(
        self,
        frame: &HashMap<VillageCode, FrameVillage>,
    ) -> Result<Vec<SampleRow>, String> {
        let mut villages: Vec<VillageCells> = self.villages.into_values().collect();
        villages.sort_by(|a, b| a.village.code.cmp(&b.village.code));
        let mut rows = Vec::new();
        for v in villages {
            let counts = frame
                .get(&v.village.code)
                .map(|f| f.households)
                .unwrap_or([0; 3]);
            for (i, cell) in v.cells.into_iter().enumerate() {
                if cell.population != counts[i] {
                    return Err(format!(
                        "village {}: {} households seen, {} counted before",
                        v.village.code, cell.population, counts[i]
                    ));
                }
                rows.extend(cell_rows(&v.village, Status::ALL[i], cell));
            }
        }
        Ok(rows)
    }
}

fn cell_rows(village: &SelectedVillage, status: Status, cell: Cell) -> Vec<SampleRow> {
    let population = cell.population;
    let primaries = cell.primaries.map_or(usize::MAX, |n| n);
    let chosen = cell.heap.into_sorted_vec();
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
                household_id: c.id,
                county_code: village.code.county().to_string(),
                township_code: village.code.township().to_string(),
                village_code: village.code.to_string(),
                village_stratum: village.group.clone(),
                stratum: status.as_str().to_string(),
                role: if primary { "primary" } else { "reserve" }.to_string(),
                reserve_rank: (!primary).then(|| (k - n_primary + 1) as u32),
                ticket: c.ticket,
                pi_village: village.pi,
                pi_household: pi_h,
                pi,
                weight: pi.map(|p| 1.0 / p),
                certainty: village.certainty,
                selection: if village.by_hand {
                    "by_hand"
                } else {
                    "probability"
                }
                .to_string(),
                members: c.members,
            }
        })
        .collect()
}
