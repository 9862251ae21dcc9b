//! `assess assign villages`: a county's sampled villages split among a team's interviewer
//! pairs, each pair's households within a tolerance of the mean, at the least travel
//! (assess-app's `split`, over assess-assign; docs/assign.md, "Villages among interviewer
//! pairs").
//!
//! `assess assign villages --draw DIR [--county CODE] --pairs pairs.csv [--villages FILE]
//! [--locations FILE] [--tolerance H] [--max-solves N] --out split.csv`
//!
//! Writes `draw_id,county_code,village_code,interviewers,pair,village_name,households,
//! reserves,distance_km` atomically and prints each pair's villages, households and travel;
//! refused input writes nothing (exit 1).

use assess_app::split::{split_villages, SplitRequest};
use assess_assign::villages::{Base, Method, SplitOptions, DEFAULT_MAX_SOLVES};
use assess_output::write_atomic;
use std::path::PathBuf;

/// `assess assign villages` arguments.
#[derive(clap::Args, Debug)]
pub struct VillagesArgs {
    /// The draw directory written by `assess draw` (checked against its manifest).
    #[arg(long)]
    draw: PathBuf,
    /// The county (six digits); may be left out when the draw holds one county.
    #[arg(long, value_parser = county)]
    county: Option<String>,
    /// The interviewer pairs: CSV with columns pair, interviewer_1, interviewer_2 (account
    /// names), and optionally lon, lat of the pair's start (else a base is chosen among the
    /// villages).
    #[arg(long)]
    pairs: PathBuf,
    /// The village file the draw used (its hash must be the manifest's): the villages' names,
    /// and their coordinates from its lon, lat columns.
    #[arg(long)]
    villages: Option<PathBuf>,
    /// Village coordinates: CSV with columns village_code, lon, lat (before the village
    /// file's).
    #[arg(long)]
    locations: Option<PathBuf>,
    /// Households a pair's load may differ from the mean (default: the largest village's
    /// households, a bound every county meets).
    #[arg(long)]
    tolerance: Option<u32>,
    /// The most relaxations the exact search may solve per round before it keeps the best
    /// split found (then marked not proved optimal).
    #[arg(long, default_value_t = DEFAULT_MAX_SOLVES)]
    max_solves: usize,
    /// The split to write (CSV).
    #[arg(long)]
    out: PathBuf,
}

fn county(s: &str) -> Result<String, String> {
    match s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        true => Ok(s.to_string()),
        false => Err(format!(
            "{s:?} is not a county code: give six digits, e.g. 530128"
        )),
    }
}

pub fn run(args: VillagesArgs) -> anyhow::Result<()> {
    let request = SplitRequest {
        draw: &args.draw,
        county: args.county.as_deref(),
        pairs: &args.pairs,
        villages: args.villages.as_deref(),
        locations: args.locations.as_deref(),
        options: SplitOptions {
            tolerance: args.tolerance,
            max_solves: args.max_solves,
        },
    };
    let made = split_villages(&request)?;
    write_atomic(&args.out, &made.csv())?;
    let (villages, pairs, split) = (&made.villages, &made.pairs, &made.split);
    let total: u32 = villages.iter().map(|v| v.households).sum();
    let (lo, hi) = split.bounds;
    println!(
        "wrote {}: county {}, {} villages ({} households) to {} pairs, each {}–{} households",
        args.out.display(),
        made.county,
        villages.len(),
        total,
        pairs.len(),
        lo,
        hi
    );
    match &split.method {
        Method::Travel { proved_optimal } => {
            let km = split.total_metres().unwrap_or(0) as f64 / 1000.0;
            println!(
                "travel {km:.1} km in all from the pairs' bases: {}{}",
                if *proved_optimal {
                    "the least possible"
                } else {
                    "the best found (the search stopped before proving it least; raise --max-solves)"
                },
                if split.bases_chosen {
                    " for the bases chosen (a pair without a start is based at a village, chosen by local search)"
                } else {
                    ""
                }
            );
        }
        Method::WorkloadOnly { without_location } => println!(
            "workload balanced only, travel not counted: {} of the villages have no \
             coordinates (first: {}); give --villages with lon and lat, or --locations",
            without_location.len(),
            without_location.first().map_or("", String::as_str)
        ),
    }
    let loads = split.loads(villages, pairs.len());
    for (p, pair) in pairs.iter().enumerate() {
        let mine: Vec<usize> = (0..villages.len())
            .filter(|&v| split.pair_of[v] == p)
            .collect();
        let travel: Option<i64> = mine.iter().map(|&v| split.metres[v]).sum();
        let base = match split.bases[p] {
            Base::Start(_) => "from its start".to_string(),
            Base::Village(v) => format!("based at {}", label(&villages[v])),
            Base::None => String::new(),
        };
        let travel = travel.map_or(String::new(), |m| {
            format!(", {:.1} km {base}", m as f64 / 1000.0)
        });
        println!(
            "  {} ({}): {} villages, {} households{travel}",
            pair.id,
            pair.interviewers.join(";"),
            mine.len(),
            loads[p],
        );
        let names: Vec<String> = mine.iter().map(|&v| label(&villages[v])).collect();
        println!("    {}", names.join(", "));
    }
    Ok(())
}

fn label(v: &assess_assign::villages::Village) -> String {
    match v.name.is_empty() {
        true => v.code.clone(),
        false => format!("{} {}", v.code, v.name),
    }
}
