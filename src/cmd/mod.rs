//! One module per subcommand: its clap arguments and a `run` that calls the libraries.

/// Runs `$call` (a use case taking `&store`) on the database `$db`, closing it afterwards.
macro_rules! on_store {
    ($db:expr, |$store:ident| $call:expr) => {
        $crate::cmd::store::block_on(async {
            let $store = assess_store::Store::open($db).await?;
            let result = $call.await;
            $store.close().await;
            anyhow::Ok(result?)
        })?
    };
}

pub mod assign;
pub mod assign_villages;
pub mod assignment;
pub mod audit;
pub mod census;
pub mod check;
pub mod draw;
pub mod estimate;
pub mod finding;
pub mod frame;
pub mod photo;
pub mod plan;
pub mod progress;
pub mod records;
pub mod serve;
pub mod simulate;
pub mod simulate_visits;
pub mod size;
pub mod store;
pub mod sync;
pub mod synth;
pub mod synth_census;
pub mod template;
pub mod user;
pub mod verdict;
pub mod verdict_summary;
pub mod verify;

/// The standards from `--standards FILE`, or the built-in ones.
pub fn load_standards(
    path: Option<&std::path::Path>,
) -> anyhow::Result<assess_standards::Standards> {
    Ok(assess_app::standards::load(path)?)
}

/// A six-digit county code given on the command line.
pub fn county_code(s: &str) -> Result<String, String> {
    if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "{s:?} is not a county code: give six digits, e.g. 530128"
        ))
    }
}
