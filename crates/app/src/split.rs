//! Splitting a county's sampled villages among a team's interviewer pairs: the draw directory
//! checked against its manifest, the villages' names and coordinates from the village file the
//! draw used (checked against the manifest's hash) or a locations file, the pairs file, then
//! `assess_assign::villages::split` (docs/assign.md, "Villages among interviewer pairs").

use crate::error::AppError;
use assess_assign::village_input;
use assess_assign::villages::{self, Pair, Split, SplitOptions, Village};
use assess_sampling::Role;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What to split.
#[derive(Debug, Clone, Copy)]
pub struct SplitRequest<'a> {
    /// The draw directory written by `assess draw`.
    pub draw: &'a Path,
    /// The county; may be left out when the draw holds one county.
    pub county: Option<&'a str>,
    /// The pairs file (CSV: pair, interviewer_1, interviewer_2, optionally lon, lat).
    pub pairs: &'a Path,
    /// The village file the draw used: the villages' names, and their coordinates.
    pub villages: Option<&'a Path>,
    /// A locations file (CSV: village_code, lon, lat), before the village file's coordinates.
    pub locations: Option<&'a Path>,
    /// Tolerance and search limit.
    pub options: SplitOptions,
}

/// The split made, with what it was made from.
#[derive(Debug, Clone)]
pub struct VillageSplit {
    /// The draw's id as the store knows it: its sample.csv SHA-256.
    pub draw_id: String,
    /// The county.
    pub county: String,
    /// The county's sampled villages, in the order of sample_villages.csv.
    pub villages: Vec<Village>,
    /// The pairs, in file order.
    pub pairs: Vec<Pair>,
    /// The split.
    pub split: Split,
}

impl VillageSplit {
    /// The split as CSV (`assess_assign::village_input::SPLIT_COLUMNS`).
    pub fn csv(&self) -> Vec<u8> {
        village_input::split_csv(
            &self.draw_id,
            &self.county,
            &self.villages,
            &self.pairs,
            &self.split,
        )
    }
}

fn read(path: &Path) -> Result<Vec<u8>, AppError> {
    std::fs::read(path).map_err(|source| AppError::Io {
        what: "reading",
        path: path.to_path_buf(),
        source,
    })
}

/// Reads and checks everything the request names, then splits. Nothing is written.
pub fn split_villages(request: &SplitRequest<'_>) -> Result<VillageSplit, AppError> {
    let pairs = village_input::pairs(&request.pairs.display().to_string(), &read(request.pairs)?)?;
    let draw = assess_draw::load_draw_dir(request.draw)?;
    let held: BTreeSet<&str> = draw
        .villages
        .iter()
        .map(|v| v.county_code.as_str())
        .collect();
    let county = match request.county {
        Some(c) if held.contains(c) => c.to_string(),
        Some(c) => {
            return Err(AppError::CountyNotInDrawDir {
                county: c.to_string(),
                dir: request.draw.to_path_buf(),
                held: held.iter().map(|s| s.to_string()).collect(),
            })
        }
        None if held.len() == 1 => held
            .iter()
            .next()
            .map(|s| s.to_string())
            .unwrap_or_default(),
        None => {
            return Err(AppError::DrawOfSeveralCounties {
                dir: request.draw.to_path_buf(),
                held: held.iter().map(|s| s.to_string()).collect(),
            })
        }
    };
    let records: BTreeMap<String, assess_household::VillageRecord> = match request.villages {
        Some(path) => crate::draws::sampled_villages(&draw, path)?
            .into_iter()
            .map(|r| (r.village.as_str().to_string(), r))
            .collect(),
        None => BTreeMap::new(),
    };
    let located = match request.locations {
        Some(path) => village_input::locations(&path.display().to_string(), &read(path)?)?,
        None => BTreeMap::new(),
    };
    let mut counts: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    for h in draw.households.iter().filter(|h| h.county_code == county) {
        let c = counts.entry(h.village_code.as_str()).or_default();
        match h.role {
            Role::Primary => c.0 += 1,
            Role::Reserve => c.1 += 1,
        }
    }
    let villages: Vec<Village> = draw
        .villages
        .iter()
        .filter(|v| v.county_code == county)
        .map(|v| {
            let code = v.village_code.as_str();
            let record = records.get(code);
            let (households, reserves) = counts.get(code).copied().unwrap_or_default();
            let from_file = record.and_then(|r| Some((r.lon?, r.lat?)));
            Village {
                code: code.to_string(),
                name: record.and_then(|r| r.name.clone()).unwrap_or_default(),
                households,
                reserves,
                location: located.get(code).copied().or(from_file),
            }
        })
        .collect();
    let split = villages::split(&villages, &pairs, request.options)?;
    Ok(VillageSplit {
        draw_id: draw.manifest.sample_sha256.clone(),
        county,
        villages,
        pairs,
        split,
    })
}
