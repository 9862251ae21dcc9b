//! `assess assign`: places assessor teams on the counties of other provinces at the least total
//! travel, exactly (assess-assign; docs/assign.md).
//!
//! `assess assign --teams teams.csv --counties counties.csv [--no-mutual] --out assignment.csv`
//!
//! teams.csv: `team,province,capacity[,lon,lat]` (a team without lon and lat starts from its
//! provincial capital); counties.csv: `county[,lon,lat]` (six-digit codes, placed from the
//! embedded division data). Writes `county,county_name,team,team_province,distance_km`
//! atomically and prints the total and each team's load; refused input writes nothing (exit 1).

use anyhow::Context;
use assess_assign::{assign, input, Options};
use assess_output::write_atomic;
use std::path::{Path, PathBuf};

/// `assess assign` arguments.
#[derive(clap::Args, Debug)]
pub struct AssignArgs {
    /// The teams: CSV with columns team, province (two digits), capacity (counties, ≥ 1), and
    /// optionally lon, lat of the team's home (else its provincial capital).
    #[arg(long)]
    teams: PathBuf,
    /// The counties to assess: CSV with a column county (six-digit codes) and optionally lon,
    /// lat (else the centroid from the embedded division data).
    #[arg(long)]
    counties: PathBuf,
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

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

pub fn run(args: AssignArgs) -> anyhow::Result<()> {
    let teams = input::teams(&args.teams.display().to_string(), &read(&args.teams)?)?;
    let counties = input::counties(&args.counties.display().to_string(), &read(&args.counties)?)?;
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
