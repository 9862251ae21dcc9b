//! The tables (docs/census.md, "Tables"): for the nation, each province and each county,
//! guarantee attainment, the income distribution, assistance received, coverage and a place
//! for the quality counts; built one county at a time and merged upward.

use crate::coverage::{self, CountyCoverage, Coverage};
use crate::error::TablesError;
use crate::quantile;
use assess_census::{RegisterFields, ReturnFields};
use serde::Serialize;
use std::collections::BTreeMap;

/// The attainment items: key, Chinese and English labels. The five guarantees (food and
/// clothing, compulsory education, basic medical cover, safe housing, safe drinking water),
/// all five together, and income at or above the poverty line.
pub const ITEMS: [(&str, &str, &str); 7] = [
    ("income", "收入达标", "Income at or above the line"),
    ("food_clothing", "不愁吃不愁穿", "Food and clothing"),
    ("education", "义务教育有保障", "Compulsory education"),
    ("medical", "基本医疗有保障", "Basic medical cover"),
    ("housing", "住房安全有保障", "Safe housing"),
    ("water", "饮水安全有保障", "Safe drinking water"),
    ("guarantees", "两不愁三保障全部达标", "All five guarantees"),
];

/// The kinds of assistance: key, Chinese and English labels, and whether the return gives an
/// amount (yuan) or only yes/no.
pub const KINDS: [(&str, &str, &str, bool); 10] = [
    ("industrial_support", "产业扶持", "Industrial support", true),
    (
        "employment_support",
        "就业扶持",
        "Employment support",
        false,
    ),
    (
        "public_welfare_post",
        "公益岗位",
        "Public-welfare post",
        false,
    ),
    ("relocated", "易地扶贫搬迁", "Relocation", false),
    (
        "housing_renovation",
        "危房改造补助",
        "Housing renovation",
        true,
    ),
    ("education_aid", "教育资助", "Education aid", true),
    ("medical_aid", "医疗救助", "Medical aid", true),
    (
        "minimum_living_allowance",
        "低保金",
        "Minimum living allowance",
        true,
    ),
    (
        "extreme_poverty_support",
        "特困供养",
        "Extreme-poverty support",
        false,
    ),
    ("microcredit", "扶贫小额信贷", "Microcredit", false),
];

/// The columns of the returns that the coverage reads: a store reads only these for
/// [`county_coverage`].
pub const COVERAGE_COLUMNS: &[&str] = &assess_census::RETURN_ID_COLUMNS;

/// The columns of the returns that the tables read ([`CensusTables::count`]): the coverage's,
/// the attainment items, income per person and the assistance.
pub fn table_columns() -> Vec<&'static str> {
    assess_census::return_fields_columns()
}

/// One attainment item among a unit's counted households.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Met.
    pub met: u64,
    /// Not met.
    pub unmet: u64,
    /// Cannot be told from the return.
    pub unknown: u64,
}

impl Tally {
    /// `met / (met + unmet)`: the share among households whose answer is known; `None` when
    /// none is.
    pub fn share(&self) -> Option<f64> {
        let known = self.met + self.unmet;
        (known > 0).then(|| self.met as f64 / known as f64)
    }

    fn add(&mut self, v: Option<bool>) {
        match v {
            Some(true) => self.met += 1,
            Some(false) => self.unmet += 1,
            None => self.unknown += 1,
        }
    }

    fn merge(&mut self, o: &Tally) {
        self.met += o.met;
        self.unmet += o.unmet;
        self.unknown += o.unknown;
    }
}

/// One kind of assistance among a unit's counted households.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Received {
    /// Households that received it (an amount over 0, or yes).
    pub receiving: u64,
    /// Households that did not (an amount of 0, or no).
    pub not_receiving: u64,
    /// Households whose return leaves it out.
    pub unknown: u64,
    /// The amounts received, in fen (hundredths of a yuan, each amount rounded to the fen),
    /// summed exactly; 0 for a yes/no kind.
    pub total_fen: i64,
}

impl Received {
    /// `receiving / (receiving + not_receiving)`; `None` when no answer is known.
    pub fn share(&self) -> Option<f64> {
        let known = self.receiving + self.not_receiving;
        (known > 0).then(|| self.receiving as f64 / known as f64)
    }

    /// The total in yuan.
    pub fn total_yuan(&self) -> f64 {
        self.total_fen as f64 / 100.0
    }

    /// The mean amount among the households that received it, yuan; `None` when none did.
    pub fn mean_yuan(&self) -> Option<f64> {
        (self.receiving > 0).then(|| self.total_yuan() / self.receiving as f64)
    }

    fn add_amount(&mut self, v: Option<f64>) {
        match v {
            Some(x) if x > 0.0 => {
                self.receiving += 1;
                self.total_fen += (x * 100.0).round() as i64;
            }
            Some(_) => self.not_receiving += 1,
            None => self.unknown += 1,
        }
    }

    fn add_yes_no(&mut self, v: Option<bool>) {
        match v {
            Some(true) => self.receiving += 1,
            Some(false) => self.not_receiving += 1,
            None => self.unknown += 1,
        }
    }

    fn merge(&mut self, o: &Received) {
        self.receiving += o.receiving;
        self.not_receiving += o.not_receiving;
        self.unknown += o.unknown;
        self.total_fen += o.total_fen;
    }
}

/// Income per person among a unit's counted households: exact type-7 quantiles
/// ([`crate::quantile`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Income {
    /// Households with a known income per person.
    pub known: u64,
    /// Households whose income per person cannot be told (a source not recorded).
    pub unknown: u64,
    /// Mean income per person, yuan (the compensated sum of the values / known).
    pub mean: Option<f64>,
    /// 10th percentile.
    pub p10: Option<f64>,
    /// 25th percentile.
    pub p25: Option<f64>,
    /// Median.
    pub median: Option<f64>,
    /// 75th percentile.
    pub p75: Option<f64>,
    /// 90th percentile.
    pub p90: Option<f64>,
}

impl Income {
    /// The summary of the values of `runs` put together, each run sorted ascending: a
    /// county's one run, or the runs of a province's or the nation's counties.
    pub fn of_runs(runs: &[&[f64]], unknown: u64) -> Income {
        let known: usize = runs.iter().map(|r| r.len()).sum();
        let q = |p| quantile::type7_of_runs(runs, p);
        let [p10, p25, median, p75, p90] = quantile::PROBABILITIES.map(q);
        Income {
            known: known as u64,
            unknown,
            mean: (known > 0).then(|| quantile::sum_of_runs(runs) / known as f64),
            p10,
            p25,
            median,
            p75,
            p90,
        }
    }
}

/// The level of a unit's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The nation.
    National,
    /// A province (2 digits).
    Province,
    /// A county (6 digits).
    County,
}

/// One unit's table: a row of the national, provincial or county sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitTable {
    /// The level.
    pub level: Level,
    /// `""` for the nation, else the province's or county's code.
    pub code: String,
    /// Its name (Chinese), when known: the poverty counties' list names its counties and
    /// their provinces.
    pub name: String,
    /// Coverage against the register.
    pub coverage: Coverage,
    /// Households counted by the tables: registered households with an `enumerated` return,
    /// each once.
    pub households: u64,
    /// Attainment, in the order of [`ITEMS`].
    pub attainment: [Tally; 7],
    /// Income per person.
    pub income: Income,
    /// Assistance, in the order of [`KINDS`].
    pub assistance: [Received; 10],
    /// Quality counts by kind (a check's name): what [`CensusTables::add_quality`] was given
    /// for the unit's counties, added up.
    pub quality: BTreeMap<String, u64>,
}

/// A row of the township or village coverage sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageRow {
    /// The township (9 digits) or village (12 digits).
    pub code: String,
    /// Its counts.
    pub coverage: Coverage,
}

/// Every table: the nation, the provinces and counties in code order, and coverage by
/// township and village.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tables {
    /// The nation (all counties added).
    pub national: UnitTable,
    /// Each province with a county added.
    pub provinces: Vec<UnitTable>,
    /// Each county added.
    pub counties: Vec<UnitTable>,
    /// Coverage by township.
    pub townships: Vec<CoverageRow>,
    /// Coverage by village.
    pub villages: Vec<CoverageRow>,
}

/// What is added up before the quantiles are taken.
#[derive(Debug, Default)]
struct Partial {
    coverage: Coverage,
    households: u64,
    attainment: [Tally; 7],
    assistance: [Received; 10],
    /// A county's known incomes per person, sorted once it is counted (a province's and the
    /// nation's are their counties', never copied together).
    incomes: Vec<f64>,
    income_unknown: u64,
    quality: BTreeMap<String, u64>,
}

impl Partial {
    fn add_return(&mut self, r: &impl ReturnFields) {
        self.households += 1;
        for (t, v) in self.attainment.iter_mut().zip(r.attainment()) {
            t.add(v);
        }
        match r.income_per_person().filter(|x| x.is_finite()) {
            Some(x) => self.incomes.push(x),
            None => self.income_unknown += 1,
        }
        // In the order of KINDS.
        let (
            [industrial, renovation, education, medical, allowance],
            [employment, post, relocated, extreme, credit],
        ) = (r.amounts(), r.yes_no());
        let a = &mut self.assistance;
        a[0].add_amount(industrial);
        a[1].add_yes_no(employment);
        a[2].add_yes_no(post);
        a[3].add_yes_no(relocated);
        a[4].add_amount(renovation);
        a[5].add_amount(education);
        a[6].add_amount(medical);
        a[7].add_amount(allowance);
        a[8].add_yes_no(extreme);
        a[9].add_yes_no(credit);
    }

    /// Adds `o`'s counts in (not its incomes).
    fn merge(&mut self, o: &Partial) {
        self.coverage += &o.coverage;
        self.households += o.households;
        for (a, b) in self.attainment.iter_mut().zip(&o.attainment) {
            a.merge(b);
        }
        for (a, b) in self.assistance.iter_mut().zip(&o.assistance) {
            a.merge(b);
        }
        self.income_unknown += o.income_unknown;
        for (kind, n) in &o.quality {
            *self.quality.entry(kind.clone()).or_default() += n;
        }
    }

    /// The unit's table, its incomes those of `runs` (each sorted).
    fn table(&self, level: Level, code: &str, runs: &[&[f64]]) -> UnitTable {
        UnitTable {
            level,
            code: code.to_string(),
            name: name(level, code),
            coverage: self.coverage,
            households: self.households,
            attainment: self.attainment,
            income: Income::of_runs(runs, self.income_unknown),
            assistance: self.assistance,
            quality: self.quality.clone(),
        }
    }
}

fn name(level: Level, code: &str) -> String {
    match level {
        Level::National => "全国".to_string(),
        Level::County => {
            assess_divisions::poverty_county(code).map_or_else(String::new, |c| c.name.clone())
        }
        Level::Province => assess_divisions::poverty_counties()
            .iter()
            .find(|c| c.code.starts_with(code))
            .map_or_else(String::new, |c| c.province.clone()),
    }
}

/// Coverage of one county against its register (rows of this county only), with its
/// follow-up list of the missing. The same as [`CensusTables::add_county`] gives, without
/// keeping anything.
pub fn county_coverage(
    county: &str,
    register: &[impl RegisterFields],
    returns: &[impl ReturnFields],
) -> Result<CountyCoverage, TablesError> {
    coverage::county(county, register, returns).map(|(c, _)| c)
}

/// One county's counts, made by [`CensusTables::count`], waiting to be inserted.
#[derive(Debug)]
pub struct CountedCounty {
    code: String,
    partial: Partial,
}

impl CountedCounty {
    /// Adds quality counts (a check's name and the returns it flagged), as
    /// [`CensusTables::add_quality`] does for a county already inserted.
    pub fn add_quality(&mut self, counts: impl IntoIterator<Item = (String, u64)>) {
        for (kind, n) in counts {
            *self.partial.quality.entry(kind).or_default() += n;
        }
    }
}

/// The tables, built one county at a time: add each county's register rows and returns,
/// then [`finish`](CensusTables::finish).
///
/// Memory: the counts, plus every counted household's income per person (8 bytes each, about
/// 240 MB for 30 million households), which the exact national quantiles need.
#[derive(Debug, Default)]
pub struct CensusTables {
    counties: BTreeMap<String, Partial>,
    townships: Vec<CoverageRow>,
    villages: Vec<CoverageRow>,
}

impl CensusTables {
    /// No county yet.
    pub fn new() -> CensusTables {
        CensusTables::default()
    }

    /// Adds a county: its register rows and its returns (both of this county only). Gives
    /// the county's coverage with its follow-up list of the missing.
    pub fn add_county(
        &mut self,
        county: &str,
        register: &[impl RegisterFields],
        returns: &[impl ReturnFields],
    ) -> Result<CountyCoverage, TablesError> {
        let (coverage, counted) = CensusTables::count(county, register, returns)?;
        self.insert(counted, &coverage)?;
        Ok(coverage)
    }

    /// Counts a county on its own (no table is touched, so counties can be counted on
    /// several threads at once), for [`insert`](CensusTables::insert): its coverage with the
    /// follow-up list of the missing, and its counts.
    pub fn count(
        county: &str,
        register: &[impl RegisterFields],
        returns: &[impl ReturnFields],
    ) -> Result<(CountyCoverage, CountedCounty), TablesError> {
        let (coverage, counted) = coverage::county(county, register, returns)?;
        let mut p = Partial {
            coverage: coverage.total,
            ..Partial::default()
        };
        p.incomes.reserve_exact(counted.len());
        for r in counted {
            p.add_return(r);
        }
        quantile::sort(&mut p.incomes);
        let county = CountedCounty {
            code: county.to_string(),
            partial: p,
        };
        Ok((coverage, county))
    }

    /// Adds a county counted by [`count`](CensusTables::count), with the coverage it gave
    /// (its townships and villages go into the coverage sheets).
    pub fn insert(
        &mut self,
        county: CountedCounty,
        coverage: &CountyCoverage,
    ) -> Result<(), TablesError> {
        if self.counties.contains_key(&county.code) {
            return Err(TablesError::CountyTwice(county.code));
        }
        self.counties.insert(county.code, county.partial);
        for (to, from) in [
            (&mut self.townships, &coverage.townships),
            (&mut self.villages, &coverage.villages),
        ] {
            to.extend(from.iter().map(|(code, c)| CoverageRow {
                code: code.clone(),
                coverage: *c,
            }));
        }
        Ok(())
    }

    /// Adds quality counts of a county already added (a check's name and the returns it
    /// flagged); added to what the county has, and to its province's and the nation's.
    pub fn add_quality(
        &mut self,
        county: &str,
        counts: impl IntoIterator<Item = (String, u64)>,
    ) -> Result<(), TablesError> {
        let p = self
            .counties
            .get_mut(county)
            .ok_or_else(|| TablesError::UnknownCounty(county.to_string()))?;
        for (kind, n) in counts {
            *p.quality.entry(kind).or_default() += n;
        }
        Ok(())
    }

    /// The tables of every county added, their provinces and the nation. Provincial and
    /// national quantiles are exact: taken over the counties' values put together.
    pub fn finish(self) -> Tables {
        let mut counties = Vec::with_capacity(self.counties.len());
        // Each province's counts, and its counties' sorted incomes (its runs).
        let mut provinces: BTreeMap<&str, (Partial, Vec<&[f64]>)> = BTreeMap::new();
        for (code, p) in &self.counties {
            counties.push(p.table(Level::County, code, &[&p.incomes]));
            let (province, runs) = provinces.entry(code.get(..2).unwrap_or(code)).or_default();
            province.merge(p);
            runs.push(&p.incomes);
        }
        let mut province_tables = Vec::with_capacity(provinces.len());
        let mut national = Partial::default();
        for (code, (p, runs)) in &provinces {
            province_tables.push(p.table(Level::Province, code, runs));
            national.merge(p);
        }
        let every_county: Vec<&[f64]> = self.counties.values().map(|p| &p.incomes[..]).collect();
        let national = national.table(Level::National, "", &every_county);
        let mut townships = self.townships;
        let mut villages = self.villages;
        townships.sort_by(|a, b| a.code.cmp(&b.code));
        villages.sort_by(|a, b| a.code.cmp(&b.code));
        Tables {
            national,
            provinces: province_tables,
            counties,
            townships,
            villages,
        }
    }
}
