//! The quantitative danger points of the 2009 guideline (农村危险房屋鉴定技术导则(试行),
//! 建村函〔2009〕69号) applied to measured cracks, tilt and members, each as pass / danger
//! point / indeterminate with the numbers, and the inspector's own grade (2019 guideline,
//! 建村函〔2019〕200号) kept beside the computed indication.
//!
//! Which crack rule applies to which crack (the project's reading of the guideline, see
//! docs/photos.md):
//! - vertical crack in a load-bearing wall (including under a bearing): width > 2 mm **and**
//!   length > ½ storey height;
//! - several (two or more) vertical cracks in a load-bearing wall, each longer than ⅓ storey;
//! - horizontal crack in a load-bearing wall (eccentric compression): width > 0.5 mm;
//! - any crack in the wall under a beam or truss bearing: width > 1 mm; several vertical
//!   cracks there;
//! - tilt of a wall or column: ratio > 0.7%.
//!
//! The rules on whole members (loss of section, wall junctions, height-to-thickness, wood
//! members) are in [`crate::members`]. Cracks in non-load-bearing components and diagonal
//! cracks away from a bearing match none of these points; they are reported as "no
//! quantitative rule" rather than as a pass.

use crate::measure::{Component, CrackMeasurement, Measure, Orientation, Tilt, TiltReadBy};
use crate::thresholds::{Limit, PhotoThresholds};
use assess_standards::{ComponentGrade, Tri};
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

/// A danger-point rule is a condition: met is a danger point.
impl From<Tri> for Indication {
    fn from(t: Tri) -> Indication {
        match t {
            Tri::Met => Indication::DangerPoint,
            Tri::Unmet => Indication::Pass,
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
    /// Several vertical cracks in a load-bearing wall, each longer than ⅓ storey.
    SeveralVerticalLoadBearing,
    /// Horizontal crack wider than 0.5 mm.
    Horizontal,
    /// Crack under a beam or truss bearing wider than 1 mm.
    UnderBearing,
    /// Several vertical cracks under a beam or truss bearing.
    SeveralVerticalUnderBearing,
    /// Tilt over 0.7%.
    Tilt,
    /// Weathering or loss of effective section reaching ¼.
    SectionLoss,
    /// Through-crack where adjacent walls meet (qualitative, recorded by the inspector).
    WallJunctionThroughCrack,
    /// Stone or earth wall height-to-thickness over 14 (one storey) or 12 (two storeys).
    HeightToThickness,
    /// Wood beam or truss deflection over L0/120.
    WoodDeflection,
    /// Wood truss out of plane over h/120.
    TrussOutOfPlane,
    /// Wood column bowing over h/150.
    ColumnBowing,
    /// Rot at a wood column's foot over ⅕ of the section.
    ColumnFootRot,
}

/// One quantity compared with its limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// What was compared (e.g. "max width (mm)").
    pub quantity: String,
    /// The measured value and interval.
    pub measured: Measure,
    /// The limit ("danger if greater than", or "if reaching" when `inclusive`).
    pub limit: f64,
    /// Reaching the limit is already a danger point.
    #[serde(default)]
    pub inclusive: bool,
    /// Outcome for this quantity alone.
    pub indication: Indication,
}

/// The result of one rule applied to one crack, a group of cracks, the tilt or a member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DangerFinding {
    /// The rule.
    pub rule: DangerRule,
    /// Index (from 0) of the crack in the input; `None` for rules on several cracks, tilt and
    /// members.
    pub crack: Option<usize>,
    /// Outcome of the rule (all comparisons combined).
    pub indication: Indication,
    /// The numbers.
    pub comparisons: Vec<Comparison>,
    /// Plain-language explanation with the numbers.
    pub explanation: String,
}

pub(crate) fn compare(quantity: &str, measured: Measure, limit: Limit) -> Comparison {
    Comparison {
        quantity: quantity.to_string(),
        measured,
        limit: limit.value,
        inclusive: limit.inclusive,
        indication: limit.test(&measured).into(),
    }
}

/// A finding of one rule that compares one quantity with its limit.
pub(crate) fn single(rule: DangerRule, c: Comparison, explanation: String) -> DangerFinding {
    DangerFinding {
        rule,
        crack: None,
        indication: c.indication,
        comparisons: vec![c],
        explanation,
    }
}

pub(crate) fn fmt_m(m: &Measure, digits: usize) -> String {
    format!(
        "{:.d$} (range {:.d$}-{:.d$})",
        m.value,
        m.low,
        m.high,
        d = digits
    )
}

/// "greater than" or "at least", for explanations.
pub(crate) fn relation(limit: Limit) -> &'static str {
    if limit.inclusive {
        "at least"
    } else {
        "over"
    }
}

pub(crate) fn word(i: Indication) -> &'static str {
    match i {
        Indication::Pass => "pass",
        Indication::DangerPoint => "danger point",
        Indication::Indeterminate => "indeterminate",
    }
}

/// Apply the crack and tilt danger points to measured cracks of one component group and its
/// tilt readings. `storey_height_mm` is the storey height of the wall (needed by the vertical-
/// crack rules). Returns one finding per rule that applies; cracks no rule applies to produce
/// no finding (see [`unmatched_cracks`]).
pub fn assess(
    cracks: &[CrackMeasurement],
    storey_height_mm: Option<f64>,
    tilts: &[Tilt],
    t: &PhotoThresholds,
) -> Vec<DangerFinding> {
    let storey = storey_height_mm.filter(|h| h.is_finite() && *h > 0.0);
    let mut out = Vec::new();
    for (i, c) in cracks.iter().enumerate() {
        if c.component.is_load_bearing() && c.orientation == Orientation::Vertical {
            out.push(vertical_load_bearing(i, c, storey, t));
        }
        if c.component.is_load_bearing() && c.orientation == Orientation::Horizontal {
            out.push(horizontal(i, c, t));
        }
        if c.component == Component::UnderBeamOrTrussBearing {
            out.push(under_bearing(i, c, t));
        }
    }
    out.extend(several_vertical_load_bearing(cracks, storey, t));
    out.extend(several_vertical_under_bearing(cracks, t));
    out.extend(tilts.iter().map(|tilt| tilt_rule(tilt, t)));
    out
}

/// Width > 2 mm **and** length > ½ storey, with three-valued logic: pass if either certainly
/// passes, danger only if both are certainly exceeded.
fn vertical_load_bearing(
    i: usize,
    c: &CrackMeasurement,
    storey: Option<f64>,
    t: &PhotoThresholds,
) -> DangerFinding {
    let wlim = t.vertical_load_bearing_width_mm.limit();
    let w = compare("max width (mm)", c.max_width_mm, wlim);
    let mut comparisons = vec![w.clone()];
    let (len_tri, len_text) = match storey {
        Some(h) => {
            let llim = t
                .vertical_load_bearing_length_fraction_of_storey
                .limit_times(h);
            let l = compare("length (mm)", c.length_mm, llim);
            let text = format!(
                "length {} mm vs {:.0} mm ({} of storey {:.0} mm): {}",
                fmt_m(&c.length_mm, 0),
                llim.value,
                t.vertical_load_bearing_length_fraction_of_storey.value,
                h,
                word(l.indication)
            );
            comparisons.push(l);
            (llim.test(&c.length_mm), text)
        }
        None => (
            Tri::Unknown,
            "storey height not recorded, length cannot be judged".into(),
        ),
    };
    let ind: Indication = Tri::all([wlim.test(&c.max_width_mm), len_tri]).into();
    DangerFinding {
        rule: DangerRule::VerticalLoadBearing,
        crack: Some(i),
        indication: ind,
        explanation: format!(
            "crack {}: vertical in a load-bearing wall; width {} mm vs {} mm: {}; {len_text} => {}",
            i + 1,
            fmt_m(&c.max_width_mm, 2),
            wlim.value,
            word(w.indication),
            word(ind)
        ),
        comparisons,
    }
}

fn horizontal(i: usize, c: &CrackMeasurement, t: &PhotoThresholds) -> DangerFinding {
    let lim = t.horizontal_width_mm.limit();
    let w = compare("max width (mm)", c.max_width_mm, lim);
    let text = format!(
        "crack {}: horizontal in a load-bearing wall; width {} mm vs {} mm => {}",
        i + 1,
        fmt_m(&c.max_width_mm, 2),
        lim.value,
        word(w.indication)
    );
    DangerFinding {
        crack: Some(i),
        ..single(DangerRule::Horizontal, w, text)
    }
}

fn under_bearing(i: usize, c: &CrackMeasurement, t: &PhotoThresholds) -> DangerFinding {
    let lim = t.under_bearing_width_mm.limit();
    let w = compare("max width (mm)", c.max_width_mm, lim);
    let text = format!(
        "crack {}: under a beam or truss bearing; width {} mm vs {} mm => {}",
        i + 1,
        fmt_m(&c.max_width_mm, 2),
        lim.value,
        word(w.indication)
    );
    DangerFinding {
        crack: Some(i),
        ..single(DangerRule::UnderBearing, w, text)
    }
}

/// How many of the candidates certainly (`Yes`) or possibly (`Yes` or `Unknown`) qualify, as
/// an interval: compared with the "several" count it is a danger point if the certain count
/// reaches it, a pass if even the possible count does not, indeterminate otherwise.
fn qualifying_count(answers: &[Tri]) -> Measure {
    let certain = answers.iter().filter(|a| **a == Tri::Met).count() as f64;
    let possible = answers.iter().filter(|a| **a != Tri::Unmet).count() as f64;
    Measure {
        value: certain,
        low: certain,
        high: possible,
    }
}

/// Several (two or more) vertical cracks in a load-bearing wall each longer than ⅓ storey.
/// Applies when there is at least one vertical crack in a load-bearing component; a missing
/// storey height makes every length unknown.
fn several_vertical_load_bearing(
    cracks: &[CrackMeasurement],
    storey: Option<f64>,
    t: &PhotoThresholds,
) -> Option<DangerFinding> {
    let candidates: Vec<(usize, &CrackMeasurement)> = cracks
        .iter()
        .enumerate()
        .filter(|(_, c)| c.component.is_load_bearing() && c.orientation == Orientation::Vertical)
        .collect();
    if candidates.is_empty() {
        return None;
    }
    let divisor = t.several_vertical_length_storey_divisor.value;
    let mut comparisons = Vec::new();
    let mut answers = Vec::new();
    let mut parts = Vec::new();
    for (i, c) in &candidates {
        match storey {
            Some(h) => {
                let lim = t.several_vertical_length_storey_divisor.limit_divided(h);
                let l = compare(&format!("crack {} length (mm)", i + 1), c.length_mm, lim);
                parts.push(format!(
                    "crack {} {} mm: {}",
                    i + 1,
                    fmt_m(&c.length_mm, 0),
                    word(l.indication)
                ));
                answers.push(lim.test(&c.length_mm));
                comparisons.push(l);
            }
            None => answers.push(Tri::Unknown),
        }
    }
    let count = compare(
        "qualifying cracks (count)",
        qualifying_count(&answers),
        t.several_cracks_min_count.limit(),
    );
    let n = t.several_cracks_min_count.value;
    let limit_text = match storey {
        Some(h) => format!(
            "longer than {:.0} mm (storey {h:.0} mm / {divisor})",
            h / divisor
        ),
        None => "longer than 1/3 storey (storey height not recorded)".into(),
    };
    let explanation = format!(
        "{} vertical crack(s) in a load-bearing wall, {} certainly and {} possibly {limit_text}; \
         {n} or more is a danger point{}{} => {}",
        candidates.len(),
        count.measured.low,
        count.measured.high,
        if parts.is_empty() { "" } else { ": " },
        parts.join(", "),
        word(count.indication)
    );
    let indication = count.indication;
    comparisons.push(count);
    Some(DangerFinding {
        rule: DangerRule::SeveralVerticalLoadBearing,
        crack: None,
        indication,
        comparisons,
        explanation,
    })
}

/// Several (two or more) vertical cracks in the wall under a beam or truss bearing (the count
/// is exact: the orientation is recorded by the inspector). Applies when there is at least one.
fn several_vertical_under_bearing(
    cracks: &[CrackMeasurement],
    t: &PhotoThresholds,
) -> Option<DangerFinding> {
    let which: Vec<usize> = cracks
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.component == Component::UnderBeamOrTrussBearing
                && c.orientation == Orientation::Vertical
        })
        .map(|(i, _)| i + 1)
        .collect();
    if which.is_empty() {
        return None;
    }
    let count = compare(
        "vertical cracks under the bearing (count)",
        Measure::exact(which.len() as f64),
        t.several_cracks_min_count.limit(),
    );
    let text = format!(
        "{} vertical crack(s) under a beam or truss bearing (cracks {:?}); {} or more is a \
         danger point => {}",
        which.len(),
        which,
        t.several_cracks_min_count.value,
        word(count.indication)
    );
    Some(single(DangerRule::SeveralVerticalUnderBearing, count, text))
}

fn tilt_rule(tilt: &Tilt, t: &PhotoThresholds) -> DangerFinding {
    let lim = t.tilt_ratio.limit();
    let c = compare("tilt ratio", tilt.ratio, lim);
    let how = match tilt.read_by {
        TiltReadBy::Plumb => "plumb reading",
        TiltReadBy::Photo => "edge on the photo, an indication only",
    };
    let text = format!(
        "tilt ({how}) {:.2}% (range {:.2}-{:.2}%), danger when {} {:.2}% => {}",
        tilt.ratio.value * 100.0,
        tilt.ratio.low * 100.0,
        tilt.ratio.high * 100.0,
        relation(lim),
        lim.value * 100.0,
        word(c.indication)
    );
    single(DangerRule::Tilt, c, text)
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
        let t = PhotoThresholds::builtin();
        // 0.2 mm/px
        let s = Scale::new(Px::new(0.0, 0.0), Px::new(700.0, 0.0), 140.0).unwrap();
        let wall = Component::LoadBearingWall;
        let m = |len, w| {
            crack(Orientation::Vertical, wall, len, w)
                .measure(&s)
                .unwrap()
        };
        // 3 mm wide (15 px), 2 m long (10000 px) in a 3 m storey: danger.
        let f = assess(&[m(10_000.0, 15.0)], Some(3000.0), &[], &t);
        assert_eq!(
            f[0].indication,
            Indication::DangerPoint,
            "{}",
            f[0].explanation
        );
        // 3 mm wide but 1 m long: pass (length certainly under 1.5 m).
        let f = assess(&[m(5_000.0, 15.0)], Some(3000.0), &[], &t);
        assert_eq!(f[0].indication, Indication::Pass);
        // 2 mm wide exactly (10 px ± 1): straddles 2 mm -> indeterminate.
        let f = assess(&[m(10_000.0, 10.0)], Some(3000.0), &[], &t);
        assert_eq!(f[0].indication, Indication::Indeterminate);
        // No storey height: wide crack is indeterminate, narrow crack still passes.
        let f = assess(&[m(10_000.0, 15.0)], None, &[], &t);
        assert_eq!(f[0].indication, Indication::Indeterminate);
        let f = assess(&[m(10_000.0, 5.0)], None, &[], &t);
        assert_eq!(f[0].indication, Indication::Pass);
    }

    #[test]
    fn horizontal_bearing_and_tilt() {
        let t = PhotoThresholds::builtin();
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
        let f = assess(&[h, b, n], Some(3000.0), &[tilt], &t);
        assert_eq!(f.len(), 3);
        assert_eq!(f[0].rule, DangerRule::Horizontal);
        assert_eq!(f[0].indication, Indication::DangerPoint);
        assert_eq!(f[1].rule, DangerRule::UnderBearing);
        assert_eq!(f[1].indication, Indication::Pass);
        assert_eq!(f[2].rule, DangerRule::Tilt);
        assert_eq!(f[2].indication, Indication::DangerPoint);
        assert_eq!(unmatched_cracks(&[h, b, n]), vec![2]);
        let near = Tilt::from_plumb(21.0, 3000.0, 2.0).unwrap(); // 0.7% ± ...
        let f = assess(&[], None, &[near], &t);
        assert_eq!(f[0].indication, Indication::Indeterminate);
    }

    fn scale() -> Scale {
        // 0.2 mm/px in [140/702, 140/698].
        Scale::new(Px::new(0.0, 0.0), Px::new(700.0, 0.0), 140.0).unwrap()
    }

    fn vertical(c: Component, len_px: f64) -> CrackMeasurement {
        crack(Orientation::Vertical, c, len_px, 3.0)
            .measure(&scale())
            .unwrap()
    }

    fn only(f: &[DangerFinding], rule: DangerRule) -> &DangerFinding {
        let mut it = f.iter().filter(|x| x.rule == rule);
        let one = it.next().expect("a finding of the rule");
        assert!(it.next().is_none());
        one
    }

    #[test]
    fn several_vertical_cracks_longer_than_a_third_of_the_storey() {
        let t = PhotoThresholds::builtin();
        let wall = Component::LoadBearingWall;
        let rule = DangerRule::SeveralVerticalLoadBearing;
        // Storey 3000 mm: the limit is 1000 mm = 5000 px at 0.2 mm/px.
        let long = vertical(wall, 6000.0); // 1200 mm, [1196, 1203]
        let short = vertical(wall, 4000.0); // 800 mm
        let at = vertical(wall, 5000.0); // 1000 mm exactly, the ±px interval straddles it
        let ind = |cs: &[CrackMeasurement], h| only(&assess(cs, h, &[], &t), rule).indication;
        assert_eq!(ind(&[long, long], Some(3000.0)), Indication::DangerPoint);
        assert_eq!(ind(&[long, short], Some(3000.0)), Indication::Pass);
        assert_eq!(ind(&[long], Some(3000.0)), Indication::Pass);
        assert_eq!(ind(&[long, at], Some(3000.0)), Indication::Indeterminate);
        assert_eq!(ind(&[long, long], None), Indication::Indeterminate);
        // Three cracks, two certainly long: danger whatever the third.
        assert_eq!(
            ind(&[long, at, long], Some(3000.0)),
            Indication::DangerPoint
        );
        // A crack under a bearing is in a load-bearing wall too.
        let bearing = vertical(Component::UnderBeamOrTrussBearing, 6000.0);
        assert_eq!(ind(&[long, bearing], Some(3000.0)), Indication::DangerPoint);
        // Non-load-bearing and horizontal cracks are not candidates: no finding.
        let partition = vertical(Component::NonLoadBearing, 9000.0);
        assert!(assess(&[partition], Some(3000.0), &[], &t)
            .iter()
            .all(|f| f.rule != rule));
        let f = assess(&[long, short], Some(3000.0), &[], &t);
        let text = &only(&f, rule).explanation;
        assert!(
            text.contains("crack 1 1200") && text.contains("crack 2 800"),
            "{text}"
        );
    }

    #[test]
    fn several_vertical_cracks_under_a_bearing() {
        let t = PhotoThresholds::builtin();
        let bearing = Component::UnderBeamOrTrussBearing;
        let rule = DangerRule::SeveralVerticalUnderBearing;
        // Narrow (0.6 mm) and short: only the count can make a danger point.
        let v = vertical(bearing, 500.0);
        let d = crack(Orientation::Diagonal, bearing, 500.0, 3.0)
            .measure(&scale())
            .unwrap();
        let f = assess(&[v, v], None, &[], &t);
        assert_eq!(only(&f, rule).indication, Indication::DangerPoint);
        assert_eq!(combined(&f), Some(Indication::DangerPoint));
        let f = assess(&[v, d], None, &[], &t);
        assert_eq!(only(&f, rule).indication, Indication::Pass);
        assert!(assess(&[d], None, &[], &t).iter().all(|f| f.rule != rule));
    }

    #[test]
    fn tilt_exactly_at_the_limit_is_not_over_it() {
        let t = PhotoThresholds::builtin();
        // 21 mm over 3000 mm read without error: exactly 0.7%, and the guideline says "over".
        let at = Tilt::from_plumb(21.0, 3000.0, 0.0).unwrap();
        let f = assess(&[], None, &[at], &t);
        assert_eq!(f[0].indication, Indication::Pass, "{}", f[0].explanation);
        // On the photo, 7 px over 1000 px: 0.7% in [5/1002, 9/998], indeterminate.
        let photo = Tilt::from_pixels(Px::new(7.0, 0.0), Px::new(0.0, 1000.0), 1.0).unwrap();
        let f = assess(&[], None, &[photo], &t);
        assert_eq!(f[0].indication, Indication::Indeterminate);
        assert!(
            f[0].explanation.contains("indication only"),
            "{}",
            f[0].explanation
        );
        let steep = Tilt::from_pixels(Px::new(12.0, 0.0), Px::new(0.0, 1000.0), 1.0).unwrap();
        assert_eq!(
            assess(&[], None, &[steep], &t)[0].indication,
            Indication::DangerPoint
        );
    }

    #[test]
    fn disagreements_are_listed() {
        let t = PhotoThresholds::builtin();
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
                assess(&[h], None, &[], &t),
            ),
            GradeComparison::new(
                "west wall",
                Some(ComponentGrade::D),
                assess(&[ok], None, &[], &t),
            ),
            GradeComparison::new(
                "north wall",
                Some(ComponentGrade::D),
                assess(&[h], None, &[], &t),
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
