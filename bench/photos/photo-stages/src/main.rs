//! Photo ingest in one process, for bench/photos/run.sh.
//!
//!     photo-stages stages PHOTO...           # per-stage timings, one photo after the other
//!     photo-stages batch THREADS PHOTO...    # the library path: N photos on THREADS threads
//!
//! `stages`: for each photo (no process start, no database), the library call that
//! `assess photo add` makes (`assess_photo::ingest_bytes`: hash, checks, DCT-scaled decode,
//! EXIF, thumbnail), timed whole; then the same steps one by one with the same crates and
//! settings (SHA-256, header, the decode at 1/8 with jpeg-decoder and the `thumbnail` to
//! 320 px, EXIF container parse, JPEG encode at quality 80), and, for comparison, the full
//! decode the ingest made before (`image` with zune-jpeg) and its `thumbnail`. Also the
//! one-off parse of the embedded county boundaries (`Boundaries::poverty()`).
//! Prints a tab-separated line per stage: name, median ms, total s, photos/s.
//!
//! `batch`: what the field server does with a batch of uploads: the files read into memory,
//! then `assess_photo::ingest_many` on THREADS threads, then each photo with GPS checked
//! against the Luquan boundary (`Boundaries::poverty_shared()`, parsed once). Prints the
//! same kind of lines for the whole batch (total s, photos/s).
use image::{ImageFormat, ImageReader, Limits};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("stages") if args.len() > 1 => stages(&args[1..]),
        Some("batch") if args.len() > 2 => {
            let threads: usize = args[1].parse().expect("THREADS is a number");
            batch(threads, &args[2..])
        }
        _ => panic!("usage: photo-stages stages PHOTO... | photo-stages batch THREADS PHOTO..."),
    }
}

fn batch(threads: usize, files: &[String]) {
    let start = Instant::now();
    let contents: Vec<(PathBuf, Vec<u8>)> = files
        .iter()
        .map(|f| (PathBuf::from(f), std::fs::read(f).expect("read")))
        .collect();
    let read = start.elapsed().as_secs_f64();
    let items: Vec<(&Path, &[u8])> = contents
        .iter()
        .map(|(p, b)| (p.as_path(), b.as_slice()))
        .collect();
    let s = Instant::now();
    let photos = assess_photo::ingest_many(&items, &Default::default(), threads);
    let ingest = s.elapsed().as_secs_f64();
    let s = Instant::now();
    let luquan = assess_photo::Boundaries::poverty_shared()
        .and_then(|b| b.county("530128"))
        .expect("boundaries");
    let mut inside = 0;
    for p in &photos {
        let p = p.as_ref().expect("ingest");
        if let Some(gps) = p.gps {
            inside += usize::from(assess_photo::check_county(gps, luquan).inside);
        }
    }
    let checks = s.elapsed().as_secs_f64();
    let total = start.elapsed().as_secs_f64();
    let n = files.len() as f64;
    println!("stage\tmedian_ms\ttotal_s\tper_s");
    for (name, t) in [
        ("read_all", read),
        ("ingest_many", ingest),
        ("boundaries_and_checks", checks),
        ("batch_total", total),
    ] {
        println!("{name}\t\t{t:.3}\t{:.2}", n / t);
    }
    eprintln!(
        "({} photos on {threads} threads, {inside} inside Luquan)",
        files.len()
    );
}

fn stages(files: &[String]) {
    let stages = [
        "read",
        "ingest_bytes",
        "sha256",
        "header",
        "scaled_decode_thumbnail",
        "exif",
        "encode_thumb",
        "old_full_decode",
        "old_thumbnail",
    ];
    let mut t: Vec<Vec<f64>> = vec![Vec::new(); stages.len()];
    let limits = assess_photo::IngestLimits::default();
    let mut sink = 0usize;
    for f in files {
        let s = Instant::now();
        let bytes = std::fs::read(f).expect("read");
        t[0].push(s.elapsed().as_secs_f64());

        let s = Instant::now();
        let p = assess_photo::ingest_bytes(Path::new(f), &bytes, &limits).expect("ingest");
        t[1].push(s.elapsed().as_secs_f64());
        sink += p.thumbnail_jpeg.len();

        let s = Instant::now();
        sink += assess_photo::sha256_hex(&bytes).len();
        t[2].push(s.elapsed().as_secs_f64());

        let s = Instant::now();
        let (w, h) = ImageReader::with_format(Cursor::new(&bytes), ImageFormat::Jpeg)
            .into_dimensions()
            .expect("header");
        t[3].push(s.elapsed().as_secs_f64());

        let s = Instant::now();
        let mut d = jpeg_decoder::Decoder::new(bytes.as_slice());
        let (sw, sh) = d.scale(320, 240).expect("scale");
        let small = d.decode().expect("scaled decode");
        let small = image::RgbImage::from_raw(u32::from(sw), u32::from(sh), small).expect("rgb");
        let thumb = image::imageops::thumbnail(&small, 320, 240);
        t[4].push(s.elapsed().as_secs_f64());

        let s = Instant::now();
        let ex = exif::Reader::new().read_from_container(&mut Cursor::new(&bytes));
        sink += ex.map(|e| e.fields().count()).unwrap_or(0);
        t[5].push(s.elapsed().as_secs_f64());

        let s = Instant::now();
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
            .encode_image(&thumb)
            .expect("encode");
        t[6].push(s.elapsed().as_secs_f64());
        sink += out.len();

        let s = Instant::now();
        let mut r = ImageReader::with_format(Cursor::new(&bytes), ImageFormat::Jpeg);
        let mut lim = Limits::default();
        lim.max_alloc = Some(limits.max_alloc_bytes);
        lim.max_image_width = Some(w);
        lim.max_image_height = Some(h);
        r.limits(lim);
        let img = r.decode().expect("decode");
        t[7].push(s.elapsed().as_secs_f64());

        let s = Instant::now();
        sink += img.thumbnail(320, 320).into_rgb8().len();
        t[8].push(s.elapsed().as_secs_f64());
    }
    let s = Instant::now();
    let b = assess_photo::Boundaries::poverty().expect("boundaries");
    let boundaries = s.elapsed().as_secs_f64();
    sink += usize::from(b.county("530128").is_ok());
    println!("stage\tmedian_ms\ttotal_s\tper_s");
    for (name, v) in stages.iter().zip(&mut t) {
        let total: f64 = v.iter().sum();
        v.sort_by(f64::total_cmp);
        let median = v[v.len() / 2];
        println!(
            "{name}\t{:.1}\t{:.3}\t{:.2}",
            median * 1e3,
            total,
            v.len() as f64 / total
        );
    }
    println!("boundaries_poverty_once\t{:.1}\t{boundaries:.3}\t", boundaries * 1e3);
    eprintln!("({} photos; checksum {sink})", files.len());
}
