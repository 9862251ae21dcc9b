//! Simulated re-interviews for the census's post-enumeration survey (docs/census.md,
//! "Post-enumeration survey"): a second team re-asks a drawn household and, at a settable
//! rate per item, gets another answer. The truth says which answers were changed, so the
//! estimates of `assess census pes estimate` can be checked against it.

use assess_census::CensusReturn;
use assess_inspection::Opinion;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

/// The answers a re-interview may give differently, as written in the PES truth file.
pub const PES_CHANGES: [&str; 6] = [
    "members",
    "food_adequate",
    "clothing_adequate",
    "protein_available",
    "basic_medical_insurance",
    "approval_exit",
];

/// The PES truth file's columns.
pub const PES_TRUTH_HEADER: &str = "county_code,household_id,return_id,changed";

/// Days between the census interview and the re-interview.
const DAYS_AFTER: i64 = 10;

/// The re-interview of one household: the census return with each answer of [`PES_CHANGES`]
/// changed with probability `rate` (independently; a household's changes depend only on the
/// seed and its return id), and the names of the answers changed. Members: the last member
/// is left out (a household of one keeps its member). The re-interview has its own return id
/// (`PES-` and the census return's) and enumerator (`P` and the census enumerator's id), ten
/// days later.
pub fn reinterview(
    census: &CensusReturn,
    rate: f64,
    seed: u64,
) -> (CensusReturn, Vec<&'static str>) {
    let mut rng = household_rng(seed, &census.return_id);
    let mut r = census.clone();
    r.return_id = format!("PES-{}", census.return_id);
    r.enumerator.id = format!("P{}", census.enumerator.id);
    r.start = later(&census.start);
    r.end = later(&census.end);
    let mut changed = Vec::new();
    let Some(h) = r.household.as_mut() else {
        return (r, changed);
    };
    for name in PES_CHANGES {
        if !rng.random_bool(rate.clamp(0.0, 1.0)) {
            continue;
        }
        let flip = |v: &mut Option<bool>| *v = Some(!v.unwrap_or(true));
        let done = match name {
            "members" if h.members.len() > 1 => {
                h.members.pop();
                true
            }
            "food_adequate" => {
                flip(&mut h.food_adequate);
                true
            }
            "clothing_adequate" => {
                flip(&mut h.clothing_adequate);
                true
            }
            "protein_available" => {
                flip(&mut h.protein_available);
                true
            }
            "basic_medical_insurance" => match h.members.first_mut() {
                Some(m) => {
                    flip(&mut m.cover.basic_medical_insurance);
                    true
                }
                None => false,
            },
            "approval_exit" => match h.approval.as_mut() {
                Some(a) => {
                    a.exit = Some(match a.exit {
                        Some(Opinion::Dissatisfied) => Opinion::Satisfied,
                        _ => Opinion::Dissatisfied,
                    });
                    true
                }
                None => false,
            },
            _ => false,
        };
        if done {
            changed.push(name);
        }
    }
    (r, changed)
}

fn household_rng(seed: u64, return_id: &str) -> ChaCha8Rng {
    let mut hasher = Sha256::new();
    hasher.update(seed.to_le_bytes());
    hasher.update(b"assess-pes");
    hasher.update(return_id.as_bytes());
    ChaCha8Rng::from_seed(hasher.finalize().into())
}

fn later(text: &str) -> String {
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .and_then(|t| (t + Duration::days(DAYS_AFTER)).format(&Rfc3339).ok())
        .unwrap_or_else(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_rate_changes_nothing_but_who_and_when() {
        let census = assess_census::example_return();
        let (again, changed) = reinterview(&census, 0.0, 1);
        assert!(changed.is_empty());
        assert_eq!(again.household, census.household);
        assert_ne!(again.return_id, census.return_id);
        assert_ne!(again.start, census.start);
    }

    #[test]
    fn a_full_rate_changes_every_answer_it_can() {
        let census = assess_census::example_return();
        let (again, changed) = reinterview(&census, 1.0, 1);
        let (h0, h1) = (census.household.unwrap(), again.household.unwrap());
        assert!(changed.contains(&"members"));
        assert_eq!(h1.members.len(), h0.members.len() - 1);
        assert_ne!(h1.food_adequate, h0.food_adequate);
        assert_eq!(
            reinterview(&assess_census::example_return(), 1.0, 1).1,
            changed
        );
    }
}
