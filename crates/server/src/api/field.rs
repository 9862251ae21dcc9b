//! What a team is to visit: the caller's assignments, and a village's sampled households with
//! their reserve order and what the register says to find them by.

use super::village_in_scope;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::ServerState;
use assess_access::Access;
use assess_household::DisplayColumn;
use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// A sampled household as a team needs it.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct SampledHousehold {
    /// The household id.
    pub household_id: String,
    /// `primary` or `reserve`.
    pub role: String,
    /// A reserve's rank in its cell (1 first): replace a primary with the first unused reserve.
    pub reserve_rank: Option<u32>,
    /// The stratum (registered status).
    pub stratum: String,
    /// Household members on the register.
    pub members: u32,
    /// The head's name, when the register had it.
    pub head_name: Option<String>,
    /// The villager group.
    pub group: Option<String>,
    /// The address.
    pub address: Option<String>,
    /// A phone number.
    pub phone: Option<String>,
}

/// A sampled village and its households, in visit order (primaries, then reserves by rank).
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct VillageAssignment {
    /// The draw.
    pub draw_id: String,
    /// The county.
    pub county_code: String,
    /// The village.
    pub village_code: String,
    /// Its sampled households.
    pub households: Vec<SampledHousehold>,
}

/// The caller's assignments.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct Assignments {
    /// Counties assigned to the caller's team.
    pub counties: Vec<String>,
    /// Villages assigned to the caller, with their households.
    pub villages: Vec<VillageAssignment>,
}

/// The caller's counties, and their villages with the sampled households and reserve order.
#[utoipa::path(get, path = "/api/v1/assignments", tag = "field", security(("token" = [])),
    responses((status = 200, body = Assignments), (status = 401, body = crate::error::ErrorBody)))]
pub async fn assignments(
    State(state): State<Arc<ServerState>>,
    caller: Caller,
) -> Result<Json<Assignments>, ApiError> {
    let mut villages = Vec::new();
    for (draw, village) in &caller.grants.villages {
        villages.push(households_of(&state, draw, village).await?);
    }
    Ok(Json(Assignments {
        counties: caller.grants.counties.iter().cloned().collect(),
        villages,
    }))
}

/// A sampled village's households, in visit order.
#[utoipa::path(get, path = "/api/v1/draws/{draw}/villages/{village}/households", tag = "field",
    security(("token" = [])),
    params(("draw" = String, Path, description = "draw id"), ("village" = String, Path, description = "village code")),
    responses((status = 200, body = VillageAssignment), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn village_households(
    State(state): State<Arc<ServerState>>,
    caller: Caller,
    Path((draw, village)): Path<(String, String)>,
) -> Result<Json<VillageAssignment>, ApiError> {
    village_in_scope(&state, &caller, Access::Read, &draw, &village).await?;
    Ok(Json(households_of(&state, &draw, &village).await?))
}

async fn households_of(
    state: &ServerState,
    draw: &str,
    village: &str,
) -> Result<VillageAssignment, ApiError> {
    let county = state
        .store
        .village_county(draw, village)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("draw {draw} has no sampled village {village}"))
        })?;
    let display = state.store.sample_display(draw).await?;
    let rows = state.store.sample_rows(draw, Some(&county)).await?;
    let mut households: Vec<SampledHousehold> = rows
        .into_iter()
        .filter(|r| r.village_code == village)
        .map(|r| {
            let d = display.get(r.household_id.as_str());
            let value = |c| d.and_then(|d| d.get(c)).map(str::to_string);
            SampledHousehold {
                household_id: r.household_id.to_string(),
                role: r.role.as_str().to_string(),
                reserve_rank: r.reserve_rank,
                stratum: r.stratum.to_string(),
                members: r.members,
                head_name: value(DisplayColumn::HeadName),
                group: value(DisplayColumn::Group),
                address: value(DisplayColumn::Address),
                phone: value(DisplayColumn::Phone),
            }
        })
        .collect();
    households.sort_by_key(|h| (h.role != "primary", h.reserve_rank, h.household_id.clone()));
    Ok(VillageAssignment {
        draw_id: draw.to_string(),
        county_code: county,
        village_code: village.to_string(),
        households,
    })
}
