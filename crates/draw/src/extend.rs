//! Extending a draw: a second phase of villages, the next keys of every sampling stratum or
//! draw (issue 11 part 8; Lemeshow and Taber 1991 on double sampling). The first phase's
//! villages and households stay exactly as drawn; the new draw states the inclusion
//! probabilities of the whole and names the draw it extends.

use crate::dir::load_draw_dir;
use crate::manifest::{Extension, SCHEME_VERSION};
use crate::run::{compute_extended, Draw, ExtendError, Inputs, Seeds};
use assess_sampling::ticket::seed_commitment;
use std::collections::HashMap;
use std::path::Path;

/// Computes the extension of the draw in `dir` by `add` villages in every sampling stratum or
/// draw (nothing is written). The inputs and seeds must be those the draw was made from.
pub fn extend(
    dir: &Path,
    inputs: &Inputs,
    seeds: &Seeds,
    add: u32,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Draw, ExtendError> {
    if add == 0 {
        return Err(ExtendError::NothingToAdd);
    }
    let base = load_draw_dir(dir)?;
    let m = &base.manifest;
    if m.scheme_version != SCHEME_VERSION {
        return Err(ExtendError::OtherScheme {
            dir: dir.to_path_buf(),
            found: m.scheme_version.clone(),
        });
    }
    let not_its = |what, given: String, expected: &str| ExtendError::NotItsInputs {
        dir: dir.to_path_buf(),
        what,
        given,
        expected: expected.to_string(),
    };
    let village_seed = seed_commitment(&seeds.village);
    if village_seed != m.seed_commitments.village {
        return Err(not_its(
            "village seed",
            village_seed,
            &m.seed_commitments.village,
        ));
    }
    let household_seed = seed_commitment(seeds.household.as_deref().unwrap_or(&seeds.village));
    if household_seed != m.seed_commitments.household {
        return Err(not_its(
            "household seed",
            household_seed,
            &m.seed_commitments.household,
        ));
    }
    let extension = Extension {
        extends: m.sample_sha256.clone(),
        villages: m.extension.as_ref().map_or(0, |e| e.villages) + add,
    };
    let seeds = Seeds {
        publish: m.seeds.is_some(),
        ..seeds.clone()
    };
    let draw = compute_extended(inputs, &seeds, Some(&extension), progress)?;
    let new = &draw.manifest;
    if new.plan_sha256 != m.plan_sha256 {
        return Err(not_its("plan", new.plan_sha256.clone(), &m.plan_sha256));
    }
    if new.counties_given != m.counties_given {
        let text = |c: &Option<Vec<String>>| {
            c.as_ref().map_or("the plan's counties".into(), |l| {
                format!("counties {}", l.join(", "))
            })
        };
        return Err(not_its(
            "counties",
            text(&new.counties_given),
            &text(&m.counties_given),
        ));
    }
    if new.frame_fingerprint != m.frame_fingerprint {
        return Err(not_its(
            "register",
            new.frame_fingerprint.clone(),
            &m.frame_fingerprint,
        ));
    }
    if new.villages_sha256 != m.villages_sha256 {
        let or_none = |h: &Option<String>| h.clone().unwrap_or_else(|| "none".to_string());
        return Err(not_its(
            "village file",
            or_none(&new.villages_sha256),
            &or_none(&m.villages_sha256),
        ));
    }
    if draw.villages.len() == base.villages.len() {
        return Err(ExtendError::NothingLeft(dir.to_path_buf()));
    }
    first_phase_kept(&base, &draw)?;
    Ok(draw)
}

/// Every village and household row of the first phase is in the extension, drawn the same
/// way (same village, stratum, role, reserve rank and ticket).
fn first_phase_kept(base: &crate::DrawDir, draw: &Draw) -> Result<(), ExtendError> {
    let villages: std::collections::HashSet<&str> =
        draw.villages.iter().map(|v| v.code.as_str()).collect();
    if let Some(lost) = base
        .villages
        .iter()
        .find(|v| !villages.contains(v.village_code.as_str()))
    {
        return Err(ExtendError::FirstPhaseChanged(format!(
            "village {} is gone",
            lost.village_code
        )));
    }
    let rows: HashMap<&str, &assess_sampling::SampleRow> = draw
        .rows
        .iter()
        .map(|r| (r.household_id.as_str(), r))
        .collect();
    for old in &base.households {
        let same = rows.get(old.household_id.as_str()).is_some_and(|new| {
            new.village_code == old.village_code
                && new.stratum == old.stratum
                && new.role == old.role
                && new.reserve_rank == old.reserve_rank
                && new.ticket == old.ticket
        });
        if !same {
            return Err(ExtendError::FirstPhaseChanged(format!(
                "household {} is not drawn as before",
                old.household_id
            )));
        }
    }
    Ok(())
}
