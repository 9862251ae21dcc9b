//! The ratio indicators: the wrong-exit rate, the missed rate over the sampled households and
//! approval, each official `Σ y / Σ m` and design `Σ w y / Σ w m`, with the linearised
//! variable `z_i = (y_i − R̂ m_i) / Σ w m` that the incidence's joint variance sums
//! (docs/verdict.md, "Indicators" and "Variance").

use super::design::{Columns, Context};
use super::finding::Rate;
use super::official::Official;
use super::reading::{self, Values};
use super::Indicator;
use assess_survey::Design;

/// A rate with its linearised variable over the rows of the design.
pub(super) struct Linearised {
    pub(super) indicator: Indicator,
    pub(super) z: Vec<f64>,
    /// Households drawn at random among those with a known finding.
    pub(super) sampled: usize,
}

/// A rate: official Σy/Σm over all respondents of the domain; design Σwy/Σwm.
pub(super) fn rate(ctx: &Context, rate: Rate) -> Result<Linearised, crate::VerdictError> {
    let kind = rate.kind();
    let o = Official::sums(&ctx.rows, rate).nonempty(rate)?;
    let columns = ctx.columns(rate);
    let est = ctx.estimate_ratio(kind, &columns)?;
    let z = linearise(&ctx.design, &columns, est.estimate);
    let missing = ctx.nonresponse.of(rate) + o.unknown_units;
    let indicator = reading::indicator(
        ctx,
        Values {
            kind,
            official: o.ratio(),
            design: est.estimate,
            variance: est.variance,
            df: ctx.df(est.df, |row| columns.numerator[row].is_some()),
            deff: est.deff,
            weighting_effect: est.weighting_effect,
            numerator: o.y,
            denominator: o.m,
            households: o.households,
            sampled: o.sampled,
            unknown: o.unknown,
            // The missing units would have entered the denominator too.
            bounds: o.bounds(o.m + missing, missing),
            known: 0.0,
            shape: ctx.shape(|r| rate.counted(r).map(|_| rate.unit(r))),
        },
    )?;
    Ok(Linearised {
        indicator,
        z,
        sampled: o.sampled,
    })
}

/// The ratio's linearised variable `z_i = (y_i − R̂ m_i) / Σ w m`, 0 where the row has no
/// value (the engine's totals weight it).
fn linearise(design: &Design, columns: &Columns, r_hat: f64) -> Vec<f64> {
    let w = design.weights();
    let total_m: f64 = (0..design.n_rows())
        .map(|i| w[i] * columns.denominator[i].unwrap_or(0.0))
        .sum();
    (0..design.n_rows())
        .map(|i| match (columns.numerator[i], columns.denominator[i]) {
            (Some(yv), Some(mv)) => (yv - r_hat * mv) / total_m,
            _ => 0.0,
        })
        .collect()
}
