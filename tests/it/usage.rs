//! The rough edges of a first day: flags that mean something in one mode only are refused in
//! the others (exit 2), hints name the real cause and the fix, `--listen` takes host names, and
//! the CA folder can come from `CURSOR_HARNESS_CA_DIR`.

use std::io::BufRead as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{self, describe, expect_code, harness, run};

/// The binary with HOME and XDG_CONFIG_HOME inside `home` and no CA folder from outside.
fn isolated(home: &Path) -> Command {
    let mut command = harness();
    command
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env_remove("CURSOR_HARNESS_CA_DIR");
    command
}

#[test]
fn forward_only_flags_are_refused_outside_forward_mode() {
    let home = tempfile::tempdir().unwrap();
    let pem = support::write(home.path(), "ca.pem", "not used");
    let pem = pem.to_str().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["--intercept", "api.openai.com"], "--intercept"),
        (&["--ca-dir", "/nowhere"], "--ca-dir"),
        (&["--proxy-auth-env", "PROXY_AUTH"], "--proxy-auth-env"),
        (&["--allow-open-proxy"], "--allow-open-proxy"),
        (
            &["--intercept", "x", "--allow-open-proxy"],
            "--intercept, --allow-open-proxy",
        ),
    ];
    for mode in [
        &["--stub"][..],
        &["--upstream", "http://127.0.0.1:9/v1"][..],
    ] {
        for (extra, named) in cases {
            let output = run(isolated(home.path())
                .arg("record")
                .args(mode)
                .args(extra)
                .args(["--listen", "127.0.0.1:0"])
                .arg("--captures")
                .arg(home.path().join("captures")));
            assert_eq!(
                output.status.code(),
                Some(2),
                "{mode:?} {extra:?}: {}",
                describe(&output)
            );
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                stderr.contains(named) && stderr.contains("only work(s) with --forward"),
                "{stderr}"
            );
            assert!(
                !String::from_utf8_lossy(&output.stdout).contains("listening on"),
                "refused before it started"
            );
        }
    }
    let output = run(isolated(home.path()).args([
        "record",
        "--stub",
        "--upstream-ca",
        pem,
        "--listen",
        "127.0.0.1:0",
    ]));
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--upstream-ca") && stderr.contains("--stub"),
        "{stderr}"
    );
}

/// Read a child's stdout lines until one satisfies `done` (at most 20 s), then stop it.
fn lines_until(mut command: Command, done: impl Fn(&str) -> bool) -> Vec<String> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    while let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        let finished = done(&line);
        seen.push(line);
        if finished {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    seen
}

#[test]
fn the_ca_folder_comes_from_the_flag_the_environment_or_the_config_folder() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("team ca");
    let dir_arg = dir.display().to_string();
    let out = expect_code(
        &run(isolated(home.path()).args(["ca", "init", "--dir", &dir_arg])),
        0,
    );
    // The next step names the folder, quoted for the shell, since record would not find it.
    assert!(
        out.contains(&format!("record --forward --ca-dir '{dir_arg}'")),
        "{out}"
    );
    let cert = dir.join("cursor-harness-ca.pem");
    let path = expect_code(
        &run(isolated(home.path())
            .args(["ca", "path"])
            .env("CURSOR_HARNESS_CA_DIR", &dir)),
        0,
    );
    assert_eq!(path.trim(), cert.display().to_string());
    // A missing folder from the environment is named, with the command that creates it.
    let missing = home.path().join("missing");
    let output = run(isolated(home.path())
        .args(["record", "--forward", "--listen", "127.0.0.1:0"])
        .env("CURSOR_HARNESS_CA_DIR", &missing));
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&missing.display().to_string()), "{stderr}");
    // The folder from the environment is the one the proxy uses.
    let mut command = isolated(home.path());
    command
        .args(["record", "--forward", "--listen", "127.0.0.1:0"])
        .arg("--captures")
        .arg(home.path().join("captures"))
        .env("CURSOR_HARNESS_CA_DIR", &dir);
    let lines = lines_until(command, |line| line.trim_start().starts_with("CA "));
    let ca_line = lines
        .iter()
        .find(|l| l.trim_start().starts_with("CA "))
        .unwrap_or_else(|| panic!("no CA line: {lines:?}"));
    assert!(ca_line.contains(&cert.display().to_string()), "{ca_line}");
    // `ca init` with the environment set says record finds it there.
    let other = home.path().join("env-ca");
    let out = expect_code(
        &run(isolated(home.path())
            .args(["ca", "init"])
            .env("CURSOR_HARNESS_CA_DIR", &other)),
        0,
    );
    assert!(other.join("cursor-harness-ca.pem").is_file());
    assert!(out.contains("CURSOR_HARNESS_CA_DIR"), "{out}");
}

#[test]
fn an_unwritable_captures_folder_is_refused_before_the_banner_and_said_once() {
    let dir = tempfile::tempdir().unwrap();
    // A folder under a file cannot be made, whoever runs the test (root ignores modes).
    let file = support::write(dir.path(), "a-file", "x");
    let captures = file.join("captures");
    let output = run(harness()
        .args(["record", "--stub", "--listen", "127.0.0.1:0", "--captures"])
        .arg(&captures));
    assert_eq!(output.status.code(), Some(3), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("listening on"), "no banner: {stdout}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "cannot write captures under {}",
            captures.display()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("--captures DIR"), "{stderr}");
    let first = stderr.lines().next().unwrap();
    let reason = first.rsplit(": ").next().unwrap();
    assert_eq!(first.matches(reason).count(), 1, "said twice: {first}");
}

#[test]
fn a_missing_capture_path_in_a_scenario_gets_a_hint_about_where_paths_start() {
    let dir = tempfile::tempdir().unwrap();
    support::write(
        dir.path(),
        "s.toml",
        "name = \"x\"\ncaptures = [\"captures/not-here\"]\n\n[[expect]]\nname = \"e\"\nmodel = \"*\"\nstatus = 200\n",
    );
    let output = run(harness().args(["run", "s.toml"]).current_dir(dir.path()));
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("captures/not-here"), "{stderr}");
    assert!(
        stderr.contains("relative to the folder cursor-harness runs in"),
        "{stderr}"
    );
    assert!(!stderr.contains("scenario format"), "{stderr}");
}

#[test]
fn listen_takes_host_names() {
    let mut gateway =
        crate::support::process::Server::start(&["gateway", "--listen", "localhost:0"]);
    assert!(gateway.addr.ip().is_loopback(), "{}", gateway.addr);
    let models = run(crate::support::curl().arg(gateway.url("/v1/models")));
    assert!(String::from_utf8_lossy(&models.stdout).contains("\"object\":\"list\""));
    gateway.stop();
    let dir = tempfile::tempdir().unwrap();
    let mut recorder = crate::support::process::Server::start(&[
        "record",
        "--stub",
        "--allow-no-token",
        "--listen",
        "localhost:0",
        "--captures",
        dir.path().to_str().unwrap(),
    ]);
    assert!(recorder.addr.ip().is_loopback());
    recorder.stop();
    let output = run(harness().args(["gateway", "--listen", "localhost"]));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("has no port"));
}

#[test]
fn an_upstream_that_cannot_be_reached_is_named_at_start() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on a port that was just bound and released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut recorder = crate::support::process::Server::start(&[
        "record",
        "--upstream",
        &format!("http://127.0.0.1:{port}/v1"),
        "--allow-no-token",
        "--listen",
        "127.0.0.1:0",
        "--captures",
        dir.path().to_str().unwrap(),
    ]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !recorder.stderr_text().contains("cannot be reached") {
        assert!(
            Instant::now() < deadline,
            "no warning: {}",
            recorder.stderr_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let stderr = recorder.stderr_text();
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
    assert!(stderr.contains("--upstream"), "{stderr}");
    recorder.stop();

    // A reachable upstream gets no warning.
    let mut gateway =
        crate::support::process::Server::start(&["gateway", "--listen", "127.0.0.1:0"]);
    let mut recorder = crate::support::process::Server::start(&[
        "record",
        "--upstream",
        &gateway.url("/v1"),
        "--allow-no-token",
        "--listen",
        "127.0.0.1:0",
        "--captures",
        dir.path().to_str().unwrap(),
    ]);
    std::thread::sleep(Duration::from_millis(500));
    assert!(!recorder.stderr_text().contains("cannot be reached"));
    recorder.stop();
    gateway.stop();
}
