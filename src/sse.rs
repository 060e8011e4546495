//! The one server-sent-events parser: used by the checker, the differ, the replayer's timing and
//! the HAR importer.
//!
//! It follows the WHATWG event-stream rules (lines end in CRLF, LF or CR; `:` starts a comment;
//! several `data:` lines join with `\n`; a blank line dispatches), is incremental (feed it
//! network chunks as they come, a line may span chunks), and keeps what a conformance check
//! needs and a browser would throw away: which chunk completed each event, where it started in
//! the byte stream, unknown field names, invalid UTF-8 and an event left unterminated at the end.

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The `event:` name, if one was given.
    pub name: Option<String>,
    /// All `data:` lines joined with `\n`.
    pub data: String,
    /// How many `data:` lines made up `data` (more than one is legal SSE, but Chat Completions
    /// servers send one JSON object per line and SDKs parse the joined text).
    pub data_lines: usize,
    /// The `id:` field, if one was given.
    pub id: Option<String>,
    /// A `data:` line had no space after its colon. SSE allows it, but some clients (the
    /// google-genai SDK) only read lines that start `data: `.
    pub unspaced_data: bool,
    /// Index of the chunk whose bytes completed this event.
    pub chunk: usize,
    /// Byte offset in the whole stream where the event started.
    pub offset: usize,
}

impl Event {
    /// The Chat Completions end-of-stream sentinel (SDKs stop at data starting with `[DONE]`).
    pub fn is_done(&self) -> bool {
        self.data.starts_with("[DONE]")
    }
}

/// What the parser reports besides events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Event(Event),
    /// A `:` comment line (keep-alives are often sent this way).
    Comment {
        text: String,
        chunk: usize,
    },
    /// A line whose field name is not `data`, `event`, `id` or `retry`.
    UnknownField {
        line: String,
        chunk: usize,
    },
    /// A line that is not valid UTF-8 (it was decoded lossily).
    InvalidUtf8 {
        chunk: usize,
    },
}

/// Incremental parser state.
#[derive(Debug, Default)]
pub struct Parser {
    /// Bytes of a line that has not ended yet.
    partial: Vec<u8>,
    /// Where `partial` started in the stream.
    partial_offset: usize,
    /// The previous chunk ended in CR: a leading LF in the next one belongs to that line end.
    skip_lf: bool,
    /// Total bytes seen so far.
    consumed: usize,
    /// The event being built.
    pending: Pending,
    /// Whether the byte-order mark check has been done.
    started: bool,
    /// The first bytes of the stream while they could still be the start of a byte-order mark
    /// (a network read can split one).
    head: Vec<u8>,
    chunk: usize,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

#[derive(Debug, Default)]
struct Pending {
    name: Option<String>,
    data: String,
    data_lines: usize,
    id: Option<String>,
    unspaced_data: bool,
    /// Offset of the first line of the event, once it has one.
    offset: Option<usize>,
}

impl Parser {
    pub fn new() -> Parser {
        Parser::default()
    }

    /// Feed the next chunk; `emit` is called for every item it completes.
    pub fn push(&mut self, bytes: &[u8], emit: &mut impl FnMut(Item)) {
        let base = self.consumed;
        self.consumed += bytes.len();
        if self.started {
            self.feed(bytes, base, emit);
        } else {
            // A byte-order mark may open the stream (and only the stream). Its bytes can arrive
            // in different chunks, so they wait until the mark is whole or ruled out.
            self.head.extend_from_slice(bytes);
            if self.head.len() >= BOM.len() || !BOM.starts_with(&self.head) {
                self.start(emit);
            }
        }
        self.chunk += 1;
    }

    /// Decide on the byte-order mark and parse the bytes held back for it.
    fn start(&mut self, emit: &mut impl FnMut(Item)) {
        self.started = true;
        let head = std::mem::take(&mut self.head);
        match head.strip_prefix(BOM) {
            Some(rest) => self.feed(rest, BOM.len(), emit),
            None => self.feed(&head, 0, emit),
        }
    }

    /// Parse `bytes`, which start at stream offset `base`.
    fn feed(&mut self, bytes: &[u8], base: usize, emit: &mut impl FnMut(Item)) {
        let mut bytes = bytes;
        let mut base = base;
        // An empty chunk (a zero-length network read) says nothing about the LF that may
        // follow a CR, so the pending check waits for bytes.
        if self.skip_lf && !bytes.is_empty() {
            self.skip_lf = false;
            if let Some(rest) = bytes.strip_prefix(b"\n") {
                bytes = rest;
                base += 1;
            }
        }
        let mut start = 0;
        while let Some(found) = memchr::memchr2(b'\n', b'\r', &bytes[start..]) {
            let end = start + found;
            let line_offset = if self.partial.is_empty() {
                base + start
            } else {
                self.partial_offset
            };
            if self.partial.is_empty() {
                self.line(&bytes[start..end], line_offset, emit);
            } else {
                let mut line = std::mem::take(&mut self.partial);
                line.extend_from_slice(&bytes[start..end]);
                self.line(&line, line_offset, emit);
                line.clear();
                self.partial = line;
            }
            start = end + 1;
            if bytes[end] == b'\r' {
                match bytes.get(start) {
                    Some(b'\n') => start += 1,
                    Some(_) => {}
                    None => self.skip_lf = true,
                }
            }
        }
        if start < bytes.len() {
            if self.partial.is_empty() {
                self.partial_offset = base + start;
            }
            self.partial.extend_from_slice(&bytes[start..]);
        }
    }

    /// End of input: returns the event that was still being built (data with no blank line
    /// after it). Clients drop such an event, so a checker reports it.
    pub fn finish(mut self, emit: &mut impl FnMut(Item)) -> Option<Event> {
        // What is left was completed by the last chunk pushed, not by one after it: items from
        // the final unended line must name a chunk that exists.
        self.chunk = self.chunk.saturating_sub(1);
        if !self.started {
            // A stream shorter than a byte-order mark that began like one.
            self.start(emit);
        }
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            let offset = self.partial_offset;
            self.line(&line, offset, emit);
        }
        let chunk = self.chunk;
        let pending = std::mem::take(&mut self.pending);
        (pending.data_lines > 0 || pending.name.is_some()).then(|| Event {
            name: pending.name,
            data: pending.data,
            data_lines: pending.data_lines,
            id: pending.id,
            unspaced_data: pending.unspaced_data,
            chunk,
            offset: pending.offset.unwrap_or(0),
        })
    }

    fn line(&mut self, line: &[u8], offset: usize, emit: &mut impl FnMut(Item)) {
        let chunk = self.chunk;
        if line.is_empty() {
            self.dispatch(emit);
            return;
        }
        let text = match std::str::from_utf8(line) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => {
                emit(Item::InvalidUtf8 { chunk });
                String::from_utf8_lossy(line)
            }
        };
        if let Some(comment) = text.strip_prefix(':') {
            emit(Item::Comment {
                text: comment.trim_start().to_owned(),
                chunk,
            });
            return;
        }
        let (field, value, spaced) = match text.split_once(':') {
            Some((field, value)) => match value.strip_prefix(' ') {
                Some(rest) => (field, rest, true),
                None => (field, value, false),
            },
            None => (text.as_ref(), "", false),
        };
        self.pending.offset.get_or_insert(offset);
        match field {
            "data" => {
                if self.pending.data_lines > 0 {
                    self.pending.data.push('\n');
                }
                self.pending.data.push_str(value);
                self.pending.data_lines += 1;
                self.pending.unspaced_data |= !spaced;
            }
            "event" => self.pending.name = Some(value.to_owned()),
            "id" => self.pending.id = Some(value.to_owned()),
            "retry" => {}
            _ => emit(Item::UnknownField {
                line: text.into_owned(),
                chunk,
            }),
        }
    }

    fn dispatch(&mut self, emit: &mut impl FnMut(Item)) {
        let pending = std::mem::take(&mut self.pending);
        if pending.data_lines == 0 && pending.name.is_none() {
            return;
        }
        emit(Item::Event(Event {
            name: pending.name,
            data: pending.data,
            data_lines: pending.data_lines,
            id: pending.id,
            unspaced_data: pending.unspaced_data,
            chunk: self.chunk,
            offset: pending.offset.unwrap_or(0),
        }));
    }
}

/// Everything parsed from a whole stream.
#[derive(Debug, Default)]
pub struct Parsed {
    pub items: Vec<Item>,
    /// An event with data but no blank line after it when the stream ended.
    pub unterminated: Option<Event>,
}

impl Parsed {
    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.items.iter().filter_map(|item| match item {
            Item::Event(event) => Some(event),
            _ => None,
        })
    }
}

/// Parse a stream given as its chunks.
pub fn parse_chunks<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Parsed {
    let mut parser = Parser::new();
    let mut items = Vec::new();
    for chunk in chunks {
        parser.push(chunk, &mut |item| items.push(item));
    }
    let unterminated = parser.finish(&mut |item| items.push(item));
    Parsed {
        items,
        unterminated,
    }
}

/// Split a whole stream into the raw bytes of each event (each piece ends after its blank
/// line; a trailing piece without one is returned as it is). Used where the chunk boundaries
/// are unknown, such as HAR import.
pub fn split_events(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut index = 0;
        let mut line_was_empty = true;
        // Blank lines before any field belong to the next event, not an empty one of their own.
        let mut has_content = false;
        while index < rest.len() {
            let byte = rest[index];
            if byte == b'\n' || byte == b'\r' {
                let mut end = index + 1;
                if byte == b'\r' && rest.get(end) == Some(&b'\n') {
                    end += 1;
                }
                if line_was_empty && has_content {
                    let (event, tail) = rest.split_at(end);
                    rest = tail;
                    return Some(event);
                }
                line_was_empty = true;
                index = end;
            } else {
                line_was_empty = false;
                has_content = true;
                index += 1;
            }
        }
        let event = rest;
        rest = &[];
        Some(event)
    })
}

/// Whether a stream that stopped here had already delivered all of itself: its last event is
/// `[DONE]`, or (with no `[DONE]`) the last event carrying choices gives a `finish_reason` for
/// each of them (usage-only chunks after it change nothing). An event left unterminated means
/// it stopped in the middle. A connection lost after such a stream lost nothing: the official
/// SDKs close right after `[DONE]`, before the body's terminating chunk arrives.
pub fn ended_complete<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> bool {
    let parsed = parse_chunks(chunks);
    if parsed
        .unterminated
        .as_ref()
        .is_some_and(|event| !event.data.is_empty())
    {
        return false;
    }
    let mut finished = false;
    let mut last_done = false;
    for event in parsed.events() {
        last_done = event.is_done();
        if last_done {
            continue;
        }
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&event.data) else {
            finished = false;
            continue;
        };
        match value.get("choices").and_then(serde_json::Value::as_array) {
            Some(choices) if !choices.is_empty() => {
                finished = choices.iter().all(|choice| {
                    choice
                        .get("finish_reason")
                        .is_some_and(|reason| !reason.is_null())
                });
            }
            // A usage chunk (`choices: []`) or another object: the finish stands.
            _ => {}
        }
    }
    last_done || finished
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(parsed: &Parsed) -> Vec<(Option<&str>, &str, usize)> {
        parsed
            .events()
            .map(|e| (e.name.as_deref(), e.data.as_str(), e.chunk))
            .collect()
    }

    #[test]
    fn events_spanning_chunks_and_mixed_line_endings() {
        let parsed = parse_chunks([
            b"data: {\"a\"".as_slice(),
            b":1}\r",
            b"\n\r\nevent: ping\rdata: x\r\r: keep-alive\n\ndata: [DONE]\n\n",
        ]);
        assert_eq!(
            events(&parsed),
            vec![
                (None, "{\"a\":1}", 2),
                (Some("ping"), "x", 2),
                (None, "[DONE]", 2)
            ]
        );
        assert!(parsed.items.contains(&Item::Comment {
            text: "keep-alive".into(),
            chunk: 2
        }));
        assert!(parsed.unterminated.is_none());
    }

    #[test]
    fn a_crlf_split_by_an_empty_chunk_is_still_one_line_end() {
        let parsed = parse_chunks([b"event: delta\r".as_slice(), b"", b"\ndata: a\r\n\r\n"]);
        assert_eq!(events(&parsed), vec![(Some("delta"), "a", 2)]);
    }

    #[test]
    fn a_byte_order_mark_split_across_chunks_is_still_one() {
        // Found by the `sse` fuzz target: only a whole mark in the first chunk was dropped, a
        // split one became part of the first field name.
        let whole = parse_chunks([b"\xEF\xBB\xBFdata: a\n\n".as_slice()]);
        for split in [1, 2] {
            let stream = b"\xEF\xBB\xBFdata: a\n\n";
            let (first, rest) = stream.split_at(split);
            let parsed = parse_chunks([first, b"", rest]);
            assert_eq!(events(&parsed), vec![(None, "a", 2)], "split at {split}");
            assert_eq!(parsed.events().next().unwrap().offset, 3);
            assert_eq!(parsed.items.len(), whole.items.len());
        }
        // Bytes that only begin like a mark are data, reported as they would be unsplit.
        let parsed = parse_chunks([b"\xEF".as_slice(), b"\xBB"]);
        assert_eq!(
            parsed.items,
            vec![
                Item::InvalidUtf8 { chunk: 1 },
                Item::UnknownField {
                    line: "\u{FFFD}".into(),
                    chunk: 1
                }
            ]
        );
    }

    #[test]
    fn items_from_the_last_unended_line_name_the_last_chunk() {
        // Found by the `sse` fuzz target: they named a chunk past the end.
        let parsed = parse_chunks([b"data: a\n\n".as_slice(), b"bogus"]);
        assert_eq!(
            parsed.items.last(),
            Some(&Item::UnknownField {
                line: "bogus".into(),
                chunk: 1
            })
        );
        let parsed = parse_chunks([b": ping".as_slice()]);
        assert_eq!(
            parsed.items,
            vec![Item::Comment {
                text: "ping".into(),
                chunk: 0
            }]
        );
    }

    #[test]
    fn multiple_data_lines_join_with_newline_and_are_counted() {
        let parsed = parse_chunks([b"data: a\ndata: b\n\n".as_slice()]);
        let event = parsed.events().next().unwrap();
        assert_eq!((event.data.as_str(), event.data_lines), ("a\nb", 2));
    }

    #[test]
    fn a_data_line_without_its_space_is_read_and_marked() {
        let parsed = parse_chunks([b"data:{}\n\ndata: {}\n\ndata:\n\n".as_slice()]);
        let seen: Vec<(&str, bool)> = parsed
            .events()
            .map(|e| (e.data.as_str(), e.unspaced_data))
            .collect();
        assert_eq!(seen, [("{}", true), ("{}", false), ("", true)]);
    }

    #[test]
    fn an_event_without_a_blank_line_at_the_end_is_unterminated() {
        let parsed = parse_chunks([b"data: a\n\ndata: b".as_slice()]);
        assert_eq!(parsed.events().count(), 1);
        assert_eq!(parsed.unterminated.unwrap().data, "b");
    }

    #[test]
    fn bom_unknown_fields_and_invalid_utf8_are_reported() {
        let parsed = parse_chunks([b"\xEF\xBB\xBFdata: a\nfoo: bar\n\ndata: \xff\n\n".as_slice()]);
        assert_eq!(parsed.events().next().unwrap().data, "a");
        assert!(parsed.items.contains(&Item::UnknownField {
            line: "foo: bar".into(),
            chunk: 0
        }));
        assert!(parsed.items.contains(&Item::InvalidUtf8 { chunk: 0 }));
    }

    #[test]
    fn offsets_point_at_event_starts() {
        let stream = b"data: a\n\ndata: b\n\n";
        let parsed = parse_chunks([&stream[..5], &stream[5..]]);
        let offsets: Vec<usize> = parsed.events().map(|e| e.offset).collect();
        assert_eq!(offsets, vec![0, 9]);
    }

    #[test]
    fn split_events_keeps_leading_blank_lines_with_the_first_event() {
        let parts: Vec<&[u8]> = split_events(b"\n\ndata: a\n\ndata: b\n\n").collect();
        assert_eq!(
            parts,
            vec![b"\n\ndata: a\n\n".as_slice(), b"data: b\n\n".as_slice()]
        );
    }

    #[test]
    fn split_events_cuts_after_each_blank_line() {
        let parts: Vec<&[u8]> = split_events(b"data: a\n\ndata: b\r\n\r\ndata: c").collect();
        assert_eq!(
            parts,
            vec![
                b"data: a\n\n".as_slice(),
                b"data: b\r\n\r\n".as_slice(),
                b"data: c".as_slice()
            ]
        );
    }

    #[test]
    fn a_stream_is_complete_at_done_or_after_its_finish_reason() {
        let complete = |text: &str| super::ended_complete([text.as_bytes()]);
        let chunk = |finish: &str| {
            format!(
                "data: {{\"choices\":[{{\"index\":0,\"delta\":{{}},\"finish_reason\":{finish}}}]}}\n\n"
            )
        };
        assert!(complete(&format!("{}data: [DONE]\n\n", chunk("null"))));
        assert!(complete(&chunk("\"stop\"")));
        assert!(complete(&format!(
            "{}data: {{\"choices\":[],\"usage\":{{}}}}\n\n",
            chunk("\"stop\"")
        )));
        assert!(!complete(&chunk("null")));
        assert!(!complete(&format!("{}data: {{\"choi", chunk("\"stop\""))));
        assert!(!complete(""));
        assert!(!complete(&format!(
            "{}{}",
            chunk("\"stop\""),
            chunk("null")
        )));
    }
}
