//! docs/ci.md runs: the `cursor-harness` commands of its GitHub Actions and GitLab CI examples,
//! taken from the page as written (CI variables filled in the way each CI fills them), pass
//! against the embedded gateway, write the files the upload steps name, and fail the build
//! when an expectation breaks.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::{self, describe};

/// The YAML blocks of docs/ci.md, in order.
fn yaml_blocks() -> Vec<String> {
    let page = std::fs::read_to_string(support::project_path("docs/ci.md")).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in page.lines() {
        match (&mut current, line.trim_start()) {
            (None, "```yaml") => current = Some(String::new()),
            (Some(_), "```") => blocks.push(current.take().unwrap()),
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

/// The shell commands of a block that run cursor-harness.
fn harness_commands(block: &str) -> Vec<String> {
    block
        .lines()
        .filter_map(|line| {
            let line = line
                .trim()
                .trim_start_matches("- ")
                .trim_start_matches("run: ");
            line.starts_with("./target/release/cursor-harness ")
                .then(|| line.to_owned())
        })
        .collect()
}

/// Run one command line in `dir` with the harness under test in place of the release build.
fn sh(dir: &Path, command: &str, vars: &[(&str, String)]) -> std::process::Output {
    let binary = env!("CARGO_BIN_EXE_cursor-harness");
    let mut line = command.replace("./target/release/cursor-harness", binary);
    for (name, value) in vars {
        line = line.replace(name, value);
    }
    Command::new("sh")
        .args(["-c", &line])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// The YAML parses, when PyYAML is there to say so.
fn assert_yaml(block: &str) {
    let check = Command::new("python3")
        .args(["-c", "import sys, yaml; yaml.safe_load(sys.stdin)"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = check else {
        eprintln!("SKIPPED YAML check: no python3");
        return;
    };
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(block.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("No module named 'yaml'") {
        eprintln!("SKIPPED YAML check: PyYAML is not installed");
        return;
    }
    assert!(
        output.status.success(),
        "the YAML does not parse: {stderr}\n{block}"
    );
}

/// What one CI example does, played on a copy of the golden captures: each shard's exit code
/// and the merge's.
struct Played {
    shards: Vec<i32>,
    merge: i32,
}

/// Play an example's commands: the shard command for I = 1..=4 (with `vars(I)`), then the
/// merge command; each output described on failure.
fn play(
    dir: &Path,
    commands: &[String],
    vars: impl Fn(usize) -> Vec<(&'static str, String)>,
) -> Played {
    let [shard, merge] = commands else {
        panic!("expected a shard command and a merge command: {commands:?}");
    };
    assert!(
        shard.contains(" run ") && shard.contains("--shard"),
        "{shard}"
    );
    assert!(merge.contains(" report --merge "), "{merge}");
    let mut shards = Vec::new();
    for index in 1..=4 {
        let output = sh(dir, shard, &vars(index));
        eprintln!("shard {index}: {}", describe(&output));
        shards.push(output.status.code().unwrap());
    }
    let _ = std::fs::remove_dir_all(dir.join("reports/merged"));
    let output = sh(dir, merge, &[]);
    eprintln!("merge: {}", describe(&output));
    Played {
        shards,
        merge: output.status.code().unwrap(),
    }
}

fn break_an_expectation(dir: &Path) {
    // A neutral model suddenly sends a Responses field: "Neutral model names ... send real
    // Chat Completions" no longer holds for that exchange.
    let path = dir.join("captures/golden/deepseek-v4-pro/0008-plain-chat-text-stream.json");
    let mut capture: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    capture["request"]["body"]["json"]["previous_response_id"] = Value::String("resp_1".into());
    std::fs::write(&path, serde_json::to_vec_pretty(&capture).unwrap()).unwrap();
}

fn check_example(block: &str, vars: impl Fn(usize) -> Vec<(&'static str, String)> + Copy) {
    assert_yaml(block);
    let commands = harness_commands(block);
    let dir = support::golden_copy();
    let played = play(dir.path(), &commands, vars);
    assert_eq!(played.shards, [0, 0, 0, 0], "every golden shard passes");
    assert_eq!(played.merge, 0, "and so does the merge");
    // The files the upload steps name are there, and the JUnit is the merged run's.
    let named = regex::Regex::new(r"reports/merged/[a-z]+\.[a-z]+").unwrap();
    let files: Vec<&str> = named.find_iter(block).map(|m| m.as_str()).collect();
    assert!(files.contains(&"reports/merged/junit.xml"), "{files:?}");
    assert!(files.contains(&"reports/merged/report.md"), "{files:?}");
    for file in files {
        assert!(dir.path().join(file).is_file(), "{file} was not written");
    }
    let report: Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("reports/merged/report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(report["scenario"]["merged_shards"], 4);

    // A broken expectation fails the shard that holds the exchange, and the merge.
    break_an_expectation(dir.path());
    let played = play(dir.path(), &commands, vars);
    assert_eq!(
        played.shards.iter().filter(|code| **code == 1).count(),
        1,
        "one shard holds the broken exchange: {:?}",
        played.shards
    );
    assert!(played.shards.iter().all(|code| matches!(code, 0 | 1)));
    assert_eq!(played.merge, 1, "the merge fails the build");
    let markdown = std::fs::read_to_string(dir.path().join("reports/merged/report.md")).unwrap();
    assert!(markdown.contains("**FAIL: 1 failure(s)"), "{markdown}");
}

#[test]
fn the_github_actions_example_runs_and_fails_on_a_broken_expectation() {
    let blocks = yaml_blocks();
    let github = blocks
        .iter()
        .find(|b| b.contains("runs-on:"))
        .expect("a GitHub Actions workflow in docs/ci.md");
    assert!(github.contains("shard: [1, 2, 3, 4]"), "{github}");
    check_example(github, |index| {
        vec![("${{ matrix.shard }}", index.to_string())]
    });
}

#[test]
fn the_gitlab_ci_example_runs_and_fails_on_a_broken_expectation() {
    let blocks = yaml_blocks();
    let gitlab = blocks
        .iter()
        .find(|b| b.contains("stages:"))
        .expect("a GitLab CI job in docs/ci.md");
    assert!(gitlab.contains("parallel: 4"), "{gitlab}");
    check_example(gitlab, |index| {
        vec![
            ("${CI_NODE_INDEX}", index.to_string()),
            ("${CI_NODE_TOTAL}", "4".to_owned()),
        ]
    });
}
