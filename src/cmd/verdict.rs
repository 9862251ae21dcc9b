//! `assess verdict`: the exit verdict of one county or of a list of counties (a province, a
//! national cohort) from the records in the survey database: `DIR/verdict.json` (one county)
//! or `DIR/COUNTY/verdict.json` and `DIR/summary.json` (several); beside each verdict.json its
//! reports (`assess-report`): verdict.md, report.html and verdict.xlsx.

use crate::cmd::store::{block_on, DbArgs};
use anyhow::{bail, Context};
use assess_report::{Lang, SampledVillage};
use assess_standards::CountyThresholds;
use assess_standards::{Region, Standards};
use assess_store::{Appeals, Store, StoredSampleRow};
use assess_verdict::{
    county_verdict_with_villages, ApprovalDefinition, CountyInput, DontKnow, DrawnHousehold,
    MissedDenominator, Provenance, RateBasis, RegisterPeople, SampleFacts, Settings,
    VarianceMethod, VerdictFile, Visit,
};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// `assess verdict`
#[derive(clap::Args, Debug)]
pub struct VerdictArgs {
    /// County code (6 digits); repeat or separate by commas for a batch.
    #[arg(long, value_delimiter = ',')]
    county: Vec<String>,
    /// Every county of the draw (batch mode).
    #[arg(long)]
    all_counties: bool,
    /// The draw (its id); needed only when the database holds several draws of the county.
    #[arg(long)]
    draw: Option<String>,
    /// Directory for verdict.json (and the reports).
    #[arg(long)]
    out: PathBuf,
    /// Records before the appeals, after them (default), or both (two verdicts).
    #[arg(long, default_value = "after", value_parser = ["before", "after", "both"])]
    appeals: String,
    /// Which value the decision uses: the official (unweighted) ratio or the design-based estimate.
    #[arg(long, default_value = "official", value_parser = ["official", "design"])]
    rate_basis: String,
    /// Approving household: `all` questions satisfied or basically satisfied, or `score:S`
    /// (at least share S of the questions answered).
    #[arg(long, default_value = "all")]
    approval: String,
    /// "Don't know" answers: left out, or counted as not approving.
    #[arg(long, default_value = "exclude", value_parser = ["exclude", "not-approving"])]
    dont_know: String,
    /// Confidence level of the intervals and one-sided bounds.
    #[arg(long, default_value_t = 0.95)]
    confidence: f64,
    /// Interval method.
    #[arg(long, default_value = "korn-graubard", value_parser = ["korn-graubard", "wilson", "logit", "wald"])]
    ci: String,
    /// A variance stratum with a single village: an error, or removed, or centred, or
    /// collapsed with its neighbour (with-replacement variance only).
    #[arg(long, default_value = "fail", value_parser = ["fail", "remove", "centre", "collapse"])]
    lonely_psu: String,
    /// Rural population the incidence divides by [default: the register's people].
    #[arg(long)]
    rural_population: Option<f64>,
    /// What the missed rate divides by: the people of the sampled non-registered households,
    /// or the non-registered people of the sampled villages in the register (needs --frame).
    #[arg(long, default_value = "sampled-households", value_parser = ["sampled-households", "sampled-villages"])]
    missed_denominator: String,
    /// The register the draw was made from (CSV or XLSX), for --missed-denominator
    /// sampled-villages: its fingerprint must be the draw's.
    #[arg(long, value_name = "REGISTER")]
    frame: Option<PathBuf>,
    /// Variance at the village stage: with replacement (ultimate clusters), or without
    /// (finite-population corrections and the within-village term).
    #[arg(long, default_value = "wr", value_parser = ["wr", "wor"])]
    variance: String,
    /// Region for a county that is not one of the 832 poverty counties.
    #[arg(long, value_parser = ["east", "central", "west"])]
    region: Option<String>,
    /// Standards file (TOML); built-in when absent.
    #[arg(long)]
    standards: Option<PathBuf>,
    /// Language of the reports (verdict.md, report.html, verdict.xlsx).
    #[arg(long, default_value = "en", value_parser = ["en", "zh"])]
    lang: String,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(args: VerdictArgs) -> anyhow::Result<()> {
    let standards = crate::cmd::load_standards(args.standards.as_deref())?;
    let settings = settings(&args)?;
    let lang: Lang = args.lang.parse().map_err(anyhow::Error::msg)?;
    let counties = block_on(compute_all(&args, &standards, &settings))??;
    let reports = write_outputs(&args.out, &counties, lang)?;
    for (c, report) in counties.iter().zip(&reports) {
        print_summary(&c.file);
        println!("  report: {}", report.display());
    }
    Ok(())
}

/// One county's verdict, with what its reports need beside it.
struct CountyResult {
    file: VerdictFile,
    /// The sampled villages with their centres and interviews.
    villages: Vec<SampledVillage>,
    /// The draw's division-code vintage (for township and village names).
    vintage: String,
}

async fn compute_all(
    args: &VerdictArgs,
    standards: &Standards,
    settings: &Settings,
) -> anyhow::Result<Vec<CountyResult>> {
    let store = Store::open(&args.db.db).await?;
    let result = async {
        let mut pairs = Vec::new();
        for county in counties(&store, args).await? {
            let draw_id = draw_of(&store, &county, args.draw.as_deref()).await?;
            pairs.push((county, draw_id));
        }
        let village_people = match (&args.frame, settings.missed_denominator) {
            (Some(frame), MissedDenominator::SampledVillages) => {
                Some(village_non_registered(&store, frame, &pairs).await?)
            }
            _ => None,
        };
        let mut files = Vec::new();
        for (county, draw_id) in pairs {
            let thresholds = standards.thresholds_for(region(&county, args)?);
            let stages: &[&str] = match args.appeals.as_str() {
                "both" => &["before", "after"],
                one => std::slice::from_ref(match one {
                    "before" => &"before",
                    _ => &"after",
                }),
            };
            let mut made: Vec<(VerdictFile, Vec<SampledVillage>, String)> = Vec::new();
            for stage in stages {
                made.push(
                    one(
                        &store,
                        &draw_id,
                        &county,
                        stage,
                        standards,
                        &thresholds,
                        settings,
                        village_people.as_ref(),
                    )
                    .await?,
                );
            }
            let (mut last, villages, vintage) = made.pop().expect("one stage at least");
            if let Some((before, ..)) = made.pop() {
                last.before_appeals = Some(Box::new(before));
            }
            files.push(CountyResult {
                file: last,
                villages,
                vintage,
            });
        }
        anyhow::Ok(files)
    }
    .await;
    store.close().await;
    result
}

async fn counties(store: &Store, args: &VerdictArgs) -> anyhow::Result<Vec<String>> {
    if !args.county.is_empty() {
        return Ok(args.county.clone());
    }
    if !args.all_counties {
        bail!("say which county: --county CODE (repeatable), or --all-counties with --draw");
    }
    let Some(draw) = &args.draw else {
        bail!("--all-counties needs --draw ID (`assess draws` lists them)");
    };
    let mut counties: Vec<String> = store
        .sample_rows(draw, None)
        .await?
        .into_iter()
        .map(|r| r.county)
        .collect();
    counties.dedup();
    if counties.is_empty() {
        bail!("draw {draw} is not in the database, or has no households");
    }
    Ok(counties)
}

async fn draw_of(store: &Store, county: &str, draw: Option<&str>) -> anyhow::Result<String> {
    let draws = store.draws_of_county(county).await?;
    match (draw, draws.as_slice()) {
        (Some(d), _) if draws.iter().any(|x| x == d) => Ok(d.to_string()),
        (Some(d), _) => bail!("draw {d} has no village of county {county}"),
        (None, [one]) => Ok(one.clone()),
        (None, []) => bail!(
            "no draw of county {county} is in the database; import one with `assess import-sample`"
        ),
        (None, many) => bail!(
            "county {county} is in {} draws ({}); choose one with --draw",
            many.len(),
            many.join(", ")
        ),
    }
}

fn region(county: &str, args: &VerdictArgs) -> anyhow::Result<Region> {
    if let Some(r) = &args.region {
        return Ok(match r.as_str() {
            "east" => Region::East,
            "central" => Region::Central,
            _ => Region::West,
        });
    }
    match assess_divisions::poverty_county(county) {
        Some(c) => Ok(c.region),
        None => bail!(
            "county {county} is not one of the 832 poverty counties, so its region (which sets the incidence threshold) is not known; give --region east|central|west"
        ),
    }
}

/// The register's non-registered people of every sampled village of the counties' draws, read
/// from `frame` in one pass, after checking that it is the register each draw was made from.
async fn village_non_registered(
    store: &Store,
    frame: &Path,
    pairs: &[(String, String)],
) -> anyhow::Result<BTreeMap<String, f64>> {
    let mut people: BTreeMap<String, f64> = BTreeMap::new();
    let mut manifests = BTreeMap::new();
    for (county, draw_id) in pairs {
        for r in store.sample_rows(draw_id, Some(county)).await? {
            people.insert(r.village, 0.0);
        }
        if !manifests.contains_key(draw_id) {
            let manifest = store
                .manifest(draw_id)
                .await?
                .with_context(|| format!("draw {draw_id} is not in the database"))?;
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
    let report = assess_register::scan_frame(frame, &opts, |h| {
        if h.status == assess_household::Status::NonRegistered {
            if let Some(p) = people.get_mut(h.village.as_str()) {
                *p += f64::from(h.members);
            }
        }
    })
    .with_context(|| {
        format!(
            "reading the register {} for the missed rate's denominator",
            frame.display()
        )
    })?;
    for (draw_id, manifest) in &manifests {
        if report.fingerprint != manifest.frame_fingerprint {
            bail!(
                "{}: this register's fingerprint {} is not that of the register draw {draw_id} was \
                 made from ({}); the missed rate over the sampled villages must count the people \
                 of the draw's own register: give that file with --frame (`assess frame check \
                 FILE` prints a register's fingerprint)",
                frame.display(),
                report.fingerprint,
                manifest.frame_fingerprint
            );
        }
    }
    Ok(people)
}

#[allow(clippy::too_many_arguments)]
async fn one(
    store: &Store,
    draw_id: &str,
    county: &str,
    stage: &str,
    standards: &Standards,
    thresholds: &CountyThresholds,
    settings: &Settings,
    village_people: Option<&BTreeMap<String, f64>>,
) -> anyhow::Result<(VerdictFile, Vec<SampledVillage>, String)> {
    let manifest = store
        .manifest(draw_id)
        .await?
        .with_context(|| format!("draw {draw_id} is not in the database"))?;
    let rows = store.sample_rows(draw_id, Some(county)).await?;
    let appeals = if stage == "before" {
        Appeals::Before
    } else {
        Appeals::After
    };
    let records = store.visits_as_of(draw_id, appeals).await?;
    let ids: std::collections::HashSet<&str> =
        rows.iter().map(|r| r.household_id.as_str()).collect();
    let records: Vec<_> = records
        .into_iter()
        .filter(|r| ids.contains(r.household_id.as_str()))
        .collect();
    let records_sha256 = assess_inspection::records_sha256(&records);
    let people = |stratum: &str| {
        manifest
            .strata
            .iter()
            .filter(|s| s.county == county && s.stratum == stratum)
            .map(|s| s.population_people as f64)
            .sum()
    };
    let input = CountyInput {
        county: county.to_string(),
        name: assess_divisions::poverty_county(county)
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        households: drawn_households(&rows),
        visits: records
            .iter()
            .map(|r| Visit::judged(r, standards))
            .collect(),
        register: RegisterPeople {
            exited: people("exited"),
            poor: people("poor"),
            non_registered: people("non_registered"),
        },
    };
    let verdict = county_verdict_with_villages(&input, village_people, thresholds, settings)
        .with_context(|| format!("county {county}, draw {draw_id}"))?;
    let villages = sampled_villages(&rows, &input.visits);
    let file = VerdictFile {
        verdict,
        provenance: Provenance {
            sample_sha256: draw_id.to_string(),
            records_sha256,
            records: records.len(),
            appeals: stage.to_string(),
            standards_version: standards.version.clone(),
            frame_fingerprint: manifest.frame_fingerprint.clone(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
        },
        before_appeals: None,
    };
    Ok((file, villages, manifest.division_codes.vintage.clone()))
}

/// The sampled villages in sample order, with their centres (when the draw was imported with
/// `--villages`) and the households interviewed in each.
fn sampled_villages(rows: &[StoredSampleRow], visits: &[Visit]) -> Vec<SampledVillage> {
    let village_of: HashMap<&str, &str> = rows
        .iter()
        .map(|r| (r.household_id.as_str(), r.village.as_str()))
        .collect();
    let mut interviewed: HashMap<&str, usize> = HashMap::new();
    for v in visits
        .iter()
        .filter(|v| assess_verdict::weights::is_respondent(v))
    {
        if let Some(village) = village_of.get(v.household_id.as_str()) {
            *interviewed.entry(village).or_default() += 1;
        }
    }
    let mut seen = std::collections::HashSet::new();
    rows.iter()
        .filter(|r| seen.insert(r.village.as_str()))
        .map(|r| SampledVillage {
            code: r.village.clone(),
            township: r.township.clone(),
            village_stratum: r.village_stratum.clone(),
            centre: r.village_centre,
            interviewed: interviewed.get(r.village.as_str()).copied().unwrap_or(0),
        })
        .collect()
}

/// The design facts of each household (see [`DrawnHousehold::from_sample`]).
fn drawn_households(rows: &[StoredSampleRow]) -> Vec<DrawnHousehold> {
    let facts: Vec<SampleFacts> = rows
        .iter()
        .map(|r| SampleFacts {
            household_id: &r.household_id,
            township: &r.township,
            village: &r.village,
            village_stratum: &r.village_stratum,
            stratum: &r.stratum,
            primary: r.role == "primary",
            pi_village: r.pi_village,
            pi_household: r.pi_household,
            certainty: r.certainty,
            members: u32::try_from(r.members).unwrap_or(0),
        })
        .collect();
    DrawnHousehold::from_sample(&facts)
}

fn settings(args: &VerdictArgs) -> anyhow::Result<Settings> {
    let approval = match args.approval.as_str() {
        "all" => ApprovalDefinition::AllQuestions,
        s => match s.strip_prefix("score:").and_then(|v| v.parse::<f64>().ok()) {
            Some(min_share) if min_share > 0.0 && min_share <= 1.0 => {
                ApprovalDefinition::Score { min_share }
            }
            _ => {
                bail!("--approval {s:?}: give `all` or `score:S` with S in (0, 1], e.g. score:0.75")
            }
        },
    };
    let missed_denominator = match args.missed_denominator.as_str() {
        "sampled-villages" => MissedDenominator::SampledVillages,
        _ => MissedDenominator::SampledHouseholds,
    };
    match (missed_denominator, &args.frame) {
        (MissedDenominator::SampledVillages, None) => bail!(
            "--missed-denominator sampled-villages divides by the non-registered people of the \
             sampled villages, which only the register has: give the register the draw was made \
             from with --frame REGISTER.csv"
        ),
        (MissedDenominator::SampledHouseholds, Some(frame)) => bail!(
            "--frame {} is read only for --missed-denominator sampled-villages; add that option \
             or leave --frame out",
            frame.display()
        ),
        _ => {}
    }
    if !(args.confidence > 0.5 && args.confidence < 1.0) {
        bail!(
            "--confidence {}: give a level between 0.5 and 1, e.g. 0.95",
            args.confidence
        );
    }
    Ok(Settings {
        rate_basis: if args.rate_basis == "design" {
            RateBasis::Design
        } else {
            RateBasis::Official
        },
        approval,
        dont_know: if args.dont_know == "exclude" {
            DontKnow::Exclude
        } else {
            DontKnow::NotApproving
        },
        confidence: args.confidence,
        ci: assess_verdict::indicators::ci_method(&args.ci).expect("clap checked the name"),
        lonely_psu: match args.lonely_psu.as_str() {
            "remove" => assess_survey::LonelyPsu::Remove,
            "centre" => assess_survey::LonelyPsu::Centre,
            "collapse" => assess_survey::LonelyPsu::Collapse,
            _ => assess_survey::LonelyPsu::Fail,
        },
        rural_population: args.rural_population,
        missed_denominator,
        variance: if args.variance == "wor" {
            VarianceMethod::WithoutReplacement
        } else {
            VarianceMethod::WithReplacement
        },
    })
}

/// Writes verdict.json and the reports of each county; returns the report.html paths.
fn write_outputs(
    out: &Path,
    counties: &[CountyResult],
    lang: Lang,
) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut boundaries = Boundaries::default();
    if let [one] = counties {
        write_json(&out.join("verdict.json"), &one.file)?;
        return Ok(vec![write_reports(out, one, lang, &mut boundaries)?]);
    }
    let mut summary = BTreeMap::new();
    let mut pages = Vec::new();
    for c in counties {
        let f = &c.file;
        let dir = out.join(&f.verdict.county_code);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        write_json(&dir.join("verdict.json"), f)?;
        pages.push(write_reports(&dir, c, lang, &mut boundaries)?);
        summary.insert(f.verdict.county_code.clone(), f.verdict.decision);
    }
    write_json(&out.join("summary.json"), &summary)?;
    Ok(pages)
}

/// The embedded county boundaries (GCJ-02), loaded once when a report first needs them: the
/// full-detail focus counties, else the simplified poverty counties.
#[derive(Default)]
struct Boundaries {
    loaded: Option<(assess_photo::Boundaries, assess_photo::Boundaries)>,
}

impl Boundaries {
    fn county(&mut self, code: &str) -> anyhow::Result<Option<&assess_photo::CountyBoundary>> {
        if self.loaded.is_none() {
            self.loaded = Some((
                assess_photo::Boundaries::focus()?,
                assess_photo::Boundaries::poverty()?,
            ));
        }
        let (focus, poverty) = self.loaded.as_ref().expect("loaded above");
        Ok(focus.county(code).or_else(|_| poverty.county(code)).ok())
    }
}

/// verdict.md, report.html and verdict.xlsx beside verdict.json; returns report.html's path.
fn write_reports(
    dir: &Path,
    c: &CountyResult,
    lang: Lang,
    boundaries: &mut Boundaries,
) -> anyhow::Result<PathBuf> {
    let county = &c.file.verdict.county_code;
    let mut names = BTreeMap::new();
    if let Ok(vintage) = c.vintage.parse::<assess_divisions::Vintage>() {
        let divisions = assess_divisions::Divisions::load_counties(vintage, &[county]);
        for v in &c.villages {
            for code in [&v.code, &v.township] {
                if let Some(unit) = divisions.unit(code) {
                    names.insert(code.clone(), unit.name.clone());
                }
            }
        }
    }
    let boundary = boundaries.county(county)?;
    let report = assess_report::Report {
        file: &c.file,
        villages: &c.villages,
        boundary_gcj02: boundary.map(|b| &b.shape),
        names: &names,
    };
    let made = assess_report::render(&report, lang)
        .with_context(|| format!("the reports of county {county}"))?;
    write_atomic(&dir.join("verdict.md"), made.markdown.as_bytes())?;
    write_atomic(&dir.join("verdict.xlsx"), &made.xlsx)?;
    let page = dir.join("report.html");
    write_atomic(&page, made.html.as_bytes())?;
    Ok(page)
}

/// Writes JSON atomically: a temporary file in the same directory, then a rename.
fn write_json(path: &Path, value: &impl assess_verdict::Serialize) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)? + "\n";
    write_atomic(path, text.as_bytes())
}

/// Writes a file atomically: a temporary file in the same directory, then a rename.
fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}

fn print_summary(f: &VerdictFile) {
    let v = &f.verdict;
    println!(
        "county {} {}: {} ({} records, {} appeals)",
        v.county_code,
        v.county_name,
        match v.decision {
            assess_verdict::Decision::Approve => "APPROVE",
            assess_verdict::Decision::Defer => "DEFER",
        },
        f.provenance.records,
        f.provenance.appeals
    );
    for (name, i) in &v.indicators {
        println!(
            "  {name:<18} {:>7.2}%  (official {:.2}%, design {:.2}%, {:.0}% CI {:.2}-{:.2}%)  threshold {:.0}%  {}  {:?}",
            100.0 * i.estimate,
            100.0 * i.official,
            100.0 * i.design,
            100.0 * v.settings.confidence,
            100.0 * i.lci,
            100.0 * i.uci,
            100.0 * i.threshold,
            if i.passes { "pass" } else { "FAIL" },
            i.reading
        );
    }
    for r in &v.reasons {
        println!("  - {r}");
    }
}
