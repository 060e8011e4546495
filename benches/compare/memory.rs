//! Memory under the global capture budget: peak and settled resident memory of each proxy
//! through 32 concurrent 2 MB requests, and of `record` through six endless streams (the fault
//! suite's test, measured here at the test's budget and at the default one).
//!
//! "Settled" is VmRSS once every capture is written and the recorder has been idle for two
//! seconds (it hands freed memory back to the system when idle after a burst).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use crate::common::*;

/// A field of `/proc/<pid>/status` in MB (`VmRSS` now, `VmHWM` the peak so far).
fn status_mb(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Captures in place under `dir` (any depth), not counting the manifest or temp files.
fn captures_in(dir: &Path) -> usize {
    let mut seen = std::collections::HashSet::new();
    super::anchor::new_capture_sizes(dir, &mut seen).len()
}

/// Wait (at most two minutes) until `want` captures are in place under `dir`, sampling `pid`'s
/// RSS meanwhile; the highest sample.
fn wait_for_captures(dir: &Path, want: usize, pid: u32) -> f64 {
    let started = Instant::now();
    let mut peak: f64 = 0.0;
    while captures_in(dir) < want && started.elapsed() < Duration::from_secs(120) {
        peak = peak.max(status_mb(pid, "VmRSS"));
        std::thread::sleep(Duration::from_millis(50));
    }
    peak
}

pub fn large_requests(upstream: &Upstream, runtime: &tokio::runtime::Runtime) -> Value {
    println!("\n== memory: 32 concurrent 2 MB requests");
    let body = bytes::Bytes::from(serde_json::to_vec(&json!({"model": "plainmodel-x", "messages": [{"role": "user", "content": "y".repeat(2 * 1024 * 1024)}]})).unwrap());
    let list = super::targets(upstream, false);
    let mut rows = BTreeMap::new();
    for (name, child, port, dir) in &list {
        let Some(child) = child else { continue };
        let pid = child.id();
        let start = status_mb(pid, "VmRSS");
        let addr: SocketAddr = ([127, 0, 0, 1], *port).into();
        runtime.block_on(async {
            let tasks: Vec<_> = (0..32)
                .map(|_| tokio::spawn(super::post(addr, body.clone())))
                .collect();
            for task in tasks {
                assert_eq!(task.await.unwrap(), 200);
            }
        });
        if name == "record" {
            wait_for_captures(dir.path(), 32, pid);
        }
        std::thread::sleep(Duration::from_secs(2));
        let peak = status_mb(pid, "VmHWM");
        let settled = status_mb(pid, "VmRSS");
        println!(
            "  {name:<16} peak RSS {peak:>7.1} MB, settled {settled:>7.1} MB (at start {start:.1} MB)"
        );
        rows.insert(
            name.clone(),
            json!({"peak_rss_mb": peak, "settled_rss_mb": settled, "start_rss_mb": start}),
        );
    }
    super::stop(list);
    json!(rows)
}

/// Six endless streams at once through `record`, each client reading `per_client` bytes before
/// it hangs up, under the budget `budget_mb` (`None`: the default).
pub fn endless_streams(runtime: &tokio::runtime::Runtime) -> Value {
    const STREAMS: usize = 6;
    const PER_CLIENT: usize = 64 * 1024 * 1024;
    println!(
        "\n== memory: {STREAMS} endless streams through record, {} MB read by each client",
        PER_CLIENT >> 20
    );
    let (upstream, stop_upstream) = runtime.block_on(endless_upstream());
    let mut rows = BTreeMap::new();
    for (label, budget) in [("budget-16MB", Some(16usize)), ("budget-default", None)] {
        let dir = tempfile::tempdir().unwrap();
        let budget_arg = budget.map(|mb| (mb * 1024 * 1024).to_string());
        let extra: Vec<&str> = match &budget_arg {
            Some(bytes) => vec!["--max-capture-memory", bytes],
            None => vec![],
        };
        let (child, port) =
            start_recorder_with(&format!("http://{upstream}/v1"), dir.path(), &extra);
        let pid = child.id();
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        std::thread::sleep(Duration::from_millis(300));
        let start = status_mb(pid, "VmRSS");
        let started = Instant::now();
        let sampling = Arc::new(AtomicBool::new(true));
        let sampler = {
            let sampling = sampling.clone();
            std::thread::spawn(move || {
                let mut peak: f64 = 0.0;
                while sampling.load(Ordering::Relaxed) {
                    peak = peak.max(status_mb(pid, "VmRSS"));
                    std::thread::sleep(Duration::from_millis(20));
                }
                peak
            })
        };
        let carried: usize = runtime.block_on(async {
            let clients: Vec<_> = (0..STREAMS)
                .map(|i| tokio::spawn(read_stream(addr, i, PER_CLIENT)))
                .collect();
            let mut carried = 0;
            for client in clients {
                carried += client.await.unwrap();
            }
            carried
        });
        let streamed = started.elapsed();
        let written_peak = wait_for_captures(dir.path(), STREAMS, pid);
        sampling.store(false, Ordering::Relaxed);
        let sampled_peak = sampler.join().unwrap().max(written_peak);
        std::thread::sleep(Duration::from_secs(2));
        let peak = status_mb(pid, "VmHWM").max(sampled_peak);
        let settled = status_mb(pid, "VmRSS");
        let kept: u64 = {
            let mut seen = std::collections::HashSet::new();
            super::anchor::new_capture_sizes(dir.path(), &mut seen)
                .iter()
                .sum()
        };
        let budget_mb = budget.map_or(
            cursor_harness::capture::budget::DEFAULT_CAPTURE_MEMORY >> 20,
            |mb| mb,
        );
        println!(
            "  {label:<16} budget {budget_mb} MB: {} MB carried in {streamed:.1?}; RSS start {start:.1} MB, peak {peak:.1} MB, settled {settled:.1} MB; captures {:.1} MB on disk",
            carried >> 20,
            kept as f64 / 1_048_576.0
        );
        rows.insert(
            label,
            json!({"budget_mb": budget_mb, "streams": STREAMS, "carried_mb": carried >> 20,
                   "start_rss_mb": start, "peak_rss_mb": peak, "settled_rss_mb": settled,
                   "captures_mb": kept as f64 / 1_048_576.0}),
        );
        interrupt(child);
    }
    stop_upstream.store(true, Ordering::Relaxed);
    json!(rows)
}

/// An upstream whose every answer is an event stream that never ends: 8 events of 520 bytes
/// per write, as fast as the reader takes them, until the reader goes away.
async fn endless_upstream() -> (SocketAddr, Arc<AtomicBool>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let stopped = stopped.clone();
            tokio::spawn(async move { stream_forever(stream, &stopped).await });
        }
    });
    (addr, stop)
}

async fn stream_forever(mut stream: TcpStream, stop: &AtomicBool) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.unwrap_or(0) == 0 {
            return;
        }
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let length: usize = text
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    if stream.read_exact(&mut body).await.is_err() {
        return;
    }
    let event = format!(
        "data: {{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{}\"}},\"finish_reason\":null}}]}}\n\n",
        "x".repeat(400)
    );
    let chunk = format!("{:x}\r\n{event}\r\n", event.len()).repeat(8);
    let head =
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
    if stream.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    while !stop.load(Ordering::Relaxed) {
        if stream.write_all(chunk.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Read `want` bytes of a streamed answer as fast as they come, then hang up.
async fn read_stream(addr: SocketAddr, i: usize, want: usize) -> usize {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let body = format!(
        r#"{{"model":"m","messages":[{{"role":"user","content":"endless {i}"}}],"stream":true}}"#
    );
    let head = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut got = 0;
    while got < want {
        let n = stream.read(&mut buffer).await.unwrap();
        assert!(n > 0, "stream {i} ended after {got} bytes");
        got += n;
    }
    got
}
