//! Who is visited and what happens: the sample's cells (village and household stratum) worked
//! as the field works them. Every primary is visited; each failure (refusal or non-contact) is
//! replaced by the cell's next reserve in drawn order; when the reserves run out, the cell
//! carries a `replacement-owed` note.

use super::keyed_rng;
use assess_inspection::{Disposition, Note};
use assess_sampling::{Role, SampleRow};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use time::OffsetDateTime;

/// Share of failed contacts that are refusals (the rest: nobody found at home).
const REFUSED_SHARE: f64 = 0.6;

/// A visit decided, not yet written.
pub(super) struct Planned<'a> {
    pub(super) unit: &'a SampleRow,
    pub(super) disposition: Disposition,
    pub(super) notes: Vec<Note>,
    /// Set by the schedule: the team (from 0) and when the visit begins and ends.
    pub(super) team: usize,
    pub(super) start: OffsetDateTime,
    pub(super) end: OffsetDateTime,
}

impl<'a> Planned<'a> {
    fn new(unit: &'a SampleRow, disposition: Disposition) -> Planned<'a> {
        Planned {
            unit,
            disposition,
            notes: Vec::new(),
            team: 0,
            start: OffsetDateTime::UNIX_EPOCH,
            end: OffsetDateTime::UNIX_EPOCH,
        }
    }
}

/// Every visit of the sample, cell by cell in order of first appearance. Each cell has its
/// own generator, so a cell's visits do not depend on the other cells.
pub(super) fn plan_visits(sample: &[SampleRow], seed: u64, response_rate: f64) -> Vec<Planned<'_>> {
    let mut planned = Vec::new();
    for (key, units) in &cells_of(sample) {
        let mut rng = keyed_rng(seed, &["cell", key.0, key.1, key.2]);
        planned.extend(plan_cell(units, &mut rng, response_rate));
    }
    planned
}

/// Puts the visits back in the sample's order.
pub(super) fn sort_in_sample_order(planned: &mut [Planned<'_>], sample: &[SampleRow]) {
    let order: HashMap<&str, usize> = sample
        .iter()
        .enumerate()
        .map(|(i, u)| (u.household_id.as_str(), i))
        .collect();
    planned.sort_by_key(|p| order[p.unit.household_id.as_str()]);
}

/// A cell of the sample: (county, village, household stratum).
type CellKey<'a> = (&'a str, &'a str, &'a str);

/// The sample's cells, in order of first appearance, each with its units in sample order.
fn cells_of(sample: &[SampleRow]) -> Vec<(CellKey<'_>, Vec<&SampleRow>)> {
    let mut index: HashMap<CellKey<'_>, usize> = HashMap::new();
    let mut cells: Vec<(CellKey<'_>, Vec<&SampleRow>)> = Vec::new();
    for u in sample {
        let key = (
            u.county_code.as_str(),
            u.village_code.as_str(),
            u.stratum.as_str(),
        );
        let i = *index.entry(key).or_insert_with(|| {
            cells.push((key, Vec::new()));
            cells.len() - 1
        });
        cells[i].1.push(u);
    }
    cells
}

/// One cell's visits: every primary, then reserves in rank order while failures are owed.
fn plan_cell<'a>(
    units: &[&'a SampleRow],
    rng: &mut ChaCha8Rng,
    response_rate: f64,
) -> Vec<Planned<'a>> {
    let (primaries, mut reserves): (Vec<&SampleRow>, Vec<&SampleRow>) =
        units.iter().partition(|u| u.role != Role::Reserve);
    reserves.sort_by_key(|u| u.reserve_rank.unwrap_or(u32::MAX));
    let mut owed = 0usize;
    let mut planned: Vec<Planned<'_>> = Vec::new();
    for unit in primaries {
        let d = respond(rng, response_rate);
        owed += usize::from(!d.is_interview());
        planned.push(Planned::new(unit, d));
    }
    for unit in reserves {
        if owed == 0 {
            break;
        }
        let d = respond(rng, response_rate);
        if d.is_interview() {
            owed -= 1;
        }
        planned.push(Planned::new(unit, d));
    }
    if owed > 0 {
        note_replacement_owed(&mut planned, units, owed);
    }
    planned
}

/// Whether a visited household is interviewed, refuses or is not found.
fn respond(rng: &mut ChaCha8Rng, response_rate: f64) -> Disposition {
    if rng.random::<f64>() < response_rate {
        Disposition::Complete
    } else if rng.random::<f64>() < REFUSED_SHARE {
        Disposition::Refused
    } else {
        Disposition::NonContact
    }
}

/// Every reserve used and failures left: `assess check` warns on the cell's first unit, in
/// the order it is given the sample (sample.csv's, or the store's by role and household id);
/// answer it on both.
fn note_replacement_owed(planned: &mut [Planned<'_>], units: &[&SampleRow], owed: usize) {
    let by_id = units
        .iter()
        .filter(|u| u.role != Role::Reserve)
        .min_by(|a, b| a.household_id.cmp(&b.household_id));
    let text = format!(
        "simulated: {owed} failed unit{} left after every reserve of this village and stratum was used",
        if owed == 1 { "" } else { "s" }
    );
    for p in planned.iter_mut().filter(|p| {
        std::ptr::eq(p.unit, units[0]) || by_id.is_some_and(|u| std::ptr::eq(p.unit, *u))
    }) {
        p.notes.push(Note {
            rule: "replacement-owed".to_string(),
            text: text.clone(),
        });
    }
}
