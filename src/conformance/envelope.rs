//! Error answers: the envelope each contract's clients know how to read (OpenAI's
//! `{error:{message,type,param,code}}`, Anthropic's `{type:"error",error:{type,message}}`,
//! Google's `{error:{code,message,status}}`), and the status and message quoted for people.

use serde_json::Value;

use super::Rule;
use super::findings::Findings;
use crate::capture::{Contract, Response};
use crate::dialect::Dialect;
use crate::json::{kind, shorten};

/// The envelope an error answer is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Envelope {
    OpenAi,
    Anthropic,
    Google,
}

impl Envelope {
    fn of(contract: Contract) -> Envelope {
        match contract {
            Contract::AnthropicMessages => Envelope::Anthropic,
            Contract::Gemini => Envelope::Google,
            Contract::ChatCompletions | Contract::Responses | Contract::Models => Envelope::OpenAi,
        }
    }

    /// The envelope a body is in, by its shape.
    fn recognise(value: &Value) -> Option<Envelope> {
        if value.get("type").and_then(Value::as_str) == Some("error") {
            return Some(Envelope::Anthropic);
        }
        let error = value.get("error")?;
        if error.get("code").is_some_and(Value::is_i64) && error.get("status").is_some() {
            return Some(Envelope::Google);
        }
        Some(Envelope::OpenAi)
    }

    fn shape(self) -> &'static str {
        match self {
            Envelope::OpenAi => "OpenAI's shape ({error: {message, type, param, code}})",
            Envelope::Anthropic => "Anthropic's shape ({type: \"error\", error: {type, message}})",
            Envelope::Google => "Google's shape ({error: {code: <int>, message, status}})",
        }
    }

    fn dialect(self) -> Dialect {
        match self {
            Envelope::OpenAi => Dialect::ChatCompletions,
            Envelope::Anthropic => Dialect::Anthropic,
            Envelope::Google => Dialect::Gemini,
        }
    }
}

/// Anthropic's error types (`shared/error_type.py` of the Anthropic SDK; the Messages API
/// reference, "Errors").
const ANTHROPIC_ERROR_TYPES: &[&str] = &[
    "invalid_request_error",
    "authentication_error",
    "permission_error",
    "not_found_error",
    "request_too_large",
    "rate_limit_error",
    "timeout_error",
    "overloaded_error",
    "api_error",
    "billing_error",
];

/// Quote the status and message of an error answer, and check its envelope against the one the
/// contract's clients read. With no contract, only the quote.
pub fn check_error(response: &Response, contract: Option<Contract>, findings: &mut Findings) {
    let status = response.status;
    let expected = contract.map(Envelope::of);
    let value = match response.body.as_ref().map(|b| b.json()) {
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
            if let Some(expected) = expected {
                findings.add(
                    Rule::ResponseErrorEnvelope,
                    "",
                    format!(
                        "the error body is not JSON; clients expect {}",
                        expected.shape()
                    ),
                );
            }
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
    let Some(expected) = expected else { return };
    let Some(found) = Envelope::recognise(&value) else {
        findings.add(
            Rule::ResponseErrorEnvelope,
            "/error",
            format!(
                "the error body has no `error` object; clients expect {}",
                expected.shape()
            ),
        );
        return;
    };
    if found != expected {
        findings.add_in(
            Rule::ResponseErrorEnvelope,
            "",
            format!(
                "the error body is {}, not {}",
                found.shape(),
                expected.shape()
            ),
            Some(found.dialect()),
        );
        return;
    }
    match expected {
        Envelope::OpenAi => check_openai(&value, findings),
        Envelope::Anthropic => check_anthropic(&value, findings),
        Envelope::Google => check_google(&value, findings),
    }
}

fn check_openai(value: &Value, findings: &mut Findings) {
    let Some(Value::Object(error)) = value.get("error") else {
        findings.add(
            Rule::ResponseErrorEnvelope,
            "/error",
            "`error` is not an object",
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

fn check_anthropic(value: &Value, findings: &mut Findings) {
    let Some(Value::Object(error)) = value.get("error") else {
        findings.add(
            Rule::ResponseErrorEnvelope,
            "/error",
            "`error` is missing or not an object",
        );
        return;
    };
    match error.get("type").and_then(Value::as_str) {
        Some(kind) if ANTHROPIC_ERROR_TYPES.contains(&kind) => {}
        Some(other) => findings.add(
            Rule::ResponseErrorEnvelope,
            "/error/type",
            format!(
                "`error.type` is '{other}', not one of {}",
                ANTHROPIC_ERROR_TYPES.join(", ")
            ),
        ),
        None => findings.add(
            Rule::ResponseErrorEnvelope,
            "/error/type",
            "`error.type` is missing or not a string",
        ),
    }
    if !error.get("message").is_some_and(Value::is_string) {
        findings.add(
            Rule::ResponseErrorEnvelope,
            "/error/message",
            "`error.message` is missing or not a string",
        );
    }
}

fn check_google(value: &Value, findings: &mut Findings) {
    let Some(Value::Object(error)) = value.get("error") else {
        return;
    };
    if !error.get("message").is_some_and(Value::is_string) {
        findings.add(
            Rule::ResponseErrorEnvelope,
            "/error/message",
            "`error.message` is missing or not a string",
        );
    }
    match error.get("status").and_then(Value::as_str) {
        Some(status)
            if !status.is_empty()
                && status.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') => {}
        _ => findings.add(
            Rule::ResponseErrorEnvelope,
            "/error/status",
            "`error.status` must be the canonical status name (INVALID_ARGUMENT, NOT_FOUND, …)",
        ),
    }
}
