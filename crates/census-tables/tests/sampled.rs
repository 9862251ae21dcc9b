//! Weighted estimates for the sampled non-poverty counties on a hand-built design whose
//! answer is worked out below: the point estimate by hand, the standard error by the textbook
//! formula for the ratio estimator of a stratified single-stage cluster sample (Cochran 1977,
//! ch. 6 and 9), written out here independently of the survey engine.

use assess_census::{RegisterRow, ReturnRow};
use assess_census_tables::{
    sampled_csv, SampledCounty, SampledError, SampledEstimator, SAMPLED_INDICATORS,
};

fn reg(id: &str, county: &str, status: &'static str) -> RegisterRow {
    RegisterRow {
        household_id: id.to_string(),
        province_code: county[..2].to_string(),
        county_code: county.to_string(),
        township_code: format!("{county}101"),
        village_code: format!("{county}101001"),
        status,
        members: 2,
        lat: None,
        lon: None,
    }
}

/// An enumerated return whose `guarantees` (and every other indicator) is `value`.
fn ret(id: &str, household: &str, county: &str, start: i64, value: Option<bool>) -> ReturnRow {
    ReturnRow {
        return_id: id.to_string(),
        household_id: household.to_string(),
        province_code: county[..2].to_string(),
        county_code: county.to_string(),
        village_code: format!("{county}101001"),
        enumerator_id: "E1".to_string(),
        enumerator_home_county: "999999".to_string(),
        outcome: "enumerated",
        start_unix: start,
        end_unix: start + 1800,
        content_sha256: String::new(),
        status: Some("exited"),
        members: 2,
        poverty_line: Some(4000.0),
        income_ok: value,
        food_clothing: value,
        education: value,
        medical: value,
        housing: value,
        water: value,
        guarantees: value,
        poor: value.map(|v| !v),
        ..Default::default()
    }
}

fn drawn(county: &str, stratum: &str, counties: u32) -> SampledCounty {
    SampledCounty {
        county_code: county.to_string(),
        stratum: stratum.to_string(),
        stratum_counties: counties,
    }
}

/// A county's code, register rows and returns.
type CountyRows = (String, Vec<RegisterRow>, Vec<ReturnRow>);

/// A county whose households H1, H2, ... have these values, registered as exited.
fn county(code: &str, values: &[Option<bool>]) -> (Vec<RegisterRow>, Vec<ReturnRow>) {
    let register = (1..=values.len())
        .map(|i| reg(&format!("{code}-H{i}"), code, "exited"))
        .collect();
    let returns = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let h = format!("{code}-H{}", i + 1);
            ret(&format!("{code}-R{}", i + 1), &h, code, 1000, *v)
        })
        .collect();
    (register, returns)
}

const T: Option<bool> = Some(true);
const F: Option<bool> = Some(false);

/// Stratum A: 5 counties, 2 drawn; stratum B: 4 counties, 3 drawn.
///
/// | county | stratum | households (guarantees met?) | y | x |
/// |--------|---------|------------------------------|---|---|
/// | 110101 | A       | yes, no, yes                 | 2 | 3 |
/// | 110102 | A       | yes, unknown                 | 1 | 1 |
/// | 120101 | B       | no, no                       | 0 | 2 |
/// | 120102 | B       | yes                          | 1 | 1 |
/// | 120103 | B       | yes, yes, no, yes            | 3 | 4 |
///
/// plus, in 110101, a second later return of H1 saying "no" (the earlier one counts), a
/// household not in the register saying "yes", and a registered household that dissolved
/// (neither counts); and in 110102 a `non_registered` register row with a return (no count).
///
/// Weights: A 5/2 = 2.5, B 4/3. Ŷ = 2.5·3 + 4/3·4 = 77/6; X̂ = 2.5·4 + 4/3·7 = 58/3;
/// r = Ŷ/X̂ = 77/116.
fn design() -> (Vec<SampledCounty>, Vec<CountyRows>) {
    let design = vec![
        drawn("110101", "A", 5),
        drawn("110102", "A", 5),
        drawn("120101", "B", 4),
        drawn("120102", "B", 4),
        drawn("120103", "B", 4),
    ];
    let mut rows = Vec::new();
    let (mut reg1, mut ret1) = county("110101", &[T, F, T]);
    ret1.push(ret("110101-R9", "110101-H1", "110101", 5000, F));
    ret1.push(ret("110101-R8", "110101-X", "110101", 1000, T));
    reg1.push(reg("110101-H4", "110101", "poor"));
    let mut gone = ret("110101-R7", "110101-H4", "110101", 1000, None);
    gone.outcome = "dissolved";
    ret1.push(gone);
    rows.push(("110101".to_string(), reg1, ret1));
    let (mut reg2, mut ret2) = county("110102", &[T, None]);
    reg2.push(reg("110102-N", "110102", "non_registered"));
    ret2.push(ret("110102-RN", "110102-N", "110102", 1000, T));
    rows.push(("110102".to_string(), reg2, ret2));
    for (code, values) in [
        ("120101", vec![F, F]),
        ("120102", vec![T]),
        ("120103", vec![T, T, F, T]),
    ] {
        let (r, s) = county(code, &values);
        rows.push((code.to_string(), r, s));
    }
    (design, rows)
}

/// Cochran's v(r) = Σ_h N_h²(1 − f_h)/n_h · s²_{z,h} / X̂², z_i = y_i − r x_i, from the
/// cluster totals (stratum, N_h, y_i, x_i).
fn cochran(clusters: &[(&str, f64, f64, f64)]) -> (f64, f64) {
    let mut strata: Vec<&str> = clusters.iter().map(|c| c.0).collect();
    strata.dedup();
    let stratum = |h: &str| -> Vec<(&str, f64, f64, f64)> {
        clusters.iter().filter(|c| c.0 == h).copied().collect()
    };
    let (mut y_hat, mut x_hat) = (0.0, 0.0);
    for h in &strata {
        let n = stratum(h).len() as f64;
        for c in stratum(h) {
            y_hat += c.1 / n * c.2;
            x_hat += c.1 / n * c.3;
        }
    }
    let r = y_hat / x_hat;
    let mut v = 0.0;
    for h in &strata {
        let n = stratum(h).len() as f64;
        let big_n = stratum(h)[0].1;
        let z: Vec<f64> = stratum(h).iter().map(|c| c.2 - r * c.3).collect();
        let mean = z.iter().sum::<f64>() / n;
        let s2 = z.iter().map(|z| (z - mean).powi(2)).sum::<f64>() / (n - 1.0);
        v += big_n * big_n * (1.0 - n / big_n) / n * s2;
    }
    (r, (v / (x_hat * x_hat)).sqrt())
}

#[test]
fn hand_built_design_matches_cochran() {
    let (design, rows) = design();
    let mut est = SampledEstimator::new(&design).unwrap();
    for (code, register, returns) in &rows {
        est.add_county(code, register, returns).unwrap();
    }
    let e = est.finish(0.95).unwrap();
    assert_eq!(e.design.strata, 2);
    assert_eq!(e.design.counties_drawn, 5);
    assert_eq!(e.design.counties_in_strata, 9);
    assert_eq!(e.design.households, 12);
    let g = &e.estimates[6];
    assert_eq!(g.indicator, "guarantees");
    assert_eq!(g.n, 11);
    let p = g.estimate.unwrap();
    assert!((p - 77.0 / 116.0).abs() < 1e-12, "{p}");
    let (r, se) = cochran(&[
        ("A", 5.0, 2.0, 3.0),
        ("A", 5.0, 1.0, 1.0),
        ("B", 4.0, 0.0, 2.0),
        ("B", 4.0, 1.0, 1.0),
        ("B", 4.0, 3.0, 4.0),
    ]);
    assert!((r - p).abs() < 1e-12);
    let got = g.se.unwrap();
    assert!((got - se).abs() < 1e-12, "se {got} against Cochran's {se}");
    assert!(se > 0.01);
    let (lci, uci) = (g.lci.unwrap(), g.uci.unwrap());
    assert!(lci < p && p < uci && lci > 0.0 && uci < 1.0, "{lci} {uci}");
    // `poor` is the complement here: the same standard error, 1 − r.
    let poor = &e.estimates[7];
    assert!((poor.estimate.unwrap() - 39.0 / 116.0).abs() < 1e-12);
    assert!((poor.se.unwrap() - se).abs() < 1e-12);
    assert_eq!(e.estimates.len(), SAMPLED_INDICATORS.len());
    let csv = String::from_utf8(sampled_csv(&e).unwrap()).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "indicator,n,estimate,se,lci,uci,deff,strata,counties_drawn,households"
    );
    assert!(lines
        .nth(6)
        .unwrap()
        .starts_with(&format!("guarantees,11,{p},{got},")));
}

/// A drawn county with no enumerated household stays a cluster of zero totals: the
/// variance counts it (z = 0), and the estimate is unchanged.
#[test]
fn a_county_without_households_is_a_cluster_of_zeros() {
    let (mut design, mut rows) = design();
    design.push(drawn("120104", "B", 5));
    for d in design.iter_mut().filter(|d| d.stratum == "B") {
        d.stratum_counties = 5;
    }
    rows.push(("120104".to_string(), vec![], vec![]));
    let mut est = SampledEstimator::new(&design).unwrap();
    for (code, register, returns) in &rows {
        est.add_county(code, register, returns).unwrap();
    }
    let e = est.finish(0.95).unwrap();
    let (r, se) = cochran(&[
        ("A", 5.0, 2.0, 3.0),
        ("A", 5.0, 1.0, 1.0),
        ("B", 5.0, 0.0, 2.0),
        ("B", 5.0, 1.0, 1.0),
        ("B", 5.0, 3.0, 4.0),
        ("B", 5.0, 0.0, 0.0),
    ]);
    let g = &e.estimates[6];
    assert!((g.estimate.unwrap() - r).abs() < 1e-12);
    assert!((g.se.unwrap() - se).abs() < 1e-12, "{:?} {se}", g.se);
}

/// Every stratum drawn whole: a census of the counties, no sampling error.
#[test]
fn strata_drawn_whole_have_no_sampling_error() {
    let design = vec![drawn("110101", "A", 2), drawn("110102", "A", 2)];
    let mut est = SampledEstimator::new(&design).unwrap();
    let (r1, s1) = county("110101", &[T, F, T]);
    let (r2, s2) = county("110102", &[T]);
    est.add_county("110101", &r1, &s1).unwrap();
    est.add_county("110102", &r2, &s2).unwrap();
    let e = est.finish(0.95).unwrap();
    let g = &e.estimates[6];
    assert_eq!(g.estimate, Some(0.75));
    assert_eq!(g.se, Some(0.0));
}

#[test]
fn an_indicator_nobody_answered_has_no_estimate() {
    let design = vec![drawn("110101", "A", 3), drawn("110102", "A", 3)];
    let mut est = SampledEstimator::new(&design).unwrap();
    let (r1, s1) = county("110101", &[None]);
    let (r2, s2) = county("110102", &[None, None]);
    est.add_county("110101", &r1, &s1).unwrap();
    est.add_county("110102", &r2, &s2).unwrap();
    let e = est.finish(0.95).unwrap();
    assert_eq!(e.design.households, 3);
    assert!(e.estimates.iter().all(|e| e.n == 0 && e.estimate.is_none()));
    let csv = String::from_utf8(sampled_csv(&e).unwrap()).unwrap();
    assert!(csv.contains("\nincome,0,,,,,,1,2,3\n"), "{csv}");
}

#[test]
fn bad_designs_are_refused() {
    let err =
        SampledEstimator::new(&[drawn("110101", "A", 3), drawn("110101", "B", 3)]).unwrap_err();
    assert!(
        matches!(err, SampledError::Twice(ref c) if c == "110101"),
        "{err}"
    );
    let err =
        SampledEstimator::new(&[drawn("110101", "A", 1), drawn("110102", "A", 1)]).unwrap_err();
    assert!(
        matches!(
            err,
            SampledError::StratumTooSmall {
                drawn: 2,
                counties: 1,
                ..
            }
        ),
        "{err}"
    );
    let err =
        SampledEstimator::new(&[drawn("110101", "A", 3), drawn("110102", "A", 4)]).unwrap_err();
    assert!(matches!(
        err,
        SampledError::StratumCountsDiffer {
            first: 3,
            second: 4,
            ..
        }
    ));
    assert!(matches!(
        SampledEstimator::new(&[drawn("110101", "A", 0)]).unwrap_err(),
        SampledError::NoCounties(_)
    ));
    assert!(matches!(
        SampledEstimator::new(&[]).unwrap_err(),
        SampledError::NoDesign
    ));
    let mut est = SampledEstimator::new(&[drawn("110101", "A", 3)]).unwrap();
    let (r, s) = county("110101", &[T]);
    assert!(matches!(
        est.add_county("110102", &r, &s).unwrap_err(),
        SampledError::NotDrawn(_)
    ));
    assert!(matches!(
        SampledEstimator::new(&[drawn("110101", "A", 3), drawn("110102", "A", 3)])
            .unwrap()
            .finish(0.95)
            .unwrap_err(),
        SampledError::NotAdded(ref c) if c == "110101"
    ));
    est.add_county("110101", &r, &s).unwrap();
    assert!(matches!(
        est.add_county("110101", &r, &s).unwrap_err(),
        SampledError::AddedTwice(_)
    ));
}

#[test]
fn design_files_are_read_with_english_or_chinese_headers() {
    let en = "county_code,stratum,stratum_counties\n110101,A,5\n110102, A ,5\n\n120101,B,4\n";
    let d = assess_census_tables::parse_design(en.as_bytes()).unwrap();
    assert_eq!(d.len(), 3);
    assert_eq!(d[1], drawn("110102", "A", 5));
    let zh = "\u{feff}层内县数,县代码,层,备注\n4,120101,B,x\n";
    let d = assess_census_tables::parse_design(zh.as_bytes()).unwrap();
    assert_eq!(d, vec![drawn("120101", "B", 4)]);
}

#[test]
fn bad_design_rows_are_refused_with_line_and_column() {
    let parse = |t: &str| {
        assess_census_tables::parse_design(t.as_bytes())
            .unwrap_err()
            .to_string()
    };
    let h = "county_code,stratum,stratum_counties\n";
    assert_eq!(
        parse(&format!("{h}110101,A,5\n11010,A,5\n")),
        "line 3, column county_code: \"11010\" is not a county code; give the county's 6 digits"
    );
    assert!(parse(&format!("{h}110101,A,five\n"))
        .starts_with("line 2, column stratum_counties: \"five\" is not a count of counties"));
    assert!(parse(&format!("{h}110101,A,0\n")).starts_with("line 2, column stratum_counties"));
    assert!(parse(&format!("{h}110101,,3\n")).starts_with("line 2, column stratum: no stratum"));
    assert_eq!(
        parse(&format!("{h}110101,A,5\n110102,A,5\n110101,B,4\n")),
        "line 4, column county_code: county 110101 is already on line 2; list each drawn county once"
    );
    assert!(parse("county,stratum,stratum_counties\n").starts_with("line 1: no column county_code"));
    assert!(parse(h).contains("no county"));
    assert!(parse(&format!("{h}110101,A\n")).starts_with("line 2:"));
    let zh = "县代码,层,层内县数\n110101,甲,x\n";
    assert!(parse(zh).starts_with("line 2, column 层内县数:"));
}

/// A stratum with one drawn county of several gives no variance of its own (R's
/// `survey.lonely.psu = "remove"`): the standard error is stratum A's term of Cochran's
/// formula alone, over the X̂ of both strata.
#[test]
fn a_lonely_county_adds_no_variance() {
    let design = vec![
        drawn("110101", "A", 5),
        drawn("110102", "A", 5),
        drawn("120101", "B", 4),
    ];
    let mut est = SampledEstimator::new(&design).unwrap();
    for (code, values) in [
        ("110101", vec![T, F, T]),
        ("110102", vec![T]),
        ("120101", vec![F, T]),
    ] {
        let (r, s) = county(code, &values);
        est.add_county(code, &r, &s).unwrap();
    }
    let g = est.finish(0.95).unwrap().estimates[6].clone();
    // Ŷ = 2.5·3 + 4·1 = 11.5, X̂ = 2.5·4 + 4·2 = 18, r = 23/36.
    let r = 23.0 / 36.0;
    assert!((g.estimate.unwrap() - r).abs() < 1e-12);
    // Stratum A: z = (2 − 3r, 1 − r), s² = (z1 − z2)²/2, N²(1 − f)/n = 25·0.6/2 = 7.5.
    let (z1, z2) = (2.0 - 3.0 * r, 1.0 - r);
    let v = 7.5 * (z1 - z2) * (z1 - z2) / 2.0 / (18.0 * 18.0);
    assert!(
        (g.se.unwrap() - v.sqrt()).abs() < 1e-12,
        "{:?} {}",
        g.se,
        v.sqrt()
    );
}
