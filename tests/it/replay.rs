//! `replay` end to end through the binary: the golden captures against the embedded gateway,
//! the official SDK's bodies, a gateway and a recorder as real child processes. The helpers
//! here are shared with `replay_wire`, `diff` and `schemas`.

use std::path::{Path, PathBuf};
use std::process::Output;

use cursor_harness::capture::Exchange;
use cursor_harness::capture::input::{Candidate, load};
use cursor_harness::check::check_paths;
use cursor_harness::conformance::{Profile, Verdict};
use cursor_harness::replay::run_file::RunFile;
use serde_json::Value;

use crate::support::process::Server;
use crate::support::{self, describe, harness, run};

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
    assert_eq!(replayed.run.counts.replayed, support::golden_count());
    assert_eq!(replayed.run.counts.answered, support::golden_count());
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
    assert_eq!(checked.results.len(), support::golden_count());
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
                && l.contains(" total ")
                && l.split_whitespace()
                    .next()
                    .is_some_and(|seq| seq.parse::<usize>().is_ok()))
            .count(),
        support::golden_count(),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{} answered", support::golden_count())),
        "{stdout}"
    );
}

#[test]
fn official_sdk_bodies_get_answers_that_pass_our_checker_over_http1_and_http2() {
    // The request bodies at the top of the folder; its `native/` exchanges are with other
    // endpoints than a Chat Completions gateway's.
    let mut bodies: Vec<String> = std::fs::read_dir(support::project_path("tests/fixtures/sdk"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| path.to_str().unwrap().to_owned())
        .collect();
    bodies.sort();
    let bodies: Vec<&str> = bodies.iter().map(String::as_str).collect();
    let out = tempfile::tempdir().unwrap();
    for (id, extra) in [("h1", None), ("h2", Some("--http2"))] {
        let mut args = bodies.clone();
        args.extend(["--target", "embedded:strict"]);
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
        &[bodies.as_slice(), &["--target", "embedded:lenient"]].concat(),
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
    assert_eq!(
        report["pairs"].as_array().unwrap().len(),
        support::golden_count()
    );
    assert_eq!(report["equal"], true, "{}", describe(&diff));
    assert_eq!(diff.status.code(), Some(0));
    // And what the recorder saw between the replayer and the gateway is what the replayer got,
    // for the plain Chat capture (its model's folder holds the model's other replays too).
    let golden = read_capture(&support::project_path(
        "captures/golden/deepseek-v4-pro/0008-plain-chat-text-stream.json",
    ));
    let sent = golden.request.body.as_ref().unwrap().json().unwrap();
    let recorded: Vec<PathBuf> =
        crate::support::recorder::capture_files(&captures.path().join("legs"))
            .into_iter()
            .filter(|p| p.to_string_lossy().contains("deepseek-v4-pro"))
            .filter(|p| {
                read_capture(p)
                    .request
                    .body
                    .as_ref()
                    .and_then(|b| b.json().ok())
                    .is_some_and(|body| body == sent)
            })
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
