//! Streams scrubbed as their reader reassembles them. A model that streams a key four
//! characters per event, or a server that splits one across two events, leaves no event with
//! a whole key in it; the SDK joins the fragments, and so does any report that shows the
//! message. So the fragments of each text a reader joins (a Chat choice's `content`,
//! `reasoning_content` and each tool call's `arguments`; a Responses event's `delta` per item;
//! an Anthropic block's `text`, `thinking` and `partial_json`; a Gemini candidate's `text`)
//! are joined, scrubbed as one ([`Pieces`]), and each event that held part of a secret is
//! written again with its part replaced: the token in the event where the secret starts,
//! nothing in the ones after. Then the whole stream is scrubbed as one text, so a secret that
//! a network chunk boundary cut is replaced in the chunk where it starts. Every chunk keeps its
//! arrival time.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use serde_json::Value;

use super::Redactor;
use super::pieces::Pieces;
use crate::capture::Chunk;
use crate::json::node::Node;

/// Fields whose string values a reader appends to what it has (streamed text).
const TEXT_FIELDS: &[&str] = &[
    "content",
    "text",
    "reasoning",
    "reasoning_content",
    "refusal",
    "arguments",
    "partial_json",
    "thinking",
    "delta",
    "input",
];

/// Fields of an event that say which text its fragment belongs to (Responses items, Anthropic
/// blocks).
const DISCRIMINATORS: &[&str] = &[
    "type",
    "index",
    "output_index",
    "content_index",
    "summary_index",
    "item_id",
];

/// A stream's chunks (arrival time, bytes as decoded), scrubbed as its reader reassembles it.
pub fn scrub<B: AsRef<[u8]>>(redactor: &Redactor, chunks: &[(Option<f64>, B)]) -> Vec<Chunk> {
    let Some(mut pieces) = Pieces::join(chunks.iter().map(|(_, bytes)| bytes.as_ref())) else {
        return not_text(redactor, chunks);
    };
    let edits = event_edits(redactor, &pieces.text);
    pieces.apply(&edits);
    redactor.pieces(&mut pieces);
    chunks
        .iter()
        .enumerate()
        .map(|(i, (at, _))| Chunk::new(*at, pieces.piece(i)))
        .collect()
}

/// A stream that is not UTF-8 as a whole: each chunk scrubbed through a lossy decoding, and if
/// the joined stream still holds a secret, one chunk (the timing of the last) scrubbed whole.
fn not_text<B: AsRef<[u8]>>(redactor: &Redactor, chunks: &[(Option<f64>, B)]) -> Vec<Chunk> {
    let scrubbed: Vec<(Option<f64>, Vec<u8>)> = chunks
        .iter()
        .map(|(at, bytes)| (*at, redactor.bytes(bytes.as_ref()).into_owned()))
        .collect();
    let joined: Vec<u8> = scrubbed
        .iter()
        .flat_map(|(_, b)| b.iter().copied())
        .collect();
    if !redactor.found(&String::from_utf8_lossy(&joined)).is_empty() {
        let whole: Vec<u8> = chunks
            .iter()
            .flat_map(|(_, b)| b.as_ref().iter().copied())
            .collect();
        let at = chunks.last().and_then(|(at, _)| *at);
        return vec![Chunk::new(at, &redactor.bytes(&whole))];
    }
    scrubbed
        .iter()
        .map(|(at, bytes)| Chunk::new(*at, bytes))
        .collect()
}

/// One event's `data:` lines: where each value is in the stream, and the joined data
/// (borrowed when the event has one data line, as nearly all have).
struct DataEvent<'a> {
    values: Vec<Range<usize>>,
    data: Cow<'a, str>,
}

/// The edits that write again each event holding part of a secret its reader would join.
fn event_edits(redactor: &Redactor, text: &str) -> Vec<(Range<usize>, String)> {
    let events = data_events(text);
    let documents = events.iter().enumerate().filter_map(|(index, event)| {
        if !matches!(
            event.data.trim_start().as_bytes().first(),
            Some(b'{' | b'[')
        ) {
            return None;
        }
        Node::parse(&event.data).ok().map(|node| (index, node))
    });
    let changes = joined_texts(redactor, documents);
    let mut edits = Vec::new();
    for (index, changes) in by_document(changes) {
        let event = &events[index];
        let Ok(mut value) = serde_json::from_str::<Value>(&event.data) else {
            continue;
        };
        apply(&mut value, changes);
        let Ok(json) = serde_json::to_string(&value) else {
            continue;
        };
        // The JSON goes where the first data line's value was; later data lines of the
        // event are emptied (the reader joins them with line feeds, which JSON ignores).
        for (line, range) in event.values.iter().enumerate() {
            let with = if line == 0 {
                json.clone()
            } else {
                String::new()
            };
            edits.push((range.clone(), with));
        }
    }
    edits.sort_by_key(|(range, _)| range.start);
    edits
}

/// Scrub the elements of a JSON array (a Gemini answer without `alt=sse`) as its reader joins
/// their texts. Whether any changed.
pub fn array(redactor: &Redactor, items: &mut [Value]) -> bool {
    let changes = joined_texts(
        redactor,
        items
            .iter()
            .enumerate()
            .map(|(index, item)| (index, Node::from_value(item))),
    );
    let changed = !changes.is_empty();
    for (index, changes) in by_document(changes) {
        apply(&mut items[index], changes);
    }
    changed
}

/// The events of a stream that carry data, by the event-stream rules (lines end in CRLF, LF
/// or CR; a blank line ends an event; an event left unterminated at the end counts too).
fn data_events(text: &str) -> Vec<DataEvent<'_>> {
    let bytes = text.as_bytes();
    let mut events = Vec::new();
    let mut current: Vec<Range<usize>> = Vec::new();
    let mut dispatch = |current: &mut Vec<Range<usize>>| {
        let data = match current.as_slice() {
            [] => return,
            [one] => Cow::Borrowed(&text[one.clone()]),
            many => Cow::Owned(
                many.iter()
                    .map(|r| &text[r.clone()])
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
        };
        events.push(DataEvent {
            data,
            values: std::mem::take(current),
        });
    };
    let mut at = 0;
    while at < bytes.len() {
        let end = memchr::memchr2(b'\n', b'\r', &bytes[at..]).map_or(bytes.len(), |n| at + n);
        let line = &text[at..end];
        if line.is_empty() {
            dispatch(&mut current);
        } else if let Some(value) = line.strip_prefix("data:") {
            let start = at + 5 + usize::from(value.starts_with(' '));
            current.push(start..end);
        }
        at = end + 1;
        if bytes.get(end) == Some(&b'\r') && bytes.get(end + 1) == Some(&b'\n') {
            at += 1;
        }
    }
    dispatch(&mut current);
    events
}

/// A streamed fragment of a text a reader joins.
struct Fragment<'a> {
    document: usize,
    /// JSON pointer to the string in its document.
    pointer: String,
    text: Cow<'a, str>,
}

/// A fragment's new text after its joined text was scrubbed.
struct Change {
    document: usize,
    pointer: String,
    text: String,
}

/// Join the fragments of each text across `documents` (stream events or array elements, in
/// order, parsed), scrub each joined text, and say which fragments change and to what. The
/// documents are walked one at a time and dropped: only the text fragments are kept.
fn joined_texts<'a>(
    redactor: &Redactor,
    documents: impl Iterator<Item = (usize, Node<'a>)>,
) -> Vec<Change> {
    let mut order: Vec<String> = Vec::new();
    let mut texts: HashMap<String, Vec<Fragment<'a>>> = HashMap::new();
    let mut found = Vec::new();
    for (document, node) in documents {
        walk(&node, &discriminators(&node), "", &mut found);
        for (key, pointer, text) in found.drain(..) {
            let fragments = texts.entry(key).or_insert_with_key(|key| {
                order.push(key.clone());
                Vec::new()
            });
            fragments.push(Fragment {
                document,
                pointer,
                text,
            });
        }
    }
    let mut changes = Vec::new();
    for key in order {
        let fragments = &texts[&key];
        if fragments.len() < 2 {
            // A text in one piece is scrubbed with the whole stream.
            continue;
        }
        let Some(mut joined) = Pieces::join(fragments.iter().map(|f| f.text.as_bytes())) else {
            continue;
        };
        if !redactor.pieces(&mut joined) {
            continue;
        }
        for (i, fragment) in fragments.iter().enumerate() {
            let now = String::from_utf8_lossy(joined.piece(i));
            if now != fragment.text {
                changes.push(Change {
                    document: fragment.document,
                    pointer: fragment.pointer.clone(),
                    text: now.into_owned(),
                });
            }
        }
    }
    changes
}

/// Changes grouped by document, in document order.
fn by_document(mut changes: Vec<Change>) -> Vec<(usize, Vec<Change>)> {
    changes.sort_by_key(|c| c.document);
    let mut out: Vec<(usize, Vec<Change>)> = Vec::new();
    for change in changes {
        match out.last_mut() {
            Some((document, list)) if *document == change.document => list.push(change),
            _ => out.push((change.document, vec![change])),
        }
    }
    out
}

fn apply(value: &mut Value, changes: Vec<Change>) {
    for change in changes {
        if let Some(slot) = value.pointer_mut(&change.pointer) {
            *slot = Value::String(change.text);
        }
    }
}

/// What tells the texts of an event stream apart at the top of an event (`type`, `index`,
/// `output_index`, …), as a key prefix.
fn discriminators(node: &Node<'_>) -> String {
    let mut key = String::new();
    if let Node::Object(map) = node {
        for name in DISCRIMINATORS {
            match map.get(name) {
                Some(Node::Str(s)) => key.push_str(&format!("{name}={s};")),
                Some(Node::Unsigned(n)) => key.push_str(&format!("{name}={n};")),
                Some(Node::Signed(n)) => key.push_str(&format!("{name}={n};")),
                _ => {}
            }
        }
    }
    key
}

/// Collect `(text key, pointer, text)` for every streamed text field under `node`. An array
/// element with an `index` (a Chat choice or tool call) is keyed by it, not by its position.
fn walk<'a>(
    node: &Node<'a>,
    key: &str,
    pointer: &str,
    out: &mut Vec<(String, String, Cow<'a, str>)>,
) {
    match node {
        Node::Object(map) => {
            for (name, inner) in &map.0 {
                match inner {
                    Node::Str(text) if TEXT_FIELDS.contains(&name.as_ref()) => {
                        out.push((
                            format!("{key}/{name}"),
                            crate::json::join(pointer, name),
                            text.clone(),
                        ));
                    }
                    Node::Object(_) | Node::Array(_) => walk(
                        inner,
                        &format!("{key}/{name}"),
                        &crate::json::join(pointer, name),
                        out,
                    ),
                    _ => {}
                }
            }
        }
        Node::Array(items) => {
            for (position, item) in items.iter().enumerate() {
                let segment = item
                    .get("index")
                    .and_then(Node::as_u64)
                    .map_or_else(|| position.to_string(), |n| format!("#{n}"));
                walk(
                    item,
                    &format!("{key}/{segment}"),
                    &crate::json::join_index(pointer, position),
                    out,
                );
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "ghp_abcdefghijklmnopqrstuvwxyz0123456789AB";

    fn redactor() -> Redactor {
        Redactor::with_key(b"0123456789abcdef0123456789abcdef")
    }

    fn chat_event(field: &str, text: &str) -> String {
        let delta = serde_json::json!({"choices": [{"index": 0, "delta": {field: text}}]});
        format!("data: {delta}\n\n")
    }

    /// Every chunk's bytes, and the text a reader ends up with.
    fn read(chunks: &[Chunk]) -> (Vec<String>, String) {
        let bytes: Vec<Vec<u8>> = chunks
            .iter()
            .map(|c| c.data.to_bytes().into_owned())
            .collect();
        let mut message = String::new();
        for event in crate::sse::parse_chunks(bytes.iter().map(Vec::as_slice)).events() {
            if let Ok(value) = serde_json::from_str::<Value>(&event.data)
                && let Some(text) = value
                    .pointer("/choices/0/delta/content")
                    .and_then(Value::as_str)
            {
                message.push_str(text);
            }
        }
        (
            bytes
                .iter()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .collect(),
            message,
        )
    }

    #[test]
    fn a_key_streamed_four_characters_at_a_time_is_gone_from_every_chunk() {
        let text = format!("your key is {KEY}, keep it safe");
        let chunks: Vec<(Option<f64>, Vec<u8>)> = text
            .as_bytes()
            .chunks(4)
            .enumerate()
            .map(|(i, piece)| {
                let event = chat_event("content", std::str::from_utf8(piece).unwrap());
                (Some(i as f64), event.into_bytes())
            })
            .collect();
        let scrubbed = scrub(&redactor(), &chunks);
        assert_eq!(scrubbed.len(), chunks.len(), "every chunk stays");
        for (before, after) in chunks.iter().zip(&scrubbed) {
            assert_eq!(before.0, after.at_ms, "timing kept");
        }
        let (bytes, message) = read(&scrubbed);
        for tail in KEY.as_bytes().windows(4) {
            let tail = std::str::from_utf8(tail).unwrap();
            assert!(!message.contains(tail), "{tail} in {message}");
        }
        assert!(message.starts_with("your key is [REDACTED:"), "{message}");
        assert!(message.ends_with(", keep it safe"), "{message}");
        assert!(!bytes.concat().contains("ghp_"), "{bytes:?}");
    }

    #[test]
    fn tool_arguments_responses_and_anthropic_texts_are_joined_per_text() {
        let escaped = r"{\u0022api_key\u0022: \u0022\u0073k-proj-abcdefghijklmnopqrstuvwxyz\u0022}";
        let mut stream = String::new();
        for piece in escaped.as_bytes().chunks(3) {
            let piece = std::str::from_utf8(piece).unwrap();
            let event = serde_json::json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 1, "function": {"arguments": piece}}]}}]});
            stream.push_str(&format!("data: {event}\n\n"));
        }
        for piece in ["AKIA", "IOSF", "ODNN", "7EXA", "MPLE"] {
            let event = serde_json::json!({"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": piece});
            stream.push_str(&format!(
                "event: response.output_text.delta\ndata: {event}\n\n"
            ));
        }
        for piece in ["AIzaSyA1234567", "8901234567890", "12345678901234"] {
            let event = serde_json::json!({"type": "content_block_delta", "index": 2, "delta": {"type": "text_delta", "text": piece}});
            stream.push_str(&format!("event: content_block_delta\ndata: {event}\n\n"));
        }
        let chunks: Vec<(Option<f64>, Vec<u8>)> = stream
            .as_bytes()
            .chunks(7)
            .map(|c| (Some(1.0), c.to_vec()))
            .collect();
        let scrubbed = scrub(&redactor(), &chunks);
        let joined: String = read(&scrubbed).0.concat();
        for secret in [
            "abcdefghijklmnopqrstuvwxyz",
            "u0073k",
            "IOSFODNN",
            "AKIA",
            "AIzaSy",
            "8901234567890",
        ] {
            assert!(!joined.contains(secret), "{secret} in {joined}");
        }
        assert!(
            crate::sse::parse_chunks([joined.as_bytes()])
                .events()
                .all(|e| { serde_json::from_str::<Value>(&e.data).is_ok() })
        );
    }

    #[test]
    fn events_with_several_data_lines_and_unterminated_ones_are_read() {
        let events = data_events("data: {\"a\":\ndata: 1}\n\n: comment\ndata: [DONE]");
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].data, "{\"a\":\n1}");
        assert_eq!(events[1].data, "[DONE]");
    }
}
