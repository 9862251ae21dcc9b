//! The field server (`assess serve`), driven over HTTP as a team, a cross-assessor and a
//! coordinator would, on SQLite and on PostgreSQL.

use crate::server_util::{add_user, Server};
use crate::util::{assess, databases, read, repo_file, with_draw};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A draw of the bundled Luquan example in a database, with accounts and assignments.
struct Field {
    dir: tempfile::TempDir,
    db: crate::util::TestDb,
    engine: &'static str,
    draw_dir: PathBuf,
    draw: String,
    /// Two sampled villages and a primary household of each.
    v1: String,
    v2: String,
    h1: String,
    h2: String,
    /// Account name → token.
    tokens: BTreeMap<&'static str, String>,
    visits: PathBuf,
}

/// The bundled example drawn once per test run, with its simulated visits.
fn example_draw() -> (PathBuf, PathBuf) {
    static MADE: std::sync::OnceLock<(PathBuf, PathBuf)> = std::sync::OnceLock::new();
    MADE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("server-draw-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (register, villages, truth) = (
            repo_file("examples/luquan/register.csv"),
            repo_file("examples/luquan/villages.csv"),
            repo_file("examples/luquan/truth.csv"),
        );
        let out = dir.join("draw");
        crate::util::draw(
            &repo_file("sample-plans/luquan-530128.toml"),
            &register,
            &villages,
            "1",
            "2",
            &out,
        )
        .success();
        let visits = dir.join("visits.jsonl");
        crate::util::simulate_visits(&out, &register, &truth, &visits);
        (out, visits)
    })
    .clone()
}

fn field(engine: &'static str) -> Field {
    let dir = tempfile::tempdir().unwrap();
    let db = databases(dir.path())
        .into_iter()
        .find(|(e, _)| *e == engine)
        .unwrap()
        .1;
    let (draw_dir, visits) = example_draw();
    with_draw(&draw_dir, &db);
    let manifest: Value = serde_json::from_str(&read(&draw_dir.join("manifest.json"))).unwrap();
    let draw = manifest["sample_sha256"].as_str().unwrap().to_string();
    let rows = crate::util::sample_rows(&draw_dir);
    let villages: Vec<String> = rows
        .iter()
        .map(|r| r["village_code"].clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let (v1, v2) = (villages[0].clone(), villages[1].clone());
    let primary_of = |v: &str| {
        rows.iter()
            .find(|r| r["village_code"] == v && r["role"] == "primary")
            .unwrap()["household_id"]
            .clone()
    };
    let (h1, h2) = (primary_of(&v1), primary_of(&v2));
    let mut tokens = BTreeMap::new();
    for (name, role, team, province) in [
        ("zhang", "interviewer", Some("T1"), None),
        ("wang", "interviewer", Some("T1"), None),
        ("lead", "team_leader", Some("T1"), None),
        ("lead2", "team_leader", Some("T2"), None),
        ("xa", "cross_assessor", Some("X1"), Some("11")),
        ("xb", "cross_assessor", Some("X2"), Some("53")),
        ("coord", "coordinator", None, None),
        ("admin", "admin", None, None),
    ] {
        tokens.insert(name, add_user(&db, name, role, team, province));
    }
    // Two rounds of assignment, as `assess assign` writes them: one team per county each.
    let round = |name: &str, rows: &str| {
        let file = dir.path().join(name);
        std::fs::write(
            &file,
            format!("county,county_name,team,team_province,distance_km\n{rows}"),
        )
        .unwrap();
        assess()
            .args(["assignment", "load", "--db", &db, "--counties"])
            .arg(&file)
            .assert()
            .success();
    };
    round(
        "teams.csv",
        "530128,禄劝县,T1,11,0\n522327,册亨县,T2,11,0\n",
    );
    round(
        "cross.csv",
        "530128,禄劝县,X1,11,2000\n522327,册亨县,X2,53,500\n",
    );
    let split = dir.path().join("split.csv");
    std::fs::write(
        &split,
        format!(
            "draw_id,county_code,village_code,interviewers\n{draw},530128,{v1},zhang\n\
             {draw},530128,{v2},wang\n"
        ),
    )
    .unwrap();
    assess()
        .args(["assignment", "load", "--db", &db, "--villages"])
        .arg(&split)
        .assert()
        .success();
    Field {
        dir,
        db,
        engine,
        draw_dir,
        draw,
        v1,
        v2,
        h1,
        h2,
        tokens,
        visits,
    }
}

impl Field {
    fn start(&self, extra: &[&str]) -> Server {
        let mut args = vec!["--rate", "0"];
        args.extend_from_slice(extra);
        Server::start(self.dir.path(), &self.db, &args)
    }

    fn token(&self, name: &str) -> &str {
        &self.tokens[name]
    }

    /// The simulated visit of a household.
    fn visit(&self, household: &str) -> Value {
        read(&self.visits)
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .find(|v| v["household_id"] == household)
            .unwrap()
    }

    /// Every simulated visit of a village's households.
    fn village_visits(&self, village: &str) -> Vec<Value> {
        read(&self.visits)
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|v| v["household_id"].as_str().unwrap().starts_with(village))
            .collect()
    }
}

fn engines() -> [&'static str; 2] {
    ["sqlite", "postgres"]
}

fn batch(records: &[(&str, Option<&str>, &Value)]) -> Value {
    json!({"records": records.iter().map(|(id, base, r)| json!({"record_id": id, "base_sha256": base, "record": r})).collect::<Vec<_>>()})
}

fn statuses(answer: &Value) -> Vec<String> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_string())
        .collect()
}

/// The stored versions of a household: (version, content hash, current).
fn versions(db: &str, draw: &str, household: &str) -> Vec<(i64, String, bool)> {
    use sqlx::Row;
    let (runtime, pool) = crate::util::db_pool(db);
    let rows = runtime
        .block_on(
            sqlx::query(
                "SELECT version, content_sha256, CAST(CASE WHEN is_current THEN 1 ELSE 0 END AS BIGINT) \
                 FROM visits WHERE draw_id = $1 AND household_id = $2 ORDER BY version",
            )
            .bind(draw)
            .bind(household)
            .fetch_all(&pool),
        )
        .unwrap();
    let out = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get::<i64, _>(2) == 1))
        .collect();
    runtime.block_on(pool.close());
    out
}

#[test]
fn the_openapi_file_in_docs_is_the_served_document_and_lists_every_endpoint() {
    let f = field("sqlite");
    let server = f.start(&[]);
    let served = server.call("GET", "/api/v1/openapi.json", None, None);
    assert_eq!(served.status, 200);
    let file: Value = serde_json::from_str(&read(&repo_file("docs/openapi.json"))).unwrap();
    assert!(
        served.body == file,
        "docs/openapi.json differs from the served document: regenerate it with \
         `assess serve --print-openapi > docs/openapi.json`"
    );
    let documented: BTreeSet<(String, String)> = file["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    let routed: BTreeSet<(String, String)> = assess_server::endpoints::ENDPOINTS
        .iter()
        .map(|e| (e.method.to_string(), e.path.to_string()))
        .collect();
    assert_eq!(
        documented, routed,
        "the endpoint table and the OpenAPI document differ"
    );
}

#[test]
fn uploads_are_answered_per_record_idempotent_and_conflicts_are_kept() {
    for engine in engines() {
        let f = field(engine);
        let server = f.start(&[]);
        let zhang = f.token("zhang");
        let mine = f.village_visits(&f.v1);
        assert!(mine.len() >= 3, "{engine}");
        let items: Vec<(String, Value)> = mine
            .iter()
            .map(|r| {
                (
                    format!("z-{}", r["household_id"].as_str().unwrap()),
                    r.clone(),
                )
            })
            .collect();
        let body = batch(
            &items
                .iter()
                .map(|(id, r)| (id.as_str(), None, r))
                .collect::<Vec<_>>(),
        );
        let first = server.post("/api/v1/records", zhang, &body);
        assert_eq!(first.status, 200, "{engine}: {:?}", first.body);
        assert!(
            statuses(&first.body).iter().all(|s| s == "accepted"),
            "{engine}"
        );
        // Every acknowledged record is stored with the content sent.
        for (answer, (_, record)) in first.body["results"].as_array().unwrap().iter().zip(&items) {
            let household = record["household_id"].as_str().unwrap();
            let stored = versions(&f.db, &f.draw, household);
            assert_eq!(stored.len(), 1, "{engine}");
            assert_eq!(
                stored[0].1,
                answer["content_sha256"].as_str().unwrap(),
                "{engine}"
            );
        }
        // A retry writes nothing.
        let again = server.post("/api/v1/records", zhang, &body);
        assert!(
            statuses(&again.body).iter().all(|s| s == "unchanged"),
            "{engine}"
        );
        let household = mine[0]["household_id"].as_str().unwrap();
        assert_eq!(versions(&f.db, &f.draw, household).len(), 1, "{engine}");
        let current = first.body["results"][0]["content_sha256"]
            .as_str()
            .unwrap()
            .to_string();

        // An edit made without having seen the stored version is a conflict: both kept.
        let mut other = mine[0].clone();
        other["team"] = json!("a second device");
        let conflict = server.post(
            "/api/v1/records",
            zhang,
            &batch(&[("device-2", None, &other)]),
        );
        assert_eq!(statuses(&conflict.body), ["conflict"], "{engine}");
        assert_eq!(
            conflict.body["results"][0]["current_sha256"],
            json!(current)
        );
        assert_eq!(versions(&f.db, &f.draw, household).len(), 1, "{engine}");
        let listed = server.get("/api/v1/conflicts", zhang);
        assert_eq!(listed.body.as_array().unwrap().len(), 1, "{engine}");
        assert_eq!(listed.body[0]["record"]["team"], json!("a second device"));
        // Sent again: still one kept conflict.
        server.post(
            "/api/v1/records",
            zhang,
            &batch(&[("device-2", None, &other)]),
        );
        assert_eq!(
            server
                .get("/api/v1/conflicts", zhang)
                .body
                .as_array()
                .unwrap()
                .len(),
            1
        );

        // An edit of the current version resolves it: a new version, the old one kept.
        let mut merged = other.clone();
        merged["team"] = json!("merged");
        let resolved = server.post(
            "/api/v1/records",
            zhang,
            &batch(&[(&format!("z-{household}"), Some(&current), &merged)]),
        );
        assert_eq!(statuses(&resolved.body), ["accepted"], "{engine}");
        assert_eq!(resolved.body["results"][0]["version"], json!(2));
        assert_eq!(resolved.body["results"][0]["resolved_conflicts"], json!(1));
        let stored = versions(&f.db, &f.draw, household);
        assert_eq!(stored.len(), 2);
        assert!(stored[1].2 && !stored[0].2, "{engine}: {stored:?}");
        assert!(server
            .get("/api/v1/conflicts", zhang)
            .body
            .as_array()
            .unwrap()
            .is_empty());

        // Refusals name the field; the rest of the batch lands.
        let mut bad = mine[1].clone();
        bad["disposition"] = json!("teleported");
        let mut unknown = mine[2].clone();
        unknown["household_id"] = json!(format!("{}-9999", f.v1));
        unknown["household"]["household_id"] = unknown["household_id"].clone();
        let mixed = server.post(
            "/api/v1/records",
            zhang,
            &batch(&[
                ("bad", None, &bad),
                ("", None, &mine[2]),
                ("unknown", None, &unknown),
                (&format!("z-{household}"), None, &mine[0]),
            ]),
        );
        assert_eq!(mixed.status, 200, "{engine}: {:?}", mixed.body);
        let results = mixed.body["results"].as_array().unwrap();
        assert_eq!(
            statuses(&mixed.body),
            ["refused", "refused", "refused", "unchanged"]
        );
        assert_eq!(
            results[0]["field"],
            json!("disposition"),
            "{:?}",
            results[0]
        );
        assert_eq!(results[1]["field"], json!("record_id"));
        assert_eq!(results[2]["field"], json!("household_id"));
    }
}

#[test]
fn photos_are_content_addressed_size_limited_and_safe_to_send_again() {
    let photo = make_jpeg().unwrap();
    let sha = hex::encode(Sha256::digest(&photo));
    for engine in engines() {
        let f = field(engine);
        let server = f.start(&["--max-photo-bytes", "200000"]);
        let zhang = f.token("zhang");
        let path = format!("/api/v1/draws/{}/households/{}/photos/{sha}", f.draw, f.h1);
        assert_eq!(server.get(&path, zhang).status, 404, "{engine}");
        let stored = server.put_bytes(&path, zhang, photo.clone());
        assert_eq!(stored.status, 200, "{engine}: {:?}", stored.body);
        assert_eq!(stored.body["status"], json!("stored"));
        assert_eq!(server.get(&path, zhang).status, 200);
        let again = server.put_bytes(&path, zhang, photo.clone());
        assert_eq!(again.body["status"], json!("unchanged"), "{engine}");
        // Bytes that do not hash to the name: refused, nothing stored.
        let mut cut = photo.clone();
        cut.truncate(photo.len() / 2);
        let other = format!("/api/v1/draws/{}/households/{}/photos/{sha}", f.draw, f.h1);
        let refused = server.put_bytes(&other, zhang, cut.clone());
        assert_eq!(refused.status, 422, "{engine}: {:?}", refused.body);
        assert_eq!(refused.body["error"]["field"], json!("sha256"));
        // Over the limit: 413, whatever the name.
        let big = vec![0u8; 300_000];
        let big_sha = hex::encode(Sha256::digest(&big));
        let big_path = format!(
            "/api/v1/draws/{}/households/{}/photos/{big_sha}",
            f.draw, f.h1
        );
        // The server answers 413 on the declared length without reading the body; the client
        // may see the answer, or the connection closed while it was still sending.
        if let Ok(over) = server.try_put_bytes(&big_path, zhang, big) {
            assert_eq!(over.status, 413, "{engine}: {:?}", over.body);
            assert_eq!(over.body["error"]["code"], json!("too_large"));
        }
        assert_eq!(
            server.get(&big_path, zhang).status,
            404,
            "{engine}: nothing stored"
        );
        // Another interviewer's household: 403.
        let theirs = format!("/api/v1/draws/{}/households/{}/photos/{sha}", f.draw, f.h2);
        assert_eq!(server.put_bytes(&theirs, zhang, photo.clone()).status, 403);
    }
}

/// A small JPEG.
fn make_jpeg() -> std::io::Result<Vec<u8>> {
    let image = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, 90])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .map_err(std::io::Error::other)?;
    Ok(out.into_inner())
}

/// What a role may do with its own assignments (insider) and with another's (outsider).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum May {
    Yes,
    No,
}

/// Expected answers, stated independently of the server's rules: role × scope kind.
fn expected(role: &str, scope: assess_server::endpoints::Scope, insider: bool) -> May {
    use assess_server::endpoints::{Over, Scope};
    let yes = |b: bool| if b { May::Yes } else { May::No };
    match scope {
        Scope::Public | Scope::Caller | Scope::Filtered => May::Yes,
        Scope::Accounts => yes(role == "admin"),
        Scope::Read(over) | Scope::Write(over) => {
            let write = matches!(scope, Scope::Write(_));
            match role {
                "admin" => May::Yes,
                "coordinator" => yes(!write),
                // Census returns go by the team's counties, and both interviewers (zhang, wang)
                // are of team T1, which has county 530128.
                "interviewer" if over == Over::Return => May::Yes,
                "interviewer" => yes(insider && over == Over::Village),
                "team_leader" | "cross_assessor" => yes(insider),
                _ => unreachable!(),
            }
        }
    }
}

/// The request each endpoint is exercised with, on village 1 and its household.
fn request_for(
    f: &Field,
    e: &assess_server::endpoints::Endpoint,
) -> (String, Option<Value>, Option<Vec<u8>>) {
    let (d, v, h) = (&f.draw, &f.v1, &f.h1);
    let sha = "0".repeat(64);
    match e.path {
        "/api/v1/health"
        | "/api/v1/openapi.json"
        | "/api/v1/me"
        | "/api/v1/form"
        | "/api/v1/assignments"
        | "/api/v1/conflicts"
        | "/api/v1/progress"
        | "/api/v1/accounts" => (e.path.to_string(), None, None),
        "/api/v1/draws/{draw}/villages/{village}/households" => (
            format!("/api/v1/draws/{d}/villages/{v}/households"),
            None,
            None,
        ),
        "/api/v1/draws/{draw}/villages/{village}/records" => (
            format!("/api/v1/draws/{d}/villages/{v}/records"),
            None,
            None,
        ),
        "/api/v1/records" => (
            e.path.to_string(),
            Some(batch(&[("m-1", None, &f.visit(h))])),
            None,
        ),
        "/api/v1/draws/{draw}/households/{household}/photos/{sha256}" => (
            format!("/api/v1/draws/{d}/households/{h}/photos/{sha}"),
            None,
            (e.method == "PUT").then(|| b"not a photo".to_vec()),
        ),
        "/api/v1/counties/{county}/verdict" => {
            ("/api/v1/counties/530128/verdict".into(), None, None)
        }
        "/api/v1/draws/{draw}/findings" => (format!("/api/v1/draws/{d}/findings"), None, None),
        "/api/v1/draws/{draw}/households/{household}/steps" => (
            format!("/api/v1/draws/{d}/households/{h}/steps"),
            Some(
                json!({"step": "review_upheld", "acted_at": "2030-01-01T20:00:00+08:00", "reason": "checked"}),
            ),
            None,
        ),
        "/api/v1/census/returns" => (e.path.to_string(), None, Some(census_lines("530128", 1))),
        other => panic!("endpoint {other} has no request in the scope matrix: add one"),
    }
}

#[test]
fn every_endpoint_checks_its_scope_for_every_role() {
    use assess_server::endpoints::{Over, Scope};
    // role, insider account (village 1 / county 530128 assigned), outsider account.
    let accounts = [
        ("interviewer", "zhang", Some("wang")),
        ("team_leader", "lead", Some("lead2")),
        ("cross_assessor", "xa", Some("xb")),
        ("coordinator", "coord", None),
        ("admin", "admin", None),
    ];
    for engine in engines() {
        let f = field(engine);
        // SQLite: census returns go to a Parquet census store; PostgreSQL: its census tables.
        let census = f.dir.path().join("census");
        let census_arg = census.to_str().unwrap();
        let server = match engine {
            "sqlite" => f.start(&["--census-store", census_arg]),
            _ => f.start(&[]),
        };
        let mut checked = 0;
        for e in assess_server::endpoints::ENDPOINTS {
            let (path, json_body, bytes) = request_for(&f, e);
            let send = |token: Option<&str>| match (&bytes, e.method) {
                (Some(b), "POST") => server.post_bytes(
                    &path,
                    token.unwrap_or(""),
                    "application/x-ndjson",
                    b.clone(),
                ),
                (Some(b), _) => server.put_bytes(&path, token.unwrap_or(""), b.clone()),
                (None, _) => server.call(e.method, &path, token, json_body.as_ref()),
            };
            // Without a token only public endpoints answer.
            let anonymous = send(None);
            if e.scope == Scope::Public {
                assert_eq!(anonymous.status, 200, "{engine} {} {path}", e.method);
            } else {
                assert_eq!(anonymous.status, 401, "{engine} {} {path}", e.method);
                assert_eq!(anonymous.body["error"]["code"], json!("unauthenticated"));
            }
            for (role, insider, outsider) in accounts {
                for (account, inside) in [(Some(insider), true), (outsider, false)] {
                    let Some(account) = account else { continue };
                    let answer = send(Some(f.token(account)));
                    let want = expected(role, e.scope, inside);
                    // Census returns out of scope are refused one by one, in a 200 answer.
                    let refused_return =
                        answer.body["returns"][0]["status"] == json!("out_of_scope");
                    if e.scope == Scope::Write(Over::Return) && answer.status == 200 {
                        let status = &answer.body["returns"][0]["status"];
                        assert!(
                            refused_return
                                || *status == json!("stored")
                                || *status == json!("already_held"),
                            "{engine} {path} {account}: {:?}",
                            answer.body
                        );
                    }
                    let refused = answer.status == 403 || refused_return;
                    assert_eq!(
                        refused,
                        want == May::No,
                        "{engine} {} {path} as {role} {account}: {} {:?}",
                        e.method,
                        answer.status,
                        answer.body
                    );
                    assert_ne!(answer.status, 401, "{engine} {path} {account}");
                    if answer.status == 403 {
                        assert_eq!(answer.body["error"]["code"], json!("out_of_scope"));
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked >= 8 * assess_server::endpoints::ENDPOINTS.len());
        // Lists show only what the caller may read.
        let villages = |who: &str| -> BTreeSet<String> {
            server.get("/api/v1/progress", f.token(who)).body["villages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["village_code"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(
            villages("zhang"),
            BTreeSet::from([f.v1.clone()]),
            "{engine}"
        );
        assert_eq!(villages("wang"), BTreeSet::from([f.v2.clone()]), "{engine}");
        assert!(villages("lead2").is_empty(), "{engine}");
        assert!(villages("xb").is_empty(), "{engine}: own province");
        assert!(villages("coord").len() > 2, "{engine}");
    }
}

#[test]
fn a_cross_assessor_is_never_given_a_county_of_their_province() {
    let f = field("sqlite");
    let own = f.dir.path().join("own.csv");
    std::fs::write(
        &own,
        "county,county_name,team,team_province,distance_km\n530128,禄劝县,X2,53,0\n",
    )
    .unwrap();
    let out = assess()
        .args(["assignment", "load", "--db", &f.db, "--counties"])
        .arg(&own)
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains("own province") || text.contains("province 53"),
        "{text}"
    );
    let server = f.start(&[]);
    let answer = server.get("/api/v1/counties/530128/verdict", f.token("xb"));
    assert_eq!(answer.status, 403);
}

#[test]
fn the_verdict_on_demand_is_the_command_lines_and_progress_adds_up() {
    for engine in engines() {
        let f = field(engine);
        let server = f.start(&[]);
        // The whole sample uploaded by an administrator, in batches.
        let all: Vec<Value> = read(&f.visits)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        for chunk in all.chunks(300) {
            let items: Vec<(String, &Value)> = chunk
                .iter()
                .map(|r| (format!("a-{}", r["household_id"].as_str().unwrap()), r))
                .collect();
            let answer = server.post(
                "/api/v1/records",
                f.token("admin"),
                &batch(
                    &items
                        .iter()
                        .map(|(i, r)| (i.as_str(), None, *r))
                        .collect::<Vec<_>>(),
                ),
            );
            assert!(
                statuses(&answer.body).iter().all(|s| s == "accepted"),
                "{engine}"
            );
        }
        let served = server.get("/api/v1/counties/530128/verdict", f.token("coord"));
        assert_eq!(served.status, 200, "{engine}: {:?}", served.body);
        let out = f.dir.path().join("verdict");
        assess()
            .args(["verdict", "--db", &f.db, "--county", "530128", "--out"])
            .arg(&out)
            .assert()
            .success();
        let file: Value = serde_json::from_str(&read(&out.join("verdict.json"))).unwrap();
        assert_eq!(served.body["decision"], file["decision"], "{engine}");
        assert_eq!(served.body["indicators"], file["indicators"], "{engine}");
        let progress = server.get("/api/v1/progress", f.token("coord")).body;
        let county = &progress["counties"][0];
        assert_eq!(
            county["recorded"].as_u64().unwrap() as usize,
            all.len(),
            "{engine}"
        );
        let by_team = &progress["teams"]["T1"];
        assert_eq!(by_team["recorded"], county["recorded"]);
        let zhang = &progress["interviewers"]["zhang"];
        assert_eq!(
            zhang["recorded"].as_u64().unwrap() as usize,
            f.village_visits(&f.v1).len()
        );
        // A bad query is refused with its field.
        let bad = server.get(
            "/api/v1/counties/530128/verdict?appeals=later",
            f.token("coord"),
        );
        assert_eq!(bad.status, 400);
        assert_eq!(bad.body["error"]["field"], json!("appeals"));
        let _ = &f.draw_dir;
        let _ = f.engine;
    }
}

/// `assess push FILE --server BASE EXTRA...` as `account`: whether it succeeded, and its
/// stdout and stderr.
fn push(
    f: &Field,
    base: &str,
    file: &Path,
    account: &str,
    extra: &[&str],
) -> (bool, String, String) {
    let out = assess()
        .args(["push", "--server", base])
        .args(extra)
        .arg(file)
        .env("ASSESS_TOKEN", f.token(account))
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn push_is_idempotent_and_resumes_and_pull_brings_the_current_records() {
    for engine in engines() {
        let f = field(engine);
        let mine: Vec<Value> = f.village_visits(&f.v1);
        let file = f.dir.path().join("village.jsonl");
        std::fs::write(
            &file,
            mine.iter().map(|r| format!("{r}\n")).collect::<String>(),
        )
        .unwrap();
        // No server yet: the push says so and how to resume; nothing is acknowledged.
        let (ok, _, down) = push(
            &f,
            "http://127.0.0.1:9",
            &file,
            "zhang",
            &["--attempts", "1"],
        );
        assert!(!ok && down.contains("run the same push again"), "{down}");
        let server = f.start(&[]);
        let again = || {
            let (ok, out, err) = push(&f, &server.base, &file, "zhang", &["--batch", "7"]);
            assert!(ok, "{engine}: {err}");
            out
        };
        let first = again();
        assert!(
            first.contains(&format!("{} accepted", mine.len())),
            "{engine}: {first}"
        );
        let second = again();
        assert!(
            second.contains(&format!("{} already on the server", mine.len())),
            "{engine}: {second}"
        );
        // Without the state file, the server answers unchanged: nothing written twice.
        let mut state = file.as_os_str().to_owned();
        state.push(".sync.json");
        std::fs::remove_file(&state).unwrap();
        let third = again();
        assert!(
            third.contains(&format!("{} unchanged", mine.len())),
            "{engine}: {third}"
        );
        let household = mine[0]["household_id"].as_str().unwrap();
        assert_eq!(versions(&f.db, &f.draw, household).len(), 1);

        // Pull: the current records of the caller's villages, and their hashes as the base of
        // the next push (an edit is then a new version, not a conflict).
        let pulled = f.dir.path().join("pulled.jsonl");
        assess()
            .args(["pull", "--server", &server.base, "--out"])
            .arg(&pulled)
            .env("ASSESS_TOKEN", f.token("zhang"))
            .assert()
            .success();
        let records: Vec<Value> = read(&pulled)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(records.len(), mine.len(), "{engine}");
        let mut edited = records.clone();
        edited[0]["team"] = json!("edited after pull");
        std::fs::write(
            &pulled,
            edited.iter().map(|r| format!("{r}\n")).collect::<String>(),
        )
        .unwrap();
        let (ok, text, err) = push(&f, &server.base, &pulled, "zhang", &[]);
        assert!(ok, "{engine}: {err}");
        assert!(
            text.contains("1 accepted") && text.contains("0 conflicts"),
            "{engine}: {text}"
        );
        // A filled XLSX template is pushed the same way.
        let theirs_text: String = f
            .village_visits(&f.v2)
            .iter()
            .map(|r| format!("{r}\n"))
            .collect();
        let parsed: Vec<_> = assess_inspection::parse_visits("v2", &theirs_text)
            .unwrap()
            .into_iter()
            .map(|n| n.visit)
            .collect();
        let workbook = f.dir.path().join("village2.xlsx");
        std::fs::write(&workbook, assess_forms::write_filled(&parsed).unwrap()).unwrap();
        let (ok, text, err) = push(&f, &server.base, &workbook, "wang", &[]);
        assert!(ok, "{engine}: {err}");
        assert!(
            text.contains(&format!("{} accepted", parsed.len())),
            "{engine}: {text}"
        );
        // A file with a household outside the account's villages: the batch is refused.
        let theirs = f.dir.path().join("theirs.jsonl");
        std::fs::write(&theirs, format!("{}\n", f.visit(&f.h2))).unwrap();
        let (ok, _, refused) = push(&f, &server.base, &theirs, "zhang", &[]);
        assert!(
            !ok && refused.contains("not assigned"),
            "{engine}: {refused}"
        );
    }
}

#[test]
fn bad_requests_get_json_errors() {
    let f = field("sqlite");
    let server = f.start(&["--max-batch", "2"]);
    let zhang = f.token("zhang");
    let too_many = batch(&[
        ("a", None, &f.visit(&f.h1)),
        ("b", None, &f.visit(&f.h1)),
        ("c", None, &f.visit(&f.h1)),
    ]);
    let answer = server.post("/api/v1/records", zhang, &too_many);
    assert_eq!(answer.status, 413);
    assert_eq!(answer.body["error"]["field"], json!("records"));
    let malformed = server.call(
        "POST",
        "/api/v1/records",
        Some(zhang),
        Some(&json!({"records": 3})),
    );
    assert!(matches!(malformed.status, 400 | 422), "{malformed:?}");
    assert!(
        malformed.body["error"]["message"].is_string(),
        "{malformed:?}"
    );
    let bearer = server.call("GET", "/api/v1/me", Some("not-a-token"), None);
    assert_eq!(bearer.status, 401);
    let unknown = server.call("GET", "/api/v1/nothing", Some(zhang), None);
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body["error"]["code"], json!("not_found"));
}

/// A synthetic census of Luquan (530128) and Ceheng (522327), JSON Lines, made once per run.
fn example_census() -> PathBuf {
    static MADE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    MADE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("server-census-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        crate::census_ingest::census(&dir, "530128,522327", 400, "jsonl").1
    })
    .clone()
}

/// The first `n` returns of a county (every one for `usize::MAX`), as JSON Lines.
fn census_lines(county: &str, n: usize) -> Vec<u8> {
    let mut out = String::new();
    for line in read(&example_census())
        .lines()
        .filter(|l| serde_json::from_str::<Value>(l).unwrap()["county_code"] == json!(county))
        .take(n)
    {
        out.push_str(line);
        out.push('\n');
    }
    out.into_bytes()
}

fn return_ids(lines: &[u8]) -> BTreeSet<String> {
    String::from_utf8_lossy(lines)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["return_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// The answers of a census upload: return id (or line) → status.
fn census_statuses(answer: &Value) -> BTreeMap<String, String> {
    answer["returns"]
        .as_array()
        .unwrap_or_else(|| panic!("no returns in {answer:?}"))
        .iter()
        .map(|r| {
            let id = r["return_id"]
                .as_str()
                .map_or_else(|| format!("line {}", r["line"]), str::to_string);
            (id, r["status"].as_str().unwrap().to_string())
        })
        .collect()
}

fn with_status(answer: &Value, status: &str) -> BTreeSet<String> {
    census_statuses(answer)
        .into_iter()
        .filter(|(_, s)| s == status)
        .map(|(id, _)| id)
        .collect()
}

#[test]
fn census_returns_are_uploaded_judged_once_and_only_in_scope() {
    const PATH: &str = "/api/v1/census/returns";
    let luquan = census_lines("530128", usize::MAX);
    let ceheng = census_lines("522327", usize::MAX);
    let (luquan_ids, ceheng_ids) = (return_ids(&luquan), return_ids(&ceheng));
    assert!(luquan_ids.len() > 20 && ceheng_ids.len() > 20);
    // Three bad returns: an unknown outcome, a cut line, a latitude out of range.
    let first: Vec<Value> = String::from_utf8(census_lines("530128", 2))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (mut unknown, mut far) = (first[0].clone(), first[1].clone());
    unknown["return_id"] = json!("530128-9999999");
    unknown["outcome"] = json!("maybe");
    far["return_id"] = json!("530128-9999997");
    far["gps"]["lat"] = json!(95.0);
    let bad = format!("{unknown}\n{{\"return_id\": \"530128-9999998\", \n{far}\n");
    for engine in engines() {
        let f = field(engine);
        let store = f.dir.path().join("census");
        let server = match engine {
            "sqlite" => f.start(&["--census-store", store.to_str().unwrap()]),
            _ => f.start(&[]),
        };
        let send = |who: &str, body: Vec<u8>| {
            server.post_bytes(PATH, f.token(who), "application/x-ndjson", body)
        };
        // zhang (team T1: Luquan) sends both counties and the bad returns.
        let mut body = luquan.clone();
        body.extend_from_slice(&ceheng);
        body.extend_from_slice(bad.as_bytes());
        let answer = send("zhang", body.clone());
        assert_eq!(answer.status, 200, "{engine}: {:?}", answer.body);
        assert_eq!(with_status(&answer.body, "stored"), luquan_ids, "{engine}");
        assert_eq!(
            with_status(&answer.body, "out_of_scope"),
            ceheng_ids,
            "{engine}"
        );
        assert_eq!(answer.body["stored"], json!(luquan_ids.len()));
        assert_eq!(answer.body["refused"], json!(ceheng_ids.len() + 3));
        let returns = answer.body["returns"].as_array().unwrap();
        assert_eq!(returns.len(), luquan_ids.len() + ceheng_ids.len() + 3);
        let out = returns
            .iter()
            .find(|r| r["status"] == json!("out_of_scope"))
            .unwrap();
        assert_eq!(out["problems"][0]["field"], json!("county_code"));
        let reason = out["problems"][0]["reason"].as_str().unwrap();
        assert!(
            reason.contains("522327") && reason.contains("T1"),
            "{reason}"
        );
        // The bad ones: each answered with its line and field.
        let n = (luquan_ids.len() + ceheng_ids.len()) as u64;
        let tail: Vec<(u64, &str, &str)> = returns[returns.len() - 3..]
            .iter()
            .map(|r| {
                (
                    r["line"].as_u64().unwrap(),
                    r["status"].as_str().unwrap(),
                    r["problems"][0]["field"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            tail,
            vec![
                (n + 1, "refused", "outcome"),
                (n + 2, "refused", "json"),
                (n + 3, "refused", "gps_lat"),
            ],
            "{engine}"
        );
        // Sent again: every Luquan return already held, nothing stored.
        let again = send("zhang", luquan.clone());
        assert_eq!(again.body["stored"], json!(0), "{engine}: {:?}", again.body);
        assert_eq!(with_status(&again.body, "already_held"), luquan_ids);
        // A return id held with other answers: refused on its id.
        let mut changed = first[0].clone();
        changed["household"]["income"]["wages"] = json!(99.0);
        let changed = send("zhang", format!("{changed}\n").into_bytes());
        assert_eq!(changed.body["returns"][0]["status"], json!("refused"));
        assert_eq!(
            changed.body["returns"][0]["problems"][0]["field"],
            json!("return_id"),
            "{engine}: {:?}",
            changed.body
        );
        // lead2 (team T2: Ceheng) stores Ceheng's; a coordinator writes nothing.
        let ceheng_answer = send("lead2", ceheng.clone());
        assert_eq!(with_status(&ceheng_answer.body, "stored"), ceheng_ids);
        let coord = send("coord", ceheng.clone());
        assert_eq!(coord.status, 403, "{engine}");
        assert_eq!(coord.body["error"]["code"], json!("out_of_scope"));
        if engine == "sqlite" {
            // One writer: the server holds the store's lock.
            let busy = assess()
                .args(["census", "ingest", "--store"])
                .arg(&store)
                .arg(example_census())
                .output()
                .unwrap();
            assert!(
                !busy.status.success(),
                "{engine}: the store is the server's"
            );
            // The store holds exactly the returns stored.
            let ds = assess_census_store::Dataset::open(&store).unwrap();
            assert_eq!(
                ds.counties(),
                vec!["522327".to_string(), "530128".to_string()]
            );
            for (county, ids) in [("530128", &luquan_ids), ("522327", &ceheng_ids)] {
                let rows = ds.returns(county).unwrap();
                assert_eq!(rows.len(), ids.len(), "{county}: nothing twice");
                let held: BTreeSet<String> = rows.into_iter().map(|r| r.return_id).collect();
                assert_eq!(&held, ids, "{county}");
            }
        }
    }
    // Without a census store (SQLite, no store given): 409 with a JSON error.
    let f = field("sqlite");
    let server = f.start(&[]);
    let none = server.post_bytes(PATH, f.token("zhang"), "application/x-ndjson", luquan);
    assert_eq!(none.status, 409);
    assert_eq!(none.body["error"]["code"], json!("no_census_store"));
}
