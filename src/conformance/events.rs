//! What every contract's stream check starts with: parsing the event stream once, reporting
//! its framing problems (lines that are not SSE fields, bytes that are not UTF-8), and the
//! outcome each check fills in.

use std::collections::BTreeSet;

use super::Rule;
use super::findings::Findings;
use crate::assemble::Assembled;
use crate::dialect::Dialect;
use crate::sse::{self, Item};

/// What the stream check learned besides violations.
#[derive(Debug, Default)]
pub struct StreamOutcome {
    /// The dialect the events are in (`chat-completions` when they are chunks).
    pub dialect: Option<Dialect>,
    /// Index of the chunk that completed the first event carrying content or a tool call.
    pub first_content_chunk: Option<usize>,
    /// Number of events.
    pub events: usize,
    pub assembled: Assembled,
}

/// Parse a stream given as the bytes of each chunk that arrived, reporting framing problems
/// once each.
pub fn parse(chunks: &[&[u8]], findings: &mut Findings) -> sse::Parsed {
    let parsed = sse::parse_chunks(chunks.iter().copied());
    let mut reported = BTreeSet::new();
    for item in &parsed.items {
        match item {
            Item::UnknownField { line, chunk } if reported.insert("field") => findings.add(
                Rule::StreamFraming,
                format!("/stream/chunk/{chunk}"),
                format!(
                    "line is not an SSE field: '{}'",
                    crate::json::shorten(line, 80)
                ),
            ),
            Item::InvalidUtf8 { chunk } if reported.insert("utf8") => findings.add(
                Rule::StreamFraming,
                format!("/stream/chunk/{chunk}"),
                "stream bytes are not valid UTF-8",
            ),
            _ => {}
        }
    }
    parsed
}
