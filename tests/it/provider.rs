//! The embedded gateway as a provider (`Mode::Provider`): each API at its own endpoint answers
//! in its own shape, streamed and not, with text or a tool call, and every answer conforms to
//! that endpoint's contract; a request the provider would refuse gets the provider's own error
//! envelope.

use bytes::Bytes;
use cursor_harness::capture::{
    Body, Chunk, Exchange, Provenance, ProvenanceKind, Request, Response,
};
use cursor_harness::check::check_exchange;
use cursor_harness::conformance::{Profile, Severity};
use cursor_harness::gateway::{Gateway, Mode};
use cursor_harness::http::Responder as _;
use http::Method;
use http_body_util::BodyExt as _;
use serde_json::{Value, json};

/// Ask the provider, and record the exchange as a capture would hold it.
async fn ask(target: &str, body: Value) -> Exchange {
    let gateway = Gateway::new(Mode::Provider);
    let bytes = serde_json::to_vec(&body).unwrap();
    let path = target.split('?').next().unwrap();
    let answer = gateway.respond(&Method::POST, path, &http::HeaderMap::new(), &bytes);
    let status = answer.status().as_u16();
    let content_type = answer
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let mut frames: Vec<Bytes> = Vec::new();
    let mut body_stream = answer.into_body();
    while let Some(frame) = body_stream.frame().await {
        if let Ok(data) = frame.unwrap().into_data() {
            frames.push(data);
        }
    }
    let streamed = content_type.starts_with("text/event-stream");
    let mut exchange = Exchange::new(
        "provider",
        Provenance {
            kind: ProvenanceKind::Synthesized,
            source: "tests/it/provider.rs".into(),
        },
        Request {
            method: "POST".into(),
            target: target.into(),
            http_version: "HTTP/1.1".into(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: Some(Body::from_bytes(&bytes)),
            omitted: None,
            encoding_mismatch: None,
        },
    );
    exchange.response = Some(Response {
        status,
        http_version: "HTTP/1.1".into(),
        headers: vec![("content-type".into(), content_type)],
        headers_at_ms: Some(1.0),
        body: (!streamed).then(|| Body::from_bytes(&frames.concat())),
        stream: streamed.then(|| {
            frames
                .iter()
                .enumerate()
                .map(|(i, f)| Chunk::new(Some(2.0 + i as f64), f))
                .collect()
        }),
        ended_at_ms: Some(50.0),
        omitted: None,
        encoding_mismatch: None,
    });
    exchange
}

fn errors(exchange: &Exchange) -> Vec<String> {
    let report = check_exchange(exchange, "provider".into(), Profile::Strict);
    report
        .violations()
        .filter(|v| v.severity == Severity::Error)
        .map(|v| format!("{} at {}: {}", v.code, v.path, v.message))
        .collect()
}

fn requests() -> Vec<(&'static str, Value)> {
    let tools_chat = json!([{"type": "function", "function": {"name": "read_file",
        "parameters": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}}}]);
    vec![
        (
            "/v1/chat/completions",
            json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}),
        ),
        (
            "/v1/chat/completions",
            json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "read a.ts"}],
            "tools": tools_chat, "stream": true, "stream_options": {"include_usage": true}}),
        ),
        ("/v1/responses", json!({"model": "gpt-5", "input": "hi"})),
        (
            "/v1/responses",
            json!({"model": "gpt-5", "input": [{"role": "user", "content": "read a.ts"}], "stream": true,
            "tools": [{"type": "function", "name": "read_file", "parameters": {"type": "object",
                "properties": {"path": {"type": "string"}}, "required": ["path"]}, "strict": true}]}),
        ),
        (
            "/v1/responses",
            json!({"model": "gpt-5", "input": "hi", "stream": true}),
        ),
        (
            "/v1/messages",
            json!({"model": "claude-sonnet-4-5", "max_tokens": 256, "system": "Be brief.",
            "messages": [{"role": "user", "content": "hi"}]}),
        ),
        (
            "/v1/messages",
            json!({"model": "claude-sonnet-4-5", "max_tokens": 256, "stream": true,
            "messages": [{"role": "user", "content": "read a.ts"}],
            "tools": [{"name": "read_file", "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}}]}),
        ),
        (
            "/v1/messages",
            json!({"model": "claude-sonnet-4-5", "max_tokens": 256, "stream": true,
            "messages": [{"role": "user", "content": "hi"}]}),
        ),
        (
            "/v1beta/models/gemini-2.5-pro:generateContent",
            json!({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}),
        ),
        (
            "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
            json!({"contents": [{"role": "user", "parts": [{"text": "hi there"}]}]}),
        ),
        (
            "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
            json!({"contents": [{"role": "user", "parts": [{"text": "read a.ts"}]}],
            "tools": [{"functionDeclarations": [{"name": "read_file", "parameters": {"type": "object",
                "properties": {"path": {"type": "string"}}, "required": ["path"]}}]}]}),
        ),
    ]
}

#[tokio::test]
async fn every_api_is_answered_in_its_own_shape_and_every_answer_conforms() {
    let mut failures = Vec::new();
    for (target, body) in requests() {
        let exchange = ask(target, body.clone()).await;
        let status = exchange.response.as_ref().unwrap().status;
        if status != 200 {
            failures.push(format!("{target} {body}: status {status}"));
            continue;
        }
        let found = errors(&exchange);
        if !found.is_empty() {
            failures.push(format!("{target} {body}:\n  {}", found.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[tokio::test]
async fn a_tool_offered_after_a_user_turn_is_called_in_each_apis_own_way() {
    for (target, body) in requests()
        .into_iter()
        .filter(|(_, b)| b.to_string().contains("read_file"))
    {
        let exchange = ask(target, body).await;
        let response = exchange.response.as_ref().unwrap();
        let text = String::from_utf8(
            response
                .stream_bytes()
                .unwrap_or_else(|| response.body.as_ref().unwrap().to_bytes().into_owned()),
        )
        .unwrap();
        let marker = match target {
            t if t.contains("chat") => "\"tool_calls\"",
            t if t.contains("responses") => "function_call",
            t if t.contains("messages") => "tool_use",
            _ => "functionCall",
        };
        assert!(
            text.contains(marker) && text.contains("read_file"),
            "{target}: {text}"
        );
    }
}

#[tokio::test]
async fn what_a_provider_refuses_is_refused_in_its_own_envelope() {
    let chat_body = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]});
    for (target, envelope) in [
        ("/v1/messages", "/error/type"),
        (
            "/v1beta/models/gemini-2.5-pro:generateContent",
            "/error/status",
        ),
        ("/v1/responses", "/error/param"),
    ] {
        let exchange = ask(target, chat_body.clone()).await;
        let response = exchange.response.as_ref().unwrap();
        assert_eq!(response.status, 400, "{target}");
        let error = response.body.as_ref().unwrap().json().unwrap().into_owned();
        assert!(error.pointer(envelope).is_some(), "{target}: {error}");
        // The refusal itself is in the provider's own envelope: nothing about the answer breaks.
        let report = check_exchange(&exchange, target.into(), Profile::Strict);
        let answer = report.response.as_ref().unwrap();
        let broken: Vec<_> = answer
            .violations
            .iter()
            .filter(|v| v.severity == Severity::Error)
            .collect();
        assert!(broken.is_empty(), "{target}: {broken:?}");
    }
    // Anthropic's required max_tokens, refused as Anthropic words it.
    let exchange = ask(
        "/v1/messages",
        json!({"model": "claude-sonnet-4-5", "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await;
    let error = exchange
        .response
        .as_ref()
        .unwrap()
        .body
        .as_ref()
        .unwrap()
        .json()
        .unwrap()
        .into_owned();
    assert_eq!(error["type"], "error");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("max_tokens"),
        "{error}"
    );
}
