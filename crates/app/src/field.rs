//! Field visits simulated from a synthetic truth (`assess-synth`), for a draw of a synthetic
//! register: the records a perfect team would bring back, labelled as simulated in every
//! record, written as JSON Lines that the record import takes.

use crate::error::{io, AppError};
use assess_draw::DrawDir;
use assess_inspection::{Answer, Outcome, VisitRecord};
use assess_standards::Standards;
use assess_synth::visits::{self, VisitSettings};
use std::collections::HashSet;
use std::io::{BufReader, Write};
use std::path::Path;

/// What to simulate.
#[derive(Debug, Clone)]
pub struct VisitPlan<'a> {
    /// The draw directory written by `assess draw`.
    pub draw: &'a Path,
    /// The synthetic register the draw was made from.
    pub register: &'a Path,
    /// Its truth file.
    pub truth: &'a Path,
    /// Seed: the same inputs and seed give the same records.
    pub seed: u64,
    /// Start of the field work (RFC 3339); by default 08:30 Beijing time the day after the
    /// draw, from its receipt.
    pub start: Option<String>,
    /// Response rate, approval share, income year and teams (`settings.start` is replaced by
    /// the start above).
    pub settings: VisitSettings,
    /// The standards the records are judged by.
    pub standards: &'a Standards,
}

/// The simulated records of a draw.
#[derive(Debug, Clone)]
pub struct SimulatedVisits {
    /// The draw.
    pub draw: DrawDir,
    /// When the field work started.
    pub start: String,
    /// One record per visited household, in sample order.
    pub records: Vec<VisitRecord>,
}

/// Households found wrongly exited, missed and still poor, of those interviewed in each
/// register status, as the truth has them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Findings {
    /// (found, interviewed) among exited households.
    pub wrong_exit: (usize, usize),
    /// (found, interviewed) among non-registered households.
    pub missed: (usize, usize),
    /// (found, interviewed) among registered poor households.
    pub still_poor: (usize, usize),
}

/// Simulates the visits of `plan`.
pub fn simulate(plan: &VisitPlan<'_>) -> Result<SimulatedVisits, AppError> {
    let draw = assess_draw::load_draw_dir(plan.draw)?;
    let drawn_at = assess_draw::read_receipt(plan.draw)?.map(|r| r.drawn_at);
    let start = match (&plan.start, &drawn_at) {
        (Some(s), _) => s.clone(),
        (None, Some(d)) => {
            visits::start_after(d).ok_or_else(|| AppError::ReceiptTime(d.clone()))?
        }
        (None, None) => return Err(AppError::NoReceipt(plan.draw.to_path_buf())),
    };
    if let Some(d) = &drawn_at {
        let (s, t) = (
            assess_inspection::parse_rfc3339(&start),
            assess_inspection::parse_rfc3339(d),
        );
        if let (Some(s), Some(t)) = (s, t) {
            if s < t {
                return Err(AppError::StartBeforeDraw {
                    start,
                    drawn_at: d.clone(),
                });
            }
        }
    }
    let wanted: HashSet<String> = draw
        .households
        .iter()
        .map(|h| h.household_id.to_string())
        .collect();
    let opts = assess_register::ReadOptions {
        vintage: draw.manifest.division_codes.vintage.parse().ok(),
        ..assess_register::ReadOptions::default()
    };
    let mut register = Vec::new();
    assess_register::scan_frame(plan.register, &opts, |h| {
        if wanted.contains(&h.household_id) {
            register.push(h.clone());
        }
    })?;
    let file = std::fs::File::open(plan.truth).map_err(io("cannot open", plan.truth))?;
    let truth = visits::read_truth(BufReader::new(file), Some(&wanted)).map_err(|source| {
        AppError::Truth {
            path: plan.truth.to_path_buf(),
            source,
        }
    })?;
    let settings = VisitSettings {
        start: start.clone(),
        ..plan.settings.clone()
    };
    let records = visits::simulate_visits(
        &draw.manifest.sample_sha256,
        &draw.households,
        &register,
        &truth,
        plan.standards,
        plan.seed,
        &settings,
    )?;
    Ok(SimulatedVisits {
        draw,
        start,
        records,
    })
}

impl SimulatedVisits {
    /// The findings of the interviews as `standards` judge them.
    pub fn findings(&self, standards: &Standards) -> Findings {
        let mut f = Findings::default();
        for r in &self.records {
            let Some(h) = &r.household else { continue };
            let Ok(j) = assess_inspection::judge(h, standards) else {
                continue;
            };
            let (tally, answer) = match j.outcome {
                Outcome::WronglyExited(a) => (&mut f.wrong_exit, a),
                Outcome::Missed(a) => (&mut f.missed, a),
                Outcome::StillPoor(a) => (&mut f.still_poor, a),
            };
            tally.1 += 1;
            if answer == Answer::Yes {
                tally.0 += 1;
            }
        }
        f
    }

    /// Writes the records as JSON Lines to `path` (replaced whole).
    pub fn write_jsonl(&self, path: &Path) -> Result<(), AppError> {
        let mut out = assess_output::AtomicFile::create(path)?;
        let failed = |e: std::io::Error| AppError::Io {
            what: "writing",
            path: path.to_path_buf(),
            source: e,
        };
        for r in &self.records {
            serde_json::to_writer(&mut out, r).map_err(|e| failed(e.into()))?;
            out.write_all(b"\n").map_err(failed)?;
        }
        Ok(out.commit()?)
    }
}
