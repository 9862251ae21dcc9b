//! The load client of bench/server/run.sh (see bench/server/README.md).
//!
//!   loadgen run --base URL --clients clients.tsv --n N --seconds S --kind records|photos
//!               [--batch B] [--photo WxH] [--acks acks.tsv] [--workers W] [--interval-ms MS]
//!   loadgen verify --db URL --acks acks.tsv [--acks more.tsv ...]
//!
//! `run` prints one JSON line: requests, records acknowledged, records/s, requests/s, p50 and
//! p99 latency (ms), errors. `verify` checks the database against the acknowledgements
//! (src/load.rs, `verify`) and exits 1 on any problem.

mod load;

use load::{Ack, ClientSpec, Kind, LoadConfig};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

fn args() -> (String, BTreeMap<String, Vec<String>>) {
    let mut it = std::env::args().skip(1);
    let command = it.next().unwrap_or_default();
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    while let Some(k) = it.next() {
        let key = k.trim_start_matches("--").to_string();
        let value = it.next().unwrap_or_else(|| die(&format!("--{key} needs a value")));
        map.entry(key).or_default().push(value);
    }
    (command, map)
}

fn die(message: &str) -> ! {
    eprintln!("loadgen: {message}");
    std::process::exit(2)
}

fn one<'a>(map: &'a BTreeMap<String, Vec<String>>, key: &str) -> Option<&'a str> {
    map.get(key).and_then(|v| v.last()).map(String::as_str)
}

fn need<'a>(map: &'a BTreeMap<String, Vec<String>>, key: &str) -> &'a str {
    one(map, key).unwrap_or_else(|| die(&format!("--{key} is needed")))
}

fn number<T: std::str::FromStr>(map: &BTreeMap<String, Vec<String>>, key: &str, default: T) -> T {
    one(map, key).map_or(default, |v| {
        v.parse()
            .unwrap_or_else(|_| die(&format!("--{key} {v}: not a number")))
    })
}

/// clients.tsv: account, token, draw, village, households separated by `;`.
fn read_clients(path: &str) -> Vec<ClientSpec> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| die(&format!("{path}: {e}")));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() != 5 {
                die(&format!("{path}: a line without 5 fields: {l}"));
            }
            ClientSpec {
                account: f[0].into(),
                token: f[1].into(),
                draw: f[2].into(),
                village: f[3].into(),
                households: f[4].split(';').map(String::from).collect(),
            }
        })
        .collect()
}

fn main() {
    let (command, map) = args();
    match command.as_str() {
        "run" => run(&map),
        "verify" => verify(&map),
        _ => die("usage: loadgen run|verify --help (see src/main.rs)"),
    }
}

fn run(map: &BTreeMap<String, Vec<String>>) {
    let clients = read_clients(need(map, "clients"));
    let n: usize = number(map, "n", clients.len());
    if n > clients.len() {
        die(&format!("--n {n}: only {} clients in the file", clients.len()));
    }
    let kind = match need(map, "kind") {
        "records" => Kind::Records,
        "photos" => Kind::Photos,
        k => die(&format!("--kind {k}: records or photos")),
    };
    let (w, h) = one(map, "photo")
        .unwrap_or("4000x3000")
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
        .unwrap_or_else(|| die("--photo WxH, e.g. 4000x3000"));
    let photo = if kind == Kind::Photos {
        load::make_photo(w, h)
    } else {
        Vec::new()
    };
    let config = LoadConfig {
        base: need(map, "base").to_string(),
        duration: Duration::from_secs_f64(number(map, "seconds", 10.0)),
        kind,
        batch: number(map, "batch", 1000),
        photo: Arc::new(photo),
        ack_log: one(map, "acks").map(Into::into),
        stop_on_error: false,
        interval: one(map, "interval-ms")
            .map(|v| Duration::from_millis(v.parse().unwrap_or_else(|_| die("--interval-ms: a number")))),
    };
    let workers: usize = number(map, "workers", 1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers.max(1))
        .enable_all()
        .build()
        .expect("a runtime");
    let report = runtime.block_on(load::run(&config, &clients[..n]));
    let secs = report.elapsed.as_secs_f64();
    let latencies = match kind {
        Kind::Records => &report.record_latency_us,
        Kind::Photos => &report.photo_latency_us,
    };
    let errors: usize = report.errors.values().sum();
    let out = serde_json::json!({
        "kind": need(map, "kind"),
        "clients": n,
        "seconds": secs,
        "requests": latencies.len(),
        "requests_per_s": latencies.len() as f64 / secs,
        "records": report.records_acknowledged(),
        "records_per_s": report.records_acknowledged() as f64 / secs,
        "refused": report.records_refused(),
        "photo_bytes": config.photo.len(),
        "p50_ms": load::quantile_ms(latencies, 0.50),
        "p99_ms": load::quantile_ms(latencies, 0.99),
        "max_ms": load::quantile_ms(latencies, 1.0),
        "errors": errors,
        "error_kinds": report.errors,
    });
    println!("{out}");
}

fn verify(map: &BTreeMap<String, Vec<String>>) {
    let db = need(map, "db");
    let mut acks: Vec<Ack> = Vec::new();
    let mut cut = 0;
    for path in map.get("acks").into_iter().flatten() {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| die(&format!("{path}: {e}")));
        for line in text.split_inclusive('\n') {
            // A line without its end was being written when the client stopped.
            match line.strip_suffix('\n').and_then(Ack::parse) {
                Some(a) => acks.push(a),
                None => cut += 1,
            }
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let found = runtime.block_on(load::verify(db, &acks));
    println!(
        "verified: {} record acknowledgements, {} photo acknowledgements, {} visit rows, {} problems{}",
        found.records,
        found.photos,
        found.visit_rows,
        found.problems.len(),
        if cut > 0 { format!(" ({cut} unfinished log lines ignored)") } else { String::new() }
    );
    for p in found.problems.iter().take(20) {
        println!("  {p}");
    }
    if !found.problems.is_empty() {
        std::process::exit(1);
    }
}
