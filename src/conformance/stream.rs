//! Stream rules: SSE framing, the `[DONE]` terminator, every `chat.completion.chunk`, finish
//! reasons, tool-call deltas, the usage chunk; and what a foreign event stream is.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::request::RequestContext;
use super::tool_call::check_tool_calls;
use super::{Findings, Rule};
use crate::assemble::Assembled;
use crate::dialect::Dialect;
use crate::sse::{self, Item};

const FINISH_REASONS: &[&str] = &[
    "stop",
    "length",
    "tool_calls",
    "content_filter",
    "function_call",
];
const CHUNK_KEYS: &[&str] = &[
    "id",
    "object",
    "created",
    "model",
    "choices",
    "usage",
    "service_tier",
    "system_fingerprint",
    "obfuscation",
    "moderation",
];
const CHOICE_KEYS: &[&str] = &["index", "delta", "finish_reason", "logprobs"];
const DELTA_KEYS: &[&str] = &["role", "content", "refusal", "tool_calls", "function_call"];

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
    let parsed = sse::parse_chunks(chunks.iter().copied());
    let mut outcome = StreamOutcome::default();
    let mut framing_reported = BTreeSet::new();
    for item in &parsed.items {
        match item {
            Item::UnknownField { line, chunk } if framing_reported.insert("field") => findings.add(
                Rule::StreamFraming,
                format!("/stream/chunk/{chunk}"),
                format!(
                    "line is not an SSE field: '{}'",
                    crate::json::shorten(line, 80)
                ),
            ),
            Item::InvalidUtf8 { chunk } if framing_reported.insert("utf8") => findings.add(
                Rule::StreamFraming,
                format!("/stream/chunk/{chunk}"),
                "stream bytes are not valid UTF-8",
            ),
            _ => {}
        }
    }
    let events: Vec<&sse::Event> = parsed.events().collect();
    outcome.events = events.len();
    if events.is_empty() && parsed.unterminated.is_none() {
        findings.add(Rule::StreamEmpty, "/stream", "the stream carries no events");
        return outcome;
    }
    if let Some(dialect) = foreign_dialect(&events) {
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
            if !state.named_event_reported {
                state.named_event_reported = true;
                findings.add(
                    Rule::StreamEventName,
                    path.clone(),
                    format!("event carries `event: {name}`; Chat streams send bare `data:` lines"),
                );
            }
        }
        let chunk: Value = match serde_json::from_str(&event.data) {
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
                .and_then(Value::as_str)
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
    finish_checks(&state, findings);
    check_tool_calls(&outcome.assembled, context, findings);
    let complete = done_at.is_some() || unterminated_done;
    usage_checks(&state, context, complete, findings);
    outcome
}

/// Responses API (`response.*`) or Anthropic event streams, recognised by event names or by
/// the `type` of their data; Gemini by `candidates`.
fn foreign_dialect(events: &[&sse::Event]) -> Option<Dialect> {
    for event in events.iter().take(8) {
        let name = event.name.as_deref().unwrap_or("");
        let data_type = serde_json::from_str::<Value>(&event.data).ok();
        let kind = data_type
            .as_ref()
            .and_then(|v| v.get("type"))
            .and_then(Value::as_str)
            .unwrap_or("");
        for label in [name, kind] {
            if label.starts_with("response.") {
                return Some(Dialect::Responses);
            }
            if ANTHROPIC_EVENTS.contains(&label) {
                return Some(Dialect::Anthropic);
            }
        }
        if data_type
            .as_ref()
            .is_some_and(|v| v.get("candidates").is_some())
        {
            return Some(Dialect::Gemini);
        }
    }
    None
}

fn carries_content(chunk: &Value) -> bool {
    chunk
        .get("choices")
        .and_then(Value::as_array)
        .is_some_and(|choices| {
            choices.iter().any(|choice| {
                let Some(delta) = choice.get("delta") else {
                    return false;
                };
                delta
                    .get("content")
                    .and_then(Value::as_str)
                    .is_some_and(|s| !s.is_empty())
                    || delta
                        .get("refusal")
                        .and_then(Value::as_str)
                        .is_some_and(|s| !s.is_empty())
                    || delta
                        .get("tool_calls")
                        .and_then(Value::as_array)
                        .is_some_and(|c| !c.is_empty())
            })
        })
}

/// What must stay the same, or happen once, across the chunks.
#[derive(Default)]
struct ChunkState {
    id: Option<Value>,
    created: Option<Value>,
    consistency_reported: bool,
    named_event_reported: bool,
    missing_finish_key_reported: bool,
    extensions_reported: BTreeSet<String>,
    reasoning_reported: bool,
    /// Per choice index: the event that set finish_reason, if any.
    finished: BTreeMap<u64, Option<usize>>,
    /// Events whose `choices` is empty and that carry `usage` (the usage chunk).
    usage_chunks: Vec<usize>,
    /// Events with a usage object on a chunk that also has choices.
    usage_on_choice_chunk: Option<usize>,
    last_chunk: usize,
}

fn check_chunk(chunk: &Value, path: &str, findings: &mut Findings, state: &mut ChunkState) {
    let Value::Object(map) = chunk else {
        findings.add(
            Rule::StreamChunkShape,
            path,
            format!(
                "chunk is a JSON {}, not an object",
                crate::json::kind(chunk)
            ),
        );
        return;
    };
    let event: usize = path
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    state.last_chunk = event;
    for key in ["id", "object", "created", "model", "choices"] {
        if !map.contains_key(key) {
            findings.add(
                Rule::StreamChunkShape,
                format!("{path}/{key}"),
                format!("chunk has no `{key}`"),
            );
        }
    }
    match map.get("object").and_then(Value::as_str) {
        Some("chat.completion.chunk") | None => {}
        Some(other) => findings.add(
            Rule::StreamChunkShape,
            format!("{path}/object"),
            format!("`object` is '{other}', not 'chat.completion.chunk'"),
        ),
    }
    if let Some(id) = map.get("id") {
        if !id.is_string() {
            findings.add(
                Rule::StreamChunkShape,
                format!("{path}/id"),
                "`id` is not a string",
            );
        }
        remember_same(
            &mut state.id,
            id,
            "id",
            path,
            findings,
            &mut state.consistency_reported,
        );
    }
    if let Some(created) = map.get("created") {
        if !created.is_u64() && !created.is_i64() {
            findings.add(
                Rule::StreamChunkShape,
                format!("{path}/created"),
                "`created` is not an integer (Unix seconds)",
            );
        }
        remember_same(
            &mut state.created,
            created,
            "created",
            path,
            findings,
            &mut state.consistency_reported,
        );
    }
    let usage = map.get("usage").filter(|u| !u.is_null());
    if let Some(usage) = usage {
        check_usage(usage, &format!("{path}/usage"), findings);
    }
    for key in map.keys() {
        if !CHUNK_KEYS.contains(&key.as_str()) {
            extension(findings, state, &format!("{path}/{key}"), key);
        }
    }
    let Some(choices) = map.get("choices") else {
        return;
    };
    let Value::Array(choices) = choices else {
        findings.add(
            Rule::StreamChunkShape,
            format!("{path}/choices"),
            "`choices` is not an array",
        );
        return;
    };
    if choices.is_empty() {
        if usage.is_some() {
            state.usage_chunks.push(event);
        }
        return;
    }
    if usage.is_some() {
        state.usage_on_choice_chunk.get_or_insert(event);
    }
    for (i, choice) in choices.iter().enumerate() {
        check_choice(
            choice,
            &format!("{path}/choices/{i}"),
            event,
            findings,
            state,
        );
    }
}

fn remember_same(
    slot: &mut Option<Value>,
    value: &Value,
    name: &str,
    path: &str,
    findings: &mut Findings,
    reported: &mut bool,
) {
    match slot {
        None => *slot = Some(value.clone()),
        Some(first) if first != value && !*reported => {
            *reported = true;
            findings.add(
                Rule::StreamConsistency,
                format!("{path}/{name}"),
                format!("`{name}` changes from {first} to {value} within one stream"),
            );
        }
        Some(_) => {}
    }
}

fn check_choice(
    choice: &Value,
    path: &str,
    event: usize,
    findings: &mut Findings,
    state: &mut ChunkState,
) {
    let Value::Object(map) = choice else {
        findings.add(Rule::StreamChunkShape, path, "choice is not an object");
        return;
    };
    let index = match map.get("index") {
        Some(index) if index.is_u64() => index.as_u64().unwrap_or(0),
        Some(_) => {
            findings.add(
                Rule::StreamChunkShape,
                format!("{path}/index"),
                "choice `index` is not an integer",
            );
            0
        }
        None => {
            findings.add(
                Rule::StreamChunkShape,
                format!("{path}/index"),
                "choice has no `index`",
            );
            0
        }
    };
    let slot = state.finished.entry(index).or_insert(None);
    match map.get("finish_reason") {
        None => {
            if !state.missing_finish_key_reported {
                state.missing_finish_key_reported = true;
                findings.add(Rule::StreamMissingFinishKey, format!("{path}/finish_reason"), "choice has no `finish_reason` key (it must be present, null until the last chunk)");
            }
        }
        Some(Value::Null) => {}
        Some(Value::String(reason)) => {
            if !FINISH_REASONS.contains(&reason.as_str()) {
                findings.add(
                    Rule::StreamFinishReason,
                    format!("{path}/finish_reason"),
                    format!(
                        "`finish_reason` is '{reason}'; expected one of {}",
                        FINISH_REASONS.join(", ")
                    ),
                );
            }
            if let Some(first) = *slot {
                findings.add(
                    Rule::StreamFinishReason,
                    format!("{path}/finish_reason"),
                    format!("choice {index} sets `finish_reason` again (first at event {first})"),
                );
            } else {
                *slot = Some(event);
            }
        }
        Some(other) => findings.add(
            Rule::StreamFinishReason,
            format!("{path}/finish_reason"),
            format!(
                "`finish_reason` is a {}, not a string or null",
                crate::json::kind(other)
            ),
        ),
    }
    for key in map.keys() {
        if !CHOICE_KEYS.contains(&key.as_str()) {
            extension(findings, state, &format!("{path}/{key}"), key);
        }
    }
    match map.get("delta") {
        Some(Value::Object(delta)) => {
            if let Some(role) = delta.get("role")
                && !role.as_str().is_some_and(|r| {
                    ["developer", "system", "user", "assistant", "tool"].contains(&r)
                })
            {
                findings.add(
                    Rule::StreamChunkShape,
                    format!("{path}/delta/role"),
                    format!("delta role {role} is not a Chat role"),
                );
            }
            for key in ["content", "refusal"] {
                if let Some(value) = delta.get(key)
                    && !(value.is_string() || value.is_null())
                {
                    findings.add(
                        Rule::StreamChunkShape,
                        format!("{path}/delta/{key}"),
                        format!(
                            "delta `{key}` is a {}, not a string",
                            crate::json::kind(value)
                        ),
                    );
                }
            }
            if let Some(calls) = delta.get("tool_calls") {
                check_tool_call_deltas(calls, &format!("{path}/delta/tool_calls"), findings);
            }
            for key in delta.keys() {
                if DELTA_KEYS.contains(&key.as_str()) {
                    continue;
                }
                if (key == "reasoning_content" || key == "reasoning") && !state.reasoning_reported {
                    state.reasoning_reported = true;
                    findings.add(Rule::CursorReasoningHidden, format!("{path}/delta/{key}"), format!("reasoning arrives in `delta.{key}`: tolerated, but Cursor does not show it"));
                }
                extension(findings, state, &format!("{path}/delta/{key}"), key);
            }
        }
        Some(_) => findings.add(
            Rule::StreamChunkShape,
            format!("{path}/delta"),
            "`delta` is not an object",
        ),
        None => findings.add(
            Rule::StreamChunkShape,
            format!("{path}/delta"),
            "choice has no `delta`",
        ),
    }
}

fn check_tool_call_deltas(calls: &Value, path: &str, findings: &mut Findings) {
    let Value::Array(calls) = calls else {
        findings.add(
            Rule::StreamToolCallDelta,
            path,
            "`tool_calls` is not an array",
        );
        return;
    };
    for (i, call) in calls.iter().enumerate() {
        if !call.get("index").is_some_and(Value::is_u64) {
            findings.add(
                Rule::StreamToolCallDelta,
                format!("{path}/{i}/index"),
                "tool-call delta has no integer `index` (clients join fragments by it)",
            );
        }
    }
}

fn extension(findings: &mut Findings, state: &mut ChunkState, path: &str, key: &str) {
    if state.extensions_reported.insert(key.to_owned()) {
        findings.add(
            Rule::StreamExtension,
            path,
            format!("`{key}` is not a Chat Completions chunk field (extension)"),
        );
    }
}

fn check_usage(usage: &Value, path: &str, findings: &mut Findings) {
    let Value::Object(map) = usage else {
        findings.add(Rule::StreamUsage, path, "`usage` is not an object");
        return;
    };
    for key in ["prompt_tokens", "completion_tokens", "total_tokens"] {
        if !map.get(key).is_some_and(Value::is_u64) {
            findings.add(
                Rule::StreamUsage,
                format!("{path}/{key}"),
                format!("`usage.{key}` is missing or not a non-negative integer"),
            );
        }
    }
}

fn finish_checks(state: &ChunkState, findings: &mut Findings) {
    for (index, finished) in &state.finished {
        if finished.is_none() {
            findings.add(
                Rule::StreamFinishReason,
                "/stream",
                format!("choice {index} never sets `finish_reason`"),
            );
        }
    }
}

fn usage_checks(
    state: &ChunkState,
    context: &RequestContext,
    complete: bool,
    findings: &mut Findings,
) {
    if !context.include_usage || !complete {
        return;
    }
    if state.usage_chunks.is_empty() {
        let message = match state.usage_on_choice_chunk {
            Some(event) => format!(
                "usage arrives on a chunk with choices (event {event}), not in its own chunk with `choices: []`"
            ),
            None => {
                "`stream_options.include_usage` was asked, but no usage chunk came before [DONE]"
                    .to_owned()
            }
        };
        findings.add(Rule::StreamUsage, "/stream", message);
    } else if let Some(&last) = state.usage_chunks.last()
        && last < state.last_chunk
    {
        findings.add(
            Rule::StreamUsage,
            format!("/stream/{last}"),
            "the usage chunk is not the last chunk before [DONE]",
        );
    }
}
