//! One entry of the log, its exact hash, and the objects entries name.

use crate::canonical::{fields_sha256, Field};
use std::fmt;

/// The previous-entry hash of the first entry: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The first field of every entry's canonical list: what is hashed, and its version.
const ENTRY_TAG: &str = "assess-audit-entry/1";

/// The actions the store logs (`KIND.VERB`; the kind before the dot names the object).
pub mod action {
    /// A draw imported (its draw, village and household rows).
    pub const DRAW_IMPORT: &str = "draw.import";
    /// Facts added to a stored draw (its time, village centres).
    pub const DRAW_FACTS: &str = "draw.facts";
    /// A version of a household's visit record stored (field, review or appeal).
    pub const RECORD_VERSION: &str = "record.version";
    /// A photo's bytes stored.
    pub const PHOTO_STORE: &str = "photo.store";
    /// A photo linked to a household, or its measurements replaced.
    pub const PHOTO_LINK: &str = "photo.link";
    /// A review or appeal step recorded, with the evidence it names.
    pub const STEP_RECORD: &str = "step.record";
    /// An evidence file's bytes stored.
    pub const EVIDENCE_STORE: &str = "evidence.store";
    /// The suffix of the entries that log, once, the objects a database held when its audit
    /// log began (`draw.baseline`, `record.baseline`, ...).
    pub const BASELINE: &str = "baseline";
}

/// One logged write.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    /// 1, 2, ... with no gap.
    pub sequence: i64,
    /// When it was logged, RFC 3339 UTC.
    pub time: String,
    /// Who wrote (an account name, or `cli:USER`).
    pub actor: String,
    /// What was done, `KIND.VERB` (see [`action`]).
    pub action: String,
    /// The object's key within its kind (see [`ObjectRef`]).
    pub key: String,
    /// The object's content hash as written (lowercase hex SHA-256).
    pub content_sha256: String,
    /// The entry before it's `entry_hash`, or [`GENESIS`] for the first.
    pub prev_hash: String,
    /// [`Entry::hash_of`] its fields.
    pub entry_hash: String,
}

/// What one write logs; [`Entry::next`] gives it its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    /// `KIND.VERB`.
    pub action: String,
    /// The object's key.
    pub key: String,
    /// The object's content hash.
    pub content_sha256: String,
}

impl NewEntry {
    /// An entry logging `object` with `content_sha256` by `action`.
    pub fn new(action: &str, object: &ObjectRef, content_sha256: String) -> NewEntry {
        NewEntry {
            action: action.to_string(),
            key: object.key.clone(),
            content_sha256,
        }
    }
}

impl Entry {
    /// The entry hash: SHA-256 over the canonical list `["assess-audit-entry/1", sequence,
    /// time, actor, action, key, content_sha256, prev_hash]` (an integer then six texts;
    /// encoding in [`crate::canonical_bytes`]), lowercase hex.
    pub fn hash_of(
        sequence: i64,
        time: &str,
        actor: &str,
        action: &str,
        key: &str,
        content_sha256: &str,
        prev_hash: &str,
    ) -> String {
        fields_sha256(&[
            Field::Text(ENTRY_TAG),
            Field::Int(sequence),
            Field::Text(time),
            Field::Text(actor),
            Field::Text(action),
            Field::Text(key),
            Field::Text(content_sha256),
            Field::Text(prev_hash),
        ])
    }

    /// The hash its fields give now, had it been logged at `sequence`.
    pub fn hash_at(&self, sequence: i64) -> String {
        Entry::hash_of(
            sequence,
            &self.time,
            &self.actor,
            &self.action,
            &self.key,
            &self.content_sha256,
            &self.prev_hash,
        )
    }

    /// The hash its fields give now (equal to `entry_hash` unless it was changed).
    pub fn recomputed_hash(&self) -> String {
        self.hash_at(self.sequence)
    }

    /// The entry after `prev` (the first when `None`), logged at `time` by `actor`.
    pub fn next(prev: Option<(i64, &str)>, time: &str, actor: &str, new: NewEntry) -> Entry {
        let (sequence, prev_hash) = match prev {
            Some((s, h)) => (s + 1, h.to_string()),
            None => (1, GENESIS.to_string()),
        };
        let entry_hash = Entry::hash_of(
            sequence,
            time,
            actor,
            &new.action,
            &new.key,
            &new.content_sha256,
            &prev_hash,
        );
        Entry {
            sequence,
            time: time.to_string(),
            actor: actor.to_string(),
            action: new.action,
            key: new.key,
            content_sha256: new.content_sha256,
            prev_hash,
            entry_hash,
        }
    }

    /// The object it logs.
    pub fn object(&self) -> ObjectRef {
        ObjectRef {
            kind: object_kind(&self.action),
            key: self.key.clone(),
        }
    }
}

/// The kinds of object the store logs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectKind {
    /// A draw: its draws row, village rows and household rows. Key: the draw id.
    Draw,
    /// One version of a household's visit record. Key: `DRAW/HOUSEHOLD/VERSION`.
    Record,
    /// A photo's bytes. Key: their SHA-256.
    Photo,
    /// A photo's link to a household, with its measurements. Key: `DRAW/HOUSEHOLD/PHOTO_SHA256`.
    PhotoLink,
    /// A review or appeal step with its evidence links. Key: `DRAW/HOUSEHOLD/SEQ`.
    Step,
    /// An evidence file's bytes. Key: their SHA-256.
    Evidence,
    /// A kind this version does not check against stored objects (e.g. `account`).
    Other(String),
}

impl ObjectKind {
    /// The name used in actions (`draw`, `record`, `photo`, `photo_link`, `step`,
    /// `evidence`).
    pub fn name(&self) -> &str {
        match self {
            ObjectKind::Draw => "draw",
            ObjectKind::Record => "record",
            ObjectKind::Photo => "photo",
            ObjectKind::PhotoLink => "photo_link",
            ObjectKind::Step => "step",
            ObjectKind::Evidence => "evidence",
            ObjectKind::Other(name) => name,
        }
    }

    /// The action of the entry that logs an object of this kind in a baseline
    /// (`draw.baseline`, ...).
    pub fn baseline_action(&self) -> String {
        format!("{}.{}", self.name(), action::BASELINE)
    }
}

/// The kind of object an action writes: the part before the first dot, except that
/// `photo.link` writes a photo link.
pub fn object_kind(action: &str) -> ObjectKind {
    let (kind, verb) = action.split_once('.').unwrap_or((action, ""));
    match (kind, verb) {
        ("photo", "link") | ("photo_link", _) => ObjectKind::PhotoLink,
        ("draw", _) => ObjectKind::Draw,
        ("record", _) => ObjectKind::Record,
        ("photo", _) => ObjectKind::Photo,
        ("step", _) => ObjectKind::Step,
        ("evidence", _) => ObjectKind::Evidence,
        (other, _) => ObjectKind::Other(other.to_string()),
    }
}

/// An object as the log names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectRef {
    /// Its kind.
    pub kind: ObjectKind,
    /// Its key within the kind.
    pub key: String,
}

impl ObjectRef {
    /// A draw, by id.
    pub fn draw(draw_id: &str) -> ObjectRef {
        ObjectRef {
            kind: ObjectKind::Draw,
            key: draw_id.to_string(),
        }
    }

    /// One version of a household's record.
    pub fn record(draw_id: &str, household_id: &str, version: i64) -> ObjectRef {
        ObjectRef {
            kind: ObjectKind::Record,
            key: format!("{draw_id}/{household_id}/{version}"),
        }
    }

    /// A photo, by the SHA-256 it is stored under.
    pub fn photo(sha256: &str) -> ObjectRef {
        ObjectRef {
            kind: ObjectKind::Photo,
            key: sha256.to_string(),
        }
    }

    /// A photo's link to a household.
    pub fn photo_link(draw_id: &str, household_id: &str, photo_sha256: &str) -> ObjectRef {
        ObjectRef {
            kind: ObjectKind::PhotoLink,
            key: format!("{draw_id}/{household_id}/{photo_sha256}"),
        }
    }

    /// A household's review or appeal step.
    pub fn step(draw_id: &str, household_id: &str, seq: i64) -> ObjectRef {
        ObjectRef {
            kind: ObjectKind::Step,
            key: format!("{draw_id}/{household_id}/{seq}"),
        }
    }

    /// An evidence file, by the SHA-256 it is stored under.
    pub fn evidence(sha256: &str) -> ObjectRef {
        ObjectRef {
            kind: ObjectKind::Evidence,
            key: sha256.to_string(),
        }
    }
}

/// In words: "record D/H version 2", "photo SHA", "step 3 of D/H", ...
impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The last part of a composite key (version, photo, step) after the household.
        let parts: Vec<&str> = self.key.rsplitn(2, '/').collect();
        let text = match (&self.kind, parts.as_slice()) {
            (ObjectKind::Draw, _) => format!("draw {}", self.key),
            (ObjectKind::Record, [version, household]) => {
                format!("record {household} version {version}")
            }
            (ObjectKind::Photo, _) => format!("photo {}", self.key),
            (ObjectKind::PhotoLink, [photo, household]) => {
                format!("the link of photo {photo} to {household}")
            }
            (ObjectKind::Step, [seq, household]) => format!("step {seq} of {household}"),
            (ObjectKind::Evidence, _) => format!("evidence file {}", self.key),
            (ObjectKind::Other(kind), _) => format!("{kind} {}", self.key),
            (kind, _) => format!("{} {}", kind.name(), self.key),
        };
        f.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash of a known entry, computed independently from the documented bytes (a domain
    /// tag, an integer, six texts), so that the definition cannot drift.
    #[test]
    fn the_entry_hash_is_sha256_of_the_documented_fields() {
        let e = Entry::next(
            None,
            "2026-12-06T08:00:00Z",
            "cli:root",
            NewEntry::new(
                action::RECORD_VERSION,
                &ObjectRef::record("D", "H", 1),
                "ab".repeat(32),
            ),
        );
        assert_eq!(e.sequence, 1);
        assert_eq!(e.prev_hash, GENESIS);
        assert_eq!(e.key, "D/H/1");
        let mut bytes = Vec::new();
        let text = |b: &mut Vec<u8>, s: &str| {
            b.push(3);
            b.extend_from_slice(&(s.len() as u64).to_be_bytes());
            b.extend_from_slice(s.as_bytes());
        };
        text(&mut bytes, "assess-audit-entry/1");
        bytes.push(1);
        bytes.extend_from_slice(&1i64.to_be_bytes());
        for s in [
            "2026-12-06T08:00:00Z",
            "cli:root",
            "record.version",
            "D/H/1",
            &"ab".repeat(32),
            GENESIS,
        ] {
            text(&mut bytes, s);
        }
        assert_eq!(e.entry_hash, crate::sha256_hex(&bytes));
        assert_eq!(e.recomputed_hash(), e.entry_hash);
        let second = Entry::next(
            Some((e.sequence, &e.entry_hash)),
            "2026-12-06T08:00:01Z",
            "cli:root",
            NewEntry::new(action::PHOTO_STORE, &ObjectRef::photo("p"), "p".into()),
        );
        assert_eq!(
            (second.sequence, second.prev_hash.as_str()),
            (2, e.entry_hash.as_str())
        );
    }

    #[test]
    fn actions_name_their_object_kind() {
        assert_eq!(object_kind("draw.import"), ObjectKind::Draw);
        assert_eq!(object_kind("draw.facts"), ObjectKind::Draw);
        assert_eq!(object_kind("record.version"), ObjectKind::Record);
        assert_eq!(object_kind("photo.store"), ObjectKind::Photo);
        assert_eq!(object_kind("photo.link"), ObjectKind::PhotoLink);
        assert_eq!(object_kind("photo_link.baseline"), ObjectKind::PhotoLink);
        assert_eq!(object_kind("step.record"), ObjectKind::Step);
        assert_eq!(object_kind("evidence.store"), ObjectKind::Evidence);
        assert_eq!(
            object_kind("account.add"),
            ObjectKind::Other("account".into())
        );
        for kind in [
            ObjectKind::Draw,
            ObjectKind::Record,
            ObjectKind::Photo,
            ObjectKind::PhotoLink,
            ObjectKind::Step,
            ObjectKind::Evidence,
        ] {
            assert_eq!(object_kind(&kind.baseline_action()), kind);
        }
    }

    #[test]
    fn objects_are_named_in_words() {
        assert_eq!(
            ObjectRef::record("D", "H", 2).to_string(),
            "record D/H version 2"
        );
        assert_eq!(ObjectRef::step("D", "H", 3).to_string(), "step 3 of D/H");
        assert_eq!(
            ObjectRef::photo_link("D", "H", "abc").to_string(),
            "the link of photo abc to D/H"
        );
        assert_eq!(ObjectRef::photo("abc").to_string(), "photo abc");
    }
}
