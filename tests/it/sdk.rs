//! Request bodies captured from the official `openai` Python SDK (`tests/fixtures/sdk/`): what a
//! real client sends is the checker's ground truth. A Chat body from the SDK that the checker
//! calls broken, or foreign, is a checker bug by definition. Beside them, `native/` holds whole
//! exchanges of the official SDKs with their own endpoints (Responses, Anthropic Messages,
//! Gemini), as capture files.

use std::path::PathBuf;

use cursor_harness::capture::ProvenanceKind;
use cursor_harness::capture::input::{InputKind, load_bytes};
use cursor_harness::check::{ExchangeReport, check_paths};
use cursor_harness::conformance::{Profile, Severity, Verdict};
use cursor_harness::dialect::Dialect;

use crate::support;

const FIXTURES: &str = "tests/fixtures/sdk";

const CHAT: &[&str] = &[
    "chat-images.json",
    "chat-plain.json",
    "chat-reasoning.json",
    "chat-response-format.json",
    "chat-tools.json",
];

const RESPONSES: &[&str] = &["responses-plain.json", "responses-tools.json"];

fn path(name: &str) -> PathBuf {
    support::project_path(FIXTURES).join(name)
}

fn report(name: &str) -> ExchangeReport {
    let mut results = check_paths(&[path(name)], Profile::Strict).unwrap().results;
    assert_eq!(results.len(), 1, "{name}");
    results.remove(0)
}

/// The loops below must not pass by finding nothing: the folder holds exactly these bodies.
#[test]
fn the_fixture_folder_holds_the_listed_bodies() {
    let mut on_disk: Vec<String> = std::fs::read_dir(support::project_path(FIXTURES))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<&str> = CHAT.iter().chain(RESPONSES).copied().collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

/// The SDK sends compact JSON, so a raw body must be kept as JSON that rebuilds the same bytes
/// (a replay has to send what the client sent).
#[test]
fn sdk_bodies_load_as_raw_bodies_that_rebuild_their_bytes() {
    for name in CHAT.iter().chain(RESPONSES) {
        let bytes = std::fs::read(path(name)).unwrap();
        let mut loaded = load_bytes(name, &bytes);
        assert_eq!(loaded.len(), 1, "{name}");
        let loaded = loaded.remove(0);
        assert_eq!(loaded.kind, InputKind::RawBody, "{name}");
        let exchange = loaded.result.unwrap();
        let body = exchange.request.body.as_ref().unwrap();
        assert!(
            matches!(body, cursor_harness::capture::Body::Json(_)),
            "{name}"
        );
        assert_eq!(body.to_bytes().as_ref(), bytes.as_slice(), "{name}");
    }
}

#[test]
fn sdk_chat_bodies_are_chat_completions_and_conform_under_strict() {
    for name in CHAT {
        let report = report(name);
        let request = report.request.as_ref().unwrap();
        assert_eq!(request.dialect, Dialect::ChatCompletions, "{name}");
        assert_eq!(request.foreign, [], "{name}: {:?}", request.evidence);
        let errors: Vec<_> = request
            .violations
            .iter()
            .filter(|v| v.severity == Severity::Error)
            .collect();
        assert_eq!(errors, Vec::<&_>::new(), "{name}");
        assert_eq!(request.verdict, Verdict::Conforms, "{name}");
    }
}

#[test]
fn sdk_responses_bodies_are_responses_and_break() {
    for name in RESPONSES {
        let report = report(name);
        let request = report.request.as_ref().unwrap();
        assert_eq!(request.dialect, Dialect::Responses, "{name}");
        assert_eq!(request.verdict, Verdict::Breaks, "{name}");
        let has = |code: &str, path: &str| {
            request
                .violations
                .iter()
                .any(|v| v.code == code && v.path == path && v.severity == Severity::Error)
        };
        assert!(
            has("request.dialect", ""),
            "{name}: {:?}",
            request.violations
        );
        assert!(
            has("request.unknown-field", "/input"),
            "{name}: {:?}",
            request.violations
        );
        assert!(
            has("request.missing-field", "/messages"),
            "{name}: {:?}",
            request.violations
        );
    }
}

#[test]
fn sdk_responses_bodies_have_no_foreign_dialect() {
    for name in RESPONSES {
        let report = report(name);
        let request = report.request.as_ref().unwrap();
        assert_eq!(request.foreign, [], "{name}: {:?}", request.evidence);
    }
}

/// Native-endpoint exchanges (`tests/fixtures/sdk/native/`): each official SDK's request to its
/// own endpoint, as the exact bytes it sent, with an answer written from the provider's
/// reference that the same SDK parsed (see `generate_native.py`). Listed with the target each
/// was sent to.
const NATIVE: &[(&str, &str)] = &[
    ("anthropic/messages-thinking-stream.json", "/v1/messages"),
    ("anthropic/messages-tools.json", "/v1/messages"),
    (
        "gemini/generate-content-tools.json",
        "/v1beta/models/gemini-2.5-pro:generateContent",
    ),
    (
        "gemini/stream-generate-content-tools.json",
        "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
    ),
    ("openai/responses-tools-stream.json", "/v1/responses"),
    ("openai/responses-tools.json", "/v1/responses"),
];

fn native_root() -> PathBuf {
    support::project_path(FIXTURES).join("native")
}

fn native_capture(name: &str) -> (Vec<u8>, cursor_harness::capture::Exchange) {
    let bytes = std::fs::read(native_root().join(name)).unwrap();
    let mut loaded = load_bytes(name, &bytes);
    assert_eq!(loaded.len(), 1, "{name}");
    let loaded = loaded.remove(0);
    assert_eq!(loaded.kind, InputKind::Capture, "{name}");
    let exchange = loaded.result.unwrap_or_else(|err| panic!("{name}: {err}"));
    (bytes, exchange)
}

/// The loops below must not pass by finding nothing: the folder holds exactly these captures.
#[test]
fn the_native_folder_holds_the_listed_captures() {
    let root = native_root();
    let mut on_disk: Vec<String> = support::json_files(&root)
        .iter()
        .map(|path| {
            let relative = path.strip_prefix(&root).unwrap();
            relative.to_string_lossy().replace('\\', "/")
        })
        .collect();
    on_disk.sort();
    let listed: Vec<&str> = NATIVE.iter().map(|(name, _)| *name).collect();
    assert_eq!(on_disk, listed);
}

/// Each file loads as a capture, in the canonical form the tool writes, sent to the endpoint
/// it names, with its body kept as the exact bytes the SDK sent (their length is the
/// `content-length` the SDK put on the wire).
#[test]
fn native_exchanges_load_as_canonical_captures_of_their_endpoint() {
    for (name, target) in NATIVE {
        let (bytes, exchange) = native_capture(name);
        assert!(
            exchange.to_pretty_json() == bytes,
            "{name} differs from Exchange::to_pretty_json of itself; regenerate with \
             tests/fixtures/sdk/generate_native.py"
        );
        assert_eq!(
            exchange.provenance.kind,
            ProvenanceKind::Synthesized,
            "{name}"
        );
        assert_eq!(
            (
                exchange.request.method.as_str(),
                exchange.request.target.as_str()
            ),
            ("POST", *target),
            "{name}"
        );
        let body = exchange.request.body.as_ref().unwrap();
        let length: usize = exchange
            .request
            .header("content-length")
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(body.to_bytes().len(), length, "{name}");
        let response = exchange.response.as_ref().unwrap();
        assert_eq!(response.status, 200, "{name}");
        assert_eq!(
            response.is_event_stream(),
            name.contains("stream"),
            "{name}: a streamed call keeps chunks, the others a body"
        );
        if response.is_event_stream() {
            assert!(response.body.is_none(), "{name}");
            assert!(!response.stream_bytes().unwrap().is_empty(), "{name}");
        } else {
            assert!(response.body.as_ref().unwrap().json().is_ok(), "{name}");
        }
        assert!(exchange.error.is_none(), "{name}");
    }
}

/// The SDKs' credentials are on the wire, replaced by the recorder's token shape, and nothing
/// key-shaped survives anywhere in the files.
#[test]
fn native_exchanges_carry_redacted_credentials_and_no_secret() {
    for (name, _) in NATIVE {
        let (_, exchange) = native_capture(name);
        let credential = ["authorization", "x-api-key", "x-goog-api-key"]
            .iter()
            .find_map(|header| exchange.request.header(header))
            .unwrap_or_else(|| panic!("{name}: no credential header"));
        let token = credential.trim_start_matches("Bearer ");
        assert!(
            token.starts_with("[REDACTED:") && token.len() == "[REDACTED:0123456789ab]".len(),
            "{name}: {credential}"
        );
    }
    let report = cursor_harness::scan::scan_paths(&[native_root()]).unwrap();
    assert_eq!(report.files, NATIVE.len());
    assert!(report.is_clean(), "{}", report.render());
}

/// What each official SDK sends to its own endpoint, and the provider's own answer, conform to
/// that endpoint's contract: no error-severity violation in the request or the answer, under
/// the strict profile (the ground truth for each contract, as the Chat bodies are for Chat).
#[test]
fn native_exchanges_conform_under_the_contract_of_their_endpoint() {
    use cursor_harness::capture::Contract;
    for (name, _) in NATIVE {
        let (_, exchange) = native_capture(name);
        let report =
            cursor_harness::check::check_exchange(&exchange, (*name).to_owned(), Profile::Strict);
        let expected = match name.split('/').next().unwrap() {
            "openai" => Contract::Responses,
            "anthropic" => Contract::AnthropicMessages,
            _ => Contract::Gemini,
        };
        assert_eq!(report.contract, Some(expected), "{name}");
        let errors: Vec<String> = report
            .violations()
            .filter(|v| v.severity == Severity::Error)
            .map(|v| format!("{} at '{}': {}", v.code, v.path, v.message))
            .collect();
        assert!(errors.is_empty(), "{name}:\n{}", errors.join("\n"));
        assert_eq!(
            report.request.as_ref().unwrap().verdict,
            Verdict::Conforms,
            "{name}"
        );
        assert_eq!(
            report.response.as_ref().unwrap().verdict,
            Verdict::Conforms,
            "{name}"
        );
        assert!(!report.failed(), "{name}");
    }
}

/// The message the Responses answers amount to: what a client of that API ends up with.
#[test]
fn native_responses_answers_assemble_into_their_text_and_tool_calls() {
    use cursor_harness::conformance::{self, RequestContext};
    for name in [
        "openai/responses-tools.json",
        "openai/responses-tools-stream.json",
    ] {
        let (_, exchange) = native_capture(name);
        let request = &exchange.request;
        let body = request.body.as_ref().unwrap().json().unwrap();
        let context = RequestContext::from_body(&body, exchange.contract(), request.path());
        let checked = conformance::check_response(
            exchange.response.as_ref().unwrap(),
            &context,
            Profile::Strict,
        );
        let assembled = checked.assembled.expect("an assembled message");
        let choice = &assembled.choices[&0];
        assert!(
            !choice.content.is_empty() || !choice.tool_calls.is_empty(),
            "{name}: {choice:?}"
        );
        assert_eq!(choice.finish_reason.as_deref(), Some("completed"), "{name}");
        for call in &choice.tool_calls {
            assert!(call.name.is_some(), "{name}: {call:?}");
            serde_json::from_str::<serde_json::Value>(&call.arguments)
                .unwrap_or_else(|err| panic!("{name}: {err}: {}", call.arguments));
        }
    }
}

/// The SDKs' traffic recorded for real: each native request is sent through `record
/// --forward` (curl, absolute-form HTTP) to a loopback provider that answers with that
/// exchange's own answer. The captures land in the model's folder (Gemini's model from the
/// path), name the contract of their endpoint, and conform under it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_traffic_recorded_through_the_forward_proxy_conforms_in_its_model_folder() {
    use crate::support::recorder::{Recorder, forward_options};
    use crate::support::upstream::{Script, TestUpstream};
    use cursor_harness::capture::Contract;
    if !support::have_curl() {
        return;
    }
    // Answers by request: two exchanges share an endpoint, so the body tells them apart.
    let answers: Vec<(String, Vec<u8>, Script)> = NATIVE
        .iter()
        .map(|(name, target)| {
            let (_, exchange) = native_capture(name);
            let body = exchange
                .request
                .body
                .as_ref()
                .unwrap()
                .to_bytes()
                .into_owned();
            let response = exchange.response.unwrap();
            let script = match &response.stream {
                Some(chunks) => Script::SseWith {
                    headers: vec![("content-type".to_owned(), "text/event-stream".to_owned())],
                    events: chunks
                        .iter()
                        .map(|c| c.data.to_bytes().into_owned())
                        .collect(),
                    gap: std::time::Duration::ZERO,
                },
                None => Script::Json {
                    status: 200,
                    body: response.body.unwrap().to_bytes().into_owned(),
                },
            };
            ((*target).to_owned(), body, script)
        })
        .collect();
    let upstream = TestUpstream::start(move |received| {
        answers
            .iter()
            .find(|(target, body, _)| *target == received.target && *body == received.body)
            .map(|(_, _, script)| script.clone())
            .unwrap_or_else(|| panic!("no answer for {}", received.target))
    })
    .await;
    let ca = tempfile::tempdir().unwrap();
    let mut recorder = Recorder::start(forward_options(ca.path(), None)).await;
    let bodies = tempfile::tempdir().unwrap();
    for (name, target) in NATIVE {
        let (_, exchange) = native_capture(name);
        let body = bodies.path().join(name.replace('/', "-"));
        std::fs::write(&body, exchange.request.body.as_ref().unwrap().to_bytes()).unwrap();
        let output = tokio::process::Command::from(support::curl())
            .args(["-sS", "--max-time", "20", "--proxy"])
            .arg(format!("http://{}", recorder.addr))
            .args(["-H", "content-type: application/json", "--data-binary"])
            .arg(format!("@{}", body.display()))
            .arg(format!("http://{}{target}", upstream.addr))
            .output()
            .await
            .unwrap();
        assert!(
            output.status.success(),
            "{name}: {}",
            support::describe(&output)
        );
    }
    recorder.stop().await;
    let recorded = recorder.exchanges();
    assert_eq!(recorded.len(), NATIVE.len());
    for (path, exchange) in &recorded {
        let expected_model = match exchange.contract {
            Some(Contract::Gemini) => "gemini-2.5-pro",
            Some(Contract::AnthropicMessages) => "claude-sonnet-4-5",
            Some(Contract::Responses) => "gpt-5",
            other => panic!("{}: contract {other:?}", path.display()),
        };
        let model = exchange.model.as_deref().unwrap_or_default();
        assert!(
            model.starts_with(expected_model),
            "{}: model {model}",
            path.display()
        );
        assert!(
            path.starts_with(recorder.session_dir().join(model)),
            "{} is not in the model's folder",
            path.display()
        );
        let report = cursor_harness::check::check_exchange(
            exchange,
            path.display().to_string(),
            Profile::Strict,
        );
        let errors: Vec<String> = report
            .violations()
            .filter(|v| v.severity == Severity::Error)
            .map(|v| format!("{} at '{}': {}", v.code, v.path, v.message))
            .collect();
        assert!(
            errors.is_empty(),
            "{}:\n{}",
            path.display(),
            errors.join("\n")
        );
    }
}

/// What the Anthropic SDK sent and parsed conforms to the Anthropic Messages contract: no
/// violation at all, in the request or the answer, under either profile, judged by the
/// contract of `/v1/messages` with the model of the body.
#[test]
fn native_anthropic_exchanges_conform_under_the_messages_contract() {
    use cursor_harness::capture::Contract;
    let names: Vec<&str> = NATIVE
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| name.starts_with("anthropic/"))
        .collect();
    assert_eq!(names.len(), 2);
    for name in names {
        for profile in [Profile::Strict, Profile::Lenient] {
            let mut results = check_paths(&[native_root().join(name)], profile)
                .unwrap()
                .results;
            assert_eq!(results.len(), 1, "{name}");
            let report = results.remove(0);
            assert_eq!(report.contract, Some(Contract::AnthropicMessages), "{name}");
            assert_eq!(report.model.as_deref(), Some("claude-sonnet-4-5"), "{name}");
            let request = report.request.as_ref().unwrap();
            assert_eq!(request.dialect, Dialect::Anthropic, "{name}");
            assert_eq!(request.violations, [], "{name} ({profile:?})");
            let response = report.response.as_ref().unwrap();
            assert_eq!(response.dialect, Some(Dialect::Anthropic), "{name}");
            assert_eq!(response.violations, [], "{name} ({profile:?})");
            assert!(!report.failed(), "{name}");
        }
    }
}

/// The checker reads each Anthropic answer into the message the SDK made of it
/// (`generate_native.py` asserts the same values on the SDK's side).
#[test]
fn native_anthropic_answers_assemble_as_the_sdk_read_them() {
    use cursor_harness::conformance::{RequestContext, check_response};
    let read = |name: &str| {
        let (_, exchange) = native_capture(name);
        let body = exchange.request.body.as_ref().unwrap().json().unwrap();
        let context =
            RequestContext::from_body(&body, exchange.contract(), exchange.request.path());
        let checked = check_response(
            exchange.response.as_ref().unwrap(),
            &context,
            Profile::Strict,
        );
        checked.assembled.expect("an assembled message")
    };

    let message = read("anthropic/messages-tools.json");
    let choice = &message.choices[&0];
    assert_eq!(
        choice.content,
        "It is 18 degrees Celsius and cloudy in Paris right now."
    );
    assert_eq!(choice.finish_reason.as_deref(), Some("end_turn"));
    assert!(choice.tool_calls.is_empty());
    assert_eq!(message.model.as_deref(), Some("claude-sonnet-4-5-20250929"));

    let streamed = read("anthropic/messages-thinking-stream.json");
    let choice = &streamed.choices[&0];
    assert_eq!(
        choice.content,
        "I'll check the current weather in Paris for you."
    );
    assert!(
        choice
            .reasoning
            .starts_with("The user wants the current weather in Paris")
    );
    assert_eq!(choice.finish_reason.as_deref(), Some("tool_use"));
    let call = &choice.tool_calls[0];
    assert_eq!(call.name.as_deref(), Some("get_weather"));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&call.arguments).unwrap(),
        serde_json::json!({"city": "Paris", "unit": "c"})
    );
    let usage = streamed.usage.as_ref().unwrap();
    assert_eq!(
        (
            usage["input_tokens"].as_u64(),
            usage["output_tokens"].as_u64()
        ),
        (Some(758), Some(121))
    );
}

/// google-genai's own exchanges with `generateContent` and `streamGenerateContent?alt=sse`
/// conform to the Gemini contract under the strict profile with nothing to report at all (no
/// warning either: the SDK's mixed snake_case and camelCase names, URL-safe and standard base64
/// signatures, CRLF framing and the missing `[DONE]` are all what the API itself does), are
/// filed under the model their path names, and assemble to what the SDK made of them.
#[test]
fn native_gemini_exchanges_conform_to_the_gemini_contract() {
    use cursor_harness::capture::Contract;
    use cursor_harness::conformance::{RequestContext, check_response};

    for (name, _) in NATIVE
        .iter()
        .filter(|(name, _)| name.starts_with("gemini/"))
    {
        let (_, exchange) = native_capture(name);
        assert_eq!(exchange.contract(), Some(Contract::Gemini), "{name}");
        assert_eq!(exchange.model_name(), Some("gemini-2.5-pro"), "{name}");
        assert_eq!(
            cursor_harness::capture::layout::folder_for(&exchange),
            "gemini-2.5-pro",
            "{name}"
        );
        let report =
            cursor_harness::check::check_exchange(&exchange, (*name).to_owned(), Profile::Strict);
        assert_eq!(report.model.as_deref(), Some("gemini-2.5-pro"), "{name}");
        assert_eq!(report.contract, Some(Contract::Gemini), "{name}");
        let request = report.request.as_ref().unwrap();
        assert_eq!(request.dialect, Dialect::Gemini, "{name}");
        let response = report.response.as_ref().unwrap();
        let all: Vec<_> = request
            .violations
            .iter()
            .chain(&response.violations)
            .collect();
        assert!(all.is_empty(), "{name}: {all:#?}");
        assert_eq!(
            (request.verdict, response.verdict),
            (Verdict::Conforms, Verdict::Conforms),
            "{name}"
        );

        let body = exchange.request.body.as_ref().unwrap().json().unwrap();
        let context =
            RequestContext::from_body(&body, exchange.contract(), &exchange.request.target);
        let assembled = check_response(
            exchange.response.as_ref().unwrap(),
            &context,
            Profile::Strict,
        )
        .assembled
        .unwrap_or_else(|| panic!("{name}: nothing assembled"));
        assert_eq!(assembled.model.as_deref(), Some("gemini-2.5-pro"), "{name}");
        let choice = &assembled.choices[&0];
        assert_eq!(choice.finish_reason.as_deref(), Some("STOP"), "{name}");
        let usage = assembled.usage.as_ref().unwrap();
        if name.contains("stream") {
            // Two thought-summary parts, then one function call with its arguments.
            assert!(choice.content.is_empty(), "{name}: {:?}", choice.content);
            assert!(
                choice.reasoning.starts_with("**Checking the Weather**"),
                "{name}"
            );
            assert_eq!(choice.tool_calls.len(), 1, "{name}");
            let call = &choice.tool_calls[0];
            assert_eq!(call.name.as_deref(), Some("get_weather"));
            let args: serde_json::Value = serde_json::from_str(&call.arguments).unwrap();
            assert_eq!(args, serde_json::json!({"city": "Paris", "unit": "c"}));
            assert_eq!(usage["totalTokenCount"], 177, "the last event's usage");
        } else {
            assert_eq!(
                choice.content,
                "It is 18 degrees Celsius and cloudy in Paris right now."
            );
            assert!(choice.tool_calls.is_empty());
            assert_eq!(usage["totalTokenCount"], 166);
        }
    }
}

/// The same SDK bodies under another contract break, and say why: the model and the choice to
/// stream are in the path, so a Chat Completions checker cannot read them.
#[test]
fn native_gemini_bodies_break_as_chat_completions() {
    use cursor_harness::capture::Contract;

    let (_, exchange) = native_capture("gemini/generate-content-tools.json");
    let report = cursor_harness::check::check_exchange_as(
        &exchange,
        "gemini".to_owned(),
        Profile::Strict,
        Some(Contract::ChatCompletions),
    );
    let request = report.request.unwrap();
    assert_eq!(request.verdict, Verdict::Breaks);
    assert!(
        request
            .violations
            .iter()
            .any(|v| v.code == "request.dialect" && v.dialect == Some(Dialect::Gemini)),
        "{:?}",
        request.violations
    );
}
