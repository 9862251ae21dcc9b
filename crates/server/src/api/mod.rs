//! The handlers, one module per group of endpoints. Each reads its caller, checks the scope of
//! what it touches ([`crate::auth::Caller::may`]), calls one use case and answers JSON.

pub mod admin;
pub mod census;
pub mod field;
pub mod findings;
pub mod meta;
pub mod photos;
pub mod progress;
pub mod records;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::ServerState;
use assess_access::{Access, Target};

/// The county of a sampled village, refused 404 when the draw has no such village, then the
/// caller's scope over it checked.
pub(crate) async fn village_in_scope(
    state: &ServerState,
    caller: &Caller,
    access: Access,
    draw: &str,
    village: &str,
) -> Result<String, ApiError> {
    let Some(county) = state.store.village_county(draw, village).await? else {
        // Only callers who may read everything learn that a village is not in the sample.
        caller.may(access, Target::All)?;
        return Err(
            ApiError::not_found(format!("draw {draw} has no sampled village {village}"))
                .field("village"),
        );
    };
    caller.may(
        access,
        Target::Village {
            draw,
            county: &county,
            village,
        },
    )?;
    Ok(county)
}

/// The village of a sampled household, with the caller's scope over it checked.
pub(crate) async fn household_in_scope(
    state: &ServerState,
    caller: &Caller,
    access: Access,
    draw: &str,
    household: &str,
) -> Result<(String, String), ApiError> {
    let places = state.store.household_places(draw, &[household]).await?;
    let Some((county, village)) = places.get(household).cloned() else {
        // Only callers who may read everything learn that a household is not sampled.
        caller.may(access, Target::All)?;
        return Err(ApiError::not_found(format!(
            "household {household} is not in the sample of draw {draw}"
        ))
        .field("household"));
    };
    caller.may(
        access,
        Target::Village {
            draw,
            county: &county,
            village: &village,
        },
    )?;
    Ok((county, village))
}
