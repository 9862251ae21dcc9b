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
    /// The output directory holds an earlier verdict, and replacing it was not asked for.
    #[error("{} holds an earlier verdict; it is kept (write the new one elsewhere, or ask to replace it)", .0.display())]
    EarlierVerdict(PathBuf),
    /// The output directory holds files that assess did not write there.
    #[error(
        "{} holds files that are not a verdict's; the verdict replaces its output directory as \
         a whole, so write it to a new or empty directory",
        .0.display()
    )]
    OutputNotOurs(PathBuf),
    /// A county code read from the database is not six digits (a forged or damaged draw).
    #[error(
        "county code {0:?} in the database is not 6 digits; the draw was changed after import \
         (import it again from its sealed directory)"
    )]
    BadCountyCode(String),
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
    #[error(
        "no draw of county {county} is in the database ({}); check the code, or import a draw of \
         it with `assess import-sample`",
        if held.is_empty() { "it holds no draw".to_string() } else { format!("its counties: {}", held.join(", ")) }
    )]
    NoDrawOfCounty {
        /// The county asked for.
        county: String,
        /// The counties the database's draws hold (the first few).
        held: Vec<String>,
    },
    /// A draw directory holds no village of the county asked for.
    #[error(
        "county {county} is not in the draw {} (it holds {})",
        dir.display(),
        held.join(", ")
    )]
    CountyNotInDrawDir {
        /// The county asked for.
        county: String,
        /// The draw directory.
        dir: PathBuf,
        /// The counties it holds.
        held: Vec<String>,
    },
    /// A draw directory holds several counties and none was named.
    #[error("the draw {} holds {} counties ({}); name one", dir.display(), held.len(), held.join(", "))]
    DrawOfSeveralCounties {
        /// The draw directory.
        dir: PathBuf,
        /// The counties it holds.
        held: Vec<String>,
    },
    /// An input file of an assignment (teams, counties, pairs, a county or village
    /// assignment to load) was refused, every problem listed; nothing was assigned.
    #[error(transparent)]
    AssignInput(#[from] assess_assign::input::InputError),
    /// No split of the villages among the pairs was made.
    #[error(transparent)]
    Split(#[from] assess_assign::villages::SplitError),
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
    /// A photo was refused, or the embedded county boundaries could not be read.
    #[error(transparent)]
    Photo(#[from] assess_photo::PhotoError),
    /// The database refused a photo (its draw or household is not there).
    #[error("{}", photo.display())]
    PhotoRefused {
        /// The photo.
        photo: PathBuf,
        /// Why.
        #[source]
        source: assess_store::photos::PhotoStoreError,
    },
    /// A measurement file is not UTF-8.
    #[error("{}: not UTF-8 text; save it as UTF-8", .0.display())]
    MeasurementsNotUtf8(PathBuf),
    /// A measurement file is not JSON.
    #[error("{}: malformed JSON", file.display())]
    MeasurementsJson {
        /// The file.
        file: PathBuf,
        /// Where and why.
        #[source]
        source: serde_json::Error,
    },
    /// A measurement file is JSON but not an object.
    #[error("{}: not a JSON object (a measurement file)", .0.display())]
    MeasurementsNotObject(PathBuf),
    /// A measurement file's content was refused.
    #[error("{}", file.display())]
    Measurements {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        #[source]
        source: assess_photo::PhotoError,
    },
    /// A time is not RFC 3339.
    #[error("{0:?} is not an RFC 3339 time such as 2020-06-10T08:00:00Z")]
    NotATime(String),
    /// A village file was given for a draw made without one.
    #[error(
        "{}: the draw was made without a village file, so this village file cannot be matched \
         to it; leave it out",
        .0.display()
    )]
    DrawWithoutVillages(PathBuf),
    /// The draw's manifest names a division-code vintage this version does not know.
    #[error("{0}")]
    ManifestVintage(String),
    /// A village file is not the one the draw used.
    #[error(
        "{}: this is not the village file the draw used (its canonical SHA-256 is {sha256}, the \
         manifest names {expected}); give the file the draw was made with",
        path.display()
    )]
    VillagesNotOfDraw {
        /// The file given.
        path: PathBuf,
        /// Its canonical SHA-256.
        sha256: String,
        /// The manifest's.
        expected: String,
    },
    /// A filled XLSX template was refused.
    #[error(transparent)]
    Forms(#[from] assess_forms::FormsError),
    /// A file of visit records was refused.
    #[error(transparent)]
    RecordProblems(#[from] assess_inspection::RecordProblems),
    /// A file holds more or fewer than the one record a step takes.
    #[error("{file}: holds {records} records; a review or appeal step takes exactly one")]
    NotOneRecord {
        /// The file.
        file: String,
        /// How many it holds.
        records: usize,
    },
    /// A review or appeal step was refused.
    #[error(transparent)]
    Review(#[from] assess_store::ReviewError),
    /// Evidence that is neither an existing file nor a SHA-256.
    #[error(
        "{}: no such file, and not the SHA-256 (64 hex digits) of a stored photo or evidence \
         file; nothing was recorded: give the file's path, or add the photo with `assess photo \
         add` and give its SHA-256",
        .0.display()
    )]
    EvidenceMissing(PathBuf),
    /// An evidence file that cannot be read.
    #[error("{}: the evidence file cannot be read; nothing was recorded (check the file and its permissions)", path.display())]
    EvidenceUnreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Evidence that is a directory or a device, not a file.
    #[error(
        "{}: not a regular file (a directory or a device); nothing was recorded: give the \
         evidence file itself",
        .0.display()
    )]
    EvidenceNotAFile(PathBuf),
    /// An evidence file over the size kept.
    #[error(
        "{}: larger than {} MiB, the most kept as evidence; nothing was recorded: give a \
         smaller scan or export",
        path.display(),
        limit / (1024 * 1024)
    )]
    EvidenceTooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, bytes.
        limit: u64,
    },
    /// Text that should be a SHA-256 is not.
    #[error("{0:?} is not a SHA-256 (64 hex digits)")]
    NotASha256(String),
    /// Nothing is stored under a SHA-256.
    #[error(
        "no evidence file and no photo is stored under SHA-256 {0} (steps recorded before \
         evidence files were kept in the database name theirs by hash only); the steps' \
         evidence is listed by `assess finding list`"
    )]
    EvidenceNotFound(String),
    /// Stored bytes whose hash is not the one they are stored under.
    #[error(
        "the evidence stored under SHA-256 {sha256} now hashes to {actual}: it was changed \
         in the database outside assess; nothing was written (restore the database from a \
         backup)"
    )]
    EvidenceAltered {
        /// The SHA-256 it is stored under.
        sha256: String,
        /// The SHA-256 of the bytes found.
        actual: String,
    },
    /// An output file that would be overwritten.
    #[error("{} exists; it is kept: write to a new file", .0.display())]
    OutputExists(PathBuf),
    /// Villages asked for that the draw did not sample.
    #[error(
        "village {} has no household in the sample of draw {draw}; check the code \
         (sample_villages.csv lists the villages drawn)",
        villages.join(", ")
    )]
    VillagesNotInDraw {
        /// The villages.
        villages: Vec<String>,
        /// The draw.
        draw: String,
    },
    /// Counties asked for are not in the draw's sample.
    #[error(
        "county {} not in the sample of draw {draw} (its counties: {})",
        counties.join(", "),
        in_draw.join(", ")
    )]
    CountiesNotInDraw {
        /// The counties asked for that are not there.
        counties: Vec<String>,
        /// The draw.
        draw: String,
        /// The counties the draw holds.
        in_draw: Vec<String>,
    },
    /// A draw without receipt and no start of the field work given.
    #[error("{} has no receipt.json saying when the draw was made", .0.display())]
    NoReceipt(PathBuf),
    /// A receipt's time is not RFC 3339.
    #[error("the draw's receipt time {0:?} is not RFC 3339")]
    ReceiptTime(String),
    /// The field work would start before the draw was made.
    #[error(
        "{start} is before the draw was made ({drawn_at}): a household cannot be visited \
         before it is drawn"
    )]
    StartBeforeDraw {
        /// The start given.
        start: String,
        /// When the draw was made.
        drawn_at: String,
    },
    /// A truth file could not be read.
    #[error("in {}", path.display())]
    Truth {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: assess_synth::visits::VisitError,
    },
    /// The visits could not be simulated.
    #[error(transparent)]
    Visits(#[from] assess_synth::visits::VisitError),
    /// A standards file was refused.
    #[error("in {}", path.display())]
    Standards {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        #[source]
        source: assess_standards::StandardsError,
    },
    /// An account could not be made as asked.
    #[error(transparent)]
    Account(#[from] assess_access::AccountError),
    /// The database refused an account operation (a name taken, an unknown account).
    #[error(transparent)]
    Accounts(#[from] assess_store::AccountsError),
    /// A cross-assessor cannot join a team that holds a county of their own province.
    #[error("{name} cannot join team {team}, which is assigned county {county}")]
    JoinRefused {
        /// The account.
        name: String,
        /// The team.
        team: String,
        /// The county of the account's own province.
        county: String,
        /// The rule.
        #[source]
        source: assess_access::Refusal,
    },
    /// A token that opens no active account (malformed, unknown, revoked, or its account's).
    #[error("the token is not valid: unknown, revoked, or of a revoked account; ask an administrator for a new one")]
    BadToken,
    /// The operating system's random source failed.
    #[error("the operating system gave no random bytes for a token: {0}")]
    Entropy(String),
}

/// Maps an I/O error on `path` to [`AppError::Io`].
pub(crate) fn io(
    what: &'static str,
    path: &std::path::Path,
) -> impl FnOnce(std::io::Error) -> AppError {
    let path = path.to_path_buf();
    move |source| AppError::Io { what, path, source }
}
