//! The crate's errors.

/// What the checks refuse.
#[derive(Debug, thiserror::Error)]
pub enum ChecksError {
    /// Quality settings that cannot be used.
    #[error("quality settings {origin}: {problem}")]
    Quality {
        /// The file (or "data/census/quality.toml" for the built-in settings).
        origin: String,
        /// What is wrong, and what to do.
        problem: String,
    },
    /// Rows of more than one county given as one county.
    #[error("the checks take one county at a time, but return {return_id} is of county {found}, not {expected}")]
    MixedCounties {
        /// The county of the first return.
        expected: String,
        /// The other county.
        found: String,
        /// The return of the other county.
        return_id: String,
    },
}
