//! Housing-crack photos: stored once by content (SHA-256), linked to sampled households.
//!
//! Rules: a photo is stored once however often it is added; a link names a household of the
//! draw's sample (a household outside the draw is refused, and the schema's foreign key
//! refuses it too); adding a photo and its link is one transaction, so a refusal writes
//! nothing. The measurements, computed results and flags are JSON made by the caller (the
//! `assess-photo` crate computes them; this module stores them).

use crate::{audit, Store, StoreError};
use assess_audit::{action, ObjectRef};
use assess_photo::Photo;
use sqlx::Row;

/// Why a photo was not added. In every case nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum PhotoStoreError {
    /// The draw is not in the database.
    #[error("draw {0} is not in the database; import it first with `assess import-sample`")]
    UnknownDraw(String),
    /// The household is not in the draw's sample.
    #[error("household {household_id} is not in the sample of draw {draw_id}; a photo can only be linked to a sampled household")]
    NotInDraw {
        /// The draw.
        draw_id: String,
        /// The household.
        household_id: String,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::Retryable for PhotoStoreError {
    fn is_conflict(&self) -> bool {
        matches!(self, PhotoStoreError::Store(e) if e.is_conflict())
    }
}

/// What adding a photo did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PhotoAdded {
    /// The photo's bytes were stored now (false: already stored under its SHA-256).
    pub stored: bool,
    /// The link to the household was made now (false: it existed).
    pub linked: bool,
    /// An existing link's measurements, results or flags were replaced.
    pub replaced: bool,
}

/// The measurement, results and flag JSON stored with a link.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhotoEvidence {
    /// The inspector's measurement file (canonical JSON), if any.
    pub measurements_json: Option<String>,
    /// The computed results (JSON), if measurements were given.
    pub results_json: Option<String>,
    /// The location and date flags (JSON array).
    pub flags_json: String,
}

/// One stored link of a photo to a household.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PhotoLinkRow {
    /// The draw.
    pub draw_id: String,
    /// The household.
    pub household_id: String,
    /// The photo's SHA-256.
    pub photo_sha256: String,
    /// Size of the stored photo, bytes.
    pub byte_count: i64,
    /// EXIF time, when present.
    pub taken_at: Option<String>,
    /// Measurements JSON, when given.
    pub measurements_json: Option<String>,
    /// Computed results JSON, when measurements were given.
    pub results_json: Option<String>,
    /// Flags JSON.
    pub flags_json: String,
    /// When the link was made or last replaced.
    pub added_at: String,
}

/// A stored photo's bytes and thumbnail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPhoto {
    /// SHA-256 of `content`, as stored.
    pub sha256: String,
    /// The file's bytes.
    pub content: Vec<u8>,
    /// The JPEG thumbnail.
    pub thumbnail_jpeg: Vec<u8>,
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

impl Store {
    /// The county code of a sampled household, after checking that the draw is in the
    /// database and the household in its sample.
    pub async fn sampled_household_county(
        &self,
        draw_id: &str,
        household_id: &str,
    ) -> Result<String, PhotoStoreError> {
        let mut tx = self.pool().begin().await.map_err(|e| self.db_error(e))?;
        let county = household_county(&mut tx, draw_id, household_id)
            .await
            .map_err(|e| self.photo_error(e))?;
        tx.rollback().await.map_err(|e| self.db_error(e))?;
        county
    }

    /// Stores `photo` (unless a photo with its SHA-256 is already stored) and links it to a
    /// household of the draw with its evidence, in one transaction. Adding the same photo to
    /// the same household again replaces the evidence only if it differs.
    pub async fn add_photo(
        &self,
        photo: &Photo,
        content: &[u8],
        draw_id: &str,
        household_id: &str,
        evidence: &PhotoEvidence,
    ) -> Result<PhotoAdded, PhotoStoreError> {
        self.retrying(|| self.add_photo_once(photo, content, draw_id, household_id, evidence))
            .await
    }

    async fn add_photo_once(
        &self,
        photo: &Photo,
        content: &[u8],
        draw_id: &str,
        household_id: &str,
        evidence: &PhotoEvidence,
    ) -> Result<PhotoAdded, PhotoStoreError> {
        let db = |e| PhotoStoreError::Store(self.db_error(e));
        let mut tx = self.begin_write().await.map_err(db)?;
        household_county(&mut tx, draw_id, household_id)
            .await
            .map_err(db)??;
        let now = crate::now_rfc3339();
        let stored = sqlx::query(
            "INSERT INTO photos (sha256, content, byte_count, format, width, height, taken_at, \
             gps_lon, gps_lat, exif_note, thumbnail_jpeg, first_file_name, stored_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&photo.sha256)
        .bind(content.to_vec())
        .bind(content.len() as i64)
        .bind(&photo.format)
        .bind(i64::from(photo.width))
        .bind(i64::from(photo.height))
        .bind(photo.taken_at.map(|t| taken_text(&t)))
        .bind(photo.gps.map(|g| g.lon))
        .bind(photo.gps.map(|g| g.lat))
        .bind(photo.exif_note.clone())
        .bind(photo.thumbnail_jpeg.clone())
        .bind(photo.file.file_name().map_or_else(
            || photo.file.display().to_string(),
            |n| n.to_string_lossy().to_string(),
        ))
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected()
            == 1;
        let existing = sqlx::query(
            "SELECT measurements_json, results_json, flags_json FROM photo_links \
             WHERE draw_id = $1 AND household_id = $2 AND photo_sha256 = $3",
        )
        .bind(draw_id)
        .bind(household_id)
        .bind(&photo.sha256)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let (linked, replaced) = match existing {
            None => (true, false),
            Some(row) => {
                let old = PhotoEvidence {
                    measurements_json: row.try_get(0).map_err(db)?,
                    results_json: row.try_get(1).map_err(db)?,
                    flags_json: row.try_get(2).map_err(db)?,
                };
                // Adding again without measurements keeps the measurements stored before.
                let keep_old = evidence.measurements_json.is_none() || old == *evidence;
                (false, !keep_old)
            }
        };
        let mut logged = Vec::new();
        if stored {
            logged.push(audit::bytes_entry(
                action::PHOTO_STORE,
                &ObjectRef::photo(&photo.sha256),
                content,
            ));
        }
        if linked || replaced {
            // One statement for a new link and for replaced measurements (both engines
            // support INSERT ... ON CONFLICT DO UPDATE).
            sqlx::query(
                "INSERT INTO photo_links (draw_id, household_id, photo_sha256, \
                 measurements_json, results_json, flags_json, added_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (draw_id, household_id, photo_sha256) DO UPDATE SET \
                 measurements_json = excluded.measurements_json, results_json = excluded.results_json, \
                 flags_json = excluded.flags_json, added_at = excluded.added_at",
            )
            .bind(draw_id)
            .bind(household_id)
            .bind(&photo.sha256)
            .bind(evidence.measurements_json.clone())
            .bind(evidence.results_json.clone())
            .bind(&evidence.flags_json)
            .bind(&now)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            logged.push(
                audit::link_entry(&mut tx, draw_id, household_id, &photo.sha256)
                    .await
                    .map_err(db)?,
            );
        }
        audit::append(&mut tx, self.actor(), logged)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(PhotoAdded {
            stored,
            linked,
            replaced,
        })
    }

    /// Every photo link, optionally of one draw, by draw, household and photo.
    pub async fn photo_links(
        &self,
        draw_id: Option<&str>,
    ) -> Result<Vec<PhotoLinkRow>, StoreError> {
        const ALL: &str = "SELECT l.draw_id, l.household_id, l.photo_sha256, p.byte_count, \
             p.taken_at, l.measurements_json, l.results_json, l.flags_json, l.added_at \
             FROM photo_links l JOIN photos p ON p.sha256 = l.photo_sha256 \
             ORDER BY l.draw_id, l.household_id, l.photo_sha256";
        const ONE: &str = "SELECT l.draw_id, l.household_id, l.photo_sha256, p.byte_count, \
             p.taken_at, l.measurements_json, l.results_json, l.flags_json, l.added_at \
             FROM photo_links l JOIN photos p ON p.sha256 = l.photo_sha256 \
             WHERE l.draw_id = $1 ORDER BY l.draw_id, l.household_id, l.photo_sha256";
        let query = match draw_id {
            Some(d) => sqlx::query(ONE).bind(d),
            None => sqlx::query(ALL),
        };
        let rows = query
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.db_error(e))?;
        rows.iter()
            .map(|r| {
                Ok(PhotoLinkRow {
                    draw_id: r.try_get(0)?,
                    household_id: r.try_get(1)?,
                    photo_sha256: r.try_get(2)?,
                    byte_count: r.try_get(3)?,
                    taken_at: r.try_get(4)?,
                    measurements_json: r.try_get(5)?,
                    results_json: r.try_get(6)?,
                    flags_json: r.try_get(7)?,
                    added_at: r.try_get(8)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.db_error(e))
    }

    /// How many distinct photos are stored.
    pub async fn photo_count(&self) -> Result<i64, StoreError> {
        sqlx::query("SELECT COUNT(*) FROM photos")
            .fetch_one(self.pool())
            .await
            .and_then(|r| r.try_get(0))
            .map_err(|e| self.db_error(e))
    }

    /// A stored photo by SHA-256, if stored.
    pub async fn photo(&self, sha256: &str) -> Result<Option<StoredPhoto>, StoreError> {
        let row =
            sqlx::query("SELECT sha256, content, thumbnail_jpeg FROM photos WHERE sha256 = $1")
                .bind(sha256)
                .fetch_optional(self.pool())
                .await
                .map_err(|e| self.db_error(e))?;
        row.map(|r| {
            Ok(StoredPhoto {
                sha256: r.try_get(0)?,
                content: r.try_get(1)?,
                thumbnail_jpeg: r.try_get(2)?,
            })
        })
        .transpose()
        .map_err(|e| self.db_error(e))
    }

    fn photo_error(&self, e: sqlx::Error) -> PhotoStoreError {
        PhotoStoreError::Store(self.db_error(e))
    }
}

/// The household's county code, or why it cannot be linked. The outer error is the
/// database's; the inner one is the refusal.
async fn household_county(
    tx: &mut Tx<'_>,
    draw_id: &str,
    household_id: &str,
) -> Result<Result<String, PhotoStoreError>, sqlx::Error> {
    let known = sqlx::query("SELECT draw_id FROM draws WHERE draw_id = $1")
        .bind(draw_id)
        .fetch_optional(&mut **tx)
        .await?
        .is_some();
    if !known {
        return Ok(Err(PhotoStoreError::UnknownDraw(draw_id.to_string())));
    }
    let row = sqlx::query(
        "SELECT county_code FROM sample_households WHERE draw_id = $1 AND household_id = $2",
    )
    .bind(draw_id)
    .bind(household_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match row {
        Some(r) => Ok(r.try_get(0)?),
        None => Err(PhotoStoreError::NotInDraw {
            draw_id: draw_id.to_string(),
            household_id: household_id.to_string(),
        }),
    })
}

/// EXIF time as text: `YYYY-MM-DDTHH:MM:SS`, with `+hh:mm` when the offset was recorded.
fn taken_text(t: &assess_photo::TakenAt) -> String {
    let mut s = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    );
    if let Some(m) = t.offset_minutes {
        let sign = if m < 0 { '-' } else { '+' };
        let m = m.unsigned_abs();
        s.push_str(&format!("{sign}{:02}:{:02}", m / 60, m % 60));
    }
    s
}
