//! Request cases: bodies sent to `/v1/messages`.

use cursor_harness::dialect::Dialect;
use serde_json::{Value, json};

use super::super::build::{cursor_anthropic, cursor_chat, cursor_responses_hybrid, remove, set};
use super::super::{Case, case};
use super::{messages_request, thinking_stream_body, tool_history};

pub(super) fn cases() -> Vec<Case> {
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
