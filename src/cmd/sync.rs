//! `assess push` and `assess pull`: a team's records file synced with the field server
//! (docs/server.md, "Push and pull").

use crate::cmd::store::block_on;
use anyhow::Context;
use assess_server::client::Client;
use assess_server::sync::{self, PushProgress, Retry, SyncState};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the server is, and who is calling.
#[derive(clap::Args, Debug)]
pub struct ServerArgs {
    /// The server, e.g. http://127.0.0.1:8080.
    #[arg(long, env = "ASSESS_SERVER")]
    server: String,
    /// The account's token (better given in ASSESS_TOKEN than on the command line, where
    /// other users of the machine can see it).
    #[arg(long, env = "ASSESS_TOKEN", hide_env_values = true)]
    token: String,
    /// Longest wait for one request, e.g. 60s.
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
    timeout: Duration,
}

/// `assess push`
#[derive(clap::Args, Debug)]
pub struct PushArgs {
    /// Visit records: JSON, JSON Lines or a filled XLSX template.
    file: PathBuf,
    #[command(flatten)]
    server: ServerArgs,
    /// Records per request.
    #[arg(long, default_value_t = 200)]
    batch: usize,
    /// Attempts per batch when the connection fails.
    #[arg(long, default_value_t = 8)]
    attempts: u32,
}

/// `assess pull`
#[derive(clap::Args, Debug)]
pub struct PullArgs {
    /// Where to write the current records of your villages (JSON Lines).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    server: ServerArgs,
}

/// The state file beside a records file.
fn state_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".sync.json");
    PathBuf::from(name)
}

fn read_state(path: &Path, server: &str) -> anyhow::Result<SyncState> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let state: SyncState = serde_json::from_slice(&bytes).with_context(|| {
                format!("{} is not a sync state file; move it away", path.display())
            })?;
            // Hashes acknowledged by another server say nothing about this one.
            Ok(if state.server == server {
                state
            } else {
                SyncState::default()
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SyncState::default()),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

fn write_state(path: &Path, state: &SyncState) -> std::io::Result<()> {
    let text = serde_json::to_vec_pretty(state).map_err(std::io::Error::other)?;
    assess_output::write_atomic(path, &text).map_err(std::io::Error::other)
}

pub fn run_push(args: PushArgs) -> anyhow::Result<()> {
    let visits: Vec<_> = assess_app::records::read_visit_path(&args.file)?
        .into_iter()
        .map(|n| n.visit)
        .collect();
    let state_file = state_path(&args.file);
    let mut state = read_state(&state_file, &args.server.server)?;
    state.server = args.server.server.clone();
    let client = Client::new(&args.server.server, &args.server.token, args.server.timeout)?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} acknowledged [{elapsed}]")
            .expect("static template"),
    );
    let show = |p: PushProgress| {
        bar.set_length(p.total as u64);
        bar.set_position(p.acknowledged as u64);
        bar.set_message(format!("sent {}", p.sent));
    };
    let retry = Retry {
        attempts: args.attempts.max(1),
        ..Retry::default()
    };
    let mut save = |s: &SyncState| write_state(&state_file, s);
    let report = block_on(sync::push(
        &client, &visits, &mut state, args.batch, retry, &show, &mut save,
    ))??;
    bar.finish_and_clear();
    println!(
        "{}: {} records; {} accepted, {} unchanged, {} already on the server (not sent), {} conflicts, {} refused{}",
        args.file.display(),
        report.records,
        report.accepted,
        report.unchanged,
        report.skipped,
        report.conflicts.len(),
        report.refused.len(),
        if report.retries > 0 { format!("; {} retries", report.retries) } else { String::new() }
    );
    for c in &report.conflicts {
        println!(
            "conflict: household {}: the server's record changed (version {}) since your copy; pull, merge, push again",
            c.household_id,
            c.current_version.unwrap_or(0)
        );
    }
    for r in &report.refused {
        println!(
            "refused: household {}: {}: {}",
            r.household_id,
            r.field.as_deref().unwrap_or("record"),
            r.message.as_deref().unwrap_or("")
        );
    }
    if !report.conflicts.is_empty() || !report.refused.is_empty() {
        anyhow::bail!(
            "{} records were not stored as current (listed above)",
            report.conflicts.len() + report.refused.len()
        );
    }
    Ok(())
}

pub fn run_pull(args: PullArgs) -> anyhow::Result<()> {
    let client = Client::new(&args.server.server, &args.server.token, args.server.timeout)?;
    let bar = crate::cmd::progress::counter("pulling records");
    let (records, mut state) = block_on(sync::pull(&client))??;
    bar.finish_and_clear();
    state.server = args.server.server.clone();
    let mut text = String::new();
    for r in &records {
        text.push_str(&r.to_string());
        text.push('\n');
    }
    assess_output::write_atomic(&args.out, text.as_bytes())?;
    write_state(&state_path(&args.out), &state)
        .with_context(|| format!("writing {}", state_path(&args.out).display()))?;
    println!(
        "{}: {} current records of your villages",
        args.out.display(),
        records.len()
    );
    Ok(())
}
