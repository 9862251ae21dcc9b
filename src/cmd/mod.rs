//! One module per subcommand: its clap arguments and a `run` that calls the libraries.

pub mod check;
pub mod draw;
pub mod estimate;
pub mod finding;
pub mod frame;
pub mod photo;
pub mod plan;
pub mod progress;
pub mod records;
pub mod simulate;
pub mod simulate_visits;
pub mod size;
pub mod store;
pub mod synth;
pub mod template;
pub mod verdict;

/// The standards from `--standards FILE`, or the built-in ones.
pub fn load_standards(
    path: Option<&std::path::Path>,
) -> anyhow::Result<assess_standards::Standards> {
    use anyhow::Context;
    let Some(path) = path else {
        return Ok(assess_standards::Standards::builtin());
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    assess_standards::Standards::from_toml(&text).with_context(|| format!("in {}", path.display()))
}
