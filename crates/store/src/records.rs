//! Visit records, parsed and checked by `assess-inspection`, stored in one transaction with
//! versions.
//!
//! Rules: every record of a file is parsed and validated, and every household checked
//! against its draw, before anything is written; a file with any problem is refused whole
//! with every problem listed (file, record number, line, household, field). Importing the
//! same content again changes nothing; a record whose content changed adds exactly one new
//! version (the new one current) and keeps its predecessor.

use crate::{Store, StoreError};
use assess_inspection::{FindingState, NumberedVisit, RecordProblem, RecordProblems, VisitRecord};
use sqlx::Row;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Why visit records were not imported. In every case nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    /// Some records are invalid, or name a draw or household the database does not hold;
    /// every problem found is listed.
    #[error(transparent)]
    Invalid(#[from] RecordProblems),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::Retryable for RecordsError {
    fn is_conflict(&self) -> bool {
        matches!(self, RecordsError::Store(e) if e.is_conflict())
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct VisitImport {
    /// Households with no record before: version 1 added.
    pub new: usize,
    /// Households whose record changed: one new version added, the old one kept.
    pub changed: usize,
    /// Households whose current record is identical: nothing written.
    pub unchanged: usize,
}

/// One stored version of a household's visit record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VisitRow {
    /// The draw.
    pub draw_id: String,
    /// The household.
    pub household_id: String,
    /// 1, 2, ...
    pub version: i64,
    /// The disposition code.
    pub disposition: String,
    /// SHA-256 of the canonical record JSON.
    pub content_sha256: String,
    /// Whether this is the household's current version.
    pub is_current: bool,
    /// When it was imported (RFC 3339, UTC).
    pub imported_at: String,
    /// The file it came from.
    pub source_file: String,
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

impl Store {
    /// Stores parsed records from `file` in one transaction: a record for a draw not in the
    /// database or a household outside its draw's sample refuses the whole file; identical
    /// records change nothing; a changed record adds one version.
    pub async fn import_visits(
        &self,
        file: &str,
        visits: &[NumberedVisit],
    ) -> Result<VisitImport, RecordsError> {
        self.retrying(|| self.import_visits_once(file, visits))
            .await
    }

    async fn import_visits_once(
        &self,
        file: &str,
        visits: &[NumberedVisit],
    ) -> Result<VisitImport, RecordsError> {
        let db = |e| RecordsError::Store(self.db_error(e));
        let draws: BTreeSet<&str> = visits.iter().map(|v| v.visit.draw_id.as_str()).collect();
        let mut first_phase = HashMap::new();
        for &draw in &draws {
            first_phase.insert(
                draw,
                self.first_phase_households(draw)
                    .await
                    .map_err(RecordsError::Store)?,
            );
        }
        let mut tx = self.begin_write().await.map_err(db)?;
        let mut sampled: HashMap<&str, Option<HashSet<String>>> = HashMap::new();
        let mut current: HashMap<(String, String), (i64, String)> = HashMap::new();
        for &draw in &draws {
            let known = sqlx::query("SELECT draw_id FROM draws WHERE draw_id = $1")
                .bind(draw)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?
                .is_some();
            if !known {
                sampled.insert(draw, None);
                continue;
            }
            let ids = sqlx::query("SELECT household_id FROM sample_households WHERE draw_id = $1")
                .bind(draw)
                .fetch_all(&mut *tx)
                .await
                .map_err(db)?
                .iter()
                .map(|r| r.try_get::<String, _>(0))
                .collect::<Result<HashSet<String>, _>>()
                .map_err(db)?;
            sampled.insert(draw, Some(ids));
            let rows = sqlx::query(
                "SELECT household_id, version, content_sha256 FROM visits \
                 WHERE draw_id = $1 AND is_current",
            )
            .bind(draw)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
            for r in rows {
                let household: String = r.try_get(0).map_err(db)?;
                current.insert(
                    (draw.to_string(), household),
                    (r.try_get(1).map_err(db)?, r.try_get(2).map_err(db)?),
                );
            }
        }
        let mut problems = Vec::new();
        for n in visits {
            let v = &n.visit;
            let message = match &sampled[v.draw_id.as_str()] {
                None => format!(
                    "draw {} is not in the database; import it first with `assess import-sample`",
                    v.draw_id
                ),
                Some(ids) if !ids.contains(&v.household_id) => format!(
                    "household {} is not in the sample of draw {} (neither a primary nor a reserve); \
                     records are taken only for sampled households",
                    v.household_id, v.draw_id
                ),
                Some(_) if first_phase[v.draw_id.as_str()].contains_key(&v.household_id) => format!(
                    "household {} was drawn in the first phase of draw {}, by draw {}: import its \
                     record under that draw (the extension's verdict reads it there)",
                    v.household_id,
                    v.draw_id,
                    first_phase[v.draw_id.as_str()][&v.household_id]
                ),
                Some(_) => continue,
            };
            problems.push(RecordProblem {
                file: file.to_string(),
                record: Some(n.number),
                line: Some(n.line),
                household_id: Some(v.household_id.clone()),
                field: Some(
                    if sampled[v.draw_id.as_str()].is_none()
                        || first_phase[v.draw_id.as_str()].contains_key(&v.household_id)
                    {
                        "draw_id"
                    } else {
                        "household_id"
                    }
                    .to_string(),
                ),
                message,
            });
        }
        // A record already reviewed changes only through review or appeal steps.
        let mut histories = HashMap::new();
        for &draw in sampled.iter().filter(|(_, s)| s.is_some()).map(|(d, _)| d) {
            let history = crate::review::load_history(&mut tx, draw, None)
                .await
                .map_err(db)?;
            histories.insert(draw, history);
        }
        for n in visits {
            let v = &n.visit;
            let key = (v.draw_id.clone(), v.household_id.clone());
            let changed = current
                .get(&key)
                .is_some_and(|(_, old)| *old != v.content_sha256());
            let history = histories
                .get(v.draw_id.as_str())
                .and_then(|h| h.get(&v.household_id));
            let Some((steps, versions)) = history.filter(|_| changed) else {
                continue;
            };
            let state =
                crate::review::state_from(steps, versions).unwrap_or(FindingState::Recorded);
            if !state.field_may_change() {
                problems.push(RecordProblem {
                    file: file.to_string(),
                    record: Some(n.number),
                    line: Some(n.line),
                    household_id: Some(v.household_id.clone()),
                    field: None,
                    message: format!(
                        "the record differs from the stored one, but its finding is {}: after review a record changes \
                         only through `assess finding review` or an appeal, never by a new field import",
                        state.code()
                    ),
                });
            }
        }
        if !problems.is_empty() {
            tx.rollback().await.map_err(db)?;
            return Err(RecordsError::Invalid(RecordProblems(problems)));
        }
        let imported_at = crate::now_rfc3339();
        let mut outcome = VisitImport::default();
        let mut logged = Vec::new();
        for n in visits {
            let v = &n.visit;
            let (json, hash) = (v.canonical_json(), v.content_sha256());
            let key = (v.draw_id.clone(), v.household_id.clone());
            let version = match current.get(&key) {
                Some((_, old)) if *old == hash => {
                    outcome.unchanged += 1;
                    continue;
                }
                Some((version, _)) => {
                    sqlx::query(
                        "UPDATE visits SET is_current = $1 \
                         WHERE draw_id = $2 AND household_id = $3 AND version = $4",
                    )
                    .bind(false)
                    .bind(&v.draw_id)
                    .bind(&v.household_id)
                    .bind(*version)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                    outcome.changed += 1;
                    version + 1
                }
                None => {
                    outcome.new += 1;
                    1
                }
            };
            insert_visit(
                &mut tx,
                v,
                version,
                &json,
                &hash,
                &imported_at,
                file,
                "field",
            )
            .await
            .map_err(db)?;
            logged.push(crate::audit::record_entry(
                v,
                version,
                &json,
                &hash,
                &imported_at,
                file,
                "field",
            ));
        }
        crate::audit::append(&mut tx, self.actor(), logged)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        tracing::info!(file, ?outcome, "visit records imported");
        Ok(outcome)
    }

    /// Stored visit records of one draw (or of every draw), by household and version: only
    /// the current versions, or every version.
    pub async fn visits(
        &self,
        draw_id: Option<&str>,
        all_versions: bool,
    ) -> Result<Vec<VisitRow>, StoreError> {
        macro_rules! select {
            () => {
                "SELECT draw_id, household_id, version, disposition, content_sha256, \
             CAST(CASE WHEN is_current THEN 1 ELSE 0 END AS BIGINT), imported_at, source_file \
                 FROM visits"
            };
        }
        macro_rules! order {
            () => {
                " ORDER BY draw_id, household_id, version"
            };
        }
        let query = match (draw_id, all_versions) {
            (Some(d), true) => {
                sqlx::query(concat!(select!(), " WHERE draw_id = $1", order!())).bind(d)
            }
            (Some(d), false) => sqlx::query(concat!(
                select!(),
                " WHERE draw_id = $1 AND is_current",
                order!()
            ))
            .bind(d),
            (None, true) => sqlx::query(concat!(select!(), "", order!())),
            (None, false) => sqlx::query(concat!(select!(), " WHERE is_current", order!())),
        };
        let rows = query
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.db_error(e))?;
        rows.iter()
            .map(|r| {
                Ok(VisitRow {
                    draw_id: r.try_get(0)?,
                    household_id: r.try_get(1)?,
                    version: r.try_get(2)?,
                    disposition: r.try_get(3)?,
                    content_sha256: r.try_get(4)?,
                    is_current: r.try_get::<i64, _>(5)? == 1,
                    imported_at: r.try_get(6)?,
                    source_file: r.try_get(7)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.db_error(e))
    }
}

/// Adds one version of a household's record, current; `stage` is `field`, `review` or `appeal`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_visit(
    tx: &mut Tx<'_>,
    v: &VisitRecord,
    version: i64,
    json: &str,
    hash: &str,
    imported_at: &str,
    file: &str,
    stage: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO visits (draw_id, household_id, version, disposition, record_json, content_sha256, \
         is_current, imported_at, source_file, stage) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&v.draw_id)
    .bind(&v.household_id)
    .bind(version)
    .bind(v.disposition.code())
    .bind(json)
    .bind(hash)
    .bind(true)
    .bind(imported_at)
    .bind(file)
    .bind(stage)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_are_rfc3339() {
        let t = crate::now_rfc3339();
        assert!(assess_inspection::parse_rfc3339(&t).is_some(), "{t}");
    }
}
