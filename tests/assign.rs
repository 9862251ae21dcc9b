//! `assess assign`: the real binary on a small case with a known optimum, and on bad input.

use crate::util::{assess, read};
use std::path::Path;

fn dir(name: &str) -> std::path::PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("assign-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn assign_finds_the_known_optimum() {
    let d = dir("optimum");
    // A (Beijing, capacity 1) must take the Tianjin county (B may not: its own province), so
    // B takes both others: the Beijing county at its door and the Hebei county next to A.
    std::fs::write(
        d.join("teams.csv"),
        "team,province,capacity,lon,lat\nA,11,1,116.4,39.9\nB,12,2,117.2,39.1\n",
    )
    .unwrap();
    std::fs::write(
        d.join("counties.csv"),
        "county,lon,lat\n120101,116.4,39.9\n110101,117.2,39.1\n130102,116.5,39.9\n",
    )
    .unwrap();
    let out = d.join("assignment.csv");
    let run = assess()
        .arg("assign")
        .arg("--teams")
        .arg(d.join("teams.csv"))
        .arg("--counties")
        .arg(d.join("counties.csv"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    let far = assess_assign::metres((117.2, 39.1), (116.5, 39.9));
    let km = far as f64 / 1000.0;
    assert_eq!(
        read(&out),
        format!(
            "county,county_name,team,team_province,distance_km\n\
             120101,和平区,A,11,0.000\n110101,东城区,B,12,0.000\n130102,长安区,B,12,{km:.3}\n"
        )
    );
    assert!(
        stdout.contains(&format!("total travel {km:.1} km")),
        "{stdout}"
    );
    assert!(stdout.contains("A (11): 1 of 1 counties"), "{stdout}");
    assert!(stdout.contains("B (12): 2 of 2 counties"), "{stdout}");
}

/// `assess assign` on `d`'s teams.csv and counties.csv into `out`, which must fail with exit
/// status 1: its stderr.
fn refused(d: &Path, out: &Path) -> String {
    let run = assess()
        .arg("assign")
        .arg("--teams")
        .arg(d.join("teams.csv"))
        .arg("--counties")
        .arg(d.join("counties.csv"))
        .arg("--out")
        .arg(out)
        .assert()
        .code(1);
    String::from_utf8_lossy(&run.get_output().stderr).to_string()
}

#[test]
fn assign_refuses_bad_input_and_writes_nothing() {
    let d = dir("bad");
    std::fs::write(
        d.join("teams.csv"),
        "team,province,capacity\nA,11,1\nB,5,0\n",
    )
    .unwrap();
    std::fs::write(d.join("counties.csv"), "county\n530128\n").unwrap();
    let out = d.join("assignment.csv");
    let stderr = refused(&d, &out);
    assert!(
        stderr.contains("teams.csv: line 3, column province"),
        "{stderr}"
    );
    assert!(
        stderr.contains("teams.csv: line 3, column capacity"),
        "{stderr}"
    );
    assert!(!out.exists());

    // An unknown county code, and a missing column.
    std::fs::write(d.join("teams.csv"), "team,province,capacity\nA,11,1\n").unwrap();
    std::fs::write(d.join("counties.csv"), "county\n530128\n999999\n").unwrap();
    let stderr = refused(&d, &out);
    assert!(
        stderr.contains("counties.csv: line 3, column county: county 999999"),
        "{stderr}"
    );
    std::fs::write(d.join("teams.csv"), "team,capacity\nA,1\n").unwrap();
    let stderr = refused(&d, &out);
    assert!(stderr.contains("line 1, column province"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn assign_names_the_county_no_team_can_take() {
    let d = dir("short");
    std::fs::write(d.join("teams.csv"), "team,province,capacity\nA,53,3\n").unwrap();
    std::fs::write(d.join("counties.csv"), "county\n530128\n").unwrap();
    let out = d.join("assignment.csv");
    let stderr = refused(&d, &out);
    assert!(
        stderr.contains("county 530128 cannot be placed"),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn assign_takes_the_poverty_counties_of_a_province() {
    let d = dir("poverty");
    // Ningxia has 8 poverty counties; one Beijing team from its capital takes them all.
    std::fs::write(d.join("teams.csv"), "team,province,capacity\nBJ,11,8\n").unwrap();
    let out = d.join("assignment.csv");
    assess()
        .arg("assign")
        .arg("--teams")
        .arg(d.join("teams.csv"))
        .args(["--poverty-counties", "64"])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let text = read(&out);
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(rows.len(), 8, "{text}");
    assert!(
        rows.iter()
            .all(|r| r.starts_with("64") && r.contains(",BJ,11,")),
        "{text}"
    );
}
