//! `assess draw`: determinism, the consistency properties of the ticket scheme, the output
//! columns, refusals, and agreement with the independent Python re-derivation.

use crate::util::{assess, cells, draw, luquan, read, repo_file, sample_rows, synth};
use std::path::Path;

const SEED: &str = "35216645123362514246";

fn luquan_plan() -> std::path::PathBuf {
    repo_file("sample-plans/luquan-530128.toml")
}

#[test]
fn same_inputs_and_seeds_give_byte_identical_draws() {
    let (register, villages) = luquan();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    draw(&luquan_plan(), &register, &villages, SEED, "h1", &a)
        .success()
        // The design review is reported with every draw, and warns (tests/plan.rs checks its
        // numbers).
        .stdout(predicates::str::contains("design review"))
        .stdout(predicates::str::contains("weighting effect"))
        .stderr(predicates::str::contains("far from self-weighting"));
    draw(&luquan_plan(), &register, &villages, SEED, "h1", &b).success();
    for file in ["sample.csv", "sample_villages.csv", "manifest.json"] {
        assert_eq!(read(&a.join(file)), read(&b.join(file)), "{file}");
    }
}

#[test]
fn the_household_seed_changes_households_but_not_villages() {
    let (register, villages) = luquan();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    draw(&luquan_plan(), &register, &villages, SEED, "team-1", &a).success();
    draw(&luquan_plan(), &register, &villages, SEED, "team-2", &b).success();
    assert_eq!(
        read(&a.join("sample_villages.csv")),
        read(&b.join("sample_villages.csv"))
    );
    assert_ne!(read(&a.join("sample.csv")), read(&b.join("sample.csv")));
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&a.join("manifest.json"))).unwrap();
    // echo -n team-1 | sha256sum
    assert_eq!(
        manifest["seed_commitments"]["household"],
        "7e2a2d5f9a3050f869fde2f5205755766b29e470657bc14171ae695cc79469e6"
    );
}

#[test]
fn sealed_draws_hold_no_seed_and_published_ones_do() {
    let (register, villages) = luquan();
    let dir = tempfile::tempdir().unwrap();
    let sealed = dir.path().join("sealed");
    draw(
        &luquan_plan(),
        &register,
        &villages,
        SEED,
        "hh-seed-xyz",
        &sealed,
    )
    .success();
    for file in ["sample.csv", "sample_villages.csv", "manifest.json"] {
        let text = read(&sealed.join(file));
        assert!(
            !text.contains(SEED) && !text.contains("hh-seed-xyz"),
            "{file} leaks a seed"
        );
    }
    let published = dir.path().join("published");
    assess()
        .args([
            "draw",
            "--publish-seeds",
            "--allow-weak-seed",
            "--seed",
            SEED,
            "--household-seed",
            "hh-seed-xyz",
        ])
        .arg("--plan")
        .arg(luquan_plan())
        .arg("--frame")
        .arg(&register)
        .arg("--villages")
        .arg(&villages)
        .arg("--out")
        .arg(&published)
        .assert()
        .success();
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&published.join("manifest.json"))).unwrap();
    assert_eq!(manifest["seeds"]["village"], SEED);
    assert_eq!(manifest["seeds"]["household"], "hh-seed-xyz");
}

#[test]
fn weights_and_probabilities_are_consistent() {
    let (register, villages) = luquan();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d");
    draw(&luquan_plan(), &register, &villages, SEED, "h", &out).success();
    let rows = sample_rows(&out);
    let villages_drawn: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r["village_code"].as_str()).collect();
    assert_eq!(villages_drawn.len(), 25);
    for r in &rows {
        let get = |c: &str| r[c].parse::<f64>().ok();
        if r["role"] == "primary" {
            assert!(r["reserve_rank"].is_empty());
            let (pv, ph, pi, w) = (
                get("pi_village").unwrap(),
                get("pi_household").unwrap(),
                get("pi").unwrap(),
                get("weight").unwrap(),
            );
            assert!((pv * ph - pi).abs() < 1e-12 && (w * pi - 1.0).abs() < 1e-9);
            assert!(ph > 0.0 && ph <= 1.0 && pv > 0.0 && pv <= 1.0);
        } else {
            assert_eq!(r["role"], "reserve");
            assert!(
                r["weight"].is_empty()
                    && r["pi"].is_empty()
                    && r["reserve_rank"].parse::<u32>().unwrap() >= 1
            );
        }
        let t = get("ticket").unwrap();
        assert!(t > 0.0 && t < 1.0);
    }
    // Half of the villages from remote areas (plan: share 0.5 of 25, largest remainder → 13).
    let remote: std::collections::BTreeSet<&str> = rows
        .iter()
        .filter(|r| r["village_stratum"] == "remote")
        .map(|r| r["village_code"].as_str())
        .collect();
    assert_eq!(remote.len(), 13);
}

/// Extending a sample never changes what was already drawn: per cell, the smaller sample's
/// households (primaries then reserves) are a prefix of the larger one's.
#[test]
fn extending_the_sample_keeps_what_was_drawn() {
    let (register, villages) = luquan();
    let dir = tempfile::tempdir().unwrap();
    let text = read(&luquan_plan());
    let bigger = text
        .replace(
            "exited = 22, poor = 3, non_registered = 25",
            "exited = 30, poor = 5, non_registered = 30",
        )
        .replace("reserves = 5", "reserves = 9");
    assert_ne!(text, bigger);
    let big_plan = dir.path().join("bigger.toml");
    std::fs::write(&big_plan, bigger).unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    draw(&luquan_plan(), &register, &villages, SEED, "h", &a).success();
    draw(&big_plan, &register, &villages, SEED, "h", &b).success();
    let (small, large) = (cells(&a), cells(&b));
    assert_eq!(
        small.keys().collect::<Vec<_>>(),
        large.keys().collect::<Vec<_>>()
    );
    for (cell, ids) in &small {
        assert!(large[cell].starts_with(ids), "{cell:?}");
    }
}

/// Adding or removing one household leaves the order of all others unchanged (equal-probability
/// villages, so that the village stage does not depend on the household count).
#[test]
fn removing_a_household_leaves_the_others_in_order() {
    let (register, villages) = luquan();
    let dir = tempfile::tempdir().unwrap();
    let plan = repo_file("sample-plans/provincial-cross-assessment.toml");
    let a = dir.path().join("a");
    draw(&plan, &register, &villages, SEED, "h", &a).success();
    let first = sample_rows(&a)[0]["household_id"].clone();
    let text = read(&register);
    let smaller: String = text
        .lines()
        .filter(|l| !l.starts_with(&format!("{first},")))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(smaller.lines().count() + 1, text.lines().count());
    let smaller_register = dir.path().join("smaller.csv");
    std::fs::write(&smaller_register, smaller).unwrap();
    let b = dir.path().join("b");
    draw(&plan, &smaller_register, &villages, SEED, "h", &b).success();
    let (before, after) = (cells(&a), cells(&b));
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (cell, ids) in &before {
        let kept: Vec<String> = ids.iter().filter(|id| **id != first).cloned().collect();
        assert!(after[cell].starts_with(&kept), "{cell:?}");
    }
}

#[test]
fn a_gb18030_copy_of_the_register_gives_the_same_draw() {
    let (register, villages) = luquan();
    let dir = tempfile::tempdir().unwrap();
    let text = read(&register).replace('\n', "\r\n");
    let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
    let gb = dir.path().join("register-gb18030.csv");
    std::fs::write(&gb, &bytes).unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    draw(&luquan_plan(), &register, &villages, SEED, "h", &a).success();
    draw(&luquan_plan(), &gb, &villages, SEED, "h", &b).success();
    assert_eq!(read(&a.join("sample.csv")), read(&b.join("sample.csv")));
    assert_eq!(
        read(&a.join("manifest.json")),
        read(&b.join("manifest.json"))
    );
}

#[test]
fn a_gb18030_register_whose_first_mib_is_ascii_is_still_detected() {
    // A register whose first MiB is UTF-8 is first read as UTF-8 (skipping a whole-file
    // check); Chinese text further down makes that read refuse a GB18030 file, and the draw
    // reads it again with the encoding detected. (20,000 households: over a MiB.)
    let (register, villages) = synth("luquan-20k", "530128", 20_000);
    let dir = tempfile::tempdir().unwrap();
    let text = read(&register);
    let lines: Vec<&str> = text.lines().collect();
    let chinese_from = lines.len() - 10;
    let mixed: String = lines
        .iter()
        .enumerate()
        .map(|(i, line)| match i < chinese_from {
            true => line.replace('组', "") + "\n",
            false => format!("{line}\n"),
        })
        .collect();
    assert!(mixed.len() > 1 << 20 && mixed[..1 << 20].is_ascii() && !mixed.is_ascii());
    let utf8 = dir.path().join("register-utf8.csv");
    std::fs::write(&utf8, &mixed).unwrap();
    let gb = dir.path().join("register-gb18030.csv");
    std::fs::write(&gb, encoding_rs::GB18030.encode(&mixed).0).unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    draw(&luquan_plan(), &utf8, &villages, SEED, "h", &a).success();
    draw(&luquan_plan(), &gb, &villages, SEED, "h", &b).success();
    assert_eq!(read(&a.join("sample.csv")), read(&b.join("sample.csv")));
    assert_eq!(
        read(&a.join("manifest.json")),
        read(&b.join("manifest.json"))
    );
}

#[test]
fn an_existing_output_directory_is_never_overwritten() {
    let (register, villages) = luquan();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "mine").unwrap();
    draw(&luquan_plan(), &register, &villages, SEED, "h", &out)
        .code(1)
        .stderr(predicates::str::contains("already exists"));
    assert_eq!(read(&out.join("keep.txt")), "mine");
    assert!(!out.join("sample.csv").exists());
}

#[test]
fn a_plan_that_does_not_fit_writes_nothing() {
    let (register, villages) = luquan();
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("too-many.toml");
    std::fs::write(&plan, read(&luquan_plan()).replace("n = 25", "n = 600")).unwrap();
    let out = dir.path().join("d");
    draw(&plan, &register, &villages, SEED, "h", &out)
        .code(1)
        .stderr(predicates::str::contains("asks for 300 villages"));
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "only the plan: no temporary directory left behind"
    );
}

#[test]
fn an_empty_seed_is_refused() {
    let (register, villages) = luquan();
    let dir = tempfile::tempdir().unwrap();
    draw(
        &luquan_plan(),
        &register,
        &villages,
        " ",
        "h",
        &dir.path().join("d"),
    )
    .code(1)
    .stderr(predicates::str::contains("seed is empty"));
}

/// The Python re-implementation (standard library only) re-derives every household id,
/// ticket, role and rank of a sample, and notices a changed ticket.
#[test]
fn the_python_script_reproduces_the_sample() {
    let (register, villages) = luquan();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d");
    draw(&luquan_plan(), &register, &villages, SEED, "team-7", &out).success();
    let script = repo_file("scripts/verify_sample.py");
    let run = |sample: &Path| {
        std::process::Command::new("python3")
            .arg(&script)
            .arg(&register)
            .arg(sample)
            .arg("team-7")
            .output()
            .unwrap()
    };
    let ok = run(&out.join("sample.csv"));
    let stdout = String::from_utf8_lossy(&ok.stdout).to_string();
    assert!(ok.status.success(), "{stdout}");
    let n = sample_rows(&out).len();
    assert!(
        stdout.contains(&format!("{n} sample rows checked, 0 differences")),
        "{stdout}"
    );
    let rows = read(&out.join("sample.csv"));
    let first_ticket = sample_rows(&out)[0]["ticket"].clone();
    let edited = dir.path().join("edited.csv");
    std::fs::write(&edited, rows.replacen(&first_ticket, "0.5", 1)).unwrap();
    assert!(!run(&edited).status.success());
}

/// A plan taking every exited household (as Anhui did in 2017): every exited household of a
/// drawn village is then a primary with pi_household = 1.
#[test]
fn take_all_households_takes_them_all() {
    let (register, villages) = luquan();
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("all-exited.toml");
    std::fs::write(
        &plan,
        read(&luquan_plan()).replace("exited = 22,", "exited = \"all\","),
    )
    .unwrap();
    let out = dir.path().join("d");
    draw(&plan, &register, &villages, SEED, "h", &out).success();
    let rows = sample_rows(&out);
    let drawn: std::collections::BTreeSet<String> =
        rows.iter().map(|r| r["village_code"].clone()).collect();
    let exited_in_register = read(&register)
        .lines()
        .filter(|l| l.contains(",exited,") && drawn.iter().any(|v| l.contains(&format!(",{v},"))))
        .count();
    let exited: Vec<_> = rows.iter().filter(|r| r["stratum"] == "exited").collect();
    assert_eq!(exited.len(), exited_in_register);
    assert!(exited
        .iter()
        .all(|r| r["role"] == "primary" && r["pi_household"].parse::<f64>() == Ok(1.0)));
}

/// The equal-probability variant: the draw verifies, the standard-library re-derivation agrees
/// with its household stage, and every exited household's overall chance is the county's
/// fraction f = 500 / N_exited up to rounding the households taken to whole ones.
#[test]
fn an_equal_probability_draw_verifies_and_gives_exited_households_one_chance() {
    // The bundled register (20,000 households): on the 6,000 of the test fixture, 500 exited
    // households are a third of the county's, more than 25 villages' chances allow.
    let (register, villages) = (
        repo_file("examples/luquan/register.csv"),
        repo_file("examples/luquan/villages.csv"),
    );
    let plan = repo_file("sample-plans/luquan-530128-equal-probability.toml");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d");
    draw(&plan, &register, &villages, SEED, "h", &out).success();
    assess()
        .arg("verify")
        .arg(&out)
        .arg("--plan")
        .arg(&plan)
        .arg("--frame")
        .arg(&register)
        .arg("--villages")
        .arg(&villages)
        .args(["--seed", SEED, "--household-seed", "h"])
        .assert()
        .success();
    let python = std::process::Command::new("python3")
        .arg(repo_file("scripts/verify_sample.py"))
        .arg(&register)
        .arg(out.join("sample.csv"))
        .arg("h")
        .output()
        .unwrap();
    assert!(python.status.success(), "{python:?}");
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    let exited = manifest["strata"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stratum"] == "exited")
        .unwrap()["population_households"]
        .as_f64()
        .unwrap();
    let f = 500.0 / exited;
    let rows = sample_rows(&out);
    let chances: Vec<f64> = rows
        .iter()
        .filter(|r| r["stratum"] == "exited" && r["role"] == "primary")
        .map(|r| r["pi"].parse::<f64>().unwrap())
        .collect();
    let mean = chances.iter().sum::<f64>() / chances.len() as f64;
    assert!((mean / f - 1.0).abs() < 0.05, "mean chance {mean}, f {f}");
    let within = chances
        .iter()
        .filter(|p| (*p / f - 1.0).abs() < 0.15)
        .count();
    assert!(
        within * 10 >= chances.len() * 9,
        "{within} of {}",
        chances.len()
    );
}

/// A draw killed before its rename leaves only a temporary `.assess-draw-*` directory, never
/// a draw directory; the next draw beside it names it (issue 12 part 4), and its own
/// directory holds the receipt from the moment it appears.
#[test]
fn a_killed_draws_leftover_is_named_by_the_next_draw() {
    let dir = tempfile::tempdir().unwrap();
    let leftover = dir.path().join(".assess-draw-AbC123");
    std::fs::create_dir(&leftover).unwrap();
    std::fs::write(leftover.join("sample.csv"), "half").unwrap();
    let (register, villages) = luquan();
    let out = dir.path().join("draw");
    let run = draw(
        &repo_file("sample-plans/luquan-530128.toml"),
        &register,
        &villages,
        "1",
        "2",
        &out,
    )
    .success();
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(
        stderr.contains(".assess-draw-AbC123 was left by a draw that did not finish"),
        "{stderr}"
    );
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "manifest.json",
            "receipt.json",
            "sample.csv",
            "sample_villages.csv"
        ]
    );
}

/// `assess verify` of `out` with the Luquan plan and the test seeds, plus `extra` options.
fn verify_with(
    out: &Path,
    register: &Path,
    villages: &Path,
    extra: &[&str],
) -> assert_cmd::assert::Assert {
    assess()
        .arg("verify")
        .arg(out)
        .arg("--plan")
        .arg(luquan_plan())
        .arg("--frame")
        .arg(register)
        .arg("--villages")
        .arg(villages)
        .args(["--seed", SEED, "--household-seed", "h1"])
        .args(extra)
        .assert()
}

#[test]
fn a_plan_applied_to_another_county_draws_that_county_and_verify_needs_the_same() {
    // The Luquan plan lists 530128 only; `--county` applies it to Huayuan (433124) unedited.
    let (register, villages) = synth("two-counties", "433124,530128", 14_000);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("huayuan");
    crate::util::draw_command(&luquan_plan(), &register, &villages, SEED, "h1", &out)
        .args(["--county", "433124"])
        .assert()
        .success();
    let rows = sample_rows(&out);
    assert!(rows.len() > 500, "{} rows", rows.len());
    assert!(rows.iter().all(|r| r["county_code"] == "433124"));
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    assert_eq!(manifest["counties_given"], serde_json::json!(["433124"]));

    verify_with(&out, &register, &villages, &["--county", "433124"]).success();
    let without = verify_with(&out, &register, &villages, &[]).code(1);
    let text = String::from_utf8_lossy(&without.get_output().stdout).to_string();
    assert!(
        text.contains("other counties: the draw was made for counties 433124, these inputs give the plan's counties"),
        "{text}"
    );

    // Without --county the plan's own county is drawn, and the manifest says nothing.
    let own = dir.path().join("luquan");
    draw(&luquan_plan(), &register, &villages, SEED, "h1", &own).success();
    assert!(sample_rows(&own)
        .iter()
        .all(|r| r["county_code"] == "530128"));
    assert!(read(&own.join("manifest.json"))
        .find("counties_given")
        .is_none());
}

#[test]
fn a_county_given_in_place_of_the_plans_must_be_a_code_in_the_register() {
    let (register, villages) = luquan();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("draw");
    let bad = crate::util::draw_command(&luquan_plan(), &register, &villages, SEED, "h1", &out)
        .args(["--county", "53012"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&bad.get_output().stderr).to_string();
    assert!(
        err.contains("\"53012\" is not a county code: give six digits"),
        "{err}"
    );
    let absent = crate::util::draw_command(&luquan_plan(), &register, &villages, SEED, "h1", &out)
        .args(["--county", "433124"])
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&absent.get_output().stderr).to_string();
    assert!(
        err.contains("county 433124 has no households in the register (it holds counties 530128)"),
        "{err}"
    );
    assert!(!out.exists());
    assess()
        .args(["plan", "check"])
        .arg(luquan_plan())
        .arg("--frame")
        .arg(&register)
        .arg("--villages")
        .arg(&villages)
        .args(["--county", "433124"])
        .assert()
        .failure()
        .stdout(predicates::str::contains(
            "county 433124 has no households in the register",
        ));
}

/// The Python re-derivation keeps its own copy of the header aliases and status labels it
/// needs: every one of assess-household's must be in it.
#[test]
fn the_python_script_knows_every_alias_it_needs() {
    let script = read(&repo_file("scripts/verify_sample.py"));
    for (column, aliases) in assess_household::FRAME_ALIASES {
        if ["household_id", "village_code", "status"].contains(column) {
            for alias in *aliases {
                assert!(
                    script.contains(&format!("\"{alias}\"")),
                    "{column}: {alias}"
                );
            }
        }
    }
    for (status, label) in assess_household::STATUS_LABELS {
        let entry = format!("\"{label}\": \"{}\"", status.as_str());
        assert!(script.contains(&entry), "{entry}");
    }
}
