//! A study as text people read: a Markdown report (tables of approval probability, coverage
//! and the Horvitz-Thompson checks) and a self-contained HTML page with the chart. Strings
//! only; the command writes them.

use crate::{Probability, Study};
use std::fmt::Write;

impl Study {
    /// "Name (code)", or the code when the county has no name in the 832 list.
    pub fn county_name_or_code(&self) -> String {
        if self.county_name.is_empty() {
            self.county.clone()
        } else {
            format!("{} ({})", self.county_name, self.county)
        }
    }
}

fn pct(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
}

fn prob(p: Probability) -> String {
    format!("{:.3} ± {:.3}", p.p, p.mc_se)
}

/// A table: its title, header row and data rows.
type Table = (String, Vec<String>, Vec<Vec<String>>);

/// The grid point of a pooled result ("ρ 0.1, tilt 1.5"), with a grid.
fn cell_label(r: &crate::RateResult) -> Option<String> {
    r.cell
        .as_ref()
        .map(|c| format!("ρ {}, tilt {}", c.icc, c.remote_tilt))
}

/// With a grid, the cell's label before a row.
fn with_cell(r: &crate::RateResult, row: Vec<String>) -> Vec<String> {
    cell_label(r).into_iter().chain(row).collect()
}

/// With a grid, a first header column for the cell.
fn cell_header(study: &Study, header: Vec<String>) -> Vec<String> {
    let first = study.grid.as_ref().map(|_| "ICC, tilt".to_string());
    first.into_iter().chain(header).collect()
}

/// The tables of the grid, one per measure: for each cell the pooled share and its spread
/// across the counties.
fn grid_tables(study: &Study) -> Vec<Table> {
    type Pick = fn(&crate::CellSpread) -> &crate::AcrossCounties;
    let measures: [(&str, Pick); 5] = [
        ("Probability of approval, official rule", |c| {
            &c.approved_official
        }),
        ("Probability of approval, design basis", |c| {
            &c.approved_design
        }),
        (
            "Coverage of the Korn–Graubard one-sided upper bound",
            |c| &c.kg_upper_bound,
        ),
        ("Coverage of the Korn–Graubard two-sided interval", |c| {
            &c.kg_two_sided
        }),
        (
            "Probability that the sample finds no positive household",
            |c| &c.zero_found,
        ),
    ];
    let header: Vec<String> = [
        "ICC, tilt",
        "nominal rate",
        "true rate: median [min, max]",
        "pooled ± SE",
        "min",
        "Q1",
        "median",
        "Q3",
        "max",
        "between-county SD",
        "within-county MC SE",
    ]
    .iter()
    .map(|x| x.to_string())
    .collect();
    measures
        .iter()
        .map(|(title, pick)| {
            let rows = study
                .rates
                .iter()
                .filter_map(|r| r.cell.as_ref().map(|c| (r, c)))
                .map(|(r, c)| {
                    let a = pick(c);
                    let t = c.true_rate;
                    vec![
                        cell_label(r).unwrap_or_default(),
                        pct(r.nominal_rate),
                        format!("{} [{}, {}]", pct(t.median), pct(t.min), pct(t.max)),
                        format!("{:.3} ± {:.3}", a.pooled, a.pooled_se),
                        format!("{:.3}", a.spread.min),
                        format!("{:.3}", a.spread.q1),
                        format!("{:.3}", a.spread.median),
                        format!("{:.3}", a.spread.q3),
                        format!("{:.3}", a.spread.max),
                        format!("{:.3}", a.sd_between),
                        format!("{:.3}", a.mc_se_within),
                    ]
                })
                .collect();
            (format!("{title}, across counties"), header.clone(), rows)
        })
        .collect()
}

/// The tables: approval, coverage, totals (with a grid, first the tables across counties).
/// Each is a header row and data rows.
fn tables(study: &Study) -> Vec<Table> {
    let mut out = if study.grid.is_some() {
        grid_tables(study)
    } else {
        Vec::new()
    };
    out.extend(pooled_tables(study));
    out
}

/// The tables of the single-county study (with a grid: pooled over each cell's counties).
fn pooled_tables(study: &Study) -> Vec<Table> {
    let approval = study
        .rates
        .iter()
        .map(|r| {
            with_cell(
                r,
                vec![
                    pct(r.nominal_rate),
                    pct(r.true_rate),
                    prob(r.approved_official),
                    prob(r.indicator_passes_official),
                    prob(r.approved_design),
                    prob(r.indicator_passes_design),
                    pct(r.mean_official),
                    pct(r.mean_design),
                ],
            )
        })
        .collect();
    let coverage = study
        .rates
        .iter()
        .flat_map(|r| {
            r.coverage.iter().map(move |c| {
                with_cell(
                    r,
                    vec![
                        pct(r.true_rate),
                        c.method.clone(),
                        prob(c.two_sided),
                        prob(c.upper_bound),
                        pct(c.mean_width),
                    ],
                )
            })
        })
        .collect();
    let totals = study
        .rates
        .iter()
        .flat_map(|r| {
            r.total_checks.iter().map(move |t| {
                with_cell(
                    r,
                    vec![
                        pct(r.true_rate),
                        t.total.clone(),
                        t.weights.clone(),
                        format!("{:.0}", t.truth),
                        format!("{:.1}", t.mean),
                        format!("{:.1}", t.mc_se),
                        format!("{:+.2}", t.z),
                        format!("{:+.3}%", 100.0 * t.relative_bias),
                        if t.within_3_se { "yes" } else { "NO" }.to_string(),
                    ],
                )
            })
        })
        .collect();
    let s = |v: &[&str]| cell_header(study, v.iter().map(|x| x.to_string()).collect());
    vec![
        (
            "Probability of approval (± Monte Carlo SE)".to_string(),
            s(&[
                "nominal rate",
                "true rate",
                "approve: official rule",
                "rate passes: official",
                "approve: design basis",
                "rate passes: design",
                "mean official",
                "mean design",
            ]),
            approval,
        ),
        (
            format!(
                "Coverage of the {:.0}% intervals of the true rate (± Monte Carlo SE)",
                100.0 * study.confidence
            ),
            s(&[
                "true rate",
                "method",
                "two-sided",
                "one-sided upper bound",
                "mean width",
            ]),
            coverage,
        ),
        (
            "Weighted totals against the truth (z = (mean − truth) / MC SE)".to_string(),
            s(&[
                "true rate",
                "total",
                "weights",
                "truth",
                "mean",
                "MC SE",
                "z",
                "rel. bias",
                "within 3 MC SE",
            ]),
            totals,
        ),
    ]
}

fn setup_lines(study: &Study) -> Vec<String> {
    let mut lines = vec![
        format!("plan: {}", study.plan),
        format!("county: {}", study.county_name_or_code()),
        format!(
            "varied: {} (threshold {}, passes strictly below); the other rates at `assess synth`'s defaults",
            study.varied.indicator(),
            pct(study.threshold)
        ),
        format!(
            "synthetic county: {} households, intra-village correlation {}; response rate {}; intervals' design-effect floor {}",
            study.households,
            // With a grid the ICCs are the grid's (last line), not the single --icc.
            match &study.grid {
                None => study.icc.to_string(),
                Some(_) => "by grid point".to_string(),
            },
            study.response_rate,
            study.deff_floor
        ),
        format!(
            "{} replications per rate, seed {}, {} threads; {:.0} s of replications, {:.3} core-seconds per replication",
            study.reps, study.seed, study.threads, study.seconds, study.core_seconds_per_rep
        ),
    ];
    if let Some(g) = &study.grid {
        lines.push(format!(
            "populations varied: {} synthetic counties per rate and grid point, each with its own seed and {} replications (the line above: per county); ICC {:?}; remote tilt {:?}; misclassification {} (a judgment of the varied indicator flipped, both ways, at that rate); shares pooled over the counties, with their spread across them",
            g.populations, study.reps, g.iccs, g.remote_tilts, g.misclassification
        ));
    }
    lines
}

/// The study as Markdown.
pub fn markdown(study: &Study) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Planning by simulation: {}\n",
        study.county_name_or_code()
    );
    for line in setup_lines(study) {
        let _ = writeln!(out, "- {line}");
    }
    for (title, header, rows) in tables(study) {
        let _ = writeln!(out, "\n## {title}\n");
        let _ = writeln!(out, "| {} |", header.join(" | "));
        let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
        for row in rows {
            let _ = writeln!(out, "| {} |", row.join(" | "));
        }
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The study as a self-contained HTML page with the chart (`svg`, from
/// [`crate::chart::approval_curve`]).
pub fn html(study: &Study, svg: &str) -> String {
    let mut out = String::new();
    let title = format!("Planning by simulation: {}", study.county_name_or_code());
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}}\
         table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:.25em .6em;text-align:right}}\
         th{{background:#f4f4f4}}svg{{max-width:100%;height:auto}}</style></head><body>\n<h1>{t}</h1>\n<ul>",
        t = escape(&title)
    );
    for line in setup_lines(study) {
        let _ = write!(out, "<li>{}</li>", escape(&line.replace('`', "")));
    }
    let _ = writeln!(out, "</ul>\n<figure>{svg}</figure>");
    for (title, header, rows) in tables(study) {
        let _ = write!(out, "<h2>{}</h2>\n<table><tr>", escape(&title));
        for h in header {
            let _ = write!(out, "<th>{}</th>", escape(&h));
        }
        out.push_str("</tr>\n");
        for row in rows {
            out.push_str("<tr>");
            for cell in row {
                let _ = write!(out, "<td>{}</td>", escape(&cell));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table>\n");
    }
    out.push_str("</body></html>\n");
    out
}
