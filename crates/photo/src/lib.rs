//! Housing-crack photo evidence for the household visit (issue 3, part 4).
//!
//! For:
//! - **ingest** of one photo file ([`ingest_file`]) or of many photos in memory on a few
//!   threads ([`ingest_many`]): SHA-256 content address, pixel and memory limits checked from
//!   the header before decoding (decompression bombs are refused), EXIF `DateTimeOriginal`
//!   and GPS when present, a JPEG thumbnail (a JPEG's from a DCT-scaled decode: the
//!   full-resolution image is never made);
//! - **measurement** ([`Scale`], [`Crack`], [`Tilt`]): scale from a reference object of known
//!   length in the frame, crack length and maximum width in mm with worst-case intervals from
//!   ±1 px placement error;
//! - **danger points** of the 2009 guideline (`danger::assess` for cracks and tilt,
//!   `members` for loss of section, wall junctions, height-to-thickness and wood members):
//!   pass, danger point or indeterminate (the interval straddles the limit), with the numbers;
//!   the inspector's 2019-guideline grade beside it and the disagreements listed;
//! - **the measurement file** of one component ([`Survey`], read from JSON) and what it gives
//!   ([`Evaluation`]): member readings by tape or plumb (mm ± a stated reading error) or
//!   marked on the photo (`readings`);
//! - **location checks** ([`check_photo`]): distance from the household, inside the county's
//!   GCJ-02 boundary (the WGS-84 point is converted first), taken within the assessment dates;
//!   the embedded boundaries parsed once per process ([`Boundaries::poverty_shared`]).
//!
//! PhotoThresholds live in `data/standards/photo-thresholds.toml`, every value with its source
//! ([`PhotoThresholds`]); formulas and sources are in `docs/photos.md`.
//!
//! Not for: storing photos or measurements (the store crate will), finding cracks
//! automatically (an inspector marks points; this crate does the arithmetic), grading a whole
//! house (the inspection crate rolls component grades up), or any CLI.
//!
//! ```
//! use assess_photo::{Scale, Px, Crack, Orientation, Component};
//! let scale = Scale::new(Px::new(100.0, 50.0), Px::new(800.0, 50.0), 140.0).unwrap();
//! let crack = Crack {
//!     points: vec![Px::new(300.0, 100.0), Px::new(300.0, 600.0)],
//!     widths_px: vec![8.0, 10.0, 9.0],
//!     orientation: Orientation::Vertical,
//!     component: Component::LoadBearingWall,
//! };
//! let m = crack.measure(&scale).unwrap();
//! assert!((m.max_width_mm.value - 2.0).abs() < 1e-9);
//! assert!((m.length_mm.value - 100.0).abs() < 1e-9);
//! ```
#![deny(missing_docs)]

mod danger;
mod error;
mod ingest;
mod location;
mod measure;
mod members;
mod readings;
mod survey;
mod thresholds;
mod thumb;

pub use danger::{DangerFinding, DangerRule, Disagreement, GradeComparison, Indication};
pub use error::PhotoError;
pub use ingest::{
    ingest_bytes, ingest_file, ingest_file_with, ingest_many, sha256_hex, GpsFix, IngestLimits,
    Photo, TakenAt,
};
pub use location::{
    check_county, check_photo, distance_to_household_m, edge_distance_m, Boundaries, CheckContext,
    CountyBoundary, CountyCheck, Date, Datum, Flag, Located,
};
pub use measure::{
    Component, Crack, CrackMeasurement, Measure, Orientation, Px, Scale, Tilt, TiltReadBy,
};
pub use readings::{
    AreaReading, Bowing, Deflection, EdgeOnPhoto, FootRot, HeightToThickness, LengthReading,
    PlumbReading, SectionLoss, TiltReading, WallMaterial, WoodMember, WoodReadings,
};
pub use survey::{Evaluation, Reference, Survey};
pub use thresholds::{Limit, PhotoThresholds, Qualitative, Sourced};
