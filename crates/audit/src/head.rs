//! The chain head, and its ed25519 signature: a head signed by a national key and kept outside
//! the database commits to every entry up to it, so that the log cannot later be cut back or
//! rewritten without the head's check failing.
//!
//! Keys are 32 bytes written as 64 lowercase hex digits (a secret key is the ed25519 seed of
//! RFC 8032; a public key the encoded point). The signed message is the canonical list
//! `["assess-audit-head/1", sequence, entry_hash, entries, time]` (an integer, a text, an
//! integer, a text; encoding in [`crate::canonical_bytes`]).

use crate::canonical::{canonical_bytes, Field};
use crate::entry::Entry;
use crate::verify::Problem;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

const HEAD_TAG: &str = "assess-audit-head/1";

/// The chain head: the last entry when it was taken.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Head {
    /// The last entry's sequence number (0 for an empty log).
    pub sequence: i64,
    /// The last entry's hash (the genesis hash for an empty log).
    pub entry_hash: String,
    /// How many entries the log held.
    pub entries: i64,
    /// When the head was taken, RFC 3339 UTC.
    pub time: String,
}

/// A head with the signature of a key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignedHead {
    /// The head.
    #[serde(flatten)]
    pub head: Head,
    /// The signer's public key, 64 hex digits.
    pub public_key: String,
    /// The ed25519 signature of the head's canonical bytes, 128 hex digits.
    pub signature: String,
}

/// Why a key or signature could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not 64 hex digits.
    #[error("not a key: a key is 64 hex digits (32 bytes) on one line")]
    NotHex,
    /// 32 bytes that are not an ed25519 public key.
    #[error("not an ed25519 public key (the 32 bytes are not a point of the curve)")]
    NotAPoint,
}

/// An ed25519 signing key.
pub struct SecretKey(SigningKey);

/// An ed25519 public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey(public {})", self.public().to_hex())
    }
}

fn bytes32(text: &str) -> Result<[u8; 32], KeyError> {
    let bytes = hex::decode(text.trim()).map_err(|_| KeyError::NotHex)?;
    bytes.try_into().map_err(|_| KeyError::NotHex)
}

impl SecretKey {
    /// The key made from 32 random bytes (the caller draws them from the operating system).
    pub fn from_seed(seed: [u8; 32]) -> SecretKey {
        SecretKey(SigningKey::from_bytes(&seed))
    }

    /// A key file's text: 64 hex digits, surrounding white space ignored.
    pub fn from_hex(text: &str) -> Result<SecretKey, KeyError> {
        Ok(SecretKey::from_seed(bytes32(text)?))
    }

    /// The key as a key file holds it: 64 hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }

    /// Its public key.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// The head signed.
    pub fn sign(&self, head: &Head) -> SignedHead {
        let signature = self.0.sign(&head_bytes(head));
        SignedHead {
            head: head.clone(),
            public_key: self.public().to_hex(),
            signature: hex::encode(signature.to_bytes()),
        }
    }
}

impl PublicKey {
    /// A public key file's text: 64 hex digits, surrounding white space ignored.
    pub fn from_hex(text: &str) -> Result<PublicKey, KeyError> {
        VerifyingKey::from_bytes(&bytes32(text)?)
            .map(PublicKey)
            .map_err(|_| KeyError::NotAPoint)
    }

    /// 64 hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }

    /// Whether `signed` carries this key's valid signature of its head (strict ed25519
    /// verification).
    pub fn verifies(&self, signed: &SignedHead) -> bool {
        let Ok(bytes) = hex::decode(&signed.signature) else {
            return false;
        };
        let Ok(bytes) = <[u8; 64]>::try_from(bytes) else {
            return false;
        };
        let signature = Signature::from_bytes(&bytes);
        self.0
            .verify_strict(&head_bytes(&signed.head), &signature)
            .is_ok()
    }
}

/// The bytes a head's signature covers.
fn head_bytes(head: &Head) -> Vec<u8> {
    canonical_bytes(&[
        Field::Text(HEAD_TAG),
        Field::Int(head.sequence),
        Field::Text(&head.entry_hash),
        Field::Int(head.entries),
        Field::Text(&head.time),
    ])
}

/// Checks a signed head against the log: its signature (by `trusted` when given, else by the
/// key it names, which proves only that the file is intact) and that its entry is still in
/// the log at its sequence with the hash signed. Every problem found.
pub fn check_head(
    entries: &[Entry],
    signed: &SignedHead,
    trusted: Option<&PublicKey>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let named = PublicKey::from_hex(&signed.public_key).ok();
    match (trusted, named) {
        (Some(t), named) if named != Some(*t) => problems.push(Problem::HeadKeyNotTrusted {
            signed_by: signed.public_key.clone(),
            trusted: t.to_hex(),
        }),
        (_, Some(key)) if !key.verifies(signed) => problems.push(Problem::HeadSignatureInvalid),
        (_, None) => problems.push(Problem::HeadSignatureInvalid),
        _ => {}
    }
    let sequence = signed.head.sequence;
    if sequence > 0 {
        match entries.iter().find(|e| e.sequence == sequence) {
            None => problems.push(Problem::HeadEntryMissing { sequence }),
            Some(e) if e.entry_hash != signed.head.entry_hash => {
                problems.push(Problem::HeadEntryDiffers {
                    sequence,
                    signed: signed.head.entry_hash.clone(),
                    now: e.entry_hash.clone(),
                })
            }
            Some(_) => {}
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{NewEntry, ObjectRef};

    fn entries(n: i64) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for i in 1..=n {
            let prev = out.last().map(|e| (e.sequence, e.entry_hash.as_str()));
            let object = ObjectRef::photo(&format!("p{i}"));
            let e = Entry::next(
                prev,
                "2026-12-06T08:00:00Z",
                "cli:test",
                NewEntry::new("photo.store", &object, format!("p{i}")),
            );
            out.push(e);
        }
        out
    }

    fn head_of(entries: &[Entry]) -> Head {
        let last = entries.last().unwrap();
        Head {
            sequence: last.sequence,
            entry_hash: last.entry_hash.clone(),
            entries: entries.len() as i64,
            time: "2026-12-06T09:00:00Z".into(),
        }
    }

    /// RFC 8032 section 7.1, test 1: the empty message's signature under its published key.
    #[test]
    fn signing_matches_rfc_8032_test_vector_1() {
        let key =
            SecretKey::from_hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
                .unwrap();
        assert_eq!(
            key.public().to_hex(),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        let signature = key.0.sign(b"");
        assert_eq!(
            hex::encode(signature.to_bytes()),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155\
             5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
    }

    #[test]
    fn a_signed_head_verifies_against_its_log() {
        let log = entries(4);
        let key = SecretKey::from_seed([7; 32]);
        let signed = key.sign(&head_of(&log));
        assert!(check_head(&log, &signed, Some(&key.public())).is_empty());
        assert!(check_head(&log, &signed, None).is_empty());
        // More entries appended later do not disturb it.
        let longer = entries(6);
        assert!(check_head(&longer, &signed, Some(&key.public())).is_empty());
        // Round trip through JSON, as a head file is.
        let text = serde_json::to_string(&signed).unwrap();
        let back: SignedHead = serde_json::from_str(&text).unwrap();
        assert_eq!(back, signed);
        assert!(
            text.contains("\"sequence\":4") && text.contains("\"signature\""),
            "{text}"
        );
    }

    #[test]
    fn a_wrong_key_or_a_changed_head_fails() {
        let log = entries(4);
        let key = SecretKey::from_seed([7; 32]);
        let other = SecretKey::from_seed([8; 32]);
        let signed = key.sign(&head_of(&log));
        assert!(matches!(
            check_head(&log, &signed, Some(&other.public()))[..],
            [Problem::HeadKeyNotTrusted { .. }]
        ));
        let mut changed = signed.clone();
        changed.head.time = "2026-12-07T09:00:00Z".into();
        assert_eq!(
            check_head(&log, &changed, Some(&key.public())),
            [Problem::HeadSignatureInvalid]
        );
        // Signed by another key that put its own public key in the file: intact as a file,
        // but not by the trusted key.
        let forged = other.sign(&head_of(&log));
        assert!(check_head(&log, &forged, None).is_empty());
        assert!(!check_head(&log, &forged, Some(&key.public())).is_empty());
    }

    #[test]
    fn a_log_cut_back_or_rewritten_fails_the_head() {
        let log = entries(4);
        let key = SecretKey::from_seed([7; 32]);
        let signed = key.sign(&head_of(&log));
        assert_eq!(
            check_head(&log[..3], &signed, Some(&key.public())),
            [Problem::HeadEntryMissing { sequence: 4 }]
        );
        let mut rewritten = log.clone();
        rewritten[3].actor = "forger".into();
        rewritten[3].entry_hash = rewritten[3].recomputed_hash();
        assert!(matches!(
            check_head(&rewritten, &signed, Some(&key.public()))[..],
            [Problem::HeadEntryDiffers { sequence: 4, .. }]
        ));
    }

    #[test]
    fn key_text_is_64_hex_digits() {
        assert_eq!(SecretKey::from_hex("abc").unwrap_err(), KeyError::NotHex);
        assert_eq!(PublicKey::from_hex("zz").unwrap_err(), KeyError::NotHex);
        let key = SecretKey::from_seed([1; 32]);
        let again = SecretKey::from_hex(&format!("  {}\n", key.to_hex())).unwrap();
        assert_eq!(again.public(), key.public());
        assert_eq!(
            PublicKey::from_hex(&key.public().to_hex()).unwrap(),
            key.public()
        );
    }
}
