//! What every part of the Anthropic request check reports the same way: keys the schema does
//! not define (Anthropic's request schema is `additionalProperties: false` at every level, and
//! the API answers 400 "Extra inputs are not permitted"), required keys, strings and booleans,
//! and the `cache_control` marker any block or tool may carry.

use serde_json::{Map, Value};

use crate::conformance::Rule;
use crate::conformance::findings::{Findings, check_enum, display_name, type_error};
use crate::dialect::Dialect;
use crate::json::join;

/// Which API a key that Anthropic does not define belongs to, when one API is known for it.
fn owner_of(key: &str) -> Option<Dialect> {
    match key {
        "tool_calls" | "tool_call_id" | "function_call" | "refusal" | "image_url"
        | "input_audio" | "function" | "parameters" | "audio" | "name" => {
            Some(Dialect::ChatCompletions)
        }
        "call_id" | "output" | "phase" | "status" | "summary" | "encrypted_content" => {
            Some(Dialect::Responses)
        }
        "parts" | "inlineData" | "inline_data" | "functionCall" | "functionResponse"
        | "thoughtSignature" => Some(Dialect::Gemini),
        _ => None,
    }
}

/// Report every key of `map` that is not in `allowed`.
pub(super) fn unknown_keys(
    findings: &mut Findings,
    path: &str,
    map: &Map<String, Value>,
    allowed: &[&str],
) {
    for key in map.keys().filter(|k| !allowed.contains(&k.as_str())) {
        let at = join(path, key);
        let owner = owner_of(key);
        let note = owner.map_or(String::new(), |d| format!(" ({} field)", d.with_article()));
        findings.add_in(
            Rule::RequestUnknownField,
            at.clone(),
            format!(
                "`{}`: Extra inputs are not permitted{note}",
                display_name(&at)
            ),
            owner,
        );
    }
}

/// The value of a key the schema requires, reporting its absence under `rule`.
pub(super) fn required<'a>(
    findings: &mut Findings,
    path: &str,
    map: &'a Map<String, Value>,
    key: &str,
    rule: Rule,
) -> Option<&'a Value> {
    let value = map.get(key);
    if value.is_none() {
        let at = join(path, key);
        findings.add(
            rule,
            at.clone(),
            format!("`{}`: Field required", display_name(&at)),
        );
    }
    value
}

/// A required string: absent or of another type is reported under `rule`.
pub(super) fn required_str<'a>(
    findings: &mut Findings,
    path: &str,
    map: &'a Map<String, Value>,
    key: &str,
    rule: Rule,
) -> Option<&'a str> {
    match required(findings, path, map, key, rule)? {
        Value::String(text) => Some(text),
        other => {
            let at = join(path, key);
            findings.add(
                rule,
                at.clone(),
                format!(
                    "`{}` must be a string, got {}",
                    display_name(&at),
                    crate::json::kind(other)
                ),
            );
            None
        }
    }
}

/// An optional field that must have this JSON type when present (`null` only if `nullable`).
pub(super) fn optional(
    findings: &mut Findings,
    path: &str,
    map: &Map<String, Value>,
    key: &str,
    expected: Expect,
    nullable: bool,
) {
    let Some(value) = map.get(key) else { return };
    if value.is_null() && nullable {
        return;
    }
    let fits = match expected {
        Expect::Str => value.is_string(),
        Expect::Bool => value.is_boolean(),
        Expect::Object => value.is_object(),
        Expect::Array => value.is_array(),
    };
    if !fits {
        type_error(findings, &join(path, key), expected.described(), value);
    }
}

/// The JSON type a field must have.
#[derive(Clone, Copy)]
pub(super) enum Expect {
    Str,
    Bool,
    Object,
    Array,
}

impl Expect {
    fn described(self) -> &'static str {
        match self {
            Expect::Str => "a string",
            Expect::Bool => "a boolean",
            Expect::Object => "an object",
            Expect::Array => "an array",
        }
    }
}

/// `cache_control` (`CacheControlEphemeralParam`): `{type: "ephemeral", ttl?: "5m" | "1h"}`,
/// or null where the schema allows it.
pub(super) fn check_cache_control(findings: &mut Findings, path: &str, map: &Map<String, Value>) {
    if let Some(value) = map.get("cache_control") {
        check_cache_control_value(findings, &join(path, "cache_control"), value, map);
    }
}

/// The `cache_control` value at `at` (a top-level field check, hence the unused parent).
pub(super) fn check_cache_control_value(
    findings: &mut Findings,
    at: &str,
    value: &Value,
    _: &Map<String, Value>,
) {
    let control = match value {
        Value::Null => return,
        Value::Object(control) => control,
        other => return type_error(findings, at, "an object", other),
    };
    if let Some(kind) = required(findings, at, control, "type", Rule::RequestMissingField) {
        check_enum(findings, &join(at, "type"), kind, &["ephemeral"]);
    }
    if let Some(ttl) = control.get("ttl") {
        check_enum(findings, &join(at, "ttl"), ttl, &["5m", "1h"]);
    }
    unknown_keys(findings, at, control, &["type", "ttl"]);
}
