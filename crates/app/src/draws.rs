//! Importing a draw into the database. The draw directory is read and checked against its
//! manifest, and the village file against the manifest's hash, before the database is
//! touched ([`DrawImport::read`]); then [`import`] stores it in one transaction.

use crate::error::AppError;
use assess_draw::DrawDir;
use assess_store::{DrawFacts, ImportOutcome, Store};
use std::collections::HashSet;
use std::path::Path;

/// A draw directory read and checked, with the facts stored beside it: when it was made and
/// its sampled villages' centres.
#[derive(Debug, Clone)]
pub struct DrawImport {
    /// The draw's files, checked against its manifest.
    pub draw: DrawDir,
    /// Its time and village centres.
    pub facts: DrawFacts,
}

/// What [`import`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawImported {
    /// The draw's id (its sample.csv SHA-256).
    pub draw_id: String,
    /// The plan's name.
    pub plan_name: String,
    /// Imported, or already present (and which facts were added).
    pub outcome: ImportOutcome,
}

impl DrawImport {
    /// Reads the draw directory `dir` written by `assess draw`. The draw's time is `drawn_at`
    /// (RFC 3339) when given, else its receipt's. `villages` is the village file the draw used
    /// (its canonical SHA-256 must be the manifest's): its sampled villages' centres are kept.
    pub fn read(
        dir: &Path,
        villages: Option<&Path>,
        drawn_at: Option<&str>,
    ) -> Result<DrawImport, AppError> {
        let draw = assess_draw::load_draw_dir(dir)?;
        let drawn_at = match drawn_at {
            Some(text) => Some(rfc3339_as_given(text)?),
            None => assess_draw::read_receipt(&draw.path)?.map(|r| r.drawn_at),
        };
        let mut facts = DrawFacts {
            drawn_at,
            ..DrawFacts::default()
        };
        if let Some(path) = villages {
            facts.village_centres = village_centres(&draw, path)?;
        }
        Ok(DrawImport { draw, facts })
    }
}

/// Stores the draw, once: importing it again changes nothing but facts not stored before.
pub async fn import(store: &Store, import: &DrawImport) -> Result<DrawImported, AppError> {
    let outcome = store.import_draw(&import.draw, &import.facts).await?;
    Ok(DrawImported {
        draw_id: import.draw.manifest.sample_sha256.clone(),
        plan_name: import.draw.manifest.plan_name.clone(),
        outcome,
    })
}

/// An RFC 3339 time, checked and kept as given, with its offset (`2020-06-10T16:00:00+08:00`
/// stays +08:00); it is compared with other times as the instant it names.
fn rfc3339_as_given(text: &str) -> Result<String, AppError> {
    assess_inspection::parse_rfc3339(text).ok_or_else(|| AppError::NotATime(text.to_string()))?;
    Ok(text.to_string())
}

/// The centres of the draw's sampled villages, from the village file the draw used.
fn village_centres(
    draw: &DrawDir,
    path: &Path,
) -> Result<std::collections::BTreeMap<String, (f64, f64)>, AppError> {
    let mut centres = std::collections::BTreeMap::new();
    for v in sampled_villages(draw, path)? {
        if let (Some(lon), Some(lat)) = (v.lon, v.lat) {
            centres.insert(v.village.as_str().to_string(), (lon, lat));
        }
    }
    Ok(centres)
}

/// The records of the draw's sampled villages (name, coordinates, ...) in the village file
/// the draw used, refused unless its canonical SHA-256 is the manifest's.
pub fn sampled_villages(
    draw: &DrawDir,
    path: &Path,
) -> Result<Vec<assess_household::VillageRecord>, AppError> {
    let Some(expected) = &draw.manifest.villages_sha256 else {
        return Err(AppError::DrawWithoutVillages(path.to_path_buf()));
    };
    let vintage = draw
        .manifest
        .division_codes
        .vintage
        .parse()
        .map_err(|_| AppError::ManifestVintage(draw.manifest.division_codes.vintage.clone()))?;
    let options = assess_register::ReadOptions {
        vintage: Some(vintage),
        ..assess_register::ReadOptions::default()
    };
    let file = assess_register::read_villages(path, &options)?;
    if &file.sha256 != expected {
        return Err(AppError::VillagesNotOfDraw {
            path: path.to_path_buf(),
            sha256: file.sha256,
            expected: expected.clone(),
        });
    }
    let sampled: HashSet<&str> = draw
        .villages
        .iter()
        .map(|v| v.village_code.as_str())
        .collect();
    Ok(file
        .villages
        .into_iter()
        .filter(|v| sampled.contains(v.village.as_str()))
        .collect())
}

/// The design review's lines and warnings (`assess plan check`, `assess draw`), with the
/// standards' limits; a drift is shown for a part whose rate is the indicator's threshold above
/// the rest's (the approval rate's shortfall from 100% for approval).
pub fn design_review(
    reviews: &[assess_sampling::CountyReview],
    standards: &assess_standards::Standards,
) -> (Vec<String>, Vec<assess_sampling::Problem>) {
    use assess_sampling::ReviewCell;
    let limits = assess_sampling::ReviewLimits {
        weighting_effect: standards.design_review.weighting_effect_warn,
        share_gap: standards.design_review.share_gap_warn,
    };
    let t = &standards.exit_thresholds;
    assess_sampling::review_report(reviews, &limits, |cell| match cell {
        ReviewCell::Exited => t.wrong_exit_rate,
        ReviewCell::NonRegistered => t.missed_rate,
        ReviewCell::AllStatuses => 1.0 - t.approval_rate,
    })
}
