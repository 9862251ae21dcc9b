//! The 2009 guideline's danger points on whole members (besides cracks and tilt, which are in
//! [`crate::danger`]): loss of section and through-cracks at wall junctions (masonry),
//! height-to-thickness (stone and earth walls), deflection, out-of-plane lean, bowing and foot
//! rot (wood). Each takes the measured quantity with its interval and returns a finding.

use crate::danger::{compare, fmt_m, relation, single, word, DangerFinding, DangerRule};
use crate::danger::{Comparison, Indication};
use crate::measure::{Measure, Tilt, TiltReadBy};
use crate::readings::{HeightToThickness, WallMaterial, WoodMember};
use crate::thresholds::{Limit, PhotoThresholds};
use assess_standards::Tri;

fn percent(m: &Measure) -> String {
    format!(
        "{:.1}% (range {:.1}-{:.1}%)",
        m.value * 100.0,
        m.low * 100.0,
        m.high * 100.0
    )
}

/// A ratio as "1/n" (range "1/n⁺-1/n⁻"), the way the guideline writes L0/120.
fn one_in(m: &Measure) -> String {
    let inv = |v: f64| {
        if v > 0.0 {
            format!("1/{:.0}", 1.0 / v)
        } else {
            "0".to_string()
        }
    };
    format!("{} (range {}-{})", inv(m.value), inv(m.low), inv(m.high))
}

/// Weathering or loss of effective section: danger when the loss reaches ¼.
pub fn section_loss(loss: Measure, t: &PhotoThresholds) -> DangerFinding {
    let lim = t.section_loss_fraction.limit();
    let c = compare("loss of section (fraction)", loss, lim);
    let text = format!(
        "loss of section {}, danger when {} {}% => {}",
        percent(&loss),
        relation(lim),
        lim.value * 100.0,
        word(c.indication)
    );
    single(DangerRule::SectionLoss, c, text)
}

/// A through-crack where adjacent walls meet, as the inspector recorded it (yes or no).
pub fn wall_junction_through_crack(through: bool, t: &PhotoThresholds) -> DangerFinding {
    let indication = if through {
        Indication::DangerPoint
    } else {
        Indication::Pass
    };
    DangerFinding {
        rule: DangerRule::WallJunctionThroughCrack,
        crack: None,
        indication,
        comparisons: vec![],
        explanation: format!(
            "through-crack where walls meet: {} (recorded by the inspector; {}) => {}",
            if through { "yes" } else { "no" },
            t.wall_junction_through_crack.source,
            word(indication)
        ),
    }
}

/// Stone or earth wall height-to-thickness over 14 (one storey) or 12 (two storeys). A house
/// of another number of storeys has no limit in the guideline: indeterminate.
pub fn height_to_thickness(
    wall: &HeightToThickness,
    ratio: Measure,
    t: &PhotoThresholds,
) -> DangerFinding {
    let material = match wall.material {
        WallMaterial::Stone => "stone",
        WallMaterial::Earth => "earth",
    };
    let limit = match wall.storeys {
        1 => Some(t.height_to_thickness_one_storey.limit()),
        2 => Some(t.height_to_thickness_two_storeys.limit()),
        _ => None,
    };
    let Some(lim) = limit else {
        return DangerFinding {
            rule: DangerRule::HeightToThickness,
            crack: None,
            indication: Indication::Indeterminate,
            comparisons: vec![],
            explanation: format!(
                "{material} wall height-to-thickness {}: the guideline gives limits for one and \
                 two storeys only, this house has {} => indeterminate",
                fmt_m(&ratio, 1),
                wall.storeys
            ),
        };
    };
    let c = compare("height-to-thickness", ratio, lim);
    let text = format!(
        "{material} wall, {} storey(s): height-to-thickness {}, danger when {} {} => {}",
        wall.storeys,
        fmt_m(&ratio, 1),
        relation(lim),
        lim.value,
        word(c.indication)
    );
    single(DangerRule::HeightToThickness, c, text)
}

/// The limit `1 / divisor` on a ratio, as text ("L0/120").
fn ratio_limit(t: &crate::Sourced) -> Limit {
    t.limit_divided(1.0)
}

/// Deflection of a beam (sag/span over 1/120) or a truss (the same **and** rot or splitting at
/// its top or end joints; an unrecorded joint condition leaves an exceeded deflection
/// indeterminate).
pub fn wood_deflection(
    member: WoodMember,
    ratio: Measure,
    joint_rot_or_split: Option<bool>,
    t: &PhotoThresholds,
) -> DangerFinding {
    let lim = ratio_limit(&t.wood_deflection_span_divisor);
    let c = compare("deflection / span", ratio, lim);
    let divisor = t.wood_deflection_span_divisor.value;
    let head = format!(
        "deflection / span {}, danger when {} L0/{divisor}",
        one_in(&ratio),
        relation(lim)
    );
    let (name, indication, joint) = match member {
        WoodMember::Beam => ("beam", c.indication, String::new()),
        WoodMember::Truss => {
            let (tri, text) = truss_joint(joint_rot_or_split);
            let ind = Tri::all([lim.test(&ratio), tri]).into();
            ("truss", ind, text)
        }
    };
    let text = format!(
        "{name}: {head}: {}{joint} => {}",
        word(c.indication),
        word(indication)
    );
    DangerFinding {
        indication,
        ..single(DangerRule::WoodDeflection, c, text)
    }
}

fn truss_joint(joint_rot_or_split: Option<bool>) -> (Tri, String) {
    match joint_rot_or_split {
        Some(true) => (
            Tri::Met,
            "; rot or splitting at a top or end joint: yes".into(),
        ),
        Some(false) => (
            Tri::Unmet,
            "; rot or splitting at a top or end joint: no".into(),
        ),
        None => (
            Tri::Unknown,
            "; rot or splitting at the top or end joints not recorded".into(),
        ),
    }
}

/// A truss leaning out of its plane by more than h/120 of its height.
pub fn truss_out_of_plane(lean: &Tilt, t: &PhotoThresholds) -> DangerFinding {
    let lim = ratio_limit(&t.truss_out_of_plane_height_divisor);
    let c = compare("out-of-plane lean / truss height", lean.ratio, lim);
    let how = match lean.read_by {
        TiltReadBy::Plumb => "plumb reading",
        TiltReadBy::Photo => "edge on the photo, an indication only",
    };
    let text = format!(
        "truss out of plane ({how}): lean / height {}, danger when {} h/{} => {}",
        one_in(&lean.ratio),
        relation(lim),
        t.truss_out_of_plane_height_divisor.value,
        word(c.indication)
    );
    single(DangerRule::TrussOutOfPlane, c, text)
}

/// A column bowing with a sag over h/150 of its height.
pub fn column_bowing(ratio: Measure, t: &PhotoThresholds) -> DangerFinding {
    let lim = ratio_limit(&t.column_bowing_height_divisor);
    let c = compare("bowing sag / column height", ratio, lim);
    let text = format!(
        "column bowing: sag / height {}, danger when {} h/{} => {}",
        one_in(&ratio),
        relation(lim),
        t.column_bowing_height_divisor.value,
        word(c.indication)
    );
    single(DangerRule::ColumnBowing, c, text)
}

/// Rot at a column's foot over ⅕ of the section area.
pub fn column_foot_rot(fraction: Measure, t: &PhotoThresholds) -> DangerFinding {
    let lim = t.column_foot_rot_fraction.limit();
    let c: Comparison = compare("rotted area / section", fraction, lim);
    let text = format!(
        "column foot rot: {} of the section, danger when {} {}% => {}",
        percent(&fraction),
        relation(lim),
        lim.value * 100.0,
        word(c.indication)
    );
    single(DangerRule::ColumnFootRot, c, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readings::LengthReading;

    fn exact(v: f64) -> Measure {
        Measure::exact(v)
    }

    fn around(v: f64, d: f64) -> Measure {
        Measure {
            value: v,
            low: v - d,
            high: v + d,
        }
    }

    #[test]
    fn section_loss_reaching_a_quarter_is_a_danger_point() {
        let t = PhotoThresholds::builtin();
        // "达1/4以上": exactly 1/4 is already a danger point.
        assert_eq!(
            section_loss(exact(0.25), &t).indication,
            Indication::DangerPoint
        );
        assert_eq!(section_loss(exact(0.2), &t).indication, Indication::Pass);
        assert_eq!(
            section_loss(around(0.24, 0.02), &t).indication,
            Indication::Indeterminate
        );
        let f = section_loss(exact(0.3), &t);
        assert!(f.explanation.contains("30.0%") && f.explanation.contains("at least 25%"));
    }

    #[test]
    fn wall_junction_is_as_recorded() {
        let t = PhotoThresholds::builtin();
        let yes = wall_junction_through_crack(true, &t);
        assert_eq!(yes.indication, Indication::DangerPoint);
        assert!(
            yes.explanation.contains("建村函〔2009〕69号"),
            "{}",
            yes.explanation
        );
        assert_eq!(
            wall_junction_through_crack(false, &t).indication,
            Indication::Pass
        );
    }

    fn wall(material: WallMaterial, storeys: u8) -> HeightToThickness {
        HeightToThickness {
            material,
            storeys,
            height: LengthReading::tape(3360.0, 0.0),
            thickness: LengthReading::tape(240.0, 0.0),
        }
    }

    #[test]
    fn height_to_thickness_by_storeys() {
        let t = PhotoThresholds::builtin();
        let one = wall(WallMaterial::Stone, 1);
        let two = wall(WallMaterial::Earth, 2);
        // 3360 / 240 = 14 exactly: "over 14" is not met with one storey; over 12 with two.
        let r = one.ratio(None, 1.0).unwrap();
        assert_eq!(r, exact(14.0));
        assert_eq!(
            height_to_thickness(&one, r, &t).indication,
            Indication::Pass
        );
        assert_eq!(
            height_to_thickness(&two, r, &t).indication,
            Indication::DangerPoint
        );
        let f = height_to_thickness(&one, exact(14.5), &t);
        assert_eq!(f.indication, Indication::DangerPoint);
        assert_eq!(
            height_to_thickness(&one, around(14.0, 0.5), &t).indication,
            Indication::Indeterminate
        );
        assert_eq!(
            height_to_thickness(&two, exact(11.0), &t).indication,
            Indication::Pass
        );
        let three = wall(WallMaterial::Stone, 3);
        let f = height_to_thickness(&three, exact(20.0), &t);
        assert_eq!(f.indication, Indication::Indeterminate);
        assert!(
            f.explanation.contains("one and two storeys"),
            "{}",
            f.explanation
        );
    }

    #[test]
    fn beam_and_truss_deflection() {
        let t = PhotoThresholds::builtin();
        // Exactly L0/120 (20 mm over 2400 mm) is not "over".
        let at = exact(20.0 / 2400.0);
        let over = exact(25.0 / 2400.0);
        let beam = |m| wood_deflection(WoodMember::Beam, m, None, &t).indication;
        assert_eq!(beam(at), Indication::Pass);
        assert_eq!(beam(over), Indication::DangerPoint);
        assert_eq!(beam(around(1.0 / 120.0, 0.001)), Indication::Indeterminate);
        let truss = |m, j| wood_deflection(WoodMember::Truss, m, j, &t).indication;
        assert_eq!(truss(over, Some(true)), Indication::DangerPoint);
        assert_eq!(truss(over, Some(false)), Indication::Pass);
        assert_eq!(truss(over, None), Indication::Indeterminate);
        assert_eq!(truss(at, None), Indication::Pass);
        let f = wood_deflection(WoodMember::Beam, over, None, &t);
        assert!(f.explanation.contains("1/96"), "{}", f.explanation);
    }

    #[test]
    fn truss_lean_bowing_and_rot() {
        let t = PhotoThresholds::builtin();
        // 10 mm over a 1200 mm truss: exactly h/120, not over.
        let lean = Tilt::from_plumb(10.0, 1200.0, 0.0).unwrap();
        assert_eq!(truss_out_of_plane(&lean, &t).indication, Indication::Pass);
        let lean = Tilt::from_plumb(15.0, 1200.0, 1.0).unwrap();
        assert_eq!(
            truss_out_of_plane(&lean, &t).indication,
            Indication::DangerPoint
        );
        let lean = Tilt::from_plumb(10.0, 1200.0, 2.0).unwrap();
        assert_eq!(
            truss_out_of_plane(&lean, &t).indication,
            Indication::Indeterminate
        );
        // 20 mm over a 3000 mm column: exactly h/150.
        assert_eq!(
            column_bowing(exact(20.0 / 3000.0), &t).indication,
            Indication::Pass
        );
        assert_eq!(
            column_bowing(exact(30.0 / 3000.0), &t).indication,
            Indication::DangerPoint
        );
        assert_eq!(
            column_bowing(around(20.0 / 3000.0, 0.001), &t).indication,
            Indication::Indeterminate
        );
        // Exactly 1/5 rotted is not "over 1/5".
        assert_eq!(column_foot_rot(exact(0.2), &t).indication, Indication::Pass);
        assert_eq!(
            column_foot_rot(exact(0.25), &t).indication,
            Indication::DangerPoint
        );
        assert_eq!(
            column_foot_rot(around(0.2, 0.02), &t).indication,
            Indication::Indeterminate
        );
    }
}
