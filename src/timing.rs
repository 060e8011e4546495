//! Latency figures of one exchange: TTFB, TTFT, duration, and the gaps between chunks.
//!
//! TTFT is the arrival of the chunk that completed the first event carrying content or a tool
//! call, not the first chunk: the first chunk often carries only the role.
//!
//! A request that had to open its connection first also waited for the TCP connect and the TLS
//! handshake; [`Connection`] keeps those apart (as `oha` does), so that the first request of a
//! replay lane is not charged with them.

use serde::{Deserialize, Serialize};

use crate::capture::Response;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// Request start to response head.
    pub ttfb_ms: Option<f64>,
    /// Request start to the first content or tool-call delta.
    pub ttft_ms: Option<f64>,
    /// Request start to the end of the body.
    pub duration_ms: Option<f64>,
    /// Chunks that arrived (streams only).
    pub chunks: usize,
    /// Median, 99th percentile and largest gap between consecutive chunks.
    pub gap_p50_ms: Option<f64>,
    pub gap_p99_ms: Option<f64>,
    pub gap_max_ms: Option<f64>,
}

/// The connection a request opened before it could be sent: how long the TCP connect took,
/// and the TLS handshake after it (`None` over plain HTTP). A request sent on a connection that
/// was already open has none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    pub connect_ms: f64,
    pub tls_ms: Option<f64>,
}

impl Connection {
    /// Connect and handshake together: what the request waited before it could be sent.
    pub fn setup_ms(&self) -> f64 {
        self.connect_ms + self.tls_ms.unwrap_or(0.0)
    }
}

impl Timing {
    /// Figures for a response; `first_content_chunk` comes from the stream check.
    pub fn of(response: &Response, first_content_chunk: Option<usize>) -> Timing {
        let chunks = response.stream.as_deref().unwrap_or_default();
        let arrivals: Vec<f64> = chunks.iter().filter_map(|c| c.at_ms).collect();
        let mut gaps: Vec<f64> = arrivals.windows(2).map(|w| round3(w[1] - w[0])).collect();
        gaps.sort_by(f64::total_cmp);
        Timing {
            ttfb_ms: response.headers_at_ms,
            ttft_ms: first_content_chunk
                .and_then(|i| chunks.get(i))
                .and_then(|c| c.at_ms),
            duration_ms: response.ended_at_ms,
            chunks: chunks.len(),
            gap_p50_ms: percentile(&gaps, 50.0),
            gap_p99_ms: percentile(&gaps, 99.0),
            gap_max_ms: gaps.last().copied(),
        }
    }
}

/// Index of the chunk that completed the first event carrying content or a tool call, for
/// callers that time a stream without checking it.
pub fn first_content_chunk(response: &Response) -> Option<usize> {
    let chunks = response.stream.as_ref()?;
    let bytes: Vec<std::borrow::Cow<'_, [u8]>> = chunks.iter().map(|c| c.data.to_bytes()).collect();
    let parsed = crate::sse::parse_chunks(bytes.iter().map(|b| b.as_ref()));
    parsed.events().find_map(|event| {
        let chunk = crate::json::Node::parse(&event.data).ok()?;
        crate::assemble::carries_content(&chunk).then_some(event.chunk)
    })
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], pct: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((pct / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// Milliseconds to the microsecond, as the JSON outputs give them.
pub fn round3(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::Chunk;

    #[test]
    fn ttft_is_the_first_content_chunk_not_the_first_chunk() {
        let response = Response {
            status: 200,
            http_version: "HTTP/1.1".into(),
            headers: vec![],
            headers_at_ms: Some(5.0),
            body: None,
            stream: Some(vec![
                Chunk::new(Some(6.0), b"role"),
                Chunk::new(Some(16.0), b"content"),
                Chunk::new(Some(36.0), b"done"),
            ]),
            ended_at_ms: Some(40.0),
            omitted: None,
            encoding_mismatch: None,
        };
        let timing = Timing::of(&response, Some(1));
        assert_eq!(timing.ttfb_ms, Some(5.0));
        assert_eq!(timing.ttft_ms, Some(16.0));
        assert_eq!(timing.gap_p50_ms, Some(10.0));
        assert_eq!(timing.gap_max_ms, Some(20.0));
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 50.0), Some(50.0));
        assert_eq!(percentile(&values, 99.0), Some(99.0));
        assert_eq!(percentile(&[], 50.0), None);
    }
}
