//! A synthetic national census from the synthetic register (docs/census.md, "Synthetic
//! census"): every registered household of the register gets a return built from its true
//! situation (so the inspection rules judge it as the truth says), taken by an enumerator
//! posted from another county; faults are planted at settable rates and each is written to
//! the census truth file; four external registries (vehicles, property, business, payroll)
//! hold some members of the census, decoys outside it and near misses.
//!
//! The census has its own generator per county (seed, county code), so the register is the
//! same bytes with or without a census, and a county's census does not depend on the others.

mod ids;

use crate::geography::VillageSite;
use crate::household::Household;
use crate::visits::{household::record_as_truth_says, TruthRow, VisitSettings};
use crate::SynthError;
use assess_census::{Assistance, CensusReturn, CsvWriter, Enumerator, ReturnOutcome};
use assess_household::Status;
use assess_inspection::{Gps, HouseholdRecord, IdNumber, Sex};
use assess_standards::{HouseGrade, Standards};
use ids::{IdForm, Issuer};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::Write;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

/// The census truth file's columns, in order (docs/census.md, "The census truth file").
pub const CENSUS_TRUTH_HEADER: &str =
    "fault,registry,county_code,village_code,household_id,return_id,enumerator_id,member_id,id_number,detail";
/// The registries' files and their columns.
pub const REGISTRIES: [(&str, &str); 4] = [
    ("vehicles.csv", "owner_id_number,plate,value_yuan"),
    ("property.csv", "owner_id_number,kind,location"),
    ("business.csv", "id_number,role,company"),
    ("payroll.csv", "id_number,employer"),
];
/// A vehicle over this value (yuan) is the typical removal rule's (docs/sources.md#removal-rules).
const VEHICLE_THRESHOLD: f64 = 30_000.0;
/// Interviews a day, minutes between their starts, and their length.
const PER_DAY: u64 = 8;
const SLOT_MINUTES: i64 = 55;
const INTERVIEW_MINUTES: (i64, i64) = (20, 45);
/// A fabricated place: this far from the house, km.
const FAR_KM: (f64, f64) = (20.0, 80.0);

/// The format of the returns file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CensusFormat {
    /// JSON Lines, one return per line.
    #[default]
    Jsonl,
    /// CSV, one row per member.
    Csv,
}

/// Rates of the planted faults and the shape of the field work. Every rate is a probability
/// per registered household (per enumerated return for the fabrications, per enumerator for
/// the own county, per enumerated household for the registries).
#[derive(Debug, Clone, PartialEq)]
pub struct CensusSettings {
    /// Registered households never enumerated. Default 0.01.
    pub not_enumerated: f64,
    /// Registered households found dissolved: a return with that outcome and no household
    /// section. Default 0.003 (per registered household enumerated).
    pub dissolved: f64,
    /// Registered households found moved out of the county: a return with that outcome and no
    /// household section. Default 0.003 (per registered household enumerated).
    pub moved_out: f64,
    /// Returns of households that are not in the register: a new household id in the village
    /// of a registered household, taken by its enumerator right after it. Default 0.002 (per
    /// registered household enumerated).
    pub not_registered: f64,
    /// Returns uploaded twice (the same household, another return id). Default 0.005.
    pub duplicate: f64,
    /// Returns whose answers are copied from the enumerator's previous return. Default 0.003.
    pub copied: f64,
    /// Returns with impossible times: the end before the start, or a 2-3 minute interview
    /// (half each). Default 0.003.
    pub impossible_time: f64,
    /// Returns whose GPS fix is 20-80 km from the house. Default 0.003.
    pub far_place: f64,
    /// Enumerators working in their own county. Default 0.02.
    pub own_county: f64,
    /// An adult member owns a vehicle over 30,000 yuan. Default 0.01.
    pub vehicle: f64,
    /// An adult member owns an urban flat or shop. Default 0.005.
    pub property: f64,
    /// An adult member is a company's legal representative or shareholder. Default 0.005.
    pub business: f64,
    /// An adult member is on the public payroll. Default 0.003.
    pub payroll: f64,
    /// Near misses: an adult member owns a vehicle of at most 30,000 yuan (a quarter of them
    /// exactly 30,000). Default 0.01.
    pub near_miss_vehicle: f64,
    /// Decoys: a registry row of a person not in the census. Default 0.02.
    pub decoys: f64,
    /// Share of registry rows whose number is written in another form (old 15-digit,
    /// full-width, lower-case x). Default 0.1.
    pub id_variants: f64,
    /// Registered households per enumerator. Default 140 (30 million / 210,000).
    pub households_per_enumerator: u64,
    /// First interview time (RFC 3339); `None`: 1 July of the assessment year, 08:30 Beijing.
    pub start: Option<String>,
    /// The returns file's format.
    pub format: CensusFormat,
}

impl Default for CensusSettings {
    fn default() -> Self {
        CensusSettings {
            not_enumerated: 0.01,
            dissolved: 0.003,
            moved_out: 0.003,
            not_registered: 0.002,
            duplicate: 0.005,
            copied: 0.003,
            impossible_time: 0.003,
            far_place: 0.003,
            own_county: 0.02,
            vehicle: 0.01,
            property: 0.005,
            business: 0.005,
            payroll: 0.003,
            near_miss_vehicle: 0.01,
            decoys: 0.02,
            id_variants: 0.1,
            households_per_enumerator: 140,
            start: None,
            format: CensusFormat::Jsonl,
        }
    }
}

impl CensusSettings {
    /// Checks every setting (rates in [0, 1], the fabrications adding up to at most 1, the
    /// start time) for a run of assessment year `year`, before anything is written.
    pub fn check(&self, year: u16) -> Result<(), SynthError> {
        self.validate(year).map(|_| ())
    }

    pub(crate) fn validate(&self, year: u16) -> Result<OffsetDateTime, SynthError> {
        for (name, value) in [
            ("census-not-enumerated-rate", self.not_enumerated),
            ("census-dissolved-rate", self.dissolved),
            ("census-moved-rate", self.moved_out),
            ("census-unregistered-rate", self.not_registered),
            ("census-duplicate-rate", self.duplicate),
            ("census-copied-rate", self.copied),
            ("census-impossible-time-rate", self.impossible_time),
            ("census-far-place-rate", self.far_place),
            ("census-own-county-rate", self.own_county),
            ("census-vehicle-rate", self.vehicle),
            ("census-property-rate", self.property),
            ("census-business-rate", self.business),
            ("census-payroll-rate", self.payroll),
            ("census-near-miss-rate", self.near_miss_vehicle),
            ("census-decoy-rate", self.decoys),
            ("census-id-variant-rate", self.id_variants),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(SynthError::RateOutOfRange { name, value });
            }
        }
        if self.dissolved + self.moved_out > 1.0 {
            return Err(crate::bad(
                "census-dissolved-rate",
                self.dissolved,
                "the dissolved and moved-out rates add up to more than 1",
            ));
        }
        if self.copied + self.impossible_time + self.far_place > 1.0 {
            return Err(crate::bad(
                "census-copied-rate",
                self.copied,
                "the three fabrication rates add up to more than 1",
            ));
        }
        if self.households_per_enumerator == 0 {
            return Err(crate::bad(
                "census-households-per-enumerator",
                0,
                "must be at least 1",
            ));
        }
        let start = self
            .start
            .clone()
            .unwrap_or_else(|| format!("{year}-07-01T08:30:00+08:00"));
        OffsetDateTime::parse(&start, &Rfc3339).map_err(|_| {
            crate::bad(
                "census-start",
                start,
                "must be an RFC 3339 time with offset",
            )
        })
    }
}

/// Where the census goes: the returns, the truth and the four registries.
pub struct CensusWriters<'a> {
    /// The returns (JSON Lines or CSV).
    pub returns: &'a mut dyn Write,
    /// The census truth file.
    pub truth: &'a mut dyn Write,
    /// The registries, in the order of [`REGISTRIES`]: vehicles, property, business, payroll.
    pub registries: [&'a mut dyn Write; 4],
}

/// What the census holds and what was planted: each count equals the rows of its kind in
/// the census truth file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CensusSummary {
    /// Registered households (the census population).
    pub registered: u64,
    /// Returns written (duplicates included).
    pub returns: u64,
    /// Registered households never enumerated.
    pub not_enumerated: u64,
    /// Registered households whose return says dissolved.
    pub dissolved: u64,
    /// Registered households whose return says moved out.
    pub moved_out: u64,
    /// Returns of households not in the register.
    pub not_registered: u64,
    /// Duplicate returns.
    pub duplicate: u64,
    /// Returns copied from the enumerator's previous one.
    pub copied: u64,
    /// Returns with an end before the start.
    pub end_before_start: u64,
    /// Returns of 2-3 minutes.
    pub short_interview: u64,
    /// Returns with a GPS fix far from the house.
    pub far_place: u64,
    /// Enumerators.
    pub enumerators: u64,
    /// Enumerators working in their own county.
    pub own_county: u64,
    /// Registry rows of census members that the rules flag, by registry (vehicles over the
    /// threshold, urban property, business roles, payroll).
    pub registry: [u64; 4],
    /// Vehicles of census members at or under the threshold.
    pub near_miss_vehicle: u64,
    /// Registry rows of people not in the census.
    pub decoys: u64,
    /// Registry rows whose number is written in another form.
    pub id_variants: u64,
}

/// The census of one county as its households are generated.
pub(crate) struct CountyCensus<'s, 'w> {
    settings: &'s CensusSettings,
    out: &'s mut CensusOutput<'w>,
    summary: &'s mut CensusSummary,
    standards: &'s Standards,
    visit: VisitSettings,
    rng: ChaCha8Rng,
    county: String,
    homes: Vec<String>,
    day0: OffsetDateTime,
    issuer: Issuer,
    income_year: u16,
    seen: u64,
    seq: u64,
    unregistered_seq: u64,
    enumerator: Option<Enumerator>,
    enumerator_returns: u64,
    last: Option<CensusReturn>,
}

/// The writers of a run, with the returns writer in its format.
pub(crate) struct CensusOutput<'w> {
    returns: Returns<'w>,
    truth: &'w mut dyn Write,
    registries: [&'w mut dyn Write; 4],
}

enum Returns<'w> {
    Jsonl(&'w mut dyn Write),
    Csv(Box<CsvWriter<&'w mut dyn Write>>),
}

impl<'w> CensusOutput<'w> {
    /// Writes the headers.
    pub fn new(w: CensusWriters<'w>, format: CensusFormat) -> Result<CensusOutput<'w>, SynthError> {
        let returns = match format {
            CensusFormat::Jsonl => Returns::Jsonl(w.returns),
            CensusFormat::Csv => Returns::Csv(Box::new(CsvWriter::new(w.returns)?)),
        };
        writeln!(w.truth, "{CENSUS_TRUTH_HEADER}")?;
        let mut registries = w.registries;
        for (out, (_, header)) in registries.iter_mut().zip(REGISTRIES) {
            writeln!(out, "{header}")?;
        }
        Ok(CensusOutput {
            returns,
            truth: w.truth,
            registries,
        })
    }

    fn write(&mut self, r: &CensusReturn) -> std::io::Result<()> {
        match &mut self.returns {
            Returns::Jsonl(w) => assess_census::write_jsonl(w, r),
            Returns::Csv(w) => w.write(r),
        }
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.returns {
            Returns::Jsonl(w) => w.flush()?,
            Returns::Csv(w) => w.flush()?,
        }
        self.truth.flush()?;
        for r in &mut self.registries {
            r.flush()?;
        }
        Ok(())
    }
}

/// One row of the census truth file.
#[derive(Default)]
struct Fault<'a> {
    fault: &'a str,
    registry: &'a str,
    village: &'a str,
    household: &'a str,
    return_id: &'a str,
    enumerator: &'a str,
    member: &'a str,
    id_number: &'a str,
    detail: String,
}

impl<'s, 'w> CountyCensus<'s, 'w> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        settings: &'s CensusSettings,
        out: &'s mut CensusOutput<'w>,
        summary: &'s mut CensusSummary,
        standards: &'s Standards,
        seed: u64,
        county: &str,
        homes: Vec<String>,
        day0: OffsetDateTime,
        income_year: u16,
    ) -> Self {
        let mut visit = VisitSettings::new(day0.format(&Rfc3339).unwrap_or_default());
        visit.income_year = income_year;
        CountyCensus {
            settings,
            out,
            summary,
            standards,
            visit,
            rng: census_rng(seed, county),
            county: county.to_string(),
            homes,
            day0,
            issuer: Issuer::new(county),
            income_year,
            seen: 0,
            seq: 0,
            unregistered_seq: 0,
            enumerator: None,
            enumerator_returns: 0,
            last: None,
        }
    }

    fn fault(&mut self, f: Fault<'_>) -> std::io::Result<()> {
        writeln!(
            self.out.truth,
            "{},{},{},{},{},{},{},{},{},{}",
            f.fault,
            f.registry,
            self.county,
            f.village,
            f.household,
            f.return_id,
            f.enumerator,
            f.member,
            f.id_number,
            f.detail
        )
    }

    /// The census of one household of the register.
    pub fn household(
        &mut self,
        site: &VillageSite,
        id: &str,
        h: &Household,
        position: Option<(f64, f64)>,
        truly_poor: bool,
    ) -> Result<(), SynthError> {
        if !h.status.is_registered() {
            return Ok(());
        }
        if self
            .seen
            .is_multiple_of(self.settings.households_per_enumerator)
        {
            self.next_enumerator()?;
        }
        self.seen += 1;
        self.summary.registered += 1;
        if self.rng.random::<f64>() < self.settings.not_enumerated {
            self.summary.not_enumerated += 1;
            return Ok(self.fault(Fault {
                fault: "not_enumerated",
                village: &site.code,
                household: id,
                ..Fault::default()
            })?);
        }
        let u = self.rng.random::<f64>();
        if u < self.settings.dissolved + self.settings.moved_out {
            let outcome = if u < self.settings.dissolved {
                ReturnOutcome::Dissolved
            } else {
                ReturnOutcome::MovedOut
            };
            return self.gone(site, id, position, outcome);
        }
        let truth = truth_row(id, h, truly_poor);
        let mut record = record_as_truth_says(
            id,
            h.status,
            h.members,
            &truth,
            self.standards,
            &self.visit,
            &mut self.rng,
        )?;
        self.issue_numbers(&mut record);
        let assistance = self.assistance(&record, h.status);
        let (start, end) = self.times();
        let gps = position.map(|(lon, lat)| jitter_gps(lon, lat, 0.02, &mut self.rng));
        let enumerator = self.enumerator.clone().expect("an enumerator is posted");
        let mut r = CensusReturn {
            return_id: self.next_return_id(),
            household_id: id.to_string(),
            county_code: self.county.clone(),
            village_code: site.code.clone(),
            enumerator,
            outcome: ReturnOutcome::Enumerated,
            start: format(start),
            end: format(end),
            gps,
            household: Some(record.clone()),
            assistance,
        };
        self.fabricate(&mut r, start, site)?;
        self.out.write(&r)?;
        self.summary.returns += 1;
        if self.rng.random::<f64>() < self.settings.duplicate {
            let mut dup = r.clone();
            dup.return_id = self.next_return_id();
            let later = Duration::days(self.rng.random_range(1..=5));
            dup.start = shifted(&r.start, later);
            dup.end = shifted(&r.end, later);
            self.out.write(&dup)?;
            self.summary.returns += 1;
            self.summary.duplicate += 1;
            self.fault(Fault {
                fault: "duplicate",
                village: &site.code,
                household: id,
                return_id: &dup.return_id,
                enumerator: &dup.enumerator.id,
                detail: format!("of {}", r.return_id),
                ..Fault::default()
            })?;
        }
        self.registries(site, id, &r.return_id, &record)?;
        self.last = Some(r);
        if self.rng.random::<f64>() < self.settings.not_registered {
            self.unregistered(site, h, position, truly_poor)?;
        }
        Ok(())
    }

    /// The return of a registered household found dissolved or moved out: no household
    /// section, no assistance, the fix at the house.
    fn gone(
        &mut self,
        site: &VillageSite,
        id: &str,
        position: Option<(f64, f64)>,
        outcome: ReturnOutcome,
    ) -> Result<(), SynthError> {
        let (start, end) = self.times();
        let gps = position.map(|(lon, lat)| jitter_gps(lon, lat, 0.02, &mut self.rng));
        let r = CensusReturn {
            return_id: self.next_return_id(),
            household_id: id.to_string(),
            county_code: self.county.clone(),
            village_code: site.code.clone(),
            enumerator: self.enumerator.clone().expect("an enumerator is posted"),
            outcome,
            start: format(start),
            end: format(end),
            gps,
            household: None,
            assistance: Assistance::default(),
        };
        self.out.write(&r)?;
        self.summary.returns += 1;
        let fault = match outcome {
            ReturnOutcome::Dissolved => {
                self.summary.dissolved += 1;
                "dissolved"
            }
            _ => {
                self.summary.moved_out += 1;
                "moved_out"
            }
        };
        Ok(self.fault(Fault {
            fault,
            village: &site.code,
            household: id,
            return_id: &r.return_id,
            enumerator: &r.enumerator.id,
            ..Fault::default()
        })?)
    }

    /// The return of a household that is not in the register, in the village of the
    /// registered household `h` just enumerated and with its true situation (income,
    /// guarantees, size) but its own id, members and numbers, its status non-registered: the
    /// inspection rules judge it missed exactly when it is truly poor (the truth's detail).
    /// Its id is `{village}-N{k:04}`, which no register id (`{village}-{seq:04}`) is.
    fn unregistered(
        &mut self,
        site: &VillageSite,
        h: &Household,
        position: Option<(f64, f64)>,
        truly_poor: bool,
    ) -> Result<(), SynthError> {
        self.unregistered_seq += 1;
        let id = format!("{}-N{:04}", site.code, self.unregistered_seq);
        let mut truth = truth_row(&id, h, truly_poor);
        truth.wrong_exit = false;
        truth.still_poor = false;
        truth.missed = truly_poor;
        let status = Status::NonRegistered;
        let mut record = record_as_truth_says(
            &id,
            status,
            h.members,
            &truth,
            self.standards,
            &self.visit,
            &mut self.rng,
        )?;
        self.issue_numbers(&mut record);
        let assistance = self.assistance(&record, status);
        let (start, end) = self.times();
        let gps = position.map(|(lon, lat)| jitter_gps(lon, lat, 0.2, &mut self.rng));
        let r = CensusReturn {
            return_id: self.next_return_id(),
            household_id: id.clone(),
            county_code: self.county.clone(),
            village_code: site.code.clone(),
            enumerator: self.enumerator.clone().expect("an enumerator is posted"),
            outcome: ReturnOutcome::Enumerated,
            start: format(start),
            end: format(end),
            gps,
            household: Some(record),
            assistance,
        };
        self.out.write(&r)?;
        self.summary.returns += 1;
        self.summary.not_registered += 1;
        Ok(self.fault(Fault {
            fault: "not_registered",
            village: &site.code,
            household: &id,
            return_id: &r.return_id,
            enumerator: &r.enumerator.id,
            detail: format!("truly_poor={truly_poor}"),
            ..Fault::default()
        })?)
    }

    fn next_return_id(&mut self) -> String {
        self.seq += 1;
        format!("{}-{:07}", self.county, self.seq)
    }

    fn next_enumerator(&mut self) -> Result<(), SynthError> {
        let k = self.seen / self.settings.households_per_enumerator + 1;
        let own = self.homes.is_empty() || self.rng.random::<f64>() < self.settings.own_county;
        let home = if own {
            self.county.clone()
        } else {
            self.homes[self.rng.random_range(0..self.homes.len())].clone()
        };
        let e = Enumerator {
            id: format!("E{}-{k:04}", self.county),
            home_county: home,
        };
        self.summary.enumerators += 1;
        if own {
            self.summary.own_county += 1;
            self.fault(Fault {
                fault: "own_county",
                enumerator: &e.id,
                detail: format!("home county {}", e.home_county),
                ..Fault::default()
            })?;
        }
        self.enumerator = Some(e);
        self.enumerator_returns = 0;
        self.last = None;
        Ok(())
    }

    /// The k-th interview of the enumerator: 8 a day from 08:30, 55 minutes apart.
    fn times(&mut self) -> (OffsetDateTime, OffsetDateTime) {
        let k = self.enumerator_returns;
        self.enumerator_returns += 1;
        let start = self.day0
            + Duration::days((k / PER_DAY) as i64)
            + Duration::minutes((k % PER_DAY) as i64 * SLOT_MINUTES + self.rng.random_range(0..10));
        let length = self
            .rng
            .random_range(INTERVIEW_MINUTES.0..=INTERVIEW_MINUTES.1);
        (start, start + Duration::minutes(length))
    }

    /// Plants at most one fabrication in the return, with its truth row.
    fn fabricate(
        &mut self,
        r: &mut CensusReturn,
        start: OffsetDateTime,
        site: &VillageSite,
    ) -> Result<(), SynthError> {
        let s = self.settings;
        let u = self.rng.random::<f64>();
        let (fault, detail) = if u < s.copied {
            let Some(source) = &self.last else {
                return Ok(());
            };
            copy_answers(r, source);
            self.summary.copied += 1;
            ("copied", format!("from {}", source.return_id))
        } else if u < s.copied + s.impossible_time {
            if self.rng.random::<bool>() {
                let back = self.rng.random_range(5..=60);
                r.end = format(start - Duration::minutes(back));
                self.summary.end_before_start += 1;
                (
                    "end_before_start",
                    format!("{back} minutes before the start"),
                )
            } else {
                let seconds = self.rng.random_range(120..=180);
                r.end = format(start + Duration::seconds(seconds));
                self.summary.short_interview += 1;
                ("short_interview", format!("{seconds} seconds"))
            }
        } else if u < s.copied + s.impossible_time + s.far_place {
            let Some(g) = r.gps else {
                return Ok(());
            };
            let km = self.rng.random_range(FAR_KM.0..FAR_KM.1);
            let angle = self.rng.random_range(0.0..std::f64::consts::TAU);
            let (dx, dy) = (km * 1000.0 * angle.cos(), km * 1000.0 * angle.sin());
            r.gps = Some(Gps {
                lat: round6(g.lat + dy / 111_320.0),
                lon: round6(g.lon + dx / (111_320.0 * g.lat.to_radians().cos().max(0.01))),
            });
            self.summary.far_place += 1;
            ("far_place", format!("{km:.1} km from the house"))
        } else {
            return Ok(());
        };
        Ok(self.fault(Fault {
            fault,
            village: &site.code,
            household: &r.household_id,
            return_id: &r.return_id,
            enumerator: &r.enumerator.id,
            detail,
            ..Fault::default()
        })?)
    }

    /// Every member gets an identity number consistent with their age at the reference date
    /// (31 December of the income year) and their sex.
    fn issue_numbers(&mut self, record: &mut HouseholdRecord) {
        for m in &mut record.members {
            let age = m.age.unwrap_or(30) as u16;
            let male = m.sex != Some(Sex::Female);
            let id = self
                .issuer
                .issue(self.income_year.saturating_sub(age), male, &mut self.rng);
            m.id_number = IdNumber::parse(&id).ok();
        }
    }

    fn assistance(&mut self, record: &HouseholdRecord, status: Status) -> Assistance {
        let rng = &mut self.rng;
        let amount = |p: f64, lo: f64, hi: f64, rng: &mut ChaCha8Rng| {
            Some(if rng.random::<f64>() < p {
                rng.random_range(lo..hi).round()
            } else {
                0.0
            })
        };
        let pupils = record.members.iter().any(|m| m.schooling.is_some());
        let assisted = record
            .members
            .iter()
            .any(|m| m.cover.medical_assistance == Some(true));
        let allowance = if status == Status::Poor { 0.5 } else { 0.2 };
        let n = record.members.len() as f64;
        Assistance {
            industrial_support_yuan: amount(0.7, 500.0, 5000.0, rng),
            employment_support: Some(rng.random::<f64>() < 0.45),
            public_welfare_post: Some(rng.random::<f64>() < 0.12),
            relocated: Some(rng.random::<f64>() < 0.08),
            housing_renovation_yuan: amount(0.1, 8000.0, 30000.0, rng),
            education_aid_yuan: amount(if pupils { 0.9 } else { 0.0 }, 500.0, 3000.0, rng),
            medical_aid_yuan: amount(if assisted { 0.8 } else { 0.0 }, 200.0, 5000.0, rng),
            minimum_living_allowance_yuan: amount(allowance, 1500.0 * n, 4000.0 * n, rng),
            extreme_poverty_support: Some(n == 1.0 && rng.random::<f64>() < 0.3),
            microcredit: Some(rng.random::<f64>() < 0.25),
        }
    }

    /// Registry rows of this household's members (planted and near misses) and decoys.
    fn registries(
        &mut self,
        site: &VillageSite,
        household: &str,
        return_id: &str,
        record: &HouseholdRecord,
    ) -> Result<(), SynthError> {
        let s = self.settings;
        let adults: Vec<(String, String)> = record
            .members
            .iter()
            .filter(|m| m.age.unwrap_or(0) >= 18)
            .filter_map(|m| Some((m.id.clone(), m.id_number.as_ref()?.reveal().to_string())))
            .collect();
        let rates = [
            s.vehicle,
            s.property,
            s.business,
            s.payroll,
            s.near_miss_vehicle,
        ];
        for (k, rate) in rates.into_iter().enumerate() {
            if self.rng.random::<f64>() >= rate || adults.is_empty() {
                continue;
            }
            let (member, number) = &adults[self.rng.random_range(0..adults.len())];
            let near_miss = k == 4;
            let registry = if near_miss { 0 } else { k };
            let (row, detail) = self.registry_row(registry, near_miss);
            let form = self.write_registry(registry, number, &row)?;
            let fault = if near_miss {
                self.summary.near_miss_vehicle += 1;
                "near_miss"
            } else {
                self.summary.registry[k] += 1;
                "registry"
            };
            self.fault(Fault {
                fault,
                registry: registry_name(registry),
                village: &site.code,
                household,
                return_id,
                member,
                id_number: number,
                detail: format!("{detail}; id_form={}", form.as_str()),
                ..Fault::default()
            })?;
        }
        if self.rng.random::<f64>() < s.decoys {
            let registry = self.rng.random_range(0..4);
            let year = self
                .income_year
                .saturating_sub(self.rng.random_range(20..=70));
            let male = self.rng.random::<bool>();
            let number = self.issuer.issue(year, male, &mut self.rng);
            let (row, detail) = self.registry_row(registry, false);
            let form = self.write_registry(registry, &number, &row)?;
            self.summary.decoys += 1;
            self.fault(Fault {
                fault: "decoy",
                registry: registry_name(registry),
                id_number: &number,
                detail: format!("{detail}; id_form={}", form.as_str()),
                ..Fault::default()
            })?;
        }
        Ok(())
    }

    /// The columns after the number, and the truth's detail.
    fn registry_row(&mut self, registry: usize, near_miss: bool) -> (String, String) {
        let rng = &mut self.rng;
        match registry {
            0 => {
                let value = if near_miss {
                    if rng.random::<f64>() < 0.25 {
                        VEHICLE_THRESHOLD
                    } else {
                        rng.random_range(3_000.0..VEHICLE_THRESHOLD).round()
                    }
                } else {
                    rng.random_range(VEHICLE_THRESHOLD + 1.0..300_000.0).round()
                };
                let plate = format!("云A{:05}", rng.random_range(0..100_000));
                (format!("{plate},{value}"), format!("value_yuan={value}"))
            }
            1 => {
                let kind = if rng.random::<f64>() < 0.8 {
                    "urban_flat"
                } else {
                    "shop"
                };
                (
                    format!("{kind},{} county seat", self.county),
                    format!("kind={kind}"),
                )
            }
            2 => {
                let role = if rng.random::<bool>() {
                    "legal_representative"
                } else {
                    "shareholder"
                };
                let company = format!("Synthetic Trading Co. {}", rng.random_range(1..10_000));
                (format!("{role},{company}"), format!("role={role}"))
            }
            _ => {
                let employer = if rng.random::<bool>() {
                    "county government"
                } else {
                    "township school"
                };
                (employer.to_string(), format!("employer={employer}"))
            }
        }
    }

    fn write_registry(
        &mut self,
        registry: usize,
        number: &str,
        rest: &str,
    ) -> std::io::Result<IdForm> {
        let form = if self.rng.random::<f64>() < self.settings.id_variants {
            ids::other_form(number, &mut self.rng)
        } else {
            IdForm::Canonical
        };
        if form != IdForm::Canonical {
            self.summary.id_variants += 1;
        }
        writeln!(
            self.out.registries[registry],
            "{},{rest}",
            ids::written(number, form)
        )?;
        Ok(form)
    }
}

fn registry_name(k: usize) -> &'static str {
    ["vehicle", "property", "business", "payroll"][k]
}

/// The copied return: the source's household answers (income, food and clothing, housing,
/// water, approval, identification) and assistance, under this return's household (its id,
/// status and members: the enumerator still lists the people by their documents).
fn copy_answers(r: &mut CensusReturn, source: &CensusReturn) {
    let (Some(own), Some(copied)) = (r.household.as_ref(), source.household.as_ref()) else {
        return;
    };
    let mut h = copied.clone();
    h.household_id = own.household_id.clone();
    h.status = own.status;
    h.register_members = own.register_members;
    h.members = own.members.clone();
    r.household = Some(h);
    r.assistance = source.assistance;
}

fn truth_row(id: &str, h: &Household, truly_poor: bool) -> TruthRow {
    let t = &h.truth;
    let grade = match t.housing_grade {
        'A' => HouseGrade::A,
        'B' => HouseGrade::B,
        'C' => HouseGrade::C,
        _ => HouseGrade::D,
    };
    TruthRow {
        household_id: id.to_string(),
        true_income_per_capita: t.income,
        food_ok: t.food_ok,
        clothing_ok: t.clothing_ok,
        education_ok: t.education_ok,
        medical_ok: t.medical_ok,
        housing_grade: grade,
        housing_ok: t.housing_ok(),
        water_ok: t.water_ok,
        truly_poor,
        wrong_exit: truly_poor && h.status == Status::Exited,
        missed: truly_poor && h.status == Status::NonRegistered,
        still_poor: truly_poor && h.status == Status::Poor,
    }
}

fn census_rng(seed: u64, county: &str) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    let code: u64 = county.parse().unwrap_or(0);
    key[8..16].copy_from_slice(&code.to_le_bytes());
    key[16..29].copy_from_slice(b"assess-census");
    ChaCha8Rng::from_seed(key)
}

fn jitter_gps(lon: f64, lat: f64, km: f64, rng: &mut ChaCha8Rng) -> Gps {
    let dx = rng.random_range(-km..km) * 1000.0;
    let dy = rng.random_range(-km..km) * 1000.0;
    Gps {
        lat: round6(lat + dy / 111_320.0),
        lon: round6(lon + dx / (111_320.0 * lat.to_radians().cos().max(0.01))),
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn format(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).expect("a time in range formats")
}

fn shifted(text: &str, by: Duration) -> String {
    OffsetDateTime::parse(text, &Rfc3339)
        .map(|t| format(t + by))
        .unwrap_or_else(|_| text.to_string())
}

/// The counties enumerators of `county` come from: the other poverty counties of its
/// province, else every other poverty county.
pub(crate) fn home_counties(county: &str) -> Vec<String> {
    let all = assess_divisions::poverty_counties();
    let same: Vec<String> = all
        .iter()
        .filter(|c| c.code != county && c.code[..2] == county[..2.min(county.len())])
        .map(|c| c.code.clone())
        .collect();
    if !same.is_empty() {
        return same;
    }
    all.iter()
        .filter(|c| c.code != county)
        .map(|c| c.code.clone())
        .collect()
}
