//! Reports people read, made from a county's [`VerdictFile`] (the JSON is the report for
//! machines): `verdict.md` (Markdown), `report.html` (one self-contained page: inline CSS and
//! SVG, each indicator's interval drawn against its threshold, a map of the sampled villages
//! coloured by findings inside the county boundary) and `verdict.xlsx` (tables for officials),
//! in English or Chinese ([`Lang`]).
//!
//! ```
//! use assess_report::{render, Lang, Report};
//! # fn example(file: &assess_verdict::VerdictFile) -> Result<(), assess_report::ReportError> {
//! let names = Default::default();
//! let report = Report { file, villages: &[], boundary_gcj02: None, names: &names };
//! let out = render(&report, Lang::Zh)?;
//! assert!(out.html.starts_with("<!DOCTYPE html>"));
//! # Ok(()) }
//! ```
//!
//! Layout: `text` (every label in both languages, sentences from structured fields),
//! `tables` (the tables all three formats show), `markdown`, `html`, `chart` (interval charts,
//! plotters' SVG backend), `map` (the village map), `xlsx` (the workbook). What each report
//! shows: `docs/reports.md`.
//!
//! For: turning a verdict that is already computed into text, a page and a workbook.
//! Not for: computing anything the decision rests on (`assess-verdict` does), reading the
//! store or files, or writing them: every renderer returns a `String` or bytes and the caller
//! writes them. Deterministic: the same verdict and villages give the same bytes (no clock).
#![deny(missing_docs)]

mod chart;
mod html;
mod identification;
mod map;
mod markdown;
mod overview;
mod tables;
mod text;
mod xlsx;

use assess_verdict::VerdictFile;
pub use map::{counties_svg, MapArea};
pub use overview::{overview_html, CountyOverview, IndicatorOverview, Overview, Status, Totals};
pub use text::Lang;

/// The pieces of a self-contained HTML page that other pages (the census summary) share with
/// the reports: the head with the reports' one style sheet, and escaping.
pub mod page {
    use super::Lang;

    /// The start of a page: `<!DOCTYPE html>`, the head with the style sheet, `<main>` and
    /// the heading. Close it with [`END`].
    pub fn start(lang: Lang, title: &str, heading: &str) -> String {
        crate::html::page_start(lang, title, heading)
    }

    /// The end of a page started with [`start`].
    pub const END: &str = "</main>\n</body>\n</html>\n";

    /// Text escaped for HTML content and attribute values.
    pub fn escape(s: &str) -> String {
        crate::html::escape(s)
    }
}

/// The words a front end prints for a verdict, in the reports' language: the decision, an
/// indicator's name, pass or fail, and the statistical reading (never an enum's name).
pub mod words {
    use super::Lang;
    use assess_verdict::{Decision, Reading};

    /// The decision, e.g. "Approve the exit" / "同意退出".
    pub fn decision(lang: Lang, d: Decision) -> &'static str {
        crate::tables::decision(lang, d)
    }

    /// An indicator's name by its JSON name, e.g. "Wrong-exit rate".
    pub fn indicator(lang: Lang, name: &str) -> String {
        lang.words().indicator_name(name)
    }

    /// Pass or fail.
    pub fn pass_fail(lang: Lang, passes: bool) -> &'static str {
        lang.words().pass_fail(passes)
    }

    /// The statistical reading, e.g. "passes with confidence" / "有把握达标".
    pub fn reading(lang: Lang, r: Reading) -> &'static str {
        lang.words().reading(r)
    }
}

use std::collections::BTreeMap;

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Drawing a chart failed.
    #[error("drawing the {name} chart")]
    Chart {
        /// The chart.
        name: String,
        /// What the plotting library reported.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Writing the workbook failed.
    #[error("writing the workbook")]
    Workbook(#[from] rust_xlsxwriter::XlsxError),
}

/// One sampled village as the map and the village table show it.
#[derive(Debug, Clone, PartialEq)]
pub struct SampledVillage {
    /// Village code (12 digits).
    pub code: String,
    /// Township code (9 digits).
    pub township: String,
    /// Village stratum of the plan (e.g. `remote`).
    pub village_stratum: String,
    /// Village centre, WGS-84 (lon, lat) as imported with `--villages`; `None` when unknown
    /// (the village is listed but not drawn).
    pub centre: Option<(f64, f64)>,
    /// Households interviewed in the village.
    pub interviewed: usize,
}

/// What a report is made from.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// The verdict with its provenance.
    pub file: &'a VerdictFile,
    /// The sampled villages of the county.
    pub villages: &'a [SampledVillage],
    /// The county boundary in **GCJ-02** (the embedded DataV boundaries), when known.
    pub boundary_gcj02: Option<&'a geo::MultiPolygon<f64>>,
    /// Names of townships and villages by code (shown after the code), when known.
    pub names: &'a BTreeMap<String, String>,
}

impl Report<'_> {
    /// Households of a village found wrongly exited, and missed, from the verdict's list (the
    /// one source of the findings, so the map and the tables agree).
    pub fn findings(&self, village: &str) -> (usize, usize) {
        let of_village = || {
            self.file
                .verdict
                .failing_households
                .iter()
                .filter(move |h| h.village == village)
        };
        let missed = of_village()
            .filter(|h| h.stratum == "non_registered")
            .count();
        (of_village().count() - missed, missed)
    }
}

/// The three reports of one county.
#[derive(Debug, Clone)]
pub struct Reports {
    /// `verdict.md`.
    pub markdown: String,
    /// `report.html`: self-contained (no external resource).
    pub html: String,
    /// `verdict.xlsx`.
    pub xlsx: Vec<u8>,
}

/// All three reports.
pub fn render(report: &Report, lang: Lang) -> Result<Reports, ReportError> {
    Ok(Reports {
        markdown: markdown(report, lang),
        html: html(report, lang)?,
        xlsx: xlsx(report, lang)?,
    })
}

/// `verdict.md`: the decision, the indicator table, reasons and drivers, the rates by domain,
/// the failing households, the identification flags, response and replacement, before and
/// after the appeals, the villages, provenance and settings.
pub fn markdown(report: &Report, lang: Lang) -> String {
    markdown::render(report, lang)
}

/// `report.html`: the Markdown's content with the interval charts and the village map, as one
/// page with inline CSS and SVG (it loads nothing; it prints).
pub fn html(report: &Report, lang: Lang) -> Result<String, ReportError> {
    html::render(report, lang)
}

/// `verdict.xlsx`: sheets Summary, Indicators, Drivers, Households, Villages, Domains,
/// Response and Identification (the sheet names stay English for scripts; headers and text
/// follow `lang`), percentages as numbers with a percentage format.
pub fn xlsx(report: &Report, lang: Lang) -> Result<Vec<u8>, ReportError> {
    xlsx::render(report, lang)
}

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod tests;
