//! Whole-process comparisons on loopback, side by side in one run: a client direct to a local
//! upstream, through `cursor-harness record` (recording every exchange), and through mitmdump
//! (mitmproxy's reverse mode, default options and with streaming on) when it is installed.
//!
//! Sections (all by default; pick with `--only stream,load,memory`):
//! - `stream`: 200 SSE chunks 5 ms apart; added TTFB/TTFT, coalesced chunks, total duration;
//!   then the first byte alone in alternating rounds (what each path adds, paired with direct).
//! - `load`: 64 connections of small and of 100 KB requests with oha; req/s and p50/p99; for
//!   `record`, its limits in the same run: the file system's own rate for the same files, the
//!   capture writer alone and its conversion alone ([`anchor`]).
//! - `memory`: 32 concurrent 2 MB requests through each proxy, and six endless streams through
//!   `record` under the global capture budget; peak and settled RSS.
//! - `limits` (only when named): `load`'s measures of the recorder's stages alone, without the
//!   load runs.
//!
//! Run: `cargo bench --bench compare [-- --only SECTIONS --runs N --seconds S --json FILE]`.
//! `bench/run.sh` installs oha and mitmproxy when missing and runs every benchmark.
//! `cargo bench --bench compare -- --serve-upstream` only serves the fast upstream (printing its
//! address) until interrupted, to profile a recorder in front of it by hand.

mod common;

#[path = "../tests/it/support/endless.rs"]
mod endless;

#[path = "compare/anchor.rs"]
mod anchor;
#[path = "compare/load.rs"]
mod load;
#[path = "compare/memory.rs"]
mod memory;

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
    if args.iter().any(|a| a == "--serve-upstream") {
        println!("listening on {}", upstream.base());
        loop {
            std::thread::park();
        }
    }
    let mut results = BTreeMap::new();
    if wants("stream") {
        results.insert("stream", stream_section(&upstream, &options));
    }
    if wants("load") {
        results.insert("load", load::load_section(&upstream, &options));
    }
    // The recorder's stages alone, without the load runs (the load section measures them too).
    if options.only.iter().any(|s| s == "limits") {
        let mut rows = BTreeMap::new();
        let mut keep = Vec::new();
        for (label, body) in [
            ("small", load::SMALL_BODY.to_vec()),
            ("100KB", load::large_body()),
        ] {
            let file = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(file.path(), body).unwrap();
            println!("\n== limits: {label} requests");
            rows.insert(label, load::limits(file.path(), &mut keep));
        }
        results.insert("limits", json!(rows));
    }
    if wants("memory") {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        results.insert(
            "memory",
            json!({
                "large_requests": memory::large_requests(&upstream, &runtime),
                "endless_streams": memory::endless_streams(&runtime),
            }),
        );
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

/// Stop every proxy of `list`; their capture folders, which the caller may keep (removing
/// thousands of files makes ext4 slower to create files for minutes after: it skips recently
/// freed inodes).
fn stop(
    list: Vec<(String, Option<std::process::Child>, u16, tempfile::TempDir)>,
) -> Vec<tempfile::TempDir> {
    list.into_iter()
        .map(|(_, child, _, dir)| {
            if let Some(child) = child {
                interrupt(child);
            }
            dir
        })
        .collect()
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
    first_byte_rounds(&runtime, &list, &mut rows);
    stop(list);
    forward_probes(&runtime, options, &mut rows);
    json!(rows)
}

/// Rounds of the time to first byte alone.
const FIRST_BYTE_ROUNDS: usize = 61;

/// The time to first byte alone, many times, the paths alternating: five 1.2 s streams are too
/// few samples on a host whose scheduling latency is itself in the milliseconds. Each round
/// opens a new connection per path and asks for a two-event stream; what a path adds is the
/// median of its difference from direct within the same round.
fn first_byte_rounds(
    runtime: &tokio::runtime::Runtime,
    list: &[(String, Option<std::process::Child>, u16, tempfile::TempDir)],
    rows: &mut BTreeMap<String, Value>,
) {
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); list.len()];
    for _ in 0..FIRST_BYTE_ROUNDS {
        for (i, (_, _, port, _)) in list.iter().enumerate() {
            let addr: SocketAddr = ([127, 0, 0, 1], *port).into();
            let probe = runtime.block_on(probe_stream(addr, "/v1/chat/completions", 2, 0));
            samples[i].push(ms(probe.ttfb));
        }
    }
    println!(
        "  time to first byte alone, {FIRST_BYTE_ROUNDS} alternating rounds (new connection each):"
    );
    for (i, (name, ..)) in list.iter().enumerate() {
        let mut added: Vec<f64> = samples[i]
            .iter()
            .zip(&samples[0])
            .map(|(own, direct)| own - direct)
            .collect();
        let (added_med, ..) = stats(&mut added);
        let (p50, min, max) = stats(&mut samples[i].clone());
        println!(
            "    {name:<16} p50 {p50:>7.3} ms (min {min:.3}, max {max:.3}) | added, paired median {added_med:>+7.3} ms"
        );
        if let Some(Value::Object(row)) = rows.get_mut(name) {
            row.insert("first_byte_p50_ms".into(), json!(p50));
            row.insert("first_byte_added_ms".into(), json!(added_med));
        }
    }
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
