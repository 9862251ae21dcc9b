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
//! A set of files that belongs together (a verdict's verdict.json, report.html, verdict.md
//! and verdict.xlsx) is written as a [`StagedDir`]: a staging directory beside the target,
//! which takes the target's place in one step, so a reader sees the old set or the new set,
//! never a mix.
//!
//! Not for: appending to a file.
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

/// A directory written as a whole: its files go into a staging directory beside the target
/// (`.NAME.assess-staging-XXXX`); [`StagedDir::commit`] puts it in the target's place in one
/// rename, or, when the target exists, exchanges the two atomically (Linux `renameat2`
/// RENAME_EXCHANGE) and removes the old one. Dropped uncommitted (a failure, a full disk), the
/// staging directory is removed and the target is as it was.
pub struct StagedDir {
    target: PathBuf,
    staging: tempfile::TempDir,
}

impl StagedDir {
    /// Starts a directory that will become `target` (its parent is created if missing).
    pub fn create(target: &Path) -> Result<StagedDir, OutputError> {
        let fail = |source| OutputError {
            path: target.to_path_buf(),
            source,
        };
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        std::fs::create_dir_all(parent).map_err(fail)?;
        let name = target
            .file_name()
            .ok_or_else(|| fail(std::io::Error::other("not a directory path")))?;
        let mut prefix = std::ffi::OsString::from(".");
        prefix.push(name);
        prefix.push(".assess-staging-");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix);
        #[cfg(unix)]
        {
            // The usual permissions for a directory the user makes (0777 less the umask), not
            // the private 0700 of a temporary directory: it becomes the output.
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o777));
        }
        let staging = builder.tempdir_in(parent).map_err(fail)?;
        Ok(StagedDir {
            target: target.to_path_buf(),
            staging,
        })
    }

    /// Where to write the files.
    pub fn path(&self) -> &Path {
        self.staging.path()
    }

    /// Writes `bytes` as the file `relative` inside the staged directory (its directories
    /// made as needed). Not synced on its own: [`commit`](StagedDir::commit) makes every file
    /// durable at once, which for the hundreds of files of a census output (a list per
    /// county) is one sync instead of one each.
    pub fn write(&self, relative: impl AsRef<Path>, bytes: &[u8]) -> Result<(), OutputError> {
        let path = self.staging.path().join(relative);
        let fail = |source| OutputError {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        std::fs::write(&path, bytes).map_err(fail)
    }

    /// Puts the staged directory in the target's place; an existing target is replaced as a
    /// whole (the caller has decided it may be). Everything written in it is made durable
    /// first (one sync of the file system, so files written into it need not be synced one by
    /// one).
    pub fn commit(self) -> Result<(), OutputError> {
        let target = self.target;
        let fail = |source| OutputError {
            path: target.clone(),
            source,
        };
        sync_tree(self.staging.path()).map_err(fail)?;
        let staging = self.staging.keep();
        if !target.exists() {
            return std::fs::rename(&staging, &target).map_err(|e| {
                let _ = std::fs::remove_dir_all(&staging);
                fail(e)
            });
        }
        match exchange(&staging, &target) {
            // The old directory is now at the staging path.
            Ok(()) => std::fs::remove_dir_all(&staging).map_err(fail),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&staging);
                Err(fail(e))
            }
        }
    }
}

/// Makes every file and directory under `dir` durable: one `syncfs` on Linux; elsewhere
/// each file and directory synced in turn.
#[cfg(target_os = "linux")]
fn sync_tree(dir: &Path) -> std::io::Result<()> {
    let d = std::fs::File::open(dir)?;
    rustix::fs::syncfs(&d).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn sync_tree(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            sync_tree(&path)?;
        } else {
            std::fs::File::open(&path)?.sync_all()?;
        }
    }
    std::fs::File::open(dir)?.sync_all()
}

/// Swaps two directories in one step.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

/// Elsewhere: the old directory is moved aside, the new one moved in, the old one removed
/// (a reader may find no directory for an instant, never a mix).
#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    let aside = a.with_extension("old");
    std::fs::rename(b, &aside)?;
    if let Err(e) = std::fs::rename(a, b) {
        let _ = std::fs::rename(&aside, b);
        return Err(e);
    }
    std::fs::rename(&aside, a)
}

/// Whether every entry under `dir` (recursively) is accepted by `ours`: a directory that
/// holds only what assess wrote there may be replaced as a whole.
pub fn holds_only(dir: &Path, ours: &dyn Fn(&Path) -> bool) -> std::io::Result<bool> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let relative = path.strip_prefix(dir).unwrap_or(&path);
        if !ours(relative) {
            return Ok(false);
        }
        if path.is_dir() {
            let nested = |p: &Path| ours(&relative.join(p));
            if !holds_only(&path, &nested)? {
                return Ok(false);
            }
        }
    }
    Ok(true)
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

    #[test]
    fn a_staged_directory_appears_whole_and_replaces_an_old_one_whole() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("verdict");
        // Uncommitted: nothing appears, no staging directory is left.
        {
            let staged = StagedDir::create(&target).unwrap();
            write_atomic(&staged.path().join("verdict.json"), b"{}").unwrap();
        }
        assert!(!target.exists());
        assert_eq!(names(dir.path()), Vec::<String>::new());
        // First commit: the directory appears with its files.
        let staged = StagedDir::create(&target).unwrap();
        write_atomic(&staged.path().join("verdict.json"), b"old").unwrap();
        write_atomic(&staged.path().join("report.html"), b"old").unwrap();
        staged.commit().unwrap();
        assert_eq!(names(&target), vec!["report.html", "verdict.json"]);
        // Second: the new set replaces the old set, no old file survives beside it.
        let staged = StagedDir::create(&target).unwrap();
        write_atomic(&staged.path().join("verdict.json"), b"new").unwrap();
        staged.commit().unwrap();
        assert_eq!(names(&target), vec!["verdict.json"]);
        assert_eq!(std::fs::read(target.join("verdict.json")).unwrap(), b"new");
        assert_eq!(names(dir.path()), vec!["verdict"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
            assert_ne!(
                mode, 0o700,
                "the usual permissions, not a temporary directory's"
            );
        }
    }

    #[test]
    fn holds_only_sees_a_foreign_file_at_any_depth() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("530128")).unwrap();
        std::fs::write(dir.path().join("530128/verdict.json"), b"{}").unwrap();
        let ours = |p: &Path| {
            p.file_name()
                .is_some_and(|n| n == "530128" || n == "verdict.json")
        };
        assert!(holds_only(dir.path(), &ours).unwrap());
        std::fs::write(dir.path().join("530128/notes.txt"), b"mine").unwrap();
        assert!(!holds_only(dir.path(), &ours).unwrap());
    }
}
