//! The bad-input corpus (issue 12): every case in `tests/bad-input/*.toml` runs the real
//! binary on a bad input and must be refused: a non-zero exit that is not a panic, each
//! expected phrase in the message, nothing from `stderr_not` (an identity number, say), no raw
//! escape character from the input, and the database and outputs unchanged. The format is in
//! `tests/bad-input/README.md`.

use crate::util::{assess, complete_visit, fresh_pg_database, luquan, repo_file, TestDb};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// The issue part it belongs to, e.g. "12.2".
    issue: String,
    #[serde(default)]
    fixture: Fixture,
    /// Backends for database fixtures; SQLite only when absent.
    #[serde(default)]
    backends: Vec<String>,
    args: Vec<String>,
    #[serde(default)]
    files: BTreeMap<String, FileSpec>,
    /// Phrases that must all appear on stderr.
    stderr: Vec<String>,
    /// Phrases that must all appear on stdout (a report printed there, as `plan check` does).
    #[serde(default)]
    stdout: Vec<String>,
    /// Text that must not appear on stdout or stderr.
    #[serde(default)]
    stderr_not: Vec<String>,
    /// The exit code, when a particular one is promised (any refusal otherwise).
    exit: Option<i32>,
    /// Paths (with placeholders) that must not exist afterwards.
    #[serde(default)]
    absent: Vec<String>,
}

#[derive(Debug, Default, Deserialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "kebab-case")]
enum Fixture {
    /// Nothing prepared: {dir} only (and the bundled files).
    #[default]
    None,
    /// A Luquan draw in {draw_dir}, id {draw}.
    Draw,
    /// The draw imported into a fresh database {db}.
    Db,
    /// The draw and one complete visit of {household} in {db}.
    DbRecords,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum FileSpec {
    /// Text, with placeholders substituted.
    Text(String),
    /// Any other content.
    Made(Made),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
enum Made {
    /// A file of the corpus (`tests/bad-input/files/...`), byte for byte.
    From(String),
    /// Bytes in hexadecimal.
    Hex(String),
    /// JSON Lines: a complete visit of {household}, {household2}, ... each merged with the
    /// JSON merge patch given (RFC 7386: null removes a key).
    Visits(Vec<String>),
    /// A directory: the fixture draw with one text replaced in one of its files
    /// (`sample.csv` or `sample_villages.csv`) and the manifest's hash of that file made to
    /// match, as a forger would.
    ForgedDraw {
        file: String,
        from: String,
        to: String,
    },
    /// prefix + unit × times + suffix (placeholders substituted in prefix and suffix).
    Repeat {
        prefix: String,
        unit: String,
        times: usize,
        suffix: String,
    },
}

/// The Luquan draw every database fixture starts from, made once per test run.
struct Shared {
    _dir: tempfile::TempDir,
    draw_dir: PathBuf,
    draw_id: String,
    households: Vec<String>,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let (draw_dir, draw_id, households) = crate::util::luquan_draw(dir.path(), 5);
        Shared {
            _dir: dir,
            draw_dir,
            draw_id,
            households,
        }
    })
}

fn placeholders(dir: &Path, db: &str) -> Vec<(String, String)> {
    let (register, villages) = luquan();
    let mut out = vec![
        ("{dir}".to_string(), dir.display().to_string()),
        ("{repo}".to_string(), repo_file("").display().to_string()),
        ("{db}".to_string(), db.to_string()),
        ("{register}".to_string(), register.display().to_string()),
        ("{villages}".to_string(), villages.display().to_string()),
        (
            "{plan}".to_string(),
            repo_file("sample-plans/luquan-530128.toml")
                .display()
                .to_string(),
        ),
    ];
    let s = shared();
    out.push(("{draw_dir}".into(), s.draw_dir.display().to_string()));
    out.push(("{draw}".into(), s.draw_id.clone()));
    // The village of {household}: a household id is its village's code, '-' and a number.
    let village = s.households[0].split('-').next().unwrap_or_default();
    out.push(("{village}".into(), village.to_string()));
    for (i, h) in s.households.iter().enumerate() {
        let name = if i == 0 {
            "{household}".to_string()
        } else {
            format!("{{household{}}}", i + 1)
        };
        out.push((name, h.clone()));
    }
    out
}

fn substitute(text: &str, vars: &[(String, String)]) -> String {
    vars.iter()
        .fold(text.to_string(), |t, (k, v)| t.replace(k, v))
}

fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

fn content(spec: &FileSpec, vars: &[(String, String)]) -> Vec<u8> {
    match spec {
        FileSpec::Text(t) => substitute(t, vars).into_bytes(),
        FileSpec::Made(Made::From(p)) => {
            std::fs::read(repo_file(&format!("tests/bad-input/files/{p}"))).unwrap()
        }
        FileSpec::Made(Made::Hex(h)) => {
            let clean: String = h.chars().filter(|c| !c.is_whitespace()).collect();
            hex::decode(clean).expect("hex in the corpus")
        }
        FileSpec::Made(Made::Visits(patches)) => {
            let s = shared();
            let mut text = String::new();
            for (i, patch) in patches.iter().enumerate() {
                let mut visit = complete_visit(&s.draw_id, &s.households[i]);
                let patch: Value = serde_json::from_str(&substitute(patch, vars))
                    .expect("a JSON merge patch in the corpus");
                merge(&mut visit, &patch);
                text.push_str(&visit.to_string());
                text.push('\n');
            }
            text.into_bytes()
        }
        FileSpec::Made(Made::ForgedDraw { .. }) => unreachable!("a directory, made by forge()"),
        FileSpec::Made(Made::Repeat {
            prefix,
            unit,
            times,
            suffix,
        }) => {
            let mut out = substitute(prefix, vars).into_bytes();
            out.extend(unit.repeat(*times).into_bytes());
            out.extend(substitute(suffix, vars).into_bytes());
            out
        }
    }
}

/// Writes the fixture draw into `dir` with `from` replaced by `to` in `file` and the manifest's
/// hash of that file replaced to match.
fn forge(dir: &Path, file: &str, from: &str, to: &str) {
    use sha2::{Digest, Sha256};
    let s = shared();
    std::fs::create_dir_all(dir).unwrap();
    let mut manifest = std::fs::read_to_string(s.draw_dir.join("manifest.json")).unwrap();
    for name in ["sample.csv", "sample_villages.csv"] {
        let bytes = std::fs::read(s.draw_dir.join(name)).unwrap();
        let bytes = if name == file {
            let text = String::from_utf8(bytes.clone()).unwrap();
            assert!(text.contains(from), "{from:?} is not in {name}");
            let forged = text.replacen(from, to, 1).into_bytes();
            let (old, new) = (Sha256::digest(&bytes), Sha256::digest(&forged));
            manifest = manifest.replace(&hex::encode(old), &hex::encode(new));
            forged
        } else {
            bytes
        };
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    std::fs::write(dir.join("manifest.json"), manifest).unwrap();
}

/// A fresh database of `backend` holding what the fixture asks for.
fn database(fixture: Fixture, backend: &str, dir: &Path) -> TestDb {
    let db = match backend {
        "sqlite" => TestDb::sqlite(&dir.join("assess.db")),
        "postgres" => fresh_pg_database(),
        other => panic!("unknown backend {other}"),
    };
    crate::util::init_db(&db);
    let s = shared();
    assess()
        .arg("import-sample")
        .arg(&s.draw_dir)
        .args(["--db", &db])
        .assert()
        .success();
    if fixture == Fixture::DbRecords {
        let file = dir.join("fixture-visit.json");
        let visit = complete_visit(&s.draw_id, &s.households[0]);
        std::fs::write(&file, serde_json::to_string(&[visit]).unwrap()).unwrap();
        crate::util::import_records(&file, &db);
    }
    db
}

fn run_case(case: &Case, backend: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let db = match case.fixture {
        Fixture::Db | Fixture::DbRecords => database(case.fixture, backend, dir.path()),
        Fixture::None | Fixture::Draw => TestDb::sqlite(&dir.path().join("assess.db")),
    };
    let vars = placeholders(dir.path(), &db);
    for (name, spec) in &case.files {
        let path = dir.path().join(substitute(name, &vars));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        match spec {
            FileSpec::Made(Made::ForgedDraw { file, from, to }) => forge(&path, file, from, to),
            _ => std::fs::write(&path, content(spec, &vars)).unwrap(),
        }
    }
    let with_db = matches!(case.fixture, Fixture::Db | Fixture::DbRecords);
    let before = with_db.then(|| crate::util::db_digest(&db));
    let args: Vec<String> = case.args.iter().map(|a| substitute(a, &vars)).collect();
    let output = assess()
        .args(&args)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .map_err(|e| format!("running assess: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let code = output.status.code();
    let mut problems = Vec::new();
    match (code, case.exit) {
        (None, _) => problems.push("killed (no exit code; a time-out?)".to_string()),
        (Some(0), _) => problems.push("accepted (exit 0)".to_string()),
        (Some(101), _) => problems.push("panicked (exit 101)".to_string()),
        (Some(c), Some(want)) if c != want => problems.push(format!("exit {c}, not {want}")),
        _ => {}
    }
    for phrase in &case.stderr {
        let phrase = substitute(phrase, &vars);
        if !stderr.contains(&phrase) {
            problems.push(format!("stderr lacks {phrase:?}"));
        }
    }
    for phrase in &case.stdout {
        let phrase = substitute(phrase, &vars);
        if !stdout.contains(&phrase) {
            problems.push(format!("stdout lacks {phrase:?}"));
        }
    }
    for phrase in &case.stderr_not {
        if stderr.contains(phrase.as_str()) || stdout.contains(phrase.as_str()) {
            problems.push(format!("the output shows {phrase:?}"));
        }
    }
    if output.stderr.contains(&0x1b) || output.stdout.contains(&0x1b) {
        problems.push("the output carries a raw escape character".to_string());
    }
    for path in &case.absent {
        let path = substitute(path, &vars);
        if Path::new(&path).exists() {
            problems.push(format!("{path} was written"));
        }
    }
    if let Some(before) = before {
        if crate::util::db_digest(&db) != before {
            problems.push("the database changed".to_string());
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} [{}, {backend}] `assess {}`: {}\n--- stderr ---\n{}",
            case.name,
            case.issue,
            args.join(" "),
            problems.join("; "),
            stderr.chars().take(2000).collect::<String>()
        ))
    }
}

fn cases() -> Vec<(String, Case)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_file("tests/bad-input"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let parsed: CaseFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let stem = file.file_stem().unwrap().to_string_lossy().to_string();
        out.extend(parsed.case.into_iter().map(|c| (stem.clone(), c)));
    }
    out
}

/// Every case of the corpus, on every backend it names, refused as it says.
#[test]
fn every_bad_input_in_the_corpus_is_refused_at_the_door() {
    let cases = cases();
    let mut names = std::collections::BTreeSet::new();
    for (file, case) in &cases {
        assert!(names.insert(&case.name), "{file}: case {} twice", case.name);
    }
    let failures: Vec<String> = cases
        .iter()
        .flat_map(|(_, case)| {
            let backends: Vec<&str> = match case.fixture {
                Fixture::Db | Fixture::DbRecords if !case.backends.is_empty() => {
                    case.backends.iter().map(String::as_str).collect()
                }
                _ => vec!["sqlite"],
            };
            backends.into_iter().map(move |b| run_case(case, b))
        })
        .filter_map(Result::err)
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases not refused as the corpus says:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
