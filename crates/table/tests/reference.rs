//! The library against the reference results: every R survey package case and every NHANES II
//! result of samplics, estimated by `estimate_file` directly (the command line runs the same
//! cases in tests/estimate.rs).

mod cases;

use assess_survey::{LonelyPsu, Pps};
use assess_table::{estimate_file, Analysis, DesignColumns, TableRequest};
use cases::Run;
use serde_json::Value;

/// Runs one case through the library; the error as the command line would print its chain.
fn library(run: &Run<'_>) -> Result<Vec<Value>, String> {
    let d = run.design;
    let text = |c: Option<&str>| c.map(String::from);
    let mut analyses = Vec::new();
    for s in run.stats {
        for c in &s.columns {
            analyses.push(match s.param {
                "mean" => Analysis::Mean(c.to_string()),
                "prop" => Analysis::Proportion(c.to_string()),
                "total" => Analysis::Total(c.to_string()),
                _ => {
                    let (n, d) = c.split_once('/').expect("NUM/DEN");
                    Analysis::Ratio(n.into(), d.into())
                }
            });
        }
    }
    let request = TableRequest {
        design: DesignColumns {
            weight: text(d.weight),
            strata: text(d.strata),
            psu: text(d.psu),
            ssu: text(d.ssu),
            fpc: text(d.fpc),
            fpc2: text(d.fpc2),
            pps: d.pps_brewer.then_some(Pps::Brewer),
            lonely_psu: match run.lonely_psu_remove {
                true => LonelyPsu::Remove,
                false => LonelyPsu::Fail,
            },
        },
        analyses,
        domain: run.stats.iter().find_map(|s| s.domain.map(String::from)),
        options: Default::default(),
    };
    match estimate_file(run.data, &request) {
        Ok(found) => {
            let json = serde_json::to_value(&found).unwrap();
            Ok(json["results"].as_array().unwrap().clone())
        }
        Err(e) => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                text.push_str(&format!(": {s}"));
                source = s.source();
            }
            Err(text)
        }
    }
}

#[test]
fn reproduces_every_r_survey_case() {
    cases::check_every_r_survey_case(&library);
}

#[test]
fn a_domain_mean_is_a_ratio() {
    cases::check_a_domain_mean_is_a_ratio(&library);
}

#[test]
fn reproduces_every_nhanes2_result() {
    cases::check_every_nhanes2_result(&library);
}
