//! The official rates: the unweighted sample ratios the rules describe, `Σ y / Σ m` over the
//! interviewed households of a rate's stratum, and their non-response bounds
//! (docs/verdict.md, "Indicators" and "Non-response bounds").

use super::finding::{Rate, Row};

/// The official sums of a rate over the respondents of its domain.
pub(super) struct Official {
    /// Units (people, or households for approval) with a positive finding.
    pub(super) y: f64,
    /// Units with a known finding.
    pub(super) m: f64,
    /// Households with a known finding.
    pub(super) households: usize,
    /// Of those, the households drawn at random (not taken with certainty and whole).
    pub(super) sampled: usize,
    /// Households whose finding is unknown.
    pub(super) unknown: usize,
    /// Their units.
    pub(super) unknown_units: f64,
}

impl Official {
    /// The sums over the respondents of the rate's stratum that count in the official values
    /// (drawn, or by hand when the settings say so): an unknown finding is left out of the
    /// ratio and kept for the bounds.
    pub(super) fn sums(rows: &[Row], rate: Rate) -> Official {
        let mut o = Official {
            y: 0.0,
            m: 0.0,
            households: 0,
            sampled: 0,
            unknown: 0,
            unknown_units: 0.0,
        };
        for r in rows.iter().filter(|r| r.official && rate.in_domain(r)) {
            match rate.finding(r) {
                Some(v) => {
                    o.households += 1;
                    o.sampled += usize::from(!r.taken_whole);
                    o.m += rate.unit(r);
                    if v {
                        o.y += rate.unit(r);
                    }
                }
                None => {
                    o.unknown += 1;
                    o.unknown_units += rate.unit(r);
                }
            }
        }
        o
    }

    /// The sums, or the error of a rate without a single household to compute it from.
    pub(super) fn nonempty(self, rate: Rate) -> Result<Official, crate::VerdictError> {
        if self.households == 0 {
            return Err(crate::VerdictError::EmptyDomain(rate.kind().name()));
        }
        Ok(self)
    }

    /// The official rate over the sampled households: `y / m`.
    pub(super) fn ratio(&self) -> f64 {
        self.y / self.m
    }

    /// The rate if none of the `missing` units failed (for approval: none approved), and if
    /// all of them did, over `denominator` (which counts them already, or never will).
    pub(super) fn bounds(&self, denominator: f64, missing: f64) -> (f64, f64) {
        (self.y / denominator, (self.y + missing) / denominator)
    }
}
