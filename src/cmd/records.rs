//! `assess import-records` and `assess records`: visit records in the survey database.

use crate::cmd::store::{block_on, DbArgs};
use assess_app::records;
use assess_store::Store;
use std::path::PathBuf;

/// `assess import-records`
#[derive(clap::Args, Debug)]
pub struct ImportRecordsArgs {
    /// Visit records: a JSON array of records, JSON Lines (one record after another), or a
    /// filled XLSX template from `assess template`.
    file: PathBuf,
    #[command(flatten)]
    db: DbArgs,
}

/// `assess records`
#[derive(clap::Args, Debug)]
pub struct RecordsArgs {
    /// Only this draw (its id, the sample SHA-256); every draw when omitted.
    #[arg(long)]
    draw: Option<String>,
    /// Every version, not only the current one of each household.
    #[arg(long)]
    all_versions: bool,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run_import(args: ImportRecordsArgs) -> anyhow::Result<()> {
    let name = args.file.display().to_string();
    let bytes = std::fs::read(&args.file)
        .map_err(|e| anyhow::anyhow!("{name}: cannot read the file: {e}"))?;
    let visits = records::read_visit_file(&name, bytes)?;
    let done = block_on(async {
        let store = Store::open(&args.db.db).await?;
        let result = records::import(&store, &name, &visits).await;
        store.close().await;
        anyhow::Ok(result?)
    })??;
    println!(
        "{} new, {} changed (new version), {} unchanged",
        done.new, done.changed, done.unchanged
    );
    Ok(())
}

pub fn run_list(args: RecordsArgs) -> anyhow::Result<()> {
    block_on(async {
        let store = Store::open(&args.db.db).await?;
        let rows = store.visits(args.draw.as_deref(), args.all_versions).await;
        store.close().await;
        let rows = rows?;
        for r in &rows {
            println!(
                "{}  {}  v{}{}  {}  {}  {}  {}",
                &r.draw_id[..r.draw_id.len().min(16)],
                r.household_id,
                r.version,
                if r.is_current { " current" } else { "" },
                r.disposition,
                &r.content_sha256[..16],
                r.imported_at,
                r.source_file
            );
        }
        let households = rows.iter().filter(|r| r.is_current).count();
        println!(
            "{} record version{} listed, {households} current",
            rows.len(),
            if rows.len() == 1 { "" } else { "s" }
        );
        Ok(())
    })?
}
