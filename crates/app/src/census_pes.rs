//! The census's post-enumeration survey (docs/census.md, "Post-enumeration survey"): the
//! re-interview sample drawn from the census store, re-interviews simulated from the census
//! returns (for tests and training), and each county's disagreement rates estimated from
//! the re-interviews.

use crate::census_ingest::{format_of, Format};
use assess_census::CsvReader;
use assess_census::{
    judge_return, CensusReturn, JsonLinesReader, Numbered, ReturnError, ReturnRow,
};
use assess_census_pes::{
    compare, draw, estimate_all, estimate_county, PesCounty, PesError, Selection,
};
use assess_census_store::{Dataset, StoreError};
use assess_register::EncodingChoice;
use assess_standards::Standards;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// Why a PES step could not be carried out; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum PesUseError {
    /// The census store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The draw or the estimate was refused.
    #[error(transparent)]
    Pes(#[from] PesError),
    /// A file could not be read.
    #[error("reading {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A returns file whose layout cannot be told, or a file refused whole.
    #[error(transparent)]
    Ingest(#[from] crate::census_ingest::IngestError),
    /// A seed too weak to be committed to.
    #[error(
        "the seed has about {bits:.0} bits of entropy, under the {min:.0} a public draw needs; \
         use at least 20 dice rolls or 16 random hex digits"
    )]
    WeakSeed {
        /// Its entropy.
        bits: f64,
        /// The minimum.
        min: f64,
    },
    /// Re-interviews refused, each with its file, line and reason.
    #[error("{} re-interview(s) refused; the first: {}", .0.len(), .0[0])]
    Refused(Vec<ReturnError>),
    /// The sample file could not be read.
    #[error("{file}, line {line}: {message}")]
    Sample {
        /// The file.
        file: String,
        /// The line.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// The store holds none of the counties asked for.
    #[error("the census store holds no returns of county {0}")]
    NoCounty(String),
}

/// Draws the re-interview sample of every county in the store (or of `counties`).
pub fn draw_sample(
    store: &Path,
    seed: &str,
    per_county: u32,
    counties: &[String],
) -> Result<Vec<Selection>, PesUseError> {
    check_seed(seed)?;
    let ds = Dataset::open(store)?;
    let mut out = Vec::new();
    for county in chosen(&ds, counties)? {
        out.extend(draw(seed, &county, &ds.returns(&county)?, per_county)?);
    }
    Ok(out)
}

fn check_seed(seed: &str) -> Result<(), PesUseError> {
    use assess_sampling::ticket::{seed_entropy_bits, MIN_SEED_BITS};
    let bits = seed_entropy_bits(seed);
    if bits < MIN_SEED_BITS {
        return Err(PesUseError::WeakSeed {
            bits,
            min: MIN_SEED_BITS,
        });
    }
    Ok(())
}

fn chosen(ds: &Dataset, counties: &[String]) -> Result<Vec<String>, PesUseError> {
    let held = ds.counties();
    if counties.is_empty() {
        return Ok(held);
    }
    for c in counties {
        if !held.contains(c) {
            return Err(PesUseError::NoCounty(c.clone()));
        }
    }
    Ok(counties.to_vec())
}

/// Reads a returns file (CSV, JSON Lines, or a filled XLSX census template), every return
/// or the reason it was refused, with its line.
pub fn read_returns(
    path: &Path,
    format: Format,
    encoding: EncodingChoice,
) -> Result<Vec<Result<Numbered, ReturnError>>, PesUseError> {
    let io = |source| PesUseError::Io {
        path: path.to_path_buf(),
        source,
    };
    let name = path.display().to_string();
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
    {
        let bytes = std::fs::read(path).map_err(io)?;
        return assess_forms::census::read_census(&name, &bytes).map_err(|e| PesUseError::Sample {
            file: name.clone(),
            line: 0,
            message: e.to_string(),
        });
    }
    let file = BufReader::with_capacity(1 << 20, File::open(path).map_err(io)?);
    Ok(match format_of(path, format)? {
        Format::Csv => CsvReader::new(name, file, encoding).map_err(io)?.collect(),
        _ => JsonLinesReader::new(name, file).collect(),
    })
}

/// A county's PES with the households drawn but not re-interviewed.
#[derive(Debug, Clone, Serialize)]
pub struct CountyPes {
    /// The rates.
    #[serde(flatten)]
    pub rates: PesCounty,
    /// Households drawn without a re-interview.
    pub not_reinterviewed: Vec<String>,
}

/// Every county's rates and all counties' together.
#[derive(Debug, Clone, Serialize)]
pub struct PesReport {
    /// The seed's SHA-256 commitment (the seed itself is published by the coordinators).
    pub seed_sha256: String,
    /// Households drawn per county.
    pub per_county: u32,
    /// Confidence of the intervals.
    pub confidence: f64,
    /// Each county.
    pub counties: Vec<CountyPes>,
    /// All counties, as strata.
    pub all: PesCounty,
}

/// What the estimate is given.
pub struct EstimateRequest<'a> {
    /// The census store.
    pub store: &'a Path,
    /// The PES seed (the draw is made again from it: a sample changed after the draw is never
    /// estimated from).
    pub seed: &'a str,
    /// Households drawn per county.
    pub per_county: u32,
    /// The re-interview files.
    pub reinterviews: &'a [PathBuf],
    /// Their layout.
    pub format: Format,
    /// Their encoding (CSV).
    pub encoding: EncodingChoice,
    /// Confidence of the intervals.
    pub confidence: f64,
}

/// Re-draws the sample, judges the re-interviews and estimates every county's rates. Every
/// refused re-interview is listed (none is left out quietly): one that cannot be read, of a
/// county not in the store, of a household not drawn, or given twice.
pub fn estimate(
    req: &EstimateRequest<'_>,
    standards: &Standards,
) -> Result<PesReport, PesUseError> {
    let ds = Dataset::open(req.store)?;
    let mut refused = Vec::new();
    let mut by_county: BTreeMap<String, HashMap<String, (ReturnRow, String, u64)>> =
        BTreeMap::new();
    for path in req.reinterviews {
        for item in read_returns(path, req.format, req.encoding)? {
            match item.map(|n| (n.line, judge_return(n.census_return, standards))) {
                Err(e) => refused.push(e),
                Ok((line, Err(problems))) => refused.extend(
                    problems
                        .into_iter()
                        .map(|p| ReturnError::at(&path.display().to_string(), line, None, p)),
                ),
                Ok((line, Ok(j))) => {
                    let row = ReturnRow::of(&j);
                    let file = path.display().to_string();
                    let county = by_county.entry(row.county_code.clone()).or_default();
                    if let Some((_, f, l)) = county.get(&row.household_id) {
                        refused.push(ReturnError::at(
                            &file,
                            line,
                            Some(&row.return_id),
                            assess_census::Problem::new(
                                "household_id",
                                format!("household {} was re-interviewed already ({f}, line {l}); keep one", row.household_id),
                            ),
                        ));
                    } else {
                        county.insert(row.household_id.clone(), (row, file, line));
                    }
                }
            }
        }
    }
    let held = ds.counties();
    let mut counties = Vec::new();
    let mut all = Vec::new();
    for county in &held {
        let census = ds.returns(county)?;
        let drawn = draw(req.seed, county, &census, req.per_county)?;
        let reint = by_county.remove(county).unwrap_or_default();
        let census_of: HashMap<&str, &ReturnRow> =
            census.iter().map(|r| (r.return_id.as_str(), r)).collect();
        let drawn_ids: HashMap<&str, &Selection> =
            drawn.iter().map(|s| (s.household_id.as_str(), s)).collect();
        let mut comparisons = Vec::new();
        for (household, (row, file, line)) in &reint {
            match drawn_ids.get(household.as_str()) {
                Some(s) => comparisons.push(compare(census_of[s.return_id.as_str()], row)),
                None => refused.push(ReturnError::at(
                    file,
                    *line,
                    Some(&row.return_id),
                    assess_census::Problem::new(
                        "household_id",
                        format!("household {household} of county {county} was not drawn for re-interview with this seed"),
                    ),
                )),
            }
        }
        comparisons.sort_by(|a, b| a.household_id.cmp(&b.household_id));
        let not_reinterviewed = drawn
            .iter()
            .filter(|s| !reint.contains_key(&s.household_id))
            .map(|s| s.household_id.clone())
            .collect();
        if !comparisons.is_empty() {
            counties.push(CountyPes {
                rates: estimate_county(&drawn, &comparisons, req.confidence)?,
                not_reinterviewed,
            });
            all.push((drawn, comparisons));
        }
    }
    for (county, rows) in by_county {
        for (_, (row, file, line)) in rows {
            refused.push(ReturnError::at(
                &file,
                line,
                Some(&row.return_id),
                assess_census::Problem::new(
                    "county_code",
                    format!("county {county} has no returns in the census store"),
                ),
            ));
        }
    }
    if !refused.is_empty() {
        refused.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        return Err(PesUseError::Refused(refused));
    }
    Ok(PesReport {
        seed_sha256: assess_sampling::ticket::seed_commitment(req.seed),
        per_county: req.per_county,
        confidence: req.confidence,
        all: estimate_all(&all, req.confidence)?,
        counties,
    })
}

/// A household of a PES sample file, as `pes draw` writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    /// The county.
    pub county_code: String,
    /// The household.
    pub household_id: String,
    /// The census return.
    pub return_id: String,
}

/// Reads the households of a PES sample file (`county_code`, `household_id`, `return_id`
/// columns, by name).
pub fn read_sample(path: &Path) -> Result<Vec<Drawn>, PesUseError> {
    let file = path.display().to_string();
    let bad = |line: u64, message: String| PesUseError::Sample {
        file: file.clone(),
        line,
        message,
    };
    let mut reader = csv::Reader::from_path(path).map_err(|e| bad(1, e.to_string()))?;
    let headers = reader.headers().map_err(|e| bad(1, e.to_string()))?.clone();
    let col = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            bad(
                1,
                format!("no column {name}: give the pes-sample.csv that the draw wrote"),
            )
        })
    };
    let (c, h, r) = (col("county_code")?, col("household_id")?, col("return_id")?);
    let mut out = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| bad(i as u64 + 2, e.to_string()))?;
        out.push(Drawn {
            county_code: rec.get(c).unwrap_or("").to_string(),
            household_id: rec.get(h).unwrap_or("").to_string(),
            return_id: rec.get(r).unwrap_or("").to_string(),
        });
    }
    Ok(out)
}

/// One simulated re-interview with the answers changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulated {
    /// The re-interview.
    pub reinterview: CensusReturn,
    /// The answers changed ([`assess_synth::census_pes::PES_CHANGES`]).
    pub changed: Vec<&'static str>,
}

/// Re-interviews SIMULATED from the census returns of the households in a sample: each answer
/// changed at `rate` ([`assess_synth::census_pes::reinterview`]). Every drawn household must
/// have its census return in `returns`.
pub fn simulate(
    returns: &[PathBuf],
    format: Format,
    encoding: EncodingChoice,
    sample: &[Drawn],
    rate: f64,
    seed: u64,
) -> Result<Vec<Simulated>, PesUseError> {
    let wanted: HashMap<&str, &Drawn> = sample.iter().map(|d| (d.return_id.as_str(), d)).collect();
    let mut found: HashMap<String, CensusReturn> = HashMap::new();
    let mut refused = Vec::new();
    for path in returns {
        for item in read_returns(path, format, encoding)? {
            match item {
                Ok(n) if wanted.contains_key(n.census_return.return_id.as_str()) => {
                    found.insert(n.census_return.return_id.clone(), n.census_return);
                }
                Ok(_) => {}
                Err(e) => refused.push(e),
            }
        }
    }
    if !refused.is_empty() {
        return Err(PesUseError::Refused(refused));
    }
    let mut out = Vec::new();
    for d in sample {
        let Some(census) = found.get(&d.return_id) else {
            return Err(PesUseError::Sample {
                file: "the sample".into(),
                line: 0,
                message: format!(
                    "return {} of household {} is in none of the returns files",
                    d.return_id, d.household_id
                ),
            });
        };
        let (reinterview, changed) = assess_synth::census_pes::reinterview(census, rate, seed);
        out.push(Simulated {
            reinterview,
            changed,
        });
    }
    Ok(out)
}
