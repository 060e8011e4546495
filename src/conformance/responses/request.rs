//! The request: `CreateResponse` and its top-level fields. Input items are in `items.rs`, tools
//! and `tool_choice` in `tools.rs`.
//!
//! The spec lists no required field (a stored `prompt` can supply the model), but the API
//! refuses a body without `model` and without `prompt`, and answers an unknown parameter with
//! 400 "Unknown parameter", so both are errors under the strict profile.

use serde_json::{Map, Value};

use super::items::check_input;
use super::tools::{check_tool_choice, check_tools};
use crate::conformance::Rule;
use crate::conformance::fields::{Field, I64_ANY, Spec, check_fields, deprecated, field};
use crate::conformance::findings::{Findings, check_enum, report_dialect, type_error};
use crate::dialect::{self, Classification, Dialect};
use crate::json::{join, kind};

const EFFORTS: &[&str] = &["none", "minimal", "low", "medium", "high", "xhigh", "max"];

/// `CreateResponse.properties` (spec 2.3.0, including `CreateModelResponseProperties` and
/// `ResponseProperties`).
#[rustfmt::skip] // one row per field reads as a table
const FIELDS: &[Field] = &[
    field("model", Spec::Str, false),
    field("input", Spec::Custom(check_input), false),
    field("instructions", Spec::Str, true),
    field("tools", Spec::Custom(check_tools), false),
    field("tool_choice", Spec::Custom(check_tool_choice), false),
    field("text", Spec::Custom(check_text), false),
    field("reasoning", Spec::Custom(check_reasoning), true),
    field("include", Spec::Custom(check_include), true),
    field("store", Spec::Bool, true),
    field("previous_response_id", Spec::Str, true),
    field("conversation", Spec::Custom(check_conversation), true),
    deprecated("truncation", Spec::Enum(&["auto", "disabled"]), true, "`truncation` is deprecated in requests (context_management replaces it)"),
    field("max_output_tokens", Spec::Int { min: 16, max: i64::MAX }, true),
    field("max_tool_calls", I64_ANY, true),
    field("background", Spec::Bool, true),
    field("prompt", Spec::Object, true),
    field("parallel_tool_calls", Spec::Bool, true),
    field("stream", Spec::Bool, true),
    field("stream_options", Spec::Custom(check_stream_options), true),
    field("service_tier", Spec::Enum(&["auto", "default", "flex", "scale", "priority", "fast", "ultrafast"]), true),
    field("context_management", Spec::Custom(check_context_management), true),
    field("moderation", Spec::Object, true),
    field("metadata", Spec::Custom(check_metadata), true),
    field("temperature", Spec::Num { min: 0.0, max: 2.0 }, true),
    field("top_p", Spec::Num { min: 0.0, max: 1.0 }, true),
    field("top_logprobs", Spec::Int { min: 0, max: 20 }, false),
    deprecated("user", Spec::Str, false, "`user` is deprecated in favour of `safety_identifier` and `prompt_cache_key`"),
    field("safety_identifier", Spec::Str, true),
    field("prompt_cache_key", Spec::Str, true),
    deprecated("prompt_cache_retention", Spec::Enum(&["in_memory", "24h"]), true, "`prompt_cache_retention` is deprecated in favour of `prompt_cache_options`"),
    field("prompt_cache_options", Spec::Object, false),
];

/// What the API requires although the spec does not say so (a stored `prompt` may stand in
/// for the model).
const REQUIRED: &[(&str, &str)] = &[("model", "a string")];

/// Check a request body against the Responses request contract.
pub fn check_request(body: &Value, classification: &Classification, findings: &mut Findings) {
    let Value::Object(top) = body else {
        findings.add(
            Rule::RequestNotJson,
            "",
            format!("request body is a JSON {}, not an object", kind(body)),
        );
        return;
    };
    report_dialect(classification, Dialect::Responses, findings);
    let required: &[(&str, &str)] = if top.contains_key("prompt") {
        &[]
    } else {
        REQUIRED
    };
    check_fields(top, FIELDS, required, findings, |key| {
        let owner = dialect::top_level_key_dialect(key).filter(|d| *d != Dialect::Responses);
        let note = owner.map_or(String::new(), |d| format!(" ({} field)", d.with_article()));
        Some((format!("Unknown parameter: '{key}'{note}"), owner))
    });
    if top
        .get("previous_response_id")
        .is_some_and(|v| !v.is_null())
        && top.get("conversation").is_some_and(|v| !v.is_null())
    {
        findings.add(
            Rule::RequestType,
            "/conversation",
            "`previous_response_id` and `conversation` cannot be used together",
        );
    }
}

fn check_text(findings: &mut Findings, path: &str, value: &Value, _: &Map<String, Value>) {
    let Value::Object(text) = value else {
        return type_error(findings, path, "an object", value);
    };
    for (key, entry) in text {
        let entry_path = join(path, key);
        match key.as_str() {
            "format" => check_text_format(findings, &entry_path, entry),
            "verbosity" if !entry.is_null() => {
                check_enum(findings, &entry_path, entry, &["low", "medium", "high"])
            }
            "verbosity" => {}
            _ => findings.add(
                Rule::RequestNestedUnknownField,
                entry_path,
                format!("`text.{key}` is not a Responses text option (format, verbosity)"),
            ),
        }
    }
}

/// `text.format`: flat, unlike Chat's `response_format` (`{type: json_schema, name, schema}`,
/// no `json_schema` wrapper).
fn check_text_format(findings: &mut Findings, path: &str, value: &Value) {
    let Value::Object(format) = value else {
        return type_error(findings, path, "an object", value);
    };
    match format.get("type").and_then(Value::as_str) {
        Some("text" | "json_object") => {}
        Some("json_schema") => {
            if format.contains_key("json_schema") {
                findings.add_in(
                    Rule::RequestResponseFormat,
                    join(path, "json_schema"),
                    "`text.format` is flat in Responses: `name` and `schema` sit beside `type`, not under `json_schema` (that is Chat's `response_format`)",
                    Some(Dialect::ChatCompletions),
                );
            }
            for required in ["name", "schema"] {
                if !format.contains_key(required) {
                    findings.add(
                        Rule::RequestResponseFormat,
                        join(path, required),
                        format!("Missing required parameter: 'text.format.{required}'"),
                    );
                }
            }
        }
        Some(other) => findings.add(
            Rule::RequestResponseFormat,
            join(path, "type"),
            format!("`text.format.type` is '{other}'; expected text, json_schema or json_object"),
        ),
        None => findings.add(
            Rule::RequestResponseFormat,
            join(path, "type"),
            "Missing required parameter: 'text.format.type'",
        ),
    }
}

fn check_reasoning(findings: &mut Findings, path: &str, value: &Value, _: &Map<String, Value>) {
    let Value::Object(reasoning) = value else {
        return type_error(findings, path, "an object", value);
    };
    for (key, entry) in reasoning {
        let entry_path = join(path, key);
        if entry.is_null() {
            continue;
        }
        match key.as_str() {
            "effort" => check_enum(findings, &entry_path, entry, EFFORTS),
            "summary" | "generate_summary" => {
                check_enum(findings, &entry_path, entry, &["auto", "concise", "detailed"])
            }
            "context" => check_enum(
                findings,
                &entry_path,
                entry,
                &["auto", "current_turn", "all_turns"],
            ),
            "mode" => {
                if !entry.is_string() {
                    type_error(findings, &entry_path, "a string", entry);
                }
            }
            _ => findings.add(
                Rule::RequestNestedUnknownField,
                entry_path,
                format!("`reasoning.{key}` is not a Responses reasoning option (effort, summary, context, mode)"),
            ),
        }
    }
}

/// `IncludeEnum`.
const INCLUDE: &[&str] = &[
    "file_search_call.results",
    "web_search_call.results",
    "web_search_call.action.sources",
    "message.input_image.image_url",
    "computer_call_output.output.image_url",
    "code_interpreter_call.outputs",
    "reasoning.encrypted_content",
    "message.output_text.logprobs",
];

fn check_include(findings: &mut Findings, path: &str, value: &Value, _: &Map<String, Value>) {
    let Value::Array(entries) = value else {
        return type_error(findings, path, "an array", value);
    };
    for (i, entry) in entries.iter().enumerate() {
        check_enum(findings, &format!("{path}/{i}"), entry, INCLUDE);
    }
}

fn check_conversation(findings: &mut Findings, path: &str, value: &Value, _: &Map<String, Value>) {
    match value {
        Value::String(_) => {}
        Value::Object(conversation) if conversation.get("id").is_some_and(Value::is_string) => {}
        Value::Object(_) => findings.add(
            Rule::RequestMissingField,
            join(path, "id"),
            "Missing required parameter: 'conversation.id'",
        ),
        other => type_error(findings, path, "a conversation id or {id}", other),
    }
}

fn check_stream_options(
    findings: &mut Findings,
    path: &str,
    value: &Value,
    top: &Map<String, Value>,
) {
    let Value::Object(options) = value else {
        return type_error(findings, path, "an object", value);
    };
    if top.get("stream").and_then(Value::as_bool) != Some(true) {
        findings.add(
            Rule::RequestStreamOptions,
            path,
            "`stream_options` is only allowed when `stream` is true",
        );
    }
    for (key, option) in options {
        let option_path = join(path, key);
        match key.as_str() {
            "include_obfuscation" => {
                if !option.is_boolean() {
                    type_error(findings, &option_path, "a boolean", option);
                }
            }
            // Cursor's hybrid body keeps this Chat option; the Responses API refuses it.
            "include_usage" => findings.add_in(
                Rule::RequestStreamOptions,
                option_path,
                "`stream_options.include_usage` is a Chat Completions option; Responses always reports usage in `response.completed`",
                Some(Dialect::ChatCompletions),
            ),
            _ => findings.add(
                Rule::RequestStreamOptions,
                option_path,
                format!("`stream_options.{key}` is not a Responses stream option (include_obfuscation)"),
            ),
        }
    }
}

fn check_context_management(
    findings: &mut Findings,
    path: &str,
    value: &Value,
    _: &Map<String, Value>,
) {
    match value {
        Value::Array(entries) if entries.is_empty() => findings.add(
            Rule::RequestEmptyArray,
            path,
            "`context_management` is empty; leave it out or give at least one entry",
        ),
        Value::Array(entries) => {
            for (i, entry) in entries.iter().enumerate() {
                if !entry.is_object() {
                    type_error(findings, &format!("{path}/{i}"), "an object", entry);
                }
            }
        }
        other => type_error(findings, path, "an array", other),
    }
}

/// `Metadata`: at most 16 string pairs.
fn check_metadata(findings: &mut Findings, path: &str, value: &Value, _: &Map<String, Value>) {
    let Value::Object(pairs) = value else {
        return type_error(findings, path, "an object of strings", value);
    };
    if pairs.len() > 16 {
        findings.add(
            Rule::RequestRange,
            path,
            format!(
                "`metadata` has {} keys; at most 16 are allowed",
                pairs.len()
            ),
        );
    }
    for (key, entry) in pairs {
        if !entry.is_string() {
            type_error(findings, &join(path, key), "a string", entry);
        }
    }
}
