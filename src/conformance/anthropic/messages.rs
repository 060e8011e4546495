//! `messages` (`MessageParam`): roles, content as a string or blocks, and the pairing Anthropic
//! enforces between an assistant's `tool_use` blocks and the `tool_result` blocks of the very
//! next message. The API's own 400s name the rule: "`tool_use` ids were found without
//! `tool_result` blocks immediately after" and "unexpected `tool_use_id` found in
//! `tool_result` blocks"; its tool-use guide adds that the results come first in their message.

use serde_json::{Map, Value};

use super::blocks::{Pairing, Role, check_block};
use super::shapes::{required, unknown_keys};
use crate::conformance::Rule;
use crate::conformance::findings::{Findings, type_error};
use crate::dialect::Dialect;
use crate::json::{join, join_index};

/// The tool calls and results one message carries, with where each result is.
#[derive(Default)]
struct Turn {
    role: Option<Role>,
    calls: Vec<String>,
    /// (`tool_use_id`, path of the block).
    results: Vec<(String, String)>,
}

pub(super) fn check_messages(
    findings: &mut Findings,
    path: &str,
    value: &Value,
    _: &Map<String, Value>,
) {
    let messages = match value {
        Value::Array(messages) if messages.is_empty() => {
            findings.add(
                Rule::RequestEmptyArray,
                path,
                "`messages`: at least one message is required",
            );
            return;
        }
        Value::Array(messages) => messages,
        other => return type_error(findings, path, "an array of messages", other),
    };
    let mut previous = Turn::default();
    for (i, message) in messages.iter().enumerate() {
        let at = join_index(path, i);
        let last = i + 1 == messages.len();
        let turn = check_message(findings, &at, message, last);
        pair(findings, path, i, &previous, &turn);
        previous = turn;
    }
}

fn check_message(findings: &mut Findings, path: &str, message: &Value, last: bool) -> Turn {
    let mut turn = Turn::default();
    let Value::Object(map) = message else {
        type_error(findings, path, "an object", message);
        return turn;
    };
    unknown_keys(findings, path, map, &["role", "content"]);
    let role = match required(findings, path, map, "role", Rule::RequestMissingField) {
        None => return turn,
        Some(Value::String(role)) => match role.as_str() {
            "user" => Role::User,
            "assistant" => Role::Assistant,
            "system" => Role::System,
            other => {
                let owner = match other {
                    "tool" | "developer" | "function" => Some(Dialect::ChatCompletions),
                    "model" => Some(Dialect::Gemini),
                    _ => None,
                };
                let note =
                    owner.map_or(String::new(), |d| format!(" (a role of {})", d.api_name()));
                findings.add_in(
                    Rule::RequestRole,
                    join(path, "role"),
                    format!("message role '{other}' is not one of user, assistant, system{note}"),
                    owner,
                );
                return turn;
            }
        },
        Some(other) => {
            type_error(findings, &join(path, "role"), "a string", other);
            return turn;
        }
    };
    turn.role = Some(role);
    let content_path = join(path, "content");
    match required(findings, path, map, "content", Rule::RequestMissingField) {
        None | Some(Value::String(_)) => {}
        // A prefill may end the conversation empty; any other message needs content.
        Some(Value::Array(blocks)) if blocks.is_empty() && !(last && role == Role::Assistant) => {
            findings.add(
                Rule::RequestEmptyArray,
                content_path,
                "all messages must have non-empty content except for the optional final assistant message",
            );
        }
        Some(Value::Array(blocks)) => {
            let mut first_other: Option<String> = None;
            for (i, block) in blocks.iter().enumerate() {
                let at = join_index(&content_path, i);
                match check_block(findings, &at, block, role) {
                    Pairing::Call(id) => turn.calls.push(id),
                    Pairing::Result(id) => {
                        if let Some(before) = &first_other {
                            findings.add(
                                Rule::RequestToolResultOrder,
                                at.clone(),
                                format!("tool_result blocks must come first in a user message; the block at {before} comes before this one"),
                            );
                        }
                        turn.results.push((id, at));
                    }
                    Pairing::Other => {
                        first_other.get_or_insert(at);
                    }
                }
            }
        }
        Some(other) => type_error(
            findings,
            &content_path,
            "a string or an array of content blocks",
            other,
        ),
    }
    turn
}

/// Pair message `index` with the one before it: every call of an assistant message is answered
/// in the next message, and every result answers a call of the message just before it.
fn pair(findings: &mut Findings, path: &str, index: usize, previous: &Turn, turn: &Turn) {
    let called =
        |id: &str| previous.role == Some(Role::Assistant) && previous.calls.iter().any(|c| c == id);
    for (id, at) in &turn.results {
        if !called(id) {
            findings.add(
                Rule::RequestToolResultOrder,
                join(at, "tool_use_id"),
                format!("unexpected `tool_use_id` found in `tool_result` blocks: {id}. Each `tool_result` block must have a corresponding `tool_use` block in the previous message."),
            );
        }
    }
    let unanswered: Vec<&str> = previous
        .calls
        .iter()
        .filter(|call| {
            turn.role != Some(Role::User) || !turn.results.iter().any(|(id, _)| id == *call)
        })
        .map(String::as_str)
        .collect();
    if !unanswered.is_empty() {
        findings.add(
            Rule::RequestToolResultOrder,
            join_index(path, index - 1),
            format!(
                "messages.{}: `tool_use` ids were found without `tool_result` blocks immediately after: {}. Each `tool_use` block must have a corresponding `tool_result` block in the next message.",
                index - 1,
                unanswered.join(", ")
            ),
        );
    }
}
