//! The three CSV outputs. Household rows are formatted by hand (every field is a number,
//! a code or a fixed word, so nothing needs quoting) because they are most of the run time;
//! village rows carry free-text names and go through the csv crate.

use crate::geography::{jitter, VillageSite};
use crate::household::{Household, HouseholdModel};
use crate::summary::Tally;
use crate::village::VillageTraits;
use crate::SynthError;
use assess_household::Status;
use rand_chacha::ChaCha8Rng;
use std::io::Write;

/// Truth file columns, in order.
pub(crate) const TRUTH_HEADER: &str = "household_id,true_income_per_capita,food_ok,clothing_ok,education_ok,medical_ok,housing_grade,housing_ok,water_ok,truly_poor,wrong_exit,missed,still_poor";

/// Households of a villager group (村民小组): about 40 (a natural hamlet), at most 15 groups.
const HOUSEHOLDS_PER_GROUP: u64 = 40;
const MAX_GROUPS: u64 = 15;
/// Spread of a group's hamlet around the village centre, and of houses around the hamlet
/// (metres): a few hundred metres in all.
const GROUP_SPREAD_M: f64 = 250.0;
const HOUSE_SPREAD_M: f64 = 100.0;

/// The writers of a run.
pub(crate) struct Outputs<'a, R: Write, V: Write, T: Write> {
    pub register: &'a mut R,
    pub villages: Option<&'a mut csv::Writer<V>>,
    pub truth: Option<&'a mut T>,
}

impl<R: Write, V: Write, T: Write> Outputs<'_, R, V, T> {
    /// One row of the village file, if wanted.
    pub fn village(
        &mut self,
        site: &VillageSite,
        traits: &VillageTraits,
    ) -> Result<(), SynthError> {
        let Some(w) = self.villages.as_mut() else {
            return Ok(());
        };
        let (lon, lat) = coords(site.centre);
        w.write_record([
            site.code.as_str(),
            site.name.as_str(),
            bool_str(traits.poverty_village),
            bool_str(traits.remote),
            &lon,
            &lat,
        ])?;
        Ok(())
    }
}

/// The register's data columns and one display column, the villager group: a synthetic
/// household has no name, address or phone.
pub(crate) fn register_header(w: &mut impl Write) -> std::io::Result<()> {
    let data = &assess_household::FRAME_COLUMNS[..8];
    writeln!(w, "{},group", data.join(","))
}

pub(crate) fn truth_header(w: &mut impl Write) -> std::io::Result<()> {
    writeln!(w, "{TRUTH_HEADER}")
}

/// Generates and writes the households of one village; returns how many.
pub(crate) fn village_households<R: Write, V: Write, T: Write>(
    out: &mut Outputs<'_, R, V, T>,
    site: &VillageSite,
    village: &VillageTraits,
    model: &HouseholdModel,
    rng: &mut ChaCha8Rng,
    tally: &mut Tally,
    mut census: Option<&mut crate::census::CountyCensus<'_, '_>>,
) -> Result<u64, SynthError> {
    let n = village.households;
    let groups = n.div_ceil(HOUSEHOLDS_PER_GROUP).clamp(1, MAX_GROUPS);
    let hamlets: Vec<Option<(f64, f64)>> = (0..groups)
        .map(|_| site.centre.map(|c| jitter(c, GROUP_SPREAD_M, rng)))
        .collect();
    for seq in 0..n {
        // Groups take consecutive households, as registers list them group by group.
        let group = seq * groups / n;
        let h = model.draw(village, rng);
        let position = hamlets[group as usize].map(|c| jitter(c, HOUSE_SPREAD_M, rng));
        let truly_poor = h.truth.truly_poor(model.line);
        tally.add_household(h.status, h.members, truly_poor);
        let id = HouseholdId {
            village: &site.code,
            seq: seq + 1,
        };
        register_row(out.register, &id, &h, position, group + 1)?;
        if let Some(t) = out.truth.as_mut() {
            truth_row(*t, &id, &h, truly_poor, model.line)?;
        }
        if let Some(c) = census.as_deref_mut() {
            c.household(site, &id.to_string(), &h, position, truly_poor)?;
        }
    }
    Ok(n)
}

/// `{village_code}-{seq:04}`: unique across the run because village codes are.
struct HouseholdId<'a> {
    village: &'a str,
    seq: u64,
}

impl std::fmt::Display for HouseholdId<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{:04}", self.village, self.seq)
    }
}

fn register_row(
    w: &mut impl Write,
    id: &HouseholdId<'_>,
    h: &Household,
    position: Option<(f64, f64)>,
    group: u64,
) -> std::io::Result<()> {
    write!(w, "{id},{},{},", id.village, h.status.as_str())?;
    if let Some(y) = h.exit_year {
        write!(w, "{y}")?;
    }
    write!(w, ",{},{:.0},", h.members, h.register_income)?;
    if let Some((lon, lat)) = position {
        write!(w, "{lon:.6},{lat:.6}")?;
    } else {
        w.write_all(b",")?;
    }
    writeln!(w, ",{group}组")
}

fn truth_row(
    w: &mut impl Write,
    id: &HouseholdId<'_>,
    h: &Household,
    truly_poor: bool,
    line: f64,
) -> std::io::Result<()> {
    let t = &h.truth;
    debug_assert_eq!(truly_poor, t.truly_poor(line));
    writeln!(
        w,
        "{id},{:.0},{},{},{},{},{},{},{},{},{},{},{}",
        t.income,
        bool_str(t.food_ok),
        bool_str(t.clothing_ok),
        bool_str(t.education_ok),
        bool_str(t.medical_ok),
        t.housing_grade,
        bool_str(t.housing_ok()),
        bool_str(t.water_ok),
        bool_str(truly_poor),
        bool_str(truly_poor && h.status == Status::Exited),
        bool_str(truly_poor && h.status == Status::NonRegistered),
        bool_str(truly_poor && h.status == Status::Poor),
    )
}

fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

fn coords(c: Option<(f64, f64)>) -> (String, String) {
    match c {
        Some((lon, lat)) => (format!("{lon:.6}"), format!("{lat:.6}")),
        None => (String::new(), String::new()),
    }
}
