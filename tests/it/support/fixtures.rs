//! Small, realistic inputs for `check`: request bodies, event streams, HAR files and capture
//! documents, built as JSON so each test shows what it feeds the tool.

use serde_json::{Value, json};

/// A Chat Completions request that conforms (what the OpenAI SDKs send).
pub fn chat_body(model: &str) -> Value {
    json!({
        "model": model,
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Say hello."}
        ],
        "stream": true
    })
}

/// A Responses-API body as Cursor sends it for GPT-family names: breaks Chat Completions.
pub fn responses_body(model: &str) -> Value {
    json!({
        "model": model,
        "input": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}],
        "tools": [{"type": "function", "name": "read_file", "parameters": {"type": "object"}}],
        "store": false
    })
}

/// A conforming `chat.completion.chunk` stream saying "Hello", with its `[DONE]`: four events.
pub fn chat_stream(model: &str) -> String {
    let chunk = |delta: Value, finish: Value| {
        json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_780_000_000,
               "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    };
    let events = [
        chunk(json!({"role": "assistant", "content": ""}), Value::Null),
        chunk(json!({"content": "Hello"}), Value::Null),
        chunk(json!({}), json!("stop")),
    ];
    let mut text: String = events.iter().map(|e| format!("data: {e}\n\n")).collect();
    text.push_str("data: [DONE]\n\n");
    text
}

/// One HAR 1.2 entry: `POST /v1/chat/completions` with `body`, answered by `status` with
/// `content` of type `mime`.
pub fn har_entry(body: &Value, status: u16, mime: &str, content: &str) -> Value {
    json!({
        "startedDateTime": "2026-11-01T10:00:00.000Z",
        "time": 50.0,
        "request": {
            "method": "POST",
            "url": "https://gateway.example/v1/chat/completions",
            "httpVersion": "HTTP/2.0",
            "headers": [{"name": "content-type", "value": "application/json"}],
            "postData": {"mimeType": "application/json", "text": body.to_string()}
        },
        "response": {
            "status": status,
            "httpVersion": "HTTP/2.0",
            "headers": [{"name": "content-type", "value": mime}],
            "content": {"mimeType": mime, "text": content}
        },
        "timings": {"send": 1.0, "wait": 20.0, "receive": 29.0}
    })
}

/// A HAR document holding `entries`.
pub fn har(entries: Vec<Value>) -> Value {
    json!({"log": {"version": "1.2", "creator": {"name": "fixture", "version": "1"}, "entries": entries}})
}

/// A capture file (format v1) of a conforming streamed chat exchange, with a fixed id so
/// output that names it is the same on every run.
pub fn chat_capture(id: &str, model: &str) -> Value {
    json!({
        "format": "cursor-harness/capture",
        "version": 1,
        "id": id,
        "session": "fixture",
        "recorded_at": "2026-11-01T10:00:00.000Z",
        "provenance": {"kind": "synthesized", "source": "test fixture"},
        "model": model,
        "request": {
            "method": "POST",
            "target": "/v1/chat/completions",
            "http_version": "HTTP/1.1",
            "headers": [["content-type", "application/json"]],
            "body": {"json": chat_body(model)}
        },
        "response": {
            "status": 200,
            "http_version": "HTTP/1.1",
            "headers": [["content-type", "text/event-stream"]],
            "headers_at_ms": 12.5,
            "stream": [{"at_ms": 13.0, "text": chat_stream(model)}],
            "ended_at_ms": 14.25
        },
        "error": null
    })
}

/// Pretty JSON with a trailing newline, as the tool writes files.
pub fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap();
    text.push('\n');
    text
}
