//! The PES draw and estimates, with known answers.

use assess_census::{judge_return, ReturnRow};
use assess_census_pes::{compare, draw, estimate_all, estimate_county, Comparison, ITEMS};
use assess_sampling::ticket::{ticket, Stage};
use assess_standards::Standards;

/// `n` enumerated rows of one county, households H-0.. (one return each).
fn county_rows(county: &str, n: usize) -> Vec<ReturnRow> {
    let base = ReturnRow::of(
        &judge_return(assess_census::example_return(), &Standards::builtin()).unwrap(),
    );
    (0..n)
        .map(|i| {
            let mut r = base.clone();
            r.county_code = county.to_string();
            r.household_id = format!("H-{i}");
            r.return_id = format!("{county}-{i:07}");
            r
        })
        .collect()
}

/// A comparison where only `food_clothing` (and so `any`) disagrees or not.
fn food(household_id: &str, disagrees: bool) -> Comparison {
    let mut d = [Some(false); ITEMS.len()];
    d[2] = Some(disagrees);
    Comparison {
        household_id: household_id.to_string(),
        disagrees: d,
    }
}

#[test]
fn the_draw_is_the_lowest_tickets_and_reproducible() {
    let rows = county_rows("530128", 500);
    let sample = draw("seed-1", "530128", &rows, 40).unwrap();
    assert_eq!(sample.len(), 40);
    // Independently: every household's ticket, sorted.
    let mut all: Vec<(f64, String)> = rows
        .iter()
        .map(|r| {
            (
                ticket("seed-1", Stage::Household, "530128", "pes", &r.household_id).value,
                r.household_id.clone(),
            )
        })
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let expected: Vec<&str> = all.iter().take(40).map(|t| t.1.as_str()).collect();
    let got: Vec<&str> = sample.iter().map(|s| s.household_id.as_str()).collect();
    assert_eq!(got, expected);
    assert_eq!(sample, draw("seed-1", "530128", &rows, 40).unwrap());
    assert_ne!(sample, draw("seed-2", "530128", &rows, 40).unwrap());
    assert!(sample.iter().all(|s| s.frame_size == 500));
}

#[test]
fn duplicates_and_households_not_enumerated_are_not_in_the_frame() {
    let mut rows = county_rows("530128", 10);
    let mut dup = rows[3].clone();
    dup.return_id = "530128-9000000".into();
    rows.push(dup);
    rows[5].outcome = "moved_out";
    let sample = draw("s", "530128", &rows, 100).unwrap();
    assert_eq!(sample.len(), 9);
    let h3 = sample.iter().find(|s| s.household_id == "H-3").unwrap();
    assert_eq!(h3.return_id, "530128-0000003");
    assert!(sample.iter().all(|s| s.household_id != "H-5"));
}

/// Each household is drawn with probability n / N: over 2,000 seeds a household's count is
/// Binomial(2000, 0.1), sd 13.4; every one of 50 households within 4.5 sd (a false failure
/// about once in 60,000 runs).
#[test]
fn every_household_has_the_same_chance() {
    let rows = county_rows("530128", 50);
    let mut counts = [0u32; 50];
    for seed in 0..2000 {
        for s in draw(&format!("s{seed}"), "530128", &rows, 5).unwrap() {
            counts[s.household_id[2..].parse::<usize>().unwrap()] += 1;
        }
    }
    let sd = (2000.0f64 * 0.1 * 0.9).sqrt();
    for (i, c) in counts.iter().enumerate() {
        assert!(
            (*c as f64 - 200.0).abs() < 4.5 * sd,
            "household {i}: {c} of 2000"
        );
    }
}

/// 7 disagreements among 100 households drawn from 1,000: p = 0.07, and the variance of a
/// proportion from a simple random sample without replacement is (1 − n/N) p(1 − p)/(n − 1)
/// (Cochran 1977, eq. 3.5); the Korn-Graubard interval holds the estimate.
#[test]
fn a_county_rate_is_the_sample_share_with_the_textbook_variance() {
    let rows = county_rows("530128", 1000);
    let sample = draw("s", "530128", &rows, 100).unwrap();
    let comps: Vec<_> = sample
        .iter()
        .enumerate()
        .map(|(i, s)| food(&s.household_id, i < 7))
        .collect();
    let pes = estimate_county(&sample, &comps, 0.95).unwrap();
    let item = &pes.items[2];
    assert_eq!(item.item, "food_clothing");
    assert_eq!((item.compared, item.disagreements), (100, 7));
    assert!((item.estimate - 0.07).abs() < 1e-12);
    assert!(item.lci < 0.07 && 0.07 < item.uci);
    assert_eq!(pes.any.disagreements, 7);
    assert_eq!(pes.items[0].disagreements, 0);
    assert!(
        pes.items[0].uci > 0.0,
        "no disagreement still has an upper bound above 0"
    );
    // The interval's width follows the textbook standard error.
    let se = ((1.0 - 0.1) * 0.07 * 0.93 / 99.0f64).sqrt();
    let half = (item.uci - item.lci) / 2.0;
    assert!(
        half > 1.5 * se && half < 2.6 * se,
        "half-width {half} against se {se}"
    );
}

#[test]
fn a_household_not_drawn_is_refused() {
    let rows = county_rows("530128", 100);
    let sample = draw("s", "530128", &rows, 10).unwrap();
    let drawn: std::collections::HashSet<_> =
        sample.iter().map(|s| s.household_id.clone()).collect();
    let stranger = (0..100)
        .map(|i| format!("H-{i}"))
        .find(|h| !drawn.contains(h))
        .unwrap();
    let err = estimate_county(&sample, &[food(&stranger, false)], 0.95).unwrap_err();
    assert!(err.to_string().contains(&stranger));
}

/// Coverage: a county of 2,000 households where 100 (5%) would disagree; 400 draws of 200
/// by different seeds. A 95% interval covers 5% in at least 95% of draws if it is right (the
/// Korn-Graubard interval is conservative); with 400 draws the share's sd is 1.1 points, so
/// the test asks for at least 91.7% (3 sd below 95%).
#[test]
fn the_interval_covers_the_county_rate() {
    let rows = county_rows("530128", 2000);
    let truly_disagrees = |h: &str| h[2..].parse::<usize>().unwrap() % 20 == 0;
    let mut covered = 0;
    for seed in 0..400 {
        let sample = draw(&format!("cov{seed}"), "530128", &rows, 200).unwrap();
        let comps: Vec<_> = sample
            .iter()
            .map(|s| food(&s.household_id, truly_disagrees(&s.household_id)))
            .collect();
        let item = &estimate_county(&sample, &comps, 0.95).unwrap().items[2];
        if item.lci <= 0.05 && 0.05 <= item.uci {
            covered += 1;
        }
    }
    assert!(covered as f64 / 400.0 >= 0.917, "covered {covered} of 400");
}

/// Two counties as strata: the national rate weights each county's rate by its frame.
#[test]
fn all_counties_weight_each_county_by_its_frame() {
    let a = county_rows("530128", 1000);
    let b = county_rows("530129", 3000);
    let sa = draw("s", "530128", &a, 50).unwrap();
    let sb = draw("s", "530129", &b, 50).unwrap();
    let ca: Vec<_> = sa
        .iter()
        .enumerate()
        .map(|(i, s)| food(&s.household_id, i < 10))
        .collect(); // 20%
    let cb: Vec<_> = sb.iter().map(|s| food(&s.household_id, false)).collect(); // 0%
    let all = estimate_all(&[(sa, ca), (sb, cb)], 0.95).unwrap();
    assert!((all.items[2].estimate - 0.2 * 1000.0 / 4000.0).abs() < 1e-12);
    assert_eq!(all.frame_size, 4000);
    assert_eq!(all.reinterviewed, 100);
}

#[test]
fn comparing_rows_sees_each_item() {
    let rows = county_rows("530128", 1);
    let mut other = rows[0].clone();
    other.members += 1;
    other.water = None;
    other.housing = other.housing.map(|h| !h);
    let c = compare(&rows[0], &other);
    assert_eq!(c.disagrees[0], Some(true));
    assert_eq!(c.disagrees[5], Some(true));
    assert_eq!(c.disagrees[6], None);
    assert_eq!(c.disagrees[1], Some(false));
    assert_eq!(c.any(), Some(true));
}
