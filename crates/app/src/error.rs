//! Why a use case could not be carried out. Every variant keeps its cause as a source, and no
//! message names a command-line flag: a front end adds its own hint (the command line names
//! its option, a server its request field).

use std::path::PathBuf;

/// Why a use case was refused or failed. Nothing was written to the database or to the
/// output directory in part.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The database refused or failed.
    #[error(transparent)]
    Store(#[from] assess_store::StoreError),
    /// Visit records were refused (every problem is listed).
    #[error(transparent)]
    Records(#[from] assess_store::RecordsError),
    /// A draw directory or its receipt could not be read or was refused.
    #[error(transparent)]
    Draw(#[from] assess_draw::DrawError),
    /// A register or village file was refused.
    #[error(transparent)]
    Register(#[from] assess_register::RegisterError),
    /// An output file could not be written.
    #[error(transparent)]
    Output(#[from] assess_output::OutputError),
    /// A file could not be read or a directory made.
    #[error("{what} {}", path.display())]
    Io {
        /// What was being done ("reading", "creating").
        what: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The draw is not in the database.
    #[error("draw {0} is not in the database")]
    DrawNotFound(String),
    /// The draw has no household in the database.
    #[error("draw {0} is not in the database, or has no households")]
    DrawEmpty(String),
    /// The database holds no draw of the county.
    #[error("no draw of county {0} is in the database; import one with `assess import-sample`")]
    NoDrawOfCounty(String),
    /// The draw named has no village of the county.
    #[error("draw {draw} has no village of county {county}")]
    CountyNotInDraw {
        /// The county.
        county: String,
        /// The draw.
        draw: String,
    },
    /// The county is in several draws and none was named.
    #[error("county {county} is in {} draws ({})", draws.len(), draws.join(", "))]
    CountyInSeveralDraws {
        /// The county.
        county: String,
        /// Its draws.
        draws: Vec<String>,
    },
    /// The county's region (which sets the incidence threshold) is not known.
    #[error(
        "county {0} is not one of the 832 poverty counties, so its region (which sets the \
         incidence threshold) is not known"
    )]
    RegionUnknown(String),
    /// The register given is not the one the draw was made from.
    #[error(
        "{}: this register's fingerprint {fingerprint} is not that of the register draw {draw} \
         was made from ({expected}); the missed rate over the sampled villages must count the \
         people of the draw's own register",
        path.display()
    )]
    RegisterNotOfDraw {
        /// The register given.
        path: PathBuf,
        /// Its fingerprint.
        fingerprint: String,
        /// The draw.
        draw: String,
        /// The fingerprint in the draw's manifest.
        expected: String,
    },
    /// The register for the missed rate's denominator was refused.
    #[error("reading the register {} for the missed rate's denominator", path.display())]
    DenominatorRegister {
        /// The register given.
        path: PathBuf,
        /// Why it was refused.
        #[source]
        source: assess_register::RegisterError,
    },
    /// A county's verdict could not be computed.
    #[error("county {county}, draw {draw}")]
    Verdict {
        /// The county.
        county: String,
        /// The draw.
        draw: String,
        /// Why.
        #[source]
        source: assess_verdict::VerdictError,
    },
    /// A county's reports could not be rendered.
    #[error("the reports of county {county}")]
    Report {
        /// The county.
        county: String,
        /// Why.
        #[source]
        source: assess_report::ReportError,
    },
    /// The embedded county boundaries could not be read.
    #[error(transparent)]
    Boundaries(#[from] assess_photo::PhotoError),
}

/// Maps an I/O error on `path` to [`AppError::Io`].
pub(crate) fn io(
    what: &'static str,
    path: &std::path::Path,
) -> impl FnOnce(std::io::Error) -> AppError {
    let path = path.to_path_buf();
    move |source| AppError::Io { what, path, source }
}
