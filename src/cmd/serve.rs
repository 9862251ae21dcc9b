//! `assess serve`: the field server over a survey database (docs/server.md).

use anyhow::Context;
use assess_app::census_uploads::{CensusTarget, CensusWriter};
use assess_server::{ServerState, Settings};
use assess_store::Store;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;

/// `assess serve`
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// A SQLite file (made by `assess init`) or a postgres:// URL.
    #[arg(long, env = "ASSESS_DB", required_unless_present = "print_openapi")]
    db: Option<String>,
    /// Address and port to listen on; 127.0.0.1 keeps it on this machine, 0.0.0.0 opens it to
    /// the network (put it behind a TLS proxy there).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Standards records are judged by (TOML); default: the built-in standards.
    #[arg(long)]
    standards: Option<PathBuf>,
    /// Largest JSON request body, bytes.
    #[arg(long, default_value_t = Settings::default().max_body_bytes)]
    max_body_bytes: usize,
    /// Most records in one upload batch.
    #[arg(long, default_value_t = Settings::default().max_batch_records)]
    max_batch: usize,
    /// Largest photo, bytes.
    #[arg(long, default_value_t = Settings::default().max_photo_bytes)]
    max_photo_bytes: usize,
    /// Requests per second each account may make on average; 0: no limit.
    #[arg(long, default_value_t = 50)]
    rate: u32,
    /// Requests an account may make at once above its rate.
    #[arg(long, default_value_t = 100)]
    burst: u32,
    /// Longest a request may take, e.g. 120s or 2m.
    #[arg(long, default_value = "120s", value_parser = humantime::parse_duration)]
    timeout: std::time::Duration,
    /// The census store (a Parquet dataset directory, made when new or empty) that census
    /// returns uploaded to /api/v1/census/returns go to; the server holds its lock while it
    /// runs. Without it, a PostgreSQL --db takes them in its census tables.
    #[arg(long, value_name = "DIR")]
    census_store: Option<PathBuf>,
    /// Log one JSON object per line instead of text.
    #[arg(long)]
    pub log_json: bool,
    /// Print the OpenAPI document (docs/openapi.json) and exit.
    #[arg(long)]
    print_openapi: bool,
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    if args.print_openapi {
        print!("{}", assess_server::openapi::json());
        return Ok(());
    }
    let (standards, toml) = match &args.standards {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            (crate::cmd::load_standards(Some(path))?, text)
        }
        None => (
            assess_standards::Standards::builtin(),
            assess_standards::Standards::builtin_toml().to_string(),
        ),
    };
    let settings = Settings {
        max_body_bytes: args.max_body_bytes,
        max_batch_records: args.max_batch.max(1),
        max_photo_bytes: args.max_photo_bytes,
        requests_per_second: NonZeroU32::new(args.rate),
        burst: NonZeroU32::new(args.burst).unwrap_or(NonZeroU32::MIN),
        request_timeout: args.timeout,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let db = args.db.clone().unwrap_or_default();
    runtime.block_on(async {
        let store = Store::open(&db).await?;
        let census = match (&args.census_store, db.starts_with("postgres")) {
            (Some(dir), _) => Some(CensusTarget::Parquet(dir.clone())),
            (None, true) => Some(CensusTarget::Postgres(db.clone())),
            (None, false) => None,
        };
        let mut state = ServerState::new(store.clone(), settings, standards.clone(), toml);
        if let Some(target) = census {
            let what = target.to_string();
            let writer = tokio::task::block_in_place(|| CensusWriter::open(target, standards))
                .with_context(|| match &args.census_store {
                    Some(dir) => format!("--census-store {}", dir.display()),
                    None => format!("opening {what} for census uploads"),
                })?;
            tracing::info!(census = %what, "census returns taken");
            state = state.with_census(writer);
        }
        let state = Arc::new(state);
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .with_context(|| format!("listening on {}", args.listen))?;
        let address = listener.local_addr()?;
        // The first line on stdout says where it listens (with the port the system chose for
        // `:0`), so scripts and tests can wait for it.
        println!("assess serve: listening on http://{address} (database {db})");
        tracing::info!(%address, "listening");
        assess_server::serve(listener, state, assess_server::shutdown_signal()).await?;
        store.close().await;
        println!("assess serve: stopped; every request in flight was answered");
        Ok(())
    })
}
