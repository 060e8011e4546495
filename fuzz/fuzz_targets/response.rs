//! The response and stream checker on arbitrary answers: it never panics, and its verdict holds
//! together with what it assembled.
//!
//! Input: `FLAGS STATUS_HI STATUS_LO REQUEST-JSON \0 CHUNK \0 CHUNK ...`. JSON text never holds
//! a raw NUL, so the first NUL ends the request body; the rest is the answer cut into chunks at
//! each NUL. FLAGS: bit 0 the answer is `text/event-stream`, bit 1 it is recorded as stream
//! chunks (else as one body), bit 2 the request is `GET /v1/models`, bit 3 the lenient profile,
//! bits 4 and 5 the endpoint of a POST (Chat Completions, Responses, Anthropic Messages, Gemini
//! streaming), so every contract's checker sees every answer.
//! `fuzz/seed.py` writes the golden captures in this shape.

#![no_main]

use cursor_harness::capture::{Body, Chunk, Request, Response};
use cursor_harness::conformance::{self, Profile, RequestContext, ResponseKind};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|input: &[u8]| {
    let [flags, hi, lo, rest @ ..] = input else {
        return;
    };
    let mut parts = rest.split(|&b| b == 0);
    let request_bytes = parts.next().unwrap_or_default();
    let chunks: Vec<&[u8]> = parts.collect();

    let models = flags & 4 != 0;
    let request = Request {
        method: if models { "GET" } else { "POST" }.to_owned(),
        target: if models {
            "/v1/models"
        } else {
            match (flags >> 4) & 3 {
                0 => "/v1/chat/completions",
                1 => "/v1/responses",
                2 => "/v1/messages",
                _ => "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
            }
        }
        .to_owned(),
        http_version: "HTTP/1.1".to_owned(),
        headers: Vec::new(),
        body: (!request_bytes.is_empty()).then(|| Body::from_bytes(request_bytes)),
        omitted: None,
        encoding_mismatch: None,
    };
    let context = serde_json::from_slice::<Value>(request_bytes)
        .map(|body| RequestContext::from_body(&body, request.contract(), request.path()))
        .unwrap_or_else(|_| RequestContext::without_body(request.contract(), request.path()));
    let content_type = if flags & 1 != 0 {
        "text/event-stream; charset=utf-8"
    } else {
        "application/json"
    };
    let (body, stream) = if flags & 2 != 0 {
        let timed = chunks
            .iter()
            .enumerate()
            .map(|(i, bytes)| Chunk::new(Some(i as f64), bytes))
            .collect();
        (None, Some(timed))
    } else if chunks.is_empty() {
        (None, None)
    } else {
        (Some(Body::from_bytes(&chunks.concat())), None)
    };
    let response = Response {
        status: u16::from_be_bytes([*hi, *lo]),
        http_version: "HTTP/1.1".to_owned(),
        headers: vec![("content-type".to_owned(), content_type.to_owned())],
        headers_at_ms: Some(0.0),
        body,
        stream,
        ended_at_ms: None,
        omitted: None,
        encoding_mismatch: None,
    };
    let profile = if flags & 8 != 0 {
        Profile::Lenient
    } else {
        Profile::Strict
    };
    let checked = conformance::check_response(&response, &context, profile);
    for violation in &checked.violations {
        assert!(
            violation.path.is_empty() || violation.path.starts_with('/'),
            "violation path {:?} is not a JSON pointer",
            violation.path
        );
    }
    if checked.kind == ResponseKind::Stream {
        assert!(
            checked.assembled.is_some(),
            "a checked stream assembles a message"
        );
        if let (Some(first), Some(chunks)) = (checked.first_content_chunk, &response.stream) {
            assert!(
                first < chunks.len().max(1),
                "first content chunk {first} does not exist"
            );
        }
    }
    let _ = cursor_harness::timing::Timing::of(&response, checked.first_content_chunk);
});
