//! The conversation: `contents` and `systemInstruction`. Each turn has a role of `user` or
//! `model` and at least one part; each part holds exactly one data field; and a turn of
//! `functionResponse` parts answers the `functionCall` turn right before it, one response per
//! call, by name. The API enforces each of these with a 400 of its own, quoted in the messages.

use serde_json::{Map, Value};

use super::schema::PART_DATA;
use super::walk::{array, get, object};
use crate::conformance::Rule;
use crate::conformance::findings::{Findings, display_name};
use crate::dialect::Dialect;
use crate::json::{join, join_index};

pub(super) fn check(top: &Map<String, Value>, findings: &mut Findings) {
    if let Some((path, system)) = object(top, "", "systemInstruction") {
        check_parts(system, &path, findings);
    }
    let Some((path, contents)) = array(top, "", "contents") else {
        return;
    };
    if contents.is_empty() {
        findings.add(
            Rule::RequestEmptyArray,
            path,
            "* GenerateContentRequest.contents: contents is not specified (the array is empty)",
        );
        return;
    }
    let mut turns = Vec::with_capacity(contents.len());
    for (index, content) in contents.iter().enumerate() {
        let at = join_index(&path, index);
        let Some(content) = content.as_object() else {
            turns.push(Turn::default());
            continue;
        };
        check_role(content, &at, findings);
        check_parts(content, &at, findings);
        turns.push(Turn::of(content, &at));
    }
    check_function_turns(&turns, findings);
}

fn check_role(content: &Map<String, Value>, path: &str, findings: &mut Findings) {
    let Some((key, Value::String(role))) = get(content, "role") else {
        return;
    };
    if role.eq_ignore_ascii_case("user") || role.eq_ignore_ascii_case("model") {
        return;
    }
    // `assistant` is Anthropic's too; the others only OpenAI's.
    let owner = match role.as_str() {
        "system" | "developer" | "tool" | "function" => Some(Dialect::ChatCompletions),
        _ => None,
    };
    let instead = match role.as_str() {
        "assistant" => " (the model's turns are `model`)",
        "system" | "developer" => " (a system prompt goes in `systemInstruction`)",
        "tool" | "function" => " (function responses go in a `user` turn)",
        _ => "",
    };
    findings.add_in(
        Rule::RequestRole,
        join(path, key),
        format!("Role '{role}' is not supported. Please use a valid role: user, model.{instead}"),
        owner,
    );
}

/// A turn's `parts`: there, not empty, each holding exactly one data field.
fn check_parts(content: &Map<String, Value>, path: &str, findings: &mut Findings) {
    let parts = match get(content, "parts") {
        None => {
            findings.add(
                Rule::RequestMissingField,
                join(path, "parts"),
                format!(
                    "`{}` is missing: a turn must hold at least one part",
                    display_name(&join(path, "parts"))
                ),
            );
            return;
        }
        Some((key, Value::Array(parts))) => (join(path, key), parts),
        // The table walk reports a non-array.
        Some(_) => return,
    };
    let (path, parts) = parts;
    if parts.is_empty() {
        findings.add(
            Rule::RequestEmptyArray,
            path.clone(),
            format!(
                "* GenerateContentRequest.{}: contents.parts must not be empty",
                display_name(&path)
            ),
        );
    }
    for (index, part) in parts.iter().enumerate() {
        let Some(part) = part.as_object() else {
            continue;
        };
        let at = join_index(&path, index);
        let held: Vec<&str> = part
            .iter()
            .filter(|(key, value)| {
                !value.is_null() && PART_DATA.iter().any(|data| super::walk::names(data, key))
            })
            .map(|(key, _)| key.as_str())
            .collect();
        match held.as_slice() {
            [_] => {}
            [] => {
                let owner = part
                    .get("type")
                    .and_then(Value::as_str)
                    .and_then(crate::dialect::part_type_dialect);
                findings.add_in(
                    Rule::RequestContentPart,
                    at.clone(),
                    format!(
                        "* GenerateContentRequest.{}.data: required oneof field 'data' must have one initialized field ({})",
                        display_name(&at),
                        PART_DATA.join(", ")
                    ),
                    owner,
                );
            }
            [first, rest @ ..] => findings.add(
                Rule::RequestContentPart,
                join(&at, rest[0]),
                format!(
                    "Invalid value at '{}' (oneof), oneof field 'data' is already set. Cannot set '{}' (a part holds one data field: `{first}` here)",
                    display_name(&at),
                    rest[0]
                ),
            ),
        }
    }
}

/// What a turn asks and answers.
#[derive(Debug, Default)]
struct Turn {
    path: String,
    /// A `user` turn (the default role) rather than a `model` one.
    user: bool,
    /// `(name, id)` of each `functionCall` part.
    calls: Vec<(String, Option<String>)>,
    /// `(path of its name, name, id)` of each `functionResponse` part.
    responses: Vec<(String, String, Option<String>)>,
}

impl Turn {
    fn of(content: &Map<String, Value>, path: &str) -> Turn {
        let user = !matches!(get(content, "role"), Some((_, Value::String(r))) if r.eq_ignore_ascii_case("model"));
        let mut turn = Turn {
            path: path.to_owned(),
            user,
            ..Turn::default()
        };
        let Some((parts_path, parts)) = array(content, path, "parts") else {
            return turn;
        };
        for (index, part) in parts.iter().enumerate() {
            let Some(part) = part.as_object() else {
                continue;
            };
            let at = join_index(&parts_path, index);
            let name_and_id = |body: &Map<String, Value>| {
                let name = get(body, "name")
                    .and_then(|(_, v)| v.as_str())
                    .unwrap_or("");
                let id = get(body, "id")
                    .and_then(|(_, v)| v.as_str())
                    .map(str::to_owned);
                (name.to_owned(), id)
            };
            if let Some((_, call)) = object(part, &at, "functionCall") {
                turn.calls.push(name_and_id(call));
            }
            if let Some((response_path, response)) = object(part, &at, "functionResponse") {
                let (name, id) = name_and_id(response);
                turn.responses
                    .push((join(&response_path, "name"), name, id));
            }
        }
        turn
    }
}

/// Function calls and their responses, in the order the API insists on.
fn check_function_turns(turns: &[Turn], findings: &mut Findings) {
    for (index, turn) in turns.iter().enumerate() {
        let before = index.checked_sub(1).map(|i| &turns[i]);
        if !turn.calls.is_empty() && !before.is_some_and(|b| b.user) {
            findings.add(
                Rule::RequestToolResultOrder,
                turn.path.clone(),
                "Please ensure that function call turn comes immediately after a user turn or after a function response turn.",
            );
        }
        if turn.responses.is_empty() {
            continue;
        }
        let calls = match before {
            Some(before) if !before.calls.is_empty() => &before.calls,
            _ => {
                findings.add(
                    Rule::RequestToolResultOrder,
                    turn.path.clone(),
                    "Please ensure that function response turn comes immediately after a function call turn.",
                );
                continue;
            }
        };
        if turn.responses.len() != calls.len() {
            findings.add(
                Rule::RequestToolResultOrder,
                turn.path.clone(),
                format!(
                    "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn ({} responses, {} calls).",
                    turn.responses.len(),
                    calls.len()
                ),
            );
        }
        for (path, name, id) in &turn.responses {
            let answered = calls.iter().any(|(call, call_id)| {
                call == name && (id.is_none() || call_id.is_none() || id == call_id)
            });
            if !answered {
                let offered: Vec<&str> = calls.iter().map(|(n, _)| n.as_str()).collect();
                findings.add(
                    Rule::RequestToolResultOrder,
                    path.clone(),
                    format!(
                        "functionResponse `{name}`{} answers no functionCall of the turn before (it called {})",
                        id.as_deref().map_or(String::new(), |id| format!(" (id {id})")),
                        offered.join(", ")
                    ),
                );
            }
        }
    }
}
