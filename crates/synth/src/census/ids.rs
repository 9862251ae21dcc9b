//! Synthetic resident identity numbers (GB 11643-1999): the county's code, the birth date,
//! a sequence (odd for men, even for women) and the ISO 7064 MOD 11-2 check character;
//! and the other forms registries write them in.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// The check character of 17 digits.
pub(crate) fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize] as char
}

/// Numbers issued in one county: each (birth date, sex) has its own sequence, so no two
/// people of a county share a number (until 500 people of one sex share a birthday, when
/// the sequence wraps; no synthetic county comes near).
pub(crate) struct Issuer {
    county: String,
    issued: HashMap<(u32, bool), u16>,
}

impl Issuer {
    pub fn new(county: &str) -> Issuer {
        Issuer {
            county: county.to_string(),
            issued: HashMap::new(),
        }
    }

    /// A new 18-character number for someone born in `year` (month and day drawn).
    pub fn issue(&mut self, year: u16, male: bool, rng: &mut ChaCha8Rng) -> String {
        let month: u32 = rng.random_range(1..=12);
        let day: u32 = rng.random_range(1..=days_in(year, month));
        let date = u32::from(year) * 10_000 + month * 100 + day;
        let n = self.issued.entry((date, male)).or_insert(0);
        let k = u32::from(*n % 499);
        *n = n.wrapping_add(1);
        let seq = if male { 2 * k + 1 } else { 2 * k + 2 };
        let first17 = format!("{}{date:08}{seq:03}", self.county);
        let check = check_char(first17.as_bytes());
        format!("{first17}{check}")
    }
}

fn days_in(year: u16, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// How a registry wrote a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdForm {
    /// The 18 characters as issued.
    Canonical,
    /// The old 15-digit number (no century, no check character): people born in 19xx.
    Old15,
    /// Full-width digits and X (０-９, Ｘ), as some Chinese input methods type them.
    FullWidth,
    /// A lower-case check character x.
    LowerX,
}

impl IdForm {
    pub fn as_str(self) -> &'static str {
        match self {
            IdForm::Canonical => "canonical",
            IdForm::Old15 => "old15",
            IdForm::FullWidth => "fullwidth",
            IdForm::LowerX => "lower_x",
        }
    }
}

/// One of the forms that apply to `id`, drawn uniformly (full width always applies).
pub(crate) fn other_form(id: &str, rng: &mut ChaCha8Rng) -> IdForm {
    let mut forms = vec![IdForm::FullWidth];
    if &id[6..8] == "19" {
        forms.push(IdForm::Old15);
    }
    if id.ends_with('X') {
        forms.push(IdForm::LowerX);
    }
    forms[rng.random_range(0..forms.len())]
}

/// `id` written in `form`.
pub(crate) fn written(id: &str, form: IdForm) -> String {
    match form {
        IdForm::Canonical => id.to_string(),
        IdForm::Old15 => format!("{}{}", &id[..6], &id[8..17]),
        IdForm::FullWidth => id
            .chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32(0xFF10 + (c as u32 - '0' as u32)).unwrap_or(c),
                'X' => '\u{FF38}',
                other => other,
            })
            .collect(),
        IdForm::LowerX => id.to_ascii_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn numbers_pass_the_check_and_forms_convert_back() {
        // GB 11643-1999's worked example.
        assert_eq!(check_char(b"11010519491231002"), 'X');
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut issuer = Issuer::new("530128");
        let mut seen = std::collections::HashSet::new();
        for i in 0..20_000u32 {
            let id = issuer.issue(1930 + (i % 90) as u16, i % 2 == 0, &mut rng);
            assert!(assess_inspection::IdNumber::parse(&id).is_ok(), "{id}");
            assert!(seen.insert(id.clone()), "issued twice: {id}");
            let old = written(&id, IdForm::Old15);
            if &id[6..8] == "19" {
                // The 15-digit number with its century back gives the 18-digit one.
                let first17 = format!("{}19{}", &old[..6], &old[6..]);
                assert_eq!(format!("{first17}{}", check_char(first17.as_bytes())), id);
            }
        }
        assert_eq!(
            written("11010519491231002X", IdForm::FullWidth),
            "１１０１０５１９４９１２３１００２Ｘ"
        );
        assert_eq!(
            written("11010519491231002X", IdForm::LowerX),
            "11010519491231002x"
        );
    }
}
