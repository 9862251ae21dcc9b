//! What a verdict needs from the database: a draw's households with their design facts, its
//! manifest (the register's population counts), and the records before or after appeals
//! (`review.rs`). The verdict itself is computed by `assess-verdict`, which does no I/O.

use crate::{Store, StoreError};
use assess_household::{DisplayColumn, HouseholdDisplay};
use assess_sampling::SampleRow;
use compact_str::CompactString;
use sqlx::Row;
use std::collections::HashMap;

impl Store {
    /// The display values (head's name, group, address, phone) of a draw's households that
    /// have any, by household id: what the template shows a team.
    pub async fn sample_display(
        &self,
        draw_id: &str,
    ) -> Result<HashMap<String, HouseholdDisplay>, StoreError> {
        let db = |e| self.db_error(e);
        let rows = sqlx::query(
            "SELECT household_id, head_name, villager_group, address, phone \
             FROM sample_households WHERE draw_id = $1 AND (head_name IS NOT NULL \
             OR villager_group IS NOT NULL OR address IS NOT NULL OR phone IS NOT NULL)",
        )
        .bind(draw_id)
        .fetch_all(self.pool())
        .await
        .map_err(db)?;
        let mut out = HashMap::with_capacity(rows.len());
        for r in &rows {
            let mut display = HouseholdDisplay::default();
            for (i, column) in DisplayColumn::ALL.into_iter().enumerate() {
                let value: Option<String> = r.try_get(i + 1).map_err(db)?;
                display.set(column, value.as_deref());
            }
            out.insert(r.try_get::<String, _>(0).map_err(db)?, display);
        }
        Ok(out)
    }

    /// Every household of a draw in one county (all counties when `county` is `None`), as its
    /// sample.csv has it, by county, village, stratum, role, reserve rank and id.
    pub async fn sample_rows(
        &self,
        draw_id: &str,
        county: Option<&str>,
    ) -> Result<Vec<SampleRow>, StoreError> {
        let db = |e| self.db_error(e);
        const COLUMNS: &str = "SELECT household_id, county_code, township_code, village_code, \
             village_stratum, stratum, role, reserve_rank, ticket, pi_village, pi_household, pi, \
             weight, CAST(CASE WHEN certainty THEN 1 ELSE 0 END AS BIGINT), selection, members \
             FROM sample_households WHERE draw_id = $1";
        const ORDER: &str =
            " ORDER BY county_code, village_code, stratum, role, reserve_rank, household_id";
        // One county is chosen in SQL: a national batch asks for each of hundreds of counties
        // of one draw, and decoding the whole draw each time made it quadratic.
        let sql = match county {
            Some(_) => format!("{COLUMNS} AND county_code = $2{ORDER}"),
            None => format!("{COLUMNS}{ORDER}"),
        };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(draw_id);
        if let Some(county) = county {
            query = query.bind(county);
        }
        let rows = query.fetch_all(self.pool()).await.map_err(db)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let text = |i: usize| r.try_get::<String, _>(i).map(CompactString::from);
            let row = SampleRow {
                household_id: text(0).map_err(db)?,
                county_code: text(1).map_err(db)?,
                township_code: text(2).map_err(db)?,
                village_code: text(3).map_err(db)?,
                village_stratum: text(4).map_err(db)?,
                stratum: text(5).map_err(db)?,
                role: parse_role(&r.try_get::<String, _>(6).map_err(db)?).map_err(db)?,
                reserve_rank: r
                    .try_get::<Option<i64>, _>(7)
                    .map_err(db)?
                    .map(|k| u32::try_from(k).unwrap_or(u32::MAX)),
                ticket: r.try_get(8).map_err(db)?,
                pi_village: r.try_get(9).map_err(db)?,
                pi_household: r.try_get(10).map_err(db)?,
                pi: r.try_get(11).map_err(db)?,
                weight: r.try_get(12).map_err(db)?,
                certainty: r.try_get::<i64, _>(13).map_err(db)? == 1,
                selection: text(14).map_err(db)?,
                members: u32::try_from(r.try_get::<i64, _>(15).map_err(db)?).unwrap_or(0),
                display: None,
            };
            out.push(row);
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

    /// Every county some draw in the database holds, by code.
    pub async fn counties_with_draws(&self) -> Result<Vec<String>, StoreError> {
        let rows =
            sqlx::query("SELECT DISTINCT county_code FROM sample_villages ORDER BY county_code")
                .fetch_all(self.pool())
                .await
                .map_err(|e| self.db_error(e))?;
        rows.iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.db_error(e))
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

/// A stored role, which the import wrote from a checked sample.csv.
fn parse_role(text: &str) -> Result<assess_sampling::Role, sqlx::Error> {
    text.parse()
        .map_err(|e: String| sqlx::Error::Decode(e.into()))
}
