//! Turning a raw [`Recording`] into a capture: decode content-encodings (for the capture only;
//! the client got the bytes untouched), scrub secrets, choose body encodings.

use std::io::Write as _;

use crate::capture::{
    Body, Chunk, Exchange, Provenance, ProvenanceKind, Request, Response, TransportError, header,
    millis,
};
use crate::redact::{self, Redactor};

use super::Recording;

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
    let request_body = (!recording.request_body.is_empty()).then(|| {
        let decoded = decode_whole(request_encoding.as_deref(), &recording.request_body);
        Body::from_bytes(&redactor.bytes(&decoded))
    });
    let request = Request {
        method: recording.method.clone(),
        target: redactor.target(&recording.target),
        http_version: recording.http_version.clone(),
        headers: request_headers,
        body: request_body,
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
        let (body, stream) = if is_stream {
            (
                None,
                Some(stream_chunks(recording, encoding.as_deref(), redactor)),
            )
        } else if recording.chunks.is_empty() {
            (None, None)
        } else {
            let mut whole = Vec::with_capacity(recording.response_bytes());
            for (_, bytes) in &recording.chunks {
                whole.extend_from_slice(bytes);
            }
            let decoded = decode_whole(encoding.as_deref(), &whole);
            (Some(Body::from_bytes(&redactor.bytes(&decoded))), None)
        };
        exchange.response = Some(Response {
            status: head.status,
            http_version: head.http_version.clone(),
            headers,
            headers_at_ms: Some(millis(head.at)),
            body,
            stream,
            ended_at_ms: recording.ended.map(millis),
        });
    }
    exchange.error = recording.error.as_ref().map(|failure| TransportError {
        kind: failure.kind,
        message: redactor.text(&failure.message).into_owned(),
        at_ms: Some(millis(failure.at)),
    });
    exchange
}

/// The stream as chunks, each decoded as it arrived and scrubbed. A secret split across two
/// chunks would survive chunk-by-chunk scrubbing, so the joined text is scanned too; if it still
/// holds one, the chunks are joined into one (timing of the last) and scrubbed whole.
fn stream_chunks(recording: &Recording, encoding: Option<&str>, redactor: &Redactor) -> Vec<Chunk> {
    let mut decoder = StreamDecoder::new(encoding);
    let decoded: Vec<(f64, Vec<u8>)> = recording
        .chunks
        .iter()
        .map(|(at, bytes)| (millis(*at), decoder.feed(bytes)))
        .collect();
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

/// Decode a whole body; bytes that fail to decode are kept as they came.
fn decode_whole(encoding: Option<&str>, bytes: &[u8]) -> Vec<u8> {
    let mut decoder = StreamDecoder::new(encoding);
    let mut out = decoder.feed(bytes);
    out.extend(decoder.finish());
    if decoder.failed { bytes.to_vec() } else { out }
}

/// An incremental decoder for one content-encoding: feed wire chunks, get what each decodes to.
struct StreamDecoder {
    inner: Option<Box<dyn DecodeWrite>>,
    failed: bool,
}

trait DecodeWrite: std::io::Write {
    fn take_output(&mut self) -> Vec<u8>;
    fn finish_output(self: Box<Self>) -> Vec<u8>;
}

macro_rules! decode_write {
    ($ty:ty, $finish:expr) => {
        impl DecodeWrite for $ty {
            fn take_output(&mut self) -> Vec<u8> {
                std::mem::take(self.get_mut())
            }
            fn finish_output(self: Box<Self>) -> Vec<u8> {
                let finish: fn($ty) -> std::io::Result<Vec<u8>> = $finish;
                finish(*self).unwrap_or_default()
            }
        }
    };
}

decode_write!(flate2::write::GzDecoder<Vec<u8>>, |d| d.finish());
decode_write!(flate2::write::ZlibDecoder<Vec<u8>>, |d| d.finish());
decode_write!(flate2::write::DeflateDecoder<Vec<u8>>, |d| d.finish());
decode_write!(zstd::stream::write::Decoder<'static, Vec<u8>>, |mut d| {
    d.flush()?;
    Ok(d.into_inner())
});

impl DecodeWrite for brotli::DecompressorWriter<Vec<u8>> {
    fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(self.get_mut())
    }
    fn finish_output(self: Box<Self>) -> Vec<u8> {
        self.into_inner().unwrap_or_else(|partial| partial)
    }
}

impl StreamDecoder {
    fn new(encoding: Option<&str>) -> StreamDecoder {
        let inner: Option<Box<dyn DecodeWrite>> = match encoding
            .map(|e| e.trim().to_ascii_lowercase())
            .as_deref()
        {
            Some("gzip" | "x-gzip") => Some(Box::new(flate2::write::GzDecoder::new(Vec::new()))),
            // HTTP "deflate" is zlib-wrapped; some servers send raw deflate instead.
            Some("deflate") => Some(Box::new(flate2::write::ZlibDecoder::new(Vec::new()))),
            Some("br") => Some(Box::new(brotli::DecompressorWriter::new(Vec::new(), 4096))),
            Some("zstd") => zstd::stream::write::Decoder::new(Vec::new())
                .ok()
                .map(|d| Box::new(d) as Box<dyn DecodeWrite>),
            _ => None,
        };
        StreamDecoder {
            inner,
            failed: false,
        }
    }

    fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
        let Some(inner) = self.inner.as_mut() else {
            return bytes.to_vec();
        };
        if self.failed {
            return bytes.to_vec();
        }
        match inner.write_all(bytes).and_then(|()| inner.flush()) {
            Ok(()) => inner.take_output(),
            Err(_) => {
                self.failed = true;
                bytes.to_vec()
            }
        }
    }

    fn finish(&mut self) -> Vec<u8> {
        match self.inner.take() {
            Some(inner) if !self.failed => inner.finish_output(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn whole_bodies_decode_for_each_encoding() {
        let text = br#"{"hello":"world"}"#;
        assert_eq!(decode_whole(Some("gzip"), &gzip(text)), text);
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(text).unwrap();
        assert_eq!(decode_whole(Some("deflate"), &zlib.finish().unwrap()), text);
        let mut br = Vec::new();
        {
            let mut writer = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
            writer.write_all(text).unwrap();
        }
        assert_eq!(decode_whole(Some("br"), &br), text);
        let zst = zstd::encode_all(&text[..], 3).unwrap();
        assert_eq!(decode_whole(Some("zstd"), &zst), text);
        assert_eq!(decode_whole(None, text), text);
    }

    #[test]
    fn undecodable_bytes_are_kept_as_they_came() {
        assert_eq!(
            decode_whole(Some("gzip"), b"not gzip at all"),
            b"not gzip at all"
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
        let decoded: Vec<Vec<u8>> = wire.iter().map(|w| decoder.feed(w)).collect();
        assert_eq!(decoded[0], b"data: a\n\n");
        assert_eq!(decoded[1], b"data: b\n\n");
    }
}
