//! One verdict, every output: the exit code, the console summary, report.md, report.json and
//! junit.xml of a run say the same thing — for a passing run, a failing run and each shard of a
//! sharded run — and `report --merge` of the shards gives the verdicts of the whole run.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::support::{self, describe, harness, run};

/// What each output says about a run.
#[derive(Debug)]
struct Said {
    exit: i32,
    /// `(passed, failures)` from each output.
    console: (bool, usize),
    markdown: (bool, usize),
    json: (bool, usize),
    junit: (bool, usize),
    /// Per expectation, in order: `pass`, `fail` or `not-applicable`, from each output.
    marks_json: Vec<String>,
    marks_markdown: Vec<String>,
    marks_junit: Vec<String>,
}

fn number(text: &str, pattern: &str) -> usize {
    let re = regex::Regex::new(pattern).unwrap();
    let caps = re
        .captures(text)
        .unwrap_or_else(|| panic!("{pattern} not found in:\n{text}"));
    caps[1].parse().unwrap()
}

fn read_outputs(output: &Output, out: &Path) -> Said {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let markdown = std::fs::read_to_string(out.join("report.md")).unwrap();
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(support::project_path("schemas/report.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the report schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "report.json breaks its schema: {errors:#?}"
    );
    let console_pass = stdout.contains("\nPASS: ");
    assert!(
        console_pass || stdout.contains("\nFAIL: "),
        "{}",
        describe(output)
    );
    let console = (
        console_pass,
        number(&stdout, r"(?m)^(?:PASS|FAIL): (\d+) failure\(s\)"),
    );
    let markdown_pass = markdown.contains("**PASS: ");
    let markdown_failures = if markdown_pass {
        0
    } else {
        number(&markdown, r"\*\*FAIL: (\d+) failure\(s\)")
    };
    let root = regex::Regex::new(r"<testsuites [^>]*>").unwrap();
    let root = root.find(&junit).expect("a testsuites element").as_str();
    let junit_failures = number(root, r#"failures="(\d+)""#) + number(root, r#"errors="(\d+)""#);
    let marks_json = json["expectations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["verdict"].as_str().unwrap().to_owned())
        .collect();
    let marks_markdown = markdown
        .split("## Expectations")
        .nth(1)
        .unwrap()
        .lines()
        .filter_map(|line| {
            let line = line.strip_prefix("- ")?;
            let mark = if line.starts_with('✅') {
                "pass"
            } else if line.starts_with('❌') {
                "fail"
            } else if line.starts_with('➖') {
                "not-applicable"
            } else {
                return None;
            };
            // The suites after the expectations (every exchange, captures) are not expectations.
            (!line.contains("every capture is readable") && !line.contains("every exchange works"))
                .then(|| mark.to_owned())
        })
        .collect();
    let suite = regex::Regex::new(r"<testsuite name=[^>]*>").unwrap();
    let expectations = json["expectations"].as_array().unwrap().len();
    let marks_junit = suite
        .find_iter(&junit)
        .take(expectations)
        .map(|m| {
            let tag = m.as_str();
            if number(tag, r#"failures="(\d+)""#) > 0 {
                "fail"
            } else if number(tag, r#"skipped="(\d+)""#) > 0 {
                "not-applicable"
            } else {
                "pass"
            }
            .to_owned()
        })
        .collect();
    Said {
        exit: output.status.code().unwrap(),
        console,
        markdown: (markdown_pass, markdown_failures),
        json: (
            json["outcome"] == "pass",
            json["summary"]["failures"].as_u64().unwrap() as usize,
        ),
        junit: (junit_failures == 0, junit_failures),
        marks_json,
        marks_markdown,
        marks_junit,
    }
}

/// Every output agrees; returns the failure count they agree on.
fn agree(said: &Said) -> usize {
    let failures = said.json.1;
    for (name, (passed, count)) in [
        ("console", said.console),
        ("report.md", said.markdown),
        ("report.json", said.json),
        ("junit.xml", said.junit),
    ] {
        assert_eq!(count, failures, "{name} counts other failures: {said:#?}");
        assert_eq!(
            passed,
            failures == 0,
            "{name} has another outcome: {said:#?}"
        );
    }
    assert_eq!(
        said.exit,
        if failures == 0 { 0 } else { 1 },
        "the exit code disagrees: {said:#?}"
    );
    assert_eq!(said.marks_json, said.marks_markdown, "{said:#?}");
    assert_eq!(said.marks_json, said.marks_junit, "{said:#?}");
    failures
}

fn run_in(dir: &Path, scenario: &str, out: &Path, extra: &[&str]) -> Output {
    run(harness()
        .args(["run", scenario, "--out"])
        .arg(out)
        .args(extra)
        .current_dir(dir))
}

#[test]
fn every_output_agrees_on_a_passing_run() {
    let out = tempfile::tempdir().unwrap();
    let output = run_in(&support::root(), "scenarios/golden.toml", out.path(), &[]);
    let said = read_outputs(&output, out.path());
    assert_eq!(agree(&said), 0, "{}", describe(&output));
    assert!(said.marks_json.iter().all(|m| m == "pass"));
}

#[test]
fn every_output_counts_the_same_failures_on_a_failing_run() {
    let dir = support::golden_copy();
    // A neutral model suddenly sending a Responses field fails one expectation on one
    // exchange; an expectation whose glob matches nothing fails on its own.
    let path = dir
        .path()
        .join("captures/golden/deepseek-v4-pro/0008-plain-chat-text-stream.json");
    let mut capture: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    capture["request"]["body"]["json"]["previous_response_id"] = Value::String("resp_1".into());
    std::fs::write(&path, serde_json::to_vec_pretty(&capture).unwrap()).unwrap();
    let scenario = dir.path().join("scenarios/golden.toml");
    let mut text = std::fs::read_to_string(&scenario).unwrap();
    text.push_str("\n[[expect]]\nname = \"A typo in a glob\"\nmodel = \"gtp-*\"\nstatus = 400\n");
    std::fs::write(&scenario, text).unwrap();
    let out = dir.path().join("out");
    let output = run_in(dir.path(), "scenarios/golden.toml", &out, &[]);
    let said = read_outputs(&output, &out);
    assert_eq!(agree(&said), 2, "{}", describe(&output));
    let failed: Vec<usize> = said
        .marks_json
        .iter()
        .enumerate()
        .filter(|(_, m)| *m == "fail")
        .map(|(i, _)| i)
        .collect();
    assert_eq!(failed.len(), 2, "{said:#?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("A typo in a glob") && stdout.contains("covers no exchange"));
    assert!(
        stdout.contains("request breaks, expected it to conform"),
        "{stdout}"
    );
}

#[test]
fn each_golden_shard_passes_and_the_merge_gives_the_verdicts_of_the_whole_run() {
    let root = support::root();
    let whole = tempfile::tempdir().unwrap();
    let output = run_in(&root, "scenarios/golden.toml", whole.path(), &[]);
    assert_eq!(agree(&read_outputs(&output, whole.path())), 0);
    let shards = tempfile::tempdir().unwrap();
    let mut folders = Vec::new();
    for index in 1..=4 {
        let out = shards.path().join(format!("shard-{index}"));
        let output = run_in(
            &root,
            "scenarios/golden.toml",
            &out,
            &["--shard", &format!("{index}/4")],
        );
        let said = read_outputs(&output, &out);
        assert_eq!(agree(&said), 0, "shard {index}: {}", describe(&output));
        let json: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap())
                .unwrap();
        for expectation in json["expectations"].as_array().unwrap() {
            assert_eq!(
                expectation["matched"] == 0,
                expectation["verdict"] == "not-applicable",
                "shard {index}: an expectation is not applicable exactly when it covers nothing: {expectation}"
            );
        }
        folders.push(out);
    }
    let merged = shards.path().join("merged");
    let output = run(harness()
        .args(["report", "--merge"])
        .args(&folders)
        .arg("--out")
        .arg(&merged));
    let said_merged = read_outputs(&output, &merged);
    assert_eq!(agree(&said_merged), 0, "{}", describe(&output));
    let read = |dir: &Path| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
    };
    let mut merged_json = read(&merged);
    assert_eq!(merged_json["scenario"]["merged_shards"], 4);
    merged_json["scenario"]
        .as_object_mut()
        .unwrap()
        .remove("merged_shards");
    assert_eq!(
        merged_json,
        read(whole.path()),
        "the merged report is the whole run's report"
    );
    assert_eq!(
        std::fs::read_to_string(merged.join("junit.xml")).unwrap(),
        std::fs::read_to_string(whole.path().join("junit.xml")).unwrap()
    );
}

#[test]
fn the_merge_fails_an_expectation_no_shard_covers_and_refuses_a_missing_shard() {
    let dir = support::golden_copy();
    let scenario = dir.path().join("scenarios/golden.toml");
    let mut text = std::fs::read_to_string(&scenario).unwrap();
    text.push_str("\n[[expect]]\nname = \"A typo in a glob\"\nmodel = \"gtp-*\"\nstatus = 400\n");
    std::fs::write(&scenario, text).unwrap();
    let mut folders = Vec::new();
    for index in 1..=2 {
        let out = dir.path().join(format!("shard-{index}"));
        let output = run_in(
            dir.path(),
            "scenarios/golden.toml",
            &out,
            &["--shard", &format!("{index}/2")],
        );
        // In one shard an expectation without exchanges is only not applicable.
        let said = read_outputs(&output, &out);
        assert_eq!(agree(&said), 0, "{}", describe(&output));
        assert_eq!(said.marks_json.last().unwrap(), "not-applicable");
        folders.push(out);
    }
    let merged = dir.path().join("merged");
    let output = run(harness()
        .args(["report", "--merge"])
        .args(&folders)
        .arg("--out")
        .arg(&merged)
        .current_dir(dir.path()));
    let said = read_outputs(&output, &merged);
    assert_eq!(agree(&said), 1, "{}", describe(&output));
    assert_eq!(said.marks_json.last().unwrap(), "fail");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("A typo in a glob") && stdout.contains("covers no exchange"),
        "{stdout}"
    );

    let output = run(harness()
        .args(["report", "--merge"])
        .arg(&folders[0])
        .arg("--out")
        .arg(dir.path().join("partial"))
        .current_dir(dir.path()));
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("shard(s) 2 of 2 missing"), "{stderr}");
}

#[test]
fn a_scenario_without_expectations_fails_when_a_request_breaks_unless_it_says_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["chat-plain.json", "responses-plain.json"] {
        support::write(
            dir.path(),
            &format!("captures/{name}"),
            std::fs::read(support::project_path(&format!("tests/fixtures/sdk/{name}"))).unwrap(),
        );
    }
    let body = "name = \"bare\"\ncaptures = [\"captures\"]\ntarget = \"embedded:strict\"\n";
    support::write(dir.path(), "bare.toml", body);
    let out = dir.path().join("out");
    let output = run_in(dir.path(), "bare.toml", &out, &[]);
    let said = read_outputs(&output, &out);
    assert_eq!(agree(&said), 1, "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("responses-plain.json") && stdout.contains("request breaks"),
        "{stdout}"
    );
    let markdown = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(markdown.contains("❌ every exchange works"), "{markdown}");

    support::write(
        dir.path(),
        "report-only.toml",
        format!("{body}fail_on_break = false\n"),
    );
    let output = run_in(dir.path(), "report-only.toml", &out, &[]);
    assert_eq!(
        agree(&read_outputs(&output, &out)),
        0,
        "{}",
        describe(&output)
    );
}
