//! Parsing single field values. Each function takes trimmed text and returns the value or
//! the [`Problem`] to report; none of them allocates unless the text needs normalising.

use crate::canonical::PlainDecimal;
use crate::error::Problem;
use assess_household::Status;
use std::borrow::Cow;
use unicode_normalization::{is_nfc_quick, is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Exit years a register can plausibly hold: the targeted programme began in 2014.
pub(crate) const YEARS: std::ops::RangeInclusive<u16> = 2014..=2030;

/// Text in Unicode NFC, so that visually equal ids compare and hash equal.
pub(crate) fn nfc(text: &str) -> Cow<'_, str> {
    // ASCII is always NFC, and almost every id is ASCII: skip the per-character check.
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => Cow::Borrowed(text),
        _ => Cow::Owned(text.nfc().collect()),
    }
}

/// Text in Unicode NFKC: how ids are compared, so that an id in full-width digits and
/// letters (`Ｈ００１`, as Chinese input methods type them) equals its ASCII form (`H001`).
pub(crate) fn nfkc(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    match is_nfkc_quick(text.chars()) {
        IsNormalized::Yes => Cow::Borrowed(text),
        _ => Cow::Owned(text.nfkc().collect()),
    }
}

/// The status, in English or by its Chinese label (`assess_household::STATUS_LABELS`).
pub(crate) fn status(text: &str) -> Result<Status, Problem> {
    assess_household::status_from_label(text).ok_or_else(|| Problem::BadStatus {
        text: text.to_string(),
    })
}

/// The exit year, required exactly for exited households.
pub(crate) fn exit_year(text: &str, status: Option<Status>) -> Result<Option<u16>, Problem> {
    match (text.is_empty(), status) {
        (true, Some(Status::Exited)) => Err(Problem::ExitYearMissing),
        (true, _) => Ok(None),
        (false, Some(status)) if status != Status::Exited => Err(Problem::ExitYearNotAllowed {
            text: text.to_string(),
            status,
        }),
        (false, _) => match text.parse::<u16>() {
            Ok(year) if YEARS.contains(&year) => Ok(Some(year)),
            _ => Err(Problem::NotAYear {
                text: text.to_string(),
            }),
        },
    }
}

pub(crate) fn members(text: &str) -> Result<u32, Problem> {
    match text.parse::<i64>() {
        Ok(n) if n < 1 => Err(Problem::MembersBelowOne {
            text: text.to_string(),
        }),
        Ok(n) => u32::try_from(n).map_err(|_| Problem::MembersNotInteger {
            text: text.to_string(),
        }),
        Err(_) => Err(Problem::MembersNotInteger {
            text: text.to_string(),
        }),
    }
}

/// A finite decimal, or `None` for empty text. `-0` becomes `0` so that the canonical form
/// does not depend on how a zero was typed. `plain` is `PlainDecimal::short(text)`, read
/// once by the caller; nearly every value is one, and gets the same f64 without the
/// general float parser.
pub(crate) fn decimal(text: &str, plain: Option<&PlainDecimal>) -> Result<Option<f64>, Problem> {
    if text.is_empty() {
        return Ok(None);
    }
    if let Some(plain) = plain {
        return Ok(Some(plain.value() + 0.0));
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v + 0.0)),
        _ => Err(Problem::NotANumber {
            text: text.to_string(),
        }),
    }
}

pub(crate) fn income(text: &str, plain: Option<&PlainDecimal>) -> Result<Option<f64>, Problem> {
    match decimal(text, plain)? {
        Some(v) if v < 0.0 => Err(Problem::Negative {
            text: text.to_string(),
        }),
        other => Ok(other),
    }
}

pub(crate) fn degrees(
    text: &str,
    limit: f64,
    plain: Option<&PlainDecimal>,
) -> Result<Option<f64>, Problem> {
    match decimal(text, plain)? {
        Some(v) if !(-limit..=limit).contains(&v) => Err(Problem::OutOfRange {
            text: text.to_string(),
            min: -limit,
            max: limit,
        }),
        other => Ok(other),
    }
}

pub(crate) fn flag(text: &str) -> Result<Option<bool>, Problem> {
    match text.to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" | "1" | "yes" => Ok(Some(true)),
        "false" | "0" | "no" => Ok(Some(false)),
        _ => Err(Problem::NotABool {
            text: text.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_year_follows_status() {
        assert_eq!(exit_year("2018", Some(Status::Exited)), Ok(Some(2018)));
        assert_eq!(
            exit_year("", Some(Status::Exited)),
            Err(Problem::ExitYearMissing)
        );
        assert!(matches!(
            exit_year("2018", Some(Status::Poor)),
            Err(Problem::ExitYearNotAllowed { .. })
        ));
        assert!(matches!(
            exit_year("2013", Some(Status::Exited)),
            Err(Problem::NotAYear { .. })
        ));
        assert!(matches!(
            exit_year("2018.5", Some(Status::Exited)),
            Err(Problem::NotAYear { .. })
        ));
        assert_eq!(exit_year("", Some(Status::NonRegistered)), Ok(None));
    }

    #[test]
    fn numbers_are_checked() {
        assert_eq!(members("4"), Ok(4));
        assert!(matches!(members("0"), Err(Problem::MembersBelowOne { .. })));
        assert!(matches!(
            members("-2"),
            Err(Problem::MembersBelowOne { .. })
        ));
        assert!(matches!(
            members("2.5"),
            Err(Problem::MembersNotInteger { .. })
        ));
        let plain = PlainDecimal::short;
        assert_eq!(
            income("1234.50", plain("1234.50").as_ref()),
            Ok(Some(1234.5))
        );
        assert_eq!(income("1234.50", None), Ok(Some(1234.5)));
        assert!(matches!(
            income("-1", plain("-1").as_ref()),
            Err(Problem::Negative { .. })
        ));
        assert!(matches!(
            income("NaN", None),
            Err(Problem::NotANumber { .. })
        ));
        assert!(matches!(
            degrees("181", 180.0, plain("181").as_ref()),
            Err(Problem::OutOfRange { .. })
        ));
        let zero = decimal("-0", plain("-0").as_ref()).unwrap().unwrap();
        assert_eq!(zero.to_string(), "0");
        assert_eq!(decimal("-0", None).unwrap().unwrap().to_string(), "0");
        assert_eq!(flag("YES"), Ok(Some(true)));
        assert_eq!(flag("0"), Ok(Some(false)));
    }

    #[test]
    fn ids_are_nfc() {
        // "é" as e + combining acute becomes the single code point.
        assert_eq!(nfc("e\u{301}"), "\u{e9}");
        assert!(matches!(nfc("abc"), Cow::Borrowed(_)));
        assert_eq!(nfkc("Ｈ００１"), "H001");
        assert_eq!(nfkc("H００1"), nfkc("H001"));
    }
}
