//! The map of the sampled villages inside the county boundary, as inline SVG.
//!
//! Datum: the embedded boundaries are GCJ-02 (Alibaba DataV) and village centres are WGS-84
//! (as imported with `--villages`); each village centre is shifted to GCJ-02 with
//! [`assess_divisions::wgs84_to_gcj02`] (the same shift as the photo checks, docs/photos.md),
//! so points and boundary are drawn in one datum. Left unshifted, every village would sit
//! 100-700 m off (docs/sources.md#map-datums).
//!
//! Projection: equirectangular around the middle latitude φ₀ of the drawn extent,
//! x = (λ − λ_min)·cos φ₀, y = φ_max − φ, one scale for both axes (at county scale the
//! distortion is well under 1%).
//!
//! Written by hand rather than with plotters: the map has no axes or ticks for plotters to
//! lay out, and each village circle carries a `<title>` (hover text: code, name, households,
//! findings) and `data-` attributes that plotters' elements cannot hold.

use crate::text::{place, Lang};
use crate::Report;
use std::fmt::Write;

/// Width of the map, pixels; the height follows the county's shape.
pub(crate) const WIDTH: f64 = 640.0;
/// Tallest map, pixels.
const MAX_HEIGHT: f64 = 720.0;
const MARGIN: f64 = 18.0;
/// Largest circle radius, pixels (the village with most households interviewed).
const MAX_RADIUS: f64 = 11.0;
const MIN_RADIUS: f64 = 3.5;
const KM_PER_DEGREE_LAT: f64 = 110.574;
/// Room under the map for the scale bar, pixels.
const FOOTER: f64 = 30.0;

/// Findings of a village, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Findings {
    /// No household wrongly exited or missed.
    None,
    /// Wrong exits only.
    WrongExits,
    /// Missed households only.
    Missed,
    /// Both.
    Both,
}

impl Findings {
    pub(crate) fn of(wrong: usize, missed: usize) -> Findings {
        match (wrong > 0, missed > 0) {
            (false, false) => Findings::None,
            (true, false) => Findings::WrongExits,
            (false, true) => Findings::Missed,
            (true, true) => Findings::Both,
        }
    }

    /// Fill colour (colour-blind safe: blue, red, orange, purple).
    pub(crate) fn colour(self) -> &'static str {
        match self {
            Findings::None => "#4a86b8",
            Findings::WrongExits => "#c0392b",
            Findings::Missed => "#e69f00",
            Findings::Both => "#7b3294",
        }
    }

    /// CSS class.
    pub(crate) fn class(self) -> &'static str {
        match self {
            Findings::None => "none",
            Findings::WrongExits => "wrong",
            Findings::Missed => "missed",
            Findings::Both => "both",
        }
    }

    pub(crate) const ALL: [Findings; 4] = [
        Findings::None,
        Findings::WrongExits,
        Findings::Missed,
        Findings::Both,
    ];
}

/// Equirectangular projection of GCJ-02 degrees into the map's pixels.
pub(crate) struct Projection {
    lon_min: f64,
    lat_max: f64,
    k: f64,
    scale: f64,
    offset: (f64, f64),
    height: f64,
}

impl Projection {
    /// The projection fitting `points` (GCJ-02 lon, lat) into the map.
    pub(crate) fn fit(points: impl Iterator<Item = (f64, f64)>) -> Option<Projection> {
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for (lon, lat) in points.filter(|p| p.0.is_finite() && p.1.is_finite()) {
            x0 = x0.min(lon);
            x1 = x1.max(lon);
            y0 = y0.min(lat);
            y1 = y1.max(lat);
        }
        if x0 > x1 {
            return None;
        }
        // A single point (or a line) still gets a map about 2 km across.
        let pad = 0.01;
        if x1 - x0 < pad {
            (x0, x1) = (x0 - pad, x1 + pad);
        }
        if y1 - y0 < pad {
            (y0, y1) = (y0 - pad, y1 + pad);
        }
        let k = ((y0 + y1) / 2.0).to_radians().cos();
        let (dx, dy) = ((x1 - x0) * k, y1 - y0);
        let inner = WIDTH - 2.0 * MARGIN;
        let scale = (inner / dx).min((MAX_HEIGHT - 2.0 * MARGIN) / dy);
        let height = dy * scale + 2.0 * MARGIN + FOOTER;
        Some(Projection {
            lon_min: x0,
            lat_max: y1,
            k,
            scale,
            offset: ((WIDTH - dx * scale) / 2.0, MARGIN),
            height,
        })
    }

    /// Height of the map, pixels.
    pub(crate) fn height(&self) -> f64 {
        self.height
    }

    fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            self.offset.0 + (lon - self.lon_min) * self.k * self.scale,
            self.offset.1 + (self.lat_max - lat) * self.scale,
        )
    }

    /// Pixels per kilometre.
    fn px_per_km(&self) -> f64 {
        self.scale / KM_PER_DEGREE_LAT
    }
}

/// A "nice" scale-bar length near a fifth of the map's width, km.
fn scale_km(px_per_km: f64) -> f64 {
    let target = WIDTH / 5.0 / px_per_km;
    [0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0]
        .into_iter()
        .rev()
        .find(|k| *k <= target)
        .unwrap_or(0.5)
}

/// The map, or `None` when no sampled village has a centre.
pub(crate) fn render(r: &Report, lang: Lang) -> Option<String> {
    let villages: Vec<_> = r
        .villages
        .iter()
        .filter_map(|v| {
            let (lon, lat) = v.centre?;
            Some((v, assess_divisions::wgs84_to_gcj02(lon, lat)))
        })
        .collect();
    if villages.is_empty() {
        return None;
    }
    let boundary_points = r.boundary_gcj02.into_iter().flat_map(|m| {
        m.0.iter()
            .flat_map(|p| p.exterior().coords().map(|c| (c.x, c.y)))
    });
    let projection = Projection::fit(boundary_points.chain(villages.iter().map(|v| v.1)))?;
    let p = &projection;
    let mut svg = String::new();
    let w = lang.words();
    let _ = write!(
        svg,
        r##"<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {h:.0}" width="{WIDTH}" height="{h:.0}" role="img" aria-label="{label}"><title>{label}</title>"##,
        h = p.height,
        label = crate::html::escape(w.map)
    );
    svg.push_str(r##"<rect width="100%" height="100%" fill="#fbfaf7"/>"##);
    if let Some(shape) = r.boundary_gcj02 {
        let mut d = String::new();
        for polygon in &shape.0 {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                ring_path(&mut d, p, ring.coords().map(|c| (c.x, c.y)));
            }
        }
        let _ = write!(
            svg,
            r##"<path class="boundary" d="{d}" fill="#ffffff" fill-rule="evenodd" stroke="#555555" stroke-width="1.5" stroke-linejoin="round"/>"##
        );
    }
    // Largest circles first, so small ones stay visible on top.
    let most = villages.iter().map(|v| v.0.interviewed).max().unwrap_or(0);
    let mut order: Vec<usize> = (0..villages.len()).collect();
    order.sort_by(|a, b| {
        villages[*b]
            .0
            .interviewed
            .cmp(&villages[*a].0.interviewed)
            .then(villages[*a].0.code.cmp(&villages[*b].0.code))
    });
    for idx in order {
        let (v, (lon, lat)) = villages[idx];
        let (x, y) = p.xy(lon, lat);
        let (wrong, missed) = r.findings(&v.code);
        let f = Findings::of(wrong, missed);
        let radius = if most == 0 {
            MIN_RADIUS
        } else {
            (MAX_RADIUS * (v.interviewed as f64 / most as f64).sqrt()).max(MIN_RADIUS)
        };
        let title = match lang {
            Lang::En => format!(
                "{} · {}: {} interviewed, {} wrong exits, {} missed",
                place(&v.code, r.names),
                place(&v.township, r.names),
                v.interviewed,
                wrong,
                missed
            ),
            Lang::Zh => format!(
                "{} · {}：完成访问 {} 户，错退 {} 户，漏评 {} 户",
                place(&v.code, r.names),
                place(&v.township, r.names),
                v.interviewed,
                wrong,
                missed
            ),
        };
        let _ = write!(
            svg,
            r##"<circle class="village {cls}" data-village="{code}" data-interviewed="{n}" data-wrong="{wrong}" data-missed="{missed}" cx="{x:.1}" cy="{y:.1}" r="{radius:.1}" fill="{fill}" fill-opacity="0.85" stroke="#ffffff" stroke-width="1"><title>{title}</title></circle>"##,
            cls = f.class(),
            code = crate::html::escape(&v.code),
            n = v.interviewed,
            fill = f.colour(),
            title = crate::html::escape(&title),
        );
    }
    scale_bar(&mut svg, p, lang);
    north_arrow(&mut svg);
    svg.push_str("</svg>");
    Some(svg)
}

/// One county (or any area) on a map of areas: its shape (GCJ-02, as the embedded
/// boundaries are), fill colour, CSS class, `data-` attributes and hover text.
#[derive(Debug, Clone)]
pub struct MapArea<'a> {
    /// The boundary, GCJ-02 degrees.
    pub shape: &'a geo::MultiPolygon<f64>,
    /// Fill colour, e.g. `#1e7b34`.
    pub fill: String,
    /// CSS class added to `county`.
    pub class: String,
    /// `data-NAME="value"` attributes, in this order.
    pub data: Vec<(&'static str, String)>,
    /// Hover text.
    pub title: String,
}

/// The areas' boundaries in one equirectangular projection, each filled with its colour,
/// with a scale bar and a north arrow: the batch overview's map of counties, and the census
/// summary's. `None` when there is nothing to draw.
pub fn counties_svg(areas: &[MapArea], label: &str, lang: Lang) -> Option<String> {
    let points = areas.iter().flat_map(|a| {
        a.shape
            .0
            .iter()
            .flat_map(|p| p.exterior().coords().map(|c| (c.x, c.y)))
    });
    let p = Projection::fit(points)?;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h:.0}" width="{w}" height="{h:.0}" role="img" aria-label="{label}"><title>{label}</title><rect width="100%" height="100%" fill="#fbfaf7"/>"##,
        w = WIDTH,
        h = p.height(),
        label = crate::html::escape(label)
    );
    for area in areas {
        let mut d = String::new();
        for polygon in &area.shape.0 {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                ring_path(&mut d, &p, ring.coords().map(|c| (c.x, c.y)));
            }
        }
        let mut data = String::new();
        for (name, value) in &area.data {
            let _ = write!(data, r#" data-{name}="{}""#, crate::html::escape(value));
        }
        let _ = write!(
            svg,
            r##"<path class="county {cls}"{data} d="{d}" fill="{fill}" fill-rule="evenodd" stroke="#ffffff" stroke-width="1" stroke-linejoin="round"><title>{title}</title></path>"##,
            cls = crate::html::escape(&area.class),
            fill = crate::html::escape(&area.fill),
            title = crate::html::escape(&area.title),
        );
    }
    scale_bar(&mut svg, &p, lang);
    north_arrow(&mut svg);
    svg.push_str("</svg>");
    Some(svg)
}

/// One ring as path commands, dropping vertices closer than half a pixel to the last kept one.
pub(crate) fn ring_path(d: &mut String, p: &Projection, ring: impl Iterator<Item = (f64, f64)>) {
    let mut last: Option<(f64, f64)> = None;
    for (lon, lat) in ring {
        let (x, y) = p.xy(lon, lat);
        match last {
            None => {
                let _ = write!(d, "M{x:.1} {y:.1}");
            }
            Some((lx, ly)) if (x - lx).hypot(y - ly) < 0.5 => continue,
            Some(_) => {
                let _ = write!(d, "L{x:.1} {y:.1}");
            }
        }
        last = Some((x, y));
    }
    if last.is_some() {
        d.push('Z');
    }
}

pub(crate) fn scale_bar(svg: &mut String, p: &Projection, lang: Lang) {
    let km = scale_km(p.px_per_km());
    let len = km * p.px_per_km();
    let (x, y) = (MARGIN, p.height - 8.0);
    let unit = match lang {
        Lang::En => "km",
        Lang::Zh => "公里",
    };
    let _ = write!(
        svg,
        r##"<g class="scale"><path d="M{x:.1} {y0:.1}V{y:.1}H{x1:.1}V{y0:.1}" fill="none" stroke="#333333" stroke-width="1.5"/><text x="{tx:.1}" y="{ty:.1}" font-size="12" text-anchor="middle" fill="#333333">{km} {unit}</text></g>"##,
        y0 = y - 5.0,
        x1 = x + len,
        tx = x + len / 2.0,
        ty = y - 8.0,
    );
}

pub(crate) fn north_arrow(svg: &mut String) {
    let (x, y) = (WIDTH - MARGIN - 8.0, MARGIN + 6.0);
    let _ = write!(
        svg,
        r##"<g class="north"><path d="M{x:.1} {y:.1}l-6 16l6 -4l6 4z" fill="#333333"/><text x="{x:.1}" y="{ty:.1}" font-size="12" text-anchor="middle" fill="#333333">N</text></g>"##,
        ty = y + 30.0
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equirectangular_keeps_the_aspect_and_fits_the_width() {
        // One degree of longitude at 60° N is half a degree of latitude.
        let p = Projection::fit([(10.0, 59.5), (11.0, 60.5)].into_iter()).unwrap();
        let (a, b) = (p.xy(10.0, 60.5), p.xy(11.0, 59.5));
        let (w, h) = (b.0 - a.0, b.1 - a.1);
        assert!((w / h - 60f64.to_radians().cos()).abs() < 1e-9, "{w} x {h}");
        assert!(a.0 >= MARGIN - 1e-9 && b.0 <= WIDTH - MARGIN + 1e-9);
        assert!((h - (MAX_HEIGHT - 2.0 * MARGIN)).abs() < 1e-9);
    }

    #[test]
    fn scale_bar_is_a_round_number_of_km() {
        assert_eq!(scale_km(640.0 / 5.0 / 12.0), 10.0);
        assert_eq!(scale_km(1000.0), 0.5);
    }
}
