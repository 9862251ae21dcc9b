//! What a register scan reports: where the file came from, its fingerprint and vintage,
//! and households and people by county, township and stratum.

use crate::source::{FileFormat, TextEncoding};
use assess_divisions::Vintage;
use assess_household::Status;
use std::fmt::Write as _;
use std::path::PathBuf;

/// The result of checking a register: identity and summary. Serialises to the JSON of
/// `assess frame check --json`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FrameReport {
    /// The file read.
    pub path: PathBuf,
    /// CSV or XLSX.
    pub format: FileFormat,
    /// The text encoding of a CSV file (`None` for XLSX).
    pub encoding: Option<TextEncoding>,
    /// True when the encoding was detected rather than forced.
    pub encoding_detected: bool,
    /// Lowercase hex SHA-256 of the canonical form (docs/register.md): the register's
    /// identity, which the display columns do not enter.
    pub fingerprint: String,
    /// The display columns the header names, in canonical order (none: not serialised).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub display_columns: Vec<assess_household::DisplayColumn>,
    /// Lowercase hex SHA-256 of the display columns' canonical form, when the register has
    /// any (docs/register.md, "Display columns").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_fingerprint: Option<String>,
    /// The division-code list the village codes were checked against.
    pub vintage: Vintage,
    /// True when the vintage was detected rather than chosen.
    pub vintage_detected: bool,
    /// Valid households.
    pub households: u64,
    /// Sum of members.
    pub people: u64,
    /// By county, sorted by code.
    pub counties: Vec<CountySummary>,
    /// By township, sorted by code.
    pub townships: Vec<TownshipSummary>,
    /// By register status, in the order exited, poor, non_registered (all three listed).
    pub strata: Vec<StratumSummary>,
}

/// Households and people of one county.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CountySummary {
    /// 6-digit code.
    pub code: String,
    /// Name in the vintage's list.
    pub name: Option<String>,
    /// Households.
    pub households: u64,
    /// People.
    pub people: u64,
    /// Households in village committees and units like them (rural; codes x200-x399, x600-x799).
    pub rural_households: u64,
    /// Households in residents' committees and units like them (urban; x001-x199, x400-x599).
    pub urban_households: u64,
    /// Households whose unit number is outside the code rules (000, 800-999).
    pub unassigned_households: u64,
}

/// Households and people of one township.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TownshipSummary {
    /// 9-digit code.
    pub code: String,
    /// Name in the vintage's list.
    pub name: Option<String>,
    /// Households.
    pub households: u64,
    /// People.
    pub people: u64,
}

/// Households and people of one register status.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StratumSummary {
    /// The status.
    pub status: Status,
    /// Households.
    pub households: u64,
    /// People.
    pub people: u64,
}

impl FrameReport {
    /// Readable tables (county, township, stratum) and the file's identity.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = self.write_text(&mut out);
        out
    }

    fn write_text(&self, out: &mut String) -> std::fmt::Result {
        let how = |detected: bool| if detected { "detected" } else { "chosen" };
        writeln!(out, "register     {}", self.path.display())?;
        let encoding = self.encoding.map_or("-", TextEncoding::as_str);
        writeln!(
            out,
            "format       {} (encoding {encoding}, {})",
            self.format.as_str(),
            how(self.encoding_detected)
        )?;
        writeln!(
            out,
            "vintage      {} ({})",
            self.vintage,
            how(self.vintage_detected)
        )?;
        writeln!(out, "fingerprint  {}", self.fingerprint)?;
        if let Some(display) = &self.display_fingerprint {
            let names: Vec<&str> = self.display_columns.iter().map(|c| c.as_str()).collect();
            writeln!(out, "display      {display} ({})", names.join(", "))?;
        }
        writeln!(out, "households   {}", self.households)?;
        writeln!(out, "people       {}", self.people)?;
        writeln!(out)?;
        // Names go last: CJK characters are two columns wide and would break the alignment.
        writeln!(
            out,
            "{:<8} {:>10} {:>10} {:>10} {:>10}  name",
            "county", "households", "people", "rural", "urban"
        )?;
        for c in &self.counties {
            let name = c.name.as_deref().unwrap_or("?");
            writeln!(
                out,
                "{:<8} {:>10} {:>10} {:>10} {:>10}  {name}",
                c.code, c.households, c.people, c.rural_households, c.urban_households
            )?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "{:<10} {:>10} {:>10}  name",
            "township", "households", "people"
        )?;
        for t in &self.townships {
            let name = t.name.as_deref().unwrap_or("?");
            writeln!(
                out,
                "{:<10} {:>10} {:>10}  {name}",
                t.code, t.households, t.people
            )?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "{:<15} {:>10} {:>10}",
            "stratum", "households", "people"
        )?;
        for s in &self.strata {
            writeln!(
                out,
                "{:<15} {:>10} {:>10}",
                s.status.as_str(),
                s.households,
                s.people
            )?;
        }
        Ok(())
    }
}
