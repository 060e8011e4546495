//! What a request means, whatever API it is written for: the system prompt, the turns with
//! their text, images, tool calls and tool results, the tools offered, the tool choice, and
//! the sampling parameters, each with the JSON pointer it was read from.
//!
//! Read from any dialect ([`read`]), two requests can be compared by meaning (what a gateway
//! carried from its client's request into its provider's, `legs`), and a request can be written
//! again in another API (`translate`). What a reader meets that has no neutral meaning (a
//! Responses `store` flag, a `previous_response_id`) is kept as an [`Extra`], so nothing is
//! lost silently.
//!
//! - `read_chat.rs`, `read_responses.rs`, `read_anthropic.rs`, `read_gemini.rs`: one reader per
//!   dialect.

pub mod answer;
mod read_anthropic;
mod read_chat;
mod read_gemini;
mod read_responses;
mod to_chat;

pub use to_chat::{CUSTOM_ARGUMENT, Loss, Translation, to_chat};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::dialect::Dialect;

/// A request's meaning.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    /// The dialect it was read as.
    pub dialect: Option<Dialect>,
    pub model: Option<String>,
    /// System and developer instructions, in order.
    pub system: Vec<Located<String>>,
    pub turns: Vec<Turn>,
    pub tools: Vec<ToolDef>,
    pub tool_choice: Option<Located<ToolChoice>>,
    pub params: Params,
    pub stream: bool,
    /// Where prompt-cache markers sat (`cache_control`).
    pub cache_markers: Vec<String>,
    /// What has no neutral meaning, by path.
    pub extras: Vec<Extra>,
}

/// A value and the JSON pointer it was read from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Located<T> {
    pub value: T,
    pub path: String,
}

impl<T> Located<T> {
    pub fn at(value: T, path: impl Into<String>) -> Located<T> {
        Located {
            value,
            path: path.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
    /// A turn that carries tool results (Chat's `tool` message, Responses'
    /// `function_call_output`); Anthropic and Gemini put them in a user turn.
    Tool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    pub role: Role,
    pub path: String,
    pub parts: Vec<Located<Part>>,
}

/// One piece of a turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Part {
    Text {
        text: String,
    },
    /// An image, by URL or as `data:<media type>` with the length of its data.
    Image {
        source: String,
        /// The whole URL (a `data:` URL for inline bytes), for writing the image again; not
        /// part of any output.
        #[serde(skip)]
        url: Option<String>,
    },
    ToolCall {
        id: Option<String>,
        name: String,
        /// JSON text for a function tool, raw text for a custom (freeform) tool.
        arguments: String,
        custom: bool,
    },
    ToolResult {
        id: Option<String>,
        content: String,
        is_error: bool,
    },
    Reasoning {
        text: String,
    },
    /// A part a reader knows no neutral meaning for (a document, an audio clip).
    Other {
        what: String,
    },
}

/// A tool offered to the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolDef {
    pub name: String,
    pub description: Option<String>,
    /// The parameters' JSON Schema (a function tool), if given.
    pub schema: Option<Value>,
    /// A custom (freeform) tool's grammar (`lark`/`regex` and its definition), or `Some` of an
    /// empty string for free text.
    pub grammar: Option<String>,
    /// The tool is the provider's own (web search, code execution, …), not one the client runs.
    pub hosted: bool,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolChoice {
    Auto,
    None,
    /// Some tool must be called.
    Required,
    /// This tool must be called.
    Named(String),
}

/// Sampling and limits, each with where it was read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Params {
    pub temperature: Option<Located<f64>>,
    pub top_p: Option<Located<f64>>,
    /// The output token limit, whatever the API calls it.
    pub max_tokens: Option<Located<u64>>,
    pub stop: Option<Located<Vec<String>>>,
    /// Reasoning effort (`low`, `medium`, `high`, …) or a thinking budget as `budget:<tokens>`.
    pub reasoning: Option<Located<String>>,
    pub parallel_tool_calls: Option<Located<bool>>,
}

/// Something read that has no neutral meaning, kept with why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extra {
    pub path: String,
    pub what: String,
}

/// Read a request body as its dialect says. `path` is the endpoint's path, where Gemini keeps
/// the model. `None` for a body in no known dialect.
pub fn read(body: &Value, dialect: Dialect, path: &str) -> Option<Conversation> {
    let mut conversation = match dialect {
        Dialect::ChatCompletions => read_chat::read(body),
        Dialect::Responses => read_responses::read(body),
        Dialect::Anthropic => read_anthropic::read(body),
        Dialect::Gemini => read_gemini::read(body, path),
        Dialect::Unknown => return None,
    };
    conversation.dialect = Some(dialect);
    Some(conversation)
}

impl Conversation {
    /// Every part of every turn, with the turn's role.
    pub fn parts(&self) -> impl Iterator<Item = (Role, &Located<Part>)> {
        self.turns
            .iter()
            .flat_map(|turn| turn.parts.iter().map(move |part| (turn.role, part)))
    }

    /// The system instructions as one text.
    pub fn system_text(&self) -> String {
        self.system
            .iter()
            .map(|text| text.value.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Add a part to the last turn of `role`, or to a new turn when the last is another role.
    pub(crate) fn push(&mut self, role: Role, turn_path: &str, part: Located<Part>) {
        match self.turns.last_mut() {
            Some(turn) if turn.role == role => turn.parts.push(part),
            _ => self.turns.push(Turn {
                role,
                path: turn_path.to_owned(),
                parts: vec![part],
            }),
        }
    }

    pub(crate) fn extra(&mut self, path: impl Into<String>, what: impl Into<String>) {
        self.extras.push(Extra {
            path: path.into(),
            what: what.into(),
        });
    }
}

/// Text of a value that is a string, or the text parts of an array of parts with a `text` key.
pub(crate) fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Array(parts) => {
            let texts: Vec<&str> = parts
                .iter()
                .filter_map(|part| part.get("text").and_then(Value::as_str))
                .collect();
            (!texts.is_empty()).then(|| texts.join("\n"))
        }
        _ => None,
    }
}

/// A number read as f64 (JSON integers too).
pub(crate) fn number(value: Option<&Value>, path: &str) -> Option<Located<f64>> {
    value
        .and_then(Value::as_f64)
        .map(|number| Located::at(number, path))
}

/// An integer read as u64.
pub(crate) fn count(value: Option<&Value>, path: &str) -> Option<Located<u64>> {
    value
        .and_then(Value::as_u64)
        .map(|number| Located::at(number, path))
}

/// A string or an array of strings, as stop sequences.
pub(crate) fn strings(value: Option<&Value>, path: &str) -> Option<Located<Vec<String>>> {
    match value? {
        Value::String(text) => Some(Located::at(vec![text.clone()], path)),
        Value::Array(items) => Some(Located::at(
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect(),
            path,
        )),
        _ => None,
    }
}

/// JSON text for a tool call's arguments: a string is taken as it is, anything else written
/// compactly.
pub(crate) fn arguments_text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => text.clone(),
        Some(other) => serde_json::to_string(other).unwrap_or_default(),
        None => String::new(),
    }
}

/// An image part from a URL (an inline image as a `data:` URL).
pub(crate) fn image(url: &str) -> Part {
    Part::Image {
        source: image_source(url),
        url: Some(url.to_owned()),
    }
}

/// An image URL as the neutral source: a `data:` URL is cut to its media type and data size.
pub(crate) fn image_source(url: &str) -> String {
    match url.strip_prefix("data:") {
        Some(rest) => {
            let media = rest.split([';', ',']).next().unwrap_or("");
            let data = rest.split_once(',').map_or("", |(_, data)| data);
            format!("data:{media} ({} bytes)", data.len())
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn texts(conversation: &Conversation, role: Role) -> Vec<String> {
        conversation
            .parts()
            .filter(|(r, _)| *r == role)
            .filter_map(|(_, part)| match &part.value {
                Part::Text { text } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    fn calls(conversation: &Conversation) -> Vec<(Option<String>, String, String)> {
        conversation
            .parts()
            .filter_map(|(_, part)| match &part.value {
                Part::ToolCall {
                    id,
                    name,
                    arguments,
                    ..
                } => Some((id.clone(), name.clone(), arguments.clone())),
                _ => None,
            })
            .collect()
    }

    fn results(conversation: &Conversation) -> Vec<(Option<String>, String)> {
        conversation
            .parts()
            .filter_map(|(_, part)| match &part.value {
                Part::ToolResult { id, content, .. } => Some((id.clone(), content.clone())),
                _ => None,
            })
            .collect()
    }

    /// The same exchange, a read_file round trip, in each of the four dialects reads as the
    /// same conversation.
    #[test]
    fn one_tool_round_trip_means_the_same_in_every_dialect() {
        let chat = json!({"model": "m", "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Read a.ts"},
            {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function",
                "function": {"name": "read_file", "arguments": "{\"path\":\"a.ts\"}"}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "export {}"}],
            "tools": [{"type": "function", "function": {"name": "read_file", "parameters": {"type": "object"}}}],
            "temperature": 0.2, "max_tokens": 100});
        let responses = json!({"model": "m", "instructions": "Be brief.", "input": [
            {"role": "user", "content": [{"type": "input_text", "text": "Read a.ts"}]},
            {"type": "function_call", "call_id": "c1", "name": "read_file", "arguments": "{\"path\":\"a.ts\"}"},
            {"type": "function_call_output", "call_id": "c1", "output": "export {}"}],
            "tools": [{"type": "function", "name": "read_file", "parameters": {"type": "object"}}],
            "temperature": 0.2, "max_output_tokens": 100});
        let anthropic = json!({"model": "m", "system": [{"type": "text", "text": "Be brief.",
                "cache_control": {"type": "ephemeral"}}], "max_tokens": 100, "temperature": 0.2,
            "messages": [
                {"role": "user", "content": "Read a.ts"},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "c1", "name": "read_file", "input": {"path": "a.ts"}}]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "c1", "content": "export {}"}]}],
            "tools": [{"name": "read_file", "input_schema": {"type": "object"}}]});
        let gemini = json!({"systemInstruction": {"parts": [{"text": "Be brief."}]}, "contents": [
                {"role": "user", "parts": [{"text": "Read a.ts"}]},
                {"role": "model", "parts": [{"functionCall": {"id": "c1", "name": "read_file", "args": {"path": "a.ts"}}}]},
                {"role": "user", "parts": [{"functionResponse": {"id": "c1", "name": "read_file", "response": {"content": "export {}"}}}]}],
            "tools": [{"functionDeclarations": [{"name": "read_file", "parameters": {"type": "object"}}]}],
            "generationConfig": {"temperature": 0.2, "maxOutputTokens": 100}});
        for (dialect, body, path) in [
            (Dialect::ChatCompletions, chat, "/v1/chat/completions"),
            (Dialect::Responses, responses, "/v1/responses"),
            (Dialect::Anthropic, anthropic, "/v1/messages"),
            (Dialect::Gemini, gemini, "/v1beta/models/m:generateContent"),
        ] {
            let read = read(&body, dialect, path).unwrap();
            assert_eq!(read.model.as_deref(), Some("m"), "{dialect}");
            assert_eq!(read.system_text(), "Be brief.", "{dialect}");
            assert_eq!(texts(&read, Role::User), ["Read a.ts"], "{dialect}");
            let call = &calls(&read)[0];
            assert_eq!(call.0.as_deref(), Some("c1"), "{dialect}");
            assert_eq!(call.1, "read_file", "{dialect}");
            let arguments: Value = serde_json::from_str(&call.2).unwrap();
            assert_eq!(arguments, json!({"path": "a.ts"}), "{dialect}");
            let result = &results(&read)[0];
            assert_eq!(result.0.as_deref(), Some("c1"), "{dialect}");
            assert!(result.1.contains("export {}"), "{dialect}: {}", result.1);
            assert_eq!(read.tools.len(), 1, "{dialect}");
            assert_eq!(read.tools[0].name, "read_file", "{dialect}");
            assert_eq!(
                read.params.temperature.as_ref().unwrap().value,
                0.2,
                "{dialect}"
            );
            assert_eq!(
                read.params.max_tokens.as_ref().unwrap().value,
                100,
                "{dialect}"
            );
            let roles: Vec<Role> = read.turns.iter().map(|t| t.role).collect();
            assert_eq!(
                roles,
                [Role::User, Role::Assistant, Role::Tool],
                "{dialect}"
            );
        }
    }

    #[test]
    fn what_has_no_neutral_meaning_is_kept_as_an_extra_with_its_path() {
        let hybrid = json!({"model": "gpt-5.5", "input": "hi", "store": false,
            "previous_response_id": "resp_1", "truncation": "auto",
            "stream_options": {"include_usage": true}});
        let read = read(&hybrid, Dialect::Responses, "/v1/chat/completions").unwrap();
        let paths: Vec<&str> = read.extras.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/store",
                "/truncation",
                "/previous_response_id",
                "/stream_options"
            ]
        );
        assert_eq!(read.turns[0].parts[0].path, "/input");
    }

    #[test]
    fn data_urls_are_named_by_type_and_size_not_by_their_bytes() {
        assert_eq!(
            image_source("data:image/png;base64,AAAA"),
            "data:image/png (4 bytes)"
        );
        assert_eq!(image_source("https://x/y.png"), "https://x/y.png");
    }
}
