//! Tool rules: `tools` definitions (function and custom, with their grammar formats),
//! `tool_choice`, and the deprecated `functions` / `function_call` pair. What a Responses or
//! Anthropic tool looks like is named here, because Cursor puts both shapes in Chat bodies.

use crate::json::Member as _;
use serde_json::{Map, Value};

use crate::conformance::Rule;
use crate::conformance::findings::{
    Findings, check_enum, display_name, nested_unknown, type_error,
};
use crate::dialect::{self, Dialect};
use crate::json::{join, join_index};

/// Tool names may hold letters, digits, `_` and `-`, up to 64 characters.
fn valid_tool_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// How many tools one request may offer.
const MAX_TOOLS: usize = 128;

/// `functions` has minItems 1 and maxItems 128; `tools` has neither in the spec, but OpenAI
/// enforces both ("[] is too short - 'tools'", "array_above_max_length"), and clients that send
/// `tools: []` when they have none are common.
fn check_count(findings: &mut Findings, path: &str, count: usize) {
    let name = display_name(path);
    if count == 0 {
        findings.add(
            Rule::RequestEmptyArray,
            path,
            format!("`{name}` is an empty array; leave it out when no tools are offered"),
        );
    } else if count > MAX_TOOLS {
        findings.add(
            Rule::RequestRange,
            path,
            format!("`{name}` has {count} entries; at most {MAX_TOOLS} are allowed"),
        );
    }
}

pub(super) fn check_tools(
    findings: &mut Findings,
    path: &str,
    value: &Value,
    _: &Map<String, Value>,
) {
    let Value::Array(tools) = value else {
        return type_error(findings, path, "an array", value);
    };
    check_count(findings, path, tools.len());
    for (i, tool) in tools.iter().enumerate() {
        check_tool(findings, &join_index(path, i), tool);
    }
}

fn check_tool(findings: &mut Findings, path: &str, tool: &Value) {
    let Value::Object(map) = tool else {
        return type_error(findings, path, "an object", tool);
    };
    // The parameter's name and the tool's shape only word a finding: worked out when one is
    // added, not for each of the tens of tools a conforming request offers.
    let param = || display_name(path);
    let shape = || dialect::tool_shape(map).map(|(d, ..)| d);
    match map.member("type").and_then(Value::as_str) {
        Some("function") => match map.member("function") {
            Some(Value::Object(function)) => {
                check_named(findings, &join(path, "function"), function);
                if let Some(parameters) = function.member("parameters")
                    && !parameters.is_object()
                {
                    type_error(findings, &join(&join(path, "function"), "parameters"), "an object (a JSON Schema)", parameters);
                }
                nested_unknown(findings, path, map, &["type", "function"]);
            }
            _ => findings.add_in(
                Rule::RequestToolDefinition,
                join(path, "function"),
                format!("Missing required parameter: '{}.function' (a flat function tool is the Responses API shape)", param()),
                shape(),
            ),
        },
        Some("custom") => match map.member("custom") {
            Some(Value::Object(custom)) => {
                check_named(findings, &join(path, "custom"), custom);
                if let Some(format) = custom.member("format") {
                    check_custom_format(findings, &join(&join(path, "custom"), "format"), format);
                }
                nested_unknown(findings, path, map, &["type", "custom"]);
            }
            _ => findings.add_in(
                Rule::RequestToolDefinition,
                join(path, "custom"),
                format!("Missing required parameter: '{}.custom' (a flat custom tool is the Responses API shape)", param()),
                Some(Dialect::Responses),
            ),
        },
        Some(other) => findings.add_in(
            Rule::RequestToolDefinition,
            join(path, "type"),
            format!("tool type '{other}' is not a Chat Completions tool (function or custom)"),
            shape(),
        ),
        None => {
            let shape = shape();
            findings.add_in(
                Rule::RequestToolDefinition,
                path,
                match shape {
                    Some(Dialect::Anthropic) => format!("Missing required parameter: '{}.type' (an Anthropic tool: `input_schema` instead of `function.parameters`)", param()),
                    _ => format!("Missing required parameter: '{}.type'", param()),
                },
                shape,
            );
        }
    }
}

/// A function or custom tool definition needs a valid `name`.
fn check_named(findings: &mut Findings, path: &str, definition: &Map<String, Value>) {
    match definition.member("name") {
        Some(Value::String(name)) if valid_tool_name(name) => {}
        Some(Value::String(name)) => findings.add(
            Rule::RequestToolDefinition,
            join(path, "name"),
            format!("tool name '{name}' must match ^[a-zA-Z0-9_-]{{1,64}}$"),
        ),
        Some(other) => type_error(findings, &join(path, "name"), "a string", other),
        None => findings.add(
            Rule::RequestToolDefinition,
            join(path, "name"),
            format!("Missing required parameter: '{}.name'", display_name(path)),
        ),
    }
}

fn check_custom_format(findings: &mut Findings, path: &str, format: &Value) {
    match format.member("type").and_then(Value::as_str) {
        Some("text") => {}
        Some("grammar") => match format.member("grammar") {
            Some(Value::Object(grammar)) => {
                if !grammar.member("definition").is_some_and(Value::is_string) {
                    findings.add(Rule::RequestToolDefinition, join(&join(path, "grammar"), "definition"), "custom tool grammar needs a string `definition`");
                }
                match grammar.member("syntax") {
                    Some(syntax) => check_enum(findings, &join(&join(path, "grammar"), "syntax"), syntax, &["lark", "regex"]),
                    None => findings.add(Rule::RequestToolDefinition, join(&join(path, "grammar"), "syntax"), "custom tool grammar needs `syntax` (lark or regex)"),
                }
            }
            _ => findings.add_in(
                Rule::RequestToolDefinition,
                join(path, "grammar"),
                "custom tool grammar must be nested under `grammar` (flat `syntax`/`definition` is the Responses shape)",
                format.member("syntax").map(|_| Dialect::Responses),
            ),
        },
        _ => findings.add(Rule::RequestToolDefinition, join(path, "type"), "custom tool format type must be `text` or `grammar`"),
    }
}

pub(super) fn check_tool_choice(
    findings: &mut Findings,
    path: &str,
    value: &Value,
    top: &Map<String, Value>,
) {
    let offered = |kind: &str, name: &str| -> bool {
        top.member("tools")
            .and_then(Value::as_array)
            .is_some_and(|tools| {
                tools.iter().any(|tool| {
                    tool.member("type").and_then(Value::as_str) == Some(kind)
                        && tool
                            .pointer(&format!("/{kind}/name"))
                            .and_then(Value::as_str)
                            == Some(name)
                })
            })
    };
    match value {
        Value::String(s) => match s.as_str() {
            "none" | "auto" => {}
            "required" => {
                if top
                    .member("tools")
                    .and_then(Value::as_array)
                    .is_none_or(Vec::is_empty)
                {
                    findings.add(
                        Rule::RequestToolChoice,
                        path,
                        "`tool_choice` is 'required' but no tools are offered",
                    );
                }
            }
            other => findings.add(
                Rule::RequestToolChoice,
                path,
                format!("`tool_choice` is '{other}'; expected none, auto, required or an object"),
            ),
        },
        Value::Object(choice) => {
            let kind = choice.member("type").and_then(Value::as_str);
            match kind {
                Some(k @ ("function" | "custom"))
                    if choice.get(k).is_some_and(Value::is_object) =>
                {
                    match value.pointer(&format!("/{k}/name")).and_then(Value::as_str) {
                        Some(name) if offered(k, name) => {}
                        Some(name) => findings.add(
                            Rule::RequestToolChoice,
                            join(&join(path, k), "name"),
                            format!(
                                "`tool_choice` names {k} tool '{name}', which is not in `tools`"
                            ),
                        ),
                        None => findings.add(
                            Rule::RequestToolChoice,
                            join(&join(path, k), "name"),
                            format!("Missing required parameter: 'tool_choice.{k}.name'"),
                        ),
                    }
                }
                Some("allowed_tools")
                    if choice.member("allowed_tools").is_some_and(Value::is_object) =>
                {
                    check_allowed_tools(findings, &join(path, "allowed_tools"), value);
                }
                _ => {
                    let owner = dialect::tool_choice_shape(choice);
                    findings.add_in(
                        Rule::RequestToolChoice,
                        path,
                        match owner {
                            Some((_, why)) => format!("`tool_choice` is not a Chat Completions form: {why}"),
                            None => "`tool_choice` object must be {type: function, function: {name}}, {type: custom, custom: {name}} or {type: allowed_tools, …}".to_owned(),
                        },
                        owner.map(|(d, _)| d),
                    );
                }
            }
        }
        other => type_error(findings, path, "a string or an object", other),
    }
}

/// `ChatCompletionAllowedTools` requires both `mode` and the `tools` it allows.
fn check_allowed_tools(findings: &mut Findings, path: &str, choice: &Value) {
    match choice.pointer("/allowed_tools/mode") {
        Some(mode) => check_enum(findings, &join(path, "mode"), mode, &["auto", "required"]),
        None => findings.add(
            Rule::RequestToolChoice,
            join(path, "mode"),
            "Missing required parameter: 'tool_choice.allowed_tools.mode'",
        ),
    }
    match choice.pointer("/allowed_tools/tools") {
        Some(Value::Array(_)) => {}
        Some(other) => type_error(findings, &join(path, "tools"), "an array", other),
        None => findings.add(
            Rule::RequestToolChoice,
            join(path, "tools"),
            "Missing required parameter: 'tool_choice.allowed_tools.tools'",
        ),
    }
}

pub(super) fn check_functions(
    findings: &mut Findings,
    path: &str,
    value: &Value,
    _: &Map<String, Value>,
) {
    let Value::Array(functions) = value else {
        return type_error(findings, path, "an array", value);
    };
    check_count(findings, path, functions.len());
    for (i, function) in functions.iter().enumerate() {
        match function {
            Value::Object(map) => check_named(findings, &join_index(path, i), map),
            other => type_error(findings, &join_index(path, i), "an object", other),
        }
    }
}

pub(super) fn check_function_call(
    findings: &mut Findings,
    path: &str,
    value: &Value,
    _: &Map<String, Value>,
) {
    match value {
        Value::String(s) if s == "none" || s == "auto" => {}
        Value::Object(map) if map.member("name").is_some_and(Value::is_string) => {}
        _ => findings.add(
            Rule::RequestToolChoice,
            path,
            "`function_call` must be 'none', 'auto' or {name}",
        ),
    }
}
