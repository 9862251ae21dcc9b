//! The four exit indicators of one county, each official (the unweighted sample ratio the
//! rules describe) and design-based (weighted, with a Taylor-linearised variance over the
//! villages), with intervals, against its threshold (docs/verdict.md, "Indicators").

use crate::input::VillageNonRegistered;
use crate::settings::{
    ApprovalDefinition, DontKnow, MissedDenominator, RateBasis, Settings, VarianceMethod,
};
use crate::weights::Respondent;
use assess_inspection::{Answer, Opinion, Outcome};
use assess_standards::CountyThresholds;
use assess_survey::{
    estimate, proportion_interval, CiMethod, Design, Domains, EstimateOptions, Pps, Sided,
    Statistic,
};
use serde::Serialize;

/// Which indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Comprehensive poverty incidence (passes below its threshold).
    PovertyIncidence,
    /// Wrong-exit rate (passes below).
    WrongExitRate,
    /// Missed-assessment rate (passes below).
    MissedRate,
    /// Public approval (passes at or above).
    ApprovalRate,
}

impl Kind {
    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::PovertyIncidence => "poverty_incidence",
            Kind::WrongExitRate => "wrong_exit_rate",
            Kind::MissedRate => "missed_rate",
            Kind::ApprovalRate => "approval_rate",
        }
    }

    /// True when the indicator passes at or above its threshold (approval), false when it
    /// passes strictly below (the three rates).
    pub fn passes_above(self) -> bool {
        self == Kind::ApprovalRate
    }
}

/// The statistical reading of an indicator against its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reading {
    /// The one-sided bound on the passing side clears the threshold.
    PassesWithConfidence,
    /// The one-sided bound on the failing side is beyond the threshold.
    FailsWithConfidence,
    /// Neither bound excludes the threshold.
    Inconclusive,
}

/// One indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    /// Which one.
    pub kind: Kind,
    /// The value the decision uses (official or design, per the setting).
    pub estimate: f64,
    /// Unweighted sample ratio.
    pub official: f64,
    /// Weighted (design-based) estimate.
    pub design: f64,
    /// Design-based standard error.
    pub se: f64,
    /// Two-sided design-based interval at the settings' confidence.
    pub lci: f64,
    /// Upper end of it.
    pub uci: f64,
    /// One-sided upper bound at the settings' confidence.
    pub upper_bound: f64,
    /// One-sided lower bound.
    pub lower_bound: f64,
    /// Degrees of freedom (primary units − strata of the domain).
    pub df: usize,
    /// Design effect (against simple random sampling with replacement).
    pub deff: f64,
    /// Kish's weighting effect `n Σw² / (Σw)²` of the indicator's respondents: the part of
    /// the design effect due to unequal weights alone (for the incidence, over every
    /// respondent).
    pub weighting_effect: f64,
    /// Interval method.
    pub ci: String,
    /// Households in the official ratio's denominator.
    pub households: usize,
    /// Official numerator (people, or households for approval).
    pub numerator: f64,
    /// Official denominator.
    pub denominator: f64,
    /// The threshold.
    pub threshold: f64,
    /// Official rule on `estimate` (approval compared unrounded).
    pub passes: bool,
    /// The statistical reading.
    pub reading: Reading,
    /// The largest confidence level at which a one-sided bound excludes the threshold, and on
    /// which side; `None` when even a 50% bound does not.
    pub confidence_excluding: Option<f64>,
    /// Households whose finding could not be told (an unknown answer): left out of both
    /// ratios, counted in the non-response bounds.
    pub unknown: usize,
    /// Official value if every non-respondent (and unknown) passed / failed.
    pub bounds_if_nonrespondents: (f64, f64),
}

/// One respondent's values for the indicators.
struct Row {
    people: f64,
    exited: bool,
    non_registered: bool,
    wrong: Option<bool>,
    missed: Option<bool>,
    approves: Option<bool>,
}

fn row(r: &Respondent, settings: &Settings) -> Row {
    let j = r.visit.judgment.as_ref().expect("respondents are judged");
    let people = j
        .people
        .map_or(f64::from(r.household.register_members), f64::from);
    let answer = |a: Answer| match a {
        Answer::Yes => Some(true),
        Answer::No => Some(false),
        Answer::Unknown => None,
    };
    let (wrong, missed) = match j.outcome {
        Outcome::WronglyExited(a) => (answer(a), None),
        Outcome::Missed(a) => (None, answer(a)),
        Outcome::StillPoor(_) => (None, None),
    };
    Row {
        people,
        exited: r.household.stratum == "exited",
        non_registered: r.household.stratum == "non_registered",
        wrong,
        missed,
        approves: r.visit.approval.and_then(|a| approves(&a, settings)),
    }
}

/// Whether a household approves, per the settings; `None` when it cannot be told (not asked,
/// or only "don't know" answers when those are excluded).
pub fn approves(a: &assess_inspection::Approval, settings: &Settings) -> Option<bool> {
    let answers: Vec<Opinion> = a.answers().iter().filter_map(|(_, o)| *o).collect();
    let known: Vec<Opinion> = match settings.dont_know {
        DontKnow::Exclude => answers
            .iter()
            .copied()
            .filter(|o| *o != Opinion::DontKnow)
            .collect(),
        DontKnow::NotApproving => answers.clone(),
    };
    if known.is_empty() {
        return None;
    }
    let approving = |o: &Opinion| matches!(o, Opinion::Satisfied | Opinion::BasicallySatisfied);
    Some(match settings.approval {
        ApprovalDefinition::AllQuestions => known.iter().all(approving),
        ApprovalDefinition::Score { min_share } => {
            known.iter().filter(|o| approving(o)).count() as f64 / known.len() as f64 >= min_share
        }
    })
}

/// The county's indicators.
pub struct Computed {
    /// The four indicators.
    pub indicators: Vec<Indicator>,
    /// The design used (respondents with a weight).
    pub design_rows: usize,
    /// The two rates by township, village stratum, team and interviewer pair.
    pub domains: Vec<DomainEstimate>,
}

/// A rate in one domain (issue 4 part 2: township, village type, team, interviewer).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainEstimate {
    /// `wrong_exit_rate`, `missed_rate` or `approval_rate`.
    pub indicator: String,
    /// `township`, `village_stratum`, `team`, `interviewers`, or (approval only)
    /// `register_stratum`.
    pub domain: String,
    /// The domain's level (a township code, `remote`, a team name, ...).
    pub level: String,
    /// Interviewed households of the indicator in the domain.
    pub households: usize,
    /// Official ratio.
    pub official: f64,
    /// Design estimate.
    pub design: f64,
    /// Its standard error.
    pub se: f64,
    /// Two-sided interval.
    pub lci: f64,
    /// Upper end.
    pub uci: f64,
    /// Degrees of freedom of the domain: villages with respondents in it minus strata.
    pub df: usize,
    /// Fewer than 8 degrees of freedom: the interval is unreliable.
    pub few_df: bool,
}

/// Non-response counts of a domain, in people (or households for approval).
#[derive(Debug, Clone, Copy, Default)]
pub struct NonResponse {
    /// Exited people not interviewed (non-respondents and unvisited primaries).
    pub exited_people: f64,
    /// Non-registered people not interviewed.
    pub non_registered_people: f64,
    /// Households not interviewed.
    pub households: f64,
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
) -> Result<Design, crate::VerdictError> {
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
        VarianceMethod::WithReplacement => builder.psu(of(&|r| r.psu.clone())),
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
    builder
        .build()
        .map_err(|source| crate::VerdictError::Design {
            source,
            variance: settings.variance,
        })
}

/// A village's inclusion probability for the variance: 1 when taken with certainty.
fn village_pi(h: &crate::input::DrawnHousehold) -> f64 {
    if h.certainty {
        1.0
    } else {
        h.pi_village.unwrap_or(1.0)
    }
}

/// Computes the four indicators. `respondents` with no weight (villages taken by hand) count in
/// the official ratios only. `villages`: the non-registered people of every sampled village,
/// needed when the missed rate divides by them.
pub fn compute(
    respondents: &[Respondent],
    register: &crate::input::RegisterPeople,
    thresholds: &CountyThresholds,
    settings: &Settings,
    nonresponse: NonResponse,
    villages: Option<&[VillageNonRegistered]>,
) -> Result<Computed, crate::VerdictError> {
    let rows: Vec<Row> = respondents.iter().map(|r| row(r, settings)).collect();
    let weighted: Vec<usize> = (0..respondents.len())
        .filter(|&i| respondents[i].weight.is_some())
        .collect();
    let design = design(respondents, &weighted, settings)?;
    let col = |f: &dyn Fn(&Row) -> Option<f64>| -> Vec<Option<f64>> {
        weighted.iter().map(|&i| f(&rows[i])).collect()
    };
    let wrong = rate(
        Kind::WrongExitRate,
        &rows,
        &design,
        &col(&|r| {
            r.wrong
                .filter(|_| r.exited)
                .map(|w| if w { r.people } else { 0.0 })
        }),
        &col(&|r| r.wrong.filter(|_| r.exited).map(|_| r.people)),
        |r| r.exited,
        |r| r.wrong,
        thresholds.wrong_exit_rate,
        settings,
        nonresponse.exited_people,
    )?;
    let missed_people = col(&|r| {
        r.missed
            .filter(|_| r.non_registered)
            .map(|m| if m { r.people } else { 0.0 })
    });
    let missed = match (settings.missed_denominator, villages) {
        (MissedDenominator::SampledHouseholds, _) => rate(
            Kind::MissedRate,
            &rows,
            &design,
            &missed_people,
            &col(&|r| r.missed.filter(|_| r.non_registered).map(|_| r.people)),
            |r| r.non_registered,
            |r| r.missed,
            thresholds.missed_rate,
            settings,
            nonresponse.non_registered_people,
        )?,
        (MissedDenominator::SampledVillages, Some(villages)) => missed_over_villages(
            &rows,
            &design,
            &missed_people,
            &weighted
                .iter()
                .map(|&i| respondents[i].household.village.as_str())
                .collect::<Vec<_>>(),
            villages,
            thresholds.missed_rate,
            settings,
            nonresponse.non_registered_people,
        )?,
        (MissedDenominator::SampledVillages, None) => {
            return Err(crate::VerdictError::NoVillagePopulation)
        }
    };
    let incidence = incidence(
        &wrong.0, &missed.0, &wrong.1, &missed.1, &design, register, thresholds, settings,
    )?;
    let approval = rate(
        Kind::ApprovalRate,
        &rows,
        &design,
        &col(&|r| r.approves.map(|a| if a { 1.0 } else { 0.0 })),
        &col(&|r| r.approves.map(|_| 1.0)),
        |_| true,
        |r| r.approves,
        thresholds.approval_rate,
        settings,
        nonresponse.households,
    )?;
    let domains = domain_estimates(respondents, &rows, &weighted, &design, settings);
    Ok(Computed {
        indicators: vec![incidence, wrong.0, missed.0, approval.0],
        design_rows: weighted.len(),
        domains,
    })
}

/// Wrong-exit, missed and approval rates in every domain level with at least one household.
fn domain_estimates(
    respondents: &[Respondent],
    rows: &[Row],
    weighted: &[usize],
    design: &Design,
    settings: &Settings,
) -> Vec<DomainEstimate> {
    type Key = fn(&Respondent) -> String;
    type Value = fn(&Row) -> Option<bool>;
    type Unit = fn(&Row) -> f64;
    type Kinds<'a> = &'a [(&'a str, Key)];
    let kinds: [(&str, Key); 5] = [
        ("township", |r| r.household.township.clone()),
        ("village_stratum", |r| r.household.village_stratum.clone()),
        ("team", |r| r.visit.team.clone()),
        ("interviewers", |r| r.visit.interviewers.clone()),
        ("register_stratum", |r| r.household.stratum.clone()),
    ];
    let opts = EstimateOptions {
        confidence: settings.confidence,
        sided: Sided::Two,
        ci: Some(settings.ci),
    };
    // The two rates count people and their register stratum is fixed (exited, or
    // non-registered); approval counts households, asked of every register stratum.
    let people: Unit = |r| r.people;
    let household: Unit = |_| 1.0;
    let indicators: [(&str, Value, Unit, Kinds); 3] = [
        (
            "wrong_exit_rate",
            |r| r.wrong.filter(|_| r.exited),
            people,
            &kinds[..4],
        ),
        (
            "missed_rate",
            |r| r.missed.filter(|_| r.non_registered),
            people,
            &kinds[..4],
        ),
        ("approval_rate", |r| r.approves, household, &kinds),
    ];
    let mut out = Vec::new();
    for (indicator, value, unit, kinds) in indicators {
        let num: Vec<Option<f64>> = weighted
            .iter()
            .map(|&i| value(&rows[i]).map(|v| if v { unit(&rows[i]) } else { 0.0 }))
            .collect();
        let den: Vec<Option<f64>> = weighted
            .iter()
            .map(|&i| value(&rows[i]).map(|_| unit(&rows[i])))
            .collect();
        for &(domain, key) in kinds {
            let levels: std::collections::BTreeSet<String> = respondents.iter().map(key).collect();
            for level in levels {
                let members: Vec<usize> = (0..rows.len())
                    .filter(|&i| key(&respondents[i]) == level && value(&rows[i]).is_some())
                    .collect();
                if members.is_empty() {
                    continue;
                }
                let (y, m) = members.iter().fold((0.0, 0.0), |(y, m), &i| {
                    let yes = value(&rows[i]) == Some(true);
                    (
                        y + if yes { unit(&rows[i]) } else { 0.0 },
                        m + unit(&rows[i]),
                    )
                });
                let mask: Vec<bool> = weighted
                    .iter()
                    .map(|&i| key(&respondents[i]) == level)
                    .collect();
                let ratio = Statistic::Ratio {
                    numerator: &num,
                    denominator: &den,
                };
                let e = estimate(design, ratio, Domains::Subset(&mask), &opts);
                let Ok(e) = e.and_then(|e| e.single()) else {
                    continue;
                };
                out.push(DomainEstimate {
                    indicator: indicator.to_string(),
                    domain: domain.to_string(),
                    level,
                    households: members.len(),
                    official: y / m,
                    design: e.estimate,
                    se: e.se,
                    lci: e.lci,
                    uci: e.uci,
                    df: e.df,
                    few_df: e.df < 8,
                });
            }
        }
    }
    out
}

/// A rate: official Σy/Σm over all respondents of the domain; design Σwy/Σwm. Returns the
/// indicator and its linearised variable (for the incidence's joint variance).
#[allow(clippy::too_many_arguments)]
fn rate(
    kind: Kind,
    rows: &[Row],
    design: &Design,
    numerator: &[Option<f64>],
    denominator: &[Option<f64>],
    in_domain: impl Fn(&Row) -> bool,
    value: impl Fn(&Row) -> Option<bool>,
    threshold: f64,
    settings: &Settings,
    missing_units: f64,
) -> Result<(Indicator, Vec<f64>), crate::VerdictError> {
    let weight_of = |r: &Row| {
        if kind == Kind::ApprovalRate {
            1.0
        } else {
            r.people
        }
    };
    let Official {
        y,
        m,
        households,
        unknown,
        unknown_units,
    } = official_sums(rows, in_domain, value, weight_of);
    if households == 0 {
        return Err(crate::VerdictError::EmptyDomain(kind.name()));
    }
    let official = y / m;
    let opts = EstimateOptions {
        confidence: settings.confidence,
        sided: Sided::Two,
        ci: Some(settings.ci),
    };
    let ratio = Statistic::Ratio {
        numerator,
        denominator,
    };
    let est = estimate(design, ratio, Domains::All, &opts)
        .and_then(|e| e.single())
        .map_err(|source| crate::VerdictError::Estimate {
            indicator: kind.name(),
            source,
        })?;
    let w = design.weights();
    let total_m: f64 = (0..design.n_rows())
        .map(|i| w[i] * denominator[i].unwrap_or(0.0))
        .sum();
    let z: Vec<f64> = (0..design.n_rows())
        .map(|i| match (numerator[i], denominator[i]) {
            (Some(yv), Some(mv)) => (yv - est.estimate * mv) / total_m,
            _ => 0.0,
        })
        .collect();
    let missing = missing_units + unknown_units;
    // None of the missing failing (for approval: none approving), or all of them.
    let bounds = (y / (m + missing), (y + missing) / (m + missing));
    let indicator = finish(
        kind,
        official,
        est.estimate,
        est.variance,
        households as f64,
        est.df,
        (est.deff, est.weighting_effect),
        (y, m, households),
        threshold,
        settings,
        unknown,
        bounds,
    )?;
    Ok((indicator, z))
}

/// The official sums of a rate over the respondents of its domain.
struct Official {
    /// Units (people, or households for approval) with a positive finding.
    y: f64,
    /// Units with a known finding.
    m: f64,
    /// Households with a known finding.
    households: usize,
    /// Households whose finding is unknown.
    unknown: usize,
    /// Their units.
    unknown_units: f64,
}

fn official_sums(
    rows: &[Row],
    in_domain: impl Fn(&Row) -> bool,
    value: impl Fn(&Row) -> Option<bool>,
    weight_of: impl Fn(&Row) -> f64,
) -> Official {
    let mut o = Official {
        y: 0.0,
        m: 0.0,
        households: 0,
        unknown: 0,
        unknown_units: 0.0,
    };
    for r in rows.iter().filter(|r| in_domain(r)) {
        match value(r) {
            Some(v) => {
                o.households += 1;
                o.m += weight_of(r);
                if v {
                    o.y += weight_of(r);
                }
            }
            None => {
                o.unknown += 1;
                o.unknown_units += weight_of(r);
            }
        }
    }
    o
}

/// The missed rate over the non-registered people of the sampled villages (docs/verdict.md,
/// "Indicators"). Official: missed people found / `D = Σ_v NR_v` over the sampled villages (the
/// rule's words). Design: `R̂ = Σ w y / X̂`, `X̂ = Σ_v NR_v / π_v` over the sampled villages
/// with an inclusion probability: the estimated missed people of the county over its
/// non-registered people estimated from the register's known village counts. Its linearised
/// variable is `w_i z_i = (w_i y_i − R̂ c_i) / X̂`, with the village's `NR_v / π_v` spread
/// evenly over its rows as `c_i` (a known constant of the village: it moves the village total,
/// never a deviation inside a village). Returns the indicator and `z` (the engine's totals
/// weight it).
#[allow(clippy::too_many_arguments)]
fn missed_over_villages(
    rows: &[Row],
    design: &Design,
    numerator: &[Option<f64>],
    row_village: &[&str],
    villages: &[VillageNonRegistered],
    threshold: f64,
    settings: &Settings,
    missing_people: f64,
) -> Result<(Indicator, Vec<f64>), crate::VerdictError> {
    let kind = Kind::MissedRate;
    let o = official_sums(rows, |r| r.non_registered, |r| r.missed, |r| r.people);
    if o.households == 0 {
        return Err(crate::VerdictError::EmptyDomain(kind.name()));
    }
    let d: f64 = villages.iter().map(|v| v.people).sum();
    let expanded: Vec<(&str, f64)> = villages
        .iter()
        .filter_map(|v| {
            v.pi.filter(|p| *p > 0.0)
                .map(|p| (v.village.as_str(), v.people / p))
        })
        .collect();
    let x_hat: f64 = expanded.iter().map(|e| e.1).sum();
    if d <= 0.0 || x_hat <= 0.0 {
        return Err(crate::VerdictError::NoNonRegisteredPeople);
    }
    let w = design.weights();
    let y_hat: f64 = (0..design.n_rows())
        .map(|i| w[i] * numerator[i].unwrap_or(0.0))
        .sum();
    let r_hat = y_hat / x_hat;
    let mut rows_of: std::collections::HashMap<&str, usize> = Default::default();
    for (i, v) in row_village.iter().enumerate() {
        if w[i] > 0.0 {
            *rows_of.entry(v).or_default() += 1;
        }
    }
    let share: std::collections::HashMap<&str, f64> = expanded
        .iter()
        .map(|&(v, x)| (v, x / rows_of.get(v).copied().unwrap_or(1) as f64))
        .collect();
    // The engine's total is Σ w_i z_i: z_i = (y_i − R̂ c_i / w_i) / X̂.
    let z: Vec<f64> = (0..design.n_rows())
        .map(|i| {
            let c = share.get(row_village[i]).copied().unwrap_or(0.0);
            let spread = if w[i] > 0.0 { c / w[i] } else { 0.0 };
            (numerator[i].unwrap_or(0.0) - r_hat * spread) / x_hat
        })
        .collect();
    let opts = EstimateOptions {
        confidence: settings.confidence,
        sided: Sided::Two,
        ci: None,
    };
    let zs: Vec<Option<f64>> = z.iter().copied().map(Some).collect();
    let v = estimate(design, Statistic::Total(&zs), Domains::All, &opts)
        .and_then(|e| e.single())
        .map_err(|source| crate::VerdictError::Estimate {
            indicator: kind.name(),
            source,
        })?;
    let n = o.households as f64;
    let srs = r_hat * (1.0 - r_hat) / n;
    let missing = missing_people + o.unknown_units;
    let indicator = finish(
        kind,
        o.y / d,
        r_hat,
        v.variance,
        n,
        v.df,
        (
            v.variance / srs,
            assess_survey::kish(
                (0..design.n_rows())
                    .filter(|&i| numerator[i].is_some())
                    .map(|i| w[i]),
            ),
        ),
        (o.y, d, o.households),
        threshold,
        settings,
        o.unknown,
        (o.y / d, (o.y + missing) / d),
    )?;
    Ok((indicator, z))
}

/// Comprehensive incidence P = (N_poor + N_nonreg · missed + N_exited · wrong) / N_rural, with
/// the variance of the linearised sum of the two rates' variables (same villages, so their
/// covariance is included).
#[allow(clippy::too_many_arguments)]
fn incidence(
    wrong: &Indicator,
    missed: &Indicator,
    z_wrong: &[f64],
    z_missed: &[f64],
    design: &Design,
    register: &crate::input::RegisterPeople,
    thresholds: &CountyThresholds,
    settings: &Settings,
) -> Result<Indicator, crate::VerdictError> {
    let n_rural = settings
        .rural_population
        .unwrap_or_else(|| register.total());
    let p = |w: f64, m: f64| {
        (register.poor + register.non_registered * m + register.exited * w) / n_rural
    };
    let official = p(wrong.official, missed.official);
    let design_value = p(wrong.design, missed.design);
    let u: Vec<Option<f64>> = z_wrong
        .iter()
        .zip(z_missed)
        .map(|(zw, zm)| Some((register.exited * zw + register.non_registered * zm) / n_rural))
        .collect();
    let opts = EstimateOptions {
        confidence: settings.confidence,
        sided: Sided::Two,
        ci: None,
    };
    let v = estimate(design, Statistic::Total(&u), Domains::All, &opts)
        .and_then(|e| e.single())
        .map_err(|source| crate::VerdictError::Estimate {
            indicator: "poverty_incidence",
            source,
        })?;
    let households = wrong.households + missed.households;
    let bounds = (
        p(
            wrong.bounds_if_nonrespondents.0,
            missed.bounds_if_nonrespondents.0,
        ),
        p(
            wrong.bounds_if_nonrespondents.1,
            missed.bounds_if_nonrespondents.1,
        ),
    );
    finish(
        Kind::PovertyIncidence,
        official,
        design_value,
        v.variance,
        households as f64,
        v.df,
        (
            (wrong.deff + missed.deff) / 2.0,
            design.kish_weighting_effect(),
        ),
        (
            register.poor
                + register.non_registered * missed.official
                + register.exited * wrong.official,
            n_rural,
            households,
        ),
        thresholds.poverty_incidence,
        settings,
        wrong.unknown + missed.unknown,
        bounds,
    )
}

#[allow(clippy::too_many_arguments)]
fn finish(
    kind: Kind,
    official: f64,
    design: f64,
    variance: f64,
    n: f64,
    df: usize,
    (deff, weighting_effect): (f64, f64),
    (numerator, denominator, households): (f64, f64, usize),
    threshold: f64,
    settings: &Settings,
    unknown: usize,
    bounds: (f64, f64),
) -> Result<Indicator, crate::VerdictError> {
    let estimate = match settings.rate_basis {
        RateBasis::Official => official,
        RateBasis::Design => design,
    };
    let interval = |confidence: f64, sided: Sided| {
        proportion_interval(
            design.clamp(0.0, 1.0),
            variance,
            n,
            df as f64,
            settings.ci,
            confidence,
            sided,
        )
        .map_err(|source| crate::VerdictError::Estimate {
            indicator: kind.name(),
            source,
        })
    };
    let (lci, uci) = interval(settings.confidence, Sided::Two)?;
    let (_, upper_bound) = interval(settings.confidence, Sided::Upper)?;
    let (lower_bound, _) = interval(settings.confidence, Sided::Lower)?;
    let passes = if kind.passes_above() {
        estimate >= threshold
    } else {
        estimate < threshold
    };
    let (pass_bound, fail_bound) = if kind.passes_above() {
        (lower_bound >= threshold, upper_bound < threshold)
    } else {
        (upper_bound < threshold, lower_bound >= threshold)
    };
    let reading = match (pass_bound, fail_bound) {
        (true, _) => Reading::PassesWithConfidence,
        (_, true) => Reading::FailsWithConfidence,
        _ => Reading::Inconclusive,
    };
    let confidence_excluding = largest_confidence(|c| {
        let (_, up) = interval(c, Sided::Upper).ok()?;
        let (lo, _) = interval(c, Sided::Lower).ok()?;
        Some(up < threshold || lo >= threshold)
    });
    Ok(Indicator {
        kind,
        estimate,
        official,
        design,
        se: variance.sqrt(),
        lci,
        uci,
        upper_bound,
        lower_bound,
        df,
        deff,
        weighting_effect,
        ci: settings.ci.name().to_string(),
        households,
        numerator,
        denominator,
        threshold,
        passes,
        reading,
        confidence_excluding,
        unknown,
        bounds_if_nonrespondents: bounds,
    })
}

/// The largest confidence level in [0.501, 0.9999] at which `excludes` holds (bounds widen
/// with the level, so it holds on an interval starting at the bottom), to 4 decimals; `None`
/// if not even at the bottom. The bottom is not 0.5 itself: there the t quantiles in
/// Korn-Graubard's effective sample size are both 0 and their ratio is undefined.
fn largest_confidence(excludes: impl Fn(f64) -> Option<bool>) -> Option<f64> {
    const LOW: f64 = 0.501;
    const HIGH: f64 = 0.9999;
    if excludes(LOW) != Some(true) {
        return None;
    }
    if excludes(HIGH) == Some(true) {
        return Some(HIGH);
    }
    let (mut lo, mut hi) = (LOW, HIGH);
    while hi - lo > 1e-6 {
        let mid = (lo + hi) / 2.0;
        if excludes(mid) == Some(true) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some((lo * 1e4).floor() / 1e4)
}

/// The interval method names accepted in settings.
pub fn ci_method(name: &str) -> Option<CiMethod> {
    [
        CiMethod::KornGraubard,
        CiMethod::Wilson,
        CiMethod::Logit,
        CiMethod::Wald,
    ]
    .into_iter()
    .find(|m| m.name() == name)
}
