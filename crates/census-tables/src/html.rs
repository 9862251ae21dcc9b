//! The HTML summary: one self-contained page (the reports' style sheet, inline SVG) with two
//! national maps of the counties, coloured by coverage and by attainment of all five
//! guarantees, and the national, provincial and county tables.

use crate::columns::{unit_columns, Column, Value};
use crate::tables::{Tables, UnitTable};
use crate::xlsx::quality_kinds;
use assess_report::page::{self, escape};
use assess_report::{counties_svg, Lang, MapArea};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The colour classes of a map: lower bounds of the share, from the highest, with their fill
/// (ColorBrewer RdYlGn, five classes: colour-blind safe with the labels), and the fill of a
/// county without a value.
struct Scale {
    bounds: [f64; 4],
    fills: [&'static str; 5],
}

const FILLS: [&str; 5] = ["#1a9641", "#a6d96a", "#ffffbf", "#fdae61", "#d7191c"];
const NO_DATA: &str = "#e6e2d8";

/// Coverage classes: 99.5% and over, 99-99.5%, 98-99%, 95-98%, under 95%.
const COVERAGE: Scale = Scale {
    bounds: [0.995, 0.99, 0.98, 0.95],
    fills: FILLS,
};
/// Attainment classes: 99% and over, 97-99%, 95-97%, 90-95%, under 90%.
const ATTAINMENT: Scale = Scale {
    bounds: [0.99, 0.97, 0.95, 0.90],
    fills: FILLS,
};

impl Scale {
    fn class(&self, x: Option<f64>) -> usize {
        match x {
            None => 5,
            Some(x) => self.bounds.iter().position(|b| x >= *b).unwrap_or(4),
        }
    }

    fn fill(&self, class: usize) -> &'static str {
        self.fills.get(class).copied().unwrap_or(NO_DATA)
    }

    fn label(&self, class: usize, lang: Lang) -> String {
        let p = |x: f64| format!("{}%", (x * 1000.0).round() / 10.0);
        match class {
            0 => format!("≥ {}", p(self.bounds[0])),
            1..=3 => format!("{} – {}", p(self.bounds[class]), p(self.bounds[class - 1])),
            4 => format!("< {}", p(self.bounds[3])),
            _ => match lang {
                Lang::En => "no data".to_string(),
                Lang::Zh => "无数据".to_string(),
            },
        }
    }
}

struct Words {
    title: &'static str,
    coverage_map: &'static str,
    attainment_map: &'static str,
    national: &'static str,
    provinces: &'static str,
    counties: &'static str,
    not_drawn: &'static str,
    note: &'static str,
}

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &Words {
            title: "Census: coverage and tables",
            coverage_map: "Counties by coverage (registered households with a return)",
            attainment_map: "Counties by attainment of all five guarantees",
            national: "The nation",
            provinces: "Provinces",
            counties: "Counties",
            not_drawn: "counties without an embedded boundary are listed but not drawn",
            note: "Coverage counts every registered household once; attainment, income and \
                   assistance count registered households with an enumerated return, each once. \
                   A share is of the households whose answer is known; the unknown are counted \
                   apart. Income quantiles are exact (Hyndman-Fan type 7). The workbook has \
                   every column.",
        },
        Lang::Zh => &Words {
            title: "脱贫攻坚普查：覆盖与汇总",
            coverage_map: "各县覆盖率（有问卷的建档立卡户比例）",
            attainment_map: "各县两不愁三保障全部达标比例",
            national: "全国",
            provinces: "各省",
            counties: "各县",
            not_drawn: "个县没有内置边界，只列于表中，不在地图上",
            note: "覆盖按建档立卡户各计一次；达标、收入、帮扶按有“已普查”问卷的建档立卡户各计一次。\
                   比例的分母为答案已知的户，无法判断的另行计数。收入分位数为精确值（Hyndman-Fan 第7种）。\
                   工作簿列出全部各列。",
        },
    }
}

/// The columns the page shows (the workbook has them all).
const SHOWN: [&str; 12] = [
    "code",
    "name",
    "registered",
    "missing",
    "coverage_rate",
    "duplicated",
    "not_registered",
    "dissolved",
    "moved_out",
    "guarantees_share",
    "income_share",
    "income_median",
];

/// The summary page. `boundaries_gcj02` holds the embedded county boundaries (GCJ-02) by
/// county code (as for the batch overview); a county without one is listed, not drawn.
pub fn summary_html(
    t: &Tables,
    boundaries_gcj02: &BTreeMap<String, &geo::MultiPolygon<f64>>,
    lang: Lang,
) -> String {
    let w = words(lang);
    let mut out = page::start(lang, w.title, w.title);
    let _ = writeln!(out, r#"<p class="note">{}</p>"#, escape(w.note));
    let all = unit_columns(&quality_kinds(t));
    let cols: Vec<&Column> = SHOWN
        .iter()
        .filter_map(|k| all.iter().find(|c| c.key == *k))
        .collect();
    for (scale, label, key, value) in [
        (
            &COVERAGE,
            w.coverage_map,
            "coverage",
            (|u: &UnitTable| u.coverage.coverage_rate()) as fn(&UnitTable) -> Option<f64>,
        ),
        (
            &ATTAINMENT,
            w.attainment_map,
            "attainment",
            |u: &UnitTable| u.attainment[6].share(),
        ),
    ] {
        let _ = writeln!(out, r#"<h2 id="map-{key}">{}</h2>"#, escape(label));
        legend(&mut out, scale, lang);
        let areas: Vec<MapArea> = t
            .counties
            .iter()
            .filter_map(|u| {
                let shape = boundaries_gcj02.get(&u.code)?;
                let x = value(u);
                let class = scale.class(x);
                let shown =
                    x.map_or_else(|| scale.label(5, lang), |x| format!("{:.2}%", x * 100.0));
                Some(MapArea {
                    shape,
                    fill: scale.fill(class).to_string(),
                    class: format!("{key}-{class}"),
                    data: vec![
                        ("county", u.code.clone()),
                        (key, x.map_or_else(String::new, |x| format!("{x:.6}"))),
                    ],
                    title: format!("{} {}: {shown}", u.name, u.code),
                })
            })
            .collect();
        if let Some(svg) = counties_svg(&areas, label, lang) {
            let _ = writeln!(out, r#"<figure class="map">{svg}</figure>"#);
        }
        let missing = t.counties.len() - areas.len();
        if missing > 0 {
            let _ = writeln!(
                out,
                r#"<p class="note">{missing} {}</p>"#,
                escape(w.not_drawn)
            );
        }
    }
    for (id, title, units) in [
        ("national", w.national, std::slice::from_ref(&t.national)),
        ("provinces", w.provinces, t.provinces.as_slice()),
        ("counties", w.counties, t.counties.as_slice()),
    ] {
        let _ = writeln!(out, r#"<h2 id="{id}">{}</h2>"#, escape(title));
        table(&mut out, &cols, units, lang, id);
    }
    out.push_str(page::END);
    out
}

fn legend(out: &mut String, scale: &Scale, lang: Lang) {
    out.push_str(r#"<div class="legend">"#);
    for class in 0..=5 {
        let _ = write!(
            out,
            r#"<span><span class="box" style="background:{}"></span>{}</span>"#,
            scale.fill(class),
            escape(&scale.label(class, lang))
        );
    }
    out.push_str("</div>\n");
}

fn table(out: &mut String, cols: &[&Column], units: &[UnitTable], lang: Lang, class: &str) {
    let _ = write!(out, r#"<table class="{class}"><thead><tr>"#);
    for c in cols {
        let h = match lang {
            Lang::En => &c.en,
            Lang::Zh => &c.zh,
        };
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for u in units {
        let _ = write!(out, r#"<tr data-code="{}">"#, escape(&u.code));
        for c in cols {
            let v = (c.value)(u);
            match &v {
                Value::Code(s) => {
                    let _ = write!(out, "<td><code>{}</code></td>", escape(s));
                }
                v if v.numeric() => {
                    let _ = write!(out, r#"<td class="num">{}</td>"#, escape(&v.text()));
                }
                v => {
                    let _ = write!(out, "<td>{}</td>", escape(&v.text()));
                }
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}
