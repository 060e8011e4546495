//! Reading a Gemini `generateContent` body: the model from the path, `systemInstruction`,
//! `contents` with their parts (`text`, `inlineData`, `fileData`, `functionCall`,
//! `functionResponse`, thoughts), `functionDeclarations`, `toolConfig`, `generationConfig`.
//! Field names are read in either case the API accepts (`system_instruction` too).

use serde_json::Value;

use super::{
    Conversation, Located, Params, Part, Role, ToolChoice, ToolDef, arguments_text, count, number,
    strings,
};
use crate::capture::contract::gemini_action;
use crate::json::{join, join_index};

/// `body[camel]`, or `body[snake]` (proto3 JSON accepts both names), with the name found.
fn field<'a>(body: &'a Value, camel: &'static str) -> Option<(&'a Value, String)> {
    if let Some(value) = body.get(camel) {
        return Some((value, camel.to_owned()));
    }
    let snake = snake_case(camel);
    body.get(&snake).map(|value| (value, snake))
}

fn snake_case(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

pub(super) fn read(body: &Value, path: &str) -> Conversation {
    let mut out = Conversation {
        model: gemini_action(path)
            .map(|(model, _)| model.to_owned())
            .or_else(|| body.get("model").and_then(Value::as_str).map(str::to_owned)),
        stream: matches!(gemini_action(path), Some((_, "streamGenerateContent"))),
        ..Conversation::default()
    };
    if let Some((config, name)) = field(body, "generationConfig") {
        let at = |key: &'static str| {
            field(config, key).map(|(value, found)| (value, format!("/{name}/{found}")))
        };
        out.params = Params {
            temperature: at("temperature").and_then(|(v, p)| number(Some(v), &p)),
            top_p: at("topP").and_then(|(v, p)| number(Some(v), &p)),
            max_tokens: at("maxOutputTokens").and_then(|(v, p)| count(Some(v), &p)),
            stop: at("stopSequences").and_then(|(v, p)| strings(Some(v), &p)),
            reasoning: at("thinkingConfig").and_then(|(v, p)| {
                field(v, "thinkingLevel")
                    .and_then(|(level, _)| level.as_str().map(str::to_owned))
                    .or_else(|| {
                        field(v, "thinkingBudget")
                            .and_then(|(budget, _)| budget.as_i64())
                            .map(|budget| format!("budget:{budget}"))
                    })
                    .map(|value| Located::at(value, p))
            }),
            parallel_tool_calls: None,
        };
    }
    if let Some((instruction, name)) = field(body, "systemInstruction") {
        for (i, part) in instruction
            .get("parts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if let Some(text) = part.get("text").and_then(Value::as_str) {
                out.system.push(Located::at(
                    text.to_owned(),
                    format!("/{name}/parts/{i}/text"),
                ));
            }
        }
    }
    for (i, content) in body
        .get("contents")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let turn_path = join_index("/contents", i);
        let role = match content.get("role").and_then(Value::as_str) {
            Some("model") => Role::Assistant,
            _ => Role::User,
        };
        for (j, part) in content
            .get("parts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let part_path = join_index(&join(&turn_path, "parts"), j);
            if let Some(read) = part_of(part) {
                let role = if matches!(read, Part::ToolResult { .. }) {
                    Role::Tool
                } else {
                    role
                };
                out.push(role, &turn_path, Located::at(read, part_path));
            }
        }
    }
    for (i, tool) in body
        .get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let tool_path = join_index("/tools", i);
        match field(tool, "functionDeclarations") {
            Some((declarations, name)) => {
                for (j, declaration) in declarations.as_array().into_iter().flatten().enumerate() {
                    let Some(function) = declaration.get("name").and_then(Value::as_str) else {
                        continue;
                    };
                    out.tools.push(ToolDef {
                        name: function.to_owned(),
                        description: declaration
                            .get("description")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                        schema: field(declaration, "parametersJsonSchema")
                            .or_else(|| field(declaration, "parameters"))
                            .map(|(schema, _)| schema.clone()),
                        grammar: None,
                        hosted: false,
                        path: format!("{tool_path}/{name}/{j}"),
                    });
                }
            }
            None => {
                let kind = tool
                    .as_object()
                    .and_then(|map| map.keys().next().cloned())
                    .unwrap_or_default();
                out.tools.push(ToolDef {
                    name: kind,
                    description: None,
                    schema: None,
                    grammar: None,
                    hosted: true,
                    path: tool_path,
                });
            }
        }
    }
    if let Some((config, name)) = field(body, "toolConfig")
        && let Some((calling, calling_name)) = field(config, "functionCallingConfig")
    {
        let mode = field(calling, "mode").and_then(|(mode, _)| mode.as_str().map(str::to_owned));
        let allowed: Vec<&str> = field(calling, "allowedFunctionNames")
            .and_then(|(names, _)| names.as_array())
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let choice = match (mode.as_deref(), allowed.as_slice()) {
            (Some("ANY"), [one]) => Some(ToolChoice::Named((*one).to_owned())),
            (Some("ANY"), _) => Some(ToolChoice::Required),
            (Some("NONE"), _) => Some(ToolChoice::None),
            (Some("AUTO" | "VALIDATED"), _) => Some(ToolChoice::Auto),
            _ => None,
        };
        out.tool_choice =
            choice.map(|choice| Located::at(choice, format!("/{name}/{calling_name}")));
    }
    for key in ["safetySettings", "cachedContent", "serviceTier", "store"] {
        if let Some((_, name)) = field(body, key) {
            out.extra(join("", &name), format!("Gemini's `{key}`"));
        }
    }
    out
}

fn part_of(part: &Value) -> Option<Part> {
    if let Some(text) = part.get("text").and_then(Value::as_str) {
        let thought = part
            .get("thought")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        return Some(if thought {
            Part::Reasoning {
                text: text.to_owned(),
            }
        } else {
            Part::Text {
                text: text.to_owned(),
            }
        });
    }
    if let Some((call, _)) = field(part, "functionCall") {
        return Some(Part::ToolCall {
            id: call.get("id").and_then(Value::as_str).map(str::to_owned),
            name: call
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            arguments: arguments_text(call.get("args")),
            custom: false,
        });
    }
    if let Some((response, _)) = field(part, "functionResponse") {
        // Gemini pairs a result with its call by name (and id when one was given).
        return Some(Part::ToolResult {
            id: response
                .get("id")
                .and_then(Value::as_str)
                .or_else(|| response.get("name").and_then(Value::as_str))
                .map(str::to_owned),
            content: arguments_text(response.get("response")),
            is_error: false,
        });
    }
    if let Some((data, _)) = field(part, "inlineData") {
        let media = field(data, "mimeType")
            .and_then(|(media, _)| media.as_str())
            .unwrap_or("");
        let bytes = data.get("data").and_then(Value::as_str).unwrap_or("");
        return Some(if media.starts_with("image/") {
            super::image(&format!("data:{media};base64,{bytes}"))
        } else {
            Part::Other {
                what: format!("inline {media} data"),
            }
        });
    }
    if let Some((data, _)) = field(part, "fileData") {
        return Some(super::image(
            field(data, "fileUri")
                .and_then(|(uri, _)| uri.as_str())
                .unwrap_or_default(),
        ));
    }
    let key = part.as_object()?.keys().next()?.clone();
    Some(Part::Other {
        what: format!("a `{key}` part"),
    })
}
