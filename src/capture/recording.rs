//! The raw facts of one exchange as the proxy saw them, before redaction. The proxy fills a
//! [`Recording`] on the hot path (timestamps and reference-counted byte chunks only); the
//! writer turns it into a capture off the hot path.

use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};

use super::{ErrorKind, Headers};

#[derive(Debug)]
pub struct Recording {
    pub start: Instant,
    /// RFC 3339 time the request arrived.
    pub recorded_at: String,
    /// The base URL the request was forwarded to (`None` in stub mode).
    pub upstream: Option<String>,
    pub method: String,
    /// Path and query as received.
    pub target: String,
    pub http_version: String,
    pub request_headers: Headers,
    pub request_body: Bytes,
    pub response: Option<ResponseHead>,
    /// Response body pieces with their arrival offsets, exactly as they reached the client.
    pub chunks: Vec<(Duration, Bytes)>,
    pub ended: Option<Duration>,
    pub error: Option<TransportFailure>,
    /// The status the proxy itself answered with when the upstream gave none.
    pub proxy_status: Option<u16>,
    /// Response bytes the client got but `chunks` does not hold: the body outgrew this limit.
    pub over_limit: Option<OverLimit>,
}

/// The response body went past the capture limit: what is past it reached the client only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverLimit {
    pub limit: usize,
    pub bytes: u64,
}

#[derive(Debug, Clone)]
pub struct ResponseHead {
    pub status: u16,
    pub http_version: String,
    pub headers: Headers,
    pub at: Duration,
}

#[derive(Debug, Clone)]
pub struct TransportFailure {
    pub kind: ErrorKind,
    pub message: String,
    pub at: Duration,
}

impl Recording {
    pub fn new(
        method: String,
        target: String,
        http_version: String,
        request_headers: Headers,
    ) -> Recording {
        Recording {
            start: Instant::now(),
            recorded_at: super::now_rfc3339(),
            upstream: None,
            method,
            target,
            http_version,
            request_headers,
            request_body: Bytes::new(),
            response: None,
            chunks: Vec::new(),
            ended: None,
            error: None,
            proxy_status: None,
            over_limit: None,
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    pub fn fail(&mut self, kind: ErrorKind, message: impl Into<String>) {
        let at = self.elapsed();
        // The first failure is the cause; later ones are consequences.
        if self.error.is_none() {
            self.error = Some(TransportFailure {
                kind,
                message: message.into(),
                at,
            });
        }
        self.ended.get_or_insert(at);
    }

    /// Keep a response chunk that arrived at `at`, unless the kept body would outgrow `limit`
    /// (`kept` is what is kept so far); from the first chunk that does not fit, every later one
    /// is only counted, so the capture is a prefix of what the client got.
    pub fn keep_chunk(&mut self, at: Duration, data: &Bytes, kept: &mut usize, limit: usize) {
        if self.over_limit.is_none() && *kept + data.len() <= limit {
            *kept += data.len();
            self.chunks.push((at, data.clone()));
        } else {
            self.over_limit
                .get_or_insert(OverLimit { limit, bytes: 0 })
                .bytes += data.len() as u64;
        }
    }

    /// Bytes of the response body received so far.
    pub fn response_bytes(&self) -> usize {
        self.chunks.iter().map(|(_, bytes)| bytes.len()).sum()
    }

    /// Roughly what the recording holds in memory (bodies, headers, the rest).
    pub fn held_bytes(&self) -> usize {
        let headers = |headers: &Headers| -> usize {
            headers.iter().map(|(n, v)| n.len() + v.len() + 48).sum()
        };
        let response = self.response.as_ref().map_or(0, |r| headers(&r.headers));
        std::mem::size_of::<Recording>()
            + self.request_body.len()
            + self.response_bytes()
            + self.chunks.len() * std::mem::size_of::<(Duration, Bytes)>()
            + headers(&self.request_headers)
            + response
            + self.target.len()
    }

    /// Move small response chunks into one buffer of their exact size. Each chunk is a slice
    /// of the connection's read buffer it arrived in, and keeps that whole buffer (kilobytes,
    /// for a few bytes of event) alive while the recording waits for the writer. Large chunks
    /// stay where they are: they waste little, and copying them would cost time at the end of
    /// a big stream.
    pub fn compact(&mut self) {
        const SMALL: usize = 16 * 1024;
        let small: usize = self
            .chunks
            .iter()
            .filter(|(_, b)| b.len() < SMALL)
            .map(|(_, b)| b.len())
            .sum();
        if small == 0 {
            return;
        }
        let mut buffer = BytesMut::with_capacity(small);
        for (_, bytes) in self.chunks.iter().filter(|(_, b)| b.len() < SMALL) {
            buffer.extend_from_slice(bytes);
        }
        let mut whole = buffer.freeze();
        for (_, bytes) in self.chunks.iter_mut().filter(|(_, b)| b.len() < SMALL) {
            *bytes = whole.split_to(bytes.len());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compaction_lets_go_of_the_read_buffers_small_chunks_came_from() {
        let read_buffer = Bytes::from(vec![b'a'; 64 * 1024]);
        let big = Bytes::from(vec![b'b'; 32 * 1024]);
        let mut recording = Recording::new(String::new(), String::new(), String::new(), vec![]);
        recording.chunks = vec![
            (Duration::from_millis(1), read_buffer.slice(0..10)),
            (Duration::from_millis(2), big.clone()),
            (Duration::from_millis(3), read_buffer.slice(100..107)),
        ];
        let before: Vec<(Duration, Vec<u8>)> = recording
            .chunks
            .iter()
            .map(|(at, b)| (*at, b.to_vec()))
            .collect();
        recording.compact();
        let after: Vec<(Duration, Vec<u8>)> = recording
            .chunks
            .iter()
            .map(|(at, b)| (*at, b.to_vec()))
            .collect();
        assert_eq!(before, after, "same bytes, same times");
        let buffer = read_buffer.as_ptr_range();
        for (_, chunk) in [&recording.chunks[0], &recording.chunks[2]] {
            assert!(
                !buffer.contains(&chunk.as_ptr()),
                "still a slice of the read buffer"
            );
        }
        assert_eq!(
            recording.chunks[1].1.as_ptr(),
            big.as_ptr(),
            "a large chunk is not copied"
        );
    }
}
