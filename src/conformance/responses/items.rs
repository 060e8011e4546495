//! `input`: a string, or a list of items: messages (the easy `{role, content}` form or typed),
//! tool calls and their outputs, reasoning items, references. Each item's type decides what it
//! must hold; calls and outputs pair up by `call_id`.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::conformance::Rule;
use crate::conformance::findings::{Findings, check_enum, type_error};
use crate::dialect::Dialect;
use crate::json::{join, join_index};

/// Item types the spec defines besides messages, calls and outputs checked below: hosted tools'
/// calls and outputs, approvals, compaction (`Item`, `InputItem`).
const OTHER_ITEM_TYPES: &[&str] = &[
    "file_search_call",
    "computer_call",
    "computer_call_output",
    "web_search_call",
    "tool_search_call",
    "tool_search_output",
    "additional_tools",
    "compaction",
    "compaction_trigger",
    "image_generation_call",
    "code_interpreter_call",
    "local_shell_call",
    "local_shell_call_output",
    "shell_call",
    "shell_call_output",
    "apply_patch_call",
    "apply_patch_call_output",
    "mcp_list_tools",
    "mcp_approval_request",
    "mcp_approval_response",
    "mcp_call",
    "program",
    "program_output",
];

/// What each call-like item needs, and which output answers it.
struct Call {
    kind: &'static str,
    output: &'static str,
    /// The field holding what the model produced (`arguments` is JSON text, `input` raw text).
    payload: &'static str,
}

const CALLS: &[Call] = &[
    Call {
        kind: "function_call",
        output: "function_call_output",
        payload: "arguments",
    },
    Call {
        kind: "custom_tool_call",
        output: "custom_tool_call_output",
        payload: "input",
    },
];

pub(super) fn check_input(
    findings: &mut Findings,
    path: &str,
    value: &Value,
    top: &Map<String, Value>,
) {
    let items = match value {
        Value::String(_) => return,
        Value::Array(items) => items,
        other => return type_error(findings, path, "a string or an array of items", other),
    };
    let mut calls: Vec<(&str, &str, String)> = Vec::new();
    let mut answered: BTreeSet<(&str, &str)> = BTreeSet::new();
    // Earlier turns live on the server: outputs there answer calls not in this body.
    let stateful = ["previous_response_id", "conversation", "prompt"]
        .iter()
        .any(|key| top.get(*key).is_some_and(|v| !v.is_null()));
    for (i, item) in items.iter().enumerate() {
        let item_path = join_index(path, i);
        let Value::Object(map) = item else {
            type_error(findings, &item_path, "an object", item);
            continue;
        };
        let kind = map.get("type").and_then(Value::as_str);
        match kind {
            None | Some("message") if map.contains_key("role") => {
                check_message(findings, &item_path, map)
            }
            None if map.contains_key("id") => {}
            Some("item_reference") => require(findings, &item_path, map, "item_reference", &["id"]),
            Some("reasoning") => {
                require(findings, &item_path, map, "reasoning", &["id", "summary"]);
                if let Some(summary) = map.get("summary")
                    && !summary.is_array()
                {
                    type_error(findings, &join(&item_path, "summary"), "an array", summary);
                }
            }
            Some(kind) if CALLS.iter().any(|c| c.kind == kind) => {
                let call = CALLS.iter().find(|c| c.kind == kind).expect("found");
                check_call(findings, &item_path, map, call);
                if let Some(id) = map.get("call_id").and_then(Value::as_str) {
                    calls.push((call.output, id, item_path));
                }
            }
            Some(kind) if CALLS.iter().any(|c| c.output == kind) => {
                let call = CALLS.iter().find(|c| c.output == kind).expect("found");
                require(findings, &item_path, map, kind, &["call_id", "output"]);
                if let Some(output) = map.get("output")
                    && !(output.is_string() || output.is_array())
                {
                    type_error(
                        findings,
                        &join(&item_path, "output"),
                        "a string or an array of content",
                        output,
                    );
                }
                let Some(id) = map.get("call_id").and_then(Value::as_str) else {
                    continue;
                };
                if calls
                    .iter()
                    .any(|(output, call_id, _)| *output == kind && *call_id == id)
                {
                    answered.insert((call.output, id));
                } else if !stateful {
                    findings.add(
                        Rule::RequestToolResultOrder,
                        join(&item_path, "call_id"),
                        format!("No {} found for {kind} with call_id {id}", call.kind),
                    );
                }
            }
            Some(kind) if OTHER_ITEM_TYPES.contains(&kind) => {}
            Some("tool_use" | "tool_result") => findings.add_in(
                Rule::RequestInputItem,
                join(&item_path, "type"),
                format!(
                    "`{}` is an Anthropic content block, not a Responses input item",
                    kind.unwrap_or_default()
                ),
                Some(Dialect::Anthropic),
            ),
            Some(other) => findings.add(
                Rule::RequestInputItem,
                join(&item_path, "type"),
                format!("Invalid value: '{other}'; not a Responses input item type"),
            ),
            None => findings.add(
                Rule::RequestInputItem,
                item_path,
                "an input item needs a `type`, or `role` and `content` (a message)",
            ),
        }
    }
    if stateful {
        return;
    }
    for (output, id, item_path) in &calls {
        if !answered.contains(&(*output, *id)) {
            findings.add(
                Rule::RequestToolResultOrder,
                join(item_path, "call_id"),
                format!("No tool output found for call {id} (a {output} item must answer it)"),
            );
        }
    }
}

fn require(
    findings: &mut Findings,
    path: &str,
    map: &Map<String, Value>,
    kind: &str,
    keys: &[&str],
) {
    for key in keys {
        if !map.contains_key(*key) {
            findings.add(
                Rule::RequestInputItem,
                join(path, key),
                format!("Missing required parameter: a `{kind}` item needs `{key}`"),
            );
        }
    }
}

fn check_call(findings: &mut Findings, path: &str, map: &Map<String, Value>, call: &Call) {
    for key in ["call_id", "name", call.payload] {
        match map.get(key) {
            Some(Value::String(_)) => {}
            Some(other) => findings.add(
                Rule::RequestToolCall,
                join(path, key),
                format!(
                    "`{}.{key}` must be a string, got {}",
                    call.kind,
                    crate::json::kind(other)
                ),
            ),
            None => findings.add(
                Rule::RequestToolCall,
                join(path, key),
                format!(
                    "Missing required parameter: a `{}` item needs `{key}`",
                    call.kind
                ),
            ),
        }
    }
}

fn check_message(findings: &mut Findings, path: &str, map: &Map<String, Value>) {
    let role = map.get("role").and_then(Value::as_str);
    match role {
        Some("user" | "assistant" | "system" | "developer") => {}
        Some("tool") => findings.add_in(
            Rule::RequestRole,
            join(path, "role"),
            "role 'tool' is Chat Completions'; Responses answers a call with a `function_call_output` item",
            Some(Dialect::ChatCompletions),
        ),
        Some(other) => findings.add(
            Rule::RequestRole,
            join(path, "role"),
            format!("role '{other}' is not one of user, assistant, system, developer"),
        ),
        None => type_error(
            findings,
            &join(path, "role"),
            "a string",
            map.get("role").unwrap_or(&Value::Null),
        ),
    }
    if map.contains_key("tool_calls") {
        findings.add_in(
            Rule::RequestInputItem,
            join(path, "tool_calls"),
            "`tool_calls` on a message is Chat Completions'; Responses lists each call as a `function_call` item",
            Some(Dialect::ChatCompletions),
        );
    }
    if let Some(status) = map.get("status") {
        check_enum(
            findings,
            &join(path, "status"),
            status,
            &["in_progress", "completed", "incomplete"],
        );
    }
    let content_path = join(path, "content");
    match map.get("content") {
        Some(Value::String(_)) => {}
        Some(Value::Array(parts)) => {
            for (i, part) in parts.iter().enumerate() {
                check_part(
                    findings,
                    &join_index(&content_path, i),
                    part,
                    role == Some("assistant"),
                );
            }
        }
        Some(other) => type_error(
            findings,
            &content_path,
            "a string or an array of parts",
            other,
        ),
        None => findings.add(
            Rule::RequestMissingField,
            content_path,
            "Missing required parameter: a message needs `content`",
        ),
    }
}

/// A content part: `input_text`, `input_image` (`image_url` a string), `input_file`; an
/// assistant's earlier output also `output_text` and `refusal`.
fn check_part(findings: &mut Findings, path: &str, part: &Value, assistant: bool) {
    let Value::Object(map) = part else {
        return type_error(findings, path, "an object", part);
    };
    let kind = map.get("type").and_then(Value::as_str).unwrap_or("");
    let needs =
        |findings: &mut Findings, key: &str, expected: &str, ok: fn(&Value) -> bool| match map
            .get(key)
        {
            Some(value) if ok(value) => {}
            Some(value) => type_error(findings, &join(path, key), expected, value),
            None => findings.add(
                Rule::RequestContentPart,
                join(path, key),
                format!("Missing required parameter: a `{kind}` part needs `{key}`"),
            ),
        };
    match kind {
        "input_text" => needs(findings, "text", "a string", Value::is_string),
        "output_text" if assistant => needs(findings, "text", "a string", Value::is_string),
        "refusal" if assistant => needs(findings, "refusal", "a string", Value::is_string),
        "input_image" => {
            match map.get("image_url") {
                Some(Value::Object(_)) => findings.add_in(
                    Rule::RequestContentPart,
                    join(path, "image_url"),
                    "`image_url` is an object (Chat's shape); in Responses it is the URL string itself",
                    Some(Dialect::ChatCompletions),
                ),
                Some(Value::String(_) | Value::Null) | None => {}
                Some(other) => type_error(findings, &join(path, "image_url"), "a string", other),
            }
            if !map.contains_key("image_url") && !map.contains_key("file_id") {
                findings.add(
                    Rule::RequestContentPart,
                    path,
                    "an `input_image` part needs `image_url` or `file_id`",
                );
            }
            if let Some(detail) = map.get("detail") {
                check_enum(
                    findings,
                    &join(path, "detail"),
                    detail,
                    &["low", "high", "auto", "original"],
                );
            }
        }
        "input_file" => {
            if !["file_id", "file_data", "file_url"].iter().any(|k| map.contains_key(*k)) {
                findings.add(
                    Rule::RequestContentPart,
                    path,
                    "an `input_file` part needs `file_id`, `file_data` or `file_url`",
                );
            }
        }
        "output_text" | "refusal" => findings.add(
            Rule::RequestContentPart,
            join(path, "type"),
            format!("`{kind}` parts belong to assistant messages only"),
        ),
        "text" | "image_url" | "input_audio" | "file" => findings.add_in(
            Rule::RequestContentPart,
            join(path, "type"),
            format!("`{kind}` is a Chat Completions part type; Responses uses input_text, input_image, input_file"),
            Some(Dialect::ChatCompletions),
        ),
        "image" | "document" | "tool_use" | "tool_result" | "thinking" => findings.add_in(
            Rule::RequestContentPart,
            join(path, "type"),
            format!("`{kind}` is an Anthropic content block, not a Responses part"),
            Some(Dialect::Anthropic),
        ),
        "" => findings.add(
            Rule::RequestContentPart,
            join(path, "type"),
            "a content part needs a `type`",
        ),
        other => findings.add(
            Rule::RequestContentPart,
            join(path, "type"),
            format!("`{other}` is not a Responses content part type"),
        ),
    }
}
