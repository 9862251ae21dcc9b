//! `assess verdict` settings read from the command line: the missed rate over the sampled
//! villages' non-registered people (counted in the draw's own register, refused for another
//! register or without one), the without-replacement variance, and the response and
//! replacement rates by village and team in verdict.json.

use crate::util::{
    assess, database_with, household_record, luquan, luquan_draw, read, sample_rows,
    two_villages_per_stratum, visit_after_draw,
};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A complete visit with the household's own register status; `missed` puts its income
/// below the line.
pub(crate) fn visit(draw_id: &str, id: &str, status: &str, team: &str, missed: bool) -> Value {
    let mut household = household_record(id);
    household["status"] = json!(status);
    household["approval"] = json!({"exit": "satisfied", "policies": "satisfied", "help_received": "satisfied", "cadres_work": "satisfied"});
    if missed {
        household["income"] = json!({"wages": 600.0, "business_net": 0.0, "property": 0.0, "transfers": 0.0, "in_kind": 0.0});
    }
    visit_after_draw(draw_id, id, team, household)
}

/// A database with the Luquan draw and complete visits to the primaries of two villages of
/// each village stratum (the first village's visits by `team-2`, the others' by `team-1`),
/// one non-registered household missed; the sampled villages and the visits per team.
struct Fixture {
    dir: tempfile::TempDir,
    db: String,
    sampled: BTreeSet<String>,
    visits_by_team: BTreeMap<String, usize>,
    /// Non-registered households visited in each visited village.
    non_registered_visits: BTreeMap<String, usize>,
    /// The village of the missed household.
    missed_village: String,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let (draw, draw_id, _) = luquan_draw(dir.path(), 0);
    let (_, villages) = luquan();
    let rows = sample_rows(&draw);
    let chosen = two_villages_per_stratum(&rows);
    let first = chosen.iter().next().unwrap();
    let (mut records, mut missed) = (Vec::new(), false);
    let mut visits_by_team: BTreeMap<String, usize> = BTreeMap::new();
    let mut non_registered_visits: BTreeMap<String, usize> = BTreeMap::new();
    let mut missed_village = String::new();
    for r in rows
        .iter()
        .filter(|r| r["role"] == "primary" && chosen.contains(&r["village_code"]))
    {
        let team = if &r["village_code"] == first {
            "team-2"
        } else {
            "team-1"
        };
        let miss = r["stratum"] == "non_registered" && !missed;
        missed |= miss;
        if r["stratum"] == "non_registered" {
            *non_registered_visits
                .entry(r["village_code"].clone())
                .or_default() += 1;
        }
        if miss {
            missed_village = r["village_code"].clone();
        }
        records.push(visit(
            &draw_id,
            &r["household_id"],
            &r["stratum"],
            team,
            miss,
        ));
        *visits_by_team.entry(team.to_string()).or_default() += 1;
    }
    assert!(missed, "a non-registered household");
    let db = database_with(dir.path(), &draw, &villages, &records);
    let sampled = rows.iter().map(|r| r["village_code"].clone()).collect();
    Fixture {
        dir,
        db,
        sampled,
        visits_by_team,
        non_registered_visits,
        missed_village,
    }
}

impl Fixture {
    /// Runs `assess verdict` with `extra` arguments into a new directory `name`.
    fn verdict(&self, name: &str, extra: &[&str]) -> (assert_cmd::assert::Assert, PathBuf) {
        let out = self.dir.path().join(name);
        let run = assess()
            .args(["verdict", "--db", &self.db, "--county", "530128"])
            .arg("--out")
            .arg(&out)
            .args(extra)
            .assert();
        (run, out)
    }
}

fn json_of(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("verdict.json")).unwrap()).unwrap()
}

/// People of non-registered households per village, read here from the register CSV.
fn non_registered_people(register: &Path) -> BTreeMap<String, f64> {
    let mut reader = csv::Reader::from_path(register).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (village, status, members) = (col("village_code"), col("status"), col("members"));
    let mut out = BTreeMap::new();
    for row in reader.records() {
        let row = row.unwrap();
        if &row[status] == "non_registered" {
            *out.entry(row[village].to_string()).or_default() +=
                row[members].parse::<f64>().unwrap();
        }
    }
    out
}

fn stderr(run: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&run.get_output().stderr).to_string()
}

#[test]
fn missed_rate_over_the_sampled_villages_uses_the_draws_register() {
    let f = fixture();
    let (register, _) = luquan();

    // Without the register: refused, saying what to give.
    let (run, _) = f.verdict("no-frame", &["--missed-denominator", "sampled-villages"]);
    let run = run.failure().code(1);
    let err = stderr(&run);
    assert!(err.contains("--frame"), "{err}");

    // Another register (one household fewer): refused, naming the file and the fingerprints.
    let text = std::fs::read_to_string(&register).unwrap();
    let other = f.dir.path().join("other-register.csv");
    let kept: Vec<&str> = text.lines().collect();
    std::fs::write(&other, kept[..kept.len() - 1].join("\n") + "\n").unwrap();
    let other_arg = other.display().to_string();
    let (run, _) = f.verdict(
        "other-frame",
        &[
            "--missed-denominator",
            "sampled-villages",
            "--frame",
            &other_arg,
        ],
    );
    let run = run.failure().code(1);
    let err = stderr(&run);
    assert!(
        err.contains("other-register.csv")
            && err.contains("fingerprint")
            && err.contains("--frame"),
        "{err}"
    );

    // The draw's register. The plan samples the villages' non-registered households, so the
    // official rate is extrapolated: each visited village's rate among its sampled
    // households (2 people each) applied to its non-registered people, over those villages.
    let register_arg = register.display().to_string();
    let (run, out) = f.verdict(
        "villages",
        &[
            "--missed-denominator",
            "sampled-villages",
            "--frame",
            &register_arg,
        ],
    );
    run.success();
    let v = json_of(&out);
    assert_eq!(v["settings"]["missed_denominator"], "sampled_villages");
    let people = non_registered_people(&register);
    let people_of = |v: &str| people.get(v).copied().unwrap_or(0.0);
    let expected: f64 = f.non_registered_visits.keys().map(|v| people_of(v)).sum();
    let m = &v["indicators"]["missed_rate"];
    assert_eq!(m["denominator"].as_f64().unwrap(), expected);
    let sampled_people = 2.0 * f.non_registered_visits[&f.missed_village] as f64;
    let numerator = people_of(&f.missed_village) * 2.0 / sampled_people;
    assert!((m["numerator"].as_f64().unwrap() - numerator).abs() < 1e-9);
    assert!((m["official"].as_f64().unwrap() - numerator / expected).abs() < 1e-15);
    // Said so, with the rule's literal value: 2 people over all the sampled villages' people.
    let all: f64 = f.sampled.iter().map(|v| people_of(v)).sum();
    let note = m["notes"][0].as_str().unwrap();
    assert!(note.contains("extrapolated"), "{note}");
    assert!(
        note.contains(&format!("{:.2}%", 100.0 * 2.0 / all)),
        "{note}"
    );

    // The households basis of the same records: over the visited households' people.
    let (run, out) = f.verdict("households", &[]);
    run.success();
    let h = json_of(&out);
    assert_eq!(h["settings"]["missed_denominator"], "sampled_households");
    assert!(
        h["indicators"]["missed_rate"]["denominator"]
            .as_f64()
            .unwrap()
            < expected
    );

    // --frame without the villages basis is a mistake, said so.
    let (run, _) = f.verdict("frame-alone", &["--frame", &register_arg]);
    let err = stderr(&run.failure().code(1));
    assert!(
        err.contains("--missed-denominator sampled-villages"),
        "{err}"
    );
}

#[test]
fn without_replacement_variance_and_rates_by_village_and_team() {
    let f = fixture();
    let (run, wr) = f.verdict("wr", &[]);
    run.success();
    // A status cell with a single respondent has no within-cell variance: left out.
    let (run, wor) = f.verdict("wor", &["--variance", "wor", "--lonely-psu", "remove"]);
    run.success();
    let (wr, wor) = (json_of(&wr), json_of(&wor));
    assert_eq!(wr["settings"]["variance"], "wr");
    assert_eq!(wor["settings"]["variance"], "wor");
    for name in ["wrong_exit_rate", "missed_rate", "approval_rate"] {
        let (a, b) = (&wr["indicators"][name], &wor["indicators"][name]);
        // Same estimates, another variance.
        assert_eq!(a["design"], b["design"], "{name}");
        assert!(b["se"].as_f64().unwrap().is_finite(), "{name}");
    }
    // The one missed household gives the missed rate a variance, which the fpcs change.
    let se = |v: &Value| v["indicators"]["missed_rate"]["se"].as_f64().unwrap();
    assert!(se(&wr) > 0.0 && se(&wor) > 0.0 && se(&wr) != se(&wor));
    let md = std::fs::read_to_string(f.dir.path().join("wor").join("verdict.md")).unwrap();
    assert!(md.contains("without replacement (finite-population corrections"));

    // Rates by village and team.
    let rates = wr["response_rates"].as_array().unwrap();
    let villages: Vec<&Value> = rates.iter().filter(|r| r["by"] == "village").collect();
    assert_eq!(villages.len(), f.sampled.len());
    for (team, n) in &f.visits_by_team {
        let row = rates
            .iter()
            .find(|r| r["by"] == "team" && r["key"] == team.as_str())
            .unwrap_or_else(|| panic!("team {team}"));
        // Every visit complete: all interviewed, none replaced.
        assert_eq!(row["visited"].as_u64().unwrap() as usize, *n);
        assert_eq!(row["interviewed"].as_u64().unwrap() as usize, *n);
        assert_eq!(row["primaries"].as_u64().unwrap() as usize, *n);
        assert_eq!(row["response_rate"], 1.0);
        assert_eq!(row["replacement_rate"], 0.0);
    }
    // An unvisited village: its primaries, nothing visited, no response rate.
    let unvisited = villages
        .iter()
        .find(|r| r["visited"] == 0)
        .expect("a village without visits");
    assert!(unvisited["primaries"].as_u64().unwrap() > 0);
    assert_eq!(unvisited["response_rate"], Value::Null);
    assert_eq!(unvisited["replacement_rate"], 0.0);
    let md = std::fs::read_to_string(f.dir.path().join("wr").join("verdict.md")).unwrap();
    assert!(md.contains("### Response and replacement by village and team"));
    assert!(md.contains("| Team | team-2 |"));
}

/// Every file under `dir` with its bytes, for "unchanged" checks.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            for (k, v) in snapshot(&path) {
                out.insert(format!("{name}/{k}"), v);
            }
        } else {
            out.insert(name, std::fs::read(&path).unwrap());
        }
    }
    out
}

/// The verdict's files appear as a set (issue 12 part 4): an earlier verdict is kept unless
/// --force is given (issue 13 part 5); with it the set is replaced whole (a file of another
/// set, here a batch's summary.json, does not survive beside it); a directory that holds
/// anything else is refused and left as it was, and no staging directory is left behind.
#[test]
fn the_verdict_files_replace_their_directory_as_a_set() {
    let f = fixture();
    let (run, out) = f.verdict("out", &[]);
    // The terminal shows the decision and each reading in words, never an enum's name.
    let shown = String::from_utf8_lossy(&run.success().get_output().stdout).to_string();
    assert!(
        shown.contains("Approve the exit") || shown.contains("Defer the exit"),
        "{shown}"
    );
    for name in [
        "PassesWithConfidence",
        "FailsWithConfidence",
        "Inconclusive",
        "APPROVE",
    ] {
        assert!(!shown.contains(name), "{shown}");
    }
    let names = |dir: &Path| snapshot(dir).into_keys().collect::<Vec<_>>();
    assert_eq!(
        names(&out),
        ["report.html", "verdict.json", "verdict.md", "verdict.xlsx"]
    );
    // An earlier verdict is kept unless --force is given.
    let before = snapshot(&out);
    let (run, _) = f.verdict("out", &[]);
    let message = stderr(&run.failure());
    assert!(
        message.contains("holds an earlier verdict, which is kept"),
        "{message}"
    );
    assert!(message.contains("--force"), "{message}");
    assert_eq!(snapshot(&out), before);
    std::fs::write(out.join("summary.json"), "{}").unwrap();
    f.verdict("out", &["--force"]).0.success();
    assert!(!out.join("summary.json").exists());
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let before = snapshot(&out);
    let (run, _) = f.verdict("out", &["--force"]);
    let message = stderr(&run.failure());
    assert!(
        message.contains("holds files that are not a verdict's"),
        "{message}"
    );
    assert_eq!(snapshot(&out), before);
    let leftovers: Vec<String> = std::fs::read_dir(f.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains("assess-staging"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Draws `plan` on the bundled Luquan register, simulates every visit from its truth and
/// returns the verdict's JSON (issue 13 part 3).
fn simulated_verdict(dir: &Path, plan: &str) -> Value {
    simulated_verdict_at(dir, plan, "0.95")
}

/// [`simulated_verdict`] with this probability that a visited household is interviewed.
fn simulated_verdict_at(dir: &Path, plan: &str, response_rate: &str) -> Value {
    // The bundled example's register and its truth (the fixture register has no truth file).
    let register = crate::util::repo_file("examples/luquan/register.csv");
    let villages = crate::util::repo_file("examples/luquan/villages.csv");
    let truth = crate::util::repo_file("examples/luquan/truth.csv");
    let out = dir.join("draw");
    crate::util::draw(
        &crate::util::repo_file(plan),
        &register,
        &villages,
        "1",
        "2",
        &out,
    )
    .success();
    let visits = dir.join("visits.jsonl");
    assess()
        .args([
            "simulate-visits",
            "--seed",
            "7",
            "--response-rate",
            response_rate,
        ])
        .arg("--draw")
        .arg(&out)
        .arg("--register")
        .arg(&register)
        .arg("--truth")
        .arg(&truth)
        .arg("--out")
        .arg(&visits)
        .assert()
        .success();
    let db = dir.join("assess.db").display().to_string();
    crate::util::with_draw(&out, &db);
    crate::util::import_records(&visits, &db);
    let verdict = dir.join("verdict");
    assess()
        .args(["verdict", "--db", &db, "--county", "530128", "--out"])
        .arg(&verdict)
        .assert()
        .success();
    json_of(&verdict)
}

/// A plan that takes no non-registered household: the missed rate, and the incidence built on
/// it, are not estimable (with the reason), the others are reported, and the county is not
/// decided (the rules need all four), instead of the verdict failing.
#[test]
fn a_rate_without_households_is_not_estimable_and_the_county_not_decided() {
    let dir = tempfile::tempdir().unwrap();
    let v = simulated_verdict(dir.path(), "tests/data/no-non-registered-luquan.toml");
    assert_eq!(v["decision"], "undecided", "{:#}", v["reasons"]);
    let missing: Vec<&str> = v["not_estimable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["indicator"].as_str().unwrap())
        .collect();
    assert_eq!(missing, ["poverty_incidence", "missed_rate"]);
    let reported: Vec<&String> = v["indicators"].as_object().unwrap().keys().collect();
    assert_eq!(reported, ["approval_rate", "wrong_exit_rate"]);
    assert!(v["reasons"][1]
        .as_str()
        .unwrap()
        .starts_with("missed_rate is not estimable: no interviewed household"));
}

/// A census-shaped plan (every village with certainty, every household): a verdict, no
/// lonely-PSU refusal, and the reasons say which households add no sampling variance.
#[test]
fn a_census_shaped_plan_gives_a_verdict_that_says_what_adds_no_variance() {
    let dir = tempfile::tempdir().unwrap();
    let v = simulated_verdict(dir.path(), "tests/data/census-luquan.toml");
    assert_eq!(v["indicators"].as_object().unwrap().len(), 4);
    let reasons = v["reasons"].to_string();
    assert!(
        reasons.contains("were taken with certainty and whole (every household of their status): they add no sampling variance"),
        "{reasons}"
    );
    // Nonresponse leaves cells not whole: those rates keep an interval.
    let wrong = &v["indicators"]["wrong_exit_rate"];
    assert!(wrong["uci"].as_f64() > wrong["lci"].as_f64(), "{wrong}");

    // Everyone answers: a census of every rate's households, without sampling error. Each
    // interval is the value itself, not one widened by the design-effect floor.
    let all = tempfile::tempdir().unwrap();
    let v = simulated_verdict_at(all.path(), "tests/data/census-luquan.toml", "1");
    for (name, i) in v["indicators"].as_object().unwrap() {
        let value = i["estimate"].as_f64().unwrap();
        for end in ["lci", "uci", "upper_bound", "lower_bound"] {
            assert!(
                (i[end].as_f64().unwrap() - value).abs() < 1e-12,
                "{name}.{end}: {i}"
            );
        }
    }
    assert!(v["reasons"]
        .to_string()
        .contains("its interval is its value"));
}

/// `--all-counties` needs no `--draw` when the database holds one draw; with several it lists
/// them (issue 13 part 2).
#[test]
fn all_counties_finds_the_only_draw_and_lists_several() {
    let f = fixture();
    let (run, out) = f.verdict_all("all", &[]);
    run.success();
    assert!(out.join("verdict.json").is_file());
    // A second draw of the same plan with other seeds.
    let (register, villages) = luquan();
    let second = f.dir.path().join("second-draw");
    crate::util::draw(
        &crate::util::repo_file("sample-plans/luquan-530128.toml"),
        &register,
        &villages,
        "5",
        "6",
        &second,
    )
    .success();
    crate::util::with_draw(&second, &f.db);
    let (run, _) = f.verdict_all("all-2", &[]);
    let message = stderr(&run.failure());
    assert!(
        message.contains("the database holds 2 draws; choose one with --draw ID"),
        "{message}"
    );
}

impl Fixture {
    /// `assess verdict --all-counties` with `extra` arguments into a new directory `name`.
    fn verdict_all(&self, name: &str, extra: &[&str]) -> (assert_cmd::assert::Assert, PathBuf) {
        let out = self.dir.path().join(name);
        let run = assess()
            .args(["verdict", "--db", &self.db, "--all-counties", "--out"])
            .arg(&out)
            .args(extra)
            .assert();
        (run, out)
    }
}

/// A batch goes on past a county that cannot be decided yet (issue 13 part 2): with Luquan's
/// records imported and Huayuan's not, Luquan's verdict is written, Huayuan is listed as not
/// started, and the exit status (3) says that not every county was decided.
#[test]
fn a_batch_writes_the_decided_counties_and_lists_the_unfinished() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    assess()
        .args([
            "synth",
            "--county",
            "433124,530128",
            "--households",
            "14000",
            "--seed",
            "3",
        ])
        .arg("--out")
        .arg(p("register.csv"))
        .arg("--villages")
        .arg(p("villages.csv"))
        .arg("--truth")
        .arg(p("truth.csv"))
        .assert()
        .success();
    crate::util::draw(
        &crate::util::repo_file("sample-plans/national-all-counties.toml"),
        &p("register.csv"),
        &p("villages.csv"),
        "1",
        "2",
        &p("draw"),
    )
    .success();
    crate::util::simulate_visits(
        &p("draw"),
        &p("register.csv"),
        &p("truth.csv"),
        &p("all.jsonl"),
    );
    let luquan: Vec<&str> = std::fs::read_to_string(p("all.jsonl"))
        .unwrap()
        .leak()
        .lines()
        .filter(|l| l.contains("\"household_id\":\"530128"))
        .collect();
    assert!(!luquan.is_empty());
    std::fs::write(p("luquan.jsonl"), luquan.join("\n") + "\n").unwrap();
    let db = p("assess.db").display().to_string();
    crate::util::with_draw(&p("draw"), &db);
    crate::util::import_records(p("luquan.jsonl"), &db);
    let run = assess()
        .args(["verdict", "--db", &db, "--all-counties", "--out"])
        .arg(p("batch"))
        .assert()
        .code(3);
    let shown = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    assert!(shown.contains("not decided (1 of 2 counties)"), "{shown}");
    assert!(
        shown.contains("county 433124: not started, none of"),
        "{shown}"
    );
    assert!(p("batch/530128/verdict.json").is_file());
    assert!(!p("batch/433124").exists());
    let err = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(
        err.contains("1 of the counties could not be decided"),
        "{err}"
    );
    batch_overview_is_of_every_county(&p("batch"), &p("draw"));
    // The overview in Chinese.
    assess()
        .args([
            "verdict",
            "--db",
            &db,
            "--all-counties",
            "--lang",
            "zh",
            "--force",
            "--out",
        ])
        .arg(p("batch"))
        .assert()
        .code(3);
    let page = read(&p("batch/overview.html"));
    assert!(
        page.contains("退出评估：各县概况") && page.contains("尚未评定"),
        "{page}"
    );
}

/// summary.json and overview.html of the batch above: one row per county in the draw's order,
/// the decided one as its verdict.json says, the other with its progress and no verdict.
fn batch_overview_is_of_every_county(batch: &Path, draw: &Path) {
    let summary: Value = serde_json::from_str(&read(&batch.join("summary.json"))).unwrap();
    let verdict: Value = serde_json::from_str(&read(&batch.join("530128/verdict.json"))).unwrap();
    let v = &verdict;
    assert_eq!(summary["schema"], "assess-summary-1");
    let decision = v["decision"].as_str().unwrap();
    assert_eq!(summary["totals"][decision], 1, "{summary}");
    assert_eq!(summary["totals"]["not_decided"], 1, "{summary}");
    let rows = summary["counties"].as_array().unwrap();
    let codes: Vec<&str> = rows
        .iter()
        .map(|r| r["county_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["433124", "530128"]);
    let (huayuan, luquan) = (&rows[0], &rows[1]);
    assert_eq!(luquan["status"], decision);
    for name in [
        "poverty_incidence",
        "wrong_exit_rate",
        "missed_rate",
        "approval_rate",
    ] {
        for field in ["estimate", "lci", "uci", "threshold", "passes", "reading"] {
            assert_eq!(
                luquan["indicators"][name][field], v["indicators"][name][field],
                "{name}.{field}"
            );
        }
    }
    for (row, count) in [
        ("primaries", "primaries"),
        ("interviewed", "interviewed"),
        ("response_rate", "response_rate"),
    ] {
        assert_eq!(luquan[row], v["counts"][count], "{row}");
    }
    let counts = &v["counts"];
    assert_eq!(
        luquan["visited"].as_u64(),
        Some(counts["visited"].as_u64().unwrap() - counts["reserves_used"].as_u64().unwrap())
    );
    let primaries = sample_rows(draw)
        .iter()
        .filter(|r| r["county_code"] == "433124" && r["role"] == "primary")
        .count();
    assert_eq!(huayuan["status"], "not_decided");
    assert_eq!(huayuan["primaries"], primaries);
    assert_eq!(huayuan["visited"], 0);
    assert!(huayuan["indicators"].as_object().unwrap().is_empty());
    assert!(huayuan["reason"]
        .as_str()
        .unwrap()
        .starts_with("not started"));

    let page = read(&batch.join("overview.html"));
    assert!(
        page.contains(r#"data-county="433124" data-status="not-decided""#),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            r#"data-county="530128" data-status="{}""#,
            luquan["status"].as_str().unwrap()
        )),
        "{page}"
    );
    assert!(page.contains(r#"href="530128/report.html""#));
    assert!(!page.contains(r#"href="433124/report.html""#));
    assert!(!page.contains("NaN"));
}
