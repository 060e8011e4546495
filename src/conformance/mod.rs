//! The Chat Completions contract, as the project's own rules: requests, non-streamed responses,
//! event streams, and what Cursor needs beyond the spec.
//!
//! Rules are written by hand from OpenAI's spec (`CreateChatCompletionRequest`,
//! `CreateChatCompletionResponse`, `CreateChatCompletionStreamResponse`, `ErrorResponse`) rather
//! than by running a JSON Schema validator over it: the spec's own traps (OpenAPI 3.0 `nullable`
//! in a 3.1 document, `oneOf` without discriminator support, unknown keys allowed everywhere)
//! would make a schema validator both wrong and unable to say *which dialect* a bad field
//! belongs to. Every rule is listed in [`rules`] with a stable code.

mod chunk;
mod findings;
mod message;
mod request;
mod response;
pub mod rules;
mod stream;
mod tool_call;
mod tools;

use findings::Findings;
pub use request::{RequestContext, is_chat_field};
pub use response::{ResponseCheck, ResponseKind, check_response};
pub use rules::{Category, Profile, Rule, Severity};

use serde::{Deserialize, Serialize};

use crate::dialect::Dialect;

/// One broken (or noteworthy) thing, located by a JSON pointer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// The rule's stable code (see `docs/rules.md`).
    pub code: String,
    pub severity: Severity,
    /// JSON pointer into the request body, the response body, or `/stream/<event>/…` for the
    /// N-th event of a stream.
    pub path: String,
    pub message: String,
    /// The API the offending field belongs to, when it belongs to one.
    pub dialect: Option<Dialect>,
}

/// `conforms` or `breaks`: anything with an `error`-severity violation breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Conforms,
    Breaks,
}

impl Verdict {
    pub fn of(violations: &[Violation]) -> Verdict {
        if violations.iter().any(|v| v.severity == Severity::Error) {
            Verdict::Breaks
        } else {
            Verdict::Conforms
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Conforms => "conforms",
            Verdict::Breaks => "breaks",
        }
    }
}

/// Check a request body; the classification decides the dialect named in the headline.
pub fn check_request(
    body: &serde_json::Value,
    classification: &crate::dialect::Classification,
    profile: Profile,
) -> Vec<Violation> {
    let mut findings = Findings::new(profile);
    request::check_request_body(body, classification, &mut findings);
    findings.into_vec()
}

/// A violation for a body that could not be read as JSON at all.
pub fn unreadable_request(message: &str, profile: Profile) -> Vec<Violation> {
    let mut findings = Findings::new(profile);
    findings.add(Rule::RequestNotJson, "", message);
    findings.into_vec()
}

/// Turn a JSON pointer into the parameter notation OpenAI uses in error messages
/// (`/tools/0/custom` → `tools[0].custom`).
pub fn pointer_to_param(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push('[');
            out.push_str(&segment);
            out.push(']');
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_read_like_openai_params() {
        assert_eq!(pointer_to_param("/tools/0/custom"), "tools[0].custom");
        assert_eq!(pointer_to_param("/input"), "input");
        assert_eq!(
            pointer_to_param("/messages/1/content"),
            "messages[1].content"
        );
        assert_eq!(pointer_to_param("/a~1b"), "a/b");
    }
}
