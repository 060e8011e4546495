//! Memory under the global capture budget: peak and settled resident memory of each proxy
//! through 32 concurrent 2 MB requests, and of `record` through six endless streams (the fault
//! suite's test, measured here at the test's budget and at the default one).
//!
//! "Settled" is VmRSS once every capture is written and the recorder has been idle for two
//! seconds (it hands freed memory back to the system when idle after a burst).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::*;
use crate::endless::{endless_upstream, read_stream};

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

/// Wait (at most two minutes) until `want` captures are in place under `dir`.
fn wait_for_captures(dir: &Path, want: usize) {
    let started = Instant::now();
    while super::anchor::capture_sizes(dir).len() < want
        && started.elapsed() < Duration::from_secs(120)
    {
        std::thread::sleep(Duration::from_millis(50));
    }
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
            wait_for_captures(dir.path(), 32);
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

/// Six endless streams at once through `record`, each client reading 64 MB before it hangs
/// up, under a 16 MB budget and under the default one. The peak is the kernel's high-water
/// mark (VmHWM), which no sampling of VmRSS could exceed.
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
        let carried: usize = runtime.block_on(async {
            let clients: Vec<_> = (0..STREAMS)
                .map(|i| tokio::spawn(read_stream(addr, format!("endless-{i}"), PER_CLIENT)))
                .collect();
            let mut carried = 0;
            for client in clients {
                carried += client.await.unwrap();
            }
            carried
        });
        let streamed = started.elapsed();
        wait_for_captures(dir.path(), STREAMS);
        std::thread::sleep(Duration::from_secs(2));
        let peak = status_mb(pid, "VmHWM");
        let settled = status_mb(pid, "VmRSS");
        let kept: u64 = super::anchor::capture_sizes(dir.path()).iter().sum();
        let budget_mb =
            budget.unwrap_or(cursor_harness::capture::budget::DEFAULT_CAPTURE_MEMORY >> 20);
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
