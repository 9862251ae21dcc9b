//! Unit tests of the three reports on the fixture verdict (Luquan deferred over housing).

use crate::chart::{INTERVAL, THRESHOLD};
use crate::fixture::{self, with_report};
use crate::{html, markdown, render, xlsx, Lang, Report};
use calamine::{Data, Reader};

/// `<tag ...>` elements of `svg` whose text contains every one of `needles`.
fn elements<'a>(svg: &'a str, tag: &str, needles: &[&str]) -> Vec<&'a str> {
    svg.split(&format!("<{tag} "))
        .skip(1)
        .map(|rest| &rest[..rest.find('>').unwrap_or(rest.len())])
        .filter(|e| needles.iter().all(|n| e.contains(n)))
        .collect()
}

/// The value of attribute `name` in an element's text.
fn attr<'a>(element: &'a str, name: &str) -> &'a str {
    let start = element
        .find(&format!(" {name}=\""))
        .or_else(|| {
            element
                .find(&format!("{name}=\""))
                .filter(|_| element.starts_with(name))
        })
        .unwrap_or_else(|| panic!("no {name} in {element}"));
    let rest = &element[start..];
    let rest = &rest[rest.find('"').unwrap() + 1..];
    &rest[..rest.find('"').unwrap()]
}

/// x coordinates of a polyline's points.
fn xs(polyline: &str) -> Vec<f64> {
    attr(polyline, "points")
        .split_whitespace()
        .map(|p| p.split(',').next().unwrap().parse().unwrap())
        .collect()
}

fn colour(c: plotters::style::RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// The inner text of `<figure class="interval" data-indicator="NAME">`.
fn figure<'a>(html: &'a str, name: &str) -> &'a str {
    let open = format!(r#"<figure class="interval" data-indicator="{name}">"#);
    let start = html
        .find(&open)
        .unwrap_or_else(|| panic!("no figure {name}"))
        + open.len();
    &html[start..start + html[start..].find("</figure>").unwrap()]
}

#[test]
fn html_is_self_contained() {
    with_report(|r| {
        for lang in [Lang::En, Lang::Zh] {
            let page = html(r, lang).unwrap();
            assert!(page.starts_with("<!DOCTYPE html>"));
            for forbidden in [
                "src=",
                "href=\"http",
                "href='http",
                "<link",
                "<script",
                "url(",
                "@import",
            ] {
                assert!(
                    !page.contains(forbidden),
                    "{}: page contains {forbidden}",
                    lang.code()
                );
            }
            // Every href is an anchor in the page.
            for href in page.split("href=\"").skip(1) {
                let id = &href[..href.find('"').unwrap()];
                let id = id.strip_prefix('#').expect("only in-page links");
                assert!(page.contains(&format!(r#"id="{id}""#)), "no anchor {id}");
            }
            assert!(page.contains("<style>") && page.trim_end().ends_with("</html>"));
        }
    });
}

#[test]
fn each_indicator_has_its_interval_drawn_against_its_threshold() {
    with_report(|r| {
        let page = html(r, Lang::En).unwrap();
        let v = &r.file.verdict;
        assert_eq!(page.matches(r#"<figure class="interval""#).count(), 4);
        for (name, i) in &v.indicators {
            let svg = figure(&page, name);
            assert!(svg.contains("<svg"), "{name}: no SVG");
            let bars = elements(svg, "polyline", &[&colour(INTERVAL), "stroke-width=\"4\""]);
            let thresholds = elements(svg, "polyline", &[&colour(THRESHOLD), "stroke-width=\"2\""]);
            assert_eq!(bars.len(), 1, "{name}: one interval");
            assert_eq!(thresholds.len(), 1, "{name}: one threshold line");
            let bar = xs(bars[0]);
            let line = xs(thresholds[0]);
            assert_eq!(line[0], line[1], "{name}: the threshold is vertical");
            let (lo, hi) = (bar[0].min(bar[1]), bar[0].max(bar[1]));
            // The picture says what the numbers say: the interval lies on the side of the
            // threshold it lies on, or across it.
            if i.lci >= i.threshold {
                assert!(lo >= line[0], "{name}: interval above the threshold");
            } else if i.uci < i.threshold {
                assert!(hi < line[0], "{name}: interval below the threshold");
            } else {
                assert!(lo <= line[0] && line[0] <= hi, "{name}: interval across it");
            }
            assert!(svg.contains(&format!("{:.2}%", 100.0 * i.threshold)));
        }
        // The wrong-exit rate fails with its whole interval above 2%.
        let wrong = &v.indicators["wrong_exit_rate"];
        assert!(!wrong.passes && wrong.lci > wrong.threshold);
        assert!(page.contains(r#"<section class="card failing" data-indicator="wrong_exit_rate">"#));
    });
}

#[test]
fn map_points_lie_inside_the_drawn_boundary() {
    with_report(|r| {
        let page = html(r, Lang::En).unwrap();
        let start = page.find(r#"<svg class="map""#).expect("a map");
        let map = &page[start..start + page[start..].find("</svg>").unwrap()];
        let boundary = elements(map, "path", &["class=\"boundary\""]);
        assert_eq!(boundary.len(), 1);
        let numbers: Vec<f64> = attr(boundary[0], "d")
            .split(|c: char| c.is_ascii_alphabetic() || c == ' ')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap())
            .collect();
        let (bx, by): (Vec<f64>, Vec<f64>) = numbers.chunks(2).map(|p| (p[0], p[1])).unzip();
        let (x0, x1) = (
            bx.iter().cloned().fold(f64::MAX, f64::min),
            bx.iter().cloned().fold(f64::MIN, f64::max),
        );
        let (y0, y1) = (
            by.iter().cloned().fold(f64::MAX, f64::min),
            by.iter().cloned().fold(f64::MIN, f64::max),
        );
        let circles = elements(map, "circle", &["class=\"village"]);
        assert_eq!(circles.len(), r.villages.len());
        for c in &circles {
            let (x, y): (f64, f64) = (
                attr(c, "cx").parse().unwrap(),
                attr(c, "cy").parse().unwrap(),
            );
            assert!(
                (x0..=x1).contains(&x) && (y0..=y1).contains(&y),
                "{c} outside {x0}-{x1} x {y0}-{y1}"
            );
        }
        // Coloured by findings: two wrong exits in the first village, a missed household in
        // the second, nothing in the third; the largest circle for the most households.
        let class_of = |code: &str| {
            let c = circles
                .iter()
                .find(|c| attr(c, "data-village") == code)
                .unwrap();
            (
                attr(c, "class").to_string(),
                attr(c, "r").parse::<f64>().unwrap(),
            )
        };
        let (a, b, c) = (
            class_of(fixture::VILLAGES[0].0),
            class_of(fixture::VILLAGES[1].0),
            class_of(fixture::VILLAGES[2].0),
        );
        assert_eq!(
            (a.0.as_str(), b.0.as_str(), c.0.as_str()),
            ("village wrong", "village missed", "village none")
        );
        assert!(a.1 > b.1 && b.1 > c.1);
        // North is up: the northernmost village has the smallest y.
        let y_of = |code: &str| {
            let c = circles
                .iter()
                .find(|c| attr(c, "data-village") == code)
                .unwrap();
            attr(c, "cy").parse::<f64>().unwrap()
        };
        assert!(y_of(fixture::VILLAGES[2].0) < y_of(fixture::VILLAGES[0].0));
    });
}

#[test]
fn villages_are_shifted_to_gcj02_before_they_are_drawn() {
    // A boundary that is one WGS-84 village point's GCJ-02 image: the point is drawn at the
    // centre of the map only if it was shifted like the boundary.
    let file = fixture::verdict_file();
    let (lon, lat) = (102.47, 25.55);
    let (glon, glat) = assess_divisions::wgs84_to_gcj02(lon, lat);
    let d = 0.05;
    let ring = vec![
        (glon - d, glat - d),
        (glon + d, glat - d),
        (glon + d, glat + d),
        (glon - d, glat + d),
        (glon - d, glat - d),
    ];
    let boundary = geo::MultiPolygon(vec![geo::Polygon::new(ring.into(), vec![])]);
    let villages = vec![crate::SampledVillage {
        code: "530128101201".into(),
        township: "530128101".into(),
        village_stratum: "remote".into(),
        centre: Some((lon, lat)),
        interviewed: 10,
    }];
    let names = Default::default();
    let report = Report {
        file: &file,
        villages: &villages,
        boundary_gcj02: Some(&boundary),
        names: &names,
    };
    let page = html(&report, Lang::En).unwrap();
    let circle = elements(&page, "circle", &["class=\"village"])[0];
    let (x, y): (f64, f64) = (
        attr(circle, "cx").parse().unwrap(),
        attr(circle, "cy").parse().unwrap(),
    );
    let start = page.find(r#"<svg class="map""#).unwrap();
    let svg = &page[start..];
    let width: f64 = attr(svg, "width").parse().unwrap();
    let path = elements(svg, "path", &["class=\"boundary\""])[0];
    let ys: Vec<f64> = attr(path, "d")
        .split(|c: char| c.is_ascii_alphabetic() || c == ' ')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .skip(1)
        .step_by(2)
        .collect();
    let mid_y = (ys.iter().cloned().fold(f64::MAX, f64::min)
        + ys.iter().cloned().fold(f64::MIN, f64::max))
        / 2.0;
    assert!((x - width / 2.0).abs() < 0.2, "x {x}");
    assert!((y - mid_y).abs() < 0.2, "y {y} vs {mid_y}");
}

#[test]
fn a_draw_without_village_centres_says_how_to_get_the_map() {
    let file = fixture::verdict_file();
    let mut villages = fixture::villages();
    for v in &mut villages {
        v.centre = None;
    }
    let names = Default::default();
    let report = Report {
        file: &file,
        villages: &villages,
        boundary_gcj02: None,
        names: &names,
    };
    let page = html(&report, Lang::En).unwrap();
    assert!(!page.contains(r#"<svg class="map""#));
    assert!(page.contains("import the draw with its village file to draw the map"));
    // The villages are still listed.
    assert!(page.contains(fixture::VILLAGES[2].0));
}

#[test]
fn chinese_reports_are_chinese() {
    with_report(|r| {
        let md = markdown(r, Lang::Zh);
        let page = html(r, Lang::Zh).unwrap();
        for label in [
            "暂缓退出",
            "综合贫困发生率",
            "错退率",
            "漏评率",
            "群众认可度",
            "置信区间",
            "有把握未达标",
            "住房安全有保障未达到：抽中已脱贫户 2 户（8 人）",
            "错退、漏评户名单",
            "申诉前后",
            "样本村",
            "数据来源",
            "应答率",
            "分村、分调查组的应答与替换",
            "村级抽样的方差",
            "精准识别疑点",
            "不计入四项指标",
            "拥有车辆（农用车、摩托车除外）",
            "家庭成员或近亲属为财政供养人员",
            "成员 1：110***********002X",
        ] {
            assert!(md.contains(label), "markdown lacks {label}");
            assert!(page.contains(label), "page lacks {label}");
        }
        assert!(page.contains(r#"<html lang="zh-CN">"#));
        assert!(page.contains("样本村分布图"));
        // No English label or sentence is left.
        for english in [
            "Decision",
            "Wrong-exit rate",
            "threshold",
            "housing safety",
            "Households",
            "Interval",
            "unmet",
        ] {
            assert!(!md.contains(english), "markdown contains {english}");
            assert!(!page.contains(english), "page contains {english}");
        }
        let en = markdown(r, Lang::En);
        assert!(en.contains("**Decision: Defer the exit**"));
        assert!(en.contains("housing safety unmet in 2 sampled exited households (8 people)"));
    });
}

#[test]
fn markdown_holds_every_section() {
    with_report(|r| {
        let md = markdown(r, Lang::En);
        for heading in [
            "## Indicators",
            "## Reasons",
            "## What drove the failing rates",
            "## Rates by domain",
            "## Households found wrongly exited or missed",
            "## Identification flags",
            "## Response and replacement",
            "## Before and after the appeals",
            "## Sampled villages",
            "## Provenance",
            "## Settings",
        ] {
            assert!(md.contains(heading), "no {heading}");
        }
        // The indicator row: official, design, interval, threshold, result, reading, level.
        assert!(md.contains(
            "| Wrong-exit rate | 3.16% | 3.22% | 2.10% – 4.60% | &lt; 2.00% | **FAIL** | fails with confidence | 99.87% (at or above) |"
        ));
        assert!(md.contains("| `H002` | wrongly exited | exited | 530128101 屏山街道 | 530128101201 云龙村 | remote | 4 | housing safety, drinking water |"));
        assert!(md.contains("| Response rate | 98.57% |"));
        // By village and team: 50 of 52 − 1 eligible = 98.04%, 2 reserves for 50 primaries;
        // a village whose visited households were all ineligible has no response rate.
        assert!(md.contains("### Response and replacement by village and team"));
        assert!(md.contains(
            "| Village | 530128101201 云龙村 | 530128101 屏山街道 | 50 | 52 | 2 | 1 | 50 | 98.04% | 4.00% |"
        ));
        assert!(
            md.contains("| Village | 530128103205 | 530128103 | 2 | 2 | 0 | 2 | 0 |  | 0.00% |")
        );
        assert!(md.contains("| Team | Team 1 |  | 100 | 104 | 4 | 2 | 98 | 96.08% | 4.00% |"));
        assert!(
            md.contains("| Variance at the village stage | with replacement (ultimate clusters) |")
        );
        assert!(md.contains("| Households found wrongly exited or missed | 4 | 3 |  | ● |"));
        assert!(md.contains(&"ab".repeat(32)));
        assert!(md.contains("5 (fewer than 8 degrees of freedom"));
    });
}

#[test]
fn the_workbook_has_the_sheets_and_the_numbers() {
    with_report(|r| {
        for lang in [Lang::En, Lang::Zh] {
            let bytes = xlsx(r, lang).unwrap();
            let mut book: calamine::Xlsx<_> =
                calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
            assert_eq!(
                book.sheet_names(),
                [
                    "Summary",
                    "Indicators",
                    "Drivers",
                    "Households",
                    "Villages",
                    "Domains",
                    "Response",
                    "Identification"
                ]
            );
            let response = book.worksheet_range("Response").unwrap();
            let team = response
                .rows()
                .find(|row| row[1] == "Team 1")
                .expect("the team's row");
            assert_eq!(team[0].to_string(), lang.words().team);
            assert_eq!(team[7], Data::Float(98.0));
            assert_eq!(team[8], Data::Float(98.0 / 102.0));
            assert_eq!(team[9], Data::Float(0.04));
            let v = &r.file.verdict;
            let indicators = book.worksheet_range("Indicators").unwrap();
            let header: Vec<String> = indicators
                .rows()
                .next()
                .unwrap()
                .iter()
                .map(|c| c.to_string())
                .collect();
            let w = lang.words();
            let col = |label: &str| header.iter().position(|h| h == label).unwrap();
            let wrong = indicators
                .rows()
                .find(|row| row[0].to_string() == w.indicator_name("wrong_exit_rate"))
                .expect("wrong-exit row");
            let i = &v.indicators["wrong_exit_rate"];
            // Numbers, not text: a percentage format shows them.
            assert_eq!(wrong[col(w.official)], Data::Float(i.official));
            assert_eq!(wrong[col(w.lci)], Data::Float(i.lci));
            assert_eq!(wrong[col(w.uci)], Data::Float(i.uci));
            assert_eq!(wrong[col(w.threshold)], Data::Float(i.threshold));
            assert_eq!(wrong[col(w.result)].to_string(), w.fail);
            assert_eq!(wrong[col(w.df)], Data::Float(23.0));

            let households = book.worksheet_range("Households").unwrap();
            let ids: Vec<String> = households
                .rows()
                .skip(1)
                .take(3)
                .map(|r| r[0].to_string())
                .collect();
            assert_eq!(ids, ["H001", "H002", "H003"]);
            let villages = book.worksheet_range("Villages").unwrap();
            let first = villages.rows().nth(1).unwrap();
            assert_eq!(first[0].to_string(), fixture::VILLAGES[0].0);
            assert_eq!(first[4], Data::Float(50.0));
            assert_eq!(first[5], Data::Float(2.0));
            let summary = book.worksheet_range("Summary").unwrap();
            let decision = summary.rows().find(|row| row[0] == w.decision).unwrap();
            assert_eq!(
                decision[1].to_string(),
                crate::tables::decision(lang, v.decision)
            );
            let rate = summary
                .rows()
                .find(|row| row[0] == w.response_rate)
                .unwrap();
            assert_eq!(rate[1], Data::Float(v.counts.response_rate));
            let drivers = book.worksheet_range("Drivers").unwrap();
            assert_eq!(drivers.rows().nth(1).unwrap()[2], Data::Float(2.0));
        }
    });
}

#[test]
fn percentages_are_formatted_as_percentages_in_the_workbook() {
    with_report(|r| {
        let bytes = xlsx(r, Lang::En).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut read = |name: &str| {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
            text
        };
        let styles = read("xl/styles.xml");
        let sheet = read("xl/worksheets/sheet2.xml");
        let fmt = styles
            .split("<numFmt ")
            .find(|f| f.contains(r#"formatCode="0.00%""#))
            .map(|f| attr(f, "numFmtId").to_string())
            .expect("a 0.00% format");
        let xfs = &styles[styles.find("<cellXfs").unwrap()..];
        let style = xfs
            .split("<xf ")
            .skip(1)
            .position(|x| attr(x, "numFmtId") == fmt)
            .expect("a style with it");
        // Indicators!B3: the official wrong-exit rate (row 1 headers, row 2 incidence).
        let cell = elements(&sheet, "c", &[r#"r="B3""#])[0];
        assert_eq!(attr(cell, "s"), style.to_string());
    });
}

#[test]
fn the_same_verdict_gives_the_same_bytes() {
    with_report(|r| {
        let (a, b) = (render(r, Lang::Zh).unwrap(), render(r, Lang::Zh).unwrap());
        assert_eq!(a.markdown, b.markdown);
        assert_eq!(a.html, b.html);
        assert_eq!(a.xlsx, b.xlsx);
    });
}

#[test]
fn languages_parse() {
    assert_eq!("zh".parse::<Lang>(), Ok(Lang::Zh));
    assert_eq!("EN".parse::<Lang>(), Ok(Lang::En));
    assert!("fr".parse::<Lang>().unwrap_err().contains("en or zh"));
    assert_eq!(Lang::default(), Lang::En);
}

/// Text from the records reaches verdict.md as text (issue 12 part 4): HTML tags show as
/// entities, a Markdown link cannot form, a backtick cannot end a code span early, and a line
/// break cannot start a new table row.
#[test]
fn markdown_escapes_html_and_markdown_in_text_from_the_records() {
    let mut file = fixture::verdict_file();
    file.verdict.county_name = "<img src=x onerror=alert(1)>".to_string();
    let team = file
        .verdict
        .response_rates
        .iter_mut()
        .find(|r| r.by == "team")
        .unwrap();
    team.key = "[click](javascript:alert(1))\n| forged | row |".to_string();
    let villages = fixture::villages();
    let names = fixture::names();
    let md = markdown(
        &Report {
            file: &file,
            villages: &villages,
            boundary_gcj02: None,
            names: &names,
        },
        Lang::En,
    );
    assert!(!md.contains("<img"), "{md}");
    assert!(md.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!md.contains("[click](javascript"), "{md}");
    assert!(md.contains("\\[click\\](javascript:alert(1))"));
    assert!(!md.contains("\n| forged | row |"), "{md}");
    assert_eq!(markdown::md_text("a_b*c"), "a\\_b\\*c");
}

/// A design effect that cannot be computed (nothing found: 0 / 0) is shown as "not
/// estimable", never as NaN, in every report (issue 13 part 6).
#[test]
fn a_design_effect_that_cannot_be_computed_is_not_printed_as_nan() {
    let mut file = fixture::verdict_file();
    for i in file.verdict.indicators.values_mut() {
        i.deff = f64::NAN;
    }
    let villages = fixture::villages();
    let names = fixture::names();
    let report = Report {
        file: &file,
        villages: &villages,
        boundary_gcj02: None,
        names: &names,
    };
    for lang in [Lang::En, Lang::Zh] {
        let md = markdown(&report, lang);
        let page = html(&report, lang).unwrap();
        assert!(
            !md.contains("NaN") && !page.contains("NaN"),
            "{}",
            lang.code()
        );
    }
    assert!(markdown(&report, Lang::En).contains("not estimable (nothing found: 0 / 0)"));
    assert!(markdown(&report, Lang::Zh).contains("无法估计"));
    render(&report, Lang::En).unwrap();
}

/// A domain with fewer than 8 degrees of freedom (the fixture's township, df 5) shows its
/// estimate with the warning and no interval (issue 13 part 6).
#[test]
fn a_domain_with_few_degrees_of_freedom_shows_no_interval() {
    with_report(|r| {
        let md = markdown(r, Lang::En);
        let row = md
            .lines()
            .find(|l| l.contains("530128101") && l.contains("5.00%"))
            .expect("the township's row");
        assert!(row.contains("none (too few degrees of freedom)"), "{row}");
        assert!(!row.contains("3.00% – 8.00%"), "{row}");
        assert!(row.contains("estimate only, no interval"), "{row}");
    });
}

/// The identification flags have a section of their own in every report (a sheet of its own
/// in the workbook): one row per flag of each flagged household, the vehicle's value against
/// the standards' limit as numbers, the identity numbers masked, and the note that the flags
/// enter none of the four rates.
#[test]
fn identification_flags_have_a_section_of_their_own() {
    with_report(|r| {
        let md = markdown(r, Lang::En);
        let section = &md[md.find("## Identification flags").unwrap()..];
        let section = &section[..section.find("\n## ").unwrap()];
        assert!(
            section.contains("They enter none of the four rates."),
            "{section}"
        );
        let rows: Vec<&str> = section.lines().filter(|l| l.starts_with("| `")).collect();
        assert_eq!(
            rows,
            [
                "| `H005` | exited | 530128101201 云龙村 | owns a vehicle (not a farm vehicle or motorcycle) | 45000 | 30000 | `member 1: 110***********002X` |",
                "| `H005` | exited | 530128101201 云龙村 | a member or close relative is on the public payroll |  |  | `member 1: 110***********002X` |",
                "| `H006` | registered poor | 530128103205 | owns a vehicle (not a farm vehicle or motorcycle) | not recorded | 30000 |  |",
            ]
        );
        assert!(md.contains("| Households with identification flags (not in the rates) | 2 |"));

        let page = html(r, Lang::En).unwrap();
        assert!(page.contains(r##"<a href="#identification">Identification flags</a>"##));
        assert!(page.contains(r#"<h2 id="identification">Identification flags</h2>"#));
        assert!(page.contains(r#"<table class="identification">"#));
        assert_eq!(page.matches("<td><code>H005</code></td>").count(), 2);
        assert!(page.contains("<td><code>member 1: 110***********002X</code></td>"));

        for lang in [Lang::En, Lang::Zh] {
            let bytes = xlsx(r, lang).unwrap();
            let mut book: calamine::Xlsx<_> =
                calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
            let sheet = book.worksheet_range("Identification").unwrap();
            let rows: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
            let w = lang.words();
            assert_eq!(rows[0][3].to_string(), w.flag);
            assert_eq!(rows[1][0].to_string(), "H005");
            assert_eq!(
                (&rows[1][4], &rows[1][5]),
                (&Data::Float(45000.0), &Data::Float(30000.0))
            );
            assert_eq!(rows[3][0].to_string(), "H006");
            assert_eq!(rows[3][4].to_string(), w.not_recorded);
            assert!(rows[1][6].to_string().ends_with("110***********002X"));
            assert!(rows.iter().any(|r| r[0] == w.identification_note));
        }
    });
}

/// A verdict without flags says so rather than showing an empty table.
#[test]
fn a_verdict_without_identification_flags_says_none() {
    let mut file = fixture::verdict_file();
    file.verdict.identification_flags.clear();
    let (villages, names) = (fixture::villages(), fixture::names());
    let report = Report {
        file: &file,
        villages: &villages,
        boundary_gcj02: None,
        names: &names,
    };
    let md = markdown(&report, Lang::Zh);
    let section = &md[md.find("## 精准识别疑点").unwrap()..];
    assert!(
        section[..section.find("\n## ").unwrap()].contains("\n无。\n"),
        "{section}"
    );
}

/// Appeals still pending are warned in every report, in both languages: under the decision
/// (Markdown, HTML), first among the reasons (all three) and in the summary table (all three,
/// the workbook's Summary sheet); a settled county's reports say nothing of them.
#[test]
fn pending_appeals_are_warned_in_every_report_in_both_languages() {
    let mut file = fixture::verdict_file();
    file.verdict.pending_appeals = vec!["H001".to_string(), "H003".to_string()];
    let villages = fixture::villages();
    let names = fixture::names();
    let report = Report {
        file: &file,
        villages: &villages,
        boundary_gcj02: None,
        names: &names,
    };
    let words = [
        (
            Lang::En,
            "2 appeals are still pending (households H001, H003): the verdict after the appeals may change when they are decided; this decision is not final.",
            "2 (H001, H003)",
        ),
        (
            Lang::Zh,
            "尚有 2 起申诉未裁决（农户 H001、H003）：裁决后，申诉后的评估结论可能改变；本结论并非最终结论。",
            "2（H001、H003）",
        ),
    ];
    for (lang, warning, listed) in words {
        let w = lang.words();
        let md = markdown(&report, lang);
        assert!(md.contains(&format!("> **{warning}**")), "{md}");
        assert!(md.contains(&format!("- {warning}")), "the reasons: {md}");
        assert!(
            md.contains(&format!("| {} | **{listed}** |", w.pending_appeals)),
            "{md}"
        );
        let page = html(&report, lang).unwrap();
        assert!(
            page.contains(&format!(r#"<p class="warning">{warning}</p>"#)),
            "{}",
            lang.code()
        );
        assert!(page.contains(&format!("<li>{warning}</li>")));
        let bytes = xlsx(&report, lang).unwrap();
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let summary = book.worksheet_range("Summary").unwrap();
        let row = summary
            .rows()
            .find(|row| row[0] == w.pending_appeals)
            .expect("the pending appeals row");
        assert_eq!(row[1].to_string(), listed);
        assert!(summary.rows().any(|row| row[0] == warning));
    }
    with_report(|r| {
        for lang in [Lang::En, Lang::Zh] {
            let md = markdown(r, lang);
            let page = html(r, lang).unwrap();
            let w = lang.words();
            assert!(!md.contains(w.pending_appeals) && !md.contains("> **"));
            assert!(!page.contains(r#"class="warning""#));
        }
    });
}
