//! Making a draw: one pass over the register, the two stages, the output files.

use crate::frame::VillageFrame;
use crate::manifest::{
    DivisionCodes, Extension, Manifest, PublishedSeeds, SeedCommitments, StratumCounts,
    SCHEME_VERSION,
};
use crate::parallel::map_parts;
use assess_household::{DisplayColumn, Status};
use assess_register::{FrameReport, ReadOptions, RegisterError, VillageFile};
use assess_sampling::ticket::seed_commitment;
use assess_sampling::Role;
use assess_sampling::{
    check_county, draw_villages_extended, select_runs, CompactRegister, FrameVillage, Plan,
    Problem, SampleRow, SelectedVillage,
};
use assess_sampling::{review_county, Counties, CountyReview, Severity};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Why a draw could not be made or written.
#[derive(Debug, thiserror::Error)]
pub enum DrawError {
    /// A file could not be read or written.
    #[error("{path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        cause: std::io::Error,
    },
    /// The register or village file was refused.
    #[error(transparent)]
    Register(#[from] RegisterError),
    /// The plan could not be read.
    #[error("{path}:\n{problems}")]
    Plan {
        /// The plan file.
        path: PathBuf,
        /// Its problems.
        problems: assess_sampling::PlanError,
    },
    /// The plan does not fit the register.
    #[error("{path} does not fit the register:\n{}", assess_sampling::render(.problems))]
    PlanVsFrame {
        /// The plan file.
        path: PathBuf,
        /// Errors and warnings.
        problems: Vec<Problem>,
    },
    /// The household stage did not see the households the register scan counted (a bug).
    #[error("internal error, please report it: {0}")]
    Inconsistent(String),
    /// The output directory exists.
    #[error(
        "{0} already exists: a draw is never overwritten; write it to another directory or \
         remove this one"
    )]
    OutputExists(PathBuf),
    /// A file of a draw directory is not what the manifest sealed, or not readable.
    #[error("{path}: {reason}")]
    BadDrawFile {
        /// The file.
        path: PathBuf,
        /// What is wrong and what to do.
        reason: String,
    },
    /// A seed was empty.
    #[error(
        "the {0} seed is empty: make a seed in public (e.g. 20 witnessed dice rolls) and pass it"
    )]
    EmptySeed(&'static str),
    /// A seed whose commitment could be brute-forced.
    #[error(
        "the {stage} seed has at most {bits:.0} bits of entropy ({chars} characters); a seed needs \
         at least {min:.0}, because its SHA-256 commitment is published before fieldwork and a \
         shorter seed can be found from it by trying every candidate. Make it in public from 25 \
         dice rolls (65 bits) or 20 random decimal digits (66 bits)",
        min = assess_sampling::ticket::MIN_SEED_BITS
    )]
    WeakSeed {
        /// `village` or `household`.
        stage: &'static str,
        /// Its entropy at most ([`assess_sampling::ticket::seed_entropy_bits`]).
        bits: f64,
        /// Its length in characters.
        chars: usize,
    },
}

/// The files a draw is made from.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// Plan TOML.
    pub plan: PathBuf,
    /// Household register.
    pub frame: PathBuf,
    /// Optional village file.
    pub villages: Option<PathBuf>,
    /// How to read the register.
    pub read: ReadOptions,
    /// The counties to draw, in place of the plan's `counties` (a plan applied to another
    /// county without editing it); recorded in the manifest.
    pub counties: Option<Vec<String>>,
}

/// The seeds of a draw.
#[derive(Debug, Clone)]
pub struct Seeds {
    /// Village-stage seed.
    pub village: String,
    /// Household-stage seed; the village seed when absent.
    pub household: Option<String>,
    /// Write the seeds into the manifest (a draw made after they were published).
    pub publish: bool,
}

/// Why a draw could not be extended.
#[derive(Debug, thiserror::Error)]
pub enum ExtendError {
    /// The draw directory or the inputs could not be read, or the new draw not made.
    #[error(transparent)]
    Draw(#[from] DrawError),
    /// An input or seed is not the one the draw to extend was made from.
    #[error(
        "{dir}: the {what} given is not the one this draw was made from (given {given}, the \
         draw's manifest says {expected}); extend a draw with its own plan, register, village \
         file and seeds"
    )]
    NotItsInputs {
        /// The draw directory.
        dir: PathBuf,
        /// `plan`, `register`, `village file`, `village seed` or `household seed`.
        what: &'static str,
        /// Hash of what was given.
        given: String,
        /// Hash in the manifest.
        expected: String,
    },
    /// The draw was made by another scheme version.
    #[error(
        "{dir}: made by scheme {found}; this assess makes {SCHEME_VERSION} and can extend only \
         draws of that scheme (extend it with the assess version that made it)"
    )]
    OtherScheme {
        /// The draw directory.
        dir: PathBuf,
        /// Its scheme.
        found: String,
    },
    /// Zero villages asked for.
    #[error("an extension adds at least one village to each stratum or draw")]
    NothingToAdd,
    /// Every sampling stratum already takes all its villages.
    #[error(
        "{0}: no stratum or draw has villages left to add (every one is taken whole); the draw \
         cannot be extended"
    )]
    NothingLeft(PathBuf),
    /// The extension changed the first phase (a bug: the scheme promises it cannot).
    #[error("internal error, please report it: the extension changed the first phase ({0})")]
    FirstPhaseChanged(String),
}

impl Seeds {
    /// Refuses seeds whose commitments could be brute-forced (under
    /// [`MIN_SEED_BITS`](assess_sampling::ticket::MIN_SEED_BITS)): for a new draw. Re-making
    /// or extending an old draw keeps the seeds it was made with.
    pub fn check_strength(&self) -> Result<(), DrawError> {
        use assess_sampling::ticket::{seed_entropy_bits, MIN_SEED_BITS};
        let mut stages = vec![("village", self.village.as_str())];
        if let Some(household) = &self.household {
            stages.push(("household", household.as_str()));
        }
        for (stage, seed) in stages {
            let bits = seed_entropy_bits(seed);
            if bits < MIN_SEED_BITS {
                return Err(DrawError::WeakSeed {
                    stage,
                    bits,
                    chars: seed.trim().chars().count(),
                });
            }
        }
        Ok(())
    }

    fn household(&self) -> &str {
        self.household.as_deref().unwrap_or(&self.village)
    }
}

/// A computed draw, ready to be written or compared.
#[derive(Debug, Clone)]
pub struct Draw {
    /// `sample.csv` rows.
    pub rows: Vec<SampleRow>,
    /// Sampled villages.
    pub villages: Vec<SelectedVillage>,
    /// `sample.csv` bytes.
    pub sample_csv: Vec<u8>,
    /// `sample_villages.csv` bytes.
    pub villages_csv: Vec<u8>,
    /// The manifest.
    pub manifest: Manifest,
    /// Warnings from the plan check.
    pub warnings: Vec<Problem>,
    /// What the design does to the official rate, county by county.
    pub reviews: Vec<CountyReview>,
    /// What the register scan found.
    pub frame_report: FrameReport,
}

struct Loaded {
    plan: Plan,
    frame: VillageFrame,
    /// Each planned county's villages, sorted by code (grouped once: a national register has
    /// 150,000 villages in 800 counties).
    by_county: BTreeMap<String, Vec<FrameVillage>>,
    report: FrameReport,
    village_file: Option<VillageFile>,
    counties: Vec<String>,
    /// The counties given in place of the plan's, for the manifest.
    counties_given: Option<Vec<String>>,
    /// Every household in a few bytes, for the household stage (draws only).
    households: Option<CompactRegister>,
}

/// The one pass over the register: the plan, the village file, and the register validated
/// and aggregated. A draw also keeps every household compactly (`keep_households`), so that
/// the household stage needs no second read.
fn load(
    inputs: &Inputs,
    keep_households: bool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Loaded, DrawError> {
    if let Some(quick) = inputs.read.quick_for(&inputs.frame) {
        match load_with(inputs, &quick, keep_households, progress) {
            Ok(mut loaded) => {
                loaded.report.encoding_detected = true;
                return Ok(loaded);
            }
            // Not UTF-8 after all, or refused: read again as asked, so that the encoding
            // is detected and errors are those of that read.
            Err(DrawError::Register(RegisterError::Invalid { .. })) => {}
            Err(other) => return Err(other),
        }
    }
    load_with(inputs, &inputs.read, keep_households, progress)
}

/// [`load`], reading the register with `frame_read`.
fn load_with(
    inputs: &Inputs,
    frame_read: &ReadOptions,
    keep_households: bool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Loaded, DrawError> {
    let text = std::fs::read_to_string(&inputs.plan).map_err(|cause| DrawError::Io {
        path: inputs.plan.clone(),
        cause,
    })?;
    let plan = Plan::parse(&text).map_err(|problems| DrawError::Plan {
        path: inputs.plan.clone(),
        problems,
    })?;
    let mut frame = VillageFrame::default();
    let mut households = keep_households.then(CompactRegister::default);
    let mut seen = 0u64;
    // The village file is read on its own thread while the register is scanned: reading it
    // uses one core for a second or more, which the scan of a large register can use.
    // A refused village file is reported first, as when it was read before the register.
    let (village_file, report) = std::thread::scope(|scope| {
        let village_file = inputs
            .villages
            .as_ref()
            .map(|path| scope.spawn(move || assess_register::read_villages(path, &inputs.read)));
        let report = assess_register::scan_frame(&inputs.frame, frame_read, |h| {
            frame.add(h);
            if let Some(households) = households.as_mut() {
                households.push(h);
            }
            seen += 1;
            if seen.is_multiple_of(100_000) {
                progress(seen);
            }
        });
        let village_file = village_file.map(|handle| {
            handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        (village_file.transpose(), report)
    });
    let village_file = village_file?;
    let report = report?;
    tracing::info!("village file read");
    frame.flush();
    tracing::info!(
        households = report.households,
        "register read and validated"
    );
    if let Some(vf) = &village_file {
        frame.merge_attributes(&vf.villages);
    }
    let counties = match (&inputs.counties, plan.header.counties.get_ref()) {
        (Some(given), _) => given.clone(),
        (None, Counties::List(list)) => list.clone(),
        (None, Counties::All(_)) => frame.counties().into_iter().collect(),
    };
    let by_county = frame.by_county(&counties);
    Ok(Loaded {
        plan,
        frame,
        by_county,
        report,
        village_file,
        counties,
        counties_given: inputs.counties.clone(),
        households,
    })
}

impl Loaded {
    fn villages_of(&self, county: &str) -> &[FrameVillage] {
        self.by_county.get(county).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// The plan checked county by county, on all cores (a national plan has 800 counties),
/// the problems in county order.
fn problems_of(loaded: &Loaded) -> Vec<Problem> {
    let parts = map_parts(&loaded.counties, |counties| {
        counties
            .iter()
            .flat_map(|c| {
                if loaded.villages_of(c).is_empty() {
                    return vec![county_not_in_register(loaded, c)];
                }
                let urban = loaded.frame.urban_households.get(c).copied().unwrap_or(0);
                check_county(&loaded.plan, c, loaded.villages_of(c), urban)
            })
            .collect::<Vec<_>>()
    });
    let mut problems = assess_sampling::check_by_hand_counties(&loaded.plan, &loaded.counties);
    problems.extend(parts.concat());
    problems
}

/// A planned county the register does not hold, named with the counties it does hold (the
/// first few), so that a mistyped code is seen at once.
fn county_not_in_register(loaded: &Loaded, county: &str) -> Problem {
    const LISTED: usize = 12;
    let held = loaded.frame.counties();
    let listed: Vec<&str> = held.iter().take(LISTED).map(String::as_str).collect();
    let more = held.len().saturating_sub(LISTED);
    let holds = match (listed.is_empty(), more) {
        (true, _) => "no county".to_string(),
        (false, 0) => format!("counties {}", listed.join(", ")),
        (false, more) => format!("counties {} and {more} more", listed.join(", ")),
    };
    Problem {
        severity: Severity::Error,
        line: loaded.plan.line(&loaded.plan.header.counties),
        message: format!("county {county} has no households in the register (it holds {holds})"),
        remedy: None,
    }
}

/// What the design does to the official rate in each county, from the register's counts.
fn reviews_of(loaded: &Loaded) -> Vec<CountyReview> {
    let parts = map_parts(&loaded.counties, |counties| {
        counties
            .iter()
            .map(|c| review_county(&loaded.plan, c, loaded.villages_of(c)))
            .collect::<Vec<_>>()
    });
    parts.concat()
}

/// A plan checked against a register.
#[derive(Debug, Clone)]
pub struct PlanCheck {
    /// Every problem, errors and warnings, in county order.
    pub problems: Vec<Problem>,
    /// What the design does to the official rate, county by county.
    pub reviews: Vec<CountyReview>,
}

/// `assess plan check`: every problem of a plan against a register, errors and warnings, and
/// the design review.
pub fn check_plan(inputs: &Inputs) -> Result<PlanCheck, DrawError> {
    let loaded = load(inputs, false, &|_| {})?;
    Ok(PlanCheck {
        problems: problems_of(&loaded),
        reviews: reviews_of(&loaded),
    })
}

/// Computes a draw (nothing is written). `progress` receives household counts as the
/// register streams past.
pub fn compute(
    inputs: &Inputs,
    seeds: &Seeds,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Draw, DrawError> {
    compute_extended(inputs, seeds, None, progress)
}

/// [`compute`], as the extension `extension` of a first-phase draw when given: every
/// sampling stratum or draw takes `extension.villages` more villages by the next keys.
pub fn compute_extended(
    inputs: &Inputs,
    seeds: &Seeds,
    extension: Option<&Extension>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Draw, DrawError> {
    if seeds.village.trim().is_empty() {
        return Err(DrawError::EmptySeed("village"));
    }
    if seeds.household().trim().is_empty() {
        return Err(DrawError::EmptySeed("household"));
    }
    let mut loaded = load(inputs, true, progress)?;
    let problems = problems_of(&loaded);
    if problems.iter().any(|p| p.severity == Severity::Error) {
        return Err(DrawError::PlanVsFrame {
            path: inputs.plan.clone(),
            problems,
        });
    }
    tracing::info!(
        problems = problems.len(),
        "plan checked against the register"
    );
    let extra = extension.map_or(0, |e| e.villages);
    let (villages, summaries) = village_stage(&loaded, &seeds.village, extra);
    tracing::info!(villages = villages.len(), "village stage drawn");
    let rows = household_stage(&mut loaded, &villages, seeds.household())?;
    tracing::info!(households = rows.len(), "household stage drawn");
    let sample_csv = sample_csv(&rows, &loaded.report.display_columns);
    let villages_csv = villages_csv(&villages);
    tracing::info!(bytes = sample_csv.len(), "sample.csv made");
    let mut manifest = manifest(
        &loaded,
        seeds,
        &rows,
        &villages,
        summaries,
        &sample_csv,
        &villages_csv,
    );
    manifest.extension = extension.cloned();
    Ok(Draw {
        rows,
        villages,
        sample_csv,
        villages_csv,
        manifest,
        warnings: problems,
        reviews: reviews_of(&loaded),
        frame_report: loaded.report,
    })
}

/// The village stage, county by county on all cores (a national plan has 800 counties).
fn village_stage(
    loaded: &Loaded,
    seed: &str,
    extra: u32,
) -> (Vec<SelectedVillage>, Vec<assess_sampling::GroupSummary>) {
    let parts = map_parts(&loaded.counties, |counties| {
        let mut villages = Vec::new();
        let mut summaries = Vec::new();
        for county in counties {
            let frame = loaded.villages_of(county);
            let (v, s) = draw_villages_extended(&loaded.plan, county, frame, seed, extra);
            villages.extend(v);
            summaries.extend(s);
        }
        (villages, summaries)
    });
    let mut villages = Vec::new();
    let mut summaries = Vec::new();
    for (v, s) in parts {
        villages.extend(v);
        summaries.extend(s);
    }
    (villages, summaries)
}

/// Tickets for the households of the sampled villages only, on every core. The kept
/// households are freed before the sample rows are built (a national draw's peak), unless
/// the register has display columns: the rows then take their display values from them.
fn household_stage(
    loaded: &mut Loaded,
    villages: &[SelectedVillage],
    seed: &str,
) -> Result<Vec<SampleRow>, DrawError> {
    let households = loaded.households.take().ok_or_else(|| {
        DrawError::Inconsistent("the register scan kept no households".to_string())
    })?;
    let runs = households.runs_of(villages);
    let plan = &loaded.plan;
    let mut parts = map_parts(&runs, |part| select_runs(part, plan, villages, seed));
    let mut selector = parts
        .pop()
        .unwrap_or_else(|| select_runs(&[], plan, villages, seed));
    for part in parts {
        selector.merge(part);
    }
    drop(runs);
    let display = !loaded.report.display_columns.is_empty();
    let kept = display.then_some(households);
    let mut rows = selector
        .finish(villages, &loaded.frame.villages)
        .map_err(DrawError::Inconsistent)?;
    if let Some(households) = kept {
        households.fill_display(villages, &mut rows);
    }
    Ok(rows)
}

/// `sample.csv` bytes for rows (the column order is part of the scheme), made in parts on
/// all cores (a national sample has a million rows) and joined. The register's `display`
/// columns, if any, follow the scheme's columns; without them the file is as it always was.
pub fn sample_csv(rows: &[SampleRow], display: &[DisplayColumn]) -> Vec<u8> {
    let parts = map_parts(rows, |part| {
        // Only the part that starts the file has the header.
        let first = std::ptr::eq(part.as_ptr(), rows.as_ptr());
        // Sized for a typical row (about 180 bytes), so that the buffer is not copied over
        // and over as it grows.
        let mut writer = csv::WriterBuilder::new()
            .has_headers(first && display.is_empty())
            .from_writer(Vec::with_capacity(part.len() * 200));
        if first && !display.is_empty() {
            let mut header: Vec<&str> = SAMPLE_COLUMNS.to_vec();
            header.extend(display.iter().map(|c| c.as_str()));
            writer.write_record(header).expect("memory");
        }
        for row in part {
            let result = match display.is_empty() {
                true => writer.serialize(row),
                false => {
                    let values: Vec<&str> = display
                        .iter()
                        .map(|&c| row.display.as_ref().and_then(|d| d.get(c)).unwrap_or(""))
                        .collect();
                    // A tuple is written as one record: the row's fields, then the values.
                    writer.serialize((row, values))
                }
            };
            result.expect("serialising to memory cannot fail");
        }
        writer.into_inner().expect("flushing to memory cannot fail")
    });
    let mut parts = parts.into_iter();
    let mut bytes = parts.next().unwrap_or_default();
    for part in parts {
        bytes.extend_from_slice(&part);
    }
    bytes
}

/// The columns of `sample.csv` that every draw has, in order (those serde writes for a
/// [`SampleRow`]).
pub const SAMPLE_COLUMNS: [&str; 16] = [
    "household_id",
    "county_code",
    "township_code",
    "village_code",
    "village_stratum",
    "stratum",
    "role",
    "reserve_rank",
    "ticket",
    "pi_village",
    "pi_household",
    "pi",
    "weight",
    "certainty",
    "selection",
    "members",
];

/// `sample_villages.csv` bytes: the central village list.
pub fn villages_csv(villages: &[SelectedVillage]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = [
        "county_code",
        "township_code",
        "village_code",
        "village_stratum",
        "selection",
        "certainty",
        "pi_village",
        "size",
        "tickets",
    ];
    writer.write_record(header).expect("memory");
    for v in villages {
        let tickets: Vec<String> = v
            .tickets
            .iter()
            .map(|t| {
                // `*`: drawn in the first phase; `+`: drawn by an extension.
                let mark = match (t.drawn, t.extension) {
                    (false, _) => "",
                    (true, false) => "*",
                    (true, true) => "+",
                };
                format!("{}={}@{}{mark}", t.group, t.ticket, t.lambda)
            })
            .collect();
        writer
            .write_record([
                v.code.county(),
                v.code.township(),
                v.code.as_str(),
                &v.group,
                if v.by_hand { "by_hand" } else { "probability" },
                if v.certainty { "true" } else { "false" },
                &v.pi.map(|p| p.to_string()).unwrap_or_default(),
                &v.size.to_string(),
                &tickets.join(";"),
            ])
            .expect("memory");
    }
    writer.into_inner().expect("memory")
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn manifest(
    loaded: &Loaded,
    seeds: &Seeds,
    rows: &[SampleRow],
    villages: &[SelectedVillage],
    village_strata: Vec<assess_sampling::GroupSummary>,
    sample_csv: &[u8],
    villages_csv: &[u8],
) -> Manifest {
    Manifest {
        scheme_version: SCHEME_VERSION.to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        plan_name: loaded.plan.header.name.clone(),
        plan_sha256: loaded.plan.sha256.clone(),
        counties_given: loaded.counties_given.clone(),
        frame_fingerprint: loaded.report.fingerprint.clone(),
        frame_display_fingerprint: loaded.report.display_fingerprint.clone(),
        frame_households: loaded.report.households,
        villages_sha256: loaded.village_file.as_ref().map(|v| v.sha256.clone()),
        division_codes: DivisionCodes {
            vintage: loaded.report.vintage.to_string(),
            detected: loaded.report.vintage_detected,
        },
        seed_commitments: SeedCommitments {
            village: seed_commitment(&seeds.village),
            household: seed_commitment(seeds.household()),
        },
        seeds: seeds.publish.then(|| PublishedSeeds {
            village: seeds.village.clone(),
            household: seeds.household().to_string(),
        }),
        sample_sha256: sha256(sample_csv),
        sample_villages_sha256: sha256(villages_csv),
        village_strata,
        strata: stratum_counts(loaded, rows, villages),
        extension: None,
    }
}

fn stratum_counts(
    loaded: &Loaded,
    rows: &[SampleRow],
    villages: &[SelectedVillage],
) -> Vec<StratumCounts> {
    // One pass over the rows: a national sample has a million of them.
    let mut drawn: HashMap<(&str, &str), (usize, usize)> = HashMap::new();
    for row in rows {
        let cell = drawn
            .entry((row.county_code.as_str(), row.stratum.as_str()))
            .or_default();
        if row.role == Role::Primary {
            cell.0 += 1;
        } else {
            cell.1 += 1;
        }
    }
    let mut sampled_villages: HashMap<&str, usize> = HashMap::new();
    for v in villages {
        *sampled_villages.entry(v.code.county()).or_default() += 1;
    }
    let mut out = Vec::new();
    for county in &loaded.counties {
        let frame = loaded.villages_of(county);
        for (i, status) in Status::ALL.iter().enumerate() {
            let (primary, reserve) = drawn
                .get(&(county.as_str(), status.as_str()))
                .copied()
                .unwrap_or_default();
            out.push(StratumCounts {
                county: county.clone(),
                stratum: status.as_str().to_string(),
                population_households: frame.iter().map(|v| v.households[i]).sum(),
                population_people: frame.iter().map(|v| v.people[i]).sum(),
                sampled_villages: sampled_villages.get(county.as_str()).copied().unwrap_or(0),
                primary,
                reserve,
            });
        }
    }
    out
}

/// The name prefix of the temporary directory a draw is written into before it is renamed.
const DRAFT_PREFIX: &str = ".assess-draw-";

/// Temporary directories beside `out` left by draws that never finished (killed before the
/// rename): not draws, safe to remove once no draw is running. Listed so that the next draw
/// can say so; not removed, since a draw running at the same moment has one too.
pub fn unfinished_drafts(out: &Path) -> Vec<PathBuf> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(DRAFT_PREFIX))
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// Writes a draw and its receipt into a new directory `out`, atomically: everything goes to a
/// temporary directory beside it, which is renamed at the end, so a failed or killed draw
/// leaves no `out` (only, if killed, a temporary directory that [`unfinished_drafts`] lists).
pub fn write_draw(draw: &Draw, out: &Path, receipt: &crate::Receipt) -> Result<(), DrawError> {
    if out.exists() {
        return Err(DrawError::OutputExists(out.to_path_buf()));
    }
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |cause| DrawError::Io { path, cause }
    };
    std::fs::create_dir_all(parent).map_err(io(parent))?;
    let tmp = tempfile::Builder::new()
        .prefix(DRAFT_PREFIX)
        .tempdir_in(parent)
        .map_err(io(parent))?;
    let manifest = serde_json::to_vec_pretty(&draw.manifest).expect("manifest serialises");
    for (name, bytes) in [
        ("sample.csv", &draw.sample_csv),
        ("sample_villages.csv", &draw.villages_csv),
        ("manifest.json", &manifest),
    ] {
        let path = tmp.path().join(name);
        assess_output::write_atomic(&path, bytes).map_err(|e| DrawError::Io {
            path: e.path,
            cause: e.source,
        })?;
    }
    // Inside the temporary directory, so that no state has a draw without its receipt.
    crate::receipt::write_receipt(tmp.path(), receipt)?;
    let kept = tmp.keep();
    std::fs::rename(&kept, out).map_err(|cause| {
        let _ = std::fs::remove_dir_all(&kept);
        DrawError::Io {
            path: out.to_path_buf(),
            cause,
        }
    })
}
