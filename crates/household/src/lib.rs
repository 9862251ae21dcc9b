//! A household of the register, and a village of the village file, as every step after the
//! import sees them: the draw stratifies by [`Status`], the verdict weighs by it, synthetic
//! registers are made of [`Household`]s. Also the columns of the two files, which the
//! importer reads and `assess-synth` writes, and a member's resident identity number
//! ([`IdNumber`]: checked, normalised from the forms registries write it in, never shown
//! whole).
//!
//! ```
//! use assess_household::Status;
//! assert_eq!("non_registered".parse::<Status>(), Ok(Status::NonRegistered));
//! assert!(Status::Exited.is_registered());
//! ```
//!
//! Not for: reading or checking register files (`assess-register` does, and hands out these
//! values only for valid rows), or any rule about households (`assess-standards`,
//! `assess-inspection`). No I/O; no dependencies but the division codes, serde and thiserror.
#![deny(missing_docs)]

mod aliases;
mod id_number;

pub use aliases::{status_from_label, FRAME_ALIASES, STATUS_LABELS};
use assess_divisions::VillageCode;
pub use id_number::{check_character, mask_identity_numbers, IdError, IdNumber, IdWritten};
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
    /// What helps a team find the household (head's name, villager group, address, phone):
    /// the register's display columns, never used by the draw.
    pub display: HouseholdDisplay,
}

/// A register's optional display columns: what a team needs to find a household. They are
/// carried to `sample.csv` and the visit-record template, but never enter a ticket or the
/// register fingerprint's identity part (docs/register.md, "Display columns").
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum DisplayColumn {
    /// The household head's name (户主姓名), `head_name`.
    HeadName,
    /// The villager group (村民小组), `group`.
    Group,
    /// Address or house number (地址, 门牌号), `address`.
    Address,
    /// Telephone number (联系电话), `phone`.
    Phone,
}

impl DisplayColumn {
    /// The display columns in canonical order (the order of `sample.csv`).
    pub const ALL: [DisplayColumn; 4] = [
        DisplayColumn::HeadName,
        DisplayColumn::Group,
        DisplayColumn::Address,
        DisplayColumn::Phone,
    ];

    /// The column's name in a register, `sample.csv` and the template.
    pub fn as_str(self) -> &'static str {
        DISPLAY_COLUMNS[self as usize]
    }

    /// The column named `name` (canonical name only, case-insensitive).
    pub fn from_name(name: &str) -> Option<DisplayColumn> {
        DisplayColumn::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(name))
    }
}

/// A household's display values, indexed by [`DisplayColumn`]; `None` when not given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseholdDisplay {
    values: [Option<String>; 4],
}

impl HouseholdDisplay {
    /// The value of column `c`, if given.
    pub fn get(&self, c: DisplayColumn) -> Option<&str> {
        self.values[c as usize].as_deref()
    }

    /// Sets (or with `None` clears) the value of column `c`, reusing its buffer.
    pub fn set(&mut self, c: DisplayColumn, value: Option<&str>) {
        let slot = &mut self.values[c as usize];
        match (slot.as_mut(), value) {
            (Some(old), Some(new)) => {
                old.clear();
                old.push_str(new);
            }
            (_, new) => *slot = new.map(str::to_string),
        }
    }

    /// The same with `c` set to `value`.
    pub fn with(mut self, c: DisplayColumn, value: &str) -> HouseholdDisplay {
        self.set(c, Some(value));
        self
    }

    /// The villager group (村民小组), if given.
    pub fn group(&self) -> Option<&str> {
        self.get(DisplayColumn::Group)
    }

    /// No value given.
    pub fn is_empty(&self) -> bool {
        self.values.iter().all(Option::is_none)
    }
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

/// Register columns, in canonical order: the household's data, then the display columns
/// ([`DISPLAY_COLUMNS`]).
pub const FRAME_COLUMNS: [&str; 12] = [
    "household_id",
    "village_code",
    "status",
    "exit_year",
    "members",
    "income_per_capita",
    "lon",
    "lat",
    "head_name",
    "group",
    "address",
    "phone",
];

/// The register's optional display columns, in canonical order (see [`DisplayColumn`]).
pub const DISPLAY_COLUMNS: [&str; 4] = ["head_name", "group", "address", "phone"];

/// The columns every register must have.
pub const FRAME_REQUIRED: [&str; 5] = [
    "household_id",
    "village_code",
    "status",
    "exit_year",
    "members",
];

/// Village-file columns, in canonical order (only `village_code` is required).
pub const VILLAGE_COLUMNS: [&str; 6] = [
    "village_code",
    "name",
    "poverty_village",
    "remote",
    "lon",
    "lat",
];
