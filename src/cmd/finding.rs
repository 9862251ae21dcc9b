//! `assess finding`: review and appeal of the findings (one per visited household): the night
//! review (upheld, corrected, sent back), the county's contest with evidence (kept in the
//! database by SHA-256), the appeal's decision (upheld, overturned), the list of states with
//! their history and outcome, and a stored evidence file read back.

use crate::cmd::store::{block_on, DbArgs};
use assess_app::findings::{self, ListFilter};
use assess_app::records;
use assess_inspection::{Evidence, Step, StepRequest};
use assess_store::Store;
use assess_verdict::HouseholdOutcome;
use std::path::{Path, PathBuf};

/// `assess finding ...`
#[derive(clap::Subcommand, Debug)]
pub enum FindingCmd {
    /// Night review of a finding: upheld, corrected (with the corrected record) or sent back.
    Review(ReviewArgs),
    /// The county contests a reviewed finding, with evidence.
    Contest(ContestArgs),
    /// Decide a contested finding: upheld, or overturned (with the record as corrected).
    Decide(DecideArgs),
    /// List the findings of a draw with their state, outcome and the history of each step.
    List(ListArgs),
    /// Write a stored evidence file (or photo) to a file, by its SHA-256.
    Evidence(EvidenceArgs),
}

/// The finding a step concerns and who takes it, when and why.
#[derive(clap::Args, Debug)]
pub struct Who {
    /// The draw (its id, the sample SHA-256).
    #[arg(long)]
    draw: String,
    /// The household whose finding it is.
    #[arg(long)]
    household: String,
    /// Who takes the step (name and role).
    #[arg(long)]
    by: String,
    /// Why.
    #[arg(long)]
    reason: String,
    /// When (RFC 3339 with its offset, e.g. 2020-06-12T21:30:00+08:00, kept as given); now
    /// (UTC) when absent. Not before the visit, nor before the finding's last step.
    #[arg(long)]
    at: Option<String>,
    #[command(flatten)]
    db: DbArgs,
}

/// `assess finding review`
#[derive(clap::Args, Debug)]
pub struct ReviewArgs {
    #[command(flatten)]
    who: Who,
    /// The review's decision.
    #[arg(long, value_enum)]
    decision: ReviewDecision,
    /// The corrected visit record (JSON), for `corrected`.
    #[arg(long)]
    record: Option<PathBuf>,
}

/// What a night review decides.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum ReviewDecision {
    /// The finding stands.
    Upheld,
    /// The record is corrected (with --record).
    Corrected,
    /// The team is sent back to the household.
    SentBack,
}

/// What an appeal decides.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum AppealDecision {
    /// The finding stands.
    Upheld,
    /// The county's evidence overturns it (with --record).
    Overturned,
}

/// `assess finding contest`
#[derive(clap::Args, Debug)]
pub struct ContestArgs {
    #[command(flatten)]
    who: Who,
    /// Evidence: a file (stored in the database once, by SHA-256) or the SHA-256 of a stored
    /// photo or evidence file; repeat for more.
    #[arg(long, required = true)]
    evidence: Vec<String>,
}

/// `assess finding decide`
#[derive(clap::Args, Debug)]
pub struct DecideArgs {
    #[command(flatten)]
    who: Who,
    /// The appeal's decision.
    #[arg(long, value_enum)]
    decision: AppealDecision,
    /// The record as corrected by the county's evidence (JSON), for `overturned`.
    #[arg(long)]
    record: Option<PathBuf>,
}

/// `assess finding list`
#[derive(clap::Args, Debug)]
pub struct ListArgs {
    /// The draw.
    #[arg(long)]
    draw: String,
    /// Only findings with at least one review or appeal step.
    #[arg(long)]
    stepped: bool,
    /// Only findings with this outcome (of the current record, as the verdict counts it).
    #[arg(long, value_enum)]
    outcome: Option<HouseholdOutcome>,
    /// Standards file the records are judged by (as for the verdict); built-in when absent.
    #[arg(long)]
    standards: Option<PathBuf>,
    /// JSON instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    db: DbArgs,
}

/// `assess finding evidence`
#[derive(clap::Args, Debug)]
pub struct EvidenceArgs {
    /// The evidence's SHA-256, as `assess finding list` shows it.
    sha256: String,
    /// The file to write (a new file; an existing one is kept).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(cmd: FindingCmd) -> anyhow::Result<()> {
    match cmd {
        FindingCmd::Review(a) => {
            let step = match a.decision {
                ReviewDecision::Upheld => Step::ReviewUpheld,
                ReviewDecision::Corrected => Step::ReviewCorrected,
                ReviewDecision::SentBack => Step::SentBack,
            };
            take_step(a.who, step, Vec::new(), a.record.as_deref())
        }
        FindingCmd::Contest(a) => {
            // Every file is read before the database is opened: a missing or unreadable one
            // is refused with nothing written.
            let evidence = a
                .evidence
                .iter()
                .map(|e| Ok(findings::read_evidence(e)?))
                .collect::<anyhow::Result<_>>()?;
            take_step(a.who, Step::Contested, evidence, None)
        }
        FindingCmd::Decide(a) => {
            let step = match a.decision {
                AppealDecision::Upheld => Step::AppealUpheld,
                AppealDecision::Overturned => Step::AppealOverturned,
            };
            take_step(a.who, step, Vec::new(), a.record.as_deref())
        }
        FindingCmd::List(a) => list(a),
        FindingCmd::Evidence(a) => evidence(a),
    }
}

fn take_step(
    who: Who,
    step: Step,
    evidence: Vec<Evidence>,
    record: Option<&Path>,
) -> anyhow::Result<()> {
    let record_source = record.map_or(String::new(), |p| p.display().to_string());
    let record = record.map(records::read_one_record).transpose()?;
    let req = StepRequest {
        draw_id: who.draw,
        household_id: who.household,
        step,
        actor: who.by,
        acted_at: who.at.unwrap_or_else(|| {
            humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
        }),
        reason: who.reason,
        evidence,
        record,
        record_source,
    };
    let done = block_on(async {
        let store = Store::open(&who.db.db).await?;
        let done = findings::take_step(&store, &req).await;
        store.close().await;
        anyhow::Ok(done?)
    })??;
    println!(
        "household {} of draw {}: {} recorded; the finding is now {}",
        req.household_id,
        req.draw_id,
        step.code(),
        done.state.code()
    );
    for e in &done.evidence {
        let kept = if e.newly_stored {
            "stored"
        } else {
            "already stored"
        };
        println!("  evidence {}: {kept}", e.reference());
    }
    Ok(())
}

fn list(a: ListArgs) -> anyhow::Result<()> {
    let standards = crate::cmd::load_standards(a.standards.as_deref())?;
    let filter = ListFilter {
        stepped: a.stepped,
        outcome: a.outcome,
    };
    let shown = block_on(async {
        let store = Store::open(&a.db.db).await?;
        let f = findings::list(&store, &a.draw, &standards, filter).await;
        store.close().await;
        anyhow::Ok(f?)
    })??;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&shown)?);
        return Ok(());
    }
    let plural = if shown.len() == 1 { "" } else { "s" };
    println!("{} finding{plural} of draw {}", shown.len(), a.draw);
    for finding in shown {
        let f = &finding.status;
        println!(
            "  {:<24} {:<20} {:<16} record version {}",
            f.household_id,
            f.state.code(),
            finding.outcome.code(),
            f.current_version
        );
        for s in &f.steps {
            println!(
                "    {}. {} by {} at {}: {}{}",
                s.seq,
                s.step,
                s.actor,
                s.acted_at,
                s.reason,
                if s.evidence.is_empty() {
                    String::new()
                } else {
                    format!(" [evidence: {}]", s.evidence.join("; "))
                }
            );
        }
    }
    Ok(())
}

fn evidence(a: EvidenceArgs) -> anyhow::Result<()> {
    let stored = block_on(async {
        let store = Store::open(&a.db.db).await?;
        let stored = findings::save_evidence(&store, &a.sha256, &a.out).await;
        store.close().await;
        anyhow::Ok(stored?)
    })??;
    println!(
        "{} ({} bytes, sha256 {}) written to {}",
        stored.name,
        stored.content.len(),
        stored.sha256,
        a.out.display()
    );
    Ok(())
}
