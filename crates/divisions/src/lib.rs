//! Chinese reference geography, embedded in the binary so that the product never reads
//! files it did not ship: the statistical division codes (统计用区划代码) of three
//! vintages, the 832 national poverty counties with their region and exit year, and the
//! datum shift between the GCJ-02 coordinates those sources use and the WGS-84 of phone GPS.
//!
//! Main types:
//! - [`Vintage`]: which national code list (2016, 2021, 2023) a register was coded with.
//! - [`VillageCode`]: a parsed, valid 12-digit village-level code; tells rural village
//!   committees from urban residents' committees ([`UnitKind`]).
//! - [`Divisions`]: the names (and, for 2016, coordinates and urban-rural class) of the
//!   counties, townships and village-level units of one vintage.
//! - [`poverty_counties`]: the 832 counties with region (east, central, west) and exit year.
//!
//! ```
//! use assess_divisions::{Divisions, Vintage, VillageCode, UnitKind};
//! let code = VillageCode::parse("530128102201").unwrap();
//! assert_eq!(code.county(), "530128");
//! assert_eq!(code.kind(), UnitKind::VillageCommittee);
//! let d = Divisions::load_counties(Vintage::V2023, &["530128"]);
//! assert!(d.village(&code).is_some());
//! ```
//!
//! Not for: deciding anything about households or samples. Sources and licences of the
//! embedded files are in `docs/reference-data.md`.
#![deny(missing_docs)]

mod codes;
mod counties;
mod datum;

pub use codes::{CodeError, UnitKind, VillageCode};
pub use counties::{poverty_counties, poverty_county, PovertyCounty, Region};
pub use datum::{gcj02_to_wgs84, wgs84_to_gcj02};

use flate2::read::GzDecoder;
use foldhash::fast::FixedState;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

/// A vintage of the national division code list.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Vintage {
    /// NBS 2016 codes (registers exported 2016-2019 carry these).
    #[serde(rename = "2016")]
    V2016,
    /// NBS 2021 codes.
    #[serde(rename = "2021")]
    V2021,
    /// NBS 2023 codes.
    #[serde(rename = "2023")]
    V2023,
}

impl Vintage {
    /// All vintages, newest first (the order in which detection prefers them).
    pub const NEWEST_FIRST: [Vintage; 3] = [Vintage::V2023, Vintage::V2021, Vintage::V2016];

    /// The year as text, e.g. `"2023"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Vintage::V2016 => "2016",
            Vintage::V2021 => "2021",
            Vintage::V2023 => "2023",
        }
    }

    fn gz(self) -> &'static [u8] {
        match self {
            Vintage::V2016 => include_bytes!("../../../data/divisions/divisions_2016.csv.gz"),
            Vintage::V2021 => include_bytes!("../../../data/divisions/divisions_2021.csv.gz"),
            Vintage::V2023 => include_bytes!("../../../data/divisions/divisions_2023.csv.gz"),
        }
    }
}

impl fmt::Display for Vintage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Vintage {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "2016" => Ok(Vintage::V2016),
            "2021" => Ok(Vintage::V2021),
            "2023" => Ok(Vintage::V2023),
            other => Err(format!(
                "unknown division-code vintage {other:?}: use 2016, 2021 or 2023"
            )),
        }
    }
}

/// One county, township or village-level unit of a code list.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// The code: 6 digits (county), 9 (township) or 12 (village level).
    pub code: String,
    /// The official name, e.g. `"屏山街道"`.
    pub name: String,
    /// Urban-rural class (2016 list only): 111 ... 123 urban, 210 and 220 rural.
    pub ur_code: Option<u16>,
    /// Coordinates in GCJ-02 (lon, lat) where the source has them (2016 list only).
    pub gcj02: Option<(f64, f64)>,
}

/// The units of one vintage, for all counties or for a chosen few.
#[derive(Debug, Clone)]
pub struct Divisions {
    vintage: Vintage,
    /// By [`key`]: a national draw loads 665,000 units while it scans its register, and
    /// numeric keys hashed with foldhash took half the time of string keys with SipHash.
    units: HashMap<u64, Unit, FixedState>,
}

/// A code of at most 15 digits as one number, its length in the top byte (so that `0101`
/// and `101` differ); `None` for anything else, which no list holds.
fn key(code: &str) -> Option<u64> {
    if code.is_empty() || code.len() > 15 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = code.bytes().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    Some(value | (code.len() as u64) << 56)
}

impl Divisions {
    /// Every unit of the vintage (about 665,000; loads in well under a second).
    pub fn load(vintage: Vintage) -> Divisions {
        Self::load_filtered(vintage, |_| true)
    }

    /// Only the units inside the given counties (6-digit codes), and the counties themselves.
    pub fn load_counties<S: AsRef<str>>(vintage: Vintage, counties: &[S]) -> Divisions {
        let wanted: std::collections::HashSet<&str> = counties.iter().map(|c| c.as_ref()).collect();
        Self::load_filtered(vintage, |code| {
            code.get(..6).is_some_and(|county| wanted.contains(county))
        })
    }

    fn load_filtered(vintage: Vintage, keep: impl Fn(&str) -> bool) -> Divisions {
        let mut reader = csv::Reader::from_reader(GzDecoder::new(vintage.gz()));
        // Sized for a whole list (about 665,000 units), so that it is not rehashed as it grows.
        let mut units = HashMap::with_capacity_and_hasher(700_000, FixedState::default());
        let mut record = csv::StringRecord::new();
        // The embedded file is generated by scripts/prepare-reference-data.py and checked by
        // this crate's tests, so a malformed row is a build defect, not user input.
        while reader
            .read_record(&mut record)
            .expect("embedded division list is valid CSV")
        {
            let code = &record[0];
            if !keep(code) {
                continue;
            }
            let ur_code = record[2].parse().ok();
            let gcj02 = match (record[3].parse::<f64>(), record[4].parse::<f64>()) {
                (Ok(lon), Ok(lat)) => Some((lon, lat)),
                _ => None,
            };
            let unit = Unit {
                code: code.to_string(),
                name: record[1].to_string(),
                ur_code,
                gcj02,
            };
            units.insert(key(code).expect("embedded codes are digits"), unit);
        }
        Divisions { vintage, units }
    }

    /// The vintage these units come from.
    pub fn vintage(&self) -> Vintage {
        self.vintage
    }

    /// The village-level unit with this code, if the list has it.
    pub fn village(&self, code: &VillageCode) -> Option<&Unit> {
        self.unit(code.as_str())
    }

    /// The unit with this code, of any level (6, 9 or 12 digits).
    pub fn unit(&self, code: &str) -> Option<&Unit> {
        self.units.get(&key(code)?)
    }

    /// Number of units loaded (all levels).
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// True when nothing was loaded (e.g. an unknown county).
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// The townships (9-digit codes) of a county, sorted by code.
    pub fn townships_of(&self, county: &str) -> Vec<&Unit> {
        self.children(county, 9)
    }

    /// The village-level units (12-digit codes) of a township or county, sorted by code.
    pub fn villages_of(&self, parent: &str) -> Vec<&Unit> {
        self.children(parent, 12)
    }

    fn children(&self, parent: &str, width: usize) -> Vec<&Unit> {
        let sorted: BTreeMap<&str, &Unit> = self
            .units
            .values()
            .filter(|u| u.code.len() == width && u.code.starts_with(parent))
            .map(|u| (u.code.as_str(), u))
            .collect();
        sorted.into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luquan_has_its_real_townships_and_villages() {
        // 18 townships, 198 villages in 2023 (docs/sources.md#focus-counties).
        let d = Divisions::load_counties(Vintage::V2023, &["530128"]);
        assert_eq!(d.townships_of("530128").len(), 18);
        assert_eq!(d.villages_of("530128").len(), 198);
        assert_eq!(d.unit("530128").unwrap().name, "禄劝彝族苗族自治县");
    }

    #[test]
    fn every_vintage_loads_with_expected_sizes() {
        // Village-level counts of the source lists (docs/sources.md#division-code-lists).
        let expected = [
            (Vintage::V2016, 666_655),
            (Vintage::V2021, 618_133),
            (Vintage::V2023, 620_573),
        ];
        for (vintage, villages) in expected {
            let d = Divisions::load(vintage);
            let n = d.units.values().filter(|u| u.code.len() == 12).count();
            assert_eq!(n, villages, "{vintage}");
        }
    }

    #[test]
    fn codes_of_every_length_are_told_apart() {
        let d = Divisions::load_counties(Vintage::V2023, &["530128"]);
        assert_eq!(d.unit("530128102").unwrap().code, "530128102");
        assert!(
            d.unit("0530128").is_none(),
            "a leading zero is another code"
        );
        assert!(d.unit("53012a").is_none());
        assert!(d.unit("").is_none());
        assert!(d.unit("5301281022010000").is_none(), "16 digits");
        assert_eq!(key("101"), Some(101 | 3 << 56));
        assert_ne!(key("0101"), key("101"));
    }

    #[test]
    fn the_2016_list_carries_urban_rural_class_and_coordinates() {
        let d = Divisions::load_counties(Vintage::V2016, &["110101"]);
        let u = d.unit("110101001001").unwrap();
        assert_eq!(u.ur_code, Some(111));
        assert_eq!(u.gcj02, Some((116.413146, 39.922958)));
    }
}
