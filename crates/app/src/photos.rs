//! Adding a housing-crack photo: the photo ingested (hash, EXIF, decoding under limits) and
//! its measurement file evaluated before the database is opened ([`PhotoAdd::read`]), so a
//! refused file writes nothing; then the photo is stored once by its SHA-256, linked to a
//! sampled household, and flagged for its place and date ([`add`]).

use crate::error::{io, AppError};
use assess_photo::{check_photo, Boundaries, CheckContext, Date, Evaluation, Flag, Located};
use assess_photo::{Photo, PhotoThresholds, Survey};
use assess_store::photos::{PhotoAdded, PhotoEvidence};
use assess_store::Store;
use std::path::{Path, PathBuf};

/// A photo read and checked, with its evaluated measurements.
#[derive(Debug, Clone)]
pub struct PhotoAdd {
    /// The photo's file.
    pub path: PathBuf,
    /// Its bytes.
    pub content: Vec<u8>,
    /// What was read from them.
    pub photo: Photo,
    /// The inspector's measurements and what follows from them, when given.
    pub measured: Option<Measured>,
    /// The thresholds the measurements were judged by.
    pub thresholds: PhotoThresholds,
}

/// A measurement file and its evaluation.
#[derive(Debug, Clone)]
pub struct Measured {
    /// The file's canonical JSON, as stored.
    pub json: String,
    /// Lengths, widths, tilt, member ratios and danger points.
    pub evaluation: Evaluation,
}

/// Where and when the photo should have been taken, for its flags.
#[derive(Debug, Clone, Default)]
pub struct PhotoPlace {
    /// The household's recorded location.
    pub household: Option<Located>,
    /// The county whose boundary the photo is checked against (default: the household's
    /// county in the sample).
    pub county: Option<String>,
    /// The field work's first and last day.
    pub dates: Option<(Date, Date)>,
}

/// What [`add`] did.
#[derive(Debug, Clone)]
pub struct PhotoStored {
    /// Stored now or before, linked now or before, measurements replaced.
    pub done: PhotoAdded,
    /// Flags for review (place, date, no EXIF).
    pub flags: Vec<Flag>,
    /// Checks that could not be made, and why.
    pub notes: Vec<String>,
}

impl PhotoAdd {
    /// Reads the photo at `path` and, when given, the measurement file at `measurements`
    /// (format in docs/photos.md), judged by the built-in photo thresholds.
    pub fn read(path: &Path, measurements: Option<&Path>) -> Result<PhotoAdd, AppError> {
        let thresholds = PhotoThresholds::builtin();
        let content = std::fs::read(path).map_err(io("reading", path))?;
        let photo = assess_photo::ingest_bytes(path, &content, &Default::default())?;
        let measured = match measurements {
            Some(m) => Some(measure(m, &thresholds, (photo.width, photo.height))?),
            None => None,
        };
        Ok(PhotoAdd {
            path: path.to_path_buf(),
            content,
            photo,
            measured,
            thresholds,
        })
    }
}

/// Reads and evaluates the inspector's measurement file, marked on a photo of `size` px.
fn measure(path: &Path, t: &PhotoThresholds, size: (u32, u32)) -> Result<Measured, AppError> {
    let file = path.to_path_buf();
    let bytes = std::fs::read(path).map_err(io("reading", path))?;
    let text = String::from_utf8(bytes).map_err(|_| AppError::MeasurementsNotUtf8(file.clone()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|source| AppError::MeasurementsJson {
            file: file.clone(),
            source,
        })?;
    if !value.is_object() {
        return Err(AppError::MeasurementsNotObject(file));
    }
    let evaluation = Survey::from_json(&text)
        .and_then(|s| {
            s.check_within(size.0, size.1)?;
            s.evaluate(t)
        })
        .map_err(|source| AppError::Measurements { file, source })?;
    Ok(Measured {
        json: serde_json::to_string(&value).expect("a JSON value serialises"),
        evaluation,
    })
}

/// Stores the photo and links it to `household` of `draw`, with its flags.
pub async fn add(
    store: &Store,
    photo: &PhotoAdd,
    draw: &str,
    household: &str,
    place: &PhotoPlace,
) -> Result<PhotoStored, AppError> {
    let refused = |source| AppError::PhotoRefused {
        photo: photo.path.clone(),
        source,
    };
    let sample_county = store
        .sampled_household_county(draw, household)
        .await
        .map_err(refused)?;
    let county_code = place.county.clone().unwrap_or(sample_county);
    // The boundary is needed only when the photo has a GPS fix.
    let boundaries = match photo.photo.gps {
        Some(_) => Some(Boundaries::poverty()?),
        None => None,
    };
    let mut notes = Vec::new();
    let county = match &boundaries {
        Some(b) => match b.county(&county_code) {
            Ok(c) => Some(c),
            Err(e) => {
                notes.push(format!("county check skipped: {e}"));
                None
            }
        },
        None => None,
    };
    let ctx = CheckContext {
        household: place.household,
        max_distance_m: photo.thresholds.household_distance_max_m.value,
        county,
        dates: place.dates,
    };
    let flags = check_photo(&photo.photo, &ctx);
    let evidence = PhotoEvidence {
        measurements_json: photo.measured.as_ref().map(|m| m.json.clone()),
        results_json: photo
            .measured
            .as_ref()
            .map(|m| serde_json::to_string(&m.evaluation).expect("an evaluation serialises")),
        flags_json: serde_json::to_string(&flags).expect("flags serialise"),
    };
    let done = store
        .add_photo(&photo.photo, &photo.content, draw, household, &evidence)
        .await
        .map_err(refused)?;
    Ok(PhotoStored { done, flags, notes })
}
