//! The census's post-enumeration survey (PES): after the census, a second team re-interviews a
//! random sample of each county's enumerated households, and the disagreements between the
//! census return and the re-interview estimate the census's error rate, item by item.
//!
//! For:
//! - [`draw`]: the re-interview sample of one county, verifiable: every enumerated household
//!   gets a ticket from the sampling crate ([`assess_sampling::ticket`], stage `household`,
//!   stratum [`PES_STRATUM`]) and the `n` lowest tickets are taken, which is a simple random
//!   sample without replacement that anyone with the seed and the returns can re-draw;
//! - [`compare`]: each sampled household's census row against its re-interview row, item by
//!   item ([`ITEMS`]);
//! - [`estimate_county`] and [`estimate_all`]: the disagreement rate of each item with its
//!   interval, through the survey engine ([`assess_survey`]): per county a simple random
//!   sample without replacement (weight N/n, finite population correction N); nationally
//!   the counties as strata.
//!
//! Not for: reading returns or files (the store and the command do), simulating
//! re-interviews (the synth does), or deciding what an error rate means for a county.
//! No I/O; deterministic.
#![deny(missing_docs)]

mod compare;
mod draw;
mod estimate;

pub use compare::{compare, Comparison, Item, ITEMS};
pub use draw::{draw, frame, PesError, Selection, PES_STRATUM};
pub use estimate::{estimate_all, estimate_county, ItemRate, PesCounty};
