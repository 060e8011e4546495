//! Replay speed against `oha`, and the `--pace original` schedule error.
//!
//! `cargo bench --bench replay` (release build). Both clients hit one `cursor-harness gateway`
//! process (the embedded reference gateway, strict) on a loopback port with the same small
//! non-streamed body, 64 connections each, one after the other on the same machine:
//!
//! 1. `oha -n N -c 64` (skipped with a message when `oha` is not on PATH; `cargo install oha`);
//! 2. `cursor-harness replay DIR --concurrency 64` over N raw request bodies;
//! 3. `cursor-harness replay --pace original` over captures recorded 10 ms apart, reporting how
//!    late sends were against the schedule;
//! 4. connections: over plain HTTP (the rounds above) and over TLS (a TLS test upstream, 64
//!    connections), what opening a connection took as `replay` records it in `run.json`
//!    (connect, TLS handshake, time to first byte on an open connection and on a new one)
//!    beside what `oha` records for the same target (its "DNS+dialup").
//!
//! Settings: BENCH_REQUESTS (default 20000), BENCH_ROUNDS (default 7), BENCH_PACED (default
//! 300). The target is at
//! least 80% of oha's requests per second, and paced sends within 5 ms of schedule.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use serde_json::{Value, json};

#[path = "../tests/it/support/tls_upstream.rs"]
#[allow(dead_code)]
mod tls_upstream;

const BODY: &str = r#"{"model":"bench-model","messages":[{"role":"user","content":"Say hello."}]}"#;

struct Gateway {
    child: Child,
    addr: String,
    /// Kept open: the gateway's banner has more than one line.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn harness() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cursor-harness"))
}

fn start_gateway() -> Gateway {
    let mut child = harness()
        .args(["gateway", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the gateway");
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    let mut stdout = BufReader::new(stdout);
    stdout.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    Gateway {
        child,
        addr,
        _stdout: stdout,
    }
}

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// oha's requests per second and its whole report.
fn oha(url: &str, requests: usize, extra: &[&str]) -> Option<(f64, Value)> {
    let output = Command::new("oha")
        .args(extra)
        .args([
            "-n",
            &requests.to_string(),
            "-c",
            "64",
            "--no-tui",
            "--output-format",
            "json",
        ])
        .args([
            "-m",
            "POST",
            "-H",
            "content-type: application/json",
            "-d",
            BODY,
            url,
        ])
        .output();
    let output = match output {
        Ok(output) if output.status.success() => output,
        Ok(output) => {
            eprintln!("oha failed: {}", String::from_utf8_lossy(&output.stderr));
            return None;
        }
        Err(err) => {
            eprintln!(
                "oha is not available ({err}); install it with `cargo install oha` to compare"
            );
            return None;
        }
    };
    let report: Value = serde_json::from_slice(&output.stdout).ok()?;
    let ok = report
        .pointer("/statusCodeDistribution/200")
        .and_then(Value::as_u64);
    if ok != Some(requests as u64) {
        eprintln!(
            "oha: not every answer was 200: {:?}",
            report.get("statusCodeDistribution")
        );
    }
    let rps = report
        .pointer("/summary/requestsPerSec")
        .and_then(Value::as_f64)?;
    Some((rps, report))
}

/// The connections of a run as `run.json` has them, and the mean of connect plus handshake
/// over the requests that opened one (oha reports a mean).
fn connections(run: &Value) -> Value {
    let setups: Vec<f64> = run["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["connection"].is_object())
        .map(|e| {
            e["connection"]["connect_ms"].as_f64().unwrap()
                + e["connection"]["tls_ms"].as_f64().unwrap_or(0.0)
        })
        .collect();
    let mut figures = run["connections"].clone();
    figures["setup_mean_ms"] = json!(setups.iter().sum::<f64>() / setups.len().max(1) as f64);
    figures
}

/// oha's own figures for opening its connections (seconds in its report, ms here).
fn oha_connections(report: &Value) -> Value {
    let ms = |pointer: &str| {
        report
            .pointer(pointer)
            .and_then(Value::as_f64)
            .map(|s| s * 1000.0)
    };
    json!({
        "dns_dialup_mean_ms": ms("/details/DNSDialup/average"),
        "dns_dialup_slowest_ms": ms("/details/DNSDialup/slowest"),
        "first_byte_p50_ms": ms("/firstBytePercentiles/p50"),
    })
}

fn show_connections(label: &str, ours: &Value, theirs: Option<&Value>) {
    let ms = |v: &Value| v.as_f64().map_or("-".to_owned(), |v| format!("{v:.3}"));
    println!(
        "  {label}: replay opened {} connection(s): connect p50 {} ms, TLS handshake p50 {} ms, connect+TLS mean {} ms; ttfb p50 on an open connection {} ms, on a new one {} ms | oha DNS+dialup mean {} ms",
        ours["opened"],
        ms(&ours["connect_ms"]["p50"]),
        ms(&ours["tls_ms"]["p50"]),
        ms(&ours["setup_mean_ms"]),
        ms(&ours["ttfb_warm_ms"]["p50"]),
        ms(&ours["ttfb_cold_ms"]["p50"]),
        theirs.map_or("-".to_owned(), |t| ms(&t["dns_dialup_mean_ms"])),
    );
}

/// Replay and oha against a TLS upstream (its own test CA), 64 connections each.
fn tls_connections(dir: &Path, requests: usize) -> Value {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let event = format!(
        "data: {}\n\n",
        json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "bench-model",
               "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": null}]})
    );
    let upstream = runtime.block_on(tls_upstream::TlsUpstream::sse(
        vec![event, "data: [DONE]\n\n".to_owned()],
        std::time::Duration::ZERO,
    ));
    let base = upstream.url("localhost", "/v1");
    let ca = upstream.ca_pem.to_str().unwrap().to_owned();
    let oha_report = oha(
        &format!("{base}/chat/completions"),
        requests,
        &["--cacert", &ca],
    )
    .map(|(_, report)| oha_connections(&report));
    let (run, _) = replay(
        &bodies(&dir.join("tls"), requests),
        &dir.join("runs"),
        "tls",
        &["--target", &base, "--target-ca", &ca, "--concurrency", "64"],
    );
    let ours = connections(&run);
    show_connections("over TLS", &ours, oha_report.as_ref());
    json!({"replay": ours, "oha": oha_report})
}

fn replay(inputs: &Path, out: &Path, id: &str, extra: &[&str]) -> (Value, f64) {
    let started = Instant::now();
    let output = harness()
        .arg("replay")
        .arg(inputs)
        .args(["--out", out.to_str().unwrap(), "--run-id", id])
        .args(extra)
        .stdout(Stdio::null())
        .output()
        .unwrap();
    let wall = started.elapsed().as_secs_f64();
    assert!(
        output.status.success(),
        "replay failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let run =
        serde_json::from_slice(&std::fs::read(out.join(id).join("run.json")).unwrap()).unwrap();
    (run, wall)
}

fn bodies(dir: &Path, count: usize) -> PathBuf {
    let folder = dir.join("bodies");
    std::fs::create_dir_all(&folder).unwrap();
    for i in 0..count {
        std::fs::write(folder.join(format!("{i:06}.json")), BODY).unwrap();
    }
    folder
}

/// Captures recorded 10 ms apart.
fn paced_captures(dir: &Path, count: usize) -> PathBuf {
    let folder = dir.join("paced");
    std::fs::create_dir_all(&folder).unwrap();
    let start = jiff::Timestamp::from_second(1_790_000_000).unwrap();
    for i in 0..count {
        let at = start + jiff::SignedDuration::from_millis(10 * i as i64);
        let capture = json!({
            "format": "cursor-harness/capture", "version": 1,
            "id": format!("0190f0c2-0000-7000-8000-{i:012}"),
            "session": "bench", "recorded_at": at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            "provenance": {"kind": "synthesized", "source": "benches/replay.rs"},
            "model": "bench-model",
            "request": {"method": "POST", "target": "/v1/chat/completions", "http_version": "HTTP/1.1",
                "headers": [["content-type", "application/json"]],
                "body": {"json": serde_json::from_str::<Value>(BODY).unwrap()}},
            "response": null, "error": null
        });
        std::fs::write(folder.join(format!("{i:06}.json")), capture.to_string()).unwrap();
    }
    folder
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; a filter that is not ours means another bench was asked for.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json_value = args.iter().position(|a| a == "--json").map(|i| i + 1);
    if args
        .iter()
        .enumerate()
        .any(|(i, a)| !a.starts_with('-') && a != "replay" && Some(i) != json_value)
    {
        return;
    }
    let requests = setting("BENCH_REQUESTS", 20_000);
    let paced = setting("BENCH_PACED", 300);
    let dir = tempfile::tempdir().unwrap();
    let gateway = start_gateway();
    let base = format!("http://{}/v1", gateway.addr);
    let url = format!("{base}/chat/completions");
    println!("replay bench: {requests} non-streamed requests, concurrency 64, gateway {base}");

    let inputs = bodies(dir.path(), requests);
    // Warm the gateway (and the page cache) once, so the first of the runs is not penalised.
    replay(
        &inputs,
        &dir.path().join("runs"),
        "warmup",
        &["--target", &base, "--concurrency", "64"],
    );
    // Alternate the two clients over several rounds and compare medians: on a shared machine a
    // neighbour's burst would otherwise decide the ratio.
    let rounds = setting("BENCH_ROUNDS", 7);
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut plain = None;
    for round in 0..rounds {
        let mut oha_report = None;
        if let Some((rps, report)) = oha(&url, requests, &[]) {
            theirs.push(rps);
            oha_report = Some(report);
        }
        let (run, wall) = replay(
            &inputs,
            &dir.path().join("runs"),
            &format!("asap-{round}"),
            &["--target", &base, "--concurrency", "64"],
        );
        let rps = run["throughput"]["requests_per_second"].as_f64().unwrap();
        let answered = run["counts"]["answered"].as_u64().unwrap();
        println!(
            "  round {round}: replay {rps:>7.0} req/s over the send window ({answered} answered; {:.0} req/s wall clock incl. loading and writing {requests} captures), oha {}",
            requests as f64 / wall,
            theirs
                .last()
                .map_or("-".to_owned(), |r| format!("{r:.0} req/s"))
        );
        ours.push(rps);
        // The connections of the last round, over plain HTTP.
        plain = Some(
            json!({"replay": connections(&run), "oha": oha_report.as_ref().map(oha_connections)}),
        );
    }
    if let Some(plain) = &plain {
        show_connections(
            "over HTTP",
            &plain["replay"],
            plain.get("oha").filter(|o| !o.is_null()),
        );
    }
    let tls = tls_connections(dir.path(), requests.min(2_000));
    // Each round pairs two runs a few seconds apart; the median of the paired ratios is what
    // the target is judged on (neighbours' load drifts between rounds), the medians of each
    // side are shown beside it.
    let mut ratios: Vec<f64> = ours.iter().zip(&theirs).map(|(o, t)| o / t).collect();
    let rps = median(&mut ours);
    println!("  replay:  {rps:>9.0} req/s (median of {rounds})");
    let mut figures = serde_json::json!({"bench": "replay", "requests": requests, "rounds": rounds, "replay_rps": rps});
    if theirs.is_empty() {
        println!("  oha:     skipped (not installed)");
        figures["oha"] = serde_json::json!("skipped: not installed");
    } else {
        let oha_rps = median(&mut theirs);
        let ratio = median(&mut ratios);
        println!(
            "  oha:     {oha_rps:>9.0} req/s (median of {})",
            theirs.len()
        );
        println!(
            "  replay / oha = {:.0}% (median of the paired rounds; target >= 80%): {}",
            ratio * 100.0,
            if ratio >= 0.8 { "ok" } else { "BELOW TARGET" }
        );
        figures["oha_rps"] = serde_json::json!(oha_rps);
        figures["replay_vs_oha"] = serde_json::json!(ratio);
    }

    let (run, _) = replay(
        &paced_captures(dir.path(), paced),
        &dir.path().join("runs"),
        "paced",
        &[
            "--target",
            &base,
            "--concurrency",
            "64",
            "--pace",
            "original",
        ],
    );
    let schedule = &run["schedule"];
    let max = schedule["late_max_ms"].as_f64().unwrap();
    println!(
        "  --pace original, {paced} requests 10 ms apart: late p50 {:.3} ms, p99 {:.3} ms, max {max:.3} ms (target <= 5 ms): {}",
        schedule["late_p50_ms"].as_f64().unwrap(),
        schedule["late_p99_ms"].as_f64().unwrap(),
        if max <= 5.0 { "ok" } else { "ABOVE TARGET" }
    );
    figures["connections"] = json!({"http": plain, "tls": tls});
    figures["pace_original"] = serde_json::json!({
        "requests": paced,
        "late_p50_ms": schedule["late_p50_ms"], "late_p99_ms": schedule["late_p99_ms"], "late_max_ms": max,
    });
    let args: Vec<String> = std::env::args().collect();
    if let Some(path) = args
        .iter()
        .position(|a| a == "--json")
        .and_then(|i| args.get(i + 1))
    {
        cursor_harness::fsio::write_json_atomically(std::path::Path::new(path), &figures).unwrap();
    }
}
