//! Household register (sampling frame) import.
#![deny(missing_docs)]

mod household;

pub use household::{Household, Status, VillageRecord};
