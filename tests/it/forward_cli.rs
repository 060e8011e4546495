//! `ca` and `record --forward` as real processes: the CA files and their modes, refusals with
//! their hints, and a whole forward session stopped by SIGTERM. Every run gets its own HOME and
//! XDG_CONFIG_HOME, so no test ever touches the real config folder.

use std::io::BufRead as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

#[cfg(unix)]
use crate::support::mode;
use crate::support::{describe, expect_code, harness, run};

/// The binary with HOME and XDG_CONFIG_HOME inside `home`.
fn isolated(home: &Path) -> Command {
    let mut command = harness();
    command
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env_remove("CURSOR_HARNESS_CA_DIR");
    command
}

#[test]
fn ca_init_writes_a_private_key_once_and_export_prints_only_the_certificate() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("my-ca");
    let dir_arg = dir.display().to_string();
    let out = expect_code(
        &run(isolated(home.path()).args(["ca", "init", "--dir", &dir_arg])),
        0,
    );
    let cert = dir.join("cursor-harness-ca.pem");
    let key = dir.join("cursor-harness-ca-key.pem");
    assert!(out.contains(&cert.display().to_string()), "{out}");
    assert!(
        !out.contains("PRIVATE KEY"),
        "the key is never printed: {out}"
    );
    #[cfg(unix)]
    {
        assert_eq!(mode(&key), 0o600, "the CA key is owner-only");
        assert_eq!(mode(&dir), 0o700, "so is its folder");
    }
    let first = std::fs::read_to_string(&cert).unwrap();

    let again = run(isolated(home.path()).args(["ca", "init", "--dir", &dir_arg]));
    expect_code(&again, 2);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("already exists") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&cert).unwrap(),
        first,
        "nothing replaced"
    );

    let path = expect_code(
        &run(isolated(home.path()).args(["ca", "path", "--dir", &dir_arg])),
        0,
    );
    assert_eq!(path.trim(), cert.display().to_string());
    let exported = expect_code(
        &run(isolated(home.path()).args(["ca", "export", "--format", "pem", "--dir", &dir_arg])),
        0,
    );
    assert_eq!(exported, first, "export prints the certificate as stored");
    assert_eq!(exported.matches("BEGIN CERTIFICATE").count(), 1);
    assert!(!exported.contains("PRIVATE"));

    expect_code(
        &run(isolated(home.path()).args(["ca", "init", "--force", "--dir", &dir_arg])),
        0,
    );
    assert_ne!(
        std::fs::read_to_string(&cert).unwrap(),
        first,
        "--force makes a new CA"
    );
    #[cfg(unix)]
    assert_eq!(mode(&key), 0o600);
}

#[test]
fn ca_lives_in_the_config_folder_unless_told_otherwise() {
    let home = tempfile::tempdir().unwrap();
    expect_code(&run(isolated(home.path()).args(["ca", "init"])), 0);
    let expected = home
        .path()
        .join("config/cursor-harness/ca/cursor-harness-ca.pem");
    assert!(expected.is_file());
    let path = expect_code(&run(isolated(home.path()).args(["ca", "path"])), 0);
    assert_eq!(path.trim(), expected.display().to_string());

    let bare = tempfile::tempdir().unwrap();
    let mut command = harness();
    command
        .env("HOME", bare.path())
        .env_remove("XDG_CONFIG_HOME");
    expect_code(&run(command.args(["ca", "init"])), 0);
    assert!(
        bare.path()
            .join(".config/cursor-harness/ca/cursor-harness-ca.pem")
            .is_file()
    );
}

#[test]
fn a_missing_ca_says_how_to_create_it() {
    let home = tempfile::tempdir().unwrap();
    let empty = home.path().join("none").display().to_string();
    for args in [
        vec!["ca", "path", "--dir", &empty],
        vec!["ca", "export", "--dir", &empty],
        vec![
            "record",
            "--forward",
            "--ca-dir",
            &empty,
            "--listen",
            "127.0.0.1:0",
        ],
    ] {
        let output = run(isolated(home.path()).args(&args));
        expect_code(&output, 2);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("cursor-harness ca init --dir {empty}")),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn record_forward_refuses_unsafe_or_unusable_settings_with_the_fix() {
    let home = tempfile::tempdir().unwrap();
    let ca = home.path().join("ca").display().to_string();
    expect_code(
        &run(isolated(home.path()).args(["ca", "init", "--dir", &ca])),
        0,
    );
    let cases: [(&[&str], &str); 4] = [
        (&["--listen", "0.0.0.0:0"], "--proxy-auth-env"),
        (
            &["--proxy-auth-env", "CURSOR_HARNESS_TEST_UNSET"],
            "is not set",
        ),
        (&["--intercept", "https://api.openai.com"], "--intercept"),
        (&["--path-token", "x"], "cannot be used with"),
    ];
    for (extra, says) in cases {
        let mut command = isolated(home.path());
        command
            .args(["record", "--forward", "--ca-dir", &ca])
            .args(extra)
            .env_remove("CURSOR_HARNESS_TEST_UNSET");
        if !extra.contains(&"--listen") {
            command.args(["--listen", "127.0.0.1:0"]);
        }
        let output = run(&mut command);
        expect_code(&output, 2);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{extra:?}: {stderr}");
    }
}

#[test]
fn record_forward_runs_as_a_process_and_records_what_curl_sends() {
    if !crate::support::have_curl() {
        return;
    }
    let runtime = crate::support::runtime();
    let events = crate::support::upstream::chat_events("process-model", &["hi"]);
    let upstream = runtime.block_on(crate::support::tls_upstream::TlsUpstream::sse(
        events.clone(),
        Duration::ZERO,
    ));
    let home = tempfile::tempdir().unwrap();
    let ca = home.path().join("ca");
    let captures = home.path().join("captures");
    expect_code(
        &run(isolated(home.path()).args(["ca", "init", "--dir", &ca.display().to_string()])),
        0,
    );
    let mut child = isolated(home.path())
        .args([
            "record",
            "--forward",
            "--listen",
            "127.0.0.1:0",
            "--session",
            "proc",
        ])
        .arg("--ca-dir")
        .arg(&ca)
        .arg("--captures")
        .arg(&captures)
        .arg("--insecure-upstream")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines_tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = lines_tx.send(line);
        }
    });
    let mut printed = Vec::new();
    let proxy = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("no banner: {printed:?}"));
        printed.push(line.clone());
        if let Some(rest) = line.split("proxy on http://").nth(1) {
            break rest.split(' ').next().unwrap().to_owned();
        }
    };
    let output = crate::support::curl()
        .arg("--proxy")
        .arg(format!("http://{proxy}"))
        .arg("--cacert")
        .arg(ca.join("cursor-harness-ca.pem"))
        .args(["-H", "content-type: application/json", "--data-binary"])
        .arg(r#"{"model":"process-model","messages":[{"role":"user","content":"hi"}],"stream":true}"#)
        .arg(upstream.url("localhost", "/v1/chat/completions"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", describe(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout), events.concat());
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let finished = child.wait_with_output().unwrap();
    let rest: Vec<String> = lines.iter().collect();
    let stderr = String::from_utf8_lossy(&finished.stderr);
    assert_eq!(
        finished.status.code(),
        Some(0),
        "{stderr}\n{printed:?}\n{rest:?}"
    );
    assert!(
        stderr.contains("WARNING: --insecure-upstream"),
        "the insecure flag is announced on every start: {stderr}"
    );
    assert!(
        rest.iter().any(|l| l.contains("1 capture(s) written")),
        "{rest:?}"
    );
    let files = crate::support::recorder::capture_files(&captures.join("proc/process-model"));
    assert_eq!(files.len(), 1, "{rest:?}");
    drop(upstream);
}
