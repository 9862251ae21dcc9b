//! The census ingest pipeline as a library: held ids dropped to bound memory are read back
//! from the store (a return seen again after the drop is still "already held", one with the
//! same id and other answers still refused), and a sink that fails mid-run leaves a
//! checkpoint the next run resumes from.

use assess_app::census_ingest::{ingest, IngestSettings, Progress};
use assess_census::{
    write_jsonl, Batch, CensusReturn, CensusSink, Checkpoint, Counts, InputId, Reject,
};
use assess_census_store::{Dataset, ParquetSink, StoreError};
use assess_standards::Standards;
use std::collections::HashMap;
use std::path::Path;

fn a_return(county: &str, k: u32) -> CensusReturn {
    let mut r = assess_census::example_return();
    let village = format!("{county}105201");
    r.return_id = format!("{county}-{k:07}");
    r.household_id = format!("{village}-{k:04}");
    r.county_code = county.to_string();
    r.village_code = village;
    let h = r.household.as_mut().unwrap();
    h.household_id = r.household_id.clone();
    for m in &mut h.members {
        m.id_number = None;
    }
    h.income.wages = Some(5000.0 + f64::from(k));
    r
}

fn write(path: &Path, returns: &[CensusReturn]) {
    let mut bytes = Vec::new();
    for r in returns {
        write_jsonl(&mut bytes, r).unwrap();
    }
    std::fs::write(path, bytes).unwrap();
}

fn no_progress(_: Progress<'_>) {}

#[test]
fn held_ids_dropped_after_a_checkpoint_are_read_back_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    // Two counties alternating in runs of 10; then the first 30 again, and one of them with
    // other answers.
    let mut returns = Vec::new();
    for block in 0..6u32 {
        let county = if block % 2 == 0 { "530128" } else { "450223" };
        for k in 0..10 {
            returns.push(a_return(county, block * 10 + k));
        }
    }
    returns.extend(returns[..30].to_vec());
    let mut changed = returns[5].clone();
    changed.assistance.microcredit = Some(false);
    returns.push(changed);
    let input = dir.path().join("returns.jsonl");
    write(&input, &returns);
    let settings = IngestSettings {
        checkpoint_every: 7,
        held_ids_limit: 5,
        ..IngestSettings::default()
    };
    let (mut sink, _) = ParquetSink::open(dir.path().join("store")).unwrap();
    let report = ingest(
        &mut sink,
        std::slice::from_ref(&input),
        &Standards::builtin(),
        &settings,
        &mut no_progress,
    )
    .unwrap();
    let c = report.total();
    assert_eq!(
        (c.read, c.stored, c.already_held, c.rejected),
        (91, 60, 30, 1)
    );
    assert_eq!(report.rejects.len(), 1);
    assert_eq!(report.rejects[0].line, 91);
    assert_eq!(report.rejects[0].field, "return_id");
    drop(sink);
    let ds = Dataset::open(dir.path().join("store")).unwrap();
    assert_eq!(ds.returns("530128").unwrap().len(), 30);
    assert_eq!(ds.returns("450223").unwrap().len(), 30);
}

/// A sink that fails on its n-th commit, over a Parquet sink.
struct Failing {
    inner: ParquetSink,
    commits_left: usize,
}

impl CensusSink for Failing {
    type Error = StoreError;
    fn held(&mut self, county: &str) -> Result<HashMap<String, String>, StoreError> {
        self.inner.held(county)
    }
    fn commit(&mut self, batch: Batch, checkpoint: &Checkpoint) -> Result<(), StoreError> {
        if self.commits_left == 0 {
            return Err(StoreError::BadCounty {
                code: "disk full".into(),
            });
        }
        self.commits_left -= 1;
        self.inner.commit(batch, checkpoint)
    }
    fn flush(&mut self) -> Result<(), StoreError> {
        self.inner.flush()
    }
    fn checkpoint(&mut self, input: &InputId) -> Result<Option<Checkpoint>, StoreError> {
        self.inner.checkpoint(input)
    }
    fn rejects(&mut self, input: &InputId) -> Result<Vec<Reject>, StoreError> {
        self.inner.rejects(input)
    }
}

#[test]
fn a_run_stopped_by_its_sink_resumes_from_the_last_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let returns: Vec<CensusReturn> = (0..50).map(|k| a_return("530128", k)).collect();
    let input = dir.path().join("returns.jsonl");
    write(&input, &returns);
    let settings = IngestSettings {
        checkpoint_every: 10,
        ..IngestSettings::default()
    };
    let store = dir.path().join("store");
    let (inner, _) = ParquetSink::open(&store).unwrap();
    let mut failing = Failing {
        inner,
        commits_left: 2,
    };
    let standards = Standards::builtin();
    let inputs = std::slice::from_ref(&input);
    assert!(ingest(
        &mut failing,
        inputs,
        &standards,
        &settings,
        &mut no_progress
    )
    .is_err());
    drop(failing);
    assert_eq!(
        Dataset::open(&store)
            .unwrap()
            .returns("530128")
            .unwrap()
            .len(),
        20
    );
    let (mut sink, _) = ParquetSink::open(&store).unwrap();
    let report = ingest(&mut sink, inputs, &standards, &settings, &mut no_progress).unwrap();
    assert_eq!(report.inputs[0].resumed_at, Some(20));
    assert_eq!(
        report.total(),
        Counts {
            read: 50,
            stored: 50,
            members: 150,
            already_held: 0,
            rejected: 0
        }
    );
    drop(sink);
    let stored = Dataset::open(&store).unwrap().returns("530128").unwrap();
    let mut ids: Vec<&str> = stored.iter().map(|r| r.return_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 50);
}
