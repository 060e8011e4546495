//! The redaction key can never be committed or uploaded by accident (issue 21): a fresh clone
//! ignores it, `record` says where it is, `run` leaves none in a report folder, and what the
//! tool writes is its owner's only.

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

#[cfg(unix)]
use crate::support::mode;
use crate::support::process::Server;
use crate::support::{self, describe, expect_code, harness, run};

fn have_git() -> bool {
    let found = Command::new("git").arg("--version").output().is_ok();
    if !found {
        eprintln!("SKIPPED: git is not installed");
    }
    found
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        describe(&output)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_fresh_clone_recording_with_the_defaults_shows_no_key_file_to_git() {
    if !have_git() {
        return;
    }
    // A clone of the project as far as git is concerned: its .gitignore in a fresh repository.
    let clone = tempfile::tempdir().unwrap();
    std::fs::copy(
        support::project_path(".gitignore"),
        clone.path().join(".gitignore"),
    )
    .unwrap();
    git(clone.path(), &["init", "-q"]);
    let mut command = harness();
    command
        .current_dir(clone.path())
        .args(["record", "--stub", "--listen", "127.0.0.1:0"]);
    let mut recorder = Server::spawn(command);
    let deadline = Instant::now() + Duration::from_secs(30);
    let token = loop {
        let stdout = recorder.stdout_text();
        if let Some(token) = stdout
            .split("/t/")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
        {
            break token.to_owned();
        }
        assert!(Instant::now() < deadline, "no base URL printed:\n{stdout}");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stream = std::net::TcpStream::connect(recorder.addr).unwrap();
    write!(
        stream,
        "GET /t/{token}/v1/models HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(recorder.stop(), Some(0), "{}", recorder.stderr_text());
    let stdout = recorder.stdout_text();
    assert_eq!(
        stdout
            .matches("redaction key   captures/.redaction-key")
            .count(),
        1,
        "the key's place is said once, at start:\n{stdout}"
    );
    let key = clone.path().join("captures/.redaction-key");
    assert!(key.is_file(), "the key is where the banner says");
    let status = git(
        clone.path(),
        &["status", "--porcelain", "--untracked-files=all"],
    );
    assert!(
        status.lines().any(|l| l.contains("captures/")),
        "the captures themselves are visible to git: {status}"
    );
    assert!(
        !status.contains(".redaction-key"),
        "git would offer the key for a commit:\n{status}"
    );
    #[cfg(unix)]
    {
        assert_eq!(
            mode(&clone.path().join("captures")),
            0o700,
            "the captures folder"
        );
        assert_eq!(mode(&key), 0o600, "the key");
        for file in support::files_under(&clone.path().join("captures")) {
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
    }
}

#[test]
fn run_leaves_no_key_file_under_reports_and_its_reports_are_the_owners_only() {
    let dir = support::golden_copy();
    let mut command = harness();
    command
        .current_dir(dir.path())
        .args(["run", "scenarios/golden.toml"]);
    let output = run(&mut command);
    expect_code(&output, 0);
    let reports = dir.path().join("reports");
    let files = support::files_under(&reports);
    assert!(
        files.iter().any(|f| f.ends_with("replay/run/run.json")),
        "the replay is in the report folder: {files:?}"
    );
    assert!(
        !files
            .iter()
            .any(|f| f.ends_with(cursor_harness::capture::redact::KEY_FILE)),
        "a key file under reports/: {files:?}"
    );
    // What scan says of the folder users upload: nothing to hide, no key file.
    expect_code(&support::scan(&[&reports]), 0);
    #[cfg(unix)]
    {
        assert_eq!(mode(&dir.path().join("reports/golden")), 0o700);
        for file in files {
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
    }
}
