//! Field visits simulated from the synthetic truth: for a draw's sample, the visit records a
//! perfect field team would bring back if every household were exactly as the truth file
//! says, with realistic non-response (refusals and non-contacts replaced by reserves strictly
//! in their drawn order), times, places, approval and identification answers.
//!
//! Every record is labelled as simulated (team `simulated-1`, ..., interviewers `simulated A`
//! and `simulated B`, and a note with rule `simulated`), and every household record is built so
//! that [`assess_inspection::judge`] gives exactly the truth's finding: the function checks
//! this for each interview and refuses to return records that would not.
//!
//! The register's households come from its one reader (`assess-register`), the truth from
//! [`read_truth`]:
//!
//! ```no_run
//! use assess_synth::visits::{read_truth, simulate_visits, VisitSettings};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let draw = assess_draw::load_draw_dir(std::path::Path::new("draw"))?;
//! let wanted: std::collections::HashSet<String> =
//!     draw.households.iter().map(|h| h.household_id.to_string()).collect();
//! let mut register = Vec::new();
//! let opts = assess_register::ReadOptions::default();
//! assess_register::scan_frame("register.csv".as_ref(), &opts, |h| {
//!     if wanted.contains(&h.household_id) {
//!         register.push(h.clone())
//!     }
//! })?;
//! let truth = read_truth(std::fs::File::open("truth.csv")?, Some(&wanted))?;
//! let settings = VisitSettings::new("2020-06-12T08:30:00+08:00");
//! let visits = simulate_visits(
//!     &draw.manifest.sample_sha256,
//!     &draw.households,
//!     &register,
//!     &truth,
//!     &assess_standards::Standards::builtin(),
//!     7,
//!     &settings,
//! )?;
//! # Ok(()) }
//! ```
//!
//! Layout: this module holds the public surface (settings, the truth file, errors) and runs
//! the steps; `plan` decides who is visited and what happens, `schedule` when and by which
//! team, `record` writes each visit record, and `household` builds the household record of an
//! interview so that the judge agrees with the truth.

pub(crate) mod household;
mod plan;
mod record;
mod schedule;

use assess_household::{Household, Status};
use assess_inspection::{Outcome, VisitRecord};
use assess_sampling::SampleRow;
use assess_standards::{HouseGrade, Standards};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::{HashMap, HashSet};
use std::io::Read;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, UtcOffset};

/// The rule of the note every simulated record carries.
pub const SIMULATED_RULE: &str = "simulated";
/// The text of that note.
pub const SIMULATED_TEXT: &str = "simulated from the synthetic truth; not a field visit";
/// The two interviewers of every simulated visit.
pub const SIMULATED_INTERVIEWERS: [&str; 2] = ["simulated A", "simulated B"];
/// Simulated teams are named `simulated-1`, `simulated-2`, ...
pub const SIMULATED_TEAM_PREFIX: &str = "simulated-";

/// Field visits are recorded in Beijing time.
const BEIJING_OFFSET_HOURS: i8 = 8;

/// How the simulated field work goes.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitSettings {
    /// Probability that a visited household (primary or reserve) is interviewed; the others
    /// refuse or cannot be contacted and are replaced by the next reserve. Default 0.95.
    pub response_rate: f64,
    /// Probability that an interviewed household approves (every approval answer satisfied
    /// or basically satisfied); the others answer dissatisfied to the exit question and
    /// dissatisfied, don't know or better to the others. Default 0.97.
    pub approval_share: f64,
    /// When the first visit of each team starts (RFC 3339 with offset); later days start at
    /// the same time of day. Must be after the draw was made.
    pub start: String,
    /// Income year of the household records: the income year of the synthetic run (its
    /// `--income-year`, by default the year before `--year`: 2017). Default 2017.
    pub income_year: u16,
    /// Field teams; villages are shared among them in turn. Default 4.
    pub teams: usize,
}

impl VisitSettings {
    /// The default settings with field work starting at `start`.
    pub fn new(start: impl Into<String>) -> VisitSettings {
        VisitSettings {
            response_rate: 0.95,
            approval_share: 0.97,
            start: start.into(),
            income_year: 2017,
            teams: 4,
        }
    }
}

/// One row of the truth file of `assess synth --truth`.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct TruthRow {
    /// Household id.
    pub household_id: String,
    /// True per-person net income, yuan.
    pub true_income_per_capita: f64,
    /// Food sufficient.
    pub food_ok: bool,
    /// Clothing sufficient.
    pub clothing_ok: bool,
    /// Every child of compulsory-school age in school.
    pub education_ok: bool,
    /// Every member with basic medical insurance.
    pub medical_ok: bool,
    /// House safety grade A-D.
    pub housing_grade: HouseGrade,
    /// Grade A or B.
    pub housing_ok: bool,
    /// Drinking water safe.
    pub water_ok: bool,
    /// Income below the line or a guarantee unmet.
    pub truly_poor: bool,
    /// Exited and truly poor.
    pub wrong_exit: bool,
    /// Non-registered and truly poor.
    pub missed: bool,
    /// Registered poor and truly poor.
    pub still_poor: bool,
}

impl TruthRow {
    /// The truth's finding for a household of this register status.
    pub fn finding(&self, status: Status) -> bool {
        match status {
            Status::Exited => self.wrong_exit,
            Status::Poor => self.still_poor,
            Status::NonRegistered => self.missed,
        }
    }
}

/// Why visits could not be simulated.
#[derive(Debug, thiserror::Error)]
pub enum VisitError {
    /// A setting out of range.
    #[error("{name} = {value}: {why}")]
    BadSetting {
        /// The setting.
        name: &'static str,
        /// Its value.
        value: String,
        /// What is allowed.
        why: String,
    },
    /// A sampled household is missing from the register or the truth.
    #[error("household {household_id} of the sample is not in the {file}; give the {file} of the synthetic run the draw was made from")]
    Missing {
        /// The household.
        household_id: String,
        /// `register` or `truth file`.
        file: &'static str,
    },
    /// The register disagrees with the sample.
    #[error("household {household_id}: the sample says {field} {sample} but the register says {register}; give the register the draw was made from")]
    Disagrees {
        /// The household.
        household_id: String,
        /// `stratum` or `members`.
        field: &'static str,
        /// The sample's value.
        sample: String,
        /// The register's value.
        register: String,
    },
    /// The truth of a household cannot be turned into a record.
    #[error("household {household_id}: {why}")]
    BadTruth {
        /// The household.
        household_id: String,
        /// What is wrong.
        why: String,
    },
    /// A built record is judged differently from the truth: the standards or the income year
    /// are not those of the synthetic run.
    #[error("household {household_id}: the simulated record is judged {judged:?} but the truth says {truth}; are the standards and the income year ({income_year}) those of the synthetic run?")]
    JudgedOtherwise {
        /// The household.
        household_id: String,
        /// The judge's outcome.
        judged: Outcome,
        /// The truth's finding.
        truth: bool,
        /// The income year used.
        income_year: u16,
    },
    /// A built record could not be judged.
    #[error("household {household_id}")]
    Judge {
        /// The household.
        household_id: String,
        /// Why.
        source: assess_inspection::InspectionError,
    },
    /// A built record is not a valid visit record (a bug).
    #[error("household {household_id}: the simulated record is invalid: {problems}")]
    Invalid {
        /// The household.
        household_id: String,
        /// Its problems.
        problems: String,
    },
    /// A register or truth file could not be read.
    #[error("reading the {file}")]
    Csv {
        /// `register` or `truth file`.
        file: &'static str,
        /// Why.
        source: csv::Error,
    },
}

/// Reads the rows of a truth file written by `assess synth --truth` (only those in `wanted`,
/// when given).
pub fn read_truth<R: Read>(
    reader: R,
    wanted: Option<&HashSet<String>>,
) -> Result<Vec<TruthRow>, VisitError> {
    read_rows(reader, wanted, "truth file", |r: &TruthRow| &r.household_id)
}

fn read_rows<R: Read, T: serde::de::DeserializeOwned>(
    reader: R,
    wanted: Option<&HashSet<String>>,
    file: &'static str,
    id: impl Fn(&T) -> &String,
) -> Result<Vec<T>, VisitError> {
    let mut csv = csv::Reader::from_reader(reader);
    let mut out = Vec::new();
    for row in csv.deserialize::<T>() {
        let row = row.map_err(|source| VisitError::Csv { file, source })?;
        if wanted.is_none_or(|w| w.contains(id(&row))) {
            out.push(row);
        }
    }
    Ok(out)
}

/// The visit records of a draw's sample, simulated from the synthetic truth.
///
/// `sample` is the draw's `sample.csv` (primaries and reserves); `register` and `truth` must
/// hold every sampled household (more are ignored). Each cell (village, household stratum) is
/// worked like the field: every primary is visited; each visited household is interviewed
/// with probability `response_rate`, else it refuses or is not contacted; every failure is
/// replaced by the cell's next reserve in drawn order, until none is owed or the reserves run
/// out (then the cell's first primary, in sample order and by household id, carries a
/// `replacement-owed` note). Interviews give a
/// household record built from the truth, checked to be judged exactly as the truth says.
///
/// Deterministic: the same inputs and `seed` give the same records. The records come in the
/// sample's order; they pass [`VisitRecord::validate`] and [`assess_inspection::check_draw`]
/// without errors (given a draw made before `settings.start`).
pub fn simulate_visits(
    draw_id: &str,
    sample: &[SampleRow],
    register: &[Household],
    truth: &[TruthRow],
    standards: &Standards,
    seed: u64,
    settings: &VisitSettings,
) -> Result<Vec<VisitRecord>, VisitError> {
    let start = check_settings(settings, standards)?;
    let register: HashMap<&str, &Household> = register
        .iter()
        .map(|r| (r.household_id.as_str(), r))
        .collect();
    let truth: HashMap<&str, &TruthRow> =
        truth.iter().map(|t| (t.household_id.as_str(), t)).collect();
    // Who is visited and what happens, cell by cell.
    let mut planned = plan::plan_visits(sample, seed, settings.response_rate);
    // When: villages shared among the teams in turn, each team working its villages in order.
    schedule::schedule(&mut planned, start, seed, settings.teams);
    plan::sort_in_sample_order(&mut planned, sample);
    planned
        .into_iter()
        .map(|p| record::build_visit(draw_id, p, &register, &truth, standards, seed, settings))
        .collect()
}

/// The default start of the field work for a draw made at `drawn_at` (RFC 3339): 08:30
/// Beijing time on the next day. `None` when `drawn_at` is not an RFC 3339 date-time.
pub fn start_after(drawn_at: &str) -> Option<String> {
    let beijing = UtcOffset::from_hms(BEIJING_OFFSET_HOURS, 0, 0).ok()?;
    let drawn = OffsetDateTime::parse(drawn_at, &Rfc3339)
        .ok()?
        .to_offset(beijing);
    let next = (drawn + Duration::days(1)).replace_time(time::Time::from_hms(8, 30, 0).ok()?);
    next.format(&Rfc3339).ok()
}

/// Refuses settings out of range; otherwise gives the start of the field work, in Beijing
/// time.
fn check_settings(
    settings: &VisitSettings,
    standards: &Standards,
) -> Result<OffsetDateTime, VisitError> {
    let bad = |name, value: String, why: &str| VisitError::BadSetting {
        name,
        value,
        why: why.to_string(),
    };
    if !(settings.response_rate > 0.0 && settings.response_rate <= 1.0) {
        return Err(bad(
            "response-rate",
            settings.response_rate.to_string(),
            "must be above 0 and at most 1",
        ));
    }
    if !(0.0..=1.0).contains(&settings.approval_share) {
        return Err(bad(
            "approval-share",
            settings.approval_share.to_string(),
            "must be between 0 and 1",
        ));
    }
    if settings.teams == 0 {
        return Err(bad("teams", "0".to_string(), "at least one team"));
    }
    if standards.poverty_line(settings.income_year).is_none() {
        return Err(bad(
            "income-year",
            settings.income_year.to_string(),
            "the standards have no poverty line for it",
        ));
    }
    let start = OffsetDateTime::parse(&settings.start, &Rfc3339).map_err(|_| {
        bad(
            "start",
            settings.start.clone(),
            "is not an RFC 3339 date-time with offset, e.g. 2020-06-12T08:30:00+08:00",
        )
    })?;
    let beijing = UtcOffset::from_hms(BEIJING_OFFSET_HOURS, 0, 0).expect("a valid offset");
    Ok(start.to_offset(beijing))
}

/// A generator keyed by the seed and a label (cell, team, household): a household's record
/// does not depend on the rest of the sample.
fn keyed_rng(seed: u64, label: &[&str]) -> ChaCha8Rng {
    // FNV-1a over the label's parts, separated so ("ab", "c") differs from ("a", "bc").
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in label {
        for b in part.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&h.to_le_bytes());
    key[16..29].copy_from_slice(b"assess-visits");
    ChaCha8Rng::from_seed(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn field_work_starts_the_morning_after_the_draw() {
        assert_eq!(
            start_after("2026-11-28T23:10:05Z").as_deref(),
            Some("2026-11-30T08:30:00+08:00")
        );
        assert_eq!(
            start_after("2020-06-01T08:00:00+08:00").as_deref(),
            Some("2020-06-02T08:30:00+08:00")
        );
        assert_eq!(start_after("yesterday"), None);
    }

    #[test]
    fn keyed_generators_differ_by_label_and_seed() {
        let a = keyed_rng(1, &["household", "x"]).random::<u64>();
        assert_eq!(a, keyed_rng(1, &["household", "x"]).random::<u64>());
        assert_ne!(a, keyed_rng(2, &["household", "x"]).random::<u64>());
        assert_ne!(a, keyed_rng(1, &["householdx", ""]).random::<u64>());
    }
}
