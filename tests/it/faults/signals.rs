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
