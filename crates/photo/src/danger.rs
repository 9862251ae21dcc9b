//! The quantitative danger points of the 2009 guideline (农村危险房屋鉴定技术导则(试行),
//! 建村函〔2009〕69号) applied to measured cracks and tilt, each as pass / danger point /
//! indeterminate with the numbers, and the inspector's own grade (2019 guideline,
//! 建村函〔2019〕200号) kept beside the computed indication.
//!
//! Which rule applies to which crack (the project's reading of the guideline, see
//! docs/photos.md):
//! - vertical crack in a load-bearing wall (including under a bearing): width > 2 mm **and**
//!   length > ½ storey height;
//! - horizontal crack in a load-bearing wall (eccentric compression): width > 0.5 mm;
//! - any crack in the wall under a beam or truss bearing: width > 1 mm;
//! - tilt of a wall or column: ratio > 0.7%.
//!
//! Cracks in non-load-bearing components and diagonal cracks away from a bearing match none
//! of these points; they are reported as "no quantitative rule" rather than as a pass.

use crate::measure::{Component, CrackMeasurement, Measure, Orientation, Tilt, Tri};
use crate::thresholds::Thresholds;
use serde::{Deserialize, Serialize};

/// Outcome of one danger-point rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indication {
    /// The measurement is certainly within the limit.
    Pass,
    /// The measurement certainly exceeds the limit: a danger point.
    DangerPoint,
    /// The uncertainty interval straddles the limit, or a needed input is missing.
    Indeterminate,
}

impl From<Tri> for Indication {
    fn from(t: Tri) -> Indication {
        match t {
            Tri::Yes => Indication::DangerPoint,
            Tri::No => Indication::Pass,
            Tri::Unknown => Indication::Indeterminate,
        }
    }
}

/// Which danger point of the 2009 guideline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DangerRule {
    /// Vertical crack in a load-bearing wall wider than 2 mm and longer than ½ storey.
    VerticalLoadBearing,
    /// Horizontal crack wider than 0.5 mm.
    Horizontal,
    /// Crack under a beam or truss bearing wider than 1 mm.
    UnderBearing,
    /// Tilt over 0.7%.
    Tilt,
}

/// One quantity compared with its limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// What was compared (e.g. "max width (mm)").
    pub quantity: String,
    /// The measured value and interval.
    pub measured: Measure,
    /// The limit ("danger if greater than").
    pub limit: f64,
    /// Outcome for this quantity alone.
    pub indication: Indication,
}

/// The result of one rule applied to one crack (or to the tilt).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DangerFinding {
    /// The rule.
    pub rule: DangerRule,
    /// Index of the crack in the input, `None` for tilt.
    pub crack: Option<usize>,
    /// Outcome of the rule (all comparisons combined).
    pub indication: Indication,
    /// The numbers.
    pub comparisons: Vec<Comparison>,
    /// Plain-language explanation with the numbers.
    pub explanation: String,
}

fn compare(quantity: &str, measured: Measure, limit: f64) -> Comparison {
    Comparison {
        quantity: quantity.to_string(),
        measured,
        limit,
        indication: measured.exceeds(limit).into(),
    }
}

fn fmt_m(m: &Measure, digits: usize) -> String {
    format!(
        "{:.d$} (range {:.d$}-{:.d$})",
        m.value,
        m.low,
        m.high,
        d = digits
    )
}

fn word(i: Indication) -> &'static str {
    match i {
        Indication::Pass => "pass",
        Indication::DangerPoint => "danger point",
        Indication::Indeterminate => "indeterminate",
    }
}

/// Apply the danger points to measured cracks of one component group and an optional tilt.
/// `storey_height_mm` is the storey height of the wall (needed by the vertical-crack rule).
/// Returns one finding per rule that applies; cracks no rule applies to produce no finding
/// (see [`unmatched_cracks`]).
pub fn assess(
    cracks: &[CrackMeasurement],
    storey_height_mm: Option<f64>,
    tilt: Option<&Tilt>,
    t: &Thresholds,
) -> Vec<DangerFinding> {
    let mut out = Vec::new();
    for (i, c) in cracks.iter().enumerate() {
        if c.component.is_load_bearing() && c.orientation == Orientation::Vertical {
            let wlim = t.vertical_load_bearing_width_mm.value;
            let w = compare("max width (mm)", c.max_width_mm, wlim);
            let mut comparisons = vec![w.clone()];
            let len_tri;
            let len_text;
            match storey_height_mm.filter(|h| h.is_finite() && *h > 0.0) {
                Some(h) => {
                    let llim = t.vertical_load_bearing_length_fraction_of_storey.value * h;
                    let l = compare("length (mm)", c.length_mm, llim);
                    len_tri = c.length_mm.exceeds(llim);
                    len_text = format!(
                        "length {} mm vs {:.0} mm (1/2 of storey {:.0} mm): {}",
                        fmt_m(&c.length_mm, 0),
                        llim,
                        h,
                        word(l.indication)
                    );
                    comparisons.push(l);
                }
                None => {
                    len_tri = Tri::Unknown;
                    len_text = "storey height not recorded, length cannot be judged".into();
                }
            }
            let ind: Indication = c.max_width_mm.exceeds(wlim).and(len_tri).into();
            out.push(DangerFinding {
                rule: DangerRule::VerticalLoadBearing,
                crack: Some(i),
                indication: ind,
                explanation: format!(
                    "crack {i}: vertical in a load-bearing wall; width {} mm vs {wlim} mm: {}; \
                     {len_text} => {}",
                    fmt_m(&c.max_width_mm, 2),
                    word(w.indication),
                    word(ind)
                ),
                comparisons,
            });
        }
        if c.component.is_load_bearing() && c.orientation == Orientation::Horizontal {
            let lim = t.horizontal_width_mm.value;
            let w = compare("max width (mm)", c.max_width_mm, lim);
            out.push(DangerFinding {
                rule: DangerRule::Horizontal,
                crack: Some(i),
                indication: w.indication,
                explanation: format!(
                    "crack {i}: horizontal in a load-bearing wall; width {} mm vs {lim} mm => {}",
                    fmt_m(&c.max_width_mm, 2),
                    word(w.indication)
                ),
                comparisons: vec![w],
            });
        }
        if c.component == Component::UnderBeamOrTrussBearing {
            let lim = t.under_bearing_width_mm.value;
            let w = compare("max width (mm)", c.max_width_mm, lim);
            out.push(DangerFinding {
                rule: DangerRule::UnderBearing,
                crack: Some(i),
                indication: w.indication,
                explanation: format!(
                    "crack {i}: under a beam or truss bearing; width {} mm vs {lim} mm => {}",
                    fmt_m(&c.max_width_mm, 2),
                    word(w.indication)
                ),
                comparisons: vec![w],
            });
        }
    }
    if let Some(tilt) = tilt {
        let lim = t.tilt_ratio.value;
        let c = compare("tilt ratio", tilt.ratio, lim);
        out.push(DangerFinding {
            rule: DangerRule::Tilt,
            crack: None,
            indication: c.indication,
            explanation: format!(
                "tilt {:.2}% (range {:.2}-{:.2}%) vs {:.2}% => {}",
                tilt.ratio.value * 100.0,
                tilt.ratio.low * 100.0,
                tilt.ratio.high * 100.0,
                lim * 100.0,
                word(c.indication)
            ),
            comparisons: vec![c],
        });
    }
    out
}

/// Indices of cracks no implemented danger point applies to (non-load-bearing components,
/// diagonal cracks away from a bearing). They are evidence for the inspector's judgement only.
pub fn unmatched_cracks(cracks: &[CrackMeasurement]) -> Vec<usize> {
    cracks
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            !c.component.is_load_bearing()
                || (c.orientation == Orientation::Diagonal
                    && c.component != Component::UnderBeamOrTrussBearing)
        })
        .map(|(i, _)| i)
        .collect()
}

/// The combined indication of several findings: a danger point if any, else indeterminate if
/// any, else pass. `None` when there is no finding at all.
pub fn combined(findings: &[DangerFinding]) -> Option<Indication> {
    if findings.is_empty() {
        None
    } else if findings
        .iter()
        .any(|f| f.indication == Indication::DangerPoint)
    {
        Some(Indication::DangerPoint)
    } else if findings
        .iter()
        .any(|f| f.indication == Indication::Indeterminate)
    {
        Some(Indication::Indeterminate)
    } else {
        Some(Indication::Pass)
    }
}

/// A component grade of the 2019 guideline (a: intact ... d: dangerous), as the inspector
/// recorded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ComponentGrade {
    /// a
    A,
    /// b
    B,
    /// c
    C,
    /// d
    D,
}

/// The computed indication beside the inspector's grade for one component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeComparison {
    /// Name of the component (e.g. "north load-bearing wall").
    pub component: String,
    /// The inspector's grade (2019 guideline), if recorded.
    pub inspector: Option<ComponentGrade>,
    /// The computed indication from the 2009 danger points, `None` if no rule applied.
    pub computed: Option<Indication>,
    /// The findings behind it.
    pub findings: Vec<DangerFinding>,
}

/// How the inspector's grade and the computed indication disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisagreementKind {
    /// A measured danger point, but the inspector graded the component a or b.
    DangerPointGradedSafe,
    /// The inspector graded the component d, yet every measured rule passes (the inspector
    /// may rely on evidence not measured; the note should say which).
    GradedDangerousAllPass,
}

/// One disagreement to review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disagreement {
    /// The component.
    pub component: String,
    /// The kind.
    pub kind: DisagreementKind,
    /// The inspector's grade.
    pub inspector: ComponentGrade,
    /// Explanation with the numbers.
    pub detail: String,
}

impl GradeComparison {
    /// Build from the findings of one component and the inspector's grade.
    pub fn new(
        component: &str,
        inspector: Option<ComponentGrade>,
        findings: Vec<DangerFinding>,
    ) -> GradeComparison {
        GradeComparison {
            component: component.to_string(),
            inspector,
            computed: combined(&findings),
            findings,
        }
    }

    /// The disagreement, if any. An indeterminate indication never disagrees.
    pub fn disagreement(&self) -> Option<Disagreement> {
        let g = self.inspector?;
        let kind = match (self.computed?, g) {
            (Indication::DangerPoint, ComponentGrade::A | ComponentGrade::B) => {
                DisagreementKind::DangerPointGradedSafe
            }
            (Indication::Pass, ComponentGrade::D) => DisagreementKind::GradedDangerousAllPass,
            _ => return None,
        };
        let detail = self
            .findings
            .iter()
            .map(|f| f.explanation.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        Some(Disagreement {
            component: self.component.clone(),
            kind,
            inspector: g,
            detail,
        })
    }
}

/// Every disagreement among the components of one house.
pub fn disagreements(components: &[GradeComparison]) -> Vec<Disagreement> {
    components.iter().filter_map(|c| c.disagreement()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::{Crack, Px, Scale};

    fn crack(o: Orientation, c: Component, len_px: f64, w_px: f64) -> Crack {
        Crack {
            points: vec![Px::new(100.0, 100.0), Px::new(100.0, 100.0 + len_px)],
            widths_px: vec![w_px * 0.5, w_px],
            orientation: o,
            component: c,
        }
    }

    #[test]
    fn vertical_rule_needs_both_width_and_length() {
        let t = Thresholds::builtin();
        // 0.2 mm/px
        let s = Scale::new(Px::new(0.0, 0.0), Px::new(700.0, 0.0), 140.0).unwrap();
        let wall = Component::LoadBearingWall;
        let m = |len, w| {
            crack(Orientation::Vertical, wall, len, w)
                .measure(&s)
                .unwrap()
        };
        // 3 mm wide (15 px), 2 m long (10000 px) in a 3 m storey: danger.
        let f = assess(&[m(10_000.0, 15.0)], Some(3000.0), None, &t);
        assert_eq!(
            f[0].indication,
            Indication::DangerPoint,
            "{}",
            f[0].explanation
        );
        // 3 mm wide but 1 m long: pass (length certainly under 1.5 m).
        let f = assess(&[m(5_000.0, 15.0)], Some(3000.0), None, &t);
        assert_eq!(f[0].indication, Indication::Pass);
        // 2 mm wide exactly (10 px ± 1): straddles 2 mm -> indeterminate.
        let f = assess(&[m(10_000.0, 10.0)], Some(3000.0), None, &t);
        assert_eq!(f[0].indication, Indication::Indeterminate);
        // No storey height: wide crack is indeterminate, narrow crack still passes.
        let f = assess(&[m(10_000.0, 15.0)], None, None, &t);
        assert_eq!(f[0].indication, Indication::Indeterminate);
        let f = assess(&[m(10_000.0, 5.0)], None, None, &t);
        assert_eq!(f[0].indication, Indication::Pass);
    }

    #[test]
    fn horizontal_bearing_and_tilt() {
        let t = Thresholds::builtin();
        let s = Scale::new(Px::new(0.0, 0.0), Px::new(700.0, 0.0), 140.0).unwrap();
        let h = crack(
            Orientation::Horizontal,
            Component::LoadBearingWall,
            500.0,
            5.0,
        )
        .measure(&s)
        .unwrap(); // 1.0 mm > 0.5
        let b = crack(
            Orientation::Diagonal,
            Component::UnderBeamOrTrussBearing,
            300.0,
            3.0,
        )
        .measure(&s)
        .unwrap(); // 0.6 mm < 1
        let n = crack(
            Orientation::Vertical,
            Component::NonLoadBearing,
            9000.0,
            50.0,
        )
        .measure(&s)
        .unwrap();
        let tilt = Tilt::from_plumb(30.0, 3000.0, 2.0).unwrap(); // 1.0% > 0.7%
        let f = assess(&[h, b, n], Some(3000.0), Some(&tilt), &t);
        assert_eq!(f.len(), 3);
        assert_eq!(f[0].rule, DangerRule::Horizontal);
        assert_eq!(f[0].indication, Indication::DangerPoint);
        assert_eq!(f[1].rule, DangerRule::UnderBearing);
        assert_eq!(f[1].indication, Indication::Pass);
        assert_eq!(f[2].rule, DangerRule::Tilt);
        assert_eq!(f[2].indication, Indication::DangerPoint);
        assert_eq!(unmatched_cracks(&[h, b, n]), vec![2]);
        let near = Tilt::from_plumb(21.0, 3000.0, 2.0).unwrap(); // 0.7% ± ...
        let f = assess(&[], None, Some(&near), &t);
        assert_eq!(f[0].indication, Indication::Indeterminate);
    }

    #[test]
    fn disagreements_are_listed() {
        let t = Thresholds::builtin();
        let s = Scale::new(Px::new(0.0, 0.0), Px::new(700.0, 0.0), 140.0).unwrap();
        let h = crack(
            Orientation::Horizontal,
            Component::LoadBearingWall,
            500.0,
            5.0,
        )
        .measure(&s)
        .unwrap();
        let ok = crack(
            Orientation::Horizontal,
            Component::LoadBearingWall,
            500.0,
            1.0,
        )
        .measure(&s)
        .unwrap();
        let comps = vec![
            GradeComparison::new(
                "east wall",
                Some(ComponentGrade::B),
                assess(&[h], None, None, &t),
            ),
            GradeComparison::new(
                "west wall",
                Some(ComponentGrade::D),
                assess(&[ok], None, None, &t),
            ),
            GradeComparison::new(
                "north wall",
                Some(ComponentGrade::D),
                assess(&[h], None, None, &t),
            ),
            GradeComparison::new("roof", Some(ComponentGrade::A), vec![]),
        ];
        let d = disagreements(&comps);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].component, "east wall");
        assert_eq!(d[0].kind, DisagreementKind::DangerPointGradedSafe);
        assert!(d[0].detail.contains("1.00"), "{}", d[0].detail);
        assert_eq!(d[1].kind, DisagreementKind::GradedDangerousAllPass);
        assert_eq!(comps[3].computed, None);
    }
}
