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
//! let wanted = draw.households.iter().map(|h| h.household_id.to_string()).collect();
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

use assess_household::{Household, Status};
use assess_inspection::{
    judge, Answer, Approval, Components, Disposition, Gps, HouseholdRecord, Housing,
    Identification, IncomeBySource, InterviewMode, Judgment, MedicalCover, Member, Note, Opinion,
    Outcome, Renovation, Schooling, Sex, VisitRecord, Water,
};
use assess_sampling::Role;
use assess_sampling::SampleRow;
use assess_standards::ComponentGrade;
use assess_standards::{Cover, HouseGrade, Standards};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, HashMap, HashSet};
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

/// Share of failed contacts that are refusals (the rest: nobody found at home).
const REFUSED_SHARE: f64 = 0.6;
/// An interview lasts this many minutes (uniform), a failed contact this many.
const INTERVIEW_MINUTES: (i64, i64) = (35, 95);
const CONTACT_MINUTES: (i64, i64) = (3, 10);
/// Walking between households of a village, and driving between villages (minutes).
const WALK_MINUTES: (i64, i64) = (10, 35);
const DRIVE_MINUTES: (i64, i64) = (40, 120);
/// A field day: no visit starts more than this many minutes after the day's start.
const DAY_MINUTES: i64 = 9 * 60;
/// Field visits are recorded in Beijing time.
const BEIJING_OFFSET_HOURS: i8 = 8;
/// A phone's GPS fix lands within this many metres (per axis, uniform) of the house.
const GPS_SCATTER_M: f64 = 15.0;
/// Approving households answer "satisfied" with this probability (else "basically").
const SATISFIED_SHARE: f64 = 0.75;
/// Registered households owning a vehicle, of a value below the identification threshold.
const VEHICLE_SHARE: f64 = 0.08;

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
    let cells = cells_of(sample);

    // Who is visited and what happens, cell by cell.
    let mut outcomes: Vec<Planned<'_>> = Vec::new();
    for (key, units) in &cells {
        let mut rng = keyed_rng(seed, &["cell", key.0, key.1, key.2]);
        let (primaries, reserves): (Vec<&SampleRow>, Vec<&SampleRow>) =
            units.iter().partition(|u| u.role != Role::Reserve);
        let mut reserves = reserves;
        reserves.sort_by_key(|u| u.reserve_rank.unwrap_or(u32::MAX));
        let mut owed = 0usize;
        let mut planned: Vec<Planned<'_>> = Vec::new();
        for unit in primaries {
            let d = respond(&mut rng, settings.response_rate);
            owed += usize::from(!d.is_interview());
            planned.push(Planned::new(unit, d));
        }
        for unit in reserves {
            if owed == 0 {
                break;
            }
            let d = respond(&mut rng, settings.response_rate);
            if d.is_interview() {
                owed -= 1;
            }
            planned.push(Planned::new(unit, d));
        }
        if owed > 0 {
            // Every reserve used and failures left: `assess check` warns on the cell's first
            // unit, in the order it is given the sample (sample.csv's, or the store's by role
            // and household id); answer it on both.
            let by_id = units
                .iter()
                .filter(|u| u.role != Role::Reserve)
                .min_by(|a, b| a.household_id.cmp(&b.household_id));
            let text = format!(
                "simulated: {owed} failed unit{} left after every reserve of this village and stratum was used",
                if owed == 1 { "" } else { "s" }
            );
            for p in planned.iter_mut().filter(|p| {
                std::ptr::eq(p.unit, units[0]) || by_id.is_some_and(|u| std::ptr::eq(p.unit, *u))
            }) {
                p.notes.push(Note {
                    rule: "replacement-owed".to_string(),
                    text: text.clone(),
                });
            }
        }
        outcomes.extend(planned);
    }

    // When: villages shared among the teams in turn, each team working its villages in order.
    schedule(&mut outcomes, start, seed, settings.teams);

    let order: HashMap<&str, usize> = sample
        .iter()
        .enumerate()
        .map(|(i, u)| (u.household_id.as_str(), i))
        .collect();
    outcomes.sort_by_key(|p| order[p.unit.household_id.as_str()]);
    outcomes
        .into_iter()
        .map(|p| build_visit(draw_id, p, &register, &truth, standards, seed, settings))
        .collect()
}

/// A visit decided, not yet written.
struct Planned<'a> {
    unit: &'a SampleRow,
    disposition: Disposition,
    notes: Vec<Note>,
    team: usize,
    start: OffsetDateTime,
    end: OffsetDateTime,
}

impl<'a> Planned<'a> {
    fn new(unit: &'a SampleRow, disposition: Disposition) -> Planned<'a> {
        Planned {
            unit,
            disposition,
            notes: Vec::new(),
            team: 0,
            start: OffsetDateTime::UNIX_EPOCH,
            end: OffsetDateTime::UNIX_EPOCH,
        }
    }
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

/// A cell of the sample: (county, village, household stratum).
type CellKey<'a> = (&'a str, &'a str, &'a str);

/// The sample's cells, in order of first appearance, each with its units in sample order.
fn cells_of(sample: &[SampleRow]) -> Vec<(CellKey<'_>, Vec<&SampleRow>)> {
    let mut index: HashMap<CellKey<'_>, usize> = HashMap::new();
    let mut cells: Vec<(CellKey<'_>, Vec<&SampleRow>)> = Vec::new();
    for u in sample {
        let key = (
            u.county_code.as_str(),
            u.village_code.as_str(),
            u.stratum.as_str(),
        );
        let i = *index.entry(key).or_insert_with(|| {
            cells.push((key, Vec::new()));
            cells.len() - 1
        });
        cells[i].1.push(u);
    }
    cells
}

fn respond(rng: &mut ChaCha8Rng, response_rate: f64) -> Disposition {
    if rng.random::<f64>() < response_rate {
        Disposition::Complete
    } else if rng.random::<f64>() < REFUSED_SHARE {
        Disposition::Refused
    } else {
        Disposition::NonContact
    }
}

/// Gives every planned visit its team and times. Villages (in order of first appearance) go
/// to the teams in turn; a team visits its villages' households one after another (each
/// cell's primaries, then its reserves), on consecutive field days.
fn schedule(planned: &mut [Planned<'_>], start: OffsetDateTime, seed: u64, teams: usize) {
    let mut villages: Vec<&str> = Vec::new();
    for p in planned.iter() {
        if !villages.contains(&p.unit.village_code.as_str()) {
            villages.push(&p.unit.village_code);
        }
    }
    let team_of: HashMap<String, usize> = villages
        .iter()
        .enumerate()
        .map(|(i, v)| (v.to_string(), i % teams))
        .collect();
    let mut clocks: Vec<TeamClock> = (0..teams)
        .map(|t| TeamClock {
            day_start: start,
            now: start,
            village: None,
            rng: keyed_rng(seed, &["team", &t.to_string()]),
        })
        .collect();
    // Each team works village by village, in the order villages first appear.
    let mut by_village: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, p) in planned.iter().enumerate() {
        let v = villages
            .iter()
            .position(|v| *v == p.unit.village_code)
            .unwrap_or(0);
        by_village.entry(v).or_default().push(i);
    }
    for (v, indices) in by_village {
        let team = team_of[villages[v]];
        let clock = &mut clocks[team];
        for i in indices {
            let p = &mut planned[i];
            let minutes = if p.disposition.is_interview() {
                clock
                    .rng
                    .random_range(INTERVIEW_MINUTES.0..=INTERVIEW_MINUTES.1)
            } else {
                clock
                    .rng
                    .random_range(CONTACT_MINUTES.0..=CONTACT_MINUTES.1)
            };
            let travel = if clock.village == Some(v) {
                clock.rng.random_range(WALK_MINUTES.0..=WALK_MINUTES.1)
            } else if clock.village.is_none() {
                0
            } else {
                clock.rng.random_range(DRIVE_MINUTES.0..=DRIVE_MINUTES.1)
            };
            clock.village = Some(v);
            let mut begin = clock.now + Duration::minutes(travel);
            if begin > clock.day_start + Duration::minutes(DAY_MINUTES) {
                clock.day_start += Duration::days(1);
                begin = clock.day_start;
            }
            p.team = team;
            p.start = begin;
            p.end = begin + Duration::minutes(minutes);
            clock.now = p.end;
        }
    }
}

struct TeamClock {
    day_start: OffsetDateTime,
    now: OffsetDateTime,
    village: Option<usize>,
    rng: ChaCha8Rng,
}

fn build_visit(
    draw_id: &str,
    p: Planned<'_>,
    register: &HashMap<&str, &Household>,
    truth: &HashMap<&str, &TruthRow>,
    standards: &Standards,
    seed: u64,
    settings: &VisitSettings,
) -> Result<VisitRecord, VisitError> {
    let id = p.unit.household_id.as_str();
    let reg = *register.get(id).ok_or_else(|| VisitError::Missing {
        household_id: id.to_string(),
        file: "register",
    })?;
    let status: Status = p.unit.stratum.parse().map_err(|_| VisitError::BadTruth {
        household_id: id.to_string(),
        why: format!(
            "the sample's stratum {:?} is not a register status",
            p.unit.stratum
        ),
    })?;
    for (field, sample, found) in [
        (
            "stratum",
            status.as_str().to_string(),
            reg.status.as_str().to_string(),
        ),
        (
            "members",
            p.unit.members.to_string(),
            reg.members.to_string(),
        ),
    ] {
        if sample != found {
            return Err(VisitError::Disagrees {
                household_id: id.to_string(),
                field,
                sample,
                register: found,
            });
        }
    }
    let mut rng = keyed_rng(seed, &["household", id]);
    let gps = match (reg.lon, reg.lat) {
        (Some(lon), Some(lat)) => {
            let fix = |rng: &mut ChaCha8Rng| {
                let (dx, dy) = (
                    rng.random_range(-GPS_SCATTER_M..=GPS_SCATTER_M),
                    rng.random_range(-GPS_SCATTER_M..=GPS_SCATTER_M),
                );
                Gps {
                    lat: round6(lat + dy / 111_320.0),
                    lon: round6(lon + dx / (111_320.0 * lat.to_radians().cos().max(0.01))),
                }
            };
            Some((fix(&mut rng), fix(&mut rng)))
        }
        _ => None,
    };
    let mut notes = vec![Note {
        rule: SIMULATED_RULE.to_string(),
        text: SIMULATED_TEXT.to_string(),
    }];
    notes.extend(p.notes);
    let household = if p.disposition.is_interview() {
        let t = *truth.get(id).ok_or_else(|| VisitError::Missing {
            household_id: id.to_string(),
            file: "truth file",
        })?;
        let record = household_record(id, status, reg.members, t, standards, settings, &mut rng)?;
        let judgment = judge(&record, standards).map_err(|source| VisitError::Judge {
            household_id: id.to_string(),
            source,
        })?;
        check_finding(id, &judgment, t, status, settings.income_year)?;
        if !t.education_ok {
            notes.push(Note {
                rule: "child-out-of-school".to_string(),
                text: "simulated: the synthetic truth has a child of compulsory-school age out of school".to_string(),
            });
        }
        Some(record)
    } else {
        None
    };
    let visit = VisitRecord {
        draw_id: draw_id.to_string(),
        household_id: id.to_string(),
        disposition: p.disposition,
        mode: p
            .disposition
            .is_interview()
            .then_some(InterviewMode::InPerson),
        team: format!("{SIMULATED_TEAM_PREFIX}{}", p.team + 1),
        interviewers: SIMULATED_INTERVIEWERS.map(String::from),
        start: format_time(p.start),
        end: format_time(p.end),
        gps_start: gps.map(|g| g.0),
        gps_end: gps.filter(|_| p.disposition.is_interview()).map(|g| g.1),
        household,
        notes,
    };
    let problems = visit.validate();
    if !problems.is_empty() {
        return Err(VisitError::Invalid {
            household_id: id.to_string(),
            problems: problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        });
    }
    Ok(visit)
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
    let rules = &standards.household;
    let (age_min, age_max) = (
        u32::from(rules.education.age_min),
        u32::from(rules.education.age_max),
    );
    let mut ages = member_ages(members, rng);
    // The child whose schooling fails education: an existing child of compulsory age, else
    // the youngest member becomes one (a lone member: a teenager living alone).
    let out_of_school = if t.education_ok {
        None
    } else {
        let i = match ages.iter().position(|a| (age_min..=age_max).contains(a)) {
            Some(i) => i,
            None => {
                let i = if ages.len() == 1 { 0 } else { ages.len() - 1 };
                ages[i] = if ages.len() == 1 {
                    age_max
                } else {
                    rng.random_range(age_min.max(age_max.saturating_sub(5))..=age_max)
                };
                i
            }
        };
        Some(i)
    };
    let required = &rules.medical.required;
    if !t.medical_ok && required.is_empty() {
        return Err(bad(
            "medical is not ok in the truth but the standards require no cover".to_string(),
        ));
    }
    let uninsured = (!t.medical_ok).then(|| rng.random_range(0..ages.len()));
    let members: Vec<Member> = ages
        .iter()
        .enumerate()
        .map(|(i, &age)| {
            let sex = if (i == 0) == rng.random::<bool>() {
                Sex::Male
            } else {
                Sex::Female
            };
            let schooling = if Some(i) == out_of_school {
                Some(Schooling::OutOfSchool)
            } else if (age_min..=age_max).contains(&age) {
                Some(Schooling::InSchool)
            } else {
                None
            };
            let mut cover = MedicalCover {
                basic_medical_insurance: Some(true),
                serious_illness_insurance: Some(true),
                medical_assistance: Some(status.is_registered() && rng.random::<f64>() < 0.3),
            };
            let set = |cover: &mut MedicalCover, c: Cover, v: bool| match c {
                Cover::BasicMedicalInsurance => cover.basic_medical_insurance = Some(v),
                Cover::SeriousIllnessInsurance => cover.serious_illness_insurance = Some(v),
                Cover::MedicalAssistance => cover.medical_assistance = Some(v),
            };
            for c in required {
                set(&mut cover, *c, Some(i) != uninsured);
            }
            if Some(i) == uninsured {
                // No basic insurance, so no serious-illness insurance riding on it.
                cover.basic_medical_insurance = Some(false);
                cover.serious_illness_insurance = Some(false);
            }
            Member {
                id: (i + 1).to_string(),
                birth_date: None,
                age: Some(age),
                sex: Some(sex),
                schooling,
                cover,
                id_number: None,
            }
        })
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

fn format_time(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).expect("a date-time in range formats")
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;
    use assess_inspection::roll_up;

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
