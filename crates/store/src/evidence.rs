//! The evidence of review and appeal steps, kept as photos are: a file given with a step is
//! stored once by its SHA-256 (table `evidence_files`), and each step is linked to what it
//! names, a stored evidence file or a stored photo (table `finding_step_evidence`), so that
//! the evidence cannot be swapped later and can be read back.

use crate::{Store, StoreError};
use assess_inspection::{Evidence, StepRequest};
use sqlx::Row;

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

/// What a piece of stored evidence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// A file given with a step (table `evidence_files`).
    File,
    /// A photo added with `assess photo add` (table `photos`).
    Photo,
}

/// A piece of evidence as a step recorded it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EvidenceKept {
    /// Its SHA-256.
    pub sha256: String,
    /// A file or a photo.
    pub kind: EvidenceKind,
    /// A file's name, as this step gave it (or as first stored, when named by its hash).
    pub name: Option<String>,
    /// Its bytes were stored now (false: already stored under its SHA-256).
    pub newly_stored: bool,
}

impl EvidenceKept {
    /// The reference kept in the step's history: "NAME sha256:HEX" or "photo sha256:HEX".
    pub fn reference(&self) -> String {
        match (&self.kind, &self.name) {
            (EvidenceKind::File, Some(name)) => format!("{name} sha256:{}", self.sha256),
            _ => format!("photo sha256:{}", self.sha256),
        }
    }
}

/// Stored evidence read back: a file's bytes or a photo's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvidence {
    /// The SHA-256 it is stored under.
    pub sha256: String,
    /// A file or a photo.
    pub kind: EvidenceKind,
    /// The name it was first stored under.
    pub name: String,
    /// The bytes.
    pub content: Vec<u8>,
}

impl Store {
    /// Stored evidence by its SHA-256: an evidence file, else a photo; `None` when neither
    /// is stored (steps recorded before evidence files were kept named theirs by hash only).
    pub async fn evidence_content(
        &self,
        sha256: &str,
    ) -> Result<Option<StoredEvidence>, StoreError> {
        let db = |e| self.db_error(e);
        let file =
            sqlx::query("SELECT first_file_name, content FROM evidence_files WHERE sha256 = $1")
                .bind(sha256)
                .fetch_optional(self.pool())
                .await
                .map_err(db)?;
        if let Some(r) = file {
            return Ok(Some(StoredEvidence {
                sha256: sha256.to_string(),
                kind: EvidenceKind::File,
                name: r.try_get(0).map_err(db)?,
                content: r.try_get(1).map_err(db)?,
            }));
        }
        let photo = sqlx::query("SELECT first_file_name, content FROM photos WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(self.pool())
            .await
            .map_err(db)?;
        photo
            .map(|r| {
                Ok(StoredEvidence {
                    sha256: sha256.to_string(),
                    kind: EvidenceKind::Photo,
                    name: r.try_get(0)?,
                    content: r.try_get(1)?,
                })
            })
            .transpose()
            .map_err(db)
    }

    /// How many distinct evidence files are stored.
    pub async fn evidence_file_count(&self) -> Result<i64, StoreError> {
        sqlx::query("SELECT COUNT(*) FROM evidence_files")
            .fetch_one(self.pool())
            .await
            .and_then(|r| r.try_get(0))
            .map_err(|e| self.db_error(e))
    }
}

/// Keeps one piece of evidence: a file's bytes stored unless already stored under their
/// SHA-256; a SHA-256 looked up among the evidence files, then the photos. `None`: the SHA-256
/// names nothing stored.
pub(crate) async fn keep_evidence(
    tx: &mut Tx<'_>,
    evidence: &Evidence,
    now: &str,
) -> Result<Option<EvidenceKept>, sqlx::Error> {
    let sha256 = evidence.sha256();
    if let Evidence::File { name, content } = evidence {
        let stored = sqlx::query(
            "INSERT INTO evidence_files (sha256, content, byte_count, first_file_name, stored_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&sha256)
        .bind(content.clone())
        .bind(content.len() as i64)
        .bind(name)
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected()
            == 1;
        return Ok(Some(EvidenceKept {
            sha256,
            kind: EvidenceKind::File,
            name: Some(name.clone()),
            newly_stored: stored,
        }));
    }
    let file = sqlx::query("SELECT first_file_name FROM evidence_files WHERE sha256 = $1")
        .bind(&sha256)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(r) = file {
        return Ok(Some(EvidenceKept {
            sha256,
            kind: EvidenceKind::File,
            name: Some(r.try_get(0)?),
            newly_stored: false,
        }));
    }
    let photo = sqlx::query("SELECT sha256 FROM photos WHERE sha256 = $1")
        .bind(&sha256)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(photo.map(|_| EvidenceKept {
        sha256,
        kind: EvidenceKind::Photo,
        name: None,
        newly_stored: false,
    }))
}

/// Links a step to one piece of its evidence.
pub(crate) async fn link_evidence(
    tx: &mut Tx<'_>,
    req: &StepRequest,
    seq: i64,
    position: i64,
    kept: &EvidenceKept,
) -> Result<(), sqlx::Error> {
    let (file, photo) = match kept.kind {
        EvidenceKind::File => (Some(kept.sha256.clone()), None),
        EvidenceKind::Photo => (None, Some(kept.sha256.clone())),
    };
    sqlx::query(
        "INSERT INTO finding_step_evidence (draw_id, household_id, seq, position, file_sha256, \
         photo_sha256, file_name) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&req.draw_id)
    .bind(&req.household_id)
    .bind(seq)
    .bind(position)
    .bind(file)
    .bind(photo)
    .bind(
        kept.name
            .clone()
            .filter(|_| kept.kind == EvidenceKind::File),
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
