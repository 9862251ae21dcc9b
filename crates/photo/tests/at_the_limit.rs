//! A photo at exactly the pixel limit (issue 12 part 5): 10,000 × 10,000 px = the default
//! `max_pixels` of 100 Mpx is accepted, one row more is refused before decoding, and the
//! ingest stays within the stated memory budget (docs/photos.md): the file (≤ 64 MiB) plus the
//! decoder's allocations (≤ `max_alloc_bytes`, 512 MiB) plus the thumbnail, under 640 MiB of
//! peak resident memory above what the process held before. Its own test binary, so that no
//! other test shares the process whose peak is read (Linux: /proc/self/status VmHWM, reset
//! through /proc/self/clear_refs).

use assess_photo::{ingest_bytes, IngestLimits, PhotoError};
use image::{Rgb, RgbImage};
use std::path::Path;

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    // A gradient (not one flat colour) so that the file is a real JPEG's size, not a few KB.
    let img = RgbImage::from_fn(w, h, |x, y| Rgb([(x % 251) as u8, (y % 241) as u8, 90]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 60)
        .encode_image(&img)
        .unwrap();
    out
}

/// Peak resident set since the last reset, in bytes (Linux only).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn current_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[test]
fn a_photo_at_exactly_the_pixel_limit_is_ingested_within_the_memory_budget() {
    let limits = IngestLimits::default();
    assert_eq!(limits.max_pixels, 100_000_000);
    let bytes = jpeg(10_000, 10_000);
    assert!(bytes.len() as u64 <= limits.max_file_bytes);
    let before = current_rss();
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let photo = ingest_bytes(Path::new("limit.jpg"), &bytes, &limits).unwrap();
    assert_eq!((photo.width, photo.height), (10_000, 10_000));
    assert!(!photo.thumbnail_jpeg.is_empty());
    if let (true, Some(before), Some(peak)) = (reset, before, peak_rss()) {
        let used = peak.saturating_sub(before);
        eprintln!(
            "ingest at the limit: {} MiB above {} MiB",
            used >> 20,
            before >> 20
        );
        assert!(
            used < 640 << 20,
            "ingest used {} MiB above the {} MiB held before",
            used >> 20,
            before >> 20
        );
    }
    // One row more is over the limit and refused from the header (the frame header's
    // height patched: SOF0 is FF C0, length (2), precision (1), height (2), width (2)).
    let mut over = bytes;
    let i = over.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    over[i + 5..i + 7].copy_from_slice(&10_001u16.to_be_bytes());
    let e = ingest_bytes(Path::new("over.jpg"), &over, &limits).unwrap_err();
    assert!(matches!(e, PhotoError::TooManyPixels { .. }), "{e}");
}
