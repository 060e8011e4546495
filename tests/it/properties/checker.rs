//! The classifier and the request, response and stream checkers never panic, whatever the
//! JSON or the stream.

use cursor_harness::capture::Contract;
use cursor_harness::capture::{Body, Chunk, Exchange, ProvenanceKind, Request, Response};
use cursor_harness::check::check_exchange;
use cursor_harness::conformance::{self, Profile, RequestContext};
use cursor_harness::dialect;
use proptest::prelude::*;
use serde_json::Value;

use super::{config, cut, json_value, provenance};

fn request_for(body: &Value, models: bool) -> Request {
    Request {
        method: if models { "GET" } else { "POST" }.to_owned(),
        target: if models {
            "/v1/models"
        } else {
            "/v1/chat/completions"
        }
        .to_owned(),
        http_version: "HTTP/1.1".to_owned(),
        headers: vec![("content-type".to_owned(), "application/json".to_owned())],
        body: Some(Body::from_bytes(&serde_json::to_vec(body).unwrap())),
        omitted: None,
        encoding_mismatch: None,
    }
}

proptest! {
    #![proptest_config(config(192))]

    #[test]
    fn the_classifier_and_request_checker_never_panic_on_any_json(body in json_value(), anthropic in any::<bool>()) {
        let headers = if anthropic {
            vec![("anthropic-version".to_owned(), "2023-06-01".to_owned())]
        } else {
            Vec::new()
        };
        let classification = dialect::classify(&body, &headers);
        prop_assert!(!classification.foreign.contains(&classification.dialect));
        let contracts = Contract::ALL.map(Some).into_iter().chain([None]);
        for (profile, contract) in [Profile::Strict, Profile::Lenient].into_iter().flat_map(|p| contracts.clone().map(move |c| (p, c))) {
            for violation in conformance::check_request(&body, &classification, contract, profile) {
                prop_assert!(violation.path.is_empty() || violation.path.starts_with('/'), "{:?}", violation);
            }
        }
    }

    #[test]
    fn the_response_and_stream_checker_never_panic_on_any_answer(
        request in json_value(),
        events in prop::collection::vec(json_value(), 0..6),
        done in any::<bool>(),
        points in prop::collection::vec(any::<usize>(), 0..6),
        status in prop::sample::select(vec![200u16, 201, 400, 401, 429, 500, 0, 999]),
        stream in any::<bool>(),
        models in any::<bool>(),
    ) {
        let mut bytes = Vec::new();
        for event in &events {
            bytes.extend_from_slice(format!("data: {event}\n\n").as_bytes());
        }
        if done {
            bytes.extend_from_slice(b"data: [DONE]\n\n");
        }
        let (body, chunks) = if stream {
            (None, Some(cut(&bytes, &points).iter().enumerate().map(|(i, c)| Chunk::new(Some(i as f64), c)).collect()))
        } else {
            let first = events.first().map(|e| serde_json::to_vec(e).unwrap()).unwrap_or_default();
            ((!first.is_empty()).then(|| Body::from_bytes(&first)), None)
        };
        let content_type = if stream { "text/event-stream" } else { "application/json" };
        let response = Response {
            status,
            http_version: "HTTP/1.1".to_owned(),
            headers: vec![("content-type".to_owned(), content_type.to_owned())],
            headers_at_ms: Some(1.0),
            body,
            stream: chunks,
            ended_at_ms: Some(2.0),
            omitted: None,
            encoding_mismatch: None,
        };
        let http_request = request_for(&request, models);
        for contract in Contract::ALL.map(Some).into_iter().chain([None]) {
            let context = RequestContext::from_body(&request, contract, http_request.path());
            for profile in [Profile::Strict, Profile::Lenient] {
                let checked = conformance::check_response(&response, &context, profile);
                for violation in &checked.violations {
                    prop_assert!(violation.path.is_empty() || violation.path.starts_with('/'), "{:?}", violation);
                }
            }
        }
        // And the whole pipeline `check` runs on one exchange.
        let mut exchange = Exchange::new("p", provenance(ProvenanceKind::Synthesized), http_request);
        exchange.response = Some(response);
        let report = check_exchange(&exchange, "p.json".to_owned(), Profile::Strict);
        prop_assert!(report.error.is_none());
    }
}

/// Pieces of Anthropic streams: each event type, with indices and delta types that may or may
/// not fit, named or not.
fn anthropic_event() -> impl Strategy<Value = String> {
    let index = 0usize..4;
    let block = prop::sample::select(vec![
        "text",
        "thinking",
        "tool_use",
        "redacted_thinking",
        "image",
    ]);
    let delta = prop::sample::select(vec![
        ("text_delta", "text"),
        ("input_json_delta", "partial_json"),
        ("thinking_delta", "thinking"),
        ("signature_delta", "signature"),
        ("citations_delta", "citation"),
        ("other_delta", "text"),
    ]);
    let fragment = prop::sample::select(vec!["", "{", "\"a\": 1}", "[1]", "x"]);
    let data = prop_oneof![
        Just(serde_json::json!({"type": "message_start", "message": {"id": "m", "type": "message", "role": "assistant", "content": [], "model": "c", "stop_reason": null, "usage": {"input_tokens": 1, "output_tokens": 1}}})),
        Just(serde_json::json!({"type": "message_start"})),
        (index.clone(), block).prop_map(|(i, b)| serde_json::json!({"type": "content_block_start", "index": i, "content_block": {"type": b, "id": "t", "name": "f", "input": {}, "text": ""}})),
        (index.clone(), delta, fragment).prop_map(|(i, (d, field), f)| serde_json::json!({"type": "content_block_delta", "index": i, "delta": {"type": d, field: f}})),
        index.prop_map(|i| serde_json::json!({"type": "content_block_stop", "index": i})),
        prop::sample::select(vec!["end_turn", "tool_use", "stop"]).prop_map(|r| serde_json::json!({"type": "message_delta", "delta": {"stop_reason": r}, "usage": {"output_tokens": 2}})),
        Just(serde_json::json!({"type": "message_stop"})),
        Just(serde_json::json!({"type": "ping"})),
        Just(serde_json::json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})),
        Just(serde_json::json!({"type": "content_block_delta", "index": -1, "delta": 3})),
    ];
    (data, any::<bool>()).prop_map(|(data, named)| {
        let name = data["type"].as_str().unwrap_or("x").to_owned();
        if named {
            format!("event: {name}\ndata: {data}\n\n")
        } else {
            format!("data: {data}\n\n")
        }
    })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn the_anthropic_stream_checker_never_panics_on_any_event_order(
        events in prop::collection::vec(anthropic_event(), 0..24),
        points in prop::collection::vec(any::<usize>(), 0..6),
    ) {
        let bytes = events.concat().into_bytes();
        let response = Response {
            status: 200,
            http_version: "HTTP/1.1".to_owned(),
            headers: vec![("content-type".to_owned(), "text/event-stream".to_owned())],
            headers_at_ms: Some(1.0),
            body: None,
            stream: Some(cut(&bytes, &points).iter().enumerate().map(|(i, c)| Chunk::new(Some(i as f64), c)).collect()),
            ended_at_ms: Some(2.0),
            omitted: None,
            encoding_mismatch: None,
        };
        let context = RequestContext::from_body(&serde_json::json!({"stream": true}), Some(Contract::AnthropicMessages), "/v1/messages");
        for profile in [Profile::Strict, Profile::Lenient] {
            let checked = conformance::check_response(&response, &context, profile);
            for violation in &checked.violations {
                prop_assert!(violation.path.starts_with("/stream"), "{:?}", violation);
            }
            prop_assert!(checked.assembled.is_some());
        }
    }
}
