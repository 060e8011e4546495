//! The raw facts of one exchange as the proxy saw them, before redaction. The proxy fills a
//! [`Recording`] on the hot path (timestamps and byte chunks only); the writer turns it into a
//! capture off the hot path.
//!
//! What a recording keeps is what it holds: small response chunks are copied into shared
//! blocks as they arrive ([`Recording::keep_chunk`]). Each chunk is a slice of the connection's
//! read buffer it arrived in, and kept as it is would keep that whole buffer (kilobytes, for a
//! few bytes of event) alive until the capture is written, which the budget could not see.

use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};

use super::budget::{CaptureBudget, Charge};
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
    /// Response bytes the client got but `chunks` does not hold: the body outgrew a limit.
    pub over_limit: Option<OverLimit>,
    /// What the kept chunks take from the budget of every capture in flight.
    pub charge: Charge,
    /// The block small chunks are being copied into.
    pack: BytesMut,
}

/// The response body went past a capture limit: what is past it reached the client only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverLimit {
    /// The limit in bytes.
    pub limit: usize,
    /// Which limit it was.
    pub by: LimitKind,
    /// Bytes left out.
    pub bytes: u64,
}

/// The limit a capture ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    /// `--max-capture-body`: this exchange's own limit.
    Body,
    /// `--max-capture-memory`: the budget of every capture in flight.
    Memory,
}

/// Chunks smaller than this are copied into blocks of [`PACK`] bytes; larger ones waste little
/// of their read buffer and stay where they are (copying them would only cost time).
const SMALL: usize = 16 * 1024;
const PACK: usize = 64 * 1024;
/// What keeping one chunk costs besides its bytes (its arrival time and handle).
const PER_CHUNK: usize = std::mem::size_of::<(Duration, Bytes)>();

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
        let mut recording = Recording::unstamped(
            Instant::now(),
            method,
            target,
            http_version,
            request_headers,
        );
        recording.recorded_at = super::now_rfc3339();
        recording
    }

    /// A recording that started at `start`, with `recorded_at` left for the caller to fill.
    pub fn unstamped(
        start: Instant,
        method: String,
        target: String,
        http_version: String,
        request_headers: Headers,
    ) -> Recording {
        Recording {
            start,
            recorded_at: String::new(),
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
            charge: Charge::default(),
            pack: BytesMut::new(),
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
    /// (`kept` is what is kept so far) or the chunk does not fit in `budget`; from the first
    /// chunk that is not kept, every later one is only counted, so the capture is a prefix of
    /// what the client got.
    pub fn keep_chunk(
        &mut self,
        at: Duration,
        data: &Bytes,
        kept: &mut usize,
        limit: usize,
        budget: &CaptureBudget,
    ) {
        if self.over_limit.is_none() {
            if *kept + data.len() > limit {
                self.over_limit = Some(OverLimit {
                    limit,
                    by: LimitKind::Body,
                    bytes: 0,
                });
            } else if let Some(chunk) = self.take(data, budget) {
                *kept += data.len();
                self.chunks.push((at, chunk));
                return;
            } else {
                self.over_limit = Some(OverLimit {
                    limit: budget.limit(),
                    by: LimitKind::Memory,
                    bytes: 0,
                });
            }
        }
        if let Some(over) = &mut self.over_limit {
            over.bytes += data.len() as u64;
        }
    }

    /// The chunk as it will be kept (small ones copied into the current block), with what it
    /// costs charged to the budget; `None` when that does not fit.
    fn take(&mut self, data: &Bytes, budget: &CaptureBudget) -> Option<Bytes> {
        if data.len() >= SMALL {
            return self
                .charge
                .add(budget, data.len() + PER_CHUNK)
                .then(|| data.clone());
        }
        let room = self.pack.capacity() - self.pack.len();
        if room < data.len() {
            if !self.charge.add(budget, PACK + PER_CHUNK) {
                return None;
            }
            self.pack = BytesMut::with_capacity(PACK);
        } else if !self.charge.add(budget, PER_CHUNK) {
            return None;
        }
        self.pack.extend_from_slice(data);
        Some(self.pack.split().freeze())
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_chunks_are_copied_out_of_their_read_buffers_and_charged() {
        let read_buffer = Bytes::from(vec![b'a'; 64 * 1024]);
        let big = Bytes::from(vec![b'b'; 32 * 1024]);
        let budget = CaptureBudget::new(usize::MAX);
        let mut recording = Recording::new(String::new(), String::new(), String::new(), vec![]);
        let mut kept = 0;
        for (i, chunk) in [
            read_buffer.slice(0..10),
            big.clone(),
            read_buffer.slice(100..107),
        ]
        .iter()
        .enumerate()
        {
            let at = Duration::from_millis(i as u64);
            recording.keep_chunk(at, chunk, &mut kept, usize::MAX, &budget);
        }
        let got: Vec<Vec<u8>> = recording.chunks.iter().map(|(_, b)| b.to_vec()).collect();
        assert_eq!(
            got,
            vec![vec![b'a'; 10], vec![b'b'; 32 * 1024], vec![b'a'; 7]]
        );
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
        assert_eq!(budget.held(), PACK + 32 * 1024 + 3 * PER_CHUNK);
        drop(recording);
        assert_eq!(budget.held(), 0, "given back with the recording");
    }

    #[test]
    fn a_full_budget_ends_what_the_capture_keeps_and_counts_the_rest() {
        let budget = CaptureBudget::new(PACK + 4 * PER_CHUNK);
        let mut other = Recording::new(String::new(), String::new(), String::new(), vec![]);
        let mut recording = Recording::new(String::new(), String::new(), String::new(), vec![]);
        let (mut kept, mut other_kept) = (0, 0);
        let event = Bytes::from_static(b"data: {}\n\n");
        recording.keep_chunk(Duration::ZERO, &event, &mut kept, usize::MAX, &budget);
        recording.keep_chunk(Duration::ZERO, &event, &mut kept, usize::MAX, &budget);
        // Another capture needs a block of its own: there is no room for it.
        other.keep_chunk(Duration::ZERO, &event, &mut other_kept, usize::MAX, &budget);
        assert_eq!(other.chunks.len(), 0);
        let over = other.over_limit.unwrap();
        assert_eq!(
            (over.by, over.bytes),
            (LimitKind::Memory, event.len() as u64)
        );
        // Once cut, a capture stays cut even when room comes back: it keeps a prefix.
        drop(recording);
        other.keep_chunk(Duration::ZERO, &event, &mut other_kept, usize::MAX, &budget);
        assert_eq!(other.chunks.len(), 0);
        assert_eq!(other.over_limit.unwrap().bytes, 2 * event.len() as u64);
    }
}
