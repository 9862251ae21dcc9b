//! What a verdict needs from the database: a draw's households with their design facts, its
//! manifest (the register's population counts), and the records before or after appeals
//! (`review.rs`). The verdict itself is computed by `assess-verdict`, which does no I/O.

use crate::{Store, StoreError};
use sqlx::Row;

/// One household of a draw as stored (a row of its sample.csv).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSampleRow {
    /// Household id.
    pub household_id: String,
    /// County code.
    pub county: String,
    /// Township code.
    pub township: String,
    /// Village code.
    pub village: String,
    /// Village stratum.
    pub village_stratum: String,
    /// Register status.
    pub stratum: String,
    /// `primary` or `reserve`.
    pub role: String,
    /// Reserve rank.
    pub reserve_rank: Option<i64>,
    /// Village inclusion probability (none for villages taken by hand).
    pub pi_village: Option<f64>,
    /// Household inclusion probability within the village (primaries).
    pub pi_household: Option<f64>,
    /// Village taken with certainty.
    pub certainty: bool,
    /// Members in the register.
    pub members: i64,
    /// Village centre (WGS-84 lon, lat), when stored.
    pub village_centre: Option<(f64, f64)>,
}

impl Store {
    /// Every household of a draw in one county (all counties when `county` is `None`), with
    /// its village's centre.
    pub async fn sample_rows(
        &self,
        draw_id: &str,
        county: Option<&str>,
    ) -> Result<Vec<StoredSampleRow>, StoreError> {
        let db = |e| self.db_error(e);
        let rows = sqlx::query(
            "SELECT h.household_id, h.county_code, h.township_code, h.village_code, h.village_stratum, \
             h.stratum, h.role, h.reserve_rank, h.pi_village, h.pi_household, \
             CAST(CASE WHEN h.certainty THEN 1 ELSE 0 END AS BIGINT), h.members, v.lon, v.lat \
             FROM sample_households h JOIN sample_villages v \
               ON v.draw_id = h.draw_id AND v.village_code = h.village_code \
             WHERE h.draw_id = $1 ORDER BY h.county_code, h.village_code, h.stratum, h.role, h.reserve_rank, h.household_id",
        )
        .bind(draw_id)
        .fetch_all(self.pool())
        .await
        .map_err(db)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let row = StoredSampleRow {
                household_id: r.try_get(0).map_err(db)?,
                county: r.try_get(1).map_err(db)?,
                township: r.try_get(2).map_err(db)?,
                village: r.try_get(3).map_err(db)?,
                village_stratum: r.try_get(4).map_err(db)?,
                stratum: r.try_get(5).map_err(db)?,
                role: r.try_get(6).map_err(db)?,
                reserve_rank: r.try_get(7).map_err(db)?,
                pi_village: r.try_get(8).map_err(db)?,
                pi_household: r.try_get(9).map_err(db)?,
                certainty: r.try_get::<i64, _>(10).map_err(db)? == 1,
                members: r.try_get(11).map_err(db)?,
                village_centre: match (
                    r.try_get::<Option<f64>, _>(12).map_err(db)?,
                    r.try_get::<Option<f64>, _>(13).map_err(db)?,
                ) {
                    (Some(lon), Some(lat)) => Some((lon, lat)),
                    _ => None,
                },
            };
            if county.is_none_or(|c| c == row.county) {
                out.push(row);
            }
        }
        Ok(out)
    }

    /// A draw's manifest as stored, when the draw is in the database.
    pub async fn manifest(
        &self,
        draw_id: &str,
    ) -> Result<Option<assess_draw::Manifest>, StoreError> {
        let row = sqlx::query("SELECT manifest_json FROM draws WHERE draw_id = $1")
            .bind(draw_id)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| self.db_error(e))?;
        let Some(row) = row else { return Ok(None) };
        let json: String = row.try_get(0).map_err(|e| self.db_error(e))?;
        serde_json::from_str(&json).map(Some).map_err(|e| {
            self.db_error(sqlx::Error::Decode(
                format!("the stored manifest of draw {draw_id} does not read ({e})").into(),
            ))
        })
    }

    /// The draws that hold a county, newest import last.
    pub async fn draws_of_county(&self, county: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT draw_id FROM sample_villages WHERE county_code = $1 ORDER BY draw_id",
        )
        .bind(county)
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.db_error(e))?;
        rows.iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.db_error(e))
    }
}
