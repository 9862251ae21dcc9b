//! Real geography of a county: its rural village-level units, their townships and the best
//! known centre of each, in WGS-84.

use crate::SynthError;
use assess_divisions::{gcj02_to_wgs84, poverty_county, Divisions, Unit, VillageCode, Vintage};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::collections::BTreeMap;

/// Spread (standard deviation, metres) of a village centre drawn around its township centre
/// when the village's own coordinates are unknown: a township of a mountain county covers
/// about 200-300 km² (Luquan: 4,378 km² over 18 townships), so villages lie a few km apart.
const VILLAGE_AROUND_TOWNSHIP_M: f64 = 3_000.0;
/// Spread of a village centre around the county centroid when the township is unknown too.
const VILLAGE_AROUND_COUNTY_M: f64 = 12_000.0;

/// Both division lists a county is looked up in: the chosen vintage for codes and names,
/// and the 2016 list, the only one with coordinates.
pub(crate) struct Atlas {
    current: Divisions,
    coords: Option<Divisions>,
}

/// One rural village-level unit with its best known centre.
#[derive(Debug, Clone)]
pub(crate) struct VillageSite {
    pub code: String,
    pub name: String,
    pub township: String,
    /// WGS-84 centre (lon, lat), if anything about the county's location is known.
    pub centre: Option<(f64, f64)>,
}

/// A county ready for generation: its villages in code order.
#[derive(Debug, Clone)]
pub(crate) struct CountyFrame {
    pub name: String,
    /// Exit batch year when it is one of the 832 poverty counties.
    pub exit_year: Option<u16>,
    pub centroid: Option<(f64, f64)>,
    pub villages: Vec<VillageSite>,
}

impl Atlas {
    /// Loads only the units of these counties (and, for the 2016 coordinates, the codes the
    /// poverty list printed for them, which differ for six counties).
    pub fn load(vintage: Vintage, counties: &[String]) -> Atlas {
        let current = Divisions::load_counties(vintage, counties);
        let mut old_codes: Vec<String> = counties.to_vec();
        old_codes.extend(
            counties
                .iter()
                .filter_map(|c| poverty_county(c))
                .map(|c| c.code_in_source.clone()),
        );
        old_codes.sort();
        old_codes.dedup();
        let coords = match vintage {
            Vintage::V2016 => None,
            _ => Some(Divisions::load_counties(Vintage::V2016, &old_codes)),
        };
        Atlas { current, coords }
    }

    /// The vintage of the codes written.
    pub fn vintage(&self) -> Vintage {
        self.current.vintage()
    }

    fn coords(&self) -> &Divisions {
        self.coords.as_ref().unwrap_or(&self.current)
    }

    /// Number of rural village-level units of a county (0 when unknown or all urban).
    pub fn rural_count(&self, county: &str) -> usize {
        self.rural_units(county).len()
    }

    fn rural_units(&self, county: &str) -> Vec<&Unit> {
        self.current
            .villages_of(county)
            .into_iter()
            .filter(|u| {
                VillageCode::parse(&u.code)
                    .map(|c| c.kind().is_rural())
                    .unwrap_or(false)
            })
            .collect()
    }

    /// The county's frame, or why there is none.
    pub fn frame(&self, county: &str, rng: &mut ChaCha8Rng) -> Result<CountyFrame, SynthError> {
        let vintage = self.vintage();
        let unit = self
            .current
            .unit(county)
            .ok_or_else(|| SynthError::UnknownCounty {
                code: county.to_string(),
                vintage,
            })?;
        let units = self.rural_units(county);
        if units.is_empty() {
            return Err(SynthError::NoRuralVillages {
                code: county.to_string(),
                name: unit.name.clone(),
                vintage,
            });
        }
        let poverty = poverty_county(county);
        let alias = poverty
            .map(|p| p.code_in_source.as_str())
            .filter(|a| *a != county);
        let centroid = poverty
            .and_then(|p| p.centroid_gcj02)
            .or_else(|| self.mean_known_position(county, alias))
            .map(|(lon, lat)| gcj02_to_wgs84(lon, lat));
        let mut township_centres: BTreeMap<&str, Option<(f64, f64)>> = BTreeMap::new();
        let mut villages = Vec::with_capacity(units.len());
        for u in units {
            let township = &u.code[..9];
            let town_centre = *township_centres.entry(township).or_insert_with(|| {
                self.known_gcj02(township, alias)
                    .map(|(lon, lat)| gcj02_to_wgs84(lon, lat))
            });
            let centre = match (self.known_gcj02(&u.code, alias), town_centre, centroid) {
                (Some((lon, lat)), _, _) => Some(gcj02_to_wgs84(lon, lat)),
                (None, Some(t), _) => Some(jitter(t, VILLAGE_AROUND_TOWNSHIP_M, rng)),
                (None, None, Some(c)) => Some(jitter(c, VILLAGE_AROUND_COUNTY_M, rng)),
                (None, None, None) => None,
            };
            villages.push(VillageSite {
                code: u.code.clone(),
                name: u.name.clone(),
                township: township.to_string(),
                centre,
            });
        }
        Ok(CountyFrame {
            name: unit.name.clone(),
            exit_year: poverty.map(|p| p.exit_year),
            centroid,
            villages,
        })
    }

    /// GCJ-02 coordinates of a township or village from the 2016 list, matched by the code
    /// itself, else by the same code under the county's older code.
    fn known_gcj02(&self, code: &str, alias: Option<&str>) -> Option<(f64, f64)> {
        let coords = self.coords();
        coords.unit(code).and_then(|u| u.gcj02).or_else(|| {
            let alias = alias?;
            coords
                .unit(&format!("{alias}{}", &code[6..]))
                .and_then(|u| u.gcj02)
        })
    }

    /// Mean of the known township and village coordinates: the centroid of a county that is
    /// not on the poverty list.
    fn mean_known_position(&self, county: &str, alias: Option<&str>) -> Option<(f64, f64)> {
        let coords = self.coords();
        let mut points: Vec<(f64, f64)> = Vec::new();
        for code in std::iter::once(county).chain(alias) {
            points.extend(coords.townships_of(code).iter().filter_map(|u| u.gcj02));
            if points.is_empty() {
                points.extend(coords.villages_of(code).iter().filter_map(|u| u.gcj02));
            }
        }
        if points.is_empty() {
            return None;
        }
        let n = points.len() as f64;
        Some((
            points.iter().map(|p| p.0).sum::<f64>() / n,
            points.iter().map(|p| p.1).sum::<f64>() / n,
        ))
    }
}

/// A point displaced by a normal offset of `sd_m` metres in each direction.
pub(crate) fn jitter((lon, lat): (f64, f64), sd_m: f64, rng: &mut ChaCha8Rng) -> (f64, f64) {
    let dx: f64 = StandardNormal.sample(rng);
    let dy: f64 = StandardNormal.sample(rng);
    let (m_per_lon, m_per_lat) = metres_per_degree(lat);
    (lon + dx * sd_m / m_per_lon, lat + dy * sd_m / m_per_lat)
}

/// Metres per degree of longitude and latitude near a latitude (spherical approximation,
/// ample for offsets of a few kilometres).
pub(crate) fn metres_per_degree(lat: f64) -> (f64, f64) {
    (111_320.0 * lat.to_radians().cos(), 110_540.0)
}

/// Approximate ground distance in metres between two nearby points.
pub(crate) fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (mx, my) = metres_per_degree((a.1 + b.1) / 2.0);
    ((a.0 - b.0) * mx).hypot((a.1 - b.1) * my)
}
