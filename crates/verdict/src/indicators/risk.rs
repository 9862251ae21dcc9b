//! The decision risk of an indicator: the probability that a design like this county's passes
//! a county whose true value sits exactly on the threshold, beside the observed reading's own
//! confidence (docs/verdict.md, "Decision risk").
//!
//! The design is read off the sample: k villages with respondents, m̄ = n/k households each,
//! a weighting effect and household-size spread `κ²` (each household adds weight × people to
//! a people ratio), and the intraclass correlation that the indicator's design effect implies
//! under Kish's model, `deff = (1 + (m̄ − 1) ρ)(1 + κ²)`, with the design effect floored as the
//! intervals floor it. The probability is then the exact beta-binomial convolution over the
//! villages with gamma contributions (`assess_sampling::size::clustered_pass_probability`,
//! docs/sample-size.md), at the threshold.

use super::Kind;
use serde::Serialize;

/// How the sample of one indicator is shaped, for the decision risk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Shape {
    /// Villages with a respondent of the indicator.
    pub(super) villages: usize,
    /// Respondents of the indicator.
    pub(super) households: usize,
    /// The squared coefficient of variation of the respondents' contributions (weight ×
    /// units): `κ²`.
    pub(super) kappa2: f64,
}

/// The decision risk of one indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionRisk {
    /// P(the official rule passes | the true value equals the threshold) for this design,
    /// under the model above: the share of counties exactly on the threshold that such an
    /// assessment would let through.
    pub pass_probability_at_threshold: f64,
    /// Villages of the model (those with a respondent of the indicator).
    pub villages: usize,
    /// Households per village of the model (the respondents' mean, rounded).
    pub households_per_village: u64,
    /// The intraclass correlation the indicator's design effect implies.
    pub icc: f64,
    /// The squared coefficient of variation of the households' contributions.
    pub kappa2: f64,
}

/// The decision risk, or `None` without villages or households to model.
///
/// `threshold` and `deff` are the indicator's; `known` the part of it known without sampling
/// (the incidence's registered poor): the model is then of the random part
/// `q = (P − c)/(1 − c)` at `(t − c)/(1 − c)`. Approval passes at or above its threshold: the
/// model counts the households not approving, passing at or below `1 − t`.
pub(super) fn decision_risk(
    kind: Kind,
    shape: Shape,
    threshold: f64,
    deff: f64,
    deff_floor: f64,
    known: f64,
) -> Option<DecisionRisk> {
    if shape.villages == 0 || shape.households == 0 {
        return None;
    }
    let m = ((shape.households as f64 / shape.villages as f64).round() as u64).max(1);
    let deff = deff.max(deff_floor).max(1.0);
    let kappa2 = shape.kappa2.max(0.0);
    let icc = if m > 1 {
        ((deff / (1.0 + kappa2) - 1.0) / (m - 1) as f64).clamp(0.0, 0.99)
    } else {
        0.0
    };
    let villages = shape.villages as u64;
    let n = villages * m;
    let pass = |rate_threshold: f64, true_rate: f64| {
        assess_sampling::size::clustered_pass_probability(
            villages,
            m,
            rate_threshold,
            true_rate,
            icc,
            kappa2,
        )
    };
    let probability = match kind {
        Kind::ApprovalRate => {
            // Not approving at most 1 − t of n: strictly below the next count's share.
            let most = ((1.0 - threshold) * n as f64 + 1e-9).floor();
            pass((most + 0.5) / n as f64, 1.0 - threshold)
        }
        Kind::PovertyIncidence => {
            let q = (threshold - known) / (1.0 - known);
            if q <= 0.0 {
                0.0
            } else if q >= 1.0 {
                1.0
            } else {
                pass(q, q)
            }
        }
        Kind::WrongExitRate | Kind::MissedRate => pass(threshold, threshold),
    };
    Some(DecisionRisk {
        pass_probability_at_threshold: probability,
        villages: shape.villages,
        households_per_village: m,
        icc,
        kappa2,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 25 villages of 20 at the 2% threshold with deff 1.95 and no spread of contributions:
    /// ρ = (1.95 − 1)/19 = 0.05, and the probability is the convolution's at p = t = 2%
    /// (scipy, apart from this crate: the 25-fold `betabinom(20, 0.02·19, 0.98·19)`
    /// convolution's P(X ≤ 9) = 0.4958652993091473).
    #[test]
    fn a_rate_at_its_threshold_passes_with_the_convolutions_probability() {
        let shape = Shape {
            villages: 25,
            households: 500,
            kappa2: 0.0,
        };
        let r = decision_risk(Kind::WrongExitRate, shape, 0.02, 1.95, 1.0, 0.0).unwrap();
        assert_eq!((r.villages, r.households_per_village), (25, 20));
        assert!((r.icc - 0.05).abs() < 1e-12);
        assert!(
            (r.pass_probability_at_threshold - 0.4958652993091473).abs() < 1e-10,
            "{r:?}"
        );
        // The floor raises a smaller design effect to itself.
        let floored = decision_risk(Kind::WrongExitRate, shape, 0.02, 1.2, 1.95, 0.0).unwrap();
        assert_eq!(floored, r);
        // The incidence's known part alone at the threshold: it cannot pass.
        let over = decision_risk(Kind::PovertyIncidence, shape, 0.02, 1.95, 1.0, 0.02).unwrap();
        assert_eq!(over.pass_probability_at_threshold, 0.0);
    }
}
