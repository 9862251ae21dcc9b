//! `assess estimate`: design-based estimates from any survey CSV file, like R's `svymean`,
//! `svytotal`, `svyratio` and `svyciprop` (the engine is `assess-survey`, the one the verdict
//! uses).
//!
//! `assess estimate --data FILE.csv [--weight COL] [--strata COL] [--psu COL] [--fpc COL]
//! [--ssu COL --fpc2 COL] [--pps brewer] (--mean COL | --prop COL | --total COL |
//! --ratio NUM_COL/DEN_COL) [--domain COL] [--ci METHOD] [--confidence 0.95]
//! [--sided two|upper|lower] [--lonely-psu fail|remove|centre] [--format json|table]`
//!
//! A cell that is empty or `NA` is missing: a row missing the analysed variable is left out
//! of that analysis (the design keeps it); a row missing the domain is in no domain; design
//! columns may not be missing. Formulas and conventions: docs/estimation.md.

use anyhow::{anyhow, bail, Context, Result};
use assess_survey::{
    estimate_mean, estimate_prop, estimate_ratio, estimate_total, CiMethod, Design, DesignError,
    Estimate, EstimateError, EstimateOptions, LonelyPsu, Pps, Sided,
};
use clap::{Args, ValueEnum};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

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
    pps: Option<PpsArg>,
    #[command(flatten)]
    stat: StatArgs,
    /// Estimate separately in every domain (each value of this column), keeping the design.
    #[arg(long, value_name = "COL")]
    domain: Option<String>,
    /// Interval method [default: logit for --prop, wald (t) otherwise].
    #[arg(long, value_enum, value_name = "METHOD")]
    ci: Option<CiArg>,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    confidence: f64,
    /// Two-sided interval, or one bound.
    #[arg(long, value_enum, default_value_t = SidedArg::Two)]
    sided: SidedArg,
    /// A stratum with a single PSU: refuse (fail), leave out of the variance (remove), or
    /// centre it at the grand mean (centre, R's "adjust").
    #[arg(long, value_enum, default_value_t = LonelyArg::Fail)]
    lonely_psu: LonelyArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
}

/// What to estimate: one kind, for one or more columns (comma-separated or repeated).
#[derive(Args)]
#[group(required = true, multiple = false)]
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
enum PpsArg {
    /// Brewer's approximation (R's pps = "brewer").
    Brewer,
}

#[derive(Clone, Copy, ValueEnum)]
enum CiArg {
    /// Korn-Graubard (R's svyciprop method "beta").
    #[value(alias = "kg", alias = "beta")]
    KornGraubard,
    /// Wilson score interval at the effective sample size.
    Wilson,
    /// Logit-transformed interval.
    Logit,
    /// Symmetric t interval (R's svyciprop method "mean").
    #[value(alias = "mean", alias = "t")]
    Wald,
}

#[derive(Clone, Copy, ValueEnum)]
enum SidedArg {
    Two,
    Upper,
    Lower,
}

#[derive(Clone, Copy, ValueEnum)]
enum LonelyArg {
    Fail,
    Remove,
    #[value(alias = "adjust")]
    Centre,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Table,
}

/// One requested analysis: its kind and column(s).
enum Stat {
    Mean(String),
    Prop(String),
    Total(String),
    Ratio(String, String),
}

impl Stat {
    fn param(&self) -> &'static str {
        match self {
            Stat::Mean(_) => "mean",
            Stat::Prop(_) => "prop",
            Stat::Total(_) => "total",
            Stat::Ratio(..) => "ratio",
        }
    }

    fn variable(&self) -> String {
        match self {
            Stat::Mean(c) | Stat::Prop(c) | Stat::Total(c) => c.clone(),
            Stat::Ratio(n, d) => format!("{n}/{d}"),
        }
    }

    fn columns(&self) -> Vec<&str> {
        match self {
            Stat::Mean(c) | Stat::Prop(c) | Stat::Total(c) => vec![c],
            Stat::Ratio(n, d) => vec![n, d],
        }
    }
}

/// Runs `assess estimate`.
pub fn run(args: EstimateArgs) -> Result<()> {
    if !(args.confidence > 0.0 && args.confidence < 1.0) {
        bail!("--confidence {} must be between 0 and 1", args.confidence);
    }
    let stats = stats(&args.stat)?;
    let table = Table::read(&args.data, &needed_columns(&args, &stats))?;
    let design = build_design(&args, &table)?;
    let opts = EstimateOptions {
        confidence: args.confidence,
        sided: sided(args.sided),
        ci: args.ci.map(ci_method),
    };
    let domains = args
        .domain
        .as_deref()
        .map(|col| (col, levels(table.column(col))));
    let mut results = Vec::new();
    for stat in &stats {
        for_each_domain(&table, &domains, |domain| {
            results.extend(analyse(&table, &design, stat, domain, &opts)?);
            Ok(())
        })?;
    }
    let output = json!({
        "data": args.data.display().to_string(),
        "rows": design.n_rows(),
        "design": design_json(&args, &design),
        "results": results,
    });
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&output)?),
        Format::Table => print_table(&output),
    }
    Ok(())
}

fn stats(s: &StatArgs) -> Result<Vec<Stat>> {
    let mut out: Vec<Stat> = Vec::new();
    out.extend(s.mean.iter().cloned().map(Stat::Mean));
    out.extend(s.prop.iter().cloned().map(Stat::Prop));
    out.extend(s.total.iter().cloned().map(Stat::Total));
    for r in &s.ratio {
        let (num, den) = r
            .split_once('/')
            .filter(|(n, d)| !n.is_empty() && !d.is_empty())
            .ok_or_else(|| anyhow!("--ratio {r:?}: expected NUM_COL/DEN_COL"))?;
        out.push(Stat::Ratio(num.to_string(), den.to_string()));
    }
    Ok(out)
}

fn needed_columns<'a>(args: &'a EstimateArgs, stats: &'a [Stat]) -> Vec<&'a str> {
    let design = [
        &args.weight,
        &args.strata,
        &args.psu,
        &args.ssu,
        &args.fpc,
        &args.fpc2,
        &args.domain,
    ];
    let mut cols: Vec<&str> = design.into_iter().flatten().map(String::as_str).collect();
    cols.extend(stats.iter().flat_map(Stat::columns));
    cols
}

/// The columns of a CSV file that an analysis needs, as text, with the line of every row.
struct Table {
    path: PathBuf,
    lines: Vec<u64>,
    columns: HashMap<String, Vec<String>>,
}

impl Table {
    fn read(path: &Path, wanted: &[&str]) -> Result<Table> {
        let shown = path.display();
        let mut reader = csv::ReaderBuilder::new()
            .from_path(path)
            .with_context(|| format!("cannot read {shown}"))?;
        let headers = reader
            .headers()
            .with_context(|| format!("{shown}: cannot read the header row"))?
            .clone();
        let mut index = Vec::new();
        for &name in wanted {
            let Some(i) = headers.iter().position(|h| h.trim() == name) else {
                let all: Vec<&str> = headers.iter().collect();
                bail!(
                    "{shown}: no column {name:?} (the columns are: {})",
                    all.join(", ")
                );
            };
            index.push((name, i));
        }
        let mut columns: HashMap<String, Vec<String>> = HashMap::new();
        let mut lines = Vec::new();
        for record in reader.records() {
            let record = record.with_context(|| format!("{shown}: unreadable CSV"))?;
            lines.push(record.position().map_or(0, |p| p.line()));
            for &(name, i) in &index {
                let cell = record.get(i).unwrap_or("").trim().to_string();
                columns.entry(name.to_string()).or_default().push(cell);
            }
        }
        if lines.is_empty() {
            bail!("{shown}: no data rows");
        }
        Ok(Table {
            path: path.to_path_buf(),
            lines,
            columns,
        })
    }

    fn column(&self, name: &str) -> &[String] {
        &self.columns[name]
    }

    /// "FILE line N, column C" for row `row`.
    fn at(&self, row: usize, column: &str) -> String {
        format!(
            "{} line {}, column {column:?}",
            self.path.display(),
            self.lines[row]
        )
    }

    /// A numeric column with missing cells (empty or NA) as `None`.
    fn values(&self, column: &str) -> Result<Vec<Option<f64>>> {
        self.column(column)
            .iter()
            .enumerate()
            .map(|(row, cell)| {
                if is_missing(cell) {
                    return Ok(None);
                }
                number(cell)
                    .map(Some)
                    .ok_or_else(|| anyhow!("{}: {cell:?} is not a number", self.at(row, column)))
            })
            .collect()
    }

    /// A numeric design column: every cell must hold a number.
    fn required_numbers(&self, column: &str, what: &str) -> Result<Vec<f64>> {
        self.column(column)
            .iter()
            .enumerate()
            .map(|(row, cell)| {
                if is_missing(cell) {
                    bail!("{}: the {what} is missing", self.at(row, column));
                }
                number(cell).ok_or_else(|| {
                    anyhow!("{}: {what} {cell:?} is not a number", self.at(row, column))
                })
            })
            .collect()
    }

    /// A label column of the design (strata, PSU, SSU): no cell may be empty.
    fn labels(&self, column: &str, what: &str) -> Result<&[String]> {
        let cells = self.column(column);
        match cells.iter().position(|c| c.is_empty()) {
            Some(row) => bail!("{}: the {what} is missing", self.at(row, column)),
            None => Ok(cells),
        }
    }
}

fn is_missing(cell: &str) -> bool {
    cell.is_empty() || cell == "NA"
}

/// A finite number (Rust also parses "inf" and "NaN", which are not data).
fn number(cell: &str) -> Option<f64> {
    cell.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn build_design(args: &EstimateArgs, t: &Table) -> Result<Design> {
    let mut b = Design::builder(t.lines.len()).lonely_psu(match args.lonely_psu {
        LonelyArg::Fail => LonelyPsu::Fail,
        LonelyArg::Remove => LonelyPsu::Remove,
        LonelyArg::Centre => LonelyPsu::Centre,
    });
    if let Some(c) = &args.weight {
        b = b.weights(t.required_numbers(c, "weight")?);
    }
    if let Some(c) = &args.strata {
        b = b.strata(t.labels(c, "stratum")?.iter().map(String::as_str));
    }
    if let Some(c) = &args.psu {
        b = b.psu(t.labels(c, "PSU")?.iter().map(String::as_str));
    }
    if let Some(c) = &args.ssu {
        b = b.ssu(t.labels(c, "SSU")?.iter().map(String::as_str));
    }
    if let Some(c) = &args.fpc {
        b = b.fpc(t.required_numbers(c, "fpc")?);
    }
    if let Some(c) = &args.fpc2 {
        b = b.fpc2(t.required_numbers(c, "fpc2")?);
    }
    if args.pps.is_some() {
        b = b.pps(Pps::Brewer);
    }
    b.build().map_err(|e| design_error(e, args, t))
}

/// Names the file, line and column of a design error.
fn design_error(e: DesignError, args: &EstimateArgs, t: &Table) -> anyhow::Error {
    let col = |c: &Option<String>| c.clone().unwrap_or_default();
    let fpc_col = |stage: u8| col(if stage == 1 { &args.fpc } else { &args.fpc2 });
    let group = |stage: u8, row: usize| match (stage, &args.strata, args.pps) {
        (1, Some(s), None) => format!("stratum {:?}", t.column(s)[row]),
        (1, None, None) => "design (no strata)".to_string(),
        _ => match &args.psu {
            Some(p) => format!("PSU {:?}", t.column(p)[row]),
            None => format!("PSU on line {}", t.lines[row]),
        },
    };
    match e {
        DesignError::BadWeight { row, value } => {
            anyhow!(
                "{}: weight {value} is negative",
                t.at(row, &col(&args.weight))
            )
        }
        DesignError::FpcInvalid { row, stage, value } => anyhow!(
            "{}: fpc {value} must be > 0 (a population count > 1, or a sampling fraction <= 1)",
            t.at(row, &fpc_col(stage))
        ),
        DesignError::FpcVaries {
            row,
            first_row,
            stage,
            value,
            first,
        } => anyhow!(
            "{}: fpc {value} differs from {first} on line {} in the same {}",
            t.at(row, &fpc_col(stage)),
            t.lines[first_row],
            group(stage, row)
        ),
        DesignError::FpcBelowSample {
            row,
            stage,
            population,
            sampled,
        } => anyhow!(
            "{}: fpc {population} (a population count) is smaller than the {sampled} units \
             sampled in the {}",
            t.at(row, &fpc_col(stage)),
            group(stage, row)
        ),
        DesignError::LonelyPsu {
            stage: 1,
            unit,
            row,
        } => match &args.strata {
            Some(s) => anyhow!(
                "{}: stratum {unit} has only one PSU at stage 1; use --lonely-psu remove or \
                 centre, or merge the stratum with a similar one",
                t.at(row, s)
            ),
            None => anyhow!(
                "{}: the design has only one PSU, so no variance can be estimated",
                t.path.display()
            ),
        },
        DesignError::LonelyPsu { unit, row, .. } => anyhow!(
            "{}: PSU {unit} has only one SSU at stage 2 but its fpc2 says not all of its units \
             were taken; use --lonely-psu remove or centre",
            t.at(row, &col(&args.ssu))
        ),
        other => anyhow!("{}: {other}", t.path.display()),
    }
}

/// A value of a level or domain column: numeric when every value of the column is.
#[derive(Clone)]
struct Level {
    text: String,
    number: Option<f64>,
}

impl Level {
    fn matches(&self, cell: &str) -> bool {
        match self.number {
            Some(n) => number(cell) == Some(n),
            None => cell == self.text,
        }
    }

    fn json(&self) -> Value {
        match self.number {
            Some(n) if n.fract() == 0.0 && n.abs() < 9e15 => json!(n as i64),
            Some(n) => json!(n),
            None => json!(self.text),
        }
    }
}

/// The distinct non-missing values of a column, in numeric order when all are numbers, else
/// in text order.
fn levels(cells: &[String]) -> Vec<Level> {
    let present: Vec<&String> = cells.iter().filter(|c| !is_missing(c)).collect();
    let numeric = present.iter().all(|c| number(c).is_some());
    let mut out: Vec<Level> = Vec::new();
    if numeric {
        let mut seen: Vec<(f64, &String)> =
            present.iter().map(|c| (number(c).unwrap(), *c)).collect();
        seen.sort_by(|a, b| a.0.total_cmp(&b.0));
        seen.dedup_by(|a, b| a.0 == b.0);
        out.extend(seen.into_iter().map(|(n, t)| Level {
            text: t.clone(),
            number: Some(n),
        }));
    } else {
        let mut seen: Vec<&String> = present;
        seen.sort();
        seen.dedup();
        out.extend(seen.into_iter().map(|t| Level {
            text: t.clone(),
            number: None,
        }));
    }
    out
}

/// A domain: its column, its level and the rows in it.
struct Domain<'a> {
    column: &'a str,
    level: Level,
    rows: Vec<bool>,
}

fn for_each_domain(
    table: &Table,
    domains: &Option<(&str, Vec<Level>)>,
    mut f: impl FnMut(Option<&Domain>) -> Result<()>,
) -> Result<()> {
    let Some((column, levels)) = domains else {
        return f(None);
    };
    for level in levels {
        let rows = table
            .column(column)
            .iter()
            .map(|c| level.matches(c))
            .collect();
        f(Some(&Domain {
            column,
            level: level.clone(),
            rows,
        }))?;
    }
    Ok(())
}

/// The results of one analysis in one domain (one per level for a proportion).
fn analyse(
    t: &Table,
    design: &Design,
    stat: &Stat,
    domain: Option<&Domain>,
    opts: &EstimateOptions,
) -> Result<Vec<Value>> {
    let rows = domain.map(|d| d.rows.as_slice());
    let mut out = Vec::new();
    let mut push = |level: Option<&Level>, r: Result<Estimate, EstimateError>| -> Result<()> {
        let est = match r {
            Ok(e) => Some(e),
            Err(EstimateError::NoObservations) => None,
            Err(e) => bail!(
                "{}: {} of {}: {e}",
                t.path.display(),
                stat.param(),
                stat.variable()
            ),
        };
        out.push(result_json(stat, level, domain, est.as_ref()));
        Ok(())
    };
    match stat {
        Stat::Mean(c) => push(None, estimate_mean(design, &t.values(c)?, rows, opts))?,
        Stat::Total(c) => push(None, estimate_total(design, &t.values(c)?, rows, opts))?,
        Stat::Ratio(n, d) => {
            let (num, den) = (t.values(n)?, t.values(d)?);
            push(None, estimate_ratio(design, &num, &den, rows, opts))?
        }
        Stat::Prop(c) => {
            let cells = t.column(c);
            for level in levels(cells) {
                let y: Vec<Option<bool>> = cells
                    .iter()
                    .map(|cell| (!is_missing(cell)).then(|| level.matches(cell)))
                    .collect();
                push(Some(&level), estimate_prop(design, &y, rows, opts))?;
            }
        }
    }
    Ok(out)
}

fn result_json(
    stat: &Stat,
    level: Option<&Level>,
    domain: Option<&Domain>,
    e: Option<&Estimate>,
) -> Value {
    let mut m = Map::new();
    m.insert("variable".into(), json!(stat.variable()));
    m.insert("param".into(), json!(stat.param()));
    m.insert("level".into(), level.map_or(Value::Null, Level::json));
    if let Some(d) = domain {
        m.insert("domain".into(), json!(d.column));
        m.insert("domain_level".into(), d.level.json());
    }
    let Some(e) = e else {
        m.insert("n".into(), json!(0));
        m.insert("note".into(), json!("no observation in this domain"));
        return Value::Object(m);
    };
    let fields = [
        ("estimate", json!(e.estimate)),
        ("se", json!(e.se)),
        ("variance", json!(e.variance)),
        ("lci", json!(e.lci)),
        ("uci", json!(e.uci)),
        ("df", json!(e.df)),
        ("deff", json!(e.deff)),
        ("deff_wor", json!(e.deff_wor)),
        ("weighting_effect", json!(e.weighting_effect)),
        ("n", json!(e.n)),
        ("n_psu", json!(e.n_psu)),
        ("n_strata", json!(e.n_strata)),
        ("sum_weights", json!(e.sum_weights)),
        ("ci", json!(e.ci.name())),
        ("confidence", json!(e.confidence)),
        ("sided", json!(e.sided)),
    ];
    m.extend(fields.into_iter().map(|(k, v)| (k.to_string(), v)));
    Value::Object(m)
}

fn design_json(args: &EstimateArgs, d: &Design) -> Value {
    json!({
        "weight": args.weight, "strata": args.strata, "psu": args.psu, "ssu": args.ssu,
        "fpc": args.fpc, "fpc2": args.fpc2, "pps": d.pps(), "lonely_psu": d.lonely_psu(),
        "strata_count": d.n_strata(), "psu_count": d.n_psus(), "df": d.df(),
        "stage2_term": d.has_stage2(), "weighting_effect": d.kish_weighting_effect(),
    })
}

fn sided(s: SidedArg) -> Sided {
    match s {
        SidedArg::Two => Sided::Two,
        SidedArg::Upper => Sided::Upper,
        SidedArg::Lower => Sided::Lower,
    }
}

fn ci_method(c: CiArg) -> CiMethod {
    match c {
        CiArg::KornGraubard => CiMethod::KornGraubard,
        CiArg::Wilson => CiMethod::Wilson,
        CiArg::Logit => CiMethod::Logit,
        CiArg::Wald => CiMethod::Wald,
    }
}

/// Prints the results as an aligned text table (numbers to 6 significant digits).
fn print_table(output: &Value) {
    let results = output["results"].as_array().cloned().unwrap_or_default();
    let has_domain = results.iter().any(|r| r.get("domain").is_some());
    let mut head = vec!["variable", "param", "level"];
    if has_domain {
        head.push("domain");
    }
    head.extend(["estimate", "se", "lci", "uci", "df", "deff", "n"]);
    let mut rows = vec![head.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    for r in &results {
        let mut row = vec![text(&r["variable"]), text(&r["param"]), text(&r["level"])];
        if has_domain {
            row.push(format!(
                "{}={}",
                text(&r["domain"]),
                text(&r["domain_level"])
            ));
        }
        for k in ["estimate", "se", "lci", "uci", "df", "deff", "n"] {
            row.push(r.get(k).and_then(Value::as_f64).map_or("-".into(), sig6));
        }
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    println!(
        "{}: {} rows, {} strata, {} PSUs, df {}",
        text(&output["data"]),
        output["rows"],
        output["design"]["strata_count"],
        output["design"]["psu_count"],
        output["design"]["df"]
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

fn text(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
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
