//! Gemini answer and stream cases: JSON answers, the `alt=sse` stream and the JSON array a
//! stream without it comes as. The traps are what gateways send back to a Gemini client:
//! OpenAI answers and chunks, `[DONE]`, SSE keep-alives google-genai cannot read, a stream cut
//! before its `finishReason`.

use cursor_harness::capture::Body;
use cursor_harness::dialect::Dialect;
use serde_json::{Value, json};

use super::build::*;
use super::gemini::{
    answer, answered, crlf_event, gemini_answer, gemini_events, gemini_hello, gemini_request,
    google_error, stream_request, streamed, with_events,
};
use super::{Case, case};

pub(super) fn cases() -> Vec<Case> {
    let mut all = answer_cases();
    all.extend(stream_cases());
    all
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
            "an answer with usage but no candidates and no blockReason",
            "/candidates",
            answered(
                json!({"usageMetadata": {"promptTokenCount": 9, "totalTokenCount": 9}, "modelVersion": "gemini-2.5-pro"}),
            ),
            answered(gemini_answer()),
        ),
        case(
            "response.dialect",
            "an OpenAI chat.completion sent back to a Gemini client",
            "",
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
        crlf_event(&answer(
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
                crlf_event(&google_error(500, "INTERNAL", "boom")),
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
            "an event whose `candidates` is one object instead of an array",
            "/stream/1/candidates",
            streamed(&with_events(
                events.clone(),
                1,
                crlf_event(
                    &json!({"candidates": {"content": {"role": "model", "parts": [{"text": "Hel"}]}}}),
                ),
            )),
            streamed(&events),
        ),
        case(
            "stream.finish-reason",
            "OpenAI's lowercase `stop` as the finishReason",
            "/stream/2/candidates/0/finishReason",
            streamed(&with_events(
                events.clone(),
                2,
                crlf_event(&answer(json!([{"text": "lo!"}]), "stop")),
            )),
            streamed(&events),
        ),
        case(
            "stream.finish-reason",
            "text after the candidate's finishReason",
            "/stream/3/candidates/0/content/parts",
            streamed(
                &[
                    events.clone(),
                    vec![crlf_event(&answer(json!([{"text": " More."}]), "STOP"))],
                ]
                .concat(),
            ),
            streamed(
                &[
                    events.clone(),
                    vec![crlf_event(
                        &json!({"usageMetadata": {"promptTokenCount": 9, "totalTokenCount": 12}}),
                    )],
                ]
                .concat(),
            ),
        ),
        case(
            "stream.dialect",
            "OpenAI chat.completion.chunk events sent to a Gemini client",
            "/stream/0",
            streamed(&chat_events),
            streamed(&events),
        )
        .owned_by(Dialect::ChatCompletions),
        case(
            "stream.terminal-event",
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
