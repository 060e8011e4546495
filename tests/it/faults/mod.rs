//! The fault-injection suite: a test upstream and test clients that misbehave on purpose, one
//! named test per fault, loopback only, each bounded in time. Every test checks the same four
//! invariants with the helpers below:
//!
//! 1. the proxy keeps serving: a healthy request after the fault gets its whole stream
//!    ([`assert_keeps_serving`]);
//! 2. the client gets the upstream's bytes unchanged (all of them, or a prefix and a broken
//!    body), or a clear OpenAI-shaped error when nothing was sent yet ([`Answer`]);
//! 3. exactly one capture exists for the exchange, complete or carrying `error`
//!    ([`Outcome`]), and it holds what the client got;
//! 4. nothing partial or corrupt is left anywhere under the captures folder: every `.json`
//!    reads as a capture and validates against the capture schema, the manifest lists exactly
//!    the captures on disk, and no temp file is left ([`assert_clean`]).
//!
//! Each exchange is named by a marker in its query string (`?fault=reset`), which the test
//! upstream reads to choose its misbehaviour and the captures keep in `request.target`.

mod client;
mod connections;
mod disk;
mod exclusive;
mod memory;
mod requests;
mod signals;
mod upstream;
mod walks;

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use cursor_harness::capture::input::{self, Candidate};
use cursor_harness::capture::{ErrorKind, Exchange};
use cursor_harness::record::Manifest;
use serde_json::{Value, json};

use crate::schemas::{CAPTURE_SCHEMA, reader_accepts, schema, violations};
use crate::support::process::Server;
use crate::support::recorder::{Timed, send};
use crate::support::upstream::{Received, Script, TestUpstream, chat_events};

/// The session every fault test records into.
pub const SESSION: &str = "test";

/// What the client must have got.
pub enum Answer<'a> {
    /// All of these bytes (what the upstream sent) and a clean end.
    Whole(&'a [u8]),
    /// A prefix of these bytes, then a body that broke off: the client can tell it is cut.
    Cut(&'a [u8]),
    /// Nothing from the upstream: the proxy's own OpenAI-shaped error with this status.
    Error(u16),
    /// The client itself left (nothing to check on its side); the capture holds a prefix of
    /// these bytes, and no response at all when the client left before the head.
    Abandoned(&'a [u8]),
}

/// What the capture must say.
#[derive(Debug, Clone, Copy)]
pub enum Outcome {
    Complete,
    Failed(ErrorKind),
}

/// The path a fault's request goes to.
pub fn path(marker: &str) -> String {
    format!("/v1/chat/completions?fault={marker}")
}

/// A streaming chat request naming its marker.
pub fn body(marker: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "model": "fault-model",
        "messages": [{"role": "user", "content": format!("fault {marker}")}],
        "stream": true,
    }))
    .unwrap()
}

/// What the upstream answers a healthy request with.
pub fn healthy_events() -> Vec<Vec<u8>> {
    chat_events("healthy-model", &["still", " serving"])
        .into_iter()
        .map(String::into_bytes)
        .collect()
}

/// A test upstream that streams [`healthy_events`] for `?fault=healthy…` and answers any other
/// marker with `script(marker)`.
pub async fn upstream(script: impl Fn(&str) -> Script + Send + Sync + 'static) -> TestUpstream {
    TestUpstream::start(route(script)).await
}

/// The handler of [`upstream`], for [`TestUpstream::start_on`].
pub fn route(
    script: impl Fn(&str) -> Script + Send + Sync + 'static,
) -> impl Fn(&Received) -> Script + Send + Sync + 'static {
    move |request| {
        let marker = request.query("fault").unwrap_or_default();
        if marker.starts_with("healthy") {
            Script::Sse {
                events: healthy_events(),
                gap: Duration::ZERO,
            }
        } else {
            script(marker)
        }
    }
}

/// POST the marker's chat request over a fresh HTTP/1.1 connection, bounded in time.
pub async fn call(addr: SocketAddr, marker: &str) -> Timed {
    bounded(
        Duration::from_secs(20),
        send(
            addr,
            "POST",
            &path(marker),
            &[("content-type", "application/json")],
            body(marker),
            false,
        ),
    )
    .await
}

/// Await `future`, failing the test when it takes longer than `limit`.
pub async fn bounded<T>(limit: Duration, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(limit, future)
        .await
        .unwrap_or_else(|_| panic!("took longer than {limit:?}"))
}

/// Invariant 1: a healthy request after the fault is served whole. Returns what it got, for
/// [`assert_fault`] to check its capture once the recorder stopped.
pub async fn assert_keeps_serving(addr: SocketAddr, marker: &str) -> Timed {
    assert!(marker.starts_with("healthy"), "{marker}");
    let got = call(addr, marker).await;
    assert_answer(&got, &Answer::Whole(&healthy_events().concat()));
    got
}

/// Invariant 2: the client got what `expected` says.
pub fn assert_answer(got: &Timed, expected: &Answer<'_>) {
    match expected {
        Answer::Whole(bytes) => {
            assert_eq!(got.status, 200, "{}", got.text());
            assert!(got.error.is_none(), "the body broke: {:?}", got.error);
            assert!(
                got.body() == *bytes,
                "the client must get the upstream's bytes unchanged ({} bytes sent, {} got)",
                bytes.len(),
                got.body().len()
            );
        }
        Answer::Cut(bytes) => {
            assert_eq!(got.status, 200, "{}", got.text());
            assert!(
                got.error.is_some(),
                "a cut body must break off, not end cleanly (got {} bytes)",
                got.body().len()
            );
            assert!(
                bytes.starts_with(&got.body()),
                "what the client got is not a prefix of what the upstream sent"
            );
        }
        Answer::Error(status) => assert_openai_error(got, *status),
        Answer::Abandoned(_) => {}
    }
}

/// An answer in OpenAI's error envelope, with this status and a message that says something.
pub fn assert_openai_error(got: &Timed, status: u16) {
    assert_eq!(got.status, status, "{}", got.text());
    assert!(got.error.is_none(), "the error body broke: {:?}", got.error);
    assert_eq!(
        got.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    let value: Value = serde_json::from_slice(&got.body())
        .unwrap_or_else(|err| panic!("not JSON ({err}): {}", got.text()));
    let error = value["error"].as_object().expect("an `error` object");
    assert_eq!(value.as_object().unwrap().len(), 1, "{value}");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        message.len() > 20,
        "a message that says what happened: {value}"
    );
    assert!(error["type"].is_string(), "{value}");
    assert!(
        error.contains_key("param") && error.contains_key("code"),
        "{value}"
    );
}

/// The healthy request sent after a fault got the whole stream, and its capture is complete.
pub fn assert_healthy(root: &Path, healthy: &Timed) {
    let whole = healthy_events().concat();
    assert_fault(
        root,
        "healthy",
        Some(healthy),
        Answer::Whole(&whole),
        Outcome::Complete,
    );
}

/// Invariants 2, 3 and 4 for one exchange after the recorder stopped: the client's answer,
/// exactly one capture that agrees with it, and a clean captures folder. Returns the capture.
pub fn assert_fault(
    root: &Path,
    marker: &str,
    got: Option<&Timed>,
    answer: Answer<'_>,
    outcome: Outcome,
) -> Exchange {
    let exchange = one_capture(&root.join(SESSION), marker);
    assert_exchange(&exchange, marker, got, answer, outcome);
    assert_clean(root);
    exchange
}

/// Invariants 2 and 3 for one exchange whose capture was found: the client's answer, and a
/// capture that agrees with it.
pub fn assert_exchange(
    exchange: &Exchange,
    marker: &str,
    got: Option<&Timed>,
    answer: Answer<'_>,
    outcome: Outcome,
) {
    if let Some(got) = got {
        assert_answer(got, &answer);
    }
    match (outcome, &exchange.error) {
        (Outcome::Complete, None) => {}
        (Outcome::Failed(kind), Some(error)) => {
            assert_eq!(error.kind, kind, "{marker}: {}", error.message);
            assert!(!error.message.is_empty());
        }
        (expected, found) => panic!("{marker}: expected {expected:?}, the capture says {found:?}"),
    }
    let captured = captured_bytes(exchange);
    match answer {
        Answer::Whole(bytes) => {
            let response = exchange.response.as_ref().expect("a response");
            assert!(
                response.ended_at_ms.is_some(),
                "{marker}: the end is recorded"
            );
            assert!(
                captured == bytes,
                "{marker}: the capture rebuilds the stream"
            );
        }
        Answer::Cut(bytes) | Answer::Abandoned(bytes) => {
            if matches!(answer, Answer::Cut(_)) {
                assert!(
                    exchange.response.is_some(),
                    "{marker}: the head is recorded"
                );
            }
            assert!(
                bytes.starts_with(&captured),
                "{marker}: the capture holds a prefix of what the upstream sent"
            );
            if let Some(got) = got {
                assert!(
                    captured.starts_with(&got.body()),
                    "{marker}: the capture holds every byte the client got"
                );
            }
        }
        Answer::Error(_) => assert!(
            exchange.response.is_none(),
            "{marker}: the proxy's own error is not an upstream response"
        ),
    }
}

/// The response bytes a capture holds (stream or body).
pub fn captured_bytes(exchange: &Exchange) -> Vec<u8> {
    let Some(response) = &exchange.response else {
        return Vec::new();
    };
    match (&response.stream, &response.body) {
        (Some(_), _) => response.stream_bytes().unwrap(),
        (None, Some(body)) => body.to_bytes().into_owned(),
        (None, None) => Vec::new(),
    }
}

/// The one capture under `session_dir` whose request carried `?fault=<marker>`.
pub fn one_capture(session_dir: &Path, marker: &str) -> Exchange {
    let mut found = by_marker(session_dir).remove(marker).unwrap_or_default();
    assert_eq!(
        found.len(),
        1,
        "exactly one capture for {marker} under {}",
        session_dir.display()
    );
    found.remove(0)
}

/// Every capture under `session_dir`, grouped by marker (read once, for many exchanges).
pub fn by_marker(session_dir: &Path) -> HashMap<String, Vec<Exchange>> {
    let mut found: HashMap<String, Vec<Exchange>> = HashMap::new();
    for path in crate::support::recorder::capture_files(session_dir) {
        let exchange = load(&path);
        let marker = marker_of(&exchange).unwrap_or_default();
        found.entry(marker).or_default().push(exchange);
    }
    found
}

/// The marker of a captured request.
pub fn marker_of(exchange: &Exchange) -> Option<String> {
    let (_, query) = exchange.request.target.split_once('?')?;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("fault="))
        .map(str::to_owned)
}

fn load(path: &Path) -> Exchange {
    input::load(&Candidate::File(path.to_owned()))
        .remove(0)
        .result
        .unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// Invariant 4: under `root` there are only the redaction key, session manifests that list
/// exactly the captures on disk, and captures that read back and match the capture schema;
/// every file is the owner's only (0600) and so is every folder the recorder made (0700).
pub fn assert_clean(root: &Path) {
    let validator = schema(CAPTURE_SCHEMA);
    let mut listed = BTreeSet::new();
    let mut on_disk = BTreeSet::new();
    for path in crate::support::files_under(root) {
        let relative = path.strip_prefix(root).unwrap();
        assert_private(root, &path);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if relative == Path::new(cursor_harness::capture::redact::KEY_FILE) {
            continue;
        }
        assert!(
            !name.starts_with('.') && name.ends_with(".json"),
            "a leftover under the captures folder: {}",
            relative.display()
        );
        let bytes = std::fs::read(&path).unwrap();
        if name == "manifest.json" {
            let manifest: Manifest = serde_json::from_slice(&bytes)
                .unwrap_or_else(|err| panic!("{}: not a manifest: {err}", relative.display()));
            let session = path.parent().unwrap();
            for entry in manifest.exchanges {
                assert!(
                    listed.insert(session.join(&entry.file)),
                    "{} listed twice",
                    entry.file
                );
            }
            continue;
        }
        let value: Value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|err| panic!("{}: not JSON: {err}", relative.display()));
        let found = violations(&validator, &value);
        assert!(
            found.is_empty(),
            "{} does not match the capture schema:\n  {}",
            relative.display(),
            found.join("\n  ")
        );
        reader_accepts(&relative.display().to_string(), &bytes).unwrap();
        on_disk.insert(path);
    }
    assert_eq!(
        listed, on_disk,
        "the manifest lists exactly the captures on disk"
    );
}

/// `path` is the owner's only (0600), and so is each folder between it and `root` (0700).
pub fn assert_private(root: &Path, path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(path), 0o600, "{} is {:o}", path.display(), mode(path));
        let mut folder = path.parent();
        while let Some(dir) = folder.filter(|dir| *dir != root) {
            assert_eq!(mode(dir), 0o700, "{} is {:o}", dir.display(), mode(dir));
            folder = dir.parent();
        }
    }
}

/// The recorder as a real child process (how users run it), forwarding to `upstream` with no
/// path token, writing the [`SESSION`] under `captures`.
pub fn recorder_process(upstream: &str, captures: &Path, extra: &[&str]) -> Server {
    recorder_process_with(crate::support::harness(), upstream, captures, extra)
}

/// [`recorder_process`] from a prepared command (the binary under a wrapper, say).
pub fn recorder_process_with(
    mut command: std::process::Command,
    upstream: &str,
    captures: &Path,
    extra: &[&str],
) -> Server {
    command
        .args(["record", "--upstream", upstream, "--allow-no-token"])
        .args(["--listen", "127.0.0.1:0", "--session", SESSION])
        .arg("--captures")
        .arg(captures)
        .args(extra);
    Server::spawn(command)
}

/// Wait (at most 10 s) until `condition` holds.
pub async fn eventually(what: &str, condition: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !condition() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// How many captures the session's manifest lists (0 when it is not there yet).
pub fn manifest_len(session_dir: &Path) -> usize {
    std::fs::read(session_dir.join("manifest.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Manifest>(&bytes).ok())
        .map_or(0, |m| m.exchanges.len())
}
