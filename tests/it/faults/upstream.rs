//! Upstreams that fail: refused, reset, stalled before and during the stream, invalid HTTP,
//! and event streams that break the SSE rules (which are still HTTP, so they pass untouched).

use std::time::{Duration, Instant};

use cursor_harness::capture::ErrorKind;
use cursor_harness::check::check_exchange;
use cursor_harness::conformance::Profile;

use super::{
    Answer, Outcome, assert_fault, assert_healthy, assert_keeps_serving, bounded, call, route,
    upstream,
};
use crate::support::recorder::{Recorder, options};
use crate::support::upstream::{Script, TestUpstream, chat_events, malformed};

/// A stream long enough to be cut in the middle.
fn events() -> Vec<Vec<u8>> {
    chat_events("fault-model", &["one", " two", " three", " four", " five"])
        .into_iter()
        .map(String::into_bytes)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_refuses_the_connection() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut recorder = Recorder::start(options(Some(format!("http://127.0.0.1:{port}/v1")))).await;
    let got = call(recorder.addr, "refused").await;
    let message = String::from_utf8_lossy(&got.body()).into_owned();
    assert!(message.contains("connect"), "{message}");
    // The upstream comes back on the same port: the proxy holds no memory of the refusal.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let _upstream = TestUpstream::start_on(listener, route(|_| unreachable!()));
    let healthy = assert_keeps_serving(recorder.addr, "healthy").await;
    recorder.stop().await;
    let root = recorder.captures.path();
    assert_fault(
        root,
        "refused",
        Some(&got),
        Answer::Error(502),
        Outcome::Failed(ErrorKind::Connect),
    );
    assert_healthy(root, &healthy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_resets_mid_stream() {
    let upstream = upstream(|_| Script::ResetAfter {
        events: events(),
        after: 3,
        gap: Duration::from_millis(20),
    })
    .await;
    let mut recorder = Recorder::start(options(Some(upstream.url()))).await;
    let got = call(recorder.addr, "reset").await;
    assert!(
        !got.body().is_empty(),
        "the events before the reset reached the client"
    );
    let healthy = assert_keeps_serving(recorder.addr, "healthy").await;
    recorder.stop().await;
    let sent = events()[..3].concat();
    let root = recorder.captures.path();
    assert_fault(
        root,
        "reset",
        Some(&got),
        Answer::Cut(&sent),
        Outcome::Failed(ErrorKind::Reset),
    );
    assert_healthy(root, &healthy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_stalls_past_the_timeout_before_the_head() {
    let upstream = upstream(|_| Script::StallBeforeHead(Duration::from_secs(5))).await;
    let mut opts = options(Some(upstream.url()));
    opts.limits.response_timeout = Duration::from_millis(400);
    let mut recorder = Recorder::start(opts).await;
    let started = Instant::now();
    let got = call(recorder.addr, "stall-head").await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the timeout answered, not the upstream closing"
    );
    let healthy = assert_keeps_serving(recorder.addr, "healthy").await;
    recorder.stop().await;
    let root = recorder.captures.path();
    let exchange = assert_fault(
        root,
        "stall-head",
        Some(&got),
        Answer::Error(504),
        Outcome::Failed(ErrorKind::Timeout),
    );
    assert!(exchange.error.unwrap().at_ms.unwrap() >= 400.0);
    assert_healthy(root, &healthy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_stalls_past_the_idle_timeout_during_the_stream() {
    let upstream = upstream(|_| Script::StallAfter {
        events: events()[..3].to_vec(),
        stall: Duration::from_secs(5),
    })
    .await;
    let mut opts = options(Some(upstream.url()));
    opts.limits.idle_timeout = Duration::from_millis(400);
    let mut recorder = Recorder::start(opts).await;
    let started = Instant::now();
    let got = call(recorder.addr, "stall-body").await;
    assert!(started.elapsed() < Duration::from_secs(3));
    let healthy = assert_keeps_serving(recorder.addr, "healthy").await;
    recorder.stop().await;
    let sent = events()[..3].concat();
    let root = recorder.captures.path();
    let exchange = assert_fault(
        root,
        "stall-body",
        Some(&got),
        Answer::Cut(&sent),
        Outcome::Failed(ErrorKind::Timeout),
    );
    assert_eq!(
        got.body(),
        sent,
        "every event before the stall reached the client"
    );
    assert!(exchange.error.unwrap().at_ms.unwrap() >= 400.0);
    assert_healthy(root, &healthy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_sends_invalid_http_instead_of_a_head() {
    let upstream = upstream(|_| Script::Raw(b"HTTP/1.1 banana\r\n\r\n".to_vec())).await;
    let mut recorder = Recorder::start(options(Some(upstream.url()))).await;
    let got = call(recorder.addr, "invalid-head").await;
    let healthy = assert_keeps_serving(recorder.addr, "healthy").await;
    recorder.stop().await;
    let root = recorder.captures.path();
    assert_fault(
        root,
        "invalid-head",
        Some(&got),
        Answer::Error(502),
        Outcome::Failed(ErrorKind::InvalidHttp),
    );
    assert_healthy(root, &healthy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_breaks_the_chunked_framing_mid_stream() {
    let first = events()[0].clone();
    let mut raw =
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
            .to_vec();
    raw.extend_from_slice(format!("{:x}\r\n", first.len()).as_bytes());
    raw.extend_from_slice(&first);
    raw.extend_from_slice(b"\r\nzz-not-a-chunk-size\r\n\r\n");
    let upstream = upstream(move |_| Script::Raw(raw.clone())).await;
    let mut recorder = Recorder::start(options(Some(upstream.url()))).await;
    let got = call(recorder.addr, "invalid-chunk").await;
    let healthy = assert_keeps_serving(recorder.addr, "healthy").await;
    recorder.stop().await;
    let root = recorder.captures.path();
    let exchange = assert_fault(
        root,
        "invalid-chunk",
        Some(&got),
        Answer::Cut(&first),
        Outcome::Failed(ErrorKind::InvalidHttp),
    );
    let message = exchange.error.unwrap().message;
    assert!(
        message.contains("chunk size"),
        "the cause is named: {message}"
    );
    assert_healthy(root, &healthy);
}

/// A malformed event stream is the upstream's business: the client gets it byte for byte, the
/// capture keeps it whole (the checker, not the proxy, judges it), and nothing chokes on it.
async fn passes_untouched(marker: &str, events: Vec<Vec<u8>>) {
    let sent = events.concat();
    let upstream = upstream(move |_| Script::Sse {
        events: events.clone(),
        gap: Duration::ZERO,
    })
    .await;
    let mut recorder = Recorder::start(options(Some(upstream.url()))).await;
    let got = call(recorder.addr, marker).await;
    let healthy = assert_keeps_serving(recorder.addr, "healthy").await;
    bounded(Duration::from_secs(20), recorder.stop()).await;
    let root = recorder.captures.path();
    let exchange = assert_fault(
        root,
        marker,
        Some(&got),
        Answer::Whole(&sent),
        Outcome::Complete,
    );
    let report = check_exchange(&exchange, marker.to_owned(), Profile::Strict);
    assert!(
        report.response.is_some(),
        "{marker}: the checker reads the stream"
    );
    assert_healthy(root, &healthy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_sends_sse_without_blank_lines() {
    passes_untouched("no-blank-line", malformed::no_blank_line("fault-model")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_sends_sse_with_a_giant_line() {
    let events = malformed::giant_line("fault-model", 4 * 1024 * 1024, 64 * 1024);
    passes_untouched("giant-line", events).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_sends_sse_with_invalid_utf8() {
    passes_untouched("invalid-utf8", malformed::invalid_utf8("fault-model")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_sends_sse_data_after_done() {
    passes_untouched("after-done", malformed::data_after_done("fault-model")).await;
}
