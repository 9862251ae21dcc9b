//! What `assess check` needs from the database: each draw's sample (household, county,
//! village, stratum, role, reserve rank) and the current visit record of each visited
//! household. The rules themselves are in `assess_inspection::check_draw`.

use crate::{Store, StoreError};
use assess_inspection::{CheckInput, Gps, PhotoHash, SampleUnit, VisitRecord};
use assess_sampling::Role;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// One draw's sample, current visit records and facts, ready for
/// `assess_inspection::check_draw`.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawForCheck {
    /// The draw's id.
    pub draw_id: String,
    /// What the checks look at: the sample (by county, village, stratum, role and reserve
    /// rank), the current version of each visited household's record, the draw time, the
    /// village centres and the photos with their bytes re-hashed.
    pub input: CheckInput,
}

impl Store {
    /// The sample and current visit records of one draw, or of every draw (by id) when
    /// `draw_id` is `None`. A draw id not in the database gives an empty list.
    pub async fn draws_for_check(
        &self,
        draw_id: Option<&str>,
    ) -> Result<Vec<DrawForCheck>, StoreError> {
        let db = |e| self.db_error(e);
        let ids: Vec<String> = match draw_id {
            Some(d) => {
                sqlx::query("SELECT draw_id FROM draws WHERE draw_id = $1")
                    .bind(d)
                    .fetch_all(self.pool())
                    .await
            }
            None => {
                sqlx::query("SELECT draw_id FROM draws ORDER BY draw_id")
                    .fetch_all(self.pool())
                    .await
            }
        }
        .map_err(db)?
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<Result<_, _>>()
        .map_err(db)?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let rows = sqlx::query(
                "SELECT household_id, county_code, village_code, stratum, role, reserve_rank \
                 FROM sample_households WHERE draw_id = $1 \
                 ORDER BY county_code, village_code, stratum, role, reserve_rank, household_id",
            )
            .bind(&id)
            .fetch_all(self.pool())
            .await
            .map_err(db)?;
            let sample = rows
                .iter()
                .map(|r| {
                    let role: String = r.try_get(4)?;
                    let rank: Option<i64> = r.try_get(5)?;
                    Ok(SampleUnit {
                        household_id: r.try_get(0)?,
                        county: r.try_get(1)?,
                        village: r.try_get(2)?,
                        stratum: r.try_get(3)?,
                        role: if role == "reserve" {
                            Role::Reserve
                        } else {
                            Role::Primary
                        },
                        reserve_rank: rank.and_then(|k| u32::try_from(k).ok()),
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(db)?;
            // An extension's first-phase households are recorded under the first draw.
            let mut rows = Vec::new();
            for draw in self.lineage(&id).await? {
                let of_draw = sqlx::query(
                    "SELECT household_id, record_json FROM visits \
                     WHERE draw_id = $1 AND is_current ORDER BY household_id",
                )
                .bind(&draw)
                .fetch_all(self.pool())
                .await
                .map_err(db)?;
                rows.extend(of_draw);
            }
            let visits = rows
                .iter()
                .map(|r| {
                    let household: String = r.try_get(0)?;
                    let json: String = r.try_get(1)?;
                    serde_json::from_str::<VisitRecord>(&json).map_err(|e| {
                        sqlx::Error::Decode(
                            format!(
                                "the stored record of household {household} of draw {id} \
                                 does not read as a visit record ({e}); import it again"
                            )
                            .into(),
                        )
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(db)?;
            let drawn_at = self.drawn_at(&id).await?;
            let village_centres = self.village_centres(&id).await?;
            let photos = self.photo_hashes(&id).await?;
            out.push(DrawForCheck {
                draw_id: id,
                input: CheckInput {
                    sample,
                    visits,
                    drawn_at,
                    village_centres,
                    photos,
                },
            });
        }
        Ok(out)
    }
}

impl Store {
    /// When the draw was made, if its receipt was imported.
    pub async fn drawn_at(&self, draw_id: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT drawn_at FROM draws WHERE draw_id = $1")
            .bind(draw_id)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| self.db_error(e))?;
        match row {
            Some(r) => r.try_get(0).map_err(|e| self.db_error(e)),
            None => Ok(None),
        }
    }

    /// The centres (WGS-84) of the draw's villages that have one.
    pub async fn village_centres(
        &self,
        draw_id: &str,
    ) -> Result<std::collections::HashMap<String, Gps>, StoreError> {
        let db = |e| self.db_error(e);
        let rows = sqlx::query(
            "SELECT village_code, lon, lat FROM sample_villages \
             WHERE draw_id = $1 AND lon IS NOT NULL AND lat IS NOT NULL",
        )
        .bind(draw_id)
        .fetch_all(self.pool())
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get::<String, _>(0)?,
                    Gps {
                        lon: r.try_get(1)?,
                        lat: r.try_get(2)?,
                    },
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(db)
    }

    /// The `tickets` column of the draw's village list, by village code.
    pub async fn village_tickets(
        &self,
        draw_id: &str,
    ) -> Result<std::collections::HashMap<String, String>, StoreError> {
        let db = |e| self.db_error(e);
        let rows =
            sqlx::query("SELECT village_code, tickets FROM sample_villages WHERE draw_id = $1")
                .bind(draw_id)
                .fetch_all(self.pool())
                .await
                .map_err(db)?;
        rows.iter()
            .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(db)
    }

    /// Every photo linked to the draw's households, with the SHA-256 of its stored bytes
    /// computed now. Photos are read one at a time, so memory stays at one photo.
    pub async fn photo_hashes(&self, draw_id: &str) -> Result<Vec<PhotoHash>, StoreError> {
        let db = |e| self.db_error(e);
        let links = sqlx::query(
            "SELECT household_id, photo_sha256 FROM photo_links WHERE draw_id = $1 \
             ORDER BY household_id, photo_sha256",
        )
        .bind(draw_id)
        .fetch_all(self.pool())
        .await
        .map_err(db)?;
        let mut out = Vec::with_capacity(links.len());
        for link in &links {
            let household_id: String = link.try_get(0).map_err(db)?;
            let stored_sha256: String = link.try_get(1).map_err(db)?;
            let row = sqlx::query("SELECT content FROM photos WHERE sha256 = $1")
                .bind(&stored_sha256)
                .fetch_one(self.pool())
                .await
                .map_err(db)?;
            let content: Vec<u8> = row.try_get(0).map_err(db)?;
            out.push(PhotoHash {
                household_id,
                stored_sha256,
                content_sha256: hex::encode(Sha256::digest(&content)),
            });
        }
        Ok(out)
    }
}
