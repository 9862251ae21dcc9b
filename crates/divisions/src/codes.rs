//! The 12-digit village-level division code and what its digits say.

use std::fmt;

/// Why a text is not a village-level division code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// Not exactly 12 characters.
    #[error("a village code has 12 digits, this one has {0} characters")]
    Length(usize),
    /// Something other than ASCII digits.
    #[error("a village code holds only the digits 0-9")]
    NotDigits,
}

/// The kind of village-level unit, told by the last three digits (docs/sources.md#division-codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnitKind {
    /// 001-199: residents' committee (urban).
    ResidentsCommittee,
    /// 200-399: village committee (rural).
    VillageCommittee,
    /// 400-599: a unit like a residents' committee (urban).
    LikeResidentsCommittee,
    /// 600-799: a unit like a village committee (rural).
    LikeVillageCommittee,
    /// 000 or 800-999: not assigned by the code rules.
    Unassigned,
}

impl UnitKind {
    /// Village committees and units like them are rural; the register's frame is rural.
    pub fn is_rural(self) -> bool {
        matches!(
            self,
            UnitKind::VillageCommittee | UnitKind::LikeVillageCommittee
        )
    }

    /// A short English label.
    pub fn label(self) -> &'static str {
        match self {
            UnitKind::ResidentsCommittee => "residents' committee (urban)",
            UnitKind::VillageCommittee => "village committee (rural)",
            UnitKind::LikeResidentsCommittee => "unit like a residents' committee (urban)",
            UnitKind::LikeVillageCommittee => "unit like a village committee (rural)",
            UnitKind::Unassigned => "unassigned unit number",
        }
    }
}

/// A syntactically valid 12-digit code: province 2 + city 2 + county 2 + township 3 + village 3.
/// Whether it exists is a question for [`crate::Divisions`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VillageCode(String);

impl VillageCode {
    /// Parses a code, trimming surrounding white space.
    pub fn parse(text: &str) -> Result<VillageCode, CodeError> {
        let text = text.trim();
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CodeError::NotDigits);
        }
        if text.len() != 12 {
            return Err(CodeError::Length(text.chars().count()));
        }
        Ok(VillageCode(text.to_string()))
    }

    /// The 12 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 2-digit province code.
    pub fn province(&self) -> &str {
        &self.0[..2]
    }

    /// The 6-digit county code.
    pub fn county(&self) -> &str {
        &self.0[..6]
    }

    /// The 9-digit township code.
    pub fn township(&self) -> &str {
        &self.0[..9]
    }

    /// Rural village committee or urban residents' committee, by the last three digits.
    pub fn kind(&self) -> UnitKind {
        // Digits by hand, not `str::parse`: asked for every household of a register, and
        // `parse` guarantees 12 ASCII digits.
        let n = self.0.as_bytes()[9..]
            .iter()
            .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
        match n {
            1..=199 => UnitKind::ResidentsCommittee,
            200..=399 => UnitKind::VillageCommittee,
            400..=599 => UnitKind::LikeResidentsCommittee,
            600..=799 => UnitKind::LikeVillageCommittee,
            _ => UnitKind::Unassigned,
        }
    }
}

impl fmt::Display for VillageCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_code_rules() {
        let kind = |s: &str| VillageCode::parse(s).unwrap().kind();
        assert_eq!(kind("110101001001"), UnitKind::ResidentsCommittee);
        assert_eq!(kind("530128101199"), UnitKind::ResidentsCommittee);
        assert_eq!(kind("530128101200"), UnitKind::VillageCommittee);
        assert_eq!(kind("530128101399"), UnitKind::VillageCommittee);
        assert_eq!(kind("530128101400"), UnitKind::LikeResidentsCommittee);
        assert_eq!(kind("530128101600"), UnitKind::LikeVillageCommittee);
        assert_eq!(kind("530128101800"), UnitKind::Unassigned);
        assert!(kind("530128101201").is_rural());
        assert!(!kind("530128101001").is_rural());
    }

    #[test]
    fn malformed_codes_are_refused_with_a_reason() {
        assert_eq!(
            VillageCode::parse("53012810120"),
            Err(CodeError::Length(11))
        );
        assert_eq!(
            VillageCode::parse("5301281012A1"),
            Err(CodeError::NotDigits)
        );
        assert_eq!(
            VillageCode::parse(" 530128101201 ").unwrap().township(),
            "530128101"
        );
    }
}
