//! Error messages as the command line shows them. Library errors say what is wrong and name no
//! command-line option (a server would name its request fields instead); here each is
//! completed with the option that fixes it. The message is anyhow's chain (`outer: inner`),
//! each level in its command-line wording.

use assess_access::AccountError;
use assess_app::census_ingest::IngestError;
use assess_app::census_tables::{CountsError, TabulateError};
use assess_app::AppError;
use assess_assign::villages::SplitError;
use assess_assign::AssignError;
use assess_census_checks::ChecksError;
use assess_draw::DrawError;
use assess_inspection::StepProblem;
use assess_register::{Problem, RegisterError};
use assess_registries::CrosscheckError;
use assess_sampling::Remedy;
use assess_store::census::CensusDbError;
use assess_store::{AccountsError, StoreError};
use assess_survey::DesignError;
use assess_synth::SynthError;
use assess_table::TableError;
use assess_verdict::{VarianceMethod, VerdictError};
use std::error::Error;

/// The whole message of an error, as printed after `error: `.
pub fn message(err: &anyhow::Error) -> String {
    let mut levels = Vec::new();
    for e in err.chain() {
        match cli_words(e) {
            Some(Words::Level(text)) => levels.push(text),
            Some(Words::Rest(text)) => {
                levels.push(text);
                break;
            }
            None => levels.push(e.to_string()),
        }
    }
    levels.join(": ")
}

/// A level of the chain in command-line words: that level alone, or that level and every
/// cause after it.
enum Words {
    Level(String),
    Rest(String),
}

fn cli_words(e: &(dyn Error + 'static)) -> Option<Words> {
    if let Some(e) = e.downcast_ref::<AppError>() {
        return app(e).map(Words::Level);
    }
    if let Some(e) = e.downcast_ref::<VerdictError>() {
        return verdict(e);
    }
    if let Some(e) = e.downcast_ref::<IngestError>() {
        return ingest(e).map(Words::Level);
    }
    if let Some(e) = e.downcast_ref::<CrosscheckError>() {
        return crosscheck(e).map(Words::Level);
    }
    if let Some(e) = e.downcast_ref::<TabulateError>() {
        return tabulate(e).map(Words::Level);
    }
    if let Some(e) = e.downcast_ref::<CountsError>() {
        return counts(e).map(Words::Level);
    }
    if let Some(e @ ChecksError::Quality { .. }) = e.downcast_ref::<ChecksError>() {
        return Some(Words::Level(format!(
            "{e} (a --quality file has the form of data/census/quality.toml)"
        )));
    }
    if let Some(e @ CensusDbError::NotPostgres(_)) = e.downcast_ref::<CensusDbError>() {
        return Some(Words::Level(format!(
            "--db {e}, or --store DIR for the embedded census store"
        )));
    }
    if let Some(e) = e.downcast_ref::<TableError>() {
        return table(e).map(Words::Level);
    }
    if let Some(e) = e.downcast_ref::<DesignError>() {
        return design(e).map(Words::Level);
    }
    if let Some(e) = e.downcast_ref::<DrawError>() {
        return draw(e).map(Words::Level);
    }
    if let Some(e) = e.downcast_ref::<StoreError>() {
        return store(e).map(Words::Level);
    }
    if let Some(e) = e.downcast_ref::<StepProblem>() {
        return step(e).map(Words::Level);
    }
    if let Some(e) = e.downcast_ref::<RegisterError>() {
        return register(e).map(Words::Level);
    }
    if let Some(e) = e.downcast_ref::<SynthError>() {
        return synth(e).map(Words::Level);
    }
    if let Some(e) = e.downcast_ref::<AssignError>() {
        return assign(e).map(Words::Level);
    }
    None
}

/// A plan problem's remedy, as the command line gives it.
pub fn remedy(r: Remedy) -> &'static str {
    match r {
        Remedy::VillageFile => "pass --villages FILE with columns remote and poverty_village",
    }
}

fn draw(e: &DrawError) -> Option<String> {
    Some(match e {
        DrawError::Register(inner) => return register(inner),
        DrawError::OutputExists(path) => format!(
            "{} already exists: a draw is never overwritten; choose another --out or remove it",
            path.display()
        ),
        DrawError::WeakSeed { stage, .. } => format!(
            "{}: {e}; or pass --allow-weak-seed to re-make an old draw",
            if *stage == "village" {
                "--seed"
            } else {
                "--household-seed"
            }
        ),
        DrawError::PlanVsFrame { path, problems } => format!(
            "{} does not fit the register:\n{}",
            path.display(),
            assess_sampling::render_worded(problems, remedy)
        ),
        _ => return None,
    })
}

fn store(e: &StoreError) -> Option<String> {
    match e {
        StoreError::BadUrl(url) => Some(format!(
            "--db {url:?}: give a SQLite file path (e.g. assess.db or sqlite://assess.db) or a \
             postgres:// URL"
        )),
        StoreError::NoDatabase(path) => Some(format!(
            "--db {path}: no such database; create it with `assess init --db {path}` (or check \
             the path: nothing was created)"
        )),
        _ => None,
    }
}

fn step(e: &StepProblem) -> Option<String> {
    Some(match e {
        StepProblem::NoActor => "who (--by) is empty; every step says who took it and why".into(),
        StepProblem::NoReason => {
            "why (--reason) is empty; every step says who took it and why".into()
        }
        StepProblem::NoEvidence => {
            "a contest needs evidence (--evidence FILE or a stored photo's SHA-256)".into()
        }
        StepProblem::NeedsRecord(s) => format!(
            "a {} step needs the corrected record (--record FILE.json)",
            s.code()
        ),
        StepProblem::TakesNoRecord(s) => {
            format!("a {} step takes no record; leave --record out", s.code())
        }
        StepProblem::BadTime(_) => format!("--at {e}"),
        StepProblem::BeforeVisit { .. } | StepProblem::BeforePreviousStep { .. } => {
            format!("{e}; pass it with --at (without --at the step is taken now)")
        }
        _ => return None,
    })
}

fn app(e: &AppError) -> Option<String> {
    Some(match e {
        // Transparent: the inner error is this level.
        AppError::Store(inner) => return store(inner),
        AppError::Draw(inner) => return draw(inner),
        AppError::Register(inner) => return register(inner),
        AppError::CountyInSeveralDraws { .. } => format!("{e}; choose one with --draw"),
        AppError::DrawOfSeveralCounties { .. } => format!("{e} with --county"),
        AppError::Split(inner) => return split(inner),
        AppError::RegionUnknown(_) => format!("{e}; give --region east|central|west"),
        AppError::RegisterNotOfDraw { .. } => format!(
            "{e}: give that file with --frame (`assess frame check FILE` prints a register's \
             fingerprint)"
        ),
        AppError::NotATime(_) => format!("--drawn-at {e}"),
        AppError::DrawWithoutVillages(path) => format!(
            "{}: the draw was made without a village file, so --villages cannot be matched to \
             it; leave it out",
            path.display()
        ),
        AppError::EvidenceMissing(_)
        | AppError::EvidenceNotAFile(_)
        | AppError::EvidenceUnreadable { .. }
        | AppError::EvidenceTooLarge { .. } => format!("--evidence {e}"),
        AppError::OutputExists(_) => format!("--out {e}"),
        AppError::EarlierVerdict(path) => format!(
            "--out {} holds an earlier verdict, which is kept; choose another directory, or pass \
             --force to replace it",
            path.display()
        ),
        AppError::NoReceipt(_) => format!("{e}: give the start of the field work with --start"),
        AppError::StartBeforeDraw { .. } => format!("--start {e}"),
        AppError::Account(inner) => account(inner),
        AppError::Accounts(AccountsError::Store(inner)) => return store(inner),
        AppError::Accounts(AccountsError::Unknown(_)) => {
            format!("{e} (`assess user list` lists the accounts)")
        }
        _ => return None,
    })
}

fn account(e: &AccountError) -> String {
    match e {
        AccountError::TeamMissing { .. } => format!("{e} with --team"),
        AccountError::TeamNotTaken { .. } | AccountError::BadTeam(_) => format!("--team: {e}"),
        AccountError::ProvinceMissing(_) => format!("{e}; give it with --province"),
        AccountError::ProvinceNotTaken { .. } | AccountError::BadProvince(_) => {
            format!("--province {e}")
        }
        AccountError::BadName(_) => e.to_string(),
    }
}

fn verdict(e: &VerdictError) -> Option<Words> {
    Some(match e {
        VerdictError::Design { source, variance } => {
            let hint = match (variance, source) {
                (VarianceMethod::WithoutReplacement, DesignError::LonelyPsu { stage: 2, .. }) => {
                    " (--variance wor: a village's status cell with a single respondent has no \
                     within-cell variance; choose --lonely-psu remove or centre, or --variance \
                     wr)"
                }
                (_, DesignError::CollapseWithFpc) => " (use --variance wr)",
                _ => "",
            };
            let design = design(source).unwrap_or_else(|| source.to_string());
            Words::Rest(format!("{e}: {design}{hint}"))
        }
        VerdictError::NoVillagePopulation => Words::Level(format!(
            "{e}: give the draw's register (assess verdict --frame REGISTER), or use the sampled \
             households' people (--missed-denominator sampled-households)"
        )),
        VerdictError::RuralPopulationBelowRegister { .. } => {
            Words::Level(format!("{e}; check --rural-population"))
        }
        VerdictError::NoNonRegisteredPeople => {
            Words::Level(format!("{e}; use --missed-denominator sampled-households"))
        }
        _ => return None,
    })
}

fn table(e: &TableError) -> Option<String> {
    Some(match e {
        TableError::LonelyStratum { .. } => format!(
            "{e}; use --lonely-psu remove, centre or collapse, or merge the stratum with a \
             similar one"
        ),
        TableError::LonelySsu { .. } => format!("{e}; use --lonely-psu remove or centre"),
        _ => return None,
    })
}

fn tabulate(e: &TabulateError) -> Option<String> {
    match e {
        TabulateError::NoRegister { county, store } => Some(format!(
            "county {county} has returns in the census store {} but no register: load its \
             register with `assess census ingest --store DIR --register FILE` first (coverage \
             is counted against it)",
            store.display()
        )),
        _ => None,
    }
}

fn counts(e: &CountsError) -> Option<String> {
    match e {
        CountsError::Read { path, .. } => Some(format!(
            "cannot read {}: give the directory `assess census quality --out` wrote",
            path.display()
        )),
        CountsError::Stale { path } => Some(format!(
            "{}: the census store has changed since these quality checks ran (a checkpoint \
             committed or a register loaded); run `assess census quality` again, or leave out \
             --quality-from to run the checks with the tables",
            path.display()
        )),
        _ => None,
    }
}

fn ingest(e: &IngestError) -> Option<String> {
    match e {
        IngestError::UnknownFormat(_) => Some(format!("{e} with --format csv or --format jsonl")),
        _ => None,
    }
}

fn crosscheck(e: &CrosscheckError) -> Option<String> {
    Some(match e {
        CrosscheckError::Rules { .. } => {
            format!("{e} (a --rules file has the form of data/census/crosscheck-rules.toml)")
        }
        CrosscheckError::TooManyForXlsx { .. } => format!("{e}: leave out --xlsx"),
        _ => return None,
    })
}

fn design(e: &DesignError) -> Option<String> {
    match e {
        DesignError::CollapseWithFpc => Some(
            "--lonely-psu collapse merges strata, which with finite-population corrections \
             would describe neither design: use it without --fpc (with replacement), or choose \
             remove or centre"
                .to_string(),
        ),
        _ => None,
    }
}

fn assign(e: &AssignError) -> Option<String> {
    match e {
        AssignError::MutualUnavoidable | AssignError::SearchTooLarge { .. } => Some(format!(
            "{e} (without --no-mutual, mutual assessment is allowed)"
        )),
        _ => None,
    }
}

fn split(e: &SplitError) -> Option<String> {
    match e {
        SplitError::Unbalanceable { .. } => Some(format!("{e} with --tolerance")),
        SplitError::SearchTooLarge { .. } => Some(format!("{e} (--tolerance, --max-solves)")),
        _ => None,
    }
}

fn synth(e: &SynthError) -> Option<String> {
    Some(match e {
        SynthError::IncidenceOutOfReach { target, low, high } => format!(
            "a true incidence of {target} cannot be reached with these rates: it must lie \
             between {low} (no registered household still poor) and {high} (all of them); \
             change --incidence, --registered-share or the other rates"
        ),
        SynthError::NoRemoteVillages(share) => format!(
            "remote-share = {share}: must be above 0 with --remote-only (wrong exits and missed \
             households need remote villages)"
        ),
        _ => return None,
    })
}

/// A refused register, with the options that choose how it is read when its problems call
/// for them.
fn register(e: &RegisterError) -> Option<String> {
    let RegisterError::Invalid { errors, .. } = e else {
        return None;
    };
    let any = |f: fn(&Problem) -> bool| errors.iter().any(|r| f(&r.problem));
    let mut text = e.to_string();
    if any(|p| matches!(p, Problem::UnknownCode { .. })) {
        text.push_str(
            "\n(frame check, plan check, draw and verify choose the list with --vintage 2016, \
             2021 or 2023)",
        );
    }
    if any(|p| matches!(p, Problem::Undecodable { .. })) {
        text.push_str(
            "\n(frame check, plan check, draw and verify choose the encoding with --encoding \
             auto, utf-8 or gb18030)",
        );
    }
    Some(text)
}
