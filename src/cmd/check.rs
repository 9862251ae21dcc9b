//! `assess check`: the checks of a draw's visit records (reserve order and use, visit times
//! and places, income and schooling answers, photo integrity), the households with
//! identification flags, and the response and replacement rates by village and team.

use crate::cmd::store::{block_on, DbArgs};
use assess_app::checks::{check_draws, county_rollup, CountyRollup};
use assess_inspection::{CheckConfig, CheckReport, Rates};
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
    /// Visit GPS fixes farther than this many km from the village centre are warned about.
    #[arg(long, default_value_t = CheckConfig::default().max_km_from_village)]
    max_km_from_village: f64,
    /// Standards file (TOML, the layout of data/standards/standards.toml); built-in when absent.
    #[arg(long)]
    standards: Option<std::path::PathBuf>,
    /// Print the checks as JSON (per draw: the county roll-up, every finding, the rates by
    /// village and team, the households with identification flags) instead of text; the exit
    /// status is the same.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(args: CheckArgs) -> anyhow::Result<()> {
    let config = CheckConfig {
        min_interview_minutes: args.min_interview_minutes,
        max_km_from_village: args.max_km_from_village,
        ..CheckConfig::default()
    };
    let standards = crate::cmd::load_standards(args.standards.as_deref())?;
    let draws = block_on(async {
        let store = Store::open(&args.db.db).await?;
        let draws = check_draws(&store, args.draw.as_deref(), &standards, &config).await;
        store.close().await;
        anyhow::Ok(draws?)
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
    let (mut errors, mut warnings, mut open) = (0, 0, 0);
    for d in &draws {
        let report = &d.report;
        errors += report.errors();
        warnings += report.warnings();
        open += report.open_warnings();
        if args.json {
            continue;
        }
        println!(
            "draw {}: {} households in the sample, {} with a visit record",
            d.draw_id,
            d.input.sample.len(),
            d.input.visits.len()
        );
        print_limits(&d.input);
        print_report(report);
        print_identification_flags(&report.identification_flags);
        print_rates_of(report);
        print_rollup(&county_rollup(report));
    }
    if args.json {
        let all: Vec<serde_json::Value> = draws.iter().map(|d| d.to_json()).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "draws": all }))?
        );
    }
    if errors > 0 {
        anyhow::bail!(
            "{errors} error{} and {warnings} warning{} found; fix the errors (listed above) and import the corrected records",
            plural(errors),
            plural(warnings)
        );
    }
    if args.json {
        // stdout holds the JSON alone.
        return Ok(());
    }
    println!(
        "no errors, {warnings} warning{} ({open} without a note{})",
        plural(warnings),
        if open > 0 {
            ": each needs a note in its visit record or a correction"
        } else {
            ""
        }
    );
    Ok(())
}

/// Says which checks could not run for lack of facts, so that silence is not read as a pass.
fn print_limits(input: &assess_inspection::CheckInput) {
    if input.drawn_at.is_none() {
        println!(
            "  note: the draw's time is not known (no receipt.json was imported): visits are not checked against it"
        );
    }
    if input.village_centres.is_empty() {
        println!(
            "  note: no village centres (import the draw with --villages FILE): visit GPS is not checked against the village"
        );
    }
}

/// One line per county: progress, response and what the checks found there.
fn print_rollup(counties: &[CountyRollup]) {
    println!("by county");
    println!(
        "  {:<8} {:>9} {:>8} {:>7} {:>8} {:>9} {:>8} {:>7} {:>9} {:>6} {:>7}",
        "county",
        "primaries",
        "reserves",
        "visited",
        "eligible",
        "responded",
        "response",
        "errors",
        "warnings",
        "open",
        "flagged"
    );
    for c in counties {
        println!(
            "  {:<8} {:>9} {:>8} {:>7} {:>8} {:>9} {:>8} {:>7} {:>9} {:>6} {:>7}",
            c.county,
            c.primaries,
            c.reserves_used,
            c.visited,
            c.eligible,
            c.responded,
            percent(c.response_rate),
            c.errors,
            c.warnings,
            c.open_warnings,
            c.identification_flagged
        );
    }
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
}

/// The households with identification flags, in a section of their own: neither errors nor
/// warnings (nothing to fix in the record), and outside the four rates.
fn print_identification_flags(flagged: &[assess_inspection::FlaggedHousehold]) {
    if flagged.is_empty() {
        println!("identification flags: none");
        return;
    }
    println!(
        "identification flags: {} household{} (leads for the county to re-examine identification; \
         they enter none of the four rates)",
        flagged.len(),
        plural(flagged.len())
    );
    for h in flagged {
        println!("  {h}");
    }
}

fn print_rates_of(report: &CheckReport) {
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
