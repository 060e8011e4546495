//! The life of one streamed message: `message_start` first; then each content block opened by
//! `content_block_start` at the next index, extended by `content_block_delta`s whose type fits
//! the block, closed by `content_block_stop`; then `message_delta` with the `stop_reason`; then
//! `message_stop`, after which nothing but `ping` may come (the streaming guide's event flow).
//! Each event's payload is checked against its SDK type on the way, and the message the client
//! ends up with is built from the same events.

use serde_json::{Map, Value};

use super::assemble::Builder;
use super::output::{
    STREAM, check_message_object, check_output_block, check_stop_reason, check_usage,
};
use super::spec::DELTAS;
use crate::conformance::Rule;
use crate::conformance::findings::Findings;
use crate::json::{join, kind, shorten};

/// One content block as the stream opened it.
#[derive(Debug)]
struct Block {
    kind: String,
    open: bool,
    /// Event index of its `content_block_start`.
    start: usize,
    /// Its slot among the assembled tool calls (`tool_use` blocks).
    call: Option<usize>,
    /// Tool input fragments (`input_json_delta`), joined.
    json: String,
}

/// Where the stream is in the event flow.
#[derive(Debug, Default)]
pub(super) struct Lifecycle {
    started: bool,
    /// An event other than `ping` came before `message_start` (reported once).
    early_reported: bool,
    blocks: Vec<Block>,
    /// Event index of the `message_delta` that set the stop reason.
    stop_reason_at: Option<usize>,
    message_delta_seen: bool,
    /// Event index of `message_stop`.
    pub(super) stopped: Option<usize>,
    /// Index of the stream chunk that completed the first event with visible content.
    pub(super) first_content_chunk: Option<usize>,
    builder: Builder,
}

impl Lifecycle {
    pub(super) fn new() -> Lifecycle {
        Lifecycle {
            builder: Builder::new(),
            ..Lifecycle::default()
        }
    }

    /// Fold in event `index` (completed by network chunk `chunk`), whose data is `data` and
    /// whose `type` is `kind` (one of the message and content-block events).
    pub(super) fn event(
        &mut self,
        findings: &mut Findings,
        index: usize,
        chunk: usize,
        kind: &str,
        data: &Map<String, Value>,
    ) {
        let path = format!("/stream/{index}");
        if let Some(stop) = self.stopped {
            findings.add(
                Rule::StreamAfterDone,
                path,
                format!(
                    "`{kind}` arrives after `message_stop` (event {stop}); the message is over"
                ),
            );
            return;
        }
        if kind == "message_start" {
            return self.message_start(findings, &path, data);
        }
        if !self.started && !self.early_reported {
            self.early_reported = true;
            findings.add(
                Rule::StreamEventOrder,
                path.clone(),
                format!(
                    "`{kind}` arrives before `message_start`; a stream opens with `message_start`"
                ),
            );
        }
        match kind {
            "content_block_start" => self.block_start(findings, &path, index, chunk, data),
            "content_block_delta" => self.block_delta(findings, &path, chunk, data),
            "content_block_stop" => self.block_stop(findings, &path, data),
            "message_delta" => self.message_delta(findings, &path, index, data),
            "message_stop" => {
                self.report_open_blocks(findings, &path, "message_stop");
                self.stopped = Some(index);
            }
            _ => {}
        }
    }

    /// Checks that only a complete stream can fail: a stop reason that was never set.
    pub(super) fn finish(&self, findings: &mut Findings) {
        if self.stop_reason_at.is_none() {
            findings.add(
                Rule::StreamFinishReason,
                "/stream",
                "the stream ends without a `stop_reason` (no `message_delta` set one)",
            );
        }
    }

    /// The message the client ends up with. A tool block never closed is not checked: its
    /// input was cut with the stream, which `stream.terminal-event` already says.
    pub(super) fn into_assembled(self) -> crate::assemble::Assembled {
        self.builder.build()
    }

    fn message_start(&mut self, findings: &mut Findings, path: &str, data: &Map<String, Value>) {
        if self.started {
            findings.add(
                Rule::StreamEventOrder,
                path,
                "a second `message_start`: one stream carries one message",
            );
            return;
        }
        self.started = true;
        match data.get("message") {
            Some(Value::Object(message)) => {
                check_message_object(findings, &join(path, "message"), message, STREAM, true);
                self.builder
                    .model(message.get("model").and_then(Value::as_str));
                if let Some(usage) = message.get("usage") {
                    self.builder.usage(usage);
                }
            }
            other => shape(findings, &join(path, "message"), "a message object", other),
        }
    }

    fn block_start(
        &mut self,
        findings: &mut Findings,
        path: &str,
        index: usize,
        chunk: usize,
        data: &Map<String, Value>,
    ) {
        let at = self.block_index(findings, path, data);
        let block = match data.get("content_block") {
            Some(content @ Value::Object(block)) => {
                check_output_block(findings, &join(path, "content_block"), content, STREAM);
                block
            }
            other => {
                return shape(
                    findings,
                    &join(path, "content_block"),
                    "a content block object",
                    other,
                );
            }
        };
        let Some(at) = at else { return };
        if self.message_delta_seen {
            findings.add(
                Rule::StreamEventOrder,
                join(path, "index"),
                format!(
                    "content block {at} starts after `message_delta`, which closes the content"
                ),
            );
        }
        if at != self.blocks.len() {
            let why = if at < self.blocks.len() {
                format!("block {at} was already started")
            } else {
                format!(
                    "blocks are started in order and the next index is {}",
                    self.blocks.len()
                )
            };
            findings.add(
                Rule::StreamEventOrder,
                join(path, "index"),
                format!("`content_block_start` with index {at}: {why}"),
            );
            return;
        }
        let kind = block
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let mut visible = false;
        let call = match kind.as_str() {
            "tool_use" => {
                visible = true;
                Some(self.builder.open_tool_call(index, block))
            }
            "text" => {
                let text = block.get("text").and_then(Value::as_str).unwrap_or("");
                visible = !text.is_empty();
                self.builder.text(text);
                None
            }
            "thinking" => {
                self.builder
                    .reasoning(block.get("thinking").and_then(Value::as_str).unwrap_or(""));
                None
            }
            _ => None,
        };
        if visible {
            self.first_content_chunk.get_or_insert(chunk);
        }
        self.blocks.push(Block {
            kind,
            open: true,
            start: index,
            call,
            json: String::new(),
        });
    }

    fn block_delta(
        &mut self,
        findings: &mut Findings,
        path: &str,
        chunk: usize,
        data: &Map<String, Value>,
    ) {
        let at = self.block_index(findings, path, data);
        let delta = match data.get("delta") {
            Some(Value::Object(delta)) => delta,
            other => return shape(findings, &join(path, "delta"), "a delta object", other),
        };
        let delta_path = join(path, "delta");
        let Some(kind) = delta.get("type").and_then(Value::as_str) else {
            return shape(
                findings,
                &join(&delta_path, "type"),
                "a string",
                delta.get("type"),
            );
        };
        let Some(at) = at.filter(|at| self.open_block(findings, path, *at, "content_block_delta"))
        else {
            return;
        };
        let block = &self.blocks[at];
        let type_path = join(&delta_path, "type");
        match DELTAS.iter().find(|(name, _)| *name == kind) {
            None => {
                findings.add(
                    Rule::StreamDeltaType,
                    type_path,
                    format!("`{kind}` is not a delta type (text_delta, input_json_delta, thinking_delta, signature_delta, citations_delta); clients drop it"),
                );
                return;
            }
            Some((_, blocks)) if !blocks.contains(&block.kind.as_str()) => {
                findings.add(
                    Rule::StreamDeltaType,
                    type_path,
                    format!(
                        "a `{kind}` cannot extend block {at}, a `{}` block; clients drop it",
                        block.kind
                    ),
                );
                return;
            }
            Some(_) => {}
        }
        let field = match kind {
            "text_delta" => "text",
            "input_json_delta" => "partial_json",
            "thinking_delta" => "thinking",
            "signature_delta" => "signature",
            "citations_delta" => "citation",
            _ => return,
        };
        let value = delta.get(field);
        if field == "citation" {
            if !value.is_some_and(Value::is_object) {
                shape(
                    findings,
                    &join(&delta_path, field),
                    "a citation object",
                    value,
                );
            }
            return;
        }
        let Some(text) = value.and_then(Value::as_str) else {
            return shape(findings, &join(&delta_path, field), "a string", value);
        };
        match kind {
            "text_delta" => {
                if !text.is_empty() {
                    self.first_content_chunk.get_or_insert(chunk);
                }
                self.builder.text(text);
            }
            "thinking_delta" => self.builder.reasoning(text),
            "input_json_delta" => {
                let block = &mut self.blocks[at];
                block.json.push_str(text);
                if let Some(slot) = block.call {
                    self.builder.tool_arguments(slot, text);
                }
            }
            _ => {}
        }
    }

    fn block_stop(&mut self, findings: &mut Findings, path: &str, data: &Map<String, Value>) {
        let Some(at) = self.block_index(findings, path, data) else {
            return;
        };
        if self.open_block(findings, path, at, "content_block_stop") {
            self.check_tool_input(findings, at);
            self.blocks[at].open = false;
        }
    }

    fn message_delta(
        &mut self,
        findings: &mut Findings,
        path: &str,
        index: usize,
        data: &Map<String, Value>,
    ) {
        self.report_open_blocks(findings, path, "message_delta");
        self.message_delta_seen = true;
        match data.get("usage") {
            Some(Value::Object(usage)) => {
                check_usage(
                    findings,
                    &join(path, "usage"),
                    usage,
                    STREAM,
                    &["output_tokens"],
                );
                self.builder.usage_update(usage);
            }
            other => shape(findings, &join(path, "usage"), "a usage object", other),
        }
        let delta = match data.get("delta") {
            Some(Value::Object(delta)) => delta,
            other => return shape(findings, &join(path, "delta"), "a delta object", other),
        };
        let reason_path = join(&join(path, "delta"), "stop_reason");
        match delta.get("stop_reason") {
            None | Some(Value::Null) => {}
            Some(reason) => {
                if let Some(first) = self.stop_reason_at {
                    findings.add(
                        Rule::StreamFinishReason,
                        reason_path,
                        format!("`stop_reason` is set again (first by event {first})"),
                    );
                    return;
                }
                check_stop_reason(findings, &reason_path, reason, Rule::StreamFinishReason);
                self.stop_reason_at = Some(index);
                if let Some(reason) = reason.as_str() {
                    self.builder.finish(reason);
                }
            }
        }
    }

    /// The block index an event names, when it is an integer.
    fn block_index(
        &self,
        findings: &mut Findings,
        path: &str,
        data: &Map<String, Value>,
    ) -> Option<usize> {
        match data.get("index") {
            Some(index) if index.is_u64() => index.as_u64().map(|i| i as usize),
            other => {
                shape(
                    findings,
                    &join(path, "index"),
                    "a non-negative integer",
                    other,
                );
                None
            }
        }
    }

    /// Whether block `at` is open for `event`, reporting when it is not.
    fn open_block(&self, findings: &mut Findings, path: &str, at: usize, event: &str) -> bool {
        let why = match self.blocks.get(at) {
            Some(block) if block.open => return true,
            Some(_) => "after its `content_block_stop`",
            None => "but that block was never started",
        };
        findings.add(
            Rule::StreamEventOrder,
            join(path, "index"),
            format!("`{event}` for block {at} {why}"),
        );
        false
    }

    fn report_open_blocks(&self, findings: &mut Findings, path: &str, event: &str) {
        let open: Vec<String> = self
            .blocks
            .iter()
            .enumerate()
            .filter(|(_, b)| b.open)
            .map(|(i, _)| i.to_string())
            .collect();
        if !open.is_empty() {
            findings.add(
                Rule::StreamEventOrder,
                path,
                format!(
                    "`{event}` while block(s) {} are not stopped",
                    open.join(", ")
                ),
            );
        }
    }

    /// A tool block's `input_json_delta` fragments must join into a JSON object (none at all
    /// leaves the opening `input`).
    fn check_tool_input(&self, findings: &mut Findings, at: usize) {
        let block = &self.blocks[at];
        if block.json.is_empty()
            || !matches!(
                block.kind.as_str(),
                "tool_use" | "server_tool_use" | "mcp_tool_use"
            )
        {
            return;
        }
        let problem = match serde_json::from_str::<Value>(&block.json) {
            Ok(Value::Object(_)) => return,
            Ok(other) => format!("they join into a JSON {}, not an object", kind(&other)),
            Err(err) => format!("they do not join into valid JSON ({err})"),
        };
        findings.add(
            Rule::StreamToolArguments,
            format!("/stream/{}/content_block", block.start),
            format!(
                "the `input_json_delta` fragments of block {at} ({}): {problem}: '{}'",
                block.kind,
                shorten(&block.json, 80)
            ),
        );
    }
}

/// A payload field missing or of the wrong type.
fn shape(findings: &mut Findings, path: &str, expected: &str, found: Option<&Value>) {
    let found = found.map_or("nothing".to_owned(), |v| kind(v).to_owned());
    findings.add(
        Rule::StreamChunkShape,
        path,
        format!("expected {expected}, got {found}"),
    );
}
