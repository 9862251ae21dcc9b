//! The photo thresholds as data (`data/standards/photo-thresholds.toml`), every value with its source.

use crate::measure::Measure;
use crate::PhotoError;
use assess_standards::Tri;
use serde::{Deserialize, Serialize};

/// A value with the source it comes from.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Sourced {
    /// The value.
    pub value: f64,
    /// Where it comes from.
    pub source: String,
    /// For a danger-point limit: `true` when reaching the value is already a danger point
    /// (the guideline says "达…以上", reaching), `false` (the default) when only exceeding it
    /// is ("大于", "超过", greater than / over).
    #[serde(default)]
    pub inclusive: bool,
}

impl Sourced {
    /// The limit this value sets, scaled by `factor` (e.g. a fraction times a storey height).
    pub fn limit_times(&self, factor: f64) -> Limit {
        Limit {
            value: self.value * factor,
            inclusive: self.inclusive,
        }
    }

    /// The limit `x / value` for a divisor (e.g. a storey height over 3; `x` = 1 with a span
    /// divisor of 120 gives the ratio limit 1/120).
    pub fn limit_divided(&self, x: f64) -> Limit {
        Limit {
            value: x / self.value,
            inclusive: self.inclusive,
        }
    }

    /// The limit this value sets.
    pub fn limit(&self) -> Limit {
        self.limit_times(1.0)
    }
}

/// A danger-point limit: a measurement above it (or reaching it, when `inclusive`) is a
/// danger point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Limit {
    /// The limit.
    pub value: f64,
    /// Reaching the limit is already a danger point.
    #[serde(default)]
    pub inclusive: bool,
}

impl Limit {
    /// Whether a measured interval is over the limit: certainly, certainly not, or unknown
    /// (the interval straddles it).
    pub fn test(&self, m: &Measure) -> Tri {
        if self.inclusive {
            m.reaches(self.value)
        } else {
            m.exceeds(self.value)
        }
    }
}

/// A qualitative danger point: no value, only its source.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Qualitative {
    /// Where it comes from.
    pub source: String,
}

/// The photo thresholds of one version.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PhotoThresholds {
    /// Version label.
    pub version: String,
    /// Vertical crack in a load-bearing wall: width (mm) above which it may be a danger point.
    pub vertical_load_bearing_width_mm: Sourced,
    /// Vertical crack in a load-bearing wall: length as a fraction of the storey height.
    pub vertical_load_bearing_length_fraction_of_storey: Sourced,
    /// Horizontal crack width (mm).
    pub horizontal_width_mm: Sourced,
    /// Crack width under a beam or truss bearing (mm).
    pub under_bearing_width_mm: Sourced,
    /// Tilt ratio (0.007 = 0.7%).
    pub tilt_ratio: Sourced,
    /// Several vertical cracks in a load-bearing wall: each longer than the storey height
    /// divided by this (3: 1/3 of the storey).
    pub several_vertical_length_storey_divisor: Sourced,
    /// How many cracks are "several" (多条).
    pub several_cracks_min_count: Sourced,
    /// Loss of effective section of a masonry wall or column, as a fraction (0.25).
    pub section_loss_fraction: Sourced,
    /// Through-crack where adjacent walls meet (qualitative).
    pub wall_junction_through_crack: Qualitative,
    /// Stone or earth wall, one storey: height-to-thickness ratio.
    pub height_to_thickness_one_storey: Sourced,
    /// Stone or earth wall, two storeys: height-to-thickness ratio.
    pub height_to_thickness_two_storeys: Sourced,
    /// Wood beam or truss: deflection over the span divided by this (120: L0/120).
    pub wood_deflection_span_divisor: Sourced,
    /// Wood truss: out-of-plane lean over the truss height divided by this (120: h/120).
    pub truss_out_of_plane_height_divisor: Sourced,
    /// Wood column: bowing (sag) over the column height divided by this (150: h/150).
    pub column_bowing_height_divisor: Sourced,
    /// Wood column foot: rotted area as a fraction of the section (0.2).
    pub column_foot_rot_fraction: Sourced,
    /// Placement error of one marked point (px).
    pub point_error_px: Sourced,
    /// Distance from the household beyond which a photo is flagged (m).
    pub household_distance_max_m: Sourced,
    /// Tolerance for suggesting an orientation (degrees).
    pub orientation_tolerance_deg: Sourced,
}

const BUILTIN: &str = include_str!("../../../data/standards/photo-thresholds.toml");

impl PhotoThresholds {
    /// The thresholds shipped with the program.
    pub fn builtin() -> PhotoThresholds {
        // The embedded file is checked by a unit test; a failure here is a build defect.
        PhotoThresholds::from_toml("builtin", BUILTIN)
            .expect("embedded photo-thresholds.toml is valid")
    }

    /// Parse a thresholds file; `name` is used in error messages.
    pub fn from_toml(name: &str, text: &str) -> Result<PhotoThresholds, PhotoError> {
        let t: PhotoThresholds = toml::from_str(text).map_err(|e| PhotoError::PhotoThresholds {
            source_name: name.to_string(),
            reason: e.to_string(),
        })?;
        for (key, v) in [
            (
                "vertical_load_bearing_width_mm",
                &t.vertical_load_bearing_width_mm,
            ),
            (
                "vertical_load_bearing_length_fraction_of_storey",
                &t.vertical_load_bearing_length_fraction_of_storey,
            ),
            ("horizontal_width_mm", &t.horizontal_width_mm),
            ("under_bearing_width_mm", &t.under_bearing_width_mm),
            ("tilt_ratio", &t.tilt_ratio),
            (
                "several_vertical_length_storey_divisor",
                &t.several_vertical_length_storey_divisor,
            ),
            ("several_cracks_min_count", &t.several_cracks_min_count),
            ("section_loss_fraction", &t.section_loss_fraction),
            (
                "height_to_thickness_one_storey",
                &t.height_to_thickness_one_storey,
            ),
            (
                "height_to_thickness_two_storeys",
                &t.height_to_thickness_two_storeys,
            ),
            (
                "wood_deflection_span_divisor",
                &t.wood_deflection_span_divisor,
            ),
            (
                "truss_out_of_plane_height_divisor",
                &t.truss_out_of_plane_height_divisor,
            ),
            (
                "column_bowing_height_divisor",
                &t.column_bowing_height_divisor,
            ),
            ("column_foot_rot_fraction", &t.column_foot_rot_fraction),
            ("point_error_px", &t.point_error_px),
            ("household_distance_max_m", &t.household_distance_max_m),
            ("orientation_tolerance_deg", &t.orientation_tolerance_deg),
        ] {
            if !(v.value.is_finite() && v.value >= 0.0) {
                return Err(PhotoError::PhotoThresholds {
                    source_name: name.to_string(),
                    reason: format!("{key} must be a non-negative number, got {}", v.value),
                });
            }
            if v.source.trim().is_empty() {
                return Err(PhotoError::PhotoThresholds {
                    source_name: name.to_string(),
                    reason: format!("{key} has no source"),
                });
            }
        }
        for (key, v) in [
            (
                "several_vertical_length_storey_divisor",
                &t.several_vertical_length_storey_divisor,
            ),
            (
                "wood_deflection_span_divisor",
                &t.wood_deflection_span_divisor,
            ),
            (
                "truss_out_of_plane_height_divisor",
                &t.truss_out_of_plane_height_divisor,
            ),
            (
                "column_bowing_height_divisor",
                &t.column_bowing_height_divisor,
            ),
        ] {
            if v.value <= 0.0 {
                return Err(PhotoError::PhotoThresholds {
                    source_name: name.to_string(),
                    reason: format!("{key} is a divisor and must be positive, got {}", v.value),
                });
            }
        }
        if t.wall_junction_through_crack.source.trim().is_empty() {
            return Err(PhotoError::PhotoThresholds {
                source_name: name.to_string(),
                reason: "wall_junction_through_crack has no source".into(),
            });
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses_with_guideline_values() {
        let t = PhotoThresholds::builtin();
        assert_eq!(t.vertical_load_bearing_width_mm.value, 2.0);
        assert_eq!(t.vertical_load_bearing_length_fraction_of_storey.value, 0.5);
        assert_eq!(t.horizontal_width_mm.value, 0.5);
        assert_eq!(t.under_bearing_width_mm.value, 1.0);
        assert_eq!(t.tilt_ratio.value, 0.007);
        assert_eq!(t.household_distance_max_m.value, 500.0);
        assert_eq!(t.several_vertical_length_storey_divisor.value, 3.0);
        assert_eq!(t.several_cracks_min_count.value, 2.0);
        assert!(t.several_cracks_min_count.inclusive);
        assert_eq!(t.section_loss_fraction.value, 0.25);
        assert!(t.section_loss_fraction.inclusive);
        assert_eq!(t.height_to_thickness_one_storey.value, 14.0);
        assert_eq!(t.height_to_thickness_two_storeys.value, 12.0);
        assert_eq!(t.wood_deflection_span_divisor.value, 120.0);
        assert_eq!(t.truss_out_of_plane_height_divisor.value, 120.0);
        assert_eq!(t.column_bowing_height_divisor.value, 150.0);
        assert_eq!(t.column_foot_rot_fraction.value, 0.2);
        assert!(!t.column_foot_rot_fraction.inclusive && !t.tilt_ratio.inclusive);
    }

    #[test]
    fn limits_over_and_reaching() {
        let at = |v: f64| Measure {
            value: v,
            low: v,
            high: v,
        };
        let over = Limit {
            value: 0.25,
            inclusive: false,
        };
        let reaching = Limit {
            inclusive: true,
            ..over
        };
        assert_eq!(over.test(&at(0.25)), Tri::Unmet);
        assert_eq!(reaching.test(&at(0.25)), Tri::Met);
        assert_eq!(reaching.test(&at(0.24)), Tri::Unmet);
        let straddle = Measure {
            value: 0.25,
            low: 0.2,
            high: 0.3,
        };
        assert_eq!(over.test(&straddle), Tri::Unknown);
        assert_eq!(reaching.test(&straddle), Tri::Unknown);
    }

    #[test]
    fn missing_source_or_bad_value_is_refused() {
        let bad = BUILTIN.replacen("value = 0.5\nsource", "value = -0.5\nsource", 1);
        let e = PhotoThresholds::from_toml("mine.toml", &bad)
            .unwrap_err()
            .to_string();
        assert!(e.contains("mine.toml") && e.contains("non-negative"), "{e}");
        let e = PhotoThresholds::from_toml("x.toml", "version = 1")
            .unwrap_err()
            .to_string();
        assert!(e.contains("x.toml"), "{e}");
    }
}
