//! `assess finding`: review and appeal of the findings (one per visited household): the night
//! review (upheld, corrected, sent back), the county's contest with evidence, the appeal's
//! decision (upheld, overturned), and the list of states with their history.

use crate::cmd::store::{block_on, DbArgs};
use assess_app::{findings, records};
use assess_inspection::Step;
use assess_inspection::StepRequest;
use assess_store::Store;
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
    /// List the findings of a draw with their state, and the history of each step.
    List(ListArgs),
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
    /// When (RFC 3339, e.g. 2020-06-12T21:30:00+08:00); now when absent.
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
    /// Evidence: a file (recorded by name and SHA-256) or a stored photo's SHA-256; repeat for more.
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
    /// JSON instead of text.
    #[arg(long)]
    json: bool,
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
            let evidence = a
                .evidence
                .iter()
                .map(|e| Ok(findings::evidence_reference(e)?))
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
    }
}

fn take_step(
    who: Who,
    step: Step,
    evidence: Vec<String>,
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
    let state = block_on(async {
        let store = Store::open(&who.db.db).await?;
        let state = findings::take_step(&store, &req).await;
        store.close().await;
        anyhow::Ok(state?)
    })??;
    println!(
        "household {} of draw {}: {} recorded; the finding is now {}",
        req.household_id,
        req.draw_id,
        step.code(),
        state.code()
    );
    Ok(())
}

fn list(a: ListArgs) -> anyhow::Result<()> {
    let findings = block_on(async {
        let store = Store::open(&a.db.db).await?;
        let f = findings::list(&store, &a.draw).await;
        store.close().await;
        anyhow::Ok(f?)
    })??;
    let shown: Vec<_> = findings
        .iter()
        .filter(|f| !a.stepped || !f.steps.is_empty())
        .collect();
    if a.json {
        println!("{}", serde_json::to_string_pretty(&shown)?);
        return Ok(());
    }
    println!("{} findings of draw {}", shown.len(), a.draw);
    for f in shown {
        println!(
            "  {:<24} {:<20} record version {}",
            f.household_id,
            f.state.code(),
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
