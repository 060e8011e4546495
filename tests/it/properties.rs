//! Properties over generated inputs, so every `cargo test` exercises the entry points the fuzz
//! targets (`fuzz/`) hammer for longer: the SSE parser, the classifier and checker, the capture
//! file, body encodings and redaction. Case counts are modest to keep the suite fast; a failure
//! prints the smallest input proptest could find.

use cursor_harness::capture::input::{InputKind, load_bytes};
use cursor_harness::capture::{
    Body, Chunk, ErrorKind, Exchange, FORMAT, Provenance, ProvenanceKind, ReplayLink, Request,
    Response, TransportError, VERSION,
};
use cursor_harness::check::check_exchange;
use cursor_harness::conformance::{self, Profile, RequestContext};
use cursor_harness::dialect;
use cursor_harness::redact::{self, Redactor};
use cursor_harness::sse::{self, Item, Parsed};
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Map, Value};

fn config(cases: u32) -> Config {
    Config {
        cases,
        // Regressions found here become named tests beside the code they fix.
        failure_persistence: None,
        ..Config::default()
    }
}

// ---- SSE ------------------------------------------------------------------------------------

/// Bytes that look like an event stream most of the time, with the awkward parts (every line
/// end, a byte-order mark, invalid and multi-byte UTF-8) mixed in.
fn stream_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"data: ".to_vec()),
        Just(b"data:".to_vec()),
        Just(b"event: delta".to_vec()),
        Just(b"id: 7".to_vec()),
        Just(b"retry: 10".to_vec()),
        Just(b": keep-alive".to_vec()),
        Just(br#"{"choices":[{"delta":{"content":"hi"}}]}"#.to_vec()),
        Just(b"[DONE]".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n\n".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just("é日".as_bytes().to_vec()),
        Just(vec![0xff]),
        prop::collection::vec(any::<u8>(), 0..6),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

/// Cut `bytes` at the given points (taken modulo its length, so any list of numbers works).
fn cut(bytes: &[u8], points: &[usize]) -> Vec<Vec<u8>> {
    let mut points: Vec<usize> = points.iter().map(|p| p % (bytes.len() + 1)).collect();
    points.sort_unstable();
    let mut chunks = Vec::new();
    let mut start = 0;
    for point in points {
        chunks.push(bytes[start..point].to_vec());
        start = point;
    }
    chunks.push(bytes[start..].to_vec());
    chunks
}

/// What must not depend on chunking: every item without its chunk index.
#[derive(Debug, PartialEq)]
enum Seen {
    Event(Option<String>, String, usize, Option<String>, usize),
    Comment(String),
    Unknown(String),
    InvalidUtf8,
}

fn seen(parsed: &Parsed) -> (Vec<Seen>, Option<Seen>) {
    let event = |e: &sse::Event| {
        Seen::Event(
            e.name.clone(),
            e.data.clone(),
            e.data_lines,
            e.id.clone(),
            e.offset,
        )
    };
    let items = parsed
        .items
        .iter()
        .map(|item| match item {
            Item::Event(e) => event(e),
            Item::Comment { text, .. } => Seen::Comment(text.clone()),
            Item::UnknownField { line, .. } => Seen::Unknown(line.clone()),
            Item::InvalidUtf8 { .. } => Seen::InvalidUtf8,
        })
        .collect();
    (items, parsed.unterminated.as_ref().map(event))
}

fn chunk_of(item: &Item) -> usize {
    match item {
        Item::Event(e) => e.chunk,
        Item::Comment { chunk, .. }
        | Item::UnknownField { chunk, .. }
        | Item::InvalidUtf8 { chunk } => *chunk,
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn sse_parsing_does_not_depend_on_how_the_bytes_are_chunked(
        stream in stream_bytes(),
        points in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let chunks = cut(&stream, &points);
        let split = sse::parse_chunks(chunks.iter().map(Vec::as_slice));
        let whole = sse::parse_chunks([stream.as_slice()]);
        prop_assert_eq!(seen(&split), seen(&whole));
        let bytewise = sse::parse_chunks(stream.chunks(1));
        prop_assert_eq!(seen(&bytewise), seen(&whole));
        // Each item names the chunk that completed it: one that exists, in order.
        let indexes: Vec<usize> = split.items.iter().map(chunk_of).collect();
        prop_assert!(indexes.iter().all(|&i| i < chunks.len()), "{:?} of {}", indexes, chunks.len());
        prop_assert!(indexes.windows(2).all(|w| w[0] <= w[1]), "{:?}", indexes);
    }

    #[test]
    fn split_events_pieces_concatenate_back_and_parse_the_same(stream in stream_bytes()) {
        let pieces: Vec<&[u8]> = sse::split_events(&stream).collect();
        prop_assert_eq!(pieces.concat(), stream.clone());
        prop_assert!(pieces.iter().all(|piece| !piece.is_empty()));
        let by_piece = sse::parse_chunks(pieces.iter().copied());
        prop_assert_eq!(seen(&by_piece), seen(&sse::parse_chunks([stream.as_slice()])));
        for piece in pieces.iter().take(pieces.len().saturating_sub(1)) {
            prop_assert!(sse::parse_chunks([*piece]).unterminated.is_none(), "{:?}", piece);
        }
    }
}

// ---- classifier and checker -----------------------------------------------------------------

/// Keys the classifier and checker look at, so generated objects often hit real rules.
const KEYS: &[&str] = &[
    "model",
    "messages",
    "role",
    "content",
    "type",
    "text",
    "tools",
    "tool_choice",
    "function",
    "name",
    "arguments",
    "parameters",
    "tool_calls",
    "tool_call_id",
    "stream",
    "stream_options",
    "include_usage",
    "input",
    "instructions",
    "reasoning",
    "store",
    "include",
    "system",
    "max_tokens",
    "input_schema",
    "contents",
    "parts",
    "choices",
    "delta",
    "finish_reason",
    "index",
    "id",
    "object",
    "usage",
    "created",
    "message",
    "error",
    "data",
    "custom",
    "format",
    "response_format",
    "n",
    "temperature",
    "logprobs",
    "refusal",
    "image_url",
    "url",
];
const VALUES: &[&str] = &[
    "user",
    "assistant",
    "system",
    "developer",
    "tool",
    "function",
    "text",
    "input_text",
    "message",
    "function_call",
    "function_call_output",
    "custom",
    "chat.completion",
    "chat.completion.chunk",
    "stop",
    "length",
    "tool_calls",
    "tool_use",
    "tool_result",
    "image_url",
    "json_schema",
    "auto",
    "required",
    "none",
    "gpt-5.5",
    "claude-sonnet-4-5",
    "list",
    "model",
    "{}",
    "{\"a\":1}",
];

fn json_value() -> impl Strategy<Value = Value> {
    let string = prop_oneof![
        3 => prop::sample::select(VALUES).prop_map(str::to_owned),
        1 => any::<String>(),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..200).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        string.prop_map(Value::String),
    ];
    let key = prop_oneof![
        4 => prop::sample::select(KEYS).prop_map(str::to_owned),
        1 => "[a-z_]{1,8}",
    ];
    leaf.prop_recursive(5, 96, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn request_for(body: &Value, models: bool) -> Request {
    Request {
        method: if models { "GET" } else { "POST" }.to_owned(),
        target: if models {
            "/v1/models"
        } else {
            "/v1/chat/completions"
        }
        .to_owned(),
        http_version: "HTTP/1.1".to_owned(),
        headers: vec![("content-type".to_owned(), "application/json".to_owned())],
        body: Some(Body::from_bytes(&serde_json::to_vec(body).unwrap())),
    }
}

proptest! {
    #![proptest_config(config(192))]

    #[test]
    fn the_classifier_and_request_checker_never_panic_on_any_json(body in json_value(), anthropic in any::<bool>()) {
        let headers = if anthropic {
            vec![("anthropic-version".to_owned(), "2023-06-01".to_owned())]
        } else {
            Vec::new()
        };
        let classification = dialect::classify(&body, &headers);
        prop_assert!(!classification.foreign.contains(&classification.dialect));
        for profile in [Profile::Strict, Profile::Lenient] {
            for violation in conformance::check_request(&body, &classification, profile) {
                prop_assert!(violation.path.is_empty() || violation.path.starts_with('/'), "{:?}", violation);
            }
        }
    }

    #[test]
    fn the_response_and_stream_checker_never_panic_on_any_answer(
        request in json_value(),
        events in prop::collection::vec(json_value(), 0..6),
        done in any::<bool>(),
        points in prop::collection::vec(any::<usize>(), 0..6),
        status in prop::sample::select(vec![200u16, 201, 400, 401, 429, 500, 0, 999]),
        stream in any::<bool>(),
        models in any::<bool>(),
    ) {
        let mut bytes = Vec::new();
        for event in &events {
            bytes.extend_from_slice(format!("data: {event}\n\n").as_bytes());
        }
        if done {
            bytes.extend_from_slice(b"data: [DONE]\n\n");
        }
        let (body, chunks) = if stream {
            (None, Some(cut(&bytes, &points).iter().enumerate().map(|(i, c)| Chunk::new(Some(i as f64), c)).collect()))
        } else {
            let first = events.first().map(|e| serde_json::to_vec(e).unwrap()).unwrap_or_default();
            ((!first.is_empty()).then(|| Body::from_bytes(&first)), None)
        };
        let content_type = if stream { "text/event-stream" } else { "application/json" };
        let response = Response {
            status,
            http_version: "HTTP/1.1".to_owned(),
            headers: vec![("content-type".to_owned(), content_type.to_owned())],
            headers_at_ms: Some(1.0),
            body,
            stream: chunks,
            ended_at_ms: Some(2.0),
        };
        let http_request = request_for(&request, models);
        let context = RequestContext::from_body(&request);
        for profile in [Profile::Strict, Profile::Lenient] {
            let checked = conformance::check_response(&response, &http_request, &context, profile);
            for violation in &checked.violations {
                prop_assert!(violation.path.is_empty() || violation.path.starts_with('/'), "{:?}", violation);
            }
        }
        // And the whole pipeline `check` runs on one exchange.
        let mut exchange = Exchange::new("p", provenance(ProvenanceKind::Synthesized), http_request);
        exchange.response = Some(response);
        let report = check_exchange(&exchange, "p.json".to_owned(), Profile::Strict);
        prop_assert!(report.error.is_none());
    }
}

// ---- capture file and bodies ----------------------------------------------------------------

fn provenance(kind: ProvenanceKind) -> Provenance {
    Provenance {
        kind,
        source: "generated by tests/it/properties.rs".to_owned(),
    }
}

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

/// Milliseconds as the recorder stores them (microsecond precision, see `capture::millis`).
fn millis() -> impl Strategy<Value = f64> {
    (0u64..86_400_000_000).prop_map(|micros| micros as f64 / 1000.0)
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
                    upstream,
                    replay_of: replay.map(|(id, capture)| ReplayLink { id, capture }),
                    request: Request {
                        method,
                        target,
                        http_version: "HTTP/1.1".to_owned(),
                        headers,
                        body: body.map(|bytes| Body::from_bytes(&bytes)),
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

// ---- redaction ------------------------------------------------------------------------------

/// A key of the given kind (one of `redact::PATTERNS`), as planted text and the secret in it
/// that must disappear.
fn planted(kind: &str) -> BoxedStrategy<(String, String)> {
    let whole = |s: BoxedStrategy<String>| s.prop_map(|k| (k.clone(), k)).boxed();
    match kind {
        "openai/anthropic-style key" => {
            whole("sk-(proj-|ant-api03-|svcacct-)?[A-Za-z0-9_-]{20,60}".boxed())
        }
        "google api key" => whole("AIza[0-9A-Za-z_-]{35}".boxed()),
        "aws access key id" => whole("(AKIA|ASIA)[0-9A-Z]{16}".boxed()),
        "github token" => {
            whole("gh[pousr]_[A-Za-z0-9]{36,50}|github_pat_[A-Za-z0-9_]{22,60}".boxed())
        }
        "slack token" => whole("xox[abprs]-[A-Za-z0-9-]{10,40}".boxed()),
        "huggingface token" => whole("hf_[A-Za-z0-9]{30,40}".boxed()),
        "groq/xai key" => whole("(gsk_|xai-)[A-Za-z0-9]{40,56}".boxed()),
        "jwt" => whole(
            "eyJ[A-Za-z0-9_-]{10,30}\\.eyJ[A-Za-z0-9_-]{10,30}\\.[A-Za-z0-9_-]{10,30}".boxed(),
        ),
        "bearer token" => (
            "(Bearer|bearer|BEARER)( |  |\t)",
            "[A-Za-z0-9._~+/=-]{20,60}",
        )
            .prop_map(|(scheme, token)| (format!("{scheme}{token}"), token))
            .boxed(),
        "assigned secret" => (
            prop::sample::select(vec![
                "api_key",
                "api-key",
                "apikey",
                "API_KEY",
                "secret",
                "client_secret",
                "access_token",
                "Access-Token",
                "password",
            ]),
            prop::sample::select(vec!["=", ": ", " = ", "\": \"", "='", ":"]),
            "[A-Za-z0-9._~+/=-]{12,40}",
        )
            .prop_map(|(name, assign, value)| (format!("{name}{assign}{value}"), value))
            .boxed(),
        other => panic!("no generator for the key kind {other:?}: add one to planted()"),
    }
}

/// Text around a planted key: prose, JSON and header punctuation, other languages, and bits
/// of other key shapes and of redaction tokens, so the patterns meet each other.
fn surrounding() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("hello".to_owned()),
        Just(" ".to_owned()),
        Just("\n".to_owned()),
        Just("\"".to_owned()),
        Just(": ".to_owned()),
        Just("=".to_owned()),
        Just("{\"content\":\"".to_owned()),
        Just("data: ".to_owned()),
        Just("<td>".to_owned()),
        Just("é日本".to_owned()),
        Just("sk-".to_owned()),
        Just("Bearer".to_owned()),
        Just("api_key".to_owned()),
        Just("[REDACTED:0123456789ab]".to_owned()),
        "[A-Za-z0-9_-]{1,12}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..10).prop_map(|pieces| pieces.concat())
}

/// Characters that end a key on either side (none is part of any key's alphabet).
fn separator() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![" ", "\n", "\"", "'", ", ", "(", ")", "<", ">", "\t"])
}

fn planted_in_text() -> impl Strategy<Value = (String, String, String)> {
    let kinds: Vec<&'static str> = redact::PATTERNS.iter().map(|(kind, _, _)| *kind).collect();
    prop::sample::select(kinds).prop_flat_map(|kind| {
        (
            planted(kind),
            surrounding(),
            separator(),
            separator(),
            surrounding(),
        )
            .prop_map(move |((key, secret), before, open, close, after)| {
                (
                    kind.to_owned(),
                    format!("{before}{open}{key}{close}{after}"),
                    secret,
                )
            })
    })
}

#[test]
fn every_key_kind_has_a_generator() {
    for (kind, _, _) in redact::PATTERNS {
        let _ = planted(kind);
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn redaction_leaves_no_key_shape_and_removes_the_planted_key(
        (kind, text, secret) in planted_in_text(),
        invalid_utf8 in any::<bool>(),
    ) {
        prop_assert!(
            redact::scan_text(&text).iter().any(|f| text[f.offset..].starts_with(&secret[..4])),
            "the scanner does not see the planted {} in {:?}", kind, text
        );
        let redactor = Redactor::with_key(b"0123456789abcdef0123456789abcdef");
        let clean = redactor.text(&text);
        prop_assert!(!clean.contains(&secret), "{} survived: {:?}", kind, clean);
        prop_assert!(redact::scan_text(&clean).is_empty(), "{:?} in {:?}", redact::scan_text(&clean), clean);
        // Bytes that are not UTF-8 (a binary body) are scrubbed too.
        let mut bytes = text.into_bytes();
        if invalid_utf8 {
            bytes.insert(0, 0xff);
        }
        let scrubbed = redactor.bytes(&bytes);
        let scrubbed = String::from_utf8_lossy(&scrubbed);
        prop_assert!(!scrubbed.contains(&secret), "{} survived in bytes: {:?}", kind, scrubbed);
        prop_assert!(redact::scan_text(&scrubbed).is_empty(), "{:?}", scrubbed);
    }

    #[test]
    fn a_literal_secret_such_as_the_path_token_is_always_replaced(
        token in "[0-9a-f]{32}",
        before in surrounding(),
        after in surrounding(),
    ) {
        let redactor = Redactor::with_key(b"0123456789abcdef").with_literal(token.clone());
        let target = format!("/t/{token}/v1/chat/completions?q={before}");
        prop_assert!(!redactor.target(&target).contains(&token));
        let text = format!("{before}{token}{after}");
        prop_assert!(!redactor.text(&text).contains(&token));
    }
}
