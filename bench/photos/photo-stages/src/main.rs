//! Stage timings of photo ingest, for bench/photos/run.sh.
//!
//!     photo-stages PHOTO...
//!
//! For each photo, in one process (no process start, no database): the library call that
//! `assess photo add` makes (`assess_photo::ingest_bytes`: hash, checks, decode, EXIF,
//! thumbnail), timed whole; then the same steps one by one with the same crates and
//! settings (SHA-256, header, full decode under limits, EXIF container parse, `thumbnail`
//! to 320 px, JPEG encode at quality 80). Also the one-off load of the embedded county
//! boundaries (`Boundaries::poverty()`) that `assess photo add` does for a photo with GPS.
//! Prints a tab-separated line per stage: name, median ms, total s, photos/s.
use image::{ImageFormat, ImageReader, Limits};
use std::io::Cursor;
use std::path::Path;
use std::time::Instant;

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    assert!(!files.is_empty(), "usage: photo-stages PHOTO...");
    let stages = [
        "read", "ingest_bytes", "sha256", "header", "decode", "exif", "thumbnail", "encode_thumb",
    ];
    let mut t: Vec<Vec<f64>> = vec![Vec::new(); stages.len()];
    let limits = assess_photo::IngestLimits::default();
    let mut sink = 0usize;
    for f in &files {
        let s = Instant::now();
        let bytes = std::fs::read(f).expect("read");
        t[0].push(s.elapsed().as_secs_f64());

        let s = Instant::now();
        let p = assess_photo::ingest_bytes(Path::new(f), &bytes, &limits).expect("ingest");
        t[1].push(s.elapsed().as_secs_f64());
        sink += p.thumbnail_jpeg.len();

        let s = Instant::now();
        sink += assess_photo::ingest::sha256_hex(&bytes).len();
        t[2].push(s.elapsed().as_secs_f64());

        let s = Instant::now();
        let (w, h) = ImageReader::with_format(Cursor::new(&bytes), ImageFormat::Jpeg)
            .into_dimensions()
            .expect("header");
        t[3].push(s.elapsed().as_secs_f64());

        let s = Instant::now();
        let mut r = ImageReader::with_format(Cursor::new(&bytes), ImageFormat::Jpeg);
        let mut lim = Limits::default();
        lim.max_alloc = Some(limits.max_alloc_bytes);
        lim.max_image_width = Some(w);
        lim.max_image_height = Some(h);
        r.limits(lim);
        let img = r.decode().expect("decode");
        t[4].push(s.elapsed().as_secs_f64());

        let s = Instant::now();
        let ex = exif::Reader::new().read_from_container(&mut Cursor::new(&bytes));
        sink += ex.map(|e| e.fields().count()).unwrap_or(0);
        t[5].push(s.elapsed().as_secs_f64());

        let s = Instant::now();
        let thumb = img.thumbnail(320, 320).into_rgb8();
        t[6].push(s.elapsed().as_secs_f64());

        let s = Instant::now();
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
            .encode_image(&thumb)
            .expect("encode");
        t[7].push(s.elapsed().as_secs_f64());
        sink += out.len();
    }
    let s = Instant::now();
    let b = assess_photo::Boundaries::poverty().expect("boundaries");
    let boundaries = s.elapsed().as_secs_f64();
    sink += b.county("530128").is_ok() as usize;
    println!("stage\tmedian_ms\ttotal_s\tper_s");
    for (name, v) in stages.iter().zip(&mut t) {
        let total: f64 = v.iter().sum();
        v.sort_by(f64::total_cmp);
        let median = v[v.len() / 2];
        println!("{name}\t{:.1}\t{:.3}\t{:.2}", median * 1e3, total, v.len() as f64 / total);
    }
    println!("boundaries_poverty_once\t{:.1}\t{:.3}\t", boundaries * 1e3, boundaries);
    eprintln!("({} photos; checksum {sink})", files.len());
}
