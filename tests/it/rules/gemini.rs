//! Gemini cases: requests to `…/models/gemini-2.5-pro:generateContent` and
//! `:streamGenerateContent`, their JSON answers and their `alt=sse` streams. The traps are the
//! ones gateways hit translating to and from Gemini: OpenAI bodies and tool schemas sent as
//! they are, function responses that answer nothing, OpenAI answers and `[DONE]` sent back to
//! a Gemini client, SSE keep-alives google-genai cannot read.

use cursor_harness::capture::{Body, Contract, Exchange};
use cursor_harness::conformance::{Profile, Rule};
use cursor_harness::dialect::Dialect;
use serde_json::{Value, json};

use super::build::*;
use super::{Case, case, cases as all_cases, check, describe};

const GENERATE: &str = "/v1beta/models/gemini-2.5-pro:generateContent";
const STREAM: &str = "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse";

pub(super) fn gemini_request(body: Value) -> Exchange {
    exchange("POST", GENERATE, Some(Body::Json(body)))
}

fn stream_request(body: Value) -> Exchange {
    exchange("POST", STREAM, Some(Body::Json(body)))
}

/// The smallest `generateContent` body.
pub(super) fn gemini_hello() -> Value {
    json!({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]})
}

fn weather_declaration() -> Value {
    json!({"name": "get_weather", "description": "Current weather for a city.",
        "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}, "required": ["city"]}})
}

/// A finished function round trip: the user asks, the model calls, the user answers.
pub(super) fn gemini_round_trip() -> Value {
    json!({
        "systemInstruction": {"parts": [{"text": "Use tools when they help."}]},
        "contents": [
            {"role": "user", "parts": [{"text": "Weather in Paris?"}]},
            {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": "CiTQU4Bq-_w"}]},
            {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"temperature": 18}}}]}
        ],
        "tools": [{"functionDeclarations": [weather_declaration()]}],
        "toolConfig": {"functionCallingConfig": {"mode": "AUTO"}},
        "generationConfig": {"temperature": 0.2, "thinkingConfig": {"includeThoughts": true, "thinkingBudget": 1024}}
    })
}

fn answer(parts: Value, finish: &str) -> Value {
    json!({
        "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": finish, "index": 0}],
        "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 3, "totalTokenCount": 12},
        "modelVersion": "gemini-2.5-pro",
        "responseId": "r-1"
    })
}

pub(super) fn gemini_answer() -> Value {
    answer(json!([{"text": "Hello!"}]), "STOP")
}

/// One `data:` event, framed with CRLF as Google frames them.
fn event(value: &Value) -> String {
    format!("data: {value}\r\n\r\n")
}

/// What Google streams: a thought, text, then the last event with `finishReason`.
pub(super) fn gemini_events() -> Vec<String> {
    let delta = |parts: Value| json!({"candidates": [{"content": {"role": "model", "parts": parts}, "index": 0}], "modelVersion": "gemini-2.5-pro"});
    vec![
        event(&delta(
            json!([{"text": "Thinking about it.", "thought": true}]),
        )),
        event(&delta(json!([{"text": "Hel"}]))),
        event(&answer(json!([{"text": "lo!"}]), "STOP")),
    ]
}

fn streamed(events: &[String]) -> Exchange {
    stream_request(gemini_hello()).answered(stream_response(events))
}

fn answered(body: Value) -> Exchange {
    gemini_request(gemini_hello()).answered(json_response(200, body))
}

fn google_error(code: u16, status: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message, "status": status}})
}

fn with_events(mut events: Vec<String>, at: usize, replacement: String) -> Vec<String> {
    events[at] = replacement;
    events
}

pub(super) fn cases() -> Vec<Case> {
    let mut all = request_cases();
    all.extend(answer_cases());
    all.extend(stream_cases());
    all
}

fn request_cases() -> Vec<Case> {
    let parts = |parts: Value| set(gemini_hello(), "/contents/0/parts", parts);
    let declaration = |edit: fn(Value) -> Value| {
        let body = gemini_round_trip();
        let edited = edit(body["tools"][0]["functionDeclarations"][0].clone());
        set(body, "/tools/0/functionDeclarations/0", edited)
    };
    let calling = |names: Value| {
        set(
            gemini_round_trip(),
            "/toolConfig/functionCallingConfig",
            json!({"mode": "ANY", "allowedFunctionNames": names}),
        )
    };
    vec![
        case(
            "request.not-json",
            "a JSON array for a body",
            "",
            gemini_request(json!([gemini_hello()])),
            gemini_request(gemini_hello()),
        ),
        case(
            "request.dialect",
            "an OpenAI Chat body sent to generateContent as it is",
            "",
            gemini_request(hello()),
            gemini_request(gemini_hello()),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "request.missing-field",
            "a functionCall without its name",
            "/contents/1/parts/0/functionCall/name",
            gemini_request(remove(
                gemini_round_trip(),
                "/contents/1/parts/0/functionCall/name",
            )),
            gemini_request(gemini_round_trip()),
        ),
        case(
            "request.missing-field",
            "`messages` where Gemini wants `contents`",
            "/contents",
            gemini_request(json!({"messages": [{"role": "user", "content": "hi"}]})),
            gemini_request(gemini_hello()),
        ),
        case(
            "request.unknown-field",
            "an OpenAI JSON Schema passed as the Gemini `parameters` (additionalProperties)",
            "/tools/0/functionDeclarations/0/parameters/additionalProperties",
            gemini_request(declaration(|d| {
                set(d, "/parameters/additionalProperties", json!(false))
            })),
            gemini_request(declaration(|d| {
                let schema = json!({"type": "object", "properties": {"city": {"type": "string"}}, "additionalProperties": false});
                set(remove(d, "/parameters"), "/parametersJsonSchema", schema)
            })),
        ),
        case(
            "request.unknown-field",
            "`max_tokens` inside generationConfig (snake_case of a real field is fine, a foreign name is not)",
            "/generation_config/max_tokens",
            gemini_request(set(
                gemini_hello(),
                "/generation_config",
                json!({"max_tokens": 64}),
            )),
            gemini_request(set(
                gemini_hello(),
                "/generation_config",
                json!({"max_output_tokens": 64, "thinking_config": {"include_thoughts": true}}),
            )),
        ),
        case(
            "request.unknown-field",
            "`temperature` at the top level",
            "/temperature",
            gemini_request(set(gemini_hello(), "/temperature", json!(0.2))),
            gemini_request(set(
                gemini_hello(),
                "/generationConfig",
                json!({"temperature": 0.2}),
            )),
        ),
        case(
            "request.type",
            "inlineData holding a data URL instead of base64",
            "/contents/0/parts/1/inlineData/data",
            gemini_request(parts(
                json!([{"text": "what is this?"}, {"inlineData": {"mimeType": "image/png", "data": "data:image/png;base64,iVBORw0K"}}]),
            )),
            gemini_request(parts(
                json!([{"text": "what is this?"}, {"inlineData": {"mimeType": "image/png", "data": "iVBORw0K"}}]),
            )),
        ),
        case(
            "request.enum",
            "a function calling mode Gemini does not have (any case of a real one is fine)",
            "/toolConfig/functionCallingConfig/mode",
            gemini_request(set(
                gemini_round_trip(),
                "/toolConfig/functionCallingConfig/mode",
                json!("REQUIRED"),
            )),
            gemini_request(set(
                gemini_round_trip(),
                "/toolConfig/functionCallingConfig/mode",
                json!("any"),
            )),
        ),
        case(
            "request.range",
            "temperature above 2",
            "/generationConfig/temperature",
            gemini_request(set(
                gemini_round_trip(),
                "/generationConfig/temperature",
                json!(2.5),
            )),
            gemini_request(set(
                gemini_round_trip(),
                "/generationConfig/temperature",
                json!(2.0),
            )),
        ),
        case(
            "request.empty-array",
            "a turn with no parts (an empty assistant message translated as it is)",
            "/contents/0/parts",
            gemini_request(parts(json!([]))),
            gemini_request(gemini_hello()),
        ),
        case(
            "request.role",
            "OpenAI's `assistant` role in contents",
            "/contents/1/role",
            gemini_request(set(
                gemini_round_trip(),
                "/contents/1/role",
                json!("assistant"),
            )),
            gemini_request(gemini_round_trip()),
        ),
        case(
            "request.content-part",
            "text and inlineData in one part (a part holds one data field)",
            "/contents/0/parts/0/inlineData",
            gemini_request(parts(
                json!([{"text": "see", "inlineData": {"mimeType": "image/png", "data": "iVBORw0K"}}]),
            )),
            gemini_request(parts(
                json!([{"text": "see"}, {"inlineData": {"mimeType": "image/png", "data": "iVBORw0K"}}]),
            )),
        ),
        case(
            "request.content-part",
            "an empty part left by dropping empty text",
            "/contents/0/parts/1",
            gemini_request(parts(json!([{"text": "hi"}, {}]))),
            gemini_request(parts(json!([{"text": "hi"}, {"text": ""}]))),
        ),
        case(
            "request.tool-result-order",
            "a functionResponse naming another function than the call it answers",
            "/contents/2/parts/0/functionResponse/name",
            gemini_request(set(
                gemini_round_trip(),
                "/contents/2/parts/0/functionResponse/name",
                json!("get_time"),
            )),
            gemini_request(gemini_round_trip()),
        ),
        case(
            "request.tool-result-order",
            "a functionResponse turn right after a user turn (the call turn was dropped)",
            "/contents/1",
            gemini_request({
                let mut body = gemini_round_trip();
                body["contents"].as_array_mut().unwrap().remove(1);
                body
            }),
            gemini_request(gemini_round_trip()),
        ),
        case(
            "request.tool-definition",
            "both `parameters` and `parametersJsonSchema`",
            "/tools/0/functionDeclarations/0/parametersJsonSchema",
            gemini_request(declaration(|d| {
                set(d, "/parametersJsonSchema", json!({"type": "object"}))
            })),
            gemini_request(declaration(|d| {
                set(
                    remove(d, "/parameters"),
                    "/parametersJsonSchema",
                    json!({"type": "object"}),
                )
            })),
        ),
        case(
            "request.tool-choice",
            "allowedFunctionNames naming a function that is not declared",
            "/toolConfig/functionCallingConfig/allowedFunctionNames/0",
            gemini_request(calling(json!(["get_time"]))),
            gemini_request(calling(json!(["get_weather"]))),
        ),
        case(
            "request.response-format",
            "a responseSchema without responseMimeType application/json",
            "/generationConfig/responseSchema",
            gemini_request(set(
                gemini_hello(),
                "/generationConfig",
                json!({"responseSchema": {"type": "OBJECT"}}),
            )),
            gemini_request(set(
                gemini_hello(),
                "/generationConfig",
                json!({"responseSchema": {"type": "OBJECT"}, "responseMimeType": "application/json"}),
            )),
        ),
        case(
            "request.thinking-config",
            "thinkingBudget and thinkingLevel together",
            "/generationConfig/thinkingConfig/thinkingBudget",
            gemini_request(set(
                gemini_round_trip(),
                "/generationConfig/thinkingConfig/thinkingLevel",
                json!("high"),
            )),
            gemini_request(set(
                gemini_hello(),
                "/generationConfig",
                json!({"thinkingConfig": {"thinkingLevel": "high"}}),
            )),
        ),
    ]
}

fn answer_cases() -> Vec<Case> {
    let chat_answer = json!({"id": "chatcmpl-1", "object": "chat.completion", "created": CREATED, "model": "gemini-2.5-pro",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello!"}, "finish_reason": "stop"}]});
    let array_request = || {
        exchange(
            "POST",
            "/v1beta/models/gemini-2.5-pro:streamGenerateContent",
            Some(Body::Json(gemini_hello())),
        )
    };
    let array: Value = gemini_events()
        .iter()
        .map(|e| serde_json::from_str::<Value>(e.trim().trim_start_matches("data: ")).unwrap())
        .collect();
    vec![
        case(
            "response.not-json",
            "an HTML page with status 200",
            "",
            gemini_request(gemini_hello()).answered(text_response(
                200,
                "text/html",
                "<html>gateway</html>",
            )),
            answered(gemini_answer()),
        ),
        case(
            "response.missing-field",
            "an OpenAI chat.completion sent back to a Gemini client",
            "/candidates",
            answered(chat_answer),
            answered(gemini_answer()),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "response.type",
            "OpenAI's lowercase finish reason",
            "/candidates/0/finishReason",
            answered(answer(json!([{"text": "Hello!"}]), "stop")),
            answered(gemini_answer()),
        ),
        case(
            "response.error-envelope",
            "an OpenAI error envelope on a Gemini endpoint",
            "",
            gemini_request(gemini_hello()).answered(json_response(
                400,
                openai_error("invalid_request_error", "bad"),
            )),
            gemini_request(gemini_hello()).answered(json_response(
                400,
                google_error(400, "INVALID_ARGUMENT", "bad"),
            )),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "response.error-status",
            "a 429 in Google's envelope",
            "",
            gemini_request(gemini_hello()).answered(json_response(
                429,
                google_error(429, "RESOURCE_EXHAUSTED", "quota"),
            )),
            answered(gemini_answer()),
        ),
        case(
            "response.stream-mismatch",
            ":streamGenerateContent?alt=sse answered with one JSON object",
            "",
            stream_request(gemini_hello()).answered(json_response(200, gemini_answer())),
            streamed(&gemini_events()),
        ),
        case(
            "response.stream-mismatch",
            ":streamGenerateContent without alt=sse (a JSON array is due) answered with SSE",
            "",
            array_request().answered(stream_response(&gemini_events())),
            array_request().answered(json_response(200, array)),
        ),
        case(
            "response.blocked",
            "a blocked prompt: promptFeedback.blockReason and no candidates",
            "/promptFeedback/blockReason",
            answered(
                json!({"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 9, "totalTokenCount": 9}}),
            ),
            answered(gemini_answer()),
        ),
    ]
}

fn stream_cases() -> Vec<Case> {
    let events = gemini_events();
    let bare = events[1].trim_start_matches("data: ").to_owned();
    let tool_call = |args: Value| {
        event(&answer(
            json!([{"functionCall": {"name": "get_weather", "args": args}}]),
            "STOP",
        ))
    };
    let chat_events = text_stream();
    vec![
        case(
            "stream.framing",
            "an event without its `data:` prefix",
            "/stream/chunk/1",
            streamed(&with_events(events.clone(), 1, bare)),
            streamed(&events),
        ),
        case(
            "stream.not-json",
            "an event cut in the middle of its JSON",
            "/stream/1",
            streamed(&with_events(
                events.clone(),
                1,
                "data: {\"candidates\": [{\"content\"\r\n\r\n".to_owned(),
            )),
            streamed(&events),
        ),
        case(
            "stream.unterminated-event",
            "the last event without its blank line",
            "/stream/2",
            streamed(&with_events(
                events.clone(),
                2,
                events[2].trim_end().to_owned(),
            )),
            streamed(&events),
        ),
        case(
            "stream.empty",
            "an event stream with no events",
            "/stream",
            streamed(&[String::new(), String::new()]),
            streamed(&events),
        ),
        case(
            "stream.error-event",
            "Google's error object in the middle of the stream",
            "/stream/1",
            streamed(&with_events(
                events.clone(),
                1,
                event(&google_error(500, "INTERNAL", "boom")),
            )),
            streamed(&events),
        ),
        case(
            "stream.tool-arguments",
            "functionCall.args as OpenAI's JSON text",
            "/stream/2/candidates/0/content/parts/0/functionCall/args",
            streamed(&with_events(
                events.clone(),
                2,
                tool_call(json!("{\"city\":\"Paris\"}")),
            )),
            streamed(&with_events(
                events.clone(),
                2,
                tool_call(json!({"city": "Paris"})),
            )),
        ),
        case(
            "stream.chunk-shape",
            "OpenAI chat.completion.chunk events sent to a Gemini client",
            "/stream/0",
            streamed(&chat_events),
            streamed(&events),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "stream.finish-reason",
            "a stream cut before the event with finishReason",
            "/stream",
            streamed(&events[..2]),
            streamed(&events),
        ),
        case(
            "stream.non-data-line",
            "an SSE comment keep-alive (google-genai raises on it)",
            "/stream/chunk/1",
            streamed(&[
                events[0].clone(),
                ": keep-alive\r\n\r\n".to_owned(),
                events[1].clone(),
                events[2].clone(),
            ]),
            streamed(&events),
        ),
        case(
            "stream.non-data-line",
            "`data:` with no space after the colon",
            "/stream/1",
            streamed(&with_events(
                events.clone(),
                1,
                format!("data:{}", events[1].trim_start_matches("data: ")),
            )),
            streamed(&events),
        ),
        case(
            "stream.done-sentinel",
            "OpenAI's `data: [DONE]` after the last event",
            "/stream/3",
            streamed(&[events.clone(), vec!["data: [DONE]\r\n\r\n".to_owned()]].concat()),
            streamed(&events),
        ),
    ]
}

/// The bodies, answers and streams the cases start from are clean, or a conforming example
/// could hide a false positive.
#[test]
fn what_google_accepts_and_sends_reports_nothing() {
    let clean = [
        ("the smallest body", gemini_request(gemini_hello())),
        ("a function round trip", gemini_request(gemini_round_trip())),
        ("a JSON answer", answered(gemini_answer())),
        ("an alt=sse stream", streamed(&gemini_events())),
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

/// The catalogue says which rules the Gemini contract applies: each of them has a case sent to
/// a Gemini endpoint, and no Gemini case reports a rule the catalogue does not give Gemini.
#[test]
fn the_catalogue_lists_exactly_the_rules_gemini_cases_show() {
    let gemini_codes: Vec<&str> = all_cases()
        .iter()
        .filter(|case| case.breaks.contract() == Some(Contract::Gemini))
        .map(|case| case.code)
        .collect();
    let listed: Vec<&str> = Rule::ALL
        .iter()
        .filter(|rule| rule.contracts().contains(&Contract::Gemini))
        .map(|rule| rule.code())
        .collect();
    let untested: Vec<&&str> = listed
        .iter()
        .filter(|code| !gemini_codes.contains(code))
        .collect();
    assert!(
        untested.is_empty(),
        "rules listing gemini without a Gemini case: {untested:?}"
    );
    let unlisted: Vec<&&str> = gemini_codes
        .iter()
        .filter(|code| !listed.contains(code))
        .collect();
    assert!(
        unlisted.is_empty(),
        "Gemini cases of rules that do not list gemini: {unlisted:?}"
    );
}
