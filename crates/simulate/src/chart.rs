//! The operating characteristic as a chart: the probability of approval over the true rate,
//! by the official rule (all four indicators), by the varied indicator alone, and on the
//! design basis, each point with ±2 Monte Carlo standard errors; the threshold and the 3%
//! planning point marked. Drawn with plotters' SVG backend into a `String`, in the colours
//! of the verdict report's charts (`assess-report`).

use crate::{SimulateError, Study};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Width and height of the chart, pixels.
const SIZE: (u32, u32) = (720, 420);
/// The verdict report's interval colour (the official rule here).
const OFFICIAL: RGBColor = RGBColor(0x1f, 0x4e, 0x79);
/// The verdict report's threshold colour.
const THRESHOLD: RGBColor = RGBColor(0xc0, 0x39, 0x2b);
const INDICATOR: RGBColor = RGBColor(0x2e, 0x8b, 0x57);
const DESIGN: RGBColor = RGBColor(0xe6, 0x7e, 0x22);
const PLANNING: RGBColor = RGBColor(0x88, 0x88, 0x88);
const GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
const AXIS: RGBColor = RGBColor(0x66, 0x66, 0x66);

/// The chart as an SVG document.
pub fn approval_curve(study: &Study) -> Result<String, SimulateError> {
    let mut svg = String::new();
    draw(&mut svg, study).map_err(SimulateError::Chart)?;
    Ok(svg)
}

/// A line of the chart: its legend, colour and points (true rate, probability with its SE).
type Line = (String, RGBColor, Vec<(f64, crate::Probability)>);

/// Colours of the grid's lines (one per ICC and tilt), after the three above.
const PALETTE: [RGBColor; 8] = [
    OFFICIAL,
    DESIGN,
    INDICATOR,
    THRESHOLD,
    RGBColor(0x8e, 0x44, 0xad),
    RGBColor(0x16, 0xa0, 0x85),
    RGBColor(0x7f, 0x8c, 0x8d),
    RGBColor(0xd3, 0x54, 0x00),
];

/// The lines: one study, the official rule, the varied rate alone and the design basis; a
/// grid, the official rule pooled over the counties, one line per ICC and tilt.
fn lines(study: &Study) -> Vec<Line> {
    let points = |rates: &[&crate::RateResult],
                  pick: fn(&crate::RateResult) -> crate::Probability| {
        rates
            .iter()
            .map(|r| (r.true_rate, pick(r)))
            .collect::<Vec<_>>()
    };
    let all: Vec<&crate::RateResult> = study.rates.iter().collect();
    let Some(grid) = &study.grid else {
        return vec![
            (
                "official rule (all four indicators)".to_string(),
                OFFICIAL,
                points(&all, |r| r.approved_official),
            ),
            (
                "the varied rate alone passes (official)".to_string(),
                INDICATOR,
                points(&all, |r| r.indicator_passes_official),
            ),
            (
                "design basis (all four, weighted)".to_string(),
                DESIGN,
                points(&all, |r| r.approved_design),
            ),
        ];
    };
    let mut out = Vec::new();
    for &icc in &grid.iccs {
        for &tilt in &grid.remote_tilts {
            let cell: Vec<&crate::RateResult> = all
                .iter()
                .copied()
                .filter(|r| {
                    r.cell
                        .as_ref()
                        .is_some_and(|c| c.icc == icc && c.remote_tilt == tilt)
                })
                .collect();
            let colour = PALETTE[out.len() % PALETTE.len()];
            out.push((
                format!("official rule, ICC {icc}, remote tilt {tilt}"),
                colour,
                points(&cell, |r| r.approved_official),
            ));
        }
    }
    out
}

fn draw(svg: &mut String, study: &Study) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let x_max = study
        .rates
        .iter()
        .map(|r| r.true_rate)
        .fold(study.threshold * 1.6, f64::max);
    let step = 0.005;
    let x_max = ((x_max * 1.08) / step).ceil() * step;
    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let indicator = study.varied.indicator().replace('_', " ");
    let mut chart = ChartBuilder::on(&root)
        .caption(
            match &study.grid {
                None => format!(
                    "Probability of approval, {} ({} reps per rate)",
                    study.county_name_or_code(),
                    study.reps
                ),
                Some(g) => format!(
                    "Probability of approval, {} ({} counties × {} reps per point)",
                    study.county_name_or_code(),
                    g.populations,
                    study.reps
                ),
            },
            ("sans-serif", 17).into_font().color(&AXIS),
        )
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(52)
        .build_cartesian_2d(0.0..x_max, 0.0..1.0)?;
    chart
        .configure_mesh()
        .x_desc(format!(
            "true {indicator} (realised in the synthetic county)"
        ))
        .y_desc("probability of approval")
        .x_labels(10)
        .y_labels(6)
        .x_label_formatter(&|x| format!("{:.1}%", 100.0 * x))
        .y_label_formatter(&|y| format!("{:.0}%", 100.0 * y))
        .label_style(("sans-serif", 14).into_font().color(&AXIS))
        .axis_style(AXIS)
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .draw()?;
    for (x, colour, label) in [
        (
            study.threshold,
            THRESHOLD,
            format!("threshold {:.1}%", 100.0 * study.threshold),
        ),
        (0.03, PLANNING, "3%".to_string()),
    ] {
        if x > x_max || (x == 0.03 && (study.threshold - 0.03).abs() < 1e-12) {
            continue;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, 0.0), (x, 1.0)],
            colour.stroke_width(2),
        )))?;
        chart.draw_series(std::iter::once(Text::new(
            label,
            (x, 0.98),
            ("sans-serif", 13)
                .into_font()
                .color(&colour)
                .pos(Pos::new(HPos::Left, VPos::Top)),
        )))?;
    }
    for (label, colour, line) in lines(study) {
        let points: Vec<(f64, f64)> = line.iter().map(|&(x, p)| (x, p.p)).collect();
        chart
            .draw_series(std::iter::once(PathElement::new(
                points.clone(),
                colour.stroke_width(2),
            )))?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(2))
            });
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, colour.filled())))?;
        chart.draw_series(line.iter().map(|&(x, p)| {
            PathElement::new(
                vec![
                    (x, (p.p - 2.0 * p.mc_se).max(0.0)),
                    (x, (p.p + 2.0 * p.mc_se).min(1.0)),
                ],
                colour.stroke_width(1),
            )
        }))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(GRID)
        .label_font(("sans-serif", 13).into_font().color(&AXIS))
        .draw()?;
    root.present()?;
    Ok(())
}
