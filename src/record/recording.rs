//! The raw facts of one exchange as the proxy saw them, before redaction. The proxy fills a
//! [`Recording`] on the hot path (timestamps and reference-counted byte chunks only); the
//! writer turns it into a capture off the hot path.

use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::capture::{ErrorKind, Headers};

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
    pub error: Option<Failure>,
    /// The status the proxy itself answered with when the upstream gave none.
    pub proxy_status: Option<u16>,
}

#[derive(Debug, Clone)]
pub struct ResponseHead {
    pub status: u16,
    pub http_version: String,
    pub headers: Headers,
    pub at: Duration,
}

#[derive(Debug, Clone)]
pub struct Failure {
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
            recorded_at: crate::capture::now_rfc3339(),
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
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    pub fn fail(&mut self, kind: ErrorKind, message: impl Into<String>) {
        let at = self.elapsed();
        // The first failure is the cause; later ones are consequences.
        if self.error.is_none() {
            self.error = Some(Failure {
                kind,
                message: message.into(),
                at,
            });
        }
        self.ended.get_or_insert(at);
    }

    /// Bytes of the response body received so far.
    pub fn response_bytes(&self) -> usize {
        self.chunks.iter().map(|(_, bytes)| bytes.len()).sum()
    }
}

/// The HTTP version as captures spell it.
pub fn version_name(version: http::Version) -> &'static str {
    match version {
        http::Version::HTTP_09 => "HTTP/0.9",
        http::Version::HTTP_10 => "HTTP/1.0",
        http::Version::HTTP_2 => "HTTP/2",
        http::Version::HTTP_3 => "HTTP/3",
        _ => "HTTP/1.1",
    }
}
