//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The `assess` binary built for this test run.
pub fn assess() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("assess").expect("the assess binary is built")
}

/// A file shipped in the repository (sample plans, fixtures), by path from the root.
pub fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Text of a file, panicking with its path when unreadable.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
