//! `replay` on the wire, against test upstreams: what reaches the target, secrets, per-chunk
//! timing, failures as results, the schedule, and usage errors.

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use super::replay::{read_capture, replay};
use crate::support::recorder::capture_files as walk;
use crate::support::upstream::{Script, TestUpstream};
use crate::support::{self, describe, fixtures, harness, run};

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
    assert_eq!(replayed.run.counts.replayed, support::golden_count());
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
    assert!(
        String::from_utf8_lossy(&again.stderr)
            .contains("already exists; a run folder is never reused")
    );
}

#[test]
fn each_har_entry_is_replayed_and_linked_to_its_entry() {
    let dir = tempfile::tempdir().unwrap();
    let har = fixtures::har(vec![
        fixtures::har_entry(
            &fixtures::chat_body("plain-a"),
            200,
            "text/event-stream",
            &fixtures::chat_stream("plain-a"),
        ),
        fixtures::har_entry(
            &fixtures::responses_body("gpt-5.5"),
            400,
            "application/json",
            "{}",
        ),
    ]);
    let path = support::write(dir.path(), "session.har", har.to_string());
    let out = tempfile::tempdir().unwrap();
    let replayed = replay(
        out.path(),
        "har",
        &[path.to_str().unwrap(), "--target", "embedded"],
        &[],
    );
    assert_eq!(
        replayed.output.status.code(),
        Some(0),
        "{}",
        describe(&replayed.output)
    );
    let captures: Vec<&str> = replayed
        .run
        .exchanges
        .iter()
        .map(|e| e.capture.as_str())
        .collect();
    assert!(
        captures[0].ends_with("session.har#1") && captures[1].ends_with("session.har#2"),
        "{captures:?}"
    );
    let statuses: Vec<Option<u16>> = replayed.run.exchanges.iter().map(|e| e.status).collect();
    assert_eq!(statuses, [Some(200), Some(400)]);
    // The HAR entry's URL path goes through the same rule: /v1/chat/completions on the target.
    let exchange = replayed.capture("session.har#1");
    assert_eq!(exchange.request.target, "/v1/chat/completions");
}

/// One capture, sent again three ways: `replay`, the script `export --format curl` writes (run
/// by a real shell and a real curl), and the entry `export --format har` writes. All three come
/// from the capture's one "send again" view, so the target receives the same method, path,
/// headers and body from replay and from curl, and the HAR entry holds that request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_the_curl_export_and_the_har_export_send_the_same_request() {
    let upstream = TestUpstream::sse(vec![fixtures::chat_stream("m")], Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let mut capture = fixtures::chat_capture("0190f0c2-0000-7000-8000-00000000a00e", "m");
    capture["request"]["target"] = json!(
        "/t/[REDACTED:0123456789ab]/v1/chat/completions?trace=1&api_key=[REDACTED:0123456789ab]"
    );
    capture["request"]["headers"] = json!([
        ["host", "recorder.example"],
        ["authorization", "Bearer [REDACTED:0123456789ab]"],
        ["x-portkey-virtual-key", "vk-plain-but-secret-by-name"],
        ["connection", "keep-alive, x-hop"],
        ["x-hop", "1"],
        ["content-length", "999"],
        ["content-encoding", "gzip"],
        ["accept", "text/event-stream"],
        ["accept-encoding", "identity"],
        ["content-type", "application/json"],
        ["user-agent", "Cursor/3.1"],
        ["x-note", "it's \"quoted\" $HOME `date`"]
    ]);
    let raw =
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"it's $HOME\\n`date`\"}]}";
    capture["request"]["body"] = json!({"text": raw});
    let path = support::write(dir.path(), "c.json", fixtures::pretty(&capture));

    let (out, input, url) = (dir.path().join("runs"), path.clone(), upstream.url());
    let replayed = tokio::task::spawn_blocking(move || {
        replay(
            &out,
            "same",
            &[
                input.to_str().unwrap(),
                "--target",
                &url,
                "--api-key-env",
                "K",
            ],
            &[("K", KEY)],
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

    let script = dir.path().join("send.sh");
    let exported = run(harness()
        .args([
            "export",
            path.to_str().unwrap(),
            "--format",
            "curl",
            "--out",
        ])
        .arg(&script));
    assert_eq!(exported.status.code(), Some(0), "{}", describe(&exported));
    let sent = tokio::task::spawn_blocking({
        let (script, url) = (script.clone(), upstream.url());
        move || {
            run(std::process::Command::new("sh")
                .arg(&script)
                .env("GATEWAY_BASE_URL", url)
                .env("GATEWAY_API_KEY", KEY))
        }
    })
    .await
    .unwrap();
    assert!(sent.status.success(), "{}", describe(&sent));

    let received = upstream.received();
    assert_eq!(received.len(), 2, "one from replay, one from curl");
    let comparable = |got: &crate::support::upstream::Received| {
        let mut headers: Vec<(String, String)> = got
            .headers
            .iter()
            .filter(|(name, _)| !matches!(name.as_str(), "host" | "content-length"))
            .cloned()
            .collect();
        headers.sort();
        (
            got.method.clone(),
            got.target.clone(),
            headers,
            got.body.clone(),
        )
    };
    let (by_replay, by_curl) = (comparable(&received[0]), comparable(&received[1]));
    assert_eq!(by_replay, by_curl);
    assert_eq!(by_replay.1, "/api/llm/v1/chat/completions?trace=1");
    assert_eq!(by_replay.3, raw.as_bytes());
    let names: Vec<&str> = by_replay.2.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "accept",
            "accept-encoding",
            "authorization",
            "content-type",
            "user-agent",
            "x-note"
        ]
    );

    let har_path = dir.path().join("c.har");
    let har = run(harness()
        .args(["export", path.to_str().unwrap(), "--format", "har", "--out"])
        .arg(&har_path));
    assert_eq!(har.status.code(), Some(0), "{}", describe(&har));
    let har: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&har_path).unwrap()).unwrap();
    let request = &har["log"]["entries"][0]["request"];
    assert_eq!(request["method"], "POST");
    assert_eq!(
        request["url"], "http://recorder.example/v1/chat/completions?trace=1",
        "the host the client named, the path without its token, no redacted parameter"
    );
    assert_eq!(request["postData"]["text"], raw);
    let mut har_headers: Vec<(String, String)> = request["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["name"].as_str().unwrap().to_owned(),
                h["value"].as_str().unwrap().to_owned(),
            )
        })
        .filter(|(name, value)| {
            name != "authorization"
                && !value.contains("[REDACTED:")
                && name != "x-portkey-virtual-key"
        })
        .collect();
    har_headers.sort();
    let sent_without_key: Vec<(String, String)> = by_replay
        .2
        .iter()
        .filter(|(name, _)| name != "authorization")
        .cloned()
        .collect();
    assert_eq!(har_headers, sent_without_key);
}

/// A gateway that routes by headers and names models its own way answers only when the replay
/// sends its headers and its model names; the secret header's value never reaches disk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_and_model_names_a_gateway_requires_are_sent_and_secrets_stay_off_disk() {
    const VIRTUAL_KEY: &str = "vk-9f2c1a7e5b3d4c6a8e0f";
    let upstream = TestUpstream::start(|received| {
        let body: serde_json::Value = serde_json::from_slice(&received.body).unwrap_or_default();
        let routed = received.header("x-tenant") == Some("acme")
            && received.header("x-virtual-key") == Some(VIRTUAL_KEY)
            && body["model"] == "openai/m";
        if routed {
            Script::Sse {
                events: vec![fixtures::chat_stream("openai/m").into_bytes()],
                gap: Duration::ZERO,
            }
        } else {
            Script::Json {
                status: 401,
                body: br#"{"error":{"message":"no route","type":"auth","param":null,"code":null}}"#
                    .to_vec(),
            }
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let capture = fixtures::chat_capture("0190f0c2-0000-7000-8000-00000000a0f1", "m");
    let path = support::write(dir.path(), "c.json", fixtures::pretty(&capture));
    let out = dir.path().join("runs");
    let statuses = |replayed: &super::replay::Replayed| -> Vec<Option<u16>> {
        replayed.run.exchanges.iter().map(|e| e.status).collect()
    };
    let (without, with) = tokio::task::spawn_blocking({
        let (out, path, url) = (out.clone(), path.clone(), upstream.url());
        move || {
            let input = path.to_str().unwrap();
            let without = replay(&out, "plain", &[input, "--target", &url], &[]);
            let with = replay(
                &out,
                "routed",
                &[
                    input,
                    "--target",
                    &url,
                    "--header",
                    "X-Tenant: acme",
                    "--header-env",
                    "x-virtual-key=GATEWAY_VK",
                    "--model-map",
                    "m=openai/m",
                ],
                &[("GATEWAY_VK", VIRTUAL_KEY)],
            );
            (without, with)
        }
    })
    .await
    .unwrap();
    assert_eq!(
        statuses(&without),
        [Some(401)],
        "{}",
        describe(&without.output)
    );
    assert_eq!(statuses(&with), [Some(200)], "{}", describe(&with.output));
    let sent = upstream.received();
    assert_eq!(sent[1].header("x-tenant"), Some("acme"));
    let replayed = with.capture("c.json");
    assert_eq!(replayed.model.as_deref(), Some("openai/m"));
    let key_header = replayed.request.header("x-virtual-key").unwrap();
    assert!(key_header.starts_with("[REDACTED:"), "{key_header}");
    for file in walk(&out) {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            !text.contains(VIRTUAL_KEY),
            "{} holds the key",
            file.display()
        );
    }
    let shown = format!("{}{}", describe(&with.output), "");
    assert!(!shown.contains(VIRTUAL_KEY));
    let bad = run(harness().args([
        "replay",
        path.to_str().unwrap(),
        "--target",
        "embedded",
        "--header-env",
        "x-k=UNSET_VAR_FOR_TEST",
    ]));
    assert_eq!(bad.status.code(), Some(2), "{}", describe(&bad));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("UNSET_VAR_FOR_TEST"));
}
