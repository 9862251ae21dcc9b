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

/// One level of the chain with the option that fixes it, when it has one.
fn with_hint(e: &(dyn Error + 'static)) -> Option<String> {
    let hint = match e.downcast_ref::<AppError>()? {
        AppError::CountyInSeveralDraws { .. } => "; choose one with --draw",
        AppError::RegionUnknown(_) => "; give --region east|central|west",
        AppError::RegisterNotOfDraw { .. } => {
            ": give that file with --frame (`assess frame check FILE` prints a register's \
             fingerprint)"
        }
        _ => return None,
    };
    Some(format!("{e}{hint}"))
}
