//! Anthropic Messages cases: bodies sent to `/v1/messages`, the `message` answer and the named
//! event stream, each judged by the Anthropic contract. The baselines are what the official
//! SDK sends and parses (`tests/fixtures/sdk/native/anthropic/`); each case breaks one thing
//! and the conforming example is the baseline or the nearest correct form.

use cursor_harness::capture::{Body, Exchange};
use cursor_harness::dialect::Dialect;
use serde_json::{Value, json};

use super::build::{
    Answered, cursor_anthropic, cursor_chat, cursor_responses_hybrid, exchange, json_response,
    openai_error, remove, set, stream_response, text_response, text_stream,
};
use super::{Case, case};

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
fn ev(data: Value) -> String {
    let name = data["type"].as_str().expect("an event type").to_owned();
    named(&name, &data)
}

fn block_start(index: usize, block: Value) -> String {
    ev(json!({"type": "content_block_start", "index": index, "content_block": block}))
}

fn block_delta(index: usize, delta: Value) -> String {
    ev(json!({"type": "content_block_delta", "index": index, "delta": delta}))
}

fn block_stop(index: usize) -> String {
    ev(json!({"type": "content_block_stop", "index": index}))
}

fn message_delta(stop_reason: Value) -> String {
    ev(
        json!({"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": null},
        "usage": {"output_tokens": 121}}),
    )
}

fn json_delta(fragment: &str) -> Value {
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
fn edited(edit: impl FnOnce(&mut Vec<String>)) -> Vec<String> {
    let mut events = thinking_stream();
    edit(&mut events);
    events
}

/// The thinking request answered by these events.
pub(super) fn streamed(events: &[String]) -> Exchange {
    messages_request(thinking_stream_body()).answered(stream_response(events))
}

fn answered(body: Value) -> Exchange {
    messages_request(tool_history()).answered(json_response(200, body))
}

pub(super) fn cases() -> Vec<Case> {
    let mut all = request_cases();
    all.extend(response_cases());
    all.extend(stream_cases());
    all
}

fn request_cases() -> Vec<Case> {
    let history = tool_history;
    vec![
        case(
            "request.not-json",
            "a JSON array sent to /v1/messages",
            "",
            messages_request(json!([tool_history()])),
            messages_request(tool_history()),
        ),
        case(
            "request.dialect",
            "Cursor's Chat body sent to /v1/messages",
            "",
            messages_request(cursor_chat()),
            messages_request(tool_history()),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "request.dialect",
            "a Responses body; a plain {model, max_tokens, messages} body is valid Anthropic too",
            "",
            messages_request(cursor_responses_hybrid()),
            messages_request(json!({"model": "claude-sonnet-4-5", "max_tokens": 1024,
                "messages": [{"role": "user", "content": "hi"}]})),
        )
        .owned_by(Dialect::Responses),
        case(
            "request.missing-field",
            "no `max_tokens`, which Anthropic requires",
            "/max_tokens",
            messages_request(remove(history(), "/max_tokens")),
            messages_request(history()),
        ),
        case(
            "request.missing-field",
            "a `tool_result` without `tool_use_id`",
            "/messages/2/content/0/tool_use_id",
            messages_request(remove(history(), "/messages/2/content/0/tool_use_id")),
            messages_request(history()),
        ),
        case(
            "request.unknown-field",
            "Cursor's Anthropic body keeps Chat's `stream_options`",
            "/stream_options",
            messages_request(cursor_anthropic()),
            messages_request(remove(cursor_anthropic(), "/stream_options")),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "request.unknown-field",
            "Chat's `tool_calls` kept on an assistant message (Anthropic refuses extra keys at any depth)",
            "/messages/1/tool_calls",
            messages_request(set(history(), "/messages/1/tool_calls", json!([]))),
            messages_request(history()),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "request.unknown-field",
            "a `cache_control` key the ephemeral marker does not have",
            "/system/0/cache_control/scope",
            messages_request(set(history(), "/system/0/cache_control/scope", json!("global"))),
            messages_request(set(history(), "/system/0/cache_control/ttl", json!("1h"))),
        ),
        case(
            "request.type",
            "`system` as a number",
            "/system",
            messages_request(set(history(), "/system", json!(42))),
            messages_request(set(history(), "/system", json!("Be brief."))),
        ),
        case(
            "request.enum",
            "an OpenAI service tier",
            "/service_tier",
            messages_request(set(history(), "/service_tier", json!("priority"))),
            messages_request(set(history(), "/service_tier", json!("standard_only"))),
        ),
        case(
            "request.enum",
            "an image media type Anthropic does not take",
            "/messages/0/content/1/source/media_type",
            messages_request(set(history(), "/messages/0/content", image_turn("image/bmp"))),
            messages_request(set(history(), "/messages/0/content", image_turn("image/png"))),
        ),
        case(
            "request.range",
            "`temperature` 1.5: Chat goes to 2, Anthropic to 1",
            "/temperature",
            messages_request(set(history(), "/temperature", json!(1.5))),
            messages_request(set(history(), "/temperature", json!(1.0))),
        ),
        case(
            "request.empty-array",
            "`messages: []`",
            "/messages",
            messages_request(set(history(), "/messages", json!([]))),
            messages_request(history()),
        ),
        case(
            "request.role",
            "Chat's `tool` role carrying the result",
            "/messages/2/role",
            messages_request(set(history(), "/messages/2",
                json!({"role": "tool", "content": "18°C, cloudy"}))),
            messages_request(history()),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "request.content-part",
            "Chat's `image_url` part in a user message",
            "/messages/0/content/1/type",
            messages_request(set(history(), "/messages/0/content", json!([
                {"type": "text", "text": "What is in this picture?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}
            ]))),
            messages_request(set(history(), "/messages/0/content", image_turn("image/png"))),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "request.content-part",
            "a `tool_result` in an assistant message",
            "/messages/1/content/1/type",
            messages_request(set(history(), "/messages/1/content/1",
                json!({"type": "tool_result", "tool_use_id": "toolu_1", "content": "x"}))),
            messages_request(history()),
        ),
        case(
            "request.tool-call",
            "`tool_use.input` as JSON text (Chat's `arguments`)",
            "/messages/1/content/1/input",
            messages_request(set(history(), "/messages/1/content/1/input", json!("{\"city\":\"Paris\"}"))),
            messages_request(history()),
        ),
        case(
            "request.tool-call",
            "a `tool_use` block without `id`",
            "/messages/1/content/1/id",
            messages_request(remove(history(), "/messages/1/content/1/id")),
            messages_request(history()),
        ),
        case(
            "request.tool-result-order",
            "a `tool_result` answering an id no tool_use carries",
            "/messages/2/content/0/tool_use_id",
            messages_request(set(history(), "/messages/2/content/0/tool_use_id", json!("toolu_9"))),
            messages_request(history()),
        ),
        case(
            "request.tool-result-order",
            "a `tool_use` answered by plain text, not a tool_result",
            "/messages/1",
            messages_request(set(history(), "/messages/2", json!({"role": "user", "content": "go on"}))),
            messages_request(history()),
        ),
        case(
            "request.tool-result-order",
            "text before the tool_result in the answering message",
            "/messages/2/content/1",
            messages_request(set(history(), "/messages/2/content", json!([
                {"type": "text", "text": "Here is the result:"},
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18°C"}
            ]))),
            messages_request(set(history(), "/messages/2/content", json!([
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18°C"},
                {"type": "text", "text": "Answer briefly."}
            ]))),
        ),
        case(
            "request.tool-definition",
            "a Chat-shaped tool",
            "/tools/0",
            messages_request(set(history(), "/tools/0", json!({"type": "function",
                "function": {"name": "get_weather", "parameters": {"type": "object"}}}))),
            messages_request(history()),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "request.tool-definition",
            "an MCP tool name with a dot",
            "/tools/0/name",
            messages_request(set(history(), "/tools/0/name", json!("weather.get"))),
            messages_request(set(history(), "/tools/0/name", json!("weather__get-now"))),
        ),
        case(
            "request.tool-definition",
            "an `input_schema` that is not an object schema",
            "/tools/0/input_schema/type",
            messages_request(set(history(), "/tools/0/input_schema", json!({"type": "string"}))),
            messages_request(set(history(), "/tools/1",
                json!({"type": "web_search_20250305", "name": "web_search", "max_uses": 3}))),
        ),
        case(
            "request.tool-choice",
            "OpenAI's string `tool_choice`",
            "/tool_choice",
            messages_request(set(history(), "/tool_choice", json!("auto"))),
            messages_request(set(history(), "/tool_choice", json!({"type": "any", "disable_parallel_tool_use": true}))),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "request.tool-choice",
            "`tool_choice` naming a tool that is not offered",
            "/tool_choice/name",
            messages_request(set(history(), "/tool_choice", json!({"type": "tool", "name": "get_time"}))),
            messages_request(set(history(), "/tool_choice", json!({"type": "tool", "name": "get_weather"}))),
        ),
        case(
            "request.thinking",
            "a thinking budget below 1024",
            "/thinking/budget_tokens",
            messages_request(set(thinking_stream_body(), "/thinking/budget_tokens", json!(512))),
            messages_request(thinking_stream_body()),
        ),
        case(
            "request.thinking",
            "a thinking budget that is not below `max_tokens`",
            "/thinking/budget_tokens",
            messages_request(set(thinking_stream_body(), "/max_tokens", json!(2048))),
            messages_request(set(thinking_stream_body(), "/max_tokens", json!(2049))),
        ),
        case(
            "request.thinking",
            "thinking with a lowered temperature",
            "/temperature",
            messages_request(set(thinking_stream_body(), "/temperature", json!(0.2))),
            messages_request(set(thinking_stream_body(), "/temperature", json!(1))),
        ),
        case(
            "request.thinking",
            "thinking with a tool_choice that forces a tool",
            "/tool_choice/type",
            messages_request(set(thinking_stream_body(), "/tool_choice", json!({"type": "any"}))),
            messages_request(set(thinking_stream_body(), "/tool_choice", json!({"type": "auto"}))),
        ),
    ]
}

/// A user turn with a text block and a base64 image of this media type.
fn image_turn(media_type: &str) -> Value {
    json!([
        {"type": "text", "text": "What is in this picture?"},
        {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": "iVBORw0KGgo="}}
    ])
}

fn response_cases() -> Vec<Case> {
    let tool_answer = || {
        set(
            set(message(), "/stop_reason", json!("tool_use")),
            "/content/1",
            json!({"type": "tool_use", "id": "toolu_3", "name": "get_weather", "input": {"city": "Lyon"}}),
        )
    };
    vec![
        case(
            "response.not-json",
            "an HTML page with status 200",
            "",
            messages_request(tool_history()).answered(text_response(200, "text/html", "<html>Bad gateway</html>")),
            answered(message()),
        ),
        case(
            "response.missing-field",
            "a message without `stop_reason`",
            "/stop_reason",
            answered(remove(message(), "/stop_reason")),
            answered(message()),
        ),
        case(
            "response.missing-field",
            "usage without `output_tokens`",
            "/usage/output_tokens",
            answered(remove(message(), "/usage/output_tokens")),
            answered(message()),
        ),
        case(
            "response.missing-field",
            "a `tool_use` block without `id`",
            "/content/1/id",
            answered(remove(tool_answer(), "/content/1/id")),
            answered(tool_answer()),
        ),
        case(
            "response.missing-nullable",
            "a message without `stop_sequence`",
            "/stop_sequence",
            answered(remove(message(), "/stop_sequence")),
            answered(message()),
        ),
        case(
            "response.dialect",
            "a `chat.completion` answered at /v1/messages",
            "",
            answered(super::build::hello_completion()),
            answered(message()),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "response.type",
            "Chat's `stop` as the stop reason",
            "/stop_reason",
            answered(set(message(), "/stop_reason", json!("stop"))),
            answered(set(message(), "/stop_reason", json!("max_tokens"))),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "response.type",
            "`tool_use.input` as JSON text",
            "/content/1/input",
            answered(set(tool_answer(), "/content/1/input", json!("{\"city\":\"Lyon\"}"))),
            answered(tool_answer()),
        ),
        case(
            "response.type",
            "a null `stop_reason` in a finished answer",
            "/stop_reason",
            answered(set(message(), "/stop_reason", Value::Null)),
            answered(message()),
        ),
        case(
            "response.stream-mismatch",
            "a JSON message for `stream: true`",
            "",
            messages_request(thinking_stream_body()).answered(json_response(200, message())),
            streamed(&thinking_stream()),
        ),
        case(
            "response.error-envelope",
            "OpenAI's error shape from /v1/messages",
            "",
            messages_request(tool_history()).answered(json_response(529, openai_error("server_error", "Overloaded"))),
            messages_request(tool_history()).answered(json_response(529,
                json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}, "request_id": "req_1"}))),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "response.error-status",
            "Anthropic's 529 overloaded",
            "",
            messages_request(tool_history()).answered(json_response(529,
                json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}))),
            answered(message()),
        ),
    ]
}

fn stream_cases() -> Vec<Case> {
    let cut_after = |keep: usize| edited(|e| e.truncate(keep));
    vec![
        case(
            "stream.empty",
            "a 200 event stream with no events",
            "/stream",
            streamed(&[] as &[String]),
            streamed(&thinking_stream()),
        ),
        case(
            "stream.framing",
            "a line that is not an SSE field",
            "/stream/chunk/2",
            streamed(&edited(|e| e.insert(2, "keep-alive\n\n".to_owned()))),
            streamed(&edited(|e| e.insert(2, ": keep-alive\n\n".to_owned()))),
        ),
        case(
            "stream.not-json",
            "an event whose data is cut JSON",
            "/stream/7",
            streamed(&edited(|e| {
                e[7] = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\n\n".to_owned()
            })),
            streamed(&thinking_stream()),
        ),
        case(
            "stream.unterminated-event",
            "`message_stop` without its blank line",
            "/stream/15",
            streamed(&edited(|e| e[15] = e[15].trim_end().to_owned())),
            streamed(&thinking_stream()),
        ),
        case(
            "stream.chunk-shape",
            "a `content_block_delta` without `index`",
            "/stream/7/index",
            streamed(&edited(|e| {
                e[7] = ev(
                    json!({"type": "content_block_delta", "delta": {"type": "text_delta", "text": "Checking."}}),
                )
            })),
            streamed(&thinking_stream()),
        ),
        case(
            "stream.chunk-shape",
            "a `message_delta` without `usage`",
            "/stream/14/usage",
            streamed(&edited(|e| {
                e[14] = ev(json!({"type": "message_delta", "delta": {"stop_reason": "tool_use"}}))
            })),
            streamed(&thinking_stream()),
        ),
        case(
            "stream.finish-reason",
            "Chat's `tool_calls` as the stop reason",
            "/stream/14/delta/stop_reason",
            streamed(&edited(|e| e[14] = message_delta(json!("tool_calls")))),
            streamed(&thinking_stream()),
        ),
        case(
            "stream.finish-reason",
            "no `message_delta`: the stop reason is never set",
            "/stream",
            streamed(&edited(|e| {
                e.remove(14);
            })),
            streamed(&thinking_stream()),
        ),
        case(
            "stream.tool-arguments",
            "`input_json_delta` fragments that do not join into JSON",
            "/stream/9/content_block",
            streamed(&edited(|e| e[12] = block_delta(2, json_delta("is\"")))),
            streamed(&thinking_stream()),
        ),
        case(
            "stream.tool-arguments",
            "fragments that join into a JSON array, not an object",
            "/stream/9/content_block",
            streamed(&edited(|e| {
                e[11] = block_delta(2, json_delta("[\"Par"));
                e[12] = block_delta(2, json_delta("is\"]"));
            })),
            streamed(&edited(|e| {
                e.remove(12);
                e.remove(11);
            })),
        ),
        case(
            "stream.error-event",
            "an `overloaded_error` event mid-stream",
            "/stream/8",
            streamed(&edited(|e| {
                e.truncate(8);
                e.push(ev(json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})));
            })),
            streamed(&thinking_stream()),
        ),
        case(
            "stream.error-event",
            "an `error` event whose data is plain text",
            "/stream/8",
            streamed(&edited(|e| {
                e.truncate(8);
                e.push("event: error\ndata: upstream overloaded\n\n".to_owned());
            })),
            streamed(&thinking_stream()),
        ),
        case(
            "stream.extension",
            "an event type the API does not define",
            "/stream/2",
            streamed(&edited(|e| {
                e[2] = ev(json!({"type": "message_progress", "percent": 10}))
            })),
            streamed(&thinking_stream()),
        ),
        case(
            "stream.chunk-shape",
            "an event without its `event:` name: the SDKs skip it",
            "/stream/7/type",
            streamed(&edited(|e| {
                e[7] = e[7].split_once('\n').unwrap().1.to_owned()
            })),
            streamed(&thinking_stream()),
        ),
        case(
            "stream.chunk-shape",
            "an event named differently from its data's type",
            "/stream/7/type",
            streamed(&edited(|e| {
                e[7] = e[7].replacen("event: content_block_delta", "event: text_delta", 1)
            })),
            streamed(&thinking_stream()),
        ),
        case(
            "stream.dialect",
            "Chat Completions chunks answering /v1/messages",
            "/stream",
            streamed(&text_stream()),
            streamed(&thinking_stream()),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "stream.event-order",
            "a content block before `message_start`",
            "/stream/0",
            streamed(&edited(|e| e.swap(0, 1))),
            streamed(&thinking_stream()),
        ),
        case(
            "stream.event-order",
            "a content block started out of index order",
            "/stream/6/index",
            streamed(&edited(|e| {
                e[6] = block_start(2, json!({"type": "text", "text": ""}));
            })),
            streamed(&thinking_stream()),
        ),
        case(
            "stream.event-order",
            "a delta for a block already stopped",
            "/stream/9/index",
            streamed(&edited(|e| {
                e.insert(
                    9,
                    block_delta(1, json!({"type": "text_delta", "text": " Late."})),
                )
            })),
            streamed(&edited(|e| {
                e.insert(
                    8,
                    block_delta(1, json!({"type": "text_delta", "text": " In time."})),
                )
            })),
        ),
        case(
            "stream.event-order",
            "`message_delta` while the tool block is open",
            "/stream/13",
            streamed(&edited(|e| e.swap(13, 14))),
            streamed(&thinking_stream()),
        ),
        case(
            "stream.after-done",
            "an event after `message_stop`",
            "/stream/16",
            streamed(&edited(|e| e.push(message_delta(Value::Null)))),
            streamed(&edited(|e| e.push(named("ping", &json!({"type": "ping"}))))),
        ),
        case(
            "stream.delta-type",
            "a `text_delta` on the tool_use block",
            "/stream/11/delta/type",
            streamed(&edited(|e| {
                e[11] = block_delta(2, json!({"type": "text_delta", "text": "{\"city\": \"Par"}))
            })),
            streamed(&thinking_stream()),
        ),
        case(
            "stream.delta-type",
            "a delta type the API does not define",
            "/stream/7/delta/type",
            streamed(&edited(|e| {
                e[7] = block_delta(1, json!({"type": "content", "text": "Checking."}))
            })),
            streamed(&thinking_stream()),
        ),
        case(
            "stream.terminal-event",
            "a stream cut in the middle of the tool input",
            "/stream",
            streamed(&cut_after(12)),
            streamed(&thinking_stream()),
        ),
        case(
            "stream.foreign-done",
            "a `data: [DONE]` after `message_stop`, from a gateway translating Chat",
            "/stream/16",
            streamed(&edited(|e| e.push(super::build::DONE.to_owned()))),
            streamed(&thinking_stream()),
        ),
    ]
}

/// The baselines must be clean, or a conforming example could hide a false positive.
#[test]
fn what_anthropic_and_its_sdk_accept_reports_nothing() {
    use cursor_harness::conformance::Profile;
    let clean = [
        ("a tool round trip answered with a message", answered(message())),
        ("a thinking stream with a tool call", streamed(&thinking_stream())),
        (
            "the plain body, a prefill and a redacted thinking turn",
            messages_request(json!({"model": "claude-opus-4-1", "max_tokens": 0,
                "messages": [
                    {"role": "user", "content": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral", "ttl": "5m"}}]},
                    {"role": "assistant", "content": [
                        {"type": "redacted_thinking", "data": "EmwKAhgBEgy"},
                        {"type": "thinking", "thinking": "", "signature": "sig"},
                        {"type": "text", "text": "Hello"}
                    ]},
                    {"role": "user", "content": [{"type": "document", "title": "spec",
                        "source": {"type": "text", "media_type": "text/plain", "data": "x"}}]},
                    {"role": "assistant", "content": []}
                ],
                "metadata": {"user_id": "u-1"}, "stop_sequences": ["\n\nHuman:"],
                "temperature": 0, "top_p": 0.9, "top_k": 40, "service_tier": "auto",
                "output_config": {"effort": "high", "format": {"type": "json_schema", "schema": {"type": "object"}}},
                "cache_control": {"type": "ephemeral"}})),
        ),
        (
            "a server tool and its result in the assistant turn",
            messages_request(json!({"model": "claude-sonnet-4-5", "max_tokens": 1024,
                "tools": [{"type": "web_search_20250305", "name": "web_search"}, {"type": "bash_20250124", "name": "bash"}],
                "messages": [
                    {"role": "user", "content": "news?"},
                    {"role": "assistant", "content": [
                        {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "news"}},
                        {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []},
                        {"type": "text", "text": "Nothing new."}
                    ]},
                    {"role": "user", "content": "thanks"}
                ]}))
            .answered(json_response(200, message())),
        ),
    ];
    let mut failures = Vec::new();
    for (what, exchange) in &clean {
        let report = super::check(exchange, Profile::Strict);
        let found: Vec<String> = report
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
            .collect();
        if !found.is_empty() {
            failures.push(format!("{what}:\n{}", found.join("\n")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A client reads the stream into one message: thinking as reasoning, text as content, the
/// tool call's arguments joined, the stop reason and the cumulative usage.
#[test]
fn the_stream_and_the_message_assemble_what_the_client_ends_up_with() {
    use cursor_harness::capture::Contract;
    use cursor_harness::conformance::{Profile, RequestContext, check_response};
    let context = RequestContext::from_body(
        &thinking_stream_body(),
        Some(Contract::AnthropicMessages),
        "/v1/messages",
    );
    let exchange = streamed(&thinking_stream());
    let checked = check_response(
        exchange.response.as_ref().unwrap(),
        &context,
        Profile::Strict,
    );
    assert_eq!(checked.dialect, Some(Dialect::Anthropic));
    assert_eq!(
        checked.first_content_chunk,
        Some(7),
        "the first text delta, not the empty block start"
    );
    let assembled = checked.assembled.expect("an assembled message");
    let choice = &assembled.choices[&0];
    assert_eq!(choice.content, "Checking the weather.");
    assert_eq!(choice.reasoning, "Call get_weather for Paris.");
    assert_eq!(choice.finish_reason.as_deref(), Some("tool_use"));
    assert_eq!(choice.tool_calls.len(), 1);
    let call = &choice.tool_calls[0];
    assert_eq!(
        (
            call.id.as_deref(),
            call.name.as_deref(),
            call.arguments.as_str()
        ),
        (
            Some("toolu_2"),
            Some("get_weather"),
            "{\"city\": \"Paris\"}"
        )
    );
    assert_eq!(
        assembled.model.as_deref(),
        Some("claude-sonnet-4-5-20250929")
    );
    assert_eq!(
        assembled.usage,
        Some(json!({"input_tokens": 758, "output_tokens": 121}))
    );

    let json_context = RequestContext::from_body(
        &tool_history(),
        Some(Contract::AnthropicMessages),
        "/v1/messages",
    );
    let answer = answered(message());
    let checked = check_response(
        answer.response.as_ref().unwrap(),
        &json_context,
        Profile::Strict,
    );
    let assembled = checked.assembled.expect("an assembled message");
    assert_eq!(
        assembled.choices[&0].content,
        "It is 18°C and cloudy in Paris."
    );
    assert_eq!(
        assembled.choices[&0].finish_reason.as_deref(),
        Some("end_turn")
    );
}
