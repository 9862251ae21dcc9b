//! The 832 national poverty counties (State Council poverty office list), with region and
//! exit batch year, embedded from `data/counties/poverty_counties_832.csv`.

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// China's three economic regions as the exit rules use them (the west has a 3% incidence
/// threshold instead of 2%).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Region {
    /// 东部
    East,
    /// 中部
    Central,
    /// 西部: the 12 western provinces.
    West,
}

impl Region {
    /// `east`, `central` or `west`.
    pub fn as_str(self) -> &'static str {
        match self {
            Region::East => "east",
            Region::Central => "central",
            Region::West => "west",
        }
    }
}

/// One of the 832 counties.
#[derive(Debug, Clone, PartialEq)]
pub struct PovertyCounty {
    /// The county code in the 2023 list.
    pub code: String,
    /// The code as printed in the source list (differs from `code` for six counties).
    pub code_in_source: String,
    /// Name in the 2023 list.
    pub name: String,
    /// Province name.
    pub province: String,
    /// Region.
    pub region: Region,
    /// Year of the exit batch (2016-2020).
    pub exit_year: u16,
    /// Centroid in GCJ-02 (lon, lat), where known.
    pub centroid_gcj02: Option<(f64, f64)>,
}

static COUNTIES: OnceLock<Vec<PovertyCounty>> = OnceLock::new();

/// The 832 poverty counties, in the order of the source list.
pub fn poverty_counties() -> &'static [PovertyCounty] {
    COUNTIES.get_or_init(|| {
        let text = include_str!("../../../data/counties/poverty_counties_832.csv");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        reader
            .records()
            .map(|r| {
                // Embedded and tested (see below): a bad row is a build defect.
                let r = r.expect("embedded county list is valid CSV");
                let region = match &r[2] {
                    "东部" => Region::East,
                    "中部" => Region::Central,
                    _ => Region::West,
                };
                let centroid = match (r[11].parse(), r[12].parse()) {
                    (Ok(lon), Ok(lat)) => Some((lon, lat)),
                    _ => None,
                };
                PovertyCounty {
                    code: r[6].to_string(),
                    code_in_source: r[0].to_string(),
                    name: r[7].to_string(),
                    province: r[3].to_string(),
                    region,
                    exit_year: r[5].parse().expect("exit year is a number"),
                    centroid_gcj02: centroid,
                }
            })
            .collect()
    })
}

/// The poverty county with this code (2023 code or the source's), if it is one of the 832.
pub fn poverty_county(code: &str) -> Option<&'static PovertyCounty> {
    poverty_counties()
        .iter()
        .find(|c| c.code == code || c.code_in_source == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_has_832_counties_in_the_published_batches() {
        let all = poverty_counties();
        assert_eq!(all.len(), 832);
        // Counties per exit year (docs/sources.md#exit-batches): 28, 125, 283, 344, 52.
        for (year, n) in [
            (2016, 28),
            (2017, 125),
            (2018, 283),
            (2019, 344),
            (2020, 52),
        ] {
            assert_eq!(
                all.iter().filter(|c| c.exit_year == year).count(),
                n,
                "{year}"
            );
        }
        let luquan = poverty_county("530128").unwrap();
        assert_eq!(luquan.region, Region::West);
        assert_eq!(luquan.exit_year, 2018);
    }
}
