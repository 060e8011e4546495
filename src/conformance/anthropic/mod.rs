//! The Anthropic Messages contract (`POST …/messages`): the request (`MessageCreateParams`),
//! the `message` answer and the named-event stream, from Anthropic's Messages and streaming
//! references and the official Python SDK's types (`anthropic` 2.17.0, `src/anthropic/types`).
//! The SDK's fixtures in `tests/fixtures/sdk/native/anthropic/` conform to it.
//!
//! - `request.rs`: the top-level fields; `messages.rs`: roles and the tool_use/tool_result
//!   pairing; `blocks.rs`: each request content block; `tools.rs`: tools and `tool_choice`;
//!   `thinking.rs`: the thinking configuration; `shapes.rs`: what they all report alike.
//! - `response.rs`: the JSON answer; `output.rs`: the message object and its blocks, streamed
//!   or not.
//! - `stream.rs`: event names, errors, the end of the stream; `lifecycle.rs`: the order of the
//!   message and content-block events and what each carries.
//! - `assemble.rs`: the message a client ends up with; `spec.rs`: the API's names.

mod assemble;
mod blocks;
mod lifecycle;
mod messages;
mod output;
mod request;
mod response;
mod shapes;
mod spec;
mod stream;
mod thinking;
mod tools;

use serde_json::Value;

use crate::assemble::Assembled;
use crate::conformance::context::RequestContext;
use crate::conformance::events::StreamOutcome;
use crate::conformance::findings::Findings;
use crate::dialect::{Classification, Dialect};

/// Check a request body sent to a Messages endpoint.
pub fn check_request(body: &Value, classification: &Classification, findings: &mut Findings) {
    request::check_request(body, classification, findings);
}

/// Check a 2xx event stream answering a Messages request.
pub fn check_stream(
    chunks: &[&[u8]],
    context: &RequestContext,
    findings: &mut Findings,
) -> StreamOutcome {
    stream::check_stream(chunks, context, findings)
}

/// Check a 2xx JSON answer to a Messages request.
pub fn check_message(
    value: &Value,
    _context: &RequestContext,
    findings: &mut Findings,
) -> (Option<Dialect>, Option<Assembled>) {
    response::check_message(value, findings)
}
