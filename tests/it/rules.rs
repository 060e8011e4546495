//! One case per checker rule: a violating exchange that makes the checker report the rule's
//! code, and a conforming one, as close to it as possible, that does not. The examples are the
//! traps users hit with Cursor: the Responses hybrid body, the mixed Chat body, Anthropic bodies,
//! Responses SSE sent back, tool calls Cursor cannot read, broken stream framing.
//!
//! Cases drive the library (`check_exchange`), not the binary, so a failure names the rule.

use cursor_harness::capture::{
    Body, Chunk, Exchange, Provenance, ProvenanceKind, Request, Response,
};
use cursor_harness::check::{ExchangeReport, check_exchange};
use cursor_harness::conformance::rules::catalogue_markdown;
use cursor_harness::conformance::{Profile, Rule, Severity, Verdict, Violation};
use cursor_harness::dialect::Dialect;
use serde_json::{Value, json};

use crate::support;

// ---------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------

fn exchange(method: &str, target: &str, body: Option<Body>) -> Exchange {
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
    };
    Exchange::new("rules", provenance, request)
}

/// `POST /v1/chat/completions` with a JSON body, no answer yet.
fn chat_request(body: Value) -> Exchange {
    exchange("POST", "/v1/chat/completions", Some(Body::Json(body)))
}

/// `POST /v1/chat/completions` whose body is these exact bytes (e.g. JSON cut short).
fn raw_request(text: &str) -> Exchange {
    exchange(
        "POST",
        "/v1/chat/completions",
        Some(Body::Text(text.to_owned())),
    )
}

/// Cursor's Verify call.
fn models_request() -> Exchange {
    exchange("GET", "/v1/models", None)
}

trait Answered {
    fn answered(self, response: Response) -> Exchange;
}

impl Answered for Exchange {
    fn answered(mut self, response: Response) -> Exchange {
        self.response = Some(response);
        self
    }
}

fn response(
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
    }
}

fn json_response(status: u16, body: Value) -> Response {
    response(status, "application/json", Some(Body::Json(body)), None)
}

fn text_response(status: u16, content_type: &str, text: &str) -> Response {
    response(
        status,
        content_type,
        Some(Body::Text(text.to_owned())),
        None,
    )
}

/// An event stream; each item is one network chunk, exactly as it arrived.
fn stream_response<S: AsRef<str>>(chunks: &[S]) -> Response {
    let chunks = chunks
        .iter()
        .enumerate()
        .map(|(i, c)| Chunk::new(Some(10.0 + i as f64), c.as_ref().as_bytes()))
        .collect();
    response(200, "text/event-stream", None, Some(chunks))
}

/// `body` with the value at `pointer` replaced, or added (a new key, or one past the end of
/// an array).
fn set(mut body: Value, pointer: &str, value: Value) -> Value {
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
fn remove(mut body: Value, pointer: &str) -> Value {
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

// ---------------------------------------------------------------------------------------------
// Request bodies
// ---------------------------------------------------------------------------------------------

/// The smallest Chat Completions body.
fn hello() -> Value {
    json!({"model": "gpt-5.5", "messages": [{"role": "user", "content": "hi"}]})
}

fn streaming() -> Value {
    set(hello(), "/stream", json!(true))
}

fn read_file_parameters() -> Value {
    json!({"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]})
}

/// A correct Chat Completions body carrying what Cursor's agent needs: a function tool, the
/// ApplyPatch custom tool with its grammar, a finished tool round trip, streaming with usage.
fn cursor_chat() -> Value {
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
fn flat_apply_patch() -> Value {
    json!({"type": "custom", "name": "ApplyPatch", "description": "Apply a patch",
        "format": {"type": "grammar", "syntax": "lark", "definition": "start: begin_patch hunk end_patch"}})
}

/// What Cursor sends for GPT-5 models in Agent mode: a Responses request at /chat/completions
/// (`reference/cursor-formats.md` §2.1), the same conversation as [`cursor_chat`].
fn cursor_responses_hybrid() -> Value {
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

/// What Cursor sends for Claude-named models (`reference/cursor-formats.md` §2.3).
fn cursor_anthropic() -> Value {
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
fn legacy_function_round_trip(name: Option<&str>) -> Value {
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
fn tools(count: usize) -> Value {
    (0..count)
        .map(|i| json!({"type": "function", "function": {"name": format!("tool_{i}"), "parameters": {"type": "object"}}}))
        .collect()
}

/// A user turn, an assistant turn calling ReadFile, and its result.
fn tool_round_trip() -> Value {
    json!([
        {"role": "user", "content": "read a.ts"},
        {"role": "assistant", "content": null, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "ReadFile", "arguments": "{\"path\":\"a.ts\"}"}}
        ]},
        {"role": "tool", "tool_call_id": "call_1", "content": "export const a = 1;"}
    ])
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

const CREATED: u64 = 1_767_225_600;
const DONE: &str = "data: [DONE]\n\n";

fn completion(message: Value, finish_reason: &str) -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": CREATED, "model": "gpt-5.5",
        "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}
    })
}

fn hello_completion() -> Value {
    completion(
        json!({"role": "assistant", "content": "Hello", "refusal": null}),
        "stop",
    )
}

fn openai_error(status_type: &str, message: &str) -> Value {
    json!({"error": {"message": message, "type": status_type, "param": null, "code": null}})
}

/// One `data:` event carrying `data`, with its blank line.
fn event(data: &Value) -> String {
    format!("data: {data}\n\n")
}

/// A `chat.completion.chunk` with stream id `id` around `choices`.
fn chunk_with_id(id: &str, choices: Value) -> String {
    event(
        &json!({"id": id, "object": "chat.completion.chunk", "created": CREATED, "model": "gpt-5.5", "choices": choices}),
    )
}

fn chunk(choices: Value) -> String {
    chunk_with_id("chatcmpl-1", choices)
}

/// A chunk with one choice: this delta and this finish reason (`null` until the end).
fn delta(delta: Value, finish_reason: Value) -> String {
    chunk(json!([{"index": 0, "delta": delta, "finish_reason": finish_reason}]))
}

fn finish(reason: &str) -> String {
    delta(json!({}), json!(reason))
}

fn usage_chunk() -> String {
    chunk_with_usage(json!({"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}))
}

fn chunk_with_usage(usage: Value) -> String {
    event(
        &json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": CREATED, "model": "gpt-5.5", "choices": [], "usage": usage}),
    )
}

/// The stream Cursor renders (`reference/cursor-formats.md` §3.1), without the usage chunk.
fn text_stream() -> Vec<String> {
    vec![
        delta(json!({"role": "assistant", "content": ""}), Value::Null),
        delta(json!({"content": "Hello"}), Value::Null),
        finish("stop"),
        DONE.to_owned(),
    ]
}

/// The first fragment of tool call 0, as OpenAI sends it.
fn call_opening(name: &str) -> String {
    delta(
        json!({"role": "assistant", "tool_calls": [{"index": 0, "id": "call_9", "type": "function", "function": {"name": name, "arguments": ""}}]}),
        Value::Null,
    )
}

fn call_arguments(fragment: &str) -> String {
    delta(
        json!({"tool_calls": [{"index": 0, "function": {"arguments": fragment}}]}),
        Value::Null,
    )
}

/// A streamed tool call answering [`cursor_chat`]: opening, argument fragments, finish, usage.
fn tool_stream(opening: String, fragments: &[&str], finish_reason: &str) -> Vec<String> {
    let mut events = vec![opening];
    events.extend(fragments.iter().map(|f| call_arguments(f)));
    events.extend([finish(finish_reason), usage_chunk(), DONE.to_owned()]);
    events
}

const PATCH: &str = "*** Begin Patch\n*** Update File: src/a.ts\n@@\n-export const a = 1;\n+export const a = 2;\n*** End Patch";

/// Cursor's request answered by this stream.
fn agent_stream(events: Vec<String>) -> Exchange {
    chat_request(cursor_chat()).answered(stream_response(&events))
}

/// A plain streaming request answered by this stream.
fn plain_stream(events: Vec<String>) -> Exchange {
    chat_request(streaming()).answered(stream_response(&events))
}

/// What the Responses API streams back (`reference/schemas.md` §3.3).
fn responses_sse() -> Vec<String> {
    vec![
        "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"in_progress\",\"output\":[]}}\n\n".to_owned(),
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":1,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"Hello\"}\n\n".to_owned(),
        "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":2,\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"completed\"}}\n\n".to_owned(),
    ]
}

/// Anthropic's keep-alive event.
fn ping() -> String {
    "event: ping\ndata: {\"type\":\"ping\"}\n\n".to_owned()
}

fn anthropic_sse() -> Vec<String> {
    vec![
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"stop_reason\":null}}\n\n".to_owned(),
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n".to_owned(),
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n".to_owned(),
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n".to_owned(),
    ]
}

// ---------------------------------------------------------------------------------------------
// The cases
// ---------------------------------------------------------------------------------------------

struct Case {
    code: &'static str,
    /// What the violating example shows.
    trap: &'static str,
    /// Where the violation is reported (a JSON pointer, or `/stream/…`).
    at: &'static str,
    /// The API the offending field belongs to, when the checker should name one.
    owner: Option<Dialect>,
    breaks: Exchange,
    conforms: Exchange,
}

fn case(
    code: &'static str,
    trap: &'static str,
    at: &'static str,
    breaks: Exchange,
    conforms: Exchange,
) -> Case {
    Case {
        code,
        trap,
        at,
        owner: None,
        breaks,
        conforms,
    }
}

impl Case {
    fn owned_by(mut self, dialect: Dialect) -> Case {
        self.owner = Some(dialect);
        self
    }
}

fn cases() -> Vec<Case> {
    let mut all = request_cases();
    all.extend(response_cases());
    all.extend(stream_cases());
    all.extend(cursor_cases());
    all
}

fn request_cases() -> Vec<Case> {
    vec![
        case(
            "request.not-json",
            "a body cut short",
            "",
            raw_request(r#"{"model": "gpt-5.5", "messages": [{"role": "user", "#),
            chat_request(hello()),
        ),
        case(
            "request.not-json",
            "a JSON array instead of an object",
            "",
            chat_request(json!([hello()])),
            chat_request(hello()),
        ),
        case(
            "request.dialect",
            "Cursor's Responses hybrid: `input`, flat tools, custom grammar tool",
            "",
            chat_request(cursor_responses_hybrid()),
            chat_request(cursor_chat()),
        )
        .owned_by(Dialect::Responses),
        case(
            "request.dialect",
            "Cursor's Anthropic body: `system` array, `input_schema`, tool_use/tool_result",
            "",
            chat_request(cursor_anthropic()),
            chat_request(cursor_chat()),
        )
        .owned_by(Dialect::Anthropic),
        case(
            "request.dialect",
            "a Gemini generateContent body",
            "",
            chat_request(json!({"contents": [{"role": "user", "parts": [{"text": "hi"}]}], "generationConfig": {"temperature": 1}})),
            chat_request(set(hello(), "/temperature", json!(1))),
        )
        .owned_by(Dialect::Gemini),
        case(
            "request.legacy-completions",
            "a /v1/completions body",
            "/prompt",
            chat_request(json!({"model": "gpt-3.5-turbo-instruct", "prompt": "Say hi"})),
            chat_request(json!({"model": "gpt-3.5-turbo-instruct", "messages": [{"role": "user", "content": "Say hi"}]})),
        ),
        case(
            "request.missing-field",
            "no `model`",
            "/model",
            chat_request(remove(hello(), "/model")),
            chat_request(hello()),
        ),
        case(
            "request.missing-field",
            "a (deprecated) function message without the function's `name`",
            "/messages/2/name",
            chat_request(set(hello(), "/messages", legacy_function_round_trip(None))),
            chat_request(set(hello(), "/messages", legacy_function_round_trip(Some("ReadFile")))),
        ),
        case(
            "request.missing-field",
            "a tool message without `tool_call_id`",
            "/messages/2/tool_call_id",
            chat_request(set(hello(), "/messages", remove(tool_round_trip(), "/2/tool_call_id"))),
            chat_request(set(hello(), "/messages", tool_round_trip())),
        ),
        case(
            "request.unknown-field",
            "a vLLM sampling extension",
            "/repetition_penalty",
            chat_request(set(hello(), "/repetition_penalty", json!(1.1))),
            chat_request(set(hello(), "/frequency_penalty", json!(0.5))),
        ),
        case(
            "request.unknown-field",
            "the Responses `include` in a Chat body",
            "/include",
            chat_request(set(cursor_chat(), "/include", json!(["reasoning.encrypted_content"]))),
            chat_request(cursor_chat()),
        )
        .owned_by(Dialect::Responses),
        case(
            "request.nested-unknown-field",
            "an Anthropic `cache_control` marker on a message",
            "/messages/0/cache_control",
            chat_request(set(hello(), "/messages/0/cache_control", json!({"type": "ephemeral"}))),
            chat_request(hello()),
        )
        .owned_by(Dialect::Anthropic),
        case(
            "request.nested-unknown-field",
            "Anthropic's `cache_control` on an image part; OpenAI's marker is `prompt_cache_breakpoint`",
            "/messages/0/content/0/cache_control",
            chat_request(set(hello(), "/messages/0/content", json!([
                {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}, "cache_control": {"type": "ephemeral"}}]))),
            chat_request(set(hello(), "/messages/0/content", json!([
                {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}, "prompt_cache_breakpoint": {"mode": "explicit"}}]))),
        )
        .owned_by(Dialect::Anthropic),
        case(
            "request.type",
            "`stream` as a string",
            "/stream",
            chat_request(set(hello(), "/stream", json!("true"))),
            chat_request(set(hello(), "/stream", json!(true))),
        ),
        case(
            "request.type",
            "`messages: null` (required, so a null cannot stand for \"omitted\")",
            "/messages",
            chat_request(set(hello(), "/messages", Value::Null)),
            chat_request(hello()),
        ),
        case(
            "request.type",
            "`tool_calls` as an object; a null there is `request.null`, not a type error",
            "/messages/1/tool_calls",
            chat_request(set(hello(), "/messages/1", json!({"role": "assistant", "content": "Hello", "tool_calls": {}}))),
            chat_request(set(hello(), "/messages/1", json!({"role": "assistant", "content": "Hello", "tool_calls": null}))),
        ),
        case(
            "request.enum",
            "a reasoning effort the spec does not list",
            "/reasoning_effort",
            chat_request(set(hello(), "/reasoning_effort", json!("extreme"))),
            chat_request(set(hello(), "/reasoning_effort", json!("xhigh"))),
        ),
        case(
            "request.range",
            "temperature above 2",
            "/temperature",
            chat_request(set(hello(), "/temperature", json!(2.5))),
            chat_request(set(hello(), "/temperature", json!(2))),
        ),
        case(
            "request.range",
            "129 tools; OpenAI takes at most 128",
            "/tools",
            chat_request(set(hello(), "/tools", tools(129))),
            chat_request(set(hello(), "/tools", tools(128))),
        ),
        case(
            "request.empty-array",
            "no messages",
            "/messages",
            chat_request(set(hello(), "/messages", json!([]))),
            chat_request(hello()),
        ),
        case(
            "request.empty-array",
            "an empty `stop` list",
            "/stop",
            chat_request(set(hello(), "/stop", json!([]))),
            chat_request(set(hello(), "/stop", json!(["\n\n"]))),
        ),
        case(
            "request.empty-array",
            "`tools: []` (OpenAI: \"[] is too short - 'tools'\")",
            "/tools",
            chat_request(set(cursor_chat(), "/tools", json!([]))),
            chat_request(cursor_chat()),
        ),
        case(
            "request.empty-array",
            "an assistant turn sent back with `tool_calls: []`",
            "/messages/1/tool_calls",
            chat_request(set(hello(), "/messages/1", json!({"role": "assistant", "content": "Hello", "tool_calls": []}))),
            chat_request(set(hello(), "/messages/1", json!({"role": "assistant", "content": "Hello"}))),
        ),
        case(
            "request.null",
            "`parallel_tool_calls: null` (the spec does not allow null there)",
            "/parallel_tool_calls",
            chat_request(set(cursor_chat(), "/parallel_tool_calls", Value::Null)),
            chat_request(set(cursor_chat(), "/parallel_tool_calls", json!(true))),
        ),
        case(
            "request.null",
            "`tool_calls: null` on an assistant turn (openai-python allows None there)",
            "/messages/1/tool_calls",
            chat_request(set(hello(), "/messages/1", json!({"role": "assistant", "content": "Hello", "tool_calls": null}))),
            chat_request(set(hello(), "/messages/1", json!({"role": "assistant", "content": "Hello"}))),
        ),
        case(
            "request.null",
            "`name: null` on a message",
            "/messages/0/name",
            chat_request(set(hello(), "/messages/0/name", Value::Null)),
            chat_request(set(hello(), "/messages/0/name", json!("ada"))),
        ),
        case(
            "request.deprecated",
            "`max_tokens`",
            "/max_tokens",
            chat_request(set(hello(), "/max_tokens", json!(100))),
            chat_request(set(hello(), "/max_completion_tokens", json!(100))),
        ),
        case(
            "request.role",
            "Gemini's `model` role",
            "/messages/1/role",
            chat_request(set(hello(), "/messages/1", json!({"role": "model", "content": "hello"}))),
            chat_request(set(hello(), "/messages/1", json!({"role": "assistant", "content": "hello"}))),
        )
        .owned_by(Dialect::Gemini),
        case(
            "request.assistant-empty-content",
            "the mixed Chat body's assistant tool-call turn with `content: []`",
            "/messages/2/content",
            chat_request(set(cursor_chat(), "/messages/2/content", json!([]))),
            chat_request(cursor_chat()),
        ),
        case(
            "request.content-part",
            "a Responses `input_text` part in a Chat message",
            "/messages/1/content/0/type",
            chat_request(set(cursor_chat(), "/messages/1/content/0/type", json!("input_text"))),
            chat_request(cursor_chat()),
        )
        .owned_by(Dialect::Responses),
        case(
            "request.content-part",
            "an Anthropic `tool_use` block in an assistant message",
            "/messages/2/content/0/type",
            chat_request(set(cursor_chat(), "/messages/2/content", json!([{"type": "tool_use", "id": "call_1", "name": "ReadFile", "input": {"path": "src/a.ts"}}]))),
            chat_request(set(cursor_chat(), "/messages/2/content", json!([{"type": "text", "text": "Reading the file."}]))),
        )
        .owned_by(Dialect::Anthropic),
        case(
            "request.content-part",
            "an image part in a system message",
            "/messages/0/content/0/type",
            chat_request(json!({"model": "gpt-5.5", "messages": [
                {"role": "system", "content": [{"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]},
                {"role": "user", "content": "hi"}]})),
            chat_request(json!({"model": "gpt-5.5", "messages": [
                {"role": "system", "content": "be brief"},
                {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]}]})),
        ),
        case(
            "request.tool-call",
            "tool-call arguments as an object, not JSON text",
            "/messages/1/tool_calls/0/function/arguments",
            chat_request(set(hello(), "/messages", set(tool_round_trip(), "/1/tool_calls/0/function/arguments", json!({"path": "a.ts"})))),
            chat_request(set(hello(), "/messages", tool_round_trip())),
        ),
        case(
            "request.tool-call",
            "a tool call with an empty function name",
            "/messages/1/tool_calls/0/function/name",
            chat_request(set(hello(), "/messages", set(tool_round_trip(), "/1/tool_calls/0/function/name", json!("")))),
            chat_request(set(hello(), "/messages", tool_round_trip())),
        ),
        case(
            "request.tool-call",
            "a tool call without `id`",
            "/messages/1/tool_calls/0/id",
            chat_request(set(hello(), "/messages", remove(tool_round_trip(), "/1/tool_calls/0/id"))),
            chat_request(set(hello(), "/messages", tool_round_trip())),
        ),
        case(
            "request.tool-result-order",
            "a tool result that answers no call",
            "/messages/2/tool_call_id",
            chat_request(set(hello(), "/messages", set(tool_round_trip(), "/2/tool_call_id", json!("call_2")))),
            chat_request(set(hello(), "/messages", tool_round_trip())),
        ),
        case(
            "request.tool-result-order",
            "a tool call nobody answers",
            "/messages/1/tool_calls",
            chat_request(set(hello(), "/messages", set(tool_round_trip(), "/2", json!({"role": "user", "content": "go on"})))),
            chat_request(set(hello(), "/messages", tool_round_trip())),
        ),
        case(
            "request.tool-definition",
            "the mixed Chat body's flat `custom` ApplyPatch tool",
            "/tools/1/custom",
            chat_request(set(cursor_chat(), "/tools/1", flat_apply_patch())),
            chat_request(cursor_chat()),
        )
        .owned_by(Dialect::Responses),
        case(
            "request.tool-definition",
            "a flat Responses function tool",
            "/tools/0/function",
            chat_request(set(cursor_chat(), "/tools/0", json!({"type": "function", "name": "ReadFile", "parameters": read_file_parameters()}))),
            chat_request(cursor_chat()),
        )
        .owned_by(Dialect::Responses),
        case(
            "request.tool-definition",
            "an Anthropic tool with `input_schema`",
            "/tools/0",
            chat_request(set(cursor_chat(), "/tools/0", json!({"name": "ReadFile", "input_schema": read_file_parameters()}))),
            chat_request(cursor_chat()),
        )
        .owned_by(Dialect::Anthropic),
        case(
            "request.tool-choice",
            "Anthropic's `{type: auto}` tool choice",
            "/tool_choice",
            chat_request(set(cursor_chat(), "/tool_choice", json!({"type": "auto"}))),
            chat_request(set(cursor_chat(), "/tool_choice", json!("auto"))),
        )
        .owned_by(Dialect::Anthropic),
        case(
            "request.tool-choice",
            "allowed_tools without the list of tools it allows",
            "/tool_choice/allowed_tools/tools",
            chat_request(set(cursor_chat(), "/tool_choice", json!({"type": "allowed_tools", "allowed_tools": {"mode": "auto"}}))),
            chat_request(set(cursor_chat(), "/tool_choice", json!({"type": "allowed_tools",
                "allowed_tools": {"mode": "auto", "tools": [{"type": "function", "function": {"name": "ReadFile"}}]}}))),
        ),
        case(
            "request.tool-choice",
            "a named tool that is not offered",
            "/tool_choice/function/name",
            chat_request(set(cursor_chat(), "/tool_choice", json!({"type": "function", "function": {"name": "WriteFile"}}))),
            chat_request(set(cursor_chat(), "/tool_choice", json!({"type": "function", "function": {"name": "ReadFile"}}))),
        ),
        case(
            "request.response-format",
            "a json_schema format without a name",
            "/response_format/json_schema/name",
            chat_request(set(hello(), "/response_format", json!({"type": "json_schema", "json_schema": {"schema": {"type": "object"}}}))),
            chat_request(set(hello(), "/response_format", json!({"type": "json_schema", "json_schema": {"name": "answer", "schema": {"type": "object"}}}))),
        ),
        case(
            "request.response-format",
            "the flat Responses `text.format` shape",
            "/response_format",
            chat_request(set(hello(), "/response_format", json!({"type": "json_schema", "name": "answer", "schema": {"type": "object"}}))),
            chat_request(set(hello(), "/response_format", json!({"type": "json_schema", "json_schema": {"name": "answer", "schema": {"type": "object"}}}))),
        )
        .owned_by(Dialect::Responses),
        case(
            "request.stream-options",
            "`stream_options` without `stream: true`",
            "/stream_options",
            chat_request(set(hello(), "/stream_options", json!({"include_usage": true}))),
            chat_request(set(streaming(), "/stream_options", json!({"include_usage": true}))),
        ),
    ]
}

fn response_cases() -> Vec<Case> {
    let answered = |response| chat_request(hello()).answered(response);
    vec![
        case(
            "response.not-json",
            "an HTML page with status 200",
            "",
            answered(text_response(200, "text/html", "<html><body>Bad gateway</body></html>")),
            answered(json_response(200, hello_completion())),
        ),
        case(
            "response.missing-field",
            "a completion without `created`",
            "/created",
            answered(json_response(200, remove(hello_completion(), "/created"))),
            answered(json_response(200, hello_completion())),
        ),
        case(
            "response.missing-nullable",
            "a choice without `logprobs`",
            "/choices/0/logprobs",
            answered(json_response(200, remove(hello_completion(), "/choices/0/logprobs"))),
            answered(json_response(200, hello_completion())),
        ),
        case(
            "response.type",
            "Anthropic's `end_turn` as the finish reason",
            "/choices/0/finish_reason",
            answered(json_response(200, set(hello_completion(), "/choices/0/finish_reason", json!("end_turn")))),
            answered(json_response(200, hello_completion())),
        ),
        case(
            "response.error-envelope",
            "an OpenAI error without `param` and `code`",
            "/error/param",
            answered(json_response(400, json!({"error": {"message": "bad model", "type": "invalid_request_error"}}))),
            answered(json_response(400, openai_error("invalid_request_error", "bad model"))),
        ),
        case(
            "response.error-envelope",
            "Anthropic's error shape",
            "",
            answered(json_response(529, json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}))),
            answered(json_response(529, openai_error("server_error", "Overloaded"))),
        )
        .owned_by(Dialect::Anthropic),
        case(
            "response.error-status",
            "a 429, even a well-formed one",
            "",
            answered(json_response(429, openai_error("rate_limit_exceeded", "Rate limit reached"))),
            answered(json_response(200, hello_completion())),
        ),
        case(
            "response.stream-mismatch",
            "a JSON completion for `stream: true`",
            "",
            chat_request(streaming()).answered(json_response(200, hello_completion())),
            chat_request(streaming()).answered(stream_response(&text_stream())),
        ),
        case(
            "response.stream-mismatch",
            "an event stream for a request that did not ask for one",
            "",
            chat_request(hello()).answered(stream_response(&text_stream())),
            chat_request(hello()).answered(json_response(200, hello_completion())),
        ),
        case(
            "response.models-list",
            "a models list without `object: list` and model objects",
            "/object",
            models_request().answered(json_response(200, json!({"data": [{"id": "gpt-5.5"}]}))),
            models_request().answered(json_response(200, json!({"object": "list",
                "data": [{"id": "gpt-5.5", "object": "model", "created": CREATED, "owned_by": "gateway"}]}))),
        ),
    ]
}

fn stream_cases() -> Vec<Case> {
    let body = |data: &str| format!("data: {data}\n\n");
    let hello_chunk = json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": CREATED, "model": "gpt-5.5",
        "choices": [{"index": 0, "delta": {"content": "Hello"}, "finish_reason": null}]});
    let mut with_usage_request = streaming();
    with_usage_request = set(
        with_usage_request,
        "/stream_options",
        json!({"include_usage": true}),
    );
    let with_usage = |events: Vec<String>| {
        chat_request(with_usage_request.clone()).answered(stream_response(&events))
    };
    vec![
        case(
            "stream.framing",
            "a chunk without its `data:` prefix",
            "/stream/chunk/1",
            plain_stream(vec![text_stream()[0].clone(), format!("{hello_chunk}\n\n"), finish("stop"), DONE.to_owned()]),
            plain_stream(vec![text_stream()[0].clone(), body(&hello_chunk.to_string()), finish("stop"), DONE.to_owned()]),
        ),
        case(
            "stream.not-json",
            "two events without a blank line between them",
            "/stream/1",
            plain_stream(vec![
                text_stream()[0].clone(),
                format!("data: {hello_chunk}\ndata: {hello_chunk}\n\n"),
                finish("stop"),
                DONE.to_owned(),
            ]),
            plain_stream(vec![
                text_stream()[0].clone(),
                format!("data: {hello_chunk}\n\ndata: {hello_chunk}\n\n"),
                finish("stop"),
                DONE.to_owned(),
            ]),
        ),
        case(
            "stream.not-json",
            "a named keep-alive event without data (use an SSE comment instead)",
            "/stream/0",
            plain_stream([vec!["event: keepalive\n\n".to_owned()], text_stream()].concat()),
            plain_stream([vec![": keepalive\n\n".to_owned()], text_stream()].concat()),
        ),
        case(
            "stream.unterminated-event",
            "the last event without its blank line",
            "/stream/3",
            plain_stream(vec![
                text_stream()[0].clone(),
                text_stream()[1].clone(),
                text_stream()[2].clone(),
                "data: [DONE]".to_owned(),
            ]),
            plain_stream(text_stream()),
        ),
        case(
            "stream.no-done",
            "a stream that ends without `data: [DONE]`",
            "/stream",
            plain_stream(text_stream()[..3].to_vec()),
            plain_stream(text_stream()),
        ),
        case(
            "stream.no-done",
            "no terminator at all; a `[DONE]` without its blank line is `stream.unterminated-event` only",
            "/stream",
            plain_stream(text_stream()[..3].to_vec()),
            plain_stream([text_stream()[..3].to_vec(), vec!["data: [DONE]".to_owned()]].concat()),
        ),
        case(
            "stream.after-done",
            "a chunk after `[DONE]`",
            "/stream/4",
            plain_stream([text_stream(), vec![finish("stop")]].concat()),
            plain_stream(text_stream()),
        ),
        case(
            "stream.after-done",
            "a last, unterminated event after `[DONE]`",
            "/stream/4",
            plain_stream([text_stream(), vec![event(&json!({"x": 1})).trim_end().to_owned()]].concat()),
            plain_stream(text_stream()),
        ),
        case(
            "stream.event-name",
            "`event: message` lines on Chat chunks",
            "/stream/0",
            plain_stream(text_stream().iter().map(|e| format!("event: message\n{e}")).collect()),
            plain_stream(text_stream()),
        ),
        case(
            "stream.empty",
            "only keep-alive comments",
            "/stream",
            plain_stream(vec![": keep-alive\n\n".to_owned(), ": keep-alive\n\n".to_owned()]),
            plain_stream([vec![": keep-alive\n\n".to_owned()], text_stream()].concat()),
        ),
        case(
            "stream.chunk-shape",
            "`object: chat.completion` on a chunk",
            "/stream/1/object",
            plain_stream(vec![
                text_stream()[0].clone(),
                body(&set(hello_chunk.clone(), "/object", json!("chat.completion")).to_string()),
                finish("stop"),
                DONE.to_owned(),
            ]),
            plain_stream(vec![text_stream()[0].clone(), body(&hello_chunk.to_string()), finish("stop"), DONE.to_owned()]),
        ),
        case(
            "stream.missing-finish-key",
            "choices without `finish_reason` until the end",
            "/stream/1/choices/0/finish_reason",
            plain_stream(vec![
                text_stream()[0].clone(),
                body(&remove(hello_chunk.clone(), "/choices/0/finish_reason").to_string()),
                finish("stop"),
                DONE.to_owned(),
            ]),
            plain_stream(vec![text_stream()[0].clone(), body(&hello_chunk.to_string()), finish("stop"), DONE.to_owned()]),
        ),
        case(
            "stream.consistency",
            "`id` changing between chunks",
            "/stream/1/id",
            plain_stream(vec![
                text_stream()[0].clone(),
                chunk_with_id("chatcmpl-2", json!([{"index": 0, "delta": {"content": "Hello"}, "finish_reason": null}])),
                finish("stop"),
                DONE.to_owned(),
            ]),
            plain_stream(text_stream()),
        ),
        case(
            "stream.finish-reason",
            "`finish_reason` set twice",
            "/stream/3/choices/0/finish_reason",
            plain_stream(vec![text_stream()[0].clone(), text_stream()[1].clone(), finish("stop"), finish("stop"), DONE.to_owned()]),
            plain_stream(text_stream()),
        ),
        case(
            "stream.finish-reason",
            "Anthropic's `end_turn`",
            "/stream/2/choices/0/finish_reason",
            plain_stream(vec![text_stream()[0].clone(), text_stream()[1].clone(), finish("end_turn"), DONE.to_owned()]),
            plain_stream(text_stream()),
        ),
        case(
            "stream.finish-reason",
            "a stream that never finishes its choice",
            "/stream",
            plain_stream(vec![text_stream()[0].clone(), text_stream()[1].clone(), DONE.to_owned()]),
            plain_stream(text_stream()),
        ),
        case(
            "stream.tool-call-delta",
            "a tool-call fragment without `index`",
            "/stream/1/choices/0/delta/tool_calls/0/index",
            agent_stream(tool_stream(call_opening("ReadFile"), &[], "tool_calls").into_iter().enumerate()
                .map(|(i, e)| if i == 1 { delta(json!({"tool_calls": [{"function": {"arguments": "{\"path\":\"a.ts\"}"}}]}), Value::Null) } else { e })
                .collect()),
            agent_stream(tool_stream(call_opening("ReadFile"), &["{\"path\":\"a.ts\"}"], "tool_calls")),
        ),
        case(
            "stream.tool-arguments",
            "argument fragments that do not join into JSON",
            "/stream/0/choices/0/delta/tool_calls",
            agent_stream(tool_stream(call_opening("ReadFile"), &["{\"path\":", "\"a.ts\""], "tool_calls")),
            agent_stream(tool_stream(call_opening("ReadFile"), &["{\"path\":", "\"a.ts\"}"], "tool_calls")),
        ),
        case(
            "stream.tool-arguments",
            "raw text as a function call's arguments; a `custom` call's raw input is not JSON",
            "/stream/0/choices/0/delta/tool_calls",
            plain_stream(vec![
                delta(json!({"role": "assistant", "tool_calls": [{"index": 0, "id": "call_9", "type": "function", "function": {"name": "Patch", "arguments": PATCH}}]}), Value::Null),
                finish("tool_calls"),
                DONE.to_owned(),
            ]),
            plain_stream(vec![
                delta(json!({"role": "assistant", "tool_calls": [{"index": 0, "id": "call_9", "type": "custom", "custom": {"name": "Patch", "input": PATCH}}]}), Value::Null),
                finish("tool_calls"),
                DONE.to_owned(),
            ]),
        ),
        case(
            "stream.usage",
            "no usage chunk though `include_usage` was asked",
            "/stream",
            with_usage(text_stream()),
            with_usage(vec![text_stream()[0].clone(), text_stream()[1].clone(), text_stream()[2].clone(), usage_chunk(), DONE.to_owned()]),
        ),
        case(
            "stream.usage",
            "usage counts that are not integers",
            "/stream/3/usage/total_tokens",
            with_usage(vec![text_stream()[0].clone(), text_stream()[1].clone(), text_stream()[2].clone(),
                chunk_with_usage(json!({"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": "15"})), DONE.to_owned()]),
            with_usage(vec![text_stream()[0].clone(), text_stream()[1].clone(), text_stream()[2].clone(), usage_chunk(), DONE.to_owned()]),
        ),
        case(
            "stream.error-event",
            "an error object in the middle of the stream",
            "/stream/1",
            plain_stream(vec![text_stream()[0].clone(), event(&json!({"error": {"message": "upstream overloaded", "type": "server_error"}})), DONE.to_owned()]),
            plain_stream(text_stream()),
        ),
        case(
            "stream.error-event",
            "an `event: error`",
            "/stream/1",
            plain_stream(vec![text_stream()[0].clone(), "event: error\ndata: {\"message\":\"overloaded\"}\n\n".to_owned(), DONE.to_owned()]),
            plain_stream(text_stream()),
        ),
        case(
            "stream.extension",
            "a `citations` field on a chunk",
            "/stream/1/citations",
            plain_stream(vec![
                text_stream()[0].clone(),
                body(&set(hello_chunk.clone(), "/citations", json!(["https://example.com"])).to_string()),
                finish("stop"),
                DONE.to_owned(),
            ]),
            plain_stream(vec![text_stream()[0].clone(), body(&hello_chunk.to_string()), finish("stop"), DONE.to_owned()]),
        ),
    ]
}

fn cursor_cases() -> Vec<Case> {
    let patch_call =
        |arguments: &str| tool_stream(call_opening("ApplyPatch"), &[arguments], "tool_calls");
    vec![
        case(
            "cursor.foreign-stream",
            "Responses-API SSE sent back",
            "/stream",
            chat_request(cursor_responses_hybrid()).answered(stream_response(&responses_sse())),
            chat_request(cursor_responses_hybrid()).answered(stream_response(&text_stream())),
        )
        .owned_by(Dialect::Responses),
        case(
            "cursor.foreign-stream",
            "Anthropic SSE starting with a ping; one stray ping in a Chat stream is not Anthropic",
            "/stream",
            chat_request(cursor_anthropic()).answered(stream_response(&[vec![ping()], anthropic_sse()].concat())),
            chat_request(cursor_anthropic()).answered(stream_response(&[vec![ping()], text_stream()].concat())),
        )
        .owned_by(Dialect::Anthropic),
        case(
            "cursor.foreign-stream",
            "Anthropic SSE sent back",
            "/stream",
            chat_request(cursor_anthropic()).answered(stream_response(&anthropic_sse())),
            chat_request(cursor_anthropic()).answered(stream_response(&text_stream())),
        )
        .owned_by(Dialect::Anthropic),
        case(
            "cursor.foreign-response",
            "a Responses object as the JSON answer",
            "",
            chat_request(hello()).answered(json_response(200, json!({"id": "resp_1", "object": "response", "status": "completed",
                "output": [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hello"}]}]}))),
            chat_request(hello()).answered(json_response(200, hello_completion())),
        )
        .owned_by(Dialect::Responses),
        case(
            "cursor.tool-call-name",
            "a tool call whose first delta has no `function.name`",
            "/stream/0/choices/0/delta/tool_calls",
            agent_stream(tool_stream(
                delta(json!({"role": "assistant", "tool_calls": [{"index": 0, "id": "call_9", "type": "function", "function": {"arguments": ""}}]}), Value::Null),
                &["{\"path\":\"a.ts\"}"],
                "tool_calls",
            )),
            agent_stream(tool_stream(call_opening("ReadFile"), &["{\"path\":\"a.ts\"}"], "tool_calls")),
        ),
        case(
            "cursor.tool-call-type",
            "ApplyPatch as a `custom` tool call",
            "/stream/0/choices/0/delta/tool_calls",
            agent_stream(vec![
                delta(json!({"role": "assistant", "tool_calls": [{"index": 0, "id": "call_9", "type": "custom", "custom": {"name": "ApplyPatch", "input": PATCH}}]}), Value::Null),
                finish("tool_calls"),
                usage_chunk(),
                DONE.to_owned(),
            ]),
            agent_stream(patch_call(PATCH)),
        ),
        case(
            "cursor.apply-patch-wrapped",
            "ApplyPatch arguments wrapped as {\"input\": …}",
            "/stream/0/choices/0/delta/tool_calls",
            agent_stream(patch_call(&json!({"input": PATCH}).to_string())),
            agent_stream(patch_call(PATCH)),
        ),
        case(
            "cursor.apply-patch-wrapped",
            "ApplyPatch arguments as `{}` (the grammar was lost)",
            "/stream/0/choices/0/delta/tool_calls",
            agent_stream(patch_call("{}")),
            agent_stream(patch_call(PATCH)),
        ),
        case(
            "cursor.apply-patch-text",
            "a unified diff instead of a Begin Patch envelope",
            "/stream/0/choices/0/delta/tool_calls",
            agent_stream(patch_call("--- a/src/a.ts\n+++ b/src/a.ts\n@@\n-export const a = 1;\n+export const a = 2;\n")),
            agent_stream(patch_call(PATCH)),
        ),
        case(
            "cursor.finish-tool-calls",
            "tool calls finished with `stop`",
            "/stream",
            agent_stream(tool_stream(call_opening("ReadFile"), &["{\"path\":\"a.ts\"}"], "stop")),
            agent_stream(tool_stream(call_opening("ReadFile"), &["{\"path\":\"a.ts\"}"], "tool_calls")),
        ),
        case(
            "cursor.reasoning-hidden",
            "reasoning in `delta.reasoning_content`",
            "/stream/1/choices/0/delta/reasoning_content",
            plain_stream(vec![
                text_stream()[0].clone(),
                delta(json!({"reasoning_content": "Thinking about a greeting."}), Value::Null),
                text_stream()[1].clone(),
                finish("stop"),
                DONE.to_owned(),
            ]),
            plain_stream(vec![
                text_stream()[0].clone(),
                delta(json!({"content": "<think>Thinking about a greeting.</think>"}), Value::Null),
                text_stream()[1].clone(),
                finish("stop"),
                DONE.to_owned(),
            ]),
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Running them
// ---------------------------------------------------------------------------------------------

fn check(exchange: &Exchange, profile: Profile) -> ExchangeReport {
    check_exchange(exchange, "case".into(), profile)
}

fn with_code<'a>(report: &'a ExchangeReport, code: &str) -> Vec<&'a Violation> {
    report.violations().filter(|v| v.code == code).collect()
}

fn describe(report: &ExchangeReport) -> String {
    report
        .violations()
        .map(|v| {
            format!(
                "  {} {} at '{}': {}",
                v.severity.as_str(),
                v.code,
                v.path,
                v.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_rule_in_the_catalogue_has_a_case() {
    let cases = cases();
    let missing: Vec<&str> = Rule::ALL
        .iter()
        .map(|rule| rule.code())
        .filter(|code| !cases.iter().any(|c| c.code == *code))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a case in tests/it/rules.rs (add a violating and a conforming example): {missing:?}"
    );
    for case in &cases {
        assert!(
            Rule::from_code(case.code).is_some(),
            "case '{}' names {}, which is not in the catalogue",
            case.trap,
            case.code
        );
    }
}

#[test]
fn each_violating_example_reports_its_rule_where_and_as_severe_as_the_catalogue_says() {
    let mut failures = Vec::new();
    for case in cases() {
        let rule = Rule::from_code(case.code).expect("a catalogued code");
        for profile in [Profile::Strict, Profile::Lenient] {
            let report = check(&case.breaks, profile);
            let found = with_code(&report, case.code);
            let label = format!("{} ({}, {})", case.code, case.trap, profile.as_str());
            let Some(hit) = found.iter().find(|v| v.path == case.at) else {
                failures.push(format!(
                    "{label}: expected a violation at '{}'; got:\n{}",
                    case.at,
                    describe(&report)
                ));
                continue;
            };
            if hit.severity != rule.severity(profile) {
                failures.push(format!(
                    "{label}: severity {} but the catalogue says {}",
                    hit.severity.as_str(),
                    rule.severity(profile).as_str()
                ));
            }
            if case.owner.is_some() && hit.dialect != case.owner {
                failures.push(format!(
                    "{label}: names dialect {:?}, expected {:?}",
                    hit.dialect, case.owner
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn each_conforming_example_does_not_report_the_rule() {
    let mut failures = Vec::new();
    for case in cases() {
        for profile in [Profile::Strict, Profile::Lenient] {
            let report = check(&case.conforms, profile);
            if !with_code(&report, case.code).is_empty() {
                failures.push(format!(
                    "{} ({}, {}): the conforming example reports it:\n{}",
                    case.code,
                    case.trap,
                    profile.as_str(),
                    describe(&report)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The baselines the cases are built from must be clean, or a case's conforming example could
/// hide a false positive of another rule.
#[test]
fn what_openai_and_cursor_accept_reports_nothing() {
    let clean = [
        ("the smallest Chat body", chat_request(hello())),
        ("Cursor's agent request as correct Chat", chat_request(cursor_chat())),
        (
            "a text completion",
            chat_request(hello()).answered(json_response(200, hello_completion())),
        ),
        (
            "the stream Cursor renders, with its usage chunk",
            agent_stream(vec![
                text_stream()[0].clone(),
                text_stream()[1].clone(),
                finish("stop"),
                usage_chunk(),
                DONE.to_owned(),
            ]),
        ),
        (
            "a streamed function call",
            agent_stream(tool_stream(call_opening("ReadFile"), &["{\"path\":", "\"a.ts\"}"], "tool_calls")),
        ),
        ("ApplyPatch with raw patch text", agent_stream(tool_stream(call_opening("ApplyPatch"), &[PATCH], "tool_calls"))),
        (
            "the models list",
            models_request().answered(json_response(200, json!({"object": "list",
                "data": [{"id": "gpt-5.5", "object": "model", "created": CREATED, "owned_by": "gateway"}]}))),
        ),
    ];
    let mut failures = Vec::new();
    for (what, exchange) in &clean {
        let report = check(exchange, Profile::Strict);
        if report.violations().next().is_some() {
            failures.push(format!("{what}:\n{}", describe(&report)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn lenient_tolerates_what_gateways_commonly_accept_but_never_a_foreign_dialect() {
    let verdicts = |exchange: &Exchange, profile| {
        let report = check(exchange, profile);
        (
            report.request.as_ref().map(|r| r.verdict),
            report.response.as_ref().map(|r| r.verdict),
        )
    };
    let extension = chat_request(set(hello(), "/repetition_penalty", json!(1.1)));
    assert_eq!(
        verdicts(&extension, Profile::Strict).0,
        Some(Verdict::Breaks)
    );
    assert_eq!(
        verdicts(&extension, Profile::Lenient).0,
        Some(Verdict::Conforms)
    );
    assert_eq!(
        Rule::RequestUnknownField.severity(Profile::Strict),
        Severity::Error
    );
    assert_eq!(
        Rule::RequestUnknownField.severity(Profile::Lenient),
        Severity::Warning
    );

    let no_finish_key = plain_stream(vec![
        delta(json!({"role": "assistant", "content": ""}), Value::Null),
        chunk(json!([{"index": 0, "delta": {"content": "Hello"}}])),
        finish("stop"),
        DONE.to_owned(),
    ]);
    assert_eq!(
        verdicts(&no_finish_key, Profile::Strict).1,
        Some(Verdict::Breaks)
    );
    assert_eq!(
        verdicts(&no_finish_key, Profile::Lenient).1,
        Some(Verdict::Conforms)
    );

    let hybrid = chat_request(cursor_responses_hybrid());
    for profile in [Profile::Strict, Profile::Lenient] {
        assert_eq!(
            verdicts(&hybrid, profile).0,
            Some(Verdict::Breaks),
            "{profile:?}"
        );
        assert_eq!(Rule::RequestDialect.severity(profile), Severity::Error);
    }
}

#[test]
fn docs_rules_md_is_the_generated_catalogue() {
    let path = support::project_path("docs/rules.md");
    let generated = catalogue_markdown();
    let problem = match std::fs::read_to_string(&path) {
        Err(err) => format!("cannot be read ({err})"),
        Ok(on_disk) if on_disk == generated => return,
        Ok(on_disk) => match on_disk
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
        {
            Some(line) => format!("differs from the rule catalogue from line {}", line + 1),
            None => "differs from the rule catalogue at its end".to_owned(),
        },
    };
    panic!(
        "{} {problem}. Regenerate it with:\n\n    cargo run -- rules --format md > docs/rules.md\n",
        path.display()
    );
}
