//! Everyday filters and switches: `check -` (standard input), `--model GLOB` on check, replay
//! and run, `run --dry-run`, `run --profile` and `--concurrency`, and `replay --max-gap` with
//! the wait on the progress line.

use std::io::Write as _;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::fixtures::{chat_capture, pretty};
use crate::support::{self, describe, expect_code, harness, run};

fn json_of(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn check_reads_standard_input_in_the_order_given() {
    let body = std::fs::read(support::project_path(
        "tests/fixtures/sdk/responses-plain.json",
    ))
    .unwrap();
    let mut child = harness()
        .args(["check", "--format", "json", "captures/golden/_models", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&body).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let results: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rows = results["results"].as_array().unwrap();
    assert_eq!(rows.last().unwrap()["capture"], "<stdin>");
    assert_eq!(rows.last().unwrap()["request"]["dialect"], "responses");
    assert!(rows[0]["capture"].as_str().unwrap().contains("_models"));
    let twice = run(harness().args(["check", "-", "-"]).stdin(Stdio::null()));
    assert_eq!(twice.status.code(), Some(2), "{}", describe(&twice));
}

#[test]
fn model_globs_select_exchanges_in_check_replay_and_run() {
    let check = run(harness().args([
        "check",
        "captures/golden",
        "--model",
        "{claude-*,_models}",
        "--format",
        "json",
    ]));
    let results: Value = serde_json::from_slice(&check.stdout).unwrap();
    let models: Vec<&str> = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["model"].as_str().unwrap_or("_models"))
        .collect();
    assert!(!models.is_empty());
    assert!(
        models
            .iter()
            .all(|m| m.starts_with("claude-") || *m == "_models"),
        "{models:?}"
    );
    assert!(
        models.contains(&"_models"),
        "the Verify call matches `_models`"
    );
    let none = run(harness().args(["check", "captures/golden", "--model", "nothing-*"]));
    assert_eq!(none.status.code(), Some(2), "{}", describe(&none));
    assert!(String::from_utf8_lossy(&none.stderr).contains("--model nothing-*"));

    let out = tempfile::tempdir().unwrap();
    let replayed = crate::replay::replay(
        out.path(),
        "claude",
        &[
            "captures/golden",
            "--target",
            "embedded",
            "--model",
            "claude-*",
        ],
        &[],
    );
    expect_code(&replayed.output, 0);
    assert!(replayed.run.counts.replayed > 0);
    assert!(
        replayed
            .run
            .exchanges
            .iter()
            .all(|e| e.model.as_deref().is_some_and(|m| m.starts_with("claude-"))),
        "only claude-* exchanges were sent"
    );
    let run_file = json_of(&replayed.dir.join("run.json"));
    assert_eq!(run_file["options"]["model"], "claude-*");
    crate::schemas::assert_matches(
        &crate::schemas::schema("schemas/run.schema.json"),
        &run_file,
        "run.json with --model",
        "schemas/run.schema.json",
    );

    // In a run the selection is a slice: expectations about other models are not applicable.
    let reports = out.path().join("run");
    let output = run(harness()
        .args([
            "run",
            "scenarios/golden.toml",
            "--model",
            "claude-*",
            "--out",
        ])
        .arg(&reports));
    expect_code(&output, 0);
    let report = json_of(&reports.join("report.json"));
    crate::schemas::assert_matches(
        &crate::schemas::schema("schemas/report.schema.json"),
        &report,
        "report.json of a --model run",
        "schemas/report.schema.json",
    );
    assert_eq!(report["scenario"]["model"], "claude-*");
    assert!(
        report["exchanges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["model"].as_str().unwrap().starts_with("claude-"))
    );
    let verdicts: Vec<&str> = report["expectations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["verdict"].as_str().unwrap())
        .collect();
    assert!(
        verdicts.contains(&"pass") && verdicts.contains(&"not-applicable"),
        "{verdicts:?}"
    );
    assert!(!verdicts.contains(&"fail"), "{verdicts:?}");
}

#[test]
fn a_dry_run_lists_what_it_would_run_and_sends_nothing() {
    let out = tempfile::tempdir().unwrap();
    let output = run(harness()
        .args(["run", "scenarios/golden.toml", "--dry-run", "--out"])
        .arg(out.path().join("reports")));
    let stdout = expect_code(&output, 0);
    assert!(stdout.contains("scenario golden"), "{stdout}");
    assert!(
        stdout.contains("the embedded reference gateway (strict)"),
        "{stdout}"
    );
    let golden = support::json_files(&support::project_path("captures/golden")).len();
    assert!(
        stdout.contains(&format!("captures ({golden}):")),
        "every golden capture is listed: {stdout}"
    );
    assert!(stdout.contains("0001-hybrid-agent-tool-history-400.json  gpt-5.5  responses"));
    assert!(!out.path().join("reports").exists(), "nothing written");

    // A scenario with a typo in a glob and an unset variable: named before anything runs.
    let dir = tempfile::tempdir().unwrap();
    support::write(
        dir.path(),
        "captures/a.json",
        pretty(&chat_capture(
            "0190f0c2-0000-7000-8000-0000000000d1",
            "gpt-4o",
        )),
    );
    support::write(
        dir.path(),
        "typo.toml",
        "name = \"t\"\ncaptures = [\"captures\"]\n\n[[expect]]\nname = \"typo\"\nmodel = \"gtp-*\"\nstatus = 200\n",
    );
    let output = run(harness()
        .args(["run", "typo.toml", "--dry-run"])
        .current_dir(dir.path()));
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("✘ typo: covers no exchange"), "{stdout}");
    support::write(
        dir.path(),
        "env.toml",
        "name = \"e\"\ncaptures = [\"captures\"]\ntarget = \"${DRY_RUN_UNSET_42}/v1\"\n",
    );
    let output = run(harness()
        .args(["run", "env.toml", "--dry-run"])
        .env_remove("DRY_RUN_UNSET_42")
        .current_dir(dir.path()));
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("DRY_RUN_UNSET_42 is not set"));
}

#[test]
fn run_takes_the_profile_and_concurrency_from_the_command_line() {
    let out = tempfile::tempdir().unwrap();
    let output = run(harness()
        .args([
            "run",
            "scenarios/golden.toml",
            "--profile",
            "lenient",
            "--concurrency",
            "1",
            "--out",
        ])
        .arg(out.path()));
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        describe(&output)
    );
    let report = json_of(&out.path().join("report.json"));
    assert_eq!(report["scenario"]["profile"], "lenient");
    let run_file = json_of(&out.path().join("replay/run/run.json"));
    assert_eq!(run_file["options"]["concurrency"], 1);
    let bad = run(harness().args(["run", "scenarios/golden.toml", "--concurrency", "0"]));
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn max_gap_shortens_recorded_pauses_and_each_wait_is_shown() {
    let dir = tempfile::tempdir().unwrap();
    for (i, at) in ["2026-11-26T10:00:00.000Z", "2026-11-26T11:00:00.000Z"]
        .iter()
        .enumerate()
    {
        let mut capture =
            chat_capture(&format!("0190f0c2-0000-7000-8000-00000000e00{i}"), "gpt-4o");
        capture["recorded_at"] = json!(at);
        support::write(dir.path(), &format!("captures/{i}.json"), pretty(&capture));
    }
    let captures = dir.path().join("captures");
    let started = Instant::now();
    let replayed = crate::replay::replay(
        &dir.path().join("runs"),
        "paced",
        &[
            captures.to_str().unwrap(),
            "--target",
            "embedded:lenient",
            "--pace",
            "original",
            "--max-gap",
            "1.5s",
        ],
        &[],
    );
    let took = started.elapsed();
    let stdout = expect_code(&replayed.output, 0);
    assert!(
        took < Duration::from_secs(30),
        "the hour-long pause was cut: {took:?}"
    );
    let scheduled: Vec<f64> = replayed
        .run
        .exchanges
        .iter()
        .map(|e| e.scheduled_ms.unwrap())
        .collect();
    assert_eq!(scheduled, [0.0, 1500.0]);
    assert!(
        stdout.contains("waiting 1.") && stdout.contains("to send #2 at its recorded time"),
        "the wait is on the progress line: {stdout}"
    );
    let run_file = json_of(&replayed.dir.join("run.json"));
    assert_eq!(run_file["options"]["max_gap_ms"], 1500.0);
    crate::schemas::assert_matches(
        &crate::schemas::schema("schemas/run.schema.json"),
        &run_file,
        "run.json with --max-gap",
        "schemas/run.schema.json",
    );
    let asap = run(harness().arg("replay").arg(&captures).args([
        "--target",
        "embedded",
        "--max-gap",
        "5s",
    ]));
    assert_eq!(asap.status.code(), Some(2), "{}", describe(&asap));
    assert!(String::from_utf8_lossy(&asap.stderr).contains("--max-gap"));
}

#[test]
fn gateway_log_prints_a_line_per_request_with_what_a_refusal_said() {
    let mut gateway =
        crate::support::process::Server::start(&["gateway", "--listen", "127.0.0.1:0", "--log"]);
    let refused = run(crate::support::curl()
        .args(["-H", "content-type: application/json", "--data-binary"])
        .arg(r#"{"model":"gpt-5.5","input":"hi"}"#)
        .arg(gateway.url("/v1/chat/completions")));
    assert!(String::from_utf8_lossy(&refused.stdout).contains("Unrecognized request argument"));
    let models = run(crate::support::curl().arg(gateway.url("/v1/models")));
    assert!(models.status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    while gateway.stdout_text().lines().count() < 4 {
        assert!(Instant::now() < deadline, "{}", gateway.stdout_text());
        std::thread::sleep(Duration::from_millis(20));
    }
    let stdout = gateway.stdout_text();
    let post = stdout
        .lines()
        .find(|l| l.contains("POST /v1/chat/completions"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(post.contains("gpt-5.5  400"), "{post}");
    assert!(
        post.ends_with("Unrecognized request argument supplied: input"),
        "{post}"
    );
    let get = stdout
        .lines()
        .find(|l| l.contains("GET /v1/models"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(get.contains("  -  200  "), "{get}");
    gateway.stop();

    // Without --log: only the banner.
    let mut quiet = crate::support::process::Server::start(&["gateway", "--listen", "127.0.0.1:0"]);
    run(crate::support::curl().arg(quiet.url("/v1/models")));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        quiet.stdout_text().lines().count(),
        2,
        "{}",
        quiet.stdout_text()
    );
    quiet.stop();
}
