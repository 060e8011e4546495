//! The capture file and body encodings: what is written reads back the same, bytes rebuild
//! exactly.

use cursor_harness::capture::input::{InputKind, load_bytes};
use cursor_harness::capture::{
    Body, Chunk, ErrorKind, Exchange, FORMAT, Provenance, ProvenanceKind, ReplayLink, Request,
    Response, TransportError, VERSION,
};
use proptest::prelude::*;

use super::{config, cut, json_value};

/// Bodies of every encoding: compact JSON (kept as JSON), pretty or odd JSON (text), any text,
/// and bytes that are not UTF-8 (base64).
fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        json_value().prop_map(|v| serde_json::to_vec_pretty(&v).unwrap()),
        any::<String>().prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..64),
    ]
}

/// Milliseconds as the recorder stores them (microsecond precision, see `capture::millis`),
/// and now and then any finite number, as a hand-written or imported file may hold.
fn millis() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => (0u64..86_400_000_000).prop_map(|micros| micros as f64 / 1000.0),
        1 => any::<f64>().prop_filter("finite", |ms| ms.is_finite()),
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(("[a-z-]{1,16}", any::<String>()), 0..4)
}

fn chunks() -> impl Strategy<Value = Vec<Chunk>> {
    // Cutting text at any byte splits UTF-8 sequences, so some chunks are stored as base64.
    (
        any::<String>(),
        prop::collection::vec(any::<usize>(), 0..5),
        prop::option::of(millis()),
    )
        .prop_map(|(text, points, at)| {
            cut(text.as_bytes(), &points)
                .iter()
                .enumerate()
                .map(|(i, bytes)| Chunk::new(at.map(|ms| ms + i as f64), bytes))
                .collect()
        })
}

fn response() -> impl Strategy<Value = Response> {
    (
        any::<u16>(),
        "HTTP/(1\\.1|2)",
        headers(),
        prop::option::of(millis()),
        prop::option::of(body_bytes()),
        prop::option::of(chunks()),
        prop::option::of(millis()),
    )
        .prop_map(
            |(status, http_version, headers, headers_at_ms, body, stream, ended_at_ms)| Response {
                status,
                http_version,
                headers,
                headers_at_ms,
                body: body.map(|bytes| Body::from_bytes(&bytes)),
                stream,
                ended_at_ms,
                omitted: None,
                encoding_mismatch: None,
            },
        )
}

fn exchange() -> impl Strategy<Value = Exchange> {
    let kinds = prop::sample::select(vec![
        ProvenanceKind::Recorded,
        ProvenanceKind::Synthesized,
        ProvenanceKind::Replayed,
        ProvenanceKind::Imported,
    ]);
    let error_kinds = prop::sample::select(vec![
        ErrorKind::Connect,
        ErrorKind::Timeout,
        ErrorKind::Reset,
        ErrorKind::InvalidHttp,
        ErrorKind::Tls,
        ErrorKind::ClientDisconnected,
        ErrorKind::RequestBody,
        ErrorKind::Other,
    ]);
    let request = (
        "[A-Z]{3,7}",
        any::<String>(),
        headers(),
        prop::option::of(body_bytes()),
    );
    let error = prop::option::of((error_kinds, any::<String>(), prop::option::of(millis())));
    (
        (any::<String>(), any::<String>(), kinds, any::<String>()),
        (
            prop::option::of(any::<String>()),
            prop::option::of(any::<String>()),
        ),
        prop::option::of((any::<String>(), any::<String>())),
        request,
        prop::option::of(response()),
        error,
    )
        .prop_map(
            |(
                (session, recorded_at, kind, source),
                (model, upstream),
                replay,
                request,
                response,
                error,
            )| {
                let (method, target, headers, body) = request;
                Exchange {
                    format: FORMAT.to_owned(),
                    version: VERSION,
                    id: uuid_like(&session),
                    session,
                    recorded_at,
                    provenance: Provenance { kind, source },
                    model,
                    contract: None,
                    upstream,
                    replay_of: replay.map(|(id, capture)| ReplayLink { id, capture }),
                    request: Request {
                        method,
                        target,
                        http_version: "HTTP/1.1".to_owned(),
                        headers,
                        body: body.map(|bytes| Body::from_bytes(&bytes)),
                        omitted: None,
                        encoding_mismatch: None,
                    },
                    response,
                    error: error.map(|(kind, message, at_ms)| TransportError {
                        kind,
                        message,
                        at_ms,
                    }),
                }
            },
        )
}

fn uuid_like(seed: &str) -> String {
    format!("019e25d5-0d6a-7001-8901-{:012x}", seed.len())
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn a_capture_survives_the_trip_to_disk_and_back(exchange in exchange()) {
        let written = exchange.to_pretty_json();
        let rows = load_bytes("p.json", &written);
        prop_assert_eq!(rows.len(), 1);
        let row = rows.into_iter().next().unwrap();
        prop_assert_eq!(row.kind, InputKind::Capture);
        prop_assert_eq!(row.result, Ok(exchange));
    }

    #[test]
    fn a_body_rebuilds_exactly_the_bytes_it_was_made_from(bytes in body_bytes()) {
        let body = Body::from_bytes(&bytes);
        prop_assert_eq!(body.to_bytes().into_owned(), bytes.clone());
        prop_assert_eq!(body.len(), bytes.len());
        // And so does the body read back from its JSON form.
        let stored: Body = serde_json::from_slice(&serde_json::to_vec(&body).unwrap()).unwrap();
        prop_assert_eq!(stored.to_bytes().into_owned(), bytes);
    }

    #[test]
    fn any_bytes_rebuild_exactly(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        prop_assert_eq!(Body::from_bytes(&bytes).to_bytes().into_owned(), bytes);
    }
}
