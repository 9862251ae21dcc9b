//! `assess estimate`: design-based estimates from any survey CSV file, like R's `svymean`,
//! `svytotal`, `svyratio` and `svyciprop` (the engine is `assess-survey`, the one the verdict
//! uses).
//!
//! `assess estimate --data FILE.csv [--weight COL] [--strata COL] [--psu COL] [--fpc COL]
//! [--ssu COL --fpc2 COL] [--pps brewer] (--mean COL | --prop COL | --total COL |
//! --ratio NUM_COL/DEN_COL)... [--domain COL] [--ci METHOD] [--confidence 0.95]
//! [--sided two|upper|lower] [--lonely-psu fail|remove|centre|collapse] [--format json|table]`
//!
//! Several analyses, of one or several kinds, run over one reading of the file. A cell that is
//! empty or `NA` is missing: a row missing the analysed variable is left out of that analysis
//! (the design keeps it); a row missing the domain is in no domain; design columns may not be
//! missing. Formulas and conventions: docs/estimation.md.
//!
//! The file is read once, each needed column parsed as it is read, and all domains of an
//! analysis are estimated in one pass over the rows (`assess-table`).

use anyhow::{anyhow, bail, Result};
use assess_survey::{CiMethod, EstimateOptions, LonelyPsu, Pps, Sided};
use assess_table::{estimate_file, Analysis, DesignColumns, Level, TableEstimates, TableRequest};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// `assess estimate` arguments.
#[derive(Args)]
pub struct EstimateArgs {
    /// The survey data: a CSV file (UTF-8) with a header row.
    #[arg(long, value_name = "FILE.csv")]
    data: PathBuf,
    /// Column of final weights [default: implied by --fpc and --fpc2, else 1].
    #[arg(long, value_name = "COL")]
    weight: Option<String>,
    /// Column of strata.
    #[arg(long, value_name = "COL")]
    strata: Option<String>,
    /// Column of primary sampling units, nested in strata [default: every row is one].
    #[arg(long, value_name = "COL")]
    psu: Option<String>,
    /// Stage-1 finite population correction: a value > 1 is the number of PSUs in the
    /// stratum's population, a value <= 1 the sampling fraction (R's convention).
    #[arg(long, value_name = "COL")]
    fpc: Option<String>,
    /// Column of secondary units, nested in PSUs (for the stage-2 variance term).
    #[arg(long, value_name = "COL", requires = "fpc2")]
    ssu: Option<String>,
    /// Stage-2 finite population correction: SSUs in the PSU's population (> 1) or the
    /// fraction sampled (<= 1).
    #[arg(long, value_name = "COL", requires = "ssu")]
    fpc2: Option<String>,
    /// PPS without replacement at stage 1, with the inclusion probabilities in --fpc.
    #[arg(long, value_enum, requires = "fpc")]
    pps: Option<Pps>,
    #[command(flatten)]
    stat: StatArgs,
    /// Estimate separately in every domain (each value of this column), keeping the design.
    #[arg(long, value_name = "COL")]
    domain: Option<String>,
    /// Interval method [default: logit for --prop, wald (t) otherwise].
    #[arg(long, value_enum, value_name = "METHOD")]
    ci: Option<CiMethod>,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    confidence: f64,
    /// Two-sided interval, or one bound.
    #[arg(long, value_enum, default_value = "two")]
    sided: Sided,
    /// A stratum with a single PSU: refuse (fail), leave out of the variance (remove), or
    /// centre it at the grand mean (centre, R's "adjust").
    #[arg(long, value_enum, default_value = "fail")]
    lonely_psu: LonelyPsu,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
}

/// What to estimate: one or more kinds, each for one or more columns (comma-separated or
/// repeated). Results come in the order mean, prop, total, ratio, each in the order given.
#[derive(Args)]
#[group(required = true, multiple = true)]
struct StatArgs {
    /// Mean of a numeric column.
    #[arg(long, value_name = "COL", value_delimiter = ',')]
    mean: Vec<String>,
    /// Proportion of every value (level) of a column.
    #[arg(long, value_name = "COL", value_delimiter = ',')]
    prop: Vec<String>,
    /// Total of a numeric column.
    #[arg(long, value_name = "COL", value_delimiter = ',')]
    total: Vec<String>,
    /// Ratio of the totals of two numeric columns.
    #[arg(long, value_name = "NUM_COL/DEN_COL", value_delimiter = ',')]
    ratio: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Table,
}

/// Runs `assess estimate`.
pub fn run(args: EstimateArgs) -> Result<()> {
    if !(args.confidence > 0.0 && args.confidence < 1.0) {
        bail!("--confidence {} must be between 0 and 1", args.confidence);
    }
    let request = TableRequest {
        design: DesignColumns {
            weight: args.weight,
            strata: args.strata,
            psu: args.psu,
            ssu: args.ssu,
            fpc: args.fpc,
            fpc2: args.fpc2,
            pps: args.pps,
            lonely_psu: args.lonely_psu,
        },
        analyses: analyses(&args.stat)?,
        domain: args.domain,
        options: EstimateOptions {
            confidence: args.confidence,
            sided: args.sided,
            ci: args.ci,
        },
    };
    let found = estimate_file(&args.data, &request)?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&found)?),
        Format::Table => print_table(&found),
    }
    Ok(())
}

/// The analyses in the order mean, prop, total, ratio, each in the order given.
fn analyses(s: &StatArgs) -> Result<Vec<Analysis>> {
    let mut out: Vec<Analysis> = Vec::new();
    out.extend(s.mean.iter().cloned().map(Analysis::Mean));
    out.extend(s.prop.iter().cloned().map(Analysis::Proportion));
    out.extend(s.total.iter().cloned().map(Analysis::Total));
    for r in &s.ratio {
        let (num, den) = r
            .split_once('/')
            .filter(|(n, d)| !n.is_empty() && !d.is_empty())
            .ok_or_else(|| anyhow!("--ratio {r:?}: expected NUM_COL/DEN_COL"))?;
        out.push(Analysis::Ratio(num.to_string(), den.to_string()));
    }
    Ok(out)
}

/// Prints the results as an aligned text table (numbers to 6 significant digits).
fn print_table(found: &TableEstimates) {
    let has_domain = found.results.iter().any(|r| r.domain.is_some());
    let mut head = vec!["variable", "param", "level"];
    if has_domain {
        head.push("domain");
    }
    head.extend(["estimate", "se", "lci", "uci", "df", "deff", "n"]);
    let mut rows = vec![head.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    for r in &found.results {
        let mut row = vec![r.variable.clone(), r.param.to_string(), level(&r.level)];
        if has_domain {
            row.push(format!(
                "{}={}",
                r.domain.as_deref().unwrap_or("-"),
                level(&r.domain_level)
            ));
        }
        let number = |v: Option<f64>| v.filter(|v| v.is_finite()).map_or("-".into(), sig6);
        row.extend([
            number(r.estimate),
            number(r.se),
            number(r.lci),
            number(r.uci),
            number(r.df.map(|d| d as f64)),
            number(r.deff),
            number(Some(r.n as f64)),
        ]);
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let d = &found.design;
    println!(
        "{}: {} rows, {} strata, {} PSUs, df {}",
        found.data, found.rows, d.strata_count, d.psu_count, d.df
    );
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:>w$}"))
            .collect();
        println!("{}", cells.join("  "));
    }
}

/// A level as the JSON shows it ("-" for none).
fn level(l: &Option<Level>) -> String {
    match l {
        None => "-".into(),
        Some(l) => serde_json::to_value(l).map_or("-".into(), |v| match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        }),
    }
}

/// A number to 6 significant digits (integers as they are).
fn sig6(v: f64) -> String {
    if v == 0.0 || v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{v}");
    }
    let decimals = (5 - v.abs().log10().floor() as i32).max(0) as usize;
    format!("{v:.decimals$}")
}
