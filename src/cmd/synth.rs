//! `assess synth`: a synthetic register for real counties, and optionally its villages and
//! the households' true situation. Every output is written whole or not at all
//! (`assess-output`).

use crate::cmd::progress::SynthBars;
use crate::cmd::synth_census;
use anyhow::{bail, Context};
use assess_divisions::Vintage;
use assess_output::{write_atomic, AtomicFile};
use assess_synth::{Rate, SynthConfig, SynthSummary};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct SynthArgs {
    /// County code (6 digits); repeat the option or separate codes by commas.
    #[arg(long, value_delimiter = ',')]
    county: Vec<String>,
    /// Every poverty county of this province (2 digits, e.g. 53).
    #[arg(long)]
    province: Option<String>,
    /// With --province: every county with rural villages, not only the poverty counties.
    #[arg(long, requires = "province")]
    all_counties_of_province: bool,
    /// All 832 national poverty counties.
    #[arg(long)]
    poverty_counties: bool,
    /// Households in total, split across the counties by their number of rural villages.
    #[arg(long)]
    households: u64,
    /// Seed: the same arguments and seed give byte-identical files.
    #[arg(long)]
    seed: u64,
    /// Register CSV to write.
    #[arg(long)]
    out: PathBuf,
    /// Also write the villages (code, name, poverty village, remote, position).
    #[arg(long)]
    villages: Option<PathBuf>,
    /// Also write each household's true situation.
    #[arg(long)]
    truth: Option<PathBuf>,
    /// Also write the summary as JSON.
    #[arg(long)]
    summary_json: Option<PathBuf>,
    /// Division-code vintage of the village codes: 2016, 2021 or 2023.
    #[arg(long, default_value = "2023")]
    vintage: Vintage,
    /// Assessment year: households exit up to it.
    #[arg(long, default_value_t = 2018)]
    year: u16,
    /// Income year of the poverty line [default: the year before --year].
    #[arg(long)]
    income_year: Option<u16>,
    /// Share of exited households truly poor (wrong exits).
    #[arg(long, default_value_t = 0.005)]
    wrong_exit_rate: f64,
    /// Share of non-registered households truly poor (missed).
    #[arg(long, default_value_t = 0.003)]
    missed_rate: f64,
    /// Share of registered-poor households truly poor.
    #[arg(long, default_value_t = 1.0)]
    still_poor_rate: f64,
    /// Intra-village correlation of being truly poor (0 = no clustering).
    #[arg(long, default_value_t = 0.1)]
    icc: f64,
    /// Remote villages' wrong-exit and missed rates relative to the other villages'.
    #[arg(long, default_value_t = 1.5)]
    remote_risk_ratio: f64,
    /// Wrong exits and missed households only in remote villages, scaled so the county's
    /// rates stay as set (--remote-risk-ratio is then unused).
    #[arg(long)]
    remote_only: bool,
    /// The standard every truly poor household fails: mixed (the built-in mix), income,
    /// housing, education, medical or water.
    #[arg(long, default_value = "mixed")]
    shortfall: String,
    /// Share of households registered (exited or poor).
    #[arg(long, default_value_t = 0.25)]
    registered_share: f64,
    /// Share of registered households not yet exited.
    #[arg(long, default_value_t = 0.03)]
    poor_share: f64,
    /// Target true comprehensive poverty incidence; sets the share of registered households
    /// not yet exited to reach it (given the other rates) instead of --poor-share.
    #[arg(long, conflicts_with = "poor_share")]
    incidence: Option<f64>,
    /// Share of villages that are poverty villages.
    #[arg(long, default_value_t = 0.35)]
    poverty_village_share: f64,
    /// Share of villages that are remote.
    #[arg(long, default_value_t = 0.30)]
    remote_share: f64,
    #[command(flatten)]
    census: synth_census::CensusArgs,
}

pub fn run(args: SynthArgs) -> anyhow::Result<()> {
    let config = config(&args)?;
    check_distinct_outputs(&args)?;
    // Every output is written whole or not at all: an error leaves none of them behind.
    let mut register = AtomicFile::create(&args.out)?;
    let mut villages = args
        .villages
        .as_deref()
        .map(AtomicFile::create)
        .transpose()?;
    let mut truth = args.truth.as_deref().map(AtomicFile::create).transpose()?;
    let census = args.census.settings();
    if let Some(c) = &census {
        c.check(config.year)?;
    }
    let mut census_files = census
        .as_ref()
        .map(|_| synth_census::CensusFiles::create(&args.census))
        .transpose()?;
    let bars = SynthBars::new();
    let (summary, census_summary) = match (&census, census_files.as_mut()) {
        (Some(settings), Some(files)) => {
            let (summary, census) = assess_synth::generate_census_with_progress(
                &config,
                &mut register,
                villages.as_mut(),
                truth.as_mut(),
                settings,
                files.writers(),
                |p| bars.update(p),
            )?;
            (summary, Some(census))
        }
        _ => (
            assess_synth::generate_with_progress(
                &config,
                &mut register,
                villages.as_mut(),
                truth.as_mut(),
                |p| bars.update(p),
            )?,
            None,
        ),
    };
    bars.finish();
    if let Some(path) = &args.summary_json {
        let json = serde_json::to_string_pretty(&summary).context("writing the summary JSON")?;
        write_atomic(path, json.as_bytes())?;
    }
    register.commit()?;
    villages.map(AtomicFile::commit).transpose()?;
    truth.map(AtomicFile::commit).transpose()?;
    census_files
        .map(synth_census::CensusFiles::commit)
        .transpose()?;
    print_summary(&summary, &config, &args);
    if let Some(c) = &census_summary {
        synth_census::print_summary(c, &args.census);
    }
    Ok(())
}

fn config(args: &SynthArgs) -> anyhow::Result<SynthConfig> {
    let mut counties: Vec<String> = args
        .county
        .iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    let mut from_lists = false;
    if let Some(province) = &args.province {
        from_lists = true;
        let more = if args.all_counties_of_province {
            assess_synth::counties_of_province(province, args.vintage)?
        } else {
            assess_synth::poverty_counties_of_province(province)?
        };
        counties.extend(more);
    }
    if args.poverty_counties {
        from_lists = true;
        counties.extend(assess_synth::all_poverty_counties());
    }
    if counties.is_empty() {
        bail!("say which counties: --county CODE, --province CODE or --poverty-counties");
    }
    let mut config = SynthConfig::new(counties, args.households, args.seed);
    config.vintage = args.vintage;
    config.year = args.year;
    config.income_year = args.income_year;
    config.rates.wrong_exit = args.wrong_exit_rate;
    config.rates.missed = args.missed_rate;
    config.rates.still_poor = args.still_poor_rate;
    config.rates.icc = args.icc;
    config.rates.remote_risk_ratio = args.remote_risk_ratio;
    config.rates.remote_only = args.remote_only;
    config.rates.shortfall = assess_synth::Shortfall::parse_choice(&args.shortfall)?;
    config.shape.registered_share = args.registered_share;
    config.shape.poor_share_of_registered = match args.incidence {
        Some(target) => {
            assess_synth::poor_share_for_incidence(target, &config.shape, &config.rates)?
        }
        None => args.poor_share,
    };
    config.shape.poverty_village_share = args.poverty_village_share;
    config.shape.remote_share = args.remote_share;
    // Counties named one by one must exist; lists may hold urban districts without villages.
    config.skip_counties_without_villages = from_lists && args.county.is_empty();
    Ok(config)
}

fn check_distinct_outputs(args: &SynthArgs) -> anyhow::Result<()> {
    let census = args.census.paths();
    let mut paths: Vec<&Path> = vec![&args.out];
    paths.extend(args.villages.as_deref());
    paths.extend(args.truth.as_deref());
    paths.extend(args.summary_json.as_deref());
    paths.extend(census.iter().map(PathBuf::as_path));
    for (i, a) in paths.iter().enumerate() {
        if paths[..i].contains(a) {
            bail!("{} is given for two outputs", a.display());
        }
    }
    Ok(())
}

fn print_summary(s: &SynthSummary, config: &SynthConfig, args: &SynthArgs) {
    let t = &s.total;
    println!(
        "synthetic register: {} households ({} people) in {} villages of {} {}; seed {}, {} codes",
        t.all.households,
        t.all.people,
        t.villages,
        s.counties.len(),
        if s.counties.len() == 1 {
            "county"
        } else {
            "counties"
        },
        s.seed,
        s.vintage
    );
    println!(
        "registered {}: {} exited, {} poor; {} poverty villages, {} remote villages",
        pct(t.registered_share().households),
        t.exited.all.households,
        t.poor.all.households,
        t.poverty_villages,
        t.remote_villages
    );
    println!(
        "poverty line {} yuan (income year {}); true rates, households / people [target]:",
        s.poverty_line, s.income_year
    );
    let r = &config.rates;
    print_rate("wrong exit", s.rates.wrong_exit, r.wrong_exit);
    print_rate("missed", s.rates.missed, r.missed);
    print_rate("still poor", s.rates.still_poor, r.still_poor);
    print_rate(
        "incidence",
        s.rates.incidence,
        args.incidence.unwrap_or(config.expected_incidence()),
    );
    if r.shortfall.is_some() || r.remote_only {
        println!(
            "planted: every truly poor household fails {}; wrong exits and missed households {}",
            r.shortfall
                .map_or("one standard of the built-in mix", |s| s.as_str()),
            if r.remote_only {
                "only in remote villages"
            } else {
                "in every village"
            }
        );
    }
    let mut wrote = vec![args.out.display().to_string()];
    wrote.extend(
        args.villages
            .iter()
            .chain(&args.truth)
            .chain(&args.summary_json)
            .map(|p| p.display().to_string()),
    );
    println!("wrote {}", wrote.join(", "));
}

fn print_rate(label: &str, rate: Rate, target: f64) {
    println!(
        "  {label:<11}{:>8} / {:>8}  [{}]",
        pct(rate.households),
        pct(rate.people),
        pct(target)
    );
}

fn pct(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
}
