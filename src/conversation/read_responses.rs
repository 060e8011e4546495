//! Reading a Responses body, Cursor's hybrid included: `instructions` and system/developer
//! items are the system prompt, function and custom calls are the assistant's tool calls and
//! their outputs the tool results, reasoning items are reasoning.

use serde_json::Value;

use super::{
    Conversation, Located, Params, Part, Role, ToolChoice, ToolDef, arguments_text, count, image,
    number, text_of,
};
use crate::json::{join, join_index};

pub(super) fn read(body: &Value) -> Conversation {
    let mut out = Conversation {
        model: body.get("model").and_then(Value::as_str).map(str::to_owned),
        stream: body.get("stream").and_then(Value::as_bool).unwrap_or(false),
        params: Params {
            temperature: number(body.get("temperature"), "/temperature"),
            top_p: number(body.get("top_p"), "/top_p"),
            max_tokens: count(body.get("max_output_tokens"), "/max_output_tokens"),
            stop: None,
            reasoning: body
                .pointer("/reasoning/effort")
                .and_then(Value::as_str)
                .map(|effort| Located::at(effort.to_owned(), "/reasoning/effort")),
            parallel_tool_calls: body
                .get("parallel_tool_calls")
                .and_then(Value::as_bool)
                .map(|value| Located::at(value, "/parallel_tool_calls")),
        },
        ..Conversation::default()
    };
    if let Some(text) = body.get("instructions").and_then(Value::as_str) {
        out.system
            .push(Located::at(text.to_owned(), "/instructions"));
    }
    match body.get("input") {
        Some(Value::String(text)) => out.push(
            Role::User,
            "/input",
            Located::at(Part::Text { text: text.clone() }, "/input"),
        ),
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                item_into(&mut out, item, &join_index("/input", i));
            }
        }
        _ => {}
    }
    for (i, tool) in body
        .get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let path = join_index("/tools", i);
        let kind = tool.get("type").and_then(Value::as_str).unwrap_or("");
        match tool.get("name").and_then(Value::as_str) {
            Some(name) if matches!(kind, "function" | "custom") => out.tools.push(ToolDef {
                name: name.to_owned(),
                description: tool
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                schema: tool.get("parameters").filter(|p| !p.is_null()).cloned(),
                grammar: (kind == "custom").then(|| {
                    tool.pointer("/format/definition")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                }),
                hosted: false,
                path,
            }),
            _ => out.tools.push(ToolDef {
                name: kind.to_owned(),
                description: None,
                schema: None,
                grammar: None,
                hosted: true,
                path,
            }),
        }
    }
    out.tool_choice = body.get("tool_choice").and_then(|choice| {
        let value = match choice {
            Value::String(text) => match text.as_str() {
                "auto" => ToolChoice::Auto,
                "none" => ToolChoice::None,
                "required" => ToolChoice::Required,
                _ => return None,
            },
            _ => ToolChoice::Named(choice.get("name").and_then(Value::as_str)?.to_owned()),
        };
        Some(Located::at(value, "/tool_choice"))
    });
    for (key, what) in [
        ("store", "whether the provider stores the response"),
        ("include", "extra output the provider includes"),
        ("truncation", "the provider's truncation strategy"),
        (
            "previous_response_id",
            "a conversation held by the provider",
        ),
        ("conversation", "a conversation held by the provider"),
        (
            "prompt_cache_retention",
            "how long the provider caches the prompt",
        ),
        ("prompt_cache_key", "the provider's prompt cache key"),
        ("text", "the output format and verbosity"),
        ("background", "a response run in the background"),
        ("metadata", "metadata stored with the response"),
        ("stream_options", "stream options"),
    ] {
        if body.get(key).is_some() {
            out.extra(join("", key), what);
        }
    }
    out
}

fn item_into(out: &mut Conversation, item: &Value, path: &str) {
    let kind = item.get("type").and_then(Value::as_str);
    match kind {
        None | Some("message") => {
            let content = item.get("content");
            let content_path = join(path, "content");
            match item.get("role").and_then(Value::as_str) {
                Some("system" | "developer") => {
                    if let Some(text) = content.and_then(text_of) {
                        out.system.push(Located::at(text, content_path));
                    }
                }
                Some("assistant") => {
                    content_into(out, Role::Assistant, path, content, &content_path)
                }
                _ => content_into(out, Role::User, path, content, &content_path),
            }
        }
        Some(call @ ("function_call" | "custom_tool_call")) => {
            let custom = call == "custom_tool_call";
            let payload = if custom { "input" } else { "arguments" };
            let part = Part::ToolCall {
                id: item
                    .get("call_id")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                name: item
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                arguments: arguments_text(item.get(payload)),
                custom,
            };
            out.push(Role::Assistant, path, Located::at(part, path));
        }
        Some("function_call_output" | "custom_tool_call_output") => {
            let output = item.get("output");
            let content = match output {
                Some(Value::String(text)) => text.clone(),
                Some(other) => text_of(other).unwrap_or_default(),
                None => String::new(),
            };
            let part = Part::ToolResult {
                id: item
                    .get("call_id")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                content,
                is_error: false,
            };
            out.push(Role::Tool, path, Located::at(part, path));
        }
        Some("reasoning") => {
            let text: Vec<&str> = item
                .get("summary")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|part| part.get("text").and_then(Value::as_str))
                .collect();
            out.push(
                Role::Assistant,
                path,
                Located::at(
                    Part::Reasoning {
                        text: text.join("\n"),
                    },
                    path,
                ),
            );
            if item.get("encrypted_content").is_some() {
                out.extra(
                    join(path, "encrypted_content"),
                    "reasoning the provider encrypted for itself",
                );
            }
        }
        Some(other) => out.extra(path, format!("a `{other}` input item")),
    }
}

fn content_into(
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
                    Some("input_text" | "output_text" | "text") => part
                        .get("text")
                        .and_then(Value::as_str)
                        .map(|text| Part::Text {
                            text: text.to_owned(),
                        }),
                    Some("input_image") => {
                        Some(match part.get("image_url").and_then(Value::as_str) {
                            Some(url) => image(url),
                            None => Part::Image {
                                source: part
                                    .get("file_id")
                                    .and_then(Value::as_str)
                                    .map(|id| format!("file:{id}"))
                                    .unwrap_or_default(),
                                url: None,
                            },
                        })
                    }
                    Some("refusal") => None,
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
