//! `run`, `report` and `export` end to end through the binary: the golden scenario, stable and
//! forum-safe reports, failing expectations, shards, scenario errors, the HTML report in a real
//! browser, and HAR/curl export.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::{self, describe, expect_code, harness, run};

fn run_scenario(
    scenario: &str,
    out: &Path,
    extra: &[&str],
    cwd: Option<&Path>,
) -> std::process::Output {
    let mut command = harness();
    command
        .args(["run", scenario, "--out"])
        .arg(out)
        .args(extra);
    if let Some(cwd) = cwd {
        command.current_dir(cwd);
    }
    run(&mut command)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_golden_scenario_passes_and_writes_reports_safe_to_post() {
    let out = tempfile::tempdir().unwrap();
    let output = run_scenario("scenarios/golden.toml", out.path(), &[], None);
    let stdout = expect_code(&output, 0);
    assert!(stdout.contains("PASS"), "{}", describe(&output));
    for name in [
        "report.md",
        "report.json",
        "junit.xml",
        "report.html",
        "timings.json",
    ] {
        assert!(out.path().join(name).is_file(), "{name} missing");
    }
    let markdown = read(&out.path().join("report.md"));
    assert!(markdown.contains(
        "| model as selected in Cursor | request dialect | what breaks | gateway status | answer |"
    ));
    assert!(
        markdown.contains("`request.unknown-field`"),
        "the breaking formats are named"
    );
    assert!(
        markdown.contains("$GATEWAY_API_KEY"),
        "reproducers use the key variable"
    );
    assert!(markdown.len() <= cursor_harness::report::markdown::DEFAULT_LIMIT);
    let leaks = regex::Regex::new(r"\b\d{1,3}(\.\d{1,3}){3}\b|/tmp/|/root/|/home/|\d{4}-\d{2}-\d{2}T\d{2}:|https?://[a-z0-9.-]+\.[a-z]{2,}").unwrap();
    assert!(
        !leaks.is_match(&markdown),
        "host, address, path or time in the Markdown: {:?}",
        leaks.find(&markdown)
    );
    for name in ["report.md", "report.json", "report.html", "junit.xml"] {
        let findings = cursor_harness::capture::redact::scan_text(&read(&out.path().join(name)));
        assert!(findings.is_empty(), "{name}: {findings:?}");
    }
    let report: Value = serde_json::from_str(&read(&out.path().join("report.json"))).unwrap();
    let schema: Value =
        serde_json::from_str(&read(&support::project_path("schemas/report.schema.json"))).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("report schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "report.json breaks its schema: {errors:#?}"
    );
    assert_eq!(report["summary"]["exchanges"], support::golden_count());
    validate_junit(&out.path().join("junit.xml"));
    // Each replay lane's first request opened a connection: timings.json says how long that
    // took, and the HTML says so beside the exchange.
    let timings: Value = serde_json::from_str(&read(&out.path().join("timings.json"))).unwrap();
    let opened = timings["exchanges"]
        .as_object()
        .unwrap()
        .values()
        .filter(|t| t["connection"]["connect_ms"].is_number())
        .count();
    assert!(
        opened >= 1,
        "no replayed request opened a connection: {timings:#}"
    );
    let html = read(&out.path().join("report.html"));
    assert_eq!(
        html.matches("Opened its connection first: connect ")
            .count(),
        opened
    );
}

pub(crate) fn validate_junit(path: &Path) {
    if Command::new("xmllint").arg("--version").output().is_err() {
        eprintln!(
            "SKIPPED JUnit schema validation: xmllint is not installed (apt-get install libxml2-utils)"
        );
        return;
    }
    let output = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(support::project_path("tests/fixtures/junit/junit.xsd"))
        .arg(path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "junit.xml does not validate: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn markdown_and_json_reports_are_byte_stable_across_runs() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    expect_code(
        &run_scenario("scenarios/golden.toml", first.path(), &[], None),
        0,
    );
    expect_code(
        &run_scenario("scenarios/golden.toml", second.path(), &[], None),
        0,
    );
    // The HTML carries the stream timeline (real arrival times), so it is not compared.
    for name in ["report.md", "report.json", "junit.xml"] {
        assert!(
            read(&first.path().join(name)) == read(&second.path().join(name)),
            "{name} differs between two runs"
        );
    }
    // `report` re-renders from report.json alone, to the same bytes.
    for (format, name) in [
        ("md", "report.md"),
        ("json", "report.json"),
        ("junit", "junit.xml"),
    ] {
        let output = run(harness()
            .args(["report", "--format", format])
            .arg(first.path()));
        assert_eq!(
            expect_code(&output, 0),
            read(&first.path().join(name)),
            "{format}"
        );
    }
}

#[test]
fn a_changed_golden_capture_fails_the_run_and_names_the_expectation() {
    let dir = support::golden_copy();
    let path = dir
        .path()
        .join("captures/golden/deepseek-v4-pro/0008-plain-chat-text-stream.json");
    let mut capture: Value = serde_json::from_str(&read(&path)).unwrap();
    // A neutral model suddenly sending a Responses field: the request no longer conforms.
    capture["request"]["body"]["json"]["previous_response_id"] = Value::String("resp_1".into());
    std::fs::write(&path, serde_json::to_vec_pretty(&capture).unwrap()).unwrap();
    let out = dir.path().join("out");
    let output = run_scenario("scenarios/golden.toml", &out, &[], Some(dir.path()));
    let stdout = expect_code(&output, 1);
    assert!(stdout.contains("FAIL"));
    assert!(
        stdout.contains("Neutral model names"),
        "the failed expectation is named: {stdout}"
    );
    assert!(
        stdout.contains("request breaks, expected it to conform"),
        "{stdout}"
    );
}

#[test]
fn shards_cover_every_capture_exactly_once() {
    let mut seen: Vec<String> = Vec::new();
    for index in 1..=3 {
        let out = tempfile::tempdir().unwrap();
        let output = run_scenario(
            "scenarios/golden.toml",
            out.path(),
            &["--shard", &format!("{index}/3")],
            None,
        );
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{}",
            describe(&output)
        );
        let report: Value = serde_json::from_str(&read(&out.path().join("report.json"))).unwrap();
        assert_eq!(report["scenario"]["shard"], format!("{index}/3"));
        for exchange in report["exchanges"].as_array().unwrap() {
            seen.push(exchange["capture"].as_str().unwrap().to_owned());
        }
    }
    let total = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), total, "a capture ran in two shards");
    assert_eq!(
        total,
        support::golden_count(),
        "every golden capture ran in some shard"
    );
}

#[test]
fn scenario_mistakes_are_reported_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "name = \"x\"\ncaptures = [\"captures\"]\nconcurency = 4\n",
            ":3:1:",
            "concurency",
        ),
        (
            "name = \"x\"\ncaptures = [\"captures\"]\n\n[[expect]]\nname = \"e\"\nmodel = \"gpt-*\"\n",
            ":4:",
            "checks nothing",
        ),
        (
            "name = \"x\"\ncaptures = [\"captures\"]\ntarget = \"${NOT_SET_ANYWHERE_42}/v1\"\n",
            "",
            "NOT_SET_ANYWHERE_42 is not set",
        ),
    ];
    std::fs::create_dir_all(dir.path().join("captures")).unwrap();
    std::fs::copy(
        support::project_path("tests/fixtures/sdk/chat-plain.json"),
        dir.path().join("captures/a.json"),
    )
    .unwrap();
    for (text, position, words) in cases {
        std::fs::write(dir.path().join("s.toml"), text).unwrap();
        let output = run(harness().args(["run", "s.toml"]).current_dir(dir.path()));
        assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("s.toml{position}")) && stderr.contains(words),
            "{stderr}"
        );
    }
}

#[test]
fn the_html_report_works_in_a_real_browser_and_runs_no_planted_script() {
    let Some(chromium) = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    else {
        eprintln!("SKIPPED: no headless browser (apt-get install chromium; .ci/run installs it)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let hostile = serde_json::json!({
        "model": "<script>document.title='PWNED'</script>",
        "messages": [{"role": "user", "content": "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\"><script>document.body.setAttribute('data-pwned','2')</script>"}],
        "stream": true
    });
    support::write(
        dir.path(),
        "captures/hostile.json",
        serde_json::to_vec(&hostile).unwrap(),
    );
    support::write(
        dir.path(),
        "captures/ok.json",
        std::fs::read(support::project_path("tests/fixtures/sdk/chat-plain.json")).unwrap(),
    );
    support::write(
        dir.path(),
        "captures/responses.json",
        std::fs::read(support::project_path(
            "tests/fixtures/sdk/responses-plain.json",
        ))
        .unwrap(),
    );
    support::write(
        dir.path(),
        "s.toml",
        "name = \"browser\"\ncaptures = [\"captures\"]\ntarget = \"embedded:strict\"\n\n[[expect]]\nname = \"Responses bodies break\"\ndialect = \"responses\"\nrequest = \"breaks\"\n",
    );
    let out = dir.path().join("out");
    let output = run(harness()
        .args(["run", "s.toml", "--out"])
        .arg(&out)
        .current_dir(dir.path()));
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        describe(&output)
    );
    let html = out.join("report.html");
    let profile = tempfile::tempdir().unwrap();
    let browser = |extra: &[String]| {
        let mut command = Command::new(chromium);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra);
        command
    };
    let url = format!("file://{}#verdict=breaks", html.display());
    let dom = browser(&[
        "--virtual-time-budget=2000".to_owned(),
        "--dump-dom".to_owned(),
        url.clone(),
    ])
    .output()
    .unwrap();
    assert!(
        dom.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout).into_owned();
    assert!(dom.contains("id=\"exchanges\""), "the table is in the DOM");
    assert!(
        dom.contains("id=\"filter-verdict\""),
        "a filter is in the DOM"
    );
    assert!(
        dom.contains("class=\"side-by-side\""),
        "a side-by-side view is in the DOM"
    );
    assert!(
        !dom.contains("PWNED") || dom.contains("&lt;script&gt;document.title"),
        "the planted script's text stays text"
    );
    assert!(!dom.contains("<title>PWNED"), "a planted script ran");
    assert!(
        !dom.contains("<body data-pwned"),
        "a planted handler or script ran"
    );
    // The fragment preset the verdict filter: conforming rows are hidden by the page's script.
    let row = regex::Regex::new(r#"<tr [^>]*data-verdict="conforms"[^>]*>"#).unwrap();
    let conforming = row.find(&dom).expect("a conforming row").as_str();
    assert!(
        conforming.contains("hidden"),
        "the filter hid the conforming row: {conforming}"
    );
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-screenshot.png");
    let _ = std::fs::remove_file(&shot);
    let status = browser(&[
        "--window-size=1280,1600".to_owned(),
        format!("--screenshot={}", shot.display()),
        format!("file://{}", html.display()),
    ])
    .output()
    .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(
        std::fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000),
        "a screenshot of the report was written to {}",
        shot.display()
    );
    eprintln!("screenshot of the HTML report: {}", shot.display());
}

#[test]
fn har_export_imports_back_and_checks_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let har = dir.path().join("golden.har");
    expect_code(
        &run(harness()
            .args(["export", "captures/golden", "--format", "har", "--out"])
            .arg(&har)),
        0,
    );
    let text = read(&har);
    assert!(
        text.contains("HAR cannot hold"),
        "the file says what HAR loses"
    );
    let direct = run(harness().args(["check", "captures/golden", "--format", "json"]));
    let imported = run(harness().args(["check", "--format", "json"]).arg(&har));
    let summarize = |output: &std::process::Output| -> Vec<(Value, Value, Value)> {
        let value: Value = serde_json::from_slice(&output.stdout).unwrap();
        value["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let codes = |side: &str| -> Value {
                    let mut list: Vec<String> =
                        r[side]["violations"].as_array().map_or(Vec::new(), |v| {
                            v.iter()
                                .map(|v| v["code"].as_str().unwrap_or("").to_owned())
                                .collect()
                        });
                    list.sort();
                    Value::from(list)
                };
                (
                    r["request"]["dialect"].clone(),
                    codes("request"),
                    codes("response"),
                )
            })
            .collect()
    };
    assert_eq!(
        summarize(&direct),
        summarize(&imported),
        "a HAR exported and imported again checks the same"
    );
}

#[test]
fn curl_export_uses_the_key_variable_and_never_a_redacted_value() {
    let output = run(harness().args(["export", "captures/golden/gpt-5.5", "--format", "curl"]));
    let script = expect_code(&output, 0);
    assert!(script.contains("Authorization: Bearer $GATEWAY_API_KEY"));
    assert!(script.contains("\"$GATEWAY_BASE_URL\"/chat/completions"));
    assert!(
        !script.contains("[REDACTED:"),
        "redacted headers are left out, not replayed"
    );
    assert_eq!(
        script.matches("curl -sS").count(),
        support::json_files(&support::project_path("captures/golden/gpt-5.5")).len()
    );
}

#[test]
fn the_report_schema_shares_its_check_definitions_unchanged() {
    let report: Value =
        serde_json::from_str(&read(&support::project_path("schemas/report.schema.json"))).unwrap();
    let check: Value = serde_json::from_str(&read(&support::project_path(
        "schemas/check-results.schema.json",
    )))
    .unwrap();
    let mut shared = 0;
    for (name, definition) in report["$defs"].as_object().unwrap() {
        if let Some(original) = check["$defs"].get(name) {
            assert_eq!(
                definition, original,
                "$defs/{name} differs between report.schema.json and check-results.schema.json"
            );
            shared += 1;
        }
    }
    assert!(
        shared >= 8,
        "the report schema reuses the check definitions ({shared} shared)"
    );
}

#[test]
fn the_shipped_scenarios_run_or_name_what_they_need() {
    let out = tempfile::tempdir().unwrap();
    let lenient = run_scenario(
        "scenarios/lenient.toml",
        &out.path().join("lenient"),
        &[],
        None,
    );
    expect_code(&lenient, 0);
    for (scenario, variable) in [
        ("scenarios/truefoundry-cursor.toml", "GATEWAY_BASE_URL"),
        ("scenarios/litellm-proxy.toml", "LITELLM_BASE_URL"),
        ("scenarios/litellm-cursor.toml", "LITELLM_BASE_URL"),
        ("scenarios/portkey.toml", "PORTKEY_BASE_URL"),
        ("scenarios/gateways.toml", "LITELLM_BASE_URL"),
    ] {
        let output = run(harness()
            .args(["run", scenario, "--out"])
            .arg(out.path().join("x"))
            .env_remove(variable));
        assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(&format!("{variable} is not set"))
        );
    }
}

/// A scenario for a real gateway, run against a real gateway process: the URL target, the key
/// from the environment, and expectations evaluated on what came back over the wire.
#[test]
fn a_url_scenario_runs_against_a_gateway_process_and_never_writes_the_key() {
    let mut gateway = crate::support::process::Server::start(&[
        "gateway",
        "--listen",
        "127.0.0.1:0",
        "--profile",
        "lenient",
    ]);
    let out = tempfile::tempdir().unwrap();
    let key = "sk-scenario-test-KEY-0123456789abcdefghij";
    let output = run(harness()
        .args(["run", "scenarios/litellm-proxy.toml", "--out"])
        .arg(out.path())
        .env("LITELLM_BASE_URL", format!("http://{}", gateway.addr))
        .env("LITELLM_API_KEY", key));
    let stdout = expect_code(&output, 0);
    assert!(stdout.contains("PASS"));
    assert!(!stdout.contains(key) && !String::from_utf8_lossy(&output.stderr).contains(key));
    let markdown = read(&out.path().join("report.md"));
    assert!(
        markdown.contains("a gateway under test (URL from the scenario)"),
        "the URL is not printed"
    );
    for file in crate::support::files_under(out.path()) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(!text.contains(key), "the key reached {}", file.display());
    }
    gateway.stop();
}

/// A HAR read in and exported again keeps its URLs' scheme and host; a capture recorded behind
/// a tunnel (no upstream: stub mode) gets the host the client named and the scheme the tunnel
/// reported.
#[test]
fn har_export_keeps_the_recorded_scheme_and_host() {
    let dir = tempfile::tempdir().unwrap();
    let har = support::write(
        dir.path(),
        "in.har",
        support::fixtures::har(vec![support::fixtures::har_entry(
            &support::fixtures::chat_body("gpt-4o"),
            200,
            "text/event-stream",
            &support::fixtures::chat_stream("gpt-4o"),
        )])
        .to_string(),
    );
    let mut stub = support::fixtures::chat_capture("0190f0c2-0000-7000-8000-0000000000aa", "m");
    stub["request"]["headers"] = serde_json::json!([
        ["host", "quiet-river.trycloudflare.com"],
        ["x-forwarded-proto", "https"],
        ["content-type", "application/json"]
    ]);
    let stub = support::write(dir.path(), "stub.json", support::fixtures::pretty(&stub));
    let output = run(harness()
        .args(["export", "--format", "har"])
        .arg(&har)
        .arg(&stub));
    let exported: Value = serde_json::from_str(&expect_code(&output, 0)).unwrap();
    let urls: Vec<&str> = exported["log"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["request"]["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        urls,
        [
            "https://gateway.example/v1/chat/completions",
            "https://quiet-river.trycloudflare.com/v1/chat/completions"
        ]
    );
    let ids: Vec<&str> = exported["log"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["_cursor_harness"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids[1], "0190f0c2-0000-7000-8000-0000000000aa");
}
