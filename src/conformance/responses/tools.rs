//! `tools` and `tool_choice` in Responses: function and custom tools are flat (`{type:
//! "function", name, parameters}`, not Chat's `{type, function: {…}}`), hosted tools are named
//! by their type, and a named choice must name a tool that is offered.

use serde_json::{Map, Value};

use crate::conformance::Rule;
use crate::conformance::findings::{Findings, check_enum, type_error};
use crate::dialect::Dialect;
use crate::json::{join, join_index};

/// Hosted tool types (`Tool` in the spec), with the fields each requires besides `type`.
const HOSTED: &[(&str, &[&str])] = &[
    ("file_search", &["vector_store_ids"]),
    ("computer", &[]),
    (
        "computer_use_preview",
        &["environment", "display_width", "display_height"],
    ),
    ("web_search", &[]),
    ("web_search_2025_08_26", &[]),
    ("web_search_preview", &[]),
    ("web_search_preview_2025_03_11", &[]),
    ("mcp", &["server_label"]),
    ("code_interpreter", &["container"]),
    ("programmatic_tool_calling", &[]),
    ("image_generation", &[]),
    ("local_shell", &[]),
    ("shell", &[]),
    ("namespace", &["name", "description", "tools"]),
    ("tool_search", &[]),
    ("apply_patch", &[]),
];

pub(super) fn check_tools(
    findings: &mut Findings,
    path: &str,
    value: &Value,
    _: &Map<String, Value>,
) {
    let Value::Array(tools) = value else {
        return type_error(findings, path, "an array", value);
    };
    for (i, tool) in tools.iter().enumerate() {
        check_tool(findings, &join_index(path, i), tool);
    }
}

fn check_tool(findings: &mut Findings, path: &str, tool: &Value) {
    let Value::Object(map) = tool else {
        return type_error(findings, path, "an object", tool);
    };
    if map.contains_key("input_schema") {
        findings.add_in(
            Rule::RequestToolDefinition,
            join(path, "input_schema"),
            "`input_schema` is Anthropic's tool shape; a Responses function tool has `parameters`",
            Some(Dialect::Anthropic),
        );
        return;
    }
    let Some(kind) = map.get("type").and_then(Value::as_str) else {
        findings.add(
            Rule::RequestToolDefinition,
            join(path, "type"),
            "Missing required parameter: a tool needs a `type`",
        );
        return;
    };
    match kind {
        "function" | "custom" if map.contains_key(kind) => {
            // `{type: "function", function: {name, …}}` is Chat Completions' nesting.
            findings.add_in(
                Rule::RequestToolDefinition,
                join(path, kind),
                format!("the tool is nested under `{kind}` (Chat Completions' shape); Responses tools are flat: `name` beside `type`"),
                Some(Dialect::ChatCompletions),
            );
        }
        "function" => {
            name_required(findings, path, map, kind);
            match map.get("parameters") {
                None | Some(Value::Object(_) | Value::Null) => {}
                Some(other) => type_error(
                    findings,
                    &join(path, "parameters"),
                    "a JSON Schema object",
                    other,
                ),
            }
            match map.get("strict") {
                None | Some(Value::Bool(_) | Value::Null) => {}
                Some(other) => type_error(findings, &join(path, "strict"), "a boolean", other),
            }
        }
        "custom" => {
            name_required(findings, path, map, kind);
            if let Some(format) = map.get("format") {
                check_custom_format(findings, &join(path, "format"), format);
            }
        }
        hosted => match HOSTED.iter().find(|(name, _)| *name == hosted) {
            Some((_, required)) => {
                for key in *required {
                    if !map.contains_key(*key) {
                        findings.add(
                            Rule::RequestToolDefinition,
                            join(path, key),
                            format!("Missing required parameter: a `{hosted}` tool needs `{key}`"),
                        );
                    }
                }
            }
            None => findings.add(
                Rule::RequestToolDefinition,
                join(path, "type"),
                format!("`{hosted}` is not a Responses tool type"),
            ),
        },
    }
}

fn name_required(findings: &mut Findings, path: &str, map: &Map<String, Value>, kind: &str) {
    match map.get("name") {
        Some(Value::String(name)) if !name.is_empty() => {}
        Some(other) if !other.is_string() => {
            type_error(findings, &join(path, "name"), "a string", other)
        }
        _ => findings.add(
            Rule::RequestToolDefinition,
            join(path, "name"),
            format!("Missing required parameter: a `{kind}` tool needs a `name`"),
        ),
    }
}

/// A custom tool's input format: free text, or a grammar (flat here: `syntax` and
/// `definition` beside `type`, where Chat nests them under `grammar`).
fn check_custom_format(findings: &mut Findings, path: &str, format: &Value) {
    let Value::Object(map) = format else {
        return type_error(findings, path, "an object", format);
    };
    match map.get("type").and_then(Value::as_str) {
        Some("text") => {}
        Some("grammar") if map.contains_key("grammar") => findings.add_in(
            Rule::RequestToolDefinition,
            join(path, "grammar"),
            "the grammar is nested under `grammar` (Chat Completions' shape); in Responses `syntax` and `definition` sit beside `type`",
            Some(Dialect::ChatCompletions),
        ),
        Some("grammar") => {
            match map.get("syntax") {
                Some(syntax) => check_enum(findings, &join(path, "syntax"), syntax, &["lark", "regex"]),
                None => findings.add(
                    Rule::RequestToolDefinition,
                    join(path, "syntax"),
                    "Missing required parameter: a grammar format needs `syntax`",
                ),
            }
            if !map.get("definition").is_some_and(Value::is_string) {
                findings.add(
                    Rule::RequestToolDefinition,
                    join(path, "definition"),
                    "a grammar format needs a string `definition`",
                );
            }
        }
        _ => findings.add(
            Rule::RequestToolDefinition,
            join(path, "type"),
            "a custom tool's `format.type` is `text` or `grammar`",
        ),
    }
}

/// The names of function and custom tools a body offers.
fn offered(top: &Map<String, Value>) -> Vec<&str> {
    top.get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|tool| tool.get("name").and_then(Value::as_str))
        .collect()
}

pub(super) fn check_tool_choice(
    findings: &mut Findings,
    path: &str,
    value: &Value,
    top: &Map<String, Value>,
) {
    let choice = match value {
        Value::String(_) => {
            return check_enum(findings, path, value, &["none", "auto", "required"]);
        }
        Value::Object(choice) => choice,
        other => return type_error(findings, path, "a string or an object", other),
    };
    let kind = choice.get("type").and_then(Value::as_str).unwrap_or("");
    match kind {
        "function" | "custom" if choice.contains_key(kind) => findings.add_in(
            Rule::RequestToolChoice,
            join(path, kind),
            format!("`tool_choice.{kind}` is Chat Completions' nesting; Responses names the tool flat: {{type: \"{kind}\", name}}"),
            Some(Dialect::ChatCompletions),
        ),
        "function" | "custom" => match choice.get("name").and_then(Value::as_str) {
            Some(name) if offered(top).contains(&name) => {}
            Some(name) => findings.add(
                Rule::RequestToolChoice,
                join(path, "name"),
                format!("`tool_choice` names '{name}', which is not among the tools offered"),
            ),
            None => findings.add(
                Rule::RequestToolChoice,
                join(path, "name"),
                format!("Missing required parameter: a `{kind}` tool_choice needs `name`"),
            ),
        },
        "allowed_tools" => {
            if let Some(mode) = choice.get("mode") {
                check_enum(findings, &join(path, "mode"), mode, &["auto", "required"]);
            }
            if !choice.get("tools").is_some_and(Value::is_array) {
                findings.add(
                    Rule::RequestToolChoice,
                    join(path, "tools"),
                    "an `allowed_tools` choice needs a `tools` array",
                );
            }
        }
        "mcp" => {
            if !choice.get("server_label").is_some_and(Value::is_string) {
                findings.add(
                    Rule::RequestToolChoice,
                    join(path, "server_label"),
                    "an `mcp` tool_choice needs `server_label`",
                );
            }
        }
        "auto" | "any" | "tool" => findings.add_in(
            Rule::RequestToolChoice,
            join(path, "type"),
            format!("`{{type: \"{kind}\"}}` is Anthropic's tool_choice; Responses takes \"auto\", \"required\", \"none\" or a named tool"),
            Some(Dialect::Anthropic),
        ),
        hosted if HOSTED.iter().any(|(name, _)| *name == hosted) => {}
        other => findings.add(
            Rule::RequestToolChoice,
            join(path, "type"),
            format!("`tool_choice.type` '{other}' is not a Responses tool choice"),
        ),
    }
}
