//! The overview of a batch of counties: `summary.json` (one row per county: decision, the four
//! indicators, response and progress) and `overview.html` (a map of the counties coloured by
//! decision, and the same rows as a table), for a coordinator who follows many counties.
//!
//! A county without a verdict (no records yet, too few to estimate) has a row too, with how
//! far its field work has come and why it is not decided: the overview is of the whole batch,
//! not only of the counties that could be decided.

use crate::html::{escape, page_start, table};
use crate::map::{counties_svg, MapArea};
use crate::tables::{Cell, Table};
use crate::text::{pct, Lang};
use assess_verdict::{Decision, Reading, VerdictFile};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The four indicators in the order every report shows them.
const INDICATORS: [&str; 4] = [
    "poverty_incidence",
    "wrong_exit_rate",
    "missed_rate",
    "approval_rate",
];

/// `summary.json` of a batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overview {
    /// The format of this file.
    pub schema: &'static str,
    /// Counties by status.
    pub totals: Totals,
    /// One row per county of the batch, in the batch's order.
    pub counties: Vec<CountyOverview>,
}

/// How many counties of the batch have each status.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Totals {
    /// Exit approved.
    pub approve: usize,
    /// Exit deferred.
    pub defer: usize,
    /// A verdict that cannot decide (an indicator not estimable).
    pub undecided: usize,
    /// No verdict could be computed yet.
    pub not_decided: usize,
}

/// Where a county of the batch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Exit approved.
    Approve,
    /// Exit deferred.
    Defer,
    /// A verdict that cannot decide.
    Undecided,
    /// No verdict could be computed (field work not started or unfinished, too few records).
    NotDecided,
}

impl From<Decision> for Status {
    fn from(d: Decision) -> Status {
        match d {
            Decision::Approve => Status::Approve,
            Decision::Defer => Status::Defer,
            Decision::Undecided => Status::Undecided,
        }
    }
}

impl Status {
    /// Fill colour on the map (the report's pass and fail colours; grey for undecided, pale
    /// for not decided).
    fn colour(self) -> &'static str {
        match self {
            Status::Approve => "#1e7b34",
            Status::Defer => "#b3261e",
            Status::Undecided => "#8c8c8c",
            Status::NotDecided => "#e6e2d8",
        }
    }

    fn class(self) -> &'static str {
        match self {
            Status::Approve => "approve",
            Status::Defer => "defer",
            Status::Undecided => "undecided",
            Status::NotDecided => "not-decided",
        }
    }

    fn words(self, lang: Lang) -> &'static str {
        let w = lang.words();
        match self {
            Status::Approve => w.approve,
            Status::Defer => w.defer,
            // Shorter than the report's sentence, and told apart from "no verdict yet".
            Status::Undecided => Words::of(lang).undecided,
            Status::NotDecided => Words::of(lang).not_decided,
        }
    }

    const ALL: [Status; 4] = [
        Status::Approve,
        Status::Defer,
        Status::Undecided,
        Status::NotDecided,
    ];
}

/// One indicator of a county, as the overview shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorOverview {
    /// The value the decision uses.
    pub estimate: f64,
    /// Lower end of the two-sided interval.
    pub lci: f64,
    /// Upper end.
    pub uci: f64,
    /// The threshold.
    pub threshold: f64,
    /// Whether the official rule passes.
    pub passes: bool,
    /// The statistical reading against the threshold.
    pub reading: Reading,
}

/// One county's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountyOverview {
    /// County code.
    pub county_code: String,
    /// County name (empty when not known).
    pub county_name: String,
    /// Where the county stands.
    pub status: Status,
    /// The indicators by name (empty when not decided; without those not estimable).
    pub indicators: BTreeMap<String, IndicatorOverview>,
    /// Primaries of the county's sample.
    pub primaries: usize,
    /// Primaries with a visit record (the reserves visited in their place are not counted, so
    /// that it reads against `primaries`).
    pub visited: usize,
    /// Households interviewed (with a judged record), when decided.
    pub interviewed: Option<usize>,
    /// Response rate: interviewed / (visited − ineligible), when decided.
    pub response_rate: Option<f64>,
    /// Why the county is not decided, or which indicators cannot be estimated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl CountyOverview {
    /// The row of a county with a verdict.
    pub fn of_verdict(file: &VerdictFile) -> CountyOverview {
        let v = &file.verdict;
        let indicators = v
            .indicators
            .iter()
            .map(|(name, i)| {
                let row = IndicatorOverview {
                    estimate: i.estimate,
                    lci: i.lci,
                    uci: i.uci,
                    threshold: i.threshold,
                    passes: i.passes,
                    reading: i.reading,
                };
                (name.clone(), row)
            })
            .collect();
        let reason = (!v.not_estimable.is_empty()).then(|| {
            v.not_estimable
                .iter()
                .map(|n| format!("{}: {}", n.indicator, n.reason))
                .collect::<Vec<_>>()
                .join("; ")
        });
        CountyOverview {
            county_code: v.county_code.clone(),
            county_name: v.county_name.clone(),
            status: v.decision.into(),
            indicators,
            primaries: v.counts.primaries,
            visited: v.counts.visited.saturating_sub(v.counts.reserves_used),
            interviewed: Some(v.counts.interviewed),
            response_rate: Some(v.counts.response_rate),
            reason,
        }
    }

    /// The row of a county without a verdict: its primaries, how many have a visit record,
    /// and why no verdict could be computed.
    pub fn not_decided(
        county_code: &str,
        county_name: &str,
        primaries: usize,
        visited: usize,
        reason: String,
    ) -> CountyOverview {
        CountyOverview {
            county_code: county_code.to_string(),
            county_name: county_name.to_string(),
            status: Status::NotDecided,
            indicators: BTreeMap::new(),
            primaries,
            visited,
            interviewed: None,
            response_rate: None,
            reason: Some(reason),
        }
    }
}

impl Overview {
    /// The overview of these rows.
    pub fn new(counties: Vec<CountyOverview>) -> Overview {
        let mut totals = Totals::default();
        for c in &counties {
            *match c.status {
                Status::Approve => &mut totals.approve,
                Status::Defer => &mut totals.defer,
                Status::Undecided => &mut totals.undecided,
                Status::NotDecided => &mut totals.not_decided,
            } += 1;
        }
        Overview {
            schema: "assess-summary-1",
            totals,
            counties,
        }
    }
}

/// The overview's own words (the rest come from the reports' word list).
struct Words {
    title: &'static str,
    undecided: &'static str,
    not_decided: &'static str,
    counties: &'static str,
    county: &'static str,
    status: &'static str,
    progress: &'static str,
    response: &'static str,
    why: &'static str,
    not_drawn: &'static str,
    map: &'static str,
    report: &'static str,
    note: &'static str,
}

impl Words {
    fn of(lang: Lang) -> &'static Words {
        match lang {
            Lang::En => &Words {
                title: "Exit assessment: overview of the counties",
                undecided: "Undecided (a rate not estimable)",
                not_decided: "No verdict yet",
                counties: "Counties",
                county: "County",
                status: "Status",
                progress: "Visited / primaries",
                response: "Response",
                why: "Why not decided / not estimable",
                not_drawn: "counties without an embedded boundary are listed but not drawn",
                map: "Counties by decision",
                report: "report",
                note: "Each rate shows the value the decision uses and its interval; a county's \
                       report gives the reasons, the households and the villages.",
            },
            Lang::Zh => &Words {
                title: "退出评估：各县概况",
                undecided: "无法判定（某项指标无法估计）",
                not_decided: "尚未评定",
                counties: "各县",
                county: "县",
                status: "状态",
                progress: "已访问 / 主样本",
                response: "应答率",
                why: "未评定或无法估计的原因",
                not_drawn: "个县没有内置边界，只列于表中，不在地图上",
                map: "各县评估结论",
                report: "报告",
                note: "各项比率为决定所用的估计值及其区间；各县报告列出理由、农户与村。",
            },
        }
    }
}

/// `overview.html`: the counties on one map coloured by status, a legend with the totals,
/// and one table row per county linking to its report (`COUNTY/report.html`).
/// `boundaries_gcj02` holds the embedded county boundaries (GCJ-02) by county code.
pub fn overview_html(
    overview: &Overview,
    boundaries_gcj02: &BTreeMap<String, &geo::MultiPolygon<f64>>,
    lang: Lang,
) -> String {
    let o = Words::of(lang);
    let mut out = page_start(lang, o.title, o.title);
    legend(&mut out, overview, lang);
    let drawn: Vec<_> = overview
        .counties
        .iter()
        .filter_map(|c| boundaries_gcj02.get(&c.county_code).map(|b| (c, *b)))
        .collect();
    if let Some(svg) = map_svg(&drawn, lang) {
        let _ = writeln!(out, r#"<figure class="map">{svg}</figure>"#);
    }
    let missing = overview.counties.len() - drawn.len();
    if missing > 0 {
        let _ = writeln!(
            out,
            r#"<p class="note">{missing} {}</p>"#,
            escape(o.not_drawn)
        );
    }
    let _ = writeln!(out, r#"<h2 id="counties">{}</h2>"#, escape(o.counties));
    let _ = writeln!(out, r#"<p class="note">{}</p>"#, escape(o.note));
    county_table(&mut out, overview, lang);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn legend(out: &mut String, overview: &Overview, lang: Lang) {
    let t = &overview.totals;
    out.push_str(r#"<div class="legend">"#);
    for status in Status::ALL {
        let n = match status {
            Status::Approve => t.approve,
            Status::Defer => t.defer,
            Status::Undecided => t.undecided,
            Status::NotDecided => t.not_decided,
        };
        let _ = write!(
            out,
            r#"<span class="{cls}"><span class="box" style="background:{fill}"></span>{} {n}</span>"#,
            escape(status.words(lang)),
            cls = status.class(),
            fill = status.colour(),
        );
    }
    out.push_str("</div>\n");
}

/// The counties' boundaries in one equirectangular projection, filled by status.
fn map_svg(drawn: &[(&CountyOverview, &geo::MultiPolygon<f64>)], lang: Lang) -> Option<String> {
    let areas: Vec<MapArea> = drawn
        .iter()
        .map(|(county, shape)| {
            let name = if county.county_name.is_empty() {
                county.county_code.clone()
            } else {
                format!("{} {}", county.county_name, county.county_code)
            };
            let cls = county.status.class();
            MapArea {
                shape,
                fill: county.status.colour().to_string(),
                class: cls.to_string(),
                data: vec![
                    ("county", county.county_code.clone()),
                    ("status", cls.to_string()),
                ],
                title: format!("{name}: {}", county.status.words(lang)),
            }
        })
        .collect();
    counties_svg(&areas, Words::of(lang).map, lang)
}

fn county_table(out: &mut String, overview: &Overview, lang: Lang) {
    let w = lang.words();
    let o = Words::of(lang);
    let mut headers = vec![o.county.to_string(), o.status.to_string()];
    headers.extend(INDICATORS.iter().map(|name| w.indicator_name(name)));
    headers.extend([
        o.progress.to_string(),
        o.response.to_string(),
        o.why.to_string(),
    ]);
    let rows = overview
        .counties
        .iter()
        .map(|c| {
            let mut row = vec![
                Cell::Code(if c.county_name.is_empty() {
                    c.county_code.clone()
                } else {
                    format!("{} {}", c.county_code, c.county_name)
                }),
                match c.status {
                    Status::Approve => Cell::Pass(true, c.status.words(lang).to_string()),
                    Status::Defer => Cell::Pass(false, c.status.words(lang).to_string()),
                    _ => Cell::Text(c.status.words(lang).to_string()),
                },
            ];
            row.extend(INDICATORS.iter().map(|name| match c.indicators.get(*name) {
                Some(i) => Cell::Pass(
                    i.passes,
                    format!(
                        "{} ({}–{}) {}",
                        pct(i.estimate),
                        pct(i.lci),
                        pct(i.uci),
                        w.reading(i.reading)
                    ),
                ),
                None => Cell::Empty,
            }));
            row.extend([
                Cell::Text(format!("{} / {}", c.visited, c.primaries)),
                c.response_rate.map_or(Cell::Empty, Cell::Pct),
                Cell::Text(c.reason.clone().unwrap_or_default()),
            ]);
            row
        })
        .collect();
    let t = Table {
        title: o.counties.to_string(),
        headers,
        rows,
    };
    table(out, &t, "overview");
    // Each county's own report, beside the overview.
    out.push_str(r#"<p class="note">"#);
    for c in &overview.counties {
        if c.status != Status::NotDecided {
            let _ = write!(
                out,
                r#"<a href="{code}/report.html">{code} {}</a> "#,
                escape(o.report),
                code = escape(&c.county_code)
            );
        }
    }
    out.push_str("</p>\n");
}
