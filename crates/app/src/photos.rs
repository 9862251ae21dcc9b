//! Adding a housing-crack photo: the photo ingested (hash, EXIF, decoding under limits) and
//! its measurement file evaluated before the database is opened ([`PhotoAdd::read`] from
//! files, [`PhotoAdd::from_bytes`] from an upload, [`read_batch`] for many photos on a few
//! threads), so a refused file writes nothing; then the photo is stored once by its SHA-256,
//! linked to a sampled household, and flagged for its place and date ([`add`], or
//! [`add_many`], which checks every household before storing any photo). The county
//! boundaries are parsed once per process, not once per photo.

use crate::error::{io, AppError};
use assess_photo::{check_photo, Boundaries, CheckContext, Date, Evaluation, Flag, Located};
use assess_photo::{Photo, PhotoThresholds, Survey};
use assess_store::photos::{PhotoAdded, PhotoEvidence};
use assess_store::Store;
use std::path::{Path, PathBuf};

/// A photo received in memory (an upload), with its name and, when given, the text of its
/// measurement file.
#[derive(Debug, Clone)]
pub struct PhotoUpload {
    /// The name it goes by in messages (the uploaded file's name).
    pub name: String,
    /// Its bytes.
    pub content: Vec<u8>,
    /// The measurement file's text (JSON, docs/photos.md), when given.
    pub measurements_json: Option<String>,
}

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
        let content = std::fs::read(path).map_err(io("reading", path))?;
        let photo = assess_photo::ingest_bytes(path, &content, &Default::default())?;
        let measurements = match measurements {
            Some(m) => Some((m.to_path_buf(), read_text(m)?)),
            None => None,
        };
        PhotoAdd::evaluated(path.to_path_buf(), content, photo, measurements)
    }

    /// A photo received in memory, named `name` in messages, with the text of its
    /// measurement file when given (named "`name` measurements" in messages): what
    /// [`PhotoAdd::read`] gives for the same bytes.
    pub fn from_bytes(
        name: &str,
        content: Vec<u8>,
        measurements_json: Option<&str>,
    ) -> Result<PhotoAdd, AppError> {
        let path = PathBuf::from(name);
        let photo = assess_photo::ingest_bytes(&path, &content, &Default::default())?;
        let measurements = measurements_json.map(|t| (measurements_name(name), t.to_string()));
        PhotoAdd::evaluated(path, content, photo, measurements)
    }

    /// The ingested photo with its measurements (file name, text) evaluated.
    fn evaluated(
        path: PathBuf,
        content: Vec<u8>,
        photo: Photo,
        measurements: Option<(PathBuf, String)>,
    ) -> Result<PhotoAdd, AppError> {
        let thresholds = PhotoThresholds::builtin();
        let measured = match measurements {
            Some((file, text)) => Some(measure(
                file,
                &text,
                &thresholds,
                (photo.width, photo.height),
            )?),
            None => None,
        };
        Ok(PhotoAdd {
            path,
            content,
            photo,
            measured,
            thresholds,
        })
    }
}

fn measurements_name(photo: &str) -> PathBuf {
    PathBuf::from(format!("{photo} measurements"))
}

/// Photos received in memory, ingested on `threads` threads (1: in the caller's thread, 0:
/// one per core; the decode is CPU work, so a server runs this off its async workers). One
/// answer per upload, in their order: a refused photo does not stop the others.
pub fn read_batch(uploads: Vec<PhotoUpload>, threads: usize) -> Vec<Result<PhotoAdd, AppError>> {
    let paths: Vec<PathBuf> = uploads.iter().map(|u| PathBuf::from(&u.name)).collect();
    let items: Vec<(&Path, &[u8])> = paths
        .iter()
        .zip(&uploads)
        .map(|(p, u)| (p.as_path(), u.content.as_slice()))
        .collect();
    let photos = assess_photo::ingest_many(&items, &Default::default(), threads);
    drop(items);
    uploads
        .into_iter()
        .zip(paths)
        .zip(photos)
        .map(|((u, path), photo)| {
            let measurements = u.measurements_json.map(|t| (measurements_name(&u.name), t));
            PhotoAdd::evaluated(path, u.content, photo?, measurements)
        })
        .collect()
}

/// Photo files with their measurement files, ingested on `threads` threads (as in
/// [`read_batch`]): what
/// [`PhotoAdd::read`] gives for each, in their order. The photo files are read first, one
/// after the other (the first that cannot be read is the error), then decoded in parallel.
pub fn read_files(
    files: &[(PathBuf, Option<PathBuf>)],
    threads: usize,
) -> Result<Vec<Result<PhotoAdd, AppError>>, AppError> {
    let contents = files
        .iter()
        .map(|(photo, _)| std::fs::read(photo).map_err(io("reading", photo)))
        .collect::<Result<Vec<_>, _>>()?;
    let items: Vec<(&Path, &[u8])> = files
        .iter()
        .zip(&contents)
        .map(|((p, _), c)| (p.as_path(), c.as_slice()))
        .collect();
    let photos = assess_photo::ingest_many(&items, &Default::default(), threads);
    drop(items);
    Ok(files
        .iter()
        .zip(contents)
        .zip(photos)
        .map(|(((path, measurements), content), photo)| {
            let photo = photo?;
            let text = match measurements {
                Some(m) => Some((m.clone(), read_text(m)?)),
                None => None,
            };
            PhotoAdd::evaluated(path.clone(), content, photo, text)
        })
        .collect())
}

/// A measurement file's text.
fn read_text(path: &Path) -> Result<String, AppError> {
    let bytes = std::fs::read(path).map_err(io("reading", path))?;
    String::from_utf8(bytes).map_err(|_| AppError::MeasurementsNotUtf8(path.to_path_buf()))
}

/// Evaluates the inspector's measurement file `file` (its text), marked on a photo of
/// `size` px.
fn measure(
    file: PathBuf,
    text: &str,
    t: &PhotoThresholds,
    size: (u32, u32),
) -> Result<Measured, AppError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|source| AppError::MeasurementsJson {
            file: file.clone(),
            source,
        })?;
    if !value.is_object() {
        return Err(AppError::MeasurementsNotObject(file));
    }
    let evaluation = Survey::from_json(text)
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
        Some(_) => Some(Boundaries::poverty_shared()?),
        None => None,
    };
    let mut notes = Vec::new();
    let county = match boundaries {
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

/// One photo of [`add_many`] and where it goes.
#[derive(Debug, Clone, Copy)]
pub struct PhotoLink<'a> {
    /// The photo, read and checked.
    pub photo: &'a PhotoAdd,
    /// The draw (its id).
    pub draw: &'a str,
    /// The sampled household it shows.
    pub household: &'a str,
    /// Where and when it should have been taken.
    pub place: &'a PhotoPlace,
}

/// Stores many photos as [`add`] does, one after the other, after checking that every
/// household is in its draw's sample: a batch with one wrong household stores nothing.
/// Each photo is then its own transaction; a batch cut off by a failing database leaves the
/// photos before it stored, and adding the batch again stores each photo once (by hash).
pub async fn add_many(
    store: &Store,
    links: &[PhotoLink<'_>],
) -> Result<Vec<PhotoStored>, AppError> {
    for l in links {
        store
            .sampled_household_county(l.draw, l.household)
            .await
            .map_err(|source| AppError::PhotoRefused {
                photo: l.photo.path.clone(),
                source,
            })?;
    }
    let mut stored = Vec::with_capacity(links.len());
    for l in links {
        stored.push(add(store, l.photo, l.draw, l.household, l.place).await?);
    }
    Ok(stored)
}
