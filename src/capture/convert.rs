//! Turning a raw [`Recording`] into a capture: decode content-encodings (for the capture only;
//! the client got the bytes untouched), scrub secrets, choose body encodings.
//!
//! Redaction can only scrub what it can read. Bytes under a content-encoding that fails to
//! decode, or that the recorder does not know, are left out of the capture (with an `omitted`
//! note saying how many and why) rather than written where a secret could hide in them. The
//! one exception is a body that is readable text after all (a server that labels plain text as
//! gzip): it is kept, scrubbed, because that mislabel is itself the evidence.

use std::io::Write as _;

use super::redact::{self, Redactor};
use super::{
    Body, Chunk, Exchange, Omitted, Provenance, ProvenanceKind, Request, Response, TransportError,
    header, millis,
};

use super::recording::{OverLimit, Recording};

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
    let (request_body, request_omitted) = if recording.request_body.is_empty() {
        (None, None)
    } else {
        let decoded = decode_whole(request_encoding.as_deref(), &recording.request_body);
        (
            Some(Body::from_bytes(&redactor.bytes(&decoded.bytes))),
            decoded.omitted,
        )
    };
    let request = Request {
        method: recording.method.clone(),
        target: redactor.target(&recording.target),
        http_version: recording.http_version.clone(),
        headers: request_headers,
        body: request_body,
        omitted: request_omitted,
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
        let (body, stream, undecoded) = if is_stream {
            let (chunks, omitted) = stream_chunks(recording, encoding.as_deref(), redactor);
            (None, Some(chunks), omitted)
        } else if recording.chunks.is_empty() {
            (None, None, None)
        } else {
            let mut whole = Vec::with_capacity(recording.response_bytes());
            for (_, bytes) in &recording.chunks {
                whole.extend_from_slice(bytes);
            }
            let decoded = decode_whole(encoding.as_deref(), &whole);
            let body = Body::from_bytes(&redactor.bytes(&decoded.bytes));
            (Some(body), None, decoded.omitted)
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

/// The stream as chunks, each decoded as it arrived and scrubbed. A secret split across two
/// chunks would survive chunk-by-chunk scrubbing, so the joined text is scanned too; if it still
/// holds one, the chunks are joined into one (timing of the last) and scrubbed whole. Chunks
/// from the one that fails to decode on are left out (see the module doc).
fn stream_chunks(
    recording: &Recording,
    encoding: Option<&str>,
    redactor: &Redactor,
) -> (Vec<Chunk>, Option<Omitted>) {
    let mut decoder = StreamDecoder::new(encoding);
    let mut decoded: Vec<(f64, Vec<u8>)> = Vec::with_capacity(recording.chunks.len());
    let mut omitted = None;
    for (i, (at, bytes)) in recording.chunks.iter().enumerate() {
        match decoder.feed(bytes) {
            Ok(out) => decoded.push((millis(*at), out)),
            Err(why) => {
                let rest = &recording.chunks[i..];
                if i == 0 && rest.iter().all(|(_, b)| std::str::from_utf8(b).is_ok()) {
                    decoded = rest
                        .iter()
                        .map(|(at, b)| (millis(*at), b.to_vec()))
                        .collect();
                } else {
                    let bytes = rest.iter().map(|(_, b)| b.len() as u64).sum();
                    omitted = Some(Omitted {
                        bytes,
                        reason: undecodable(encoding, &why),
                    });
                }
                break;
            }
        }
    }
    (scrub_stream(decoded, redactor), omitted)
}

fn scrub_stream(decoded: Vec<(f64, Vec<u8>)>, redactor: &Redactor) -> Vec<Chunk> {
    let scrubbed: Vec<(f64, Vec<u8>)> = decoded
        .iter()
        .map(|(at, bytes)| (*at, redactor.bytes(bytes).into_owned()))
        .collect();
    let joined: Vec<u8> = scrubbed
        .iter()
        .flat_map(|(_, b)| b.iter().copied())
        .collect();
    if !redact::scan_text(&String::from_utf8_lossy(&joined)).is_empty() {
        let whole: Vec<u8> = decoded
            .iter()
            .flat_map(|(_, b)| b.iter().copied())
            .collect();
        let at = decoded.last().map_or(0.0, |(at, _)| *at);
        return vec![Chunk::new(Some(at), &redactor.bytes(&whole))];
    }
    scrubbed
        .into_iter()
        .map(|(at, bytes)| Chunk::new(Some(at), &bytes))
        .collect()
}

/// A body decoded for the capture, and what of it could not be.
struct Decoded {
    bytes: Vec<u8>,
    omitted: Option<Omitted>,
}

/// Pieces a whole body is decoded in, so that a failure late in a body keeps what came before.
const DECODE_PIECE: usize = 16 * 1024;

/// Decode a whole body. What fails to decode is left out, unless the body is readable text as
/// it came (see the module doc).
fn decode_whole(encoding: Option<&str>, bytes: &[u8]) -> Decoded {
    let mut decoder = StreamDecoder::new(encoding);
    let mut out = Vec::new();
    // Wire bytes fed so far, and those known to be decoded: up to the last piece that gave
    // output. A decoder may swallow bytes and fail only later, so that is what can be vouched for.
    let (mut fed, mut vouched) = (0, 0);
    let failure = loop {
        let Some(piece) = bytes.get(fed..(fed + DECODE_PIECE).min(bytes.len())) else {
            break None;
        };
        if piece.is_empty() {
            break decoder.finish().map(|tail| out.extend(tail)).err();
        }
        match decoder.feed(piece) {
            Ok(decoded) => {
                fed += piece.len();
                if !decoded.is_empty() {
                    vouched = fed;
                }
                out.extend(decoded);
            }
            Err(why) => break Some(why),
        }
    };
    match failure {
        None => Decoded {
            bytes: out,
            omitted: None,
        },
        Some(_) if out.is_empty() && std::str::from_utf8(bytes).is_ok() => Decoded {
            bytes: bytes.to_vec(),
            omitted: None,
        },
        Some(why) => Decoded {
            bytes: out,
            omitted: Some(Omitted {
                bytes: (bytes.len() - vouched) as u64,
                reason: undecodable(encoding, &why),
            }),
        },
    }
}

fn undecodable(encoding: Option<&str>, why: &str) -> String {
    format!(
        "the body's content-encoding `{}` {why}; the bytes it could not decode reached the other \
         side but are not kept here, because what cannot be read cannot be scrubbed of secrets",
        encoding.unwrap_or_default().trim()
    )
}

/// One note for a response body that both failed to decode and outgrew the capture limit.
fn merge_omitted(undecoded: Option<Omitted>, over: Option<OverLimit>) -> Option<Omitted> {
    let over = over.map(|over| Omitted {
        bytes: over.bytes,
        reason: format!(
            "the body is larger than the recorder's --max-capture-body ({} bytes); the client \
             received all of it, the capture keeps the first part",
            over.limit
        ),
    });
    match (undecoded, over) {
        (Some(a), Some(b)) => Some(Omitted {
            bytes: a.bytes + b.bytes,
            reason: format!("{}; and {}", a.reason, b.reason),
        }),
        (a, b) => a.or(b),
    }
}

/// An incremental decoder for one content-encoding: feed wire chunks, get what each decodes to.
/// After the first failure every feed fails: a compressed stream cannot resync.
enum StreamDecoder {
    Identity,
    Decoding(Box<dyn DecodeWrite>),
    Failed(String),
}

trait DecodeWrite: std::io::Write {
    fn take_output(&mut self) -> Vec<u8>;
    fn finish_output(self: Box<Self>) -> std::io::Result<Vec<u8>>;
}

macro_rules! decode_write {
    ($ty:ty, $finish:expr) => {
        impl DecodeWrite for $ty {
            fn take_output(&mut self) -> Vec<u8> {
                std::mem::take(self.get_mut())
            }
            fn finish_output(self: Box<Self>) -> std::io::Result<Vec<u8>> {
                let finish: fn($ty) -> std::io::Result<Vec<u8>> = $finish;
                finish(*self)
            }
        }
    };
}

decode_write!(flate2::write::GzDecoder<Vec<u8>>, |d| d.finish());
decode_write!(flate2::write::ZlibDecoder<Vec<u8>>, |d| d.finish());
decode_write!(zstd::stream::write::Decoder<'static, Vec<u8>>, |mut d| {
    d.flush()?;
    Ok(d.into_inner())
});
decode_write!(brotli::DecompressorWriter<Vec<u8>>, |d| d
    .into_inner()
    .map_err(|_| std::io::Error::other("the brotli stream ends early")));

impl StreamDecoder {
    fn new(encoding: Option<&str>) -> StreamDecoder {
        let name = encoding.map(|e| e.trim().to_ascii_lowercase());
        let decoder: Box<dyn DecodeWrite> = match name.as_deref() {
            None | Some("" | "identity") => return StreamDecoder::Identity,
            Some("gzip" | "x-gzip") => Box::new(flate2::write::GzDecoder::new(Vec::new())),
            // HTTP "deflate" is zlib-wrapped (RFC 9110 8.4.1.2).
            Some("deflate") => Box::new(flate2::write::ZlibDecoder::new(Vec::new())),
            Some("br") => Box::new(brotli::DecompressorWriter::new(Vec::new(), 4096)),
            Some("zstd") => match zstd::stream::write::Decoder::new(Vec::new()) {
                Ok(decoder) => Box::new(decoder),
                Err(err) => return StreamDecoder::Failed(format!("could not be set up: {err}")),
            },
            Some(_) => {
                return StreamDecoder::Failed(
                    "is not one the recorder decodes (it knows gzip, deflate, br and zstd)"
                        .to_owned(),
                );
            }
        };
        StreamDecoder::Decoding(decoder)
    }

    fn feed(&mut self, bytes: &[u8]) -> Result<Vec<u8>, String> {
        match self {
            StreamDecoder::Identity => Ok(bytes.to_vec()),
            StreamDecoder::Failed(why) => Err(why.clone()),
            StreamDecoder::Decoding(inner) => {
                match inner.write_all(bytes).and_then(|()| inner.flush()) {
                    Ok(()) => Ok(inner.take_output()),
                    Err(err) => {
                        let why = format!("failed to decode: {err}");
                        *self = StreamDecoder::Failed(why.clone());
                        Err(why)
                    }
                }
            }
        }
    }

    /// What the decoder still holds at the end of the body.
    fn finish(&mut self) -> Result<Vec<u8>, String> {
        match std::mem::replace(self, StreamDecoder::Identity) {
            StreamDecoder::Identity => Ok(Vec::new()),
            StreamDecoder::Failed(why) => Err(why),
            StreamDecoder::Decoding(inner) => inner
                .finish_output()
                .map_err(|err| format!("failed to decode at the end of the body: {err}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bytes::Bytes;

    use super::*;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn whole(encoding: Option<&str>, bytes: &[u8]) -> Vec<u8> {
        let decoded = decode_whole(encoding, bytes);
        assert_eq!(decoded.omitted, None);
        decoded.bytes
    }

    #[test]
    fn whole_bodies_decode_for_each_encoding() {
        let text = br#"{"hello":"world"}"#;
        assert_eq!(whole(Some("gzip"), &gzip(text)), text);
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(text).unwrap();
        assert_eq!(whole(Some("deflate"), &zlib.finish().unwrap()), text);
        let mut br = Vec::new();
        {
            let mut writer = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
            writer.write_all(text).unwrap();
        }
        assert_eq!(whole(Some("br"), &br), text);
        let zst = zstd::encode_all(&text[..], 3).unwrap();
        assert_eq!(whole(Some("zstd"), &zst), text);
        assert_eq!(whole(None, text), text);
        assert_eq!(whole(Some(" Identity "), text), text);
    }

    #[test]
    fn text_mislabelled_as_compressed_is_kept_as_it_came() {
        assert_eq!(whole(Some("gzip"), b"not gzip at all"), b"not gzip at all");
    }

    #[test]
    fn unreadable_bytes_are_left_out_and_counted() {
        let binary = [0x1f, 0x8b, 0xff, 0x00, 0xfe, 0x80, 0x81];
        let decoded = decode_whole(Some("gzip"), &binary);
        assert!(decoded.bytes.is_empty());
        let omitted = decoded.omitted.unwrap();
        assert_eq!(omitted.bytes, binary.len() as u64);
        assert!(
            omitted.reason.contains("`gzip` failed to decode"),
            "{}",
            omitted.reason
        );

        let decoded = decode_whole(Some("compress"), &[0x1f, 0x9d, 0x90, 0xff]);
        assert!(decoded.bytes.is_empty());
        assert!(
            decoded
                .omitted
                .unwrap()
                .reason
                .contains("`compress` is not one the recorder decodes")
        );
    }

    #[test]
    fn a_body_that_breaks_late_keeps_what_decoded_before() {
        // Incompressible text, so the break lands well past the first decode piece.
        let mut state = 0x2545_f491_u32;
        let text: String = (0..40_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                char::from(b'a' + (state % 26) as u8)
            })
            .collect();
        let mut wire = gzip(text.as_bytes());
        let at = wire.len() - 2_000;
        wire[at..at + 64].fill(0xff);
        let decoded = decode_whole(Some("gzip"), &wire);
        assert!(
            decoded.bytes.len() >= DECODE_PIECE,
            "{}",
            decoded.bytes.len()
        );
        // Deflate decodes corrupt bits into wrong bytes for a while before it notices; what came
        // before the damage is exact.
        assert_eq!(
            decoded.bytes[..DECODE_PIECE],
            text.as_bytes()[..DECODE_PIECE]
        );
        let omitted = decoded.omitted.unwrap();
        assert!(
            omitted.bytes <= (wire.len() - DECODE_PIECE) as u64,
            "{omitted:?}"
        );
        assert!(
            omitted.reason.contains("`gzip` failed to decode"),
            "{omitted:?}"
        );
    }

    #[test]
    fn a_gzip_stream_decodes_chunk_by_chunk() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let mut wire = Vec::new();
        for event in ["data: a\n\n", "data: b\n\n"] {
            encoder.write_all(event.as_bytes()).unwrap();
            encoder.flush().unwrap();
            wire.push(std::mem::take(encoder.get_mut()));
        }
        wire.push(encoder.finish().unwrap());
        let mut decoder = StreamDecoder::new(Some("gzip"));
        let decoded: Vec<Vec<u8>> = wire.iter().map(|w| decoder.feed(w).unwrap()).collect();
        assert_eq!(decoded[0], b"data: a\n\n");
        assert_eq!(decoded[1], b"data: b\n\n");
    }

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
