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
//! The file is read once, each needed column parsed as it is read: numbers into `f64`
//! (missing as NaN), labels into codes over one list of distinct labels; no cell text is kept.
//! All domains of an analysis are estimated in one pass over the rows (`*_by_domain`).

use anyhow::{anyhow, bail, Context, Result};
use assess_survey::{
    estimate_mean, estimate_mean_by_domain, estimate_prop, estimate_prop_by_domain, estimate_ratio,
    estimate_ratio_by_domain, estimate_total, estimate_total_by_domain, CiMethod, Design,
    DesignError, DomainEstimates, Domains, Estimate, EstimateError, EstimateOptions, LonelyPsu,
    Pps, Sided, NO_DOMAIN,
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
    Collapse,
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
        .map(|col| DomainColumn::new(col, table.label(col)));
    let mut results = Vec::new();
    for stat in &stats {
        results.extend(analyse(&table, &design, stat, domains.as_ref(), &opts)?);
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

/// How a column is read: as labels (design labels, domains, proportion levels) and/or as
/// numbers (weights, fpcs, analysed values).
#[derive(Clone, Copy, Default)]
struct Want {
    label: bool,
    number: bool,
}

fn needed_columns(args: &EstimateArgs, stats: &[Stat]) -> Vec<(String, Want)> {
    let mut cols: Vec<(String, Want)> = Vec::new();
    let mut add = |name: &str, label: bool| {
        let i = match cols.iter().position(|(n, _)| n == name) {
            Some(i) => i,
            None => {
                cols.push((name.to_string(), Want::default()));
                cols.len() - 1
            }
        };
        if label {
            cols[i].1.label = true;
        } else {
            cols[i].1.number = true;
        }
    };
    // In the order the columns are checked (the first missing one is named).
    let design = [
        (&args.weight, false),
        (&args.strata, true),
        (&args.psu, true),
        (&args.ssu, true),
        (&args.fpc, false),
        (&args.fpc2, false),
        (&args.domain, true),
    ];
    for (c, label) in design {
        if let Some(c) = c {
            add(c, label);
        }
    }
    for stat in stats {
        for c in stat.columns() {
            add(c, matches!(stat, Stat::Prop(_)));
        }
    }
    cols
}

/// Code of an empty cell in a label column.
const EMPTY: u32 = u32::MAX;

/// A column read as labels: one code per row (`EMPTY` for an empty cell) over the distinct
/// labels in order of first appearance.
#[derive(Default)]
struct LabelColumn {
    codes: Vec<u32>,
    names: Vec<String>,
    index: HashMap<String, u32>,
    /// First row with an empty cell.
    first_empty: Option<usize>,
}

impl LabelColumn {
    fn push(&mut self, row: usize, cell: &str) {
        if cell.is_empty() {
            self.first_empty.get_or_insert(row);
            self.codes.push(EMPTY);
            return;
        }
        // Rows of a village come together: try the previous row's label first.
        if let Some(&last) = self.codes.last() {
            if last != EMPTY && self.names[last as usize] == cell {
                self.codes.push(last);
                return;
            }
        }
        let code = match self.index.get(cell) {
            Some(&c) => c,
            None => {
                let c = self.names.len() as u32;
                self.names.push(cell.to_string());
                self.index.insert(cell.to_string(), c);
                c
            }
        };
        self.codes.push(code);
    }

    /// The label of a row ("" when empty).
    fn text(&self, row: usize) -> &str {
        match self.codes[row] {
            EMPTY => "",
            c => &self.names[c as usize],
        }
    }
}

/// A column read as numbers: missing cells (empty, NA) as NaN; the first missing and the first
/// unreadable cell remembered for the error messages.
#[derive(Default)]
struct NumberColumn {
    values: Vec<f64>,
    first_missing: Option<usize>,
    first_bad: Option<(usize, String)>,
}

impl NumberColumn {
    fn push(&mut self, row: usize, cell: &str) {
        if is_missing(cell) {
            self.first_missing.get_or_insert(row);
            self.values.push(f64::NAN);
            return;
        }
        match number(cell) {
            Some(v) => self.values.push(v),
            None => {
                if self.first_bad.is_none() {
                    self.first_bad = Some((row, cell.to_string()));
                }
                self.values.push(f64::NAN);
            }
        }
    }
}

/// The columns of a CSV file that an analysis needs, parsed while reading.
struct Table {
    path: PathBuf,
    rows: usize,
    labels: HashMap<String, LabelColumn>,
    numbers: HashMap<String, NumberColumn>,
}

impl Table {
    fn read(path: &Path, wanted: &[(String, Want)]) -> Result<Table> {
        let shown = path.display();
        let mut reader = csv::ReaderBuilder::new()
            .buffer_capacity(1 << 20)
            .from_path(path)
            .with_context(|| format!("cannot read {shown}"))?;
        let headers = reader
            .headers()
            .with_context(|| format!("{shown}: cannot read the header row"))?
            .clone();
        let mut labels: Vec<(usize, LabelColumn)> = Vec::new();
        let mut numbers: Vec<(usize, NumberColumn)> = Vec::new();
        for (name, want) in wanted {
            let Some(i) = headers.iter().position(|h| h.trim() == name) else {
                let all: Vec<&str> = headers.iter().collect();
                bail!(
                    "{shown}: no column {name:?} (the columns are: {})",
                    all.join(", ")
                );
            };
            if want.label {
                labels.push((i, LabelColumn::default()));
            }
            if want.number {
                numbers.push((i, NumberColumn::default()));
            }
        }
        let mut record = csv::StringRecord::new();
        let mut rows = 0;
        while reader
            .read_record(&mut record)
            .with_context(|| format!("{shown}: unreadable CSV"))?
        {
            for (i, col) in &mut labels {
                col.push(rows, record.get(*i).unwrap_or("").trim());
            }
            for (i, col) in &mut numbers {
                col.push(rows, record.get(*i).unwrap_or("").trim());
            }
            rows += 1;
        }
        if rows == 0 {
            bail!("{shown}: no data rows");
        }
        let name = |i: usize| headers[i].trim().to_string();
        Ok(Table {
            path: path.to_path_buf(),
            rows,
            labels: labels.into_iter().map(|(i, c)| (name(i), c)).collect(),
            numbers: numbers.into_iter().map(|(i, c)| (name(i), c)).collect(),
        })
    }

    fn label(&self, name: &str) -> &LabelColumn {
        &self.labels[name]
    }

    /// The line of the file where row `row` starts (read again: needed for messages only).
    fn line(&self, row: usize) -> u64 {
        let reader = csv::ReaderBuilder::new().from_path(&self.path);
        let mut record = csv::ByteRecord::new();
        let Ok(mut reader) = reader else { return 0 };
        for _ in 0..=row {
            if !reader.read_byte_record(&mut record).unwrap_or(false) {
                return 0;
            }
        }
        record.position().map_or(0, |p| p.line())
    }

    /// "FILE line N, column C" for row `row`.
    fn at(&self, row: usize, column: &str) -> String {
        format!(
            "{} line {}, column {column:?}",
            self.path.display(),
            self.line(row)
        )
    }

    /// A numeric column with missing cells (empty or NA) as `None`.
    fn values(&self, column: &str) -> Result<Vec<Option<f64>>> {
        let col = &self.numbers[column];
        if let Some((row, cell)) = &col.first_bad {
            bail!("{}: {cell:?} is not a number", self.at(*row, column));
        }
        Ok(col
            .values
            .iter()
            .map(|&v| (!v.is_nan()).then_some(v))
            .collect())
    }

    /// A numeric design column: every cell must hold a number.
    fn required_numbers(&self, column: &str, what: &str) -> Result<Vec<f64>> {
        let col = &self.numbers[column];
        let bad = col.first_bad.as_ref().map(|(r, _)| *r);
        match (col.first_missing, bad) {
            (Some(m), b) if b.is_none_or(|b| m < b) => {
                bail!("{}: the {what} is missing", self.at(m, column))
            }
            (_, Some(_)) => {
                let (row, cell) = col.first_bad.as_ref().expect("a bad cell");
                bail!("{}: {what} {cell:?} is not a number", self.at(*row, column))
            }
            _ => Ok(col.values.clone()),
        }
    }

    /// A label column of the design (strata, PSU, SSU) as codes and labels: no cell may be
    /// empty.
    fn labels(&self, column: &str, what: &str) -> Result<(Vec<u32>, Vec<String>)> {
        let col = self.label(column);
        match col.first_empty {
            Some(row) => bail!("{}: the {what} is missing", self.at(row, column)),
            None => Ok((col.codes.clone(), col.names.clone())),
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
    let mut b = Design::builder(t.rows).lonely_psu(match args.lonely_psu {
        LonelyArg::Fail => LonelyPsu::Fail,
        LonelyArg::Remove => LonelyPsu::Remove,
        LonelyArg::Centre => LonelyPsu::Centre,
        LonelyArg::Collapse => LonelyPsu::Collapse,
    });
    if let Some(c) = &args.weight {
        b = b.weights(t.required_numbers(c, "weight")?);
    }
    if let Some(c) = &args.strata {
        let (codes, names) = t.labels(c, "stratum")?;
        b = b.strata_coded(codes, names);
    }
    if let Some(c) = &args.psu {
        let (codes, names) = t.labels(c, "PSU")?;
        b = b.psu_coded(codes, names);
    }
    if let Some(c) = &args.ssu {
        let (codes, names) = t.labels(c, "SSU")?;
        b = b.ssu_coded(codes, names);
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
        (1, Some(s), None) => format!("stratum {:?}", t.label(s).text(row)),
        (1, None, None) => "design (no strata)".to_string(),
        _ => match &args.psu {
            Some(p) => format!("PSU {:?}", t.label(p).text(row)),
            None => format!("PSU on line {}", t.line(row)),
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
            t.line(first_row),
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
                "{}: stratum {unit} has only one PSU at stage 1; use --lonely-psu remove, \
                 centre or collapse, or merge the stratum with a similar one",
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
    fn json(&self) -> Value {
        match self.number {
            Some(n) if n.fract() == 0.0 && n.abs() < 9e15 => json!(n as i64),
            Some(n) => json!(n),
            None => json!(self.text),
        }
    }
}

/// The distinct non-missing values of a label column, in numeric order when all are numbers
/// (labels with the same number are one level, shown as the first to appear), else in text
/// order; and the level of every label code (`NO_DOMAIN` for "NA").
fn levels(col: &LabelColumn) -> (Vec<Level>, Vec<u32>) {
    let present: Vec<u32> = (0..col.names.len() as u32)
        .filter(|&c| !is_missing(&col.names[c as usize]))
        .collect();
    let numbers: Option<Vec<f64>> = present
        .iter()
        .map(|&c| number(&col.names[c as usize]))
        .collect();
    let mut level_of = vec![NO_DOMAIN; col.names.len()];
    let mut out: Vec<Level> = Vec::new();
    match numbers {
        Some(numbers) => {
            let mut seen: Vec<(f64, u32)> = numbers.into_iter().zip(present).collect();
            seen.sort_by(|a, b| a.0.total_cmp(&b.0));
            for (n, c) in seen {
                if out.last().and_then(|l| l.number) != Some(n) {
                    out.push(Level {
                        text: col.names[c as usize].clone(),
                        number: Some(n),
                    });
                }
                level_of[c as usize] = out.len() as u32 - 1;
            }
        }
        None => {
            let mut seen = present;
            seen.sort_by(|&a, &b| col.names[a as usize].cmp(&col.names[b as usize]));
            for c in seen {
                level_of[c as usize] = out.len() as u32;
                out.push(Level {
                    text: col.names[c as usize].clone(),
                    number: None,
                });
            }
        }
    }
    (out, level_of)
}

/// The per-row level index of a label column (`NO_DOMAIN` when missing).
fn row_levels(col: &LabelColumn, level_of: &[u32]) -> Vec<u32> {
    col.codes
        .iter()
        .map(|&c| match c {
            EMPTY => NO_DOMAIN,
            c => level_of[c as usize],
        })
        .collect()
}

/// The domain column: its levels and the domain of every row.
struct DomainColumn<'a> {
    column: &'a str,
    levels: Vec<Level>,
    of_row: Vec<u32>,
}

impl<'a> DomainColumn<'a> {
    fn new(column: &'a str, col: &LabelColumn) -> DomainColumn<'a> {
        let (levels, level_of) = levels(col);
        DomainColumn {
            column,
            of_row: row_levels(col, &level_of),
            levels,
        }
    }

    fn domains(&self) -> Domains<'_> {
        Domains {
            of_row: &self.of_row,
            count: self.levels.len(),
        }
    }
}

/// The results of one analysis in every domain, domain by domain (one per level for a
/// proportion), each domain estimated in the same pass over the rows.
fn analyse(
    t: &Table,
    design: &Design,
    stat: &Stat,
    domains: Option<&DomainColumn>,
    opts: &EstimateOptions,
) -> Result<Vec<Value>> {
    let fail = |e: EstimateError| {
        anyhow!(
            "{}: {} of {}: {e}",
            t.path.display(),
            stat.param(),
            stat.variable()
        )
    };
    // One list of per-domain estimates per level (one level unless a proportion).
    let (levels, per_level): (Vec<Option<Level>>, Vec<DomainEstimates>) = {
        let run = |y: Vec<Option<bool>>| match domains {
            Some(d) => estimate_prop_by_domain(design, &y, d.domains(), opts),
            None => Ok(vec![estimate_prop(design, &y, None, opts)]),
        };
        match stat {
            Stat::Prop(c) => {
                let col = t.label(c);
                let (levels, level_of) = levels(col);
                let of_row = row_levels(col, &level_of);
                let mut all = Vec::new();
                for k in 0..levels.len() as u32 {
                    let y = of_row
                        .iter()
                        .map(|&l| (l != NO_DOMAIN).then_some(l == k))
                        .collect();
                    all.push(run(y).map_err(fail)?);
                }
                (levels.into_iter().map(Some).collect(), all)
            }
            _ => {
                let one = match (stat, domains) {
                    (Stat::Mean(c), Some(d)) => {
                        estimate_mean_by_domain(design, &t.values(c)?, d.domains(), opts)
                    }
                    (Stat::Mean(c), None) => {
                        Ok(vec![estimate_mean(design, &t.values(c)?, None, opts)])
                    }
                    (Stat::Total(c), Some(d)) => {
                        estimate_total_by_domain(design, &t.values(c)?, d.domains(), opts)
                    }
                    (Stat::Total(c), None) => {
                        Ok(vec![estimate_total(design, &t.values(c)?, None, opts)])
                    }
                    (Stat::Ratio(n, dn), dom) => {
                        let (num, den) = (t.values(n)?, t.values(dn)?);
                        match dom {
                            Some(d) => {
                                estimate_ratio_by_domain(design, &num, &den, d.domains(), opts)
                            }
                            None => Ok(vec![estimate_ratio(design, &num, &den, None, opts)]),
                        }
                    }
                    (Stat::Prop(_), _) => unreachable!("handled above"),
                };
                (vec![None], vec![one.map_err(fail)?])
            }
        }
    };
    let count = domains.map_or(1, |d| d.levels.len());
    let mut out = Vec::new();
    for k in 0..count {
        let domain = domains.map(|d| (d.column, &d.levels[k]));
        for (level, estimates) in levels.iter().zip(&per_level) {
            let est = match &estimates[k] {
                Ok(e) => Some(e),
                Err(EstimateError::NoObservations) => None,
                Err(e) => return Err(fail(e.clone())),
            };
            out.push(result_json(stat, level.as_ref(), domain, est));
        }
    }
    Ok(out)
}

fn result_json(
    stat: &Stat,
    level: Option<&Level>,
    domain: Option<(&str, &Level)>,
    e: Option<&Estimate>,
) -> Value {
    let mut m = Map::new();
    m.insert("variable".into(), json!(stat.variable()));
    m.insert("param".into(), json!(stat.param()));
    m.insert("level".into(), level.map_or(Value::Null, Level::json));
    if let Some((column, level)) = domain {
        m.insert("domain".into(), json!(column));
        m.insert("domain_level".into(), level.json());
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
