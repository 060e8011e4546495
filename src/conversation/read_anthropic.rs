//! Reading an Anthropic Messages body (Cursor's Claude body too): top-level `system` (a string
//! or text blocks), content blocks (`text`, `image`, `tool_use`, `tool_result`, `thinking`),
//! `input_schema` tools, the object `tool_choice`, `cache_control` markers.

use serde_json::Value;

use super::{
    Conversation, Located, Params, Part, Role, ToolChoice, ToolDef, arguments_text, count, image,
    number, strings,
};
use crate::json::{join, join_index};

pub(super) fn read(body: &Value) -> Conversation {
    let mut out = Conversation {
        model: body.get("model").and_then(Value::as_str).map(str::to_owned),
        stream: body.get("stream").and_then(Value::as_bool).unwrap_or(false),
        params: Params {
            temperature: number(body.get("temperature"), "/temperature"),
            top_p: number(body.get("top_p"), "/top_p"),
            max_tokens: count(body.get("max_tokens"), "/max_tokens"),
            stop: strings(body.get("stop_sequences"), "/stop_sequences"),
            reasoning: reasoning(body),
            parallel_tool_calls: body
                .pointer("/tool_choice/disable_parallel_tool_use")
                .and_then(Value::as_bool)
                .map(|disabled| Located::at(!disabled, "/tool_choice/disable_parallel_tool_use")),
        },
        ..Conversation::default()
    };
    match body.get("system") {
        Some(Value::String(text)) => out.system.push(Located::at(text.clone(), "/system")),
        Some(Value::Array(blocks)) => {
            for (i, block) in blocks.iter().enumerate() {
                let path = join_index("/system", i);
                if let Some(text) = block.get("text").and_then(Value::as_str) {
                    out.system
                        .push(Located::at(text.to_owned(), join(&path, "text")));
                }
                if block.get("cache_control").is_some() {
                    out.cache_markers.push(join(&path, "cache_control"));
                }
            }
        }
        _ => {}
    }
    for (i, message) in body
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let path = join_index("/messages", i);
        let role = match message.get("role").and_then(Value::as_str) {
            Some("assistant") => Role::Assistant,
            _ => Role::User,
        };
        match message.get("content") {
            Some(Value::String(text)) => out.push(
                role,
                &path,
                Located::at(Part::Text { text: text.clone() }, join(&path, "content")),
            ),
            Some(Value::Array(blocks)) => {
                for (j, block) in blocks.iter().enumerate() {
                    let block_path = join_index(&join(&path, "content"), j);
                    if block.get("cache_control").is_some() {
                        out.cache_markers.push(join(&block_path, "cache_control"));
                    }
                    if let Some(part) = block_part(block) {
                        // Tool results sit in user turns here; elsewhere they have a turn of their own.
                        let role = if matches!(part, Part::ToolResult { .. }) {
                            Role::Tool
                        } else {
                            role
                        };
                        out.push(role, &path, Located::at(part, block_path));
                    }
                }
            }
            _ => {}
        }
    }
    for (i, tool) in body
        .get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let path = join_index("/tools", i);
        if tool.get("cache_control").is_some() {
            out.cache_markers.push(join(&path, "cache_control"));
        }
        let Some(name) = tool.get("name").and_then(Value::as_str) else {
            continue;
        };
        // Typed, dated tools (`web_search_20250305`) are the provider's own.
        let hosted = tool
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|kind| kind != "custom");
        out.tools.push(ToolDef {
            name: name.to_owned(),
            description: tool
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned),
            schema: tool.get("input_schema").cloned(),
            grammar: None,
            hosted,
            path,
        });
    }
    out.tool_choice = body.get("tool_choice").and_then(|choice| {
        let value = match choice.get("type").and_then(Value::as_str)? {
            "auto" => ToolChoice::Auto,
            "none" => ToolChoice::None,
            "any" => ToolChoice::Required,
            "tool" => ToolChoice::Named(choice.get("name").and_then(Value::as_str)?.to_owned()),
            _ => return None,
        };
        Some(Located::at(value, "/tool_choice"))
    });
    if body.get("cache_control").is_some() {
        out.cache_markers.push("/cache_control".to_owned());
    }
    for key in [
        "metadata",
        "top_k",
        "service_tier",
        "container",
        "output_config",
    ] {
        if body.get(key).is_some() {
            out.extra(join("", key), format!("Anthropic's `{key}`"));
        }
    }
    out
}

/// `thinking` as a reasoning budget, or `output_config.effort`.
fn reasoning(body: &Value) -> Option<Located<String>> {
    if let Some(budget) = body
        .pointer("/thinking/budget_tokens")
        .and_then(Value::as_u64)
    {
        return Some(Located::at(
            format!("budget:{budget}"),
            "/thinking/budget_tokens",
        ));
    }
    body.pointer("/output_config/effort")
        .and_then(Value::as_str)
        .map(|effort| Located::at(effort.to_owned(), "/output_config/effort"))
}

fn block_part(block: &Value) -> Option<Part> {
    Some(match block.get("type").and_then(Value::as_str)? {
        "text" => Part::Text {
            text: block.get("text").and_then(Value::as_str)?.to_owned(),
        },
        "image" => match block.pointer("/source/type").and_then(Value::as_str) {
            Some("url") => image(block.pointer("/source/url").and_then(Value::as_str)?),
            _ => image(&format!(
                "data:{};base64,{}",
                block
                    .pointer("/source/media_type")
                    .and_then(Value::as_str)
                    .unwrap_or(""),
                block
                    .pointer("/source/data")
                    .and_then(Value::as_str)
                    .unwrap_or("")
            )),
        },
        "tool_use" => Part::ToolCall {
            id: block.get("id").and_then(Value::as_str).map(str::to_owned),
            name: block
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            arguments: arguments_text(block.get("input")),
            custom: false,
        },
        "tool_result" => Part::ToolResult {
            id: block
                .get("tool_use_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
            content: match block.get("content") {
                Some(Value::String(text)) => text.clone(),
                Some(other) => super::text_of(other).unwrap_or_default(),
                None => String::new(),
            },
            is_error: block
                .get("is_error")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        },
        "thinking" => Part::Reasoning {
            text: block
                .get("thinking")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        },
        other => Part::Other {
            what: format!("a `{other}` block"),
        },
    })
}
