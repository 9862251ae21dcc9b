//! Verification: recompute a draw from its inputs and name every difference with what the
//! draw directory holds. A difference in an input (plan, register, village file, seed) is
//! named as such; only when the inputs agree are the sample and manifest themselves judged.

use crate::run::{compute_extended, Draw, DrawError, Inputs, Seeds};
use crate::Manifest;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// Most rows listed per kind of row difference.
const MAX_LISTED: usize = 20;

/// One way in which a draw directory differs from its recomputation.
#[derive(Debug, Clone, PartialEq)]
pub enum Difference {
    /// A file of the draw is missing or unreadable.
    Unreadable {
        /// File name.
        file: String,
        /// Why.
        reason: String,
    },
    /// The seed given does not hash to the manifest's commitment.
    SeedCommitment {
        /// `village` or `household`.
        stage: &'static str,
        /// Commitment in the manifest.
        manifest: String,
        /// SHA-256 of the seed given.
        given: String,
    },
    /// An input file is not the one the draw was made from.
    Input {
        /// `plan`, `register` or `village file`.
        what: &'static str,
        /// Hash in the manifest.
        manifest: String,
        /// Hash of the file given.
        given: String,
    },
    /// The counties given in place of the plan's are not those the draw was made with.
    Counties {
        /// The manifest's counties.
        manifest: String,
        /// The counties given.
        given: String,
    },
    /// The register's display columns are not those the draw was made with (its identity,
    /// and so every household and ticket, is).
    DisplayColumns {
        /// Display fingerprint in the manifest (`None`: the draw's register had none).
        manifest: Option<String>,
        /// Display fingerprint of the register given.
        given: Option<String>,
    },
    /// A row of sample.csv differs in some columns.
    RowEdited {
        /// Household id.
        household_id: String,
        /// (column, value in the file, recomputed value).
        columns: Vec<(String, String, String)>,
    },
    /// A drawn household is missing from sample.csv.
    RowDeleted {
        /// Household id.
        household_id: String,
    },
    /// sample.csv holds a household that was not drawn.
    RowAdded {
        /// Household id.
        household_id: String,
    },
    /// Rows differ in a way not attributable to single rows (order, header, duplicates).
    SampleLayout(String),
    /// More row differences than listed.
    MoreRows(usize),
    /// A field of manifest.json differs from its recomputation.
    ManifestField {
        /// JSON path of the field.
        field: String,
        /// Value in the file.
        file: String,
        /// Recomputed value.
        recomputed: String,
    },
    /// sample_villages.csv differs from its recomputation.
    VillageList,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Unreadable { file, reason } => write!(f, "{file}: cannot be read: {reason}"),
            Difference::SeedCommitment { stage, manifest, given } => write!(
                f,
                "the {stage} seed given does not match its commitment: SHA-256 of the seed is {given}, the manifest commits to {manifest}"
            ),
            Difference::Input { what, manifest, given } => write!(
                f,
                "another {what}: the {what} given hashes to {given}, the draw was made from {manifest} (or the manifest was edited)"
            ),
            Difference::Counties { manifest, given } => write!(
                f,
                "other counties: the draw was made for {manifest}, these inputs give {given}; give the same counties"
            ),
            Difference::DisplayColumns { manifest, given } => {
                let none = "none (no display columns)";
                write!(
                    f,
                    "another register's display columns: the register given has the same households, but its display columns (head_name, group, address, phone) hash to {}, the draw was made with {} (or the manifest was edited); sample.csv carries them, so verify with the register the draw was made from",
                    given.as_deref().unwrap_or(none),
                    manifest.as_deref().unwrap_or(none)
                )
            }
            Difference::RowEdited { household_id, columns } => {
                let cols: Vec<String> = columns.iter().map(|(c, a, b)| format!("{c}: file {a:?}, recomputed {b:?}")).collect();
                write!(f, "sample.csv: row of household {household_id} was edited ({})", cols.join("; "))
            }
            Difference::RowDeleted { household_id } => write!(f, "sample.csv: drawn household {household_id} was deleted"),
            Difference::RowAdded { household_id } => write!(f, "sample.csv: household {household_id} was added but was not drawn"),
            Difference::SampleLayout(what) => write!(f, "sample.csv: {what}"),
            Difference::MoreRows(n) => write!(f, "sample.csv: ... and {n} more row differences"),
            Difference::ManifestField { field, file, recomputed } => {
                write!(f, "manifest.json was edited: {field} is {file}, recomputed {recomputed}")
            }
            Difference::VillageList => write!(f, "sample_villages.csv differs from the recomputed village list"),
        }
    }
}

/// Recomputes the draw in `dir` from its inputs and seeds. An empty list means identical.
/// Errors are for inputs that cannot be read at all (a refused register, a broken plan).
pub fn verify(dir: &Path, inputs: &Inputs, seeds: &Seeds) -> Result<Vec<Difference>, DrawError> {
    let mut diffs = Vec::new();
    let manifest = match read_manifest(dir) {
        Ok(m) => m,
        Err(d) => return Ok(vec![d]),
    };
    let publish = Seeds {
        publish: manifest.seeds.is_some(),
        ..seeds.clone()
    };
    let draw = compute_extended(inputs, &publish, manifest.extension.as_ref(), &|_| {})?;
    let inputs_agree = compare_inputs(&manifest, &draw.manifest, &mut diffs);
    let sample = match std::fs::read(dir.join("sample.csv")) {
        Ok(bytes) => bytes,
        Err(e) => {
            diffs.push(Difference::Unreadable {
                file: "sample.csv".into(),
                reason: e.to_string(),
            });
            return Ok(diffs);
        }
    };
    if !inputs_agree {
        // With other inputs every row may differ; the input difference is the finding.
        return Ok(diffs);
    }
    compare_rows(&sample, &draw.sample_csv, &mut diffs);
    if std::fs::read(dir.join("sample_villages.csv"))
        .ok()
        .as_deref()
        != Some(&draw.villages_csv[..])
    {
        diffs.push(Difference::VillageList);
    }
    compare_manifest(&manifest, &draw, &mut diffs);
    Ok(diffs)
}

fn read_manifest(dir: &Path) -> Result<Manifest, Difference> {
    let unreadable = |reason: String| Difference::Unreadable {
        file: "manifest.json".into(),
        reason,
    };
    let text = std::fs::read_to_string(dir.join("manifest.json"))
        .map_err(|e| unreadable(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| unreadable(format!("not a draw manifest ({e})")))
}

/// The counties of a draw as the difference shows them.
fn counties_text(given: &Option<Vec<String>>) -> String {
    match given {
        Some(list) => format!("counties {}", list.join(", ")),
        None => "the plan's counties".to_string(),
    }
}

fn compare_inputs(file: &Manifest, recomputed: &Manifest, diffs: &mut Vec<Difference>) -> bool {
    let before = diffs.len();
    let seeds = [
        (
            "village",
            &file.seed_commitments.village,
            &recomputed.seed_commitments.village,
        ),
        (
            "household",
            &file.seed_commitments.household,
            &recomputed.seed_commitments.household,
        ),
    ];
    for (stage, manifest, given) in seeds {
        if manifest != given {
            diffs.push(Difference::SeedCommitment {
                stage,
                manifest: manifest.clone(),
                given: given.clone(),
            });
        }
    }
    let none = || "none".to_string();
    let inputs = [
        (
            "plan",
            file.plan_sha256.clone(),
            recomputed.plan_sha256.clone(),
        ),
        (
            "register",
            file.frame_fingerprint.clone(),
            recomputed.frame_fingerprint.clone(),
        ),
        (
            "village file",
            file.villages_sha256.clone().unwrap_or_else(none),
            recomputed.villages_sha256.clone().unwrap_or_else(none),
        ),
    ];
    if file.counties_given != recomputed.counties_given {
        diffs.push(Difference::Counties {
            manifest: counties_text(&file.counties_given),
            given: counties_text(&recomputed.counties_given),
        });
    }
    for (what, manifest, given) in inputs {
        if manifest != given {
            diffs.push(Difference::Input {
                what,
                manifest,
                given,
            });
        }
    }
    // Only for the same register: another register is the finding then.
    let same_register = file.frame_fingerprint == recomputed.frame_fingerprint;
    if same_register && file.frame_display_fingerprint != recomputed.frame_display_fingerprint {
        diffs.push(Difference::DisplayColumns {
            manifest: file.frame_display_fingerprint.clone(),
            given: recomputed.frame_display_fingerprint.clone(),
        });
    }
    diffs.len() == before
}

type Rows = BTreeMap<String, Vec<(String, String)>>;

fn parse_rows(bytes: &[u8]) -> Result<(Vec<String>, Rows, usize), String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(String::from)
        .collect();
    let mut rows = Rows::new();
    let mut count = 0;
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        count += 1;
        let fields: Vec<(String, String)> = header
            .iter()
            .cloned()
            .zip(
                record
                    .iter()
                    .map(String::from)
                    .chain(std::iter::repeat(String::new())),
            )
            .collect();
        let id = record.get(0).unwrap_or_default().to_string();
        rows.insert(id, fields);
    }
    Ok((header, rows, count))
}

fn compare_rows(file: &[u8], recomputed: &[u8], diffs: &mut Vec<Difference>) {
    if file == recomputed {
        return;
    }
    let (Ok((fh, frows, fcount)), Ok((rh, rrows, _))) = (parse_rows(file), parse_rows(recomputed))
    else {
        diffs.push(Difference::SampleLayout("is not valid CSV any more".into()));
        return;
    };
    if fh != rh {
        diffs.push(Difference::SampleLayout(format!(
            "header is {fh:?}, expected {rh:?}"
        )));
        return;
    }
    let mut found = Vec::new();
    for (id, fields) in &rrows {
        match frows.get(id) {
            None => found.push(Difference::RowDeleted {
                household_id: id.clone(),
            }),
            Some(have) if have != fields => {
                let columns = fields
                    .iter()
                    .zip(have)
                    .filter(|(want, got)| want.1 != got.1)
                    .map(|(want, got)| (want.0.clone(), got.1.clone(), want.1.clone()))
                    .collect();
                found.push(Difference::RowEdited {
                    household_id: id.clone(),
                    columns,
                });
            }
            Some(_) => {}
        }
    }
    for id in frows.keys().filter(|id| !rrows.contains_key(*id)) {
        found.push(Difference::RowAdded {
            household_id: id.clone(),
        });
    }
    if found.is_empty() {
        let what = if fcount != frows.len() {
            "holds a household twice"
        } else {
            "rows are reordered or reformatted"
        };
        found.push(Difference::SampleLayout(what.into()));
    }
    let extra = found.len().saturating_sub(MAX_LISTED);
    diffs.extend(found.into_iter().take(MAX_LISTED));
    if extra > 0 {
        diffs.push(Difference::MoreRows(extra));
    }
}

fn compare_manifest(file: &Manifest, draw: &Draw, diffs: &mut Vec<Difference>) {
    let mut recomputed = draw.manifest.clone();
    // The tool version is informative: a newer tool must reproduce an older draw exactly.
    recomputed.tool_version = file.tool_version.clone();
    let a = serde_json::to_value(file).expect("manifest serialises");
    let b = serde_json::to_value(&recomputed).expect("manifest serialises");
    json_diff("", &a, &b, diffs);
}

fn json_diff(
    path: &str,
    a: &serde_json::Value,
    b: &serde_json::Value,
    diffs: &mut Vec<Difference>,
) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let null = Value::Null;
                json_diff(
                    &join(path, k),
                    x.get(k).unwrap_or(&null),
                    y.get(k).unwrap_or(&null),
                    diffs,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                json_diff(&format!("{path}[{i}]"), p, q, diffs);
            }
        }
        _ if a != b => diffs.push(Difference::ManifestField {
            field: path.to_string(),
            file: a.to_string(),
            recomputed: b.to_string(),
        }),
        _ => {}
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}
