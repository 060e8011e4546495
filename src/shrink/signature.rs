//! What counts as "the same failure": the signature of a target's answer. For an error status,
//! the status with the error's `type`, `code` and `param` and its message, with the variable
//! parts (numbers such as an index, quoted values) blanked in the last two; for a 2xx answer, the set of rules its answer breaks
//! under its endpoint's contract. A transport failure has no signature: it is not the failure
//! being shrunk, and never counts as progress.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::capture::Exchange;
use crate::conformance::{self, Profile, RequestContext, Severity};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Signature {
    /// A non-2xx answer.
    Error {
        status: u16,
        r#type: Option<String>,
        code: Option<String>,
        param: Option<String>,
        message: String,
    },
    /// A 2xx answer that breaks these rules.
    Breaks { codes: BTreeSet<String> },
    /// A 2xx answer that breaks nothing: not a failure.
    Fine,
}

impl Signature {
    pub fn is_failure(&self) -> bool {
        !matches!(self, Signature::Fine)
    }

    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            Signature::Error {
                status,
                r#type,
                code,
                param,
                message,
            } => {
                let mut parts = vec![format!("status {status}")];
                for (name, value) in [("type", r#type), ("code", code), ("param", param)] {
                    if let Some(value) = value {
                        parts.push(format!("{name} {value}"));
                    }
                }
                if !message.is_empty() {
                    parts.push(format!("\"{}\"", crate::json::shorten(message, 80)));
                }
                parts.join(", ")
            }
            Signature::Breaks { codes } => format!(
                "2xx breaking {}",
                codes.iter().cloned().collect::<Vec<_>>().join(", ")
            ),
            Signature::Fine => "a conforming 2xx answer".to_owned(),
        }
    }
}

/// The message with what varies between two requests failing the same way blanked: digits
/// (an index, a count) stay as a placeholder, quoted values too, whitespace collapsed.
pub fn normalized_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quote: Option<char> = None;
    let mut previous_digit = false;
    for c in message.chars() {
        if let Some(open) = quote {
            if c == open {
                quote = None;
                out.push(c);
            }
            continue;
        }
        match c {
            '\'' | '"' | '`' => {
                quote = Some(c);
                out.push(c);
                out.push('…');
            }
            c if c.is_ascii_digit() => {
                if !previous_digit {
                    out.push('#');
                }
                previous_digit = true;
                continue;
            }
            _ => out.push(c),
        }
        previous_digit = false;
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The signature of an exchange's answer; `None` when the transport failed.
pub fn of(exchange: &Exchange) -> Option<Signature> {
    if exchange.error.is_some() && exchange.response.is_none() {
        return None;
    }
    let response = exchange.response.as_ref()?;
    if exchange.error.is_some() {
        // Cut short: not an answer the gateway chose.
        return None;
    }
    if !(200..300).contains(&response.status) {
        let body = response.body.as_ref().and_then(|b| b.json().ok());
        let error = body.as_deref().and_then(|b| b.get("error"));
        let text = |key: &str| {
            error.and_then(|e| e.get(key)).and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
        };
        let message = text("message")
            .or_else(|| {
                response
                    .body
                    .as_ref()
                    .map(|b| String::from_utf8_lossy(&b.to_bytes()).into_owned())
            })
            .unwrap_or_default();
        return Some(Signature::Error {
            status: response.status,
            r#type: text("type").or_else(|| text("status")),
            code: text("code"),
            // `messages[2].content` and `messages[0].content` are one failure moved.
            param: text("param").map(|param| normalized_message(&param)),
            message: normalized_message(&message),
        });
    }
    let request = &exchange.request;
    let contract = exchange.contract();
    let context = match request.body.as_ref().map(|b| b.json()) {
        Some(Ok(body)) => RequestContext::from_body(&body, contract, &request.target),
        _ => RequestContext::without_body(contract, &request.target),
    };
    let checked = conformance::check_response(response, &context, Profile::Strict);
    let codes: BTreeSet<String> = checked
        .violations
        .into_iter()
        .filter(|v| v.severity == Severity::Error)
        .map(|v| v.code)
        .collect();
    Some(if codes.is_empty() {
        Signature::Fine
    } else {
        Signature::Breaks { codes }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_varies_between_two_failures_of_one_kind_is_blanked() {
        assert_eq!(
            normalized_message("Invalid 'messages[2].content': empty array. Expected 1 item."),
            normalized_message("Invalid 'messages[0].content':   empty array. Expected 12 item.")
        );
        assert_ne!(
            normalized_message("Unrecognized request argument supplied: input"),
            normalized_message("Unrecognized request argument supplied: store")
        );
    }
}
