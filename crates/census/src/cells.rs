//! A return straight from its CSV cells: [`CensusReturn`]'s own `Deserialize`, driven by a
//! tree of the columns' paths, each cell handed over as the value it was checked to be.
//!
//! Why not JSON in between: building a `serde_json::Value` tree per return (a `BTreeMap` per
//! object, a `String` per key) and deserialising it was a fifth of the census ingest's CPU
//! (docs/benchmarks.md, "National census"). The tree of paths is built once; a return costs
//! one vector of cells per row. Serde's derive still decides what a return is (defaults,
//! enums, missing fields), so the CSV and JSON Lines layouts cannot drift apart.

use crate::columns::{Column, Kind, Part, COLUMNS, FIRST_MEMBER, MEMBER_COLUMNS};
use crate::error::Problem;
use crate::model::CensusReturn;
use serde::de::value::{MapDeserializer, StrDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess};
use serde::de::{Deserialize, Visitor};
use std::sync::LazyLock;

/// A cell's value, checked against its column's kind.
#[derive(Debug, Clone)]
pub(crate) enum Scalar<'a> {
    /// Free text, as read.
    Text(&'a str),
    /// One of the column's listed words, spelled as listed.
    Word(&'static str),
    /// A finite decimal number.
    Number(f64),
    /// A whole number within the column's bound.
    Whole(u64),
    /// Yes or no.
    Bool(bool),
    /// Year, month, day.
    Date(u16, u16, u16),
    /// A valid identity number, canonical.
    Id(String),
}

/// A cell's value, checked against its kind (`text` is not empty).
pub(crate) fn scalar<'a>(c: &Column, text: &'a str) -> Result<Scalar<'a>, Problem> {
    let bad = |what: String| Problem::new(c.name, what);
    Ok(match c.kind {
        Kind::Text => Scalar::Text(text),
        Kind::Number => match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Scalar::Number(v),
            _ => return Err(bad(format!("{text:?} is not a number"))),
        },
        Kind::Whole(max) => match text.parse::<u64>() {
            Ok(v) if v <= max => Scalar::Whole(v),
            _ => {
                return Err(bad(format!(
                    "{text:?} is not a whole number from 0 to {max}"
                )))
            }
        },
        Kind::Bool => match yes_no(text) {
            Some(b) => Scalar::Bool(b),
            None => return Err(bad(format!("{text:?} is not true or false"))),
        },
        Kind::Choice(list) => match list.iter().find(|w| w.eq_ignore_ascii_case(text)) {
            Some(w) => Scalar::Word(w),
            None => return Err(bad(format!("{text:?} is not one of {}", list.join(", ")))),
        },
        Kind::Date => match date(text) {
            Some((y, m, d)) => Scalar::Date(y, m, d),
            None => return Err(bad(format!("{text:?} is not a date YYYY-MM-DD"))),
        },
        Kind::IdNumber => match assess_inspection::IdNumber::parse(text) {
            Ok(id) => Scalar::Id(id.reveal().to_string()),
            Err(why) => return Err(bad(why)),
        },
    })
}

fn yes_no(text: &str) -> Option<bool> {
    const YES: [&str; 4] = ["true", "yes", "1", "是"];
    const NO: [&str; 4] = ["false", "no", "0", "否"];
    if YES.iter().any(|w| w.eq_ignore_ascii_case(text)) {
        Some(true)
    } else if NO.iter().any(|w| w.eq_ignore_ascii_case(text)) {
        Some(false)
    } else {
        None
    }
}

fn date(text: &str) -> Option<(u16, u16, u16)> {
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    let (y, m, d) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// One row's checked cells, by column index (`None`: empty, or not this row's part).
pub(crate) type RowCells<'a> = Vec<Option<Scalar<'a>>>;

/// An empty row of cells.
pub(crate) fn no_cells<'a>() -> RowCells<'a> {
    vec![None; COLUMNS.len()]
}

/// A node of the object tree the columns' paths make.
enum Node {
    /// The value of column `k` (of a member: `k` counted from [`FIRST_MEMBER`]).
    Cell(usize),
    /// An object.
    Object(Object),
    /// The household's id (from the return's `household_id` column).
    HouseholdId,
    /// The household's members, one per row with member cells.
    Members,
}

/// An object's entries, and whether it is written (empty) whenever its parent is, as the
/// return's format requires (`income`, `housing`, `water`, a member's `cover`).
#[derive(Default)]
struct Object {
    entries: Vec<(&'static str, Node)>,
    always: bool,
}

impl Object {
    /// The object at `key`, made when missing.
    fn object(&mut self, key: &'static str) -> &mut Object {
        let k = match self.entries.iter().position(|(name, _)| *name == key) {
            Some(k) => k,
            None => {
                self.entries.push((key, Node::Object(Object::default())));
                self.entries.len() - 1
            }
        };
        match &mut self.entries[k].1 {
            Node::Object(o) => o,
            _ => panic!("the census columns' paths nest objects only ({key})"),
        }
    }

    /// The object holding the last name of `path`.
    fn parent(&mut self, path: &[&'static str]) -> &mut Object {
        path[..path.len() - 1]
            .iter()
            .fold(self, |at, key| at.object(key))
    }

    fn insert(&mut self, path: &[&'static str], node: Node) {
        let last = path[path.len() - 1];
        self.parent(path).entries.push((last, node));
    }

    fn always(&mut self, path: &[&'static str]) {
        let last = path[path.len() - 1];
        self.parent(path).object(last).always = true;
    }
}

/// The objects of a return and of a member, built once from [`COLUMNS`].
struct Layout {
    /// The return (the household section among its entries).
    ret: Object,
    /// A member.
    member: Object,
}

static LAYOUT: LazyLock<Layout> = LazyLock::new(|| {
    let mut ret = Object::default();
    let mut member = Object::default();
    for (k, c) in COLUMNS.iter().enumerate() {
        match c.part {
            Part::Return => ret.insert(c.path, Node::Cell(k)),
            Part::Member => member.insert(c.path, Node::Cell(k - FIRST_MEMBER)),
        }
    }
    ret.insert(&["household", "household_id"], Node::HouseholdId);
    ret.insert(&["household", "members"], Node::Members);
    for path in [
        &["household", "income"][..],
        &["household", "housing"],
        &["household", "housing", "components"],
        &["household", "water"],
    ] {
        ret.always(path);
    }
    member.always(&["cover"]);
    Layout { ret, member }
});

/// A return from its checked cells: the return's row, the household id cell and each
/// member's row (its columns from [`FIRST_MEMBER`] on, end to end). Serde's messages (a missing field) come back as the text of the error.
pub(crate) fn census_return(
    cells: &[Option<Scalar<'_>>],
    household_id: &str,
    members: &[Option<Scalar<'_>>],
) -> Result<CensusReturn, String> {
    let row = Row {
        cells,
        household_id,
        members,
    };
    CensusReturn::deserialize(ObjectDe {
        object: &LAYOUT.ret,
        row,
    })
    .map_err(|e| e.0)
}

/// The cells an object's values come from.
#[derive(Clone, Copy)]
struct Row<'r, 'a> {
    cells: &'r [Option<Scalar<'a>>],
    household_id: &'r str,
    /// The members' rows of cells, end to end.
    members: &'r [Option<Scalar<'a>>],
}

impl Row<'_, '_> {
    /// Whether a node has a value in this row: a cell that is not empty, an object with
    /// such a cell (an `always` object does not make its parent present), members.
    fn present(&self, node: &Node) -> bool {
        match node {
            Node::Cell(k) => self.cells[*k].is_some(),
            Node::Object(o) => o.entries.iter().any(|(_, n)| self.present(n)),
            Node::HouseholdId => false,
            Node::Members => !self.members.is_empty(),
        }
    }

    /// Whether an entry of a written object is written (the household's id and members
    /// whenever the household section is).
    fn written(&self, node: &Node) -> bool {
        match node {
            Node::HouseholdId | Node::Members => true,
            Node::Object(o) => o.always || self.present(node),
            Node::Cell(_) => self.present(node),
        }
    }
}

/// A deserialisation error: serde's message.
#[derive(Debug)]
pub(crate) struct DeError(String);

impl std::fmt::Display for DeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        DeError(msg.to_string())
    }
}

/// An object of a row, as a map of its written entries.
struct ObjectDe<'r, 'a> {
    object: &'r Object,
    row: Row<'r, 'a>,
}

impl<'de> Deserializer<'de> for ObjectDe<'_, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_map(Entries {
            entries: self.object.entries.iter(),
            row: self.row,
            next: None,
        })
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

/// An object's written entries, one at a time.
struct Entries<'r, 'a> {
    entries: std::slice::Iter<'r, (&'static str, Node)>,
    row: Row<'r, 'a>,
    next: Option<&'r Node>,
}

impl<'de> MapAccess<'de> for Entries<'_, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        for (name, node) in self.entries.by_ref() {
            if self.row.written(node) {
                self.next = Some(node);
                let key: StrDeserializer<'_, DeError> = name.into_deserializer();
                return seed.deserialize(key).map(Some);
            }
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let node = self.next.take().expect("a value follows its key");
        seed.deserialize(NodeDe {
            node,
            row: self.row,
        })
    }
}

/// One entry's value.
struct NodeDe<'r, 'a> {
    node: &'r Node,
    row: Row<'r, 'a>,
}

impl<'de> Deserializer<'de> for NodeDe<'_, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.node {
            Node::Cell(k) => match &self.row.cells[*k] {
                Some(s) => ScalarDe(s).deserialize_any(visitor),
                None => visitor.visit_none(),
            },
            Node::Object(object) => ObjectDe {
                object,
                row: self.row,
            }
            .deserialize_any(visitor),
            Node::HouseholdId => visitor.visit_str(self.row.household_id),
            Node::Members => visitor.visit_seq(Members {
                rows: self.row.members.chunks_exact(MEMBER_COLUMNS),
                household_id: self.row.household_id,
            }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if let Node::Cell(k) = self.node {
            if let Some(s) = &self.row.cells[*k] {
                return ScalarDe(s).deserialize_enum(name, variants, visitor);
            }
        }
        self.deserialize_any(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}

/// The members, one per row.
struct Members<'r, 'a> {
    rows: std::slice::ChunksExact<'r, Option<Scalar<'a>>>,
    household_id: &'r str,
}

impl<'de> SeqAccess<'de> for Members<'_, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some(cells) = self.rows.next() else {
            return Ok(None);
        };
        let row = Row {
            cells,
            household_id: self.household_id,
            members: &[],
        };
        seed.deserialize(ObjectDe {
            object: &LAYOUT.member,
            row,
        })
        .map(Some)
    }
}

/// A word as the unit variant of an enum.
fn word(w: &str) -> StrDeserializer<'_, DeError> {
    w.into_deserializer()
}

/// One checked cell.
struct ScalarDe<'r, 'a>(&'r Scalar<'a>);

impl<'de> Deserializer<'de> for ScalarDe<'_, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Scalar::Text(t) => visitor.visit_str(t),
            Scalar::Word(w) => visitor.visit_str(w),
            Scalar::Number(v) => visitor.visit_f64(*v),
            Scalar::Whole(v) => visitor.visit_u64(*v),
            Scalar::Bool(b) => visitor.visit_bool(*b),
            Scalar::Date(y, m, d) => visitor.visit_map(MapDeserializer::<_, DeError>::new(
                [("year", *y), ("month", *m), ("day", *d)].into_iter(),
            )),
            Scalar::Id(id) => visitor.visit_str(id),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        // A word is a unit variant; anything else is refused by the enum's visitor.
        match self.0 {
            Scalar::Text(t) => visitor.visit_enum(word(t)),
            Scalar::Word(w) => visitor.visit_enum(word(w)),
            _ => self.deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}
