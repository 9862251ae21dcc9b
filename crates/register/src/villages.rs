//! The optional village file: which village-level units are poverty villages or remote,
//! and where their centres are.

use crate::canonical::{Canonical, PlainDecimal, VILLAGES_TAG};
use crate::error::{ErrorList, Problem, RegisterError};
use crate::frame::ReadOptions;
use crate::source::{Columns, FileFormat, Input, Layout, Row, Source, TextEncoding};
use crate::values;
use crate::vintage::{self, CodeUses};
use assess_divisions::{VillageCode, Vintage};
use assess_household::{VillageRecord, VILLAGE_COLUMNS};
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

/// A valid village file.
#[derive(Debug, Clone, PartialEq)]
pub struct VillageFile {
    /// The file read.
    pub path: PathBuf,
    /// CSV or XLSX.
    pub format: FileFormat,
    /// The text encoding of a CSV file.
    pub encoding: Option<TextEncoding>,
    /// The villages in file order.
    pub villages: Vec<VillageRecord>,
    /// Lowercase hex SHA-256 of the canonical form (docs/register.md).
    pub sha256: String,
    /// The division-code list the codes were checked against.
    pub vintage: Vintage,
    /// True when the vintage was detected rather than chosen.
    pub vintage_detected: bool,
}

/// Reads and validates a village file; refused as a whole when any row is wrong.
pub fn read_villages(path: &Path, opts: &ReadOptions) -> Result<VillageFile, RegisterError> {
    read(Input::file(path), opts)
}

/// [`read_villages`] on a village file already in memory, named `name` in messages.
pub fn read_villages_in_memory(
    name: &Path,
    bytes: Vec<u8>,
    opts: &ReadOptions,
) -> Result<VillageFile, RegisterError> {
    read(Input::memory(name, bytes.into()), opts)
}

fn read(input: Input, opts: &ReadOptions) -> Result<VillageFile, RegisterError> {
    let path = input.path.clone();
    let path = path.as_path();
    let source = Source::open(input, opts.encoding)?;
    let mut errors = ErrorList::new(path, source.sheet.clone(), opts.max_errors);
    let mut reading = Reading::default();
    source.for_each_row(|row| reading.row(row, &mut errors))?;
    if reading.layout.is_none() && !reading.header_failed {
        errors.push(
            1,
            None,
            Problem::Empty {
                required: vec!["village_code".into()],
            },
        );
    }
    let resolved = vintage::resolve(&mut reading.codes, opts.vintage);
    for (code, usage) in &resolved.unknown {
        let problem = Problem::UnknownCode {
            code: code.clone(),
            vintage: resolved.vintage,
            rows: usage.rows,
        };
        errors.push(usage.first_line, Some("village_code"), problem);
    }
    errors.into_result()?;
    let mut canonical = Canonical::new(VILLAGES_TAG);
    reading.villages.iter().for_each(|v| canonical.village(v));
    Ok(VillageFile {
        path: path.to_path_buf(),
        format: source.format,
        encoding: source.encoding,
        villages: reading.villages,
        sha256: canonical.finish(),
        vintage: resolved.vintage,
        vintage_detected: resolved.detected,
    })
}

#[derive(Default)]
struct Reading {
    layout: Option<Layout>,
    header_failed: bool,
    villages: Vec<VillageRecord>,
    first_lines: HashMap<String, u64>,
    codes: CodeUses,
}

impl Reading {
    fn row(&mut self, row: &Row, errors: &mut ErrorList) -> ControlFlow<()> {
        let Some(layout) = self.layout.take() else {
            return self.header(row, errors);
        };
        if !row.is_blank() {
            if let Some(village) = self.village(row, &layout, errors) {
                self.villages.push(village);
            }
        }
        self.layout = Some(layout);
        ControlFlow::Continue(())
    }

    fn header(&mut self, row: &Row, errors: &mut ErrorList) -> ControlFlow<()> {
        let columns = Columns {
            known: &VILLAGE_COLUMNS,
            aliases: &[],
            required: &VILLAGE_COLUMNS[..1],
        };
        match Layout::from_header(row, &columns) {
            Ok(layout) => {
                self.layout = Some(layout);
                ControlFlow::Continue(())
            }
            Err(problems) => {
                self.header_failed = true;
                for (column, problem) in problems {
                    errors.push(row.line, column.as_deref(), problem);
                }
                ControlFlow::Break(())
            }
        }
    }

    fn village(
        &mut self,
        row: &Row,
        layout: &Layout,
        errors: &mut ErrorList,
    ) -> Option<VillageRecord> {
        let before = errors.total();
        let line = row.line;
        let expected = layout.names.len();
        if (row.is_sparse() && row.len() > expected) || (!row.is_sparse() && row.len() != expected)
        {
            errors.push(
                line,
                None,
                Problem::FieldCount {
                    found: row.len(),
                    expected,
                },
            );
            return None;
        }
        if let Some((index, code, at)) = row.control_character() {
            errors.push(
                line,
                Some(&layout.name(index)),
                Problem::ControlCharacter { code, at },
            );
            return None;
        }
        for &index in row.undecodable() {
            let problem = Problem::Undecodable {
                encoding: row.encoding_name(),
                help: "save the file as UTF-8, or read it as UTF-8 or GB18030",
            };
            errors.push(line, Some(&layout.name(index)), problem);
        }
        let text = |k: usize| {
            layout
                .get(k)
                .filter(|i| !row.undecodable().contains(i))
                .map(|i| row.field(i))
        };
        let mut check =
            |k: usize, problem: Problem| errors.push(line, Some(VILLAGE_COLUMNS[k]), problem);
        let village = match text(0).unwrap_or_default() {
            "" if text(0).is_none() => None,
            "" => {
                let help = "give the 12-digit code of the village";
                check(
                    0,
                    Problem::Required {
                        column: "village_code",
                        help,
                    },
                );
                None
            }
            code => match VillageCode::parse(code) {
                Ok(v) => Some(v),
                Err(reason) => {
                    check(
                        0,
                        Problem::MalformedCode {
                            text: code.to_string(),
                            reason,
                        },
                    );
                    None
                }
            },
        };
        let name = text(1)
            .filter(|n| !n.is_empty())
            .map(|n| values::nfc(n).into_owned());
        let mut opt = |k: usize, parsed: Option<Result<Option<_>, Problem>>| match parsed {
            Some(Ok(v)) => v,
            Some(Err(p)) => {
                check(k, p);
                None
            }
            None => None,
        };
        let poverty_village = opt(2, text(2).map(values::flag));
        let remote = opt(3, text(3).map(values::flag));
        let lon = match text(4).map(|t| values::degrees(t, 180.0, PlainDecimal::short(t).as_ref()))
        {
            Some(Err(p)) => {
                check(4, p);
                None
            }
            other => other.and_then(Result::ok).flatten(),
        };
        let lat = match text(5).map(|t| values::degrees(t, 90.0, PlainDecimal::short(t).as_ref())) {
            Some(Err(p)) => {
                check(5, p);
                None
            }
            other => other.and_then(Result::ok).flatten(),
        };
        let village = village?;
        self.codes.add(village.as_str(), line);
        if let Some(&first_line) = self.first_lines.get(village.as_str()) {
            let problem = Problem::DuplicateVillage {
                code: village.to_string(),
                first_line,
            };
            errors.push(line, Some("village_code"), problem);
            return None;
        }
        self.first_lines.insert(village.to_string(), line);
        (errors.total() == before).then_some(VillageRecord {
            village,
            name,
            poverty_village,
            remote,
            lon,
            lat,
        })
    }
}
