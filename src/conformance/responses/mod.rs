//! The OpenAI Responses contract (`POST …/responses`): the request (`CreateResponse`: flat
//! tools, `input` items, `text.format`, `reasoning`), the `response` object, and the named
//! event stream from `response.created` to `response.completed`.
//!
//! - `request.rs`: the top-level fields; `items.rs`: `input` items and content parts;
//!   `tools.rs`: tools and `tool_choice`.
//! - `response.rs`: the `response` object and its output items.
//! - `stream.rs`: the event stream.

mod items;
mod request;
mod response;
mod stream;
mod tools;

use serde_json::Value;

use crate::assemble::Assembled;
use crate::conformance::context::RequestContext;
use crate::conformance::findings::Findings;
use crate::dialect::Dialect;

pub use request::check_request;
pub use stream::check_stream;

/// A non-streamed answer: a `response` object.
pub fn check_response_object(
    value: &Value,
    _context: &RequestContext,
    findings: &mut Findings,
) -> (Option<Dialect>, Option<Assembled>) {
    response::check_response_object(value, findings)
}
