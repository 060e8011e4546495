//! `replay` end to end through the binary: the golden captures against the embedded gateway,
//! a gateway and a recorder as real child processes, what reaches the target, secrets,
//! failures as results, per-chunk timing and the schedule.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use cursor_harness::capture::Exchange;
use cursor_harness::capture::input::{Candidate, load};
use cursor_harness::check::check_paths;
use cursor_harness::conformance::{Profile, Verdict};
use cursor_harness::replay::run_file::RunFile;
use serde_json::{Value, json};

use crate::support::process::Server;
use crate::support::upstream::{Script, TestUpstream};
use crate::support::{self, describe, fixtures, harness, run};

/// A finished replay: its output, run.json and folder.
pub struct Replayed {
    pub output: Output,
    pub run: RunFile,
    pub dir: PathBuf,
}

impl Replayed {
    /// The replayed capture of the input whose path ends with `suffix`.
    pub fn capture(&self, suffix: &str) -> Exchange {
        let entry = self
            .run
            .exchanges
            .iter()
            .find(|e| e.capture.ends_with(suffix))
            .unwrap_or_else(|| panic!("no exchange replays {suffix}: {:?}", self.run.exchanges));
        read_capture(&self.dir.join(entry.file.as_ref().unwrap()))
    }
}

pub fn read_capture(path: &Path) -> Exchange {
    let mut loaded = load(&Candidate::File(path.to_owned()));
    loaded
        .remove(0)
        .result
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Run `replay ARGS --out OUT --run-id ID` and read its run.json (the run must have written one).
pub fn replay(out: &Path, id: &str, args: &[&str], env: &[(&str, &str)]) -> Replayed {
    let mut command = harness();
    command
        .arg("replay")
        .args(args)
        .args(["--out", out.to_str().unwrap(), "--run-id", id]);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = run(&mut command);
    let dir = out.join(id);
    let text = std::fs::read_to_string(dir.join("run.json"))
        .unwrap_or_else(|err| panic!("no run.json ({err}):\n{}", describe(&output)));
    let run: RunFile = serde_json::from_str(&text).unwrap();
    Replayed { output, run, dir }
}

fn error_param(exchange: &Exchange) -> Option<String> {
    let body = exchange.response.as_ref()?.body.as_ref()?.json().ok()?;
    body.pointer("/error/param")?.as_str().map(str::to_owned)
}

/// What the golden folder must get from a strict Chat Completions gateway, whichever way it is
/// reached.
fn assert_strict_answers(replayed: &Replayed) {
    assert_eq!(
        replayed.output.status.code(),
        Some(0),
        "{}",
        describe(&replayed.output)
    );
    assert_eq!(replayed.run.counts.replayed, 9);
    assert_eq!(replayed.run.counts.answered, 9);
    let rejected = [
        ("0001-hybrid-agent-tool-history-400.json", "input"),
        ("0002-hybrid-first-turn-responses-sse.json", "input"),
        ("0003-hybrid-apply-patch-translated-stream.json", "input"),
        (
            "0004-mixed-chat-empty-assistant-content-400.json",
            "messages[2].content",
        ),
        (
            "0005-anthropic-tool-history-read-file-stream.json",
            "system",
        ),
        ("0006-anthropic-first-turn-stream-reset.json", "system"),
    ];
    for (file, param) in rejected {
        let exchange = replayed.capture(file);
        let response = exchange.response.as_ref().unwrap();
        assert_eq!(response.status, 400, "{file}");
        assert_eq!(error_param(&exchange).as_deref(), Some(param), "{file}");
        let body = response.body.as_ref().unwrap().json().unwrap();
        assert_eq!(body["error"]["type"], "invalid_request_error", "{file}");
    }
    for file in [
        "0007-chat-guess-text-stream.json",
        "0008-plain-chat-text-stream.json",
    ] {
        let exchange = replayed.capture(file);
        let response = exchange.response.as_ref().unwrap();
        assert_eq!(response.status, 200, "{file}");
        assert!(
            response.stream.as_ref().is_some_and(|s| s.len() > 3),
            "{file}: a real stream"
        );
        assert!(exchange.error.is_none(), "{file}");
    }
    assert_eq!(
        replayed
            .capture("0009-verify-models-list.json")
            .response
            .unwrap()
            .status,
        200
    );
    // Every answer, 400s included, is what a Chat Completions client can read.
    let checked = check_paths(std::slice::from_ref(&replayed.dir), Profile::Strict).unwrap();
    assert_eq!(checked.results.len(), 9);
    for result in &checked.results {
        let response = result.response.as_ref().unwrap();
        assert_eq!(
            response.verdict,
            Verdict::Conforms,
            "{}: {:?}",
            result.capture,
            response.violations
        );
    }
}

#[test]
fn the_golden_captures_against_the_embedded_strict_gateway() {
    let out = tempfile::tempdir().unwrap();
    let replayed = replay(
        out.path(),
        "golden",
        &["captures/golden", "--target", "embedded"],
        &[],
    );
    assert_strict_answers(&replayed);
    let exchange = replayed.capture("0008-plain-chat-text-stream.json");
    assert_eq!(
        exchange.provenance.kind,
        cursor_harness::capture::ProvenanceKind::Replayed
    );
    let link = exchange.replay_of.as_ref().unwrap();
    let golden = read_capture(&support::project_path(
        "captures/golden/deepseek-v4-pro/0008-plain-chat-text-stream.json",
    ));
    assert_eq!(link.id, golden.id);
    assert!(link.capture.ends_with("0008-plain-chat-text-stream.json"));
    assert_eq!(exchange.session, "golden");
    // One line per exchange when standard output is not a terminal, then the summary.
    let stdout = String::from_utf8_lossy(&replayed.output.stdout);
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.contains(" ttfb ")
                && l.split_whitespace()
                    .next()
                    .is_some_and(|seq| seq.parse::<usize>().is_ok()))
            .count(),
        9,
        "{stdout}"
    );
    assert!(stdout.contains("9 answered"), "{stdout}");
}

#[test]
fn official_sdk_bodies_get_answers_that_pass_our_checker_over_http1_and_http2() {
    let fixtures = support::project_path("tests/fixtures/sdk");
    let out = tempfile::tempdir().unwrap();
    for (id, extra) in [("h1", None), ("h2", Some("--http2"))] {
        let mut args = vec![fixtures.to_str().unwrap(), "--target", "embedded:strict"];
        args.extend(extra);
        let replayed = replay(out.path(), id, &args, &[]);
        assert_eq!(
            replayed.run.counts.answered,
            7,
            "{}",
            describe(&replayed.output)
        );
        for name in [
            "chat-images",
            "chat-plain",
            "chat-reasoning",
            "chat-response-format",
            "chat-tools",
        ] {
            let exchange = replayed.capture(&format!("{name}.json"));
            assert_eq!(exchange.response.as_ref().unwrap().status, 200, "{name}");
            assert_eq!(
                exchange.request.http_version,
                if extra.is_some() {
                    "HTTP/2"
                } else {
                    "HTTP/1.1"
                }
            );
        }
        let tools = replayed.capture("chat-tools.json");
        let text = String::from_utf8(tools.response.unwrap().stream_bytes().unwrap()).unwrap();
        assert!(
            text.contains("\"tool_calls\""),
            "a forced or invited tool is called: {text}"
        );
        // OpenAI names the first unknown parameter in body order; the SDK sorts the keys.
        for (name, param) in [("responses-plain", "input"), ("responses-tools", "include")] {
            let exchange = replayed.capture(&format!("{name}.json"));
            assert_eq!(exchange.response.as_ref().unwrap().status, 400, "{name}");
            assert_eq!(error_param(&exchange).as_deref(), Some(param), "{name}");
        }
        let checked = check_paths(std::slice::from_ref(&replayed.dir), Profile::Strict).unwrap();
        for result in &checked.results {
            let response = result.response.as_ref().unwrap();
            assert_eq!(
                response.verdict,
                Verdict::Conforms,
                "{}: {:?}",
                result.capture,
                response.violations
            );
        }
    }
    // Lenient ignores unknown fields but still needs `messages`.
    let lenient = replay(
        out.path(),
        "lenient",
        &[fixtures.to_str().unwrap(), "--target", "embedded:lenient"],
        &[],
    );
    let exchange = lenient.capture("responses-plain.json");
    assert_eq!(error_param(&exchange).as_deref(), Some("messages"));
}

#[test]
fn a_gateway_child_process_on_port_0_answers_like_the_embedded_one() {
    let gateway = Server::start(&["gateway", "--listen", "127.0.0.1:0", "--profile", "strict"]);
    let out = tempfile::tempdir().unwrap();
    let target = gateway.url("/v1");
    let replayed = replay(
        out.path(),
        "child",
        &["captures/golden", "--target", &target],
        &[],
    );
    assert_strict_answers(&replayed);
    assert_eq!(replayed.run.base_url, target);
}

#[test]
fn replaying_through_the_recorder_and_directly_gives_the_same_answers() {
    let gateway = Server::start(&["gateway", "--listen", "127.0.0.1:0"]);
    let captures = tempfile::tempdir().unwrap();
    let upstream = gateway.url("/v1");
    let mut recorder = Server::start(&[
        "record",
        "--upstream",
        &upstream,
        "--listen",
        "127.0.0.1:0",
        "--allow-no-token",
        "--captures",
        captures.path().to_str().unwrap(),
        "--session",
        "legs",
    ]);
    let out = tempfile::tempdir().unwrap();
    let through = recorder.url("/v1");
    let via = replay(
        out.path(),
        "via-recorder",
        &["captures/golden", "--target", &through],
        &[],
    );
    let direct = replay(
        out.path(),
        "direct",
        &["captures/golden", "--target", &upstream],
        &[],
    );
    assert_eq!(recorder.stop(), Some(0));
    assert_strict_answers(&via);
    assert_strict_answers(&direct);
    // The two replay legs pair up by the capture they both replay, and agree.
    let diff = run(harness().args([
        "diff",
        direct.dir.to_str().unwrap(),
        via.dir.to_str().unwrap(),
        "--format",
        "json",
    ]));
    let report: Value = serde_json::from_slice(&diff.stdout).unwrap();
    assert_eq!(report["mode"], "pairs", "{}", describe(&diff));
    assert_eq!(report["pairs"].as_array().unwrap().len(), 9);
    assert_eq!(report["equal"], true, "{}", describe(&diff));
    assert_eq!(diff.status.code(), Some(0));
    // And what the recorder saw between the replayer and the gateway is what the replayer got.
    let recorded: Vec<PathBuf> = walk(&captures.path().join("legs"))
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("deepseek-v4-pro"))
        .collect();
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    let via_file = via.dir.join(
        via.run
            .exchanges
            .iter()
            .find(|e| e.capture.ends_with("0008-plain-chat-text-stream.json"))
            .unwrap()
            .file
            .as_ref()
            .unwrap(),
    );
    let diff = run(harness().args([
        "diff",
        recorded[0].to_str().unwrap(),
        via_file.to_str().unwrap(),
    ]));
    assert_eq!(diff.status.code(), Some(0), "{}", describe(&diff));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "json") && !path.ends_with("manifest.json")
        {
            out.push(path);
        }
    }
    out.sort();
    out
}

const KEY: &str = "sk-live-replaykey-0123456789abcdefghijklmnop";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_target_gets_the_body_byte_for_byte_the_mapped_path_and_auth_from_the_environment() {
    let upstream = TestUpstream::sse(vec![fixtures::chat_stream("m")], Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let mut capture = fixtures::chat_capture("0190f0c2-0000-7000-8000-00000000a001", "m");
    // Recorded behind a path token, with hop-by-hop, redacted and secret-named headers.
    capture["request"]["target"] = json!("/t/[REDACTED:0123456789ab]/v1/chat/completions?trace=1");
    capture["request"]["headers"] = json!([
        ["authorization", "Bearer [REDACTED:0123456789ab]"],
        ["x-api-key", "should-not-be-resent"],
        ["connection", "keep-alive"],
        ["keep-alive", "timeout=5"],
        ["host", "recorder.example"],
        ["content-type", "application/json"],
        ["user-agent", "Cursor/3.1"]
    ]);
    // A body whose bytes are not what serde would write: it must travel as it was recorded.
    let raw = "{ \"model\":\"m\",  \"messages\":[{\"role\":\"user\",\"content\":\"hé\"}] }";
    capture["request"]["body"] = json!({"text": raw});
    let path = support::write(dir.path(), "c.json", fixtures::pretty(&capture));
    let out = tempfile::tempdir().unwrap();
    let url = upstream.url();
    let (out_path, input) = (out.path().to_owned(), path.clone());
    let replayed = tokio::task::spawn_blocking(move || {
        replay(
            &out_path,
            "auth",
            &[
                input.to_str().unwrap(),
                "--target",
                &url,
                "--api-key-env",
                "REPLAY_TEST_KEY",
            ],
            &[("REPLAY_TEST_KEY", KEY)],
        )
    })
    .await
    .unwrap();
    assert_eq!(
        replayed.output.status.code(),
        Some(0),
        "{}",
        describe(&replayed.output)
    );
    let received = upstream.received();
    assert_eq!(received.len(), 1);
    let got = &received[0];
    assert_eq!(got.target, "/api/llm/v1/chat/completions?trace=1");
    assert_eq!(got.body, raw.as_bytes());
    assert_eq!(
        got.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(got.header("user-agent"), Some("Cursor/3.1"));
    assert_eq!(got.header("content-type"), Some("application/json"));
    assert_eq!(got.header("x-api-key"), None);
    assert_eq!(got.header("keep-alive"), None);
    assert_eq!(got.header("host"), Some(upstream.addr.to_string().as_str()));
    // The key never reaches the run folder, standard output or standard error.
    let mut written = String::new();
    for file in walk(&replayed.dir) {
        written.push_str(&std::fs::read_to_string(file).unwrap());
    }
    assert!(
        written.contains("REPLAY_TEST_KEY"),
        "run.json names the variable"
    );
    for (what, text) in [
        ("files", written),
        (
            "stdout",
            String::from_utf8_lossy(&replayed.output.stdout).into_owned(),
        ),
        (
            "stderr",
            String::from_utf8_lossy(&replayed.output.stderr).into_owned(),
        ),
    ] {
        assert!(
            !text.contains(KEY) && !text.contains("replaykey"),
            "the key leaked into {what}"
        );
    }
    let exchange = replayed.capture("c.json");
    assert!(
        exchange
            .request
            .header("authorization")
            .unwrap()
            .starts_with("Bearer [REDACTED:")
    );

    // Another header: the key goes there whole, and is still never written.
    let url = upstream.url();
    let (out_path, path) = (out.path().to_owned(), path.clone());
    let custom = tokio::task::spawn_blocking(move || {
        replay(
            &out_path,
            "custom",
            &[
                path.to_str().unwrap(),
                "--target",
                &url,
                "--api-key-env",
                "K",
                "--auth-header",
                "X-Gateway-Key",
            ],
            &[("K", KEY)],
        )
    })
    .await
    .unwrap();
    let received = upstream.received();
    assert_eq!(received[1].header("x-gateway-key"), Some(KEY));
    assert_eq!(received[1].header("authorization"), None);
    for file in walk(&custom.dir) {
        assert!(
            !std::fs::read_to_string(&file).unwrap().contains(KEY),
            "{}",
            file.display()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_chunk_is_timed_and_ttft_skips_the_role_chunk() {
    let upstream = TestUpstream::sse(
        fixtures::chat_stream("m")
            .split_inclusive("\n\n")
            .map(str::to_owned)
            .collect(),
        Duration::from_millis(60),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = support::write(
        dir.path(),
        "c.json",
        fixtures::pretty(&fixtures::chat_capture(
            "0190f0c2-0000-7000-8000-00000000a002",
            "m",
        )),
    );
    let out = tempfile::tempdir().unwrap();
    let url = upstream.url();
    let out_path = out.path().to_owned();
    let replayed = tokio::task::spawn_blocking(move || {
        replay(
            &out_path,
            "timing",
            &[path.to_str().unwrap(), "--target", &url],
            &[],
        )
    })
    .await
    .unwrap();
    let exchange = replayed.capture("c.json");
    let stream = exchange.response.as_ref().unwrap().stream.as_ref().unwrap();
    assert_eq!(
        stream.len(),
        4,
        "one chunk per event as the upstream flushed them"
    );
    let at: Vec<f64> = stream.iter().map(|c| c.at_ms.unwrap()).collect();
    for pair in at.windows(2) {
        assert!(pair[1] - pair[0] >= 45.0, "gaps of ~60 ms are kept: {at:?}");
    }
    let timing = &replayed.run.exchanges[0].timing;
    let (ttfb, ttft) = (timing.ttfb_ms.unwrap(), timing.ttft_ms.unwrap());
    assert!(
        ttft - ttfb >= 45.0,
        "TTFT is the content chunk, not the role chunk: {timing:?}"
    );
    assert!(
        (timing.gap_p50_ms.unwrap() - 60.0).abs() < 30.0,
        "{timing:?}"
    );
    let model = &replayed.run.by_model[0];
    assert_eq!((model.model.as_str(), model.exchanges), ("m", 1));
    assert!(model.gap_ms.p50.unwrap() >= 45.0, "{model:?}");
}

#[test]
fn an_unreachable_target_is_a_result_per_exchange_and_exit_3() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = tempfile::tempdir().unwrap();
    let target = format!("http://127.0.0.1:{port}/v1");
    let replayed = replay(
        out.path(),
        "down",
        &["captures/golden", "--target", &target],
        &[],
    );
    assert_eq!(
        replayed.output.status.code(),
        Some(3),
        "{}",
        describe(&replayed.output)
    );
    assert_eq!(replayed.run.counts.replayed, 9);
    assert_eq!(replayed.run.counts.answered, 0);
    for entry in &replayed.run.exchanges {
        let error = entry.error.as_ref().unwrap();
        assert_eq!(
            error.kind,
            cursor_harness::capture::ErrorKind::Connect,
            "{error:?}"
        );
        // The failure is a capture too.
        let exchange = read_capture(&replayed.dir.join(entry.file.as_ref().unwrap()));
        assert!(exchange.error.is_some() && exchange.response.is_none());
    }
    let stderr = String::from_utf8_lossy(&replayed.output.stderr);
    assert!(stderr.contains("answered none"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_target_times_out_and_an_unreadable_capture_does_not_stop_the_others() {
    let upstream = TestUpstream::start(|received| {
        if received.body.windows(5).any(|w| w == b"stall") {
            Script::StallBeforeHead(Duration::from_secs(5))
        } else {
            Script::Json {
                status: 200,
                body: br#"{"ok":true}"#.to_vec(),
            }
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    support::write(
        dir.path(),
        "a-fine.json",
        r#"{"model":"fine","messages":[]}"#,
    );
    support::write(dir.path(), "b-broken.json", "{ not json");
    support::write(
        dir.path(),
        "c-stall.json",
        r#"{"model":"stall","messages":[]}"#,
    );
    let out = tempfile::tempdir().unwrap();
    let url = upstream.url();
    let (out_path, inputs) = (out.path().to_owned(), dir.path().to_owned());
    let replayed = tokio::task::spawn_blocking(move || {
        replay(
            &out_path,
            "mixed",
            &[inputs.to_str().unwrap(), "--target", &url, "--timeout", "1"],
            &[],
        )
    })
    .await
    .unwrap();
    assert_eq!(
        replayed.output.status.code(),
        Some(1),
        "{}",
        describe(&replayed.output)
    );
    let counts = &replayed.run.counts;
    assert_eq!(
        (
            counts.inputs,
            counts.replayed,
            counts.answered,
            counts.unreadable
        ),
        (3, 2, 1, 1)
    );
    assert!(replayed.run.unreadable[0].error.contains("b-broken.json"));
    let stalled = replayed
        .run
        .exchanges
        .iter()
        .find(|e| e.model.as_deref() == Some("stall"))
        .unwrap();
    assert_eq!(
        stalled.error.as_ref().unwrap().kind,
        cursor_harness::capture::ErrorKind::Timeout
    );
    let stderr = String::from_utf8_lossy(&replayed.output.stderr);
    assert!(stderr.contains("b-broken.json"), "{stderr}");
}

/// Five captures recorded 0, 100, 250, 400 and 600 ms apart.
fn scheduled_captures(dir: &Path) {
    for (i, ms) in [0, 100, 250, 400, 600].iter().enumerate() {
        let mut capture =
            fixtures::chat_capture(&format!("0190f0c2-0000-7000-8000-00000000b00{i}"), "m");
        capture["recorded_at"] = json!(format!("2026-11-01T10:00:00.{ms:03}Z"));
        support::write(dir, &format!("{i}.json"), fixtures::pretty(&capture));
    }
}

#[test]
fn pace_original_keeps_the_recorded_schedule_and_x2_halves_it() {
    let dir = tempfile::tempdir().unwrap();
    scheduled_captures(dir.path());
    let out = tempfile::tempdir().unwrap();
    for (id, pace, factor) in [("original", "original", 1.0), ("double", "x2", 2.0)] {
        let replayed = replay(
            out.path(),
            id,
            &[
                dir.path().to_str().unwrap(),
                "--target",
                "embedded",
                "--pace",
                pace,
            ],
            &[],
        );
        assert_eq!(
            replayed.output.status.code(),
            Some(0),
            "{}",
            describe(&replayed.output)
        );
        assert_eq!(replayed.run.options.pace, pace);
        let mut starts = Vec::new();
        for (entry, ms) in replayed
            .run
            .exchanges
            .iter()
            .zip([0.0, 100.0, 250.0, 400.0, 600.0])
        {
            let scheduled = entry.scheduled_ms.unwrap();
            assert!(
                (scheduled - ms / factor).abs() < 0.01,
                "{pace}: {scheduled} vs {ms}"
            );
            let exchange = read_capture(&replayed.dir.join(entry.file.as_ref().unwrap()));
            starts.push(exchange.recorded_at.parse::<jiff::Timestamp>().unwrap());
        }
        let first = starts[0];
        for (start, ms) in starts.iter().zip([0.0, 100.0, 250.0, 400.0, 600.0]) {
            let offset = start.duration_since(first).as_secs_f64() * 1000.0;
            assert!(
                (offset - ms / factor).abs() <= 2.0,
                "{pace}: recorded_at offset {offset}"
            );
        }
        // The 5 ms bound is measured on a quiet machine by benches/replay.rs; here tests run in
        // parallel on a loaded debug build, so the median must hold it and the worst case a
        // looser bound that still catches a schedule that drifts or waits out the gateway.
        let late: Vec<f64> = replayed.run.exchanges.iter().map(|e| e.late_ms).collect();
        assert!(
            replayed.run.schedule.late_p50_ms.unwrap() < 5.0,
            "{pace}: {late:?}"
        );
        assert!(
            replayed.run.schedule.late_max_ms.unwrap() < 100.0,
            "{pace}: {late:?}"
        );
    }
}

#[test]
fn bad_options_are_usage_errors_that_name_the_flag() {
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().to_str().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (
            &["--target", "embedded", "--pace", "fast"],
            "--pace \"fast\"",
        ),
        (&["--target", "embedded:loose"], "embedded:lenient"),
        (&["--target", "gw.example/v1"], "http://"),
        (
            &[
                "--target",
                "embedded",
                "--api-key-env",
                "NO_SUCH_VAR_FOR_REPLAY",
            ],
            "NO_SUCH_VAR_FOR_REPLAY",
        ),
        (
            &["--target", "embedded", "--concurrency", "0"],
            "--concurrency",
        ),
    ];
    for (args, says) in cases {
        let output = run(harness()
            .arg("replay")
            .arg("captures/golden")
            .args(args)
            .args(["--out", out_dir])
            .env_remove("NO_SUCH_VAR_FOR_REPLAY"));
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}\n{}",
            describe(&output)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    // A run folder is never overwritten.
    replay(
        out.path(),
        "once",
        &["captures/golden/_models", "--target", "embedded"],
        &[],
    );
    let again = run(harness().args([
        "replay",
        "captures/golden/_models",
        "--target",
        "embedded",
        "--out",
        out_dir,
        "--run-id",
        "once",
    ]));
    assert_eq!(again.status.code(), Some(2), "{}", describe(&again));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds a run"));
}
