//! The re-interview sample: the n lowest tickets among a county's enumerated households.

use assess_census::ReturnRow;
use assess_sampling::ticket::{by_ticket, Stage, TicketStream};
use serde::Serialize;
use std::collections::BTreeMap;

/// The ticket stratum of the PES draw: tickets are `seed ‖ household ‖ county ‖ "pes" ‖
/// household id`, so a PES sample never reuses the tickets of a survey draw (whose strata are
/// register statuses) made with the same seed.
pub const PES_STRATUM: &str = "pes";

/// A problem with a PES draw or its re-interviews.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PesError {
    /// The county has no enumerated household.
    #[error("county {county} has no enumerated household to re-interview")]
    EmptyFrame {
        /// The county.
        county: String,
    },
    /// A sample of zero households.
    #[error("a re-interview sample needs at least 1 household per county")]
    ZeroSample,
    /// A re-interview of a household that was not drawn.
    #[error("household {household_id} of county {county} was not drawn for re-interview")]
    NotDrawn {
        /// The county.
        county: String,
        /// The household.
        household_id: String,
    },
    /// The survey engine refused the estimate (a bug: the design is built here).
    #[error("the survey engine refused the estimate: {0}")]
    Survey(String),
}

/// One household drawn for re-interview.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Selection {
    /// The county.
    pub county_code: String,
    /// The village (where the re-interview team goes).
    pub village_code: String,
    /// The household.
    pub household_id: String,
    /// The census return the re-interview is compared with.
    pub return_id: String,
    /// 1 for the lowest ticket.
    pub rank: u32,
    /// The ticket's raw 64 bits (hex), for re-checking.
    pub ticket_raw: String,
    /// The ticket, in (0, 1).
    pub ticket: f64,
    /// Enumerated households in the county (the frame), N.
    pub frame_size: u64,
}

/// The frame of one county: its enumerated households, each with its first return (by return
/// id: a duplicate upload is the same household, not a second chance of selection).
pub fn frame(returns: &[ReturnRow]) -> Vec<&ReturnRow> {
    let mut first: BTreeMap<&str, &ReturnRow> = BTreeMap::new();
    for r in returns.iter().filter(|r| r.outcome == "enumerated") {
        first
            .entry(r.household_id.as_str())
            .and_modify(|held| {
                if r.return_id < held.return_id {
                    *held = r;
                }
            })
            .or_insert(r);
    }
    first.into_values().collect()
}

/// Draws `n` households of one county's returns for re-interview (all of them when the
/// county has at most `n`), in ticket order.
pub fn draw(
    seed: &str,
    county: &str,
    returns: &[ReturnRow],
    n: u32,
) -> Result<Vec<Selection>, PesError> {
    if n == 0 {
        return Err(PesError::ZeroSample);
    }
    let frame = frame(returns);
    if frame.is_empty() {
        return Err(PesError::EmptyFrame {
            county: county.to_string(),
        });
    }
    let tickets = TicketStream::new(seed, Stage::Household).within(county, PES_STRATUM);
    let mut ticketed: Vec<_> = frame
        .iter()
        .map(|r| (tickets.ticket(&r.household_id), *r))
        .collect();
    ticketed.sort_by(|a, b| {
        by_ticket(
            (a.0.value, a.1.household_id.as_str()),
            (b.0.value, b.1.household_id.as_str()),
        )
    });
    let frame_size = frame.len() as u64;
    Ok(ticketed
        .into_iter()
        .take(n as usize)
        .enumerate()
        .map(|(i, (t, r))| Selection {
            county_code: county.to_string(),
            village_code: r.village_code.clone(),
            household_id: r.household_id.clone(),
            return_id: r.return_id.clone(),
            rank: i as u32 + 1,
            ticket_raw: format!("{:016x}", t.raw),
            ticket: t.value,
            frame_size,
        })
        .collect())
}
