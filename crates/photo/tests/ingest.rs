//! Ingest: content address, EXIF, thumbnail, and bad input (issue 3 part 8): truncated and
//! non-image files, decompression bombs, photos without EXIF. Every error names the file.

use assess_photo::{ingest_bytes, ingest_file, ingest_file_with, IngestLimits, PhotoError};
use exif::{experimental::Writer, Field, In, Rational, Tag, Value};
use image::{Rgb, RgbImage};
use std::io::Cursor;
use std::path::Path;

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| {
        Rgb([(x * 7 % 256) as u8, (y * 3 % 256) as u8, 90])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .unwrap();
    out
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_pixel(w, h, Rgb([1, 2, 3]));
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn dms(deg: f64) -> Value {
    let d = deg.trunc();
    let m = ((deg - d) * 60.0).trunc();
    let s = ((deg - d) * 60.0 - m) * 60.0;
    Value::Rational(vec![
        Rational::from((d as u32, 1)),
        Rational::from((m as u32, 1)),
        Rational::from(((s * 10_000.0).round() as u32, 10_000)),
    ])
}

/// Insert an EXIF APP1 segment (DateTimeOriginal, GPS) right after the JPEG's SOI.
fn with_exif(jpeg: &[u8], lon: f64, lat: f64, when: &str) -> Vec<u8> {
    let fields = [
        Field {
            tag: Tag::DateTimeOriginal,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![when.as_bytes().to_vec()]),
        },
        Field {
            tag: Tag::GPSLatitudeRef,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![if lat >= 0.0 {
                b"N".to_vec()
            } else {
                b"S".to_vec()
            }]),
        },
        Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: dms(lat.abs()),
        },
        Field {
            tag: Tag::GPSLongitudeRef,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![if lon >= 0.0 {
                b"E".to_vec()
            } else {
                b"W".to_vec()
            }]),
        },
        Field {
            tag: Tag::GPSLongitude,
            ifd_num: In::PRIMARY,
            value: dms(lon.abs()),
        },
    ];
    let mut w = Writer::new();
    for f in &fields {
        w.push_field(f);
    }
    let mut tiff = Cursor::new(Vec::new());
    w.write(&mut tiff, false).unwrap();
    let tiff = tiff.into_inner();
    let mut seg = b"Exif\0\0".to_vec();
    seg.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((seg.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&seg);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn name(e: &PhotoError) -> String {
    e.to_string()
}

#[test]
fn photo_with_exif_gives_time_gps_hash_and_thumbnail() {
    let bytes = with_exif(&jpeg(1200, 900), 102.4712, 25.5561, "2019:06:14 10:31:07");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crack-01.jpg");
    std::fs::write(&path, &bytes).unwrap();
    let p = ingest_file(&path).unwrap();
    assert_eq!(p.sha256, assess_photo::sha256_hex(&bytes));
    assert_eq!(p.sha256.len(), 64);
    assert_eq!((p.width, p.height, p.format.as_str()), (1200, 900, "jpeg"));
    let t = p.taken_at.expect("DateTimeOriginal");
    assert_eq!(
        (t.year, t.month, t.day, t.hour, t.minute, t.second),
        (2019, 6, 14, 10, 31, 7)
    );
    let g = p.gps.expect("GPS");
    assert!(
        (g.lon - 102.4712).abs() < 1e-6 && (g.lat - 25.5561).abs() < 1e-6,
        "{g:?}"
    );
    assert_eq!(p.exif_note, None);
    let thumb = image::load_from_memory(&p.thumbnail_jpeg).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (320, 240));
    // Same content, another name: same content address.
    let q = ingest_bytes(Path::new("copy.jpg"), &bytes, &IngestLimits::default()).unwrap();
    assert_eq!(p.sha256, q.sha256);
}

#[test]
fn southern_western_refs_are_negative() {
    let bytes = with_exif(&jpeg(64, 48), -70.25, -33.5, "2020:01:02 03:04:05");
    let p = ingest_bytes(Path::new("s.jpg"), &bytes, &IngestLimits::default()).unwrap();
    let g = p.gps.unwrap();
    assert!((g.lon + 70.25).abs() < 1e-6 && (g.lat + 33.5).abs() < 1e-6);
}

#[test]
fn photo_without_exif_is_not_an_error() {
    for (n, b) in [("plain.jpg", jpeg(640, 480)), ("plain.png", png(50, 400))] {
        let p = ingest_bytes(Path::new(n), &b, &IngestLimits::default()).unwrap();
        assert_eq!(
            (p.taken_at, p.gps, p.exif_note.clone()),
            (None, None, None),
            "{n}"
        );
        let thumb = image::load_from_memory(&p.thumbnail_jpeg).unwrap();
        assert!(thumb.width().max(thumb.height()) <= 320);
    }
}

#[test]
fn truncated_jpeg_is_a_clear_error() {
    let full = jpeg(800, 600);
    for cut in [full.len() / 2, 200, 20, 3] {
        let r = ingest_bytes(
            Path::new("broken.jpg"),
            &full[..cut],
            &IngestLimits::default(),
        );
        let e = r
            .err()
            .unwrap_or_else(|| panic!("truncated JPEG at {cut} accepted"));
        let msg = name(&e);
        assert!(msg.contains("broken.jpg"), "{msg}");
        assert!(
            matches!(
                e,
                PhotoError::Corrupt { .. } | PhotoError::NotAnImage { .. }
            ),
            "cut {cut}: {msg}"
        );
    }
    let full = png(300, 200);
    for cut in [full.len() / 2, full.len() - 13, 40] {
        let r = ingest_bytes(
            Path::new("broken.png"),
            &full[..cut],
            &IngestLimits::default(),
        );
        let e = r
            .err()
            .unwrap_or_else(|| panic!("truncated PNG at {cut} accepted"));
        assert!(name(&e).contains("broken.png"), "{e}");
    }
}

#[test]
fn random_bytes_are_not_an_image() {
    // Deterministic pseudo-random bytes (xorshift).
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    let mut bytes = Vec::new();
    for _ in 0..10_000 {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        bytes.push(s as u8);
    }
    let e = ingest_bytes(Path::new("noise.bin"), &bytes, &IngestLimits::default()).unwrap_err();
    assert!(matches!(e, PhotoError::NotAnImage { .. }), "{e}");
    assert!(name(&e).contains("noise.bin"));
    // Random bytes behind a JPEG signature: corrupt, not a panic.
    let mut fake = vec![0xFF, 0xD8, 0xFF, 0xE0];
    fake.extend_from_slice(&bytes);
    let e = ingest_bytes(Path::new("fake.jpg"), &fake, &IngestLimits::default()).unwrap_err();
    assert!(matches!(e, PhotoError::Corrupt { .. }), "{e}");
    assert!(name(&e).contains("fake.jpg"));
    // Empty file.
    let e = ingest_bytes(Path::new("empty.jpg"), &[], &IngestLimits::default()).unwrap_err();
    assert!(matches!(e, PhotoError::NotAnImage { .. }), "{e}");
}

#[test]
fn jpeg_bomb_header_is_refused_before_decoding() {
    let mut b = jpeg(16, 16);
    // Patch the baseline frame header (SOF0: FF C0 len(2) precision(1) height(2) width(2)).
    let i = b.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    b[i + 5..i + 7].copy_from_slice(&60_000u16.to_be_bytes());
    b[i + 7..i + 9].copy_from_slice(&60_000u16.to_be_bytes());
    let e = ingest_bytes(Path::new("bomb.jpg"), &b, &IngestLimits::default()).unwrap_err();
    match &e {
        PhotoError::TooManyPixels { width, height, .. } => {
            assert_eq!((*width, *height), (60_000, 60_000))
        }
        other => panic!("expected TooManyPixels, got {other}"),
    }
    assert!(
        name(&e).contains("bomb.jpg") && name(&e).contains("100000000"),
        "{e}"
    );
}

#[test]
fn png_bomb_header_is_refused_before_decoding() {
    let mut b = png(8, 8);
    // IHDR chunk: length(4) "IHDR" width(4) height(4) ... CRC over type+data.
    let i = b.windows(4).position(|w| w == b"IHDR").unwrap();
    b[i + 4..i + 8].copy_from_slice(&50_000u32.to_be_bytes());
    b[i + 8..i + 12].copy_from_slice(&50_000u32.to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(&b[i..i + 4 + 13]);
    b[i + 17..i + 21].copy_from_slice(&crc.sum().to_be_bytes());
    let e = ingest_bytes(Path::new("bomb.png"), &b, &IngestLimits::default()).unwrap_err();
    assert!(matches!(e, PhotoError::TooManyPixels { .. }), "{e}");
}

#[test]
fn memory_and_size_limits_are_errors() {
    let b = jpeg(1000, 1000);
    let tight = IngestLimits {
        max_alloc_bytes: 100_000,
        ..IngestLimits::default()
    };
    let e = ingest_bytes(Path::new("big.jpg"), &b, &tight).unwrap_err();
    assert!(matches!(e, PhotoError::OverMemoryLimit { .. }), "{e}");
    let few = IngestLimits {
        max_pixels: 999_999,
        ..IngestLimits::default()
    };
    let e = ingest_bytes(Path::new("big.jpg"), &b, &few).unwrap_err();
    assert!(matches!(e, PhotoError::TooManyPixels { .. }), "{e}");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("large.jpg");
    std::fs::write(&path, &b).unwrap();
    let small = IngestLimits {
        max_file_bytes: 1000,
        ..IngestLimits::default()
    };
    let e = ingest_file_with(&path, &small).unwrap_err();
    assert!(matches!(e, PhotoError::FileTooLarge { .. }), "{e}");
    assert!(name(&e).contains("large.jpg"));
}

#[test]
fn unreadable_file_names_the_file() {
    let e = ingest_file(Path::new("/nonexistent/dir/photo-7.jpg")).unwrap_err();
    assert!(matches!(e, PhotoError::Read { .. }), "{e}");
    assert!(name(&e).contains("photo-7.jpg"), "{e}");
    let dir = tempfile::tempdir().unwrap();
    let e = ingest_file(dir.path()).unwrap_err();
    assert!(matches!(e, PhotoError::Read { .. }), "{e}");
}
