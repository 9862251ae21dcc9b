//! `assess census crosscheck`: households linked to the external registries under the rules;
//! flagged.csv (and flagged.xlsx) written whole or not at all.

use crate::cmd::progress;
use anyhow::{bail, Context};
use assess_app::census_crosscheck::county_households;
use assess_output::{write_atomic, AtomicFile};
use assess_registries::{
    flagged_xlsx, HitWriter, HouseholdsReader, Registries, RegistryKind, Rules, Tally,
};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct CrosscheckArgs {
    /// The households to check: CSV, one row per member (household_id, county_code,
    /// village_code, member_id, member_name), a household's rows together.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "store",
        conflicts_with = "store"
    )]
    households: Option<PathBuf>,
    /// Or the census store: every enumerated household of every county in it, with its
    /// members' identity numbers (the first return of a household uploaded twice).
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
    /// Vehicle registry CSV (owner_id, value_yuan; optional owner_name, kind, plate).
    #[arg(long, value_name = "FILE")]
    vehicles: Option<PathBuf>,
    /// Property registry CSV (owner_id, kind; optional owner_name, address).
    #[arg(long, value_name = "FILE")]
    property: Option<PathBuf>,
    /// Business registrations CSV (person_id, role; optional person_name, company).
    #[arg(long, value_name = "FILE")]
    business: Option<PathBuf>,
    /// Public payroll CSV (person_id, employer; optional person_name).
    #[arg(long, value_name = "FILE")]
    payroll: Option<PathBuf>,
    /// Cross-check rules (TOML, the form of data/census/crosscheck-rules.toml) instead of
    /// the built-in ones.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Where to write the flagged households: CSV, one row per piece of evidence.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Also write them as an XLSX workbook for officials (Chinese and English headers, the
    /// rules with their sources).
    #[arg(long, value_name = "FILE")]
    xlsx: Option<PathBuf>,
}

fn open(path: &Path) -> anyhow::Result<BufReader<File>> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(BufReader::with_capacity(1 << 20, file))
}

pub fn run(a: CrosscheckArgs) -> anyhow::Result<()> {
    if a.xlsx.as_deref() == Some(a.out.as_path()) {
        bail!("--out and --xlsx name the same file; give two names");
    }
    let rules = match &a.rules {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Rules::parse(&text, &path.display().to_string())?
        }
        None => Rules::built_in(),
    };
    let mut registries = Registries::new(rules);
    let given = [
        (RegistryKind::Vehicles, &a.vehicles, "--vehicles"),
        (RegistryKind::Property, &a.property, "--property"),
        (RegistryKind::Business, &a.business, "--business"),
        (RegistryKind::Payroll, &a.payroll, "--payroll"),
    ];
    for (kind, path, flag) in &given {
        if path.is_none() && registries.rules().reads(*kind) {
            bail!(
                "the cross-check rules read the {kind} registry: give it with {flag} FILE \
                 (or leave its rules out of a --rules file)"
            );
        }
    }
    let mut read = Vec::new();
    for (kind, path, _) in given {
        let Some(path) = path else { continue };
        let bar = progress::counter(&format!("reading {kind}"));
        let summary = registries.read(kind, &path.display().to_string(), open(path)?)?;
        bar.finish_and_clear();
        read.push((kind, summary));
    }

    let mut out = HitWriter::new(AtomicFile::create(&a.out)?)?;
    let mut for_xlsx = Vec::new();
    let mut tally = Tally::default();
    let mut link = |household: &assess_registries::HouseholdMembers| {
        let hits = registries.link(household);
        tally.add(household, &hits);
        let written = out.write(&hits);
        if a.xlsx.is_some() {
            for_xlsx.extend(hits);
        }
        written
    };
    let bar = progress::counter("households");
    let summary = match (&a.households, &a.store) {
        (Some(path), _) => {
            let mut households = HouseholdsReader::new(&path.display().to_string(), open(path)?)?;
            for household in households.by_ref() {
                link(&household?)?;
                bar.inc(1);
            }
            let s = households.finish()?;
            (s.households, s.members, s.ids_normalised)
        }
        (None, Some(store)) => {
            let ds = assess_census_store::Dataset::open(store)?;
            let (mut households, mut members) = (0, 0);
            for county in ds.counties() {
                for household in county_households(&ds, &county)? {
                    households += 1;
                    members += household.members.len() as u64;
                    link(&household)?;
                    bar.inc(1);
                }
            }
            (households, members, 0)
        }
        (None, None) => bail!("give the households with --households FILE or --store DIR"),
    };
    bar.finish_and_clear();
    let xlsx = match &a.xlsx {
        Some(_) => Some(flagged_xlsx(&for_xlsx, registries.rules())?),
        None => None,
    };
    out.finish()?.commit()?;
    if let (Some(path), Some(bytes)) = (&a.xlsx, xlsx) {
        write_atomic(path, &bytes)?;
    }

    println!(
        "households: {} ({} members; {} identity numbers normalised)",
        summary.0, summary.1, summary.2
    );
    for (kind, s) in read {
        println!(
            "{kind}: {} rows, {} hit a rule ({} identity numbers normalised)",
            s.rows, s.kept, s.ids_normalised
        );
    }
    println!("flagged households: {}", tally.flagged.len());
    for rule in registries.rules().rules() {
        let n = tally.hits_by_rule.get(&rule.id).copied().unwrap_or(0);
        println!(
            "  {}: {n} ({}; {})",
            rule.id,
            rule.label_en,
            rule.basis.as_str()
        );
    }
    if tally.name_notes > 0 {
        println!(
            "names that differ on a matching identity number: {} (see the note column)",
            tally.name_notes
        );
    }
    print!("wrote {}", a.out.display());
    if let Some(path) = &a.xlsx {
        print!(" and {}", path.display());
    }
    println!();
    Ok(())
}
