//! Location checks against the real Luquan (530128) boundary, GCJ-02, with WGS-84 phone
//! points (issue 3 part 4; docs/sources.md#map-datums).

use assess_divisions::{gcj02_to_wgs84, wgs84_to_gcj02};
use assess_photo::{
    check_county, check_photo, distance_to_household_m, edge_distance_m, Boundaries, CheckContext,
    Date, Datum, Flag, GpsFix, Located, Photo, PhotoThresholds, TakenAt,
};

const KX: f64 = 111_320.0;
const KY: f64 = 110_540.0;

/// Step `metres` from (lon, lat) along the unit vector (ex, ey) given in metres east/north.
fn step(lon: f64, lat: f64, ex: f64, ey: f64, metres: f64) -> (f64, f64) {
    (
        lon + ex * metres / (KX * lat.to_radians().cos()),
        lat + ey * metres / KY,
    )
}

/// Points 300 m inside and outside the Luquan boundary (GCJ-02), built from a boundary vertex
/// and the inward normal given by the ring's orientation (not by the classifier under test).
/// Returns (inside_gcj, outside_gcj) for the first vertex where both points are about 300 m
/// from every edge and where skipping the datum shift would misclassify one of them.
fn luquan_points() -> ((f64, f64), (f64, f64), usize) {
    let b = Boundaries::focus().unwrap();
    let county = b.county("530128").unwrap();
    let poly = county
        .shape
        .0
        .iter()
        .max_by_key(|p| p.exterior().0.len())
        .unwrap();
    let ring: Vec<(f64, f64)> = poly.exterior().0.iter().map(|c| (c.x, c.y)).collect();
    let n = ring.len() - 1; // closed ring
                            // Signed area (shoelace): > 0 counter-clockwise, interior on the left of travel.
    let area: f64 = (0..n)
        .map(|i| ring[i].0 * ring[i + 1].1 - ring[i + 1].0 * ring[i].1)
        .sum::<f64>()
        / 2.0;
    let ccw = area > 0.0;
    for i in (1..n).step_by(7) {
        let (p, q, r) = (ring[i - 1], ring[i], ring[i + 1]);
        let lat = q.1;
        // Tangent from the neighbours, in metres.
        let (tx, ty) = ((r.0 - p.0) * KX * lat.to_radians().cos(), (r.1 - p.1) * KY);
        let tl = tx.hypot(ty);
        if tl < 50.0 {
            continue;
        }
        let (tx, ty) = (tx / tl, ty / tl);
        // Left normal (-ty, tx) points inside for a counter-clockwise ring.
        let (nx, ny) = if ccw { (-ty, tx) } else { (ty, -tx) };
        let inside = step(q.0, q.1, nx, ny, 300.0);
        let outside = step(q.0, q.1, -nx, -ny, 300.0);
        let di = edge_distance_m(&county.shape, inside.0, inside.1);
        let dout = edge_distance_m(&county.shape, outside.0, outside.1);
        if !((280.0..=300.5).contains(&di) && (280.0..=300.5).contains(&dout)) {
            continue; // another part of the boundary is nearer: not a clean test point
        }
        // Prefer a vertex where the datum shift matters: the WGS-84 coordinates, read
        // naively as GCJ-02, land on the wrong side for one of the two points.
        let wi = gcj02_to_wgs84(inside.0, inside.1);
        let wo = gcj02_to_wgs84(outside.0, outside.1);
        use geo::Contains;
        let naive_in = county.shape.contains(&geo::Point::new(wi.0, wi.1));
        let naive_out = county.shape.contains(&geo::Point::new(wo.0, wo.1));
        if !naive_in || naive_out {
            return (inside, outside, i);
        }
    }
    panic!("no clean test vertex found on the Luquan boundary");
}

#[test]
fn wgs84_point_300m_inside_and_outside_luquan_is_classified_correctly() {
    let b = Boundaries::focus().unwrap();
    let county = b.county("530128").unwrap();
    assert!(county.name.contains("禄劝"));
    let (inside, outside, vertex) = luquan_points();
    let (ilon, ilat) = gcj02_to_wgs84(inside.0, inside.1);
    let (olon, olat) = gcj02_to_wgs84(outside.0, outside.1);
    // The datum shift here is hundreds of metres: larger than the 300 m step.
    let back = wgs84_to_gcj02(ilon, ilat);
    assert!((back.0 - inside.0).abs() < 1e-6 && (back.1 - inside.1).abs() < 1e-6);
    let shift_m = ((inside.0 - ilon) * KX * ilat.to_radians().cos()).hypot((inside.1 - ilat) * KY);
    assert!(shift_m > 100.0, "shift {shift_m} m");

    let c_in = check_county(
        GpsFix {
            lon: ilon,
            lat: ilat,
        },
        county,
    );
    let c_out = check_county(
        GpsFix {
            lon: olon,
            lat: olat,
        },
        county,
    );
    assert!(c_in.inside, "vertex {vertex}: {c_in:?}");
    assert!(!c_out.inside, "vertex {vertex}: {c_out:?}");
    assert!((c_in.edge_distance_m - 300.0).abs() < 25.0, "{c_in:?}");
    assert!((c_out.edge_distance_m - 300.0).abs() < 25.0, "{c_out:?}");
}

#[test]
fn poverty_boundaries_load_from_gzip() {
    let b = Boundaries::poverty().unwrap();
    assert!(b.len() > 800, "{}", b.len());
    assert!(b.county("530128").is_ok());
    let e = b.county("999999").unwrap_err().to_string();
    assert!(
        e.contains("999999") && e.contains("poverty_counties"),
        "{e}"
    );
}

#[test]
fn bad_geojson_is_an_error_naming_the_file() {
    for text in ["{", "{\"type\":\"Point\",\"coordinates\":[1,2]}", "[]"] {
        let e = Boundaries::from_geojson("mine.geojson", text)
            .unwrap_err()
            .to_string();
        assert!(e.contains("mine.geojson"), "{e}");
    }
    let no_code = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},
        "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}"#;
    let e = Boundaries::from_geojson("x.geojson", no_code)
        .unwrap_err()
        .to_string();
    assert!(e.contains("adcode"), "{e}");
}

fn photo(gps: Option<GpsFix>, taken: Option<(u16, u8, u8)>) -> Photo {
    Photo {
        file: "p.jpg".into(),
        sha256: String::new(),
        bytes: 0,
        format: "jpeg".into(),
        width: 1,
        height: 1,
        taken_at: taken.map(|(year, month, day)| TakenAt {
            year,
            month,
            day,
            hour: 10,
            minute: 0,
            second: 0,
            offset_minutes: None,
        }),
        gps,
        exif_note: None,
        thumbnail_jpeg: vec![],
    }
}

#[test]
fn household_distance_dates_and_county_flags() {
    let b = Boundaries::focus().unwrap();
    let county = b.county("530128").unwrap();
    let (inside, outside, _) = luquan_points();
    let wi = gcj02_to_wgs84(inside.0, inside.1);
    let wo = gcj02_to_wgs84(outside.0, outside.1);
    let limit = PhotoThresholds::builtin().household_distance_max_m.value;
    // Household recorded in GCJ-02 at the inside point; the photo (WGS-84) at the same place.
    let home = Located {
        lon: inside.0,
        lat: inside.1,
        datum: Datum::Gcj02,
    };
    assert!(
        distance_to_household_m(
            GpsFix {
                lon: wi.0,
                lat: wi.1
            },
            home
        ) < 1.0
    );
    let ctx = CheckContext {
        household: Some(home),
        max_distance_m: limit,
        county: Some(county),
        dates: Some((Date::new(2019, 6, 10), Date::new(2019, 6, 20))),
    };
    let ok = photo(
        Some(GpsFix {
            lon: wi.0,
            lat: wi.1,
        }),
        Some((2019, 6, 14)),
    );
    assert_eq!(check_photo(&ok, &ctx), vec![]);

    // 600 m from the household, across the county edge, a month late.
    let bad = photo(
        Some(GpsFix {
            lon: wo.0,
            lat: wo.1,
        }),
        Some((2019, 7, 14)),
    );
    let flags = check_photo(&bad, &ctx);
    assert_eq!(flags.len(), 3, "{flags:?}");
    assert!(matches!(flags[0], Flag::OutsideCounty { .. }));
    match &flags[1] {
        Flag::FarFromHousehold {
            distance_m,
            limit_m,
        } => {
            assert!((distance_m - 600.0).abs() < 10.0, "{distance_m}");
            assert_eq!(*limit_m, 500.0);
        }
        f => panic!("{f:?}"),
    }
    assert!(flags[2].to_string().contains("2019-07-14"), "{}", flags[2]);

    // A settable distance: 1 km lets the 600 m photo pass that check.
    let wide = CheckContext {
        max_distance_m: 1000.0,
        ..ctx.clone()
    };
    assert_eq!(check_photo(&bad, &wide).len(), 2);

    // No EXIF at all: flagged as unknown, not as a failure.
    let bare = photo(None, None);
    assert_eq!(check_photo(&bare, &ctx), vec![Flag::NoGps, Flag::NoTime]);
}
