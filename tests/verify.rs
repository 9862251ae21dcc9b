//! `assess verify`: exit 0 on an untouched draw, and one test per finding it must name.

use crate::util::{assess, draw, luquan, read, repo_file};
use std::path::{Path, PathBuf};

const SEED: &str = "61524433251646152433";
const HOUSEHOLD_SEED: &str = "team-3-second-draw";

struct Case {
    _dir: tempfile::TempDir,
    out: PathBuf,
    plan: PathBuf,
    register: PathBuf,
    villages: PathBuf,
}

fn fresh_draw() -> Case {
    let (register, villages) = luquan();
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.toml");
    std::fs::copy(repo_file("sample-plans/luquan-530128.toml"), &plan).unwrap();
    let out = dir.path().join("draw");
    draw(&plan, &register, &villages, SEED, HOUSEHOLD_SEED, &out).success();
    Case {
        _dir: dir,
        out,
        plan,
        register,
        villages,
    }
}

fn verify(
    case: &Case,
    register: &Path,
    villages: &Path,
    seed: &str,
    household_seed: &str,
) -> assert_cmd::assert::Assert {
    assess()
        .arg("verify")
        .arg(&case.out)
        .arg("--plan")
        .arg(&case.plan)
        .arg("--frame")
        .arg(register)
        .arg("--villages")
        .arg(villages)
        .args(["--seed", seed, "--household-seed", household_seed])
        .assert()
}

fn verify_default(case: &Case) -> assert_cmd::assert::Assert {
    verify(case, &case.register, &case.villages, SEED, HOUSEHOLD_SEED)
}

fn stdout_of(assert: assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.code(1).get_output().stdout).to_string()
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = read(path);
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn an_untouched_draw_verifies() {
    let case = fresh_draw();
    verify_default(&case)
        .success()
        .stdout(predicates::str::contains("verified"));
}

#[test]
fn a_wrong_village_seed_is_named() {
    let case = fresh_draw();
    let out = stdout_of(verify(
        &case,
        &case.register,
        &case.villages,
        "61524433251646152434",
        HOUSEHOLD_SEED,
    ));
    assert!(
        out.contains("the village seed given does not match its commitment"),
        "{out}"
    );
    assert!(!out.contains("household seed"), "{out}");
}

#[test]
fn a_wrong_household_seed_is_named() {
    let case = fresh_draw();
    let out = stdout_of(verify(
        &case,
        &case.register,
        &case.villages,
        SEED,
        "team-3",
    ));
    assert!(
        out.contains("the household seed given does not match its commitment"),
        "{out}"
    );
}

#[test]
fn another_register_is_named() {
    let case = fresh_draw();
    let other = case.out.parent().unwrap().join("other.csv");
    let text = read(&case.register);
    // Change one household's members: the second data line's fifth field.
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut fields: Vec<String> = lines[1].split(',').map(String::from).collect();
    fields[4] = (fields[4].parse::<u32>().unwrap() + 1).to_string();
    lines[1] = fields.join(",");
    std::fs::write(&other, lines.join("\n") + "\n").unwrap();
    let out = stdout_of(verify(&case, &other, &case.villages, SEED, HOUSEHOLD_SEED));
    assert!(out.contains("another register"), "{out}");
}

#[test]
fn another_village_file_is_named() {
    let case = fresh_draw();
    let other = case.out.parent().unwrap().join("villages.csv");
    std::fs::copy(&case.villages, &other).unwrap();
    let text = read(&other);
    let flipped = if text.contains(",true,true,") {
        (",true,true,", ",true,false,")
    } else {
        (",false,true,", ",false,false,")
    };
    edit(&other, flipped.0, flipped.1);
    let out = stdout_of(verify(&case, &case.register, &other, SEED, HOUSEHOLD_SEED));
    assert!(out.contains("another village file"), "{out}");
}

#[test]
fn another_plan_is_named() {
    let case = fresh_draw();
    edit(&case.plan, "max_reserves_used = 5", "max_reserves_used = 4");
    let out = stdout_of(verify_default(&case));
    assert!(out.contains("another plan"), "{out}");
}

#[test]
fn an_edited_row_is_named_with_its_column() {
    let case = fresh_draw();
    let sample = case.out.join("sample.csv");
    let second = read(&sample).lines().nth(1).unwrap().to_string();
    let id = second.split(',').next().unwrap().to_string();
    edit(
        &sample,
        &second,
        &second.replace(",primary,,", ",reserve,1,"),
    );
    let out = stdout_of(verify_default(&case));
    assert!(
        out.contains(&format!("row of household {id} was edited"))
            && out.contains("role: file \"reserve\""),
        "{out}"
    );
}

#[test]
fn a_deleted_row_is_named() {
    let case = fresh_draw();
    let sample = case.out.join("sample.csv");
    let line = read(&sample).lines().nth(7).unwrap().to_string();
    let id = line.split(',').next().unwrap().to_string();
    edit(&sample, &format!("{line}\n"), "");
    let out = stdout_of(verify_default(&case));
    assert!(
        out.contains(&format!("drawn household {id} was deleted")),
        "{out}"
    );
}

#[test]
fn an_added_row_is_named() {
    let case = fresh_draw();
    let sample = case.out.join("sample.csv");
    let line = read(&sample).lines().nth(3).unwrap().to_string();
    let id = line.split(',').next().unwrap().to_string();
    let invented = line.replacen(&id, "530128999999-0001", 1);
    edit(
        &sample,
        &format!("{line}\n"),
        &format!("{line}\n{invented}\n"),
    );
    let out = stdout_of(verify_default(&case));
    assert!(
        out.contains("household 530128999999-0001 was added"),
        "{out}"
    );
}

#[test]
fn an_edited_manifest_is_named_with_its_field() {
    let case = fresh_draw();
    let path = case.out.join("manifest.json");
    let mut manifest: serde_json::Value = serde_json::from_str(&read(&path)).unwrap();
    let primary = manifest["strata"][0]["primary"].as_u64().unwrap();
    manifest["strata"][0]["primary"] = serde_json::json!(primary - 1);
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    let out = stdout_of(verify_default(&case));
    assert!(
        out.contains("manifest.json was edited: strata[0].primary"),
        "{out}"
    );
}

#[test]
fn a_missing_manifest_is_named() {
    let case = fresh_draw();
    std::fs::remove_file(case.out.join("manifest.json")).unwrap();
    let out = stdout_of(verify_default(&case));
    assert!(out.contains("manifest.json: cannot be read"), "{out}");
}
