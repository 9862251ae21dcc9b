//! The county's sample design for the variance (villages as primary units, with or without
//! replacement) and the context every indicator is computed in: its respondents, their
//! findings, the weighted rows and the settings (docs/verdict.md, "Variance").

use super::finding::{Rate, Row};
use super::{Kind, NonResponse};
use crate::input::{DrawnHousehold, RegisterPeople, VillageNonRegistered};
use crate::settings::{Settings, VarianceMethod};
use crate::weights::Respondent;
use crate::VerdictError;
use assess_standards::CountyThresholds;
use assess_survey::{estimate, Design, Domains, Estimate, EstimateOptions, Pps, Sided, Statistic};

/// What every indicator of one county is computed from, built once.
pub(super) struct Context<'a> {
    /// Every respondent, weighted or not (the official ratios count them all).
    pub(super) respondents: &'a [Respondent<'a>],
    /// Their findings, in the same order.
    pub(super) rows: Vec<Row>,
    /// The respondents with a weight, by index: the rows of `design`, in its order.
    pub(super) weighted: Vec<usize>,
    /// The design of the weighted respondents.
    pub(super) design: Design,
    /// The register's people by stratum, for the incidence.
    pub(super) register: &'a RegisterPeople,
    /// The thresholds of the county's region.
    pub(super) thresholds: &'a CountyThresholds,
    /// The verdict's settings.
    pub(super) settings: &'a Settings,
    /// Units not interviewed, for the non-response bounds.
    pub(super) nonresponse: NonResponse,
    /// The non-registered people of every sampled village, when the missed rate may divide
    /// by them.
    pub(super) villages: Option<&'a [VillageNonRegistered]>,
}

/// A rate's numerator and denominator over the rows of the design; `None` where the
/// respondent is outside the rate's stratum or its finding is unknown.
pub(super) struct Columns {
    pub(super) numerator: Vec<Option<f64>>,
    pub(super) denominator: Vec<Option<f64>>,
}

impl Columns {
    /// The ratio of the two columns' weighted totals.
    pub(super) fn ratio(&self) -> Statistic<'_> {
        Statistic::Ratio {
            numerator: &self.numerator,
            denominator: &self.denominator,
        }
    }
}

impl<'a> Context<'a> {
    /// The context of a county: its findings, then its design (which may be refused).
    pub(super) fn new(
        respondents: &'a [Respondent<'a>],
        register: &'a RegisterPeople,
        thresholds: &'a CountyThresholds,
        settings: &'a Settings,
        nonresponse: NonResponse,
        villages: Option<&'a [VillageNonRegistered]>,
    ) -> Result<Context<'a>, VerdictError> {
        let rows: Vec<Row> = respondents.iter().map(|r| Row::of(r, settings)).collect();
        let weighted: Vec<usize> = (0..respondents.len())
            .filter(|&i| respondents[i].weight.is_some())
            .collect();
        let design = design(respondents, &weighted, settings)?;
        Ok(Context {
            respondents,
            rows,
            weighted,
            design,
            register,
            thresholds,
            settings,
            nonresponse,
            villages,
        })
    }

    /// The threshold of an indicator.
    pub(super) fn threshold(&self, kind: Kind) -> f64 {
        match kind {
            Kind::PovertyIncidence => self.thresholds.poverty_incidence,
            Kind::WrongExitRate => self.thresholds.wrong_exit_rate,
            Kind::MissedRate => self.thresholds.missed_rate,
            Kind::ApprovalRate => self.thresholds.approval_rate,
        }
    }

    /// A rate's columns over the design's rows: `y` (the units with a positive finding, else
    /// 0) over `m` (the units with a known finding).
    pub(super) fn columns(&self, rate: Rate) -> Columns {
        let column = |f: &dyn Fn(bool, &Row) -> f64| -> Vec<Option<f64>> {
            self.weighted
                .iter()
                .map(|&i| {
                    let r = &self.rows[i];
                    rate.counted(r).map(|v| f(v, r))
                })
                .collect()
        };
        Columns {
            numerator: column(&|v, r| if v { rate.unit(r) } else { 0.0 }),
            denominator: column(&|_, r| rate.unit(r)),
        }
    }

    /// The rows of the design in their villages.
    pub(super) fn villages_of_rows(&self) -> Vec<&'a str> {
        self.weighted
            .iter()
            .map(|&i| self.respondents[i].household.village.as_str())
            .collect()
    }

    /// Two-sided interval options for a rate's estimate, with the settings' interval method.
    pub(super) fn rate_options(&self) -> EstimateOptions {
        EstimateOptions {
            confidence: self.settings.confidence,
            sided: Sided::Two,
            ci: Some(self.settings.ci),
        }
    }

    /// The design estimate of a rate over every row, its interval as the settings say.
    pub(super) fn estimate_ratio(
        &self,
        kind: Kind,
        columns: &Columns,
    ) -> Result<Estimate, VerdictError> {
        estimate(
            &self.design,
            columns.ratio(),
            Domains::All,
            &self.rate_options(),
        )
        .and_then(|e| e.single())
        .map_err(|source| VerdictError::Estimate {
            indicator: kind.name(),
            source,
        })
    }

    /// The shape of an indicator's sample for its decision risk: `unit` gives a weighted
    /// respondent's units (people, or 1 household), `None` outside the indicator.
    pub(super) fn shape(&self, unit: impl Fn(&Row) -> Option<f64>) -> super::risk::Shape {
        let w = self.design.weights();
        let mut villages = std::collections::HashSet::new();
        let (mut n, mut sum, mut sum2) = (0usize, 0.0, 0.0);
        for (row, &i) in self.weighted.iter().enumerate() {
            let Some(u) = unit(&self.rows[i]) else {
                continue;
            };
            villages.insert(self.respondents[i].household.village.as_str());
            let c = w[row] * u;
            n += 1;
            sum += c;
            sum2 += c * c;
        }
        let kappa2 = if n > 0 && sum > 0.0 {
            n as f64 * sum2 / (sum * sum) - 1.0
        } else {
            0.0
        };
        super::risk::Shape {
            villages: villages.len(),
            households: n,
            kappa2,
        }
    }

    /// The degrees of freedom of an estimate over the design rows `in_domain`, from the
    /// engine's count `raw` (primary units less strata), with each village taken with
    /// certainty counted once. With replacement the engine counts a certainty village's
    /// households less its status cells, about one per household (168 for 8 take-all villages
    /// of 22 households, against 11-23 real ones), which narrows the bounds; the village is
    /// one unit of information about its own variance, so it adds one (Valliant and Rust 2010
    /// show the household count far too high). Without replacement the engine's certainty
    /// village is one unit in its own stratum (0); it adds one there too.
    pub(super) fn df(&self, raw: usize, in_domain: impl Fn(usize) -> bool) -> usize {
        let mut households = std::collections::HashSet::new();
        let mut cells = std::collections::HashSet::new();
        let mut villages = std::collections::HashSet::new();
        for (row, &i) in self.weighted.iter().enumerate() {
            let r = &self.respondents[i];
            if in_domain(row) && r.household.certainty {
                households.insert(r.psu.as_str());
                cells.insert(r.variance_stratum.as_str());
                villages.insert(r.household.village.as_str());
            }
        }
        let engine_count = match self.settings.variance {
            VarianceMethod::WithReplacement => households.len() - cells.len(),
            VarianceMethod::WithoutReplacement => 0,
        };
        (raw + villages.len()).saturating_sub(engine_count)
    }

    /// The design variance of the total `Σ w u` of a linearised variable `u` (its interval is
    /// computed afterwards, as a proportion's).
    pub(super) fn variance_of_total(
        &self,
        kind: Kind,
        u: &[Option<f64>],
    ) -> Result<Estimate, VerdictError> {
        let opts = EstimateOptions {
            confidence: self.settings.confidence,
            sided: Sided::Two,
            ci: None,
        };
        estimate(&self.design, Statistic::Total(u), Domains::All, &opts)
            .and_then(|e| e.single())
            .map_err(|source| VerdictError::Estimate {
                indicator: kind.name(),
                source,
            })
    }
}

/// The design of the weighted respondents (docs/verdict.md, "Variance"). With replacement:
/// strata = village strata, PSUs = villages (households in a certainty village, its own
/// stratum). Without replacement: PSUs = villages, with their inclusion probabilities as a
/// Brewer stage-1 fpc (1 for a certainty village, its own stratum), and at stage 2 the
/// households, stratified by register status inside each village, with the cell's fraction
/// `r_hv / N'_hv` as the stage-2 fpc.
fn design(
    respondents: &[Respondent],
    weighted: &[usize],
    settings: &Settings,
) -> Result<Design, VerdictError> {
    let of = |f: &dyn Fn(&Respondent) -> String| -> Vec<String> {
        weighted.iter().map(|&i| f(&respondents[i])).collect()
    };
    let builder = Design::builder(weighted.len())
        .weights(
            weighted
                .iter()
                .map(|&i| respondents[i].weight.unwrap_or(0.0))
                .collect(),
        )
        .strata(of(&|r| r.variance_stratum.clone()))
        .lonely_psu(settings.lonely_psu);
    let builder = match settings.variance {
        VarianceMethod::WithReplacement => {
            let builder = builder.psu(of(&|r| r.psu.clone()));
            // Only a certainty village needs the correction (and the engine collapses lonely
            // strata only without one).
            if weighted.iter().any(|&i| respondents[i].household.certainty) {
                builder.fpc(certainty_fractions(respondents, weighted))
            } else {
                builder
            }
        }
        VarianceMethod::WithoutReplacement => {
            let column = |f: &dyn Fn(&Respondent) -> f64| -> Vec<f64> {
                weighted.iter().map(|&i| f(&respondents[i])).collect()
            };
            builder
                .psu(of(&|r| r.household.village.clone()))
                .fpc(column(&|r| village_pi(r.household)))
                .pps(Pps::Brewer)
                .stage2_strata(of(&|r| r.household.stratum.clone()))
                .fpc2(column(&|r| r.cell_fraction))
        }
    };
    builder.build().map_err(|source| VerdictError::Design {
        source,
        variance: settings.variance,
    })
}

/// The with-replacement design's stage-1 fpc: for the villages drawn at random a fraction of
/// `f64::MIN_POSITIVE`, so that `1 − f` is 1 (no correction: the engine takes a fraction in
/// (0, 1], R's convention); in a certainty village, whose strata are its status cells and whose primary units
/// are households drawn without replacement, the cell's fraction `r_hv / N'_hv`. A cell with a
/// single respondent cannot estimate its own variance; it counts as enumerated (fraction 1:
/// no variance, rather than a lonely stratum).
fn certainty_fractions(respondents: &[Respondent], weighted: &[usize]) -> Vec<f64> {
    let mut per_cell: std::collections::HashMap<&str, usize> = Default::default();
    for &i in weighted {
        *per_cell
            .entry(respondents[i].variance_stratum.as_str())
            .or_default() += 1;
    }
    weighted
        .iter()
        .map(|&i| {
            let r = &respondents[i];
            match (r.household.certainty, per_cell[r.variance_stratum.as_str()]) {
                (false, _) => f64::MIN_POSITIVE,
                (true, 1) => 1.0,
                (true, _) => r.cell_fraction,
            }
        })
        .collect()
}

/// A village's inclusion probability for the variance: 1 when taken with certainty.
fn village_pi(h: &DrawnHousehold) -> f64 {
    if h.certainty {
        1.0
    } else {
        h.pi_village.unwrap_or(1.0)
    }
}
