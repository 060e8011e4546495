//! Rebuilding the message a client ends up with: from stream chunks (joining content and tool
//! argument fragments per choice and per tool-call index) or from a `chat.completion` body.
//! The checker validates what it rebuilds; the differ compares it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::json::Node;
use crate::json::node::Object;

/// The message(s) a response amounts to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Assembled {
    /// Per choice index.
    pub choices: BTreeMap<u64, AssembledChoice>,
    /// The last `usage` object seen (the usage chunk, or the completion's usage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Value>,
    /// The `model` the server reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AssembledChoice {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    pub content: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub refusal: String,
    /// Text from the non-standard `reasoning_content` / `reasoning` extensions.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reasoning: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<AssembledToolCall>,
    #[serde(default)]
    pub finish_reason: Option<String>,
}

/// One tool call, its argument fragments joined.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AssembledToolCall {
    pub index: u64,
    #[serde(default)]
    pub id: Option<String>,
    /// `type` as sent (`function`, or `custom` from gateways that pass the Responses shape).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    pub arguments: String,
    /// Stream event index of the first fragment (not serialised; for locating violations).
    #[serde(skip)]
    pub first_event: usize,
    /// What the first fragment carried (not serialised; clients need id, type and name there).
    #[serde(skip)]
    pub opened_with: Opening,
}

/// Which identifying fields the first fragment of a tool call carried.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Opening {
    pub id: bool,
    pub kind: bool,
    pub name: bool,
}

impl Assembled {
    /// Fold one `chat.completion.chunk` (already parsed) into the message.
    pub fn feed_chunk(&mut self, event: usize, chunk: &Node<'_>) {
        if let Some(model) = chunk.get("model").and_then(Node::as_str) {
            self.model.get_or_insert_with(|| model.to_owned());
        }
        if let Some(usage) = chunk.get("usage").filter(|u| u.is_object()) {
            self.usage = Some(usage.to_value());
        }
        let Some(choices) = chunk.get("choices").and_then(Node::as_array) else {
            return;
        };
        for choice in choices {
            let index = choice.get("index").and_then(Node::as_u64).unwrap_or(0);
            let entry = self.choices.entry(index).or_default();
            if let Some(delta) = choice.get("delta").and_then(Node::as_object) {
                entry.feed_delta(event, delta);
            }
            if let Some(reason) = choice.get("finish_reason").and_then(Node::as_str) {
                entry.finish_reason = Some(reason.to_owned());
            }
        }
    }

    /// The message of a non-streamed `chat.completion` body.
    pub fn from_completion(body: &Value) -> Assembled {
        let usage = body.get("usage").filter(|u| u.is_object()).cloned();
        let body = Node::from_value(body);
        let mut assembled = Assembled {
            model: body.get("model").and_then(Node::as_str).map(str::to_owned),
            usage,
            ..Assembled::default()
        };
        for choice in body
            .get("choices")
            .and_then(Node::as_array)
            .into_iter()
            .flatten()
        {
            let index = choice.get("index").and_then(Node::as_u64).unwrap_or(0);
            let entry = assembled.choices.entry(index).or_default();
            if let Some(message) = choice.get("message").and_then(Node::as_object) {
                entry.feed_delta(0, message);
                // A completed message lists whole calls; positions stand in for stream indexes.
                for (position, call) in entry.tool_calls.iter_mut().enumerate() {
                    call.index = position as u64;
                }
            }
            entry.finish_reason = choice
                .get("finish_reason")
                .and_then(Node::as_str)
                .map(str::to_owned);
        }
        assembled
    }
}

impl AssembledChoice {
    fn feed_delta(&mut self, event: usize, delta: &Object<'_>) {
        if let Some(role) = delta.get("role").and_then(Node::as_str) {
            self.role.get_or_insert_with(|| role.to_owned());
        }
        if let Some(text) = delta.get("content").and_then(Node::as_str) {
            self.content.push_str(text);
        }
        if let Some(text) = delta.get("refusal").and_then(Node::as_str) {
            self.refusal.push_str(text);
        }
        for key in ["reasoning_content", "reasoning"] {
            if let Some(text) = delta.get(key).and_then(Node::as_str) {
                self.reasoning.push_str(text);
            }
        }
        let Some(calls) = delta.get("tool_calls").and_then(Node::as_array) else {
            return;
        };
        for (position, call) in calls.iter().enumerate() {
            // A completion message has no `index`; its position is the index.
            let index = call
                .get("index")
                .and_then(Node::as_u64)
                .unwrap_or(position as u64);
            let slot = match self.tool_calls.iter().position(|c| c.index == index) {
                Some(slot) => slot,
                None => {
                    let body = call.get("function").or_else(|| call.get("custom"));
                    self.tool_calls.push(AssembledToolCall {
                        index,
                        first_event: event,
                        opened_with: Opening {
                            id: call.get("id").is_some_and(Node::is_string),
                            kind: call.get("type").is_some_and(Node::is_string),
                            name: body
                                .and_then(|b| b.get("name"))
                                .is_some_and(Node::is_string),
                        },
                        ..AssembledToolCall::default()
                    });
                    self.tool_calls.len() - 1
                }
            };
            let entry = &mut self.tool_calls[slot];
            if let Some(id) = call.get("id").and_then(Node::as_str) {
                entry.id.get_or_insert_with(|| id.to_owned());
            }
            if let Some(kind) = call.get("type").and_then(Node::as_str) {
                entry.kind.get_or_insert_with(|| kind.to_owned());
            }
            let body = call.get("function").or_else(|| call.get("custom"));
            if let Some(body) = body {
                if let Some(name) = body.get("name").and_then(Node::as_str) {
                    entry.name.get_or_insert_with(|| name.to_owned());
                }
                let fragment = body.get("arguments").or_else(|| body.get("input"));
                if let Some(text) = fragment.and_then(Node::as_str) {
                    entry.arguments.push_str(text);
                }
            }
        }
    }
}

/// Whether a chunk carries what a user sees: non-empty content or refusal, or a tool call. The
/// first chunk usually carries only the role, so it does not count for time to first token.
pub fn carries_content(chunk: &Node<'_>) -> bool {
    chunk
        .get("choices")
        .and_then(Node::as_array)
        .is_some_and(|choices| {
            choices.iter().any(|choice| {
                let Some(delta) = choice.get("delta") else {
                    return false;
                };
                delta
                    .get("content")
                    .and_then(Node::as_str)
                    .is_some_and(|s| !s.is_empty())
                    || delta
                        .get("refusal")
                        .and_then(Node::as_str)
                        .is_some_and(|s| !s.is_empty())
                    || delta
                        .get("tool_calls")
                        .and_then(Node::as_array)
                        .is_some_and(|c| !c.is_empty())
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fragments_join_per_choice_and_tool_index() {
        let mut assembled = Assembled::default();
        let chunks = [
            json!({"model": "m", "choices": [{"index": 0, "delta": {"role": "assistant", "content": "He"}}]}),
            json!({"choices": [{"index": 0, "delta": {"content": "llo", "tool_calls": [{"index": 0, "id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\"a\""}}]}}]}),
            json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": ":1}"}}]}, "finish_reason": "tool_calls"}]}),
            json!({"choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}}),
        ];
        for (i, chunk) in chunks.iter().enumerate() {
            assembled.feed_chunk(i, &Node::from_value(chunk));
        }
        let choice = &assembled.choices[&0];
        assert_eq!(choice.content, "Hello");
        assert_eq!(choice.tool_calls[0].arguments, "{\"a\":1}");
        assert_eq!(choice.tool_calls[0].name.as_deref(), Some("f"));
        assert_eq!(choice.finish_reason.as_deref(), Some("tool_calls"));
        assert!(assembled.usage.is_some());
    }

    #[test]
    fn a_completion_assembles_the_same_way() {
        let body = json!({"model": "m", "choices": [{"index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": "Hi", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}}]});
        let assembled = Assembled::from_completion(&body);
        assert_eq!(assembled.choices[&0].content, "Hi");
        assert_eq!(assembled.choices[&0].tool_calls[0].arguments, "{}");
    }
}
