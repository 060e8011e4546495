//! Non-streamed response cases: completions, error bodies, the models list.

use cursor_harness::dialect::Dialect;
use serde_json::json;

use super::build::*;
use super::{Case, case};

pub(super) fn cases() -> Vec<Case> {
    let answered = |response| chat_request(hello()).answered(response);
    let labelled_br = |mismatch: Option<&str>| {
        let mut response = json_response(200, hello_completion());
        response
            .headers
            .push(("content-encoding".to_owned(), "br".to_owned()));
        response.encoding_mismatch = mismatch.map(str::to_owned);
        answered(response)
    };
    vec![
        case(
            "response.content-encoding",
            "a completion labelled `content-encoding: br` whose bytes are not brotli",
            "",
            labelled_br(Some(
                "the body is labelled `content-encoding: br` but its bytes are not br (failed to decode); the body is readable text as it came and is kept that way",
            )),
            labelled_br(None),
        ),
        case(
            "response.not-json",
            "an HTML page with status 200",
            "",
            answered(text_response(200, "text/html", "<html><body>Bad gateway</body></html>")),
            answered(json_response(200, hello_completion())),
        ),
        case(
            "response.missing-field",
            "a completion without `created`",
            "/created",
            answered(json_response(200, remove(hello_completion(), "/created"))),
            answered(json_response(200, hello_completion())),
        ),
        case(
            "response.missing-nullable",
            "a choice without `logprobs`",
            "/choices/0/logprobs",
            answered(json_response(200, remove(hello_completion(), "/choices/0/logprobs"))),
            answered(json_response(200, hello_completion())),
        ),
        case(
            "response.type",
            "Anthropic's `end_turn` as the finish reason",
            "/choices/0/finish_reason",
            answered(json_response(200, set(hello_completion(), "/choices/0/finish_reason", json!("end_turn")))),
            answered(json_response(200, hello_completion())),
        ),
        case(
            "response.error-envelope",
            "an OpenAI error without `param` and `code`",
            "/error/param",
            answered(json_response(400, json!({"error": {"message": "bad model", "type": "invalid_request_error"}}))),
            answered(json_response(400, openai_error("invalid_request_error", "bad model"))),
        ),
        case(
            "response.error-envelope",
            "Anthropic's error shape",
            "",
            answered(json_response(529, json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}))),
            answered(json_response(529, openai_error("server_error", "Overloaded"))),
        )
        .owned_by(Dialect::Anthropic),
        case(
            "response.error-status",
            "a 429, even a well-formed one",
            "",
            answered(json_response(429, openai_error("rate_limit_exceeded", "Rate limit reached"))),
            answered(json_response(200, hello_completion())),
        ),
        case(
            "response.stream-mismatch",
            "a JSON completion for `stream: true`",
            "",
            chat_request(streaming()).answered(json_response(200, hello_completion())),
            chat_request(streaming()).answered(stream_response(&text_stream())),
        ),
        case(
            "response.stream-mismatch",
            "an event stream for a request that did not ask for one",
            "",
            chat_request(hello()).answered(stream_response(&text_stream())),
            chat_request(hello()).answered(json_response(200, hello_completion())),
        ),
        case(
            "response.models-list",
            "a models list without `object: list` and model objects",
            "/object",
            models_request().answered(json_response(200, json!({"data": [{"id": "gpt-5.5"}]}))),
            models_request().answered(json_response(200, json!({"object": "list",
                "data": [{"id": "gpt-5.5", "object": "model", "created": CREATED, "owned_by": "gateway"}]}))),
        ),
    ]
}
