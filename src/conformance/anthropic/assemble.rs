//! What a client ends up with from an Anthropic answer, in the shape every contract fills
//! ([`Assembled`]): text blocks joined into `content`, thinking into `reasoning`, `tool_use`
//! blocks as tool calls whose arguments are the JSON text of their `input`, `stop_reason` as
//! the finish reason (in Anthropic's own names), `usage` and `model`. Server tool calls run at
//! Anthropic, so they are not calls the client has to answer and are left out.

use serde_json::{Map, Value};

use crate::assemble::{Assembled, AssembledChoice, AssembledToolCall, Opening};

/// Builds the message as events (or blocks) come.
#[derive(Debug, Default)]
pub(super) struct Builder {
    assembled: Assembled,
    choice: AssembledChoice,
    /// Per tool call, the JSON text of the `input` its opening block carried: the arguments
    /// when no `input_json_delta` follows.
    opening_inputs: Vec<String>,
}

impl Builder {
    pub(super) fn new() -> Builder {
        Builder {
            choice: AssembledChoice {
                role: Some("assistant".to_owned()),
                ..AssembledChoice::default()
            },
            ..Builder::default()
        }
    }

    pub(super) fn model(&mut self, model: Option<&str>) {
        if let Some(model) = model {
            self.assembled.model.get_or_insert_with(|| model.to_owned());
        }
    }

    /// The `usage` of the message (`message_start`, or the JSON answer).
    pub(super) fn usage(&mut self, usage: &Value) {
        if usage.is_object() {
            self.assembled.usage = Some(usage.clone());
        }
    }

    /// `message_delta` usage is cumulative: its counts replace the opening ones, the way the
    /// SDK's accumulator folds them.
    pub(super) fn usage_update(&mut self, update: &Map<String, Value>) {
        let usage = self
            .assembled
            .usage
            .get_or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(usage) = usage {
            for (key, value) in update.iter().filter(|(_, v)| !v.is_null()) {
                usage.insert(key.clone(), value.clone());
            }
        }
    }

    pub(super) fn text(&mut self, text: &str) {
        self.choice.content.push_str(text);
    }

    pub(super) fn reasoning(&mut self, text: &str) {
        self.choice.reasoning.push_str(text);
    }

    /// Open a tool call from a `tool_use` block; returns its slot.
    pub(super) fn open_tool_call(&mut self, event: usize, block: &Map<String, Value>) -> usize {
        let text = |key: &str| block.get(key).and_then(Value::as_str).map(str::to_owned);
        let slot = self.choice.tool_calls.len();
        self.choice.tool_calls.push(AssembledToolCall {
            index: slot as u64,
            id: text("id"),
            kind: text("type"),
            name: text("name"),
            arguments: String::new(),
            first_event: event,
            opened_with: Opening {
                id: block.get("id").is_some_and(Value::is_string),
                kind: true,
                name: block.get("name").is_some_and(Value::is_string),
            },
        });
        self.opening_inputs.push(
            block
                .get("input")
                .map_or_else(String::new, Value::to_string),
        );
        slot
    }

    pub(super) fn tool_arguments(&mut self, slot: usize, fragment: &str) {
        if let Some(call) = self.choice.tool_calls.get_mut(slot) {
            call.arguments.push_str(fragment);
        }
    }

    pub(super) fn finish(&mut self, reason: &str) {
        self.choice.finish_reason = Some(reason.to_owned());
    }

    pub(super) fn build(mut self) -> Assembled {
        for (call, opening) in self.choice.tool_calls.iter_mut().zip(self.opening_inputs) {
            if call.arguments.is_empty() {
                call.arguments = opening;
            }
        }
        self.assembled.choices.insert(0, self.choice);
        self.assembled
    }

    /// Fold one content block of a whole message (the JSON answer).
    pub(super) fn block(&mut self, block: &Value) {
        let Some(map) = block.as_object() else { return };
        match map.get("type").and_then(Value::as_str) {
            Some("text") => self.text(map.get("text").and_then(Value::as_str).unwrap_or("")),
            Some("thinking") => {
                self.reasoning(map.get("thinking").and_then(Value::as_str).unwrap_or(""))
            }
            Some("tool_use") => {
                self.open_tool_call(0, map);
            }
            _ => {}
        }
    }
}

/// The message a JSON answer amounts to.
pub(super) fn from_message(message: &Map<String, Value>) -> Assembled {
    let mut builder = Builder::new();
    builder.model(message.get("model").and_then(Value::as_str));
    if let Some(usage) = message.get("usage") {
        builder.usage(usage);
    }
    for block in message
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        builder.block(block);
    }
    if let Some(reason) = message.get("stop_reason").and_then(Value::as_str) {
        builder.finish(reason);
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_message_assembles_text_thinking_tool_calls_and_its_stop_reason() {
        let message = json!({"model": "claude-sonnet-4-5", "stop_reason": "tool_use",
        "usage": {"input_tokens": 5, "output_tokens": 7},
        "content": [
            {"type": "thinking", "thinking": "Look it up.", "signature": "sig"},
            {"type": "text", "text": "Checking "},
            {"type": "text", "text": "now."},
            {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "x"}},
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}
        ]});
        let assembled = from_message(message.as_object().unwrap());
        let choice = &assembled.choices[&0];
        assert_eq!(choice.content, "Checking now.");
        assert_eq!(choice.reasoning, "Look it up.");
        assert_eq!(choice.finish_reason.as_deref(), Some("tool_use"));
        assert_eq!(
            choice.tool_calls.len(),
            1,
            "server tool calls are not the client's"
        );
        let call = &choice.tool_calls[0];
        assert_eq!(
            (
                call.id.as_deref(),
                call.name.as_deref(),
                call.arguments.as_str()
            ),
            (Some("toolu_1"), Some("get_weather"), r#"{"city":"Paris"}"#)
        );
        assert_eq!(assembled.model.as_deref(), Some("claude-sonnet-4-5"));
        assert_eq!(
            assembled.usage,
            Some(json!({"input_tokens": 5, "output_tokens": 7}))
        );
    }

    #[test]
    fn streamed_usage_takes_the_cumulative_counts_and_keeps_the_rest() {
        let mut builder = Builder::new();
        builder.usage(&json!({"input_tokens": 10, "output_tokens": 1, "service_tier": "standard"}));
        builder.usage_update(
            json!({"output_tokens": 42, "input_tokens": null})
                .as_object()
                .unwrap(),
        );
        let assembled = builder.build();
        assert_eq!(
            assembled.usage,
            Some(json!({"input_tokens": 10, "output_tokens": 42, "service_tier": "standard"}))
        );
    }
}
