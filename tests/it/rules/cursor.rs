//! Cursor cases: what Cursor needs beyond the spec (its own stream parser, ApplyPatch).

use cursor_harness::dialect::Dialect;
use serde_json::{Value, json};

use super::build::*;
use super::{Case, case};

pub(super) fn cases() -> Vec<Case> {
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
