//! Importing a draw: all rows in one transaction, so a failure changes nothing; importing the
//! same draw again changes nothing; a different draw under the same id is refused.

use crate::{Store, StoreError};
use assess_draw::DrawDir;
use sqlx::Row;

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportOutcome {
    /// The draw was added with this many villages and households.
    Imported {
        /// Villages.
        villages: usize,
        /// Households (primaries and reserves).
        households: usize,
    },
    /// The identical draw was already there; nothing changed.
    AlreadyPresent,
}

impl Store {
    /// Imports a draw directory already read and checked by `assess_draw::load_draw_dir`.
    pub async fn import_draw(&self, draw: &DrawDir) -> Result<ImportOutcome, StoreError> {
        let m = &draw.manifest;
        let manifest_json = serde_json::to_string(m).expect("manifest serialises");
        let existing = sqlx::query("SELECT manifest_json FROM draws WHERE draw_id = $1")
            .bind(&m.sample_sha256)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| self.db_error(e))?;
        if let Some(row) = existing {
            let stored: String = row.try_get(0).map_err(|e| self.db_error(e))?;
            return if stored == manifest_json {
                Ok(ImportOutcome::AlreadyPresent)
            } else {
                Err(StoreError::DrawConflict(m.sample_sha256.clone()))
            };
        }
        let mut tx = self.pool().begin().await.map_err(|e| self.db_error(e))?;
        insert_draw(&mut tx, draw, &manifest_json)
            .await
            .map_err(|e| self.db_error(e))?;
        for v in &draw.villages {
            insert_village(&mut tx, &m.sample_sha256, v)
                .await
                .map_err(|e| self.db_error(e))?;
        }
        for h in &draw.households {
            insert_household(&mut tx, &m.sample_sha256, h)
                .await
                .map_err(|e| self.db_error(e))?;
        }
        tx.commit().await.map_err(|e| self.db_error(e))?;
        tracing::info!(draw = %m.sample_sha256, households = draw.households.len(), "draw imported");
        Ok(ImportOutcome::Imported {
            villages: draw.villages.len(),
            households: draw.households.len(),
        })
    }
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

async fn insert_draw(
    tx: &mut Tx<'_>,
    draw: &DrawDir,
    manifest_json: &str,
) -> Result<(), sqlx::Error> {
    let m = &draw.manifest;
    sqlx::query(
        "INSERT INTO draws (draw_id, scheme_version, plan_name, plan_sha256, frame_fingerprint, frame_households, \
         villages_sha256, division_vintage, village_seed_commitment, household_seed_commitment, \
         sample_villages_sha256, manifest_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&m.sample_sha256)
    .bind(&m.scheme_version)
    .bind(&m.plan_name)
    .bind(&m.plan_sha256)
    .bind(&m.frame_fingerprint)
    .bind(m.frame_households as i64)
    .bind(m.villages_sha256.clone())
    .bind(&m.division_codes.vintage)
    .bind(&m.seed_commitments.village)
    .bind(&m.seed_commitments.household)
    .bind(&m.sample_villages_sha256)
    .bind(manifest_json)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_village(
    tx: &mut Tx<'_>,
    draw_id: &str,
    v: &assess_draw::VillageListRow,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sample_villages (draw_id, village_code, county_code, township_code, village_stratum, \
         selection, certainty, pi_village, size, tickets) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(draw_id)
    .bind(&v.village_code)
    .bind(&v.county_code)
    .bind(&v.township_code)
    .bind(&v.village_stratum)
    .bind(&v.selection)
    .bind(v.certainty)
    .bind(v.pi_village)
    .bind(v.size)
    .bind(&v.tickets)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_household(
    tx: &mut Tx<'_>,
    draw_id: &str,
    h: &assess_sampling::SampleRow,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sample_households (draw_id, household_id, county_code, township_code, village_code, \
         village_stratum, stratum, role, reserve_rank, ticket, pi_village, pi_household, pi, weight, certainty, \
         selection, members) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
    )
    .bind(draw_id)
    .bind(&h.household_id)
    .bind(&h.county_code)
    .bind(&h.township_code)
    .bind(&h.village_code)
    .bind(&h.village_stratum)
    .bind(&h.stratum)
    .bind(&h.role)
    .bind(h.reserve_rank.map(i64::from))
    .bind(h.ticket)
    .bind(h.pi_village)
    .bind(h.pi_household)
    .bind(h.pi)
    .bind(h.weight)
    .bind(h.certainty)
    .bind(&h.selection)
    .bind(i64::from(h.members))
    .execute(&mut **tx)
    .await?;
    Ok(())
}
