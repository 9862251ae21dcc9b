//! `assess init` and `assess import-sample`: the survey database.

use anyhow::Context;
use assess_app::draws::{self, DrawImport};
use assess_store::{ImportOutcome, Store};
use std::path::PathBuf;

/// Where the records live.
#[derive(clap::Args, Debug)]
pub struct DbArgs {
    /// A SQLite file (made by `assess init`; no server needed) or a postgres:// URL.
    #[arg(long, env = "ASSESS_DB")]
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
        let store = Store::create(&args.db.db).await?;
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
    let import = DrawImport::read(
        &args.dir,
        args.villages.as_deref(),
        args.drawn_at.as_deref(),
    )?;
    let done = block_on(async {
        let store = Store::open(&args.db.db).await?;
        let done = draws::import(&store, &import).await;
        store.close().await;
        anyhow::Ok(done?)
    })??;
    match done.outcome {
        ImportOutcome::Imported {
            villages,
            households,
        } => println!(
            "imported draw {} ({}): {villages} villages, {households} households",
            done.draw_id, done.plan_name
        ),
        ImportOutcome::AlreadyPresent { facts_added: 0 } => {
            println!(
                "draw {} is already in the database; nothing changed",
                done.draw_id
            )
        }
        ImportOutcome::AlreadyPresent { facts_added } => {
            println!(
                "draw {} is already in the database; {facts_added} missing fact{} (draw time, village centres) added",
                done.draw_id,
                if facts_added == 1 { "" } else { "s" }
            )
        }
    }
    Ok(())
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
