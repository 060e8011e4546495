//! `check` throughput against its limit: parsing the same files with serde_json alone.
//!
//! Builds a corpus of 1,000 Cursor-sized captures (~50 KB: a long system prompt, a full tool
//! list, a streamed answer), then times reading + parsing every file into `serde_json::Value`
//! (the limit), reading + parsing into captures (`load`: where check's time goes), and `check`
//! (read, parse, classify, check request, response and stream), on one core and on all cores,
//! in alternating rounds. Prints a table and, with `--json FILE`, writes the figures.
//!
//! Run: `cargo bench --bench check_throughput [-- --files N --runs R --json FILE]`.
//! `-- --corpus DIR` only writes the corpus to DIR (to profile `cursor-harness check DIR`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cursor_harness::capture::input::{self, Candidate};
use cursor_harness::capture::{
    Body, Chunk, Exchange, Provenance, ProvenanceKind, Request, Response,
};
use cursor_harness::check::check_candidates;
use cursor_harness::conformance::Profile;
use rayon::prelude::*;
use serde_json::{Value, json};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let files: usize = flag("--files").and_then(|v| v.parse().ok()).unwrap_or(1000);
    let runs: usize = flag("--runs").and_then(|v| v.parse().ok()).unwrap_or(5);
    if let Some(corpus) = flag("--corpus") {
        let written = build_corpus(Path::new(&corpus), files);
        println!("wrote {} captures under {corpus}", written.len());
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let paths = build_corpus(dir.path(), files);
    // Written just now: let the kernel put it on disk before timing, not while.
    cursor_harness::fsio::sync_filesystem(dir.path());
    let bytes: u64 = paths
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    let candidates: Vec<Candidate> = input::expand(&[dir.path().to_owned()])
        .expect("corpus")
        .into_iter()
        .collect();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "corpus: {files} captures, {:.1} MB ({:.1} KB each), {runs} runs, {cores} cores",
        mb(bytes),
        bytes as f64 / files as f64 / 1024.0
    );

    let mut results = Vec::new();
    // One row per thread count (one only when pinned to one core, `taskset -c 0`).
    let mut counts = vec![1, cores];
    counts.dedup();
    for threads in counts {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        // Warm the page cache and the allocator once before timing.
        pool.install(|| parse_only(&paths));
        // Rounds alternate the three, so a neighbour's burst of load on a shared machine
        // falls on all of them alike instead of on whichever ran at that moment.
        let (mut parse, mut load, mut check) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..runs {
            parse.push(timed(|| pool.install(|| parse_only(&paths))));
            load.push(timed(|| pool.install(|| load_only(&paths))));
            check.push(timed(|| {
                pool.install(|| {
                    let results = check_candidates(&candidates, Profile::Strict);
                    assert_eq!(results.results.len(), files);
                })
            }));
        }
        let (parse, load, check) = (median(parse), median(load), median(check));
        let row = Row {
            threads,
            files,
            bytes,
            parse,
            load,
            check,
        };
        row.print();
        results.push(row);
    }
    if let Some(path) = flag("--json") {
        let json: Vec<Value> = results.iter().map(Row::json).collect();
        cursor_harness::fsio::write_json_atomically(
            Path::new(&path),
            &json!({"bench": "check_throughput", "results": json}),
        )
        .unwrap();
    }
}

struct Row {
    threads: usize,
    files: usize,
    bytes: u64,
    parse: Duration,
    load: Duration,
    check: Duration,
}

impl Row {
    fn print(&self) {
        let rate = |d: Duration| self.files as f64 / d.as_secs_f64();
        let throughput = |d: Duration| mb(self.bytes) / d.as_secs_f64();
        println!(
            "{} core(s): parse-only {:>7.0} files/s {:>6.1} MB/s | load {:>7.0} files/s | check {:>7.0} files/s {:>6.1} MB/s | check/parse = {:.0}%",
            self.threads,
            rate(self.parse),
            throughput(self.parse),
            rate(self.load),
            rate(self.check),
            throughput(self.check),
            100.0 * self.parse.as_secs_f64() / self.check.as_secs_f64()
        );
    }

    fn json(&self) -> Value {
        json!({
            "threads": self.threads,
            "files": self.files,
            "bytes": self.bytes,
            "parse_only_files_per_s": self.files as f64 / self.parse.as_secs_f64(),
            "parse_only_mb_per_s": mb(self.bytes) / self.parse.as_secs_f64(),
            "load_files_per_s": self.files as f64 / self.load.as_secs_f64(),
            "check_files_per_s": self.files as f64 / self.check.as_secs_f64(),
            "check_mb_per_s": mb(self.bytes) / self.check.as_secs_f64(),
            "check_vs_parse": self.parse.as_secs_f64() / self.check.as_secs_f64(),
        })
    }
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

fn timed(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// The limit: read every file and parse it into a `Value`, in parallel.
fn parse_only(paths: &[PathBuf]) {
    let parsed: usize = paths
        .par_iter()
        .map(|path| {
            let bytes = std::fs::read(path).unwrap();
            let value: Value = serde_json::from_slice(&bytes).unwrap();
            usize::from(value.is_object())
        })
        .sum();
    assert_eq!(parsed, paths.len());
}

/// Where check's time goes: reading and parsing every file into a capture, no checks.
fn load_only(paths: &[PathBuf]) {
    let loaded: usize = paths
        .par_iter()
        .map(|path| {
            let bytes = std::fs::read(path).unwrap();
            let loaded = input::load_bytes("bench", &bytes);
            usize::from(loaded.len() == 1 && loaded[0].result.is_ok())
        })
        .sum();
    assert_eq!(loaded, paths.len());
}

/// Captures shaped like Cursor's Agent-mode traffic: a ~20 KB system prompt, ~25 KB of tool
/// definitions, a few turns of history, and a streamed answer of ~60 chunks.
fn build_corpus(dir: &Path, files: usize) -> Vec<PathBuf> {
    (0..files)
        .into_par_iter()
        .map(|i| {
            let exchange = capture(i);
            let path = dir.join(format!("m{}/{i:06}.json", i % 7));
            cursor_harness::fsio::write_atomically(&path, &exchange.to_pretty_json()).unwrap();
            path
        })
        .collect()
}

fn capture(i: usize) -> Exchange {
    let system = format!("You are a coding agent (file {i}). ").repeat(560);
    let tools: Vec<Value> = (0..30)
        .map(|t| {
            json!({"type": "function", "function": {"name": format!("tool_{t}"), "description": "Reads, edits or searches files in the workspace; ".repeat(8),
                "parameters": {"type": "object", "properties": {"path": {"type": "string", "description": "A path relative to the workspace root"},
                "limit": {"type": "integer"}, "pattern": {"type": "string"}}, "required": ["path"]}}})
        })
        .collect();
    let body = json!({
        "model": if i.is_multiple_of(2) { "gpt-5.5" } else { "deepseek-v4-pro" },
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": [{"type": "text", "text": "<user_query>fix the failing test in src/lib.rs</user_query>"}]},
            {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "tool_1", "arguments": "{\"path\":\"src/lib.rs\"}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "fn main() {}\n".repeat(40)}
        ],
        "tools": tools,
        "tool_choice": "auto",
        "stream": true,
        "stream_options": {"include_usage": true}
    });
    let request = Request {
        method: "POST".into(),
        target: "/v1/chat/completions".into(),
        http_version: "HTTP/1.1".into(),
        headers: vec![
            ("content-type".into(), "application/json".into()),
            (
                "authorization".into(),
                "Bearer [REDACTED:0123456789ab]".into(),
            ),
        ],
        body: Some(Body::from_bytes(&serde_json::to_vec(&body).unwrap())),
        omitted: None,
        encoding_mismatch: None,
    };
    let mut exchange = Exchange::new(
        "bench",
        Provenance {
            kind: ProvenanceKind::Synthesized,
            source: "benches/check_throughput.rs corpus".into(),
        },
        request,
    );
    let mut chunks = Vec::new();
    let chunk = |delta: Value, finish: Value| {
        json!({"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1_767_225_600, "model": "gpt-5.5",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], "usage": null})
    };
    chunks.push(format!(
        "data: {}\n\n",
        chunk(json!({"role": "assistant", "content": ""}), Value::Null)
    ));
    for w in 0..60 {
        chunks.push(format!(
            "data: {}\n\n",
            chunk(json!({"content": format!("word{w} ")}), Value::Null)
        ));
    }
    chunks.push(format!("data: {}\n\n", chunk(json!({}), json!("stop"))));
    chunks.push(format!(
        "data: {}\n\n",
        json!({"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1_767_225_600, "model": "gpt-5.5", "choices": [],
            "usage": {"prompt_tokens": 12000, "completion_tokens": 60, "total_tokens": 12060}})
    ));
    chunks.push("data: [DONE]\n\n".into());
    exchange.response = Some(Response {
        status: 200,
        http_version: "HTTP/1.1".into(),
        headers: vec![("content-type".into(), "text/event-stream".into())],
        headers_at_ms: Some(120.0),
        body: None,
        stream: Some(
            chunks
                .iter()
                .enumerate()
                .map(|(n, c)| Chunk::new(Some(130.0 + n as f64 * 12.5), c.as_bytes()))
                .collect(),
        ),
        ended_at_ms: Some(1000.0),
        omitted: None,
        encoding_mismatch: None,
    });
    exchange
}
