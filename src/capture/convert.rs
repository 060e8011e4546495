//! Turning a raw [`Recording`] into a capture: decode content-encodings (for the capture only;
//! the client got the bytes untouched), scrub secrets, choose body encodings.
//!
//! Redaction can only scrub what it can read. Bytes under a content-encoding that fails to
//! decode, or that the recorder does not know, are left out of the capture (with an `omitted`
//! note saying how many and why) rather than written where a secret could hide in them. The
//! one exception is a body that is readable text after all (a server that labels plain text as
//! gzip): it is kept, scrubbed, because that mislabel is itself the evidence.

use super::encoding::{self, KEPT_AS_TEXT, LEFT_OUT, StreamDecoder, decode_whole, undecodable};
use super::redact::{Redactor, stream};
use super::{
    Chunk, Exchange, Omitted, Provenance, ProvenanceKind, Request, Response, TransportError,
    header, millis,
};

use super::recording::{LimitKind, OverLimit, Recording};

/// Build the capture for a recording. `session` and `source` fill the provenance.
pub fn to_exchange(
    recording: &Recording,
    session: &str,
    source: &str,
    redactor: &Redactor,
) -> Exchange {
    let mut request_headers = recording.request_headers.clone();
    let request_encoding = header(&request_headers, "content-encoding").map(str::to_owned);
    redactor.headers(&mut request_headers);
    let (request_body, request_omitted, request_mismatch) = if recording.request_body.is_empty() {
        (None, None, None)
    } else {
        let decoded = decode_whole(request_encoding.as_deref(), &recording.request_body);
        (
            Some(redactor.body(&decoded.bytes)),
            decoded.omitted,
            decoded.mismatch,
        )
    };
    let request = Request {
        method: recording.method.clone(),
        target: redactor.target(&recording.target),
        http_version: recording.http_version.clone(),
        headers: request_headers,
        body: request_body,
        omitted: request_omitted,
        encoding_mismatch: request_mismatch,
    };
    let provenance = Provenance {
        kind: ProvenanceKind::Recorded,
        source: source.to_owned(),
    };
    let mut exchange = Exchange::new(session, provenance, request);
    exchange.recorded_at = recording.recorded_at.clone();
    exchange.upstream = recording.upstream.as_deref().map(|url| redactor.url(url));
    if let Some(head) = &recording.response {
        let mut headers = head.headers.clone();
        let encoding = header(&headers, "content-encoding").map(str::to_owned);
        let is_stream = header(&headers, "content-type")
            .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("text/event-stream"));
        redactor.headers(&mut headers);
        let (body, stream, undecoded, mismatch) = if is_stream {
            let (chunks, omitted, mismatch) =
                stream_chunks(recording, encoding.as_deref(), redactor);
            (None, Some(chunks), omitted, mismatch)
        } else if recording.chunks.is_empty() {
            (None, None, None, None)
        } else {
            let mut whole = Vec::with_capacity(recording.response_bytes());
            for (_, bytes) in &recording.chunks {
                whole.extend_from_slice(bytes);
            }
            let decoded = decode_whole(encoding.as_deref(), &whole);
            let body = redactor.body(&decoded.bytes);
            (Some(body), None, decoded.omitted, decoded.mismatch)
        };
        let omitted = merge_omitted(undecoded, recording.over_limit);
        exchange.response = Some(Response {
            status: head.status,
            http_version: head.http_version.clone(),
            headers,
            headers_at_ms: Some(millis(head.at)),
            body,
            stream,
            ended_at_ms: recording.ended.map(millis),
            omitted,
            encoding_mismatch: mismatch,
        });
    }
    exchange.error = recording.error.as_ref().map(|failure| TransportError {
        kind: failure.kind,
        message: redactor.text(&failure.message).into_owned(),
        at_ms: Some(millis(failure.at)),
    });
    if exchange
        .response
        .as_ref()
        .is_some_and(|r| r.omitted.is_none() && r.stream_complete())
    {
        // The connection ended after the whole stream had arrived (the OpenAI Python SDK
        // closes right after `[DONE]`): nothing was lost, so it is no failure. `ended_at_ms`
        // still says when the connection ended; the console notes how.
        exchange.error = None;
    }
    exchange
}

/// Why a recording's connection ended, when the capture holds a complete stream and so
/// records no failure ([`to_exchange`]); `None` otherwise.
pub fn closed_after_complete(recording: &Recording, exchange: &Exchange) -> Option<String> {
    let failure = recording.error.as_ref()?;
    (exchange.error.is_none()).then(|| {
        format!(
            "the stream was complete; then the connection ended ({})",
            failure.kind.as_str()
        )
    })
}

/// The stream as chunks, each decoded as it arrived, then scrubbed as its reader reassembles
/// it ([`stream::scrub`]: every chunk stays, with its arrival time). Chunks from the one that
/// fails to decode on are left out (see the module doc). The last part says when the bytes did
/// not match their content-encoding.
fn stream_chunks(
    recording: &Recording,
    encoding: Option<&str>,
    redactor: &Redactor,
) -> (Vec<Chunk>, Option<Omitted>, Option<String>) {
    let mut decoder = StreamDecoder::new(encoding);
    let mut decoded: Vec<(Option<f64>, Vec<u8>)> = Vec::with_capacity(recording.chunks.len());
    let mut omitted = None;
    let mut mismatch = None;
    for (i, (at, bytes)) in recording.chunks.iter().enumerate() {
        match decoder.feed(bytes) {
            Ok(out) => decoded.push((Some(millis(*at)), out)),
            Err(why) => {
                let rest = &recording.chunks[i..];
                if i == 0 && rest.iter().all(|(_, b)| std::str::from_utf8(b).is_ok()) {
                    decoded = rest
                        .iter()
                        .map(|(at, b)| (Some(millis(*at)), b.to_vec()))
                        .collect();
                    mismatch = encoding::mismatch(encoding, &why, KEPT_AS_TEXT);
                } else {
                    let bytes = rest.iter().map(|(_, b)| b.len() as u64).sum();
                    omitted = Some(Omitted {
                        bytes,
                        reason: undecodable(encoding, &why),
                    });
                    mismatch = encoding::mismatch(encoding, &why, LEFT_OUT);
                }
                break;
            }
        }
    }
    (stream::scrub(redactor, &decoded), omitted, mismatch)
}

/// One note for a response body that both failed to decode and outgrew the capture limit.
fn merge_omitted(undecoded: Option<Omitted>, over: Option<OverLimit>) -> Option<Omitted> {
    let over = over.map(|over| Omitted {
        bytes: over.bytes,
        reason: match over.by {
            LimitKind::Body => format!(
                "the body is larger than the recorder's --max-capture-body ({} bytes); the client \
                 received all of it, the capture keeps the first part",
                over.limit
            ),
            LimitKind::Memory => format!(
                "the recorder's memory for captures in flight (--max-capture-memory, {} bytes \
                 across every exchange) was full; the client received all of the body, the \
                 capture keeps the first part",
                over.limit
            ),
        },
    });
    match (undecoded, over) {
        (Some(a), Some(b)) => Some(Omitted {
            bytes: a.bytes + b.bytes,
            reason: format!("{}; and {}", a.reason, b.reason),
        }),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;
    use std::time::Duration;

    use bytes::Bytes;

    use super::*;

    fn streamed(encoding: &str, chunks: Vec<Vec<u8>>) -> Recording {
        let mut recording = Recording::new(
            "POST".into(),
            "/v1/chat/completions".into(),
            "HTTP/1.1".into(),
            vec![],
        );
        recording.response = Some(super::super::recording::ResponseHead {
            status: 200,
            http_version: "HTTP/1.1".into(),
            headers: vec![
                ("content-type".into(), "text/event-stream".into()),
                ("content-encoding".into(), encoding.into()),
            ],
            at: Duration::from_millis(1),
        });
        recording.chunks = chunks
            .into_iter()
            .enumerate()
            .map(|(i, c)| (Duration::from_millis(2 + i as u64), Bytes::from(c)))
            .collect();
        recording.ended = Some(Duration::from_millis(10));
        recording
    }

    #[test]
    fn a_stream_that_stops_decoding_keeps_the_chunks_before_and_counts_the_rest() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(b"data: {\"a\":1}\n\n").unwrap();
        encoder.flush().unwrap();
        let first = std::mem::take(encoder.get_mut());
        let garbage = vec![0xff, 0x00, 0xfe, 0x80, 0x01, 0x02, 0x03];
        let recording = streamed("gzip", vec![first, garbage.clone(), vec![0x80; 10]]);
        let exchange = to_exchange(
            &recording,
            "s",
            "test",
            &Redactor::with_key(b"0123456789abcdef0123456789abcdef"),
        );
        let response = exchange.response.unwrap();
        let stream = response.stream.unwrap();
        assert_eq!(stream.len(), 1);
        assert_eq!(&*stream[0].data.to_bytes(), b"data: {\"a\":1}\n\n");
        assert_eq!(response.omitted.unwrap().bytes, (garbage.len() + 10) as u64);
    }

    #[test]
    fn a_body_over_the_capture_limit_says_what_was_left_out() {
        let mut recording = streamed("identity", vec![]);
        let (mut kept, limit) = (0, 10);
        for (i, piece) in [&b"data: 1\n\n"[..], b"data: 22\n\n", b"data: 3\n\n"]
            .iter()
            .enumerate()
        {
            recording.keep_chunk(
                Duration::from_millis(i as u64),
                &Bytes::copy_from_slice(piece),
                &mut kept,
                limit,
                &crate::capture::budget::CaptureBudget::new(usize::MAX),
            );
        }
        let exchange = to_exchange(
            &recording,
            "s",
            "test",
            &Redactor::with_key(b"0123456789abcdef0123456789abcdef"),
        );
        let response = exchange.response.unwrap();
        assert_eq!(response.stream.unwrap().len(), 1, "a prefix, not a gap");
        let omitted = response.omitted.unwrap();
        assert_eq!(omitted.bytes, 19);
        assert!(
            omitted.reason.contains("--max-capture-body (10 bytes)"),
            "{}",
            omitted.reason
        );
    }
}
