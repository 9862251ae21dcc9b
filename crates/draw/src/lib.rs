//! A draw over files: reads a plan and a register (once, streaming: a 30-million-household
//! national register is kept only as its villages' counts and about 20 bytes a household for
//! the household stage), runs the two stages of `assess-sampling`, and
//! writes `sample.csv`, `sample_villages.csv` and `manifest.json` into a new directory
//! atomically. `verify` recomputes a draw from its inputs and names every difference.
//!
//! Layout:
//! - `frame`: the village frame aggregated from the register.
//! - `run`: the draw itself and its output files.
//! - `manifest`: what is sealed with a draw.
//! - `verify`: recomputation and the differences it can name.
//! - `dir`: a draw directory read back, its files checked against the manifest.
//! - `extend`: a second phase of villages added to a draw, the first phase unchanged.
//!
//! Not for: the selection rules themselves (`assess-sampling`) or reading register rows
//! (`assess-register`).
#![deny(missing_docs)]

mod dir;
mod extend;
mod frame;
mod manifest;
mod parallel;
mod receipt;
mod run;
mod verify;

pub use dir::{load_draw_dir, DrawDir, VillageListRow};
pub use extend::extend;
pub use manifest::{Extension, Manifest};
pub use receipt::{read_receipt, Receipt};
pub use run::{
    check_plan, compute, compute_extended, unfinished_drafts, write_draw, Draw, DrawError,
    ExtendError, Inputs, PlanCheck, Seeds,
};
pub use verify::{verify, Difference};
