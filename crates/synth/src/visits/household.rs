//! The household record a visit finds when the household is exactly as the truth says:
//! members with their ages, schooling and medical cover, the income split into sources,
//! housing, water, approval and identification answers. Each part is built so that
//! [`assess_inspection::judge`] reaches the truth's finding, and the finding is checked.

use super::{TruthRow, VisitError, VisitSettings};
use assess_household::Status;
use assess_inspection::{
    judge, Answer, Approval, Components, HouseholdRecord, Housing, Identification, IncomeBySource,
    Judgment, MedicalCover, Member, Opinion, Outcome, Renovation, Schooling, Sex, Water,
};
use assess_standards::{ComponentGrade, Cover, HouseGrade, HouseholdRules, Standards};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use std::ops::RangeInclusive;

/// Approving households answer "satisfied" with this probability (else "basically").
const SATISFIED_SHARE: f64 = 0.75;
/// Registered households owning a vehicle, of a value below the identification threshold.
const VEHICLE_SHARE: f64 = 0.08;

/// The household record as the truth says, refused unless the judge reaches the truth's
/// finding (the standards or the income year are then not those of the synthetic run).
pub(crate) fn record_as_truth_says(
    id: &str,
    status: Status,
    members: u32,
    t: &TruthRow,
    standards: &Standards,
    settings: &VisitSettings,
    rng: &mut ChaCha8Rng,
) -> Result<HouseholdRecord, VisitError> {
    let record = household_record(id, status, members, t, standards, settings, rng)?;
    let judgment = judge(&record, standards).map_err(|source| VisitError::Judge {
        household_id: id.to_string(),
        source,
    })?;
    check_finding(id, &judgment, t, status, settings.income_year)?;
    Ok(record)
}

fn check_finding(
    id: &str,
    judgment: &Judgment,
    t: &TruthRow,
    status: Status,
    income_year: u16,
) -> Result<(), VisitError> {
    let truth = t.finding(status);
    let want = if truth { Answer::Yes } else { Answer::No };
    let got = match judgment.outcome {
        Outcome::WronglyExited(a) | Outcome::StillPoor(a) | Outcome::Missed(a) => a,
    };
    if got != want {
        return Err(VisitError::JudgedOtherwise {
            household_id: id.to_string(),
            judged: judgment.outcome,
            truth,
            income_year,
        });
    }
    Ok(())
}

/// The household record a visit finds when the household is exactly as the truth says.
fn household_record(
    id: &str,
    status: Status,
    members: u32,
    t: &TruthRow,
    standards: &Standards,
    settings: &VisitSettings,
    rng: &mut ChaCha8Rng,
) -> Result<HouseholdRecord, VisitError> {
    let rules = &standards.household;
    check_truth(id, members, t, rules)?;
    let mut ages = member_ages(members, rng);
    let failing = Failing {
        out_of_school: (!t.education_ok).then(|| out_of_school(&mut ages, rules, rng)),
        uninsured: (!t.medical_ok).then(|| rng.random_range(0..ages.len())),
    };
    let members: Vec<Member> = ages
        .iter()
        .enumerate()
        .map(|(i, &age)| member(i, age, &failing, status, rules, rng))
        .collect();
    let income = split_income(t.true_income_per_capita, ages.len() as u32, status, rng);
    let housing = housing(t.housing_grade, rng);
    let water = water(t.water_ok, standards, rng);
    let approval = approval(settings.approval_share, rng);
    let identification = status
        .is_registered()
        .then(|| identification(rules.identification.vehicle_value_yuan_over, rng));
    Ok(HouseholdRecord {
        household_id: id.to_string(),
        status,
        register_members: Some(ages.len() as u32),
        members,
        income_year: settings.income_year,
        income,
        food_adequate: Some(t.food_ok),
        clothing_adequate: Some(t.clothing_ok),
        protein_available: Some(t.food_ok),
        housing,
        water,
        income_per_person_stated: Some(t.true_income_per_capita),
        approval: Some(approval),
        identification,
    })
}

/// Refuses a truth no record can match: no members, an income that is not a yuan amount, or
/// an uninsured member under standards that require no cover.
fn check_truth(
    id: &str,
    members: u32,
    t: &TruthRow,
    rules: &HouseholdRules,
) -> Result<(), VisitError> {
    let bad = |why: String| VisitError::BadTruth {
        household_id: id.to_string(),
        why,
    };
    if members == 0 {
        return Err(bad("the register gives 0 members".to_string()));
    }
    if !t.true_income_per_capita.is_finite() || t.true_income_per_capita < 0.0 {
        return Err(bad(format!(
            "true income {} is not a yuan amount",
            t.true_income_per_capita
        )));
    }
    if !t.medical_ok && rules.medical.required.is_empty() {
        return Err(bad(
            "medical is not ok in the truth but the standards require no cover".to_string(),
        ));
    }
    Ok(())
}

/// The members whose guarantee fails when the truth says it does (indices into the ages).
struct Failing {
    /// The child whose schooling fails education.
    out_of_school: Option<usize>,
    /// The member without basic medical insurance.
    uninsured: Option<usize>,
}

/// The ages of compulsory schooling, the education standard's.
fn school_ages(rules: &HouseholdRules) -> RangeInclusive<u32> {
    u32::from(rules.education.age_min)..=u32::from(rules.education.age_max)
}

/// The child out of school: an existing child of compulsory age, else the youngest member
/// becomes one (a lone member: a teenager living alone).
fn out_of_school(ages: &mut [u32], rules: &HouseholdRules, rng: &mut ChaCha8Rng) -> usize {
    let school = school_ages(rules);
    if let Some(i) = ages.iter().position(|a| school.contains(a)) {
        return i;
    }
    let (age_min, age_max) = (*school.start(), *school.end());
    let i = if ages.len() == 1 { 0 } else { ages.len() - 1 };
    ages[i] = if ages.len() == 1 {
        age_max
    } else {
        rng.random_range(age_min.max(age_max.saturating_sub(5))..=age_max)
    };
    i
}

/// Member `i` (from 0): sex, schooling when of school age, medical cover.
fn member(
    i: usize,
    age: u32,
    failing: &Failing,
    status: Status,
    rules: &HouseholdRules,
    rng: &mut ChaCha8Rng,
) -> Member {
    let sex = if (i == 0) == rng.random::<bool>() {
        Sex::Male
    } else {
        Sex::Female
    };
    let schooling = if Some(i) == failing.out_of_school {
        Some(Schooling::OutOfSchool)
    } else if school_ages(rules).contains(&age) {
        Some(Schooling::InSchool)
    } else {
        None
    };
    let uninsured = Some(i) == failing.uninsured;
    let cover = medical_cover(uninsured, status, &rules.medical.required, rng);
    Member {
        id: (i + 1).to_string(),
        birth_date: None,
        age: Some(age),
        sex: Some(sex),
        schooling,
        cover,
        id_number: None,
    }
}

/// Every required cover (and medical assistance for some registered households); an
/// uninsured member lacks the required covers.
fn medical_cover(
    uninsured: bool,
    status: Status,
    required: &[Cover],
    rng: &mut ChaCha8Rng,
) -> MedicalCover {
    let mut cover = MedicalCover {
        basic_medical_insurance: Some(true),
        serious_illness_insurance: Some(true),
        medical_assistance: Some(status.is_registered() && rng.random::<f64>() < 0.3),
    };
    for c in required {
        let held = Some(!uninsured);
        match c {
            Cover::BasicMedicalInsurance => cover.basic_medical_insurance = held,
            Cover::SeriousIllnessInsurance => cover.serious_illness_insurance = held,
            Cover::MedicalAssistance => cover.medical_assistance = held,
        }
    }
    if uninsured {
        // No basic insurance, so no serious-illness insurance riding on it.
        cover.basic_medical_insurance = Some(false);
        cover.serious_illness_insurance = Some(false);
    }
    cover
}

/// Plausible ages: one member is 45-82 (often an elderly person alone); two or more are a
/// couple of 25-62 with children (0-17) or elderly parents (60-85).
fn member_ages(n: u32, rng: &mut ChaCha8Rng) -> Vec<u32> {
    if n == 1 {
        return vec![rng.random_range(45..=82)];
    }
    let head: u32 = rng.random_range(25..=62);
    let spouse = (head + rng.random_range(0..=8)).saturating_sub(4).max(20);
    let mut ages = vec![head, spouse];
    for _ in 2..n {
        ages.push(if rng.random::<f64>() < 0.65 {
            rng.random_range(0..=17)
        } else {
            rng.random_range(60..=85)
        });
    }
    ages
}

/// Household income (per person × members) split into whole-yuan sources that add up
/// exactly: wages, business, property, transfers (more for registered households), and the
/// rest in kind.
fn split_income(
    per_person: f64,
    members: u32,
    status: Status,
    rng: &mut ChaCha8Rng,
) -> IncomeBySource {
    let total = per_person * f64::from(members);
    let transfers_share = if status.is_registered() {
        rng.random_range(0.10..0.30)
    } else {
        rng.random_range(0.03..0.12)
    };
    let shares = [
        rng.random_range(0.30..0.55),
        rng.random_range(0.05..0.20),
        rng.random_range(0.0..0.04),
        transfers_share,
    ];
    let part = |s: f64| (total * s).floor();
    let (wages, business, property, transfers) = (
        part(shares[0]),
        part(shares[1]),
        part(shares[2]),
        part(shares[3]),
    );
    IncomeBySource {
        wages: Some(wages),
        business_net: Some(business),
        property: Some(property),
        transfers: Some(transfers),
        in_kind: Some(total - wages - business - property - transfers),
    }
}

/// Component grades that roll up to `grade` (2019 guideline: any d → D; any c → C; any b → B;
/// all a → A), with the inspector's grade the same and nothing renovated.
fn housing(grade: HouseGrade, rng: &mut ChaCha8Rng) -> Housing {
    use ComponentGrade as G;
    let worst = match grade {
        HouseGrade::A => G::A,
        HouseGrade::B => G::B,
        HouseGrade::C => G::C,
        HouseGrade::D => G::D,
    };
    // Three structural components and the wood members (absent in a third of houses).
    let mut grades = [G::A; 4];
    let key = rng.random_range(0..3);
    for (i, g) in grades.iter_mut().enumerate() {
        *g = if i == key {
            worst
        } else {
            // Others no worse than the grade, mostly sound.
            let options: &[G] = match worst {
                G::A => &[G::A],
                G::B => &[G::A, G::A, G::B],
                G::C => &[G::A, G::B, G::B, G::C],
                _ => &[G::A, G::B, G::C],
            };
            options[rng.random_range(0..options.len())]
        };
    }
    if rng.random::<f64>() < 0.35 {
        grades[3] = G::NotPresent;
    }
    Housing {
        site_dangerous: Some(false),
        components: Components {
            load_bearing_walls: Some(grades[0]),
            foundation: Some(grades[1]),
            roof_truss: Some(grades[2]),
            wood_members: Some(grades[3]),
        },
        inspector_grade: Some(grade),
        renovation: Some(Renovation::None),
    }
}

/// Safe water: enough litres, piped or a short fetch, few outage days, good quality. Unsafe:
/// everything fine except the quantity, below the minimum (the area not water-scarce).
fn water(ok: bool, standards: &Standards, rng: &mut ChaCha8Rng) -> Water {
    let rule = &standards.household.drinking_water;
    let min = rule.litres_per_person_day_min;
    let litres = if ok {
        (min + rng.random_range(5.0..80.0)).round()
    } else {
        let l = (min * rng.random_range(0.45..0.9)).floor();
        if l < min {
            l
        } else {
            (min - 1.0).max(0.0)
        }
    };
    let piped = rng.random::<f64>() < 0.85;
    Water {
        litres_per_person_day: Some(litres),
        water_scarce_area: Some(false),
        piped_to_yard: Some(piped),
        fetch_minutes: (!piped)
            .then(|| (rule.fetch_minutes_max * rng.random_range(0.2..0.9)).floor()),
        horizontal_m: None,
        vertical_m: None,
        outage_days: Some(rng.random_range(0..=rule.outage_days_per_year_max.min(10))),
        quality_ok: Some(true),
    }
}

/// Approving: every answer satisfied or basically satisfied. Otherwise dissatisfied with the
/// exit, and any answer to the rest (don't know included).
fn approval(share: f64, rng: &mut ChaCha8Rng) -> Approval {
    let approves = rng.random::<f64>() < share;
    let mut answer = |first: bool| {
        if approves {
            if rng.random::<f64>() < SATISFIED_SHARE {
                Opinion::Satisfied
            } else {
                Opinion::BasicallySatisfied
            }
        } else if first {
            Opinion::Dissatisfied
        } else {
            [
                Opinion::Dissatisfied,
                Opinion::DontKnow,
                Opinion::BasicallySatisfied,
                Opinion::Satisfied,
            ][rng.random_range(0..4)]
        }
    };
    Approval {
        exit: Some(answer(true)),
        policies: Some(answer(false)),
        help_received: Some(answer(false)),
        cadres_work: Some(answer(false)),
    }
}

/// Identification answers of a registered household: nothing that would flag it (a vehicle,
/// when owned, worth less than the standards' threshold).
fn identification(vehicle_over: f64, rng: &mut ChaCha8Rng) -> Identification {
    let vehicle = rng.random::<f64>() < VEHICLE_SHARE;
    Identification {
        owns_vehicle: Some(vehicle),
        vehicle_value_yuan: vehicle
            .then(|| (vehicle_over * rng.random_range(0.1..0.8) / 100.0).floor() * 100.0),
        urban_flat_or_shop: Some(false),
        registered_company: Some(false),
        public_payroll: Some(false),
        village_cadre: Some(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use assess_inspection::roll_up;
    use rand::SeedableRng;

    #[test]
    fn component_grades_roll_up_to_the_grade() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for grade in [HouseGrade::A, HouseGrade::B, HouseGrade::C, HouseGrade::D] {
            for _ in 0..500 {
                let h = housing(grade, &mut rng);
                assert_eq!(roll_up(&h), Some(grade), "{h:?}");
            }
        }
    }

    #[test]
    fn income_sources_add_up_exactly() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        for members in 1..=8 {
            for per_person in [0.0, 1.0, 1623.0, 2952.0, 3011.0, 88_421.0] {
                let i = split_income(per_person, members, Status::Exited, &mut rng);
                assert_eq!(i.total(), Some(per_person * f64::from(members)));
                assert!(i.sources().iter().all(|(_, v)| v.unwrap() >= 0.0), "{i:?}");
            }
        }
    }
}
