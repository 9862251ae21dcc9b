//! Measurement math: scale from a reference object, crack length and width in millimetres,
//! with worst-case intervals from the ±1 px placement error. Pure functions, no I/O.
//!
//! # Formulas (docs/photos.md has the derivation)
//!
//! Let the reference object's end points be `A`, `B` (pixels) and its real length `L` (mm).
//! `d = |AB|`. Each end point may be off by `e` px (default 1), so `d ∈ [d − 2e, d + 2e]`
//! and the scale `s = L / d` (mm per px) lies in `[s⁻, s⁺] = [L / (d + 2e), L / (d − 2e)]`.
//!
//! A width `w` px read at ±e px: `w_mm = w·s`, interval `[(w − e)·s⁻, (w + e)·s⁺]`.
//!
//! A polyline `P₀…Pₙ` of length `ℓ = Σ|PᵢPᵢ₊₁|` px with every vertex off by up to `e` px:
//! to first order `δℓ = e·(|u₁| + Σ₁ⁿ⁻¹ |uᵢ − uᵢ₊₁| + |uₙ|)` where `uᵢ` is the unit vector of
//! segment `i` (an end point moves the length by at most `e`; an interior vertex by at most
//! `e·|uᵢ − uᵢ₊₁|`, 0 on a straight run, up to `2e` on a hairpin). Length interval
//! `[(ℓ − δℓ)·s⁻, (ℓ + δℓ)·s⁺]`.
//!
//! Intervals are worst-case (absolute sums), not standard deviations: a value is compared
//! with a threshold only when the whole interval lies on one side.

use crate::PhotoError;
use assess_standards::Tri;
use serde::{Deserialize, Serialize};

/// A point in image pixel coordinates (x to the right, y down). Pixel edges are at integers:
/// a bar covering pixel columns 100..=799 runs from x = 100 to x = 800.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Px {
    /// Column.
    pub x: f64,
    /// Row.
    pub y: f64,
}

impl Px {
    /// A point.
    pub fn new(x: f64, y: f64) -> Px {
        Px { x, y }
    }
    pub(crate) fn dist(self, o: Px) -> f64 {
        (self.x - o.x).hypot(self.y - o.y)
    }
}

/// A measured value with its worst-case interval `[low, high]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    /// Central value.
    pub value: f64,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

impl Measure {
    /// The larger half-width of the interval (the "±" to print).
    pub fn uncertainty(&self) -> f64 {
        (self.high - self.value).max(self.value - self.low)
    }
    /// A value known exactly (a count, or a reading given without error).
    pub fn exact(value: f64) -> Measure {
        Measure {
            value,
            low: value,
            high: value,
        }
    }

    /// `self / den` with the worst-case interval, for non-negative quantities; `None` when the
    /// denominator's interval reaches zero.
    pub fn over(&self, den: &Measure) -> Option<Measure> {
        if den.low.is_nan() || den.low <= 0.0 {
            return None;
        }
        Some(Measure {
            value: self.value / den.value,
            low: self.low.max(0.0) / den.high,
            high: self.high / den.low,
        })
    }

    /// `1 − self`, for a fraction (the interval's ends swap).
    pub fn complement(&self) -> Measure {
        Measure {
            value: 1.0 - self.value,
            low: 1.0 - self.high,
            high: 1.0 - self.low,
        }
    }

    /// Compare with a "reaching `threshold` is a danger point" rule (达…以上): met when the
    /// whole interval reaches it, unmet when none of it does, unknown when it straddles.
    pub fn reaches(&self, threshold: f64) -> Tri {
        if self.low >= threshold {
            Tri::Met
        } else if self.high < threshold {
            Tri::Unmet
        } else {
            Tri::Unknown
        }
    }

    /// Compare with a "greater than `threshold` is a danger point" rule.
    pub fn exceeds(&self, threshold: f64) -> Tri {
        if self.low > threshold {
            Tri::Met
        } else if self.high <= threshold {
            Tri::Unmet
        } else {
            Tri::Unknown
        }
    }
}

/// The image scale, from a reference object of known length in the frame (a pen).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scale {
    /// Reference end points (px).
    pub a: Px,
    /// Reference end points (px).
    pub b: Px,
    /// Real length of the reference (mm).
    pub length_mm: f64,
    /// Placement error of one point (px); 1 by default.
    pub point_error_px: f64,
}

impl Scale {
    /// Scale from the reference's end points and real length, ±1 px at each end.
    pub fn new(a: Px, b: Px, length_mm: f64) -> Result<Scale, PhotoError> {
        Scale::with_point_error(a, b, length_mm, 1.0)
    }

    /// As [`Scale::new`] with another placement error per point.
    pub fn with_point_error(
        a: Px,
        b: Px,
        length_mm: f64,
        point_error_px: f64,
    ) -> Result<Scale, PhotoError> {
        let s = Scale {
            a,
            b,
            length_mm,
            point_error_px,
        };
        let d = a.dist(b);
        if !(length_mm.is_finite() && length_mm > 0.0) {
            return Err(PhotoError::Measurement(format!(
                "reference length must be a positive number of mm, got {length_mm}"
            )));
        }
        if !(point_error_px.is_finite() && point_error_px >= 0.0) {
            return Err(PhotoError::Measurement(format!(
                "point error must be a non-negative number of px, got {point_error_px}"
            )));
        }
        if !d.is_finite() || d <= 2.0 * point_error_px {
            return Err(PhotoError::Measurement(format!(
                "reference end points are {d:.1} px apart: too short to give a scale \
                 (needs more than {} px)",
                2.0 * point_error_px
            )));
        }
        Ok(s)
    }

    /// Reference length in pixels.
    pub fn reference_px(&self) -> f64 {
        self.a.dist(self.b)
    }

    /// mm per pixel with its interval.
    pub fn mm_per_px(&self) -> Measure {
        let d = self.reference_px();
        let e = 2.0 * self.point_error_px;
        Measure {
            value: self.length_mm / d,
            low: self.length_mm / (d + e),
            high: self.length_mm / (d - e),
        }
    }

    /// Convert a pixel quantity known to ±`err_px` into mm with its interval.
    pub fn to_mm(&self, px: f64, err_px: f64) -> Measure {
        let s = self.mm_per_px();
        Measure {
            value: px * s.value,
            low: (px - err_px).max(0.0) * s.low,
            high: (px + err_px) * s.high,
        }
    }
}

/// Orientation of a crack as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Orientation {
    /// Vertical (竖向).
    Vertical,
    /// Horizontal (水平).
    Horizontal,
    /// Diagonal (斜向).
    Diagonal,
}

impl Orientation {
    /// Suggest an orientation from the chord of a polyline: within `tolerance_deg` of the
    /// image vertical or horizontal, else diagonal. Only valid if the photo was taken level;
    /// the inspector's recorded orientation is authoritative.
    pub fn suggest(points: &[Px], tolerance_deg: f64) -> Option<Orientation> {
        let (a, b) = (points.first()?, points.last()?);
        let (dx, dy) = ((b.x - a.x).abs(), (b.y - a.y).abs());
        if dx == 0.0 && dy == 0.0 {
            return None;
        }
        let from_horizontal = dy.atan2(dx).to_degrees();
        Some(if from_horizontal <= tolerance_deg {
            Orientation::Horizontal
        } else if from_horizontal >= 90.0 - tolerance_deg {
            Orientation::Vertical
        } else {
            Orientation::Diagonal
        })
    }
}

/// The component a crack is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    /// A load-bearing wall or column (承重墙、柱), away from concentrated bearings.
    LoadBearingWall,
    /// A load-bearing wall directly under the bearing of a beam or roof truss (梁、屋架支承处).
    UnderBeamOrTrussBearing,
    /// Not load-bearing (partition, enclosure, finish).
    NonLoadBearing,
}

impl Component {
    /// Whether the component carries load.
    pub fn is_load_bearing(self) -> bool {
        !matches!(self, Component::NonLoadBearing)
    }
}

/// A crack as marked on a photo: a polyline along it and widths measured across it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Crack {
    /// Points along the crack (px), at least two.
    pub points: Vec<Px>,
    /// Widths measured across the crack at chosen points (px), at least one.
    pub widths_px: Vec<f64>,
    /// Recorded orientation.
    pub orientation: Orientation,
    /// Component the crack is in.
    pub component: Component,
}

/// A crack's measured length and maximum width in mm.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CrackMeasurement {
    /// Length along the polyline (mm).
    pub length_mm: Measure,
    /// Maximum measured width (mm).
    pub max_width_mm: Measure,
    /// Recorded orientation.
    pub orientation: Orientation,
    /// Component.
    pub component: Component,
}

/// Length of a polyline (px) and its first-order worst-case error for `e` px per vertex.
pub fn polyline_length_px(points: &[Px], e: f64) -> (f64, f64) {
    let mut len = 0.0;
    let mut units = Vec::with_capacity(points.len().saturating_sub(1));
    for w in points.windows(2) {
        let d = w[0].dist(w[1]);
        len += d;
        if d > 0.0 {
            units.push(((w[1].x - w[0].x) / d, (w[1].y - w[0].y) / d));
        }
    }
    if units.is_empty() {
        return (0.0, if points.is_empty() { 0.0 } else { 2.0 * e });
    }
    let mut err = 2.0 * e; // the two end points
    for u in units.windows(2) {
        err += e * (u[0].0 - u[1].0).hypot(u[0].1 - u[1].1);
    }
    (len, err)
}

impl Crack {
    /// Length and maximum width in mm at the given scale. The width's placement error is the
    /// scale's per-point error (±1 px by default).
    pub fn measure(&self, scale: &Scale) -> Result<CrackMeasurement, PhotoError> {
        if self.points.len() < 2 {
            return Err(PhotoError::Measurement(format!(
                "a crack needs at least two points along it, got {}",
                self.points.len()
            )));
        }
        if let Some(p) = self
            .points
            .iter()
            .find(|p| !(p.x.is_finite() && p.y.is_finite()))
        {
            return Err(PhotoError::Measurement(format!(
                "crack point ({}, {}) is not a number",
                p.x, p.y
            )));
        }
        let max_w = self
            .widths_px
            .iter()
            .copied()
            .fold(None, |m: Option<f64>, w| Some(m.map_or(w, |m| m.max(w))));
        let max_w = match max_w {
            Some(w)
                if w.is_finite()
                    && w >= 0.0
                    && self.widths_px.iter().all(|w| w.is_finite() && *w >= 0.0) =>
            {
                w
            }
            Some(_) => {
                return Err(PhotoError::Measurement(
                    "crack widths must be non-negative numbers of px".into(),
                ))
            }
            None => {
                return Err(PhotoError::Measurement(
                    "a crack needs at least one width measured across it".into(),
                ))
            }
        };
        let e = scale.point_error_px;
        let (len_px, len_err) = polyline_length_px(&self.points, e);
        Ok(CrackMeasurement {
            length_mm: scale.to_mm(len_px, len_err),
            max_width_mm: scale.to_mm(max_w, e),
            orientation: self.orientation,
            component: self.component,
        })
    }
}

/// How a tilt was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TiltReadBy {
    /// A plumb line (or level) and a tape: offset and height in mm.
    Plumb,
    /// Two points on an edge marked on the photo (an indication: perspective).
    Photo,
}

/// Tilt of a wall or column: horizontal offset over height, as a ratio (0.007 = 0.7%).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tilt {
    /// The tilt ratio with its interval.
    pub ratio: Measure,
    /// How it was read.
    pub read_by: TiltReadBy,
}

impl Tilt {
    /// From a plumb-line reading: offset and height in mm, each read to ±`reading_error_mm`.
    pub fn from_plumb(
        offset_mm: f64,
        height_mm: f64,
        reading_error_mm: f64,
    ) -> Result<Tilt, PhotoError> {
        let e = reading_error_mm;
        if !(height_mm.is_finite() && offset_mm.is_finite() && e.is_finite())
            || height_mm <= e
            || e < 0.0
        {
            return Err(PhotoError::Measurement(format!(
                "tilt needs a height ({height_mm} mm) larger than its reading error ({e} mm)"
            )));
        }
        let off = offset_mm.abs();
        Ok(Tilt {
            ratio: Measure {
                value: off / height_mm,
                low: (off - e).max(0.0) / (height_mm + e),
                high: (off + e) / (height_mm - e),
            },
            read_by: TiltReadBy::Plumb,
        })
    }

    /// From two points on a wall edge in a photo taken level and square-on (px, ±`e` each).
    /// The ratio is scale-free; perspective makes this an indication only.
    pub fn from_pixels(top: Px, bottom: Px, e: f64) -> Result<Tilt, PhotoError> {
        let dx = (top.x - bottom.x).abs();
        let dy = (top.y - bottom.y).abs();
        if !(dx.is_finite() && dy.is_finite() && e.is_finite() && e >= 0.0) || dy <= 2.0 * e {
            return Err(PhotoError::Measurement(format!(
                "tilt points are {dy:.1} px apart vertically: too short"
            )));
        }
        Ok(Tilt {
            ratio: Measure {
                value: dx / dy,
                low: (dx - 2.0 * e).max(0.0) / (dy + 2.0 * e),
                high: (dx + 2.0 * e) / (dy - 2.0 * e),
            },
            read_by: TiltReadBy::Photo,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_and_width_intervals() {
        let s = Scale::new(Px::new(0.0, 0.0), Px::new(700.0, 0.0), 140.0).unwrap();
        let m = s.mm_per_px();
        assert!((m.value - 0.2).abs() < 1e-12);
        assert!((m.low - 140.0 / 702.0).abs() < 1e-12 && (m.high - 140.0 / 698.0).abs() < 1e-12);
        let w = s.to_mm(10.0, 1.0);
        assert!((w.value - 2.0).abs() < 1e-12);
        assert!((w.low - 9.0 * 140.0 / 702.0).abs() < 1e-12);
        assert!((w.high - 11.0 * 140.0 / 698.0).abs() < 1e-12);
    }

    #[test]
    fn straight_polyline_interior_vertices_add_nothing() {
        let pts = [Px::new(0.0, 0.0), Px::new(50.0, 0.0), Px::new(100.0, 0.0)];
        let (l, e) = polyline_length_px(&pts, 1.0);
        assert_eq!((l, e), (100.0, 2.0));
        let bent = [Px::new(0.0, 0.0), Px::new(50.0, 0.0), Px::new(50.0, 50.0)];
        let (_, e) = polyline_length_px(&bent, 1.0);
        assert!((e - (2.0 + 2f64.sqrt())).abs() < 1e-12);
    }

    #[test]
    fn bad_measurements_are_errors() {
        assert!(Scale::new(Px::new(0.0, 0.0), Px::new(1.0, 0.0), 140.0).is_err());
        assert!(Scale::new(Px::new(0.0, 0.0), Px::new(100.0, 0.0), -1.0).is_err());
        assert!(Scale::new(Px::new(0.0, 0.0), Px::new(f64::NAN, 0.0), 140.0).is_err());
        let s = Scale::new(Px::new(0.0, 0.0), Px::new(700.0, 0.0), 140.0).unwrap();
        let c = Crack {
            points: vec![Px::new(0.0, 0.0)],
            widths_px: vec![3.0],
            orientation: Orientation::Vertical,
            component: Component::LoadBearingWall,
        };
        assert!(c.measure(&s).is_err());
        let c = Crack {
            points: vec![Px::new(0.0, 0.0), Px::new(0.0, 9.0)],
            widths_px: vec![],
            ..c
        };
        assert!(c.measure(&s).is_err());
        assert!(Tilt::from_pixels(Px::new(0.0, 0.0), Px::new(1.0, 1.0), 1.0).is_err());
    }

    #[test]
    fn orientation_suggestion() {
        let v = [Px::new(10.0, 0.0), Px::new(12.0, 100.0)];
        let h = [Px::new(0.0, 10.0), Px::new(100.0, 12.0)];
        let d = [Px::new(0.0, 0.0), Px::new(100.0, 100.0)];
        assert_eq!(Orientation::suggest(&v, 15.0), Some(Orientation::Vertical));
        assert_eq!(
            Orientation::suggest(&h, 15.0),
            Some(Orientation::Horizontal)
        );
        assert_eq!(Orientation::suggest(&d, 15.0), Some(Orientation::Diagonal));
    }
}
