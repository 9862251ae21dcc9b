//! One small chart per indicator: its design-based interval drawn against its threshold, with
//! the passing side shaded, the design-based estimate (dot) and the official value (a triangle pointing at it).
//! Drawn with plotters' SVG backend into a `String` (text is left to the browser's fonts, so
//! Chinese needs no font file).
//!
//! Each indicator has its own axis: the rates are judged against 2-3% and approval against
//! 90%, and one shared axis would squash the rates into a sliver.

use crate::ReportError;
use assess_verdict::Indicator;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Width and height of one chart, pixels (the page scales it to its column).
pub(crate) const SIZE: (u32, u32) = (640, 92);

/// The interval bar and the design-based estimate.
pub(crate) const INTERVAL: RGBColor = RGBColor(0x1f, 0x4e, 0x79);
/// The threshold line.
pub(crate) const THRESHOLD: RGBColor = RGBColor(0xc0, 0x39, 0x2b);
/// The official value.
const OFFICIAL: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// The passing side.
const PASSING: RGBColor = RGBColor(0xe3, 0xf2, 0xe6);
const GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
const AXIS: RGBColor = RGBColor(0x66, 0x66, 0x66);

/// The axis range for an indicator: from 0 for the rates (which pass below their threshold),
/// up to 100% for approval (which passes at or above), wide enough for the interval, both
/// values and twice the threshold's distance from the end, in steps of 0.5% (rates) or 5%.
pub(crate) fn axis(name: &str, i: &Indicator) -> (f64, f64) {
    let finite = |x: f64| if x.is_finite() { Some(x) } else { None };
    let values = [i.lci, i.uci, i.official, i.design, i.threshold];
    if name == "approval_rate" {
        let low = values
            .iter()
            .filter_map(|x| finite(*x))
            .fold(1.0 - 2.0 * (1.0 - i.threshold), f64::min);
        let step = 0.05;
        (((low - 0.01) / step).floor().max(0.0) * step, 1.0)
    } else {
        let high = values
            .iter()
            .filter_map(|x| finite(*x))
            .fold(2.0 * i.threshold, f64::max);
        let step = if high > 0.2 { 0.05 } else { 0.005 };
        (0.0, (high * 1.08 / step).ceil().max(1.0) * step)
    }
}

/// The chart of one indicator as an SVG document.
pub(crate) fn interval(
    name: &str,
    i: &Indicator,
    threshold_label: &str,
) -> Result<String, ReportError> {
    let mut svg = String::new();
    draw(&mut svg, name, i, threshold_label).map_err(|e| ReportError::Chart {
        name: name.to_string(),
        source: e,
    })?;
    Ok(svg)
}

fn draw(
    svg: &mut String,
    name: &str,
    i: &Indicator,
    threshold_label: &str,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (lo, hi) = axis(name, i);
    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .margin_left(16)
        .margin_right(28)
        .margin_top(18)
        .margin_bottom(4)
        .x_label_area_size(24)
        .build_cartesian_2d(lo..hi, 0.0..1.0)?;
    let decimals = if hi - lo < 0.05 { 1 } else { 0 };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .x_labels(8)
        .x_label_formatter(&|x| format!("{:.*}%", decimals, 100.0 * x))
        .x_label_style(("sans-serif", 15).into_font().color(&AXIS))
        .axis_style(AXIS)
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .draw()?;

    // The passing side: below the threshold for the rates, at or above it for approval.
    let t = i.threshold;
    let zone = if name == "approval_rate" {
        (t, hi)
    } else {
        (lo, t)
    };
    chart.draw_series(std::iter::once(Rectangle::new(
        [(zone.0, 0.0), (zone.1, 1.0)],
        PASSING.filled(),
    )))?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(t, 0.0), (t, 1.0)],
        THRESHOLD.stroke_width(2),
    )))?;
    chart.draw_series(std::iter::once(Text::new(
        format!("{threshold_label} {:.2}%", 100.0 * t),
        (t, 1.0),
        ("sans-serif", 15)
            .into_font()
            .color(&THRESHOLD)
            .pos(Pos::new(HPos::Center, VPos::Bottom)),
    )))?;

    // The design-based interval with its whiskers, the estimate and the official value.
    let (a, b) = (i.lci.clamp(lo, hi), i.uci.clamp(lo, hi));
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(a, 0.5), (b, 0.5)],
        INTERVAL.stroke_width(4),
    )))?;
    for end in [a, b] {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(end, 0.3), (end, 0.7)],
            INTERVAL.stroke_width(2),
        )))?;
    }
    chart.draw_series(std::iter::once(Circle::new(
        (i.design.clamp(lo, hi), 0.5),
        6,
        INTERVAL.filled(),
    )))?;
    chart.draw_series(std::iter::once(
        EmptyElement::at((i.official.clamp(lo, hi), 0.72))
            + Polygon::new(vec![(-6, -10), (6, -10), (0, 0)], OFFICIAL.filled()),
    ))?;
    root.present()?;
    Ok(())
}
