//! The soak run (ignored by default; a few seconds in release, minutes in debug):
//!
//! ```sh
//! cargo test --release --test it soak -- --ignored --nocapture
//! ```
//!
//! 10,000 exchanges (or `SOAK_EXCHANGES`), streamed and non-streamed alternately, each with a
//! 2 KB prompt, through the recorder as a real child process limited to 1,024 open files (with
//! `prlimit`), 32 at a time over pooled keep-alive connections (as Cursor's servers call a
//! gateway). Afterwards the captures on disk must equal the exchanges sent, one per exchange,
//! every one valid against the capture schema and listed by the manifest, and the recorder's
//! peak RSS during the last thousand must be within 10% of its peak during the first thousand
//! (VmHWM, reset after each thousand). It prints the numbers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::sync::Mutex;

use crate::faults::{SESSION, assert_clean, by_marker, recorder_process_with};
use crate::support::upstream::{Script, TestUpstream, chat_events};

/// How many exchanges: 10,000, or `SOAK_EXCHANGES` (a multiple of 1,000) for a longer run.
fn exchanges() -> usize {
    std::env::var("SOAK_EXCHANGES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}
const CONCURRENCY: usize = 32;

/// (exchanges done, VmHWM kB, VmRSS kB) of process `pid`, then the peak is reset (Linux 4.0+),
/// so each sample's VmHWM is the peak since the previous sample: the peak of that thousand.
fn memory(pid: u32, done: usize) -> (usize, u64, u64) {
    let sample = read_memory(pid, done);
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").unwrap();
    sample
}

fn read_memory(pid: u32, done: usize) -> (usize, u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kb| kb.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in /proc/{pid}/status"))
    };
    (done, field("VmHWM:"), field("VmRSS:"))
}

fn streamed(marker: &str) -> bool {
    marker.starts_with('s')
}

fn completion(marker: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "id": format!("chatcmpl-{marker}"), "object": "chat.completion", "created": 1_767_225_600u64,
        "model": "soak-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": format!("answer {marker}")}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    }))
    .unwrap()
}

fn stream(marker: &str) -> Vec<Vec<u8>> {
    chat_events(
        "soak-model",
        &["Hello", " from", " ", marker, " — ", "done"],
    )
    .into_iter()
    .map(String::into_bytes)
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "soak run: cargo test --release --test it soak -- --ignored --nocapture"]
async fn soak_10000_exchanges_at_concurrency_32() {
    let upstream = TestUpstream::start(|request| {
        let marker = request.query("fault").unwrap_or_default();
        if streamed(marker) {
            Script::Sse {
                events: stream(marker),
                gap: Duration::from_millis(1),
            }
        } else {
            Script::Json {
                status: 200,
                body: completion(marker),
            }
        }
    })
    .await;
    let captures = tempfile::tempdir().unwrap();
    // A machine as constrained as they come by default: 1,024 open files, soft and hard.
    let command = if std::process::Command::new("prlimit")
        .arg("--version")
        .output()
        .is_ok()
    {
        crate::support::harness_via(&["prlimit", "--nofile=1024:1024", "--"])
    } else {
        crate::support::harness()
    };
    let mut server = recorder_process_with(command, &upstream.url(), captures.path(), &[]);
    let pid = server.pid();
    let base = server.url("/v1/chat/completions");
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let samples = Arc::new(Mutex::new(vec![memory(pid, 0)]));
    // A long prompt, as Cursor sends: the recorder redacts and checks every byte of it.
    let context = "fn main() { println!(\"hello\"); }\n".repeat(64);
    let total = exchanges();
    let started = Instant::now();
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (client, base, context) = (client.clone(), base.clone(), context.clone());
            let (next, done) = (next.clone(), done.clone());
            let (errors, samples) = (errors.clone(), samples.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        return;
                    }
                    let marker = format!("{}{i}", if i % 2 == 0 { 's' } else { 'j' });
                    if let Err(why) = exchange(&client, &base, &marker, &context).await {
                        errors.lock().await.push(format!("{marker}: {why}"));
                    }
                    let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if finished % 1000 == 0 {
                        samples.lock().await.push(memory(pid, finished));
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    let elapsed = started.elapsed();
    drop(client);
    let stopping = Instant::now();
    server.signal("TERM");
    let code = tokio::task::block_in_place(|| server.wait(Duration::from_secs(60)));
    eprintln!(
        "soak: the recorder stopped {:.2?} after SIGTERM",
        stopping.elapsed()
    );
    eprintln!("soak: recorder stderr:\n{}", server.stderr_text());
    let stdout = server.stdout_text();
    let summary = stdout
        .lines()
        .find(|l| l.starts_with("stopped:"))
        .unwrap_or("");
    let session = captures.path().join(SESSION);
    let found = by_marker(&session);
    let captured: usize = found.values().map(Vec::len).sum();
    let samples = samples.lock().await.clone();
    let errors = errors.lock().await.clone();
    let (first, last) = (samples[1], samples[samples.len() - 1]);
    eprintln!(
        "soak: {total} exchanges sent at concurrency {CONCURRENCY} in {elapsed:.2?} ({:.0}/s)",
        total as f64 / elapsed.as_secs_f64()
    );
    eprintln!(
        "soak: {captured} captured; {} errors; recorder exit {code:?}; {summary}",
        errors.len()
    );
    for (n, hwm, rss) in &samples {
        eprintln!("soak: up to {n:>5}: peak {hwm} kB, then {rss} kB");
    }
    eprintln!(
        "soak: peak RSS in the first thousand {} kB, in the last thousand {} kB ({:+.1}%)",
        first.1,
        last.1,
        (last.1 as f64 / first.1 as f64 - 1.0) * 100.0
    );
    assert!(
        errors.is_empty(),
        "{} errors, first: {:?}",
        errors.len(),
        errors.first()
    );
    assert_eq!(code, Ok(Some(0)), "{}", server.stderr_text());
    assert_eq!(captured, total, "captures on disk = exchanges sent");
    assert_eq!(found.len(), total, "one capture per exchange");
    assert!(found.values().all(|c| c.len() == 1 && c[0].error.is_none()));
    assert_eq!(samples.len(), total / 1000 + 1);
    assert!(
        last.1 as f64 <= first.1 as f64 * 1.10,
        "peak RSS grew more than 10%: {} kB in the first thousand, {} kB in the last",
        first.1,
        last.1
    );
    let validated = Instant::now();
    assert_clean(captures.path());
    eprintln!(
        "soak: every capture matches the schema and the manifest ({:.2?})",
        validated.elapsed()
    );
}

/// One exchange; `Err` says what was wrong with the answer.
async fn exchange(
    client: &Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    base: &str,
    marker: &str,
    context: &str,
) -> Result<(), String> {
    let is_stream = streamed(marker);
    let body = serde_json::json!({
        "model": "soak-model", "stream": is_stream,
        "messages": [{"role": "system", "content": context}, {"role": "user", "content": format!("soak {marker}")}],
    });
    let request = http::Request::post(format!("{base}?fault={marker}"))
        .header("content-type", "application/json")
        .header("authorization", "Bearer soak-key-not-secret")
        .body(Full::new(Bytes::from(serde_json::to_vec(&body).unwrap())))
        .unwrap();
    let response = tokio::time::timeout(Duration::from_secs(30), client.request(request))
        .await
        .map_err(|_| "no answer within 30 s".to_owned())?
        .map_err(|err| err.to_string())?;
    let status = response.status();
    let got = response
        .into_body()
        .collect()
        .await
        .map_err(|err| err.to_string())?
        .to_bytes();
    let expected = if is_stream {
        stream(marker).concat()
    } else {
        completion(marker)
    };
    if status != 200 || got != expected {
        return Err(format!(
            "status {status}, {} bytes unlike the upstream's",
            got.len()
        ));
    }
    Ok(())
}
