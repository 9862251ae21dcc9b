//! The JPEG fast path (issue 14 section 1): the thumbnail from a DCT-scaled decode has exactly
//! the size the full decode's had and nearly its pixels; progressive, grey and odd-sized
//! JPEGs go through it, CMYK falls back to the full decode; a batch gives what one photo at a
//! time gives; damaged JPEGs are refused with the file named, never a panic.

use assess_photo::{ingest_bytes, ingest_many, IngestLimits, PhotoError};
use image::{Rgb, RgbImage};
use proptest::prelude::*;
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name),
    )
    .unwrap()
}

/// A photo-like JPEG: smooth shading, pixel noise (xorshift) and a dark crack line, so that
/// the blocks have real AC content and edges.
fn textured_jpeg(w: u32, h: u32) -> Vec<u8> {
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    let img = RgbImage::from_fn(w, h, |x, y| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        let n = (s % 17) as i32 - 8;
        let crack = (x as i32 - (y as i32) / 2 - 300).abs() < 3;
        let base = [
            110 + (x * 60 / w) as i32,
            100 + (y * 50 / h) as i32,
            150 - ((x + y) * 40 / (w + h)) as i32,
        ];
        Rgb(base.map(|b| if crack { 25 } else { (b + n).clamp(0, 255) } as u8))
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&img)
        .unwrap();
    out
}

/// The old path's thumbnail: the whole image decoded, `DynamicImage::thumbnail(320, 320)`,
/// encoded as the ingest encodes it (quality 80) and decoded again, so that both sides carry
/// the same kind of encoding error.
fn reference_thumbnail(bytes: &[u8]) -> RgbImage {
    let full = image::load_from_memory(bytes).unwrap();
    let thumb = full.thumbnail(320, 320).into_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&thumb)
        .unwrap();
    image::load_from_memory(&out).unwrap().into_rgb8()
}

/// Mean absolute difference per channel, in 1/255 units.
fn mean_abs_diff(a: &RgbImage, b: &RgbImage) -> f64 {
    let sum: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.as_raw().len() as f64
}

/// Tolerance: a mean absolute difference under 3/255 per channel. Each pixel of the fast
/// path's thumbnail averages the same area of the photo as the full decode's, but in whole
/// 8 × 8 (or 4 × 4, 2 × 2) blocks rather than whole pixels, and with the chroma planes
/// upsampled at the reduced size; the two differ only where a thumbnail pixel's edge cuts a
/// block, by a fraction of the local contrast. Both thumbnails then go through a quality-80
/// JPEG encode, whose own error is of the order of 1-2/255 on such images. 3/255 is below
/// what the eye sees on a 320 px evidence thumbnail, and far below what a wrong decode (a
/// shifted, swapped-channel or grey image: tens of levels) would give.
const TOLERANCE: f64 = 3.0;

fn assert_close(name: &str, bytes: &[u8]) -> f64 {
    let p = ingest_bytes(Path::new(name), bytes, &IngestLimits::default()).unwrap();
    let ours = image::load_from_memory(&p.thumbnail_jpeg)
        .unwrap()
        .into_rgb8();
    let reference = reference_thumbnail(bytes);
    assert_eq!(ours.dimensions(), reference.dimensions(), "{name}");
    let mad = mean_abs_diff(&ours, &reference);
    eprintln!(
        "{name}: thumbnail {:?}, mean |diff| {mad:.2}/255",
        ours.dimensions()
    );
    assert!(mad < TOLERANCE, "{name}: mean |diff| {mad:.2}/255");
    mad
}

#[test]
fn scaled_thumbnail_matches_the_full_decode() {
    // 2600 × 1950 is decoded at 1/8 (325 × 244); 4:2:0 from the `image` encoder.
    let mad = assert_close("large.jpg", &textured_jpeg(2600, 1950));
    // The comparison can fail: a thumbnail of another photo is far off.
    let other = image::load_from_memory(&textured_jpeg(2600, 1950))
        .unwrap()
        .thumbnail(320, 320)
        .into_rgb8();
    let shifted = image::imageops::flip_horizontal(&other);
    assert!(mean_abs_diff(&other, &shifted) > 10.0 * mad.max(0.5));
    // Portrait, odd sizes (partial blocks at the right and bottom): 1/4 and 1/2.
    assert_close("portrait.jpg", &textured_jpeg(1501, 2003));
    assert_close("odd.jpg", &textured_jpeg(803, 601));
    // Pillow-made fixtures: progressive 4:2:0 and grey (decoded at 1/2).
    assert_close("progressive.jpg", &fixture("progressive.jpg"));
    assert_close("grey.jpg", &fixture("grey.jpg"));
    // Smaller than the thumbnail: decoded at full size and enlarged as before.
    assert_close("small.jpg", &textured_jpeg(200, 150));
}

#[test]
fn cmyk_falls_back_to_the_full_decode() {
    let bytes = fixture("cmyk.jpg");
    let p = ingest_bytes(Path::new("cmyk.jpg"), &bytes, &IngestLimits::default()).unwrap();
    assert_eq!((p.width, p.height), (400, 300));
    let ours = image::load_from_memory(&p.thumbnail_jpeg)
        .unwrap()
        .into_rgb8();
    // The full decode's thumbnail, bit for bit before the encode: same size, and the same
    // pixels up to the encode.
    let reference = reference_thumbnail(&bytes);
    assert_eq!(ours.dimensions(), (320, 240));
    assert!(mean_abs_diff(&ours, &reference) < 0.5);
}

#[test]
fn a_batch_gives_what_one_at_a_time_gives() {
    let photos: Vec<(String, Vec<u8>)> = vec![
        ("a.jpg".into(), textured_jpeg(900, 700)),
        ("b.jpg".into(), fixture("progressive.jpg")),
        ("cut.jpg".into(), fixture("grey.jpg")[..20_000].to_vec()),
        ("c.jpg".into(), fixture("cmyk.jpg")),
        ("d.jpg".into(), textured_jpeg(640, 480)),
    ];
    let items: Vec<(&Path, &[u8])> = photos
        .iter()
        .map(|(n, b)| (Path::new(n.as_str()), b.as_slice()))
        .collect();
    let limits = IngestLimits::default();
    let one_by_one: Vec<_> = items
        .iter()
        .map(|(n, b)| ingest_bytes(n, b, &limits).map_err(|e| e.to_string()))
        .collect();
    for threads in [1, 2, 3] {
        let batch: Vec<_> = ingest_many(&items, &limits, threads)
            .into_iter()
            .map(|r| r.map_err(|e| e.to_string()))
            .collect();
        assert_eq!(batch, one_by_one, "{threads} threads");
    }
    // The cut one is refused, by name; the others are there, in order.
    assert!(one_by_one[2].as_ref().unwrap_err().contains("cut.jpg"));
    assert_eq!(one_by_one[1].as_ref().unwrap().file, Path::new("b.jpg"));
    assert_eq!(
        one_by_one.iter().filter(|r| r.is_ok()).count(),
        4,
        "{one_by_one:?}"
    );
}

#[test]
fn damaged_frame_headers_are_refused_before_decoding() {
    // A second frame header that disagrees with the first (which one would be decoded?).
    let good = textured_jpeg(64, 48);
    let sof = good.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    let len = usize::from(u16::from_be_bytes([good[sof + 2], good[sof + 3]]));
    let mut second = good[sof..sof + 2 + len].to_vec();
    second[5..7].copy_from_slice(&40u16.to_be_bytes());
    let mut two = good[..sof].to_vec();
    two.extend_from_slice(&second);
    two.extend_from_slice(&good[sof..]);
    let e = ingest_bytes(Path::new("two.jpg"), &two, &IngestLimits::default()).unwrap_err();
    assert!(matches!(e, PhotoError::Corrupt { .. }), "{e}");
    assert!(e.to_string().contains("two.jpg"), "{e}");
    // A progressive 100-megapixel header under a small allocation limit: refused from the
    // header (its coefficients alone would need 300 MB), not decoded.
    let mut bomb = fixture("progressive.jpg");
    let i = bomb.windows(2).position(|w| w == [0xFF, 0xC2]).unwrap();
    bomb[i + 5..i + 7].copy_from_slice(&10_000u16.to_be_bytes());
    bomb[i + 7..i + 9].copy_from_slice(&10_000u16.to_be_bytes());
    let tight = IngestLimits {
        max_alloc_bytes: 200 << 20,
        ..IngestLimits::default()
    };
    let e = ingest_bytes(Path::new("bomb.jpg"), &bomb, &tight).unwrap_err();
    assert!(matches!(e, PhotoError::OverMemoryLimit { .. }), "{e}");
}

fn base() -> &'static [u8] {
    static BASE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BASE.get_or_init(|| textured_jpeg(400, 300))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Bytes overwritten anywhere (headers, tables, entropy-coded data): the ingest answers,
    /// never panics, and an error names the file. A decoder may accept damaged entropy data
    /// (it decodes to wrong pixels), so acceptance is allowed; a panic is not.
    #[test]
    fn damaged_jpegs_never_panic(edits in prop::collection::vec((0usize..1_000_000, any::<u8>()), 1..8)) {
        let mut b = base().to_vec();
        for (at, v) in edits {
            let i = at % b.len();
            b[i] = v;
        }
        if let Err(e) = ingest_bytes(Path::new("damaged.jpg"), &b, &IngestLimits::default()) {
            prop_assert!(e.to_string().contains("damaged.jpg"), "{}", e);
        }
    }

    /// Cut anywhere before its end-of-image marker: refused as truncated or corrupt.
    #[test]
    fn truncated_jpegs_are_refused(cut in 0usize..1_000_000) {
        let b = base();
        let cut = cut % (b.len() - 2);
        let e = ingest_bytes(Path::new("cut.jpg"), &b[..cut], &IngestLimits::default()).unwrap_err();
        prop_assert!(
            matches!(e, PhotoError::Corrupt { .. } | PhotoError::NotAnImage { .. }),
            "{}", e
        );
        prop_assert!(e.to_string().contains("cut.jpg"), "{}", e);
    }
}
