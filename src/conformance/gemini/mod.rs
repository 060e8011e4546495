//! The Gemini contract (`POST …/models/M:generateContent` and `:streamGenerateContent`): the
//! model is in the path and so is the choice to stream; the body is a `GenerateContentRequest`
//! read by the proto3 JSON mapping (lowerCamelCase or snake_case names, unknown names refused
//! at any depth); the answer is a `GenerateContentResponse`, or a stream of them (`alt=sse`
//! events, or one JSON array without it).
//!
//! - `schema.rs`: the request messages as tables; `walk.rs`: checking a value against them.
//! - `request.rs`: the request; `turns.rs`: contents, parts, function call and response turns;
//!   `tools.rs`: tools and `toolConfig`; `config.rs`: `generationConfig`.
//! - `answer.rs`: one `GenerateContentResponse` and what it adds to the assembled message.
//! - `stream.rs`: the `alt=sse` stream and the streamed JSON array.

mod answer;
mod config;
mod request;
mod schema;
mod stream;
mod tools;
mod turns;
mod walk;

pub use request::check_request;
pub use stream::check_stream;

use serde_json::Value;

use crate::assemble::Assembled;
use crate::conformance::Rule;
use crate::conformance::context::RequestContext;
use crate::conformance::findings::Findings;
use crate::dialect::Dialect;
use crate::json::Node;

/// Check a JSON answer: a `GenerateContentResponse`, or the JSON array a stream without
/// `alt=sse` is delivered as.
pub fn check_generate_content(
    value: &Value,
    _context: &RequestContext,
    findings: &mut Findings,
) -> (Option<Dialect>, Option<Assembled>) {
    let answer = Node::from_value(value);
    if let Node::Array(items) = &answer {
        let progress = stream::check_array(items, findings);
        return (Some(Dialect::Gemini), Some(progress.assembled));
    }
    if let Some(dialect) = answer::foreign(&answer) {
        findings.add_in(
            Rule::ResponseDialect,
            "",
            format!(
                "the answer is {} object, not a GenerateContentResponse: a Gemini client finds no `candidates`",
                dialect.with_article()
            ),
            Some(dialect),
        );
        return (Some(dialect), None);
    }
    if answer.get("error").is_some() {
        findings.add(
            Rule::ResponseType,
            "/error",
            "a 2xx answer holding an `error` object: clients read it as an answer with no candidates",
        );
        return (Some(Dialect::Gemini), None);
    }
    let mut progress = answer::Progress::default();
    answer::check(&answer, "", answer::Place::Body, 0, &mut progress, findings);
    if answer.as_object().is_some() && !progress.candidates && !progress.blocked {
        findings.add(
            Rule::ResponseMissingField,
            "/candidates",
            "no `candidates` and no `promptFeedback.blockReason`: the client gets no answer and no reason",
        );
    }
    // A whole answer is a finished one: every candidate says why it stopped.
    for index in progress.assembled.choices.keys() {
        if !progress.finished.contains_key(index) {
            findings.add(
                Rule::ResponseMissingField,
                "/candidates",
                format!("candidate {index} has no `finishReason`: a whole answer says why each candidate stopped"),
            );
        }
    }
    (Some(Dialect::Gemini), Some(progress.assembled))
}
