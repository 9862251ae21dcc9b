//! The canonical form behind fingerprints (docs/register.md, "Fingerprint"): one line per
//! record, fields joined by 0x1F, so that any copy of one register hashes alike whatever
//! its encoding, format, column order or extra columns.

use crate::{Household, VillageRecord};
use sha2::{Digest, Sha256};
use std::fmt::{Display, Write as _};

/// Tag starting the canonical form of a register.
pub const FRAME_TAG: &str = "assess-frame-v1\n";
/// Tag starting the canonical form of a village file.
pub const VILLAGES_TAG: &str = "assess-villages-v1\n";
const SEPARATOR: char = '\u{1F}';

/// A running SHA-256 over canonical lines, with one reused line buffer.
pub(crate) struct Canonical {
    hasher: Sha256,
    line: String,
}

impl Canonical {
    pub fn new(tag: &str) -> Canonical {
        let mut hasher = Sha256::new();
        hasher.update(tag.as_bytes());
        Canonical {
            hasher,
            line: String::with_capacity(128),
        }
    }

    pub fn household(&mut self, h: &Household) {
        self.line.clear();
        self.text(&h.household_id);
        self.text(h.village.as_str());
        self.text(h.status.as_str());
        self.opt(h.exit_year);
        self.value(h.members);
        self.decimal(h.income_per_capita);
        self.decimal(h.lon);
        self.decimal(h.lat);
        self.text(h.group.as_deref().unwrap_or(""));
        self.end();
    }

    pub fn village(&mut self, v: &VillageRecord) {
        self.line.clear();
        self.text(v.village.as_str());
        self.text(v.name.as_deref().unwrap_or(""));
        self.opt(v.poverty_village);
        self.opt(v.remote);
        self.decimal(v.lon);
        self.decimal(v.lat);
        self.end();
    }

    /// Lowercase hex SHA-256 of everything so far.
    pub fn finish(self) -> String {
        hex::encode(self.hasher.finalize())
    }

    fn text(&mut self, text: &str) {
        self.line.push_str(text);
        self.line.push(SEPARATOR);
    }

    fn value(&mut self, value: impl Display) {
        // Writing into a String cannot fail.
        let _ = write!(self.line, "{value}{SEPARATOR}");
    }

    fn opt<T: Display>(&mut self, value: Option<T>) {
        if let Some(value) = value {
            let _ = write!(self.line, "{value}");
        }
        self.line.push(SEPARATOR);
    }

    /// A decimal as Rust's `{}` writes an f64 (shortest round-trip digits, never an exponent).
    /// `ryu` finds the same shortest digits several times faster than `core::fmt`, which
    /// matters at 30 million rows; its exponent forms and `.0` endings are mapped back.
    fn decimal(&mut self, value: Option<f64>) {
        if let Some(x) = value {
            push_decimal(&mut self.line, x);
        }
        self.line.push(SEPARATOR);
    }

    /// Ends the line: the last separator becomes the newline.
    fn end(&mut self) {
        self.line.pop();
        self.line.push('\n');
        self.hasher.update(self.line.as_bytes());
    }
}

fn push_decimal(line: &mut String, x: f64) {
    if x == 0.0 {
        // Both zeros: -0 is written as 0.
        line.push('0');
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
        line.push_str(text.strip_suffix(".0").unwrap_or(text));
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
        let mut s = String::new();
        push_decimal(&mut s, x);
        s
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

    proptest! {
        #[test]
        fn any_finite_value_prints_as_display_does(x in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL) {
            prop_assert_eq!(display(x), format!("{x}"));
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
