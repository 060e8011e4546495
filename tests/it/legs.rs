//! `legs`: a gateway's client leg against its provider leg. One case per `leg.*` rule (a pair
//! where the gateway loses or mangles something, and the same pair carried faithfully), the
//! correlation cases (concurrent requests, retries, strangers on either side), and the command
//! on a hand-made pair of folders.

use cursor_harness::capture::{Body, Exchange, Provenance, ProvenanceKind, Request, Response};
use cursor_harness::conformance::{Category, Profile, Rule, Verdict};
use cursor_harness::legs::{LegsReport, legs};
use serde_json::{Value, json};

use crate::support::{self, describe, harness, run};

fn exchange(target: &str, body: Value, at: &str) -> Exchange {
    let mut exchange = Exchange::new(
        "legs",
        Provenance {
            kind: ProvenanceKind::Synthesized,
            source: "tests/it/legs.rs".to_owned(),
        },
        Request {
            method: "POST".to_owned(),
            target: target.to_owned(),
            http_version: "HTTP/1.1".to_owned(),
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: Some(Body::Json(body)),
            omitted: None,
            encoding_mismatch: None,
        },
    );
    exchange.recorded_at = format!("2026-12-01T10:00:{at}Z");
    exchange
}

fn answered(mut exchange: Exchange, body: Value) -> Exchange {
    exchange.response = Some(Response {
        status: 200,
        http_version: "HTTP/1.1".to_owned(),
        headers: vec![("content-type".to_owned(), "application/json".to_owned())],
        headers_at_ms: Some(10.0),
        body: Some(Body::Json(body)),
        stream: None,
        ended_at_ms: Some(500.0),
        omitted: None,
        encoding_mismatch: None,
    });
    exchange
}

/// Cursor's Claude-shaped body (system blocks, a tool round trip, an input_schema tool).
fn client_body() -> Value {
    json!({
        "model": "claude-sonnet-4-5",
        "system": [{"type": "text", "text": "You are a coding agent.", "cache_control": {"type": "ephemeral"}}],
        "messages": [
            {"role": "user", "content": "Read a.ts"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "read_file", "input": {"path": "a.ts"}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "export {}"},
                                         {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}}]}
        ],
        "tools": [{"name": "read_file", "description": "Read a file", "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}}}],
        "tool_choice": {"type": "auto"},
        "temperature": 0.2,
        "max_tokens": 1024,
        "stream": false
    })
}

/// What a translating gateway should send an OpenAI-style provider for it.
fn provider_body() -> Value {
    json!({
        "model": "claude-sonnet-4-5",
        "messages": [
            {"role": "system", "content": "You are a coding agent."},
            {"role": "user", "content": "Read a.ts"},
            {"role": "assistant", "content": null, "tool_calls": [{"id": "toolu_1", "type": "function",
                "function": {"name": "read_file", "arguments": "{\"path\":\"a.ts\"}"}}]},
            {"role": "tool", "tool_call_id": "toolu_1", "content": "export {}"},
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]}
        ],
        "tools": [{"type": "function", "function": {"name": "read_file", "description": "Read a file",
            "parameters": {"type": "object", "properties": {"path": {"type": "string"}}}}}],
        "tool_choice": "auto",
        "temperature": 0.2,
        "max_completion_tokens": 1024
    })
}

fn chat_answer(content: &str, finish: &str) -> Value {
    json!({"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": null},
                     "logprobs": null, "finish_reason": finish}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}})
}

fn pair(client: Value, provider: Value) -> (Exchange, Exchange) {
    (
        answered(
            exchange("/v1/chat/completions", client, "00.000"),
            chat_answer("Done.", "stop"),
        ),
        answered(
            exchange("/v1/chat/completions", provider, "00.100"),
            chat_answer("Done.", "stop"),
        ),
    )
}

fn compare(client: Exchange, provider: Exchange) -> LegsReport {
    legs(
        vec![("client.json".to_owned(), client)],
        vec![("provider.json".to_owned(), provider)],
        Profile::Strict,
    )
}

/// `body` with the value at `pointer` replaced, or added as a new key.
fn set(mut body: Value, pointer: &str, value: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    match body
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("{pointer}"))
    {
        Value::Object(map) => {
            map.insert(key.to_owned(), value);
        }
        Value::Array(items) => items[key.parse::<usize>().unwrap()] = value,
        _ => panic!("{pointer}"),
    }
    body
}

fn remove(mut body: Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    match body.pointer_mut(parent).unwrap() {
        Value::Object(map) => {
            map.remove(key);
        }
        Value::Array(items) => {
            items.remove(key.parse().unwrap());
        }
        _ => panic!("{pointer}"),
    }
    body
}

struct Case {
    code: &'static str,
    what: &'static str,
    mangled: (Exchange, Exchange),
    carried: (Exchange, Exchange),
}

fn case(
    code: &'static str,
    what: &'static str,
    mangled: (Exchange, Exchange),
    carried: (Exchange, Exchange),
) -> Case {
    Case {
        code,
        what,
        mangled,
        carried,
    }
}

fn faithful() -> (Exchange, Exchange) {
    pair(client_body(), provider_body())
}

fn cases() -> Vec<Case> {
    let answer = |content: &str, finish: &str, provider_content: &str, provider_finish: &str| {
        (
            answered(
                exchange("/v1/chat/completions", client_body(), "00.000"),
                chat_answer(content, finish),
            ),
            answered(
                exchange("/v1/chat/completions", provider_body(), "00.100"),
                chat_answer(provider_content, provider_finish),
            ),
        )
    };
    vec![
        case(
            "leg.system-dropped",
            "Portkey dropped the system prompt of an Anthropic-shaped body",
            pair(client_body(), remove(provider_body(), "/messages/0")),
            faithful(),
        ),
        case(
            "leg.system-changed",
            "the gateway replaced the system prompt with its own",
            pair(
                client_body(),
                set(
                    provider_body(),
                    "/messages/0/content",
                    json!("You are a gateway."),
                ),
            ),
            faithful(),
        ),
        case(
            "leg.message-dropped",
            "the gateway dropped the user's message",
            pair(client_body(), remove(provider_body(), "/messages/1")),
            faithful(),
        ),
        case(
            "leg.image-dropped",
            "the gateway dropped the image",
            pair(client_body(), remove(provider_body(), "/messages/4")),
            faithful(),
        ),
        case(
            "leg.tool-dropped",
            "the gateway offered the provider no tools",
            pair(
                client_body(),
                remove(remove(provider_body(), "/tools"), "/tool_choice"),
            ),
            faithful(),
        ),
        case(
            "leg.tool-changed",
            "the tool's description was cut",
            pair(
                client_body(),
                set(
                    provider_body(),
                    "/tools/0/function/description",
                    json!("Read"),
                ),
            ),
            faithful(),
        ),
        case(
            "leg.tool-untranslated",
            "Anthropic tools and tool blocks passed through into a Chat body",
            pair(
                client_body(),
                set(
                    set(provider_body(), "/tools", client_body()["tools"].clone()),
                    "/messages/2",
                    client_body()["messages"][1].clone(),
                ),
            ),
            faithful(),
        ),
        case(
            "leg.passed-through",
            "LiteLLM forwarded the top-level `system` raw to an OpenAI-style provider",
            pair(
                client_body(),
                set(
                    remove(provider_body(), "/messages/0"),
                    "/system",
                    client_body()["system"].clone(),
                ),
            ),
            faithful(),
        ),
        case(
            "leg.tool-call-lost",
            "the assistant's tool call was dropped from the history",
            pair(
                client_body(),
                set(
                    provider_body(),
                    "/messages/2",
                    json!({"role": "assistant", "content": "ok"}),
                ),
            ),
            faithful(),
        ),
        case(
            "leg.tool-result-lost",
            "the tool result was dropped from the history",
            pair(client_body(), remove(provider_body(), "/messages/3")),
            faithful(),
        ),
        case(
            "leg.tool-choice-changed",
            "tool_choice any became auto",
            pair(
                set(client_body(), "/tool_choice", json!({"type": "any"})),
                provider_body(),
            ),
            pair(
                set(client_body(), "/tool_choice", json!({"type": "any"})),
                set(provider_body(), "/tool_choice", json!("required")),
            ),
        ),
        case(
            "leg.param-dropped",
            "the temperature was dropped",
            pair(client_body(), remove(provider_body(), "/temperature")),
            faithful(),
        ),
        case(
            "leg.param-changed",
            "the token limit was lowered",
            pair(
                client_body(),
                set(provider_body(), "/max_completion_tokens", json!(256)),
            ),
            faithful(),
        ),
        case(
            "leg.cache-dropped",
            "cache_control markers do not reach a Chat provider",
            faithful(),
            pair(
                remove(client_body(), "/system/0/cache_control"),
                provider_body(),
            ),
        ),
        case(
            "leg.provider-request-breaks",
            "the provider got a Chat body without messages",
            pair(
                client_body(),
                remove(provider_body(), "/messages/4/content"),
            ),
            faithful(),
        ),
        case(
            "leg.unlike-reference",
            "the gateway sent `top_k`, which the reference translation drops",
            pair(
                set(client_body(), "/top_k", json!(40)),
                set(provider_body(), "/top_k", json!(40)),
            ),
            pair(set(client_body(), "/top_k", json!(40)), provider_body()),
        ),
        case(
            "leg.answer-changed",
            "the gateway rewrote the answer",
            answer("Something else.", "stop", "Done.", "stop"),
            answer("Done.", "stop", "Done.", "stop"),
        ),
        case(
            "leg.answer-finish-changed",
            "a length cut-off reached the client as a normal stop",
            answer("Done.", "stop", "Done.", "length"),
            answer("Done.", "length", "Done.", "length"),
        ),
        case(
            "leg.answer-tool-call-lost",
            "the provider's tool call never reached the client",
            {
                let mut provider_answer = chat_answer("", "tool_calls");
                provider_answer["choices"][0]["message"]["tool_calls"] = json!([{"id": "c9", "type": "function",
                "function": {"name": "read_file", "arguments": "{\"path\":\"b.ts\"}"}}]);
                (
                    answered(
                        exchange("/v1/chat/completions", client_body(), "00.000"),
                        chat_answer("", "stop"),
                    ),
                    answered(
                        exchange("/v1/chat/completions", provider_body(), "00.100"),
                        provider_answer,
                    ),
                )
            },
            faithful(),
        ),
        case(
            "leg.answer-usage-dropped",
            "the provider reported usage, the client got none",
            {
                let mut client_answer = chat_answer("Done.", "stop");
                client_answer.as_object_mut().unwrap().remove("usage");
                (
                    answered(
                        exchange("/v1/chat/completions", client_body(), "00.000"),
                        client_answer,
                    ),
                    answered(
                        exchange("/v1/chat/completions", provider_body(), "00.100"),
                        chat_answer("Done.", "stop"),
                    ),
                )
            },
            faithful(),
        ),
    ]
}

fn codes(report: &LegsReport) -> Vec<String> {
    report
        .pairs
        .iter()
        .flat_map(|p| {
            p.findings.iter().map(|f| {
                format!(
                    "{} {:?}→{:?}: {}",
                    f.code, f.client_path, f.provider_path, f.message
                )
            })
        })
        .collect()
}

#[test]
fn every_leg_rule_has_a_case() {
    let cases = cases();
    let missing: Vec<&str> = Rule::ALL
        .iter()
        .filter(|rule| rule.category() == Category::Leg)
        .map(|rule| rule.code())
        .filter(|code| !cases.iter().any(|c| c.code == *code))
        .collect();
    assert!(missing.is_empty(), "leg rules without a case: {missing:?}");
}

#[test]
fn each_mangled_pair_reports_its_rule_and_each_carried_pair_does_not() {
    let mut failures = Vec::new();
    for case in cases() {
        let rule = Rule::from_code(case.code).unwrap();
        let mangled = compare(case.mangled.0, case.mangled.1);
        assert_eq!(mangled.pairs.len(), 1, "{}: not linked", case.code);
        let found = mangled.pairs[0]
            .findings
            .iter()
            .find(|f| f.code == case.code);
        match found {
            None => failures.push(format!(
                "{} ({}): not reported; got {:?}",
                case.code,
                case.what,
                codes(&mangled)
            )),
            Some(finding) if finding.severity != rule.severity(Profile::Strict) => {
                failures.push(format!("{}: severity {:?}", case.code, finding.severity))
            }
            Some(finding) if finding.client_path.is_none() && finding.provider_path.is_none() => {
                failures.push(format!("{}: no path on either leg", case.code))
            }
            Some(_) => {}
        }
        let carried = compare(case.carried.0, case.carried.1);
        if carried.pairs[0]
            .findings
            .iter()
            .any(|f| f.code == case.code)
        {
            failures.push(format!(
                "{} ({}): reported on the carried pair: {:?}",
                case.code,
                case.what,
                codes(&carried)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_faithful_translation_reports_nothing_but_the_cache_markers_chat_cannot_hold() {
    let (client, provider) = faithful();
    let report = compare(client, provider);
    let found = codes(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("leg.cache-dropped"), "{found:?}");
    assert_eq!(report.verdict, Verdict::Conforms);
    assert_eq!(report.pairs[0].link.attempt, 1);
}

#[test]
fn concurrent_requests_retries_and_strangers_are_told_apart() {
    let body = |text: &str| set(client_body(), "/messages/0/content", json!(text));
    let provider = |text: &str| set(provider_body(), "/messages/1/content", json!(text));
    let clients = vec![
        (
            "a.json".to_owned(),
            answered(
                exchange("/v1/messages", body("Read a.ts"), "00.000"),
                chat_answer("A", "stop"),
            ),
        ),
        (
            "b.json".to_owned(),
            answered(
                exchange("/v1/messages", body("Read b.ts"), "00.050"),
                chat_answer("B", "stop"),
            ),
        ),
        (
            "c.json".to_owned(),
            answered(
                exchange("/v1/messages", body("Read c.ts"), "30.000"),
                chat_answer("C", "stop"),
            ),
        ),
    ];
    let providers = vec![
        (
            "p-b.json".to_owned(),
            answered(
                exchange("/v1/chat/completions", provider("Read b.ts"), "00.100"),
                chat_answer("B", "stop"),
            ),
        ),
        (
            "p-a.json".to_owned(),
            answered(
                exchange("/v1/chat/completions", provider("Read a.ts"), "00.120"),
                chat_answer("A", "stop"),
            ),
        ),
        (
            "p-a-retry.json".to_owned(),
            answered(
                exchange("/v1/chat/completions", provider("Read a.ts"), "00.300"),
                chat_answer("A", "stop"),
            ),
        ),
        (
            "p-stranger.json".to_owned(),
            answered(
                exchange(
                    "/v1/chat/completions",
                    json!({"model": "x", "messages": [{"role": "user", "content": "health check"}]}),
                    "50.000",
                ),
                chat_answer("ok", "stop"),
            ),
        ),
    ];
    let report = legs(clients, providers, Profile::Strict);
    let links: Vec<(String, String, usize)> = report
        .pairs
        .iter()
        .map(|p| {
            (
                p.client.capture.clone(),
                p.provider.capture.clone(),
                p.link.attempt,
            )
        })
        .collect();
    assert_eq!(
        links,
        [
            ("a.json".to_owned(), "p-a.json".to_owned(), 1),
            ("a.json".to_owned(), "p-a-retry.json".to_owned(), 2),
            ("b.json".to_owned(), "p-b.json".to_owned(), 1),
        ]
    );
    let unmatched: Vec<&str> = report
        .unmatched_client
        .iter()
        .map(|s| s.capture.as_str())
        .collect();
    assert_eq!(unmatched, ["c.json"]);
    let strangers: Vec<&str> = report
        .unmatched_provider
        .iter()
        .map(|s| s.capture.as_str())
        .collect();
    assert_eq!(strangers, ["p-stranger.json"]);
}

/// Two folders made by hand: the client's Claude-shaped request with a system prompt, and the
/// provider request that lost it. `legs` says so, names both paths, and exits 1; the JSON
/// output validates against its schema.
#[test]
fn legs_on_two_folders_reports_the_dropped_system_prompt_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let (client, provider) = pair(client_body(), remove(provider_body(), "/messages/0"));
    support::write(
        dir.path(),
        "client/claude/0001.json",
        client.to_pretty_json(),
    );
    support::write(
        dir.path(),
        "provider/claude/0001.json",
        provider.to_pretty_json(),
    );
    let (client_dir, provider_dir) = (dir.path().join("client"), dir.path().join("provider"));
    let output = run(harness().arg("legs").arg(&client_dir).arg(&provider_dir));
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("leg.system-dropped"), "{text}");
    assert!(text.contains("client /system/0/text"), "{text}");
    let json = run(harness()
        .arg("legs")
        .arg(&client_dir)
        .arg(&provider_dir)
        .args(["--format", "json"]));
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    let schema = crate::schemas::schema("schemas/legs.schema.json");
    let errors = crate::schemas::violations(&schema, &report);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(report["verdict"], "breaks");
    assert_eq!(report["pairs"][0]["findings"][0]["severity"], "error");
    let markdown = run(harness()
        .arg("legs")
        .arg(&client_dir)
        .arg(&provider_dir)
        .args(["--format", "md"]));
    assert_eq!(markdown.status.code(), Some(1), "{}", describe(&markdown));
    let markdown = String::from_utf8_lossy(&markdown.stdout);
    assert!(markdown.contains("**MANGLED**"), "{markdown}");
    assert!(
        markdown.contains("| **mangled** | `leg.system-dropped`"),
        "{markdown}"
    );
    assert!(
        markdown.contains("error `leg.system-dropped` (client `/system/0/text`)"),
        "{markdown}"
    );
    assert!(
        !markdown.contains(dir.path().to_str().unwrap()),
        "no absolute path: {markdown}"
    );
    let fine = {
        let (client, provider) = faithful();
        let dir = tempfile::tempdir().unwrap();
        support::write(dir.path(), "c/0001.json", client.to_pretty_json());
        support::write(dir.path(), "p/0001.json", provider.to_pretty_json());
        run(harness()
            .arg("legs")
            .arg(dir.path().join("c"))
            .arg(dir.path().join("p")))
    };
    assert_eq!(fine.status.code(), Some(0), "{}", describe(&fine));
}

/// The oracle: a gateway that translated Cursor's Responses hybrid its own way is told how it
/// departs from the reference translation, with the reference's reason for each dropped field.
#[test]
fn a_provider_request_unlike_the_reference_translation_says_how() {
    let client = json!({
        "model": "gpt-5.5",
        "instructions": "You are a coding agent.",
        "input": [{"role": "user", "content": [{"type": "input_text", "text": "Add hello.txt"}]}],
        "tools": [{"type": "custom", "name": "ApplyPatch", "description": "Apply a patch",
            "format": {"type": "grammar", "syntax": "lark", "definition": "start: /.+/"}}],
        "store": false,
        "stream": false
    });
    let dir = tempfile::tempdir().unwrap();
    let client_file = support::write(dir.path(), "client.json", client.to_string());
    let output = run(harness()
        .arg("translate")
        .arg(&client_file)
        .args(["--format", "json"]));
    let translated = serde_json::from_slice::<Value>(&output.stdout).unwrap()["body"].clone();
    // The reference itself: nothing to say.
    let report = compare(
        pair(client.clone(), translated.clone()).0,
        pair(client.clone(), translated.clone()).1,
    );
    let said = codes(&report);
    assert!(
        !said.iter().any(|c| c.starts_with("leg.unlike-reference")),
        "{said:?}"
    );
    // A gateway that kept `store`, put the instructions in a user turn and gave ApplyPatch a
    // `patch` parameter.
    let mut theirs = set(translated.clone(), "/store", json!(false));
    theirs = set(theirs, "/messages/0/role", json!("user"));
    theirs = set(
        theirs,
        "/tools/0/function/parameters",
        json!({"type": "object", "properties": {"patch": {"type": "string"}}, "required": ["patch"]}),
    );
    let report = compare(
        pair(client.clone(), theirs.clone()).0,
        pair(client, theirs).1,
    );
    let said: Vec<String> = codes(&report)
        .into_iter()
        .filter(|c| c.starts_with("leg.unlike-reference"))
        .collect();
    let all = said.join("\n");
    assert!(
        all.contains("the gateway sent `store`, which the reference translation drops"),
        "{all}"
    );
    assert!(
        all.contains("roles system, user; the gateway's have user, user"),
        "{all}"
    );
    assert!(all.contains("custom tool ApplyPatch: the reference translation's function takes `input`; the gateway's takes `patch`"), "{all}");
}
