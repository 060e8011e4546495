//! `chat.completion`: what a non-streamed Chat Completions answer must hold, and the other
//! APIs' objects Cursor cannot read in its place.

use serde_json::{Map, Value};

use super::tool_call::check_completion_tool_calls;
use crate::assemble::Assembled;
use crate::conformance::Rule;
use crate::conformance::context::RequestContext;
use crate::conformance::findings::Findings;
use crate::dialect::Dialect;
use crate::json::kind;

/// Check a JSON 2xx body as a `chat.completion`, or name the API it is in.
pub fn check_completion(
    value: &Value,
    context: &RequestContext,
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
    let foreign = if map.get("object").and_then(Value::as_str) == Some("response")
        || map.contains_key("output")
    {
        Some(Dialect::Responses)
    } else if map.get("type").and_then(Value::as_str) == Some("message")
        && map.contains_key("content")
    {
        Some(Dialect::Anthropic)
    } else if map.contains_key("candidates") {
        Some(Dialect::Gemini)
    } else {
        None
    };
    if let Some(dialect) = foreign {
        findings.add_in(
            Rule::CursorForeignResponse,
            "",
            format!(
                "the answer is {} object, not `chat.completion`",
                dialect.with_article()
            ),
            Some(dialect),
        );
        return (Some(dialect), None);
    }
    for key in ["id", "object", "created", "model", "choices"] {
        if !map.contains_key(key) {
            findings.add(
                Rule::ResponseMissingField,
                format!("/{key}"),
                format!("`{key}` is missing"),
            );
        }
    }
    if let Some(object) = map.get("object")
        && object != "chat.completion"
    {
        findings.add(
            Rule::ResponseType,
            "/object",
            format!("`object` is {object}, not \"chat.completion\""),
        );
    }
    if let Some(created) = map.get("created")
        && !created.is_u64()
    {
        findings.add(
            Rule::ResponseType,
            "/created",
            "`created` is not an integer (Unix seconds)",
        );
    }
    if let Some(usage) = map.get("usage").filter(|u| !u.is_null()) {
        for key in ["prompt_tokens", "completion_tokens", "total_tokens"] {
            if !usage.get(key).is_some_and(Value::is_u64) {
                findings.add(
                    Rule::ResponseType,
                    format!("/usage/{key}"),
                    format!("`usage.{key}` is missing or not a non-negative integer"),
                );
            }
        }
    }
    match map.get("choices") {
        Some(Value::Array(choices)) => {
            for (i, choice) in choices.iter().enumerate() {
                check_choice(choice, &format!("/choices/{i}"), findings);
            }
        }
        Some(other) => findings.add(
            Rule::ResponseType,
            "/choices",
            format!("`choices` is a {}, not an array", kind(other)),
        ),
        None => {}
    }
    let assembled = Assembled::from_completion(value);
    check_completion_tool_calls(&assembled, context, findings);
    (Some(Dialect::ChatCompletions), Some(assembled))
}

fn check_choice(choice: &Value, path: &str, findings: &mut Findings) {
    let Value::Object(map) = choice else {
        return findings.add(Rule::ResponseType, path, "choice is not an object");
    };
    if !map.get("index").is_some_and(Value::is_u64) {
        findings.add(
            Rule::ResponseMissingField,
            format!("{path}/index"),
            "choice `index` is missing or not an integer",
        );
    }
    match map.get("finish_reason") {
        Some(Value::String(reason)) if ["stop", "length", "tool_calls", "content_filter", "function_call"].contains(&reason.as_str()) => {}
        Some(Value::String(reason)) => findings.add(Rule::ResponseType, format!("{path}/finish_reason"), format!("`finish_reason` is '{reason}', not one of stop, length, tool_calls, content_filter, function_call")),
        Some(other) => findings.add(Rule::ResponseType, format!("{path}/finish_reason"), format!("`finish_reason` is {}, not a string", kind(other))),
        None => findings.add(Rule::ResponseMissingField, format!("{path}/finish_reason"), "`finish_reason` is missing"),
    }
    if !map.contains_key("logprobs") {
        findings.add(
            Rule::ResponseMissingNullable,
            format!("{path}/logprobs"),
            "`logprobs` is missing (required by the spec; null when not asked for)",
        );
    }
    match map.get("message") {
        Some(Value::Object(message)) => {
            check_message(message, &format!("{path}/message"), findings)
        }
        Some(other) => findings.add(
            Rule::ResponseType,
            format!("{path}/message"),
            format!("`message` is a {}, not an object", kind(other)),
        ),
        None => findings.add(
            Rule::ResponseMissingField,
            format!("{path}/message"),
            "`message` is missing",
        ),
    }
}

fn check_message(message: &Map<String, Value>, path: &str, findings: &mut Findings) {
    match message.get("role").and_then(Value::as_str) {
        Some("assistant") => {}
        Some(role) => findings.add(
            Rule::ResponseType,
            format!("{path}/role"),
            format!("message role is '{role}', not 'assistant'"),
        ),
        None => findings.add(
            Rule::ResponseMissingField,
            format!("{path}/role"),
            "message `role` is missing",
        ),
    }
    for key in ["content", "refusal"] {
        match message.get(key) {
            Some(Value::String(_) | Value::Null) => {}
            Some(other) => findings.add(
                Rule::ResponseType,
                format!("{path}/{key}"),
                format!("message `{key}` is a {}, not a string or null", kind(other)),
            ),
            None => findings.add(
                Rule::ResponseMissingNullable,
                format!("{path}/{key}"),
                format!("message `{key}` is missing (required by the spec; null when empty)"),
            ),
        }
    }
}
