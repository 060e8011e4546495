//! Deterministic Chat Completions answers: a stream (role chunk, content chunks, finish chunk,
//! usage chunk when asked, `[DONE]`) or a JSON completion; a tool call that respects the tool's
//! type when the request forces or invites one.

use bytes::Bytes;
use serde_json::{Value, json};

/// 2026-01-01T00:00:00Z.
const FIXED_CREATED: u64 = 1_767_225_600;

/// What the answer will be, decided from the request.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub model: String,
    pub stream: bool,
    pub include_usage: bool,
    pub reply: Reply,
    pub id: String,
    pub created: u64,
    pub prompt_tokens: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Text(String),
    ToolCall {
        name: String,
        /// `function` tools get JSON arguments; `custom` tools get raw text.
        custom: bool,
        arguments: String,
    },
}

impl Plan {
    /// Plan an answer to a request body of any dialect (the stub answers everything).
    pub fn for_request(body: &Value, raw_len: usize) -> Plan {
        let model = body
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or("cursor-harness-reference")
            .to_owned();
        let digest = ring::digest::digest(&ring::digest::SHA256, body.to_string().as_bytes());
        let id: String = digest.as_ref()[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let messages = body
            .get("messages")
            .or_else(|| body.get("input"))
            .and_then(Value::as_array);
        let count = messages.map_or(0, Vec::len);
        let reply = choose_tool(body).unwrap_or_else(|| {
            Reply::Text(format!(
                "Hello from the cursor-harness reference gateway: {count} message(s) received for {model}."
            ))
        });
        Plan {
            stream: body.get("stream").and_then(Value::as_bool).unwrap_or(false),
            include_usage: body
                .pointer("/stream_options/include_usage")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            reply,
            id: format!("chatcmpl-harness-{id}"),
            // Fixed, so the same request always gets the same bytes (replays diff cleanly and
            // reports are stable); clients do not interpret `created`.
            created: FIXED_CREATED,
            prompt_tokens: (raw_len / 4) as u64,
            model,
        }
    }

    fn completion_tokens(&self) -> u64 {
        match &self.reply {
            Reply::Text(text) => text.split_whitespace().count() as u64,
            Reply::ToolCall { arguments, .. } => (arguments.len() / 4).max(1) as u64,
        }
    }

    fn usage(&self) -> Value {
        let completion = self.completion_tokens();
        json!({
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": self.prompt_tokens + completion,
        })
    }

    fn finish_reason(&self) -> &'static str {
        match self.reply {
            Reply::Text(_) => "stop",
            Reply::ToolCall { .. } => "tool_calls",
        }
    }

    fn chunk(&self, choices: Value) -> Value {
        let mut chunk = json!({
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": choices,
        });
        if self.include_usage {
            chunk["usage"] = Value::Null;
        }
        chunk
    }

    /// The SSE events of a streamed answer, one `Bytes` per event.
    pub fn stream_events(&self) -> Vec<Bytes> {
        let mut chunks = vec![self.chunk(json!([{
            "index": 0, "delta": {"role": "assistant", "content": ""}, "logprobs": null, "finish_reason": null
        }]))];
        match &self.reply {
            Reply::Text(text) => {
                for piece in split_words(text) {
                    chunks.push(self.chunk(json!([{
                        "index": 0, "delta": {"content": piece}, "logprobs": null, "finish_reason": null
                    }])));
                }
            }
            Reply::ToolCall {
                name, arguments, ..
            } => {
                chunks.push(self.chunk(json!([{
                    "index": 0, "logprobs": null, "finish_reason": null,
                    "delta": {"tool_calls": [{"index": 0, "id": format!("call_{}", &self.id[17..29]), "type": "function",
                        "function": {"name": name, "arguments": ""}}]}
                }])));
                for piece in split_at_most(arguments, 24) {
                    chunks.push(self.chunk(json!([{
                        "index": 0, "logprobs": null, "finish_reason": null,
                        "delta": {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}
                    }])));
                }
            }
        }
        chunks.push(self.chunk(json!([{
            "index": 0, "delta": {}, "logprobs": null, "finish_reason": self.finish_reason()
        }])));
        if self.include_usage {
            let mut usage = self.chunk(json!([]));
            usage["usage"] = self.usage();
            chunks.push(usage);
        }
        let mut events: Vec<Bytes> = chunks
            .iter()
            .map(|chunk| Bytes::from(format!("data: {chunk}\n\n")))
            .collect();
        events.push(Bytes::from_static(b"data: [DONE]\n\n"));
        events
    }

    /// The JSON body of a non-streamed answer.
    pub fn completion(&self) -> Value {
        let message = match &self.reply {
            Reply::Text(text) => {
                json!({"role": "assistant", "content": text, "refusal": null, "annotations": []})
            }
            Reply::ToolCall {
                name, arguments, ..
            } => json!({
                "role": "assistant", "content": null, "refusal": null, "annotations": [],
                "tool_calls": [{"id": format!("call_{}", &self.id[17..29]), "type": "function",
                    "function": {"name": name, "arguments": arguments}}]
            }),
        };
        json!({
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": self.finish_reason()}],
            "usage": self.usage(),
        })
    }
}

/// Call a tool when the request forces one (`required`, a named tool) or invites one (`auto`
/// with tools offered, right after a user turn). After a tool result, answer in text.
fn choose_tool(body: &Value) -> Option<Reply> {
    let tools = body.get("tools")?.as_array()?;
    if tools.is_empty() {
        return None;
    }
    let choice = body.get("tool_choice");
    let named = choice.and_then(|c| {
        c.pointer("/function/name")
            .or_else(|| c.pointer("/custom/name"))
            .and_then(Value::as_str)
    });
    let forced = named.is_some() || choice.and_then(Value::as_str) == Some("required");
    let invited = matches!(choice.and_then(Value::as_str), None | Some("auto"))
        && choice.is_none_or(Value::is_string);
    let last_role = body
        .get("messages")
        .and_then(Value::as_array)
        .and_then(|m| m.last())
        .and_then(|m| m.get("role"))
        .and_then(Value::as_str);
    if !(forced || (invited && last_role == Some("user"))) {
        return None;
    }
    let tool = match named {
        Some(name) => tools.iter().find(|t| tool_name(t) == Some(name))?,
        None => &tools[0],
    };
    let name = tool_name(tool)?.to_owned();
    let custom = tool.get("type").and_then(Value::as_str) == Some("custom");
    let arguments = if custom {
        custom_text(&name).to_owned()
    } else {
        let schema = tool
            .pointer("/function/parameters")
            .cloned()
            .unwrap_or(json!({"type": "object"}));
        example_for(&schema).to_string()
    };
    Some(Reply::ToolCall {
        name,
        custom,
        arguments,
    })
}

/// The raw text a custom (freeform) tool is called with: a patch in ApplyPatch's grammar.
pub(super) fn custom_text(name: &str) -> &'static str {
    if name == "ApplyPatch" {
        "*** Begin Patch\n*** Add File: hello.txt\n+hello from cursor-harness\n*** End Patch"
    } else {
        "cursor-harness"
    }
}

fn tool_name(tool: &Value) -> Option<&str> {
    tool.pointer("/function/name")
        .or_else(|| tool.pointer("/custom/name"))
        .and_then(Value::as_str)
}

/// The smallest value that satisfies a JSON Schema's type, enum and required properties.
pub(super) fn example_for(schema: &Value) -> Value {
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    let kind = match schema.get("type") {
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|k| *k != "null"),
        Some(Value::String(kind)) => Some(kind.as_str()),
        _ => None,
    };
    match kind {
        Some("string") => json!("example"),
        Some("integer" | "number") => json!(0),
        Some("boolean") => json!(false),
        Some("array") => json!([]),
        Some("null") => Value::Null,
        _ => {
            let mut object = serde_json::Map::new();
            let properties = schema.get("properties").and_then(Value::as_object);
            for required in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(name) = required.as_str() {
                    let property = properties
                        .and_then(|p| p.get(name))
                        .cloned()
                        .unwrap_or(json!({}));
                    object.insert(name.to_owned(), example_for(&property));
                }
            }
            Value::Object(object)
        }
    }
}

/// Words with their following space, so the pieces join back into the text.
pub(super) fn split_words(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == ' ' {
            pieces.push(&text[start..=i]);
            start = i + 1;
        }
    }
    if start < text.len() {
        pieces.push(&text[start..]);
    }
    pieces
}

fn split_at_most(text: &str, size: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut cut = rest.len().min(size);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        pieces.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forced_function_tool_gets_json_arguments_satisfying_its_schema() {
        let body = json!({"model": "m", "messages": [{"role": "user", "content": "x"}],
            "tools": [{"type": "function", "function": {"name": "read_file", "parameters": {"type": "object",
                "properties": {"path": {"type": "string"}, "lines": {"type": "integer"}}, "required": ["path", "lines"]}}}],
            "tool_choice": "required"});
        let plan = Plan::for_request(&body, 100);
        let Reply::ToolCall {
            name,
            arguments,
            custom,
        } = &plan.reply
        else {
            panic!("{plan:?}")
        };
        assert_eq!((name.as_str(), *custom), ("read_file", false));
        assert_eq!(
            serde_json::from_str::<Value>(arguments).unwrap(),
            json!({"path": "example", "lines": 0})
        );
    }

    #[test]
    fn a_custom_apply_patch_tool_gets_raw_patch_text() {
        let body = json!({"model": "m", "messages": [{"role": "user", "content": "x"}],
            "tools": [{"type": "custom", "custom": {"name": "ApplyPatch"}}]});
        let Reply::ToolCall {
            arguments, custom, ..
        } = Plan::for_request(&body, 1).reply
        else {
            panic!()
        };
        assert!(custom && arguments.starts_with("*** Begin Patch"));
    }

    #[test]
    fn after_a_tool_result_the_answer_is_text() {
        let body = json!({"model": "m", "messages": [{"role": "user", "content": "x"},
            {"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "c", "content": "ok"}],
            "tools": [{"type": "function", "function": {"name": "f"}}]});
        assert!(matches!(Plan::for_request(&body, 1).reply, Reply::Text(_)));
    }

    #[test]
    fn text_pieces_join_back() {
        let text = "Hello from the gateway.";
        assert_eq!(split_words(text).concat(), text);
        assert_eq!(split_at_most("héllo wörld", 3).concat(), "héllo wörld");
    }
}
