//! One household: register status, size, income, and its true situation against the exit
//! standard (income above the line and the "two no worries, three guarantees").

use crate::village::VillageTraits;
use assess_household::Status;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// First year households exited: the register was built in 2014 (建档立卡).
pub(crate) const FIRST_EXIT_YEAR: u16 = 2014;

/// Household sizes 1..=8 outside the register: mean 3.59, in the 3.5-3.8 of rural households
/// of poor counties, with a long tail of multi-generation households.
const SIZES_NON_REGISTERED: [f64; 8] = [0.09, 0.20, 0.21, 0.23, 0.14, 0.08, 0.035, 0.015];
/// Sizes of registered households: more 1-person (elderly living alone, 五保) and more
/// large households (many dependants), mean 3.67.
const SIZES_REGISTERED: [f64; 8] = [0.14, 0.17, 0.16, 0.20, 0.16, 0.10, 0.05, 0.02];

/// Per-capita income model, in multiples of the poverty line: (median, log-sd).
/// Ordinary households of a poor county earn about three times the line; exited households
/// about twice it (they exited by passing it with a margin); registered-poor ones who meet
/// the income test sit just above it.
const INCOME_NON_REGISTERED: (f64, f64) = (3.0, 0.6);
const INCOME_EXITED: (f64, f64) = (1.9, 0.35);
const INCOME_POOR: (f64, f64) = (1.3, 0.25);
/// Remote villages earn this share of the others' income.
const REMOTE_INCOME_FACTOR: f64 = 0.85;
/// A household that passes the income test is at least this far above the line.
const ABOVE_LINE_MIN: f64 = 1.02;
/// A household below the line earns between these multiples of it.
const BELOW_LINE: (f64, f64) = (0.55, 0.97);
/// Register income of a wrongly exited household short on income: recorded just above the
/// line (that is how it passed the village review), between these multiples.
const RECORDED_ABOVE_LINE: (f64, f64) = (1.02, 1.30);

/// Why a truly poor household is poor, with weights. Housing first: unsafe C/D houses were
/// the commonest shortfall (Luquan, docs/sources.md#luquan-scenario), then income.
const WHY_EXITED_OR_MISSED: [(Shortfall, f64); 5] = [
    (Shortfall::Housing, 0.45),
    (Shortfall::Income, 0.30),
    (Shortfall::Medical, 0.10),
    (Shortfall::Education, 0.08),
    (Shortfall::Water, 0.07),
];
/// Registered-poor households are poor mainly by income.
const WHY_STILL_POOR: [(Shortfall, f64); 5] = [
    (Shortfall::Income, 0.55),
    (Shortfall::Housing, 0.30),
    (Shortfall::Medical, 0.07),
    (Shortfall::Education, 0.05),
    (Shortfall::Water, 0.03),
];
/// Safe houses: share graded A (else B); remote villages have more B.
const HOUSING_A_SHARE: f64 = 0.6;
const HOUSING_A_SHARE_REMOTE: f64 = 0.45;
/// Unsafe houses: share graded D (else C).
const HOUSING_D_SHARE: f64 = 0.3;

/// The one standard a truly poor household fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Shortfall {
    /// Income below the poverty line of the income year.
    Income,
    /// An unsafe house (grade C or D, not renovated).
    Housing,
    /// A child of compulsory-school age out of school.
    Education,
    /// A member without basic medical insurance.
    Medical,
    /// Unsafe drinking water (too little water).
    Water,
}

impl Shortfall {
    /// Every standard, in the order of the option's help.
    pub const ALL: [Shortfall; 5] = [
        Shortfall::Income,
        Shortfall::Housing,
        Shortfall::Education,
        Shortfall::Medical,
        Shortfall::Water,
    ];

    /// The name used on the command line (`income`, `housing`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Shortfall::Income => "income",
            Shortfall::Housing => "housing",
            Shortfall::Education => "education",
            Shortfall::Medical => "medical",
            Shortfall::Water => "water",
        }
    }

    /// `mixed` (None: the built-in mix of reasons) or one standard by name.
    pub fn parse_choice(text: &str) -> Result<Option<Shortfall>, crate::SynthError> {
        let t = text.trim().to_ascii_lowercase();
        if t == "mixed" {
            return Ok(None);
        }
        Shortfall::ALL
            .into_iter()
            .find(|s| s.as_str() == t)
            .map(Some)
            .ok_or_else(|| crate::SynthError::BadSetting {
                name: "shortfall",
                value: text.to_string(),
                why: "must be mixed, income, housing, education, medical or water",
            })
    }
}

impl std::fmt::Display for Shortfall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A household's true situation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Truth {
    pub income: f64,
    pub food_ok: bool,
    pub clothing_ok: bool,
    pub education_ok: bool,
    pub medical_ok: bool,
    /// 'A'..='D' (2009/2019 rural housing safety grades).
    pub housing_grade: char,
    pub water_ok: bool,
}

impl Truth {
    pub fn housing_ok(&self) -> bool {
        matches!(self.housing_grade, 'A' | 'B')
    }

    /// Below the line of the income year, or any guarantee unmet.
    pub fn truly_poor(&self, line: f64) -> bool {
        self.income < line
            || !(self.food_ok
                && self.clothing_ok
                && self.education_ok
                && self.medical_ok
                && self.housing_ok()
                && self.water_ok)
    }
}

/// A generated household, before its id and position.
#[derive(Debug, Clone)]
pub(crate) struct Household {
    pub status: Status,
    pub exit_year: Option<u16>,
    pub members: u32,
    pub register_income: f64,
    pub truth: Truth,
}

/// What every household of a county shares.
pub(crate) struct HouseholdModel {
    /// Poverty line of the income year.
    pub line: f64,
    /// Share of registered households still poor.
    pub poor_share: f64,
    /// Possible exit years with cumulative weights.
    exit_years: Vec<(u16, f64)>,
    /// The standard every truly poor household fails; `None`: drawn from the built-in mix.
    pub fixed_shortfall: Option<Shortfall>,
}

impl HouseholdModel {
    /// Exit years from 2014 to `last`, later years likelier (weight k+1 for the k-th year):
    /// most households exited in the years just before their county did.
    pub fn new(line: f64, poor_share: f64, last_exit_year: u16) -> HouseholdModel {
        let first = FIRST_EXIT_YEAR.min(last_exit_year);
        let mut cumulative = 0.0;
        let exit_years = (first..=last_exit_year)
            .enumerate()
            .map(|(k, y)| {
                cumulative += (k + 1) as f64;
                (y, cumulative)
            })
            .collect();
        HouseholdModel {
            line,
            poor_share,
            exit_years,
            fixed_shortfall: None,
        }
    }

    /// Draws one household of a village.
    pub fn draw(&self, village: &VillageTraits, rng: &mut ChaCha8Rng) -> Household {
        let status = self.draw_status(village, rng);
        let members = draw_size(status, rng);
        let (p_poor, why) = match status {
            Status::Exited => (village.wrong_exit, &WHY_EXITED_OR_MISSED),
            Status::Poor => (village.still_poor, &WHY_STILL_POOR),
            Status::NonRegistered => (village.missed, &WHY_EXITED_OR_MISSED),
        };
        // A fixed shortfall draws nothing more; the mix draws one number (so `mixed` gives
        // exactly the stream it always did).
        let shortfall = (rng.random::<f64>() < p_poor)
            .then(|| self.fixed_shortfall.unwrap_or_else(|| pick(why, rng)));
        let truth = self.draw_truth(status, shortfall, village.remote, rng);
        let register_income = match (status, shortfall) {
            (Status::Exited, Some(Shortfall::Income)) => {
                self.round(self.line * uniform(RECORDED_ABOVE_LINE, rng))
            }
            _ => truth.income,
        };
        let exit_year = (status == Status::Exited).then(|| self.draw_exit_year(rng));
        Household {
            status,
            exit_year,
            members,
            register_income,
            truth,
        }
    }

    fn draw_status(&self, village: &VillageTraits, rng: &mut ChaCha8Rng) -> Status {
        if rng.random::<f64>() >= village.registered_share {
            Status::NonRegistered
        } else if rng.random::<f64>() < self.poor_share {
            Status::Poor
        } else {
            Status::Exited
        }
    }

    fn draw_exit_year(&self, rng: &mut ChaCha8Rng) -> u16 {
        let total = self.exit_years.last().map(|y| y.1).unwrap_or(1.0);
        let u = rng.random::<f64>() * total;
        self.exit_years
            .iter()
            .find(|y| u < y.1)
            .or(self.exit_years.last())
            .map(|y| y.0)
            .unwrap_or(FIRST_EXIT_YEAR)
    }

    fn draw_truth(
        &self,
        status: Status,
        shortfall: Option<Shortfall>,
        remote: bool,
        rng: &mut ChaCha8Rng,
    ) -> Truth {
        let income = if shortfall == Some(Shortfall::Income) {
            self.round(self.line * uniform(BELOW_LINE, rng))
        } else {
            self.income_above_line(status, remote, rng)
        };
        let housing_grade = if shortfall == Some(Shortfall::Housing) {
            if rng.random::<f64>() < HOUSING_D_SHARE {
                'D'
            } else {
                'C'
            }
        } else {
            let a = if remote {
                HOUSING_A_SHARE_REMOTE
            } else {
                HOUSING_A_SHARE
            };
            if rng.random::<f64>() < a {
                'A'
            } else {
                'B'
            }
        };
        Truth {
            income,
            food_ok: true,
            clothing_ok: true,
            education_ok: shortfall != Some(Shortfall::Education),
            medical_ok: shortfall != Some(Shortfall::Medical),
            housing_grade,
            water_ok: shortfall != Some(Shortfall::Water),
        }
    }

    /// Lognormal income of the household's group, redrawn until it passes the line with a
    /// margin (a few percent of draws), so only the chosen shortfall makes a household poor.
    fn income_above_line(&self, status: Status, remote: bool, rng: &mut ChaCha8Rng) -> f64 {
        let (median, sigma) = match status {
            Status::Exited => INCOME_EXITED,
            Status::Poor => INCOME_POOR,
            Status::NonRegistered => INCOME_NON_REGISTERED,
        };
        let median = if remote {
            median * REMOTE_INCOME_FACTOR
        } else {
            median
        };
        for _ in 0..32 {
            let z: f64 = StandardNormal.sample(rng);
            let multiple = median * (sigma * z).exp();
            if multiple >= ABOVE_LINE_MIN {
                return self.round(self.line * multiple);
            }
        }
        self.round(self.line * ABOVE_LINE_MIN)
    }

    /// Incomes are whole yuan; rounding up keeps an income at or above the line above it.
    fn round(&self, income: f64) -> f64 {
        if income >= self.line {
            income.ceil()
        } else {
            income.floor()
        }
    }
}

fn draw_size(status: Status, rng: &mut ChaCha8Rng) -> u32 {
    let table = if status.is_registered() {
        &SIZES_REGISTERED
    } else {
        &SIZES_NON_REGISTERED
    };
    let mut u = rng.random::<f64>();
    for (i, p) in table.iter().enumerate() {
        if u < *p {
            return i as u32 + 1;
        }
        u -= p;
    }
    table.len() as u32
}

fn pick(weights: &[(Shortfall, f64)], rng: &mut ChaCha8Rng) -> Shortfall {
    let total: f64 = weights.iter().map(|w| w.1).sum();
    let mut u = rng.random::<f64>() * total;
    for (s, w) in weights {
        if u < *w {
            return *s;
        }
        u -= w;
    }
    weights[weights.len() - 1].0
}

fn uniform((lo, hi): (f64, f64), rng: &mut ChaCha8Rng) -> f64 {
    lo + (hi - lo) * rng.random::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn village(rate: f64) -> VillageTraits {
        VillageTraits {
            households: 1000,
            remote: false,
            poverty_village: false,
            registered_share: 0.5,
            wrong_exit: rate,
            missed: rate,
            still_poor: rate,
        }
    }

    #[test]
    fn size_tables_are_distributions_with_the_documented_means() {
        for (table, mean) in [(SIZES_NON_REGISTERED, 3.585), (SIZES_REGISTERED, 3.67)] {
            assert!((table.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            let m: f64 = table
                .iter()
                .enumerate()
                .map(|(i, p)| (i + 1) as f64 * p)
                .sum();
            assert!((m - mean).abs() < 1e-9, "{m}");
        }
    }

    #[test]
    fn truth_and_register_agree_with_the_shortfall() {
        let model = HouseholdModel::new(2952.0, 0.1, 2018);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let all_poor = village(1.0);
        for _ in 0..5_000 {
            let h = model.draw(&all_poor, &mut rng);
            assert!(h.truth.truly_poor(model.line));
            assert!(h.members >= 1 && h.members <= 8);
            assert_eq!(h.exit_year.is_some(), h.status == Status::Exited);
            if h.status == Status::Exited {
                // The register shows every exited household above the line.
                assert!(h.register_income >= model.line, "{h:?}");
                assert!((2014..=2018).contains(&h.exit_year.unwrap()));
            }
        }
        let none_poor = village(0.0);
        for _ in 0..5_000 {
            let h = model.draw(&none_poor, &mut rng);
            assert!(!h.truth.truly_poor(model.line), "{h:?}");
            assert_eq!(h.register_income, h.truth.income);
        }
    }
}
