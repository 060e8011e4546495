//! `diff` through the binary: what counts as a change (content, a dropped tool call, a finish
//! reason), what does not (key order, chunking, volatile fields), folders paired by link, and
//! sessions compared by request format.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Map, Value, json};

use crate::support::{self, describe, fixtures, harness, run};

const TOOL_STREAM: &str =
    "captures/golden/claude-sonnet-4-5/0005-anthropic-tool-history-read-file-stream.json";
const TEXT_STREAM: &str = "captures/golden/deepseek-v4-pro/0008-plain-chat-text-stream.json";
const MODELS: &str = "captures/golden/_models/0009-verify-models-list.json";

fn golden(relative: &str) -> Value {
    serde_json::from_slice(&std::fs::read(support::project_path(relative)).unwrap()).unwrap()
}

/// Rewrite every JSON event of the capture's stream, one chunk per event.
fn map_events(capture: &mut Value, f: impl Fn(&mut Value)) {
    let stream = capture["response"]["stream"].as_array_mut().unwrap();
    let mut rebuilt = Vec::new();
    for chunk in stream.iter() {
        let mut text = String::new();
        for event in chunk["text"].as_str().unwrap().split_inclusive("\n\n") {
            let data = event.trim_end().trim_start_matches("data: ");
            match serde_json::from_str::<Value>(data) {
                Ok(mut value) => {
                    f(&mut value);
                    text.push_str(&format!("data: {value}\n\n"));
                }
                Err(_) => text.push_str(event),
            }
        }
        rebuilt.push(json!({"at_ms": chunk["at_ms"], "text": text}));
    }
    *stream = rebuilt;
}

/// Keys in reverse order at every level (the same JSON to any reader but a byte compare).
fn reversed(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, inner) in map.iter().rev() {
                out.insert(key.clone(), reversed(inner));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(reversed).collect()),
        other => other.clone(),
    }
}

fn write(dir: &Path, name: &str, capture: &Value) -> PathBuf {
    support::write(dir, name, fixtures::pretty(capture))
}

fn diff(args: &[&str]) -> (Output, Value) {
    let mut command = harness();
    command.arg("diff").args(args).args(["--format", "json"]);
    let output = run(&mut command);
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("not JSON ({err}):\n{}", describe(&output)));
    (output, report)
}

fn paths(report: &Value) -> Vec<String> {
    report["pairs"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn an_exchange_diffed_with_itself_is_equal() {
    for file in [TOOL_STREAM, TEXT_STREAM, MODELS] {
        let (output, report) = diff(&[file, file]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{file}: {}",
            describe(&output)
        );
        assert_eq!(report["equal"], true);
        assert_eq!(report["mode"], "exchange");
        assert_eq!(paths(&report), Vec::<String>::new(), "{file}");
        assert_eq!(report["pairs"][0]["unified"], "");
    }
    let text = run(harness().args(["diff", TEXT_STREAM, TEXT_STREAM]));
    assert_eq!(text.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&text.stdout).starts_with("equal: "));
}

#[test]
fn changed_content_a_dropped_tool_call_and_a_changed_finish_reason_are_caught() {
    let dir = tempfile::tempdir().unwrap();
    let mut content = golden(TEXT_STREAM);
    map_events(&mut content, |chunk| {
        if let Some(text) = chunk.pointer_mut("/choices/0/delta/content")
            && text == "`a.py` prints `42`"
        {
            *text = json!("`a.py` printed `42`");
        }
    });
    let mut dropped = golden(TOOL_STREAM);
    map_events(&mut dropped, |chunk| {
        if let Some(delta) = chunk
            .pointer_mut("/choices/0/delta")
            .and_then(Value::as_object_mut)
        {
            delta.remove("tool_calls");
        }
    });
    let mut finish = golden(TOOL_STREAM);
    map_events(&mut finish, |chunk| {
        if let Some(reason) = chunk.pointer_mut("/choices/0/finish_reason")
            && reason == "tool_calls"
        {
            *reason = json!("stop");
        }
    });
    let cases = [
        (
            TEXT_STREAM,
            content,
            "/response/message/choices/0/content",
            "changed",
        ),
        (
            TOOL_STREAM,
            dropped,
            "/response/message/choices/0/tool_calls",
            "removed",
        ),
        (
            TOOL_STREAM,
            finish,
            "/response/message/choices/0/finish_reason",
            "changed",
        ),
    ];
    for (i, (original, changed, pointer, kind)) in cases.into_iter().enumerate() {
        let b = write(dir.path(), &format!("{i}.json"), &changed);
        let (output, report) = diff(&[original, b.to_str().unwrap()]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{pointer}: {}",
            describe(&output)
        );
        assert_eq!(paths(&report), [pointer], "{report:#}");
        assert_eq!(report["pairs"][0]["changes"][0]["kind"], kind);
        let unified = report["pairs"][0]["unified"].as_str().unwrap();
        assert!(unified.starts_with("--- "), "{unified}");
        assert!(
            unified
                .lines()
                .any(|l| l.starts_with('-') && !l.starts_with("---")),
            "{unified}"
        );
    }
    // The text output names the pointer and shows before → after.
    let b = dir.path().join("0.json");
    let text = run(harness().args(["diff", TEXT_STREAM, b.to_str().unwrap()]));
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout.contains("~ /response/message/choices/0/content: \"`a.py` prints `42` and exits.\" → \"`a.py` printed `42` and exits.\""),
        "{stdout}"
    );
    assert!(stdout.contains("@@"), "a unified diff follows: {stdout}");
}

#[test]
fn reordered_keys_and_other_chunking_are_equal_and_chunking_is_reported_apart() {
    let dir = tempfile::tempdir().unwrap();
    let mut same = golden(TOOL_STREAM);
    map_events(&mut same, |chunk| *chunk = reversed(chunk));
    same["request"]["body"]["json"] = reversed(&same["request"]["body"]["json"]);
    // All events in one network chunk.
    let whole: String = same["response"]["stream"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap().to_owned())
        .collect();
    same["response"]["stream"] = json!([{"at_ms": 900.0, "text": whole}]);
    let b = write(dir.path(), "same.json", &same);
    let (output, report) = diff(&[TOOL_STREAM, b.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let chunking = &report["pairs"][0]["chunking"];
    assert_eq!(chunking["a"]["chunks"], 7);
    assert_eq!(chunking["b"]["chunks"], 1);
    assert_eq!(chunking["a"]["events"], chunking["b"]["events"]);
    let timing = &report["pairs"][0]["timing"];
    assert_ne!(timing["a"]["ttft_ms"], timing["b"]["ttft_ms"]);
}

#[test]
fn volatile_fields_are_ignored_unless_kept_and_tolerances_are_flags() {
    let dir = tempfile::tempdir().unwrap();
    let mut models = golden(MODELS);
    let body = &mut models["response"]["body"]["json"];
    for model in body["data"].as_array_mut().unwrap() {
        model["created"] = json!(1);
    }
    let b = write(dir.path(), "models.json", &models);
    let (output, _) = diff(&[MODELS, b.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let (output, report) = diff(&[MODELS, b.to_str().unwrap(), "--keep-volatile"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        paths(&report).iter().all(|p| p.ends_with("/created")),
        "{report:#}"
    );

    let mut usage = golden(TEXT_STREAM);
    map_events(&mut usage, |chunk| {
        if let Some(tokens) = chunk.pointer_mut("/usage/prompt_tokens") {
            *tokens = json!(tokens.as_u64().unwrap() + 3);
        }
        if let Some(tokens) = chunk.pointer_mut("/usage/total_tokens") {
            *tokens = json!(tokens.as_u64().unwrap() + 3);
        }
    });
    let b = write(dir.path(), "usage.json", &usage);
    let b = b.to_str().unwrap();
    let (output, report) = diff(&[TEXT_STREAM, b]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(paths(&report).len(), 2);
    let (output, _) = diff(&[
        TEXT_STREAM,
        b,
        "--range",
        "/response/message/usage/prompt_tokens=5",
        "--range",
        "/response/message/usage/total_tokens=2000..3000",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let (output, _) = diff(&[TEXT_STREAM, b, "--ignore", "/response/message/usage"]);
    assert_eq!(output.status.code(), Some(0));
    for bad in [
        ["--range", "/x=lots"],
        ["--regex", "/x=("],
        ["--ignore", "x/y"],
    ] {
        let output = run(harness().args(["diff", TEXT_STREAM, b]).args(bad));
        assert_eq!(
            output.status.code(),
            Some(2),
            "{bad:?}: {}",
            describe(&output)
        );
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(bad[0]),
            "{bad:?}"
        );
    }
}

#[test]
fn folders_pair_by_replay_link_and_unmatched_exchanges_are_reported() {
    let out = tempfile::tempdir().unwrap();
    let replayed = crate::replay::replay(
        out.path(),
        "run",
        &["captures/golden", "--target", "embedded"],
        &[],
    );
    let run_dir = replayed.dir.to_str().unwrap();
    let (output, report) = diff(&["captures/golden", run_dir]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "the embedded gateway answers differently"
    );
    assert_eq!(report["mode"], "pairs");
    assert_eq!(
        report["pairs"].as_array().unwrap().len(),
        support::golden_count()
    );
    assert_eq!(report["only_in_a"], json!([]));
    // Where a golden capture holds OpenAI's own refusal (the unknown `input` argument, the
    // empty assistant content), the strict gateway words it the same: message, type, param
    // and code, so those pairs are equal.
    for capture in ["0001-hybrid", "0004-mixed-chat-empty"] {
        let pair = report["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["a"].as_str().unwrap().contains(capture))
            .unwrap();
        assert_eq!(pair["equal"], true, "{pair:#}");
    }
    // A run folder against itself pairs every exchange by id and is equal.
    let (output, report) = diff(&[run_dir, run_dir]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(
        report["pairs"].as_array().unwrap().len(),
        support::golden_count()
    );
    // One capture removed from the run is reported as only in A.
    let gone = &replayed.run.exchanges[3];
    std::fs::remove_file(replayed.dir.join(gone.file.as_ref().unwrap())).unwrap();
    let (output, report) = diff(&["captures/golden", run_dir]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(report["only_in_a"][0]["id"], json!(gone.replay_of));
    // One capture against the run pairs with its replay; the rest of the run is only in B.
    let (_, report) = diff(&[MODELS, run_dir]);
    assert_eq!(report["mode"], "pairs");
    assert_eq!(report["pairs"].as_array().unwrap().len(), 1, "{report:#}");
    assert_eq!(report["pairs"][0]["a"], MODELS);
}

/// HAR files are collections with stable ids: a HAR diffed with itself, with the captures it
/// was exported from, or with the replay of it pairs every entry; two collections that nothing
/// links compare no pair, and that fails.
#[test]
fn har_files_pair_by_stable_ids_and_an_unpaired_comparison_fails() {
    let dir = tempfile::tempdir().unwrap();
    let exported = dir.path().join("golden.har");
    let output = run(harness()
        .args(["export", "captures/golden", "--format", "har", "--out"])
        .arg(&exported));
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let golden_count = diff(&["captures/golden", "captures/golden"]).1["compared"]
        .as_u64()
        .unwrap();
    assert!(golden_count > 0);
    let har = exported.to_str().unwrap();
    for other in [har, "captures/golden"] {
        let (output, report) = diff(&[har, other]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{har} vs {other}: {report:#}"
        );
        assert_eq!(report["mode"], "pairs");
        assert_eq!(report["compared"], golden_count);
    }
    // Folders holding the HAR: the same.
    for name in ["a", "b"] {
        std::fs::create_dir_all(dir.path().join(name)).unwrap();
        std::fs::copy(&exported, dir.path().join(name).join("golden.har")).unwrap();
    }
    let (output, report) = diff(&[
        dir.path().join("a").to_str().unwrap(),
        dir.path().join("b").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{report:#}");
    assert_eq!(report["compared"], golden_count);

    // A HAR from another tool has no capture ids; each entry's id is derived from the entry,
    // the same on every read, so the replay of it pairs with it.
    let foreign = support::write(
        dir.path(),
        "browser.har",
        fixtures::har(vec![
            fixtures::har_entry(
                &fixtures::chat_body("gpt-4o"),
                200,
                "text/event-stream",
                &fixtures::chat_stream("gpt-4o"),
            ),
            fixtures::har_entry(
                &fixtures::chat_body("gpt-4o-mini"),
                200,
                "text/event-stream",
                &fixtures::chat_stream("gpt-4o-mini"),
            ),
        ])
        .to_string(),
    );
    let foreign = foreign.to_str().unwrap();
    let (output, report) = diff(&[foreign, foreign]);
    assert_eq!(output.status.code(), Some(0), "{report:#}");
    assert_eq!(report["compared"], 2);
    let replayed = crate::replay::replay(
        &dir.path().join("runs"),
        "har",
        &[foreign, "--target", "embedded:lenient"],
        &[],
    );
    let (_, report) = diff(&[foreign, replayed.dir.to_str().unwrap()]);
    assert_eq!(report["mode"], "pairs", "{report:#}");
    assert_eq!(report["compared"], 2, "{report:#}");
    assert_eq!(report["only_in_a"], json!([]));

    // Nothing links two unrelated collections: no pair is compared, and that is a failure that
    // says so, with the formats shown as sessions; --mode sessions makes that the comparison.
    let (output, report) = diff(&[foreign, "captures/golden"]);
    assert_eq!(output.status.code(), Some(1), "{report:#}");
    assert_eq!(report["equal"], false);
    assert_eq!(report["compared"], 0);
    assert_eq!(report["mode"], "sessions");
    let why = report["nothing_compared"].as_str().unwrap();
    assert!(
        why.contains("0 pairs compared") && why.contains("--mode sessions"),
        "{why}"
    );
    let text = run(harness().args(["diff", foreign, "captures/golden"]));
    assert_eq!(text.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(stdout.contains("nothing compared: 0 pairs"), "{stdout}");
    assert!(!stdout.contains("equal:"), "{stdout}");
    let (output, report) = diff(&[foreign, foreign, "--mode", "sessions"]);
    assert_eq!(output.status.code(), Some(0), "{report:#}");
    assert!(report["nothing_compared"].is_null());
}

#[test]
fn an_unreadable_file_is_named_once() {
    let dir = tempfile::tempdir().unwrap();
    let wrong = support::write(dir.path(), "wrong.har", "{\"log\": {\"entries\": \"x\"}}");
    let output = run(harness().arg("diff").arg(&wrong).arg(&wrong));
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let shown = wrong.display().to_string();
    assert_eq!(stderr.matches(&shown).count(), 1, "{stderr}");
    assert!(stderr.contains("log.entries"), "{stderr}");
}

#[test]
fn two_sessions_compare_request_formats_per_model() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("qa-old");
    let new = dir.path().join("qa-new");
    for (i, file) in [
        "captures/golden/gpt-5.5/0002-hybrid-first-turn-responses-sse.json",
        "captures/golden/gpt-5.5/0003-hybrid-apply-patch-translated-stream.json",
    ]
    .iter()
    .enumerate()
    {
        let mut capture = golden(file);
        capture["id"] = json!(format!("0190f0c2-0000-7000-8000-00000000c00{i}"));
        write(&old, &format!("gpt-5.5/{i}.json"), &capture);
        // The newer build stops sending `store` and gives ReadFile a new parameter.
        capture["id"] = json!(format!("0190f0c2-0000-7000-8000-00000000d00{i}"));
        let body = capture["request"]["body"]["json"].as_object_mut().unwrap();
        body.remove("store");
        for tool in body
            .get_mut("tools")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if tool["name"] == "ReadFile" {
                tool["parameters"]["properties"]["limit"] = json!({"type": "integer"});
            }
        }
        // Bodies are written as text, as a recorder does when the bytes are not compact JSON.
        let text = serde_json::to_string(&capture["request"]["body"]["json"]).unwrap();
        capture["request"]["body"] = json!({"text": text});
        write(&new, &format!("gpt-5.5/{i}.json"), &capture);
    }
    let (output, report) = diff(&[old.to_str().unwrap(), new.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    assert_eq!(report["mode"], "sessions");
    let model = &report["sessions"]["models"][0];
    assert_eq!(model["model"], "gpt-5.5");
    let fields = model["fields"].as_array().unwrap();
    assert!(
        fields
            .iter()
            .any(|f| f["name"] == "store" && f["change"] == "vanished"),
        "{fields:#?}"
    );
    let tools = model["tools"].as_array().unwrap();
    let read = tools.iter().find(|t| t["name"] == "ReadFile").unwrap();
    assert_eq!(read["change"], "changed");
    assert!(
        read["added"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f.as_str().unwrap().contains("limit")),
        "{read:#}"
    );
    let text = run(harness().args(["diff", old.to_str().unwrap(), new.to_str().unwrap()]));
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(stdout.contains("field store vanished"), "{stdout}");
    assert!(stdout.contains("tool ReadFile changed shape"), "{stdout}");
    // The same formats in two sessions (other ids, other text) are equal.
    let (output, report) = diff(&[
        old.to_str().unwrap(),
        old.to_str().unwrap(),
        "--mode",
        "sessions",
    ]);
    assert_eq!(output.status.code(), Some(0), "{report:#}");
}

#[test]
fn reasoning_content_is_part_of_the_message_and_a_cut_stream_differs_from_a_whole_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut reasoning = golden(TEXT_STREAM);
    map_events(&mut reasoning, |chunk| {
        if let Some(delta) = chunk
            .pointer_mut("/choices/0/delta")
            .and_then(Value::as_object_mut)
            && delta.contains_key("role")
        {
            delta.insert("reasoning_content".into(), json!("Reading a.py first."));
        }
    });
    let b = write(dir.path(), "reasoning.json", &reasoning);
    let (output, report) = diff(&[TEXT_STREAM, b.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(paths(&report), ["/response/message/choices/0/reasoning"]);
    // The golden reset stream against the same answer with its end restored.
    let cut = "captures/golden/claude-opus-4-1/0006-anthropic-first-turn-stream-reset.json";
    let mut whole = golden(cut);
    whole["error"] = Value::Null;
    let stream = whole["response"]["stream"].as_array_mut().unwrap();
    stream.push(json!({"at_ms": 2000.0, "text": "data: [DONE]\n\n"}));
    let b = write(dir.path(), "whole.json", &whole);
    let (output, report) = diff(&[cut, b.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(paths(&report), ["/response/done", "/error"], "{report:#}");
}

/// Two gateways' answers to the same capture that add up to the same message: one drops the
/// `finish_reason` key from its content chunks (as LiteLLM's proxy does), the other sends what
/// the spec says. The message alone would call them equal; `diff` names the rules only one of
/// them broke and says they differ.
#[test]
fn two_gateways_with_the_same_message_differ_by_the_rules_only_one_broke() {
    let dir = tempfile::tempdir().unwrap();
    let conformant = fixtures::chat_capture("0190f0c2-0000-7000-8000-0000000d1ff1", "m");
    let mut litellm = conformant.clone();
    litellm["id"] = json!("0190f0c2-0000-7000-8000-0000000d1ff2");
    map_events(&mut litellm, |chunk| {
        let choice = &mut chunk["choices"][0];
        if choice["finish_reason"].is_null() {
            choice.as_object_mut().unwrap().remove("finish_reason");
        }
    });
    let a = write(dir.path(), "portkey.json", &conformant);
    let b = write(dir.path(), "litellm.json", &litellm);
    let output = run(harness().args(["diff", a.to_str().unwrap(), b.to_str().unwrap()]));
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("DIFFERENT"), "{text}");
    assert!(
        text.contains("only B breaks stream.missing-finish-key"),
        "{text}"
    );
    let json = run(harness().args([
        "diff",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--format",
        "json",
    ]));
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    let pair = &report["pairs"][0];
    assert_eq!(pair["changes"], json!([]), "the messages are the same");
    assert_eq!(pair["rules"]["only_a"], json!([]));
    assert_eq!(
        pair["rules"]["only_b"][0]["code"],
        "stream.missing-finish-key"
    );
    assert!(pair["rules"]["only_b"][0]["count"].as_u64().unwrap() >= 1);
    assert_eq!(pair["equal"], false);
    // The same answer on both sides is equal, rules and all.
    let same = run(harness().args(["diff", b.to_str().unwrap(), b.to_str().unwrap()]));
    assert_eq!(same.status.code(), Some(0), "{}", describe(&same));
}
