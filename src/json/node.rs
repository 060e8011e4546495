//! A borrowed, read-only JSON tree for hot paths that inspect many small documents (stream
//! chunks): strings borrow from the input when they hold no escapes, objects are vectors of
//! pairs (no hashing; chunk objects have a handful of keys), so parsing a chunk costs a few
//! allocations instead of one per string plus a hash table per object. Key order is kept.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// A JSON value borrowing from the text it was parsed from.
#[derive(Debug, Clone, PartialEq)]
pub enum Node<'a> {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Str(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    Object(Object<'a>),
}

/// An object as its members, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object<'a>(pub Vec<(Cow<'a, str>, Node<'a>)>);

impl<'a> Object<'a> {
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_ref())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node<'a>)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> Node<'a> {
    /// Parse JSON text, borrowing from it.
    pub fn parse(text: &'a str) -> Result<Node<'a>, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// A view of a parsed `Value` (strings borrowed from it).
    pub fn from_value(value: &'a Value) -> Node<'a> {
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => Node::Unsigned(u),
                (None, Some(i)) => Node::Signed(i),
                _ => Node::Float(n.as_f64().unwrap_or(0.0)),
            },
            Value::String(s) => Node::Str(Cow::Borrowed(s)),
            Value::Array(items) => Node::Array(items.iter().map(Node::from_value).collect()),
            Value::Object(map) => Node::Object(Object(
                map.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Node::from_value(v)))
                    .collect(),
            )),
        }
    }

    /// An owned `Value` with the same content.
    pub fn to_value(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Unsigned(u) => Value::from(*u),
            Node::Signed(i) => Value::from(*i),
            Node::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Node::Str(s) => Value::String(s.clone().into_owned()),
            Node::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Object(map) => Value::Object(
                map.0
                    .iter()
                    .map(|(k, v)| (k.clone().into_owned(), v.to_value()))
                    .collect(),
            ),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.as_object()?.get(key)
    }

    pub fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Node::Object(map) => Some(map),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Vec<Node<'a>>> {
        match self {
            Node::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Node::Unsigned(u) => Some(*u),
            Node::Signed(i) => u64::try_from(*i).ok(),
            _ => None,
        }
    }

    pub fn is_u64(&self) -> bool {
        self.as_u64().is_some()
    }

    pub fn is_i64(&self) -> bool {
        matches!(self, Node::Signed(_))
            || matches!(self, Node::Unsigned(u) if i64::try_from(*u).is_ok())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Node::Null)
    }

    pub fn is_string(&self) -> bool {
        matches!(self, Node::Str(_))
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Node::Object(_))
    }

    /// The JSON type name, as error messages say it.
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "boolean",
            Node::Unsigned(_) | Node::Signed(_) => "integer",
            Node::Float(_) => "number",
            Node::Str(_) => "string",
            Node::Array(_) => "array",
            Node::Object(_) => "object",
        }
    }
}

/// Compact JSON, as in error messages.
impl fmt::Display for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Str(s) => f.write_str(&serde_json::to_string(s.as_ref()).unwrap_or_default()),
            Node::Null => f.write_str("null"),
            Node::Bool(b) => write!(f, "{b}"),
            Node::Unsigned(u) => write!(f, "{u}"),
            Node::Signed(i) => write!(f, "{i}"),
            Node::Float(x) => write!(f, "{x}"),
            other => f.write_str(&other.to_value().to_string()),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Node<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor(std::marker::PhantomData))
    }
}

struct NodeVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for NodeVisitor<'a> {
    type Value = Node<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Node<'a>, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node<'a>, E> {
        Ok(Node::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Node<'a>, E> {
        Ok(Node::Bool(b))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Node<'a>, E> {
        Ok(Node::Unsigned(u))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Node<'a>, E> {
        Ok(if i >= 0 {
            Node::Unsigned(i as u64)
        } else {
            Node::Signed(i)
        })
    }
    fn visit_f64<E>(self, x: f64) -> Result<Node<'a>, E> {
        Ok(Node::Float(x))
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Node<'a>, E> {
        Ok(Node::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Node<'a>, E> {
        Ok(Node::Str(Cow::Owned(s.to_owned())))
    }
    fn visit_string<E>(self, s: String) -> Result<Node<'a>, E> {
        Ok(Node::Str(Cow::Owned(s)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'a>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'a>, A::Error> {
        let mut members: Vec<(Cow<'a, str>, Node<'a>)> =
            Vec::with_capacity(map.size_hint().unwrap_or(4));
        while let Some(key) = map.next_key::<Key<'a>>()? {
            let value = map.next_value()?;
            members.push((key.0, value));
        }
        Ok(Node::Object(Object(members)))
    }
}

/// An object key, borrowed when it holds no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for KeyVisitor<'a> {
            type Value = Key<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'a>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'a>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Key<'a>, E> {
                Ok(Key(Cow::Owned(s)))
            }
        }
        deserializer.deserialize_str(KeyVisitor(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_serde_json_and_borrows_plain_strings() {
        let text =
            r#"{"id":"c1","n":-3,"u":7,"f":1.5,"s":"a\"b","a":[null,true,{}],"o":{"k":"v"}}"#;
        let node = Node::parse(text).unwrap();
        assert_eq!(
            node.to_value(),
            serde_json::from_str::<Value>(text).unwrap()
        );
        assert!(matches!(
            node.get("id"),
            Some(Node::Str(Cow::Borrowed("c1")))
        ));
        assert!(matches!(node.get("s"), Some(Node::Str(Cow::Owned(_)))));
        assert_eq!(node.get("u").and_then(Node::as_u64), Some(7));
        assert!(node.get("n").unwrap().is_i64() && !node.get("n").unwrap().is_u64());
        assert_eq!(
            node.as_object().unwrap().keys().collect::<Vec<_>>(),
            vec!["id", "n", "u", "f", "s", "a", "o"]
        );
        assert_eq!(Node::from_value(&node.to_value()), node);
    }

    #[test]
    fn displays_as_compact_json() {
        let node = Node::parse(r#"{"a":[1,"x"]}"#).unwrap();
        assert_eq!(node.to_string(), r#"{"a":[1,"x"]}"#);
        assert_eq!(Node::parse(r#""q""#).unwrap().to_string(), r#""q""#);
    }
}
