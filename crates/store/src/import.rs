//! Importing a draw: all rows in one transaction, so a failure changes nothing; importing the
//! same draw again changes nothing; a different draw under the same id is refused.

use crate::{audit, Store, StoreError};
use assess_audit::action;
use assess_draw::DrawDir;
use assess_household::DisplayColumn;
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
    /// The identical draw was already there; nothing changed except facts (draw time, village
    /// centres) that were missing and are now given: their number is `facts_added`.
    AlreadyPresent {
        /// Facts filled in: the draw time (1) plus village centres.
        facts_added: usize,
    },
}

/// Facts about a draw that are not in its sealed files: when it was made (its receipt) and the
/// sampled villages' centres (from the village file the draw used, WGS-84).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DrawFacts {
    /// RFC 3339 time the draw was made.
    pub drawn_at: Option<String>,
    /// Village code -> (lon, lat), WGS-84.
    pub village_centres: std::collections::BTreeMap<String, (f64, f64)>,
}

impl Store {
    /// Imports a draw directory already read and checked by `assess_draw::load_draw_dir`,
    /// with its facts. Importing the same draw again adds only facts not yet stored; a fact
    /// stored with a different value is refused (facts are never silently replaced).
    pub async fn import_draw(
        &self,
        draw: &DrawDir,
        facts: &DrawFacts,
    ) -> Result<ImportOutcome, StoreError> {
        let m = &draw.manifest;
        if let Some(extension) = &m.extension {
            if self.manifest(&extension.extends).await?.is_none() {
                return Err(StoreError::BaseNotImported {
                    draw: m.sample_sha256.clone(),
                    base: extension.extends.clone(),
                });
            }
        }
        let outcome = self.retrying(|| self.import_draw_once(draw, facts)).await?;
        if let Some(facts_added) = outcome {
            // Facts go in by their own transaction (a second writer on SQLite would wait for
            // the first one's lock).
            let facts_added = facts_added + self.add_facts(&m.sample_sha256, facts).await?;
            return Ok(ImportOutcome::AlreadyPresent { facts_added });
        }
        Ok(ImportOutcome::Imported {
            villages: draw.villages.len(),
            households: draw.households.len(),
        })
    }

    /// One attempt: Some(0) when the identical draw is already stored, None when inserted.
    async fn import_draw_once(
        &self,
        draw: &DrawDir,
        facts: &DrawFacts,
    ) -> Result<Option<usize>, StoreError> {
        let m = &draw.manifest;
        let manifest_json = serde_json::to_string(m).expect("manifest serialises");
        let mut tx = self.begin_write().await.map_err(|e| self.db_error(e))?;
        let existing = sqlx::query("SELECT manifest_json FROM draws WHERE draw_id = $1")
            .bind(&m.sample_sha256)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| self.db_error(e))?;
        if let Some(row) = existing {
            let stored: String = row.try_get(0).map_err(|e| self.db_error(e))?;
            tx.rollback().await.map_err(|e| self.db_error(e))?;
            if stored != manifest_json {
                return Err(StoreError::DrawConflict(m.sample_sha256.clone()));
            }
            return Ok(Some(0));
        }
        insert_draw(&mut tx, draw, &manifest_json, facts.drawn_at.as_deref())
            .await
            .map_err(|e| self.db_error(e))?;
        for v in &draw.villages {
            let centre = facts.village_centres.get(&v.village_code).copied();
            insert_village(&mut tx, &m.sample_sha256, v, centre)
                .await
                .map_err(|e| self.db_error(e))?;
        }
        for h in &draw.households {
            insert_household(&mut tx, &m.sample_sha256, h)
                .await
                .map_err(|e| self.db_error(e))?;
        }
        let entry = audit::draw_entry(&mut tx, action::DRAW_IMPORT, &m.sample_sha256)
            .await
            .map_err(|e| self.db_error(e))?;
        audit::append(&mut tx, self.actor(), vec![entry])
            .await
            .map_err(|e| self.db_error(e))?;
        tx.commit().await.map_err(|e| self.db_error(e))?;
        tracing::info!(draw = %m.sample_sha256, households = draw.households.len(), "draw imported");
        Ok(None)
    }

    /// Fills in the facts of a stored draw that are still missing, in one transaction.
    async fn add_facts(&self, draw_id: &str, facts: &DrawFacts) -> Result<usize, StoreError> {
        self.retrying(|| self.add_facts_once(draw_id, facts)).await
    }

    async fn add_facts_once(&self, draw_id: &str, facts: &DrawFacts) -> Result<usize, StoreError> {
        let db = |e| self.db_error(e);
        let mut tx = self.begin_write().await.map_err(db)?;
        let mut added = 0;
        if let Some(at) = &facts.drawn_at {
            let row = sqlx::query("SELECT drawn_at FROM draws WHERE draw_id = $1")
                .bind(draw_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
            match row.try_get::<Option<String>, _>(0).map_err(db)? {
                // The same instant written with another offset is the same fact.
                Some(stored) if same_instant(&stored, at) => {}
                Some(stored) => {
                    return Err(StoreError::FactConflict(format!(
                        "draw {draw_id} is recorded as drawn at {stored}, not {at}"
                    )))
                }
                None => {
                    sqlx::query("UPDATE draws SET drawn_at = $1 WHERE draw_id = $2")
                        .bind(at)
                        .bind(draw_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db)?;
                    added += 1;
                }
            }
        }
        for (code, (lon, lat)) in &facts.village_centres {
            let row = sqlx::query(
                "SELECT lon, lat FROM sample_villages WHERE draw_id = $1 AND village_code = $2",
            )
            .bind(draw_id)
            .bind(code)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
            let Some(row) = row else { continue };
            let stored: (Option<f64>, Option<f64>) =
                (row.try_get(0).map_err(db)?, row.try_get(1).map_err(db)?);
            match stored {
                (Some(a), Some(b)) if a == *lon && b == *lat => {}
                (Some(a), Some(b)) => {
                    return Err(StoreError::FactConflict(format!(
                        "village {code} of draw {draw_id} has its centre recorded at ({a}, {b}), not ({lon}, {lat})"
                    )))
                }
                _ => {
                    sqlx::query(
                        "UPDATE sample_villages SET lon = $1, lat = $2 WHERE draw_id = $3 AND village_code = $4",
                    )
                    .bind(lon)
                    .bind(lat)
                    .bind(draw_id)
                    .bind(code)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                    added += 1;
                }
            }
        }
        if added > 0 {
            let entry = audit::draw_entry(&mut tx, action::DRAW_FACTS, draw_id)
                .await
                .map_err(db)?;
            audit::append(&mut tx, self.actor(), vec![entry])
                .await
                .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(added)
    }
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

async fn insert_draw(
    tx: &mut Tx<'_>,
    draw: &DrawDir,
    manifest_json: &str,
    drawn_at: Option<&str>,
) -> Result<(), sqlx::Error> {
    let m = &draw.manifest;
    sqlx::query(
        "INSERT INTO draws (draw_id, scheme_version, plan_name, plan_sha256, frame_fingerprint, frame_households, \
         villages_sha256, division_vintage, village_seed_commitment, household_seed_commitment, \
         sample_villages_sha256, manifest_json, drawn_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
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
    .bind(drawn_at.map(str::to_string))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_village(
    tx: &mut Tx<'_>,
    draw_id: &str,
    v: &assess_draw::VillageListRow,
    centre: Option<(f64, f64)>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sample_villages (draw_id, village_code, county_code, township_code, village_stratum, \
         selection, certainty, pi_village, size, tickets, lon, lat) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
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
    .bind(centre.map(|c| c.0))
    .bind(centre.map(|c| c.1))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_household(
    tx: &mut Tx<'_>,
    draw_id: &str,
    h: &assess_sampling::SampleRow,
) -> Result<(), sqlx::Error> {
    let display = |c| {
        h.display
            .as_ref()
            .and_then(|d| d.get(c))
            .map(str::to_string)
    };
    sqlx::query(
        "INSERT INTO sample_households (draw_id, household_id, county_code, township_code, village_code, \
         village_stratum, stratum, role, reserve_rank, ticket, pi_village, pi_household, pi, weight, certainty, \
         selection, members, head_name, villager_group, address, phone) VALUES ($1, $2, $3, $4, $5, $6, $7, \
         $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
    )
    .bind(draw_id)
    .bind(h.household_id.as_str())
    .bind(h.county_code.as_str())
    .bind(h.township_code.as_str())
    .bind(h.village_code.as_str())
    .bind(h.village_stratum.as_str())
    .bind(h.stratum.as_str())
    .bind(h.role.as_str())
    .bind(h.reserve_rank.map(i64::from))
    .bind(h.ticket)
    .bind(h.pi_village)
    .bind(h.pi_household)
    .bind(h.pi)
    .bind(h.weight)
    .bind(h.certainty)
    .bind(h.selection.as_str())
    .bind(i64::from(h.members))
    .bind(display(DisplayColumn::HeadName))
    .bind(display(DisplayColumn::Group))
    .bind(display(DisplayColumn::Address))
    .bind(display(DisplayColumn::Phone))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether two RFC 3339 times name the same instant (texts that do not read are compared as
/// text).
fn same_instant(a: &str, b: &str) -> bool {
    use assess_inspection::parse_rfc3339;
    match (parse_rfc3339(a), parse_rfc3339(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}
