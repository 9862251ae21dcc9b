//! `assess check`: the checks across a draw's visit records (reserve order and use, short
//! interviews, replacements owed) and its response and replacement rates by village and team.

use crate::cmd::store::{block_on, DbArgs};
use assess_inspection::{check_draw, CheckConfig, CheckReport, Rates};
use assess_store::Store;

/// `assess check`
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Only this draw (its id, the sample SHA-256); every draw when omitted.
    #[arg(long)]
    draw: Option<String>,
    /// Interviews (complete or partial) shorter than this many minutes are warned about.
    #[arg(long, default_value_t = CheckConfig::default().min_interview_minutes)]
    min_interview_minutes: f64,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(args: CheckArgs) -> anyhow::Result<()> {
    let config = CheckConfig {
        min_interview_minutes: args.min_interview_minutes,
        ..CheckConfig::default()
    };
    let draws = block_on(async {
        let store = Store::open(&args.db.db).await?;
        let draws = store.draws_for_check(args.draw.as_deref()).await;
        store.close().await;
        draws
    })??;
    if draws.is_empty() {
        match &args.draw {
            Some(d) => anyhow::bail!(
                "draw {d} is not in the database; `assess draws` lists the draws there"
            ),
            None => {
                anyhow::bail!("the database holds no draw; import one with `assess import-sample`")
            }
        }
    }
    let (mut errors, mut warnings) = (0, 0);
    for d in &draws {
        let report = check_draw(&d.sample, &d.visits, &config);
        println!(
            "draw {}: {} households in the sample, {} with a visit record",
            d.draw_id,
            d.sample.len(),
            d.visits.len()
        );
        print_report(&report);
        errors += report.errors();
        warnings += report.warnings();
    }
    if errors > 0 {
        anyhow::bail!(
            "{errors} error{} and {warnings} warning{} found; fix the errors (listed above) and import the corrected records",
            plural(errors),
            plural(warnings)
        );
    }
    println!(
        "no errors, {warnings} warning{}{}",
        plural(warnings),
        if warnings > 0 {
            " (each needs a note or a correction)"
        } else {
            ""
        }
    );
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn print_report(report: &CheckReport) {
    if report.findings.is_empty() {
        println!("problems: none");
    } else {
        println!(
            "problems: {} error{}, {} warning{}",
            report.errors(),
            plural(report.errors()),
            report.warnings(),
            plural(report.warnings())
        );
        let mut place: Option<(&str, &str)> = None;
        for f in &report.findings {
            if place != Some((&f.county, &f.village)) {
                println!("  county {}, village {}", f.county, f.village);
                place = Some((&f.county, &f.village));
            }
            println!("    {f}");
        }
    }
    println!("rates by village");
    print_rates("county  village", report.by_village.iter(), true);
    println!("rates by team");
    print_rates("team", report.by_team.iter(), false);
}

fn print_rates<'a>(head: &str, rows: impl Iterator<Item = &'a Rates>, village: bool) {
    println!(
        "  {head:<24} {:>9} {:>8} {:>11} {:>7} {:>10} {:>8} {:>9} {:>8}",
        "primaries",
        "reserves",
        "replacement",
        "visited",
        "ineligible",
        "eligible",
        "responded",
        "response"
    );
    for r in rows {
        let key = if village {
            format!("{}  {}", r.county, r.key)
        } else {
            r.key.clone()
        };
        println!(
            "  {key:<24} {:>9} {:>8} {:>11} {:>7} {:>10} {:>8} {:>9} {:>8}",
            r.primaries,
            r.reserves_used,
            percent(r.replacement_rate()),
            r.visited,
            r.ineligible,
            r.eligible,
            r.responded,
            percent(r.response_rate())
        );
    }
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or("-".to_string(), |r| format!("{:.1}%", 100.0 * r))
}
