//! Readings of whole members beside the cracks (tilt, section loss, wall height and thickness,
//! wood deflection, bowing and rot), as the measurement file gives them: a tape or plumb
//! reading in mm with its stated reading error, or points marked on the photo (±`e` px each).
//! Pure functions, no I/O.
//!
//! A ratio of two lengths both marked on the photo is computed in pixels (the scale cancels):
//! `(n ± 2e) / (d ± 2e)`. Otherwise each length is converted to mm (a photo length through the
//! reference scale, [`Scale::to_mm`] with ±2e px) and the ratio's interval is
//! `[n⁻ / d⁺, n⁺ / d⁻]`.

use crate::measure::{Measure, Px, Scale, Tilt};
use crate::PhotoError;
use serde::{Deserialize, Serialize};

/// A length: read with a tape (`mm` ± `error_mm`) or marked on the photo (`from`, `to`).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LengthReading {
    /// Tape reading (mm).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mm: Option<f64>,
    /// Its reading error (mm).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_mm: Option<f64>,
    /// One end marked on the photo (px).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Px>,
    /// The other end (px).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Px>,
}

/// A length as read: mm with its interval, or pixels with their error.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Length {
    Mm(Measure),
    Px { len: f64, err: f64 },
}

fn bad(what: &str, why: &str) -> PhotoError {
    PhotoError::Measurement(format!("{what}: {why}"))
}

fn reading_error_ok(v: f64, err: f64) -> bool {
    v.is_finite() && err.is_finite() && v >= 0.0 && err >= 0.0
}

impl LengthReading {
    /// A tape reading.
    pub fn tape(mm: f64, error_mm: f64) -> LengthReading {
        LengthReading {
            mm: Some(mm),
            error_mm: Some(error_mm),
            ..Default::default()
        }
    }

    /// Two points marked on the photo.
    pub fn photo(from: Px, to: Px) -> LengthReading {
        LengthReading {
            from: Some(from),
            to: Some(to),
            ..Default::default()
        }
    }

    fn read(&self, what: &str, e: f64) -> Result<Length, PhotoError> {
        match (self.mm, self.error_mm, self.from, self.to) {
            (Some(v), Some(err), None, None) if reading_error_ok(v, err) => {
                Ok(Length::Mm(Measure {
                    value: v,
                    low: (v - err).max(0.0),
                    high: v + err,
                }))
            }
            (None, None, Some(a), Some(b)) if a.dist(b).is_finite() => Ok(Length::Px {
                len: a.dist(b),
                err: 2.0 * e,
            }),
            _ => Err(bad(
                what,
                "give either {\"mm\": .., \"error_mm\": ..} (non-negative numbers) or \
                 {\"from\": {\"x\": .., \"y\": ..}, \"to\": {..}} on the photo",
            )),
        }
    }
}

fn in_mm(l: Length, what: &str, scale: Option<&Scale>) -> Result<Measure, PhotoError> {
    match (l, scale) {
        (Length::Mm(m), _) => Ok(m),
        (Length::Px { len, err }, Some(s)) => Ok(s.to_mm(len, err)),
        (Length::Px { .. }, None) => Err(bad(
            what,
            "marked on the photo, so the file needs a \"reference\" for the scale",
        )),
    }
}

/// `num / den` for two lengths with the worst-case interval (see the module notes). `e` is the
/// placement error of one marked point (px).
pub fn length_ratio(
    (num, num_name): (&LengthReading, &str),
    (den, den_name): (&LengthReading, &str),
    scale: Option<&Scale>,
    e: f64,
) -> Result<Measure, PhotoError> {
    let (n, d) = (num.read(num_name, e)?, den.read(den_name, e)?);
    let too_short = || bad(den_name, "too short for its reading error");
    if let (Length::Px { len: n, err }, Length::Px { len: d, .. }) = (n, d) {
        if d <= err {
            return Err(too_short());
        }
        return Ok(Measure {
            value: n / d,
            low: (n - err).max(0.0) / (d + err),
            high: (n + err) / (d - err),
        });
    }
    let (n, d) = (in_mm(n, num_name, scale)?, in_mm(d, den_name, scale)?);
    n.over(&d).ok_or_else(too_short)
}

/// An area read in mm² with its reading error (for rot at a column foot).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaReading {
    /// Area (mm²).
    pub mm2: f64,
    /// Its reading error (mm²).
    pub error_mm2: f64,
}

impl AreaReading {
    fn measure(&self, what: &str) -> Result<Measure, PhotoError> {
        if !reading_error_ok(self.mm2, self.error_mm2) {
            return Err(bad(what, "give non-negative numbers of mm2"));
        }
        Ok(Measure {
            value: self.mm2,
            low: (self.mm2 - self.error_mm2).max(0.0),
            high: self.mm2 + self.error_mm2,
        })
    }
}

/// A plumb-line reading: horizontal offset over a height, both ± `reading_error_mm`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlumbReading {
    /// Horizontal offset between top and bottom (mm).
    pub offset_mm: f64,
    /// Height over which it is read (mm).
    pub height_mm: f64,
    /// Reading error of each (mm).
    pub reading_error_mm: f64,
}

/// Two points on an edge marked on a photo taken level and square-on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeOnPhoto {
    /// Top of the edge (px).
    pub top: Px,
    /// Bottom of the edge (px).
    pub bottom: Px,
}

/// A lean (tilt of a wall or column, or a truss out of plane): a plumb reading, an edge on the
/// photo, or both (each gives its own finding).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TiltReading {
    /// Plumb-line reading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plumb: Option<PlumbReading>,
    /// Edge marked on the photo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<EdgeOnPhoto>,
}

impl TiltReading {
    /// The tilt of each reading given. `e` is the placement error of one marked point (px).
    pub fn tilts(&self, what: &str, e: f64) -> Result<Vec<Tilt>, PhotoError> {
        let wrap = |r: Result<Tilt, PhotoError>| {
            r.map_err(|err| match err {
                PhotoError::Measurement(m) => bad(what, &m),
                other => other,
            })
        };
        let mut out = Vec::new();
        if let Some(p) = self.plumb {
            out.push(wrap(Tilt::from_plumb(
                p.offset_mm,
                p.height_mm,
                p.reading_error_mm,
            ))?);
        }
        if let Some(p) = self.photo {
            out.push(wrap(Tilt::from_pixels(p.top, p.bottom, e))?);
        }
        if out.is_empty() {
            return Err(bad(what, "give \"plumb\", \"photo\" or both"));
        }
        Ok(out)
    }
}

/// Loss of effective section of a masonry wall or column (weathering, spalling, powdered
/// mortar): the original thickness and the sound thickness that remains.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionLoss {
    /// Original thickness (or section dimension).
    pub original: LengthReading,
    /// Sound thickness remaining.
    pub remaining: LengthReading,
}

impl SectionLoss {
    /// The loss as a fraction of the original, `1 − remaining / original`.
    pub fn fraction(&self, scale: Option<&Scale>, e: f64) -> Result<Measure, PhotoError> {
        let kept = length_ratio(
            (&self.remaining, "section_loss remaining"),
            (&self.original, "section_loss original"),
            scale,
            e,
        )?;
        if kept.value > 1.0 {
            return Err(bad(
                "section_loss",
                "the remaining section is larger than the original",
            ));
        }
        Ok(kept.complement())
    }
}

/// Wall material, for the height-to-thickness rule (stone and earth walls only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WallMaterial {
    /// Stone (石砌墙).
    Stone,
    /// Earth: rammed earth or adobe (生土墙).
    Earth,
}

/// A stone or earth wall's height and thickness.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeightToThickness {
    /// Stone or earth.
    pub material: WallMaterial,
    /// Storeys of the house (the guideline gives limits for 1 and 2).
    pub storeys: u8,
    /// Wall height.
    pub height: LengthReading,
    /// Wall thickness.
    pub thickness: LengthReading,
}

impl HeightToThickness {
    /// Height over thickness.
    pub fn ratio(&self, scale: Option<&Scale>, e: f64) -> Result<Measure, PhotoError> {
        length_ratio(
            (&self.height, "height_to_thickness height"),
            (&self.thickness, "height_to_thickness thickness"),
            scale,
            e,
        )
    }
}

/// A wood member that deflects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WoodMember {
    /// Beam (主梁).
    Beam,
    /// Roof truss (屋架).
    Truss,
}

/// Deflection of a wood beam or truss: the sag at mid-span over the span.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deflection {
    /// Beam or truss.
    pub member: WoodMember,
    /// Sag (deflection) at mid-span.
    pub sag: LengthReading,
    /// Span L0.
    pub span: LengthReading,
    /// For a truss: rot or splitting at its top or end joints (the guideline's condition for a
    /// truss); not recorded = unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joint_rot_or_split: Option<bool>,
}

/// Bowing of a wood column: the sag (矢高) of its axis over its height.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bowing {
    /// Largest offset of the axis from the straight line between its ends.
    pub sag: LengthReading,
    /// Column height h.
    pub height: LengthReading,
}

/// Rot at a wood column's foot: the rotted area and the original section area.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FootRot {
    /// Original section area.
    pub section: AreaReading,
    /// Rotted area.
    pub rotted: AreaReading,
}

impl FootRot {
    /// Rotted area as a fraction of the section.
    pub fn fraction(&self) -> Result<Measure, PhotoError> {
        let r = self.rotted.measure("column_foot_rot rotted")?;
        let s = self.section.measure("column_foot_rot section")?;
        r.over(&s)
            .ok_or_else(|| bad("column_foot_rot section", "too small for its reading error"))
    }
}

/// Readings of wood members (2009 guideline, wood danger points).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WoodReadings {
    /// Beam or truss deflection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deflection: Option<Deflection>,
    /// Truss out of plane: its lean over the truss height h.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truss_out_of_plane: Option<TiltReading>,
    /// Column bowing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column_bowing: Option<Bowing>,
    /// Rot at the column foot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column_foot_rot: Option<FootRot>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale() -> Scale {
        // 0.2 mm/px, in [140/702, 140/698].
        Scale::new(Px::new(0.0, 0.0), Px::new(700.0, 0.0), 140.0).unwrap()
    }

    #[test]
    fn tape_ratio_interval() {
        let r = length_ratio(
            (&LengthReading::tape(20.0, 1.0), "sag"),
            (&LengthReading::tape(2400.0, 10.0), "span"),
            None,
            1.0,
        )
        .unwrap();
        assert_eq!(r.value, 20.0 / 2400.0);
        assert_eq!((r.low, r.high), (19.0 / 2410.0, 21.0 / 2390.0));
    }

    #[test]
    fn photo_ratio_is_scale_free() {
        let (a, b) = (Px::new(0.0, 0.0), Px::new(0.0, 10.0));
        let (c, d) = (Px::new(0.0, 0.0), Px::new(1000.0, 0.0));
        let r = length_ratio(
            (&LengthReading::photo(a, b), "sag"),
            (&LengthReading::photo(c, d), "span"),
            None,
            1.0,
        )
        .unwrap();
        assert_eq!(r.value, 0.01);
        assert_eq!((r.low, r.high), (8.0 / 1002.0, 12.0 / 998.0));
    }

    #[test]
    fn mixed_ratio_goes_through_the_scale() {
        // 10 px = 2 mm at 0.2 mm/px, ±2 px at each end's scale bound.
        let r = length_ratio(
            (
                &LengthReading::photo(Px::new(0.0, 0.0), Px::new(0.0, 10.0)),
                "sag",
            ),
            (&LengthReading::tape(200.0, 0.0), "span"),
            Some(&scale()),
            1.0,
        )
        .unwrap();
        assert!((r.value - 0.01).abs() < 1e-15);
        assert!((r.low - 8.0 * 140.0 / 702.0 / 200.0).abs() < 1e-15);
        assert!((r.high - 12.0 * 140.0 / 698.0 / 200.0).abs() < 1e-15);
        let e = length_ratio(
            (
                &LengthReading::photo(Px::new(0.0, 0.0), Px::new(0.0, 10.0)),
                "sag",
            ),
            (&LengthReading::tape(200.0, 0.0), "span"),
            None,
            1.0,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("sag") && e.contains("reference"), "{e}");
    }

    #[test]
    fn bad_readings_are_errors() {
        let both = LengthReading {
            mm: Some(3.0),
            error_mm: Some(1.0),
            from: Some(Px::new(0.0, 0.0)),
            to: Some(Px::new(0.0, 5.0)),
        };
        let ok = LengthReading::tape(100.0, 1.0);
        let e = length_ratio((&both, "height"), (&ok, "thickness"), None, 1.0).unwrap_err();
        assert!(e.to_string().contains("height: give either"), "{e}");
        let no_error = LengthReading {
            mm: Some(3.0),
            ..Default::default()
        };
        assert!(length_ratio((&ok, "h"), (&no_error, "t"), None, 1.0).is_err());
        let zero = LengthReading::tape(1.0, 1.0);
        let e = length_ratio((&ok, "h"), (&zero, "t"), None, 1.0).unwrap_err();
        assert!(e.to_string().contains("t: too short"), "{e}");
        let loss = SectionLoss {
            original: LengthReading::tape(200.0, 0.0),
            remaining: LengthReading::tape(240.0, 0.0),
        };
        assert!(loss.fraction(None, 1.0).is_err());
        assert!(TiltReading::default().tilts("tilt", 1.0).is_err());
    }

    #[test]
    fn section_loss_and_rot_fractions() {
        let loss = SectionLoss {
            original: LengthReading::tape(240.0, 0.0),
            remaining: LengthReading::tape(180.0, 0.0),
        };
        assert_eq!(loss.fraction(None, 1.0).unwrap(), Measure::exact(0.25));
        let rot = FootRot {
            section: AreaReading {
                mm2: 40_000.0,
                error_mm2: 1000.0,
            },
            rotted: AreaReading {
                mm2: 8000.0,
                error_mm2: 1000.0,
            },
        };
        let f = rot.fraction().unwrap();
        assert_eq!(
            (f.value, f.low, f.high),
            (0.2, 7000.0 / 41_000.0, 9000.0 / 39_000.0)
        );
    }
}
