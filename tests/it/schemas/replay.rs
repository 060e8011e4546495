//! The schemas of what `replay` and `diff` write (`run.json`, replayed captures, `diff --format
//! json`) validate real output, and refuse broken documents.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{CAPTURE_SCHEMA, assert_matches, reader_accepts, schema, violations};
use crate::support;

const RUN_SCHEMA: &str = "schemas/run.schema.json";
const DIFF_SCHEMA: &str = "schemas/diff.schema.json";

/// Real run.json files: a paced run of the golden folder with an unreadable input beside it,
/// and a run against a target that is down (every entry an error, nothing answered).
fn real_runs(out: &Path) -> Vec<(String, PathBuf)> {
    let inputs = out.join("inputs");
    for file in crate::support::json_files(&support::project_path("captures/golden")) {
        let name = file.file_name().unwrap().to_owned();
        fs::create_dir_all(&inputs).unwrap();
        fs::copy(&file, inputs.join(name)).unwrap();
    }
    support::write(&inputs, "zz-broken.json", "{ broken");
    let paced = crate::replay::replay(
        out,
        "paced",
        &[
            inputs.to_str().unwrap(),
            "--target",
            "embedded",
            "--pace",
            "x100000",
        ],
        &[],
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let target = format!("http://127.0.0.1:{port}/v1");
    let down = crate::replay::replay(out, "down", &["captures/golden", "--target", &target], &[]);
    vec![
        ("a paced run with an unreadable input".to_owned(), paced.dir),
        ("a run against a target that is down".to_owned(), down.dir),
    ]
}

#[test]
fn replay_output_matches_the_run_and_capture_schemas() {
    let run_schema = schema(RUN_SCHEMA);
    let capture_schema = schema(CAPTURE_SCHEMA);
    let out = tempfile::tempdir().unwrap();
    for (what, dir) in real_runs(out.path()) {
        let run: Value = serde_json::from_slice(&fs::read(dir.join("run.json")).unwrap()).unwrap();
        assert_matches(&run_schema, &run, &what, RUN_SCHEMA);
        let captures: Vec<PathBuf> = crate::support::json_files(&dir)
            .into_iter()
            .filter(|p| !p.ends_with("run.json"))
            .collect();
        assert_eq!(captures.len(), support::golden_count(), "{what}");
        for file in captures {
            let bytes = fs::read(&file).unwrap();
            let value: Value = serde_json::from_slice(&bytes).unwrap();
            assert_matches(
                &capture_schema,
                &value,
                &file.display().to_string(),
                CAPTURE_SCHEMA,
            );
            reader_accepts(&file.display().to_string(), &bytes).unwrap();
        }
        if what.contains("paced") {
            assert!(run["exchanges"][0]["scheduled_ms"].is_number(), "{run:#}");
            assert_eq!(run["unreadable"].as_array().unwrap().len(), 1);
            // Plain HTTP: each lane's first request opened a connection, with no handshake.
            let opened = run["exchanges"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["connection"].is_object())
                .count();
            assert!(opened >= 1, "{run:#}");
            assert_eq!(run["connections"]["opened"], json!(opened));
            assert!(run["connections"]["tls_ms"]["p50"].is_null(), "{run:#}");
        } else {
            assert!(run["exchanges"][0]["error"].is_object(), "{run:#}");
            assert_eq!(
                run["connections"]["opened"],
                json!(0),
                "nothing could connect"
            );
        }
    }
}

/// Over TLS, what opening a connection took is kept apart from the latency: run.json says
/// how long the connect and the handshake took, a request that opened its connection was
/// still timed from its start (so its TTFB holds both), and the document matches the schema.
#[test]
fn a_replay_over_tls_keeps_connect_and_handshake_apart_and_matches_the_run_schema() {
    let runtime = support::runtime();
    let upstream = runtime.block_on(support::tls_upstream::TlsUpstream::sse(
        support::upstream::chat_events("tls-model", &["hi"]),
        std::time::Duration::ZERO,
    ));
    let out = tempfile::tempdir().unwrap();
    let target = upstream.url("localhost", "/v1");
    let replayed = crate::replay::replay(
        out.path(),
        "tls",
        &[
            "captures/golden/deepseek-v4-pro",
            "--target",
            &target,
            "--target-ca",
            upstream.ca_pem.to_str().unwrap(),
            "--concurrency",
            "2",
        ],
        &[],
    );
    let run: Value =
        serde_json::from_slice(&fs::read(replayed.dir.join("run.json")).unwrap()).unwrap();
    assert_matches(&schema(RUN_SCHEMA), &run, "a run over TLS", RUN_SCHEMA);
    let exchanges = &replayed.run.exchanges;
    assert!(exchanges.iter().all(|e| e.status == Some(200)), "{run:#}");
    let cold: Vec<_> = exchanges
        .iter()
        .filter(|e| e.connection.is_some())
        .collect();
    assert!(!cold.is_empty(), "{run:#}");
    for exchange in &cold {
        let connection = exchange.connection.unwrap();
        let tls = connection.tls_ms.expect("a TLS handshake was made");
        let ttfb = exchange.timing.ttfb_ms.unwrap();
        assert!(
            ttfb >= connection.connect_ms + tls,
            "a request that opened its connection waited for it: {run:#}"
        );
    }
    let connections = &replayed.run.connections;
    assert_eq!(connections.opened, cold.len());
    assert!(connections.tls_ms.p50.is_some() && connections.connect_ms.p50.is_some());
    assert!(connections.ttfb_cold_ms.p50.is_some());
}

#[test]
fn the_run_schema_refuses_broken_documents() {
    let validator = schema(RUN_SCHEMA);
    let out = tempfile::tempdir().unwrap();
    let run = crate::replay::replay(
        out.path(),
        "r",
        &["captures/golden/_models", "--target", "embedded"],
        &[],
    );
    let good: Value = serde_json::from_slice(&fs::read(run.dir.join("run.json")).unwrap()).unwrap();
    assert_matches(&validator, &good, "run.json", RUN_SCHEMA);
    let breakages: [(&str, &str, Value); 7] = [
        ("a missing run id", "/run", Value::Null),
        ("a status out of range", "/exchanges/0/status", json!(99)),
        ("an unknown pace", "/options/pace", json!("fast")),
        (
            "an unknown error kind",
            "/exchanges/0/error",
            json!({"kind": "gremlins", "message": "m"}),
        ),
        (
            "a key written where only its variable may be",
            "/options/auth",
            json!({"header": "authorization", "env": "K", "key": "sk-x"}),
        ),
        (
            "a connection without its connect time",
            "/exchanges/0/connection",
            json!({"tls_ms": 1.0}),
        ),
        (
            "a negative count of connections",
            "/connections/opened",
            json!(-1),
        ),
    ];
    for (what, pointer, value) in breakages {
        let mut broken = good.clone();
        *broken.pointer_mut(pointer).unwrap() = value;
        assert!(
            !violations(&validator, &broken).is_empty(),
            "{RUN_SCHEMA} accepts {what} ({pointer})"
        );
    }
}

#[test]
fn diff_json_output_matches_the_diff_schema_in_every_mode() {
    let validator = schema(DIFF_SCHEMA);
    let out = tempfile::tempdir().unwrap();
    let run = crate::replay::replay(
        out.path(),
        "r",
        &["captures/golden", "--target", "embedded"],
        &[],
    );
    let gone = &run.run.exchanges[2];
    fs::remove_file(run.dir.join(gone.file.as_ref().unwrap())).unwrap();
    let run_dir = run.dir.to_str().unwrap();
    let stream = "captures/golden/deepseek-v4-pro/0008-plain-chat-text-stream.json";
    let cases: [(&str, Vec<&str>); 4] = [
        ("exchange mode, equal", vec![stream, stream]),
        (
            "exchange mode, different",
            vec![
                stream,
                "captures/golden/gemini-2.5-pro/0007-chat-guess-text-stream.json",
            ],
        ),
        (
            "pairs mode with an unmatched exchange",
            vec!["captures/golden", run_dir],
        ),
        (
            "sessions mode",
            vec!["captures/golden", run_dir, "--mode", "sessions"],
        ),
    ];
    for (what, args) in cases {
        let output = support::run(
            support::harness()
                .arg("diff")
                .args(&args)
                .args(["--format", "json"]),
        );
        let value: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
            panic!("{what}: not JSON ({err}): {}", support::describe(&output))
        });
        assert_matches(&validator, &value, what, DIFF_SCHEMA);
        assert_eq!(
            output.status.code(),
            Some(if value["equal"] == true { 0 } else { 1 }),
            "{what}"
        );
    }
}
