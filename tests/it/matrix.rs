//! Several targets in one run: the compatibility matrix in every report format, expectations
//! scoped to a target, `--target NAME` as a slice, header secrets from the environment kept
//! off disk, and the scenario mistakes `[[targets]]` can hold.

use std::path::Path;

use serde_json::Value;

use crate::schemas::{assert_matches, schema};
use crate::support::{self, describe, expect_code, harness, run};

fn run_in(scenario: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    run(harness()
        .arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .args(extra))
}

fn report(out: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap()
}

/// The cell of one (model, dialect, mode) row under one column.
fn cell<'a>(report: &'a Value, row: [&str; 3], column: &str) -> &'a Value {
    let [model, dialect, mode] = row;
    let matrix = &report["matrix"];
    let index = matrix["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c == column)
        .unwrap_or_else(|| panic!("no column {column}"));
    let row = matrix["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["model"] == model && r["dialect"] == dialect && r["mode"] == mode)
        .unwrap_or_else(|| panic!("no row {model} {dialect} {mode}"));
    &row["cells"][index]
}

#[test]
fn one_run_against_three_profiles_writes_one_matrix_in_every_format() {
    let out = tempfile::tempdir().unwrap();
    let output = run_in(
        &support::project_path("scenarios/embedded-matrix.toml"),
        out.path(),
        &[],
    );
    let stdout = expect_code(&output, 0);
    assert!(stdout.contains("PASS"), "{}", describe(&output));
    let report = report(out.path());
    assert_matches(
        &schema("schemas/report.schema.json"),
        &report,
        "report.json of a run with [[targets]]",
        "schemas/report.schema.json",
    );
    assert_eq!(
        report["matrix"]["columns"],
        serde_json::json!(["strict", "lenient", "translate"])
    );
    // Each capture judged once per target.
    let golden = support::golden_count();
    assert_eq!(report["summary"]["exchanges"], 3 * golden);
    // A GPT-named Responses body: refused by the strict gateway in OpenAI's words, answered by
    // the translating one.
    let strict = cell(&report, ["gpt-5.5", "responses", "agent"], "strict");
    assert_eq!(strict["outcome"], "refused", "{strict}");
    assert_eq!(strict["statuses"]["400"], 2);
    assert!(
        strict["message"]
            .as_str()
            .unwrap()
            .contains("Unrecognized request argument supplied: input"),
        "{strict}"
    );
    let lenient = cell(&report, ["gpt-5.5", "responses", "agent"], "lenient");
    assert!(
        lenient["message"]
            .as_str()
            .unwrap()
            .contains("Missing required parameter: 'messages'"),
        "{lenient}"
    );
    assert_eq!(
        cell(&report, ["gpt-5.5", "responses", "agent"], "translate")["outcome"],
        "works"
    );
    assert_eq!(
        cell(
            &report,
            ["deepseek-v4-pro", "chat-completions", "agent"],
            "strict"
        )["outcome"],
        "works"
    );
    // Versions: the embedded gateway names its own.
    for target in report["scenario"]["targets"].as_array().unwrap() {
        assert_eq!(target["version"], env!("CARGO_PKG_VERSION"), "{target}");
    }
    // The scoped expectation covered the strict target only.
    let scoped = report["expectations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"].as_str().unwrap().starts_with("A strict gateway"))
        .unwrap();
    let gpt_responses = report["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["target"] == "strict"
                && e["model"] == "gpt-5.5"
                && e["request"]["dialect"] == "responses"
        })
        .count();
    assert_eq!(scoped["matched"], gpt_responses);

    let markdown = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    assert!(markdown.contains("## Compatibility matrix"), "{markdown}");
    assert!(markdown.contains("| model | dialect | mode | strict | lenient | translate |"));
    assert!(markdown.contains("targets: strict, lenient, translate"));
    assert!(markdown.len() <= cursor_harness::report::markdown::DEFAULT_LIMIT);
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(html.contains("<table id=\"matrix\">"));
    // Every matrix cell with an example links to an exchange that exists in the page.
    for link in html.split("<td><a href=\"#x-").skip(1) {
        let index: usize = link[..link.find('"').unwrap()].parse().unwrap();
        assert!(
            html.contains(&format!("id=\"x-{index}\"")),
            "dangling #x-{index}"
        );
    }
    let junit = std::fs::read_to_string(out.path().join("junit.xml")).unwrap();
    for suite in ["strict", "lenient", "translate"] {
        assert!(
            junit.contains(&format!("<testsuite name=\"{suite}\"")),
            "no suite for {suite}"
        );
    }
    let timings: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("timings.json")).unwrap()).unwrap();
    assert_eq!(
        timings["exchanges"].as_object().unwrap().len(),
        3 * golden,
        "one timing per target and capture"
    );
    for name in ["strict", "lenient", "translate"] {
        assert!(
            out.path()
                .join("replay")
                .join(name)
                .join("run.json")
                .is_file(),
            "replay/{name}/run.json"
        );
    }
}

#[test]
fn target_by_name_runs_that_target_alone_as_a_slice() {
    let out = tempfile::tempdir().unwrap();
    let output = run_in(
        &support::project_path("scenarios/embedded-matrix.toml"),
        out.path(),
        &["--target", "translate"],
    );
    expect_code(&output, 0);
    let report = report(out.path());
    assert_eq!(
        report["matrix"]["columns"],
        serde_json::json!(["translate"])
    );
    assert_eq!(report["scenario"]["only_target"], "translate");
    let scoped = report["expectations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"].as_str().unwrap().starts_with("A strict gateway"))
        .unwrap();
    assert_eq!(scoped["verdict"], "not-applicable", "{scoped}");
    assert!(!out.path().join("replay").join("strict").exists());
}

/// A header whose value comes from the environment is sent, and is a secret: it reaches no
/// file the run writes.
#[test]
fn header_values_from_the_environment_are_sent_and_never_written() {
    const TENANT_KEY: &str = "tk-5d1e9a0b7c3f42e68a1d";
    let dir = tempfile::tempdir().unwrap();
    let scenario = support::write(
        dir.path(),
        "s.toml",
        format!(
            r#"name = "headers"
captures = ["{captures}"]
headers = {{ "x-tenant-key" = "${{TENANT_KEY}}" }}

[[targets]]
name = "strict"
target = "embedded:strict"

[[targets]]
name = "mapped"
target = "embedded:lenient"
model_map = {{ "deepseek-v4-pro" = "vendor/deepseek-v4-pro" }}
headers = {{ "x-route" = "blue" }}
"#,
            captures = support::project_path("captures/golden/deepseek-v4-pro").display()
        ),
    );
    let out = dir.path().join("out");
    let output = run(harness()
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .env("TENANT_KEY", TENANT_KEY));
    let stdout = expect_code(&output, 0);
    assert!(!stdout.contains(TENANT_KEY));
    let mapped: Vec<_> = support::json_files(&out.join("replay").join("mapped"))
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n != "run.json"))
        .collect();
    assert!(!mapped.is_empty());
    for file in &mapped {
        let capture: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        let headers = capture["request"]["headers"].as_array().unwrap();
        let value = |name: &str| {
            headers
                .iter()
                .find(|h| h[0] == name)
                .map(|h| h[1].as_str().unwrap().to_owned())
        };
        assert_eq!(
            value("x-route").as_deref(),
            Some("blue"),
            "{}",
            file.display()
        );
        assert!(
            value("x-tenant-key").unwrap().starts_with("[REDACTED:"),
            "{}",
            file.display()
        );
        let body = capture["request"]["body"].to_string();
        assert!(body.contains("vendor/deepseek-v4-pro"), "{body}");
    }
    for file in support::files_under(&out) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(
            !text.contains(TENANT_KEY),
            "the key reached {}",
            file.display()
        );
    }
    let missing = run(harness().arg("run").arg(&scenario).arg("--out").arg(&out));
    assert_eq!(missing.status.code(), Some(2), "{}", describe(&missing));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("TENANT_KEY is not set"));
}

#[test]
fn targets_mistakes_are_named_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "target = \"embedded\"\n\n[[targets]]\nname = \"a\"\ntarget = \"embedded\"\n",
            "either `target` or `[[targets]]`",
        ),
        (
            "[[targets]]\nname = \"a\"\ntarget = \"embedded\"\n\n[[targets]]\nname = \"a\"\ntarget = \"embedded:lenient\"\n",
            "two targets are named \"a\"",
        ),
        (
            "[[targets]]\nname = \"../up\"\ntarget = \"embedded\"\n",
            "target name \"../up\"",
        ),
        (
            "[[targets]]\nname = \"a\"\ntarget = \"embedded\"\n\n[[expect]]\nname = \"e\"\nmodel = \"*\"\ntarget = \"b*\"\nstatus = 200\n",
            "names none of the targets (a)",
        ),
        (
            "target = \"embedded\"\n\n[[expect]]\nname = \"e\"\nmodel = \"*\"\nleg = \"faithful\"\n",
            "add a `[provider]` table",
        ),
    ];
    for (index, (body, words)) in cases.into_iter().enumerate() {
        let scenario = support::write(
            dir.path(),
            &format!("s{index}.toml"),
            format!("name = \"x\"\ncaptures = [\"captures/golden\"]\n{body}"),
        );
        let output = run(harness().arg("run").arg(&scenario).arg("--dry-run"));
        assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(words), "case {index}: {stderr}");
        assert!(stderr.contains(&format!("s{index}.toml:")), "{stderr}");
    }
}
