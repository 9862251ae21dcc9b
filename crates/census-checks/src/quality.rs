//! The thresholds and test settings, as data with their sources (data/census/quality.toml).

use crate::error::ChecksError;
use serde::Deserialize;

/// The built-in settings: data/census/quality.toml.
pub const BUILT_IN_QUALITY: &str = include_str!("../../../data/census/quality.toml");

/// The settings of the quality checks (docs/census.md, "Quality checks").
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quality {
    /// Shortest plausible interview.
    pub short_interview: ShortInterview,
    /// Farthest plausible fix from the house.
    pub far_place: FarPlace,
    /// The answer-distribution test.
    pub distribution: Distribution,
    /// The robust z-scores.
    pub robust_z: RobustZ,
}

/// `[short_interview]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShortInterview {
    /// An interview shorter than this many minutes is flagged.
    pub min_minutes: f64,
    /// Where the value comes from.
    pub basis: String,
    /// Its source.
    pub source: String,
}

/// `[far_place]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FarPlace {
    /// A fix farther than this many kilometres from the house is flagged.
    pub max_km_from_house: f64,
    /// Where the value comes from.
    pub basis: String,
    /// Its source.
    pub source: String,
}

/// `[distribution]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Distribution {
    /// The chance of any false alarm in a county (over its enumerators; over its villages).
    pub alpha: f64,
    /// Cells whose expected count in the unit's row is under this are pooled.
    pub min_expected: f64,
    /// Where the values come from.
    pub basis: String,
    /// Their sources.
    pub source: String,
}

/// `[robust_z]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RobustZ {
    /// A modified z-score beyond this (in the flagged direction) is flagged.
    pub threshold: f64,
    /// No z-scores in a county with fewer units than this.
    pub min_units: usize,
    /// Units with fewer first returns than this get no z-score and do not count among the
    /// units.
    pub min_returns: u32,
    /// The least scale of the interview-length z-score, minutes.
    pub interview_min_scale_minutes: f64,
    /// The least scale of the repeated-share z-score.
    pub repeat_min_scale_share: f64,
    /// Where the values come from.
    pub basis: String,
    /// Their sources.
    pub source: String,
}

impl Quality {
    /// The built-in settings.
    pub fn builtin() -> Quality {
        Quality::parse(BUILT_IN_QUALITY, "data/census/quality.toml")
            .expect("the built-in quality settings parse (tested)")
    }

    /// Settings from TOML text; `origin` names it in messages (a file name).
    pub fn parse(text: &str, origin: &str) -> Result<Quality, ChecksError> {
        let fail = |problem: String| ChecksError::Quality {
            origin: origin.to_string(),
            problem,
        };
        let q: Quality = toml::from_str(text).map_err(|e| fail(e.to_string()))?;
        let positive = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(fail(format!("{name} must be a number over 0, not {v}")))
            }
        };
        positive("short_interview.min_minutes", q.short_interview.min_minutes)?;
        positive("far_place.max_km_from_house", q.far_place.max_km_from_house)?;
        positive("distribution.min_expected", q.distribution.min_expected)?;
        positive("robust_z.threshold", q.robust_z.threshold)?;
        positive(
            "robust_z.interview_min_scale_minutes",
            q.robust_z.interview_min_scale_minutes,
        )?;
        positive(
            "robust_z.repeat_min_scale_share",
            q.robust_z.repeat_min_scale_share,
        )?;
        if !(q.distribution.alpha > 0.0 && q.distribution.alpha < 1.0) {
            return Err(fail(format!(
                "distribution.alpha must be between 0 and 1, not {}",
                q.distribution.alpha
            )));
        }
        if q.robust_z.min_units < 3 {
            return Err(fail(format!(
                "robust_z.min_units must be at least 3 (a median and a MAD need them), not {}",
                q.robust_z.min_units
            )));
        }
        for (table, basis, source) in [
            (
                "short_interview",
                &q.short_interview.basis,
                &q.short_interview.source,
            ),
            ("far_place", &q.far_place.basis, &q.far_place.source),
            (
                "distribution",
                &q.distribution.basis,
                &q.distribution.source,
            ),
            ("robust_z", &q.robust_z.basis, &q.robust_z.source),
        ] {
            if basis.trim().is_empty() || source.trim().is_empty() {
                return Err(fail(format!(
                    "[{table}] needs a basis and a source: say where its values come from"
                )));
            }
        }
        Ok(q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_settings_parse_with_their_sources() {
        let q = Quality::builtin();
        assert_eq!(q.short_interview.min_minutes, 15.0);
        assert_eq!(q.far_place.max_km_from_house, 5.0);
        assert_eq!(q.distribution.alpha, 0.01);
        assert_eq!(q.robust_z.threshold, 3.5);
        assert!(q.robust_z.source.contains("Iglewicz"));
        assert!(q.distribution.source.contains("Holm"));
    }

    #[test]
    fn bad_settings_are_refused_naming_the_field() {
        let bad = BUILT_IN_QUALITY.replace("alpha = 0.01", "alpha = 1.5");
        let e = Quality::parse(&bad, "q.toml").unwrap_err().to_string();
        assert!(
            e.contains("q.toml") && e.contains("distribution.alpha"),
            "{e}"
        );
        let unknown = BUILT_IN_QUALITY.replace("min_units = 5", "min_units = 5\nmax_units = 9");
        let e = Quality::parse(&unknown, "q.toml").unwrap_err().to_string();
        assert!(e.contains("max_units"), "{e}");
        let unsourced = BUILT_IN_QUALITY.replace("basis = \"statistics\"", "basis = \"\"");
        let e = Quality::parse(&unsourced, "q.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("basis and a source"), "{e}");
    }
}
