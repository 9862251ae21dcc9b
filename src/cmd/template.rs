//! `assess template`: the XLSX visit-record template field teams fill, optionally listing a
//! draw's households (primaries and reserves) so that a team gets its assignment.

use crate::cmd::store::{block_on, DbArgs};
use anyhow::Context;
use assess_forms::Prefill;
use assess_inspection::SampleUnit;
use assess_sampling::Role;
use assess_store::Store;
use std::io::Write;
use std::path::{Path, PathBuf};

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
    /// With --draw: only the households of these villages (division codes; repeat the option
    /// or separate codes with commas).
    #[arg(long, value_delimiter = ',', requires = "draw")]
    village: Vec<String>,
    /// Replace the file if it exists.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    db: DbArgs,
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
        write_atomically(out, &assess_forms::template(None)?)?;
        println!("wrote {}: empty visit-record template", out.display());
        return Ok(());
    };
    let units = draw_households(&args.db.db, draw, &args.village)?;
    let primaries = units.iter().filter(|u| u.role == Role::Primary).count();
    let bytes = assess_forms::template(Some(Prefill {
        draw_id: draw,
        households: &units,
    }))?;
    write_atomically(out, &bytes)?;
    println!(
        "wrote {}: visit-record template for draw {draw}, {} households ({primaries} primaries, {} reserves)",
        out.display(),
        units.len(),
        units.len() - primaries
    );
    Ok(())
}

/// The draw's households from the database, by village, stratum, role and reserve rank.
fn draw_households(db: &str, draw: &str, villages: &[String]) -> anyhow::Result<Vec<SampleUnit>> {
    let draws = block_on(async {
        let store = Store::open(db).await?;
        let draws = store.draws_for_check(Some(draw)).await;
        store.close().await;
        draws
    })??;
    let Some(found) = draws.into_iter().next() else {
        anyhow::bail!(
            "draw {draw} is not in the database {db}; `assess draws` lists the draws there (import one with `assess import-sample`)"
        );
    };
    let mut units = found.input.sample;
    if !villages.is_empty() {
        let unknown: Vec<&String> = villages
            .iter()
            .filter(|v| !units.iter().any(|u| &u.village == *v))
            .collect();
        if !unknown.is_empty() {
            anyhow::bail!(
                "village {} has no household in the sample of draw {draw}; check the code (sample_villages.csv lists the villages drawn)",
                unknown.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            );
        }
        units.retain(|u| villages.contains(&u.village));
    }
    let stratum = |s: &str| match s {
        "exited" => 0,
        "poor" => 1,
        _ => 2,
    };
    units.sort_by(|a, b| {
        (
            &a.county,
            &a.village,
            stratum(&a.stratum),
            a.role == Role::Reserve,
            a.reserve_rank,
        )
            .cmp(&(
                &b.county,
                &b.village,
                stratum(&b.stratum),
                b.role == Role::Reserve,
                b.reserve_rank,
            ))
            .then_with(|| a.household_id.cmp(&b.household_id))
    });
    Ok(units)
}

/// Writes `bytes` to a temporary file beside `path`, then renames it into place: a reader never
/// sees half a workbook, and a failure leaves no file.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file name", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("writing {}", path.display()));
    }
    Ok(())
}
