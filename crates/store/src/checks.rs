//! What `assess check` needs from the database: each draw's sample (household, county,
//! village, stratum, role, reserve rank) and the current visit record of each visited
//! household. The rules themselves are in `assess_inspection::check_draw`.

use crate::{Store, StoreError};
use assess_inspection::{Role, SampleUnit, VisitRecord};
use sqlx::Row;

/// One draw's sample and its current visit records, ready for `assess_inspection::check_draw`.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawForCheck {
    /// The draw's id.
    pub draw_id: String,
    /// Every household of the sample, by county, village, stratum, role and reserve rank.
    pub sample: Vec<SampleUnit>,
    /// The current version of each visited household's record.
    pub visits: Vec<VisitRecord>,
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
            let rows = sqlx::query(
                "SELECT household_id, record_json FROM visits \
                 WHERE draw_id = $1 AND is_current ORDER BY household_id",
            )
            .bind(&id)
            .fetch_all(self.pool())
            .await
            .map_err(db)?;
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
            out.push(DrawForCheck {
                draw_id: id,
                sample,
                visits,
            });
        }
        Ok(out)
    }
}
