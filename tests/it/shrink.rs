//! `shrink`: every breaking golden capture reaches its minimal reproducer on the embedded
//! strict gateway within the budget; the reproducer reproduces through curl; flaky and
//! unreachable targets, 2xx answers that break rules, and the budget are reported as what they
//! are.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cursor_harness::capture::input::{Candidate, load};
use cursor_harness::capture::{Body, Exchange};
use cursor_harness::conformance::Profile;
use cursor_harness::gateway::Mode;
use cursor_harness::replay::Target;
use cursor_harness::shrink::signature::Signature;
use cursor_harness::shrink::{Ending, ShrinkOptions, Shrunk, shrink};
use serde_json::{Value, json};

use crate::support::process::Server;
use crate::support::upstream::{Script, TestUpstream, chat_events};
use crate::support::{self, describe, expect_code, fixtures, harness, run};

fn golden(relative: &str) -> Exchange {
    let path = support::project_path(&format!("captures/golden/{relative}"));
    load(&Candidate::File(path)).remove(0).result.unwrap()
}

fn embedded_strict() -> ShrinkOptions {
    ShrinkOptions {
        target: Target::Embedded(Mode::Validate(Profile::Strict)),
        ..ShrinkOptions::default()
    }
}

fn against(url: &str) -> ShrinkOptions {
    ShrinkOptions {
        target: Target::parse(url).unwrap(),
        timeout: Duration::from_secs(10),
        ..ShrinkOptions::default()
    }
}

async fn shrunk(exchange: &Exchange, options: ShrinkOptions) -> Shrunk {
    shrink(exchange, options, |_, _| {}).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_breaking_golden_capture_shrinks_to_a_reproducer_that_cannot_shrink_further() {
    let mut breaking = 0;
    let mut report = Vec::new();
    for path in support::json_files(&support::project_path("captures/golden")) {
        let exchange = load(&Candidate::File(path.clone()))
            .remove(0)
            .result
            .unwrap();
        if exchange.request.body.is_none() {
            continue;
        }
        let result = shrunk(&exchange, embedded_strict()).await;
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if result.ending == Ending::DoesNotFail {
            continue;
        }
        breaking += 1;
        assert_eq!(result.ending, Ending::Minimal, "{name}: {result:?}");
        assert!(
            result.requests <= 300,
            "{name}: {} requests",
            result.requests
        );
        assert!(
            result.bytes < result.original_bytes,
            "{name}: nothing removed"
        );
        assert_eq!(result.transport_failures, 0, "{name}");
        // Minimal means minimal: shrinking the reproducer again finds no step to take, and
        // fails the same way.
        let mut again = exchange.clone();
        again.request.body = Some(Body::Json(result.body.clone()));
        let second = shrunk(&again, embedded_strict()).await;
        assert_eq!(second.ending, Ending::Minimal, "{name}: {second:?}");
        assert!(second.steps.is_empty(), "{name}: {:?}", second.steps);
        assert_eq!(second.signature, result.signature, "{name}");
        report.push(format!(
            "{name}: {} → {} bytes, {} requests, {:.0} ms",
            result.original_bytes, result.bytes, result.requests, result.elapsed_ms
        ));
    }
    // Every hybrid, Anthropic-shaped and mixed Chat capture breaks the strict contract.
    assert!(
        breaking >= 15,
        "only {breaking} golden captures broke:\n{}",
        report.join("\n")
    );
    eprintln!("{}", report.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_cursor_format_shrinks_to_the_field_the_strict_contract_refuses() {
    let cases = [
        // The Responses hybrid: `input` is not a Chat Completions parameter.
        (
            "gpt-5.5/0001-hybrid-agent-tool-history-400.json",
            json!({"input": []}),
        ),
        // Anthropic-shaped: the top-level `system`.
        (
            "claude-opus-4-1/0006-anthropic-first-turn-stream-reset.json",
            json!({"system": []}),
        ),
        // The mixed Chat body: an assistant turn with `content: []`, whatever its position;
        // the model stays, because without it the gateway names the missing model instead.
        (
            "gpt-5.5/0004-mixed-chat-empty-assistant-content-400.json",
            json!({"model": "gpt-5.5", "messages": [{"role": "assistant", "content": []}]}),
        ),
    ];
    for (relative, expected) in cases {
        let result = shrunk(&golden(relative), embedded_strict()).await;
        assert_eq!(result.ending, Ending::Minimal, "{relative}: {result:?}");
        assert_eq!(
            result.body, expected,
            "{relative}: steps {:?}",
            result.steps
        );
        assert!(matches!(
            result.signature,
            Some(Signature::Error { status: 400, .. })
        ));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_order_is_fixed_so_any_concurrency_takes_the_same_steps() {
    let exchange = golden("gpt-5.5/0001-hybrid-agent-tool-history-400.json");
    let one = shrunk(
        &exchange,
        ShrinkOptions {
            concurrency: 1,
            ..embedded_strict()
        },
    )
    .await;
    let eight = shrunk(
        &exchange,
        ShrinkOptions {
            concurrency: 8,
            ..embedded_strict()
        },
    )
    .await;
    assert_eq!(one.steps, eight.steps);
    assert_eq!(one.body, eight.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spent_budget_keeps_the_smallest_found_and_says_a_smaller_may_exist() {
    let exchange = golden("gpt-5.5/0001-hybrid-agent-tool-history-400.json");
    let result = shrunk(
        &exchange,
        ShrinkOptions {
            budget: 8,
            concurrency: 1,
            ..embedded_strict()
        },
    )
    .await;
    assert_eq!(result.ending, Ending::BudgetSpent, "{result:?}");
    assert!(result.requests <= 8, "{} requests", result.requests);
    assert!(result.bytes < result.original_bytes);
    assert!(result.note.unwrap().contains("--budget"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_that_fails_one_request_two_ways_is_flaky_not_shrunk() {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let upstream = TestUpstream::start(move |_| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        let message = if n.is_multiple_of(2) {
            "upstream busy"
        } else {
            "model overloaded"
        };
        Script::Json {
            status: 503,
            body: json!({"error": {"message": message, "type": "server_error"}})
                .to_string()
                .into_bytes(),
        }
    })
    .await;
    let exchange = golden("gpt-5.5/0001-hybrid-agent-tool-history-400.json");
    let result = shrunk(
        &exchange,
        ShrinkOptions {
            concurrency: 1,
            ..against(&upstream.url())
        },
    )
    .await;
    assert_eq!(result.ending, Ending::Flaky, "{result:?}");
    assert!(result.steps.is_empty());
    let note = result.note.unwrap();
    assert!(
        note.contains("busy") && note.contains("overloaded"),
        "{note}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_connections_never_count_as_progress() {
    // The gateway resets every connection whose body still holds `tools`: a shrinker that took
    // a reset for "the same failure" would cut everything but the tools.
    let upstream = TestUpstream::start(|received| {
        let body: Value = serde_json::from_slice(&received.body).unwrap_or_default();
        if body.get("tools").is_some() && body.get("input").is_none() {
            Script::Raw(Vec::new())
        } else if body.get("input").is_some() {
            Script::Json {
                status: 400,
                body: json!({"error": {"message": "Unrecognized request argument supplied: input",
                    "type": "invalid_request_error", "param": "input", "code": "unknown_parameter"}})
                .to_string()
                .into_bytes(),
            }
        } else {
            Script::Sse {
                events: chat_events("m", &["ok"]).into_iter().map(String::into_bytes).collect(),
                gap: Duration::ZERO,
            }
        }
    })
    .await;
    let exchange = golden("gpt-5.5/0001-hybrid-agent-tool-history-400.json");
    let result = shrunk(&exchange, against(&upstream.url())).await;
    assert_eq!(result.ending, Ending::Minimal, "{result:?}");
    assert_eq!(result.body, json!({"input": []}));
    assert!(
        result.transport_failures > 0,
        "the resets were not seen: {result:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_200_answer_that_breaks_stream_rules_shrinks_by_the_rules_it_breaks() {
    // A gateway whose stream forgets finish_reason whenever the request carries tools.
    let upstream = TestUpstream::start(|received| {
        let body: Value = serde_json::from_slice(&received.body).unwrap_or_default();
        let mut events = chat_events("m", &["hel", "lo"]);
        if body.get("tools").is_some() {
            events = events
                .into_iter()
                .map(|event| event.replace("\"finish_reason\":\"stop\"", "\"finish_reason\":null"))
                .collect();
        }
        Script::Sse {
            events: events.into_iter().map(String::into_bytes).collect(),
            gap: Duration::ZERO,
        }
    })
    .await;
    let mut exchange = golden("gpt-5.5/0001-hybrid-agent-tool-history-400.json");
    exchange.request.body = Some(Body::Json(fixtures::chat_body("m")));
    let mut body = fixtures::chat_body("m");
    body["tools"] = json!([{"type": "function", "function": {"name": "read_file",
        "parameters": {"type": "object", "properties": {"path": {"type": "string"}}}}}]);
    body["stream"] = json!(true);
    exchange.request.body = Some(Body::Json(body.clone()));
    let result = shrunk(&exchange, against(&upstream.url())).await;
    let Some(Signature::Breaks { codes }) = &result.signature else {
        panic!("no rule broken: {result:?}");
    };
    assert!(!codes.is_empty());
    assert_eq!(result.ending, Ending::Minimal, "{result:?}");
    assert!(result.body.get("tools").is_some(), "{}", result.body);
    assert!(result.bytes < result.original_bytes);
    // A conforming answer is nothing to shrink.
    body.as_object_mut().unwrap().remove("tools");
    exchange.request.body = Some(Body::Json(body));
    let fine = shrunk(&exchange, against(&upstream.url())).await;
    assert_eq!(fine.ending, Ending::DoesNotFail, "{fine:?}");
    assert_eq!(fine.requests, 2);
}

#[test]
fn the_cli_writes_the_body_and_a_curl_reproducer_that_reproduces() {
    let dir = tempfile::tempdir().unwrap();
    let capture = support::project_path(
        "captures/golden/gpt-5.5/0004-mixed-chat-empty-assistant-content-400.json",
    );
    let body_file = dir.path().join("minimal.json");
    let script = dir.path().join("repro.sh");
    let output = run(harness().args([
        "shrink",
        capture.to_str().unwrap(),
        "--target",
        "embedded",
        "--out",
        body_file.to_str().unwrap(),
        "--curl",
        script.to_str().unwrap(),
    ]));
    let stdout = expect_code(&output, 0);
    assert!(
        stdout.contains("minimal: no smaller body fails the same way"),
        "{stdout}"
    );
    assert!(stdout.contains("param messages[#].content"), "{stdout}");
    assert!(stdout.contains("removed /messages/1"), "{stdout}");
    let minimal: Value = serde_json::from_slice(&std::fs::read(&body_file).unwrap()).unwrap();
    assert_eq!(
        minimal["messages"],
        json!([{"role": "assistant", "content": []}])
    );

    let json_out = run(harness().args([
        "shrink",
        capture.to_str().unwrap(),
        "--target",
        "embedded",
        "--format",
        "json",
    ]));
    let result: Value = serde_json::from_str(&expect_code(&json_out, 0)).unwrap();
    assert_eq!(result["body"], minimal);
    assert_eq!(result["ending"], "minimal");
    assert!(result["curl"].as_str().unwrap().contains("curl -sS"));
    let schema = crate::schemas::schema("schemas/shrink.schema.json");
    crate::schemas::assert_matches(&schema, &result, "shrink --format json", "shrink schema");

    if !support::have_curl() {
        eprintln!("curl is not installed: the reproducer was not run");
        return;
    }
    // The reproducer sends the minimal body to a gateway and gets the same refusal.
    let gateway = Server::start(&["gateway", "--listen", "127.0.0.1:0"]);
    let answer = std::process::Command::new("sh")
        .arg(&script)
        .env("GATEWAY_BASE_URL", gateway.url("/v1"))
        .env("GATEWAY_API_KEY", "sk-test")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&answer.stdout);
    assert!(answer.status.success(), "{}", describe(&answer));
    let refusal: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(refusal["error"]["code"], "empty_array", "{text}");
    assert_eq!(refusal["error"]["param"], "messages[0].content", "{text}");
}

#[test]
fn an_unreachable_target_exits_3_and_a_request_that_does_not_fail_exits_1() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}/v1", listener.local_addr().unwrap());
    drop(listener);
    let capture =
        support::project_path("captures/golden/gpt-5.5/0001-hybrid-agent-tool-history-400.json");
    let output = run(harness().args(["shrink", capture.to_str().unwrap(), "--target", &closed]));
    let stdout = expect_code(&output, 3);
    assert!(stdout.contains("does not answer"), "{stdout}");

    let plain = support::project_path(
        "captures/golden/plainmodel-x/0034-verify-chat-probe-nonstream-completion.json",
    );
    let output = run(harness().args(["shrink", plain.to_str().unwrap(), "--target", "embedded"]));
    let stdout = expect_code(&output, 1);
    assert!(stdout.contains("does not fail"), "{stdout}");

    let models = support::project_path("captures/golden/_models/0009-verify-models-list.json");
    let output = run(harness().args(["shrink", models.to_str().unwrap(), "--target", "embedded"]));
    expect_code(&output, 1);
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("no JSON body"),
        "{}",
        describe(&output)
    );
}

/// `run --shrink`: each breaking format's reproducer in the reports is the body shrunk on the
/// target, not the fixed trimming rule.
#[test]
fn run_with_shrink_puts_shrunk_reproducers_in_the_reports() {
    let out = tempfile::tempdir().unwrap();
    let output = crate::support::run(
        crate::support::harness()
            .args(["run", "scenarios/golden.toml", "--shrink", "--out"])
            .arg(out.path()),
    );
    crate::support::expect_code(&output, 0);
    let report: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("report.json")).unwrap()).unwrap();
    crate::schemas::assert_matches(
        &crate::schemas::schema("schemas/report.schema.json"),
        &report,
        "report.json of run --shrink",
        "schemas/report.schema.json",
    );
    let shrunk: Vec<&Value> = report["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.get("reproducer").is_some())
        .collect();
    assert!(shrunk.len() >= 8, "only {} formats shrunk", shrunk.len());
    let hybrid = shrunk
        .iter()
        .find(|e| e["model"] == "gpt-5.5" && e["request"]["dialect"] == "responses")
        .expect("the GPT hybrid was shrunk");
    assert_eq!(hybrid["reproducer"]["ending"], "minimal");
    assert_eq!(hybrid["reproducer"]["body"], json!({"input": []}));
    assert!(hybrid["reproducer"]["requests"].as_u64().unwrap() <= 300);
    let markdown = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    assert!(
        markdown.contains("Minimal reproducer (shrunk on the target from"),
        "{markdown}"
    );
    // One shrink per format: two captures of one (model, dialect) are not both shrunk.
    let mut formats: Vec<(String, String)> = shrunk
        .iter()
        .map(|e| (e["model"].to_string(), e["request"]["dialect"].to_string()))
        .collect();
    let all = formats.len();
    formats.sort();
    formats.dedup();
    assert_eq!(formats.len(), all);
}
