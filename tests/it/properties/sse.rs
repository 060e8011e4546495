//! The SSE parser: chunking does not change what is parsed; `split_events` cuts cleanly.

use cursor_harness::sse::{self, Item, Parsed};
use proptest::prelude::*;

use super::{config, cut};

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
