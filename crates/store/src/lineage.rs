//! Extended draws (`assess draw --extend`): an extension is a draw of its own, whose first
//! phase is the draw it extends. The first phase's records stay under the first draw; the
//! extension's verdict and checks read the records of its whole lineage.

use crate::{Store, StoreError};
use sqlx::Row;

impl Store {
    /// The draws whose records count for `draw_id`: itself first, then the draw it extends,
    /// and so on back to the first phase (only those in the database).
    pub async fn lineage(&self, draw_id: &str) -> Result<Vec<String>, StoreError> {
        let mut chain = vec![draw_id.to_string()];
        let mut at = draw_id.to_string();
        while let Some(manifest) = self.manifest(&at).await? {
            let Some(extension) = manifest.extension else {
                break;
            };
            if chain.contains(&extension.extends) {
                break;
            }
            chain.push(extension.extends.clone());
            at = extension.extends;
        }
        Ok(chain)
    }

    /// For a draw that extends others: each first-phase household, with the draw (of its
    /// lineage) whose records hold it. Empty for a draw that extends nothing.
    pub async fn first_phase_households(
        &self,
        draw_id: &str,
    ) -> Result<std::collections::HashMap<String, String>, StoreError> {
        let mut out = std::collections::HashMap::new();
        for base in self.lineage(draw_id).await?.into_iter().skip(1) {
            let rows = sqlx::query("SELECT household_id FROM sample_households WHERE draw_id = $1")
                .bind(&base)
                .fetch_all(self.pool())
                .await
                .map_err(|e| self.db_error(e))?;
            for r in rows {
                let household: String = r.try_get(0).map_err(|e| self.db_error(e))?;
                // The earliest phase that drew it holds its records.
                out.insert(household, base.clone());
            }
        }
        Ok(out)
    }
}
