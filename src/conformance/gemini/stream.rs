//! The `alt=sse` stream: bare `data:` events, each a whole `GenerateContentResponse`, CRLF or LF
//! framing, no `[DONE]` (the stream ends when the connection closes, after the event that
//! carries `finishReason`). google-genai reads only `data: ` lines and blank lines, so any
//! other legal SSE line breaks it. Without `alt=sse` the same answers come as one JSON array,
//! checked here too.

use std::collections::BTreeSet;

use super::answer::{self, Place, Progress};
use crate::conformance::Rule;
use crate::conformance::context::RequestContext;
use crate::conformance::events::{self, StreamOutcome};
use crate::conformance::findings::Findings;
use crate::dialect::Dialect;
use crate::json::{Node, join_index, shorten};
use crate::sse::{self, Item};

/// Check an `alt=sse` stream, given as the bytes of each chunk that arrived.
pub fn check_stream(
    chunks: &[&[u8]],
    _context: &RequestContext,
    findings: &mut Findings,
) -> StreamOutcome {
    let parsed = events::parse(chunks, findings);
    non_data_lines(&parsed, findings);
    let events: Vec<&sse::Event> = parsed.events().collect();
    let mut outcome = StreamOutcome {
        dialect: Some(Dialect::Gemini),
        events: events.len(),
        ..StreamOutcome::default()
    };
    if events.is_empty() && parsed.unterminated.is_none() {
        findings.add(Rule::StreamEmpty, "/stream", "the stream carries no events");
        return outcome;
    }
    let mut progress = Progress::default();
    let mut answers = 0;
    for (index, event) in events.iter().enumerate() {
        let path = format!("/stream/{index}");
        if event.is_done() {
            findings.add(
                Rule::StreamDoneSentinel,
                path,
                "`data: [DONE]`: Gemini streams end when the connection closes; google-genai fails parsing it (UnknownApiResponseError) after the answer",
            );
            continue;
        }
        let answer = match Node::parse(&event.data) {
            Ok(answer) => answer,
            Err(err) => {
                findings.add(
                    Rule::StreamNotJson,
                    path,
                    format!(
                        "event data is not JSON: {err}; data starts '{}'",
                        shorten(&event.data, 60)
                    ),
                );
                continue;
            }
        };
        if let Some(error) = answer.get("error") {
            let message = error
                .get("message")
                .and_then(Node::as_str)
                .unwrap_or("(no message)");
            findings.add(
                Rule::StreamErrorEvent,
                path,
                format!("error inside the stream: {}", shorten(message, 200)),
            );
            continue;
        }
        if answers == 0
            && let Some(dialect) = answer::foreign(&answer)
        {
            outcome.dialect = Some(dialect);
            findings.add_in(
                Rule::StreamDialect,
                path,
                format!(
                    "the stream is {} events, not GenerateContentResponse: a Gemini client reads no candidates from it",
                    dialect.api_name()
                ),
                Some(dialect),
            );
            return outcome;
        }
        answers += 1;
        let before = progress.first_content;
        answer::check(
            &answer,
            &path,
            Place::Stream,
            index,
            &mut progress,
            findings,
        );
        if before.is_none() && progress.first_content.is_some() {
            outcome.first_content_chunk = Some(event.chunk);
        }
    }
    if let Some(event) = &parsed.unterminated {
        findings.add(
            Rule::StreamUnterminated,
            format!("/stream/{}", events.len()),
            format!(
                "the stream ends inside an event (no blank line after it): '{}'",
                shorten(&event.data, 60)
            ),
        );
    }
    if answers > 0 {
        finish_checks(&progress, "/stream", findings);
    }
    outcome.assembled = progress.assembled;
    outcome
}

/// A streamed JSON array (`:streamGenerateContent` without `alt=sse`): each element an answer.
pub(super) fn check_array(items: &[Node<'_>], findings: &mut Findings) -> Progress {
    let mut progress = Progress::default();
    for (index, item) in items.iter().enumerate() {
        answer::check(
            item,
            &join_index("", index),
            Place::Body,
            index,
            &mut progress,
            findings,
        );
    }
    if items.is_empty() {
        findings.add(
            Rule::ResponseMissingField,
            "",
            "the streamed JSON array is empty: no answer",
        );
    } else {
        finish_checks(&progress, "", findings);
    }
    progress
}

/// After the last answer: something was answered (or the prompt blocked), and every candidate
/// finished. Gemini has no end-of-stream event, so a missing `finishReason` is how a cut
/// stream shows.
fn finish_checks(progress: &Progress, path: &str, findings: &mut Findings) {
    if progress.blocked {
        return;
    }
    if !progress.candidates {
        findings.add(
            Rule::StreamChunkShape,
            path,
            "no answer carries `candidates` (nor a `promptFeedback.blockReason`): the client gets nothing",
        );
        return;
    }
    let open: Vec<String> = progress
        .assembled
        .choices
        .iter()
        .filter(|(index, _)| !progress.finished.contains_key(index))
        .map(|(index, _)| index.to_string())
        .collect();
    if !open.is_empty() {
        findings.add(
            Rule::StreamTerminalEvent,
            path,
            format!(
                "candidate {} never gets a finishReason: the stream was cut (Gemini's last event carries it, then the connection closes)",
                open.join(", ")
            ),
        );
    }
}

/// Lines google-genai cannot read, once per kind: it takes `data: ` lines and blank lines,
/// and parses anything else as JSON, which fails.
fn non_data_lines(parsed: &sse::Parsed, findings: &mut Findings) {
    let mut reported = BTreeSet::new();
    let mut index = 0;
    for item in &parsed.items {
        let (kind, path, line) = match item {
            Item::Comment { text, chunk } => (
                "comment",
                format!("/stream/chunk/{chunk}"),
                format!(": {}", shorten(text, 40)),
            ),
            Item::Event(event) => {
                let path = format!("/stream/{index}");
                index += 1;
                if let Some(name) = &event.name {
                    ("event", path, format!("event: {}", shorten(name, 40)))
                } else if let Some(id) = &event.id {
                    ("id", path, format!("id: {}", shorten(id, 40)))
                } else if event.unspaced_data {
                    ("data", path, "data:… (no space after the colon)".to_owned())
                } else {
                    continue;
                }
            }
            _ => continue,
        };
        if reported.insert(kind) {
            findings.add(
                Rule::StreamNonDataLine,
                path,
                format!("'{line}': Gemini streams hold only `data: ` lines and blank lines; google-genai parses this line as JSON and raises"),
            );
        }
    }
}
