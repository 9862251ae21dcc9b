//! The census on PostgreSQL (`assess_store::census`): the layout (partitions per province,
//! every key led by county_code), COPY round trips of nasty text and NULLs, batches that
//! commit with their checkpoint or not at all, and the coverage and attainment queries
//! against hand-computed counts. PostgreSQL only (the census tables are not on SQLite):
//! run against the tests' server (`ASSESS_TEST_PG`, or a throwaway one), never skipped.

use crate::util::fresh_pg_database;
use assess_store::census::{
    Attainment, CensusDb, CensusDbError, Coverage, Level, MemberRow, RegisterRow, ReturnRow, Scope,
    Tally,
};
use sqlx::{Connection, Row};
use std::collections::HashMap;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// An enumerated return with every finding met and the household not poor.
fn ret(return_id: &str, household_id: &str, village: &str, start: i64) -> ReturnRow {
    ReturnRow {
        return_id: return_id.into(),
        household_id: household_id.into(),
        province_code: village[..2].into(),
        county_code: village[..6].into(),
        village_code: village.into(),
        enumerator_id: format!("E{}-0001", &village[..6]),
        enumerator_home_county: "530129".into(),
        outcome: "enumerated",
        start_unix: start,
        end_unix: start + 1800,
        gps_lat: Some(25.55),
        gps_lon: Some(102.46),
        content_sha256: format!("hash-of-{return_id}"),
        answers_sha256: Some(format!("answers-of-{household_id}")),
        status: Some("exited"),
        members: 2,
        poverty_line: Some(3218.0),
        income_per_person: Some(5000.5),
        income_ok: Some(true),
        food_clothing: Some(true),
        education: Some(true),
        medical: Some(true),
        housing: Some(true),
        water: Some(true),
        guarantees: Some(true),
        poor: Some(false),
        approval_exit: Some(true),
        industrial_support_yuan: Some(1200.0),
        housing_renovation_yuan: None,
        education_aid_yuan: Some(500.0),
        medical_aid_yuan: None,
        minimum_living_allowance_yuan: None,
        employment_support: Some(true),
        public_welfare_post: Some(false),
        relocated: None,
        extreme_poverty_support: None,
        microcredit: Some(false),
    }
}

/// A return of a household that is gone: no household section, no findings.
fn gone(return_id: &str, household_id: &str, village: &str, outcome: &'static str) -> ReturnRow {
    let mut r = ret(return_id, household_id, village, 1000);
    r.outcome = outcome;
    r.answers_sha256 = None;
    r.status = None;
    r.members = 0;
    r.poverty_line = None;
    r.income_per_person = None;
    for f in [
        &mut r.income_ok,
        &mut r.food_clothing,
        &mut r.education,
        &mut r.medical,
        &mut r.housing,
        &mut r.water,
        &mut r.guarantees,
        &mut r.poor,
        &mut r.approval_exit,
    ] {
        *f = None;
    }
    r
}

fn member(r: &ReturnRow, member_id: &str) -> MemberRow {
    MemberRow {
        return_id: r.return_id.as_str().into(),
        household_id: r.household_id.as_str().into(),
        county_code: r.county_code.as_str().into(),
        village_code: r.village_code.as_str().into(),
        member_id: member_id.into(),
        id_number: Some("53012819800101002X".into()),
        age: Some(40),
        sex: Some("female"),
    }
}

fn registered(household_id: &str, village: &str) -> RegisterRow {
    RegisterRow {
        household_id: household_id.into(),
        province_code: village[..2].into(),
        county_code: village[..6].into(),
        township_code: village[..9].into(),
        village_code: village.into(),
        status: "exited",
        members: 3,
        lat: Some(25.5),
        lon: None,
    }
}

async fn census(url: &str) -> CensusDb {
    let db = CensusDb::connect(url).await.unwrap();
    db.ensure_census_schema().await.unwrap();
    db
}

async fn count(url: &str, table: &str) -> i64 {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get(0)
}

const V1: &str = "530128100001";
const V2: &str = "530128101001";
const W1: &str = "450223100001";
const D: &str = "530129100001";

/// Partitions per province are made on demand, the tables are partitioned by LIST on
/// province_code, and every unique index of every table and partition starts with
/// county_code and holds province_code (what Citus needs to distribute by county_code).
#[test]
fn census_pg_layout_partitions_per_province_and_keys_lead_with_county() {
    let pg = fresh_pg_database();
    runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = dir.path().join("a.db").display().to_string();
        assert!(matches!(
            CensusDb::connect(&sqlite).await,
            Err(CensusDbError::NotPostgres(_))
        ));
        let db = census(&pg).await;
        db.ensure_census_schema().await.unwrap(); // repeatable
        assert!(db.provinces().await.unwrap().is_empty());
        let mut batch = db.begin_batch().await.unwrap();
        batch.copy_register(&[registered("h1", V1)]).await.unwrap();
        batch.copy_returns(&[ret("r1", "c1", W1, 5)]).await.unwrap();
        batch.commit("layout", 1).await.unwrap();
        db.ensure_province("53").await.unwrap(); // already there: nothing changes
        assert!(matches!(
            db.ensure_province("5'").await,
            Err(CensusDbError::NotAProvince(_))
        ));
        assert_eq!(db.provinces().await.unwrap(), ["45", "53"]);

        let mut conn = sqlx::PgConnection::connect(&pg).await.unwrap();
        let parts: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT p.relname::text, c.relname::text, pg_get_expr(c.relpartbound, c.oid) \
             FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
             JOIN pg_class p ON p.oid = i.inhparent WHERE c.relkind = 'r' ORDER BY 1, 2",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let mut expected = Vec::new();
        for t in ["census_members", "census_register", "census_returns"] {
            for p in ["45", "53"] {
                expected.push((
                    t.to_string(),
                    format!("{t}_p{p}"),
                    format!("FOR VALUES IN ('{p}')"),
                ));
            }
        }
        assert_eq!(parts, expected);
        let strategy: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT c.relname::text, p.partstrat::text, a.attname::text \
             FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid \
             JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] \
             ORDER BY 1",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        assert_eq!(
            strategy,
            ["census_members", "census_register", "census_returns"].map(|t| (
                t.to_string(),
                "l".to_string(),
                "province_code".to_string()
            ))
        );
        // Every unique index of the census tables and their partitions (the checkpoints are a
        // small reference table, not distributed; the ingests' refusals are distributed by
        // input, their key led by input_id, checked below).
        let unique: Vec<(String, Vec<String>)> = sqlx::query_as(
            "SELECT c.relname::text, array_agg(a.attname::text ORDER BY k.ord) \
             FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid \
             CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
             WHERE i.indisunique AND c.relname LIKE 'census%' \
               AND c.relname NOT IN ('census_ingest_checkpoints', 'census_ingest_rejects') \
             GROUP BY c.relname, i.indexrelid ORDER BY 1",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        assert_eq!(unique.len(), 9, "{unique:?}");
        for (table, columns) in &unique {
            assert_eq!(columns[0], "county_code", "{table}: {columns:?}");
            assert!(columns.contains(&"province_code".to_string()), "{table}");
        }
        let returns_key = &unique.iter().find(|u| u.0 == "census_returns").unwrap().1;
        assert_eq!(returns_key, &["county_code", "province_code", "return_id"]);
        let rejects_key: Vec<(String,)> = sqlx::query_as(
            "SELECT a.attname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid \
             CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
             WHERE i.indisunique AND c.relname = 'census_ingest_rejects' ORDER BY k.ord",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        assert_eq!(
            rejects_key,
            [("input_id".to_string(),), ("seq".to_string(),)]
        );
    });
}

/// Text with tabs, newlines, carriage returns, backslashes, a literal `\N` and `\.`, quotes,
/// commas, Chinese and an emoji, empty strings beside NULLs, and doubles at their extremes
/// come back exactly; a batch larger than one send (over 1 MiB) too.
#[test]
fn census_pg_copy_round_trips_nasty_strings_and_nulls() {
    let pg = fresh_pg_database();
    runtime().block_on(async {
        let db = census(&pg).await;
        let nasty = [
            "tab\there",
            "line\nbreak\r\nwindows",
            "back\\slash \\N \\. \\t",
            "\\N",
            "\\.",
            "",
            "\"quoted\", 'single'; comma,",
            "禄劝彝族苗族自治县 𝄞 ✓",
            "\u{7f}\u{1}bell\u{7}",
        ];
        let mut returns = Vec::new();
        for (i, text) in nasty.iter().enumerate() {
            let mut r = ret(&format!("r{i}{text}"), text, V1, i as i64 - 5);
            r.enumerator_id = text.to_string();
            r.enumerator_home_county = format!("{text}{text}");
            r.content_sha256 = text.to_string();
            r.answers_sha256 = (i % 2 == 0).then(|| text.to_string());
            r.gps_lat = [None, Some(0.1), Some(-0.0), Some(1e-7), Some(f64::MAX)][i % 5];
            r.gps_lon = [
                Some(f64::MIN_POSITIVE),
                None,
                Some(5e-324),
                Some(-1e300),
                Some(2.5),
            ][i % 5];
            r.income_ok = [None, Some(true), Some(false)][i % 3];
            r.status = [None, Some("poor"), Some("non_registered")][i % 3];
            returns.push(r);
        }
        let gone_one = gone("r-gone", "hg", V1, "moved_out");
        returns.push(gone_one);
        let mut members: Vec<MemberRow> = returns
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut m = member(r, &format!("m\t{i}\\"));
                m.id_number = (i % 2 == 1).then(|| r.household_id.clone());
                m.age = [None, Some(0), Some(97)][i % 3];
                m.sex = [None, Some("male"), Some("female")][i % 3];
                m
            })
            .collect();
        let mut register: Vec<RegisterRow> = nasty
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let mut g = registered(&format!("g{i}{text}"), V1);
                g.township_code = text.to_string();
                g.status = ["exited", "poor", "non_registered"][i % 3];
                g.lat = (i % 2 == 0).then_some(-90.0);
                g
            })
            .collect();
        // Many plain returns after the nasty ones: more than one 1 MiB send.
        let plain: Vec<ReturnRow> = (0..6000)
            .map(|i| ret(&format!("p{i:05}"), &format!("ph{i}"), V1, i))
            .collect();
        let mut batch = db.begin_batch().await.unwrap();
        assert_eq!(batch.copy_returns(&returns).await.unwrap(), 10);
        assert_eq!(batch.copy_returns(&plain).await.unwrap(), 6000);
        assert_eq!(batch.copy_members(&members).await.unwrap(), 10);
        assert_eq!(batch.copy_register(&register).await.unwrap(), 9);
        let cp = batch.commit("nasty", 42).await.unwrap();
        assert_eq!(
            (cp.offset, cp.returns, cp.members, cp.register),
            (42, 6010, 10, 9)
        );

        let mut back = db.returns("530128").await.unwrap();
        returns.extend(plain);
        let key = |r: &ReturnRow| r.return_id.clone();
        returns.sort_by_key(key);
        back.sort_by_key(key);
        assert_eq!(back.len(), returns.len());
        for (a, b) in back.iter().zip(&returns) {
            assert_eq!(a, b);
            // -0.0 == 0.0: compare the bits of the doubles too.
            assert_eq!(a.gps_lat.map(f64::to_bits), b.gps_lat.map(f64::to_bits));
            assert_eq!(a.gps_lon.map(f64::to_bits), b.gps_lon.map(f64::to_bits));
        }
        let mut back = db.members("530128").await.unwrap();
        let key = |m: &MemberRow| (m.return_id.clone(), m.member_id.clone());
        members.sort_by_key(key);
        back.sort_by_key(key);
        assert_eq!(back, members);
        let mut back = db.register("530128").await.unwrap();
        let key = |g: &RegisterRow| g.household_id.clone();
        register.sort_by_key(key);
        back.sort_by_key(key);
        assert_eq!(back, register);
        // NULL and the empty string stay apart.
        let mut conn = sqlx::PgConnection::connect(&pg).await.unwrap();
        let (nulls, empties): (i64, i64) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE answers_sha256 IS NULL), \
               count(*) FILTER (WHERE content_sha256 = '') FROM census_returns",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!((nulls, empties), (5, 1));
        assert!(db.returns("450223").await.unwrap().is_empty());
    });
}

/// A batch is written with its checkpoint or not at all: a failed copy, a batch dropped
/// without commit (as when the process is killed) and a checkpoint that would go back leave
/// no row; held_returns gives what is held, for a resumed load to skip.
#[test]
fn census_pg_a_failed_batch_leaves_no_rows_and_the_checkpoint_says_where_to_resume() {
    let pg = fresh_pg_database();
    runtime().block_on(async {
        let db = census(&pg).await;
        assert_eq!(db.checkpoint("input-A").await.unwrap(), None);
        let first: Vec<ReturnRow> = (1..=3).map(|i| ret(&format!("r{i}"), &format!("h{i}"), V1, i)).collect();
        let mut batch = db.begin_batch().await.unwrap();
        batch.copy_register(&[registered("h1", V1)]).await.unwrap();
        batch.copy_returns(&first).await.unwrap();
        batch.copy_members(&[member(&first[0], "1"), member(&first[0], "2")]).await.unwrap();
        let cp = batch.commit("input-A", 100).await.unwrap();
        assert_eq!((cp.offset, cp.returns, cp.members, cp.register), (100, 3, 2, 1));
        assert!(cp.updated_at.ends_with('Z') && cp.updated_at.len() == 20, "{}", cp.updated_at);

        // A member twice: the second copy fails; the batch's returns go too.
        let next: Vec<ReturnRow> = (4..=5).map(|i| ret(&format!("r{i}"), &format!("h{i}"), V1, i)).collect();
        let mut batch = db.begin_batch().await.unwrap();
        batch.copy_returns(&next).await.unwrap();
        let twice = [member(&next[0], "1"), member(&next[0], "1")];
        let e = batch.copy_members(&twice).await.unwrap_err();
        assert!(e.is_duplicate(), "{e}");
        assert!(matches!(batch.copy_returns(&next).await, Err(CensusDbError::BatchFailed)));
        assert!(matches!(batch.commit("input-A", 200).await, Err(CensusDbError::BatchFailed)));
        // A NUL in the second 1 MiB of a copy aborts it mid-stream: nothing of the batch.
        let mut many: Vec<ReturnRow> = (0..6000).map(|i| ret(&format!("n{i:05}"), "hn", V2, i)).collect();
        many[5999].enumerator_id = "bad\u{0}id".into();
        let mut batch = db.begin_batch().await.unwrap();
        batch.copy_returns(&next).await.unwrap();
        let e = batch.copy_returns(&many).await.unwrap_err();
        assert!(
            matches!(&e, CensusDbError::Nul { column: "enumerator_id", key, .. } if key == "n05999"),
            "{e}"
        );
        drop(batch);
        // Dropped without commit, as when the loader dies: rolled back.
        let mut batch = db.begin_batch().await.unwrap();
        batch.copy_returns(&next).await.unwrap();
        drop(batch);
        // The connection dies mid-batch (as when the loader is killed with -9: the server
        // ends the session): the server rolls the batch back, the commit fails.
        let mut batch = db.begin_batch().await.unwrap();
        batch.copy_returns(&next).await.unwrap();
        let mut admin = sqlx::PgConnection::connect(&pg).await.unwrap();
        let killed: Vec<(bool,)> = sqlx::query_as(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND state = 'idle in transaction'",
        )
        .fetch_all(&mut admin)
        .await
        .unwrap();
        assert_eq!(killed, [(true,)]);
        assert!(batch.commit("input-A", 200).await.is_err());
        // A held return again fails on the key: the ingest skips by held_returns first.
        let mut batch = db.begin_batch().await.unwrap();
        let e = batch.copy_returns(&first[..1]).await.unwrap_err();
        assert!(e.is_duplicate() && !e.is_conflict(), "{e}");
        drop(batch);

        assert_eq!(count(&pg, "census_returns").await, 3);
        assert_eq!(count(&pg, "census_members").await, 2);
        assert_eq!(db.checkpoint("input-A").await.unwrap().unwrap().offset, 100);
        let held = db.held_returns("530128").await.unwrap();
        let expected: HashMap<String, String> = first
            .iter()
            .map(|r| (r.return_id.clone(), r.content_sha256.clone()))
            .collect();
        assert_eq!(held, expected);
        assert!(db.held_returns("450223").await.unwrap().is_empty());

        // Resumed: the rest goes in, the counts add up.
        let mut batch = db.begin_batch().await.unwrap();
        batch.copy_returns(&next).await.unwrap();
        let cp = batch.commit("input-A", 200).await.unwrap();
        assert_eq!((cp.offset, cp.returns, cp.members, cp.register), (200, 5, 2, 1));
        // A batch whose offset is behind the checkpoint is refused whole.
        let mut batch = db.begin_batch().await.unwrap();
        batch.copy_returns(&[ret("r6", "h6", V1, 6)]).await.unwrap();
        let e = batch.commit("input-A", 150).await.unwrap_err();
        assert!(
            matches!(e, CensusDbError::CheckpointBehind { stored: 200, given: 150, .. }),
            "{e}"
        );
        assert_eq!(count(&pg, "census_returns").await, 5);
        // A row whose province is not its county's is refused before anything is sent.
        let mut bad = ret("r7", "h7", V1, 7);
        bad.province_code = "45".into();
        let mut batch = db.begin_batch().await.unwrap();
        assert!(matches!(
            batch.copy_returns(&[bad]).await,
            Err(CensusDbError::BadProvince { .. })
        ));
    });
}

/// Three counties in two provinces, by hand:
///
/// | village | registered | returns |
/// |---|---|---|
/// | V1 (530128, township 530128100) | A1 A2 A3 | A1 twice (enumerated), A2 dissolved; A3 none |
/// | V2 (530128, township 530128101) | B1 B2 | B1 enumerated, B2 moved out, X1 (not registered) enumerated |
/// | W1 (450223) | C1 C2 | C1 enumerated, Y1 (not registered) twice; C2 none |
/// | D (530129) | D1 | D1 enumerated |
fn coverage_fixture() -> (Vec<RegisterRow>, Vec<ReturnRow>) {
    let register = [
        ("A1", V1),
        ("A2", V1),
        ("A3", V1),
        ("B1", V2),
        ("B2", V2),
        ("C1", W1),
        ("C2", W1),
        ("D1", D),
    ]
    .map(|(h, v)| registered(h, v))
    .to_vec();
    // A1's first return has housing unmet (poor); its later duplicate has everything met
    // and must not be counted.
    let mut a1 = ret("r01", "A1", V1, 100);
    a1.housing = Some(false);
    a1.guarantees = Some(false);
    a1.poor = Some(true);
    let mut x1 = ret("r06", "X1", V2, 100);
    x1.income_ok = None;
    x1.poor = None;
    let returns = vec![
        a1,
        ret("r02", "A1", V1, 200),
        gone("r03", "A2", V1, "dissolved"),
        ret("r04", "B1", V2, 100),
        gone("r05", "B2", V2, "moved_out"),
        x1,
        ret("r07", "C1", W1, 100),
        ret("r08", "Y1", W1, 60),
        ret("r09", "Y1", W1, 50),
        ret("r10", "D1", D, 100),
    ];
    (register, returns)
}

fn cov(area: [Option<&str>; 4], n: [u64; 6]) -> Coverage {
    let s = |x: Option<&str>| x.map(String::from);
    Coverage {
        province_code: area[0].unwrap().into(),
        county_code: s(area[1]),
        township_code: s(area[2]),
        village_code: s(area[3]),
        registered: n[0],
        enumerated: n[1],
        missing: n[2],
        duplicated: n[3],
        not_registered: n[4],
        dissolved_or_moved: n[5],
    }
}

#[test]
fn census_pg_coverage_and_attainment_match_hand_counts() {
    let pg = fresh_pg_database();
    runtime().block_on(async {
        let db = census(&pg).await;
        let (register, returns) = coverage_fixture();
        let mut batch = db.begin_batch().await.unwrap();
        batch.copy_register(&register).await.unwrap();
        batch.copy_returns(&returns).await.unwrap();
        batch.commit("fixture", 1).await.unwrap();

        let (p53, p45) = (Some("53"), Some("45"));
        let all = Scope::All;
        assert_eq!(
            db.coverage(Level::Village, &all).await.unwrap(),
            [
                cov(
                    [p45, Some("450223"), Some("450223100"), Some(W1)],
                    [2, 1, 1, 1, 1, 0]
                ),
                cov(
                    [p53, Some("530128"), Some("530128100"), Some(V1)],
                    [3, 1, 1, 1, 0, 1]
                ),
                cov(
                    [p53, Some("530128"), Some("530128101"), Some(V2)],
                    [2, 1, 0, 0, 1, 1]
                ),
                cov(
                    [p53, Some("530129"), Some("530129100"), Some(D)],
                    [1, 1, 0, 0, 0, 0]
                ),
            ]
        );
        assert_eq!(
            db.coverage(Level::Township, &Scope::County("530128".into()))
                .await
                .unwrap(),
            [
                cov(
                    [p53, Some("530128"), Some("530128100"), None],
                    [3, 1, 1, 1, 0, 1]
                ),
                cov(
                    [p53, Some("530128"), Some("530128101"), None],
                    [2, 1, 0, 0, 1, 1]
                ),
            ]
        );
        assert_eq!(
            db.coverage(Level::County, &Scope::Province("53".into()))
                .await
                .unwrap(),
            [
                cov([p53, Some("530128"), None, None], [5, 2, 1, 1, 1, 2]),
                cov([p53, Some("530129"), None, None], [1, 1, 0, 0, 0, 0]),
            ]
        );
        assert_eq!(
            db.coverage(Level::Province, &all).await.unwrap(),
            [
                cov([p45, None, None, None], [2, 1, 1, 1, 1, 0]),
                cov([p53, None, None, None], [6, 3, 1, 1, 1, 2]),
            ]
        );

        let t = |met, unmet, unknown| Tally {
            met,
            unmet,
            unknown,
        };
        let county = |province: &str, county: &str, households| Attainment {
            province_code: province.into(),
            county_code: county.into(),
            households,
            income: t(households, 0, 0),
            food_clothing: t(households, 0, 0),
            education: t(households, 0, 0),
            medical: t(households, 0, 0),
            housing: t(households, 0, 0),
            water: t(households, 0, 0),
            guarantees: t(households, 0, 0),
            poor: t(0, households, 0),
        };
        // 530128: A1 (its first return: housing unmet, poor), B1, X1 (income unknown).
        let luquan = Attainment {
            income: t(2, 0, 1),
            housing: t(2, 1, 0),
            guarantees: t(2, 1, 0),
            poor: t(1, 1, 1),
            ..county("53", "530128", 3)
        };
        assert_eq!(
            db.attainment(&all).await.unwrap(),
            [
                county("45", "450223", 2),
                luquan.clone(),
                county("53", "530129", 1)
            ]
        );
        assert_eq!(
            db.attainment(&Scope::County("530128".into()))
                .await
                .unwrap(),
            [luquan]
        );
    });
}

/// A one-province query reads only that province's partitions (pruning), a one-county query
/// too, and a national one all of them.
#[test]
fn census_pg_a_one_province_query_reads_only_its_partitions() {
    let pg = fresh_pg_database();
    runtime().block_on(async {
        let db = census(&pg).await;
        let (register, returns) = coverage_fixture();
        let mut batch = db.begin_batch().await.unwrap();
        batch.copy_register(&register).await.unwrap();
        batch.copy_returns(&returns).await.unwrap();
        batch.commit("fixture", 1).await.unwrap();
        let mut conn = sqlx::PgConnection::connect(&pg).await.unwrap();
        let plan = |sql: String, bind: Option<&'static str>| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN {sql}")));
            if let Some(b) = bind {
                q = q.bind(b);
            }
            q
        };
        let scopes = [
            (Scope::Province("53".into()), Some("53")),
            (Scope::County("530128".into()), Some("530128")),
            (Scope::All, None),
        ];
        for (scope, bind) in scopes {
            for (name, sql) in [
                (
                    "coverage",
                    assess_store::census::coverage_sql(Level::County, &scope),
                ),
                ("attainment", assess_store::census::attainment_sql(&scope)),
            ] {
                let text: Vec<String> = plan(sql, bind)
                    .fetch_all(&mut conn)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                let text = text.join("\n");
                assert!(
                    text.contains("census_returns_p53"),
                    "{name} {scope:?}: {text}"
                );
                assert_eq!(
                    text.contains("census_returns_p45"),
                    scope == Scope::All,
                    "{name} {scope:?}: {text}"
                );
                if name == "coverage" {
                    assert!(text.contains("census_register_p53"), "{text}");
                    assert_eq!(
                        text.contains("census_register_p45"),
                        scope == Scope::All,
                        "{text}"
                    );
                }
            }
        }
    });
}

/// Two offices load at once, each making the same new provinces' partitions in its batch
/// (in opposite orders): partition creation is serialised, both batches commit (repeated when
/// the server reports a conflict), and every row is held once.
#[test]
fn census_pg_two_loaders_making_the_same_partitions_both_commit() {
    let pg = fresh_pg_database();
    runtime().block_on(async {
        census(&pg).await;
        let load = |name: &'static str, villages: [&'static str; 2]| {
            let url = pg.to_string();
            async move {
                let db = CensusDb::connect(&url).await.unwrap();
                let rows: Vec<ReturnRow> = villages
                    .iter()
                    .flat_map(|v| (0..500).map(move |i| ret(&format!("{name}-{i}"), "h", v, i)))
                    .collect();
                for attempt in 1.. {
                    let mut batch = db.begin_batch().await.unwrap();
                    let result = async {
                        batch.copy_returns(&rows[..500]).await?;
                        batch.copy_returns(&rows[500..]).await?;
                        batch.commit(name, 1).await
                    }
                    .await;
                    match result {
                        Ok(cp) => return cp.returns,
                        Err(e) if e.is_conflict() && attempt < 5 => continue,
                        Err(e) => panic!("{name}: {e}"),
                    }
                }
                unreachable!()
            }
        };
        let (a, b) = tokio::join!(load("a", [V1, W1]), load("b", [W1, V1]));
        assert_eq!((a, b), (1000, 1000));
        assert_eq!(count(&pg, "census_returns").await, 2000);
        assert_eq!(count(&pg, "census_returns_p45").await, 1000);
    });
}
