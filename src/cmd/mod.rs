//! One module per subcommand: its clap arguments and a `run` that calls the libraries.

pub mod check;
pub mod draw;
pub mod frame;
pub mod photo;
pub mod plan;
pub mod progress;
pub mod records;
pub mod size;
pub mod store;
pub mod synth;
