//! The hash-chained audit log of the survey database (docs/audit.md): every write to the store
//! appends entries, each carrying the hash of the object written and the hash of the entry
//! before it, so that a later change, deletion or reordering of a record, a photo or an entry
//! can be found and named.
//!
//! Main items:
//! - [`Entry`] (one logged write) and [`Entry::next`], which chains a [`NewEntry`] to the
//!   entry before it; [`Entry::hash_of`] is the exact hash (over [`canonical_bytes`]);
//! - [`ObjectRef`] and [`ObjectKind`]: what an entry logs, named by kind and key;
//! - [`verify`]: given the entries and a view of the stored objects ([`ObjectView`]), every
//!   [`Problem`] found;
//! - [`Head`], [`SignedHead`], [`SecretKey`], [`PublicKey`]: the chain head, signed with
//!   ed25519 and checked later against the log ([`check_head`]).
//!
//! Not for: reading or writing the log or the objects (`assess-store` does, and computes each
//! object's content hash from its stored row), key files (the use case in `assess-app`), or
//! randomness (a key is made from 32 bytes the caller draws). **No I/O.**
#![deny(missing_docs)]

mod canonical;
mod entry;
mod head;
mod verify;

pub use canonical::{canonical_bytes, fields_sha256, sha256_hex, Field};
pub use entry::{action, object_kind, Entry, NewEntry, ObjectKind, ObjectRef, GENESIS};
pub use head::{check_head, Head, KeyError, PublicKey, SecretKey, SignedHead};
pub use verify::{verify, ObjectView, Problem, Report};
