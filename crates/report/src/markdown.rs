//! `verdict.md`: the verdict as Markdown (GitHub-flavoured tables).

use crate::tables::{self, Cell, Table};
use crate::text::{self, Lang};
use crate::Report;
use std::fmt::Write;

/// A table as Markdown: escaped pipes, numeric columns right-aligned.
fn table(out: &mut String, t: &Table) {
    let cell = |c: &Cell| c.text().replace('|', "\\|").replace('\n', " ");
    let _ = writeln!(out, "| {} |", t.headers.join(" | "));
    let aligns: Vec<&str> = (0..t.headers.len())
        .map(|i| {
            let numeric = !t.rows.is_empty() && t.rows.iter().all(|r| r[i].numeric());
            if numeric {
                "---:"
            } else {
                "---"
            }
        })
        .collect();
    let _ = writeln!(out, "|{}|", aligns.join("|"));
    for row in &t.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Cell::Code(s) => format!("`{s}`"),
                Cell::Pass(false, s) => format!("**{s}**"),
                other => cell(other),
            })
            .collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

fn section(out: &mut String, level: usize, title: &str) {
    let _ = writeln!(out, "{} {title}\n", "#".repeat(level));
}

pub(crate) fn render(r: &Report, lang: Lang) -> String {
    let w = lang.words();
    let f = r.file;
    let v = &f.verdict;
    let mut out = String::new();
    let county = if v.county_name.is_empty() {
        v.county_code.clone()
    } else {
        format!("{} {}", v.county_name, v.county_code)
    };
    section(&mut out, 1, &format!("{} — {county}", w.title));
    let _ = writeln!(
        out,
        "**{}{}{}**\n\n{}\n",
        w.decision,
        w.colon,
        tables::decision(lang, v.decision),
        w.decision_rule
    );
    table(&mut out, &tables::summary(r, lang));

    section(&mut out, 2, w.indicators);
    table(&mut out, &tables::indicators(v, lang));
    table(&mut out, &tables::indicator_details(v, lang));

    section(&mut out, 2, w.reasons);
    for reason in text::reasons(lang, v, r.names) {
        match reason.strip_prefix("  ") {
            Some(sub) => {
                let _ = writeln!(out, "  - {sub}");
            }
            None => {
                let _ = writeln!(out, "- {reason}");
            }
        }
    }
    out.push('\n');

    section(&mut out, 2, w.drivers);
    if v.drivers.is_empty() {
        let _ = writeln!(out, "{}\n", w.no_drivers);
    } else {
        table(&mut out, &tables::drivers(r, lang));
    }

    if !v.domains.is_empty() {
        section(&mut out, 2, w.domains);
        table(&mut out, &tables::domains(r, lang));
    }

    section(&mut out, 2, w.failing_households);
    let _ = writeln!(out, "{}\n", w.failing_note);
    if v.failing_households.is_empty() {
        let _ = writeln!(out, "{}\n", w.no_failing);
    } else {
        table(&mut out, &tables::failing(r, lang, &v.failing_households));
    }

    section(&mut out, 2, w.response);
    table(&mut out, &tables::counts(v, lang));
    if !v.response_rates.is_empty() {
        section(&mut out, 3, w.rates_by_group);
        let _ = writeln!(out, "{}\n", w.response_rate_note);
        table(&mut out, &tables::response_rates(r, lang));
    }

    if let Some(t) = tables::appeals(f, lang) {
        section(&mut out, 2, w.appeals);
        table(&mut out, &t);
    }

    section(&mut out, 2, w.sampled_villages);
    table(&mut out, &tables::villages(r, lang));

    section(&mut out, 2, w.provenance);
    table(&mut out, &tables::provenance(f, lang));
    section(&mut out, 2, w.settings);
    table(&mut out, &tables::settings(v, lang));
    let _ = writeln!(out, "---\n\n{}", w.footer);
    out
}
