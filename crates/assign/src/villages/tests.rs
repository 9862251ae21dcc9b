use super::*;
use crate::test_rng::Rng;

fn village(code: usize, households: u32, location: Option<LonLat>) -> Village {
    Village {
        code: format!("530128{code:06}"),
        name: String::new(),
        households,
        reserves: 0,
        location,
    }
}

fn pair(id: usize, start: Option<LonLat>) -> Pair {
    Pair {
        id: format!("P{id}"),
        interviewers: [format!("a{id}"), format!("b{id}")],
        start,
    }
}

/// Every map from villages to pairs: the least total distance from the pairs' bases among
/// those whose loads lie within `bounds`, or `None`.
fn brute_force(costs: &[Vec<i64>], weights: &[u32], k: usize, bounds: (u32, u32)) -> Option<i64> {
    let n = weights.len();
    let mut choice = vec![0usize; n];
    let mut best: Option<i64> = None;
    'all: loop {
        let mut loads = vec![0; k];
        for (v, &p) in choice.iter().enumerate() {
            loads[p] += weights[v];
        }
        if loads.iter().all(|l| (bounds.0..=bounds.1).contains(l)) {
            let total = choice.iter().enumerate().map(|(v, &p)| costs[v][p]).sum();
            if best.is_none_or(|b| total < b) {
                best = Some(total);
            }
        }
        for digit in choice.iter_mut() {
            *digit += 1;
            if *digit < k {
                continue 'all;
            }
            *digit = 0;
        }
        break;
    }
    best
}

/// The rules, checked independently of the solver: each village once, loads within bounds,
/// distances recomputed from the bases.
fn keeps_the_rules(villages: &[Village], pairs: &[Pair], s: &Split) {
    assert_eq!(s.pair_of.len(), villages.len());
    assert!(s.pair_of.iter().all(|&p| p < pairs.len()));
    let (lo, hi) = s.bounds;
    for load in s.loads(villages, pairs.len()) {
        assert!((lo..=hi).contains(&load), "load {load} outside {lo}..={hi}");
    }
    for (v, &p) in s.pair_of.iter().enumerate() {
        let expected = match (s.bases[p], villages[v].location) {
            (Base::Start(b), Some(at)) => Some(metres(b, at)),
            (Base::Village(b), Some(at)) => Some(metres(villages[b].location.unwrap(), at)),
            _ => None,
        };
        assert_eq!(s.metres[v], expected);
    }
}

fn random_case(rng: &mut Rng, equal: bool, starts: bool) -> (Vec<Village>, Vec<Pair>) {
    let n = 1 + rng.below(7) as usize;
    let k = 1 + rng.below(n.min(4) as u64) as usize;
    let w = 1 + rng.below(6) as u32;
    let villages = (0..n)
        .map(|i| {
            let households = if equal { w } else { 1 + rng.below(9) as u32 };
            let at = (rng.degrees(102.2, 102.9), rng.degrees(25.4, 26.1));
            village(i, households, Some(at))
        })
        .collect();
    let pairs = (0..k)
        .map(|i| {
            let start = (starts || rng.below(2) == 0)
                .then(|| (rng.degrees(102.2, 102.9), rng.degrees(25.4, 26.1)));
            pair(i, start)
        })
        .collect();
    (villages, pairs)
}

#[test]
fn the_split_equals_brute_force_on_random_small_cases() {
    let mut rng = Rng(20_201_130);
    let (mut found, mut refused) = (0, 0);
    for case in 0..800 {
        let (villages, pairs) = random_case(&mut rng, case % 3 == 0, true);
        let weights: Vec<u32> = villages.iter().map(|v| v.households).collect();
        let largest = *weights.iter().max().unwrap();
        // Tolerances from none to the default, so that many cases are tight or impossible.
        let tolerance = rng.below(u64::from(largest) + 1) as u32;
        let options = SplitOptions {
            tolerance: Some(tolerance),
            ..SplitOptions::default()
        };
        let total: u32 = weights.iter().sum();
        let bounds = balance_bounds(total, pairs.len(), tolerance);
        let bases: Vec<Base> = pairs
            .iter()
            .map(|p| Base::Start(p.start.unwrap()))
            .collect();
        let at: Vec<LonLat> = villages.iter().map(|v| v.location.unwrap()).collect();
        let expected = brute_force(&cost_matrix(&at, &bases), &weights, pairs.len(), bounds);
        match (split(&villages, &pairs, options), expected) {
            (Ok(s), Some(best)) => {
                keeps_the_rules(&villages, &pairs, &s);
                assert_eq!(s.total_metres(), Some(best), "case {case}");
                assert_eq!(
                    s.method,
                    Method::Travel {
                        proved_optimal: true
                    }
                );
                assert!(!s.bases_chosen);
                found += 1;
            }
            (Err(SplitError::Unbalanceable { .. }), None) => refused += 1,
            (got, expected) => panic!("case {case}: {got:?}, brute force {expected:?}"),
        }
    }
    // Both outcomes are exercised.
    assert!(
        found > 300 && refused > 50,
        "{found} found, {refused} refused"
    );
}

#[test]
fn the_default_tolerance_always_admits_a_split() {
    let mut rng = Rng(7);
    for case in 0..300 {
        let (villages, pairs) = random_case(&mut rng, false, false);
        let s = split(&villages, &pairs, SplitOptions::default()).unwrap();
        keeps_the_rules(&villages, &pairs, &s);
        let largest = villages.iter().map(|v| v.households).max().unwrap();
        let total: u32 = villages.iter().map(|v| v.households).sum();
        assert_eq!(
            s.bounds,
            balance_bounds(total, pairs.len(), largest),
            "case {case}"
        );
        // A chosen base is a village.
        for (p, b) in s.bases.iter().enumerate() {
            match (b, pairs[p].start) {
                (Base::Start(at), Some(start)) => assert_eq!(*at, start),
                (Base::Village(v), None) => assert!(*v < villages.len()),
                other => panic!("case {case}: pair {p}: {other:?}"),
            }
        }
    }
}

#[test]
fn without_coordinates_the_workload_is_balanced_by_list_scheduling() {
    // 9, 7, 6, 5, 4, 3 households over two pairs: largest first to the least loaded gives
    // 9+5+3 = 17 and 7+6+4 = 17.
    let villages: Vec<Village> = [9, 7, 6, 5, 4, 3]
        .iter()
        .enumerate()
        .map(|(i, &w)| village(i, w, (i != 2).then_some((102.5, 25.6))))
        .collect();
    let pairs = [pair(1, None), pair(2, None)];
    let s = split(&villages, &pairs, SplitOptions::default()).unwrap();
    assert_eq!(s.pair_of, [0, 1, 1, 0, 1, 0]);
    assert_eq!(s.loads(&villages, 2), [17, 17]);
    assert_eq!(s.bounds, (8, 26));
    assert_eq!(
        s.method,
        Method::WorkloadOnly {
            without_location: vec!["530128000002".into()]
        }
    );
    assert_eq!(s.total_metres(), None);
    // A tolerance of 0 is still met (17 each); one village more cannot be split evenly.
    let tight = SplitOptions {
        tolerance: Some(0),
        ..SplitOptions::default()
    };
    assert!(split(&villages, &pairs, tight).is_ok());
    let mut odd = villages.clone();
    odd.push(village(6, 1, None));
    let e = split(&odd, &pairs, tight).unwrap_err();
    assert!(
        matches!(e, SplitError::Unbalanceable { lo: 18, hi: 17, .. }),
        "{e:?}"
    );
}

#[test]
fn a_known_split_two_clusters() {
    // Two clusters of three villages 50 km apart, equal households; two pairs starting at
    // each cluster: each takes its own cluster, at travel 0 from its start for the centre.
    let west = [(102.30, 25.60), (102.31, 25.60), (102.29, 25.60)];
    let east = [(102.80, 25.60), (102.81, 25.60), (102.79, 25.60)];
    let villages: Vec<Village> = west
        .iter()
        .chain(&east)
        .enumerate()
        .map(|(i, &at)| village(i, 50, Some(at)))
        .collect();
    let pairs = [pair(1, Some(east[0])), pair(2, Some(west[0]))];
    let s = split(&villages, &pairs, SplitOptions::default()).unwrap();
    assert_eq!(s.pair_of, [1, 1, 1, 0, 0, 0]);
    assert_eq!(s.metres[0], Some(0));
    assert_eq!(s.metres[3], Some(0));
    // Without starts, the bases are chosen: one in each cluster, at its middle village.
    let free = [pair(1, None), pair(2, None)];
    let s = split(&villages, &free, SplitOptions::default()).unwrap();
    assert!(s.bases_chosen);
    assert_eq!(s.pair_of[0..3].iter().collect::<BTreeSet<_>>().len(), 1);
    assert_eq!(s.pair_of[3..6].iter().collect::<BTreeSet<_>>().len(), 1);
    assert_ne!(s.pair_of[0], s.pair_of[3]);
    let mut bases: Vec<Base> = s.bases.clone();
    bases.sort_by_key(|b| match b {
        Base::Village(v) => *v,
        _ => usize::MAX,
    });
    assert_eq!(bases, [Base::Village(0), Base::Village(3)]);
    // A tolerance that forces a village across: 4 and 2 is outside 150 ± 0.
    let one_pair_more = [
        pair(1, Some(east[0])),
        pair(2, Some(west[0])),
        pair(3, Some(west[0])),
    ];
    let s = split(
        &villages,
        &one_pair_more,
        SplitOptions {
            tolerance: Some(0),
            ..SplitOptions::default()
        },
    )
    .unwrap();
    assert_eq!(s.loads(&villages, 3), [100, 100, 100]);
    keeps_the_rules(&villages, &one_pair_more, &s);
}

#[test]
fn refusals() {
    let villages = [village(0, 5, None)];
    let two = [pair(1, None), pair(2, None)];
    assert_eq!(
        split(&villages, &two, SplitOptions::default()),
        Err(SplitError::MorePairsThanVillages {
            pairs: 2,
            villages: 1
        })
    );
    assert_eq!(
        split(&villages, &[], SplitOptions::default()),
        Err(SplitError::NoPairs)
    );
    assert_eq!(
        split(&[], &two, SplitOptions::default()),
        Err(SplitError::NoVillages)
    );
}

#[test]
fn bounds_round_inward() {
    assert_eq!(balance_bounds(1250, 4, 50), (263, 362));
    assert_eq!(balance_bounds(1250, 5, 50), (200, 300));
    assert_eq!(balance_bounds(10, 3, 0), (4, 3));
    assert_eq!(balance_bounds(10, 3, 20), (0, 23));
}

#[test]
fn the_search_stops_and_says_so() {
    let mut rng = Rng(99);
    let (villages, pairs) = {
        let villages: Vec<Village> = (0..12)
            .map(|i| {
                village(
                    i,
                    1 + rng.below(9) as u32,
                    Some((rng.degrees(102.2, 102.9), rng.degrees(25.4, 26.1))),
                )
            })
            .collect();
        let pairs: Vec<Pair> = (0..4)
            .map(|i| {
                pair(
                    i,
                    Some((rng.degrees(102.2, 102.9), rng.degrees(25.4, 26.1))),
                )
            })
            .collect();
        (villages, pairs)
    };
    let s = split(
        &villages,
        &pairs,
        SplitOptions {
            tolerance: None,
            max_solves: 1,
        },
    )
    .unwrap();
    // The list-scheduling start is kept when the search cannot go on.
    assert_eq!(
        s.method,
        Method::Travel {
            proved_optimal: false
        }
    );
    keeps_the_rules(&villages, &pairs, &s);
    let full = split(&villages, &pairs, SplitOptions::default()).unwrap();
    assert_eq!(
        full.method,
        Method::Travel {
            proved_optimal: true
        }
    );
    assert!(full.total_metres() <= s.total_metres());
}
