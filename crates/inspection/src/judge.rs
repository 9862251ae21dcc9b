//! The judgment of one household visit and the rules that make it.

use crate::identification::{IdentificationFlag, MaskedIdentity};
use crate::record::{HouseholdRecord, Housing, Member, Renovation, Water};
use crate::InspectionError;
use assess_household::Status;
use assess_standards::{
    ComponentGrade, Cover, HouseGrade, MemberCount, MissedDefinition, Standards, Tri,
};
use serde::{Deserialize, Serialize};
use std::fmt;

/// "Is there a problem?": an unmet rule is yes, a met one no.
pub fn failed(rule: Tri) -> Answer {
    match rule {
        Tri::Met => Answer::No,
        Tri::Unmet => Answer::Yes,
        Tri::Unknown => Answer::Unknown,
    }
}

/// A yes/no finding that may be unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Yes.
    Yes,
    /// No.
    No,
    /// Cannot be told from the record.
    Unknown,
}

impl Answer {
    /// Three-valued or: yes if either is yes, no if both are no, else unknown.
    pub fn or(self, other: Answer) -> Answer {
        match (self, other) {
            (Answer::Yes, _) | (_, Answer::Yes) => Answer::Yes,
            (Answer::No, Answer::No) => Answer::No,
            _ => Answer::Unknown,
        }
    }
}

/// Why a rule came out as it did. Shown to people through `Display`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum Reason {
    /// An answer the rule needs was not recorded.
    NotRecorded {
        /// The record field, e.g. `water.outage_days` or `members[2].age`.
        field: String,
    },
    /// No stable, sufficient food.
    FoodInadequate,
    /// No seasonal clothes and bedding.
    ClothingInadequate,
    /// No protein available.
    ProteinUnavailable,
    /// A child of compulsory-school age is out of school.
    ChildOutOfSchool {
        /// The member's id.
        member: String,
        /// Age at the reference date.
        age: u32,
    },
    /// A child is taught at home (送教上门): counts as met.
    ChildHomeTeaching {
        /// The member's id.
        member: String,
        /// Age at the reference date.
        age: u32,
    },
    /// A child is exempt for health reasons: counts as met.
    ChildExemptHealth {
        /// The member's id.
        member: String,
        /// Age at the reference date.
        age: u32,
    },
    /// A member lacks a required medical cover.
    CoverMissing {
        /// The member's id.
        member: String,
        /// The cover lacking.
        cover: Cover,
    },
    /// The house grade and what was done about it.
    House {
        /// The grade judged (the inspector's, else the computed one).
        grade: Option<HouseGrade>,
        /// Renovation or relocation status.
        renovation: Option<Renovation>,
        /// Whether the grade is safe as it stands.
        grade_safe: Option<bool>,
    },
    /// The computed roll-up and the inspector's grade differ (the inspector's is used).
    GradesDisagree {
        /// Roll-up of the component grades.
        computed: HouseGrade,
        /// The inspector's grade.
        inspector: HouseGrade,
    },
    /// Too little water.
    WaterQuantity {
        /// Litres per person per day found.
        litres: f64,
        /// The minimum that applied.
        min: f64,
        /// Whether the area is water-scarce.
        water_scarce_area: bool,
    },
    /// Water not convenient by any of the criteria.
    WaterConvenience {
        /// Minutes per fetch found.
        fetch_minutes: Option<f64>,
        /// Horizontal metres found.
        horizontal_m: Option<f64>,
        /// Vertical metres found.
        vertical_m: Option<f64>,
        /// Limit on minutes.
        max_minutes: f64,
        /// Limit on horizontal metres.
        max_horizontal_m: f64,
        /// Limit on vertical metres.
        max_vertical_m: f64,
    },
    /// Too many outage days.
    WaterOutage {
        /// Outage days a year found.
        days: u32,
        /// The limit.
        max: u32,
    },
    /// Water quality below the local standard.
    WaterQuality,
    /// Per-person income below the poverty line.
    IncomeBelowLine {
        /// Income year.
        income_year: u16,
        /// Per-person net income found.
        per_person: f64,
        /// The line of that year.
        line: f64,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A member's id may be an identity number (inspectors sometimes use one): masked.
        let id = |member: &str| crate::record::mask_identity_numbers(member);
        match self {
            Reason::NotRecorded { field } => write!(f, "{} not recorded", id(field)),
            Reason::FoodInadequate => f.write_str("food not stable and sufficient"),
            Reason::ClothingInadequate => f.write_str("no seasonal clothes and bedding"),
            Reason::ProteinUnavailable => f.write_str("no protein (meat, eggs, milk or soy)"),
            Reason::ChildOutOfSchool { member, age } => {
                write!(f, "member {} (age {age}) is out of school", id(member))
            }
            Reason::ChildHomeTeaching { member, age } => {
                write!(
                    f,
                    "member {} (age {age}) is taught at home (counts)",
                    id(member)
                )
            }
            Reason::ChildExemptHealth { member, age } => write!(
                f,
                "member {} (age {age}) is exempt for health reasons (counts)",
                id(member)
            ),
            Reason::CoverMissing { member, cover } => {
                write!(f, "member {} has no {}", id(member), cover.as_str())
            }
            Reason::House {
                grade,
                renovation,
                grade_safe,
            } => {
                let g = grade.map_or("unknown".to_string(), |g| format!("{g:?}"));
                let r = renovation.map_or("not recorded".to_string(), |r| format!("{r:?}"));
                let s = match grade_safe {
                    Some(true) => "safe as it stands",
                    Some(false) => "unsafe unless reinforced, rebuilt or relocated",
                    None => "safety of the grade unknown",
                };
                write!(f, "house grade {g} ({s}); renovation: {r}")
            }
            Reason::GradesDisagree {
                computed,
                inspector,
            } => write!(
                f,
                "component roll-up gives {computed:?}, inspector graded {inspector:?} (used)"
            ),
            Reason::WaterQuantity {
                litres,
                min,
                water_scarce_area,
            } => write!(
                f,
                "{litres} L per person per day is below {min} L{}",
                if *water_scarce_area {
                    " (water-scarce area)"
                } else {
                    ""
                }
            ),
            Reason::WaterConvenience {
                fetch_minutes,
                horizontal_m,
                vertical_m,
                max_minutes,
                max_horizontal_m,
                max_vertical_m,
            } => {
                let o = |v: &Option<f64>| v.map_or("?".to_string(), |v| v.to_string());
                write!(
                    f,
                    "not piped to the yard; fetch {} min (max {max_minutes}), {} m horizontal \
                     (max {max_horizontal_m}), {} m vertical (max {max_vertical_m})",
                    o(fetch_minutes),
                    o(horizontal_m),
                    o(vertical_m)
                )
            }
            Reason::WaterOutage { days, max } => {
                write!(f, "{days} outage days a year exceed {max}")
            }
            Reason::WaterQuality => f.write_str("water quality below the local standard"),
            Reason::IncomeBelowLine {
                income_year,
                per_person,
                line,
            } => write!(
                f,
                "per-person net income {per_person:.2} yuan is below the {income_year} line \
                 of {line} yuan"
            ),
        }
    }
}

/// One rule's result with its reasons (empty when plainly met).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// Met, unmet or unknown.
    pub status: Tri,
    /// Why: every failed criterion and missing answer, and notable facts behind a "met".
    pub reasons: Vec<Reason>,
}

impl Check {
    fn new() -> Check {
        Check {
            status: Tri::Met,
            reasons: Vec::new(),
        }
    }

    fn unmet(&mut self, reason: Reason) {
        self.status = Tri::all([self.status, Tri::Unmet]);
        self.reasons.push(reason);
    }

    fn unknown(&mut self, field: impl Into<String>) {
        self.status = Tri::all([self.status, Tri::Unknown]);
        self.reasons.push(Reason::NotRecorded {
            field: field.into(),
        });
    }

    fn note(&mut self, reason: Reason) {
        self.reasons.push(reason);
    }

    /// A yes/no answer that must be yes: `false` is unmet with `reason`, missing is unknown.
    fn require(&mut self, value: Option<bool>, field: &str, reason: Reason) {
        match value {
            Some(true) => {}
            Some(false) => self.unmet(reason),
            None => self.unknown(field),
        }
    }
}

/// The income rule's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncomeJudgment {
    /// Income year.
    pub income_year: u16,
    /// Poverty line of that year (yuan per person).
    pub line: f64,
    /// Household net income, when every source is recorded.
    pub total: Option<f64>,
    /// Per-person net income, when total and member count are known.
    pub per_person: Option<f64>,
    /// Met when per-person income is at or above the line.
    pub check: Check,
}

/// The housing rule's result, with both grades kept side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HousingJudgment {
    /// Roll-up of the component grades (and the site), when it can be computed.
    pub computed_grade: Option<HouseGrade>,
    /// The inspector's own grade.
    pub inspector_grade: Option<HouseGrade>,
    /// The grade judged: the inspector's, else the computed one.
    pub grade: Option<HouseGrade>,
    /// Housing safety guaranteed.
    pub check: Check,
}

/// What the household's register status makes of its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "answer")]
pub enum Outcome {
    /// An exited household: wrongly exited (income below the line or any guarantee unmet)?
    WronglyExited(Answer),
    /// A registered poor household: still poor (income below the line or any guarantee unmet)?
    StillPoor(Answer),
    /// A non-registered household: missed (per the standards' `missed` setting)?
    Missed(Answer),
}

/// Everything the rules say about one household visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgment {
    /// The household.
    pub household_id: String,
    /// Its register status.
    pub status: Status,
    /// Members counted by the rates (per the standards' member-count setting), when known.
    pub people: Option<u32>,
    /// Version label of the standards used.
    pub standards_version: String,
    /// Income against the poverty line.
    pub income: IncomeJudgment,
    /// No worry about food and clothing.
    pub food_clothing: Check,
    /// Compulsory education.
    pub education: Check,
    /// Basic medical cover.
    pub medical: Check,
    /// Housing safety.
    pub housing: HousingJudgment,
    /// Drinking-water safety (checked with housing).
    pub water: Check,
    /// All of food and clothing, education, medical, housing and water.
    pub guarantees: Tri,
    /// The finding for the household's status.
    pub outcome: Outcome,
    /// For registered households: identification answers that typical local rules treat as
    /// grounds for removal from the register, with their evidence (empty when none, or not
    /// asked). They do not enter the four rates: `assess check` and the verdict's reports list
    /// them as leads for the county to re-examine the household's identification.
    pub identification_flags: Vec<IdentificationFlag>,
    /// The members' identity numbers, masked (never whole in a judgment), for finding a
    /// flagged household's members in the registers the flags are checked against.
    pub identity_numbers: Vec<MaskedIdentity>,
}

/// Judge one household visit against the standards.
///
/// Errors: the income year has no poverty line in the standards, or a recorded value is
/// impossible (negative litres, a month 13, a non-finite income).
pub fn judge(record: &HouseholdRecord, standards: &Standards) -> Result<Judgment, InspectionError> {
    validate(record)?;
    let line = standards.poverty_line(record.income_year).ok_or_else(|| {
        InspectionError::UnknownIncomeYear {
            year: record.income_year,
            known: standards.poverty_line_years(),
        }
    })?;
    let rules = &standards.household;
    let people = match rules.members.count_for_rates {
        MemberCount::Found => Some(record.members.len() as u32).filter(|&n| n > 0),
        MemberCount::Register => record.register_members.filter(|&n| n > 0),
    };
    let income = judge_income(record, line, people, rules.members.count_for_rates);
    let food_clothing = judge_food_clothing(record, rules.food_clothing.protein_required);
    let education = judge_education(record, standards);
    let medical = judge_medical(&record.members, &rules.medical.required);
    let housing = judge_housing(&record.housing, &rules.housing.safe_grades);
    let water = judge_water(&record.water, &rules.drinking_water);
    let guarantees = Tri::all([
        food_clothing.status,
        education.status,
        medical.status,
        housing.check.status,
        water.status,
    ]);
    let income_poor = failed(income.check.status);
    let either = income_poor.or(failed(guarantees));
    let outcome = match record.status {
        Status::Exited => Outcome::WronglyExited(either),
        Status::Poor => Outcome::StillPoor(either),
        Status::NonRegistered => Outcome::Missed(match rules.missed.definition {
            MissedDefinition::IncomeOnly => income_poor,
            MissedDefinition::IncomeOrGuarantee => either,
        }),
    };
    Ok(Judgment {
        household_id: record.household_id.clone(),
        status: record.status,
        people,
        standards_version: standards.version.clone(),
        income,
        food_clothing,
        education,
        medical,
        housing,
        water,
        guarantees,
        outcome,
        identification_flags: crate::identification::flags_of(record, &rules.identification),
        identity_numbers: crate::identification::masked_identities(record),
    })
}

fn invalid(
    record: &HouseholdRecord,
    field: String,
    value: String,
    expected: &str,
) -> InspectionError {
    InspectionError::InvalidRecord {
        household_id: record.household_id.clone(),
        field,
        value,
        expected: expected.to_string(),
    }
}

fn validate(r: &HouseholdRecord) -> Result<(), InspectionError> {
    for (name, v) in r.income.sources() {
        if let Some(v) = v {
            if !v.is_finite() {
                return Err(invalid(
                    r,
                    format!("income.{name}"),
                    v.to_string(),
                    "a finite number of yuan",
                ));
            }
        }
    }
    let w = &r.water;
    for (name, v) in [
        ("litres_per_person_day", w.litres_per_person_day),
        ("fetch_minutes", w.fetch_minutes),
        ("horizontal_m", w.horizontal_m),
        ("vertical_m", w.vertical_m),
    ] {
        if let Some(v) = v {
            if !(v >= 0.0 && v.is_finite()) {
                return Err(invalid(
                    r,
                    format!("water.{name}"),
                    v.to_string(),
                    "a number >= 0",
                ));
            }
        }
    }
    if let Some(d) = w.outage_days {
        if d > 366 {
            return Err(invalid(
                r,
                "water.outage_days".into(),
                d.to_string(),
                "at most 366 days",
            ));
        }
    }
    for m in &r.members {
        if let Some(b) = m.birth_date {
            if !(1..=12).contains(&b.month) || !(1..=31).contains(&b.day) {
                return Err(invalid(
                    r,
                    format!("members[{}].birth_date", m.id),
                    format!("{}-{:02}-{:02}", b.year, b.month, b.day),
                    "a real date (month 1-12, day 1-31)",
                ));
            }
        }
        if let Some(a) = m.age {
            if a > 130 {
                return Err(invalid(
                    r,
                    format!("members[{}].age", m.id),
                    a.to_string(),
                    "an age of at most 130",
                ));
            }
        }
    }
    Ok(())
}

fn judge_income(
    r: &HouseholdRecord,
    line: f64,
    people: Option<u32>,
    count: MemberCount,
) -> IncomeJudgment {
    let mut check = Check::new();
    let total = r.income.total();
    for (name, v) in r.income.sources() {
        if v.is_none() {
            check.unknown(format!("income.{name}"));
        }
    }
    if people.is_none() {
        check.unknown(match count {
            MemberCount::Found => "members",
            MemberCount::Register => "register_members",
        });
    }
    let per_person = match (total, people) {
        (Some(t), Some(n)) => Some(t / f64::from(n)),
        _ => None,
    };
    if let Some(p) = per_person {
        // At the line is not below it: the NBS counts as poor those whose income is BELOW
        // the line (see docs/inspection-rules.md).
        if p < line {
            check.unmet(Reason::IncomeBelowLine {
                income_year: r.income_year,
                per_person: p,
                line,
            });
        }
    }
    IncomeJudgment {
        income_year: r.income_year,
        line,
        total,
        per_person,
        check,
    }
}

fn judge_food_clothing(r: &HouseholdRecord, protein_required: bool) -> Check {
    let mut c = Check::new();
    c.require(r.food_adequate, "food_adequate", Reason::FoodInadequate);
    c.require(
        r.clothing_adequate,
        "clothing_adequate",
        Reason::ClothingInadequate,
    );
    if protein_required {
        c.require(
            r.protein_available,
            "protein_available",
            Reason::ProteinUnavailable,
        );
    }
    c
}

/// Age in whole years at the reference date (`year`-`month`-`day`); 0 for a child born after
/// it.
pub fn age_at(birth: crate::BirthDate, year: u16, month: u8, day: u8) -> u32 {
    let mut age = i32::from(year) - i32::from(birth.year);
    if (month, day) < (birth.month, birth.day) {
        age -= 1;
    }
    age.max(0) as u32
}

/// A member's age at the reference date: from the birth date when known, else as stated.
fn member_age(m: &Member, r: &HouseholdRecord, s: &Standards) -> Option<u32> {
    let md = s.household.education.reference_month_day;
    match m.birth_date {
        Some(b) => Some(age_at(b, r.income_year, md.month, md.day)),
        None => m.age,
    }
}

fn judge_education(r: &HouseholdRecord, s: &Standards) -> Check {
    let rule = &s.household.education;
    let mut c = Check::new();
    if r.members.is_empty() {
        c.unknown("members");
        return c;
    }
    for m in &r.members {
        let Some(age) = member_age(m, r, s) else {
            c.unknown(format!("members[{}].age", m.id));
            continue;
        };
        if !rule.covers_age(age) {
            continue;
        }
        let member = m.id.clone();
        match m.schooling {
            Some(crate::Schooling::InSchool) => {}
            Some(crate::Schooling::HomeTeaching) => {
                c.note(Reason::ChildHomeTeaching { member, age })
            }
            Some(crate::Schooling::ExemptHealth) => {
                c.note(Reason::ChildExemptHealth { member, age })
            }
            Some(crate::Schooling::OutOfSchool) => {
                c.unmet(Reason::ChildOutOfSchool { member, age })
            }
            None => c.unknown(format!("members[{}].schooling", m.id)),
        }
    }
    c
}

fn judge_medical(members: &[Member], required: &[Cover]) -> Check {
    let mut c = Check::new();
    if members.is_empty() {
        c.unknown("members");
        return c;
    }
    for m in members {
        for &cover in required {
            match m.cover.get(cover) {
                Some(true) => {}
                Some(false) => c.unmet(Reason::CoverMissing {
                    member: m.id.clone(),
                    cover,
                }),
                None => c.unknown(format!("members[{}].cover.{}", m.id, cover.as_str())),
            }
        }
    }
    c
}

/// The whole-house grade from the site and the component grades (2019 guideline): D on a
/// dangerous site or any d; otherwise A if all a, B if any b, C if any c. `None` when a
/// component or the site is not recorded (and nothing already makes it D), or when no
/// component is present.
pub fn roll_up(housing: &Housing) -> Option<HouseGrade> {
    let grades: Vec<Option<ComponentGrade>> =
        housing.components.named().iter().map(|(_, g)| *g).collect();
    if housing.site_dangerous == Some(true) || grades.contains(&Some(ComponentGrade::D)) {
        return Some(HouseGrade::D);
    }
    if housing.site_dangerous.is_none() || grades.contains(&None) {
        return None;
    }
    grades
        .into_iter()
        .flatten()
        .filter_map(|g| match g {
            ComponentGrade::A => Some(HouseGrade::A),
            ComponentGrade::B => Some(HouseGrade::B),
            ComponentGrade::C => Some(HouseGrade::C),
            ComponentGrade::D => Some(HouseGrade::D),
            ComponentGrade::NotPresent => None,
        })
        .max()
}

fn judge_housing(h: &Housing, safe_grades: &[HouseGrade]) -> HousingJudgment {
    let computed_grade = roll_up(h);
    let grade = h.inspector_grade.or(computed_grade);
    let mut check = Check::new();
    if let (Some(computed), Some(inspector)) = (computed_grade, h.inspector_grade) {
        if computed != inspector {
            check.note(Reason::GradesDisagree {
                computed,
                inspector,
            });
        }
    }
    let grade_safe = grade.map(|g| safe_grades.contains(&g));
    let house = Reason::House {
        grade,
        renovation: h.renovation,
        grade_safe,
    };
    match (grade_safe, h.renovation) {
        (Some(true), _) => check.note(house),
        // Relocated: the old house no longer matters, whatever (if anything) its grade.
        (_, Some(Renovation::Relocated)) => check.note(house),
        (Some(false), Some(r)) if r.makes_safe() => check.note(house),
        (Some(false), Some(_)) => check.unmet(house),
        (Some(false), None) => {
            check.note(house);
            check.unknown("housing.renovation");
        }
        (None, _) => {
            check.note(house);
            for (name, g) in h.components.named() {
                if g.is_none() {
                    check.unknown(format!("housing.components.{name}"));
                }
            }
            if h.site_dangerous.is_none() {
                check.unknown("housing.site_dangerous");
            }
            if check.status == Tri::Met {
                // Everything recorded, yet no grade: no component present and no inspector grade.
                check.unknown("housing.inspector_grade");
            }
        }
    }
    HousingJudgment {
        computed_grade,
        inspector_grade: h.inspector_grade,
        grade,
        check,
    }
}

fn judge_water(w: &Water, rule: &assess_standards::DrinkingWaterRule) -> Check {
    let mut c = Check::new();
    // Quantity.
    match (w.litres_per_person_day, w.water_scarce_area) {
        (None, _) => c.unknown("water.litres_per_person_day"),
        (Some(l), Some(scarce)) => {
            let min = if scarce {
                rule.litres_per_person_day_min_water_scarce
            } else {
                rule.litres_per_person_day_min
            };
            if l < min {
                c.unmet(Reason::WaterQuantity {
                    litres: l,
                    min,
                    water_scarce_area: scarce,
                });
            }
        }
        (Some(l), None) => {
            if l < rule.litres_per_person_day_min_water_scarce {
                c.unmet(Reason::WaterQuantity {
                    litres: l,
                    min: rule.litres_per_person_day_min_water_scarce,
                    water_scarce_area: true,
                });
            } else if l < rule.litres_per_person_day_min {
                c.unknown("water.water_scarce_area");
            }
        }
    }
    // Convenience: piped, or a short fetch, or a near source (horizontal AND vertical).
    let within = |v: Option<f64>, max: f64| match v {
        Some(v) if v <= max => Tri::Met,
        Some(_) => Tri::Unmet,
        None => Tri::Unknown,
    };
    let piped = match w.piped_to_yard {
        Some(true) => Tri::Met,
        Some(false) => Tri::Unmet,
        None => Tri::Unknown,
    };
    let fetch = within(w.fetch_minutes, rule.fetch_minutes_max);
    let near = Tri::all([
        within(w.horizontal_m, rule.fetch_horizontal_m_max),
        within(w.vertical_m, rule.fetch_vertical_m_max),
    ]);
    match Tri::any([piped, fetch, near]) {
        Tri::Met => {}
        Tri::Unmet => c.unmet(Reason::WaterConvenience {
            fetch_minutes: w.fetch_minutes,
            horizontal_m: w.horizontal_m,
            vertical_m: w.vertical_m,
            max_minutes: rule.fetch_minutes_max,
            max_horizontal_m: rule.fetch_horizontal_m_max,
            max_vertical_m: rule.fetch_vertical_m_max,
        }),
        Tri::Unknown => {
            for (name, t) in [
                ("piped_to_yard", piped),
                ("fetch_minutes", within(w.fetch_minutes, f64::INFINITY)),
                ("horizontal_m", within(w.horizontal_m, f64::INFINITY)),
                ("vertical_m", within(w.vertical_m, f64::INFINITY)),
            ] {
                if t == Tri::Unknown {
                    c.unknown(format!("water.{name}"));
                }
            }
        }
    }
    // Reliability.
    match w.outage_days {
        None => c.unknown("water.outage_days"),
        Some(days) if days > rule.outage_days_per_year_max => c.unmet(Reason::WaterOutage {
            days,
            max: rule.outage_days_per_year_max,
        }),
        Some(_) => {}
    }
    // Quality.
    c.require(w.quality_ok, "water.quality_ok", Reason::WaterQuality);
    c
}
