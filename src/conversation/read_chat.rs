//! Reading a Chat Completions body, Cursor's mixed variant included (assistant `content: []`,
//! a flat `custom` tool beside nested function tools).

use serde_json::Value;

use super::{
    Conversation, Located, Params, Part, Role, ToolChoice, ToolDef, arguments_text, count, image,
    number, strings, text_of,
};
use crate::json::{join, join_index};

pub(super) fn read(body: &Value) -> Conversation {
    let mut out = Conversation {
        model: body.get("model").and_then(Value::as_str).map(str::to_owned),
        stream: body.get("stream").and_then(Value::as_bool).unwrap_or(false),
        params: Params {
            temperature: number(body.get("temperature"), "/temperature"),
            top_p: number(body.get("top_p"), "/top_p"),
            max_tokens: count(body.get("max_completion_tokens"), "/max_completion_tokens")
                .or_else(|| count(body.get("max_tokens"), "/max_tokens")),
            stop: strings(body.get("stop"), "/stop"),
            reasoning: body
                .get("reasoning_effort")
                .and_then(Value::as_str)
                .map(|effort| Located::at(effort.to_owned(), "/reasoning_effort")),
            parallel_tool_calls: body
                .get("parallel_tool_calls")
                .and_then(Value::as_bool)
                .map(|value| Located::at(value, "/parallel_tool_calls")),
        },
        ..Conversation::default()
    };
    for (i, message) in body
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        message_into(&mut out, message, &join_index("/messages", i));
    }
    for (i, tool) in body
        .get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if let Some(tool) = tool_def(tool, &join_index("/tools", i)) {
            out.tools.push(tool);
        }
    }
    out.tool_choice = body.get("tool_choice").and_then(tool_choice);
    for key in [
        "response_format",
        "n",
        "seed",
        "logprobs",
        "store",
        "metadata",
        "user",
    ] {
        if body.get(key).is_some() {
            out.extra(join("", key), format!("Chat's `{key}`"));
        }
    }
    out
}

fn message_into(out: &mut Conversation, message: &Value, path: &str) {
    let content = message.get("content");
    let content_path = join(path, "content");
    match message.get("role").and_then(Value::as_str) {
        Some("system" | "developer") => {
            if let Some(text) = content.and_then(text_of) {
                out.system.push(Located::at(text, content_path));
            }
        }
        Some("tool") => {
            let part = Part::ToolResult {
                id: message
                    .get("tool_call_id")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                content: content.and_then(text_of).unwrap_or_default(),
                is_error: false,
            };
            out.push(Role::Tool, path, Located::at(part, path));
        }
        Some("assistant") => {
            // A turn even with nothing in it, so turns line up with the source.
            let before = out.turns.len();
            parts_into(out, Role::Assistant, path, content, &content_path);
            for key in ["reasoning_content", "reasoning"] {
                if let Some(text) = message.get(key).and_then(Value::as_str) {
                    out.push(
                        Role::Assistant,
                        path,
                        Located::at(
                            Part::Reasoning {
                                text: text.to_owned(),
                            },
                            join(path, key),
                        ),
                    );
                }
            }
            for (j, call) in message
                .get("tool_calls")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let call_path = join_index(&join(path, "tool_calls"), j);
                let custom = call.get("type").and_then(Value::as_str) == Some("custom");
                let (name, arguments) = if custom {
                    (call.pointer("/custom/name"), call.pointer("/custom/input"))
                } else {
                    (
                        call.pointer("/function/name"),
                        call.pointer("/function/arguments"),
                    )
                };
                let part = Part::ToolCall {
                    id: call.get("id").and_then(Value::as_str).map(str::to_owned),
                    name: name.and_then(Value::as_str).unwrap_or_default().to_owned(),
                    arguments: arguments_text(arguments),
                    custom,
                };
                out.push(Role::Assistant, path, Located::at(part, call_path));
            }
            if out.turns.len() == before {
                out.turns.push(super::Turn {
                    role: Role::Assistant,
                    path: path.to_owned(),
                    parts: Vec::new(),
                });
            }
        }
        _ => parts_into(out, Role::User, path, content, &content_path),
    }
}

fn parts_into(
    out: &mut Conversation,
    role: Role,
    path: &str,
    content: Option<&Value>,
    content_path: &str,
) {
    match content {
        Some(Value::String(text)) if !text.is_empty() => out.push(
            role,
            path,
            Located::at(Part::Text { text: text.clone() }, content_path),
        ),
        Some(Value::Array(parts)) => {
            for (i, part) in parts.iter().enumerate() {
                let part_path = join_index(content_path, i);
                let read = match part.get("type").and_then(Value::as_str) {
                    Some("text") => {
                        part.get("text")
                            .and_then(Value::as_str)
                            .map(|text| Part::Text {
                                text: text.to_owned(),
                            })
                    }
                    Some("refusal") => None,
                    Some("image_url") => part
                        .pointer("/image_url/url")
                        .and_then(Value::as_str)
                        .map(image),
                    Some(other) => Some(Part::Other {
                        what: format!("a `{other}` part"),
                    }),
                    None => None,
                };
                if let Some(read) = read {
                    out.push(role, path, Located::at(read, part_path));
                }
            }
        }
        _ => {}
    }
}

/// A tool in Chat's nested shape, or flat as Cursor's mixed body has its custom tool.
fn tool_def(tool: &Value, path: &str) -> Option<ToolDef> {
    let kind = tool
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("function");
    let inner = tool.get(kind).filter(|v| v.is_object()).unwrap_or(tool);
    let name = inner.get("name").and_then(Value::as_str)?;
    let grammar = (kind == "custom").then(|| {
        inner
            .pointer("/format/grammar/definition")
            .or_else(|| inner.pointer("/format/definition"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    });
    Some(ToolDef {
        name: name.to_owned(),
        description: inner
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned),
        schema: inner.get("parameters").cloned(),
        grammar,
        hosted: false,
        path: path.to_owned(),
    })
}

fn tool_choice(value: &Value) -> Option<Located<ToolChoice>> {
    let choice = match value {
        Value::String(text) => match text.as_str() {
            "auto" => ToolChoice::Auto,
            "none" => ToolChoice::None,
            "required" => ToolChoice::Required,
            _ => return None,
        },
        Value::Object(_) => ToolChoice::Named(
            value
                .pointer("/function/name")
                .or_else(|| value.pointer("/custom/name"))
                .and_then(Value::as_str)?
                .to_owned(),
        ),
        _ => return None,
    };
    Some(Located::at(choice, "/tool_choice"))
}
