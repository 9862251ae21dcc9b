//! `assess verdict`: the exit verdict of one county or of a list of counties (a province, a
//! national cohort) from the records in the survey database: `DIR/verdict.json` (one county)
//! or `DIR/COUNTY/verdict.json` and `DIR/summary.json` (several); beside each verdict.json its
//! reports: verdict.md, report.html and verdict.xlsx (`assess_app::verdict`).

use crate::cmd::store::{block_on, DbArgs};
use anyhow::bail;
use assess_app::verdict::{self, AppealStages, VerdictRequest};
use assess_divisions::Region;
use assess_report::Lang;
use assess_store::Store;
use assess_survey::{CiMethod, LonelyPsu};
use assess_verdict::{
    ApprovalDefinition, ByHandVillages, DontKnow, MissedDenominator, RateBasis, Settings,
    VarianceMethod,
};
use std::path::PathBuf;

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
    /// Replace an earlier verdict in --out (as a whole: the old set of files goes).
    #[arg(long)]
    force: bool,
    /// Records before the appeals, after them (default), or both (two verdicts).
    #[arg(long, value_enum, default_value = "after")]
    appeals: AppealsArg,
    /// Which value the decision uses: the official (unweighted) ratio or the design-based estimate.
    #[arg(long, value_enum, default_value = "official")]
    rate_basis: RateBasis,
    /// Approving household: `all` questions satisfied or basically satisfied, or `score:S`
    /// (at least share S of the questions answered).
    #[arg(long, default_value = "all")]
    approval: String,
    /// "Don't know" answers: left out, or counted as not approving.
    #[arg(long, value_enum, default_value = "exclude")]
    dont_know: DontKnow,
    /// Confidence level of the intervals and one-sided bounds.
    #[arg(long, default_value_t = 0.95)]
    confidence: f64,
    /// Interval method.
    #[arg(long, value_enum, default_value = "korn-graubard")]
    ci: CiMethod,
    /// A variance stratum with a single village: an error, or removed, or centred, or
    /// collapsed with its neighbour (with-replacement variance only).
    #[arg(long, value_enum, default_value = "fail")]
    lonely_psu: LonelyPsu,
    /// Rural population the incidence divides by [default: the register's people].
    #[arg(long)]
    rural_population: Option<f64>,
    /// What the missed rate divides by: the people of the sampled non-registered households,
    /// or the non-registered people of the sampled villages in the register (needs --frame).
    #[arg(long, value_enum, default_value = "sampled-households")]
    missed_denominator: MissedDenominator,
    /// The register the draw was made from (CSV or XLSX), for --missed-denominator
    /// sampled-villages: its fingerprint must be the draw's.
    #[arg(long, value_name = "REGISTER")]
    frame: Option<PathBuf>,
    /// Variance at the village stage: with replacement (ultimate clusters), or without
    /// (finite-population corrections and the within-village term).
    #[arg(long, value_enum, default_value = "wr")]
    variance: VarianceMethod,
    /// Villages taken by hand (no inclusion probability): left out of the official values
    /// (default), or counted as practice counts every household visited.
    #[arg(long, value_enum, default_value = "exclude")]
    by_hand_villages: ByHandVillages,
    /// The least design effect the intervals assume: their effective sample size is at most
    /// n / this, also when nothing is found (1 turns it off).
    #[arg(long, default_value_t = assess_verdict::DEFAULT_DEFF_FLOOR)]
    deff_floor: f64,
    /// Region for a county that is not one of the 832 poverty counties.
    #[arg(long, value_enum)]
    region: Option<Region>,
    /// Standards file (TOML); built-in when absent.
    #[arg(long)]
    standards: Option<PathBuf>,
    /// Language of the reports (verdict.md, report.html, verdict.xlsx).
    #[arg(long, value_enum, default_value = "en")]
    lang: Lang,
    #[command(flatten)]
    db: DbArgs,
}

/// Which records the verdict uses (`--appeals`).
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum AppealsArg {
    /// The records before any appeal.
    Before,
    /// The records after the appeals.
    After,
    /// Both: two verdicts.
    Both,
}

pub fn run(args: VerdictArgs) -> anyhow::Result<()> {
    let standards = crate::cmd::load_standards(args.standards.as_deref())?;
    let settings = settings(&args)?;
    let mut request = VerdictRequest {
        counties: args.county.clone(),
        draw: args.draw.clone(),
        appeals: match args.appeals {
            AppealsArg::Before => AppealStages::Before,
            AppealsArg::After => AppealStages::After,
            AppealsArg::Both => AppealStages::Both,
        },
        settings,
        region: args.region,
        register: args.frame.clone(),
        standards: &standards,
    };
    let batch = block_on(async {
        let store = Store::open(&args.db.db).await?;
        let result = async {
            if request.counties.is_empty() {
                request.counties = all_counties(&store, &args).await?;
            }
            // One county: its error is the command's. A batch goes on past a county that
            // cannot be decided yet.
            if request.counties.len() == 1 {
                let decided = verdict::county_verdicts(&store, &request).await?;
                return anyhow::Ok(verdict::Batch {
                    asked: request.counties.clone(),
                    decided,
                    unfinished: Vec::new(),
                });
            }
            anyhow::Ok(verdict::batch_verdicts(&store, &request).await?)
        }
        .await;
        store.close().await;
        result
    })??;
    let counties = &batch.decided;
    let several = counties.len() + batch.unfinished.len() > 1;
    // A batch writes its overview even when no county could be decided yet.
    if !counties.is_empty() || several {
        let reports = verdict::write_verdicts(&args.out, &batch, args.lang, args.force)?;
        for (c, report) in counties.iter().zip(&reports) {
            super::verdict_summary::print(&c.file, args.lang);
            println!("  report: {}", report.display());
        }
        if several {
            println!("overview: {}", args.out.join("overview.html").display());
        }
    }
    if batch.unfinished.is_empty() {
        return Ok(());
    }
    let undecided = batch.unfinished.len();
    println!(
        "\nnot decided ({undecided} of {} counties):",
        undecided + counties.len()
    );
    for u in batch.unfinished {
        let why = crate::hints::message(&anyhow::Error::from(u.error));
        println!("  county {}: {}; {why}", u.county, u.state);
    }
    Err(NotAllDecided(undecided).into())
}

/// A batch in which some counties could not be decided: the others were written. The binary
/// exits with status 3 for it (docs/verdict.md).
#[derive(Debug)]
pub struct NotAllDecided(pub usize);

impl std::fmt::Display for NotAllDecided {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} of the counties could not be decided (listed above); the others were written",
            self.0
        )
    }
}

impl std::error::Error for NotAllDecided {}

/// `--all-counties`: every county of the draw named with `--draw`.
async fn all_counties(store: &Store, args: &VerdictArgs) -> anyhow::Result<Vec<String>> {
    if !args.all_counties {
        bail!("say which county: --county CODE (repeatable), or --all-counties with --draw");
    }
    let draw = match &args.draw {
        Some(draw) => draw.clone(),
        // With one draw in the database there is nothing to choose.
        None => {
            let draws = store.draws().await?;
            match draws.as_slice() {
                [one] => one.draw_id.clone(),
                [] => bail!("the database holds no draw; import one with `assess import-sample`"),
                several => bail!(
                    "the database holds {} draws; choose one with --draw ID:\n{}",
                    several.len(),
                    several
                        .iter()
                        .map(|d| format!(
                            "  {}  {} ({} households)",
                            d.draw_id, d.plan_name, d.households
                        ))
                        .collect::<Vec<_>>()
                        .join("\n")
                ),
            }
        }
    };
    Ok(verdict::counties_of_draw(store, &draw).await?)
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
    match (args.missed_denominator, &args.frame) {
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
    if !(args.deff_floor >= 1.0 && args.deff_floor.is_finite()) {
        bail!(
            "--deff-floor {}: give a design effect of at least 1 (1 turns the floor off)",
            args.deff_floor
        );
    }
    if !(args.confidence > 0.5 && args.confidence < 1.0) {
        bail!(
            "--confidence {}: give a level between 0.5 and 1, e.g. 0.95",
            args.confidence
        );
    }
    Ok(Settings {
        rate_basis: args.rate_basis,
        approval,
        dont_know: args.dont_know,
        confidence: args.confidence,
        ci: args.ci,
        lonely_psu: args.lonely_psu,
        rural_population: args.rural_population,
        missed_denominator: args.missed_denominator,
        variance: args.variance,
        by_hand_villages: args.by_hand_villages,
        deff_floor: args.deff_floor,
    })
}
