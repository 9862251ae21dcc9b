//! Load on a running `assess serve`, and the check of what it stored afterwards. Shared by the
//! benchmark (bench/server/loadgen) and the integration tests (tests/server_load.rs), which
//! include this file.
//!
//! Each client is one interviewer account with its share of one sampled village's households.
//! It first pulls the village's current records (so that its edits start from what the server
//! holds), then for the duration either uploads its households' records as one batch again and
//! again, each time with new content based on the last version acknowledged (records), or
//! uploads a new photo of one of its households each time (photos). Every acknowledgement is
//! kept ([`Ack`]); [`verify`] then checks the database against them.
#![allow(dead_code)]

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One client: an interviewer account and the households it uploads.
#[derive(Debug, Clone)]
pub struct ClientSpec {
    /// The account's name.
    pub account: String,
    /// Its bearer token.
    pub token: String,
    /// The draw.
    pub draw: String,
    /// The village its households are in (pulled at start).
    pub village: String,
    /// Its households (one batch).
    pub households: Vec<String>,
}

/// What the clients upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Batches of records.
    Records,
    /// Photos, one a request.
    Photos,
}

/// One acknowledged upload (a 200 answer's item).
#[derive(Debug, Clone)]
pub struct Ack {
    /// `record` or `photo`.
    pub kind: String,
    /// The draw.
    pub draw: String,
    /// The household.
    pub household: String,
    /// The record id (records) or empty.
    pub record_id: String,
    /// The content hash answered (records) or the photo's SHA-256.
    pub sha256: String,
    /// `accepted`, `unchanged`, `conflict`, `refused` (records); `stored`, `unchanged` (photos).
    pub status: String,
    /// The version answered (accepted, unchanged).
    pub version: Option<i64>,
    /// The number that makes the record's content unique (records).
    pub marker: i64,
}

impl Ack {
    /// One tab-separated line.
    pub fn line(&self) -> String {
        format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            self.kind,
            self.draw,
            self.household,
            self.record_id,
            self.sha256,
            self.status,
            self.version.map_or(String::new(), |v| v.to_string()),
            self.marker
        )
    }

    /// Reads [`Ack::line`]; None for a line cut short (the writer was killed).
    pub fn parse(line: &str) -> Option<Ack> {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 8 {
            return None;
        }
        Some(Ack {
            kind: f[0].into(),
            draw: f[1].into(),
            household: f[2].into(),
            record_id: f[3].into(),
            sha256: f[4].into(),
            status: f[5].into(),
            version: if f[6].is_empty() {
                None
            } else {
                Some(f[6].parse().ok()?)
            },
            marker: f[7].trim_end().parse().ok()?,
        })
    }
}

/// The load's settings.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// e.g. http://127.0.0.1:8080
    pub base: String,
    /// How long the clients upload.
    pub duration: Duration,
    /// What they upload.
    pub kind: Kind,
    /// Most records in a batch (a client's households, cut to this).
    pub batch: usize,
    /// The photo every photo upload is made from (made unique per upload).
    pub photo: Arc<Vec<u8>>,
    /// Where each acknowledgement is appended as it arrives (flushed), if anywhere.
    pub ack_log: Option<std::path::PathBuf>,
    /// Leave after the first failed request (a test); otherwise wait and go on (the server may
    /// be restarting).
    pub stop_on_error: bool,
    /// Each client starts a request at most this often (None: as soon as the last is
    /// answered). With a pace the load is offered at a rate, as interviewers upload now and
    /// then, and a latency is the server's, not the time waited behind 199 other clients.
    pub interval: Option<Duration>,
}

/// What one run of the load did.
#[derive(Debug, Default)]
pub struct LoadReport {
    /// Latency of every answered record batch, µs.
    pub record_latency_us: Vec<u64>,
    /// Latency of every answered photo upload, µs.
    pub photo_latency_us: Vec<u64>,
    /// Every acknowledgement.
    pub acks: Vec<Ack>,
    /// Failures by kind (status code or transport error).
    pub errors: BTreeMap<String, usize>,
    /// Wall time of the load.
    pub elapsed: Duration,
}

impl LoadReport {
    /// Records acknowledged (accepted, unchanged or conflict).
    pub fn records_acknowledged(&self) -> usize {
        self.acks
            .iter()
            .filter(|a| a.kind == "record" && a.status != "refused")
            .count()
    }

    /// Refused records.
    pub fn records_refused(&self) -> usize {
        self.acks
            .iter()
            .filter(|a| a.kind == "record" && a.status == "refused")
            .count()
    }
}

/// The `q` quantile (0..1) of latencies, ms (nearest rank).
pub fn quantile_ms(latencies: &[u64], q: f64) -> f64 {
    if latencies.is_empty() {
        return f64::NAN;
    }
    let mut v = latencies.to_vec();
    v.sort_unstable();
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1] as f64 / 1000.0
}

/// A visit record for `household` whose content is made unique by `marker` (a note's text).
pub fn record(draw: &str, household: &str, team: &str, marker: i64) -> Value {
    let cover = json!({"basic_medical_insurance": true, "serious_illness_insurance": true,
        "medical_assistance": false});
    json!({
        "draw_id": draw,
        "household_id": household,
        "disposition": "complete",
        "mode": "in_person",
        "team": team,
        "interviewers": ["Li Wei", "Zhang Min"],
        "start": "2099-06-12T09:00:00+08:00",
        "end": "2099-06-12T10:00:00+08:00",
        "notes": [{"rule": "short-interview", "text": format!("load marker {marker}")}],
        "household": {
            "household_id": household,
            "status": "exited",
            "register_members": 2,
            "members": [
                {"id": "1", "age": 40, "sex": "male", "cover": cover},
                {"id": "2", "age": 11, "sex": "female", "schooling": "in_school", "cover": cover}
            ],
            "income_year": 2019,
            "income": {"wages": 9000.0, "business_net": 2000.0, "property": 0.0,
                "transfers": 1000.0, "in_kind": 500.0},
            "food_adequate": true,
            "clothing_adequate": true,
            "protein_available": true,
            "housing": {
                "site_dangerous": false,
                "components": {"load_bearing_walls": "a", "foundation": "a", "roof_truss": "a",
                    "wood_members": "not_present"},
                "inspector_grade": "A",
                "renovation": "none"
            },
            "water": {"litres_per_person_day": 60.0, "water_scarce_area": false,
                "piped_to_yard": true, "outage_days": 0, "quality_ok": true}
        }
    })
}

/// The record id a client gives a household's record (kept across its edits).
pub fn record_id(account: &str, household: &str) -> String {
    format!("{account}/{household}")
}

/// A JPEG of `width` × `height` with texture (so it compresses like a photo, not like a flat
/// colour), made once.
pub fn make_photo(width: u32, height: u32) -> Vec<u8> {
    let mut state: u32 = 0x9e37_79b9;
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let n = (state & 0x0f) as u8;
        image::Rgb([
            ((x * 255 / width.max(1)) as u8).wrapping_add(n),
            ((y * 255 / height.max(1)) as u8).wrapping_add(n / 2),
            (((x + y) % 256) as u8).wrapping_add(n / 3),
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .expect("a JPEG encodes");
    out.into_inner()
}

/// The photo with a comment segment naming `tag` after its start marker: other bytes (so
/// another hash), the same picture.
pub fn unique_photo(base: &[u8], tag: &str) -> Vec<u8> {
    let payload = tag.as_bytes();
    let len = (payload.len() + 2) as u16;
    let mut out = Vec::with_capacity(base.len() + payload.len() + 4);
    out.extend_from_slice(&base[..2]); // SOI
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&base[2..]);
    out
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

struct Shared {
    acks: Mutex<(Vec<Ack>, Option<std::fs::File>)>,
    errors: Mutex<BTreeMap<String, usize>>,
    record_latency: Mutex<Vec<u64>>,
    photo_latency: Mutex<Vec<u64>>,
}

impl Shared {
    fn ack(&self, new: Vec<Ack>) {
        let mut guard = self.acks.lock().unwrap();
        let (list, file) = &mut *guard;
        if let Some(f) = file {
            let text: String = new.iter().map(Ack::line).collect();
            // Written before the next request is sent: what is in the log was acknowledged.
            f.write_all(text.as_bytes())
                .expect("the ack log is writable");
            f.flush().expect("the ack log is writable");
        }
        list.extend(new);
    }

    fn error(&self, what: String) {
        *self.errors.lock().unwrap().entry(what).or_insert(0) += 1;
    }
}

/// Runs the load: every client at once until the duration is over (a request under way then
/// is finished). Markers are unique across clients, runs and rounds (the time in µs at the
/// start times a million, plus a counter).
pub async fn run(config: &LoadConfig, clients: &[ClientSpec]) -> LoadReport {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .connect_timeout(Duration::from_secs(5))
        .build()
        .expect("an HTTP client");
    let file = config.ack_log.as_ref().map(|p| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)
            .expect("the ack log opens")
    });
    let shared = Arc::new(Shared {
        acks: Mutex::new((Vec::new(), file)),
        errors: Mutex::new(BTreeMap::new()),
        record_latency: Mutex::new(Vec::new()),
        photo_latency: Mutex::new(Vec::new()),
    });
    let started = Instant::now();
    let deadline = started + config.duration;
    // Markers: unique across runs on one database (the start time in µs, then a counter).
    let markers = Arc::new(std::sync::atomic::AtomicI64::new(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_micros() as i64,
    ));
    let mut tasks = Vec::new();
    for client in clients {
        let (http, shared, config, client, markers) = (
            http.clone(),
            shared.clone(),
            config.clone(),
            client.clone(),
            markers.clone(),
        );
        tasks.push(tokio::spawn(async move {
            client_loop(&http, &config, &client, &shared, deadline, &markers).await
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = started.elapsed();
    let shared = Arc::try_unwrap(shared).ok().expect("every client is done");
    LoadReport {
        record_latency_us: shared.record_latency.into_inner().unwrap(),
        photo_latency_us: shared.photo_latency.into_inner().unwrap(),
        acks: shared.acks.into_inner().unwrap().0,
        errors: shared.errors.into_inner().unwrap(),
        elapsed,
    }
}

async fn client_loop(
    http: &reqwest::Client,
    config: &LoadConfig,
    client: &ClientSpec,
    shared: &Shared,
    deadline: Instant,
    markers: &std::sync::atomic::AtomicI64,
) {
    let households: Vec<&String> = client.households.iter().take(config.batch).collect();
    let mut bases: HashMap<String, String> = HashMap::new();
    let mut pulled = false;
    let mut photo_n: usize = 0;
    // Clients start spread over the first interval, not all at once.
    let mut next = Instant::now()
        + config.interval.map_or(Duration::ZERO, |i| {
            let h = client
                .account
                .bytes()
                .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
            i.mul_f64((h % 1000) as f64 / 1000.0)
        });
    while Instant::now() < deadline {
        if let Some(interval) = config.interval {
            tokio::time::sleep_until(next.into()).await;
            next += interval;
            if Instant::now() >= deadline {
                break;
            }
        }
        if !pulled && config.kind == Kind::Records {
            match pull(http, config, client).await {
                Ok(current) => {
                    bases = current;
                    pulled = true;
                }
                Err(e) => {
                    shared.error(e);
                    if config.stop_on_error {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            }
        }
        let result = match config.kind {
            Kind::Records => {
                let marker = markers.fetch_add(
                    households.len() as i64,
                    std::sync::atomic::Ordering::Relaxed,
                );
                upload_records(
                    http,
                    config,
                    client,
                    &households,
                    &mut bases,
                    marker,
                    shared,
                )
                .await
            }
            Kind::Photos => {
                let household = &client.households[photo_n % client.households.len()];
                photo_n += 1;
                let tag = format!(
                    "{}#{}",
                    client.account,
                    markers.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                );
                upload_photo(http, config, client, household, &tag, shared).await
            }
        };
        if let Err(e) = result {
            shared.error(e);
            if config.stop_on_error {
                return;
            }
            // The server may be down (killed) or busy: pull again before the next edit.
            pulled = false;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The village's current records: household → content hash.
async fn pull(
    http: &reqwest::Client,
    config: &LoadConfig,
    client: &ClientSpec,
) -> Result<HashMap<String, String>, String> {
    let url = format!(
        "{}/api/v1/draws/{}/villages/{}/records",
        config.base, client.draw, client.village
    );
    let response = http
        .get(url)
        .bearer_auth(&client.token)
        .send()
        .await
        .map_err(|e| format!("pull: {}", transport(&e)))?;
    let status = response.status();
    let body: Value = response
        .json()
        .await
        .map_err(|e| format!("pull: {}", transport(&e)))?;
    if !status.is_success() {
        return Err(format!(
            "pull: {} {}",
            status.as_u16(),
            body["error"]["code"]
        ));
    }
    Ok(body
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| {
            Some((
                r["household_id"].as_str()?.to_string(),
                r["content_sha256"].as_str()?.to_string(),
            ))
        })
        .collect())
}

fn transport(e: &reqwest::Error) -> &'static str {
    if e.is_connect() {
        "connect"
    } else if e.is_timeout() {
        "timeout"
    } else if e.is_body() || e.is_decode() {
        "body"
    } else {
        "transport"
    }
}

#[allow(clippy::too_many_arguments)]
async fn upload_records(
    http: &reqwest::Client,
    config: &LoadConfig,
    client: &ClientSpec,
    households: &[&String],
    bases: &mut HashMap<String, String>,
    marker: i64,
    shared: &Shared,
) -> Result<(), String> {
    let records: Vec<Value> = households
        .iter()
        .enumerate()
        .map(|(k, h)| {
            let mut item = json!({
                "record_id": record_id(&client.account, h),
                "record": record(&client.draw, h, "team-load", marker + k as i64),
            });
            if let Some(base) = bases.get(h.as_str()) {
                item["base_sha256"] = json!(base);
            }
            item
        })
        .collect();
    let body = json!({ "records": records });
    let started = Instant::now();
    let response = http
        .post(format!("{}/api/v1/records", config.base))
        .bearer_auth(&client.token)
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("records: {}", transport(&e)))?;
    let status = response.status();
    let answer: Value = response
        .json()
        .await
        .map_err(|e| format!("records: {}", transport(&e)))?;
    let took = started.elapsed().as_micros() as u64;
    if !status.is_success() {
        return Err(format!(
            "records: {} {}",
            status.as_u16(),
            answer["error"]["code"]
        ));
    }
    shared.record_latency.lock().unwrap().push(took);
    let mut acks = Vec::new();
    for (k, r) in answer["results"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let household = r["household_id"].as_str().unwrap_or_default().to_string();
        let sha = r["content_sha256"].as_str().unwrap_or_default().to_string();
        let st = r["status"].as_str().unwrap_or_default().to_string();
        match st.as_str() {
            "accepted" | "unchanged" => {
                bases.insert(household.clone(), sha.clone());
            }
            "conflict" => {
                if let Some(current) = r["current_sha256"].as_str() {
                    bases.insert(household.clone(), current.to_string());
                }
            }
            _ => {}
        }
        acks.push(Ack {
            kind: "record".into(),
            draw: client.draw.clone(),
            household,
            record_id: r["record_id"].as_str().unwrap_or_default().to_string(),
            sha256: sha,
            status: st,
            version: r["version"].as_i64(),
            marker: marker + k as i64,
        });
    }
    shared.ack(acks);
    Ok(())
}

async fn upload_photo(
    http: &reqwest::Client,
    config: &LoadConfig,
    client: &ClientSpec,
    household: &str,
    tag: &str,
    shared: &Shared,
) -> Result<(), String> {
    let bytes = unique_photo(&config.photo, tag);
    let sha = sha256_hex(&bytes);
    let url = format!(
        "{}/api/v1/draws/{}/households/{household}/photos/{sha}",
        config.base, client.draw
    );
    let started = Instant::now();
    let response = http
        .put(url)
        .bearer_auth(&client.token)
        .header("content-type", "image/jpeg")
        .body(bytes)
        .send()
        .await
        .map_err(|e| format!("photo: {}", transport(&e)))?;
    let status = response.status();
    let answer: Value = response
        .json()
        .await
        .map_err(|e| format!("photo: {}", transport(&e)))?;
    let took = started.elapsed().as_micros() as u64;
    if !status.is_success() {
        return Err(format!(
            "photo: {} {}",
            status.as_u16(),
            answer["error"]["code"]
        ));
    }
    shared.photo_latency.lock().unwrap().push(took);
    shared.ack(vec![Ack {
        kind: "photo".into(),
        draw: client.draw.clone(),
        household: household.to_string(),
        record_id: String::new(),
        sha256: answer["sha256"].as_str().unwrap_or_default().to_string(),
        status: answer["status"].as_str().unwrap_or_default().to_string(),
        version: None,
        marker: 0,
    }]);
    if answer["sha256"].as_str() != Some(sha.as_str()) {
        return Err("photo: answered another hash".into());
    }
    Ok(())
}

/// A household's versions: version → (content hash, stored JSON, current).
type Versions = BTreeMap<i64, (String, String, bool)>;

/// What the check found.
#[derive(Debug, Default)]
pub struct Verified {
    /// Record acknowledgements checked.
    pub records: usize,
    /// Photo acknowledgements checked.
    pub photos: usize,
    /// Visit rows in the database.
    pub visit_rows: usize,
    /// Every problem; empty when all is well.
    pub problems: Vec<String>,
}

/// `sqlite://PATH` for a path, the URL itself for postgres://.
pub fn any_url(db: &str) -> String {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") || db.starts_with("sqlite:")
    {
        db.to_string()
    } else {
        format!("sqlite://{db}")
    }
}

/// True when every value of `sent` is in `stored` (objects: each key sent, recursively; numbers
/// as numbers; arrays element by element).
pub fn contains(stored: &Value, sent: &Value) -> bool {
    match (stored, sent) {
        (Value::Object(s), Value::Object(t)) => t
            .iter()
            .all(|(k, v)| s.get(k).is_some_and(|sv| contains(sv, v))),
        (Value::Array(s), Value::Array(t)) => {
            s.len() == t.len() && s.iter().zip(t).all(|(a, b)| contains(a, b))
        }
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        // Times may be normalised (offset kept): compare as text otherwise.
        (a, b) => a == b,
    }
}

/// Checks the database against the acknowledgements:
/// - every accepted record is the version it was answered, with the hash answered, and its
///   stored JSON holds every value that was sent (the record is rebuilt from its marker);
/// - every unchanged record's content is a stored version or a kept conflict of its household;
///   every conflict is kept in `record_conflicts`;
/// - every stored version's JSON hashes to its content hash; no household has two versions
///   with the same content; versions run 1..n with exactly the last one current;
/// - every acknowledged photo is stored with bytes hashing to its name, and linked.
pub async fn verify(db: &str, acks: &[Ack]) -> Verified {
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&any_url(db))
        .await
        .expect("the database opens");
    use sqlx::Row;
    let mut out = Verified::default();
    let rows = sqlx::query(
        "SELECT draw_id, household_id, version, content_sha256, record_json, \
         CAST(CASE WHEN is_current THEN 1 ELSE 0 END AS BIGINT) FROM visits",
    )
    .fetch_all(&pool)
    .await
    .expect("visits are read");
    out.visit_rows = rows.len();
    // (draw, household) → version → (hash, json, current)
    let mut visits: HashMap<(String, String), Versions> = HashMap::new();
    for r in &rows {
        let key: (String, String) = (r.get(0), r.get(1));
        let version: i64 = r.get(2);
        let hash: String = r.get(3);
        let json: String = r.get(4);
        let current: i64 = r.get(5);
        if sha256_hex(json.as_bytes()) != hash {
            out.problems.push(format!(
                "{} {} version {version}: the stored JSON does not hash to {hash}",
                key.0, key.1
            ));
        }
        visits
            .entry(key)
            .or_default()
            .insert(version, (hash, json, current == 1));
    }
    for ((draw, household), versions) in &visits {
        let mut seen = HashSet::new();
        for (version, (hash, _, _)) in versions {
            if !seen.insert(hash) {
                out.problems.push(format!(
                    "{draw} {household}: version {version} duplicates the content of an earlier version"
                ));
            }
        }
        let numbers: Vec<i64> = versions.keys().copied().collect();
        let expected: Vec<i64> = (1..=numbers.len() as i64).collect();
        if numbers != expected {
            out.problems.push(format!(
                "{draw} {household}: versions {numbers:?}, not 1..n"
            ));
        }
        let current: Vec<i64> = versions
            .iter()
            .filter(|(_, v)| v.2)
            .map(|(k, _)| *k)
            .collect();
        if current != vec![*numbers.last().unwrap_or(&0)] {
            out.problems.push(format!(
                "{draw} {household}: current versions {current:?} of {numbers:?}"
            ));
        }
    }
    let conflicts: HashSet<(String, String, String)> =
        sqlx::query("SELECT draw_id, household_id, content_sha256 FROM record_conflicts")
            .fetch_all(&pool)
            .await
            .expect("conflicts are read")
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
    let links: HashSet<(String, String, String)> =
        sqlx::query("SELECT draw_id, household_id, photo_sha256 FROM photo_links")
            .fetch_all(&pool)
            .await
            .expect("photo links are read")
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
    let photo_hashes: HashSet<String> = acks
        .iter()
        .filter(|a| a.kind == "photo")
        .map(|a| a.sha256.clone())
        .collect();
    let mut photos_ok: HashSet<String> = HashSet::new();
    for sha in &photo_hashes {
        let row = sqlx::query("SELECT content FROM photos WHERE sha256 = $1")
            .bind(sha)
            .fetch_optional(&pool)
            .await
            .expect("photos are read");
        match row {
            Some(r) => {
                let content: Vec<u8> = r.get(0);
                if sha256_hex(&content) == *sha {
                    photos_ok.insert(sha.clone());
                } else {
                    out.problems.push(format!(
                        "photo {sha}: the stored bytes hash to another value"
                    ));
                }
            }
            None => out
                .problems
                .push(format!("photo {sha}: acknowledged, not stored")),
        }
    }
    for a in acks {
        let key = (a.draw.clone(), a.household.clone());
        match (a.kind.as_str(), a.status.as_str()) {
            ("record", "accepted") => {
                out.records += 1;
                let stored = a
                    .version
                    .and_then(|v| visits.get(&key).and_then(|vs| vs.get(&v)));
                match stored {
                    None => out.problems.push(format!(
                        "{} {}: accepted as version {:?}, not in the database",
                        a.draw, a.household, a.version
                    )),
                    Some((hash, json, _)) => {
                        if *hash != a.sha256 {
                            out.problems.push(format!(
                                "{} {} version {:?}: stored hash {hash}, answered {}",
                                a.draw, a.household, a.version, a.sha256
                            ));
                        }
                        let sent = record(&a.draw, &a.household, "team-load", a.marker);
                        let stored: Value = serde_json::from_str(json).unwrap_or(Value::Null);
                        if !contains(&stored, &sent) {
                            out.problems.push(format!(
                                "{} {} version {:?}: the stored record is not the one sent \
                                 (marker {})",
                                a.draw, a.household, a.version, a.marker
                            ));
                        }
                    }
                }
            }
            ("record", "unchanged") => {
                out.records += 1;
                let in_versions = visits
                    .get(&key)
                    .is_some_and(|vs| vs.values().any(|v| v.0 == a.sha256));
                let kept =
                    conflicts.contains(&(a.draw.clone(), a.household.clone(), a.sha256.clone()));
                if !in_versions && !kept {
                    out.problems.push(format!(
                        "{} {}: answered unchanged, content {} not stored",
                        a.draw, a.household, a.sha256
                    ));
                }
            }
            ("record", "conflict") => {
                out.records += 1;
                if !conflicts.contains(&(a.draw.clone(), a.household.clone(), a.sha256.clone())) {
                    out.problems.push(format!(
                        "{} {}: answered conflict, content {} not kept",
                        a.draw, a.household, a.sha256
                    ));
                }
            }
            ("record", other) => out.problems.push(format!(
                "{} {}: a record answered {other} (the load sends only valid records)",
                a.draw, a.household
            )),
            ("photo", _) => {
                out.photos += 1;
                if photos_ok.contains(&a.sha256)
                    && !links.contains(&(a.draw.clone(), a.household.clone(), a.sha256.clone()))
                {
                    out.problems.push(format!(
                        "photo {} of {} {}: stored, not linked",
                        a.sha256, a.draw, a.household
                    ));
                }
            }
            (other, _) => out
                .problems
                .push(format!("unknown acknowledgement kind {other}")),
        }
    }
    pool.close().await;
    out
}
