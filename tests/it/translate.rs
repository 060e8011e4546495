//! `translate`: every format Cursor sends becomes a Chat Completions request that the strict
//! contract accepts, with what it lost; and the answer direction gives Cursor a custom tool's
//! raw text back.

use std::collections::BTreeSet;

use bytes::Bytes;
use cursor_harness::capture::input::{Candidate, load};
use cursor_harness::capture::{Body, Chunk, Exchange};
use cursor_harness::check::check_exchange;
use cursor_harness::conformance::{Profile, Severity};
use cursor_harness::conversation::answer::StreamUnwrapper;
use cursor_harness::conversation::{self, to_chat};
use cursor_harness::dialect::{self, Dialect};
use serde_json::{Value, json};

use crate::support::process::Server;
use crate::support::recorder::post_chat;
use crate::support::{self, describe, harness, run};

fn golden() -> Vec<(String, Exchange)> {
    support::json_files(&support::project_path("captures/golden"))
        .into_iter()
        .map(|path| {
            let exchange = load(&Candidate::File(path.clone()))
                .remove(0)
                .result
                .unwrap();
            (path.display().to_string(), exchange)
        })
        .collect()
}

fn translated(exchange: &Exchange) -> Option<(Dialect, conversation::Translation)> {
    let body = exchange.request.body.as_ref()?.json().ok()?;
    let classification = dialect::classify(&body, &exchange.request.headers);
    let read = conversation::read(&body, classification.dialect, exchange.request.path())?;
    Some((classification.dialect, to_chat(&read)))
}

fn request_errors(body: &Value) -> Vec<String> {
    let mut exchange = golden().remove(0).1;
    exchange.request.body = Some(Body::Json(body.clone()));
    exchange.request.target = "/v1/chat/completions".to_owned();
    exchange.request.method = "POST".to_owned();
    exchange.contract = None;
    exchange.response = None;
    let report = check_exchange(&exchange, "translated".into(), Profile::Strict);
    report
        .violations()
        .filter(|v| v.severity == Severity::Error)
        .map(|v| format!("{} at {}: {}", v.code, v.path, v.message))
        .collect()
}

#[test]
fn every_golden_request_translates_into_a_strict_chat_body_with_its_losses() {
    let mut failures = Vec::new();
    let mut translated_count = 0;
    for (path, exchange) in golden() {
        let Some((dialect, translation)) = translated(&exchange) else {
            continue;
        };
        translated_count += 1;
        let errors = request_errors(&translation.body);
        if !errors.is_empty() {
            failures.push(format!("{path} ({dialect}):\n  {}", errors.join("\n  ")));
        }
        if dialect == Dialect::Responses && translation.losses.is_empty() {
            failures.push(format!("{path}: a Responses hybrid loses nothing?"));
        }
        for loss in &translation.losses {
            if loss.why.is_empty() || !loss.path.starts_with('/') {
                failures.push(format!("{path}: a loss without a reason or path: {loss:?}"));
            }
        }
    }
    assert!(
        translated_count >= 30,
        "{translated_count} golden requests translated"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn cursors_formats_map_as_documented() {
    let find = |name: &str| {
        golden()
            .into_iter()
            .find(|(path, _)| path.contains(name))
            .unwrap()
            .1
    };
    let (_, hybrid) = translated(&find("0001-hybrid-agent-tool-history")).unwrap();
    let body = &hybrid.body;
    assert_eq!(body["messages"][0]["role"], "system");
    assert!(body["reasoning_effort"].is_string(), "{body}");
    let apply_patch = body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["function"]["name"] == "ApplyPatch")
        .expect("ApplyPatch is offered as a function");
    assert_eq!(
        apply_patch["function"]["parameters"]["required"],
        json!(["input"])
    );
    assert!(
        apply_patch["function"]["description"]
            .as_str()
            .unwrap()
            .contains("grammar")
    );
    let lost: BTreeSet<&str> = hybrid.losses.iter().map(|l| l.path.as_str()).collect();
    for field in [
        "/store",
        "/include",
        "/truncation",
        "/previous_response_id",
        "/prompt_cache_retention",
    ] {
        assert!(
            lost.contains(field),
            "{field} dropped with a reason: {lost:?}"
        );
    }
    // Calls and their outputs pair up in the Chat history.
    let messages = body["messages"].as_array().unwrap();
    let calls: Vec<&str> = messages
        .iter()
        .flat_map(|m| m["tool_calls"].as_array().into_iter().flatten())
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let answered: Vec<&str> = messages
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| m["tool_call_id"].as_str().unwrap())
        .collect();
    assert!(!calls.is_empty());
    assert_eq!(calls, answered);

    let (_, anthropic) = translated(&find("0005-anthropic-tool-history")).unwrap();
    let body = &anthropic.body;
    assert_eq!(
        body["messages"][0]["role"], "system",
        "system blocks become a system message"
    );
    assert!(
        body["tools"][0]["function"]["parameters"].is_object(),
        "input_schema becomes parameters"
    );
    assert!(
        anthropic.losses.iter().any(|l| l.what.contains("cache")),
        "{:?}",
        anthropic.losses
    );
    let tool_message = body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "tool")
        .unwrap();
    assert!(
        tool_message["tool_call_id"]
            .as_str()
            .unwrap()
            .starts_with("toolu_")
    );

    let (_, mixed) = translated(&find("0004-mixed-chat-empty-assistant-content")).unwrap();
    let text = mixed.body.to_string();
    assert!(
        !text.contains("\"content\":[]"),
        "content [] is fixed: {text}"
    );
    assert!(
        mixed.body["tools"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["type"] == "function"),
        "{text}"
    );
}

/// The golden streams through the answer direction: a stream with no custom tool passes
/// unchanged; ApplyPatch arguments wrapped as `{"input": …}` (what a provider answers to the
/// translated request) reach Cursor as the raw patch, and Cursor's rules hold.
#[test]
fn the_answer_direction_gives_cursor_the_raw_patch_and_leaves_other_streams_alone() {
    let custom: BTreeSet<String> = ["ApplyPatch".to_owned()].into();
    for (path, exchange) in golden() {
        let Some(stream) = exchange.response.as_ref().and_then(|r| r.stream.as_ref()) else {
            continue;
        };
        let bytes: Vec<u8> = stream
            .iter()
            .flat_map(|c| c.data.to_bytes().into_owned())
            .collect();
        if String::from_utf8_lossy(&bytes).contains("ApplyPatch") {
            continue;
        }
        let mut unwrapper = StreamUnwrapper::new(custom.clone());
        let out: Vec<u8> = cursor_harness::sse::split_events(&bytes)
            .flat_map(|event| unwrapper.event(event))
            .flat_map(|b| b.to_vec())
            .collect();
        let compact = |text: &[u8]| -> Vec<Value> {
            cursor_harness::sse::split_events(text)
                .filter_map(|e| {
                    String::from_utf8_lossy(e)
                        .trim()
                        .strip_prefix("data: ")
                        .map(str::to_owned)
                })
                .map(|d| serde_json::from_str(&d).unwrap_or(Value::String(d)))
                .collect()
        };
        assert_eq!(compact(&out), compact(&bytes), "{path}");
    }

    let (_, patch_stream) = golden()
        .into_iter()
        .find(|(p, _)| p.contains("0003-hybrid-apply-patch"))
        .unwrap();
    let raw_patch = "*** Begin Patch\n*** Update File: a.py\n@@\n-x = old\n+x = new\n*** End Patch";
    let wrapped = json!({"input": raw_patch}).to_string();
    let (first, rest) = wrapped.split_at(20);
    let chunk = |delta: Value, finish: Value| {
        format!(
            "data: {}\n\n",
            json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1,
            "model": "gpt-5.5", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
        )
    };
    let provider_events = [
        chunk(
            json!({"role": "assistant", "tool_calls": [{"index": 0, "id": "call_9", "type": "function",
            "function": {"name": "ApplyPatch", "arguments": ""}}]}),
            Value::Null,
        ),
        chunk(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": first}}]}),
            Value::Null,
        ),
        chunk(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": rest}}]}),
            Value::Null,
        ),
        chunk(json!({}), json!("tool_calls")),
        "data: [DONE]\n\n".to_owned(),
    ];
    let mut unwrapper = StreamUnwrapper::new(custom);
    let cursor_events: Vec<Bytes> = provider_events
        .iter()
        .flat_map(|e| unwrapper.event(e.as_bytes()))
        .collect();
    let mut exchange = patch_stream;
    let response = exchange.response.as_mut().unwrap();
    response.stream = Some(
        cursor_events
            .iter()
            .enumerate()
            .map(|(i, e)| Chunk::new(Some(i as f64), e))
            .collect(),
    );
    let report = check_exchange(&exchange, "unwrapped".into(), Profile::Strict);
    let answer = report.response.as_ref().unwrap();
    let broken: Vec<_> = answer
        .violations
        .iter()
        .filter(|v| v.severity == Severity::Error)
        .collect();
    assert!(broken.is_empty(), "{broken:?}");
    let text: String = cursor_events
        .iter()
        .map(|e| String::from_utf8_lossy(e).into_owned())
        .collect();
    assert!(
        text.contains("*** Begin Patch\\n*** Update File: a.py"),
        "{text}"
    );
    assert!(
        !text.contains("{\\\"input\\\""),
        "the wrapper came off: {text}"
    );
}

#[test]
fn translate_prints_the_body_and_the_losses_and_writes_the_body_to_out() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chat.json");
    let capture = support::project_path(
        "captures/golden/claude-sonnet-4-5/0005-anthropic-tool-history-read-file-stream.json",
    );
    let output = run(harness()
        .arg("translate")
        .arg(&capture)
        .arg("--out")
        .arg(&out));
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("translated from Anthropic Messages"),
        "{stdout}"
    );
    assert!(stdout.contains("lost a prompt-cache marker"), "{stdout}");
    let body: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(
        request_errors(&body).is_empty(),
        "{:?}",
        request_errors(&body)
    );
    let json_output = run(harness()
        .arg("translate")
        .arg(&capture)
        .args(["--format", "json"]));
    let document: Value = serde_json::from_slice(&json_output.stdout).unwrap();
    assert_eq!(document["dialect"], "anthropic");
    assert!(!document["losses"].as_array().unwrap().is_empty());
    let missing = run(harness().args(["translate", "no-such-file.json"]));
    assert_eq!(missing.status.code(), Some(2), "{}", describe(&missing));
}

/// `gateway --profile translate`: replaying every golden capture to it gets a 200 for every
/// request Cursor sends, whatever its format, and every answer conforms to what Cursor needs;
/// each answer says what it was translated from and how many fields were lost.
#[test]
fn the_translate_profile_answers_every_cursor_format_and_every_answer_conforms() {
    let out = tempfile::tempdir().unwrap();
    let golden = support::project_path("captures/golden");
    let replayed = crate::replay::replay(
        out.path(),
        "translate",
        &[golden.to_str().unwrap(), "--target", "embedded:translate"],
        &[],
    );
    assert_eq!(
        replayed.output.status.code(),
        Some(0),
        "{}",
        describe(&replayed.output)
    );
    let mut translated_from = BTreeSet::new();
    for path in support::json_files(&replayed.dir) {
        if path.ends_with("run.json") {
            continue;
        }
        let exchange = load(&Candidate::File(path.clone()))
            .remove(0)
            .result
            .unwrap();
        let response = exchange.response.as_ref().unwrap();
        assert_eq!(response.status, 200, "{}", path.display());
        let report = check_exchange(&exchange, path.display().to_string(), Profile::Strict);
        let broken: Vec<String> = report
            .response
            .iter()
            .flat_map(|r| &r.violations)
            .filter(|v| v.severity == Severity::Error)
            .map(|v| format!("{} at {}: {}", v.code, v.path, v.message))
            .collect();
        assert!(broken.is_empty(), "{}: {broken:?}", path.display());
        if let Some(from) = response.header("x-cursor-harness-translated-from") {
            translated_from.insert(from.to_owned());
            let losses: usize = response
                .header("x-cursor-harness-losses")
                .unwrap()
                .parse()
                .unwrap();
            if from != "chat-completions" {
                assert!(
                    losses > 0,
                    "{}: a {from} body lost nothing?",
                    path.display()
                );
            }
        }
    }
    for dialect in ["responses", "anthropic", "chat-completions"] {
        assert!(translated_from.contains(dialect), "{translated_from:?}");
    }
}

/// A custom tool's call comes back to Cursor as the raw text, in a stream and in a completion.
#[test]
fn the_translate_profile_answers_applypatch_with_the_raw_patch() {
    let gateway = Server::start(&[
        "gateway",
        "--listen",
        "127.0.0.1:0",
        "--profile",
        "translate",
    ]);
    let body = |stream: bool| {
        json!({
            "model": "gpt-5.5",
            "input": [{"role": "user", "content": [{"type": "input_text", "text": "add hello.txt"}]}],
            "tools": [{"type": "custom", "name": "ApplyPatch", "description": "Apply a patch",
                "format": {"type": "grammar", "syntax": "lark", "definition": "start: /.+/"}}],
            "tool_choice": "required",
            "stream": stream,
            "store": false
        })
    };
    let rt = support::runtime();
    let streamed = rt.block_on(post_chat(gateway.addr, "/v1/chat/completions", &body(true)));
    assert_eq!(streamed.status, 200, "{}", streamed.text());
    let arguments: String = cursor_harness::sse::split_events(&streamed.body())
        .filter_map(|event| {
            let text = String::from_utf8_lossy(event).into_owned();
            let data: Value = serde_json::from_str(text.trim().strip_prefix("data: ")?).ok()?;
            data.pointer("/choices/0/delta/tool_calls/0/function/arguments")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect();
    assert!(arguments.starts_with("*** Begin Patch\n"), "{arguments:?}");
    let whole = rt.block_on(post_chat(
        gateway.addr,
        "/v1/chat/completions",
        &body(false),
    ));
    let completion: Value = serde_json::from_slice(&whole.body()).unwrap();
    let arguments = completion["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
        .as_str()
        .unwrap();
    assert!(arguments.starts_with("*** Begin Patch\n"), "{completion}");
    assert_eq!(
        whole.headers["x-cursor-harness-translated-from"],
        "responses"
    );
}

/// `run` against the translating profile: every golden request is answered, every answer
/// conforms, and the report lists what the translation lost per format.
#[test]
fn a_run_against_the_translating_gateway_lists_the_losses_per_format() {
    let out = tempfile::tempdir().unwrap();
    let output = crate::support::run(
        crate::support::harness()
            .args([
                "run",
                "scenarios/golden.toml",
                "--target",
                "embedded:translate",
                "--out",
            ])
            .arg(out.path()),
    );
    // The golden expectations pin a strict gateway's refusals, so they fail here; the answers
    // are what this test is about.
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        crate::support::describe(&output)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("report.json")).unwrap()).unwrap();
    crate::schemas::assert_matches(
        &crate::schemas::schema("schemas/report.schema.json"),
        &report,
        "report.json against the translating gateway",
        "schemas/report.schema.json",
    );
    let summary = &report["summary"];
    assert_eq!(
        summary["responses_conform"], summary["exchanges"],
        "{summary}"
    );
    assert_eq!(summary["responses_break"], 0);
    let hybrid = report["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["model"] == "gpt-5.5" && e["request"]["dialect"] == "responses")
        .unwrap();
    let losses = hybrid["losses"].to_string();
    assert!(losses.contains("/store"), "{losses}");
    let markdown = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    assert!(markdown.contains("## What translation into Chat Completions loses, per format"));
    assert!(markdown.contains("prompt-cache marker"), "{markdown}");
    assert!(markdown.len() <= cursor_harness::report::markdown::DEFAULT_LIMIT);
}
