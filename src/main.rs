//! `assess`: the command line over the library crates. It parses arguments, sets up
//! logging and progress bars, calls one library function per subcommand, and maps errors
//! to exit codes. It holds no domain logic.
//!
//! Exit codes: 0 success (also when the reader of stdout went away, as `assess records |
//! head` does); 1 the input was refused or a check failed (the message says what and where);
//! 2 the command line itself was wrong (from clap); 3 a batch verdict was written for some
//! counties but others could not be decided yet (listed).

mod cmd;
mod hints;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// mimalloc: the census ingest allocates a few hundred small strings a return on three
/// threads; glibc's malloc spent over a third of its time (docs/benchmarks.md, "National
/// census"). Built without transparent huge pages (the `no_thp` feature, Cargo.toml).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "assess",
    version,
    about = "Third-party poverty-exit assessment: registers, verifiable draws, sample sizes"
)]
struct Cli {
    /// More output: log lines on stderr (-v info, -vv debug; RUST_LOG overrides), and every
    /// warning of `plan check` instead of a count by kind.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a household register (sampling frame) and print its summary and fingerprint.
    #[command(subcommand)]
    Frame(cmd::frame::FrameCmd),
    /// Write a synthetic register (and optionally the households' true situation).
    Synth(Box<cmd::synth::SynthArgs>),
    /// Check a sampling plan against a register.
    #[command(subcommand)]
    Plan(cmd::plan::PlanCmd),
    /// Draw villages and households by a plan, with committed seeds.
    Draw(cmd::draw::DrawArgs),
    /// Recompute a draw and report exactly what differs.
    Verify(cmd::verify::VerifyArgs),
    /// Sample size for estimating a rate near a threshold, and for the official pass rule.
    Size(cmd::size::SizeArgs),
    /// Create or update the survey database (SQLite file by default, or PostgreSQL).
    Init(cmd::store::InitArgs),
    /// Load a draw into the survey database, after checking it against its manifest.
    ImportSample(cmd::store::ImportSampleArgs),
    /// Import visit records (JSON, JSON Lines or a filled XLSX template): all or nothing, versioned, idempotent.
    ImportRecords(cmd::records::ImportRecordsArgs),
    /// List the visit records in the survey database (current versions, or all).
    Records(cmd::records::RecordsArgs),
    /// Check the visit records across a draw (reserve order, short interviews) and list
    /// response and replacement rates by village and team; exit 1 on errors.
    Check(cmd::check::CheckArgs),
    /// Housing-crack photos: add (stored once by SHA-256, measured, checked), list.
    #[command(subcommand)]
    Photo(cmd::photo::PhotoCmd),
    /// List the draws in the survey database.
    Draws(cmd::store::DrawsArgs),
    /// Write the XLSX visit-record template (one sheet per section) that field teams fill,
    /// optionally listing a draw's households; import it with `assess import-records`.
    Template(cmd::template::TemplateArgs),
    /// Design-based estimates (mean, proportion, total, ratio) with standard errors, design
    /// effects and confidence intervals from any survey CSV file, like R's survey package.
    Estimate(cmd::estimate::EstimateArgs),
    /// The exit verdict of a county (or a batch): the four indicators, official and
    /// design-based with intervals, the decision and what drove it; writes verdict.json.
    Verdict(cmd::verdict::VerdictArgs),
    /// Review and appeal of findings: review, contest, decide, list (who, when, why, evidence).
    #[command(subcommand)]
    Finding(cmd::finding::FindingCmd),
    /// Visit records for a draw of a synthetic register, simulated from its truth file and
    /// labelled as simulated (JSON Lines for `assess import-records`).
    SimulateVisits(cmd::simulate_visits::SimulateVisitsArgs),
    /// Place assessor teams on the counties of other provinces at the least total travel
    /// (exact; capacities; optionally no two provinces assessing each other); writes a CSV.
    /// `assess assign villages` splits a county's sampled villages among interviewer pairs.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Assign(cmd::assign::AssignCmd),
    /// The field server: teams upload records and photos over HTTP, coordinators follow
    /// progress and verdicts; accounts, scopes and limits (docs/server.md).
    Serve(cmd::serve::ServeArgs),
    /// Send a records file (JSON, JSON Lines, filled XLSX template) to the field server:
    /// idempotent, resumable, with the records sent and acknowledged on a progress bar.
    Push(cmd::sync::PushArgs),
    /// Fetch the current records of your assigned villages from the field server (JSON Lines).
    Pull(cmd::sync::PullArgs),
    /// Accounts of the field server and their API tokens: add, token, revoke, list (offline,
    /// against the database; tokens are stored only as hashes).
    #[command(subcommand)]
    User(cmd::user::UserCmd),
    /// Assignments the field server's scopes enforce: counties to teams (from `assess
    /// assign`'s CSV) and villages to interviewers (from a village split): load, list.
    #[command(subcommand)]
    Assignment(cmd::assignment::AssignmentCmd),
    /// Planning by simulation: the whole assessment repeated on synthetic counties with known
    /// truth; coverage of the intervals, bias of the weighted totals, probability of approval.
    Simulate(cmd::simulate::SimulateArgs),
    /// The hash-chained audit log of every write: verify it and the stored objects, write
    /// its head (signed with an ed25519 key), make a key.
    #[command(subcommand)]
    Audit(cmd::audit::AuditCmd),
    /// The national census: returns ingested into the census store (ingest), register
    /// cross-checks against external registries (crosscheck).
    #[command(subcommand)]
    Census(cmd::census::CensusCmd),
}

fn main() -> ExitCode {
    quiet_on_closed_stdout();
    let cli = Cli::parse();
    // The server logs one line per request: info level at least, JSON when asked.
    match &cli.command {
        Command::Serve(a) => init_logging(cli.verbose.max(1), a.log_json),
        _ => init_logging(cli.verbose, false),
    }
    assess_store::set_default_actor(&cli_actor());
    let result = match cli.command {
        Command::Frame(c) => cmd::frame::run(c),
        Command::Synth(a) => cmd::synth::run(*a),
        Command::Plan(c) => cmd::plan::run(c, cli.verbose > 0),
        Command::Draw(a) => cmd::draw::run_draw(a),
        Command::Verify(a) => cmd::verify::run_verify(a),
        Command::Size(a) => cmd::size::run(a),
        Command::Init(a) => cmd::store::run_init(a),
        Command::ImportSample(a) => cmd::store::run_import(a),
        Command::ImportRecords(a) => cmd::records::run_import(a),
        Command::Records(a) => cmd::records::run_list(a),
        Command::Check(a) => cmd::check::run(a),
        Command::Photo(c) => cmd::photo::run(c),
        Command::Draws(a) => cmd::store::run_draws(a),
        Command::Template(a) => cmd::template::run(a),
        Command::Estimate(a) => cmd::estimate::run(a),
        Command::Finding(c) => cmd::finding::run(c),
        Command::SimulateVisits(a) => cmd::simulate_visits::run(a),
        Command::Simulate(a) => cmd::simulate::run(a),
        Command::Verdict(a) => cmd::verdict::run(a),
        Command::Assign(a) => cmd::assign::run(a),
        Command::Serve(a) => cmd::serve::run(a),
        Command::Push(a) => cmd::sync::run_push(a),
        Command::Pull(a) => cmd::sync::run_pull(a),
        Command::User(c) => cmd::user::run(c),
        Command::Assignment(c) => cmd::assignment::run(c),
        Command::Audit(c) => cmd::audit::run(c),
        Command::Census(c) => cmd::census::run(c),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if closed_pipe(&err) => ExitCode::SUCCESS,
        Err(err) if err.downcast_ref::<cmd::verdict::NotAllDecided>().is_some() => {
            eprintln!("error: {}", printable(&hints::message(&err)));
            ExitCode::from(3)
        }
        Err(err) => {
            eprintln!("error: {}", printable(&hints::message(&err)));
            ExitCode::from(1)
        }
    }
}

/// Who the command line's writes are logged as in the audit log: `cli:USER` (the operating
/// system's user name from USER or LOGNAME), or `cli` when neither is set.
fn cli_actor() -> String {
    match std::env::var("USER").or_else(|_| std::env::var("LOGNAME")) {
        Ok(user) if !user.trim().is_empty() => format!("cli:{}", user.trim()),
        _ => "cli".to_string(),
    }
}

/// A message as it may reach a terminal: control characters other than line feeds and tabs
/// (an escape sequence quoted from a bad input, say) shown escaped (`\u{1b}`), never sent raw.
/// The readers already escape what they quote; this is the last guard.
fn printable(message: &str) -> String {
    message
        .chars()
        .map(|c| match c {
            '\n' | '\t' => c.to_string(),
            c if c.is_control() => c.escape_default().to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// Whether the error is a write to a reader that has gone away (`| head`): the output was
/// not wanted any more, which is not a failure.
fn closed_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// `println!` panics when stdout's reader has gone away (Rust ignores SIGPIPE, so the write
/// fails with EPIPE instead of ending the process). Printing goes through `println!` in many
/// places, so rather than thread an error out of each, this hook ends the process quietly with
/// status 0 on exactly that panic, and leaves every other panic to the default hook.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

/// The log filter at each verbosity. sqlx logs slow statements as warnings with their SQL
/// text (and may echo values): at the default verbosity only its errors reach the terminal.
fn default_filter(verbose: u8) -> &'static str {
    match verbose {
        0 => "warn,sqlx=error",
        1 => "info,sqlx=warn",
        _ => "debug",
    }
}

fn init_logging(verbose: u8, json: bool) {
    let default = default_filter(verbose);
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // Colours only on a terminal: a server's log goes to a file or a journal.
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    if json {
        logs.json().init();
    } else {
        logs.init();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A log sink the test can read.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// What reaches the terminal at a verbosity when sqlx and another crate each warn.
    fn logged(verbose: u8) -> String {
        let sink = Sink::default();
        let writer = sink.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(default_filter(verbose)))
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(target: "sqlx::query", "slow statement: SELECT secret");
            tracing::warn!(target: "assess_store", "another warning");
        });
        let bytes = sink.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn control_characters_never_reach_the_terminal_raw() {
        assert_eq!(
            printable("bad \u{1b}[31mred\u{7}\nnext\tcolumn \u{9b}2J"),
            "bad \\u{1b}[31mred\\u{7}\nnext\tcolumn \\u{9b}2J"
        );
    }

    /// At the default verbosity sqlx's slow-statement warning (with its SQL) is filtered out
    /// while other warnings pass; with -v it is shown.
    #[test]
    fn sqlx_warnings_stay_off_the_terminal_at_the_default_verbosity() {
        let quiet = logged(0);
        assert!(!quiet.contains("SELECT secret"), "{quiet}");
        assert!(quiet.contains("another warning"), "{quiet}");
        assert!(logged(1).contains("SELECT secret"));
    }
}
