//! The event stream: named SSE events whose name is their data's `type` (the SDKs dispatch by
//! the name and skip unnamed events), `ping` anywhere, an `error` event (`overloaded_error`)
//! that ends the stream, and `message_stop` as the last event. There is no `[DONE]`: one is
//! tolerated with an info, since the SDKs skip it as an unnamed event, but it marks a gateway
//! that translated a Chat Completions stream. The order of the message and content-block
//! events is in `lifecycle.rs`.

use serde_json::Value;

use super::lifecycle::Lifecycle;
use super::spec::EVENTS;
use crate::conformance::Rule;
use crate::conformance::context::RequestContext;
use crate::conformance::events::{self, StreamOutcome};
use crate::conformance::findings::Findings;
use crate::dialect::Dialect;
use crate::json::shorten;
use crate::sse;

pub(super) fn check_stream(
    chunks: &[&[u8]],
    _context: &RequestContext,
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
    if let Some(foreign) = foreign_dialect(&events) {
        outcome.dialect = Some(foreign);
        findings.add_in(
            Rule::StreamDialect,
            "/stream",
            format!(
                "the stream is {} events, not Anthropic Messages events: Anthropic clients dispatch by event name and render nothing",
                foreign.api_name()
            ),
            Some(foreign),
        );
        return outcome;
    }
    outcome.dialect = Some(Dialect::Anthropic);
    let mut lifecycle = Lifecycle::new();
    let mut errored = false;
    for (index, event) in events.iter().enumerate() {
        let path = format!("/stream/{index}");
        if event.is_done() {
            findings.add(
                Rule::StreamForeignDone,
                path,
                "`data: [DONE]` is the Chat Completions terminator; an Anthropic stream ends with `message_stop` (the SDKs skip this unnamed event)",
            );
            continue;
        }
        let data = match serde_json::from_str::<Value>(&event.data) {
            Ok(Value::Object(data)) => data,
            Ok(other) => {
                findings.add(
                    Rule::StreamChunkShape,
                    path,
                    format!(
                        "event data is a JSON {}, not an object with a `type`",
                        crate::json::kind(&other)
                    ),
                );
                continue;
            }
            // The SDKs raise an `error` event whatever its data, quoting the raw text.
            Err(_) if event.name.as_deref() == Some("error") => {
                findings.add(
                    Rule::StreamErrorEvent,
                    path,
                    format!("`error` event: {}", shorten(&event.data, 200)),
                );
                errored = true;
                break;
            }
            Err(_) if event.data_lines == 0 => {
                findings.add(
                    Rule::StreamNotJson,
                    path,
                    "the event has a name but no `data:` line; the SDKs parse every named event's data as JSON",
                );
                continue;
            }
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
        let Some(kind) = data.get("type").and_then(Value::as_str) else {
            if data.contains_key("error") {
                report_error(findings, &path, &data);
                errored = true;
            } else {
                findings.add(
                    Rule::StreamChunkShape,
                    format!("{path}/type"),
                    "event data has no `type`",
                );
            }
            continue;
        };
        match event.name.as_deref() {
            Some(name) if name == kind => {}
            Some(name) => findings.add(
                Rule::StreamChunkShape,
                format!("{path}/type"),
                format!("`event: {name}` but the data says `type: {kind}`; clients dispatch by the name"),
            ),
            None => findings.add(
                Rule::StreamChunkShape,
                format!("{path}/type"),
                format!("the `{kind}` event has no `event:` name; Anthropic's SDKs skip unnamed events, so it is lost"),
            ),
        }
        match kind {
            "ping" => {}
            "error" => {
                report_error(findings, &path, &data);
                errored = true;
            }
            _ if EVENTS.contains(&kind) => {
                lifecycle.event(findings, index, event.chunk, kind, &data);
            }
            other => findings.add(
                Rule::StreamExtension,
                path,
                format!("`{other}` is not an event type the API defines; clients ignore it"),
            ),
        }
        if errored {
            break;
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
    // An error event is how a stream legitimately ends early; a stream that is cut has
    // `stream.terminal-event`, and what it never reached is a consequence, not a second fault.
    if lifecycle.stopped.is_some() {
        lifecycle.finish(findings);
    } else if !errored {
        findings.add(
            Rule::StreamTerminalEvent,
            "/stream",
            "the stream ends without `message_stop` (cut, or the server never finished the message)",
        );
    }
    outcome.first_content_chunk = lifecycle.first_content_chunk;
    outcome.assembled = lifecycle.into_assembled();
    outcome
}

/// An `error` event: `{type: "error", error: {type, message}}` (`overloaded_error` when the
/// API is overloaded, the in-stream form of HTTP 529).
fn report_error(findings: &mut Findings, path: &str, data: &serde_json::Map<String, Value>) {
    let error = data.get("error");
    let kind = error
        .and_then(|e| e.get("type"))
        .and_then(Value::as_str)
        .unwrap_or("(no type)");
    let message = error
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .unwrap_or("(no message)");
    findings.add(
        Rule::StreamErrorEvent,
        path,
        format!("`error` event: {kind}: {}", shorten(message, 200)),
    );
}

/// A stream of another API's events: Chat chunks, Responses events, Gemini responses.
fn foreign_dialect(events: &[&sse::Event]) -> Option<Dialect> {
    for event in events.iter().take(8) {
        let data = serde_json::from_str::<Value>(&event.data).ok();
        let data_type = data
            .as_ref()
            .and_then(|d| d.get("type"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let name = event.name.as_deref().unwrap_or("");
        if name.starts_with("response.") || data_type.starts_with("response.") {
            return Some(Dialect::Responses);
        }
        let Some(data) = data else { continue };
        if data.get("object").and_then(Value::as_str) == Some("chat.completion.chunk")
            || data.get("choices").is_some()
        {
            return Some(Dialect::ChatCompletions);
        }
        if data.get("candidates").is_some() {
            return Some(Dialect::Gemini);
        }
    }
    None
}
