//! Resident identity numbers (居民身份证号码, GB 11643-1999): 17 digits and a check character
//! (0-9 or X, ISO 7064 MOD 11-2), and the older 15-digit numbers (GB 11643-1989: no check
//! character, a two-digit year of birth).
//!
//! Two ways in: [`IdNumber::parse`], strict (18 characters, a lower-case `x` accepted), for
//! visit records, whose stored form is what the inspector typed; and
//! [`IdNumber::normalise`], lenient in the ways registries differ (full-width characters,
//! surrounding spaces, old 15-digit numbers), for linking registers to one another. Both
//! verify the check character; neither ever shows a number whole in a message.

use serde::{Deserialize, Serialize};
use std::fmt;

/// ISO 7064 MOD 11-2 as specified by GB 11643-1999: weights 2^(17-i) mod 11.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each remainder of the weighted sum modulo 11.
const CHECK: &[u8; 11] = b"10X98765432";

/// The check character of 17 ASCII digits (GB 11643-1999, ISO 7064 MOD 11-2).
///
/// ```
/// assert_eq!(assess_household::check_character(b"11010519491231002"), b'X');
/// ```
pub fn check_character(digits: &[u8; 17]) -> u8 {
    let sum: u32 = digits
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b.wrapping_sub(b'0')) * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

/// A resident identity number in its 18-character form. Its `Debug` and `Display` show only
/// the first 3 and last 4 characters, so a record printed by mistake or in a report never
/// shows a number in full; serialising (for storage) keeps it whole.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

/// How a number was written before it was normalised: what [`IdNumber::normalise`] changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IdWritten {
    /// An old 15-digit number, converted ("19" inserted before the year, the check
    /// character computed).
    pub old_15_digit: bool,
    /// Full-width digits or letters (０-９, Ｘ), made half-width.
    pub full_width: bool,
    /// A lower-case check character `x`.
    pub lower_case_x: bool,
    /// Spaces before or after the number, removed.
    pub surrounding_spaces: bool,
}

impl IdWritten {
    /// Whether the number was written in its standard form (18 half-width characters, an
    /// upper-case X, nothing around it).
    pub fn is_standard(&self) -> bool {
        *self == IdWritten::default()
    }

    /// The changes, in words: `15-digit`, `full-width`, `lower-case x`, `spaces`, joined
    /// with `; ` (empty for a standard number).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.old_15_digit {
            parts.push("15-digit");
        }
        if self.full_width {
            parts.push("full-width");
        }
        if self.lower_case_x {
            parts.push("lower-case x");
        }
        if self.surrounding_spaces {
            parts.push("spaces");
        }
        parts.join("; ")
    }
}

/// Why a text is not an identity number. Messages never show the number whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Nothing but spaces.
    #[error("the identity number is empty")]
    Empty,
    /// A character that is neither a digit nor X (full-width ones are accepted).
    #[error("an identity number has only digits and a final X; character {position} is {found:?}")]
    Character {
        /// 1-based position among the characters after trimming.
        position: usize,
        /// The character found (never a digit).
        found: char,
    },
    /// An X anywhere but last.
    #[error("an identity number has X only as its last character (found at character {position})")]
    MisplacedX {
        /// 1-based position.
        position: usize,
    },
    /// Neither 15 nor 18 characters.
    #[error("an identity number has 18 characters (or 15 in the old form); this one has {length}")]
    Length {
        /// Characters after trimming.
        length: usize,
    },
    /// An old 15-digit number whose birth date (digits 7-12) is not a date.
    #[error("old 15-digit identity number {masked} has no valid birth date in digits 7-12")]
    BirthDate {
        /// The number, masked.
        masked: String,
    },
    /// The check character does not match the 17 digits.
    #[error("identity number {masked} has a wrong check character; re-read it from the card")]
    Check {
        /// The number, masked.
        masked: String,
    },
}

impl IdNumber {
    /// Checks the form and the check character; lower-case `x` is accepted and stored as `X`,
    /// surrounding spaces are removed. Strict otherwise: 18 half-width characters.
    pub fn parse(text: &str) -> Result<IdNumber, String> {
        let t = text.trim().to_ascii_uppercase();
        let bytes = t.as_bytes();
        let digits_ok = bytes.len() == 18 && bytes[..17].iter().all(u8::is_ascii_digit);
        if !digits_ok || !(bytes[17].is_ascii_digit() || bytes[17] == b'X') {
            return Err(
                "an identity number has 18 characters: 17 digits and a digit or X".to_string(),
            );
        }
        let mut digits = [0u8; 17];
        digits.copy_from_slice(&bytes[..17]);
        if check_character(&digits) != bytes[17] {
            return Err(IdError::Check { masked: mask(&t) }.to_string());
        }
        Ok(IdNumber(t))
    }

    /// The number in its 18-character form, from any of the ways registries write it:
    /// surrounding spaces (also full-width ones) removed, full-width digits and X made
    /// half-width, a lower-case x made upper-case, an old 15-digit number converted ("19"
    /// inserted before the two-digit year, whose birth date must be a date, and the check
    /// character computed). The check character of an 18-character number is verified.
    /// Returns what was changed too.
    ///
    /// ```
    /// use assess_household::IdNumber;
    /// let (id, written) = IdNumber::normalise(" １１０１０５４９１２３１００２ ").unwrap();
    /// assert_eq!(id.reveal(), "11010519491231002X");
    /// assert!(written.old_15_digit && written.full_width && written.surrounding_spaces);
    /// ```
    pub fn normalise(text: &str) -> Result<(IdNumber, IdWritten), IdError> {
        let trimmed = text.trim();
        let mut written = IdWritten {
            surrounding_spaces: trimmed.len() != text.len(),
            ..IdWritten::default()
        };
        if trimmed.is_empty() {
            return Err(IdError::Empty);
        }
        let mut bytes = Vec::with_capacity(18);
        for (i, c) in trimmed.chars().enumerate() {
            let position = i + 1;
            let b = match c {
                '0'..='9' | 'X' => c as u8,
                'x' => {
                    written.lower_case_x = true;
                    b'X'
                }
                '０'..='９' => {
                    written.full_width = true;
                    b'0' + (c as u32 - '０' as u32) as u8
                }
                'Ｘ' => {
                    written.full_width = true;
                    b'X'
                }
                'ｘ' => {
                    written.full_width = true;
                    written.lower_case_x = true;
                    b'X'
                }
                found => return Err(IdError::Character { position, found }),
            };
            bytes.push(b);
        }
        if let Some(i) = bytes.iter().position(|&b| b == b'X') {
            if i + 1 != bytes.len() || bytes.len() != 18 {
                return Err(IdError::MisplacedX { position: i + 1 });
            }
        }
        let text = String::from_utf8(bytes).expect("ASCII digits and X");
        match text.len() {
            18 => {
                let mut digits = [0u8; 17];
                digits.copy_from_slice(&text.as_bytes()[..17]);
                if check_character(&digits) != text.as_bytes()[17] {
                    return Err(IdError::Check {
                        masked: mask(&text),
                    });
                }
                Ok((IdNumber(text), written))
            }
            15 => {
                written.old_15_digit = true;
                let b = text.as_bytes();
                let num = |r: std::ops::Range<usize>| -> u32 {
                    b[r].iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'))
                };
                let (year, month, day) = (1900 + num(6..8), num(8..10), num(10..12));
                if !valid_date(year, month, day) {
                    return Err(IdError::BirthDate {
                        masked: mask(&text),
                    });
                }
                let mut digits = [0u8; 17];
                digits[..6].copy_from_slice(&b[..6]);
                digits[6..8].copy_from_slice(b"19");
                digits[8..].copy_from_slice(&b[6..15]);
                let mut full = String::with_capacity(18);
                full.push_str(std::str::from_utf8(&digits).expect("ASCII digits"));
                full.push(char::from(check_character(&digits)));
                Ok((IdNumber(full), written))
            }
            length => Err(IdError::Length { length }),
        }
    }

    /// The 17 digits before the check character as one integer: a compact key for joining
    /// registers (two numbers are equal exactly when their keys are, since the check
    /// character follows from the digits).
    pub fn key(&self) -> u64 {
        self.0.as_bytes()[..17]
            .iter()
            .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'))
    }

    /// The number whose 17 leading digits are `key` (below 10^17), with its check character.
    pub fn from_key(key: u64) -> Option<IdNumber> {
        if key >= 100_000_000_000_000_000 {
            return None;
        }
        let mut digits = [0u8; 17];
        let mut k = key;
        for d in digits.iter_mut().rev() {
            *d = b'0' + (k % 10) as u8;
            k /= 10;
        }
        let mut text = String::with_capacity(18);
        text.push_str(std::str::from_utf8(&digits).expect("ASCII digits"));
        text.push(char::from(check_character(&digits)));
        Some(IdNumber(text))
    }

    /// The number with all but its first 3 and last 4 characters hidden.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }

    /// The whole number, for the cross-checks that need it.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

fn valid_date(year: u32, month: u32, day: u32) -> bool {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// `text` with every run of 15 or more digits (and a check character X right after it)
/// masked like an identity number: an old 15-digit or a new 18-digit number, or one given
/// as a JSON number (`110105194912310021`, `1.1010519491231002e17`), shows only its first
/// 3 and last 4 characters. Full-width digits count as digits. Messages that may quote a
/// record's values go through this.
pub fn mask_identity_numbers(text: &str) -> String {
    let is_digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !is_digit(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let mut end = i;
        while end < chars.len() && is_digit(chars[end]) {
            end += 1;
        }
        if end - i >= 15 {
            if end < chars.len() && matches!(chars[end], 'X' | 'x' | 'Ｘ' | 'ｘ') {
                end += 1;
            }
            out.push_str(&mask(&chars[i..end].iter().collect::<String>()));
        } else {
            out.extend(&chars[i..end]);
        }
        i = end;
    }
    out
}

fn mask(t: &str) -> String {
    // Identity numbers are ASCII once parsed; slicing bytes spares the census ingest (two
    // million members a slice) a vector of chars and three strings per number.
    if t.is_ascii() && t.len() >= 8 {
        let mut out = String::with_capacity(t.len());
        out.push_str(&t[..3]);
        out.extend(std::iter::repeat_n('*', t.len() - 7));
        out.push_str(&t[t.len() - 4..]);
        return out;
    }
    let chars: Vec<char> = t.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let hidden = chars.len() - 7;
    format!(
        "{}{}{}",
        chars[..3].iter().collect::<String>(),
        "*".repeat(hidden),
        chars[chars.len() - 4..].iter().collect::<String>()
    )
}

impl TryFrom<String> for IdNumber {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        IdNumber::parse(&s)
    }
}

impl From<IdNumber> for String {
    fn from(id: IdNumber) -> String {
        id.0
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // 11010519491231002X is the worked example of GB 11643-1999's check character.
    const EXAMPLE: &str = "11010519491231002X";

    #[test]
    fn the_standards_worked_example() {
        let mut d = [0u8; 17];
        d.copy_from_slice(&EXAMPLE.as_bytes()[..17]);
        assert_eq!(check_character(&d), b'X');
        let (id, written) = IdNumber::normalise(EXAMPLE).unwrap();
        assert_eq!(id.reveal(), EXAMPLE);
        assert!(written.is_standard());
        assert_eq!(written.describe(), "");
    }

    #[test]
    fn registry_forms_are_normalised() {
        let cases = [
            ("11010519491231002x", "lower-case x"),
            ("１１０１０５１９４９１２３１００２Ｘ", "full-width"),
            (
                "１１０１０５１９４９１２３１００２ｘ",
                "full-width; lower-case x",
            ),
            ("\u{3000}11010519491231002X ", "spaces"),
            ("110105491231002", "15-digit"),
        ];
        for (text, how) in cases {
            let (id, written) = IdNumber::normalise(text).unwrap();
            assert_eq!(id.reveal(), EXAMPLE, "{text}");
            assert_eq!(written.describe(), how, "{text}");
        }
    }

    #[test]
    fn anything_else_is_refused_with_its_reason() {
        let n = IdNumber::normalise;
        assert_eq!(n("  "), Err(IdError::Empty));
        assert_eq!(
            n("110105 19491231002X"),
            Err(IdError::Character {
                position: 7,
                found: ' '
            })
        );
        assert_eq!(
            n("1101051949123100-2X"),
            Err(IdError::Character {
                position: 17,
                found: '-'
            })
        );
        assert_eq!(
            n("1101051949X2310021"),
            Err(IdError::MisplacedX { position: 11 })
        );
        assert_eq!(
            n("11010549123100X"),
            Err(IdError::MisplacedX { position: 15 })
        );
        assert_eq!(n("1101051949123100"), Err(IdError::Length { length: 16 }));
        let check = n("110105194912310021").unwrap_err();
        assert!(matches!(check, IdError::Check { .. }));
        assert!(!check.to_string().contains("1949123"), "{check}");
        // 15-digit numbers have no check character: the birth date is what can be checked.
        let date = n("110105491331002").unwrap_err();
        assert!(matches!(date, IdError::BirthDate { .. }), "{date}");
        assert!(
            matches!(n("110105000229002"), Err(IdError::BirthDate { .. })),
            "1900 was not a leap year"
        );
        assert!(n("110105960229002").is_ok(), "1996 was");
    }

    #[test]
    fn parse_stays_strict() {
        assert!(IdNumber::parse("11010519491231002x").is_ok());
        assert!(IdNumber::parse("110105491231002").is_err());
        assert!(IdNumber::parse("１１０１０５１９４９１２３１００２Ｘ").is_err());
    }

    #[test]
    fn keys_are_the_seventeen_digits() {
        let id = IdNumber::parse(EXAMPLE).unwrap();
        assert_eq!(id.key(), 11010519491231002);
        assert_eq!(IdNumber::from_key(id.key()), Some(id));
        assert_eq!(IdNumber::from_key(100_000_000_000_000_000), None);
    }

    #[test]
    fn masking_keeps_three_and_four_characters_ascii_or_not() {
        assert_eq!(mask("110105194912310021"), "110***********0021");
        assert_eq!(mask("11010519491231X"), "110********231X");
        assert_eq!(mask("1234567"), "*******");
        assert_eq!(mask("１１０１０５１９"), "１１０*０５１９");
        assert_eq!(mask("12345678"), "123*5678");
    }

    #[test]
    fn full_width_runs_are_masked_too() {
        assert_eq!(
            mask_identity_numbers("id １１０１０５１９４９１２３１００２Ｘ."),
            "id １１０***********００２Ｘ."
        );
    }

    /// 17 digits whose birth date is a real date between 1900 and 1999 (so that its 15-digit
    /// form exists): region, year, month, day, sequence.
    fn seventeen() -> impl Strategy<Value = [u8; 17]> {
        (
            100_000u32..999_999,
            0u32..100,
            1u32..=12,
            1u32..=28,
            0u32..1000,
        )
            .prop_map(|(region, yy, mm, dd, seq)| {
                let s = format!("{region:06}19{yy:02}{mm:02}{dd:02}{seq:03}");
                let mut d = [0u8; 17];
                d.copy_from_slice(s.as_bytes());
                d
            })
    }

    fn with_check(d: &[u8; 17]) -> String {
        let mut s = String::from_utf8(d.to_vec()).unwrap();
        s.push(char::from(check_character(d)));
        s
    }

    proptest! {
        #[test]
        fn a_valid_number_round_trips(d in seventeen(), lower in any::<bool>(), wide in any::<bool>()) {
            let s = with_check(&d);
            let mut written = if lower { s.replace('X', "x") } else { s.clone() };
            if wide {
                written = written
                    .chars()
                    .map(|c| match c {
                        '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap(),
                        'X' => 'Ｘ',
                        'x' => 'ｘ',
                        c => c,
                    })
                    .collect();
            }
            let (id, _) = IdNumber::normalise(&written).unwrap();
            prop_assert_eq!(id.reveal(), s.as_str());
            prop_assert_eq!(IdNumber::parse(id.reveal()).unwrap(), id.clone());
            prop_assert_eq!(IdNumber::from_key(id.key()).unwrap(), id.clone());
            let (again, how) = IdNumber::normalise(id.reveal()).unwrap();
            prop_assert_eq!(again, id);
            prop_assert!(how.is_standard());
        }

        #[test]
        fn a_15_digit_conversion_is_a_valid_18(d in seventeen()) {
            let old: String = String::from_utf8([&d[..6], &d[8..]].concat()).unwrap();
            prop_assert_eq!(old.len(), 15);
            let (id, how) = IdNumber::normalise(&old).unwrap();
            prop_assert!(how.old_15_digit);
            prop_assert_eq!(id.reveal(), with_check(&d));
            prop_assert!(IdNumber::parse(id.reveal()).is_ok());
        }

        #[test]
        fn one_changed_digit_is_always_caught(d in seventeen(), at in 0usize..18, by in 1u8..10) {
            let s = with_check(&d);
            let mut b = s.into_bytes();
            if at == 17 {
                // Change the check character to another of the eleven.
                let i = CHECK.iter().position(|&c| c == b[17]).unwrap();
                b[17] = CHECK[(i + usize::from(by)) % 11];
            } else {
                b[at] = b'0' + (b[at] - b'0' + by) % 10;
            }
            let changed = String::from_utf8(b).unwrap();
            prop_assert!(
                matches!(IdNumber::normalise(&changed), Err(IdError::Check { .. })),
                "{} accepted", changed
            );
            prop_assert!(IdNumber::parse(&changed).is_err());
        }
    }
}
