//! The API contracts, as the project's own rules: for each endpoint a request can be sent to
//! (Chat Completions, Responses, Anthropic Messages, Gemini `generateContent`, the model list),
//! what its request, its answer and its event stream must hold, plus what Cursor needs beyond
//! the spec on the Chat Completions leg, where Cursor is the client. The contract of an exchange
//! is decided by the endpoint ([`crate::capture::Contract`]); the body's dialect is named
//! beside it.
//!
//! Rules are written by hand from each API's published reference (OpenAI's OpenAPI spec,
//! Anthropic's Messages reference and SDK types, Google's `generateContent` reference and SDK)
//! rather than by running a JSON Schema validator: the specs' own traps (OpenAPI 3.0 `nullable`
//! in a 3.1 document, `oneOf` without discriminator support, unknown keys allowed everywhere)
//! would make a schema validator both wrong and unable to say *which dialect* a bad field
//! belongs to. Every rule is listed in [`rules`] with a stable code and the contracts that
//! apply it.
//!
//! - [`rules`]: the catalogue; `findings.rs`: collecting violations.
//! - `context.rs`: what the answer check needs to know of its request.
//! - `response.rs`: answers by kind; `envelope.rs`: error answers; `models.rs`: the model list;
//!   `events.rs`: what every stream check starts with.
//! - `chat/`, `responses/`, `anthropic/`, `gemini/`: one folder per contract.

mod anthropic;
mod chat;
mod context;
mod envelope;
mod events;
mod fields;
mod findings;
mod gemini;
mod models;
mod response;
mod responses;
pub mod rules;

pub use chat::is_chat_field;
pub use context::RequestContext;
pub use events::StreamOutcome;
pub use response::{ResponseCheck, ResponseKind, check_response};
pub use rules::{Category, Profile, Rule, Severity};

use findings::Findings;
use serde::{Deserialize, Serialize};

use crate::capture::Contract;
use crate::dialect::{Classification, Dialect};

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

/// Check a request body against the contract of the endpoint it was sent to; the
/// classification names the dialect the body is actually in. With no contract, only an `info`
/// saying so.
pub fn check_request(
    body: &serde_json::Value,
    classification: &Classification,
    contract: Option<Contract>,
    profile: Profile,
) -> Vec<Violation> {
    let mut findings = Findings::new(profile);
    match contract {
        Some(Contract::ChatCompletions) => {
            chat::check_request_body(body, classification, &mut findings)
        }
        Some(Contract::Responses) => responses::check_request(body, classification, &mut findings),
        Some(Contract::AnthropicMessages) => {
            anthropic::check_request(body, classification, &mut findings)
        }
        Some(Contract::Gemini) => gemini::check_request(body, classification, &mut findings),
        // A model list is a GET: whatever body came with it is not judged.
        Some(Contract::Models) => {}
        None => findings.add(
            Rule::RequestNoContract,
            "",
            format!(
                "no contract covers this endpoint; the body is {}",
                classification.dialect.with_article()
            ),
        ),
    }
    findings.into_vec()
}

/// A violation of `rule` (`request.content-encoding` or `response.content-encoding`) for a body
/// whose bytes did not match its content-encoding; `note` is the capture's `encoding_mismatch`.
pub fn encoding_mismatch(rule: Rule, note: &str, profile: Profile) -> Violation {
    let mut findings = Findings::new(profile);
    findings.add(rule, "", note);
    findings.into_vec().pop().expect("a finding was just added")
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
