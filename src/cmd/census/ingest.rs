//! `assess census ingest (--store DIR | --db URL) RETURNS...`: census returns read, judged and
//! written to the census store (a Parquet dataset) or the census tables of PostgreSQL,
//! resumable and idempotent (docs/census.md, "Store and ingest").

use crate::cmd::progress;
use anyhow::bail;
use assess_app::census_ingest::{
    self, Format, IngestReport, IngestSettings, InputReport, Progress,
};
use assess_census::{CensusSink, Reject};
use assess_census_store::ParquetSink;
use assess_output::AtomicFile;
use assess_register::{EncodingChoice, ReadOptions};
use assess_standards::Standards;
use assess_store::census::PgSink;
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct IngestArgs {
    /// The census store: a directory (made when new or empty). Give this or --db.
    #[arg(long, value_name = "DIR", conflicts_with = "db")]
    store: Option<PathBuf>,
    /// The census tables of a PostgreSQL database instead (postgres://...; made when
    /// missing), for many offices loading at once.
    #[arg(long, value_name = "URL")]
    db: Option<String>,
    /// Returns files: CSV (one row per member) or JSON Lines, regular files (not pipes).
    #[arg(value_name = "RETURNS")]
    returns: Vec<PathBuf>,
    /// The returns' layout: auto (by the file's extension), csv, jsonl or xlsx (the filled
    /// census template).
    #[arg(long, default_value = "auto", value_parser = parse_format)]
    format: Format,
    /// Text encoding of CSV returns: auto, utf-8 or gb18030.
    #[arg(long, default_value = "auto", value_parser = parse_encoding)]
    encoding: EncodingChoice,
    /// Standards file (TOML, the layout of data/standards/standards.toml); built-in when absent.
    #[arg(long, value_name = "FILE")]
    standards: Option<PathBuf>,
    /// Also load this register (CSV or XLSX, as `assess frame check` reads it): each of its
    /// counties' register rows are replaced whole.
    #[arg(long, value_name = "FILE")]
    register: Option<PathBuf>,
    /// Write every refused return (file, line, return id, field, reason) to this CSV.
    #[arg(long, value_name = "FILE")]
    rejects: Option<PathBuf>,
    /// How many refused returns to print (all are counted, and all go to --rejects).
    #[arg(long, default_value_t = 20)]
    max_errors: usize,
    /// Exit with status 1 when any return was refused (the others are stored all the same).
    #[arg(long)]
    strict: bool,
    /// A checkpoint after this many returns (and at the end of each file).
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..))]
    checkpoint_every: u64,
}

fn parse_format(s: &str) -> Result<Format, String> {
    match s {
        "auto" => Ok(Format::Auto),
        "csv" => Ok(Format::Csv),
        "jsonl" | "json-lines" => Ok(Format::JsonLines),
        "xlsx" => Ok(Format::Xlsx),
        _ => Err(format!("{s:?}: give auto, csv, jsonl or xlsx")),
    }
}

fn parse_encoding(s: &str) -> Result<EncodingChoice, String> {
    s.parse()
}

pub fn run(a: IngestArgs) -> anyhow::Result<()> {
    if a.store.is_none() && a.db.is_none() {
        bail!(
            "where to: give the census store with --store DIR (a Parquet dataset, no server) or \
             a PostgreSQL database with --db postgres://..."
        );
    }
    if a.returns.is_empty() && a.register.is_none() {
        bail!("nothing to ingest: give returns files, or a register with --register FILE");
    }
    if let Some(r) = &a.rejects {
        if a.returns.contains(r) {
            bail!(
                "--rejects {} is one of the returns files; give another name",
                r.display()
            );
        }
    }
    let standards = crate::cmd::load_standards(a.standards.as_deref())?;
    let settings = IngestSettings {
        format: a.format,
        encoding: a.encoding,
        checkpoint_every: a.checkpoint_every,
        ..IngestSettings::default()
    };
    // Inputs that cannot be read are refused before the store is made or opened.
    for path in &a.returns {
        census_ingest::format_of(path, a.format)?;
        census_ingest::input_id(path)?;
    }
    match (&a.store, &a.db) {
        (Some(dir), None) => {
            let (mut sink, cleaned) = ParquetSink::open(dir)?;
            if !cleaned.orphans.is_empty() || cleaned.torn_journal {
                tracing::info!(
                    orphans = cleaned.orphans.len(),
                    torn_journal = cleaned.torn_journal,
                    "removed what an interrupted ingest left"
                );
            }
            if let Some(register) = &a.register {
                let bar = progress::counter("register households");
                let counts =
                    census_ingest::load_register(&mut sink, register, &ReadOptions::default());
                bar.finish_and_clear();
                print_register(register, &counts?);
            }
            ingest_into(&mut sink, &a, &standards, &settings)
        }
        (None, Some(url)) => {
            let mut sink = PgSink::connect(url)?;
            if let Some(register) = &a.register {
                let bar = progress::counter("register households");
                let counts =
                    census_ingest::load_register_pg(&mut sink, register, &ReadOptions::default());
                bar.finish_and_clear();
                print_register(register, &counts?);
            }
            ingest_into(&mut sink, &a, &standards, &settings)
        }
        _ => unreachable!("one of --store and --db, checked above and by clap"),
    }
}

fn print_register(register: &std::path::Path, counts: &BTreeMap<String, u64>) {
    let households: u64 = counts.values().sum();
    let counties = match counts.len() {
        1 => "1 county".to_string(),
        n => format!("{n} counties"),
    };
    println!(
        "register {}: {households} households of {counties} (each county's register replaced)",
        register.display()
    );
}

/// Ingests the returns files into `sink`, prints the report, writes the refusals.
fn ingest_into<S: CensusSink>(
    sink: &mut S,
    a: &IngestArgs,
    standards: &Standards,
    settings: &IngestSettings,
) -> anyhow::Result<()> {
    if a.returns.is_empty() {
        return Ok(());
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} {wide_bar} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} [{elapsed} / ~{eta}]",
        )
        .expect("static template"),
    );
    let mut on_progress = |p: Progress<'_>| match p {
        Progress::File { path, size, from } => {
            bar.set_length(size);
            bar.set_position(from);
            bar.reset_eta();
            bar.set_message(path.display().to_string());
        }
        Progress::Bytes(n) => bar.set_position(n),
    };
    let report = census_ingest::ingest(sink, &a.returns, standards, settings, &mut on_progress);
    bar.finish_and_clear();
    let report = report?;
    print_report(&report, a.max_errors);
    if let Some(path) = &a.rejects {
        write_rejects(path, &report.rejects)?;
        println!("refused returns written to {}", path.display());
    }
    let total = report.total();
    if a.strict && total.rejected > 0 {
        bail!(
            "refused returns: {} (--strict); the others are stored. Correct the refused \
             returns and ingest the corrected file",
            total.rejected
        );
    }
    Ok(())
}

fn line(i: &InputReport) -> String {
    let c = i.counts;
    let mut s = format!(
        "{}: {} returns read, {} stored ({} members), {} already held, {} refused",
        i.path.display(),
        c.read,
        c.stored,
        c.members,
        c.already_held,
        c.rejected
    );
    if i.already_done {
        s.push_str(" (ingested by an earlier run; nothing read now)");
    } else if let Some(items) = i.resumed_at {
        s.push_str(&format!(" (resumed after {items} returns)"));
    }
    s
}

fn print_report(report: &IngestReport, max_errors: usize) {
    for input in &report.inputs {
        println!("{}", line(input));
    }
    let t = report.total();
    if report.inputs.len() > 1 {
        println!(
            "total: {} returns read, {} stored ({} members), {} already held, {} refused",
            t.read, t.stored, t.members, t.already_held, t.rejected
        );
    }
    let mut out = std::io::stderr().lock();
    for r in report.rejects.iter().take(max_errors) {
        let id = r
            .return_id
            .as_deref()
            .map(|id| format!("return {id}: "))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "refused: {}:{}: {id}{}: {}",
            r.file, r.line, r.field, r.reason
        );
    }
    if report.rejects.len() > max_errors {
        let _ = writeln!(
            out,
            "... and {} more refusals (all with --rejects FILE)",
            report.rejects.len() - max_errors
        );
    }
}

fn write_rejects(path: &std::path::Path, rejects: &[Reject]) -> anyhow::Result<()> {
    let file = AtomicFile::create(path)?;
    let mut w = csv::Writer::from_writer(file);
    w.write_record(["file", "line", "return_id", "field", "reason"])?;
    for r in rejects {
        w.write_record([
            r.file.as_str(),
            &r.line.to_string(),
            r.return_id.as_deref().unwrap_or(""),
            &r.field,
            &r.reason,
        ])?;
    }
    let file = w
        .into_inner()
        .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.error()))?;
    file.commit()?;
    Ok(())
}
