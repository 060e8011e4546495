//! The capture schema accepts exactly what the reader accepts: every file under `captures/`,
//! every shape the tool writes, and none of what the reader refuses.

use std::fs;
use std::path::{Path, PathBuf};

use cursor_harness::capture::input::{Candidate, expand, load_bytes};
use cursor_harness::capture::{
    Body, Chunk, ErrorKind, Exchange, Provenance, ProvenanceKind, ReplayLink, Request, Response,
    TransportError, har,
};
use serde_json::{Value, json};

use crate::support::{self, fixtures};

use super::{
    CAPTURE_SCHEMA, assert_matches, documented_example, reader_accepts, schema, violations,
};

/// The capture files under `root`: `*.json`, recursively, sorted, skipping dot-files and the
/// README and manifest files that sit beside captures.
fn capture_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.file_name().unwrap().to_string_lossy().starts_with('.') {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else if is_capture_name(&path) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn is_capture_name(path: &Path) -> bool {
    let name = path.file_name().unwrap().to_string_lossy().to_lowercase();
    name.ends_with(".json")
        && !name.starts_with('.')
        && !name.starts_with("readme")
        && !name.starts_with("manifest")
}

#[test]
fn the_capture_walk_finds_nested_captures_and_skips_readme_and_manifest_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for file in [
        "golden/gpt-5.5/0001-a.json",
        "golden/gpt-5.5/0002-b.json",
        "golden/claude-4/0001-c.json",
        "golden/README.md",
        "golden/manifest.json",
        "golden/.0003-d.json.tmp",
        "README.json",
    ] {
        support::write(root, file, "{}");
    }
    let found: Vec<_> = capture_files(root)
        .iter()
        .map(|path| {
            path.strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        found,
        [
            "golden/claude-4/0001-c.json",
            "golden/gpt-5.5/0001-a.json",
            "golden/gpt-5.5/0002-b.json"
        ]
    );
    assert!(capture_files(&root.join("absent")).is_empty());
}

/// Golden captures come from other work and may be written by hand; each must match the
/// schema *and* be read by the tool as a capture (so the schema and the reader agree on it).
#[test]
fn every_capture_under_captures_matches_the_schema_and_reads_as_a_capture() {
    let validator = schema(CAPTURE_SCHEMA);
    let root = support::project_path("captures");
    let files = capture_files(&root);
    // `check`'s own folder walk is independent code: if it sees capture files, this walk must
    // see the same ones, so a walk that silently skips everything cannot pass.
    let check_sees: Vec<PathBuf> = match expand(std::slice::from_ref(&root)) {
        Ok(candidates) => candidates
            .into_iter()
            .filter_map(|candidate| match candidate {
                Candidate::File(path) if is_capture_name(&path) => Some(path),
                _ => None,
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    assert_eq!(
        files, check_sees,
        "this walk and check's walk disagree on captures/"
    );
    let mut failures = Vec::new();
    for file in &files {
        let shown = file.strip_prefix(support::root()).unwrap_or(file).display();
        let bytes = fs::read(file).unwrap();
        let value: Value = match serde_json::from_slice(&bytes) {
            Ok(value) => value,
            Err(err) => {
                failures.push(format!("{shown}: not JSON: {err}"));
                continue;
            }
        };
        for violation in violations(&validator, &value) {
            failures.push(format!("{shown}: {violation}"));
        }
        if let Err(why) = reader_accepts(&shown.to_string(), &bytes) {
            failures.push(format!("{why} (the tool's own reader)"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problem(s) in the {} capture(s) under captures/ ({CAPTURE_SCHEMA}):\n  {}",
        failures.len(),
        files.len(),
        failures.join("\n  ")
    );
}

/// Exchanges built the ways the tool builds them: every optional part present, every one
/// absent, the odd encodings, and what the HAR and raw-body imports produce.
fn exchanges_the_tool_writes() -> Vec<(&'static str, Exchange)> {
    let request = |body: Option<Body>| Request {
        method: "POST".to_owned(),
        target: "/v1/chat/completions?api-version=1".to_owned(),
        http_version: "HTTP/2".to_owned(),
        headers: vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            ("authorization".to_owned(), "redacted:3f2a".to_owned()),
        ],
        body,
        omitted: None,
        encoding_mismatch: None,
    };
    let provenance = |kind| Provenance {
        kind,
        source: "tests/it/schemas.rs".to_owned(),
    };
    let chat = fixtures::chat_body("gpt-4o").to_string();

    let mut everything = Exchange::new(
        "s1",
        provenance(ProvenanceKind::Replayed),
        request(Some(Body::from_bytes(chat.as_bytes()))),
    );
    everything.upstream = Some("https://gateway.example/v1".to_owned());
    everything.replay_of = Some(ReplayLink {
        id: "0190f0c2-0000-7000-8000-000000000001".to_owned(),
        capture: "captures/s1/gpt-4o/0001.json".to_owned(),
    });
    let text = "é".as_bytes();
    everything.response = Some(Response {
        status: 200,
        http_version: "HTTP/2".to_owned(),
        headers: vec![("content-type".to_owned(), "text/event-stream".to_owned())],
        headers_at_ms: Some(12.5),
        body: None,
        stream: Some(vec![
            Chunk::new(Some(13.001), &text[..1]),
            Chunk::new(None, &text[1..]),
        ]),
        ended_at_ms: Some(40.0),
        omitted: None,
        encoding_mismatch: Some(
            "the body is labelled `content-encoding: gzip` but its bytes are not gzip".to_owned(),
        ),
    });
    everything.request.encoding_mismatch = Some("labelled br, not br".to_owned());
    everything.error = Some(TransportError {
        kind: ErrorKind::ClientDisconnected,
        message: "the client closed the stream".to_owned(),
        at_ms: Some(40.0),
    });

    let mut binary = Exchange::new(
        "s1",
        provenance(ProvenanceKind::Recorded),
        request(Some(Body::from_bytes(&[0xff, 0xfe, 0x00]))),
    );
    binary.response = Some(Response {
        status: 502,
        http_version: "HTTP/1.1".to_owned(),
        headers: vec![],
        headers_at_ms: None,
        body: Some(Body::from_bytes(b"{\n  \"error\": \"bad gateway\"\n}")),
        stream: None,
        ended_at_ms: None,
        omitted: None,
        encoding_mismatch: None,
    });

    let mut failed = Exchange::new("s1", provenance(ProvenanceKind::Synthesized), request(None));
    failed.error = Some(TransportError {
        kind: ErrorKind::Connect,
        message: "connection refused".to_owned(),
        at_ms: None,
    });

    let imported = load_bytes("body.json", chat.as_bytes())
        .remove(0)
        .result
        .unwrap();
    let har = fixtures::har(vec![fixtures::har_entry(
        &fixtures::chat_body("gpt-4o"),
        200,
        "text/event-stream",
        &fixtures::chat_stream("gpt-4o"),
    )]);
    let from_har = har::import("s.har", &har).remove(0).result.unwrap();
    vec![
        ("every optional part", everything),
        ("base64 body, text body", binary),
        ("transport failure, no body", failed),
        ("raw-body import", imported),
        ("HAR import with a stream", from_har),
    ]
}

#[test]
fn what_the_tool_writes_matches_the_capture_schema_and_reads_back_equal() {
    let validator = schema(CAPTURE_SCHEMA);
    for (what, exchange) in exchanges_the_tool_writes() {
        let bytes = exchange.to_pretty_json();
        let value: Value = serde_json::from_slice(&bytes).unwrap();
        assert_matches(&validator, &value, what, CAPTURE_SCHEMA);
        let read = load_bytes("again.json", &bytes).remove(0).result.unwrap();
        assert_eq!(read, exchange, "{what} does not read back as written");
    }
}

/// A small valid capture to take apart.
fn base_capture() -> Value {
    json!({
        "format": "cursor-harness/capture",
        "version": 1,
        "id": "0190f0c2-0000-7000-8000-000000000001",
        "session": "s",
        "recorded_at": "2026-11-01T10:00:00.000Z",
        "provenance": {"kind": "recorded", "source": "test"},
        "model": "gpt-4o",
        "request": {
            "method": "POST",
            "target": "/v1/chat/completions",
            "http_version": "HTTP/1.1",
            "headers": [["content-type", "application/json"]],
            "body": {"json": {"model": "gpt-4o", "messages": []}}
        },
        "response": {
            "status": 200,
            "http_version": "HTTP/1.1",
            "headers": [],
            "headers_at_ms": 1.5,
            "stream": [{"at_ms": 2.0, "text": "data: [DONE]\n\n"}],
            "ended_at_ms": 3.0
        },
        "error": null
    })
}

/// `base_capture` with the value at `pointer` replaced (or removed when `value` is `None`).
fn edited(pointer: &str, value: Option<Value>) -> Value {
    let mut capture = base_capture();
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let target = capture.pointer_mut(parent).unwrap();
    match (target, value) {
        (Value::Object(map), Some(value)) => {
            map.insert(key.to_owned(), value);
        }
        (Value::Object(map), None) => {
            assert!(
                map.remove(key).is_some(),
                "{pointer} is not in the base capture"
            );
        }
        (Value::Array(items), Some(value)) => items[key.parse::<usize>().unwrap()] = value,
        _ => panic!("cannot edit {pointer}"),
    }
    capture
}

#[test]
fn the_capture_schema_accepts_what_the_reader_accepts() {
    let validator = schema(CAPTURE_SCHEMA);
    let cases = [
        ("the base capture", base_capture()),
        ("no model key", edited("/model", None)),
        ("no response key", edited("/response", None)),
        ("no error key", edited("/error", None)),
        ("no request body key", edited("/request/body", None)),
        (
            "null request body",
            edited("/request/body", Some(Value::Null)),
        ),
        ("null upstream", edited("/upstream", Some(Value::Null))),
        ("null replay_of", edited("/replay_of", Some(Value::Null))),
        ("no headers_at_ms", edited("/response/headers_at_ms", None)),
        (
            "a JSON null body",
            edited("/request/body", Some(json!({"json": null}))),
        ),
        (
            "a text body",
            edited("/request/body", Some(json!({"text": "{ }"}))),
        ),
        (
            "a base64 body",
            edited("/request/body", Some(json!({"base64": "//4A"}))),
        ),
        (
            "a chunk at_ms null",
            edited(
                "/response/stream/0",
                Some(json!({"at_ms": null, "text": "x"})),
            ),
        ),
        (
            "a chunk without at_ms",
            edited("/response/stream/0", Some(json!({"text": "x"}))),
        ),
        (
            "a base64 chunk",
            edited(
                "/response/stream/0",
                Some(json!({"at_ms": 1, "base64": "w6k="})),
            ),
        ),
        (
            "a chunk with a null text beside its base64",
            edited(
                "/response/stream/0",
                Some(json!({"at_ms": 1, "text": null, "base64": "w6k="})),
            ),
        ),
        (
            "a transport error",
            edited(
                "/error",
                Some(json!({"kind": "invalid-http", "message": "m", "at_ms": 4})),
            ),
        ),
    ];
    for (what, capture) in cases {
        let bytes = support::fixtures::pretty(&capture);
        assert_eq!(
            reader_accepts(what, bytes.as_bytes()),
            Ok(()),
            "reader: {what}"
        );
        assert_matches(&validator, &capture, what, CAPTURE_SCHEMA);
    }
}

#[test]
fn the_capture_schema_refuses_what_the_reader_refuses() {
    let validator = schema(CAPTURE_SCHEMA);
    let cases = [
        ("another format", edited("/format", Some(json!("har")))),
        ("version 2", edited("/version", Some(json!(2)))),
        ("no request", edited("/request", None)),
        ("no provenance", edited("/provenance", None)),
        ("a misspelt key", edited("/reponse", Some(Value::Null))),
        (
            "an unknown request key",
            edited("/request/query", Some(json!(""))),
        ),
        (
            "an unknown response key",
            edited("/response/trailers", Some(json!([]))),
        ),
        (
            "an unknown provenance kind",
            edited("/provenance/kind", Some(json!("invented"))),
        ),
        (
            "an unknown error kind",
            edited("/error", Some(json!({"kind": "boom", "message": "m"}))),
        ),
        (
            "an error without message",
            edited("/error", Some(json!({"kind": "reset"}))),
        ),
        (
            "a header of three strings",
            edited("/request/headers/0", Some(json!(["a", "b", "c"]))),
        ),
        (
            "a header of one string",
            edited("/request/headers/0", Some(json!(["a"]))),
        ),
        (
            "a header object",
            edited(
                "/request/headers/0",
                Some(json!({"name": "a", "value": "b"})),
            ),
        ),
        (
            "a header number",
            edited("/request/headers/0", Some(json!(["a", 1]))),
        ),
        (
            "a body with two encodings",
            edited("/request/body", Some(json!({"text": "a", "json": {}}))),
        ),
        (
            "a body in no encoding",
            edited("/request/body", Some(json!({"utf16": "a"}))),
        ),
        (
            "a bare JSON body",
            edited("/request/body", Some(json!({"model": "gpt-4o"}))),
        ),
        (
            "a base64 body that does not decode",
            edited("/request/body", Some(json!({"base64": "not base64!"}))),
        ),
        (
            "non-canonical base64",
            edited("/request/body", Some(json!({"base64": "w6l="}))),
        ),
        (
            "unpadded base64",
            edited("/request/body", Some(json!({"base64": "w6k"}))),
        ),
        (
            "a chunk with both encodings",
            edited(
                "/response/stream/0",
                Some(json!({"at_ms": 1, "text": "a", "base64": "YQ=="})),
            ),
        ),
        (
            "a chunk with no encoding",
            edited("/response/stream/0", Some(json!({"at_ms": 1}))),
        ),
        (
            "a chunk with an unknown key",
            edited(
                "/response/stream/0",
                Some(json!({"at_ms": 1, "text": "a", "n": 1})),
            ),
        ),
        (
            "a chunk time as text",
            edited(
                "/response/stream/0",
                Some(json!({"at_ms": "1", "text": "a"})),
            ),
        ),
        (
            "a status too large",
            edited("/response/status", Some(json!(70000))),
        ),
        (
            "a negative status",
            edited("/response/status", Some(json!(-1))),
        ),
        (
            "a status as text",
            edited("/response/status", Some(json!("200"))),
        ),
        ("a numeric id", edited("/id", Some(json!(7)))),
        ("a model number", edited("/model", Some(json!(4)))),
    ];
    for (what, capture) in cases {
        let bytes = support::fixtures::pretty(&capture);
        assert!(
            reader_accepts(what, bytes.as_bytes()).is_err(),
            "the reader accepts {what}"
        );
        assert!(
            !violations(&validator, &capture).is_empty(),
            "{CAPTURE_SCHEMA} accepts {what}, which the reader refuses"
        );
    }
}

/// People copy the example; it must be a capture the tool reads, byte for byte as it writes it.
#[test]
fn the_documented_capture_example_is_a_capture_as_the_tool_writes_it() {
    let example = documented_example("docs/capture-format.md");
    let value: Value = serde_json::from_str(&example).unwrap();
    assert_matches(
        &schema(CAPTURE_SCHEMA),
        &value,
        "the example in docs/capture-format.md",
        CAPTURE_SCHEMA,
    );
    let exchange = load_bytes("example", example.as_bytes())
        .remove(0)
        .result
        .unwrap();
    assert_eq!(
        String::from_utf8(exchange.to_pretty_json()).unwrap(),
        example
    );
}
