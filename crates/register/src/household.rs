//! The records of a register: households and villages, already validated.

use assess_divisions::VillageCode;
use std::fmt;
use std::str::FromStr;

/// A household's place in the register: the household-stage strata of every plan.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Registered poor household that has exited poverty (`exited`).
    Exited,
    /// Registered poor household not yet exited (`poor`).
    Poor,
    /// Not in the register of poor households (`non_registered`).
    NonRegistered,
}

impl Status {
    /// All statuses in the canonical order used in summaries and sample files.
    pub const ALL: [Status; 3] = [Status::Exited, Status::Poor, Status::NonRegistered];

    /// The register's spelling: `exited`, `poor` or `non_registered`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Exited => "exited",
            Status::Poor => "poor",
            Status::NonRegistered => "non_registered",
        }
    }

    /// Exited and poor households are in the register of poor households.
    pub fn is_registered(self) -> bool {
        !matches!(self, Status::NonRegistered)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "exited" => Ok(Status::Exited),
            "poor" => Ok(Status::Poor),
            "non_registered" => Ok(Status::NonRegistered),
            other => Err(format!(
                "status {other:?} is not one of exited, poor, non_registered"
            )),
        }
    }
}

/// One valid row of the household register.
#[derive(Debug, Clone, PartialEq)]
pub struct Household {
    /// Unique id in the register (NFC-normalised, trimmed).
    pub household_id: String,
    /// The village-level unit the household belongs to.
    pub village: VillageCode,
    /// Register status.
    pub status: Status,
    /// Year of exit; present exactly when `status` is `Exited`.
    pub exit_year: Option<u16>,
    /// Registered members (at least 1).
    pub members: u32,
    /// Per-capita net income in yuan, when the register has it.
    pub income_per_capita: Option<f64>,
    /// WGS-84 longitude, when given.
    pub lon: Option<f64>,
    /// WGS-84 latitude, when given.
    pub lat: Option<f64>,
    /// Villager group (村民小组), when given.
    pub group: Option<String>,
}

/// One valid row of the optional village file.
#[derive(Debug, Clone, PartialEq)]
pub struct VillageRecord {
    /// The village-level unit.
    pub village: VillageCode,
    /// Name, when given.
    pub name: Option<String>,
    /// A registered poverty village (贫困村).
    pub poverty_village: Option<bool>,
    /// In a remote (poorer, weaker, far) area, over-weighted by plans.
    pub remote: Option<bool>,
    /// WGS-84 longitude of the village centre, when given.
    pub lon: Option<f64>,
    /// WGS-84 latitude of the village centre, when given.
    pub lat: Option<f64>,
}
