//! Response rules: what came back for a request, by kind — an error status, a `GET /models`
//! list, a `chat.completion`, or an event stream (in `stream.rs`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::findings::Findings;
use super::request::RequestContext;
use super::stream::check_stream;
use super::tool_call::check_completion_tool_calls;
use super::{Profile, Rule, Violation};
use crate::assemble::Assembled;
use crate::capture::{Body, Request, Response};
use crate::dialect::Dialect;
use crate::json::{kind, shorten};

/// What kind of answer a response is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResponseKind {
    /// An event stream.
    Stream,
    /// A JSON completion (or other JSON 2xx body).
    Json,
    /// A non-2xx status.
    Error,
    /// The answer to `GET /models`.
    Models,
    /// A 2xx with no body at all.
    Empty,
}

/// The outcome of checking one response.
#[derive(Debug)]
pub struct ResponseCheck {
    pub kind: ResponseKind,
    /// The API the answer is in, when it could be told.
    pub dialect: Option<Dialect>,
    pub violations: Vec<Violation>,
    /// The chunk that completed the first event with content or a tool call (for TTFT).
    pub first_content_chunk: Option<usize>,
    /// The message the client ends up with.
    pub assembled: Option<Assembled>,
}

/// Check a response against what its request asked for.
pub fn check_response(
    response: &Response,
    request: &Request,
    context: &RequestContext,
    profile: Profile,
) -> ResponseCheck {
    let mut findings = Findings::new(profile);
    let mut check = ResponseCheck {
        kind: ResponseKind::Json,
        dialect: None,
        violations: Vec::new(),
        first_content_chunk: None,
        assembled: None,
    };
    if !(200..300).contains(&response.status) {
        check.kind = ResponseKind::Error;
        check_error(response, &mut findings);
    } else if request.is_model_list() {
        check.kind = ResponseKind::Models;
        check_models(response, &mut findings);
    } else if response.is_event_stream() {
        check.kind = ResponseKind::Stream;
        if !context.stream {
            findings.add(
                Rule::ResponseStreamMismatch,
                "",
                "the request did not ask for a stream, but the answer is text/event-stream",
            );
        }
        let chunks: Vec<std::borrow::Cow<'_, [u8]>> = match &response.stream {
            Some(chunks) => chunks.iter().map(|c| c.data.to_bytes()).collect(),
            None => response.body.iter().map(Body::to_bytes).collect(),
        };
        let slices: Vec<&[u8]> = chunks.iter().map(|c| c.as_ref()).collect();
        let outcome = check_stream(&slices, context, &mut findings);
        check.dialect = outcome.dialect;
        check.first_content_chunk = outcome.first_content_chunk;
        check.assembled = Some(outcome.assembled);
    } else {
        match &response.body {
            None => {
                check.kind = ResponseKind::Empty;
                findings.add(
                    Rule::ResponseNotJson,
                    "",
                    format!("status {} with an empty body", response.status),
                );
            }
            Some(body) => {
                if context.stream {
                    findings.add(
                        Rule::ResponseStreamMismatch,
                        "",
                        format!(
                            "the request asked for a stream (`stream: true`) but the answer is {}",
                            response
                                .header("content-type")
                                .unwrap_or("not an event stream")
                        ),
                    );
                }
                match body.json() {
                    Ok(value) => {
                        let (dialect, assembled) = check_completion(&value, context, &mut findings);
                        check.dialect = dialect;
                        check.assembled = assembled;
                    }
                    Err(err) => findings.add(Rule::ResponseNotJson, "", err.message),
                }
            }
        }
    }
    check.violations = findings.into_vec();
    check
}

fn check_error(response: &Response, findings: &mut Findings) {
    let status = response.status;
    let body = response.body.as_ref().map(|b| b.json());
    let value = match body {
        Some(Ok(value)) => value.into_owned(),
        Some(Err(_)) | None => {
            let text = response
                .body
                .as_ref()
                .map(|b| String::from_utf8_lossy(&b.to_bytes()).into_owned())
                .or_else(|| {
                    response
                        .stream_bytes()
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                })
                .unwrap_or_default();
            findings.add(
                Rule::ResponseErrorStatus,
                "",
                format!("status {status}: {}", shorten(text.trim(), 200)),
            );
            findings.add(Rule::ResponseErrorEnvelope, "", "the error body is not JSON; OpenAI clients expect {error: {message, type, param, code}}");
            return;
        }
    };
    let message = value
        .pointer("/error/message")
        .and_then(Value::as_str)
        .or_else(|| value.get("message").and_then(Value::as_str))
        .unwrap_or("(no message)");
    findings.add(
        Rule::ResponseErrorStatus,
        "",
        format!("status {status}: {}", shorten(message, 200)),
    );
    if value.get("type").and_then(Value::as_str) == Some("error") {
        findings.add_in(
            Rule::ResponseErrorEnvelope,
            "",
            "the error body is Anthropic's shape ({type: \"error\", error: {type, message}})",
            Some(Dialect::Anthropic),
        );
        return;
    }
    if value.pointer("/error/code").is_some_and(Value::is_i64)
        && value.pointer("/error/status").is_some()
    {
        findings.add_in(
            Rule::ResponseErrorEnvelope,
            "",
            "the error body is Google's shape ({error: {code: <int>, message, status}})",
            Some(Dialect::Gemini),
        );
        return;
    }
    let Some(Value::Object(error)) = value.get("error") else {
        findings.add(
            Rule::ResponseErrorEnvelope,
            "/error",
            "the error body has no `error` object",
        );
        return;
    };
    for key in ["message", "type"] {
        match error.get(key) {
            Some(Value::String(_)) => {}
            Some(other) => findings.add(
                Rule::ResponseErrorEnvelope,
                format!("/error/{key}"),
                format!("`error.{key}` is a {}, not a string", kind(other)),
            ),
            None => findings.add(
                Rule::ResponseErrorEnvelope,
                format!("/error/{key}"),
                format!("`error.{key}` is missing"),
            ),
        }
    }
    for key in ["param", "code"] {
        match error.get(key) {
            Some(Value::String(_) | Value::Null) => {}
            Some(other) => findings.add(
                Rule::ResponseErrorEnvelope,
                format!("/error/{key}"),
                format!("`error.{key}` is a {}, not a string or null", kind(other)),
            ),
            None => findings.add(
                Rule::ResponseErrorEnvelope,
                format!("/error/{key}"),
                format!("`error.{key}` is missing (it must be present, null when unused)"),
            ),
        }
    }
}

fn check_models(response: &Response, findings: &mut Findings) {
    let value = match response.body.as_ref().map(Body::json) {
        Some(Ok(value)) => value,
        Some(Err(err)) => return findings.add(Rule::ResponseModelsList, "", err.message),
        None => {
            return findings.add(
                Rule::ResponseModelsList,
                "",
                "the models list is empty (no body)",
            );
        }
    };
    if value.get("object").and_then(Value::as_str) != Some("list") {
        findings.add(
            Rule::ResponseModelsList,
            "/object",
            "`object` must be \"list\"",
        );
    }
    let Some(data) = value.get("data").and_then(Value::as_array) else {
        return findings.add(
            Rule::ResponseModelsList,
            "/data",
            "`data` must be an array of models",
        );
    };
    for (i, model) in data.iter().enumerate() {
        if !model.get("id").is_some_and(Value::is_string) {
            findings.add(
                Rule::ResponseModelsList,
                format!("/data/{i}/id"),
                "model entry needs a string `id`",
            );
        }
        if model.get("object").and_then(Value::as_str) != Some("model") {
            findings.add(
                Rule::ResponseModelsList,
                format!("/data/{i}/object"),
                "model entry needs `object: \"model\"`",
            );
        }
    }
}

/// Check a JSON 2xx body as a `chat.completion`, or name the API it is in.
fn check_completion(
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
