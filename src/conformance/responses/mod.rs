//! The OpenAI Responses contract (`POST …/responses`).

use serde_json::Value;

use crate::assemble::Assembled;
use crate::conformance::context::RequestContext;
use crate::conformance::events::{self, StreamOutcome};
use crate::conformance::findings::Findings;
use crate::dialect::{Classification, Dialect};

pub fn check_request(_body: &Value, _classification: &Classification, _findings: &mut Findings) {}

pub fn check_stream(
    chunks: &[&[u8]],
    _context: &RequestContext,
    findings: &mut Findings,
) -> StreamOutcome {
    let _ = events::parse(chunks, findings);
    StreamOutcome {
        dialect: Some(Dialect::Responses),
        ..StreamOutcome::default()
    }
}

pub fn check_response_object(
    _value: &Value,
    _context: &RequestContext,
    _findings: &mut Findings,
) -> (Option<Dialect>, Option<Assembled>) {
    (Some(Dialect::Responses), None)
}
