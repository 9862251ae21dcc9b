//! The checks across each draw's visit records (`assess-inspection` decides; this reads the
//! database and hands the draw over).

use crate::error::AppError;
use assess_inspection::{check_draw, CheckConfig, CheckInput, CheckReport};
use assess_standards::Standards;
use assess_store::Store;

/// One draw's checks.
#[derive(Debug, Clone)]
pub struct DrawCheck {
    /// The draw.
    pub draw_id: String,
    /// What the checks looked at: the sample, the visit records, the draw's time and village
    /// centres.
    pub input: CheckInput,
    /// What they found.
    pub report: CheckReport,
}

/// The checks of one draw, or of every draw in the database (empty when there is none).
pub async fn check_draws(
    store: &Store,
    draw: Option<&str>,
    standards: &Standards,
    config: &CheckConfig,
) -> Result<Vec<DrawCheck>, AppError> {
    let draws = store.draws_for_check(draw).await?;
    Ok(draws
        .into_iter()
        .map(|d| DrawCheck {
            report: check_draw(&d.input, standards, config),
            draw_id: d.draw_id,
            input: d.input,
        })
        .collect())
}
