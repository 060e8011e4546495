//! What the model writes, streamed or not: the `message` object (`Message`: `id`,
//! `type: "message"`, `role: "assistant"`, `content`, `model`, `stop_reason`, `stop_sequence`,
//! `usage`) and its content blocks (`ContentBlock`). The JSON answer reports under the
//! `response.*` rules, the `message_start` and `content_block_start` events under
//! `stream.chunk-shape`.

use serde_json::{Map, Value};

use super::spec::{OUTPUT_BLOCKS, SERVER_RESULT_BLOCKS, STOP_REASONS};
use crate::conformance::Rule;
use crate::conformance::findings::{Findings, display_name};
use crate::dialect::{self, Dialect};
use crate::json::{join, join_index, kind};

/// Which rules a finding goes under: the answer's or the stream's.
#[derive(Clone, Copy)]
pub(super) struct Rules {
    pub(super) missing: Rule,
    pub(super) wrong: Rule,
}

pub(super) const JSON: Rules = Rules {
    missing: Rule::ResponseMissingField,
    wrong: Rule::ResponseType,
};

pub(super) const STREAM: Rules = Rules {
    missing: Rule::StreamChunkShape,
    wrong: Rule::StreamChunkShape,
};

/// The message object. `streamed`: it opens a stream (`message_start`), so its `content` is
/// empty and its `stop_reason` null until `message_delta`.
pub(super) fn check_message_object(
    findings: &mut Findings,
    path: &str,
    map: &Map<String, Value>,
    rules: Rules,
    streamed: bool,
) {
    require(
        findings,
        path,
        map,
        "id",
        rules,
        Value::is_string,
        "a string",
    );
    if let Some(kind) = require(
        findings,
        path,
        map,
        "type",
        rules,
        Value::is_string,
        "a string",
    ) && kind != "message"
    {
        findings.add(
            rules.wrong,
            join(path, "type"),
            format!("`type` is {kind}; an answer is a `message`"),
        );
    }
    if let Some(role) = require(
        findings,
        path,
        map,
        "role",
        rules,
        Value::is_string,
        "a string",
    ) && role != "assistant"
    {
        findings.add(
            rules.wrong,
            join(path, "role"),
            format!("`role` is {role}; an answer's role is `assistant`"),
        );
    }
    require(
        findings,
        path,
        map,
        "model",
        rules,
        Value::is_string,
        "a string",
    );
    if let Some(Value::Array(blocks)) = map.get("content") {
        for (i, block) in blocks.iter().enumerate() {
            check_output_block(
                findings,
                &join_index(&join(path, "content"), i),
                block,
                rules,
            );
        }
    } else {
        require(
            findings,
            path,
            map,
            "content",
            rules,
            Value::is_array,
            "an array of content blocks",
        );
    }
    match map.get("stop_reason") {
        None => findings.add(
            rules.missing,
            join(path, "stop_reason"),
            "`stop_reason` is missing (it is required; null only while streaming)",
        ),
        Some(Value::Null) if streamed => {}
        Some(reason) => {
            check_stop_reason(findings, &join(path, "stop_reason"), reason, rules.wrong)
        }
    }
    match map.get("stop_sequence") {
        None if !streamed => findings.add(
            Rule::ResponseMissingNullable,
            join(path, "stop_sequence"),
            "`stop_sequence` is absent; the spec requires the key (null unless a stop sequence matched)",
        ),
        None | Some(Value::Null | Value::String(_)) => {}
        Some(other) => findings.add(
            rules.wrong,
            join(path, "stop_sequence"),
            format!("`stop_sequence` must be a string or null, got {}", kind(other)),
        ),
    }
    match map.get("usage") {
        Some(Value::Object(usage)) => {
            check_usage(
                findings,
                &join(path, "usage"),
                usage,
                rules,
                &["input_tokens", "output_tokens"],
            );
        }
        Some(other) => findings.add(
            rules.wrong,
            join(path, "usage"),
            format!("`usage` must be an object, got {}", kind(other)),
        ),
        None => findings.add(rules.missing, join(path, "usage"), "`usage` is missing"),
    }
}

/// `stop_reason` must be one of the enum (null is not a reason a finished answer can have).
pub(super) fn check_stop_reason(findings: &mut Findings, path: &str, reason: &Value, rule: Rule) {
    match reason.as_str() {
        Some(reason) if STOP_REASONS.contains(&reason) => {}
        Some(other) => {
            let note = match other {
                "stop" | "length" | "tool_calls" | "content_filter" => {
                    " (a Chat Completions finish_reason)"
                }
                _ => "",
            };
            findings.add_in(
                rule,
                path,
                format!(
                    "`stop_reason` is '{other}'{note}; expected one of {}",
                    STOP_REASONS.join(", ")
                ),
                (!note.is_empty()).then_some(Dialect::ChatCompletions),
            );
        }
        None => findings.add(
            rule,
            path,
            format!("`stop_reason` must be a string, got {}", kind(reason)),
        ),
    }
}

/// `usage` counts: the `required` ones must be there, every count a non-negative integer.
pub(super) fn check_usage(
    findings: &mut Findings,
    path: &str,
    usage: &Map<String, Value>,
    rules: Rules,
    required: &[&str],
) {
    for key in required {
        if !usage.contains_key(*key) {
            findings.add(
                rules.missing,
                join(path, key),
                format!("`usage.{key}` is missing"),
            );
        }
    }
    for key in [
        "input_tokens",
        "output_tokens",
        "cache_creation_input_tokens",
        "cache_read_input_tokens",
    ] {
        match usage.get(key) {
            None => {}
            Some(Value::Null) if !required.contains(&key) => {}
            Some(count) if count.is_u64() => {}
            Some(other) => findings.add(
                rules.wrong,
                join(path, key),
                format!("`usage.{key}` must be a non-negative integer, got {other}"),
            ),
        }
    }
}

/// One block of an answer's `content` (or of a `content_block_start`).
pub(super) fn check_output_block(findings: &mut Findings, path: &str, block: &Value, rules: Rules) {
    let Value::Object(map) = block else {
        findings.add(
            rules.wrong,
            path,
            format!("a content block must be an object, got {}", kind(block)),
        );
        return;
    };
    let Some(kind) = require(
        findings,
        path,
        map,
        "type",
        rules,
        Value::is_string,
        "a string",
    ) else {
        return;
    };
    let string = Value::is_string;
    match kind {
        "text" => {
            require(findings, path, map, "text", rules, string, "a string");
        }
        "thinking" => {
            require(findings, path, map, "thinking", rules, string, "a string");
            require(findings, path, map, "signature", rules, string, "a string");
        }
        "redacted_thinking" => {
            require(findings, path, map, "data", rules, string, "a string");
        }
        "tool_use" | "server_tool_use" | "mcp_tool_use" => {
            require(findings, path, map, "id", rules, string, "a string");
            require(findings, path, map, "name", rules, string, "a string");
            match map.get("input") {
                Some(Value::Object(_)) => {}
                Some(Value::String(text)) => findings.add(
                    rules.wrong,
                    join(path, "input"),
                    format!(
                        "`{}` is a string; Anthropic sends the input as a JSON object, not as JSON text: '{}'",
                        display_name(&join(path, "input")),
                        crate::json::shorten(text, 60)
                    ),
                ),
                _ => {
                    require(findings, path, map, "input", rules, Value::is_object, "an object");
                }
            }
        }
        "container_upload" => {
            require(findings, path, map, "file_id", rules, string, "a string");
        }
        _ if SERVER_RESULT_BLOCKS.contains(&kind) => {
            require(
                findings,
                path,
                map,
                "tool_use_id",
                rules,
                string,
                "a string",
            );
        }
        _ if OUTPUT_BLOCKS.contains(&kind) => {}
        other => {
            let owner = dialect::part_type_dialect(other).filter(|d| *d != Dialect::Anthropic);
            let note = owner.map_or(String::new(), |d| {
                format!(" (it is {} part)", d.with_article())
            });
            findings.add_in(
                rules.wrong,
                join(path, "type"),
                format!("`{other}` is not a content block type of an Anthropic answer{note}"),
                owner,
            );
        }
    }
}

/// A field that must be present with a type `fits` accepts; returns it as a string when it is
/// one.
fn require<'a>(
    findings: &mut Findings,
    path: &str,
    map: &'a Map<String, Value>,
    key: &str,
    rules: Rules,
    fits: fn(&Value) -> bool,
    expected: &str,
) -> Option<&'a str> {
    match map.get(key) {
        None => {
            findings.add(
                rules.missing,
                join(path, key),
                format!("`{key}` is missing"),
            );
            None
        }
        Some(value) if fits(value) => value.as_str(),
        Some(value) => {
            findings.add(
                rules.wrong,
                join(path, key),
                format!("`{key}` must be {expected}, got {}", kind(value)),
            );
            None
        }
    }
}
