//! The register in the few bytes per household that the household stage needs (id, village,
//! status, members), kept while the register is scanned once; and, for a register with
//! display columns, each household's display values, so that the sample rows carry them
//! without a second read (their bytes plus one or five, only for households that have any).
//!
//! Why: a household's ticket does not depend on which villages are drawn, but only the
//! households of sampled villages need one. A national draw samples about 20,000 of 150,000
//! villages, so keeping every household here and computing tickets after the village stage
//! hashes about a fifth of the 30 million households, without a second read of the register.
//! About 20 bytes a household: 600 MB for a national register. Registers list a village's
//! households together; one whose villages alternate row by row costs 16 bytes more a
//! household (a run each), 1.1 GB for 30 million.

use crate::household::HouseholdSelector;
use crate::village::SelectedVillage;
use assess_divisions::VillageCode;
use assess_household::{DisplayColumn, Household, HouseholdDisplay, Status};
use std::collections::{HashMap, HashSet};

/// Set in a household's status byte when its display values follow its id.
const HAS_DISPLAY: u8 = 0x80;
/// Separates the display values of a household (they hold no control character: the
/// register refuses them).
const DISPLAY_SEPARATOR: char = '\u{1f}';

/// Bytes per block: runs never span blocks, so a block is filled and then left alone (no
/// copying as one long vector grows). 64 MiB, above the largest size glibc serves from its
/// per-thread heaps: each block is its own mapping, given back when the register is dropped
/// (4 MiB blocks stayed in the scanning thread's heap and raised a national draw's peak).
/// Pages are only used as they are written, so a small register does not pay for the size.
const BLOCK: usize = if cfg!(test) { 1 << 16 } else { 64 << 20 };

/// Every household of a register, in file order, grouped into runs of one village.
#[derive(Debug, Default)]
pub struct CompactRegister {
    villages: Vec<VillageCode>,
    village_index: HashMap<VillageCode, u32>,
    runs: Vec<Run>,
    blocks: Vec<Vec<u8>>,
    households: u64,
}

/// Consecutive households of one village, stored in one block.
#[derive(Debug, Clone, Copy)]
struct Run {
    village: u32,
    block: u32,
    start: u32,
    end: u32,
}

/// The households of one run: a village and its rows (see [`CompactRegister::runs_of`]).
#[derive(Debug, Clone, Copy)]
pub struct StoredRun<'a> {
    village: &'a VillageCode,
    rows: &'a [u8],
}

/// A household of a [`StoredRun`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoredHousehold<'a> {
    /// Register status.
    pub status: Status,
    /// Registered members.
    pub members: u32,
    /// Household id (as validated: NFC, trimmed).
    pub id: &'a str,
    /// Display values in the order of [`DisplayColumn::ALL`], joined by U+001F; empty when
    /// the household has none.
    display: &'a str,
}

impl StoredHousehold<'_> {
    /// The household's display values (empty when the register has no display columns).
    pub fn display(&self) -> HouseholdDisplay {
        let mut display = HouseholdDisplay::default();
        if self.display.is_empty() {
            return display;
        }
        for (column, value) in DisplayColumn::ALL
            .into_iter()
            .zip(self.display.split(DISPLAY_SEPARATOR))
        {
            display.set(column, Some(value).filter(|v| !v.is_empty()));
        }
        display
    }
}

impl CompactRegister {
    /// Keeps one household.
    pub fn push(&mut self, household: &Household) {
        let id = household.household_id.as_bytes();
        let display = DisplayColumn::ALL.map(|c| household.display.get(c).unwrap_or(""));
        let display_len = match household.display.is_empty() {
            true => 0,
            false => display.iter().map(|v| v.len()).sum::<usize>() + display.len() - 1,
        };
        // A byte each for status, members and id length, 255 meaning that a u32 follows: ids
        // are short and households small, so this is 3 bytes a household where fixed widths
        // would take 9 (a varint crate would give the same for one more dependency).
        let need = 1 + 5 + 5 + id.len() + 5 + display_len;
        let block_full = self
            .blocks
            .last()
            .is_none_or(|b| b.capacity() - b.len() < need);
        if block_full {
            self.blocks.push(Vec::with_capacity(BLOCK.max(need)));
        }
        let block = self.blocks.len() - 1;
        let same_run = !block_full
            && self.runs.last().is_some_and(|r| {
                r.block as usize == block && self.villages[r.village as usize] == household.village
            });
        if !same_run {
            let village = self.village_number(&household.village);
            let start = self.blocks[block].len() as u32;
            self.runs.push(Run {
                village,
                block: block as u32,
                start,
                end: start,
            });
        }
        let bytes = &mut self.blocks[block];
        let flag = if display_len > 0 { HAS_DISPLAY } else { 0 };
        bytes.push(status_byte(household.status) | flag);
        put_small(bytes, household.members);
        put_small(bytes, id.len() as u32);
        bytes.extend_from_slice(id);
        if display_len > 0 {
            put_small(bytes, display_len as u32);
            for (i, value) in display.iter().enumerate() {
                if i > 0 {
                    bytes.push(DISPLAY_SEPARATOR as u8);
                }
                bytes.extend_from_slice(value.as_bytes());
            }
        }
        let end = bytes.len() as u32;
        if let Some(run) = self.runs.last_mut() {
            run.end = end;
        }
        self.households += 1;
    }

    fn village_number(&mut self, code: &VillageCode) -> u32 {
        if let Some(&n) = self.village_index.get(code) {
            return n;
        }
        let n = self.villages.len() as u32;
        self.villages.push(code.clone());
        self.village_index.insert(code.clone(), n);
        n
    }

    /// Households kept.
    pub fn len(&self) -> u64 {
        self.households
    }

    /// Whether no household was kept.
    pub fn is_empty(&self) -> bool {
        self.households == 0
    }

    /// The runs of the sampled villages, in file order. Split them among threads at will:
    /// [`HouseholdSelector::merge`] joins the selectors of the parts.
    pub fn runs_of(&self, sampled: &[SelectedVillage]) -> Vec<StoredRun<'_>> {
        let wanted: HashSet<u32> = sampled
            .iter()
            .filter_map(|v| self.village_index.get(&v.code).copied())
            .collect();
        self.runs
            .iter()
            .filter(|r| wanted.contains(&r.village))
            .map(|r| StoredRun {
                village: &self.villages[r.village as usize],
                rows: &self.blocks[r.block as usize][r.start as usize..r.end as usize],
            })
            .collect()
    }
}

impl CompactRegister {
    /// Sets the display values of `rows` (households of the `sampled` villages) from the
    /// households kept; a row whose household has none keeps `None`.
    pub fn fill_display(&self, sampled: &[SelectedVillage], rows: &mut [crate::SampleRow]) {
        let index: HashMap<compact_str::CompactString, usize> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.household_id.clone(), i))
            .collect();
        for run in self.runs_of(sampled) {
            for h in run.households() {
                let Some(&i) = index.get(h.id) else { continue };
                let display = h.display();
                if !display.is_empty() {
                    rows[i].display = Some(Box::new(display));
                }
            }
        }
    }
}

impl<'a> StoredRun<'a> {
    /// The village of every household of the run.
    pub fn village(&self) -> &'a VillageCode {
        self.village
    }

    /// The run's households, in file order.
    pub fn households(&self) -> impl Iterator<Item = StoredHousehold<'a>> + 'a {
        let mut rest = self.rows;
        std::iter::from_fn(move || {
            let (&status, tail) = rest.split_first()?;
            let (members, tail) = take_small(tail);
            let (len, tail) = take_small(tail);
            let (id, tail) = tail.split_at(len as usize);
            let (display, tail) = match status & HAS_DISPLAY {
                0 => (&tail[..0], tail),
                _ => {
                    let (len, tail) = take_small(tail);
                    tail.split_at(len as usize)
                }
            };
            rest = tail;
            // Written from `str`s by `push`, cut at the same places.
            let text = |bytes| std::str::from_utf8(bytes).expect("stored texts are UTF-8");
            Some(StoredHousehold {
                status: Status::ALL[(status & !HAS_DISPLAY) as usize],
                members,
                id: text(id),
                display: text(display),
            })
        })
    }
}

/// The households of `runs` offered to a new selector for the sampled villages.
pub fn select_runs(
    runs: &[StoredRun<'_>],
    plan: &crate::Plan,
    sampled: &[SelectedVillage],
    seed: &str,
) -> HouseholdSelector {
    let mut selector = HouseholdSelector::new(plan, sampled, seed);
    runs.iter().for_each(|run| selector.offer_run(run));
    selector
}

fn status_byte(status: Status) -> u8 {
    crate::village::status_index(status) as u8
}

fn put_small(bytes: &mut Vec<u8>, n: u32) {
    if n < 255 {
        bytes.push(n as u8);
    } else {
        bytes.push(255);
        bytes.extend_from_slice(&n.to_le_bytes());
    }
}

fn take_small(bytes: &[u8]) -> (u32, &[u8]) {
    match bytes.split_first() {
        Some((255, tail)) => {
            let (n, tail) = tail.split_at(4);
            (u32::from_le_bytes(n.try_into().expect("four bytes")), tail)
        }
        Some((&n, tail)) => (n as u32, tail),
        None => (0, bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn household(id: &str, village: &str, status: Status, members: u32) -> Household {
        Household {
            household_id: id.to_string(),
            village: VillageCode::parse(village).unwrap(),
            status,
            exit_year: None,
            members,
            income_per_capita: None,
            lon: None,
            lat: None,
            display: Default::default(),
        }
    }

    fn village(code: &str) -> SelectedVillage {
        SelectedVillage {
            code: VillageCode::parse(code).unwrap(),
            group: "by_hand".into(),
            pi: None,
            certainty: false,
            by_hand: true,
            tickets: Vec::new(),
            size: 0.0,
            take: [crate::plan::Take::Count(0); 3],
        }
    }

    #[test]
    fn households_come_back_as_pushed_with_long_ids_and_large_households() {
        let long_id = "户".repeat(200); // 600 bytes: the u32 length form
        let pushed = [
            household("a-1", "530128100001", Status::Exited, 3),
            household(&long_id, "530128100001", Status::NonRegistered, 70_000),
            household("b-1", "530128100002", Status::Poor, 254),
            household("a-2", "530128100001", Status::Poor, 255),
        ];
        let mut register = CompactRegister::default();
        pushed.iter().for_each(|h| register.push(h));
        assert_eq!(register.len(), 4);
        // Village 1 is interrupted by village 2: three runs, two of them village 1's.
        let runs = register.runs_of(&[village("530128100001")]);
        assert_eq!(runs.len(), 2);
        let back: Vec<(String, Status, u32)> = runs
            .iter()
            .flat_map(|r| r.households())
            .map(|h| (h.id.to_string(), h.status, h.members))
            .collect();
        assert_eq!(
            back,
            vec![
                ("a-1".to_string(), Status::Exited, 3),
                (long_id, Status::NonRegistered, 70_000),
                ("a-2".to_string(), Status::Poor, 255),
            ]
        );
        assert!(register.runs_of(&[village("530128100003")]).is_empty());
    }

    #[test]
    fn a_run_never_spans_two_blocks() {
        let mut register = CompactRegister::default();
        let id = "x".repeat(1000);
        let n = 2 * BLOCK / 1000;
        for _ in 0..n {
            register.push(&household(&id, "530128100001", Status::Exited, 1));
        }
        let runs = register.runs_of(&[village("530128100001")]);
        assert!(runs.len() >= 2, "{} runs", runs.len());
        let count: usize = runs.iter().map(|r| r.households().count()).sum();
        assert_eq!(count, n);
        assert!(runs.iter().flat_map(|r| r.households()).all(|h| h.id == id));
    }

    #[test]
    fn display_values_come_back_with_their_household_and_cost_nothing_when_absent() {
        let long = "门".repeat(100); // 300 bytes: the u32 length form
        let mut with = household("a-1", "530128100001", Status::Exited, 3);
        with.display = HouseholdDisplay::default()
            .with(DisplayColumn::HeadName, "张三")
            .with(DisplayColumn::Address, &long)
            .with(DisplayColumn::Phone, "13800000001");
        let group_only = HouseholdDisplay::default().with(DisplayColumn::Group, "二组");
        let mut second = household("a-2", "530128100001", Status::Poor, 2);
        second.display = group_only.clone();
        let bare = household("a-3", "530128100001", Status::NonRegistered, 255);
        let mut register = CompactRegister::default();
        for h in [&with, &second, &bare] {
            register.push(h);
        }
        let runs = register.runs_of(&[village("530128100001")]);
        let back: Vec<(String, Status, u32, HouseholdDisplay)> = runs
            .iter()
            .flat_map(|r| r.households())
            .map(|h| (h.id.to_string(), h.status, h.members, h.display()))
            .collect();
        assert_eq!(
            back,
            vec![
                ("a-1".into(), Status::Exited, 3, with.display.clone()),
                ("a-2".into(), Status::Poor, 2, group_only),
                (
                    "a-3".into(),
                    Status::NonRegistered,
                    255,
                    HouseholdDisplay::default()
                ),
            ]
        );
        // Without display values a household takes what it took before: status, members (255
        // and more: a marker and a u32), id length, id.
        let mut plain = CompactRegister::default();
        plain.push(&bare);
        assert_eq!(plain.blocks[0].len(), 1 + 5 + 1 + 3);
        let mut rows = vec![
            crate::SampleRow {
                household_id: "a-3".into(),
                ..Default::default()
            },
            crate::SampleRow {
                household_id: "a-1".into(),
                ..Default::default()
            },
        ];
        register.fill_display(&[village("530128100001")], &mut rows);
        assert_eq!(rows[0].display, None);
        assert_eq!(rows[1].display.as_deref(), Some(&with.display));
    }
}
