//! Tools and `toolConfig`: each `Tool` holds some kind of tool, each function declaration a
//! usable name and at most one form of its parameters, and `allowedFunctionNames` names
//! declared functions under a mode that takes them.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::schema::TOOL;
use super::walk::{array, get, object};
use crate::conformance::Rule;
use crate::conformance::findings::{Findings, display_name};
use crate::dialect;
use crate::json::{join, join_index};

pub(super) fn check(top: &Map<String, Value>, findings: &mut Findings) {
    let mut declared = BTreeSet::new();
    if let Some((path, tools)) = array(top, "", "tools") {
        for (index, tool) in tools.iter().enumerate() {
            if let Some(tool) = tool.as_object() {
                check_tool(tool, &join_index(&path, index), &mut declared, findings);
            }
        }
    }
    check_tool_config(top, &declared, findings);
}

fn check_tool(
    tool: &Map<String, Value>,
    path: &str,
    declared: &mut BTreeSet<String>,
    findings: &mut Findings,
) {
    let kinds = TOOL
        .fields
        .iter()
        .filter(|f| get(tool, f.name).is_some())
        .count();
    if kinds == 0 {
        let shape = dialect::tool_shape(tool);
        let note = shape.map_or(String::new(), |(d, _, why)| {
            format!(" ({}: {why})", d.api_name())
        });
        let kinds: Vec<&str> = TOOL.fields.iter().map(|f| f.name).collect();
        findings.add_in(
            Rule::RequestToolDefinition,
            path,
            format!("a Tool must hold one of {}{note}", kinds.join(", ")),
            shape.map(|(d, ..)| d),
        );
    }
    let Some((path, declarations)) = array(tool, path, "functionDeclarations") else {
        return;
    };
    for (index, declaration) in declarations.iter().enumerate() {
        let Some(declaration) = declaration.as_object() else {
            continue;
        };
        let at = join_index(&path, index);
        if let Some((key, Value::String(name))) = get(declaration, "name") {
            declared.insert(name.clone());
            if !valid_name(name) {
                findings.add(
                    Rule::RequestToolDefinition,
                    join(&at, key),
                    format!(
                        "function name '{}' is invalid: it must be a-z, A-Z, 0-9, underscores, colons, dots or dashes, at most 128 characters",
                        crate::json::shorten(name, 80)
                    ),
                );
            }
        }
        for (schema, json_schema) in [
            ("parameters", "parametersJsonSchema"),
            ("response", "responseJsonSchema"),
        ] {
            if let (Some(_), Some((key, _))) =
                (get(declaration, schema), get(declaration, json_schema))
            {
                findings.add(
                    Rule::RequestToolDefinition,
                    join(&at, key),
                    format!("`{schema}` and `{json_schema}` are mutually exclusive: send one"),
                );
            }
        }
        if let Some((key, value)) = get(declaration, "parametersJsonSchema")
            && !value.is_object()
            && !value.is_boolean()
        {
            findings.add(
                Rule::RequestToolDefinition,
                join(&at, key),
                format!(
                    "`{}` must be a JSON Schema describing an object, got {}",
                    display_name(&join(&at, key)),
                    crate::json::kind(value)
                ),
            );
        }
    }
}

/// The reference: "a-z, A-Z, 0-9, or contain underscores, colons, dots, and dashes, with a
/// maximum length of 128".
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'.' | b'-'))
}

fn check_tool_config(
    top: &Map<String, Value>,
    declared: &BTreeSet<String>,
    findings: &mut Findings,
) {
    let Some((path, config)) = object(top, "", "toolConfig")
        .and_then(|(path, config)| object(config, &path, "functionCallingConfig"))
    else {
        return;
    };
    let Some((names_path, allowed)) = array(config, &path, "allowedFunctionNames") else {
        return;
    };
    let mode = get(config, "mode").and_then(|(_, v)| v.as_str());
    let takes_names =
        mode.is_some_and(|m| m.eq_ignore_ascii_case("ANY") || m.eq_ignore_ascii_case("VALIDATED"));
    if !allowed.is_empty() && !takes_names {
        findings.add(
            Rule::RequestToolChoice,
            names_path.clone(),
            format!(
                "`allowedFunctionNames` is set with mode {}: it only applies under mode ANY or VALIDATED",
                mode.unwrap_or("unset (AUTO)")
            ),
        );
    }
    for (index, name) in allowed.iter().enumerate() {
        if let Some(name) = name.as_str()
            && !declared.contains(name)
        {
            findings.add(
                Rule::RequestToolChoice,
                join_index(&names_path, index),
                format!(
                    "`allowedFunctionNames` names '{name}', which no functionDeclarations entry declares"
                ),
            );
        }
    }
}
