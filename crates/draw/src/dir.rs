//! Reading a draw directory back, for the records store: the manifest, the sample and the
//! village list, each checked against the manifest's SHA-256 before anything is believed.

use crate::run::DrawError;
use crate::Manifest;
use assess_household::{DisplayColumn, HouseholdDisplay};
use assess_sampling::SampleRow;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// One row of `sample_villages.csv`.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct VillageListRow {
    /// County code.
    pub county_code: String,
    /// Township code.
    pub township_code: String,
    /// Village code.
    pub village_code: String,
    /// Stratum, draws joined by `+`, or `by_hand`.
    pub village_stratum: String,
    /// `probability` or `by_hand`.
    pub selection: String,
    /// Drawn with certainty.
    pub certainty: bool,
    /// λ (empty when chosen by hand).
    pub pi_village: Option<f64>,
    /// Size measure.
    pub size: f64,
    /// Every ticket as `group=ticket@λ`, `*` when that group drew it.
    pub tickets: String,
}

/// A draw read back from its directory, with every file's hash checked.
#[derive(Debug, Clone)]
pub struct DrawDir {
    /// The directory.
    pub path: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// `sample.csv` rows.
    pub households: Vec<SampleRow>,
    /// `sample_villages.csv` rows.
    pub villages: Vec<VillageListRow>,
}

/// Reads `dir` and checks that `sample.csv` and `sample_villages.csv` are the files the
/// manifest sealed. (Checking the draw itself against its register and seeds is `verify`.)
pub fn load_draw_dir(dir: &Path) -> Result<DrawDir, DrawError> {
    let manifest_path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&manifest_path).map_err(|cause| DrawError::Io {
        path: manifest_path.clone(),
        cause,
    })?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| DrawError::BadDrawFile {
        path: manifest_path.clone(),
        reason: format!("not a draw manifest ({e}); is this a directory written by `assess draw`?"),
    })?;
    let households = sample_rows(&dir.join("sample.csv"), &manifest.sample_sha256)?;
    let villages: Vec<VillageListRow> = sealed_rows(
        &dir.join("sample_villages.csv"),
        &manifest.sample_villages_sha256,
    )?;
    let sample_path = dir.join("sample.csv");
    for (i, h) in households.iter().enumerate() {
        let codes = [&*h.county_code, &*h.township_code, &*h.village_code];
        check_codes(&sample_path, i + 2, codes, &h.household_id)?;
        check_display(&sample_path, i + 2, h)?;
    }
    let list_path = dir.join("sample_villages.csv");
    for (i, v) in villages.iter().enumerate() {
        let codes = [&*v.county_code, &*v.township_code, &*v.village_code];
        check_codes(&list_path, i + 2, codes, "")?;
    }
    for s in &manifest.strata {
        if !digits(&s.county, 6) {
            return Err(DrawError::BadDrawFile {
                path: manifest_path.clone(),
                reason: format!("county {:?} is not 6 digits; {FORGED}", s.county),
            });
        }
    }
    Ok(DrawDir {
        path: dir.to_path_buf(),
        manifest,
        households,
        villages,
    })
}

const FORGED: &str = "a draw's codes are ASCII digits only, so this directory was made or \
    changed by something other than `assess draw`; draw again";

/// `text` is exactly `len` ASCII digits.
fn digits(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_digit())
}

/// A row's county (6 digits), township (9) and village (12) codes, each the prefix of the
/// next, and a household id without control characters: checked whatever the manifest's
/// hashes say, since codes become directory names and every message prints them.
fn check_codes(
    path: &Path,
    line: usize,
    [county, township, village]: [&str; 3],
    household: &str,
) -> Result<(), DrawError> {
    let bad = |reason: String| DrawError::BadDrawFile {
        path: path.to_path_buf(),
        reason: format!("line {line}: {reason}"),
    };
    for (name, code, len) in [
        ("county_code", county, 6),
        ("township_code", township, 9),
        ("village_code", village, 12),
    ] {
        if !digits(code, len) {
            return Err(bad(format!(
                "{name} {code:?} is not {len} digits; {FORGED}"
            )));
        }
    }
    if !township.starts_with(county) || !village.starts_with(township) {
        return Err(bad(format!(
            "village {village} is not in township {township} of county {county}; {FORGED}"
        )));
    }
    if household.chars().any(char::is_control) {
        return Err(bad(format!(
            "household id {:?} holds a control character; {FORGED}",
            household.escape_default().to_string()
        )));
    }
    Ok(())
}

/// Display values hold no control character (the register refuses them); checked like the
/// ids, since the template shows them.
fn check_display(path: &Path, line: usize, row: &SampleRow) -> Result<(), DrawError> {
    let Some(display) = &row.display else {
        return Ok(());
    };
    for column in DisplayColumn::ALL {
        if display
            .get(column)
            .is_some_and(|v| v.chars().any(char::is_control))
        {
            return Err(DrawError::BadDrawFile {
                path: path.to_path_buf(),
                reason: format!(
                    "line {line}: the {} of household {} holds a control character; {FORGED}",
                    column.as_str(),
                    row.household_id.escape_default()
                ),
            });
        }
    }
    Ok(())
}

/// `sample.csv`'s rows with their display values (the columns after the scheme's that name
/// a display column).
fn sample_rows(path: &Path, sealed: &str) -> Result<Vec<SampleRow>, DrawError> {
    let bytes = sealed_bytes(path, sealed)?;
    let bad = |line: usize, e: csv::Error| DrawError::BadDrawFile {
        path: path.to_path_buf(),
        reason: format!("line {line}: {e}"),
    };
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    let headers = reader.headers().map_err(|e| bad(1, e))?.clone();
    let display: Vec<(usize, DisplayColumn)> = headers
        .iter()
        .enumerate()
        .filter_map(|(i, name)| Some((i, DisplayColumn::from_name(name)?)))
        .collect();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| bad(i + 2, e))?;
        let mut row: SampleRow = record
            .deserialize(Some(&headers))
            .map_err(|e| bad(i + 2, e))?;
        let mut values = HouseholdDisplay::default();
        for &(index, column) in &display {
            values.set(column, record.get(index).filter(|v| !v.is_empty()));
        }
        if !values.is_empty() {
            row.display = Some(Box::new(values));
        }
        rows.push(row);
    }
    Ok(rows)
}

/// A file's bytes, refused unless they have the SHA-256 the manifest sealed.
fn sealed_bytes(path: &Path, sealed: &str) -> Result<Vec<u8>, DrawError> {
    let bytes = std::fs::read(path).map_err(|cause| DrawError::Io {
        path: path.to_path_buf(),
        cause,
    })?;
    let found = hex::encode(Sha256::digest(&bytes));
    if found != sealed {
        return Err(DrawError::BadDrawFile {
            path: path.to_path_buf(),
            reason: format!("SHA-256 is {found} but the manifest sealed {sealed}: the file was changed after the draw; run `assess verify` to see how"),
        });
    }
    Ok(bytes)
}

fn sealed_rows<T: serde::de::DeserializeOwned>(
    path: &Path,
    sealed: &str,
) -> Result<Vec<T>, DrawError> {
    let bytes = sealed_bytes(path, sealed)?;
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    reader
        .deserialize()
        .enumerate()
        .map(|(i, row)| {
            row.map_err(|e| DrawError::BadDrawFile {
                path: path.to_path_buf(),
                reason: format!("line {}: {e}", i + 2),
            })
        })
        .collect()
}
