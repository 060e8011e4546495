//! Responses cases: requests to `/v1/responses` and what comes back, judged by the Responses
//! contract. The conforming examples are the shapes the official SDK sends and the API streams.

use cursor_harness::capture::{Body, Exchange};
use cursor_harness::dialect::Dialect;
use serde_json::{Value, json};

use super::build::*;
use super::{Case, case};

/// `POST /v1/responses` with a JSON body.
pub(super) fn responses_request(body: Value) -> Exchange {
    exchange("POST", "/v1/responses", Some(Body::Json(body)))
}

/// A correct Responses body with a function call round trip, as the SDK sends it.
pub(super) fn responses_body() -> Value {
    json!({
        "model": "gpt-5",
        "instructions": "Use tools when they help.",
        "input": [
            {"role": "user", "content": [{"type": "input_text", "text": "Weather in Paris?"}]},
            {"type": "function_call", "call_id": "call_1", "name": "get_weather",
             "arguments": "{\"city\":\"Paris\"}"},
            {"type": "function_call_output", "call_id": "call_1", "output": "18C"}
        ],
        "tools": [{"type": "function", "name": "get_weather", "strict": true,
                   "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                  "required": ["city"], "additionalProperties": false}}],
        "tool_choice": "auto",
        "reasoning": {"effort": "low", "summary": "auto"},
        "store": false
    })
}

fn streaming_body() -> Value {
    set(responses_body(), "/stream", json!(true))
}

/// A complete `response` object, as OpenAI returns it.
fn response_object(status: &str, output: Value) -> Value {
    json!({
        "id": "resp_1", "object": "response", "created_at": 1793613900, "status": status,
        "error": null, "incomplete_details": null, "instructions": null, "metadata": {},
        "model": "gpt-5-2025-08-07", "output": output, "parallel_tool_calls": true,
        "temperature": 1.0, "top_p": 1.0, "tool_choice": "auto", "tools": [],
        "usage": {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}
    })
}

fn message_item(text: &str) -> Value {
    json!({"id": "msg_1", "type": "message", "role": "assistant", "status": "completed",
           "content": [{"type": "output_text", "text": text, "annotations": []}]})
}

fn responses_event(kind: &str, sequence: u64, mut data: Value) -> String {
    data["type"] = json!(kind);
    data["sequence_number"] = json!(sequence);
    format!("event: {kind}\ndata: {data}\n\n")
}

/// A whole text answer: created, the message item, two deltas, completed.
pub(super) fn text_events() -> Vec<String> {
    vec![
        responses_event(
            "response.created",
            0,
            json!({"response": response_object("in_progress", json!([]))}),
        ),
        responses_event(
            "response.output_item.added",
            1,
            json!({"output_index": 0,
            "item": {"id": "msg_1", "type": "message", "role": "assistant", "status": "in_progress", "content": []}}),
        ),
        responses_event(
            "response.output_text.delta",
            2,
            json!({"item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": "It is "}),
        ),
        responses_event(
            "response.output_text.delta",
            3,
            json!({"item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": "18C."}),
        ),
        responses_event(
            "response.output_item.done",
            4,
            json!({"output_index": 0, "item": message_item("It is 18C.")}),
        ),
        responses_event(
            "response.completed",
            5,
            json!({"response": response_object("completed", json!([message_item("It is 18C.")]))}),
        ),
    ]
}

fn streamed(events: Vec<String>) -> Exchange {
    responses_request(streaming_body()).answered(stream_response(&events))
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        case(
            "request.missing-field",
            "a Responses body without `model` (and no stored prompt)",
            "/model",
            responses_request(remove(responses_body(), "/model")),
            responses_request(responses_body()),
        ),
        case(
            "request.dialect",
            "a Chat Completions body sent to /v1/responses",
            "",
            responses_request(cursor_chat()),
            responses_request(responses_body()),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "request.unknown-field",
            "Chat's `max_completion_tokens` in a Responses body (Responses has `max_output_tokens`)",
            "/max_completion_tokens",
            responses_request(set(responses_body(), "/max_completion_tokens", json!(256))),
            responses_request(responses_body()),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "request.input-item",
            "an input item of a type Responses does not define",
            "/input/3/type",
            responses_request(set(responses_body(), "/input/3", json!({"type": "tool_output", "id": "x"}))),
            responses_request(responses_body()),
        ),
        case(
            "request.input-item",
            "a reasoning item without its summary",
            "/input/3/summary",
            responses_request(set(responses_body(), "/input/3", json!({"type": "reasoning", "id": "rs_1"}))),
            responses_request(set(responses_body(), "/input/3", json!({"type": "reasoning", "id": "rs_1", "summary": []}))),
        ),
        case(
            "request.tool-call",
            "a function_call whose arguments are an object, not a string",
            "/input/1/arguments",
            responses_request(set(responses_body(), "/input/1/arguments", json!({"city": "Paris"}))),
            responses_request(responses_body()),
        ),
        case(
            "request.tool-result-order",
            "a function_call_output answering no call",
            "/input/2/call_id",
            responses_request(set(responses_body(), "/input/2/call_id", json!("call_9"))),
            responses_request(set(
                set(responses_body(), "/input/2/call_id", json!("call_9")),
                "/previous_response_id",
                json!("resp_0"),
            )),
        ),
        case(
            "request.role",
            "a Chat `tool` message inside `input`",
            "/input/0/role",
            responses_request(set(responses_body(), "/input/0", json!({"role": "tool", "content": "18C"}))),
            responses_request(responses_body()),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "request.content-part",
            "a Chat `image_url` object in a Responses message",
            "/input/0/content/1/image_url",
            responses_request(set(responses_body(), "/input/0/content/1",
                json!({"type": "input_image", "image_url": {"url": "https://x/y.png"}}))),
            responses_request(set(responses_body(), "/input/0/content/1",
                json!({"type": "input_image", "image_url": "https://x/y.png", "detail": "auto"}))),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "request.tool-definition",
            "a Chat-nested function tool in a Responses body",
            "/tools/0/function",
            responses_request(set(responses_body(), "/tools/0",
                json!({"type": "function", "function": {"name": "get_weather", "parameters": {}}}))),
            responses_request(responses_body()),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "request.tool-choice",
            "a tool_choice naming a tool that is not offered",
            "/tool_choice/name",
            responses_request(set(responses_body(), "/tool_choice", json!({"type": "function", "name": "ReadFile"}))),
            responses_request(set(responses_body(), "/tool_choice", json!({"type": "function", "name": "get_weather"}))),
        ),
        case(
            "request.stream-options",
            "Cursor's hybrid keeps Chat's `include_usage`; the Responses API refuses it",
            "/stream_options/include_usage",
            responses_request(set(streaming_body(), "/stream_options", json!({"include_usage": true}))),
            responses_request(set(streaming_body(), "/stream_options", json!({"include_obfuscation": false}))),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "request.response-format",
            "Chat's `json_schema` wrapper inside Responses' flat `text.format`",
            "/text/format/json_schema",
            responses_request(set(responses_body(), "/text", json!({"format":
                {"type": "json_schema", "json_schema": {"name": "w", "schema": {"type": "object"}}}}))),
            responses_request(set(responses_body(), "/text", json!({"format":
                {"type": "json_schema", "name": "w", "schema": {"type": "object"}}}))),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "request.deprecated",
            "`truncation` in a Responses request",
            "/truncation",
            responses_request(set(responses_body(), "/truncation", json!("auto"))),
            responses_request(responses_body()),
        ),
        case(
            "request.range",
            "`max_output_tokens` below the minimum of 16",
            "/max_output_tokens",
            responses_request(set(responses_body(), "/max_output_tokens", json!(8))),
            responses_request(set(responses_body(), "/max_output_tokens", json!(16))),
        ),
        case(
            "response.dialect",
            "a chat.completion answering /v1/responses",
            "",
            responses_request(responses_body()).answered(json_response(200, hello_completion())),
            responses_request(responses_body())
                .answered(json_response(200, response_object("completed", json!([message_item("Hi")])))),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "response.missing-field",
            "a response object without `output`",
            "/output",
            responses_request(responses_body())
                .answered(json_response(200, remove(response_object("completed", json!([])), "/output"))),
            responses_request(responses_body())
                .answered(json_response(200, response_object("completed", json!([])))),
        ),
        case(
            "response.missing-nullable",
            "a response object without `incomplete_details` (null when unused)",
            "/incomplete_details",
            responses_request(responses_body()).answered(json_response(
                200,
                remove(response_object("completed", json!([])), "/incomplete_details"),
            )),
            responses_request(responses_body())
                .answered(json_response(200, response_object("completed", json!([])))),
        ),
        case(
            "response.type",
            "a `status` outside the enum",
            "/status",
            responses_request(responses_body())
                .answered(json_response(200, response_object("done", json!([])))),
            responses_request(responses_body())
                .answered(json_response(200, response_object("completed", json!([])))),
        ),
        case(
            "response.error-envelope",
            "an Anthropic error envelope from /v1/responses",
            "",
            responses_request(responses_body()).answered(json_response(400,
                json!({"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}}))),
            responses_request(responses_body()).answered(json_response(400,
                json!({"error": {"message": "bad", "type": "invalid_request_error", "param": null, "code": null}}))),
        )
        .owned_by(Dialect::Anthropic),
        case(
            "stream.dialect",
            "Chat chunks streamed back from /v1/responses",
            "/stream",
            streamed(text_stream()),
            streamed(text_events()),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "stream.sequence",
            "a sequence number that skips",
            "/stream/3/sequence_number",
            streamed({
                let mut events = text_events();
                events[3] = events[3].replace("\"sequence_number\":3", "\"sequence_number\":7");
                events
            }),
            streamed(text_events()),
        ),
        case(
            "stream.event-order",
            "a text delta for an item that was never added",
            "/stream/1/item_id",
            streamed({
                let mut events = text_events();
                events.remove(1);
                events.iter().enumerate().map(|(i, e)| renumber(e, i)).collect()
            }),
            streamed(text_events()),
        ),
        case(
            "stream.terminal-event",
            "a stream cut before response.completed",
            "/stream",
            streamed(text_events()[..5].to_vec()),
            streamed(text_events()),
        ),
        case(
            "stream.after-done",
            "an event after response.completed",
            "/stream/6",
            streamed({
                let mut events = text_events();
                events.push(responses_event("response.output_text.delta", 6,
                    json!({"item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": "!"})));
                events
            }),
            streamed({
                let mut events = text_events();
                events.push(DONE.to_owned());
                events
            }),
        ),
        case(
            "stream.chunk-shape",
            "an `event:` name that disagrees with the data's `type`",
            "/stream/2/type",
            streamed({
                let mut events = text_events();
                events[2] = events[2].replacen("event: response.output_text.delta", "event: response.text.delta", 1);
                events
            }),
            streamed(text_events()),
        ),
        case(
            "stream.tool-arguments",
            "function-call argument deltas that do not join into JSON",
            "/stream/1",
            streamed(call_events("{\"city\":", "\"Paris\"")),
            streamed(call_events("{\"city\":", "\"Paris\"}")),
        ),
        case(
            "stream.error-event",
            "the response failed mid-stream",
            "/stream/1",
            streamed(vec![
                text_events()[0].clone(),
                responses_event("response.failed", 1, json!({"response":
                    set(response_object("failed", json!([])), "/error", json!({"code": "server_error", "message": "The model crashed"}))})),
            ]),
            streamed(text_events()),
        ),
    ]
}

/// The `sequence_number` of an event rewritten to `n`.
fn renumber(event: &str, n: usize) -> String {
    let (head, data) = event.split_once("data: ").expect("an event");
    let mut value: Value = serde_json::from_str(data.trim()).expect("JSON");
    value["sequence_number"] = json!(n);
    format!("{head}data: {value}\n\n")
}

/// A function call streamed in two argument deltas.
fn call_events(first: &str, second: &str) -> Vec<String> {
    let call = |arguments: &str| {
        json!({"id": "fc_1", "type": "function_call", "call_id": "call_2",
        "name": "get_weather", "arguments": arguments, "status": "completed"})
    };
    let whole = format!("{first}{second}");
    vec![
        responses_event(
            "response.created",
            0,
            json!({"response": response_object("in_progress", json!([]))}),
        ),
        responses_event(
            "response.output_item.added",
            1,
            json!({"output_index": 0, "item": call("")}),
        ),
        responses_event(
            "response.function_call_arguments.delta",
            2,
            json!({"item_id": "fc_1", "output_index": 0, "delta": first}),
        ),
        responses_event(
            "response.function_call_arguments.delta",
            3,
            json!({"item_id": "fc_1", "output_index": 0, "delta": second}),
        ),
        responses_event(
            "response.function_call_arguments.done",
            4,
            json!({"item_id": "fc_1", "output_index": 0, "name": "get_weather", "arguments": whole}),
        ),
        responses_event(
            "response.output_item.done",
            5,
            json!({"output_index": 0, "item": call(&whole)}),
        ),
        responses_event(
            "response.completed",
            6,
            json!({"response": response_object("completed", json!([call(&whole)]))}),
        ),
    ]
}

/// The baselines the Responses cases start from report nothing at all under strict, so a
/// conforming example cannot hide a false positive of another rule.
#[test]
fn what_the_responses_api_accepts_and_sends_reports_nothing() {
    use cursor_harness::conformance::Profile;
    let clean = [
        ("the SDK-shaped body", responses_request(responses_body())),
        (
            "a plain string input",
            responses_request(json!({"model": "gpt-5", "input": "hi"})),
        ),
        (
            "a response object",
            responses_request(responses_body()).answered(json_response(
                200,
                response_object("completed", json!([message_item("Hi")])),
            )),
        ),
        ("a streamed text answer", streamed(text_events())),
        (
            "a streamed function call",
            streamed(call_events("{\"city\":", "\"Paris\"}")),
        ),
    ];
    let mut failures = Vec::new();
    for (what, exchange) in &clean {
        let report = super::check(exchange, Profile::Strict);
        if report.violations().next().is_some() {
            failures.push(format!("{what}:\n{}", super::describe(&report)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
