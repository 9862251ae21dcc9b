//! `assess simulate`: planning by simulation (issue 4, part 6). The whole assessment repeated
//! on synthetic counties with known truth (`assess-simulate`); writes `simulation.json`,
//! `simulation.md` and `simulation.html` (with the approval chart) into `--out`, and prints
//! the approval table.

use anyhow::{bail, Context};
use assess_divisions::Region;
use assess_simulate::{run_study, GridConfig, Progress, Study, StudyConfig, Varied};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};

/// `assess simulate`
#[derive(clap::Args, Debug)]
pub struct SimulateArgs {
    /// The sampling plan (TOML), e.g. sample-plans/national-special-evaluation.toml.
    #[arg(long)]
    plan: PathBuf,
    /// The county (6 digits) whose real villages carry the synthetic households [default:
    /// the plan's county, when it lists exactly one].
    #[arg(long)]
    county: Option<String>,
    /// Replications per true rate.
    #[arg(long, default_value_t = 2000)]
    reps: usize,
    /// The true rates, comma-separated shares.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "0.005,0.01,0.02,0.03,0.05"
    )]
    rates: Vec<f64>,
    /// The indicator whose true rate varies (the other keeps `assess synth`'s default).
    #[arg(long, value_enum, default_value = "wrong_exit")]
    which: Varied,
    /// Intra-village correlation of being truly poor (`assess synth --icc`).
    #[arg(long, default_value_t = 0.1)]
    icc: f64,
    /// Households of each synthetic county.
    #[arg(long, default_value_t = 60_000)]
    households: u64,
    /// Study seed: populations, draws and field work all derive from it.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Probability that a visited household is interviewed.
    #[arg(long, default_value_t = 0.95)]
    response_rate: f64,
    /// The verdict's design-effect floor for the intervals (`assess verdict --deff-floor`).
    #[arg(long, default_value_t = assess_verdict::DEFAULT_DEFF_FLOOR)]
    deff_floor: f64,
    /// Synthetic counties per true rate and grid point, each with its own seed and --reps
    /// replications (20 or more for a study). Any of --populations, --icc-grid,
    /// --remote-tilt, --misclassification turns on the population study.
    #[arg(long)]
    populations: Option<usize>,
    /// ICCs of the population grid, comma-separated, e.g. 0.02,0.05,0.1,0.2 [default: --icc].
    #[arg(long, value_delimiter = ',', conflicts_with = "icc")]
    icc_grid: Option<Vec<f64>>,
    /// Remote tilts of the population grid (`assess synth --remote-risk-ratio`),
    /// comma-separated, e.g. 1,1.5,3 [default: 1.5].
    #[arg(long, value_delimiter = ',')]
    remote_tilt: Option<Vec<f64>>,
    /// Share of visited households whose judgment of the varied indicator is flipped (both
    /// ways: truly poor judged not, and the reverse), in [0, 0.5) [default: 0].
    #[arg(long)]
    misclassification: Option<f64>,
    /// Worker threads [default: the cores].
    #[arg(long)]
    threads: Option<usize>,
    /// Region for a county that is not one of the 832 poverty counties.
    #[arg(long, value_enum)]
    region: Option<Region>,
    /// Standards file (TOML); built-in when absent.
    #[arg(long)]
    standards: Option<PathBuf>,
    /// Directory for simulation.json, simulation.md and simulation.html (created).
    #[arg(long)]
    out: PathBuf,
}

pub fn run(args: SimulateArgs) -> anyhow::Result<()> {
    let standards = crate::cmd::load_standards(args.standards.as_deref())?;
    let text = std::fs::read_to_string(&args.plan)
        .with_context(|| format!("reading {}", args.plan.display()))?;
    let plan = assess_sampling::Plan::parse(&text)
        .map_err(|problems| anyhow::anyhow!("{}:\n{problems}", args.plan.display()))?;
    let config = config(&args, &plan)?;
    let cells = config
        .grid
        .as_ref()
        .map_or(1, |g| g.populations * g.iccs.len() * g.remote_tilts.len());
    let bar = bar((config.reps * config.rates.len() * cells) as u64);
    let study = run_study(&plan, &config, &standards, &|p| match p {
        Progress::Population { rate } => {
            bar.set_message(format!("true rate {:.2}%", 100.0 * rate));
        }
        Progress::Rep => bar.inc(1),
        Progress::Cell {
            rate,
            icc,
            remote_tilt,
        } => {
            tracing::debug!(rate, icc, remote_tilt, "population grid cell");
            bar.set_message(format!(
                "true rate {:.2}%, ICC {icc}, tilt {remote_tilt}",
                100.0 * rate
            ));
        }
    })?;
    bar.finish_and_clear();
    let written = write_outputs(&args.out, &study)?;
    print_summary(&study);
    for path in written {
        println!("  wrote {}", path.display());
    }
    Ok(())
}

fn config(args: &SimulateArgs, plan: &assess_sampling::Plan) -> anyhow::Result<StudyConfig> {
    let county = match &args.county {
        Some(c) => c.trim().to_string(),
        None => match plan.header.counties.get_ref() {
            assess_sampling::Counties::List(list) if list.len() == 1 => list[0].clone(),
            _ => bail!("the plan does not name exactly one county: say which with --county CODE"),
        },
    };
    if county.len() != 6 || !county.bytes().all(|b| b.is_ascii_digit()) {
        bail!("--county {county:?}: a county code has 6 digits, e.g. 433124");
    }
    let mut config = StudyConfig::new(county);
    config.households = args.households;
    config.rates = args.rates.clone();
    config.varied = args.which;
    config.icc = args.icc;
    config.reps = args.reps;
    config.seed = args.seed;
    config.response_rate = args.response_rate;
    config.deff_floor = args.deff_floor;
    if let Some(t) = args.threads {
        config.threads = t;
    }
    config.region = args.region;
    let varied = args.populations.is_some()
        || args.icc_grid.is_some()
        || args.remote_tilt.is_some()
        || args.misclassification.is_some();
    if varied {
        let mut grid = GridConfig::new(args.icc);
        if let Some(k) = args.populations {
            grid.populations = k;
        }
        if let Some(iccs) = &args.icc_grid {
            grid.iccs = iccs.clone();
        }
        if let Some(tilts) = &args.remote_tilt {
            grid.remote_tilts = tilts.clone();
        }
        if let Some(r) = args.misclassification {
            grid.misclassification = r;
        }
        config.grid = Some(grid);
    }
    Ok(config)
}

fn bar(len: u64) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} {wide_bar} {human_pos}/{human_len} replications [{elapsed} / ~{eta}]",
        )
        .expect("static template"),
    );
    bar
}

/// Writes the three files into `out` (created); returns their paths.
fn write_outputs(out: &Path, study: &Study) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let svg = assess_simulate::chart::approval_curve(study)?;
    let json = serde_json::to_string_pretty(study).context("serialising the study")?;
    let files = [
        ("simulation.json", json + "\n"),
        ("simulation.md", assess_simulate::render::markdown(study)),
        (
            "simulation.html",
            assess_simulate::render::html(study, &svg),
        ),
        ("approval.svg", svg),
    ];
    let mut written = Vec::new();
    for (name, text) in files {
        let path = out.join(name);
        assess_output::write_atomic(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

fn print_summary(study: &Study) {
    println!(
        "{}: {} replications per rate, {} ({:.0} s, {:.3} core-seconds per replication)",
        study.county_name_or_code(),
        study.reps,
        study.varied.indicator(),
        study.seconds,
        study.core_seconds_per_rep
    );
    if study.grid.is_some() {
        print_grid_summary(study);
        return;
    }
    println!("  true rate  P(approve) official  P(rate passes)  KG coverage  HT |z| max");
    for r in &study.rates {
        let kg = &r.coverage[0];
        let z = r.total_checks.iter().map(|t| t.z.abs()).fold(0.0, f64::max);
        println!(
            "  {:>8.2}%  {:>8.3} ± {:.3}     {:>6.3} ± {:.3}  {:.3} ± {:.3}  {:.2}",
            100.0 * r.true_rate,
            r.approved_official.p,
            r.approved_official.mc_se,
            r.indicator_passes_official.p,
            r.indicator_passes_official.mc_se,
            kg.two_sided.p,
            kg.two_sided.mc_se,
            z
        );
    }
}

/// The grid's approval table: per cell, the pooled probability and its spread across counties.
fn print_grid_summary(study: &Study) {
    println!(
        "  ICC   tilt  nominal  true rate (median)  P(approve) official pooled  [min  Q1  median  Q3  max]  between SD  within MC SE  P(approve) design"
    );
    for r in &study.rates {
        let Some(c) = &r.cell else { continue };
        let a = &c.approved_official;
        println!(
            "  {:<5} {:<5} {:>6.2}%  {:>8.2}%  {:>8.3} ± {:.3}  [{:.3} {:.3} {:.3} {:.3} {:.3}]  {:.3}  {:.3}  {:.3} ± {:.3}",
            c.icc,
            c.remote_tilt,
            100.0 * r.nominal_rate,
            100.0 * c.true_rate.median,
            a.pooled,
            a.pooled_se,
            a.spread.min,
            a.spread.q1,
            a.spread.median,
            a.spread.q3,
            a.spread.max,
            a.sd_between,
            a.mc_se_within,
            r.approved_design.p,
            r.approved_design.mc_se,
        );
    }
}
