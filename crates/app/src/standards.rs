//! The standards a run uses: the built-in ones, or a file in the layout of
//! `data/standards/standards.toml`.

use crate::error::{io, AppError};
use assess_standards::Standards;
use std::path::Path;

/// The standards of `path`, or the built-in ones.
pub fn load(path: Option<&Path>) -> Result<Standards, AppError> {
    let Some(path) = path else {
        return Ok(Standards::builtin());
    };
    let text = std::fs::read_to_string(path).map_err(io("reading", path))?;
    Standards::from_toml(&text).map_err(|source| AppError::Standards {
        path: path.to_path_buf(),
        source,
    })
}
