//! `assess census quality` (issue 15, section 4) on a synthetic census made by the real
//! `assess synth` with high fault rates and stored by the real `assess census ingest`: every
//! planted per-return fault of the truth file is in flags.csv with its kind, the own-county
//! enumerators are those of the truth file, and a `--quality` file replaces the built-in
//! thresholds. (Precision and the false-alarm rate are tested in crates/census-checks.)

use crate::util::assess;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn census_quality_finds_every_planted_fault_in_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    crate::util::synth_census(
        d,
        "530128",
        8000,
        9,
        &[
            "--census-duplicate-rate",
            "0.04",
            "--census-copied-rate",
            "0.04",
            "--census-impossible-time-rate",
            "0.04",
            "--census-far-place-rate",
            "0.04",
            "--census-own-county-rate",
            "0.3",
        ],
    );
    crate::util::ingest_census(d, true);
    let store = d.join("store");
    let out = d.join("quality");
    let run = assess()
        .args(["census", "quality", "--store"])
        .arg(&store)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("counties: 1, returns: "), "{stdout}");

    let truth = rows(&d.join("truth.csv"));
    let flags = rows(&out.join("flags.csv"));
    let found: BTreeSet<(String, String, String)> = flags
        .iter()
        .map(|f| {
            (
                f["kind"].clone(),
                f["return_id"].clone(),
                f["related_return_id"].clone(),
            )
        })
        .collect();
    let mut planted = 0;
    let mut own = BTreeSet::new();
    for t in &truth {
        let kind = t["fault"].as_str();
        let related = match kind {
            "duplicate" => t["detail"].trim_start_matches("of ").to_string(),
            "copied" => t["detail"].trim_start_matches("from ").to_string(),
            "end_before_start" | "short_interview" | "far_place" => String::new(),
            "own_county" => {
                own.insert(t["enumerator_id"].clone());
                continue;
            }
            _ => continue,
        };
        planted += 1;
        let key = (kind.to_string(), t["return_id"].clone(), related);
        assert!(found.contains(&key), "planted {key:?} not in flags.csv");
    }
    assert!(planted > 100, "{planted}");
    assert!(!own.is_empty());
    let enumerators = rows(&out.join("enumerators.csv"));
    let own_found: BTreeSet<String> = enumerators
        .iter()
        .filter(|e| e["own_county"] == "true")
        .map(|e| e["enumerator_id"].clone())
        .collect();
    assert_eq!(own_found, own);
    assert!(!rows(&out.join("villages.csv")).is_empty());

    // A settings file replaces the built-in one: with a 46-minute minimum every interview of
    // 0 to 45 minutes is short.
    let settings = d.join("q.toml");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/census/quality.toml"),
    )
    .unwrap()
    .replace("min_minutes = 15", "min_minutes = 46");
    std::fs::write(&settings, text).unwrap();
    let strict = d.join("quality-46");
    assess()
        .args(["census", "quality", "--store"])
        .arg(&store)
        .arg("--out")
        .arg(&strict)
        .arg("--quality")
        .arg(&settings)
        .assert()
        .success();
    let short = |dir: &Path| {
        rows(&dir.join("flags.csv"))
            .iter()
            .filter(|f| f["kind"] == "short_interview")
            .count()
    };
    let before_start = flags
        .iter()
        .filter(|f| f["kind"] == "end_before_start")
        .count();
    let returns = stdout
        .split("returns: ")
        .nth(1)
        .and_then(|s| s.split(';').next())
        .and_then(|s| s.trim().parse::<usize>().ok())
        .unwrap();
    assert_eq!(short(&strict), returns - before_start);
    assert!(short(&out) < returns / 10);
}
