//! `verdict.md`: the verdict as Markdown (GitHub-flavoured tables).

use crate::tables::{self, Cell, Table};
use crate::text::{self, Lang};
use crate::Report;
use std::fmt::Write;

/// Text from the records or the register as Markdown text: HTML's `<`, `>` and `&` as
/// entities (a Markdown viewer renders raw HTML, as the HTML report never does), and the
/// characters that make emphasis, links, code or table cells escaped with a backslash, so a
/// name or a note shows as typed and can do nothing else.
pub(crate) fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A code span holding `s` as typed: fenced by more backticks than any run inside it
/// (CommonMark), with line breaks as spaces.
fn code_span(s: &str) -> String {
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if longest > 0 { " " } else { "" };
    format!("{fence}{pad}{}{pad}{fence}", s.replace(['\n', '\r'], " "))
}

/// A table as Markdown: text escaped ([`md_text`]), numeric columns right-aligned.
fn table(out: &mut String, t: &Table) {
    let cell = |c: &Cell| md_text(&c.text());
    let headers: Vec<String> = t.headers.iter().map(|h| md_text(h)).collect();
    let _ = writeln!(out, "| {} |", headers.join(" | "));
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
                Cell::Code(s) => code_span(s),
                Cell::Pass(false, s) => format!("**{}**", md_text(s)),
                other => cell(other),
            })
            .collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

fn section(out: &mut String, level: usize, title: &str) {
    let _ = writeln!(out, "{} {}\n", "#".repeat(level), md_text(title));
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
        md_text(w.decision),
        w.colon,
        md_text(tables::decision(lang, v.decision)),
        md_text(w.decision_rule)
    );
    if let Some(warning) = text::pending_appeals(lang, &v.pending_appeals) {
        let _ = writeln!(out, "> **{}**\n", md_text(&warning));
    }
    table(&mut out, &tables::summary(r, lang));

    section(&mut out, 2, w.indicators);
    table(&mut out, &tables::indicators(v, lang));
    table(&mut out, &tables::indicator_details(v, lang));

    section(&mut out, 2, w.reasons);
    for reason in text::reasons(lang, v, r.names) {
        match reason.strip_prefix("  ") {
            Some(sub) => {
                let _ = writeln!(out, "  - {}", md_text(sub));
            }
            None => {
                let _ = writeln!(out, "- {}", md_text(&reason));
            }
        }
    }
    out.push('\n');

    section(&mut out, 2, w.drivers);
    if v.drivers.is_empty() {
        let _ = writeln!(out, "{}\n", md_text(w.no_drivers));
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

    section(&mut out, 2, w.identification_flags);
    let _ = writeln!(out, "{}\n", md_text(w.identification_note));
    if v.identification_flags.is_empty() {
        let _ = writeln!(out, "{}\n", w.no_flags);
    } else {
        table(&mut out, &crate::identification::table(r, lang));
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
