//! A real `assess serve` for the server tests: started on a free port of the loopback
//! interface over a test database, stopped (SIGTERM, then killed) when the guard goes.
#![allow(dead_code)]

use crate::util::assess;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running server.
pub struct Server {
    pub child: Child,
    /// e.g. http://127.0.0.1:41234
    pub base: String,
    /// Its log (stderr).
    pub log: PathBuf,
    http: reqwest::blocking::Client,
}

/// An answer: status and JSON body (Null when the body is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Server {
    /// `assess serve --db DB --listen 127.0.0.1:0 --rate 0 EXTRA...`, its log in `dir`.
    pub fn start(dir: &Path, db: &str, extra: &[&str]) -> Server {
        let log = dir.join(format!(
            "serve-{}.log",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let mut child = Command::new(env!("CARGO_BIN_EXE_assess"))
            .args(["serve", "--db", db, "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("assess serve starts");
        let mut first = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut first)
            .unwrap();
        let base = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| {
                panic!(
                    "no address in {first:?}; log: {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            })
            .to_string();
        Server {
            child,
            base,
            log,
            // A new connection a request: the server closes one on which it refused a body
            // unread (413), and a pooled client would send the next request down it.
            http: reqwest::blocking::Client::builder()
                .pool_max_idle_per_host(0)
                .timeout(Duration::from_secs(120))
                .build()
                .unwrap(),
        }
    }

    /// A request with an optional token and JSON body.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Answer {
        let mut request = self.http.request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{}{path}", self.base),
        );
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        if let Some(b) = body {
            request = request.json(b);
        }
        let response = request.send().expect("the server answers");
        let status = response.status().as_u16();
        let text = response.text().unwrap_or_default();
        Answer {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }

    pub fn get(&self, path: &str, token: &str) -> Answer {
        self.call("GET", path, Some(token), None)
    }

    pub fn post(&self, path: &str, token: &str, body: &Value) -> Answer {
        self.call("POST", path, Some(token), Some(body))
    }

    /// PUT raw bytes.
    pub fn put_bytes(&self, path: &str, token: &str, bytes: Vec<u8>) -> Answer {
        self.try_put_bytes(path, token, bytes)
            .expect("the server answers")
    }

    /// PUT raw bytes; an error when the server closed the connection before the body was
    /// sent (as it may, answering 413 to a declared length over its limit).
    pub fn try_put_bytes(
        &self,
        path: &str,
        token: &str,
        bytes: Vec<u8>,
    ) -> Result<Answer, reqwest::Error> {
        let response = self
            .http
            .put(format!("{}{path}", self.base))
            .bearer_auth(token)
            .body(bytes)
            .send()?;
        let status = response.status().as_u16();
        let text = response.text().unwrap_or_default();
        Ok(Answer {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        })
    }

    /// POST raw bytes with a content type.
    pub fn post_bytes(
        &self,
        path: &str,
        token: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Answer {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .expect("the server answers");
        let status = response.status().as_u16();
        let text = response.text().unwrap_or_default();
        Answer {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }

    /// The log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        signal(self.child.id(), "TERM");
        wait_exit(&mut self.child, Duration::from_secs(30))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            signal(self.child.id(), "TERM");
            let _ = wait_exit(&mut self.child, Duration::from_secs(10));
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `kill -SIG pid`.
pub fn signal(pid: u32, sig: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status();
}

fn wait_exit(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(started.elapsed() < limit, "the server did not stop");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `assess user add NAME --role ROLE [--team T] [--province P]`: the token.
pub fn add_user(
    db: &str,
    name: &str,
    role: &str,
    team: Option<&str>,
    province: Option<&str>,
) -> String {
    let mut cmd = assess();
    cmd.args(["user", "add", name, "--role", role, "--db", db]);
    if let Some(t) = team {
        cmd.args(["--team", t]);
    }
    if let Some(p) = province {
        cmd.args(["--province", p]);
    }
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap().trim().to_string()
}
