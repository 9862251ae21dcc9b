//! Domain rules as data: the poverty line by income year, the exit thresholds of the four
//! indicators by region, the sampling practice of the national teams, and the household
//! rules a visit is judged against (food and clothing, education, medical cover, housing,
//! drinking water, and the settings for member counts and "missed"). Every value lives
//! in `data/standards/standards.toml` with its source; this crate only parses and looks up.
//! A user may load their own file ([`Standards::from_toml`]) to override any value.
//!
//! ```
//! use assess_standards::Standards;
//! use assess_divisions::Region;
//! let s = Standards::builtin();
//! assert_eq!(s.poverty_line(2018), Some(2995.0));
//! assert_eq!(s.exit_thresholds.poverty_incidence.for_region(Region::West), 0.03);
//! assert_eq!(s.household.drinking_water.litres_per_person_day_min, 35.0);
//! ```
//!
//! Not for: applying the rules to households (the inspection crate will) or to counties
//! (the verdict crate will).
#![deny(missing_docs)]

use assess_divisions::Region;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A standards file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StandardsError {
    /// The file is not TOML in the layout of the built-in one.
    #[error(
        "standards file: not in the layout of the built-in data/standards/standards.toml (the \
         file must have every section of it; copy any missing section from it)"
    )]
    Layout(#[source] toml::de::Error),
    /// A value is out of its range.
    #[error("standards file: {0}")]
    Value(String),
}

/// All domain rules of one version.
#[derive(Debug, Clone, Deserialize)]
pub struct Standards {
    /// Version label recorded in manifests and reports.
    pub version: String,
    /// Poverty line (yuan per person per year) by income year, with `source`.
    pub poverty_line: PovertyLines,
    /// Thresholds of the four veto indicators.
    pub exit_thresholds: ExitThresholds,
    /// How national teams sampled, used as planning defaults.
    pub sampling_practice: SamplingPractice,
    /// When a design counts as far from self-weighting.
    pub design_review: DesignReview,
    /// What `assess check` calls implausible in a visit record.
    pub field_checks: FieldChecks,
    /// Rules one household visit is judged against.
    pub household: HouseholdRules,
}

/// Rules one household visit is judged against (docs/sources.md#household-exit and the
/// sections after docs/sources.md#food-and-clothing).
#[derive(Debug, Clone, Deserialize)]
pub struct HouseholdRules {
    /// No worry about food and clothing.
    pub food_clothing: FoodClothingRule,
    /// Compulsory education guaranteed.
    pub education: EducationRule,
    /// Basic medical care guaranteed.
    pub medical: MedicalRule,
    /// Housing safety guaranteed.
    pub housing: HousingRule,
    /// Drinking-water safety (checked with housing).
    pub drinking_water: DrinkingWaterRule,
    /// Which member count per-person income and the rates use.
    pub members: MembersRule,
    /// What makes a non-registered household "missed".
    pub missed: MissedRule,
    /// Identification flags on registered households.
    pub identification: IdentificationRule,
}

/// Answers that typical local rules treat as grounds for removal from the register.
#[derive(Debug, Clone, Deserialize)]
pub struct IdentificationRule {
    /// Where the values come from.
    pub source: String,
    /// A vehicle worth more than this (yuan) is flagged.
    pub vehicle_value_yuan_over: f64,
}

/// Food and clothing rule.
#[derive(Debug, Clone, Deserialize)]
pub struct FoodClothingRule {
    /// Where the rule comes from.
    pub source: String,
    /// Whether protein (meat, eggs, milk or soy) must be available.
    pub protein_required: bool,
}

/// Compulsory education rule.
#[derive(Debug, Clone, Deserialize)]
pub struct EducationRule {
    /// Where the rule comes from.
    pub source: String,
    /// Youngest age (inclusive) at the reference date.
    pub age_min: u8,
    /// Oldest age (inclusive) at the reference date.
    pub age_max: u8,
    /// Month and day of the reference date; the year is the household's income year.
    pub reference_month_day: MonthDay,
    /// Where the reference date comes from.
    pub reference_date_source: String,
}

impl EducationRule {
    /// Whether a child of this age (at the reference date) is of compulsory-school age.
    pub fn covers_age(&self, age: u32) -> bool {
        (u32::from(self.age_min)..=u32::from(self.age_max)).contains(&age)
    }
}

/// A month and day (`"MM-DD"` in the file), e.g. `12-31`. February 29 is refused, since the
/// reference year need not be a leap year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct MonthDay {
    /// Month, 1-12.
    pub month: u8,
    /// Day of the month.
    pub day: u8,
}

impl TryFrom<String> for MonthDay {
    type Error = String;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        let bad = || format!("{text:?} is not a month-day like \"12-31\" (February 29 is refused)");
        let (m, d) = text.trim().split_once('-').ok_or_else(bad)?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        let day: u8 = d.parse().map_err(|_| bad())?;
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 => 28,
            _ => return Err(bad()),
        };
        if day == 0 || day > days_in_month {
            return Err(bad());
        }
        Ok(MonthDay { month, day })
    }
}

/// One kind of medical cover (docs/sources.md#basic-medical-care).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cover {
    /// Basic medical insurance (基本医疗保险).
    BasicMedicalInsurance,
    /// Serious-illness insurance (大病保险).
    SeriousIllnessInsurance,
    /// Medical assistance (医疗救助).
    MedicalAssistance,
}

impl Cover {
    /// All covers, in canonical order.
    pub const ALL: [Cover; 3] = [
        Cover::BasicMedicalInsurance,
        Cover::SeriousIllnessInsurance,
        Cover::MedicalAssistance,
    ];

    /// The file's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Cover::BasicMedicalInsurance => "basic_medical_insurance",
            Cover::SeriousIllnessInsurance => "serious_illness_insurance",
            Cover::MedicalAssistance => "medical_assistance",
        }
    }
}

/// Medical cover rule.
#[derive(Debug, Clone, Deserialize)]
pub struct MedicalRule {
    /// Where the rule comes from.
    pub source: String,
    /// Covers every member must have; the others are recorded only.
    pub required: Vec<Cover>,
}

/// A whole-house safety grade (2019 guideline): A no danger, B a few members dangerous,
/// C part of the load-bearing structure unsafe, D the whole building dangerous.
/// Ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum HouseGrade {
    /// No danger points.
    A,
    /// A few members dangerous, main structure safe.
    B,
    /// Part of the load-bearing structure unsafe.
    C,
    /// The whole building dangerous.
    D,
}

/// Grade of one structural component (2019 guideline, a best to d worst), as an inspector
/// records it in a visit record or beside a crack photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentGrade {
    /// Grade a.
    A,
    /// Grade b.
    B,
    /// Grade c.
    C,
    /// Grade d.
    D,
    /// The house has no such component (e.g. no wood members): ignored by the roll-up.
    NotPresent,
}

/// Whether one rule is met: the outcome of applying a rule of these standards to what was
/// recorded or measured. `Unknown` when an answer the rule needs was not recorded, or a
/// measurement's interval straddles the rule's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tri {
    /// The rule is met.
    Met,
    /// The rule is not met.
    Unmet,
    /// An answer the rule needs is missing, or a measurement cannot tell.
    Unknown,
}

impl Tri {
    /// All of several rules (Kleene's and): unmet if any is unmet, else unknown if any is
    /// unknown, else met.
    pub fn all(parts: impl IntoIterator<Item = Tri>) -> Tri {
        let mut out = Tri::Met;
        for p in parts {
            match p {
                Tri::Unmet => return Tri::Unmet,
                Tri::Unknown => out = Tri::Unknown,
                Tri::Met => {}
            }
        }
        out
    }

    /// Any of several alternatives (Kleene's or): met if any is met, else unknown if any is
    /// unknown, else unmet.
    pub fn any(parts: impl IntoIterator<Item = Tri>) -> Tri {
        let mut out = Tri::Unmet;
        for p in parts {
            match p {
                Tri::Met => return Tri::Met,
                Tri::Unknown => out = Tri::Unknown,
                Tri::Unmet => {}
            }
        }
        out
    }
}

/// Housing safety rule.
#[derive(Debug, Clone, Deserialize)]
pub struct HousingRule {
    /// Where the rule comes from.
    pub source: String,
    /// Grades safe as they stand; any other grade is safe only when reinforced, rebuilt or the
    /// household relocated.
    pub safe_grades: Vec<HouseGrade>,
}

/// Drinking-water rule (2018 rural drinking-water safety criteria). Every limit passes at
/// the value itself.
#[derive(Debug, Clone, Deserialize)]
pub struct DrinkingWaterRule {
    /// Where the rule comes from.
    pub source: String,
    /// Litres per person per day, at least.
    pub litres_per_person_day_min: f64,
    /// Litres per person per day in water-scarce areas, at least.
    pub litres_per_person_day_min_water_scarce: f64,
    /// One fetch takes at most this many minutes.
    pub fetch_minutes_max: f64,
    /// Horizontal distance to the source, metres, at most.
    pub fetch_horizontal_m_max: f64,
    /// Vertical distance to the source, metres, at most.
    pub fetch_vertical_m_max: f64,
    /// Days of outage a year, at most.
    pub outage_days_per_year_max: u32,
}

/// Which member count a household's per-person income and the people-based rates use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberCount {
    /// Members as found at the visit.
    Found,
    /// Members in the register.
    Register,
}

/// Member-count setting.
#[derive(Debug, Clone, Deserialize)]
pub struct MembersRule {
    /// Where the setting comes from.
    pub source: String,
    /// The count used.
    pub count_for_rates: MemberCount,
}

/// What makes a non-registered household "missed" (漏评).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissedDefinition {
    /// Per-person income below the line.
    IncomeOnly,
    /// Per-person income below the line, or any guarantee unmet.
    IncomeOrGuarantee,
}

/// The "missed" setting.
#[derive(Debug, Clone, Deserialize)]
pub struct MissedRule {
    /// Where the setting comes from.
    pub source: String,
    /// The definition used.
    pub definition: MissedDefinition,
}

/// The poverty line table.
#[derive(Debug, Clone, Deserialize)]
pub struct PovertyLines {
    /// Where the values come from.
    pub source: String,
    /// Yuan per person per year, by income year.
    #[serde(flatten)]
    pub by_year: BTreeMap<String, f64>,
}

/// A threshold that may differ by region.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct ByRegion {
    /// Eastern provinces.
    pub east: f64,
    /// Central provinces.
    pub central: f64,
    /// The 12 western provinces.
    pub west: f64,
}

impl ByRegion {
    /// The value for a region.
    pub fn for_region(&self, region: Region) -> f64 {
        match region {
            Region::East => self.east,
            Region::Central => self.central,
            Region::West => self.west,
        }
    }
}

/// Thresholds of the four indicators.
#[derive(Debug, Clone, Deserialize)]
pub struct ExitThresholds {
    /// Where the values come from.
    pub source: String,
    /// Comprehensive poverty incidence passes strictly below this.
    pub poverty_incidence: ByRegion,
    /// Wrong-exit rate passes strictly below this.
    pub wrong_exit_rate: f64,
    /// Missed-assessment rate passes strictly below this.
    pub missed_rate: f64,
    /// Public approval passes at or above this.
    pub approval_rate: f64,
}

/// The four thresholds that apply to one county: [`ExitThresholds`] resolved for its region,
/// with the standards' version (what a verdict records beside its decision).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountyThresholds {
    /// Incidence passes strictly below (by region).
    pub poverty_incidence: f64,
    /// Wrong exits pass strictly below.
    pub wrong_exit_rate: f64,
    /// Missed pass strictly below.
    pub missed_rate: f64,
    /// Approval passes at or above.
    pub approval_rate: f64,
    /// Where they come from.
    pub source: String,
    /// The standards' version.
    pub standards_version: String,
}

/// Sampling practice of the national special evaluation.
#[derive(Debug, Clone, Deserialize)]
pub struct SamplingPractice {
    /// Where the values come from.
    pub source: String,
    /// Villages per county.
    pub villages_per_county: u32,
    /// Fewest households per county seen.
    pub households_per_county_min: u32,
    /// Most households per county seen.
    pub households_per_county_max: u32,
    /// Share of villages from remote areas.
    pub remote_share_of_villages: f64,
}

/// When `assess plan check` and `assess draw` warn that a design is far from self-weighting.
#[derive(Debug, Clone, Deserialize)]
pub struct DesignReview {
    /// Where the values come from.
    pub source: String,
    /// Warn at an expected weighting effect (Kish's 1 + CV² of the weights) at or above this.
    pub weighting_effect_warn: f64,
    /// Warn when a part of the frame's expected share of the sampled people is off its share
    /// of the county's people by this or more.
    pub share_gap_warn: f64,
}

/// What `assess check` calls implausible in a visit record.
#[derive(Debug, Clone, Deserialize)]
pub struct FieldChecks {
    /// Where the values come from.
    pub source: String,
    /// A visit lasting longer than this many minutes (start to end) is warned about.
    pub max_visit_minutes: f64,
}

impl Standards {
    /// The exit thresholds for a county of `region`.
    pub fn thresholds_for(&self, region: Region) -> CountyThresholds {
        let t = &self.exit_thresholds;
        CountyThresholds {
            poverty_incidence: t.poverty_incidence.for_region(region),
            wrong_exit_rate: t.wrong_exit_rate,
            missed_rate: t.missed_rate,
            approval_rate: t.approval_rate,
            source: t.source.clone(),
            standards_version: self.version.clone(),
        }
    }

    /// The standards shipped with this version of the tool.
    pub fn builtin() -> Standards {
        // Parsed by this crate's tests, so a failure here is a build defect, not user input.
        Self::from_toml(Self::builtin_toml()).expect("built-in standards parse")
    }

    /// The TOML text of the built-in standards (served to field clients as is).
    pub fn builtin_toml() -> &'static str {
        include_str!("../../../data/standards/standards.toml")
    }

    /// Standards from a user's TOML file (same layout as the built-in file).
    pub fn from_toml(text: &str) -> Result<Standards, StandardsError> {
        let s: Standards = toml::from_str(text).map_err(StandardsError::Layout)?;
        for (year, value) in &s.poverty_line.by_year {
            // `is_finite` and `> 0` together also refuse NaN.
            if year.parse::<u16>().is_err() || !value.is_finite() || *value <= 0.0 {
                return Err(StandardsError::Value(format!(
                    "poverty_line: {year} = {value} is not a year with a positive line"
                )));
            }
        }
        s.household.check()?;
        s.design_review.check()?;
        let m = s.field_checks.max_visit_minutes;
        if !(m.is_finite() && m > 0.0) {
            return Err(StandardsError::Value(format!(
                "field_checks: max_visit_minutes = {m} must be a positive number of minutes"
            )));
        }
        Ok(s)
    }

    /// The income years the poverty-line table has, in order.
    pub fn poverty_line_years(&self) -> Vec<u16> {
        let mut years: Vec<u16> = self
            .poverty_line
            .by_year
            .keys()
            .filter_map(|y| y.parse().ok())
            .collect();
        years.sort_unstable();
        years
    }

    /// Poverty line for an income year, if the table has it.
    pub fn poverty_line(&self, income_year: u16) -> Option<f64> {
        self.poverty_line
            .by_year
            .get(&income_year.to_string())
            .copied()
    }
}

impl DesignReview {
    fn check(&self) -> Result<(), StandardsError> {
        let (w, g) = (self.weighting_effect_warn, self.share_gap_warn);
        if !(w >= 1.0 && w.is_finite() && g > 0.0 && g < 1.0) {
            return Err(StandardsError::Value(format!(
                "design_review: weighting_effect_warn = {w} must be >= 1 and share_gap_warn = \
                 {g} between 0 and 1"
            )));
        }
        Ok(())
    }
}

impl HouseholdRules {
    fn check(&self) -> Result<(), StandardsError> {
        let w = &self.drinking_water;
        for (name, value) in [
            ("litres_per_person_day_min", w.litres_per_person_day_min),
            (
                "litres_per_person_day_min_water_scarce",
                w.litres_per_person_day_min_water_scarce,
            ),
            ("fetch_minutes_max", w.fetch_minutes_max),
            ("fetch_horizontal_m_max", w.fetch_horizontal_m_max),
            ("fetch_vertical_m_max", w.fetch_vertical_m_max),
        ] {
            if !(value > 0.0 && value.is_finite()) {
                return Err(StandardsError::Value(format!(
                    "household.drinking_water.{name} = {value} must be a positive number"
                )));
            }
        }
        if w.litres_per_person_day_min_water_scarce > w.litres_per_person_day_min {
            return Err(StandardsError::Value(format!(
                "household.drinking_water: the water-scarce minimum ({}) exceeds the general \
                 minimum ({}); it is meant to be the lower one",
                w.litres_per_person_day_min_water_scarce, w.litres_per_person_day_min
            )));
        }
        if w.outage_days_per_year_max > 366 {
            return Err(StandardsError::Value(format!(
                "household.drinking_water.outage_days_per_year_max = {} exceeds a year",
                w.outage_days_per_year_max
            )));
        }
        let e = &self.education;
        if e.age_min > e.age_max || e.age_max > 25 {
            return Err(StandardsError::Value(format!(
                "household.education: ages {}-{} are not a compulsory-school age range \
                 (age_min <= age_max <= 25)",
                e.age_min, e.age_max
            )));
        }
        let v = self.identification.vehicle_value_yuan_over;
        if !(v >= 0.0 && v.is_finite()) {
            return Err(StandardsError::Value(format!(
                "household.identification.vehicle_value_yuan_over = {v} must be a number >= 0"
            )));
        }
        if self.housing.safe_grades.is_empty() {
            return Err(StandardsError::Value(
                "household.housing.safe_grades is empty: list the grades safe as they stand \
                 (built-in: [\"A\", \"B\"])"
                    .into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_values_match_the_domain_notes() {
        let s = Standards::builtin();
        // docs/sources.md#poverty-lines: 2014 exits were audited against 2,736 (income year 2013).
        assert_eq!(s.poverty_line(2013), Some(2736.0));
        assert_eq!(s.poverty_line(2019), Some(3218.0));
        assert_eq!(s.poverty_line(2009), None);
        assert_eq!(
            s.exit_thresholds.poverty_incidence.for_region(Region::East),
            0.02
        );
        assert_eq!(s.exit_thresholds.approval_rate, 0.90);
        // docs/sources.md#drinking-water: the 2018 criteria.
        let w = &s.household.drinking_water;
        assert_eq!(w.litres_per_person_day_min, 35.0);
        assert_eq!(w.litres_per_person_day_min_water_scarce, 20.0);
        assert_eq!(w.fetch_minutes_max, 20.0);
        assert_eq!(w.fetch_horizontal_m_max, 800.0);
        assert_eq!(w.fetch_vertical_m_max, 80.0);
        assert_eq!(w.outage_days_per_year_max, 36);
        let e = &s.household.education;
        assert_eq!((e.age_min, e.age_max), (6, 15));
        assert_eq!(e.reference_month_day, MonthDay { month: 12, day: 31 });
        assert_eq!(
            s.household.housing.safe_grades,
            vec![HouseGrade::A, HouseGrade::B]
        );
        assert_eq!(
            s.household.medical.required,
            vec![Cover::BasicMedicalInsurance]
        );
        assert_eq!(s.household.members.count_for_rates, MemberCount::Found);
        assert_eq!(
            s.household.missed.definition,
            MissedDefinition::IncomeOrGuarantee
        );
        assert!(s.household.food_clothing.protein_required);
        assert_eq!(s.version, "assess-standards-4");
        assert_eq!(s.poverty_line_years().first(), Some(&2011));
    }

    #[test]
    fn bad_household_overrides_are_refused() {
        let base = include_str!("../../../data/standards/standards.toml");
        for (from, to) in [
            (
                "litres_per_person_day_min = 35.0",
                "litres_per_person_day_min = 0",
            ),
            (
                "litres_per_person_day_min = 35.0",
                "litres_per_person_day_min = -35.0",
            ),
            (
                "litres_per_person_day_min = 35.0",
                "litres_per_person_day_min = 10.0",
            ),
            ("fetch_minutes_max = 20.0", "fetch_minutes_max = -1.0"),
            ("max_visit_minutes = 240", "max_visit_minutes = 0"),
            ("max_visit_minutes = 240", "max_visit_minutes = inf"),
            (
                "fetch_horizontal_m_max = 800.0",
                "fetch_horizontal_m_max = nan",
            ),
            ("fetch_vertical_m_max = 80.0", "fetch_vertical_m_max = 0.0"),
            (
                "outage_days_per_year_max = 36",
                "outage_days_per_year_max = -1",
            ),
            (
                "outage_days_per_year_max = 36",
                "outage_days_per_year_max = 400",
            ),
            ("age_min = 6", "age_min = 16"),
            (
                "reference_month_day = \"12-31\"",
                "reference_month_day = \"02-29\"",
            ),
            (
                "reference_month_day = \"12-31\"",
                "reference_month_day = \"13-01\"",
            ),
            (
                "reference_month_day = \"12-31\"",
                "reference_month_day = \"1231\"",
            ),
            ("safe_grades = [\"A\", \"B\"]", "safe_grades = []"),
            ("safe_grades = [\"A\", \"B\"]", "safe_grades = [\"E\"]"),
            (
                "required = [\"basic_medical_insurance\"]",
                "required = [\"dental\"]",
            ),
            (
                "definition = \"income_or_guarantee\"",
                "definition = \"guarantee_only\"",
            ),
            ("count_for_rates = \"found\"", "count_for_rates = \"both\""),
            (
                "weighting_effect_warn = 1.10",
                "weighting_effect_warn = 0.9",
            ),
            ("share_gap_warn = 0.10", "share_gap_warn = 1.5"),
        ] {
            assert!(base.contains(from), "test setup: {from:?} not in the file");
            let text = base.replace(from, to);
            assert!(
                Standards::from_toml(&text).is_err(),
                "override {to:?} was accepted"
            );
        }
    }

    #[test]
    fn an_old_file_without_household_rules_is_refused_with_a_hint() {
        let base = include_str!("../../../data/standards/standards.toml");
        let old = &base[..base.find("[household.").unwrap()];
        let err = Standards::from_toml(old).unwrap_err();
        let cause = std::error::Error::source(&err)
            .expect("the TOML error")
            .to_string();
        assert!(cause.contains("household"), "{cause}");
        assert!(
            err.to_string().contains("copy any missing section"),
            "{err}"
        );
    }

    #[test]
    fn settings_can_be_overridden() {
        let text = include_str!("../../../data/standards/standards.toml")
            .replace(
                "definition = \"income_or_guarantee\"",
                "definition = \"income_only\"",
            )
            .replace(
                "reference_month_day = \"12-31\"",
                "reference_month_day = \"08-31\"",
            );
        let s = Standards::from_toml(&text).unwrap();
        assert_eq!(s.household.missed.definition, MissedDefinition::IncomeOnly);
        assert_eq!(
            s.household.education.reference_month_day,
            MonthDay { month: 8, day: 31 }
        );
    }

    #[test]
    fn a_bad_override_is_refused() {
        let text = include_str!("../../../data/standards/standards.toml")
            .replace("2018 = 2995", "2018 = -1");
        assert!(Standards::from_toml(&text).is_err());
    }
}
