//! The canonical form behind fingerprints (docs/register.md, "Fingerprint"): one line per
//! record, fields joined by 0x1F, so that any copy of one register hashes alike whatever
//! its encoding, format, column order or extra columns.

use assess_household::{Status, VillageRecord};
use sha2::{Digest, Sha256};
use std::fmt::Display;
use std::io::Write as _;

/// Tag starting the canonical form of a register.
pub const FRAME_TAG: &str = "assess-frame-v1\n";
/// Tag starting the canonical form of a register's display columns.
pub const DISPLAY_TAG: &str = "assess-display-v1\n";
/// Tag starting the canonical form of a village file.
pub const VILLAGES_TAG: &str = "assess-villages-v1\n";
const SEPARATOR: u8 = 0x1F;

/// A running SHA-256 over canonical lines, with one reused line buffer.
pub(crate) struct Canonical {
    hasher: Sha256,
    line: Vec<u8>,
}

impl Canonical {
    pub fn new(tag: &str) -> Canonical {
        let mut hasher = Sha256::new();
        hasher.update(tag.as_bytes());
        Canonical {
            hasher,
            line: Vec::with_capacity(128),
        }
    }

    /// Lines written elsewhere by [`household_line`], in file order.
    pub fn lines(&mut self, lines: &[u8]) {
        self.hasher.update(lines);
    }

    pub fn village(&mut self, v: &VillageRecord) {
        let line = &mut self.line;
        line.clear();
        text(line, v.village.as_str());
        text(line, v.name.as_deref().unwrap_or(""));
        opt(line, v.poverty_village);
        opt(line, v.remote);
        decimal(line, v.lon, None);
        decimal(line, v.lat, None);
        end(line);
        self.hasher.update(&self.line);
    }

    /// Lowercase hex SHA-256 of everything so far.
    pub fn finish(self) -> String {
        hex::encode(self.hasher.finalize())
    }
}

/// The values of a household as they go into its canonical line.
pub(crate) struct HouseholdLine<'a> {
    pub id: &'a str,
    pub village: &'a str,
    pub status: Status,
    pub exit_year: Option<u16>,
    pub members: u32,
    /// Income, longitude and latitude, each with its text when that is a short plain
    /// decimal (see [`PlainDecimal::short`]).
    pub decimals: [(Option<f64>, Option<PlainDecimal<'a>>); 3],
}

/// Appends a household's canonical line to `out`.
pub(crate) fn household_line(out: &mut Vec<u8>, h: &HouseholdLine<'_>) {
    text(out, h.id);
    text(out, h.village);
    text(out, h.status.as_str());
    if let Some(year) = h.exit_year {
        integer(out, year.into());
    }
    out.push(SEPARATOR);
    integer(out, h.members.into());
    out.push(SEPARATOR);
    for (value, plain) in &h.decimals {
        decimal(out, *value, plain.as_ref());
    }
    // The ninth field held the villager group until it became a display column (December
    // 2026); it stays, empty, so that a register without display columns keeps the
    // fingerprint it had.
    out.push(SEPARATOR);
    end(out);
}

/// Appends a household's display line to `out`: its id and the display values in the order
/// of `assess_household::DISPLAY_COLUMNS`, an absent one empty.
pub(crate) fn display_line(out: &mut Vec<u8>, id: &str, values: [Option<&str>; 4]) {
    text(out, id);
    for value in values {
        text(out, value.unwrap_or(""));
    }
    end(out);
}

fn text(line: &mut Vec<u8>, text: &str) {
    line.extend_from_slice(text.as_bytes());
    line.push(SEPARATOR);
}

/// An integer as `{}` writes it.
fn integer(line: &mut Vec<u8>, value: u64) {
    // itoa writes the same digits as `core::fmt` without its formatting machinery.
    line.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

fn opt<T: Display>(line: &mut Vec<u8>, value: Option<T>) {
    if let Some(value) = value {
        // Writing into a Vec cannot fail.
        let _ = write!(line, "{value}");
    }
    line.push(SEPARATOR);
}

/// A decimal as Rust's `{}` writes an f64 (shortest round-trip digits, never an exponent):
/// the digits of its text when that is a short plain decimal (the usual case), else from
/// the value. `ryu` finds the same shortest digits several times faster than `core::fmt`,
/// which matters at 30 million rows; its exponent forms and `.0` endings are mapped back.
fn decimal(line: &mut Vec<u8>, value: Option<f64>, plain: Option<&PlainDecimal<'_>>) {
    match (value, plain) {
        (Some(_), Some(plain)) => plain.write(line),
        (Some(x), None) => push_decimal(line, x),
        (None, _) => {}
    }
    line.push(SEPARATOR);
}

/// Ends the line: the last separator becomes the newline.
fn end(line: &mut Vec<u8>) {
    line.pop();
    line.push(b'\n');
}

/// A plain decimal `[+-]?d*(.d*)?` (at least one digit, no exponent) of at most 15
/// significant digits and 22 fraction digits, read without the general float parser.
///
/// Its value is `mantissa / 10^fraction digits` with both exact doubles (the mantissa is
/// below 10^15 < 2^53), so one division gives the correctly rounded f64 that `str::parse`
/// gives. And its canonical form can be read off the text: a decimal of at most 15
/// significant digits in the normal range survives the round trip through f64, so no other
/// decimal that short maps to the same double, and the shortest round-trip digits that `{}`
/// prints are the text's own.
#[derive(Clone, Copy)]
pub(crate) struct PlainDecimal<'t> {
    negative: bool,
    /// Integer digits without leading zeros.
    int: &'t [u8],
    /// Fraction digits without trailing zeros.
    frac: &'t [u8],
}

impl PlainDecimal<'_> {
    /// `None` unless `text` is a short plain decimal.
    pub fn short(text: &str) -> Option<PlainDecimal<'_>> {
        let bytes = text.as_bytes();
        let (negative, body) = match bytes.first()? {
            b'-' => (true, &bytes[1..]),
            b'+' => (false, &bytes[1..]),
            _ => (false, bytes),
        };
        let mut dot = None;
        for (i, &b) in body.iter().enumerate() {
            if !b.is_ascii_digit() {
                if b != b'.' || dot.is_some() {
                    return None;
                }
                dot = Some(i);
            }
        }
        let (int, frac) = match dot {
            Some(dot) => (&body[..dot], &body[dot + 1..]),
            None => (body, &body[body.len()..]),
        };
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        let zeros = int.iter().take_while(|&&b| b == b'0').count();
        let kept = frac.len() - frac.iter().rev().take_while(|&&b| b == b'0').count();
        let (int, frac) = (&int[zeros..], &frac[..kept]);
        let significant = match int.is_empty() {
            true => frac.len() - frac.iter().take_while(|&&b| b == b'0').count(),
            false => int.len() + frac.len(),
        };
        (significant <= 15 && frac.len() <= 22).then_some(PlainDecimal {
            negative,
            int,
            frac,
        })
    }

    /// The nearest f64 (`-0.0` for a negative zero, as `str::parse` gives).
    pub fn value(&self) -> f64 {
        const POW10: [f64; 23] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
        ];
        let digits = |m: u64, d: &[u8]| d.iter().fold(m, |m, &d| m * 10 + u64::from(d - b'0'));
        let mantissa = digits(digits(0, self.int), self.frac);
        let magnitude = mantissa as f64 / POW10[self.frac.len()];
        match self.negative {
            true => -magnitude,
            false => magnitude,
        }
    }

    /// Writes the canonical form: as `{}` prints the value.
    fn write(&self, line: &mut Vec<u8>) {
        if self.int.is_empty() && self.frac.is_empty() {
            // Both zeros: -0 is written as 0.
            line.push(b'0');
            return;
        }
        if self.negative {
            line.push(b'-');
        }
        match self.int.is_empty() {
            true => line.push(b'0'),
            false => line.extend_from_slice(self.int),
        }
        if !self.frac.is_empty() {
            line.push(b'.');
            line.extend_from_slice(self.frac);
        }
    }
}

fn push_decimal(line: &mut Vec<u8>, x: f64) {
    if x == 0.0 {
        // Both zeros: -0 is written as 0.
        line.push(b'0');
        return;
    }
    let mut buffer = ryu::Buffer::new();
    let text = buffer.format(x);
    // With at most 15 significant digits the shortest round-trip form is unique, so ryu and
    // `core::fmt` agree; beyond that they may break ties differently (found by proptest:
    // 982170322784711.3), and the canonical form is defined by `{}`.
    if !x.is_finite() || text.contains('e') || significant_digits(text) > 15 {
        let _ = write!(line, "{x}");
    } else {
        line.extend_from_slice(text.strip_suffix(".0").unwrap_or(text).as_bytes());
    }
}

/// Digits from the first to the last non-zero digit (no allocation: called per field).
fn significant_digits(text: &str) -> usize {
    let digits = || text.bytes().filter(u8::is_ascii_digit);
    let first = digits().position(|d| d != b'0');
    let last = digits()
        .enumerate()
        .filter(|(_, d)| *d != b'0')
        .map(|(i, _)| i)
        .last();
    match (first, last) {
        (Some(f), Some(l)) => l - f + 1,
        _ => 0,
    }
}

#[cfg(test)]
mod decimal_tests {
    use super::push_decimal;
    use proptest::prelude::*;

    fn display(x: f64) -> String {
        let mut s = Vec::new();
        push_decimal(&mut s, x);
        String::from_utf8(s).unwrap()
    }

    #[test]
    fn ordinary_values_print_as_display_does() {
        for x in [
            1.0, 1234.5, 102.443006, 25.57999, 0.1, 1e-7, 1e21, 3000.0, -12.25,
        ] {
            assert_eq!(display(x), format!("{x}"), "{x}");
        }
        assert_eq!(display(-0.0), "0");
        assert_eq!(super::significant_digits("0.0012340"), 4);
        assert_eq!(super::significant_digits("982170322784711.3"), 16);
    }

    fn from_text(text: &str) -> Option<(f64, String)> {
        let plain = super::PlainDecimal::short(text)?;
        let mut line = Vec::new();
        plain.write(&mut line);
        Some((plain.value(), String::from_utf8(line).unwrap()))
    }

    #[test]
    fn plain_decimals_read_off_the_text() {
        for (text, canonical) in [
            ("12690", "12690"),
            ("114.542040", "114.54204"),
            ("-0.000", "0"),
            ("+007.50", "7.5"),
            (".5", "0.5"),
            ("5.", "5"),
            ("0.000000000000000000001", "0.000000000000000000001"),
            ("999999999999999", "999999999999999"),
        ] {
            let (value, text_form) = from_text(text).unwrap();
            assert_eq!(value, text.parse::<f64>().unwrap(), "{text}");
            assert_eq!(text_form, canonical, "{text}");
            assert_eq!(display(value + 0.0), canonical, "{text}");
        }
        for text in [
            "",
            ".",
            "-",
            "1e5",
            "1.2.3",
            "inf",
            "NaN",
            "1 ",
            "1000000000000000",
            "0.00000000000000000000001",
        ] {
            assert!(from_text(text).is_none(), "{text}");
        }
    }

    proptest! {
        #[test]
        fn any_finite_value_prints_as_display_does(x in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL) {
            prop_assert_eq!(display(x), format!("{x}"));
        }

        #[test]
        fn short_plain_decimals_read_off_the_text_as_display_prints_them(text in "[+-]?[0-9]{0,12}(\\.[0-9]{0,12})?") {
            if let Some((value, text_form)) = from_text(&text) {
                let parsed = text.parse::<f64>().unwrap();
                prop_assert_eq!(value.to_bits(), parsed.to_bits());
                prop_assert_eq!(text_form, display(parsed + 0.0));
            } else {
                // Only texts without a digit, or too long, are left to the float parser.
                prop_assert!(text.parse::<f64>().is_err() || text.len() > 16);
            }
        }

        #[test]
        fn register_like_values_print_as_display_does(cents in 0u64..100_000_000, micro in 0u64..180_000_000) {
            let income = cents as f64 / 100.0;
            let degrees = micro as f64 / 1e6;
            prop_assert_eq!(display(income), format!("{income}"));
            prop_assert_eq!(display(degrees), format!("{degrees}"));
        }
    }
}
