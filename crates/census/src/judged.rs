//! A return judged by the inspection rules, as the visit records are.

use crate::error::Problem;
use crate::model::CensusReturn;
use assess_inspection::{judge, Answer, InspectionError, Judgment, Outcome};
use assess_standards::{Standards, Tri};

/// A valid return with what the inspection rules make of it and its content hash.
#[derive(Debug, Clone, PartialEq)]
pub struct JudgedReturn {
    /// The return as read.
    pub census_return: CensusReturn,
    /// The judgment of the household section ([`assess_inspection::judge`]); `None` for a
    /// household not enumerated (dissolved or moved out).
    pub judgment: Option<Judgment>,
    /// [`CensusReturn::content_sha256`].
    pub content_sha256: String,
}

/// The judgment's results as flat values, for tables and columnar storage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Findings {
    /// Poverty line of the income year, yuan per person.
    pub poverty_line: f64,
    /// Per-person net income, when every source and the member count are known.
    pub income_per_person: Option<f64>,
    /// Income at or above the line.
    pub income: Tri,
    /// No worry about food and clothing.
    pub food_clothing: Tri,
    /// Compulsory education.
    pub education: Tri,
    /// Basic medical cover.
    pub medical: Tri,
    /// Housing safety.
    pub housing: Tri,
    /// Drinking-water safety.
    pub water: Tri,
    /// All five guarantees.
    pub guarantees: Tri,
    /// Below the line or a guarantee unmet (by register status: wrongly exited, still poor
    /// or missed; see [`Outcome`]).
    pub poor: Answer,
}

impl Findings {
    /// The flat findings of a judgment.
    pub fn of(j: &Judgment) -> Findings {
        Findings {
            poverty_line: j.income.line,
            income_per_person: j.income.per_person,
            income: j.income.check.status,
            food_clothing: j.food_clothing.status,
            education: j.education.status,
            medical: j.medical.status,
            housing: j.housing.check.status,
            water: j.water.status,
            guarantees: j.guarantees,
            poor: match j.outcome {
                Outcome::WronglyExited(a) | Outcome::StillPoor(a) | Outcome::Missed(a) => a,
            },
        }
    }
}

impl JudgedReturn {
    /// The flat findings, for an enumerated household.
    pub fn findings(&self) -> Option<Findings> {
        self.judgment.as_ref().map(Findings::of)
    }
}

/// Validates a return and judges its household section by the inspection rules; every
/// problem is listed (the return's own, then a value the rules find impossible or an income
/// year without a poverty line).
pub fn judge_return(
    census_return: CensusReturn,
    standards: &Standards,
) -> Result<JudgedReturn, Vec<Problem>> {
    let problems = census_return.validate();
    if !problems.is_empty() {
        return Err(problems);
    }
    let judgment = match &census_return.household {
        None => None,
        Some(h) => Some(judge(h, standards).map_err(|e| vec![judge_problem(e)])?),
    };
    let content_sha256 = census_return.content_sha256();
    Ok(JudgedReturn {
        census_return,
        judgment,
        content_sha256,
    })
}

fn judge_problem(e: InspectionError) -> Problem {
    let field = match &e {
        InspectionError::UnknownIncomeYear { .. } => "income_year".to_string(),
        InspectionError::InvalidRecord { field, .. } => leaf(field).to_string(),
    };
    Problem::new(field, e.to_string())
}

/// The CSV column of a record field path: `water.outage_days` is `outage_days`,
/// `members[2].age` is `age`.
fn leaf(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}
