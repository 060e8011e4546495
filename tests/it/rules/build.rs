//! Builders for the rule cases: exchanges, responses and streams, JSON edits, and the bodies
//! the cases start from (a correct Chat body, and what Cursor actually sends).

use cursor_harness::capture::{
    Body, Chunk, Exchange, Provenance, ProvenanceKind, Request, Response,
};
use serde_json::{Value, json};

pub(super) fn exchange(method: &str, target: &str, body: Option<Body>) -> Exchange {
    let provenance = Provenance {
        kind: ProvenanceKind::Synthesized,
        source: "tests/it/rules.rs".to_owned(),
    };
    let request = Request {
        method: method.to_owned(),
        target: target.to_owned(),
        http_version: "HTTP/1.1".to_owned(),
        headers: vec![("content-type".to_owned(), "application/json".to_owned())],
        body,
        omitted: None,
        encoding_mismatch: None,
    };
    Exchange::new("rules", provenance, request)
}

/// `POST /v1/chat/completions` with a JSON body, no answer yet.
pub(super) fn chat_request(body: Value) -> Exchange {
    exchange("POST", "/v1/chat/completions", Some(Body::Json(body)))
}

/// `POST /v1/chat/completions` whose body is these exact bytes (e.g. JSON cut short).
pub(super) fn raw_request(text: &str) -> Exchange {
    exchange(
        "POST",
        "/v1/chat/completions",
        Some(Body::Text(text.to_owned())),
    )
}

/// Cursor's Verify call.
pub(super) fn models_request() -> Exchange {
    exchange("GET", "/v1/models", None)
}

pub(super) trait Answered {
    fn answered(self, response: Response) -> Exchange;
}

impl Answered for Exchange {
    fn answered(mut self, response: Response) -> Exchange {
        self.response = Some(response);
        self
    }
}

pub(super) fn response(
    status: u16,
    content_type: &str,
    body: Option<Body>,
    stream: Option<Vec<Chunk>>,
) -> Response {
    Response {
        status,
        http_version: "HTTP/1.1".to_owned(),
        headers: vec![("content-type".to_owned(), content_type.to_owned())],
        headers_at_ms: Some(5.0),
        body,
        stream,
        ended_at_ms: Some(50.0),
        omitted: None,
        encoding_mismatch: None,
    }
}

pub(super) fn json_response(status: u16, body: Value) -> Response {
    response(status, "application/json", Some(Body::Json(body)), None)
}

pub(super) fn text_response(status: u16, content_type: &str, text: &str) -> Response {
    response(
        status,
        content_type,
        Some(Body::Text(text.to_owned())),
        None,
    )
}

/// An event stream; each item is one network chunk, exactly as it arrived.
pub(super) fn stream_response<S: AsRef<str>>(chunks: &[S]) -> Response {
    let chunks = chunks
        .iter()
        .enumerate()
        .map(|(i, c)| Chunk::new(Some(10.0 + i as f64), c.as_ref().as_bytes()))
        .collect();
    response(200, "text/event-stream", None, Some(chunks))
}

/// `body` with the value at `pointer` replaced, or added (a new key, or one past the end of
/// an array).
pub(super) fn set(mut body: Value, pointer: &str, value: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
    match body.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.insert(key.to_owned(), value);
        }
        Some(Value::Array(items)) => match key.parse::<usize>().expect("an index") {
            at if at == items.len() => items.push(value),
            at => items[at] = value,
        },
        _ => panic!("{pointer}: no object or array at {parent}"),
    }
    body
}

/// `body` without the key at `pointer`.
pub(super) fn remove(mut body: Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
    match body.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.remove(key)
                .unwrap_or_else(|| panic!("nothing at {pointer}"));
        }
        _ => panic!("{pointer}: no object at {parent}"),
    }
    body
}

// Request bodies.

/// The smallest Chat Completions body.
pub(super) fn hello() -> Value {
    json!({"model": "gpt-5.5", "messages": [{"role": "user", "content": "hi"}]})
}

pub(super) fn streaming() -> Value {
    set(hello(), "/stream", json!(true))
}

pub(super) fn read_file_parameters() -> Value {
    json!({"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]})
}

/// A correct Chat Completions body carrying what Cursor's agent needs: a function tool, the
/// ApplyPatch custom tool with its grammar, a finished tool round trip, streaming with usage.
pub(super) fn cursor_chat() -> Value {
    json!({
        "model": "gpt-5.5",
        "messages": [
            {"role": "developer", "content": "You are a coding agent."},
            {"role": "user", "content": [{"type": "text", "text": "fix the bug"}]},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "ReadFile", "arguments": "{\"path\":\"src/a.ts\"}"}}
            ]},
            {"role": "tool", "tool_call_id": "call_1", "content": "export const a = 1;"}
        ],
        "tools": [
            {"type": "function", "function": {"name": "ReadFile", "description": "Read a file", "parameters": read_file_parameters()}},
            {"type": "custom", "custom": {"name": "ApplyPatch", "description": "Apply a patch",
                "format": {"type": "grammar", "grammar": {"syntax": "lark", "definition": "start: begin_patch hunk end_patch"}}}}
        ],
        "tool_choice": "auto",
        "reasoning_effort": "medium",
        "verbosity": "low",
        "store": false,
        "stream": true,
        "stream_options": {"include_usage": true}
    })
}

/// The flat, Responses-style ApplyPatch definition Cursor puts in its tools.
pub(super) fn flat_apply_patch() -> Value {
    json!({"type": "custom", "name": "ApplyPatch", "description": "Apply a patch",
        "format": {"type": "grammar", "syntax": "lark", "definition": "start: begin_patch hunk end_patch"}})
}

/// Cursor's mixed Chat body (`docs/evidence.md` §2.2): [`cursor_chat`] with the
/// flat ApplyPatch tool and `content: []` on the assistant tool-call turn.
pub(super) fn cursor_mixed_chat() -> Value {
    let body = set(cursor_chat(), "/tools/1", flat_apply_patch());
    set(body, "/messages/2/content", json!([]))
}

/// What Cursor sends for GPT-5 models in Agent mode: a Responses request at /chat/completions
/// (`docs/evidence.md` §2.1), the same conversation as [`cursor_chat`].
pub(super) fn cursor_responses_hybrid() -> Value {
    json!({
        "model": "gpt-5.5",
        "input": [
            {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "You are a coding agent."}]},
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "fix the bug"}]},
            {"type": "function_call", "call_id": "call_1", "name": "ReadFile", "arguments": "{\"path\":\"src/a.ts\"}"},
            {"type": "function_call_output", "call_id": "call_1", "output": "export const a = 1;"}
        ],
        "tools": [
            {"type": "function", "name": "ReadFile", "description": "Read a file", "parameters": read_file_parameters()},
            flat_apply_patch()
        ],
        "tool_choice": "auto",
        "reasoning": {"effort": "medium", "summary": "auto"},
        "include": ["reasoning.encrypted_content"],
        "text": {"verbosity": "low"},
        "store": false,
        "stream": true,
        "stream_options": {"include_usage": true}
    })
}

/// What Cursor sends for Claude-named models (`docs/evidence.md` §2.3).
pub(super) fn cursor_anthropic() -> Value {
    json!({
        "model": "claude-sonnet-4-5",
        "system": [{"type": "text", "text": "You are a coding agent.", "cache_control": {"type": "ephemeral"}}],
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "fix the bug"}]},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "ReadFile", "input": {"path": "src/a.ts"}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "export const a = 1;"}]}
        ],
        "tools": [{"name": "ReadFile", "description": "Read a file", "input_schema": read_file_parameters()}],
        "tool_choice": {"type": "auto"},
        "max_tokens": 8192,
        "stream": true,
        "stream_options": {"include_usage": true}
    })
}

/// The deprecated `functions` round trip: an assistant `function_call`, then a `function`
/// message answering it (named, unless `name` is `None`).
pub(super) fn legacy_function_round_trip(name: Option<&str>) -> Value {
    let mut answer = json!({"role": "function", "content": "export const a = 1;"});
    if let Some(name) = name {
        answer = set(answer, "/name", json!(name));
    }
    json!([
        {"role": "user", "content": "read a.ts"},
        {"role": "assistant", "content": null, "function_call": {"name": "ReadFile", "arguments": "{\"path\":\"a.ts\"}"}},
        answer
    ])
}

/// `count` function tools named `tool_0`, `tool_1`, …
pub(super) fn tools(count: usize) -> Value {
    (0..count)
        .map(|i| json!({"type": "function", "function": {"name": format!("tool_{i}"), "parameters": {"type": "object"}}}))
        .collect()
}

/// A user turn, an assistant turn calling ReadFile, and its result.
pub(super) fn tool_round_trip() -> Value {
    json!([
        {"role": "user", "content": "read a.ts"},
        {"role": "assistant", "content": null, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "ReadFile", "arguments": "{\"path\":\"a.ts\"}"}}
        ]},
        {"role": "tool", "tool_call_id": "call_1", "content": "export const a = 1;"}
    ])
}

// Responses and streams.

pub(super) const CREATED: u64 = 1_767_225_600;
pub(super) const DONE: &str = "data: [DONE]\n\n";

pub(super) fn completion(message: Value, finish_reason: &str) -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": CREATED, "model": "gpt-5.5",
        "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}
    })
}

pub(super) fn hello_completion() -> Value {
    completion(
        json!({"role": "assistant", "content": "Hello", "refusal": null}),
        "stop",
    )
}

pub(super) fn openai_error(status_type: &str, message: &str) -> Value {
    json!({"error": {"message": message, "type": status_type, "param": null, "code": null}})
}

/// One `data:` event carrying `data`, with its blank line.
pub(super) fn event(data: &Value) -> String {
    format!("data: {data}\n\n")
}

/// A `chat.completion.chunk` with stream id `id` around `choices`.
pub(super) fn chunk_with_id(id: &str, choices: Value) -> String {
    event(
        &json!({"id": id, "object": "chat.completion.chunk", "created": CREATED, "model": "gpt-5.5", "choices": choices}),
    )
}

pub(super) fn chunk(choices: Value) -> String {
    chunk_with_id("chatcmpl-1", choices)
}

/// A chunk with one choice: this delta and this finish reason (`null` until the end).
pub(super) fn delta(delta: Value, finish_reason: Value) -> String {
    chunk(json!([{"index": 0, "delta": delta, "finish_reason": finish_reason}]))
}

pub(super) fn finish(reason: &str) -> String {
    delta(json!({}), json!(reason))
}

pub(super) fn usage_chunk() -> String {
    chunk_with_usage(json!({"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}))
}

pub(super) fn chunk_with_usage(usage: Value) -> String {
    event(
        &json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": CREATED, "model": "gpt-5.5", "choices": [], "usage": usage}),
    )
}

/// The stream Cursor renders (`docs/evidence.md` §3.1), without the usage chunk.
pub(super) fn text_stream() -> Vec<String> {
    vec![
        delta(json!({"role": "assistant", "content": ""}), Value::Null),
        delta(json!({"content": "Hello"}), Value::Null),
        finish("stop"),
        DONE.to_owned(),
    ]
}

/// The first fragment of tool call 0, as OpenAI sends it.
pub(super) fn call_opening(name: &str) -> String {
    delta(
        json!({"role": "assistant", "tool_calls": [{"index": 0, "id": "call_9", "type": "function", "function": {"name": name, "arguments": ""}}]}),
        Value::Null,
    )
}

pub(super) fn call_arguments(fragment: &str) -> String {
    delta(
        json!({"tool_calls": [{"index": 0, "function": {"arguments": fragment}}]}),
        Value::Null,
    )
}

/// A streamed tool call answering [`cursor_chat`]: opening, argument fragments, finish, usage.
pub(super) fn tool_stream(opening: String, fragments: &[&str], finish_reason: &str) -> Vec<String> {
    let mut events = vec![opening];
    events.extend(fragments.iter().map(|f| call_arguments(f)));
    events.extend([finish(finish_reason), usage_chunk(), DONE.to_owned()]);
    events
}

pub(super) const PATCH: &str = "*** Begin Patch\n*** Update File: src/a.ts\n@@\n-export const a = 1;\n+export const a = 2;\n*** End Patch";

/// Cursor's request answered by this stream.
pub(super) fn agent_stream(events: Vec<String>) -> Exchange {
    chat_request(cursor_chat()).answered(stream_response(&events))
}

/// A plain streaming request answered by this stream.
pub(super) fn plain_stream(events: Vec<String>) -> Exchange {
    chat_request(streaming()).answered(stream_response(&events))
}

/// What the Responses API streams back (OpenAI's Responses streaming events).
pub(super) fn responses_sse() -> Vec<String> {
    vec![
        "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"in_progress\",\"output\":[]}}\n\n".to_owned(),
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":1,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"Hello\"}\n\n".to_owned(),
        "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":2,\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"completed\"}}\n\n".to_owned(),
    ]
}

/// Anthropic's keep-alive event.
pub(super) fn ping() -> String {
    "event: ping\ndata: {\"type\":\"ping\"}\n\n".to_owned()
}

pub(super) fn anthropic_sse() -> Vec<String> {
    vec![
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"stop_reason\":null}}\n\n".to_owned(),
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n".to_owned(),
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n".to_owned(),
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n".to_owned(),
    ]
}
