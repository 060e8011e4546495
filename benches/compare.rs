//! Whole-process comparisons on loopback, side by side in one run: a client direct to a local
//! upstream, through `cursor-harness record` (recording every exchange), and through mitmdump
//! (mitmproxy's reverse mode, default options and with streaming on) when it is installed.
//!
//! Sections (all by default; pick with `--only stream,load,memory`):
//! - `stream`: 200 SSE chunks 5 ms apart; added TTFB/TTFT, coalesced chunks, total duration.
//! - `load`: 64 connections of small and of 100 KB requests with oha; req/s and p50/p99.
//! - `memory`: 32 concurrent 2 MB requests; peak RSS of each proxy.
//!
//! Run: `cargo bench --bench compare [-- --only SECTIONS --runs N --seconds S --json FILE]`.
//! `bench/run.sh` installs oha and mitmproxy when missing and runs every benchmark.

mod common;

#[path = "../tests/it/support/tls_upstream.rs"]
#[allow(dead_code)]
mod tls_upstream;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use common::*;
use serde_json::{Value, json};

struct Options {
    only: Vec<String>,
    runs: usize,
    seconds: u64,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let options = Options {
        only: flag("--only")
            .map(|s| s.split(',').map(str::to_owned).collect())
            .unwrap_or_default(),
        runs: flag("--runs").and_then(|v| v.parse().ok()).unwrap_or(5),
        seconds: flag("--seconds").and_then(|v| v.parse().ok()).unwrap_or(5),
    };
    let wants =
        |section: &str| options.only.is_empty() || options.only.iter().any(|s| s == section);
    let upstream = Upstream::start();
    let mut results = BTreeMap::new();
    if wants("stream") {
        results.insert("stream", stream_section(&upstream, &options));
    }
    if wants("load") {
        results.insert("load", load_section(&upstream, &options));
    }
    if wants("memory") {
        results.insert("memory", memory_section(&upstream));
    }
    if let Some(path) = flag("--json") {
        let document = json!({"bench": "compare", "machine": machine(), "results": results});
        cursor_harness::fsio::write_json_atomically(Path::new(&path), &document).unwrap();
        println!("wrote {path}");
    }
}

/// The proxies under test, started fresh for a section; `None` port means direct.
fn targets(
    upstream: &Upstream,
    mitm_stream_variant: bool,
) -> Vec<(String, Option<std::process::Child>, u16, tempfile::TempDir)> {
    let mut list = Vec::new();
    list.push((
        "direct".to_owned(),
        None,
        upstream.addr.port(),
        tempfile::tempdir().unwrap(),
    ));
    let dir = tempfile::tempdir().unwrap();
    let (child, port) = start_recorder(&upstream.base(), dir.path());
    list.push(("record".to_owned(), Some(child), port, dir));
    match mitmdump() {
        Some(mitm) => {
            let (child, port) = start_mitmdump(&mitm, upstream.addr, false);
            list.push((
                "mitmdump".to_owned(),
                Some(child),
                port,
                tempfile::tempdir().unwrap(),
            ));
            if mitm_stream_variant {
                let (child, port) = start_mitmdump(&mitm, upstream.addr, true);
                list.push((
                    "mitmdump-stream".to_owned(),
                    Some(child),
                    port,
                    tempfile::tempdir().unwrap(),
                ));
            }
        }
        None => println!(
            "  (mitmdump not installed: run bench/run.sh, or pip install mitmproxy into bench/.venv; skipping it)"
        ),
    }
    list
}

fn stop(list: Vec<(String, Option<std::process::Child>, u16, tempfile::TempDir)>) {
    for (_, child, _, _dir) in list {
        if let Some(child) = child {
            interrupt(child);
        }
    }
}

fn stream_section(upstream: &Upstream, options: &Options) -> Value {
    println!(
        "\n== streaming fidelity: 200 SSE chunks 5 ms apart, {} runs each",
        options.runs
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let list = targets(upstream, true);
    let mut rows = BTreeMap::new();
    let mut direct: Option<(f64, f64)> = None;
    for (name, _, port, _) in &list {
        let addr: SocketAddr = ([127, 0, 0, 1], *port).into();
        // One warm-up request opens connections and pages in code.
        runtime.block_on(probe_stream(addr, "/v1/chat/completions", 20, 0));
        let probes: Vec<StreamProbe> = (0..options.runs)
            .map(|_| runtime.block_on(probe_stream(addr, "/v1/chat/completions", 200, 5)))
            .collect();
        let mut ttfb: Vec<f64> = probes.iter().map(|p| ms(p.ttfb)).collect();
        let mut ttft: Vec<f64> = probes.iter().map(|p| ms(p.ttft)).collect();
        let mut total: Vec<f64> = probes.iter().map(|p| ms(p.total)).collect();
        let coalesced: usize = probes.iter().map(|p| p.coalesced).max().unwrap_or(0);
        let events = probes[0].events;
        let (ttfb_med, ttfb_min, ttfb_max) = stats(&mut ttfb);
        let (ttft_med, ..) = stats(&mut ttft);
        let (total_med, ..) = stats(&mut total);
        let (added_ttfb, added_ttft) = match direct {
            None => {
                direct = Some((ttfb_med, ttft_med));
                (0.0, 0.0)
            }
            Some((d_ttfb, d_ttft)) => (ttfb_med - d_ttfb, ttft_med - d_ttft),
        };
        println!(
            "  {name:<16} ttfb {ttfb_med:>7.3} ms (min {ttfb_min:.3}, max {ttfb_max:.3}) added {added_ttfb:>+7.3} ms | ttft {ttft_med:>7.3} ms added {added_ttft:>+7.3} ms | events {events} coalesced {coalesced} | total {total_med:>7.1} ms"
        );
        rows.insert(
            name.clone(),
            json!({"ttfb_ms": ttfb_med, "ttfb_min_ms": ttfb_min, "ttfb_max_ms": ttfb_max, "added_ttfb_ms": added_ttfb,
                   "ttft_ms": ttft_med, "added_ttft_ms": added_ttft, "events": events, "max_coalesced": coalesced, "total_ms": total_med}),
        );
    }
    stop(list);
    forward_probes(&runtime, options, &mut rows);
    json!(rows)
}

/// Forward mode over TLS: a TLS upstream with its own CA, reached directly and through
/// `record --forward` (CONNECT, then TLS terminated by the recorder's CA).
fn forward_probes(
    runtime: &tokio::runtime::Runtime,
    options: &Options,
    rows: &mut BTreeMap<String, Value>,
) {
    let events: Vec<String> = (0..200)
        .map(|i| String::from_utf8(event(i, 200).to_vec()).unwrap())
        .collect();
    let upstream = runtime.block_on(tls_upstream::TlsUpstream::sse(
        events,
        Duration::from_millis(5),
    ));
    let ca_dir = tempfile::tempdir().unwrap();
    let captures = tempfile::tempdir().unwrap();
    let (child, port) = start_forward_recorder(ca_dir.path(), &upstream.ca_pem, captures.path());
    let proxy: SocketAddr = ([127, 0, 0, 1], port).into();
    let harness_ca = ca_dir.path().join(cursor_harness::tls::ca::CERT_FILE);
    let mut direct = None;
    for (name, via, ca) in [
        ("direct-tls", None, upstream.ca_pem.clone()),
        ("record-forward-tls", Some(proxy), harness_ca),
    ] {
        runtime.block_on(probe_stream_tls(via, upstream.addr, &ca));
        let probes: Vec<StreamProbe> = (0..options.runs)
            .map(|_| runtime.block_on(probe_stream_tls(via, upstream.addr, &ca)))
            .collect();
        let (ttfb, ttfb_min, ttfb_max) =
            stats(&mut probes.iter().map(|p| ms(p.ttfb)).collect::<Vec<_>>());
        let (ttft, ..) = stats(&mut probes.iter().map(|p| ms(p.ttft)).collect::<Vec<_>>());
        let (total, ..) = stats(&mut probes.iter().map(|p| ms(p.total)).collect::<Vec<_>>());
        let coalesced = probes.iter().map(|p| p.coalesced).max().unwrap_or(0);
        let (added_ttfb, added_ttft) = match direct {
            None => {
                direct = Some((ttfb, ttft));
                (0.0, 0.0)
            }
            Some((d_ttfb, d_ttft)) => (ttfb - d_ttfb, ttft - d_ttft),
        };
        println!(
            "  {name:<18} ttfb {ttfb:>7.3} ms (min {ttfb_min:.3}, max {ttfb_max:.3}) added {added_ttfb:>+7.3} ms | ttft {ttft:>7.3} ms added {added_ttft:>+7.3} ms | events {} coalesced {coalesced} | total {total:>7.1} ms",
            probes[0].events
        );
        rows.insert(
            name.to_owned(),
            json!({"ttfb_ms": ttfb, "ttfb_min_ms": ttfb_min, "ttfb_max_ms": ttfb_max, "added_ttfb_ms": added_ttfb,
                   "ttft_ms": ttft, "added_ttft_ms": added_ttft, "events": probes[0].events, "max_coalesced": coalesced, "total_ms": total}),
        );
    }
    interrupt(child);
}

fn load_section(upstream: &Upstream, options: &Options) -> Value {
    let Some(oha) = oha() else {
        println!("\n== load: oha not installed (cargo install oha, or bench/run.sh); skipping");
        return json!({"skipped": "oha not installed"});
    };
    let small = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        small.path(),
        br#"{"model":"plainmodel-x","messages":[{"role":"user","content":"hi"}]}"#,
    )
    .unwrap();
    let large = tempfile::NamedTempFile::new().unwrap();
    let filler = "x".repeat(100 * 1024);
    std::fs::write(
        large.path(),
        serde_json::to_vec(
            &json!({"model": "plainmodel-x", "messages": [{"role": "user", "content": filler}]}),
        )
        .unwrap(),
    )
    .unwrap();
    let mut out = BTreeMap::new();
    for (label, body) in [("small", small.path()), ("100KB", large.path())] {
        println!(
            "\n== load: {label} requests, 64 connections, {} s × 3 repetitions (oha)",
            options.seconds
        );
        let list = targets(upstream, false);
        let mut rows = BTreeMap::new();
        let mut direct_rps = None;
        for (name, _, port, _) in &list {
            let url = format!("http://127.0.0.1:{port}/v1/chat/completions");
            let runs: Vec<Load> = (0..3)
                .filter_map(|_| run_oha(&oha, &url, body, 64, options.seconds))
                .collect();
            if runs.is_empty() {
                println!("  {name:<16} oha failed");
                continue;
            }
            let (rps, rps_min, rps_max) =
                stats(&mut runs.iter().map(|r| r.rps).collect::<Vec<_>>());
            let (p50, ..) = stats(&mut runs.iter().map(|r| r.p50_ms).collect::<Vec<_>>());
            let (p99, ..) = stats(&mut runs.iter().map(|r| r.p99_ms).collect::<Vec<_>>());
            let success = runs.iter().map(|r| r.success).fold(1.0, f64::min);
            let ratio = direct_rps.map_or(1.0, |d: f64| rps / d);
            direct_rps.get_or_insert(rps);
            println!(
                "  {name:<16} {rps:>9.0} req/s (min {rps_min:.0}, max {rps_max:.0}) {:>5.1}% of direct | p50 {p50:>7.2} ms p99 {p99:>7.2} ms | success {:.1}%",
                ratio * 100.0,
                success * 100.0
            );
            rows.insert(name.clone(), json!({"rps": rps, "rps_min": rps_min, "rps_max": rps_max, "of_direct": ratio, "p50_ms": p50, "p99_ms": p99, "success": success}));
        }
        if let (Some(record), Some(mitm)) = (rows.get("record"), rows.get("mitmdump")) {
            let times = record["rps"].as_f64().unwrap() / mitm["rps"].as_f64().unwrap();
            println!("  record / mitmdump = {times:.1}×");
        }
        stop(list);
        out.insert(label, json!(rows));
    }
    json!(out)
}

fn memory_section(upstream: &Upstream) -> Value {
    println!("\n== memory: 32 concurrent 2 MB requests");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let body = bytes::Bytes::from(serde_json::to_vec(&json!({"model": "plainmodel-x", "messages": [{"role": "user", "content": "y".repeat(2 * 1024 * 1024)}]})).unwrap());
    let list = targets(upstream, false);
    let mut rows = BTreeMap::new();
    for (name, child, port, _) in &list {
        let Some(child) = child else { continue };
        let before = peak_rss_kib(child.id()).unwrap_or(0);
        let addr: SocketAddr = ([127, 0, 0, 1], *port).into();
        runtime.block_on(async {
            let tasks: Vec<_> = (0..32)
                .map(|_| tokio::spawn(post(addr, body.clone())))
                .collect();
            for task in tasks {
                assert_eq!(task.await.unwrap(), 200);
            }
        });
        std::thread::sleep(Duration::from_millis(1500));
        let peak = peak_rss_kib(child.id()).unwrap_or(0);
        println!(
            "  {name:<16} peak RSS {:>7.1} MB (at start {:.1} MB)",
            peak as f64 / 1024.0,
            before as f64 / 1024.0
        );
        rows.insert(
            name.clone(),
            json!({"peak_rss_mb": peak as f64 / 1024.0, "start_rss_mb": before as f64 / 1024.0}),
        );
    }
    stop(list);
    json!(rows)
}

async fn post(addr: SocketAddr, body: bytes::Bytes) -> u16 {
    use http_body_util::BodyExt as _;
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let request = http::Request::post(format!("http://{addr}/v1/chat/completions"))
        .header("content-type", "application/json")
        .body(http_body_util::Full::new(body))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status().as_u16();
    let _ = response.into_body().collect().await;
    status
}

/// What the numbers were measured on.
fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_default();
    json!({
        "cpu": cpu,
        "cores": std::thread::available_parallelism().map_or(1, |n| n.get()),
        "os": std::env::consts::OS,
    })
}
