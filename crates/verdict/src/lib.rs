//! The county verdict: from the draw's households and what the visits found, the final weights,
//! the four exit indicators (poverty incidence, wrong-exit rate, missed-assessment rate, public
//! approval), each official (the unweighted ratio the rules describe) and design-based (weighted,
//! with a Taylor-linearised variance over villages from `assess-survey` and an interval that is
//! never 0 at the top), and the decision: approve or defer by the official rule, with the
//! statistical reading beside it and what drove every failing indicator.
//!
//! Layout: `input` (what a verdict is computed from), `weights` (final weights, cell
//! collapsing), `indicators` (the four indicators and their readings), `explain` (drivers
//! and the household list), `settings` (settings and thresholds). Formulas and sources:
//! `docs/verdict.md`.
//!
//! Not for: reading the store or files (the store builds a [`CountyInput`]), judging households
//! (`assess-inspection` does, before this crate sees them), or writing reports. No I/O;
//! deterministic.
#![deny(missing_docs)]

mod explain;
mod indicators;
mod input;
mod response;
mod settings;
mod weights;

pub use explain::{Driver, FailingHousehold, STANDARDS};
pub use indicators::{DecisionRisk, DomainEstimate, Indicator, IntervalOf, Kind, Reading};
pub use input::{
    CountyInput, DesignFacts, DrawnHousehold, HouseholdOutcome, RegisterPeople,
    VillageNonRegistered, Visit,
};
pub use response::ResponseRates;
pub use settings::{
    ApprovalDefinition, ByHandVillages, DontKnow, MissedDenominator, RateBasis, Settings,
    VarianceMethod, DEFAULT_DEFF_FLOOR,
};
pub use weights::{is_respondent, weigh, Collapses, Respondent};

/// The identification flags' types, as the verdict lists them (reports need not know the
/// inspection crate).
pub use assess_inspection::{FlaggedHousehold, IdentificationFlag, MaskedIdentity};
use assess_standards::CountyThresholds;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// Why a verdict could not be computed. Messages name no command-line option; a front end
/// adds the setting to change.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VerdictError {
    /// The design could not be built (e.g. a variance stratum with a single village).
    #[error("the sample design")]
    Design {
        /// Why.
        #[source]
        source: assess_survey::DesignError,
        /// The variance method the design was built for.
        variance: VarianceMethod,
    },
    /// An indicator has no interviewed household to compute it from.
    #[error("{0}: no interviewed household in its domain; import the visit records first")]
    EmptyDomain(&'static str),
    /// The estimator failed.
    #[error("{indicator}")]
    Estimate {
        /// The indicator.
        indicator: &'static str,
        /// Why.
        #[source]
        source: assess_survey::EstimateError,
    },
    /// The missed rate over the sampled villages without the register's village counts.
    #[error(
        "the missed rate over the sampled villages needs the non-registered people of each \
         sampled village from the register"
    )]
    NoVillagePopulation,
    /// A sampled village has no count of non-registered people.
    #[error(
        "village {0} was sampled but the register's counts given do not include it: give the \
         register the draw was made from"
    )]
    VillageNotCounted(String),
    /// The rural population given is smaller than the register's registered people.
    #[error(
        "the rural population {rural} is smaller than the {registered} people of the register's \
         exited and poor households"
    )]
    RuralPopulationBelowRegister {
        /// The rural population given.
        rural: f64,
        /// Exited and poor people in the register.
        registered: f64,
    },
    /// The sampled villages have no non-registered people in the register.
    #[error(
        "missed_rate: the sampled villages have no non-registered people in the register, so \
         the rate over them has no denominator"
    )]
    NoNonRegisteredPeople,
}

/// Approve the exit, or defer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Every indicator passes its threshold.
    Approve,
    /// At least one indicator fails.
    Defer,
    /// No indicator fails, but at least one cannot be estimated from this sample: the exit
    /// rules need all four, so the county is not decided.
    Undecided,
}

/// Counts behind the rates.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    /// Households in the sample (primaries and reserves).
    pub sampled: usize,
    /// Primaries.
    pub primaries: usize,
    /// Households with a visit record.
    pub visited: usize,
    /// Reserves visited.
    pub reserves_used: usize,
    /// Ineligible.
    pub ineligible: usize,
    /// Interviewed (with a judged household record).
    pub interviewed: usize,
    /// Interviewed households with a weight (villages drawn by probability).
    pub weighted: usize,
    /// Response rate: interviewed / (visited − ineligible).
    pub response_rate: f64,
    /// Replacement rate: reserves used / primaries.
    pub replacement_rate: f64,
}

/// A county's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// County code.
    pub county_code: String,
    /// County name.
    pub county_name: String,
    /// The decision by the official rule.
    pub decision: Decision,
    /// The indicators by name (all four, unless one cannot be estimated).
    pub indicators: BTreeMap<String, Indicator>,
    /// The indicators the sample cannot estimate, with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_estimable: Vec<indicators::NotEstimable>,
    /// Why: each failing indicator and what drove it; readings that are inconclusive; first,
    /// when appeals are still pending, that warning.
    pub reasons: Vec<String>,
    /// Households of the county whose findings are contested and whose appeals are not yet
    /// decided: the verdict after the appeals may change when they are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending_appeals: Vec<String>,
    /// What drove the failing rates.
    pub drivers: Vec<Driver>,
    /// Households found wrongly exited or missed: the list the county may contest.
    pub failing_households: Vec<FailingHousehold>,
    /// Visited households whose records carry identification flags (a vehicle over the
    /// standards' value, a flat or shop in town, a company, the public payroll, a village
    /// cadre), by village and household: leads for the county to re-examine identification.
    /// They enter none of the four rates.
    pub identification_flags: Vec<FlaggedHousehold>,
    /// The wrong-exit and missed rates by township, village stratum, team and interviewer
    /// pair (domains with fewer than 8 degrees of freedom are flagged).
    pub domains: Vec<DomainEstimate>,
    /// Cells collapsed for want of respondents.
    pub collapses: Collapses,
    /// Sample and response counts.
    pub counts: Counts,
    /// Response and replacement rates by village, then by team.
    pub response_rates: Vec<ResponseRates>,
    /// The thresholds used.
    pub thresholds: CountyThresholds,
    /// The settings used.
    pub settings: Settings,
}

/// The verdict of one county.
pub fn county_verdict(
    input: &CountyInput,
    thresholds: &CountyThresholds,
    settings: &Settings,
) -> Result<Verdict, VerdictError> {
    county_verdict_with_villages(input, None, thresholds, settings)
}

/// The verdict of one county, with the register's non-registered people of each sampled
/// village (village code → people), which the missed rate over the sampled villages
/// (`MissedDenominator::SampledVillages`) divides by; other settings ignore them.
pub fn county_verdict_with_villages(
    input: &CountyInput,
    village_non_registered: Option<&BTreeMap<String, f64>>,
    thresholds: &CountyThresholds,
    settings: &Settings,
) -> Result<Verdict, VerdictError> {
    let (respondents, collapses) = weigh(input);
    let (counts, nonresponse) = counts(input);
    let villages = match (settings.missed_denominator, village_non_registered) {
        (MissedDenominator::SampledVillages, Some(people)) => {
            Some(sampled_villages(input, people)?)
        }
        _ => None,
    };
    let computed = indicators::compute(
        &respondents,
        &input.register,
        thresholds,
        settings,
        nonresponse,
        villages.as_deref(),
    )?;
    let domains = computed.domains;
    let failing = explain::failing_households(&respondents);
    let drivers: Vec<Driver> = ["wrong_exit_rate", "missed_rate"]
        .iter()
        .flat_map(|i| explain::drivers(i, &failing))
        .collect();
    let indicators: BTreeMap<String, Indicator> = computed
        .indicators
        .into_iter()
        .map(|i| (i.kind.name().to_string(), i))
        .collect();
    let not_estimable = computed.not_estimable;
    let decision = if !indicators.values().all(|i| i.passes) {
        Decision::Defer
    } else if !not_estimable.is_empty() {
        Decision::Undecided
    } else {
        Decision::Approve
    };
    let mut reasons: Vec<String> = pending_appeals_reason(&input.pending_appeals)
        .into_iter()
        .collect();
    reasons.extend(
        not_estimable
            .iter()
            .map(|n| format!("{} is not estimable: {}", n.indicator, n.reason)),
    );
    reasons.extend(self::reasons(&indicators, &drivers, settings));
    let by_hand = respondents.iter().filter(|r| r.weight.is_none()).count();
    reasons.extend(by_hand_reason(by_hand, settings.by_hand_villages));
    reasons.extend(taken_whole_reason(&respondents));
    Ok(Verdict {
        county_code: input.county.clone(),
        county_name: input.name.clone(),
        decision,
        indicators,
        not_estimable,
        reasons,
        pending_appeals: input.pending_appeals.clone(),
        drivers,
        failing_households: failing,
        identification_flags: explain::identification_flags(input),
        domains,
        collapses,
        counts,
        response_rates: response::by_village_and_team(input),
        thresholds: thresholds.clone(),
        settings: settings.clone(),
    })
}

/// Every sampled village of the county (in sample order) with its non-registered people.
fn sampled_villages(
    input: &CountyInput,
    people: &BTreeMap<String, f64>,
) -> Result<Vec<VillageNonRegistered>, VerdictError> {
    // A village's non-registered cell is taken whole when its primaries are the cell's
    // register count N_hv.
    let mut drawn: std::collections::HashMap<&str, (f64, f64)> = Default::default();
    for h in input
        .households
        .iter()
        .filter(|h| h.stratum == "non_registered")
    {
        let cell = drawn
            .entry(h.village.as_str())
            .or_insert((0.0, h.cell_population));
        cell.0 += f64::from(u8::from(h.primary));
    }
    let mut seen = HashSet::new();
    input
        .households
        .iter()
        .filter(|h| seen.insert(h.village.as_str()))
        .map(|h| {
            let people = *people
                .get(&h.village)
                .ok_or_else(|| VerdictError::VillageNotCounted(h.village.clone()))?;
            let (primaries, population) =
                drawn.get(h.village.as_str()).copied().unwrap_or((0.0, 0.0));
            Ok(VillageNonRegistered {
                village: h.village.clone(),
                people,
                pi: h.pi_village.map(|p| if h.certainty { 1.0 } else { p }),
                take_all: primaries >= population,
            })
        })
        .collect()
}

fn counts(input: &CountyInput) -> (Counts, indicators::NonResponse) {
    let visited: std::collections::HashMap<&str, &Visit> = input
        .visits
        .iter()
        .map(|v| (v.household_id.as_str(), v))
        .collect();
    let mut c = Counts {
        sampled: input.households.len(),
        ..Counts::default()
    };
    let mut nr = indicators::NonResponse::default();
    let respondents: HashSet<&str> = input
        .visits
        .iter()
        .filter(|v| is_respondent(v))
        .map(|v| v.household_id.as_str())
        .collect();
    for h in &input.households {
        c.primaries += usize::from(h.primary);
        let visit = visited.get(h.household_id.as_str());
        if let Some(v) = visit {
            c.visited += 1;
            c.reserves_used += usize::from(!h.primary);
            if matches!(v.disposition, assess_inspection::Disposition::Ineligible(_)) {
                c.ineligible += 1;
                continue;
            }
        }
        let counted_unit = h.primary || visit.is_some();
        if counted_unit && !respondents.contains(h.household_id.as_str()) {
            let people = f64::from(h.register_members);
            nr.households += 1.0;
            match h.stratum.as_str() {
                "exited" => nr.exited_people += people,
                "non_registered" => nr.non_registered_people += people,
                _ => {}
            }
        }
    }
    c.interviewed = respondents.len();
    c.weighted = input
        .households
        .iter()
        .filter(|h| h.pi_village.is_some() && respondents.contains(h.household_id.as_str()))
        .count();
    let eligible = c.visited - c.ineligible;
    c.response_rate = if eligible > 0 {
        c.interviewed as f64 / eligible as f64
    } else {
        0.0
    };
    c.replacement_rate = if c.primaries > 0 {
        c.reserves_used as f64 / c.primaries as f64
    } else {
        0.0
    };
    (c, nr)
}

fn percent(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
}

fn reasons(
    indicators: &BTreeMap<String, Indicator>,
    drivers: &[Driver],
    settings: &Settings,
) -> Vec<String> {
    let mut out = Vec::new();
    for kind in [
        Kind::PovertyIncidence,
        Kind::WrongExitRate,
        Kind::MissedRate,
        Kind::ApprovalRate,
    ] {
        let Some(i) = indicators.get(kind.name()) else {
            continue; // not estimable: said first
        };
        let basis = match settings.rate_basis {
            RateBasis::Official => "official",
            RateBasis::Design => "design-based",
        };
        let (cmp, fails) = if kind.passes_above() {
            ("below", "is")
        } else {
            ("at or above", "is")
        };
        if !i.passes {
            out.push(format!(
                "{} {fails} {} ({basis}), {cmp} the threshold {}",
                kind.name(),
                percent(i.estimate),
                percent(i.threshold)
            ));
            for d in drivers.iter().filter(|d| d.indicator == kind.name()) {
                out.push(format!("  {}", d.sentence()));
            }
        }
        for note in &i.notes {
            out.push(format!("{}: {note}", kind.name()));
        }
        if let Some(r) = disagreement(i, settings) {
            out.push(format!("{}: {r}", kind.name()));
        }
        if i.reading == Reading::Inconclusive {
            out.push(format!(
                "{}: statistically inconclusive: the {:.0}% interval {}–{} contains the threshold {}",
                kind.name(),
                100.0 * settings.confidence,
                percent(i.lci),
                percent(i.uci),
                percent(i.threshold)
            ));
        }
    }
    if out.is_empty() {
        out.push("every indicator passes its threshold".to_string());
    }
    out
}

/// When the official (unweighted) value lies outside the design-based interval: the sample
/// is not self-weighting for this indicator, and the rule's ratio is off by more than the
/// sampling error of the estimate the design supports. Says by how much, and the cause: each
/// interviewed household counts alike in the official ratio, while the estimate weighs it by
/// its inclusion probability (Kish's weighting effect measures how unequal those are).
fn disagreement(i: &Indicator, settings: &Settings) -> Option<String> {
    let (lci, uci) = i.design_interval;
    if i.official >= lci && i.official <= uci {
        return None;
    }
    Some(format!(
        "the official value {} lies outside the design-based {:.0}% interval {}–{} (design \
         estimate {}, a difference of {:.2} points): the sample is not self-weighting, and the \
         unweighted ratio counts every interviewed household alike where the estimate weighs \
         each by its inclusion probability (weighting effect {:.2}){}",
        percent(i.official),
        100.0 * settings.confidence,
        percent(lci),
        percent(uci),
        percent(i.design),
        100.0 * (i.official - i.design),
        i.weighting_effect,
        match settings.rate_basis {
            RateBasis::Official => "; the decision uses the official value",
            RateBasis::Design => "",
        }
    ))
}

/// Appeals not yet decided: the findings they contest may still change, and with them the
/// verdict after the appeals, so the decision is not final until they are decided. The
/// sentence names the first few households; `pending_appeals` holds them all.
fn pending_appeals_reason(households: &[String]) -> Option<String> {
    const NAMED: usize = 10;
    let n = households.len();
    if n == 0 {
        return None;
    }
    let mut named = households
        .iter()
        .take(NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if n > NAMED {
        named.push_str(&format!(" and {} more", n - NAMED));
    }
    let one = n == 1;
    Some(format!(
        "{n} appeal{} still pending (household{} {named}): the verdict after the appeals may \
         change when {} decided; decide {} and compute the verdict again",
        if one { " is" } else { "s are" },
        if one { "" } else { "s" },
        if one { "it is" } else { "they are" },
        if one { "it" } else { "them" },
    ))
}

/// Villages taken with certainty whose status cells were taken whole (every household of the
/// status, all interviewed): their finite population correction is 0, so they add no
/// sampling variance, which a reader of a census-shaped verdict must know.
fn taken_whole_reason(respondents: &[Respondent<'_>]) -> Option<String> {
    let whole: Vec<&Respondent<'_>> = respondents.iter().filter(|r| r.taken_whole()).collect();
    if whole.is_empty() {
        return None;
    }
    let villages: std::collections::BTreeSet<&str> =
        whole.iter().map(|r| r.household.village.as_str()).collect();
    Some(format!(
        "{} interviewed household(s) in {} village(s) were taken with certainty and whole \
         (every household of their status): they add no sampling variance (finite population \
         correction 0); a rate whose households were all taken so has no sampling error, and \
         its interval is its value",
        whole.len(),
        villages.len()
    ))
}

/// What the official values did with the interviews of villages taken by hand, when there
/// are any.
fn by_hand_reason(households: usize, setting: ByHandVillages) -> Option<String> {
    if households == 0 {
        return None;
    }
    Some(match setting {
        ByHandVillages::Exclude => format!(
            "{households} interviewed household(s) of villages taken by hand (no inclusion \
             probability) are left out of the official values, as of the design estimates"
        ),
        ByHandVillages::Include => format!(
            "the official values count {households} interviewed household(s) of villages taken \
             by hand, which no draw selected (the by-hand setting); the design estimates leave \
             them out"
        ),
    })
}

/// Where a verdict came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance {
    /// The draw's id: its sample.csv SHA-256.
    pub sample_sha256: String,
    /// SHA-256 over the sorted content hashes of the records used.
    pub records_sha256: String,
    /// Records used.
    pub records: usize,
    /// `before` or `after` the appeals.
    pub appeals: String,
    /// The standards' version.
    pub standards_version: String,
    /// The register fingerprint of the draw.
    pub frame_fingerprint: String,
    /// The tool's version.
    pub tool_version: String,
    /// For an extended draw (`assess draw --extend`): the earlier phases' draws, whose records
    /// of their own households are read too, the nearest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_phases: Vec<String>,
}

/// verdict.json: the verdict with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerdictFile {
    /// The verdict.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Where it came from.
    pub provenance: Provenance,
    /// The same county's decision and indicators on the records before the appeals, when
    /// `--appeals both`.
    pub before_appeals: Option<Box<VerdictFile>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrong_exit(official: f64, design: f64, lci: f64, uci: f64) -> Indicator {
        Indicator {
            kind: Kind::WrongExitRate,
            estimate: official,
            official,
            design,
            interval_of: IntervalOf::Design,
            se: (uci - lci) / 4.0,
            lci,
            uci,
            design_interval: (lci, uci),
            upper_bound: uci,
            lower_bound: lci,
            df: 23,
            deff: 2.0,
            weighting_effect: 1.62,
            ci: "korn-graubard".to_string(),
            households: 500,
            numerator: 0.0,
            denominator: 1.0,
            threshold: 0.02,
            passes: official < 0.02,
            reading: Reading::Inconclusive,
            confidence_excluding: None,
            unknown: 0,
            bounds_if_nonrespondents: (official, official),
            decision_risk: None,
            notes: Vec::new(),
        }
    }

    /// The review's Luquan case: unsafe housing planted in remote villages, which the plan
    /// over-samples; the official 5.1% against a design estimate of 2.3% (interval 1.2–4.1%).
    #[test]
    fn an_official_value_outside_the_design_interval_is_reported_with_its_cause() {
        let s = Settings::default();
        let r = disagreement(&wrong_exit(0.051, 0.023, 0.012, 0.041), &s).unwrap();
        assert!(
            r.starts_with(
                "the official value 5.10% lies outside the design-based 95% interval 1.20%–4.10%"
            ),
            "{r}"
        );
        assert!(
            r.contains("design estimate 2.30%, a difference of 2.80 points"),
            "{r}"
        );
        assert!(
            r.contains("weighting effect 1.62")
                && r.contains("the decision uses the official value"),
            "{r}"
        );
        // Inside the interval, or at its ends: nothing to say.
        assert_eq!(
            disagreement(&wrong_exit(0.03, 0.023, 0.012, 0.041), &s),
            None
        );
        assert_eq!(
            disagreement(&wrong_exit(0.041, 0.023, 0.012, 0.041), &s),
            None
        );
        // Below it too, and without the decision clause when the design value decides.
        let design = Settings {
            rate_basis: RateBasis::Design,
            ..Settings::default()
        };
        let r = disagreement(&wrong_exit(0.005, 0.023, 0.012, 0.041), &design).unwrap();
        assert!(
            r.contains("a difference of -1.80 points") && !r.contains("decision"),
            "{r}"
        );
    }
}
