//! `assess draw` (and the input and seed options `assess verify` and `plan check` share).

use super::progress;
use assess_draw::{Inputs, Seeds};
use assess_register::{EncodingChoice, ReadOptions};
use std::path::PathBuf;

/// The files a draw is made from, shared by `draw`, `verify` and `plan check`.
#[derive(clap::Args, Debug, Clone)]
pub struct InputArgs {
    /// Household register: CSV (UTF-8 or GB18030) or XLSX.
    #[arg(long)]
    pub frame: PathBuf,
    /// Village file with `remote` and `poverty_village` flags.
    #[arg(long)]
    pub villages: Option<PathBuf>,
    /// Register text encoding.
    #[arg(long, value_enum, default_value = "auto")]
    pub encoding: EncodingChoice,
    /// Division-code vintage (2016, 2021, 2023); detected when absent.
    #[arg(long)]
    pub vintage: Option<String>,
    /// Apply the plan to this county instead of the plan's `counties` (repeatable); the draw
    /// records it and `verify` needs the same.
    #[arg(long = "county", value_name = "CODE", value_parser = super::county_code)]
    pub counties: Vec<String>,
}

impl InputArgs {
    /// The `--county` codes in the order given, each once; `None` when none was given.
    fn given_counties(&self) -> Option<Vec<String>> {
        let mut seen = std::collections::HashSet::new();
        let list: Vec<String> = self
            .counties
            .iter()
            .filter(|c| seen.insert(c.as_str()))
            .cloned()
            .collect();
        (!list.is_empty()).then_some(list)
    }

    /// Inputs for the draw library, with a plan.
    pub fn inputs(&self, plan: PathBuf) -> anyhow::Result<Inputs> {
        let vintage = match &self.vintage {
            Some(v) => Some(v.parse().map_err(anyhow::Error::msg)?),
            None => None,
        };
        let read = ReadOptions {
            encoding: self.encoding,
            vintage,
            ..ReadOptions::default()
        };
        Ok(Inputs {
            plan,
            frame: self.frame.clone(),
            villages: self.villages.clone(),
            read,
            counties: self.given_counties(),
        })
    }
}

/// `assess draw`
#[derive(clap::Args, Debug)]
pub struct DrawArgs {
    /// Sampling plan (TOML).
    #[arg(long)]
    plan: PathBuf,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    seeds: SeedArgs,
    /// Write the seeds into the manifest (only once they are published).
    #[arg(long)]
    publish_seeds: bool,
    /// Accept a seed of under 64 bits of entropy (to re-make an old draw; never for a new one).
    #[arg(long)]
    allow_weak_seed: bool,
    /// Extend this draw directory (a second phase when an indicator is inconclusive): every
    /// sampling stratum or draw takes --add-villages more villages, those with the next
    /// keys; the first phase stays as drawn. Give the draw's own plan, register, village file
    /// and seeds.
    #[arg(long, requires = "add_villages")]
    extend: Option<PathBuf>,
    /// With --extend: villages added to every sampling stratum or draw.
    #[arg(long, requires = "extend", value_parser = clap::value_parser!(u32).range(1..))]
    add_villages: Option<u32>,
    /// New directory for sample.csv, sample_villages.csv and manifest.json.
    #[arg(long)]
    out: PathBuf,
}

/// The seeds of a draw.
#[derive(clap::Args, Debug)]
pub struct SeedArgs {
    /// Village-stage seed, made in public after the register and plan were fixed (e.g. 25
    /// witnessed dice rolls: at least 64 bits).
    #[arg(long)]
    pub seed: String,
    /// Separate household-stage seed (the team's own second draw); the village seed when absent.
    #[arg(long)]
    pub household_seed: Option<String>,
}

pub fn run_draw(args: DrawArgs) -> anyhow::Result<()> {
    let inputs = args.input.inputs(args.plan.clone())?;
    let seeds = Seeds {
        village: args.seeds.seed,
        household: args.seeds.household_seed,
        publish: args.publish_seeds,
    };
    // An extension keeps the seeds the draw was made with: they are checked against its
    // commitments instead.
    if !args.allow_weak_seed && args.extend.is_none() {
        seeds.check_strength()?;
    }
    let bar = progress::counter("households read");
    let draw = match (&args.extend, args.add_villages) {
        (Some(dir), Some(add)) => {
            assess_draw::extend(dir, &inputs, &seeds, add, &|n| bar.set_position(n))?
        }
        _ => assess_draw::compute(&inputs, &seeds, &|n| bar.set_position(n))?,
    };
    bar.finish_and_clear();
    let (review, review_warnings) = design_review(&draw.reviews)?;
    print_warnings(&[draw.warnings.as_slice(), &review_warnings].concat());
    for draft in assess_draw::unfinished_drafts(&args.out) {
        eprintln!(
            "warning: {} was left by a draw that did not finish (killed?); it is not a draw: \
             remove it once no other draw is running",
            draft.display()
        );
    }
    assess_draw::write_draw(&draw, &args.out, &assess_draw::Receipt::now())?;
    tracing::info!("draw written");
    print_summary(&draw, &args.out);
    print_extension(&draw);
    println!();
    review.iter().for_each(|line| println!("{line}"));
    // A national draw holds a million sample rows and 600 MB of kept households; freeing
    // them takes a noticeable part of a second, and the process ends here anyway.
    std::mem::forget(draw);
    Ok(())
}

/// The design review's lines and warnings, with the built-in standards' limits.
pub fn design_review(
    reviews: &[assess_sampling::CountyReview],
) -> anyhow::Result<(Vec<String>, Vec<assess_sampling::Problem>)> {
    let standards = super::load_standards(None)?;
    Ok(assess_app::draws::design_review(reviews, &standards))
}

/// The draw's warnings, those alike counted by kind (a national plan can warn about every
/// county); `assess plan check --verbose` lists them all.
fn print_warnings(warnings: &[assess_sampling::Problem]) {
    let all = "`assess plan check --verbose` lists them all";
    for line in super::plan::problem_lines(warnings, false, all) {
        eprintln!("{line}");
    }
}

/// Above this many counties the summary shows totals; manifest.json has every county.
const COUNTIES_LISTED: usize = 10;

fn print_by_county(m: &assess_draw::Manifest) {
    println!(
        "\n  {:<8} {:<22} {:>8} {:>8} {:>6} {:>11}",
        "county", "village stratum", "frame", "drawn", "cert.", "size"
    );
    for g in &m.village_strata {
        println!(
            "  {:<8} {:<22} {:>8} {:>8} {:>6} {:>11}",
            g.county, g.group, g.frame_villages, g.drawn, g.certainties, g.frame_size
        );
    }
    println!(
        "\n  {:<8} {:<15} {:>11} {:>10} {:>9} {:>9}",
        "county", "stratum", "population", "people", "primary", "reserve"
    );
    for s in &m.strata {
        println!(
            "  {:<8} {:<15} {:>11} {:>10} {:>9} {:>9}",
            s.county, s.stratum, s.population_households, s.population_people, s.primary, s.reserve
        );
    }
}

fn print_totals(m: &assess_draw::Manifest, counties: usize) {
    let drawn: usize = m.village_strata.iter().map(|g| g.drawn).sum();
    let certain: usize = m.village_strata.iter().map(|g| g.certainties).sum();
    println!("\n  {counties} counties: {drawn} villages drawn ({certain} with certainty); per county in manifest.json");
    println!(
        "  {:<15} {:>11} {:>10} {:>9} {:>9}",
        "stratum", "population", "people", "primary", "reserve"
    );
    for status in ["exited", "poor", "non_registered"] {
        let rows = m.strata.iter().filter(|s| s.stratum == status);
        let (mut population, mut people, mut primary, mut reserve) = (0, 0, 0, 0);
        for s in rows {
            population += s.population_households;
            people += s.population_people;
            primary += s.primary;
            reserve += s.reserve;
        }
        println!("  {status:<15} {population:>11} {people:>10} {primary:>9} {reserve:>9}");
    }
}

fn print_summary(draw: &assess_draw::Draw, out: &std::path::Path) {
    let m = &draw.manifest;
    println!("draw written to {}", out.display());
    println!(
        "  plan            {} ({})",
        m.plan_name,
        &m.plan_sha256[..16]
    );
    println!(
        "  register        {} households, fingerprint {}",
        m.frame_households, m.frame_fingerprint
    );
    if let Some(display) = &m.frame_display_fingerprint {
        let columns: Vec<&str> = draw
            .frame_report
            .display_columns
            .iter()
            .map(|c| c.as_str())
            .collect();
        println!(
            "  display columns {} (in sample.csv), fingerprint {display}",
            columns.join(", ")
        );
    }
    println!(
        "  division codes  {} ({})",
        m.division_codes.vintage,
        if m.division_codes.detected {
            "detected"
        } else {
            "chosen"
        }
    );
    println!(
        "  seed commitments village {} household {}",
        m.seed_commitments.village, m.seed_commitments.household
    );
    println!("  sample.csv      sha256 {}", m.sample_sha256);
    let counties: std::collections::BTreeSet<&str> =
        m.strata.iter().map(|s| s.county.as_str()).collect();
    if counties.len() > COUNTIES_LISTED {
        print_totals(m, counties.len());
    } else {
        print_by_county(m);
    }
    if m.seeds.is_none() {
        println!("\nThe seeds are not in the manifest: publish them after fieldwork; anyone can then run `assess verify`.");
    }
}

/// The villages an extension added, for the teams to visit next.
fn print_extension(draw: &assess_draw::Draw) {
    let Some(e) = &draw.manifest.extension else {
        return;
    };
    let added: Vec<&assess_sampling::SelectedVillage> = draw
        .villages
        .iter()
        .filter(|v| v.extension_only())
        .collect();
    println!(
        "\n  extends draw {} by {} villages per sampling stratum or draw (in all since its \
         first phase); {} villages added:",
        e.extends,
        e.villages,
        added.len()
    );
    for v in &added {
        println!(
            "    {}  {:<20} π {:.4}",
            v.code.as_str(),
            v.group,
            v.pi.unwrap_or(f64::NAN)
        );
    }
    println!(
        "  Import this draw (`assess import-sample`); records of the first phase's households stay \
         under the first draw, the added villages' records go under this one, and the verdict \
         of this draw reads both."
    );
}
