//! Chunk rules: every `chat.completion.chunk` of a Chat stream, its choices and deltas, what
//! must stay the same across chunks (`id`, `created`), finish reasons and the usage chunk.

use std::collections::{BTreeMap, BTreeSet};

use crate::json::Node;

use crate::conformance::Rule;
use crate::conformance::context::RequestContext;
use crate::conformance::findings::Findings;

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

/// What must stay the same, or happen once, across the chunks.
#[derive(Default)]
pub(super) struct ChunkState<'a> {
    id: Option<Node<'a>>,
    created: Option<Node<'a>>,
    consistency_reported: bool,
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

pub(super) fn check_chunk<'a>(
    chunk: &Node<'a>,
    path: &str,
    findings: &mut Findings,
    state: &mut ChunkState<'a>,
) {
    let Some(map) = chunk.as_object() else {
        findings.add(
            Rule::StreamChunkShape,
            path,
            format!("chunk is a JSON {}, not an object", chunk.kind()),
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
    match map.get("object").and_then(Node::as_str) {
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
        if !CHUNK_KEYS.contains(&key) {
            extension(findings, state, &format!("{path}/{key}"), key);
        }
    }
    let Some(choices) = map.get("choices") else {
        return;
    };
    let Some(choices) = choices.as_array() else {
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
        let path = ChoicePath {
            chunk: path,
            index: i,
        };
        check_choice(choice, &path, event, findings, state);
    }
}

/// `{chunk}/choices/{index}`, written out only when a finding needs it: building the path of
/// every choice of every chunk up front was a measurable share of checking a stream.
struct ChoicePath<'a> {
    chunk: &'a str,
    index: usize,
}

impl std::fmt::Display for ChoicePath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/choices/{}", self.chunk, self.index)
    }
}

fn remember_same<'a>(
    slot: &mut Option<Node<'a>>,
    value: &Node<'a>,
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
    choice: &Node<'_>,
    path: &ChoicePath<'_>,
    event: usize,
    findings: &mut Findings,
    state: &mut ChunkState<'_>,
) {
    let Some(map) = choice.as_object() else {
        findings.add(
            Rule::StreamChunkShape,
            path.to_string(),
            "choice is not an object",
        );
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
        Some(Node::Null) => {}
        Some(Node::Str(reason)) => {
            if !FINISH_REASONS.contains(&reason.as_ref()) {
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
                other.kind()
            ),
        ),
    }
    for key in map.keys() {
        if !CHOICE_KEYS.contains(&key) {
            extension(findings, state, &format!("{path}/{key}"), key);
        }
    }
    match map.get("delta") {
        Some(Node::Object(delta)) => {
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
                        format!("delta `{key}` is a {}, not a string", value.kind()),
                    );
                }
            }
            if let Some(calls) = delta.get("tool_calls") {
                check_tool_call_deltas(calls, &format!("{path}/delta/tool_calls"), findings);
            }
            for key in delta.keys() {
                if DELTA_KEYS.contains(&key) {
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

fn check_tool_call_deltas(calls: &Node<'_>, path: &str, findings: &mut Findings) {
    let Some(calls) = calls.as_array() else {
        findings.add(
            Rule::StreamToolCallDelta,
            path,
            "`tool_calls` is not an array",
        );
        return;
    };
    for (i, call) in calls.iter().enumerate() {
        if !call.get("index").is_some_and(Node::is_u64) {
            findings.add(
                Rule::StreamToolCallDelta,
                format!("{path}/{i}/index"),
                "tool-call delta has no integer `index` (clients join fragments by it)",
            );
        }
    }
}

fn extension(findings: &mut Findings, state: &mut ChunkState<'_>, path: &str, key: &str) {
    if state.extensions_reported.insert(key.to_owned()) {
        findings.add(
            Rule::StreamExtension,
            path,
            format!("`{key}` is not a Chat Completions chunk field (extension)"),
        );
    }
}

fn check_usage(usage: &Node<'_>, path: &str, findings: &mut Findings) {
    let Some(map) = usage.as_object() else {
        findings.add(Rule::StreamUsage, path, "`usage` is not an object");
        return;
    };
    for key in ["prompt_tokens", "completion_tokens", "total_tokens"] {
        if !map.get(key).is_some_and(Node::is_u64) {
            findings.add(
                Rule::StreamUsage,
                format!("{path}/{key}"),
                format!("`usage.{key}` is missing or not a non-negative integer"),
            );
        }
    }
}

pub(super) fn finish_checks(state: &ChunkState<'_>, findings: &mut Findings) {
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

pub(super) fn usage_checks(
    state: &ChunkState<'_>,
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
