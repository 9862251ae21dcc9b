//! Ingest of one photo file: content address (SHA-256 of the bytes), bounded decode, EXIF time
//! and GPS, thumbnail. Nothing is stored here; the caller stores the returned value.

use crate::thumb;
use crate::PhotoError;
use image::{ImageFormat, ImageReader, Limits, RgbImage};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

/// Limits applied before and during decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestLimits {
    /// Largest file accepted, bytes (checked before reading). Default 64 MiB.
    pub max_file_bytes: u64,
    /// Largest image accepted, pixels (width × height from the header, checked before
    /// decoding). Default 100 megapixels.
    pub max_pixels: u64,
    /// Largest total allocation the decoder may make, bytes. Default 512 MiB
    /// (100 Mpx × 4 bytes plus decoder working space).
    pub max_alloc_bytes: u64,
    /// Long side of the thumbnail, px. Default 320.
    pub thumbnail_long_side: u32,
}

impl Default for IngestLimits {
    fn default() -> IngestLimits {
        IngestLimits {
            max_file_bytes: 64 * 1024 * 1024,
            max_pixels: 100_000_000,
            max_alloc_bytes: 512 * 1024 * 1024,
            thumbnail_long_side: 320,
        }
    }
}

/// Date and time from EXIF `DateTimeOriginal` (camera local time; the zone is kept when the
/// camera wrote `OffsetTimeOriginal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TakenAt {
    /// Year.
    pub year: u16,
    /// Month 1-12.
    pub month: u8,
    /// Day 1-31.
    pub day: u8,
    /// Hour 0-23.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second.
    pub second: u8,
    /// Offset from UTC in minutes, when recorded.
    pub offset_minutes: Option<i16>,
}

impl TakenAt {
    /// The calendar date as (year, month, day).
    pub fn date(&self) -> (u16, u8, u8) {
        (self.year, self.month, self.day)
    }
}

/// A GPS fix from EXIF, WGS-84 degrees (south and west negative).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GpsFix {
    /// Longitude, degrees east.
    pub lon: f64,
    /// Latitude, degrees north.
    pub lat: f64,
}

/// One ingested photo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Photo {
    /// The file it came from (for messages; the content address is `sha256`).
    pub file: PathBuf,
    /// SHA-256 of the file's bytes, lowercase hex: the content address.
    pub sha256: String,
    /// Size of the file in bytes.
    pub bytes: u64,
    /// "jpeg" or "png".
    pub format: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// EXIF DateTimeOriginal, `None` when absent.
    pub taken_at: Option<TakenAt>,
    /// EXIF GPS position, `None` when absent.
    pub gps: Option<GpsFix>,
    /// Why EXIF could not be read, when it was present but unreadable (not an error).
    pub exif_note: Option<String>,
    /// JPEG thumbnail, long side [`IngestLimits::thumbnail_long_side`].
    #[serde(skip)]
    pub thumbnail_jpeg: Vec<u8>,
}

/// SHA-256 of bytes as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Read and ingest one photo file with the default limits.
pub fn ingest_file(path: &Path) -> Result<Photo, PhotoError> {
    ingest_file_with(path, &IngestLimits::default())
}

/// Read and ingest one photo file. The size is checked before the file is read.
pub fn ingest_file_with(path: &Path, limits: &IngestLimits) -> Result<Photo, PhotoError> {
    let read_err = |source| PhotoError::Read {
        file: path.to_path_buf(),
        source,
    };
    let f = std::fs::File::open(path).map_err(read_err)?;
    let len = f.metadata().map_err(read_err)?.len();
    if len > limits.max_file_bytes {
        return Err(PhotoError::FileTooLarge {
            file: path.to_path_buf(),
            bytes: len,
            limit: limits.max_file_bytes,
        });
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // Read at most one byte past the limit, in case the file grows while we read.
    f.take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    ingest_bytes(path, &bytes, limits)
}

/// Ingest a photo already in memory; `file` names it in messages.
pub fn ingest_bytes(file: &Path, bytes: &[u8], limits: &IngestLimits) -> Result<Photo, PhotoError> {
    let file_buf = file.to_path_buf();
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(PhotoError::FileTooLarge {
            file: file_buf,
            bytes: bytes.len() as u64,
            limit: limits.max_file_bytes,
        });
    }
    let sha256 = sha256_hex(bytes);
    let format = match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png)) => f,
        _ => return Err(PhotoError::NotAnImage { file: file_buf }),
    };
    let corrupt = |e: image::ImageError| classify(file, limits, e);
    if format == ImageFormat::Jpeg && !jpeg_has_end(bytes) {
        // The JPEG decoder fills a cut-off scan with grey rather than failing; a photo whose
        // lower part is missing must not pass as evidence.
        return Err(PhotoError::Corrupt {
            file: file_buf,
            reason: "JPEG is truncated: no end-of-image marker after the image data".into(),
        });
    }

    // 1. Header only: dimensions, checked before any pixel is decoded.
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(corrupt)?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_pixels || width == 0 || height == 0 {
        return Err(PhotoError::TooManyPixels {
            file: file_buf,
            width,
            height,
            pixels,
            limit: limits.max_pixels,
        });
    }

    // 2. The thumbnail: a JPEG decoded at 1/8, 1/4 or 1/2 size (src/thumb.rs), under the
    //    allocation limit estimated from the frame header; a PNG, or a JPEG variant the
    //    scaled decoder does not handle, decoded whole under the allocation limit.
    let n = limits.thumbnail_long_side.max(1);
    let (tw, th) = thumb::thumbnail_size(width, height, n);
    let scaled = match format {
        ImageFormat::Jpeg => scaled_jpeg(file, bytes, limits, (width, height), (tw, th))?,
        _ => None,
    };
    let thumb = match scaled {
        Some(t) => t,
        None => full_decode(file, bytes, format, limits, (width, height))?
            .thumbnail_exact(tw, th)
            .into_rgb8(),
    };

    // 3. EXIF: absence is normal; unreadable EXIF is noted, not fatal.
    let (taken_at, gps, exif_note) = read_exif(bytes);

    // 4. The thumbnail encoded.
    let mut thumbnail_jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut thumbnail_jpeg, 80)
        .encode_image(&thumb)
        .map_err(|e| PhotoError::Thumbnail {
            file: file_buf.clone(),
            reason: e.to_string(),
        })?;

    Ok(Photo {
        file: file_buf,
        sha256,
        bytes: bytes.len() as u64,
        format: if format == ImageFormat::Jpeg {
            "jpeg"
        } else {
            "png"
        }
        .into(),
        width,
        height,
        taken_at,
        gps,
        exif_note,
        thumbnail_jpeg,
    })
}

/// Ingest many photos already in memory, each with the name it goes by in messages, on
/// `threads` threads (1: in the caller's thread; 0: one per core). The answers come in the order of the
/// photos, one per photo: a refused photo does not stop the others. Each photo is handled
/// exactly as [`ingest_bytes`] handles it.
pub fn ingest_many(
    photos: &[(&Path, &[u8])],
    limits: &IngestLimits,
    threads: usize,
) -> Vec<Result<Photo, PhotoError>> {
    let one = |&(file, bytes): &(&Path, &[u8])| ingest_bytes(file, bytes, limits);
    if threads == 1 || photos.len() <= 1 {
        return photos.iter().map(one).collect();
    }
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => {
            use rayon::prelude::*;
            pool.install(|| photos.par_iter().map(one).collect())
        }
        // No threads to be had: the same work, one photo after the other.
        Err(_) => photos.iter().map(one).collect(),
    }
}

/// Whether a JPEG has an end-of-image marker (FF D9) after its first start-of-scan (FF DA).
/// Inside entropy-coded data an FF byte is always followed by 00 or a restart marker, so the
/// first FF D9 after the scan starts is the real end of the image.
fn jpeg_has_end(bytes: &[u8]) -> bool {
    let Some(sos) = bytes.windows(2).position(|w| w == [0xFF, 0xDA]) else {
        return false;
    };
    // From the end: the marker is normally the file's last two bytes.
    bytes[sos..].windows(2).rev().any(|w| w == [0xFF, 0xD9])
}

/// The thumbnail from a DCT-scaled decode, `None` when the decoder does not handle this
/// variant (the caller decodes it whole). The allocation the decode needs is estimated from
/// the frame header and checked against the limit first.
fn scaled_jpeg(
    file: &Path,
    bytes: &[u8],
    limits: &IngestLimits,
    (width, height): (u32, u32),
    (tw, th): (u32, u32),
) -> Result<Option<RgbImage>, PhotoError> {
    let Some(frame) = thumb::frame(bytes) else {
        return Ok(None);
    };
    if (frame.width, frame.height) != (width, height) {
        // Two frame headers that disagree: which one a decoder takes is not to be guessed.
        return Err(PhotoError::Corrupt {
            file: file.to_path_buf(),
            reason: format!(
                "frame header says {}x{}, the image header {width}x{height}",
                frame.width, frame.height
            ),
        });
    }
    let eighths = thumb::idct_eighths(frame.width, frame.height, tw, th);
    let need = thumb::decode_bytes(&frame, eighths);
    if need > limits.max_alloc_bytes {
        return Err(PhotoError::OverMemoryLimit {
            file: file.to_path_buf(),
            limit_bytes: limits.max_alloc_bytes,
            reason: format!("the scaled decode needs {need} bytes"),
        });
    }
    match thumb::scaled_thumbnail(bytes, tw, th) {
        Ok(t) => Ok(Some(t)),
        Err(thumb::ScaledError::Unsupported) => Ok(None),
        Err(thumb::ScaledError::Corrupt(reason)) => Err(PhotoError::Corrupt {
            file: file.to_path_buf(),
            reason,
        }),
    }
}

/// The whole image decoded under the allocation limit (PNG, and JPEG variants the scaled
/// decoder does not handle, such as CMYK).
fn full_decode(
    file: &Path,
    bytes: &[u8],
    format: ImageFormat,
    limits: &IngestLimits,
    (width, height): (u32, u32),
) -> Result<image::DynamicImage, PhotoError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut lim = Limits::default();
    lim.max_alloc = Some(limits.max_alloc_bytes);
    lim.max_image_width = Some(width);
    lim.max_image_height = Some(height);
    reader.limits(lim);
    reader.decode().map_err(|e| classify(file, limits, e))
}

fn classify(file: &Path, limits: &IngestLimits, e: image::ImageError) -> PhotoError {
    use image::error::{ImageError, LimitErrorKind};
    match e {
        ImageError::Limits(l) => match l.kind() {
            LimitErrorKind::DimensionError => PhotoError::TooManyPixels {
                file: file.to_path_buf(),
                width: 0,
                height: 0,
                pixels: 0,
                limit: limits.max_pixels,
            },
            _ => PhotoError::OverMemoryLimit {
                file: file.to_path_buf(),
                limit_bytes: limits.max_alloc_bytes,
                reason: l.to_string(),
            },
        },
        ImageError::Unsupported(u) => PhotoError::Corrupt {
            file: file.to_path_buf(),
            reason: format!("unsupported variant: {u}"),
        },
        other => PhotoError::Corrupt {
            file: file.to_path_buf(),
            reason: other.to_string(),
        },
    }
}

type ExifParts = (Option<TakenAt>, Option<GpsFix>, Option<String>);

fn read_exif(bytes: &[u8]) -> ExifParts {
    use exif::{In, Tag, Value};
    let exif = match exif::Reader::new().read_from_container(&mut Cursor::new(bytes)) {
        Ok(x) => x,
        Err(exif::Error::NotFound(_)) => return (None, None, None),
        Err(e) => {
            return (
                None,
                None,
                Some(format!("EXIF present but unreadable: {e}")),
            )
        }
    };
    let mut notes = Vec::new();
    let taken_at = exif
        .get_field(Tag::DateTimeOriginal, In::PRIMARY)
        .and_then(|f| match &f.value {
            Value::Ascii(v) => v.first().cloned(),
            _ => None,
        })
        .and_then(|raw| match exif::DateTime::from_ascii(&raw) {
            Ok(mut dt) => {
                if let Some(off) = exif.get_field(Tag::OffsetTimeOriginal, In::PRIMARY) {
                    if let Value::Ascii(v) = &off.value {
                        if let Some(o) = v.first() {
                            let _ = dt.parse_offset(o);
                        }
                    }
                }
                let valid = (1..=12).contains(&dt.month)
                    && (1..=31).contains(&dt.day)
                    && dt.hour < 24
                    && dt.minute < 60
                    && dt.second < 61;
                if valid {
                    Some(TakenAt {
                        year: dt.year,
                        month: dt.month,
                        day: dt.day,
                        hour: dt.hour,
                        minute: dt.minute,
                        second: dt.second,
                        offset_minutes: dt.offset,
                    })
                } else {
                    notes.push(format!("DateTimeOriginal out of range: {dt}"));
                    None
                }
            }
            Err(e) => {
                notes.push(format!("DateTimeOriginal unreadable: {e}"));
                None
            }
        });
    let coord = |tag: Tag, reftag: Tag, pos: u8, neg: u8| -> Option<f64> {
        let f = exif.get_field(tag, In::PRIMARY)?;
        let deg = match &f.value {
            Value::Rational(r) if r.len() >= 3 => {
                let parts: Vec<f64> = r.iter().take(3).map(|x| x.to_f64()).collect();
                parts[0] + parts[1] / 60.0 + parts[2] / 3600.0
            }
            Value::Rational(r) if r.len() == 1 => r[0].to_f64(),
            _ => return None,
        };
        let sign = match exif.get_field(reftag, In::PRIMARY).map(|f| &f.value) {
            Some(Value::Ascii(v)) => match v.first().and_then(|s| s.first()) {
                Some(c) if c.eq_ignore_ascii_case(&pos) => 1.0,
                Some(c) if c.eq_ignore_ascii_case(&neg) => -1.0,
                _ => return None,
            },
            _ => return None,
        };
        Some(sign * deg).filter(|d| d.is_finite())
    };
    let lat = coord(Tag::GPSLatitude, Tag::GPSLatitudeRef, b'N', b'S');
    let lon = coord(Tag::GPSLongitude, Tag::GPSLongitudeRef, b'E', b'W');
    let gps = match (lon, lat) {
        (Some(lon), Some(lat)) if lat.abs() <= 90.0 && lon.abs() <= 180.0 => {
            // (0, 0) is what some phones write when they have no fix.
            if lon == 0.0 && lat == 0.0 {
                notes.push("GPS is (0, 0): no fix".into());
                None
            } else {
                Some(GpsFix { lon, lat })
            }
        }
        (None, None) => None,
        _ => {
            notes.push("GPS incomplete or out of range".into());
            None
        }
    };
    let note = (!notes.is_empty()).then(|| notes.join("; "));
    (taken_at, gps, note)
}
