//! The XLSX visit-record template field teams fill, optionally listing a draw's households
//! (primaries and reserves) so that a team gets its assignment.

use crate::error::AppError;
use assess_forms::{ListLanguage, Prefill};
use assess_household::HouseholdDisplay;
use assess_inspection::SampleUnit;
use assess_sampling::Role;
use assess_store::Store;
use std::collections::HashMap;

/// The template's bytes: empty, or listing `households` of draw `draw_id` with the
/// register's `display` values (head's name, group, address, phone) of those that have any.
/// `language` chooses the words of its drop-down lists.
pub fn workbook(
    draw_id: Option<&str>,
    households: &[SampleUnit],
    display: &HashMap<String, HouseholdDisplay>,
    language: ListLanguage,
) -> Result<Vec<u8>, AppError> {
    let prefill = draw_id.map(|draw_id| Prefill {
        draw_id,
        households,
        display,
    });
    Ok(assess_forms::template(prefill, language)?)
}

/// The register's display values of a draw's households, by household id: what a team
/// finds a household by (empty when the register had no display columns).
pub async fn draw_display(
    store: &Store,
    draw: &str,
) -> Result<HashMap<String, HouseholdDisplay>, AppError> {
    Ok(store.sample_display(draw).await?)
}

/// A draw's households as the template lists them: by county, village, stratum (exited,
/// poor, non-registered), primaries before reserves in rank order; only those of `counties`
/// and of `villages` when any are given. `None` when the draw is not in the database.
pub async fn draw_households(
    store: &Store,
    draw: &str,
    counties: &[String],
    villages: &[String],
) -> Result<Option<Vec<SampleUnit>>, AppError> {
    let Some(found) = store.draws_for_check(Some(draw)).await?.into_iter().next() else {
        return Ok(None);
    };
    let mut units = found.input.sample;
    if !counties.is_empty() {
        let in_draw: std::collections::BTreeSet<&String> =
            units.iter().map(|u| &u.county).collect();
        let unknown: Vec<String> = counties
            .iter()
            .filter(|c| !in_draw.contains(c))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(AppError::CountiesNotInDraw {
                counties: unknown,
                draw: draw.to_string(),
                in_draw: in_draw.into_iter().cloned().collect(),
            });
        }
        units.retain(|u| counties.contains(&u.county));
    }
    if !villages.is_empty() {
        let unknown: Vec<String> = villages
            .iter()
            .filter(|v| !units.iter().any(|u| &u.village == *v))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(AppError::VillagesNotInDraw {
                villages: unknown,
                draw: draw.to_string(),
            });
        }
        units.retain(|u| villages.contains(&u.village));
    }
    let stratum = |s: &str| match s {
        "exited" => 0,
        "poor" => 1,
        _ => 2,
    };
    units.sort_by(|a, b| {
        (
            &a.county,
            &a.village,
            stratum(&a.stratum),
            a.role == Role::Reserve,
            a.reserve_rank,
        )
            .cmp(&(
                &b.county,
                &b.village,
                stratum(&b.stratum),
                b.role == Role::Reserve,
                b.reserve_rank,
            ))
            .then_with(|| a.household_id.cmp(&b.household_id))
    });
    Ok(Some(units))
}
