//! Synthetic household registers for real Chinese counties, with each household's true
//! situation: the input for demos, tests, benchmarks and simulations of the poverty-exit
//! assessment (does a sampling plan find 2% wrong exits?).
//!
//! A run takes one or many counties (up to all 832 poverty counties), spreads the households
//! over the counties' real rural village committees (embedded division codes), marks poverty
//! and remote villages, and writes, county by county and without holding more than one
//! county in memory:
//! - the register: `household_id,village_code,status,exit_year,members,income_per_capita,lon,lat,group`;
//! - optionally the villages: `village_code,name,poverty_village,remote,lon,lat`;
//! - optionally the truth: whether each household truly meets the exit standard, with the
//!   wrong-exit, missed and still-poor rates clustered by village (Beta, settable ICC).
//!
//! Output is a pure function of the [`SynthConfig`]: the same configuration gives the same
//! bytes, and a county's rows do not depend on which other counties are generated (each
//! county has its own generator seeded from the seed and the county code).
//!
//! Not for: anything about real households. Names, ids, incomes and positions are invented;
//! only the division codes, village names and approximate positions are real.
//!
//! ```
//! use assess_synth::{generate, SynthConfig};
//! let config = SynthConfig::new(vec!["530128".into()], 5_000, 42);
//! let mut register = Vec::new();
//! let summary = generate(&config, &mut register, None::<std::io::Sink>, None::<std::io::Sink>).unwrap();
//! assert_eq!(summary.total.all.households, 5_000);
//! let text = String::from_utf8(register).unwrap();
//! assert!(text.starts_with("household_id,village_code,status,"));
//! ```
#![deny(missing_docs)]

mod allocate;
pub mod census;
pub mod census_pes;
mod geography;
mod household;
mod summary;
mod village;
pub mod visits;
mod write;

pub use household::Shortfall;
pub use summary::{Count, CountySummary, Rate, RealisedRates, Stratum, SynthSummary, Tally};

use assess_divisions::{poverty_counties, Divisions, VillageCode, Vintage};
use assess_standards::Standards;
use geography::{Atlas, CountyFrame};
use household::HouseholdModel;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::io::Write;
use village::VillageTraits;

/// Why a synthetic register could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// No county was asked for.
    #[error("no county to generate: give at least one county code")]
    NoCounties,
    /// A county code is not 6 digits.
    #[error("{0:?} is not a county code: a county code has 6 digits, e.g. 530128")]
    BadCountyCode(String),
    /// A province code is not 2 digits.
    #[error("{0:?} is not a province code: a province code has 2 digits, e.g. 53")]
    BadProvinceCode(String),
    /// The county is not in the code list.
    #[error("county {code} is not in the {vintage} division-code list")]
    UnknownCounty {
        /// The code asked for.
        code: String,
        /// The list searched.
        vintage: Vintage,
    },
    /// The county has only urban units.
    #[error("county {code} ({name}) has no rural village-level units in the {vintage} list (codes ...200-399, 600-799)")]
    NoRuralVillages {
        /// The county.
        code: String,
        /// Its name.
        name: String,
        /// The list searched.
        vintage: Vintage,
    },
    /// No share of still-poor households gives the incidence asked for.
    #[error(
        "a true incidence of {target} cannot be reached with these rates: it must lie between \
         {low} (no registered household still poor) and {high} (all of them); change the \
         incidence, the registered share or the other rates"
    )]
    IncidenceOutOfReach {
        /// The incidence asked for.
        target: f64,
        /// The incidence with no still-poor registered household.
        low: f64,
        /// The incidence with every registered household still poor.
        high: f64,
    },
    /// The province has no county to generate.
    #[error("province {0} has no county to generate in this selection")]
    EmptyProvince(String),
    /// Fewer households than villages.
    #[error("{households} households are too few: the counties have {villages} rural villages and each needs at least one household")]
    TooFewHouseholds {
        /// Households asked for.
        households: u64,
        /// Rural villages of the counties.
        villages: u64,
    },
    /// A rate or share outside [0, 1].
    #[error("{name} = {value} is outside [0, 1]")]
    RateOutOfRange {
        /// The setting.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// Wrong exits and missed households planted only in remote villages, with none.
    #[error(
        "remote-share = {0}: must be above 0 when wrong exits and missed households are only in \
         remote villages (they need remote villages)"
    )]
    NoRemoteVillages(f64),
    /// Some other setting out of range.
    #[error("{name} = {value}: {why}")]
    BadSetting {
        /// The setting.
        name: &'static str,
        /// Its value.
        value: String,
        /// What is allowed.
        why: &'static str,
    },
    /// The standards have no poverty line for the income year.
    #[error("the standards have no poverty line for income year {0}")]
    NoPovertyLine(u16),
    /// Writing an output failed.
    #[error("writing output")]
    Io(#[from] std::io::Error),
    /// Writing the village CSV failed.
    #[error("writing the village file")]
    Csv(#[from] csv::Error),
    /// A census return could not be built from the truth (a bug, or standards that are not
    /// the synthetic run's).
    #[error("building a census return")]
    CensusRecord(#[from] visits::VisitError),
}

/// True rates of the truth file: the share of each register stratum that is truly poor,
/// and how strongly they cluster by village.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TruthRates {
    /// Share of exited households truly poor (wrong exits). Default 0.005.
    pub wrong_exit: f64,
    /// Share of non-registered households truly poor (missed). Default 0.003.
    pub missed: f64,
    /// Share of registered-poor households truly poor (still poor). Default 1.0.
    pub still_poor: f64,
    /// Intra-village correlation ρ of the truly-poor indicator, in [0, 1). Default 0.1.
    pub icc: f64,
    /// Remote villages' mean rate ÷ other villages' mean rate for wrong exits and missed
    /// households (the county mean stays the target). Default 1.5.
    pub remote_risk_ratio: f64,
    /// Wrong exits and missed households only in remote villages, their rates scaled so the
    /// county's mean stays the target (`remote_risk_ratio` is then unused). Default false.
    pub remote_only: bool,
    /// The one standard every truly poor household fails; `None` (default, `mixed`): drawn
    /// from the built-in mix (docs/synth.md, "Why a household is poor").
    pub shortfall: Option<Shortfall>,
}

impl Default for TruthRates {
    fn default() -> Self {
        TruthRates {
            wrong_exit: 0.005,
            missed: 0.003,
            still_poor: 1.0,
            icc: 0.1,
            remote_risk_ratio: 1.5,
            remote_only: false,
            shortfall: None,
        }
    }
}

/// Shape of the register of a poverty county near exit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegisterShape {
    /// Share of households registered (exited or poor). Default 0.25.
    pub registered_share: f64,
    /// Share of registered households not yet exited. Default 0.03.
    pub poor_share_of_registered: f64,
    /// Share of villages that are poverty villages. Default 0.35.
    pub poverty_village_share: f64,
    /// Share of villages that are remote (the farthest from the county centre). Default 0.30.
    pub remote_share: f64,
}

impl Default for RegisterShape {
    fn default() -> Self {
        RegisterShape {
            registered_share: 0.25,
            poor_share_of_registered: 0.03,
            poverty_village_share: 0.35,
            remote_share: 0.30,
        }
    }
}

/// Everything a run depends on.
#[derive(Debug, Clone)]
pub struct SynthConfig {
    /// 6-digit county codes, in output order (duplicates are generated once).
    pub counties: Vec<String>,
    /// Households in total, split across counties by their number of rural villages.
    pub households: u64,
    /// Seed; with the county code it seeds each county's generator.
    pub seed: u64,
    /// Division-code vintage of the village codes. Default 2023.
    pub vintage: Vintage,
    /// Assessment year: exits happen up to it. Default 2018.
    pub year: u16,
    /// Income year for the poverty line; `None` is the year before `year`.
    pub income_year: Option<u16>,
    /// True rates.
    pub rates: TruthRates,
    /// Register shape.
    pub shape: RegisterShape,
    /// Skip counties without rural villages (useful for whole provinces) instead of failing.
    pub skip_counties_without_villages: bool,
    /// Domain standards (the poverty line table).
    pub standards: Standards,
}

impl SynthConfig {
    /// The true comprehensive poverty incidence the rates and shape aim at: the registered
    /// poor still poor, the exited wrongly exited and the missed, each by its share.
    pub fn expected_incidence(&self) -> f64 {
        let (registered, poor) = (
            self.shape.registered_share,
            self.shape.poor_share_of_registered,
        );
        let r = &self.rates;
        registered * poor * r.still_poor
            + registered * (1.0 - poor) * r.wrong_exit
            + (1.0 - registered) * r.missed
    }

    /// A configuration with the default rates and shape.
    pub fn new(counties: Vec<String>, households: u64, seed: u64) -> SynthConfig {
        SynthConfig {
            counties,
            households,
            seed,
            vintage: Vintage::V2023,
            year: 2018,
            income_year: None,
            rates: TruthRates::default(),
            shape: RegisterShape::default(),
            skip_counties_without_villages: false,
            standards: Standards::builtin(),
        }
    }

    /// The income year in effect.
    pub fn income_year(&self) -> u16 {
        self.income_year.unwrap_or(self.year.saturating_sub(1))
    }

    fn validate(&self) -> Result<f64, SynthError> {
        if self.counties.is_empty() {
            return Err(SynthError::NoCounties);
        }
        for code in &self.counties {
            if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(SynthError::BadCountyCode(code.clone()));
            }
        }
        let r = &self.rates;
        let s = &self.shape;
        for (name, value) in [
            ("wrong-exit-rate", r.wrong_exit),
            ("missed-rate", r.missed),
            ("still-poor-rate", r.still_poor),
            ("icc", r.icc),
            ("registered-share", s.registered_share),
            ("poor-share", s.poor_share_of_registered),
            ("poverty-village-share", s.poverty_village_share),
            ("remote-share", s.remote_share),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(SynthError::RateOutOfRange { name, value });
            }
        }
        if r.icc >= 1.0 {
            return Err(bad(
                "icc",
                r.icc,
                "must be below 1 (1 would make every village all-or-nothing)",
            ));
        }
        if !(r.remote_risk_ratio.is_finite() && r.remote_risk_ratio > 0.0) {
            return Err(bad(
                "remote-risk-ratio",
                r.remote_risk_ratio,
                "must be a positive number",
            ));
        }
        if r.remote_only && s.remote_share <= 0.0 {
            return Err(SynthError::NoRemoteVillages(s.remote_share));
        }
        if !(household::FIRST_EXIT_YEAR..=2100).contains(&self.year) {
            return Err(bad(
                "year",
                self.year,
                "the assessment year is 2014 or later",
            ));
        }
        let income_year = self.income_year();
        self.standards
            .poverty_line(income_year)
            .ok_or(SynthError::NoPovertyLine(income_year))
    }
}

fn bad(name: &'static str, value: impl ToString, why: &'static str) -> SynthError {
    SynthError::BadSetting {
        name,
        value: value.to_string(),
        why,
    }
}

/// What [`generate_with_progress`] reports as it goes.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// A county starts: its position (from 0) among `of` counties, and its households.
    County {
        /// County code.
        code: &'a str,
        /// County name.
        name: &'a str,
        /// Position from 0.
        index: usize,
        /// Number of counties.
        of: usize,
        /// Households to generate there.
        households: u64,
    },
    /// More households of the current county were written (the count since the last report).
    Households(u64),
    /// The current county is finished.
    CountyDone,
}

/// Generates the register (and optionally the villages and the truth) and returns what was
/// generated. Writers are written to as the counties are generated; wrap files in a
/// `BufWriter`. Pass `None::<std::io::Sink>` for an output not wanted.
pub fn generate<R: Write, V: Write, T: Write>(
    config: &SynthConfig,
    register: R,
    villages: Option<V>,
    truth: Option<T>,
) -> Result<SynthSummary, SynthError> {
    generate_with_progress(config, register, villages, truth, |_| {})
}

/// [`generate`], reporting progress to `observer` (county starts, households every few
/// thousand, county ends).
pub fn generate_with_progress<R: Write, V: Write, T: Write>(
    config: &SynthConfig,
    register: R,
    villages: Option<V>,
    truth: Option<T>,
    observer: impl FnMut(Progress<'_>),
) -> Result<SynthSummary, SynthError> {
    run(config, register, villages, truth, None, observer)
}

/// [`generate_with_progress`], and the census of the register's registered households
/// ([`census`]): returns, the census truth file and four registries.
pub fn generate_census_with_progress<R: Write, V: Write, T: Write>(
    config: &SynthConfig,
    register: R,
    villages: Option<V>,
    truth: Option<T>,
    settings: &census::CensusSettings,
    writers: census::CensusWriters<'_>,
    observer: impl FnMut(Progress<'_>),
) -> Result<(SynthSummary, census::CensusSummary), SynthError> {
    let mut summary = census::CensusSummary::default();
    let mut out = census::CensusOutput::new(writers, settings.format)?;
    let census = CensusRun {
        settings,
        out: &mut out,
        summary: &mut summary,
    };
    let register = run(config, register, villages, truth, Some(census), observer)?;
    out.flush()?;
    Ok((register, summary))
}

/// The census of a run, handed county by county to the generator.
struct CensusRun<'s, 'w> {
    settings: &'s census::CensusSettings,
    out: &'s mut census::CensusOutput<'w>,
    summary: &'s mut census::CensusSummary,
}

fn run<R: Write, V: Write, T: Write>(
    config: &SynthConfig,
    mut register: R,
    villages: Option<V>,
    mut truth: Option<T>,
    mut census: Option<CensusRun<'_, '_>>,
    mut observer: impl FnMut(Progress<'_>),
) -> Result<SynthSummary, SynthError> {
    let line = config.validate()?;
    let census_start = census
        .as_ref()
        .map(|c| c.settings.validate(config.year))
        .transpose()?;
    let counties = dedup(&config.counties);
    let atlas = Atlas::load(config.vintage, &counties);
    let (counties, sizes) = plan_counties(config, &atlas, counties)?;
    let mut villages = villages.map(csv::Writer::from_writer);
    write::register_header(&mut register)?;
    if let Some(t) = truth.as_mut() {
        write::truth_header(t)?;
    }
    if let Some(v) = villages.as_mut() {
        v.write_record(assess_household::VILLAGE_COLUMNS)?;
    }
    let mut summary = SynthSummary {
        seed: config.seed,
        vintage: config.vintage.as_str().to_string(),
        year: config.year,
        income_year: config.income_year(),
        poverty_line: line,
        total: Tally::default(),
        rates: RealisedRates::of(&Tally::default()),
        counties: Vec::with_capacity(counties.len()),
    };
    for (index, (code, households)) in counties.iter().zip(&sizes).enumerate() {
        let mut rng = county_rng(config.seed, code);
        let frame = atlas.frame(code, &mut rng)?;
        observer(Progress::County {
            code,
            name: &frame.name,
            index,
            of: counties.len(),
            households: *households,
        });
        tracing::info!(county = %code, name = %frame.name, villages = frame.villages.len(), households, "generating county");
        let mut out = write::Outputs {
            register: &mut register,
            villages: villages.as_mut(),
            truth: truth.as_mut(),
        };
        let mut county_census = match (census.as_mut(), census_start) {
            (Some(c), Some(start)) => Some(census::CountyCensus::new(
                c.settings,
                c.out,
                c.summary,
                &config.standards,
                config.seed,
                code,
                census::home_counties(code),
                start,
                config.income_year(),
            )),
            _ => None,
        };
        let tally = generate_county(
            config,
            line,
            &frame,
            *households,
            &mut rng,
            &mut out,
            county_census.as_mut(),
            &mut observer,
        )?;
        observer(Progress::CountyDone);
        summary.total.merge(&tally);
        summary.counties.push(CountySummary {
            code: code.clone(),
            name: frame.name,
            exit_year: frame.exit_year,
            tally,
        });
    }
    register.flush()?;
    if let Some(t) = truth.as_mut() {
        t.flush()?;
    }
    if let Some(v) = villages.as_mut() {
        v.flush()?;
    }
    summary.rates = RealisedRates::of(&summary.total);
    Ok(summary)
}

/// Keeps the first occurrence of each county, in order.
fn dedup(codes: &[String]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    codes
        .iter()
        .map(|c| c.trim().to_string())
        .filter(|c| seen.insert(c.clone()))
        .collect()
}

/// The counties to generate and their households; fails on an unknown county, or on one
/// without rural villages unless told to skip those.
fn plan_counties(
    config: &SynthConfig,
    atlas: &Atlas,
    counties: Vec<String>,
) -> Result<(Vec<String>, Vec<u64>), SynthError> {
    let mut kept = Vec::with_capacity(counties.len());
    let mut villages = Vec::with_capacity(counties.len());
    for code in counties {
        let n = atlas.rural_count(&code);
        if n == 0 {
            if config.skip_counties_without_villages {
                tracing::warn!(county = %code, "no rural villages in the {} list; skipped", config.vintage);
                continue;
            }
            // Let the frame say precisely why (unknown, or urban only).
            atlas.frame(&code, &mut county_rng(config.seed, &code))?;
        }
        kept.push(code);
        villages.push(n);
    }
    if kept.is_empty() {
        return Err(SynthError::NoCounties);
    }
    let total_villages: u64 = villages.iter().map(|&v| v as u64).sum();
    if config.households < total_villages {
        return Err(SynthError::TooFewHouseholds {
            households: config.households,
            villages: total_villages,
        });
    }
    let sizes = allocate::split_across_counties(config.households, &villages);
    Ok((kept, sizes))
}

/// A county's own generator: ChaCha8 keyed by the seed and the county code, so a county's
/// output does not depend on the other counties of the run.
fn county_rng(seed: u64, county: &str) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    let code: u64 = county.parse().unwrap_or(0);
    key[8..16].copy_from_slice(&code.to_le_bytes());
    key[16..28].copy_from_slice(b"assess-synth");
    ChaCha8Rng::from_seed(key)
}

/// Generates and writes one county.
#[allow(clippy::too_many_arguments)]
fn generate_county<P: FnMut(Progress<'_>)>(
    config: &SynthConfig,
    line: f64,
    frame: &CountyFrame,
    households: u64,
    rng: &mut ChaCha8Rng,
    out: &mut write::Outputs<'_, impl Write, impl Write, impl Write>,
    mut census: Option<&mut census::CountyCensus<'_, '_>>,
    observer: &mut P,
) -> Result<Tally, SynthError> {
    let sizes = allocate::village_sizes(households, frame.villages.len(), rng);
    let traits = village::draw_traits(frame, &sizes, &config.shape, &config.rates, rng);
    // Households exit up to the county's batch year (or the assessment year for a county
    // outside the 832), never after the assessment.
    let last_exit = frame.exit_year.unwrap_or(config.year).min(config.year);
    let mut model = HouseholdModel::new(line, config.shape.poor_share_of_registered, last_exit);
    model.fixed_shortfall = config.rates.shortfall;
    let mut tally = Tally::default();
    for (site, village) in frame.villages.iter().zip(&traits) {
        count_village(&mut tally, village);
        out.village(site, village)?;
        let written = write::village_households(
            out,
            site,
            village,
            &model,
            rng,
            &mut tally,
            census.as_deref_mut(),
        )?;
        observer(Progress::Households(written));
    }
    Ok(tally)
}

fn count_village(tally: &mut Tally, village: &VillageTraits) {
    tally.villages += 1;
    tally.poverty_villages += u64::from(village.poverty_village);
    tally.remote_villages += u64::from(village.remote);
}

/// The poverty counties of a province (2-digit code), in the order of the 832 list.
pub fn poverty_counties_of_province(province: &str) -> Result<Vec<String>, SynthError> {
    check_province(province)?;
    let codes: Vec<String> = poverty_counties()
        .iter()
        .filter(|c| c.code.starts_with(province))
        .map(|c| c.code.clone())
        .collect();
    if codes.is_empty() {
        return Err(SynthError::EmptyProvince(province.to_string()));
    }
    Ok(codes)
}

/// Every county-level unit of a province that has rural villages in the vintage, by code.
pub fn counties_of_province(province: &str, vintage: Vintage) -> Result<Vec<String>, SynthError> {
    check_province(province)?;
    let divisions = Divisions::load_counties(vintage, &[province]);
    let mut codes: Vec<String> = divisions
        .villages_of(province)
        .into_iter()
        .filter_map(|u| VillageCode::parse(&u.code).ok())
        .filter(|c| c.kind().is_rural())
        .map(|c| c.county().to_string())
        .collect();
    codes.dedup();
    if codes.is_empty() {
        return Err(SynthError::EmptyProvince(province.to_string()));
    }
    Ok(codes)
}

/// All 832 poverty counties, in the order of the list.
pub fn all_poverty_counties() -> Vec<String> {
    poverty_counties().iter().map(|c| c.code.clone()).collect()
}

fn check_province(code: &str) -> Result<(), SynthError> {
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(SynthError::BadProvinceCode(code.to_string()))
    }
}

/// The share of registered households not yet exited (`--poor-share`) that gives a target
/// comprehensive poverty incidence P, in expectation over households:
///
/// P = R·q·s + R·(1 − q)·w + (1 − R)·m, so q = (P − R·w − (1 − R)·m) / (R·(s − w)),
///
/// with R the registered share, q the poor share of the registered, s the still-poor rate,
/// w the wrong-exit rate and m the missed rate (the indicators' definitions:
/// docs/sources.md#indicator-definitions). People-weighted incidence differs slightly because
/// household sizes differ.
pub fn poor_share_for_incidence(
    target: f64,
    shape: &RegisterShape,
    rates: &TruthRates,
) -> Result<f64, SynthError> {
    let (r, s, w, m) = (
        shape.registered_share,
        rates.still_poor,
        rates.wrong_exit,
        rates.missed,
    );
    let at = |q: f64| r * q * s + r * (1.0 - q) * w + (1.0 - r) * m;
    let (low, high) = (at(0.0).min(at(1.0)), at(0.0).max(at(1.0)));
    if !(low..=high).contains(&target) || r * (s - w) == 0.0 {
        return Err(SynthError::IncidenceOutOfReach { target, low, high });
    }
    Ok((target - r * w - (1.0 - r) * m) / (r * (s - w)))
}

#[cfg(test)]
mod incidence_tests {
    use super::*;

    #[test]
    fn the_poor_share_solves_the_incidence_equation() {
        let shape = RegisterShape {
            registered_share: 0.25,
            ..RegisterShape::default()
        };
        let rates = TruthRates {
            wrong_exit: 0.005,
            missed: 0.003,
            still_poor: 1.0,
            ..TruthRates::default()
        };
        // By hand: q = (0.02 − 0.25·0.005 − 0.75·0.003) / (0.25·0.995) = 0.0165 / 0.24875 = 0.066332…
        let q = poor_share_for_incidence(0.02, &shape, &rates).unwrap();
        assert!((q - 0.0165 / 0.24875).abs() < 1e-12);
        assert!(poor_share_for_incidence(0.5, &shape, &rates).is_err());
    }
}
