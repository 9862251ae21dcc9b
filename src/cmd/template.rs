//! `assess template`: the XLSX visit-record template field teams fill, optionally listing a
//! draw's households (primaries and reserves) so that a team gets its assignment.

use crate::cmd::store::block_on;
use assess_app::template;
use assess_forms::ListLanguage;
use assess_output::write_atomic;
use assess_report::Lang;
use assess_sampling::Role;
use assess_store::Store;
use std::collections::HashMap;
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
    /// The words of the drop-down lists: en (complete, male, true, ...) or zh (完成, 男, 是,
    /// ...). A cell may hold either language's word, whichever the lists show.
    #[arg(long, value_enum, default_value = "en")]
    lang: Lang,
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
    let language = match args.lang {
        Lang::En => ListLanguage::English,
        Lang::Zh => ListLanguage::Chinese,
    };
    let Some(draw) = &args.draw else {
        write_atomic(
            out,
            &template::workbook(None, &[], &HashMap::new(), language)?,
        )?;
        println!("wrote {}: empty visit-record template", out.display());
        return Ok(());
    };
    let Some(db) = &args.db else {
        anyhow::bail!("--draw {draw} needs --db: the database that holds the draw");
    };
    let (units, display) = block_on(async {
        let store = Store::open(db).await?;
        let units = template::draw_households(&store, draw, &args.county, &args.village).await;
        let display = match units {
            Ok(Some(_)) => template::draw_display(&store, draw).await,
            _ => Ok(HashMap::new()),
        };
        store.close().await;
        anyhow::Ok((units?, display?))
    })??;
    let Some(units) = units else {
        anyhow::bail!(
            "draw {draw} is not in the database {}; `assess draws` lists the draws there (import one with `assess import-sample`)",
            db
        );
    };
    let primaries = units.iter().filter(|u| u.role == Role::Primary).count();
    let bytes = template::workbook(Some(draw), &units, &display, language)?;
    write_atomic(out, &bytes)?;
    let described = units
        .iter()
        .filter(|u| display.contains_key(&u.household_id))
        .count();
    let described = match described {
        0 => String::new(),
        n => format!(", {n} with the register's name, group, address or phone"),
    };
    println!(
        "wrote {}: visit-record template for draw {draw}, {} households ({primaries} primaries, {} reserves){described}",
        out.display(),
        units.len(),
        units.len() - primaries
    );
    Ok(())
}
