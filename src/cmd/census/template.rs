//! `assess census template`: the XLSX census return template (sheet `returns` and the
//! household, members, housing, water, approval, identification and assistance sheets), with
//! English or Chinese headers (docs/census.md, "XLSX").

use assess_forms::census::census_template;
use assess_forms::ListLanguage;
use assess_output::write_atomic;
use assess_report::Lang;
use std::path::PathBuf;

/// `assess census template`
#[derive(clap::Args, Debug)]
pub struct TemplateArgs {
    /// The workbook to write (.xlsx); refused if it exists, unless --force.
    #[arg(long)]
    out: PathBuf,
    /// The header row's language: en (return_id, household_id, ...) or zh (普查表编号, 户编号,
    /// ...). Either is read back.
    #[arg(long, value_enum, default_value = "en")]
    lang: Lang,
    /// Replace the file if it exists.
    #[arg(long)]
    force: bool,
}

pub fn run(args: TemplateArgs) -> anyhow::Result<()> {
    let out = &args.out;
    if out.exists() && !args.force {
        anyhow::bail!(
            "{} exists (it may be a filled workbook); choose another name, or pass --force to replace it",
            out.display()
        );
    }
    let headers = match args.lang {
        Lang::En => ListLanguage::English,
        Lang::Zh => ListLanguage::Chinese,
    };
    write_atomic(out, &census_template(headers)?)?;
    println!(
        "wrote {}: census return template (sheets {})",
        out.display(),
        assess_forms::census::census_sheet_names().join(", ")
    );
    Ok(())
}
