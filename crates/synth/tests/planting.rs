//! Planting a scenario in the truth: one shortfall for every truly poor household
//! (`--shortfall`), wrong exits and missed households only in remote villages
//! (`--remote-only`) at the county rates asked for; and the default (`mixed`) unchanged.

use assess_synth::{generate, Shortfall, SynthConfig};
use std::collections::{HashMap, HashSet};

struct Run {
    register: Vec<HashMap<String, String>>,
    truth: Vec<HashMap<String, String>>,
    remote: HashSet<String>,
    line: f64,
}

fn rows(bytes: &[u8]) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .map(String::from)
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

fn generated(config: &SynthConfig) -> Run {
    let (mut r, mut v, mut t) = (Vec::new(), Vec::new(), Vec::new());
    let summary = generate(config, &mut r, Some(&mut v), Some(&mut t)).unwrap();
    let remote = rows(&v)
        .into_iter()
        .filter(|v| v["remote"] == "true")
        .map(|v| v["village_code"].clone())
        .collect();
    Run {
        register: rows(&r),
        truth: rows(&t),
        remote,
        line: summary.poverty_line,
    }
}

/// FNV-1a, to pin bytes without a hashing dependency.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[test]
fn mixed_is_the_output_it_always_was() {
    // Hashes of the files made before --shortfall and --remote-only existed
    // (`assess synth --county 530128 --households 2000 --seed 5`).
    let config = SynthConfig::new(vec!["530128".into()], 2000, 5);
    assert_eq!(config.rates.shortfall, None);
    assert!(!config.rates.remote_only);
    let (mut r, mut v, mut t) = (Vec::new(), Vec::new(), Vec::new());
    generate(&config, &mut r, Some(&mut v), Some(&mut t)).unwrap();
    assert_eq!(fnv(&r), 0x67ab66c7f1028d37);
    assert_eq!(fnv(&t), 0x1ce48d04b099d7b3);
    assert_eq!(fnv(&v), 0x305e0b0dfe8d02fc);
}

#[test]
fn every_truly_poor_household_fails_the_planted_standard_only() {
    for shortfall in Shortfall::ALL {
        let mut config = SynthConfig::new(vec!["530128".into()], 6000, 21);
        config.rates.wrong_exit = 0.05;
        config.rates.missed = 0.03;
        config.rates.shortfall = Some(shortfall);
        let run = generated(&config);
        let mut poor = 0;
        for t in &run.truth {
            let income_ok = t["true_income_per_capita"].parse::<f64>().unwrap() >= run.line;
            let fails: Vec<&str> = [
                ("income", income_ok),
                ("housing", t["housing_ok"] == "true"),
                ("education", t["education_ok"] == "true"),
                ("medical", t["medical_ok"] == "true"),
                ("water", t["water_ok"] == "true"),
            ]
            .iter()
            .filter(|(_, ok)| !ok)
            .map(|(name, _)| *name)
            .collect();
            assert_eq!(t["food_ok"], "true");
            assert_eq!(t["clothing_ok"], "true");
            if t["truly_poor"] == "true" {
                poor += 1;
                assert_eq!(fails, vec![shortfall.as_str()], "{t:?}");
            } else {
                assert!(fails.is_empty(), "{t:?}");
            }
        }
        assert!(poor > 100, "{shortfall}: {poor}");
    }
    assert_eq!(Shortfall::parse_choice("mixed").unwrap(), None);
    assert_eq!(
        Shortfall::parse_choice("Housing").unwrap(),
        Some(Shortfall::Housing)
    );
    assert!(Shortfall::parse_choice("roof").is_err());
}

#[test]
fn remote_only_places_every_wrong_exit_and_missed_household_in_remote_villages_at_the_county_rate()
{
    let (p_wrong, p_missed) = (0.05, 0.02);
    let mut config = SynthConfig::new(vec!["530128".into()], 60_000, 8);
    config.rates.wrong_exit = p_wrong;
    config.rates.missed = p_missed;
    config.rates.icc = 0.0;
    config.rates.remote_only = true;
    config.rates.shortfall = Some(Shortfall::Housing);
    let run = generated(&config);
    // (stratum, remote) -> (households, truly poor)
    let mut counts: HashMap<(String, bool), (f64, f64)> = HashMap::new();
    for (r, t) in run.register.iter().zip(&run.truth) {
        assert_eq!(r["household_id"], t["household_id"]);
        let remote = run.remote.contains(&r["village_code"]);
        let finding = t["wrong_exit"] == "true" || t["missed"] == "true";
        if finding {
            assert!(remote, "a finding outside the remote villages: {t:?}");
            assert_eq!(t["housing_ok"], "false");
        }
        let c = counts.entry((r["status"].clone(), remote)).or_default();
        c.0 += 1.0;
        c.1 += f64::from(u8::from(t["truly_poor"] == "true"));
    }
    for (stratum, p) in [("exited", p_wrong), ("non_registered", p_missed)] {
        let (rn, rk) = counts[&(stratum.to_string(), true)];
        let (on, ok) = counts[&(stratum.to_string(), false)];
        assert_eq!(ok, 0.0);
        let n = rn + on;
        let realised = rk / n;
        // Binomial within remote villages (icc 0): SE of the county rate.
        let pr = p * n / rn;
        let se = (pr * (1.0 - pr) * rn).sqrt() / n;
        assert!(
            (realised - p).abs() < 4.0 * se + 0.002,
            "{stratum}: realised {realised}, target {p}, se {se}"
        );
    }
    // Still-poor households are not moved.
    let poor_outside = counts[&("poor".to_string(), false)];
    assert!(poor_outside.1 > 0.0);

    // Clustered (icc 0.2) over several counties: still only remote villages, and the rate
    // within a wider tolerance.
    let mut config = SynthConfig::new(
        vec!["530128".into(), "530129".into(), "130722".into()],
        60_000,
        9,
    );
    config.rates.wrong_exit = p_wrong;
    config.rates.icc = 0.2;
    config.rates.remote_only = true;
    let run = generated(&config);
    let (mut exited, mut wrong) = (0.0, 0.0);
    for (r, t) in run.register.iter().zip(&run.truth) {
        if t["wrong_exit"] == "true" || t["missed"] == "true" {
            assert!(run.remote.contains(&r["village_code"]), "{t:?}");
        }
        if r["status"] == "exited" {
            exited += 1.0;
            wrong += f64::from(u8::from(t["wrong_exit"] == "true"));
        }
    }
    assert!(
        (wrong / exited - p_wrong).abs() < 0.025,
        "{}",
        wrong / exited
    );

    // Remote-only needs remote villages.
    let mut config = SynthConfig::new(vec!["530128".into()], 2000, 1);
    config.rates.remote_only = true;
    config.shape.remote_share = 0.0;
    let err = generate(
        &config,
        std::io::sink(),
        None::<std::io::Sink>,
        None::<std::io::Sink>,
    )
    .unwrap_err();
    assert!(err.to_string().contains("only in remote villages"), "{err}");
}
