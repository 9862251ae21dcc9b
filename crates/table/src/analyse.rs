//! Analyses of a survey table: each statistic in every domain of a column, in one pass over
//! the rows per statistic, and the results as rows.

use crate::design::{DesignColumns, DesignSummary};
use crate::read::{is_missing, number, LabelColumn, Table, TableError, Want, EMPTY};
use assess_survey::{
    estimate, CiMethod, Design, DomainEstimates, Domains, Estimate, EstimateError, EstimateOptions,
    Sided, Statistic, NO_DOMAIN,
};
use serde::{Serialize, Serializer};
use std::path::Path;

/// One statistic of one column (or two, for a ratio).
#[derive(Clone, Debug, PartialEq)]
pub enum Analysis {
    /// Mean of a numeric column.
    Mean(String),
    /// Proportion of every value (level) of a column.
    Proportion(String),
    /// Total of a numeric column.
    Total(String),
    /// Ratio of the totals of two numeric columns.
    Ratio(String, String),
}

impl Analysis {
    /// `mean`, `prop`, `total` or `ratio`.
    pub fn param(&self) -> &'static str {
        match self {
            Analysis::Mean(_) => "mean",
            Analysis::Proportion(_) => "prop",
            Analysis::Total(_) => "total",
            Analysis::Ratio(..) => "ratio",
        }
    }

    /// The column, or `NUM/DEN` for a ratio.
    pub fn variable(&self) -> String {
        match self {
            Analysis::Mean(c) | Analysis::Proportion(c) | Analysis::Total(c) => c.clone(),
            Analysis::Ratio(n, d) => format!("{n}/{d}"),
        }
    }

    fn columns(&self) -> Vec<&str> {
        match self {
            Analysis::Mean(c) | Analysis::Proportion(c) | Analysis::Total(c) => vec![c],
            Analysis::Ratio(n, d) => vec![n, d],
        }
    }
}

/// What to estimate from a table.
#[derive(Clone, Debug, PartialEq)]
pub struct TableRequest {
    /// The design's columns.
    pub design: DesignColumns,
    /// The analyses, in the order their results come.
    pub analyses: Vec<Analysis>,
    /// Estimate separately in every domain (each value of this column), keeping the design.
    pub domain: Option<String>,
    /// Interval method, confidence and sidedness.
    pub options: EstimateOptions,
}

/// The results of a table's analyses (the JSON of `assess estimate`; keys in alphabetical
/// order, as it has always listed them).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TableEstimates {
    /// The file, as given.
    pub data: String,
    /// The design.
    pub design: DesignSummary,
    /// One row per analysis, level and domain: domain by domain, then analysis by analysis.
    pub results: Vec<ResultRow>,
    /// Data rows.
    pub rows: usize,
}

/// A value of a level or domain column: numeric when every value of the column is.
#[derive(Clone, Debug, PartialEq)]
pub struct Level {
    /// The label as the file has it.
    pub text: String,
    /// Its number, when every label of the column is one.
    pub number: Option<f64>,
}

/// A level is written as an integer, a number or the label's text.
impl Serialize for Level {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.number {
            Some(n) if n.fract() == 0.0 && n.abs() < 9e15 => s.serialize_i64(n as i64),
            Some(n) => s.serialize_f64(n),
            None => s.serialize_str(&self.text),
        }
    }
}

/// One result: an analysis in one domain (and for a proportion, one level), with its
/// estimate when the domain has observations. Fields in alphabetical order (the JSON's).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResultRow {
    /// Interval method.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci: Option<CiMethod>,
    /// Confidence level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// Design effect against simple random sampling with replacement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deff: Option<f64>,
    /// Design effect against simple random sampling without replacement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deff_wor: Option<f64>,
    /// Degrees of freedom.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub df: Option<usize>,
    /// The domain column, when estimated by domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain_level: Option<Level>,
    /// The estimate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate: Option<f64>,
    /// Lower bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lci: Option<f64>,
    /// The level of a proportion (null otherwise).
    pub level: Option<Level>,
    /// Analysis rows.
    pub n: usize,
    /// PSUs holding analysis rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_psu: Option<usize>,
    /// Strata holding analysis rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_strata: Option<usize>,
    /// Why there is no estimate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
    /// `mean`, `prop`, `total` or `ratio`.
    pub param: &'static str,
    /// Standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub se: Option<f64>,
    /// Two-sided, or one bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sided: Option<Sided>,
    /// Sum of the analysis rows' weights.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sum_weights: Option<f64>,
    /// Upper bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uci: Option<f64>,
    /// The column (`NUM/DEN` for a ratio).
    pub variable: String,
    /// Linearised design variance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variance: Option<f64>,
    /// Kish's weighting effect of the analysis rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weighting_effect: Option<f64>,
}

/// Reads the survey file at `path` (CSV, UTF-8, a header row) once and runs every analysis
/// of `request` over it.
pub fn estimate_file(path: &Path, request: &TableRequest) -> Result<TableEstimates, TableError> {
    let table = Table::read(path, &needed_columns(request))?;
    let design = request.design.build(&table)?;
    let domains = request
        .domain
        .as_deref()
        .map(|col| DomainColumn::new(col, table.label(col)));
    let mut results = Vec::new();
    for analysis in &request.analyses {
        results.extend(analyse(
            &table,
            &design,
            analysis,
            domains.as_ref(),
            &request.options,
        )?);
    }
    Ok(TableEstimates {
        data: path.display().to_string(),
        design: request.design.summary(&design),
        results,
        rows: design.n_rows(),
    })
}

/// Every column to read, once each, with how (labels, numbers or both).
fn needed_columns(request: &TableRequest) -> Vec<(String, Want)> {
    let mut cols: Vec<(String, Want)> = Vec::new();
    let mut add = |name: &str, want: Want| match cols.iter().position(|(n, _)| n == name) {
        Some(i) => {
            cols[i].1.label |= want.label;
            cols[i].1.number |= want.number;
        }
        None => cols.push((name.to_string(), want)),
    };
    let label = Want {
        label: true,
        number: false,
    };
    for (c, want) in request.design.wanted() {
        if let Some(c) = c {
            add(c, want);
        }
    }
    if let Some(c) = &request.domain {
        add(c, label);
    }
    for analysis in &request.analyses {
        let want = Want {
            label: matches!(analysis, Analysis::Proportion(_)),
            number: !matches!(analysis, Analysis::Proportion(_)),
        };
        for c in analysis.columns() {
            add(c, want);
        }
    }
    cols
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
        Domains::Each {
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
    analysis: &Analysis,
    domains: Option<&DomainColumn>,
    opts: &EstimateOptions,
) -> Result<Vec<ResultRow>, TableError> {
    let fail = |source: EstimateError| TableError::Estimate {
        path: t.path().to_path_buf(),
        param: analysis.param(),
        variable: analysis.variable(),
        source,
    };
    let over = domains.map_or(Domains::All, DomainColumn::domains);
    // One list of per-domain estimates per level (one level unless a proportion).
    let (levels, per_level): (Vec<Option<Level>>, Vec<DomainEstimates>) = match analysis {
        Analysis::Proportion(c) => {
            let col = t.label(c);
            let (levels, level_of) = levels(col);
            let of_row = row_levels(col, &level_of);
            let mut all = Vec::new();
            for k in 0..levels.len() as u32 {
                let y: Vec<Option<bool>> = of_row
                    .iter()
                    .map(|&l| (l != NO_DOMAIN).then_some(l == k))
                    .collect();
                all.push(estimate(design, Statistic::Proportion(&y), over, opts).map_err(fail)?);
            }
            (levels.into_iter().map(Some).collect(), all)
        }
        Analysis::Mean(c) => {
            let y = t.values(c)?;
            let one = estimate(design, Statistic::Mean(&y), over, opts).map_err(fail)?;
            (vec![None], vec![one])
        }
        Analysis::Total(c) => {
            let y = t.values(c)?;
            let one = estimate(design, Statistic::Total(&y), over, opts).map_err(fail)?;
            (vec![None], vec![one])
        }
        Analysis::Ratio(n, d) => {
            let (numerator, denominator) = (t.values(n)?, t.values(d)?);
            let ratio = Statistic::Ratio {
                numerator: &numerator,
                denominator: &denominator,
            };
            (
                vec![None],
                vec![estimate(design, ratio, over, opts).map_err(fail)?],
            )
        }
    };
    let count = domains.map_or(1, |d| d.levels.len());
    let mut out = Vec::new();
    for k in 0..count {
        let domain = domains.map(|d| (d.column, &d.levels[k]));
        for (level, estimates) in levels.iter().zip(&per_level) {
            let est = match &estimates.0[k] {
                Ok(e) => Some(e),
                Err(EstimateError::NoObservations) => None,
                Err(e) => return Err(fail(e.clone())),
            };
            out.push(result_row(analysis, level.as_ref(), domain, est));
        }
    }
    Ok(out)
}

fn result_row(
    analysis: &Analysis,
    level: Option<&Level>,
    domain: Option<(&str, &Level)>,
    e: Option<&Estimate>,
) -> ResultRow {
    ResultRow {
        ci: e.map(|e| e.ci),
        confidence: e.map(|e| e.confidence),
        deff: e.map(|e| e.deff),
        deff_wor: e.map(|e| e.deff_wor),
        df: e.map(|e| e.df),
        domain: domain.map(|(c, _)| c.to_string()),
        domain_level: domain.map(|(_, l)| l.clone()),
        estimate: e.map(|e| e.estimate),
        lci: e.map(|e| e.lci),
        level: level.cloned(),
        n: e.map_or(0, |e| e.n),
        n_psu: e.map(|e| e.n_psu),
        n_strata: e.map(|e| e.n_strata),
        note: e.is_none().then_some("no observation in this domain"),
        param: analysis.param(),
        se: e.map(|e| e.se),
        sided: e.map(|e| e.sided),
        sum_weights: e.map(|e| e.sum_weights),
        uci: e.map(|e| e.uci),
        variable: analysis.variable(),
        variance: e.map(|e| e.variance),
        weighting_effect: e.map(|e| e.weighting_effect),
    }
}
