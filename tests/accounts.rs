//! Accounts, tokens and assignments (docs/server.md, "Accounts, tokens, roles"), on SQLite and
//! PostgreSQL: `assess user` and `assess assignment` driven through the real binary, tokens
//! checked through the library's `authenticate` as the field server will, and the tables read
//! directly to show that only hashes are stored.

use crate::util::{assess, databases, db_digest, db_pool, luquan_draw, read, with_draw};
use assess_access::{decide, Access, Role, Rule, Target};
use assess_app::accounts::{self, authenticate};
use assess_app::AppError;
use assess_store::Store;
use sha2::Digest;
use sqlx::Row;
use std::collections::BTreeSet;
use std::path::Path;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// `assess user ARGS --db DB`, which must succeed: its stdout.
fn user(db: &str, args: &[&str]) -> String {
    let out = assess()
        .arg("user")
        .args(args)
        .args(["--db", db])
        .assert()
        .success();
    String::from_utf8_lossy(&out.get_output().stdout).to_string()
}

/// `assess ARGS --db DB`, which must be refused with exit status 1: its stderr.
fn refused(db: &str, args: &[&str]) -> String {
    let out = assess().args(args).args(["--db", db]).assert().code(1);
    String::from_utf8_lossy(&out.get_output().stderr).to_string()
}

/// Adds an account; its token (stdout's one line).
fn add(db: &str, name: &str, role: &str, extra: &[&str]) -> String {
    let mut args = vec!["add", name, "--role", role];
    args.extend_from_slice(extra);
    let token = user(db, &args).trim().to_string();
    assert!(
        token.starts_with("assess_") && token.len() == 7 + 64,
        "{token}"
    );
    token
}

/// The library's answer to a token, as the server will ask it.
#[allow(clippy::result_large_err)] // as in assess-app: a cold path
fn who(db: &str, token: &str) -> Result<(assess_access::Account, assess_access::Grants), AppError> {
    runtime().block_on(async {
        let store = Store::open(db).await.unwrap();
        let r = authenticate(&store, token).await;
        store.close().await;
        r
    })
}

/// Every text cell of the account tables, as the database holds them.
fn stored_cells(db: &str) -> Vec<String> {
    let (rt, pool) = db_pool(db);
    rt.block_on(async {
        let mut out = Vec::new();
        for sql in [
            "SELECT name, role, COALESCE(team, ''), COALESCE(province, ''), created_at, COALESCE(revoked_at, '') FROM accounts",
            "SELECT token_sha256, account, created_at, COALESCE(revoked_at, ''), '', '' FROM api_tokens",
        ] {
            for r in sqlx::query(sql).fetch_all(&pool).await.unwrap() {
                for i in 0..6 {
                    out.push(r.get::<String, _>(i));
                }
            }
        }
        pool.close().await;
        out
    })
}

#[test]
fn accounts_and_tokens_round_trip_and_only_hashes_are_stored() {
    let dir = tempfile::tempdir().unwrap();
    for (engine, db) in databases(dir.path()) {
        let admin = add(&db, "admin", "admin", &[]);
        let li = add(&db, "李伟", "interviewer", &["--team", "GZ-1"]);
        let second = user(&db, &["token", "李伟"]).trim().to_string();
        assert_ne!(li, second, "{engine}");

        // Listed with role, team and two active tokens.
        let list: serde_json::Value =
            serde_json::from_str(&user(&db, &["list", "--json"])).unwrap();
        assert_eq!(list[1]["name"], "李伟", "{engine}");
        assert_eq!(list[1]["role"], "interviewer");
        assert_eq!(list[1]["team"], "GZ-1");
        assert_eq!(list[1]["active_tokens"], 2);
        assert_eq!(list[0]["role"], "admin");
        assert!(list[1]["revoked_at"].is_null());

        // Only the SHA-256 of each token is stored, nowhere the token.
        let cells = stored_cells(&db);
        for token in [&admin, &li, &second] {
            let hash = hex::encode(sha2::Sha256::digest(token.as_bytes()));
            assert!(
                cells.contains(&hash),
                "{engine}: the hash of a token is stored"
            );
            let secret = &token["assess_".len()..];
            assert!(
                cells.iter().all(|c| !c.contains(secret)),
                "{engine}: a token in plain text"
            );
        }

        // Both tokens open the account; another token does not.
        for token in [&li, &second] {
            let (account, grants) = who(&db, token).unwrap();
            assert_eq!(account.name, "李伟");
            assert_eq!(account.role, Role::Interviewer);
            assert!(grants.counties.is_empty() && grants.villages.is_empty());
        }
        let forged = format!("assess_{}", "0".repeat(64));
        assert!(matches!(who(&db, &forged), Err(AppError::BadToken)));
        assert!(matches!(who(&db, "not a token"), Err(AppError::BadToken)));

        // Revoked: no token opens it, it lists as revoked, and its name is not given again.
        let out = user(&db, &["revoke", "李伟"]);
        assert_eq!(out.trim(), "revoked 李伟 and its 2 tokens", "{engine}");
        for token in [&li, &second] {
            assert!(
                matches!(who(&db, token), Err(AppError::BadToken)),
                "{engine}"
            );
        }
        assert_eq!(who(&db, &admin).unwrap().0.role, Role::Admin);
        let list: serde_json::Value =
            serde_json::from_str(&user(&db, &["list", "--json"])).unwrap();
        assert!(list[1]["revoked_at"].is_string(), "{engine}");
        assert_eq!(list[1]["active_tokens"], 0);
        let again = user(&db, &["revoke", "李伟"]);
        assert_eq!(again.trim(), "李伟 was already revoked; nothing changed");

        let before = db_digest(&db);
        let e = refused(&db, &["user", "token", "李伟"]);
        assert!(e.contains("account \"李伟\" is revoked"), "{engine}: {e}");
        let e = refused(
            &db,
            &[
                "user",
                "add",
                "李伟",
                "--role",
                "interviewer",
                "--team",
                "T",
            ],
        );
        assert!(
            e.contains("an account named \"李伟\" already exists (revoked)"),
            "{engine}: {e}"
        );
        let e = refused(&db, &["user", "add", "admin", "--role", "admin"]);
        assert!(e.contains("names are never reused"), "{engine}: {e}");
        assert_eq!(
            db_digest(&db),
            before,
            "{engine}: a refusal changed the database"
        );
    }
}

/// The sampled villages of a draw directory, in sample_villages.csv's order.
fn villages(drawn: &Path) -> Vec<String> {
    let text = read(&drawn.join("sample_villages.csv"));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let column = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "village_code")
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap()[column].to_string())
        .collect()
}

/// `assess assign` of a Guizhou team (province 52) to Luquan (530128): the real output file.
fn assign_output(dir: &Path) -> std::path::PathBuf {
    std::fs::write(dir.join("teams.csv"), "team,province,capacity\nGZ-1,52,1\n").unwrap();
    std::fs::write(dir.join("counties.csv"), "county\n530128\n").unwrap();
    let out = dir.join("assignment.csv");
    assess()
        .arg("assign")
        .arg("--teams")
        .arg(dir.join("teams.csv"))
        .arg("--counties")
        .arg(dir.join("counties.csv"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    assert!(read(&out).contains("530128,禄劝彝族苗族自治县,GZ-1,52,"));
    out
}

#[test]
fn assignments_load_from_assign_output_and_a_village_split_and_scope_the_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, draw_id, _) = luquan_draw(dir.path(), 1);
    let (v1, v2) = (villages(&drawn)[0].clone(), villages(&drawn)[1].clone());
    let assignment = assign_output(dir.path());
    let split = dir.path().join("split.csv");
    std::fs::write(
        &split,
        format!(
            "draw_id,county_code,village_code,interviewers,households\n\
             {draw_id},530128,{v1},li; wang,10\n{draw_id},530128,{v2},li,8\n"
        ),
    )
    .unwrap();
    for (engine, db) in databases(dir.path()) {
        with_draw(&drawn, &db);
        let li = add(&db, "li", "interviewer", &["--team", "GZ-1"]);
        add(&db, "wang", "interviewer", &["--team", "GZ-1"]);
        let lead = add(
            &db,
            "zhao",
            "cross_assessor",
            &["--team", "GZ-1", "--province", "52"],
        );
        let coordinator = add(&db, "chen", "coordinator", &[]);

        let load = |files: &[&Path]| {
            let mut cmd = assess();
            cmd.args(["assignment", "load", "--db", &db]);
            for (flag, f) in ["--counties", "--villages"].iter().zip(files) {
                cmd.arg(flag).arg(f);
            }
            let out = cmd.assert().success();
            String::from_utf8_lossy(&out.get_output().stdout).to_string()
        };
        let out = load(&[&assignment, &split]);
        assert!(
            out.contains("assigned 1 county to teams and 3 villages to interviewers"),
            "{engine}: {out}"
        );
        // Idempotent.
        let out = load(&[&assignment, &split]);
        assert!(
            out.contains("assigned 0 counties to teams and 0 villages"),
            "{engine}: {out}"
        );

        let list = assess()
            .args(["assignment", "list", "--json", "--db", &db])
            .assert()
            .success();
        let list: serde_json::Value = serde_json::from_slice(&list.get_output().stdout).unwrap();
        assert_eq!(list["counties"].as_array().unwrap().len(), 1, "{engine}");
        assert_eq!(list["counties"][0]["team"], "GZ-1");
        assert_eq!(list["counties"][0]["county_code"], "530128");
        let villages: BTreeSet<(String, String)> = list["villages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                assert_eq!(v["county_code"], "530128");
                (
                    v["account"].as_str().unwrap().to_string(),
                    v["village_code"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let expected = BTreeSet::from([
            ("li".to_string(), v1.clone()),
            ("li".to_string(), v2.clone()),
            ("wang".to_string(), v1.clone()),
        ]);
        assert_eq!(villages, expected, "{engine}");

        // The scopes that follow: li reads and writes v1 and v2, not county-wide; wang only v1;
        // the Guizhou cross-assessor the whole county; the coordinator reads it only.
        fn village<'a>(draw: &'a str, v: &'a str) -> Target<'a> {
            Target::Village {
                draw,
                county: "530128",
                village: v,
            }
        }
        let (account, grants) = who(&db, &li).unwrap();
        assert_eq!(
            grants.villages,
            BTreeSet::from([(draw_id.clone(), v1.clone()), (draw_id.clone(), v2.clone())])
        );
        assert!(decide(&account, &grants, Access::Write, village(&draw_id, &v2)).is_ok());
        let r = decide(&account, &grants, Access::Read, Target::County("530128")).unwrap_err();
        assert_eq!(r.rule, Rule::OutOfScope);
        let (account, grants) = who(&db, &lead).unwrap();
        assert_eq!(grants.counties, BTreeSet::from(["530128".to_string()]));
        assert!(decide(&account, &grants, Access::Write, Target::County("530128")).is_ok());
        let (account, grants) = who(&db, &coordinator).unwrap();
        assert!(decide(&account, &grants, Access::Read, village(&draw_id, &v1)).is_ok());
        assert_eq!(
            decide(&account, &grants, Access::Write, village(&draw_id, &v1))
                .unwrap_err()
                .rule,
            Rule::ReadOnly
        );

        // A Yunnan cross-assessor cannot join the team now that it holds a Yunnan county.
        let before = db_digest(&db);
        let e = refused(
            &db,
            &[
                "user",
                "add",
                "ma",
                "--role",
                "cross_assessor",
                "--team",
                "GZ-1",
                "--province",
                "53",
            ],
        );
        assert!(
            e.contains("ma cannot join team GZ-1, which is assigned county 530128: county 530128 is in province 53, the own province of ma"),
            "{engine}: {e}"
        );
        assert_eq!(db_digest(&db), before, "{engine}");
    }
}

#[test]
fn assignments_are_refused_with_file_line_and_field_and_nothing_is_assigned() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, draw_id, _) = luquan_draw(dir.path(), 1);
    let sampled = villages(&drawn);
    let (v1, v2, v3) = (&sampled[0], &sampled[1], &sampled[2]);
    for (engine, db) in databases(dir.path()) {
        with_draw(&drawn, &db);
        add(
            &db,
            "ma",
            "cross_assessor",
            &["--team", "YN-X", "--province", "53"],
        );
        add(&db, "li", "interviewer", &["--team", "YN-X"]);
        add(&db, "wang", "team_leader", &["--team", "GZ-1"]);
        let before = db_digest(&db);

        // The team's file says province 11, but a Yunnan cross-assessor is in it.
        let counties = dir.path().join("counties.csv");
        std::fs::write(
            &counties,
            "county,county_name,team,team_province,distance_km\n530128,x,YN-X,11,1.0\n",
        )
        .unwrap();
        let e = refused(
            &db,
            &[
                "assignment",
                "load",
                "--counties",
                counties.to_str().unwrap(),
            ],
        );
        assert!(
            e.contains("counties.csv: line 2, column team: team YN-X has ma: county 530128 is in province 53, the own province of ma"),
            "{engine}: {e}"
        );

        // A team leader given a village, a village whose county the interviewer's team does
        // not hold, no interviewer named, a village listed twice.
        let split = dir.path().join("split.csv");
        std::fs::write(
            &split,
            format!(
                "draw_id,county_code,village_code,interviewers\n\
                 {draw_id},530128,{v1},wang\n{draw_id},530128,{v2},li\n\
                 {draw_id},530128,{v3},\n{draw_id},530128,{v2},li\n"
            ),
        )
        .unwrap();
        let e = refused(
            &db,
            &["assignment", "load", "--villages", split.to_str().unwrap()],
        );
        for expected in [
            "split.csv refused, 4 problems".to_string(),
            "split.csv: line 2, column interviewers: wang is a team leader; villages are assigned to interviewers only".to_string(),
            format!("split.csv: line 3, column interviewers: village {v2} is in county 530128, which is not assigned to team YN-X of interviewer li; assign the county to the team first"),
            "split.csv: line 4, column interviewers: no interviewer is named".to_string(),
            format!("split.csv: line 5, column village_code: village {v2} of draw {draw_id} is listed twice (first on line 3)"),
        ] {
            assert!(e.contains(&expected), "{engine}: {expected}\n{e}");
        }
        assert_eq!(
            db_digest(&db),
            before,
            "{engine}: a refusal changed the database"
        );
    }
}

/// The token is random from the OS and made by the library alone (no database needed).
#[test]
fn new_tokens_differ() {
    let tokens: BTreeSet<String> = (0..100).map(|_| accounts::new_token().unwrap()).collect();
    assert_eq!(tokens.len(), 100);
}
