//! Location and date checks of a photo: distance from the household, inside the county's
//! boundary, taken within the assessment's dates.
//!
//! Boundaries are GCJ-02 (Chinese web-map data: Alibaba DataV, see docs/reference-data.md);
//! phone GPS is WGS-84 (docs/sources.md#map-datums). A photo's point is converted to GCJ-02
//! with [`assess_divisions::wgs84_to_gcj02`] before the point-in-polygon test.

use crate::ingest::{GpsFix, Photo, TakenAt};
use crate::PhotoError;
use geo::{Contains, Coord, Distance, Geodesic, MultiPolygon, Point};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

const FOCUS: &str = include_str!("../../../data/geo/focus_counties_datav.geojson");
const POVERTY_GZ: &[u8] = include_bytes!("../../../data/geo/poverty_counties_datav.geojson.gz");

/// The datum of a coordinate pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Datum {
    /// WGS-84: phone GPS.
    Wgs84,
    /// GCJ-02: Chinese web-map data, the 2016 geocodes.
    Gcj02,
}

/// A point with its datum, (lon, lat) degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Located {
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// Datum of the pair.
    pub datum: Datum,
}

impl Located {
    /// A WGS-84 point (phone GPS, a household's recorded fix).
    pub fn wgs84(lon: f64, lat: f64) -> Located {
        Located {
            lon,
            lat,
            datum: Datum::Wgs84,
        }
    }
    /// The point in WGS-84.
    pub fn to_wgs84(self) -> (f64, f64) {
        match self.datum {
            Datum::Wgs84 => (self.lon, self.lat),
            Datum::Gcj02 => assess_divisions::gcj02_to_wgs84(self.lon, self.lat),
        }
    }
    /// The point in GCJ-02.
    pub fn to_gcj02(self) -> (f64, f64) {
        match self.datum {
            Datum::Gcj02 => (self.lon, self.lat),
            Datum::Wgs84 => assess_divisions::wgs84_to_gcj02(self.lon, self.lat),
        }
    }
}

/// One county's boundary (GCJ-02).
#[derive(Debug, Clone)]
pub struct CountyBoundary {
    /// Six-digit county code (adcode).
    pub adcode: String,
    /// Name.
    pub name: String,
    /// The boundary, GCJ-02 degrees.
    pub shape: MultiPolygon<f64>,
}

/// County boundaries by adcode.
#[derive(Debug, Clone)]
pub struct Boundaries {
    source_name: String,
    counties: BTreeMap<String, CountyBoundary>,
}

fn berr(name: &str, reason: impl Into<String>) -> PhotoError {
    PhotoError::Boundary {
        source_name: name.to_string(),
        reason: reason.into(),
    }
}

/// How many times the embedded boundary sets were parsed in this process.
static EMBEDDED_PARSES: AtomicUsize = AtomicUsize::new(0);
/// The embedded sets, parsed on first use; a parse error is kept as its message.
static FOCUS_SHARED: OnceLock<Result<Boundaries, String>> = OnceLock::new();
static POVERTY_SHARED: OnceLock<Result<Boundaries, String>> = OnceLock::new();

fn shared(
    cell: &'static OnceLock<Result<Boundaries, String>>,
    name: &str,
    parse: fn() -> Result<Boundaries, PhotoError>,
) -> Result<&'static Boundaries, PhotoError> {
    cell.get_or_init(|| parse().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|reason| berr(name, reason.clone()))
}

impl Boundaries {
    /// The embedded full-detail boundaries of the ten focus counties, parsed anew. Callers
    /// that check many photos or counties take [`Boundaries::focus_shared`].
    pub fn focus() -> Result<Boundaries, PhotoError> {
        EMBEDDED_PARSES.fetch_add(1, Ordering::Relaxed);
        Boundaries::from_geojson("embedded focus_counties_datav.geojson", FOCUS)
    }

    /// The embedded focus boundaries, parsed once per process on first use and shared (the
    /// embedded data cannot change while the process runs).
    pub fn focus_shared() -> Result<&'static Boundaries, PhotoError> {
        shared(
            &FOCUS_SHARED,
            "embedded focus_counties_datav.geojson",
            Boundaries::focus,
        )
    }

    /// The embedded poverty-county boundaries, parsed once per process on first use and
    /// shared: decompressing and parsing them takes about a tenth of a second, far more than
    /// ingesting a photo.
    pub fn poverty_shared() -> Result<&'static Boundaries, PhotoError> {
        shared(
            &POVERTY_SHARED,
            "embedded poverty_counties_datav.geojson.gz",
            Boundaries::poverty,
        )
    }

    /// How many times the embedded boundary sets ([`Boundaries::focus`],
    /// [`Boundaries::poverty`]) have been parsed in this process, shared or not: what shows
    /// that a batch of photos parsed them once.
    pub fn embedded_parses() -> usize {
        EMBEDDED_PARSES.load(Ordering::Relaxed)
    }

    /// The embedded simplified boundaries of the poverty counties (gzipped), parsed anew.
    /// Callers that check many photos or counties take [`Boundaries::poverty_shared`].
    pub fn poverty() -> Result<Boundaries, PhotoError> {
        EMBEDDED_PARSES.fetch_add(1, Ordering::Relaxed);
        let name = "embedded poverty_counties_datav.geojson.gz";
        let mut text = String::new();
        flate2::read::GzDecoder::new(POVERTY_GZ)
            .read_to_string(&mut text)
            .map_err(|e| berr(name, format!("cannot decompress: {e}")))?;
        Boundaries::from_geojson(name, &text)
    }

    /// Parse a GeoJSON FeatureCollection (GCJ-02) whose features carry an `adcode` property
    /// and Polygon or MultiPolygon geometry. `name` is used in error messages.
    pub fn from_geojson(name: &str, text: &str) -> Result<Boundaries, PhotoError> {
        let gj: geojson::GeoJson = text
            .parse()
            .map_err(|e: geojson::Error| berr(name, format!("not GeoJSON: {e}")))?;
        let fc = match gj {
            geojson::GeoJson::FeatureCollection(fc) => fc,
            _ => return Err(berr(name, "expected a FeatureCollection")),
        };
        let mut counties = BTreeMap::new();
        for (i, f) in fc.features.into_iter().enumerate() {
            let props = f.properties.unwrap_or_default();
            let adcode = match props.get("adcode") {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Number(n)) => n.to_string(),
                _ => return Err(berr(name, format!("feature {i} has no adcode property"))),
            };
            let county_name = props
                .get("name")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            let geom = f
                .geometry
                .ok_or_else(|| berr(name, format!("feature {i} ({adcode}) has no geometry")))?;
            let g: geo::Geometry<f64> = (&geom.value).try_into().map_err(|e: geojson::Error| {
                berr(name, format!("feature {i} ({adcode}): bad geometry: {e}"))
            })?;
            let shape = match g {
                geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
                geo::Geometry::MultiPolygon(m) => m,
                _ => {
                    return Err(berr(
                        name,
                        format!("feature {i} ({adcode}) is not a polygon or multipolygon"),
                    ))
                }
            };
            counties.insert(
                adcode.clone(),
                CountyBoundary {
                    adcode,
                    name: county_name,
                    shape,
                },
            );
        }
        Ok(Boundaries {
            source_name: name.to_string(),
            counties,
        })
    }

    /// A county by adcode, or an error naming the boundary source.
    pub fn county(&self, adcode: &str) -> Result<&CountyBoundary, PhotoError> {
        self.counties.get(adcode).ok_or_else(|| {
            berr(
                &self.source_name,
                format!("no boundary for county {adcode}"),
            )
        })
    }

    /// Number of counties.
    pub fn len(&self) -> usize {
        self.counties.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.counties.is_empty()
    }
}

/// Result of the county check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountyCheck {
    /// County adcode.
    pub adcode: String,
    /// Whether the point lies inside the boundary (after conversion to GCJ-02).
    pub inside: bool,
    /// The point in GCJ-02 as tested.
    pub gcj02: (f64, f64),
    /// Distance to the nearest boundary edge, metres (local flat approximation). A point a
    /// few tens of metres from the edge is within phone-GPS error: read with care.
    pub edge_distance_m: f64,
}

const M_PER_DEG_LAT: f64 = 110_540.0;
const M_PER_DEG_LON_EQ: f64 = 111_320.0;

/// Distance from a point to the nearest boundary edge in metres (equirectangular projection
/// around the point; good to well under 1% at county scale).
pub fn edge_distance_m(shape: &MultiPolygon<f64>, lon: f64, lat: f64) -> f64 {
    let kx = M_PER_DEG_LON_EQ * lat.to_radians().cos();
    let ky = M_PER_DEG_LAT;
    let mut best = f64::INFINITY;
    for poly in &shape.0 {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            for seg in ring.lines() {
                let (ax, ay) = ((seg.start.x - lon) * kx, (seg.start.y - lat) * ky);
                let (bx, by) = ((seg.end.x - lon) * kx, (seg.end.y - lat) * ky);
                let (dx, dy) = (bx - ax, by - ay);
                let l2 = dx * dx + dy * dy;
                let t = if l2 > 0.0 {
                    (-(ax * dx + ay * dy) / l2).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                best = best.min((ax + t * dx).hypot(ay + t * dy));
            }
        }
    }
    best
}

/// Is the photo's WGS-84 point inside the county (GCJ-02 boundary)?
pub fn check_county(gps: GpsFix, county: &CountyBoundary) -> CountyCheck {
    let (glon, glat) = assess_divisions::wgs84_to_gcj02(gps.lon, gps.lat);
    let inside = county.shape.contains(&Point::new(glon, glat));
    CountyCheck {
        adcode: county.adcode.clone(),
        inside,
        gcj02: (glon, glat),
        edge_distance_m: edge_distance_m(&county.shape, glon, glat),
    }
}

/// Geodesic distance in metres between the photo (WGS-84) and the household's location
/// (converted to WGS-84 first if recorded in GCJ-02).
pub fn distance_to_household_m(gps: GpsFix, household: Located) -> f64 {
    let (hlon, hlat) = household.to_wgs84();
    Geodesic.distance(
        Point(Coord {
            x: gps.lon,
            y: gps.lat,
        }),
        Point(Coord { x: hlon, y: hlat }),
    )
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Date {
    /// Year.
    pub year: u16,
    /// Month 1-12.
    pub month: u8,
    /// Day 1-31.
    pub day: u8,
}

impl Date {
    /// A date.
    pub fn new(year: u16, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// `YYYY-MM-DD`, the month in 1-12 and the day in 1-31.
impl std::str::FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Date, String> {
        let bad = || format!("{s:?}: give a date as YYYY-MM-DD");
        let mut parts = s.split('-');
        let (Some(y), Some(m), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let (y, m, d) = (
            y.parse::<u16>().map_err(|_| bad())?,
            m.parse::<u8>().map_err(|_| bad())?,
            d.parse::<u8>().map_err(|_| bad())?,
        );
        if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
            return Err(bad());
        }
        Ok(Date::new(y, m, d))
    }
}

/// What the checks compare a photo with.
#[derive(Debug, Clone)]
pub struct CheckContext<'a> {
    /// The household's recorded location, if known.
    pub household: Option<Located>,
    /// Flag a photo farther than this from the household (m); the default comes from
    /// `household_distance_max_m` in the thresholds file.
    pub max_distance_m: f64,
    /// The county the household belongs to.
    pub county: Option<&'a CountyBoundary>,
    /// First and last day of the assessment's field work, inclusive (camera local date).
    pub dates: Option<(Date, Date)>,
}

/// Something to look at about a photo. None of these reject the photo; they go to review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "flag")]
pub enum Flag {
    /// The photo has no GPS position: location checks could not run.
    NoGps,
    /// The photo has no EXIF time: the date check could not run.
    NoTime,
    /// Taken outside the county boundary.
    OutsideCounty {
        /// County adcode.
        adcode: String,
        /// Distance to the nearest edge (m).
        edge_distance_m: f64,
    },
    /// Taken farther from the household than the limit.
    FarFromHousehold {
        /// Distance (m).
        distance_m: f64,
        /// The limit (m).
        limit_m: f64,
    },
    /// Taken before the first or after the last day of the assessment.
    OutsideDates {
        /// The photo's date.
        taken: Date,
        /// First day.
        first: Date,
        /// Last day.
        last: Date,
    },
}

impl std::fmt::Display for Flag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Flag::NoGps => write!(f, "no GPS position in the photo"),
            Flag::NoTime => write!(f, "no EXIF time in the photo"),
            Flag::OutsideCounty {
                adcode,
                edge_distance_m,
            } => write!(
                f,
                "taken outside county {adcode} ({edge_distance_m:.0} m from its boundary)"
            ),
            Flag::FarFromHousehold {
                distance_m,
                limit_m,
            } => write!(
                f,
                "taken {distance_m:.0} m from the household (limit {limit_m:.0} m)"
            ),
            Flag::OutsideDates { taken, first, last } => {
                write!(f, "taken {taken}, outside the assessment {first} to {last}")
            }
        }
    }
}

/// Is a photo's date within the assessment (inclusive)? `None` if the photo has no time.
pub fn within_dates(taken: Option<TakenAt>, first: Date, last: Date) -> Option<bool> {
    let t = taken?;
    let d = Date::new(t.year, t.month, t.day);
    Some(first <= d && d <= last)
}

/// Run every check that the context allows and return the flags (empty: nothing to look at).
pub fn check_photo(photo: &Photo, ctx: &CheckContext<'_>) -> Vec<Flag> {
    let mut flags = Vec::new();
    match photo.gps {
        None if ctx.household.is_some() || ctx.county.is_some() => flags.push(Flag::NoGps),
        None => {}
        Some(gps) => {
            if let Some(county) = ctx.county {
                let c = check_county(gps, county);
                if !c.inside {
                    flags.push(Flag::OutsideCounty {
                        adcode: c.adcode,
                        edge_distance_m: c.edge_distance_m,
                    });
                }
            }
            if let Some(h) = ctx.household {
                let d = distance_to_household_m(gps, h);
                if d.is_nan() || d > ctx.max_distance_m {
                    flags.push(Flag::FarFromHousehold {
                        distance_m: d,
                        limit_m: ctx.max_distance_m,
                    });
                }
            }
        }
    }
    if let Some((first, last)) = ctx.dates {
        match photo.taken_at {
            None => flags.push(Flag::NoTime),
            Some(t) => {
                if within_dates(Some(t), first, last) == Some(false) {
                    flags.push(Flag::OutsideDates {
                        taken: Date::new(t.year, t.month, t.day),
                        first,
                        last,
                    });
                }
            }
        }
    }
    flags
}
