//! Error messages as the command line shows them. Library errors say what is wrong and name no
//! command-line option (a server would name its request fields instead); here each is
//! completed with the option that fixes it. The message is anyhow's chain (`outer: inner`),
//! each level in its command-line wording.

use assess_app::AppError;
use std::error::Error;

/// The whole message of an error, as printed after `error: `.
pub fn message(err: &anyhow::Error) -> String {
    err.chain()
        .map(|e| with_hint(e).unwrap_or_else(|| e.to_string()))
        .collect::<Vec<_>>()
        .join(": ")
}

/// One level of the chain in command-line words, when they differ from the library's.
fn with_hint(e: &(dyn Error + 'static)) -> Option<String> {
    if let Some(e) = e.downcast_ref::<AppError>() {
        return app(e);
    }
    None
}

fn app(e: &AppError) -> Option<String> {
    Some(match e {
        AppError::CountyInSeveralDraws { .. } => format!("{e}; choose one with --draw"),
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
        AppError::NotEvidence(_) => format!("--evidence {e}"),
        AppError::NoReceipt(_) => format!("{e}: give the start of the field work with --start"),
        AppError::StartBeforeDraw { .. } => format!("--start {e}"),
        _ => return None,
    })
}
