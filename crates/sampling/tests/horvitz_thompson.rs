//! The whole two-stage draw, through the public API: the Horvitz-Thompson total of members
//! (Σ members × weight over primaries) averaged over many seeds must equal the register's
//! true total within 3 Monte Carlo standard errors, the weights being the exact inclusion
//! probabilities of sequential Poisson sampling; with λ in their place the small-n strata of
//! provincial designs show a bias.

use assess_divisions::VillageCode;
use assess_household::{Household, Status};
use assess_sampling::{
    draw_villages, draw_villages_extended, review_county, select_runs, CompactRegister,
    FrameVillage, HouseholdSelector, Plan, ReviewCell, SampleRow,
};
use std::collections::HashMap;

const SEEDS: usize = 3_000;

struct County {
    frame: Vec<FrameVillage>,
    households: HashMap<VillageCode, Vec<Household>>,
}

/// 30 villages of 12-150 households, the first 12 remote; members 1-6, statuses mixed.
fn county() -> County {
    let mut frame = Vec::new();
    let mut households = HashMap::new();
    let mut state = 7u64;
    let mut next = move |m: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % m
    };
    for v in 0..30 {
        let code = VillageCode::parse(&format!("530128102{:03}", 201 + v)).unwrap();
        let mut village = FrameVillage::new(code.clone());
        village.remote = Some(v < 12);
        let size = 12 + next(139);
        let list: Vec<Household> = (0..size)
            .map(|k| {
                let status = [
                    Status::Exited,
                    Status::Poor,
                    Status::NonRegistered,
                    Status::NonRegistered,
                ][next(4) as usize];
                let members = 1 + next(6) as u32;
                village.add(status, members);
                Household {
                    household_id: format!("{code}-{k:04}"),
                    village: code.clone(),
                    status,
                    exit_year: (status == Status::Exited).then_some(2017),
                    members,
                    income_per_capita: None,
                    lon: None,
                    lat: None,
                    display: Default::default(),
                }
            })
            .collect();
        households.insert(code, list);
        frame.push(village);
    }
    County { frame, households }
}

const STRATIFIED: &str = r#"
[plan]
name = "mc"
year = 2018
counties = ["530128"]
[villages]
n = 8
[[villages.strata]]
name = "remote"
where = { remote = true }
n = 4
[[villages.strata]]
name = "other"
where = { remote = false }
n = 4
[households]
per_village = { exited = 6, poor = 2, non_registered = 6 }
reserves = 2
"#;

const TWO_DRAWS: &str = r#"
[plan]
name = "mc"
year = 2018
counties = ["530128"]
[villages]
design = "independent_draws"
[[villages.draws]]
name = "remote"
where = { remote = true }
n = 4
[[villages.draws]]
name = "county"
n = 4
[households]
per_village = { exited = 6, poor = 2, non_registered = 6 }
reserves = 2
"#;

const COMPOSITE: &str = r#"
[plan]
name = "mc"
year = 2018
counties = ["530128"]
[villages]
n = 8
measure = "composite"
allocation = "proportional"
[[villages.strata]]
name = "remote"
where = { remote = true }
[[villages.strata]]
name = "other"
where = { remote = false }
[households]
per_county = { exited = 60, poor = 20, non_registered = 100 }
reserves = 2
"#;

fn people(v: &FrameVillage) -> f64 {
    v.people.iter().sum::<u64>() as f64
}

/// The sample rows of `SEEDS` whole draws, one seed pair each.
fn draws<'a>(plan: &'a Plan, c: &'a County) -> impl Iterator<Item = Vec<SampleRow>> + 'a {
    drawn(plan, c, 0).map(|(_, rows)| rows)
}

/// The villages and sample rows of `SEEDS` whole draws, each extended by `extra` villages
/// per stratum or draw.
fn drawn<'a>(
    plan: &'a Plan,
    c: &'a County,
    extra: u32,
) -> impl Iterator<Item = (Vec<assess_sampling::SelectedVillage>, Vec<SampleRow>)> + 'a {
    (0..SEEDS).map(move |seed| {
        let (villages, _) =
            draw_villages_extended(plan, "530128", &c.frame, &format!("v{seed}"), extra);
        let mut selector = HouseholdSelector::new(plan, &villages, &format!("h{seed}"));
        for v in &villages {
            c.households[&v.code].iter().for_each(|h| selector.offer(h));
        }
        let sampled: HashMap<VillageCode, FrameVillage> = c
            .frame
            .iter()
            .filter(|f| villages.iter().any(|v| v.code == f.code))
            .map(|f| (f.code.clone(), f.clone()))
            .collect();
        let rows = selector.finish(&villages, &sampled).unwrap();
        (villages, rows)
    })
}

fn check(plan_text: &str) {
    check_extended(plan_text, 0);
}

fn check_extended(plan_text: &str, extra: u32) {
    let plan = Plan::parse(plan_text).unwrap();
    let c = county();
    let truth: f64 = c.frame.iter().map(people).sum();
    let totals: Vec<f64> = drawn(&plan, &c, extra)
        .map(|(_, rows)| {
            rows.iter()
                .filter_map(|r| r.weight.map(|w| w * f64::from(r.members)))
                .sum::<f64>()
        })
        .collect();
    let (mean, se) = mean_and_se(&totals);
    assert!(
        (mean - truth).abs() <= 3.0 * se,
        "mean HT {mean}, truth {truth}, MC se {se}"
    );
}

fn mean_and_se(totals: &[f64]) -> (f64, f64) {
    let n = totals.len() as f64;
    let mean = totals.iter().sum::<f64>() / n;
    let var = totals.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

#[test]
fn horvitz_thompson_total_is_unbiased_stratified() {
    check(STRATIFIED);
}

#[test]
fn horvitz_thompson_total_is_unbiased_with_two_independent_draws() {
    check(TWO_DRAWS);
}

#[test]
fn horvitz_thompson_total_is_unbiased_with_a_composite_measure() {
    check(COMPOSITE);
}

/// The household stage over a [`CompactRegister`] kept during the scan, its runs split
/// among parts and the parts' selectors merged, gives exactly the rows of offering every
/// household to one selector, also when a register interleaves its villages.
#[test]
fn the_compact_register_in_parts_gives_the_rows_of_one_selector() {
    let plan = Plan::parse(STRATIFIED).unwrap();
    let c = county();
    let by_code: HashMap<VillageCode, FrameVillage> = c
        .frame
        .iter()
        .map(|v| (v.code.clone(), v.clone()))
        .collect();
    // Villages taken in turns, a household at a time from each: every run is one household.
    let mut queues: Vec<_> = c
        .frame
        .iter()
        .map(|v| c.households[&v.code].iter())
        .collect();
    let mut interleaved = Vec::new();
    while interleaved.len() < c.households.values().map(Vec::len).sum::<usize>() {
        for q in queues.iter_mut() {
            interleaved.extend(q.next());
        }
    }
    for (seed, order) in (0..20).zip([false, true].into_iter().cycle()) {
        let households: Vec<_> = if order {
            interleaved.clone()
        } else {
            c.frame
                .iter()
                .flat_map(|v| &c.households[&v.code])
                .collect()
        };
        let (villages, _) = draw_villages(&plan, "530128", &c.frame, &format!("v{seed}"));
        let mut direct = HouseholdSelector::new(&plan, &villages, "h");
        let mut compact = CompactRegister::default();
        for h in &households {
            direct.offer(h);
            compact.push(h);
        }
        let runs = compact.runs_of(&villages);
        let cut = runs.len() * (seed as usize + 1) / 21;
        let mut parts = select_runs(&runs[..cut], &plan, &villages, "h");
        parts.merge(select_runs(&runs[cut..], &plan, &villages, "h"));
        let a = direct.finish(&villages, &by_code).unwrap();
        let b = parts.finish(&villages, &by_code).unwrap();
        assert_eq!(a, b, "seed {seed}");
        assert!(a.len() > 50);
    }
}

/// The design review's expectations (weighting effect, each part's share of the sampled
/// people) against what real draws give, averaged over `SEEDS` seeds: mean n × mean Σw² /
/// (mean Σw)², and mean sampled people of a part / mean sampled people, as the review
/// defines them. They differ only by λ against the exact π of sequential Poisson sampling
/// (under 3% relative here, see `expected_total`) and Monte Carlo error.
fn review_matches_draws(plan_text: &str) {
    let plan = Plan::parse(plan_text).unwrap();
    let c = county();
    let review = review_county(&plan, "530128", &c.frame);
    let exited = review
        .cells
        .iter()
        .find(|r| r.cell == ReviewCell::Exited)
        .unwrap();
    let part_of: HashMap<VillageCode, String> = assess_sampling::village_chances(&plan, &c.frame)
        .into_iter()
        .map(|v| (v.village.code.clone(), v.part))
        .collect();
    let (mut n, mut sum_w, mut sum_w2) = (0.0, 0.0, 0.0);
    let mut people: HashMap<String, f64> = HashMap::new();
    for rows in draws(&plan, &c) {
        for r in rows.iter().filter(|r| r.stratum == "exited") {
            let Some(w) = r.weight else { continue };
            n += 1.0;
            sum_w += w;
            sum_w2 += w * w;
            let code = VillageCode::parse(&r.village_code).unwrap();
            *people.entry(part_of[&code].clone()).or_default() += f64::from(r.members);
        }
    }
    let seeds = SEEDS as f64;
    let drawn = (n / seeds) * (sum_w2 / seeds) / (sum_w / seeds).powi(2);
    assert!(
        (drawn / exited.weighting_effect - 1.0).abs() < 0.01,
        "drawn {drawn}, review {}",
        exited.weighting_effect
    );
    assert!((n / seeds / exited.expected_households - 1.0).abs() < 0.02);
    let all: f64 = people.values().sum();
    for part in &exited.parts {
        let drawn = people[&part.part] / all;
        assert!(
            (drawn - part.sample_share).abs() < 0.02,
            "{}: drawn {drawn}, review {}",
            part.part,
            part.sample_share
        );
    }
}

#[test]
fn the_design_review_predicts_real_draws_stratified() {
    review_matches_draws(STRATIFIED);
}

#[test]
fn the_design_review_predicts_real_draws_with_two_independent_draws() {
    review_matches_draws(TWO_DRAWS);
}

#[test]
fn the_design_review_predicts_real_draws_with_a_composite_measure() {
    review_matches_draws(COMPOSITE);
}

/// The composite plan is what it claims: every exited household's chance is near the
/// status's fraction f = 60 / N_exited (only rounding k to whole households moves it), so the
/// weighting effect is near 1 where the practice-like plan's is not.
#[test]
fn a_composite_plan_is_nearly_self_weighting() {
    let c = county();
    let effect = |text: &str| {
        let plan = Plan::parse(text).unwrap();
        let review = review_county(&plan, "530128", &c.frame);
        review.cells[0].weighting_effect
    };
    let composite = effect(COMPOSITE);
    assert!(composite < 1.02, "composite {composite}");
    assert!(
        effect(STRATIFIED) > 1.05,
        "practice-like {}",
        effect(STRATIFIED)
    );
    let plan = Plan::parse(COMPOSITE).unwrap();
    let exited: u64 = c.frame.iter().map(|v| v.households[0]).sum();
    let f = 60.0 / exited as f64;
    let exited_in: HashMap<String, u64> = c
        .frame
        .iter()
        .map(|v| (v.code.to_string(), v.households[0]))
        .collect();
    for rows in draws(&plan, &c).take(50) {
        for r in rows
            .iter()
            .filter(|r| r.stratum == "exited" && r.pi.is_some())
        {
            // k = f N / π_v rounded, between 1 and N: the chance π_v k / N is f up to that
            // rounding.
            let n = exited_in[r.village_code.as_str()] as f64;
            let ideal = f * n / r.pi_village.unwrap();
            let k = r.pi_household.unwrap() * n;
            assert!(
                (k - ideal.round().clamp(1.0, n)).abs() < 1e-9,
                "{r:?}: k {k}, ideal {ideal}"
            );
            if (1.0..=n).contains(&ideal) {
                assert!(
                    (r.pi.unwrap() / f - 1.0).abs() <= 0.5 / ideal + 1e-9,
                    "{r:?}"
                );
            }
        }
    }
}

const SMALL_N: &str = r#"
[plan]
name = "mc"
year = 2018
counties = ["530128"]
[villages]
n = 5
[[villages.strata]]
name = "remote"
where = { remote = true }
n = 2
[[villages.strata]]
name = "other"
where = { remote = false }
n = 3
[households]
per_village = { exited = 6, poor = 2, non_registered = 6 }
"#;

/// The n = 2 and 3 of provincial designs, where λ is furthest from the exact π (5-8%): the
/// villages' Horvitz-Thompson count Σ 1/π_v over the drawn villages estimates the frame's 30
/// villages within 3 Monte Carlo standard errors with the exact π, and is biased with λ
/// (E = Σ_v π_v/λ_v). A total proportional to the size measure (people, here) hides the bias,
/// which is why it is checked on a variable that is not.
#[test]
fn exact_probabilities_keep_small_strata_unbiased_where_lambda_does_not() {
    let plan = Plan::parse(SMALL_N).unwrap();
    let c = county();
    let (mut exact, mut stated) = (Vec::new(), Vec::new());
    for (villages, _) in drawn(&plan, &c, 0) {
        exact.push(villages.iter().map(|v| 1.0 / v.pi.unwrap()).sum::<f64>());
        stated.push(
            villages
                .iter()
                .map(|v| 1.0 / v.tickets[0].lambda)
                .sum::<f64>(),
        );
    }
    let truth = c.frame.len() as f64;
    let (mean, se) = mean_and_se(&exact);
    assert!(
        (mean - truth).abs() <= 3.0 * se,
        "exact: {mean} vs {truth}, se {se}"
    );
    let (mean, se) = mean_and_se(&stated);
    assert!(
        (mean - truth).abs() > 3.0 * se,
        "λ: {mean} vs {truth}, se {se}"
    );
}

/// A draw extended by two villages per stratum or draw (`assess draw --extend`): the HT total
/// with the extended design's exact π is unbiased, within 3 Monte Carlo SE over 3,000 seeds,
/// for the three kinds of plan (the composite plan's takes come from the first phase's π).
#[test]
fn horvitz_thompson_total_is_unbiased_after_an_extension() {
    for plan in [STRATIFIED, TWO_DRAWS, COMPOSITE] {
        check_extended(plan, 2);
    }
}

/// The extended design's inclusion probabilities are the villages' real chances: over 3,000
/// seeds each village's share of draws that take it is within 4 binomial SE of its reported
/// π (30 villages, so a 4-SE band keeps the chance of a false alarm near 0.2%), and each
/// extended draw holds its first phase unchanged: the same villages with the same households.
#[test]
fn an_extension_has_the_inclusion_probabilities_it_reports_and_keeps_the_first_phase() {
    for text in [STRATIFIED, TWO_DRAWS] {
        let plan = Plan::parse(text).unwrap();
        let c = county();
        let mut taken: HashMap<VillageCode, usize> = HashMap::new();
        let mut reported: HashMap<VillageCode, f64> = HashMap::new();
        let first = drawn(&plan, &c, 0);
        for ((villages, rows), (first_villages, first_rows)) in drawn(&plan, &c, 2).zip(first) {
            for v in &villages {
                *taken.entry(v.code.clone()).or_default() += 1;
                let pi = v.pi.unwrap();
                let before = reported.insert(v.code.clone(), pi);
                assert!(before.is_none_or(|b| (b - pi).abs() < 1e-12));
            }
            for v in &first_villages {
                let extended = villages.iter().find(|e| e.code == v.code).unwrap();
                assert!(!extended.extension_only());
                assert_eq!(extended.take, v.take);
            }
            let ids = |rows: &[SampleRow], villages: &[assess_sampling::SelectedVillage]| {
                rows.iter()
                    .filter(|r| villages.iter().any(|v| v.code.as_str() == r.village_code))
                    .map(|r| (r.household_id.clone(), r.role, r.reserve_rank))
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                ids(&rows, &first_villages),
                ids(&first_rows, &first_villages)
            );
        }
        for (code, pi) in &reported {
            let share = taken[code] as f64 / SEEDS as f64;
            let se = (pi * (1.0 - pi) / SEEDS as f64).sqrt();
            assert!(
                (share - pi).abs() <= 4.0 * se + 1e-9,
                "{code}: drawn in {share}, reported π {pi}"
            );
        }
    }
}
