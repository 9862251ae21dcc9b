//! Every file `assess` writes (verdicts and their reports, registers, visit records,
//! templates, a draw's receipt) is written whole or not at all: into a temporary file in the
//! target's directory, synced, then renamed over the target. A reader never sees half a file,
//! and a failure (a full disk, a refused input found late, a kill) leaves the target as it was
//! and no temporary file behind (the temporary file is removed when dropped uncommitted).
//!
//! The temporary file comes from `tempfile` (a unique name, created exclusively), asked for
//! the usual permissions (0666 less the umask) rather than its private default, so an output
//! is readable as any file the user makes.
//!
//! ```
//! use std::io::Write;
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("verdict.json");
//! assess_output::write_atomic(&path, b"{}\n")?;
//! let mut file = assess_output::AtomicFile::create(&path)?;
//! file.write_all(b"[]\n")?;
//! assert_eq!(std::fs::read(&path)?, b"{}\n"); // not replaced until committed
//! file.commit()?;
//! assert_eq!(std::fs::read(&path)?, b"[]\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Not for: directories written as a whole (a draw directory is staged and renamed by
//! `assess-draw`, which writes its files with [`write_atomic`]), or appending to a file.
#![deny(missing_docs)]

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Bytes buffered between writes: one large `write` of a national file (200 MB) took up to
/// 0.9 s on Linux where 1 MiB writes of the same bytes took 0.06 s.
const BUFFER: usize = 1 << 20;

/// An output could not be written; the target is unchanged.
#[derive(Debug, thiserror::Error)]
#[error("writing {}", path.display())]
pub struct OutputError {
    /// The file that was to be written.
    pub path: PathBuf,
    /// What failed.
    #[source]
    pub source: std::io::Error,
}

/// A file being written under a temporary name beside its target; [`AtomicFile::commit`]
/// puts it in place. Dropped without a commit, it is removed and the target is untouched.
pub struct AtomicFile {
    target: PathBuf,
    file: BufWriter<tempfile::NamedTempFile>,
}

impl AtomicFile {
    /// Starts writing `target` (its directory must exist).
    pub fn create(target: &Path) -> Result<AtomicFile, OutputError> {
        let fail = |source| OutputError {
            path: target.to_path_buf(),
            source,
        };
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = target
            .file_name()
            .ok_or_else(|| fail(std::io::Error::other("not a file path")))?;
        let mut prefix = std::ffi::OsString::from(".");
        prefix.push(name);
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let file = builder.tempfile_in(dir).map_err(fail)?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            file: BufWriter::with_capacity(BUFFER, file),
        })
    }

    /// Flushes, syncs and renames the file over its target.
    pub fn commit(self) -> Result<(), OutputError> {
        let target = self.target;
        let fail = |source| OutputError {
            path: target.clone(),
            source,
        };
        let file = self.file.into_inner().map_err(|e| fail(e.into_error()))?;
        file.as_file().sync_all().map_err(fail)?;
        file.persist(&target).map_err(|e| fail(e.error))?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let mut file = AtomicFile::create(path)?;
    for piece in bytes.chunks(BUFFER) {
        file.write_all(piece).map_err(|source| OutputError {
            path: path.to_path_buf(),
            source,
        })?;
    }
    file.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn an_uncommitted_file_leaves_the_target_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old").unwrap();
        {
            let mut f = AtomicFile::create(&path).unwrap();
            f.write_all(b"new, half written").unwrap();
            assert_eq!(
                names(dir.path()).len(),
                2,
                "the temporary file sits beside it"
            );
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(names(dir.path()), ["out.csv"]);
    }

    #[test]
    fn a_committed_file_replaces_the_target_with_the_usual_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.bin");
        let bytes: Vec<u8> = (0..3 * BUFFER + 7).map(|i| (i % 251) as u8).collect();
        write_atomic(&path, &bytes).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        assert_eq!(names(dir.path()), ["big.bin"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            let plain = dir.path().join("plain");
            std::fs::write(&plain, "").unwrap();
            let usual = std::fs::metadata(&plain).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, usual & 0o777, "as a file made with fs::write");
        }
    }

    #[test]
    fn a_missing_directory_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/dir/verdict.json");
        let e = write_atomic(&path, b"x").unwrap_err();
        assert!(e.to_string().starts_with("writing "), "{e}");
        assert!(e.to_string().ends_with("verdict.json"), "{e}");
        assert_eq!(e.source.kind(), std::io::ErrorKind::NotFound);
    }
}
