//! Request cases: the bodies Cursor sends and what OpenAI rejects in them.

use cursor_harness::capture::Body;
use cursor_harness::dialect::Dialect;
use serde_json::{Value, json};

use super::build::*;
use super::{Case, case};

/// A chat request labelled `content-encoding: gzip`, as the recorder writes it: decoded when
/// its bytes were gzip, and with the mismatch noted when they were plain JSON.
fn labelled_gzip(mismatch: Option<&str>) -> cursor_harness::capture::Exchange {
    let mut exchange = chat_request(hello());
    exchange
        .request
        .headers
        .push(("content-encoding".to_owned(), "gzip".to_owned()));
    exchange.request.encoding_mismatch = mismatch.map(str::to_owned);
    exchange
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        case(
            "request.content-encoding",
            "plain JSON labelled `content-encoding: gzip`",
            "",
            labelled_gzip(Some(
                "the body is labelled `content-encoding: gzip` but its bytes are not gzip (failed to decode: invalid gzip header); the body is readable text as it came and is kept that way",
            )),
            labelled_gzip(None),
        ),
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
            "request.no-contract",
            "an endpoint no contract covers: only the body's dialect is named",
            "",
            exchange(
                "POST",
                "/v1/embeddings",
                Some(Body::from_bytes(br#"{"model":"text-embedding-3-small","input":"hi"}"#)),
            ),
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
            "the Responses hybrid; the mixed Chat body is Chat with foreign parts, not another API",
            "",
            chat_request(cursor_responses_hybrid()),
            chat_request(cursor_mixed_chat()),
        )
        .owned_by(Dialect::Responses),
        case(
            "request.dialect",
            "Anthropic's top-level `system`; without it the same body is valid Chat too",
            "",
            chat_request(json!({"model": "claude-sonnet-4-5", "max_tokens": 1024, "system": "Be brief.",
                "messages": [{"role": "user", "content": "hi"}]})),
            chat_request(json!({"model": "claude-sonnet-4-5", "max_tokens": 1024,
                "messages": [{"role": "user", "content": "hi"}]})),
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
            chat_request(cursor_mixed_chat()),
            chat_request(set(cursor_mixed_chat(), "/messages/2/content", Value::Null)),
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
