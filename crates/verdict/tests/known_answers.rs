//! Known answers for the verdict: weights by hand, cell collapsing, official and design
//! rates, the Taylor variance recomputed here independently (ultimate clusters, with
//! replacement), the incidence's joint variance, the decision at the thresholds, the
//! Korn-Graubard bound at zero, and the drivers' sentence.

use assess_divisions::Region;
use assess_household::Status;
use assess_inspection::fixtures::example_record;
use assess_inspection::{judge, Disposition, HouseholdRecord, Opinion};
use assess_standards::ComponentGrade;
use assess_standards::{CountyThresholds, Standards};
use assess_verdict::*;

/// `actual` within `tolerance` of `expected`, both shown when not.
fn assert_close(actual: f64, expected: f64, tolerance: f64) {
    assert!(
        (actual - expected).abs() < tolerance,
        "{actual} vs {expected}"
    );
}

const A: &str = "530128101201"; // township 530128101, remote, pi 0.5
const B: &str = "530128102201"; // township 530128102, remote, pi 0.25
const D: &str = "530128101202"; // township 530128101, remote, pi 0.5: no respondent
const C: &str = "530128103201"; // township 530128103, other, pi 0.5
const E: &str = "530128104201"; // township 530128104, other, pi 0.4

fn household(id: &str, village: &str, stratum: &str, primary: bool, n: f64) -> DrawnHousehold {
    let (vs, pi) = match village {
        A => ("remote", 0.5),
        B => ("remote", 0.25),
        D => ("remote", 0.5),
        C => ("other", 0.5),
        _ => ("other", 0.4),
    };
    DrawnHousehold {
        household_id: id.to_string(),
        township: village[..9].to_string(),
        village: village.to_string(),
        village_stratum: vs.to_string(),
        frame_part: vs.to_string(),
        stratum: stratum.to_string(),
        primary,
        pi_village: Some(pi),
        certainty: false,
        cell_population: n,
        register_members: 3,
    }
}

fn record(status: Status, unsafe_house: bool) -> HouseholdRecord {
    let mut r = example_record(); // 3 members, every standard met
    r.status = status;
    if unsafe_house {
        r.housing.components.roof_truss = Some(ComponentGrade::C);
        r.housing.inspector_grade = None;
    }
    r
}

fn visit(id: &str, d: Disposition, record: Option<HouseholdRecord>) -> Visit {
    let s = Standards::builtin();
    Visit {
        household_id: id.to_string(),
        disposition: d,
        team: "t1".to_string(),
        interviewers: "a / b".to_string(),
        approval: record.as_ref().and_then(|r| r.approval),
        judgment: record.map(|r| judge(&r, &s).unwrap()),
    }
}

fn complete(id: &str, status: Status, unsafe_house: bool) -> Visit {
    visit(
        id,
        Disposition::Complete,
        Some(record(status, unsafe_house)),
    )
}

/// The county: exited cells as in the docs' worked example, one non-registered respondent
/// cell per village (E: two, one of them missed).
fn county() -> CountyInput {
    use Status::{Exited, NonRegistered};
    let households = vec![
        household("A1", A, "exited", true, 10.0),
        household("A2", A, "exited", true, 10.0),
        household("B1", B, "exited", true, 8.0),
        household("B2", B, "exited", true, 8.0),
        household("BR1", B, "exited", false, 8.0),
        household("C1", C, "exited", true, 6.0),
        household("C2", C, "exited", true, 6.0),
        household("D1", D, "exited", true, 4.0),
        household("D2", D, "exited", true, 4.0),
        household("E1", E, "exited", true, 5.0),
        household("An", A, "non_registered", true, 20.0),
        household("Bn", B, "non_registered", true, 12.0),
        household("Cn", C, "non_registered", true, 9.0),
        household("En1", E, "non_registered", true, 10.0),
        household("En2", E, "non_registered", true, 10.0),
    ];
    let visits = vec![
        complete("A1", Exited, false),
        complete("A2", Exited, false),
        visit("B1", Disposition::Refused, None),
        complete("B2", Exited, false),
        complete("BR1", Exited, true), // wrongly exited: unsafe housing
        visit(
            "C1",
            Disposition::Ineligible(assess_inspection::IneligibleReason::Dissolved),
            None,
        ),
        complete("C2", Exited, false),
        visit("D1", Disposition::Refused, None),
        visit("D2", Disposition::NonContact, None),
        complete("E1", Exited, false),
        complete("An", NonRegistered, false),
        complete("Bn", NonRegistered, false),
        complete("Cn", NonRegistered, false),
        complete("En1", NonRegistered, false),
        complete("En2", NonRegistered, true), // missed
    ];
    CountyInput {
        county: "530128".to_string(),
        name: "Luquan".to_string(),
        households,
        visits,
        register: RegisterPeople {
            exited: 17548.0,
            poor: 537.0,
            non_registered: 53722.0,
        },
        collapse_with: Default::default(),
        pending_appeals: Vec::new(),
    }
}

fn thresholds() -> CountyThresholds {
    Standards::builtin().thresholds_for(Region::West)
}

/// Settings whose standard errors and intervals are the design estimate's (the variance
/// checks below recompute that one by hand).
fn design_basis() -> Settings {
    Settings {
        rate_basis: RateBasis::Design,
        ..Settings::default()
    }
}

#[test]
fn weights_follow_the_formula_with_ineligibles_and_collapsing() {
    let input = county();
    let (respondents, collapses) = weigh(&input);
    let w = |id: &str| {
        respondents
            .iter()
            .find(|r| r.household.household_id == id)
            .and_then(|r| r.weight)
            .unwrap()
    };
    // A: (1/0.5)·10/2 = 10, scaled by (20 + 8)/20 for D's cell (T = 2·4 = 8), same township.
    assert!((w("A1") - 14.0).abs() < 1e-12);
    // B: the refused primary B1 is a non-respondent; r = 2 (B2 and the reserve): 4·8/2 = 16.
    assert!((w("B2") - 16.0).abs() < 1e-12 && (w("BR1") - 16.0).abs() < 1e-12);
    // C: one of two visited is ineligible: N' = 6·(1 − 1/2) = 3; 2·3/1 = 6.
    assert!((w("C2") - 6.0).abs() < 1e-12);
    assert!((w("E1") - 2.5 * 5.0).abs() < 1e-12);
    assert_eq!(collapses.into_township, 1);
    assert_eq!(collapses.into_county, 0);
    assert!(respondents.iter().all(|r| r.household.household_id != "C1"));
}

/// The ratio's variance recomputed here: strata of villages, with replacement:
/// V = Σ_h n_h/(n_h − 1) Σ_i (z_hi − z̄_h)², z_hi = Σ_{k ∈ village i} w_k (y_k − R m_k) / Σ w m.
fn independent_ratio_variance(rows: &[(&str, &str, f64, f64, f64)]) -> (f64, f64) {
    let (ty, tm): (f64, f64) = rows
        .iter()
        .fold((0.0, 0.0), |(a, b), r| (a + r.2 * r.3, b + r.2 * r.4));
    let ratio = ty / tm;
    let mut by_stratum: std::collections::BTreeMap<&str, std::collections::BTreeMap<&str, f64>> =
        Default::default();
    for (stratum, village, w, y, m) in rows {
        *by_stratum
            .entry(stratum)
            .or_default()
            .entry(village)
            .or_default() += w * (y - ratio * m) / tm;
    }
    let v = by_stratum
        .values()
        .map(|psus| {
            let n = psus.len() as f64;
            let mean = psus.values().sum::<f64>() / n;
            n / (n - 1.0) * psus.values().map(|z| (z - mean).powi(2)).sum::<f64>()
        })
        .sum();
    (ratio, v)
}

#[test]
fn wrong_exit_rate_official_design_and_variance() {
    let v = county_verdict(&county(), &thresholds(), &Settings::default()).unwrap();
    let i = &v.indicators["wrong_exit_rate"];
    // Official: 3 of the 6 exited respondents' 18 people... one household of 3 people.
    assert_eq!((i.numerator, i.denominator, i.households), (3.0, 18.0, 6));
    assert!((i.official - 3.0 / 18.0).abs() < 1e-12);
    // Design: weights 14, 14, 16, 16, 6, 12.5, people 3 each; the failing one weighs 16.
    let rows = [
        ("remote", A, 14.0, 0.0, 3.0),
        ("remote", A, 14.0, 0.0, 3.0),
        ("remote", B, 16.0, 0.0, 3.0),
        ("remote", B, 16.0, 3.0, 3.0),
        ("other", C, 6.0, 0.0, 3.0),
        ("other", E, 12.5, 0.0, 3.0),
    ];
    let (ratio, variance) = independent_ratio_variance(&rows);
    assert!((i.design - ratio).abs() < 1e-12, "{} vs {ratio}", i.design);
    let design = county_verdict(&county(), &thresholds(), &design_basis()).unwrap();
    let d = &design.indicators["wrong_exit_rate"];
    assert_eq!(d.interval_of, IntervalOf::Design);
    assert_close(d.se, variance.sqrt(), 1e-12);
    // The decision uses the official value, so its interval and reading are the official
    // ratio's: the same villages and strata, every respondent counted once (weight 1).
    assert_eq!(i.interval_of, IntervalOf::Official);
    let unit_rows = rows.map(|(h, v, _, y, m)| (h, v, 1.0, y, m));
    let (official, official_variance) = independent_ratio_variance(&unit_rows);
    assert!((official - i.official).abs() < 1e-15);
    assert_close(i.se, official_variance.sqrt(), 1e-12);
    assert!(i.lci <= i.official && i.official <= i.uci);
    assert_eq!(i.design_interval, (d.lci, d.uci));
    // df = 4 villages with exited respondents − 2 strata.
    assert_eq!(i.df, 2);
    // The decision risk models the official ratio's sample: 4 villages of 6 / 4 → 2
    // households, every household counted once with 3 people (no spread: κ² = 0).
    let risk = i.decision_risk.as_ref().unwrap();
    assert_eq!((risk.villages, risk.households_per_village), (4, 2));
    assert!(risk.kappa2.abs() < 1e-12);
    let expected =
        assess_sampling::size::clustered_pass_probability(4, 2, 0.02, 0.02, risk.icc, 0.0);
    assert_eq!(risk.pass_probability_at_threshold, expected);
    // Kish's weighting effect of those six weights: n Σw² / (Σw)² = 6 · 1096.25 / 78.5².
    assert!((i.weighting_effect - 6.0 * 1096.25 / (78.5 * 78.5)).abs() < 1e-12);
    // 16.7% official is far above 2%: the county is deferred, with housing named.
    assert_eq!(v.decision, Decision::Defer);
    assert!(!i.passes);
    let housing = v
        .drivers
        .iter()
        .find(|d| d.indicator == "wrong_exit_rate")
        .unwrap();
    assert_eq!(housing.standard, "housing");
    assert_eq!(
        housing.sentence(),
        "housing safety unmet in 1 sampled exited household (3 people) in 1 village, all in township 530128102; 1 in remote villages"
    );
    assert_eq!(v.failing_households.len(), 2);
    assert!(
        v.reasons[0].starts_with("poverty_incidence is"),
        "{:?}",
        v.reasons
    );
}

#[test]
fn incidence_variance_includes_the_covariance_of_the_two_rates() {
    let input = county();
    let v = county_verdict(&input, &thresholds(), &design_basis()).unwrap();
    let (w, m, p) = (
        &v.indicators["wrong_exit_rate"],
        &v.indicators["missed_rate"],
        &v.indicators["poverty_incidence"],
    );
    let r = input.register;
    let n = r.total();
    let expected = (r.poor + r.non_registered * m.design + r.exited * w.design) / n;
    assert!((p.design - expected).abs() < 1e-12);
    // Independent: the linearised variable of P per village, then the same stratified formula.
    let wrong_rows = [
        ("remote", A, 14.0, 0.0, 3.0),
        ("remote", A, 14.0, 0.0, 3.0),
        ("remote", B, 16.0, 0.0, 3.0),
        ("remote", B, 16.0, 3.0, 3.0),
        ("other", C, 6.0, 0.0, 3.0),
        ("other", E, 12.5, 0.0, 3.0),
    ];
    // Non-registered weights: A 2·20/1 = 40, B 4·12 = 48, C 2·9 = 18, E 2.5·10/2 = 12.5.
    let missed_rows = [
        ("remote", A, 40.0, 0.0, 3.0),
        ("remote", B, 48.0, 0.0, 3.0),
        ("other", C, 18.0, 0.0, 3.0),
        ("other", E, 12.5, 0.0, 3.0),
        ("other", E, 12.5, 3.0, 3.0),
    ];
    fn z(
        rows: &[(&'static str, &'static str, f64, f64, f64)],
        scale: f64,
    ) -> Vec<(&'static str, &'static str, f64)> {
        let ty: f64 = rows.iter().map(|r| r.2 * r.3).sum();
        let tm: f64 = rows.iter().map(|r| r.2 * r.4).sum();
        rows.iter()
            .map(|r| (r.0, r.1, scale * r.2 * (r.3 - ty / tm * r.4) / tm))
            .collect()
    }
    let mut psu: std::collections::BTreeMap<(&str, &str), f64> = Default::default();
    for (s, vil, val) in z(&wrong_rows, r.exited / n)
        .into_iter()
        .chain(z(&missed_rows, r.non_registered / n))
    {
        *psu.entry((s, vil)).or_default() += val;
    }
    let mut variance = 0.0;
    for stratum in ["remote", "other"] {
        let zs: Vec<f64> = psu
            .iter()
            .filter(|(k, _)| k.0 == stratum)
            .map(|(_, v)| *v)
            .collect();
        let k = zs.len() as f64;
        let mean = zs.iter().sum::<f64>() / k;
        variance += k / (k - 1.0) * zs.iter().map(|x| (x - mean).powi(2)).sum::<f64>();
    }
    assert_close(p.se, variance.sqrt(), 1e-12);

    // Its design effect is a variance ratio: against simple random sampling of the 11
    // weighted respondents, the SRS variance of the total Σ w u being W² · s²_w / n with the
    // weighted s²_w = n/(n − 1) · Σ w (u − ū)² / W (R's svytotal deff = "replace").
    fn per_row(
        rows: &[(&'static str, &'static str, f64, f64, f64)],
        scale: f64,
    ) -> Vec<(f64, f64)> {
        let ty: f64 = rows.iter().map(|r| r.2 * r.3).sum();
        let tm: f64 = rows.iter().map(|r| r.2 * r.4).sum();
        rows.iter()
            .map(|r| (r.2, scale * (r.3 - ty / tm * r.4) / tm))
            .collect()
    }
    let rows: Vec<(f64, f64)> = per_row(&wrong_rows, r.exited / n)
        .into_iter()
        .chain(per_row(&missed_rows, r.non_registered / n))
        .collect();
    let big_w: f64 = rows.iter().map(|(w, _)| w).sum();
    let mean = rows.iter().map(|(w, u)| w * u).sum::<f64>() / big_w;
    let k = rows.len() as f64;
    let s2 = k / (k - 1.0)
        * rows
            .iter()
            .map(|(w, u)| w * (u - mean).powi(2))
            .sum::<f64>()
        / big_w;
    let srs = big_w * big_w * s2 / k;
    assert_close(p.deff, variance / srs, 1e-9);
    assert!(
        (p.deff - (w.deff + m.deff) / 2.0).abs() > 1e-3,
        "no longer the average of the rates' effects"
    );

    // Its interval is the random part's: no bound below the registered poor's share.
    let c = r.poor / n;
    assert!(
        p.lci >= c && p.lower_bound >= c,
        "{} {} {c}",
        p.lci,
        p.lower_bound
    );
    assert!(p.uci > p.design && p.upper_bound > p.design);
}

#[test]
fn thresholds_are_strict_for_rates_and_inclusive_for_approval() {
    let mut input = county();
    // Everyone approves except En2's four answers: all satisfied except one "dissatisfied".
    for v in &mut input.visits {
        if v.household_id == "En2" {
            let a = v.approval.as_mut().unwrap();
            a.cadres_work = Some(Opinion::Dissatisfied);
        }
    }
    let v = county_verdict(&input, &thresholds(), &Settings::default()).unwrap();
    let a = &v.indicators["approval_rate"];
    assert_eq!((a.numerator, a.denominator), (10.0, 11.0));
    assert!(a.passes, "10/11 = 90.9% is at least 90%");
    // By register status: the six exited households all approve, four of five non-registered.
    let by_status = |level: &str| {
        v.domains
            .iter()
            .find(|d| {
                d.indicator == "approval_rate" && d.domain == "register_stratum" && d.level == level
            })
            .unwrap()
    };
    assert_eq!(
        (by_status("exited").households, by_status("exited").official),
        (6, 1.0)
    );
    let nr = by_status("non_registered");
    assert_eq!((nr.households, nr.official), (5, 0.8));
    // With a 3-of-4 score the household approves.
    let score = Settings {
        approval: ApprovalDefinition::Score { min_share: 0.75 },
        ..Settings::default()
    };
    let v = county_verdict(&input, &thresholds(), &score).unwrap();
    assert_eq!(v.indicators["approval_rate"].numerator, 11.0);
    // 90% exactly passes, compared unrounded; 2% exactly fails.
    let t = CountyThresholds {
        approval_rate: 10.0 / 11.0,
        wrong_exit_rate: 3.0 / 18.0,
        ..thresholds()
    };
    let v = county_verdict(&input, &t, &Settings::default()).unwrap();
    assert!(v.indicators["approval_rate"].passes);
    assert!(!v.indicators["wrong_exit_rate"].passes);
    let t = CountyThresholds {
        approval_rate: 10.0 / 11.0 + 1e-12,
        ..thresholds()
    };
    let v = county_verdict(&input, &t, &Settings::default()).unwrap();
    assert!(!v.indicators["approval_rate"].passes);
}

#[test]
fn no_wrong_exit_still_has_an_upper_bound_above_zero() {
    let mut input = county();
    input.visits.retain(|v| v.household_id != "BR1");
    input.households.retain(|h| h.household_id != "BR1");
    input.visits.push(complete("B1", Status::Exited, false));
    let v = county_verdict(&input, &thresholds(), &Settings::default()).unwrap();
    let w = &v.indicators["wrong_exit_rate"];
    assert_eq!(w.official, 0.0);
    assert!(w.uci > 0.0 && w.upper_bound > 0.0, "{w:?}");
    // 6 households: Korn-Graubard at n = 6 gives a one-sided 95% bound far above 2%.
    assert_eq!(w.reading, Reading::Inconclusive);
    assert!(v
        .reasons
        .iter()
        .any(|r| r.starts_with("wrong_exit_rate: statistically inconclusive")));
}

#[test]
fn a_variance_stratum_with_one_village_is_an_error_by_default() {
    let mut input = county();
    input.visits.retain(|v| !v.household_id.starts_with('E'));
    let err = county_verdict(&input, &thresholds(), &Settings::default()).unwrap_err();
    let cause = std::error::Error::source(&err)
        .expect("the design error")
        .to_string();
    assert!(cause.contains("only one PSU"), "{err}: {cause}");
    let removed = Settings {
        lonely_psu: assess_survey::LonelyPsu::Remove,
        ..Settings::default()
    };
    assert!(county_verdict(&input, &thresholds(), &removed).is_ok());
    // Collapsed: the lonely stratum joins its neighbour, one stratum fewer for the df.
    let collapsed = Settings {
        lonely_psu: assess_survey::LonelyPsu::Collapse,
        ..Settings::default()
    };
    let v = county_verdict(&input, &thresholds(), &collapsed).unwrap();
    let r = county_verdict(&input, &thresholds(), &removed).unwrap();
    let (c, r) = (
        &v.indicators["wrong_exit_rate"],
        &r.indicators["wrong_exit_rate"],
    );
    assert_eq!(c.df, r.df + 1, "{} {}", c.df, r.df);
}

#[test]
fn domain_rates_by_township_and_village_stratum() {
    let v = county_verdict(&county(), &thresholds(), &Settings::default()).unwrap();
    let d = |domain: &str, level: &str| {
        v.domains
            .iter()
            .find(|d| d.indicator == "wrong_exit_rate" && d.domain == domain && d.level == level)
            .unwrap()
    };
    // Township 530128102 is village B alone: one of its two exited households failed.
    let b = d("township", "530128102");
    assert_eq!((b.households, b.official), (2, 0.5));
    assert!((b.design - 0.5).abs() < 1e-12);
    // Remote villages A and B: 3 of 12 people; design 48/(84 + 96) by the weights.
    let remote = d("village_stratum", "remote");
    assert_eq!(remote.households, 4);
    assert!((remote.official - 0.25).abs() < 1e-12);
    assert!((remote.design - 48.0 / 180.0).abs() < 1e-12);
    assert!(remote.few_df);
}

#[test]
fn a_confident_reading_states_the_largest_confidence_level() {
    let mut input = county();
    for v in &mut input.visits {
        if v.household_id == "En2" || v.household_id == "A1" {
            v.approval.as_mut().unwrap().exit = Some(Opinion::Dissatisfied);
        }
    }
    // 9 of 11 approve (df = 2: wide); against a 30% threshold the lower bound clears it
    // (without the design-effect floor: 11 households floored at deff 2 leave too few).
    let t = CountyThresholds {
        approval_rate: 0.3,
        ..thresholds()
    };
    let unfloored = Settings {
        deff_floor: 1.0,
        ..Settings::default()
    };
    let v = county_verdict(&input, &t, &unfloored).unwrap();
    let a = &v.indicators["approval_rate"];
    assert_eq!(a.reading, Reading::PassesWithConfidence, "{a:?}");
    let c = a.confidence_excluding.unwrap();
    // At that level the one-sided lower bound sits on the threshold.
    let at = |level: f64| {
        let s = Settings {
            confidence: level,
            ..unfloored.clone()
        };
        county_verdict(&input, &t, &s).unwrap().indicators["approval_rate"].lower_bound
    };
    assert!(
        at(c) >= 0.3 && at(c + 0.0002) < 0.3,
        "{c}: {} {}",
        at(c),
        at(c + 0.0002)
    );
    for (name, i) in &v.indicators {
        if i.reading != Reading::Inconclusive {
            let c = i
                .confidence_excluding
                .unwrap_or_else(|| panic!("{name}: {i:?}"));
            assert!(c >= 0.95, "{name}: {c}");
        }
    }
}

/// The register's non-registered people of the five sampled villages (D included: it was
/// sampled, so its people are in the denominator although none of its households were).
fn village_non_registered() -> std::collections::BTreeMap<String, f64> {
    [(A, 60.0), (B, 36.0), (C, 27.0), (D, 12.0), (E, 30.0)]
        .into_iter()
        .map(|(v, p)| (v.to_string(), p))
        .collect()
}

fn over_villages() -> Settings {
    Settings {
        missed_denominator: MissedDenominator::SampledVillages,
        ..design_basis()
    }
}

#[test]
fn missed_rate_over_the_sampled_villages_people() {
    let input = county();
    let people = village_non_registered();
    let v = county_verdict_with_villages(&input, Some(&people), &thresholds(), &over_villages())
        .unwrap();
    let m = &v.indicators["missed_rate"];
    // Official: the plan samples the villages' non-registered households (An is 1 of 20), so
    // each village's rate among its sampled households is applied to its people: A 0/3,
    // B 0/3, C 0/3, E 3/6 of (60, 36, 27, 30) people; D has no sampled non-registered
    // household and no rate. (0 + 0 + 0 + 30 · 0.5) / (60 + 36 + 27 + 30) = 15 / 153. The
    // rule's literal 3 / 165 would be the rate times the sampled share.
    assert_eq!((m.numerator, m.denominator, m.households), (15.0, 153.0, 5));
    assert!((m.official - 15.0 / 153.0).abs() < 1e-15);
    assert_eq!(m.notes.len(), 1);
    assert!(m.notes[0].contains("extrapolated") && m.notes[0].contains("1.82%"));
    assert!(v
        .reasons
        .iter()
        .any(|r| r.starts_with("missed_rate: official value extrapolated")));
    // Design: Σ w y = 12.5 · 3 (En2's weight, 2.5 · 10/2) over X = Σ NR_v/π_v =
    // 60/0.5 + 36/0.25 + 27/0.5 + 12/0.5 + 30/0.4 = 417.
    let (y_hat, x_hat) = (37.5, 417.0);
    let r = y_hat / x_hat;
    assert!((m.design - r).abs() < 1e-15);
    // Variance by hand, with replacement: village totals of (Σ w y − R NR_v/π_v)/X, then the
    // stratified formula over the villages with respondents (D has none).
    let t = |wy: f64, x: f64| (wy - r * x) / x_hat;
    let (ta, tb) = (t(0.0, 120.0), t(0.0, 144.0));
    let (tc, te) = (t(0.0, 54.0), t(37.5, 75.0));
    let pair = |a: f64, b: f64| 2.0 * ((a - (a + b) / 2.0).powi(2) + (b - (a + b) / 2.0).powi(2));
    let variance = pair(ta, tb) + pair(tc, te);
    assert_close(m.se, variance.sqrt(), 1e-15);
    // No non-respondent among the non-registered: both bounds are the official value.
    assert_eq!(m.bounds_if_nonrespondents, (15.0 / 153.0, 15.0 / 153.0));
    // The households basis of the same records differs: 3 of the 15 people visited.
    let households = county_verdict(&input, &thresholds(), &Settings::default()).unwrap();
    assert!((households.indicators["missed_rate"].official - 0.2).abs() < 1e-15);
    // The incidence uses the rate of the setting.
    let reg = input.register;
    let p = &v.indicators["poverty_incidence"];
    let w = &v.indicators["wrong_exit_rate"];
    let expected =
        (reg.poor + reg.non_registered * 15.0 / 153.0 + reg.exited * w.official) / reg.total();
    assert!((p.official - expected).abs() < 1e-15);
    // Its variance: per village, exited/N · (wrong-exit z total) + NR/N · t_v, stratified.
    let wrong_rows = [
        (A, 14.0, 0.0),
        (A, 14.0, 0.0),
        (B, 16.0, 0.0),
        (B, 16.0, 3.0),
        (C, 6.0, 0.0),
        (E, 12.5, 0.0),
    ];
    let tw: f64 = wrong_rows.iter().map(|r| r.1 * r.2).sum();
    let tm: f64 = wrong_rows.iter().map(|r| r.1 * 3.0).sum();
    let zw = |village: &str| -> f64 {
        wrong_rows
            .iter()
            .filter(|r| r.0 == village)
            .map(|r| r.1 * (r.2 - tw / tm * 3.0) / tm)
            .sum()
    };
    let n = reg.total();
    let u = |village: &str, t: f64| (reg.exited * zw(village) + reg.non_registered * t) / n;
    let variance = pair(u(A, ta), u(B, tb)) + pair(u(C, tc), u(E, te));
    assert_close(p.se, variance.sqrt(), 1e-15);
}

/// When the plan visits every non-registered household of the sampled villages, the rule's
/// literal division is the rate: missed people found over the villages' people.
#[test]
fn missed_rate_over_take_all_villages_is_the_literal_rule() {
    let mut input = county();
    let take_all = [
        ("An", 1.0),
        ("Bn", 1.0),
        ("Cn", 1.0),
        ("En1", 2.0),
        ("En2", 2.0),
    ];
    for h in &mut input.households {
        if let Some((_, n)) = take_all.iter().find(|(id, _)| *id == h.household_id) {
            h.cell_population = *n;
        }
    }
    let people = village_non_registered();
    let v = county_verdict_with_villages(&input, Some(&people), &thresholds(), &over_villages())
        .unwrap();
    let m = &v.indicators["missed_rate"];
    // En2's 3 people over the 60 + 36 + 27 + 12 + 30 = 165 people of the villages.
    assert_eq!((m.numerator, m.denominator), (3.0, 165.0));
    assert!((m.official - 3.0 / 165.0).abs() < 1e-15);
    assert!(m.notes.is_empty());
}

#[test]
fn missed_rate_over_villages_refuses_without_the_register_counts() {
    let input = county();
    let err = county_verdict(&input, &thresholds(), &over_villages()).unwrap_err();
    assert_eq!(err, VerdictError::NoVillagePopulation);
    assert!(err.to_string().contains("from the register"), "{err}");
    let mut people = village_non_registered();
    people.remove(D);
    let err = county_verdict_with_villages(&input, Some(&people), &thresholds(), &over_villages())
        .unwrap_err();
    assert_eq!(err, VerdictError::VillageNotCounted(D.to_string()));
    // The households basis ignores the counts.
    let plain =
        county_verdict_with_villages(&input, Some(&people), &thresholds(), &Settings::default());
    assert!(plain.is_ok());
}

/// One respondent row for the independent without-replacement variance.
struct WorRow {
    stratum: &'static str,
    village: &'static str,
    certainty: bool,
    pi: f64,
    cell: &'static str,
    /// r_hv / N'_hv of its cell.
    f2: f64,
    w: f64,
    y: f64,
    m: f64,
}

/// The without-replacement variance of a ratio written out here: the ratio's linearised value
/// per row, z = w (y − R m)/Σ w m; stage 1 over the non-certainty villages,
/// Σ_h n_h/(n_h − 1) Σ_v (1 − π_v)(t_v − t̄_h)² (Brewer's approximation); stage 2 over every
/// village, π_v Σ_cells (1 − f2)·m_c/(m_c − 1)·Σ (z − z̄_c)², cells with one row adding
/// nothing (lonely: removed). A certainty village is in no stage-1 stratum at all.
fn independent_wor_variance(rows: &[WorRow]) -> (f64, f64) {
    use std::collections::BTreeMap;
    let ty: f64 = rows.iter().map(|r| r.w * r.y).sum();
    let tm: f64 = rows.iter().map(|r| r.w * r.m).sum();
    let ratio = ty / tm;
    let z = |r: &WorRow| r.w * (r.y - ratio * r.m) / tm;
    let mut villages: BTreeMap<(&str, &str), (f64, f64)> = BTreeMap::new(); // total, pi
    for r in rows.iter().filter(|r| !r.certainty) {
        villages
            .entry((r.stratum, r.village))
            .or_insert((0.0, r.pi))
            .0 += z(r);
    }
    let mut stage1 = 0.0;
    for stratum in rows
        .iter()
        .map(|r| r.stratum)
        .collect::<std::collections::BTreeSet<_>>()
    {
        let ts: Vec<(f64, f64)> = villages
            .iter()
            .filter(|(k, _)| k.0 == stratum)
            .map(|(_, v)| *v)
            .collect();
        if ts.is_empty() {
            continue;
        }
        let n = ts.len() as f64;
        let mean = ts.iter().map(|t| t.0).sum::<f64>() / n;
        stage1 += n / (n - 1.0)
            * ts.iter()
                .map(|(t, pi)| (1.0 - pi) * (t - mean).powi(2))
                .sum::<f64>();
    }
    let mut cells: BTreeMap<(&str, &str), Vec<&WorRow>> = BTreeMap::new();
    for r in rows {
        cells.entry((r.village, r.cell)).or_default().push(r);
    }
    let mut stage2 = 0.0;
    for members in cells.values() {
        let k = members.len() as f64;
        if k < 2.0 {
            continue;
        }
        let mean = members.iter().map(|r| z(r)).sum::<f64>() / k;
        let ss: f64 = members.iter().map(|r| (z(r) - mean).powi(2)).sum();
        let (pi, f2) = (members[0].pi, members[0].f2);
        stage2 += pi * (1.0 - f2) * k / (k - 1.0) * ss;
    }
    (ratio, stage1 + stage2)
}

fn wor(lonely: assess_survey::LonelyPsu) -> Settings {
    Settings {
        variance: VarianceMethod::WithoutReplacement,
        lonely_psu: lonely,
        ..design_basis()
    }
}

/// The county's weighted respondents for the wrong-exit rate (the non-registered ones have
/// z = 0 but are in their own cells), with each cell's r/N'.
fn wor_rows() -> Vec<WorRow> {
    let row = |stratum, village, pi, cell, f2, w, y| WorRow {
        stratum,
        village,
        certainty: false,
        pi,
        cell,
        f2,
        w,
        y,
        m: if cell == "exited" { 3.0 } else { 0.0 },
    };
    vec![
        // A exited: r = 2 of N' = 10; weights 14 after D's collapse.
        row("remote", A, 0.5, "exited", 0.2, 14.0, 0.0),
        row("remote", A, 0.5, "exited", 0.2, 14.0, 0.0),
        // B exited: r = 2 (B2, reserve BR1) of 8.
        row("remote", B, 0.25, "exited", 0.25, 16.0, 0.0),
        row("remote", B, 0.25, "exited", 0.25, 16.0, 3.0),
        // C exited: 1 of N' = 3; E exited: 1 of 5 (lonely cells: removed).
        row("other", C, 0.5, "exited", 1.0 / 3.0, 6.0, 0.0),
        row("other", E, 0.4, "exited", 0.2, 12.5, 0.0),
        // Non-registered cells: z = 0 for the wrong-exit rate.
        row("remote", A, 0.5, "non_registered", 0.05, 40.0, 0.0),
        row("remote", B, 0.25, "non_registered", 1.0 / 12.0, 48.0, 0.0),
        row("other", C, 0.5, "non_registered", 1.0 / 9.0, 18.0, 0.0),
        row("other", E, 0.4, "non_registered", 0.2, 12.5, 0.0),
        row("other", E, 0.4, "non_registered", 0.2, 12.5, 0.0),
    ]
}

#[test]
fn without_replacement_variance_by_hand() {
    let input = county();
    // Cells with one respondent (C, E exited; A, B, C non-registered) have no within-cell
    // variance: refused by default, with what to do.
    let err =
        county_verdict(&input, &thresholds(), &wor(assess_survey::LonelyPsu::Fail)).unwrap_err();
    // The design error is kept as the source, with the variance it was built for: a front end
    // names its own remedy (the command line: --lonely-psu or --variance).
    match &err {
        VerdictError::Design { source, variance } => {
            assert!(matches!(
                source,
                assess_survey::DesignError::LonelyPsu { stage: 2, .. }
            ));
            assert_eq!(*variance, VarianceMethod::WithoutReplacement);
        }
        other => panic!("not a design error: {other}"),
    }
    let v = county_verdict(
        &input,
        &thresholds(),
        &wor(assess_survey::LonelyPsu::Remove),
    )
    .unwrap();
    let i = &v.indicators["wrong_exit_rate"];
    let (ratio, variance) = independent_wor_variance(&wor_rows());
    assert!((i.design - ratio).abs() < 1e-15);
    assert_close(i.se, variance.sqrt(), 1e-14);
    // Without replacement the between-village term shrinks by (1 − π): here below the
    // with-replacement value of the same records.
    let wr = county_verdict(&input, &thresholds(), &design_basis()).unwrap();
    assert!(i.se < wr.indicators["wrong_exit_rate"].se);
    assert_eq!(v.settings.variance, VarianceMethod::WithoutReplacement);
}

#[test]
fn a_certainty_village_adds_only_its_within_village_term_without_replacement() {
    let mut input = county();
    // Village F, taken with certainty: 3 exited respondents of 6 households, one failing.
    const F: &str = "530128105201";
    for (id, bad) in [("F1", false), ("F2", true), ("F3", false)] {
        input.households.push(DrawnHousehold {
            pi_village: Some(1.0),
            certainty: true,
            ..household(id, F, "exited", true, 6.0)
        });
        input.visits.push(complete(id, Status::Exited, bad));
    }
    let v = county_verdict(
        &input,
        &thresholds(),
        &wor(assess_survey::LonelyPsu::Remove),
    )
    .unwrap();
    let i = &v.indicators["wrong_exit_rate"];
    let mut rows = wor_rows();
    for y in [0.0, 3.0, 0.0] {
        rows.push(WorRow {
            stratum: "certain",
            village: F,
            certainty: true,
            pi: 1.0,
            cell: "exited",
            f2: 0.5,
            w: 2.0, // 6 households / 3 respondents
            y,
            m: 3.0,
        });
    }
    let (ratio, variance) = independent_wor_variance(&rows);
    assert!((i.design - ratio).abs() < 1e-15);
    assert_close(i.se, variance.sqrt(), 1e-14);
}

#[test]
fn response_and_replacement_rates_by_village_and_team() {
    let mut input = county();
    for v in &mut input.visits {
        if v.household_id.starts_with('E') {
            v.team = "t2".to_string();
        }
    }
    let v = county_verdict(&input, &thresholds(), &Settings::default()).unwrap();
    let find = |by: &str, key: &str| {
        v.response_rates
            .iter()
            .find(|r| r.by == by && r.key == key)
            .unwrap_or_else(|| panic!("{by} {key}"))
    };
    // (primaries, visited, reserves used, ineligible, interviewed, response, replacement)
    let facts = |r: &ResponseRates| {
        (
            r.primaries,
            r.visited,
            r.reserves_used,
            r.ineligible,
            r.interviewed,
            r.response_rate,
            r.replacement_rate,
        )
    };
    assert_eq!(
        facts(find("village", A)),
        (3, 3, 0, 0, 3, Some(1.0), Some(0.0))
    );
    // B: B1 refused, replaced by BR1: 3 of 4 eligible visited interviewed, 1 reserve / 3.
    assert_eq!(
        facts(find("village", B)),
        (3, 4, 1, 0, 3, Some(0.75), Some(1.0 / 3.0))
    );
    // C: C1 ineligible leaves the denominator.
    assert_eq!(
        facts(find("village", C)),
        (3, 3, 0, 1, 2, Some(1.0), Some(0.0))
    );
    // D: refused and not contacted.
    assert_eq!(
        facts(find("village", D)),
        (2, 2, 0, 0, 0, Some(0.0), Some(0.0))
    );
    assert_eq!(find("village", D).township, "530128101");
    // Teams: t2 visited village E only; t1 the rest.
    assert_eq!(
        facts(find("team", "t2")),
        (3, 3, 0, 0, 3, Some(1.0), Some(0.0))
    );
    assert_eq!(
        facts(find("team", "t1")),
        (11, 12, 1, 1, 8, Some(8.0 / 11.0), Some(1.0 / 11.0))
    );
    // Villages first (by code), then teams; the villages add up to the county's counts.
    let villages: Vec<&ResponseRates> = v
        .response_rates
        .iter()
        .filter(|r| r.by == "village")
        .collect();
    assert_eq!(villages.len(), 5);
    assert_eq!(v.response_rates.len(), 7);
    assert_eq!(
        villages.iter().map(|r| r.interviewed).sum::<usize>(),
        v.counts.interviewed
    );
    assert_eq!(
        villages.iter().map(|r| r.visited).sum::<usize>(),
        v.counts.visited
    );
}

/// With the rural population from another source, the non-registered people the missed rate
/// applies to are those of that population, `N_rural − N_exited − N_poor`, so the numerator
/// and the denominator count the same people; a population below the registered is refused.
#[test]
fn the_incidence_over_another_rural_population_counts_its_non_registered() {
    let input = county();
    let r = input.register;
    let rural = 80_000.0;
    let settings = Settings {
        rural_population: Some(rural),
        ..Settings::default()
    };
    let v = county_verdict(&input, &thresholds(), &settings).unwrap();
    let (w, m, p) = (
        &v.indicators["wrong_exit_rate"],
        &v.indicators["missed_rate"],
        &v.indicators["poverty_incidence"],
    );
    // 80,000 − 17,548 − 537 = 61,915 non-registered people (the register has 53,722).
    let non_registered = 61_915.0;
    let expected = (r.poor + non_registered * m.official + r.exited * w.official) / rural;
    assert_close(p.official, expected, 1e-15);
    assert_eq!(p.denominator, rural);
    let too_small = Settings {
        rural_population: Some(18_000.0),
        ..Settings::default()
    };
    let err = county_verdict(&input, &thresholds(), &too_small).unwrap_err();
    assert_eq!(
        err,
        VerdictError::RuralPopulationBelowRegister {
            rural: 18_000.0,
            registered: 18_085.0
        }
    );
}

/// A village taken by hand (no inclusion probability) stays out of the official values by
/// default, as out of the design estimates; the by-hand setting counts it, and the verdict
/// says which.
#[test]
fn villages_taken_by_hand_stay_out_of_the_official_values_by_default() {
    let mut input = county();
    input.households.push(DrawnHousehold {
        pi_village: None,
        ..household("F1", "530128102299", "exited", true, 5.0)
    });
    input.visits.push(complete("F1", Status::Exited, true)); // wrongly exited, 3 people
    let default = county_verdict(&input, &thresholds(), &Settings::default()).unwrap();
    let w = &default.indicators["wrong_exit_rate"];
    // BR1's 3 people of the 6 interviewed exited households of drawn villages (18 people).
    assert_eq!((w.numerator, w.denominator, w.households), (3.0, 18.0, 6));
    assert!(default
        .reasons
        .iter()
        .any(|r| r.starts_with("1 interviewed household(s) of villages taken by hand")));
    let include = Settings {
        by_hand_villages: ByHandVillages::Include,
        ..Settings::default()
    };
    let counted = county_verdict(&input, &thresholds(), &include).unwrap();
    let w2 = &counted.indicators["wrong_exit_rate"];
    // A lone village taken by hand is a lonely stratum of the official value's design: its
    // reading falls back to the design estimate's, and says why.
    assert_eq!(w2.interval_of, IntervalOf::Design);
    assert!(
        w2.notes.iter().any(|n| n.contains("could not be computed")),
        "{w2:?}"
    );
    assert_eq!(
        (w2.numerator, w2.denominator, w2.households),
        (6.0, 21.0, 7)
    );
    assert!(counted
        .reasons
        .iter()
        .any(|r| r.starts_with("the official values count 1 interviewed household(s)")));
    // The design estimate is the same either way: the village has no weight.
    assert_eq!(w.design, w2.design);
}

/// Units whose eligibility is unknown (nobody reached) are eligible with the share of the
/// cell's resolved units, not surely: the unknown-eligibility adjustment.
#[test]
fn units_of_unknown_eligibility_take_the_resolved_share() {
    let mut input = county();
    input.households = ["X1", "X2", "X3", "X4"]
        .map(|id| household(id, A, "exited", true, 10.0))
        .to_vec();
    input.visits = vec![
        complete("X1", Status::Exited, false),
        visit(
            "X2",
            Disposition::Ineligible(assess_inspection::IneligibleReason::Dissolved),
            None,
        ),
        visit("X3", Disposition::NonContact, None),
        visit("X4", Disposition::EligibilityUnknown, None),
    ];
    let (respondents, _) = weigh(&input);
    // Of the 2 units whose eligibility is known (X1 interviewed, X2 dissolved) one is
    // eligible: N' = 10 · 1/2 = 5, where counting X3 and X4 eligible gave 10 · 3/4 = 7.5.
    // w = (1/π) · N' / r = 2 · 5 / 1 = 10.
    assert_eq!(respondents.len(), 1);
    assert_close(respondents[0].weight.unwrap(), 10.0, 1e-12);
}

/// A village taken with certainty, with replacement: its exited households are the primary
/// units of their own stratum (its exited cell), corrected by the cell's fraction 3/6 (they
/// were drawn without replacement from it), and the village counts once in the degrees of
/// freedom. By hand: the six sampled rows as before plus F1-F3 (weight 6/3 = 2, F2 failing);
/// V = Σ_h (1 − f_h) n_h/(n_h − 1) Σ (z − z̄)², f = 0 for the drawn villages' strata and 0.5
/// for F's cell; df = 4 villages − 2 strata + 1 certainty village = 3 (the engine alone
/// counts 3 households − 1 cell = 2 for F).
#[test]
fn a_certainty_village_is_its_status_cells_and_counts_once_in_the_df() {
    let mut input = county();
    const F: &str = "530128105201";
    for (id, bad) in [("F1", false), ("F2", true), ("F3", false)] {
        input.households.push(DrawnHousehold {
            pi_village: Some(1.0),
            certainty: true,
            ..household(id, F, "exited", true, 6.0)
        });
        input.visits.push(complete(id, Status::Exited, bad));
    }
    let v = county_verdict(&input, &thresholds(), &design_basis()).unwrap();
    let i = &v.indicators["wrong_exit_rate"];
    // (stratum, psu, weight, y, m, fraction)
    let rows = [
        ("remote", A, 14.0, 0.0, 3.0, 0.0),
        ("remote", A, 14.0, 0.0, 3.0, 0.0),
        ("remote", B, 16.0, 0.0, 3.0, 0.0),
        ("remote", B, 16.0, 3.0, 3.0, 0.0),
        ("other", C, 6.0, 0.0, 3.0, 0.0),
        ("other", E, 12.5, 0.0, 3.0, 0.0),
        ("certain", "F1", 2.0, 0.0, 3.0, 0.5),
        ("certain", "F2", 2.0, 3.0, 3.0, 0.5),
        ("certain", "F3", 2.0, 0.0, 3.0, 0.5),
    ];
    let ty: f64 = rows.iter().map(|r| r.2 * r.3).sum();
    let tm: f64 = rows.iter().map(|r| r.2 * r.4).sum();
    let ratio = ty / tm;
    let mut strata: std::collections::BTreeMap<&str, (f64, std::collections::BTreeMap<&str, f64>)> =
        Default::default();
    for (h, psu, w, y, m, f) in rows {
        let s = strata.entry(h).or_default();
        s.0 = f;
        *s.1.entry(psu).or_default() += w * (y - ratio * m) / tm;
    }
    let variance: f64 = strata
        .values()
        .map(|(f, psus)| {
            let n = psus.len() as f64;
            let mean = psus.values().sum::<f64>() / n;
            (1.0 - f) * n / (n - 1.0) * psus.values().map(|z| (z - mean).powi(2)).sum::<f64>()
        })
        .sum();
    assert!((i.design - ratio).abs() < 1e-12);
    assert_close(i.se, variance.sqrt(), 1e-12);
    assert_eq!(i.df, 3);
}

/// Cells without a respondent go to their village stratum before the county, and never
/// across independent draws. A refuses too: township 530128101 (A and D) has no exited
/// respondent left, so A's T = 2·10 = 20 and D's 8 go to the remote stratum's B
/// (T = 4·8 = 32): B's weight 16 · (32 + 28)/32 = 30, where the old rule sent them county-wide.
#[test]
fn empty_cells_collapse_within_their_village_stratum_first() {
    let refuse = |input: &mut CountyInput, ids: &[&str]| {
        for v in &mut input.visits {
            if ids.contains(&v.household_id.as_str()) {
                *v = visit(&v.household_id, Disposition::Refused, None);
            }
        }
    };
    let weight = |respondents: &[Respondent], id: &str| {
        respondents
            .iter()
            .find(|r| r.household.household_id == id)
            .and_then(|r| r.weight)
            .unwrap()
    };
    let mut input = county();
    refuse(&mut input, &["A1", "A2"]);
    let (respondents, collapses) = weigh(&input);
    assert_close(weight(&respondents, "B2"), 30.0, 1e-12);
    assert_eq!(weight(&respondents, "C2"), 6.0);
    assert_eq!(
        (
            collapses.into_township,
            collapses.into_village_stratum,
            collapses.into_county
        ),
        (0, 2, 0)
    );
    // No remote exited respondent at all: a stratified design goes county-wide...
    refuse(&mut input, &["B2", "BR1"]);
    let (_, collapses) = weigh(&input);
    assert_eq!(collapses.into_county, 3);
    assert!(collapses.strata_without_respondents.is_empty());
    // ...independent draws do not: the remote villages (eligible for both draws) had other
    // chances than the rest, so their cells stay without an estimate, and the verdict says so.
    for h in &mut input.households {
        h.frame_part = if [A, B, D].contains(&h.village.as_str()) {
            "remote+county".into()
        } else {
            "county".into()
        };
    }
    let (respondents, collapses) = weigh(&input);
    assert_eq!(collapses.into_county, 0);
    assert_eq!(
        collapses.strata_without_respondents,
        vec!["exited".to_string()]
    );
    assert_eq!(weight(&respondents, "C2"), 6.0);
}

/// The plan's `collapse_with`: "other" left with one village (C, E's visits removed) is pooled
/// with "remote", as the plan said before the draw, instead of failing as a lonely PSU. The
/// variance is then the one-stratum formula over A, B and C (recomputed here from the
/// weights), with 3 villages − 1 stratum = 2 degrees of freedom.
#[test]
fn a_lonely_stratum_is_pooled_with_its_planned_partner() {
    let mut input = county();
    input.visits.retain(|v| !v.household_id.starts_with('E'));
    assert!(county_verdict(&input, &thresholds(), &design_basis()).is_err());
    input.collapse_with = [("other".to_string(), "remote".to_string())].into();
    let v = county_verdict(&input, &thresholds(), &design_basis()).unwrap();
    let i = &v.indicators["wrong_exit_rate"];
    let (respondents, _) = weigh(&input);
    let rows: Vec<(&str, &str, f64, f64, f64)> = respondents
        .iter()
        .filter(|r| r.household.stratum == "exited")
        .map(|r| {
            let failing = r.household.household_id == "BR1";
            assert_eq!(r.variance_stratum, "remote", "{}", r.household.household_id);
            (
                "pooled",
                r.household.village.as_str(),
                r.weight.unwrap(),
                if failing { 3.0 } else { 0.0 },
                3.0,
            )
        })
        .collect();
    let (ratio, variance) = independent_ratio_variance(&rows);
    assert!((i.design - ratio).abs() < 1e-12);
    assert_close(i.se, variance.sqrt(), 1e-12);
    assert_eq!(i.df, 2);
}

/// Identification flags are listed with their evidence and enter none of the rates: the
/// county with flags on a respondent (A1: a vehicle of 45,000 yuan), on a wrongly exited
/// household (BR1: the public payroll) and on a non-registered household (En1, not listed:
/// the rules are about removal from the register) gives the same indicators, failing list
/// and decision as without them.
#[test]
fn identification_flags_are_listed_and_change_no_rate() {
    let flag = |c: &mut CountyInput, id: &str, edit: fn(&mut assess_inspection::Identification)| {
        let v = c.visits.iter_mut().find(|v| v.household_id == id).unwrap();
        let mut r = example_record();
        r.status = match id {
            "En1" => Status::NonRegistered,
            _ => Status::Exited,
        };
        if id == "BR1" {
            r = record(Status::Exited, true);
        }
        edit(r.identification.as_mut().unwrap());
        v.judgment = Some(judge(&r, &Standards::builtin()).unwrap());
    };
    let mut flagged = county();
    flag(&mut flagged, "A1", |i| {
        i.owns_vehicle = Some(true);
        i.vehicle_value_yuan = Some(45000.0);
    });
    flag(&mut flagged, "BR1", |i| i.public_payroll = Some(true));
    flag(&mut flagged, "En1", |i| i.urban_flat_or_shop = Some(true));
    let with = county_verdict(&flagged, &thresholds(), &design_basis()).unwrap();
    let without = county_verdict(&county(), &thresholds(), &design_basis()).unwrap();
    let listed: Vec<(&str, &str, Vec<&str>)> = with
        .identification_flags
        .iter()
        .map(|f| {
            (
                f.village.as_str(),
                f.household_id.as_str(),
                f.flags.iter().map(|x| x.code()).collect(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (A, "A1", vec!["vehicle"]),
            (B, "BR1", vec!["public_payroll"])
        ]
    );
    assert_eq!(
        with.identification_flags[0].flags[0],
        IdentificationFlag::Vehicle {
            value_yuan: Some(45000.0),
            limit_yuan: 30000.0
        }
    );
    assert_eq!(without.identification_flags, []);
    // Compared as printed: a design effect of 0 / 0 is NaN on both sides, and NaN != NaN.
    assert_eq!(
        format!("{:?}", with.indicators),
        format!("{:?}", without.indicators)
    );
    assert_eq!(with.failing_households, without.failing_households);
    assert_eq!(with.decision, without.decision);
    assert_eq!(with.counts, without.counts);
}

/// Each visit's outcome follows the rule the failing list follows: BR1 (unsafe housing,
/// exited) wrongly exited, En2 missed, the others none; refusals and non-contacts not
/// interviewed. The failing list is exactly the households whose outcome fails.
#[test]
fn each_visit_has_the_outcome_the_failing_list_counts() {
    let input = county();
    let outcome = |id: &str| {
        input
            .visits
            .iter()
            .find(|v| v.household_id == id)
            .unwrap()
            .outcome()
    };
    assert_eq!(outcome("BR1"), HouseholdOutcome::WronglyExited);
    assert_eq!(outcome("En2"), HouseholdOutcome::Missed);
    assert_eq!(outcome("A1"), HouseholdOutcome::None);
    assert_eq!(outcome("B1"), HouseholdOutcome::NotInterviewed);
    assert_eq!(outcome("C1"), HouseholdOutcome::NotInterviewed);
    // An interview whose record could not be judged counts for nothing.
    let mut unjudged = complete("A1", Status::Exited, false);
    unjudged.judgment = None;
    assert_eq!(unjudged.outcome(), HouseholdOutcome::NotJudged);
    // A registered household found poor is still poor; one whose income is not recorded is
    // unknown.
    let mut poor = record(Status::Poor, true);
    assert_eq!(
        visit("P1", Disposition::Complete, Some(poor.clone())).outcome(),
        HouseholdOutcome::StillPoor
    );
    poor = record(Status::Exited, false);
    poor.income.wages = None;
    assert_eq!(
        visit("P2", Disposition::Complete, Some(poor)).outcome(),
        HouseholdOutcome::Unknown
    );
    let v = county_verdict(&input, &thresholds(), &Settings::default()).unwrap();
    let failing: Vec<&str> = v
        .failing_households
        .iter()
        .map(|h| h.household_id.as_str())
        .collect();
    assert_eq!(failing, ["BR1", "En2"]);
    assert_eq!(HouseholdOutcome::WronglyExited.code(), "wrongly-exited");
}

/// Appeals still pending are the first reason and listed in the verdict; without them
/// verdict.json is as before (no `pending_appeals` key).
#[test]
fn pending_appeals_are_warned_first_in_the_reasons() {
    let settled = county_verdict(&county(), &thresholds(), &Settings::default()).unwrap();
    assert!(settled.pending_appeals.is_empty());
    assert!(!settled.reasons[0].contains("pending"));
    let json = serde_json::to_value(&settled).unwrap();
    assert!(json.get("pending_appeals").is_none());

    let input = county().with_pending_appeals(vec!["BR1".to_string()]);
    let v = county_verdict(&input, &thresholds(), &Settings::default()).unwrap();
    assert_eq!(v.pending_appeals, ["BR1"]);
    assert_eq!(
        v.reasons[0],
        "1 appeal is still pending (household BR1): the verdict after the appeals may change \
         when it is decided; decide it and compute the verdict again"
    );
    // The rest of the verdict is unchanged: the warning decides nothing.
    assert_eq!(v.decision, settled.decision);
    assert_eq!(&v.reasons[1..], &settled.reasons[..]);
    let many: Vec<String> = (1..=12).map(|i| format!("H{i:02}")).collect();
    let v = county_verdict(
        &county().with_pending_appeals(many),
        &thresholds(),
        &Settings::default(),
    )
    .unwrap();
    assert!(
        v.reasons[0].starts_with("12 appeals are still pending (households H01, H02,")
            && v.reasons[0].contains("H10 and 2 more): ")
            && v.reasons[0].contains("when they are decided; decide them"),
        "{}",
        v.reasons[0]
    );
    assert_eq!(v.pending_appeals.len(), 12);
}
