//! The bytes a return's hashes are taken of ([`crate::CensusReturn::content_sha256`],
//! [`crate::answers_sha256`]): a compact binary encoding of a `Serialize` value in which every
//! value carries a one-byte tag, every text its length, and every struct field its place
//! (a value, or a mark for a field left out), written straight into one buffer
//! (docs/census.md, "Content hash").
//!
//! Why not JSON: the hashes were first taken of JSON text, and writing that text (escaping
//! every string, spelling every float in decimal) and hashing its longer bytes were a fifth
//! of the census ingest's CPU; this encoding is written by copying bytes.
//!
//! Why hand-written rather than bincode or postcard: those formats leave a skipped optional
//! field (`skip_serializing_if`) without a trace and give a value no tag, so two returns that
//! differ in *which* of two optional answers is given can encode alike, and a changed return
//! would then pass for one already held. Here every value is tagged and a field left out
//! leaves a mark in its place, so the encoding of values of one type is self-delimiting: two
//! different values never give the same bytes (tested below). Field names are not written:
//! the hashed values are always of one type, whose fields come in the order of its
//! declaration.

use serde::ser::{self, Serialize, Serializer};
use std::fmt;

/// The encoding of `value`, appended to `out`.
pub(crate) fn encode<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<(), Error> {
    value.serialize(Encoder(out))
}

/// A value that cannot be encoded (a derived `Serialize` never gives one).
#[derive(Debug)]
pub(crate) struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

// One byte before each value says what follows; a sequence, map or struct ends with its own
// closing byte, which no value starts with.
const FALSE: u8 = b'f';
const TRUE: u8 = b't';
const SIGNED: u8 = b'i';
const UNSIGNED: u8 = b'u';
const FLOAT: u8 = b'd';
const TEXT: u8 = b's';
const BYTES: u8 = b'y';
const NONE: u8 = b'n';
const SOME: u8 = b'S';
const UNIT: u8 = b'0';
const VARIANT: u8 = b'v';
const NEWTYPE_VARIANT: u8 = b'V';
const TUPLE_VARIANT: u8 = b'T';
const STRUCT_VARIANT: u8 = b'W';
const SEQ: u8 = b'[';
const SEQ_END: u8 = b']';
const MAP: u8 = b'M';
const STRUCT: u8 = b'{';
const SKIPPED: u8 = b'x';
const MAP_OR_STRUCT_END: u8 = b'}';

struct Encoder<'b>(&'b mut Vec<u8>);

impl Encoder<'_> {
    fn tagged(self, tag: u8, bytes: &[u8]) -> Result<(), Error> {
        self.0.push(tag);
        self.0.extend_from_slice(bytes);
        Ok(())
    }

    /// The tag, the length (LEB128: seven bits a byte, low first, a set top bit saying more
    /// follow) and the bytes.
    fn text(out: &mut Vec<u8>, tag: u8, bytes: &[u8]) {
        out.push(tag);
        let mut n = bytes.len();
        while n >= 0x80 {
            out.push((n as u8 & 0x7f) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
        out.extend_from_slice(bytes);
    }
}

/// A sequence, map or struct being written; closed with its end byte.
struct Compound<'b> {
    out: &'b mut Vec<u8>,
    end: u8,
}

impl Compound<'_> {
    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(Encoder(&mut *self.out))
    }

    fn skipped(&mut self) -> Result<(), Error> {
        self.out.push(SKIPPED);
        Ok(())
    }

    fn close(self) -> Result<(), Error> {
        self.out.push(self.end);
        Ok(())
    }
}

impl<'b> Serializer for Encoder<'b> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'b>;
    type SerializeTuple = Compound<'b>;
    type SerializeTupleStruct = Compound<'b>;
    type SerializeTupleVariant = Compound<'b>;
    type SerializeMap = Compound<'b>;
    type SerializeStruct = Compound<'b>;
    type SerializeStructVariant = Compound<'b>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.tagged(if v { TRUE } else { FALSE }, &[])
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.tagged(SIGNED, &v.to_le_bytes())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.tagged(UNSIGNED, &v.to_le_bytes())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        // The bits, so 0.0 and -0.0 differ as their JSON spellings did.
        self.tagged(FLOAT, &v.to_bits().to_le_bytes())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        Encoder::text(self.0, TEXT, v.as_bytes());
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        Encoder::text(self.0, BYTES, v);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.tagged(NONE, &[])
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        self.0.push(SOME);
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.tagged(UNIT, &[])
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        Encoder::text(self.0, VARIANT, variant.as_bytes());
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        Encoder::text(self.0, NEWTYPE_VARIANT, variant.as_bytes());
        value.serialize(self)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'b>, Error> {
        self.0.push(SEQ);
        Ok(Compound {
            out: self.0,
            end: SEQ_END,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'b>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'b>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'b>, Error> {
        Encoder::text(self.0, TUPLE_VARIANT, variant.as_bytes());
        self.serialize_seq(Some(len))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'b>, Error> {
        self.0.push(MAP);
        Ok(Compound {
            out: self.0,
            end: MAP_OR_STRUCT_END,
        })
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'b>, Error> {
        self.0.push(STRUCT);
        Ok(Compound {
            out: self.0,
            end: MAP_OR_STRUCT_END,
        })
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'b>, Error> {
        Encoder::text(self.0, STRUCT_VARIANT, variant.as_bytes());
        self.serialize_struct(variant, len)
    }
}

/// serde's sequence-like traits: each element written in turn, then the closing byte.
macro_rules! sequence_like {
    ($($name:ident :: $element:ident),*) => {$(
        impl ser::$name for Compound<'_> {
            type Ok = ();
            type Error = Error;
            fn $element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.value(value)
            }
            fn end(self) -> Result<(), Error> {
                self.close()
            }
        }
    )*};
}

sequence_like!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// serde's struct-like traits: each field's value in its place, or the mark of one left out.
macro_rules! struct_like {
    ($($name:ident),*) => {$(
        impl ser::$name for Compound<'_> {
            type Ok = ();
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                _key: &'static str,
                value: &T,
            ) -> Result<(), Error> {
                self.value(value)
            }
            fn skip_field(&mut self, _key: &'static str) -> Result<(), Error> {
                self.skipped()
            }
            fn end(self) -> Result<(), Error> {
                self.close()
            }
        }
    )*};
}

struct_like!(SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.value(key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.value(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use std::collections::BTreeMap;

    #[derive(Serialize, Clone, Default)]
    struct Answers {
        #[serde(skip_serializing_if = "Option::is_none")]
        a: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        b: Option<u32>,
        c: Option<f64>,
        words: Vec<String>,
        kind: Option<Kind>,
    }

    #[derive(Serialize, Clone, Copy)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Brick,
        Wood,
    }

    fn bytes<T: Serialize>(v: &T) -> Vec<u8> {
        let mut out = Vec::new();
        encode(&mut out, v).unwrap();
        out
    }

    /// Values that JSON also tells apart but a tagless binary format would not.
    #[test]
    fn different_values_encode_differently() {
        let base = Answers::default();
        let variants = [
            base.clone(),
            Answers {
                a: Some(1),
                ..base.clone()
            },
            Answers {
                b: Some(1),
                ..base.clone()
            },
            Answers {
                c: Some(0.0),
                ..base.clone()
            },
            Answers {
                c: Some(-0.0),
                ..base.clone()
            },
            Answers {
                words: vec!["ab".into()],
                ..base.clone()
            },
            Answers {
                words: vec!["a".into(), "b".into()],
                ..base.clone()
            },
            Answers {
                words: vec!["".into()],
                ..base.clone()
            },
            Answers {
                kind: Some(Kind::Brick),
                ..base.clone()
            },
            Answers {
                kind: Some(Kind::Wood),
                ..base.clone()
            },
        ];
        let encoded: Vec<Vec<u8>> = variants.iter().map(bytes).collect();
        for (i, x) in encoded.iter().enumerate() {
            for (j, y) in encoded.iter().enumerate() {
                assert_eq!(i == j, x == y, "variants {i} and {j}");
            }
        }
    }

    #[test]
    fn the_encoding_is_as_documented() {
        let v = (true, -2i32, 1.5f64, "字", None::<u8>, Some(7u8), Kind::Wood);
        let mut want = vec![b'[', b't', b'i'];
        want.extend((-2i64).to_le_bytes());
        want.push(b'd');
        want.extend(1.5f64.to_bits().to_le_bytes());
        want.extend([b's', 3]);
        want.extend("字".as_bytes());
        want.extend([b'n', b'S', b'u']);
        want.extend(7u64.to_le_bytes());
        want.extend([b'v', 4]);
        want.extend(b"wood");
        want.push(b']');
        assert_eq!(bytes(&v), want);
        // A length of 128 or more takes two bytes or more (LEB128).
        let long = "x".repeat(300);
        assert_eq!(&bytes(&long)[..3], &[b's', 0xac, 0x02]);
    }

    #[test]
    fn maps_name_their_keys_and_structs_mark_fields_left_out() {
        let map: BTreeMap<&str, u8> = [("k", 1)].into();
        let mut want = vec![b'M', b's', 1, b'k', b'u'];
        want.extend(1u64.to_le_bytes());
        want.push(b'}');
        assert_eq!(bytes(&map), want);
        // a and b skipped, c null, words empty, kind null.
        let want = vec![b'{', b'x', b'x', b'n', b'[', b']', b'n', b'}'];
        assert_eq!(bytes(&Answers::default()), want);
    }
}
