//! Field progress by village: what was sampled, what has a record, what is complete, what has
//! photos or open conflicts. The front ends add up villages into counties, teams and
//! interviewers (the assignments say whose a village is).

use crate::{Store, StoreError};
use sqlx::Row;
use std::collections::BTreeMap;

/// One village of one draw.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ProgressRow {
    /// The draw.
    pub draw_id: String,
    /// The county.
    pub county_code: String,
    /// The village.
    pub village_code: String,
    /// Primary households sampled.
    pub primaries: i64,
    /// Reserve households sampled.
    pub reserves: i64,
    /// Households with a current record (any disposition).
    pub recorded: i64,
    /// Households whose current record is a complete interview.
    pub complete: i64,
    /// Households with at least one photo linked.
    pub with_photos: i64,
    /// Uploads kept as unresolved conflicts.
    pub conflicts: i64,
}

impl ProgressRow {
    /// Adds another row's counts to this one.
    pub fn add(&mut self, other: &ProgressRow) {
        self.primaries += other.primaries;
        self.reserves += other.reserves;
        self.recorded += other.recorded;
        self.complete += other.complete;
        self.with_photos += other.with_photos;
        self.conflicts += other.conflicts;
    }
}

/// Progress of every village of the draws asked for.
pub type Progress = Vec<ProgressRow>;

impl Store {
    /// Progress by village, of one draw or of every draw.
    pub async fn progress(&self, draw_id: Option<&str>) -> Result<Progress, StoreError> {
        let db = |e| self.db_error(e);
        let filter = |alias: &str| match draw_id {
            Some(_) => format!(" WHERE {alias}.draw_id = $1"),
            None => String::new(),
        };
        let run = |sql: String| {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql));
            match draw_id {
                Some(d) => q.bind(d.to_string()),
                None => q,
            }
        };
        let mut rows: BTreeMap<(String, String), ProgressRow> = BTreeMap::new();
        let sampled = run(format!(
            "SELECT h.draw_id, h.county_code, h.village_code, \
             SUM(CASE WHEN h.role = 'primary' THEN 1 ELSE 0 END), \
             SUM(CASE WHEN h.role = 'reserve' THEN 1 ELSE 0 END), \
             COUNT(v.household_id), \
             SUM(CASE WHEN v.disposition = 'complete' THEN 1 ELSE 0 END) \
             FROM sample_households h LEFT JOIN visits v ON v.draw_id = h.draw_id \
             AND v.household_id = h.household_id AND v.is_current{} \
             GROUP BY h.draw_id, h.county_code, h.village_code",
            filter("h")
        ))
        .fetch_all(self.pool())
        .await
        .map_err(db)?;
        for r in sampled {
            let row = ProgressRow {
                draw_id: r.try_get(0).map_err(db)?,
                county_code: r.try_get(1).map_err(db)?,
                village_code: r.try_get(2).map_err(db)?,
                primaries: r.try_get(3).map_err(db)?,
                reserves: r.try_get(4).map_err(db)?,
                recorded: r.try_get(5).map_err(db)?,
                complete: r.try_get::<Option<i64>, _>(6).map_err(db)?.unwrap_or(0),
                ..ProgressRow::default()
            };
            rows.insert((row.draw_id.clone(), row.village_code.clone()), row);
        }
        let counted = |sql: String| async move {
            let mut out = Vec::new();
            for r in run(sql).fetch_all(self.pool()).await.map_err(db)? {
                let key: (String, String) = (r.try_get(0).map_err(db)?, r.try_get(1).map_err(db)?);
                out.push((key, r.try_get::<i64, _>(2).map_err(db)?));
            }
            Ok::<_, StoreError>(out)
        };
        let photos = counted(format!(
            "SELECT h.draw_id, h.village_code, COUNT(DISTINCT p.household_id) \
             FROM photo_links p JOIN sample_households h ON h.draw_id = p.draw_id \
             AND h.household_id = p.household_id{} GROUP BY h.draw_id, h.village_code",
            filter("p")
        ))
        .await?;
        for (key, n) in photos {
            if let Some(row) = rows.get_mut(&key) {
                row.with_photos = n;
            }
        }
        let conflicts = counted(format!(
            "SELECT h.draw_id, h.village_code, COUNT(*) \
             FROM record_conflicts c JOIN sample_households h ON h.draw_id = c.draw_id \
             AND h.household_id = c.household_id{} AND c.resolved_by IS NULL \
             GROUP BY h.draw_id, h.village_code",
            match draw_id {
                Some(_) => " WHERE c.draw_id = $1",
                None => " WHERE 1 = 1",
            }
        ))
        .await?;
        for (key, n) in conflicts {
            if let Some(row) = rows.get_mut(&key) {
                row.conflicts = n;
            }
        }
        Ok(rows.into_values().collect())
    }
}
