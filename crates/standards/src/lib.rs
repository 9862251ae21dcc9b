//! Domain rules as data: the poverty line by income year, the exit thresholds of the four
//! indicators by region, and the sampling practice of the national teams. Every value lives
//! in `data/standards/standards.toml` with its source; this crate only parses and looks up.
//! A user may load their own file ([`Standards::from_toml`]) to override any value.
//!
//! ```
//! use assess_standards::Standards;
//! use assess_divisions::Region;
//! let s = Standards::builtin();
//! assert_eq!(s.poverty_line(2018), Some(2995.0));
//! assert_eq!(s.exit_thresholds.poverty_incidence.for_region(Region::West), 0.03);
//! ```
//!
//! Not for: applying the rules to households (the inspection crate will) or to counties
//! (the verdict crate will).
#![deny(missing_docs)]

use assess_divisions::Region;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A standards file could not be used.
#[derive(Debug, thiserror::Error)]
#[error("standards file: {0}")]
pub struct StandardsError(String);

/// All domain rules of one version.
#[derive(Debug, Clone, Deserialize)]
pub struct Standards {
    /// Version label recorded in manifests and reports.
    pub version: String,
    /// Poverty line (yuan per person per year) by income year, with `source`.
    pub poverty_line: PovertyLines,
    /// Thresholds of the four veto indicators.
    pub exit_thresholds: ExitThresholds,
    /// How national teams sampled, used as planning defaults.
    pub sampling_practice: SamplingPractice,
}

/// The poverty line table.
#[derive(Debug, Clone, Deserialize)]
pub struct PovertyLines {
    /// Where the values come from.
    pub source: String,
    /// Yuan per person per year, by income year.
    #[serde(flatten)]
    pub by_year: BTreeMap<String, f64>,
}

/// A threshold that may differ by region.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct ByRegion {
    /// Eastern provinces.
    pub east: f64,
    /// Central provinces.
    pub central: f64,
    /// The 12 western provinces.
    pub west: f64,
}

impl ByRegion {
    /// The value for a region.
    pub fn for_region(&self, region: Region) -> f64 {
        match region {
            Region::East => self.east,
            Region::Central => self.central,
            Region::West => self.west,
        }
    }
}

/// Thresholds of the four indicators.
#[derive(Debug, Clone, Deserialize)]
pub struct ExitThresholds {
    /// Where the values come from.
    pub source: String,
    /// Comprehensive poverty incidence passes strictly below this.
    pub poverty_incidence: ByRegion,
    /// Wrong-exit rate passes strictly below this.
    pub wrong_exit_rate: f64,
    /// Missed-assessment rate passes strictly below this.
    pub missed_rate: f64,
    /// Public approval passes at or above this.
    pub approval_rate: f64,
}

/// Sampling practice of the national special evaluation.
#[derive(Debug, Clone, Deserialize)]
pub struct SamplingPractice {
    /// Where the values come from.
    pub source: String,
    /// Villages per county.
    pub villages_per_county: u32,
    /// Fewest households per county seen.
    pub households_per_county_min: u32,
    /// Most households per county seen.
    pub households_per_county_max: u32,
    /// Share of villages from remote areas.
    pub remote_share_of_villages: f64,
}

impl Standards {
    /// The standards shipped with this version of the tool.
    pub fn builtin() -> Standards {
        // Parsed by this crate's tests, so a failure here is a build defect, not user input.
        Self::from_toml(include_str!("../../../data/standards/standards.toml"))
            .expect("built-in standards parse")
    }

    /// Standards from a user's TOML file (same layout as the built-in file).
    pub fn from_toml(text: &str) -> Result<Standards, StandardsError> {
        let s: Standards = toml::from_str(text).map_err(|e| StandardsError(e.to_string()))?;
        for (year, value) in &s.poverty_line.by_year {
            if year.parse::<u16>().is_err() || !(*value > 0.0) {
                return Err(StandardsError(format!(
                    "poverty_line: {year} = {value} is not a year with a positive line"
                )));
            }
        }
        Ok(s)
    }

    /// Poverty line for an income year, if the table has it.
    pub fn poverty_line(&self, income_year: u16) -> Option<f64> {
        self.poverty_line
            .by_year
            .get(&income_year.to_string())
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_values_match_the_domain_notes() {
        let s = Standards::builtin();
        // standards.md section 4: 2014 exits were audited against 2,736 (income year 2013).
        assert_eq!(s.poverty_line(2013), Some(2736.0));
        assert_eq!(s.poverty_line(2019), Some(3218.0));
        assert_eq!(s.poverty_line(2009), None);
        assert_eq!(
            s.exit_thresholds.poverty_incidence.for_region(Region::East),
            0.02
        );
        assert_eq!(s.exit_thresholds.approval_rate, 0.90);
    }

    #[test]
    fn a_bad_override_is_refused() {
        let text = include_str!("../../../data/standards/standards.toml")
            .replace("2018 = 2995", "2018 = -1");
        assert!(Standards::from_toml(&text).is_err());
    }
}
