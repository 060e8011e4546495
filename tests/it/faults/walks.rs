//! A folder of captures with a subfolder nobody may read: every command that walks folders
//! (`check`, `replay`, `diff`, `export`, `scan`) gives the subfolder a row of its own that
//! names it, and processes the rest.
//!
//! Permissions do not stop root, so under root the commands run as `nobody` (`setpriv`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::fixtures::{chat_capture, pretty};

/// The binary, as a user the folder's permissions apply to.
fn as_reader() -> Option<Command> {
    if rustix::process::geteuid().is_root() {
        if Command::new("setpriv").arg("--version").output().is_err() {
            eprintln!("SKIPPED: running as root without setpriv to drop privileges");
            return None;
        }
        let mut command = Command::new("setpriv");
        command
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(env!("CARGO_BIN_EXE_cursor-harness"));
        command.current_dir("/").env("NO_COLOR", "1");
        Some(command)
    } else {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cursor-harness"));
        command.env("NO_COLOR", "1");
        Some(command)
    }
}

fn open_to_all(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// `root/sessions/{good,locked}/…`: one capture readable, one behind a folder mode 000.
fn folder(root: &Path) -> (PathBuf, PathBuf) {
    let sessions = root.join("sessions");
    for (folder, id) in [("good", "good-1"), ("locked", "locked-1")] {
        crate::support::write(
            &sessions,
            &format!("{folder}/{id}.json"),
            pretty(&chat_capture(id, "walk-model")),
        );
    }
    open_to_all(root, 0o755);
    open_to_all(&sessions, 0o755);
    open_to_all(&sessions.join("good"), 0o755);
    open_to_all(&sessions.join("good/good-1.json"), 0o644);
    let locked = sessions.join("locked");
    open_to_all(&locked, 0o000);
    (sessions, locked)
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn an_unreadable_subfolder_is_a_row_of_its_own_in_every_walk() {
    let Some(_) = as_reader() else { return };
    let root = tempfile::tempdir().unwrap();
    let (sessions, locked) = folder(root.path());
    let named = format!("{}: cannot read folder", locked.display());
    let run = |args: &[&str], paths: &[&Path]| {
        let mut command = as_reader().unwrap();
        command.args(args).args(paths);
        command.output().unwrap()
    };

    let check = run(&["check", "--format", "json"], &[&sessions]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check));
    let results: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let rows = results["results"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{results}");
    assert!(
        rows.iter().any(|r| r["id"] == "good-1"),
        "the rest is checked"
    );
    assert!(
        rows.iter()
            .any(|r| r["error"].as_str().is_some_and(|e| e.contains(&named))),
        "{results}"
    );

    let out = root.path().join("runs");
    std::fs::create_dir(&out).unwrap();
    open_to_all(&out, 0o777);
    let out_arg = out.display().to_string();
    let replay = run(
        &["replay", "--target", "embedded:lenient", "--out", &out_arg],
        &[&sessions],
    );
    assert_eq!(replay.status.code(), Some(1), "{}", text(&replay));
    assert!(text(&replay).contains(&named), "{}", text(&replay));
    assert!(
        text(&replay).contains("replayed 1 exchange(s)"),
        "{}",
        text(&replay)
    );

    let diff = run(&["diff"], &[&sessions, &sessions]);
    assert!(text(&diff).contains(&named), "{}", text(&diff));
    assert!(
        text(&diff).contains("1 pair(s) compared"),
        "{}",
        text(&diff)
    );

    let export = run(&["export", "--format", "har"], &[&sessions]);
    assert_eq!(export.status.code(), Some(1), "{}", text(&export));
    assert!(text(&export).contains(&named), "{}", text(&export));
    let har: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
    assert_eq!(har["log"]["entries"].as_array().unwrap().len(), 1);

    let scan = run(&["scan"], &[&sessions]);
    assert_eq!(scan.status.code(), Some(1), "{}", text(&scan));
    assert!(
        text(&scan).contains(&locked.display().to_string()),
        "{}",
        text(&scan)
    );
    assert!(
        text(&scan).contains("cannot read folder"),
        "{}",
        text(&scan)
    );

    open_to_all(&locked, 0o755);
}
