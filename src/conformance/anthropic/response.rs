//! The non-streamed answer: a `message` object. Another API's answer (a `chat.completion`, a
//! Responses `response`, a Gemini `GenerateContentResponse`) is named as such once, rather
//! than as a list of missing fields.

use serde_json::Value;

use super::assemble::from_message;
use super::output::{JSON, check_message_object};
use crate::assemble::Assembled;
use crate::conformance::Rule;
use crate::conformance::findings::Findings;
use crate::dialect::Dialect;
use crate::json::kind;

pub(super) fn check_message(
    value: &Value,
    findings: &mut Findings,
) -> (Option<Dialect>, Option<Assembled>) {
    let Value::Object(message) = value else {
        findings.add(
            Rule::ResponseType,
            "",
            format!("the answer is a JSON {}, not a message object", kind(value)),
        );
        return (None, None);
    };
    if let Some(foreign) = foreign_answer(message) {
        findings.add_in(
            Rule::ResponseDialect,
            "",
            format!(
                "the answer is {} object, not an Anthropic `message`: Anthropic clients read `type`, `content` and `stop_reason`",
                foreign.with_article()
            ),
            Some(foreign),
        );
        return (Some(foreign), None);
    }
    check_message_object(findings, "", message, JSON, false);
    (Some(Dialect::Anthropic), Some(from_message(message)))
}

/// The API whose answer object this is, when it is not Anthropic's.
fn foreign_answer(message: &serde_json::Map<String, Value>) -> Option<Dialect> {
    match message.get("object").and_then(Value::as_str) {
        Some("chat.completion") => return Some(Dialect::ChatCompletions),
        Some("response") => return Some(Dialect::Responses),
        _ => {}
    }
    if message.contains_key("choices") {
        Some(Dialect::ChatCompletions)
    } else if message.contains_key("candidates") {
        Some(Dialect::Gemini)
    } else {
        None
    }
}
