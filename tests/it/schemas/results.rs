//! The check-results schema validates real `check --format json` output and the documented
//! example, and refuses broken documents.

use std::fs;
use std::path::Path;

use serde_json::{Value, json};

use crate::support::{self, fixtures};

use super::{
    CAPTURE_SCHEMA, RESULTS_SCHEMA, assert_matches, documented_example, schema, violations,
};

/// A folder holding one of each kind of input, including the awkward ones.
fn mixed_inputs(dir: &Path) {
    support::write(
        dir,
        "a-raw-body.json",
        fixtures::responses_body("gpt-5.5").to_string(),
    );
    let har = fixtures::har(vec![
        fixtures::har_entry(
            &fixtures::chat_body("gpt-4o"),
            200,
            "text/event-stream",
            &fixtures::chat_stream("gpt-4o"),
        ),
        json!({
            "startedDateTime": "2026-11-01T10:00:01.000Z",
            "time": -1,
            "request": {"method": "GET", "url": "https://gateway.example/v1/models", "headers": []},
            "response": {"status": 0, "headers": [], "content": {"mimeType": "", "size": 0}},
            "timings": {"send": -1, "wait": -1, "receive": -1}
        }),
    ]);
    support::write(dir, "b-session.har", fixtures::pretty(&har));
    support::write(
        dir,
        "c-broken.json",
        "{\"model\": \"gpt-4o\",\n  \"messages\": [",
    );
    let odd = json!({
        "format": "cursor-harness/capture",
        "version": 1,
        "id": "0190f0c2-0000-7000-8000-0000000000aa",
        "session": "odd",
        "recorded_at": "2026-11-01T10:00:00.000Z",
        "provenance": {"kind": "synthesized", "source": "schemas test: the odd encodings"},
        "model": null,
        "request": {
            "method": "POST",
            "target": "/v1/chat/completions",
            "http_version": "HTTP/1.1",
            "headers": [["content-type", "application/octet-stream"]],
            "body": {"base64": "//4AQQ=="}
        },
        "response": {
            "status": 200,
            "http_version": "HTTP/1.1",
            "headers": [["content-type", "text/event-stream"]],
            "headers_at_ms": null,
            "stream": [
                {"at_ms": null, "text": "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"caf"},
                {"at_ms": 7.25, "base64": "w6k="},
                {"at_ms": null, "text": "\"},\"finish_reason\":null}]}\n\n"}
            ],
            "ended_at_ms": 9.5
        },
        "error": {"kind": "reset", "message": "connection reset by peer", "at_ms": 9.5}
    });
    assert_matches(
        &schema(CAPTURE_SCHEMA),
        &odd,
        "the odd capture fixture",
        CAPTURE_SCHEMA,
    );
    support::write(dir, "d-odd-capture.json", fixtures::pretty(&odd));
}

/// Run `check` on a mixed folder and an empty one, and return the JSON it printed.
fn real_results(profile: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("inputs");
    mixed_inputs(&inputs);
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let output = support::run(
        support::harness()
            .args(["check", "--format", "json", "--profile", profile])
            .arg(&inputs)
            .arg(&empty),
    );
    let stdout = support::expect_code(&output, 1);
    serde_json::from_str(&stdout).unwrap_or_else(|err| panic!("not JSON ({err}):\n{stdout}"))
}

#[test]
fn check_json_output_matches_the_results_schema() {
    let validator = schema(RESULTS_SCHEMA);
    for profile in ["strict", "lenient"] {
        let results = real_results(profile);
        assert_matches(
            &validator,
            &results,
            &format!("check --profile {profile} output"),
            RESULTS_SCHEMA,
        );

        // The document must exercise what the schema describes, or matching proves little.
        let rows = results["results"].as_array().unwrap();
        let captures: Vec<&str> = rows
            .iter()
            .map(|r| r["capture"].as_str().unwrap())
            .collect();
        assert_eq!(rows.len(), 6, "rows: {captures:?}");
        let has = |test: &dyn Fn(&Value) -> bool| rows.iter().any(test);
        assert!(has(&|r| r["error"].is_string()), "an unreadable row");
        assert!(
            has(&|r| r["transport"]["kind"] == "reset"),
            "a transport failure"
        );
        assert!(
            has(&|r| r["transport"]["kind"] == "other"),
            "a HAR entry without response"
        );
        assert!(
            has(&|r| r["request"]["dialect"] == "responses"),
            "a foreign dialect"
        );
        assert!(
            has(&|r| r["response"]["kind"] == "stream" && r["timing"]["chunks"] == 4),
            "a HAR stream"
        );
        assert!(
            has(&|r| r["request"]["violations"]
                .as_array()
                .is_some_and(|v| v.iter().any(|v| v["dialect"].is_string()))),
            "a violation naming a dialect"
        );
        assert!(
            has(&|r| r["capture"].as_str().unwrap().ends_with("empty")),
            "an empty folder row"
        );
        assert_eq!(results["summary"]["unreadable"], 2);
    }
}

#[test]
fn the_results_schema_refuses_broken_documents() {
    let validator = schema(RESULTS_SCHEMA);
    let results = real_results("strict");
    let breaking = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .position(|r| r["request"]["dialect"] == "responses")
        .unwrap();
    let unreadable = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .position(|r| r["error"].is_string())
        .unwrap();
    let row = |i: usize, rest: &str| format!("/results/{i}{rest}");
    let cases: Vec<(&str, String, Option<Value>)> = vec![
        (
            "an unknown dialect",
            row(breaking, "/request/dialect"),
            Some(json!("cohere")),
        ),
        (
            "an unknown foreign dialect",
            row(breaking, "/request/foreign"),
            Some(json!(["cohere"])),
        ),
        (
            "an unknown severity",
            row(breaking, "/request/violations/0/severity"),
            Some(json!("fatal")),
        ),
        (
            "an unknown verdict",
            row(breaking, "/request/verdict"),
            Some(json!("maybe")),
        ),
        (
            "conforms despite an error",
            row(breaking, "/request/verdict"),
            Some(json!("conforms")),
        ),
        (
            "a violation without dialect",
            row(breaking, "/request/violations/0/dialect"),
            None,
        ),
        (
            "a violation without code",
            row(breaking, "/request/violations/0/code"),
            None,
        ),
        (
            "evidence without why",
            row(breaking, "/request/evidence/0/why"),
            None,
        ),
        (
            "a row key nobody documented",
            row(breaking, "/notes"),
            Some(json!("x")),
        ),
        (
            "an unreadable row with a request",
            row(unreadable, "/request"),
            Some(results["results"][breaking]["request"].clone()),
        ),
        ("a row without capture", row(breaking, "/capture"), None),
        ("no summary", "/summary".to_owned(), None),
        (
            "a negative count",
            "/summary/exchanges".to_owned(),
            Some(json!(-1)),
        ),
        (
            "an unknown profile",
            "/profile".to_owned(),
            Some(json!("loose")),
        ),
    ];
    for (what, pointer, value) in cases {
        let mut broken = results.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let map = broken
            .pointer_mut(parent)
            .and_then(Value::as_object_mut)
            .unwrap_or_else(|| panic!("{what}: {parent} is not an object in the output"));
        match value {
            Some(value) => {
                map.insert(key.to_owned(), value);
            }
            None => {
                assert!(
                    map.remove(key).is_some(),
                    "{what}: {pointer} is not in the output"
                );
            }
        }
        assert!(
            !violations(&validator, &broken).is_empty(),
            "{RESULTS_SCHEMA} accepts {what} ({pointer})"
        );
    }
}

#[test]
fn the_documented_results_example_matches_the_results_schema() {
    let example = documented_example("docs/check-output.md");
    let value: Value = serde_json::from_str(&example).unwrap();
    assert_matches(
        &schema(RESULTS_SCHEMA),
        &value,
        "the example in docs/check-output.md",
        RESULTS_SCHEMA,
    );
}
