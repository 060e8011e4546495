//! Gemini cases: requests to `…/models/gemini-2.5-pro:generateContent` and
//! `:streamGenerateContent`, and the builders the answer and stream cases
//! (`gemini_answers.rs`) share. The traps are the ones gateways hit translating to Gemini:
//! OpenAI bodies and tool schemas sent as they are, function responses that answer nothing.

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

pub(super) fn stream_request(body: Value) -> Exchange {
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

pub(super) fn answer(parts: Value, finish: &str) -> Value {
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
pub(super) fn crlf_event(value: &Value) -> String {
    format!("data: {value}\r\n\r\n")
}

/// What Google streams: a thought, text, then the last event with `finishReason`.
pub(super) fn gemini_events() -> Vec<String> {
    let delta = |parts: Value| json!({"candidates": [{"content": {"role": "model", "parts": parts}, "index": 0}], "modelVersion": "gemini-2.5-pro"});
    vec![
        crlf_event(&delta(
            json!([{"text": "Thinking about it.", "thought": true}]),
        )),
        crlf_event(&delta(json!([{"text": "Hel"}]))),
        crlf_event(&answer(json!([{"text": "lo!"}]), "STOP")),
    ]
}

pub(super) fn streamed(events: &[String]) -> Exchange {
    stream_request(gemini_hello()).answered(stream_response(events))
}

pub(super) fn answered(body: Value) -> Exchange {
    gemini_request(gemini_hello()).answered(json_response(200, body))
}

pub(super) fn google_error(code: u16, status: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message, "status": status}})
}

pub(super) fn with_events(mut events: Vec<String>, at: usize, replacement: String) -> Vec<String> {
    events[at] = replacement;
    events
}

pub(super) fn cases() -> Vec<Case> {
    let mut all = request_cases();
    all.extend(super::gemini_answers::cases());
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
    // As the recorder writes a body labelled with a content-encoding: decoded when its bytes
    // were what the label says, with the mismatch noted when they were not.
    let labelled = |mut exchange: Exchange, mismatch: Option<&str>| {
        exchange
            .request
            .headers
            .push(("content-encoding".to_owned(), "gzip".to_owned()));
        exchange.request.encoding_mismatch = mismatch.map(str::to_owned);
        exchange
    };
    let answered_labelled = |mismatch: Option<&str>| {
        let mut exchange = answered(gemini_answer());
        let response = exchange.response.as_mut().unwrap();
        response
            .headers
            .push(("content-encoding".to_owned(), "zstd".to_owned()));
        response.encoding_mismatch = mismatch.map(str::to_owned);
        exchange
    };
    vec![
        case(
            "request.content-encoding",
            "plain JSON labelled `content-encoding: gzip`",
            "",
            labelled(
                gemini_request(gemini_hello()),
                Some(
                    "the body is labelled `content-encoding: gzip` but its bytes are not gzip (invalid gzip header); the body is readable text as it came and is kept that way",
                ),
            ),
            labelled(gemini_request(gemini_hello()), None),
        ),
        case(
            "response.content-encoding",
            "an answer labelled `content-encoding: zstd` whose bytes are not zstd",
            "",
            answered_labelled(Some(
                "the body is labelled `content-encoding: zstd` but its bytes are not zstd (unknown frame descriptor); the body is readable text as it came and is kept that way",
            )),
            answered_labelled(None),
        ),
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
            "request.thinking",
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
