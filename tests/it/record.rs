//! `record` in reverse-proxy mode: streaming passthrough, capture fidelity, redaction, path
//! safety, stub mode, real curl processes. Failures (upstreams, clients, disks, signals) are
//! in the fault suite, `faults`.

use std::time::Duration;

use cursor_harness::check::check_exchange;
use cursor_harness::conformance::{Profile, Verdict};
use cursor_harness::dialect::Dialect;
use serde_json::json;

use crate::support::recorder::{
    Recorder, assert_capture_rebuilds, assert_not_coalesced, capture_files, options, post_chat,
    send,
};
use crate::support::upstream::{Script, TestUpstream, chat_events};

fn chat_body(model: &str) -> serde_json::Value {
    json!({"model": model, "messages": [{"role": "user", "content": "hi"}], "stream": true, "stream_options": {"include_usage": true}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_passes_byte_for_byte_chunk_by_chunk_and_the_capture_rebuilds_it() {
    let events = chat_events(
        "plainmodel-x",
        &["Hello", " there", ",", " how", " are", " you", "?"],
    );
    let gap = Duration::from_millis(60);
    let upstream = TestUpstream::sse(events.clone(), gap).await;
    let mut recorder = Recorder::start(options(Some(upstream.url()))).await;

    let response = post_chat(
        recorder.addr,
        "/v1/chat/completions",
        &chat_body("plainmodel-x"),
    )
    .await;
    let sent: String = events.concat();
    assert_eq!(response.status, 200);
    assert_eq!(
        response.text(),
        sent,
        "the client must get the upstream's bytes unchanged"
    );

    // No coalescing: every event reached the client before the upstream wrote the next one.
    assert_not_coalesced(&events, &upstream.send_times(0), &response);

    recorder.stop().await;
    let exchanges = recorder.exchanges();
    assert_eq!(exchanges.len(), 1);
    let (path, exchange) = &exchanges[0];
    assert!(
        path.starts_with(recorder.session_dir().join("plainmodel-x")),
        "{}",
        path.display()
    );
    let captured = exchange.response.as_ref().unwrap();
    let times = assert_capture_rebuilds(captured, &events, 40.0);
    let report = check_exchange(exchange, "x".into(), Profile::Strict);
    assert_eq!(report.response.unwrap().verdict, Verdict::Conforms);
    assert!(report.timing.unwrap().ttft_ms.unwrap() >= times[1] - 1.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_pass_through_except_hop_by_hop_and_auth_reaches_the_upstream() {
    let upstream = TestUpstream::start(|_| Script::Json {
        status: 200,
        body: br#"{"object":"list","data":[]}"#.to_vec(),
    })
    .await;
    let mut recorder = Recorder::start(options(Some(upstream.url()))).await;
    let response = send(
        recorder.addr,
        "GET",
        "/v1/models?x=1",
        &[
            ("authorization", "Bearer gateway-key-123"),
            ("connection", "x-hop"),
            ("x-hop", "1"),
            ("x-end", "2"),
        ],
        Vec::new(),
        false,
    )
    .await;
    assert_eq!(response.status, 200);
    recorder.stop().await;
    let received = &upstream.received()[0];
    assert_eq!(
        received.target, "/api/llm/v1/models?x=1",
        "the path maps onto the upstream base"
    );
    assert_eq!(
        received.header("authorization"),
        Some("Bearer gateway-key-123")
    );
    assert_eq!(received.header("x-end"), Some("2"));
    assert_eq!(
        received.header("x-hop"),
        None,
        "headers named in Connection are hop-by-hop"
    );
    let (path, _) = &recorder.exchanges()[0];
    assert!(path.starts_with(recorder.session_dir().join("_models")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn planted_secrets_never_reach_the_captures_folder() {
    const KEY: &str = "sk-proj-PLANTEDsecretABCDEFGHIJKLMNOPQRSTUV";
    const OTHER: &str = "AIzaSyPLANTEDgoogleKEY0123456789abcdefgh";
    let echo =
        format!("data: {{\"error\":{{\"message\":\"Incorrect API key provided: {KEY}\"}}}}\n\n");
    let upstream = TestUpstream::start(move |_| Script::Sse {
        events: vec![echo.clone().into_bytes()],
        gap: Duration::ZERO,
    })
    .await;
    let mut opts = options(Some(upstream.url()));
    opts.path_token = Some("tokenPLANTED77".to_owned());
    let mut recorder = Recorder::start(opts).await;
    let body = json!({"model": "m", "messages": [{"role": "user", "content": format!("my key is {KEY}")}], "stream": true});
    let response = send(
        recorder.addr,
        "POST",
        &format!("/t/tokenPLANTED77/v1/chat/completions?api_key={OTHER}"),
        &[
            ("authorization", &format!("Bearer {KEY}")),
            ("x-api-key", KEY),
            ("cookie", "session=PLANTEDcookie"),
            ("content-type", "application/json"),
        ],
        serde_json::to_vec(&body).unwrap(),
        false,
    )
    .await;
    assert_eq!(response.status, 200);
    recorder.stop().await;
    let mut scanned = 0;
    for entry in crate::support::files_under(recorder.captures.path()) {
        if entry
            .file_name()
            .is_some_and(|n| n == cursor_harness::capture::redact::KEY_FILE)
        {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned();
        for planted in [KEY, OTHER, "PLANTEDcookie", "tokenPLANTED77"] {
            assert!(
                !text.contains(planted),
                "{planted} leaked into {}",
                entry.display()
            );
        }
        assert!(
            cursor_harness::capture::redact::scan_text(&text).is_empty(),
            "key-shaped string in {}",
            entry.display()
        );
        scanned += 1;
    }
    assert!(scanned >= 2, "the capture and the manifest were scanned");
    // The file scanner `scan` and `run` use agrees, and names the hash key file: the folder
    // is clean but for it, and not to be shared with it.
    let report = cursor_harness::scan::scan_paths(&[recorder.captures.path().to_owned()]).unwrap();
    assert!(report.is_clean_allowing_keys(), "{}", report.render());
    assert!(!report.is_clean(), "{}", report.render());
    assert_eq!(report.key_files.len(), 1, "{}", report.render());
    let (_, exchange) = &recorder.exchanges()[0];
    let auth = cursor_harness::capture::header(&exchange.request.headers, "authorization").unwrap();
    let api_key = cursor_harness::capture::header(&exchange.request.headers, "x-api-key").unwrap();
    assert!(auth.starts_with("Bearer [REDACTED:"));
    assert_eq!(
        auth.trim_start_matches("Bearer "),
        api_key,
        "the same key gives the same token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_model_name_stays_inside_the_session_folder() {
    let mut recorder = Recorder::start(options(None)).await;
    for model in ["../../../escape", "/etc/passwd", &"x".repeat(10_000), ".."] {
        let response = post_chat(recorder.addr, "/v1/chat/completions", &chat_body(model)).await;
        assert_eq!(response.status, 200);
    }
    recorder.stop().await;
    let files = capture_files(recorder.captures.path());
    assert_eq!(files.len(), 4);
    for file in &files {
        let canonical = file.canonicalize().unwrap();
        assert!(
            canonical.starts_with(recorder.session_dir().canonicalize().unwrap()),
            "{} escaped",
            file.display()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_path_token_nothing_reaches_the_upstream() {
    let upstream = TestUpstream::sse(chat_events("m", &["x"]), Duration::ZERO)
        .await
        .allow_unused();
    let mut opts = options(Some(upstream.url()));
    opts.path_token = Some("s3cret-token".to_owned());
    let mut recorder = Recorder::start(opts).await;
    for path in [
        "/v1/chat/completions",
        "/t/wrong/v1/chat/completions",
        "/t/s3cret-token2/v1/models",
        "/",
    ] {
        let response = post_chat(recorder.addr, path, &chat_body("m")).await;
        assert_eq!(response.status, 404, "{path}");
    }
    let response = post_chat(
        recorder.addr,
        "/t/s3cret-token/v1/chat/completions",
        &chat_body("m"),
    )
    .await;
    assert_eq!(response.status, 200);
    recorder.stop().await;
    assert_eq!(
        upstream.received().len(),
        1,
        "only the request with the token was forwarded"
    );
    assert_eq!(recorder.exchanges().len(), 1, "probes are not recorded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gzip_streams_reach_the_client_untouched_and_are_decoded_for_the_capture() {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut wire = Vec::new();
    let events = chat_events("m", &["zipped"]);
    for event in &events {
        encoder.write_all(event.as_bytes()).unwrap();
        encoder.flush().unwrap();
        wire.push(std::mem::take(encoder.get_mut()));
    }
    wire.push(encoder.finish().unwrap());
    let sent: Vec<u8> = wire.concat();
    let upstream = TestUpstream::start(move |_| Script::SseWith {
        headers: vec![("content-encoding".into(), "gzip".into())],
        events: wire.clone(),
        gap: Duration::ZERO,
    })
    .await;
    let mut recorder = Recorder::start(options(Some(upstream.url()))).await;
    let response = post_chat(recorder.addr, "/v1/chat/completions", &chat_body("m")).await;
    assert_eq!(
        response.body(),
        sent,
        "content-encoded bytes pass untouched"
    );
    recorder.stop().await;
    let (_, exchange) = &recorder.exchanges()[0];
    let decoded = exchange.response.as_ref().unwrap().stream_bytes().unwrap();
    assert_eq!(String::from_utf8(decoded).unwrap(), events.concat());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_capture_limit_reaches_the_client_whole_and_the_capture_says_what_it_left_out()
 {
    let events = chat_events("m", &["a long answer ".repeat(20).as_str(), "and more"]);
    let upstream = TestUpstream::sse(events.clone(), Duration::from_millis(5)).await;
    let mut opts = options(Some(upstream.url()));
    opts.limits.max_capture_body = events[0].len() + events[1].len();
    let mut recorder = Recorder::start(opts).await;
    let response = post_chat(recorder.addr, "/v1/chat/completions", &chat_body("m")).await;
    assert_eq!(
        response.text(),
        events.concat(),
        "the client gets every byte"
    );
    recorder.stop().await;
    let (path, exchange) = &recorder.exchanges()[0];
    let captured = exchange.response.as_ref().unwrap();
    let kept = String::from_utf8(captured.stream_bytes().unwrap()).unwrap();
    assert_eq!(kept, events[..2].concat(), "the capture keeps a prefix");
    let omitted = captured.omitted.as_ref().unwrap();
    assert_eq!(omitted.bytes as usize, events[2..].concat().len());
    assert!(
        omitted.reason.contains("--max-capture-body"),
        "{}",
        omitted.reason
    );
    assert!(exchange.error.is_none(), "the exchange itself went fine");
    let report = check_exchange(exchange, "x".into(), Profile::Strict);
    assert_eq!(report.response.unwrap().omitted_bytes, Some(omitted.bytes));
    crate::faults::assert_clean(recorder.captures.path());
    crate::faults::assert_private(recorder.captures.path(), path);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stub_mode_answers_every_dialect_and_check_names_them() {
    let mut recorder = Recorder::start(options(None)).await;
    let fixtures = crate::support::project_path("tests/fixtures/sdk");
    let mut expected = Vec::new();
    for name in ["chat-plain.json", "chat-tools.json", "responses-plain.json"] {
        let body: serde_json::Value =
            serde_json::from_slice(&std::fs::read(fixtures.join(name)).unwrap()).unwrap();
        let response = post_chat(recorder.addr, "/v1/chat/completions", &body).await;
        assert_eq!(response.status, 200, "{name}");
        expected.push(if name.starts_with("chat") {
            Dialect::ChatCompletions
        } else {
            Dialect::Responses
        });
    }
    let anthropic = json!({"model": "claude-sonnet-4-5", "system": [{"type": "text", "text": "s"}], "max_tokens": 100,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}], "stream": true});
    assert_eq!(
        post_chat(recorder.addr, "/v1/chat/completions", &anthropic)
            .await
            .status,
        200
    );
    expected.push(Dialect::Anthropic);
    recorder.stop().await;
    let exchanges = recorder.exchanges();
    let mut seen: Vec<(String, Dialect, Verdict)> = exchanges
        .iter()
        .map(|(path, exchange)| {
            assert!(
                exchange.error.is_none(),
                "a complete answer is recorded as complete: {:?}",
                exchange.error
            );
            let report = check_exchange(exchange, path.display().to_string(), Profile::Strict);
            (
                // The file name starts with the sequence number: the order requests arrived in.
                path.file_name().unwrap().to_string_lossy().into_owned(),
                report.request.unwrap().dialect,
                report.response.unwrap().verdict,
            )
        })
        .collect();
    seen.sort_by(|a, b| a.0.cmp(&b.0));
    let dialects: Vec<Dialect> = seen.iter().map(|(_, d, _)| *d).collect();
    assert_eq!(dialects, expected, "{seen:?}");
    assert!(
        seen.iter().all(|(_, _, v)| *v == Verdict::Conforms),
        "the stub's answers pass our own checker: {seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_session_run_continues_the_numbering_and_the_manifest() {
    let captures = tempfile::tempdir().unwrap();
    for run in 0..2 {
        let mut opts = options(None);
        opts.captures = captures.path().to_owned();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(cursor_harness::record::session::run(
            listener,
            opts,
            Box::new(cursor_harness::record::console::Collect::default()),
            async {
                let _ = stopped.await;
            },
        ));
        assert_eq!(
            post_chat(
                addr,
                "/v1/chat/completions",
                &chat_body(&format!("model-{run}"))
            )
            .await
            .status,
            200
        );
        let _ = stop.send(());
        let report = task.await.unwrap().unwrap();
        assert_eq!(report.written, 1);
    }
    let manifest: cursor_harness::record::Manifest =
        serde_json::from_slice(&std::fs::read(captures.path().join("test/manifest.json")).unwrap())
            .unwrap();
    let seqs: Vec<u64> = manifest.exchanges.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![1, 2]);
    assert!(manifest.exchanges[1].file.starts_with("model-1/000002-"));
}

#[test]
fn curl_streams_through_the_recorder_over_http1_and_http2() {
    if !crate::support::have_curl() {
        return;
    }
    let runtime = crate::support::runtime();
    let upstream = runtime.block_on(TestUpstream::sse(
        chat_events("m", &["one", "two"]),
        Duration::from_millis(10),
    ));
    let mut recorder = runtime.block_on(Recorder::start(options(Some(upstream.url()))));
    let body = serde_json::to_string(&chat_body("curl-model")).unwrap();
    for http in ["--http1.1", "--http2-prior-knowledge"] {
        let output = crate::support::curl()
            .args([
                "-sS",
                "-N",
                http,
                "-H",
                "content-type: application/json",
                "--data-binary",
                &body,
            ])
            .arg(recorder.url("/v1/chat/completions"))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            chat_events("m", &["one", "two"]).concat(),
            "{http}"
        );
    }
    runtime.block_on(recorder.stop());
    let versions: Vec<String> = recorder
        .exchanges()
        .iter()
        .map(|(_, e)| e.request.http_version.clone())
        .collect();
    assert_eq!(versions, vec!["HTTP/1.1", "HTTP/2"]);
    drop(upstream);
}

#[test]
fn a_guessable_path_token_is_refused() {
    for token in ["short", "has/slash-and-long-enough", "space in the token!!"] {
        let output = crate::support::run(crate::support::harness().args([
            "record",
            "--stub",
            "--listen",
            "127.0.0.1:0",
            "--path-token",
            token,
        ]));
        assert_eq!(
            output.status.code(),
            Some(2),
            "{}",
            crate::support::describe(&output)
        );
        assert!(String::from_utf8_lossy(&output.stderr).contains("at least 16 characters"));
    }
}

/// google-genai's streamed request through the recorder, in front of an upstream that answers
/// as Google does: the request keeps its `/v1beta` path and `alt=sse` on the way, the capture
/// lands in the folder of the model the path names (`<session>/gemini-2.5-pro/`) with that
/// model and the Gemini contract recorded, and it conforms to that contract.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gemini_request_is_filed_under_the_model_its_path_names_and_conforms() {
    let fixture = crate::support::project_path(
        "tests/fixtures/sdk/native/gemini/stream-generate-content-tools.json",
    );
    let sdk: cursor_harness::capture::Exchange =
        serde_json::from_slice(&std::fs::read(fixture).unwrap()).unwrap();
    let body = sdk.request.body.as_ref().unwrap().to_bytes().into_owned();
    let events: Vec<String> = sdk
        .response
        .as_ref()
        .unwrap()
        .stream
        .as_ref()
        .unwrap()
        .iter()
        .map(|chunk| String::from_utf8(chunk.data.to_bytes().into_owned()).unwrap())
        .collect();
    let upstream = TestUpstream::sse(events.clone(), Duration::from_millis(20)).await;
    let mut recorder = Recorder::start(options(Some(upstream.url()))).await;
    let target = "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse";
    let response = send(
        recorder.addr,
        "POST",
        target,
        &[
            ("content-type", "application/json"),
            ("x-goog-api-key", "test-key-not-secret"),
        ],
        body,
        false,
    )
    .await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.text(),
        events.concat(),
        "the stream passes untouched"
    );
    recorder.stop().await;

    let received = upstream.received();
    assert_eq!(
        received[0].target,
        "/api/llm/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse"
    );
    let exchanges = recorder.exchanges();
    assert_eq!(exchanges.len(), 1);
    let (path, exchange) = &exchanges[0];
    assert_eq!(
        path.parent().unwrap(),
        recorder.session_dir().join("gemini-2.5-pro"),
        "{}",
        path.display()
    );
    assert_eq!(exchange.model.as_deref(), Some("gemini-2.5-pro"));
    assert_eq!(
        exchange.contract,
        Some(cursor_harness::capture::Contract::Gemini)
    );
    let report = check_exchange(exchange, path.display().to_string(), Profile::Strict);
    assert_eq!(report.model.as_deref(), Some("gemini-2.5-pro"));
    let request = report.request.unwrap();
    let answer = report.response.unwrap();
    assert_eq!(request.dialect, Dialect::Gemini);
    assert_eq!(
        (request.verdict, answer.verdict),
        (Verdict::Conforms, Verdict::Conforms),
        "{:?} {:?}",
        request.violations,
        answer.violations
    );
}

/// The common `openssl req -x509` certificate is marked CA:TRUE, and TLS clients refuse it as a
/// server's own certificate even when it is given with --upstream-ca: the error says that, and
/// how to make a certificate that works, instead of telling the user to pass the flag they gave.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_self_signed_ca_certificate_on_the_upstream_is_named_with_the_real_fix() {
    let upstream = crate::support::tls_upstream::TlsUpstream::sse_self_signed_ca(
        chat_events("m", &["hi"]),
        Duration::ZERO,
    )
    .await
    .allow_unused();
    let mut options = options(Some(upstream.url("localhost", "/v1")));
    if let cursor_harness::record::session::Destination::Upstream { client, .. } =
        &mut options.destination
    {
        client.extra_cas = vec![upstream.ca_pem.clone()];
    }
    let mut recorder = Recorder::start(options).await;
    let response = post_chat(recorder.addr, "/v1/chat/completions", &chat_body("m")).await;
    assert_eq!(response.status, 502, "{}", response.text());
    recorder.stop().await;
    let (_, exchange) = &recorder.exchanges()[0];
    let message = &exchange.error.as_ref().unwrap().message;
    assert!(message.contains("CA:TRUE"), "{message}");
    assert!(
        message.contains("basicConstraints=critical,CA:FALSE"),
        "{message}"
    );
    assert!(
        !message.contains("trust its CA with --upstream-ca"),
        "{message}"
    );
    assert!(
        response.text().contains("CA:TRUE"),
        "the client is told too"
    );
}

/// When the upstream refuses, the console line says what it said, not only the status.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_shows_what_the_upstream_said_when_it_refused() {
    let refusal = json!({"error": {"message": "Unrecognized request argument supplied: input", "type": "invalid_request_error", "param": "input", "code": null}});
    let body = serde_json::to_vec(&refusal).unwrap();
    let upstream = TestUpstream::start(move |_| Script::Json {
        status: 400,
        body: body.clone(),
    })
    .await;
    let mut recorder = Recorder::start(options(Some(upstream.url()))).await;
    let response = post_chat(
        recorder.addr,
        "/v1/chat/completions",
        &json!({"model": "gpt-5.5", "input": "hi"}),
    )
    .await;
    assert_eq!(response.status, 400);
    recorder.stop().await;
    let lines = recorder.console.lines.lock().unwrap().clone();
    assert_eq!(
        lines[0].upstream_said.as_deref(),
        Some("Unrecognized request argument supplied: input")
    );
    let shown = lines[0].render();
    assert!(
        shown.contains("400") && shown.contains("« Unrecognized request argument supplied: input"),
        "{shown}"
    );
}
