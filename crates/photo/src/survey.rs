//! The measurement file of one photographed component (format in docs/photos.md): the reference
//! object, the cracks marked on the photo, tilt and member readings, the inspector's grade; and
//! what it gives: measurements with their intervals, the danger-point findings, the computed
//! indication beside the grade. Pure: the caller reads the file.

use crate::danger::{assess, disagreements, unmatched_cracks, DangerFinding};
use crate::danger::{Disagreement, GradeComparison};
use crate::measure::{Crack, CrackMeasurement, Measure, Px, Scale, Tilt};
use crate::members;
use crate::readings::{HeightToThickness, SectionLoss, TiltReading, WoodReadings};
use crate::{PhotoError, PhotoThresholds};
use assess_standards::ComponentGrade;
use serde::{Deserialize, Serialize};

/// The reference object of known length in the frame (a pen).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// One end (px).
    pub a: Px,
    /// The other end (px).
    pub b: Px,
    /// Real length (mm).
    pub length_mm: f64,
}

/// The measurement file of one component. Every part but one measurement is optional; the
/// reference is needed when a crack or a length is marked on the photo in mm.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Survey {
    /// The reference object, for the scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<Reference>,
    /// Storey height (mm), for the vertical-crack rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storey_height_mm: Option<f64>,
    /// Name of the component (e.g. "north load-bearing wall").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// The inspector's grade (2019 guideline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspector_grade: Option<ComponentGrade>,
    /// Cracks marked on the photo.
    #[serde(default)]
    pub cracks: Vec<Crack>,
    /// Tilt of the wall or column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tilt: Option<TiltReading>,
    /// A through-crack where adjacent walls meet, as the inspector saw it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall_junction_through_crack: Option<bool>,
    /// Loss of section of a masonry wall or column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_loss: Option<SectionLoss>,
    /// Height and thickness of a stone or earth wall.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height_to_thickness: Option<HeightToThickness>,
    /// Wood members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wood: Option<WoodReadings>,
}

/// What a measurement file gives (stored as the link's results).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Version of the thresholds applied.
    pub thresholds_version: String,
    /// Placement error of one marked point (px).
    pub point_error_px: f64,
    /// The scale, when a reference was given.
    pub mm_per_px: Option<Measure>,
    /// Each crack's length and maximum width.
    pub cracks: Vec<CrackMeasurement>,
    /// Each tilt reading of the wall or column.
    pub tilt: Vec<Tilt>,
    /// Findings, the computed indication and the inspector's grade.
    pub grade: GradeComparison,
    /// Cracks no quantitative danger point applies to (indices from 0).
    pub unmatched_cracks: Vec<usize>,
    /// Where the inspector's grade and the computed indication disagree.
    pub disagreements: Vec<Disagreement>,
}

/// [`Survey::check_within`] on one value at JSON path `at`.
fn check_value(value: &serde_json::Value, at: &str, w: f64, h: f64) -> Result<(), PhotoError> {
    use serde_json::Value;
    let refuse = |message: String| Err(PhotoError::Measurement(format!("{at}: {message}")));
    match value {
        Value::Object(map) => {
            if let (Some(x), Some(y), 2) = (map.get("x"), map.get("y"), map.len()) {
                let (x, y) = (
                    x.as_f64().unwrap_or(f64::NAN),
                    y.as_f64().unwrap_or(f64::NAN),
                );
                if !((0.0..=w).contains(&x) && (0.0..=h).contains(&y)) {
                    return refuse(format!(
                        "the point ({x}, {y}) is outside the photo, which is {w} × {h} px \
                         (x from 0 to {w}, y from 0 to {h}); mark it on this photo"
                    ));
                }
                return Ok(());
            }
            for (key, v) in map {
                let path = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                check_number_field(key, v, &path, w, h)?;
                check_value(v, &path, w, h)?;
            }
            Ok(())
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| check_value(v, &format!("{at}[{}]", i + 1), w, h)),
        _ => Ok(()),
    }
}

/// A number (or a list of numbers) under a key that names its unit.
fn check_number_field(
    key: &str,
    value: &serde_json::Value,
    at: &str,
    w: f64,
    h: f64,
) -> Result<(), PhotoError> {
    let numbers: Vec<f64> = match value {
        serde_json::Value::Number(n) => n.as_f64().into_iter().collect(),
        serde_json::Value::Array(items) => items.iter().filter_map(|v| v.as_f64()).collect(),
        _ => return Ok(()),
    };
    let diagonal = w.hypot(h);
    let (unit, max) = if key == "mm" || key.ends_with("_mm") {
        ("mm", MAX_LENGTH_MM)
    } else if key.ends_with("_px") {
        ("px", diagonal)
    } else {
        return Ok(());
    };
    // A plumb offset is signed (the lean's direction); its size is what is bounded.
    let signed = key == "offset_mm";
    let fits = |v: f64| {
        let v = if signed { v.abs() } else { v };
        (0.0..=max).contains(&v)
    };
    match numbers.iter().find(|v| !fits(**v)) {
        Some(v) => Err(PhotoError::Measurement(format!(
            "{at}: {v} {unit} is not a length this photo can hold (0 to {max:.0} {unit})"
        ))),
        None => Ok(()),
    }
}

/// Every number the evaluation reports is finite: a length that printed as `inf`, or a NaN
/// that every comparison lets pass (and JSON writes as null), is refused instead.
fn check_finite(
    cracks: &[CrackMeasurement],
    tilt: &[Tilt],
    findings: &[DangerFinding],
) -> Result<(), PhotoError> {
    let finite = |m: &Measure| m.value.is_finite() && m.low.is_finite() && m.high.is_finite();
    let refuse = |what: String| {
        Err(PhotoError::Measurement(format!(
            "{what} comes out as no finite number; check the marked points and readings"
        )))
    };
    for (i, c) in cracks.iter().enumerate() {
        if !finite(&c.length_mm) || !finite(&c.max_width_mm) {
            return refuse(format!("crack {}", i + 1));
        }
    }
    if tilt.iter().any(|t| !finite(&t.ratio)) {
        return refuse("the tilt".to_string());
    }
    for f in findings {
        for c in &f.comparisons {
            if !finite(&c.measured) || !c.limit.is_finite() {
                return refuse(c.quantity.clone());
            }
        }
    }
    Ok(())
}

fn bad(what: &str, e: PhotoError) -> PhotoError {
    match e {
        PhotoError::Measurement(m) => PhotoError::Measurement(format!("{what}: {m}")),
        other => other,
    }
}

/// Longest real length a measurement file may state (mm): 100 m. A house's storey, a wall, a
/// tape reading are all far below; a larger number is a typing error (a value in m or cm
/// read as mm makes a smaller one, which the danger points then judge).
pub const MAX_LENGTH_MM: f64 = 100_000.0;

impl Survey {
    /// Refuses what cannot be a measurement of a photo `width` × `height` px: a marked point
    /// outside the image (the edges included: pixel edges run from 0 to width), a pixel
    /// length longer than the image's diagonal, a length in mm that is negative or above
    /// [`MAX_LENGTH_MM`]. Every field is walked, so a point or length added to the format later
    /// is checked too. (Non-finite numbers cannot come from JSON.)
    pub fn check_within(&self, width: u32, height: u32) -> Result<(), PhotoError> {
        let value = serde_json::to_value(self).expect("a survey serialises");
        let (w, h) = (f64::from(width), f64::from(height));
        check_value(&value, "", w, h)
    }

    /// Parse a measurement file (JSON; unknown fields refused).
    pub fn from_json(text: &str) -> Result<Survey, PhotoError> {
        serde_json::from_str(text).map_err(PhotoError::MeasurementJson)
    }

    fn is_empty(&self) -> bool {
        self.cracks.is_empty()
            && self.tilt.is_none()
            && self.wall_junction_through_crack.is_none()
            && self.section_loss.is_none()
            && self.height_to_thickness.is_none()
            && self.wood.is_none()
    }

    fn scale(&self, t: &PhotoThresholds) -> Result<Option<Scale>, PhotoError> {
        let Some(r) = self.reference else {
            return Ok(None);
        };
        Scale::with_point_error(r.a, r.b, r.length_mm, t.point_error_px.value)
            .map(Some)
            .map_err(|e| bad("reference", e))
    }

    fn storey_height(&self) -> Result<Option<f64>, PhotoError> {
        match self.storey_height_mm {
            Some(h) if !(h.is_finite() && h > 0.0) => Err(PhotoError::Measurement(format!(
                "storey_height_mm must be a positive number of mm, got {h}"
            ))),
            h => Ok(h),
        }
    }

    fn measure_cracks(&self, scale: Option<&Scale>) -> Result<Vec<CrackMeasurement>, PhotoError> {
        if self.cracks.is_empty() {
            return Ok(vec![]);
        }
        let Some(scale) = scale else {
            return Err(PhotoError::Measurement(
                "cracks need a \"reference\" for the scale".into(),
            ));
        };
        let each = |(i, c): (usize, &Crack)| {
            c.measure(scale)
                .map_err(|e| bad(&format!("crack {}", i + 1), e))
        };
        self.cracks.iter().enumerate().map(each).collect()
    }

    /// Measure everything, apply the danger points and compare with the inspector's grade.
    pub fn evaluate(&self, t: &PhotoThresholds) -> Result<Evaluation, PhotoError> {
        if self.is_empty() {
            return Err(PhotoError::Measurement(
                "nothing measured: give cracks, tilt, wall_junction_through_crack, \
                 section_loss, height_to_thickness or wood"
                    .into(),
            ));
        }
        if self.inspector_grade == Some(ComponentGrade::NotPresent) {
            // The visit record's grades allow "no such component"; a photographed one is there.
            return Err(PhotoError::Measurement(
                "inspector_grade \"not_present\": the photographed component is there; grade it \
                 a, b, c or d, or leave inspector_grade out"
                    .into(),
            ));
        }
        let e = t.point_error_px.value;
        let scale = self.scale(t)?;
        let storey = self.storey_height()?;
        let cracks = self.measure_cracks(scale.as_ref())?;
        let tilt = match &self.tilt {
            Some(r) => r.tilts("tilt", e)?,
            None => vec![],
        };
        let mut findings = assess(&cracks, storey, &tilt, t);
        findings.extend(self.wall_findings(scale.as_ref(), t)?);
        if let Some(w) = &self.wood {
            findings.extend(wood_findings(w, scale.as_ref(), t)?);
        }
        check_finite(&cracks, &tilt, &findings)?;
        let name = self
            .component
            .as_deref()
            .unwrap_or("photographed component");
        let grade = GradeComparison::new(name, self.inspector_grade, findings);
        Ok(Evaluation {
            thresholds_version: t.version.clone(),
            point_error_px: e,
            mm_per_px: scale.map(|s| s.mm_per_px()),
            unmatched_cracks: unmatched_cracks(&cracks),
            disagreements: disagreements(std::slice::from_ref(&grade)),
            cracks,
            tilt,
            grade,
        })
    }

    /// Masonry, stone and earth walls: loss of section, junction through-crack,
    /// height-to-thickness.
    fn wall_findings(
        &self,
        scale: Option<&Scale>,
        t: &PhotoThresholds,
    ) -> Result<Vec<DangerFinding>, PhotoError> {
        let e = t.point_error_px.value;
        let mut out = Vec::new();
        if let Some(loss) = &self.section_loss {
            out.push(members::section_loss(loss.fraction(scale, e)?, t));
        }
        if let Some(through) = self.wall_junction_through_crack {
            out.push(members::wall_junction_through_crack(through, t));
        }
        if let Some(wall) = &self.height_to_thickness {
            out.push(members::height_to_thickness(wall, wall.ratio(scale, e)?, t));
        }
        Ok(out)
    }
}

/// Wood members: deflection, truss out of plane, column bowing, column foot rot.
fn wood_findings(
    w: &WoodReadings,
    scale: Option<&Scale>,
    t: &PhotoThresholds,
) -> Result<Vec<DangerFinding>, PhotoError> {
    use crate::readings::length_ratio;
    let e = t.point_error_px.value;
    let mut out = Vec::new();
    if let Some(d) = &w.deflection {
        let r = length_ratio(
            (&d.sag, "deflection sag"),
            (&d.span, "deflection span"),
            scale,
            e,
        )?;
        out.push(members::wood_deflection(
            d.member,
            r,
            d.joint_rot_or_split,
            t,
        ));
    }
    if let Some(lean) = &w.truss_out_of_plane {
        for tilt in lean.tilts("truss_out_of_plane", e)? {
            out.push(members::truss_out_of_plane(&tilt, t));
        }
    }
    if let Some(b) = &w.column_bowing {
        let r = length_ratio(
            (&b.sag, "column_bowing sag"),
            (&b.height, "column_bowing height"),
            scale,
            e,
        )?;
        out.push(members::column_bowing(r, t));
    }
    if let Some(rot) = &w.column_foot_rot {
        out.push(members::column_foot_rot(rot.fraction()?, t));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::danger::{DangerRule, Indication};
    use crate::measure::TiltReadBy;

    const WALL: &str = r#"{
        "reference": {"a": {"x": 100, "y": 50}, "b": {"x": 800, "y": 50}, "length_mm": 140},
        "storey_height_mm": 3000,
        "component": "east wall",
        "inspector_grade": "b",
        "cracks": [{"points": [{"x": 300, "y": 100}, {"x": 300, "y": 600}], "widths_px": [3],
                    "orientation": "vertical", "component": "load_bearing_wall"}],
        "tilt": {"plumb": {"offset_mm": 30, "height_mm": 3000, "reading_error_mm": 2},
                 "photo": {"top": {"x": 408, "y": 40}, "bottom": {"x": 400, "y": 1040}}},
        "wall_junction_through_crack": false,
        "section_loss": {"original": {"mm": 240, "error_mm": 2}, "remaining": {"mm": 200, "error_mm": 2}},
        "height_to_thickness": {"material": "earth", "storeys": 1,
            "height": {"mm": 3000, "error_mm": 10}, "thickness": {"mm": 200, "error_mm": 5}}
    }"#;

    fn rule(ev: &Evaluation, r: DangerRule) -> Vec<Indication> {
        ev.grade
            .findings
            .iter()
            .filter(|f| f.rule == r)
            .map(|f| f.indication)
            .collect()
    }

    #[test]
    fn a_wall_file_gives_every_rule_and_the_grade_comparison() {
        let t = PhotoThresholds::builtin();
        let ev = Survey::from_json(WALL).unwrap().evaluate(&t).unwrap();
        // Plumb 30/3000 = 1.0% in [28/3002, 32/2998]: danger; photo 8/1000 = 0.8% in
        // [6/1002, 10/998] = [0.60%, 1.00%]: straddles 0.7%.
        assert_eq!(ev.tilt.len(), 2);
        assert_eq!(ev.tilt[0].read_by, TiltReadBy::Plumb);
        assert_eq!(ev.tilt[1].ratio.value, 0.008);
        assert_eq!(
            rule(&ev, DangerRule::Tilt),
            vec![Indication::DangerPoint, Indication::Indeterminate]
        );
        assert_eq!(
            rule(&ev, DangerRule::VerticalLoadBearing),
            vec![Indication::Pass]
        );
        assert_eq!(
            rule(&ev, DangerRule::SeveralVerticalLoadBearing),
            vec![Indication::Pass]
        );
        assert_eq!(
            rule(&ev, DangerRule::WallJunctionThroughCrack),
            vec![Indication::Pass]
        );
        // 1 − 200/240 = 16.7% in [1 − 202/238, 1 − 198/242]: under 25%.
        assert_eq!(rule(&ev, DangerRule::SectionLoss), vec![Indication::Pass]);
        // 3000/200 = 15 in [2990/205, 3010/195] = [14.6, 15.4]: over 14.
        assert_eq!(
            rule(&ev, DangerRule::HeightToThickness),
            vec![Indication::DangerPoint]
        );
        assert_eq!(ev.grade.computed, Some(Indication::DangerPoint));
        assert_eq!(ev.disagreements.len(), 1, "graded b with a danger point");
    }

    #[test]
    fn a_wood_file_needs_no_reference_when_nothing_is_in_mm_on_the_photo() {
        let t = PhotoThresholds::builtin();
        let text = r#"{
            "component": "roof truss",
            "inspector_grade": "d",
            "wood": {
                "deflection": {"member": "truss", "joint_rot_or_split": true,
                    "sag": {"from": {"x": 500, "y": 300}, "to": {"x": 500, "y": 330}},
                    "span": {"from": {"x": 100, "y": 300}, "to": {"x": 2500, "y": 300}}},
                "truss_out_of_plane": {"plumb": {"offset_mm": 5, "height_mm": 1200, "reading_error_mm": 1}},
                "column_bowing": {"sag": {"mm": 10, "error_mm": 1}, "height": {"mm": 2800, "error_mm": 10}},
                "column_foot_rot": {"section": {"mm2": 40000, "error_mm2": 1000},
                                    "rotted": {"mm2": 12000, "error_mm2": 1000}}
            }
        }"#;
        let ev = Survey::from_json(text).unwrap().evaluate(&t).unwrap();
        assert_eq!(ev.mm_per_px, None);
        // 30 px / 2400 px = 1/80 in [28/2402, 32/2398]: over 1/120, joints rotten: danger.
        assert_eq!(
            rule(&ev, DangerRule::WoodDeflection),
            vec![Indication::DangerPoint]
        );
        // 5/1200 in [4/1201, 6/1199] = [1/300, 1/200]: under 1/120.
        assert_eq!(
            rule(&ev, DangerRule::TrussOutOfPlane),
            vec![Indication::Pass]
        );
        // 10/2800 in [9/2810, 11/2790] ≈ [1/312, 1/254]: under 1/150.
        assert_eq!(rule(&ev, DangerRule::ColumnBowing), vec![Indication::Pass]);
        // 12000/40000 = 30% in [11000/41000, 13000/39000]: over 20%.
        assert_eq!(
            rule(&ev, DangerRule::ColumnFootRot),
            vec![Indication::DangerPoint]
        );
        assert!(ev.disagreements.is_empty());
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        let t = PhotoThresholds::builtin();
        // The message with its causes, as a front end prints it.
        let chain = |e: PhotoError| {
            let mut text = e.to_string();
            let mut cause = std::error::Error::source(&e);
            while let Some(c) = cause {
                text.push_str(&format!(": {c}"));
                cause = c.source();
            }
            text
        };
        let err = |text: &str| match Survey::from_json(text) {
            Ok(s) => chain(s.evaluate(&t).unwrap_err()),
            Err(e) => chain(e),
        };
        assert!(err("{}").contains("nothing measured"));
        assert!(err(r#"{"tilt": {"plum": {}}}"#).contains("unknown field `plum`"));
        let no_ref = r#"{"cracks": [{"points": [{"x": 0, "y": 0}, {"x": 0, "y": 9}],
            "widths_px": [2], "orientation": "vertical", "component": "load_bearing_wall"}]}"#;
        assert!(err(no_ref).contains("reference"), "{}", err(no_ref));
        let e =
            err(r#"{"tilt": {"photo": {"top": {"x": 0, "y": 0}, "bottom": {"x": 1, "y": 1}}}}"#);
        assert!(e.contains("tilt: tilt points are 1.0 px apart"), "{e}");
        let e = err(r#"{"storey_height_mm": -3, "wall_junction_through_crack": true}"#);
        assert!(e.contains("storey_height_mm"), "{e}");
        let e = err(
            r#"{"height_to_thickness": {"material": "brick", "storeys": 1,
            "height": {"mm": 1, "error_mm": 0}, "thickness": {"mm": 1, "error_mm": 0}}}"#,
        );
        assert!(e.contains("unknown variant `brick`"), "{e}");
        // The grade scale shared with visit records has "no such component"; a photo cannot.
        let e = err(r#"{"inspector_grade": "not_present", "wall_junction_through_crack": true}"#);
        assert!(e.contains("grade it a, b, c or d"), "{e}");
        let e = err(r#"{"inspector_grade": "e", "wall_junction_through_crack": true}"#);
        assert!(e.contains("unknown variant `e`"), "{e}");
    }

    /// The wall file's points lie within x 100..800, y 40..1040: a 1000 × 1100 photo holds
    /// them (edges included), a 700 × 1100 one does not, and the message names the point.
    /// Absurd lengths are refused with their field; a signed plumb offset is allowed.
    #[test]
    fn points_outside_the_photo_and_absurd_lengths_are_refused() {
        let wall = Survey::from_json(WALL).unwrap();
        wall.check_within(1000, 1100).unwrap();
        wall.check_within(800, 1040).unwrap();
        let e = wall.check_within(700, 1100).unwrap_err().to_string();
        assert!(
            e.contains(
                "reference.b: the point (800, 50) is outside the photo, which is 700 × 1100 px"
            ),
            "{e}"
        );
        let with = |from: &str, to: &str| {
            assert!(WALL.contains(from), "{from}");
            Survey::from_json(&WALL.replace(from, to))
                .unwrap()
                .check_within(1000, 1100)
        };
        let e = with(r#""length_mm": 140"#, r#""length_mm": 1e12"#).unwrap_err();
        assert!(
            e.to_string()
                .contains("reference.length_mm: 1000000000000 mm"),
            "{e}"
        );
        let e = with(r#""widths_px": [3]"#, r#""widths_px": [3, -1]"#).unwrap_err();
        assert!(e.to_string().contains("cracks[1].widths_px: -1 px"), "{e}");
        let e = with(r#""widths_px": [3]"#, r#""widths_px": [5000]"#).unwrap_err();
        assert!(e.to_string().contains("0 to 1487 px"), "{e}");
        let e = with(r#"{"mm": 240"#, r#"{"mm": -240"#).unwrap_err();
        assert!(
            e.to_string().contains("section_loss.original.mm: -240 mm"),
            "{e}"
        );
        with(r#""offset_mm": 30"#, r#""offset_mm": -30"#).unwrap();
    }

    /// A crack so long that its length overflows is refused, never reported as inf (nor as
    /// null in JSON, where a NaN would pass every rule).
    #[test]
    fn a_measurement_that_is_not_finite_is_refused() {
        let t = PhotoThresholds::builtin();
        let text = WALL.replace(
            r#"{"x": 300, "y": 600}"#,
            r#"{"x": 1e308, "y": 1e308}, {"x": -1e308, "y": -1e308}"#,
        );
        let e = Survey::from_json(&text).unwrap().evaluate(&t).unwrap_err();
        assert!(
            e.to_string()
                .contains("crack 1 comes out as no finite number"),
            "{e}"
        );
    }
}
