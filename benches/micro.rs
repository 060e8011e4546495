//! In-process parts, measured with criterion: SSE parsing, dialect classification, request and
//! stream checking, capture encode and decode. Inputs are the golden captures and the official
//! SDK bodies shipped in the repository, so the numbers are about real shapes.
//!
//! Run: `cargo bench --bench micro` (add `-- --quick` for a fast pass).

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cursor_harness::capture::Contract;
use cursor_harness::capture::Exchange;
use cursor_harness::capture::input::load_bytes;
use cursor_harness::conformance::{self, Profile, RequestContext};
use cursor_harness::dialect;

fn golden(name: &str) -> (Vec<u8>, Exchange) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures/golden")
        .join(name);
    let bytes = std::fs::read(&path).expect("golden capture");
    let exchange = load_bytes("bench", &bytes)
        .remove(0)
        .result
        .expect("golden capture loads");
    (bytes, exchange)
}

/// A Chat Completions stream of `events` content chunks, as one byte string.
fn stream(events: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..events {
        out.extend_from_slice(
            format!(
                "data: {{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,\"model\":\"m\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"word{i} \"}},\"finish_reason\":null}}]}}\n\n"
            )
            .as_bytes(),
        );
    }
    out.extend_from_slice(b"data: [DONE]\n\n");
    out
}

fn sse(c: &mut Criterion) {
    let bytes = stream(200);
    let mut group = c.benchmark_group("sse");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("parse 200 events, one chunk", |b| {
        b.iter(|| {
            cursor_harness::sse::parse_chunks([black_box(bytes.as_slice())])
                .items
                .len()
        })
    });
    let pieces: Vec<&[u8]> = bytes.chunks(61).collect();
    group.bench_function("parse 200 events, 61-byte chunks", |b| {
        b.iter(|| {
            cursor_harness::sse::parse_chunks(black_box(pieces.iter().copied()))
                .items
                .len()
        })
    });
    group.finish();
}

fn classify_and_check(c: &mut Criterion) {
    let mut group = c.benchmark_group("request");
    for (label, name) in [
        (
            "responses hybrid",
            "gpt-5.5/0001-hybrid-agent-tool-history-400.json",
        ),
        (
            "anthropic",
            "claude-sonnet-4-5/0005-anthropic-tool-history-read-file-stream.json",
        ),
        ("chat", "deepseek-v4-pro/0008-plain-chat-text-stream.json"),
    ] {
        let (_, exchange) = golden(name);
        let body = exchange
            .request
            .body
            .as_ref()
            .unwrap()
            .json()
            .unwrap()
            .into_owned();
        group.bench_function(format!("classify {label}"), |b| {
            b.iter(|| dialect::classify(black_box(&body), &Vec::new()))
        });
        let classification = dialect::classify(&body, &Vec::new());
        group.bench_function(format!("check {label}"), |b| {
            b.iter(|| {
                conformance::check_request(
                    black_box(&body),
                    &classification,
                    Some(Contract::ChatCompletions),
                    Profile::Strict,
                )
            })
        });
    }
    group.finish();

    let (_, exchange) = golden("deepseek-v4-pro/0008-plain-chat-text-stream.json");
    let bytes = stream(200);
    let mut response = exchange.response.clone().unwrap();
    response.stream = Some(vec![cursor_harness::capture::Chunk::new(Some(1.0), &bytes)]);
    let context = RequestContext {
        contract: Some(Contract::ChatCompletions),
        stream: true,
        ..RequestContext::default()
    };
    let mut group = c.benchmark_group("response");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("check a 200-event stream", |b| {
        b.iter(|| {
            conformance::check_response(black_box(&response), &context, Profile::Strict)
                .violations
                .len()
        })
    });
    group.finish();
}

fn capture_codec(c: &mut Criterion) {
    let (bytes, exchange) = golden("gpt-5.5/0003-hybrid-apply-patch-translated-stream.json");
    let mut group = c.benchmark_group("capture");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("decode (load_bytes)", |b| {
        b.iter(|| load_bytes("bench", black_box(&bytes)).len())
    });
    group.bench_function("encode (to_pretty_json)", |b| {
        b.iter(|| black_box(&exchange).to_pretty_json().len())
    });
    group.finish();
}

criterion_group!(benches, sse, classify_and_check, capture_codec);
criterion_main!(benches);
