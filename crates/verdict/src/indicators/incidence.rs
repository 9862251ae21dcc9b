//! The comprehensive poverty incidence `P = (N_poor + N_nonreg · missed + N_exited · wrong) /
//! N_rural`, that is `P = c + a·m̂ + b·ŵ` in the two rates, with the variance of one joint
//! linearisation `u_i = (N_exited · z_i^wrong + N_nonreg · z_i^missed) / N_rural`: the two
//! rates come from the same villages, so their covariance is included (docs/verdict.md,
//! "Indicators" and "Variance").

use super::design::Context;
use super::finding::Rate;
use super::ratio::Linearised;
use super::reading::{self, Values};
use super::{Indicator, Kind};
use crate::input::RegisterPeople;

/// The incidence as a function of the two rates.
struct Formula<'a> {
    /// The register's people by stratum.
    register: &'a RegisterPeople,
    /// The rural population it divides by.
    n_rural: f64,
}

impl Formula<'_> {
    /// The poor people: the registered poor, and the two rates applied to their strata.
    fn poor_people(&self, wrong: f64, missed: f64) -> f64 {
        self.register.poor + self.register.non_registered * missed + self.register.exited * wrong
    }

    /// The part of `P` known from the register, `c = N_poor / N_rural`: what the interval
    /// leaves out.
    fn known(&self) -> f64 {
        self.register.poor / self.n_rural
    }

    /// `P` at the two rates.
    fn at(&self, wrong: f64, missed: f64) -> f64 {
        self.poor_people(wrong, missed) / self.n_rural
    }

    /// The linearised variable of `P` at one row, from the rates' variables (`N_poor` is fixed).
    fn linearised(&self, z_wrong: f64, z_missed: f64) -> f64 {
        (self.register.exited * z_wrong + self.register.non_registered * z_missed) / self.n_rural
    }
}

/// The register's people, with the non-registered people those of the rural population the
/// incidence divides by when another source gives it: `N_rural − N_exited − N_poor`, so that
/// the numerator counts the missed among the same people the denominator counts.
fn rural_register(ctx: &Context) -> Result<RegisterPeople, crate::VerdictError> {
    let r = *ctx.register;
    let Some(rural) = ctx.settings.rural_population else {
        return Ok(r);
    };
    let registered = r.exited + r.poor;
    if rural < registered {
        return Err(crate::VerdictError::RuralPopulationBelowRegister { rural, registered });
    }
    Ok(RegisterPeople {
        non_registered: rural - registered,
        ..r
    })
}

/// The incidence from the wrong-exit and missed rates: official from their official values,
/// design from their design values.
pub(super) fn incidence(
    ctx: &Context,
    wrong: &Linearised,
    missed: &Linearised,
) -> Result<Indicator, crate::VerdictError> {
    let kind = Kind::PovertyIncidence;
    let register = rural_register(ctx)?;
    let p = Formula {
        register: &register,
        n_rural: ctx
            .settings
            .rural_population
            .unwrap_or_else(|| ctx.register.total()),
    };
    let u: Vec<Option<f64>> = wrong
        .z
        .iter()
        .zip(&missed.z)
        .map(|(zw, zm)| Some(p.linearised(*zw, *zm)))
        .collect();
    let v = ctx.variance_of_total(kind, &u)?;
    let sampled = wrong.sampled + missed.sampled;
    let (wrong, missed) = (&wrong.indicator, &missed.indicator);
    let households = wrong.households + missed.households;
    let bounds = (
        p.at(
            wrong.bounds_if_nonrespondents.0,
            missed.bounds_if_nonrespondents.0,
        ),
        p.at(
            wrong.bounds_if_nonrespondents.1,
            missed.bounds_if_nonrespondents.1,
        ),
    );
    reading::indicator(
        ctx,
        Values {
            kind,
            official: p.at(wrong.official, missed.official),
            design: p.at(wrong.design, missed.design),
            variance: v.variance,
            df: ctx.df(v.df, |_| true),
            // A variance ratio: the joint linearisation's variance against simple random
            // sampling of as many respondents; the weighting effect over every respondent.
            deff: v.deff,
            weighting_effect: ctx.design.kish_weighting_effect(),
            numerator: p.poor_people(wrong.official, missed.official),
            denominator: p.n_rural,
            households,
            sampled,
            unknown: wrong.unknown + missed.unknown,
            bounds,
            known: p.known(),
            shape: ctx.shape(|r| {
                let counted = Rate::WrongExit.counted(r).or(Rate::Missed.counted(r));
                counted.map(|_| r.people)
            }),
        },
    )
}
