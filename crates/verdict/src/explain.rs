//! What drove a failing indicator: which standard, how many households and people, in which
//! villages and townships, and the household list a county can contest with evidence; and
//! the households whose identification the county should re-examine.

use crate::weights::Respondent;
use crate::CountyInput;
use assess_inspection::{FlaggedHousehold, Judgment};
use assess_standards::Tri;
use serde::Serialize;
use std::collections::BTreeMap;

/// The standards a household can fail, in the order reports list them.
pub const STANDARDS: [(&str, &str); 6] = [
    ("income", "income below the poverty line"),
    ("food_clothing", "food and clothing"),
    ("education", "compulsory education"),
    ("medical", "basic medical cover"),
    ("housing", "housing safety"),
    ("water", "drinking water"),
];

/// One household found wrongly exited or missed: the list the county may contest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailingHousehold {
    /// Household id.
    pub household_id: String,
    /// Register status.
    pub stratum: String,
    /// Township code.
    pub township: String,
    /// Village code.
    pub village: String,
    /// Village stratum (e.g. remote).
    pub village_stratum: String,
    /// People counted.
    pub people: u32,
    /// The standards it fails (keys of [`STANDARDS`]).
    pub fails: Vec<String>,
    /// The judgment's reasons, as text.
    pub reasons: Vec<String>,
}

/// How many failing households one standard accounts for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Driver {
    /// Indicator (`wrong_exit_rate` or `missed_rate`).
    pub indicator: String,
    /// Standard key.
    pub standard: String,
    /// Households failing it.
    pub households: usize,
    /// Their people.
    pub people: u32,
    /// Households by township, most first.
    pub townships: Vec<(String, usize)>,
    /// Households by village stratum, most first.
    pub village_strata: Vec<(String, usize)>,
    /// Distinct villages.
    pub villages: usize,
}

impl Driver {
    /// A sentence such as "housing safety unmet in 31 sampled exited households (104 people),
    /// 24 of them in 3 townships: 530128101 (12), ...; 26 in remote villages".
    pub fn sentence(&self) -> String {
        let label = STANDARDS
            .iter()
            .find(|s| s.0 == self.standard)
            .map_or(self.standard.as_str(), |s| s.1);
        let who = if self.indicator == "wrong_exit_rate" {
            "exited"
        } else {
            "non-registered"
        };
        let verb = if self.standard == "income" {
            ""
        } else {
            " unmet"
        };
        let top: Vec<&(String, usize)> = self.townships.iter().take(3).collect();
        let in_top: usize = top.iter().map(|t| t.1).sum();
        let list: Vec<String> = top.iter().map(|(t, n)| format!("{t} ({n})")).collect();
        let mut s = format!(
            "{label}{verb} in {} sampled {who} household{} ({} people) in {} village{}",
            self.households,
            if self.households == 1 { "" } else { "s" },
            self.people,
            self.villages,
            if self.villages == 1 { "" } else { "s" },
        );
        if self.townships.len() > 1 || in_top < self.households {
            s.push_str(&format!(
                ", {in_top} of them in {} township{}: {}",
                top.len(),
                if top.len() == 1 { "" } else { "s" },
                list.join(", ")
            ));
        } else if let Some((t, _)) = top.first() {
            s.push_str(&format!(", all in township {t}"));
        }
        if let Some((vs, n)) = self.village_strata.first() {
            s.push_str(&format!("; {n} in {vs} villages"));
        }
        s
    }
}

/// The standards a judged household fails.
pub fn failed_standards(j: &Judgment) -> Vec<String> {
    let parts = [
        ("income", j.income.check.status),
        ("food_clothing", j.food_clothing.status),
        ("education", j.education.status),
        ("medical", j.medical.status),
        ("housing", j.housing.check.status),
        ("water", j.water.status),
    ];
    parts
        .iter()
        .filter(|(_, t)| *t == Tri::Unmet)
        .map(|(k, _)| k.to_string())
        .collect()
}

fn reason_texts(j: &Judgment) -> Vec<String> {
    let checks = [
        &j.income.check,
        &j.food_clothing,
        &j.education,
        &j.medical,
        &j.housing.check,
        &j.water,
    ];
    checks
        .iter()
        .filter(|c| c.status == Tri::Unmet)
        .flat_map(|c| c.reasons.iter().map(|r| r.to_string()))
        .collect()
}

/// Households found wrongly exited or missed, in sample order.
pub fn failing_households(respondents: &[Respondent]) -> Vec<FailingHousehold> {
    respondents
        .iter()
        .filter_map(|r| {
            let j = r.visit.judgment.as_ref()?;
            r.visit.outcome().is_failing().then(|| FailingHousehold {
                household_id: r.household.household_id.clone(),
                stratum: r.household.stratum.clone(),
                township: r.household.township.clone(),
                village: r.household.village.clone(),
                village_stratum: r.household.village_stratum.clone(),
                people: j.people.unwrap_or(r.household.register_members),
                fails: failed_standards(j),
                reasons: reason_texts(j),
            })
        })
        .collect()
}

/// Every visited household of the county whose judged record carries identification flags,
/// by village and household. Not only the respondents that weigh in the rates: a flag is a
/// lead whatever the household's weight (or lack of one).
pub fn identification_flags(input: &CountyInput) -> Vec<FlaggedHousehold> {
    let judgment_of: std::collections::HashMap<&str, &Judgment> = input
        .visits
        .iter()
        .filter_map(|v| Some((v.household_id.as_str(), v.judgment.as_ref()?)))
        .collect();
    let mut out: Vec<FlaggedHousehold> = input
        .households
        .iter()
        .filter_map(|h| {
            let j = judgment_of.get(h.household_id.as_str())?;
            FlaggedHousehold::of(j, [&input.county, &h.village, &h.stratum, &h.household_id])
        })
        .collect();
    FlaggedHousehold::sort(&mut out);
    out
}

/// The drivers of one indicator, largest first.
pub fn drivers(indicator: &str, failing: &[FailingHousehold]) -> Vec<Driver> {
    let stratum = if indicator == "wrong_exit_rate" {
        "exited"
    } else {
        "non_registered"
    };
    let mut out: Vec<Driver> = STANDARDS
        .iter()
        .filter_map(|(key, _)| {
            let hs: Vec<&FailingHousehold> = failing
                .iter()
                .filter(|f| f.stratum == stratum && f.fails.iter().any(|s| s == key))
                .collect();
            (!hs.is_empty()).then(|| Driver {
                indicator: indicator.to_string(),
                standard: key.to_string(),
                households: hs.len(),
                people: hs.iter().map(|h| h.people).sum(),
                townships: counted(hs.iter().map(|h| h.township.clone())),
                village_strata: counted(hs.iter().map(|h| h.village_stratum.clone())),
                villages: hs
                    .iter()
                    .map(|h| h.village.as_str())
                    .collect::<std::collections::BTreeSet<_>>()
                    .len(),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.households
            .cmp(&a.households)
            .then(a.standard.cmp(&b.standard))
    });
    out
}

fn counted(items: impl Iterator<Item = String>) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for i in items {
        *counts.entry(i).or_default() += 1;
    }
    let mut v: Vec<(String, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}
