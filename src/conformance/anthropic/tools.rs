//! `tools` (`ToolUnionParam`) and `tool_choice` (`ToolChoiceParam`). A client tool is
//! `{name, description?, input_schema}` with an object schema and a name Anthropic accepts
//! (`^[a-zA-Z0-9_-]{1,128}$`); a server tool is typed and dated (`web_search_20250305`). The
//! Chat (`{type: function, function: {…}}`) and Responses (`{type: function, name,
//! parameters}`) shapes are other APIs' tools, and a `tool_choice` is always an object.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::shapes::{Expect, check_cache_control, optional, required, unknown_keys};
use super::spec::{is_server_tool_type, is_toolset};
use crate::conformance::Rule;
use crate::conformance::findings::{Findings, check_enum, type_error};
use crate::dialect::Dialect;
use crate::json::{join, join_index, shorten};

/// Keys of a client tool (`ToolParam`).
const CLIENT_TOOL_KEYS: &[&str] = &[
    "name",
    "input_schema",
    "description",
    "type",
    "cache_control",
    "strict",
    "input_examples",
    "defer_loading",
    "eager_input_streaming",
    "allowed_callers",
];

/// Check `tools`: each definition, and that no name is offered twice.
pub(super) fn check_tools(
    findings: &mut Findings,
    path: &str,
    value: &Value,
    _: &Map<String, Value>,
) {
    let mut names = BTreeSet::new();
    let Value::Array(tools) = value else {
        return type_error(findings, path, "an array of tools", value);
    };
    for (i, tool) in tools.iter().enumerate() {
        let at = join_index(path, i);
        let Value::Object(map) = tool else {
            type_error(findings, &at, "a tool (an object)", tool);
            continue;
        };
        let Some(name) = check_tool(findings, &at, map) else {
            continue;
        };
        if !names.insert(name) {
            findings.add(
                Rule::RequestToolDefinition,
                join(&at, "name"),
                format!("tool name '{name}' is offered twice; tool names must be unique"),
            );
        }
    }
}

/// Check one tool; returns its name when it has one.
fn check_tool<'a>(
    findings: &mut Findings,
    path: &str,
    map: &'a Map<String, Value>,
) -> Option<&'a str> {
    match map.get("type") {
        None | Some(Value::Null) => {}
        Some(Value::String(kind)) if kind == "custom" => {}
        Some(Value::String(kind)) if kind == "function" => {
            let (owner, shape) = if map.get("function").is_some_and(Value::is_object) {
                (
                    Dialect::ChatCompletions,
                    "{type: function, function: {name, parameters}}",
                )
            } else {
                (Dialect::Responses, "{type: function, name, parameters}")
            };
            findings.add_in(
                Rule::RequestToolDefinition,
                path,
                format!("a {shape} tool is {} shape; an Anthropic tool is {{name, description, input_schema}}", owner.with_article()),
                Some(owner),
            );
            return None;
        }
        Some(Value::String(server)) if is_server_tool_type(server) => {
            if is_toolset(server) {
                return None;
            }
            return match map.get("name") {
                Some(Value::String(name)) => Some(name),
                Some(other) => {
                    type_error(findings, &join(path, "name"), "a string", other);
                    None
                }
                None => {
                    findings.add(
                        Rule::RequestToolDefinition,
                        join(path, "name"),
                        format!("server tool `{server}` has no `name`"),
                    );
                    None
                }
            };
        }
        Some(Value::String(other)) => {
            let hosted =
                crate::dialect::tool_shape(map).is_some_and(|(d, ..)| d == Dialect::Responses);
            let note = if hosted {
                " (a Responses API hosted tool)"
            } else {
                ""
            };
            findings.add_in(
                Rule::RequestToolDefinition,
                join(path, "type"),
                format!("tool type '{other}' is neither a client tool (no type, or `custom`) nor a dated Anthropic server tool{note}"),
                hosted.then_some(Dialect::Responses),
            );
            return None;
        }
        Some(other) => {
            type_error(findings, &join(path, "type"), "a string", other);
            return None;
        }
    }
    // A custom (client) tool.
    let name = match required(findings, path, map, "name", Rule::RequestToolDefinition) {
        Some(Value::String(name)) => {
            if !valid_name(name) {
                findings.add(
                    Rule::RequestToolDefinition,
                    join(path, "name"),
                    format!(
                        "tool name '{}' does not match ^[a-zA-Z0-9_-]{{1,128}}$",
                        shorten(name, 80)
                    ),
                );
            }
            Some(name.as_str())
        }
        Some(other) => {
            type_error(findings, &join(path, "name"), "a string", other);
            None
        }
        None => None,
    };
    match map.get("input_schema") {
        Some(Value::Object(schema)) => {
            if schema.get("type").and_then(Value::as_str) != Some("object") {
                findings.add(
                    Rule::RequestToolDefinition,
                    join(&join(path, "input_schema"), "type"),
                    "a tool's `input_schema` must have `type: \"object\"`",
                );
            }
        }
        Some(other) => type_error(
            findings,
            &join(path, "input_schema"),
            "an object (a JSON Schema)",
            other,
        ),
        None => {
            let openai = map.contains_key("parameters");
            findings.add_in(
                Rule::RequestToolDefinition,
                join(path, "input_schema"),
                if openai {
                    "the tool has `parameters` (OpenAI's name) but no `input_schema`"
                } else {
                    "`input_schema`: Field required"
                },
                openai.then_some(Dialect::ChatCompletions),
            );
        }
    }
    optional(findings, path, map, "description", Expect::Str, false);
    optional(findings, path, map, "strict", Expect::Bool, false);
    optional(findings, path, map, "defer_loading", Expect::Bool, false);
    optional(
        findings,
        path,
        map,
        "eager_input_streaming",
        Expect::Bool,
        true,
    );
    optional(findings, path, map, "input_examples", Expect::Array, false);
    optional(findings, path, map, "allowed_callers", Expect::Array, false);
    check_cache_control(findings, path, map);
    unknown_keys(findings, path, map, CLIENT_TOOL_KEYS);
    name
}

fn valid_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `tool_choice`: `{type: auto | any, disable_parallel_tool_use?}`, `{type: tool, name,
/// disable_parallel_tool_use?}` or `{type: none}`.
pub(super) fn check_tool_choice(
    findings: &mut Findings,
    path: &str,
    value: &Value,
    top: &Map<String, Value>,
) {
    let choice = match value {
        Value::Object(choice) => choice,
        Value::String(text) => {
            findings.add_in(
                Rule::RequestToolChoice,
                path,
                format!("`tool_choice` '{text}' is the OpenAI string form; Anthropic takes an object ({{\"type\": \"auto\" | \"any\" | \"tool\" | \"none\"}})"),
                Some(Dialect::ChatCompletions),
            );
            return;
        }
        other => return type_error(findings, path, "an object", other),
    };
    let Some(kind) = required(findings, path, choice, "type", Rule::RequestToolChoice) else {
        return;
    };
    let allowed: &[&str] = match kind.as_str() {
        Some("auto" | "any") => &["type", "disable_parallel_tool_use"],
        Some("none") => &["type"],
        Some("tool") => {
            match choice.get("name") {
                Some(Value::String(name)) if !offered(top).contains(&name.as_str()) => findings
                    .add(
                        Rule::RequestToolChoice,
                        join(path, "name"),
                        format!(
                            "`tool_choice` names '{name}', which is not among the tools offered"
                        ),
                    ),
                Some(Value::String(_)) => {}
                Some(other) => type_error(findings, &join(path, "name"), "a string", other),
                None => findings.add(
                    Rule::RequestToolChoice,
                    join(path, "name"),
                    "`tool_choice` of type `tool` needs the `name` of the tool to use",
                ),
            }
            &["type", "name", "disable_parallel_tool_use"]
        }
        Some("function") => {
            let owner = if choice.get("function").is_some_and(Value::is_object) {
                Dialect::ChatCompletions
            } else {
                Dialect::Responses
            };
            findings.add_in(
                Rule::RequestToolChoice,
                path,
                format!("`tool_choice` {{type: function}} is {} form; Anthropic names a tool with {{\"type\": \"tool\", \"name\": …}}", owner.with_article()),
                Some(owner),
            );
            return;
        }
        _ => {
            return check_enum(
                findings,
                &join(path, "type"),
                kind,
                &["auto", "any", "tool", "none"],
            );
        }
    };
    optional(
        findings,
        path,
        choice,
        "disable_parallel_tool_use",
        Expect::Bool,
        false,
    );
    unknown_keys(findings, path, choice, allowed);
}

/// The names of the tools the request offers, client or server.
fn offered(top: &Map<String, Value>) -> Vec<&str> {
    top.get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|tool| tool.get("name").and_then(Value::as_str))
        .collect()
}
