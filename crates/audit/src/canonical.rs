//! The canonical bytes that are hashed: a list of typed, self-delimiting fields, so that no
//! two different lists give the same bytes (docs/audit.md, "The exact hash").
//!
//! Each field is a one-byte tag followed by its value:
//!
//! | field | bytes |
//! |---|---|
//! | null | `00` |
//! | integer (i64) | `01`, then 8 bytes, big-endian two's complement |
//! | float (f64) | `02`, then the 8 bytes of its IEEE 754 bits, big-endian |
//! | text (UTF-8) | `03`, then its byte length as 8 bytes big-endian, then the bytes |
//! | bytes | `04`, then the length as 8 bytes big-endian, then the bytes |
//!
//! The fields are concatenated in order with nothing between them; the first field of every
//! list is a text naming what is hashed and its version (`assess-audit-entry/1`, ...).

use sha2::{Digest, Sha256};

/// One field of a canonical list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Field<'a> {
    /// An absent value (SQL NULL).
    Null,
    /// An integer.
    Int(i64),
    /// A floating-point number, by its bits (so 0.0 and -0.0 differ, as stored).
    Float(f64),
    /// UTF-8 text.
    Text(&'a str),
    /// Raw bytes.
    Bytes(&'a [u8]),
}

impl Field<'_> {
    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Field::Null => out.push(0),
            Field::Int(i) => {
                out.push(1);
                out.extend_from_slice(&i.to_be_bytes());
            }
            Field::Float(f) => {
                out.push(2);
                out.extend_from_slice(&f.to_bits().to_be_bytes());
            }
            Field::Text(s) => {
                out.push(3);
                out.extend_from_slice(&(s.len() as u64).to_be_bytes());
                out.extend_from_slice(s.as_bytes());
            }
            Field::Bytes(b) => {
                out.push(4);
                out.extend_from_slice(&(b.len() as u64).to_be_bytes());
                out.extend_from_slice(b);
            }
        }
    }
}

/// The canonical bytes of a list of fields.
pub fn canonical_bytes(fields: &[Field<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in fields {
        f.write(&mut out);
    }
    out
}

/// SHA-256 of the canonical bytes of `fields`, lowercase hex.
pub fn fields_sha256(fields: &[Field<'_>]) -> String {
    let mut hash = Sha256::new();
    let mut buffer = Vec::new();
    for f in fields {
        buffer.clear();
        f.write(&mut buffer);
        hash.update(&buffer);
    }
    hex::encode(hash.finalize())
}

/// SHA-256 of bytes, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The encoding, byte by byte, as docs/audit.md states it.
    #[test]
    fn fields_encode_as_documented() {
        let bytes = canonical_bytes(&[
            Field::Text("ab"),
            Field::Int(-2),
            Field::Null,
            Field::Float(1.5),
            Field::Bytes(&[9]),
        ]);
        let mut want = vec![3, 0, 0, 0, 0, 0, 0, 0, 2, b'a', b'b'];
        want.extend_from_slice(&[1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]);
        want.push(0);
        want.extend_from_slice(&[2, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]);
        want.extend_from_slice(&[4, 0, 0, 0, 0, 0, 0, 0, 1, 9]);
        assert_eq!(bytes, want);
        assert_eq!(
            fields_sha256(&[Field::Text("ab"), Field::Int(-2)]),
            sha256_hex(&canonical_bytes(&[Field::Text("ab"), Field::Int(-2)]))
        );
    }

    /// Moving a boundary between two texts, or a null for an empty text, changes the bytes.
    #[test]
    fn different_lists_never_give_the_same_bytes() {
        let pairs = [
            (
                vec![Field::Text("ab"), Field::Text("c")],
                vec![Field::Text("a"), Field::Text("bc")],
            ),
            (vec![Field::Null], vec![Field::Text("")]),
            (vec![Field::Int(1)], vec![Field::Float(1.0)]),
            (vec![Field::Text("x")], vec![Field::Bytes(b"x")]),
        ];
        for (a, b) in pairs {
            assert_ne!(canonical_bytes(&a), canonical_bytes(&b), "{a:?} / {b:?}");
        }
    }

    /// SHA-256 of "abc" (FIPS 180-2, appendix B.1).
    #[test]
    fn sha256_of_abc_is_the_published_value() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
