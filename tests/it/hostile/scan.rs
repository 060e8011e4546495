//! `scan` looks where redaction looks: a hand-written capture that was never redacted, holding
//! each shape only split across stream events, only JSON-escaped, only in the path or only
//! under a secret name, is found every time; the golden captures and the SDK fixtures hold
//! nothing it would call a secret.

use std::path::Path;

use serde_json::{Value, json};

use super::corpus;
use crate::support::{self, expect_code, scan};

/// A capture as someone might write it by hand, unredacted.
fn capture(target: &str, headers: Value, body_text: &str, chunks: Vec<String>) -> String {
    let stream: Vec<Value> = chunks
        .iter()
        .enumerate()
        .map(|(i, text)| json!({"at_ms": i as f64, "text": text}))
        .collect();
    json!({
        "format": "cursor-harness/capture", "version": 1, "id": "hand-written", "session": "s",
        "recorded_at": "2026-01-01T00:00:00.000Z",
        "provenance": {"kind": "synthesized", "source": "written by hand"},
        "model": "m",
        "request": {"method": "POST", "target": target, "http_version": "HTTP/1.1",
            "headers": headers, "body": {"text": body_text}},
        "response": {"status": 200, "http_version": "HTTP/1.1",
            "headers": [["content-type", "text/event-stream"]], "headers_at_ms": 1,
            "stream": stream, "ended_at_ms": 2},
        "error": null,
    })
    .to_string()
}

/// A Chat stream carrying `text` 1 to 4 characters per event, each event its own chunk.
fn split_stream(text: &str) -> Vec<String> {
    corpus::fragments(text)
        .into_iter()
        .map(|piece| {
            let event = json!({"choices": [{"index": 0, "delta": {"content": piece}}]});
            format!("data: {event}\n\n")
        })
        .collect()
}

#[test]
fn scan_finds_every_shape_split_across_a_stream_escaped_in_a_body_or_in_a_name() {
    let dir = tempfile::tempdir().unwrap();
    let plain = json!([["content-type", "application/json"]]);
    let mut expected = Vec::new();
    for (i, shape) in corpus::shapes().iter().enumerate() {
        let split = dir.path().join(format!("split-{i}.json"));
        let body = r#"{"model":"m","messages":[]}"#;
        std::fs::write(
            &split,
            capture(
                "/v1/chat/completions",
                plain.clone(),
                body,
                split_stream(&shape.text),
            ),
        )
        .unwrap();
        let escaped = dir.path().join(format!("escaped-{i}.json"));
        let body = format!(
            r#"{{"model":"m","messages":[{{"role":"user","content":"{}"}}]}}"#,
            corpus::escaped(&shape.text)
        );
        std::fs::write(
            &escaped,
            capture("/v1/chat/completions", plain.clone(), &body, Vec::new()),
        )
        .unwrap();
        expected.push((shape.name, split));
        expected.push((shape.name, escaped));
    }
    let named = corpus::named();
    let (header, value) = &named.headers[1];
    let by_header = dir.path().join("header.json");
    std::fs::write(
        &by_header,
        capture(
            "/v1/chat/completions",
            json!([[header, value]]),
            "{}",
            Vec::new(),
        ),
    )
    .unwrap();
    expected.push(("a header secret by its name", by_header));
    let (param, value) = &named.params[3];
    let by_param = dir.path().join("query.json");
    std::fs::write(
        &by_param,
        capture(
            &format!("/v1/models?{param}={value}"),
            plain.clone(),
            "{}",
            Vec::new(),
        ),
    )
    .unwrap();
    expected.push(("a percent-encoded parameter name", by_param));

    let output = scan(&[dir.path()]);
    let stdout = expect_code(&output, 1);
    for (shape, file) in &expected {
        let name = file.display().to_string();
        assert!(
            stdout.lines().any(|line| line.starts_with(&name)),
            "{shape} in {name} was not found:\n{stdout}"
        );
    }
    super::sweep::assert_no_secret("scan's output", &stdout, &corpus::all_secrets());
}

#[test]
fn scan_reports_nothing_in_the_golden_captures_and_the_sdk_fixtures() {
    let golden = support::project_path("captures/golden");
    let fixtures = support::json_files(&support::project_path("tests/fixtures/sdk"));
    assert!(fixtures.len() >= 10, "{fixtures:?}");
    let mut paths: Vec<&Path> = vec![&golden];
    paths.extend(fixtures.iter().map(|p| p.as_path()));
    let output = scan(&paths);
    let stdout = expect_code(&output, 0);
    assert!(
        stdout.starts_with("scan: no key-shaped string in "),
        "{stdout}"
    );
}
