//! The checks across each draw's visit records (`assess-inspection` decides; this reads the
//! database and hands the draw over).

use crate::error::AppError;
use assess_inspection::{check_draw, CheckConfig, CheckInput, CheckReport};
use assess_standards::Standards;
use assess_store::Store;

/// One draw's checks.
#[derive(Debug, Clone)]
pub struct DrawCheck {
    /// The draw.
    pub draw_id: String,
    /// What the checks looked at: the sample, the visit records, the draw's time and village
    /// centres.
    pub input: CheckInput,
    /// What they found.
    pub report: CheckReport,
}

impl DrawCheck {
    /// `assess check --json`: the draw, its size, the county roll-up, every finding, the
    /// rates by village and team, and the households with identification flags (leads for the
    /// county, outside the four rates; identity numbers masked).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "draw_id": self.draw_id,
            "households": self.input.sample.len(),
            "visit_records": self.input.visits.len(),
            "counties": county_rollup(&self.report),
            "findings": self.report.findings,
            "by_village": self.report.by_village,
            "by_team": self.report.by_team,
            "identification_flags": self.report.identification_flags,
        })
    }
}

/// The checks of one draw, or of every draw in the database (empty when there is none).
pub async fn check_draws(
    store: &Store,
    draw: Option<&str>,
    standards: &Standards,
    config: &CheckConfig,
) -> Result<Vec<DrawCheck>, AppError> {
    let draws = store.draws_for_check(draw).await?;
    Ok(draws
        .into_iter()
        .map(|d| DrawCheck {
            report: check_draw(&d.input, standards, config),
            draw_id: d.draw_id,
            input: d.input,
        })
        .collect())
}

/// One county's checks in a line: its sample and response (the village rates summed) and what
/// the checks found there.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct CountyRollup {
    /// County code.
    pub county: String,
    /// Primaries in the sample.
    pub primaries: usize,
    /// Reserves used.
    pub reserves_used: usize,
    /// Units with a visit record.
    pub visited: usize,
    /// Of them, ineligible.
    pub ineligible: usize,
    /// Eligible units visited.
    pub eligible: usize,
    /// Eligible units that responded.
    pub responded: usize,
    /// responded / eligible, when any is eligible.
    pub response_rate: Option<f64>,
    /// Errors found.
    pub errors: usize,
    /// Warnings found.
    pub warnings: usize,
    /// Warnings without an answering note.
    pub open_warnings: usize,
    /// Households whose records carry identification flags (not findings: leads for the
    /// county to re-examine identification).
    pub identification_flagged: usize,
}

/// The checks of one draw rolled up by county, in county order.
pub fn county_rollup(report: &CheckReport) -> Vec<CountyRollup> {
    use assess_inspection::Severity;
    let mut by_county: std::collections::BTreeMap<&str, CountyRollup> = Default::default();
    for r in &report.by_village {
        let c = rollup_of(&mut by_county, &r.county);
        c.primaries += r.primaries;
        c.reserves_used += r.reserves_used;
        c.visited += r.visited;
        c.ineligible += r.ineligible;
        c.eligible += r.eligible;
        c.responded += r.responded;
    }
    for f in &report.findings {
        let c = rollup_of(&mut by_county, &f.county);
        match f.severity {
            Severity::Error => c.errors += 1,
            Severity::Warning => {
                c.warnings += 1;
                if f.note.is_none() {
                    c.open_warnings += 1;
                }
            }
        }
    }
    for h in &report.identification_flags {
        rollup_of(&mut by_county, &h.county).identification_flagged += 1;
    }
    by_county
        .into_values()
        .map(|mut c| {
            c.response_rate = (c.eligible > 0).then(|| c.responded as f64 / c.eligible as f64);
            c
        })
        .collect()
}

fn rollup_of<'m, 'a>(
    by_county: &'m mut std::collections::BTreeMap<&'a str, CountyRollup>,
    county: &'a str,
) -> &'m mut CountyRollup {
    by_county.entry(county).or_insert_with(|| CountyRollup {
        county: county.to_string(),
        ..CountyRollup::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use assess_inspection::{Finding, FlaggedHousehold, IdentificationFlag, Rates, Rule, Severity};

    fn rates(county: &str, key: &str, eligible: usize, responded: usize) -> Rates {
        Rates {
            key: key.to_string(),
            county: county.to_string(),
            primaries: eligible,
            reserves_used: 1,
            visited: eligible + 1,
            ineligible: 1,
            eligible,
            responded,
        }
    }

    fn finding(county: &str, severity: Severity, note: Option<&str>) -> Finding {
        Finding {
            severity,
            rule: Rule::ShortInterview,
            county: county.to_string(),
            village: "v".to_string(),
            stratum: "exited".to_string(),
            household_id: "h".to_string(),
            message: String::new(),
            note: note.map(str::to_string),
        }
    }

    fn flagged(county: &str, id: &str) -> FlaggedHousehold {
        FlaggedHousehold {
            county: county.to_string(),
            village: "v".to_string(),
            stratum: "exited".to_string(),
            household_id: id.to_string(),
            flags: vec![IdentificationFlag::VillageCadre],
            identity_numbers: vec![],
        }
    }

    /// By hand: county A's two villages add up (20 eligible, 17 responded: 85%); B has one
    /// village and the only error; open warnings are those without a note; A has one
    /// household with identification flags, B two.
    #[test]
    fn villages_and_findings_add_up_by_county() {
        let report = CheckReport {
            by_village: vec![
                rates("A", "a1", 12, 10),
                rates("A", "a2", 8, 7),
                rates("B", "b1", 5, 5),
            ],
            findings: vec![
                finding("A", Severity::Warning, None),
                finding("A", Severity::Warning, Some("why")),
                finding("B", Severity::Error, None),
            ],
            by_team: vec![],
            identification_flags: vec![flagged("A", "a"), flagged("B", "b"), flagged("B", "c")],
        };
        let up = county_rollup(&report);
        assert_eq!(up.len(), 2);
        assert_eq!(
            (up[0].county.as_str(), up[0].eligible, up[0].responded),
            ("A", 20, 17)
        );
        assert_eq!(
            (up[0].visited, up[0].reserves_used, up[0].ineligible),
            (22, 2, 2)
        );
        assert_eq!(up[0].response_rate, Some(0.85));
        assert_eq!(
            (up[0].errors, up[0].warnings, up[0].open_warnings),
            (0, 2, 1)
        );
        assert_eq!((up[1].county.as_str(), up[1].errors), ("B", 1));
        assert_eq!(
            (up[0].identification_flagged, up[1].identification_flagged),
            (1, 2)
        );
    }
}
