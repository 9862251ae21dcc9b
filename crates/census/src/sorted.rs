//! Compact JSON with every struct's fields in sorted order: the bytes
//! `serde_json::to_value(x)?.to_string()` gives (a `serde_json::Value` object is a `BTreeMap`,
//! so its keys come out sorted), written straight into one buffer.
//!
//! Why: the answers hash ([`crate::answers_sha256`]) was defined on that text when a
//! `serde_json::Value` was built for every return, and building it was a sixth of the census
//! ingest's CPU. Stores hold the hash, so its bytes must not change; this writes the same bytes
//! without the tree. Scalars are written by `serde_json` itself, so numbers and strings are
//! spelled as before; only struct fields are reordered. Maps (none in the answers) go through
//! `serde_json::Value` as before.

use serde::ser::{self, Impossible, Serialize, Serializer};

/// The sorted compact JSON of `value`, appended to `out`.
pub(crate) fn write_sorted<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
) -> Result<(), serde_json::Error> {
    value.serialize(Sorted(out))
}

/// Writes into the buffer; a struct's fields are reordered when it ends.
struct Sorted<'b>(&'b mut Vec<u8>);

impl Sorted<'_> {
    fn json(&mut self) -> serde_json::Serializer<&mut Vec<u8>> {
        serde_json::Serializer::new(&mut *self.0)
    }
}

type Error = serde_json::Error;

impl<'b> Serializer for Sorted<'b> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Seq<'b>;
    type SerializeTuple = Seq<'b>;
    type SerializeTupleStruct = Seq<'b>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Struct<'b>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_bool(mut self, v: bool) -> Result<(), Error> {
        self.json().serialize_bool(v)
    }
    fn serialize_i8(mut self, v: i8) -> Result<(), Error> {
        self.json().serialize_i8(v)
    }
    fn serialize_i16(mut self, v: i16) -> Result<(), Error> {
        self.json().serialize_i16(v)
    }
    fn serialize_i32(mut self, v: i32) -> Result<(), Error> {
        self.json().serialize_i32(v)
    }
    fn serialize_i64(mut self, v: i64) -> Result<(), Error> {
        self.json().serialize_i64(v)
    }
    fn serialize_u8(mut self, v: u8) -> Result<(), Error> {
        self.json().serialize_u8(v)
    }
    fn serialize_u16(mut self, v: u16) -> Result<(), Error> {
        self.json().serialize_u16(v)
    }
    fn serialize_u32(mut self, v: u32) -> Result<(), Error> {
        self.json().serialize_u32(v)
    }
    fn serialize_u64(mut self, v: u64) -> Result<(), Error> {
        self.json().serialize_u64(v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        // A `Value` holds an f32 as the f64 it widens to.
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(mut self, v: f64) -> Result<(), Error> {
        self.json().serialize_f64(v)
    }
    fn serialize_char(mut self, v: char) -> Result<(), Error> {
        self.json().serialize_char(v)
    }
    fn serialize_str(mut self, v: &str) -> Result<(), Error> {
        self.json().serialize_str(v)
    }
    fn serialize_bytes(mut self, v: &[u8]) -> Result<(), Error> {
        self.json().serialize_bytes(v)
    }
    fn serialize_none(mut self) -> Result<(), Error> {
        self.json().serialize_none()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(mut self) -> Result<(), Error> {
        self.json().serialize_unit()
    }
    fn serialize_unit_struct(mut self, name: &'static str) -> Result<(), Error> {
        self.json().serialize_unit_struct(name)
    }
    fn serialize_unit_variant(
        mut self,
        name: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.json().serialize_unit_variant(name, index, variant)
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
        // `{"variant":value}`: an object of one key is sorted already.
        self.0.push(b'{');
        serde_json::to_writer(&mut *self.0, variant)?;
        self.0.push(b':');
        value.serialize(Sorted(&mut *self.0))?;
        self.0.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Seq<'b>, Error> {
        self.0.push(b'[');
        Ok(Seq {
            out: self.0,
            first: true,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'b>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Seq<'b>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(ser::Error::custom("tuple variants are not in the answers"))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(ser::Error::custom("maps are not in the answers"))
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Struct<'b>, Error> {
        let start = self.0.len();
        Ok(Struct {
            out: self.0,
            start,
            fields: Vec::with_capacity(len),
        })
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(ser::Error::custom("struct variants are not in the answers"))
    }
}

/// An array being written.
struct Seq<'b> {
    out: &'b mut Vec<u8>,
    first: bool,
}

impl Seq<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if !std::mem::take(&mut self.first) {
            self.out.push(b',');
        }
        value.serialize(Sorted(&mut *self.out))
    }

    fn close(self) -> Result<(), Error> {
        self.out.push(b']');
        Ok(())
    }
}

impl ser::SerializeSeq for Seq<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTuple for Seq<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTupleStruct for Seq<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

/// A struct being written: each field's value is written at the end of the buffer as it
/// comes, and the fields are put in key order when the struct ends.
struct Struct<'b> {
    out: &'b mut Vec<u8>,
    start: usize,
    fields: Vec<(&'static str, std::ops::Range<usize>)>,
}

impl ser::SerializeStruct for Struct<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let from = self.out.len();
        value.serialize(Sorted(&mut *self.out))?;
        self.fields.push((key, from..self.out.len()));
        Ok(())
    }

    fn end(mut self) -> Result<(), Error> {
        self.fields.sort_unstable_by_key(|(key, _)| *key);
        let values = self.out.split_off(self.start);
        self.out.push(b'{');
        for (k, (key, range)) in self.fields.iter().enumerate() {
            if k > 0 {
                self.out.push(b',');
            }
            serde_json::to_writer(&mut *self.out, key)?;
            self.out.push(b':');
            let at = range.start - self.start..range.end - self.start;
            self.out.extend_from_slice(&values[at]);
        }
        self.out.push(b'}');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Serialize)]
    struct Inner {
        zeta: Option<f64>,
        alpha: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Word {
        BasicallySatisfied,
    }

    #[derive(Serialize)]
    struct Outer {
        m: Vec<Inner>,
        b: Option<Inner>,
        a: (u32, i64, f32, bool, Word),
        quote: String,
    }

    #[test]
    fn the_bytes_are_those_of_a_json_value() {
        let x = Outer {
            m: vec![
                Inner {
                    zeta: Some(0.1 + 0.2),
                    alpha: "x",
                    skipped: None,
                },
                Inner {
                    zeta: None,
                    alpha: "",
                    skipped: Some(3),
                },
            ],
            b: None,
            a: (7, -3, 1.5e-7, true, Word::BasicallySatisfied),
            quote: "a \"quoted\"\n 字".into(),
        };
        let mut out = Vec::new();
        write_sorted(&mut out, &x).unwrap();
        let want = serde_json::to_value(&x).unwrap().to_string();
        assert_eq!(String::from_utf8(out).unwrap(), want);
        assert!(want.starts_with(r#"{"a":[7,-3,"#), "{want}");
    }
}
