//! `assess assign`: places assessor teams on the counties of other provinces at the least total
//! travel, exactly (assess-assign; docs/assign.md).
//!
//! `assess assign --teams teams.csv (--counties counties.csv | --poverty-counties 52,53|all)
//! [--no-mutual [--max-solves N]] --out assignment.csv`; `assess assign villages ...` splits a
//! county's villages among interviewer pairs (`assign_villages`).
//!
//! teams.csv: `team,province,capacity[,lon,lat]` (a team without lon and lat starts from its
//! provincial capital); counties.csv: `county[,lon,lat]` (six-digit codes, placed from the
//! embedded division data). Writes `county,county_name,team,team_province,distance_km`
//! atomically and prints the total and each team's load; refused input writes nothing (exit 1).

use anyhow::Context;
use assess_assign::{assign, input, Options};
use assess_output::write_atomic;
use std::path::{Path, PathBuf};

/// `assess assign`: teams on counties (the arguments below), or `assess assign villages`
/// (main.rs lets the subcommand stand without the teams' required arguments).
#[derive(clap::Args, Debug)]
pub struct AssignCmd {
    #[command(subcommand)]
    within: Option<Within>,
    #[command(flatten)]
    teams: Option<AssignArgs>,
}

/// Assignments within a county.
#[derive(clap::Subcommand, Debug)]
enum Within {
    /// Split a county's sampled villages among interviewer pairs: each pair's households
    /// within a tolerance of the mean, least travel (docs/assign.md); writes a CSV.
    Villages(super::assign_villages::VillagesArgs),
}

/// `assess assign --teams ...` arguments.
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["counties", "poverty_counties"])))]
pub struct AssignArgs {
    /// The teams: CSV with columns team, province (two digits), capacity (counties, ≥ 1), and
    /// optionally lon, lat of the team's home (else its provincial capital).
    #[arg(long)]
    teams: PathBuf,
    /// The counties to assess: CSV with a column county (six-digit codes) and optionally lon,
    /// lat (else the centroid from the embedded division data).
    #[arg(long)]
    counties: Option<PathBuf>,
    /// Instead of --counties: the poverty counties (of the 832) of these provinces (two-digit
    /// codes, comma-separated), or `all`.
    #[arg(long, value_delimiter = ',', value_parser = province)]
    poverty_counties: Vec<String>,
    /// Forbid two provinces assessing each other in the same round (exact, by branch and bound).
    #[arg(long)]
    no_mutual: bool,
    /// With --no-mutual: the most assignment problems the exact search may solve before it
    /// gives up (each is one optimal assignment of every county).
    #[arg(long, default_value_t = assess_assign::DEFAULT_MAX_SOLVES, requires = "no_mutual")]
    max_solves: usize,
    /// The assignment to write (CSV).
    #[arg(long)]
    out: PathBuf,
}

/// A province code given on the command line, or `all` (kept as the empty string).
fn province(s: &str) -> Result<String, String> {
    match s {
        "all" => Ok(String::new()),
        _ if s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()) => Ok(s.to_string()),
        _ => Err(format!(
            "{s:?} is not a province code: two digits, e.g. 52, or all"
        )),
    }
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

pub fn run(cmd: AssignCmd) -> anyhow::Result<()> {
    match cmd.within {
        Some(Within::Villages(args)) => super::assign_villages::run(args),
        None => match cmd.teams {
            Some(args) => run_teams(args),
            // clap requires --teams when no subcommand is given.
            None => anyhow::bail!("give --teams (or the subcommand villages)"),
        },
    }
}

fn run_teams(args: AssignArgs) -> anyhow::Result<()> {
    let teams = input::teams(&args.teams.display().to_string(), &read(&args.teams)?)?;
    let counties = match &args.counties {
        Some(path) => input::counties(&path.display().to_string(), &read(path)?)?,
        None => {
            let provinces: Vec<String> = match args.poverty_counties.contains(&String::new()) {
                true => Vec::new(),
                false => args.poverty_counties.clone(),
            };
            if let Some(p) = provinces
                .iter()
                .find(|p| input::poverty_counties(std::slice::from_ref(p)).is_empty())
            {
                anyhow::bail!(
                    "--poverty-counties {p}: the province has none of the 832 poverty counties"
                );
            }
            input::poverty_counties(&provinces)
        }
    };
    let options = Options {
        no_mutual: args.no_mutual,
        max_solves: args.max_solves,
    };
    let assignment = assign(&teams, &counties, options)?;
    write_atomic(
        &args.out,
        &input::assignment_csv(&teams, &counties, &assignment),
    )?;
    let km = |m: i64| m as f64 / 1000.0;
    println!(
        "wrote {}: {} counties to {} teams, total travel {:.1} km{}",
        args.out.display(),
        counties.len(),
        teams.len(),
        km(assignment.total_metres),
        if args.no_mutual {
            ", no two provinces assessing each other"
        } else {
            ""
        }
    );
    let loads = assignment.loads(teams.len());
    for (i, team) in teams.iter().enumerate() {
        let travel: i64 = assignment
            .placements
            .iter()
            .filter(|p| p.team == i)
            .map(|p| p.metres)
            .sum();
        println!(
            "  {} ({}): {} of {} counties, {:.1} km",
            team.id,
            team.province,
            loads[i],
            team.capacity,
            km(travel)
        );
    }
    Ok(())
}
