//! Small JSON helpers shared by the checker, the differ and the reports, and [`node::Node`], the
//! borrowed JSON tree the stream checker parses chunks into.

pub mod node;

pub use node::Node;

use std::borrow::Cow;

use serde_json::{Map, Value};

/// Objects this small are searched member by member. serde_json's map (an `IndexMap`, which
/// keeps key order) hashes every key it is asked for with SipHash, and that costs more than
/// comparing a handful of keys: the checker asks tool definitions and messages, tens of them
/// per request, for several members each.
const SCANNED_MEMBERS: usize = 8;

/// `get` by key, without hashing the key when the object is small.
pub trait Member {
    /// The member named `key` (`None` when there is none, or when this is not an object).
    fn member(&self, key: &str) -> Option<&Value>;
}

impl Member for Map<String, Value> {
    fn member(&self, key: &str) -> Option<&Value> {
        if self.len() <= SCANNED_MEMBERS {
            self.iter()
                .find(|(name, _)| *name == key)
                .map(|(_, value)| value)
        } else {
            self.get(key)
        }
    }
}

impl Member for Value {
    fn member(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(map) => map.member(key),
            _ => None,
        }
    }
}

/// The JSON type name of a value, as error messages say it.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Escape one JSON-pointer segment (`~` → `~0`, `/` → `~1`).
pub fn escape(segment: &str) -> Cow<'_, str> {
    if segment.contains(['~', '/']) {
        Cow::Owned(segment.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(segment)
    }
}

/// `base` + `/` + the escaped key.
pub fn join(base: &str, key: &str) -> String {
    let mut out = String::with_capacity(base.len() + key.len() + 1);
    out.push_str(base);
    out.push('/');
    out.push_str(&escape(key));
    out
}

/// `base` + `/` + an index.
pub fn join_index(base: &str, index: usize) -> String {
    format!("{base}/{index}")
}

/// Cut a string for display, on a character boundary, with an ellipsis when cut.
pub fn shorten(text: &str, max_chars: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max_chars) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => Cow::Owned(format!("{}…", &text[..cut])),
    }
}

/// A compact one-line rendering of a value, cut to `max_chars`.
pub fn preview(value: &Value, max_chars: usize) -> String {
    let text = serde_json::to_string(value).unwrap_or_default();
    shorten(&text, max_chars).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_tell_integers_from_numbers() {
        assert_eq!(kind(&serde_json::json!(1)), "integer");
        assert_eq!(kind(&serde_json::json!(1.5)), "number");
    }

    #[test]
    fn pointer_segments_are_escaped() {
        assert_eq!(join("/a", "b/c~d"), "/a/b~1c~0d");
    }

    #[test]
    fn shorten_cuts_on_char_boundaries() {
        assert_eq!(shorten("héllo", 2), "hé…");
        assert_eq!(shorten("hi", 5), "hi");
    }
}
