//! The field server's robustness (issue 14, section 4), on SQLite and PostgreSQL, against a
//! real `assess serve` on loopback: concurrent clients lose and duplicate nothing; a SIGKILL
//! in the middle of the load loses no acknowledged record; SIGTERM finishes the request in
//! flight and refuses new connections; bad requests get a 4xx with a JSON error body and
//! change nothing; one log line per request, never a full identity number. The load and its
//! check are the benchmark's (bench/server/loadgen/src/load.rs); the timings are not asserted
//! here (docs/benchmarks.md, "Field server").

#[path = "../bench/server/loadgen/src/load.rs"]
mod load;

use crate::server_util::{add_user, signal, Server};
use crate::util::{assess, databases, db_digest, luquan_draw, sample_rows};
use load::{Ack, ClientSpec, Kind, LoadConfig};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The draw imported into `db`, `n` interviewers of team "load" (county 530128 assigned to it),
/// two to a village, each with half of its village's sampled households.
fn setup(dir: &Path, drawn: &Path, draw: &str, db: &str, n: usize) -> Vec<ClientSpec> {
    assess()
        .arg("import-sample")
        .arg(drawn)
        .args(["--db", db])
        .assert()
        .success();
    let mut villages: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in sample_rows(drawn) {
        villages
            .entry(r["village_code"].clone())
            .or_default()
            .push(r["household_id"].clone());
    }
    let mut clients = Vec::new();
    let mut split = String::from("draw_id,county_code,village_code,interviewers\n");
    for (v, (code, households)) in villages.iter().enumerate().take(n.div_ceil(2)) {
        let half = households.len().div_ceil(2);
        let names = [
            format!("load-{:03}", 2 * v),
            format!("load-{:03}", 2 * v + 1),
        ];
        split.push_str(&format!("{draw},530128,{code},{};{}\n", names[0], names[1]));
        for (k, share) in [&households[..half], &households[half..]]
            .into_iter()
            .enumerate()
        {
            if clients.len() == n {
                break;
            }
            let token = add_user(db, &names[k], "interviewer", Some("load"), None);
            clients.push(ClientSpec {
                account: names[k].clone(),
                token,
                draw: draw.to_string(),
                village: code.clone(),
                households: share.to_vec(),
            });
        }
    }
    // Both accounts of the last village exist even when n is odd.
    if n % 2 == 1 {
        let last = format!("load-{:03}", n);
        add_user(db, &last, "interviewer", Some("load"), None);
    }
    let counties = dir.join("counties.csv");
    std::fs::write(
        &counties,
        "county,county_name,team,team_province,distance_km\n530128,Luquan,load,11,0\n",
    )
    .unwrap();
    let villages_file = dir.join("split.csv");
    std::fs::write(&villages_file, split).unwrap();
    assess()
        .args(["assignment", "load", "--db", db])
        .arg("--counties")
        .arg(&counties)
        .arg("--villages")
        .arg(&villages_file)
        .assert()
        .success();
    clients
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn config(base: &str, kind: Kind, seconds: f64, photo: &Arc<Vec<u8>>) -> LoadConfig {
    LoadConfig {
        base: base.to_string(),
        duration: Duration::from_secs_f64(seconds),
        kind,
        batch: 40,
        photo: photo.clone(),
        ack_log: None,
        interval: None,
        stop_on_error: true,
    }
}

/// `assess audit verify --db DB` succeeds, once the build has the audit log (until then the
/// command does not exist and there is no chain to check).
fn audit_verifies(db: &str) {
    let help = assess()
        .args(["audit", "verify", "--help"])
        .output()
        .unwrap();
    if !help.status.success() {
        return;
    }
    assess()
        .args(["audit", "verify", "--db", db])
        .assert()
        .success();
}

fn assert_verified(engine: &str, db: &str, acks: &[Ack]) -> load::Verified {
    let found = runtime().block_on(load::verify(db, acks));
    assert!(
        found.problems.is_empty(),
        "{engine}: {} problems, the first: {:#?}",
        found.problems.len(),
        &found.problems[..found.problems.len().min(10)]
    );
    found
}

#[test]
fn twenty_clients_upload_records_and_photos_and_nothing_is_lost_or_duplicated() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, draw, _) = luquan_draw(dir.path(), 0);
    let photo = Arc::new(load::make_photo(640, 480));
    for (engine, db) in databases(dir.path()) {
        let clients = setup(dir.path(), &drawn, &draw, &db, 20);
        let server = Server::start(dir.path(), &db, &[]);
        let rt = runtime();
        let records = rt.block_on(load::run(
            &config(&server.base, Kind::Records, 3.0, &photo),
            &clients,
        ));
        let photos = rt.block_on(load::run(
            &config(&server.base, Kind::Photos, 2.0, &photo),
            &clients,
        ));
        assert!(records.errors.is_empty(), "{engine}: {:?}", records.errors);
        assert!(photos.errors.is_empty(), "{engine}: {:?}", photos.errors);
        // Every client made at least two rounds: its first records, then edits of them.
        assert!(
            records.record_latency_us.len() >= 2 * clients.len(),
            "{engine}: {} batches",
            records.record_latency_us.len()
        );
        assert_eq!(records.records_refused(), 0, "{engine}");
        assert!(photos.acks.len() >= clients.len(), "{engine}");
        let mut acks = records.acks.clone();
        acks.extend(photos.acks.clone());
        let found = assert_verified(engine, &db, &acks);
        let accepted = acks.iter().filter(|a| a.status == "accepted").count();
        // Every accepted record is one row, and there is no other.
        assert_eq!(found.visit_rows, accepted, "{engine}");

        // Each client sends its last batch again (a retry after a lost answer): every record
        // is unchanged, and the database does not change.
        let before = db_digest(&db);
        let mut last: BTreeMap<&str, &Ack> = BTreeMap::new();
        for a in acks.iter().filter(|a| a.kind == "record") {
            last.insert(&a.household, a);
        }
        for c in &clients {
            let batch: Vec<Value> = c
                .households
                .iter()
                .filter_map(|h| last.get(h.as_str()))
                .map(|a| {
                    json!({"record_id": a.record_id,
                           "record": load::record(&a.draw, &a.household, "team-load", a.marker)})
                })
                .collect();
            let answer = server.post("/api/v1/records", &c.token, &json!({ "records": batch }));
            assert_eq!(answer.status, 200, "{engine}: {:?}", answer.body);
            assert_eq!(
                answer.body["counts"],
                json!({"unchanged": batch.len()}),
                "{engine}"
            );
        }
        assert_eq!(
            db_digest(&db),
            before,
            "{engine}: a retry changed the database"
        );
        audit_verifies(&db);
    }
}

#[test]
fn sigkill_in_the_middle_of_the_load_loses_no_acknowledged_record() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, draw, _) = luquan_draw(dir.path(), 0);
    let photo = Arc::new(load::make_photo(320, 240));
    for (engine, db) in databases(dir.path()) {
        let clients = setup(dir.path(), &drawn, &draw, &db, 10);
        let mut acks: Vec<Ack> = Vec::new();
        for round in 0..3u64 {
            let mut server = Server::start(dir.path(), &db, &[]);
            let (records_cfg, photos_cfg) = {
                let mut r = config(&server.base, Kind::Records, 2.5, &photo);
                let mut p = config(&server.base, Kind::Photos, 2.5, &photo);
                r.stop_on_error = false;
                p.stop_on_error = false;
                (r, p)
            };
            let (rc, pc) = (clients.clone(), clients[..2].to_vec());
            let loads = std::thread::spawn(move || {
                let rt = runtime();
                rt.block_on(async {
                    let r = load::run(&records_cfg, &rc);
                    let p = load::run(&photos_cfg, &pc);
                    tokio::join!(r, p)
                })
            });
            // A moment that varies from round to round and run to run, within the load.
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos() as u64;
            let wait = 500 + (nanos + round * 577) % 1500;
            std::thread::sleep(Duration::from_millis(wait));
            signal(server.child.id(), "KILL");
            let status = server.child.wait().unwrap();
            assert!(!status.success(), "{engine}: killed, not exited");
            let (r, p) = loads.join().unwrap();
            assert!(
                !r.acks.is_empty(),
                "{engine} round {round}: nothing acknowledged in {wait} ms"
            );
            acks.extend(r.acks);
            acks.extend(p.acks);
            // Restarted on the same database, the server answers, and every record it ever
            // acknowledged is there with its content.
            let again = Server::start(dir.path(), &db, &[]);
            assert_eq!(again.call("GET", "/api/v1/health", None, None).status, 200);
            drop(again);
            assert_verified(engine, &db, &acks);
            audit_verifies(&db);
        }
    }
}

/// Reads an HTTP/1.1 answer with a Content-Length: (status, body).
fn read_answer(stream: &mut std::net::TcpStream) -> (u16, Value) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = stream.read(&mut chunk).unwrap();
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text[..end]
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                let status = text[9..12].parse().unwrap();
                let body =
                    serde_json::from_slice(&buf[end + 4..end + 4 + length]).unwrap_or(Value::Null);
                return (status, body);
            }
        }
    }
    panic!("the answer ended early: {}", String::from_utf8_lossy(&buf));
}

#[test]
fn sigterm_finishes_the_upload_in_flight_then_exits_0_and_refuses_new_connections() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, draw, _) = luquan_draw(dir.path(), 0);
    for (engine, db) in databases(dir.path()) {
        let clients = setup(dir.path(), &drawn, &draw, &db, 1);
        let c = &clients[0];
        let mut server = Server::start(dir.path(), &db, &[]);
        let address = server.base.trim_start_matches("http://").to_string();
        let photo = load::unique_photo(&load::make_photo(800, 600), engine);
        let sha = load::sha256_hex(&photo);
        let path = format!(
            "/api/v1/draws/{draw}/households/{}/photos/{sha}",
            c.households[0]
        );
        // A slow upload: the headers and half of the photo, then a pause.
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        write!(
            stream,
            "PUT {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
             Content-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n",
            c.token,
            photo.len()
        )
        .unwrap();
        let half = photo.len() / 2;
        stream.write_all(&photo[..half]).unwrap();
        stream.flush().unwrap();
        std::thread::sleep(Duration::from_millis(300));
        signal(server.child.id(), "TERM");
        // The listener closes: a new connection is refused while the upload is still open.
        let started = Instant::now();
        loop {
            match std::net::TcpStream::connect(&address) {
                // A connection caught in the backlog as the listener closes is reset, not
                // refused: the listener is on its way out, so ask again.
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                    assert!(
                        started.elapsed() < Duration::from_secs(10),
                        "{engine}: connections still reset 10 s after SIGTERM"
                    );
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => {
                    assert_eq!(
                        e.kind(),
                        std::io::ErrorKind::ConnectionRefused,
                        "{engine}: {e}"
                    );
                    break;
                }
                Ok(_) => {
                    assert!(
                        started.elapsed() < Duration::from_secs(10),
                        "{engine}: still accepting connections 10 s after SIGTERM"
                    );
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
        assert!(
            server.child.try_wait().unwrap().is_none(),
            "{engine}: exited with a request in flight"
        );
        // The rest of the photo: the upload is answered in full.
        stream.write_all(&photo[half..]).unwrap();
        stream.flush().unwrap();
        let (status, body) = read_answer(&mut stream);
        assert_eq!(status, 200, "{engine}: {body}");
        assert_eq!(body["status"], "stored", "{engine}: {body}");
        assert_eq!(body["sha256"], sha.as_str(), "{engine}");
        drop(stream);
        let exit = server.terminate();
        assert_eq!(exit.code(), Some(0), "{engine}: {}", server.log_text());
        // It was stored.
        let ack = Ack {
            kind: "photo".into(),
            draw: draw.clone(),
            household: c.households[0].clone(),
            record_id: String::new(),
            sha256: sha.clone(),
            status: "stored".into(),
            version: None,
            marker: 0,
        };
        assert_eq!(assert_verified(engine, &db, &[ack]).photos, 1);
    }
}

/// The JSON error body of a refusal, checked: (status, code).
fn refusal(what: &str, status: u16, body: &Value) -> (u16, String) {
    assert!(
        (400..500).contains(&status),
        "{what}: status {status}, {body}"
    );
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: {body}"));
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(!code.is_empty() && message.len() > 10, "{what}: {body}");
    (status, code.to_string())
}

#[test]
fn bad_requests_get_a_4xx_json_error_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, draw, _) = luquan_draw(dir.path(), 0);
    for (engine, db) in databases(dir.path()) {
        // Two interviewers of two villages: the second's households are out of the first's scope.
        let clients = setup(dir.path(), &drawn, &draw, &db, 3);
        let (me, other) = (&clients[0], &clients[2]);
        assert_ne!(me.village, other.village);
        let server = Server::start(
            dir.path(),
            &db,
            &[
                "--max-body-bytes",
                "30000",
                "--max-batch",
                "5",
                "--max-photo-bytes",
                "20000",
            ],
        );
        let batch = |households: &[String], n: usize| {
            let records: Vec<Value> = households
                .iter()
                .take(n)
                .enumerate()
                .map(|(k, h)| {
                    json!({"record_id": load::record_id(&me.account, h),
                           "record": load::record(&draw, h, "team-load", k as i64)})
                })
                .collect();
            json!({ "records": records })
        };
        let before = db_digest(&db);
        let mut seen = Vec::new();
        let http = reqwest::blocking::Client::new();
        let raw = |method: &str, path: &str, token: Option<&str>, body: Vec<u8>, json: bool| {
            let mut r = http.request(method.parse().unwrap(), format!("{}{path}", server.base));
            if let Some(t) = token {
                r = r.bearer_auth(t);
            }
            if json {
                r = r.header("content-type", "application/json");
            }
            let response = r.body(body).send().unwrap();
            let status = response.status().as_u16();
            let body: Value =
                serde_json::from_str(&response.text().unwrap()).unwrap_or(Value::Null);
            (status, body)
        };
        // Over --max-body-bytes: four valid records and a long field.
        let mut big = batch(&me.households, 4);
        big["padding"] = json!("x".repeat(40_000));
        let (s, b) = raw(
            "POST",
            "/api/v1/records",
            Some(&me.token),
            big.to_string().into_bytes(),
            true,
        );
        seen.push(refusal("body over the limit", s, &b));
        // Over --max-batch: six records.
        let six = batch(&me.households, 6);
        let a = server.post("/api/v1/records", &me.token, &six);
        seen.push(refusal("batch over the limit", a.status, &a.body));
        // A photo over --max-photo-bytes, announced and not announced (chunked).
        let photo = load::unique_photo(&load::make_photo(400, 300), "big");
        assert!(photo.len() > 20_000, "{}", photo.len());
        let photo_path = format!(
            "/api/v1/draws/{draw}/households/{}/photos/{}",
            me.households[0],
            load::sha256_hex(&photo)
        );
        let a = server.put_bytes(&photo_path, &me.token, photo.clone());
        seen.push(refusal("photo over the limit", a.status, &a.body));
        // Chunked, without a length: refused at the first chunk over the limit, while the
        // client is still sending (a raw connection: the rest is never sent).
        let address = server.base.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        write!(
            stream,
            "PUT {photo_path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
             Transfer-Encoding: chunked\r\n\r\n",
            me.token
        )
        .unwrap();
        for part in photo[..25_000].chunks(5_000) {
            write!(stream, "{:x}\r\n", part.len()).unwrap();
            stream.write_all(part).unwrap();
            stream.write_all(b"\r\n").unwrap();
        }
        stream.flush().unwrap();
        let (status, body) = read_answer(&mut stream);
        drop(stream);
        seen.push(refusal("chunked photo over the limit", status, &body));
        // A photo whose bytes are not its name.
        let small = load::unique_photo(&load::make_photo(64, 48), "small");
        let a = server.put_bytes(
            &format!(
                "/api/v1/draws/{draw}/households/{}/photos/{}",
                me.households[0],
                "ab".repeat(32)
            ),
            &me.token,
            small,
        );
        seen.push(refusal("photo under another hash", a.status, &a.body));
        // Malformed JSON, and JSON of the wrong shape.
        let (s, b) = raw(
            "POST",
            "/api/v1/records",
            Some(&me.token),
            b"{\"records\": [".to_vec(),
            true,
        );
        seen.push(refusal("malformed JSON", s, &b));
        let (s, b) = raw(
            "POST",
            "/api/v1/records",
            Some(&me.token),
            b"{\"records\": 7}".to_vec(),
            true,
        );
        seen.push(refusal("wrong shape", s, &b));
        // No token, a bad token, a malformed Authorization header.
        let one = batch(&me.households, 1);
        let a = server.call("POST", "/api/v1/records", None, Some(&one));
        seen.push(refusal("no token", a.status, &a.body));
        let a = server.post(
            "/api/v1/records",
            &format!("assess_{}", "0".repeat(64)),
            &one,
        );
        seen.push(refusal("unknown token", a.status, &a.body));
        let (s, b) = raw(
            "POST",
            "/api/v1/records",
            Some(""),
            one.to_string().into_bytes(),
            true,
        );
        seen.push(refusal("empty bearer", s, &b));
        // Out of scope: a household of another interviewer's village, alone and in a batch
        // with one of the caller's own (the whole batch is refused).
        let theirs = batch(&other.households, 1);
        let a = server.post("/api/v1/records", &me.token, &theirs);
        seen.push(refusal("another village's household", a.status, &a.body));
        let mut mixed = batch(&me.households, 1);
        mixed["records"]
            .as_array_mut()
            .unwrap()
            .push(theirs["records"][0].clone());
        let a = server.post("/api/v1/records", &me.token, &mixed);
        seen.push(refusal(
            "a batch with another village's household",
            a.status,
            &a.body,
        ));
        let small = load::unique_photo(&load::make_photo(64, 48), "scope");
        let a = server.put_bytes(
            &format!(
                "/api/v1/draws/{draw}/households/{}/photos/{}",
                other.households[0],
                load::sha256_hex(&small)
            ),
            &me.token,
            small,
        );
        seen.push(refusal("another village's photo", a.status, &a.body));
        assert_eq!(
            db_digest(&db),
            before,
            "{engine}: a refused request changed the database"
        );
        let codes: Vec<(u16, &str)> = seen.iter().map(|(s, c)| (*s, c.as_str())).collect();
        assert_eq!(
            codes,
            [
                (413, "too_large"),
                (413, "too_large"),
                (413, "too_large"),
                (413, "too_large"),
                (422, "refused"),
                (400, "bad_request"),
                (422, "bad_request"),
                (401, "unauthenticated"),
                (401, "unauthenticated"),
                (401, "unauthenticated"),
                (403, "out_of_scope"),
                (403, "out_of_scope"),
                (403, "out_of_scope"),
            ],
            "{engine}"
        );
        drop(server);

        // The rate: one request a second, a burst of one.
        let limited = Server::start(dir.path(), &db, &["--rate", "1", "--burst", "1"]);
        let first = limited.get("/api/v1/me", &me.token);
        assert_eq!(first.status, 200, "{engine}: {:?}", first.body);
        let second = limited.get("/api/v1/me", &me.token);
        assert_eq!(
            refusal("over the rate", second.status, &second.body),
            (429, "rate_limited".to_string()),
            "{engine}"
        );
        // Another account has its own allowance.
        assert_eq!(
            limited.get("/api/v1/me", &other.token).status,
            200,
            "{engine}"
        );
        assert_eq!(db_digest(&db), before, "{engine}");
    }
}

/// A valid resident identity number (GB 11643-1999 check character) for a sequence number.
fn identity_number(seq: u32) -> String {
    let body = format!("53012819850101{seq:03}");
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

#[test]
fn the_log_has_one_line_per_request_with_its_id_and_never_a_full_identity_number() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, draw, _) = luquan_draw(dir.path(), 0);
    for (engine, db) in databases(dir.path()) {
        let clients = setup(dir.path(), &drawn, &draw, &db, 1);
        let c = &clients[0];
        let server = Server::start(dir.path(), &db, &["--log-json"]);
        let number = identity_number(7);
        let mut good = load::record(&draw, &c.households[0], "team-load", 1);
        good["household"]["members"][0]["id_number"] = json!(number);
        // The same number where it is refused (a member's id may not be one), and a number with
        // a wrong check character, each with the full number in the request.
        let mut bad = load::record(&draw, &c.households[1], "team-load", 2);
        bad["household"]["members"][0]["id_number"] = json!(format!("{}0", &number[..17]));
        let mut odd = load::record(&draw, &c.households[2], "team-load", 3);
        odd["household"]["members"][0]["id"] = json!(number);
        odd["household"]["members"][0]["sex"] = json!(number);
        let body = json!({"records": [
            {"record_id": "r1", "record": good},
            {"record_id": "r2", "record": bad},
            {"record_id": "r3", "record": odd},
        ]});
        let a = server.post("/api/v1/records", &c.token, &body);
        assert_eq!(a.status, 200, "{engine}: {:?}", a.body);
        assert_eq!(
            a.body["results"][0]["status"], "accepted",
            "{engine}: {:?}",
            a.body
        );
        assert_eq!(
            a.body["results"][1]["status"], "refused",
            "{engine}: {:?}",
            a.body
        );
        // A malformed request with the number in it, and a query string with it.
        let b = server.call(
            "POST",
            "/api/v1/records",
            Some(&c.token),
            Some(&json!({"records": number})),
        );
        assert!(b.status >= 400, "{engine}");
        let q = server.get(&format!("/api/v1/conflicts?draw={number}"), &c.token);
        assert_eq!(q.status, 200, "{engine}: {:?}", q.body);
        let h = server.call("GET", "/api/v1/health", None, None);
        assert_eq!(h.status, 200);
        let requests = 4;
        // The server has written its lines when it has stopped.
        let log_path = server.log.clone();
        drop(server);
        let log = std::fs::read_to_string(&log_path).unwrap();
        assert!(
            !log.contains(&number),
            "{engine}: the log holds {number}:\n{log}"
        );
        assert!(
            !log.contains(&number[..17]),
            "{engine}: the log holds a number:\n{log}"
        );
        let lines: Vec<Value> = log
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|l| l["fields"]["message"] == "request")
            .collect();
        assert_eq!(lines.len(), requests, "{engine}: {log}");
        let mut ids: Vec<u64> = lines
            .iter()
            .map(|l| l["fields"]["request"].as_u64().expect("a request id"))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), requests, "{engine}: ids not unique: {log}");
        let statuses: Vec<u64> = lines
            .iter()
            .map(|l| l["fields"]["status"].as_u64().unwrap())
            .collect();
        assert_eq!(statuses, [200, 422, 200, 200], "{engine}: {log}");
        for l in &lines {
            assert!(
                l["fields"]["path"].is_string() && l["fields"]["micros"].is_u64(),
                "{l}"
            );
        }
        assert_eq!(
            lines[0]["fields"]["account"],
            c.account.as_str(),
            "{engine}"
        );
    }
}
