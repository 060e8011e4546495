//! What report.md shows a reader: warnings listed under each format (collapsed) and counted in
//! the summary, and error answers counted apart from answers that conform.

use serde_json::{Value, json};

use crate::support::fixtures::{chat_capture, pretty};
use crate::support::{self, describe, harness, run};

/// A capture of `model` answered by `status` with OpenAI's error envelope.
fn error_capture(id: &str, model: &str, status: u16) -> Value {
    let mut capture = chat_capture(id, model);
    capture["response"] = json!({
        "status": status,
        "http_version": "HTTP/1.1",
        "headers": [["content-type", "application/json"]],
        "headers_at_ms": 5.0,
        "body": {"json": {"error": {"message": "Something went wrong upstream.", "type": "server_error", "param": null, "code": null}}},
        "ended_at_ms": 6.0
    });
    capture
}

/// A LiteLLM proxy's stream: the usage chunk carries a choice (`{"index":0,"delta":{}}`, here
/// with its `finish_reason: null`) instead of `choices: []`: a warning, not a break.
fn litellm_capture(id: &str, model: &str) -> Value {
    let mut capture = chat_capture(id, model);
    capture["request"]["body"]["json"]["stream_options"] = json!({"include_usage": true});
    let chunk = |choices: Value, usage: Option<Value>| {
        let mut event = json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_780_000_000, "model": model, "choices": choices});
        if let Some(usage) = usage {
            event["usage"] = usage;
        }
        format!("data: {event}\n\n")
    };
    let text = [
        chunk(
            json!([{"index": 0, "delta": {"role": "assistant", "content": "Hi"}, "finish_reason": null}]),
            None,
        ),
        chunk(
            json!([{"index": 0, "delta": {}, "finish_reason": "stop"}]),
            None,
        ),
        chunk(
            json!([{"index": 0, "delta": {}, "finish_reason": null}]),
            Some(json!({"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6})),
        ),
        "data: [DONE]\n\n".to_owned(),
    ]
    .concat();
    capture["response"]["stream"] = json!([{"at_ms": 13.0, "text": text}]);
    capture
}

#[test]
fn warnings_are_listed_per_format_and_error_envelopes_are_not_counted_as_conforming() {
    let dir = tempfile::tempdir().unwrap();
    let captures = [
        (
            "a.json",
            litellm_capture("00000000-0000-7000-8000-00000000000a", "litellm-model"),
        ),
        (
            "b.json",
            chat_capture("00000000-0000-7000-8000-00000000000b", "plain-model"),
        ),
        (
            "c.json",
            error_capture("00000000-0000-7000-8000-00000000000c", "refused-model", 400),
        ),
        (
            "d.json",
            error_capture("00000000-0000-7000-8000-00000000000d", "failing-model", 500),
        ),
    ];
    for (name, capture) in &captures {
        support::write(dir.path(), &format!("captures/{name}"), pretty(capture));
    }
    support::write(
        dir.path(),
        "s.toml",
        "name = \"answers\"\ncaptures = [\"captures\"]\n\n[[expect]]\nname = \"every request conforms\"\nmodel = \"*\"\nrequest = \"conforms\"\n",
    );
    let out = dir.path().join("out");
    let output = run(harness()
        .args(["run", "s.toml", "--out"])
        .arg(&out)
        .current_dir(dir.path()));
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let markdown = std::fs::read_to_string(out.join("report.md")).unwrap();
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let summary = &report["summary"];
    assert_eq!(summary["responses_conform"], 2, "{summary}\n{markdown}");
    assert_eq!(summary["error_envelopes"], 2, "{summary}");
    assert_eq!(summary["responses_break"], 0, "{summary}\n{markdown}");
    let row = |model: &str| -> &str {
        markdown
            .lines()
            .find(|l| l.starts_with(&format!("| {model} |")))
            .unwrap_or_else(|| panic!("no row for {model}:\n{markdown}"))
    };
    for model in ["refused-model", "failing-model"] {
        assert!(
            row(model).ends_with("| error envelope well-formed |"),
            "{}",
            row(model)
        );
    }
    assert!(row("plain-model").ends_with("| answer conforms |"));
    assert!(
        markdown.contains("Answers: 2 conform, 2 error envelope(s) well-formed, 0 break"),
        "{markdown}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("answers: 2 conform, 2 error envelope(s), 0 break"),
        "{stdout}"
    );

    // The LiteLLM usage warning `check -v` shows is in the report, collapsed under its format,
    // and the summary counts what the lists hold.
    let section = markdown
        .split("### litellm-model")
        .nth(1)
        .unwrap_or_else(|| panic!("no section for the warning format:\n{markdown}"));
    let details = section
        .split("<details>")
        .nth(1)
        .and_then(|rest| rest.split("</details>").next())
        .unwrap_or_else(|| panic!("no collapsed warnings:\n{section}"));
    assert!(details.contains("`stream.usage`"), "{details}");
    assert!(
        details.contains("usage arrives on a chunk with choices"),
        "{details}"
    );
    let warnings = summary["warnings"].as_u64().unwrap();
    assert!(warnings >= 1);
    assert!(
        markdown.contains(&format!("{warnings} warning(s).")),
        "the summary line counts the listed warnings"
    );
    let listed: u64 = report["headline"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["warnings"].as_array().unwrap())
        .map(|w| w["count"].as_u64().unwrap())
        .sum();
    assert_eq!(listed, warnings);
    let check = run(harness()
        .args(["check", "-v"])
        .arg(dir.path().join("captures/a.json")));
    assert!(String::from_utf8_lossy(&check.stdout).contains("stream.usage"));
    // `check` counts the same way.
    let check = run(harness().arg("check").arg(dir.path().join("captures")));
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(
        stdout.contains("responses: 2 conform, 2 error envelope(s), 0 break"),
        "{stdout}"
    );
}
