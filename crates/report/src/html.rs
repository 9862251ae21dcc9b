//! `report.html`: one self-contained page (inline CSS and SVG; no script, font, image or
//! style sheet is fetched), readable on screen and printable on A4.

use crate::map::{self, Findings};
use crate::tables::{self, Cell, Table};
use crate::text::{self, pct, Lang};
use crate::{chart, Report, ReportError};
use assess_verdict::Decision;
use std::fmt::Write;

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Inline `code` spans in a sentence (the notes mention commands).
fn inline(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in escape(s).split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

pub(crate) const CSS: &str = r#"
:root { --ink: #1d2327; --muted: #5f6b73; --line: #d9dee2; --pass: #1e7b34; --fail: #b3261e;
  --band: #f4f6f8; --accent: #1f4e79; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.5;
  font: 15px/1.55 -apple-system, "Segoe UI", "Helvetica Neue", Arial, "PingFang SC",
  "Hiragino Sans GB", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
p.sub, .note, figcaption, footer { color: var(--muted); }
.note { font-size: 13px; }
.decision { display: inline-block; margin: 14px 0 6px; padding: 8px 18px; border-radius: 6px;
  font-size: 20px; font-weight: 700; color: #fff; }
.decision.approve { background: var(--pass); }
.decision.defer { background: var(--fail); }
.decision.undecided { background: #d9d9d9; }
p.warning { margin: 10px 0; padding: 8px 12px; border-left: 5px solid var(--fail);
  background: #fdf0ef; font-weight: 600; }
nav { margin: 14px 0 0; font-size: 13px; }
nav a { color: var(--accent); margin-right: 14px; text-decoration: none; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; font-size: 13.5px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--band); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.pass { color: var(--pass); font-weight: 600; }
td.fail { color: var(--fail); font-weight: 700; }
td code, p code, li code { font: 12px ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  word-break: break-all; }
table.pairs td:first-child { width: 38%; color: var(--muted); }
.cards { display: grid; grid-template-columns: 1fr; gap: 12px; }
.card { border: 1px solid var(--line); border-left: 5px solid var(--pass); border-radius: 6px;
  padding: 10px 14px 4px; break-inside: avoid; }
.card.failing { border-left-color: var(--fail); }
.card header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 14px; }
.card header strong { font-size: 16px; }
.badge { font-size: 12px; font-weight: 700; padding: 1px 8px; border-radius: 10px; color: #fff; }
.badge.pass { background: var(--pass); }
.badge.fail { background: var(--fail); }
.card .values { color: var(--muted); font-size: 13px; }
figure { margin: 4px 0; }
figure svg { display: block; width: 100%; height: auto; }
figure.map svg { max-width: 720px; margin: 0 auto; border: 1px solid var(--line); border-radius: 6px; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; justify-content: center; font-size: 13px; margin-top: 8px; }
.legend span.dot { display: inline-block; width: 12px; height: 12px; border-radius: 50%;
  margin-right: 6px; vertical-align: -1px; }
.legend span.box { display: inline-block; width: 14px; height: 12px; margin-right: 6px;
  vertical-align: -1px; border: 1px solid #777; }
ul.reasons li.driver { list-style: circle; margin-left: 22px; color: var(--muted); }
footer { margin-top: 40px; font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; }
  tr, figure, .card { break-inside: avoid; }
  body { font-size: 12px; }
}
"#;

/// The start of a self-contained page: its head with the one style sheet, and its heading.
pub(crate) fn page_start(lang: Lang, title: &str, heading: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<h1>{heading}</h1>
"#,
        lang = lang.html(),
        title = escape(title),
        heading = escape(heading),
    )
}

pub(crate) fn table(out: &mut String, t: &Table, class: &str) {
    let _ = write!(out, r#"<table class="{class}"><thead><tr>"#);
    for h in &t.headers {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        out.push_str("<tr>");
        for c in row {
            match c {
                Cell::Code(s) => {
                    let _ = write!(out, "<td><code>{}</code></td>", escape(s));
                }
                Cell::Pass(ok, s) => {
                    let cls = if *ok { "pass" } else { "fail" };
                    let _ = write!(out, r#"<td class="{cls}">{}</td>"#, escape(s));
                }
                c if c.numeric() => {
                    let _ = write!(out, r#"<td class="num">{}</td>"#, escape(&c.text()));
                }
                c => {
                    let _ = write!(out, "<td>{}</td>", escape(&c.text()));
                }
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}

fn heading(out: &mut String, id: &str, title: &str) {
    let _ = writeln!(out, r#"<h2 id="{id}">{}</h2>"#, escape(title));
}

pub(crate) fn render(r: &Report, lang: Lang) -> Result<String, ReportError> {
    let w = lang.words();
    let f = r.file;
    let v = &f.verdict;
    let county = if v.county_name.is_empty() {
        v.county_code.clone()
    } else {
        format!("{} {}", v.county_name, v.county_code)
    };
    let mut out = page_start(lang, &format!("{} — {county}", w.title), w.title);
    let _ = writeln!(
        out,
        r#"<p class="sub">{}{}{}</p>"#,
        escape(w.county),
        w.colon,
        escape(&county)
    );
    let (cls, word) = match v.decision {
        Decision::Approve => ("approve", w.approve),
        Decision::Defer => ("defer", w.defer),
        Decision::Undecided => ("undecided", w.undecided),
    };
    let _ = writeln!(
        out,
        r#"<div class="decision {cls}">{}{}{}</div>
<p class="note">{}</p>"#,
        escape(w.decision),
        w.colon,
        escape(word),
        escape(w.decision_rule)
    );
    if let Some(warning) = text::pending_appeals(lang, &v.pending_appeals) {
        let _ = writeln!(out, r#"<p class="warning">{}</p>"#, escape(&warning));
    }
    let mut sections = vec![
        ("indicators", w.indicators),
        ("reasons", w.reasons),
        ("map", w.map),
        ("households", w.failing_households),
        ("identification", w.identification_flags),
        ("response", w.response),
    ];
    if f.before_appeals.is_some() {
        sections.push(("appeals", w.appeals));
    }
    sections.extend([
        ("villages", w.sampled_villages),
        ("provenance", w.provenance),
        ("settings", w.settings),
    ]);
    out.push_str("<nav>");
    for (id, title) in &sections {
        let _ = write!(out, r##"<a href="#{id}">{}</a>"##, escape(title));
    }
    out.push_str("</nav>\n");
    table(&mut out, &tables::summary(r, lang), "pairs");

    // Indicators: one card each, with its chart.
    heading(&mut out, "indicators", w.indicators);
    out.push_str(r#"<div class="cards">"#);
    for (name, i) in text::ordered(&v.indicators) {
        let svg = chart::interval(name, i, w.threshold)?;
        let _ = write!(
            out,
            r#"<section class="card{failing}" data-indicator="{name}"><header><strong>{label}</strong><span class="badge {cls}">{result}</span><span>{reading}</span></header>
<div class="values">{official} {o} · {design} {d} · {interval} {lci} – {uci} · {threshold} {cmp} {t}</div>
<figure class="interval" data-indicator="{name}">{svg}</figure></section>
"#,
            failing = if i.passes { "" } else { " failing" },
            label = escape(&w.indicator_name(name)),
            cls = if i.passes { "pass" } else { "fail" },
            result = escape(w.pass_fail(i.passes)),
            reading = escape(w.reading(i.reading)),
            official = escape(w.official),
            o = pct(i.official),
            design = escape(w.design),
            d = pct(i.design),
            interval = escape(w.interval),
            lci = pct(i.lci),
            uci = pct(i.uci),
            threshold = escape(w.threshold),
            cmp = if name == "approval_rate" {
                "≥"
            } else {
                "&lt;"
            },
            t = pct(i.threshold),
        );
    }
    let _ = writeln!(
        out,
        r#"</div><p class="note">{}</p>"#,
        escape(w.chart_legend)
    );
    table(&mut out, &tables::indicators(v, lang), "indicators");
    let _ = writeln!(out, "<h3>{}</h3>", escape(w.estimation_details));
    table(&mut out, &tables::indicator_details(v, lang), "details");

    heading(&mut out, "reasons", w.reasons);
    out.push_str(r#"<ul class="reasons">"#);
    for reason in text::reasons(lang, v, r.names) {
        match reason.strip_prefix("  ") {
            Some(sub) => {
                let _ = write!(out, r#"<li class="driver">{}</li>"#, escape(sub));
            }
            None => {
                let _ = write!(out, "<li>{}</li>", escape(&reason));
            }
        }
    }
    out.push_str("</ul>\n");
    let _ = writeln!(out, "<h3>{}</h3>", escape(w.drivers));
    if v.drivers.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", escape(w.no_drivers));
    } else {
        table(&mut out, &tables::drivers(r, lang), "drivers");
    }

    if !v.domains.is_empty() {
        let _ = writeln!(out, "<h3>{}</h3>", escape(w.domains));
        table(&mut out, &tables::domains(r, lang), "domains");
    }

    heading(&mut out, "map", w.map);
    match map::render(r, lang) {
        Some(svg) => {
            let _ = write!(out, r#"<figure class="map">{svg}<div class="legend">"#);
            for f in Findings::ALL {
                let label = match f {
                    Findings::None => w.findings_none,
                    Findings::WrongExits => w.findings_wrong,
                    Findings::Missed => w.findings_missed,
                    Findings::Both => w.findings_both,
                };
                let _ = write!(
                    out,
                    r#"<span><span class="dot" style="background:{}"></span>{}</span>"#,
                    f.colour(),
                    escape(label)
                );
            }
            let _ = writeln!(
                out,
                r#"<span>○ {}</span></div><figcaption class="note">{}{}</figcaption></figure>"#,
                escape(w.size_note),
                escape(w.map_note),
                if r.boundary_gcj02.is_none() {
                    format!(" {}", escape(w.no_boundary))
                } else {
                    String::new()
                }
            );
        }
        None => {
            let _ = writeln!(out, r#"<p class="note">{}</p>"#, inline(w.no_centres));
        }
    }

    heading(&mut out, "households", w.failing_households);
    let _ = writeln!(out, r#"<p class="note">{}</p>"#, inline(w.failing_note));
    if v.failing_households.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", escape(w.no_failing));
    } else {
        table(
            &mut out,
            &tables::failing(r, lang, &v.failing_households),
            "households",
        );
    }

    heading(&mut out, "identification", w.identification_flags);
    let _ = writeln!(
        out,
        r#"<p class="note">{}</p>"#,
        escape(w.identification_note)
    );
    if v.identification_flags.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", escape(w.no_flags));
    } else {
        table(
            &mut out,
            &crate::identification::table(r, lang),
            "identification",
        );
    }

    heading(&mut out, "response", w.response);
    table(&mut out, &tables::counts(v, lang), "pairs");
    if !v.response_rates.is_empty() {
        let _ = writeln!(out, "<h3>{}</h3>", escape(w.rates_by_group));
        let _ = writeln!(
            out,
            r#"<p class="note">{}</p>"#,
            escape(w.response_rate_note)
        );
        table(&mut out, &tables::response_rates(r, lang), "response-rates");
    }
    if let Some(t) = tables::appeals(f, lang) {
        heading(&mut out, "appeals", w.appeals);
        table(&mut out, &t, "appeals");
    }
    heading(&mut out, "villages", w.sampled_villages);
    table(&mut out, &tables::villages(r, lang), "villages");
    heading(&mut out, "provenance", w.provenance);
    table(&mut out, &tables::provenance(f, lang), "pairs");
    heading(&mut out, "settings", w.settings);
    table(&mut out, &tables::settings(v, lang), "pairs");
    let _ = write!(
        out,
        "<footer>{}</footer>\n</main>\n</body>\n</html>\n",
        escape(w.footer)
    );
    Ok(out)
}
