//! Stated probabilities against independent references and against Monte Carlo frequencies.
//!
//! Reference: psu_frame.csv and psu_frame_pps_expected.json in tests/data/reference (samplics
//! 0.6.1; docs/sources.md#reference-pps-frame). Tolerances: a frequency over R seeds has
//! standard error sqrt(π(1−π)/R); 4.5 standard errors leave a false-alarm chance of about
//! 7e-6 per cluster (1e-3 over 100 clusters), and the documented approximation error of
//! sequential Poisson sampling, |π_exact − λ|, is added where the frequency is compared with λ.

use assess_sampling::{capped_probabilities, pps_group, sps_exact_inclusion};
use std::collections::BTreeMap;

const SEEDS: usize = 20_000;

struct Cluster {
    id: String,
    region: String,
    size: f64,
}

fn psu_frame() -> Vec<Cluster> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/reference/psu_frame.csv"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            Cluster {
                id: r[0].to_string(),
                region: r[1].to_string(),
                size: r[2].parse().unwrap(),
            }
        })
        .collect()
}

fn sample_sizes() -> BTreeMap<&'static str, u32> {
    BTreeMap::from([("East", 3), ("North", 2), ("South", 3), ("West", 2)])
}

fn regions(frame: &[Cluster]) -> BTreeMap<String, Vec<&Cluster>> {
    let mut by: BTreeMap<String, Vec<&Cluster>> = BTreeMap::new();
    for c in frame {
        by.entry(c.region.clone()).or_default().push(c);
    }
    by
}

#[test]
fn pi_village_equals_the_samplics_reference() {
    let expected: serde_json::Value = serde_json::from_str(include_str!(
        "../../../tests/data/reference/psu_frame_pps_expected.json"
    ))
    .unwrap();
    let list = expected["expected_inclusion_probabilities"]["inclusion_probs"]
        .as_array()
        .unwrap();
    let frame = psu_frame();
    let sizes = sample_sizes();
    let mut checked = 0;
    for (region, clusters) in regions(&frame) {
        let s: Vec<f64> = clusters.iter().map(|c| c.size).collect();
        let lambda = capped_probabilities(&s, sizes[region.as_str()]);
        assert!(
            (lambda.iter().sum::<f64>() - f64::from(sizes[region.as_str()])).abs() < 1e-9,
            "sum of pi = n in {region}"
        );
        for (c, l) in clusters.iter().zip(&lambda) {
            // Clusters are numbers in the JSON and text in the CSV.
            let want = list
                .iter()
                .find(|e| e["cluster"].as_u64().map(|n| n.to_string()).as_ref() == Some(&c.id))
                .unwrap()["pi"]
                .as_f64()
                .unwrap();
            // The reference prints 10 decimals.
            assert!((l - want).abs() < 1e-9, "cluster {}: {l} vs {want}", c.id);
            checked += 1;
        }
    }
    assert_eq!(checked, list.len());
}

#[test]
fn frequencies_over_20000_seeds_match_the_stated_probabilities() {
    let frame = psu_frame();
    let sizes = sample_sizes();
    for (region, clusters) in regions(&frame) {
        let n = sizes[region.as_str()];
        let ids: Vec<&str> = clusters.iter().map(|c| c.id.as_str()).collect();
        let s: Vec<f64> = clusters.iter().map(|c| c.size).collect();
        let lambda = capped_probabilities(&s, n);
        let exact = sps_exact_inclusion(&lambda, n as usize, 20_000);
        let mut hits = vec![0usize; ids.len()];
        for seed in 0..SEEDS {
            let draw = pps_group(&format!("mc-{seed}"), "000000", &region, &ids, &s, Some(n));
            assert_eq!(draw.drawn.iter().filter(|d| **d).count(), n as usize);
            draw.drawn
                .iter()
                .enumerate()
                .filter(|(_, d)| **d)
                .for_each(|(i, _)| hits[i] += 1);
        }
        for i in 0..ids.len() {
            let freq = hits[i] as f64 / SEEDS as f64;
            let sd = (exact[i] * (1.0 - exact[i]) / SEEDS as f64).sqrt();
            let approximation = (exact[i] - lambda[i]).abs();
            assert!(
                (freq - lambda[i]).abs() <= 4.5 * sd + approximation + 1e-6,
                "{region} cluster {}: frequency {freq}, λ {}, exact π {}",
                ids[i],
                lambda[i],
                exact[i]
            );
            // The frequency also matches the exact π itself, without the allowance.
            assert!(
                (freq - exact[i]).abs() <= 4.5 * sd + 1e-6,
                "{region} cluster {}: {freq} vs exact {}",
                ids[i],
                exact[i]
            );
        }
    }
}

#[test]
fn the_exact_integral_agrees_with_an_independent_simulation() {
    // python3 crates/sampling/tests/support/sps_inclusion.py (200,000 replications with Python's own generator):
    // North cluster 10 (λ 0.8664) → 0.8477, North 7 → 0.1985, South 28 (λ 0.4954) → 0.5451.
    let frame = psu_frame();
    let by = regions(&frame);
    let check = |region: &str, n: u32, id: &str, sim: f64| {
        let s: Vec<f64> = by[region].iter().map(|c| c.size).collect();
        let lambda = capped_probabilities(&s, n);
        let exact = sps_exact_inclusion(&lambda, n as usize, 20_000);
        let i = by[region].iter().position(|c| c.id == id).unwrap();
        // Simulation standard error ≤ sqrt(0.25/200000) = 0.0011; 4.5 of them.
        assert!(
            (exact[i] - sim).abs() < 0.005,
            "{region} {id}: exact {} vs simulated {sim}",
            exact[i]
        );
    };
    check("North", 2, "10", 0.8477);
    check("North", 2, "7", 0.1985);
    check("South", 3, "28", 0.5451);
}

#[test]
fn a_cluster_with_60_percent_of_its_stratum_is_always_drawn() {
    // Stratum of 5 clusters, one holding 60% of the size; n = 2 gives it λ = 1.2 → certainty.
    let ids = ["big", "a", "b", "c", "d"];
    let sizes = [60.0, 10.0, 10.0, 10.0, 10.0];
    for seed in 0..SEEDS {
        let draw = pps_group(&format!("s{seed}"), "000000", "h", &ids, &sizes, Some(2));
        assert!(draw.drawn[0], "seed {seed}");
        assert_eq!(draw.lambda[0], 1.0);
    }
}
