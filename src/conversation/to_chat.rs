//! Writing a conversation as a Chat Completions request: the reference translation of every
//! format Cursor sends, with the list of what could not be carried and why. A gateway that
//! accepts Cursor's bodies must do at least this; what it drops beyond the losses listed here
//! is its own doing.
//!
//! The mappings (each documented in `docs/translation.md`):
//! - system and developer instructions → one leading `system` message (joined in order);
//! - user turns → `user` messages (text parts, `image_url` parts);
//! - assistant turns → `assistant` messages with `content` (a string, or null when the turn is
//!   only tool calls: never `[]`) and `tool_calls`;
//! - tool results → `tool` messages with the call's id;
//! - reasoning of earlier turns → dropped (Chat has no field for it; Cursor drops it too);
//! - function tools → nested `{type: function, function: {name, description, parameters}}`;
//! - custom (freeform) tools such as ApplyPatch → a function with one string parameter
//!   `input`, its grammar summarised in the description; calls to them carry
//!   `{"input": <raw text>}`, which the answer direction unwraps again;
//! - hosted tools → dropped (the provider would run them, Chat has no way to offer them);
//! - `tool_choice` forms → `auto`, `none`, `required`, `{type: function, function: {name}}`;
//! - `reasoning.effort` or a thinking budget → `reasoning_effort`;
//! - sampling and limits → `temperature`, `top_p`, `max_completion_tokens`, `stop`;
//! - everything else (`store`, `include`, `truncation`, `previous_response_id`, cache markers,
//!   …) → dropped, each with its reason.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{Conversation, Part, Role, ToolChoice};

/// Something the translation could not carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Loss {
    /// JSON pointer into the source request.
    pub path: String,
    pub what: String,
    pub why: String,
}

/// A translated request and what it lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Translation {
    pub body: Value,
    pub losses: Vec<Loss>,
}

/// The name of the single string parameter a custom tool becomes.
pub const CUSTOM_ARGUMENT: &str = "input";

/// The reasoning efforts Chat accepts; a thinking budget maps onto one of them.
fn effort(reasoning: &str) -> String {
    match reasoning
        .strip_prefix("budget:")
        .and_then(|b| b.parse::<i64>().ok())
    {
        Some(budget) if budget <= 0 => "minimal".to_owned(),
        Some(budget) if budget < 4_096 => "low".to_owned(),
        Some(budget) if budget < 16_384 => "medium".to_owned(),
        Some(_) => "high".to_owned(),
        None => reasoning.to_ascii_lowercase(),
    }
}

/// Translate a conversation into a Chat Completions request.
pub fn to_chat(conversation: &Conversation) -> Translation {
    let mut losses = Vec::new();
    let mut lose = |path: &str, what: &str, why: &str| {
        losses.push(Loss {
            path: path.to_owned(),
            what: what.to_owned(),
            why: why.to_owned(),
        });
    };
    let custom: Vec<&str> = conversation
        .tools
        .iter()
        .filter(|tool| tool.grammar.is_some())
        .map(|tool| tool.name.as_str())
        .collect();
    let mut messages: Vec<Value> = Vec::new();
    let system = conversation.system_text();
    if !system.is_empty() {
        messages.push(json!({"role": "system", "content": system}));
    }
    for turn in &conversation.turns {
        match turn.role {
            Role::Tool => {
                for part in &turn.parts {
                    match &part.value {
                        Part::ToolResult {
                            id,
                            content,
                            is_error,
                        } => {
                            let content = if *is_error {
                                format!("Error: {content}")
                            } else {
                                content.clone()
                            };
                            messages.push(json!({"role": "tool",
                                "tool_call_id": id.clone().unwrap_or_default(), "content": content}));
                        }
                        other => lose(
                            &part.path,
                            &describe(other),
                            "a tool-result turn carries only results in Chat",
                        ),
                    }
                }
            }
            Role::User => {
                let mut parts = Vec::new();
                for part in &turn.parts {
                    match &part.value {
                        Part::Text { text } => parts.push(json!({"type": "text", "text": text})),
                        Part::Image { url: Some(url), .. } => {
                            parts.push(json!({"type": "image_url", "image_url": {"url": url}}))
                        }
                        Part::Image { source, url: None } => lose(
                            &part.path,
                            &format!("an image ({source})"),
                            "an uploaded file id has no Chat Completions counterpart",
                        ),
                        // A tool result inside a user turn (Anthropic, Gemini) is its own message.
                        Part::ToolResult { id, content, .. } => messages
                            .push(json!({"role": "tool",
                            "tool_call_id": id.clone().unwrap_or_default(), "content": content})),
                        other => lose(
                            &part.path,
                            &describe(other),
                            "Chat user messages hold text and images",
                        ),
                    }
                }
                if !parts.is_empty() {
                    let content = match parts.as_slice() {
                        [only] if only["type"] == "text" => only["text"].clone(),
                        _ => Value::Array(parts),
                    };
                    messages.push(json!({"role": "user", "content": content}));
                }
            }
            Role::Assistant => {
                let mut text = String::new();
                let mut calls = Vec::new();
                for part in &turn.parts {
                    match &part.value {
                        Part::Text { text: piece } => text.push_str(piece),
                        Part::ToolCall {
                            id,
                            name,
                            arguments,
                            custom: is_custom,
                        } => {
                            let arguments = if *is_custom || custom.contains(&name.as_str()) {
                                json!({CUSTOM_ARGUMENT: arguments}).to_string()
                            } else {
                                arguments.clone()
                            };
                            calls.push(
                                json!({"id": id.clone().unwrap_or_default(), "type": "function",
                                "function": {"name": name, "arguments": arguments}}),
                            );
                        }
                        Part::Reasoning { .. } => lose(
                            &part.path,
                            "the reasoning of an earlier turn",
                            "Chat has no field for it in requests (Cursor itself drops reasoning_content when replaying history)",
                        ),
                        other => lose(
                            &part.path,
                            &describe(other),
                            "Chat assistant messages hold text and tool calls",
                        ),
                    }
                }
                let mut message = json!({"role": "assistant",
                    "content": if text.is_empty() { Value::Null } else { Value::String(text) }});
                if !calls.is_empty() {
                    message["tool_calls"] = Value::Array(calls);
                }
                if message["content"].is_null() && message.get("tool_calls").is_none() {
                    // An empty assistant turn carries nothing (and `content: []` breaks Chat).
                    continue;
                }
                messages.push(message);
            }
        }
    }
    let mut body = Map::new();
    body.insert(
        "model".to_owned(),
        json!(conversation.model.clone().unwrap_or_default()),
    );
    body.insert("messages".to_owned(), Value::Array(messages));
    let mut tools = Vec::new();
    for tool in &conversation.tools {
        if tool.hosted {
            lose(
                &tool.path,
                &format!("the provider's own tool `{}`", tool.name),
                "Chat Completions cannot offer a provider-run tool",
            );
            continue;
        }
        let mut function = Map::new();
        function.insert("name".to_owned(), json!(tool.name));
        match &tool.grammar {
            Some(grammar) => {
                let mut description = tool.description.clone().unwrap_or_default();
                if !grammar.is_empty() {
                    if !description.is_empty() {
                        description.push_str("\n\n");
                    }
                    description.push_str(&format!(
                        "Pass the whole input as the `{CUSTOM_ARGUMENT}` string. It must follow this grammar:\n{grammar}"
                    ));
                    lose(
                        &tool.path,
                        "the custom tool's grammar as a constraint",
                        "Chat function tools take a JSON Schema; the grammar survives only as description text",
                    );
                }
                function.insert("description".to_owned(), json!(description));
                function.insert(
                    "parameters".to_owned(),
                    json!({"type": "object", "properties": {CUSTOM_ARGUMENT: {"type": "string"}},
                           "required": [CUSTOM_ARGUMENT], "additionalProperties": false}),
                );
            }
            None => {
                if let Some(description) = &tool.description {
                    function.insert("description".to_owned(), json!(description));
                }
                function.insert(
                    "parameters".to_owned(),
                    tool.schema
                        .clone()
                        .unwrap_or(json!({"type": "object", "properties": {}})),
                );
            }
        }
        tools.push(json!({"type": "function", "function": function}));
    }
    let offered = !tools.is_empty();
    if offered {
        body.insert("tools".to_owned(), Value::Array(tools));
    }
    if let Some(choice) = &conversation.tool_choice {
        let value = match &choice.value {
            ToolChoice::Auto => json!("auto"),
            ToolChoice::None => json!("none"),
            ToolChoice::Required => json!("required"),
            ToolChoice::Named(name) => json!({"type": "function", "function": {"name": name}}),
        };
        if offered {
            body.insert("tool_choice".to_owned(), value);
        } else {
            lose(
                &choice.path,
                "tool_choice",
                "no tool is left to choose among",
            );
        }
    }
    let params = &conversation.params;
    if let Some(t) = &params.temperature {
        body.insert("temperature".to_owned(), json!(t.value.clamp(0.0, 2.0)));
    }
    if let Some(p) = &params.top_p {
        body.insert("top_p".to_owned(), json!(p.value));
    }
    if let Some(max) = &params.max_tokens {
        body.insert("max_completion_tokens".to_owned(), json!(max.value));
    }
    if let Some(stop) = &params.stop {
        let mut stop_list = stop.value.clone();
        if stop_list.len() > 4 {
            lose(
                &stop.path,
                "stop sequences beyond the fourth",
                "Chat takes at most four",
            );
            stop_list.truncate(4);
        }
        if !stop_list.is_empty() {
            body.insert("stop".to_owned(), json!(stop_list));
        }
    }
    if let Some(reasoning) = &params.reasoning {
        body.insert(
            "reasoning_effort".to_owned(),
            json!(effort(&reasoning.value)),
        );
    }
    if let Some(parallel) = &params.parallel_tool_calls
        && offered
    {
        body.insert("parallel_tool_calls".to_owned(), json!(parallel.value));
    }
    if conversation.stream {
        body.insert("stream".to_owned(), json!(true));
        body.insert("stream_options".to_owned(), json!({"include_usage": true}));
    }
    for marker in &conversation.cache_markers {
        lose(
            marker,
            "a prompt-cache marker (cache_control)",
            "Chat Completions caches prompts on its own; it has no markers",
        );
    }
    for extra in &conversation.extras {
        lose(&extra.path, &extra.what, why_dropped(&extra.path));
    }
    Translation {
        body: Value::Object(body),
        losses,
    }
}

/// Why a field without a Chat counterpart is dropped.
fn why_dropped(path: &str) -> &'static str {
    match path.trim_start_matches('/') {
        "store" => "a Chat provider does not store responses for later retrieval by id",
        "include" => "asks for output a Chat answer has no place for",
        "truncation" => "Chat has no server-side truncation; a shim must fit the context itself",
        "previous_response_id" | "conversation" => {
            "Chat is stateless: the earlier turns must be in `messages`, and a shim holding no state cannot add them"
        }
        "prompt_cache_retention" | "prompt_cache_key" => {
            "a Responses caching hint with no Chat counterpart"
        }
        "text" => {
            "the output format and verbosity would need Chat's `response_format` and `verbosity`"
        }
        "stream_options" => "replaced by the Chat stream options the answer direction needs",
        _ => "no Chat Completions counterpart",
    }
}

fn describe(part: &Part) -> String {
    match part {
        Part::Text { .. } => "a text".to_owned(),
        Part::Image { source, .. } => format!("an image ({source})"),
        Part::ToolCall { name, .. } => format!("a call to {name}"),
        Part::ToolResult { .. } => "a tool result".to_owned(),
        Part::Reasoning { .. } => "reasoning".to_owned(),
        Part::Other { what } => what.clone(),
    }
}
