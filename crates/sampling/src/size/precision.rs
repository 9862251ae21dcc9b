//! The precision-based size: how many units estimate a rate to within ±e (Cochran 1977, eqs
//! 4.2 and 4.3), inflated by the design effect and by non-response, with its explanation.

use super::{
    ceil_count, check, check_open_unit, check_response, num, z_for, DesignEffect, SizeError,
};
use assess_survey::Sided;
use serde::Serialize;

/// Inputs of the precision-based size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrecisionSpec {
    /// Expected rate p, in (0, 1).
    pub rate: f64,
    /// Absolute margin of error e, in (0, 1).
    pub margin: f64,
    /// Confidence level, in (0, 1).
    pub confidence: f64,
    /// Two-sided interval (±e), or one bound (either: its z is the same).
    #[serde(serialize_with = "tails")]
    pub sided: Sided,
    /// Design effect.
    pub design: DesignEffect,
    /// Population size N for the finite population correction, if known.
    pub population: Option<u64>,
    /// Expected response rate, in (0, 1].
    pub response_rate: f64,
}

/// The precision-based size with every intermediate value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrecisionSize {
    /// The inputs.
    pub spec: PrecisionSpec,
    /// Normal quantile used.
    pub z: f64,
    /// Design effect used.
    pub deff: f64,
    /// n0 = deff · z² · p(1−p) / e², before the finite population correction.
    pub n0: f64,
    /// After the finite population correction (equal to n0 when N is not given).
    pub n_fpc: f64,
    /// Completed interviews needed: n_fpc rounded up.
    pub completed: u64,
    /// Units to visit before rounding: n_fpc / response rate.
    pub to_visit_exact: f64,
    /// Units to visit: n_fpc / response rate, rounded up.
    pub to_visit: u64,
}

/// Sample size to estimate a rate to within ±margin (Cochran 1977, eqs 4.2 and 4.3).
pub fn precision_size(spec: &PrecisionSpec) -> Result<PrecisionSize, SizeError> {
    validate_precision(spec)?;
    let z = z_for(spec.confidence, spec.sided);
    let deff = spec.design.value();
    let n0 = deff * z * z * spec.rate * (1.0 - spec.rate) / (spec.margin * spec.margin);
    let n_fpc = match spec.population {
        Some(pop) => n0 / (1.0 + (n0 - 1.0) / pop as f64),
        None => n0,
    };
    let to_visit_exact = n_fpc / spec.response_rate;
    Ok(PrecisionSize {
        spec: spec.clone(),
        z,
        deff,
        n0,
        n_fpc,
        completed: ceil_count(n_fpc),
        to_visit_exact,
        to_visit: ceil_count(to_visit_exact),
    })
}

fn validate_precision(spec: &PrecisionSpec) -> Result<(), SizeError> {
    check_open_unit("expected rate", spec.rate)?;
    check_open_unit("margin", spec.margin)?;
    check_open_unit("confidence", spec.confidence)?;
    check_response(spec.response_rate)?;
    if let Some(pop) = spec.population {
        check(pop >= 1, "population", pop as f64, ">= 1")?;
    }
    spec.design.validate()
}

impl PrecisionSize {
    /// The computation as readable lines, each formula with its numbers substituted.
    pub fn explain(&self) -> Vec<String> {
        let s = &self.spec;
        let mut lines = vec![
            format!("z    = {:.3}   ({}, {}% confidence)", self.z, sided_words(s.sided), num(100.0 * s.confidence)),
            s.design.explain(),
            format!(
                "n0   = deff × z² × p × (1 − p) / e² = {} × {:.3}² × {} × {} / {}² = {:.2}   (Cochran 1977, eq 4.2)",
                num(self.deff),
                self.z,
                num(s.rate),
                num(1.0 - s.rate),
                num(s.margin),
                self.n0
            ),
        ];
        if let Some(pop) = s.population {
            lines.push(format!(
                "n    = n0 / (1 + (n0 − 1) / N) = {:.2} / (1 + {:.2} / {pop}) = {:.2}   (Cochran 1977, eq 4.3)",
                self.n0,
                self.n0 - 1.0,
                self.n_fpc
            ));
        } else {
            lines.push(format!(
                "n    = n0 = {:.2}   (no population size: no finite population correction)",
                self.n_fpc
            ));
        }
        lines.push(format!(
            "completed interviews needed: ⌈{:.2}⌉ = {}",
            self.n_fpc, self.completed
        ));
        lines.push(format!(
            "to visit = n / r = {:.2} / {} = {:.2} → {}",
            self.n_fpc,
            num(s.response_rate),
            self.to_visit_exact,
            self.to_visit
        ));
        if let Some(pop) = s.population.filter(|&pop| self.to_visit > pop) {
            lines.push(format!(
                "note: {} to visit exceeds the population of {pop}: visit everyone",
                self.to_visit
            ));
        }
        lines
    }
}

/// The interval's sidedness in the explanation's words.
fn sided_words(sided: Sided) -> &'static str {
    match sided {
        Sided::Two => "two-sided",
        Sided::Upper | Sided::Lower => "one-sided",
    }
}

/// A size's sidedness is its number of tails: `two`, or `one` for either bound.
fn tails<S: serde::Serializer>(sided: &Sided, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(match sided {
        Sided::Two => "two",
        Sided::Upper | Sided::Lower => "one",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn precision(rate: f64, margin: f64, population: Option<u64>) -> PrecisionSpec {
        PrecisionSpec {
            rate,
            margin,
            confidence: 0.95,
            sided: Sided::Two,
            design: DesignEffect::Given { deff: 1.0 },
            population,
            response_rate: 1.0,
        }
    }

    #[test]
    fn cochran_textbook_case() {
        // Cochran (1977) style: p = 0.5, e = 0.05, 95%: n0 = 1.96² × 0.25 / 0.0025 = 384.16 with
        // z rounded to 1.96; 384.146 with the exact z = 1.959964. Either way 385.
        let r = precision_size(&precision(0.5, 0.05, None)).unwrap();
        assert!((r.z - 1.959964).abs() < 1e-6, "{}", r.z);
        assert!((r.n0 - 384.1459).abs() < 1e-3, "{}", r.n0);
        assert_eq!(r.completed, 385);
        assert_eq!(r.to_visit, 385);
    }

    #[test]
    fn cochran_with_finite_population() {
        // n = 384.146 / (1 + 383.146 / 1000) = 277.74 → 278.
        let r = precision_size(&precision(0.5, 0.05, Some(1000))).unwrap();
        assert!((r.n_fpc - 277.73345).abs() < 1e-3, "{}", r.n_fpc);
        assert_eq!(r.completed, 278);
    }

    #[test]
    fn clustered_county_case_with_fpc_and_response() {
        // Independent value:
        // python3 -c "from statistics import NormalDist as N; z=N().inv_cdf(0.975); d=1+(20-1)*0.05;
        //   n0=d*z*z*0.02*0.98/0.01**2; n=n0/(1+(n0-1)/40000); print(d, n0, n, n/0.9)"
        // → 1.95 1468.2055612692939 1416.2570555664447 1573.6189506293829
        let spec = PrecisionSpec {
            design: DesignEffect::Clusters {
                cluster_size: 20.0,
                icc: 0.05,
            },
            population: Some(40_000),
            response_rate: 0.9,
            ..precision(0.02, 0.01, None)
        };
        let r = precision_size(&spec).unwrap();
        assert!((r.deff - 1.95).abs() < 1e-12);
        assert!((r.n0 - 1468.2055613).abs() < 1e-6, "{}", r.n0);
        assert!((r.n_fpc - 1416.2570556).abs() < 1e-6, "{}", r.n_fpc);
        assert_eq!(r.completed, 1417);
        assert_eq!(r.to_visit, 1574);
    }

    #[test]
    fn one_sided_uses_the_one_tail_quantile() {
        // python3 -c "from statistics import NormalDist as N; z=N().inv_cdf(0.95);
        //   print(z, z*z*0.02*0.98/0.01**2)"  → 1.6448536269514715 530.2865170027005
        let spec = PrecisionSpec {
            sided: Sided::Upper,
            ..precision(0.02, 0.01, None)
        };
        let r = precision_size(&spec).unwrap();
        assert!((r.z - 1.6448536).abs() < 1e-6);
        assert_eq!(r.completed, 531);
    }

    #[test]
    fn explain_shows_substituted_formula() {
        let spec = PrecisionSpec {
            design: DesignEffect::Given { deff: 1.5 },
            ..precision(0.02, 0.01, None)
        };
        let text = precision_size(&spec).unwrap().explain().join("\n");
        assert!(
            text.contains("1.5 × 1.960² × 0.02 × 0.98 / 0.01² = 1129.39"),
            "{text}"
        );
    }

    #[test]
    fn bad_precision_inputs_are_refused() {
        assert!(matches!(
            precision_size(&precision(1.5, 0.01, None)),
            Err(SizeError::OutOfRange {
                name: "expected rate",
                ..
            })
        ));
        assert!(matches!(
            precision_size(&precision(0.02, 0.0, None)),
            Err(SizeError::OutOfRange { name: "margin", .. })
        ));
        let spec = PrecisionSpec {
            response_rate: 0.0,
            ..precision(0.02, 0.01, None)
        };
        assert!(precision_size(&spec).is_err());
        let spec = PrecisionSpec {
            design: DesignEffect::Clusters {
                cluster_size: 0.5,
                icc: 0.1,
            },
            ..precision(0.02, 0.01, None)
        };
        assert!(precision_size(&spec).is_err());
    }
}
