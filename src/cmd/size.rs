//! `assess size`: sample sizes for a rate near an exit threshold.
//!
//! - `assess size precision --margin 0.01 [--rate 0.02] [--confidence 0.95] [--sided two|one]
//!   [--deff D | --cluster-size M --icc RHO] [--population N] [--response-rate R] [--json]`
//! - `assess size pass-rule [--threshold 0.02] [--bad-rate 0.03] [--good-rate 0.01]
//!   [--alpha 0.05] [--beta 0.05] [--deff D | --cluster-size M --icc RHO] [--response-rate R]
//!   [--max-n 50000] [--households H,...] [--weighting-effect W] [--household-size-cv C]
//!   [--json]` (alias `oc`); `--households` also shows the risks that H units visited buy;
//!   the last two spread a people ratio's households (with villages only).
//!
//! The threshold and the default expected rate come from the standards file (the wrong-exit
//! rate threshold); `--standards FILE` replaces the built-in file. Formulas: docs/sample-size.md.

use assess_sampling::size::{self, Contributions, DesignEffect, PassRuleSpec, PrecisionSpec};
use assess_standards::Standards;
use assess_survey::Sided;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// `assess size` arguments.
#[derive(Args)]
pub struct SizeArgs {
    #[command(subcommand)]
    cmd: SizeCmd,
}

#[derive(Subcommand)]
enum SizeCmd {
    /// Size to estimate a rate to within ±margin (Cochran 1977, eqs 4.2-4.3).
    Precision(PrecisionArgs),
    /// Size so that the official rule "pass when the estimate < threshold" passes a good county
    /// and fails a bad one with stated risks (exact binomial and normal approximation).
    #[command(alias = "oc")]
    PassRule(PassRuleArgs),
}

#[derive(Args)]
struct PrecisionArgs {
    /// Expected rate p, in (0, 1) [default: the wrong-exit threshold of the standards, 0.02].
    #[arg(long)]
    rate: Option<f64>,
    /// Absolute margin of error e (0.01 = ±1 percentage point).
    #[arg(long)]
    margin: f64,
    /// Confidence level.
    #[arg(long, default_value_t = 0.95)]
    confidence: f64,
    /// Two-sided interval (±e) or one-sided bound.
    #[arg(long, value_enum, default_value = "two")]
    sided: Sided,
    /// Finite population size N (units in the frame), for the finite population correction.
    #[arg(long)]
    population: Option<u64>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Args)]
struct PassRuleArgs {
    /// Threshold t: pass when the estimate is strictly below it [default: the wrong-exit
    /// threshold of the standards, 0.02].
    #[arg(long)]
    threshold: Option<f64>,
    /// True rate that should fail, above t [default: 1.5 × t].
    #[arg(long)]
    bad_rate: Option<f64>,
    /// True rate that should pass, below t [default: 0.5 × t].
    #[arg(long)]
    good_rate: Option<f64>,
    /// Largest acceptable risk of failing a county at the good rate.
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
    /// Largest acceptable risk of passing a county at the bad rate.
    #[arg(long, default_value_t = 0.05)]
    beta: f64,
    /// Largest n searched by the exact method.
    #[arg(long, default_value_t = size::DEFAULT_MAX_N)]
    max_n: u64,
    /// Also show the risks when this many units are visited (comma-separated list allowed).
    #[arg(long, value_delimiter = ',')]
    households: Vec<u64>,
    /// Kish's weighting effect 1 + CV² of the weights among the counted households, as
    /// `assess plan check` reports it (with villages only) [default: 1, self-weighting].
    #[arg(long, requires = "cluster_size")]
    weighting_effect: Option<f64>,
    /// Coefficient of variation of the people per counted household, for a people ratio
    /// (with villages only) [default: 0].
    #[arg(long, requires = "cluster_size")]
    household_size_cv: Option<f64>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Args)]
struct CommonArgs {
    /// Design effect (variance ratio against simple random sampling) [default: 1].
    #[arg(long, conflicts_with_all = ["cluster_size", "icc"])]
    deff: Option<f64>,
    /// Sampled units per cluster (village) m, for deff = 1 + (m − 1)·ICC (Kish 1965).
    #[arg(long, requires = "icc")]
    cluster_size: Option<f64>,
    /// Intraclass correlation ρ of the indicator within clusters.
    #[arg(long, requires = "cluster_size")]
    icc: Option<f64>,
    /// Expected response rate, in (0, 1].
    #[arg(long, default_value_t = 1.0)]
    response_rate: f64,
    /// Standards file replacing the built-in one (for the default threshold).
    #[arg(long, value_name = "FILE")]
    standards: Option<PathBuf>,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
}

/// Runs `assess size`.
pub fn run(args: SizeArgs) -> anyhow::Result<()> {
    match args.cmd {
        SizeCmd::Precision(a) => run_precision(a),
        SizeCmd::PassRule(a) => run_pass_rule(a),
    }
}

fn run_precision(a: PrecisionArgs) -> anyhow::Result<()> {
    let standards = super::load_standards(a.common.standards.as_deref())?;
    let spec = PrecisionSpec {
        rate: a.rate.unwrap_or(standards.exit_thresholds.wrong_exit_rate),
        margin: a.margin,
        confidence: a.confidence,
        sided: a.sided,
        design: design(&a.common),
        population: a.population,
        response_rate: a.common.response_rate,
    };
    let result = size::precision_size(&spec)?;
    let answer = format!(
        "answer: visit {} units for {} completed interviews",
        result.to_visit, result.completed
    );
    print_result(
        "precision",
        &standards,
        serde_json::to_value(&result)?,
        result.explain(),
        answer,
        a.common.json,
    )
}

fn run_pass_rule(a: PassRuleArgs) -> anyhow::Result<()> {
    let standards = super::load_standards(a.common.standards.as_deref())?;
    let threshold = a
        .threshold
        .unwrap_or(standards.exit_thresholds.wrong_exit_rate);
    let spec = PassRuleSpec {
        threshold,
        // Planning choices, not rules: ±50% of the threshold gives 1% and 3% around 2%.
        bad_rate: a.bad_rate.unwrap_or(1.5 * threshold),
        good_rate: a.good_rate.unwrap_or(0.5 * threshold),
        alpha: a.alpha,
        beta: a.beta,
        design: design(&a.common),
        response_rate: a.common.response_rate,
        max_n: a.max_n,
        contributions: Contributions {
            weighting_effect: a.weighting_effect.unwrap_or(1.0),
            household_size_cv: a.household_size_cv.unwrap_or(0.0),
        },
    };
    let at: Vec<size::OcPoint> = a
        .households
        .iter()
        .map(|&h| size::oc_for_visits(&spec, h))
        .collect::<Result<_, _>>()?;
    let result = size::pass_rule_size(&spec)?;
    let answer = match &result.stable_from {
        Some(p) => format!(
            "answer: visit {} units ({}, stable)",
            p.to_visit,
            sample_of(p)
        ),
        None => format!(
            "answer: visit {} units ({}; larger n may fail again up to {})",
            result.smallest.to_visit,
            sample_of(&result.smallest),
            spec.max_n
        ),
    };
    let mut lines = result.explain();
    lines.extend(
        a.households
            .iter()
            .zip(&at)
            .map(|(h, p)| result.explain_visits(*h, p)),
    );
    let mut json = serde_json::to_value(&result)?;
    json["at_households"] = serde_json::json!(a
        .households
        .iter()
        .zip(&at)
        .map(|(h, p)| { serde_json::json!({ "households": h, "oc": p }) })
        .collect::<Vec<_>>());
    print_result("pass_rule", &standards, json, lines, answer, a.common.json)
}

fn design(c: &CommonArgs) -> DesignEffect {
    match (c.cluster_size, c.icc) {
        (Some(cluster_size), Some(icc)) => DesignEffect::Clusters { cluster_size, icc },
        _ => DesignEffect::Given {
            deff: c.deff.unwrap_or(1.0),
        },
    }
}

fn print_result(
    method: &str,
    standards: &Standards,
    result: serde_json::Value,
    lines: Vec<String>,
    answer: String,
    json: bool,
) -> anyhow::Result<()> {
    let mut text = String::new();
    if json {
        let out = serde_json::json!({
            "method": method,
            "standards_version": standards.version,
            "result": result,
        });
        text = serde_json::to_string_pretty(&out)? + "\n";
    } else {
        text.push_str(&format!(
            "sample size ({}), standards {}\n",
            method.replace('_', " "),
            standards.version
        ));
        for line in lines {
            text.push_str(&format!("  {line}\n"));
        }
        text.push_str(&format!("{answer}\n"));
    }
    write_stdout(&text)
}

/// Writes to stdout; a closed pipe (`assess size ... | head`) is not an error worth reporting.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// The sample behind an answer: effective n, or the households interviewed and their villages
/// when the count is modelled by village.
fn sample_of(p: &size::OcPoint) -> String {
    match p.villages {
        Some(k) => format!("n = {} households interviewed in {k} villages", p.n),
        None => format!("effective n = {}", p.n),
    }
}
