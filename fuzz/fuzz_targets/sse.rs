//! The SSE parser: any chunking of the same bytes gives the same items, and `split_events`
//! cuts a stream into pieces that concatenate back to it and parse to the same events.
//!
//! Input: byte 0 says how many chunk lengths follow (0 to 15), each one byte; the rest is the
//! stream. The lengths cut the stream in order (0 is an empty chunk, as a zero-length network
//! read); whatever is left is the last chunk.

#![no_main]

use cursor_harness::sse::{self, Item, Parsed};
use libfuzzer_sys::fuzz_target;

/// What must not depend on chunking: everything but the chunk indexes.
#[derive(Debug, PartialEq)]
enum Seen {
    Event {
        name: Option<String>,
        data: String,
        data_lines: usize,
        id: Option<String>,
        offset: usize,
    },
    Comment(String),
    UnknownField(String),
    InvalidUtf8,
}

fn seen(parsed: &Parsed) -> (Vec<Seen>, Option<Seen>) {
    let event = |e: &sse::Event| Seen::Event {
        name: e.name.clone(),
        data: e.data.clone(),
        data_lines: e.data_lines,
        id: e.id.clone(),
        offset: e.offset,
    };
    let items = parsed
        .items
        .iter()
        .map(|item| match item {
            Item::Event(e) => event(e),
            Item::Comment { text, .. } => Seen::Comment(text.clone()),
            Item::UnknownField { line, .. } => Seen::UnknownField(line.clone()),
            Item::InvalidUtf8 { .. } => Seen::InvalidUtf8,
        })
        .collect();
    (items, parsed.unterminated.as_ref().map(event))
}

fn chunk_index(item: &Item) -> usize {
    match item {
        Item::Event(e) => e.chunk,
        Item::Comment { chunk, .. }
        | Item::UnknownField { chunk, .. }
        | Item::InvalidUtf8 { chunk } => *chunk,
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&count, rest)) = input.split_first() else {
        return;
    };
    let count = usize::from(count % 16).min(rest.len());
    let (lengths, stream) = rest.split_at(count);
    let mut chunks: Vec<&[u8]> = Vec::new();
    let mut left = stream;
    for &length in lengths {
        let (chunk, tail) = left.split_at(usize::from(length).min(left.len()));
        chunks.push(chunk);
        left = tail;
    }
    chunks.push(left);

    let split = sse::parse_chunks(chunks.iter().copied());
    let whole = sse::parse_chunks([stream]);
    assert_eq!(
        seen(&split),
        seen(&whole),
        "chunking changed what was parsed"
    );

    // An item is reported by the chunk that completed it: never a chunk that does not exist,
    // never out of order.
    let mut previous = 0;
    for item in &split.items {
        let index = chunk_index(item);
        assert!(index < chunks.len(), "chunk {index} of {}", chunks.len());
        assert!(index >= previous, "chunk indexes went backwards");
        previous = index;
    }
    for event in split.events() {
        assert!(event.offset < stream.len().max(1), "offset past the end");
    }

    let pieces: Vec<&[u8]> = sse::split_events(stream).collect();
    assert_eq!(pieces.concat(), stream, "split_events lost or added bytes");
    assert!(
        pieces.iter().all(|piece| !piece.is_empty()),
        "an empty piece"
    );
    let by_piece = sse::parse_chunks(pieces.iter().copied());
    assert_eq!(
        seen(&by_piece),
        seen(&whole),
        "split_events cut inside an event"
    );
    // Every piece but the last holds exactly one dispatched event and ends it.
    for piece in pieces.iter().take(pieces.len().saturating_sub(1)) {
        let alone = sse::parse_chunks([*piece]);
        assert!(
            alone.unterminated.is_none(),
            "a piece that does not end its event"
        );
    }
});
