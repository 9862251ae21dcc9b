//! A census return against its re-interview, item by item.

use assess_census::ReturnRow;
use serde::Serialize;

/// An item both interviews answer: a finding of the inspection rules or a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Item {
    /// Members found.
    Members,
    /// Income at or above the line.
    Income,
    /// Food and clothing.
    FoodClothing,
    /// Compulsory education.
    Education,
    /// Basic medical cover.
    Medical,
    /// Housing safety.
    Housing,
    /// Drinking water.
    Water,
    /// All five guarantees.
    Guarantees,
    /// Poor (below the line or a guarantee unmet).
    Poor,
    /// Approval of the exit.
    Approval,
}

/// Every item, in report order.
pub const ITEMS: [Item; 10] = [
    Item::Members,
    Item::Income,
    Item::FoodClothing,
    Item::Education,
    Item::Medical,
    Item::Housing,
    Item::Water,
    Item::Guarantees,
    Item::Poor,
    Item::Approval,
];

impl Item {
    /// The name in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Item::Members => "members",
            Item::Income => "income",
            Item::FoodClothing => "food_clothing",
            Item::Education => "education",
            Item::Medical => "medical",
            Item::Housing => "housing",
            Item::Water => "water",
            Item::Guarantees => "guarantees",
            Item::Poor => "poor",
            Item::Approval => "approval",
        }
    }

    /// The item's value in a row, as a comparable code; `None` when the row cannot tell.
    fn value(self, r: &ReturnRow) -> Option<u32> {
        let b = |v: Option<bool>| v.map(u32::from);
        match self {
            Item::Members => (r.outcome == "enumerated").then_some(r.members),
            Item::Income => b(r.income_ok),
            Item::FoodClothing => b(r.food_clothing),
            Item::Education => b(r.education),
            Item::Medical => b(r.medical),
            Item::Housing => b(r.housing),
            Item::Water => b(r.water),
            Item::Guarantees => b(r.guarantees),
            Item::Poor => b(r.poor),
            Item::Approval => b(r.approval_exit),
        }
    }
}

/// One household's census row against its re-interview: per item, whether they disagree
/// (`None` when either cannot tell: the item is left out for this household, not counted
/// as agreement).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The household.
    pub household_id: String,
    /// Disagreement per item, in [`ITEMS`] order.
    pub disagrees: [Option<bool>; ITEMS.len()],
}

impl Comparison {
    /// Whether any item disagrees (`None` only when no item could be compared).
    pub fn any(&self) -> Option<bool> {
        let known: Vec<bool> = self.disagrees.iter().flatten().copied().collect();
        (!known.is_empty()).then(|| known.iter().any(|d| *d))
    }
}

/// Compares a census row with the re-interview row of the same household.
pub fn compare(census: &ReturnRow, reinterview: &ReturnRow) -> Comparison {
    let mut disagrees = [None; ITEMS.len()];
    for (slot, item) in disagrees.iter_mut().zip(ITEMS) {
        *slot = match (item.value(census), item.value(reinterview)) {
            (Some(a), Some(b)) => Some(a != b),
            _ => None,
        };
    }
    Comparison {
        household_id: census.household_id.clone(),
        disagrees,
    }
}
