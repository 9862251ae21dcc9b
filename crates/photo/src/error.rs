//! Errors. Every variant names the file (or the data source) and the problem.

use std::path::PathBuf;

/// A photo, a boundary file or a thresholds file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    /// The file could not be read from disk.
    #[error("{file}: cannot read the file")]
    Read {
        /// The file.
        file: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// The file is larger than the byte limit; it is refused before reading it whole.
    #[error("{file}: file is {bytes} bytes, over the limit of {limit} bytes for one photo")]
    FileTooLarge {
        /// The file.
        file: PathBuf,
        /// Its size.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// The bytes are not an image in a supported format (JPEG or PNG).
    #[error(
        "{file}: not a JPEG or PNG image (HEIC and other formats must be converted to JPEG first)"
    )]
    NotAnImage {
        /// The file.
        file: PathBuf,
    },
    /// The image header declares more pixels than allowed (a decompression bomb or a
    /// panorama far beyond any phone photo).
    #[error(
        "{file}: image is {width}x{height} = {pixels} pixels, over the limit of {limit} pixels"
    )]
    TooManyPixels {
        /// The file.
        file: PathBuf,
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// width × height.
        pixels: u64,
        /// The limit.
        limit: u64,
    },
    /// Decoding would allocate more memory than allowed.
    #[error("{file}: decoding needs more memory than the limit of {limit_bytes} bytes: {reason}")]
    OverMemoryLimit {
        /// The file.
        file: PathBuf,
        /// The allocation limit.
        limit_bytes: u64,
        /// The decoder's message.
        reason: String,
    },
    /// The image is truncated or corrupt.
    #[error("{file}: image is truncated or corrupt: {reason}")]
    Corrupt {
        /// The file.
        file: PathBuf,
        /// The decoder's message.
        reason: String,
    },
    /// The thumbnail could not be encoded.
    #[error("{file}: cannot make the thumbnail: {reason}")]
    Thumbnail {
        /// The file.
        file: PathBuf,
        /// The encoder's message.
        reason: String,
    },
    /// A boundary file could not be parsed or lacks the county.
    #[error("boundaries {source_name}: {reason}")]
    Boundary {
        /// The boundary file (or embedded data set).
        source_name: String,
        /// What is wrong.
        reason: String,
    },
    /// The thresholds file is invalid.
    #[error("thresholds {source_name}: {reason}")]
    PhotoThresholds {
        /// The thresholds file (or `builtin`).
        source_name: String,
        /// What is wrong.
        reason: String,
    },
    /// A measurement is unusable (e.g. a reference object of zero length).
    #[error("measurement: {0}")]
    Measurement(String),
    /// A measurement file is not JSON in the documented layout (docs/photos.md).
    #[error("measurement")]
    MeasurementJson(#[source] serde_json::Error),
}
