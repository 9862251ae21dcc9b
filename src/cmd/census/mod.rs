//! `assess census ...`: the national census's verbs, one module each.

use clap::Subcommand;

pub mod coverage;
pub mod crosscheck;
pub mod ingest;
pub mod pes;
pub mod quality;
pub mod sampled;
pub mod tables;
pub mod template;

#[derive(Subcommand)]
pub enum CensusCmd {
    /// Register cross-checks (the Mashan lesson): households whose members appear in the
    /// vehicle, property, business or payroll registries under the cross-check rules, each
    /// with its evidence, identity numbers masked (docs/census.md).
    Crosscheck(crosscheck::CrosscheckArgs),
    /// The XLSX census return template: sheet returns and the household, members, housing,
    /// water, approval, identification and assistance sheets, joined by return_id, with
    /// English or Chinese headers (docs/census.md, "XLSX").
    Template(template::TemplateArgs),
    /// Read census returns (CSV or JSON Lines), judge each by the inspection rules and write
    /// them to the census store (a Parquet dataset by province and county); resumable after
    /// a kill, idempotent; refused returns listed by file, line, field and reason
    /// (docs/census.md, "Store and ingest").
    Ingest(ingest::IngestArgs),
    /// Coverage of the census store against its register, by village, township, county,
    /// province and nation (coverage.csv), and each county's follow-up list of the missing
    /// households (missing/COUNTY.csv and .xlsx) (docs/census.md, "Coverage").
    Coverage(coverage::CoverageArgs),
    /// The national, provincial and county tables of the census store: guarantee attainment,
    /// income quantiles, assistance, coverage; tables.xlsx for officials, summary.html with
    /// maps of the counties, tables.json, coverage.csv (docs/census.md, "Tables").
    Tables(tables::TablesArgs),
    /// The post-enumeration survey: a verifiable re-interview sample per county, and each
    /// county's census error rate by item with its interval (docs/census.md,
    /// "Post-enumeration survey").
    #[command(subcommand)]
    Pes(pes::PesCmd),
    /// Quality checks of the census store, county by county: per return (end before start,
    /// short interview, fix far from the house, enumerator in their own county, duplicates,
    /// copied answers) and per enumerator and village (answers unlike the county's, short
    /// interviews, many repeated returns), each test with its false-alarm rate
    /// (docs/census.md, "Quality checks").
    Quality(quality::QualityArgs),
    /// Weighted estimates for all non-poverty counties from the stratified cluster sample of
    /// them that the census enumerated: the share of registered households above the income
    /// line, meeting each guarantee, all five, and poor, with standard errors and
    /// Korn-Graubard intervals (estimates.csv, estimates.json) (docs/census.md, "Sampled
    /// non-poverty counties").
    Sampled(sampled::SampledArgs),
}

pub fn run(cmd: CensusCmd) -> anyhow::Result<()> {
    match cmd {
        CensusCmd::Crosscheck(a) => crosscheck::run(a),
        CensusCmd::Template(a) => template::run(a),
        CensusCmd::Ingest(a) => ingest::run(a),
        CensusCmd::Coverage(a) => coverage::run(a),
        CensusCmd::Tables(a) => tables::run(a),
        CensusCmd::Pes(c) => pes::run(c),
        CensusCmd::Quality(a) => quality::run(a),
        CensusCmd::Sampled(a) => sampled::run(a),
    }
}
