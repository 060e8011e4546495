//! Anthropic Messages cases: bodies sent to `/v1/messages`, the `message` answer and the named
//! event stream, each judged by the Anthropic contract. The baselines are what the official
//! SDK sends and parses (`tests/fixtures/sdk/native/anthropic/`); each case breaks one thing
//! and the conforming example is the baseline or the nearest correct form.
//!
//! The builders are here; the request cases in `request.rs`, the answer and stream cases (and
//! what a client assembles from them) in `answer.rs`.

use cursor_harness::capture::{Body, Exchange};
use serde_json::{Value, json};

use super::Case;
use super::build::{Answered, exchange, json_response, stream_response};

mod answer;
mod request;

pub(super) fn cases() -> Vec<Case> {
    let mut all = request::cases();
    all.extend(answer::response_cases());
    all.extend(answer::stream_cases());
    all
}

/// `POST /v1/messages` with this body, no answer yet.
pub(super) fn messages_request(body: Value) -> Exchange {
    exchange("POST", "/v1/messages", Some(Body::Json(body)))
}

/// What `messages.create` sends for a tool round trip: a system text block with
/// `cache_control`, a client tool, `tool_choice: auto`, an assistant text + `tool_use` turn and
/// the user's `tool_result`.
pub(super) fn tool_history() -> Value {
    json!({
        "model": "claude-sonnet-4-5",
        "max_tokens": 1024,
        "system": [{"type": "text", "text": "Use tools when they help.", "cache_control": {"type": "ephemeral"}}],
        "messages": [
            {"role": "user", "content": "What is the weather in Paris?"},
            {"role": "assistant", "content": [
                {"type": "text", "text": "I'll check."},
                {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}
            ]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "18°C, cloudy"}]}
        ],
        "tools": [{"name": "get_weather", "description": "Current weather for a city.",
            "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}],
        "tool_choice": {"type": "auto"}
    })
}

/// What `messages.stream` sends with extended thinking.
pub(super) fn thinking_stream_body() -> Value {
    json!({
        "model": "claude-sonnet-4-5",
        "max_tokens": 4096,
        "system": "Use tools when they help.",
        "messages": [{"role": "user", "content": "What is the weather in Paris?"}],
        "tools": [{"name": "get_weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}],
        "thinking": {"type": "enabled", "budget_tokens": 2048},
        "stream": true
    })
}

/// The non-streamed answer.
pub(super) fn message() -> Value {
    json!({
        "id": "msg_1", "type": "message", "role": "assistant",
        "content": [{"type": "text", "text": "It is 18°C and cloudy in Paris."}],
        "model": "claude-sonnet-4-5-20250929",
        "stop_reason": "end_turn", "stop_sequence": null,
        "usage": {"input_tokens": 689, "output_tokens": 17}
    })
}

/// One named event.
pub(super) fn named(name: &str, data: &Value) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

/// An event named after its own `type`.
pub(super) fn ev(data: Value) -> String {
    let name = data["type"].as_str().expect("an event type").to_owned();
    named(&name, &data)
}

pub(super) fn block_start(index: usize, block: Value) -> String {
    ev(json!({"type": "content_block_start", "index": index, "content_block": block}))
}

pub(super) fn block_delta(index: usize, delta: Value) -> String {
    ev(json!({"type": "content_block_delta", "index": index, "delta": delta}))
}

pub(super) fn block_stop(index: usize) -> String {
    ev(json!({"type": "content_block_stop", "index": index}))
}

pub(super) fn message_delta(stop_reason: Value) -> String {
    ev(
        json!({"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": null},
        "usage": {"output_tokens": 121}}),
    )
}

pub(super) fn json_delta(fragment: &str) -> Value {
    json!({"type": "input_json_delta", "partial_json": fragment})
}

/// The stream the SDK reads for [`thinking_stream_body`]: a thinking block (with a ping in
/// it), a text block and a `tool_use` block, then `message_delta` and `message_stop`.
/// Events 0…15.
pub(super) fn thinking_stream() -> Vec<String> {
    vec![
        ev(
            json!({"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant",
            "content": [], "model": "claude-sonnet-4-5-20250929", "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": 758, "output_tokens": 4}}}),
        ),
        block_start(
            0,
            json!({"type": "thinking", "thinking": "", "signature": ""}),
        ),
        named("ping", &json!({"type": "ping"})),
        block_delta(
            0,
            json!({"type": "thinking_delta", "thinking": "Call get_weather for Paris."}),
        ),
        block_delta(
            0,
            json!({"type": "signature_delta", "signature": "EkY0c2lnbmF0dXJl"}),
        ),
        block_stop(0),
        block_start(1, json!({"type": "text", "text": ""})),
        block_delta(
            1,
            json!({"type": "text_delta", "text": "Checking the weather."}),
        ),
        block_stop(1),
        block_start(
            2,
            json!({"type": "tool_use", "id": "toolu_2", "name": "get_weather", "input": {}}),
        ),
        block_delta(2, json_delta("")),
        block_delta(2, json_delta("{\"city\": \"Par")),
        block_delta(2, json_delta("is\"}")),
        block_stop(2),
        message_delta(json!("tool_use")),
        ev(json!({"type": "message_stop"})),
    ]
}

/// [`thinking_stream`] changed by `edit`.
pub(super) fn edited(edit: impl FnOnce(&mut Vec<String>)) -> Vec<String> {
    let mut events = thinking_stream();
    edit(&mut events);
    events
}

/// The thinking request answered by these events.
pub(super) fn streamed(events: &[String]) -> Exchange {
    messages_request(thinking_stream_body()).answered(stream_response(events))
}

pub(super) fn answered(body: Value) -> Exchange {
    messages_request(tool_history()).answered(json_response(200, body))
}
