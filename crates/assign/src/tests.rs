use super::*;
use crate::test_rng::Rng;

fn team(id: &str, province: &str, home: (f64, f64), capacity: usize) -> Team {
    Team {
        id: id.into(),
        province: province.into(),
        home,
        capacity,
    }
}

fn county(code: &str, centroid: (f64, f64)) -> County {
    County {
        code: code.into(),
        name: String::new(),
        centroid,
    }
}

/// Every assignment of teams to counties, by enumeration: the least total keeping the rules,
/// or `None` when none keeps them.
fn brute_force(teams: &[Team], counties: &[County], no_mutual: bool) -> Option<i64> {
    let n = counties.len();
    let k = teams.len();
    let mut choice = vec![0usize; n];
    let mut best: Option<i64> = None;
    'all: loop {
        let mut loads = vec![0; k];
        let mut total = 0;
        let mut directions = BTreeSet::new();
        let mut ok = true;
        for (c, &t) in choice.iter().enumerate() {
            loads[t] += 1;
            let (from, to) = (teams[t].province.as_str(), counties[c].province());
            if from == to || loads[t] > teams[t].capacity {
                ok = false;
                break;
            }
            directions.insert((from, to));
            total += metres(teams[t].home, counties[c].centroid);
        }
        if ok
            && no_mutual
            && directions
                .iter()
                .any(|&(a, b)| directions.contains(&(b, a)))
        {
            ok = false;
        }
        if ok && best.is_none_or(|b| total < b) {
            best = Some(total);
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

/// The rules checked on an assignment independently of the solver.
fn keeps_the_rules(teams: &[Team], counties: &[County], a: &Assignment, no_mutual: bool) {
    assert_eq!(a.placements.len(), counties.len());
    let mut directions = BTreeSet::new();
    for (i, p) in a.placements.iter().enumerate() {
        assert_eq!(p.county, i, "one placement per county, in order");
        assert_ne!(
            teams[p.team].province,
            counties[i].province(),
            "own province"
        );
        assert_eq!(p.metres, metres(teams[p.team].home, counties[i].centroid));
        directions.insert((teams[p.team].province.clone(), counties[i].province()));
    }
    for (t, load) in a.loads(teams.len()).into_iter().enumerate() {
        assert!(load <= teams[t].capacity, "capacity of team {t}");
    }
    assert_eq!(
        a.total_metres,
        a.placements.iter().map(|p| p.metres).sum::<i64>()
    );
    if no_mutual {
        for (from, to) in &directions {
            assert!(
                !directions.contains(&(to.to_string(), from.as_str())),
                "{from} and {to} assess each other"
            );
        }
    }
}

fn random_case(rng: &mut Rng) -> (Vec<Team>, Vec<County>) {
    const PROVINCES: [&str; 4] = ["11", "12", "52", "53"];
    let k = 1 + rng.below(4) as usize;
    let n = 1 + rng.below(7) as usize;
    let teams = (0..k)
        .map(|i| {
            team(
                &format!("T{i}"),
                PROVINCES[rng.below(4) as usize],
                (rng.degrees(100.0, 120.0), rng.degrees(22.0, 40.0)),
                1 + rng.below(3) as usize,
            )
        })
        .collect();
    let counties = (0..n)
        .map(|i| {
            let province = PROVINCES[rng.below(4) as usize];
            county(
                &format!("{province}01{i:02}"),
                (rng.degrees(100.0, 120.0), rng.degrees(22.0, 40.0)),
            )
        })
        .collect();
    (teams, counties)
}

#[test]
fn the_optimum_equals_brute_force_on_random_small_cases() {
    let mut rng = Rng(14);
    let (mut solved, mut refused) = (0, 0);
    for case in 0..600 {
        let (teams, counties) = random_case(&mut rng);
        for no_mutual in [false, true] {
            let expected = brute_force(&teams, &counties, no_mutual);
            match (
                assign(
                    &teams,
                    &counties,
                    Options {
                        no_mutual,
                        ..Options::default()
                    },
                ),
                expected,
            ) {
                (Ok(a), Some(best)) => {
                    keeps_the_rules(&teams, &counties, &a, no_mutual);
                    assert_eq!(a.total_metres, best, "case {case}, no_mutual {no_mutual}");
                    solved += 1;
                }
                (Err(_), None) => refused += 1,
                (got, expected) => {
                    panic!(
                        "case {case}, no_mutual {no_mutual}: {got:?} but brute force {expected:?}"
                    )
                }
            }
        }
    }
    // Both kinds of case were met, often.
    assert!(
        solved > 300 && refused > 100,
        "{solved} solved, {refused} refused"
    );
}

#[test]
fn a_known_optimum_crosses_over() {
    // Team A (province 11) is near county 120101 and team B (12) near 110101: each takes the
    // other's, the only assignment allowed.
    let teams = [
        team("A", "11", (117.2, 39.1), 1),
        team("B", "12", (116.4, 39.9), 1),
    ];
    let counties = [
        county("110101", (116.4, 39.9)),
        county("120101", (117.2, 39.1)),
    ];
    let a = assign(&teams, &counties, Options::default()).unwrap();
    assert_eq!(a.placements[0].team, 1);
    assert_eq!(a.placements[1].team, 0);
    assert_eq!(a.total_metres, 0);
    // Mutual assessment forbidden: 11 and 12 would assess each other, and nobody else can.
    assert_eq!(
        assign(
            &teams,
            &counties,
            Options {
                no_mutual: true,
                ..Options::default()
            }
        ),
        Err(AssignError::MutualUnavoidable)
    );
    // A search allowed one problem stops, with a typed error, where it would branch.
    assert_eq!(
        assign(
            &teams,
            &counties,
            Options {
                no_mutual: true,
                max_solves: 1
            }
        ),
        Err(AssignError::SearchTooLarge { solved: 1 })
    );
}

#[test]
fn capacity_is_used_where_travel_is_least() {
    // One near team with capacity 2 takes both near counties; the far team takes the third.
    let teams = [
        team("near", "52", (104.0, 30.0), 2),
        team("far", "52", (120.0, 40.0), 3),
    ];
    let counties = [
        county("530101", (104.1, 30.0)),
        county("530102", (104.0, 30.1)),
        county("530103", (104.2, 30.2)),
    ];
    let a = assign(&teams, &counties, Options::default()).unwrap();
    assert_eq!(a.loads(2), vec![2, 1]);
    keeps_the_rules(&teams, &counties, &a, false);
    assert_eq!(
        a.placements[2].team, 1,
        "the farthest county goes to the far team"
    );
}

#[test]
fn infeasible_inputs_are_typed_errors_naming_the_county() {
    let teams = [
        team("A", "11", (116.0, 40.0), 5),
        team("B", "12", (117.0, 39.0), 1),
    ];
    let counties = [
        county("110101", (116.4, 39.9)),
        county("110102", (116.3, 39.9)),
        county("120101", (117.2, 39.1)),
    ];
    let e = assign(&teams, &counties, Options::default()).unwrap_err();
    assert_eq!(
        e,
        AssignError::ProvinceShort {
            county: "110102".into(),
            province: "11".into(),
            counties: 2,
            capacity: 1
        }
    );
    assert!(
        e.to_string().contains("county 110102 cannot be placed"),
        "{e}"
    );
    let e = assign(&teams[1..], &counties, Options::default()).unwrap_err();
    assert_eq!(
        e,
        AssignError::NotEnoughCapacity {
            counties: 3,
            capacity: 1
        }
    );
}

#[test]
fn bad_teams_and_counties_are_refused() {
    let c = [county("110101", (116.4, 39.9))];
    let zero = [team("A", "12", (117.0, 39.0), 0)];
    assert!(matches!(
        assign(&zero, &c, Options::default()),
        Err(AssignError::ZeroCapacity { .. })
    ));
    let province = [team("A", "120", (117.0, 39.0), 1)];
    assert!(matches!(
        assign(&province, &c, Options::default()),
        Err(AssignError::BadProvince { .. })
    ));
    let twice = [
        team("A", "12", (117.0, 39.0), 1),
        team("A", "13", (117.0, 39.0), 1),
    ];
    assert!(matches!(
        assign(&twice, &c, Options::default()),
        Err(AssignError::DuplicateTeam { .. })
    ));
    let ok = [team("A", "12", (117.0, 39.0), 2)];
    assert!(matches!(
        assign(&ok, &[c[0].clone(), c[0].clone()], Options::default()),
        Err(AssignError::DuplicateCounty { .. })
    ));
    assert!(matches!(
        assign(&ok, &[county("11010", (1.0, 1.0))], Options::default()),
        Err(AssignError::BadCounty { .. })
    ));
    assert!(matches!(
        assign(
            &ok,
            &[county("110101", (f64::NAN, 1.0))],
            Options::default()
        ),
        Err(AssignError::BadLocation { .. })
    ));
    assert_eq!(
        assign(&ok, &[], Options::default())
            .unwrap()
            .placements
            .len(),
        0
    );
}
