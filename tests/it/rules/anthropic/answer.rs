//! Answer cases: the `message` a JSON answer holds and the named-event stream, and what a
//! client assembles from each.

use cursor_harness::dialect::Dialect;
use serde_json::{Value, json};

use super::super::build::{
    Answered, DONE, hello_completion, json_response, openai_error, remove, set, text_response,
    text_stream,
};
use super::super::{Case, case};
use super::*;

pub(super) fn response_cases() -> Vec<Case> {
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
            answered(hello_completion()),
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

pub(super) fn stream_cases() -> Vec<Case> {
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
            streamed(&edited(|e| e.push(DONE.to_owned()))),
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
        let report = super::super::check(exchange, Profile::Strict);
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
