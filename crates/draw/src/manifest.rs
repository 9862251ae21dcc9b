//! `manifest.json`: what a draw is sealed with. Everything in it is recomputable from the
//! plan, the register, the village file and the seeds, except the seeds themselves, which
//! appear only as SHA-256 commitments until they are published.

use serde::{Deserialize, Serialize};

/// The scheme implemented here; docs/sampling.md specifies it byte for byte.
pub const SCHEME_VERSION: &str = "assess-draw-v2";

/// The manifest of one draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Version of the ticket and selection scheme.
    pub scheme_version: String,
    /// Version of the tool that made the draw (informative; not compared by verify).
    pub tool_version: String,
    /// The plan's `[plan] name`.
    pub plan_name: String,
    /// SHA-256 of the plan file's bytes.
    pub plan_sha256: String,
    /// The counties drawn when they were given in place of the plan's `counties`; absent
    /// when the plan's own list (or `"all"`) was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counties_given: Option<Vec<String>>,
    /// SHA-256 of the register's canonical form.
    pub frame_fingerprint: String,
    /// SHA-256 of the register's display columns (head's name, group, address, phone), when
    /// it has any: they are in `sample.csv` but not in the fingerprint above.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame_display_fingerprint: Option<String>,
    /// Households in the register.
    pub frame_households: u64,
    /// SHA-256 of the village file's canonical form, when one was used.
    pub villages_sha256: Option<String>,
    /// The division-code list the register was checked against.
    pub division_codes: DivisionCodes,
    /// SHA-256 of each seed, published before fieldwork.
    pub seed_commitments: SeedCommitments,
    /// The seeds themselves, only when the draw is made with published seeds.
    pub seeds: Option<PublishedSeeds>,
    /// SHA-256 of `sample.csv`.
    pub sample_sha256: String,
    /// SHA-256 of `sample_villages.csv`.
    pub sample_villages_sha256: String,
    /// Village strata or draws per county.
    pub village_strata: Vec<assess_sampling::GroupSummary>,
    /// Population and sample counts per county and household stratum.
    pub strata: Vec<StratumCounts>,
    /// Set when this draw extends another (`assess draw --extend`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<Extension>,
}

/// What makes a draw the extension of another: the draw it extends and how many villages
/// every sampling stratum or draw has gained since the first phase. Recomputing the first
/// phase's draw with this many more villages gives this draw (docs/sampling.md, "Extending a
/// draw").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extension {
    /// The draw extended: its `sample.csv` SHA-256, the records store's draw id.
    pub extends: String,
    /// Villages added to every village stratum or draw that samples, counted from the first
    /// phase (an extension of an extension adds to its base's count).
    pub villages: u32,
}

/// The division-code vintage and how it was chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DivisionCodes {
    /// `2016`, `2021` or `2023`.
    pub vintage: String,
    /// True when detected from the register, false when chosen.
    pub detected: bool,
}

/// Commitments to the two seeds (the same seed may serve both stages).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedCommitments {
    /// SHA-256 of the village-stage seed.
    pub village: String,
    /// SHA-256 of the household-stage seed.
    pub household: String,
}

/// Seeds, once published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedSeeds {
    /// Village-stage seed.
    pub village: String,
    /// Household-stage seed.
    pub household: String,
}

/// Population and sample in one county and household stratum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StratumCounts {
    /// County code.
    pub county: String,
    /// Household stratum (register status).
    pub stratum: String,
    /// Households of this status in the county's register.
    pub population_households: u64,
    /// Their members.
    pub population_people: u64,
    /// Sampled villages (all, including by hand).
    pub sampled_villages: usize,
    /// Primary households drawn.
    pub primary: usize,
    /// Reserve households drawn.
    pub reserve: usize,
}
