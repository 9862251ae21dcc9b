//! `assess synth --census-out ...`: the census of the synthetic register, with planted
//! faults, their truth file and four external registries (docs/census.md, "Synthetic
//! census"). Every file is written whole or not at all, with the register's.

use anyhow::bail;
use assess_output::AtomicFile;
use assess_synth::census::{
    CensusFormat, CensusSettings, CensusSummary, CensusWriters, REGISTRIES,
};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct CensusArgs {
    /// Also write a census of the registered households: one return each (JSON Lines, or
    /// CSV with --census-format csv).
    #[arg(long, requires_all = ["census_truth", "census_registries"])]
    census_out: Option<PathBuf>,
    /// Format of the census returns: jsonl or csv (one row per member).
    #[arg(long, default_value = "jsonl", value_parser = ["jsonl", "csv"], requires = "census_out")]
    census_format: String,
    /// The census truth file: one row per planted fault.
    #[arg(long, requires = "census_out")]
    census_truth: Option<PathBuf>,
    /// Directory for the external registries: vehicles.csv, property.csv, business.csv,
    /// payroll.csv (made if missing).
    #[arg(long, requires = "census_out")]
    census_registries: Option<PathBuf>,
    /// First interview time, RFC 3339 [default: 1 July of --year, 08:30+08:00].
    #[arg(long, requires = "census_out")]
    census_start: Option<String>,
    /// Registered households per enumerator.
    #[arg(long, default_value_t = 140)]
    census_households_per_enumerator: u64,
    /// Share of registered households never enumerated.
    #[arg(long, default_value_t = 0.01)]
    census_not_enumerated_rate: f64,
    /// Share of enumerated registered households found dissolved (no household section).
    #[arg(long, default_value_t = 0.003)]
    census_dissolved_rate: f64,
    /// Share of enumerated registered households found moved out of the county.
    #[arg(long, default_value_t = 0.003)]
    census_moved_rate: f64,
    /// Returns of households not in the register, per enumerated registered household.
    #[arg(long, default_value_t = 0.002)]
    census_unregistered_rate: f64,
    /// Share of returns uploaded twice (another return id).
    #[arg(long, default_value_t = 0.005)]
    census_duplicate_rate: f64,
    /// Share of returns copied from the enumerator's previous return.
    #[arg(long, default_value_t = 0.003)]
    census_copied_rate: f64,
    /// Share of returns with impossible times (end before start, 2-3 minute interviews).
    #[arg(long, default_value_t = 0.003)]
    census_impossible_time_rate: f64,
    /// Share of returns with a GPS fix 20-80 km from the house.
    #[arg(long, default_value_t = 0.003)]
    census_far_place_rate: f64,
    /// Share of enumerators working in their own county.
    #[arg(long, default_value_t = 0.02)]
    census_own_county_rate: f64,
    /// Share of enumerated households with a member owning a vehicle over 30,000 yuan.
    #[arg(long, default_value_t = 0.01)]
    census_vehicle_rate: f64,
    /// ... with a member owning an urban flat or shop.
    #[arg(long, default_value_t = 0.005)]
    census_property_rate: f64,
    /// ... with a member running or owning a registered business.
    #[arg(long, default_value_t = 0.005)]
    census_business_rate: f64,
    /// ... with a member on the public payroll.
    #[arg(long, default_value_t = 0.003)]
    census_payroll_rate: f64,
    /// ... with a member owning a vehicle of at most 30,000 yuan (near misses).
    #[arg(long, default_value_t = 0.01)]
    census_near_miss_rate: f64,
    /// Registry rows of people not in the census, per enumerated household (decoys).
    #[arg(long, default_value_t = 0.02)]
    census_decoy_rate: f64,
    /// Share of registry rows with the number as an old 15-digit number, in full-width
    /// characters or with a lower-case x.
    #[arg(long, default_value_t = 0.1)]
    census_id_variant_rate: f64,
}

impl CensusArgs {
    /// The census settings, when a census is asked for.
    pub fn settings(&self) -> Option<CensusSettings> {
        self.census_out.as_ref()?;
        Some(CensusSettings {
            not_enumerated: self.census_not_enumerated_rate,
            dissolved: self.census_dissolved_rate,
            moved_out: self.census_moved_rate,
            not_registered: self.census_unregistered_rate,
            duplicate: self.census_duplicate_rate,
            copied: self.census_copied_rate,
            impossible_time: self.census_impossible_time_rate,
            far_place: self.census_far_place_rate,
            own_county: self.census_own_county_rate,
            vehicle: self.census_vehicle_rate,
            property: self.census_property_rate,
            business: self.census_business_rate,
            payroll: self.census_payroll_rate,
            near_miss_vehicle: self.census_near_miss_rate,
            decoys: self.census_decoy_rate,
            id_variants: self.census_id_variant_rate,
            households_per_enumerator: self.census_households_per_enumerator,
            start: self.census_start.clone(),
            format: if self.census_format == "csv" {
                CensusFormat::Csv
            } else {
                CensusFormat::Jsonl
            },
        })
    }

    /// The census's output paths, to check against the other outputs.
    pub fn paths(&self) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = self.census_out.iter().cloned().collect();
        out.extend(self.census_truth.iter().cloned());
        if let Some(dir) = &self.census_registries {
            out.extend(REGISTRIES.iter().map(|(name, _)| dir.join(name)));
        }
        out
    }
}

/// The census's files, open until committed.
pub struct CensusFiles {
    returns: AtomicFile,
    truth: AtomicFile,
    registries: [AtomicFile; 4],
}

impl CensusFiles {
    pub fn create(args: &CensusArgs) -> anyhow::Result<CensusFiles> {
        let (Some(out), Some(truth), Some(dir)) = (
            &args.census_out,
            &args.census_truth,
            &args.census_registries,
        ) else {
            bail!("--census-out needs --census-truth and --census-registries");
        };
        std::fs::create_dir_all(dir)?;
        let registry = |k: usize| AtomicFile::create(&dir.join(REGISTRIES[k].0));
        Ok(CensusFiles {
            returns: AtomicFile::create(out)?,
            truth: AtomicFile::create(truth)?,
            registries: [registry(0)?, registry(1)?, registry(2)?, registry(3)?],
        })
    }

    pub fn writers(&mut self) -> CensusWriters<'_> {
        let [a, b, c, d] = &mut self.registries;
        CensusWriters {
            returns: &mut self.returns,
            truth: &mut self.truth,
            registries: [a, b, c, d],
        }
    }

    pub fn commit(self) -> anyhow::Result<()> {
        self.returns.commit()?;
        self.truth.commit()?;
        for r in self.registries {
            r.commit()?;
        }
        Ok(())
    }
}

pub fn print_summary(s: &CensusSummary, args: &CensusArgs) {
    println!(
        "census: {} returns of {} registered households by {} enumerators ({} in their own county)",
        s.returns, s.registered, s.enumerators, s.own_county
    );
    println!(
        "planted: {} not enumerated, {} dissolved, {} moved out, {} not registered, {} duplicates, \
         {} copied, {} end before start, {} short, {} far from the house",
        s.not_enumerated,
        s.dissolved,
        s.moved_out,
        s.not_registered,
        s.duplicate,
        s.copied,
        s.end_before_start,
        s.short_interview,
        s.far_place
    );
    println!(
        "registries: {} vehicles over 30,000 yuan, {} properties, {} businesses, {} on the payroll; \
         {} near misses, {} decoys; {} numbers in another form",
        s.registry[0],
        s.registry[1],
        s.registry[2],
        s.registry[3],
        s.near_miss_vehicle,
        s.decoys,
        s.id_variants
    );
    let dir = args.census_registries.as_deref().unwrap_or(Path::new("."));
    println!(
        "wrote {}, {}, {}/{{vehicles,property,business,payroll}}.csv",
        args.census_out
            .as_deref()
            .unwrap_or(Path::new(""))
            .display(),
        args.census_truth
            .as_deref()
            .unwrap_or(Path::new(""))
            .display(),
        dir.display()
    );
}
