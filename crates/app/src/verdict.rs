//! The verdict of one county or a batch, from the draw and the records in the database: the
//! counties and their draws resolved, each county's input built
//! ([`CountyInput::from_sample`]), the verdict computed on the records before and/or after
//! the appeals, with its provenance; then verdict.json and the reports written.

use crate::error::{io, AppError};
use assess_divisions::Region;
use assess_inspection::VisitRecord;
use assess_report::{Lang, SampledVillage};
use assess_standards::Standards;
use assess_store::{Appeals, Store};
use assess_verdict::{
    county_verdict_with_villages, CountyInput, DesignFacts, MissedDenominator, Provenance,
    RegisterPeople, Settings, VerdictFile, Visit,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Which records a verdict is computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppealStages {
    /// The records as they were before any appeal.
    Before,
    /// The records after the appeals (the default).
    After,
    /// Both: the verdict after the appeals, with the one before beside it.
    Both,
}

impl AppealStages {
    fn stages(self) -> &'static [Appeals] {
        match self {
            AppealStages::Before => &[Appeals::Before],
            AppealStages::After => &[Appeals::After],
            AppealStages::Both => &[Appeals::Before, Appeals::After],
        }
    }
}

/// What to compute.
#[derive(Debug, Clone)]
pub struct VerdictRequest<'a> {
    /// The counties (6-digit codes), in order; see [`counties_of_draw`] for a whole draw.
    pub counties: Vec<String>,
    /// The draw; needed only when a county is in several draws.
    pub draw: Option<String>,
    /// Records before or after the appeals, or both.
    pub appeals: AppealStages,
    /// The verdict's settings.
    pub settings: Settings,
    /// The region of every county, for counties that are not among the 832 poverty counties.
    pub region: Option<Region>,
    /// The register the draw was made from, read for the missed rate over the sampled villages
    /// ([`MissedDenominator::SampledVillages`]); its fingerprint must be the draw's.
    pub register: Option<PathBuf>,
    /// The standards households are judged by and the thresholds come from.
    pub standards: &'a Standards,
}

/// One county's verdict, with what its reports need beside it.
#[derive(Debug, Clone)]
pub struct CountyResult {
    /// verdict.json.
    pub file: VerdictFile,
    /// The sampled villages in sample order, with their centres and interviews.
    pub villages: Vec<SampledVillage>,
    /// The draw's division-code vintage (for township and village names).
    pub vintage: String,
}

/// The counties of a draw, in sample order.
pub async fn counties_of_draw(store: &Store, draw: &str) -> Result<Vec<String>, AppError> {
    let mut counties: Vec<String> = store
        .sample_rows(draw, None)
        .await?
        .into_iter()
        .map(|r| r.county_code.to_string())
        .collect();
    counties.dedup();
    if counties.is_empty() {
        return Err(AppError::DrawEmpty(draw.to_string()));
    }
    Ok(counties)
}

/// How far a county's field work has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldState {
    /// No household of the county's sample has a visit record.
    NotStarted {
        /// Primaries in the sample.
        sampled: usize,
    },
    /// Some households have one: `visited` of the `sampled` primaries.
    InProgress {
        /// Primaries with a visit record.
        visited: usize,
        /// Primaries in the sample.
        sampled: usize,
    },
    /// Every primary has a visit record (the verdict failed for another reason).
    Visited {
        /// Primaries in the sample.
        sampled: usize,
    },
}

impl std::fmt::Display for FieldState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FieldState::NotStarted { sampled } => {
                write!(f, "not started, none of {sampled} primaries visited")
            }
            FieldState::InProgress { visited, sampled } => {
                write!(f, "in progress, {visited} of {sampled} primaries visited")
            }
            FieldState::Visited { sampled } => write!(f, "all {sampled} primaries visited"),
        }
    }
}

/// A county of a batch whose verdict could not be computed.
#[derive(Debug)]
pub struct Unfinished {
    /// The county.
    pub county: String,
    /// Its field work.
    pub state: FieldState,
    /// Why there is no verdict.
    pub error: AppError,
}

/// A batch: the counties decided, and those that could not be (each with its state).
#[derive(Debug)]
pub struct Batch {
    /// The counties asked for, in order.
    pub asked: Vec<String>,
    /// The verdicts, in request order.
    pub decided: Vec<CountyResult>,
    /// The counties without a verdict, in request order.
    pub unfinished: Vec<Unfinished>,
}

/// The verdict of every county of the request, in order; the first county that cannot be
/// decided is an error (one county, or a caller that wants all or nothing).
pub async fn county_verdicts(
    store: &Store,
    request: &VerdictRequest<'_>,
) -> Result<Vec<CountyResult>, AppError> {
    let batch = batch_verdicts(store, request).await?;
    match batch.unfinished.into_iter().next() {
        Some(first) => Err(first.error),
        None => Ok(batch.decided),
    }
}

/// The verdicts of a batch: a county whose verdict cannot be computed (no records yet, too
/// few to estimate) does not stop the others; it is listed with how far its field work has
/// come. Errors that are not a county's own (the database, the request) still end the batch.
pub async fn batch_verdicts(
    store: &Store,
    request: &VerdictRequest<'_>,
) -> Result<Batch, AppError> {
    let mut pairs = Vec::new();
    for county in &request.counties {
        let draw_id = draw_of(store, county, request.draw.as_deref()).await?;
        pairs.push((county.clone(), draw_id));
    }
    let village_people = match (&request.register, request.settings.missed_denominator) {
        (Some(register), MissedDenominator::SampledVillages) => {
            Some(village_non_registered(store, register, &pairs).await?)
        }
        _ => None,
    };
    let mut batch = Batch {
        asked: request.counties.clone(),
        decided: Vec::new(),
        unfinished: Vec::new(),
    };
    // What every county of a draw shares is read once per draw, not once per county (a
    // national batch has hundreds of counties in one draw).
    let mut draws: HashMap<String, DrawData> = HashMap::new();
    for (county, draw_id) in pairs {
        let region = region(&county, request.region)?;
        if !draws.contains_key(&draw_id) {
            draws.insert(draw_id.clone(), DrawData::read(store, &draw_id).await?);
        }
        let data = draws.get_mut(&draw_id).expect("inserted above");
        let mut made = Vec::new();
        for &stage in request.appeals.stages() {
            match one(
                store,
                data,
                &county,
                stage,
                region,
                request,
                village_people.as_ref(),
            )
            .await
            {
                Ok(result) => made.push(result),
                Err(error @ AppError::Verdict { .. }) => {
                    let state = field_state(store, &draw_id, &county).await?;
                    batch.unfinished.push(Unfinished {
                        county: county.clone(),
                        state,
                        error,
                    });
                    made.clear();
                    break;
                }
                Err(other) => return Err(other),
            }
        }
        let Some(mut last) = made.pop() else { continue };
        if let Some(before) = made.pop() {
            last.file.before_appeals = Some(Box::new(before.file));
        }
        batch.decided.push(last);
    }
    Ok(batch)
}

/// How many of the county's sampled primaries have a visit record.
async fn field_state(store: &Store, draw_id: &str, county: &str) -> Result<FieldState, AppError> {
    let rows = store.sample_rows(draw_id, Some(county)).await?;
    let primaries: HashSet<&str> = rows
        .iter()
        .filter(|r| r.role == assess_sampling::Role::Primary)
        .map(|r| r.household_id.as_str())
        .collect();
    let visited = store
        .visits_as_of(draw_id, Appeals::After)
        .await?
        .iter()
        .filter(|v| primaries.contains(v.household_id.as_str()))
        .count();
    let sampled = primaries.len();
    Ok(match visited {
        0 => FieldState::NotStarted { sampled },
        v if v < sampled => FieldState::InProgress {
            visited: v,
            sampled,
        },
        _ => FieldState::Visited { sampled },
    })
}

/// The county's draw: the one named, which must hold the county, or its only draw.
async fn draw_of(store: &Store, county: &str, draw: Option<&str>) -> Result<String, AppError> {
    let draws = store.draws_of_county(county).await?;
    match (draw, draws.as_slice()) {
        (Some(d), _) if draws.iter().any(|x| x == d) => Ok(d.to_string()),
        (Some(d), _) => Err(AppError::CountyNotInDraw {
            county: county.to_string(),
            draw: d.to_string(),
        }),
        (None, [one]) => Ok(one.clone()),
        (None, []) => {
            // Listed so that a mistyped code is seen at once; a national database holds
            // hundreds of counties, so only the first few.
            let mut held = store.counties_with_draws().await?;
            let more = held.len().saturating_sub(12);
            held.truncate(12);
            if more > 0 {
                held.push(format!("and {more} more"));
            }
            Err(AppError::NoDrawOfCounty {
                county: county.to_string(),
                held,
            })
        }
        (None, many) => Err(AppError::CountyInSeveralDraws {
            county: county.to_string(),
            draws: many.to_vec(),
        }),
    }
}

fn region(county: &str, given: Option<Region>) -> Result<Region, AppError> {
    if let Some(r) = given {
        return Ok(r);
    }
    assess_divisions::poverty_county(county)
        .map(|c| c.region)
        .ok_or_else(|| AppError::RegionUnknown(county.to_string()))
}

/// The register's non-registered people of every sampled village of the counties' draws, read
/// from `register` in one pass, after checking that it is the register each draw was made from.
async fn village_non_registered(
    store: &Store,
    register: &Path,
    pairs: &[(String, String)],
) -> Result<BTreeMap<String, f64>, AppError> {
    let mut people: BTreeMap<String, f64> = BTreeMap::new();
    let mut manifests = BTreeMap::new();
    for (county, draw_id) in pairs {
        for r in store.sample_rows(draw_id, Some(county)).await? {
            people.insert(r.village_code.to_string(), 0.0);
        }
        if !manifests.contains_key(draw_id) {
            let manifest = store
                .manifest(draw_id)
                .await?
                .ok_or_else(|| AppError::DrawNotFound(draw_id.clone()))?;
            manifests.insert(draw_id.clone(), manifest);
        }
    }
    let vintage = manifests
        .values()
        .next()
        .and_then(|m| m.division_codes.vintage.parse().ok());
    let opts = assess_register::ReadOptions {
        vintage,
        ..assess_register::ReadOptions::default()
    };
    let report = assess_register::scan_frame(register, &opts, |h| {
        if h.status == assess_household::Status::NonRegistered {
            if let Some(p) = people.get_mut(h.village.as_str()) {
                *p += f64::from(h.members);
            }
        }
    })
    .map_err(|source| AppError::DenominatorRegister {
        path: register.to_path_buf(),
        source,
    })?;
    for (draw_id, manifest) in &manifests {
        if report.fingerprint != manifest.frame_fingerprint {
            return Err(AppError::RegisterNotOfDraw {
                path: register.to_path_buf(),
                fingerprint: report.fingerprint.clone(),
                draw: draw_id.clone(),
                expected: manifest.frame_fingerprint.clone(),
            });
        }
    }
    Ok(people)
}

/// What the counties of one draw share, read from the store once for the batch.
struct DrawData {
    id: String,
    manifest: assess_draw::Manifest,
    /// Village code → its frame part (from the village tickets).
    frame_parts: HashMap<String, String>,
    centres: HashMap<String, assess_inspection::Gps>,
    earlier_phases: Vec<String>,
    /// The draw's records before and after the appeals, each read when first needed.
    before_appeals: Option<Vec<VisitRecord>>,
    after_appeals: Option<Vec<VisitRecord>>,
}

impl DrawData {
    async fn read(store: &Store, draw_id: &str) -> Result<DrawData, AppError> {
        let manifest = store
            .manifest(draw_id)
            .await?
            .ok_or_else(|| AppError::DrawNotFound(draw_id.to_string()))?;
        let frame_parts = store
            .village_tickets(draw_id)
            .await?
            .into_iter()
            .map(|(village, tickets)| (village, assess_sampling::frame_part_of_tickets(&tickets)))
            .collect();
        Ok(DrawData {
            id: draw_id.to_string(),
            manifest,
            frame_parts,
            centres: store.village_centres(draw_id).await?,
            earlier_phases: store.lineage(draw_id).await?.split_off(1),
            before_appeals: None,
            after_appeals: None,
        })
    }

    /// The draw's records as of an appeal stage.
    async fn visits(&mut self, store: &Store, stage: Appeals) -> Result<&[VisitRecord], AppError> {
        let slot = match stage {
            Appeals::Before => &mut self.before_appeals,
            Appeals::After => &mut self.after_appeals,
        };
        if slot.is_none() {
            *slot = Some(store.visits_as_of(&self.id, stage).await?);
        }
        Ok(slot.as_deref().expect("read above"))
    }
}

/// One county's verdict on the records of one appeal stage.
async fn one(
    store: &Store,
    draw: &mut DrawData,
    county: &str,
    stage: Appeals,
    region: Region,
    request: &VerdictRequest<'_>,
    village_people: Option<&BTreeMap<String, f64>>,
) -> Result<CountyResult, AppError> {
    let standards = request.standards;
    let draw_id = draw.id.clone();
    let draw_id = draw_id.as_str();
    let rows = store.sample_rows(draw_id, Some(county)).await?;
    let ids: HashSet<&str> = rows.iter().map(|r| r.household_id.as_str()).collect();
    let records: Vec<VisitRecord> = draw
        .visits(store, stage)
        .await?
        .iter()
        .filter(|r| ids.contains(r.household_id.as_str()))
        .cloned()
        .collect();
    let manifest = &draw.manifest;
    let people = |stratum: &str| {
        manifest
            .strata
            .iter()
            .filter(|s| s.county == county && s.stratum == stratum)
            .map(|s| s.population_people as f64)
            .sum()
    };
    let register = RegisterPeople {
        exited: people("exited"),
        poor: people("poor"),
        non_registered: people("non_registered"),
    };
    let name = assess_divisions::poverty_county(county).map_or(String::new(), |c| c.name.clone());
    let design = DesignFacts {
        frame_parts: draw.frame_parts.clone(),
        collapse_with: manifest
            .village_strata
            .iter()
            .filter(|g| g.county == county)
            .filter_map(|g| {
                g.collapse_with
                    .clone()
                    .map(|partner| (g.group.clone(), partner))
            })
            .collect(),
    };
    let pending = pending_appeals(store, draw_id, &ids).await?;
    let input =
        CountyInput::from_sample(county, &name, &rows, &design, &records, standards, register)
            .with_pending_appeals(pending);
    let thresholds = standards.thresholds_for(region);
    let verdict =
        county_verdict_with_villages(&input, village_people, &thresholds, &request.settings)
            .map_err(|source| AppError::Verdict {
                county: county.to_string(),
                draw: draw_id.to_string(),
                source,
            })?;
    let villages = sampled_villages(&rows, &draw.centres, &input.visits);
    let file = VerdictFile {
        verdict,
        provenance: Provenance {
            sample_sha256: draw_id.to_string(),
            records_sha256: assess_inspection::records_sha256(&records),
            records: records.len(),
            appeals: stage.as_str().to_string(),
            standards_version: standards.version.clone(),
            frame_fingerprint: manifest.frame_fingerprint.clone(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            earlier_phases: draw.earlier_phases.clone(),
        },
        before_appeals: None,
    };
    Ok(CountyResult {
        file,
        villages,
        vintage: manifest.division_codes.vintage.clone(),
    })
}

/// The households of `households` whose findings are contested and whose appeals are not yet
/// decided, in the draw and the earlier phases whose records it reads.
async fn pending_appeals(
    store: &Store,
    draw_id: &str,
    households: &HashSet<&str>,
) -> Result<Vec<String>, AppError> {
    let mut pending = Vec::new();
    for id in store.lineage(draw_id).await? {
        pending.extend(
            store
                .findings(&id)
                .await?
                .into_iter()
                .filter(|f| f.state == assess_inspection::FindingState::Contested)
                .filter(|f| households.contains(f.household_id.as_str()))
                .map(|f| f.household_id),
        );
    }
    pending.sort();
    pending.dedup();
    Ok(pending)
}

/// The sampled villages in sample order, with their centres (when the draw was imported with
/// its village file) and the households interviewed in each.
fn sampled_villages(
    rows: &[assess_sampling::SampleRow],
    centres: &HashMap<String, assess_inspection::Gps>,
    visits: &[Visit],
) -> Vec<SampledVillage> {
    let village_of: HashMap<&str, &str> = rows
        .iter()
        .map(|r| (r.household_id.as_str(), r.village_code.as_str()))
        .collect();
    let mut interviewed: HashMap<&str, usize> = HashMap::new();
    for v in visits.iter().filter(|v| assess_verdict::is_respondent(v)) {
        if let Some(village) = village_of.get(v.household_id.as_str()) {
            *interviewed.entry(village).or_default() += 1;
        }
    }
    let mut seen = HashSet::new();
    rows.iter()
        .filter(|r| seen.insert(r.village_code.as_str()))
        .map(|r| SampledVillage {
            code: r.village_code.to_string(),
            township: r.township_code.to_string(),
            village_stratum: r.village_stratum.to_string(),
            centre: centres.get(r.village_code.as_str()).map(|g| (g.lon, g.lat)),
            interviewed: interviewed
                .get(r.village_code.as_str())
                .copied()
                .unwrap_or(0),
        })
        .collect()
}

/// The files a verdict writes, and the county directories of a batch.
const VERDICT_FILES: [&str; 6] = [
    "verdict.json",
    "report.html",
    "verdict.md",
    "verdict.xlsx",
    "summary.json",
    "overview.html",
];

/// Whether a path under an output directory is one a verdict writes.
fn is_verdict_output(relative: &Path) -> bool {
    let name = relative.file_name().and_then(|n| n.to_str()).unwrap_or("");
    VERDICT_FILES.contains(&name) || is_county_code(name)
}

/// Six ASCII digits: the only county code used as a directory name.
fn is_county_code(name: &str) -> bool {
    name.len() == 6 && name.bytes().all(|b| b.is_ascii_digit())
}

/// Writes verdict.json and the reports (verdict.md, report.html, verdict.xlsx) of each
/// decided county: into `out` for one county, into `out/COUNTY/` for a batch (several counties
/// asked for, even if fewer were decided), with the batch's overview of every county, decided
/// or not: `out/summary.json` and `out/overview.html` (a map coloured by decision).
/// The set appears whole or not at all: it is written into a staging directory that then
/// replaces `out` in one step (an existing `out` only if it holds nothing but a verdict's
/// files). A county's directory is named from its code only after checking that the code is
/// six digits. An earlier verdict in `out` is replaced only when `replace` is true. Returns
/// the report.html paths.
pub fn write_verdicts(
    out: &Path,
    batch: &Batch,
    lang: Lang,
    replace: bool,
) -> Result<Vec<PathBuf>, AppError> {
    let counties = batch.decided.as_slice();
    let several = counties.len() + batch.unfinished.len() > 1;
    if let Some(bad) = counties
        .iter()
        .map(|c| &c.file.verdict.county_code)
        .find(|code| !is_county_code(code))
    {
        return Err(AppError::BadCountyCode(bad.clone()));
    }
    if out.exists() {
        if !assess_output::holds_only(out, &is_verdict_output).map_err(io("reading", out))? {
            return Err(AppError::OutputNotOurs(out.to_path_buf()));
        }
        let empty = std::fs::read_dir(out)
            .map_err(io("reading", out))?
            .next()
            .is_none();
        if !empty && !replace {
            return Err(AppError::EarlierVerdict(out.to_path_buf()));
        }
    }
    let staged = assess_output::StagedDir::create(out)?;
    let stage = staged.path();
    let mut boundaries = Boundaries;
    let names = place_names(counties);
    let mut pages = Vec::new();
    if let ([one], false) = (counties, several) {
        write_json(&stage.join("verdict.json"), &one.file)?;
        write_reports(stage, one, lang, &mut boundaries, &names)?;
        pages.push(out.join("report.html"));
    } else {
        for c in counties {
            let f = &c.file;
            let code = &f.verdict.county_code;
            let dir = stage.join(code);
            std::fs::create_dir_all(&dir).map_err(io("creating", &dir))?;
            write_json(&dir.join("verdict.json"), f)?;
            write_reports(&dir, c, lang, &mut boundaries, &names)?;
            pages.push(out.join(code).join("report.html"));
        }
        let overview = overview(batch);
        write_json(&stage.join("summary.json"), &overview)?;
        let shapes = boundaries.of(overview.counties.iter().map(|c| c.county_code.as_str()))?;
        let page = assess_report::overview_html(&overview, &shapes, lang);
        assess_output::write_atomic(&stage.join("overview.html"), page.as_bytes())?;
    }
    staged.commit()?;
    Ok(pages)
}

/// The batch's overview: every county in the order asked for, decided or not.
fn overview(batch: &Batch) -> assess_report::Overview {
    let mut rows: Vec<assess_report::CountyOverview> = batch
        .decided
        .iter()
        .map(|c| assess_report::CountyOverview::of_verdict(&c.file))
        .collect();
    rows.extend(batch.unfinished.iter().map(|u| {
        let (primaries, visited) = match u.state {
            FieldState::NotStarted { sampled } => (sampled, 0),
            FieldState::InProgress { visited, sampled } => (sampled, visited),
            FieldState::Visited { sampled } => (sampled, sampled),
        };
        let name = assess_divisions::poverty_county(&u.county).map_or("", |c| c.name.as_str());
        assess_report::CountyOverview::not_decided(
            &u.county,
            name,
            primaries,
            visited,
            format!("{}; {}", u.state, u.error),
        )
    }));
    let order: HashMap<&str, usize> = batch
        .asked
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    rows.sort_by_key(|r| {
        order
            .get(r.county_code.as_str())
            .copied()
            .unwrap_or(usize::MAX)
    });
    assess_report::Overview::new(rows)
}

/// The embedded county boundaries (GCJ-02), read when a report first needs them: the
/// full-detail focus counties, else the simplified poverty counties. They are parsed once per
/// process (`assess_photo::Boundaries::focus_shared`, `poverty_shared`), shared with the
/// photo checks.
struct Boundaries;

type BoundarySets = (
    &'static assess_photo::Boundaries,
    &'static assess_photo::Boundaries,
);

impl Boundaries {
    /// The focus and poverty boundaries, parsed on first use in the process.
    fn sets(&mut self) -> Result<BoundarySets, AppError> {
        Ok((
            assess_photo::Boundaries::focus_shared()?,
            assess_photo::Boundaries::poverty_shared()?,
        ))
    }

    fn county(&mut self, code: &str) -> Result<Option<&assess_photo::CountyBoundary>, AppError> {
        let (focus, poverty) = self.sets()?;
        Ok(focus.county(code).or_else(|_| poverty.county(code)).ok())
    }

    /// The shapes of those counties that have one, by code.
    fn of<'a>(
        &mut self,
        codes: impl Iterator<Item = &'a str>,
    ) -> Result<BTreeMap<String, &geo::MultiPolygon<f64>>, AppError> {
        let (focus, poverty) = self.sets()?;
        Ok(codes
            .filter_map(|code| {
                let b = focus.county(code).or_else(|_| poverty.county(code)).ok()?;
                Some((code.to_string(), &b.shape))
            })
            .collect())
    }
}

/// The names of the sampled villages and their townships of every county, by code: each
/// division list is read once for the whole batch (reading it takes a tenth of a second).
fn place_names(counties: &[CountyResult]) -> BTreeMap<String, String> {
    let mut by_vintage: BTreeMap<&str, Vec<&CountyResult>> = BTreeMap::new();
    for c in counties {
        by_vintage.entry(c.vintage.as_str()).or_default().push(c);
    }
    let mut names = BTreeMap::new();
    for (vintage, of_vintage) in by_vintage {
        let Ok(vintage) = vintage.parse::<assess_divisions::Vintage>() else {
            continue;
        };
        let codes: Vec<&str> = of_vintage
            .iter()
            .map(|c| c.file.verdict.county_code.as_str())
            .collect();
        let divisions = assess_divisions::Divisions::load_counties(vintage, &codes);
        for v in of_vintage.iter().flat_map(|c| &c.villages) {
            for code in [&v.code, &v.township] {
                if let Some(unit) = divisions.unit(code) {
                    names.insert(code.clone(), unit.name.clone());
                }
            }
        }
    }
    names
}

/// verdict.md, report.html and verdict.xlsx beside verdict.json; returns report.html's path.
fn write_reports(
    dir: &Path,
    c: &CountyResult,
    lang: Lang,
    boundaries: &mut Boundaries,
    names: &BTreeMap<String, String>,
) -> Result<PathBuf, AppError> {
    let county = &c.file.verdict.county_code;
    let boundary = boundaries.county(county)?;
    let report = assess_report::Report {
        file: &c.file,
        villages: &c.villages,
        boundary_gcj02: boundary.map(|b| &b.shape),
        names,
    };
    let made = assess_report::render(&report, lang).map_err(|source| AppError::Report {
        county: county.clone(),
        source,
    })?;
    assess_output::write_atomic(&dir.join("verdict.md"), made.markdown.as_bytes())?;
    assess_output::write_atomic(&dir.join("verdict.xlsx"), &made.xlsx)?;
    let page = dir.join("report.html");
    assess_output::write_atomic(&page, made.html.as_bytes())?;
    Ok(page)
}

/// Pretty JSON with a final newline.
fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<(), AppError> {
    let text = serde_json::to_string_pretty(value).expect("a verdict serialises") + "\n";
    Ok(assess_output::write_atomic(path, text.as_bytes())?)
}
