//! Request rules: `CreateChatCompletionRequest` and its top-level fields. Messages and their
//! content parts are in `message.rs`, tools and `tool_choice` in `tools.rs`.

use serde_json::{Map, Value};

use super::message::check_messages;
use super::tools::{check_function_call, check_functions, check_tool_choice, check_tools};
use crate::conformance::Rule;
use crate::conformance::fields::{Field, I64_ANY, Spec, check_fields, deprecated, field};
use crate::conformance::findings::{Findings, check_enum, report_dialect, type_error};
use crate::dialect::{self, Classification, Dialect};
use crate::json::{join, join_index, kind};

/// `CreateChatCompletionRequest.properties` (spec 2.3.0, including `CreateModelResponseProperties`).
#[rustfmt::skip] // one row per field reads as a table
const FIELDS: &[Field] = &[
    field("model", Spec::Str, false),
    field("messages", Spec::Custom(check_messages_field), false),
    field("stream", Spec::Bool, true),
    field("stream_options", Spec::Custom(check_stream_options), true),
    field("max_completion_tokens", I64_ANY, true),
    deprecated("max_tokens", I64_ANY, true, "`max_tokens` is deprecated in favour of `max_completion_tokens` (and not accepted by o-series/GPT-5 models)"),
    field("n", Spec::Int { min: 1, max: 128 }, true),
    field("temperature", Spec::Num { min: 0.0, max: 2.0 }, true),
    field("top_p", Spec::Num { min: 0.0, max: 1.0 }, true),
    field("frequency_penalty", Spec::Num { min: -2.0, max: 2.0 }, true),
    field("presence_penalty", Spec::Num { min: -2.0, max: 2.0 }, true),
    field("stop", Spec::Custom(check_stop), true),
    field("logprobs", Spec::Bool, true),
    field("top_logprobs", Spec::Int { min: 0, max: 20 }, false),
    field("logit_bias", Spec::Custom(check_logit_bias), true),
    deprecated("seed", I64_ANY, true, "`seed` is deprecated"),
    field("response_format", Spec::Custom(check_response_format), false),
    field("tools", Spec::Custom(check_tools), false),
    field("tool_choice", Spec::Custom(check_tool_choice), false),
    field("parallel_tool_calls", Spec::Bool, false),
    deprecated("functions", Spec::Custom(check_functions), false, "`functions` is deprecated in favour of `tools`"),
    deprecated("function_call", Spec::Custom(check_function_call), false, "`function_call` is deprecated in favour of `tool_choice`"),
    field("reasoning_effort", Spec::Enum(&["none", "minimal", "low", "medium", "high", "xhigh", "max"]), true),
    field("verbosity", Spec::Enum(&["low", "medium", "high"]), true),
    field("modalities", Spec::Custom(check_modalities), true),
    field("audio", Spec::Custom(check_audio), true),
    field("prediction", Spec::Custom(check_prediction), true),
    field("web_search_options", Spec::Object, false),
    field("store", Spec::Bool, true),
    field("metadata", Spec::Custom(check_metadata), true),
    field("service_tier", Spec::Enum(&["auto", "default", "flex", "scale", "priority", "fast"]), true),
    deprecated("user", Spec::Str, false, "`user` is deprecated in favour of `safety_identifier` and `prompt_cache_key`"),
    field("safety_identifier", Spec::Str, true),
    field("prompt_cache_key", Spec::Str, true),
    deprecated("prompt_cache_retention", Spec::Enum(&["in_memory", "24h"]), true, "`prompt_cache_retention` is deprecated in favour of `prompt_cache_options`"),
    field("prompt_cache_options", Spec::Object, false),
    field("moderation", Spec::Object, true),
];

/// The fields `CreateChatCompletionRequest` requires, with the type each must have.
const REQUIRED: &[(&str, &str)] = &[("model", "a string"), ("messages", "an array of messages")];

/// Whether Chat Completions defines this top-level field.
pub fn is_chat_field(name: &str) -> bool {
    FIELDS.iter().any(|f| f.name == name)
}

/// Check a request body against the Chat Completions request contract.
pub fn check_request_body(body: &Value, classification: &Classification, findings: &mut Findings) {
    let Value::Object(top) = body else {
        findings.add(
            Rule::RequestNotJson,
            "",
            format!("request body is a JSON {}, not an object", kind(body)),
        );
        return;
    };
    report_dialect(classification, Dialect::ChatCompletions, findings);
    if top.contains_key("prompt") && !top.contains_key("messages") {
        findings.add(
            Rule::RequestLegacyCompletions,
            "/prompt",
            "`prompt` is the legacy Completions API (/v1/completions); Chat Completions needs `messages`",
        );
    }
    check_fields(top, FIELDS, REQUIRED, findings, |key| {
        // `prompt` already has its own, sharper violation above.
        (key != "prompt").then(|| {
            let owner = dialect::top_level_key_dialect(key);
            let note = owner.map_or(String::new(), |d| format!(" ({} field)", d.with_article()));
            (
                format!("Unrecognized request argument supplied: {key}{note}"),
                owner,
            )
        })
    });
}

fn check_messages_field(
    findings: &mut Findings,
    path: &str,
    value: &Value,
    _: &Map<String, Value>,
) {
    match value {
        Value::Array(messages) if messages.is_empty() => findings.add(
            Rule::RequestEmptyArray,
            path,
            "`messages` is empty; it needs at least one message",
        ),
        Value::Array(messages) => check_messages(findings, messages),
        other => type_error(findings, path, "an array", other),
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
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        );
    }
    for (key, option) in options {
        let option_path = join(path, key);
        match key.as_str() {
            "include_usage" | "include_obfuscation" => {
                if !option.is_boolean() {
                    type_error(findings, &option_path, "a boolean", option);
                }
            }
            _ => findings.add(
                Rule::RequestStreamOptions,
                option_path,
                format!("`stream_options.{key}` is not a Chat Completions stream option (include_usage, include_obfuscation)"),
            ),
        }
    }
}

fn check_stop(findings: &mut Findings, path: &str, value: &Value, _: &Map<String, Value>) {
    match value {
        Value::String(_) => {}
        Value::Array(items) if items.is_empty() => {
            findings.add(Rule::RequestEmptyArray, path, "`stop` is an empty array")
        }
        Value::Array(items) => {
            if items.len() > 4 {
                findings.add(
                    Rule::RequestRange,
                    path,
                    format!(
                        "`stop` has {} sequences; at most 4 are allowed",
                        items.len()
                    ),
                );
            }
            for (i, item) in items.iter().enumerate() {
                if !item.is_string() {
                    type_error(findings, &join_index(path, i), "a string", item);
                }
            }
        }
        other => type_error(findings, path, "a string or an array of strings", other),
    }
}

fn check_logit_bias(findings: &mut Findings, path: &str, value: &Value, _: &Map<String, Value>) {
    let Value::Object(map) = value else {
        return type_error(findings, path, "an object", value);
    };
    for (token, bias) in map {
        if !bias.is_i64() {
            type_error(findings, &join(path, token), "an integer", bias);
        }
    }
}

fn check_metadata(findings: &mut Findings, path: &str, value: &Value, _: &Map<String, Value>) {
    let Value::Object(map) = value else {
        return type_error(findings, path, "an object of strings", value);
    };
    for (key, item) in map {
        if !item.is_string() {
            type_error(findings, &join(path, key), "a string", item);
        }
    }
}

fn check_modalities(findings: &mut Findings, path: &str, value: &Value, _: &Map<String, Value>) {
    let Value::Array(items) = value else {
        return type_error(findings, path, "an array", value);
    };
    for (i, item) in items.iter().enumerate() {
        check_enum(findings, &join_index(path, i), item, &["text", "audio"]);
    }
}

fn check_audio(findings: &mut Findings, path: &str, value: &Value, _: &Map<String, Value>) {
    let Value::Object(audio) = value else {
        return type_error(findings, path, "an object", value);
    };
    if !audio.contains_key("voice") {
        findings.add(
            Rule::RequestMissingField,
            join(path, "voice"),
            "Missing required parameter: 'audio.voice'",
        );
    }
    match audio.get("format") {
        Some(format) => check_enum(
            findings,
            &join(path, "format"),
            format,
            &["wav", "aac", "mp3", "flac", "opus", "pcm16"],
        ),
        None => findings.add(
            Rule::RequestMissingField,
            join(path, "format"),
            "Missing required parameter: 'audio.format'",
        ),
    }
}

fn check_prediction(findings: &mut Findings, path: &str, value: &Value, _: &Map<String, Value>) {
    let Value::Object(prediction) = value else {
        return type_error(findings, path, "an object", value);
    };
    match prediction.get("type") {
        Some(kind) => check_enum(findings, &join(path, "type"), kind, &["content"]),
        None => findings.add(
            Rule::RequestMissingField,
            join(path, "type"),
            "Missing required parameter: 'prediction.type'",
        ),
    }
    if !prediction.contains_key("content") {
        findings.add(
            Rule::RequestMissingField,
            join(path, "content"),
            "Missing required parameter: 'prediction.content'",
        );
    }
}

fn check_response_format(
    findings: &mut Findings,
    path: &str,
    value: &Value,
    _: &Map<String, Value>,
) {
    let Value::Object(format) = value else {
        return type_error(findings, path, "an object", value);
    };
    match format.get("type").and_then(Value::as_str) {
        Some("text" | "json_object") => {}
        Some("json_schema") => match format.get("json_schema") {
            Some(Value::Object(schema)) => {
                if !schema.get("name").is_some_and(Value::is_string) {
                    findings.add(
                        Rule::RequestResponseFormat,
                        join(&join(path, "json_schema"), "name"),
                        "Missing required parameter: 'response_format.json_schema.name'",
                    );
                }
                if let Some(inner) = schema.get("schema")
                    && !inner.is_object()
                {
                    type_error(findings, &join(&join(path, "json_schema"), "schema"), "an object", inner);
                }
            }
            _ if format.contains_key("schema") || format.contains_key("name") => findings.add_in(
                Rule::RequestResponseFormat,
                path,
                "flat json_schema format (name/schema beside `type`) is the Responses `text.format` shape; Chat nests it under `json_schema`",
                Some(Dialect::Responses),
            ),
            _ => findings.add(
                Rule::RequestResponseFormat,
                join(path, "json_schema"),
                "Missing required parameter: 'response_format.json_schema'",
            ),
        },
        Some(other) => findings.add(
            Rule::RequestResponseFormat,
            join(path, "type"),
            format!("`response_format.type` is '{other}'; expected text, json_object or json_schema"),
        ),
        None => findings.add(
            Rule::RequestResponseFormat,
            join(path, "type"),
            "Missing required parameter: 'response_format.type'",
        ),
    }
}
