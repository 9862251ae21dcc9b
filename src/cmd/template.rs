//! `assess template`: the XLSX visit-record template field teams fill, optionally listing a
//! draw's households (primaries and reserves) so that a team gets its assignment.

use crate::cmd::store::block_on;
use assess_app::template;
use assess_output::write_atomic;
use assess_sampling::Role;
use assess_store::Store;
use std::path::PathBuf;

/// `assess template`
#[derive(clap::Args, Debug)]
pub struct TemplateArgs {
    /// The workbook to write (.xlsx); refused if it exists, unless --force.
    #[arg(long)]
    out: PathBuf,
    /// Pre-fill sheet `visits` with this draw's households (its id, the sample SHA-256), read
    /// from the database.
    #[arg(long)]
    draw: Option<String>,
    /// With --draw: only the households of these counties (6-digit codes; repeat the option
    /// or separate codes with commas).
    #[arg(long, value_delimiter = ',', requires = "draw")]
    county: Vec<String>,
    /// With --draw: only the households of these villages (division codes; repeat the option
    /// or separate codes with commas).
    #[arg(long, value_delimiter = ',', requires = "draw")]
    village: Vec<String>,
    /// Replace the file if it exists.
    #[arg(long)]
    force: bool,
    /// With --draw: the database holding it (a SQLite file or a postgres:// URL).
    #[arg(long, env = "ASSESS_DB")]
    db: Option<String>,
}

pub fn run(args: TemplateArgs) -> anyhow::Result<()> {
    let out = &args.out;
    if out.exists() && !args.force {
        anyhow::bail!(
            "{} exists (it may be a filled workbook); choose another name, or pass --force to replace it",
            out.display()
        );
    }
    let Some(draw) = &args.draw else {
        write_atomic(out, &template::workbook(None, &[])?)?;
        println!("wrote {}: empty visit-record template", out.display());
        return Ok(());
    };
    let Some(db) = &args.db else {
        anyhow::bail!("--draw {draw} needs --db: the database that holds the draw");
    };
    let units = block_on(async {
        let store = Store::open(db).await?;
        let units = template::draw_households(&store, draw, &args.county, &args.village).await;
        store.close().await;
        anyhow::Ok(units?)
    })??;
    let Some(units) = units else {
        anyhow::bail!(
            "draw {draw} is not in the database {}; `assess draws` lists the draws there (import one with `assess import-sample`)",
            db
        );
    };
    let primaries = units.iter().filter(|u| u.role == Role::Primary).count();
    write_atomic(out, &template::workbook(Some(draw), &units)?)?;
    println!(
        "wrote {}: visit-record template for draw {draw}, {} households ({primaries} primaries, {} reserves)",
        out.display(),
        units.len(),
        units.len() - primaries
    );
    Ok(())
}
