//! Redaction, measured with criterion: what the capture writer spends turning one recording into
//! a capture (decode, scrub, choose encodings), for a Cursor-sized request and a streamed
//! answer, and what the second look of the readers (`diff`, `run`, `export`) costs on a capture
//! that is already clean. Redaction runs per exchange in the writer, never per chunk in the
//! forwarding path; these are the per-exchange costs.
//!
//! Run: `cargo bench --bench redact` (add `-- --quick` for a fast pass).

use std::hint::black_box;
use std::time::Duration;

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cursor_harness::capture::convert::to_exchange;
use cursor_harness::capture::recording::{Recording, ResponseHead};
use cursor_harness::capture::redact::Redactor;

/// A Chat Completions request of about `bytes` bytes: a system prompt and file contents with
/// line breaks (escaped in JSON, as Cursor sends them) and no secret.
fn request_body(bytes: usize) -> Vec<u8> {
    let line = "fn main() { println!(\"hello, world\"); } // a line of source code\n";
    let mut content = String::new();
    while content.len() < bytes {
        content.push_str(line);
    }
    serde_json::to_vec(&serde_json::json!({
        "model": "gpt-5.5",
        "stream": true,
        "messages": [
            {"role": "system", "content": "You are a coding assistant."},
            {"role": "user", "content": content},
        ],
    }))
    .unwrap()
}

/// A streamed answer of `events` content chunks, cut into network chunks of `piece` bytes.
fn stream(events: usize, piece: usize) -> Vec<Bytes> {
    let mut out = Vec::new();
    for i in 0..events {
        out.extend_from_slice(
            format!(
                "data: {{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,\"model\":\"m\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"word{i}\\n \"}},\"finish_reason\":null}}]}}\n\n"
            )
            .as_bytes(),
        );
    }
    out.extend_from_slice(b"data: [DONE]\n\n");
    out.chunks(piece).map(Bytes::copy_from_slice).collect()
}

fn recording(body: Vec<u8>, chunks: Vec<Bytes>) -> Recording {
    let mut recording = Recording::new(
        "POST".into(),
        "/v1/chat/completions".into(),
        "HTTP/1.1".into(),
        vec![
            ("content-type".into(), "application/json".into()),
            (
                "authorization".into(),
                "Bearer sk-test-not-a-real-key-0000000000".into(),
            ),
        ],
    );
    recording.request_body = Bytes::from(body);
    recording.response = Some(ResponseHead {
        status: 200,
        http_version: "HTTP/1.1".into(),
        headers: vec![("content-type".into(), "text/event-stream".into())],
        at: Duration::from_millis(1),
    });
    recording.chunks = chunks
        .into_iter()
        .enumerate()
        .map(|(i, c)| (Duration::from_millis(2 + i as u64), c))
        .collect();
    recording.ended = Some(Duration::from_millis(1000));
    recording
}

fn to_capture(c: &mut Criterion) {
    let redactor = Redactor::with_key(b"0123456789abcdef0123456789abcdef");
    let mut group = c.benchmark_group("redact");
    for (label, body, chunks) in [
        (
            "2 KB request, 200-event stream",
            request_body(2_000),
            stream(200, 61),
        ),
        (
            "100 KB request, 200-event stream",
            request_body(100_000),
            stream(200, 61),
        ),
        (
            "2 KB request, 5000-event stream",
            request_body(2_000),
            stream(5_000, 61),
        ),
    ] {
        let bytes = body.len() + chunks.iter().map(Bytes::len).sum::<usize>();
        let recording = recording(body, chunks);
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(format!("to_exchange: {label}"), |b| {
            b.iter(|| to_exchange(black_box(&recording), "s", "bench", &redactor))
        });
        // The second look the readers (diff, run, export) take at a capture already clean.
        let clean = to_exchange(&recording, "s", "bench", &redactor);
        group.bench_function(format!("exchange (second look): {label}"), |b| {
            b.iter(|| {
                let mut exchange = clean.clone();
                redactor.exchange(black_box(&mut exchange));
                exchange
            })
        });
    }
    group.finish();
}

criterion_group!(benches, to_capture);
criterion_main!(benches);
