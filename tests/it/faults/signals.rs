//! SIGINT and SIGTERM while streams are live, on the recorder as a real child process: it
//! stops accepting at once, lets the streams that fit in the grace period finish byte for
//! byte, cuts the one that does not (the client sees the cut, the capture says so), writes
//! every capture whole and exits 0.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use cursor_harness::capture::ErrorKind;

use super::{
    Answer, Outcome, SESSION, assert_answer, assert_clean, assert_exchange, bounded, by_marker,
    call, eventually, recorder_process, upstream,
};
use crate::support::upstream::Script;

const GRACE_SECS: u64 = 3;
const SHORT: usize = 3;

fn events(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| format!("data: {{\"n\":{i}}}\n\n").into_bytes())
        .collect()
}

async fn live_streams_at(signal: &str) {
    // About 1 s for the short streams, 20 s for the long one: only the short ones fit.
    let gap = Duration::from_millis(100);
    let upstream = upstream(move |marker| Script::Sse {
        events: events(if marker == "long" { 200 } else { 10 }),
        gap,
    })
    .await;
    let captures = tempfile::tempdir().unwrap();
    let grace = GRACE_SECS.to_string();
    let mut server = recorder_process(&upstream.url(), captures.path(), &["--grace", &grace]);
    let addr = server.addr;
    let mut markers: Vec<String> = (0..SHORT).map(|i| format!("short-{i}")).collect();
    markers.push("long".to_owned());
    let clients: Vec<_> = markers
        .iter()
        .cloned()
        .map(|marker| tokio::spawn(async move { call(addr, &marker).await }))
        .collect();
    eventually("every stream to be live", || {
        let received = upstream.received().len();
        received == SHORT + 1 && (0..received).all(|i| !upstream.send_times(i).is_empty())
    })
    .await;

    let signalled = Instant::now();
    server.signal(signal);
    eventually("the listener to close", || {
        TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err()
    })
    .await;
    let mut answers = Vec::new();
    for (marker, client) in markers.iter().zip(clients) {
        let got = bounded(Duration::from_secs(20), client).await.unwrap();
        answers.push((marker.clone(), got, signalled.elapsed()));
    }
    let code = tokio::task::block_in_place(|| server.wait(Duration::from_secs(20)));
    let (stdout, stderr) = (server.stdout_text(), server.stderr_text());
    assert_eq!(code, Ok(Some(0)), "{stdout}\n{stderr}");
    let stopped = signalled.elapsed();
    assert!(
        stopped < Duration::from_secs(GRACE_SECS + 5),
        "exited {stopped:?} after the signal"
    );
    assert!(
        stderr.contains("in-flight streams get 3s to finish"),
        "{stderr}"
    );
    let summary = format!("{} capture(s) written", SHORT + 1);
    assert!(
        stdout.contains(&summary) && stdout.contains("· 0 lost ·"),
        "{stdout}"
    );

    let short = events(10).concat();
    let long = events(200).concat();
    let mut found = by_marker(&captures.path().join(SESSION));
    for (marker, got, at) in &answers {
        let captured = found.remove(marker).unwrap_or_default();
        assert_eq!(captured.len(), 1, "exactly one capture for {marker}");
        if marker == "long" {
            assert!(
                *at >= Duration::from_secs(GRACE_SECS) - Duration::from_millis(300),
                "the long stream ran on through the grace period, cut after {at:?}"
            );
            assert_exchange(
                &captured[0],
                marker,
                Some(got),
                Answer::Cut(&long),
                Outcome::Failed(ErrorKind::Other),
            );
            let message = &captured[0].error.as_ref().unwrap().message;
            assert!(message.contains("grace period"), "{message}");
        } else {
            assert_answer(got, &Answer::Whole(&short));
            assert_exchange(
                &captured[0],
                marker,
                Some(got),
                Answer::Whole(&short),
                Outcome::Complete,
            );
        }
    }
    assert_clean(captures.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_during_live_streams() {
    live_streams_at("INT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_live_streams() {
    live_streams_at("TERM").await;
}

/// Standard output goes away mid-session (`record … | head -3`, a closed terminal): the
/// exchange lines stop, the session does not. Every request is still answered and recorded,
/// the recorder says once on standard error why the lines stopped, and a clean stop exits 0.
#[test]
fn standard_output_closed_mid_session() {
    use std::io::{BufRead as _, BufReader, Read as _};
    use std::process::Stdio;

    let captures = tempfile::tempdir().unwrap();
    let mut child = crate::support::harness()
        .args([
            "record",
            "--stub",
            "--allow-no-token",
            "--listen",
            "127.0.0.1:0",
        ])
        .args(["--session", SESSION, "--captures"])
        .arg(captures.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let addr = loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "no listening line"
        );
        if let Some(at) = line.split("listening on http://").nth(1) {
            break at.split_whitespace().next().unwrap().to_owned();
        }
    };
    // Closing our end makes the recorder's next write to standard output fail (EPIPE).
    drop(stdout);
    for n in 0..3 {
        let output = std::process::Command::new("curl")
            .args([
                "-sS",
                "--max-time",
                "10",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
            ])
            .args(["-H", "content-type: application/json", "--data-binary"])
            .arg(format!(
                r#"{{"model":"m-{n}","messages":[{{"role":"user","content":"hi"}}]}}"#
            ))
            .arg(format!("http://{addr}/v1/chat/completions"))
            .output()
            .expect("curl runs");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "200",
            "request {n}"
        );
    }
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(
        stderr.matches("standard output was closed").count(),
        1,
        "{stderr}"
    );
    let written: usize = capture_files(&captures.path().join(SESSION));
    assert_eq!(written, 3, "{stderr}");
}

/// Capture files under a session folder.
fn capture_files(session: &std::path::Path) -> usize {
    crate::support::files_under(session)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json") && !p.ends_with("manifest.json"))
        .count()
}

/// A gateway slow enough to interrupt mid-run: a streamed answer takes a few seconds.
fn slow_gateway() -> crate::support::process::Server {
    crate::support::process::Server::start(&[
        "gateway",
        "--profile",
        "lenient",
        "--listen",
        "127.0.0.1:0",
        "--chunk-delay",
        "300",
    ])
}

/// Wait (at most 60 s) until some `.json` file other than `run.json` is under `dir`.
fn first_capture_in(dir: &std::path::Path) {
    let started = Instant::now();
    while !crate::support::json_files(dir)
        .iter()
        .any(|p| !p.ends_with("run.json"))
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "nothing was replayed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Ctrl-C during `replay --pace asap` on the golden captures: no new request goes out, the
/// request in flight gets the grace period and is cut, and what completed is written:
/// run.json (valid against its schema) marked interrupted with how many were never sent, one
/// capture per request sent, the summary, and exit 130.
#[test]
fn an_interrupted_replay_writes_what_completed_and_exits_130() {
    let mut gateway = slow_gateway();
    let out = tempfile::tempdir().unwrap();
    let child = crate::support::harness()
        .args([
            "replay",
            "--concurrency",
            "1",
            "--grace",
            "1",
            "--run-id",
            "stopped",
        ])
        .args(["--target", &gateway.url("/v1"), "--out"])
        .arg(out.path())
        .arg(crate::support::project_path("captures/golden"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let run_dir = out.path().join("stopped");
    first_capture_in(&run_dir);
    let signalled = Instant::now();
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stopped = signalled.elapsed();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    eprintln!("an interrupted replay prints:\n{stdout}{stderr}");
    assert_eq!(output.status.code(), Some(130), "{stdout}{stderr}");
    assert!(
        stopped < Duration::from_secs(10),
        "stopped {stopped:?} after the signal"
    );
    assert!(stdout.contains("replayed "), "the summary: {stdout}");
    assert!(stderr.contains("never sent"), "{stderr}");
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run_dir.join("run.json")).unwrap()).unwrap();
    let validator = crate::schemas::schema("schemas/run.schema.json");
    let problems = crate::schemas::violations(&validator, &run);
    assert!(problems.is_empty(), "{problems:?}");
    let not_sent = run["interrupted"]["not_sent"]
        .as_u64()
        .expect("marked interrupted");
    assert!(not_sent > 0, "{run}");
    let sent = run["counts"]["replayed"].as_u64().unwrap();
    let entries = run["exchanges"].as_array().unwrap();
    assert_eq!(entries.len() as u64, sent);
    for entry in entries {
        let file = entry["file"]
            .as_str()
            .expect("every sent request has its capture");
        assert!(run_dir.join(file).is_file(), "{file}");
    }
    let captures = crate::support::json_files(&run_dir).len() - 1;
    assert_eq!(captures as u64, sent, "one capture per request sent");
    assert_eq!(gateway.stop(), Some(0));
}

/// Ctrl-C during `run`: the reports are still written, for what completed, marked partial
/// (report.json valid against its schema, report.md says PARTIAL), and the exit code is 130.
#[test]
fn an_interrupted_run_writes_partial_reports_and_exits_130() {
    let mut gateway = slow_gateway();
    let out = tempfile::tempdir().unwrap();
    let child = crate::support::harness()
        .args([
            "run",
            "scenarios/golden.toml",
            "--target",
            &gateway.url("/v1"),
            "--out",
        ])
        .arg(out.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    first_capture_in(&out.path().join("replay/run"));
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.status.code(), Some(130), "{all}");
    assert!(all.contains("PARTIAL"), "{all}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("report.json")).unwrap()).unwrap();
    let validator = crate::schemas::schema("schemas/report.schema.json");
    let problems = crate::schemas::violations(&validator, &report);
    assert!(problems.is_empty(), "{problems:?}");
    assert!(
        report["partial"]["not_replayed"].is_u64(),
        "marked partial: {}",
        report["partial"]
    );
    let markdown = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    assert!(markdown.contains("**PARTIAL**"), "{markdown}");
    assert_eq!(gateway.stop(), Some(0));
}
