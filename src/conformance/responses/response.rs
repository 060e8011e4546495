//! The `response` object: what a non-streamed answer is, and what the lifecycle events of a
//! stream carry. Its output items are folded into the message a client ends up with.

use serde_json::{Map, Value};

use crate::assemble::{Assembled, AssembledToolCall};
use crate::conformance::Rule;
use crate::conformance::findings::Findings;
use crate::dialect::Dialect;
use crate::json::{join, join_index, kind};

/// `Response.status`.
pub(super) const STATUSES: &[&str] = &[
    "completed",
    "failed",
    "in_progress",
    "cancelled",
    "queued",
    "incomplete",
];

/// Required and never null.
const REQUIRED: &[&str] = &[
    "id",
    "object",
    "created_at",
    "model",
    "output",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
];

/// Required, but null is allowed: absent is what lenient servers do.
const REQUIRED_NULLABLE: &[&str] = &[
    "error",
    "incomplete_details",
    "instructions",
    "metadata",
    "temperature",
    "top_p",
];

/// Check a non-streamed answer as a `response` object, or name the API it is in.
pub fn check_response_object(
    value: &Value,
    findings: &mut Findings,
) -> (Option<Dialect>, Option<Assembled>) {
    let Value::Object(map) = value else {
        findings.add(
            Rule::ResponseNotJson,
            "",
            format!("the body is a JSON {}, not an object", kind(value)),
        );
        return (None, None);
    };
    if let Some(dialect) = foreign(map) {
        findings.add_in(
            Rule::ResponseDialect,
            "",
            format!(
                "the answer is {} object, not a Responses `response`",
                dialect.with_article()
            ),
            Some(dialect),
        );
        return (Some(dialect), None);
    }
    check_object(map, "", findings);
    (Some(Dialect::Responses), Some(assemble(map)))
}

/// Another API's answer object, by its markers.
fn foreign(map: &Map<String, Value>) -> Option<Dialect> {
    let object = map.get("object").and_then(Value::as_str);
    if object == Some("chat.completion") || map.contains_key("choices") {
        Some(Dialect::ChatCompletions)
    } else if map.get("type").and_then(Value::as_str) == Some("message")
        && map.contains_key("content")
    {
        Some(Dialect::Anthropic)
    } else if map.contains_key("candidates") {
        Some(Dialect::Gemini)
    } else {
        None
    }
}

/// The fields of a `response` object at `path` (the body, or `/stream/N/response`).
pub(super) fn check_object(map: &Map<String, Value>, path: &str, findings: &mut Findings) {
    for key in REQUIRED {
        if !map.contains_key(*key) {
            findings.add(
                Rule::ResponseMissingField,
                join(path, key),
                format!("`{key}` is missing"),
            );
        }
    }
    for key in REQUIRED_NULLABLE {
        if !map.contains_key(*key) {
            findings.add(
                Rule::ResponseMissingNullable,
                join(path, key),
                format!("`{key}` is missing (required by the spec; null when unused)"),
            );
        }
    }
    if let Some(object) = map.get("object")
        && object != "response"
    {
        findings.add(
            Rule::ResponseType,
            join(path, "object"),
            format!("`object` is {object}, not \"response\""),
        );
    }
    if let Some(created) = map.get("created_at")
        && !created.is_u64()
        && !created.is_f64()
    {
        findings.add(
            Rule::ResponseType,
            join(path, "created_at"),
            "`created_at` is not a number (Unix seconds)",
        );
    }
    if let Some(status) = map.get("status") {
        match status.as_str() {
            Some(s) if STATUSES.contains(&s) => {}
            _ => findings.add(
                Rule::ResponseType,
                join(path, "status"),
                format!(
                    "`status` is {status}; expected one of {}",
                    STATUSES.join(", ")
                ),
            ),
        }
    }
    if let Some(usage) = map.get("usage").filter(|u| !u.is_null()) {
        for key in ["input_tokens", "output_tokens", "total_tokens"] {
            if !usage.get(key).is_some_and(Value::is_u64) {
                findings.add(
                    Rule::ResponseType,
                    join(&join(path, "usage"), key),
                    format!("`usage.{key}` is missing or not a non-negative integer"),
                );
            }
        }
    }
    match map.get("output") {
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                check_output_item(item, &join_index(&join(path, "output"), i), findings);
            }
        }
        Some(other) => findings.add(
            Rule::ResponseType,
            join(path, "output"),
            format!("`output` is a {}, not an array", kind(other)),
        ),
        None => {}
    }
}

/// One output item: a message with output_text/refusal parts, a function or custom tool call, a
/// reasoning item; hosted tools' items are taken as they are.
pub(super) fn check_output_item(item: &Value, path: &str, findings: &mut Findings) {
    let Value::Object(map) = item else {
        return findings.add(Rule::ResponseType, path, "an output item is not an object");
    };
    let required: &[&str] = match map.get("type").and_then(Value::as_str) {
        Some("message") => &["id", "role", "content", "status"],
        Some("function_call") => &["call_id", "name", "arguments"],
        Some("custom_tool_call") => &["call_id", "name", "input"],
        Some("reasoning") => &["id", "summary"],
        Some(_) => &[],
        None => {
            return findings.add(
                Rule::ResponseMissingField,
                join(path, "type"),
                "an output item needs a `type`",
            );
        }
    };
    for key in required {
        if !map.contains_key(*key) {
            findings.add(
                Rule::ResponseMissingField,
                join(path, key),
                format!("`{key}` is missing from the output item"),
            );
        }
    }
    if let Some(arguments) = map.get("arguments")
        && !arguments.is_string()
    {
        findings.add(
            Rule::ResponseType,
            join(path, "arguments"),
            "`arguments` must be a string of JSON",
        );
    }
    for (i, part) in map
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let part_path = join_index(&join(path, "content"), i);
        match part.get("type").and_then(Value::as_str) {
            Some("output_text") if part.get("text").is_some_and(Value::is_string) => {}
            Some("refusal") if part.get("refusal").is_some_and(Value::is_string) => {}
            Some(kind @ ("output_text" | "refusal")) => findings.add(
                Rule::ResponseMissingField,
                part_path,
                format!("an `{kind}` part needs its text"),
            ),
            Some(other) => findings.add(
                Rule::ResponseType,
                join(&part_path, "type"),
                format!("`{other}` is not an output content part (output_text, refusal)"),
            ),
            None => findings.add(
                Rule::ResponseMissingField,
                join(&part_path, "type"),
                "an output content part needs a `type`",
            ),
        }
    }
}

/// The message a client ends up with from a `response` object: message text, reasoning
/// summaries, tool calls; `status` as the finish reason.
pub(super) fn assemble(map: &Map<String, Value>) -> Assembled {
    let mut assembled = Assembled {
        model: map.get("model").and_then(Value::as_str).map(str::to_owned),
        usage: map.get("usage").filter(|u| u.is_object()).cloned(),
        ..Assembled::default()
    };
    let choice = assembled.choices.entry(0).or_default();
    choice.role = Some("assistant".to_owned());
    for item in map
        .get("output")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        fold_item(choice, item);
    }
    choice.finish_reason = map.get("status").and_then(Value::as_str).map(str::to_owned);
    assembled
}

/// Add one finished output item to a choice.
pub(super) fn fold_item(choice: &mut crate::assemble::AssembledChoice, item: &Value) {
    match item.get("type").and_then(Value::as_str) {
        Some("message") => {
            for part in item
                .get("content")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(text) = part.get("text").and_then(Value::as_str) {
                    choice.content.push_str(text);
                }
                if let Some(refusal) = part.get("refusal").and_then(Value::as_str) {
                    choice.refusal.push_str(refusal);
                }
            }
        }
        Some("reasoning") => {
            for part in item
                .get("summary")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(text) = part.get("text").and_then(Value::as_str) {
                    choice.reasoning.push_str(text);
                }
            }
        }
        Some(kind @ ("function_call" | "custom_tool_call")) => {
            let payload = if kind == "function_call" {
                "arguments"
            } else {
                "input"
            };
            let index = choice.tool_calls.len() as u64;
            choice.tool_calls.push(AssembledToolCall {
                index,
                id: item
                    .get("call_id")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                kind: Some(
                    if kind == "function_call" {
                        "function"
                    } else {
                        "custom"
                    }
                    .to_owned(),
                ),
                name: item.get("name").and_then(Value::as_str).map(str::to_owned),
                arguments: item
                    .get(payload)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                ..AssembledToolCall::default()
            });
        }
        _ => {}
    }
}
