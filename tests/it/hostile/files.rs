//! Files the tool writes stay where they belong: a symbolic link planted inside the captures
//! tree is refused and named, never followed; a scenario name cannot leave `reports/`; a model
//! name Windows reserves becomes another folder name.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::recorder::{Recorder, options, post_chat};
use crate::support::{self, harness, run};

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_planted_inside_the_captures_tree_is_refused_and_named() {
    let outside = tempfile::tempdir().unwrap();
    let mut recorder = Recorder::start(options(None)).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !recorder.session_dir().is_dir() {
        assert!(
            Instant::now() < deadline,
            "the session folder never appeared"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    std::os::unix::fs::symlink(outside.path(), recorder.session_dir().join("gpt-5.5")).unwrap();
    let body = json!({"model": "gpt-5.5", "messages": [{"role": "user", "content": "hi"}]});
    let answer = post_chat(recorder.addr, "/v1/chat/completions", &body).await;
    assert_eq!(answer.status, 200, "the client still gets its answer");
    let reserved = json!({"model": "NUL.txt", "messages": [{"role": "user", "content": "hi"}]});
    assert_eq!(
        post_chat(recorder.addr, "/v1/chat/completions", &reserved)
            .await
            .status,
        200
    );
    let report = recorder.stop().await;
    assert_eq!(report.lost, 1, "the capture behind the link is not written");
    assert!(
        std::fs::read_dir(outside.path()).unwrap().next().is_none(),
        "a file was written through the link"
    );
    let warnings = recorder.console.warnings.lock().unwrap().clone();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("gpt-5.5 is a symbolic link")),
        "{warnings:?}"
    );
    // The reserved device name became a folder name Windows takes.
    assert!(recorder.session_dir().join("_NUL.txt").is_dir());
}

/// Run a command that must exit on its own within 30 s (a recorder that starts would not).
fn run_briefly(mut command: Command) -> std::process::Output {
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{command:?} did not stop: it started instead of refusing");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[cfg(unix)]
#[test]
fn a_session_folder_that_is_a_link_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let captures = dir.path().join("captures");
    std::fs::create_dir_all(&captures).unwrap();
    std::os::unix::fs::symlink(outside.path(), captures.join("linked")).unwrap();
    let mut command = harness();
    command
        .args([
            "record",
            "--stub",
            "--session",
            "linked",
            "--listen",
            "127.0.0.1:0",
            "--captures",
        ])
        .arg(&captures);
    let output = run_briefly(command);
    assert_ne!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("linked is a symbolic link"),
        "{}",
        support::describe(&output)
    );
    assert!(std::fs::read_dir(outside.path()).unwrap().next().is_none());
}

fn scenario_named(dir: &Path, name: &str) -> std::process::Output {
    let file = dir.join("s.toml");
    std::fs::write(
        &file,
        format!(
            "name = {}\ncaptures = [\"captures\"]\n",
            serde_json::to_string(name).unwrap()
        ),
    )
    .unwrap();
    support::copy_tree(
        &support::project_path("captures/golden"),
        &dir.join("captures"),
    );
    let mut command = harness();
    command.current_dir(dir).args(["run", "s.toml"]);
    run(&mut command)
}

#[test]
fn a_scenario_name_is_checked_like_a_session_name() {
    for name in ["../../escape", "a/b", "..", "CON", "nul.txt", ".hidden"] {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("work");
        std::fs::create_dir_all(&dir).unwrap();
        let output = scenario_named(&dir, name);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{name}: {}",
            support::describe(&output)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("cannot be a report folder"),
            "{name}: {stderr}"
        );
        let written: Vec<_> = support::files_under(root.path())
            .into_iter()
            .filter(|f| !f.starts_with(dir.join("captures")) && !f.ends_with("s.toml"))
            .collect();
        assert!(written.is_empty(), "{name}: wrote {written:?}");
    }
}
