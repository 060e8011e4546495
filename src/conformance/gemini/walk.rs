//! Checking a request value against the message tables of `schema.rs`, the way Google's JSON
//! parser reads it (the proto3 JSON mapping): a field may be named in lowerCamelCase or by its
//! snake_case proto name (google-genai sends a mix), `null` means "not set" for any field,
//! integers may come as strings, bytes are base64, enums are names in any case or numbers. An
//! unknown name anywhere is refused ("Invalid JSON payload received. Unknown name").

use serde_json::{Map, Value};

use super::schema::{Field, JSON_SCHEMA_ONLY, Kind, Message, SCHEMA, VERTEX_ONLY};
use crate::conformance::Rule;
use crate::conformance::findings::{Findings, display_name, type_error};
use crate::dialect::Dialect;
use crate::json::{join, join_index};

/// Whether `key` names the field whose JSON name is `camel`: the name itself, or its
/// snake_case proto name (`systemInstruction` / `system_instruction`).
pub(super) fn names(camel: &str, key: &str) -> bool {
    if camel == key {
        return true;
    }
    let mut rest = key.as_bytes();
    for byte in camel.bytes() {
        if byte.is_ascii_uppercase() {
            match rest {
                [b'_', next, tail @ ..] if *next == byte.to_ascii_lowercase() => rest = tail,
                _ => return false,
            }
        } else {
            match rest {
                [next, tail @ ..] if *next == byte => rest = tail,
                _ => return false,
            }
        }
    }
    rest.is_empty()
}

/// The field `camel` of an object under either of its names, with the key as sent; `null`
/// counts as not set.
pub(super) fn get<'a>(map: &'a Map<String, Value>, camel: &str) -> Option<(&'a str, &'a Value)> {
    map.iter()
        .find(|(key, value)| !value.is_null() && names(camel, key))
        .map(|(key, value)| (key.as_str(), value))
}

/// The array at field `camel`, with its path, when it is one.
pub(super) fn array<'a>(
    map: &'a Map<String, Value>,
    path: &str,
    camel: &str,
) -> Option<(String, &'a Vec<Value>)> {
    let (key, value) = get(map, camel)?;
    Some((join(path, key), value.as_array()?))
}

/// The object at field `camel`, with its path, when it is one.
pub(super) fn object<'a>(
    map: &'a Map<String, Value>,
    path: &str,
    camel: &str,
) -> Option<(String, &'a Map<String, Value>)> {
    let (key, value) = get(map, camel)?;
    Some((join(path, key), value.as_object()?))
}

/// Check `value` at `path` as a `message`, and everything inside it.
pub(super) fn check_message(
    findings: &mut Findings,
    path: &str,
    value: &Value,
    message: &'static Message,
) {
    let Value::Object(map) = value else {
        type_error(
            findings,
            path,
            &format!("an object ({})", message.name),
            value,
        );
        return;
    };
    for key in map.keys() {
        if !message.fields.iter().any(|f| names(f.name, key)) {
            unknown_name(findings, path, key, message, None);
        }
    }
    check_known(findings, path, map, message);
}

/// Check the fields of `map` that `message` defines, and that the required ones are there;
/// unknown names are left to the caller.
pub(super) fn check_known(
    findings: &mut Findings,
    path: &str,
    map: &Map<String, Value>,
    message: &'static Message,
) {
    for (key, value) in map {
        let at = join(path, key);
        match message.fields.iter().find(|f| names(f.name, key)) {
            None => {}
            Some(_) if value.is_null() => {}
            Some(field) => check_field(findings, &at, value, field),
        }
    }
    for required in message.required {
        if get(map, required).is_none() {
            findings.add(
                Rule::RequestMissingField,
                join(path, required),
                format!(
                    "`{}` is required ({}.{required})",
                    display_name(&join(path, required)),
                    message.name
                ),
            );
        }
    }
}

fn check_field(findings: &mut Findings, path: &str, value: &Value, field: &Field) {
    if !field.repeated {
        return check_kind(findings, path, value, field.kind);
    }
    let Value::Array(items) = value else {
        return type_error(findings, path, "an array", value);
    };
    for (index, item) in items.iter().enumerate() {
        check_kind(findings, &join_index(path, index), item, field.kind);
    }
}

fn check_kind(findings: &mut Findings, path: &str, value: &Value, kind: Kind) {
    let fits = match kind {
        Kind::Str => value.is_string(),
        Kind::Bool => value.is_boolean(),
        Kind::Int => is_int(value),
        Kind::Num => is_num(value),
        Kind::Bytes => match value.as_str() {
            Some(text) if is_base64(text) => true,
            Some(_) => {
                return findings.add(
                    Rule::RequestType,
                    path,
                    format!(
                        "`{}` must be base64 (standard or URL-safe); Google answers \"Base64 decoding failed\"",
                        display_name(path)
                    ),
                );
            }
            None => false,
        },
        Kind::Enum(values) => return check_enum(findings, path, value, values),
        Kind::Struct | Kind::Opaque => value.is_object(),
        Kind::Value => true,
        Kind::Message(message) => return check_message(findings, path, value, message),
        Kind::Map(message) => {
            let Value::Object(entries) = value else {
                return type_error(findings, path, "an object", value);
            };
            for (key, entry) in entries {
                check_message(findings, &join(path, key), entry, message);
            }
            return;
        }
    };
    if !fits {
        type_error(findings, path, expected(kind), value);
    }
}

fn expected(kind: Kind) -> &'static str {
    match kind {
        Kind::Str | Kind::Bytes => "a string",
        Kind::Bool => "a boolean",
        Kind::Int => "an integer (or a string holding one)",
        Kind::Num => "a number",
        _ => "an object",
    }
}

fn is_int(value: &Value) -> bool {
    match value {
        Value::Number(n) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        Value::String(s) => s.trim().parse::<i64>().is_ok() || s.trim().parse::<u64>().is_ok(),
        _ => false,
    }
}

fn is_num(value: &Value) -> bool {
    match value {
        Value::Number(_) => true,
        Value::String(s) => {
            matches!(s.as_str(), "NaN" | "Infinity" | "-Infinity")
                || s.trim().parse::<f64>().is_ok()
        }
        _ => false,
    }
}

/// Base64 as proto3 JSON takes it: either alphabet, padding optional.
fn is_base64(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    let padding = text.len() - body.len();
    padding <= 2
        && body.len() % 4 != 1
        && (padding == 0 || text.len().is_multiple_of(4))
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'))
}

/// Google takes an enum's name in any case (its own REST examples send `"type": "object"`)
/// or its number.
fn check_enum(findings: &mut Findings, path: &str, value: &Value, values: &[&str]) {
    match value {
        Value::String(s) if values.iter().any(|v| v.eq_ignore_ascii_case(s)) => {}
        Value::Number(n) if n.is_i64() || n.is_u64() => {}
        Value::String(s) => findings.add(
            Rule::RequestEnum,
            path,
            format!(
                "Invalid value at '{}', \"{s}\"; expected one of {}",
                display_name(path),
                values.join(", ")
            ),
        ),
        other => type_error(findings, path, "an enum name (a string)", other),
    }
}

/// An unknown name, with Google's words and, where the name tells, where it came from (`hint`
/// overrides what the tables can tell).
pub(super) fn unknown_name(
    findings: &mut Findings,
    parent: &str,
    key: &str,
    message: &Message,
    hint: Option<(Option<Dialect>, String)>,
) {
    let at = if parent.is_empty() {
        String::new()
    } else {
        format!(" at '{}'", display_name(parent))
    };
    let (owner, note) = hint.unwrap_or_else(|| foreign_name(key, message));
    findings.add_in(
        Rule::RequestUnknownField,
        join(parent, key),
        format!(
            "Invalid JSON payload received. Unknown name \"{key}\"{at}: Cannot find field.{note}"
        ),
        owner,
    );
}

/// What an unknown name most likely is, for the message.
fn foreign_name(key: &str, message: &Message) -> (Option<Dialect>, String) {
    if std::ptr::eq(message, &SCHEMA) && JSON_SCHEMA_ONLY.iter().any(|k| names(k, key)) {
        return (
            None,
            " (a JSON Schema keyword the Gemini `Schema` does not have: drop it, or send the schema as `parametersJsonSchema` / `responseJsonSchema`)"
                .to_owned(),
        );
    }
    if VERTEX_ONLY.iter().any(|k| names(k, key)) {
        return (
            None,
            " (a Vertex AI field the Gemini Developer API does not take)".to_owned(),
        );
    }
    match (message.name, key) {
        ("Part", "type") => (
            None,
            " (a Gemini part has no `type`: its kind is the one data field it holds, `text`, `inlineData`, `functionCall`, …)"
                .to_owned(),
        ),
        ("Content", "content") => (None, " (a Gemini turn holds its content in `parts`)".to_owned()),
        ("Tool", "type" | "function") => (
            Some(Dialect::ChatCompletions),
            " (an OpenAI tool; Gemini declares functions in `functionDeclarations`)".to_owned(),
        ),
        ("Tool", "input_schema") => (
            Some(Dialect::Anthropic),
            " (an Anthropic tool; Gemini declares functions in `functionDeclarations`)".to_owned(),
        ),
        _ => (None, String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_json_names_of_a_field_match() {
        assert!(names("systemInstruction", "systemInstruction"));
        assert!(names("systemInstruction", "system_instruction"));
        assert!(names("_responseJsonSchema", "_response_json_schema"));
        assert!(!names("systemInstruction", "systeminstruction"));
        assert!(!names("systemInstruction", "system_instructions"));
        assert!(!names("text", "Text"));
    }

    #[test]
    fn base64_in_either_alphabet_with_or_without_padding() {
        for good in ["", "aGk=", "aGk", "aGVsbG8-_w", "aGVsbG8+/w==", "CiTQU4Bq"] {
            assert!(is_base64(good), "{good}");
        }
        for bad in ["a", "aGk===", "a=Gk", "not base64!", "aGk=x"] {
            assert!(!is_base64(bad), "{bad}");
        }
    }
}
