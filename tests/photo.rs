//! `assess photo add` and `assess photo list` on both engines: content-addressed storage,
//! households outside the draw refused, truncated files refused with nothing written, and
//! measurements computed (the 2 mm width case).

use crate::util::{assess, databases};
use serde_json::json;
use std::path::{Path, PathBuf};

fn a_draw(dir: &Path) -> (PathBuf, String, Vec<String>) {
    crate::util::luquan_draw(dir, 2)
}

/// A JPEG (no EXIF) made with the `image` crate, 3000 × 2600 px: large enough to hold every
/// point the tests' measurement files mark.
pub fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(3000, 2600, |x, y| {
        image::Rgb([(x * 2) as u8, (y * 2) as u8, if x == 60 { 20 } else { 200 }])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&img)
        .unwrap();
    out
}

/// `jpeg` with an EXIF APP1 segment (DateTimeOriginal, GPS north and east) after its SOI:
/// a minimal little-endian TIFF written by hand.
fn with_exif(jpeg: &[u8], lon: f64, lat: f64, when: &str) -> Vec<u8> {
    fn u16le(b: &mut Vec<u8>, v: u16) {
        b.extend_from_slice(&v.to_le_bytes());
    }
    fn u32le(b: &mut Vec<u8>, v: u32) {
        b.extend_from_slice(&v.to_le_bytes());
    }
    fn entry(b: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32) {
        u16le(b, tag);
        u16le(b, kind);
        u32le(b, count);
        u32le(b, value);
    }
    fn dms(b: &mut Vec<u8>, v: f64) {
        let d = v.trunc();
        let m = ((v - d) * 60.0).trunc();
        let s = ((v - d) * 60.0 - m) * 60.0;
        for (n, den) in [
            (d as u32, 1),
            (m as u32, 1),
            ((s * 10_000.0).round() as u32, 10_000),
        ] {
            u32le(b, n);
            u32le(b, den);
        }
    }
    let (exif_ifd, gps_ifd, date, lat_at, lon_at) = (38u32, 56u32, 110u32, 130u32, 154u32);
    let mut t = b"II*\0".to_vec();
    u32le(&mut t, 8);
    u16le(&mut t, 2);
    entry(&mut t, 0x8769, 4, 1, exif_ifd);
    entry(&mut t, 0x8825, 4, 1, gps_ifd);
    u32le(&mut t, 0);
    u16le(&mut t, 1);
    entry(&mut t, 0x9003, 2, 20, date);
    u32le(&mut t, 0);
    u16le(&mut t, 4);
    entry(&mut t, 1, 2, 2, u32::from_le_bytes(*b"N\0\0\0"));
    entry(&mut t, 2, 5, 3, lat_at);
    entry(&mut t, 3, 2, 2, u32::from_le_bytes(*b"E\0\0\0"));
    entry(&mut t, 4, 5, 3, lon_at);
    u32le(&mut t, 0);
    assert_eq!(t.len(), date as usize);
    assert_eq!(when.len(), 19);
    t.extend_from_slice(when.as_bytes());
    t.push(0);
    dms(&mut t, lat);
    dms(&mut t, lon);
    let mut seg = b"Exif\0\0".to_vec();
    seg.extend_from_slice(&t);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((seg.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&seg);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn add(photo: &Path, db: &str, draw_id: &str, household: &str) -> assert_cmd::Command {
    let mut cmd = assess();
    cmd.args(["photo", "add"]).arg(photo).args([
        "--db",
        db,
        "--draw",
        draw_id,
        "--household",
        household,
    ]);
    cmd
}

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).to_string()
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).to_string()
}

fn list(db: &str) -> String {
    let a = assess()
        .args(["photo", "list", "--db", db])
        .assert()
        .success();
    stdout(&a)
}

#[test]
fn photos_are_stored_once_linked_to_sampled_households_and_measured() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, draw_id, households) = a_draw(dir.path());
    let photo = dir.path().join("crack.jpg");
    let bytes = jpeg();
    std::fs::write(&photo, &bytes).unwrap();
    let truncated = dir.path().join("cut.jpg");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let measurements = dir.path().join("m.json");
    std::fs::write(
        &measurements,
        json!({
            "reference": {"a": {"x": 100.0, "y": 50.0}, "b": {"x": 800.0, "y": 50.0}, "length_mm": 140.0},
            "storey_height_mm": 3000.0,
            "component": "north load-bearing wall",
            "inspector_grade": "a",
            "cracks": [{
                "points": [{"x": 300.0, "y": 100.0}, {"x": 300.0, "y": 600.0}],
                "widths_px": [8.0, 10.0, 9.0],
                "orientation": "vertical",
                "component": "load_bearing_wall"
            }]
        })
        .to_string(),
    )
    .unwrap();
    // Taken in Luquan in June 2020, and 250 km away a month later.
    let inside = dir.path().join("inside.jpg");
    std::fs::write(
        &inside,
        with_exif(&bytes, 102.47, 25.55, "2020:06:12 10:00:00"),
    )
    .unwrap();
    let outside = dir.path().join("outside.jpg");
    std::fs::write(
        &outside,
        with_exif(&bytes, 100.0, 25.0, "2020:07:12 10:00:00"),
    )
    .unwrap();
    let bad_measurements = dir.path().join("bad.json");
    std::fs::write(&bad_measurements, r#"{"reference": {"a": 1}, "cracks": []"#).unwrap();

    for (engine, db) in databases(dir.path()) {
        assess()
            .arg("import-sample")
            .arg(&drawn)
            .args(["--db", &db])
            .assert()
            .success();
        let (h1, h2) = (&households[0], &households[1]);

        // Refusals first: nothing is written.
        let a = add(&truncated, &db, &draw_id, h1)
            .assert()
            .failure()
            .code(1);
        assert!(stderr(&a).contains("cut.jpg"), "{engine}: {}", stderr(&a));
        let a = add(&photo, &db, &draw_id, "NOT-A-HOUSEHOLD")
            .assert()
            .failure()
            .code(1);
        assert!(
            stderr(&a).contains("not in the sample"),
            "{engine}: {}",
            stderr(&a)
        );
        let a = add(&photo, &db, "0000", h1).assert().failure().code(1);
        assert!(stderr(&a).contains("not in the database"), "{engine}");
        let a = add(&photo, &db, &draw_id, h1)
            .arg("--measurements")
            .arg(&bad_measurements)
            .assert()
            .failure()
            .code(1);
        assert!(stderr(&a).contains("bad.json"), "{engine}: {}", stderr(&a));
        assert!(
            list(&db).contains("0 photos stored, 0 links"),
            "{engine}: {}",
            list(&db)
        );

        // The same photo twice is stored once.
        let a = add(&photo, &db, &draw_id, h1).assert().success();
        assert!(stdout(&a).contains(") stored;"), "{engine}: {}", stdout(&a));
        let a = add(&photo, &db, &draw_id, h1).assert().success();
        assert!(stdout(&a).contains("already stored"), "{engine}");
        assert!(stdout(&a).contains("already linked"), "{engine}");
        let a = add(&photo, &db, &draw_id, h2)
            .arg("--measurements")
            .arg(&measurements)
            .assert()
            .success();
        let out = stdout(&a);
        assert!(out.contains("already stored"), "{engine}: {out}");
        // 140 mm over 700 px, 10 px wide: 2.00 mm in [9*140/702, 11*140/698].
        assert!(
            out.contains("width 2.00 mm [1.79, 2.21]"),
            "{engine}: {out}"
        );
        assert!(out.contains("length 100.00 mm"), "{engine}: {out}");
        assert!(out.contains("no EXIF GPS"), "{engine}: {out}");
        let listed = list(&db);
        assert!(
            listed.contains("1 photo stored, 2 links"),
            "{engine}: {listed}"
        );
        assert!(listed.contains("measured"), "{engine}: {listed}");
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        assert!(listed.contains(&sha), "{engine}: {listed}");
    }
}

/// A measurement file with tilt (a plumb reading and an edge on the photo), cracks and wall
/// readings; a wood file with no reference (everything on the photo is a ratio of pixels).
fn wall_with_tilt() -> serde_json::Value {
    json!({
        "reference": {"a": {"x": 100.0, "y": 50.0}, "b": {"x": 800.0, "y": 50.0}, "length_mm": 140.0},
        "storey_height_mm": 3000.0,
        "component": "west load-bearing wall",
        "inspector_grade": "a",
        "cracks": [{
            "points": [{"x": 300.0, "y": 100.0}, {"x": 300.0, "y": 600.0}],
            "widths_px": [3.0],
            "orientation": "vertical",
            "component": "load_bearing_wall"
        }],
        "tilt": {
            "plumb": {"offset_mm": 30.0, "height_mm": 3000.0, "reading_error_mm": 2.0},
            "photo": {"top": {"x": 408.0, "y": 40.0}, "bottom": {"x": 400.0, "y": 1040.0}}
        },
        "wall_junction_through_crack": false,
        "section_loss": {"original": {"mm": 240.0, "error_mm": 2.0}, "remaining": {"mm": 200.0, "error_mm": 2.0}}
    })
}

#[test]
fn tilt_and_member_readings_are_judged_stored_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, draw_id, households) = a_draw(dir.path());
    let photo = dir.path().join("wall.jpg");
    std::fs::write(&photo, jpeg()).unwrap();
    let wall = dir.path().join("wall.json");
    std::fs::write(&wall, wall_with_tilt().to_string()).unwrap();
    let truss = dir.path().join("truss.json");
    std::fs::write(
        &truss,
        json!({
            "component": "roof truss",
            "inspector_grade": "b",
            "wood": {
                "deflection": {"member": "truss", "joint_rot_or_split": false,
                    "sag": {"from": {"x": 500.0, "y": 300.0}, "to": {"x": 500.0, "y": 330.0}},
                    "span": {"from": {"x": 100.0, "y": 300.0}, "to": {"x": 2500.0, "y": 300.0}}},
                "truss_out_of_plane": {"plumb": {"offset_mm": 5.0, "height_mm": 1200.0, "reading_error_mm": 1.0}}
            }
        })
        .to_string(),
    )
    .unwrap();
    let mut bad = wall_with_tilt();
    bad["tilt"]["plumb"]["height_mm"] = json!(1.0);
    let bad_tilt = dir.path().join("bad-tilt.json");
    std::fs::write(&bad_tilt, bad.to_string()).unwrap();

    for (engine, db) in databases(dir.path()) {
        assess()
            .arg("import-sample")
            .arg(&drawn)
            .args(["--db", &db])
            .assert()
            .success();
        let (h1, h2) = (&households[0], &households[1]);

        // A tilt the reading error makes meaningless is refused; nothing is written.
        let a = add(&photo, &db, &draw_id, h1)
            .arg("--measurements")
            .arg(&bad_tilt)
            .assert()
            .failure()
            .code(1);
        let err = stderr(&a);
        assert!(
            err.contains("bad-tilt.json") && err.contains("tilt: tilt needs a height"),
            "{engine}: {err}"
        );
        assert!(list(&db).contains("0 photos stored, 0 links"), "{engine}");

        let a = add(&photo, &db, &draw_id, h1)
            .arg("--measurements")
            .arg(&wall)
            .assert()
            .success();
        let out = stdout(&a);
        // Plumb: 30/3000 = 1.00% in [28/3002, 32/2998]; photo: 8/1000 in [6/1002, 10/998].
        assert!(
            out.contains("tilt 1.00% [0.93, 1.07] (Plumb)"),
            "{engine}: {out}"
        );
        assert!(
            out.contains("tilt 0.80% [0.60, 1.00] (Photo)"),
            "{engine}: {out}"
        );
        assert!(
            out.contains("Tilt: DangerPoint: tilt (plumb reading)"),
            "{engine}: {out}"
        );
        assert!(
            out.contains("Tilt: Indeterminate: tilt (edge on the photo"),
            "{engine}: {out}"
        );
        assert!(out.contains("SectionLoss: Pass"), "{engine}: {out}");
        assert!(
            out.contains("WallJunctionThroughCrack: Pass"),
            "{engine}: {out}"
        );
        assert!(
            out.contains("SeveralVerticalLoadBearing: Pass"),
            "{engine}: {out}"
        );
        assert!(
            out.contains("computed: DangerPoint; inspector's grade: a"),
            "{engine}: {out}"
        );
        assert!(
            out.contains("DISAGREEMENT DangerPointGradedSafe"),
            "{engine}: {out}"
        );

        let a = add(&photo, &db, &draw_id, h2)
            .arg("--measurements")
            .arg(&truss)
            .assert()
            .success();
        let out = stdout(&a);
        assert!(
            !out.contains("scale"),
            "{engine}: no reference, no scale: {out}"
        );
        // 30 px / 2400 px = 1/80, over L0/120, but the truss joints are sound: pass.
        assert!(
            out.contains("WoodDeflection: Pass: truss"),
            "{engine}: {out}"
        );
        assert!(out.contains("TrussOutOfPlane: Pass"), "{engine}: {out}");
        assert!(
            out.contains("computed: Pass; inspector's grade: b"),
            "{engine}: {out}"
        );

        let listed = list(&db);
        assert!(
            listed.contains(
                "measured: computed danger_point, inspector a, tilt 1.00% [0.93, 1.07] (Plumb), \
                 tilt 0.80% [0.60, 1.00] (Photo)"
            ),
            "{engine}: {listed}"
        );
        assert!(
            listed.contains("measured: computed pass, inspector b  flags"),
            "{engine}: {listed}"
        );
        assert!(
            listed.contains("1 photo stored, 2 links"),
            "{engine}: {listed}"
        );
    }
}

/// `assess photo add` with several photos (issue 14 section 1): each to its household, or all
/// to one; a wrong count of --household or one household outside the sample refuses the run
/// before anything is stored.
#[test]
fn several_photos_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, draw_id, hh) = crate::util::luquan_draw(dir.path(), 3);
    let bytes = jpeg();
    let photos: Vec<PathBuf> = (0..3)
        .map(|i| {
            let p = dir.path().join(format!("p{i}.jpg"));
            let when = format!("2020:06:1{i} 10:00:00");
            std::fs::write(&p, with_exif(&bytes, 102.47, 25.55, &when)).unwrap();
            p
        })
        .collect();
    let run = |db: &str, households: &[&str]| {
        let mut cmd = assess();
        cmd.args(["photo", "add"]).args(&photos);
        cmd.args(["--db", db, "--draw", &draw_id, "--jobs", "2"]);
        for h in households {
            cmd.args(["--household", h]);
        }
        cmd
    };
    for (engine, db) in databases(dir.path()) {
        assess()
            .arg("import-sample")
            .arg(&drawn)
            .args(["--db", &db])
            .assert()
            .success();
        let a = run(&db, &[&hh[0], &hh[1]]).assert().failure().code(1);
        assert!(
            stderr(&a).contains("3 photos and 2 --household"),
            "{engine}: {}",
            stderr(&a)
        );
        let a = run(&db, &[&hh[0], "NOT-A-HOUSEHOLD", &hh[2]])
            .assert()
            .failure()
            .code(1);
        assert!(
            stderr(&a).contains("p1.jpg") && stderr(&a).contains("not in the sample"),
            "{engine}: {}",
            stderr(&a)
        );
        assert!(list(&db).contains("0 photos stored, 0 links"), "{engine}");

        let a = run(&db, &[&hh[0], &hh[1], &hh[2]]).assert().success();
        let out = stdout(&a);
        for (i, h) in hh.iter().enumerate() {
            let line = format!("p{i}.jpg: photo ");
            let at = out.find(&line).unwrap_or_else(|| panic!("{engine}: {out}"));
            let rest = &out[at..];
            let first_line = &rest[..rest.find('\n').unwrap()];
            assert!(
                first_line.contains("(3000 x 2600, ")
                    && first_line.ends_with(&format!(") stored; linked to household {h}")),
                "{engine}: {first_line}"
            );
        }
        assert_eq!(out.matches("flags: none").count(), 3, "{engine}: {out}");
        assert!(list(&db).contains("3 photos stored, 3 links"), "{engine}");
        // All three to the first household: stored before, two new links.
        let a = run(&db, &[&hh[0]]).assert().success();
        let out = stdout(&a);
        assert_eq!(out.matches("already stored").count(), 3, "{engine}: {out}");
        assert_eq!(
            out.matches(&format!("; linked to household {}", hh[0]))
                .count(),
            2,
            "{engine}: {out}"
        );
        assert!(list(&db).contains("3 photos stored, 5 links"), "{engine}");
    }
}

/// The library path the field server takes: photos received in memory
/// (`PhotoAdd::from_bytes`, `read_batch`) are what `PhotoAdd::read` makes of the same files,
/// and a batch of photos with GPS is stored with its county flags after parsing the county
/// boundaries once (the embedded boundaries are parsed at most once per process: the
/// focus and the poverty set, whatever else this test binary ran).
#[test]
fn uploaded_photos_in_a_batch_parse_the_boundaries_once() {
    use assess_app::photos::{self, PhotoAdd, PhotoLink, PhotoPlace, PhotoUpload};
    let dir = tempfile::tempdir().unwrap();
    let (drawn, draw_id, hh) = crate::util::luquan_draw(dir.path(), 3);
    let bytes = jpeg();
    // Two in Luquan, one 250 km away.
    let uploads: Vec<PhotoUpload> = [(102.47, 25.55), (102.48, 25.56), (100.0, 25.0)]
        .iter()
        .enumerate()
        .map(|(i, (lon, lat))| PhotoUpload {
            name: format!("upload-{i}.jpg"),
            content: with_exif(&bytes, *lon, *lat, "2020:06:12 10:00:00"),
            measurements_json: None,
        })
        .collect();
    let file = dir.path().join("upload-0.jpg");
    std::fs::write(&file, &uploads[0].content).unwrap();
    let from_file = PhotoAdd::read(&file, None).unwrap();
    let from_bytes =
        PhotoAdd::from_bytes("upload-0.jpg", uploads[0].content.clone(), None).unwrap();
    assert_eq!(from_bytes.photo.file, Path::new("upload-0.jpg"));
    let same = |p: &assess_photo::Photo| {
        (
            p.sha256.clone(),
            p.width,
            p.height,
            p.taken_at,
            p.gps,
            p.thumbnail_jpeg.clone(),
        )
    };
    assert_eq!(same(&from_bytes.photo), same(&from_file.photo));
    let batch: Vec<PhotoAdd> = photos::read_batch(uploads, 2)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(same(&batch[0].photo), same(&from_file.photo));
    // Measurements given as text are judged as a file's are, and named after the photo.
    let e = PhotoAdd::from_bytes("upload-0.jpg", bytes.clone(), Some("[1, 2]")).unwrap_err();
    assert!(e.to_string().contains("upload-0.jpg measurements"), "{e}");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for (engine, db) in databases(dir.path()) {
        assess()
            .arg("import-sample")
            .arg(&drawn)
            .args(["--db", &db])
            .assert()
            .success();
        let place = PhotoPlace::default();
        let links: Vec<PhotoLink> = batch
            .iter()
            .zip(&hh)
            .map(|(photo, household)| PhotoLink {
                photo,
                draw: &draw_id,
                household,
                place: &place,
            })
            .collect();
        let stored = runtime.block_on(async {
            let store = assess_store::Store::open(&db).await.unwrap();
            let stored = photos::add_many(&store, &links).await.unwrap();
            store.close().await;
            stored
        });
        assert!(
            stored.iter().all(|s| s.done.stored && s.done.linked),
            "{engine}"
        );
        assert!(
            stored[0].flags.is_empty() && stored[1].flags.is_empty(),
            "{engine}"
        );
        assert!(
            matches!(
                stored[2].flags.as_slice(),
                [assess_photo::Flag::OutsideCounty { adcode, .. }] if adcode == "530128"
            ),
            "{engine}: {:?}",
            stored[2].flags
        );
    }
    // Six photos with GPS checked against the county, on two engines: one parse of the
    // poverty set (and at most one of the focus set, by a verdict test in this binary).
    let parses = assess_photo::Boundaries::embedded_parses();
    assert!((1..=2).contains(&parses), "{parses} parses");
}
