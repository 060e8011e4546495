//! Stream cases: SSE framing, the terminator, chunks, finish reasons, tool-call fragments, usage.

use serde_json::{Value, json};

use super::build::*;
use super::{Case, case};

pub(super) fn cases() -> Vec<Case> {
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
        case(
            "stream.closed-after-end",
            "the OpenAI Python SDK closes the connection right after `[DONE]`",
            "/stream",
            closed_by_client(plain_stream(vec![text_stream()[0].clone(), finish("stop"), DONE.to_owned()])),
            closed_by_client(plain_stream(vec![text_stream()[0].clone(), body(&hello_chunk.to_string())])),
        ),
    ]
}

/// The exchange as recorded when the client went away at its end.
fn closed_by_client(
    mut exchange: cursor_harness::capture::Exchange,
) -> cursor_harness::capture::Exchange {
    exchange.error = Some(cursor_harness::capture::TransportError {
        kind: cursor_harness::capture::ErrorKind::ClientDisconnected,
        message: "the client went away".to_owned(),
        at_ms: Some(20.0),
    });
    exchange
}
