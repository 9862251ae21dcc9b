//! Tickets: the public, re-implementable random numbers behind every draw.
//!
//! input  = seed ‖ 0x1F ‖ stage ‖ 0x1F ‖ county ‖ 0x1F ‖ stratum ‖ 0x1F ‖ unit id (UTF-8, NFC)
//! digest = SHA-256(input)
//! ticket = (first 8 bytes of digest as big-endian u64 + 0.5) / 2^64
//!
//! A ticket is a pure function of public text, so anyone holding the seed can recompute it
//! (docs/sampling.md has a 60-line Python re-implementation). Because a unit's ticket does not
//! depend on any other unit, adding or removing one household never reorders the others.

use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::cmp::Ordering;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

const SEPARATOR: u8 = 0x1F;

/// Which stage a ticket is for; part of the hashed input so the stages are independent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Villages (primary units).
    Village,
    /// Households inside a sampled village.
    Household,
}

impl Stage {
    /// The text hashed for the stage: `village` or `household`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Village => "village",
            Stage::Household => "household",
        }
    }
}

/// A unit's ticket: uniform on (0, 1), with the raw 64 bits kept for exact re-checking.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ticket {
    /// First 8 bytes of the digest, big-endian.
    pub raw: u64,
    /// (raw + 0.5) / 2^64, computed in f64 exactly as the Python reference does.
    pub value: f64,
}

/// The ticket of one unit.
pub fn ticket(seed: &str, stage: Stage, county: &str, stratum: &str, unit_id: &str) -> Ticket {
    TicketStream::new(seed, stage).ticket(county, stratum, unit_id)
}

/// Tickets of one seed and stage, with the hashed prefix `seed ‖ 0x1F ‖ stage ‖ 0x1F`
/// prepared once (a national draw computes 30 million of them).
#[derive(Clone)]
pub struct TicketStream {
    prefix: Sha256,
}

impl TicketStream {
    /// Prepares the stream for a seed and stage.
    pub fn new(seed: &str, stage: Stage) -> TicketStream {
        let mut prefix = Sha256::new();
        prefix.update(nfc(seed).as_bytes());
        prefix.update([SEPARATOR]);
        prefix.update(stage.as_str().as_bytes());
        TicketStream { prefix }
    }

    /// The ticket of a unit; equal to [`ticket`] with the same seed and stage.
    pub fn ticket(&self, county: &str, stratum: &str, unit_id: &str) -> Ticket {
        self.within(county, stratum).ticket(unit_id)
    }

    /// The stream narrowed to one county and stratum, for the many units that share them.
    pub fn within(&self, county: &str, stratum: &str) -> StratumTickets {
        let mut prefix = self.prefix.clone();
        for part in [county, stratum] {
            prefix.update([SEPARATOR]);
            prefix.update(nfc(part).as_bytes());
        }
        prefix.update([SEPARATOR]);
        StratumTickets { prefix }
    }
}

/// Tickets of one seed, stage, county and stratum (see [`TicketStream::within`]).
#[derive(Clone)]
pub struct StratumTickets {
    prefix: Sha256,
}

impl StratumTickets {
    /// The ticket of a unit of the stratum.
    pub fn ticket(&self, unit_id: &str) -> Ticket {
        let mut hasher = self.prefix.clone();
        hasher.update(nfc(unit_id).as_bytes());
        from_digest(&hasher.finalize())
    }
}

fn from_digest(digest: &[u8]) -> Ticket {
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let raw = u64::from_be_bytes(first);
    // `raw as f64` rounds to nearest-even like Python's int→float; dividing by 2^64 is exact.
    let value = (raw as f64 + 0.5) / 18_446_744_073_709_551_616.0;
    Ticket { raw, value }
}

/// SHA-256 of a seed (NFC), lowercase hex: the commitment published before fieldwork.
pub fn seed_commitment(seed: &str) -> String {
    hex::encode(Sha256::digest(nfc(seed).as_bytes()))
}

/// Bits of entropy a seed needs: its SHA-256 commitment is published before fieldwork, and a
/// seed from a space under 2^64 can be found from the commitment by trying every candidate
/// (a GPU tries about 10^10 SHA-256 a second: 2^52 twenty-dice seeds in days, 2^64 in
/// decades).
pub const MIN_SEED_BITS: f64 = 64.0;

/// What a seed's length and characters say about its entropy, at most: length × log2 of the
/// smallest alphabet its characters fit (dice 1-6: 6; decimal digits: 10; hexadecimal: 16;
/// lower-case letters: 26; lower-case letters and digits: 36; letters and digits: 62; any
/// other text: 95, the printable ASCII characters). A seed of one repeated character has
/// none. An upper bound: a seed chosen by a person rather than by dice has less.
pub fn seed_entropy_bits(seed: &str) -> f64 {
    let seed = seed.trim();
    let chars: Vec<char> = seed.chars().collect();
    if chars.windows(2).all(|w| w[0] == w[1]) {
        return 0.0;
    }
    let all = |f: fn(&char) -> bool| chars.iter().all(f);
    let alphabet: f64 = if all(|c| ('1'..='6').contains(c)) {
        6.0
    } else if all(char::is_ascii_digit) {
        10.0
    } else if all(|c| c.is_ascii_digit() || ('a'..='f').contains(c))
        || all(|c| c.is_ascii_digit() || ('A'..='F').contains(c))
    {
        16.0
    } else if all(char::is_ascii_lowercase) {
        26.0
    } else if all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        36.0
    } else if all(char::is_ascii_alphanumeric) {
        62.0
    } else {
        95.0
    };
    chars.len() as f64 * alphabet.log2()
}

/// Orders units by ticket value, ties (practically impossible) broken by unit id.
pub fn by_ticket(a: (f64, &str), b: (f64, &str)) -> Ordering {
    a.0.total_cmp(&b.0).then_with(|| a.1.cmp(b.1))
}

fn nfc(text: &str) -> Cow<'_, str> {
    // Almost every id is ASCII, which is always NFC; skip the check and the allocation.
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => Cow::Borrowed(text),
        _ => Cow::Owned(text.nfc().collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By hand: 20 dice rolls 20·log2 6 = 51.7 bits, 25 rolls 64.6; 20 decimal digits 66.4;
    /// 16 hex digits 64; a repeated digit none.
    #[test]
    fn seed_entropy_counts_the_alphabet_the_seed_fits() {
        let bits = seed_entropy_bits;
        assert!((bits("35216645123362514246") - 20.0 * 6f64.log2()).abs() < 1e-9);
        assert!(bits("35216645123362514246") < MIN_SEED_BITS);
        assert!(bits("3521664512336251424661524") >= MIN_SEED_BITS);
        assert!((bits("98216645123362514246") - 20.0 * 10f64.log2()).abs() < 1e-9);
        assert!((bits("0123456789abcdef") - 64.0).abs() < 1e-9);
        assert_eq!(bits("77777777777777777777777777777777"), 0.0);
        assert!(bits("4242") < 14.0);
        assert!(bits("correct horse battery staple") > 64.0);
    }

    #[test]
    fn ticket_matches_an_independent_sha256() {
        // python3 -c "import hashlib;d=hashlib.sha256('12345\x1fhousehold\x1f530128\x1fexited\x1fH-1'.encode()).digest();
        //   n=int.from_bytes(d[:8],'big');print(n,(n+0.5)/2**64)"
        let t = ticket("12345", Stage::Household, "530128", "exited", "H-1");
        assert_eq!(t.raw, 15_926_408_083_022_771_121);
        assert_eq!(t.value, 0.8633723121751993);
    }

    #[test]
    fn composed_and_decomposed_text_give_one_ticket() {
        // "é" as one code point and as e + combining acute accent.
        let a = ticket("s", Stage::Village, "530128", "remote", "caf\u{e9}");
        let b = ticket("s", Stage::Village, "530128", "remote", "cafe\u{301}");
        assert_eq!(a, b);
    }

    #[test]
    fn stages_and_strata_are_independent_streams() {
        let v = ticket("s", Stage::Village, "530128", "x", "u");
        let h = ticket("s", Stage::Household, "530128", "x", "u");
        let other = ticket("s", Stage::Village, "530128", "y", "u");
        assert_ne!(v.raw, h.raw);
        assert_ne!(v.raw, other.raw);
    }

    #[test]
    fn commitment_is_plain_sha256_of_the_seed() {
        // echo -n 12345 | sha256sum
        assert_eq!(
            seed_commitment("12345"),
            "5994471abb01112afcc18159f6cc74b4f511b99806da59b3caf5a9c173cacfc5"
        );
    }
}
