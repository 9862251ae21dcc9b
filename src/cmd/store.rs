//! `assess init` and `assess import-sample`: the survey database.

use anyhow::Context;
use assess_store::{DrawFacts, ImportOutcome, Store};
use std::path::PathBuf;

/// Where the records live.
#[derive(clap::Args, Debug)]
pub struct DbArgs {
    /// A SQLite file (created if missing; the default needs no server) or a postgres:// URL.
    #[arg(long, env = "ASSESS_DB", default_value = "assess.db")]
    pub db: String,
}

/// `assess init`
#[derive(clap::Args, Debug)]
pub struct InitArgs {
    #[command(flatten)]
    db: DbArgs,
}

/// `assess import-sample`
#[derive(clap::Args, Debug)]
pub struct ImportSampleArgs {
    /// A directory written by `assess draw`.
    dir: PathBuf,
    /// The village file the draw used (checked against the manifest's villages_sha256): its
    /// village centres let `assess check` compare visit GPS with the village.
    #[arg(long)]
    villages: Option<PathBuf>,
    /// When the draw was made (RFC 3339, e.g. 2020-06-10T08:00:00Z), for a draw directory
    /// without receipt.json; otherwise the receipt's time is used.
    #[arg(long)]
    drawn_at: Option<String>,
    #[command(flatten)]
    db: DbArgs,
}

/// Runs an async store operation on a small runtime: the CLI itself stays synchronous.
pub fn block_on<F: std::future::Future>(future: F) -> anyhow::Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    Ok(runtime.block_on(future))
}

pub fn run_init(args: InitArgs) -> anyhow::Result<()> {
    block_on(async {
        let store = Store::open(&args.db.db).await?;
        println!(
            "{} database ready at {} (schema up to date)",
            backend_name(&store),
            args.db.db
        );
        store.close().await;
        Ok(())
    })?
}

pub fn run_import(args: ImportSampleArgs) -> anyhow::Result<()> {
    let draw = assess_draw::load_draw_dir(&args.dir)?;
    let facts = draw_facts(&draw, args.villages.as_deref(), args.drawn_at.as_deref())?;
    block_on(async {
        let store = Store::open(&args.db.db).await?;
        let outcome = store.import_draw(&draw, &facts).await?;
        match outcome {
            ImportOutcome::Imported {
                villages,
                households,
            } => println!(
                "imported draw {} ({}): {villages} villages, {households} households",
                draw.manifest.sample_sha256, draw.manifest.plan_name
            ),
            ImportOutcome::AlreadyPresent { facts_added: 0 } => {
                println!(
                    "draw {} is already in the database; nothing changed",
                    draw.manifest.sample_sha256
                )
            }
            ImportOutcome::AlreadyPresent { facts_added } => {
                println!(
                    "draw {} is already in the database; {facts_added} missing fact{} (draw time, village centres) added",
                    draw.manifest.sample_sha256,
                    if facts_added == 1 { "" } else { "s" }
                )
            }
        }
        store.close().await;
        Ok(())
    })?
}

fn backend_name(store: &Store) -> &'static str {
    match store.backend() {
        assess_store::Backend::Sqlite => "SQLite",
        assess_store::Backend::Postgres => "PostgreSQL",
    }
}

/// `assess draws`
#[derive(clap::Args, Debug)]
pub struct DrawsArgs {
    #[command(flatten)]
    db: DbArgs,
}

pub fn run_draws(args: DrawsArgs) -> anyhow::Result<()> {
    block_on(async {
        let store = Store::open(&args.db.db).await?;
        let draws = store.draws().await?;
        if draws.is_empty() {
            println!("no draws in {}", args.db.db);
        }
        for d in &draws {
            println!(
                "{}  {}  {} villages, {} households  register {}",
                d.draw_id,
                d.plan_name,
                d.villages,
                d.households,
                &d.frame_fingerprint[..16]
            );
        }
        store.close().await;
        Ok(())
    })?
}

/// The draw's time (receipt or `--drawn-at`) and its villages' centres (from the village file
/// the draw used, which must be the one its manifest names by hash).
fn draw_facts(
    draw: &assess_draw::DrawDir,
    villages: Option<&std::path::Path>,
    drawn_at: Option<&str>,
) -> anyhow::Result<DrawFacts> {
    let drawn_at = match drawn_at {
        Some(text) => {
            let seconds = assess_inspection::parse_rfc3339(text).with_context(|| {
                format!("--drawn-at {text:?} is not an RFC 3339 time such as 2020-06-10T08:00:00Z")
            })?;
            let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs_f64(seconds.max(0.0));
            Some(humantime::format_rfc3339_seconds(t).to_string())
        }
        None => assess_draw::read_receipt(&draw.path)?.map(|r| r.drawn_at),
    };
    let mut facts = DrawFacts {
        drawn_at,
        ..DrawFacts::default()
    };
    let Some(path) = villages else {
        return Ok(facts);
    };
    let Some(expected) = &draw.manifest.villages_sha256 else {
        anyhow::bail!(
            "{}: the draw was made without a village file, so --villages cannot be matched to it; leave it out",
            path.display()
        );
    };
    let options = assess_register::ReadOptions {
        vintage: Some(
            draw.manifest
                .division_codes
                .vintage
                .parse()
                .map_err(anyhow::Error::msg)?,
        ),
        ..assess_register::ReadOptions::default()
    };
    let file = assess_register::read_villages(path, &options)?;
    if &file.sha256 != expected {
        anyhow::bail!(
            "{}: this is not the village file the draw used (its canonical SHA-256 is {}, the manifest names {expected}); \
             give the file the draw was made with",
            path.display(),
            file.sha256
        );
    }
    let sampled: std::collections::HashSet<&str> = draw
        .villages
        .iter()
        .map(|v| v.village_code.as_str())
        .collect();
    for v in &file.villages {
        let code = v.village.as_str();
        if let (true, Some(lon), Some(lat)) = (sampled.contains(code), v.lon, v.lat) {
            facts.village_centres.insert(code.to_string(), (lon, lat));
        }
    }
    Ok(facts)
}
