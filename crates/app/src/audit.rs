//! The audit log's use cases (docs/audit.md): verify the chain and the stored objects
//! ([`verify`], optionally against a signed head), take the chain head and sign it ([`head`]),
//! and make a signing key ([`keygen`]). The key and head files are read and written here.
//!
//! Key files: one line of 64 hex digits; the secret key file is made with mode 0600 and never
//! overwritten; the public key is written beside it as `NAME.pub`. Head files: JSON, a
//! [`Head`] or a [`SignedHead`].

use assess_audit::{check_head, Head, KeyError, PublicKey, Report, SecretKey, SignedHead};
use assess_store::{Store, StoreError};
use std::path::{Path, PathBuf};

/// Why an audit use case failed. Nothing was written in part.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file could not be read or written.
    #[error("{what} {}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A key file does not hold a key.
    #[error("{}", path.display())]
    Key {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: KeyError,
    },
    /// A head file is not a signed head.
    #[error(
        "{}: not a signed audit head (JSON with sequence, entry_hash, entries, time, \
         public_key and signature, as written by signing the head)",
        path.display()
    )]
    HeadFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// An output file exists already.
    #[error("{} exists; it is kept: write to a new file", .0.display())]
    OutputExists(PathBuf),
    /// The operating system gave no random bytes for a key.
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
    /// An output could not be written.
    #[error(transparent)]
    Output(#[from] assess_output::OutputError),
}

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> AuditError {
    let path = path.to_path_buf();
    move |source| AuditError::Io { what, path, source }
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The chain's and the objects' report; a signed head's problems are added to its
    /// problems.
    pub report: Report,
    /// The signed head checked, when one was given.
    pub head: Option<SignedHead>,
    /// Whether the head's key was the trusted one given (false: checked by the key the head
    /// names, which shows only that the head file is intact).
    pub trusted_key: bool,
}

/// Verifies the log and every stored object, and when `head` is given, that the log still
/// holds the signed head's entry and that its signature verifies (by `trusted` when given).
pub async fn verify(
    store: &Store,
    head: Option<&SignedHead>,
    trusted: Option<&PublicKey>,
) -> Result<Verification, AuditError> {
    let snapshot = store.audit_snapshot().await?;
    let mut report = assess_audit::verify(&snapshot.entries, &snapshot.view);
    if let Some(h) = head {
        report
            .problems
            .extend(check_head(&snapshot.entries, h, trusted));
    }
    Ok(Verification {
        report,
        head: head.cloned(),
        trusted_key: trusted.is_some(),
    })
}

/// The chain head now, signed by `key` when given, written to `out` as JSON (never over an
/// existing file).
pub async fn head(
    store: &Store,
    key: Option<&SecretKey>,
    out: &Path,
) -> Result<HeadWritten, AuditError> {
    if out.exists() {
        return Err(AuditError::OutputExists(out.to_path_buf()));
    }
    let head = store.audit_head().await?;
    let (json, signed) = match key {
        Some(k) => {
            let signed = k.sign(&head);
            (to_json(&signed), Some(signed))
        }
        None => (to_json(&head), None),
    };
    assess_output::write_atomic(out, json.as_bytes())?;
    Ok(HeadWritten { head, signed })
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("a head serialises") + "\n"
}

/// What [`head`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadWritten {
    /// The head.
    pub head: Head,
    /// Its signature, when signed.
    pub signed: Option<SignedHead>,
}

/// Reads a signed head file.
pub fn read_head(path: &Path) -> Result<SignedHead, AuditError> {
    let text = std::fs::read_to_string(path).map_err(io("reading", path))?;
    serde_json::from_str(&text).map_err(|source| AuditError::HeadFile {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a secret key file.
pub fn read_secret_key(path: &Path) -> Result<SecretKey, AuditError> {
    let text = std::fs::read_to_string(path).map_err(io("reading", path))?;
    SecretKey::from_hex(&text).map_err(|source| AuditError::Key {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a public key file.
pub fn read_public_key(path: &Path) -> Result<PublicKey, AuditError> {
    let text = std::fs::read_to_string(path).map_err(io("reading", path))?;
    PublicKey::from_hex(&text).map_err(|source| AuditError::Key {
        path: path.to_path_buf(),
        source,
    })
}

/// Where [`keygen`] wrote the keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPair {
    /// The secret key file (mode 0600).
    pub secret: PathBuf,
    /// The public key file, `NAME.pub`.
    pub public_file: PathBuf,
    /// The public key.
    pub public: PublicKey,
}

/// Makes a signing key from the operating system's random bytes and writes it to `out`
/// (created new, mode 0600) and its public key to `out.pub`; refuses when either exists.
pub fn keygen(out: &Path) -> Result<KeyPair, AuditError> {
    let mut public_file = out.as_os_str().to_owned();
    public_file.push(".pub");
    let public_file = PathBuf::from(public_file);
    for path in [out, &public_file] {
        if path.exists() {
            return Err(AuditError::OutputExists(path.to_path_buf()));
        }
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| AuditError::Random(e.to_string()))?;
    let key = SecretKey::from_seed(seed);
    seed.fill(0);
    write_private(out, format!("{}\n", key.to_hex()).as_bytes())?;
    let public = key.public();
    assess_output::write_atomic(&public_file, format!("{}\n", public.to_hex()).as_bytes())?;
    Ok(KeyPair {
        secret: out.to_path_buf(),
        public_file,
        public,
    })
}

/// Writes a new file readable by its owner only (0600), refusing an existing one.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), AuditError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => AuditError::OutputExists(path.to_path_buf()),
        _ => AuditError::Io {
            what: "creating",
            path: path.to_path_buf(),
            source: e,
        },
    })?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if let Err(e) = written {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(AuditError::Io {
            what: "writing",
            path: path.to_path_buf(),
            source: e,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn keygen_writes_a_private_key_and_its_public_key_and_never_overwrites() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("national.key");
        let pair = keygen(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let secret = read_secret_key(&path).unwrap();
        assert_eq!(secret.public(), pair.public);
        assert_eq!(read_public_key(&pair.public_file).unwrap(), pair.public);
        assert!(matches!(
            keygen(&path),
            Err(AuditError::OutputExists(p)) if p == path
        ));
        // Two keys differ (the seed is random).
        let other = keygen(&dir.path().join("other.key")).unwrap();
        assert_ne!(other.public, pair.public);
    }
}
