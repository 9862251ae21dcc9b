//! `assess frame check FRAME [--villages FILE] [--encoding auto|utf-8|gb18030]
//! [--vintage 2016|2021|2023] [--max-errors N] [--json]`: validate a household register and
//! print its summary, fingerprint, vintage and encoding. Writes no files. Format and
//! errors: docs/register.md.

use super::progress;
use assess_divisions::Vintage;
use assess_register::{read_villages, scan_frame, EncodingChoice, ReadOptions, VillageFile};
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Register subcommands.
#[derive(Subcommand)]
pub enum FrameCmd {
    /// Check a register: every bad row is listed; on success print the summary.
    Check(CheckArgs),
}

/// `assess frame check` arguments.
#[derive(Args)]
pub struct CheckArgs {
    /// The register: CSV (UTF-8 or GB18030) or XLSX (first sheet).
    frame: PathBuf,
    /// Optional village file (village_code, name, poverty_village, remote, lon, lat).
    #[arg(long)]
    villages: Option<PathBuf>,
    /// Text encoding of CSV files: auto, utf-8 or gb18030.
    #[arg(long, default_value = "auto", value_parser = parse_encoding)]
    encoding: EncodingChoice,
    /// Division-code vintage: 2016, 2021 or 2023 [default: detected from the codes].
    #[arg(long, value_parser = parse_vintage)]
    vintage: Option<Vintage>,
    /// How many errors to list (all are counted).
    #[arg(long, default_value_t = 50)]
    max_errors: usize,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

fn parse_encoding(s: &str) -> Result<EncodingChoice, String> {
    s.parse()
}

fn parse_vintage(s: &str) -> Result<Vintage, String> {
    s.parse()
}

/// How often the spinner is redrawn, in households.
const PROGRESS_EVERY: u64 = 100_000;

pub fn run(cmd: FrameCmd) -> anyhow::Result<()> {
    let FrameCmd::Check(args) = cmd;
    let opts = ReadOptions {
        encoding: args.encoding,
        vintage: args.vintage,
        max_errors: args.max_errors,
    };
    let bar = progress::counter("households checked");
    let mut seen: u64 = 0;
    let result = scan_frame(&args.frame, &opts, |_| {
        seen += 1;
        if seen.is_multiple_of(PROGRESS_EVERY) {
            bar.set_position(seen);
        }
    });
    bar.finish_and_clear();
    let report = result?;
    tracing::info!(households = report.households, fingerprint = %report.fingerprint, "register valid");
    // The village file is checked against the register's list so that both agree.
    let village_opts = ReadOptions {
        vintage: Some(report.vintage),
        ..opts
    };
    let villages = args
        .villages
        .as_deref()
        .map(|p| read_villages(p, &village_opts))
        .transpose()?;
    if args.json {
        let mut value = serde_json::to_value(&report)?;
        if let (Some(v), Some(map)) = (&villages, value.as_object_mut()) {
            map.insert("villages".into(), villages_json(v));
        }
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print!("{}", report.to_text());
        if let Some(v) = &villages {
            print!("{}", villages_text(v));
        }
    }
    Ok(())
}

fn villages_count(v: &VillageFile) -> (usize, usize, usize) {
    let poverty = v
        .villages
        .iter()
        .filter(|r| r.poverty_village == Some(true))
        .count();
    let remote = v.villages.iter().filter(|r| r.remote == Some(true)).count();
    (v.villages.len(), poverty, remote)
}

fn villages_json(v: &VillageFile) -> serde_json::Value {
    let (villages, poverty, remote) = villages_count(v);
    serde_json::json!({
        "path": v.path,
        "sha256": v.sha256,
        "villages": villages,
        "poverty_villages": poverty,
        "remote": remote,
    })
}

fn villages_text(v: &VillageFile) -> String {
    let (villages, poverty, remote) = villages_count(v);
    format!(
        "\nvillage file {}\n  villages {villages}, poverty villages {poverty}, remote {remote}\n  sha256   {}\n",
        v.path.display(),
        v.sha256
    )
}
