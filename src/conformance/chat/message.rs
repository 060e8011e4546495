//! Message rules: roles, content and content parts per role, assistant tool calls, and the
//! pairing of tool calls with tool results.

use crate::json::Member as _;
use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::conformance::Rule;
use crate::conformance::findings::{
    Findings, check_enum, display_name, nested_unknown, null_not_allowed, type_error,
};
use crate::dialect::{self, Dialect};
use crate::json::{join, join_index};

const ROLES: &[&str] = &[
    "developer",
    "system",
    "user",
    "assistant",
    "tool",
    "function",
];

/// Which content part types each role accepts (`ChatCompletionRequest*MessageContentPart`).
fn parts_for(role: &str) -> &'static [&'static str] {
    match role {
        "user" => &["text", "image_url", "input_audio", "file"],
        "assistant" => &["text", "refusal"],
        _ => &["text"],
    }
}

/// Keys each role's message may carry.
fn keys_for(role: &str) -> &'static [&'static str] {
    match role {
        "developer" | "system" | "user" => &["role", "content", "name"],
        "assistant" => &[
            "role",
            "content",
            "refusal",
            "name",
            "audio",
            "tool_calls",
            "function_call",
        ],
        "tool" => &["role", "content", "tool_call_id"],
        "function" => &["role", "content", "name"],
        _ => &["role", "content"],
    }
}

pub(super) fn check_messages(findings: &mut Findings, messages: &[Value]) {
    let mut pairing = Pairing::default();
    for (i, message) in messages.iter().enumerate() {
        let path = join_index("/messages", i);
        let Value::Object(map) = message else {
            type_error(findings, &path, "an object", message);
            continue;
        };
        let role = match map.member("role") {
            Some(Value::String(role)) if ROLES.contains(&role.as_str()) => role.as_str(),
            Some(Value::String(role)) => {
                let owner = (role == "model").then_some(Dialect::Gemini);
                findings.add_in(
                    Rule::RequestRole,
                    join(&path, "role"),
                    format!("message role '{role}' is not one of {}", ROLES.join(", ")),
                    owner,
                );
                continue;
            }
            Some(other) => {
                type_error(findings, &join(&path, "role"), "a string", other);
                continue;
            }
            None => {
                findings.add(
                    Rule::RequestMissingField,
                    join(&path, "role"),
                    format!("Missing required parameter: 'messages[{i}].role'"),
                );
                continue;
            }
        };
        check_content(findings, &path, role, map);
        nested_unknown(findings, &path, map, keys_for(role));
        match role {
            "tool" => check_tool_message(findings, &path, map, &mut pairing),
            "assistant" => {
                pairing.close(findings, &path);
                match map.member("tool_calls") {
                    None => {}
                    Some(Value::Null) => null_not_allowed(findings, &join(&path, "tool_calls")),
                    Some(calls) => {
                        check_tool_calls(findings, &join(&path, "tool_calls"), calls, &mut pairing)
                    }
                }
            }
            _ => pairing.close(findings, &path),
        }
        match map.member("name") {
            // The deprecated function message names the function it answers.
            None if role == "function" => findings.add(
                Rule::RequestMissingField,
                join(&path, "name"),
                format!("Missing required parameter: 'messages[{i}].name'"),
            ),
            None | Some(Value::String(_)) => {}
            Some(Value::Null) => null_not_allowed(findings, &join(&path, "name")),
            Some(other) => type_error(findings, &join(&path, "name"), "a string", other),
        }
    }
    pairing.close(findings, "/messages");
}

fn check_content(findings: &mut Findings, path: &str, role: &str, map: &Map<String, Value>) {
    let content_path = join(path, "content");
    let needs_content = match role {
        // An assistant message may leave content out when it carries tool calls.
        "assistant" => !map.contains_key("tool_calls") && !map.contains_key("function_call"),
        _ => true,
    };
    match map.member("content") {
        None | Some(Value::Null) if needs_content => {
            if role == "function" && map.member("content").is_some() {
                return;
            }
            findings.add(
                Rule::RequestMissingField,
                content_path,
                format!(
                    "Missing required parameter: '{}'",
                    display_name(&join(path, "content"))
                ),
            );
        }
        None | Some(Value::Null) => {}
        Some(Value::String(_)) => {}
        Some(Value::Array(parts)) if parts.is_empty() => {
            if role == "assistant" {
                findings.add(
                    Rule::RequestAssistantEmptyContent,
                    content_path,
                    format!("Invalid '{}': empty array. Expected an array with minimum length 1 (send null or a string instead)", display_name(&join(path, "content"))),
                );
            } else {
                findings.add(
                    Rule::RequestEmptyArray,
                    content_path,
                    format!(
                        "`{}` is an empty array",
                        display_name(&join(path, "content"))
                    ),
                );
            }
        }
        Some(Value::Array(parts)) => {
            for (i, part) in parts.iter().enumerate() {
                check_part(findings, &join_index(&content_path, i), role, part);
            }
        }
        Some(other) => type_error(
            findings,
            &content_path,
            "a string or an array of content parts",
            other,
        ),
    }
}

fn check_part(findings: &mut Findings, path: &str, role: &str, part: &Value) {
    let Value::Object(map) = part else {
        return type_error(findings, path, "an object", part);
    };
    let Some(kind) = map.member("type").and_then(Value::as_str) else {
        findings.add_in(
            Rule::RequestContentPart,
            join(path, "type"),
            "content part has no `type`",
            map.contains_key("inlineData")
                .then_some(Dialect::Gemini)
                .or_else(|| map.contains_key("text").then_some(Dialect::Gemini)),
        );
        return;
    };
    let allowed = parts_for(role);
    if !allowed.contains(&kind) {
        let owner = dialect::part_type_dialect(kind)
            .filter(|d| *d != Dialect::ChatCompletions)
            .or_else(|| {
                (kind == "image" && map.contains_key("source")).then_some(Dialect::Anthropic)
            });
        let message = match owner {
            Some(owner) => format!(
                "content part type '{kind}' is {} block, not a Chat Completions part",
                owner.with_article()
            ),
            None if dialect::part_type_dialect(kind) == Some(Dialect::ChatCompletions) => {
                format!(
                    "content part type '{kind}' is not allowed in a {role} message (allowed: {})",
                    allowed.join(", ")
                )
            }
            None => format!(
                "content part type '{kind}' is not a Chat Completions part (allowed here: {})",
                allowed.join(", ")
            ),
        };
        findings.add_in(Rule::RequestContentPart, join(path, "type"), message, owner);
        return;
    }
    let (required, keys): (&str, &[&str]) = match kind {
        // Every part but `refusal` may carry a prompt-cache breakpoint
        // (`ChatCompletionRequestMessageContentPart*`, spec 2.3.0).
        "text" => ("text", &["type", "text", "prompt_cache_breakpoint"]),
        "image_url" => (
            "image_url",
            &["type", "image_url", "prompt_cache_breakpoint"],
        ),
        "input_audio" => (
            "input_audio",
            &["type", "input_audio", "prompt_cache_breakpoint"],
        ),
        "file" => ("file", &["type", "file", "prompt_cache_breakpoint"]),
        _ => ("refusal", &["type", "refusal"]),
    };
    match map.get(required) {
        None => findings.add(
            Rule::RequestContentPart,
            join(path, required),
            format!(
                "Missing required parameter: '{}'",
                display_name(&join(path, required))
            ),
        ),
        Some(value) => check_part_value(findings, &join(path, required), kind, value),
    }
    nested_unknown(findings, path, map, keys);
}

fn check_part_value(findings: &mut Findings, path: &str, kind: &str, value: &Value) {
    match kind {
        "text" | "refusal" => {
            if !value.is_string() {
                type_error(findings, path, "a string", value);
            }
        }
        "image_url" => match value {
            Value::Object(image) => {
                if !image.member("url").is_some_and(Value::is_string) {
                    findings.add(Rule::RequestContentPart, join(path, "url"), "image_url part needs a string `url`");
                }
                if let Some(detail) = image.member("detail") {
                    check_enum(findings, &join(path, "detail"), detail, &["auto", "low", "high"]);
                }
            }
            Value::String(_) => findings.add_in(
                Rule::RequestContentPart,
                path,
                "`image_url` must be an object {url}; a bare string is the Responses `input_image` shape",
                Some(Dialect::Responses),
            ),
            other => type_error(findings, path, "an object", other),
        },
        "input_audio" => match value {
            Value::Object(audio) => {
                if !audio.member("data").is_some_and(Value::is_string) {
                    findings.add(Rule::RequestContentPart, join(path, "data"), "input_audio part needs base64 `data`");
                }
                match audio.member("format") {
                    Some(format) => check_enum(findings, &join(path, "format"), format, &["wav", "mp3"]),
                    None => findings.add(Rule::RequestContentPart, join(path, "format"), "input_audio part needs `format`"),
                }
            }
            other => type_error(findings, path, "an object", other),
        },
        _ => {
            if !value.is_object() {
                type_error(findings, path, "an object", value);
            }
        }
    }
}

/// Tracks which tool call ids still wait for a tool message.
#[derive(Default)]
struct Pairing {
    /// Ids announced by the latest assistant message, with where they were announced.
    open: BTreeSet<String>,
    opened_at: String,
    /// Every id any assistant message announced so far.
    seen: BTreeSet<String>,
}

impl Pairing {
    /// A non-tool message arrived: any call still open was never answered.
    fn close(&mut self, findings: &mut Findings, at: &str) {
        if !self.open.is_empty() {
            let missing: Vec<_> = std::mem::take(&mut self.open).into_iter().collect();
            findings.add(
                Rule::RequestToolResultOrder,
                self.opened_at.clone(),
                format!(
                    "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: {} (before {at})",
                    missing.join(", ")
                ),
            );
        }
    }
}

fn check_tool_message(
    findings: &mut Findings,
    path: &str,
    map: &Map<String, Value>,
    pairing: &mut Pairing,
) {
    match map.member("tool_call_id") {
        Some(Value::String(id)) => {
            if !pairing.open.remove(id) {
                let why = if pairing.seen.contains(id) {
                    "answers a tool call that was already answered or is not the latest assistant turn"
                } else {
                    "must be a response to a preceding message with 'tool_calls'"
                };
                findings.add(
                    Rule::RequestToolResultOrder,
                    join(path, "tool_call_id"),
                    format!("messages with role 'tool' {why} (tool_call_id '{id}')"),
                );
            }
        }
        Some(other) => type_error(findings, &join(path, "tool_call_id"), "a string", other),
        None => findings.add(
            Rule::RequestMissingField,
            join(path, "tool_call_id"),
            format!(
                "Missing required parameter: '{}'",
                display_name(&join(path, "tool_call_id"))
            ),
        ),
    }
}

fn check_tool_calls(findings: &mut Findings, path: &str, calls: &Value, pairing: &mut Pairing) {
    let Value::Array(calls) = calls else {
        return type_error(findings, path, "an array", calls);
    };
    if calls.is_empty() {
        // The spec sets no minItems here, but OpenAI answers 400 `empty_array`; SDK helpers
        // that default `tool_calls` to `[]` hit it when they send a message back
        // (openai/openai-python#2061, openai/openai-node#1341).
        findings.add(
            Rule::RequestEmptyArray,
            path,
            format!(
                "Invalid '{}': empty array. Leave `tool_calls` out when there are none",
                display_name(path)
            ),
        );
    }
    pairing.opened_at = path.to_owned();
    for (i, call) in calls.iter().enumerate() {
        let call_path = join_index(path, i);
        let Value::Object(map) = call else {
            type_error(findings, &call_path, "an object", call);
            continue;
        };
        match map.member("id") {
            Some(Value::String(id)) => {
                pairing.open.insert(id.clone());
                pairing.seen.insert(id.clone());
            }
            _ => findings.add(
                Rule::RequestToolCall,
                join(&call_path, "id"),
                "tool call needs a string `id`",
            ),
        }
        let kind = map.member("type").and_then(Value::as_str);
        match kind {
            Some(kind @ ("function" | "custom")) => {
                let (inner, payload) = if kind == "function" {
                    ("function", "arguments")
                } else {
                    ("custom", "input")
                };
                match map.get(inner) {
                    Some(Value::Object(body)) => {
                        match body.member("name") {
                            // OpenAI: "empty string. Expected a string with minimum length 1".
                            Some(Value::String(name)) if !name.is_empty() => {}
                            _ => findings.add(
                                Rule::RequestToolCall,
                                format!("{call_path}/{inner}/name"),
                                "tool call needs a non-empty string `name`",
                            ),
                        }
                        match body.get(payload) {
                            Some(Value::String(_)) => {}
                            Some(other) => findings.add(
                                Rule::RequestToolCall,
                                format!("{call_path}/{inner}/{payload}"),
                                format!("tool call `{payload}` must be a string (JSON text for functions), got {}", crate::json::kind(other)),
                            ),
                            None => findings.add(Rule::RequestToolCall, format!("{call_path}/{inner}/{payload}"), format!("tool call needs `{payload}`")),
                        }
                    }
                    _ => findings.add(
                        Rule::RequestToolCall,
                        join(&call_path, inner),
                        format!("tool call of type {kind} needs a `{inner}` object"),
                    ),
                }
            }
            Some(other) => findings.add(
                Rule::RequestToolCall,
                join(&call_path, "type"),
                format!("tool call type '{other}' is not function or custom"),
            ),
            None => findings.add(
                Rule::RequestToolCall,
                join(&call_path, "type"),
                "tool call needs `type`",
            ),
        }
    }
}
