//! Stream rules: SSE framing, the `[DONE]` terminator, error events, and what a foreign event
//! stream is. What each `chat.completion.chunk` must hold is in `chunk.rs`.

use super::chunk::{ChunkState, check_chunk, finish_checks, usage_checks};
use super::tool_call::check_tool_calls;
use crate::assemble::carries_content;
use crate::conformance::Rule;
use crate::conformance::context::RequestContext;
use crate::conformance::events::{self, StreamOutcome};
use crate::conformance::findings::Findings;
use crate::dialect::Dialect;
use crate::json::Node;
use crate::sse;

/// Anthropic Messages stream event names. `ping` is left out: a keep-alive carries no
/// content, and one stray ping in a Chat stream must not make the whole stream "Anthropic".
const ANTHROPIC_EVENTS: &[&str] = &[
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
];

/// Check a stream, given as the bytes of each chunk that arrived.
pub fn check_stream(
    chunks: &[&[u8]],
    context: &RequestContext,
    findings: &mut Findings,
) -> StreamOutcome {
    let parsed = events::parse(chunks, findings);
    let mut outcome = StreamOutcome::default();
    let events: Vec<&sse::Event> = parsed.events().collect();
    outcome.events = events.len();
    if events.is_empty() && parsed.unterminated.is_none() {
        findings.add(Rule::StreamEmpty, "/stream", "the stream carries no events");
        return outcome;
    }
    // The first events are parsed once, for the dialect test and again for the checks below.
    let mut head: Vec<Option<Result<Node<'_>, serde_json::Error>>> = events
        .iter()
        .take(FOREIGN_LOOKAHEAD)
        .map(|event| Some(Node::parse(&event.data)))
        .collect();
    if let Some(dialect) = foreign_dialect(&events, &head) {
        outcome.dialect = Some(dialect);
        findings.add_in(
            Rule::CursorForeignStream,
            "/stream",
            format!(
                "the stream is {} events, not Chat Completions chunks: Cursor renders nothing",
                dialect.api_name()
            ),
            Some(dialect),
        );
        return outcome;
    }
    outcome.dialect = Some(Dialect::ChatCompletions);

    let mut state = ChunkState::default();
    let mut named_event_reported = false;
    let mut done_at: Option<usize> = None;
    let mut after_done_reported = false;
    for (index, event) in events.iter().enumerate() {
        let path = format!("/stream/{index}");
        if let Some(done) = done_at {
            after_done_reported = true;
            findings.add(
                Rule::StreamAfterDone,
                path,
                format!(
                    "event {index} arrives after [DONE] (event {done}); clients stopped reading"
                ),
            );
            break;
        }
        if event.is_done() {
            done_at = Some(index);
            continue;
        }
        if let Some(name) = &event.name {
            if name == "error" {
                findings.add(
                    Rule::StreamErrorEvent,
                    path.clone(),
                    format!("`error` event: {}", crate::json::shorten(&event.data, 200)),
                );
                continue;
            }
            if !named_event_reported {
                named_event_reported = true;
                findings.add(
                    Rule::StreamEventName,
                    path.clone(),
                    format!("event carries `event: {name}`; Chat streams send bare `data:` lines"),
                );
            }
        }
        let parsed = head
            .get_mut(index)
            .and_then(Option::take)
            .unwrap_or_else(|| Node::parse(&event.data));
        let chunk = match parsed {
            Ok(chunk) => chunk,
            // openai-python dispatches a named event without data and fails parsing "" as JSON.
            Err(_) if event.data_lines == 0 => {
                findings.add(
                    Rule::StreamNotJson,
                    path,
                    "the event has a name but no `data:` line; SDKs parse every event's data as JSON",
                );
                continue;
            }
            Err(err) => {
                let hint = if event.data_lines > 1 {
                    format!(
                        " ({} data lines in one event: two events without a blank line between them?)",
                        event.data_lines
                    )
                } else {
                    String::new()
                };
                findings.add(
                    Rule::StreamNotJson,
                    path,
                    format!(
                        "event data is not JSON{hint}: {err}; data starts '{}'",
                        crate::json::shorten(&event.data, 60)
                    ),
                );
                continue;
            }
        };
        if let Some(error) = chunk.get("error") {
            let message = error
                .get("message")
                .and_then(Node::as_str)
                .unwrap_or("(no message)");
            findings.add(
                Rule::StreamErrorEvent,
                path,
                format!(
                    "error inside the stream: {}",
                    crate::json::shorten(message, 200)
                ),
            );
            continue;
        }
        check_chunk(&chunk, &path, findings, &mut state);
        if outcome.first_content_chunk.is_none() && carries_content(&chunk) {
            outcome.first_content_chunk = Some(event.chunk);
        }
        outcome.assembled.feed_chunk(index, &chunk);
    }
    // A `[DONE]` without its blank line was sent, not forgotten: one violation says so, rather
    // than a second one claiming the terminator is missing.
    let mut unterminated_done = false;
    if let Some(event) = &parsed.unterminated {
        let path = format!("/stream/{}", events.len());
        if event.is_done() && done_at.is_none() {
            unterminated_done = true;
            findings.add(
                Rule::StreamUnterminated,
                path,
                "`data: [DONE]` has no blank line after it: clients never dispatch it, so they never see the terminator",
            );
        } else {
            findings.add(
                Rule::StreamUnterminated,
                path.clone(),
                format!(
                    "the stream ends inside an event (no blank line after it): '{}'",
                    crate::json::shorten(&event.data, 60)
                ),
            );
            if let Some(done) = done_at
                && !after_done_reported
            {
                findings.add(
                    Rule::StreamAfterDone,
                    path,
                    format!("data arrives after [DONE] (event {done}); clients stopped reading"),
                );
            }
        }
    }
    if done_at.is_none() && !unterminated_done {
        findings.add(Rule::StreamNoDone, "/stream", "the stream ends without `data: [DONE]` (truncated, or the server never sent the terminator)");
    }
    // A cut stream already breaks with `stream.no-done`; a finish reason or usage chunk that
    // never came is a consequence of the cut, not a second fault.
    let complete = done_at.is_some() || unterminated_done;
    if complete {
        finish_checks(&state, findings);
    }
    check_tool_calls(&outcome.assembled, context, findings);
    usage_checks(&state, context, complete, findings);
    outcome
}

/// Events a foreign stream is recognised by: its first ones.
const FOREIGN_LOOKAHEAD: usize = 8;

/// Responses API (`response.*`) or Anthropic event streams, recognised by event names or by
/// the `type` of their data; Gemini by `candidates`. `head` holds the first events' data,
/// parsed.
fn foreign_dialect(
    events: &[&sse::Event],
    head: &[Option<Result<Node<'_>, serde_json::Error>>],
) -> Option<Dialect> {
    for (event, parsed) in events.iter().zip(head) {
        let name = event.name.as_deref().unwrap_or("");
        let data_type = parsed.as_ref().and_then(|p| p.as_ref().ok());
        let kind = data_type
            .and_then(|v| v.get("type"))
            .and_then(Node::as_str)
            .unwrap_or("");
        for label in [name, kind] {
            if label.starts_with("response.") {
                return Some(Dialect::Responses);
            }
            if ANTHROPIC_EVENTS.contains(&label) {
                return Some(Dialect::Anthropic);
            }
        }
        if data_type.is_some_and(|v| v.get("candidates").is_some()) {
            return Some(Dialect::Gemini);
        }
    }
    None
}
