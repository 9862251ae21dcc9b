//! The census store: rows written and read back equal, the journal and its orphans, the
//! register's partitions replaced whole, the lock, projected scans.

use assess_census::{
    judge_return, Batch, CensusReturn, CensusSink, Checkpoint, Counts, InputId, MemberRow,
    RegisterFields, RegisterRow, Reject, ReturnFields, ReturnOutcome, ReturnRow,
};
use assess_census_store::{Dataset, ParquetSink, StoreError, RETURN_SCHEMA};
use assess_standards::Standards;
use std::path::{Path, PathBuf};

/// A return of `county`, number `k`: enumerated (every third dissolved, without GPS).
fn a_return(county: &str, k: u32) -> CensusReturn {
    let mut r = assess_census::example_return();
    let village = format!("{county}105201");
    r.return_id = format!("{county}-{k:07}");
    r.household_id = format!("{village}-{k:04}");
    r.county_code = county.to_string();
    r.village_code = village.clone();
    if k % 3 == 2 {
        r.outcome = ReturnOutcome::Dissolved;
        r.household = None;
        r.gps = None;
    } else if let Some(h) = r.household.as_mut() {
        h.household_id = r.household_id.clone();
        h.income.wages = Some(5000.0 + f64::from(k));
        for m in &mut h.members {
            m.id_number = None;
        }
    }
    r.assistance.microcredit = k.is_multiple_of(2).then_some(k.is_multiple_of(4));
    r
}

fn rows(county: &str, range: std::ops::Range<u32>) -> (Vec<ReturnRow>, Vec<MemberRow>) {
    let standards = Standards::builtin();
    let mut returns = Vec::new();
    let mut members = Vec::new();
    for k in range {
        let j = judge_return(a_return(county, k), &standards).expect("a valid return");
        returns.push(ReturnRow::of(&j));
        members.extend(MemberRow::of(&j));
    }
    (returns, members)
}

fn input(name: &str) -> InputId {
    InputId {
        path: name.to_string(),
        size: 100,
        head_sha256: "ab".repeat(32),
    }
}

fn checkpoint(name: &str, items: u64, done: bool) -> Checkpoint {
    Checkpoint {
        input: input(name),
        items,
        offset: items * 10,
        line: items,
        done,
        counts: Counts {
            read: items,
            ..Counts::default()
        },
    }
}

fn commit(
    sink: &mut ParquetSink,
    returns: Vec<ReturnRow>,
    members: Vec<MemberRow>,
    cp: Checkpoint,
) {
    let batch = Batch {
        returns,
        members,
        rejects: Vec::new(),
    };
    sink.commit(batch, &cp).expect("commit");
}

#[test]
fn rows_written_read_back_equal_by_county() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let (a_returns, a_members) = rows("530128", 0..40);
    let (b_returns, b_members) = rows("450223", 0..7);
    let (mut sink, cleaned) = ParquetSink::open(&store).unwrap();
    assert_eq!(cleaned, Default::default());
    // Two checkpoints: county A in both, B in the second; counties mixed in a batch.
    commit(
        &mut sink,
        a_returns[..25].to_vec(),
        a_members
            .iter()
            .filter(|m| a_returns[..25].iter().any(|r| *r.return_id == *m.return_id))
            .cloned()
            .collect(),
        checkpoint("x.jsonl", 25, false),
    );
    let mut second = a_returns[25..].to_vec();
    second.extend(b_returns.clone());
    let mut second_members: Vec<MemberRow> = a_members
        .iter()
        .filter(|m| a_returns[25..].iter().any(|r| *r.return_id == *m.return_id))
        .cloned()
        .collect();
    second_members.extend(b_members.clone());
    commit(
        &mut sink,
        second,
        second_members,
        checkpoint("x.jsonl", 47, true),
    );
    drop(sink);

    let ds = Dataset::open(&store).unwrap();
    assert_eq!(
        ds.counties(),
        vec!["450223".to_string(), "530128".to_string()]
    );
    assert_eq!(ds.returns("530128").unwrap(), a_returns);
    assert_eq!(ds.members("530128").unwrap(), a_members);
    assert_eq!(ds.returns("450223").unwrap(), b_returns);
    assert_eq!(ds.members("450223").unwrap(), b_members);
    assert!(ds.returns("110101").unwrap().is_empty());
    assert!(matches!(
        ds.returns("53012"),
        Err(StoreError::BadCounty { .. })
    ));
    // Nullable columns come back as None, the dissolved return has no members.
    let dissolved = &a_returns[2];
    assert_eq!(
        (dissolved.status, dissolved.gps_lat, dissolved.members),
        (None, None, 0)
    );
    // The hive layout.
    for part in [
        "returns/province=53/county=530128/part-000001.parquet",
        "returns/province=53/county=530128/part-000002.parquet",
        "returns/province=45/county=450223/part-000002.parquet",
        "members/province=45/county=450223/part-000002.parquet",
    ] {
        assert!(store.join(part).is_file(), "{part}");
    }
    assert!(!store
        .join("returns/province=45/county=450223/part-000001.parquet")
        .exists());

    // A projected scan reads the columns named, in the schema's order.
    let batches = ds
        .scan_returns("530128", &["return_id", "guarantees"])
        .unwrap();
    let total: usize = batches.iter().map(|b| b.num_rows()).sum();
    assert_eq!(total, 40);
    let schema = batches[0].schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["return_id", "guarantees"]);
    assert!(matches!(
        ds.scan_returns("530128", &["no_such_column"]),
        Err(StoreError::UnknownColumn { .. })
    ));

    assert!(matches!(
        ds.return_columns("530128", &["no_such_column"]),
        Err(StoreError::UnknownColumn { .. })
    ));

    // The columns read field by field give what the rows give.
    let all: Vec<&str> = RETURN_SCHEMA
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    let columns = ds.return_columns("530128", &all).unwrap();
    let views = columns.views();
    assert_eq!(views.len(), a_returns.len());
    let fields = |r: &dyn ReturnFields| {
        (
            (r.return_id().to_string(), r.household_id().to_string()),
            (r.county_code().to_string(), r.village_code().to_string()),
            (r.outcome().to_string(), r.start_unix()),
            (
                r.attainment(),
                r.income_per_person(),
                r.amounts(),
                r.yes_no(),
            ),
        )
    };
    for (view, row) in views.iter().zip(&a_returns) {
        assert_eq!(fields(view), fields(row));
    }
    assert!(a_returns
        .iter()
        .any(|r| r.amounts().iter().any(Option::is_some)));
    // Without the tables' columns: the ids as they are, every answer unknown.
    let ids_only = ds.return_columns("530128", &[]).unwrap();
    let view = ids_only.views()[0];
    assert_eq!(view.household_id(), a_returns[0].household_id);
    assert_eq!((view.attainment(), view.amounts()), ([None; 7], [None; 5]));

    // The fingerprint names what was opened: the same store gives the same one, another
    // checkpoint another.
    let before = ds.fingerprint().unwrap();
    assert_eq!(
        Dataset::open(&store).unwrap().fingerprint().unwrap(),
        before
    );
    let (c_returns, c_members) = rows("530128", 40..45);
    let (mut sink, _) = ParquetSink::open(&store).unwrap();
    commit(
        &mut sink,
        c_returns,
        c_members,
        checkpoint("y.jsonl", 5, true),
    );
    drop(sink);
    assert_eq!(
        ds.fingerprint().unwrap(),
        before,
        "what was opened is unchanged"
    );
    assert_ne!(
        Dataset::open(&store).unwrap().fingerprint().unwrap(),
        before
    );
}

#[test]
fn held_ids_checkpoints_and_rejects_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let (returns, members) = rows("530128", 0..5);
    let (mut sink, _) = ParquetSink::open(&store).unwrap();
    assert!(sink.held("530128").unwrap().is_empty());
    let reject = Reject {
        file: "x.jsonl".into(),
        line: 3,
        return_id: Some("530128-0000003".into()),
        field: "end".into(),
        reason: "is not a time".into(),
    };
    let batch = Batch {
        returns: returns.clone(),
        members,
        rejects: vec![reject.clone()],
    };
    sink.commit(batch, &checkpoint("x.jsonl", 6, true)).unwrap();
    drop(sink);
    let (mut sink, cleaned) = ParquetSink::open(&store).unwrap();
    assert_eq!(cleaned, Default::default());
    let held = sink.held("530128").unwrap();
    assert_eq!(held.len(), 5);
    assert_eq!(held[&returns[4].return_id], returns[4].content_sha256);
    assert_eq!(
        sink.checkpoint(&input("x.jsonl")).unwrap(),
        Some(checkpoint("x.jsonl", 6, true))
    );
    assert_eq!(sink.checkpoint(&input("y.jsonl")).unwrap(), None);
    assert_eq!(sink.rejects(&input("x.jsonl")).unwrap(), vec![reject]);
}

/// A store under `dir` with the first three of six returns of 530128 committed (with their
/// members, checkpoint 3 of x.jsonl): the store, the sink still open, the six returns and the
/// members of the other three.
fn three_of_six_committed(dir: &Path) -> (PathBuf, ParquetSink, Vec<ReturnRow>, Vec<MemberRow>) {
    let store = dir.join("store");
    let (returns, members) = rows("530128", 0..6);
    let (first, rest): (Vec<MemberRow>, Vec<MemberRow>) = members
        .into_iter()
        .partition(|m| returns[..3].iter().any(|r| *r.return_id == *m.return_id));
    let (mut sink, _) = ParquetSink::open(&store).unwrap();
    commit(
        &mut sink,
        returns[..3].to_vec(),
        first,
        checkpoint("x.jsonl", 3, false),
    );
    sink.flush().unwrap();
    (store, sink, returns, rest)
}

#[test]
fn a_commit_that_fails_in_the_background_is_reported_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (store, mut sink, returns, members) = three_of_six_committed(dir.path());
    // The next commit writes in the background, and the members directory of one of its
    // counties is a file: the commit itself returns, and the failure comes with the next call.
    let (other, other_members) = rows("450223", 0..2);
    let blocked = store.join("members/province=45/county=450223");
    std::fs::create_dir_all(blocked.parent().unwrap()).unwrap();
    std::fs::write(&blocked, b"not a directory").unwrap();
    commit(
        &mut sink,
        [&returns[3..], &other[..]].concat(),
        [members, other_members].concat(),
        checkpoint("x.jsonl", 8, true),
    );
    let e = sink.flush().unwrap_err();
    assert!(e.to_string().contains("county=450223"), "{e}");
    // Only the first commit is in the store, now and after a reopen.
    assert_eq!(
        sink.checkpoint(&input("x.jsonl")).unwrap(),
        Some(checkpoint("x.jsonl", 3, false))
    );
    drop(sink);
    std::fs::remove_file(&blocked).unwrap();
    let (mut sink, cleaned) = ParquetSink::open(&store).unwrap();
    for part in [
        "returns/province=45/county=450223/part-000002.parquet",
        "returns/province=53/county=530128/part-000002.parquet",
    ] {
        assert!(cleaned.orphans.contains(&part.to_string()), "{part}");
    }
    assert_eq!(sink.held("530128").unwrap().len(), 3);
    assert!(sink.held("450223").unwrap().is_empty());
    assert_eq!(
        sink.checkpoint(&input("x.jsonl")).unwrap(),
        Some(checkpoint("x.jsonl", 3, false))
    );
}

#[test]
fn held_ids_of_a_county_being_committed_include_the_commit() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let (returns, members) = rows("530128", 0..4);
    let (mut sink, _) = ParquetSink::open(&store).unwrap();
    let batch = Batch {
        returns: returns.clone(),
        members,
        rejects: vec![],
    };
    sink.commit(batch, &checkpoint("x.jsonl", 4, false))
        .unwrap();
    // Another county does not wait for the commit (and has nothing held); the county being
    // committed has its returns held, the commit waited for.
    assert!(sink.held("450223").unwrap().is_empty());
    let held = sink.held("530128").unwrap();
    assert_eq!(held.len(), 4);
    assert_eq!(held[&returns[3].return_id], returns[3].content_sha256);
    // The next commit of that county is held too, once more only when asked.
    let (more, more_members) = rows("530128", 4..6);
    let batch = Batch {
        returns: more,
        members: more_members,
        rejects: vec![],
    };
    sink.commit(batch, &checkpoint("x.jsonl", 6, true)).unwrap();
    assert_eq!(sink.held("530128").unwrap().len(), 6);
}

#[test]
fn a_durable_commit_hands_its_batch_back_empty_with_its_room() {
    let dir = tempfile::tempdir().unwrap();
    let (_store, mut sink, returns, _) = three_of_six_committed(dir.path());
    let spare = sink.spare().expect("the first commit is durable");
    assert!(spare.returns.is_empty() && spare.members.is_empty() && spare.rejects.is_empty());
    assert!(
        spare.returns.capacity() >= 3,
        "{}",
        spare.returns.capacity()
    );
    // Handed back once; the next commit's only when it is durable.
    assert!(sink.spare().is_none());
    let mut batch = spare;
    batch.returns.extend_from_slice(&returns[3..]);
    sink.commit(batch, &checkpoint("x.jsonl", 6, true)).unwrap();
    sink.flush().unwrap();
    assert!(sink.spare().is_some_and(|b| b.returns.is_empty()));
    assert_eq!(sink.held("530128").unwrap().len(), 6);
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_killed_commit_leaves_orphans_that_the_next_open_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let (store, sink, returns, _) = three_of_six_committed(dir.path());
    drop(sink);
    let before = files_under(&store);
    // What a kill after the renames and during the journal append leaves: the second
    // checkpoint's parts in place, a rejects file, a temporary file, half a journal line.
    let orphan = "returns/province=53/county=530128/part-000002.parquet";
    std::fs::copy(
        store.join("returns/province=53/county=530128/part-000001.parquet"),
        store.join(orphan),
    )
    .unwrap();
    std::fs::create_dir_all(store.join("members/province=45/county=450223")).unwrap();
    std::fs::write(
        store.join("members/province=45/county=450223/part-000002.parquet"),
        b"half",
    )
    .unwrap();
    std::fs::write(store.join("_rejects/part-000002.jsonl"), b"{}\n").unwrap();
    std::fs::write(store.join("_tmp/returns~x.tmp"), b"half").unwrap();
    let mut journal = std::fs::OpenOptions::new()
        .append(true)
        .open(store.join("_journal.jsonl"))
        .unwrap();
    std::io::Write::write_all(&mut journal, b"{\"seq\":2,\"checkpoint\":").unwrap();
    drop(journal);
    // A reader sees only the committed parts.
    assert_eq!(
        Dataset::open(&store).unwrap().returns("530128").unwrap(),
        returns[..3]
    );

    let (mut sink, cleaned) = ParquetSink::open(&store).unwrap();
    assert!(cleaned.torn_journal);
    assert_eq!(
        cleaned.orphans,
        vec![
            orphan.to_string(),
            "members/province=45/county=450223/part-000002.parquet".to_string(),
            "_rejects/part-000002.jsonl".to_string()
        ]
    );
    assert_eq!(
        sink.checkpoint(&input("x.jsonl")).unwrap(),
        Some(checkpoint("x.jsonl", 3, false))
    );
    drop(sink);
    assert_eq!(files_under(&store), before);
}

fn register_row(county: &str, k: u32) -> RegisterRow {
    let village = format!("{county}105201");
    RegisterRow {
        household_id: format!("{village}-{k:04}"),
        province_code: county[..2].to_string(),
        county_code: county.to_string(),
        township_code: village[..9].to_string(),
        village_code: village,
        status: ["exited", "poor", "non_registered"][(k % 3) as usize],
        members: 1 + k % 5,
        lat: (!k.is_multiple_of(3)).then_some(25.5 + f64::from(k) / 1000.0),
        lon: (!k.is_multiple_of(3)).then_some(102.4),
    }
}

#[test]
fn a_register_load_replaces_the_partitions_of_its_counties_whole() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let (mut sink, _) = ParquetSink::open(&store).unwrap();
    let first: Vec<RegisterRow> = (0..30)
        .map(|k| register_row("530128", k))
        .chain((0..4).map(|k| register_row("450223", k)))
        .collect();
    let mut load = sink.register_load().unwrap();
    for r in first.iter().cloned() {
        load.push(r).unwrap();
    }
    let counts = load.finish().unwrap();
    assert_eq!(
        counts.into_iter().collect::<Vec<_>>(),
        vec![("450223".to_string(), 4), ("530128".to_string(), 30)]
    );
    // A second register of one county replaces that county only.
    let second: Vec<RegisterRow> = (100..110).map(|k| register_row("530128", k)).collect();
    let mut load = sink.register_load().unwrap();
    for r in second.iter().cloned() {
        load.push(r).unwrap();
    }
    load.finish().unwrap();
    // A load dropped unfinished changes nothing.
    let mut load = sink.register_load().unwrap();
    load.push(register_row("450223", 999)).unwrap();
    drop(load);
    drop(sink);
    let ds = Dataset::open(&store).unwrap();
    assert_eq!(
        ds.counties(),
        vec!["450223".to_string(), "530128".to_string()]
    );
    assert_eq!(ds.register("530128").unwrap(), second);
    assert_eq!(ds.register("450223").unwrap(), first[30..]);
    // The registered households only: the same rows less the non-registered ones.
    let registered: Vec<RegisterRow> = second
        .iter()
        .filter(|r| r.status != "non_registered")
        .cloned()
        .collect();
    assert_eq!(registered.len(), 7);
    let columns = ds.registered_columns("530128").unwrap();
    let views = columns.registered();
    let fields = |r: &dyn RegisterFields| {
        (
            (r.household_id().to_string(), r.county_code().to_string()),
            (r.township_code().to_string(), r.village_code().to_string()),
            (r.status(), r.members()),
        )
    };
    assert_eq!(views.len(), registered.len());
    for (view, row) in views.iter().zip(&registered) {
        assert_eq!(fields(view), fields(row));
    }
    assert!(!columns.is_empty());
    assert!(ds.registered_columns("110101").unwrap().is_empty());
    assert!(ds.returns("530128").unwrap().is_empty());
}

#[test]
fn a_directory_that_is_not_a_store_is_refused_and_a_store_has_one_writer() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    let e = ParquetSink::open(&other).unwrap_err();
    assert!(matches!(e, StoreError::NotAStore { .. }), "{e}");
    assert!(e.to_string().contains("not empty"), "{e}");
    assert!(matches!(
        Dataset::open(&other),
        Err(StoreError::NotAStore { .. })
    ));
    assert!(matches!(
        Dataset::open(dir.path().join("none")),
        Err(StoreError::NotAStore { .. })
    ));

    let store = dir.path().join("store");
    let (sink, _) = ParquetSink::open(&store).unwrap();
    let e = ParquetSink::open(&store).unwrap_err();
    assert!(matches!(e, StoreError::Busy { .. }), "{e}");
    drop(sink);
    ParquetSink::open(&store).unwrap();
    // An empty store is a store.
    assert!(Dataset::open(&store).unwrap().counties().is_empty());
}

/// A store of the first format (hashes of JSON text) is refused by name, for reading and for
/// ingesting: its content hashes would not match the same returns again.
#[test]
fn a_store_of_another_format_version_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    drop(ParquetSink::open(&store).unwrap());
    std::fs::write(
        store.join("_census-store.json"),
        "{\"format\":\"assess-census-store\",\"version\":1}\n",
    )
    .unwrap();
    for e in [
        Dataset::open(&store).map(|_| ()).unwrap_err(),
        ParquetSink::open(&store).map(|_| ()).unwrap_err(),
    ] {
        assert!(matches!(e, StoreError::NotAStore { .. }), "{e}");
        let text = e.to_string();
        assert!(text.contains("format version 1"), "{text}");
        assert!(text.contains("into a new directory"), "{text}");
    }
}
