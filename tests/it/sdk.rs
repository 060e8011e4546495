//! Request bodies captured from the official `openai` Python SDK (`tests/fixtures/sdk/`): what a
//! real client sends is the checker's ground truth. A Chat body from the SDK that the checker
//! calls broken, or foreign, is a checker bug by definition.

use std::path::PathBuf;

use cursor_harness::capture::input::{InputKind, load_bytes};
use cursor_harness::check::{ExchangeReport, check_paths};
use cursor_harness::conformance::{Profile, Severity, Verdict};
use cursor_harness::dialect::Dialect;

use crate::support;

const FIXTURES: &str = "tests/fixtures/sdk";

const CHAT: &[&str] = &[
    "chat-images.json",
    "chat-plain.json",
    "chat-reasoning.json",
    "chat-response-format.json",
    "chat-tools.json",
];

const RESPONSES: &[&str] = &["responses-plain.json", "responses-tools.json"];

fn path(name: &str) -> PathBuf {
    support::project_path(FIXTURES).join(name)
}

fn report(name: &str) -> ExchangeReport {
    let mut results = check_paths(&[path(name)], Profile::Strict).unwrap().results;
    assert_eq!(results.len(), 1, "{name}");
    results.remove(0)
}

/// The loops below must not pass by finding nothing: the folder holds exactly these bodies.
#[test]
fn the_fixture_folder_holds_the_listed_bodies() {
    let mut on_disk: Vec<String> = std::fs::read_dir(support::project_path(FIXTURES))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<&str> = CHAT.iter().chain(RESPONSES).copied().collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

/// The SDK sends compact JSON, so a raw body must be kept as JSON that rebuilds the same bytes
/// (a replay has to send what the client sent).
#[test]
fn sdk_bodies_load_as_raw_bodies_that_rebuild_their_bytes() {
    for name in CHAT.iter().chain(RESPONSES) {
        let bytes = std::fs::read(path(name)).unwrap();
        let mut loaded = load_bytes(name, &bytes);
        assert_eq!(loaded.len(), 1, "{name}");
        let loaded = loaded.remove(0);
        assert_eq!(loaded.kind, InputKind::RawBody, "{name}");
        let exchange = loaded.result.unwrap();
        let body = exchange.request.body.as_ref().unwrap();
        assert!(
            matches!(body, cursor_harness::capture::Body::Json(_)),
            "{name}"
        );
        assert_eq!(body.to_bytes().as_ref(), bytes.as_slice(), "{name}");
    }
}

#[test]
fn sdk_chat_bodies_are_chat_completions_and_conform_under_strict() {
    for name in CHAT {
        let report = report(name);
        let request = report.request.as_ref().unwrap();
        assert_eq!(request.dialect, Dialect::ChatCompletions, "{name}");
        assert_eq!(request.foreign, [], "{name}: {:?}", request.evidence);
        let errors: Vec<_> = request
            .violations
            .iter()
            .filter(|v| v.severity == Severity::Error)
            .collect();
        assert_eq!(errors, Vec::<&_>::new(), "{name}");
        assert_eq!(request.verdict, Verdict::Conforms, "{name}");
    }
}

#[test]
fn sdk_responses_bodies_are_responses_and_break() {
    for name in RESPONSES {
        let report = report(name);
        let request = report.request.as_ref().unwrap();
        assert_eq!(request.dialect, Dialect::Responses, "{name}");
        assert_eq!(request.verdict, Verdict::Breaks, "{name}");
        let has = |code: &str, path: &str| {
            request
                .violations
                .iter()
                .any(|v| v.code == code && v.path == path && v.severity == Severity::Error)
        };
        assert!(
            has("request.dialect", ""),
            "{name}: {:?}",
            request.violations
        );
        assert!(
            has("request.unknown-field", "/input"),
            "{name}: {:?}",
            request.violations
        );
        assert!(
            has("request.missing-field", "/messages"),
            "{name}: {:?}",
            request.violations
        );
    }
}

#[test]
fn sdk_responses_bodies_have_no_foreign_dialect() {
    for name in RESPONSES {
        let report = report(name);
        let request = report.request.as_ref().unwrap();
        assert_eq!(request.foreign, [], "{name}: {:?}", request.evidence);
    }
}
