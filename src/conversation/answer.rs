//! The answer direction of the translation: a provider's Chat Completions answer turned into
//! what Cursor needs. Requests carry a custom (freeform) tool such as ApplyPatch as a function
//! with one string parameter (`{"input": "<patch>"}`, see `to_chat.rs`); Cursor reads such a
//! tool's arguments as the raw text, so the wrapper comes off again on the way back. Everything
//! else passes unchanged, chunk for chunk.
//!
//! In a stream, a wrapped call's argument fragments are held back (the raw text only exists once
//! the JSON string is complete) and sent as one fragment just before the chunk that finishes the
//! choice; the chunk that opens the call (id, type, name) goes through at once.

use std::collections::{BTreeMap, BTreeSet};

use bytes::Bytes;
use serde_json::{Value, json};

use super::CUSTOM_ARGUMENT;

/// The raw text inside `{"input": "<text>"}`, or `None` when the arguments are not that shape.
pub fn unwrap_arguments(arguments: &str) -> Option<String> {
    let value: Value = serde_json::from_str(arguments).ok()?;
    let object = value.as_object()?;
    (object.len() == 1)
        .then(|| object.get(CUSTOM_ARGUMENT)?.as_str().map(str::to_owned))
        .flatten()
}

/// A `chat.completion` body with the custom tools' arguments unwrapped.
pub fn unwrap_completion(mut body: Value, custom_tools: &BTreeSet<String>) -> Value {
    for choice in body
        .get_mut("choices")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        for call in choice
            .pointer_mut("/message/tool_calls")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            let is_custom = call
                .pointer("/function/name")
                .and_then(Value::as_str)
                .is_some_and(|name| custom_tools.contains(name));
            if is_custom
                && let Some(raw) = call
                    .pointer("/function/arguments")
                    .and_then(Value::as_str)
                    .and_then(unwrap_arguments)
            {
                call["function"]["arguments"] = json!(raw);
            }
        }
    }
    body
}

/// Rewrites a Chat Completions event stream event by event (each `Bytes` one SSE event, as the
/// embedded gateway and the tee hand them over).
#[derive(Debug, Default)]
pub struct StreamUnwrapper {
    custom_tools: BTreeSet<String>,
    /// (choice index, tool-call index) → the held-back argument fragments.
    held: BTreeMap<(u64, u64), String>,
}

impl StreamUnwrapper {
    pub fn new(custom_tools: BTreeSet<String>) -> StreamUnwrapper {
        StreamUnwrapper {
            custom_tools,
            held: BTreeMap::new(),
        }
    }

    /// The events to send for one event received.
    pub fn event(&mut self, event: &[u8]) -> Vec<Bytes> {
        let text = String::from_utf8_lossy(event);
        let Some(data) = text.trim_end().strip_prefix("data: ") else {
            return vec![Bytes::copy_from_slice(event)];
        };
        let Ok(mut chunk) = serde_json::from_str::<Value>(data) else {
            return vec![Bytes::copy_from_slice(event)];
        };
        let mut out = Vec::new();
        let mut finishing = Vec::new();
        for choice in chunk
            .get_mut("choices")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            let index = choice.get("index").and_then(Value::as_u64).unwrap_or(0);
            if let Some(calls) = choice
                .pointer_mut("/delta/tool_calls")
                .and_then(Value::as_array_mut)
            {
                for call in calls.iter_mut() {
                    let call_index = call.get("index").and_then(Value::as_u64).unwrap_or(0);
                    let opens_custom = call
                        .pointer("/function/name")
                        .and_then(Value::as_str)
                        .is_some_and(|name| self.custom_tools.contains(name));
                    if opens_custom {
                        self.held.insert((index, call_index), String::new());
                    }
                    if let Some(held) = self.held.get_mut(&(index, call_index))
                        && let Some(fragment) = call.pointer_mut("/function/arguments")
                    {
                        held.push_str(fragment.as_str().unwrap_or_default());
                        *fragment = json!("");
                    }
                }
                // A delta left with only held-back fragments carries nothing.
                calls.retain(|call| {
                    call.get("id").is_some()
                        || call.pointer("/function/name").is_some()
                        || call
                            .pointer("/function/arguments")
                            .and_then(Value::as_str)
                            .is_some_and(|a| !a.is_empty())
                });
            }
            if choice
                .get("finish_reason")
                .is_some_and(|reason| !reason.is_null())
            {
                finishing.push(index);
            }
        }
        for choice_index in finishing {
            let ready: Vec<((u64, u64), String)> = self
                .held
                .iter()
                .filter(|((choice, _), _)| *choice == choice_index)
                .map(|(key, value)| (*key, value.clone()))
                .collect();
            for ((choice, call), fragments) in ready {
                self.held.remove(&(choice, call));
                let raw = unwrap_arguments(&fragments).unwrap_or(fragments);
                let mut release = chunk.clone();
                release["choices"] = json!([{"index": choice, "delta": {"tool_calls": [
                    {"index": call, "function": {"arguments": raw}}]}, "finish_reason": null}]);
                if let Some(usage) = release.get_mut("usage") {
                    *usage = Value::Null;
                }
                out.push(Bytes::from(format!("data: {release}\n\n")));
            }
        }
        let empty_delta = chunk
            .get("choices")
            .and_then(Value::as_array)
            .is_some_and(|choices| {
                !choices.is_empty()
                    && choices.iter().all(|c| {
                        c.get("finish_reason").is_none_or(Value::is_null)
                            && c.get("delta").and_then(Value::as_object).is_some_and(|d| {
                                d.iter().all(|(k, v)| {
                                    k == "tool_calls" && v.as_array().is_some_and(Vec::is_empty)
                                })
                            })
                    })
            });
        if !empty_delta {
            out.push(Bytes::from(format!("data: {chunk}\n\n")));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_single_input_string_is_unwrapped() {
        assert_eq!(
            unwrap_arguments(r#"{"input":"*** Begin Patch\n*** End Patch"}"#).as_deref(),
            Some("*** Begin Patch\n*** End Patch")
        );
        assert_eq!(unwrap_arguments(r#"{"input":"a","x":1}"#), None);
        assert_eq!(unwrap_arguments(r#"{"path":"a.ts"}"#), None);
        assert_eq!(unwrap_arguments("*** Begin Patch"), None);
    }
}
