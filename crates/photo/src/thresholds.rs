//! Thresholds as data (`data/standards/photo-thresholds.toml`), every value with its source.

use crate::PhotoError;
use serde::Deserialize;

/// A value with the source it comes from.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Sourced {
    /// The value.
    pub value: f64,
    /// Where it comes from.
    pub source: String,
}

/// The photo thresholds of one version.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
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
    /// Placement error of one marked point (px).
    pub point_error_px: Sourced,
    /// Distance from the household beyond which a photo is flagged (m).
    pub household_distance_max_m: Sourced,
    /// Tolerance for suggesting an orientation (degrees).
    pub orientation_tolerance_deg: Sourced,
}

const BUILTIN: &str = include_str!("../../../data/standards/photo-thresholds.toml");

impl Thresholds {
    /// The thresholds shipped with the program.
    pub fn builtin() -> Thresholds {
        // The embedded file is checked by a unit test; a failure here is a build defect.
        Thresholds::from_toml("builtin", BUILTIN).expect("embedded photo-thresholds.toml is valid")
    }

    /// Parse a thresholds file; `name` is used in error messages.
    pub fn from_toml(name: &str, text: &str) -> Result<Thresholds, PhotoError> {
        let t: Thresholds = toml::from_str(text).map_err(|e| PhotoError::Thresholds {
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
            ("point_error_px", &t.point_error_px),
            ("household_distance_max_m", &t.household_distance_max_m),
            ("orientation_tolerance_deg", &t.orientation_tolerance_deg),
        ] {
            if !(v.value.is_finite() && v.value >= 0.0) {
                return Err(PhotoError::Thresholds {
                    source_name: name.to_string(),
                    reason: format!("{key} must be a non-negative number, got {}", v.value),
                });
            }
            if v.source.trim().is_empty() {
                return Err(PhotoError::Thresholds {
                    source_name: name.to_string(),
                    reason: format!("{key} has no source"),
                });
            }
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses_with_guideline_values() {
        let t = Thresholds::builtin();
        assert_eq!(t.vertical_load_bearing_width_mm.value, 2.0);
        assert_eq!(t.vertical_load_bearing_length_fraction_of_storey.value, 0.5);
        assert_eq!(t.horizontal_width_mm.value, 0.5);
        assert_eq!(t.under_bearing_width_mm.value, 1.0);
        assert_eq!(t.tilt_ratio.value, 0.007);
        assert_eq!(t.household_distance_max_m.value, 500.0);
    }

    #[test]
    fn missing_source_or_bad_value_is_refused() {
        let bad = BUILTIN.replacen("value = 0.5\nsource", "value = -0.5\nsource", 1);
        let e = Thresholds::from_toml("mine.toml", &bad)
            .unwrap_err()
            .to_string();
        assert!(e.contains("mine.toml") && e.contains("non-negative"), "{e}");
        let e = Thresholds::from_toml("x.toml", "version = 1")
            .unwrap_err()
            .to_string();
        assert!(e.contains("x.toml"), "{e}");
    }
}
