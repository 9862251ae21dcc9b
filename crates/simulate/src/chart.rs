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

type Series = (
    &'static str,
    RGBColor,
    fn(&crate::RateResult) -> crate::Probability,
);

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
            format!(
                "Probability of approval, {} ({} reps per rate)",
                study.county_name_or_code(),
                study.reps
            ),
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
    let series: [Series; 3] = [
        ("official rule (all four indicators)", OFFICIAL, |r| {
            r.approved_official
        }),
        ("the varied rate alone passes (official)", INDICATOR, |r| {
            r.indicator_passes_official
        }),
        ("design basis (all four, weighted)", DESIGN, |r| {
            r.approved_design
        }),
    ];
    for (label, colour, pick) in series {
        let points: Vec<(f64, f64)> = study
            .rates
            .iter()
            .map(|r| (r.true_rate, pick(r).p))
            .collect();
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
        chart.draw_series(study.rates.iter().map(|r| {
            let p = pick(r);
            PathElement::new(
                vec![
                    (r.true_rate, (p.p - 2.0 * p.mc_se).max(0.0)),
                    (r.true_rate, (p.p + 2.0 * p.mc_se).min(1.0)),
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
