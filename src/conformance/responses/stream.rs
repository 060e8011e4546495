//! The Responses event stream: named events (`event: response.output_text.delta`) whose data
//! carries the same `type` and a `sequence_number` that counts up by one; it opens with
//! `response.created` and ends with `response.completed`, `.failed` or `.incomplete` (no
//! `[DONE]` is needed; one after the final event is tolerated, as proxies add it). Items open
//! with `response.output_item.added` before their deltas refer to them; function-call argument
//! deltas join into the JSON the `.done` event repeats.

use std::collections::BTreeMap;

use serde_json::Value;

use super::response::{check_object, check_output_item, fold_item};
use crate::assemble::{AssembledChoice, AssembledToolCall};
use crate::conformance::Rule;
use crate::conformance::context::RequestContext;
use crate::conformance::events::{self, StreamOutcome};
use crate::conformance::findings::Findings;
use crate::dialect::Dialect;
use crate::json::shorten;
use crate::sse;

/// Fields each event type requires besides `type` and `sequence_number` (`ResponseStreamEvent`
/// in the spec). `logprobs`, which the spec also lists for text events, is left out: OpenAI's
/// own examples and servers omit it.
const REQUIRED: &[(&str, &[&str])] = &[
    ("response.created", &["response"]),
    ("response.in_progress", &["response"]),
    ("response.queued", &["response"]),
    ("response.completed", &["response"]),
    ("response.failed", &["response"]),
    ("response.incomplete", &["response"]),
    ("response.output_item.added", &["output_index", "item"]),
    ("response.output_item.done", &["output_index", "item"]),
    (
        "response.content_part.added",
        &["item_id", "output_index", "content_index", "part"],
    ),
    (
        "response.content_part.done",
        &["item_id", "output_index", "content_index", "part"],
    ),
    (
        "response.output_text.delta",
        &["item_id", "output_index", "content_index", "delta"],
    ),
    (
        "response.output_text.done",
        &["item_id", "output_index", "content_index", "text"],
    ),
    (
        "response.refusal.delta",
        &["item_id", "output_index", "content_index", "delta"],
    ),
    (
        "response.refusal.done",
        &["item_id", "output_index", "content_index", "refusal"],
    ),
    (
        "response.function_call_arguments.delta",
        &["item_id", "output_index", "delta"],
    ),
    (
        "response.function_call_arguments.done",
        &["item_id", "output_index", "arguments"],
    ),
    (
        "response.custom_tool_call_input.delta",
        &["item_id", "output_index", "delta"],
    ),
    (
        "response.custom_tool_call_input.done",
        &["item_id", "output_index", "input"],
    ),
    (
        "response.reasoning_summary_part.added",
        &["item_id", "output_index", "summary_index", "part"],
    ),
    (
        "response.reasoning_summary_part.done",
        &["item_id", "output_index", "summary_index", "part"],
    ),
    (
        "response.reasoning_summary_text.delta",
        &["item_id", "output_index", "summary_index", "delta"],
    ),
    (
        "response.reasoning_summary_text.done",
        &["item_id", "output_index", "summary_index", "text"],
    ),
    (
        "response.reasoning_text.delta",
        &["item_id", "output_index", "content_index", "delta"],
    ),
    (
        "response.reasoning_text.done",
        &["item_id", "output_index", "content_index", "text"],
    ),
    ("error", &["message"]),
];

/// Events whose data holds the whole `response`, and which of them end the stream.
const TERMINAL: &[&str] = &[
    "response.completed",
    "response.failed",
    "response.incomplete",
];

/// A tool call being streamed, by item id.
#[derive(Default)]
struct OpenCall {
    output_index: u64,
    kind: String,
    call_id: Option<String>,
    name: Option<String>,
    streamed: String,
    /// What the `.done` event said the whole payload is.
    done: Option<String>,
    path: String,
}

pub fn check_stream(
    chunks: &[&[u8]],
    _context: &RequestContext,
    findings: &mut Findings,
) -> StreamOutcome {
    let parsed = events::parse(chunks, findings);
    let events: Vec<&sse::Event> = parsed.events().collect();
    let mut outcome = StreamOutcome {
        events: events.len(),
        ..StreamOutcome::default()
    };
    if events.is_empty() && parsed.unterminated.is_none() {
        findings.add(Rule::StreamEmpty, "/stream", "the stream carries no events");
        return outcome;
    }
    if let Some(dialect) = foreign(&events) {
        outcome.dialect = Some(dialect);
        findings.add_in(
            Rule::StreamDialect,
            "/stream",
            format!(
                "the stream is {} events, not Responses events",
                dialect.api_name()
            ),
            Some(dialect),
        );
        return outcome;
    }
    outcome.dialect = Some(Dialect::Responses);
    let mut state = State::default();
    for (index, event) in events.iter().enumerate() {
        let path = format!("/stream/{index}");
        if let Some(end) = state.ended_at {
            if !event.is_done() {
                findings.add(
                    Rule::StreamAfterDone,
                    path,
                    format!("event {index} arrives after the stream's final event (event {end}); clients stopped reading"),
                );
                break;
            }
            continue;
        }
        if event.is_done() {
            continue;
        }
        let data: Value = match serde_json::from_str(&event.data) {
            Ok(data) => data,
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
        state.event(index, event, &data, &path, findings, &mut outcome);
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
    if state.ended_at.is_none() {
        findings.add(
            Rule::StreamTerminalEvent,
            "/stream",
            "the stream ends without response.completed, response.failed or response.incomplete (cut, or the server never finished it)",
        );
    }
    state.finish(findings, &mut outcome);
    outcome
}

#[derive(Default)]
struct State {
    /// The sequence number the next event must carry, once one was seen.
    next_sequence: Option<u64>,
    sequence_reported: bool,
    opened: bool,
    /// Index of the final event (terminal, or an `error` event).
    ended_at: Option<usize>,
    /// Items announced by `response.output_item.added`, by id.
    items: BTreeMap<String, u64>,
    calls: BTreeMap<String, OpenCall>,
    order_reported: bool,
}

impl State {
    fn event(
        &mut self,
        index: usize,
        event: &sse::Event,
        data: &Value,
        path: &str,
        findings: &mut Findings,
        outcome: &mut StreamOutcome,
    ) {
        let Some(kind) = data.get("type").and_then(Value::as_str) else {
            findings.add(
                Rule::StreamChunkShape,
                format!("{path}/type"),
                "the event's data has no `type`",
            );
            return;
        };
        if let Some(name) = &event.name
            && name != kind
        {
            findings.add(
                Rule::StreamChunkShape,
                format!("{path}/type"),
                format!("`event: {name}` but the data says `type: {kind}`"),
            );
        }
        self.sequence(data, path, findings);
        if !self.opened {
            self.opened = true;
            if kind != "response.created" {
                self.order(
                    findings,
                    path,
                    format!("the stream opens with `{kind}`, not `response.created`"),
                );
            }
        }
        if let Some((_, required)) = REQUIRED.iter().find(|(name, _)| *name == kind) {
            for key in *required {
                if data.get(*key).is_none() {
                    findings.add(
                        Rule::StreamChunkShape,
                        format!("{path}/{key}"),
                        format!("a `{kind}` event needs `{key}`"),
                    );
                }
            }
        }
        let text = |key: &str| data.get(key).and_then(Value::as_str).unwrap_or_default();
        match kind {
            "response.created" | "response.in_progress" | "response.queued" => {
                if let Some(model) = data.pointer("/response/model").and_then(Value::as_str) {
                    outcome.assembled.model = Some(model.to_owned());
                }
            }
            _ if TERMINAL.contains(&kind) => {
                self.ended_at = Some(index);
                if let Some(Value::Object(response)) = data.get("response") {
                    check_object(response, &format!("{path}/response"), findings);
                    outcome.assembled.usage =
                        response.get("usage").filter(|u| u.is_object()).cloned();
                    if let Some(model) = response.get("model").and_then(Value::as_str) {
                        outcome.assembled.model = Some(model.to_owned());
                    }
                    choice(outcome).finish_reason = response
                        .get("status")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    if kind == "response.failed" {
                        let message = response
                            .get("error")
                            .and_then(|error| error.get("message"))
                            .and_then(Value::as_str)
                            .unwrap_or("(no message)");
                        findings.add(
                            Rule::StreamErrorEvent,
                            path,
                            format!("the response failed: {}", shorten(message, 200)),
                        );
                    }
                }
            }
            "error" => {
                self.ended_at = Some(index);
                let message = data
                    .get("message")
                    .or_else(|| data.pointer("/error/message"))
                    .and_then(Value::as_str)
                    .unwrap_or("(no message)");
                findings.add(
                    Rule::StreamErrorEvent,
                    path,
                    format!("`error` event: {}", shorten(message, 200)),
                );
            }
            "response.output_item.added" => {
                let item = data.get("item").unwrap_or(&Value::Null);
                let output_index = data
                    .get("output_index")
                    .and_then(Value::as_u64)
                    .unwrap_or(0);
                let Some(id) = item.get("id").and_then(Value::as_str) else {
                    return;
                };
                self.items.insert(id.to_owned(), output_index);
                if let Some(call_kind @ ("function_call" | "custom_tool_call")) =
                    item.get("type").and_then(Value::as_str)
                {
                    self.calls.insert(
                        id.to_owned(),
                        OpenCall {
                            output_index,
                            kind: call_kind.to_owned(),
                            call_id: item
                                .get("call_id")
                                .and_then(Value::as_str)
                                .map(str::to_owned),
                            name: item.get("name").and_then(Value::as_str).map(str::to_owned),
                            path: path.to_owned(),
                            ..OpenCall::default()
                        },
                    );
                }
            }
            "response.output_item.done" => {
                if let Some(item) = data.get("item") {
                    check_output_item(item, &format!("{path}/item"), findings);
                    let choice = choice(outcome);
                    if item.get("type").and_then(Value::as_str) == Some("reasoning")
                        && choice.reasoning.is_empty()
                    {
                        // Reasoning that arrived whole (no summary deltas) still counts.
                        fold_item(choice, item);
                    }
                }
            }
            "response.output_text.delta" => {
                self.refers(data, path, findings);
                let delta = text("delta");
                if !delta.is_empty() && outcome.first_content_chunk.is_none() {
                    outcome.first_content_chunk = Some(event.chunk);
                }
                choice(outcome).content.push_str(delta);
            }
            "response.refusal.delta" => {
                self.refers(data, path, findings);
                choice(outcome).refusal.push_str(text("delta"));
            }
            "response.reasoning_summary_text.delta" | "response.reasoning_text.delta" => {
                choice(outcome).reasoning.push_str(text("delta"));
            }
            "response.function_call_arguments.delta" | "response.custom_tool_call_input.delta" => {
                self.refers(data, path, findings);
                if let Some(call) = self.call(data) {
                    if call.streamed.is_empty() && outcome.first_content_chunk.is_none() {
                        outcome.first_content_chunk = Some(event.chunk);
                    }
                    call.streamed.push_str(text("delta"));
                }
            }
            "response.function_call_arguments.done" => {
                let whole = text("arguments").to_owned();
                if let Some(call) = self.call(data) {
                    call.done = Some(whole);
                }
            }
            "response.custom_tool_call_input.done" => {
                let whole = text("input").to_owned();
                if let Some(call) = self.call(data) {
                    call.done = Some(whole);
                }
            }
            "response.content_part.added"
            | "response.content_part.done"
            | "response.output_text.done"
            | "response.refusal.done" => self.refers(data, path, findings),
            _ if kind.starts_with("response.") => {}
            other => findings.add(
                Rule::StreamExtension,
                format!("{path}/type"),
                format!("`{other}` is not a Responses event type; clients skip it"),
            ),
        }
    }

    fn sequence(&mut self, data: &Value, path: &str, findings: &mut Findings) {
        match data.get("sequence_number").and_then(Value::as_u64) {
            Some(number) => {
                if let Some(expected) = self.next_sequence
                    && number != expected
                    && !self.sequence_reported
                {
                    self.sequence_reported = true;
                    findings.add(
                        Rule::StreamSequence,
                        format!("{path}/sequence_number"),
                        format!(
                            "`sequence_number` is {number}; the previous event's was {}",
                            expected - 1
                        ),
                    );
                }
                self.next_sequence = Some(number + 1);
            }
            None if !self.sequence_reported => {
                self.sequence_reported = true;
                findings.add(
                    Rule::StreamSequence,
                    format!("{path}/sequence_number"),
                    "the event has no integer `sequence_number`",
                );
            }
            None => {}
        }
    }

    /// A delta or part event must refer to an item that was announced.
    fn refers(&mut self, data: &Value, path: &str, findings: &mut Findings) {
        let Some(id) = data.get("item_id").and_then(Value::as_str) else {
            return;
        };
        if !self.items.contains_key(id) {
            self.order(
                findings,
                &format!("{path}/item_id"),
                format!(
                    "the event refers to item '{id}', which no response.output_item.added announced"
                ),
            );
        }
    }

    fn call(&mut self, data: &Value) -> Option<&mut OpenCall> {
        let id = data.get("item_id").and_then(Value::as_str)?;
        self.calls.get_mut(id)
    }

    fn order(&mut self, findings: &mut Findings, path: &str, message: String) {
        if !self.order_reported {
            self.order_reported = true;
            findings.add(Rule::StreamEventOrder, path, message);
        }
    }

    /// Tool calls into the message, in output order; a function call's arguments must be
    /// JSON, and what the deltas joined must be what `.done` says.
    fn finish(self, findings: &mut Findings, outcome: &mut StreamOutcome) {
        let complete = self.ended_at.is_some();
        let mut calls: Vec<OpenCall> = self.calls.into_values().collect();
        calls.sort_by_key(|call| call.output_index);
        let choice = choice(outcome);
        choice.role.get_or_insert_with(|| "assistant".to_owned());
        for call in calls {
            let whole = match (&call.done, call.streamed.is_empty()) {
                (Some(done), false) if *done != call.streamed => {
                    findings.add(
                        Rule::StreamToolArguments,
                        call.path.clone(),
                        format!(
                            "the deltas of {} join into '{}', but the .done event says '{}'",
                            call.name.as_deref().unwrap_or("a tool call"),
                            shorten(&call.streamed, 60),
                            shorten(done, 60)
                        ),
                    );
                    done.clone()
                }
                (Some(done), _) => done.clone(),
                (None, _) => call.streamed.clone(),
            };
            if complete
                && call.kind == "function_call"
                && !whole.is_empty()
                && serde_json::from_str::<Value>(&whole).is_err()
            {
                findings.add(
                    Rule::StreamToolArguments,
                    call.path.clone(),
                    format!(
                        "the arguments of {} are not valid JSON: '{}'",
                        call.name.as_deref().unwrap_or("a function call"),
                        shorten(&whole, 80)
                    ),
                );
            }
            let index = choice.tool_calls.len() as u64;
            choice.tool_calls.push(AssembledToolCall {
                index,
                id: call.call_id,
                kind: Some(
                    if call.kind == "function_call" {
                        "function"
                    } else {
                        "custom"
                    }
                    .to_owned(),
                ),
                name: call.name,
                arguments: whole,
                ..AssembledToolCall::default()
            });
        }
    }
}

/// The one choice a Responses answer has.
fn choice(outcome: &mut StreamOutcome) -> &mut AssembledChoice {
    outcome.assembled.choices.entry(0).or_default()
}

/// Chat chunks, Anthropic events or Gemini chunks where Responses events belong.
fn foreign(events: &[&sse::Event]) -> Option<Dialect> {
    for event in events.iter().take(8) {
        if event.is_done() {
            continue;
        }
        let Ok(data) = serde_json::from_str::<Value>(&event.data) else {
            continue;
        };
        let kind = data.get("type").and_then(Value::as_str).unwrap_or("");
        if data.get("object").and_then(Value::as_str) == Some("chat.completion.chunk")
            || (kind.is_empty() && data.get("choices").is_some())
        {
            return Some(Dialect::ChatCompletions);
        }
        if kind.starts_with("message_") || kind.starts_with("content_block_") {
            return Some(Dialect::Anthropic);
        }
        if data.get("candidates").is_some() {
            return Some(Dialect::Gemini);
        }
        if kind.starts_with("response.") {
            return None;
        }
    }
    None
}
