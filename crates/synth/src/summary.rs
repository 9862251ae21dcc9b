//! Counts of what was generated and the realised true rates.

use assess_household::Status;
use serde::Serialize;

/// Households and people.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Count {
    /// Households.
    pub households: u64,
    /// People (sum of members).
    pub people: u64,
}

impl Count {
    fn add(&mut self, members: u32) {
        self.households += 1;
        self.people += u64::from(members);
    }

    fn merge(&mut self, other: Count) {
        self.households += other.households;
        self.people += other.people;
    }
}

/// A realised rate by households and by people.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Rate {
    /// Truly poor households ÷ households of the stratum (0 when the stratum is empty).
    pub households: f64,
    /// People in truly poor households ÷ people of the stratum.
    pub people: f64,
}

/// One register stratum (exited, poor or non-registered) and its truly poor part.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Stratum {
    /// All households of the stratum.
    pub all: Count,
    /// Those truly poor: wrong exits, still poor, or missed.
    pub truly_poor: Count,
}

impl Stratum {
    /// The realised rate of truly poor households and people.
    pub fn rate(&self) -> Rate {
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        Rate {
            households: ratio(self.truly_poor.households, self.all.households),
            people: ratio(self.truly_poor.people, self.all.people),
        }
    }

    fn merge(&mut self, other: &Stratum) {
        self.all.merge(other.all);
        self.truly_poor.merge(other.truly_poor);
    }
}

/// Counts of one county or of the whole run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Tally {
    /// Rural village-level units generated.
    pub villages: u64,
    /// Of which poverty villages.
    pub poverty_villages: u64,
    /// Of which remote villages.
    pub remote_villages: u64,
    /// All households.
    pub all: Count,
    /// Exited households; truly poor ones are wrong exits.
    pub exited: Stratum,
    /// Registered households not yet exited; truly poor ones are still poor.
    pub poor: Stratum,
    /// Households outside the register; truly poor ones are missed.
    pub non_registered: Stratum,
}

impl Tally {
    pub(crate) fn add_household(&mut self, status: Status, members: u32, truly_poor: bool) {
        self.all.add(members);
        let stratum = match status {
            Status::Exited => &mut self.exited,
            Status::Poor => &mut self.poor,
            Status::NonRegistered => &mut self.non_registered,
        };
        stratum.all.add(members);
        if truly_poor {
            stratum.truly_poor.add(members);
        }
    }

    pub(crate) fn merge(&mut self, other: &Tally) {
        self.villages += other.villages;
        self.poverty_villages += other.poverty_villages;
        self.remote_villages += other.remote_villages;
        self.all.merge(other.all);
        self.exited.merge(&other.exited);
        self.poor.merge(&other.poor);
        self.non_registered.merge(&other.non_registered);
    }

    /// Realised wrong-exit rate: truly poor among exited.
    pub fn wrong_exit_rate(&self) -> Rate {
        self.exited.rate()
    }

    /// Realised missed rate: truly poor among non-registered.
    pub fn missed_rate(&self) -> Rate {
        self.non_registered.rate()
    }

    /// Realised still-poor rate: truly poor among registered-poor.
    pub fn still_poor_rate(&self) -> Rate {
        self.poor.rate()
    }

    /// Realised comprehensive poverty incidence: truly poor households (and people) of every
    /// stratum ÷ all households (and people) — wrong exits, still poor and missed together.
    pub fn incidence(&self) -> Rate {
        let truly_poor = |f: fn(&Count) -> u64| {
            f(&self.exited.truly_poor)
                + f(&self.poor.truly_poor)
                + f(&self.non_registered.truly_poor)
        };
        let all = Stratum {
            all: self.all,
            truly_poor: Count {
                households: truly_poor(|c| c.households),
                people: truly_poor(|c| c.people),
            },
        };
        all.rate()
    }

    /// Share of households (and people) registered, exited or poor.
    pub fn registered_share(&self) -> Rate {
        let registered = Stratum {
            all: self.all,
            truly_poor: Count {
                households: self.exited.all.households + self.poor.all.households,
                people: self.exited.all.people + self.poor.all.people,
            },
        };
        registered.rate()
    }
}

/// One generated county.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountySummary {
    /// 6-digit county code.
    pub code: String,
    /// Name in the code list used.
    pub name: String,
    /// Exit batch year when one of the 832 poverty counties.
    pub exit_year: Option<u16>,
    /// What was generated there.
    pub tally: Tally,
}

/// What a run generated, with the realised rates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SynthSummary {
    /// Seed of the run.
    pub seed: u64,
    /// Division-code vintage of the village codes.
    pub vintage: String,
    /// Assessment year.
    pub year: u16,
    /// Income year whose poverty line was used.
    pub income_year: u16,
    /// The poverty line (yuan per person per year).
    pub poverty_line: f64,
    /// Totals over all counties.
    pub total: Tally,
    /// Realised rates over all counties (also derivable from `total`).
    pub rates: RealisedRates,
    /// Per county, in output order.
    pub counties: Vec<CountySummary>,
}

/// The realised rates of a run, against their targets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RealisedRates {
    /// Registered share of households and people.
    pub registered: Rate,
    /// Wrong exits among exited.
    pub wrong_exit: Rate,
    /// Missed among non-registered.
    pub missed: Rate,
    /// Still poor among registered-poor.
    pub still_poor: Rate,
    /// Comprehensive poverty incidence: truly poor among all.
    pub incidence: Rate,
}

impl RealisedRates {
    pub(crate) fn of(t: &Tally) -> RealisedRates {
        RealisedRates {
            registered: t.registered_share(),
            wrong_exit: t.wrong_exit_rate(),
            missed: t.missed_rate(),
            still_poor: t.still_poor_rate(),
            incidence: t.incidence(),
        }
    }
}
