//! Known answers for every rule, boundary by boundary. Each case edits a record that meets
//! every rule (`example_record`: exited, 3 members, income year 2019, line 3,218 yuan) and
//! states what one part of the judgment must be.

use assess_household::Status;
use assess_inspection::fixtures::example_record;
use assess_inspection::*;
use assess_standards::{ComponentGrade, HouseGrade, Standards, Tri};

/// Which part of the judgment a case looks at, and what it must be.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Income(Tri),
    FoodClothing(Tri),
    Education(Tri),
    Medical(Tri),
    Housing(Tri),
    Water(Tri),
    /// The computed roll-up grade.
    Computed(Option<HouseGrade>),
    Outcome(Outcome),
}

type Edit = fn(&mut HouseholdRecord);

fn check_with(s: &Standards, name: &str, edit: Edit, expected: Expect) {
    let mut r = example_record();
    edit(&mut r);
    let j = judge(&r, s).unwrap_or_else(|e| panic!("{name}: {e}"));
    let got = match expected {
        Expect::Income(_) => Expect::Income(j.income.check.status),
        Expect::FoodClothing(_) => Expect::FoodClothing(j.food_clothing.status),
        Expect::Education(_) => Expect::Education(j.education.status),
        Expect::Medical(_) => Expect::Medical(j.medical.status),
        Expect::Housing(_) => Expect::Housing(j.housing.check.status),
        Expect::Water(_) => Expect::Water(j.water.status),
        Expect::Computed(_) => Expect::Computed(j.housing.computed_grade),
        Expect::Outcome(_) => Expect::Outcome(j.outcome),
    };
    assert_eq!(got, expected, "case {name:?}; judgment: {j:#?}");
}

fn check(name: &str, edit: Edit, expected: Expect) {
    check_with(&Standards::builtin(), name, edit, expected)
}

fn run(cases: &[(&str, Edit, Expect)]) {
    for (name, edit, expected) in cases {
        check(name, *edit, *expected);
    }
}

fn standards_with(from: &str, to: &str) -> Standards {
    let base = include_str!("../../../data/standards/standards.toml");
    assert!(base.contains(from), "test setup: {from:?} not in the file");
    Standards::from_toml(&base.replace(from, to)).unwrap()
}

/// Water by fetching, not piped: convenience rests on minutes or distances.
fn not_piped(r: &mut HouseholdRecord) {
    r.water.piped_to_yard = Some(false);
    r.water.fetch_minutes = Some(30.0);
    r.water.horizontal_m = Some(900.0);
    r.water.vertical_m = Some(10.0);
}

fn child(r: &mut HouseholdRecord) -> &mut Member {
    r.members.last_mut().unwrap()
}

fn set_grades(r: &mut HouseholdRecord, g: [ComponentGrade; 4]) {
    r.housing.components = Components {
        load_bearing_walls: Some(g[0]),
        foundation: Some(g[1]),
        roof_truss: Some(g[2]),
        wood_members: Some(g[3]),
    };
}

#[test]
fn baseline_meets_everything() {
    let j = judge(&example_record(), &Standards::builtin()).unwrap();
    assert_eq!(j.guarantees, Tri::Met);
    assert_eq!(j.income.check.status, Tri::Met);
    assert_eq!(j.outcome, Outcome::WronglyExited(Answer::No));
    assert_eq!(j.people, Some(3));
    assert_eq!(j.standards_version, "assess-standards-4");
}

#[test]
fn water_quantity() {
    use Tri::*;
    run(&[
        (
            "35 L passes",
            |r| r.water.litres_per_person_day = Some(35.0),
            Expect::Water(Met),
        ),
        (
            "34.9 L fails",
            |r| r.water.litres_per_person_day = Some(34.9),
            Expect::Water(Unmet),
        ),
        (
            "20 L fails outside a water-scarce area",
            |r| r.water.litres_per_person_day = Some(20.0),
            Expect::Water(Unmet),
        ),
        (
            "20 L passes in a water-scarce area",
            |r| {
                r.water.litres_per_person_day = Some(20.0);
                r.water.water_scarce_area = Some(true);
            },
            Expect::Water(Met),
        ),
        (
            "19.9 L fails in a water-scarce area",
            |r| {
                r.water.litres_per_person_day = Some(19.9);
                r.water.water_scarce_area = Some(true);
            },
            Expect::Water(Unmet),
        ),
        (
            "30 L, scarcity unknown: unknown",
            |r| {
                r.water.litres_per_person_day = Some(30.0);
                r.water.water_scarce_area = None;
            },
            Expect::Water(Unknown),
        ),
        (
            "19 L, scarcity unknown: fails either way",
            |r| {
                r.water.litres_per_person_day = Some(19.0);
                r.water.water_scarce_area = None;
            },
            Expect::Water(Unmet),
        ),
        (
            "35 L, scarcity unknown: passes either way",
            |r| {
                r.water.litres_per_person_day = Some(35.0);
                r.water.water_scarce_area = None;
            },
            Expect::Water(Met),
        ),
        (
            "litres not recorded",
            |r| r.water.litres_per_person_day = None,
            Expect::Water(Unknown),
        ),
    ]);
}

#[test]
fn water_convenience_reliability_quality() {
    use Tri::*;
    run(&[
        (
            "not piped, far and slow fails",
            not_piped,
            Expect::Water(Unmet),
        ),
        (
            "fetch 20 minutes passes",
            |r| {
                not_piped(r);
                r.water.fetch_minutes = Some(20.0);
            },
            Expect::Water(Met),
        ),
        (
            "fetch 21 minutes fails",
            |r| {
                not_piped(r);
                r.water.fetch_minutes = Some(21.0);
            },
            Expect::Water(Unmet),
        ),
        (
            "800 m horizontal passes",
            |r| {
                not_piped(r);
                r.water.horizontal_m = Some(800.0);
            },
            Expect::Water(Met),
        ),
        (
            "801 m horizontal fails",
            |r| {
                not_piped(r);
                r.water.horizontal_m = Some(801.0);
            },
            Expect::Water(Unmet),
        ),
        (
            "800 m but 81 m vertical fails",
            |r| {
                not_piped(r);
                r.water.horizontal_m = Some(800.0);
                r.water.vertical_m = Some(81.0);
            },
            Expect::Water(Unmet),
        ),
        (
            "800 m and 80 m vertical passes",
            |r| {
                not_piped(r);
                r.water.horizontal_m = Some(800.0);
                r.water.vertical_m = Some(80.0);
            },
            Expect::Water(Met),
        ),
        (
            "piping unknown, fetch too long, distance unknown",
            |r| {
                r.water.piped_to_yard = None;
                r.water.fetch_minutes = Some(30.0);
            },
            Expect::Water(Unknown),
        ),
        (
            "piping unknown but a 10-minute fetch passes",
            |r| {
                r.water.piped_to_yard = None;
                r.water.fetch_minutes = Some(10.0);
            },
            Expect::Water(Met),
        ),
        (
            "36 outage days pass",
            |r| r.water.outage_days = Some(36),
            Expect::Water(Met),
        ),
        (
            "37 outage days fail",
            |r| r.water.outage_days = Some(37),
            Expect::Water(Unmet),
        ),
        (
            "outage not recorded",
            |r| r.water.outage_days = None,
            Expect::Water(Unknown),
        ),
        (
            "quality below standard",
            |r| r.water.quality_ok = Some(false),
            Expect::Water(Unmet),
        ),
        (
            "quality not recorded",
            |r| r.water.quality_ok = None,
            Expect::Water(Unknown),
        ),
    ]);
}

#[test]
fn water_reasons_carry_the_numbers() {
    let s = Standards::builtin();
    let mut r = example_record();
    not_piped(&mut r);
    r.water.litres_per_person_day = Some(34.9);
    let reasons: Vec<String> = judge(&r, &s)
        .unwrap()
        .water
        .reasons
        .iter()
        .map(|x| x.to_string())
        .collect();
    assert_eq!(
        reasons,
        [
            "34.9 L per person per day is below 35 L",
            "not piped to the yard; fetch 30 min (max 20), 900 m horizontal (max 800), 10 m vertical (max 80)",
        ]
    );
}

#[test]
fn education() {
    use Tri::*;
    run(&[
        (
            "6 out of school counts (unmet)",
            |r| {
                child(r).age = Some(6);
                child(r).schooling = Some(Schooling::OutOfSchool);
            },
            Expect::Education(Unmet),
        ),
        (
            "15 out of school counts (unmet)",
            |r| {
                child(r).age = Some(15);
                child(r).schooling = Some(Schooling::OutOfSchool);
            },
            Expect::Education(Unmet),
        ),
        (
            "16 out of school does not count",
            |r| {
                child(r).age = Some(16);
                child(r).schooling = Some(Schooling::OutOfSchool);
            },
            Expect::Education(Met),
        ),
        (
            "5 out of school does not count",
            |r| {
                child(r).age = Some(5);
                child(r).schooling = Some(Schooling::OutOfSchool);
            },
            Expect::Education(Met),
        ),
        (
            "home teaching counts as met",
            |r| child(r).schooling = Some(Schooling::HomeTeaching),
            Expect::Education(Met),
        ),
        (
            "health exemption counts as met",
            |r| child(r).schooling = Some(Schooling::ExemptHealth),
            Expect::Education(Met),
        ),
        (
            "schooling not recorded",
            |r| child(r).schooling = None,
            Expect::Education(Unknown),
        ),
        (
            "a member's age not recorded",
            |r| r.members[0].age = None,
            Expect::Education(Unknown),
        ),
        (
            "no members recorded",
            |r| r.members.clear(),
            Expect::Education(Unknown),
        ),
        // Birth dates against the reference date 2019-12-31 (income year 2019, default 12-31).
        (
            "born 2013-12-31 is 6 on 2019-12-31",
            |r| {
                child(r).birth_date = Some(BirthDate {
                    year: 2013,
                    month: 12,
                    day: 31,
                });
                child(r).schooling = Some(Schooling::OutOfSchool);
            },
            Expect::Education(Unmet),
        ),
        (
            "born 2014-01-01 is 5 on 2019-12-31",
            |r| {
                child(r).birth_date = Some(BirthDate {
                    year: 2014,
                    month: 1,
                    day: 1,
                });
                child(r).schooling = Some(Schooling::OutOfSchool);
            },
            Expect::Education(Met),
        ),
        (
            "born 2004-01-01 is 15 on 2019-12-31",
            |r| {
                child(r).birth_date = Some(BirthDate {
                    year: 2004,
                    month: 1,
                    day: 1,
                });
                child(r).schooling = Some(Schooling::OutOfSchool);
            },
            Expect::Education(Unmet),
        ),
        (
            "born 2003-12-31 is 16 on 2019-12-31",
            |r| {
                child(r).birth_date = Some(BirthDate {
                    year: 2003,
                    month: 12,
                    day: 31,
                });
                child(r).schooling = Some(Schooling::OutOfSchool);
            },
            Expect::Education(Met),
        ),
    ]);
}

#[test]
fn education_reference_date_is_a_setting() {
    let s = standards_with(
        "reference_month_day = \"12-31\"",
        "reference_month_day = \"08-31\"",
    );
    // Born 2013-09-01: 6 on 2019-12-31 but 5 on 2019-08-31.
    let edit: Edit = |r| {
        child(r).birth_date = Some(BirthDate {
            year: 2013,
            month: 9,
            day: 1,
        });
        child(r).schooling = Some(Schooling::OutOfSchool);
    };
    check(
        "born 2013-09-01, reference 12-31",
        edit,
        Expect::Education(Tri::Unmet),
    );
    check_with(
        &s,
        "born 2013-09-01, reference 08-31",
        edit,
        Expect::Education(Tri::Met),
    );
}

#[test]
fn education_reason_names_the_child() {
    let mut r = example_record();
    child(&mut r).schooling = Some(Schooling::OutOfSchool);
    let j = judge(&r, &Standards::builtin()).unwrap();
    assert_eq!(
        j.education.reasons[0].to_string(),
        "member 3 (age 10) is out of school"
    );
}

#[test]
fn medical() {
    use Tri::*;
    run(&[
        (
            "no basic insurance",
            |r| r.members[1].cover.basic_medical_insurance = Some(false),
            Expect::Medical(Unmet),
        ),
        (
            "basic insurance not recorded",
            |r| r.members[1].cover.basic_medical_insurance = None,
            Expect::Medical(Unknown),
        ),
        (
            "no serious-illness insurance: recorded only",
            |r| r.members[1].cover.serious_illness_insurance = Some(false),
            Expect::Medical(Met),
        ),
        (
            "no members recorded",
            |r| r.members.clear(),
            Expect::Medical(Unknown),
        ),
    ]);
    let s = standards_with(
        "required = [\"basic_medical_insurance\"]",
        "required = [\"basic_medical_insurance\", \"serious_illness_insurance\"]",
    );
    check_with(
        &s,
        "serious-illness required",
        |r| r.members[1].cover.serious_illness_insurance = Some(false),
        Expect::Medical(Unmet),
    );
    let mut r = example_record();
    r.members[1].cover.basic_medical_insurance = Some(false);
    let j = judge(&r, &Standards::builtin()).unwrap();
    assert_eq!(
        j.medical.reasons[0].to_string(),
        "member 2 has no basic_medical_insurance"
    );
}

#[test]
fn food_and_clothing() {
    use Tri::*;
    run(&[
        (
            "food inadequate",
            |r| r.food_adequate = Some(false),
            Expect::FoodClothing(Unmet),
        ),
        (
            "clothing inadequate",
            |r| r.clothing_adequate = Some(false),
            Expect::FoodClothing(Unmet),
        ),
        (
            "no protein",
            |r| r.protein_available = Some(false),
            Expect::FoodClothing(Unmet),
        ),
        (
            "food not recorded",
            |r| r.food_adequate = None,
            Expect::FoodClothing(Unknown),
        ),
        (
            "one unmet beats one unknown",
            |r| {
                r.food_adequate = None;
                r.clothing_adequate = Some(false);
            },
            Expect::FoodClothing(Unmet),
        ),
    ]);
}

#[test]
fn housing_roll_up() {
    use ComponentGrade as G;
    use HouseGrade as H;
    run(&[
        (
            "all a -> A",
            |r| set_grades(r, [G::A, G::A, G::A, G::A]),
            Expect::Computed(Some(H::A)),
        ),
        (
            "a, a, b -> B",
            |r| set_grades(r, [G::A, G::A, G::B, G::NotPresent]),
            Expect::Computed(Some(H::B)),
        ),
        (
            "a, c, b -> C",
            |r| set_grades(r, [G::A, G::C, G::B, G::NotPresent]),
            Expect::Computed(Some(H::C)),
        ),
        (
            "any d -> D",
            |r| set_grades(r, [G::A, G::A, G::D, G::A]),
            Expect::Computed(Some(H::D)),
        ),
        (
            "d beats c and b",
            |r| set_grades(r, [G::C, G::B, G::D, G::A]),
            Expect::Computed(Some(H::D)),
        ),
        (
            "dangerous site -> D",
            |r| r.housing.site_dangerous = Some(true),
            Expect::Computed(Some(H::D)),
        ),
        (
            "a component not recorded -> unknown",
            |r| r.housing.components.foundation = None,
            Expect::Computed(None),
        ),
        (
            "not recorded but a d -> D",
            |r| {
                r.housing.components.foundation = None;
                r.housing.components.roof_truss = Some(G::D);
            },
            Expect::Computed(Some(H::D)),
        ),
        (
            "site not recorded -> unknown",
            |r| r.housing.site_dangerous = None,
            Expect::Computed(None),
        ),
    ]);
}

#[test]
fn housing_safety() {
    use ComponentGrade as G;
    use Tri::*;
    run(&[
        (
            "B safe",
            |r| r.housing.inspector_grade = Some(HouseGrade::B),
            Expect::Housing(Met),
        ),
        (
            "C not renovated unsafe",
            |r| {
                r.housing.inspector_grade = Some(HouseGrade::C);
                r.housing.renovation = Some(Renovation::None);
            },
            Expect::Housing(Unmet),
        ),
        (
            "C reinforced safe",
            |r| {
                r.housing.inspector_grade = Some(HouseGrade::C);
                r.housing.renovation = Some(Renovation::Reinforced);
            },
            Expect::Housing(Met),
        ),
        (
            "C rebuilt safe",
            |r| {
                r.housing.inspector_grade = Some(HouseGrade::C);
                r.housing.renovation = Some(Renovation::Rebuilt);
            },
            Expect::Housing(Met),
        ),
        (
            "D relocated safe",
            |r| {
                r.housing.inspector_grade = Some(HouseGrade::D);
                r.housing.renovation = Some(Renovation::Relocated);
            },
            Expect::Housing(Met),
        ),
        (
            "D, renovation not recorded: unknown",
            |r| {
                r.housing.inspector_grade = Some(HouseGrade::D);
                r.housing.renovation = None;
            },
            Expect::Housing(Unknown),
        ),
        (
            "no inspector grade: the roll-up C is used",
            |r| {
                r.housing.inspector_grade = None;
                set_grades(r, [G::A, G::C, G::B, G::NotPresent]);
            },
            Expect::Housing(Unmet),
        ),
        (
            "inspector's B is used over the roll-up C",
            |r| {
                r.housing.inspector_grade = Some(HouseGrade::B);
                set_grades(r, [G::A, G::C, G::B, G::NotPresent]);
            },
            Expect::Housing(Met),
        ),
        (
            "no grade at all: unknown",
            |r| {
                r.housing.inspector_grade = None;
                r.housing.components.wood_members = None;
            },
            Expect::Housing(Unknown),
        ),
        (
            "no grade but relocated: safe",
            |r| {
                r.housing.inspector_grade = None;
                r.housing.components.wood_members = None;
                r.housing.renovation = Some(Renovation::Relocated);
            },
            Expect::Housing(Met),
        ),
    ]);
    let mut r = example_record();
    r.housing.inspector_grade = Some(HouseGrade::B);
    set_grades(&mut r, [G::A, G::C, G::B, G::NotPresent]);
    let j = judge(&r, &Standards::builtin()).unwrap();
    assert_eq!(j.housing.computed_grade, Some(HouseGrade::C));
    assert_eq!(j.housing.inspector_grade, Some(HouseGrade::B));
    assert_eq!(j.housing.grade, Some(HouseGrade::B));
    assert!(j.housing.check.reasons.contains(&Reason::GradesDisagree {
        computed: HouseGrade::C,
        inspector: HouseGrade::B
    }));
}

/// 2019 line: 3,218 yuan; 3 members found.
fn income_total(r: &mut HouseholdRecord, total: f64) {
    r.income = IncomeBySource {
        wages: Some(total),
        business_net: Some(0.0),
        property: Some(0.0),
        transfers: Some(0.0),
        in_kind: Some(0.0),
    };
}

#[test]
fn income() {
    use Tri::*;
    run(&[
        // "Above the line" means at or above: income exactly at the line is not poor.
        (
            "exactly at the line (3 x 3218) passes",
            |r| income_total(r, 3.0 * 3218.0),
            Expect::Income(Met),
        ),
        (
            "one yuan less fails",
            |r| income_total(r, 3.0 * 3218.0 - 1.0),
            Expect::Income(Unmet),
        ),
        (
            "a business loss counts against income",
            |r| {
                income_total(r, 3.0 * 3218.0);
                r.income.business_net = Some(-100.0);
            },
            Expect::Income(Unmet),
        ),
        (
            "a source not recorded: unknown",
            |r| r.income.in_kind = None,
            Expect::Income(Unknown),
        ),
        (
            "no members found: unknown",
            |r| r.members.clear(),
            Expect::Income(Unknown),
        ),
        (
            "2013 line is 2,736",
            |r| {
                r.income_year = 2013;
                income_total(r, 3.0 * 2736.0);
            },
            Expect::Income(Met),
        ),
        (
            "wrong exit on income alone",
            |r| income_total(r, 3000.0),
            Expect::Outcome(Outcome::WronglyExited(Answer::Yes)),
        ),
    ]);
    // The member count is a setting: 4 in the register, 3 found.
    let s = standards_with(
        "count_for_rates = \"found\"",
        "count_for_rates = \"register\"",
    );
    let edit: Edit = |r| {
        r.register_members = Some(4);
        income_total(r, 3.0 * 3218.0);
    };
    check("found members: 3218 per person", edit, Expect::Income(Met));
    check_with(
        &s,
        "register members: 2413.5 per person",
        edit,
        Expect::Income(Unmet),
    );
}

#[test]
fn outcomes() {
    use Answer::*;
    use Outcome::*;
    run(&[
        (
            "exited, guarantee unmet: wrong exit",
            |r| r.water.quality_ok = Some(false),
            Expect::Outcome(WronglyExited(Yes)),
        ),
        (
            "exited, a guarantee unknown: unknown",
            |r| r.water.quality_ok = None,
            Expect::Outcome(WronglyExited(Unknown)),
        ),
        (
            "exited, unknown and unmet: wrong exit",
            |r| {
                r.water.quality_ok = None;
                r.food_adequate = Some(false);
            },
            Expect::Outcome(WronglyExited(Yes)),
        ),
        (
            "poor, all met: not still poor",
            |r| r.status = Status::Poor,
            Expect::Outcome(StillPoor(No)),
        ),
        (
            "poor, low income: still poor",
            |r| {
                r.status = Status::Poor;
                income_total(r, 100.0);
            },
            Expect::Outcome(StillPoor(Yes)),
        ),
        (
            "non-registered, all met: not missed",
            |r| r.status = Status::NonRegistered,
            Expect::Outcome(Missed(No)),
        ),
        // Default setting income_or_guarantee.
        (
            "missed (income_or_guarantee): low income only",
            |r| {
                r.status = Status::NonRegistered;
                income_total(r, 3000.0);
            },
            Expect::Outcome(Missed(Yes)),
        ),
        (
            "missed (income_or_guarantee): unmet guarantee only",
            |r| {
                r.status = Status::NonRegistered;
                r.housing.inspector_grade = Some(HouseGrade::D);
            },
            Expect::Outcome(Missed(Yes)),
        ),
    ]);
    let s = standards_with(
        "definition = \"income_or_guarantee\"",
        "definition = \"income_only\"",
    );
    check_with(
        &s,
        "missed (income_only): low income only",
        |r| {
            r.status = Status::NonRegistered;
            income_total(r, 3000.0);
        },
        Expect::Outcome(Missed(Yes)),
    );
    check_with(
        &s,
        "missed (income_only): unmet guarantee only",
        |r| {
            r.status = Status::NonRegistered;
            r.housing.inspector_grade = Some(HouseGrade::D);
        },
        Expect::Outcome(Missed(No)),
    );
    check_with(
        &s,
        "missed (income_only): income unknown",
        |r| {
            r.status = Status::NonRegistered;
            r.income.wages = None;
        },
        Expect::Outcome(Missed(Unknown)),
    );
}

#[test]
fn an_unknown_income_year_is_an_error_saying_what_to_do() {
    let mut r = example_record();
    r.income_year = 2009;
    let err = judge(&r, &Standards::builtin()).unwrap_err();
    assert_eq!(
        err,
        InspectionError::UnknownIncomeYear {
            year: 2009,
            known: (2011..=2020).collect()
        }
    );
    let msg = err.to_string();
    assert!(msg.contains("income year 2009"), "{msg}");
    assert!(msg.contains("2011-2020"), "{msg}");
    assert!(msg.contains("add `2009 = <yuan>`"), "{msg}");
}

#[test]
fn impossible_values_are_refused() {
    let cases: &[(&str, Edit)] = &[
        ("water.litres_per_person_day", |r| {
            r.water.litres_per_person_day = Some(-1.0)
        }),
        ("water.fetch_minutes", |r| {
            r.water.fetch_minutes = Some(f64::NAN)
        }),
        ("water.outage_days", |r| r.water.outage_days = Some(400)),
        ("income.wages", |r| r.income.wages = Some(f64::INFINITY)),
        ("members[3].birth_date", |r| {
            child(r).birth_date = Some(BirthDate {
                year: 2010,
                month: 13,
                day: 1,
            })
        }),
    ];
    for (field, edit) in cases {
        let mut r = example_record();
        edit(&mut r);
        match judge(&r, &Standards::builtin()) {
            Err(InspectionError::InvalidRecord {
                field: f,
                household_id,
                ..
            }) => {
                assert_eq!((f.as_str(), household_id.as_str()), (*field, "H001"));
            }
            other => panic!("{field}: expected a refusal, got {other:?}"),
        }
    }
}

#[test]
fn a_bad_standards_override_is_refused() {
    let base = include_str!("../../../data/standards/standards.toml");
    for (from, to) in [
        (
            "litres_per_person_day_min = 35.0",
            "litres_per_person_day_min = 0",
        ),
        ("fetch_minutes_max = 20.0", "fetch_minutes_max = -20.0"),
        (
            "definition = \"income_or_guarantee\"",
            "definition = \"sometimes\"",
        ),
    ] {
        assert!(
            Standards::from_toml(&base.replace(from, to)).is_err(),
            "{to} accepted"
        );
    }
}

#[test]
fn records_and_judgments_round_trip_through_serde() {
    let mut r = example_record();
    child(&mut r).schooling = Some(Schooling::HomeTeaching);
    r.water.quality_ok = None;
    let json = serde_json::to_string(&r).unwrap();
    assert!(json.contains("\"status\":\"exited\""), "{json}");
    assert!(json.contains("\"home_teaching\""), "{json}");
    let back: HouseholdRecord = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r);
    let j = judge(&r, &Standards::builtin()).unwrap();
    let back: Judgment = serde_json::from_str(&serde_json::to_string(&j).unwrap()).unwrap();
    assert_eq!(back, j);
}

#[test]
fn judging_is_deterministic() {
    let s = Standards::builtin();
    let r = example_record();
    assert_eq!(judge(&r, &s).unwrap(), judge(&r, &s).unwrap());
}

#[test]
fn identification_flags_follow_the_standards_and_skip_non_registered_households() {
    let s = Standards::builtin();
    let flags = |edit: Edit| {
        let mut r = example_record();
        edit(&mut r);
        judge(&r, &s).unwrap().identification_flags
    };
    assert_eq!(flags(|_| {}), []);
    // The boundary: a vehicle at exactly 30,000 yuan is not "over" it.
    let at_line: Edit = |r| {
        let id = r.identification.as_mut().unwrap();
        id.owns_vehicle = Some(true);
        id.vehicle_value_yuan = Some(30000.0);
    };
    assert_eq!(flags(at_line), []);
    let over: Edit = |r| {
        let id = r.identification.as_mut().unwrap();
        id.owns_vehicle = Some(true);
        id.vehicle_value_yuan = Some(30000.5);
        id.public_payroll = Some(true);
    };
    let found = flags(over);
    assert_eq!(
        found,
        [
            IdentificationFlag::Vehicle {
                value_yuan: Some(30000.5),
                limit_yuan: 30000.0
            },
            IdentificationFlag::PublicPayroll
        ]
    );
    assert_eq!(
        found.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "owns a vehicle worth 30000.5 yuan, over the standards' limit of 30000 yuan",
            "a member or close relative is on the public payroll"
        ]
    );
    // A vehicle of unrecorded value cannot be cleared: flagged, without a value.
    let unknown_value: Edit = |r| r.identification.as_mut().unwrap().owns_vehicle = Some(true);
    assert_eq!(
        flags(unknown_value),
        [IdentificationFlag::Vehicle {
            value_yuan: None,
            limit_yuan: 30000.0
        }]
    );
    // Every answer, in the record's order.
    let all: Edit = |r| {
        *r.identification.as_mut().unwrap() = Identification {
            owns_vehicle: Some(true),
            vehicle_value_yuan: Some(80000.0),
            urban_flat_or_shop: Some(true),
            registered_company: Some(true),
            public_payroll: Some(true),
            village_cadre: Some(true),
        }
    };
    let codes: Vec<&str> = flags(all).iter().map(IdentificationFlag::code).collect();
    assert_eq!(
        codes,
        [
            "vehicle",
            "urban_flat_or_shop",
            "registered_company",
            "public_payroll",
            "village_cadre"
        ]
    );
    let non_registered: Edit = |r| {
        r.status = Status::NonRegistered;
        r.identification.as_mut().unwrap().registered_company = Some(true);
    };
    assert_eq!(flags(non_registered), []);
    // The threshold is data: raising it clears the flag.
    let s2 = standards_with(
        "vehicle_value_yuan_over = 30000",
        "vehicle_value_yuan_over = 50000",
    );
    let mut r = example_record();
    over(&mut r);
    assert_eq!(
        judge(&r, &s2).unwrap().identification_flags,
        [IdentificationFlag::PublicPayroll]
    );
}

/// A judgment carries the members' identity numbers masked, never whole: also a member whose
/// id is an identity number, in the reasons that name the member.
#[test]
fn a_judgment_shows_identity_numbers_masked() {
    let s = Standards::builtin();
    let mut r = example_record();
    r.members[0].id_number = Some(IdNumber::parse("11010519491231002X").unwrap());
    r.members[2].id = "110105201001010016".to_string();
    r.members[2].cover.basic_medical_insurance = Some(false);
    let j = judge(&r, &s).unwrap();
    assert_eq!(
        j.identity_numbers,
        [MaskedIdentity {
            member: "1".to_string(),
            id_number: "110***********002X".to_string()
        }]
    );
    assert_eq!(
        j.medical.reasons[0].to_string(),
        "member 110***********0016 has no basic_medical_insurance"
    );
    let json = serde_json::to_string(&j).unwrap();
    assert!(
        !json.contains("11010519491231002X") && json.contains("110***********002X"),
        "{json}"
    );
}

#[test]
fn approval_answers_and_identity_numbers_read_from_json() {
    let text = r#"{"exit": "satisfied", "policies": "dont_know", "help_received": "basically_satisfied", "cadres_work": null}"#;
    let a: Approval = serde_json::from_str(text).unwrap();
    assert_eq!(a.policies, Some(Opinion::DontKnow));
    assert_eq!(a.cadres_work, None);
    assert!(serde_json::from_str::<Approval>(r#"{"exit": "yes"}"#).is_err());
    let mut r = example_record();
    r.members[0].id_number = Some(IdNumber::parse("11010519491231002X").unwrap());
    let debug = format!("{r:?}");
    assert!(!debug.contains("11010519491231002X") && debug.contains("110***********002X"));
    let json = serde_json::to_string(&r).unwrap();
    let back: HouseholdRecord = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r);
}
